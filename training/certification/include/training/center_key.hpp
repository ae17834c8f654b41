#pragma once
/// @file center_key.hpp
/// @brief The center's Ed25519 signing key (libsodium) and the public keys of trusted centers.
///
/// The secret key lives in a file readable only by its owner (mode 0600), outside the database:
/// `$KIOSK_CENTER_KEY` when set, else `<database>.center-key` next to the database. Its public half is
/// exported as a small JSON text (`kioskctl key export`) that other centers import (`kioskctl key trust`).
/// The center's own public key is recorded among the trusted keys when the key is created, so payloads
/// the center signed verify on its own kiosks.
///
/// Key custody (issue 14): the file may be protected by a passphrase (version 2: the Ed25519 seed sealed with
/// crypto_secretbox_easy under a key derived with crypto_pwhash Argon2id, salt and limits in the file); plain
/// files (version 1) still load. `kioskctl key rotate` makes a new key pair and keeps the earlier public key as
/// the center's retired key, so documents issued before still verify; `kioskctl key revoke` marks a key
/// compromised: nothing signed by it verifies any more. Keys are named by keyId() (16 hex digits).

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "training/error.hpp"

namespace training {

class Store;
using Actor = std::string;

/// @brief An Ed25519 public key (32 bytes).
using PublicKeyBytes = std::array<std::uint8_t, 32>;
/// @brief A detached Ed25519 signature (64 bytes).
using SignatureBytes = std::array<std::uint8_t, 64>;

/// @brief Where a key stands: the center's current key, an earlier key of the center kept to verify the documents
/// it signed (rotated, or replaced with `key trust --replace`), or revoked (nothing it signed verifies).
enum class KeyStatus { Current, Retired, Revoked };
/// @brief "current", "retired", "revoked".
[[nodiscard]] std::string_view keyStatusName(KeyStatus status) noexcept;

/// @brief A center's public identity: its id (the center code used in badge payloads) and key.
struct CenterPublicKey {
    std::string centerId;  ///< e.g. "C001"
    std::string name;      ///< the center's name, for people (may be empty)
    PublicKeyBytes key{};
    bool own{false};       ///< true for this center's own key (in trustedKeys())
    KeyStatus status{KeyStatus::Current};  ///< filled by centerKeys(); trustedKeys() has current keys only
    std::int64_t since{0};                 ///< Retired/Revoked: when it was retired or revoked (Unix seconds)
    std::string revocationReason;          ///< Revoked: why
    bool operator==(const CenterPublicKey&) const = default;
};

/// @brief A key's short name: the first 16 hex digits of the SHA-256 of the public key.
[[nodiscard]] std::string keyId(const PublicKeyBytes& key);

/// @brief Gives the passphrase of a protected key file (environment, terminal, a kiosk's prompt); an error when
/// there is none to give (its message says how to give one).
using PassphraseSource = std::function<Result<std::string>()>;
/// @brief A passphrase protecting a key file has at least this many characters.
inline constexpr std::size_t kMinPassphraseLength = 12;

/// @brief What a key file says without its secret (no passphrase needed).
struct KeyFileInfo {
    CenterPublicKey publicKey;  ///< own = true
    std::string verifyUrl;
    bool isProtected{false};    ///< the seed is sealed under a passphrase (version 2)
};

/// @brief Where the secret key file is: `$KIOSK_CENTER_KEY` when set and not empty, else `<db>.center-key`.
[[nodiscard]] std::filesystem::path defaultCenterKeyPath(const std::filesystem::path& databasePath);

/// @brief The center's key pair, loaded from or written to its file. The secret is zeroed when dropped.
class CenterKey {
public:
    CenterKey(const CenterKey&) = default;
    CenterKey(CenterKey&&) = default;
    CenterKey& operator=(const CenterKey&) = default;
    CenterKey& operator=(CenterKey&&) = default;
    ~CenterKey();

    /// @brief Creates a new key pair for @p centerId and writes it to @p path (mode 0600, written to a
    /// temporary file and renamed, never over an existing key); sealed under @p passphrase when it is not empty.
    /// @retval Conflict     a key file already exists at @p path (keep it, or move it away to make a new one)
    /// @retval InvalidInput the passphrase is shorter than kMinPassphraseLength
    /// @retval Io           the directory is missing or not writable
    [[nodiscard]] static Result<CenterKey> create(const std::filesystem::path& path, const std::string& centerId,
                                                  const std::string& centerName = {},
                                                  std::string_view passphrase = {});
    /// @brief Loads the key file; a protected one asks @p passphrase for its passphrase.
    /// @retval NotFound   no file (run `kioskctl init`, or set KIOSK_CENTER_KEY)
    /// @retval Refused    the file is readable or writable by group or others (chmod 600 it); or it is
    ///                    protected and no passphrase was given (reason `key.passphrase-required`: set
    ///                    KIOSK_KEY_PASSPHRASE or type it; on a kiosk, sign at the clerk's PC with kioskctl)
    /// @retval AuthFailed the passphrase does not open the key (reason `key.passphrase-wrong`)
    /// @retval Corrupt    not a center key file
    [[nodiscard]] static Result<CenterKey> load(const std::filesystem::path& path,
                                                const PassphraseSource& passphrase = {});
    /// @brief Reads the public part of the key file (no passphrase needed).
    /// @retval NotFound, Refused, Corrupt as load()
    [[nodiscard]] static Result<KeyFileInfo> inspect(const std::filesystem::path& path);
    /// @brief Rewrites the plain key file at @p path sealed under @p passphrase (temporary file renamed over it).
    /// @retval Conflict     the file is protected already
    /// @retval InvalidInput the passphrase is shorter than kMinPassphraseLength
    /// @retval NotFound, Refused, Corrupt as load(); Io the file could not be rewritten
    [[nodiscard]] static Result<CenterKey> protect(const std::filesystem::path& path, std::string_view passphrase);
    /// @brief A key that exists only in memory (tests, benchmarks, demo documents).
    [[nodiscard]] static CenterKey ephemeral(const std::string& centerId, const std::string& centerName = {});

    /// @brief Signs @p message (detached Ed25519).
    [[nodiscard]] SignatureBytes sign(std::span<const std::uint8_t> message) const;
    [[nodiscard]] SignatureBytes sign(std::string_view message) const;

    /// @brief Sets (or with an empty @p url removes) the verification address of the key file at @p path: the
    /// https URL whose fragment carries the badge codes this center signs (checkVerifyUrl). The file is rewritten
    /// (mode 0600, temporary file renamed over it); the key itself does not change.
    /// @retval InvalidInput not a usable address
    /// @retval NotFound, Refused, Corrupt as load()
    /// @retval Io the file could not be rewritten
    [[nodiscard]] static Result<KeyFileInfo> setVerifyUrl(const std::filesystem::path& path, const std::string& url);
    /// @brief The center's verification address ("" when none is set): QR codes are `URL#CODE`.
    [[nodiscard]] const std::string& verifyUrl() const { return m_verifyUrl; }
    /// @brief For keys that exist only in memory (tests, demo documents).
    void setVerifyUrlInMemory(std::string url) { m_verifyUrl = std::move(url); }

    [[nodiscard]] const std::string& centerId() const { return m_public.centerId; }
    [[nodiscard]] const PublicKeyBytes& publicKey() const { return m_public.key; }
    /// @brief The public half, with own = true.
    [[nodiscard]] const CenterPublicKey& publicInfo() const { return m_public; }

private:
    friend Result<CenterKey> rotateCenterKey(Store&, const std::filesystem::path&, const PassphraseSource&,
                                             const std::string&);
    CenterKey() = default;
    CenterPublicKey m_public;
    std::array<std::uint8_t, 64> m_secret{};
    std::string m_verifyUrl;
};

/// @brief True when @p signature is a valid Ed25519 signature of @p message by @p key.
[[nodiscard]] bool verifySignature(const PublicKeyBytes& key, std::span<const std::uint8_t> message,
                                   std::span<const std::uint8_t> signature);
[[nodiscard]] bool verifySignature(const PublicKeyBytes& key, std::string_view message,
                                   std::span<const std::uint8_t> signature);

/// @brief What checking a signature against a center's keys found.
struct KeyCheck {
    enum class Outcome {
        Verified,       ///< a current or retired key of the center verifies it (key says which)
        UnknownCenter,  ///< no key of that center is trusted
        BadSignature,   ///< no key of the center verifies it: altered or forged
        RevokedKey,     ///< only a revoked key verifies it (key says which): not to be trusted
    } outcome{Outcome::UnknownCenter};
    const CenterPublicKey* key{nullptr};
    /// @brief For RevokedKey: "key K of center C was revoked on DATE (REASON)".
    [[nodiscard]] std::string revokedText() const;
};
/// @brief Checks @p signature of @p message against every key of @p centerId in @p keys (centerKeys()): current and
/// retired keys verify; a revoked key that matches is reported as such.
[[nodiscard]] KeyCheck checkCenterSignature(std::span<const CenterPublicKey> keys, const std::string& centerId,
                                            std::span<const std::uint8_t> message,
                                            std::span<const std::uint8_t> signature);
[[nodiscard]] KeyCheck checkCenterSignature(std::span<const CenterPublicKey> keys, const std::string& centerId,
                                            std::string_view message, std::span<const std::uint8_t> signature);

/// @brief The exported form of a public key: a JSON object
/// `{"format":"badge-center-key","version":1,"center":"C001","name":"...","public_key":"<base64url>"}`.
[[nodiscard]] std::string exportPublicKey(const CenterPublicKey& key);
/// @brief Parses the exported form.
/// @retval InvalidInput not an exported center key (the message names the problem)
[[nodiscard]] Result<CenterPublicKey> parsePublicKey(std::string_view text);

/// @brief Records a trusted center key (audited). Re-importing the same key is a no-op; a different key
/// for a known center id replaces it only when @p replace is set, and the key it replaces stays as that center's
/// retired key (what it signed still verifies).
/// @retval Conflict the center id is trusted with another key (check with that center, then pass replace)
/// @retval Refused  the key was revoked (`kioskctl key revoke`): it cannot be trusted again
[[nodiscard]] Result<CenterPublicKey> trustCenterKey(Store& store, const CenterPublicKey& key, const Actor& actor,
                                                     bool replace = false);
/// @brief The current trusted keys (one per center), the center's own first.
[[nodiscard]] Result<std::vector<CenterPublicKey>> trustedKeys(Store& store);
/// @brief Every key known: the current ones (trustedKeys()), then retired and revoked ones (status, since, reason).
[[nodiscard]] Result<std::vector<CenterPublicKey>> centerKeys(Store& store);

/// @brief `kioskctl key rotate`: makes a new key pair, writes it over the key file at @p keyPath (sealed under the
/// same passphrase when the file was protected: @p passphrase is asked for it and must open the old key), keeps the
/// earlier public key as the center's retired key and records the new one as current (audited `key.rotate`).
/// Returns the new key.
/// @retval NotFound, Refused, AuthFailed, Corrupt as CenterKey::load()
/// @retval Conflict the key file belongs to another center than the database's
/// @retval Io the new file could not be written (the old key stays in force)
[[nodiscard]] Result<CenterKey> rotateCenterKey(Store& store, const std::filesystem::path& keyPath,
                                                const PassphraseSource& passphrase, const Actor& actor);

/// @brief `kioskctl key revoke`: marks the key named @p id (keyId(), at least 8 hex digits of it) revoked, with the
/// time and @p reason (audited `key.revoke`). Another center's current key stops being its current key (trust
/// its new key with `key trust`). Returns the key as it now stands.
/// @retval NotFound     no key has that id
/// @retval Conflict     two keys start with that id (give more digits)
/// @retval Refused      it is this center's current key (rotate first: `kioskctl key rotate`), or it is revoked already
/// @retval InvalidInput no reason given
[[nodiscard]] Result<CenterPublicKey> revokeCenterKey(Store& store, const std::string& id, const std::string& reason,
                                                      const Actor& actor);

/// @brief What `kioskctl init` calls: creates the key file when there is none (or loads it), and records
/// its public key as the center's own trusted key. Returns the key. A missing folder of @p keyPath (the center
/// folder of a URI, or one given with --center-dir) is made owner-only first.
/// @retval Io the folder or the key file could not be made
/// @retval Conflict the existing key file belongs to another center id
/// @p passphrase: for a new key, seals it when given (kioskctl init --protect-key); for an existing protected key,
/// opens it.
[[nodiscard]] Result<CenterKey> ensureCenterKey(Store& store, const std::filesystem::path& keyPath, const Actor& actor,
                                                const PassphraseSource& passphrase = {});

/// @brief Records in the audit log ("key.protect") that the key file of @p key was sealed under a passphrase
/// (CenterKey::protect), in a transaction of its own.
[[nodiscard]] Result<void> recordKeyProtected(Store& store, const CenterKey& key, const Actor& actor);

/// @brief Records in the audit log that the center's verification address changed (CenterKey::setVerifyUrl).
[[nodiscard]] Result<void> recordVerifyUrlChange(Store& store, const std::string& centerId, const std::string& url,
                                                 const Actor& actor);

/// @brief base64url without padding (RFC 4648 §5).
[[nodiscard]] std::string base64UrlEncode(std::span<const std::uint8_t> data);
/// @brief Decodes base64url or standard base64, with or without padding; nullopt when malformed.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> base64Decode(std::string_view text);

}  // namespace training
