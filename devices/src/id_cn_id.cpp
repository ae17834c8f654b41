#include <algorithm>
#include <array>
#include <cctype>

#include "devices/id/cn_id.hpp"

namespace devices::id {

namespace {

constexpr std::array<EthnicGroup, 58> kEthnic{{
    {"01", "汉", "Han"},        {"02", "蒙古", "Mongol"},      {"03", "回", "Hui"},
    {"04", "藏", "Tibetan"},    {"05", "维吾尔", "Uyghur"},    {"06", "苗", "Miao"},
    {"07", "彝", "Yi"},         {"08", "壮", "Zhuang"},        {"09", "布依", "Buyei"},
    {"10", "朝鲜", "Korean"},   {"11", "满", "Manchu"},        {"12", "侗", "Dong"},
    {"13", "瑶", "Yao"},        {"14", "白", "Bai"},           {"15", "土家", "Tujia"},
    {"16", "哈尼", "Hani"},     {"17", "哈萨克", "Kazakh"},    {"18", "傣", "Dai"},
    {"19", "黎", "Li"},         {"20", "傈僳", "Lisu"},        {"21", "佤", "Va"},
    {"22", "畲", "She"},        {"23", "高山", "Gaoshan"},     {"24", "拉祜", "Lahu"},
    {"25", "水", "Sui"},        {"26", "东乡", "Dongxiang"},   {"27", "纳西", "Naxi"},
    {"28", "景颇", "Jingpo"},   {"29", "柯尔克孜", "Kirgiz"},  {"30", "土", "Tu"},
    {"31", "达斡尔", "Daur"},   {"32", "仫佬", "Mulao"},       {"33", "羌", "Qiang"},
    {"34", "布朗", "Blang"},    {"35", "撒拉", "Salar"},       {"36", "毛南", "Maonan"},
    {"37", "仡佬", "Gelao"},    {"38", "锡伯", "Xibe"},        {"39", "阿昌", "Achang"},
    {"40", "普米", "Pumi"},     {"41", "塔吉克", "Tajik"},     {"42", "怒", "Nu"},
    {"43", "乌孜别克", "Uzbek"}, {"44", "俄罗斯", "Russian"},  {"45", "鄂温克", "Ewenki"},
    {"46", "德昂", "Deang"},    {"47", "保安", "Bonan"},       {"48", "裕固", "Yugur"},
    {"49", "京", "Gin"},        {"50", "塔塔尔", "Tatar"},     {"51", "独龙", "Derung"},
    {"52", "鄂伦春", "Oroqen"}, {"53", "赫哲", "Hezhen"},      {"54", "门巴", "Monba"},
    {"55", "珞巴", "Lhoba"},    {"56", "基诺", "Jino"},        {"97", "其他", "Other"},
    {"98", "外国血统中国籍人士", "Naturalised citizen of foreign origin"},
}};

constexpr std::string_view kLongTerm = "长期";

struct Slot {
    std::size_t offset, bytes;
};
constexpr Slot kName{0, 30}, kSex{30, 2}, kEthnicSlot{32, 4}, kBirth{36, 16}, kAddress{52, 70}, kNumber{122, 36},
    kAuthority{158, 30}, kFrom{188, 16}, kUntil{204, 16};

void appendUtf8(std::string& out, char32_t c) {
    if (c < 0x80) out += static_cast<char>(c);
    else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

Result<std::string> field(ByteView rec, Slot s, std::string_view name) {
    std::string out;
    std::u16string units;
    for (std::size_t i = s.offset; i + 1 < s.offset + s.bytes; i += 2)
        units.push_back(static_cast<char16_t>(rec[i] | (rec[i + 1] << 8)));
    while (!units.empty() && (units.back() == u' ' || units.back() == 0 || units.back() == 0x3000)) units.pop_back();
    for (char16_t u : units) {
        if (u >= 0xD800 && u <= 0xDFFF)
            return fail(ErrorCode::Malformed, "ID card record: the " + std::string(name) +
                                                  " field is not UCS-2 text: the reader returned a damaged record; "
                                                  "read the card again");
        if (u == 0) return fail(ErrorCode::Malformed, "ID card record: NUL inside the " + std::string(name) + " field");
        appendUtf8(out, u);
    }
    return out;
}

bool allDigits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool validDate(std::string_view d) {
    if (d.size() != 8 || !allDigits(d)) return false;
    const int y = std::stoi(std::string(d.substr(0, 4))), m = std::stoi(std::string(d.substr(4, 2))),
              day = std::stoi(std::string(d.substr(6, 2)));
    if (y < 1850 || m < 1 || m > 12 || day < 1) return false;
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return day <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

std::string iso(std::string_view d) {
    return std::string(d.substr(0, 4)) + "-" + std::string(d.substr(4, 2)) + "-" + std::string(d.substr(6, 2));
}

Result<std::string> date(ByteView rec, Slot s, std::string_view name) {
    auto f = field(rec, s, name);
    if (!f) return f;
    if (!validDate(*f))
        return fail(ErrorCode::Malformed, "ID card record: the " + std::string(name) + " '" + *f +
                                              "' is not a date YYYYMMDD: read the card again");
    return iso(*f);
}

/// UTF-8 -> UTF-16 code units (BMP only); nullopt on invalid UTF-8 or characters outside the BMP.
std::optional<std::u16string> toUtf16(std::string_view s) {
    std::u16string out;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        char32_t cp;
        int n;
        if (c < 0x80) cp = c, n = 1;
        else if ((c & 0xE0) == 0xC0) cp = c & 0x1F, n = 2;
        else if ((c & 0xF0) == 0xE0) cp = c & 0x0F, n = 3;
        else return std::nullopt;
        if (i + static_cast<std::size_t>(n) > s.size()) return std::nullopt;
        for (int k = 1; k < n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
            if ((cc & 0xC0) != 0x80) return std::nullopt;
            cp = cp << 6 | (cc & 0x3F);
        }
        out.push_back(static_cast<char16_t>(cp));
        i += static_cast<std::size_t>(n);
    }
    return out;
}

std::string compactDate(std::string_view d) {
    std::string out;
    for (char c : d)
        if (c != '-') out += c;
    return out;
}

}  // namespace

const EthnicGroup* ethnicGroup(std::string_view code) noexcept {
    for (const auto& e : kEthnic)
        if (e.code == code) return &e;
    return nullptr;
}

bool cnIdNumberValid(std::string_view n) noexcept {
    if (n.size() != 18 || !allDigits(n.substr(0, 17))) return false;
    static constexpr int weights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; ++i) sum += (n[static_cast<std::size_t>(i)] - '0') * weights[i];
    static constexpr char check[] = "10X98765432";
    const char last = static_cast<char>(std::toupper(static_cast<unsigned char>(n[17])));
    return last == check[sum % 11] && validDate(n.substr(6, 8));
}

Result<CnIdRecord> decodeCnIdRecord(ByteView rec) {
    if (rec.size() != kCnIdRecordSize)
        return fail(ErrorCode::Malformed, "ID card record has " + std::to_string(rec.size()) +
                                              " bytes instead of 256: give the text record exactly as the reader "
                                              "returned it");
    CnIdRecord r;
    auto get = [&](Slot s, std::string_view name, std::string& out) -> Result<void> {
        auto f = field(rec, s, name);
        if (!f) return std::unexpected(f.error());
        out = *f;
        return {};
    };
    if (auto e = get(kName, "name", r.name); !e) return std::unexpected(e.error());
    if (r.name.empty()) return fail(ErrorCode::Malformed, "ID card record: the name is empty: read the card again");
    if (auto e = get(kSex, "sex", r.sexCode); !e) return std::unexpected(e.error());
    if (r.sexCode == "1") r.sexZh = "男", r.sexEn = "male";
    else if (r.sexCode == "2") r.sexZh = "女", r.sexEn = "female";
    else if (r.sexCode == "0") r.sexZh = "未知", r.sexEn = "unknown";
    else if (r.sexCode == "9") r.sexZh = "未说明", r.sexEn = "unspecified";
    else return fail(ErrorCode::Malformed, "ID card record: sex code '" + r.sexCode + "' is not 0, 1, 2 or 9");
    if (auto e = get(kEthnicSlot, "ethnic group", r.ethnicCode); !e) return std::unexpected(e.error());
    if (r.ethnicCode.size() != 2 || !allDigits(r.ethnicCode))
        return fail(ErrorCode::Malformed, "ID card record: ethnic group code '" + r.ethnicCode + "' is not 2 digits");
    if (const auto* g = ethnicGroup(r.ethnicCode)) r.ethnicZh = g->zh, r.ethnicEn = g->en;
    auto birth = date(rec, kBirth, "birth date");
    if (!birth) return std::unexpected(birth.error());
    r.birthDate = *birth;
    if (auto e = get(kAddress, "address", r.address); !e) return std::unexpected(e.error());
    if (auto e = get(kNumber, "ID number", r.idNumber); !e) return std::unexpected(e.error());
    r.idNumberValid = cnIdNumberValid(r.idNumber) && compactDate(r.birthDate) == r.idNumber.substr(6, 8);
    if (auto e = get(kAuthority, "issuing authority", r.issuingAuthority); !e) return std::unexpected(e.error());
    auto from = date(rec, kFrom, "validity start");
    if (!from) return std::unexpected(from.error());
    r.validFrom = *from;
    auto until = field(rec, kUntil, "validity end");
    if (!until) return std::unexpected(until.error());
    if (*until == kLongTerm) {
        r.validUntil = std::nullopt;
    } else {
        if (!validDate(*until))
            return fail(ErrorCode::Malformed, "ID card record: the validity end '" + *until +
                                                  "' is neither a date YYYYMMDD nor 长期: read the card again");
        r.validUntil = iso(*until);
    }
    return r;
}

Result<Bytes> encodeCnIdRecord(const CnIdRecord& r) {
    Bytes out(kCnIdRecordSize, 0);
    // Unused space is filled with UCS-2 spaces, as readers return it.
    for (std::size_t i = 0; i + 1 < kCnIdRecordSize; i += 2) out[i] = 0x20;
    auto put = [&](Slot s, std::string_view text, std::string_view name) -> Result<void> {
        auto u = toUtf16(text);
        if (!u) return fail(ErrorCode::InvalidInput, "the " + std::string(name) + " is not valid UTF-8 (BMP) text");
        if (u->size() * 2 > s.bytes)
            return fail(ErrorCode::InvalidInput, "the " + std::string(name) + " is longer than " +
                                                     std::to_string(s.bytes / 2) + " characters");
        for (std::size_t i = 0; i < u->size(); ++i) {
            out[s.offset + 2 * i] = static_cast<std::uint8_t>((*u)[i] & 0xFF);
            out[s.offset + 2 * i + 1] = static_cast<std::uint8_t>((*u)[i] >> 8);
        }
        return {};
    };
    const std::pair<Slot, std::pair<std::string, std::string_view>> fields[] = {
        {kName, {r.name, "name"}},
        {kSex, {r.sexCode, "sex code"}},
        {kEthnicSlot, {r.ethnicCode, "ethnic group code"}},
        {kBirth, {compactDate(r.birthDate), "birth date"}},
        {kAddress, {r.address, "address"}},
        {kNumber, {r.idNumber, "ID number"}},
        {kAuthority, {r.issuingAuthority, "issuing authority"}},
        {kFrom, {compactDate(r.validFrom), "validity start"}},
        {kUntil, {r.validUntil ? compactDate(*r.validUntil) : std::string(kLongTerm), "validity end"}},
    };
    for (const auto& [slot, f] : fields)
        if (auto e = put(slot, f.first, f.second); !e) return std::unexpected(e.error());
    return out;
}

}  // namespace devices::id
