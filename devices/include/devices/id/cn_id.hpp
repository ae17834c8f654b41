#pragma once
/// @file cn_id.hpp
/// @brief China resident identity card (GB 16999 / 二代证): the 256-byte UCS-2LE text record returned by
/// readers with the public-security SAM module, the GB 3304 ethnic group names, the GB/T 2261.1 sex codes and
/// the GB 11643 check character of the ID number.

#include <optional>
#include <string>
#include <string_view>

#include "devices/error.hpp"
#include "devices/id/bytes.hpp"

namespace devices::id {

/// @brief Size of the text record.
inline constexpr std::size_t kCnIdRecordSize = 256;

/// @brief A GB 3304 ethnic group.
struct EthnicGroup {
    std::string_view code;  ///< two digits, "01" (Han) .. "56", "97" other, "98" naturalised
    std::string_view zh;    ///< e.g. "汉"
    std::string_view en;    ///< e.g. "Han"
};

/// @brief Looks up a GB 3304 code; nullptr when unknown.
[[nodiscard]] const EthnicGroup* ethnicGroup(std::string_view code) noexcept;

/// @brief Whether @p number is an 18-character ID number with a valid GB 11643 check character.
[[nodiscard]] bool cnIdNumberValid(std::string_view number) noexcept;

/// @brief Decoded text record. Dates are ISO "YYYY-MM-DD".
struct CnIdRecord {
    std::string name;
    std::string sexCode;         ///< GB/T 2261.1: "1" male, "2" female, "0" unknown, "9" unspecified
    std::string sexZh, sexEn;    ///< "男"/"male", "女"/"female", ...
    std::string ethnicCode;      ///< GB 3304 two-digit code
    std::string ethnicZh, ethnicEn;  ///< empty when the code is unknown
    std::string birthDate;
    std::string address;
    std::string idNumber;
    bool idNumberValid{false};   ///< GB 11643 check character and birth date agree with the number
    std::string issuingAuthority;
    std::string validFrom;
    std::optional<std::string> validUntil;  ///< nullopt for "长期" (no end)
};

/// @brief Decodes the 256-byte record. Malformed when the size, encoding or a date/code field is wrong.
[[nodiscard]] Result<CnIdRecord> decodeCnIdRecord(ByteView record);

/// @brief Encodes a record (for demos and the file-backed reader); dates in "YYYY-MM-DD" or "YYYYMMDD".
/// InvalidInput when a field does not fit its slot.
[[nodiscard]] Result<Bytes> encodeCnIdRecord(const CnIdRecord& record);

}  // namespace devices::id
