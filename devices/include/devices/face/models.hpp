#pragma once
/// @file models.hpp
/// @brief The face model manifest (assets/models/manifest.toml), locating model files and checking them.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "devices/error.hpp"

namespace devices::face {

/// @brief What a model file is used for.
enum class ModelKind {
    Detector,    ///< YuNet ONNX for cv::FaceDetectorYN.
    Cascade,     ///< Haar cascade XML (fallback detector, no landmarks).
    Recognizer,  ///< Face embedding model.
};

/// @brief How a face is cut out before embedding.
enum class Alignment {
    ArcFace112,  ///< 5-point ArcFace template, 112x112 (cv::FaceRecognizerSF::alignCrop).
    Dlib150,     ///< dlib's get_face_chip_details(shape, 150, 0.25) chip, 150x150.
};

/// @brief How two embeddings are compared.
enum class Metric {
    Cosine,  ///< Cosine similarity: higher means more alike.
    L2,      ///< Euclidean distance of the raw vectors: lower means more alike.
};

/// @brief Which engine runs a recognizer.
enum class Runner {
    FaceRecognizerSF,  ///< cv::FaceRecognizerSF (SFace-compatible, 112x112 input).
    DnnNet,            ///< cv::dnn::Net with the model's own input size.
};

/// @brief One `[[model]]` entry of the manifest.
struct ModelEntry {
    std::string name;
    ModelKind kind{ModelKind::Detector};
    std::string file;            ///< File name, looked up in the model directories.
    std::uintmax_t size{0};      ///< Expected size in bytes.
    std::string sha256;          ///< Expected SHA-256, lowercase hex.
    /// @brief Other accepted builds of the same model (size, SHA-256), e.g. the project's own conversion of dlib's
    /// ResNet (packaging/face/build-dlib-model), which is numerically equivalent to the reference but not
    /// byte-identical. Manifest key `also_accept = [{ size = N, sha256 = "..." }]`.
    std::vector<std::pair<std::uintmax_t, std::string>> alsoAccept;
    std::string licence;
    std::string licenceFile;
    std::string source;          ///< Where the file comes from.
    std::string url;             ///< Official download location (may be empty).
    std::vector<std::filesystem::path> systemDirs;  ///< Extra places (e.g. Debian's opencv-data).
    // Detector
    std::string opencvMin;       ///< Lowest OpenCV version the detector works with ("4.5.4").
    std::string opencvBelow;     ///< First OpenCV version it no longer works with ("4.8.0").
    float scoreThreshold{0.9F};
    float nmsThreshold{0.3F};
    // Recognizer
    int priority{100};           ///< Lower is preferred by "auto".
    Runner runner{Runner::FaceRecognizerSF};
    Alignment alignment{Alignment::ArcFace112};
    int inputSize{112};
    Metric metric{Metric::Cosine};
    double acceptThreshold{0.0};  ///< `match` when the score is beyond it.
    double rejectThreshold{0.0};  ///< `no-match` when the score is beyond it (the other way).
    bool calibrated{false};       ///< Thresholds were measured on the test set (false: taken from elsewhere).
};

/// @brief The parsed manifest.
struct ModelManifest {
    std::vector<ModelEntry> models;

    /// @brief Parses manifest TOML; @p sourceName appears in messages.
    /// @retval Malformed syntax errors, missing keys, unknown kinds/metrics/alignments, bad thresholds.
    [[nodiscard]] static Result<ModelManifest> parse(std::string_view text, std::string_view sourceName);
    /// @brief Reads and parses a file.
    /// @retval NotAvailable the file does not exist or cannot be read. @retval Malformed as parse().
    [[nodiscard]] static Result<ModelManifest> load(const std::filesystem::path& file);
    /// @brief Loads the manifest from its usual places: $KIOSK_MODEL_MANIFEST, $KIOSK_ASSETS_DIR/models,
    /// the installed data directory, then the source tree's assets/models.
    /// @retval NotAvailable when none exists (the message lists where it looked).
    [[nodiscard]] static Result<ModelManifest> loadDefault();

    /// @brief The entry called @p name, or nullptr.
    [[nodiscard]] const ModelEntry* find(std::string_view name) const;
    /// @brief Entries of one kind, recognizers sorted by priority.
    [[nodiscard]] std::vector<const ModelEntry*> ofKind(ModelKind kind) const;
};

/// @brief Where model files are searched, in order.
struct ModelLocator {
    std::vector<std::filesystem::path> dirs;

    /// @brief @p configuredDir (when not empty), then $KIOSK_MODEL_DIR, then the installed data directory
    /// (installedModelDir()), then the build tree's model directory (buildModelDir(), when this binary was built
    /// with one: models the build obtained itself, such as the converted dlib ResNet).
    [[nodiscard]] static ModelLocator fromEnvironment(const std::string& configuredDir = {});
    /// @brief First existing file for @p entry (model dirs, then its system dirs), or nullopt.
    [[nodiscard]] std::optional<std::filesystem::path> locate(const ModelEntry& entry) const;
    /// @brief All places searched for @p entry, for messages.
    [[nodiscard]] std::string describe(const ModelEntry& entry) const;
};

/// @brief `<prefix>/share/badge-kiosk/models`, where `cmake --install` puts the manifest and models.
[[nodiscard]] std::filesystem::path installedModelDir();
/// @brief The build tree's model directory (`<build>/models`), or an empty path for builds without one.
[[nodiscard]] std::filesystem::path buildModelDir();

/// @brief SHA-256 of a file as lowercase hex.
/// @retval NotAvailable the file cannot be read.
[[nodiscard]] Result<std::string> sha256File(const std::filesystem::path& file);

/// @brief Locates @p entry and checks its size and SHA-256.
/// @retval NotAvailable the file is in none of the directories (the message says where it looked and where
///         to get it). @retval Integrity wrong size or SHA-256 (the message names the file, both hashes and what to do).
[[nodiscard]] Result<std::filesystem::path> verifyModel(const ModelEntry& entry, const ModelLocator& locator);

/// @brief Whether this build's OpenCV is within the detector entry's version range.
[[nodiscard]] bool detectorSupportsThisOpenCv(const ModelEntry& entry);

/// @brief Stable names for JSON ("detector", "arcface-112", "cosine", ...).
[[nodiscard]] std::string_view modelKindName(ModelKind kind) noexcept;
[[nodiscard]] std::string_view alignmentName(Alignment a) noexcept;
[[nodiscard]] std::string_view metricName(Metric m) noexcept;

}  // namespace devices::face
