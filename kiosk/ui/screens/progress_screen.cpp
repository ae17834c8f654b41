// "My progress": hours per module, exam result, certificate and badge status, what is still missing.
#include <algorithm>
#include <utility>

#include "training/certificates.hpp"
#include "training/eligibility.hpp"
#include "ui/format.hpp"
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
        if (!m_data) {
            ui.heading(ctx.tr("progress.title"));
            ui.text(ctx.tr("common.loading"));
            actions(ctx);
            return;
        }
        // 1. The next step, first and prominent. 2. The exam and the health check. 3. Certificate and badge.
        // 4. The hours per module. The body scrolls when it is long; the actions stay at the bottom.
        drawNextStep(ctx);
        ImGui::Dummy({0, 8});
        if (m_data->exam) {
            ui.text(format(ctx.tr(m_data->exam->first ? "progress.exam_passed" : "progress.exam_failed"),
                           {exam::formatScore(m_data->exam->second)}),
                    ui.fonts().large(), m_data->exam->first ? theme::kOk : theme::kErrorText);
        } else {
            ui.text(ctx.tr("progress.exam_none"), ui.fonts().large());
        }
        const auto [health, healthOk] = healthLine(ctx);
        ui.text(health, ui.fonts().large(), healthOk ? theme::kOk : theme::kText);
        if (m_data->certificate) {
            const auto& c = *m_data->certificate;
            ui.text(format(ctx.tr("progress.certificate_issued"), {c.number, c.issueDate}));
            ui.text(c.badgeNumber ? format(ctx.tr("progress.badge_issued"), {*c.badgeNumber})
                                  : ctx.tr("progress.badge_pending"));
        }
        ImGui::Dummy({0, 12});
        ui.text(ctx.tr("progress.hours_title"), ui.fonts().large());
        drawHours(ctx);
        actions(ctx);
    }

private:
    /// Back (to the worker's home) bottom left, finish (log out) bottom right.
    static void actions(Context& ctx) {
        screenActions(ctx,
                      FooterAction{"back", ctx.tr("common.back"), [&ctx] { ctx.emit(Intent::Back); }, true,
                                   Kind::Secondary},
                      FooterAction{"logout", ctx.tr("common.finish"), [&ctx] { ctx.emit(Intent::Logout); }, true,
                                   Kind::Secondary});
    }

    /// Minutes of training still missing, over every module.
    [[nodiscard]] int missingMinutes() const {
        int missing = 0;
        for (const auto& h : m_data->hours) missing += std::max(0, h.requiredMinutes - h.attendedMinutes);
        return missing;
    }

    /// The one thing to do next, in a coloured panel: done (certificate issued or to collect), training still
    /// missing (how long, for people), the exam, or ask staff (with what the certificate still needs).
    void drawNextStep(Context& ctx) {
        auto& ui = ctx.ui;
        const auto& d = *m_data;
        const bool eligible = d.eligibility && d.eligibility->eligible;
        const int missing = missingMinutes();
        const bool examPassed = d.exam && d.exam->first;
        std::string text;
        bool done = false;
        if (d.certificate) {
            text = ctx.tr("progress.next_issued");
            done = true;
        } else if (eligible) {
            text = ctx.tr("progress.next_collect");
            done = true;
        } else if (missing > 0) {
            text = format(ctx.tr("progress.next_training"), {formatDuration(ctx.i18n, missing)});
        } else if (!examPassed) {
            text = ctx.tr(d.exam ? "progress.next_exam_retake" : "progress.next_exam");
        } else {
            text = ctx.tr("progress.next_staff");
        }
        const ImU32 bg = done ? theme::kOk : theme::kPrimary;
        ImGui::PushFont(ui.fonts().large());
        ui.notice(text, bg, IM_COL32_WHITE);
        ImGui::PopFont();
        // What else the certificate needs (identity, consents, agency...), when the hours and the exam are done.
        if (!done && missing == 0 && examPassed && d.eligibility) {
            ui.text(ctx.tr("progress.still_missing"));
            for (const auto& u : d.eligibility->unmet)
                ui.text("\xC2\xB7 " + ctx.i18n.pick(u.worker.zh, u.worker.en), nullptr, theme::kErrorText);
        }
    }

    /// The health check line, and whether it is in order.
    [[nodiscard]] std::pair<std::string, bool> healthLine(const Context& ctx) const {
        const auto& w = ctx.session.worker;
        const auto& p = w ? w->profile : training::WorkerProfile{};
        const bool unmet = m_data->eligibility &&
                           std::ranges::any_of(m_data->eligibility->unmet, [](const training::UnmetCondition& u) {
                               return u.condition == training::Condition::HealthCheck;
                           });
        const std::string date = p.healthCheckDate.value_or("");
        if (p.healthCheckResult == "pass" && unmet) return {format(ctx.tr("progress.health_expired"), {date}), false};
        if (p.healthCheckResult == "pass") return {format(ctx.tr("progress.health_passed"), {date}), true};
        if (p.healthCheckResult == "fail") return {ctx.tr("progress.health_failed"), false};
        return {ctx.tr("progress.health_none"), false};
    }

    /// Module, hours done / required (for people: "1 小时 30 分 / 4 小时"), and a state, in zebra rows.
    void drawHours(Context& ctx) {
        auto& ui = ctx.ui;
        const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuterH |
                                      ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_PadOuterX;
        ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, {12, 10});
        ImGui::PushStyleColor(ImGuiCol_TableRowBg, IM_COL32_WHITE);
        ImGui::PushStyleColor(ImGuiCol_TableRowBgAlt, IM_COL32(0xEE, 0xF2, 0xF7, 0xFF));  // kText on it: 15.5:1
        ImGui::PushStyleColor(ImGuiCol_TableBorderLight, theme::kSecondaryActive);
        ImGui::PushStyleColor(ImGuiCol_TableBorderStrong, theme::kSecondaryActive);
        if (ImGui::BeginTable("hours", 3, flags)) {
            ImGui::TableSetupColumn("m", ImGuiTableColumnFlags_WidthStretch, 3);
            ImGui::TableSetupColumn("h", ImGuiTableColumnFlags_WidthStretch, 3);
            ImGui::TableSetupColumn("s", ImGuiTableColumnFlags_WidthStretch, 2);
            ImGui::TableNextRow();
            for (const char* key : {"progress.module", "progress.hours", "progress.state"}) {
                ImGui::TableNextColumn();
                ui.text(ctx.tr(key), ui.fonts().small(), theme::kMuted);
            }
            for (const auto& h : m_data->hours) {
                ImGui::TableNextRow(0, 56);
                ImGui::TableNextColumn();
                ui.text(moduleName(ctx, h.moduleCode));
                ImGui::TableNextColumn();
                ui.text(formatDuration(ctx.i18n, h.attendedMinutes) + " / " + formatDuration(ctx.i18n, h.requiredMinutes));
                ImGui::TableNextColumn();
                const bool done = h.attendedMinutes >= h.requiredMinutes;
                ui.text(ctx.tr(done ? "progress.complete" : "progress.missing"), nullptr,
                        done ? theme::kOk : theme::kErrorText);
            }
            ImGui::EndTable();
        }
        ImGui::PopStyleColor(4);
        ImGui::PopStyleVar();
    }

    std::optional<Progress> m_data;
};

}  // namespace

std::unique_ptr<Screen> makeProgressScreen() { return std::make_unique<ProgressScreen>(); }

}  // namespace kiosk::ui
