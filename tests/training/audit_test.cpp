#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "store_fixture.hpp"
#include "training/audit_checkpoint.hpp"
#include "training/center_key.hpp"
#include "training/text.hpp"

using namespace training;
using testsupport::StoreTest;

namespace {

// Tampering as an intruder with the database owner's rights would do it on PostgreSQL: switch the append-only
// triggers off, then edit.
void tamperPostgres(const std::filesystem::path& uri, const std::string& sql) {
    auto db = Database::open(uri, {});
    ASSERT_TRUE(db) << db.error().message;
    auto r = db->exec("ALTER TABLE audit_log DISABLE TRIGGER USER; " + sql);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
}

// Tampering as an intruder with file access would do it: drop the append-only triggers, then edit.
void tamper(const std::filesystem::path& path, const std::string& sql) {
    if (isPostgresUri(path.native())) return tamperPostgres(path, sql);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char* msg = nullptr;
    const std::string all = "DROP TRIGGER IF EXISTS audit_log_append_only_update; "
                            "DROP TRIGGER IF EXISTS audit_log_append_only_delete; " + sql;
    EXPECT_EQ(sqlite3_exec(db, all.c_str(), nullptr, nullptr, &msg), SQLITE_OK) << (msg ? msg : "");
    sqlite3_free(msg);
    sqlite3_close(db);
}

std::string lengthPrefixed(const std::vector<std::string>& fields) {
    std::string m;
    for (const auto& f : fields) m += std::to_string(f.size()) + ":" + f + ";";
    return m;
}

/// rehash (below) on PostgreSQL, through the store's own connection layer.
void rehashPostgres(const std::filesystem::path& uri, std::int64_t fromId, bool withId, const std::string& extraSql) {
    auto db = Database::open(uri, {});
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE(db->exec("ALTER TABLE audit_log DISABLE TRIGGER USER; " + extraSql + " SELECT 1"));
    struct Row {
        std::int64_t id, at;
        std::string actor, action, subject, details, prev, hash;
    };
    std::vector<Row> rows;
    auto st = db->prepare("SELECT id, at, actor, action, subject, details, prev_hash, hash FROM audit_log ORDER BY id");
    ASSERT_TRUE(st);
    ASSERT_TRUE(st->forEachRow([&](Statement& r) {
        rows.push_back({r.int64(0), r.int64(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6), r.text(7)});
    }));
    std::string prev = std::string(64, '0');
    for (const auto& r : rows) {
        if (r.id < fromId) {
            prev = r.hash;
            continue;
        }
        std::vector<std::string> f{prev, std::to_string(r.at), r.actor, r.action, r.subject, r.details};
        if (withId) f.insert(f.begin(), {"v2", std::to_string(r.id)});
        const auto hash = training::sha256Hex(lengthPrefixed(f));
        auto u = db->prepare("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?");
        ASSERT_TRUE(u);
        EXPECT_TRUE(u->bindAll(prev, hash, r.id).run());
        prev = hash;
    }
    auto head = db->prepare("UPDATE audit_head SET last_id = ?, last_hash = ?");
    ASSERT_TRUE(head);
    EXPECT_TRUE(head->bindAll(rows.back().id, prev).run());
}

/// Re-hashes every row from @p fromId on (with their id, as the store does since it covers it; or in the first form
/// without it) and the head, consistently: what an intruder who knows the formula does after changing rows.
void rehash(const std::filesystem::path& path, std::int64_t fromId, bool withId, const std::string& extraSql = {}) {
    if (isPostgresUri(path.native())) return rehashPostgres(path, fromId, withId, extraSql);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, ("DROP TRIGGER IF EXISTS audit_log_append_only_update; " + extraSql).c_str(), nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT id, at, actor, action, subject, details, prev_hash FROM audit_log ORDER BY id", -1, &st,
                       nullptr);
    struct Row {
        std::int64_t id, at;
        std::string actor, action, subject, details, prev;
    };
    std::vector<Row> rows;
    const auto text = [&](int i) { return std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, i))); };
    while (sqlite3_step(st) == SQLITE_ROW)
        rows.push_back({sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), text(2), text(3), text(4), text(5), text(6)});
    sqlite3_finalize(st);
    std::string prev = std::string(64, '0');
    for (const auto& r : rows) {
        if (r.id < fromId) {
            sqlite3_stmt* h = nullptr;
            sqlite3_prepare_v2(db, "SELECT hash FROM audit_log WHERE id = ?", -1, &h, nullptr);
            sqlite3_bind_int64(h, 1, r.id);
            sqlite3_step(h);
            prev = reinterpret_cast<const char*>(sqlite3_column_text(h, 0));
            sqlite3_finalize(h);
            continue;
        }
        std::vector<std::string> f{prev, std::to_string(r.at), r.actor, r.action, r.subject, r.details};
        if (withId) f.insert(f.begin(), {"v2", std::to_string(r.id)});
        const auto hash = training::sha256Hex(lengthPrefixed(f));
        sqlite3_stmt* u = nullptr;
        sqlite3_prepare_v2(db, "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", -1, &u, nullptr);
        sqlite3_bind_text(u, 1, prev.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(u, 2, hash.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(u, 3, r.id);
        EXPECT_EQ(sqlite3_step(u), SQLITE_DONE);
        sqlite3_finalize(u);
        prev = hash;
    }
    const auto head = "UPDATE audit_head SET last_id = " + std::to_string(rows.back().id) + ", last_hash = '" + prev + "'";
    EXPECT_EQ(sqlite3_exec(db, head.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
}

}  // namespace

class AuditTest : public StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        for (const char* p : {"31010119780312002", "34010219850721104", "32010219700105062", "41010219900918328"}) {
            m_clock->advance(60);
            addWorker(p, "worker");
        }
        // Rows: 1 center.init, 2-5 worker.add.
    }
    AuditVerification verify() {
        m_store.reset();
        auto s = Store::open(dbPath(), {.create = false}, m_clock);
        EXPECT_TRUE(s) << s.error().message;
        m_store = std::move(*s);
        auto v = m_store->verifyAudit();
        EXPECT_TRUE(v) << v.error().message;
        return *v;
    }
};

TEST_F(AuditTest, EveryMutationWritesAChainedRow) {
    auto rows = m_store->auditEntries(0, 100);
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 5u);
    EXPECT_EQ((*rows)[0].action, "center.init");
    EXPECT_EQ((*rows)[1].action, "worker.add");
    EXPECT_EQ((*rows)[0].prevHash, std::string(64, '0'));
    for (std::size_t i = 1; i < rows->size(); ++i) EXPECT_EQ((*rows)[i].prevHash, (*rows)[i - 1].hash);
    // Audit details never carry a full ID number.
    for (const auto& r : *rows) EXPECT_EQ(r.details.find("31010119780312002"), std::string::npos) << r.details;
    auto v = verify();
    EXPECT_TRUE(v.intact);
    EXPECT_EQ(v.rowsChecked, 5);
}

TEST_F(AuditTest, TheLogRefusesUpdatesAndDeletes) {
    auto upd = m_store->database().exec("UPDATE audit_log SET actor = 'x' WHERE id = 2");
    ASSERT_FALSE(upd);
    EXPECT_NE(upd.error().message.find("append-only"), std::string::npos);
    EXPECT_FALSE(m_store->database().exec("DELETE FROM audit_log WHERE id = 5"));
}

TEST_F(AuditTest, AChangedRowIsNamed) {
    tamper(dbPath(), "UPDATE audit_log SET actor = 'someone else' WHERE id = 3");
    auto v = verify();
    EXPECT_FALSE(v.intact);
    ASSERT_TRUE(v.firstBadRow);
    EXPECT_EQ(*v.firstBadRow, 3);
    EXPECT_NE(v.problem.find("row 3"), std::string::npos);
}

TEST_F(AuditTest, AChangedTimeOrDetailIsNamed) {
    tamper(dbPath(), "UPDATE audit_log SET details = '{}' WHERE id = 4");
    auto v = verify();
    EXPECT_FALSE(v.intact);
    EXPECT_EQ(v.firstBadRow.value_or(0), 4);
}

TEST_F(AuditTest, ARecomputedRowStillBreaksTheNextLink) {
    // Changing a row and its own hash moves the break to the next row's link.
    // (The first hex digit flipped whatever it is: a fixed 'f' would leave a hash that starts with 'f' as it was.)
    tamper(dbPath(), "UPDATE audit_log SET hash = CASE WHEN substr(hash, 1, 1) = 'f' THEN '0' ELSE 'f' END || "
                     "substr(hash, 2) WHERE id = 2");
    auto v = verify();
    EXPECT_FALSE(v.intact);
    EXPECT_EQ(v.firstBadRow.value_or(0), 2);
}

TEST_F(AuditTest, ADeletedRowIsFound) {
    tamper(dbPath(), "DELETE FROM audit_log WHERE id = 3");
    auto v = verify();
    EXPECT_FALSE(v.intact);
    EXPECT_EQ(v.firstBadRow.value_or(0), 4);
    EXPECT_NE(v.problem.find("removed"), std::string::npos);
}

TEST_F(AuditTest, TruncatedTailIsFound) {
    tamper(dbPath(), "DELETE FROM audit_log WHERE id = 5");
    auto v = verify();
    EXPECT_FALSE(v.intact);
    EXPECT_NE(v.problem.find("removed"), std::string::npos);
}

TEST_F(AuditTest, TheHashCoversTheRowId) {
    // Renumbering a row (and the head that names it) used to leave every hash valid.
    tamper(dbPath(), "UPDATE audit_log SET id = 50 WHERE id = 5; UPDATE audit_head SET last_id = 50");
    auto v = verify();
    EXPECT_FALSE(v.intact);
    EXPECT_EQ(v.firstBadRow.value_or(0), 50);
}

TEST_F(AuditTest, AChainWrittenBeforeTheIdWasCoveredIsMarkedOnceAndStaysVerifiable) {
    // Rows 1-5 hashed in the first form, as the earlier software wrote them.
    m_store.reset();
    rehash(dbPath(), 1, false);
    auto v = verify();  // reopening marks the chain: row 6 "audit.hash-covers-id"
    EXPECT_TRUE(v.intact) << v.problem;
    EXPECT_EQ(v.rowsChecked, 6);
    addWorker("11010519491231002", "worker");  // row 7, hashed with its id
    auto rows = m_store->auditEntries(0, 100);
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 7u);
    EXPECT_EQ((*rows)[5].action, "audit.hash-covers-id");
    const auto& r7 = (*rows)[6];
    EXPECT_EQ(r7.hash, sha256Hex(lengthPrefixed({"v2", "7", r7.prevHash, std::to_string(r7.at), r7.actor, r7.action,
                                                 r7.subject, r7.details})));
    v = verify();
    EXPECT_TRUE(v.intact) << v.problem;
    EXPECT_EQ(v.rowsChecked, 7) << "the marker is written once";
    // Renumbering a row after the marker is caught.
    m_store.reset();
    tamper(dbPath(), "UPDATE audit_log SET id = 70 WHERE id = 7; UPDATE audit_head SET last_id = 70");
    EXPECT_FALSE(verify().intact);
}

TEST_F(AuditTest, ACheckpointCatchesAnOlderBackupAndARewrittenChain) {
    auto key = ensureCenterKey(*m_store, m_dir / "center.key", "test");
    ASSERT_TRUE(key) << key.error().message;
    ASSERT_TRUE(m_store->backupTo(m_dir / "old.db", "test"));  // the state before the checkpoint
    addWorker("11010519491231002", "worker");
    auto cp = makeAuditCheckpoint(*m_store, *key, "staff:1");
    ASSERT_TRUE(cp) << cp.error().message;
    auto ok = checkAuditCheckpoint(*m_store, *cp);
    ASSERT_TRUE(ok) << ok.error().message;
    addWorker("44030019850101123", "worker");
    ASSERT_TRUE(checkAuditCheckpoint(*m_store, *cp)) << "later rows extend the chain";

    // Rows rewritten and re-hashed consistently: the chain verifies, the checkpoint does not.
    m_store.reset();
    std::filesystem::copy_file(dbPath(), m_dir / "good.db");
    rehash(dbPath(), 3, true, "UPDATE audit_log SET actor = 'nobody' WHERE id = 3;");
    auto v = verify();
    EXPECT_TRUE(v.intact) << "a consistent rewrite fools the chain alone";
    auto rewritten = checkAuditCheckpoint(*m_store, *cp);
    ASSERT_FALSE(rewritten);
    EXPECT_EQ(rewritten.error().code, ErrorCode::Refused);
    EXPECT_NE(rewritten.error().message.find("rewritten"), std::string::npos) << rewritten.error().message;

    // An older backup put back: intact, but it ends before the checkpoint's row.
    m_store.reset();
    std::filesystem::copy_file(m_dir / "old.db", dbPath(), std::filesystem::copy_options::overwrite_existing);
    std::filesystem::remove(m_dir / "center.db-wal");
    std::filesystem::remove(m_dir / "center.db-shm");
    v = verify();
    EXPECT_TRUE(v.intact);
    auto older = checkAuditCheckpoint(*m_store, *cp);
    ASSERT_FALSE(older);
    EXPECT_NE(older.error().message.find("older copy"), std::string::npos) << older.error().message;

    // A forged checkpoint (another row, signature left as it was) is refused.
    std::string forged = *cp;
    const auto at = forged.find("\"row_id\": ");
    ASSERT_NE(at, std::string::npos);
    forged.replace(at, 11, "\"row_id\": 1");
    m_store.reset();
    std::filesystem::copy_file(m_dir / "good.db", dbPath(), std::filesystem::copy_options::overwrite_existing);
    std::filesystem::remove(m_dir / "center.db-wal");
    std::filesystem::remove(m_dir / "center.db-shm");
    verify();
    auto bad = checkAuditCheckpoint(*m_store, forged);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("signature"), std::string::npos) << bad.error().message;
    EXPECT_EQ(checkAuditCheckpoint(*m_store, R"({"format": "badge-audit-checkpoint", "row_id": "7"})").error().code,
              ErrorCode::InvalidInput);
}

// Found by fuzz_json_imports (tests/fuzz/corpus/json_imports/checkpoint-format-number): a format that is not a
// string threw out of the check (json::value) instead of being reported.
TEST_F(AuditTest, ACheckpointWhoseFieldsHaveTheWrongTypesIsRefusedWithTheField) {
    for (const char* text : {R"({"format":0,"center":"FZ00","rowre":"AA"})", R"({"format":["badge-revocations"]})",
                             R"({"format":null,"schema":1})", R"({"schema":1,"audit_checkpoint":"x"})"}) {
        SCOPED_TRACE(text);
        auto r = checkAuditCheckpoint(*m_store, text);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, ErrorCode::InvalidInput);
        EXPECT_NE(r.error().message.find("not an audit checkpoint"), std::string::npos) << r.error().message;
    }
}

TEST_F(AuditTest, AWorkersLatestRowOfAKindIsFoundThroughAnIndexNotByReadingTheLog) {
    // Every sign-in of a worker without a face-check consent asks for their latest decline: reading the whole log
    // for it took 0.3 s per sign-in with two million rows (tests/bench/bench_store.cpp, BM_LatestAuditOfAWorker).
    auto& db = m_store->database();
    const bool pg = m_pg.has_value();
    const std::string query = "SELECT id FROM audit_log WHERE subject = 'worker:2' AND action = 'consent.decline' "
                              "ORDER BY id DESC LIMIT 1";
    // PostgreSQL reads a table this small whole unless told not to; with that off it still may walk the primary
    // key backwards and filter, which is what it would do on a large log without the index.
    if (pg) {
        ASSERT_TRUE(db.exec("SET enable_seqscan = off"));
    }
    auto explain = db.prepare((pg ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + query);
    ASSERT_TRUE(explain) << explain.error().message;
    std::string plan;
    while (true) {
        auto row = explain->step();
        ASSERT_TRUE(row) << row.error().message;
        if (!*row) break;
        plan += explain->text(pg ? 0 : 3) + "\n";
    }
    if (pg) {
        ASSERT_TRUE(db.exec("RESET enable_seqscan"));
    }
    EXPECT_NE(plan.find("audit_log_subject"), std::string::npos) << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << "the newest row comes first in the index: " << plan;

    auto added = m_store->latestAudit("worker:2", "worker.add");
    ASSERT_TRUE(added) << added.error().message;
    ASSERT_TRUE(added->has_value());
    EXPECT_EQ((*added)->subject, "worker:2");
    auto none = m_store->latestAudit("worker:2", "consent.decline");
    ASSERT_TRUE(none) << none.error().message;
    EXPECT_FALSE(none->has_value());
}
