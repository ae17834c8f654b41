// Identity by keypad: the ID number typed when no reader is at hand (known workers only).
#include "ui/lookup.hpp"
#include "ui/screens/common.hpp"

namespace kiosk::ui {
namespace {

class IdentifyScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::Identify; }
    void enter(Context& ctx) override {
        m_number.clear();
        m_lookup.reset();
        ctx.say("identify.prompt");
    }
    void leave(Context&) override { m_lookup.reset(); }
    void onEvent(Context& ctx, const Event& e) override {
        if (const auto* c = std::get_if<CardInserted>(&e)) m_lookup = identifyByDocument(ctx, c->identity.docNumber, *c);
        if (const auto* f = std::get_if<CardFailed>(&e)) ctx.setError(cardFailureText(ctx, *f));
        if (const auto* d = std::get_if<CardDetected>(&e)) {
            ctx.session.cardReader = d->reader;
            ctx.emit(Intent::CardNeedsKey);
        }
    }
    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        ui.heading(ctx.tr("identify.title"));
        ui.text(ctx.tr("identify.prompt"), nullptr, theme::kMuted);
        const float w = std::min(ImGui::GetContentRegionAvail().x * 0.55f, 680.0f);
        ImGui::BeginGroup();
        ui.field("id-field", m_number, ctx.tr("identify.placeholder"), w);
        if (ui.keypad(m_number, 18, true, w)) ctx.setError({});
        ImGui::EndGroup();
        ImGui::SameLine(0, 40);
        ImGui::BeginGroup();
        const float bw = std::min(ImGui::GetContentRegionAvail().x, 420.0f);
        const bool ready = (m_number.size() == 18 || m_number.size() == 15) && !m_lookup.running();
        ImGui::PushFont(ui.fonts().large());
        if (ui.button("ok", ctx.tr("common.ok"), {bw, 160}, Kind::Primary, ready)) {
            m_lookup = identifyByDocument(ctx, m_number, std::nullopt);
        }
        ImGui::PopFont();
        if (ui.button("back", ctx.tr("common.back"), {bw, 0}, Kind::Secondary)) ctx.emit(Intent::Logout);
        ImGui::EndGroup();
    }

private:
    std::string m_number;
    JobHandle m_lookup;  ///< The look-up of the number typed or read; dropped when the screen is left.
};

}  // namespace

std::unique_ptr<Screen> makeIdentifyScreen() { return std::make_unique<IdentifyScreen>(); }

}  // namespace kiosk::ui
