// kioskctl's privacy commands (issue 15), run as the real binary on a center prepared through the Store API:
// worker consent withdraw, worker export, worker erase (the bytes gone from the file), privacy purge with records
// written under a manual clock years ago. Registered a second time on the PostgreSQL fixture (tests/cli/CMakeLists.txt):
// kioskctl --db takes the test database's connection URI, and the erasure is checked in the server's table files.
#include <gtest/gtest.h>

#include <algorithm>

#include <map>
#include <nlohmann/json.hpp>

#include "certification_fixture.hpp"
#include "pg_test_database.hpp"
#include "test_support.hpp"
#include "training/privacy.hpp"

namespace {

using nlohmann::json;
using testsupport::RunResult;
using testsupport::TempDir;

constexpr std::int64_t k2015 = 1420848000;  // 2015-01-10 00:00 UTC

/// Bytes that pass the store's image checks (a JPEG signature and a recognisable body).
std::vector<std::uint8_t> fakeJpeg(char fill) {
    std::vector<std::uint8_t> v{0xFF, 0xD8, 0xFF, 0xE0};
    v.insert(v.end(), 3000, static_cast<std::uint8_t>(fill));
    return v;
}

class PrivacyCli : public ::testing::Test {
protected:
    void SetUp() override {
        m_bin = testsupport::env("KIOSKCTL");
        ASSERT_FALSE(m_bin.empty()) << "KIOSKCTL is set by CTest";
        if (testsupport::onPostgres()) {
            m_pg.emplace();
            ASSERT_FALSE(m_pg->uri().empty()) << "no PostgreSQL test database";
            m_db = m_pg->uri();
        } else {
            m_db = m_dir / "center.db";
        }
        auto r = ctl({"init", "--center", "隐私测试中心", "--code", "P01"});
        ASSERT_EQ(r.exitCode, 0) << r.err;
        auto admin = testsupport::adminFrom(r.out);
        ASSERT_TRUE(admin) << "init prints the first administrator's PIN: " << r.out;
        m_admin = *admin;
    }
    /// kioskctl signed in as the center's first administrator (init runs before anyone exists).
    RunResult ctl(std::vector<std::string> args) {
        args.insert(args.begin(), {m_bin, "--db", m_db.string()});
        // On PostgreSQL there is no database folder to keep the center key beside: it is named.
        const std::vector<std::string> env{"XDG_DATA_HOME=" + m_dir.path().string(),
                                           "KIOSK_CENTER_KEY=" + (m_pg ? (m_dir / "center.key").string() : "")};
        if (m_admin.pin.empty()) return testsupport::run(args, env);
        return testsupport::runAs(m_admin, args, env);
    }
    json ctlJson(std::vector<std::string> args, int expectedExit = 0) {
        args.push_back("--json");
        auto r = ctl(args);
        EXPECT_EQ(r.exitCode, expectedExit) << r.out << r.err;
        auto j = json::parse(r.out, nullptr, false);
        EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.out;
        return j;
    }
    std::unique_ptr<training::Store> open(std::shared_ptr<const training::Clock> clock = nullptr) {
        auto s = training::Store::open(m_db, {}, std::move(clock));
        EXPECT_TRUE(s) << (s ? "" : s.error().message);
        return s ? std::move(*s) : nullptr;
    }
    testsupport::EligibleWorker worker(training::Store& store, const std::string& first17, const std::string& name) {
        testsupport::EligibleWorkerOptions o;
        o.first17 = first17;
        o.name = name;
        o.portraitJpeg = fakeJpeg('P');
        auto w = testsupport::makeEligibleWorker(store, o);
        EXPECT_TRUE(w) << (w ? "" : w.error().message);
        if (!w) return {};
        EXPECT_TRUE(store.putWorkerImage(w->workerId, "chip", "image/jpeg", fakeJpeg('C'), "test"));
        return *w;
    }
    /// The database file and its log, as bytes; on PostgreSQL the database's files on the server.
    std::string fileBytes() {
        if (m_pg) {
            auto db = training::Database::open(m_db, {.create = false});
            EXPECT_TRUE(db) << (db ? "" : db.error().message);
            return db ? testsupport::pgBytesAtRest(*db) : std::string();
        }
        std::string all = testsupport::readFile(m_db);
        if (std::filesystem::exists(m_db.string() + "-wal")) all += testsupport::readFile(m_db.string() + "-wal");
        return all;
    }

    std::string m_bin;
    TempDir m_dir;
    std::optional<testsupport::PgTestDatabase> m_pg;
    std::filesystem::path m_db;
    testsupport::StaffLogin m_admin{"1", ""};
};

TEST_F(PrivacyCli, ExportWritesEverythingHeldAboutTheWorkerAsJsonAndImages) {
    auto store = open();
    const auto w = worker(*store, "31010119780312002", "王秀英");
    const auto out = m_dir / "worker.zip";
    auto j = ctlJson({"worker", "export", std::to_string(w.workerId), "--out", out.string()});
    EXPECT_EQ(j["ok"], true);
    ASSERT_TRUE(std::filesystem::exists(out));
    EXPECT_EQ(std::filesystem::status(out).permissions() & std::filesystem::perms::others_read,
              std::filesystem::perms::none);
    // A real zip: Python's zipfile lists and reads it.
    auto listed = testsupport::run({"/usr/bin/python3", "-c",
                                    "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; "
                                    "print('\\n'.join(z.namelist())); open(sys.argv[2],'wb').write(z.read('data.json'))",
                                    out.string(), (m_dir / "data.json").string()});
    ASSERT_EQ(listed.exitCode, 0) << listed.err;
    for (const char* name : {"data.json", "README.txt", "images/chip.jpg", "images/portrait.jpg"})
        EXPECT_NE(listed.out.find(name), std::string::npos) << name << " in\n" << listed.out;
    EXPECT_NE(listed.out.find("signatures/consent-"), std::string::npos) << listed.out;
    auto data = json::parse(testsupport::readFile(m_dir / "data.json"), nullptr, false);
    ASSERT_FALSE(data.is_discarded());
    EXPECT_EQ(data["worker"]["doc_number"], w.idNumber) << "the worker's own copy is not masked";
    EXPECT_EQ(data["worker"]["name"], "王秀英");
    EXPECT_EQ(data["images"].size(), 2u);
    EXPECT_EQ(data["consents"].size(), 3u);
    EXPECT_GE(data["attendance"].size(), 1u);
    EXPECT_GE(data["attempts"].size(), 1u);
    EXPECT_GE(data["answers"].size(), 1u);
    EXPECT_GE(data["rosters"].size(), 1u);
    EXPECT_FALSE(data["answers"][0]["question_key"].get<std::string>().empty());
    bool added = false;
    for (const auto& a : data["audit"]) added = added || a["action"] == "worker.add";
    EXPECT_TRUE(added) << "the audit rows about the worker are part of the copy";
    // The export itself is audited.
    auto audit = open()->auditEntries(0, 100000);
    ASSERT_TRUE(audit);
    EXPECT_EQ(audit->back().action, "worker.export");
    EXPECT_EQ(audit->back().subject, "worker:" + std::to_string(w.workerId));

    auto missing = ctl({"worker", "export", "999", "--out", (m_dir / "x.zip").string()});
    EXPECT_EQ(missing.exitCode, 1);
    EXPECT_FALSE(std::filesystem::exists(m_dir / "x.zip"));
}

TEST_F(PrivacyCli, EraseRemovesTheNameAndIdNumberFromTheFileAndKeepsTheAuditChainValid) {
    std::string erasedId, keptId;
    std::int64_t erased = 0;
    {
        auto store = open();
        const auto a = worker(*store, "31010119780312002", "欧阳秀兰");
        const auto b = worker(*store, "31010119800101001", "司马静怡");
        erased = a.workerId;
        erasedId = a.idNumber;
        keptId = b.idNumber;
        // A name changed once: the old row version lingers in free pages unless the file is rebuilt.
        training::WorkerProfile p;
        p.phone = "13911112222";
        ASSERT_TRUE(store->updateWorker(erased, p, "test"));
    }
    {
        const auto before = fileBytes();
        ASSERT_NE(before.find(erasedId), std::string::npos) << "the test must see the number before erasure";
        ASSERT_NE(before.find("欧阳秀兰"), std::string::npos);
    }
    auto refused = ctl({"worker", "erase", std::to_string(erased)});
    EXPECT_EQ(refused.exitCode, 1) << "erasure needs --yes";
    auto j = ctlJson({"worker", "erase", std::to_string(erased), "--yes"});
    EXPECT_EQ(j["ok"], true);
    EXPECT_EQ(j["file_scrubbed"], true) << j.dump();
    EXPECT_GE(j["deleted"]["images"].get<int>(), 2);
    EXPECT_GE(j["deleted"]["attempts"].get<int>(), 1);

    const auto after = fileBytes();
    EXPECT_EQ(after.find(erasedId), std::string::npos) << "the ID number is still in the database file";
    EXPECT_EQ(after.find(erasedId.substr(0, 17)), std::string::npos);
    EXPECT_EQ(after.find("欧阳秀兰"), std::string::npos) << "the name is still in the database file";
    EXPECT_EQ(after.find("13911112222"), std::string::npos) << "the phone number is still in the database file";
    EXPECT_NE(after.find(keptId), std::string::npos) << "the other worker is untouched";
    EXPECT_NE(after.find("司马静怡"), std::string::npos);

    auto verify = ctl({"audit", "verify"});
    EXPECT_EQ(verify.exitCode, 0) << verify.out << verify.err;
    auto show = ctlJson({"worker", "show", std::to_string(erased)});
    EXPECT_EQ(show["name"], "erased-" + std::to_string(erased));
    auto store = open();
    EXPECT_TRUE(store->consents(erased)->empty());
    EXPECT_TRUE(store->attendanceOf(erased)->empty());
    auto audit = store->auditEntries(0, 100000);
    ASSERT_TRUE(audit);
    // The erase is audited (every kioskctl run after it adds its own staff.login row).
    EXPECT_TRUE(std::ranges::any_of(*audit, [](const auto& e) { return e.action == "worker.erase"; }));
}

TEST_F(PrivacyCli, WithdrawingTheBiometricConsentDeletesThePortraitAndFaceScores) {
    std::int64_t id = 0;
    {
        auto store = open();
        id = worker(*store, "31010119780312002", "王秀英").workerId;
    }
    auto j = ctlJson({"worker", "consent", "withdraw", std::to_string(id)});
    EXPECT_EQ(j["portraits_deleted"], 1);
    EXPECT_GE(j["face_scores_cleared"].get<int>(), 1);
    auto store = open();
    auto w = store->worker(id);
    ASSERT_TRUE(w);
    EXPECT_FALSE(w->faceVerifiedAt.has_value());
    EXPECT_FALSE(store->workerImage(id, "portrait")->has_value());
    EXPECT_TRUE(store->workerImage(id, "chip")->has_value()) << "the document photo is not biometric consent data";
    auto again = ctl({"worker", "consent", "withdraw", std::to_string(id)});
    EXPECT_EQ(again.exitCode, 1) << "nothing left to withdraw";
    EXPECT_NE(again.err.find("no biometric consent in force"), std::string::npos) << again.err;
}

TEST_F(PrivacyCli, PurgeDeletesWhatIsPastRetentionAndSaysWhatAndHowMuch) {
    std::int64_t oldId = 0, newId = 0;
    {
        // Everything about this worker happened in January 2015 (a manual clock).
        auto store = open(std::make_shared<training::ManualClock>(k2015));
        oldId = worker(*store, "31010119780312002", "王秀英").workerId;
    }
    {
        auto store = open();
        newId = worker(*store, "31010119800101001", "李娟").workerId;
    }
    auto dry = ctlJson({"privacy", "purge", "--dry-run"});
    EXPECT_EQ(dry["dry_run"], true);
    std::map<std::string, json> byCat;
    for (const auto& c : dry["categories"]) byCat[c["category"].get<std::string>()] = c;
    EXPECT_EQ(byCat["live-portraits"]["records"], 1);
    EXPECT_EQ(byCat["live-portraits"]["bytes"], 3004);
    EXPECT_EQ(byCat["chip-photos"]["records"], 1);
    EXPECT_EQ(byCat["signatures"]["records"], 3);
    EXPECT_GE(byCat["attempts"]["records"].get<int>(), 1);
    EXPECT_GE(byCat["attendance"]["records"].get<int>(), 1);
    EXPECT_TRUE(open()->workerImage(oldId, "portrait")->has_value()) << "a dry run deletes nothing";
    auto text = ctl({"privacy", "purge", "--dry-run"});
    EXPECT_NE(text.out.find("would delete"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("live-portraits"), std::string::npos) << text.out;

    auto done = ctlJson({"privacy", "purge"});
    EXPECT_EQ(done["dry_run"], false);
    auto store = open();
    EXPECT_FALSE(store->workerImage(oldId, "portrait")->has_value());
    EXPECT_FALSE(store->workerImage(oldId, "chip")->has_value());
    EXPECT_TRUE(store->consents(oldId)->empty());
    EXPECT_TRUE(store->attendanceOf(oldId)->empty());
    // The recent worker keeps everything.
    EXPECT_TRUE(store->workerImage(newId, "portrait")->has_value());
    EXPECT_EQ(store->consents(newId)->size(), 3u);
    EXPECT_FALSE(store->attendanceOf(newId)->empty());
    auto audit = store->auditEntries(0, 100000);
    ASSERT_TRUE(audit);
    EXPECT_EQ(audit->back().action, "privacy.purge");
    EXPECT_EQ(ctl({"audit", "verify"}).exitCode, 0);

    // Four years on (a manual clock again), the recent worker's data is past the default three years too; a longer
    // retention configured for live portraits keeps theirs.
    auto later = open(std::make_shared<training::ManualClock>(store->now() + 4 * 366 * 86400LL));
    training::RetentionPolicy policy;
    ASSERT_TRUE(training::applyRetentionSetting(policy, "live-portraits=3650"));
    auto lines = training::purgeExpired(*later, policy, true, "test");
    ASSERT_TRUE(lines) << lines.error().message;
    for (const auto& l : *lines) {
        if (l.category == training::RetentionCategory::LivePortraits) {
            EXPECT_EQ(l.records, 0);
        }
        if (l.category == training::RetentionCategory::Signatures) {
            EXPECT_EQ(l.records, 3);
        }
    }
    auto bad = ctl({"privacy", "purge", "--keep", "portraits=abc"});
    EXPECT_EQ(bad.exitCode, 1);
    EXPECT_NE(bad.err.find("live-portraits"), std::string::npos) << bad.err;
}

TEST(Retention, DefaultsComeFromTheConsentTextAndSettingsAreChecked) {
    training::RetentionPolicy p;
    for (auto c : training::retentionCategories()) EXPECT_EQ(p.days(c), 3 * 365) << retentionCategoryName(c);
    EXPECT_TRUE(training::applyRetentionSetting(p, "attendance=30"));
    EXPECT_EQ(p.attendanceDays, 30);
    EXPECT_FALSE(training::applyRetentionSetting(p, "attendance"));
    EXPECT_FALSE(training::applyRetentionSetting(p, "attendance=-1"));
    EXPECT_FALSE(training::applyRetentionSetting(p, "attendance=99999"));
    EXPECT_FALSE(training::applyRetentionSetting(p, "faces=10"));
}

}  // namespace
