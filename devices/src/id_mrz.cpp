#include <algorithm>
#include <array>
#include <cctype>

#include "devices/id/mrz.hpp"

namespace devices::id {

namespace {

std::string trimFillers(std::string_view s) {
    while (!s.empty() && s.back() == '<') s.remove_suffix(1);
    while (!s.empty() && s.front() == '<') s.remove_prefix(1);
    std::string out(s);
    // Single fillers inside a field stand for spaces.
    std::replace(out.begin(), out.end(), '<', ' ');
    return out;
}

bool validChars(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '<'; });
}

/// Checks @p digit against the check digit of @p field; records the result.
bool check(Mrz& m, std::string name, std::string_view field, char digit, std::string& failed) {
    const int want = mrzCheckDigit(field);
    // A field of fillers only may carry '<' or '0' as its check digit.
    const bool allFiller = std::all_of(field.begin(), field.end(), [](char c) { return c == '<'; });
    bool ok = want >= 0 && digit == static_cast<char>('0' + want);
    if (!ok && allFiller && digit == '<') ok = true;
    m.checks.push_back(MrzCheck{name, ok});
    if (!ok && failed.empty())
        failed = "the " + name + " check digit does not match (MRZ says '" + std::string(1, digit) + "', computed '" +
                 (want >= 0 ? std::string(1, static_cast<char>('0' + want)) : std::string("?")) +
                 "'): re-read or re-type the MRZ";
    return ok;
}

void splitNames(Mrz& m, std::string_view field) {
    const auto pos = field.find("<<");
    std::string_view sur = pos == std::string_view::npos ? field : field.substr(0, pos);
    std::string_view given = pos == std::string_view::npos ? std::string_view{} : field.substr(pos + 2);
    m.surname = trimFillers(sur);
    m.givenNames = trimFillers(given);
    // Collapse runs of spaces left from "<<" inside given names.
    std::string g;
    for (char c : m.givenNames)
        if (!(c == ' ' && !g.empty() && g.back() == ' ')) g += c;
    while (!g.empty() && g.back() == ' ') g.pop_back();
    m.givenNames = g;
}

std::string sexOf(char c) { return c == '<' ? "X" : std::string(1, c); }

Result<void> checkDate(std::string_view d, std::string_view what) {
    for (std::size_t i = 0; i < d.size(); ++i)
        if (!(std::isdigit(static_cast<unsigned char>(d[i])) || d[i] == '<'))
            return fail(ErrorCode::InvalidInput, std::string(what) + " '" + std::string(d) +
                                                     "' is not YYMMDD: re-read or re-type the MRZ");
    return {};
}

/// Document number with the TD1 long-number rule: when the check digit position holds '<', the number
/// continues in the optional data up to the first filler, whose last character is the check digit.
void documentNumber(Mrz& m, std::string_view numberField, char cd, std::string_view optional,
                    std::string& failed, std::string& optionalRest) {
    if (cd == '<' && !optional.empty() && optional[0] != '<') {
        const auto end = optional.find('<');
        const std::string_view ext = optional.substr(0, end == std::string_view::npos ? optional.size() : end);
        std::string full = std::string(numberField) + std::string(ext.substr(0, ext.size() - 1));
        check(m, "document number", full, ext.back(), failed);
        m.documentNumber = trimFillers(full);
        optionalRest = end == std::string_view::npos ? std::string{} : std::string(optional.substr(end));
    } else {
        check(m, "document number", numberField, cd, failed);
        m.documentNumber = trimFillers(numberField);
        optionalRest = std::string(optional);
    }
}

}  // namespace

std::string_view mrzFormatName(MrzFormat format) noexcept {
    switch (format) {
        case MrzFormat::TD1: return "TD1";
        case MrzFormat::TD2: return "TD2";
        case MrzFormat::TD3: return "TD3";
    }
    return "TD3";
}

int mrzCheckDigit(std::string_view field) noexcept {
    static constexpr std::array<int, 3> weights{7, 3, 1};
    int sum = 0;
    for (std::size_t i = 0; i < field.size(); ++i) {
        const char c = field[i];
        int v;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'A' && c <= 'Z') v = c - 'A' + 10;
        else if (c == '<') v = 0;
        else return -1;
        sum += v * weights[i % 3];
    }
    return sum % 10;
}

Result<Mrz> parseMrz(std::string_view text, bool requireValidChecks) {
    std::vector<std::string> lines;
    std::string cur;
    auto flush = [&] {
        // Strip spaces and tabs: OCR and typing add them.
        std::string t;
        for (char c : cur)
            if (c != ' ' && c != '\t' && c != '\r') t += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (!t.empty()) lines.push_back(std::move(t));
        cur.clear();
    };
    for (char c : text) {
        if (c == '\n') flush();
        else cur += c;
    }
    flush();
    if (lines.size() == 1) {
        const std::string all = lines[0];
        std::size_t width = 0;
        if (all.size() == 90) width = 30;
        else if (all.size() == 72) width = 36;
        else if (all.size() == 88) width = 44;
        if (width != 0) {
            lines.clear();
            for (std::size_t i = 0; i < all.size(); i += width) lines.push_back(all.substr(i, width));
        }
    }
    return parseMrzLines(lines, requireValidChecks);
}

Result<Mrz> parseMrzLines(std::span<const std::string> input, bool requireValidChecks) {
    std::vector<std::string> lines(input.begin(), input.end());
    for (auto& l : lines) {
        std::string t;
        for (char c : l)
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
                t += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        l = t;
    }
    Mrz m;
    m.lines = lines;
    for (std::size_t i = 0; i < lines.size(); ++i)
        if (!validChars(lines[i]))
            return fail(ErrorCode::InvalidInput, "MRZ line " + std::to_string(i + 1) +
                                                     " has characters other than A-Z, 0-9 and '<': re-read it");
    std::string failed;
    if (lines.size() == 3 && lines[0].size() == 30 && lines[1].size() == 30 && lines[2].size() == 30) {
        const std::string_view l1 = lines[0], l2 = lines[1], l3 = lines[2];
        m.format = MrzFormat::TD1;
        m.documentCode = trimFillers(l1.substr(0, 2));
        m.issuingState = trimFillers(l1.substr(2, 3));
        std::string rest;
        documentNumber(m, l1.substr(5, 9), l1[14], l1.substr(15, 15), failed, rest);
        m.optionalData = trimFillers(rest);
        if (auto r = checkDate(l2.substr(0, 6), "birth date"); !r) return std::unexpected(r.error());
        if (auto r = checkDate(l2.substr(8, 6), "expiry date"); !r) return std::unexpected(r.error());
        m.birthDate = std::string(l2.substr(0, 6));
        check(m, "birth date", l2.substr(0, 6), l2[6], failed);
        m.sex = sexOf(l2[7]);
        m.expiryDate = std::string(l2.substr(8, 6));
        check(m, "expiry date", l2.substr(8, 6), l2[14], failed);
        m.nationality = trimFillers(l2.substr(15, 3));
        m.optionalData2 = trimFillers(l2.substr(18, 11));
        const std::string composite =
            std::string(l1.substr(5, 25)) + std::string(l2.substr(0, 7)) + std::string(l2.substr(8, 7)) +
            std::string(l2.substr(18, 11));
        check(m, "composite", composite, l2[29], failed);
        splitNames(m, l3);
    } else if (lines.size() == 2 && lines[0].size() == 36 && lines[1].size() == 36) {
        const std::string_view l1 = lines[0], l2 = lines[1];
        m.format = MrzFormat::TD2;
        m.documentCode = trimFillers(l1.substr(0, 2));
        m.issuingState = trimFillers(l1.substr(2, 3));
        splitNames(m, l1.substr(5));
        if (auto r = checkDate(l2.substr(13, 6), "birth date"); !r) return std::unexpected(r.error());
        if (auto r = checkDate(l2.substr(21, 6), "expiry date"); !r) return std::unexpected(r.error());
        std::string rest;
        documentNumber(m, l2.substr(0, 9), l2[9], l2.substr(28, 7), failed, rest);
        m.optionalData = trimFillers(rest);
        m.nationality = trimFillers(l2.substr(10, 3));
        m.birthDate = std::string(l2.substr(13, 6));
        check(m, "birth date", l2.substr(13, 6), l2[19], failed);
        m.sex = sexOf(l2[20]);
        m.expiryDate = std::string(l2.substr(21, 6));
        check(m, "expiry date", l2.substr(21, 6), l2[27], failed);
        const std::string composite =
            std::string(l2.substr(0, 10)) + std::string(l2.substr(13, 7)) + std::string(l2.substr(21, 14));
        check(m, "composite", composite, l2[35], failed);
    } else if (lines.size() == 2 && lines[0].size() == 44 && lines[1].size() == 44) {
        const std::string_view l1 = lines[0], l2 = lines[1];
        m.format = MrzFormat::TD3;
        m.documentCode = trimFillers(l1.substr(0, 2));
        m.issuingState = trimFillers(l1.substr(2, 3));
        splitNames(m, l1.substr(5));
        if (auto r = checkDate(l2.substr(13, 6), "birth date"); !r) return std::unexpected(r.error());
        if (auto r = checkDate(l2.substr(21, 6), "expiry date"); !r) return std::unexpected(r.error());
        check(m, "document number", l2.substr(0, 9), l2[9], failed);
        m.documentNumber = trimFillers(l2.substr(0, 9));
        m.nationality = trimFillers(l2.substr(10, 3));
        m.birthDate = std::string(l2.substr(13, 6));
        check(m, "birth date", l2.substr(13, 6), l2[19], failed);
        m.sex = sexOf(l2[20]);
        m.expiryDate = std::string(l2.substr(21, 6));
        check(m, "expiry date", l2.substr(21, 6), l2[27], failed);
        m.optionalData = trimFillers(l2.substr(28, 14));
        check(m, "optional data", l2.substr(28, 14), l2[42], failed);
        const std::string composite =
            std::string(l2.substr(0, 10)) + std::string(l2.substr(13, 7)) + std::string(l2.substr(21, 22));
        check(m, "composite", composite, l2[43], failed);
    } else {
        std::string sizes;
        for (const auto& l : lines) sizes += (sizes.empty() ? "" : ", ") + std::to_string(l.size());
        return fail(ErrorCode::InvalidInput,
                    "not an MRZ: expected 3 lines of 30 (TD1), 2 of 36 (TD2) or 2 of 44 (TD3) characters, got " +
                        std::to_string(lines.size()) + " line(s) of " + (sizes.empty() ? "0" : sizes) +
                        ": give every MRZ line in full");
    }
    if (!failed.empty() && requireValidChecks) return fail(ErrorCode::InvalidInput, failed);
    return m;
}

MrzKey mrzKeyOf(const Mrz& mrz) {
    std::string number = mrz.documentNumber;
    std::replace(number.begin(), number.end(), ' ', '<');
    return MrzKey{number, mrz.birthDate, mrz.expiryDate};
}

Result<MrzKey> parseMrzKey(std::string_view text) {
    std::vector<std::string> parts;
    std::string cur;
    for (char c : text) {
        if (c == ',') {
            parts.push_back(cur);
            cur.clear();
        } else if (c != ' ') {
            cur += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
    }
    parts.push_back(cur);
    if (parts.size() != 3)
        return fail(ErrorCode::InvalidInput, "the MRZ key must be DOCNO,YYMMDD,YYMMDD (document number, birth date, "
                                             "expiry date), e.g. L898902C3,740812,120415");
    while (!parts[0].empty() && parts[0].back() == '<') parts[0].pop_back();
    if (parts[0].empty() || !validChars(parts[0]))
        return fail(ErrorCode::InvalidInput, "the document number in the MRZ key must be letters, digits and '<' only");
    for (int i = 1; i < 3; ++i) {
        if (parts[static_cast<std::size_t>(i)].size() != 6 ||
            !std::all_of(parts[static_cast<std::size_t>(i)].begin(), parts[static_cast<std::size_t>(i)].end(),
                         [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }))
            return fail(ErrorCode::InvalidInput, std::string(i == 1 ? "birth" : "expiry") +
                                                     " date in the MRZ key must be 6 digits YYMMDD");
    }
    return MrzKey{parts[0], parts[1], parts[2]};
}

std::string bacKeyString(const MrzKey& key) {
    std::string number = key.documentNumber;
    while (number.size() < 9) number += '<';
    auto withCheck = [](const std::string& f) { return f + static_cast<char>('0' + std::max(0, mrzCheckDigit(f))); };
    return withCheck(number) + withCheck(key.birthDate) + withCheck(key.expiryDate);
}

}  // namespace devices::id
