#pragma once
/// @file widgets.hpp
/// @brief Touch widgets over ImGui (targets >= 56 px, body text >= 24 px, contrast >= 7:1) that record
/// what they drew, so scripts can find elements by id or label and check the text on screen.

#include <imgui.h>

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ui/fonts.hpp"

namespace kiosk::ui {

/// @brief Colours of the touch theme (every text/background pair has a contrast ratio of at least 7:1).
namespace theme {
inline constexpr ImU32 kBackground = IM_COL32(0xF7, 0xF8, 0xFA, 0xFF);
inline constexpr ImU32 kText = IM_COL32(0x11, 0x18, 0x27, 0xFF);         // 16.9:1 on background
inline constexpr ImU32 kMuted = IM_COL32(0x37, 0x41, 0x51, 0xFF);        // 9.9:1 on background
inline constexpr ImU32 kPrimary = IM_COL32(0x0B, 0x3D, 0x91, 0xFF);      // white on it: 10.6:1
inline constexpr ImU32 kPrimaryActive = IM_COL32(0x07, 0x2A, 0x66, 0xFF);
inline constexpr ImU32 kSecondary = IM_COL32(0xE2, 0xE8, 0xF0, 0xFF);    // text on it: 14.2:1
inline constexpr ImU32 kSecondaryActive = IM_COL32(0xC8, 0xD2, 0xDE, 0xFF);
inline constexpr ImU32 kDanger = IM_COL32(0x8B, 0x10, 0x10, 0xFF);       // white on it: 10.2:1
inline constexpr ImU32 kOk = IM_COL32(0x0F, 0x5A, 0x2A, 0xFF);           // white on it: 8.3:1
inline constexpr ImU32 kWarnBg = IM_COL32(0xFF, 0xF4, 0xD6, 0xFF);       // kText on it: 16:1
inline constexpr ImU32 kErrorText = IM_COL32(0x8B, 0x10, 0x10, 0xFF);    // 9.6:1 on background
inline constexpr ImU32 kBar = IM_COL32(0x0B, 0x2A, 0x55, 0xFF);          // white on it: 13.4:1
inline constexpr float kTarget = 72.0f;     ///< Default button height (minimum 56).
inline constexpr float kMinTarget = 56.0f;
inline constexpr float kPad = 24.0f;
}  // namespace theme

/// @brief The size in logical pixels that @p font draws at (its atlas is rasterised at the display's scale:
/// pass this, not ImFont::FontSize, to ImDrawList::AddText and ImFont::CalcTextSizeA).
[[nodiscard]] inline float fontPx(const ImFont* font) { return font->FontSize * ImGui::GetIO().FontGlobalScale; }

/// @brief Applies the touch style to ImGui.
void applyTheme();

/// @brief Button styles.
enum class Kind { Primary, Secondary, Danger, Selected, Ok };

/// @brief An element drawn in a frame.
struct Element {
    std::string id;
    std::string label;
    ImVec2 min;  ///< The visible part (the whole element when it is scrolled out: see visible).
    ImVec2 max;
    bool enabled{true};
    bool visible{true};   ///< False when scrolled out of its panel (it cannot be touched until scrolled to).
    bool clipped{false};  ///< Only part of it shows (its panel cuts it).
    bool cutAtSide{false};  ///< Its panel cuts it at the left or right (panels scroll only up and down).
    bool touch{true};     ///< Something to touch (a target); false for text boxes recorded for the layout check.
    bool guarded{false};  ///< Double-tap protected (Widgets::guarded): a second tap within 0.8 s does nothing.
};

/// @brief One row of a list made for reading: padded, every second row tinted (zebra), a thin rule below.
/// Draw the row's content between construction and destruction (one scope per row).
class ListRow {
public:
    explicit ListRow(int index);
    ~ListRow();
    ListRow(const ListRow&) = delete;
    ListRow& operator=(const ListRow&) = delete;

private:
    ImDrawListSplitter m_split;
    ImDrawList* m_list;
    ImVec2 m_start;
    float m_width;
    int m_index;
};

/// @brief The widget set and the per-frame record of what was drawn.
class Widgets {
public:
    explicit Widgets(Fonts& fonts) : m_fonts(fonts) {}

    /// @brief Starts a frame's record (the previous frame's stays queryable).
    void beginFrame();
    /// @brief A button at least kMinTarget high; true when tapped.
    bool button(std::string_view id, std::string_view label, ImVec2 size = {0, 0}, Kind kind = Kind::Primary,
                bool enabled = true);
    /// @brief Double-tap protection for actions that must not run twice (hand in, print, sign): @p tapped unless
    /// the element @p id was taken within the last 0.8 s (a bounced finger, an impatient second tap).
    [[nodiscard]] bool guarded(std::string_view id, bool tapped);
    /// @brief A full-width answer button whose label wraps onto as many lines as it needs (left aligned); at least
    /// @p minHeight high. True when tapped.
    bool wrappedButton(std::string_view id, std::string_view label, float width, float minHeight, Kind kind,
                       bool enabled = true);
    /// @brief Puts the next item of width @p nextWidth on the same line when it fits there (a row of buttons that
    /// wraps on a narrow screen); true when it does.
    bool sameLineIfFits(float nextWidth);
    /// @brief Wrapped text in @p font (body by default).
    void text(std::string_view s, ImFont* font = nullptr, ImU32 color = theme::kText);
    /// @brief Large heading.
    void heading(std::string_view s) { text(s, m_fonts.large()); }
    /// @brief Text centred horizontally in the current window.
    void centered(std::string_view s, ImFont* font = nullptr, ImU32 color = theme::kText);
    /// @brief A coloured panel with text (notices, errors).
    void notice(std::string_view s, ImU32 bg = theme::kWarnBg, ImU32 fg = theme::kText);
    /// @brief A 3x4 numeric keypad (ids key-0..key-9, key-x, key-back, key-clear); true when @p value changed.
    bool keypad(std::string& value, std::size_t maxLen, bool withX, float width);
    /// @brief Shows @p value in a large field (masked with '*' when @p mask).
    void field(std::string_view id, std::string_view value, std::string_view placeholder, float width, bool mask = false);
    /// @brief A tappable input box with its label inside (small, above the value), 110 px high; a thick
    /// primary border marks the @p selected one. The box's element id is @p id; true when tapped.
    bool labelledField(std::string_view id, std::string_view label, std::string_view value,
                       std::string_view placeholder, float width, bool selected);
    /// @brief Records an element drawn by other means (signature pad, images).
    void record(std::string_view id, std::string_view label, ImVec2 min, ImVec2 max, bool enabled = true);
    /// @brief Records a box of text that is not a touch target (for find and the layout check: overlap only).
    void recordStatic(std::string_view id, std::string_view label, ImVec2 min, ImVec2 max);
    /// @brief Records text drawn by other means (and makes sure its glyphs are in the atlas).
    void recordText(std::string_view s);

    /// @brief Asks the panel holding element @p id to scroll it into view when it is next drawn (scripts tap
    /// what a person would scroll to).
    void scrollTo(std::string_view id) { m_scrollTo = id; }
    /// @brief Notes a text that does not fit the box it is drawn in (checked by layoutProblems).
    void overflow(std::string_view where, std::string_view text, float need, float room);
    /// @brief What is wrong with the last frame's layout for a person at a touch screen: text that does not fit
    /// its box, two visible elements overlapping, a fully visible element smaller than @p minTarget logical
    /// pixels either way, an element outside @p display. Empty when the layout is sound.
    [[nodiscard]] std::vector<std::string> layoutProblems(ImVec2 display, float minTarget = theme::kMinTarget) const;

    [[nodiscard]] const std::vector<Element>& lastElements() const { return m_last; }
    [[nodiscard]] const std::vector<std::string>& lastTexts() const { return m_lastTexts; }
    /// @brief The element of the last frame with id @p key, else with label @p key, else whose label contains it.
    [[nodiscard]] const Element* find(std::string_view key) const;
    /// @brief True when the last frame drew a text containing @p s.
    [[nodiscard]] bool sawText(std::string_view s) const;
    [[nodiscard]] Fonts& fonts() { return m_fonts; }

private:
    Fonts& m_fonts;
    std::vector<Element> m_current;
    std::vector<Element> m_last;
    std::vector<std::string> m_currentTexts;
    std::vector<std::string> m_lastTexts;
    std::vector<std::string> m_currentOverflows;
    std::vector<std::string> m_lastOverflows;
    std::string m_scrollTo;
    std::unordered_map<std::string, double> m_guardedAt;  ///< When each guarded element last acted (ImGui time).
    /// Text broken into lines, by text, width and font: what this frame drew, and what the last one drew
    /// (a text on screen is broken once, not every frame; what left the screen is forgotten).
    std::unordered_map<std::string, std::string> m_wrapNow;
    std::unordered_map<std::string, std::string> m_wrapLast;
    void textLines(std::string_view s, float width);
    [[nodiscard]] float wrapWidth() const;
};

}  // namespace kiosk::ui
