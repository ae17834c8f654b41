#include "ui/widgets.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <imgui_internal.h>

#include "ui/text_layout.hpp"

namespace kiosk::ui {

namespace {
constexpr const char* kKeys[12] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "X", "0", "<"};
}  // namespace

void applyTheme() {
    ImGuiStyle& s = ImGui::GetStyle();
    s.WindowPadding = {theme::kPad, theme::kPad};
    s.FramePadding = {20, 14};
    s.ItemSpacing = {16, 14};
    s.ItemInnerSpacing = {12, 12};
    s.ScrollbarSize = 40;
    s.GrabMinSize = 40;
    s.FrameRounding = 10;
    s.WindowRounding = 0;
    s.ChildRounding = 10;
    s.WindowBorderSize = 0;
    s.TouchExtraPadding = {4, 4};
    s.AntiAliasedLines = true;
    auto* c = s.Colors;
    c[ImGuiCol_Text] = ImGui::ColorConvertU32ToFloat4(theme::kText);
    c[ImGuiCol_TextDisabled] = ImGui::ColorConvertU32ToFloat4(theme::kMuted);
    c[ImGuiCol_WindowBg] = ImGui::ColorConvertU32ToFloat4(theme::kBackground);
    c[ImGuiCol_ChildBg] = ImVec4(1, 1, 1, 1);
    c[ImGuiCol_PopupBg] = ImVec4(1, 1, 1, 1);
    c[ImGuiCol_Border] = ImGui::ColorConvertU32ToFloat4(theme::kMuted);
    c[ImGuiCol_FrameBg] = ImVec4(1, 1, 1, 1);
    c[ImGuiCol_ScrollbarBg] = ImGui::ColorConvertU32ToFloat4(theme::kSecondary);
    c[ImGuiCol_ScrollbarGrab] = ImGui::ColorConvertU32ToFloat4(theme::kMuted);
    c[ImGuiCol_ScrollbarGrabHovered] = ImGui::ColorConvertU32ToFloat4(theme::kText);
    c[ImGuiCol_ScrollbarGrabActive] = ImGui::ColorConvertU32ToFloat4(theme::kText);
    c[ImGuiCol_ModalWindowDimBg] = ImVec4(0, 0, 0, 0.55f);
    // Tables made for reading: tall rows, a tinted header, zebra rows, light rules.
    s.CellPadding = {12, 10};
    c[ImGuiCol_TableHeaderBg] = ImGui::ColorConvertU32ToFloat4(theme::kSecondary);
    c[ImGuiCol_TableRowBg] = ImVec4(1, 1, 1, 1);
    c[ImGuiCol_TableRowBgAlt] = ImGui::ColorConvertU32ToFloat4(IM_COL32(0xEC, 0xF0, 0xF5, 0xFF));
    c[ImGuiCol_TableBorderStrong] = ImGui::ColorConvertU32ToFloat4(IM_COL32(0xB8, 0xC2, 0xCE, 0xFF));
    c[ImGuiCol_TableBorderLight] = ImGui::ColorConvertU32ToFloat4(IM_COL32(0xD5, 0xDB, 0xE3, 0xFF));
}

void Widgets::textLines(std::string_view s, float width) {
    // The key: the text, the width in whole pixels, the font and the atlas build (advances change when
    // glyphs are added). Chinese line-breaking rules, not ImGui's.
    ImFont* font = ImGui::GetFont();
    const float size = ImGui::GetFontSize();
    std::string key(s);
    key += '\0';
    key += std::to_string(static_cast<int>(std::max(width, 1.0f))) + '/' +
           std::to_string(reinterpret_cast<std::uintptr_t>(font)) + '/' + std::to_string(static_cast<int>(size)) + '/' +
           std::to_string(m_fonts.generation());
    auto it = m_wrapNow.find(key);
    if (it == m_wrapNow.end()) {
        if (auto old = m_wrapLast.find(key); old != m_wrapLast.end()) {
            it = m_wrapNow.emplace(key, std::move(old->second)).first;
        } else {
            const float scale = size / font->FontSize;
            it = m_wrapNow
                     .emplace(key, wrapText(s, std::max(width, 1.0f),
                                            [font, scale](unsigned cp) {
                                                return font->GetCharAdvance(
                                                           static_cast<ImWchar>(cp > 0xFFFF ? 0xFFFD : cp)) *
                                                       scale;
                                            }))
                     .first;
        }
    }
    ImGui::TextUnformatted(it->second.data(), it->second.data() + it->second.size());
}

float Widgets::wrapWidth() const {
    // PushTextWrapPos (a row keeping its text clear of buttons beside it) narrows the text, as in ImGui's own.
    const float avail = ImGui::GetContentRegionAvail().x;
    const float pos = ImGui::GetCurrentWindowRead()->DC.TextWrapPos;
    return pos > 0 ? std::min(avail, pos - ImGui::GetCursorPosX()) : avail;
}

void Widgets::beginFrame() {
    m_wrapLast.swap(m_wrapNow);
    m_wrapNow.clear();
    m_last.swap(m_current);
    m_current.clear();
    m_lastTexts.swap(m_currentTexts);
    m_currentTexts.clear();
    m_lastOverflows.swap(m_currentOverflows);
    m_currentOverflows.clear();
}

void Widgets::overflow(std::string_view where, std::string_view text, float need, float room) {
    if (need <= room + 0.5f) return;
    std::string t(text.substr(0, std::min<std::size_t>(text.size(), 60)));
    m_currentOverflows.push_back(fmt::format("'{}' does not fit {}: {:.0f} px wide in {:.0f}", t, where, need, room));
}

std::vector<std::string> Widgets::layoutProblems(ImVec2 display, float minTarget) const {
    std::vector<std::string> out = m_lastOverflows;
    auto name = [](const Element& e) { return e.id.empty() ? "text '" + e.label + "'" : e.id; };
    std::vector<const Element*> shown;
    for (const auto& e : m_last)
        if (e.visible) shown.push_back(&e);
    for (const Element* e : shown) {
        const float w = e->max.x - e->min.x, h = e->max.y - e->min.y;
        if (e->touch && !e->clipped && (w < minTarget - 0.5f || h < minTarget - 0.5f))
            out.push_back(fmt::format("{} is {:.0f}x{:.0f}, under the {:.0f} px touch target", name(*e), w, h, minTarget));
        if (e->cutAtSide) out.push_back(fmt::format("{} is cut off at the side of its panel", name(*e)));
        if (e->min.x < -0.5f || e->min.y < -0.5f || e->max.x > display.x + 0.5f || e->max.y > display.y + 0.5f)
            out.push_back(fmt::format("{} is outside the screen", name(*e)));
    }
    for (std::size_t i = 0; i < shown.size(); ++i)
        for (std::size_t j = i + 1; j < shown.size(); ++j) {
            const Element& a = *shown[i];
            const Element& b = *shown[j];
            const float ox = std::min(a.max.x, b.max.x) - std::max(a.min.x, b.min.x);
            const float oy = std::min(a.max.y, b.max.y) - std::max(a.min.y, b.min.y);
            if (ox > 1.0f && oy > 1.0f)
                out.push_back(fmt::format("{} ({:.0f},{:.0f})-({:.0f},{:.0f}) overlaps {} ({:.0f},{:.0f})-({:.0f},{:.0f})",
                                          name(a), a.min.x, a.min.y, a.max.x, a.max.y, name(b), b.min.x, b.min.y,
                                          b.max.x, b.max.y));
        }
    return out;
}

void Widgets::record(std::string_view id, std::string_view label, ImVec2 min, ImVec2 max, bool enabled) {
    if (!m_scrollTo.empty() && id == m_scrollTo) {
        // Scroll the panel so the element is in the middle of it (a person would scroll it into view).
        ImGui::SetScrollFromPosY((min.y + max.y) / 2 - ImGui::GetWindowPos().y, 0.5f);
        m_scrollTo.clear();
    }
    // Only the visible part counts (an element scrolled out of its panel cannot be touched).
    const ImVec2 cmin = ImGui::GetWindowDrawList()->GetClipRectMin();
    const ImVec2 cmax = ImGui::GetWindowDrawList()->GetClipRectMax();
    const ImVec2 vmin{std::max(min.x, cmin.x), std::max(min.y, cmin.y)};
    const ImVec2 vmax{std::min(max.x, cmax.x), std::min(max.y, cmax.y)};
    if (vmax.x - vmin.x < 8 || vmax.y - vmin.y < 8) {
        m_current.push_back({std::string(id), std::string(label), min, max, enabled, false, true});
        return;
    }
    const bool cutAtSide = vmin.x > min.x + 0.5f || vmax.x < max.x - 0.5f;
    const bool clipped = cutAtSide || vmin.y > min.y + 0.5f || vmax.y < max.y - 0.5f;
    m_current.push_back({std::string(id), std::string(label), vmin, vmax, enabled, true, clipped, cutAtSide});
}

void Widgets::recordStatic(std::string_view id, std::string_view label, ImVec2 min, ImVec2 max) {
    const auto n = m_current.size();
    record(id, label.substr(0, std::min<std::size_t>(label.size(), 48)), min, max, true);
    if (m_current.size() > n) m_current.back().touch = false;
}

void Widgets::recordText(std::string_view s) {
    m_fonts.require(s);
    m_currentTexts.emplace_back(s);
}

bool Widgets::button(std::string_view id, std::string_view label, ImVec2 size, Kind kind, bool enabled) {
    recordText(label);
    ImU32 bg = theme::kPrimary, bgActive = theme::kPrimaryActive, fg = IM_COL32_WHITE;
    switch (kind) {
        case Kind::Primary: break;
        case Kind::Secondary:
            bg = theme::kSecondary;
            bgActive = theme::kSecondaryActive;
            fg = theme::kText;
            break;
        // Every kind darkens while pressed (press feedback: the finger sees the button go down).
        case Kind::Danger: bg = theme::kDanger, bgActive = IM_COL32(0x5E, 0x0A, 0x0A, 0xFF); break;
        case Kind::Ok: bg = theme::kOk, bgActive = IM_COL32(0x09, 0x3A, 0x1B, 0xFF); break;
        case Kind::Selected: bg = theme::kPrimary, bgActive = theme::kPrimaryActive; break;
    }
    if (!enabled) {
        bg = bgActive = IM_COL32(0xD8, 0xDC, 0xE2, 0xFF);
        fg = IM_COL32(0x37, 0x41, 0x51, 0xFF);  // 8.1:1 on the disabled grey
    }
    if (size.y < theme::kMinTarget) size.y = theme::kTarget;
    ImGui::PushID(id.data(), id.data() + id.size());
    ImGui::PushStyleColor(ImGuiCol_Button, bg);
    // No hover-only affordance: hovering does not change the look; pressing does.
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, bg);
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, bgActive);
    ImGui::PushStyleColor(ImGuiCol_Text, fg);
    if (kind == Kind::Selected) ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 4.0f);
    const std::string text = std::string(label) + "##b";
    if (size.x > 0) {
        // A label wider than its button is cut by ImGui: a layout defect (the checker reports it).
        const float need = ImGui::CalcTextSize(label.data(), label.data() + label.size(), true).x;
        overflow("button " + std::string(id), label, need, size.x - 2 * 8.0f);
    }
    bool clicked = ImGui::Button(text.c_str(), size);
    if (kind == Kind::Selected) ImGui::PopStyleVar();
    ImGui::PopStyleColor(4);
    ImGui::PopID();
    record(id, label, ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), enabled);
    return clicked && enabled;
}

bool Widgets::sameLineIfFits(float nextWidth) {
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    if (ImGui::GetItemRectMax().x + spacing + nextWidth > right + 0.5f) return false;
    ImGui::SameLine();
    return true;
}

bool Widgets::guarded(std::string_view id, bool tapped) {
    for (auto it = m_current.rbegin(); it != m_current.rend(); ++it)
        if (it->id == id) {
            it->guarded = true;
            break;
        }
    if (!tapped) return false;
    const double now = ImGui::GetTime();
    auto [it, added] = m_guardedAt.try_emplace(std::string(id), now);
    if (!added && now - it->second < 0.8) return false;
    it->second = now;
    return true;
}

bool Widgets::wrappedButton(std::string_view id, std::string_view label, float width, float minHeight, Kind kind,
                            bool enabled) {
    recordText(label);
    const float padX = 20.0f, padY = 12.0f;
    ImFont* font = ImGui::GetFont();
    const float size = ImGui::GetFontSize();
    const float scale = size / font->FontSize;
    const std::string lines = wrapText(label, std::max(width - 2 * padX, 1.0f), [font, scale](unsigned cp) {
        return font->GetCharAdvance(static_cast<ImWchar>(cp > 0xFFFF ? 0xFFFD : cp)) * scale;
    });
    const ImVec2 ts = ImGui::CalcTextSize(lines.c_str());
    const float h = std::max(minHeight, ts.y + 2 * padY);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::PushID(id.data(), id.data() + id.size());
    const bool clicked = ImGui::InvisibleButton("##w", {width, h});
    const bool held = ImGui::IsItemActive();
    ImGui::PopID();
    ImU32 bg = theme::kSecondary, fg = theme::kText;
    if (kind == Kind::Selected) bg = held ? theme::kPrimaryActive : theme::kPrimary, fg = IM_COL32_WHITE;
    else if (held) bg = theme::kSecondaryActive;
    if (!enabled) bg = IM_COL32(0xD8, 0xDC, 0xE2, 0xFF), fg = IM_COL32(0x37, 0x41, 0x51, 0xFF);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, {p.x + width, p.y + h}, bg, ImGui::GetStyle().FrameRounding);
    if (kind == Kind::Selected) dl->AddRect(p, {p.x + width, p.y + h}, theme::kText, ImGui::GetStyle().FrameRounding, 0, 4.0f);
    dl->AddText({p.x + padX, p.y + (h - ts.y) / 2}, fg, lines.c_str());
    record(id, label, p, {p.x + width, p.y + h}, enabled);
    return clicked && enabled;
}

void Widgets::text(std::string_view s, ImFont* font, ImU32 color) {
    recordText(s);
    if (font) ImGui::PushFont(font);
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    textLines(s, wrapWidth());
    ImGui::PopStyleColor();
    if (font) ImGui::PopFont();
    recordStatic("", s, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
}

void Widgets::centered(std::string_view s, ImFont* font, ImU32 color) {
    recordText(s);
    if (font) ImGui::PushFont(font);
    const float w = ImGui::CalcTextSize(s.data(), s.data() + s.size()).x;
    const float avail = ImGui::GetContentRegionAvail().x;
    if (w < avail) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (avail - w) / 2);
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    textLines(s, avail);
    ImGui::PopStyleColor();
    if (font) ImGui::PopFont();
    recordStatic("", s, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
}

void Widgets::notice(std::string_view s, ImU32 bg, ImU32 fg) {
    recordText(s);
    const float width = ImGui::GetContentRegionAvail().x;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->ChannelsSplit(2);
    dl->ChannelsSetCurrent(1);
    const ImVec2 start = ImGui::GetCursorScreenPos();
    ImGui::SetCursorScreenPos({start.x + 16, start.y + 12});
    ImGui::PushStyleColor(ImGuiCol_Text, fg);
    textLines(s, width - 32);
    ImGui::PopStyleColor();
    const ImVec2 end = {start.x + width, ImGui::GetItemRectMax().y + 12};
    recordStatic("", s, start, end);
    dl->ChannelsSetCurrent(0);
    dl->AddRectFilled(start, end, bg, 10.0f);
    dl->ChannelsMerge();
    ImGui::SetCursorScreenPos({start.x, end.y + ImGui::GetStyle().ItemSpacing.y});
    ImGui::Dummy({0, 0});
}

void Widgets::field(std::string_view id, std::string_view value, std::string_view placeholder, float width, bool mask) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = 76.0f;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, {p.x + width, p.y + h}, IM_COL32_WHITE, 10.0f);
    dl->AddRect(p, {p.x + width, p.y + h}, theme::kText, 10.0f, 0, 3.0f);
    std::string shown = mask ? std::string(value.size(), '*') : std::string(value);
    const bool empty = shown.empty();
    if (empty) shown = placeholder;
    recordText(shown);
    ImGui::PushFont(m_fonts.large());
    const ImVec2 ts = ImGui::CalcTextSize(shown.c_str());
    overflow("field " + std::string(id), shown, ts.x, width - 40);
    dl->AddText({p.x + 20, p.y + (h - ts.y) / 2}, empty ? theme::kMuted : theme::kText, shown.c_str());
    ImGui::PopFont();
    ImGui::Dummy({width, h});
    record(id, shown, p, {p.x + width, p.y + h});
}

bool Widgets::labelledField(std::string_view id, std::string_view label, std::string_view value,
                            std::string_view placeholder, float width, bool selected) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = 110.0f;
    ImGui::PushID(id.data(), id.data() + id.size());
    const bool clicked = ImGui::InvisibleButton("##f", {width, h});
    ImGui::PopID();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, {p.x + width, p.y + h}, IM_COL32_WHITE, 10.0f);
    dl->AddRect(p, {p.x + width, p.y + h}, selected ? theme::kPrimary : theme::kText, 10.0f, 0, selected ? 6.0f : 2.0f);
    recordText(label);
    ImGui::PushFont(m_fonts.small());
    dl->AddText({p.x + 20, p.y + 10}, selected ? theme::kPrimary : theme::kMuted, label.data(), label.data() + label.size());
    ImGui::PopFont();
    std::string shown(value);
    const bool empty = shown.empty();
    if (empty) shown = placeholder;
    recordText(shown);
    ImGui::PushFont(m_fonts.large());
    overflow("field " + std::string(id), shown, ImGui::CalcTextSize(shown.c_str()).x, width - 40);
    dl->AddText({p.x + 20, p.y + 48}, empty ? theme::kMuted : theme::kText, shown.c_str());
    ImGui::PopFont();
    record(id, label, p, {p.x + width, p.y + h});
    return clicked;
}

bool Widgets::keypad(std::string& value, std::size_t maxLen, bool withX, float width) {
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float w = (width - 2 * gap) / 3;
    const float h = 76.0f;
    bool changed = false;
    ImGui::PushFont(m_fonts.large());
    for (int i = 0; i < 12; ++i) {
        if (i % 3 != 0) ImGui::SameLine();
        const std::string key = kKeys[i];
        if (key == "X" && !withX) {
            if (button("key-clear", "C", {w, h}, Kind::Secondary)) {
                changed = !value.empty();
                value.clear();
            }
            continue;
        }
        if (key == "<") {
            if (button("key-back", "\xE2\x86\x90", {w, h}, Kind::Secondary) && !value.empty()) {
                value.pop_back();
                changed = true;
            }
            continue;
        }
        const std::string id = key == "X" ? "key-x" : "key-" + key;
        if (button(id, key, {w, h}, Kind::Secondary, value.size() < maxLen)) {
            value += key;
            changed = true;
        }
    }
    ImGui::PopFont();
    return changed;
}

ListRow::ListRow(int index)
    : m_list(ImGui::GetWindowDrawList()), m_start(ImGui::GetCursorScreenPos()),
      m_width(ImGui::GetContentRegionAvail().x), m_index(index) {
    m_split.Split(m_list, 2);
    m_split.SetCurrentChannel(m_list, 1);
    ImGui::SetCursorScreenPos({m_start.x + 12, m_start.y + 10});
    ImGui::BeginGroup();
    ImGui::PushTextWrapPos(m_start.x + m_width - 12 - ImGui::GetWindowPos().x);
}

ListRow::~ListRow() {
    ImGui::PopTextWrapPos();
    ImGui::EndGroup();
    const float bottom = ImGui::GetItemRectMax().y + 10;
    m_split.SetCurrentChannel(m_list, 0);
    m_list->AddRectFilled(m_start, {m_start.x + m_width, bottom},
                          m_index % 2 == 1 ? IM_COL32(0xEC, 0xF0, 0xF5, 0xFF) : IM_COL32_WHITE, 6.0f);
    m_list->AddLine({m_start.x, bottom}, {m_start.x + m_width, bottom}, IM_COL32(0xD5, 0xDB, 0xE3, 0xFF), 1.0f);
    m_split.Merge(m_list);
    ImGui::SetCursorScreenPos({m_start.x, bottom + 2});
    ImGui::Dummy({m_width, 0});
}

const Element* Widgets::find(std::string_view key) const {
    for (const auto& e : m_last)
        if (e.id == key) return &e;
    // By label only what can be touched (text boxes are in the list for the layout check).
    for (const auto& e : m_last)
        if (e.touch && e.label == key) return &e;
    for (const auto& e : m_last)
        if (e.touch && !key.empty() && e.label.find(key) != std::string::npos) return &e;
    return nullptr;
}

bool Widgets::sawText(std::string_view s) const {
    return std::ranges::any_of(m_lastTexts, [&](const std::string& t) { return t.find(s) != std::string::npos; });
}

}  // namespace kiosk::ui
