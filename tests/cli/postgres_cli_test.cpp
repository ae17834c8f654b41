// kioskctl on a PostgreSQL database: the real binary ($KIOSKCTL) with --db a connection URI to a database of the
// test's own on the private cluster of the pg fixture (tests/support/pg_test_database.hpp). Registered on that
// fixture only (tests/cli/CMakeLists.txt).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <ctime>

#include <nlohmann/json.hpp>

#include "pg_test_database.hpp"
#include "test_support.hpp"
#include "training/database.hpp"
#include "center/operations.hpp"
#include "training/schema.hpp"
#include "training/store.hpp"

using nlohmann::json;
using testsupport::RunResult;
using testsupport::StaffLogin;
using testsupport::TempDir;

namespace {

class KioskctlOnPostgres : public ::testing::Test {
protected:
    void SetUp() override {
        m_bin = testsupport::env("KIOSKCTL");
        ASSERT_FALSE(m_bin.empty()) << "KIOSKCTL is set by CTest";
        ASSERT_TRUE(testsupport::onPostgres()) << "this suite runs on the pg fixture (KIOSK_TEST_PG_URI_FILE)";
        m_pg.emplace();
        ASSERT_FALSE(m_pg->uri().empty()) << "no PostgreSQL test database";
        m_uri = m_pg->uri();
    }
    /// kioskctl --db URI ARGS..., as @p staff when given; the account's data folder is the test's, and no
    /// center folder or key comes from the environment unless @p extraEnv says so.
    RunResult ctl(std::vector<std::string> args, const std::optional<StaffLogin>& staff = std::nullopt,
                  std::vector<std::string> extraEnv = {}) {
        std::vector<std::string> argv{m_bin, "--db", m_uri};
        argv.insert(argv.end(), args.begin(), args.end());
        std::vector<std::string> env{"XDG_DATA_HOME=" + (m_dir / "xdg").string(), "KIOSK_CENTER_KEY=",
                                     "KIOSK_CENTER_DIR=", "KIOSK_DB="};
        env.insert(env.end(), extraEnv.begin(), extraEnv.end());
        return staff ? testsupport::runAs(*staff, argv, env) : testsupport::run(argv, env);
    }
    static json parse(const RunResult& r) {
        auto j = json::parse(r.out, nullptr, false);
        EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.out << r.err;
        return j;
    }
    /// `init` with the center folder @p centerDir; returns the first administrator.
    StaffLogin init(const std::filesystem::path& centerDir) {
        auto r = ctl({"init", "--center", "测试中心", "--code", "T01", "--center-dir", centerDir.string(), "--json"});
        EXPECT_EQ(r.exitCode, 0) << r.err << r.out;
        return testsupport::adminFrom(r.out).value_or(StaffLogin{});
    }
    static mode_t modeOf(const std::filesystem::path& p) {
        struct stat st {};
        EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
        return st.st_mode & 0777;
    }

    TempDir m_dir;
    std::optional<testsupport::PgTestDatabase> m_pg;
    std::string m_bin;
    std::string m_uri;
};

}  // namespace

TEST_F(KioskctlOnPostgres, InitSeedsTheServerDatabaseAndStaffWorkOnIt) {
    const auto center = m_dir / "center";
    auto r = ctl({"init", "--center", "测试中心", "--code", "T01", "--center-dir", center.string(), "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    auto j = parse(r);
    const auto admin = testsupport::adminFrom(r.out);
    ASSERT_TRUE(admin) << r.out;
    EXPECT_EQ(j["center"]["code"], "T01");
    EXPECT_NE(j["db"].get<std::string>().find("PostgreSQL database"), std::string::npos) << j.dump(2);
    EXPECT_EQ(j["key"], (center / "center.key").string());
    EXPECT_EQ(modeOf(center), 0700u) << "the center folder is made owner-only";
    EXPECT_EQ(modeOf(center / "center.key"), 0600u);

    // The records are on the server: the store opened on the URI sees the center.
    {
        auto store = training::Store::open(m_uri, {});
        ASSERT_TRUE(store) << store.error().message;
        EXPECT_EQ((*store)->database().backend(), training::Backend::Postgres);
        auto c = (*store)->center();
        ASSERT_TRUE(c) << c.error().message;
        EXPECT_EQ(c->name, "测试中心");
    }

    // The demo center on top: workers, staff with their PINs shown once.
    r = ctl({"demo-seed", "--center-dir", center.string(), "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    j = parse(r);
    ASSERT_EQ(j["staff"].size(), 3u) << j.dump(2);
    EXPECT_EQ(j["workers"].size(), 6u);
    r = ctl({"demo-seed", "--center-dir", center.string()});
    EXPECT_EQ(r.exitCode, 1) << "a second seed is refused: " << r.out;

    r = ctl({"worker", "list", "--json"}, admin);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto workers = parse(r);
    ASSERT_EQ(workers.size(), 6u);
    EXPECT_EQ(workers[0]["name"], "王秀英");
    EXPECT_NE(workers[0]["doc_number"].get<std::string>().find("********"), std::string::npos)
        << "document numbers are masked: " << workers[0].dump();
    r = ctl({"worker", "show", "1", "--json"}, admin);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(parse(r)["name"], "王秀英") << r.out;
    r = ctl({"worker", "list"});
    EXPECT_EQ(r.exitCode, 1) << "personal data needs a signed-in staff member";

    // A clerk added by the administrator signs in with the new PIN and may list workers, not add staff.
    r = ctl({"staff", "add", "--name", "赵 Clerk", "--role", "clerk", "--json"}, admin, {"KIOSK_NEW_STAFF_PIN=246813"});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    const StaffLogin clerk{std::to_string(parse(r)["id"].get<std::int64_t>()), "246813"};
    r = ctl({"worker", "list", "--json"}, clerk);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(parse(r).size(), 6u);
    r = ctl({"staff", "add", "--name", "x", "--role", "admin"}, clerk, {"KIOSK_NEW_STAFF_PIN=135792"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("may not run"), std::string::npos) << r.err;
    r = ctl({"worker", "list"}, StaffLogin{clerk.id, "999999"});
    EXPECT_EQ(r.exitCode, 1) << "a wrong PIN is refused";

    // Every change above is on the one audit chain.
    r = ctl({"audit", "verify", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    EXPECT_EQ(parse(r)["intact"], true) << r.out;
}

TEST_F(KioskctlOnPostgres, TheCertificationCommandsSignWithTheKeyInTheCenterFolder) {
    const auto center = m_dir / "center";
    auto r = ctl({"demo-seed", "--center-dir", center.string(), "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    const auto admin = testsupport::adminFrom(r.out);
    ASSERT_TRUE(admin);
    const StaffLogin staff{std::to_string(parse(r)["staff"][0]["id"].get<std::int64_t>()), admin->pin};
    const std::vector<std::string> dir{"--center-dir", center.string()};
    auto with = [&](std::vector<std::string> args) {
        args.insert(args.end(), dir.begin(), dir.end());
        args.push_back("--json");
        return args;
    };

    r = ctl(with({"key", "export"}));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(parse(r)["center"], "DEMO");
    r = ctl(with({"key", "list"}), staff);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    ASSERT_EQ(parse(r).size(), 1u);
    EXPECT_EQ(parse(r)[0]["own"], true);

    // Worker 6 of the demo has no hours: not eligible, each reason given.
    r = ctl(with({"eligibility", "--worker", "6"}), staff);
    ASSERT_EQ(r.exitCode, 1) << "not eligible: " << r.err << r.out;
    auto j = parse(r);
    EXPECT_EQ(j["eligible"], false) << j.dump(2);
    EXPECT_FALSE(j["unmet"].empty());
    r = ctl(with({"cert", "render", "--worker", "6", "--out", (m_dir / "c.pdf").string()}), staff);
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_FALSE(std::filesystem::exists(m_dir / "c.pdf"));

    // The signed revocation list and the verification page come from the key in the center folder.
    r = ctl(with({"revocations", "export", "--out", (m_dir / "revoked.json").string()}), staff);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(testsupport::readFile(m_dir / "revoked.json").find("\"DEMO\""), std::string::npos);
    r = ctl(with({"web", "export", "--out", (m_dir / "web").string()}), staff);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    r = ctl(with({"verify", "NOT-A-CODE"}));
    EXPECT_EQ(r.exitCode, 1) << r.out;

    // Without the center folder there is no key to sign with: the message says where it looked.
    r = ctl({"revocations", "export", "--out", (m_dir / "r2.json").string()}, staff);
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_NE(r.err.find("postgresql-"), std::string::npos) << r.err;
}

TEST_F(KioskctlOnPostgres, WhatOnlyAnSqliteFileHasIsRefusedWithWhatToDoInstead) {
    const auto admin = init(m_dir / "center");
    auto r = ctl({"backup", "--to", (m_dir / "copy.db").string()}, admin);
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_NE(r.err.find("pg_dump"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(m_dir / "copy.db"));
    r = ctl({"db", "check", "--json"}, admin);
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_NE(r.err.find("pg_amcheck"), std::string::npos) << r.err;
    EXPECT_EQ(parse(r)["error"]["code"], "refused");
}

TEST_F(KioskctlOnPostgres, TheCenterFolderOfAUriIsTheOptionElseTheEnvironmentElseTheDataFolder) {
    // Nothing given: the account's data folder, named after the database.
    auto r = ctl({"init", "--center", "测试中心", "--code", "T01", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    const auto name = training::postgresDatabaseName(m_uri);
    ASSERT_FALSE(name.empty());
    const auto byDefault = m_dir / "xdg" / "badge-kiosk" / ("postgresql-" + name);
    EXPECT_EQ(parse(r)["key"], (byDefault / "center.key").string());
    EXPECT_TRUE(std::filesystem::exists(byDefault / "center.key"));
    EXPECT_FALSE(std::filesystem::exists(m_dir / "postgresql:")) << "nothing is made in the working folder";

    // $KIOSK_CENTER_DIR names another folder (no key there), and --center-dir wins over it.
    const auto elsewhere = m_dir / "elsewhere";
    r = ctl({"key", "export"}, std::nullopt, {"KIOSK_CENTER_DIR=" + elsewhere.string()});
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_NE(r.err.find((elsewhere / "center.key").string()), std::string::npos) << r.err;
    r = ctl({"key", "export", "--center-dir", byDefault.string()}, std::nullopt,
            {"KIOSK_CENTER_DIR=" + elsewhere.string()});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    // $KIOSK_CENTER_KEY still names the key file itself.
    r = ctl({"key", "export"}, std::nullopt,
            {"KIOSK_CENTER_DIR=" + elsewhere.string(), "KIOSK_CENTER_KEY=" + (byDefault / "center.key").string()});
    EXPECT_EQ(r.exitCode, 0) << r.err;

    // The database may also come from $KIOSK_DB.
    r = testsupport::run({m_bin, "key", "export", "--json"},
                         {"KIOSK_DB=" + m_uri, "XDG_DATA_HOME=" + (m_dir / "xdg").string(), "KIOSK_CENTER_KEY=",
                          "KIOSK_CENTER_DIR="});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(parse(r)["center"], "T01");
}

TEST_F(KioskctlOnPostgres, AMissingDatabaseIsNamedAndAPasswordIsNeverShown) {
    const auto missing = testsupport::withDatabase(m_pg->adminUri(), "kiosk_no_such_database");
    auto r = testsupport::run({m_bin, "--db", missing, "init", "--center", "x"},
                              {"XDG_DATA_HOME=" + (m_dir / "xdg").string()});
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_NE(r.err.find("kiosk_no_such_database"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("create it first"), std::string::npos) << r.err;

    // The test cluster trusts local connections, so a password in the URI is accepted and ignored; it must not
    // appear in anything kioskctl prints.
    m_uri += (m_uri.find('?') == std::string::npos ? "?" : "&") + std::string("password=Sekr1t-pw");
    r = ctl({"init", "--center", "测试中心", "--code", "T01", "--center-dir", (m_dir / "c").string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out.find("Sekr1t-pw"), std::string::npos) << r.out;
    r = ctl({"db", "check"}, testsupport::adminFrom(r.out));
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(r.err.find("Sekr1t-pw"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("Sekr1t-pw"), std::string::npos) << r.out;
}

// kioskctl db copy: a seeded SQLite center moves into the test's empty PostgreSQL database with every row, image and
// consent and an audit chain that verifies; a second copy into it is refused and changes nothing.
TEST_F(KioskctlOnPostgres, DbCopyMovesASeededSqliteCenterIntoAnEmptyDatabase) {
    const auto file = m_dir / "sqlite" / "center.db";
    std::filesystem::create_directories(file.parent_path());
    const std::vector<std::string> env{"XDG_DATA_HOME=" + (m_dir / "xdg").string(), "KIOSK_CENTER_KEY=",
                                       "KIOSK_CENTER_DIR=", "KIOSK_DB="};
    auto onFile = [&](std::vector<std::string> args, const std::optional<StaffLogin>& staff = std::nullopt) {
        std::vector<std::string> argv{m_bin, "--db", file.string()};
        argv.insert(argv.end(), args.begin(), args.end());
        return staff ? testsupport::runAs(*staff, argv, env) : testsupport::run(argv, env);
    };
    auto r = onFile({"demo-seed", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    const auto seed = parse(r);
    const auto admin = testsupport::adminFrom(r.out);
    ASSERT_TRUE(admin);
    StaffLogin clerk;
    for (const auto& s : seed["staff"])
        if (s["role"] == "clerk") clerk = {std::to_string(s["id"].get<std::int64_t>()), s["pin"].get<std::string>()};
    // What the kiosk adds: a signed consent and a portrait (binary, with zero bytes).
    {
        auto store = training::Store::open(file, {});
        ASSERT_TRUE(store) << store.error().message;
        const std::vector<std::uint8_t> png{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 1, 2, 0xff, 0};
        auto consent = (*store)->addConsent(2, training::ConsentKind::Biometric, "v1", "我同意", png, "kiosk:K01");
        ASSERT_TRUE(consent) << consent.error().message;
        auto& db = (*store)->database();
        auto tx = db.transaction();
        ASSERT_TRUE(tx);
        auto ins = db.prepare("INSERT INTO worker_images (worker_id, kind, mime, data, captured_at) "
                              "VALUES (1, 'portrait', 'image/png', ?, 1)");
        ASSERT_TRUE(ins);
        ASSERT_TRUE(ins->bindAll(png).run());
        ASSERT_TRUE((*store)->audit("test", "worker.portrait", "worker:1", "{}"));
        ASSERT_TRUE(tx->commit());
    }
    // Only an administrator copies (every record leaves the file).
    r = onFile({"db", "copy", "--to", m_uri}, clerk);
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("may not run"), std::string::npos) << r.err;
    r = onFile({"db", "copy", "--to", (m_dir / "other.db").string()}, admin);
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("not a PostgreSQL connection URI"), std::string::npos) << r.err;

    r = onFile({"db", "copy", "--to", m_uri, "--json"}, admin);
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    const auto copied = parse(r);
    // Signing in is audited too: the source's chain as it is now is the one copied.
    auto sourceAudit = onFile({"audit", "verify", "--json"});
    ASSERT_EQ(sourceAudit.exitCode, 0) << sourceAudit.err;
    const auto sourceRows = parse(sourceAudit)["rows_checked"].get<std::int64_t>();
    EXPECT_EQ(copied["audit_rows"].get<std::int64_t>(), sourceRows + 1) << "the copied chain and its db.copy row";
    EXPECT_EQ(copied["tables"]["workers"], 6) << copied.dump(2);
    EXPECT_EQ(copied["schema_version"], training::currentSchemaVersion());

    // The same audit chain (plus the copy's row) and the same workers, on the server.
    r = ctl({"audit", "verify", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    EXPECT_EQ(parse(r)["intact"], true);
    EXPECT_EQ(parse(r)["rows_checked"].get<std::int64_t>(), sourceRows + 1);
    auto fromFile = onFile({"worker", "list", "--json"}, admin);
    auto fromServer = ctl({"worker", "list", "--json"}, admin);
    ASSERT_EQ(fromServer.exitCode, 0) << fromServer.err;
    EXPECT_EQ(parse(fromServer), parse(fromFile));
    r = ctl({"audit", "list", "--after", std::to_string(sourceRows), "--json"}, admin);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    ASSERT_GE(parse(r).size(), 1u) << r.out;
    EXPECT_EQ(parse(r)[0]["action"], "db.copy");
    EXPECT_EQ(parse(r)[0]["actor"], "staff:" + admin->id);

    // Every table holds the same rows, blobs byte for byte (images, signed consents).
    {
        auto src = training::Database::open(file, {});
        auto dst = training::Database::open(m_uri, {});
        ASSERT_TRUE(src && dst);
        for (const auto& [table, rows] : copied["tables"].items()) {
            if (table == "audit_log") continue;  // each side has audited its sign-ins since (verified above)
            auto a = src->queryInt("SELECT count(*) FROM " + table);
            auto b = dst->queryInt("SELECT count(*) FROM " + table);
            ASSERT_TRUE(a && b) << table;
            EXPECT_EQ(*a, *b) << table;
            EXPECT_EQ(*a, rows.get<std::int64_t>()) << table;
        }
        EXPECT_GT(copied["tables"]["consents"].get<std::int64_t>(), 0) << "the demo has signed consents";
        for (const std::string sql : {"SELECT worker_id || kind, data FROM worker_images ORDER BY worker_id, kind",
                                      "SELECT id || kind, signature_png FROM consents ORDER BY id"}) {
            auto sa = src->prepare(sql);
            auto sb = dst->prepare(sql);
            ASSERT_TRUE(sa && sb);
            std::vector<std::pair<std::string, std::vector<std::uint8_t>>> va, vb;
            ASSERT_TRUE(sa->forEachRow([&](training::Statement& s) { va.emplace_back(s.text(0), s.blob(1)); }));
            ASSERT_TRUE(sb->forEachRow([&](training::Statement& s) { vb.emplace_back(s.text(0), s.blob(1)); }));
            EXPECT_FALSE(va.empty()) << sql;
            EXPECT_EQ(va, vb) << sql;
        }
    }

    // New rows continue after the ids copied (each identity was set past them).
    r = ctl({"worker", "add", "--name", "李新", "--id-number", "11010519491231002X", "--json"}, admin);
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    EXPECT_EQ(parse(r)["id"], 7);

    // A second copy finds the center there and changes nothing.
    r = onFile({"db", "copy", "--to", m_uri}, admin);
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("is not empty"), std::string::npos) << r.err;
    auto before = ctl({"audit", "verify", "--json"});
    r = onFile({"db", "copy", "--to", m_uri}, admin);
    EXPECT_EQ(r.exitCode, 1);
    r = ctl({"audit", "verify", "--json"});
    EXPECT_EQ(parse(r), parse(before)) << "the refused copy wrote nothing";
    EXPECT_EQ(parse(r)["intact"], true);
}

// A database that holds another application's tables is refused before anything is written.
TEST_F(KioskctlOnPostgres, DbCopyRefusesADatabaseWithOtherTables) {
    const auto file = m_dir / "center.db";
    auto r = testsupport::run({m_bin, "--db", file.string(), "demo-seed", "--json"},
                              {"XDG_DATA_HOME=" + (m_dir / "xdg").string(), "KIOSK_CENTER_KEY=", "KIOSK_CENTER_DIR="});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto admin = testsupport::adminFrom(r.out);
    ASSERT_TRUE(admin);
    {
        auto db = training::Database::open(m_uri, {});
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->exec("CREATE TABLE invoices (id BIGINT PRIMARY KEY)"));
    }
    r = testsupport::runAs(*admin, {m_bin, "--db", file.string(), "db", "copy", "--to", m_uri},
                           {"KIOSK_CENTER_KEY=", "KIOSK_CENTER_DIR="});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("is not empty"), std::string::npos) << r.err;
    auto db = training::Database::open(m_uri, {});
    ASSERT_TRUE(db);
    auto tables = db->queryInt("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");
    ASSERT_TRUE(tables);
    EXPECT_EQ(*tables, 1) << "nothing was created beside the other application's table";
}

// kioskctl kiosk add/remove: a kiosk's own PostgreSQL role sees only the worker it looked up by document number, and
// what a kiosk does with that worker works through the store's usual SQL; nothing else is open to it.
TEST_F(KioskctlOnPostgres, AKioskRoleSeesOnlyTheWorkerItLooksUpAndDoesWhatAKioskDoes) {
    const auto centerDir = m_dir / "center";
    auto r = ctl({"demo-seed", "--center-dir", centerDir.string(), "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    const auto seed = parse(r);
    const auto admin = testsupport::adminFrom(r.out);
    ASSERT_TRUE(admin);
    StaffLogin clerk;
    for (const auto& s : seed["staff"])
        if (s["role"] == "clerk") clerk = {std::to_string(s["id"].get<std::int64_t>()), s["pin"].get<std::string>()};

    r = ctl({"kiosk", "add", "K01"}, clerk);
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("may not run"), std::string::npos) << r.err;
    r = ctl({"kiosk", "add", "K01", "--json"}, admin);
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    const auto login = parse(r);
    const auto role = login["role"].get<std::string>();
    const auto conninfo = login["conninfo"].get<std::string>();
    EXPECT_NE(role.find("_kiosk_k01"), std::string::npos) << role;
    EXPECT_TRUE(training::isPostgresUri(conninfo)) << conninfo;
    EXPECT_NE(conninfo.find("user=" + role), std::string::npos) << conninfo;
    EXPECT_NE(conninfo.find("password="), std::string::npos) << "a generated password: " << conninfo;
    {
        // The server was given only a SCRAM verifier, never the password (CREATE ROLE's text shows in the server's
        // statement log and in pg_stat_activity).
        const auto password = conninfo.substr(conninfo.find("password=") + 9, 24);
        auto owner = training::Database::open(m_uri, {});
        ASSERT_TRUE(owner);
        auto stored = owner->prepare("SELECT rolpassword FROM pg_catalog.pg_authid WHERE rolname = ?");
        ASSERT_TRUE(stored);
        stored->bindAll(role);
        auto row = stored->step();
        ASSERT_TRUE(row && *row) << (row ? "no such role" : row.error().message);
        const auto verifier = stored->text(0);
        stored->reset();
        EXPECT_TRUE(verifier.starts_with("SCRAM-SHA-256$")) << verifier;
        EXPECT_EQ(verifier.find(password), std::string::npos);
    }
    r = ctl({"kiosk", "add", "K01"}, admin);
    EXPECT_EQ(r.exitCode, 1) << "the password is shown once; a second add is refused";
    EXPECT_NE(r.err.find("has a login already"), std::string::npos) << r.err;
    r = ctl({"kiosk", "add", "K 01"}, admin);
    EXPECT_EQ(r.exitCode, 1);

    // The owner's view: a worker on the roster of the session running now, not checked in, and the open sitting.
    std::int64_t workerId = 0, sessionId = 0, otherId = 0;
    std::string docType, docNumber;
    {
        auto owner = training::Database::open(m_uri, {});
        ASSERT_TRUE(owner);
        auto q = owner->prepare(
            "SELECT w.id, w.doc_type, w.doc_number, s.id FROM workers w JOIN roster r ON r.worker_id = w.id "
            "JOIN sessions s ON s.id = r.session_id WHERE s.starts_at - 1800 <= ? AND s.ends_at > ? AND NOT EXISTS "
            "(SELECT 1 FROM attendance a WHERE a.worker_id = w.id AND a.session_id = s.id) ORDER BY w.id LIMIT 1");
        ASSERT_TRUE(q);
        const auto now = static_cast<std::int64_t>(std::time(nullptr));
        q->bindAll(now, now);
        auto row = q->step();
        ASSERT_TRUE(row && *row) << "the demo has a session running now with someone on its roster";
        workerId = q->int64(0);
        docType = q->text(1);
        docNumber = q->text(2);
        sessionId = q->int64(3);
        q->reset();
        auto other = owner->queryInt("SELECT min(id) FROM workers WHERE id <> " + std::to_string(workerId));
        ASSERT_TRUE(other);
        otherId = *other;
    }

    // Plain SQL on the kiosk's login: the personal tables, staff, batches and the claims are refused.
    {
        auto kiosk = training::Database::open(conninfo, {});
        ASSERT_TRUE(kiosk) << kiosk.error().message;
        for (const std::string sql : {"SELECT * FROM workers", "SELECT * FROM public.workers",
                                      "SELECT * FROM public.consents", "SELECT * FROM public.worker_images",
                                      "SELECT pin_hash FROM staff", "UPDATE staff SET role = 'admin'",
                                      "SELECT * FROM submission_batches", "DELETE FROM kiosk_claims",
                                      "INSERT INTO kiosk_claims (session, worker_id) VALUES ('x', 1)",
                                      "SELECT * FROM public.attempts"}) {
            auto res = kiosk->exec(sql);
            ASSERT_FALSE(res) << sql << " was allowed";
            EXPECT_NE(res.error().message.find("permission denied"), std::string::npos) << sql << ": "
                                                                                         << res.error().message;
        }
        // The look-up by document number: that worker, and only that one.
        auto claim = kiosk->prepare("SELECT kiosk_api.claim_worker(?, ?)");
        ASSERT_TRUE(claim);
        claim->bindAll(docType, docNumber);
        auto row = claim->step();
        ASSERT_TRUE(row && *row) << (row ? "" : row.error().message);
        EXPECT_EQ(claim->int64(0), workerId);
        claim->reset();
        auto all = kiosk->prepare("SELECT id FROM workers");
        ASSERT_TRUE(all);
        auto ids = all->int64Rows();
        ASSERT_TRUE(ids) << ids.error().message;
        EXPECT_EQ(*ids, std::vector<std::int64_t>{workerId});
        auto other = kiosk->queryInt("SELECT count(*) FROM workers WHERE id = " + std::to_string(otherId));
        ASSERT_TRUE(other);
        EXPECT_EQ(*other, 0);
        auto consents = kiosk->queryInt("SELECT count(*) FROM consents WHERE worker_id <> " + std::to_string(workerId));
        ASSERT_TRUE(consents);
        EXPECT_EQ(*consents, 0);
        auto res = kiosk->exec("SELECT * FROM public.workers");
        EXPECT_FALSE(res) << "the table itself stays closed after a look-up";
    }

    // What the kiosk does, through the store and the center's operations on the kiosk's login.
    {
        auto store = training::Store::open(conninfo, {});
        ASSERT_TRUE(store) << store.error().message;
        EXPECT_TRUE((*store)->isKioskRole());
        center::Operations ops(**store, center::CenterPaths::forDatabase(conninfo, centerDir));
        auto who = ops.identify(docNumber, std::nullopt, "kiosk:K01");
        ASSERT_TRUE(who) << who.error().message;
        ASSERT_TRUE(who->known);
        EXPECT_EQ(who->known->worker.id, workerId);
        auto listed = (*store)->listWorkers({});
        ASSERT_TRUE(listed) << listed.error().message;
        ASSERT_EQ(listed->size(), 1u) << "a kiosk lists no one but the worker in front of it";
        EXPECT_EQ(listed->front().id, workerId);
        EXPECT_FALSE((*store)->worker(otherId)) << "another worker by id is not found";

        auto in = ops.checkIn(sessionId, workerId, training::AttendanceMethod::Face, 0.9, "kiosk:K01");
        ASSERT_TRUE(in) << in.error().message;
        const std::vector<std::uint8_t> png{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 1, 2, 3};
        auto signedConsent =
            (*store)->addConsent(workerId, training::ConsentKind::Biometric, "v1", "我同意", png, "kiosk:K01");
        ASSERT_TRUE(signedConsent) << signedConsent.error().message;
        ASSERT_TRUE(who->known->openSitting) << "the demo's sitting is open for every worker";
        auto start = ops.startOrResumeAttempt(*who->known->openSitting, workerId, "kiosk:K01", "K01");
        ASSERT_TRUE(start) << start.error().message;
        ASSERT_TRUE(start->attempt) << "worker " << workerId << " has the hours the sitting requires";
        auto answered = ops.exams().answer(*start->attempt, 0, {0});
        ASSERT_TRUE(answered) << answered.error().message;
        auto reloaded = ops.exams().loadAttempt(start->attempt->id);
        ASSERT_TRUE(reloaded) << reloaded.error().message;
        auto state = ops.loadWorkerState(workerId);
        ASSERT_TRUE(state) << state.error().message;
        EXPECT_TRUE(state->biometricConsent);
        auto staff = (*store)->listStaff();
        EXPECT_FALSE(staff) << "a kiosk's login does not read the staff";
    }
    // Every change the kiosk made is on the one chain.
    r = ctl({"audit", "verify", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    EXPECT_EQ(parse(r)["intact"], true);

    // Removed: the login fails, and a connection the kiosk had open is ended.
    auto open = training::Database::open(conninfo, {});
    ASSERT_TRUE(open) << open.error().message;
    r = ctl({"kiosk", "remove", "K01", "--json"}, admin);
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    auto gone = training::Database::open(conninfo, {});
    EXPECT_FALSE(gone) << "the removed kiosk still logs in";
    EXPECT_FALSE(open->queryInt("SELECT 1")) << "the kiosk's open connection outlived its removal";
    r = ctl({"kiosk", "remove", "K01"}, admin);
    EXPECT_EQ(r.exitCode, 1);
}

// TLS with sslmode=verify-full: the fixture's server presents a certificate for localhost signed by a test CA
// (tests/support/pg_fixture.sh). With that CA the connection is encrypted and kioskctl works over it, a kiosk's
// settings keep it; with another CA the connection is refused with libpq's reason.
TEST_F(KioskctlOnPostgres, VerifyFullConnectsWithTheCentersCaAndRefusesAnother) {
    const auto state = std::filesystem::path(testsupport::env("KIOSK_TEST_PG_URI_FILE")).parent_path();
    const auto tlsUri = testsupport::readFile(state / "tls-uri");
    ASSERT_NE(tlsUri.find("sslmode=verify-full"), std::string::npos) << "the pg fixture writes tls-uri: " << tlsUri;
    const auto uri = testsupport::withDatabase(tlsUri, training::postgresDatabaseName(m_uri));
    {
        auto db = training::Database::open(uri, {});
        ASSERT_TRUE(db) << db.error().message;
        auto tls = db->queryInt("SELECT CASE WHEN ssl THEN 1 ELSE 0 END FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
        ASSERT_TRUE(tls) << tls.error().message;
        EXPECT_EQ(*tls, 1) << "the connection is encrypted";
    }
    // kioskctl over it, and a kiosk's settings keep the TLS settings.
    m_uri = uri;
    const auto admin = init(m_dir / "center");
    auto r = ctl({"kiosk", "add", "K02", "--json"}, admin);
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    const auto conninfo = parse(r)["conninfo"].get<std::string>();
    EXPECT_NE(conninfo.find("sslmode=verify-full"), std::string::npos) << conninfo;
    {
        auto kiosk = training::Database::open(conninfo, {});
        ASSERT_TRUE(kiosk) << kiosk.error().message;
        auto tls = kiosk->queryInt("SELECT CASE WHEN ssl THEN 1 ELSE 0 END FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
        ASSERT_TRUE(tls) << tls.error().message;
        EXPECT_EQ(*tls, 1);
    }
    r = ctl({"kiosk", "remove", "K02"}, admin);
    EXPECT_EQ(r.exitCode, 0) << r.err;

    // A server whose certificate another CA signed is not the center's: refused, and the message says why.
    auto wrong = uri;
    wrong.replace(wrong.find("/ca.pem"), 7, "/wrong-ca.pem");
    auto refused = training::Database::open(wrong, {});
    ASSERT_FALSE(refused) << "a server certificate the given CA did not sign was accepted";
    EXPECT_NE(refused.error().message.find("certificate verify failed"), std::string::npos) << refused.error().message;
    r = testsupport::run({m_bin, "--db", wrong, "audit", "verify"}, {"KIOSK_CENTER_KEY=", "KIOSK_CENTER_DIR="});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("certificate verify failed"), std::string::npos) << r.err;
    // Without a CA to check against, verify-full does not connect either.
    auto noCa = uri.substr(0, uri.find("&sslrootcert=")) + "&sslrootcert=" + (m_dir / "missing.pem").string();
    auto missing = training::Database::open(noCa, {});
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("missing.pem"), std::string::npos) << missing.error().message;
}
