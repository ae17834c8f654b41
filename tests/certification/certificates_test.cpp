#include <nlohmann/json.hpp>

#include "cert_fixture.hpp"
#include "test_support.hpp"
#include "training/audit_checkpoint.hpp"

using namespace training;
using certtest::CertTest;

class CertificatesTest : public CertTest {
protected:
    void SetUp() override {
        CertTest::SetUp();
        m_certs = std::make_unique<Certificates>(*m_store, m_key.get());
    }
    std::unique_ptr<Certificates> m_certs;
};

TEST_F(CertificatesTest, IssuesNumberedSignedCertificatesOnlyToEligibleWorkers) {
    const auto notYet = addWorker("34010219850721104", "李娟").id;
    auto refused = m_certs->issue(notYet, std::nullopt, "clerk");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::Refused);
    EXPECT_NE(refused.error().message.find("identity not verified"), std::string::npos) << refused.error().message;
    EXPECT_NE(refused.error().message.find("no employing agency"), std::string::npos) << refused.error().message;

    const auto w1 = eligibleWorker("31010119780312002", "王秀英");
    const auto w2 = eligibleWorker("11010519491231002", "张桂兰");
    auto c1 = m_certs->issue(w1, std::nullopt, "clerk");
    ASSERT_TRUE(c1) << c1.error().message;
    auto c2 = m_certs->issue(w2, std::nullopt, "clerk");
    ASSERT_TRUE(c2) << c2.error().message;
    EXPECT_EQ(c1->number, "T01-2026-000001");
    EXPECT_EQ(c2->number, "T01-2026-000002");
    EXPECT_EQ(c1->issueDate, "2026-11-28");
    EXPECT_EQ(c1->expiryDate, "2029-11-27");  // 36 months, the issue day included
    // Issuing again returns the same certificate.
    auto again = m_certs->issue(w1, std::nullopt, "clerk");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->number, c1->number);

    auto v = m_certs->verify(c1->payload);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->verdict, BadgeVerdict::Valid) << v->message;
    EXPECT_EQ(v->fields->maskedId, maskIdNumber(m_store->worker(w1)->identity.docNumber));
    EXPECT_EQ(v->fields->name, "王秀英");
    EXPECT_EQ(m_certs->certificate("t01-2026-000002")->workerId, w2);
    EXPECT_EQ(m_certs->certificate("T01-2026-999999").error().code, ErrorCode::NotFound);

    auto audit = m_store->auditEntries(0, 1000);
    ASSERT_TRUE(audit);
    int issued = 0;
    for (const auto& e : *audit) issued += e.action == "certificate.issue";
    EXPECT_EQ(issued, 2);
    EXPECT_TRUE(m_store->verifyAudit()->intact);
}

TEST_F(CertificatesTest, RevokedCertificatesFailVerificationWithTheReason) {
    const auto w = eligibleWorker("31010119780312002", "王秀英");
    auto c = m_certs->issue(w, std::nullopt, "clerk").value();
    EXPECT_FALSE(m_certs->revoke(c.number, "  ", "admin"));
    auto r = m_certs->revoke(c.number, "证件被他人冒用", "admin");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->revokedAt);
    auto twice = m_certs->revoke(c.number, "again", "admin");
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, ErrorCode::Conflict);
    auto v = m_certs->verify(c.payload);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->verdict, BadgeVerdict::Revoked);
    EXPECT_EQ(v->revocationReason, "证件被他人冒用");
    // A revoked certificate is not "current", and a new one needs an explicit decision with a reason.
    auto quietly = m_certs->issue(w, std::nullopt, "clerk");
    ASSERT_FALSE(quietly);
    EXPECT_EQ(quietly.error().code, ErrorCode::Refused);
    auto fresh = m_certs->issue(w, std::nullopt, "clerk", std::string("identity checked again in person"));
    ASSERT_TRUE(fresh) << fresh.error().message;
    EXPECT_NE(fresh->number, c.number);
}

TEST_F(CertificatesTest, ExpiryIsCheckedAgainstTheClock) {
    const auto w = eligibleWorker("31010119780312002", "王秀英");
    auto c = m_certs->issue(w, std::nullopt, "clerk").value();
    m_clock->advance(std::int64_t{3} * 365 * 86400 + 86400);
    auto v = m_certs->verify(c.payload);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->verdict, BadgeVerdict::Expired) << v->message;
}

TEST_F(CertificatesTest, TheSignedRevocationListTravelsToAnotherCenter) {
    const auto w = eligibleWorker("31010119780312002", "王秀英");
    auto c = m_certs->issue(w, std::nullopt, "clerk").value();
    ASSERT_TRUE(m_certs->revoke(c.number, "违规上门", "admin"));
    auto list = m_certs->exportRevocationList();
    ASSERT_TRUE(list) << list.error().message;
    EXPECT_NE(list->find(c.number), std::string::npos);

    // Another center's database: it does not know us until it trusts our key.
    testsupport::TempDir dir;
    auto other = Store::open(dir / "other.db", {.create = true}, m_clock).value();
    ASSERT_TRUE(other->initCenter("C2", "第二中心", "t"));
    Certificates theirs(*other, nullptr);
    auto before = theirs.verify(c.payload);
    ASSERT_TRUE(before);
    EXPECT_EQ(before->verdict, BadgeVerdict::UnknownCenter);
    auto refused = theirs.importRevocationList(*list, "t");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::Refused);

    auto ours = m_key->publicInfo();
    ours.own = false;
    ASSERT_TRUE(trustCenterKey(*other, *parsePublicKey(exportPublicKey(ours)), "t"));
    // A tampered list is refused.
    std::string tampered = *list;
    tampered.replace(tampered.find("违规上门"), std::string("违规上门").size(), "误操作撤销");
    EXPECT_FALSE(theirs.importRevocationList(tampered, "t"));
    auto added = theirs.importRevocationList(*list, "t");
    ASSERT_TRUE(added) << added.error().message;
    EXPECT_EQ(*added, 1);
    EXPECT_EQ(*theirs.importRevocationList(*list, "t"), 0);
    auto after = theirs.verify(c.payload);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->verdict, BadgeVerdict::Revoked);
    EXPECT_EQ(after->revocationReason, "违规上门");
}

TEST_F(CertificatesTest, TheDocumentCarriesEverythingTheCertificateShows) {
    const auto w = eligibleWorker("31010119780312002", "王秀英");
    WorkerProfile p;
    p.serviceTypes = std::vector<std::string>{"cleaning"};
    ASSERT_TRUE(m_store->updateWorker(w, p, "t"));
    // A passport chip's JPEG 2000 photo cannot be embedded in a PDF: the document has no portrait then.
    ASSERT_TRUE(m_store->putWorkerImage(w, "chip", "image/jp2", {0x00, 0x00, 0x00, 0x0C, 'j', 'P'}, "t"));
    auto c = m_certs->issue(w, std::nullopt, "clerk").value();
    auto d = m_certs->document(c.number);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_TRUE(d->portrait.empty());
    ASSERT_TRUE(m_store->putWorkerImage(w, "chip", "image/jpeg", {0xFF, 0xD8, 0xFF, 0x01}, "t"));
    d = m_certs->document(c.number);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->centerCode, "T01");
    EXPECT_EQ(d->centerName, "测试中心");
    EXPECT_EQ(d->workerName, "王秀英");
    EXPECT_EQ(d->maskedId, maskIdNumber(m_store->worker(w)->identity.docNumber));
    EXPECT_EQ(d->portrait, (std::vector<std::uint8_t>{0xFF, 0xD8, 0xFF, 0x01}));  // the chip photo when no portrait
    ASSERT_TRUE(m_store->putWorkerImage(w, "portrait", "image/png", {0x89, 'P', 'N', 'G'}, "t"));
    d = m_certs->document(c.number);
    EXPECT_EQ(d->portraitMime, "image/png");
    EXPECT_EQ(d->modules.size(), m_course.modules.size());
    for (const auto& m : d->modules) EXPECT_EQ(m.attendedMinutes, m.requiredMinutes) << m.code;
    EXPECT_EQ(d->examScore, 92.0);
    EXPECT_EQ(d->examDate, "2026-11-27");
    EXPECT_EQ(d->agencyName, "安心家政");
    EXPECT_EQ(d->serviceTypes, std::vector<std::string>{"保洁"}) << "shown by name, not by code";
    EXPECT_EQ(d->qrPayload, c.payload);
    EXPECT_FALSE(d->revoked);

    const auto sample = sampleCertificateDocument(*m_key);
    EXPECT_FALSE(sample.qrPayload.empty());
    EXPECT_EQ(m_certs->verify(sample.qrPayload)->verdict, BadgeVerdict::Valid);
}

TEST_F(CertificatesTest, TheRevocationListCarriesTheSignedHeadOfTheAuditChain) {
    const auto w = eligibleWorker("31010119780312002", "王秀英");
    auto c = m_certs->issue(w, std::nullopt, "clerk").value();
    ASSERT_TRUE(m_certs->revoke(c.number, "违规上门", "admin"));
    auto list = m_certs->exportRevocationList();
    ASSERT_TRUE(list) << list.error().message;
    const auto j = nlohmann::json::parse(*list);
    ASSERT_TRUE(j.contains("audit_checkpoint")) << *list;
    const auto& head = j["audit_checkpoint"];
    EXPECT_EQ(head["center"], m_key->centerId());
    EXPECT_FALSE(head.contains("public_key")) << "receivers check it with the key they hold";

    // Whoever holds the list holds a head that 'audit verify --checkpoint' checks, also after more rows.
    auto cp = checkAuditCheckpoint(*m_store, *list);
    ASSERT_TRUE(cp) << cp.error().message;
    EXPECT_EQ(cp->rowId, head["row_id"].get<std::int64_t>());
    {
        auto tx = m_store->database().transaction();
        ASSERT_TRUE(tx);
        ASSERT_TRUE(m_store->audit("admin", "test.later", "x", "{}"));
        ASSERT_TRUE(tx->commit());
    }
    EXPECT_TRUE(checkAuditCheckpoint(*m_store, *list));
    // A head altered inside the list does not verify.
    auto altered = j;
    altered["audit_checkpoint"]["row_id"] = head["row_id"].get<std::int64_t>() + 1;
    auto bad = checkAuditCheckpoint(*m_store, altered.dump());
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::Refused);

    // A list of the older form (no checkpoint) still imports; it cannot serve as a checkpoint.
    auto old = j;
    old.erase("audit_checkpoint");
    old.erase("signature");
    old["signature"] = base64UrlEncode(m_key->sign(old.dump()));
    testsupport::TempDir dir;
    auto other = Store::open(dir / "other.db", {.create = true}, m_clock).value();
    ASSERT_TRUE(other->initCenter("C2", "第二中心", "t"));
    auto ours = m_key->publicInfo();
    ours.own = false;
    ASSERT_TRUE(trustCenterKey(*other, *parsePublicKey(exportPublicKey(ours)), "t"));
    Certificates theirs(*other, nullptr);
    auto added = theirs.importRevocationList(old.dump(), "t");
    ASSERT_TRUE(added) << added.error().message;
    EXPECT_EQ(*added, 1);
    auto none = checkAuditCheckpoint(*m_store, old.dump());
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::InvalidInput);
    EXPECT_NE(none.error().message.find("no audit_checkpoint"), std::string::npos) << none.error().message;
    // A checkpoint of the wrong type is refused naming the field.
    auto mistyped = j;
    mistyped["audit_checkpoint"] = "row 7";
    mistyped.erase("signature");
    mistyped["signature"] = base64UrlEncode(m_key->sign(mistyped.dump()));
    auto refused = theirs.importRevocationList(mistyped.dump(), "t");
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("audit_checkpoint"), std::string::npos) << refused.error().message;
}
