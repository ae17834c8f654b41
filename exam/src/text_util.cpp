#include "text_util.hpp"

#include <cmath>
#include <cstdio>


namespace exam::detail {

LocalizedText splitBilingual(std::string_view text) {
    text = trim(text);
    constexpr std::string_view sep = " / ";
    std::size_t pos = text.rfind(sep);
    while (pos != std::string_view::npos) {
        std::string_view left = trim(text.substr(0, pos));
        std::string_view right = trim(text.substr(pos + sep.size()));
        bool leftWide = false;
        for (char c : left)
            if (static_cast<unsigned char>(c) >= 0x80) leftWide = true;
        bool rightAscii = true;
        bool rightLetter = false;
        for (char c : right) {
            if (static_cast<unsigned char>(c) >= 0x80) rightAscii = false;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) rightLetter = true;
        }
        if (leftWide && rightAscii && rightLetter) return LocalizedText{std::string(left), std::string(right)};
        if (pos == 0) break;
        pos = text.rfind(sep, pos - 1);
    }
    return LocalizedText{std::string(text), {}};
}

std::string formatNumber(double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4f", value);
    std::string s(buf);
    if (s.find('.') != std::string::npos) {
        while (!s.empty() && s.back() == '0') s.pop_back();
        if (!s.empty() && s.back() == '.') s.pop_back();
    }
    if (s == "-0") s = "0";
    return s;
}

std::string moduleFromName(std::string_view name, const std::vector<ModuleName>& modules) {
    name = trim(name);
    if (name.empty()) return {};
    for (const ModuleName& m : modules) {
        if (iequals(name, m.code) || (!m.nameZh.empty() && name == m.nameZh) ||
            (!m.nameEn.empty() && iequals(name, m.nameEn)))
            return m.code;
    }
    return {};
}

}  // namespace exam::detail
