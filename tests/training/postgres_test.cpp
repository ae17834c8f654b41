// The PostgreSQL backend of the store, on the private cluster of the pg fixture: what only a server has
// (connections, databases, locks between connections) and the checks on opening that SQLite makes on files.
#include <gtest/gtest.h>

#include <string>

#include "pg_test_database.hpp"
#include <unistd.h>

#include "training/id_number.hpp"
#include "training/privacy.hpp"
#include "training/schema.hpp"
#include "training/store.hpp"

using namespace training;
using testsupport::PgTestDatabase;

namespace {

/// Runs @p sql on the test's database outside the store (as another program or an intruder would).
void rawExec(const std::string& uri, const std::string& sql) {
    auto db = Database::open(uri, {});
    ASSERT_TRUE(db) << db.error().message;
    auto r = db->exec(sql);
    ASSERT_TRUE(r) << r.error().message;
}

std::int64_t rawInt(const std::string& uri, const std::string& sql) {
    auto db = Database::open(uri, {});
    EXPECT_TRUE(db) << db.error().message;
    if (!db) return -1;
    auto v = db->queryInt(sql);
    EXPECT_TRUE(v) << v.error().message;
    return v.value_or(-1);
}

}  // namespace

TEST(PostgresStore, AnUnreachableServerIsAnIoErrorThatNamesIt) {
    auto db = Database::open("postgresql:///center?host=/nonexistent-kiosk-socket-dir&port=5999&user=kiosk", {});
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code, ErrorCode::Io);
    EXPECT_NE(db.error().message.find("cannot connect"), std::string::npos) << db.error().message;
    EXPECT_NE(db.error().message.find("/nonexistent-kiosk-socket-dir:5999"), std::string::npos) << db.error().message;
    EXPECT_NE(db.error().message.find("server is running"), std::string::npos) << db.error().message;
}

TEST(PostgresStore, AMissingDatabaseIsNotFound) {
    PgTestDatabase pg;
    auto db = Database::open(testsupport::withDatabase(pg.adminUri(), "kiosk_no_such_database"), {});
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code, ErrorCode::NotFound) << db.error().message;
    EXPECT_NE(db.error().message.find("kiosk_no_such_database"), std::string::npos) << db.error().message;
}

TEST(PostgresStore, AFreshDatabaseGetsTheCurrentSchemaOnceAndItsStamp) {
    PgTestDatabase pg;
    {
        auto store = Store::open(pg.uri(), {.create = true});
        ASSERT_TRUE(store) << store.error().message;
        EXPECT_EQ((*store)->schemaVersion(), currentSchemaVersion());
    }
    EXPECT_EQ(rawInt(pg.uri(), "SELECT application_id FROM kiosk_meta WHERE id = 1"), kApplicationId);
    EXPECT_EQ(rawInt(pg.uri(), "SELECT user_version FROM kiosk_meta WHERE id = 1"), currentSchemaVersion());
    auto again = Store::open(pg.uri(), {.create = false});
    ASSERT_TRUE(again) << again.error().message;
    auto reapplied = migrateTo((*again)->database(), currentSchemaVersion());
    ASSERT_TRUE(reapplied) << reapplied.error().message;
    EXPECT_EQ(*reapplied, 0);
}

TEST(PostgresStore, AnEmptyDatabaseWithoutCreateSaysHowToInitialiseIt) {
    PgTestDatabase pg;
    auto store = Store::open(pg.uri(), {.create = false});
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, ErrorCode::NotFound);
    EXPECT_NE(store.error().message.find("init"), std::string::npos) << store.error().message;
    EXPECT_EQ(rawInt(pg.uri(), "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"), 0)
        << "nothing was written";
}

TEST(PostgresStore, ANewerSchemaIsRefusedAndTheDatabaseLeftUntouched) {
    PgTestDatabase pg;
    { ASSERT_TRUE(Store::open(pg.uri(), {.create = true})); }
    const auto newer = currentSchemaVersion() + 1;
    rawExec(pg.uri(), "UPDATE kiosk_meta SET user_version = " + std::to_string(newer));
    const auto rows = rawInt(pg.uri(), "SELECT count(*) FROM audit_log");
    auto store = Store::open(pg.uri(), {.create = false});
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, ErrorCode::SchemaTooNew);
    EXPECT_NE(store.error().message.find("newer version"), std::string::npos) << store.error().message;
    EXPECT_NE(store.error().message.find("untouched"), std::string::npos) << store.error().message;
    EXPECT_EQ(rawInt(pg.uri(), "SELECT user_version FROM kiosk_meta"), newer);
    EXPECT_EQ(rawInt(pg.uri(), "SELECT count(*) FROM audit_log"), rows);
}

TEST(PostgresStore, AnotherApplicationsDatabaseIsRefused) {
    PgTestDatabase pg;
    rawExec(pg.uri(), "CREATE TABLE recipes (id BIGINT PRIMARY KEY, name TEXT); INSERT INTO recipes VALUES (1, 'soup')");
    for (bool create : {false, true}) {
        auto store = Store::open(pg.uri(), {.create = create});
        ASSERT_FALSE(store);
        EXPECT_EQ(store.error().code, ErrorCode::NotOurDatabase);
        EXPECT_NE(store.error().message.find("another application"), std::string::npos) << store.error().message;
    }
    EXPECT_EQ(rawInt(pg.uri(), "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"), 1);

    // A database stamped by another application.
    PgTestDatabase other;
    { ASSERT_TRUE(Store::open(other.uri(), {.create = true})); }
    rawExec(other.uri(), "UPDATE kiosk_meta SET application_id = 1");
    auto store = Store::open(other.uri(), {.create = false});
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, ErrorCode::NotOurDatabase);
}

TEST(PostgresStore, AUniqueViolationIsAConflictAndAFailedStatementRollsItsTransactionBack) {
    PgTestDatabase pg;
    auto store = Store::open(pg.uri(), {.create = true});
    ASSERT_TRUE(store) << store.error().message;
    auto& db = (*store)->database();
    ASSERT_TRUE((*store)->initCenter("T01", "测试中心", "test"));
    {
        auto tx = db.transaction();
        ASSERT_TRUE(tx);
        auto dup = db.exec("INSERT INTO courses (code, name_zh, name_en, created_at) VALUES ('badge', 'x', 'x', 0)");
        ASSERT_FALSE(dup);
        EXPECT_EQ(dup.error().code, ErrorCode::Conflict) << dup.error().message;
        auto commit = tx->commit();
        EXPECT_FALSE(commit) << "the server rolled the transaction back";
    }
    // The connection is usable again and the store's writes work.
    auto agency = (*store)->listAgencies();
    EXPECT_TRUE(agency) << agency.error().message;
}

TEST(PostgresStore, AnotherWriterHoldingTheDatabaseIsBusyAfterTheTimeout) {
    PgTestDatabase pg;
    auto first = Store::open(pg.uri(), {.create = true});
    ASSERT_TRUE(first) << first.error().message;
    auto second = Store::open(pg.uri(), {.create = false, .busyTimeoutMs = 200});
    ASSERT_TRUE(second) << second.error().message;
    auto held = (*first)->database().transaction();
    ASSERT_TRUE(held);
    auto waiting = (*second)->database().transaction();
    ASSERT_FALSE(waiting);
    EXPECT_EQ(waiting.error().code, ErrorCode::Busy) << waiting.error().message;
    ASSERT_TRUE(held->commit());
    auto now = (*second)->database().transaction();
    ASSERT_TRUE(now) << now.error().message;
    EXPECT_TRUE(now->commit());
}

TEST(PostgresStore, BlobsAndLastInsertIdsRoundTrip) {
    PgTestDatabase pg;
    auto store = Store::open(pg.uri(), {.create = true});
    ASSERT_TRUE(store) << store.error().message;
    ASSERT_TRUE((*store)->initCenter("T01", "测试中心", "test"));
    WorkerIdentity id;
    id.docNumber = "31010119780312002";
    id.docNumber.push_back(chinaIdCheckCharacter(id.docNumber));
    id.name = "王秀英";
    auto w = (*store)->addWorker(id, {}, "test");
    ASSERT_TRUE(w) << w.error().message;
    EXPECT_EQ(w->id, 1);
    std::vector<std::uint8_t> bytes(256);
    for (int i = 0; i < 256; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
    ASSERT_TRUE((*store)->putWorkerImage(w->id, "portrait", "image/jpeg", bytes, "test"));
    auto back = (*store)->workerImage(w->id, "portrait");
    ASSERT_TRUE(back) << back.error().message;
    ASSERT_TRUE(*back);
    EXPECT_EQ(**back, bytes);
}

TEST(PostgresStore, BackupAndIntegrityCheckNameThePostgresTools) {
    PgTestDatabase pg;
    auto store = Store::open(pg.uri(), {.create = true});
    ASSERT_TRUE(store) << store.error().message;
    testsupport::TempDir dir;
    auto backup = (*store)->backupTo(dir / "b.db", "test");
    ASSERT_FALSE(backup);
    EXPECT_EQ(backup.error().code, ErrorCode::Refused);
    EXPECT_NE(backup.error().message.find("pg_dump"), std::string::npos) << backup.error().message;
    auto check = (*store)->integrityCheck();
    ASSERT_FALSE(check);
    EXPECT_NE(check.error().message.find("pg_amcheck"), std::string::npos) << check.error().message;
}

// An erasure by a database user who may not vacuum the tables (neither their owner nor the database's) deletes the
// rows but does not claim the table files scrubbed: VACUUM would only have warned and skipped them.
TEST(PostgresStore, AnErasureByAUserWhoMayNotVacuumSaysTheFilesAreNotScrubbed) {
    PgTestDatabase pg;
    std::int64_t id = 0;
    {
        auto store = Store::open(pg.uri(), {.create = true});
        ASSERT_TRUE(store) << store.error().message;
        ASSERT_TRUE((*store)->initCenter("T01", "测试中心", "test"));
        WorkerIdentity w;
        w.docNumber = std::string("11010119900307002") + chinaIdCheckCharacter("11010119900307002");
        w.name = "赵敏";
        auto added = (*store)->addWorker(w, {}, "test");
        ASSERT_TRUE(added) << added.error().message;
        id = added->id;
    }
    // A role that may read and write every table, as a kiosk's would, but owns nothing.
    const std::string role = "kiosk_t_clerk_" + std::to_string(::getpid());
    rawExec(pg.adminUri(), "DROP ROLE IF EXISTS " + role);
    rawExec(pg.uri(), "CREATE ROLE " + role + " LOGIN; GRANT ALL ON ALL TABLES IN SCHEMA public TO " + role +
                          "; GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO " + role + "; GRANT ALL ON SCHEMA public TO " +
                          role);
    std::string asRole = pg.uri();
    const auto user = asRole.find("user=");
    ASSERT_NE(user, std::string::npos) << asRole;
    asRole = asRole.substr(0, user) + "user=" + role;
    {
        auto store = Store::open(asRole, {.create = false});
        ASSERT_TRUE(store) << store.error().message;
        auto r = eraseWorker(**store, id, "test");
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_FALSE(r->fileScrubbed);
        EXPECT_NE(r->scrubProblem.find("may not vacuum"), std::string::npos) << r->scrubProblem;
        EXPECT_EQ((*store)->worker(id)->identity.name, "erased-" + std::to_string(id)) << "the rows are erased";
    }
    rawExec(pg.uri(), "REASSIGN OWNED BY " + role + " TO CURRENT_USER; DROP OWNED BY " + role);
    rawExec(pg.adminUri(), "DROP ROLE IF EXISTS " + role);
}
