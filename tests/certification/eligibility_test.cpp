#include <algorithm>

#include "cert_fixture.hpp"
#include "training/privacy.hpp"

using namespace training;
using certtest::CertTest;

namespace {

std::vector<std::string> codes(const EligibilityReport& r) {
    std::vector<std::string> out;
    for (const auto& u : r.unmet) out.push_back(u.code + (u.item ? ":" + *u.item : ""));
    return out;
}

}  // namespace

class EligibilityTest : public CertTest {};

TEST_F(EligibilityTest, AFullyPreparedWorkerIsEligible) {
    const auto w = eligibleWorker("31010119780312002", "王秀英");
    auto r = checkEligibility(*m_store, w);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->eligible) << ::testing::PrintToString(codes(*r));
    EXPECT_TRUE(r->unmet.empty());
}

TEST_F(EligibilityTest, OnlyAProvenIdentityCounts) {
    // A chip read without passive authentication ("chip") proves nothing; chip-pa, sam and staff do.
    int n = 0;
    for (const char* method : {"chip", "chip-pa", "sam", "staff"}) {
        const auto w = eligibleWorker("3101011978031200" + std::to_string(++n), "王秀英");
        verifyIdentity(w, method);
        auto r = checkEligibility(*m_store, w);
        ASSERT_TRUE(r) << r.error().message;
        if (std::string(method) == "chip")
            EXPECT_EQ(codes(*r), std::vector<std::string>{"identity"}) << method;
        else
            EXPECT_TRUE(r->eligible) << method << ": " << ::testing::PrintToString(codes(*r));
    }
}

TEST_F(EligibilityTest, ANewWorkerMissesEveryConditionEachWithBothMessages) {
    const auto w = addWorker("31010119780312002", "王秀英").id;
    auto r = checkEligibility(*m_store, w);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_FALSE(r->eligible);
    std::vector<std::string> expected{"identity", "face"};
    for (const auto& m : m_course.modules) expected.push_back("hours:" + m.code);
    // The biometric consent is not asked for by default (refusing face recognition never blocks the badge).
    for (const char* e : {"exam", "health-check", "consent:commitment", "consent:credit-check", "agency"})
        expected.emplace_back(e);
    EXPECT_EQ(codes(*r), expected);
    for (const auto& u : r->unmet) {
        EXPECT_FALSE(u.worker.zh.empty()) << u.code;
        EXPECT_FALSE(u.worker.en.empty()) << u.code;
        EXPECT_FALSE(u.staff.empty()) << u.code;
    }
}

// One test per condition: an otherwise eligible worker missing exactly that one.
struct Missing {
    const char* name;
    std::vector<std::string> expected;
};

class EligibilityMissingTest : public CertTest, public ::testing::WithParamInterface<Missing> {};

TEST_P(EligibilityMissingTest, OnlyTheMissingConditionIsReported) {
    const std::string what = GetParam().name;
    const auto w = addWorker("31010119780312002", "王秀英").id;
    if (what != "identity") verifyIdentity(w);
    if (what != "face") matchFace(w);
    if (what != "agency") setAgency(w);
    if (what == "health-stale") healthCheck(w, 366);
    else if (what == "health-fail") healthCheck(w, 10, "fail");
    else if (what != "health-missing") healthCheck(w, 365);  // exactly a year old is still valid
    for (auto k : {ConsentKind::Commitment, ConsentKind::CreditCheck, ConsentKind::Biometric})
        if (what != std::string("consent-") + std::string(consentKindName(k))) sign(w, k);
    if (what == "hours") attend(w, "safety", 45);
    else attend(w);
    if (what == "exam-failed") exam(w, 79.5);
    else if (what == "exam-retaken") {
        exam(w, 95);
        exam(w, 60);  // the latest attempt counts
    } else if (what != "exam-missing") exam(w, 80);
    auto r = checkEligibility(*m_store, w);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_FALSE(r->eligible);
    EXPECT_EQ(codes(*r), GetParam().expected);
    if (what == "hours") {
        ASSERT_EQ(r->unmet.size(), 1u);
        EXPECT_EQ(r->unmet[0].missingMinutes, 45);
        EXPECT_NE(r->unmet[0].staff.find("45 min missing"), std::string::npos) << r->unmet[0].staff;
        EXPECT_NE(r->unmet[0].worker.zh.find("安全知识"), std::string::npos) << r->unmet[0].worker.zh;
    }
    if (what == "health-stale") {
        EXPECT_NE(r->unmet[0].staff.find("366 days old"), std::string::npos) << r->unmet[0].staff;
    }
}

INSTANTIATE_TEST_SUITE_P(
    EachCondition, EligibilityMissingTest,
    ::testing::Values(Missing{"identity", {"identity"}}, Missing{"face", {"face"}}, Missing{"hours", {"hours:safety"}},
                      Missing{"exam-missing", {"exam"}}, Missing{"exam-failed", {"exam"}},
                      Missing{"exam-retaken", {"exam"}}, Missing{"health-missing", {"health-check"}},
                      Missing{"health-stale", {"health-check"}}, Missing{"health-fail", {"health-check"}},
                      Missing{"consent-commitment", {"consent:commitment"}},
                      Missing{"consent-credit-check", {"consent:credit-check"}},
                      Missing{"agency", {"agency"}}),
    [](const auto& info) {
        std::string n = info.param.name;
        std::ranges::replace(n, '-', '_');
        return n;
    });

TEST_F(EligibilityTest, TheRuleIsDataPerCourse) {
    auto rule = certificationRule(*m_store, m_course.id);
    ASSERT_TRUE(rule);
    EXPECT_EQ(*rule, CertificationRule{});  // defaults, with the course's pass mark (80)
    auto parsed = ruleFromJson(ruleToJson(*rule));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, *rule);
    EXPECT_FALSE(ruleFromJson(R"({"pass_mark": 120})"));
    EXPECT_FALSE(ruleFromJson(R"({"consents": ["photo"]})"));

    // A course that does not ask for the face match nor biometric consent, and passes at 60.
    const auto w = addWorker("31010119780312002", "王秀英").id;
    verifyIdentity(w);
    setAgency(w);
    healthCheck(w);
    sign(w, ConsentKind::Commitment);
    sign(w, ConsentKind::CreditCheck);
    attend(w);
    exam(w, 65);
    EXPECT_FALSE(checkEligibility(*m_store, w)->eligible);
    auto custom = ruleFromJson(R"({"require_face": false, "pass_mark": 60, "consents": ["commitment", "credit-check"]})");
    ASSERT_TRUE(custom) << custom.error().message;
    ASSERT_TRUE(setCertificationRule(*m_store, m_course.id, *custom, "admin"));
    auto r = checkEligibility(*m_store, w);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->eligible) << ::testing::PrintToString(codes(*r));
    auto audit = m_store->auditEntries(0, 1000);
    ASSERT_TRUE(audit);
    EXPECT_EQ(audit->back().action, "certification.rule");
}

TEST_F(EligibilityTest, DecliningFaceRecognitionStaffVerifyInPersonAndTheWorkerIsEligible) {
    // No biometric consent, no face match: staff compared the person with the document photo (method "staff").
    const auto w = addWorker("31010119780312002", "王秀英").id;
    ASSERT_TRUE(m_store->markIdentityVerified(w, "staff", "staff:1"));
    setAgency(w);
    healthCheck(w);
    sign(w, ConsentKind::Commitment);
    sign(w, ConsentKind::CreditCheck);
    attend(w);
    exam(w, 92);
    auto r = checkEligibility(*m_store, w);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->eligible) << ::testing::PrintToString(codes(*r));

    // Read from a chip without a face match and without staff: the comparison with the photo is missing.
    const auto other = addWorker("31010119800101001", "李娟").id;
    verifyIdentity(other);
    EXPECT_EQ(codes(*checkEligibility(*m_store, other))[0], "face");

    // A course may still ask for the biometric consent explicitly.
    auto strict = ruleFromJson(R"({"consents": ["commitment", "credit-check", "biometric"]})");
    ASSERT_TRUE(strict);
    ASSERT_TRUE(setCertificationRule(*m_store, m_course.id, *strict, "admin"));
    EXPECT_EQ(codes(*checkEligibility(*m_store, w)), std::vector<std::string>{"consent:biometric"});
}

TEST_F(EligibilityTest, AWithdrawnConsentNoLongerCounts) {
    // A course that asks for the biometric consent: a worker who withdraws it (PIPL art. 15, through the same call
    // the kiosk's "my data" and 'kioskctl worker consent withdraw' make) no longer meets it, and the face match it
    // allowed is gone with it.
    auto strict = ruleFromJson(R"({"consents": ["commitment", "credit-check", "biometric"]})");
    ASSERT_TRUE(strict);
    ASSERT_TRUE(setCertificationRule(*m_store, m_course.id, *strict, "admin"));
    const auto w = eligibleWorker("31010119780312002", "王秀英");  // signed the biometric consent before the camera
    ASSERT_TRUE(checkEligibility(*m_store, w)->eligible);
    auto withdrawn = withdrawBiometricConsent(*m_store, w, "test");
    ASSERT_TRUE(withdrawn) << withdrawn.error().message;
    EXPECT_EQ(withdrawn->consentsWithdrawn, 1);
    EXPECT_EQ(codes(*checkEligibility(*m_store, w)), (std::vector<std::string>{"face", "consent:biometric"}));
}

TEST_F(EligibilityTest, ASittingGivesOneReportPerCandidate) {
    const auto ok = eligibleWorker("31010119780312002", "王秀英");
    const auto notYet = addWorker("34010219850721104", "李娟").id;
    exam(notYet, 50);
    auto reports = checkSittingEligibility(*m_store, m_sitting);
    ASSERT_TRUE(reports) << reports.error().message;
    ASSERT_EQ(reports->size(), 2u);
    for (const auto& r : *reports) EXPECT_EQ(r.eligible, r.workerId == ok) << r.workerId;
    EXPECT_FALSE(checkSittingEligibility(*m_store, 999));
}
