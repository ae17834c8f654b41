// Today's sessions and their rosters, with who is checked in.
#include "ui/screens/common.hpp"

namespace kiosk::ui {
namespace {

struct RosterLine {
    training::Worker worker;
    bool in{false};
    bool attended{false};
};
struct SessionView {
    training::Session session;
    std::vector<RosterLine> roster;
};

class StaffSessionsScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::StaffSessions; }
    void enter(Context& ctx) override {
        m_data.reset();
        ctx.backend.submit(
            [](Records& r) -> training::Result<std::vector<SessionView>> {
                const auto day = training::localMidnight(training::localDate(r.store.now()));
                auto sessions = r.store.listSessions(day, day + 86400);
                if (!sessions) return std::unexpected(sessions.error());
                std::vector<SessionView> out;
                for (const auto& s : *sessions) {
                    auto roster = r.store.roster(s.id);
                    if (!roster) return std::unexpected(roster.error());
                    SessionView v{s, {}};
                    for (const auto& w : *roster) {
                        RosterLine line{w, false, false};
                        auto att = r.store.attendanceOf(w.id);
                        if (att)
                            for (const auto& a : *att)
                                if (a.sessionId == s.id) (a.checkOutAt ? line.attended : line.in) = true;
                        v.roster.push_back(std::move(line));
                    }
                    out.push_back(std::move(v));
                }
                return out;
            },
            [this, &ctx](training::Result<std::vector<SessionView>> d) {
                if (!d) {
                    ctx.showError(d.error());
                    m_data.emplace();
                    return;
                }
                m_data = std::move(*d);
            });
    }
    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        ui.heading(ctx.tr("sessions.title"));
        ImGui::BeginChild("list", {0, 0});
        if (!m_data) {
            ui.text(ctx.tr("common.loading"));
        } else if (m_data->empty()) {
            ui.notice(ctx.tr("sessions.none"));
        } else {
            int index = 0;
            for (const auto& v : *m_data) {
                ImGui::PushID(static_cast<int>(v.session.id));
                ListRow row(index++);
                ui.text(format(ctx.tr("attendance.session"), {moduleName(ctx, v.session.moduleCode),
                                                              clockTime(v.session.startsAt),
                                                              clockTime(v.session.endsAt), v.session.room}),
                        ui.fonts().large());
                // The roster as a table: name, document, state (zebra rows).
                if (!v.roster.empty() &&
                    ImGui::BeginTable("roster", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH)) {
                    ImGui::TableSetupColumn("name", ImGuiTableColumnFlags_WidthStretch, 1.0f);
                    ImGui::TableSetupColumn("document", ImGuiTableColumnFlags_WidthStretch, 1.4f);
                    ImGui::TableSetupColumn("state", ImGuiTableColumnFlags_WidthStretch, 1.0f);
                    for (const auto& l : v.roster) {
                        const char* key = l.in ? "sessions.in" : l.attended ? "sessions.attended" : "sessions.absent";
                        ImGui::TableNextColumn();
                        ui.text(l.worker.identity.name);
                        ImGui::TableNextColumn();
                        ui.text(maskDocument(l.worker.identity.docNumber), nullptr, theme::kMuted);
                        ImGui::TableNextColumn();
                        ui.text(ctx.tr(key), nullptr, l.in ? theme::kOk : theme::kText);
                    }
                    ImGui::EndTable();
                }
                ImGui::PopID();
            }
        }
        ImGui::EndChild();
        staffBack(ctx);
    }

private:
    std::optional<std::vector<SessionView>> m_data;
};

}  // namespace

std::unique_ptr<Screen> makeStaffSessionsScreen() { return std::make_unique<StaffSessionsScreen>(); }

}  // namespace kiosk::ui
