#pragma once
/// @file recognizer.hpp
/// @brief Face embeddings and the three-way 1:1 decision (match / refer / no-match).

#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <string_view>

#include "devices/error.hpp"
#include "devices/face/detector.hpp"
#include "devices/face/models.hpp"

namespace devices::face {

/// @brief Outcome of a 1:1 comparison. Never two-valued: between the thresholds a person decides.
enum class Decision {
    Match,    ///< Beyond the accept threshold: same person.
    Refer,    ///< Between the thresholds: a member of staff compares the two photos.
    NoMatch,  ///< Beyond the reject threshold: different people.
};

/// @brief "match", "refer" or "no-match".
[[nodiscard]] std::string_view decisionName(Decision d) noexcept;

/// @brief Recognizer options.
struct RecognizerOptions {
    std::string configuredModelDir;  ///< [face] model_dir; empty: $KIOSK_MODEL_DIR, then the data directory.
    std::string model{"auto"};       ///< "auto" (best present: lowest priority) or a manifest name.
};

/// @brief An embedding model as described by its manifest entry.
class FaceRecognizer {
public:
    virtual ~FaceRecognizer() = default;

    /// @brief The manifest entry (name, metric, thresholds, alignment).
    [[nodiscard]] virtual const ModelEntry& entry() const = 0;
    /// @brief The aligned crop the model sees (112x112 or 150x150 BGR).
    /// @retval InvalidInput empty image or a face without usable landmarks.
    [[nodiscard]] virtual Result<cv::Mat> align(const cv::Mat& image, const Face& face) const = 0;
    /// @brief Embedding of an aligned crop (1xN float).
    /// @retval Internal the model failed.
    [[nodiscard]] virtual Result<cv::Mat> embedAligned(const cv::Mat& aligned) = 0;
    /// @brief align() then embedAligned().
    [[nodiscard]] Result<cv::Mat> embed(const cv::Mat& image, const Face& face);
    /// @brief The score in the entry's metric (cosine similarity or L2 distance).
    [[nodiscard]] double score(const cv::Mat& a, const cv::Mat& b) const;
    /// @brief The decision for a score with the entry's thresholds.
    [[nodiscard]] Decision decide(double score) const;

    /// @brief Creates the configured recognizer, or the best one present ("auto").
    /// @retval NotAvailable no recognition model is present (lists what was tried). @retval Integrity the
    /// named model is corrupted. @retval InvalidInput unknown model name. @retval Malformed OpenCV cannot load it.
    [[nodiscard]] static Result<std::unique_ptr<FaceRecognizer>> create(const ModelManifest& manifest,
                                                                         const RecognizerOptions& options = {});
    /// @brief Creates the recognizer for one entry (file verified first).
    [[nodiscard]] static Result<std::unique_ptr<FaceRecognizer>> createFor(const ModelEntry& entry,
                                                                            const ModelLocator& locator);
};

/// @brief Decision for @p score given a metric and thresholds (exposed for tests and tools).
[[nodiscard]] Decision decideScore(Metric metric, double accept, double reject, double score) noexcept;

/// @brief Result of comparing a live photo with a document photo.
struct Verification {
    std::string model;
    Metric metric{Metric::Cosine};
    double score{0.0};
    double acceptThreshold{0.0};
    double rejectThreshold{0.0};
    Decision decision{Decision::Refer};
};

/// @brief Detects the dominant face in each image (the document photo padded first) and compares them.
/// @retval InvalidInput no face in one of the images (the message says which).
[[nodiscard]] Result<Verification> verifyFaces(FaceDetector& detector, FaceRecognizer& recognizer, const cv::Mat& live,
                                               const cv::Mat& document);

}  // namespace devices::face
