#include <gtest/gtest.h>

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
