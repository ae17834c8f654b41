// The live photo step: camera frames in, detection + quality gate + auto-capture + match on a worker thread.
#include "devices/face/live_capture.hpp"

#include <cstdio>
#include <opencv2/imgproc.hpp>

namespace devices::face {

std::string_view liveStateName(LiveState s) noexcept {
    switch (s) {
        case LiveState::Idle: return "idle";
        case LiveState::Running: return "running";
        case LiveState::Finished: return "finished";
    }
    return "idle";
}

/// The newest frame waiting for the worker; shared with the camera listener.
struct LiveCapture::Inbox {
    std::mutex mutex;
    std::condition_variable cv;
    std::optional<camera::Frame> frame;
    bool stop{false};

    void push(const camera::Frame& f) {
        {
            std::lock_guard lock(mutex);
            if (stop) return;
            frame = f;  // shares the pixels; a posted frame is never written again
        }
        cv.notify_one();
    }
};

namespace {

/// Compares the captured face with the dominant face of the document photo (padded before detection).
Result<Verification> compareWithDocument(FaceDetector& detector, FaceRecognizer& recognizer, const cv::Mat& frame,
                                         const Face& face, const cv::Mat& document) {
    auto live = recognizer.embed(frame, face);
    if (!live) return std::unexpected(live.error());
    const cv::Mat padded = padForDetection(document);
    auto docFaces = detector.detect(padded);
    if (!docFaces) return std::unexpected(docFaces.error());
    if (docFaces->empty())
        return fail(ErrorCode::InvalidInput, "no face found in the document photo; a member of staff must compare the photos");
    auto doc = recognizer.embed(padded, docFaces->front());
    if (!doc) return std::unexpected(doc.error());
    Verification v;
    const auto& e = recognizer.entry();
    v.model = e.name;
    v.metric = e.metric;
    v.score = recognizer.score(*live, *doc);
    v.acceptThreshold = e.acceptThreshold;
    v.rejectThreshold = e.rejectThreshold;
    v.decision = recognizer.decide(v.score);
    return v;
}

}  // namespace

LiveCapture::LiveCapture(std::unique_ptr<FaceDetector> detector, std::unique_ptr<FaceRecognizer> recognizer,
                         LiveCaptureOptions options)
    : m_detector(std::move(detector)),
      m_recognizer(std::move(recognizer)),
      m_options(std::move(options)),
      m_inbox(std::make_shared<Inbox>()),
      m_auto(m_options.window) {
    m_thread = std::thread([this] { run(); });
}

LiveCapture::~LiveCapture() {
    detach();
    {
        std::lock_guard lock(m_inbox->mutex);
        m_inbox->stop = true;
        m_inbox->frame.reset();
    }
    m_inbox->cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

Result<std::unique_ptr<LiveCapture>> LiveCapture::create(const ModelManifest& manifest, const DetectorOptions& detector,
                                                         const RecognizerOptions& recognizer, LiveCaptureOptions options) {
    auto d = FaceDetector::create(manifest, detector);
    if (!d) return std::unexpected(d.error());
    auto r = FaceRecognizer::create(manifest, recognizer);
    std::unique_ptr<FaceRecognizer> rec;
    if (r) rec = std::move(*r);
    auto live = std::make_unique<LiveCapture>(std::move(*d), std::move(rec), std::move(options));
    if (!r) live->m_recognizerError = r.error();
    return live;
}

void LiveCapture::attach(camera::Camera& cam) {
    detach();
    m_camera = &cam;
    m_listener = cam.addListener([inbox = m_inbox](const camera::Frame& f) { inbox->push(f); });
}

void LiveCapture::detach() {
    if (m_camera) m_camera->removeListener(m_listener);
    m_camera = nullptr;
    m_listener = 0;
}

void LiveCapture::submit(const camera::Frame& frame) { m_inbox->push(frame); }

void LiveCapture::begin(const cv::Mat& reference) {
    std::lock_guard lock(m_mutex);
    ++m_session;
    m_beganAt = std::chrono::steady_clock::now();
    m_reference = reference.empty() ? cv::Mat() : reference.clone();
    m_result.reset();
    m_state = LiveState::Running;
    m_preview.state = m_state;
    m_preview.progress = 0.0;
}

void LiveCapture::cancel() {
    std::lock_guard lock(m_mutex);
    ++m_session;
    m_reference.release();
    m_state = LiveState::Idle;
    m_preview.state = m_state;
    m_preview.progress = 0.0;
}

LivePreview LiveCapture::preview() const {
    std::lock_guard lock(m_mutex);
    return m_preview;
}

std::optional<LiveResult> LiveCapture::takeResult() {
    std::lock_guard lock(m_mutex);
    auto r = std::move(m_result);
    m_result.reset();
    return r;
}

std::optional<LiveResult> LiveCapture::waitResult(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    m_resultCv.wait_for(lock, timeout, [&] { return m_result.has_value(); });
    auto r = std::move(m_result);
    m_result.reset();
    return r;
}

LiveState LiveCapture::state() const {
    std::lock_guard lock(m_mutex);
    return m_state;
}

void LiveCapture::run() {
    for (;;) {
        camera::Frame f;
        {
            std::unique_lock lock(m_inbox->mutex);
            m_inbox->cv.wait(lock, [&] { return m_inbox->stop || m_inbox->frame.has_value(); });
            if (m_inbox->stop) return;
            f = std::move(*m_inbox->frame);
            m_inbox->frame.reset();
        }
        process(f);
    }
}

void LiveCapture::process(const camera::Frame& frame) {
    if (frame.image.empty()) return;
    auto detected = m_detector->detectAt(frame.image, m_options.liveMaxSide);
    const std::vector<Face> faces = detected ? std::move(*detected) : std::vector<Face>{};
    const QualityVerdict verdict = assessQuality(frame.image, faces, m_options.quality);
    const auto now = std::chrono::steady_clock::now();

    std::uint64_t session = 0;
    LiveState state = LiveState::Idle;
    bool beforeBegin = false;
    std::chrono::steady_clock::time_point began{};
    {
        std::lock_guard lock(m_mutex);
        session = m_session;
        state = m_state;
        began = m_beganAt;
        beforeBegin = frame.captured < m_beganAt;
    }
    if (session != m_workerSession) {  // begin() or cancel() since the last frame
        m_workerSession = session;
        m_auto.reset();
        m_frames = 0;
        m_lastInstruction.clear();
    }
    std::optional<CapturedFrame> shot;
    if (state == LiveState::Running && !beforeBegin) {
        ++m_frames;
        m_lastInstruction = verdict.instruction;
        shot = m_auto.offer(frame.image, faces, verdict, now);
    }

    // The preview: scaled down once, converted for the GL texture.
    LivePreview p;
    p.scale = std::min(1.0, static_cast<double>(m_options.previewMaxWidth) / frame.image.cols);
    cv::Mat small = frame.image;
    if (p.scale < 1.0) cv::resize(frame.image, small, cv::Size(), p.scale, p.scale, cv::INTER_AREA);
    if (m_options.previewRgba) cv::cvtColor(small, p.image, small.channels() == 1 ? cv::COLOR_GRAY2RGBA : cv::COLOR_BGR2RGBA);
    else p.image = small.data == frame.image.data ? small.clone() : small;
    p.frameSequence = frame.sequence;
    if (verdict.faceIndex >= 0) {
        const cv::Rect2f& b = faces[static_cast<size_t>(verdict.faceIndex)].box;
        const auto s = static_cast<float>(p.scale);
        p.faceBox = cv::Rect2f(b.x * s, b.y * s, b.width * s, b.height * s);
    }
    p.instruction = verdict.instruction;
    p.verdict = verdict;
    p.state = state;
    p.progress = state == LiveState::Running ? (shot ? 1.0 : m_auto.progress(now)) : 0.0;
    {
        std::lock_guard lock(m_mutex);
        p.generation = m_preview.generation + 1;
        p.state = m_state;
        if (m_session != session) p.progress = 0.0;  // begin() or cancel() while this frame was assessed
        m_preview = std::move(p);
    }

    std::optional<LiveResult> result;
    if (shot) {
        result = finish(*shot, frame.sequence);
    } else if (state == LiveState::Running && m_options.timeout.count() > 0 && now - began >= m_options.timeout) {
        LiveResult r;
        r.framesAssessed = m_frames;
        r.lastInstruction = m_lastInstruction;
        char secs[32];
        std::snprintf(secs, sizeof secs, "%.1f", static_cast<double>(m_options.timeout.count()) / 1000.0);
        r.error = Error{ErrorCode::Timeout, std::string("no frame passed the quality gate in ") + secs +
                                                " s (last instruction: " +
                                                (m_lastInstruction.empty() ? "none" : m_lastInstruction) +
                                                "); try again or ask a member of staff"};
        result = std::move(r);
    }
    if (!result) return;
    bool posted = false;
    {
        std::lock_guard lock(m_mutex);
        if (m_session == session && m_state == LiveState::Running) {  // not cancelled or restarted meanwhile
            m_result = *result;
            m_state = LiveState::Finished;
            m_preview.state = m_state;
            m_preview.progress = result->error ? 0.0 : 1.0;
            posted = true;
        }
    }
    if (!posted) return;
    m_resultCv.notify_all();
    if (m_options.onResult) m_options.onResult(*result);
}

LiveResult LiveCapture::finish(const CapturedFrame& shot, std::uint64_t sequence) {
    LiveResult r;
    r.framesAssessed = m_frames;
    r.lastInstruction = m_lastInstruction;
    r.verdict = shot.verdict;
    r.face = shot.face;
    r.frameSequence = sequence;
    // The live frames were assessed at a small size: detect the chosen frame again at the detector's own size
    // and take the face that overlaps the assessed one most (its landmarks are more precise).
    if (m_options.liveMaxSide > 0 && m_detector->maxSide() != m_options.liveMaxSide) {
        if (auto full = m_detector->detect(shot.frame); full) {
            float best = 0.3F;  // minimum overlap (IoU) to count as the same face
            for (const auto& f : *full) {
                const float inter = (f.box & shot.face.box).area();
                const float iou = inter / (f.area() + shot.face.area() - inter);
                if (iou > best) {
                    best = iou;
                    r.face = f;
                }
            }
        }
    }
    auto crop = portraitCrop(shot.frame, r.face);
    if (!crop) {
        r.error = crop.error();
        return r;
    }
    auto jpeg = encodeJpeg(*crop, m_options.jpegQuality);
    if (!jpeg) {
        r.error = jpeg.error();
        return r;
    }
    r.portrait = std::move(*crop);
    r.portraitJpeg = std::move(*jpeg);
    cv::Mat reference;
    {
        std::lock_guard lock(m_mutex);
        reference = m_reference;
    }
    if (reference.empty()) return r;
    if (!m_recognizer) {
        r.matchError = m_recognizerError.value_or(
            Error{ErrorCode::NotAvailable, "no face recognition model is loaded; a member of staff must compare the photos"});
        return r;
    }
    auto v = compareWithDocument(*m_detector, *m_recognizer, shot.frame, r.face, reference);
    if (v) r.match = *v;
    else r.matchError = v.error();
    return r;
}

}  // namespace devices::face
