#pragma once
/// @file config.hpp
/// @brief The kiosk's TOML configuration: defaults, parsing and validation.
///
/// Every key has a default; a file only needs the keys it changes. Unknown keys, wrong types and values
/// outside their allowed set are errors that name the key, the line and what is allowed.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "training/error.hpp"

namespace kiosk {

/// @brief [database]
struct DatabaseConfig {
    std::string path;  ///< A file or a postgresql:// URI. Empty: $KIOSK_DB, else $XDG_DATA_HOME/badge-kiosk/center.db.
    /// The center folder (its key and submission batches). Empty: $KIOSK_CENTER_DIR, else beside a database
    /// file, else $XDG_DATA_HOME/badge-kiosk/postgresql-DBNAME (center::CenterPaths::forDatabase).
    std::string centerDir;
};

/// @brief [ui]
struct UiConfig {
    std::string language{"zh-CN"};  ///< "zh-CN" or "en".
    bool fullscreen{true};
    int windowWidth{1280};
    int windowHeight{800};
    int idleTimeoutSeconds{90};     ///< 15..3600: back to the attract screen, worker data forgotten.
    std::string kioskId{"K01"};     ///< Terminal name in the audit log.
    std::string helpPhone;          ///< The center's help number, shown on the attract screen (empty: not shown).
    /// Size of the UI against a 1280x800 design: 0 picks it from the display (its shorter side over 800, and the
    /// monitor's content scale); 0.5..4 fixes it (a screen whose EDID size is wrong, a viewing distance).
    double scale{0};
};

/// @brief [card_reader]
struct CardReaderConfig {
    std::string kind{"pcsc"};     ///< "pcsc", "cn-vendor" or "none".
    std::string reader;           ///< pcsc: substring of the reader name (empty: any reader); cn-vendor: the
                                  ///< library's open() configuration (the file-backed reader: its directory).
    std::string vendorLibrary;    ///< For cn-vendor: the .so implementing the idreader_v1 ABI.
    std::string cscaDir;          ///< Directory of trusted CSCA certificates; empty: defaultCscaDirectory().
};

/// @brief [camera]
struct CameraConfig {
    std::string source{"v4l2:0"};  ///< "v4l2:N", "v4l2:/dev/videoN", "file:PATH" or "none".
    int width{640};
    int height{480};
    int fps{15};
};

/// @brief [face]
struct FaceConfig {
    std::string recognizer{"auto"};  ///< "auto", "sface", "mobilefacenet" or "dlib".
    std::string modelDir;            ///< Empty: $KIOSK_MODEL_DIR, then the installed data directory.
    int maxAttempts{3};              ///< 1..10 failed matches before staff are called.
};

/// @brief [printer]
struct PrinterConfig {
    std::string queue;  ///< CUPS queue; empty: the system default.
};

/// @brief [speech]
struct SpeechConfig {
    bool enabled{true};
    std::string voiceZh{"cmn"};
    std::string voiceEn{"en"};
    int rate{150};  ///< Words per minute, 80..300.
};

/// @brief [enrolment]
struct EnrolmentConfig {
    /// Walk-in enrolment: a worker registering at the kiosk is put on the rosters of the badge course's
    /// sessions that have not ended and made a candidate of its scheduled or open sittings (a center that
    /// takes walk-ins, and the demo). Off: staff enrol workers (kioskctl session roster / exam candidate).
    bool walkIn{false};
};

/// @brief The whole configuration.
struct Config {
    DatabaseConfig database;
    UiConfig ui;
    CardReaderConfig cardReader;
    CameraConfig camera;
    FaceConfig face;
    PrinterConfig printer;
    SpeechConfig speech;
    EnrolmentConfig enrolment;
};

/// @brief Parses TOML text. @p sourceName is used in messages.
/// @retval InvalidInput syntax errors (with line and column), unknown keys, wrong types, values out of range.
[[nodiscard]] training::Result<Config> parseConfig(std::string_view text, std::string_view sourceName);

/// @brief Reads and parses a file; NotFound when it does not exist.
[[nodiscard]] training::Result<Config> loadConfig(const std::filesystem::path& file);

/// @brief The configuration as TOML (all keys, with their current values).
[[nodiscard]] std::string toToml(const Config& config);

/// @brief The database path: @p explicitPath, else $KIOSK_DB, else $XDG_DATA_HOME/badge-kiosk/center.db
/// (XDG_DATA_HOME defaulting to ~/.local/share).
[[nodiscard]] std::filesystem::path defaultDatabasePath(const std::string& explicitPath = {});

/// @brief Where `kioskctl id csca import` installs CSCA certificates: $XDG_CONFIG_HOME/badge-kiosk/csca
/// (XDG_CONFIG_HOME defaulting to ~/.config).
[[nodiscard]] std::filesystem::path defaultCscaDirectory();

/// @brief The trust anchors for passive authentication: `card_reader.csca_dir` when set, else the default folder
/// when it holds at least one file, else nullopt (no chip can then be "chip-pa").
[[nodiscard]] std::optional<std::filesystem::path> cscaDirectory(const Config& config);

/// @brief The assets directory (translations, question banks, consent texts, templates):
/// $KIOSK_ASSETS_DIR, else the source tree's assets/ of this build, else the installed data directory.
[[nodiscard]] std::filesystem::path assetsDirectory();

}  // namespace kiosk
