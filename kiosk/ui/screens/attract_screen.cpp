// Attract screen: explains itself without reading. A drawn pictogram of a document going onto the reader, the
// three steps (document -> photo -> training/exam) as numbered tiles with a drawn icon each, the center's name,
// today's date and the time, the help phone; keypad fallback and staff entry. Nothing moves: the clock is
// redrawn once a minute (ctx.wakeIn), so an idle kiosk uses no CPU.
#include <algorithm>
#include <array>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "ui/lookup.hpp"
#include "ui/screens/common.hpp"

namespace kiosk::ui {
namespace {

constexpr ImU32 kCardBlue = IM_COL32(0xC7, 0xDD, 0xF5, 0xFF);
constexpr ImU32 kPassportRed = IM_COL32(0x7A, 0x1C, 0x1C, 0xFF);
constexpr ImU32 kGold = IM_COL32(0xE8, 0xC5, 0x6A, 0xFF);
constexpr ImU32 kReader = IM_COL32(0x33, 0x3D, 0x4D, 0xFF);
constexpr ImU32 kReaderPad = IM_COL32(0x4F, 0xB0, 0x6B, 0xFF);
constexpr ImU32 kTile = IM_COL32_WHITE;

/// A thick arrow from @p from to @p to (shaft and head), in @p color.
void arrow(ImDrawList* dl, ImVec2 from, ImVec2 to, float thickness, ImU32 color) {
    const float dx = to.x - from.x, dy = to.y - from.y;
    const float len = std::max(1.0f, std::sqrt(dx * dx + dy * dy));
    const ImVec2 u{dx / len, dy / len};
    const ImVec2 n{-u.y, u.x};
    const float head = thickness * 2.2f;
    const ImVec2 base{to.x - u.x * head, to.y - u.y * head};
    dl->AddLine(from, base, color, thickness);
    dl->AddTriangleFilled(to, {base.x + n.x * head * 0.8f, base.y + n.y * head * 0.8f},
                          {base.x - n.x * head * 0.8f, base.y - n.y * head * 0.8f}, color);
}

/// An ID card of width @p w at @p p: photo box and text lines.
void idCard(ImDrawList* dl, ImVec2 p, float w) {
    const float h = w * 0.63f;
    dl->AddRectFilled(p, {p.x + w, p.y + h}, kCardBlue, w * 0.06f);
    dl->AddRect(p, {p.x + w, p.y + h}, theme::kPrimary, w * 0.06f, 0, std::max(2.0f, w * 0.015f));
    const ImVec2 ph{p.x + w * 0.08f, p.y + h * 0.18f};
    dl->AddRectFilled(ph, {ph.x + w * 0.26f, ph.y + h * 0.62f}, IM_COL32_WHITE, 4.0f);
    dl->AddCircleFilled({ph.x + w * 0.13f, ph.y + h * 0.22f}, w * 0.06f, theme::kMuted);
    dl->AddRectFilled({ph.x + w * 0.04f, ph.y + h * 0.38f}, {ph.x + w * 0.22f, ph.y + h * 0.62f}, theme::kMuted,
                      w * 0.05f, ImDrawFlags_RoundCornersTop);
    for (int i = 0; i < 4; ++i) {
        const float y = p.y + h * (0.24f + 0.15f * static_cast<float>(i));
        dl->AddLine({p.x + w * 0.42f, y}, {p.x + w * (i == 3 ? 0.70f : 0.90f), y}, theme::kPrimary,
                    std::max(2.0f, w * 0.025f));
    }
}

/// A passport of width @p w at @p p: cover with an emblem.
void passport(ImDrawList* dl, ImVec2 p, float w) {
    const float h = w * 1.4f;
    dl->AddRectFilled(p, {p.x + w, p.y + h}, kPassportRed, w * 0.06f);
    dl->AddCircle({p.x + w / 2, p.y + h * 0.42f}, w * 0.22f, kGold, 0, std::max(2.0f, w * 0.03f));
    dl->AddLine({p.x + w * 0.25f, p.y + h * 0.75f}, {p.x + w * 0.75f, p.y + h * 0.75f}, kGold,
                std::max(2.0f, w * 0.03f));
    dl->AddLine({p.x + w * 0.3f, p.y + h * 0.84f}, {p.x + w * 0.7f, p.y + h * 0.84f}, kGold, std::max(2.0f, w * 0.03f));
}

/// The pictogram in the box @p min..@p max: an ID card and a passport above a reader, an arrow onto its pad.
void pictogram(ImDrawList* dl, ImVec2 min, ImVec2 max) {
    const float w = max.x - min.x, h = max.y - min.y;
    dl->AddRectFilled(min, max, theme::kSecondary, 16.0f);
    // The reader: a slab seen from the front-top, with a green pad where the document goes.
    const float rw = std::min(w * 0.8f, h * 1.3f);
    const float rh = std::min(h * 0.3f, rw * 0.35f);
    const ImVec2 r0{min.x + (w - rw) / 2, max.y - rh - h * 0.08f};
    const ImVec2 r1{r0.x + rw, r0.y + rh};
    dl->AddRectFilled(r0, r1, kReader, 14.0f);
    const ImVec2 pad0{r0.x + rw * 0.2f, r0.y + rh * 0.22f};
    const ImVec2 pad1{r1.x - rw * 0.2f, r1.y - rh * 0.3f};
    dl->AddRectFilled(pad0, pad1, kReaderPad, 8.0f);
    dl->AddRect(pad0, pad1, IM_COL32_WHITE, 8.0f, 0, 3.0f);
    // Radio waves above the pad.
    const ImVec2 c{(pad0.x + pad1.x) / 2, pad0.y};
    for (int i = 1; i <= 2; ++i) {
        const float rad = rh * 0.25f * static_cast<float>(i);
        dl->PathArcTo(c, rad, 3.14159f * 1.2f, 3.14159f * 1.8f, 16);
        dl->PathStroke(kReaderPad, 0, 3.0f);
    }
    // The documents above it, and the arrow onto the pad.
    const float top = min.y + h * 0.06f;
    const float space = r0.y - top - h * 0.18f;  // room above the reader, less the arrow's
    const float cardW = std::min(w * 0.38f, space / 0.63f);
    const float passW = std::min(w * 0.16f, space / 1.4f);
    const float gap = w * 0.06f;
    // The card straight above the pad, the passport beside it.
    const ImVec2 cardP{min.x + (w - cardW) / 2, top + (space - cardW * 0.63f) / 2};
    idCard(dl, cardP, cardW);
    passport(dl, {cardP.x + cardW + gap, top + (space - passW * 1.4f) / 2}, passW);
    // From under the card down onto the middle of the pad.
    const float cardBottom = cardP.y + cardW * 0.63f;
    arrow(dl, {cardP.x + cardW / 2, cardBottom + h * 0.03f}, {(pad0.x + pad1.x) / 2, pad0.y + (pad1.y - pad0.y) * 0.3f},
          std::max(6.0f, h * 0.025f), theme::kPrimary);
}

/// The icon of step @p step (0 document, 1 photo, 2 training/exam) centred at @p c, about @p s wide.
void stepIcon(ImDrawList* dl, int step, ImVec2 c, float s) {
    const float t = std::max(3.0f, s * 0.06f);
    if (step == 0) {
        idCard(dl, {c.x - s / 2, c.y - s * 0.315f}, s);
    } else if (step == 1) {
        // A camera: body, lens, flash bump.
        const ImVec2 b0{c.x - s / 2, c.y - s * 0.28f}, b1{c.x + s / 2, c.y + s * 0.34f};
        dl->AddRectFilled({c.x - s * 0.18f, b0.y - s * 0.12f}, {c.x + s * 0.18f, b0.y + 2}, theme::kMuted, 4.0f);
        dl->AddRectFilled(b0, b1, theme::kMuted, s * 0.08f);
        dl->AddCircleFilled({c.x, c.y + s * 0.03f}, s * 0.22f, IM_COL32_WHITE);
        dl->AddCircleFilled({c.x, c.y + s * 0.03f}, s * 0.14f, theme::kPrimary);
    } else {
        // A paper with lines and a tick.
        const ImVec2 p0{c.x - s * 0.36f, c.y - s * 0.45f}, p1{c.x + s * 0.36f, c.y + s * 0.45f};
        dl->AddRectFilled(p0, p1, IM_COL32_WHITE, 6.0f);
        dl->AddRect(p0, p1, theme::kMuted, 6.0f, 0, t * 0.7f);
        for (int i = 0; i < 3; ++i) {
            const float y = p0.y + s * (0.18f + 0.16f * static_cast<float>(i));
            dl->AddLine({p0.x + s * 0.12f, y}, {p1.x - s * 0.12f, y}, theme::kMuted, t * 0.6f);
        }
        dl->AddPolyline(std::array<ImVec2, 3>{ImVec2{c.x - s * 0.12f, c.y + s * 0.24f},
                                              ImVec2{c.x + s * 0.0f, c.y + s * 0.36f},
                                              ImVec2{c.x + s * 0.26f, c.y + s * 0.1f}}
                            .data(),
                        3, theme::kOk, 0, t * 1.3f);
    }
}

/// Height of @p s in @p font wrapped at @p wrap.
float textHeight(ImFont* font, const std::string& s, float wrap) {
    return font->CalcTextSizeA(fontPx(font), FLT_MAX, wrap, s.c_str()).y;
}

/// @p s in @p font centred in the width @p w from @p x at @p y (wrapped at @p w); returns its height.
float centeredText(Widgets& ui, ImDrawList* dl, ImFont* font, const std::string& s, float x, float y, float w,
                   ImU32 color) {
    ui.recordText(s);
    const float wrap = w;
    const ImVec2 ts = font->CalcTextSizeA(fontPx(font), FLT_MAX, wrap, s.c_str());
    const float left = ts.x < w ? x + (w - ts.x) / 2 : x;
    dl->AddText(font, fontPx(font), {left, y}, color, s.c_str(), nullptr, wrap);
    return ts.y;
}

class AttractScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::Attract; }
    void enter(Context& ctx) override {
        m_cardNotice.clear();
        m_help = false;
        ctx.say("attract.prompt");
        ctx.backend.submit([](Records& r) { return r.store.center(); },
                           [this](training::Result<training::Center> c) {
                               if (c) m_center = c->name;  // the top bar reports a failure already
                           });
    }
    void leave(Context&) override { m_lookup.reset(); }
    void onEvent(Context& ctx, const Event& e) override {
        if (const auto* c = std::get_if<CardInserted>(&e)) {
            m_lookup = identifyByDocument(ctx, c->identity.docNumber, *c);
        } else if (const auto* d = std::get_if<CardDetected>(&e)) {
            // A passport needs its MRZ key before the chip can be read. (A China ID through the vendor
            // reader ABI posts CardInserted directly: integration point, see the issue 7 report.)
            m_cardNotice = d->reader;
            ctx.session.cardReader = d->reader;
            ctx.emit(Intent::CardNeedsKey);
        } else if (const auto* f = std::get_if<CardFailed>(&e)) {
            ctx.setError(cardFailureText(ctx, *f));
        } else if (std::holds_alternative<CardRemoved>(e)) {
            m_cardNotice.clear();
        }
    }
    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        const ImVec2 avail = ImGui::GetContentRegionAvail();
        const float w = avail.x;
        const bool landscape = avail.x > avail.y;
        const float startY = ImGui::GetCursorPosY();
        const ImGuiStyle& style = ImGui::GetStyle();

        // A low area (large text on a landscape screen) leaves out the title (the top bar names the center) and the
        // subtitle, so that the actions stay on screen.
        const bool low = avail.y < kLowHeight;
        drawHeader(ctx, w, !low);
        ui.centered(ctx.tr("attract.prompt"), ui.fonts().huge());
        if (!low) ui.centered(ctx.tr("attract.subtitle"), ui.fonts().body(), theme::kMuted);
        if (!m_cardNotice.empty()) ui.notice(ctx.tr("attract.card_detected"));
        if (!ctx.devices.reader) ui.notice(ctx.tr("attract.no_reader"));
        if (m_help) ui.notice(ctx.tr("attract.help_text"), theme::kSecondary);

        // The pictogram and the steps share what the actions leave: landscape side by side, portrait one under
        // the other.
        const float gap = 24;
        const float actionsH = landscape ? kBeginH : kBeginH + style.ItemSpacing.y + theme::kTarget;
        const float used = ImGui::GetCursorPosY() - startY;
        const float room = avail.y - used - actionsH - gap - style.ItemSpacing.y;
        // Too low for both (large text on a landscape screen): the actions first, so that they stay on screen;
        // the pictogram and the steps under them (the content scrolls).
        const bool actionsFirst = room < kMinMain;
        if (actionsFirst) {
            drawActions(ctx, w, landscape);
            ImGui::Dummy({0, gap - style.ItemSpacing.y});
        }
        const float main = std::max(room, kMinMain);
        const ImVec2 origin = ImGui::GetCursorScreenPos();
        float mainH = main;
        if (landscape) {
            const float pw = std::floor(w * 0.38f);
            drawPictogram(ui, origin, {pw, main});
            mainH = std::max(main, drawSteps(ctx, {origin.x + pw + gap, origin.y}, {w - pw - gap, main}));
        } else {
            const float ph = std::floor((main - gap) * 0.5f);
            drawPictogram(ui, origin, {w, ph});
            mainH = ph + gap + drawSteps(ctx, {origin.x, origin.y + ph + gap}, {w, main - ph - gap});
        }
        ImGui::SetCursorScreenPos({origin.x, origin.y + mainH + gap});
        if (actionsFirst)
            ImGui::Dummy({0, 0});
        else
            drawActions(ctx, w, landscape);
        scheduleClock(ctx);
    }

private:
    static constexpr float kBeginH = 100.0f;  ///< Height of the keypad fallback button.
    static constexpr float kMinMain = 220.0f;  ///< The pictogram and the steps are never lower than this.
    static constexpr float kLowHeight = 560.0f;  ///< Below this content height the attract screen is compact.

    /// The kiosk's title (@p withTitle) and the help phone on the left; the time and today's date on the right.
    void drawHeader(Context& ctx, float w, bool withTitle) {
        auto& ui = ctx.ui;
        const std::time_t now = std::time(nullptr);
        std::tm tm{};
        localtime_r(&now, &tm);
        char hhmm[32];
        std::snprintf(hhmm, sizeof hhmm, "%02d:%02d", tm.tm_hour, tm.tm_min);
        // "2026 年 12 月 7 日" / "2026-12-07"
        const bool zh = ctx.i18n.language() == Language::Zh;
        char mon[16], day[16];
        std::snprintf(mon, sizeof mon, zh ? "%d" : "%02d", tm.tm_mon + 1);
        std::snprintf(day, sizeof day, zh ? "%d" : "%02d", tm.tm_mday);
        const std::string date = format(ctx.tr("attract.date"), {std::to_string(tm.tm_year + 1900), mon, day});
        const ImVec2 p = ImGui::GetCursorScreenPos();
        ImDrawList* dl = ImGui::GetWindowDrawList();
        ImFont* large = ui.fonts().large();
        ImFont* body = ui.fonts().body();
        const ImVec2 ts = large->CalcTextSizeA(fontPx(large), FLT_MAX, 0, hhmm);
        const ImVec2 ds = body->CalcTextSizeA(fontPx(body), FLT_MAX, 0, date.c_str());
        const float rightW = std::max(ts.x, ds.x);
        ui.recordText(hhmm);
        ui.recordText(date);
        dl->AddText(large, fontPx(large), {p.x + w - ts.x, p.y}, theme::kText, hhmm);
        dl->AddText(body, fontPx(body), {p.x + w - ds.x, p.y + ts.y}, theme::kMuted, date.c_str());
        ui.recordStatic("clock", std::string(hhmm), {p.x + w - rightW, p.y}, {p.x + w, p.y + ts.y + ds.y});
        // The title and the phone, wrapped to what the clock leaves.
        const float wrap = std::max(w - rightW - 32, 100.0f);
        float leftH = 0;
        // The top bar shows the center's name; the header says what this machine is, in the same place a passer-by
        // looks first. Without a center name the top bar shows the title itself, and the header leaves it out.
        if (withTitle && !m_center.empty()) {
            const std::string& title = ctx.tr("app.title");
            ui.recordText(title);
            leftH = textHeight(large, title, wrap);
            dl->AddText(large, fontPx(large), p, theme::kPrimary, title.c_str(), nullptr, wrap);
            ui.recordStatic("app-title", title, p, {p.x + wrap, p.y + leftH});
        }
        if (!ctx.config.ui.helpPhone.empty()) {
            const std::string phone = format(ctx.tr("attract.help_phone"), {ctx.config.ui.helpPhone});
            ui.recordText(phone);
            const float h = textHeight(body, phone, wrap);
            dl->AddText(body, fontPx(body), {p.x, p.y + leftH}, theme::kText, phone.c_str(), nullptr, wrap);
            ui.recordStatic("help-phone", phone, {p.x, p.y + leftH}, {p.x + wrap, p.y + leftH + h});
            leftH += h;
        }
        ImGui::Dummy({w, std::max(leftH, ts.y + ds.y)});
    }

    void drawPictogram(Widgets& ui, ImVec2 p, ImVec2 size) {
        pictogram(ImGui::GetWindowDrawList(), p, {p.x + size.x, p.y + size.y});
        ui.recordStatic("pictogram", {}, p, {p.x + size.x, p.y + size.y});
    }

    /// Three numbered tiles, left to right with arrows between them, each with its number, icon, name and a
    /// hint; as high as @p size says unless their text needs more. Returns their height.
    float drawSteps(Context& ctx, ImVec2 p, ImVec2 size) {
        auto& ui = ctx.ui;
        ImDrawList* dl = ImGui::GetWindowDrawList();
        static constexpr const char* kNames[3] = {"attract.step1", "attract.step2", "attract.step3"};
        static constexpr const char* kHints[3] = {"attract.step1_hint", "attract.step2_hint", "attract.step3_hint"};
        const float arrowW = std::clamp(size.x * 0.05f, 28.0f, 56.0f);
        const float tw = std::floor((size.x - 2 * arrowW) / 3);
        ImFont* large = ui.fonts().large();
        ImFont* small = ui.fonts().small();
        const float pad = 14;
        float textH = 0;
        for (int i = 0; i < 3; ++i)
            textH = std::max(textH, textHeight(large, ctx.tr(kNames[i]), tw - 2 * pad) + 6 +
                                        textHeight(small, ctx.tr(kHints[i]), tw - 2 * pad));
        const float badge = 22;  // radius of the number's circle
        const float th = std::max(size.y, pad + 2 * badge + 8 + textH + pad);
        // The icon fills what the text leaves above it, beside the number.
        const float iconArea = th - textH - 2 * pad - 8;
        const float iconS = std::clamp(std::min(tw * 0.45f, iconArea * 0.85f), 32.0f, 170.0f);
        for (int i = 0; i < 3; ++i) {
            const ImVec2 t0{p.x + static_cast<float>(i) * (tw + arrowW), p.y};
            const ImVec2 t1{t0.x + tw, t0.y + th};
            dl->AddRectFilled(t0, t1, kTile, 16.0f);
            dl->AddRect(t0, t1, theme::kSecondaryActive, 16.0f, 0, 3.0f);
            const ImVec2 bc{t0.x + pad + badge, t0.y + pad + badge};
            dl->AddCircleFilled(bc, badge, theme::kPrimary);
            const std::string n = std::to_string(i + 1);
            ui.recordText(n);
            const ImVec2 ns = large->CalcTextSizeA(fontPx(large), FLT_MAX, 0, n.c_str());
            dl->AddText(large, fontPx(large), {bc.x - ns.x / 2, bc.y - ns.y / 2}, IM_COL32_WHITE, n.c_str());
            stepIcon(dl, i, {t0.x + tw / 2 + badge * 0.5f, t0.y + pad + iconArea / 2}, iconS);
            float y = t1.y - pad - textH;
            y += centeredText(ui, dl, large, ctx.tr(kNames[i]), t0.x + pad, y, tw - 2 * pad, theme::kText) + 6;
            centeredText(ui, dl, small, ctx.tr(kHints[i]), t0.x + pad, y, tw - 2 * pad, theme::kMuted);
            ui.recordStatic("step-" + n, ctx.tr(kNames[i]), t0, t1);
            if (i < 2) {
                const float ay = t0.y + th / 2;
                arrow(dl, {t1.x + 6, ay}, {t1.x + arrowW - 6, ay}, 6.0f, theme::kPrimary);
            }
        }
        return th;
    }

    /// The keypad fallback (large), help and staff: one row in landscape, two rows otherwise.
    void drawActions(Context& ctx, float w, bool landscape) {
        auto& ui = ctx.ui;
        const float x = ImGui::GetCursorPosX();
        const float spacing = ImGui::GetStyle().ItemSpacing.x;
        const float side = landscape ? std::floor(w * 0.18f) : (w - spacing) / 2;
        const float beginW = landscape ? w - 2 * (side + spacing) : w;
        ImGui::PushFont(ui.fonts().large());
        if (ui.button("begin", ctx.tr("attract.type_id"), {beginW, kBeginH})) ctx.emit(Intent::Begin);
        ImGui::PopFont();
        if (landscape)
            ImGui::SameLine();
        else
            ImGui::SetCursorPosX(x);
        const float h = landscape ? kBeginH : 0.0f;
        if (ui.button("help", ctx.tr("attract.help"), {side, h}, Kind::Secondary)) m_help = !m_help;
        ImGui::SameLine();
        if (ui.button("staff", ctx.tr("attract.staff"), {side, h}, Kind::Secondary)) {
            ctx.session.staffPurpose = StaffPurpose::Login;
            ctx.emit(Intent::StaffLogin);
        }
    }

    /// The clock shows minutes: one frame at the start of the next minute, none in between.
    static void scheduleClock(Context& ctx) {
        const auto now = std::chrono::system_clock::now();
        const double s = std::chrono::duration<double>(now.time_since_epoch()).count();
        ctx.wakeIn(60.0 - std::fmod(s, 60.0) + 0.05);
    }

    std::string m_center;  ///< The center's name (loaded on enter): the top bar shows it, so the header shows the title.
    std::string m_cardNotice;
    JobHandle m_lookup;  ///< The look-up of a document read here; dropped when the screen is left.
    bool m_help{false};
};

}  // namespace

std::unique_ptr<Screen> makeAttractScreen() { return std::make_unique<AttractScreen>(); }

}  // namespace kiosk::ui
