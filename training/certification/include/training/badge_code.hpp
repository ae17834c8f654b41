#pragma once
/// @file badge_code.hpp
/// @brief The signed code of certificates and badge cards (product.md §8) and its QR text.
///
/// QR text: `https://HOST/PATH#CODE`, the center's verification address (CenterKey::verifyUrl, set with
/// `kioskctl key url`) with the code in the fragment, which a browser never sends to any server; the bare CODE
/// when the center has no address. The page in web/verify/ checks the code in the browser, offline.
///
/// CODE, version 2: decimal digits, so the QR code holds it in numeric mode (3.3 bits a digit): the bytes
/// `record | signature` in groups of 7 bytes, each written as 17 digits (a last group of 1..6 bytes as
/// 3, 5, 8, 10, 13 or 15 digits), big-endian. The URL before it is a byte-mode segment.
///
/// Record, version 2 (strings UTF-8, each preceded by its length in one byte):
///   u8 version (=2) | str center id |
///   number: 0xFF u16 year u24 sequence when it is CENTER-YYYY-NNNNNN, else str |
///   str name | masked ID: u8 (0x80 | stars) str head str tail when it is HEAD***TAIL, else str |
///   str course code | u16 agency id | u16 issue date | u16 expiry date (days since 1970-01-01, big-endian) |
///   64-byte Ed25519 signature of "HSB2:" + the record bytes before it.
///
/// Version 1 (`HSB1:` followed by base45 of a record with plain strings, signed with "HSB1:" before it) is still
/// read and verified: certificates printed before version 2 keep working.

#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "training/center_key.hpp"

namespace training {

/// @brief Prefix of a version-1 payload (read, no longer written).
inline constexpr std::string_view kBadgePrefix = "HSB1:";
/// @brief Longest version-1 payload text: the alphanumeric capacity of a version-10 QR code at level M.
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
    /// The employing agency's id at the issuing center (0: none, or not in a version-1 code); its name is in the
    /// signed keys file of the verification page (`kioskctl web export`). Ids above 65535 are written as 0.
    std::int64_t agencyId{0};
    bool operator==(const BadgeFields&) const = default;
};

/// @brief Signs and encodes @p fields as a version-2 code (digits).
/// @retval InvalidInput a field is too long or a date is not YYYY-MM-DD from 1970-01-01 to 2149-06-06
[[nodiscard]] Result<std::string> encodeBadgeCode(const BadgeFields& fields, const CenterKey& key);
/// @brief The QR text: encodeBadgeCode() in the fragment of the key's verification URL (the bare code without one).
/// @retval InvalidInput as encodeBadgeCode()
[[nodiscard]] Result<std::string> encodeBadgePayload(const BadgeFields& fields, const CenterKey& key);
/// @brief `URL#CODE`, or @p code when @p verifyUrl is empty.
[[nodiscard]] std::string badgeQrText(std::string_view code, std::string_view verifyUrl);
/// @brief The code in a QR text: the fragment of an http(s) URL, else the text; surrounding white space dropped.
[[nodiscard]] std::string_view badgeCodeOf(std::string_view text);
/// @brief @p url when it can be a verification address: https://HOST[/PATH], at most 64 printable ASCII
/// characters, no '#', '?', spaces, quotes, '<', '>' or backslash.
/// @retval InvalidInput naming what is wrong
[[nodiscard]] Result<std::string> checkVerifyUrl(std::string_view url);

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
/// not expired on @p today (the expiry date itself is still valid). Checks run in that order. @p trusted may hold
/// several keys of one center (centerKeys(): current, retired, revoked): any current or retired one verifies; a
/// code only a revoked key verifies is BadSignature, and the message names the revoked key.
[[nodiscard]] BadgeVerification verifyBadgePayload(std::string_view text, std::span<const CenterPublicKey> trusted,
                                                   const RevocationLookup& revoked, std::chrono::year_month_day today);

/// @brief Decodes the fields without checking anything but the format (for display and tests). Takes a URL, a
/// version-2 code or a version-1 text.
/// @retval InvalidInput the text is not a badge code
[[nodiscard]] Result<BadgeFields> decodeBadgePayload(std::string_view text);

/// @brief Bytes as digits: groups of 7 bytes as 17 digits, a last group of n bytes as 3, 5, 8, 10, 13 or 15.
[[nodiscard]] std::string numericEncode(std::span<const std::uint8_t> data);
/// @brief nullopt when @p digits is not what numericEncode() writes.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> numericDecode(std::string_view digits);
/// @brief RFC 9285 base45.
[[nodiscard]] std::string base45Encode(std::span<const std::uint8_t> data);
/// @brief nullopt when @p text is not valid base45.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> base45Decode(std::string_view text);

}  // namespace training
