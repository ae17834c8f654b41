// The center's Ed25519 key pair (file, mode 0600) and the trusted keys of centers.
#include "training/center_key.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "training/badge_code.hpp"
#include "training/database.hpp"
#include "training/store.hpp"
#include "training/validation.hpp"
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

std::string_view keyStatusName(KeyStatus status) noexcept {
    switch (status) {
        case KeyStatus::Current: return "current";
        case KeyStatus::Retired: return "retired";
        case KeyStatus::Revoked: return "revoked";
    }
    return "current";
}

std::string keyId(const PublicKeyBytes& key) {
    initSodium();
    std::array<std::uint8_t, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), key.data(), key.size());
    std::string out;
    for (std::size_t i = 0; i < 8; ++i) out += fmt::format("{:02x}", digest[i]);
    return out;
}

namespace {

// Argon2id limits of new protected files (stored in the file; a file's own limits are used to open it).
constexpr unsigned long long kOpsLimit = 3;
constexpr std::size_t kMemLimit = 64u << 20;
// What a file may ask for at most: a larger value is not one this program wrote.
constexpr unsigned long long kMaxOpsLimit = 64;
constexpr std::size_t kMaxMemLimit = 1u << 30;

/// A secret buffer that zeroes itself when dropped.
struct Secret {
    std::vector<std::uint8_t> bytes;
    Secret() = default;
    explicit Secret(std::vector<std::uint8_t> b) : bytes(std::move(b)) {}
    Secret(const Secret&) = delete;
    Secret& operator=(const Secret&) = delete;
    Secret(Secret&& other) noexcept : bytes(std::move(other.bytes)) { other.bytes.clear(); }
    Secret& operator=(Secret&&) = delete;
    ~Secret() {
        if (!bytes.empty()) sodium_memzero(bytes.data(), bytes.size());
    }
};

void wipe(std::string& s) {
    if (!s.empty()) sodium_memzero(s.data(), s.size());
    s.clear();
}

Result<void> checkPassphrase(std::string_view passphrase) {
    if (passphrase.size() < kMinPassphraseLength)
        return fail(ErrorCode::InvalidInput,
                    fmt::format("the key passphrase has {} characters; use at least {} (a sentence is easy to "
                                "remember)",
                                passphrase.size(), kMinPassphraseLength));
    return {};
}

/// The key file's JSON, after the checks every reader makes (exists, private, JSON object).
Result<json> readKeyJson(const std::filesystem::path& path) {
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
    std::string text = ss.str();
    auto j = json::parse(text, nullptr, false);
    wipe(text);
    if (!j.is_object())
        return fail(ErrorCode::Corrupt, fmt::format("{} is not a usable center key file (not JSON); restore it from "
                                                    "the backup",
                                                    path.string()));
    return j;
}

/// A key file's content: what inspect() shows, and the seed (plain file) or its sealed form (protected file).
struct ParsedKeyFile {
    KeyFileInfo info;
    Secret plainSeed;  ///< version 1
    unsigned long long opsLimit{0};
    std::size_t memLimit{0};
    std::vector<std::uint8_t> salt, nonce, sealed;  ///< version 2
};

Result<void> parseKeyFile(const json& j, const std::filesystem::path& path, ParsedKeyFile& out) {
    const auto corrupt = [&](std::string_view what) {
        return fail(ErrorCode::Corrupt, fmt::format("{} is not a usable center key file ({}); restore it from the "
                                                    "backup",
                                                    path.string(), what));
    };
    using jsonfields::Kind;
    if (auto m = jsonfields::mistyped(j, {{"format", Kind::String}, {"version", Kind::Integer}, {"center", Kind::String},
                                          {"seed", Kind::String}, {"name", Kind::String}, {"public_key", Kind::String},
                                          {"protection", Kind::Object}, {"verify_url", Kind::String}}))
        return corrupt(*m);
    if (j.value("format", "") != kSecretFormat) return corrupt("unknown format");
    const auto version = j.value("version", 0);
    if (version != 1 && version != 2) return corrupt("unsupported version");
    if (!j.contains("center")) return corrupt("center missing");
    auto& pub = out.info.publicKey;
    pub.centerId = j["center"].get<std::string>();
    pub.name = j.value("name", "");
    pub.own = true;
    if (version == 1) {
        if (!j.contains("seed")) return corrupt("center or seed missing");
        auto seed = base64Decode(j["seed"].get<std::string>());
        if (!seed || seed->size() != crypto_sign_SEEDBYTES) return corrupt("bad seed");
        out.plainSeed.bytes = std::move(*seed);
        std::array<std::uint8_t, 64> secret{};
        crypto_sign_seed_keypair(pub.key.data(), secret.data(), out.plainSeed.bytes.data());
        sodium_memzero(secret.data(), secret.size());
        if (j.contains("public_key") && j["public_key"].get<std::string>() != base64UrlEncode(pub.key))
            return corrupt("the public key does not match the seed");
    } else {
        if (j.contains("seed")) return corrupt("a protected file holds a plain seed");
        if (!j.contains("public_key") || !j.contains("protection")) return corrupt("public_key or protection missing");
        auto key = base64Decode(j["public_key"].get<std::string>());
        if (!key || key->size() != pub.key.size()) return corrupt("public_key is not 32 bytes of base64url");
        std::ranges::copy(*key, pub.key.begin());
        const auto& p = j["protection"];
        if (auto m = jsonfields::mistyped(p, {{"kdf", Kind::String}, {"opslimit", Kind::Integer},
                                              {"memlimit", Kind::Integer}, {"salt", Kind::String},
                                              {"nonce", Kind::String}, {"sealed", Kind::String}},
                                          "protection."))
            return corrupt(*m);
        if (p.value("kdf", "") != "argon2id13") return corrupt("protection.kdf is not argon2id13");
        const auto ops = p.value("opslimit", std::int64_t{0});
        const auto mem = p.value("memlimit", std::int64_t{0});
        if (ops < static_cast<std::int64_t>(crypto_pwhash_OPSLIMIT_MIN) || ops > static_cast<std::int64_t>(kMaxOpsLimit) ||
            mem < static_cast<std::int64_t>(crypto_pwhash_MEMLIMIT_MIN) || mem > static_cast<std::int64_t>(kMaxMemLimit))
            return corrupt("protection limits out of range");
        out.opsLimit = static_cast<unsigned long long>(ops);
        out.memLimit = static_cast<std::size_t>(mem);
        auto salt = base64Decode(p.value("salt", ""));
        auto nonce = base64Decode(p.value("nonce", ""));
        auto sealed = base64Decode(p.value("sealed", ""));
        if (!salt || salt->size() != crypto_pwhash_SALTBYTES) return corrupt("protection.salt");
        if (!nonce || nonce->size() != crypto_secretbox_NONCEBYTES) return corrupt("protection.nonce");
        if (!sealed || sealed->size() != crypto_secretbox_MACBYTES + crypto_sign_SEEDBYTES)
            return corrupt("protection.sealed");
        out.salt = std::move(*salt);
        out.nonce = std::move(*nonce);
        out.sealed = std::move(*sealed);
        out.info.isProtected = true;
    }
    if (j.contains("verify_url")) {
        auto url = checkVerifyUrl(j["verify_url"].get<std::string>());
        if (!url) return corrupt(url.error().message);
        out.info.verifyUrl = *url;
    }
    return {};
}

Result<Secret> deriveBoxKey(std::string_view passphrase, std::span<const std::uint8_t> salt, unsigned long long ops,
                            std::size_t mem) {
    Secret key(std::vector<std::uint8_t>(crypto_secretbox_KEYBYTES));
    if (crypto_pwhash(key.bytes.data(), key.bytes.size(), passphrase.data(), passphrase.size(), salt.data(), ops, mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return fail(ErrorCode::Io, fmt::format("not enough memory to derive the key from the passphrase ({} MiB "
                                               "needed); close other programs and try again",
                                               mem >> 20));
    return key;
}

/// The seed of a protected file, opened with the passphrase from @p source.
Result<Secret> openSeed(const ParsedKeyFile& f, const std::filesystem::path& path, const PassphraseSource& source) {
    if (!source)
        return std::unexpected(Error{ErrorCode::Refused,
                                     fmt::format("the center key {} is protected by a passphrase: set "
                                                 "KIOSK_KEY_PASSPHRASE or type it when kioskctl asks (on a kiosk, "
                                                 "certificates are signed at the clerk's PC with kioskctl)",
                                                 path.string()),
                                     "key.passphrase-required"});
    auto pass = source();
    if (!pass) {
        auto e = pass.error();
        if (e.reason.empty()) e.reason = "key.passphrase-required";
        return std::unexpected(e);
    }
    auto boxKey = deriveBoxKey(*pass, f.salt, f.opsLimit, f.memLimit);
    wipe(*pass);
    if (!boxKey) return propagate(boxKey);
    Secret seed(std::vector<std::uint8_t>(crypto_sign_SEEDBYTES));
    if (crypto_secretbox_open_easy(seed.bytes.data(), f.sealed.data(), f.sealed.size(), f.nonce.data(),
                                   boxKey->bytes.data()) != 0)
        return std::unexpected(Error{ErrorCode::AuthFailed,
                                     fmt::format("the passphrase does not open the center key {}; type it again "
                                                 "(check KIOSK_KEY_PASSPHRASE), or restore the key from the backup",
                                                 path.string()),
                                     "key.passphrase-wrong"});
    return seed;
}

/// The JSON of a key file holding @p seed: plain (version 1) or sealed under @p passphrase (version 2).
Result<std::string> keyFileText(const CenterPublicKey& pub, std::span<const std::uint8_t> seed,
                                std::string_view passphrase, const std::string& verifyUrl) {
    json j{{"format", kSecretFormat}, {"center", pub.centerId}, {"name", pub.name}};
    if (passphrase.empty()) {
        j["version"] = 1;
        j["seed"] = base64UrlEncode(seed);
    } else {
        if (auto r = checkPassphrase(passphrase); !r) return propagate(r);
        std::vector<std::uint8_t> salt(crypto_pwhash_SALTBYTES), nonce(crypto_secretbox_NONCEBYTES);
        randombytes_buf(salt.data(), salt.size());
        randombytes_buf(nonce.data(), nonce.size());
        auto boxKey = deriveBoxKey(passphrase, salt, kOpsLimit, kMemLimit);
        if (!boxKey) return propagate(boxKey);
        std::vector<std::uint8_t> sealed(crypto_secretbox_MACBYTES + seed.size());
        crypto_secretbox_easy(sealed.data(), seed.data(), seed.size(), nonce.data(), boxKey->bytes.data());
        j["version"] = 2;
        j["protection"] = json{{"kdf", "argon2id13"},
                               {"opslimit", kOpsLimit},
                               {"memlimit", kMemLimit},
                               {"salt", base64UrlEncode(salt)},
                               {"nonce", base64UrlEncode(nonce)},
                               {"sealed", base64UrlEncode(sealed)}};
    }
    j["public_key"] = base64UrlEncode(pub.key);
    if (!verifyUrl.empty()) j["verify_url"] = verifyUrl;
    return j.dump(2) + "\n";
}

/// Writes @p text to a new private temporary file beside @p path; returns its path.
Result<std::filesystem::path> writeTemp(const std::filesystem::path& path, std::string& text) {
    auto tmp = path;
    tmp += fmt::format(".tmp-{}", ::getpid());
    std::error_code ec;
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        wipe(text);
        return fail(ErrorCode::Io, fmt::format("cannot write the center key {}: {}; check that the directory exists "
                                               "and is writable",
                                               tmp.string(), std::strerror(errno)));
    }
    ::fchmod(fd, 0600);  // whatever the umask
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    wipe(text);
    if (!written) {
        std::filesystem::remove(tmp, ec);
        return fail(ErrorCode::Io, fmt::format("cannot write the center key {}; is the disk full?", tmp.string()));
    }
    return tmp;
}

Result<void> replaceWith(const std::filesystem::path& tmp, const std::filesystem::path& path) {
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        return fail(ErrorCode::Io, fmt::format("cannot rewrite the center key {}: {}", path.string(),
                                               std::strerror(errno)));
    }
    return {};
}

}  // namespace

CenterKey::~CenterKey() { sodium_memzero(m_secret.data(), m_secret.size()); }

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
                                    const std::string& centerName, std::string_view passphrase) {
    if (!initSodium()) return fail(ErrorCode::Internal, "libsodium could not be initialised");
    if (auto r = checkCenterId(centerId); !r) return propagate(r);
    if (!passphrase.empty())
        if (auto r = checkPassphrase(passphrase); !r) return propagate(r);
    std::error_code ec;
    if (std::filesystem::exists(path, ec))
        return fail(ErrorCode::Conflict,
                    fmt::format("a center key already exists at {}; keep it (it signs every certificate), or move it "
                                "away first to make a new one",
                                path.string()));
    Secret seed(std::vector<std::uint8_t>(crypto_sign_SEEDBYTES));
    randombytes_buf(seed.bytes.data(), seed.bytes.size());
    CenterKey k;
    k.m_public.centerId = centerId;
    k.m_public.name = centerName;
    k.m_public.own = true;
    crypto_sign_seed_keypair(k.m_public.key.data(), k.m_secret.data(), seed.bytes.data());
    auto text = keyFileText(k.m_public, seed.bytes, passphrase, {});
    if (!text) return propagate(text);
    auto tmp = writeTemp(path, *text);
    if (!tmp) return propagate(tmp);
    // link() refuses to replace an existing file, so two concurrent inits cannot overwrite each other's key.
    if (::link(tmp->c_str(), path.c_str()) != 0) {
        const int e = errno;
        std::filesystem::remove(*tmp, ec);
        if (e == EEXIST)
            return fail(ErrorCode::Conflict, fmt::format("a center key appeared at {} meanwhile; use it", path.string()));
        return fail(ErrorCode::Io, fmt::format("cannot create the center key {}: {}", path.string(), std::strerror(e)));
    }
    std::filesystem::remove(*tmp, ec);
    return k;
}

Result<KeyFileInfo> CenterKey::inspect(const std::filesystem::path& path) {
    auto j = readKeyJson(path);
    if (!j) return propagate(j);
    ParsedKeyFile f;
    if (auto r = parseKeyFile(*j, path, f); !r) return propagate(r);
    return f.info;
}

Result<CenterKey> CenterKey::load(const std::filesystem::path& path, const PassphraseSource& passphrase) {
    auto j = readKeyJson(path);
    if (!j) return propagate(j);
    ParsedKeyFile f;
    if (auto r = parseKeyFile(*j, path, f); !r) return propagate(r);
    CenterKey k;
    k.m_public = f.info.publicKey;
    k.m_verifyUrl = f.info.verifyUrl;
    if (!f.info.isProtected) {
        crypto_sign_seed_keypair(k.m_public.key.data(), k.m_secret.data(), f.plainSeed.bytes.data());
        return k;
    }
    auto seed = openSeed(f, path, passphrase);
    if (!seed) return propagate(seed);
    PublicKeyBytes derived{};
    crypto_sign_seed_keypair(derived.data(), k.m_secret.data(), seed->bytes.data());
    if (derived != f.info.publicKey.key)
        return fail(ErrorCode::Corrupt, fmt::format("{} is not a usable center key file (the public key does not "
                                                    "match the sealed seed); restore it from the backup",
                                                    path.string()));
    return k;
}

Result<CenterKey> CenterKey::protect(const std::filesystem::path& path, std::string_view passphrase) {
    if (auto r = checkPassphrase(passphrase); !r) return propagate(r);
    auto j = readKeyJson(path);
    if (!j) return propagate(j);
    ParsedKeyFile f;
    if (auto r = parseKeyFile(*j, path, f); !r) return propagate(r);
    if (f.info.isProtected)
        return fail(ErrorCode::Conflict, fmt::format("the center key {} is protected already", path.string()));
    auto text = keyFileText(f.info.publicKey, f.plainSeed.bytes, passphrase, f.info.verifyUrl);
    if (!text) return propagate(text);
    auto tmp = writeTemp(path, *text);
    if (!tmp) return propagate(tmp);
    if (auto r = replaceWith(*tmp, path); !r) return propagate(r);
    CenterKey k;
    k.m_public = f.info.publicKey;
    k.m_verifyUrl = f.info.verifyUrl;
    crypto_sign_seed_keypair(k.m_public.key.data(), k.m_secret.data(), f.plainSeed.bytes.data());
    return k;
}

Result<KeyFileInfo> CenterKey::setVerifyUrl(const std::filesystem::path& path, const std::string& url) {
    if (!url.empty())
        if (auto ok = checkVerifyUrl(url); !ok) return propagate(ok);
    auto j = readKeyJson(path);
    if (!j) return propagate(j);
    ParsedKeyFile f;
    if (auto r = parseKeyFile(*j, path, f); !r) return propagate(r);
    if (url.empty()) j->erase("verify_url");
    else (*j)["verify_url"] = url;
    std::string text = j->dump(2) + "\n";
    auto tmp = writeTemp(path, text);
    if (!tmp) return propagate(tmp);
    if (auto r = replaceWith(*tmp, path); !r) return propagate(r);
    f.info.verifyUrl = url;
    return f.info;
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

std::string KeyCheck::revokedText() const {
    if (!key) return {};
    return fmt::format("key {} of center {} was revoked on {} ({})", keyId(key->key), key->centerId,
                       formatUtc(key->since), key->revocationReason);
}

KeyCheck checkCenterSignature(std::span<const CenterPublicKey> keys, const std::string& centerId,
                              std::span<const std::uint8_t> message, std::span<const std::uint8_t> signature) {
    KeyCheck out;
    const CenterPublicKey* revoked = nullptr;
    bool known = false;
    for (const auto& k : keys) {
        if (k.centerId != centerId) continue;
        known = true;
        if (!verifySignature(k.key, message, signature)) continue;
        if (k.status == KeyStatus::Revoked) {
            revoked = &k;
            continue;
        }
        out.outcome = KeyCheck::Outcome::Verified;
        out.key = &k;
        return out;
    }
    if (revoked) {
        out.outcome = KeyCheck::Outcome::RevokedKey;
        out.key = revoked;
    } else {
        out.outcome = known ? KeyCheck::Outcome::BadSignature : KeyCheck::Outcome::UnknownCenter;
    }
    return out;
}

KeyCheck checkCenterSignature(std::span<const CenterPublicKey> keys, const std::string& centerId,
                              std::string_view message, std::span<const std::uint8_t> signature) {
    return checkCenterSignature(keys, centerId,
                                std::span(reinterpret_cast<const std::uint8_t*>(message.data()), message.size()),
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

Result<void> recordKeyProtected(Store& store, const CenterKey& key, const Actor& actor) {
    auto tx = store.database().transaction();
    if (!tx) return propagate(tx);
    if (auto r = store.audit(actor, "key.protect", fmt::format("key:{}", keyId(key.publicKey())),
                             json{{"center", key.centerId()}}.dump());
        !r)
        return propagate(r);
    return tx->commit();
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

Result<std::vector<CenterPublicKey>> centerKeys(Store& store) {
    auto out = trustedKeys(store);
    if (!out) return out;
    auto st = store.database().prepare(
        "SELECT center_id, name, public_key, own, retired_at, revoked_at, revoked_reason FROM former_keys "
        "ORDER BY own DESC, center_id, retired_at, key_id");
    if (!st) return propagate(st);
    if (auto done = st->forEachRow([&](Statement& rec) -> Result<void> {
        CenterPublicKey k;
        k.centerId = rec.text(0);
        k.name = rec.text(1);
        auto bytes = base64Decode(rec.text(2));
        if (!bytes || bytes->size() != k.key.size()) return {};  // cannot happen: written here
        std::ranges::copy(*bytes, k.key.begin());
        k.own = rec.int64(3) != 0;
        if (rec.isNull(5)) {
            k.status = KeyStatus::Retired;
            k.since = rec.int64(4);
        } else {
            k.status = KeyStatus::Revoked;
            k.since = rec.int64(5);
            k.revocationReason = rec.text(6);
        }
        out->push_back(std::move(k));
        return {};
    }); !done)
        return propagate(done);
    return out;
}

namespace {

/// Keeps @p key as a retired key of its center (no-op when it is there already).
Result<void> retireKey(Store& store, const CenterPublicKey& key) {
    auto ins = store.database().prepare(
        "INSERT INTO former_keys (key_id, center_id, name, public_key, own, retired_at) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (key_id) DO NOTHING");
    if (!ins) return propagate(ins);
    return ins->bindAll(keyId(key.key), key.centerId, key.name, base64UrlEncode(key.key), key.own, store.now()).run();
}

/// The revocation of the key @p id, if it was revoked.
Result<std::optional<std::string>> revokedNote(Store& store, const std::string& id) {
    auto st = store.database().prepare("SELECT revoked_at, revoked_reason FROM former_keys WHERE key_id = ? AND "
                                       "revoked_at IS NOT NULL");
    if (!st) return propagate(st);
    st->bindAll(id);
    auto row = st->step();
    if (!row) return propagate(row);
    if (!*row) return std::optional<std::string>{};
    auto note = fmt::format("revoked on {} ({})", formatUtc(st->int64(0)), st->text(1));
    st->reset();
    return std::optional<std::string>{note};
}

}  // namespace

Result<CenterPublicKey> trustCenterKey(Store& store, const CenterPublicKey& key, const Actor& actor, bool replace) {
    if (auto r = checkCenterId(key.centerId); !r) return propagate(r);
    auto& db = store.database();
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    const auto id = keyId(key.key);
    auto revoked = revokedNote(store, id);
    if (!revoked) return propagate(revoked);
    if (*revoked)
        return fail(ErrorCode::Refused, fmt::format("key {} of center {} was {}: it cannot be trusted again; ask the "
                                                    "center for its new key",
                                                    id, key.centerId, **revoked));
    auto find = db.prepare("SELECT public_key, own, name FROM trusted_keys WHERE center_id = ?");
    if (!find) return propagate(find);
    find->bindAll(key.centerId);
    auto row = find->step();
    if (!row) return propagate(row);
    const std::string encoded = base64UrlEncode(key.key);
    std::optional<CenterPublicKey> replaced;
    if (*row) {
        const std::string existing = find->text(0);
        const bool existingOwn = find->int64(1) != 0;
        if (existing != encoded) {
            auto bytes = base64Decode(existing);
            if (bytes && bytes->size() == 32) {
                replaced.emplace();
                replaced->centerId = key.centerId;
                replaced->name = find->text(2);
                replaced->own = existingOwn;
                std::ranges::copy(*bytes, replaced->key.begin());
            }
        }
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
    // The key it replaces stays as the center's retired key: the documents it signed still verify.
    if (replaced)
        if (auto r = retireKey(store, *replaced); !r) return propagate(r);
    auto unretire = db.prepare("DELETE FROM former_keys WHERE key_id = ?");
    if (!unretire) return propagate(unretire);
    if (auto r = unretire->bindAll(id).run(); !r) return propagate(r);
    auto up = db.prepare("INSERT INTO trusted_keys (center_id, name, public_key, own, added_at) VALUES (?, ?, ?, ?, ?) "
                         "ON CONFLICT (center_id) DO UPDATE SET name = excluded.name, public_key = excluded.public_key, "
                         "own = excluded.own, added_at = excluded.added_at");
    if (!up) return propagate(up);
    if (auto r = up->bindAll(key.centerId, key.name, encoded, key.own, store.now()).run(); !r) return propagate(r);
    if (auto r = store.audit(actor, key.own ? "key.own" : "key.trust", fmt::format("center:{}", key.centerId),
                             json{{"public_key", encoded}, {"key_id", id}, {"name", key.name}, {"replaced", replace}}.dump());
        !r)
        return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    return key;
}

Result<CenterKey> ensureCenterKey(Store& store, const std::filesystem::path& keyPath, const Actor& actor,
                                  const PassphraseSource& passphrase) {
    auto center = store.center();
    if (!center) return propagate(center);
    std::error_code ec;
    // The center folder of a URI (or one given with --center-dir) may not exist yet: made owner-only.
    if (const auto dir = keyPath.parent_path(); !dir.empty() && !std::filesystem::exists(dir, ec))
        if (auto r = createPrivateDirectory(dir); !r) return std::unexpected(r.error());
    Result<CenterKey> key = fail(ErrorCode::Internal, "no key");
    if (std::filesystem::exists(keyPath, ec)) {
        key = CenterKey::load(keyPath, passphrase);
    } else {
        std::string pass;
        if (passphrase) {
            auto p = passphrase();
            if (!p) return propagate(p);
            pass = std::move(*p);
        }
        key = CenterKey::create(keyPath, center->code, center->name, pass);
        wipe(pass);
    }
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

Result<CenterKey> rotateCenterKey(Store& store, const std::filesystem::path& keyPath,
                                  const PassphraseSource& passphrase, const Actor& actor) {
    auto info = CenterKey::inspect(keyPath);
    if (!info) return propagate(info);
    auto center = store.center();
    if (!center) return propagate(center);
    if (info->publicKey.centerId != center->code)
        return fail(ErrorCode::Conflict,
                    fmt::format("the center key {} belongs to center {}, not {}; point KIOSK_CENTER_KEY at this "
                                "center's key",
                                keyPath.string(), info->publicKey.centerId, center->code));
    // The old key must open (a protected one with its passphrase, which then seals the new key too).
    std::string pass;
    if (info->isProtected) {
        if (!passphrase) {
            auto none = CenterKey::load(keyPath);
            return std::unexpected(none ? Error{ErrorCode::Internal, "the key opened without its passphrase"}
                                        : none.error());
        }
        auto p = passphrase();
        if (!p) return propagate(p);
        pass = std::move(*p);
    }
    auto old = CenterKey::load(keyPath, [&pass]() -> Result<std::string> { return pass; });
    if (!old) {
        wipe(pass);
        return old;
    }
    Secret seed(std::vector<std::uint8_t>(crypto_sign_SEEDBYTES));
    randombytes_buf(seed.bytes.data(), seed.bytes.size());
    CenterKey next;
    next.m_public = old->publicInfo();
    next.m_public.own = true;
    next.m_public.status = KeyStatus::Current;
    next.m_verifyUrl = old->verifyUrl();
    crypto_sign_seed_keypair(next.m_public.key.data(), next.m_secret.data(), seed.bytes.data());
    auto text = keyFileText(next.m_public, seed.bytes, pass, next.m_verifyUrl);
    wipe(pass);
    if (!text) return propagate(text);
    auto tmp = writeTemp(keyPath, *text);
    if (!tmp) return propagate(tmp);
    const auto dropTemp = [&] {
        std::error_code ec;
        std::filesystem::remove(*tmp, ec);
    };

    auto& db = store.database();
    auto tx = db.transaction();
    if (!tx) {
        dropTemp();
        return propagate(tx);
    }
    auto oldPublic = old->publicInfo();
    oldPublic.own = true;
    const auto oldId = keyId(oldPublic.key);
    const auto newId = keyId(next.publicKey());
    auto up = db.prepare("INSERT INTO trusted_keys (center_id, name, public_key, own, added_at) VALUES (?, ?, ?, 1, ?) "
                         "ON CONFLICT (center_id) DO UPDATE SET name = excluded.name, public_key = excluded.public_key, "
                         "own = excluded.own, added_at = excluded.added_at");
    if (!up) {
        dropTemp();
        return propagate(up);
    }
    Result<void> r = retireKey(store, oldPublic);
    if (r) r = up->bindAll(center->code, next.publicInfo().name, base64UrlEncode(next.publicKey()), store.now()).run();
    if (r)
        r = store.audit(actor, "key.rotate", fmt::format("center:{}", center->code),
                        json{{"retired", oldId}, {"current", newId}, {"public_key", base64UrlEncode(next.publicKey())}}
                            .dump());
    if (r) r = tx->commit();
    if (!r) {
        dropTemp();
        return propagate(r);
    }
    if (auto moved = replaceWith(*tmp, keyPath); !moved)
        return fail(ErrorCode::Io,
                    fmt::format("the new key {} is recorded but its file could not replace {} ({}); the old key still "
                                "signs and verifies: run 'kioskctl key rotate' again",
                                newId, keyPath.string(), moved.error().message));
    return next;
}

Result<CenterPublicKey> revokeCenterKey(Store& store, const std::string& id, const std::string& reason,
                                        const Actor& actor) {
    std::string wanted;
    for (char c : id) wanted += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (wanted.size() < 8 || wanted.size() > 16 ||
        !std::ranges::all_of(wanted, [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
        return fail(ErrorCode::InvalidInput,
                    fmt::format("'{}' is not a key id: give the 16 hex digits 'kioskctl key list' shows (at least 8)",
                                id));
    if (reason.find_first_not_of(" \t\n") == std::string::npos)
        return fail(ErrorCode::InvalidInput, "say why the key is revoked (--reason TEXT): it goes into the audit log");
    auto& db = store.database();
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    auto keys = centerKeys(store);
    if (!keys) return propagate(keys);
    std::vector<CenterPublicKey> matches;
    for (const auto& k : *keys)
        if (keyId(k.key).starts_with(wanted)) matches.push_back(k);
    if (matches.empty())
        return fail(ErrorCode::NotFound, fmt::format("no key has the id {}; see 'kioskctl key list'", id));
    if (matches.size() > 1)
        return fail(ErrorCode::Conflict, fmt::format("several keys start with {}; give all 16 digits", id));
    auto key = matches.front();
    const auto fullId = keyId(key.key);
    if (key.status == KeyStatus::Revoked)
        return fail(ErrorCode::Refused, fmt::format("key {} was revoked already on {} ({})", fullId,
                                                    formatUtc(key.since), key.revocationReason));
    if (key.own && key.status == KeyStatus::Current)
        return fail(ErrorCode::Refused,
                    fmt::format("key {} is this center's current signing key: run 'kioskctl key rotate' first (a new "
                                "key then signs), then revoke {}",
                                fullId, fullId));
    const auto now = store.now();
    if (key.status == KeyStatus::Current) {
        // Another center's current key: it leaves trusted_keys (trust that center's new key with 'key trust').
        if (auto r = retireKey(store, key); !r) return propagate(r);
        auto del = db.prepare("DELETE FROM trusted_keys WHERE center_id = ? AND own = 0");
        if (!del) return propagate(del);
        if (auto r = del->bindAll(key.centerId).run(); !r) return propagate(r);
    }
    auto mark = db.prepare("UPDATE former_keys SET revoked_at = ?, revoked_reason = ? WHERE key_id = ?");
    if (!mark) return propagate(mark);
    if (auto r = mark->bindAll(now, reason, fullId).run(); !r) return propagate(r);
    if (auto r = store.audit(actor, "key.revoke", fmt::format("key:{}", fullId),
                             json{{"center", key.centerId}, {"own", key.own}, {"reason", reason},
                                  {"public_key", base64UrlEncode(key.key)}}
                                 .dump());
        !r)
        return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    key.status = KeyStatus::Revoked;
    key.since = now;
    key.revocationReason = reason;
    return key;
}

}  // namespace training
