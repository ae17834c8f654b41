// The center's Ed25519 key pair (file, mode 0600) and the trusted keys of centers.
#include "training/center_key.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "training/badge_code.hpp"
#include "training/database.hpp"
#include "training/store.hpp"
#include "training/json_fields.hpp"

namespace training {
namespace {

using json = nlohmann::json;

constexpr std::string_view kSecretFormat = "badge-center-secret-key";
constexpr std::string_view kPublicFormat = "badge-center-key";

bool initSodium() {
    static const bool ok = sodium_init() >= 0;
    return ok;
}

Result<void> checkCenterId(const std::string& id) {
    if (id.empty() || id.size() > 16)
        return fail(ErrorCode::InvalidInput,
                    fmt::format("the center id '{}' must have 1 to 16 characters (A-Z, 0-9, '-', '_')", id));
    for (char c : id)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return fail(ErrorCode::InvalidInput,
                        fmt::format("the center id '{}' may only use letters A-Z, digits, '-' and '_' (it goes "
                                    "into certificate numbers and QR codes); choose another center code",
                                    id));
    return {};
}

}  // namespace

std::string base64UrlEncode(std::span<const std::uint8_t> data) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((data.size() * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (data.size() - i == 1) {
        const std::uint32_t v = std::uint32_t{data[i]} << 16;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
    } else if (data.size() - i == 2) {
        const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
    }
    return out;
}

std::optional<std::vector<std::uint8_t>> base64Decode(std::string_view text) {
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    if (text.size() % 4 == 1) return std::nullopt;
    std::vector<std::uint8_t> out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        int v;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
        else if (c >= '0' && c <= '9') v = c - '0' + 52;
        else if (c == '-' || c == '+') v = 62;
        else if (c == '_' || c == '/') v = 63;
        else return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFF));
        }
    }
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;  // non-canonical trailing bits
    return out;
}

std::filesystem::path defaultCenterKeyPath(const std::filesystem::path& databasePath) {
    if (const char* env = std::getenv("KIOSK_CENTER_KEY"); env && *env) return std::filesystem::path(env);
    auto p = databasePath;
    p += ".center-key";
    return p;
}

CenterKey CenterKey::ephemeral(const std::string& centerId, const std::string& centerName) {
    initSodium();
    CenterKey k;
    k.m_public.centerId = centerId;
    k.m_public.name = centerName;
    k.m_public.own = true;
    crypto_sign_keypair(k.m_public.key.data(), k.m_secret.data());
    return k;
}

Result<CenterKey> CenterKey::create(const std::filesystem::path& path, const std::string& centerId,
                                    const std::string& centerName) {
    if (!initSodium()) return fail(ErrorCode::Internal, "libsodium could not be initialised");
    if (auto r = checkCenterId(centerId); !r) return propagate(r);
    std::error_code ec;
    if (std::filesystem::exists(path, ec))
        return fail(ErrorCode::Conflict,
                    fmt::format("a center key already exists at {}; keep it (it signs every certificate), or move it "
                                "away first to make a new one",
                                path.string()));
    std::array<std::uint8_t, 32> seed{};
    randombytes_buf(seed.data(), seed.size());
    CenterKey k;
    k.m_public.centerId = centerId;
    k.m_public.name = centerName;
    k.m_public.own = true;
    crypto_sign_seed_keypair(k.m_public.key.data(), k.m_secret.data(), seed.data());
    const std::string text = json{{"format", kSecretFormat},
                                  {"version", 1},
                                  {"center", centerId},
                                  {"name", centerName},
                                  {"seed", base64UrlEncode(seed)},
                                  {"public_key", base64UrlEncode(k.m_public.key)}}
                                 .dump(2) +
                             "\n";
    sodium_memzero(seed.data(), seed.size());

    auto tmp = path;
    tmp += fmt::format(".tmp-{}", ::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail(ErrorCode::Io, fmt::format("cannot write the center key {}: {}; check that the directory exists "
                                               "and is writable",
                                               tmp.string(), std::strerror(errno)));
    ::fchmod(fd, 0600);  // whatever the umask
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written) {
        std::filesystem::remove(tmp, ec);
        return fail(ErrorCode::Io, fmt::format("cannot write the center key {}; is the disk full?", tmp.string()));
    }
    // link() refuses to replace an existing file, so two concurrent inits cannot overwrite each other's key.
    if (::link(tmp.c_str(), path.c_str()) != 0) {
        const int e = errno;
        std::filesystem::remove(tmp, ec);
        if (e == EEXIST)
            return fail(ErrorCode::Conflict, fmt::format("a center key appeared at {} meanwhile; use it", path.string()));
        return fail(ErrorCode::Io, fmt::format("cannot create the center key {}: {}", path.string(), std::strerror(e)));
    }
    std::filesystem::remove(tmp, ec);
    return k;
}

Result<CenterKey> CenterKey::load(const std::filesystem::path& path) {
    if (!initSodium()) return fail(ErrorCode::Internal, "libsodium could not be initialised");
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return fail(ErrorCode::NotFound,
                    fmt::format("no center key at {}; run 'kioskctl init' to create it, or set KIOSK_CENTER_KEY to "
                                "the key file",
                                path.string()));
    if ((st.st_mode & 077) != 0)
        return fail(ErrorCode::Refused,
                    fmt::format("the center key {} is accessible to other users (mode {:o}); run 'chmod 600 {}' and "
                                "check nobody copied it",
                                path.string(), st.st_mode & 0777, path.string()));
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (!in && !in.eof()) return fail(ErrorCode::Io, fmt::format("cannot read the center key {}", path.string()));
    auto j = json::parse(ss.str(), nullptr, false);
    const auto corrupt = [&](std::string_view what) {
        return fail(ErrorCode::Corrupt, fmt::format("{} is not a usable center key file ({}); restore it from the "
                                                    "backup",
                                                    path.string(), what));
    };
    using jsonfields::Kind;
    if (auto m = jsonfields::mistyped(j, {{"format", Kind::String}, {"version", Kind::Integer}, {"center", Kind::String},
                                          {"seed", Kind::String}, {"name", Kind::String}, {"public_key", Kind::String}}))
        return corrupt(*m);
    if (!j.is_object() || j.value("format", "") != kSecretFormat) return corrupt("unknown format");
    if (j.value("version", 0) != 1) return corrupt("unsupported version");
    if (!j.contains("center") || !j["center"].is_string() || !j.contains("seed") || !j["seed"].is_string())
        return corrupt("center or seed missing");
    auto seed = base64Decode(j["seed"].get<std::string>());
    if (!seed || seed->size() != 32) return corrupt("bad seed");
    CenterKey k;
    k.m_public.centerId = j["center"].get<std::string>();
    k.m_public.name = j.value("name", "");
    k.m_public.own = true;
    crypto_sign_seed_keypair(k.m_public.key.data(), k.m_secret.data(), seed->data());
    sodium_memzero(seed->data(), seed->size());
    if (j.contains("public_key") && j["public_key"].is_string() &&
        j["public_key"].get<std::string>() != base64UrlEncode(k.m_public.key))
        return corrupt("the public key does not match the seed");
    if (j.contains("verify_url")) {
        if (!j["verify_url"].is_string()) return corrupt("verify_url is not a text");
        auto url = checkVerifyUrl(j["verify_url"].get<std::string>());
        if (!url) return corrupt(url.error().message);
        k.m_verifyUrl = *url;
    }
    return k;
}

Result<CenterKey> CenterKey::setVerifyUrl(const std::filesystem::path& path, const std::string& url) {
    if (!url.empty())
        if (auto ok = checkVerifyUrl(url); !ok) return propagate(ok);
    auto key = load(path);
    if (!key) return key;
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    auto j = json::parse(ss.str(), nullptr, false);
    if (!j.is_object()) return fail(ErrorCode::Corrupt, fmt::format("{} changed while it was read", path.string()));
    if (url.empty()) j.erase("verify_url");
    else j["verify_url"] = url;
    const std::string text = j.dump(2) + "\n";
    auto tmp = path;
    tmp += fmt::format(".tmp-{}", ::getpid());
    std::error_code ec;
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail(ErrorCode::Io, fmt::format("cannot write {}: {}; check that the directory is writable",
                                               tmp.string(), std::strerror(errno)));
    ::fchmod(fd, 0600);
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written || ::rename(tmp.c_str(), path.c_str()) != 0) {
        std::filesystem::remove(tmp, ec);
        return fail(ErrorCode::Io, fmt::format("cannot rewrite the center key {}; is the disk full?", path.string()));
    }
    key->m_verifyUrl = url;
    return key;
}

SignatureBytes CenterKey::sign(std::span<const std::uint8_t> message) const {
    SignatureBytes sig{};
    crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), m_secret.data());
    return sig;
}

SignatureBytes CenterKey::sign(std::string_view message) const {
    return sign(std::span(reinterpret_cast<const std::uint8_t*>(message.data()), message.size()));
}

bool verifySignature(const PublicKeyBytes& key, std::span<const std::uint8_t> message,
                     std::span<const std::uint8_t> signature) {
    if (!initSodium() || signature.size() != crypto_sign_BYTES) return false;
    return crypto_sign_verify_detached(signature.data(), message.data(), message.size(), key.data()) == 0;
}

bool verifySignature(const PublicKeyBytes& key, std::string_view message, std::span<const std::uint8_t> signature) {
    return verifySignature(key, std::span(reinterpret_cast<const std::uint8_t*>(message.data()), message.size()),
                           signature);
}

std::string exportPublicKey(const CenterPublicKey& key) {
    return json{{"format", kPublicFormat},
                {"version", 1},
                {"center", key.centerId},
                {"name", key.name},
                {"public_key", base64UrlEncode(key.key)}}
               .dump(2) +
           "\n";
}

Result<CenterPublicKey> parsePublicKey(std::string_view text) {
    auto j = json::parse(text, nullptr, false);
    const auto bad = [](std::string_view what) {
        return fail(ErrorCode::InvalidInput,
                    fmt::format("not an exported center key ({}); ask the center for the output of 'kioskctl key "
                                "export'",
                                what));
    };
    if (!j.is_object()) return bad("not JSON");
    using jsonfields::Kind;
    if (auto m = jsonfields::mistyped(j, {{"format", Kind::String}, {"version", Kind::Integer}, {"center", Kind::String},
                                          {"name", Kind::String}, {"public_key", Kind::String}}))
        return bad(*m);
    if (j.value("format", "") != kPublicFormat) return bad("format is not badge-center-key");
    if (j.value("version", 0) != 1) return bad("unsupported version");
    if (!j.contains("center") || !j["center"].is_string()) return bad("no center id");
    if (!j.contains("public_key") || !j["public_key"].is_string()) return bad("no public_key");
    CenterPublicKey k;
    k.centerId = j["center"].get<std::string>();
    if (auto r = checkCenterId(k.centerId); !r) return bad(r.error().message);
    k.name = j.value("name", "");
    auto bytes = base64Decode(j["public_key"].get<std::string>());
    if (!bytes || bytes->size() != k.key.size()) return bad("public_key is not 32 bytes of base64url");
    std::ranges::copy(*bytes, k.key.begin());
    return k;
}

Result<void> recordVerifyUrlChange(Store& store, const std::string& centerId, const std::string& url,
                                   const Actor& actor) {
    auto tx = store.database().transaction();
    if (!tx) return propagate(tx);
    if (auto r = store.audit(actor, "center.verify-url", fmt::format("center:{}", centerId),
                             json{{"verify_url", url}}.dump());
        !r)
        return propagate(r);
    return tx->commit();
}

Result<std::vector<CenterPublicKey>> trustedKeys(Store& store) {
    auto st = store.database().prepare(
        "SELECT center_id, name, public_key, own FROM trusted_keys ORDER BY own DESC, center_id");
    if (!st) return propagate(st);
    std::vector<CenterPublicKey> out;
    if (auto done = st->forEachRow([&](Statement& rec) -> Result<void> {
        CenterPublicKey k;
        k.centerId = rec.text(0);
        k.name = rec.text(1);
        auto bytes = base64Decode(rec.text(2));
        if (!bytes || bytes->size() != k.key.size()) return {};  // cannot happen: written by trustCenterKey
        std::ranges::copy(*bytes, k.key.begin());
        k.own = rec.int64(3) != 0;
        out.push_back(std::move(k));
        return {};
    }); !done)
        return propagate(done);
    return out;
}

Result<CenterPublicKey> trustCenterKey(Store& store, const CenterPublicKey& key, const Actor& actor, bool replace) {
    if (auto r = checkCenterId(key.centerId); !r) return propagate(r);
    auto& db = store.database();
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    auto find = db.prepare("SELECT public_key, own FROM trusted_keys WHERE center_id = ?");
    if (!find) return propagate(find);
    find->bindAll(key.centerId);
    auto row = find->step();
    if (!row) return propagate(row);
    const std::string encoded = base64UrlEncode(key.key);
    if (*row) {
        const std::string existing = find->text(0);
        const bool existingOwn = find->int64(1) != 0;
        find->reset();
        if (existing == encoded && existingOwn == key.own) return key;  // already trusted: nothing to do
        if (existing != encoded && !replace)
            return fail(ErrorCode::Conflict,
                        fmt::format("center {} is already trusted with another key; confirm the new key with that "
                                    "center, then import it with --replace",
                                    key.centerId));
        if (existingOwn && !key.own)
            return fail(ErrorCode::Conflict, fmt::format("{} is this center's own id; another center's key cannot "
                                                         "take its place",
                                                         key.centerId));
    }
    find->reset();
    auto up = db.prepare("INSERT INTO trusted_keys (center_id, name, public_key, own, added_at) VALUES (?, ?, ?, ?, ?) "
                         "ON CONFLICT (center_id) DO UPDATE SET name = excluded.name, public_key = excluded.public_key, "
                         "own = excluded.own, added_at = excluded.added_at");
    if (!up) return propagate(up);
    if (auto r = up->bindAll(key.centerId, key.name, encoded, key.own, store.now()).run(); !r) return propagate(r);
    if (auto r = store.audit(actor, key.own ? "key.own" : "key.trust", fmt::format("center:{}", key.centerId),
                             json{{"public_key", encoded}, {"name", key.name}, {"replaced", replace}}.dump());
        !r)
        return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    return key;
}

Result<CenterKey> ensureCenterKey(Store& store, const std::filesystem::path& keyPath, const Actor& actor) {
    auto center = store.center();
    if (!center) return propagate(center);
    std::error_code ec;
    // The center folder of a URI (or one given with --center-dir) may not exist yet: made owner-only.
    if (const auto dir = keyPath.parent_path(); !dir.empty() && !std::filesystem::exists(dir, ec))
        if (auto r = createPrivateDirectory(dir); !r) return std::unexpected(r.error());
    Result<CenterKey> key = std::filesystem::exists(keyPath, ec) ? CenterKey::load(keyPath)
                                                                 : CenterKey::create(keyPath, center->code, center->name);
    if (!key) return key;
    if (key->centerId() != center->code)
        return fail(ErrorCode::Conflict,
                    fmt::format("the center key {} belongs to center {}, not {}; point KIOSK_CENTER_KEY at this "
                                "center's key or move that file away",
                                keyPath.string(), key->centerId(), center->code));
    auto own = key->publicInfo();
    own.own = true;
    if (auto r = trustCenterKey(store, own, actor, true); !r) return propagate(r);
    return key;
}

}  // namespace training
