#include "runtime/face.hpp"

#include "devices/camera/camera.hpp"
#include "devices/face/live_capture.hpp"
#include "devices/face/models.hpp"

namespace kiosk::ui {

FaceService::FaceService(const Config& config, EventQueue& queue)
    : m_config(config), m_queue(queue), m_maxAttempts(config.face.maxAttempts) {
    m_thread = std::thread([this] { run(); });
}

FaceService::~FaceService() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
    // The pipeline listens to the camera: detach it before either goes.
    if (m_live) m_live->detach();
    if (m_camera) m_camera->stop();
}

FaceService::State FaceService::state() const {
    std::lock_guard lock(m_mutex);
    return m_state;
}

std::string FaceService::problem() const {
    std::lock_guard lock(m_mutex);
    return m_problem;
}

devices::face::LiveCapture* FaceService::live() const {
    std::lock_guard lock(m_mutex);
    return m_state == State::Ready ? m_live.get() : nullptr;
}

bool FaceService::streaming() const {
    std::lock_guard lock(m_mutex);
    return m_wantActive;
}

std::uint64_t FaceService::framesProcessed() const {
    auto* l = live();
    return l ? l->preview().frameSequence : 0;
}

void FaceService::setActive(bool on) {
    {
        std::lock_guard lock(m_mutex);
        m_wantActive = on;
    }
    m_cv.notify_all();
}

void FaceService::run() {
    namespace face = devices::face;
    namespace camera = devices::camera;
    auto unavailable = [this](std::string why) {
        {
            std::lock_guard lock(m_mutex);
            m_state = State::Unavailable;
            m_problem = why;
        }
        m_queue.post(DeviceStatus{DeviceKind::Face, false, std::move(why)});
    };
    const auto& cc = m_config.camera;
    if (cc.source.empty() || cc.source == "none") {
        unavailable("no camera is configured ([camera] source = \"none\")");
        return;
    }
    auto manifest = face::ModelManifest::loadDefault();
    if (!manifest) {
        unavailable(manifest.error().message);
        return;
    }
    face::DetectorOptions detector;
    detector.configuredModelDir = m_config.face.modelDir;
    face::RecognizerOptions recognizer{.configuredModelDir = m_config.face.modelDir, .model = m_config.face.recognizer};
    face::LiveCaptureOptions options;
    options.timeout = std::chrono::seconds(20);
    options.previewMaxWidth = 640;
    options.previewRgba = true;
    options.onResult = [this](const face::LiveResult& r) {
        FaceCaptured f;
        f.portraitJpeg.assign(r.portraitJpeg.begin(), r.portraitJpeg.end());
        if (r.match) {
            f.score = r.match->score;
            f.decision = r.match->decision;
        }
        if (r.error) f.error = r.error->message;
        if (r.matchError) f.matchProblem = r.matchError->message;
        f.lastInstruction = r.lastInstruction;
        m_queue.post(std::move(f));
    };
    auto live = face::LiveCapture::create(*manifest, detector, recognizer, options);
    if (!live) {
        unavailable(live.error().message);
        return;
    }
    auto cam = camera::Camera::open(camera::CameraOptions{.source = cc.source,
                                                          .width = cc.width,
                                                          .height = cc.height,
                                                          .fps = static_cast<double>(cc.fps),
                                                          .loop = true});
    if (!cam) {
        unavailable(cam.error().message);
        return;
    }
    (*live)->attach(**cam);
    std::string detail = (*cam)->describe();
    if (!(*live)->detectorWarning().empty()) detail += "; " + (*live)->detectorWarning();
    {
        std::lock_guard lock(m_mutex);
        m_camera = std::move(*cam);
        m_live = std::move(*live);
        m_state = State::Ready;
    }
    m_queue.post(DeviceStatus{DeviceKind::Face, true, detail});

    bool streaming = false;
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_cv.wait(lock, [&] { return m_stop || m_wantActive != streaming; });
        if (m_stop) break;
        const bool want = m_wantActive;
        lock.unlock();
        if (want)
            m_camera->start();
        else
            m_camera->stop();
        streaming = want;
        lock.lock();
    }
}

}  // namespace kiosk::ui
