// Kiosk flows in-process: the real screens, flow, session, idle timeout and database thread over a demo-seeded
// SQLite file, driven frame by frame by the headless driver with the same script steps as the Xvfb scenarios.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/config.hpp"
#include "pg_test_database.hpp"
#include "test_support.hpp"
#include "training/exam_store.hpp"
#include "training/id_number.hpp"
#include "training/store.hpp"
#include "ui/headless.hpp"

namespace ts = testsupport;

namespace {

constexpr const char* kPin = "135790";
constexpr const char* kWrongPin = "246801";
/// The demo center's trainer (staff 2) confirms identities.
constexpr const char* kTrainer = "2";

class KioskFlow : public ::testing::Test {
protected:
    void SetUp() override {
        const auto kioskctl = ts::env("KIOSKCTL");
        ASSERT_FALSE(kioskctl.empty()) << "KIOSKCTL is set by CTest";
        m_db = m_tmp / "center.db";
        // On the PostgreSQL fixture the kiosk works on a server database of the test's own; the test folder is
        // the center folder (the key demo-seed makes and the kiosk signs with).
        if (m_ownServer) {
            // A cluster of this test's own, which it stops and starts again (the shared fixture's must not).
            const auto script = ts::env("KIOSK_PG_FIXTURE");
            if (script.empty() || !std::filesystem::exists("/usr/lib/postgresql/15/bin/initdb"))
                GTEST_SKIP() << "needs PostgreSQL 15 (package postgresql-15) and KIOSK_PG_FIXTURE, set by CTest";
            m_serverState = m_tmp / "pg";
            auto started = server("start");
            ASSERT_EQ(started.exitCode, 0) << started.err;
            const auto admin = ts::readFile(m_serverState / "uri");  // written without a newline
            auto db = training::Database::open(admin, {});
            ASSERT_TRUE(db) << db.error().message;
            ASSERT_TRUE(db->exec("CREATE DATABASE center"));
            m_db = ts::withDatabase(admin, "center");
        } else if (ts::onPostgres()) {
            m_pg.emplace();
            ASSERT_FALSE(m_pg->uri().empty()) << "no PostgreSQL test database";
            m_db = m_pg->uri();
        }
        auto seeded = ts::run({kioskctl, "--db", m_db.string(), "--center-dir", m_tmp.path().string(), "demo-seed"});
        ASSERT_EQ(seeded.exitCode, 0) << seeded.err;
        auto store = openStore();
        ASSERT_TRUE(store);
        for (std::int64_t id = 1; id <= 3; ++id) ASSERT_TRUE(store->setStaffPin(id, kPin, "test"));
        auto workers = store->listWorkers({});
        ASSERT_TRUE(workers);
        ASSERT_GE(workers->size(), 6u);
        std::ranges::sort(*workers, {}, &training::Worker::id);
        m_workers = *workers;
        auto course = store->course("badge");
        ASSERT_TRUE(course);
        m_courseId = course->id;
        // A session running now with every worker on its roster (demo-seed's own runs in room 101 with its trainer).
        const auto now = store->now();
        auto s = store->addSession(course->id, "safety", std::nullopt, "102", now - 600, now + 7200, "test");
        ASSERT_TRUE(s) << s.error().message;
        m_sessionId = s->id;
        for (const auto& w : m_workers) ASSERT_TRUE(store->addToRoster(s->id, w.id, "test"));
        ts::writeFile(m_tmp / "kiosk.toml",
                      "[card_reader]\nkind = \"none\"\n[camera]\nsource = \"none\"\n[speech]\nenabled = false\n");
    }

    void TearDown() override {
        m_kiosk.reset();
        if (!m_serverState.empty()) (void)server("stop");
    }

    /// pg_fixture.sh @p command (start, kill, restart, stop) on this test's own cluster.
    ts::RunResult server(const std::string& command) {
        return ts::run({"/bin/sh", ts::env("KIOSK_PG_FIXTURE"), command, m_serverState.string()});
    }

    std::unique_ptr<training::Store> openStore() {
        auto s = training::Store::open(m_db, {});
        EXPECT_TRUE(s) << (s ? "" : s.error().message);
        return s ? std::move(*s) : nullptr;
    }

    /// The kiosk on the seeded database (opened as `kiosk` opens it).
    kiosk::ui::HeadlessKiosk& kiosk() {
        if (!m_kiosk) m_kiosk = openKiosk("K01");
        return *m_kiosk;
    }

    /// A kiosk named @p kioskId on the seeded database.
    std::unique_ptr<kiosk::ui::HeadlessKiosk> openKiosk(const std::string& kioskId) {
        std::unique_ptr<kiosk::ui::HeadlessKiosk> out;
        {
            auto config = kiosk::loadConfig(m_tmp / "kiosk.toml");
            EXPECT_TRUE(config) << (config ? "" : config.error().message);
            auto store = training::Store::open(m_db, {.create = false, .integrity = training::IntegrityCheck::Always});
            EXPECT_TRUE(store) << (store ? "" : store.error().message);
            kiosk::ui::HeadlessOptions o;
            o.config = config.value_or(kiosk::Config{});
            o.config.database.centerDir = m_tmp.path().string();
            o.config.ui.kioskId = kioskId;
            o.databasePath = m_db;
            o.scriptDir = m_tmp.path();
            auto k = kiosk::ui::HeadlessKiosk::open(std::move(o), store ? std::move(*store) : nullptr);
            EXPECT_TRUE(k) << (k ? "" : k.error().message);
            if (k) out = std::move(*k);
        }
        return out;
    }

    /// Runs @p script on the kiosk; the test fails (with the step and why) unless every step was done.
    kiosk::ui::HeadlessRun run(const std::string& script) {
        auto r = kiosk().run(script);
        EXPECT_EQ(r.status, 0) << r.failure;
        return r;
    }

    void signConsentsFor(std::int64_t workerId) {
        auto store = openStore();
        const std::vector<std::uint8_t> signature{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0};
        for (auto k : {training::ConsentKind::Commitment, training::ConsentKind::CreditCheck,
                       training::ConsentKind::Biometric})
            ASSERT_TRUE(store->addConsent(workerId, k, "2026.1/zh-CN", "text", signature, "test"));
    }

    static std::string staffPin(const std::string& pin) {
        return "wait-screen staff-pin\ntype " + std::string(kTrainer) + "\ntap staff-next\ntype " + pin + "\ntap ok\n";
    }
    /// The ID number typed on the keypad, the trainer confirms the person with their PIN.
    static std::string identify(const std::string& doc) {
        return "wait-screen attract\ntap begin\nwait-screen identify\ntype " + doc + "\ntap ok\n" + staffPin(kPin);
    }

    /// Display positions to tap for each item of @p workerId's paper in sitting 1: the right ones.
    std::vector<std::vector<int>> rightTaps(std::int64_t workerId) {
        auto store = openStore();
        training::ExamStore exams(*store);
        auto paper = exams.previewPaper(1, workerId);
        EXPECT_TRUE(paper) << (paper ? "" : paper.error().message);
        std::vector<std::vector<int>> out;
        if (!paper) return out;
        for (const auto& item : paper->items) {
            std::vector<int> taps;
            for (std::size_t pos = 0; pos < item.optionOrder.size(); ++pos)
                if (item.question.isCorrect(static_cast<std::size_t>(item.optionOrder[pos])))
                    taps.push_back(static_cast<int>(pos));
            out.push_back(taps);
        }
        return out;
    }
    static std::string answer(const std::vector<std::vector<int>>& taps, std::size_t from, std::size_t to) {
        std::string s;
        for (std::size_t i = from; i < to; ++i) {
            s += "expect 第 " + std::to_string(i + 1) + " 题 / 共 " + std::to_string(taps.size()) + " 题\n";
            for (int p : taps[i]) s += "tap opt-" + std::to_string(p) + "\n";
            s += "expect 已保存\n";
            if (i + 1 < taps.size()) s += "tap next\n";
        }
        return s;
    }

    ts::TempDir m_tmp;
    std::optional<ts::PgTestDatabase> m_pg;  ///< on the PostgreSQL fixture: the test's database
    std::filesystem::path m_db;               ///< the file, or the URI of m_pg
    std::vector<training::Worker> m_workers;
    std::int64_t m_courseId{0};
    std::int64_t m_sessionId{0};
    std::unique_ptr<kiosk::ui::HeadlessKiosk> m_kiosk;
    bool m_ownServer{false};             ///< SetUp starts a PostgreSQL cluster of the test's own
    std::filesystem::path m_serverState;  ///< its pg_fixture.sh state folder
};

/// The kiosk on a center server that goes away: a cluster of the test's own, killed and started again.
class KioskServerLink : public KioskFlow {
protected:
    KioskServerLink() { m_ownServer = true; }
};

TEST_F(KioskFlow, ATypedIdNumberConfirmedByStaffSignsInAndChecksInAndOut) {
    const auto& w = m_workers[0];
    signConsentsFor(w.id);
    const std::string sid = std::to_string(m_sessionId);
    run(identify(w.identity.docNumber) + "wait-screen home\nexpect 您好，" + w.identity.name +
        "\nexpect-signed-in\ntap attendance\nwait-screen attendance\nexpect-enabled checkin-" + sid + "\ntap checkin-" +
        sid + "\nexpect 签到成功\n");
    {
        auto store = openStore();
        auto att = store->attendanceOf(w.id);
        ASSERT_TRUE(att);
        auto it = std::ranges::find(*att, m_sessionId, &training::Attendance::sessionId);
        ASSERT_NE(it, att->end()) << "the check-in is on disk once the screen says so";
        EXPECT_FALSE(it->checkOutAt.has_value());
        EXPECT_EQ(it->checkInMethod, "staff") << "no camera: the trainer confirmed the person";
    }
    run("expect-enabled checkout-" + sid + "\ntap checkout-" + sid + "\nexpect 签退成功\ntap logout\n"
        "wait-screen attract\nexpect-signed-out\n");
    auto store = openStore();
    auto att = store->attendanceOf(w.id);
    ASSERT_TRUE(att);
    auto it = std::ranges::find(*att, m_sessionId, &training::Attendance::sessionId);
    ASSERT_NE(it, att->end());
    EXPECT_TRUE(it->checkOutAt.has_value());
    auto audit = store->auditEntries(0, 100000);
    ASSERT_TRUE(audit);
    EXPECT_TRUE(std::ranges::any_of(*audit, [&](const training::AuditEntry& e) {
        return e.actor == "staff:2" && e.subject == "worker:" + std::to_string(w.id);
    })) << "the trainer's confirmation is recorded with their id";
}

TEST_F(KioskFlow, TheExamIsStartedAnsweredFlaggedAndSubmittedToItsResult) {
    const auto& w = m_workers[1];
    signConsentsFor(w.id);
    auto taps = rightTaps(w.id);
    ASSERT_GT(taps.size(), 3u);
    run(identify(w.identity.docNumber) + "wait-screen home\ntap exam\nwait-screen exam\n" + answer(taps, 0, 2) +
        "tap flag\nexpect 取消标记\n" + answer(taps, 2, taps.size()) +
        "tap submit\nexpect 确认交卷？\nexpect 有 1 题已标记\ntap confirm-submit\nwait-screen exam-result\n"
        "expect 恭喜，考试合格\ntap progress\nwait-screen progress\nexpect 考试：已合格\n");
    auto store = openStore();
    training::ExamStore exams(*store);
    auto result = exams.latestResult(w.id, m_courseId);
    ASSERT_TRUE(result && result->has_value());
    EXPECT_TRUE((*result)->first);
    EXPECT_DOUBLE_EQ((*result)->second, 100.0);
    auto ids = exams.attemptsOf(1);
    ASSERT_TRUE(ids);
    ASSERT_EQ(ids->size(), 1u);
    auto attempt = exams.loadAttempt(ids->front());
    ASSERT_TRUE(attempt) << attempt.error().message;
    EXPECT_EQ(attempt->workerId, w.id);
    EXPECT_EQ(attempt->attempt.status(), exam::AttemptStatus::Submitted);
    EXPECT_EQ(attempt->attempt.flaggedItems(), std::vector<int>{2}) << "the third question was flagged";
}

TEST_F(KioskFlow, AWorkerWhoseKioskDiesResumesAtAnotherWithTheSameAnswersAndTimeLeft) {
    const auto& w = m_workers[1];
    signConsentsFor(w.id);
    auto taps = rightTaps(w.id);
    ASSERT_GT(taps.size(), 3u);
    run(identify(w.identity.docNumber) + "wait-screen home\ntap exam\nwait-screen exam\n" + answer(taps, 0, 2) +
        "expect 第 3 题 / 共\n");
    auto store = openStore();
    ASSERT_TRUE(store);
    training::ExamStore exams(*store);
    const auto lineOf = [&]() -> std::optional<training::ProctorLine> {
        auto board = exams.proctorBoard(1);
        EXPECT_TRUE(board) << (board ? "" : board.error().message);
        if (!board) return std::nullopt;
        for (const auto& l : *board)
            if (l.workerId == w.id) return l;
        return std::nullopt;
    };
    auto before = lineOf();
    ASSERT_TRUE(before);
    EXPECT_EQ(before->terminal, "K01");
    EXPECT_EQ(before->answered, 2);
    auto ids = exams.attemptsOf(1);
    ASSERT_TRUE(ids && ids->size() == 1u);
    auto started = exams.loadAttempt(ids->front());
    ASSERT_TRUE(started);
    // K01 goes away mid-exam (its process ends; nothing is handed in), the worker walks to K02.
    m_kiosk.reset();
    auto k02 = openKiosk("K02");
    ASSERT_TRUE(k02);
    auto resumed = k02->run(identify(w.identity.docNumber) + "wait-screen home\ntap exam\nwait-screen exam\n"
                            "expect 第 3 题 / 共\ntap prev\nexpect 第 2 题 / 共\nexpect √ 已保存\n");
    EXPECT_EQ(resumed.status, 0) << resumed.failure;
    auto after = lineOf();
    ASSERT_TRUE(after);
    EXPECT_EQ(after->terminal, "K02") << "the board shows the kiosk the worker is at now";
    EXPECT_EQ(after->answered, 2);
    EXPECT_EQ(after->attemptId, before->attemptId) << "the same attempt, not a new one";
    auto again = exams.loadAttempt(ids->front());
    ASSERT_TRUE(again);
    const auto now = exam::fromUnix(store->now());
    EXPECT_EQ(again->attempt.remaining(now), started->attempt.remaining(now)) << "the clock runs on from the same deadline";
    EXPECT_GT(again->attempt.remaining(now).count(), 0);
    for (int i = 0; i < 2; ++i)
        EXPECT_EQ(again->attempt.response(i).chosen, started->attempt.response(i).chosen) << "question " << i + 1;
    k02.reset();
}

// Issue 13, point 4: live screens hear of changes made elsewhere. On a center server the board reloads when the
// server says that something on it changed (its slow fallback is 15 s, longer than an `expect` waits); on an SQLite
// file any commit by another connection is noticed.
TEST_F(KioskFlow, TheProctorBoardShowsAnAnswerGivenAtAnotherKioskWhenTheServerSaysSo) {
    const auto& w = m_workers[2];
    run("wait-screen attract\ntap staff\n" + staffPin(kPin) +
        "wait-screen staff-home\ntap proctor\nwait-screen proctor\nexpect 监考看板\nexpect " + w.identity.name + "\n");
    {
        auto store = openStore();
        ASSERT_TRUE(store);
        training::ExamStore exams(*store);
        ASSERT_TRUE(exams.admitCandidate(1, w.id, 2, kPin));
        auto a = exams.startAttempt(1, w.id, "kiosk:K02");
        ASSERT_TRUE(a) << a.error().message;
        ASSERT_TRUE(exams.reportPresence(a->id, true, "K02"));
        ASSERT_TRUE(exams.answer(*a, 0, {0}));
    }
    run("expect 已答 1 · 标记 0\nexpect 在考试界面（K02）\n");
}

// ... and an exam screen hears that the trainer paused its sitting at the desk.
TEST_F(KioskFlow, AnExamScreenShowsAPauseMadeAtTheTrainersDesk) {
    const auto& w = m_workers[1];
    signConsentsFor(w.id);
    run(identify(w.identity.docNumber) + "wait-screen home\ntap exam\nwait-screen exam\nexpect 第 1 题 / 共\n");
    {
        auto store = openStore();
        ASSERT_TRUE(store);
        training::ExamStore exams(*store);
        ASSERT_TRUE(exams.pauseSitting(1, "staff:2"));
    }
    // On SQLite the exam screen looks every 10 s (an `expect` waits 10 s: the sleep covers the time since it last
    // looked); on a server it is told at once.
    const std::string meanwhile = ts::onPostgres() ? "" : "sleep 3\n";
    run(meanwhile + "expect 考试已被监考老师暂停\n");
    {
        auto store = openStore();
        ASSERT_TRUE(store);
        training::ExamStore exams(*store);
        ASSERT_TRUE(exams.resumeSitting(1, "staff:2"));
    }
    run(meanwhile + "expect-gone 考试已被监考老师暂停\nexpect 第 1 题 / 共\n");
}

TEST_F(KioskFlow, AFirstRegistrationSignsTheConsents) {
    const std::string first17 = "11010119900307002";
    const std::string doc = first17 + training::chinaIdCheckCharacter(first17);
    run("wait-screen attract\ncard present " + doc + " 赵敏 F 1990-03-07\nwait-screen consent\n"
        "expect 人脸识别信息处理单独同意书\nsign\ntap sign\nwait-screen photo\nexpect 赵敏\ntap call-staff\n" +
        staffPin(kPin) +
        "wait-screen register\ntype 13912345678\ntap next\ntap svc-cleaning\ntap svc-elder-care\ntap next\n"
        "tap edu-junior\ntap next\ntap agency-1\ntap next\n"
        "wait-screen consent\nsign\ntap sign\nexpect 第 2 份\nsign\ntap sign\n"
        "wait-screen home\nexpect 您好，赵敏\n");
    auto store = openStore();
    auto w = store->findWorkerByDocument(doc);
    ASSERT_TRUE(w) << w.error().message;
    EXPECT_EQ(w->identity.name, "赵敏");
    EXPECT_EQ(w->profile.phone, "13912345678");
    ASSERT_TRUE(w->profile.serviceTypes);
    EXPECT_EQ(w->profile.serviceTypes->size(), 2u);
    EXPECT_EQ(w->profile.education, "junior");
    EXPECT_EQ(w->profile.agencyId, 1);
    EXPECT_EQ(w->identityMethod, "staff");
    auto consents = store->consents(w->id);
    ASSERT_TRUE(consents);
    ASSERT_EQ(consents->size(), 3u) << "biometric before the camera, then commitment and credit check";
    for (const auto& c : *consents) {
        EXPECT_EQ(c.textSha256.size(), 64u);
        EXPECT_GT(c.signaturePng.size(), 100u) << "a real stroke, not an empty image";
    }
}

// Issue 15, point 2: a worker who declined face recognition is verified by staff, and later visits go to staff
// straight away (the decline is recorded, the consent is not asked again at the door); "my data" lets them agree
// later, and from then on the camera is used.
TEST_F(KioskFlow, ADeclineIsRecordedAndLaterVisitsGoToStaffUntilTheWorkerAgreesAtMyData) {
    const std::string first17 = "11010119900307002";
    const std::string doc = first17 + training::chinaIdCheckCharacter(first17);
    const std::string card = "card present " + doc + " 赵敏 F 1990-03-07\n";
    run("wait-screen attract\n" + card + "wait-screen consent\nexpect 人脸识别信息处理单独同意书\ntap decline-face\n" +
        staffPin(kPin) +
        "wait-screen register\ntype 13912345678\ntap next\ntap svc-cleaning\ntap next\ntap edu-junior\ntap next\n"
        "tap agency-1\ntap next\nwait-screen consent\nsign\ntap sign\nexpect 第 2 份\nsign\ntap sign\n"
        "wait-screen home\nexpect 您好，赵敏\ntap logout\nwait-screen attract\n");
    std::int64_t id = 0;
    {
        auto store = openStore();
        auto w = store->findWorkerByDocument(doc);
        ASSERT_TRUE(w) << w.error().message;
        id = w->id;
        auto declined = store->latestAudit("worker:" + std::to_string(id), "consent.decline");
        ASSERT_TRUE(declined) << declined.error().message;
        EXPECT_TRUE(declined->has_value()) << "the decline is recorded with the registration";
        ASSERT_TRUE(store->addToRoster(m_sessionId, id, "test"));
    }
    // A later visit: straight to staff (no consent screen), then a staff check-in.
    const std::string sid = std::to_string(m_sessionId);
    run(card + "wait-screen staff-pin\nexpect-not 人脸识别信息处理单独同意书\n" + staffPin(kPin) +
        "wait-screen home\ntap attendance\nwait-screen attendance\ntap checkin-" + sid + "\nexpect 签到成功\n");
    {
        auto store = openStore();
        auto att = store->attendanceOf(id);
        ASSERT_TRUE(att);
        ASSERT_EQ(att->size(), 1u);
        EXPECT_EQ(att->front().checkInMethod, "staff");
        auto c = store->consents(id);
        ASSERT_TRUE(c);
        EXPECT_FALSE(std::ranges::any_of(*c, [](const auto& x) { return x.kind == training::ConsentKind::Biometric; }));
    }
    // Changed their mind: "my data" offers the consent; "not now" changes nothing, signing gives it.
    run("tap back\nwait-screen home\ntap my-data\nwait-screen my-data\nexpect 您未同意人脸识别\n"
        "tap give-face-consent\nwait-screen consent\nexpect 人脸识别信息处理单独同意书\nexpect-not 不同意人脸识别，由工作人员当面核验\n"
        "tap logout\nwait-screen my-data\ntap give-face-consent\nwait-screen consent\nsign\ntap sign\n"
        "wait-screen my-data\nexpect 人脸信息处理单独同意书》\nexpect-enabled withdraw-face\ntap logout\n"
        "wait-screen attract\n");
    {
        auto store = openStore();
        auto c = store->consents(id);
        ASSERT_TRUE(c);
        EXPECT_EQ(std::ranges::count_if(*c, [](const auto& x) {
                      return x.kind == training::ConsentKind::Biometric && !x.withdrawnAt;
                  }),
                  1);
    }
    // From now on the camera: the next visit goes to the live photo.
    run(card + "wait-screen photo\n");
}

TEST_F(KioskFlow, AWrongStaffPinIsRefusedAndTheRightOneSignsIn) {
    run("wait-screen attract\ntap staff\n" + staffPin(kWrongPin) +
        "expect 密码错误\nwait-screen staff-pin\nexpect-signed-out\n");
    EXPECT_EQ(kiosk().screen(), "staff-pin");
    {
        auto store = openStore();
        auto staff = store->staff(2);
        ASSERT_TRUE(staff);
        EXPECT_EQ(staff->failedAttempts, 1);
    }
    run("type " + std::string(kPin) + "\ntap ok\nwait-screen staff-home\nexpect-signed-in\nexpect 考试场次\n");
    auto store = openStore();
    auto staff = store->staff(2);
    ASSERT_TRUE(staff);
    EXPECT_EQ(staff->failedAttempts, 0) << "a right PIN clears the count";
    auto audit = store->auditEntries(0, 100000);
    ASSERT_TRUE(audit);
    std::vector<std::string> logins;
    for (const auto& e : *audit)
        if (e.subject == "staff:2" && e.action.starts_with("staff.login")) logins.push_back(e.action);
    EXPECT_EQ(logins, (std::vector<std::string>{"staff.login-failed", "staff.login"}));
}

TEST_F(KioskFlow, TheIdleTimeoutReturnsToTheAttractScreenAndForgetsTheWorker) {
    const auto& w = m_workers[0];
    signConsentsFor(w.id);
    run(identify(w.identity.docNumber) + "wait-screen home\nexpect " + w.identity.name + "\nexpect-signed-in\n");
    EXPECT_TRUE(kiosk().signedIn());
    run("set idle-timeout 2\nsleep 3\nwait-screen attract 5\nexpect-signed-out\nexpect-not " + w.identity.name +
        "\nset idle-timeout 120\ntap begin\nwait-screen identify\nexpect 18 位身份证号\n");
    EXPECT_FALSE(kiosk().signedIn()) << "the worker is forgotten";
    EXPECT_EQ(kiosk().screen(), "identify");
}

TEST_F(KioskFlow, OnlyAnAdminPinClosesTheKiosk) {
    // The trainer signs in, asks to leave the kiosk and is refused; the admin (staff 1) closes it.
    run("wait-screen attract\ntap staff\n" + staffPin(kPin) + "wait-screen staff-home\ntap exit-kiosk\n" +
        staffPin(kPin) + "expect 只有管理员可以退出终端\nwait-screen staff-pin\n");
    EXPECT_FALSE(kiosk().closed()) << "a trainer's PIN does not close the kiosk";
    // The run ends when the kiosk closes; the long sleep is only what it waits for at most.
    // Back from the PIN comes to an empty keypad: the trainer's number is not left for the next person.
    run("tap back\nexpect-disabled staff-next\ntype 1\ntap staff-next\ntype " + std::string(kPin) +
        "\ntap ok\nsleep 20\n");
    EXPECT_TRUE(kiosk().closed()) << "the admin's PIN closes the kiosk";
    auto after = kiosk().run("wait-screen attract\n");
    EXPECT_EQ(after.status, 3);
    EXPECT_NE(after.failure.find("closed"), std::string::npos) << after.failure;
}

TEST_F(KioskFlow, ExpectSignedOutFailsWhileSomeoneIsSignedIn) {
    const auto& w = m_workers[0];
    signConsentsFor(w.id);
    run(identify(w.identity.docNumber) + "wait-screen home\n");
    auto r = kiosk().run("expect-signed-out\n");
    EXPECT_EQ(r.status, 3);
    EXPECT_NE(r.failure.find("someone is still signed in"), std::string::npos) << r.failure;
}

TEST_F(KioskFlow, AStepThatCannotHappenFailsTheRunAndScreenshotsAreSkippedWithANote) {
    run("wait-screen attract\nscreenshot attract.png\n");
    ASSERT_FALSE(kiosk().log().empty());
    EXPECT_NE(kiosk().log().back().find("attract.png skipped"), std::string::npos) << kiosk().log().back();
    EXPECT_FALSE(std::filesystem::exists(m_tmp / "attract.png"));
    auto r = kiosk().run("wait-screen attract\ntap no-such-button\n");
    EXPECT_EQ(r.status, 3);
    EXPECT_NE(r.failure.find("script line 2"), std::string::npos) << r.failure;
    auto crash = kiosk().run("crash\n");
    EXPECT_EQ(crash.status, 3);
    EXPECT_NE(crash.failure.find("cannot be killed"), std::string::npos) << crash.failure;
}

}  // namespace

TEST_F(KioskServerLink, AnAnswerGivenWhileTheServerIsDownIsNotShownSavedAndIsSavedWhenItIsBack) {
    const auto& w = m_workers[1];
    signConsentsFor(w.id);
    auto taps = rightTaps(w.id);
    ASSERT_GT(taps.size(), 3u);
    ASSERT_EQ(taps[0].size(), 1u) << "the demo bank's first question has one right answer";
    ASSERT_EQ(taps[1].size(), 1u) << "the demo bank's second question has one right answer";
    run(identify(w.identity.docNumber) + "wait-screen home\ntap exam\nwait-screen exam\n" + answer(taps, 0, 2) +
        "expect 第 3 题 / 共\ntap prev\nexpect 第 2 题 / 共\nexpect √ 已保存\n");
    // The answer to question 2 is on the server; now the server dies (as a power cut or a crash would).
    auto killed = server("kill");
    ASSERT_EQ(killed.exitCode, 0) << killed.err;
    // The worker changes the answer of question 2 while the server is down: the screen stays, says it is not
    // saved, and the banner says why.
    const std::string other = std::to_string(taps[1][0] == 0 ? 1 : 0);
    run("tap opt-" + other + "\nexpect 与中心服务器的连接已中断\nexpect 尚未保存：服务器连接中断\nexpect-not 已保存\n"
        "wait-screen exam\nexpect-signed-in\n");
    auto restarted = server("restart");
    ASSERT_EQ(restarted.exitCode, 0) << restarted.err;
    // Back: the kiosk finds the server (backoff up to 8 s), sends the answer again, and only then says saved.
    run("sleep 6\nexpect √ 已保存\nexpect-not 与中心服务器的连接已中断\nexpect-not 尚未保存\n");
    auto store = openStore();
    ASSERT_TRUE(store);
    training::ExamStore exams(*store);
    auto ids = exams.attemptsOf(1);
    ASSERT_TRUE(ids);
    ASSERT_EQ(ids->size(), 1u);
    auto attempt = exams.loadAttempt(ids->front());
    ASSERT_TRUE(attempt) << attempt.error().message;
    // Responses hold the options' places in the question; the taps were places on the screen.
    const auto& paper = attempt->attempt.paper();
    const auto original = [&](int item, int shown) { return paper.items[static_cast<std::size_t>(item)].optionOrder[static_cast<std::size_t>(shown)]; };
    EXPECT_EQ(attempt->attempt.response(0).chosen, std::vector<int>{original(0, taps[0][0])})
        << "the answer saved before the server died is kept";
    EXPECT_EQ(attempt->attempt.response(1).chosen, std::vector<int>{original(1, std::stoi(other))})
        << "the answer given while it was down reached it once it was back";
}
