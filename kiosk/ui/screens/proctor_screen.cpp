// Live proctor board: each candidate of the open sittings with question n of m, time left, last activity;
// extra time per candidate.
#include <chrono>

#include "ui/screens/common.hpp"

namespace kiosk::ui {
namespace {

struct BoardLine {
    std::int64_t sittingId{0};
    std::int64_t workerId{0};
    std::string name;
    int current{0};
    int items{0};
    int answered{0};
    long long remaining{0};
    long long extra{0};
    bool submitted{false};
    bool paused{false};
    std::optional<long long> lastActivityAgo;  ///< Seconds since the last answer.
};

class ProctorScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::Proctor; }
    void enter(Context& ctx) override {
        m_lines.reset();
        reload(ctx);
    }
    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        ctx.wakeIn(5.0);
        if (!m_busy && std::chrono::steady_clock::now() - m_loaded > std::chrono::seconds(5)) reload(ctx);
        ui.heading(ctx.tr("proctor.title"));
        ImGui::BeginChild("board", {0, ImGui::GetContentRegionAvail().y - 100});
        if (!m_lines) {
            ui.text(ctx.tr("common.loading"));
        } else if (m_lines->empty()) {
            ui.notice(ctx.tr("proctor.none"));
        } else if (ImGui::BeginTable("board", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders)) {
            for (const char* h : {"proctor.candidate", "proctor.question", "proctor.time_left", "proctor.activity", ""}) {
                ImGui::TableNextColumn();
                if (*h) ui.text(ctx.tr(h), ui.fonts().small(), theme::kMuted);
            }
            for (const auto& l : *m_lines) {
                ImGui::PushID(static_cast<int>(l.workerId * 1000 + l.sittingId));
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ui.text(l.name);
                ImGui::TableNextColumn();
                ui.text(l.submitted ? ctx.tr("proctor.submitted")
                                    : format(ctx.tr("exam.position"), {std::to_string(l.current + 1),
                                                                       std::to_string(l.items)}));
                ImGui::TableNextColumn();
                char buf[48];
                std::snprintf(buf, sizeof buf, "%02lld:%02lld", l.remaining / 60, l.remaining % 60);
                ui.text(l.submitted ? "-" : l.paused ? ctx.tr("proctor.paused") : std::string(buf));
                ImGui::TableNextColumn();
                ui.text(l.lastActivityAgo ? format(ctx.tr("proctor.ago"), {std::to_string(*l.lastActivityAgo)})
                                          : ctx.tr("proctor.no_activity"));
                ImGui::TableNextColumn();
                if (!l.submitted &&
                    ui.button("extra-" + std::to_string(l.workerId), ctx.tr("proctor.extra"), {220, 64}, Kind::Secondary,
                              !m_busy))
                    extra(ctx, l);
                ImGui::PopID();
            }
            ImGui::EndTable();
        }
        ImGui::EndChild();
        if (ui.button("back", ctx.tr("common.back"), {260, 0}, Kind::Secondary)) ctx.emit(Intent::Back);
    }

private:
    void reload(Context& ctx) {
        m_busy = true;
        ctx.backend.submit(
            [](Records& r) -> training::Result<std::vector<BoardLine>> {
                auto sittings = r.exams.listSittings();
                if (!sittings) return std::unexpected(sittings.error());
                const auto now = exam::fromUnix(r.store.now());
                std::vector<BoardLine> out;
                for (const auto& s : *sittings) {
                    if (s.state != training::SittingState::Open && s.state != training::SittingState::Paused) continue;
                    auto ids = r.exams.attemptsOf(s.id);
                    if (!ids) return std::unexpected(ids.error());
                    for (auto aid : *ids) {
                        auto a = r.exams.loadAttempt(aid);
                        if (!a) continue;
                        BoardLine l;
                        l.sittingId = s.id;
                        l.workerId = a->workerId;
                        auto w = r.store.worker(a->workerId);
                        l.name = w ? w->identity.name : std::to_string(a->workerId);
                        l.current = a->attempt.currentIndex();
                        l.items = a->attempt.itemCount();
                        l.answered = a->attempt.answeredCount();
                        l.remaining = a->attempt.remaining(now).count();
                        l.extra = a->attempt.timing().extraTime.count();
                        l.submitted = a->attempt.status() == exam::AttemptStatus::Submitted;
                        l.paused = a->attempt.isPaused(now);
                        if (!a->attempt.events().empty())
                            l.lastActivityAgo = (now - a->attempt.events().back().at).count();
                        out.push_back(std::move(l));
                    }
                }
                return out;
            },
            [this, &ctx](training::Result<std::vector<BoardLine>> d) {
                m_busy = false;
                m_loaded = std::chrono::steady_clock::now();
                if (!d) {
                    ctx.setError(d.error().message);
                    m_lines.emplace();
                    return;
                }
                m_lines = std::move(*d);
            });
    }
    void extra(Context& ctx, const BoardLine& l) {
        m_busy = true;
        const auto actor = ctx.staffActor();
        ctx.backend.submit(
            [sid = l.sittingId, wid = l.workerId, secs = static_cast<int>(l.extra + 300), actor](Records& r) {
                return r.exams.setExtraTime(sid, wid, secs, actor);
            },
            [this, &ctx](training::Result<void> r) {
                if (!r) ctx.setError(r.error().message);
                reload(ctx);
            });
    }

    std::optional<std::vector<BoardLine>> m_lines;
    bool m_busy{false};
    std::chrono::steady_clock::time_point m_loaded{};
};

}  // namespace

std::unique_ptr<Screen> makeProctorScreen() { return std::make_unique<ProctorScreen>(); }

}  // namespace kiosk::ui
