#pragma once
/// @file badge_code.hpp
/// @brief The signed QR payload of certificates and badge cards (product.md §8).
///
/// Text form: `HSB1:` followed by the base45 (RFC 9285) encoding of a binary record and its Ed25519
/// signature. Base45 uses only QR alphanumeric characters, so the whole text is encoded in alphanumeric
/// mode and fits a QR code of version ≤ 10 at error correction M (at most kMaxPayloadChars characters).
///
/// Binary record, version 1 (all strings UTF-8, each preceded by its length in one byte):
///   u8 version (=1) | str center id | str certificate number | str name | str masked ID number |
///   str course code | u16 issue date | u16 expiry date (days since 1970-01-01, big-endian) |
///   64-byte Ed25519 signature of "HSB1:" + the bytes before it.

#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "training/center_key.hpp"

namespace training {

/// @brief Prefix of every payload (version 1).
inline constexpr std::string_view kBadgePrefix = "HSB1:";
/// @brief Longest payload text: the alphanumeric capacity of a version-10 QR code at level M.
inline constexpr std::size_t kMaxPayloadChars = 311;

/// @brief What the QR code says.
struct BadgeFields {
    std::string centerId;           ///< max 16 bytes
    std::string certificateNumber;  ///< max 24 bytes
    std::string name;               ///< max 48 bytes (16 Chinese characters)
    std::string maskedId;           ///< max 24 bytes, e.g. "310101********1234"
    std::string courseCode;         ///< max 16 bytes
    std::string issueDate;          ///< YYYY-MM-DD
    std::string expiryDate;         ///< YYYY-MM-DD
    bool operator==(const BadgeFields&) const = default;
};

/// @brief Signs and encodes @p fields.
/// @retval InvalidInput a field is too long or a date is not YYYY-MM-DD from 1970-01-01 to 2149-06-06
[[nodiscard]] Result<std::string> encodeBadgePayload(const BadgeFields& fields, const CenterKey& key);

/// @brief The outcome of verifying a payload.
enum class BadgeVerdict { Valid, BadSignature, UnknownCenter, Expired, Revoked, Malformed };
/// @brief "valid", "bad-signature", "unknown-center", "expired", "revoked", "malformed".
[[nodiscard]] std::string_view badgeVerdictName(BadgeVerdict v) noexcept;

/// @brief A verdict, the fields when they could be read, and an explanation for people.
struct BadgeVerification {
    BadgeVerdict verdict{BadgeVerdict::Malformed};
    std::optional<BadgeFields> fields;  ///< present unless malformed
    std::string message;
    std::optional<std::string> revocationReason;
};

/// @brief Looks up a revocation: the reason when (center id, certificate number) is revoked.
using RevocationLookup = std::function<std::optional<std::string>(const std::string& centerId,
                                                                  const std::string& certificateNumber)>;

/// @brief Verifies @p text: well-formed, issued by a trusted center, signature valid, not revoked,
/// not expired on @p today (the expiry date itself is still valid). Checks run in that order.
[[nodiscard]] BadgeVerification verifyBadgePayload(std::string_view text, std::span<const CenterPublicKey> trusted,
                                                   const RevocationLookup& revoked, std::chrono::year_month_day today);

/// @brief Decodes the fields without checking anything but the format (for display and tests).
/// @retval InvalidInput the text is not a version-1 payload
[[nodiscard]] Result<BadgeFields> decodeBadgePayload(std::string_view text);

/// @brief RFC 9285 base45.
[[nodiscard]] std::string base45Encode(std::span<const std::uint8_t> data);
/// @brief nullopt when @p text is not valid base45.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> base45Decode(std::string_view text);

}  // namespace training
