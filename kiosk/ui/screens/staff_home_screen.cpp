// Staff home: by role, sessions and rosters, exam sittings, proctor board, eligibility and certificates, speech
// mute, leave the kiosk.
#include "ui/screens/common.hpp"

namespace kiosk::ui {
namespace {

class StaffHomeScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::StaffHome; }
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
        const bool trainerOrAdmin = s.role != training::Role::Clerk;
        ImGui::BeginGroup();
        if (ui.button("sessions", ctx.tr("staffhome.sessions"), {bw, 96})) ctx.emit(Intent::OpenSessions);
        if (ui.button("sittings", ctx.tr("staffhome.sittings"), {bw, 96}, Kind::Primary, trainerOrAdmin))
            ctx.emit(Intent::OpenSittings);
        if (ui.button("proctor", ctx.tr("staffhome.proctor"), {bw, 96}, Kind::Primary, trainerOrAdmin))
            ctx.emit(Intent::OpenProctor);
        if (ui.button("certificates", ctx.tr("staffhome.certificates"), {bw, 96})) ctx.emit(Intent::OpenCertificates);
        ImGui::EndGroup();
        ImGui::SameLine(0, 32);
        ImGui::BeginGroup();
        const bool muted = ctx.speech.muted();
        if (ui.button("mute", ctx.tr(muted ? "staffhome.unmute" : "staffhome.mute"), {bw, 96}, Kind::Secondary))
            ctx.speech.setMuted(!muted);
        if (ui.button("logout", ctx.tr("staffhome.logout"), {bw, 96}, Kind::Secondary)) ctx.emit(Intent::Logout);
        if (ui.button("exit-kiosk", ctx.tr("staffhome.exit"), {bw, 96}, Kind::Danger)) {
            ctx.session.staffPurpose = StaffPurpose::Exit;
            ctx.emit(Intent::ExitRequested);
        }
        ImGui::EndGroup();
    }
};

}  // namespace

std::unique_ptr<Screen> makeStaffHomeScreen() { return std::make_unique<StaffHomeScreen>(); }

}  // namespace kiosk::ui
