// Exam sittings: create from the default blueprint, open, pause, resume, close.

#include "ui/screens/common.hpp"

namespace kiosk::ui {
namespace {

class StaffSittingsScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::StaffSittings; }
    void enter(Context& ctx) override {
        m_data.reset();
        reload(ctx);
    }
    void onEvent(Context& ctx, const Event& e) override {
        // Another desk or kiosk opened, paused or closed a sitting, or seated a candidate.
        if (const auto* rc = std::get_if<RecordsChanged>(&e); rc && rc->changes.has(training::kTopicBoard) && !m_busy) {
            m_busy = true;
            reload(ctx);
        }
    }
    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        ui.heading(ctx.tr("sittings.title"));
        ImGui::BeginChild("list", {0, 0});
        if (!m_data) {
            ui.text(ctx.tr("common.loading"));
        } else {
            if (m_data->empty()) ui.notice(ctx.tr("sittings.none"));
            int index = 0;
            for (const auto& s : *m_data) {
                ImGui::PushID(static_cast<int>(s.id));
                ListRow row(index++);
                const std::string sid = std::to_string(s.id);
                ui.text(format(ctx.tr("sittings.line"),
                               {sid, s.title, ctx.tr("sitting_state." + std::string(training::sittingStateName(s.state))),
                                std::to_string(s.candidates), std::to_string(s.blueprint.totalQuestions())}),
                        ui.fonts().large());
                ui.text(format(ctx.tr("sittings.details"),
                               {ctx.tr("scoring." + std::string(exam::multipleScoringName(s.scoring))),
                                ctx.tr(s.requireAttendance ? "sittings.hours_required" : "sittings.hours_not_required")}),
                        nullptr, theme::kMuted);
                using St = training::SittingState;
                if (s.state == St::Scheduled &&
                    ui.button("open-" + sid, ctx.tr("sittings.open"), {240, 0}, Kind::Ok, !m_busy))
                    change(ctx, s.id, 'o');
                if (s.state == St::Open) {
                    if (ui.button("pause-" + sid, ctx.tr("sittings.pause"), {240, 0}, Kind::Secondary, !m_busy))
                        change(ctx, s.id, 'p');
                    ImGui::SameLine();
                }
                if (s.state == St::Paused) {
                    if (ui.button("resume-" + sid, ctx.tr("sittings.resume"), {240, 0}, Kind::Ok, !m_busy))
                        change(ctx, s.id, 'r');
                    ImGui::SameLine();
                }
                if ((s.state == St::Open || s.state == St::Paused) &&
                    ui.button("close-" + sid, ctx.tr("sittings.close"), {240, 0}, Kind::Danger, !m_busy))
                    change(ctx, s.id, 'c');
                ImGui::PopID();
            }
        }
        ImGui::EndChild();
        staffBack(ctx);
        ctx.footer.primary =
            FooterAction{"create", ctx.tr("sittings.create"), [this, &ctx] { create(ctx); }, !m_busy, Kind::Primary};
    }

private:
    void reload(Context& ctx) {
        ctx.backend.submit([](Records& r) { return r.exams.listSittings(); },
                           [this, &ctx](training::Result<std::vector<training::Sitting>> s) {
                               m_busy = false;
                               if (!s) {
                                   ctx.showError(s.error());
                                   m_data.emplace();
                                   return;
                               }
                               m_data = std::move(*s);
                           });
    }
    void change(Context& ctx, std::int64_t id, char what) {
        m_busy = true;
        const auto actor = ctx.staffActor();
        ctx.backend.submit(
            [=](Records& r) -> training::Result<training::Sitting> {
                switch (what) {
                    case 'o': return r.exams.openSitting(id, actor);
                    case 'p': return r.exams.pauseSitting(id, actor);
                    case 'r': return r.exams.resumeSitting(id, actor);
                    default: return r.exams.closeSitting(id, actor);
                }
            },
            [this, &ctx](training::Result<training::Sitting> s) {
                if (!s) ctx.showError(s.error());
                reload(ctx);
            });
    }
    /// A sitting of the badge course from training::defaultSittingInput (the blueprint kioskctl and
    /// demo-seed use), with every worker on today's rosters as candidates; it starts scheduled.
    void create(Context& ctx) {
        m_busy = true;
        const auto actor = ctx.staffActor();
        ctx.backend.submit(
            [actor](Records& r) -> training::Result<training::Sitting> {
                auto course = r.store.course("badge");
                if (!course) return std::unexpected(course.error());
                return r.center.createSittingFromRosters(training::defaultSittingInput(*course), actor);
            },
            [this, &ctx](training::Result<training::Sitting> s) {
                if (!s) ctx.showError(s.error());
                reload(ctx);
            });
    }

    std::optional<std::vector<training::Sitting>> m_data;
    bool m_busy{false};
};

}  // namespace

std::unique_ptr<Screen> makeStaffSittingsScreen() { return std::make_unique<StaffSittingsScreen>(); }

}  // namespace kiosk::ui
