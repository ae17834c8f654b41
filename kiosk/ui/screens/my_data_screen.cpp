// "My data": what the center holds about the worker (categories, not the data itself: this is a public screen),
// the consents in force, withdrawing the biometric consent (PIPL art. 15: as easy as giving it), giving it after a
// decline (the door does not ask again), and how to ask staff for a copy or erasure.
#include "training/privacy.hpp"
#include "ui/screens/common.hpp"

namespace kiosk::ui {
namespace {

struct Held {
    bool portrait{false};
    bool chipPhoto{false};
    std::vector<training::Consent> consents;
    std::size_t attendance{0};
};

class MyDataScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::MyData; }
    void enter(Context& ctx) override {
        m_held.reset();
        m_confirming = false;
        m_busy = false;
        m_done.clear();
        ctx.say("mydata.prompt");
        load(ctx);
    }
    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        if (!ctx.session.worker) {
            ctx.emit(Intent::Logout);
            return;
        }
        ui.heading(ctx.tr("mydata.title"));
        if (!m_held) {
            ui.text(ctx.tr("common.loading"));
            workerNav(ctx);
            return;
        }
        const auto yesNo = [&](bool b) { return ctx.tr(b ? "mydata.held" : "mydata.not_held"); };
        ui.text(format(ctx.tr("mydata.identity"), {maskDocument(ctx.session.worker->identity.docNumber)}));
        ui.text(format(ctx.tr("mydata.chip_photo"), {yesNo(m_held->chipPhoto)}));
        ui.text(format(ctx.tr("mydata.portrait"), {yesNo(m_held->portrait)}));
        ui.text(format(ctx.tr("mydata.attendance"), {std::to_string(m_held->attendance)}));
        for (const auto& c : m_held->consents) {
            const std::string kind{training::consentKindName(c.kind)};
            ui.text(format(ctx.tr(c.withdrawnAt ? "mydata.consent_withdrawn" : "mydata.consent_signed"),
                           {ctx.tr("mydata.kind_" + kind), training::formatLocalTime(c.signedAt)}),
                    ui.fonts().small(), c.withdrawnAt ? theme::kMuted : theme::kText);
        }
        ImGui::Dummy({0, 12});
        if (!m_done.empty()) ui.text(m_done, ui.fonts().large(), theme::kOk);
        const bool biometric = ctx.session.biometricConsent;
        if (biometric && !m_confirming) {
            if (ui.button("withdraw-face", ctx.tr("mydata.withdraw"), {640, 0}, Kind::Secondary, !m_busy))
                m_confirming = true;
        } else if (biometric && m_confirming) {
            ui.text(ctx.tr("mydata.withdraw_confirm"));
            if (ui.button("confirm-withdraw", ctx.tr("mydata.withdraw_yes"), {420, 0}, Kind::Danger, !m_busy))
                withdraw(ctx);
            ImGui::SameLine();
            if (ui.button("cancel-withdraw", ctx.tr("common.back"), {260, 0}, Kind::Secondary)) m_confirming = false;
        } else {
            ui.text(ctx.tr("mydata.staff_path"), ui.fonts().small(), theme::kMuted);
            // Changed their mind: the consent is as easy to give here as to withdraw (it is never asked again at
            // the door once declined).
            if (ui.button("give-face-consent", ctx.tr("mydata.give_consent"), {640, 0}, Kind::Secondary, !m_busy)) {
                ctx.session.biometricFromMyData = true;
                ctx.emit(Intent::SignBiometric);
            }
        }
        ui.text(ctx.tr("mydata.rights"), ui.fonts().small(), theme::kMuted);
        workerNav(ctx);
    }

private:
    void load(Context& ctx) {
        if (!ctx.session.worker) return;
        ctx.backend.submit(
            [wid = ctx.session.worker->id](Records& r) -> training::Result<Held> {
                Held h;
                auto p = r.store.workerImage(wid, "portrait");
                if (!p) return std::unexpected(p.error());
                h.portrait = p->has_value();
                auto c = r.store.workerImage(wid, "chip");
                if (!c) return std::unexpected(c.error());
                h.chipPhoto = c->has_value();
                auto consents = r.store.consents(wid);
                if (!consents) return std::unexpected(consents.error());
                for (auto& x : *consents) x.signaturePng.clear();  // not needed on screen
                h.consents = std::move(*consents);
                auto a = r.store.attendanceOf(wid);
                if (!a) return std::unexpected(a.error());
                h.attendance = a->size();
                return h;
            },
            [this, &ctx](training::Result<Held> h) {
                if (!h) {
                    ctx.showError(h.error());
                    return;
                }
                m_held = std::move(*h);
            });
    }
    void withdraw(Context& ctx) {
        m_busy = true;
        ctx.backend.submit(
            [wid = ctx.session.worker->id, actor = ctx.actor()](Records& r) {
                return training::withdrawBiometricConsent(r.store, wid, actor);
            },
            [this, &ctx](training::Result<training::WithdrawalOutcome> r) {
                m_busy = false;
                m_confirming = false;
                if (!r) {
                    ctx.showError(r.error());
                    return;
                }
                // From now on this worker's checks go through staff, this visit included.
                ctx.session.biometricConsent = false;
                ctx.session.faceDeclined = true;
                ctx.session.faceScore.reset();
                ctx.session.livePortrait.clear();
                m_done = ctx.tr(r->portraitKeptFor ? "mydata.withdrawn_kept" : "mydata.withdrawn");
                ctx.say("mydata.withdrawn_say");
                load(ctx);
            });
    }

    std::optional<Held> m_held;
    bool m_confirming{false};
    bool m_busy{false};
    std::string m_done;
};

}  // namespace

std::unique_ptr<Screen> makeMyDataScreen() { return std::make_unique<MyDataScreen>(); }

}  // namespace kiosk::ui
