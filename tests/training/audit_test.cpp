#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store_fixture.hpp"

using namespace training;
using testsupport::StoreTest;

namespace {

// Tampering as an intruder with file access would do it: drop the append-only triggers, then edit.
void tamper(const std::filesystem::path& path, const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char* msg = nullptr;
    const std::string all = "DROP TRIGGER audit_log_append_only_update; DROP TRIGGER audit_log_append_only_delete; " + sql;
    EXPECT_EQ(sqlite3_exec(db, all.c_str(), nullptr, nullptr, &msg), SQLITE_OK) << (msg ? msg : "");
    sqlite3_free(msg);
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
    tamper(dbPath(), "UPDATE audit_log SET hash = 'f' || substr(hash, 2) WHERE id = 2");
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
