#pragma once
/// @file live_capture.hpp
/// @brief The live photo step as a non-blocking pipeline for the kiosk UI: frames come from the camera thread,
/// detection, the quality gate, auto-capture, the portrait crop and the 1:1 match run on a worker thread owned by
/// LiveCapture, and the UI thread only polls small results.
///
/// Typical use (UI thread):
/// @code
///   auto live = LiveCapture::create(manifest, {}, {}, {});     // loads the models (tens of ms: do it at start-up)
///   (*live)->attach(camera);                                   // listener on the camera thread (copies nothing)
///   (*live)->begin(chipPhotoBgr);                              // start a capture against the chip photo
///   // every UI frame:
///   LivePreview p = (*live)->preview();                        // newest assessed frame (RGBA), box, key, progress
///   if (p.generation != shown) { upload p.image; shown = p.generation; }
///   if (auto r = (*live)->takeResult()) { ... r->portraitJpeg, r->match->decision ... }
/// @endcode
/// Nothing in this class blocks the caller for longer than a mutex hand-over; submit() never waits for the worker
/// (when the worker is busy only the newest frame is kept).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "devices/camera/camera.hpp"
#include "devices/error.hpp"
#include "devices/face/detector.hpp"
#include "devices/face/models.hpp"
#include "devices/face/quality.hpp"
#include "devices/face/recognizer.hpp"

namespace devices::face {

struct LiveResult;

/// @brief Options of the live photo step.
struct LiveCaptureOptions {
    QualityOptions quality{};                                ///< Limits of the portrait quality gate.
    std::chrono::milliseconds window{600};                   ///< Auto-capture keeps the sharpest frame of this window.
    /// @brief Give up this long after begin() (0: never). Checked when a frame arrives: a camera that sends
    /// nothing posts nothing (watch camera::Camera::state() for that).
    std::chrono::milliseconds timeout{std::chrono::seconds(0)};
    /// @brief Live frames are assessed with detection at this size (fast); the captured frame is detected again at
    /// the detector's own size (DetectorOptions::maxSide) for the portrait and the match (precise landmarks).
    int liveMaxSide{320};
    int previewMaxWidth{640};                                ///< The preview is scaled down to at most this width.
    bool previewRgba{true};                                  ///< RGBA preview (for a GL texture); false: BGR.
    int jpegQuality{92};                                     ///< JPEG quality of the portrait.
    /// @brief Called on the worker thread with the final result (also available through takeResult()). Keep it
    /// short and do not call LiveCapture's begin()/cancel()/destructor from it.
    std::function<void(const LiveResult&)> onResult{};
};

/// @brief What the live step is doing.
enum class LiveState {
    Idle,      ///< No capture asked for (before begin(), after cancel()); frames are still previewed.
    Running,   ///< Looking for a frame that passes the gate.
    Finished,  ///< A result was posted (captured, or gave up after the timeout); begin() starts again.
};

/// @brief "idle", "running", "finished".
[[nodiscard]] std::string_view liveStateName(LiveState s) noexcept;

/// @brief The newest frame the worker assessed, for the preview. Cheap to copy (the image shares its pixels and is
/// never written again).
struct LivePreview {
    cv::Mat image;                     ///< Preview image (RGBA or BGR per the options); empty before the first frame.
    double scale{1.0};                 ///< Preview size / camera frame size.
    std::uint64_t frameSequence{0};    ///< The camera frame's sequence number.
    std::uint64_t generation{0};       ///< Increases with every new preview (re-upload the texture when it changes).
    std::optional<cv::Rect2f> faceBox; ///< The assessed face, in preview coordinates.
    /// @brief Quality instruction key for the UI ("no-face", "only-one-person", "move-closer", "move-back",
    /// "center-face", "look-at-camera", "more-light", "less-light", "hold-still"); empty when the frame passes.
    std::string instruction;
    QualityVerdict verdict;            ///< The full verdict of that frame.
    double progress{0.0};              ///< 0..1 toward auto-capture (the capture window's elapsed share).
    LiveState state{LiveState::Idle};
};

/// @brief The final result of one capture (begin() to result).
struct LiveResult {
    /// @brief Why no portrait was taken (Timeout with the last instruction in the message); nullopt when captured.
    std::optional<Error> error;
    std::string lastInstruction;             ///< The last instruction shown before the result.
    cv::Mat portrait;                        ///< BGR 358x441 ID-style portrait (levelled), empty on error.
    std::vector<unsigned char> portraitJpeg; ///< The same, JPEG-encoded (certificates, badges).
    QualityVerdict verdict;                  ///< The captured frame's verdict.
    Face face;                               ///< The face in the captured frame (camera frame coordinates).
    std::uint64_t frameSequence{0};          ///< The captured camera frame.
    int framesAssessed{0};                   ///< Frames looked at since begin().
    /// @brief Match against the reference given to begin(): model, metric, score, thresholds, decision
    /// (match / refer / no-match). nullopt when no reference was given or it could not be compared (matchError).
    std::optional<Verification> match;
    std::optional<Error> matchError;         ///< Why there is no match verdict (e.g. no face in the chip photo).
};

/// @brief The live photo pipeline: camera frames in, preview and a final portrait + match decision out.
class LiveCapture {
public:
    /// @brief Takes the models; @p recognizer may be null (no match, portrait only). Starts the worker thread.
    LiveCapture(std::unique_ptr<FaceDetector> detector, std::unique_ptr<FaceRecognizer> recognizer,
                LiveCaptureOptions options = {});
    /// @brief Detaches from the camera, stops and joins the worker.
    ~LiveCapture();
    LiveCapture(const LiveCapture&) = delete;
    LiveCapture& operator=(const LiveCapture&) = delete;

    /// @brief Creates the detector and recognizer from the manifest (see FaceDetector::create and
    /// FaceRecognizer::create) and the pipeline. A missing recognizer is not an error: matches then report
    /// matchError. Blocks while the model files are hashed and loaded.
    /// @retval NotAvailable no detector at all. @retval Integrity / Malformed / InvalidInput as FaceDetector::create.
    [[nodiscard]] static Result<std::unique_ptr<LiveCapture>> create(const ModelManifest& manifest,
                                                                     const DetectorOptions& detector = {},
                                                                     const RecognizerOptions& recognizer = {},
                                                                     LiveCaptureOptions options = {});

    /// @brief Listens to @p camera (its capture thread calls submit()); replaces an earlier camera. The camera must
    /// outlive this object or be detached first.
    void attach(camera::Camera& camera);
    /// @brief Stops listening to the camera (no-op when not attached).
    void detach();
    /// @brief Offers a frame (any thread, typically the camera's). Never blocks on the worker: a frame that
    /// arrives while the worker is busy replaces the previous waiting one.
    void submit(const camera::Frame& frame);

    /// @brief Starts a capture. @p reference is the document (chip) photo, decoded BGR; empty: portrait only.
    /// Clears an earlier result. Only frames captured from now on (camera::Frame::captured) can become the portrait.
    void begin(const cv::Mat& reference = {});
    /// @brief Abandons the current capture (no result is posted); the preview goes on.
    void cancel();

    /// @brief The newest preview (see LivePreview).
    [[nodiscard]] LivePreview preview() const;
    /// @brief The final result once, then nullopt until the next begin() finishes.
    [[nodiscard]] std::optional<LiveResult> takeResult();
    /// @brief Waits up to @p timeout for the final result (tests and tools; never call it on the UI thread).
    [[nodiscard]] std::optional<LiveResult> waitResult(std::chrono::milliseconds timeout);
    [[nodiscard]] LiveState state() const;
    /// @brief The detector's warning (Haar fallback), empty with YuNet.
    [[nodiscard]] const std::string& detectorWarning() const { return m_detector->warning; }
    /// @brief The recognizer in use, or nullptr.
    [[nodiscard]] const ModelEntry* recognizer() const { return m_recognizer ? &m_recognizer->entry() : nullptr; }

private:
    struct Inbox;
    void run();
    void process(const camera::Frame& frame);
    LiveResult finish(const CapturedFrame& shot, std::uint64_t sequence);

    std::unique_ptr<FaceDetector> m_detector;
    std::unique_ptr<FaceRecognizer> m_recognizer;
    std::optional<Error> m_recognizerError;  ///< Why there is no recognizer (reported as matchError).
    LiveCaptureOptions m_options;
    std::shared_ptr<Inbox> m_inbox;  ///< Shared with the camera listener, so a late callback never dangles.

    camera::Camera* m_camera{nullptr};
    int m_listener{0};

    mutable std::mutex m_mutex;  // guards everything below
    std::condition_variable m_resultCv;
    LivePreview m_preview;
    LiveState m_state{LiveState::Idle};
    std::uint64_t m_session{0};     ///< Increases with begin()/cancel(); the worker drops stale work.
    std::chrono::steady_clock::time_point m_beganAt{};  ///< Frames captured before begin() are never the portrait.
    cv::Mat m_reference;
    std::optional<LiveResult> m_result;

    // Worker-only state.
    AutoCapture m_auto;
    std::uint64_t m_workerSession{0};
    int m_frames{0};
    std::string m_lastInstruction;
    std::thread m_thread;
};

}  // namespace devices::face
