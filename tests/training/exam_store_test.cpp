#include <gtest/gtest.h>

#include <fmt/format.h>

#include <chrono>
#include <future>
#include <map>
#include <thread>
#include <nlohmann/json.hpp>

#include "store_fixture.hpp"
#include "training/exam_store.hpp"
#include "training/schema.hpp"

using namespace training;
using testsupport::StoreTest;

namespace {

exam::Question single(const std::string& id, const std::string& module, int difficulty, int correct = 0) {
    exam::Question q;
    q.id = id;
    q.module = module;
    q.difficulty = difficulty;
    q.type = exam::QuestionType::SingleChoice;
    q.stem = {"题目 " + id, "Question " + id};
    for (int i = 0; i < 4; ++i)
        q.options.push_back({{"选项" + std::to_string(i), "option " + std::to_string(i)}, i == correct ? 100.0 : 0.0, {}});
    return q;
}

/// SQL that undoes the migrations after @p version, so that a test database looks like one written by that
/// version (SQLite 3.35+ drops columns).
std::string undoMigrationsAfter(int version) {
    std::string sql;
    if (version < 10) sql += "DROP INDEX audit_log_subject; ";
    if (version < 9) sql += "DROP TABLE former_keys; ";
    // Version 8 (PostgreSQL only): the kiosks' views depend on the columns dropped below.
    if (version < 8 && testsupport::onPostgres()) sql += "DROP SCHEMA kiosk_api CASCADE; DROP TABLE kiosk_claims; ";
    if (version < 7)
        sql += "ALTER TABLE course_modules DROP COLUMN name_en; ALTER TABLE course_modules DROP COLUMN name_zh; ";
    if (version < 6)
        sql += "ALTER TABLE attempts DROP COLUMN submitted_by; ALTER TABLE sitting_candidates DROP COLUMN admitted_at; "
               "ALTER TABLE sitting_candidates DROP COLUMN admitted_by; ALTER TABLE sittings DROP COLUMN require_attendance; ";
    if (version < 5) sql += "ALTER TABLE questions DROP COLUMN concept; ";
    if (version < 4)
        sql += "ALTER TABLE attempts DROP COLUMN seen_at; ALTER TABLE attempts DROP COLUMN seen_from; "
               "ALTER TABLE attempts DROP COLUMN left_at; ";
    if (testsupport::onPostgres()) return sql + "UPDATE kiosk_meta SET user_version = " + std::to_string(version);
    return sql + "PRAGMA user_version = " + std::to_string(version);
}

}  // namespace

class ExamStoreTest : public StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        m_exams = std::make_unique<ExamStore>(*m_store);
        std::vector<exam::Question> qs;
        for (const char* module : {"ethics", "safety", "appliance"})
            for (int i = 0; i < 6; ++i) qs.push_back(single(std::string(module) + "-" + std::to_string(i), module, 1 + i % 3, i % 4));
        auto counts = m_exams->importQuestions("b1", {"题库", "Bank"}, exam::MultipleScoring::AllOrNothing, qs, "t");
        ASSERT_TRUE(counts) << counts.error().message;
        ASSERT_EQ(counts->added, 18);
        m_worker = addWorker("31010119780312002", "王秀英").id;
        m_other = addWorker("34010219850721104", "李娟").id;
        SittingInput in;
        in.courseId = m_store->course("badge")->id;
        in.bankCode = "b1";
        in.title = "考试";
        in.blueprint.sections = {{"ethics", 2, std::nullopt}, {"safety", 2, std::nullopt}, {"appliance", 1, std::nullopt}};
        in.blueprint.duration = std::chrono::minutes(20);
        in.graceSeconds = 30;
        in.requireAttendance = false;  // these tests are about attempts; the attendance rule has its own below
        auto s = m_exams->createSitting(in, "trainer");
        ASSERT_TRUE(s) << s.error().message;
        m_sitting = s->id;
        ASSERT_TRUE(m_exams->addCandidate(m_sitting, m_worker, "trainer"));
    }
    void reopen() {
        m_exams.reset();
        m_store.reset();
        auto s = Store::open(dbPath(), {.create = false}, m_clock);
        ASSERT_TRUE(s) << s.error().message;
        m_store = std::move(*s);
        m_exams = std::make_unique<ExamStore>(*m_store);
    }
    // Answers every item with its right option (or a wrong one for the first `wrong` items).
    void answerAll(StoredAttempt& a, int wrong) {
        for (int i = 0; i < a.attempt.itemCount(); ++i) {
            const auto& q = a.attempt.paper().items[static_cast<std::size_t>(i)].question;
            int right = 0;
            for (std::size_t o = 0; o < q.options.size(); ++o)
                if (q.isCorrect(o)) right = static_cast<int>(o);
            ASSERT_TRUE(m_exams->answer(a, i, {i < wrong ? (right + 1) % 4 : right}));
        }
    }
    std::unique_ptr<ExamStore> m_exams;
    std::int64_t m_worker{0}, m_other{0}, m_sitting{0};
};

TEST_F(ExamStoreTest, ImportingAgainVersionsOnlyChangedQuestions) {
    std::vector<exam::Question> again{single("ethics-0", "ethics", 1, 0), single("ethics-1", "ethics", 2, 1)};
    again[1].stem.zh = "改过的题目";
    auto counts = m_exams->importQuestions("b1", {}, exam::MultipleScoring::AllOrNothing, again, "t");
    ASSERT_TRUE(counts) << counts.error().message;
    EXPECT_EQ(counts->unchanged, 1);
    EXPECT_EQ(counts->revised, 1);
    auto bank = m_exams->bank("b1");
    ASSERT_TRUE(bank);
    EXPECT_EQ(bank->questions.size(), 18u);
    const auto* q = bank->find("ethics-1");
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(q->version, 2);
    EXPECT_EQ(q->stem.zh, "改过的题目");
    auto list = m_exams->listBanks();
    ASSERT_TRUE(list);
    EXPECT_EQ(list->front().perModule.at("safety"), 6);
}

TEST_F(ExamStoreTest, BlueprintShortfallNamesTheModule) {
    SittingInput in;
    in.courseId = m_store->course("badge")->id;
    in.bankCode = "b1";
    in.title = "too big";
    in.blueprint.sections = {{"safety", 9, std::nullopt}};
    auto s = m_exams->createSitting(in, "t");
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("safety"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("3"), std::string::npos) << s.error().message;
}

TEST_F(ExamStoreTest, SittingStateMachine) {
    EXPECT_FALSE(m_exams->startAttempt(m_sitting, m_worker, "kiosk")) << "not open yet";
    EXPECT_FALSE(m_exams->pauseSitting(m_sitting, "t"));
    ASSERT_TRUE(m_exams->openSitting(m_sitting, "t"));
    EXPECT_FALSE(m_exams->openSitting(m_sitting, "t"));
    ASSERT_TRUE(m_exams->pauseSitting(m_sitting, "t"));
    auto paused = m_exams->startAttempt(m_sitting, m_worker, "kiosk");
    ASSERT_FALSE(paused);
    EXPECT_NE(paused.error().message.find("paused"), std::string::npos);
    ASSERT_TRUE(m_exams->resumeSitting(m_sitting, "t"));
    auto notCandidate = m_exams->startAttempt(m_sitting, m_other, "kiosk");
    ASSERT_FALSE(notCandidate);
    EXPECT_EQ(notCandidate.error().code, ErrorCode::Refused);
    ASSERT_TRUE(m_exams->closeSitting(m_sitting, "t"));
    EXPECT_FALSE(m_exams->resumeSitting(m_sitting, "t"));
    EXPECT_FALSE(m_exams->addCandidate(m_sitting, m_other, "t"));
}

TEST_F(ExamStoreTest, AnswersSurviveARestartWithTheSamePaper) {
    ASSERT_TRUE(m_exams->openSitting(m_sitting, "t"));
    auto a = m_exams->startAttempt(m_sitting, m_worker, "kiosk");
    ASSERT_TRUE(a) << a.error().message;
    ASSERT_EQ(a->attempt.itemCount(), 5);
    ASSERT_TRUE(m_exams->answer(*a, 0, {a->attempt.paper().items[0].optionOrder[2]}));
    ASSERT_TRUE(m_exams->answer(*a, 3, {1}));
    ASSERT_TRUE(m_exams->flag(*a, 4, true));
    ASSERT_TRUE(m_exams->goTo(*a, 3));
    const auto paperBefore = a->attempt.paper();
    const auto responsesBefore = a->attempt.responses();
    m_clock->advance(300);  // the kiosk is down for five minutes
    reopen();
    auto resumed = m_exams->startAttempt(m_sitting, m_worker, "kiosk");  // resumes, does not start a new one
    ASSERT_TRUE(resumed) << resumed.error().message;
    EXPECT_EQ(resumed->id, a->id);
    EXPECT_EQ(resumed->attempt.paper().seed, paperBefore.seed);
    ASSERT_EQ(resumed->attempt.itemCount(), 5);
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(resumed->attempt.paper().items[static_cast<std::size_t>(i)].question,
                  paperBefore.items[static_cast<std::size_t>(i)].question);
        EXPECT_EQ(resumed->attempt.paper().items[static_cast<std::size_t>(i)].optionOrder,
                  paperBefore.items[static_cast<std::size_t>(i)].optionOrder);
        EXPECT_EQ(resumed->attempt.response(i).chosen, responsesBefore[static_cast<std::size_t>(i)].chosen);
        EXPECT_EQ(resumed->attempt.response(i).flagged, responsesBefore[static_cast<std::size_t>(i)].flagged);
    }
    EXPECT_EQ(resumed->attempt.currentIndex(), 3);
    // The clock ran while the kiosk was down.
    EXPECT_EQ(resumed->attempt.remaining(exam::fromUnix(m_store->now())).count(), 20 * 60 - 300);
}

TEST_F(ExamStoreTest, PausedTimeDoesNotCountAndExtraTimeDoes) {
    ASSERT_TRUE(m_exams->setExtraTime(m_sitting, m_worker, 600, "t"));
    ASSERT_TRUE(m_exams->openSitting(m_sitting, "t"));
    auto a = m_exams->startAttempt(m_sitting, m_worker, "kiosk");
    ASSERT_TRUE(a);
    m_clock->advance(60);
    ASSERT_TRUE(m_exams->pauseSitting(m_sitting, "t"));
    m_clock->advance(900);
    reopen();
    auto during = m_exams->loadAttempt(a->id);
    ASSERT_TRUE(during);
    EXPECT_TRUE(during->attempt.isPaused(exam::fromUnix(m_store->now())));
    auto refused = m_exams->answer(*during, 0, {0});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::Refused);
    ASSERT_TRUE(m_exams->resumeSitting(m_sitting, "t"));
    m_clock->advance(40);
    auto after = m_exams->loadAttempt(a->id);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->attempt.remaining(exam::fromUnix(m_store->now())).count(), 30 * 60 - 100);
    EXPECT_TRUE(m_exams->answer(*after, 0, {0}));
}

TEST_F(ExamStoreTest, TimeRunningOutWhileDownSubmitsOnLoad) {
    ASSERT_TRUE(m_exams->openSitting(m_sitting, "t"));
    auto a = m_exams->startAttempt(m_sitting, m_worker, "kiosk");
    ASSERT_TRUE(a);
    answerAll(*a, 0);
    m_clock->advance(20 * 60 + 31);  // past the deadline and the 30 s grace
    reopen();
    auto loaded = m_exams->loadAttempt(a->id);
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(loaded->attempt.status(), exam::AttemptStatus::Submitted);
    EXPECT_EQ(loaded->attempt.submitReason(), exam::SubmitReason::Deadline);
    auto result = m_exams->latestResult(m_worker, m_store->course("badge")->id);
    ASSERT_TRUE(result && *result);
    EXPECT_TRUE((*result)->first);
    EXPECT_DOUBLE_EQ((*result)->second, 100.0);
}

TEST_F(ExamStoreTest, AnswerDuringGraceIsKeptAfterItIsRefused) {
    ASSERT_TRUE(m_exams->openSitting(m_sitting, "t"));
    auto a = m_exams->startAttempt(m_sitting, m_worker, "kiosk");
    ASSERT_TRUE(a);
    m_clock->advance(20 * 60 + 10);
    EXPECT_TRUE(m_exams->answer(*a, 0, {0})) << "still inside the grace";
    m_clock->advance(30);
    auto late = m_exams->answer(*a, 1, {0});
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, ErrorCode::Refused);
    reopen();
    auto loaded = m_exams->loadAttempt(a->id);
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->attempt.status(), exam::AttemptStatus::Submitted);
    EXPECT_EQ(loaded->attempt.response(0).chosen, std::vector<int>{0});
    EXPECT_TRUE(loaded->attempt.response(1).chosen.empty());
}

TEST_F(ExamStoreTest, PassFailAndRetakeAvoidsSeenQuestions) {
    ASSERT_TRUE(m_exams->openSitting(m_sitting, "t"));
    auto first = m_exams->startAttempt(m_sitting, m_worker, "kiosk");
    ASSERT_TRUE(first);
    answerAll(*first, 2);  // 3 of 5 = 60 < 80
    ASSERT_TRUE(m_exams->submit(*first));
    EXPECT_FALSE(first->attempt.grade().passed);
    EXPECT_FALSE(m_exams->answer(*first, 0, {0})) << "submitted attempts do not change";
    auto second = m_exams->startAttempt(m_sitting, m_worker, "kiosk");
    ASSERT_TRUE(second);
    EXPECT_NE(second->id, first->id);
    EXPECT_EQ(second->attemptNo, 2);
    std::set<std::string> seen;
    for (const auto& item : first->attempt.paper().items) seen.insert(item.question.id);
    for (const auto& item : second->attempt.paper().items)
        EXPECT_FALSE(seen.contains(item.question.id)) << item.question.id << " was seen in attempt 1";
    answerAll(*second, 0);
    ASSERT_TRUE(m_exams->submit(*second));
    auto result = m_exams->latestResult(m_worker, m_store->course("badge")->id);
    ASSERT_TRUE(result && *result);
    EXPECT_TRUE((*result)->first);
}

TEST_F(ExamStoreTest, ClosingSubmitsRunningAttemptsAndStatisticsFollow) {
    ASSERT_TRUE(m_exams->addCandidate(m_sitting, m_other, "t"));
    ASSERT_TRUE(m_exams->openSitting(m_sitting, "t"));
    auto a = m_exams->startAttempt(m_sitting, m_worker, "kiosk");
    auto b = m_exams->startAttempt(m_sitting, m_other, "kiosk");
    ASSERT_TRUE(a && b);
    answerAll(*a, 0);
    answerAll(*b, 5);
    ASSERT_TRUE(m_exams->closeSitting(m_sitting, "t"));
    auto la = m_exams->loadAttempt(a->id);
    ASSERT_TRUE(la);
    EXPECT_EQ(la->attempt.submitReason(), exam::SubmitReason::Proctor);
    std::vector<std::string> ids;
    auto stats = m_exams->statistics(m_sitting, &ids);
    ASSERT_TRUE(stats) << stats.error().message;
    EXPECT_EQ(stats->attempts, 2);
    EXPECT_DOUBLE_EQ(stats->mean, 50.0);
    EXPECT_GE(ids.size(), 5u);
}

TEST_F(ExamStoreTest, AttemptRowsPointAtTheVersionShown) {
    ASSERT_TRUE(m_exams->openSitting(m_sitting, "t"));
    auto a = m_exams->startAttempt(m_sitting, m_worker, "kiosk");
    ASSERT_TRUE(a);
    // Edit every question after the paper was drawn: the attempt keeps what it showed.
    auto bank = m_exams->bank("b1");
    ASSERT_TRUE(bank);
    auto edited = bank->questions;
    for (auto& q : edited) q.stem.zh += "（修订）";
    ASSERT_TRUE(m_exams->importQuestions("b1", {}, exam::MultipleScoring::AllOrNothing, edited, "t"));
    reopen();
    auto loaded = m_exams->loadAttempt(a->id);
    ASSERT_TRUE(loaded);
    for (const auto& item : loaded->attempt.paper().items) {
        EXPECT_EQ(item.question.version, 1);
        EXPECT_EQ(item.question.stem.zh.find("修订"), std::string::npos);
    }
}

// The proctor board: every candidate with where they are, from the exam screen's reports.
TEST_F(ExamStoreTest, ProctorBoardTellsAtScreenLeftNoContactAndSubmitted) {
    const auto third = addWorker("44030519900101003", "陈丽").id;
    ASSERT_TRUE(m_exams->addCandidate(m_sitting, m_other, "t"));
    ASSERT_TRUE(m_exams->addCandidate(m_sitting, third, "t"));
    ASSERT_TRUE(m_exams->openSitting(m_sitting, "t"));
    {
        auto board = m_exams->proctorBoard();
        ASSERT_TRUE(board) << board.error().message;
        ASSERT_EQ(board->size(), 3u) << "candidates without an attempt are on the board too";
        for (const auto& l : *board) {
            EXPECT_EQ(l.presence, Presence::NotStarted) << l.name;
            EXPECT_FALSE(l.attemptId);
        }
        EXPECT_EQ((*board)[0].name, "王秀英") << "roster order";
    }
    auto a = m_exams->startAttempt(m_sitting, m_worker, "kiosk:K01");
    auto b = m_exams->startAttempt(m_sitting, m_other, "kiosk:K02");
    auto c = m_exams->startAttempt(m_sitting, third, "kiosk:K03");
    ASSERT_TRUE(a && b && c);
    ASSERT_TRUE(m_exams->reportPresence(a->id, true, "K01"));
    ASSERT_TRUE(m_exams->reportPresence(b->id, true, "K02"));
    ASSERT_TRUE(m_exams->reportPresence(c->id, true, "K03"));
    ASSERT_TRUE(m_exams->answer(*a, 0, {0}));
    ASSERT_TRUE(m_exams->flag(*a, 1, true));
    ASSERT_TRUE(m_exams->goTo(*a, 2));
    m_clock->advance(25);
    ASSERT_TRUE(m_exams->reportPresence(a->id, true, "K01"));  // K01 keeps reporting
    ASSERT_TRUE(m_exams->reportPresence(b->id, false, "K02"));  // the worker at K02 logged out
    // K03 went quiet (its kiosk was switched off).
    m_clock->advance(kPresenceTimeoutSeconds - 20);
    auto board = m_exams->proctorBoard(m_sitting);
    ASSERT_TRUE(board) << board.error().message;
    ASSERT_EQ(board->size(), 3u);
    const auto& la = (*board)[0];
    EXPECT_EQ(la.presence, Presence::AtScreen);
    EXPECT_EQ(la.terminal, "K01");
    EXPECT_EQ(la.lastContactAgo, 10);
    EXPECT_EQ(la.lastAnswerAgo, 35);
    EXPECT_EQ(la.current, 2);
    EXPECT_EQ(la.items, 5);
    EXPECT_EQ(la.answered, 1);
    EXPECT_EQ(la.flagged, 1);
    EXPECT_EQ(la.remainingSeconds, 20 * 60 - 35);
    EXPECT_EQ((*board)[1].presence, Presence::Left);
    EXPECT_EQ((*board)[1].terminal, "K02");
    EXPECT_FALSE((*board)[1].lastAnswerAgo);
    EXPECT_EQ((*board)[2].presence, Presence::NoContact) << "nothing heard for 35 s";
    EXPECT_EQ((*board)[2].lastContactAgo, 35);

    // Signing in again at another kiosk brings the candidate back; handing in ends the reports.
    ASSERT_TRUE(m_exams->reportPresence(c->id, true, "K04"));
    ASSERT_TRUE(m_exams->submit(*b));
    EXPECT_TRUE(m_exams->reportPresence(b->id, true, "K02")) << "a late report of a handed-in attempt is ignored";
    board = m_exams->proctorBoard(m_sitting);
    ASSERT_TRUE(board);
    EXPECT_EQ((*board)[1].presence, Presence::Submitted);
    ASSERT_TRUE((*board)[1].score);
    EXPECT_EQ((*board)[1].passed, false);
    EXPECT_EQ((*board)[2].presence, Presence::AtScreen);
    EXPECT_EQ((*board)[2].terminal, "K04");

    // Time running out while nobody looks: the board hands the attempt in on the way.
    m_clock->advance(20 * 60 + 31);
    board = m_exams->proctorBoard(m_sitting);
    ASSERT_TRUE(board);
    for (const auto& l : *board) EXPECT_EQ(l.presence, Presence::Submitted) << l.name;
    auto la2 = m_exams->loadAttempt(a->id);
    ASSERT_TRUE(la2);
    EXPECT_EQ(la2->attempt.submitReason(), exam::SubmitReason::Deadline);
}

TEST_F(ExamStoreTest, ProctorBoardOfClosedAndUnknownSittings) {
    ASSERT_TRUE(m_exams->openSitting(m_sitting, "t"));
    ASSERT_TRUE(m_exams->closeSitting(m_sitting, "t"));
    auto open = m_exams->proctorBoard();
    ASSERT_TRUE(open);
    EXPECT_TRUE(open->empty()) << "without a sitting, only open and paused ones are shown";
    auto closed = m_exams->proctorBoard(m_sitting);
    ASSERT_TRUE(closed);
    ASSERT_EQ(closed->size(), 1u) << "a named sitting is shown whatever its state";
    auto none = m_exams->proctorBoard(999);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::NotFound);
    auto bad = m_exams->reportPresence(999, true, "K01");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::NotFound);
}

TEST_F(ExamStoreTest, ProctorBoardOf200CandidatesAgreesWithTheirPapers) {
    // The board counts progress in SQL; each line must say what the attempt loaded from its paper says.
    SittingInput in;
    in.courseId = m_store->course("badge")->id;
    in.bankCode = "b1";
    in.title = "大考场";
    in.seats = 200;
    in.blueprint.sections = {{"ethics", 2, std::nullopt}, {"safety", 2, std::nullopt}, {"appliance", 1, std::nullopt}};
    in.blueprint.duration = std::chrono::minutes(20);
    in.graceSeconds = 30;
    in.requireAttendance = false;
    auto big = m_exams->createSitting(in, "trainer");
    ASSERT_TRUE(big) << big.error().message;
    m_sitting = big->id;
    std::vector<std::int64_t> workers;
    for (int i = 0; i < 200; ++i) {
        const auto w = i == 0 ? m_worker : addWorker(fmt::format("44030519900101{:03}", i), fmt::format("候选人{}", i)).id;
        ASSERT_NE(w, 0);
        auto added = m_exams->addCandidate(m_sitting, w, "t");
        ASSERT_TRUE(added) << added.error().message;
        workers.push_back(w);
    }
    ASSERT_TRUE(m_exams->openSitting(m_sitting, "t"));
    ASSERT_TRUE(m_exams->setExtraTime(m_sitting, workers[7], 300, "t"));
    for (std::size_t i = 0; i < workers.size(); ++i) {
        if (i % 10 == 9) continue;  // some have not started
        auto a = m_exams->startAttempt(m_sitting, workers[i], "kiosk:K01");
        ASSERT_TRUE(a) << a.error().message;
        for (int item = 0; item < static_cast<int>(i % 6) && item < a->attempt.itemCount(); ++item)
            ASSERT_TRUE(m_exams->answer(*a, item, {static_cast<int>(i) % 4}));
        if (i % 4 == 0) {
            ASSERT_TRUE(m_exams->flag(*a, 4, true));
        }
        if (i % 3 == 0) {
            ASSERT_TRUE(m_exams->goTo(*a, 3));
        }
        if (i % 5 == 0) {
            ASSERT_TRUE(m_exams->clearAnswer(*a, 0));
        }
        if (i % 8 == 0) {
            ASSERT_TRUE(m_exams->submit(*a));
        }
        m_clock->advance(1);
    }
    ASSERT_TRUE(m_exams->pauseSitting(m_sitting, "t"));
    m_clock->advance(60);
    ASSERT_TRUE(m_exams->resumeSitting(m_sitting, "t"));
    m_clock->advance(90);
    auto board = m_exams->proctorBoard(m_sitting);
    ASSERT_TRUE(board) << board.error().message;
    ASSERT_EQ(board->size(), 200u);
    const auto now = exam::fromUnix(m_clock->now());
    int started = 0, submitted = 0;
    for (const auto& l : *board) {
        SCOPED_TRACE(l.name);
        if (!l.attemptId) {
            EXPECT_EQ(l.presence, Presence::NotStarted);
            continue;
        }
        ++started;
        auto a = m_exams->loadAttempt(*l.attemptId);
        ASSERT_TRUE(a) << a.error().message;
        const auto& at = a->attempt;
        EXPECT_EQ(l.items, at.itemCount());
        EXPECT_EQ(l.answered, at.answeredCount());
        EXPECT_EQ(l.flagged, static_cast<int>(at.flaggedItems().size()));
        EXPECT_EQ(l.current, at.currentIndex());
        EXPECT_EQ(l.paused, at.isPaused(now));
        if (at.status() == exam::AttemptStatus::Submitted) {
            ++submitted;
            EXPECT_EQ(l.presence, Presence::Submitted);
            EXPECT_EQ(l.remainingSeconds, 0);
            ASSERT_TRUE(l.score);
            EXPECT_DOUBLE_EQ(*l.score, at.grade().score);
        } else {
            EXPECT_EQ(l.remainingSeconds, at.remaining(now).count());
        }
    }
    EXPECT_EQ(started, 180);
    EXPECT_EQ(submitted, 25);
    EXPECT_EQ((*board)[7].remainingSeconds, 20 * 60 + 300 - (180 - 7 + 90)) << "extra time, the pause not counted";
}

TEST_F(ExamStoreTest, AnAttemptInProgressSurvivesTheMigrationToPresence) {
    // An attempt started by a version 3 program, without presence columns: after the upgrade it is resumed
    // with its answers, and the board judges it by its last answer until the exam screen reports.
    ASSERT_TRUE(m_exams->openSitting(m_sitting, "t"));
    auto a = m_exams->startAttempt(m_sitting, m_worker, "kiosk");
    ASSERT_TRUE(a);
    ASSERT_TRUE(m_exams->answer(*a, 0, {1}));
    m_exams.reset();
    m_store.reset();
    {
        auto db = Database::open(dbPath(), {});
        ASSERT_TRUE(db);
        // Undo version 4 and later as a version 3 file would be.
        ASSERT_TRUE(db->exec(undoMigrationsAfter(3)));
    }
    reopen();
    EXPECT_EQ(m_store->schemaVersion(), currentSchemaVersion());
    auto board = m_exams->proctorBoard(m_sitting);
    ASSERT_TRUE(board) << board.error().message;
    ASSERT_EQ(board->size(), 1u);
    EXPECT_EQ((*board)[0].presence, Presence::AtScreen) << "the answer just now counts as contact";
    EXPECT_EQ((*board)[0].answered, 1);
    m_clock->advance(kPresenceTimeoutSeconds + 1);
    board = m_exams->proctorBoard(m_sitting);
    ASSERT_TRUE(board);
    EXPECT_EQ((*board)[0].presence, Presence::NoContact);
    auto resumed = m_exams->startAttempt(m_sitting, m_worker, "kiosk");
    ASSERT_TRUE(resumed);
    EXPECT_EQ(resumed->id, a->id);
    EXPECT_EQ(resumed->attempt.response(0).chosen, std::vector<int>{1});
}

TEST_F(ExamStoreTest, TheConceptIsStoredWithTheQuestionVersionAndSurvivesReopening) {
    auto tagged = single("ethics-0", "ethics", 1, 0);
    tagged.conceptTag = "privacy-of-the-home";
    auto counts = m_exams->importQuestions("b1", {}, exam::MultipleScoring::AllOrNothing, {tagged}, "t");
    ASSERT_TRUE(counts) << counts.error().message;
    EXPECT_EQ(counts->revised, 1) << "a new concept is a change of content: a new version";
    reopen();
    auto bank = m_exams->bank("b1");
    ASSERT_TRUE(bank);
    const auto* q = bank->find("ethics-0");
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(q->conceptTag, "privacy-of-the-home");
    EXPECT_EQ(q->version, 2);
    auto column = m_store->database().prepare(
        "SELECT version, concept FROM questions WHERE question_key = 'ethics-0' ORDER BY version");
    ASSERT_TRUE(column);
    std::vector<std::pair<std::int64_t, std::string>> rows;
    ASSERT_TRUE(column->forEachRow([&](Statement& st) { rows.emplace_back(st.int64(0), st.text(1)); }));
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].second, "") << "version 1 had no concept";
    EXPECT_EQ(rows[1].second, "privacy-of-the-home");

    auto bad = single("ethics-9", "ethics", 1, 0);
    bad.conceptTag = "Not A Tag";
    auto refused = m_exams->importQuestions("b1", {}, exam::MultipleScoring::AllOrNothing, {bad}, "t");
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("ethics-9"), std::string::npos) << refused.error().message;
}

TEST_F(ExamStoreTest, AVersion4DatabaseGetsTheConceptColumn) {
    m_exams.reset();
    m_store.reset();
    {
        auto db = Database::open(dbPath(), {});
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->exec(undoMigrationsAfter(4)));
    }
    reopen();
    EXPECT_EQ(m_store->schemaVersion(), currentSchemaVersion());
    auto bank = m_exams->bank("b1");
    ASSERT_TRUE(bank) << bank.error().message;
    EXPECT_EQ(bank->questions.size(), 18u);
    auto empty = m_store->database().queryInt("SELECT count(*) FROM questions WHERE concept = ''");
    ASSERT_TRUE(empty);
    EXPECT_EQ(*empty, 18);
}

TEST_F(ExamStoreTest, AVersion6DatabaseGetsTheModuleNamesAsCourseData) {
    m_exams.reset();
    m_store.reset();
    {
        auto db = Database::open(dbPath(), {});
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->exec(undoMigrationsAfter(6)));
    }
    reopen();
    EXPECT_EQ(m_store->schemaVersion(), currentSchemaVersion());
    auto course = m_store->course("badge");
    ASSERT_TRUE(course) << course.error().message;
    ASSERT_EQ(course->modules.size(), 7u);
    for (const auto& m : course->modules) {
        EXPECT_NE(m.nameZh, m.code) << "the names the older versions showed: " << m.code;
        EXPECT_NE(m.nameEn, m.code) << m.code;
    }
    EXPECT_EQ(course->modules[4].code, "appliance");
    EXPECT_EQ(course->modules[4].nameZh, "电器操作与安全");
    EXPECT_EQ(course->modules[4].nameEn, "Appliance operation and safety");
}

TEST_F(ExamStoreTest, ABlueprintAskingForAModuleTheCourseLacksIsRefused) {
    SittingInput in;
    in.courseId = m_store->course("badge")->id;
    in.bankCode = "b1";
    in.title = "考试";
    in.blueprint.sections = {{"ethics", 2, std::nullopt}, {"first-aid", 1, std::nullopt}};
    in.blueprint.duration = std::chrono::minutes(20);
    auto s = m_exams->createSitting(in, "trainer");
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("'first-aid'"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("homecare"), std::string::npos) << "lists the course's modules";
}

TEST_F(ExamStoreTest, ARetakeAvoidsTheConceptsOfEarlierAttempts) {
    // ethics-0..4 test one point in five wordings, ethics-5 another: after a first paper with one of the
    // five, the retake asks ethics-5, not the same point in other words.
    std::vector<exam::Question> tagged;
    for (int i = 0; i < 6; ++i) {
        auto q = single("ethics-" + std::to_string(i), "ethics", 1 + i % 3, i % 4);
        q.conceptTag = i < 5 ? "same-point" : "other-point";
        tagged.push_back(q);
    }
    ASSERT_TRUE(m_exams->importQuestions("b1", {}, exam::MultipleScoring::AllOrNothing, tagged, "t"));
    SittingInput in;
    in.courseId = m_store->course("badge")->id;
    in.bankCode = "b1";
    in.title = "重考";
    in.blueprint.sections = {{"ethics", 1, std::nullopt}};
    in.blueprint.duration = std::chrono::minutes(5);
    in.requireAttendance = false;
    auto s = m_exams->createSitting(in, "trainer");
    ASSERT_TRUE(s) << s.error().message;
    ASSERT_TRUE(m_exams->openSitting(s->id, "trainer"));
    int checked = 0;
    const char* numbers[] = {"11010519491231002", "44030119900101123", "31011519880808456", "32010219751111789"};
    for (const char* number : numbers) {
        const auto worker = addWorker(number, "考生").id;
        ASSERT_TRUE(m_exams->addCandidate(s->id, worker, "trainer"));
        auto first = m_exams->startAttempt(s->id, worker, "kiosk");
        ASSERT_TRUE(first) << first.error().message;
        const auto firstId = first->attempt.paper().items[0].question.id;
        ASSERT_TRUE(m_exams->submit(*first));
        auto retake = m_exams->previewPaper(s->id, worker);
        ASSERT_TRUE(retake) << retake.error().message;
        if (firstId == "ethics-5") continue;
        ++checked;
        EXPECT_EQ(retake->items[0].question.id, "ethics-5") << "first paper asked " << firstId;
    }
    EXPECT_GT(checked, 0);
}

TEST_F(ExamStoreTest, ImportingIntoABankWithAnotherScoringModeIsRefused) {
    // b1 is all-or-nothing: a proportional file must not silently take its mode (nor change it).
    std::vector<exam::Question> more{single("legal-0", "legal", 1, 0)};
    auto refused = m_exams->importQuestions("b1", {}, exam::MultipleScoring::Proportional, more, "t");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::Refused);
    EXPECT_NE(refused.error().message.find("all-or-nothing"), std::string::npos) << refused.error().message;
    EXPECT_NE(refused.error().message.find("b1"), std::string::npos) << refused.error().message;
    auto bank = m_exams->bank("b1");
    ASSERT_TRUE(bank);
    EXPECT_EQ(bank->questions.size(), 18u) << "nothing was imported";
    EXPECT_EQ(bank->scoring, exam::MultipleScoring::AllOrNothing);
}

TEST_F(ExamStoreTest, AProportionalBankStoresDefaultPenaltiesForUnweightedWrongOptions) {
    exam::Question q;
    q.id = "m-1";
    q.module = "safety";
    q.type = exam::QuestionType::MultipleResponse;
    q.stem = {"哪些？", ""};
    for (double w : {50.0, 50.0, 0.0, 0.0}) q.options.push_back({{"项", ""}, w, {}});
    ASSERT_TRUE(m_exams->importQuestions("p1", {"比例", ""}, exam::MultipleScoring::Proportional, {q}, "t"));
    auto bank = m_exams->bank("p1");
    ASSERT_TRUE(bank);
    const auto& stored = bank->questions.at(0);
    EXPECT_DOUBLE_EQ(stored.options[2].weight, -50.0);
    const int all[] = {0, 1, 2, 3};
    EXPECT_LT(exam::scoreResponse(stored, bank->scoring, all), 1.0);
    auto again = m_exams->importQuestions("p1", {}, exam::MultipleScoring::Proportional, {q}, "t");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->unchanged, 1) << "importing the same file again changes nothing";
}

namespace {

/// The audit rows of @p action, oldest first.
std::vector<AuditEntry> auditOf(Store& store, std::string_view action) {
    std::vector<AuditEntry> out;
    auto rows = store.auditEntries(0, 100000);
    EXPECT_TRUE(rows);
    if (rows)
        for (auto& e : *rows)
            if (e.action == action) out.push_back(std::move(e));
    return out;
}

}  // namespace

class SittingAttendanceTest : public ExamStoreTest {
protected:
    void SetUp() override {
        ExamStoreTest::SetUp();
        auto course = m_store->course("badge");
        ASSERT_TRUE(course);
        m_course = *course;
        SittingInput in;
        in.courseId = m_course.id;
        in.bankCode = "b1";
        in.title = "结业考试";
        in.blueprint.sections = {{"ethics", 2, std::nullopt}};
        in.blueprint.duration = std::chrono::minutes(20);
        auto s = m_exams->createSitting(in, "trainer");  // requireAttendance left to its default
        ASSERT_TRUE(s) << s.error().message;
        m_badgeSitting = s->id;
        ASSERT_TRUE(m_exams->addCandidate(m_badgeSitting, m_worker, "trainer"));
        ASSERT_TRUE(m_exams->openSitting(m_badgeSitting, "trainer"));
        auto t = m_store->addStaff("张老师", Role::Trainer, "482916", "t");
        ASSERT_TRUE(t);
        m_trainer = t->id;
        auto c = m_store->addStaff("李干事", Role::Clerk, "739201", "t");
        ASSERT_TRUE(c);
        m_clerk = c->id;
    }
    /// Attends every module of the course in full on the days before today, except @p shortModule, where
    /// @p shortMinutes are missing.
    void attendCourse(const std::string& shortModule = "", int shortMinutes = 0) {
        std::int64_t start = m_store->now() - 20 * 86400;
        for (const auto& m : m_course.modules) {
            start += 86400;
            auto s = m_store->addSession(m_course.id, m.code, m_trainer, "201", start, start + m.requiredMinutes * 60, "t");
            ASSERT_TRUE(s) << s.error().message;
            ASSERT_TRUE(m_store->addToRoster(s->id, m_worker, "t"));
            ASSERT_TRUE(m_store->checkIn(s->id, m_worker, AttendanceMethod::Staff, std::nullopt, "t", start));
            const int cut = m.code == shortModule ? shortMinutes : 0;
            ASSERT_TRUE(m_store->checkOut(s->id, m_worker, AttendanceMethod::Staff, "t",
                                          start + (m.requiredMinutes - cut) * 60));
        }
    }
    Course m_course;
    std::int64_t m_badgeSitting{0}, m_trainer{0}, m_clerk{0};
};

TEST_F(SittingAttendanceTest, TheBadgeExamNeedsTheCourseHoursFirst) {
    auto s = m_exams->sitting(m_badgeSitting);
    ASSERT_TRUE(s);
    EXPECT_TRUE(s->requireAttendance) << "on by default for the badge course";
    auto refused = m_exams->startAttempt(m_badgeSitting, m_worker, "kiosk");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::Refused);
    EXPECT_NE(refused.error().message.find("ethics: 0 of 120 min attended"), std::string::npos) << refused.error().message;
    auto gaps = m_exams->attendanceGaps(m_badgeSitting, m_worker);
    ASSERT_TRUE(gaps);
    EXPECT_EQ(gaps->size(), m_course.modules.size());

    attendCourse("safety", 30);
    gaps = m_exams->attendanceGaps(m_badgeSitting, m_worker);
    ASSERT_TRUE(gaps);
    ASSERT_EQ(gaps->size(), 1u);
    EXPECT_EQ((*gaps)[0].moduleCode, "safety");
    EXPECT_EQ((*gaps)[0].missingMinutes(), 30);
    refused = m_exams->startAttempt(m_badgeSitting, m_worker, "kiosk");
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("safety: 90 of 120 min attended, 30 min missing"), std::string::npos)
        << refused.error().message;
    EXPECT_TRUE(auditOf(*m_store, "attempt.start").empty());
}

TEST_F(SittingAttendanceTest, WithTheHoursTheCandidateStarts) {
    attendCourse();
    auto gaps = m_exams->attendanceGaps(m_badgeSitting, m_worker);
    ASSERT_TRUE(gaps);
    EXPECT_TRUE(gaps->empty());
    auto a = m_exams->startAttempt(m_badgeSitting, m_worker, "kiosk");
    ASSERT_TRUE(a) << a.error().message;
}

TEST_F(SittingAttendanceTest, ATrainerAdmitsANamedCandidateWithTheirPinAndItIsAudited) {
    auto wrong = m_exams->admitCandidate(m_badgeSitting, m_worker, m_trainer, "000000");
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, ErrorCode::AuthFailed);
    auto clerk = m_exams->admitCandidate(m_badgeSitting, m_worker, m_clerk, "739201");
    ASSERT_FALSE(clerk);
    EXPECT_EQ(clerk.error().code, ErrorCode::Refused);
    auto stranger = m_exams->admitCandidate(m_badgeSitting, m_other, m_trainer, "482916");
    ASSERT_FALSE(stranger);
    EXPECT_EQ(stranger.error().code, ErrorCode::Refused) << "only a candidate of the sitting can be admitted";
    EXPECT_FALSE(m_exams->startAttempt(m_badgeSitting, m_worker, "kiosk"));

    ASSERT_TRUE(m_exams->admitCandidate(m_badgeSitting, m_worker, m_trainer, "482916"));
    auto gaps = m_exams->attendanceGaps(m_badgeSitting, m_worker);
    ASSERT_TRUE(gaps);
    EXPECT_TRUE(gaps->empty());
    auto a = m_exams->startAttempt(m_badgeSitting, m_worker, "kiosk");
    ASSERT_TRUE(a) << a.error().message;
    const auto admits = auditOf(*m_store, "sitting.admit");
    ASSERT_EQ(admits.size(), 1u);
    EXPECT_EQ(admits[0].actor, "staff:" + std::to_string(m_trainer));
    EXPECT_EQ(admits[0].subject, "worker:" + std::to_string(m_worker));
    EXPECT_NE(admits[0].details.find("\"ethics\""), std::string::npos) << admits[0].details;
}

TEST_F(SittingAttendanceTest, ASittingMayLeaveTheRequirementOff) {
    SittingInput in;
    in.courseId = m_course.id;
    in.bankCode = "b1";
    in.title = "模拟考试";
    in.blueprint.sections = {{"ethics", 2, std::nullopt}};
    in.requireAttendance = false;
    auto s = m_exams->createSitting(in, "trainer");
    ASSERT_TRUE(s);
    EXPECT_FALSE(s->requireAttendance);
    ASSERT_TRUE(m_exams->addCandidate(s->id, m_worker, "trainer"));
    ASSERT_TRUE(m_exams->openSitting(s->id, "trainer"));
    EXPECT_TRUE(m_exams->startAttempt(s->id, m_worker, "kiosk"));
}

TEST_F(ExamStoreTest, TheHandInIsAuditedWithWhoHandedItIn) {
    ASSERT_TRUE(m_exams->addCandidate(m_sitting, m_other, "trainer"));
    ASSERT_TRUE(m_exams->openSitting(m_sitting, "t"));
    // The worker hands in.
    auto own = m_exams->startAttempt(m_sitting, m_worker, "kiosk");
    ASSERT_TRUE(own);
    ASSERT_TRUE(m_exams->submit(*own));
    // The clock hands in the retake.
    auto retake = m_exams->startAttempt(m_sitting, m_worker, "kiosk");
    ASSERT_TRUE(retake);
    // The trainer closing the sitting hands in the other candidate's attempt.
    auto other = m_exams->startAttempt(m_sitting, m_other, "kiosk");
    ASSERT_TRUE(other);
    m_clock->advance(20 * 60 + 31);
    ASSERT_TRUE(m_exams->loadAttempt(retake->id));
    // m_other's deadline passed too: give them extra time so that the close hands it in, not the clock.
    ASSERT_TRUE(m_exams->setExtraTime(m_sitting, m_other, 3600, "trainer"));
    ASSERT_TRUE(m_exams->closeSitting(m_sitting, "staff:7"));
    const auto rows = auditOf(*m_store, "attempt.submit");
    ASSERT_EQ(rows.size(), 3u);
    std::map<std::string, std::string> byAttempt;
    for (const auto& e : rows) {
        auto details = nlohmann::json::parse(e.details);
        byAttempt[std::to_string(details["attempt"].get<std::int64_t>())] = e.actor;
        EXPECT_EQ(details["submitted_by"], e.actor);
    }
    EXPECT_EQ(byAttempt[std::to_string(own->id)], "worker:" + std::to_string(m_worker));
    EXPECT_EQ(byAttempt[std::to_string(retake->id)], "clock");
    EXPECT_EQ(byAttempt[std::to_string(other->id)], "staff:7");
}

TEST_F(ExamStoreTest, AnAnswerFromAKioskAfterTheSittingWasClosedIsNotStoredAndTheKioskGetsTheResult) {
    ASSERT_TRUE(m_exams->openSitting(m_sitting, "t"));
    auto a = m_exams->startAttempt(m_sitting, m_worker, "kiosk");
    ASSERT_TRUE(a);
    ASSERT_TRUE(m_exams->answer(*a, 0, {0}));
    // The trainer closes the sitting while the kiosk still holds its copy of the attempt: the close hands it in.
    ASSERT_TRUE(m_exams->closeSitting(m_sitting, "staff:7"));
    auto graded = m_exams->loadAttempt(a->id);
    ASSERT_TRUE(graded);
    ASSERT_EQ(graded->attempt.status(), exam::AttemptStatus::Submitted);
    const double score = graded->attempt.grade().score;
    // The kiosk's late answer and flag change nothing that was graded; it is told so and gets the stored attempt.
    auto late = m_exams->answer(*a, 1, {1});
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, training::ErrorCode::Refused);
    EXPECT_EQ(late.error().reason, "exam.handed-in") << late.error().message;
    EXPECT_EQ(a->attempt.status(), exam::AttemptStatus::Submitted) << "the kiosk's copy is the stored one now";
    auto copy = *graded;
    auto flagged = m_exams->flag(copy, 2, true);
    // (the reloaded copy is submitted: the engine refuses before the database is asked)
    EXPECT_FALSE(flagged);
    auto again = m_exams->loadAttempt(a->id);
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->attempt.response(1).chosen.empty()) << "the late answer was not stored";
    EXPECT_FALSE(again->attempt.response(2).flagged);
    EXPECT_DOUBLE_EQ(again->attempt.grade().score, score);
}

namespace {

/// Waits until @p done is ready or another connection to the test's PostgreSQL database waits for a row lock
/// (seen by @p observer, a connection outside any transaction: pg_stat_activity is read once per transaction).
/// Returns "waited", "finished" or "neither" (after 30 s).
std::string waitForLockWaitOrEnd(training::Database& observer, std::future<void>& done) {
    for (int i = 0; i < 1500; ++i) {
        if (done.wait_for(std::chrono::milliseconds(20)) == std::future_status::ready) return "finished";
        auto waiting = observer.queryInt("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                         "AND wait_event_type = 'Lock'");
        if (waiting && *waiting > 0) return "waited";
    }
    return "neither";
}

}  // namespace

// The close locks the attempt before it reads the answers it grades; an answer checks for the hand-in under a
// key-share lock of the same row. Here the test's own transaction plays the close (it has locked the attempt and
// handed it in, not yet committed) while the kiosk's answer arrives: the answer waits and is then refused. Without
// the row lock the answer was stored beside a grade that did not count it. (SQLite has one writer at a time.)
TEST_F(ExamStoreTest, AnAnswerArrivingWhileTheCloseIsGradingWaitsForItAndIsRefused) {
    if (!testsupport::onPostgres()) GTEST_SKIP() << "PostgreSQL only: on SQLite a close and an answer never overlap";
    ASSERT_TRUE(m_exams->openSitting(m_sitting, "t"));
    auto a = m_exams->startAttempt(m_sitting, m_worker, "kiosk");
    ASSERT_TRUE(a);
    ASSERT_TRUE(m_exams->answer(*a, 0, {0}));
    auto closer = Database::open(dbPath(), {.create = false});
    auto observer = Database::open(dbPath(), {.create = false});
    ASSERT_TRUE(closer && observer);
    auto tx = closer->transaction(WriteLock::RowsOnly);
    ASSERT_TRUE(tx) << tx.error().message;
    auto lock = closer->prepare("SELECT id FROM attempts WHERE id = ? FOR UPDATE");
    ASSERT_TRUE(lock);
    ASSERT_TRUE(lock->bindAll(a->id).int64Rows());
    auto hand = closer->prepare("UPDATE attempts SET submitted_at = ?, submit_reason = 'proctor' WHERE id = ?");
    ASSERT_TRUE(hand);
    ASSERT_TRUE(hand->bindAll(m_clock->now(), a->id).run());

    Result<void> late;
    std::promise<void> finished;
    auto done = finished.get_future();
    std::thread kiosk([&] {
        late = m_exams->answer(*a, 1, {1});
        finished.set_value();
    });
    const auto seen = waitForLockWaitOrEnd(*observer, done);
    ASSERT_TRUE(tx->commit());
    kiosk.join();
    EXPECT_EQ(seen, "waited") << "the answer did not wait for the close's lock";
    ASSERT_FALSE(late) << "the answer was stored while the close was grading";
    EXPECT_EQ(late.error().reason, "exam.handed-in") << late.error().message;
    auto stored = m_exams->loadAttempt(a->id);
    ASSERT_TRUE(stored);
    EXPECT_TRUE(stored->attempt.response(1).chosen.empty());
}

// The other order: an answer is in flight (it holds the key-share lock and has written its item, not yet
// committed, played by the test's transaction) when the trainer closes the sitting. The close waits for it and
// grades it: the stored score is the score of the stored answers.
TEST_F(ExamStoreTest, AClosingSittingWaitsForAnAnswerInFlightAndGradesIt) {
    if (!testsupport::onPostgres()) GTEST_SKIP() << "PostgreSQL only: on SQLite a close and an answer never overlap";
    ASSERT_TRUE(m_exams->openSitting(m_sitting, "t"));
    auto a = m_exams->startAttempt(m_sitting, m_worker, "kiosk");
    ASSERT_TRUE(a);
    ASSERT_TRUE(m_exams->answer(*a, 0, {0}));
    const auto& q = a->attempt.paper().items[1].question;
    int right = 0;
    for (std::size_t o = 0; o < q.options.size(); ++o)
        if (q.isCorrect(o)) right = static_cast<int>(o);
    auto answerer = Database::open(dbPath(), {.create = false});
    auto observer = Database::open(dbPath(), {.create = false});
    ASSERT_TRUE(answerer && observer);
    auto tx = answerer->transaction(WriteLock::RowsOnly);
    ASSERT_TRUE(tx) << tx.error().message;
    auto share = answerer->prepare("SELECT id FROM attempts WHERE id = ? AND submitted_at IS NULL FOR KEY SHARE");
    ASSERT_TRUE(share);
    ASSERT_TRUE(share->bindAll(a->id).int64Rows());
    auto item = answerer->prepare("UPDATE attempt_items SET chosen = ?, answered_at = ? WHERE attempt_id = ? AND "
                                  "position = 1");
    ASSERT_TRUE(item);
    ASSERT_TRUE(item->bindAll(fmt::format("[{}]", right), m_clock->now(), a->id).run());

    Result<Sitting> closed;
    std::promise<void> finished;
    auto done = finished.get_future();
    std::thread trainer([&] {
        closed = m_exams->closeSitting(m_sitting, "staff:7");
        finished.set_value();
    });
    const auto seen = waitForLockWaitOrEnd(*observer, done);
    ASSERT_TRUE(tx->commit());
    trainer.join();
    ASSERT_TRUE(closed) << closed.error().message;
    EXPECT_EQ(seen, "waited") << "the close did not wait for the answer in flight";
    auto stored = m_exams->loadAttempt(a->id);
    ASSERT_TRUE(stored);
    ASSERT_EQ(stored->attempt.status(), exam::AttemptStatus::Submitted);
    EXPECT_EQ(stored->attempt.response(1).chosen, std::vector<int>{right});
    auto score = observer->prepare("SELECT score FROM attempts WHERE id = ?");
    ASSERT_TRUE(score);
    score->bindAll(a->id);
    ASSERT_TRUE(score->step().value_or(false));
    EXPECT_DOUBLE_EQ(score->real(0), stored->attempt.grade().score) << "the grade left out a stored answer";
}

TEST_F(ExamStoreTest, ARetiredQuestionLeavesFuturePapersButNotPastAttempts) {
    ASSERT_TRUE(m_exams->openSitting(m_sitting, "t"));
    auto a = m_exams->startAttempt(m_sitting, m_worker, "kiosk");
    ASSERT_TRUE(a);
    answerAll(*a, 0);
    ASSERT_TRUE(m_exams->submit(*a));
    const auto shown = a->attempt.paper().items[0].question.id;
    const double score = a->attempt.grade().score;

    auto bank = m_exams->retireQuestion("", shown, true, "staff:2");
    ASSERT_TRUE(bank) << bank.error().message;
    EXPECT_EQ(*bank, "b1");
    auto b = m_exams->bank("b1");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->find(shown), nullptr);
    EXPECT_EQ(b->questions.size(), 17u);
    // The past attempt still shows it, with its answer and score.
    auto past = m_exams->loadAttempt(a->id);
    ASSERT_TRUE(past);
    EXPECT_EQ(past->attempt.paper().items[0].question.id, shown);
    EXPECT_DOUBLE_EQ(past->attempt.grade().score, score);
    // No future paper draws it: not from the bank, and not for any seed.
    for (std::uint64_t seed = 1; seed <= 50; ++seed) {
        auto p = exam::assemblePaper(*b, m_exams->sitting(m_sitting)->blueprint, seed);
        ASSERT_TRUE(p);
        for (const auto& item : p->items) EXPECT_NE(item.question.id, shown);
    }
    auto preview = m_exams->previewPaper(m_sitting, m_other);
    ASSERT_TRUE(preview);
    for (const auto& item : preview->items) EXPECT_NE(item.question.id, shown);
    // Importing the question again (even revised) keeps it retired; --restore brings it back.
    auto again = single(shown, a->attempt.paper().items[0].question.module, 1, 0);
    again.stem.zh = "改写后的题目";
    ASSERT_TRUE(m_exams->importQuestions("b1", {}, exam::MultipleScoring::AllOrNothing, {again}, "t"));
    EXPECT_EQ(m_exams->bank("b1")->find(shown), nullptr);
    ASSERT_TRUE(m_exams->retireQuestion("b1", shown, false, "staff:2"));
    ASSERT_NE(m_exams->bank("b1")->find(shown), nullptr);
    ASSERT_EQ(auditOf(*m_store, "question.retire").size(), 1u);
    EXPECT_EQ(auditOf(*m_store, "question.retire")[0].actor, "staff:2");
    EXPECT_EQ(auditOf(*m_store, "question.restore").size(), 1u);

    auto unknown = m_exams->retireQuestion("", "nope-1", true, "t");
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
}
