// kioskctl: face detect|match, camera snap, models check.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <opencv2/imgcodecs.hpp>

#include "context.hpp"
#include "devices/camera/camera.hpp"
#include "devices/face/detector.hpp"
#include "devices/face/live_capture.hpp"
#include "devices/face/models.hpp"
#include "devices/face/quality.hpp"
#include "devices/face/recognizer.hpp"

namespace kiosk::ctl {

using nlohmann::json;
namespace face = devices::face;
namespace camera = devices::camera;

namespace {

devices::Result<cv::Mat> readImage(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return devices::fail(devices::ErrorCode::InvalidInput, "image " + path + " does not exist; check the path");
    cv::Mat img;
    try {
        img = cv::imread(path, cv::IMREAD_COLOR);
    } catch (const cv::Exception&) {
        img.release();
    }
    if (img.empty())
        return devices::fail(devices::ErrorCode::InvalidInput,
                             "cannot decode " + path + "; give a JPEG, PNG or JPEG 2000 image");
    return img;
}

struct Pipeline {
    face::ModelManifest manifest;
    std::unique_ptr<face::FaceDetector> detector;
};

devices::Result<Pipeline> openPipeline(const std::string& modelDir, const std::string& detectorName) {
    auto m = face::ModelManifest::loadDefault();
    if (!m) return std::unexpected(m.error());
    auto d = face::FaceDetector::create(*m, face::DetectorOptions{.configuredModelDir = modelDir, .detector = detectorName});
    if (!d) return std::unexpected(d.error());
    if (!(*d)->warning.empty()) std::cerr << "kioskctl: warning: " << (*d)->warning << "\n";
    return Pipeline{std::move(*m), std::move(*d)};
}

json faceJson(const face::Face& f) {
    json lm = json::array();
    if (f.hasLandmarks)
        for (const auto& p : f.landmarks) lm.push_back({std::lround(p.x * 10) / 10.0, std::lround(p.y * 10) / 10.0});
    return {{"box", {{"x", std::lround(f.box.x)}, {"y", std::lround(f.box.y)}, {"w", std::lround(f.box.width)},
                     {"h", std::lround(f.box.height)}}},
            {"landmarks", lm},
            {"score", std::lround(f.score * 1000) / 1000.0}};
}

json verdictJson(const face::QualityVerdict& v) {
    auto r3 = [](double x) { return std::lround(x * 1000) / 1000.0; };
    return {{"pass", v.pass},
            {"instruction", v.instruction.empty() ? json(nullptr) : json(v.instruction)},
            {"failures", v.failures},
            {"note", v.note.empty() ? json(nullptr) : json(v.note)},
            {"face_height", r3(v.faceHeight)},
            {"offset_x", r3(v.offsetX)},
            {"centre_y", r3(v.centreY)},
            {"roll_deg", r3(v.rollDeg)},
            {"yaw", r3(v.yaw)},
            {"sharpness", r3(v.sharpness)},
            {"brightness", r3(v.brightness)},
            {"clipped", r3(v.clipped)}};
}

}  // namespace

void addFaceCommands(CLI::App& app, Action& action) {
    // ---- face ----
    auto* faceCmd = app.add_subcommand("face", "face detection and 1:1 verification on image files");
    faceCmd->require_subcommand(1);
    static std::string modelDir, detectorName = "auto", model = "auto";
    static std::string imageA, imageB;

    auto* detect = faceCmd->add_subcommand("detect", "detect faces in an image and run the portrait quality gate");
    detect->add_option("IMAGE", imageA, "image file")->required();
    detect->add_option("--model-dir", modelDir, "model directory (default: $KIOSK_MODEL_DIR, then the data directory)");
    detect->add_option("--detector", detectorName, "auto, haar or a detector name from the model manifest");
    detect->callback([&action] {
        action = [](Context& ctx) -> int {
            auto img = readImage(imageA);
            if (!img) return ctx.failWith(img.error(), true);
            auto p = openPipeline(modelDir, detectorName);
            if (!p) return ctx.failWith(p.error(), false);
            auto faces = p->detector->detect(*img);
            if (!faces) return ctx.failWith(faces.error());
            const auto v = face::assessQuality(*img, *faces);
            json jf = json::array();
            for (const auto& f : *faces) jf.push_back(faceJson(f));
            json out{{"ok", true},
                     {"image", imageA},
                     {"width", img->cols},
                     {"height", img->rows},
                     {"detector", p->detector->name()},
                     {"fallback", p->detector->isFallback()},
                     {"faces", jf},
                     {"quality", verdictJson(v)}};
            std::string text = fmt::format("{}: {} face(s) ({})\n", imageA, faces->size(), p->detector->name());
            for (const auto& f : *faces)
                text += fmt::format("  box {:.0f},{:.0f} {:.0f}x{:.0f} score {:.3f}\n", f.box.x, f.box.y, f.box.width,
                                    f.box.height, f.score);
            text += v.pass ? "quality: pass" : "quality: " + v.instruction;
            return ctx.ok(out, text);
        };
    });

    auto* match = faceCmd->add_subcommand("match", "compare a live photo with a document (chip) photo");
    match->add_option("IMAGE_A", imageA, "live photo")->required();
    match->add_option("IMAGE_B", imageB, "document photo (padded before detection)")->required();
    match->add_option("--model", model, "auto (best present) or a recognizer name: sface, mobilefacenet, dlib");
    match->add_option("--model-dir", modelDir, "model directory (default: $KIOSK_MODEL_DIR, then the data directory)");
    match->callback([&action] {
        action = [](Context& ctx) -> int {
            auto a = readImage(imageA);
            if (!a) return ctx.failWith(a.error(), true);
            auto b = readImage(imageB);
            if (!b) return ctx.failWith(b.error(), true);
            auto p = openPipeline(modelDir, "auto");
            if (!p) return ctx.failWith(p.error(), false);
            auto rec = face::FaceRecognizer::create(p->manifest, face::RecognizerOptions{.configuredModelDir = modelDir,
                                                                                          .model = model});
            if (!rec) return ctx.failWith(rec.error());
            auto v = face::verifyFaces(*p->detector, **rec, *a, *b);
            if (!v) return ctx.failWith(v.error());
            json out{{"ok", true},
                     {"model", v->model},
                     {"metric", face::metricName(v->metric)},
                     {"score", std::lround(v->score * 10000) / 10000.0},
                     {"accept_threshold", v->acceptThreshold},
                     {"reject_threshold", v->rejectThreshold},
                     {"decision", face::decisionName(v->decision)},
                     {"same", v->decision == face::Decision::Match}};
            return ctx.ok(out, fmt::format("{} ({} {:.4f}; accept {}, reject {})", face::decisionName(v->decision),
                                           face::metricName(v->metric), v->score, v->acceptThreshold,
                                           v->rejectThreshold));
        };
    });

    // ---- camera ----
    auto* camCmd = app.add_subcommand("camera", "camera capture");
    camCmd->require_subcommand(1);
    static std::string source, out;
    static double timeout = 10.0;
    static int width = 640, height = 480;
    static double fps = 15.0;
    static std::string reference;
    auto* snap = camCmd->add_subcommand(
        "snap", "wait for a frame that passes the quality gate, write the portrait and optionally match it");
    snap->add_option("--source", source, "v4l2:N, v4l2:/dev/videoN or file:PATH (video, image or folder)")->required();
    snap->add_option("--out", out, "portrait JPEG to write (358x441)")->required();
    snap->add_option("--timeout", timeout, "give up after this many seconds (default 10)")->check(CLI::Range(0.1, 600.0));
    snap->add_option("--width", width, "frame width (default 640)");
    snap->add_option("--height", height, "frame height (default 480)");
    snap->add_option("--fps", fps, "frame rate (default 15)");
    snap->add_option("--match", reference, "document (chip) photo to compare the portrait's face with");
    snap->add_option("--model", model, "auto (best present) or a recognizer name: sface, mobilefacenet, dlib");
    snap->add_option("--model-dir", modelDir, "model directory (default: $KIOSK_MODEL_DIR, then the data directory)");
    snap->callback([&action] {
        action = [](Context& ctx) -> int {
            cv::Mat refImage;
            if (!reference.empty()) {
                auto img = readImage(reference);
                if (!img) return ctx.failWith(img.error(), true);
                refImage = std::move(*img);
            }
            auto m = face::ModelManifest::loadDefault();
            if (!m) return ctx.failWith(m.error(), false);
            const auto ms = std::chrono::milliseconds(static_cast<long long>(timeout * 1000));
            face::DetectorOptions detOptions;
            detOptions.configuredModelDir = modelDir;
            face::LiveCaptureOptions liveOptions;
            liveOptions.window = std::chrono::milliseconds(600);
            liveOptions.timeout = ms;
            liveOptions.previewMaxWidth = 320;
            auto live = face::LiveCapture::create(
                *m, detOptions, face::RecognizerOptions{.configuredModelDir = modelDir, .model = model}, liveOptions);
            if (!live) return ctx.failWith(live.error(), false);
            if (!(*live)->detectorWarning().empty()) std::cerr << "kioskctl: warning: " << (*live)->detectorWarning() << "\n";
            auto cam = camera::Camera::open(camera::CameraOptions{.source = source, .width = width, .height = height,
                                                                  .fps = fps, .loop = true});
            if (!cam) {
                const auto c = cam.error().code;
                return ctx.failWith(cam.error(), c == devices::ErrorCode::InvalidInput);
            }
            (*live)->attach(**cam);
            (*live)->begin(refImage);
            (*cam)->start();
            // The worker posts a result when it captures or at the timeout; a camera that sends nothing posts
            // nothing, hence the margin here.
            auto got = (*live)->waitResult(ms + std::chrono::seconds(2));
            const auto camError = (*cam)->lastError();
            (*cam)->stop();
            (*live)->detach();
            if (!got || got->error) {
                const int frames = got ? got->framesAssessed : 0;
                const std::string lastInstruction = got ? got->lastInstruction : "no-frame";
                const bool timedOut = !got || got->error->code == devices::ErrorCode::Timeout;
                std::string why = frames == 0 ? "no frame arrived from " + (*cam)->describe() +
                                                    (camError ? " (" + camError->message + ")" : "")
                                  : timedOut ? "no frame passed the quality gate; last instruction: " + lastInstruction
                                             : got->error->message;
                std::cerr << "kioskctl: gave up after " << timeout << " s: " << why << "\n";
                if (ctx.json)
                    std::cout << json{{"ok", false},
                                      {"frames", frames},
                                      {"last_instruction", lastInstruction.empty() ? json(nullptr) : json(lastInstruction)},
                                      {"error", {{"code", "timeout"}, {"message", "gave up: " + why}}}}
                                     .dump(2)
                              << "\n";
                return frames == 0 ? kExitSystem : kExitUser;
            }
            std::ofstream o(out, std::ios::binary | std::ios::trunc);
            o.write(reinterpret_cast<const char*>(got->portraitJpeg.data()),
                    static_cast<std::streamsize>(got->portraitJpeg.size()));
            if (!o.flush())
                return ctx.failWith(devices::Error{devices::ErrorCode::NotAvailable,
                                                      "cannot write " + out + "; check the directory and permissions"});
            json res{{"ok", true},
                     {"out", out},
                     {"width", got->portrait.cols},
                     {"height", got->portrait.rows},
                     {"bytes", got->portraitJpeg.size()},
                     {"frames", got->framesAssessed},
                     {"face", faceJson(got->face)},
                     {"quality", verdictJson(got->verdict)}};
            std::string text = fmt::format("portrait written to {} ({} frames looked at)", out, got->framesAssessed);
            if (got->match) {
                const auto& v = *got->match;
                res["match"] = {{"model", v.model},
                                {"metric", face::metricName(v.metric)},
                                {"score", std::lround(v.score * 10000) / 10000.0},
                                {"accept_threshold", v.acceptThreshold},
                                {"reject_threshold", v.rejectThreshold},
                                {"decision", face::decisionName(v.decision)},
                                {"same", v.decision == face::Decision::Match}};
                text += fmt::format("\nmatch: {} ({} {:.4f}; accept {}, reject {})", face::decisionName(v.decision),
                                    face::metricName(v.metric), v.score, v.acceptThreshold, v.rejectThreshold);
            } else if (got->matchError) {
                res["match"] = nullptr;
                res["match_error"] = {{"code", devices::errorCodeName(got->matchError->code)},
                                      {"message", got->matchError->message}};
                text += "\nmatch: not possible (" + got->matchError->message + ")";
            }
            return ctx.ok(res, text);
        };
    });

    // ---- models ----
    auto* modelsCmd = app.add_subcommand("models", "face model files");
    modelsCmd->require_subcommand(1);
    auto* check = modelsCmd->add_subcommand("check", "check every model of the manifest: present, valid, in use");
    check->add_option("--model-dir", modelDir, "model directory (default: $KIOSK_MODEL_DIR, then the data directory)");
    check->callback([&action] {
        action = [](Context& ctx) -> int {
            auto m = face::ModelManifest::loadDefault();
            if (!m) return ctx.failWith(m.error(), false);
            const auto locator = face::ModelLocator::fromEnvironment(modelDir);
            json models = json::array();
            std::string text;
            for (const auto& e : m->models) {
                const auto path = locator.locate(e);
                auto v = face::verifyModel(e, locator);
                json j{{"name", e.name},
                       {"kind", face::modelKindName(e.kind)},
                       {"file", e.file},
                       {"path", path ? json(path->string()) : json(nullptr)},
                       {"present", path.has_value()},
                       {"valid", v.has_value()},
                       {"licence", e.licence}};
                if (e.kind == face::ModelKind::Detector) j["suits_this_opencv"] = face::detectorSupportsThisOpenCv(e);
                if (e.kind == face::ModelKind::Recognizer) {
                    j["metric"] = face::metricName(e.metric);
                    j["alignment"] = face::alignmentName(e.alignment);
                    j["accept_threshold"] = e.acceptThreshold;
                    j["reject_threshold"] = e.rejectThreshold;
                    j["calibrated"] = e.calibrated;
                }
                if (!v) j["error"] = v.error().message;
                text += fmt::format("{:<18} {:<10} {}\n", e.name, !path ? "missing" : (v ? "ok" : "INVALID"),
                                    v ? path->string() : v.error().message);
                models.push_back(std::move(j));
            }
            auto d = face::FaceDetector::create(*m, face::DetectorOptions{.configuredModelDir = modelDir});
            auto r = face::FaceRecognizer::create(*m, face::RecognizerOptions{.configuredModelDir = modelDir});
            json out{{"ok", d.has_value() && r.has_value()},
                     {"models", models},
                     {"detector", d ? json((*d)->name()) : json(nullptr)},
                     {"detector_fallback", d ? json((*d)->isFallback()) : json(nullptr)},
                     {"recognizer", r ? json((*r)->entry().name) : json(nullptr)}};
            if (d && !(*d)->warning.empty()) out["warning"] = (*d)->warning;
            text += fmt::format("detector: {}\nrecognizer: {}", d ? (*d)->name() : "NONE (" + d.error().message + ")",
                                r ? (*r)->entry().name : "NONE (" + r.error().message + ")");
            if (ctx.json) std::cout << out.dump(2) << "\n";
            else std::cout << text << "\n";
            return d && r ? kExitOk : kExitSystem;
        };
    });
}

}  // namespace kiosk::ctl
