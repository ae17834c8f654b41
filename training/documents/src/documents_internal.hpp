#pragma once
// Internals of the document renderer (documents_*.cpp): the parsed layout template, the font subsetter
// and the image helpers. Not a public header.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "training/documents.hpp"

namespace training::docs {

/// An sRGB colour, components 0..1.
struct Color {
    float r{0}, g{0}, b{0};
};

enum class Align { Left, Center, Right };

enum class ItemType { Text, Rect, Line, Image, Qr, Modules };

/// One column of a modules table.
struct Column {
    std::string title;   ///< header text (placeholders allowed)
    std::string value;   ///< per-row text with row placeholders ({module_zh}, {required_hours}, ...)
    double xMm{0};       ///< offset from the table's x
    Align align{Align::Left};
};

/// One drawing instruction; coordinates in millimetres from the page's top-left corner, y down.
struct Item {
    ItemType type{ItemType::Text};
    std::string where;  ///< "page 1, item 3" for messages
    double x{0}, y{0}, w{0}, h{0};
    double x2{0}, y2{0};
    // text
    std::string text;
    double sizePt{10};
    Align align{Align::Left};
    double maxWidth{0};       ///< shrink the font until the text fits (0: no limit)
    double charSpacePt{0};
    // lines and shapes
    double linePt{0.5};
    std::optional<Color> stroke;
    std::optional<Color> fill;
    Color color{};
    // image: "portrait" or a file name relative to the template directory
    std::string source;
    std::string imageBytes;  ///< the logo file's bytes, read at load time
    bool imageIsPng{false};
    // modules table
    double rowMm{6};
    double maxHMm{0};           ///< height for header, rows and total line; rows shrink to fit (0: no limit)
    std::string total;          ///< line under the last row, right-aligned at the table's right edge minus 3 mm
    double totalSizePt{0};      ///< its font size (0: size_pt)
    std::vector<Column> columns;
    std::optional<Color> headerFill;
};

struct Page {
    std::vector<Item> items;
};

/// A parsed template file.
struct Template {
    std::filesystem::path file;
    double widthMm{210}, heightMm{297};
    std::vector<std::string> fontFamilies;
    std::string missing{"—"};  ///< shown for an absent optional value
    std::string title;          ///< PDF document title (placeholders allowed)
    std::vector<Page> pages;
};

[[nodiscard]] Result<Template> loadTemplate(const std::filesystem::path& file);

/// Field values for placeholders of a document.
using Fields = std::map<std::string, std::string, std::less<>>;
[[nodiscard]] Fields documentFields(const CertificateDocument& doc, const std::string& missing);
/// Replaces {name} placeholders; unknown names are kept verbatim so a typo shows on the page.
[[nodiscard]] std::string substitute(std::string_view text, const Fields& fields);

/// A TrueType face (from a .ttf or one face of a .ttc) kept open to subset many documents.
class FontSource {
public:
    /// Finds the first of @p families fontconfig knows as a TrueType font with Chinese coverage.
    [[nodiscard]] static Result<std::shared_ptr<FontSource>> find(const std::vector<std::string>& families);
    [[nodiscard]] static Result<std::shared_ptr<FontSource>> open(const std::filesystem::path& file, int index);
    ~FontSource();
    FontSource(const FontSource&) = delete;
    FontSource& operator=(const FontSource&) = delete;

    /// A standalone TrueType font with only the glyphs of @p codepoints (plus .notdef), hinting dropped, whose
    /// character map gives them the private-use code points kPrivateUseBase + i (i: index in @p codepoints)
    /// instead of their own: one contiguous range, which libharu's CID font set-up (a glyph lookup for each of
    /// the 65536 code points, linear in the number of cmap ranges) handles in constant time per code point.
    /// The text drawn must use those code points (toPrivateUse); the ToUnicode map gives the real ones back.
    [[nodiscard]] Result<std::string> subset(const std::vector<std::uint32_t>& codepoints) const;
    /// Code points of @p codepoints the font has no glyph for.
    [[nodiscard]] std::vector<std::uint32_t> missing(const std::vector<std::uint32_t>& codepoints) const;
    [[nodiscard]] const std::filesystem::path& file() const noexcept { return m_file; }

private:
    FontSource() = default;
    std::filesystem::path m_file;
    int m_index{0};
    void* m_face{nullptr};  // hb_face_t*
    void* m_font{nullptr};  // hb_font_t*, for glyph lookups
};

/// UTF-8 to code points (invalid bytes become U+FFFD).
[[nodiscard]] std::vector<std::uint32_t> codepoints(std::string_view utf8);
/// Code points to UTF-8 (Basic Multilingual Plane and above).
[[nodiscard]] std::string utf8(std::uint32_t codepoint);

/// First private-use code point of a document font's character map (see FontSource::subset).
inline constexpr std::uint32_t kPrivateUseBase = 0xE000;

/// Image helpers (libjpeg).
struct ImageInfo {
    int width{0}, height{0};
};
[[nodiscard]] std::optional<ImageInfo> jpegInfo(std::string_view jpeg);
/// Re-encodes @p jpeg no wider than @p maxWidth pixels at quality @p quality (colour, baseline).
[[nodiscard]] Result<std::string> shrinkJpeg(std::string_view jpeg, int maxWidth, int quality);
/// Encodes 8-bit RGB pixels as a JPEG.
[[nodiscard]] Result<std::string> encodeJpeg(const std::vector<std::uint8_t>& rgb, int width, int height, int quality);

}  // namespace training::docs
