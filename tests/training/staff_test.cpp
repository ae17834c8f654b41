#include <gtest/gtest.h>

#include <algorithm>

#include "store_fixture.hpp"

using namespace training;
using testsupport::StoreTest;

TEST(Pin, HashIsArgon2idAndVerifies) {
    auto h = hashPin("482916");
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->starts_with("$argon2id$"));
    EXPECT_TRUE(verifyPin(*h, "482916"));
    EXPECT_FALSE(verifyPin(*h, "482917"));
}

TEST_F(StoreTest, StaffPinFormat) {
    EXPECT_FALSE(m_store->addStaff("A", Role::Admin, "12", "t"));
    EXPECT_FALSE(m_store->addStaff("A", Role::Admin, "12ab56", "t"));
    EXPECT_FALSE(m_store->addStaff("A", Role::Admin, "1111", "t"));
    EXPECT_FALSE(m_store->addStaff("A", Role::Admin, "4829", "t")) << "4-digit PINs are refused";
    EXPECT_FALSE(m_store->addStaff("A", Role::Admin, "48291", "t"));
    EXPECT_FALSE(m_store->addStaff("A", Role::Admin, "1234567890123", "t"));
    EXPECT_TRUE(m_store->addStaff("A", Role::Admin, "482916", "t"));
}

TEST_F(StoreTest, PinIsNeverStoredInClear) {
    auto s = m_store->addStaff("张老师", Role::Trainer, "482916", "t");
    ASSERT_TRUE(s);
    auto hash = m_store->database().queryText("SELECT pin_hash FROM staff");
    ASSERT_TRUE(hash && *hash);
    EXPECT_EQ((*hash)->find("482916"), std::string::npos);
}

TEST_F(StoreTest, FiveWrongPinsLockTheAccountForFifteenMinutes) {
    auto s = m_store->addStaff("张老师", Role::Trainer, "482916", "t");
    ASSERT_TRUE(s);
    for (int i = 1; i <= 4; ++i) {
        auto r = m_store->authenticateStaff(s->id, "000001");
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, ErrorCode::AuthFailed);
        EXPECT_NE(r.error().message.find(std::to_string(5 - i)), std::string::npos) << r.error().message;
    }
    auto fifth = m_store->authenticateStaff(s->id, "000001");
    ASSERT_FALSE(fifth);
    EXPECT_EQ(fifth.error().code, ErrorCode::Locked);
    // Even the right PIN is refused while locked.
    auto right = m_store->authenticateStaff(s->id, "482916");
    ASSERT_FALSE(right);
    EXPECT_EQ(right.error().code, ErrorCode::Locked);
    m_clock->advance(14 * 60);
    EXPECT_FALSE(m_store->authenticateStaff(s->id, "482916"));
    m_clock->advance(61);
    auto later = m_store->authenticateStaff(s->id, "482916");
    ASSERT_TRUE(later) << later.error().message;
    EXPECT_EQ(later->failedAttempts, 0);
}

TEST_F(StoreTest, ASuccessResetsTheCounter) {
    auto s = m_store->addStaff("张老师", Role::Trainer, "482916", "t");
    ASSERT_TRUE(s);
    for (int i = 0; i < 4; ++i) EXPECT_FALSE(m_store->authenticateStaff(s->id, "000001"));
    EXPECT_TRUE(m_store->authenticateStaff(s->id, "482916"));
    for (int i = 0; i < 4; ++i) EXPECT_FALSE(m_store->authenticateStaff(s->id, "000001"));
    auto r = m_store->authenticateStaff(s->id, "482916");
    EXPECT_TRUE(r) << "four failures after a success do not lock";
}

TEST_F(StoreTest, SettingAPinClearsALockout) {
    auto s = m_store->addStaff("张老师", Role::Trainer, "482916", "t");
    ASSERT_TRUE(s);
    for (int i = 0; i < 5; ++i) (void)m_store->authenticateStaff(s->id, "000001");
    EXPECT_EQ(m_store->authenticateStaff(s->id, "482916").error().code, ErrorCode::Locked);
    ASSERT_TRUE(m_store->setStaffPin(s->id, "739201", "admin"));
    EXPECT_TRUE(m_store->authenticateStaff(s->id, "739201"));
    EXPECT_FALSE(m_store->authenticateStaff(s->id, "482916"));
}

TEST_F(StoreTest, UnknownStaffLooksLikeAWrongPin) {
    auto r = m_store->authenticateStaff(42, "482916");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::AuthFailed);
}

TEST_F(StoreTest, LockoutsEscalateAndTheThirdOneNeedsAnAdministrator) {
    auto s = m_store->addStaff("张老师", Role::Trainer, "482916", "t");
    ASSERT_TRUE(s);
    const auto wrong = [&](int n) {
        ErrorCode last{};
        for (int i = 0; i < n; ++i) {
            auto r = m_store->authenticateStaff(s->id, "000001");
            EXPECT_FALSE(r);
            if (!r) last = r.error().code;
        }
        return last;
    };
    EXPECT_EQ(wrong(5), ErrorCode::Locked);
    m_clock->advance(15 * 60 + 1);
    // The count was not reset by the lock: five more wrong PINs lock for an hour, not 15 minutes.
    EXPECT_EQ(m_store->staff(s->id)->failedAttempts, 5);
    EXPECT_EQ(wrong(4), ErrorCode::AuthFailed);
    auto fifth = m_store->authenticateStaff(s->id, "000001");
    ASSERT_FALSE(fifth);
    EXPECT_EQ(fifth.error().code, ErrorCode::Locked);
    m_clock->advance(59 * 60);
    EXPECT_EQ(m_store->authenticateStaff(s->id, "482916").error().code, ErrorCode::Locked) << "still locked after 59 min";
    m_clock->advance(61);
    EXPECT_EQ(wrong(5), ErrorCode::Locked);
    // The third lock has no end: days later even the right PIN is refused, until an administrator unlocks.
    m_clock->advance(30 * 86400);
    auto right = m_store->authenticateStaff(s->id, "482916");
    ASSERT_FALSE(right);
    EXPECT_EQ(right.error().code, ErrorCode::Locked);
    EXPECT_NE(right.error().message.find("administrator"), std::string::npos) << right.error().message;
    EXPECT_EQ(m_store->staff(s->id)->lockedUntil, kLockedUntilUnlocked);
    ASSERT_TRUE(m_store->unlockStaff(s->id, "staff:1"));
    auto after = m_store->authenticateStaff(s->id, "482916");
    ASSERT_TRUE(after) << after.error().message;
    // Every lock and the unlock are audit rows.
    auto audit = m_store->auditEntries(0, 1000);
    ASSERT_TRUE(audit);
    std::vector<std::string> levels;
    for (const auto& e : *audit)
        if (e.action == "staff.locked") levels.push_back(e.details);
    ASSERT_EQ(levels.size(), 3u);
    EXPECT_NE(levels[0].find("\"level\":1"), std::string::npos) << levels[0];
    EXPECT_NE(levels[1].find("\"level\":2"), std::string::npos) << levels[1];
    EXPECT_NE(levels[2].find("admin-unlock"), std::string::npos) << levels[2];
    EXPECT_TRUE(std::ranges::any_of(*audit, [](const AuditEntry& e) { return e.action == "staff.unlock" && e.actor == "staff:1"; }));
}

TEST_F(StoreTest, ADeactivatedStaffMemberCannotSignInAndTheLastAdminStays) {
    auto admin = m_store->addStaff("管理员", Role::Admin, "739201", "t");
    auto clerk = m_store->addStaff("李文员", Role::Clerk, "482916", "t");
    ASSERT_TRUE(admin && clerk);
    ASSERT_TRUE(m_store->deactivateStaff(clerk->id, "staff:1"));
    auto r = m_store->authenticateStaff(clerk->id, "482916");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Refused);
    auto last = m_store->deactivateStaff(admin->id, "staff:1");
    ASSERT_FALSE(last);
    EXPECT_EQ(last.error().code, ErrorCode::Refused);
    EXPECT_EQ(m_store->deactivateStaff(99, "staff:1").error().code, ErrorCode::NotFound);
}
