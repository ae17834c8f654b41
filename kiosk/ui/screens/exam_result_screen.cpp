// The exam result and what it means.
#include "ui/screens/common.hpp"

namespace kiosk::ui {
namespace {

class ExamResultScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::ExamResult; }
    void enter(Context& ctx) override {
        if (ctx.session.examOutcome) ctx.say(ctx.session.examOutcome->passed ? "result.passed" : "result.failed");
    }
    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        ui.heading(ctx.tr("result.title"));
        if (!ctx.session.examOutcome) {
            workerNav(ctx);
            return;
        }
        const auto& o = *ctx.session.examOutcome;
        // One decimal at most, never shown higher than earned (79.96 is not "80" next to a pass mark of 80).
        ui.text(format(ctx.tr("result.score"), {exam::formatScore(o.score), exam::formatScore(o.passMark)}),
                ui.fonts().huge(), o.passed ? theme::kOk : theme::kErrorText);
        ui.text(ctx.tr(o.passed ? "result.passed" : "result.failed"), ui.fonts().large());
        ui.text(ctx.tr(o.passed ? "result.passed_means" : "result.failed_means"));
        if (o.reason == "deadline") ui.notice(ctx.tr("result.deadline"));
        // Partial credit where it applies: a proportional bank scores multiple-response questions option by option.
        if (o.scoring == exam::MultipleScoring::Proportional)
            ui.text(o.partialItems > 0 ? format(ctx.tr("result.partial"), {std::to_string(o.partialItems)})
                                       : ctx.tr("result.scoring_proportional"),
                    nullptr, theme::kMuted);
        ctx.footer.primary = FooterAction{"progress", ctx.tr("home.progress"), [&ctx] { ctx.emit(Intent::OpenProgress); },
                                          true, Kind::Primary};
        workerNav(ctx, false);
        // Per-module scores in two columns.
        int i = 0;
        for (const auto& m : o.modules) {
            char pct[32];
            std::snprintf(pct, sizeof pct, "%.0f%%", m.percent);
            if (i++ % 2 != 0) ImGui::SameLine(ImGui::GetContentRegionAvail().x / 2);
            ui.text(moduleName(ctx, m.module) + ":  " + pct);
        }
    }
};

}  // namespace

std::unique_ptr<Screen> makeExamResultScreen() { return std::make_unique<ExamResultScreen>(); }

}  // namespace kiosk::ui
