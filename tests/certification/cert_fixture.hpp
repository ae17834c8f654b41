#pragma once
// A center store with a key and helpers that make a worker eligible, condition by condition, through the public
// Store and ExamStore API only (the shared eligible-worker fixture, tests/support/certification_fixture.hpp): no SQL.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "../training/store_fixture.hpp"
#include "certification_fixture.hpp"
#include "training/center_key.hpp"
#include "training/certificates.hpp"
#include "training/eligibility.hpp"
#include "training/uscc.hpp"
#include "training/validation.hpp"

namespace certtest {

using namespace training;

class CertTest : public testsupport::StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        auto k = ensureCenterKey(*m_store, m_dir / "center.db.center-key", "test");
        ASSERT_TRUE(k) << k.error().message;
        m_key = std::make_unique<CenterKey>(std::move(*k));
        m_course = m_store->course("badge").value();
        // The fixture's agency (same credit code as testsupport's, which finds and uses this one).
        std::string first17 = "91310104MA1FL2K3A";
        auto a = m_store->addAgency({"安心家政", first17 + usccCheckCharacter(first17), "周敏", std::nullopt, std::nullopt},
                                    "test");
        ASSERT_TRUE(a) << a.error().message;
        m_agency = a->id;
    }

    // Each step satisfies one condition of the default rule.
    void verifyIdentity(std::int64_t w, const std::string& method = "chip-pa") {
        ASSERT_TRUE(m_store->markIdentityVerified(w, method, "test"));
    }
    void matchFace(std::int64_t w) { ASSERT_TRUE(m_store->markFaceVerified(w, 0.71, "test")); }
    void setAgency(std::int64_t w) {
        WorkerProfile p;
        p.agencyId = m_agency;
        auto r = m_store->updateWorker(w, p, "test");
        ASSERT_TRUE(r) << r.error().message;
    }
    void healthCheck(std::int64_t w, int daysAgo = 30, const std::string& result = "pass") {
        WorkerProfile p;
        p.healthCheckDate = formatDate(std::chrono::year_month_day(
            std::chrono::sys_days(localDate(m_store->now())) - std::chrono::days(daysAgo)));
        p.healthCheckResult = result;
        p.healthCheckIssuer = "上海市徐汇区疾控中心";
        auto r = m_store->updateWorker(w, p, "test");
        ASSERT_TRUE(r) << r.error().message;
    }
    void sign(std::int64_t w, ConsentKind kind) {
        auto r = m_store->addConsent(w, kind, "v1", "同意书文本", std::vector<std::uint8_t>{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0}, "test");
        ASSERT_TRUE(r) << r.error().message;
    }
    // Every module attended through sessions, rosters and check-in/out (60 days back, inside each session's time):
    // the required minutes minus @p shortOf minutes for @p shortModule.
    void attend(std::int64_t w, const std::string& shortModule = {}, int shortOf = 0) {
        testsupport::EligibleWorkerOptions o;
        o.shortModule = shortModule;
        o.shortMinutes = shortOf;
        o.actor = "test";
        auto r = testsupport::certfixture::attendAll(*m_store, m_course, w, o);
        ASSERT_TRUE(r) << r.error().message;
    }
    // A submitted exam attempt scoring exactly @p score (steps of 0.5) in the fixture's scored sitting, taken
    // yesterday: the store's manual clock is set to the day before for the attempt, then put back.
    void exam(std::int64_t w, double score) {
        const auto now = m_clock->now();
        m_clock->set(testsupport::kNoon - 86400 + 600 * ++m_attemptNo);
        if (m_sitting == 0) {
            auto s = testsupport::certfixture::openScoredSitting(*m_store, m_course, "test");
            if (s) m_sitting = *s;
            EXPECT_TRUE(s) << s.error().message;
        }
        auto taken = m_sitting == 0 ? Result<double>(fail(ErrorCode::Internal, "no sitting"))
                                    : testsupport::certfixture::takeExamWithScore(*m_store, m_sitting, w, score, "test");
        m_clock->set(now);
        ASSERT_TRUE(taken) << taken.error().message;
        ASSERT_EQ(*taken, score);
    }
    // Every condition of the default rule (testsupport::makeEligibleWorker), the exam taken yesterday with 92.
    std::int64_t eligibleWorker(const std::string& first17, const std::string& name) {
        testsupport::EligibleWorkerOptions o;
        o.first17 = first17;
        o.name = name;
        o.exam = false;
        o.actor = "test";
        auto w = testsupport::makeEligibleWorker(*m_store, o);
        EXPECT_TRUE(w) << w.error().message;
        if (!w) return 0;
        EXPECT_EQ(w->agencyId, m_agency) << "the fixture uses this center's agency";
        exam(w->workerId, 92);
        return w->workerId;
    }

    std::unique_ptr<CenterKey> m_key;
    Course m_course;
    std::int64_t m_agency{0};
    std::int64_t m_sitting{0};
    int m_attemptNo{0};
};

}  // namespace certtest
