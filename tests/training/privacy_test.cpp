// The workers' rights in the store (training/privacy.hpp), on both backends: withdrawal, export, erasure and the
// retention purge. Registered a second time on the PostgreSQL fixture (tests/training/CMakeLists.txt): there the
// erased name and ID number must be gone from the database's files on the server (tables, TOAST, indexes) once the
// erasure has vacuumed them; on SQLite from the file and its log. Every SQLite connection of the store overwrites
// what is deleted (secure_delete), so a withdrawal, a purge or an update leaves no copy in the file either.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "certification_fixture.hpp"
#include "store_fixture.hpp"
#include "training/center_key.hpp"
#include "training/certificates.hpp"
#include "training/privacy.hpp"
#include "training/submission.hpp"

using namespace training;
using testsupport::StoreTest;

namespace {

constexpr std::int64_t k2015 = 1420848000;  // 2015-01-10 00:00 UTC

/// Bytes that pass the store's image checks and are easy to find in a file (not compressible to nothing: a
/// counter, so that PostgreSQL's TOAST compression does not hide them either).
std::vector<std::uint8_t> fakeJpeg(char tag) {
    std::vector<std::uint8_t> v{0xFF, 0xD8, 0xFF, 0xE0};
    for (int i = 0; i < 3000; ++i) v.push_back(static_cast<std::uint8_t>(i % 7 == 0 ? tag : (i * 37) & 0xFF));
    return v;
}

class PrivacyStore : public StoreTest {
protected:
    testsupport::EligibleWorker worker(const std::string& first17, const std::string& name) {
        testsupport::EligibleWorkerOptions o;
        o.first17 = first17;
        o.name = name;
        o.portraitJpeg = fakeJpeg('P');
        auto w = testsupport::makeEligibleWorker(*m_store, o);
        EXPECT_TRUE(w) << (w ? "" : w.error().message);
        if (!w) return {};
        EXPECT_TRUE(m_store->putWorkerImage(w->workerId, "chip", "image/jpeg", fakeJpeg('C'), "test"));
        return *w;
    }
    /// How many rows @p sql (one text parameter) counts.
    std::int64_t count(const std::string& sql, const std::string& value) {
        auto st = m_store->database().prepare(sql);
        EXPECT_TRUE(st) << (st ? "" : st.error().message);
        if (!st) return -1;
        st->bindAll(value);
        auto row = st->step();
        EXPECT_TRUE(row) << (row ? "" : row.error().message);
        const std::int64_t n = row && *row ? st->int64(0) : -1;
        st->reset();
        return n;
    }
    /// Everything of this test's database at rest: the SQLite file and its log, or on PostgreSQL every file of
    /// the database's folder on the server (tables, their TOAST tables, indexes, maps) after a checkpoint wrote
    /// the shared buffers out.
    std::string bytesAtRest() {
        auto& db = m_store->database();
        if (db.backend() == Backend::Sqlite) {
            std::string all = testsupport::readFile(dbPath());
            const auto wal = dbPath().string() + "-wal";
            if (std::filesystem::exists(wal)) all += testsupport::readFile(wal);
            return all;
        }
        return testsupport::pgBytesAtRest(db);
    }
    AuditVerification verifyAudit() {
        auto v = m_store->verifyAudit();
        EXPECT_TRUE(v) << v.error().message;
        return v.value_or(AuditVerification{false, 0, std::nullopt, "not verified"});
    }
};

std::string asText(const std::vector<std::uint8_t>& v) { return {v.begin(), v.end()}; }

TEST_F(PrivacyStore, ExportHoldsEverythingAboutTheWorkerAndIsAudited) {
    const auto w = worker("31010119780312002", "王秀英");
    worker("31010119800101001", "李娟");
    auto e = exportWorker(*m_store, w.workerId, std::nullopt, "test");
    ASSERT_TRUE(e) << e.error().message;
    const auto& d = e->data;
    EXPECT_EQ(d["worker"]["doc_number"], w.idNumber) << "the worker's own copy is not masked";
    EXPECT_EQ(d["worker"]["name"], "王秀英");
    EXPECT_EQ(d["images"].size(), 2u);
    EXPECT_EQ(d["consents"].size(), 3u);
    EXPECT_GE(d["rosters"].size(), 1u);
    EXPECT_GE(d["attendance"].size(), 1u);
    EXPECT_GE(d["attempts"].size(), 1u);
    EXPECT_GE(d["answers"].size(), 1u);
    EXPECT_FALSE(d["answers"][0]["question_key"].get<std::string>().empty());
    EXPECT_TRUE(d["answers"][0]["chosen"].is_array()) << d["answers"][0].dump();
    EXPECT_TRUE(std::ranges::any_of(d["audit"], [](const auto& a) { return a["action"] == "worker.add"; }))
        << "the audit rows about the worker are part of the copy";
    for (const auto& a : d["audit"]) EXPECT_EQ(a["subject"], "worker:" + std::to_string(w.workerId));
    // Images and signatures go along as files: the portrait's exact bytes.
    auto portrait = std::ranges::find(e->files, std::string("images/portrait.jpg"), &decltype(e->files)::value_type::first);
    ASSERT_NE(portrait, e->files.end());
    EXPECT_EQ(portrait->second, fakeJpeg('P'));
    EXPECT_EQ(std::ranges::count_if(e->files, [](const auto& f) { return f.first.starts_with("signatures/"); }), 3);

    auto audit = m_store->auditEntries(0, 100000);
    ASSERT_TRUE(audit);
    EXPECT_EQ(audit->back().action, "worker.export");
    EXPECT_EQ(audit->back().subject, "worker:" + std::to_string(w.workerId));
    EXPECT_TRUE(verifyAudit().intact);

    auto missing = exportWorker(*m_store, 9999, std::nullopt, "test");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

TEST_F(PrivacyStore, ErasureRemovesTheNameAndIdNumberFromTheDatabaseAtRestAndKeepsTheChainValid) {
    const auto a = worker("31010119780312002", "欧阳秀兰");
    const auto b = worker("31010119800101001", "司马静怡");
    // A profile changed once: the old version of the row lingers unless the table is rewritten.
    WorkerProfile p;
    p.phone = "13911112222";
    ASSERT_TRUE(m_store->updateWorker(a.workerId, p, "test"));
    {
        const auto before = bytesAtRest();
        ASSERT_NE(before.find(a.idNumber), std::string::npos) << "the test must see the number before erasure";
        ASSERT_NE(before.find("欧阳秀兰"), std::string::npos);
        ASSERT_NE(before.find("13911112222"), std::string::npos);
    }
    auto r = eraseWorker(*m_store, a.workerId, "test");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->fileScrubbed) << r->scrubProblem;
    EXPECT_EQ(r->images, 2);
    EXPECT_EQ(r->consents, 3);
    EXPECT_GE(r->attendance, 1);
    EXPECT_GE(r->attempts, 1);
    EXPECT_EQ(r->pseudonym, "erased-" + std::to_string(a.workerId));

    // The rows: nothing left to find by name, number or phone.
    EXPECT_EQ(count("SELECT COUNT(*) FROM workers WHERE name = ?1 OR doc_number = ?1 OR phone = ?1", "欧阳秀兰"), 0);
    EXPECT_EQ(count("SELECT COUNT(*) FROM workers WHERE doc_number = ?", a.idNumber), 0);
    EXPECT_EQ(count("SELECT COUNT(*) FROM workers WHERE phone = ?", "13911112222"), 0);
    const std::string id = std::to_string(a.workerId);
    for (const char* table : {"worker_images", "consents", "attendance", "roster", "sitting_candidates", "attempts"})
        EXPECT_EQ(count(std::string("SELECT COUNT(*) FROM ") + table + " WHERE worker_id = CAST(? AS INTEGER)", id), 0)
            << table;
    auto erased = m_store->worker(a.workerId);
    ASSERT_TRUE(erased);
    EXPECT_EQ(erased->identity.name, "erased-" + id);

    // At rest: neither the file (SQLite) nor the server's table files (PostgreSQL) keep them.
    const auto after = bytesAtRest();
    EXPECT_EQ(after.find(a.idNumber), std::string::npos) << "the ID number is still in the database at rest";
    EXPECT_EQ(after.find(a.idNumber.substr(0, 17)), std::string::npos);
    EXPECT_EQ(after.find("欧阳秀兰"), std::string::npos) << "the name is still in the database at rest";
    EXPECT_EQ(after.find("13911112222"), std::string::npos) << "the old phone number is still in the database";
    EXPECT_NE(after.find(b.idNumber), std::string::npos) << "the other worker is untouched";
    EXPECT_NE(after.find("司马静怡"), std::string::npos);
    if (m_store->database().backend() == Backend::Postgres) {
        // Vacuumed: no dead row versions left in the tables erasure changed (pgstattuple reads every page; it comes
        // with the server package).
        auto& db = m_store->database();
        ASSERT_TRUE(db.exec("CREATE EXTENSION IF NOT EXISTS pgstattuple"));
        for (const char* table : {"workers", "worker_images", "consents", "attendance", "roster", "attempts",
                                  "attempt_items", "certificates"}) {
            auto dead = db.queryInt(std::string("SELECT dead_tuple_count FROM pgstattuple('") + table + "')");
            ASSERT_TRUE(dead) << dead.error().message;
            EXPECT_EQ(*dead, 0) << table;
        }
    }

    auto v = verifyAudit();
    EXPECT_TRUE(v.intact) << v.problem;
    auto audit = m_store->auditEntries(0, 100000);
    ASSERT_TRUE(audit);
    EXPECT_EQ(audit->back().action, "worker.erase");
    EXPECT_EQ(audit->back().details.find(a.idNumber), std::string::npos);
    // Erasing again deletes nothing and scrubs again.
    auto again = eraseWorker(*m_store, a.workerId, "test");
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->images + again->consents + again->attendance + again->attempts, 0);
    EXPECT_TRUE(again->fileScrubbed) << again->scrubProblem;
}

TEST_F(PrivacyStore, WithdrawalDeletesThePortraitAndFaceScoresAndIsAudited) {
    const auto w = worker("31010119780312002", "王秀英");
    auto r = withdrawBiometricConsent(*m_store, w.workerId, "test");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->consentsWithdrawn, 1);
    EXPECT_EQ(r->portraitsDeleted, 1);
    EXPECT_GE(r->faceScoresCleared, 1);
    auto after = m_store->worker(w.workerId);
    ASSERT_TRUE(after);
    EXPECT_FALSE(after->faceVerifiedAt.has_value());
    EXPECT_FALSE(after->faceScore.has_value());
    EXPECT_FALSE(m_store->workerImage(w.workerId, "portrait")->has_value());
    EXPECT_TRUE(m_store->workerImage(w.workerId, "chip")->has_value()) << "the document photo is not biometric data";
    EXPECT_EQ(count("SELECT COUNT(*) FROM attendance WHERE worker_id = CAST(? AS INTEGER) AND face_score IS NOT NULL",
                    std::to_string(w.workerId)),
              0);
    auto audit = m_store->auditEntries(0, 100000);
    ASSERT_TRUE(audit);
    EXPECT_EQ(audit->back().action, "consent.withdraw");
    EXPECT_TRUE(verifyAudit().intact);
    auto again = withdrawBiometricConsent(*m_store, w.workerId, "test");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::Refused);
}

TEST_F(PrivacyStore, PurgeDeletesWhatIsPastRetentionAndSaysWhatAndHowMuch) {
    // Everything about this worker happened in January 2015.
    m_clock->set(k2015);
    const auto old = worker("31010119780312002", "王秀英");
    m_clock->set(testsupport::kNoon);
    const auto recent = worker("31010119800101001", "李娟");

    auto dry = purgeExpired(*m_store, RetentionPolicy{}, true, "test");
    ASSERT_TRUE(dry) << dry.error().message;
    std::map<RetentionCategory, PurgeLine> byCat;
    for (const auto& l : *dry) byCat[l.category] = l;
    EXPECT_EQ(byCat[RetentionCategory::LivePortraits].records, 1);
    EXPECT_EQ(byCat[RetentionCategory::LivePortraits].bytes, 3004);
    EXPECT_EQ(byCat[RetentionCategory::ChipPhotos].records, 1);
    EXPECT_EQ(byCat[RetentionCategory::Signatures].records, 3);
    EXPECT_GE(byCat[RetentionCategory::Attempts].records, 1);
    EXPECT_GE(byCat[RetentionCategory::Attendance].records, 1);
    EXPECT_TRUE(m_store->workerImage(old.workerId, "portrait")->has_value()) << "a dry run deletes nothing";

    auto done = purgeExpired(*m_store, RetentionPolicy{}, false, "test");
    ASSERT_TRUE(done) << done.error().message;
    EXPECT_FALSE(m_store->workerImage(old.workerId, "portrait")->has_value());
    EXPECT_FALSE(m_store->workerImage(old.workerId, "chip")->has_value());
    EXPECT_TRUE(m_store->consents(old.workerId)->empty());
    EXPECT_TRUE(m_store->attendanceOf(old.workerId)->empty());
    EXPECT_TRUE(m_store->workerImage(recent.workerId, "portrait")->has_value()) << "the recent worker keeps theirs";
    EXPECT_EQ(m_store->consents(recent.workerId)->size(), 3u);
    EXPECT_FALSE(m_store->attendanceOf(recent.workerId)->empty());
    auto audit = m_store->auditEntries(0, 100000);
    ASSERT_TRUE(audit);
    EXPECT_EQ(audit->back().action, "privacy.purge");
    EXPECT_TRUE(verifyAudit().intact);

    // Four years on, the recent worker's data is past the default three years too; a longer retention configured
    // for live portraits keeps theirs.
    m_clock->set(testsupport::kNoon + 4 * 366 * 86400LL);
    RetentionPolicy policy;
    ASSERT_TRUE(applyRetentionSetting(policy, "live-portraits=3650"));
    auto later = purgeExpired(*m_store, policy, true, "test");
    ASSERT_TRUE(later) << later.error().message;
    for (const auto& l : *later) {
        if (l.category == RetentionCategory::LivePortraits) {
            EXPECT_EQ(l.records, 0);
        }
        if (l.category == RetentionCategory::Signatures) {
            EXPECT_EQ(l.records, 3);
        }
    }
}

// What must be kept is kept without the person: an issued certificate's number, dates and badge number, and the fact
// that the worker was in a submission batch; the QR payload (name, masked number) goes. A withdrawal keeps the
// portrait printed on a badge that is still valid.
TEST_F(PrivacyStore, ErasureKeepsIssuedCertificatesAndBatchMembershipWithoutThePerson) {
    auto key = ensureCenterKey(*m_store, m_dir / "center.key", "test");
    ASSERT_TRUE(key) << key.error().message;
    const auto w = worker("31010119780312002", "欧阳秀兰");
    Submissions submissions(*m_store, *key);
    std::filesystem::create_directory(m_dir / "batches");
    auto batch = submissions.create(m_dir / "batches", false, "test");
    ASSERT_TRUE(batch) << batch.error().message;
    ASSERT_TRUE(batch->batch.has_value());
    EXPECT_EQ(batch->added, 1);
    Certificates certificates(*m_store, &*key);
    auto issued = certificates.ofWorker(w.workerId);
    ASSERT_TRUE(issued) << issued.error().message;
    ASSERT_EQ(issued->size(), 1u);
    const auto cert = issued->front();
    ASSERT_FALSE(cert.payload.empty());
    // The copy holds them too.
    auto copy = exportWorker(*m_store, w.workerId, std::nullopt, "test");
    ASSERT_TRUE(copy) << copy.error().message;
    ASSERT_EQ(copy->data["certificates"].size(), 1u);
    EXPECT_EQ(copy->data["certificates"][0]["number"], cert.number);
    ASSERT_EQ(copy->data["submission_batches"].size(), 1u);
    EXPECT_EQ(copy->data["submission_batches"][0]["code"], batch->batch->code);

    auto withdrawn = withdrawBiometricConsent(*m_store, w.workerId, "test");
    ASSERT_TRUE(withdrawn) << withdrawn.error().message;
    EXPECT_EQ(withdrawn->portraitKeptFor, cert.number) << "the portrait is printed on a valid badge";
    EXPECT_EQ(withdrawn->portraitsDeleted, 0);
    EXPECT_TRUE(m_store->workerImage(w.workerId, "portrait")->has_value());

    auto erased = eraseWorker(*m_store, w.workerId, "test");
    ASSERT_TRUE(erased) << erased.error().message;
    EXPECT_EQ(erased->certificatesKept, std::vector<std::string>{cert.number});
    EXPECT_EQ(erased->batchesKept, 1);
    auto kept = certificates.certificate(cert.number);
    ASSERT_TRUE(kept) << kept.error().message;
    EXPECT_EQ(kept->workerId, w.workerId) << "linked to the pseudonymised row";
    EXPECT_EQ(kept->issueDate, cert.issueDate);
    EXPECT_EQ(kept->expiryDate, cert.expiryDate);
    EXPECT_TRUE(kept->payload.empty()) << "the QR payload carries the name and the masked number";
    EXPECT_FALSE(m_store->workerImage(w.workerId, "portrait")->has_value()) << "erasure takes the portrait too";
    EXPECT_EQ(count("SELECT COUNT(*) FROM batch_items WHERE worker_id = CAST(? AS INTEGER)", std::to_string(w.workerId)),
              1)
        << "the fact that the worker was sent is kept";
    EXPECT_EQ(m_store->worker(w.workerId)->identity.name, "erased-" + std::to_string(w.workerId));
    auto v = verifyAudit();
    EXPECT_TRUE(v.intact) << v.problem;
}

// SQLite only: what any operation deletes or overwrites is overwritten in the file, not only during an erasure.
TEST_F(PrivacyStore, EveryConnectionOverwritesDeletedContentWithoutAnErasure) {
    auto& db = m_store->database();
    ASSERT_EQ(db.backend(), Backend::Sqlite);
    EXPECT_EQ(*db.queryInt("PRAGMA secure_delete"), 1) << "set by Store::open on every connection";
    m_clock->set(k2015);
    const auto old = worker("31010119780312002", "王秀英");
    std::vector<std::uint8_t> png{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    const std::string mark = "signature-stroke-of-the-2015-worker";
    png.insert(png.end(), mark.begin(), mark.end());
    ASSERT_TRUE(m_store->addConsent(old.workerId, ConsentKind::Commitment, "2026.1/zh-CN", "text", png, "test"));
    m_clock->set(testsupport::kNoon);
    const auto w = worker("31010119800101001", "李娟");
    WorkerProfile p;
    p.phone = "13911112222";
    ASSERT_TRUE(m_store->updateWorker(w.workerId, p, "test"));
    p.phone = "13800001111";
    ASSERT_TRUE(m_store->updateWorker(w.workerId, p, "test"));
    ASSERT_TRUE(db.exec("PRAGMA wal_checkpoint(TRUNCATE)"));
    const std::string portrait = asText(fakeJpeg('P'));
    {
        const auto before = bytesAtRest();
        ASSERT_NE(before.find(portrait.substr(0, 1500)), std::string::npos) << "the test must see the portrait first";
        ASSERT_NE(before.find(mark), std::string::npos);
    }
    ASSERT_TRUE(withdrawBiometricConsent(*m_store, w.workerId, "test"));  // w's portrait
    ASSERT_TRUE(purgeExpired(*m_store, RetentionPolicy{}, false, "test"));  // old's portrait, chip photo, signatures
    const auto after = bytesAtRest();
    EXPECT_EQ(after.find(portrait.substr(0, 1500)), std::string::npos) << "a deleted portrait is still in the file";
    EXPECT_EQ(after.find(mark), std::string::npos) << "a purged signature is still in the file";
    EXPECT_EQ(after.find("13911112222"), std::string::npos) << "an overwritten phone number is still in the file";
    EXPECT_NE(after.find("13800001111"), std::string::npos);
}

}  // namespace
