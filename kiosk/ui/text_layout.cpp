#include "ui/text_layout.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>

namespace kiosk::ui {

std::vector<CodePoint> decodeUtf8Spans(std::string_view s) {
    std::vector<CodePoint> out;
    out.reserve(s.size());
    auto cont = [&](std::size_t i) { return i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0u) == 0x80u; };
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        unsigned cp = 0xFFFD;
        std::size_t n = 1;
        if (c < 0x80) {
            cp = c;
        } else if ((c >> 5) == 0x6 && cont(i + 1)) {
            cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
            n = 2;
        } else if ((c >> 4) == 0xE && cont(i + 1) && cont(i + 2)) {
            cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
                 (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
            n = 3;
        } else if ((c >> 3) == 0x1E && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
            cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
                 ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) | (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
            n = 4;
        }
        // Overlong forms, surrogates and values past U+10FFFF are invalid too: one replacement per byte.
        const bool overlong = (n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
        if (overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
            cp = 0xFFFD;
            n = 1;
        }
        out.push_back({cp, i, n});
        i += n;
    }
    return out;
}

std::vector<unsigned> decodeUtf8(std::string_view s) {
    std::vector<unsigned> out;
    out.reserve(s.size());
    for (const auto& c : decodeUtf8Spans(s)) out.push_back(c.value);
    return out;
}

namespace {

// Sorted for binary search (checked below).
constexpr unsigned kNoStart[] = {
    0x21,   0x25,   0x29,   0x2C,   0x2E,   0x3A,   0x3B,   0x3F,   0x5D,   0x7D,   0xB0,   0xB7,
    0x2019, 0x201D, 0x2026, 0x2030, 0x2032, 0x2033, 0x3001, 0x3002, 0x3005, 0x3009, 0x300B, 0x300D,
    0x300F, 0x3011, 0x3015, 0x3017, 0x3019, 0x301B, 0x301E, 0x3041, 0x3043, 0x3045, 0x3047, 0x3049,
    0x30FC, 0xFE30, 0xFF01, 0xFF05, 0xFF09, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF1F, 0xFF3D};
constexpr unsigned kNoEnd[] = {0x24,   0x28,   0x5B,   0x7B,   0xA3,   0xA5,   0x2018, 0x201C, 0x3008, 0x300A,
                               0x300C, 0x300E, 0x3010, 0x3014, 0x3016, 0x3018, 0x301A, 0x301D, 0xFF08, 0xFF3B};
static_assert(std::is_sorted(std::begin(kNoStart), std::end(kNoStart)));
static_assert(std::is_sorted(std::begin(kNoEnd), std::end(kNoEnd)));

}  // namespace

bool noLineStart(unsigned cp) noexcept { return std::binary_search(std::begin(kNoStart), std::end(kNoStart), cp); }
bool noLineEnd(unsigned cp) noexcept { return std::binary_search(std::begin(kNoEnd), std::end(kNoEnd), cp); }

bool breaksAround(unsigned cp) noexcept {
    return (cp >= 0x2E80 && cp <= 0x9FFF) ||   // CJK radicals, punctuation, kana, ideographs
           (cp >= 0xAC00 && cp <= 0xD7AF) ||   // Hangul
           (cp >= 0xF900 && cp <= 0xFAFF) ||   // compatibility ideographs
           (cp >= 0xFE30 && cp <= 0xFE4F) ||   // vertical forms
           (cp >= 0xFF00 && cp <= 0xFFEF) ||   // full-width forms
           (cp >= 0x20000 && cp <= 0x3FFFF);   // ideograph extensions
}

namespace {

bool isSpace(unsigned cp) { return cp == ' ' || cp == '\t' || cp == 0x3000; }
/// ASCII quotation marks do not say whether they open or close: they stay with both neighbours.
bool isAmbiguousQuote(unsigned cp) { return cp == '"' || cp == '\''; }

/// May a line break between @p prev and @p next?
bool mayBreakBetween(unsigned prev, unsigned next) {
    if (noLineStart(next) || noLineEnd(prev)) return false;
    if (isSpace(prev)) return !isSpace(next);
    if (isSpace(next)) return false;  // spaces hang at the end of the line
    if (isAmbiguousQuote(prev) || isAmbiguousQuote(next)) return false;
    if (breaksAround(prev) || breaksAround(next)) return true;
    return (prev == '-' || prev == '/') && next < 0x80 && std::isalnum(static_cast<int>(next));
}

}  // namespace

std::vector<std::string_view> breakLines(std::string_view text, float width, const AdvanceFn& advance) {
    std::vector<std::string_view> lines;
    const auto cps = decodeUtf8Spans(text);
    const std::size_t n = cps.size();
    auto byteAt = [&](std::size_t k) { return k < n ? cps[k].offset : text.size(); };
    // Emits [a, b) without the spaces at its end.
    auto emit = [&](std::size_t a, std::size_t b) {
        while (b > a && isSpace(cps[b - 1].value)) --b;
        lines.push_back(text.substr(byteAt(a), byteAt(b) - byteAt(a)));
    };
    std::size_t start = 0;
    float x = 0;                        // width of [start, k)
    std::size_t lastBreak = 0;          // a break is allowed before this index (0: none on this line)
    auto skipSpaces = [&](std::size_t k) {
        while (k < n && isSpace(cps[k].value)) ++k;
        return k;
    };
    for (std::size_t k = 0; k < n; ++k) {
        const unsigned c = cps[k].value;
        if (c == '\n') {
            emit(start, k);
            start = k + 1;
            x = 0;
            lastBreak = 0;
            continue;
        }
        if (k > start && mayBreakBetween(cps[k - 1].value, c)) lastBreak = k;
        const float w = advance(c);
        // A loop: what is carried to the new line may itself be too wide (then the break is forced).
        while (x + w > width && k > start && !isSpace(c)) {
            std::size_t at = lastBreak > start ? lastBreak : k;
            // A forced break must not put closing punctuation first: take the characters before it along.
            if (lastBreak <= start)
                while (at > start + 1 && noLineStart(cps[at].value)) --at;
            emit(start, at);
            start = skipSpaces(at);
            x = 0;
            for (std::size_t j = start; j < k; ++j) x += advance(cps[j].value);
            lastBreak = 0;  // lastBreak was the last opportunity: none is left in [start, k)
        }
        x += w;
    }
    if (start < n || lines.empty() || (n > 0 && cps[n - 1].value == '\n')) emit(start, n);
    return lines;
}

std::string wrapText(std::string_view text, float width, const AdvanceFn& advance) {
    std::string out;
    out.reserve(text.size() + 8);
    bool first = true;
    for (auto line : breakLines(text, width, advance)) {
        if (!first) out += '\n';
        out.append(line);
        first = false;
    }
    return out;
}

}  // namespace kiosk::ui
