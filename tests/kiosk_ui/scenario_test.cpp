// Scripted scenarios: the real kiosk under Xvfb (fixture xvfb, Mesa software OpenGL) on a demo-seeded
// database, driven by `kiosk --script`. Screenshots stay in the build tree as artifacts.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "pg_test_database.hpp"
#include "scenario_support.hpp"
#include "test_support.hpp"
#include "training/eligibility.hpp"
#include "training/exam_store.hpp"
#include "training/id_number.hpp"
#include "training/kiosk_roles.hpp"
#include "training/store.hpp"

namespace ts = testsupport;

namespace {

constexpr const char* kPin = "135790";

using kioskuitest::tinyPng;

class KioskScenario : public ::testing::Test {
protected:
    void SetUp() override {
        if (!std::filesystem::exists("/usr/bin/Xvfb")) GTEST_SKIP() << "Xvfb is not installed (package xvfb)";
        const auto kioskctl = ts::env("KIOSKCTL");
        ASSERT_FALSE(kioskctl.empty()) << "KIOSKCTL is set by CTest";
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_artifacts = std::filesystem::path(KIOSK_UI_ARTIFACTS) / info->name();
        std::filesystem::remove_all(m_artifacts);
        std::filesystem::create_directories(m_artifacts);
        m_db = m_tmp / "center.db";
        // On the PostgreSQL fixture (the _pg variant) the kiosks work on a server database of the test's own; the
        // test folder is the center folder.
        if (ts::onPostgres()) {
            m_pg.emplace();
            ASSERT_FALSE(m_pg->uri().empty()) << "no PostgreSQL test database";
            m_db = m_pg->uri();
        }
        auto seeded = ts::run({kioskctl, "--db", m_db.string(), "--center-dir", m_tmp.path().string(), "demo-seed"});
        ASSERT_EQ(seeded.exitCode, 0) << seeded.err;
        auto store = openStore();
        for (std::int64_t id = 1; id <= 3; ++id) ASSERT_TRUE(store->setStaffPin(id, kPin, "test"));
        auto workers = store->listWorkers({});
        ASSERT_TRUE(workers);
        ASSERT_GE(workers->size(), 6u);
        std::ranges::sort(*workers, {}, &training::Worker::id);
        m_workers = *workers;
        // A session running now, everyone on its roster.
        auto course = store->course("badge");
        ASSERT_TRUE(course);
        m_courseId = course->id;
        const auto now = store->now();
        // (demo-seed has one running now too, with the demo trainer in room 101: no trainer and another room here)
        auto s = store->addSession(course->id, "safety", std::nullopt, "102", now - 600, now + 7200, "test");
        ASSERT_TRUE(s) << s.error().message;
        m_sessionId = s->id;
        for (const auto& w : m_workers) ASSERT_TRUE(store->addToRoster(s->id, w.id, "test"));
        ts::writeFile(m_tmp / "kiosk.toml", kioskConfig("K01"));
    }

    /// The kiosk's configuration: no reader or camera, speech to files, the test folder as the center folder.
    [[nodiscard]] std::string kioskConfig(const std::string& kioskId) const {
        return "[database]\ncenter_dir = \"" + m_tmp.path().string() + "\"\n[ui]\nkiosk_id = \"" + kioskId +
               "\"\n[card_reader]\nkind = \"none\"\n[camera]\nsource = \"none\"\n[speech]\nenabled = true\n";
    }

    std::unique_ptr<training::Store> openStore() {
        auto s = training::Store::open(m_db, {});
        EXPECT_TRUE(s) << (s ? "" : s.error().message);
        return s ? std::move(*s) : nullptr;
    }

    void signConsentsFor(std::int64_t workerId) {
        auto store = openStore();
        for (auto k : {training::ConsentKind::Commitment, training::ConsentKind::CreditCheck,
                       training::ConsentKind::Biometric})
            ASSERT_TRUE(store->addConsent(workerId, k, "2026.1/zh-CN", "text", tinyPng(), "test"));
    }

    /// Runs the kiosk with @p script; returns its result (exit status 137 when the script crashed it).
    ts::RunResult runKiosk(const std::string& name, const std::string& script, const std::string& config = "kiosk.toml",
                           const std::string& window = "1280x800") {
        const auto file = m_artifacts / (name + ".script");
        ts::writeFile(file, script);
        return kioskuitest::runKioskUnderXvfb(KIOSK_BIN, m_kioskDb.empty() ? m_db : m_kioskDb, m_tmp / config, file,
                                              m_artifacts,
                                              std::filesystem::path(KIOSK_UI_SOURCE_DIR) / "lsan.supp", window);
    }

    static std::string identify(const std::string& doc) {
        return "wait-screen attract\ntap begin\nwait-screen identify\ntype " + doc +
               "\ntap ok\nwait-screen staff-pin\ntype 2\ntap staff-next\ntype " + kPin + "\ntap ok\n";
    }
    /// Signs the worker in (staff confirm) and opens the exam screen.
    static std::string openExam(const std::string& doc) {
        return identify(doc) + "wait-screen home\ntap exam\nwait-screen exam\n";
    }
    static std::string consents() {
        return "wait-screen consent\nsign\ntap sign\nexpect 第 2 份\nsign\ntap sign\n";
    }

    /// Display positions to tap for each item of the worker's paper: the right ones, or one wrong one.
    std::vector<std::vector<int>> plannedTaps(std::int64_t workerId, bool right) {
        auto store = openStore();
        training::ExamStore exams(*store);
        auto paper = exams.previewPaper(1, workerId);
        EXPECT_TRUE(paper) << (paper ? "" : paper.error().message);
        std::vector<std::vector<int>> out;
        if (!paper) return out;
        for (const auto& item : paper->items) {
            std::vector<int> taps;
            for (int pos = 0; pos < static_cast<int>(item.optionOrder.size()); ++pos) {
                const bool correct = item.question.isCorrect(static_cast<std::size_t>(item.optionOrder[static_cast<std::size_t>(pos)]));
                if (correct == right) taps.push_back(pos);
            }
            if (!right) taps.resize(1);
            out.push_back(taps);
        }
        return out;
    }
    static std::string answerItems(const std::vector<std::vector<int>>& taps, std::size_t from, std::size_t to) {
        std::string s;
        for (std::size_t i = from; i < to; ++i) {
            s += "expect 第 " + std::to_string(i + 1) + " 题 / 共 " + std::to_string(taps.size()) + " 题\n";
            for (int p : taps[i]) s += "tap opt-" + std::to_string(p) + "\n";
            s += "expect 已保存\n";
            if (i + 1 < taps.size()) s += "tap next\n";
        }
        return s;
    }

    void expectGoodShot(const std::string& name) { kioskuitest::expectGoodShot(m_artifacts / name); }

    /// The proctor board's line for @p workerId in sitting 1, seen at @p clock's time (now when null).
    std::optional<training::ProctorLine> boardLine(std::int64_t workerId,
                                                   std::shared_ptr<const training::Clock> clock = nullptr) {
        auto store = training::Store::open(m_db, {}, std::move(clock));
        EXPECT_TRUE(store) << (store ? "" : store.error().message);
        if (!store) return std::nullopt;
        training::ExamStore exams(**store);
        auto board = exams.proctorBoard(1);
        EXPECT_TRUE(board) << (board ? "" : board.error().message);
        if (!board) return std::nullopt;
        auto line = std::ranges::find(*board, workerId, &training::ProctorLine::workerId);
        if (line == board->end()) return std::nullopt;
        return *line;
    }

    ts::TempDir m_tmp;
    std::filesystem::path m_db;
    std::optional<ts::PgTestDatabase> m_pg;  ///< on the PostgreSQL fixture: the test's database
    std::filesystem::path m_kioskDb;         ///< what the kiosk opens when not m_db (a kiosk role's URI)
    std::filesystem::path m_artifacts;
    std::vector<training::Worker> m_workers;
    std::int64_t m_courseId{0};
    std::int64_t m_sessionId{0};
};

TEST_F(KioskScenario, AWindowManagerCloseRequestIsRefused) {
    // Alt+F4 or the title bar's close button reach the kiosk as WM_DELETE_WINDOW: a public kiosk ignores them (only
    // the admin exit leaves). kiosk_wm_close sends three such requests once the window is up; the script then
    // still runs to its end.
    const auto script = m_artifacts / "close.script";
    ts::writeFile(script, "wait-screen attract\nsleep 3\nwait-screen attract\nscreenshot after-close.png\nquit\n");
    const auto display = kioskuitest::fixtureDisplay();
    ASSERT_FALSE(display.empty()) << "no Xvfb display: run through ctest (its fixture xvfb starts Xvfb)";
    auto r = ts::run({KIOSK_WM_CLOSE_BIN, "--count", "3", "--delay", "0.3", "--", KIOSK_BIN, "--db", m_db.string(),
                      "--config", (m_tmp / "kiosk.toml").string(), "--window", "1280x800", "--script", script.string()},
                     {"DISPLAY=" + display, "KIOSK_SPEECH_WAV_DIR=" + (m_artifacts / "speech").string(),
                      "LIBGL_ALWAYS_SOFTWARE=1",
                      "LSAN_OPTIONS=suppressions=" + (std::filesystem::path(KIOSK_UI_SOURCE_DIR) / "lsan.supp").string(),
                      "ASAN_OPTIONS=detect_leaks=0"});
    EXPECT_NE(r.err.find("close-requests-sent 3"), std::string::npos) << r.err;
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(std::filesystem::exists(m_artifacts / "after-close.png")) << "the kiosk closed on WM_DELETE_WINDOW";
    EXPECT_NE(r.err.find("close request refused"), std::string::npos) << r.err;
}

TEST_F(KioskScenario, AttractScreenShowsPromptAndMissingDevices) {
    auto r = runKiosk("attract", "wait-screen attract\nexpect 请将证件放在读卡区\nexpect 未连接读卡器\nexpect 未连接摄像头\n"
                                 "screenshot attract.png\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("attract.png");
}

TEST_F(KioskScenario, FirstTimeRegistrationEndToEnd) {
    const std::string first17 = "11010119900307002";
    const std::string doc = first17 + training::chinaIdCheckCharacter(first17);
    std::string s = "wait-screen attract\ncard present " + doc +
                    " 赵敏 F 1990-03-07\nwait-screen consent\nexpect 人脸识别信息处理单独同意书\nexpect 摄像头未开启\n"
                    "screenshot consent-biometric.png\nsign\ntap sign\n"
                    "wait-screen photo\nexpect 赵敏\nscreenshot photo.png\ntap call-staff\n"
                    "wait-screen staff-pin\ntype 2\ntap staff-next\ntype " + kPin + "\ntap ok\n"
                    "wait-screen register\ntype 13912345678\nscreenshot register-phone.png\ntap next\n"
                    "tap svc-cleaning\ntap svc-elder-care\nscreenshot register-services.png\ntap next\n"
                    "tap edu-junior\ntap next\ntap agency-1\nscreenshot register-agency.png\ntap next\n" +
                    "wait-screen consent\nscreenshot consent.png\nsign\ntap sign\nexpect 第 2 份\nsign\n"
                    "screenshot consent-signed.png\ntap sign\n"
                    "wait-screen home\nexpect 您好，赵敏\nscreenshot home.png\ntap logout\nwait-screen attract\nquit\n";
    auto r = runKiosk("register", s);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    for (auto n : {"consent-biometric.png", "photo.png", "register-phone.png", "register-services.png", "consent.png",
                   "home.png"})
        expectGoodShot(n);
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
    auto c = store->consents(w->id);
    ASSERT_TRUE(c);
    ASSERT_EQ(c->size(), 3u);
    for (const auto& consent : *c) {
        EXPECT_EQ(consent.textVersion, "2026.1/zh-CN");
        EXPECT_EQ(consent.textSha256.size(), 64u);
        EXPECT_GT(consent.signaturePng.size(), 100u);  // a real stroke, not an empty image
    }
}

TEST_F(KioskScenario, CheckInAndOut) {
    signConsentsFor(m_workers[0].id);
    const std::string sid = std::to_string(m_sessionId);
    auto r = runKiosk("checkin", identify(m_workers[0].identity.docNumber) +
                                     "wait-screen home\ntap attendance\nwait-screen attendance\nexpect-enabled checkin-" + sid +
                                     "\nscreenshot attendance.png\ntap checkin-" + sid + "\nexpect 签到成功\ntap checkout-" + sid +
                                     "\nexpect 签退成功\nscreenshot checked-out.png\ntap logout\nwait-screen attract\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("attendance.png");
    auto store = openStore();
    auto att = store->attendanceOf(m_workers[0].id);
    ASSERT_TRUE(att);
    auto it = std::ranges::find(*att, m_sessionId, &training::Attendance::sessionId);
    ASSERT_NE(it, att->end());
    EXPECT_TRUE(it->checkOutAt.has_value());
    EXPECT_EQ(it->checkInMethod, "staff");  // no camera: identity confirmed by staff
}

TEST_F(KioskScenario, ExamPass) {
    const auto& w = m_workers[1];
    signConsentsFor(w.id);
    auto taps = plannedTaps(w.id, true);
    ASSERT_FALSE(taps.empty());
    auto r = runKiosk("exam-pass", openExam(w.identity.docNumber) +
                                       "expect 第 1 题 / 共\nscreenshot exam-first.png\n" + answerItems(taps, 0, 2) + "tap flag\n" +
                                       "expect 取消标记\nscreenshot exam-flagged.png\n" +
                                       answerItems(taps, 2, taps.size()) +
                                       "tap submit\nexpect 确认交卷？\nexpect 有 1 题已标记\nscreenshot exam-confirm.png\n"
                                       "tap confirm-submit\nwait-screen exam-result\nexpect 恭喜，考试合格\n"
                                       "screenshot exam-pass.png\ntap progress\nwait-screen progress\n"
                                       "expect 考试：已合格\nscreenshot progress.png\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("exam-first.png");
    expectGoodShot("exam-pass.png");
    auto store = openStore();
    training::ExamStore exams(*store);
    auto res = exams.latestResult(w.id, m_courseId);
    ASSERT_TRUE(res);
    ASSERT_TRUE(res->has_value());
    EXPECT_TRUE((*res)->first);
    EXPECT_DOUBLE_EQ((*res)->second, 100.0);
}

TEST_F(KioskScenario, TheExamWaitsForTheTrainingHours) {
    // The sixth demo worker is a candidate of the open sitting but attended nothing: the exam screen says
    // what is missing, module by module, and starts nothing.
    const auto& w = m_workers[5];
    signConsentsFor(w.id);
    auto r = runKiosk("hours-missing", openExam(w.identity.docNumber) +
                                           "expect 还不能参加考试\nexpect 职业道德：还差 2 小时\nscreenshot hours-missing.png\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("hours-missing.png");
    auto store = openStore();
    training::ExamStore exams(*store);
    auto attempts = exams.attemptsOf(1);
    ASSERT_TRUE(attempts);
    EXPECT_TRUE(attempts->empty()) << "nothing was started";
}

TEST_F(KioskScenario, ExamFail) {
    const auto& w = m_workers[2];
    signConsentsFor(w.id);
    auto taps = plannedTaps(w.id, false);
    ASSERT_FALSE(taps.empty());
    auto r = runKiosk("exam-fail", openExam(w.identity.docNumber) +
                                       answerItems(taps, 0, taps.size()) +
                                       "tap submit\ntap confirm-submit\nwait-screen exam-result\nexpect 本次考试未合格\n"
                                       "expect 补考\nscreenshot exam-fail.png\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("exam-fail.png");
    auto store = openStore();
    training::ExamStore exams(*store);
    auto res = exams.latestResult(w.id, m_courseId);
    ASSERT_TRUE(res && res->has_value());
    EXPECT_FALSE((*res)->first);
    EXPECT_DOUBLE_EQ((*res)->second, 0.0);
}

TEST_F(KioskScenario, ExamResumesAfterTheKioskIsKilled) {
    const auto& w = m_workers[3];
    signConsentsFor(w.id);
    auto taps = plannedTaps(w.id, true);
    ASSERT_GT(taps.size(), 4u);
    auto first = runKiosk("resume-1", openExam(w.identity.docNumber) +
                                          answerItems(taps, 0, 3) + "expect 第 4 题\ncrash\n");
    ASSERT_EQ(first.exitCode, 128 + 9) << "the script kills the kiosk mid-exam: " << first.err;
    // The proctor board saw the exam screen of kiosk K01 just now, and loses it once nothing more comes.
    auto line = boardLine(w.id);
    ASSERT_TRUE(line);
    EXPECT_EQ(line->presence, training::Presence::AtScreen);
    EXPECT_EQ(line->terminal, "K01");
    EXPECT_EQ(line->answered, 3);
    auto later = std::make_shared<training::ManualClock>(training::SystemClock{}.now() + training::kPresenceTimeoutSeconds + 15);
    line = boardLine(w.id, later);
    ASSERT_TRUE(line);
    EXPECT_EQ(line->presence, training::Presence::NoContact) << "the killed kiosk reports no more";
    auto started = openStore();
    training::ExamStore startedExams(*started);
    auto before = startedExams.attemptsOf(1);
    ASSERT_TRUE(before && before->size() == 1u);
    auto attempt = startedExams.loadAttempt(before->front());
    ASSERT_TRUE(attempt);
    // The worker walks to another kiosk, K02, a process of its own on the same database: it resumes the attempt
    // at question 4 with the same answers and the same deadline, and the board shows K02.
    ts::writeFile(m_tmp / "k02.toml", kioskConfig("K02"));
    auto second = runKiosk("resume-2", openExam(w.identity.docNumber) +
                                           "expect 第 4 题 / 共\nexpect 已答 3 / " + std::to_string(taps.size()) +
                                           "\nscreenshot resumed.png\ntap prev\nexpect 第 3 题 / 共\n"
                                           "expect 已保存\ntap next\nsleep 1\nquit\n",
                           "k02.toml");
    ASSERT_EQ(second.exitCode, 0) << second.err;
    expectGoodShot("resumed.png");
    line = boardLine(w.id);
    ASSERT_TRUE(line);
    EXPECT_EQ(line->terminal, "K02") << "the board shows the kiosk the worker is at now";
    EXPECT_EQ(line->answered, 3);
    auto resumed = startedExams.loadAttempt(before->front());
    ASSERT_TRUE(resumed);
    const auto now = exam::fromUnix(started->now());
    EXPECT_EQ(resumed->attempt.remaining(now), attempt->attempt.remaining(now)) << "the same deadline";
    EXPECT_GT(resumed->attempt.remaining(now).count(), 0);
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(resumed->attempt.response(i).chosen, attempt->attempt.response(i).chosen) << "question " << i + 1;
    auto third = runKiosk("resume-3", openExam(w.identity.docNumber) + "expect 第 4 题 / 共\n" +
                                          answerItems(taps, 3, taps.size()) +
                                          "tap submit\ntap confirm-submit\nwait-screen exam-result\n"
                                          "expect 恭喜，考试合格\nquit\n",
                          "k02.toml");
    ASSERT_EQ(third.exitCode, 0) << third.err;
    auto store = openStore();
    training::ExamStore exams(*store);
    auto ids = exams.attemptsOf(1);
    ASSERT_TRUE(ids);
    EXPECT_EQ(ids->size(), 1u) << "the same attempt was resumed, not a new one started";
}

TEST_F(KioskScenario, StepAwayMidExamIsOnTheProctorBoardAndTheExamResumes) {
    const auto& w = m_workers[4];
    signConsentsFor(w.id);
    auto taps = plannedTaps(w.id, true);
    ASSERT_GT(taps.size(), 4u);
    auto first = runKiosk("step-away", openExam(w.identity.docNumber) +
                                           answerItems(taps, 0, 2) + "tap leave\nexpect 计时不会停止\n"
                                           "screenshot step-away.png\ntap cancel-leave\nexpect 第 3 题\ntap leave\n"
                                           "tap confirm-leave\nwait-screen attract\nexpect-not " + w.identity.name +
                                           "\nquit\n");
    ASSERT_EQ(first.exitCode, 0) << first.err;
    expectGoodShot("step-away.png");
    auto line = boardLine(w.id);
    ASSERT_TRUE(line);
    EXPECT_EQ(line->presence, training::Presence::Left) << "the proctor sees the worker stepped away";
    EXPECT_EQ(line->answered, 2);
    auto second = runKiosk("step-back", openExam(w.identity.docNumber) +
                                            "expect 第 3 题 / 共\nexpect 已答 2 / " + std::to_string(taps.size()) +
                                            "\nquit\n");
    ASSERT_EQ(second.exitCode, 0) << second.err;
    auto store = openStore();
    training::ExamStore exams(*store);
    auto ids = exams.attemptsOf(1);
    ASSERT_TRUE(ids);
    EXPECT_EQ(std::ranges::count_if(*ids, [&](std::int64_t id) { return exams.loadAttempt(id)->workerId == w.id; }), 1)
        << "the same attempt was resumed";
}

TEST_F(KioskScenario, ProctorBoardShowsWhereEachCandidateIsAndGrantsExtraTime) {
    // Sitting 1 (open): worker 0 at the exam on kiosk K07, worker 1 left the exam screen, worker 2's kiosk
    // stopped reporting two minutes ago, worker 3 has not started.
    {
        const auto now = training::SystemClock{}.now();
        auto clock = std::make_shared<training::ManualClock>(now - 120);
        auto store = training::Store::open(m_db, {}, clock);
        ASSERT_TRUE(store) << store.error().message;
        training::ExamStore exams(**store);
        for (int i = 0; i < 4; ++i) (void)exams.addCandidate(1, m_workers[static_cast<std::size_t>(i)].id, "test");
        auto quiet = exams.startAttempt(1, m_workers[2].id, "kiosk:K09");
        ASSERT_TRUE(quiet) << quiet.error().message;
        ASSERT_TRUE(exams.reportPresence(quiet->id, true, "K09"));
        clock->set(now);
        auto here = exams.startAttempt(1, m_workers[0].id, "kiosk:K07");
        auto gone = exams.startAttempt(1, m_workers[1].id, "kiosk:K08");
        ASSERT_TRUE(here && gone);
        ASSERT_TRUE(exams.answer(*here, 0, {0}));
        ASSERT_TRUE(exams.reportPresence(here->id, true, "K07"));
        ASSERT_TRUE(exams.reportPresence(gone->id, false, "K08"));
    }
    const auto wid = std::to_string(m_workers[0].id);
    auto r = runKiosk("proctor", "wait-screen attract\ntap staff\nwait-screen staff-pin\ntype 2\ntap staff-next\ntype " +
                                     std::string(kPin) + "\ntap ok\nwait-screen staff-home\ntap proctor\n"
                                     "wait-screen proctor\nexpect " + m_workers[0].identity.name +
                                     "\nexpect 在考试界面（K07）\nexpect 已答 1 · 标记 0\nexpect 已离开考试界面\n"
                                     "expect 秒无响应\nexpect 未开始\nscreenshot proctor.png\ntap extra-" + wid +
                                     "\ntap lang\nexpect at the exam (K07)\nexpect left the exam screen\n"
                                     "expect no contact for\nexpect not started\nscreenshot proctor-en.png\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("proctor.png");
    expectGoodShot("proctor-en.png");
    auto line = boardLine(m_workers[0].id);
    ASSERT_TRUE(line);
    EXPECT_EQ(line->extraSeconds, 300) << "the trainer's tap granted 5 minutes";
    auto store = openStore();
    auto audit = store->auditEntries(0, 100000);
    ASSERT_TRUE(audit);
    EXPECT_TRUE(std::ranges::any_of(*audit, [](const training::AuditEntry& e) { return e.actor == "staff:2"; }));
}

TEST_F(KioskScenario, LanguageSwitchOnEveryScreen) {
    const auto& w = m_workers[0];
    const std::string first17 = "11010119900307002";
    const std::string newcomer = first17 + training::chinaIdCheckCharacter(first17);
    auto flip = [](const std::string& en, const std::string& zh) {
        return "tap lang\nexpect " + en + "\ntap lang\nexpect " + zh + "\n";
    };
    std::string s = "wait-screen attract\n" + flip("Place your ID on the reader", "请将证件放在读卡区") +
                    "tap begin\nwait-screen identify\n" + flip("Type your ID number", "输入身份证号") + "type " +
                    w.identity.docNumber + "\ntap ok\nwait-screen staff-pin\n" + flip("Enter your staff number", "请输入您的工号") +
                    "type 2\ntap staff-next\ntype " + kPin + "\ntap ok\nwait-screen consent\n" +
                    flip("commitment letter", "从业承诺书") + "tap lang\nexpect Agree and sign\nsign\ntap sign\n"
                    "expect Document 2 of 2\nsign\nscreenshot consent-en.png\n"
                    "tap sign\nwait-screen home\nexpect My progress\nscreenshot home-en.png\ntap lang\nexpect 我的进度\n"
                    "tap attendance\nwait-screen attendance\n" + flip("Today's sessions", "今日课程签到") +
                    "tap back\nwait-screen home\ntap progress\nwait-screen progress\n" +
                    flip("Hours (done / required)", "学时（已完成 / 要求）") +
                    "tap back\nwait-screen home\ntap exam\nwait-screen exam\n" + flip("Question 1 of", "第 1 题") +
                    "tap lang\nscreenshot exam-en.png\ntap lang\ntap submit\n" + flip("Submit your answers?", "确认交卷？") +
                    "tap confirm-submit\nwait-screen exam-result\n" + flip("You did not pass this time", "本次考试未合格") +
                    "tap logout\nwait-screen attract\n"
                    // A passport asks for its MRZ key; a first visitor registers.
                    "card detect No Such Reader 99\nwait-screen mrz\n" + flip("Passport: enter the MRZ key", "护照：输入机读码信息") +
                    "tap back\nwait-screen attract\ncard present " + newcomer +
                    " 赵敏 F 1990-03-07\nwait-screen consent\n" +
                    flip("Separate consent to processing my facial image", "人脸识别信息处理单独同意书") +
                    flip("No face recognition: staff check me in person", "不同意人脸识别，由工作人员当面核验") +
                    "sign\ntap sign\nwait-screen photo\n" + flip("Live photo check", "现场拍照核验") +
                    "tap call-staff\nwait-screen staff-pin\ntype 2\ntap staff-next\ntype " +
                    kPin + "\ntap ok\nwait-screen register\n" + flip("welcome: first registration", "欢迎首次登记") +
                    "tap lang\nexpect Enter your mobile phone number\ntap lang\n"
                    "set idle-timeout 1\nwait-screen attract 5\nset idle-timeout 120\n"
                    "tap staff\nwait-screen staff-pin\ntype 1\ntap staff-next\ntype " + kPin +
                    "\ntap ok\nwait-screen staff-home\n" + flip("Exam sittings", "考试场次") +
                    "tap sittings\nwait-screen staff-sittings\n" + flip("New sitting from the default blueprint", "按默认蓝图新建场次") +
                    "tap back\nwait-screen staff-home\ntap sessions\nwait-screen staff-sessions\n" +
                    flip("Today's sessions and rosters", "今日课程与名单") +
                    "tap back\nwait-screen staff-home\ntap proctor\nwait-screen proctor\n" + flip("Proctor board", "监考看板") +
                    "tap back\nwait-screen staff-home\ntap certificates\nwait-screen staff-certificates\n" +
                    flip("Certificates and submission", "结业证书与报送") +
                    "tap back\nwait-screen staff-home\ntap logout\nwait-screen attract\nquit\n";
    auto r = runKiosk("language", s);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("consent-en.png");
    expectGoodShot("home-en.png");
    // Spoken prompts were produced (written to WAV files in tests).
    std::size_t wavs = 0;
    for (const auto& e : std::filesystem::directory_iterator(m_artifacts / "speech"))
        if (e.path().extension() == ".wav" && std::filesystem::file_size(e.path()) > 1000) ++wavs;
    EXPECT_GT(wavs, 3u);
}

TEST_F(KioskScenario, IdleTimeoutForgetsTheWorker) {
    signConsentsFor(m_workers[0].id);
    auto r = runKiosk("idle", identify(m_workers[0].identity.docNumber) +
                                  "wait-screen home\nexpect " + m_workers[0].identity.name +
                                  "\nexpect-signed-in\nset idle-timeout 2\nsleep 3\nwait-screen attract 5\n"
                                  "expect-signed-out\nexpect-not " + m_workers[0].identity.name +
                                  "\ntap begin\nwait-screen identify\nexpect 18 位身份证号\nscreenshot after-idle.png\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("after-idle.png");
}

TEST_F(KioskScenario, StaffOpensASittingAndLeavesWithAnAdminPin) {
    std::int64_t sittingId = 0;
    {
        auto store = openStore();
        training::ExamStore exams(*store);
        training::SittingInput in;
        in.courseId = m_courseId;
        in.bankCode = "badge-default";
        in.title = "补考 Resit";
        in.blueprint.sections.push_back({"safety", 3, std::nullopt});
        auto s = exams.createSitting(in, "test");
        ASSERT_TRUE(s) << s.error().message;
        sittingId = s->id;
        ASSERT_TRUE(exams.addCandidate(sittingId, m_workers[4].id, "test"));
    }
    const auto id = std::to_string(sittingId);
    {
        // The clerk's account is locked by five wrong PINs: the staff home screen says so.
        auto store = openStore();
        for (int i = 0; i < 5; ++i) ASSERT_FALSE(store->authenticateStaff(3, "999999"));
    }
    auto r = runKiosk("staff", "wait-screen attract\ntap staff\nwait-screen staff-pin\nexpect-not 张老师\ntype 2\ntap staff-next\n"
                               "type 000000\ntap ok\n"
                               "expect wrong PIN\nexpect 密码错误\nscreenshot wrong-pin.png\ntype " + std::string(kPin) +
                               "\ntap ok\nwait-screen staff-home\nexpect 已锁定的工作人员账号\nexpect 工号 3\n"
                               "screenshot staff-home.png\ntap sittings\n"
                               "wait-screen staff-sittings\nexpect 未开考\ntap open-" + id + "\nexpect-enabled pause-" + id +
                               "\nscreenshot sittings.png\ntap back\nwait-screen staff-home\ntap proctor\n"
                               "wait-screen proctor\nscreenshot proctor.png\ntap back\nwait-screen staff-home\n"
                               "tap exit-kiosk\nwait-screen staff-pin\nexpect-not 管理员 Admin\nexpect-not 张老师\ntype 1\ntap staff-next\ntype " + kPin +
                               "\ntap ok\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("staff-home.png");
    expectGoodShot("sittings.png");
    auto store = openStore();
    training::ExamStore exams(*store);
    auto s = exams.sitting(sittingId);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->state, training::SittingState::Open);
    auto audit = store->auditEntries(0, 100000);
    ASSERT_TRUE(audit);
    EXPECT_TRUE(std::ranges::any_of(*audit, [](const training::AuditEntry& e) {
        return e.actor == "staff:2" && e.action.find("open") != std::string::npos;
    })) << "the opening is recorded with the trainer's id";
}

TEST_F(KioskScenario, CardErrorsAreShownAndTheKioskStaysUsable) {
    auto r = runKiosk("card-errors", "wait-screen attract\ncard fail the MRZ key does not open the chip; check the "
                                     "document number, birth date and expiry\nexpect MRZ key\n"
                                     "screenshot card-error.png\ncard remove\ntap begin\nwait-screen identify\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("card-error.png");
}

TEST_F(KioskScenario, PassportKeyIsTypedAndAMissingReaderIsExplained) {
    // A passport detected on a reader asks for the MRZ key; without pcscd the read fails with a message
    // and the kiosk stays on the key screen (the real read runs in the devices_id tests and the demo).
    auto r = runKiosk("mrz", "wait-screen attract\ncard detect No Such Reader 99\nwait-screen mrz\nexpect-disabled read\n"
                             "type L898902C3\ntap mrz-birth-select\ntype 740812\ntap mrz-expiry-select\ntype 120415\n"
                             "expect L898902C3\nexpect-not 请工作人员\nscreenshot mrz.png\ntap read\nwait-screen mrz\n"
                             // The failure is explained: no reader service (not-available) or no such reader
                             // (no-reader), depending on whether another test runs pcscd now; both send for staff.
                             "expect 请工作人员\nscreenshot mrz-failed.png\nexpect-enabled read\ntap back\n"
                             "wait-screen attract\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("mrz.png");
    expectGoodShot("mrz-failed.png");
}

/// The live photo step with the real models and the camera clip (person A) from ../shared.
class KioskPhotoScenario : public KioskScenario {
protected:
    void SetUp() override {
        KioskScenario::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        m_faces = ts::env("KIOSK_TEST_FACES");
        if (m_faces.empty() || ts::env("KIOSK_MODEL_DIR").empty())
            GTEST_SKIP() << "needs ../shared (KIOSK_TEST_FACES, KIOSK_MODEL_DIR): the clip and the face models";
        ts::writeFile(m_tmp / "kiosk.toml", "[card_reader]\nkind = \"none\"\n[camera]\nsource = \"file:" +
                                                (m_faces / "camera_clip_obama_640x480_mjpg.avi").string() +
                                                "\"\n[face]\nmax_attempts = 3\n[speech]\nenabled = true\n[enrolment]\nwalk_in = true\n");
    }
    std::filesystem::path m_faces;
};

TEST_F(KioskPhotoScenario, LivePhotoMatchesTheChipPhotoOfANewWorker) {
    const std::string first17 = "11010119610804001";
    const std::string doc = first17 + training::chinaIdCheckCharacter(first17);
    const std::string s =
        "wait-screen attract\ncard photo " + (m_faces / "a_obama_idchip_240x320.jpg").string() + "\ncard present " +
        doc + " 欧巴马 M 1961-08-04\nwait-screen consent\nsleep 2\nexpect 摄像头未开启\n"
        "expect camera-frames=0;\nsign\ntap sign\n"
        "wait-screen photo\nexpect 现场拍照核验\nscreenshot photo-live.png\n"
        "wait-screen register 40\ntype 13912345678\ntap next\ntap svc-cleaning\ntap next\ntap edu-junior\ntap next\n"
        "tap agency-1\ntap next\n" + consents() + "wait-screen home\nquit\n";
    auto r = runKiosk("photo-match", s);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("photo-live.png");
    auto store = openStore();
    auto w = store->findWorkerByDocument(doc);
    ASSERT_TRUE(w) << w.error().message;
    EXPECT_TRUE(w->faceVerifiedAt.has_value()) << "the match is recorded with the new worker";
    ASSERT_TRUE(w->faceScore.has_value());
    EXPECT_GE(*w->faceScore, 0.30) << "MobileFaceNet's accept threshold";
    EXPECT_EQ(w->identityMethod, "sam");  // an ID card through the SAM: no staff confirmation was needed
    auto portrait = store->workerImage(w->id, "portrait");
    ASSERT_TRUE(portrait) << portrait.error().message;
    ASSERT_TRUE(portrait->has_value()) << "no portrait stored";
    EXPECT_GT((*portrait)->size(), 5000u) << "the live portrait is stored once the biometric consent is signed";
    // Walk-in enrolment: on the roster of the session running now and a candidate of the open sitting.
    auto roster = store->roster(m_sessionId);
    ASSERT_TRUE(roster);
    EXPECT_TRUE(std::ranges::any_of(*roster, [&](const training::Worker& x) { return x.id == w->id; }));
    training::ExamStore exams(*store);
    auto cands = exams.candidates(1);
    ASSERT_TRUE(cands);
    EXPECT_NE(std::ranges::find(*cands, w->id), cands->end());
    auto gaps = exams.attendanceGaps(1, w->id);
    ASSERT_TRUE(gaps);
    EXPECT_FALSE(gaps->empty()) << "a brand-new worker does not sit the badge exam at once";
}

// Issue 13: the kiosk on a login of its own (kioskctl kiosk add) on the center server, which sees only the worker
// in front of it: a walk-in registers with the live photo; once the trainer admitted them at the desk, they sign in
// again with the card, sit the exam and hand it in; every change is on the one audit chain.
TEST_F(KioskPhotoScenario, OnAKioskRoleAWalkInRegistersAndLaterSitsAndHandsInTheExam) {
    if (!ts::onPostgres()) GTEST_SKIP() << "a kiosk role is a PostgreSQL login: this runs as kiosk_ui_tests_pg";
    {
        auto store = openStore();
        ASSERT_TRUE(store);
        auto login = training::addKioskRole(*store, m_db.native(), "K01", "test");
        ASSERT_TRUE(login) << login.error().message;
        m_kioskDb = login->conninfo;
    }
    const std::string first17 = "11010119610804001";
    const std::string doc = first17 + training::chinaIdCheckCharacter(first17);
    const std::string card = "wait-screen attract\ncard photo " + (m_faces / "a_obama_idchip_240x320.jpg").string() +
                             "\ncard present " + doc + " 欧巴马 M 1961-08-04\n";
    auto r = runKiosk("role-register", card + "wait-screen consent\nsign\ntap sign\nwait-screen photo\n"
                                      "wait-screen register 40\ntype 13912345678\ntap next\ntap svc-cleaning\ntap next\n"
                                      "tap edu-junior\ntap next\ntap agency-1\ntap next\n" +
                                      consents() + "wait-screen home\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto store = openStore();
    ASSERT_TRUE(store);
    auto w = store->findWorkerByDocument(doc);
    ASSERT_TRUE(w) << w.error().message;
    EXPECT_EQ(w->identityMethod, "sam");
    training::ExamStore exams(*store);
    ASSERT_TRUE(exams.admitCandidate(1, w->id, 2, kPin)) << "the trainer admits the walk-in without the hours";
    auto taps = plannedTaps(w->id, true);
    ASSERT_GT(taps.size(), 3u);
    r = runKiosk("role-exam", card + "wait-screen home 40\ntap exam\nwait-screen exam\n" +
                                  answerItems(taps, 0, taps.size()) +
                                  "tap submit\ntap confirm-submit\nwait-screen exam-result\nexpect 恭喜，考试合格\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto result = exams.latestResult(w->id, m_courseId);
    ASSERT_TRUE(result && result->has_value()) << "the attempt handed in at the kiosk is on the server";
    EXPECT_TRUE((*result)->first);
    auto chain = store->verifyAudit();
    ASSERT_TRUE(chain) << chain.error().message;
    EXPECT_TRUE(chain->intact) << chain->problem;
}

TEST_F(KioskPhotoScenario, AnUnauthenticatedChipGoesToStaffEvenWhenTheFaceMatches) {
    // "chip": read, but passive authentication could not vouch for it (no CSCA for the issuer, no security object).
    // The face matches the chip photo, yet the chip photo itself is unproven: staff confirm the document.
    const std::string first17 = "11010119610804001";
    const std::string doc = first17 + training::chinaIdCheckCharacter(first17);
    const std::string s =
        "wait-screen attract\ncard photo " + (m_faces / "a_obama_idchip_240x320.jpg").string() +
        "\ncard method chip\ncard present " + doc + " 欧巴马 M 1961-08-04\nwait-screen consent\nsign\ntap sign\n"
        "wait-screen photo\n"
        "wait-screen staff-pin 40\nexpect 证件照片\ntype 2\ntap staff-next\ntype " + std::string(kPin) +
        "\ntap ok\nwait-screen register 20\ntype 13912345678\ntap next\ntap svc-cleaning\ntap next\n"
        "tap edu-junior\ntap next\ntap agency-1\ntap next\n" + consents() + "wait-screen home\nquit\n";
    auto r = runKiosk("photo-match-unproven-chip", s);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto store = openStore();
    auto w = store->findWorkerByDocument(doc);
    ASSERT_TRUE(w) << w.error().message;
    EXPECT_TRUE(w->faceVerifiedAt.has_value());
    EXPECT_EQ(w->identityMethod, "staff") << "the staff member's confirmation is what proves the identity";
}

TEST_F(KioskPhotoScenario, AnotherPersonsChipPhotoNeverMatchesAndStaffReject) {
    const auto& w = m_workers[0];
    signConsentsFor(w.id);
    const std::string s = "wait-screen attract\ncard photo " + (m_faces / "e_london087_idchip_240x320.jpg").string() +
                          "\ncard present " + w.identity.docNumber + " " + w.identity.name +
                          "\nwait-screen photo\nexpect 已尝试 1 次\nexpect 照片与证件照片不一致\ntap retry\n"
                          "expect 已尝试 2 次\ntap retry\nwait-screen staff-pin 40\nexpect 证件照片\nexpect 现场照片\n"
                          "type 2\ntap staff-next\ntype " + std::string(kPin) + "\nscreenshot staff-compare.png\ntap reject\n"
                          "wait-screen attract\nquit\n";
    auto r = runKiosk("photo-reject", s);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("staff-compare.png");
    auto store = openStore();
    auto again = store->worker(w.id);
    ASSERT_TRUE(again);
    EXPECT_FALSE(again->faceVerifiedAt.has_value()) << "a non-match is never recorded as a face verification";
    auto audit = store->auditEntries(0, 100000);
    ASSERT_TRUE(audit);
    EXPECT_TRUE(std::ranges::any_of(*audit, [&](const training::AuditEntry& e) {
        return e.action == "identity.rejected" && e.actor == "staff:2" &&
               e.subject == "worker:" + std::to_string(w.id) && e.details.find(w.identity.docNumber) == std::string::npos;
    })) << "the rejection is recorded with the staff member's id, the document number masked";
}

// ---------------------------------------------------------------- privacy (issue 15)

TEST_F(KioskScenario, DecliningFaceRecognitionStaffVerifyInPersonAndNothingBlocksTheBadge) {
    const std::string first17 = "11010119900307002";
    const std::string doc = first17 + training::chinaIdCheckCharacter(first17);
    const std::string sid = std::to_string(m_sessionId);
    std::string s = "wait-screen attract\ncard present " + doc +
                    " 赵敏 F 1990-03-07\nwait-screen consent\nexpect 人脸识别信息处理单独同意书\n"
                    "expect 不同意人脸识别，由工作人员当面核验\nscreenshot decline.png\ntap decline-face\n"
                    "wait-screen staff-pin\nexpect 证件照片\ntype 2\ntap staff-next\ntype " + std::string(kPin) + "\ntap ok\n"
                    "wait-screen register\ntype 13912345678\ntap next\ntap svc-cleaning\ntap next\ntap edu-junior\n"
                    "tap next\ntap agency-1\ntap next\n" + consents() + "wait-screen home\nexpect 您好，赵敏\n"
                    "tap logout\nwait-screen attract\nquit\n";
    auto r = runKiosk("decline-face", s);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("decline.png");
    auto store = openStore();
    auto w = store->findWorkerByDocument(doc);
    ASSERT_TRUE(w) << w.error().message;
    ASSERT_TRUE(store->addToRoster(m_sessionId, w->id, "test"));
    // A later visit: the decline is recorded, so staff straight away (not asked again), and the check-in is a
    // staff one.
    auto later = runKiosk("decline-face-later",
                          "wait-screen attract\ncard present " + doc + " 赵敏 F 1990-03-07\n"
                          "wait-screen staff-pin\ntype 2\ntap staff-next\ntype " + std::string(kPin) +
                          "\ntap ok\nwait-screen home\ntap attendance\nwait-screen attendance\ntap checkin-" + sid +
                          "\nexpect 签到成功\nquit\n");
    ASSERT_EQ(later.exitCode, 0) << later.err;
    w = store->findWorkerByDocument(doc);
    ASSERT_TRUE(w) << w.error().message;
    EXPECT_EQ(w->identityMethod, "staff");
    EXPECT_FALSE(w->faceVerifiedAt.has_value());
    auto portrait = store->workerImage(w->id, "portrait");
    ASSERT_TRUE(portrait);
    EXPECT_FALSE(portrait->has_value()) << "no camera frame without the consent";
    auto c = store->consents(w->id);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->size(), 2u) << "the commitment letter and the credit-check authorisation; no biometric consent";
    for (const auto& x : *c) EXPECT_NE(x.kind, training::ConsentKind::Biometric);
    auto att = store->attendanceOf(w->id);
    ASSERT_TRUE(att);
    ASSERT_EQ(att->size(), 1u);
    EXPECT_EQ(att->front().checkInMethod, "staff");
    // The certification rule asks neither for a face match nor for the biometric consent of this worker.
    auto report = training::checkEligibility(*store, w->id, m_courseId);
    ASSERT_TRUE(report) << report.error().message;
    for (const auto& u : report->unmet) {
        EXPECT_NE(u.code, "face") << "staff verification in person satisfies the comparison with the photo";
        EXPECT_NE(u.item.value_or(""), "biometric");
    }
}

TEST_F(KioskScenario, WithdrawingTheBiometricConsentAtMyDataDeletesThePortraitAndScores) {
    const auto& w = m_workers[1];
    signConsentsFor(w.id);
    {
        auto store = openStore();
        ASSERT_TRUE(store->putWorkerImage(w.id, "portrait", "image/png", tinyPng(), "test"));
        ASSERT_TRUE(store->markFaceVerified(w.id, 0.72, "test"));
    }
    auto r = runKiosk("withdraw", identify(w.identity.docNumber) +
                                      "wait-screen home\ntap my-data\nwait-screen my-data\nexpect 现场照片：已保存\n"
                                      "expect 人脸信息处理单独同意书》\nscreenshot my-data.png\ntap withdraw-face\n"
                                      "expect 确定撤回吗\ntap confirm-withdraw\nexpect 现场照片和比对分数已删除\n"
                                      "expect 现场照片：未保存\nexpect 已撤回\nscreenshot withdrawn.png\ntap logout\n"
                                      "wait-screen attract\ncard present " + w.identity.docNumber + " " + w.identity.name +
                                      "\nwait-screen staff-pin\nexpect 证件照片\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("my-data.png");
    expectGoodShot("withdrawn.png");
    auto store = openStore();
    auto after = store->worker(w.id);
    ASSERT_TRUE(after);
    EXPECT_FALSE(after->faceVerifiedAt.has_value());
    EXPECT_FALSE(after->faceScore.has_value());
    auto portrait = store->workerImage(w.id, "portrait");
    ASSERT_TRUE(portrait);
    EXPECT_FALSE(portrait->has_value());
    auto c = store->consents(w.id);
    ASSERT_TRUE(c);
    for (const auto& x : *c)
        EXPECT_EQ(x.withdrawnAt.has_value(), x.kind == training::ConsentKind::Biometric) << consentKindName(x.kind);
    auto audit = store->auditEntries(0, 100000);
    ASSERT_TRUE(audit);
    EXPECT_TRUE(std::ranges::any_of(*audit, [&](const training::AuditEntry& e) {
        return e.action == "consent.withdraw" && e.subject == "worker:" + std::to_string(w.id);
    }));
}

TEST_F(KioskScenario, ATypedIdNumberRevealsNothingBeforeStaffConfirm) {
    const auto& w = m_workers[2];
    const std::string first17 = "11010119880101003";
    const std::string unknown = first17 + training::chinaIdCheckCharacter(first17);
    auto r = runKiosk("typed", "wait-screen attract\ntap begin\nwait-screen identify\ntype " + w.identity.docNumber +
                                   "\ntap ok\nwait-screen staff-pin\nexpect 请工作人员当面核对\nexpect-not " +
                                   w.identity.name + "\nscreenshot typed-known.png\ntap back\nwait-screen attract\n"
                                   "tap begin\nwait-screen identify\ntype " + unknown +
                                   "\ntap ok\nwait-screen staff-pin\nexpect 请工作人员当面核对\nexpect-not 未找到\n"
                                   "type 2\ntap staff-next\ntype " + std::string(kPin) + "\ntap ok\nexpect 未找到此身份证号的登记记录\n"
                                   "tap back\nwait-screen attract\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("typed-known.png");
}

TEST_F(KioskScenario, AScriptStepThatCannotHappenFailsTheRun) {
    auto r = runKiosk("fails", "wait-screen attract\ntap no-such-button\nquit\n");
    EXPECT_EQ(r.exitCode, 3);
    EXPECT_NE(r.err.find("script line 2"), std::string::npos) << r.err;
}

// Issue 18: every screen at the three sizes kiosks come in, checked by the layout checker (text that does not fit
// its box, overlapping elements, targets under 56 logical px) and kept as screenshots in an HTML gallery; a whole
// worker flow in large-text mode (about 1.5x) at each size, in Chinese and in English; the attract and staff
// sign-in screens use the screen.
TEST_F(KioskScenario, EveryScreenAtThreeSizesPassesTheLayoutCheckAndLargeTextWorksThroughAnExam) {
    const std::vector<std::string> sizes{"1280x800", "1920x1080", "1080x1920"};
    std::string gallery = "<!doctype html><meta charset=\"utf-8\"><title>Kiosk screens</title>"
                          "<style>body{font-family:sans-serif}img{max-height:480px;margin:4px;border:1px solid #999}"
                          "figure{display:inline-block;margin:0}</style><h1>Kiosk screens at three sizes</h1>\n";
    for (std::size_t k = 0; k < sizes.size(); ++k) {
        const auto& size = sizes[k];
        const auto& w = m_workers[k];
        signConsentsFor(w.id);
        // Even 17th digit: a woman, as the card says ("F").
        const std::string first17 = "1101011990030700" + std::to_string(2 * (k + 1));
        const std::string firstVisit = first17 + training::chinaIdCheckCharacter(first17);
        auto taps = plannedTaps(w.id, true);
        ASSERT_FALSE(taps.empty());
        std::vector<std::string> shots;
        auto shot = [&](const std::string& screen) {
            const std::string name = size + "-" + screen + ".png";
            shots.push_back(name);
            return "check-layout\nscreenshot " + name + "\n";
        };
        // Staff screens, then the worker's in normal size; then the worker again in large text through the exam.
        std::string s = "wait-screen attract\n" + shot("attract") + "tap help\n" + shot("attract-help") +
                        "tap begin\nwait-screen identify\n" + shot("identify") + "type 1101\n" + shot("identify-typed") +
                        "tap back\nwait-screen attract\ntap staff\nwait-screen staff-pin\n" + shot("staff-pin") +
                        "type 1\ntap staff-next\ntype " + kPin + "\n" + shot("staff-pin-typed") + "tap ok\n" +
                        "wait-screen staff-home\n" + shot("staff-home") + "tap sessions\nwait-screen staff-sessions\n" +
                        shot("staff-sessions") + "tap back\nwait-screen staff-home\ntap sittings\n" +
                        "wait-screen staff-sittings\n" + shot("staff-sittings") +
                        "tap back\nwait-screen staff-home\ntap proctor\nwait-screen proctor\n" + shot("proctor") +
                        "tap back\nwait-screen staff-home\ntap certificates\nwait-screen staff-certificates\n" +
                        shot("staff-certificates") + "tap back\nwait-screen staff-home\ntap logout\n" +
                        // A first visit: the biometric consent, the photo (no camera here: staff confirm), the
                        // registration steps and the two letters; then a passport's MRZ key.
                        "wait-screen attract\ncard present " + firstVisit + " 赵敏 F 1990-03-07\nwait-screen consent\n" +
                        shot("consent-biometric") + "sign\ntap sign\nwait-screen photo\n" + shot("photo") +
                        "tap call-staff\nwait-screen staff-pin\ntype 2\ntap staff-next\ntype " + kPin + "\n" +
                        shot("staff-confirm") + "tap ok\nwait-screen register\n" + shot("register-phone") +
                        "type 13912345678\ntap next\ntap svc-cleaning\n" + shot("register-services") +
                        "tap next\ntap edu-junior\ntap next\ntap agency-1\n" + shot("register-agency") +
                        "tap next\nwait-screen consent\n" + shot("consent") +
                        "sign\ntap sign\nexpect 第 2 份\nsign\ntap sign\nwait-screen home\ntap logout\n"
                        "wait-screen attract\ncard detect No Such Reader 99\nwait-screen mrz\n" + shot("mrz") +
                        "tap back\nwait-screen attract\n" +
                        identify(w.identity.docNumber) + "wait-screen home\n" + shot("home") +
                        "tap attendance\nwait-screen attendance\n" + shot("attendance") +
                        "tap back\nwait-screen home\ntap progress\nwait-screen progress\n" + shot("progress") +
                        "tap back\nwait-screen home\ntap my-data\nwait-screen my-data\n" + shot("my-data") +
                        "tap back\nwait-screen home\ntap logout\nwait-screen attract\n";
        // Large text, the language switched at the second size: the whole exam.
        s += "tap large-text\n" + std::string(k == 1 ? "tap lang\n" : "") + shot("attract-large") +
             identify(w.identity.docNumber) + "wait-screen home\n" + shot("home-large") +
             "tap exam\nwait-screen exam\n" + shot("exam-large");
        for (std::size_t i = 0; i < taps.size(); ++i) {
            for (int p : taps[i]) s += "tap opt-" + std::to_string(p) + "\n";
            if (i == 0) s += shot("exam-answered-large");
            if (i + 1 < taps.size()) s += "tap next\n";
        }
        s += "tap submit\n" + shot("exam-confirm-large") + "tap confirm-submit\nwait-screen exam-result\n" +
             shot("result-large") + "tap progress\nwait-screen progress\n" + shot("progress-large") + "quit\n";
        auto r = runKiosk("screens-" + size, s, "kiosk.toml", size);
        ASSERT_EQ(r.exitCode, 0) << size << ": " << r.err;
        gallery += "<h2>" + size + "</h2>\n";
        for (const auto& n : shots) gallery += "<figure><img src=\"" + n + "\"><figcaption>" + n + "</figcaption></figure>\n";
        // The attract and staff sign-in screens use the screen: at least 60 % of the width and 45 % of the height
        // below the top bar.
        if (k > 0)
            for (const auto* name : {"attract", "staff-pin"}) {
                auto pic = kioskuitest::loadShot(m_artifacts / (size + "-" + name + ".png"));
                ASSERT_TRUE(pic) << size << " " << name;
                const auto c = kioskuitest::contentCoverage(*pic);
                EXPECT_GE(c.width, 0.60) << size << " " << name << ": content spans " << c.width << " of the width";
                EXPECT_GE(c.height, 0.45) << size << " " << name << ": content spans " << c.height << " of the height";
            }
        // The hand-in in large text counted.
        auto store = openStore();
        training::ExamStore exams(*store);
        auto res = exams.latestResult(w.id, m_courseId);
        ASSERT_TRUE(res && res->has_value()) << size;
        EXPECT_TRUE((*res)->first) << size;
    }
    ts::writeFile(m_artifacts / "gallery.html", gallery);
}

}  // namespace
