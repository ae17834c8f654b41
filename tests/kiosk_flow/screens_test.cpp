// The self-explaining screens of issue 18 in-process (headless kiosk over a demo-seeded SQLite file), at the
// landscape design size 1280x800 and the portrait logical size 800x1422: the attract screen's steps, center
// name and help phone; example values in the keypad screens' fields that are never taken for a typed value;
// "My progress" leading with the next step; durations formatted for people.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "kiosk/config.hpp"
#include "test_support.hpp"
#include "training/store.hpp"
#include "ui/format.hpp"
#include "ui/headless.hpp"

namespace ts = testsupport;

namespace {

constexpr const char* kPin = "135790";

struct Size {
    float width;
    float height;
};
constexpr Size kLandscape{1280, 800};
constexpr Size kPortrait{800, 1422};

class KioskScreens : public ::testing::Test {
protected:
    void SetUp() override {
        const auto kioskctl = ts::env("KIOSKCTL");
        ASSERT_FALSE(kioskctl.empty()) << "KIOSKCTL is set by CTest";
        m_db = m_tmp / "center.db";
        auto seeded = ts::run({kioskctl, "--db", m_db.string(), "--center-dir", m_tmp.path().string(), "demo-seed"});
        ASSERT_EQ(seeded.exitCode, 0) << seeded.err;
        auto store = training::Store::open(m_db, {});
        ASSERT_TRUE(store) << store.error().message;
        for (std::int64_t id = 1; id <= 3; ++id) ASSERT_TRUE((*store)->setStaffPin(id, kPin, "test"));
        auto center = (*store)->center();
        ASSERT_TRUE(center) << center.error().message;
        m_centerName = center->name;
        auto workers = (*store)->listWorkers({});
        ASSERT_TRUE(workers);
        ASSERT_FALSE(workers->empty());
        std::ranges::sort(*workers, {}, &training::Worker::id);
        m_workers = *workers;
        auto course = (*store)->course("badge");
        ASSERT_TRUE(course);
        m_courseId = course->id;
        ts::writeFile(m_tmp / "kiosk.toml",
                      "[card_reader]\nkind = \"none\"\n[camera]\nsource = \"none\"\n[speech]\nenabled = false\n");
    }

    /// A kiosk of @p size on the seeded database; @p helpPhone is [ui] help_phone.
    std::unique_ptr<kiosk::ui::HeadlessKiosk> open(Size size, const std::string& helpPhone = {}) {
        auto config = kiosk::loadConfig(m_tmp / "kiosk.toml");
        EXPECT_TRUE(config) << (config ? "" : config.error().message);
        auto store = training::Store::open(m_db, {.create = false});
        EXPECT_TRUE(store) << (store ? "" : store.error().message);
        kiosk::ui::HeadlessOptions o;
        o.config = config.value_or(kiosk::Config{});
        o.config.database.centerDir = m_tmp.path().string();
        o.config.ui.kioskId = "K01";
        o.config.ui.helpPhone = helpPhone;
        o.databasePath = m_db;
        o.scriptDir = m_tmp.path();
        o.width = size.width;
        o.height = size.height;
        auto k = kiosk::ui::HeadlessKiosk::open(std::move(o), store ? std::move(*store) : nullptr);
        EXPECT_TRUE(k) << (k ? "" : k.error().message);
        return k ? std::move(*k) : nullptr;
    }

    /// Runs @p script; the test fails with the step and why unless every step was done.
    static void run(kiosk::ui::HeadlessKiosk& k, const std::string& script) {
        auto r = k.run(script, 60.0);
        EXPECT_EQ(r.status, 0) << r.failure;
    }

    /// @p workerId has signed their consents: a sign-in goes to their home screen.
    void signConsentsFor(std::int64_t workerId) {
        auto store = training::Store::open(m_db, {.create = false});
        ASSERT_TRUE(store);
        const std::vector<std::uint8_t> signature{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0};
        for (auto kind : {training::ConsentKind::Commitment, training::ConsentKind::CreditCheck,
                          training::ConsentKind::Biometric})
            ASSERT_TRUE((*store)->addConsent(workerId, kind, "2026.1/zh-CN", "text", signature, "test"));
    }

    /// Minutes of training @p workerId still lacks over every module of the badge course.
    int missingMinutes(std::int64_t workerId) {
        auto store = training::Store::open(m_db, {.create = false});
        EXPECT_TRUE(store);
        if (!store) return -1;
        auto hours = (*store)->hoursPerModule(workerId, m_courseId);
        EXPECT_TRUE(hours);
        if (!hours) return -1;
        int missing = 0;
        for (const auto& h : *hours) missing += std::max(0, h.requiredMinutes - h.attendedMinutes);
        return missing;
    }

    /// A duration as the kiosk shows it in @p lang (the real catalogs).
    static std::string formatDuration(int minutes, kiosk::ui::Language lang) {
        kiosk::ui::I18n i18n;
        EXPECT_TRUE(i18n.load(kiosk::assetsDirectory() / "i18n"));
        return kiosk::ui::formatDuration(i18n, minutes, lang);
    }

    ts::TempDir m_tmp;
    std::filesystem::path m_db;
    std::string m_centerName;
    std::vector<training::Worker> m_workers;
    std::int64_t m_courseId{0};
};

TEST(FormatDuration, HoursAndMinutesForPeopleFromTheCatalogs) {
    using kiosk::ui::Language;
    kiosk::ui::I18n i18n;
    ASSERT_TRUE(i18n.load(kiosk::assetsDirectory() / "i18n"));
    const auto zh = [&](int minutes) { return kiosk::ui::formatDuration(i18n, minutes, Language::Zh); };
    const auto en = [&](int minutes) { return kiosk::ui::formatDuration(i18n, minutes, Language::En); };
    EXPECT_EQ(zh(90), "1 小时 30 分");
    EXPECT_EQ(zh(45), "45 分");
    EXPECT_EQ(zh(120), "2 小时");
    EXPECT_EQ(zh(210), "3 小时 30 分");
    EXPECT_EQ(zh(0), "0 分");
    EXPECT_EQ(zh(-5), "0 分");
    EXPECT_EQ(en(90), "1 h 30 min");
    EXPECT_EQ(en(45), "45 min");
    EXPECT_EQ(en(120), "2 h");
    EXPECT_EQ(en(0), "0 min");
    EXPECT_EQ(en(61), "1 h 1 min");
    // Without a language: the current one.
    i18n.setLanguage(Language::En);
    EXPECT_EQ(kiosk::ui::formatDuration(i18n, 150), "2 h 30 min");
}

TEST_F(KioskScreens, AttractShowsTheThreeStepsTheCenterAndTheHelpPhoneAtBothSizes) {
    for (const Size size : {kLandscape, kPortrait}) {
        SCOPED_TRACE(testing::Message() << size.width << "x" << size.height);
        auto k = open(size, "021-6234 5678");
        ASSERT_TRUE(k);
        // The center's name in the top bar, what the machine is in the header (not the name a second time).
        run(*k, "wait-screen attract\nexpect 证件\nexpect 拍照\nexpect 培训/考试\nexpect " + m_centerName +
                    "\nexpect 家政上门服务证自助终端\nexpect 求助电话：021-6234 5678\nexpect 年\nexpect-enabled begin\n"
                    "expect-enabled help\nexpect-enabled staff\n"
                    // The same in English.
                    "tap lang\nexpect ID document\nexpect Photo\nexpect Training / exam\n"
                    "expect Home-Service Badge Kiosk\nexpect Help line: 021-6234 5678\n");
    }
}

TEST_F(KioskScreens, AttractShowsNoHelpPhoneWhenNoneIsConfigured) {
    for (const Size size : {kLandscape, kPortrait}) {
        SCOPED_TRACE(testing::Message() << size.width << "x" << size.height);
        auto k = open(size);
        ASSERT_TRUE(k);
        run(*k, "wait-screen attract\nexpect 培训/考试\nexpect-not 求助电话\ntap lang\nexpect Training / exam\n"
                "expect-not Help line\n");
    }
}

TEST_F(KioskScreens, KeypadPlaceholdersAreExamplesNotValues) {
    for (const Size size : {kLandscape, kPortrait}) {
        SCOPED_TRACE(testing::Message() << size.width << "x" << size.height);
        auto k = open(size);
        ASSERT_TRUE(k);
        // The ID number: an example shown, the button stays disabled until a whole number is typed.
        run(*k, "wait-screen attract\ntap begin\nwait-screen identify\nexpect 例如 310101199001011234\n"
                "expect-disabled ok\ntype 3101011990\nexpect-gone 例如 310101199001011234\nexpect-disabled ok\n"
                "type 01011234\nexpect-enabled ok\ntap back\nwait-screen attract\n");
        // The staff number: "Next" stays disabled on the example.
        run(*k, "tap staff\nwait-screen staff-pin\nexpect 例如 12\nexpect-disabled staff-next\ntype 2\n"
                "expect-gone 例如 12\nexpect-enabled staff-next\ntap back\nwait-screen attract\n");
        // A passport's MRZ key: examples in all three fields, "read" disabled until each is typed.
        run(*k, "card detect R1\nwait-screen mrz\nexpect 例如 L898902C3\nexpect 例如 740812\nexpect 例如 300415\n"
                "expect-disabled read\ntype L898902C3\nexpect-gone 例如 L898902C3\nexpect-disabled read\n"
                "tap mrz-birth-select\ntype 740812\nexpect-gone 例如 740812\nexpect-disabled read\n"
                "tap mrz-expiry-select\ntype 300415\nexpect-enabled read\n"
                // In English the examples say "e.g.".
                "tap lang\nexpect Passport number\ntap back\nwait-screen attract\ntap begin\nwait-screen identify\n"
                "expect e.g. 310101199001011234\ntap back\nwait-screen attract\ntap lang\n");
    }
}

TEST_F(KioskScreens, ProgressLeadsWithTheNextStep) {
    // A demo worker who still lacks hours: the next step says how long, for people.
    const auto it = std::ranges::find_if(m_workers, [&](const training::Worker& w) { return missingMinutes(w.id) > 0; });
    ASSERT_NE(it, m_workers.end()) << "a demo worker still lacks hours";
    const auto& w = *it;
    const int missing = missingMinutes(w.id);
    signConsentsFor(w.id);
    for (const Size size : {kLandscape, kPortrait}) {
        SCOPED_TRACE(testing::Message() << size.width << "x" << size.height);
        auto k = open(size);
        ASSERT_TRUE(k);
        // Typed ID number, staff confirm the person, then "My progress".
        run(*k, "wait-screen attract\ntap begin\nwait-screen identify\ntype " + w.identity.docNumber +
                    "\ntap ok\nwait-screen staff-pin\ntype 2\ntap staff-next\ntype " + std::string(kPin) +
                    "\ntap ok\nwait-screen home 20\n");
        if (k->screen() != "home") continue;  // (failed above)
        run(*k, "tap progress\nwait-screen progress\nexpect 下一步：还需参加 " +
                    formatDuration(missing, kiosk::ui::Language::Zh) +
                    " 培训\nexpect 考试：\nexpect 体检：\nexpect 各模块学时\nexpect-enabled back\n"
                    "tap lang\nexpect Next: " +
                    formatDuration(missing, kiosk::ui::Language::En) +
                    " of training still to attend\ntap lang\ntap logout\nwait-screen attract\n");
    }
}

}  // namespace
