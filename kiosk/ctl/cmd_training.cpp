// kioskctl: course, session, roster, attendance.
#include <fmt/format.h>

#include "context.hpp"
#include "training/id_number.hpp"
#include "training/validation.hpp"

namespace kiosk::ctl {

using nlohmann::json;

json toJson(const training::Session& s) {
    return json{{"id", s.id},
                {"course_id", s.courseId},
                {"module", s.moduleCode},
                {"trainer_id", s.trainerId ? json(*s.trainerId) : json(nullptr)},
                {"room", s.room},
                {"starts_at", training::formatUtc(s.startsAt)},
                {"ends_at", training::formatUtc(s.endsAt)},
                {"roster_size", s.rosterSize}};
}

json toJson(const training::Course& c) {
    json mods = json::array();
    for (const auto& m : c.modules)
        mods.push_back({{"code", m.code},
                        {"name_zh", m.nameZh},
                        {"name_en", m.nameEn},
                        {"required_minutes", m.requiredMinutes},
                        {"examined", m.examined}});
    return json{{"id", c.id},           {"code", c.code},         {"name_zh", c.nameZh},
                {"name_en", c.nameEn}, {"pass_mark", c.passMark}, {"modules", mods}};
}

json toJson(const training::Attendance& a) {
    return json{{"id", a.id},
                {"session_id", a.sessionId},
                {"worker_id", a.workerId},
                {"check_in_at", training::formatUtc(a.checkInAt)},
                {"check_out_at", a.checkOutAt ? json(training::formatUtc(*a.checkOutAt)) : json(nullptr)},
                {"check_in_method", a.checkInMethod},
                {"check_out_method", a.checkOutMethod ? json(*a.checkOutMethod) : json(nullptr)},
                {"face_score", a.faceScore ? json(*a.faceScore) : json(nullptr)}};
}

namespace {

std::string sessionLine(const training::Session& s) {
    return fmt::format("{:>5}  {} - {}  {:<10}  room {:<6}  trainer {}  roster {}", s.id, training::formatLocalTime(s.startsAt),
                       training::formatLocalTime(s.endsAt).substr(11), s.moduleCode, s.room.empty() ? "-" : s.room,
                       s.trainerId ? std::to_string(*s.trainerId) : "-", s.rosterSize);
}

std::string courseText(const training::Course& c) {
    std::string t = fmt::format("course {} ({}): {} / {}, pass mark {}\n", c.id, c.code, c.nameZh, c.nameEn, c.passMark);
    for (const auto& m : c.modules)
        t += fmt::format("  {:<10} {:>4} min  {} / {}{}\n", m.code, m.requiredMinutes, m.nameZh, m.nameEn,
                         m.examined ? "" : "  (not examined)");
    return t;
}

}  // namespace

void addTrainingCommands(CLI::App& app, Action& action) {
    // course
    {
        auto* course = app.add_subcommand("course", "courses and their modules");
        course->require_subcommand(1);
        course->add_subcommand("list", "list courses")->callback([&action] {
            action = [](Context& ctx) {
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                auto list = (*store)->listCourses();
                if (!list) return ctx.failWith(list.error());
                json arr = json::array();
                std::string text;
                for (const auto& c : *list) {
                    arr.push_back(toJson(c));
                    text += courseText(c);
                }
                return ctx.ok(arr, text.empty() ? "no courses yet; run 'kioskctl init'" : text);
            };
        });
        auto* show = course->add_subcommand("show", "show a course");
        auto key = std::make_shared<std::string>("badge");
        show->add_option("COURSE", *key, "course id or code (default: badge)");
        show->callback([&action, key] {
            action = [key](Context& ctx) {
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                auto c = (*store)->course(*key);
                if (!c) return ctx.failWith(c.error());
                return ctx.ok(toJson(*c), courseText(*c));
            };
        });
    }
    // session
    {
        auto* session = app.add_subcommand("session", "training sessions");
        session->require_subcommand(1);
        {
            auto* add = session->add_subcommand("add", "schedule a session of one module");
            struct Opts {
                std::string course{"badge"}, module, room, start, end;
                std::optional<std::int64_t> trainer;
            };
            auto o = std::make_shared<Opts>();
            add->add_option("--course", o->course, "course id or code (default: badge)");
            add->add_option("--module", o->module, "module code (see 'kioskctl course show')")->required();
            add->add_option("--trainer", o->trainer, "trainer's staff id");
            add->add_option("--room", o->room, "room");
            add->add_option("--start", o->start, "start, 'YYYY-MM-DD HH:MM' local time")->required();
            add->add_option("--end", o->end, "end, 'YYYY-MM-DD HH:MM' local time")->required();
            add->callback([&action, o] {
                action = [o](Context& ctx) {
                    auto start = training::parseTimestamp(o->start, "start");
                    if (!start) return ctx.failWith(start.error());
                    auto end = training::parseTimestamp(o->end, "end");
                    if (!end) return ctx.failWith(end.error());
                    auto store = ctx.openStore();
                    if (!store) return ctx.failWith(store.error());
                    auto c = (*store)->course(o->course);
                    if (!c) return ctx.failWith(c.error());
                    auto s = (*store)->addSession(c->id, o->module, o->trainer, o->room, *start, *end, ctx.actor);
                    if (!s) return ctx.failWith(s.error());
                    return ctx.ok(toJson(*s), fmt::format("added session {}", sessionLine(*s)));
                };
            });
        }
        {
            auto* list = session->add_subcommand("list", "list sessions (default: this week)");
            auto from = std::make_shared<std::string>();
            auto to = std::make_shared<std::string>();
            list->add_option("--from", *from, "first day (YYYY-MM-DD)");
            list->add_option("--to", *to, "last day (YYYY-MM-DD)");
            list->callback([&action, from, to] {
                action = [from, to](Context& ctx) {
                    auto store = ctx.openStore();
                    if (!store) return ctx.failWith(store.error());
                    const auto today = std::chrono::sys_days(training::localDate((*store)->now()));
                    const auto monday = today - (std::chrono::weekday(today) - std::chrono::Monday);
                    std::chrono::sys_days first = monday, last = monday + std::chrono::days(6);
                    if (!from->empty()) {
                        auto d = training::parseDate(*from, "--from date");
                        if (!d) return ctx.failWith(d.error());
                        first = *d;
                        if (to->empty()) last = first + std::chrono::days(6);
                    }
                    if (!to->empty()) {
                        auto d = training::parseDate(*to, "--to date");
                        if (!d) return ctx.failWith(d.error());
                        last = *d;
                    }
                    auto list = (*store)->listSessions(training::localMidnight(first),
                                                       training::localMidnight(last + std::chrono::days(1)));
                    if (!list) return ctx.failWith(list.error());
                    json arr = json::array();
                    std::string text;
                    for (const auto& s : *list) {
                        arr.push_back(toJson(s));
                        text += sessionLine(s) + "\n";
                    }
                    return ctx.ok(arr, text.empty() ? "no sessions in that period" : text);
                };
            });
        }
    }
    // roster
    {
        auto* roster = app.add_subcommand("roster", "who attends a session");
        roster->require_subcommand(1);
        {
            auto* add = roster->add_subcommand("add", "put a worker on a session's roster");
            auto session = std::make_shared<std::int64_t>(0);
            auto worker = std::make_shared<std::string>();
            add->add_option("--session", *session, "session id")->required();
            add->add_option("--worker", *worker, "worker id or document number")->required();
            add->callback([&action, session, worker] {
                action = [session, worker](Context& ctx) {
                    auto store = ctx.openStore();
                    if (!store) return ctx.failWith(store.error());
                    auto w = resolveWorker(**store, *worker);
                    if (!w) return ctx.failWith(w.error());
                    if (auto r = (*store)->addToRoster(*session, w->id, ctx.actor); !r) return ctx.failWith(r.error());
                    return ctx.ok(json{{"ok", true}, {"session", *session}, {"worker", w->id}},
                                  fmt::format("worker {} ({}) added to session {}", w->id, w->identity.name, *session));
                };
            });
        }
        {
            auto* list = roster->add_subcommand("list", "a session's roster");
            auto session = std::make_shared<std::int64_t>(0);
            list->add_option("--session", *session, "session id")->required();
            list->callback([&action, session] {
                action = [session](Context& ctx) {
                    auto store = ctx.openStore();
                    if (!store) return ctx.failWith(store.error());
                    auto list = (*store)->roster(*session);
                    if (!list) return ctx.failWith(list.error());
                    json arr = json::array();
                    std::string text;
                    for (const auto& w : *list) {
                        arr.push_back(toJson(w));
                        text += fmt::format("{:>6}  {}  {}\n", w.id, w.identity.name,
                                            training::maskIdNumber(w.identity.docNumber));
                    }
                    return ctx.ok(arr, text.empty() ? "the roster is empty" : text);
                };
            });
        }
    }
    // attendance
    {
        auto* att = app.add_subcommand("attendance", "check-in, check-out and hours per module");
        att->require_subcommand(1);
        for (const bool in : {true, false}) {
            auto* cmd = att->add_subcommand(in ? "checkin" : "checkout", in ? "check a worker in" : "check a worker out");
            struct Opts {
                std::int64_t session{0};
                std::string worker, method{"staff"}, at;
                std::optional<double> score;
            };
            auto o = std::make_shared<Opts>();
            cmd->add_option("--session", o->session, "session id")->required();
            cmd->add_option("--worker", o->worker, "worker id or document number")->required();
            cmd->add_option("--method", o->method, "face, staff (default) or card");
            if (in) cmd->add_option("--face-score", o->score, "face match score (with --method face)");
            cmd->add_option("--at", o->at, "time, 'YYYY-MM-DD HH:MM' (default: now)");
            cmd->callback([&action, o, in] {
                action = [o, in](Context& ctx) {
                    auto method = training::parseAttendanceMethod(o->method);
                    if (!method) return ctx.failWith(method.error());
                    std::optional<std::int64_t> at;
                    if (!o->at.empty()) {
                        auto t = training::parseTimestamp(o->at, "--at time");
                        if (!t) return ctx.failWith(t.error());
                        at = *t;
                    }
                    auto center = openCenter(ctx);
                    if (!center) return ctx.failWith(center.error());
                    auto w = resolveWorker(*center->store, o->worker);
                    if (!w) return ctx.failWith(w.error());
                    auto a = in ? center->ops->checkIn(o->session, w->id, *method, o->score, ctx.actor, at)
                                : center->ops->checkOut(o->session, w->id, *method, ctx.actor, at);
                    if (!a) return ctx.failWith(a.error());
                    return ctx.ok(toJson(*a),
                                  fmt::format("{} {} ({}) {} session {} at {}", in ? "checked in" : "checked out", w->id,
                                              w->identity.name, in ? "to" : "of", o->session,
                                              training::formatLocalTime(in ? a->checkInAt : *a->checkOutAt)));
                };
            });
        }
        {
            auto* list = att->add_subcommand("list", "a worker's attendance and hours per module");
            auto worker = std::make_shared<std::string>();
            auto course = std::make_shared<std::string>("badge");
            list->add_option("--worker", *worker, "worker id or document number")->required();
            list->add_option("--course", *course, "course id or code (default: badge)");
            list->callback([&action, worker, course] {
                action = [worker, course](Context& ctx) {
                    auto store = ctx.openStore();
                    if (!store) return ctx.failWith(store.error());
                    auto w = resolveWorker(**store, *worker);
                    if (!w) return ctx.failWith(w.error());
                    auto c = (*store)->course(*course);
                    if (!c) return ctx.failWith(c.error());
                    auto hours = (*store)->hoursPerModule(w->id, c->id);
                    if (!hours) return ctx.failWith(hours.error());
                    auto entries = (*store)->attendanceOf(w->id);
                    if (!entries) return ctx.failWith(entries.error());
                    json mods = json::array();
                    std::string text = fmt::format("worker {} ({}), course {}\n", w->id, w->identity.name, c->code);
                    for (const auto& h : *hours) {
                        mods.push_back({{"module", h.moduleCode},
                                        {"required_minutes", h.requiredMinutes},
                                        {"attended_minutes", h.attendedMinutes},
                                        {"complete", h.attendedMinutes >= h.requiredMinutes}});
                        text += fmt::format("  {:<10} {:>4} / {:>4} min  {}\n", h.moduleCode, h.attendedMinutes,
                                            h.requiredMinutes, h.attendedMinutes >= h.requiredMinutes ? "complete" : "");
                    }
                    json arr = json::array();
                    for (const auto& a : *entries) arr.push_back(toJson(a));
                    return ctx.ok(json{{"worker", w->id}, {"course", c->code}, {"modules", mods}, {"entries", arr}},
                                  text);
                };
            });
        }
    }
}

}  // namespace kiosk::ctl
