#include "kiosk/config.hpp"

#include <algorithm>
#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <sstream>
#include <toml++/toml.h>

namespace kiosk {
namespace {

using training::ErrorCode;
using training::fail;
using training::Result;

// One key of the schema: how to read it into the Config, and what is allowed (for messages).
struct Key {
    std::string_view name;
    std::string_view allowed;
    std::function<std::optional<std::string>(const toml::node&, Config&)> apply;  // error text or nullopt
};

struct Section {
    std::string_view name;
    std::vector<Key> keys;
};

std::optional<std::string> readString(const toml::node& n, std::string& out) {
    if (!n.is_string()) return std::string("a string");
    // Names, paths, ids and phone numbers are one line: a line break or another control character is a typing
    // or copying mistake (and a leading line break would not survive writing the file back).
    const auto v = *n.value<std::string>();
    if (std::ranges::any_of(v, [](unsigned char ch) { return ch < 0x20 || ch == 0x7F; }))
        return std::string("one line of text, without line breaks, tabs or other control characters");
    out = v;
    return std::nullopt;
}


template <typename F>
Key text(std::string_view name, std::string_view allowed, F field) {
    return Key{name, allowed, [field](const toml::node& n, Config& c) { return readString(n, field(c)); }};
}

template <typename F>
Key choice(std::string_view name, std::vector<std::string_view> values, F field) {
    std::string allowed;
    for (auto v : values) allowed += (allowed.empty() ? "" : ", ") + fmt::format("\"{}\"", v);
    return Key{name, "", [field, values, allowed](const toml::node& n, Config& c) -> std::optional<std::string> {
                   if (!n.is_string()) return "one of " + allowed;
                   const auto v = *n.value<std::string>();
                   for (auto a : values)
                       if (v == a) {
                           field(c) = v;
                           return std::nullopt;
                       }
                   return "one of " + allowed;
               }};
}

template <typename F>
Key integer(std::string_view name, std::int64_t lo, std::int64_t hi, F field) {
    return Key{name, "", [field, lo, hi](const toml::node& n, Config& c) -> std::optional<std::string> {
                   const auto range = fmt::format("an integer from {} to {}", lo, hi);
                   if (!n.is_integer()) return range;
                   const auto v = *n.value<std::int64_t>();
                   if (v < lo || v > hi) return range;
                   field(c) = static_cast<int>(v);
                   return std::nullopt;
               }};
}

template <typename F>
Key boolean(std::string_view name, F field) {
    return Key{name, "", [field](const toml::node& n, Config& c) -> std::optional<std::string> {
                   if (!n.is_boolean()) return std::string("true or false");
                   field(c) = *n.value<bool>();
                   return std::nullopt;
               }};
}

std::optional<std::string> checkCamera(const std::string& v) {
    if (v == "none" || v.starts_with("file:") || v.starts_with("v4l2:")) {
        if (v == "file:" || v == "v4l2:") return std::string("a source after the prefix");
        return std::nullopt;
    }
    return std::string("\"v4l2:N\", \"v4l2:/dev/videoN\", \"file:PATH\" or \"none\"");
}

const std::vector<Section>& schema() {
    static const std::vector<Section> kSchema = [] {
        std::vector<Section> s;
        s.push_back({"database", {text("path", "", [](Config& c) -> std::string& { return c.database.path; }),
                                  text("center_dir", "",
                                       [](Config& c) -> std::string& { return c.database.centerDir; })}});
        s.push_back({"ui",
                     {choice("language", {"zh-CN", "en"}, [](Config& c) -> std::string& { return c.ui.language; }),
                      boolean("fullscreen", [](Config& c) -> bool& { return c.ui.fullscreen; }),
                      integer("window_width", 640, 7680, [](Config& c) -> int& { return c.ui.windowWidth; }),
                      integer("window_height", 480, 4320, [](Config& c) -> int& { return c.ui.windowHeight; }),
                      integer("idle_timeout_seconds", 15, 3600,
                              [](Config& c) -> int& { return c.ui.idleTimeoutSeconds; }),
                      text("kiosk_id", "", [](Config& c) -> std::string& { return c.ui.kioskId; }),
                      text("help_phone", "", [](Config& c) -> std::string& { return c.ui.helpPhone; }),
                      Key{"scale", "",
                          [](const toml::node& n, Config& c) -> std::optional<std::string> {
                              const std::string range = "0 (from the display) or a number from 0.5 to 4";
                              std::optional<double> v;
                              if (n.is_floating_point()) v = *n.value<double>();
                              if (n.is_integer()) v = static_cast<double>(*n.value<std::int64_t>());
                              if (!v || (*v != 0 && (*v < 0.5 || *v > 4))) return range;
                              c.ui.scale = *v;
                              return std::nullopt;
                          }}}});
        s.push_back({"card_reader",
                     {choice("kind", {"pcsc", "cn-vendor", "none"},
                             [](Config& c) -> std::string& { return c.cardReader.kind; }),
                      text("reader", "", [](Config& c) -> std::string& { return c.cardReader.reader; }),
                      text("vendor_library", "", [](Config& c) -> std::string& { return c.cardReader.vendorLibrary; }),
                      text("csca_dir", "", [](Config& c) -> std::string& { return c.cardReader.cscaDir; })}});
        s.push_back({"camera",
                     {Key{"source", "",
                          [](const toml::node& n, Config& c) -> std::optional<std::string> {
                              if (!n.is_string()) return checkCamera("");
                              std::string v;
                              if (auto e = readString(n, v)) return e;
                              if (auto e = checkCamera(v)) return e;
                              c.camera.source = v;
                              return std::nullopt;
                          }},
                      integer("width", 160, 4096, [](Config& c) -> int& { return c.camera.width; }),
                      integer("height", 120, 4096, [](Config& c) -> int& { return c.camera.height; }),
                      integer("fps", 1, 60, [](Config& c) -> int& { return c.camera.fps; })}});
        s.push_back({"face",
                     {choice("recognizer", {"auto", "sface", "mobilefacenet", "dlib"},
                             [](Config& c) -> std::string& { return c.face.recognizer; }),
                      text("model_dir", "", [](Config& c) -> std::string& { return c.face.modelDir; }),
                      integer("max_attempts", 1, 10, [](Config& c) -> int& { return c.face.maxAttempts; })}});
        s.push_back({"printer", {text("queue", "", [](Config& c) -> std::string& { return c.printer.queue; })}});
        s.push_back({"speech",
                     {boolean("enabled", [](Config& c) -> bool& { return c.speech.enabled; }),
                      text("voice_zh", "", [](Config& c) -> std::string& { return c.speech.voiceZh; }),
                      text("voice_en", "", [](Config& c) -> std::string& { return c.speech.voiceEn; }),
                      integer("rate", 80, 300, [](Config& c) -> int& { return c.speech.rate; })}});
        s.push_back({"enrolment", {boolean("walk_in", [](Config& c) -> bool& { return c.enrolment.walkIn; })}});
        return s;
    }();
    return kSchema;
}

std::string where(std::string_view source, const toml::node& n) {
    const auto& src = n.source();
    if (src.begin.line == 0) return std::string(source);
    return fmt::format("{}:{}", source, src.begin.line);
}

}  // namespace

Result<Config> parseConfig(std::string_view textIn, std::string_view sourceName) {
    toml::table root;
    try {
        root = toml::parse(textIn, sourceName);
    } catch (const toml::parse_error& e) {
        return fail(ErrorCode::InvalidInput,
                    fmt::format("{}:{}:{}: the configuration is not valid TOML: {}", sourceName,
                                e.source().begin.line, e.source().begin.column, e.description()));
    }
    Config config;
    std::string sections;
    for (const auto& s : schema()) sections += (sections.empty() ? "" : ", ") + std::string(s.name);
    for (const auto& [sectionKey, node] : root) {
        const std::string sectionName(sectionKey.str());
        const auto section = std::ranges::find(schema(), sectionName, &Section::name);
        if (section == schema().end())
            return fail(ErrorCode::InvalidInput, fmt::format("{}: unknown section [{}]; the sections are: {}",
                                                             where(sourceName, node), sectionName, sections));
        const auto* table = node.as_table();
        if (!table)
            return fail(ErrorCode::InvalidInput,
                        fmt::format("{}: '{}' must be a section ([{}])", where(sourceName, node), sectionName,
                                    sectionName));
        for (const auto& [key, value] : *table) {
            const std::string keyName(key.str());
            const auto k = std::ranges::find(section->keys, keyName, &Key::name);
            if (k == section->keys.end()) {
                std::string keys;
                for (const auto& kk : section->keys) keys += (keys.empty() ? "" : ", ") + std::string(kk.name);
                return fail(ErrorCode::InvalidInput,
                            fmt::format("{}: unknown key '{}.{}'; the keys of [{}] are: {}", where(sourceName, value),
                                        sectionName, keyName, sectionName, keys));
            }
            if (auto problem = k->apply(value, config))
                return fail(ErrorCode::InvalidInput, fmt::format("{}: '{}.{}' must be {}", where(sourceName, value),
                                                                 sectionName, keyName, *problem));
        }
    }
    if (config.cardReader.kind == "cn-vendor" && config.cardReader.vendorLibrary.empty())
        return fail(ErrorCode::InvalidInput,
                    fmt::format("{}: 'card_reader.kind' is \"cn-vendor\", so 'card_reader.vendor_library' must name "
                                "the reader's idreader_v1 library",
                                sourceName));
    return config;
}

Result<Config> loadConfig(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return fail(ErrorCode::NotFound,
                    fmt::format("cannot read the configuration file {}; check the path (or run without --config to "
                                "use the defaults)",
                                file.string()));
    std::ostringstream ss;
    ss << in.rdbuf();
    return parseConfig(ss.str(), file.string());
}

std::string toToml(const Config& c) {
    toml::table t{
        {"database", toml::table{{"path", c.database.path}, {"center_dir", c.database.centerDir}}},
        {"ui", toml::table{{"language", c.ui.language},
                           {"fullscreen", c.ui.fullscreen},
                           {"window_width", c.ui.windowWidth},
                           {"window_height", c.ui.windowHeight},
                           {"idle_timeout_seconds", c.ui.idleTimeoutSeconds},
                           {"kiosk_id", c.ui.kioskId},
                           {"help_phone", c.ui.helpPhone},
                           {"scale", c.ui.scale}}},
        {"card_reader", toml::table{{"kind", c.cardReader.kind},
                                    {"reader", c.cardReader.reader},
                                    {"vendor_library", c.cardReader.vendorLibrary},
                                    {"csca_dir", c.cardReader.cscaDir}}},
        {"camera", toml::table{{"source", c.camera.source},
                               {"width", c.camera.width},
                               {"height", c.camera.height},
                               {"fps", c.camera.fps}}},
        {"face", toml::table{{"recognizer", c.face.recognizer},
                             {"model_dir", c.face.modelDir},
                             {"max_attempts", c.face.maxAttempts}}},
        {"printer", toml::table{{"queue", c.printer.queue}}},
        {"speech", toml::table{{"enabled", c.speech.enabled},
                               {"voice_zh", c.speech.voiceZh},
                               {"voice_en", c.speech.voiceEn},
                               {"rate", c.speech.rate}}},
        {"enrolment", toml::table{{"walk_in", c.enrolment.walkIn}}},
    };
    std::ostringstream ss;
    ss << t << "\n";
    return ss.str();
}

std::filesystem::path defaultDatabasePath(const std::string& explicitPath) {
    if (!explicitPath.empty()) return explicitPath;
    if (const char* db = std::getenv("KIOSK_DB"); db && *db) return db;
    std::filesystem::path base;
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) base = xdg;
    else if (const char* home = std::getenv("HOME"); home && *home) base = std::filesystem::path(home) / ".local/share";
    else base = ".";
    return base / "badge-kiosk" / "center.db";
}

std::filesystem::path defaultCscaDirectory() {
    std::filesystem::path base;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) base = xdg;
    else if (const char* home = std::getenv("HOME"); home && *home) base = std::filesystem::path(home) / ".config";
    else base = ".";
    return base / "badge-kiosk" / "csca";
}

std::optional<std::filesystem::path> cscaDirectory(const Config& config) {
    if (!config.cardReader.cscaDir.empty()) return std::filesystem::path(config.cardReader.cscaDir);
    const auto dir = defaultCscaDirectory();
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file(ec)) return dir;
    return std::nullopt;
}

std::filesystem::path assetsDirectory() {
    if (const char* dir = std::getenv("KIOSK_ASSETS_DIR"); dir && *dir) return dir;
    std::error_code ec;
    if (std::filesystem::is_directory(KIOSK_SOURCE_ASSETS_DIR, ec)) return KIOSK_SOURCE_ASSETS_DIR;
    return KIOSK_INSTALLED_ASSETS_DIR;
}

}  // namespace kiosk
