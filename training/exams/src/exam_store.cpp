// ExamStore: banks, sittings, attempts; durability of answers.
#include "training/exam_store.hpp"

#include <algorithm>
#include <unordered_map>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "exam/random.hpp"
#include "training/change_feed.hpp"
#include "training/syllabus.hpp"
#include "training/validation.hpp"

namespace training {
namespace {

using json = nlohmann::json;

Error fromExam(const exam::Error& e) {
    switch (e.code) {
        case exam::ErrorCode::InvalidInput:
        case exam::ErrorCode::Shortfall: return {ErrorCode::InvalidInput, e.message};
        case exam::ErrorCode::NotFound: return {ErrorCode::NotFound, e.message};
        case exam::ErrorCode::Closed:
        case exam::ErrorCode::Paused: return {ErrorCode::Refused, e.message};
        case exam::ErrorCode::InvalidState: return {ErrorCode::Conflict, e.message};
    }
    return {ErrorCode::Internal, e.message};
}

std::string_view reviewName(exam::ReviewPolicy p) {
    switch (p) {
        case exam::ReviewPolicy::None: return "none";
        case exam::ReviewPolicy::OwnAnswers: return "own";
        case exam::ReviewPolicy::CorrectAnswers: return "correct";
    }
    return "none";
}

exam::ReviewPolicy parseReview(std::string_view s) {
    if (s == "own") return exam::ReviewPolicy::OwnAnswers;
    if (s == "correct") return exam::ReviewPolicy::CorrectAnswers;
    return exam::ReviewPolicy::None;
}

SittingState parseState(std::string_view s) {
    if (s == "open") return SittingState::Open;
    if (s == "paused") return SittingState::Paused;
    if (s == "closed") return SittingState::Closed;
    return SittingState::Scheduled;
}

exam::SubmitReason parseReason(std::string_view s) {
    if (s == "deadline") return exam::SubmitReason::Deadline;
    if (s == "proctor") return exam::SubmitReason::Proctor;
    return exam::SubmitReason::Candidate;
}

json chosenJson(const std::vector<int>& chosen) { return json(chosen); }

std::vector<int> chosenFrom(const std::string& text) {
    auto j = json::parse(text, nullptr, false);
    std::vector<int> out;
    if (j.is_array())
        for (const auto& v : j)
            if (v.is_number_integer()) out.push_back(v.get<int>());
    return out;
}

json gradeJson(const exam::GradeReport& g) {
    json modules = json::array();
    for (const auto& m : g.modules)
        modules.push_back({{"module", m.module}, {"items", m.items}, {"earned", m.earned}, {"percent", m.percent}});
    json items = json::array();
    for (const auto& i : g.items)
        items.push_back({{"id", i.questionId}, {"version", i.version}, {"module", i.module}, {"credit", i.credit},
                         {"answered", i.answered}});
    return json{{"score", g.score}, {"pass_mark", g.passMark}, {"passed", g.passed},
                {"answered", g.answered}, {"modules", modules}, {"items", items}};
}

constexpr std::string_view kSittingColumns =
    "s.id, s.course_id, s.bank_id, b.code, s.title, s.blueprint, s.state, s.seats, s.review_policy, "
    "s.grace_seconds, s.scheduled_start, s.opened_at, s.closed_at, "
    "(SELECT count(*) FROM sitting_candidates c WHERE c.sitting_id = s.id), b.scoring, s.require_attendance";

Result<Sitting> readSitting(const Statement& st) {
    Sitting s;
    s.id = st.int64(0);
    s.courseId = st.int64(1);
    s.bankId = st.int64(2);
    s.bankCode = st.text(3);
    s.title = st.text(4);
    auto bp = blueprintFromJson(st.text(5));
    if (!bp) return propagate(bp);
    s.blueprint = *bp;
    s.state = parseState(st.text(6));
    s.seats = static_cast<int>(st.int64(7));
    s.review = parseReview(st.text(8));
    s.graceSeconds = static_cast<int>(st.int64(9));
    s.scheduledStart = st.optInt64(10);
    s.openedAt = st.optInt64(11);
    s.closedAt = st.optInt64(12);
    s.candidates = static_cast<int>(st.int64(13));
    s.scoring = st.text(14) == "proportional" ? exam::MultipleScoring::Proportional : exam::MultipleScoring::AllOrNothing;
    s.requireAttendance = st.int64(15) != 0;
    return s;
}

}  // namespace

std::string_view sittingStateName(SittingState s) noexcept {
    switch (s) {
        case SittingState::Scheduled: return "scheduled";
        case SittingState::Open: return "open";
        case SittingState::Paused: return "paused";
        case SittingState::Closed: return "closed";
    }
    return "scheduled";
}

// ---------------------------------------------------------------- banks

Result<std::int64_t> ExamStore::bankId(const std::string& code) {
    auto st = m_store.database().prepare("SELECT id FROM question_banks WHERE code = ?");
    if (!st) return propagate(st);
    st->bindAll(code);
    auto row = st->step();
    if (!row) return propagate(row);
    if (!*row)
        return fail(ErrorCode::NotFound,
                    fmt::format("there is no question bank '{}'; 'kioskctl exam bank list' shows them, "
                                "'kioskctl exam import FILE' adds one",
                                code));
    return st->int64(0);
}

Result<ImportCounts> ExamStore::importQuestions(const std::string& code, const exam::LocalizedText& title,
                                                exam::MultipleScoring scoring,
                                                const std::vector<exam::Question>& questions, const Actor& actor) {
    if (code.empty()) return fail(ErrorCode::InvalidInput, "a question bank needs a code");
    for (const auto& q : questions)
        if (auto problems = exam::validateQuestion(q); !problems.empty())
            return fail(ErrorCode::InvalidInput, problems.front());
    // A question belongs to a module the center teaches: the courses' modules are the syllabus.
    auto& db = m_store.database();
    std::vector<std::string> taught;
    auto codes = db.prepare("SELECT DISTINCT module_code FROM course_modules ORDER BY module_code");
    if (!codes) return propagate(codes);
    if (auto done = codes->forEachRow([&](Statement& row) { taught.push_back(row.text(0)); }); !done)
        return propagate(done);
    for (const auto& q : questions)
        if (std::ranges::find(taught, q.module) == taught.end())
            return fail(ErrorCode::InvalidInput,
                        fmt::format("question {}: the module '{}' is in no course of this center; use one of: {} "
                                    "('kioskctl course show' lists them)",
                                    q.id, q.module, fmt::join(taught, ", ")));
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    const auto now = m_store.now();
    std::int64_t bank = 0;
    if (auto existing = bankId(code)) {
        // An existing bank keeps its title and its scoring mode: more files may be added to one bank, but
        // only in the mode the bank has (one mode on purpose, never whichever file came first).
        bank = *existing;
        auto mode = db.prepare("SELECT scoring FROM question_banks WHERE id = ?");
        if (!mode) return propagate(mode);
        mode->bindAll(bank);
        if (auto row = mode->step(); !row) return propagate(row);
        const auto current = mode->text(0);
        mode->reset();
        if (current != exam::multipleScoringName(scoring))
            return fail(ErrorCode::Refused,
                        fmt::format("the bank '{}' scores multiple-response questions {}, but these questions come "
                                    "with scoring \"{}\": nothing was imported. Import them into another bank "
                                    "(--bank NEW-CODE) or change the file's scoring to \"{}\"",
                                    code, current, exam::multipleScoringName(scoring), current));
        auto upd = db.prepare("UPDATE question_banks SET updated_at = ? WHERE id = ?");
        if (!upd) return propagate(upd);
        if (auto r = upd->bindAll(now, bank).run(); !r) return propagate(r);
    } else {
        auto ins = db.prepare("INSERT INTO question_banks (code, title_zh, title_en, scoring, created_at, updated_at) "
                              "VALUES (?, ?, ?, ?, ?, ?)");
        if (!ins) return propagate(ins);
        if (auto r = ins->bindAll(code, title.zh.empty() ? code : title.zh, title.en,
                                  exam::multipleScoringName(scoring), now, now)
                         .run();
            !r)
            return propagate(r);
        bank = db.lastInsertRowId();
    }
    ImportCounts counts;
    for (const auto& q : questions) {
        auto cur = db.prepare("SELECT content, retired FROM questions WHERE bank_id = ? AND question_key = ? "
                              "ORDER BY version DESC LIMIT 1");
        if (!cur) return propagate(cur);
        cur->bindAll(bank, q.id);
        auto row = cur->step();
        if (!row) return propagate(row);
        exam::Question toStore = q;
        // An unweighted multiple-response question must not reward ticking everything in a proportional bank.
        exam::applyDefaultWrongWeights(toStore, scoring);
        bool retired = false;  // a retired question stays retired in its new version
        if (*row) {
            retired = cur->int64(1) != 0;
            auto current = questionFromJson(cur->text(0));
            if (!current) return propagate(current);
            toStore = exam::revise(*current, std::move(toStore));
            if (toStore.version == current->version) {
                ++counts.unchanged;
                continue;
            }
            ++counts.revised;
        } else {
            ++counts.added;
        }
        auto ins = db.prepare("INSERT INTO questions (bank_id, question_key, version, module, difficulty, type, content, "
                              "concept, retired, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        if (!ins) return propagate(ins);
        if (auto r = ins->bindAll(bank, toStore.id, toStore.version, toStore.module, toStore.difficulty,
                                  exam::questionTypeName(toStore.type), questionToJson(toStore), toStore.conceptTag,
                                  retired ? 1 : 0, now)
                         .run();
            !r)
            return propagate(r);
    }
    if (auto r = m_store.audit(actor, "bank.import", "bank:" + code,
                               json{{"added", counts.added}, {"revised", counts.revised}, {"unchanged", counts.unchanged}}
                                   .dump());
        !r)
        return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    return counts;
}

Result<std::vector<BankSummary>> ExamStore::listBanks() {
    auto st = m_store.database().prepare("SELECT id, code, title_zh, title_en, scoring FROM question_banks ORDER BY code");
    if (!st) return propagate(st);
    std::vector<BankSummary> out;
    if (auto done = st->forEachRow([&](Statement& rec) {
        BankSummary b;
        b.id = rec.int64(0);
        b.code = rec.text(1);
        b.title = {rec.text(2), rec.text(3)};
        b.scoring = rec.text(4) == "proportional" ? exam::MultipleScoring::Proportional
                                                  : exam::MultipleScoring::AllOrNothing;
        out.push_back(std::move(b));
    }); !done)
        return propagate(done);
    for (auto& b : out) {
        auto counts = m_store.database().prepare(
            "SELECT module, count(*) FROM questions q WHERE bank_id = ? AND retired = 0 AND version = "
            "(SELECT max(version) FROM questions q2 WHERE q2.bank_id = q.bank_id AND q2.question_key = q.question_key) "
            "GROUP BY module");
        if (!counts) return propagate(counts);
        counts->bindAll(b.id);
        if (auto done = counts->forEachRow([&](Statement& rec) {
            b.perModule[rec.text(0)] = static_cast<int>(rec.int64(1));
            b.questions += static_cast<int>(rec.int64(1));
        }); !done)
            return propagate(done);
    }
    return out;
}

Result<std::string> ExamStore::retireQuestion(const std::string& bankCode, const std::string& questionId,
                                              bool retired, const Actor& actor) {
    auto& db = m_store.database();
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    auto banks = db.prepare("SELECT DISTINCT b.code, b.id FROM questions q JOIN question_banks b ON b.id = q.bank_id "
                            "WHERE q.question_key = ? AND (? = '' OR b.code = ?) ORDER BY b.code");
    if (!banks) return propagate(banks);
    banks->bindAll(questionId, bankCode, bankCode);
    std::vector<std::pair<std::string, std::int64_t>> found;
    if (auto done = banks->forEachRow([&](Statement& rec) { found.emplace_back(rec.text(0), rec.int64(1)); }); !done)
        return propagate(done);
    if (found.empty())
        return fail(ErrorCode::NotFound,
                    bankCode.empty() ? fmt::format("no bank has a question '{}'; 'kioskctl exam bank show CODE' lists "
                                                   "a bank's questions",
                                                   questionId)
                                     : fmt::format("the bank '{}' has no question '{}'; 'kioskctl exam bank show {}' "
                                                   "lists its questions",
                                                   bankCode, questionId, bankCode));
    if (found.size() > 1) {
        std::string codes;
        for (const auto& [c, id] : found) codes += (codes.empty() ? "" : ", ") + c;
        return fail(ErrorCode::InvalidInput,
                    fmt::format("the banks {} all have a question '{}': say which with --bank", codes, questionId));
    }
    auto upd = db.prepare("UPDATE questions SET retired = ? WHERE bank_id = ? AND question_key = ?");
    if (!upd) return propagate(upd);
    if (auto r = upd->bindAll(retired ? 1 : 0, found[0].second, questionId).run(); !r) return propagate(r);
    if (auto r = m_store.audit(actor, retired ? "question.retire" : "question.restore",
                               fmt::format("question:{}/{}", found[0].first, questionId),
                               json{{"bank", found[0].first}, {"question", questionId}}.dump());
        !r)
        return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    return found[0].first;
}

Result<exam::Bank> ExamStore::bank(const std::string& code) {
    auto id = bankId(code);
    if (!id) return propagate(id);
    auto head = m_store.database().prepare("SELECT code, title_zh, title_en, scoring FROM question_banks WHERE id = ?");
    if (!head) return propagate(head);
    head->bindAll(*id);
    if (auto row = head->step(); !row || !*row) return fail(ErrorCode::NotFound, "the bank disappeared");
    exam::Bank b;
    b.id = head->text(0);
    b.title = {head->text(1), head->text(2)};
    b.scoring = head->text(3) == "proportional" ? exam::MultipleScoring::Proportional
                                                : exam::MultipleScoring::AllOrNothing;
    auto st = m_store.database().prepare(
        "SELECT content FROM questions q WHERE bank_id = ? AND retired = 0 AND version = "
        "(SELECT max(version) FROM questions q2 WHERE q2.bank_id = q.bank_id AND q2.question_key = q.question_key) "
        "ORDER BY id");
    if (!st) return propagate(st);
    st->bindAll(*id);
    if (auto done = st->forEachRow([&](Statement& rec) -> Result<void> {
        auto q = questionFromJson(rec.text(0));
        if (!q) return propagate(q);
        b.questions.push_back(std::move(*q));
        return {};
    }); !done)
        return propagate(done);
    return b;
}

// ---------------------------------------------------------------- sittings

Result<Sitting> ExamStore::createSitting(const SittingInput& in, const Actor& actor) {
    auto title = normalizeName(in.title, "sitting title");
    if (!title) return propagate(title);
    if (in.seats < 1 || in.seats > 500) return fail(ErrorCode::InvalidInput, "a sitting has 1 to 500 seats");
    if (in.graceSeconds < 0 || in.graceSeconds > 3600)
        return fail(ErrorCode::InvalidInput, "the grace period is 0 to 3600 seconds");
    if (auto v = exam::validateBlueprint(in.blueprint); !v) return std::unexpected(fromExam(v.error()));
    auto course = m_store.course(std::to_string(in.courseId));
    if (!course) return propagate(course);
    for (const auto& section : in.blueprint.sections)
        if (!findCourseModule(course->modules, section.module)) {
            std::vector<std::string> codes;
            for (const auto& m : course->modules) codes.push_back(m.code);
            return fail(ErrorCode::InvalidInput,
                        fmt::format("the blueprint asks for module '{}', which the course '{}' does not have; use "
                                    "one of: {}",
                                    section.module, course->code, fmt::join(codes, ", ")));
        }
    // The badge exam comes after the training: on by default for the badge course.
    const bool requireAttendance = in.requireAttendance.value_or(course->code == "badge");
    auto b = bank(in.bankCode);
    if (!b) return propagate(b);
    // The bank must be able to give every candidate a paper: the shortfall names module and count.
    if (auto paper = exam::assemblePaper(*b, in.blueprint, 0); !paper) return std::unexpected(fromExam(paper.error()));
    auto id = bankId(in.bankCode);
    if (!id) return propagate(id);
    auto& db = m_store.database();
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    auto ins = db.prepare("INSERT INTO sittings (course_id, bank_id, title, blueprint, seats, review_policy, "
                          "grace_seconds, scheduled_start, created_at, require_attendance) VALUES (?,?,?,?,?,?,?,?,?,?)");
    if (!ins) return propagate(ins);
    if (auto r = ins->bindAll(in.courseId, *id, *title, blueprintToJson(in.blueprint), in.seats, reviewName(in.review),
                              in.graceSeconds, in.scheduledStart, m_store.now(), requireAttendance)
                     .run();
        !r)
        return propagate(r);
    const auto sid = db.lastInsertRowId();
    if (auto r = m_store.audit(actor, "sitting.create", fmt::format("sitting:{}", sid),
                               json{{"bank", in.bankCode}, {"questions", in.blueprint.totalQuestions()},
                                    {"seats", in.seats}, {"require_attendance", requireAttendance}}
                                   .dump());
        !r)
        return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    return sitting(sid);
}

Result<Sitting> ExamStore::sitting(std::int64_t id) {
    auto st = m_store.database().prepare(
        fmt::format("SELECT {} FROM sittings s JOIN question_banks b ON b.id = s.bank_id WHERE s.id = ?", kSittingColumns));
    if (!st) return propagate(st);
    st->bindAll(id);
    auto row = st->step();
    if (!row) return propagate(row);
    if (!*row)
        return fail(ErrorCode::NotFound,
                    fmt::format("there is no exam sitting {}; 'kioskctl exam sitting list' shows them", id));
    return readSitting(*st);
}

Result<std::vector<Sitting>> ExamStore::listSittings() {
    auto st = m_store.database().prepare(fmt::format(
        "SELECT {} FROM sittings s JOIN question_banks b ON b.id = s.bank_id ORDER BY s.id", kSittingColumns));
    if (!st) return propagate(st);
    std::vector<Sitting> out;
    if (auto done = st->forEachRow([&](Statement& rec) -> Result<void> {
        auto s = readSitting(rec);
        if (!s) return propagate(s);
        out.push_back(std::move(*s));
        return {};
    }); !done)
        return propagate(done);
    return out;
}

Result<void> ExamStore::addCandidate(std::int64_t sittingId, std::int64_t workerId, const Actor& actor) {
    auto& db = m_store.database();
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    auto s = sitting(sittingId);
    if (!s) return propagate(s);
    if (s->state == SittingState::Closed)
        return fail(ErrorCode::Refused, fmt::format("sitting {} is closed; create a new sitting", sittingId));
    if (auto w = m_store.worker(workerId); !w) return propagate(w);
    if (s->candidates >= s->seats)
        return fail(ErrorCode::Refused, fmt::format("all {} seats of sitting {} are taken", s->seats, sittingId));
    auto ins = db.prepare("INSERT INTO sitting_candidates (sitting_id, worker_id, added_at) VALUES (?,?,?) "
                          "ON CONFLICT DO NOTHING");
    if (!ins) return propagate(ins);
    if (auto r = ins->bindAll(sittingId, workerId, m_store.now()).run(); !r) return r;
    if (db.changes() == 0)
        return fail(ErrorCode::Conflict, fmt::format("worker {} is already a candidate of sitting {}", workerId, sittingId));
    if (auto r = m_store.audit(actor, "sitting.candidate", fmt::format("sitting:{}", sittingId),
                               json{{"worker", workerId}}.dump());
        !r)
        return r;
    db.notifyOnCommit(kTopicBoard);
    return tx->commit();
}

Result<std::vector<std::int64_t>> ExamStore::candidates(std::int64_t sittingId) {
    auto st = m_store.database().prepare("SELECT worker_id FROM sitting_candidates WHERE sitting_id = ? ORDER BY worker_id");
    if (!st) return propagate(st);
    return st->bindAll(sittingId).int64Rows();
}

Result<void> ExamStore::setExtraTime(std::int64_t sittingId, std::int64_t workerId, int seconds, const Actor& actor) {
    if (seconds < 0 || seconds > 4 * 3600) return fail(ErrorCode::InvalidInput, "extra time is 0 to 240 minutes");
    auto& db = m_store.database();
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    auto upd = db.prepare("UPDATE sitting_candidates SET extra_seconds = ? WHERE sitting_id = ? AND worker_id = ?");
    if (!upd) return propagate(upd);
    if (auto r = upd->bindAll(seconds, sittingId, workerId).run(); !r) return r;
    if (db.changes() == 0)
        return fail(ErrorCode::NotFound,
                    fmt::format("worker {} is not a candidate of sitting {}; add them first", workerId, sittingId));
    if (auto r = m_store.audit(actor, "sitting.extra-time", fmt::format("sitting:{}", sittingId),
                               json{{"worker", workerId}, {"seconds", seconds}}.dump());
        !r)
        return r;
    db.notifyOnCommit(kTopicBoard);
    db.notifyOnCommit(sittingTopic(sittingId));
    return tx->commit();
}

Result<std::vector<exam::PauseInterval>> ExamStore::pauses(std::int64_t sittingId) {
    auto st = m_store.database().prepare(
        "SELECT started_at, ended_at FROM sitting_pauses WHERE sitting_id = ? ORDER BY started_at");
    if (!st) return propagate(st);
    st->bindAll(sittingId);
    std::vector<exam::PauseInterval> out;
    if (auto done = st->forEachRow([&](Statement& rec) {
        exam::PauseInterval p{exam::fromUnix(rec.int64(0)), std::nullopt};
        if (!rec.isNull(1)) p.end = exam::fromUnix(rec.int64(1));
        out.push_back(p);
    }); !done)
        return propagate(done);
    return out;
}

Result<Sitting> ExamStore::transition(std::int64_t id, SittingState from1, std::optional<SittingState> from2,
                                      SittingState to, const Actor& actor, const char* action) {
    auto& db = m_store.database();
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    auto s = sitting(id);
    if (!s) return propagate(s);
    if (s->state != from1 && (!from2 || s->state != *from2))
        return fail(ErrorCode::Refused, fmt::format("sitting {} is {}; it cannot be {} now", id,
                                                    sittingStateName(s->state), action));
    const auto now = m_store.now();
    auto upd = db.prepare("UPDATE sittings SET state = ?, opened_at = coalesce(opened_at, CASE WHEN ? = 'open' THEN ? END), "
                          "closed_at = CASE WHEN ? = 'closed' THEN ? ELSE closed_at END WHERE id = ?");
    if (!upd) return propagate(upd);
    const auto toName = sittingStateName(to);
    if (auto r = upd->bindAll(toName, toName, now, toName, now, id).run(); !r) return propagate(r);
    if (to == SittingState::Paused) {
        auto p = db.prepare("INSERT INTO sitting_pauses (sitting_id, started_at) VALUES (?, ?)");
        if (!p) return propagate(p);
        if (auto r = p->bindAll(id, now).run(); !r) return propagate(r);
    } else if (s->state == SittingState::Paused) {
        auto p = db.prepare("UPDATE sitting_pauses SET ended_at = ? WHERE sitting_id = ? AND ended_at IS NULL");
        if (!p) return propagate(p);
        if (auto r = p->bindAll(now, id).run(); !r) return propagate(r);
    }
    if (to == SittingState::Closed) {
        // Attempts still running are handed in by the proctor. On PostgreSQL their rows are locked before their
        // answers are read: an answer in flight (its UPDATE takes FOR KEY SHARE on the attempt, writeEvent) is
        // committed before this reads the items, and one that comes later waits for this commit and is refused, so
        // what is graded is what is stored. SQLite has one writer at a time.
        const std::string lock = db.backend() == Backend::Postgres ? " ORDER BY id FOR UPDATE" : "";
        auto open = db.prepare("SELECT id FROM attempts WHERE sitting_id = ? AND submitted_at IS NULL" + lock);
        if (!open) return propagate(open);
        auto ids = open->bindAll(id).int64Rows();
        if (!ids) return propagate(ids);
        for (auto aid : *ids) {
            auto a = loadAttempt(aid);
            if (!a) return propagate(a);
            if (a->attempt.status() == exam::AttemptStatus::InProgress)
                if (auto r = submit(*a, exam::SubmitReason::Proctor, actor); !r) return propagate(r);
        }
    }
    if (auto r = m_store.audit(actor, fmt::format("sitting.{}", toName), fmt::format("sitting:{}", id), "{}"); !r)
        return propagate(r);
    db.notifyOnCommit(kTopicBoard);
    db.notifyOnCommit(sittingTopic(id));
    if (auto r = tx->commit(); !r) return propagate(r);
    return sitting(id);
}

Result<Sitting> ExamStore::openSitting(std::int64_t id, const Actor& actor) {
    return transition(id, SittingState::Scheduled, std::nullopt, SittingState::Open, actor, "opened");
}
Result<Sitting> ExamStore::pauseSitting(std::int64_t id, const Actor& actor) {
    return transition(id, SittingState::Open, std::nullopt, SittingState::Paused, actor, "paused");
}
Result<Sitting> ExamStore::resumeSitting(std::int64_t id, const Actor& actor) {
    return transition(id, SittingState::Paused, std::nullopt, SittingState::Open, actor, "resumed");
}
Result<Sitting> ExamStore::closeSitting(std::int64_t id, const Actor& actor) {
    return transition(id, SittingState::Open, SittingState::Paused, SittingState::Closed, actor, "closed");
}

Result<std::vector<AttendanceGap>> ExamStore::attendanceGaps(std::int64_t sittingId, std::int64_t workerId) {
    auto s = sitting(sittingId);
    if (!s) return propagate(s);
    std::vector<AttendanceGap> gaps;
    if (!s->requireAttendance) return gaps;
    auto admitted = m_store.database().prepare(
        "SELECT admitted_at FROM sitting_candidates WHERE sitting_id = ? AND worker_id = ?");
    if (!admitted) return propagate(admitted);
    admitted->bindAll(sittingId, workerId);
    auto row = admitted->step();
    if (!row) return propagate(row);
    const bool wasAdmitted = *row && !admitted->isNull(0);
    admitted->reset();
    if (wasAdmitted) return gaps;
    auto hours = m_store.hoursPerModule(workerId, s->courseId);
    if (!hours) return propagate(hours);
    for (const auto& h : *hours)
        if (h.attendedMinutes < h.requiredMinutes) gaps.push_back({h.moduleCode, h.requiredMinutes, h.attendedMinutes, h.moduleNameZh, h.moduleNameEn});
    return gaps;
}

Result<void> ExamStore::admitCandidate(std::int64_t sittingId, std::int64_t workerId, std::int64_t staffId,
                                       const std::string& pin) {
    auto s = sitting(sittingId);
    if (!s) return propagate(s);
    if (s->state == SittingState::Closed)
        return fail(ErrorCode::Refused, fmt::format("sitting {} is closed; create a new sitting", sittingId));
    // The PIN check first (it counts towards the lockout and is audited as a login), then the role.
    auto staff = m_store.authenticateStaff(staffId, pin);
    if (!staff) return propagate(staff);
    return admitCandidateAs(sittingId, workerId, *staff);
}

Result<void> ExamStore::admitCandidateAs(std::int64_t sittingId, std::int64_t workerId, const Staff& staff) {
    const auto staffId = staff.id;
    auto s = sitting(sittingId);
    if (!s) return propagate(s);
    if (s->state == SittingState::Closed)
        return fail(ErrorCode::Refused, fmt::format("sitting {} is closed; create a new sitting", sittingId));
    auto gaps = attendanceGaps(sittingId, workerId);
    if (!gaps) return propagate(gaps);
    if (staff.role == Role::Clerk)
        return fail(ErrorCode::Refused, fmt::format("{} is a clerk: only a trainer or an administrator may admit a "
                                                    "candidate who lacks training hours",
                                                    staff.name));
    auto& db = m_store.database();
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    auto upd = db.prepare("UPDATE sitting_candidates SET admitted_by = ?, admitted_at = ? WHERE sitting_id = ? AND worker_id = ?");
    if (!upd) return propagate(upd);
    if (auto r = upd->bindAll(staffId, m_store.now(), sittingId, workerId).run(); !r) return r;
    if (db.changes() == 0)
        return fail(ErrorCode::Refused, fmt::format("worker {} is not a candidate of sitting {}; seat them first "
                                                    "('kioskctl exam sitting add-candidate')",
                                                    workerId, sittingId));
    json missing = json::array();
    for (const auto& g : *gaps)
        missing.push_back({{"module", g.moduleCode}, {"required_minutes", g.requiredMinutes},
                           {"attended_minutes", g.attendedMinutes}});
    if (auto r = m_store.audit(fmt::format("staff:{}", staffId), "sitting.admit", fmt::format("worker:{}", workerId),
                               json{{"sitting", sittingId}, {"missing", missing}}.dump());
        !r)
        return r;
    db.notifyOnCommit(kTopicBoard);
    return tx->commit();
}

// ---------------------------------------------------------------- attempts

Result<exam::Paper> ExamStore::previewPaper(std::int64_t sittingId, std::int64_t workerId) {
    auto s = sitting(sittingId);
    if (!s) return propagate(s);
    if (auto w = m_store.worker(workerId); !w) return propagate(w);
    auto count = m_store.database().prepare("SELECT count(*) FROM attempts WHERE sitting_id = ? AND worker_id = ?");
    if (!count) return propagate(count);
    count->bindAll(sittingId, workerId);
    if (auto row = count->step(); !row) return propagate(row);
    const int attemptNo = static_cast<int>(count->int64(0)) + 1;
    auto seen = m_store.database().prepare(
        "SELECT DISTINCT q.question_key, q.concept FROM attempt_items ai JOIN attempts a ON a.id = ai.attempt_id "
        "JOIN questions q ON q.id = ai.question_id WHERE a.worker_id = ?");
    if (!seen) return propagate(seen);
    seen->bindAll(workerId);
    std::set<std::string> seenKeys, seenConcepts;
    if (auto done = seen->forEachRow([&](Statement& rec) {
        seenKeys.insert(rec.text(0));
        if (auto c = rec.text(1); !c.empty()) seenConcepts.insert(std::move(c));
    }); !done)
        return propagate(done);
    auto b = bank(s->bankCode);
    if (!b) return propagate(b);
    const auto seed = exam::paperSeed(std::to_string(sittingId), std::to_string(workerId), attemptNo);
    // Concepts of the current versions of seen questions count too (a tag added after the attempt).
    for (const auto& q : b->questions)
        if (!q.conceptTag.empty() && seenKeys.contains(q.id)) seenConcepts.insert(q.conceptTag);
    auto paper = exam::assemblePaper(*b, s->blueprint, seed, seenKeys, seenConcepts);
    if (!paper) return std::unexpected(fromExam(paper.error()));
    return *paper;
}

Result<StoredAttempt> ExamStore::startAttempt(std::int64_t sittingId, std::int64_t workerId, const Actor& actor) {
    auto& db = m_store.database();
    {
        auto running = db.prepare("SELECT id FROM attempts WHERE sitting_id = ? AND worker_id = ? AND submitted_at IS NULL");
        if (!running) return propagate(running);
        running->bindAll(sittingId, workerId);
        auto row = running->step();
        if (!row) return propagate(row);
        if (*row) {
            const auto id = running->int64(0);
            running->reset();
            return loadAttempt(id);
        }
    }
    auto s = sitting(sittingId);
    if (!s) return propagate(s);
    if (s->state != SittingState::Open)
        return fail(ErrorCode::Refused,
                    s->state == SittingState::Paused
                        ? fmt::format("sitting {} is paused by the trainer; wait until it is resumed", sittingId)
                        : fmt::format("sitting {} is {}; the trainer must open it first", sittingId,
                                      sittingStateName(s->state)));
    std::int64_t extra = 0;
    {
        auto cand = db.prepare("SELECT extra_seconds FROM sitting_candidates WHERE sitting_id = ? AND worker_id = ?");
        if (!cand) return propagate(cand);
        cand->bindAll(sittingId, workerId);
        auto row = cand->step();
        if (!row) return propagate(row);
        if (!*row)
            return fail(ErrorCode::Refused,
                        fmt::format("worker {} is not a candidate of sitting {}; ask the trainer", workerId, sittingId),
                        "exam.not-a-candidate");
        extra = cand->int64(0);
    }
    {
        auto gaps = attendanceGaps(sittingId, workerId);
        if (!gaps) return propagate(gaps);
        if (!gaps->empty()) {
            std::string missing;
            for (const auto& g : *gaps)
                missing += fmt::format("{}{}: {} of {} min attended, {} min missing", missing.empty() ? "" : "; ",
                                       g.moduleCode, g.attendedMinutes, g.requiredMinutes, g.missingMinutes());
            return fail(ErrorCode::Refused,
                        fmt::format("worker {} has not attended the training sitting {} requires ({}); roster them on "
                                    "sessions, or a trainer admits them with 'kioskctl exam sitting admit'",
                                    workerId, sittingId, missing),
                        "exam.hours-missing");
        }
    }
    auto paper = previewPaper(sittingId, workerId);
    if (!paper) return propagate(paper);
    auto count = db.queryInt(fmt::format("SELECT count(*) FROM attempts WHERE sitting_id = {} AND worker_id = {}",
                                         sittingId, workerId));
    if (!count) return propagate(count);
    const int attemptNo = static_cast<int>(*count) + 1;
    auto ps = pauses(sittingId);
    if (!ps) return propagate(ps);
    const auto now = m_store.now();
    exam::AttemptTiming timing{exam::fromUnix(now), paper->duration, std::chrono::seconds(extra),
                               std::chrono::seconds(s->graceSeconds), *ps};
    auto attempt = exam::Attempt::start(*paper, timing);
    if (!attempt) return std::unexpected(fromExam(attempt.error()));

    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    auto ins = db.prepare("INSERT INTO attempts (sitting_id, worker_id, attempt_no, seed, pass_mark, duration_s, scoring, "
                          "started_at) VALUES (?,?,?,?,?,?,?,?)");
    if (!ins) return propagate(ins);
    if (auto r = ins->bindAll(sittingId, workerId, attemptNo, std::to_string(paper->seed), paper->passMark,
                              static_cast<std::int64_t>(paper->duration.count()),
                              exam::multipleScoringName(paper->scoring), now)
                     .run();
        !r)
        return propagate(r);
    const auto attemptId = db.lastInsertRowId();
    auto bank = bankId(s->bankCode);
    if (!bank) return propagate(bank);
    for (std::size_t i = 0; i < paper->items.size(); ++i) {
        const auto& item = paper->items[i];
        auto qid = db.prepare("SELECT id FROM questions WHERE bank_id = ? AND question_key = ? AND version = ?");
        if (!qid) return propagate(qid);
        qid->bindAll(*bank, item.question.id, item.question.version);
        auto row = qid->step();
        if (!row) return propagate(row);
        if (!*row) return fail(ErrorCode::Internal, "a drawn question is not in the bank");
        const auto questionRow = qid->int64(0);
        qid->reset();
        auto ii = db.prepare("INSERT INTO attempt_items (attempt_id, position, question_id, option_order) VALUES (?,?,?,?)");
        if (!ii) return propagate(ii);
        if (auto r = ii->bindAll(attemptId, static_cast<std::int64_t>(i), questionRow, json(item.optionOrder).dump()).run();
            !r)
            return propagate(r);
    }
    auto ev = db.prepare("INSERT INTO attempt_events (attempt_id, at, kind) VALUES (?, ?, 'started')");
    if (!ev) return propagate(ev);
    if (auto r = ev->bindAll(attemptId, now).run(); !r) return propagate(r);
    if (auto r = m_store.audit(actor, "attempt.start", fmt::format("worker:{}", workerId),
                               json{{"sitting", sittingId}, {"attempt", attemptId}, {"attempt_no", attemptNo},
                                    {"items", paper->items.size()}}
                                   .dump());
        !r)
        return propagate(r);
    db.notifyOnCommit(kTopicBoard);
    if (auto r = tx->commit(); !r) return propagate(r);
    return StoredAttempt{attemptId, sittingId, workerId, attemptNo, std::move(*attempt)};
}

Result<StoredAttempt> ExamStore::loadAttempt(std::int64_t attemptId) {
    auto& db = m_store.database();
    auto head = db.prepare(
        "SELECT a.sitting_id, a.worker_id, a.attempt_no, a.seed, a.pass_mark, a.duration_s, a.scoring, a.started_at, "
        "a.current_item, a.submitted_at, a.submit_reason, s.grace_seconds, coalesce(c.extra_seconds, 0), b.code "
        "FROM attempts a JOIN sittings s ON s.id = a.sitting_id JOIN question_banks b ON b.id = s.bank_id "
        "LEFT JOIN sitting_candidates c ON c.sitting_id = a.sitting_id AND c.worker_id = a.worker_id WHERE a.id = ?");
    if (!head) return propagate(head);
    head->bindAll(attemptId);
    auto row = head->step();
    if (!row) return propagate(row);
    if (!*row)
        return fail(ErrorCode::NotFound, fmt::format("there is no exam attempt {}; 'kioskctl exam attempt start' "
                                                     "begins one",
                                                     attemptId));
    const auto sittingId = head->int64(0);
    const auto workerId = head->int64(1);
    const int attemptNo = static_cast<int>(head->int64(2));
    exam::Paper paper;
    paper.bankId = head->text(13);
    paper.seed = std::stoull(head->text(3));
    paper.passMark = head->real(4);
    paper.duration = std::chrono::seconds(head->int64(5));
    paper.scoring = head->text(6) == "proportional" ? exam::MultipleScoring::Proportional
                                                    : exam::MultipleScoring::AllOrNothing;
    const auto startedAt = head->int64(7);
    const int current = static_cast<int>(head->int64(8));
    const auto submittedAt = head->optInt64(9);
    const auto reason = head->optText(10);
    const auto grace = head->int64(11);
    const auto extra = head->int64(12);
    head->reset();

    auto items = db.prepare("SELECT ai.option_order, ai.chosen, ai.flagged, ai.answered_at, q.content "
                            "FROM attempt_items ai JOIN questions q ON q.id = ai.question_id "
                            "WHERE ai.attempt_id = ? ORDER BY ai.position");
    if (!items) return propagate(items);
    items->bindAll(attemptId);
    std::vector<exam::ItemResponse> responses;
    while (true) {
        auto r = items->step();
        if (!r) return propagate(r);
        if (!*r) break;
        auto q = questionFromJson(items->text(4));
        if (!q) return propagate(q);
        exam::PaperItem item{std::move(*q), chosenFrom(items->text(0))};
        paper.items.push_back(std::move(item));
        exam::ItemResponse resp;
        resp.chosen = chosenFrom(items->text(1));
        resp.flagged = items->int64(2) != 0;
        if (!items->isNull(3)) resp.answeredAt = exam::fromUnix(items->int64(3));
        responses.push_back(std::move(resp));
    }
    auto ps = pauses(sittingId);
    if (!ps) return propagate(ps);
    exam::AttemptTiming timing{exam::fromUnix(startedAt), paper.duration, std::chrono::seconds(extra),
                               std::chrono::seconds(grace), *ps};
    std::vector<exam::AttemptEvent> events;
    if (current > 0) events.push_back({exam::fromUnix(startedAt), exam::EventKind::Navigated, current, {}, {}});
    if (submittedAt)
        events.push_back({exam::fromUnix(*submittedAt), exam::EventKind::Submitted, -1, {}, parseReason(reason.value_or(""))});
    auto restored = exam::Attempt::restore(std::move(paper), timing, std::move(responses), events);
    if (!restored) return std::unexpected(fromExam(restored.error()));
    StoredAttempt out{attemptId, sittingId, workerId, attemptNo, std::move(*restored)};
    // Time may have run out while the kiosk was down: hand the attempt in now.
    if (out.attempt.status() == exam::AttemptStatus::InProgress) {
        if (out.attempt.update(exam::fromUnix(m_store.now())))
            if (auto r = persistSubmission(out); !r) return propagate(r);
    }
    return out;
}

Result<void> ExamStore::persistSubmission(const StoredAttempt& a, const Actor& by) {
    // The whole unit (it stores what the engine holds already) runs again when the database was busy.
    return m_store.database().retrying([&] { return writeSubmission(a, by); });
}

Result<void> ExamStore::writeSubmission(const StoredAttempt& a, const Actor& by) {
    auto& db = m_store.database();
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    const auto grade = a.attempt.grade();
    const auto at = exam::toUnix(a.attempt.submittedAt().value_or(exam::fromUnix(m_store.now())));
    const auto reason = exam::submitReasonName(a.attempt.submitReason().value_or(exam::SubmitReason::Candidate));
    // Who handed it in: the clock (deadline), the trainer closing the sitting (their actor), or the worker.
    const auto submitReason = a.attempt.submitReason().value_or(exam::SubmitReason::Candidate);
    const Actor who = submitReason == exam::SubmitReason::Deadline ? Actor("clock")
                      : !by.empty()                                ? by
                                                                   : fmt::format("worker:{}", a.workerId);
    auto upd = db.prepare("UPDATE attempts SET submitted_at = ?, submit_reason = ?, score = ?, passed = ?, grade = ?, "
                          "submitted_by = ? WHERE id = ? AND submitted_at IS NULL");
    if (!upd) return propagate(upd);
    if (auto r = upd->bindAll(at, reason, grade.score, grade.passed, gradeJson(grade).dump(), who, a.id).run(); !r)
        return r;
    if (db.changes() == 0) return tx->commit();  // already stored
    auto ev = db.prepare("INSERT INTO attempt_events (attempt_id, at, kind) VALUES (?, ?, 'submitted')");
    if (!ev) return propagate(ev);
    if (auto r = ev->bindAll(a.id, at).run(); !r) return r;
    if (auto r = m_store.audit(who, "attempt.submit", fmt::format("worker:{}", a.workerId),
                               json{{"sitting", a.sittingId}, {"attempt", a.id}, {"score", grade.score},
                                    {"passed", grade.passed}, {"reason", reason}, {"submitted_by", who}}
                                   .dump());
        !r)
        return r;
    db.notifyOnCommit(kTopicBoard);
    if (submitReason == exam::SubmitReason::Proctor) db.notifyOnCommit(sittingTopic(a.sittingId));
    return tx->commit();
}

Result<void> ExamStore::persistAfter(StoredAttempt& a, const exam::Result<exam::AttemptEvent>& outcome,
                                     const Actor& by) {
    if (!outcome) {
        // The engine may have handed the attempt in because time ran out: store that before reporting.
        if (a.attempt.status() == exam::AttemptStatus::Submitted)
            if (auto r = persistSubmission(a); !r) return r;
        return std::unexpected(fromExam(outcome.error()));
    }
    const auto& e = *outcome;
    if (e.kind == exam::EventKind::Submitted) return persistSubmission(a, by);
    // The whole unit (it stores what the engine holds already) runs again when the database was busy.
    return m_store.database().retrying([&] { return writeEvent(a, e); });
}

Result<void> ExamStore::writeEvent(const StoredAttempt& a, const exam::AttemptEvent& e) {
    auto& db = m_store.database();
    // Blind writes of this attempt's own rows (the engine decided in memory): no other unit reads them to decide
    // anything it writes, so on PostgreSQL the answers of a room are saved side by side, not in turn.
    auto tx = db.transaction(WriteLock::RowsOnly);
    if (!tx) return propagate(tx);
    if (e.kind == exam::EventKind::Navigated) {
        auto upd = db.prepare("UPDATE attempts SET current_item = ? WHERE id = ?");
        if (!upd) return propagate(upd);
        if (auto r = upd->bindAll(e.item, a.id).run(); !r) return r;
    } else {
        const auto& resp = a.attempt.response(e.item);
        // Only while the attempt is not handed in (in the same statement: no extra round trip). A kiosk may still
        // hold an attempt that the trainer's closing of the sitting, or the deadline seen elsewhere, handed in and
        // graded: its late answer must not change what was graded. On PostgreSQL the check takes FOR KEY SHARE on
        // the attempt's row: a close that locked it (FOR UPDATE, before reading the answers it grades) makes this
        // wait for its commit and then see the attempt handed in; the answers of one attempt do not wait for each
        // other, nor for its navigation (plain updates of the row).
        const std::string lock = db.backend() == Backend::Postgres ? " FOR KEY SHARE" : "";
        auto upd = db.prepare("UPDATE attempt_items SET chosen = ?, flagged = ?, answered_at = ? "
                              "WHERE attempt_id = ? AND position = ? AND EXISTS "
                              "(SELECT 1 FROM attempts WHERE id = ? AND submitted_at IS NULL" + lock + ")");
        if (!upd) return propagate(upd);
        std::optional<std::int64_t> answeredAt;
        if (resp.answeredAt) answeredAt = exam::toUnix(*resp.answeredAt);
        if (auto r = upd->bindAll(chosenJson(resp.chosen).dump(), resp.flagged, answeredAt, a.id, e.item, a.id).run(); !r)
            return r;
        if (db.changes() == 0)
            return fail(ErrorCode::Refused,
                        fmt::format("exam attempt {} was handed in already (the sitting was closed, or its time ran "
                                    "out); the answer was not stored",
                                    a.id),
                        "exam.handed-in");
    }
    auto ev = db.prepare("INSERT INTO attempt_events (attempt_id, at, kind, item, chosen) VALUES (?,?,?,?,?)");
    if (!ev) return propagate(ev);
    if (auto r = ev->bindAll(a.id, exam::toUnix(e.at), exam::eventKindName(e.kind), e.item, chosenJson(e.chosen).dump())
                     .run();
        !r)
        return r;
    // Not in this transaction: the answers of a room are committed side by side, and a NOTIFY would make their
    // commits take turns (Database::notifySoon).
    db.notifySoon(kTopicBoard);
    return tx->commit();
}

Result<void> ExamStore::refreshIfHandedIn(StoredAttempt& a, Result<void> r) {
    if (r || r.error().reason != "exam.handed-in") return r;
    // What the database holds replaces what this kiosk held: the screen shows the stored result.
    if (auto stored = loadAttempt(a.id)) a = std::move(*stored);
    return r;
}
Result<void> ExamStore::answer(StoredAttempt& a, int item, std::vector<int> chosen) {
    return refreshIfHandedIn(a, persistAfter(a, a.attempt.answer(item, std::move(chosen), exam::fromUnix(m_store.now()))));
}
Result<void> ExamStore::clearAnswer(StoredAttempt& a, int item) {
    return refreshIfHandedIn(a, persistAfter(a, a.attempt.clear(item, exam::fromUnix(m_store.now()))));
}
Result<void> ExamStore::flag(StoredAttempt& a, int item, bool flagged) {
    return refreshIfHandedIn(a, persistAfter(a, a.attempt.setFlag(item, flagged, exam::fromUnix(m_store.now()))));
}
Result<void> ExamStore::goTo(StoredAttempt& a, int item) {
    return persistAfter(a, a.attempt.goTo(item, exam::fromUnix(m_store.now())));
}
Result<void> ExamStore::submit(StoredAttempt& a, exam::SubmitReason reason, const Actor& by) {
    return persistAfter(a, a.attempt.submit(exam::fromUnix(m_store.now()), reason), by);
}

std::string_view presenceName(Presence p) noexcept {
    switch (p) {
        case Presence::NotStarted: return "not-started";
        case Presence::AtScreen: return "at-screen";
        case Presence::Left: return "left";
        case Presence::NoContact: return "no-contact";
        case Presence::Submitted: return "submitted";
    }
    return "not-started";
}

Result<void> ExamStore::reportPresence(std::int64_t attemptId, bool atScreen, std::string_view terminal) {
    auto& db = m_store.database();
    const auto now = m_store.now();
    // The board hears of a report that changes what it shows (another kiosk, left or back, contact again after a
    // silence), not of every heartbeat: a room of kiosks reporting every few seconds must not keep it reloading.
    bool visible = true;
    {
        auto was = db.prepare("SELECT seen_from, left_at IS NULL, seen_at FROM attempts WHERE id = ?");
        if (!was) return propagate(was);
        was->bindAll(attemptId);
        auto row = was->step();
        if (!row) return propagate(row);
        if (*row && !was->isNull(2))
            visible = was->text(0) != terminal || (was->int64(1) != 0) != atScreen ||
                      now - was->int64(2) >= kPresenceTimeoutSeconds;
        was->reset();
    }
    auto upd = db.prepare("UPDATE attempts SET seen_at = ?, seen_from = ?, left_at = ? WHERE id = ? AND submitted_at IS NULL");
    if (!upd) return propagate(upd);
    const std::optional<std::int64_t> leftAt = atScreen ? std::nullopt : std::optional<std::int64_t>(now);
    if (auto r = upd->bindAll(now, std::string(terminal), leftAt, attemptId).run(); !r) return r;
    if (db.changes() > 0) {
        if (visible) db.notifyOnCommit(kTopicBoard);
        db.flushNotifications();  // an answer's notification held back by notifySoon's once-a-second rule
        return {};
    }
    auto exists = db.queryInt(fmt::format("SELECT count(*) FROM attempts WHERE id = {}", attemptId));
    if (!exists) return propagate(exists);
    if (*exists == 0) return fail(ErrorCode::NotFound, fmt::format("there is no exam attempt {}", attemptId));
    return {};  // already handed in: nothing to report
}

Result<std::vector<ProctorLine>> ExamStore::proctorBoard(std::optional<std::int64_t> sittingId) {
    auto& db = m_store.database();
    if (sittingId) {
        if (auto s = sitting(*sittingId); !s) return propagate(s);
    }
    // One row per candidate with the latest attempt, if any, and its progress counted by the database (indexed by
    // attempt_items' primary key): no paper is loaded, except of an attempt whose time ran out unseen, which is
    // handed in here as loadAttempt does.
    auto st = db.prepare(
        "SELECT c.sitting_id, s.title, c.worker_id, w.name, c.extra_seconds, a.id, a.attempt_no, a.score, "
        "a.passed, a.started_at, a.seen_at, a.seen_from, a.left_at, "
        "(SELECT max(e.at) FROM attempt_events e WHERE e.attempt_id = a.id), "
        "(SELECT max(i.answered_at) FROM attempt_items i WHERE i.attempt_id = a.id), "
        "a.current_item, a.submitted_at, a.duration_s, s.grace_seconds, "
        "(SELECT count(*) FROM attempt_items i WHERE i.attempt_id = a.id), "
        "(SELECT count(*) FROM attempt_items i WHERE i.attempt_id = a.id AND i.chosen <> '[]'), "
        "(SELECT count(*) FROM attempt_items i WHERE i.attempt_id = a.id AND i.flagged <> 0) "
        "FROM sitting_candidates c JOIN sittings s ON s.id = c.sitting_id JOIN workers w ON w.id = c.worker_id "
        "LEFT JOIN attempts a ON a.id = (SELECT max(x.id) FROM attempts x "
        "                                WHERE x.sitting_id = c.sitting_id AND x.worker_id = c.worker_id) "
        "WHERE (?1 IS NULL AND s.state IN ('open', 'paused')) OR s.id = ?1 "
        "ORDER BY c.sitting_id, c.added_at, c.worker_id");
    if (!st) return propagate(st);
    st->bindAll(sittingId);
    struct Row {
        ProctorLine line;
        std::optional<std::int64_t> startedAt, seenAt, leftAt, lastEventAt, lastAnswerAt, submittedAt;
        std::int64_t durationSeconds{0}, graceSeconds{0};
    };
    std::vector<Row> rows;
    if (auto done = st->forEachRow([&](Statement& rec) {
        Row row;
        auto& l = row.line;
        l.sittingId = rec.int64(0);
        l.sittingTitle = rec.text(1);
        l.workerId = rec.int64(2);
        l.name = rec.text(3);
        l.extraSeconds = rec.int64(4);
        l.attemptId = rec.optInt64(5);
        l.attemptNo = static_cast<int>(rec.optInt64(6).value_or(0));
        l.score = rec.optReal(7);
        if (auto p = rec.optInt64(8)) l.passed = *p != 0;
        row.startedAt = rec.optInt64(9);
        row.seenAt = rec.optInt64(10);
        l.terminal = rec.optText(11).value_or("");
        row.leftAt = rec.optInt64(12);
        row.lastEventAt = rec.optInt64(13);
        row.lastAnswerAt = rec.optInt64(14);
        l.current = static_cast<int>(rec.optInt64(15).value_or(0));
        row.submittedAt = rec.optInt64(16);
        row.durationSeconds = rec.optInt64(17).value_or(0);
        row.graceSeconds = rec.int64(18);
        l.items = static_cast<int>(rec.int64(19));
        l.answered = static_cast<int>(rec.int64(20));
        l.flagged = static_cast<int>(rec.int64(21));
        rows.push_back(std::move(row));
    }); !done)
        return propagate(done);
    st->reset();

    const auto now = m_store.now();
    std::unordered_map<std::int64_t, std::vector<exam::PauseInterval>> pausesOf;
    // The attempt's clock without its paper: the engine's own rules for time left, pauses and the deadline.
    exam::Paper timingPaper;
    timingPaper.items.resize(1);
    std::vector<ProctorLine> out;
    out.reserve(rows.size());
    for (auto& row : rows) {
        auto& l = row.line;
        if (!l.attemptId) {
            l.presence = Presence::NotStarted;
            out.push_back(std::move(l));
            continue;
        }
        auto ps = pausesOf.find(l.sittingId);
        if (ps == pausesOf.end()) {
            auto loaded = pauses(l.sittingId);
            if (!loaded) return propagate(loaded);
            ps = pausesOf.emplace(l.sittingId, std::move(*loaded)).first;
        }
        timingPaper.duration = std::chrono::seconds(row.durationSeconds);
        exam::AttemptTiming timing{exam::fromUnix(row.startedAt.value_or(0)), timingPaper.duration,
                                   std::chrono::seconds(l.extraSeconds), std::chrono::seconds(row.graceSeconds),
                                   ps->second};
        auto clock = exam::Attempt::restore(timingPaper, std::move(timing), {}, {});
        if (!clock) return std::unexpected(fromExam(clock.error()));
        bool submitted = row.submittedAt.has_value();
        if (!submitted && clock->update(exam::fromUnix(now))) {
            // Time ran out while nobody was looking: hand it in (graded from its paper) as loadAttempt does.
            auto a = loadAttempt(*l.attemptId);
            if (!a) return propagate(a);
            const auto g = a->attempt.grade();
            l.score = g.score;
            l.passed = g.passed;
            submitted = true;
        }
        l.remainingSeconds = std::max<std::int64_t>(0, clock->remaining(exam::fromUnix(now)).count());
        l.paused = clock->isPaused(exam::fromUnix(now));
        const auto contact = std::max({row.startedAt.value_or(0), row.seenAt.value_or(0), row.lastEventAt.value_or(0)});
        if (contact > 0) l.lastContactAgo = std::max<std::int64_t>(0, now - contact);
        if (row.lastAnswerAt) l.lastAnswerAgo = std::max<std::int64_t>(0, now - *row.lastAnswerAt);
        if (submitted) {
            l.presence = Presence::Submitted;
            l.remainingSeconds = 0;
        } else if (row.leftAt && row.lastEventAt.value_or(0) <= *row.leftAt) {
            l.presence = Presence::Left;
        } else {
            l.presence = l.lastContactAgo && *l.lastContactAgo <= kPresenceTimeoutSeconds ? Presence::AtScreen
                                                                                          : Presence::NoContact;
        }
        out.push_back(std::move(l));
    }
    return out;
}

Result<std::vector<std::int64_t>> ExamStore::attemptsOf(std::int64_t sittingId) {
    auto st = m_store.database().prepare("SELECT id FROM attempts WHERE sitting_id = ? ORDER BY id");
    if (!st) return propagate(st);
    return st->bindAll(sittingId).int64Rows();
}

Result<std::optional<std::pair<bool, double>>> ExamStore::latestResult(std::int64_t workerId, std::int64_t courseId) {
    auto st = m_store.database().prepare(
        "SELECT a.passed, a.score FROM attempts a JOIN sittings s ON s.id = a.sitting_id "
        "WHERE a.worker_id = ? AND s.course_id = ? AND a.submitted_at IS NOT NULL "
        "ORDER BY a.submitted_at DESC, a.id DESC LIMIT 1");
    if (!st) return propagate(st);
    st->bindAll(workerId, courseId);
    auto row = st->step();
    if (!row) return propagate(row);
    if (!*row) return std::optional<std::pair<bool, double>>{};
    return std::optional<std::pair<bool, double>>{std::pair{st->int64(0) != 0, st->real(1)}};
}

Result<exam::SittingStatistics> ExamStore::statistics(std::int64_t sittingId, std::vector<std::string>* itemIds) {
    auto s = sitting(sittingId);
    if (!s) return propagate(s);
    auto& db = m_store.database();
    auto scoringText = db.prepare("SELECT scoring FROM question_banks WHERE id = ?");
    if (!scoringText) return propagate(scoringText);
    scoringText->bindAll(s->bankId);
    if (auto row = scoringText->step(); !row) return propagate(row);
    const auto scoring = scoringText->text(0) == "proportional" ? exam::MultipleScoring::Proportional
                                                                : exam::MultipleScoring::AllOrNothing;
    scoringText->reset();

    // Every question version shown in the sitting's submitted attempts; items are merged by question id. (The
    // version is selected too: a DISTINCT query orders only by columns it selects.)
    auto versions = db.prepare("SELECT DISTINCT q.id, q.question_key, q.content, q.version FROM attempt_items ai "
                               "JOIN attempts a ON a.id = ai.attempt_id JOIN questions q ON q.id = ai.question_id "
                               "WHERE a.sitting_id = ? AND a.submitted_at IS NOT NULL ORDER BY q.question_key, q.version");
    if (!versions) return propagate(versions);
    versions->bindAll(sittingId);
    std::map<std::string, std::size_t> index;
    std::unordered_map<std::int64_t, std::pair<std::size_t, exam::Question>> byRow;
    std::vector<std::string> ids, modules;
    std::vector<int> optionCount;
    if (auto done = versions->forEachRow([&](Statement& rec) -> Result<void> {
        auto q = questionFromJson(rec.text(2));
        if (!q) return propagate(q);
        const auto key = rec.text(1);
        auto [it, added] = index.emplace(key, ids.size());
        if (added) {
            ids.push_back(key);
            modules.push_back(q->module);
            optionCount.push_back(static_cast<int>(q->options.size()));
        } else {
            optionCount[it->second] = std::max<int>(optionCount[it->second], static_cast<int>(q->options.size()));
        }
        byRow.emplace(rec.int64(0), std::pair{it->second, std::move(*q)});
        return {};
    }); !done)
        return propagate(done);
    const auto attempts = db.queryInt(fmt::format(
        "SELECT count(*) FROM attempts WHERE sitting_id = {} AND submitted_at IS NOT NULL", sittingId));
    if (!attempts) return propagate(attempts);
    exam::ResponseMatrix m(static_cast<std::size_t>(*attempts), ids.size());
    m.optionCount = optionCount;
    m.itemModule = modules;
    // One pass over all answers (rows of one attempt come together); credit is recomputed from the version shown.
    auto cells = db.prepare("SELECT ai.attempt_id, ai.question_id, ai.chosen FROM attempt_items ai "
                            "JOIN attempts a ON a.id = ai.attempt_id "
                            "WHERE a.sitting_id = ? AND a.submitted_at IS NOT NULL");
    if (!cells) return propagate(cells);
    cells->bindAll(sittingId);
    std::unordered_map<std::int64_t, std::size_t> rowOf;
    std::int64_t lastAttempt = -1;
    std::size_t row = 0;
    std::vector<int> chosen;
    if (auto done = cells->forEachRow([&](Statement& rec) -> Result<void> {
        const auto attemptId = rec.int64(0);
        if (attemptId != lastAttempt) {
            row = rowOf.try_emplace(attemptId, rowOf.size()).first->second;
            lastAttempt = attemptId;
        }
        if (row >= m.attemptCount) return fail(ErrorCode::Busy, "attempts were submitted while counting; retry");
        const auto& [item, question] = byRow.at(rec.int64(1));
        chosen.clear();
        std::uint32_t mask = 0;
        int value = -1;
        for (char c : rec.text(2)) {  // "[0,2]"
            if (c >= '0' && c <= '9') value = (value < 0 ? 0 : value * 10) + (c - '0');
            else if (value >= 0) {
                chosen.push_back(value);
                if (value < 32) mask |= 1u << value;
                value = -1;
            }
        }
        m.set(row, item, static_cast<float>(exam::scoreResponse(question, scoring, chosen)), mask);
        return {};
    }); !done)
        return propagate(done);
    if (itemIds) *itemIds = ids;
    return exam::computeStatistics(m, s->blueprint.passMark);
}

}  // namespace training
