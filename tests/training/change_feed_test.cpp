// The store's change notifications (training/change_feed.hpp) on both backends: what a live screen hears when
// another connection saves, and what it must not hear.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store_fixture.hpp"
#include "training/change_feed.hpp"
#include "training/exam_store.hpp"

using namespace training;
using testsupport::StoreTest;
using namespace std::chrono_literals;

namespace {

exam::Question single(const std::string& id, const std::string& module) {
    exam::Question q;
    q.id = id;
    q.module = module;
    q.type = exam::QuestionType::SingleChoice;
    q.difficulty = 1;
    q.stem = {"题目 " + id, "Question " + id};
    for (int o = 0; o < 3; ++o) q.options.push_back({{"选项", "option"}, o == 0 ? 100.0 : 0.0, {}});
    return q;
}

class ChangeFeedTest : public StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        if (HasFatalFailure()) return;
        m_exams = std::make_unique<ExamStore>(*m_store);
        std::vector<exam::Question> qs;
        for (const char* module : {"ethics", "safety"})
            for (int i = 0; i < 3; ++i) qs.push_back(single(std::string(module) + "-" + std::to_string(i), module));
        ASSERT_TRUE(m_exams->importQuestions("b1", {"题库", "Bank"}, exam::MultipleScoring::AllOrNothing, qs, "t"));
        m_worker = addWorker("31010119780312002", "王秀英").id;
        SittingInput in;
        in.courseId = m_store->course("badge")->id;
        in.bankCode = "b1";
        in.title = "考试";
        in.blueprint.sections = {{"ethics", 2, std::nullopt}, {"safety", 2, std::nullopt}};
        in.blueprint.duration = std::chrono::minutes(20);
        in.requireAttendance = false;
        auto s = m_exams->createSitting(in, "trainer");
        ASSERT_TRUE(s) << s.error().message;
        m_sitting = s->id;
        auto other = m_exams->createSitting(in, "trainer");
        ASSERT_TRUE(other) << other.error().message;
        m_otherSitting = other->id;
        ASSERT_TRUE(m_exams->addCandidate(m_sitting, m_worker, "trainer"));
        ASSERT_TRUE(m_exams->openSitting(m_sitting, "trainer"));
        auto feed = ChangeFeed::open(dbPath());
        ASSERT_TRUE(feed) << feed.error().message;
        m_feed = std::move(*feed);
    }

    /// What the feed hears within @p timeout after what came before was drained.
    Changes heard(std::chrono::milliseconds timeout = 5s) {
        auto c = m_feed->wait(timeout);
        EXPECT_TRUE(c) << (c ? "" : c.error().message);
        return c.value_or(Changes{});
    }
    /// Lets earlier changes arrive and forgets them.
    void drain() {
        for (int i = 0; i < 20; ++i)
            if (heard(300ms).empty()) return;
    }

    std::unique_ptr<ExamStore> m_exams;
    std::unique_ptr<ChangeFeed> m_feed;
    std::int64_t m_worker{0};
    std::int64_t m_sitting{0};
    std::int64_t m_otherSitting{0};
};

TEST_F(ChangeFeedTest, AnAnswerSavedAtAKioskIsHeardAsABoardChange) {
    auto a = m_exams->startAttempt(m_sitting, m_worker, "kiosk:K01");
    ASSERT_TRUE(a) << a.error().message;
    drain();
    ASSERT_TRUE(m_exams->answer(*a, 0, {0}));
    const auto c = heard();
    EXPECT_TRUE(c.has(kTopicBoard)) << "the board hears of the answer";
    if (m_feed->pushes()) {
        EXPECT_FALSE(c.has(sittingTopic(m_sitting))) << "an answer is not news for the other exam screens";
        EXPECT_EQ(c.topics, std::vector<std::string>{std::string(kTopicBoard)});
    }
}

// PostgreSQL makes every transaction that NOTIFYs take turns at its commit, so an answer is not notified inside
// its own transaction: at most once a second per kiosk after it, and what was held back goes with the kiosk's next
// report to the board.
TEST_F(ChangeFeedTest, AnswersInQuickSuccessionAreNotifiedOnceASecondAndTheReportSendsTheRest) {
    if (!m_feed->pushes()) GTEST_SKIP() << "SQLite sends no notifications (the feed reads the file's change counter)";
    auto a = m_exams->startAttempt(m_sitting, m_worker, "kiosk:K01");
    ASSERT_TRUE(a) << a.error().message;
    ASSERT_TRUE(m_exams->reportPresence(a->id, true, "K01"));
    drain();
    ASSERT_TRUE(m_exams->answer(*a, 0, {0}));
    EXPECT_TRUE(heard().has(kTopicBoard)) << "the first answer is heard at once";
    ASSERT_TRUE(m_exams->answer(*a, 1, {0}));
    EXPECT_TRUE(heard(600ms).empty()) << "a second answer within the second is held back";
    std::this_thread::sleep_for(1100ms);
    ASSERT_TRUE(m_exams->reportPresence(a->id, true, "K01"));
    EXPECT_TRUE(heard().has(kTopicBoard)) << "the report a second later sends what was held back";
    {
        // and no NOTIFY rides inside an answer's own transaction (it would make the room's commits take turns)
        auto tx = m_store->database().transaction();
        ASSERT_TRUE(tx);
        m_store->database().notifySoon(kTopicBoard);
        // nothing was sent yet: a listener hears nothing before the commit
    }
    EXPECT_TRUE(heard(300ms).empty());
}

TEST_F(ChangeFeedTest, APauseIsHeardOnItsSittingsTopicOnly) {
    drain();
    ASSERT_TRUE(m_exams->pauseSitting(m_sitting, "trainer"));
    const auto c = heard();
    EXPECT_TRUE(c.has(sittingTopic(m_sitting)));
    EXPECT_TRUE(c.has(kTopicBoard));
    if (m_feed->pushes()) {
        EXPECT_FALSE(c.has(sittingTopic(m_otherSitting))) << "another sitting's screens stay quiet";
    }
    drain();
    ASSERT_TRUE(m_exams->setExtraTime(m_sitting, m_worker, 600, "trainer"));
    EXPECT_TRUE(heard().has(sittingTopic(m_sitting))) << "extra time reaches the candidate's exam screen";
}

TEST_F(ChangeFeedTest, NothingIsHeardOfAChangeThatWasRolledBack) {
    drain();
    {
        auto tx = m_store->database().transaction();
        ASSERT_TRUE(tx);
        m_store->database().notifyOnCommit(kTopicBoard);
        // a change of its own, so that SQLite's counter would move if it were committed
        ASSERT_TRUE(m_store->database().exec("UPDATE center SET name = name || '.'"));
        // the transaction ends without a commit
    }
    EXPECT_TRUE(heard(600ms).empty());
    // and a committed one after it is heard
    addWorker("11010119900307002", "赵敏");
    EXPECT_TRUE(heard().has(kTopicPeople));
}

TEST_F(ChangeFeedTest, AHeartbeatThatChangesNothingOnTheBoardIsNotHeard) {
    auto a = m_exams->startAttempt(m_sitting, m_worker, "kiosk:K01");
    ASSERT_TRUE(a) << a.error().message;
    ASSERT_TRUE(m_exams->reportPresence(a->id, true, "K01"));
    drain();
    ASSERT_TRUE(m_exams->reportPresence(a->id, true, "K01"));
    if (m_feed->pushes()) {
        EXPECT_TRUE(heard(600ms).empty()) << "the same kiosk again: nothing new for the board";
    }
    drain();
    ASSERT_TRUE(m_exams->reportPresence(a->id, true, "K02"));
    EXPECT_TRUE(heard().has(kTopicBoard)) << "the worker moved to another kiosk";
    drain();
    ASSERT_TRUE(m_exams->reportPresence(a->id, false, "K02"));
    EXPECT_TRUE(heard().has(kTopicBoard)) << "the worker left the exam screen";
    drain();
    m_clock->advance(kPresenceTimeoutSeconds);
    ASSERT_TRUE(m_exams->reportPresence(a->id, true, "K02"));
    EXPECT_TRUE(heard().has(kTopicBoard)) << "back after a silence the board showed as no contact";
}

TEST_F(ChangeFeedTest, ARegistrationAndAStaffLockAreHeardByStaffScreens) {
    drain();
    addWorker("11010119900307002", "赵敏");
    EXPECT_TRUE(heard().has(kTopicPeople));
    auto staff = m_store->addStaff("李老师", Role::Trainer, "135790", "test");
    ASSERT_TRUE(staff) << staff.error().message;
    EXPECT_TRUE(heard().has(kTopicStaff));
}

TEST_F(ChangeFeedTest, InterruptEndsAWaitAtOnce) {
    drain();
    std::thread other([&] {
        std::this_thread::sleep_for(100ms);
        m_feed->interrupt();
    });
    auto c = m_feed->wait(std::chrono::hours(1));  // returns because of the interrupt, or the test times out
    other.join();
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_TRUE(c->empty());
}

}  // namespace
