#pragma once
// Small private text helpers shared by the exam sources (not part of the public API).

#include <cstddef>
#include <string>
#include <string_view>

#include <vector>

#include "exam/import.hpp"
#include "exam/question.hpp"

namespace exam::detail {

inline bool isSpace(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

inline std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
    while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
    return s;
}

inline char asciiLower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (asciiLower(a[i]) != asciiLower(b[i])) return false;
    return true;
}

inline bool istartsWith(std::string_view s, std::string_view prefix) noexcept {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

/// Splits "中文 / English" into zh and en when the part before the last " / " holds non-ASCII text and the
/// part after it is ASCII only with at least one letter; otherwise everything goes to zh.
LocalizedText splitBilingual(std::string_view text);

/// Formats a number without trailing zeros ("50", "33.33", "-12.5").
std::string formatNumber(double value);

/// Resolves a module of @p modules from a code or a zh/en display name (ASCII case-insensitive); "" when none
/// matches.
std::string moduleFromName(std::string_view name, const std::vector<ModuleName>& modules);

}  // namespace exam::detail
