#pragma once
// A center store with a key and helpers that make a worker eligible, condition by condition.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "../training/store_fixture.hpp"
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
    // Attendance rows for every module: required minutes minus @p shortOf minutes for @p shortModule.
    void attend(std::int64_t w, const std::string& shortModule = {}, int shortOf = 0) {
        auto& db = m_store->database();
        std::int64_t start = m_store->now() - 30 * 86400;
        for (const auto& m : m_course.modules) {
            const int minutes = m.requiredMinutes - (m.code == shortModule ? shortOf : 0);
            ASSERT_TRUE(db.exec(fmt::format("INSERT INTO sessions (course_id, module_code, room, starts_at, ends_at, "
                                            "created_at) VALUES ({}, '{}', 'A', {}, {}, {})",
                                            m_course.id, m.code, start, start + m.requiredMinutes * 60, start)));
            const auto session = db.lastInsertRowId();
            ASSERT_TRUE(db.exec(fmt::format("INSERT INTO attendance (session_id, worker_id, check_in_at, check_out_at, "
                                            "check_in_method, check_out_method) VALUES ({}, {}, {}, {}, 'face', 'face')",
                                            session, w, start, start + minutes * 60)));
            start += 86400;
        }
    }
    // A submitted exam attempt with @p score.
    void exam(std::int64_t w, double score) {
        auto& db = m_store->database();
        if (m_sitting == 0) {
            ASSERT_TRUE(db.exec(fmt::format("INSERT INTO question_banks (code, title_zh, scoring, created_at, updated_at) "
                                            "VALUES ('b', '题库', 'all-or-nothing', 0, 0)")));
            const auto bank = db.lastInsertRowId();
            ASSERT_TRUE(db.exec(fmt::format("INSERT INTO sittings (course_id, bank_id, title, blueprint, state, seats, "
                                            "created_at) VALUES ({}, {}, '考试', '{{}}', 'closed', 40, 0)",
                                            m_course.id, bank)));
            m_sitting = db.lastInsertRowId();
        }
        ++m_attemptNo;
        ASSERT_TRUE(db.exec(fmt::format(
            "INSERT INTO attempts (sitting_id, worker_id, attempt_no, seed, pass_mark, duration_s, scoring, started_at, "
            "submitted_at, submit_reason, score, passed) VALUES ({}, {}, {}, 's', 80, 1800, 'all-or-nothing', {}, {}, "
            "'candidate', {}, {})",
            m_sitting, w, m_attemptNo, m_store->now() - 86400 - 1800 + m_attemptNo, m_store->now() - 86400 + m_attemptNo,
            score, score >= 80 ? 1 : 0)));
        ASSERT_TRUE(db.exec(fmt::format("INSERT OR IGNORE INTO sitting_candidates (sitting_id, worker_id, added_at) "
                                        "VALUES ({}, {}, 0)",
                                        m_sitting, w)));
    }
    std::int64_t eligibleWorker(const std::string& first17, const std::string& name) {
        const auto w = addWorker(first17, name).id;
        verifyIdentity(w);
        matchFace(w);
        setAgency(w);
        healthCheck(w);
        for (auto k : {ConsentKind::Commitment, ConsentKind::CreditCheck, ConsentKind::Biometric}) sign(w, k);
        attend(w);
        exam(w, 92);
        return w;
    }

    std::unique_ptr<CenterKey> m_key;
    Course m_course;
    std::int64_t m_agency{0};
    std::int64_t m_sitting{0};
    int m_attemptNo{0};
};

}  // namespace certtest
