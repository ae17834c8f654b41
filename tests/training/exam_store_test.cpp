#include <gtest/gtest.h>

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
        // Undo version 4 as a version 3 file would be (SQLite 3.35+ drops columns).
        ASSERT_TRUE(db->exec("ALTER TABLE attempts DROP COLUMN seen_at; ALTER TABLE attempts DROP COLUMN seen_from; "
                             "ALTER TABLE attempts DROP COLUMN left_at; PRAGMA user_version = 3"));
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
        ASSERT_TRUE(db->exec("ALTER TABLE questions DROP COLUMN concept; PRAGMA user_version = 4"));
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
