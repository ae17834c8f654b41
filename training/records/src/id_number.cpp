#include "training/id_number.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/format.h>

#include "training/text.hpp"

namespace training {
namespace {

struct Province {
    std::string_view code;
    std::string_view zh;
    std::string_view en;
};

// Province-level divisions of GB/T 2260, plus the codes used on residence permits of
// Hong Kong, Macao (81, 82) and Taiwan (83) residents.
constexpr std::array<Province, 35> kProvinces{{
    {"11", "北京市", "Beijing"},        {"12", "天津市", "Tianjin"},
    {"13", "河北省", "Hebei"},          {"14", "山西省", "Shanxi"},
    {"15", "内蒙古自治区", "Inner Mongolia"}, {"21", "辽宁省", "Liaoning"},
    {"22", "吉林省", "Jilin"},          {"23", "黑龙江省", "Heilongjiang"},
    {"31", "上海市", "Shanghai"},       {"32", "江苏省", "Jiangsu"},
    {"33", "浙江省", "Zhejiang"},       {"34", "安徽省", "Anhui"},
    {"35", "福建省", "Fujian"},         {"36", "江西省", "Jiangxi"},
    {"37", "山东省", "Shandong"},       {"41", "河南省", "Henan"},
    {"42", "湖北省", "Hubei"},          {"43", "湖南省", "Hunan"},
    {"44", "广东省", "Guangdong"},      {"45", "广西壮族自治区", "Guangxi"},
    {"46", "海南省", "Hainan"},         {"50", "重庆市", "Chongqing"},
    {"51", "四川省", "Sichuan"},        {"52", "贵州省", "Guizhou"},
    {"53", "云南省", "Yunnan"},         {"54", "西藏自治区", "Tibet"},
    {"61", "陕西省", "Shaanxi"},        {"62", "甘肃省", "Gansu"},
    {"63", "青海省", "Qinghai"},        {"64", "宁夏回族自治区", "Ningxia"},
    {"65", "新疆维吾尔自治区", "Xinjiang"}, {"71", "台湾省", "Taiwan"},
    {"81", "香港特别行政区", "Hong Kong"}, {"82", "澳门特别行政区", "Macao"},
    {"83", "台湾居民居住证", "Taiwan (residence permit)"},
}};

constexpr std::array<int, 17> kWeights{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
constexpr std::string_view kCheckChars = "10X98765432";

bool allDigits(std::string_view s) {
    return std::ranges::all_of(s, [](char c) { return c >= '0' && c <= '9'; });
}

int toInt(std::string_view digits) {
    int v = 0;
    for (char c : digits) v = v * 10 + (c - '0');
    return v;
}

}  // namespace

std::string_view documentTypeName(DocumentType type) noexcept {
    return type == DocumentType::ChinaResidentId ? "cn-id" : "passport";
}

Result<DocumentType> parseDocumentType(std::string_view text) {
    if (text == "cn-id") return DocumentType::ChinaResidentId;
    if (text == "passport") return DocumentType::Passport;
    return fail(ErrorCode::InvalidInput,
                fmt::format("unknown document type '{}': use 'cn-id' (China resident ID) or 'passport' "
                            "(ICAO travel document)",
                            text));
}

std::string_view sexCode(Sex sex) noexcept {
    switch (sex) {
        case Sex::Female: return "F";
        case Sex::Male: return "M";
        default: return "";
    }
}

char chinaIdCheckCharacter(std::string_view first17) noexcept {
    int sum = 0;
    for (std::size_t i = 0; i < 17 && i < first17.size(); ++i) sum += (first17[i] - '0') * kWeights[i];
    return kCheckChars[static_cast<std::size_t>(sum % 11)];
}

Result<std::string> convertChinaId15To18(std::string_view number15) {
    if (number15.size() != 15 || !allDigits(number15))
        return fail(ErrorCode::InvalidInput, "a first-generation ID number has exactly 15 digits");
    std::string out;
    out.reserve(18);
    out.append(number15.substr(0, 6));
    out.append("19");
    out.append(number15.substr(6));
    out.push_back(chinaIdCheckCharacter(out));
    return out;
}

Result<ChinaIdInfo> parseChinaId(std::string_view input, std::chrono::year_month_day today) {
    std::string number(trim(input));
    for (auto& c : number)
        if (c == 'x') c = 'X';
    ChinaIdInfo info;
    if (number.size() == 15) {
        if (!allDigits(number))
            return fail(ErrorCode::InvalidInput, "a 15-digit ID number may contain digits only; check what was typed");
        number = *convertChinaId15To18(number);
        info.convertedFrom15 = true;
    }
    if (number.size() != 18)
        return fail(ErrorCode::InvalidInput,
                    fmt::format("an ID number has 18 characters (or 15 for the old form) but this one has {}; "
                                "check for a missing or extra digit",
                                utf8Length(number)));
    if (!allDigits(std::string_view(number).substr(0, 17)))
        return fail(ErrorCode::InvalidInput,
                    "the first 17 characters of an ID number must be digits; check what was typed");
    const char last = number[17];
    if (!(last >= '0' && last <= '9') && last != 'X')
        return fail(ErrorCode::InvalidInput, "the last character of an ID number must be a digit or X");

    const auto province = std::ranges::find(kProvinces, std::string_view(number).substr(0, 2), &Province::code);
    if (province == kProvinces.end())
        return fail(ErrorCode::InvalidInput,
                    fmt::format("the region code {} at the start of the ID number is not a province-level "
                                "region of China; check the first two digits",
                                number.substr(0, 6)));

    const std::string_view digits(number);
    const int year = toInt(digits.substr(6, 4));
    const unsigned month = static_cast<unsigned>(toInt(digits.substr(10, 2)));
    const unsigned day = static_cast<unsigned>(toInt(digits.substr(12, 2)));
    const std::chrono::year_month_day birth{std::chrono::year{year}, std::chrono::month{month},
                                            std::chrono::day{day}};
    if (!birth.ok() || year < 1900)
        return fail(ErrorCode::InvalidInput,
                    fmt::format("the birth date {} in the ID number is not a real date; check digits 7 to 14",
                                digits.substr(6, 8)));
    if (std::chrono::sys_days(birth) > std::chrono::sys_days(today))
        return fail(ErrorCode::InvalidInput,
                    fmt::format("the birth date {}-{}-{} in the ID number is in the future; check digits 7 to 14",
                                digits.substr(6, 4), digits.substr(10, 2), digits.substr(12, 2)));

    const char expected = chinaIdCheckCharacter(digits.substr(0, 17));
    if (expected != last)
        return fail(ErrorCode::InvalidInput,
                    fmt::format("the check character of the ID number does not match (it ends in {}, the "
                                "other digits give {}); a digit was probably mistyped",
                                last, expected));

    info.number = number;
    info.regionCode = number.substr(0, 6);
    info.provinceZh = province->zh;
    info.provinceEn = province->en;
    info.birthDate = birth;
    info.sex = ((number[16] - '0') % 2 == 1) ? Sex::Male : Sex::Female;
    return info;
}

std::string maskIdNumber(std::string_view number) {
    // Work on code points so that a stray multi-byte character cannot be cut in half.
    const auto cps = utf8CodePoints(number);
    const std::size_t n = cps.size();
    std::string out;
    if (n <= 10) {
        for (std::size_t i = 0; i < n; ++i) out += (i + 2 >= n) ? cps[i] : std::string("*");
        return out;
    }
    for (std::size_t i = 0; i < n; ++i) out += (i < 6 || i + 4 >= n) ? cps[i] : std::string("*");
    return out;
}

Result<std::string> normalizeDocumentNumber(std::string_view input) {
    std::string out;
    for (char c : input) {
        if (c == ' ' || c == '<' || c == '\t') continue;
        const auto u = static_cast<unsigned char>(c);
        if (!std::isalnum(u) || u >= 0x80)
            return fail(ErrorCode::InvalidInput,
                        "a travel document number may contain only the letters A-Z and digits; check what was typed");
        out.push_back(static_cast<char>(std::toupper(u)));
    }
    if (out.empty() || out.size() > 9)
        return fail(ErrorCode::InvalidInput,
                    fmt::format("a travel document number has 1 to 9 letters and digits, this one has {}; "
                                "copy it from the document's data page",
                                out.size()));
    if (!std::ranges::any_of(out, [](char c) { return c >= '0' && c <= '9'; }))
        return fail(ErrorCode::InvalidInput, "a travel document number contains at least one digit");
    return out;
}

Result<std::string> normalizeIssuingState(std::string_view input) {
    std::string out(trim(input));
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (out == "D" || out == "D<<") return std::string("D");
    if (out.size() != 3 || !std::ranges::all_of(out, [](char c) { return (c >= 'A' && c <= 'Z') || c == '<'; }))
        return fail(ErrorCode::InvalidInput,
                    fmt::format("'{}' is not an issuing state: give the three-letter code from the document "
                                "(for example CHN, HKG, GBR)",
                                input));
    return out;
}

}  // namespace training
