#include <gtest/gtest.h>

#include "store_fixture.hpp"

using namespace training;
using testsupport::StoreTest;

class AttendanceTest : public StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        auto t = m_store->addStaff("张老师", Role::Trainer, "482916", "t");
        ASSERT_TRUE(t);
        m_trainer = t->id;
        auto c = m_store->course("badge");
        ASSERT_TRUE(c);
        m_course = c->id;
        m_worker = addWorker("31010119780312002", "王秀英").id;
        // Ethics 14:00-16:00 today.
        auto s = m_store->addSession(m_course, "ethics", m_trainer, "201", kStart, kStart + 7200, "t");
        ASSERT_TRUE(s) << s.error().message;
        m_session = s->id;
    }
    static constexpr std::int64_t kStart = testsupport::kNoon + 2 * 3600;
    std::int64_t m_trainer{0}, m_course{0}, m_worker{0}, m_session{0};

    int minutes(const std::string& module) {
        auto h = m_store->hoursPerModule(m_worker, m_course);
        EXPECT_TRUE(h);
        for (const auto& m : *h)
            if (m.moduleCode == module) return m.attendedMinutes;
        return -1;
    }
};

TEST_F(AttendanceTest, SessionRules) {
    EXPECT_FALSE(m_store->addSession(m_course, "gardening", m_trainer, "1", kStart, kStart + 60, "t"));
    EXPECT_FALSE(m_store->addSession(m_course, "ethics", m_trainer, "1", kStart, kStart, "t"));
    EXPECT_FALSE(m_store->addSession(m_course, "ethics", m_trainer, "1", kStart, kStart + 13 * 3600, "t"));
    auto clerk = m_store->addStaff("李干事", Role::Clerk, "739201", "t");
    ASSERT_TRUE(clerk);
    EXPECT_FALSE(m_store->addSession(m_course, "ethics", clerk->id, "1", kStart, kStart + 60, "t"));
    EXPECT_FALSE(m_store->addSession(m_course, "ethics", 999, "1", kStart, kStart + 60, "t"));
}

TEST_F(AttendanceTest, CheckInNeedsTheRoster) {
    auto r = m_store->checkIn(m_session, m_worker, AttendanceMethod::Staff, std::nullopt, "t", kStart);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Refused);
    EXPECT_NE(r.error().message.find("roster add"), std::string::npos);
}

TEST_F(AttendanceTest, HoursCountOnlyTimeInsideTheSession) {
    m_clock->advance(5 * 3600);  // 17:00: the session is over, its attendance is recorded afterwards
    ASSERT_TRUE(m_store->addToRoster(m_session, m_worker, "t"));
    EXPECT_EQ(m_store->addToRoster(m_session, m_worker, "t").error().code, ErrorCode::Conflict);
    // Too early (more than 30 minutes before) and after the end are refused.
    EXPECT_FALSE(m_store->checkIn(m_session, m_worker, AttendanceMethod::Staff, std::nullopt, "t", kStart - 1801));
    EXPECT_FALSE(m_store->checkIn(m_session, m_worker, AttendanceMethod::Staff, std::nullopt, "t", kStart + 7200));
    // Face check-in needs its score.
    EXPECT_FALSE(m_store->checkIn(m_session, m_worker, AttendanceMethod::Face, std::nullopt, "t", kStart));
    auto in = m_store->checkIn(m_session, m_worker, AttendanceMethod::Face, 0.71, "t", kStart - 600);
    ASSERT_TRUE(in) << in.error().message;
    EXPECT_EQ(minutes("ethics"), 0) << "open check-ins do not count";
    auto twice = m_store->checkIn(m_session, m_worker, AttendanceMethod::Staff, std::nullopt, "t", kStart);
    ASSERT_FALSE(twice);
    EXPECT_NE(twice.error().message.find("already checked in"), std::string::npos);
    ASSERT_TRUE(m_store->checkOut(m_session, m_worker, AttendanceMethod::Face, "t", kStart + 3600));
    EXPECT_EQ(minutes("ethics"), 60) << "the 10 minutes before the start do not count";
    // Back after a break, and staying past the end.
    ASSERT_TRUE(m_store->checkIn(m_session, m_worker, AttendanceMethod::Staff, std::nullopt, "t", kStart + 4500));
    ASSERT_TRUE(m_store->checkOut(m_session, m_worker, AttendanceMethod::Staff, "t", kStart + 9000));
    EXPECT_EQ(minutes("ethics"), 60 + 45);
    EXPECT_EQ(minutes("safety"), 0);
    auto entries = m_store->attendanceOf(m_worker);
    ASSERT_TRUE(entries);
    EXPECT_EQ(entries->size(), 2u);
}

TEST_F(AttendanceTest, CheckOutRules) {
    m_clock->advance(5 * 3600);  // 17:00
    ASSERT_TRUE(m_store->addToRoster(m_session, m_worker, "t"));
    auto none = m_store->checkOut(m_session, m_worker, AttendanceMethod::Staff, "t", kStart);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::Refused);
    ASSERT_TRUE(m_store->checkIn(m_session, m_worker, AttendanceMethod::Staff, std::nullopt, "t", kStart));
    EXPECT_FALSE(m_store->checkOut(m_session, m_worker, AttendanceMethod::Staff, "t", kStart - 1));
}

TEST_F(AttendanceTest, RosterAndSessionLists) {
    auto other = addWorker("34010219850721104", "李娟");
    ASSERT_TRUE(m_store->addToRoster(m_session, m_worker, "t"));
    ASSERT_TRUE(m_store->addToRoster(m_session, other.id, "t"));
    auto roster = m_store->roster(m_session);
    ASSERT_TRUE(roster);
    EXPECT_EQ(roster->size(), 2u);
    auto sessions = m_store->listSessions(kStart - 86400, kStart + 86400);
    ASSERT_TRUE(sessions);
    ASSERT_EQ(sessions->size(), 1u);
    EXPECT_EQ(sessions->front().rosterSize, 2);
    EXPECT_TRUE(m_store->listSessions(kStart + 7200, kStart + 86400)->empty());
}

TEST_F(AttendanceTest, ATrainerOrARoomIsNeverBookedTwice) {
    auto other = m_store->addStaff("王老师", Role::Trainer, "518273", "t");
    ASSERT_TRUE(other);
    // The fixture's session: trainer m_trainer, room 201, 14:00-16:00.
    auto sameTrainer = m_store->addSession(m_course, "safety", m_trainer, "305", kStart + 3600, kStart + 3 * 3600, "t");
    ASSERT_FALSE(sameTrainer);
    EXPECT_EQ(sameTrainer.error().code, ErrorCode::Conflict);
    EXPECT_NE(sameTrainer.error().message.find("trainer"), std::string::npos) << sameTrainer.error().message;
    EXPECT_NE(sameTrainer.error().message.find(std::to_string(m_session)), std::string::npos);
    auto sameRoom = m_store->addSession(m_course, "safety", other->id, "201", kStart - 3600, kStart + 60, "t");
    ASSERT_FALSE(sameRoom);
    EXPECT_EQ(sameRoom.error().code, ErrorCode::Conflict);
    EXPECT_NE(sameRoom.error().message.find("room 201"), std::string::npos) << sameRoom.error().message;
    // Back to back, another room and trainer at the same time, or no room given: fine.
    EXPECT_TRUE(m_store->addSession(m_course, "safety", m_trainer, "201", kStart + 7200, kStart + 9000, "t"));
    EXPECT_TRUE(m_store->addSession(m_course, "legal", other->id, "305", kStart, kStart + 7200, "t"));
    EXPECT_TRUE(m_store->addSession(m_course, "legal", std::nullopt, "", kStart, kStart + 7200, "t"));
    EXPECT_TRUE(m_store->addSession(m_course, "legal", std::nullopt, "", kStart, kStart + 7200, "t"));
}

TEST_F(AttendanceTest, AttendanceIsNotRecordedAheadOfTime) {
    // The session runs 14:00-16:00 and it is noon: a check-in "at 14:05" now is refused, also for staff.
    ASSERT_TRUE(m_store->addToRoster(m_session, m_worker, "t"));
    auto early = m_store->checkIn(m_session, m_worker, AttendanceMethod::Staff, std::nullopt, "t", kStart + 300);
    ASSERT_FALSE(early);
    EXPECT_EQ(early.error().code, ErrorCode::Refused);
    EXPECT_NE(early.error().message.find("future"), std::string::npos) << early.error().message;
    m_clock->advance(2 * 3600 + 600);  // 14:10
    ASSERT_TRUE(m_store->checkIn(m_session, m_worker, AttendanceMethod::Staff, std::nullopt, "t", kStart + 300));
    auto out = m_store->checkOut(m_session, m_worker, AttendanceMethod::Staff, "t", kStart + 7200);
    ASSERT_FALSE(out) << "16:00 has not come yet";
    EXPECT_EQ(out.error().code, ErrorCode::Refused);
    ASSERT_TRUE(m_store->checkOut(m_session, m_worker, AttendanceMethod::Staff, "t"));
}
