// Live proctor board: every candidate of the open and paused sittings with question n of m, answers and
// flags, time left, connection state (from the exam screens' reports) and the last answer; extra time per
// candidate.
#include <chrono>

#include "ui/screens/common.hpp"

namespace kiosk::ui {
namespace {

class ProctorScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::Proctor; }
    void enter(Context& ctx) override {
        m_lines.reset();
        reload(ctx);
    }
    void onEvent(Context& ctx, const Event& e) override {
        if (const auto* rc = std::get_if<RecordsChanged>(&e); rc && rc->changes.has(training::kTopicBoard)) {
            m_stale = true;
            ctx.wakeIn(kMinInterval.count());
        }
    }
    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        // Reload when told that something on the board changed (at most once a second); otherwise only for time
        // passing (a kiosk falling silent shows as "no contact" after kPresenceTimeoutSeconds), or every 5 s when
        // changes are not pushed.
        const auto fallback = ctx.server.pushesChanges ? std::chrono::seconds(15) : std::chrono::seconds(5);
        const auto since = std::chrono::steady_clock::now() - m_loaded;
        ctx.wakeIn(std::chrono::duration<double>(fallback).count());
        if (!m_busy && ((m_stale && since >= kMinInterval) || since >= fallback)) reload(ctx);
        else if (m_stale) ctx.wakeIn(kMinInterval.count());
        ui.heading(ctx.tr("proctor.title"));
        ImGui::BeginChild("board", {0, 0});
        if (!m_lines) {
            ui.text(ctx.tr("common.loading"));
        } else if (m_lines->empty()) {
            ui.notice(ctx.tr("proctor.none"));
        } else if (ImGui::BeginTable("board", 6, ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders)) {
            // Stretch columns by weight; the button column fits its button.
            ImGui::TableSetupColumn("candidate", ImGuiTableColumnFlags_WidthStretch, 1.5f);
            ImGui::TableSetupColumn("progress", ImGuiTableColumnFlags_WidthStretch, 1.0f);
            ImGui::TableSetupColumn("time", ImGuiTableColumnFlags_WidthStretch, 0.7f);
            ImGui::TableSetupColumn("connection", ImGuiTableColumnFlags_WidthStretch, 1.5f);
            ImGui::TableSetupColumn("answer", ImGuiTableColumnFlags_WidthStretch, 0.8f);
            ImGui::TableSetupColumn("action", ImGuiTableColumnFlags_WidthFixed, 230.0f);
            for (const char* h : {"proctor.candidate", "proctor.question", "proctor.time_left", "proctor.connection",
                                  "proctor.activity", ""}) {
                ImGui::TableNextColumn();
                if (*h) ui.text(ctx.tr(h), ui.fonts().small(), theme::kMuted);
            }
            for (const auto& l : *m_lines) drawLine(ctx, l);
            ImGui::EndTable();
        }
        ImGui::EndChild();
        staffBack(ctx);
    }

private:
    void drawLine(Context& ctx, const training::ProctorLine& l) {
        using training::Presence;
        auto& ui = ctx.ui;
        ImGui::PushID(static_cast<int>(l.sittingId));
        ImGui::PushID(static_cast<int>(l.workerId));
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ui.text(l.name);
        ui.text(l.sittingTitle, ui.fonts().small(), theme::kMuted);
        ImGui::TableNextColumn();
        if (l.presence == Presence::NotStarted) {
            ui.text("-");
        } else {
            ui.text(format(ctx.tr("proctor.position"), {std::to_string(l.current + 1), std::to_string(l.items)}));
            ui.text(format(ctx.tr("proctor.answered"), {std::to_string(l.answered), std::to_string(l.flagged)}),
                    ui.fonts().small(), theme::kMuted);
        }
        ImGui::TableNextColumn();
        char clock[48];
        std::snprintf(clock, sizeof clock, "%02lld:%02lld", static_cast<long long>(l.remainingSeconds / 60),
                      static_cast<long long>(l.remainingSeconds % 60));
        const bool running = l.presence != Presence::NotStarted && l.presence != Presence::Submitted;
        ui.text(!running ? std::string("-") : l.paused ? ctx.tr("proctor.paused") : std::string(clock));
        ImGui::TableNextColumn();
        switch (l.presence) {
            case Presence::NotStarted: ui.text(ctx.tr("proctor.not_started"), nullptr, theme::kMuted); break;
            case Presence::AtScreen:
                ui.text(format(ctx.tr("proctor.at_screen"), {l.terminal.empty() ? std::string("?") : l.terminal}),
                        nullptr, theme::kOk);
                break;
            case Presence::Left: ui.text(ctx.tr("proctor.left"), nullptr, theme::kErrorText); break;
            case Presence::NoContact:
                ui.text(format(ctx.tr("proctor.no_contact"), {l.terminal.empty() ? std::string("?") : l.terminal,
                                                             std::to_string(l.lastContactAgo.value_or(0))}), nullptr,
                        theme::kErrorText);
                break;
            case Presence::Submitted: {
                ui.text(format(ctx.tr("proctor.submitted_score"), {exam::formatScore(l.score.value_or(0))}));
                break;
            }
        }
        ImGui::TableNextColumn();
        ui.text(l.lastAnswerAgo ? format(ctx.tr("proctor.ago"), {std::to_string(*l.lastAnswerAgo)})
                                : ctx.tr("proctor.no_activity"));
        ImGui::TableNextColumn();
        if (l.presence != Presence::Submitted &&
            ui.button("extra-" + std::to_string(l.workerId), ctx.tr("proctor.extra"), {220, 64}, Kind::Secondary, !m_busy))
            extra(ctx, l);
        ImGui::PopID();
        ImGui::PopID();
    }
    void reload(Context& ctx) {
        m_busy = true;
        m_stale = false;
        ctx.backend.submit([](Records& r) { return r.exams.proctorBoard(); },
                           [this, &ctx](training::Result<std::vector<training::ProctorLine>> d) {
                               m_busy = false;
                               m_loaded = std::chrono::steady_clock::now();
                               if (!d) {
                                   ctx.showError(d.error());
                                   m_lines.emplace();
                                   return;
                               }
                               m_lines = std::move(*d);
                           });
    }
    void extra(Context& ctx, const training::ProctorLine& l) {
        m_busy = true;
        const auto actor = ctx.staffActor();
        ctx.backend.submit(
            [sid = l.sittingId, wid = l.workerId, secs = static_cast<int>(l.extraSeconds + 300), actor](Records& r) {
                return r.exams.setExtraTime(sid, wid, secs, actor);
            },
            [this, &ctx](training::Result<void> r) {
                if (!r) ctx.showError(r.error());
                reload(ctx);
            });
    }

    std::optional<std::vector<training::ProctorLine>> m_lines;
    bool m_busy{false};
    bool m_stale{false};  ///< Told that the board changed since it was loaded.
    std::chrono::steady_clock::time_point m_loaded{};
    static constexpr std::chrono::duration<double> kMinInterval{1.0};
};

}  // namespace

std::unique_ptr<Screen> makeProctorScreen() { return std::make_unique<ProctorScreen>(); }

}  // namespace kiosk::ui
