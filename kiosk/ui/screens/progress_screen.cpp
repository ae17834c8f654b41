// "My progress": hours per module, exam result, certificate and badge status, what is still missing.
#include "training/certificates.hpp"
#include "training/eligibility.hpp"
#include "ui/screens/common.hpp"

namespace kiosk::ui {
namespace {

struct Progress {
    std::vector<training::ModuleHours> hours;
    std::optional<std::pair<bool, double>> exam;
    std::optional<training::Certificate> certificate;  ///< the current certificate of the course
    std::optional<training::EligibilityReport> eligibility;
};

class ProgressScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::Progress; }
    void enter(Context& ctx) override {
        m_data.reset();
        ctx.say("progress.prompt");
        const auto wid = ctx.session.worker->id;
        ctx.backend.submit(
            [wid](Records& r) -> training::Result<Progress> {
                auto course = r.store.course("badge");
                if (!course) return std::unexpected(course.error());
                auto h = r.store.hoursPerModule(wid, course->id);
                if (!h) return std::unexpected(h.error());
                auto e = r.exams.latestResult(wid, course->id);
                if (!e) return std::unexpected(e.error());
                Progress p{std::move(*h), *e, std::nullopt, std::nullopt};
                training::Certificates certs(r.store, nullptr);
                auto c = certs.currentFor(wid, course->id);
                if (!c) return std::unexpected(c.error());
                p.certificate = *c;
                auto el = training::checkEligibility(r.store, wid, course->id);
                if (!el) return std::unexpected(el.error());
                p.eligibility = std::move(*el);
                return p;
            },
            [this, &ctx](training::Result<Progress> p) {
                if (!p) {
                    ctx.showError(p.error());
                    return;
                }
                m_data = std::move(*p);
            });
    }
    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        ui.heading(ctx.tr("progress.title"));
        if (!m_data) {
            ui.text(ctx.tr("common.loading"));
            workerNav(ctx);
            return;
        }
        // The body scrolls when the list of what is missing is long; the buttons stay at the bottom.
        ImGui::BeginChild("body", {0, ImGui::GetContentRegionAvail().y - 100});
        int missingModules = 0;
        if (ImGui::BeginTable("hours", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders)) {
            ImGui::TableSetupColumn("m", ImGuiTableColumnFlags_WidthStretch, 3);
            ImGui::TableSetupColumn("h", ImGuiTableColumnFlags_WidthStretch, 2);
            ImGui::TableSetupColumn("s", ImGuiTableColumnFlags_WidthStretch, 2);
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ui.text(ctx.tr("progress.module"), ui.fonts().small(), theme::kMuted);
            ImGui::TableNextColumn();
            ui.text(ctx.tr("progress.hours"), ui.fonts().small(), theme::kMuted);
            ImGui::TableNextColumn();
            ui.text(ctx.tr("progress.state"), ui.fonts().small(), theme::kMuted);
            for (const auto& h : m_data->hours) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ui.text(moduleName(ctx, h.moduleCode));
                ImGui::TableNextColumn();
                char buf[64];
                std::snprintf(buf, sizeof buf, "%.1f / %.1f h", h.attendedMinutes / 60.0, h.requiredMinutes / 60.0);
                ui.text(buf);
                ImGui::TableNextColumn();
                const bool done = h.attendedMinutes >= h.requiredMinutes;
                if (!done) ++missingModules;
                ui.text(ctx.tr(done ? "progress.complete" : "progress.missing"), nullptr,
                        done ? theme::kOk : theme::kErrorText);
            }
            ImGui::EndTable();
        }
        ImGui::Dummy({0, 8});
        if (m_data->exam) {
            ui.text(format(ctx.tr(m_data->exam->first ? "progress.exam_passed" : "progress.exam_failed"),
                           {exam::formatScore(m_data->exam->second)}));
        } else {
            ui.text(ctx.tr("progress.exam_none"));
        }
        // Certificate and badge: issued (with the badge number once the network center gave one), eligible
        // and waiting for staff to print, or what is still missing according to the one eligibility rule.
        if (m_data->certificate) {
            const auto& c = *m_data->certificate;
            ui.notice(format(ctx.tr("progress.certificate_issued"), {c.number, c.issueDate}), theme::kOk, IM_COL32_WHITE);
            ui.text(c.badgeNumber ? format(ctx.tr("progress.badge_issued"), {*c.badgeNumber})
                                  : ctx.tr("progress.badge_pending"));
        } else if (m_data->eligibility && m_data->eligibility->eligible) {
            ui.notice(ctx.tr("progress.certificate_pending"), theme::kOk, IM_COL32_WHITE);
        } else if (m_data->eligibility) {
            ui.text(ctx.tr("progress.still_missing"), ui.fonts().large());
            for (const auto& u : m_data->eligibility->unmet)
                ui.text("· " + ctx.i18n.pick(u.worker.zh, u.worker.en), nullptr, theme::kErrorText);
        } else if (missingModules > 0) {
            ui.notice(format(ctx.tr("progress.still_missing_hours"), {std::to_string(missingModules)}));
        }
        ImGui::EndChild();
        workerNav(ctx);
    }

private:
    std::optional<Progress> m_data;
};

}  // namespace

std::unique_ptr<Screen> makeProgressScreen() { return std::make_unique<ProgressScreen>(); }

}  // namespace kiosk::ui
