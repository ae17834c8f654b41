// The PostgreSQL backend of the store, on the private cluster of the pg fixture: what only a server has
// (connections, databases, locks between connections) and the checks on opening that SQLite makes on files.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "pg_test_database.hpp"
#include <unistd.h>

#include "training/change_feed.hpp"
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

TEST(PostgresStore, AWriterWaitingLongerThanTheLockTimeoutIsRetriedBeforeAnythingRan) {
    PgTestDatabase pg;
    auto first = Store::open(pg.uri(), {.create = true});
    ASSERT_TRUE(first) << first.error().message;
    auto second = Store::open(pg.uri(), {.create = false, .busyTimeoutMs = 100});
    ASSERT_TRUE(second) << second.error().message;
    auto held = (*first)->database().transaction();
    ASSERT_TRUE(held);
    std::jthread release([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(350));  // more than three lock timeouts
        EXPECT_TRUE(held->commit());
    });
    auto waiting = (*second)->database().transaction();
    ASSERT_TRUE(waiting) << waiting.error().message;
    EXPECT_TRUE((*second)->database().exec("CREATE TABLE after_the_wait (x INTEGER)"));
    EXPECT_TRUE(waiting->commit());
}

TEST(PostgresStore, ALostConnectionIsServerUnreachableAndTheNextUseConnectsAgain) {
    PgTestDatabase pg;
    auto store = Store::open(pg.uri(), {.create = true});
    ASSERT_TRUE(store) << store.error().message;
    auto& db = (*store)->database();
    ASSERT_TRUE(db.exec("CREATE TABLE answers (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"));
    const auto insert = [&](int id) -> Result<void> {
        auto tx = db.transaction();
        if (!tx) return propagate(tx);
        auto st = db.prepare("INSERT INTO answers (id, v) VALUES (?, ?)");
        if (!st) return propagate(st);
        if (auto r = st->bindAll(id, "a").run(); !r) return r;
        return tx->commit();
    };
    ASSERT_TRUE(insert(1));  // the statement is prepared on the server now
    const auto kill = [&] {
        const auto pid = db.queryInt("SELECT pg_backend_pid()");
        ASSERT_TRUE(pid);
        rawExec(pg.adminUri(), "SELECT pg_terminate_backend(" + std::to_string(*pid) + ", 5000)");
    };

    // The server goes away between two uses: the next use finds out, says so, and the one after connects again.
    kill();
    auto lost = db.queryInt("SELECT count(*) FROM answers");
    ASSERT_FALSE(lost);
    EXPECT_EQ(lost.error().code, ErrorCode::Io);
    EXPECT_EQ(lost.error().reason, "server.unreachable") << lost.error().message;
    EXPECT_NE(lost.error().message.find("lost the connection"), std::string::npos) << lost.error().message;
    ASSERT_TRUE(insert(2)) << "the cached statement is prepared again on the new connection";
    auto sync = db.queryText("SHOW synchronous_commit");
    ASSERT_TRUE(sync && *sync);
    EXPECT_EQ(**sync, "on") << "the session's settings are made again";

    // A transaction begun on a connection that is already gone: the BEGIN finds out and connects again itself.
    kill();
    ASSERT_TRUE(insert(3)) << "nothing had run yet, so the transaction starts on a new connection";

    // The server goes away inside a transaction: the transaction fails, nothing of it is saved, and it does not
    // go on outside a transaction on a new connection.
    {
        auto tx = db.transaction();
        ASSERT_TRUE(tx);
        auto st = db.prepare("INSERT INTO answers (id, v) VALUES (?, ?)");
        ASSERT_TRUE(st);
        ASSERT_TRUE(st->bindAll(4, "lost").run());
        kill();
        auto more = db.prepare("INSERT INTO answers (id, v) VALUES (?, ?)");
        ASSERT_TRUE(more);
        auto r = more->bindAll(5, "lost").run();
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().reason, "server.unreachable") << r.error().message;
        auto c = tx->commit();
        ASSERT_FALSE(c);
        EXPECT_EQ(c.error().reason, "server.unreachable") << c.error().message;
    }
    ASSERT_TRUE(insert(6));
    EXPECT_EQ(rawInt(pg.uri(), "SELECT count(*) FROM answers"), 4) << "1, 2, 3 and 6";
    EXPECT_EQ(rawInt(pg.uri(), "SELECT count(*) FROM answers WHERE v = 'lost'"), 0);
}

TEST(PostgresStore, AServerThatCannotBeReachedHasTheReasonKey) {
    auto db = Database::open("postgresql:///center?host=/nonexistent-kiosk-socket-dir&port=5999&user=kiosk", {});
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().reason, "server.unreachable");
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

// Live screens (change_feed.hpp): the listening connection is lost, the feed says so, connects again on the next
// wait and reports that anything may have changed meanwhile; then it hears the store's notifications again.
TEST(PostgresStore, AChangeFeedWhoseConnectionWasLostListensAgainAndSaysAnythingMayHaveChanged) {
    PgTestDatabase pg;
    auto store = Store::open(pg.uri(), {.create = true});
    ASSERT_TRUE(store) << store.error().message;
    auto feed = ChangeFeed::open(pg.uri());
    ASSERT_TRUE(feed) << feed.error().message;
    ASSERT_TRUE((*feed)->pushes());
    // The feed's own backend: the one in this test's database whose last command was the LISTEN.
    rawExec(pg.uri(), "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' "
                      "AND datname = current_database() AND pid <> pg_backend_pid()");
    auto lost = (*feed)->wait(std::chrono::seconds(5));
    ASSERT_FALSE(lost) << "the feed noticed that its connection ended";
    EXPECT_EQ(lost.error().reason, "server.unreachable") << lost.error().message;
    auto back = (*feed)->wait(std::chrono::seconds(5));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->topics, std::vector<std::string>{std::string(kTopicAny)});
    auto& db = (*store)->database();
    {
        auto tx = db.transaction();
        ASSERT_TRUE(tx);
        db.notifyOnCommit(kTopicBoard);
        ASSERT_TRUE(tx->commit());
    }
    auto heard = (*feed)->wait(std::chrono::seconds(5));
    ASSERT_TRUE(heard) << heard.error().message;
    EXPECT_TRUE(heard->has(kTopicBoard));
}
