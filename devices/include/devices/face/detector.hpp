#pragma once
/// @file detector.hpp
/// @brief Face detection: YuNet through cv::FaceDetectorYN, Haar cascade fallback.

#include <array>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "devices/error.hpp"
#include "devices/face/models.hpp"

namespace devices::face {

/// @brief One detected face, in the coordinates of the image given to detect().
struct Face {
    cv::Rect2f box;                         ///< Face box (YuNet: forehead to chin).
    std::array<cv::Point2f, 5> landmarks{};  ///< Right eye, left eye (image left to right), nose tip, mouth corners.
    float score{0.0F};                      ///< Detector confidence 0..1 (Haar: 1).
    bool hasLandmarks{false};               ///< False for the Haar fallback (landmarks are estimated from the box).

    /// @brief The 1x15 float row cv::FaceRecognizerSF::alignCrop expects.
    [[nodiscard]] cv::Mat yunetRow() const;
    /// @brief Box area in pixels.
    [[nodiscard]] float area() const { return box.width * box.height; }
};

/// @brief Detector options.
struct DetectorOptions {
    std::string configuredModelDir;  ///< [face] model_dir; empty: $KIOSK_MODEL_DIR, then the data directory.
    std::string detector{"auto"};    ///< "auto" (YuNet for this OpenCV, else Haar), a manifest name, or "haar".
    int maxSide{640};                ///< Larger images are scaled down before detection (YuNet misplaces huge faces).
};

/// @brief Finds faces; results are sorted by area, largest first.
class FaceDetector {
public:
    virtual ~FaceDetector() = default;

    /// @brief Detects faces in a BGR (or gray) image.
    /// @retval InvalidInput empty image. @retval Internal the model failed on this input.
    [[nodiscard]] Result<std::vector<Face>> detect(const cv::Mat& image) { return detectAt(image, maxSide()); }
    /// @brief As detect(), with images larger than @p maxSide scaled down to it first (e.g. 320 for live frames).
    /// @retval InvalidInput empty image. @retval Internal the model failed on this input.
    [[nodiscard]] virtual Result<std::vector<Face>> detectAt(const cv::Mat& image, int maxSide) = 0;
    /// @brief The configured DetectorOptions::maxSide.
    [[nodiscard]] virtual int maxSide() const = 0;
    /// @brief Manifest name of the model in use ("yunet-2022mar", "haar-frontalface").
    [[nodiscard]] virtual const std::string& name() const = 0;
    /// @brief True for the Haar fallback (no landmarks, lower quality).
    [[nodiscard]] virtual bool isFallback() const = 0;

    /// @brief Why the fallback is used (empty for YuNet); meant for the log.
    std::string warning;

    /// @brief Creates the detector chosen by @p options: YuNet (verified against the manifest), or, when no
    /// YuNet file for this OpenCV is present and valid, the Haar cascade with a warning.
    /// @retval NotAvailable neither YuNet nor the cascade could be found. @retval Integrity a named file is corrupted
    /// (only when explicitly requested; "auto" falls back). @retval InvalidInput unknown detector name.
    [[nodiscard]] static Result<std::unique_ptr<FaceDetector>> create(const ModelManifest& manifest,
                                                                       const DetectorOptions& options = {});
};

/// @brief Pads a small document (chip) photo by @p fraction of its size on each side before detection
/// (tight crops make YuNet unsure).
[[nodiscard]] cv::Mat padForDetection(const cv::Mat& image, double fraction = 0.25);

}  // namespace devices::face
