#pragma once
/// @file quality.hpp
/// @brief Portrait quality gate (one face, size, centring, pose, sharpness, exposure), auto-capture of the best
/// frame of a short window, and the ID-photo portrait crop.

#include <chrono>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "devices/error.hpp"
#include "devices/face/detector.hpp"

namespace devices::face {

/// @brief Limits of the quality gate. Sizes and offsets are fractions of the frame.
struct QualityOptions {
    double minFaceHeight{0.22};    ///< Face box height / frame height below this: "move-closer".
    double maxFaceHeight{0.80};    ///< Above this: "move-back".
    double maxCentreOffsetX{0.18}; ///< |face centre x - 0.5| above this: "center-face".
    double minCentreY{0.12};       ///< Face centre y range (a portrait has the face above the middle).
    double maxCentreY{0.70};
    /// @brief Head tilt from the eye line (degrees): "look-at-camera". Roll does not hurt the portrait (portraitCrop()
    /// levels the eyes) nor the match (alignment removes it) until YuNet's landmarks degrade: on the test faces
    /// rotated in steps, genuine MobileFaceNet scores stay >= 0.61 (accept 0.30) up to a measured roll of 30 degrees
    /// and collapse beyond 35. 28 keeps a margin and lets the demo clip (19-25 degrees) through. ICAO's +-8 degrees
    /// concern the printed photo, which is levelled.
    double maxRollDeg{28.0};
    double maxYaw{0.22};           ///< |nose offset from the eye midpoint| / eye distance: "look-at-camera".
    double minSharpness{60.0};     ///< Variance of the Laplacian on the face scaled to 128 px wide: "hold-still".
    double minBrightness{70.0};    ///< Mean gray of the face: "more-light".
    double maxBrightness{210.0};   ///< Above this: "less-light".
    double maxClipped{0.20};       ///< Share of face pixels at >= 250: "less-light".
    double dominantRatio{2.5};     ///< The largest face counts as dominant when its area is this many times the next.
};

/// @brief Outcome of the gate for one frame.
struct QualityVerdict {
    bool pass{false};
    /// @brief Instruction key for the first failure, shown and spoken by the UI: "no-face", "only-one-person",
    /// "move-closer", "move-back", "center-face", "look-at-camera", "more-light", "less-light", "hold-still".
    /// Empty when the frame passes.
    std::string instruction;
    std::vector<std::string> failures;  ///< Every failed check's key, in order of importance.
    std::string note;                   ///< E.g. "others-in-view" when a dominant face passed with bystanders.
    int faceIndex{-1};                  ///< The face assessed (index in the detector's list), -1 for none.
    int faceCount{0};
    double faceHeight{0}, offsetX{0}, centreY{0}, rollDeg{0}, yaw{0}, sharpness{0}, brightness{0}, clipped{0};
};

/// @brief Runs the gate on a frame and its detected faces (largest first, as FaceDetector returns them).
/// Pose is only checked when the detector gives landmarks.
[[nodiscard]] QualityVerdict assessQuality(const cv::Mat& frame, const std::vector<Face>& faces,
                                           const QualityOptions& options = {});

/// @brief Variance of the Laplacian of the face region, scaled to a 128 px wide crop (higher is sharper).
[[nodiscard]] double faceSharpness(const cv::Mat& frame, const cv::Rect2f& box);

/// @brief A frame chosen by AutoCapture.
struct CapturedFrame {
    cv::Mat frame;
    Face face;
    QualityVerdict verdict;
};

/// @brief Picks the sharpest passing frame of a short window that starts at the first passing frame.
class AutoCapture {
public:
    using Clock = std::chrono::steady_clock;
    /// @param window how long to keep collecting after the first passing frame.
    explicit AutoCapture(std::chrono::milliseconds window = std::chrono::milliseconds(800)) : m_window(window) {}
    /// @brief Offers a frame; returns the best frame once the window is over (then starts afresh).
    std::optional<CapturedFrame> offer(const cv::Mat& frame, const std::vector<Face>& faces, const QualityVerdict& verdict,
                                       Clock::time_point now = Clock::now());
    /// @brief Forgets the current window.
    void reset() { m_best.reset(); }
    /// @brief Elapsed share (0..1) of the window opened by the first passing frame; 0 when no window is open.
    [[nodiscard]] double progress(Clock::time_point now = Clock::now()) const;

private:
    std::chrono::milliseconds m_window;
    Clock::time_point m_start{};
    std::optional<CapturedFrame> m_best;
};

/// @brief Width and height of the ID-style portrait.
inline constexpr int kPortraitWidth = 358;
inline constexpr int kPortraitHeight = 441;

/// @brief Crops a 358x441 ID-photo portrait (head about two thirds of the height, centred). With landmarks the
/// crop is rotated so that the eye line is level (a tilted head gives an upright portrait); areas outside the
/// frame are filled by replicating the border.
/// @retval InvalidInput empty frame or empty face box.
[[nodiscard]] Result<cv::Mat> portraitCrop(const cv::Mat& frame, const Face& face);

/// @brief JPEG-encodes an image.
/// @retval Internal the encoder failed.
[[nodiscard]] Result<std::vector<unsigned char>> encodeJpeg(const cv::Mat& image, int quality = 92);

}  // namespace devices::face
