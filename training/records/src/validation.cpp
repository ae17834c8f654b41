#include "training/validation.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <fmt/format.h>

#include "training/text.hpp"

namespace training {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool readInt(std::string_view s, int& out) {
    if (s.empty() || !std::ranges::all_of(s, isDigit)) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Result<std::string> normalizePhone(std::string_view input) {
    std::string digits;
    std::string_view s = trim(input);
    if (s.starts_with("+86")) s.remove_prefix(3);
    else if (s.starts_with("0086")) s.remove_prefix(4);
    bool hyphen = false;
    for (char c : s) {
        if (isDigit(c)) digits.push_back(c);
        else if (c == ' ') continue;
        else if (c == '-' && !hyphen) hyphen = true;
        else
            return fail(ErrorCode::InvalidInput,
                        "a phone number contains digits only (an optional +86 and one hyphen after the area code)");
    }
    if (digits.size() == 11 && digits[0] == '1' && digits[1] >= '3' && digits[1] <= '9') return digits;
    if (digits.size() >= 10 && digits.size() <= 12 && digits[0] == '0') {
        // Area codes are 3 digits for the big cities (010, 02x) and 4 elsewhere.
        const std::size_t area = (digits[1] == '1' || digits[1] == '2') ? 3 : 4;
        const std::size_t local = digits.size() - area;
        if (local >= 7 && local <= 8) return digits.substr(0, area) + "-" + digits.substr(area);
    }
    return fail(ErrorCode::InvalidInput,
                fmt::format("'{}' is not a phone number: give an 11-digit mobile number (13x-19x) or a landline "
                            "with its area code, such as 021-12345678",
                            trim(input)));
}

Result<std::string> normalizeText(std::string_view input, std::string_view what, std::size_t maxChars) {
    const auto s = trim(input);
    if (!isValidUtf8(s))
        return fail(ErrorCode::InvalidInput, fmt::format("the {} is not valid UTF-8 text; retype it", what));
    if (std::ranges::any_of(s, [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
        return fail(ErrorCode::InvalidInput, fmt::format("the {} contains control characters; retype it", what));
    if (utf8Length(s) > maxChars)
        return fail(ErrorCode::InvalidInput,
                    fmt::format("the {} is longer than {} characters; shorten it", what, maxChars));
    return std::string(s);
}

Result<std::string> normalizeName(std::string_view input, std::string_view what) {
    auto text = normalizeText(input, what, 64);
    if (!text) return text;
    if (text->empty()) return fail(ErrorCode::InvalidInput, fmt::format("the {} is empty; enter it", what));
    return text;
}

Result<std::chrono::year_month_day> parseDate(std::string_view input, std::string_view what) {
    const auto s = trim(input);
    int y = 0, m = 0, d = 0;
    bool ok = false;
    if (s.size() == 10 && s[4] == '-' && s[7] == '-')
        ok = readInt(s.substr(0, 4), y) && readInt(s.substr(5, 2), m) && readInt(s.substr(8, 2), d);
    else if (s.size() == 8)
        ok = readInt(s.substr(0, 4), y) && readInt(s.substr(4, 2), m) && readInt(s.substr(6, 2), d);
    const std::chrono::year_month_day date{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                           std::chrono::day{static_cast<unsigned>(d)}};
    if (!ok || !date.ok() || y < 1900 || y > 2200)
        return fail(ErrorCode::InvalidInput,
                    fmt::format("the {} '{}' is not a date; write it as YYYY-MM-DD, for example 2026-03-01", what, s));
    return date;
}

std::string formatDate(std::chrono::year_month_day date) {
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                       static_cast<unsigned>(date.day()));
}

Result<std::int64_t> parseTimestamp(std::string_view input, std::string_view what) {
    const auto s = trim(input);
    const auto bad = [&] {
        return fail(ErrorCode::InvalidInput,
                    fmt::format("the {} '{}' is not a time; write it as 'YYYY-MM-DD HH:MM' (local time) or ISO 8601 "
                                "such as 2026-03-01T09:00:00+08:00",
                                what, s));
    };
    if (s.size() < 16 || (s[10] != ' ' && s[10] != 'T') || s[13] != ':') return bad();
    auto date = parseDate(s.substr(0, 10), what);
    if (!date) return bad();
    int hh = 0, mm = 0, ss = 0;
    if (!readInt(s.substr(11, 2), hh) || !readInt(s.substr(14, 2), mm)) return bad();
    std::string_view rest = s.substr(16);
    if (rest.starts_with(':')) {
        if (rest.size() < 3 || !readInt(rest.substr(1, 2), ss)) return bad();
        rest.remove_prefix(3);
    }
    if (hh > 23 || mm > 59 || ss > 60) return bad();
    const std::int64_t days = std::chrono::sys_days(*date).time_since_epoch().count();
    const std::int64_t wall = days * 86400 + hh * 3600 + mm * 60 + ss;
    if (rest.empty()) {
        std::tm tm{};
        tm.tm_year = static_cast<int>(date->year()) - 1900;
        tm.tm_mon = static_cast<int>(static_cast<unsigned>(date->month())) - 1;
        tm.tm_mday = static_cast<int>(static_cast<unsigned>(date->day()));
        tm.tm_hour = hh;
        tm.tm_min = mm;
        tm.tm_sec = ss;
        tm.tm_isdst = -1;
        return static_cast<std::int64_t>(std::mktime(&tm));
    }
    if (rest == "Z") return wall;
    int oh = 0, om = 0;
    if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' && readInt(rest.substr(1, 2), oh) &&
        readInt(rest.substr(4, 2), om)) {
        const int offset = (oh * 3600 + om * 60) * (rest[0] == '+' ? 1 : -1);
        return wall - offset;
    }
    return bad();
}

std::string formatLocalTime(std::int64_t unixSeconds) {
    const std::time_t t = static_cast<std::time_t>(unixSeconds);
    std::tm tm{};
    localtime_r(&t, &tm);
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                       tm.tm_min);
}

std::string formatUtc(std::int64_t unixSeconds) {
    const std::time_t t = static_cast<std::time_t>(unixSeconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::chrono::year_month_day localDate(std::int64_t unixSeconds) {
    const std::time_t t = static_cast<std::time_t>(unixSeconds);
    std::tm tm{};
    localtime_r(&t, &tm);
    return std::chrono::year_month_day{std::chrono::year{tm.tm_year + 1900},
                                       std::chrono::month{static_cast<unsigned>(tm.tm_mon + 1)},
                                       std::chrono::day{static_cast<unsigned>(tm.tm_mday)}};
}

std::int64_t localMidnight(std::chrono::year_month_day date) {
    std::tm tm{};
    tm.tm_year = static_cast<int>(date.year()) - 1900;
    tm.tm_mon = static_cast<int>(static_cast<unsigned>(date.month())) - 1;
    tm.tm_mday = static_cast<int>(static_cast<unsigned>(date.day()));
    tm.tm_isdst = -1;
    return static_cast<std::int64_t>(std::mktime(&tm));
}

}  // namespace training
