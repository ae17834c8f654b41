// Check-in / check-out of today's sessions the worker is on the roster of.
#include <algorithm>

#include "ui/screens/common.hpp"

namespace kiosk::ui {
namespace {

struct TodayRow {
    training::Session session;
    bool checkedIn{false};   ///< An open check-in.
    bool attended{false};    ///< Checked in and out already.
};

class AttendanceScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::Attendance; }
    void enter(Context& ctx) override {
        m_rows.reset();
        m_message.clear();
        reload(ctx);
        ctx.say("attendance.prompt");
    }
    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        ui.heading(ctx.tr("attendance.title"));
        if (!m_rows) {
            ui.text(ctx.tr("common.loading"));
        } else if (m_rows->empty()) {
            ui.notice(ctx.tr("attendance.none"));
        } else {
            int index = 0;
            for (const auto& row : *m_rows) {
                const auto& s = row.session;
                ImGui::PushID(static_cast<int>(s.id));
                ListRow listRow(index++);
                ui.text(format(ctx.tr("attendance.session"), {moduleName(ctx, s.moduleCode), clockTime(s.startsAt),
                                                              clockTime(s.endsAt), s.room}),
                        ui.fonts().large());
                const std::string sid = std::to_string(s.id);
                if (row.attended) {
                    ui.text(ctx.tr("attendance.done"), nullptr, theme::kOk);
                } else if (row.checkedIn) {
                    ui.text(ctx.tr("attendance.in"), nullptr, theme::kOk);
                    if (ui.button("checkout-" + sid, ctx.tr("attendance.check_out"), {420, 96}, Kind::Primary,
                                  !m_busy))
                        act(ctx, s.id, false);
                } else {
                    if (ui.button("checkin-" + sid, ctx.tr("attendance.check_in"), {420, 96}, Kind::Ok, !m_busy))
                        act(ctx, s.id, true);
                }
                ImGui::PopID();
            }
        }
        if (!m_message.empty()) ui.notice(m_message, theme::kOk, IM_COL32_WHITE);
        workerNav(ctx);
    }

private:
    void reload(Context& ctx) {
        const auto wid = ctx.session.worker->id;
        ctx.backend.submit(
            [wid](Records& r) -> training::Result<std::vector<TodayRow>> {
                const auto now = r.store.now();
                const auto dayStart = training::localMidnight(training::localDate(now));
                auto sessions = r.store.listSessions(dayStart, dayStart + 86400);
                if (!sessions) return std::unexpected(sessions.error());
                auto att = r.store.attendanceOf(wid);
                if (!att) return std::unexpected(att.error());
                std::vector<TodayRow> out;
                for (const auto& s : *sessions) {
                    auto roster = r.store.roster(s.id);
                    if (!roster) return std::unexpected(roster.error());
                    if (std::ranges::none_of(*roster, [&](const training::Worker& w) { return w.id == wid; })) continue;
                    TodayRow row{s, false, false};
                    for (const auto& a : *att)
                        if (a.sessionId == s.id) {
                            if (!a.checkOutAt) row.checkedIn = true;
                            else row.attended = true;
                        }
                    if (row.checkedIn) row.attended = false;
                    out.push_back(row);
                }
                return out;
            },
            [this, &ctx](training::Result<std::vector<TodayRow>> rows) {
                if (!rows) {
                    ctx.showError(rows.error());
                    m_rows.emplace();
                    return;
                }
                m_rows = std::move(*rows);
            });
    }
    void act(Context& ctx, std::int64_t sessionId, bool in) {
        m_busy = true;
        const auto wid = ctx.session.worker->id;
        const auto score = ctx.session.faceScore;
        const auto method = score ? training::AttendanceMethod::Face : training::AttendanceMethod::Staff;
        const auto actor = ctx.session.confirmingStaffId ? "staff:" + std::to_string(*ctx.session.confirmingStaffId)
                                                         : ctx.actor();
        ctx.backend.submit(
            [=](Records& r) -> training::Result<training::Attendance> {
                return in ? r.center.checkIn(sessionId, wid, method, score, actor)
                          : r.center.checkOut(sessionId, wid, method, actor);
            },
            [this, &ctx, in](training::Result<training::Attendance> a) {
                m_busy = false;
                if (!a) {
                    ctx.showError(a.error());
                    return;
                }
                m_message = ctx.tr(in ? "attendance.checked_in" : "attendance.checked_out");
                ctx.say(in ? "attendance.checked_in" : "attendance.checked_out");
                reload(ctx);
            });
    }

    std::optional<std::vector<TodayRow>> m_rows;
    std::string m_message;
    bool m_busy{false};
};

}  // namespace

std::unique_ptr<Screen> makeAttendanceScreen() { return std::make_unique<AttendanceScreen>(); }

}  // namespace kiosk::ui
