#pragma once
/// @file id_number.hpp
/// @brief Identity document numbers: China resident ID (GB 11643-1999) and ICAO document numbers.
///
/// Every path that creates or edits a worker goes through these checks.

#include <chrono>
#include <string>
#include <string_view>

#include "training/error.hpp"

namespace training {

/// @brief Which kind of document an identity number comes from.
enum class DocumentType {
    ChinaResidentId,  ///< 18-character citizen ID number (GB 11643-1999), also residence permits of HK/MO/TW.
    Passport,         ///< An ICAO 9303 travel document number (passport or ICAO ID card), with issuing state.
};

/// @brief "cn-id" or "passport".
[[nodiscard]] std::string_view documentTypeName(DocumentType type) noexcept;
/// @brief Parses "cn-id" / "passport"; InvalidInput names the allowed values otherwise.
[[nodiscard]] Result<DocumentType> parseDocumentType(std::string_view text);

enum class Sex { Female, Male, Unknown };
/// @brief "F", "M" or "".
[[nodiscard]] std::string_view sexCode(Sex sex) noexcept;

/// @brief What a valid China resident ID number tells.
struct ChinaIdInfo {
    std::string number;          ///< Normalised 18-character form (upper-case X).
    std::string regionCode;      ///< The six-digit administrative division code.
    std::string provinceZh;      ///< Province-level region name in zh-CN.
    std::string provinceEn;      ///< Province-level region name in English.
    std::chrono::year_month_day birthDate;
    Sex sex{Sex::Unknown};       ///< From the parity of the sequence code: odd = male.
    bool convertedFrom15{false}; ///< The input was the old 15-digit form.
};

/// @brief Validates a China resident ID number and extracts what it encodes.
///
/// Accepts surrounding spaces and a lower-case x; converts the old 15-digit form to 18.
/// @param today the current date (birth dates after it are rejected).
/// @retval InvalidInput with a message that names the failed check: length, characters, region,
///         birth date (impossible or in the future) or the check character.
[[nodiscard]] Result<ChinaIdInfo> parseChinaId(std::string_view input, std::chrono::year_month_day today);

/// @brief The ISO 7064 MOD 11-2 check character for the first 17 digits ('0'-'9' or 'X').
[[nodiscard]] char chinaIdCheckCharacter(std::string_view first17) noexcept;

/// @brief Converts a 15-digit first-generation number to the 18-character form (century 19, check added).
[[nodiscard]] Result<std::string> convertChinaId15To18(std::string_view number15);

/// @brief Masked display form: the first 6 and last 4 characters, the rest as '*'.
/// Short inputs (≤ 10 characters) keep only their last 2 characters.
[[nodiscard]] std::string maskIdNumber(std::string_view number);

/// @brief Normalises and checks an ICAO document number: 1-9 characters of A-Z and 0-9 after removing
/// spaces and '<' fillers, upper-cased, with at least one digit.
[[nodiscard]] Result<std::string> normalizeDocumentNumber(std::string_view input);

/// @brief Checks an ISO 3166-1 alpha-3 code as used in MRZs (three letters A-Z, or D for Germany).
[[nodiscard]] Result<std::string> normalizeIssuingState(std::string_view input);

}  // namespace training
