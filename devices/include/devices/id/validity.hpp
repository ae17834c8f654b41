#pragma once
/// @file validity.hpp
/// @brief Whether an identity document is valid on a given day (ICAO passports and ID cards, China resident ID
/// cards with a long-term "长期" validity), and the MRZ's two-digit expiry year made a calendar date.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace devices::id {

/// @brief A document's validity on a day.
enum class DocumentValidity {
    Valid,        ///< Between its first and last day of validity (or long-term, or no dates known).
    Expired,      ///< The day is after its last day of validity.
    NotYetValid,  ///< The day is before its first day of validity.
};

/// @brief "valid", "expired" or "not-yet-valid".
[[nodiscard]] std::string_view documentValidityName(DocumentValidity v) noexcept;

/// @brief An MRZ expiry date YYMMDD as YYYY-MM-DD. ICAO 9303 gives two digits only: a document is valid for at
/// most a few decades, so 00-69 are 2000-2069 and 70-99 are 1970-1999 (every such document expired long ago).
/// Empty when @p yymmdd is not six digits forming a real date.
[[nodiscard]] std::string mrzExpiryIso(std::string_view yymmdd);

/// @brief Validity of a document on @p today. Dates are YYYY-MM-DD; @p validUntil absent means long-term
/// (China ID cards of people over 46: "长期"); an absent or unreadable @p validFrom is not checked. A document is
/// valid through its last day. An unreadable @p validUntil counts as expired (it cannot prove validity).
[[nodiscard]] DocumentValidity documentValidity(const std::optional<std::string>& validFrom,
                                                const std::optional<std::string>& validUntil,
                                                std::chrono::year_month_day today);

/// @brief Today's date in local time (the day printed on documents is the holder's local day).
[[nodiscard]] std::chrono::year_month_day localToday();

}  // namespace devices::id
