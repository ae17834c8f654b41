// Many writers at once on one center database, each with a connection of its own, as the kiosks of an exam
// room are: attempts' answers, attendance and audit rows from 40 threads. Runs on SQLite (one file, 40
// connections) and, as training_tests_pg, on the PostgreSQL fixture. The audit chain must stay one chain,
// every row must be there and no error may reach a caller (busy waits are retried inside the store).
#include <gtest/gtest.h>
#include <fmt/format.h>

#include <mutex>
#include <thread>

#include "store_fixture.hpp"
#include "training/exam_store.hpp"

using namespace training;
using testsupport::StoreTest;

namespace {

constexpr int kWriters = 40;
constexpr int kItems = 10;
constexpr int kEventsEach = 3;

exam::Question single(const std::string& id, const std::string& module) {
    exam::Question q;
    q.id = id;
    q.module = module;
    q.difficulty = 1;
    q.type = exam::QuestionType::SingleChoice;
    q.stem = {"题目 " + id, "Question " + id};
    for (int i = 0; i < 4; ++i)
        q.options.push_back({{"选项" + std::to_string(i), "option " + std::to_string(i)}, i == 0 ? 100.0 : 0.0, {}});
    return q;
}

}  // namespace

class ConcurrentWriters : public StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        ExamStore exams(*m_store);
        std::vector<exam::Question> qs;
        for (const char* module : {"ethics", "safety", "appliance"})
            for (int i = 0; i < 6; ++i) qs.push_back(single(std::string(module) + "-" + std::to_string(i), module));
        ASSERT_TRUE(exams.importQuestions("b1", {"题库", "Bank"}, exam::MultipleScoring::AllOrNothing, qs, "t"));
        const auto course = m_store->course("badge");
        ASSERT_TRUE(course);
        SittingInput in;
        in.courseId = course->id;
        in.bankCode = "b1";
        in.title = "考试";
        in.blueprint.sections = {{"ethics", 4, std::nullopt}, {"safety", 3, std::nullopt},
                                 {"appliance", 3, std::nullopt}};
        in.blueprint.duration = std::chrono::minutes(60);
        in.requireAttendance = false;
        auto s = exams.createSitting(in, "trainer");
        ASSERT_TRUE(s) << s.error().message;
        m_sitting = s->id;
        auto trainer = m_store->addStaff("张老师", Role::Trainer, "482916", "t");
        ASSERT_TRUE(trainer);
        auto session = m_store->addSession(course->id, "ethics", trainer->id, "201", testsupport::kNoon - 600,
                                           testsupport::kNoon + 7200, "t");
        ASSERT_TRUE(session) << session.error().message;
        m_session = session->id;
        for (int i = 0; i < kWriters; ++i) {
            const auto w = addWorker(fmt::format("31010119780312{:03}", 100 + i), fmt::format("工人{}", i)).id;
            ASSERT_NE(w, 0);
            m_workers.push_back(w);
            ASSERT_TRUE(exams.addCandidate(m_sitting, w, "trainer"));
            ASSERT_TRUE(m_store->addToRoster(m_session, w, "trainer"));
        }
        ASSERT_TRUE(exams.openSitting(m_sitting, "trainer"));
    }

    /// What one kiosk does: start, answer every item (and change one answer), check in, note events, hand in.
    void kiosk(int index, std::vector<std::string>& errors, std::mutex& guard) {
        const auto note = [&](std::string_view step, const Error& e) {
            std::lock_guard lock(guard);
            errors.push_back(fmt::format("kiosk {} {}: {} ({})", index, step, e.message, errorCodeName(e.code)));
        };
        auto store = Store::open(dbPath(), {.create = false}, m_clock);
        if (!store) return note("open", store.error());
        ExamStore exams(**store);
        const auto worker = m_workers[static_cast<std::size_t>(index)];
        const auto terminal = fmt::format("K{:02}", index);
        auto a = exams.startAttempt(m_sitting, worker, "kiosk:" + terminal);
        if (!a) return note("start", a.error());
        for (int i = 0; i < a->attempt.itemCount(); ++i)
            if (auto r = exams.answer(*a, i, {(i + index) % 4}); !r) note("answer", r.error());
        if (auto r = exams.answer(*a, 0, {0}); !r) note("answer again", r.error());
        if (auto r = exams.flag(*a, 1, true); !r) note("flag", r.error());
        if (auto r = exams.reportPresence(a->id, true, terminal); !r) note("presence", r.error());
        if (auto r = (*store)->checkIn(m_session, worker, AttendanceMethod::Card, std::nullopt, "kiosk:" + terminal);
            !r)
            note("check-in", r.error());
        for (int k = 0; k < kEventsEach; ++k)
            if (auto r = (*store)->recordEvent("kiosk:" + terminal, "test.event", fmt::format("worker:{}", worker),
                                               fmt::format(R"({{"n":{}}})", k));
                !r)
                note("event", r.error());
        if (auto r = exams.submit(*a); !r) note("submit", r.error());
    }

    std::int64_t count(const std::string& sql) {
        auto n = m_store->database().queryInt(sql);
        EXPECT_TRUE(n) << sql << ": " << n.error().message;
        return n.value_or(-1);
    }

    std::int64_t m_sitting{0}, m_session{0};
    std::vector<std::int64_t> m_workers;
};

TEST_F(ConcurrentWriters, FortyKiosksWriteAtOnceAndTheAuditChainStaysOne) {
    ASSERT_EQ(m_workers.size(), static_cast<std::size_t>(kWriters));
    const auto auditBefore = count("SELECT count(*) FROM audit_log");
    std::vector<std::string> errors;
    std::mutex guard;
    {
        std::vector<std::jthread> kiosks;
        for (int i = 0; i < kWriters; ++i) kiosks.emplace_back([&, i] { kiosk(i, errors, guard); });
    }
    EXPECT_TRUE(errors.empty()) << errors.size() << " errors reached a caller, the first: " << errors.front();

    auto chain = m_store->verifyAudit();
    ASSERT_TRUE(chain) << chain.error().message;
    EXPECT_TRUE(chain->intact) << "row " << chain->firstBadRow.value_or(0) << ": " << chain->problem;
    // attempt.start, attendance, kEventsEach events and attempt.submit per kiosk, each exactly once.
    const auto auditRows = count("SELECT count(*) FROM audit_log") - auditBefore;
    EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'test.event'"), kWriters * kEventsEach);
    EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'attempt.start'"), kWriters);
    EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'attempt.submit'"), kWriters);
    EXPECT_GE(auditRows, kWriters * (kEventsEach + 2));
    EXPECT_EQ(chain->rowsChecked, count("SELECT count(*) FROM audit_log"));
    EXPECT_EQ(count("SELECT count(DISTINCT prev_hash) FROM audit_log"), count("SELECT count(*) FROM audit_log"))
        << "no two rows hang on the same link";

    EXPECT_EQ(count(fmt::format("SELECT count(*) FROM attempts WHERE sitting_id = {} AND submitted_at IS NOT NULL",
                                m_sitting)),
              kWriters);
    EXPECT_EQ(count("SELECT count(*) FROM attempt_items WHERE chosen <> '[]'"), kWriters * kItems)
        << "every answer of every kiosk was stored";
    EXPECT_EQ(count("SELECT count(*) FROM attempt_items WHERE flagged <> 0"), kWriters);
    EXPECT_EQ(count("SELECT count(*) FROM attempt_events WHERE kind = 'answered'"), kWriters * (kItems + 1));
    EXPECT_EQ(count(fmt::format("SELECT count(*) FROM attendance WHERE session_id = {}", m_session)), kWriters);

    // The board (SQL aggregates) sees what each kiosk stored.
    ExamStore exams(*m_store);
    auto board = exams.proctorBoard(m_sitting);
    ASSERT_TRUE(board) << board.error().message;
    ASSERT_EQ(board->size(), static_cast<std::size_t>(kWriters));
    for (const auto& line : *board) {
        EXPECT_EQ(line.presence, Presence::Submitted) << line.name;
        EXPECT_EQ(line.answered, kItems) << line.name;
        EXPECT_EQ(line.flagged, 1) << line.name;
    }
}

TEST_F(ConcurrentWriters, AnAnswerDoesNotWaitForTheDatabaseWriteLockOnPostgres) {
    auto kioskStore = Store::open(dbPath(), {.create = false, .busyTimeoutMs = 100}, m_clock);
    ASSERT_TRUE(kioskStore) << kioskStore.error().message;
    ExamStore exams(**kioskStore);
    auto a = exams.startAttempt(m_sitting, m_workers[0], "kiosk:K01");
    ASSERT_TRUE(a) << a.error().message;
    // Another program is in the middle of a unit of work that holds the database's write lock.
    auto held = m_store->database().transaction();
    ASSERT_TRUE(held) << held.error().message;
    auto saved = exams.answer(*a, 0, {1});
    if (testsupport::onPostgres()) {
        EXPECT_TRUE(saved) << "an answer writes only its attempt's rows and takes only their locks: "
                           << saved.error().message;
    } else {
        ASSERT_FALSE(saved) << "SQLite has one writer at a time";
        EXPECT_EQ(saved.error().code, ErrorCode::Busy) << saved.error().message;
    }
    ASSERT_TRUE(held->commit());
    auto again = exams.answer(*a, 0, {2});
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(count(fmt::format("SELECT count(*) FROM attempt_items WHERE attempt_id = {} AND chosen = '[2]'", a->id)),
              1);
}
