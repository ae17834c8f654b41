// Face model manifest: parsing (toml++), locating files, SHA-256 checks.
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <opencv2/core/version.hpp>
#include <sstream>
#include <toml++/toml.h>

#include "devices/face/models.hpp"

#ifndef KIOSK_INSTALL_DATADIR
#define KIOSK_INSTALL_DATADIR "/usr/local/share/badge-kiosk"
#endif
#ifndef KIOSK_BUILD_MODEL_DIR
#define KIOSK_BUILD_MODEL_DIR ""
#endif
#ifndef KIOSK_SOURCE_ASSETS_DIR
#define KIOSK_SOURCE_ASSETS_DIR ""
#endif

namespace devices::face {

namespace fs = std::filesystem;

namespace {

std::string envOr(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

std::string where(std::string_view source, const toml::node& n) {
    std::ostringstream s;
    s << source << ":" << n.source().begin.line;
    return s.str();
}

/// Parses "4.5.4" into a comparable number (major*10000 + minor*100 + patch).
int versionNumber(std::string_view v) {
    int parts[3] = {0, 0, 0};
    int idx = 0;
    for (char c : v) {
        if (c == '.') {
            if (++idx == 3) break;
        } else if (c >= '0' && c <= '9') {
            parts[idx] = parts[idx] * 10 + (c - '0');
        } else {
            break;
        }
    }
    return parts[0] * 10000 + parts[1] * 100 + parts[2];
}

Result<ModelEntry> parseEntry(const toml::table& t, std::string_view source) {
    ModelEntry e;
    const std::string at = where(source, t);
    auto str = [&](const char* key, std::string& out, bool required) -> std::optional<Error> {
        const auto* n = t.get(key);
        if (!n) {
            if (required)
                return Error{ErrorCode::Malformed,
                             at + ": model entry lacks the key '" + key + "'; add it (see the comment at the top of the manifest)"};
            return std::nullopt;
        }
        const auto v = n->value<std::string>();
        if (!v) return Error{ErrorCode::Malformed, where(source, *n) + ": '" + key + "' must be a string"};
        out = *v;
        return std::nullopt;
    };
    auto num = [&](const char* key, double& out) -> std::optional<Error> {
        const auto* n = t.get(key);
        if (!n) return std::nullopt;
        const auto v = n->value<double>();
        if (!v) return Error{ErrorCode::Malformed, where(source, *n) + ": '" + key + "' must be a number"};
        out = *v;
        return std::nullopt;
    };
    std::string kind;
    for (auto [key, out, req] : {std::tuple{"name", &e.name, true}, std::tuple{"kind", &kind, true},
                                 std::tuple{"file", &e.file, true}, std::tuple{"sha256", &e.sha256, true},
                                 std::tuple{"licence", &e.licence, false}, std::tuple{"licence_file", &e.licenceFile, false},
                                 std::tuple{"source", &e.source, false}, std::tuple{"url", &e.url, false},
                                 std::tuple{"opencv_min", &e.opencvMin, false},
                                 std::tuple{"opencv_below", &e.opencvBelow, false}}) {
        if (auto err = str(key, *out, req)) return std::unexpected(*err);
    }
    if (e.sha256.size() != 64 || !std::all_of(e.sha256.begin(), e.sha256.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        }))
        return fail(ErrorCode::Malformed, at + ": model '" + e.name + "': sha256 must be 64 lowercase hex digits");
    if (const auto* n = t.get("size")) {
        const auto v = n->value<int64_t>();
        if (!v || *v <= 0) return fail(ErrorCode::Malformed, where(source, *n) + ": 'size' must be a positive integer");
        e.size = static_cast<std::uintmax_t>(*v);
    } else {
        return fail(ErrorCode::Malformed, at + ": model '" + e.name + "' lacks 'size'; add the file size in bytes");
    }
    if (const auto* n = t.get("also_accept")) {
        const auto* arr = n->as_array();
        if (!arr) return fail(ErrorCode::Malformed, where(source, *n) + ": 'also_accept' must be a list of { size, sha256 }");
        for (const auto& item : *arr) {
            const auto* it = item.as_table();
            const toml::node* size = it ? it->get("size") : nullptr;
            const toml::node* sha = it ? it->get("sha256") : nullptr;
            const int64_t sizeV = size ? size->value_or<int64_t>(0) : 0;
            const std::string shaV = sha ? sha->value_or<std::string>("") : std::string();
            if (sizeV <= 0 || shaV.size() != 64 ||
                !std::all_of(shaV.begin(), shaV.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
                return fail(ErrorCode::Malformed,
                            where(source, item) + ": each 'also_accept' item needs size (bytes) and sha256 (64 lowercase hex digits)");
            e.alsoAccept.emplace_back(static_cast<std::uintmax_t>(sizeV), shaV);
        }
    }
    if (const auto* arr = t.get_as<toml::array>("system_dirs")) {
        for (const auto& d : *arr) {
            const auto v = d.value<std::string>();
            if (!v) return fail(ErrorCode::Malformed, at + ": 'system_dirs' must be a list of strings");
            e.systemDirs.emplace_back(*v);
        }
    }
    if (kind == "detector") e.kind = ModelKind::Detector;
    else if (kind == "cascade") e.kind = ModelKind::Cascade;
    else if (kind == "recognizer") e.kind = ModelKind::Recognizer;
    else
        return fail(ErrorCode::Malformed,
                    at + ": model '" + e.name + "': kind '" + kind + "' is unknown; use detector, cascade or recognizer");

    double score = e.scoreThreshold, nms = e.nmsThreshold;
    if (auto err = num("score_threshold", score)) return std::unexpected(*err);
    if (auto err = num("nms_threshold", nms)) return std::unexpected(*err);
    e.scoreThreshold = static_cast<float>(score);
    e.nmsThreshold = static_cast<float>(nms);

    if (e.kind == ModelKind::Recognizer) {
        std::string runner = "sf", alignment, metric;
        if (auto err = str("runner", runner, false)) return std::unexpected(*err);
        if (auto err = str("alignment", alignment, true)) return std::unexpected(*err);
        if (auto err = str("metric", metric, true)) return std::unexpected(*err);
        if (runner == "sf") e.runner = Runner::FaceRecognizerSF;
        else if (runner == "dnn") e.runner = Runner::DnnNet;
        else return fail(ErrorCode::Malformed, at + ": runner '" + runner + "' is unknown; use sf or dnn");
        if (alignment == "arcface-112") e.alignment = Alignment::ArcFace112;
        else if (alignment == "dlib-150") e.alignment = Alignment::Dlib150;
        else return fail(ErrorCode::Malformed, at + ": alignment '" + alignment + "' is unknown; use arcface-112 or dlib-150");
        if (metric == "cosine") e.metric = Metric::Cosine;
        else if (metric == "l2") e.metric = Metric::L2;
        else return fail(ErrorCode::Malformed, at + ": metric '" + metric + "' is unknown; use cosine or l2");
        double prio = e.priority, size = e.inputSize;
        if (auto err = num("priority", prio)) return std::unexpected(*err);
        if (auto err = num("input_size", size)) return std::unexpected(*err);
        e.priority = static_cast<int>(prio);
        e.inputSize = static_cast<int>(size);
        const auto* acc = t.get("accept_threshold");
        const auto* rej = t.get("reject_threshold");
        if (!acc || !rej)
            return fail(ErrorCode::Malformed,
                        at + ": recognizer '" + e.name + "' needs accept_threshold and reject_threshold");
        if (auto err = num("accept_threshold", e.acceptThreshold)) return std::unexpected(*err);
        if (auto err = num("reject_threshold", e.rejectThreshold)) return std::unexpected(*err);
        const bool ordered = e.metric == Metric::Cosine ? e.acceptThreshold >= e.rejectThreshold
                                                        : e.acceptThreshold <= e.rejectThreshold;
        if (!ordered)
            return fail(ErrorCode::Malformed,
                        at + ": recognizer '" + e.name +
                            "': the accept threshold must be stricter than the reject threshold (cosine: accept >= reject; "
                            "l2: accept <= reject)");
        if (e.runner == Runner::FaceRecognizerSF && e.inputSize != 112)
            return fail(ErrorCode::Malformed, at + ": runner sf only supports input_size 112");
        if (const auto* c = t.get("calibrated")) e.calibrated = c->value_or(false);
    }
    return e;
}

}  // namespace

Result<ModelManifest> ModelManifest::parse(std::string_view text, std::string_view sourceName) {
    toml::table root;
    try {
        root = toml::parse(text, sourceName);
    } catch (const toml::parse_error& e) {
        std::ostringstream s;
        s << sourceName << ":" << e.source().begin.line << ":" << e.source().begin.column << ": " << e.description()
          << "; fix the TOML syntax";
        return fail(ErrorCode::Malformed, s.str());
    }
    const auto* arr = root.get_as<toml::array>("model");
    if (!arr || arr->empty())
        return fail(ErrorCode::Malformed, std::string(sourceName) + ": no [[model]] entries; the manifest lists every model file");
    ModelManifest m;
    for (const auto& node : *arr) {
        const auto* t = node.as_table();
        if (!t) return fail(ErrorCode::Malformed, std::string(sourceName) + ": 'model' must be an array of tables");
        auto e = parseEntry(*t, sourceName);
        if (!e) return std::unexpected(e.error());
        if (m.find(e->name))
            return fail(ErrorCode::Malformed, std::string(sourceName) + ": model name '" + e->name + "' appears twice");
        m.models.push_back(std::move(*e));
    }
    return m;
}

Result<ModelManifest> ModelManifest::load(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return fail(ErrorCode::NotAvailable,
                    "cannot read the model manifest " + file.string() + "; check the path and its permissions");
    std::ostringstream s;
    s << in.rdbuf();
    return parse(s.str(), file.string());
}

Result<ModelManifest> ModelManifest::loadDefault() {
    std::vector<fs::path> candidates;
    if (auto v = envOr("KIOSK_MODEL_MANIFEST"); !v.empty()) candidates.emplace_back(v);
    if (auto v = envOr("KIOSK_ASSETS_DIR"); !v.empty()) candidates.push_back(fs::path(v) / "models" / "manifest.toml");
    candidates.push_back(fs::path(KIOSK_INSTALL_DATADIR) / "models" / "manifest.toml");
    if (std::string_view(KIOSK_SOURCE_ASSETS_DIR).size() > 0)
        candidates.push_back(fs::path(KIOSK_SOURCE_ASSETS_DIR) / "models" / "manifest.toml");
    std::string looked;
    for (const auto& c : candidates) {
        std::error_code ec;
        if (fs::is_regular_file(c, ec)) return load(c);
        looked += (looked.empty() ? "" : ", ") + c.string();
    }
    return fail(ErrorCode::NotAvailable, "no model manifest found (looked in " + looked +
                                             "); set KIOSK_MODEL_MANIFEST or reinstall the kiosk's data files");
}

const ModelEntry* ModelManifest::find(std::string_view name) const {
    for (const auto& m : models)
        if (m.name == name) return &m;
    return nullptr;
}

std::vector<const ModelEntry*> ModelManifest::ofKind(ModelKind kind) const {
    std::vector<const ModelEntry*> out;
    for (const auto& m : models)
        if (m.kind == kind) out.push_back(&m);
    std::stable_sort(out.begin(), out.end(), [](const ModelEntry* a, const ModelEntry* b) { return a->priority < b->priority; });
    return out;
}

fs::path installedModelDir() { return fs::path(KIOSK_INSTALL_DATADIR) / "models"; }

fs::path buildModelDir() { return fs::path(KIOSK_BUILD_MODEL_DIR); }

ModelLocator ModelLocator::fromEnvironment(const std::string& configuredDir) {
    ModelLocator l;
    if (!configuredDir.empty()) l.dirs.emplace_back(configuredDir);
    if (auto v = envOr("KIOSK_MODEL_DIR"); !v.empty()) l.dirs.emplace_back(v);
    l.dirs.push_back(installedModelDir());
    if (auto b = buildModelDir(); !b.empty()) l.dirs.push_back(b);
    return l;
}

std::optional<fs::path> ModelLocator::locate(const ModelEntry& entry) const {
    std::error_code ec;
    for (const auto& d : dirs)
        if (auto p = d / entry.file; fs::is_regular_file(p, ec)) return p;
    for (const auto& d : entry.systemDirs)
        if (auto p = d / entry.file; fs::is_regular_file(p, ec)) return p;
    return std::nullopt;
}

std::string ModelLocator::describe(const ModelEntry& entry) const {
    std::string s;
    for (const auto& d : dirs) s += (s.empty() ? "" : ", ") + d.string();
    for (const auto& d : entry.systemDirs) s += (s.empty() ? "" : ", ") + d.string();
    return s;
}

Result<std::string> sha256File(const fs::path& file) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(file.c_str(), "rb"), &std::fclose);
    if (!f) return fail(ErrorCode::NotAvailable, "cannot read " + file.string() + "; check its permissions");
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
        return fail(ErrorCode::Internal, "OpenSSL could not start a SHA-256 digest");
    std::array<unsigned char, 1 << 16> buf{};
    size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0) EVP_DigestUpdate(ctx.get(), buf.data(), n);
    if (std::ferror(f.get())) return fail(ErrorCode::NotAvailable, "read error on " + file.string());
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx.get(), md.data(), &len);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned i = 0; i < len; ++i) {
        hex += kHex[md[i] >> 4];
        hex += kHex[md[i] & 15];
    }
    return hex;
}

Result<fs::path> verifyModel(const ModelEntry& entry, const ModelLocator& locator) {
    const auto path = locator.locate(entry);
    if (!path) {
        std::string how = entry.url.empty() ? "copy it from the kiosk's model package" : "get it from " + entry.url;
        return fail(ErrorCode::NotAvailable, "model '" + entry.name + "' (" + entry.file + ") not found in " +
                                                 locator.describe(entry) + "; " + how +
                                                 " into one of these directories (or set KIOSK_MODEL_DIR)");
    }
    std::error_code ec;
    const auto size = fs::file_size(*path, ec);
    if (ec) return fail(ErrorCode::NotAvailable, "cannot read " + path->string() + ": " + ec.message());
    const std::string what = "; the file is damaged or a different version: replace it with the official file (" +
                             (entry.url.empty() ? entry.source : entry.url) + ") and run 'kioskctl models check'";
    const bool sizeKnown = size == entry.size || std::any_of(entry.alsoAccept.begin(), entry.alsoAccept.end(),
                                                             [&](const auto& a) { return a.first == size; });
    if (!sizeKnown)
        return fail(ErrorCode::Integrity, "model file " + path->string() + " has " + std::to_string(size) +
                                              " bytes, the manifest expects " + std::to_string(entry.size) + what);
    auto sha = sha256File(*path);
    if (!sha) return std::unexpected(sha.error());
    if (size == entry.size && *sha == entry.sha256) return *path;
    for (const auto& [altSize, altSha] : entry.alsoAccept)
        if (size == altSize && *sha == altSha) return *path;
    return fail(ErrorCode::Integrity, "model file " + path->string() + " has SHA-256 " + *sha +
                                          ", the manifest expects " + entry.sha256 + what);
}

bool detectorSupportsThisOpenCv(const ModelEntry& entry) {
    const int here = CV_VERSION_MAJOR * 10000 + CV_VERSION_MINOR * 100 + CV_VERSION_REVISION;
    if (!entry.opencvMin.empty() && here < versionNumber(entry.opencvMin)) return false;
    if (!entry.opencvBelow.empty() && here >= versionNumber(entry.opencvBelow)) return false;
    return true;
}

std::string_view modelKindName(ModelKind kind) noexcept {
    switch (kind) {
        case ModelKind::Detector: return "detector";
        case ModelKind::Cascade: return "cascade";
        case ModelKind::Recognizer: return "recognizer";
    }
    return "detector";
}

std::string_view alignmentName(Alignment a) noexcept {
    return a == Alignment::ArcFace112 ? "arcface-112" : "dlib-150";
}

std::string_view metricName(Metric m) noexcept { return m == Metric::Cosine ? "cosine" : "l2"; }

}  // namespace devices::face
