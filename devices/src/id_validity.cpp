// Document validity: expiry and first day of validity against a day; MRZ two-digit expiry years.
#include "devices/id/validity.hpp"

#include <cctype>
#include <ctime>

namespace devices::id {
namespace {

/// YYYY-MM-DD -> a real calendar date, nullopt otherwise.
std::optional<std::chrono::year_month_day> parseIso(const std::string& s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    const std::chrono::year_month_day d{std::chrono::year(std::stoi(s.substr(0, 4))),
                                        std::chrono::month(static_cast<unsigned>(std::stoi(s.substr(5, 2)))),
                                        std::chrono::day(static_cast<unsigned>(std::stoi(s.substr(8, 2))))};
    if (!d.ok()) return std::nullopt;
    return d;
}

}  // namespace

std::string_view documentValidityName(DocumentValidity v) noexcept {
    switch (v) {
        case DocumentValidity::Valid: return "valid";
        case DocumentValidity::Expired: return "expired";
        case DocumentValidity::NotYetValid: return "not-yet-valid";
    }
    return "valid";
}

std::string mrzExpiryIso(std::string_view yymmdd) {
    if (yymmdd.size() != 6) return {};
    for (char c : yymmdd)
        if (!std::isdigit(static_cast<unsigned char>(c))) return {};
    const int yy = (yymmdd[0] - '0') * 10 + (yymmdd[1] - '0');
    const std::string iso = std::to_string(yy < 70 ? 2000 + yy : 1900 + yy) + "-" + std::string(yymmdd.substr(2, 2)) +
                            "-" + std::string(yymmdd.substr(4, 2));
    return parseIso(iso) ? iso : std::string();
}

DocumentValidity documentValidity(const std::optional<std::string>& validFrom,
                                  const std::optional<std::string>& validUntil, std::chrono::year_month_day today) {
    const auto day = std::chrono::sys_days(today);
    if (validUntil) {
        const auto until = parseIso(*validUntil);
        if (!until || day > std::chrono::sys_days(*until)) return DocumentValidity::Expired;
    }
    if (validFrom)
        if (const auto from = parseIso(*validFrom); from && day < std::chrono::sys_days(*from))
            return DocumentValidity::NotYetValid;
    return DocumentValidity::Valid;
}

std::chrono::year_month_day localToday() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    return std::chrono::year_month_day{std::chrono::year(tm.tm_year + 1900),
                                       std::chrono::month(static_cast<unsigned>(tm.tm_mon + 1)),
                                       std::chrono::day(static_cast<unsigned>(tm.tm_mday))};
}

}  // namespace devices::id
