// Attract screen: "place your ID on the reader", keypad fallback, staff entry.
#include "ui/lookup.hpp"
#include "ui/screens/common.hpp"

namespace kiosk::ui {
namespace {

class AttractScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::Attract; }
    void enter(Context& ctx) override {
        m_cardNotice.clear();
        ctx.say("attract.prompt");
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
        const float w = ImGui::GetContentRegionAvail().x;
        ImGui::Dummy({0, 40});
        ui.centered(ctx.tr("attract.prompt"), ui.fonts().huge());
        ImGui::Dummy({0, 6});
        ui.centered(ctx.tr("attract.subtitle"), ui.fonts().body(), theme::kMuted);
        ImGui::Dummy({0, 24});
        if (!m_cardNotice.empty()) ui.notice(ctx.tr("attract.card_detected"));
        if (!ctx.devices.reader) ui.notice(ctx.tr("attract.no_reader"));
        const float bw = 600;
        ImGui::SetCursorPosX((w - bw) / 2);
        ImGui::PushFont(ui.fonts().large());
        if (ui.button("begin", ctx.tr("attract.type_id"), {bw, 110})) ctx.emit(Intent::Begin);
        ImGui::PopFont();
        ImGui::Dummy({0, 16});
        ImGui::SetCursorPosX((w - bw) / 2);
        if (ui.button("help", ctx.tr("attract.help"), {(bw - 16) / 2, 0}, Kind::Secondary)) m_help = !m_help;
        ImGui::SameLine();
        if (ui.button("staff", ctx.tr("attract.staff"), {(bw - 16) / 2, 0}, Kind::Secondary)) {
            ctx.session.staffPurpose = StaffPurpose::Login;
            ctx.emit(Intent::StaffLogin);
        }
        if (m_help) ui.centered(ctx.tr("attract.help_text"), ui.fonts().body(), theme::kText);
    }

private:
    std::string m_cardNotice;
    JobHandle m_lookup;  ///< The look-up of a document read here; dropped when the screen is left.
    bool m_help{false};
};

}  // namespace

std::unique_ptr<Screen> makeAttractScreen() { return std::make_unique<AttractScreen>(); }

}  // namespace kiosk::ui
