// face_bench: timings of the face pipeline on the camera clip (not a test).
// Detection at 640x480 and 320x240, align + embed per model, detect(320) + align + embed per model, and
// capture-to-verdict latency from the clip through the Camera. Each case runs with cv::setNumThreads(1) and with
// OpenCV's default threads; prints median, p95 and max in ms.
// Usage: face_bench [CLIP] [ROUNDS]   (models from $KIOSK_MODEL_DIR, clip from $KIOSK_TEST_FACES)
// With one thread each case also reports the calling thread's CPU time ("cpu"): the work done on one core, which
// the load from other processes on this shared 2-vCPU VM does not inflate the way it inflates wall time.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string_view>
#include <opencv2/core/utility.hpp>
#include <opencv2/videoio.hpp>

#include "devices/camera/camera.hpp"
#include "devices/face/quality.hpp"
#include "devices/face/recognizer.hpp"
#include "face_data.hpp"

using namespace devices::face;
using Clock = std::chrono::steady_clock;

namespace {

/// Milliseconds of CPU time used by the calling thread (with cv::setNumThreads(1) OpenCV runs inline, so this is the
/// work done on one core, without the time the scheduler gave to other processes).
double threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

struct Samples {
    std::vector<double> wall, cpu;
};

void report(const char* what, const char* threads, std::vector<double> ms, const char* kind = "wall") {
    if (ms.empty()) return;
    std::sort(ms.begin(), ms.end());
    auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<size_t>(q * static_cast<double>(ms.size())))]; };
    std::printf("%-44s %-8s %-4s n=%4zu  median %7.2f  p95 %7.2f  max %7.2f ms\n", what, threads, kind, ms.size(), at(0.5),
                at(0.95), ms.back());
}

void report(const char* what, const char* threads, const Samples& s) {
    report(what, threads, s.wall, "wall");
    if (std::string_view(threads) == "1 thread") report(what, threads, s.cpu, "cpu");
}

Samples timeEach(const std::vector<cv::Mat>& frames, int rounds, const std::function<void(const cv::Mat&)>& fn) {
    for (int i = 0; i < 5 && i < static_cast<int>(frames.size()); ++i) fn(frames[static_cast<size_t>(i)]);  // warm-up
    Samples s;
    for (int r = 0; r < rounds; ++r)
        for (const auto& f : frames) {
            const auto t0 = Clock::now();
            const double c0 = threadCpuMs();
            fn(f);
            s.cpu.push_back(threadCpuMs() - c0);
            s.wall.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        }
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string clip = argc > 1 && *argv[1] ? argv[1] : facetest::envStr("KIOSK_TEST_FACES") + "/camera_clip_obama_640x480_mjpg.avi";
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 2;
    auto m = facetest::manifest();
    if (!m) return std::fprintf(stderr, "%s\n", m.error().message.c_str()), 2;
    std::vector<cv::Mat> frames;
    cv::VideoCapture cap(clip);
    for (cv::Mat f; cap.read(f);) frames.push_back(f.clone());
    if (frames.empty()) return std::fprintf(stderr, "cannot read %s\n", clip.c_str()), 2;
    std::printf("clip %s: %zu frames %dx%d, OpenCV %s, default threads %d\n", clip.c_str(), frames.size(), frames[0].cols,
                frames[0].rows, CV_VERSION, cv::getNumThreads());
    const int defaultThreads = cv::getNumThreads();
    const auto locator = ModelLocator::fromEnvironment();

    for (int threads : {1, defaultThreads}) {
        cv::setNumThreads(threads);
        const char* tn = threads == 1 ? "1 thread" : "default";
        auto d640 = FaceDetector::create(*m, DetectorOptions{.configuredModelDir = {}, .detector = "auto", .maxSide = 640});
        auto d320 = FaceDetector::create(*m, DetectorOptions{.configuredModelDir = {}, .detector = "auto", .maxSide = 320});
        if (!d640 || !d320) return std::fprintf(stderr, "%s\n", (d640 ? d320 : d640).error().message.c_str()), 2;
        report("detect 640x480", tn, timeEach(frames, rounds, [&](const cv::Mat& f) { (void)(*d640)->detect(f); }));
        report("detect 320x240 (incl. downscale)", tn,
               timeEach(frames, rounds, [&](const cv::Mat& f) { (void)(*d320)->detect(f); }));
        auto faces0 = (*d320)->detect(frames[0]);
        if (!faces0 || faces0->empty()) return std::fprintf(stderr, "no face in frame 0\n"), 2;
        for (const auto* e : m->ofKind(ModelKind::Recognizer)) {
            auto rec = FaceRecognizer::createFor(*e, locator);
            if (!rec) continue;
            std::vector<Face> faces;
            for (const auto& f : frames) faces.push_back((*d320)->detect(f)->front());
            size_t i = 0;
            report(("align+embed " + e->name).c_str(), tn, timeEach(frames, rounds, [&](const cv::Mat& f) {
                       (void)(*rec)->embed(f, faces[i++ % faces.size()]);
                   }));
            report(("detect320+align+embed " + e->name).c_str(), tn, timeEach(frames, rounds, [&](const cv::Mat& f) {
                       auto fs = (*d320)->detect(f);
                       if (fs && !fs->empty()) (void)(*rec)->embed(f, fs->front());
                   }));
        }
        // Capture to verdict: the clip at 15 fps through Camera; each new frame is detected (320) and gated.
        auto cam = devices::camera::Camera::open(
            devices::camera::CameraOptions{.source = "file:" + clip, .width = 640, .height = 480, .fps = 15, .loop = true});
        if (!cam) return std::fprintf(stderr, "%s\n", cam.error().message.c_str()), 2;
        (*cam)->start();
        std::vector<double> lat;
        std::uint64_t seq = 0;
        while (lat.size() < 45) {
            auto f = (*cam)->waitForFrame(seq, std::chrono::seconds(2));
            if (!f) break;
            seq = f->sequence;
            auto fs = (*d320)->detect(f->image);
            if (fs) (void)assessQuality(f->image, *fs);
            lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - f->captured).count());
        }
        (*cam)->stop();
        report("capture-to-verdict (clip 15 fps, detect 320)", tn, lat);
    }
    return 0;
}
