#pragma once
/// @file mrz.hpp
/// @brief ICAO 9303 machine readable zone: TD1 (3 x 30), TD2 (2 x 36), TD3 (2 x 44) parsing with every
/// check digit, field extraction, and the BAC key input derived from it.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "devices/error.hpp"

namespace devices::id {

/// @brief Physical format of the MRZ (ICAO 9303 parts 4-6).
enum class MrzFormat { TD1, TD2, TD3 };

/// @brief "TD1", "TD2" or "TD3".
[[nodiscard]] std::string_view mrzFormatName(MrzFormat format) noexcept;

/// @brief One check digit of the MRZ and whether it matched.
struct MrzCheck {
    std::string name;  ///< "document number", "birth date", "expiry date", "optional data", "composite"
    bool ok{false};
};

/// @brief Fields of a parsed MRZ; fillers ('<') removed, names split at "<<".
struct Mrz {
    MrzFormat format{MrzFormat::TD3};
    std::string documentCode;    ///< e.g. "P", "I", "ID"
    std::string issuingState;    ///< three-letter code, e.g. "UTO"
    std::string documentNumber;  ///< without fillers, full length (TD1 long numbers included)
    std::string surname;
    std::string givenNames;      ///< given names separated by single spaces
    std::string nationality;
    std::string birthDate;       ///< YYMMDD as printed (may contain '<' for unknown parts)
    std::string sex;             ///< "M", "F" or "X" (for '<')
    std::string expiryDate;      ///< YYMMDD
    std::string optionalData;    ///< optional data / personal number, fillers removed
    std::string optionalData2;   ///< TD1 line 2 optional data, fillers removed
    std::vector<MrzCheck> checks;  ///< every check digit that was verified (all ok after a successful parse)
    std::vector<std::string> lines;  ///< the normalised lines
};

/// @brief ICAO 9303 check digit (weights 7,3,1) of @p field; -1 when a character is not [0-9A-Z<].
[[nodiscard]] int mrzCheckDigit(std::string_view field) noexcept;

/// @brief Parses MRZ text: lines separated by newlines (CR, spaces at the ends ignored) or run together
/// (90, 72 or 88 characters). Fails with InvalidInput naming the check that failed or the bad line.
/// With @p requireValidChecks false a failed check digit is only recorded in Mrz::checks (for reports
/// of data read from a chip); the shape and characters must still be valid.
[[nodiscard]] Result<Mrz> parseMrz(std::string_view text, bool requireValidChecks = true);

/// @brief Parses an MRZ given as separate lines.
[[nodiscard]] Result<Mrz> parseMrzLines(std::span<const std::string> lines, bool requireValidChecks = true);

/// @brief What BAC needs from the MRZ: document number, birth date and expiry date (YYMMDD).
struct MrzKey {
    std::string documentNumber;  ///< without fillers; padded to 9 with '<' when shorter
    std::string birthDate;       ///< YYMMDD
    std::string expiryDate;      ///< YYMMDD
};

/// @brief The key input of a parsed MRZ.
[[nodiscard]] MrzKey mrzKeyOf(const Mrz& mrz);

/// @brief Parses "DOCNO,YYMMDD,YYMMDD" (as typed by a person; '<' fillers allowed, case-insensitive).
[[nodiscard]] Result<MrzKey> parseMrzKey(std::string_view text);

/// @brief The BAC "MRZ information": number + check digit, birth + check digit, expiry + check digit.
/// A number longer than 9 characters (TD1 long number) is used in full with its check digit over all of it.
[[nodiscard]] std::string bacKeyString(const MrzKey& key);

}  // namespace devices::id
