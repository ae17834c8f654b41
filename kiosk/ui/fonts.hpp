#pragma once
/// @file fonts.hpp
/// @brief The CJK font found through fontconfig, with a glyph set that grows with the text on screen.
///
/// Loading every CJK glyph at three sizes would take seconds; instead the atlas holds the glyphs of the
/// catalogs and of every string drawn so far. A string with new characters marks the atlas dirty and the
/// app rebuilds it before the next frame.

#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "training/error.hpp"

struct ImFont;

namespace kiosk::ui {

/// @brief A font file and its face index inside a collection (.ttc).
struct FontFile {
    std::filesystem::path path;
    int index{0};
    std::string family;
};

/// @brief Asks fontconfig for a font covering Simplified Chinese, preferring @p preferred families in order
/// (e.g. "Noto Sans CJK SC", "WenQuanYi Micro Hei").
/// @retval NotFound no installed font covers zh-CN; install fonts-noto-cjk or fonts-wqy-microhei
[[nodiscard]] training::Result<FontFile> findCjkFont(const std::vector<std::string>& preferred);

/// @brief Font sizes in pixels.
struct FontSizes {
    float small{24.0f};
    float body{30.0f};
    float large{44.0f};
    float huge{64.0f};
};

/// @brief The ImGui fonts of the kiosk.
class Fonts {
public:
    /// @brief Reads the font file into memory (kept for rebuilds).
    [[nodiscard]] training::Result<void> load(const FontFile& file, FontSizes sizes);
    /// @brief Adds the characters of @p utf8 to the glyph set; true when some were new.
    bool require(std::string_view utf8);
    /// @brief Counts atlas builds: glyph advances may change with each (text laid out before is stale).
    [[nodiscard]] unsigned generation() const noexcept { return m_generation; }
    [[nodiscard]] bool dirty() const noexcept { return m_dirty; }
    /// @brief Rebuilds the atlas (call between frames; then recreate the GPU texture).
    void build();
    /// @brief Physical pixels per logical pixel: glyphs are rasterised at their size times @p scale (crisp on a
    /// large screen) and drawn at 1/scale (ImGuiIO::FontGlobalScale), so text keeps its logical size. A change
    /// marks the atlas dirty.
    void setRasterScale(float scale);
    [[nodiscard]] float rasterScale() const noexcept { return m_rasterScale; }
    [[nodiscard]] ImFont* small() const { return m_small; }
    [[nodiscard]] ImFont* body() const { return m_body; }
    [[nodiscard]] ImFont* large() const { return m_large; }
    [[nodiscard]] ImFont* huge() const { return m_huge; }
    [[nodiscard]] const FontFile& file() const { return m_file; }
    [[nodiscard]] std::size_t glyphCount() const { return m_codepoints.size(); }

private:
    FontFile m_file;
    FontSizes m_sizes;
    std::vector<unsigned char> m_data;
    std::set<unsigned> m_codepoints;
    std::vector<unsigned short> m_ranges;
    bool m_dirty{true};
    unsigned m_generation{0};
    float m_rasterScale{1.0f};
    ImFont* m_small{nullptr};
    ImFont* m_body{nullptr};
    ImFont* m_large{nullptr};
    ImFont* m_huge{nullptr};
};

}  // namespace kiosk::ui
