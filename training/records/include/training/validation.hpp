#pragma once
/// @file validation.hpp
/// @brief Checks for the other fields people type: phone numbers, names, dates and times.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "training/error.hpp"

namespace training {

/// @brief Normalises a China phone number: a mobile number (11 digits starting 13-19, optional +86)
/// or a landline with area code (0 + 2-3 digits, then 7-8 digits, with an optional hyphen).
/// @retval InvalidInput saying which form is expected.
[[nodiscard]] Result<std::string> normalizePhone(std::string_view input);

/// @brief A person's or organisation's name: trimmed, valid UTF-8, 1-64 characters, no control characters.
/// @param what the field name used in the message ("name", "agency name", ...).
[[nodiscard]] Result<std::string> normalizeName(std::string_view input, std::string_view what);

/// @brief Free text of at most @p maxChars characters (address, issuer, ...), trimmed, valid UTF-8.
[[nodiscard]] Result<std::string> normalizeText(std::string_view input, std::string_view what, std::size_t maxChars);

/// @brief Parses a calendar date "YYYY-MM-DD" (or "YYYYMMDD").
[[nodiscard]] Result<std::chrono::year_month_day> parseDate(std::string_view input, std::string_view what);
/// @brief Formats a date as "YYYY-MM-DD".
[[nodiscard]] std::string formatDate(std::chrono::year_month_day date);

/// @brief Parses a local time "YYYY-MM-DD HH:MM[:SS]" or ISO 8601 "YYYY-MM-DDTHH:MM[:SS](Z|±HH:MM)"
/// into Unix seconds. Times without a zone are in the machine's local time zone.
[[nodiscard]] Result<std::int64_t> parseTimestamp(std::string_view input, std::string_view what);
/// @brief Formats Unix seconds as local "YYYY-MM-DD HH:MM".
[[nodiscard]] std::string formatLocalTime(std::int64_t unixSeconds);
/// @brief Formats Unix seconds as ISO 8601 UTC "YYYY-MM-DDTHH:MM:SSZ".
[[nodiscard]] std::string formatUtc(std::int64_t unixSeconds);
/// @brief The local calendar date of a Unix time.
[[nodiscard]] std::chrono::year_month_day localDate(std::int64_t unixSeconds);
/// @brief Unix seconds of local midnight starting @p date.
[[nodiscard]] std::int64_t localMidnight(std::chrono::year_month_day date);

}  // namespace training
