// Staff home: by role (the role matrix, kiosk/roles.hpp), sessions and rosters, exam sittings, proctor board,
// eligibility and certificates, speech mute, leave the kiosk; and the staff accounts locked by wrong PINs.
#include "kiosk/roles.hpp"
#include "training/validation.hpp"
#include "ui/screens/common.hpp"

namespace kiosk::ui {
namespace {

class StaffHomeScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::StaffHome; }
    void enter(Context& ctx) override {
        m_locked.clear();
        loadLocked(ctx);
    }
    void onEvent(Context& ctx, const Event& e) override {
        // An account locked (or unlocked) elsewhere shows here at once.
        if (const auto* rc = std::get_if<RecordsChanged>(&e); rc && rc->changes.has(training::kTopicStaff))
            loadLocked(ctx);
    }
    void loadLocked(Context& ctx) {
        ctx.backend.submit(
            [](Records& r) -> training::Result<std::vector<training::Staff>> {
                auto list = r.store.listStaff();
                if (!list) return list;
                std::vector<training::Staff> locked;
                for (auto& s : *list)
                    if (s.active && s.lockedUntil && *s.lockedUntil > r.store.now()) locked.push_back(std::move(s));
                return locked;
            },
            [this, &ctx](training::Result<std::vector<training::Staff>> locked) {
                if (!locked) ctx.showError(locked.error());
                else m_locked = std::move(*locked);
            });
    }
    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        if (!ctx.session.staff) {
            ctx.emit(Intent::Logout);
            return;
        }
        const auto& s = *ctx.session.staff;
        const std::string role{training::roleName(s.role)};
        ui.heading(format(ctx.tr("staffhome.hello"), {s.name, ctx.tr("role." + role)}));
        // Two columns: the work on the left, the kiosk itself (speech, leaving, logging out) on the right.
        const float bw = std::min((ImGui::GetContentRegionAvail().x - 32) / 2, 600.0f);
        const auto may = [&](const char* screen) { return kiosk::allowed(std::string("kiosk screen ") + screen, s.role); };
        ImGui::BeginGroup();
        if (ui.button("sessions", ctx.tr("staffhome.sessions"), {bw, 96}, Kind::Primary, may("staff-sessions")))
            ctx.emit(Intent::OpenSessions);
        if (ui.button("sittings", ctx.tr("staffhome.sittings"), {bw, 96}, Kind::Primary, may("staff-sittings")))
            ctx.emit(Intent::OpenSittings);
        if (ui.button("proctor", ctx.tr("staffhome.proctor"), {bw, 96}, Kind::Primary, may("proctor")))
            ctx.emit(Intent::OpenProctor);
        if (ui.button("certificates", ctx.tr("staffhome.certificates"), {bw, 96}, Kind::Primary,
                      may("staff-certificates")))
            ctx.emit(Intent::OpenCertificates);
        if (!m_locked.empty()) {
            ImGui::Dummy({0, 8});
            ui.text(ctx.tr("staffhome.lockouts"), nullptr, theme::kDanger);
            for (const auto& l : m_locked) {
                const std::string id = std::to_string(l.id);
                const std::string role = ctx.tr("role." + std::string(training::roleName(l.role)));
                ui.text(*l.lockedUntil == training::kLockedUntilUnlocked
                            ? format(ctx.tr("staffhome.locked_admin"), {id, role, id})
                            : format(ctx.tr("staffhome.locked_until"), {id, role, training::formatLocalTime(*l.lockedUntil)}),
                        ui.fonts().small());
            }
        }
        ImGui::EndGroup();
        ImGui::SameLine(0, 32);
        ImGui::BeginGroup();
        const bool muted = ctx.speech.muted();
        if (ui.button("mute", ctx.tr(muted ? "staffhome.unmute" : "staffhome.mute"), {bw, 96}, Kind::Secondary))
            ctx.speech.setMuted(!muted);
        ctx.footer.back = FooterAction{"logout", ctx.tr("staffhome.logout"), [&ctx] { ctx.emit(Intent::Logout); }, true,
                                       Kind::Secondary};
        if (ui.button("exit-kiosk", ctx.tr("staffhome.exit"), {bw, 96}, Kind::Danger)) {
            ctx.session.staffPurpose = StaffPurpose::Exit;
            ctx.emit(Intent::ExitRequested);
        }
        ImGui::EndGroup();
    }

private:
    std::vector<training::Staff> m_locked;  ///< active accounts locked by wrong PINs now
};

}  // namespace

std::unique_ptr<Screen> makeStaffHomeScreen() { return std::make_unique<StaffHomeScreen>(); }

}  // namespace kiosk::ui
