// The center's operations (center::Operations): each one transaction, each audited with who acted, the same
// for the kiosk and kioskctl. Run against a real SQLite file with a manual clock.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>

#include "../training/store_fixture.hpp"
#include "center/demo_seed.hpp"
#include "center/operations.hpp"
#include "certification_fixture.hpp"
#include "training/eligibility.hpp"
#include "training/validation.hpp"

namespace {

using center::IdentityMethod;
using training::ConsentKind;
using training::ErrorCode;

class OperationsTest : public testsupport::StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        // The test folder is the center folder (on PostgreSQL the database has none).
        m_paths = center::CenterPaths::forDatabase(dbPath(), m_dir.path());
        m_paths.key = m_dir / "center.key";
        auto k = training::ensureCenterKey(*m_store, m_paths.key, "test");
        ASSERT_TRUE(k) << k.error().message;
        m_ops = std::make_unique<center::Operations>(*m_store, m_paths);
        m_course = m_store->course("badge").value();
    }
    [[nodiscard]] static training::WorkerIdentity identity(const std::string& first17, const std::string& name) {
        training::WorkerIdentity id;
        id.docNumber = first17 + training::chinaIdCheckCharacter(first17);
        id.name = name;
        return id;
    }
    [[nodiscard]] std::int64_t auditRows() {
        auto rows = m_store->auditEntries(0, 100000);
        EXPECT_TRUE(rows);
        return rows ? static_cast<std::int64_t>(rows->size()) : 0;
    }
    /// A session of @p module starting @p fromNow seconds from now, one hour long.
    training::Session session(const std::string& module, std::int64_t fromNow) {
        auto s = m_store->addSession(m_course.id, module, std::nullopt, "201", m_store->now() + fromNow,
                                     m_store->now() + fromNow + 3600, "test");
        EXPECT_TRUE(s) << s.error().message;
        return s.value_or(training::Session{});
    }

    center::CenterPaths m_paths;
    std::unique_ptr<center::Operations> m_ops;
    training::Course m_course;
};

TEST_F(OperationsTest, RegistrationRecordsEverythingInOneTransaction) {
    const auto future = session("ethics", 2 * 86400);
    center::Registration reg{identity("31010119780312002", "王秀英"), {}, IdentityMethod::ChipPa, 7, 0.71, true};
    reg.profile.phone = "13800138000";
    auto st = m_ops->registerWorker(reg, "kiosk:K01");
    ASSERT_TRUE(st) << st.error().message;
    EXPECT_EQ(st->worker.identity.name, "王秀英");
    EXPECT_EQ(st->worker.identityMethod, "staff");  // the staff confirmation came last
    ASSERT_TRUE(st->worker.faceScore.has_value());
    EXPECT_DOUBLE_EQ(*st->worker.faceScore, 0.71);
    // Walk-in: on the roster of the coming session.
    auto roster = m_store->roster(future.id);
    ASSERT_TRUE(roster);
    ASSERT_EQ(roster->size(), 1u);
    EXPECT_EQ(roster->front().id, st->worker.id);
    // Every step audited with who acted, and the chain intact.
    auto rows = m_store->auditEntries(0, 1000);
    ASSERT_TRUE(rows);
    std::vector<std::string> actions;
    for (const auto& r : *rows)
        if (r.subject == "worker:" + std::to_string(st->worker.id)) actions.push_back(r.actor + " " + r.action);
    EXPECT_NE(std::ranges::find(actions, "kiosk:K01 worker.add"), actions.end());
    EXPECT_NE(std::ranges::find(actions, "kiosk:K01 worker.identity-verified"), actions.end());
    EXPECT_NE(std::ranges::find(actions, "staff:7 worker.identity-verified"), actions.end());
    EXPECT_NE(std::ranges::find(actions, "kiosk:K01 worker.face-verified"), actions.end());
    auto v = m_store->verifyAudit();
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->intact);
}

TEST_F(OperationsTest, ALateFailureLeavesNoHalfRegisteredWorker) {
    const auto before = auditRows();
    // The face score is not a number: the fourth step fails after the worker was added.
    center::Registration reg{identity("31010119780312002", "王秀英"), {}, IdentityMethod::Chip, std::nullopt,
                             std::numeric_limits<double>::quiet_NaN(), false};
    auto st = m_ops->registerWorker(reg, "kiosk:K01");
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, ErrorCode::InvalidInput);
    auto w = m_store->findWorkerByDocument(reg.identity.docNumber);
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().code, ErrorCode::NotFound) << "a half-registered worker was left behind";
    EXPECT_EQ(auditRows(), before);
    // The same person can register afterwards.
    reg.faceScore = 0.7;
    EXPECT_TRUE(m_ops->registerWorker(reg, "kiosk:K01"));
}

TEST_F(OperationsTest, ADuplicateDocumentIsAConflictAndChangesNothing) {
    center::Registration reg{identity("31010119780312002", "王秀英"), {}, IdentityMethod::Sam, std::nullopt,
                             std::nullopt, false};
    ASSERT_TRUE(m_ops->registerWorker(reg, "kiosk:K01"));
    const auto before = auditRows();
    auto again = m_ops->registerWorker(reg, "kiosk:K02");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::Conflict);
    EXPECT_EQ(auditRows(), before);
}

TEST_F(OperationsTest, IdentifyRecordsTheChipReadAndNamesTheConsentsTheRuleRequires) {
    // Unknown: what a new worker will have to sign comes from the course's rule.
    auto rule = training::certificationRule(*m_store, m_course.id).value();
    rule.consents = {ConsentKind::Commitment};
    ASSERT_TRUE(training::setCertificationRule(*m_store, m_course.id, rule, "test"));
    auto unknown = m_ops->identify(identity("31010119780312002", "王秀英").docNumber, IdentityMethod::Chip, "kiosk:K01");
    ASSERT_TRUE(unknown) << unknown.error().message;
    EXPECT_FALSE(unknown->known);
    EXPECT_EQ(unknown->requiredConsents, std::vector<ConsentKind>{ConsentKind::Commitment});

    center::Registration reg{identity("31010119780312002", "王秀英"), {}, IdentityMethod::Keypad, std::nullopt,
                             std::nullopt, false};
    ASSERT_TRUE(m_ops->registerWorker(reg, "kioskctl:clerk"));
    // Typed: found, nothing verified.
    auto typed = m_ops->identify(reg.identity.docNumber, IdentityMethod::Keypad, "kiosk:K01");
    ASSERT_TRUE(typed);
    ASSERT_TRUE(typed->known);
    EXPECT_FALSE(typed->known->worker.identityMethod.has_value());
    EXPECT_EQ(typed->known->missingConsents, std::vector<ConsentKind>{ConsentKind::Commitment});
    // Read from the chip: verified by that method.
    auto read = m_ops->identify(reg.identity.docNumber, IdentityMethod::ChipPa, "kiosk:K01");
    ASSERT_TRUE(read);
    ASSERT_TRUE(read->known);
    EXPECT_EQ(read->known->worker.identityMethod, "chip-pa");
}

TEST_F(OperationsTest, ASittingIsCreatedWithItsCandidatesOrNotAtAll) {
    testsupport::EligibleWorkerOptions o;
    o.exam = false;
    auto a = testsupport::makeEligibleWorker(*m_store, o);
    ASSERT_TRUE(a) << a.error().message;
    training::ExamStore& exams = m_ops->exams();
    ASSERT_TRUE(testsupport::certfixture::ensureBank(exams, m_course, "test"));
    training::SittingInput in;
    in.courseId = m_course.id;
    in.bankCode = testsupport::certfixture::kBank;
    in.title = "结业考试";
    in.blueprint = training::courseBlueprint(m_course, 1, std::chrono::minutes(30));
    const auto sittingsBefore = exams.listSittings().value().size();

    // A candidate who does not exist: no sitting is left behind.
    const std::vector<std::int64_t> bad{a->workerId, 9999};
    auto s = m_ops->createSitting(in, bad, "staff:2");
    ASSERT_FALSE(s);
    EXPECT_EQ(exams.listSittings().value().size(), sittingsBefore);

    const std::vector<std::int64_t> good{a->workerId, a->workerId};
    s = m_ops->createSitting(in, good, "staff:2");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(exams.candidates(s->id).value(), std::vector<std::int64_t>{a->workerId});
    // Adding the same candidate again is not an error and adds nobody.
    auto added = m_ops->addCandidates(s->id, good, "staff:2");
    ASSERT_TRUE(added);
    EXPECT_EQ(*added, 0);
}

TEST_F(OperationsTest, ASittingFromRostersSeatsEveryoneOnTheCoursesRostersOnce) {
    const auto s1 = session("ethics", -3600 * 2);
    const auto s2 = session("safety", -3600 * 4);
    center::Registration r1{identity("31010119780312002", "王秀英"), {}, IdentityMethod::Sam, std::nullopt,
                            std::nullopt, false};
    center::Registration r2{identity("11010519491231002", "张桂兰"), {}, IdentityMethod::Sam, std::nullopt,
                            std::nullopt, false};
    const auto w1 = m_ops->registerWorker(r1, "test").value().worker.id;
    const auto w2 = m_ops->registerWorker(r2, "test").value().worker.id;
    for (auto s : {s1.id, s2.id}) ASSERT_TRUE(m_store->addToRoster(s, w1, "test"));
    ASSERT_TRUE(m_store->addToRoster(s2.id, w2, "test"));
    ASSERT_TRUE(testsupport::certfixture::ensureBank(m_ops->exams(), m_course, "test"));
    training::SittingInput in;
    in.courseId = m_course.id;
    in.bankCode = testsupport::certfixture::kBank;
    in.title = "结业考试";
    in.blueprint = training::courseBlueprint(m_course, 1, std::chrono::minutes(30));
    auto s = m_ops->createSittingFromRosters(in, "staff:2");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->title, "结业考试");
    auto cands = m_ops->exams().candidates(s->id).value();
    std::ranges::sort(cands);
    EXPECT_EQ(cands, (std::vector<std::int64_t>{w1, w2}));
}

TEST_F(OperationsTest, IssueAndRenderRefusesTheIneligibleAndDrawsTheEligible) {
    testsupport::EligibleWorkerOptions o;
    o.healthCheck = false;
    auto notYet = testsupport::makeEligibleWorker(*m_store, o);
    ASSERT_TRUE(notYet) << notYet.error().message;
    const auto out = m_dir / "cert.pdf";
    auto refused = m_ops->issueAndRender(notYet->workerId, std::nullopt, training::DocumentKind::Certificate, out,
                                         "staff:3");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::Refused);
    EXPECT_FALSE(std::filesystem::exists(out));

    o = {};
    o.first17 = "11010519491231002";
    o.name = "张桂兰";
    auto w = testsupport::makeEligibleWorker(*m_store, o);
    ASSERT_TRUE(w) << w.error().message;
    auto r = m_ops->issueAndRender(w->workerId, std::nullopt, training::DocumentKind::Certificate, out, "staff:3");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_FALSE(r->certificate.number.empty());
    EXPECT_EQ(r->file, out);
    ASSERT_TRUE(std::filesystem::exists(out));
    std::ifstream in(out, std::ios::binary);
    std::string head(5, '\0');
    in.read(head.data(), 5);
    EXPECT_EQ(head, "%PDF-");
    // Issuing is idempotent: the badge card carries the same certificate.
    auto badge = m_ops->issueAndRender(w->workerId, std::nullopt, training::DocumentKind::Badge, {}, "staff:3");
    ASSERT_TRUE(badge) << badge.error().message;
    EXPECT_EQ(badge->certificate.number, r->certificate.number);
    EXPECT_GT(badge->document.pages, 1);
    // The issue is audited with who acted.
    auto rows = m_store->auditEntries(0, 100000).value();
    EXPECT_TRUE(std::ranges::any_of(rows, [](const auto& e) { return e.actor == "staff:3" && e.action == "certificate.issue"; }));
}

TEST_F(OperationsTest, ASubmissionBatchGoesIntoTheCentersBatchFolder) {
    auto w = testsupport::makeEligibleWorker(*m_store, {});
    ASSERT_TRUE(w) << w.error().message;
    auto out = m_ops->createSubmissionBatch(false, "staff:4");
    ASSERT_TRUE(out) << out.error().message;
    ASSERT_TRUE(out->batch);
    EXPECT_EQ(out->added, 1);
    EXPECT_EQ(out->batch->folder.parent_path(), m_paths.batches);
    // Nobody new: no second batch.
    auto again = m_ops->createSubmissionBatch(false, "staff:4");
    ASSERT_TRUE(again);
    EXPECT_FALSE(again->batch);
}

TEST_F(OperationsTest, RevokeIsAuditedAndCannotBeRepeated) {
    auto w = testsupport::makeEligibleWorker(*m_store, {});
    ASSERT_TRUE(w) << w.error().message;
    auto r = m_ops->issueAndRender(w->workerId, std::nullopt, training::DocumentKind::Certificate, {}, "staff:3");
    ASSERT_TRUE(r) << r.error().message;
    auto c = m_ops->revoke(r->certificate.number, "issued in error", "staff:1");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_TRUE(c->revokedAt.has_value());
    auto twice = m_ops->revoke(r->certificate.number, "again", "staff:1");
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, ErrorCode::Conflict);
}

TEST_F(OperationsTest, WithoutAKeyNothingIsIssued) {
    std::filesystem::remove(m_paths.key);
    center::Operations ops(*m_store, m_paths);
    auto w = testsupport::makeEligibleWorker(*m_store, {});
    ASSERT_TRUE(w) << w.error().message;
    auto r = ops.issueAndRender(w->workerId, std::nullopt, training::DocumentKind::Certificate, {}, "staff:3");
    ASSERT_FALSE(r);
    auto certs = training::Certificates(*m_store, nullptr).ofWorker(w->workerId);
    ASSERT_TRUE(certs);
    EXPECT_TRUE(certs->empty());
}

TEST(IdentityMethods, NamesRoundTrip) {
    for (auto m : {IdentityMethod::ChipPa, IdentityMethod::Chip, IdentityMethod::Sam, IdentityMethod::Staff,
                   IdentityMethod::Keypad})
        EXPECT_EQ(center::identityMethodFromName(center::identityMethodName(m)), m);
    EXPECT_FALSE(center::identityMethodFromName("chip-pa "));
}

}  // namespace

namespace {

TEST_F(OperationsTest, AnExamStartsOnlyAfterTheHoursAndResumesTheSameAttempt) {
    // One worker attended everything, one attended nothing; both are candidates of a sitting that requires the
    // course's attendance.
    testsupport::EligibleWorkerOptions o;
    o.exam = false;
    auto ready = testsupport::makeEligibleWorker(*m_store, o);
    ASSERT_TRUE(ready) << ready.error().message;
    center::Registration r{identity("11010519491231002", "张桂兰"), {}, IdentityMethod::Sam, std::nullopt,
                           std::nullopt, false};
    const auto newcomer = m_ops->registerWorker(r, "test").value().worker.id;
    ASSERT_TRUE(testsupport::certfixture::ensureBank(m_ops->exams(), m_course, "test"));
    training::SittingInput in;
    in.courseId = m_course.id;
    in.bankCode = testsupport::certfixture::kBank;
    in.title = "结业考试";
    in.blueprint = training::courseBlueprint(m_course, 1, std::chrono::minutes(30));
    in.requireAttendance = true;
    const std::vector<std::int64_t> both{ready->workerId, newcomer};
    auto s = m_ops->createSitting(in, both, "staff:2");
    ASSERT_TRUE(s) << s.error().message;
    ASSERT_TRUE(m_ops->exams().openSitting(s->id, "staff:2"));

    // Not yet: every module's hours are missing, and nothing was started.
    auto early = m_ops->startOrResumeAttempt(s->id, newcomer, "worker:" + std::to_string(newcomer), "K01");
    ASSERT_TRUE(early) << early.error().message;
    EXPECT_FALSE(early->attempt.has_value());
    EXPECT_EQ(early->missingHours.size(), m_course.modules.size());
    for (const auto& g : early->missingHours) EXPECT_GT(g.missingMinutes(), 0) << g.moduleCode;
    auto board = m_ops->exams().proctorBoard(s->id);
    ASSERT_TRUE(board);
    for (const auto& line : *board) EXPECT_FALSE(line.attemptId.has_value() && line.workerId == newcomer);

    // The trained worker starts; a second call (another kiosk after a crash) resumes the same attempt, and the
    // board shows the kiosk.
    auto first = m_ops->startOrResumeAttempt(s->id, ready->workerId, "worker:1", "K01");
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_TRUE(first->attempt.has_value());
    EXPECT_TRUE(first->missingHours.empty());
    auto again = m_ops->startOrResumeAttempt(s->id, ready->workerId, "worker:1", "K02");
    ASSERT_TRUE(again && again->attempt);
    EXPECT_EQ(again->attempt->id, first->attempt->id);
    board = m_ops->exams().proctorBoard(s->id);
    ASSERT_TRUE(board);
    auto line = std::ranges::find(*board, ready->workerId, &training::ProctorLine::workerId);
    ASSERT_NE(line, board->end());
    EXPECT_EQ(line->terminal, "K02");

    // Not a candidate: refused, as before.
    auto stranger = m_ops->startOrResumeAttempt(s->id, 9999, "worker:9999");
    ASSERT_FALSE(stranger);
}

// ---- the demo center (kioskctl demo-seed, make demo)

TEST_F(OperationsTest, TheDemoCenterIsSeededInOneGoAndOnlyOnce) {
    const auto before = auditRows();
    auto d = center::seedDemoCenter(*m_ops, std::filesystem::path(CENTER_TEST_ASSETS_DIR) / "question-banks", "test");
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->center.code, "T01") << "an initialised center keeps its own name";
    EXPECT_EQ(d->agencies.size(), 2u);
    ASSERT_EQ(d->staff.size(), 3u);
    EXPECT_EQ(d->workers.size(), 6u);
    EXPECT_EQ(d->sessions.size(), m_course.modules.size() + 1) << "every module, then one running now";
    ASSERT_TRUE(d->sitting);
    EXPECT_EQ(d->sitting->state, training::SittingState::Open);
    EXPECT_GT(d->questionsImported, 0);
    // The PIN shown once is the one stored (as a hash).
    auto admin = m_store->authenticateStaff(d->staff.front().staff.id, d->staff.front().pin);
    ASSERT_TRUE(admin) << admin.error().message;
    EXPECT_EQ(admin->role, training::Role::Admin);
    // Five workers attended the whole course; the sixth nothing.
    auto hours = m_store->hoursPerModule(d->workers.front().id, m_course.id);
    ASSERT_TRUE(hours);
    for (const auto& h : *hours) EXPECT_GE(h.attendedMinutes, h.requiredMinutes) << h.moduleCode;
    auto none = m_store->hoursPerModule(d->workers.back().id, m_course.id);
    ASSERT_TRUE(none);
    for (const auto& h : *none) EXPECT_EQ(h.attendedMinutes, 0) << h.moduleCode;
    EXPECT_GT(auditRows(), before) << "audited as who seeded";

    const auto after = auditRows();
    auto again = center::seedDemoCenter(*m_ops, std::filesystem::path(CENTER_TEST_ASSETS_DIR) / "question-banks",
                                        "test");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::Refused);
    EXPECT_EQ(auditRows(), after) << "a refused seed writes nothing";
}

TEST_F(OperationsTest, ADemoSeedWithABrokenBankNamesTheFileAndWritesNothing) {
    const auto banks = m_dir / "banks";
    std::filesystem::create_directories(banks);
    std::ofstream(banks / "broken.toml") << "[bank]\nid = \"x\"\n[[question]]\nid = 3\n";
    const auto before = auditRows();
    auto d = center::seedDemoCenter(*m_ops, banks, "test");
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().code, ErrorCode::Internal);
    EXPECT_NE(d.error().message.find("broken.toml"), std::string::npos) << d.error().message;
    auto agencies = m_store->listAgencies();
    ASSERT_TRUE(agencies);
    EXPECT_TRUE(agencies->empty());
    EXPECT_EQ(auditRows(), before);
}

// ---- the syllabus is course data

TEST_F(OperationsTest, ModuleNamesComeFromTheCourseData) {
    auto course = m_ops->badgeCourse();
    ASSERT_TRUE(course) << course.error().message;
    ASSERT_EQ(course->modules.size(), 7u);
    EXPECT_EQ(course->modules[3].code, "safety");
    EXPECT_EQ(course->modules[3].nameZh, "安全知识");
    EXPECT_EQ(course->modules[3].nameEn, "Safety knowledge");
    // A bank question of a module no course has is refused on import, naming the module and the course's modules.
    exam::Question q;
    q.id = "q1";
    q.module = "cooking";
    q.stem = {"题？", "Q?"};
    q.options = {exam::Option{{"对", "Yes"}, 100.0, {}}, exam::Option{{"错", "No"}, 0.0, {}}};
    auto imported = m_ops->exams().importQuestions("b", {"题库", "Bank"}, exam::MultipleScoring::AllOrNothing, {q},
                                                   "test");
    ASSERT_FALSE(imported);
    EXPECT_NE(imported.error().message.find("'cooking' is in no course"), std::string::npos)
        << imported.error().message;
    EXPECT_NE(imported.error().message.find("safety"), std::string::npos);
    q.module = "safety";
    EXPECT_TRUE(m_ops->exams().importQuestions("b", {"题库", "Bank"}, exam::MultipleScoring::AllOrNothing, {q}, "test"));
}

}  // namespace

// Issue 15, point 2: a decline of face recognition is remembered (the kiosk sends a returning worker to staff without
// asking again) until the worker signs the biometric consent; a withdrawal counts the same way.
TEST_F(OperationsTest, ADeclineOfFaceRecognitionIsRememberedUntilTheConsentIsSigned) {
    center::Registration reg{identity("31010119780312002", "王秀英"), {}, IdentityMethod::Chip, 7, std::nullopt, false};
    reg.faceDeclined = true;
    auto st = m_ops->registerWorker(reg, "kiosk:K01");
    ASSERT_TRUE(st) << st.error().message;
    EXPECT_TRUE(st->biometricDeclined);
    EXPECT_FALSE(st->biometricConsent);
    const auto id = st->worker.id;
    auto declined = m_store->latestAudit("worker:" + std::to_string(id), "consent.decline");
    ASSERT_TRUE(declined && declined->has_value());
    EXPECT_EQ((*declined)->actor, "kiosk:K01");
    // Another worker, registered with the consent: nothing declined.
    center::Registration other{identity("31010119800101001", "李娟"), {}, IdentityMethod::Chip, std::nullopt, 0.7, false};
    other.biometricConsent = center::SignedConsent{ConsentKind::Biometric, "2026.1/zh-CN", "text",
                                                   {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0}};
    auto o = m_ops->registerWorker(other, "kiosk:K01");
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_FALSE(o->biometricDeclined) << "no decline recorded with a signed consent";
    EXPECT_TRUE(o->biometricConsent);
    EXPECT_FALSE(m_ops->declineFaceRecognition(9999, "kiosk:K01")) << "no such worker";
    // The first worker changes their mind at "my data": the consent in force wins over the earlier decline.
    ASSERT_TRUE(m_store->addConsent(id, ConsentKind::Biometric, "2026.1/zh-CN", "text",
                                    {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0}, "kiosk:K01"));
    auto later = m_ops->loadWorkerState(id);
    ASSERT_TRUE(later) << later.error().message;
    EXPECT_TRUE(later->biometricConsent);
    EXPECT_FALSE(later->biometricDeclined);
    auto v = m_store->verifyAudit();
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->intact);
}
