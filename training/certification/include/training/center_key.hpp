#pragma once
/// @file center_key.hpp
/// @brief The center's Ed25519 signing key (libsodium) and the public keys of trusted centers.
///
/// The secret key lives in a file readable only by its owner (mode 0600), outside the database:
/// `$KIOSK_CENTER_KEY` when set, else `<database>.center-key` next to the database. Its public half is
/// exported as a small JSON text (`kioskctl key export`) that other centers import (`kioskctl key trust`).
/// The center's own public key is recorded among the trusted keys when the key is created, so payloads
/// the center signed verify on its own kiosks.

#include <array>
#include <cstdint>
#include <filesystem>
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

/// @brief A center's public identity: its id (the center code used in badge payloads) and key.
struct CenterPublicKey {
    std::string centerId;  ///< e.g. "C001"
    std::string name;      ///< the center's name, for people (may be empty)
    PublicKeyBytes key{};
    bool own{false};       ///< true for this center's own key (in trustedKeys())
    bool operator==(const CenterPublicKey&) const = default;
};

/// @brief Where the secret key file is: `$KIOSK_CENTER_KEY` when set and not empty, else `<db>.center-key`.
[[nodiscard]] std::filesystem::path defaultCenterKeyPath(const std::filesystem::path& databasePath);

/// @brief The center's key pair, loaded from or written to its file.
class CenterKey {
public:
    /// @brief Creates a new key pair for @p centerId and writes it to @p path (mode 0600, written to a
    /// temporary file and renamed, never over an existing key).
    /// @retval Conflict a key file already exists at @p path (keep it, or move it away to make a new one)
    /// @retval Io       the directory is missing or not writable
    [[nodiscard]] static Result<CenterKey> create(const std::filesystem::path& path, const std::string& centerId,
                                                  const std::string& centerName = {});
    /// @brief Loads the key file.
    /// @retval NotFound no file (run `kioskctl init`, or set KIOSK_CENTER_KEY)
    /// @retval Refused  the file is readable or writable by group or others (chmod 600 it)
    /// @retval Corrupt  not a center key file
    [[nodiscard]] static Result<CenterKey> load(const std::filesystem::path& path);
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
    [[nodiscard]] static Result<CenterKey> setVerifyUrl(const std::filesystem::path& path, const std::string& url);
    /// @brief The center's verification address ("" when none is set): QR codes are `URL#CODE`.
    [[nodiscard]] const std::string& verifyUrl() const { return m_verifyUrl; }
    /// @brief For keys that exist only in memory (tests, demo documents).
    void setVerifyUrlInMemory(std::string url) { m_verifyUrl = std::move(url); }

    [[nodiscard]] const std::string& centerId() const { return m_public.centerId; }
    [[nodiscard]] const PublicKeyBytes& publicKey() const { return m_public.key; }
    /// @brief The public half, with own = true.
    [[nodiscard]] const CenterPublicKey& publicInfo() const { return m_public; }

private:
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

/// @brief The exported form of a public key: a JSON object
/// `{"format":"badge-center-key","version":1,"center":"C001","name":"...","public_key":"<base64url>"}`.
[[nodiscard]] std::string exportPublicKey(const CenterPublicKey& key);
/// @brief Parses the exported form.
/// @retval InvalidInput not an exported center key (the message names the problem)
[[nodiscard]] Result<CenterPublicKey> parsePublicKey(std::string_view text);

/// @brief Records a trusted center key (audited). Re-importing the same key is a no-op; a different key
/// for a known center id replaces it only when @p replace is set.
/// @retval Conflict the center id is trusted with another key (check with that center, then pass replace)
[[nodiscard]] Result<CenterPublicKey> trustCenterKey(Store& store, const CenterPublicKey& key, const Actor& actor,
                                                     bool replace = false);
/// @brief All trusted keys, the center's own first.
[[nodiscard]] Result<std::vector<CenterPublicKey>> trustedKeys(Store& store);

/// @brief What `kioskctl init` calls: creates the key file when there is none (or loads it), and records
/// its public key as the center's own trusted key. Returns the key. A missing folder of @p keyPath (the center
/// folder of a URI, or one given with --center-dir) is made owner-only first.
/// @retval Io the folder or the key file could not be made
/// @retval Conflict the existing key file belongs to another center id
[[nodiscard]] Result<CenterKey> ensureCenterKey(Store& store, const std::filesystem::path& keyPath, const Actor& actor);

/// @brief Records in the audit log that the center's verification address changed (CenterKey::setVerifyUrl).
[[nodiscard]] Result<void> recordVerifyUrlChange(Store& store, const std::string& centerId, const std::string& url,
                                                 const Actor& actor);

/// @brief base64url without padding (RFC 4648 §5).
[[nodiscard]] std::string base64UrlEncode(std::span<const std::uint8_t> data);
/// @brief Decodes base64url or standard base64, with or without padding; nullopt when malformed.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> base64Decode(std::string_view text);

}  // namespace training
