#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store_fixture.hpp"
#include "training/schema.hpp"
#include "training/text.hpp"
#include "training/uscc.hpp"

using namespace training;
using testsupport::StoreTest;
using testsupport::TempDir;

namespace {

void rawExec(const std::filesystem::path& path, const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char* msg = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg);
    EXPECT_EQ(rc, SQLITE_OK) << (msg ? msg : "");
    sqlite3_free(msg);
    sqlite3_close(db);
}

std::string uscc(std::string first17) {
    first17.push_back(usccCheckCharacter(first17));
    return first17;
}

}  // namespace

TEST(StoreOpen, CreatesAFreshDatabaseAtTheCurrentVersionInWalMode) {
    TempDir dir;
    auto store = Store::open(dir / "c.db", {.create = true});
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_EQ((*store)->schemaVersion(), currentSchemaVersion());
    auto mode = (*store)->database().queryText("PRAGMA journal_mode");
    ASSERT_TRUE(mode);
    EXPECT_EQ(mode->value_or(""), "wal");
    EXPECT_EQ(*(*store)->database().queryInt("PRAGMA foreign_keys"), 1);
    EXPECT_EQ(*(*store)->database().queryInt("PRAGMA application_id"), kApplicationId);
}

TEST(StoreOpen, MissingFileWithoutCreateSaysHowToCreateOne) {
    TempDir dir;
    auto store = Store::open(dir / "none.db", {.create = false});
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, ErrorCode::NotFound);
    EXPECT_NE(store.error().message.find("kioskctl init"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir / "none.db"));
}

TEST(StoreOpen, MissingDirectoryIsAnIoError) {
    TempDir dir;
    auto store = Store::open(dir / "no" / "such" / "c.db", {.create = true});
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, ErrorCode::Io);
}

TEST(StoreOpen, MigratesFromEveryEarlierVersion) {
    for (int from = 0; from < currentSchemaVersion(); ++from) {
        TempDir dir;
        {
            auto db = Database::open(dir / "c.db", {});
            ASSERT_TRUE(db);
            auto applied = migrateTo(*db, from);
            ASSERT_TRUE(applied) << applied.error().message;
            EXPECT_EQ(*db->queryInt("PRAGMA user_version"), from);
        }
        auto store = Store::open(dir / "c.db", {.create = false});
        ASSERT_TRUE(store) << "from version " << from << ": " << store.error().message;
        EXPECT_EQ((*store)->schemaVersion(), currentSchemaVersion());
        auto c = (*store)->initCenter("X", "X", "test");
        EXPECT_TRUE(c) << c.error().message;
    }
}

TEST(StoreOpen, MigrationsAreVersionedInOrder) {
    int expected = 1;
    for (const auto& m : migrations()) {
        EXPECT_EQ(m.version, expected++);
        EXPECT_FALSE(m.description.empty());
    }
}

TEST(StoreOpen, ReopeningAppliesNothing) {
    TempDir dir;
    { ASSERT_TRUE(Store::open(dir / "c.db", {.create = true})); }
    auto db = Database::open(dir / "c.db", {});
    ASSERT_TRUE(db);
    auto applied = migrateTo(*db, currentSchemaVersion());
    ASSERT_TRUE(applied);
    EXPECT_EQ(*applied, 0);
}

TEST(StoreOpen, NewerSchemaIsRefusedAndTheFileLeftUntouched) {
    TempDir dir;
    const auto path = dir / "c.db";
    { ASSERT_TRUE(Store::open(path, {.create = true})); }
    rawExec(path, "PRAGMA journal_mode = DELETE; PRAGMA user_version = " + std::to_string(currentSchemaVersion() + 1));
    const auto before = testsupport::readFile(path);
    auto store = Store::open(path, {.create = false});
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, ErrorCode::SchemaTooNew);
    EXPECT_NE(store.error().message.find("newer version"), std::string::npos);
    EXPECT_NE(store.error().message.find("untouched"), std::string::npos);
    EXPECT_EQ(testsupport::readFile(path), before);
    EXPECT_FALSE(std::filesystem::exists(dir / "c.db-wal"));
}

TEST(StoreOpen, AFileThatIsNotADatabaseIsReportedAndNotOverwritten) {
    TempDir dir;
    const auto path = dir / "c.db";
    const std::string garbage = "This is a shopping list, not a database.\n" + std::string(5000, 'x');
    testsupport::writeFile(path, garbage);
    auto store = Store::open(path, {.create = true});
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, ErrorCode::Corrupt);
    EXPECT_NE(store.error().message.find("not a center database"), std::string::npos);
    EXPECT_EQ(testsupport::readFile(path), garbage);
}

TEST(StoreOpen, ADamagedDatabaseFailsQuickCheckAndIsNotOverwritten) {
    TempDir dir;
    const auto path = dir / "c.db";
    {
        auto s = Store::open(path, {.create = true});
        ASSERT_TRUE(s);
        ASSERT_TRUE((*s)->initCenter("T", "T", "test"));
        for (int i = 0; i < 200; ++i) {
            std::string first17 = "310101198001" + std::to_string(10000 + i).substr(1);
            while (first17.size() < 17) first17 += "1";
            WorkerIdentity id;
            id.docNumber = first17.substr(0, 17) + chinaIdCheckCharacter(first17.substr(0, 17));
            id.name = "worker " + std::to_string(i);
            (void)(*s)->addWorker(id, {}, "test");
        }
    }
    rawExec(path, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE");
    // Scribble over the middle of the file: b-tree pages lose their structure.
    std::string bytes = testsupport::readFile(path);
    ASSERT_GT(bytes.size(), 40000u);
    for (std::size_t i = 4096 * 3; i < 4096 * 3 + 3000; ++i) bytes[i] = static_cast<char>(0xA5 ^ (i & 0xFF));
    testsupport::writeFile(path, bytes);
    auto store = Store::open(path, {.create = false, .integrity = IntegrityCheck::Always});
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, ErrorCode::Corrupt);
    EXPECT_NE(store.error().message.find("backup"), std::string::npos);
    EXPECT_EQ(testsupport::readFile(path), bytes);
}

TEST(StoreOpen, AnotherApplicationsDatabaseIsRefused) {
    TempDir dir;
    const auto path = dir / "other.db";
    rawExec(path, "CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO recipes (name) VALUES ('soup')");
    const auto before = testsupport::readFile(path);
    auto store = Store::open(path, {.create = false});
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, ErrorCode::NotOurDatabase);
    EXPECT_EQ(testsupport::readFile(path), before);
}

TEST_F(StoreTest, InitTwiceIsRefused) {
    auto again = m_store->initCenter("T02", "another", "test");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::Refused);
    auto c = m_store->center();
    ASSERT_TRUE(c);
    EXPECT_EQ(c->code, "T01");
}

TEST_F(StoreTest, DefaultBadgeCourseHasTheSyllabusModules) {
    auto c = m_store->course("badge");
    ASSERT_TRUE(c) << c.error().message;
    ASSERT_EQ(c->modules.size(), 7u);
    EXPECT_EQ(c->modules[0].code, "ethics");
    EXPECT_EQ(c->modules[0].requiredMinutes, 120);
    EXPECT_EQ(c->modules[6].code, "badge");
    EXPECT_EQ(c->modules[6].requiredMinutes, 60);
    EXPECT_EQ(c->passMark, 80);
}

TEST_F(StoreTest, WorkerIdentityGoesThroughTheIdRules) {
    WorkerIdentity id;
    id.name = "王秀英";
    id.docNumber = "110105194912310021";  // wrong check character
    auto bad = m_store->addWorker(id, {}, "test");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::InvalidInput);
    EXPECT_NE(bad.error().message.find("check character"), std::string::npos);

    id.docNumber = "11010519491231002x";
    auto ok = m_store->addWorker(id, {}, "test");
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->identity.docNumber, "11010519491231002X");
    EXPECT_EQ(ok->identity.birthDate.value_or(""), "1949-12-31");
    EXPECT_EQ(ok->identity.sex, Sex::Female);

    // The same person again, typed in the old 15-digit form.
    id.docNumber = "110105491231002";
    auto dup = m_store->addWorker(id, {}, "test");
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, ErrorCode::Conflict);

    auto found = m_store->findWorkerByDocument("110105491231002");
    ASSERT_TRUE(found) << found.error().message;
    EXPECT_EQ(found->id, ok->id);
}

TEST_F(StoreTest, BirthDateThatContradictsTheIdNumberIsRefused) {
    WorkerIdentity id;
    id.name = "李娟";
    id.docNumber = "11010519491231002X";
    id.birthDate = "1950-01-01";
    auto r = m_store->addWorker(id, {}, "test");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("does not match"), std::string::npos);
}

TEST_F(StoreTest, PassportWorkers) {
    WorkerIdentity id;
    id.docType = DocumentType::Passport;
    id.docNumber = "l898902c3";
    id.issuingState = "uto";
    id.name = "ERIKSSON ANNA MARIA";
    id.birthDate = "1974-08-12";
    auto w = m_store->addWorker(id, {}, "test");
    ASSERT_TRUE(w) << w.error().message;
    EXPECT_EQ(w->identity.docNumber, "L898902C3");
    EXPECT_EQ(w->identity.issuingState, "UTO");
    auto found = m_store->findWorker("L898902C3");
    ASSERT_TRUE(found) << found.error().message;
    EXPECT_EQ(found->id, w->id);
    id.issuingState = "12";
    id.docNumber = "X1234567";
    EXPECT_FALSE(m_store->addWorker(id, {}, "test"));
}

TEST_F(StoreTest, ProfileRulesOnAddAndUpdate) {
    auto agency = m_store->addAgency({"安心家政", uscc("91310104MA1FL2K3A"), "周敏", std::nullopt, std::nullopt}, "t");
    ASSERT_TRUE(agency) << agency.error().message;
    auto w = addWorker("31010119780312002", "王秀英");
    WorkerProfile p;
    p.phone = "138 1234 5678";
    p.serviceTypes = std::vector<std::string>{"cleaning", "nanny", "cleaning"};
    p.education = "junior";
    p.healthCheckDate = "2026-10-01";
    p.healthCheckResult = "pass";
    p.insuranceValidUntil = "2027-10-01";
    p.agencyId = agency->id;
    auto updated = m_store->updateWorker(w.id, p, "test");
    ASSERT_TRUE(updated) << updated.error().message;
    EXPECT_EQ(updated->profile.phone.value_or(""), "13812345678");
    EXPECT_EQ(updated->profile.serviceTypes->size(), 2u);
    EXPECT_EQ(updated->profile.agencyId.value_or(0), agency->id);

    WorkerProfile bad;
    bad.serviceTypes = std::vector<std::string>{"gardening"};
    auto r = m_store->updateWorker(w.id, bad, "test");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("cleaning"), std::string::npos) << "lists the allowed values";
    WorkerProfile future;
    future.healthCheckDate = "2027-01-01";
    EXPECT_FALSE(m_store->updateWorker(w.id, future, "test"));
    WorkerProfile noAgency;
    noAgency.agencyId = 999;
    EXPECT_FALSE(m_store->updateWorker(w.id, noAgency, "test"));
    EXPECT_FALSE(m_store->updateWorker(w.id, WorkerProfile{}, "test"));
    // Nothing of the refused updates was saved.
    auto again = m_store->worker(w.id);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->profile.serviceTypes->size(), 2u);
    EXPECT_EQ(again->profile.healthCheckDate.value_or(""), "2026-10-01");
}

TEST_F(StoreTest, AgenciesUseTheCreditCodeRules) {
    auto bad = m_store->addAgency({"坏代码", "91310104MA1FL2K3A9", std::nullopt, std::nullopt, std::nullopt}, "t");
    if (usccCheckCharacter("91310104MA1FL2K3A") == '9') GTEST_SKIP() << "test code happens to be valid";
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::InvalidInput);
    auto ok = m_store->addAgency({"好代码", uscc("91310104MA1FL2K3A"), std::nullopt, std::nullopt, std::nullopt}, "t");
    ASSERT_TRUE(ok) << ok.error().message;
    auto dup = m_store->addAgency({"又一个", ok->uscc, std::nullopt, std::nullopt, std::nullopt}, "t");
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, ErrorCode::Conflict);
    EXPECT_TRUE(m_store->findAgency(ok->uscc));
    EXPECT_TRUE(m_store->findAgency("好代码"));
    EXPECT_FALSE(m_store->findAgency("nobody"));
}

TEST_F(StoreTest, ConsentStoresTheHashOfTheExactText) {
    auto w = addWorker("31010119780312002", "王秀英");
    const std::vector<std::uint8_t> png{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 0};
    auto c = m_store->addConsent(w.id, ConsentKind::Commitment, "2026.1", "我承诺……", png, "kiosk:K01");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->textSha256, sha256Hex("我承诺……"));
    EXPECT_FALSE(m_store->addConsent(w.id, ConsentKind::Biometric, "2026.1", "text", {1, 2, 3}, "kiosk"));
    EXPECT_FALSE(m_store->addConsent(9999, ConsentKind::Biometric, "2026.1", "text", png, "kiosk"));
    auto list = m_store->consents(w.id);
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ(list->front().signaturePng, png);
}

TEST_F(StoreTest, FindAndListWorkers) {
    addWorker("31010119780312002", "王秀英");
    addWorker("34010219850721104", "李娟");
    WorkerQuery q;
    q.text = "李";
    auto found = m_store->listWorkers(q);
    ASSERT_TRUE(found);
    ASSERT_EQ(found->size(), 1u);
    EXPECT_EQ(found->front().identity.name, "李娟");
    q.text = "340102";
    EXPECT_EQ(m_store->listWorkers(q)->size(), 1u);
    EXPECT_EQ(m_store->listWorkers({})->size(), 2u);
}

TEST_F(StoreTest, OnlineBackupIsAConsistentCopy) {
    addWorker("31010119780312002", "王秀英");
    const auto dest = m_dir / "backup.db";
    ASSERT_TRUE(m_store->backupTo(dest, "test"));
    auto copy = Store::open(dest, {.create = false, .integrity = IntegrityCheck::Always});
    ASSERT_TRUE(copy) << copy.error().message;
    EXPECT_EQ((*copy)->listWorkers({})->size(), 1u);
    auto v = (*copy)->verifyAudit();
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->intact) << v->problem;
    EXPECT_FALSE(std::filesystem::exists(m_dir / "backup.db.partial"));
    auto bad = m_store->backupTo(m_dir / "missing" / "b.db", "test");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::Io);
}

TEST_F(StoreTest, FailedTransactionLeavesNoTrace) {
    const auto auditBefore = *m_store->database().queryInt("SELECT count(*) FROM audit_log");
    WorkerIdentity id;
    id.name = "";
    id.docNumber = "11010519491231002X";
    EXPECT_FALSE(m_store->addWorker(id, {}, "test"));
    EXPECT_EQ(*m_store->database().queryInt("SELECT count(*) FROM audit_log"), auditBefore);
    EXPECT_EQ(*m_store->database().queryInt("SELECT count(*) FROM workers"), 0);
}

TEST_F(StoreTest, IntegrityCheckOnASoundDatabase) {
    auto problems = m_store->integrityCheck();
    ASSERT_TRUE(problems);
    EXPECT_TRUE(problems->empty());
}

TEST(StoreInit, CenterCodeIsCheckedBeforeAnythingIsWritten) {
    TempDir dir;
    auto store = Store::open(dir / "c.db", {.create = true});
    ASSERT_TRUE(store);
    for (const char* bad : {"中心", "SH 01", "ABCDEFGHIJKLMNOPQ"}) {
        auto c = (*store)->initCenter(bad, "name", "t");
        ASSERT_FALSE(c) << bad;
        EXPECT_EQ(c.error().code, ErrorCode::InvalidInput);
    }
    EXPECT_FALSE((*store)->center()) << "nothing was written";
    EXPECT_TRUE((*store)->initCenter("SH-PD_01", "name", "t"));
}

TEST_F(StoreTest, WorkerImagesReadBackAndIdentityRejectionsAreAuditedMasked) {
    auto w = addWorker("11010119900307002", "赵敏");
    auto none = m_store->workerImage(w.id, "portrait");
    ASSERT_TRUE(none) << none.error().message;
    EXPECT_FALSE(none->has_value());
    const std::vector<std::uint8_t> jpeg{0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3};
    ASSERT_TRUE(m_store->putWorkerImage(w.id, "portrait", "image/jpeg", jpeg, "test"));
    auto back = m_store->workerImage(w.id, "portrait");
    ASSERT_TRUE(back && back->has_value());
    EXPECT_EQ(**back, jpeg);

    EXPECT_EQ(m_store->recordIdentityRejected(w.id, "", "photo-mismatch", "staff:2").error().code,
              training::ErrorCode::InvalidInput);
    ASSERT_TRUE(m_store->recordIdentityRejected(w.id, w.identity.docNumber, "photo-mismatch", "staff:2"));
    ASSERT_TRUE(m_store->recordIdentityRejected(std::nullopt, "L898902C3", "photo-mismatch", "staff:3"));
    auto audit = m_store->auditEntries(0, 1000);
    ASSERT_TRUE(audit);
    std::vector<training::AuditEntry> rejected;
    for (const auto& e : *audit)
        if (e.action == "identity.rejected") rejected.push_back(e);
    ASSERT_EQ(rejected.size(), 2u);
    EXPECT_EQ(rejected[0].actor, "staff:2");
    EXPECT_EQ(rejected[0].subject, "worker:" + std::to_string(w.id));
    EXPECT_EQ(rejected[0].details.find(w.identity.docNumber), std::string::npos) << "the number is masked";
    EXPECT_NE(rejected[0].details.find("photo-mismatch"), std::string::npos);
    EXPECT_EQ(rejected[1].subject, "document");
    EXPECT_EQ(rejected[1].details.find("L898902C3"), std::string::npos);
    auto chain = m_store->verifyAudit();
    ASSERT_TRUE(chain);
    EXPECT_TRUE(chain->intact) << chain->problem;
}
