#pragma once
/// @file text_layout.hpp
/// @brief UTF-8 decoding and line breaking for mixed Chinese and Latin text.
///
/// Dear ImGui wraps only at spaces and ASCII punctuation, so Chinese text broke after a quotation mark and
/// began the next line with a full-width comma. These rules follow the usual Chinese typesetting practice
/// (a simplified form of Unicode line breaking, UAX #14, with the GB/T 15834 prohibitions): a line may break
/// between two ideographs, around an ideograph and a Latin word, after a space and after a hyphen or a slash;
/// closing punctuation (，。、；：？！）》」”…) never starts a line and opening punctuation (（《「“) never
/// ends one, and a Latin word is kept whole unless it is wider than the line.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::ui {

/// @brief One decoded code point and the bytes it came from.
struct CodePoint {
    unsigned value{0};        ///< U+FFFD for an invalid or truncated sequence.
    std::size_t offset{0};    ///< First byte in the source.
    std::size_t length{1};    ///< Bytes taken (1 for an invalid byte, which is skipped alone).
};

/// @brief Decodes UTF-8 with the byte range of each code point (invalid bytes become U+FFFD).
[[nodiscard]] std::vector<CodePoint> decodeUtf8Spans(std::string_view s);

/// @brief Decodes UTF-8 to code points (invalid bytes become U+FFFD).
[[nodiscard]] std::vector<unsigned> decodeUtf8(std::string_view s);

/// @brief True for characters that never start a line (closing punctuation, small kana, iteration marks).
[[nodiscard]] bool noLineStart(unsigned cp) noexcept;
/// @brief True for characters that never end a line (opening brackets and quotation marks).
[[nodiscard]] bool noLineEnd(unsigned cp) noexcept;
/// @brief True for ideographs, kana, Hangul and full-width forms: a line may break on either side of them.
[[nodiscard]] bool breaksAround(unsigned cp) noexcept;

/// @brief Horizontal advance of a code point in the font and size being laid out.
using AdvanceFn = std::function<float(unsigned)>;

/// @brief Splits @p text into lines no wider than @p width (a single character wider than the line gets a
/// line of its own). Explicit '\n' ends a line; spaces at a break are dropped. The views point into @p text.
[[nodiscard]] std::vector<std::string_view> breakLines(std::string_view text, float width, const AdvanceFn& advance);

/// @brief breakLines() joined with '\n', ready for a renderer that does not wrap.
[[nodiscard]] std::string wrapText(std::string_view text, float width, const AdvanceFn& advance);

}  // namespace kiosk::ui
