#pragma once
/// @file format.hpp
/// @brief Numbers and hints formatted for people on the kiosk's screens: durations as "1 小时 30 分" /
/// "1 h 30 min", example values drawn in a field so that they cannot be taken for a typed value, and a screen's
/// back / primary actions in their fixed places.

#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/i18n.hpp"
#include "ui/screen.hpp"
#include "ui/widgets.hpp"

namespace kiosk::ui {

/// @brief A duration of @p minutes for people, from the `duration.*` catalog texts in @p lang: "1 小时 30 分",
/// "2 小时", "45 分" (Chinese) or "1 h 30 min", "2 h", "45 min" (English). Negative durations count as 0.
[[nodiscard]] inline std::string formatDuration(const I18n& i18n, int minutes, Language lang) {
    if (minutes < 0) minutes = 0;
    const std::string h = std::to_string(minutes / 60);
    const std::string m = std::to_string(minutes % 60);
    if (minutes < 60) return format(i18n.tr("duration.minutes", lang), {m});
    if (minutes % 60 == 0) return format(i18n.tr("duration.hours", lang), {h});
    return format(i18n.tr("duration.hours_minutes", lang), {h, m});
}

/// @brief formatDuration() in the current language of @p i18n.
[[nodiscard]] inline std::string formatDuration(const I18n& i18n, int minutes) {
    return formatDuration(i18n, minutes, i18n.language());
}

/// @brief Grey of a hint (an example value) in an empty field: lighter than the muted text so that it never
/// looks like a typed value, still 4.8:1 on the field's white.
inline constexpr ImU32 kHintColor = IM_COL32(0x6B, 0x72, 0x80, 0xFF);

/// @brief Draws @p hint (an example from the catalog, "例如 L898902C3") inside the empty field whose box is
/// @p min..@p max, in the small font and the hint grey, vertically at @p y (or centred when @p y < 0), and records
/// it as a text on screen. The field itself is drawn by Widgets with an empty placeholder.
inline void drawHint(Widgets& ui, std::string_view hint, ImVec2 min, ImVec2 max, float y = -1.0f) {
    if (hint.empty()) return;
    ui.recordText(hint);
    ImFont* font = ui.fonts().small();
    const float size = font->FontSize;
    const float wrap = max.x - min.x - 40;
    const ImVec2 ts = font->CalcTextSizeA(size, FLT_MAX, wrap, hint.data(), hint.data() + hint.size());
    const float top = y >= 0 ? y : min.y + (max.y - min.y - ts.y) / 2;
    ImGui::GetWindowDrawList()->AddText(font, size, {min.x + 20, top}, kHintColor, hint.data(),
                                        hint.data() + hint.size(), wrap);
}

/// @brief A field (Widgets::field) showing @p value, or @p hint in the hint style when @p value is empty.
inline void hintedField(Widgets& ui, std::string_view id, std::string_view value, std::string_view hint, float width,
                        bool mask = false) {
    ui.field(id, value, {}, width, mask);
    if (value.empty()) drawHint(ui, hint, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
}

/// @brief A tappable labelled field (Widgets::labelledField) with @p hint in the hint style when @p value is
/// empty; true when tapped.
inline bool hintedLabelledField(Widgets& ui, std::string_view id, std::string_view label, std::string_view value,
                                std::string_view hint, float width, bool selected) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const bool tapped = ui.labelledField(id, label, value, {}, width, selected);
    if (value.empty()) {
        const ImVec2 q = ImGui::GetItemRectMax();
        drawHint(ui, hint, p, {p.x + width, q.y}, p.y + 58);
    }
    return tapped;
}

/// @brief Whether a keypad stands beside its field(s) rather than under them: from 1000 logical px of available
/// width, or from 780 when the area is clearly wider than high (large-text mode on a landscape screen).
[[nodiscard]] inline bool keypadBeside() {
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    return avail.x >= 1000.0f || (avail.x >= 780.0f && avail.x > 1.2f * avail.y);
}

/// @brief A screen's actions in the bottom bar (Footer): @p back at the bottom left, @p primary at the bottom
/// right, @p secondary just left of it (the core draws the bar below the scrolling content).
inline void screenActions(Context& ctx, std::optional<FooterAction> back, std::optional<FooterAction> primary,
                          std::optional<FooterAction> secondary = std::nullopt) {
    ctx.footer.back = std::move(back);
    ctx.footer.primary = std::move(primary);
    ctx.footer.secondary = std::move(secondary);
}

}  // namespace kiosk::ui
