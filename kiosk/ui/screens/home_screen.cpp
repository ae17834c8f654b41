// The worker's home: check-in/out, exam (when a sitting is open for them), my progress, my data, finish.
#include "ui/lookup.hpp"
#include "ui/screens/common.hpp"

namespace kiosk::ui {
namespace {

class HomeScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::Home; }
    void enter(Context& ctx) override {
        ctx.say("home.prompt");
        if (!ctx.session.worker) return;
        // Refresh: a sitting may have opened since the worker identified.
        ctx.backend.submit([id = ctx.session.worker->id](Records& r) { return r.center.loadWorkerState(id); },
                           [&ctx](training::Result<WorkerState> st) {
                               if (st) applyWorkerState(ctx.session, std::move(*st));
                           });
    }
    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        if (!ctx.session.worker) {
            ctx.emit(Intent::Logout);
            return;
        }
        const auto& w = *ctx.session.worker;
        ui.heading(format(ctx.tr("home.hello"), {w.identity.name}));
        ui.text(format(ctx.tr("photo.document"), {maskDocument(w.identity.docNumber)}), nullptr, theme::kMuted);
        ImGui::Dummy({0, 24});
        // The three tasks on the left; "my data" and "finish" beside them when the display is wide enough,
        // below them otherwise (every button stays on screen without scrolling).
        const float avail = ImGui::GetContentRegionAvail().x;
        const float sideW = 360;
        const bool twoColumns = avail >= 600 + theme::kPad + sideW;
        const float bw = twoColumns ? std::min(avail - sideW - theme::kPad, 760.0f) : std::min(avail, 760.0f);
        ImGui::BeginGroup();
        ImGui::PushFont(ui.fonts().large());
        if (ui.button("attendance", ctx.tr("home.attendance"), {bw, 110})) ctx.emit(Intent::OpenAttendance);
        const bool exam = ctx.session.sittingId.has_value();
        if (ui.button("exam", ctx.tr("home.exam"), {bw, 110}, Kind::Primary, exam)) ctx.emit(Intent::OpenExam);
        ImGui::PopFont();
        if (!exam) ui.text(ctx.tr("home.no_exam"), ui.fonts().small(), theme::kMuted);
        ImGui::PushFont(ui.fonts().large());
        if (ui.button("progress", ctx.tr("home.progress"), {bw, 110})) ctx.emit(Intent::OpenProgress);
        ImGui::PopFont();
        ImGui::EndGroup();
        const float sw = twoColumns ? sideW : bw;
        if (twoColumns) ImGui::SameLine(0, theme::kPad);
        ImGui::BeginGroup();
        workerNav(ctx, false);
        if (ui.button("my-data", ctx.tr("mydata.open"), {sw, 0}, Kind::Secondary)) ctx.emit(Intent::OpenMyData);
        ImGui::EndGroup();
    }
};

}  // namespace

std::unique_ptr<Screen> makeHomeScreen() { return std::make_unique<HomeScreen>(); }

}  // namespace kiosk::ui
