// Identity by keypad: the ID number typed when no reader is at hand (known workers only).
#include <algorithm>

#include "ui/format.hpp"
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
        ImGui::Dummy({0, 8});
        // Landscape: the field on the left, the keypad beside it; otherwise the keypad under the field.
        const float avail = ImGui::GetContentRegionAvail().x;
        const bool beside = keypadBeside();
        const float fw = beside ? std::min((avail - 40) * 0.5f, 620.0f) : std::min(avail, 620.0f);
        const float kw = beside ? std::min(avail - fw - 40, 560.0f) : fw;
        ImGui::BeginGroup();
        hintedField(ui, "id-field", m_number, ctx.tr("identify.placeholder"), fw);
        ImGui::EndGroup();
        if (beside) ImGui::SameLine(0, 40);
        ImGui::BeginGroup();
        if (ui.keypad(m_number, 18, true, kw)) ctx.setError({});
        ImGui::EndGroup();

        const bool ready = (m_number.size() == 18 || m_number.size() == 15) && !m_lookup.running();
        screenActions(ctx,
                      FooterAction{"back", ctx.tr("common.back"), [&ctx] { ctx.emit(Intent::Logout); }, true,
                                   Kind::Secondary},
                      FooterAction{"ok", ctx.tr("common.ok"),
                                   [this, &ctx] { m_lookup = identifyByDocument(ctx, m_number, std::nullopt); }, ready,
                                   Kind::Primary});
    }

private:
    std::string m_number;
    JobHandle m_lookup;  ///< The look-up of the number typed or read; dropped when the screen is left.
};

}  // namespace

std::unique_ptr<Screen> makeIdentifyScreen() { return std::make_unique<IdentifyScreen>(); }

}  // namespace kiosk::ui
