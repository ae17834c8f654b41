// Store: courses, sessions, rosters and attendance.
#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "training/store.hpp"
#include "training/text.hpp"
#include "training/validation.hpp"

namespace training {
namespace {

using json = nlohmann::json;

constexpr std::int64_t kEarlyCheckInSeconds = 30 * 60;
constexpr std::int64_t kMaxSessionSeconds = 12 * 3600;
constexpr std::int64_t kClockToleranceSeconds = 60;  // a terminal's clock may run a little ahead

constexpr std::string_view kSessionColumns =
    "s.id, s.course_id, s.module_code, s.trainer_id, s.room, s.starts_at, s.ends_at, "
    "(SELECT count(*) FROM roster r WHERE r.session_id = s.id)";

Session readSession(const Statement& s) {
    return Session{s.int64(0), s.int64(1), s.text(2), s.optInt64(3), s.text(4), s.int64(5), s.int64(6),
                   static_cast<int>(s.int64(7))};
}

Attendance readAttendance(const Statement& s) {
    return Attendance{s.int64(0), s.int64(1), s.int64(2), s.int64(3), s.optInt64(4), s.text(5), s.optText(6),
                      s.optReal(7)};
}

constexpr std::string_view kAttendanceColumns =
    "id, session_id, worker_id, check_in_at, check_out_at, check_in_method, check_out_method, face_score";

}  // namespace

std::string_view attendanceMethodName(AttendanceMethod m) noexcept {
    switch (m) {
        case AttendanceMethod::Face: return "face";
        case AttendanceMethod::Staff: return "staff";
        case AttendanceMethod::Card: return "card";
    }
    return "staff";
}

Result<AttendanceMethod> parseAttendanceMethod(std::string_view text) {
    if (text == "face") return AttendanceMethod::Face;
    if (text == "staff") return AttendanceMethod::Staff;
    if (text == "card") return AttendanceMethod::Card;
    return fail(ErrorCode::InvalidInput, fmt::format("unknown attendance method '{}': use face, staff or card", text));
}

// ---------------------------------------------------------------- courses

Result<std::vector<Course>> Store::listCourses() {
    auto ids = m_db.prepare("SELECT id FROM courses ORDER BY id");
    if (!ids) return propagate(ids);
    auto list = ids->int64Rows();
    if (!list) return propagate(list);
    std::vector<Course> out;
    for (auto id : *list) {
        auto c = course(std::to_string(id));
        if (!c) return propagate(c);
        out.push_back(std::move(*c));
    }
    return out;
}

Result<Course> Store::course(const std::string& key) {
    auto stmt = m_db.prepare("SELECT id, code, name_zh, name_en, pass_mark FROM courses "
                             "WHERE CAST(id AS TEXT) = ?1 OR code = ?1 LIMIT 1");
    if (!stmt) return propagate(stmt);
    stmt->bindAll(std::string(trim(key)));
    auto row = stmt->step();
    if (!row) return propagate(row);
    if (!*row)
        return fail(ErrorCode::NotFound,
                    fmt::format("there is no course '{}'; 'kioskctl course list' shows the courses", key));
    Course c{stmt->int64(0), stmt->text(1), stmt->text(2), stmt->text(3), static_cast<int>(stmt->int64(4)), {}};
    auto mods = m_db.prepare("SELECT module_code, required_minutes, examined, name_zh, name_en FROM course_modules "
                             "WHERE course_id = ? ORDER BY position");
    if (!mods) return propagate(mods);
    mods->bindAll(c.id);
    if (auto done = mods->forEachRow([&](Statement& rec) {
        CourseModule m;
        m.code = rec.text(0);
        m.requiredMinutes = static_cast<int>(rec.int64(1));
        m.examined = rec.int64(2) != 0;
        m.nameZh = rec.text(3);
        m.nameEn = rec.text(4);
        if (m.nameZh.empty()) m.nameZh = m.code;
        if (m.nameEn.empty()) m.nameEn = m.code;
        c.modules.push_back(std::move(m));
    }); !done)
        return propagate(done);
    return c;
}

// ---------------------------------------------------------------- sessions

Result<Session> Store::addSession(std::int64_t courseId, const std::string& moduleCode,
                                  std::optional<std::int64_t> trainerId, const std::string& roomIn,
                                  std::int64_t startsAt, std::int64_t endsAt, const Actor& actor) {
    auto room = normalizeText(roomIn, "room", 32);
    if (!room) return propagate(room);
    if (endsAt <= startsAt) return fail(ErrorCode::InvalidInput, "a session must end after it starts");
    if (endsAt - startsAt > kMaxSessionSeconds)
        return fail(ErrorCode::InvalidInput, "a session lasts at most 12 hours; split longer training into sessions");
    auto c = course(std::to_string(courseId));
    if (!c) return propagate(c);
    if (std::ranges::find(c->modules, moduleCode, &CourseModule::code) == c->modules.end()) {
        std::string allowed;
        for (const auto& m : c->modules) allowed += (allowed.empty() ? "" : ", ") + m.code;
        return fail(ErrorCode::InvalidInput,
                    fmt::format("the course '{}' has no module '{}'; its modules are: {}", c->code, moduleCode, allowed));
    }
    if (trainerId) {
        auto t = staff(*trainerId);
        if (!t) return propagate(t);
        if (t->role == Role::Clerk)
            return fail(ErrorCode::InvalidInput,
                        fmt::format("{} is a clerk; a session's trainer has the trainer or admin role", t->name));
    }
    auto tx = m_db.transaction();
    if (!tx) return propagate(tx);
    {
        // Neither a trainer nor a room can be in two sessions at once (a room left empty is not compared).
        auto clash = m_db.prepare(
            "SELECT id, starts_at, ends_at, trainer_id IS NOT NULL AND trainer_id = ?1, room FROM sessions "
            "WHERE starts_at < ?3 AND ends_at > ?2 AND ((?1 IS NOT NULL AND trainer_id = ?1) OR (?4 <> '' AND room = ?4)) "
            "ORDER BY starts_at LIMIT 1");
        if (!clash) return propagate(clash);
        clash->bindAll(trainerId, startsAt, endsAt, *room);
        auto row = clash->step();
        if (!row) return propagate(row);
        if (*row) {
            const bool sameTrainer = clash->int64(3) != 0;
            return fail(ErrorCode::Conflict,
                        fmt::format("{} is already booked from {} to {} (session {}); choose another time{}",
                                    sameTrainer ? fmt::format("trainer {}", *trainerId) : fmt::format("room {}", *room),
                                    formatLocalTime(clash->int64(1)), formatLocalTime(clash->int64(2)), clash->int64(0),
                                    sameTrainer ? " or trainer" : " or room"));
        }
    }
    auto stmt = m_db.prepare("INSERT INTO sessions (course_id, module_code, trainer_id, room, starts_at, ends_at, "
                             "created_at) VALUES (?,?,?,?,?,?,?)");
    if (!stmt) return propagate(stmt);
    if (auto r = stmt->bindAll(courseId, moduleCode, trainerId, *room, startsAt, endsAt, m_clock->now()).run(); !r)
        return propagate(r);
    const auto id = m_db.lastInsertRowId();
    if (auto r = audit(actor, "session.add", fmt::format("session:{}", id),
                       json{{"course", c->code}, {"module", moduleCode}, {"starts_at", formatUtc(startsAt)},
                            {"ends_at", formatUtc(endsAt)}, {"room", *room}}
                           .dump());
        !r)
        return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    return session(id);
}

Result<Session> Store::session(std::int64_t id) {
    auto stmt = m_db.prepare(fmt::format("SELECT {} FROM sessions s WHERE s.id = ?", kSessionColumns));
    if (!stmt) return propagate(stmt);
    stmt->bindAll(id);
    auto row = stmt->step();
    if (!row) return propagate(row);
    if (!*row)
        return fail(ErrorCode::NotFound, fmt::format("there is no session {}; 'kioskctl session list' shows them", id));
    return readSession(*stmt);
}

Result<std::vector<Session>> Store::listSessions(std::int64_t from, std::int64_t to) {
    auto stmt = m_db.prepare(fmt::format("SELECT {} FROM sessions s WHERE s.starts_at < ? AND s.ends_at > ? "
                                         "ORDER BY s.starts_at, s.id",
                                         kSessionColumns));
    if (!stmt) return propagate(stmt);
    stmt->bindAll(to, from);
    std::vector<Session> out;
    if (auto done = stmt->forEachRow([&](Statement& rec) {
        out.push_back(readSession(rec));
    }); !done)
        return propagate(done);
    return out;
}

Result<void> Store::addToRoster(std::int64_t sessionId, std::int64_t workerId, const Actor& actor) {
    auto tx = m_db.transaction();
    if (!tx) return propagate(tx);
    if (auto s = session(sessionId); !s) return propagate(s);
    if (auto w = worker(workerId); !w) return propagate(w);
    auto stmt = m_db.prepare("INSERT INTO roster (session_id, worker_id, added_at) VALUES (?,?,?) "
                             "ON CONFLICT DO NOTHING");
    if (!stmt) return propagate(stmt);
    if (auto r = stmt->bindAll(sessionId, workerId, m_clock->now()).run(); !r) return r;
    if (m_db.changes() == 0)
        return fail(ErrorCode::Conflict,
                    fmt::format("worker {} is already on the roster of session {}", workerId, sessionId));
    if (auto r = audit(actor, "roster.add", fmt::format("session:{}", sessionId),
                       json{{"worker", workerId}}.dump());
        !r)
        return r;
    return tx->commit();
}

Result<std::vector<Worker>> Store::roster(std::int64_t sessionId) {
    if (auto s = session(sessionId); !s) return propagate(s);
    auto stmt = m_db.prepare(fmt::format("SELECT {} FROM roster r JOIN workers w ON w.id = r.worker_id "
                                         "WHERE r.session_id = ? ORDER BY w.name, w.id",
                                         workerColumns("w.")));
    if (!stmt) return propagate(stmt);
    stmt->bindAll(sessionId);
    std::vector<Worker> out;
    if (auto done = stmt->forEachRow([&](Statement& rec) -> Result<void> {
        auto w = readWorker(rec);
        if (!w) return propagate(w);
        out.push_back(std::move(*w));
        return {};
    }); !done)
        return propagate(done);
    return out;
}

// ---------------------------------------------------------------- attendance

Result<Attendance> Store::checkIn(std::int64_t sessionId, std::int64_t workerId, AttendanceMethod method,
                                  std::optional<double> faceScore, const Actor& actor,
                                  std::optional<std::int64_t> atIn) {
    const auto at = atIn.value_or(m_clock->now());
    if (method == AttendanceMethod::Face && !faceScore)
        return fail(ErrorCode::InvalidInput, "a face check-in records the face match score");
    auto tx = m_db.transaction();
    if (!tx) return propagate(tx);
    auto s = session(sessionId);
    if (!s) return propagate(s);
    {
        auto on = m_db.prepare("SELECT 1 FROM roster WHERE session_id = ? AND worker_id = ?");
        if (!on) return propagate(on);
        on->bindAll(sessionId, workerId);
        auto row = on->step();
        if (!row) return propagate(row);
        if (!*row) {
            if (auto w = worker(workerId); !w) return propagate(w);
            return fail(ErrorCode::Refused,
                        fmt::format("worker {} is not on the roster of session {}; staff can add them with "
                                    "'kioskctl roster add --session {} --worker {}'",
                                    workerId, sessionId, sessionId, workerId),
                        "attendance.not-on-roster");
        }
    }
    if (at < s->startsAt - kEarlyCheckInSeconds || at >= s->endsAt)
        return fail(ErrorCode::Refused,
                    fmt::format("session {} runs from {} to {}; check-in opens 30 minutes before the start", sessionId,
                                formatLocalTime(s->startsAt), formatLocalTime(s->endsAt)),
                    "attendance.outside-session");
    if (at > m_clock->now() + kClockToleranceSeconds)
        return fail(ErrorCode::Refused, fmt::format("{} is in the future: attendance is recorded when it happens",
                                                    formatLocalTime(at)));
    {
        auto last = m_db.prepare("SELECT check_in_at, check_out_at FROM attendance WHERE session_id = ? AND "
                                 "worker_id = ? ORDER BY check_in_at DESC LIMIT 1");
        if (!last) return propagate(last);
        last->bindAll(sessionId, workerId);
        auto row = last->step();
        if (!row) return propagate(row);
        if (*row) {
            if (last->isNull(1))
                return fail(ErrorCode::Refused, fmt::format("already checked in to session {} at {}; check out first",
                                                            sessionId, formatLocalTime(last->int64(0))),
                            "attendance.already-in");
            if (at < last->int64(1))
                return fail(ErrorCode::InvalidInput, "a new check-in cannot be earlier than the last check-out");
        }
    }
    auto stmt = m_db.prepare("INSERT INTO attendance (session_id, worker_id, check_in_at, check_in_method, face_score) "
                             "VALUES (?,?,?,?,?)");
    if (!stmt) return propagate(stmt);
    if (auto r = stmt->bindAll(sessionId, workerId, at, attendanceMethodName(method), faceScore).run(); !r)
        return propagate(r);
    const auto id = m_db.lastInsertRowId();
    json details{{"session", sessionId}, {"method", attendanceMethodName(method)}, {"at", formatUtc(at)}};
    if (faceScore) details["face_score"] = *faceScore;
    if (auto r = audit(actor, "attendance.checkin", fmt::format("worker:{}", workerId), details.dump()); !r)
        return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    return Attendance{id, sessionId, workerId, at, std::nullopt, std::string(attendanceMethodName(method)),
                      std::nullopt, faceScore};
}

Result<Attendance> Store::checkOut(std::int64_t sessionId, std::int64_t workerId, AttendanceMethod method,
                                   const Actor& actor, std::optional<std::int64_t> atIn) {
    const auto at = atIn.value_or(m_clock->now());
    if (at > m_clock->now() + kClockToleranceSeconds)
        return fail(ErrorCode::Refused, fmt::format("{} is in the future: attendance is recorded when it happens",
                                                    formatLocalTime(at)));
    auto tx = m_db.transaction();
    if (!tx) return propagate(tx);
    auto open = m_db.prepare(fmt::format("SELECT {} FROM attendance WHERE session_id = ? AND worker_id = ? AND "
                                         "check_out_at IS NULL ORDER BY check_in_at DESC LIMIT 1",
                                         kAttendanceColumns));
    if (!open) return propagate(open);
    open->bindAll(sessionId, workerId);
    auto row = open->step();
    if (!row) return propagate(row);
    if (!*row)
        return fail(ErrorCode::Refused,
                    fmt::format("worker {} is not checked in to session {}; check in first", workerId, sessionId),
                    "attendance.not-in");
    Attendance a = readAttendance(*open);
    if (at < a.checkInAt) return fail(ErrorCode::InvalidInput, "the check-out time is before the check-in time");
    auto stmt = m_db.prepare("UPDATE attendance SET check_out_at = ?, check_out_method = ? WHERE id = ?");
    if (!stmt) return propagate(stmt);
    if (auto r = stmt->bindAll(at, attendanceMethodName(method), a.id).run(); !r) return propagate(r);
    a.checkOutAt = at;
    a.checkOutMethod = std::string(attendanceMethodName(method));
    if (auto r = audit(actor, "attendance.checkout", fmt::format("worker:{}", workerId),
                       json{{"session", sessionId}, {"method", attendanceMethodName(method)}, {"at", formatUtc(at)}}
                           .dump());
        !r)
        return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    return a;
}

Result<std::vector<Attendance>> Store::attendanceOf(std::int64_t workerId) {
    auto stmt = m_db.prepare(
        fmt::format("SELECT {} FROM attendance WHERE worker_id = ? ORDER BY check_in_at", kAttendanceColumns));
    if (!stmt) return propagate(stmt);
    stmt->bindAll(workerId);
    std::vector<Attendance> out;
    if (auto done = stmt->forEachRow([&](Statement& rec) {
        out.push_back(readAttendance(rec));
    }); !done)
        return propagate(done);
    return out;
}

Result<std::vector<ModuleHours>> Store::hoursPerModule(std::int64_t workerId, std::int64_t courseId) {
    auto c = course(std::to_string(courseId));
    if (!c) return propagate(c);
    // Only completed presences count, and only the part inside the session's scheduled time.
    auto stmt = m_db.prepare(
        "SELECT s.module_code, sum(max(0, min(a.check_out_at, s.ends_at) - max(a.check_in_at, s.starts_at))) "
        "FROM attendance a JOIN sessions s ON s.id = a.session_id "
        "WHERE a.worker_id = ? AND s.course_id = ? AND a.check_out_at IS NOT NULL GROUP BY s.module_code");
    if (!stmt) return propagate(stmt);
    stmt->bindAll(workerId, courseId);
    std::vector<ModuleHours> out;
    for (const auto& m : c->modules) out.push_back({m.code, m.requiredMinutes, 0, m.nameZh, m.nameEn});
    if (auto done = stmt->forEachRow([&](Statement& rec) {
        auto it = std::ranges::find(out, rec.text(0), &ModuleHours::moduleCode);
        if (it != out.end()) it->attendedMinutes = static_cast<int>(rec.int64(1) / 60);
    }); !done)
        return propagate(done);
    return out;
}

}  // namespace training
