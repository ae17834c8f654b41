// kioskctl end to end: a real binary on temporary databases; output and exit codes.
#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <sqlite3.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kiosk/roles.hpp"
#include "pg_test_database.hpp"
#include "test_support.hpp"
#include "training/records.hpp"
#include "training/store.hpp"

using nlohmann::json;
using testsupport::RunResult;
using testsupport::TempDir;

namespace {

class Kioskctl : public ::testing::Test {
protected:
    void SetUp() override {
        m_bin = testsupport::env("KIOSKCTL");
        ASSERT_FALSE(m_bin.empty()) << "KIOSKCTL is set by CTest";
        if (testsupport::onPostgres()) {
            m_pg.emplace();
            ASSERT_FALSE(m_pg->uri().empty()) << "no PostgreSQL test database";
        }
    }
    /// $KIOSK_DB: the center file, or on the PostgreSQL fixture the URI of the test's database (its center
    /// folder is then the default one under XDG_DATA_HOME, the test folder).
    [[nodiscard]] std::string dbTarget() const { return m_pg ? m_pg->uri() : (m_dir / "center.db").string(); }
    /// Runs kioskctl signed in as the center's first administrator once init/demo-seed printed its PIN.
    RunResult ctl(std::vector<std::string> args, const std::string& stdinText = {},
                  const std::vector<std::string>& extraEnv = {}) {
        const bool creates = !args.empty() && (args[0] == "init" || args[0] == "demo-seed");
        args.insert(args.begin(), m_bin);
        std::vector<std::string> env{"KIOSK_DB=" + dbTarget(),
                                     "XDG_DATA_HOME=" + m_dir.path().string()};
        env.insert(env.end(), extraEnv.begin(), extraEnv.end());
        auto r = m_admin && !creates ? testsupport::runAs(*m_admin, args, env, stdinText)
                                     : testsupport::run(args, env, stdinText);
        if (creates && r.exitCode == 0 && !m_admin) m_admin = testsupport::adminFrom(r.out);
        return r;
    }
    /// Runs kioskctl with nobody signed in.
    RunResult anonymous(std::vector<std::string> args, std::vector<std::string> env = {}) {
        args.insert(args.begin(), m_bin);
        env.push_back("KIOSK_DB=" + dbTarget());
        env.push_back("XDG_DATA_HOME=" + m_dir.path().string());
        return testsupport::run(args, env);
    }
    /// `staff login ID` with @p pin in KIOSK_STAFF_PIN.
    RunResult login(const std::string& id, const std::string& pin) {
        return anonymous({"staff", "login", id}, {"KIOSK_STAFF_PIN=" + pin});
    }
    json ctlJson(std::vector<std::string> args, int expectedExit = 0, const std::vector<std::string>& extraEnv = {}) {
        args.push_back("--json");
        auto r = ctl(args, {}, extraEnv);
        EXPECT_EQ(r.exitCode, expectedExit) << r.out << r.err;
        auto j = json::parse(r.out, nullptr, false);
        EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.out;
        return j;
    }
    std::string m_bin;
    TempDir m_dir;
    std::optional<testsupport::PgTestDatabase> m_pg;
    std::optional<testsupport::StaffLogin> m_admin;  ///< from init / demo-seed
};

}  // namespace

TEST_F(Kioskctl, CheckIdValidAndInvalid) {
    auto ok = ctl({"check-id", "11010519491231002x"});
    EXPECT_EQ(ok.exitCode, 0) << ok.err;
    EXPECT_NE(ok.out.find("valid: yes"), std::string::npos);
    EXPECT_NE(ok.out.find("110105********002X"), std::string::npos);
    EXPECT_NE(ok.out.find("1949-12-31"), std::string::npos);
    EXPECT_NE(ok.out.find("female"), std::string::npos);

    auto j = ctlJson({"check-id", "11010519491231002X"});
    EXPECT_EQ(j["valid"], true);
    EXPECT_EQ(j["sex"], "F");
    EXPECT_EQ(j["region_code"], "110105");
    EXPECT_EQ(j["birth_date"], "1949-12-31");
    EXPECT_EQ(j["masked"], "110105********002X");

    auto bad = ctlJson({"check-id", "110105194912310021"}, 1);
    EXPECT_EQ(bad["valid"], false);
    EXPECT_NE(bad["reason"].get<std::string>().find("check character"), std::string::npos);
}

TEST_F(Kioskctl, DemoSeedThenWorkerListShowsSixWorkers) {
    auto seed = ctlJson({"demo-seed"});
    ASSERT_EQ(seed["workers"].size(), 6u);
    ASSERT_EQ(seed["staff"].size(), 3u);
    for (const auto& s : seed["staff"]) EXPECT_EQ(s["pin"].get<std::string>().size(), 6u);
    auto list = ctlJson({"worker", "list"});
    ASSERT_TRUE(list.is_array());
    EXPECT_EQ(list.size(), 6u);
    for (const auto& w : list) {
        const auto number = w["doc_number"].get<std::string>();
        EXPECT_EQ(number.size(), 18u);
        EXPECT_EQ(number.substr(6, 8), "********") << "ID numbers are masked";
    }
    // Global options before or after the subcommand are the same.
    auto before = ctl({"--json", "worker", "list"});
    auto after = ctl({"worker", "list", "--json"});
    EXPECT_EQ(before.exitCode, 0);
    EXPECT_EQ(before.out, after.out);
    // A second seed is refused: it never mixes demo data into real records.
    auto again = ctl({"demo-seed"});
    EXPECT_EQ(again.exitCode, 1);
    EXPECT_NE(again.err.find("already has records"), std::string::npos);
    // One session per module on the days before today (which may be last week: the default list is this week),
    // and one running now (a visitor can check in on any day).
    auto sessions = ctlJson({"session", "list", "--from", "2000-01-01", "--to", "2100-01-01"});
    EXPECT_EQ(sessions.size(), 8u);
    // Times are UTC "YYYY-MM-DDTHH:MM:SSZ": they compare as strings.
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    const std::string now = buf;
    const auto running = std::ranges::count_if(seed["sessions"], [&](const json& s) {
        return s["starts_at"].get<std::string>() <= now && now < s["ends_at"].get<std::string>();
    });
    EXPECT_GE(running, 1) << seed["sessions"].dump();
}

TEST_F(Kioskctl, AuditVerifyFindsTheChangedRowAndExitsNonZero) {
    ASSERT_EQ(ctl({"demo-seed"}).exitCode, 0);
    auto intact = ctlJson({"audit", "verify"});
    EXPECT_EQ(intact["intact"], true);
    EXPECT_GT(intact["rows_checked"].get<int>(), 10);
    auto text = ctl({"audit", "verify"});
    EXPECT_EQ(text.exitCode, 0);
    EXPECT_NE(text.out.find("intact"), std::string::npos);

    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((m_dir / "center.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP TRIGGER audit_log_append_only_update;"
                           "UPDATE audit_log SET subject = 'worker:99' WHERE id = 7",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);

    auto broken = ctlJson({"audit", "verify"}, 1);
    EXPECT_EQ(broken["intact"], false);
    EXPECT_EQ(broken["first_bad_row"], 7);
    auto brokenText = ctl({"audit", "verify"});
    EXPECT_EQ(brokenText.exitCode, 1);
    EXPECT_NE(brokenText.err.find("row 7"), std::string::npos);
}

TEST_F(Kioskctl, InitWorkerAddShowAndFind) {
    EXPECT_EQ(ctl({"init", "--center", "浦东培训中心", "--code", "SH-PD01"}).exitCode, 0);
    auto again = ctl({"init", "--center", "again"});
    EXPECT_EQ(again.exitCode, 1);
    EXPECT_NE(again.err.find("already belongs"), std::string::npos);

    auto agency = ctlJson({"agency", "add", "--name", "安心家政", "--uscc", "91350100M000100Y43"});
    EXPECT_EQ(agency["uscc"], "91350100M000100Y43");
    auto badAgency = ctl({"agency", "add", "--name", "x", "--uscc", "91350100M000100Y44"});
    EXPECT_EQ(badAgency.exitCode, 1);
    EXPECT_NE(badAgency.err.find("check character"), std::string::npos);

    auto w = ctlJson({"worker", "add", "--name", "王秀英", "--id-number", "11010519491231002X", "--phone",
                      "13812345678", "--agency", "91350100M000100Y43", "--service-types", "cleaning,nanny",
                      "--education", "junior", "--health-date", "2026-10-01", "--health-result", "pass"});
    EXPECT_EQ(w["name"], "王秀英");
    EXPECT_EQ(w["doc_number"], "110105********002X");
    EXPECT_EQ(w["service_types"].size(), 2u);

    auto badId = ctl({"worker", "add", "--name", "李娟", "--id-number", "110105194912310021"});
    EXPECT_EQ(badId.exitCode, 1);
    EXPECT_NE(badId.err.find("check character"), std::string::npos);
    auto badPhone = ctl({"worker", "add", "--name", "李娟", "--id-number", "34010219850721104" +
                                                                             std::string(1, 'X'),
                         "--phone", "12345"});
    EXPECT_EQ(badPhone.exitCode, 1);
    auto dup = ctl({"worker", "add", "--name", "王秀英", "--id-number", "110105491231002"});
    EXPECT_EQ(dup.exitCode, 1);
    EXPECT_NE(dup.err.find("already registered"), std::string::npos);

    auto shown = ctlJson({"worker", "show", "110105491231002"});
    EXPECT_EQ(shown["name"], "王秀英");
    // A masked number is never shown beside the birth date it hides (digits 7-14): the year only.
    EXPECT_EQ(shown["doc_number"], "110105********002X");
    EXPECT_EQ(shown["birth_year"], "1949");
    EXPECT_FALSE(shown.contains("birth_date")) << shown.dump();
    const auto shownText = ctl({"worker", "show", "1"}).out;
    EXPECT_EQ(shownText.find("1949-12-31"), std::string::npos) << shownText;
    const auto listText = ctl({"worker", "list"}).out;
    EXPECT_EQ(listText.find("1949-12-31"), std::string::npos) << listText;
    EXPECT_NE(listText.find("1949"), std::string::npos) << listText;
    EXPECT_EQ(ctlJson({"worker", "list"})[0].contains("birth_date"), false);
    auto revealed = ctlJson({"worker", "show", "1", "--reveal"});
    EXPECT_EQ(revealed["doc_number"], "11010519491231002X");
    EXPECT_EQ(revealed["birth_date"], "1949-12-31");
    // Every --reveal is an audit row with the signed-in staff member.
    int reveals = 0;
    for (const auto& e : ctlJson({"audit", "list", "--limit", "1000"}))
        if (e["action"] == "worker.reveal" && e["subject"] == "worker:1" && e["actor"] == "staff:1") ++reveals;
    EXPECT_EQ(reveals, 1);
    auto found = ctlJson({"worker", "find", "秀英"});
    EXPECT_EQ(found.size(), 1u);
    auto updated = ctlJson({"worker", "update", "1", "--phone", "021-62345678"});
    EXPECT_EQ(updated["phone"], "021-62345678");
    auto missing = ctl({"worker", "show", "42"});
    EXPECT_EQ(missing.exitCode, 1);
}

TEST_F(Kioskctl, StaffLockoutThroughTheCli) {
    ASSERT_EQ(ctl({"init", "--center", "c"}).exitCode, 0);
    auto staff = ctlJson({"staff", "add", "--name", "张老师", "--role", "trainer"}, 0, {"KIOSK_NEW_STAFF_PIN=482916"});
    const auto id = std::to_string(staff["id"].get<int>());
    EXPECT_EQ(ctl({"staff", "add", "--name", "x", "--role", "boss"}, {}, {"KIOSK_NEW_STAFF_PIN=482916"}).exitCode, 1);
    auto shortPin = ctl({"staff", "add", "--name", "x", "--role", "clerk"}, {}, {"KIOSK_NEW_STAFF_PIN=4829"});
    EXPECT_EQ(shortPin.exitCode, 1) << "4-digit PINs are refused";
    EXPECT_NE(shortPin.err.find("6 to 12 digits"), std::string::npos) << shortPin.err;
    // A new PIN is never a command-line argument either (it would show in `ps`): it comes from the environment.
    EXPECT_EQ(ctl({"staff", "add", "--name", "x", "--role", "clerk", "--pin", "482916"}).exitCode, 1);
    EXPECT_EQ(ctl({"staff", "set-pin", id, "--pin", "482916"}).exitCode, 1);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(login(id, "000001").exitCode, 1);
    auto locked = login(id, "000001");
    EXPECT_EQ(locked.exitCode, 1);
    EXPECT_NE(locked.err.find("locked"), std::string::npos);
    EXPECT_EQ(login(id, "482916").exitCode, 1);
    auto reset = ctlJson({"staff", "set-pin", id});
    const auto pin = reset["pin"].get<std::string>();
    EXPECT_EQ(login(id, pin).exitCode, 0);
    // A locked account is shown as such; an administrator unlocks it; a deactivated one never signs in again.
    for (int i = 0; i < 5; ++i) (void)login(id, "000001");
    EXPECT_NE(ctl({"staff", "list"}).out.find("(locked)"), std::string::npos);
    EXPECT_EQ(anonymous({"staff", "unlock", id}).exitCode, 1) << "unlocking needs an administrator";
    ASSERT_EQ(ctl({"staff", "unlock", id}).exitCode, 0);
    EXPECT_EQ(login(id, pin).exitCode, 0);
    ASSERT_EQ(ctl({"staff", "deactivate", id}).exitCode, 0);
    EXPECT_EQ(login(id, pin).exitCode, 1);
    EXPECT_EQ(ctl({"staff", "deactivate", "1"}).exitCode, 1) << "the last administrator stays";
    // A PIN is never a command-line argument of the sign-in: `--pin` is gone from `staff login`.
    EXPECT_EQ(anonymous({"staff", "login", id, "--pin", pin}).exitCode, 1);
}

TEST_F(Kioskctl, SessionsRosterAndAttendance) {
    ASSERT_EQ(ctl({"init", "--center", "c"}).exitCode, 0);
    auto trainer = ctlJson({"staff", "add", "--name", "张老师", "--role", "trainer"}, 0, {"KIOSK_NEW_STAFF_PIN=482916"});
    ASSERT_EQ(ctl({"worker", "add", "--name", "王秀英", "--id-number", "11010519491231002X"}).exitCode, 0);
    auto s = ctlJson({"session", "add", "--module", "safety", "--trainer", std::to_string(trainer["id"].get<int>()),
                      "--room", "201", "--start", "2026-03-02 09:00", "--end", "2026-03-02 11:00"});
    const auto sid = std::to_string(s["id"].get<int>());
    auto badModule = ctl({"session", "add", "--module", "cooking", "--start", "2026-03-02 09:00", "--end",
                          "2026-03-02 11:00"});
    EXPECT_EQ(badModule.exitCode, 1);
    EXPECT_NE(badModule.err.find("ethics"), std::string::npos) << "lists the modules";
    auto notRostered = ctl({"attendance", "checkin", "--session", sid, "--worker", "1", "--at", "2026-03-02 09:00"});
    EXPECT_EQ(notRostered.exitCode, 1);
    ASSERT_EQ(ctl({"roster", "add", "--session", sid, "--worker", "11010519491231002X"}).exitCode, 0);
    EXPECT_EQ(ctlJson({"roster", "list", "--session", sid}).size(), 1u);
    ASSERT_EQ(ctl({"attendance", "checkin", "--session", sid, "--worker", "1", "--at", "2026-03-02 08:50"}).exitCode, 0);
    ASSERT_EQ(ctl({"attendance", "checkout", "--session", sid, "--worker", "1", "--at", "2026-03-02 10:30"}).exitCode, 0);
    auto hours = ctlJson({"attendance", "list", "--worker", "1"});
    bool seen = false;
    for (const auto& m : hours["modules"])
        if (m["module"] == "safety") {
            EXPECT_EQ(m["attended_minutes"], 90);
            EXPECT_EQ(m["required_minutes"], 120);
            EXPECT_EQ(m["complete"], false);
            seen = true;
        }
    EXPECT_TRUE(seen);
    auto list = ctlJson({"session", "list", "--from", "2026-03-02"});
    EXPECT_EQ(list.size(), 1u);
}

TEST_F(Kioskctl, BackupAndDbCheck) {
    ASSERT_EQ(ctl({"demo-seed"}).exitCode, 0);
    const auto dest = (m_dir / "backup.db").string();
    auto b = ctl({"backup", "--to", dest});
    EXPECT_EQ(b.exitCode, 0) << b.err;
    auto listed = testsupport::runAs(*m_admin, {m_bin, "--db", dest, "worker", "list", "--json"});
    EXPECT_EQ(listed.exitCode, 0);
    EXPECT_EQ(json::parse(listed.out).size(), 6u);
    auto check = ctlJson({"db", "check"});
    EXPECT_EQ(check["ok"], true);
}

TEST_F(Kioskctl, ErrorsNameTheProblemAndUseTheExitCodes) {
    // No database yet: a refused/bad-input style error with what to do.
    auto none = ctl({"worker", "list"});
    EXPECT_EQ(none.exitCode, 1);
    EXPECT_NE(none.err.find("kioskctl init"), std::string::npos);
    // Not a database: a system error (2) and the file is untouched.
    testsupport::writeFile(m_dir / "junk.db", std::string(4096, 'j'));
    auto junk = testsupport::run({m_bin, "--db", (m_dir / "junk.db").string(), "worker", "list", "--json"});
    EXPECT_EQ(junk.exitCode, 2);
    auto j = json::parse(junk.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded());
    EXPECT_EQ(j["error"]["code"], "corrupt");
    EXPECT_EQ(testsupport::readFile(m_dir / "junk.db"), std::string(4096, 'j'));
    // Usage errors are exit 1 and point at --help.
    auto usage = ctl({"worker", "frobnicate"});
    EXPECT_EQ(usage.exitCode, 1);
    EXPECT_NE(usage.err.find("--help"), std::string::npos);
    auto help = ctl({"--help"});
    EXPECT_EQ(help.exitCode, 0);
    EXPECT_NE(help.out.find("demo-seed"), std::string::npos);
}

TEST_F(Kioskctl, NewerSchemaIsRefusedWithExitCode2) {
    ASSERT_EQ(ctl({"init", "--center", "c"}).exitCode, 0);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((m_dir / "center.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 999", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    auto r = ctl({"worker", "list"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("newer version"), std::string::npos);
}

TEST_F(Kioskctl, InitAgainCompletesAKeyThatCouldNotBeWritten) {
    // The key's folder cannot be created (root ignores permissions; /proc refuses everyone).
    auto first = testsupport::run({m_bin, "init", "--center", "浦东培训中心", "--code", "SH-PD01"},
                                  {"KIOSK_DB=" + dbTarget(), "KIOSK_CENTER_KEY=/proc/no/such/center.key"});
    EXPECT_EQ(first.exitCode, 2) << "an I/O failure: " << first.out;
    EXPECT_NE(first.err.find("run the same 'kioskctl init' again"), std::string::npos) << first.err;
    EXPECT_EQ(ctl({"key", "export"}).exitCode, 1) << "no key yet";
    auto again = ctlJson({"init", "--center", "浦东培训中心", "--code", "SH-PD01"});
    EXPECT_EQ(again["already_initialised"], true);
    auto key = ctl({"key", "export"});
    EXPECT_EQ(key.exitCode, 0) << key.err;
    EXPECT_NE(key.out.find("SH-PD01"), std::string::npos) << key.out;
    auto other = ctl({"init", "--center", "另一个中心", "--code", "SH-PD01"});
    EXPECT_EQ(other.exitCode, 1);
    EXPECT_NE(other.err.find("already belongs"), std::string::npos) << other.err;
}

namespace {

/// Arguments that parse for a command (CLI11 checks them before anyone signs in): a value for each REQUIRED option
/// and positional its --help lists. Paths point into @p dir (nothing is written elsewhere).
std::vector<std::string> requiredArgs(const std::string& help, const std::filesystem::path& dir) {
    std::vector<std::string> out;
    std::istringstream lines(help);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.find(" REQUIRED") == std::string::npos) continue;
        std::istringstream words(line);
        std::string name;
        words >> name;
        const bool pathLike = name.find("FILE") != std::string::npos || name.find("--to") != std::string::npos ||
                              name.find("--out") != std::string::npos || name.find("DIR") != std::string::npos;
        const std::string value = pathLike ? (dir / "no-such-file").string() : "999";  // no such record
        if (name.starts_with("-")) out.push_back(name.substr(name.rfind(',') == std::string::npos ? 0 : name.rfind(',') + 1));
        out.push_back(value);
    }
    return out;
}

}  // namespace

TEST_F(Kioskctl, ChangesNeedASignedInStaffMemberAndOpenCommandsStayOpen) {
    ASSERT_EQ(ctl({"init", "--center", "浦东培训中心", "--code", "SH-PD01"}).exitCode, 0);
    ASSERT_TRUE(m_admin) << "init prints the first administrator's PIN once";
    const std::vector<std::string> add{"worker", "add", "--name", "王秀英", "--id-number", "11010519491231002X"};
    auto refused = anonymous(add);
    EXPECT_EQ(refused.exitCode, 1);
    EXPECT_NE(refused.err.find("needs a signed-in staff member"), std::string::npos) << refused.err;
    auto wrongPin = testsupport::runAs({"1", "000001"}, [&] {
        std::vector<std::string> a{m_bin};
        a.insert(a.end(), add.begin(), add.end());
        return a;
    }(), {"KIOSK_DB=" + dbTarget()});
    EXPECT_EQ(wrongPin.exitCode, 1);
    EXPECT_NE(wrongPin.err.find("wrong PIN"), std::string::npos) << wrongPin.err;
    auto added = ctlJson({"worker", "add", "--name", "王秀英", "--id-number", "11010519491231002X"});
    EXPECT_EQ(added["name"], "王秀英");
    // The audit actor is the signed-in staff member, and --actor can no longer claim to be someone.
    auto audit = ctlJson({"audit", "list"});
    bool seen = false;
    for (const auto& e : audit)
        if (e["action"] == "worker.add") {
            EXPECT_EQ(e["actor"], "staff:1");
            seen = true;
        }
    EXPECT_TRUE(seen) << audit.dump(2);
    EXPECT_EQ(ctl({"--actor", "someone", "worker", "list"}).exitCode, 1);
    // Open: read-only, no personal data.
    EXPECT_EQ(anonymous({"check-id", "11010519491231002X"}).exitCode, 0);
    EXPECT_EQ(anonymous({"config", "defaults"}).exitCode, 0);
    EXPECT_EQ(anonymous({"audit", "verify"}).exitCode, 0);
    auto version = anonymous({"--version"});
    EXPECT_EQ(version.exitCode, 0);
    EXPECT_NE(version.out.find("kioskctl"), std::string::npos) << version.out;
    EXPECT_EQ(anonymous({"verify", "HC1:junk"}).err.find("needs a signed-in"), std::string::npos);
}

// Every guarded command, run by nobody and by each role: about 400 kioskctl runs, each signing in with an Argon2id
// PIN check. Split into shards (command i goes to shard i % kRoleShards) that CTest runs as separate tests, so that
// no single test comes near the time-out under ASan; together they cover every row of the table.
constexpr int kRoleShards = 6;
class KioskctlRoleMatrix : public Kioskctl, public ::testing::WithParamInterface<int> {};

TEST_P(KioskctlRoleMatrix, EveryCommandIsGuardedByTheRoleMatrix) {
    auto seed = ctlJson({"demo-seed"});
    std::map<training::Role, testsupport::StaffLogin> as;
    for (const auto& st : seed["staff"]) {
        auto role = training::parseRole(st["role"].get<std::string>());
        ASSERT_TRUE(role);
        as[*role] = {std::to_string(st["id"].get<int>()), st["pin"].get<std::string>()};
    }
    ASSERT_EQ(as.size(), 3u);
    const std::vector<std::string> env{"KIOSK_DB=" + dbTarget(), "PRINTER=",
                                       "CUPS_SERVER=/nonexistent/cups.sock"};
    int checked = 0;
    int index = -1;
    for (const auto& p : kiosk::permissions()) {
        if (!p.action.starts_with("kioskctl ")) continue;
        if (++index % kRoleShards != GetParam()) continue;
        std::vector<std::string> args;
        std::istringstream words{std::string(p.action.substr(9))};
        for (std::string w; words >> w;) args.push_back(w);
        auto helpArgs = args;
        helpArgs.push_back("--help");
        auto help = anonymous(helpArgs);
        ASSERT_EQ(help.exitCode, 0) << "the role table names a command kioskctl does not have: " << p.action;
        if (p.roles == 0) continue;  // open commands (devices, checks) are exercised by their own tests
        const auto extra = requiredArgs(help.out, m_dir.path());
        args.insert(args.end(), extra.begin(), extra.end());
        auto none = anonymous(args);
        EXPECT_EQ(none.exitCode, 1) << p.action;
        EXPECT_NE(none.err.find("needs a signed-in staff member"), std::string::npos) << p.action << ": " << none.err;
        for (const auto& [role, login] : as) {
            std::vector<std::string> argv{m_bin};
            argv.insert(argv.end(), args.begin(), args.end());
            auto r = testsupport::runAs(login, argv, env);
            const bool refused = r.err.find("may not run") != std::string::npos;
            EXPECT_EQ(refused, !kiosk::allowed(p.action, role))
                << p.action << " as " << training::roleName(role) << ": exit " << r.exitCode << " " << r.err;
            if (refused) {
                EXPECT_EQ(r.exitCode, 1) << p.action;
            }
            EXPECT_EQ(r.err.find("run 'kioskctl --help'"), std::string::npos)
                << p.action << ": the test's arguments do not parse: " << r.err;
        }
        ++checked;
    }
    EXPECT_GT(checked, 40 / kRoleShards) << "shard " << GetParam() << " checked too few commands";
}

INSTANTIATE_TEST_SUITE_P(Shards, KioskctlRoleMatrix, ::testing::Range(0, kRoleShards));

TEST(RoleMatrix, IsDocumentedInTheReadme) {
    // README.md "Staff roles" lists every row of the table (kiosk/src/roles.cpp) with the same roles.
    const auto readme = testsupport::readFile(std::filesystem::path(KIOSK_SOURCE_DIR) / "README.md");
    for (const auto& p : kiosk::permissions()) {
        const std::string row = "| `" + std::string(p.action) + "` | " + kiosk::rolesText(p.roles) + " |";
        EXPECT_NE(readme.find(row), std::string::npos) << "README.md lacks the row: " << row;
    }
}

// The appliance's daily timer runs backup and privacy purge with nobody at the keyboard: as a scheduled job
// (--system-job), which only the account owning the center database may be, for only those two commands.
TEST_F(Kioskctl, ASystemJobMayBackUpAndPurgeAsTheDatabasesOwnerAndNothingElse) {
    ASSERT_EQ(ctl({"demo-seed"}).exitCode, 0);
    const auto backup = (m_dir / "daily.db").string();
    auto ok = anonymous({"--system-job", "daily-backup", "backup", "--to", backup});
    EXPECT_EQ(ok.exitCode, 0) << ok.out << ok.err;
    EXPECT_TRUE(std::filesystem::exists(backup));
    auto purge = anonymous({"--system-job", "daily-purge", "privacy", "purge"});
    EXPECT_EQ(purge.exitCode, 0) << purge.out << purge.err;
    {
        auto store = training::Store::open(m_dir / "center.db", {});
        ASSERT_TRUE(store) << store.error().message;
        auto audit = (*store)->auditEntries(0, 100000);
        ASSERT_TRUE(audit);
        std::vector<std::string> actors;
        for (const auto& e : *audit)
            if (e.actor.starts_with("system:")) actors.push_back(e.actor);
        EXPECT_NE(std::ranges::find(actors, "system:daily-backup"), actors.end()) << "the audit names the job";
    }
    // Not for other commands, not together with --staff, not with a malformed name.
    auto other = anonymous({"--system-job", "daily-backup", "worker", "list"});
    EXPECT_EQ(other.exitCode, 1);
    EXPECT_NE(other.err.find("is not a scheduled job's command"), std::string::npos) << other.err;
    auto both = anonymous({"--system-job", "daily-backup", "--staff", "1", "backup", "--to", backup + "2"},
                          {"KIOSK_STAFF_PIN=000000"});
    EXPECT_EQ(both.exitCode, 1);
    EXPECT_NE(both.err.find("not both"), std::string::npos) << both.err;
    auto name = anonymous({"--system-job", "Daily Backup", "backup", "--to", backup + "3"});
    EXPECT_EQ(name.exitCode, 1);
    EXPECT_NE(name.err.find("lower-case letters"), std::string::npos) << name.err;
    // Another account than the database's owner (the file handed to nobody: this test runs as its owner) is refused.
    ASSERT_EQ(::chown((m_dir / "center.db").c_str(), 65534, 65534), 0);
    auto stranger = anonymous({"--system-job", "daily-backup", "backup", "--to", backup + "4"});
    EXPECT_EQ(stranger.exitCode, 1) << stranger.out << stranger.err;
    EXPECT_NE(stranger.err.find("owns the center database"), std::string::npos) << stranger.err;
    EXPECT_FALSE(std::filesystem::exists(backup + "4"));
}

// packaging/daily-maintenance, as the timer runs it: a dated backup and the purge, both as scheduled jobs.
TEST_F(Kioskctl, TheDailyMaintenanceScriptBacksUpAndPurges) {
    ASSERT_EQ(ctl({"demo-seed"}).exitCode, 0);
    const auto backups = m_dir / "backups";
    auto r = testsupport::run({std::string(KIOSK_SOURCE_DIR) + "/packaging/daily-maintenance"},
                              {"KIOSK_DB=" + (m_dir / "center.db").string(), "KIOSK_BACKUP_DIR=" + backups.string(),
                               "KIOSKCTL=" + m_bin, "XDG_DATA_HOME=" + m_dir.path().string()});
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    int copies = 0;
    for (const auto& e : std::filesystem::directory_iterator(backups))
        copies += e.path().filename().string().starts_with("center-") && e.path().extension() == ".db";
    EXPECT_EQ(copies, 1) << r.out;
    auto store = training::Store::open(m_dir / "center.db", {});
    ASSERT_TRUE(store) << store.error().message;
    auto audit = (*store)->auditEntries(0, 100000);
    ASSERT_TRUE(audit);
    bool purged = false;
    for (const auto& e : *audit) purged = purged || (e.actor == "system:daily-purge");
    EXPECT_TRUE(purged) << "the purge ran as the job: " << r.out << r.err;
}
