#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cert_fixture.hpp"
#include "submission_server.hpp"
#include "test_support.hpp"
#include "training/audit_checkpoint.hpp"
#include "training/submission.hpp"
#include "training/text.hpp"

using namespace training;
using certtest::CertTest;
using nlohmann::json;
using Server = certtest::SubmissionServer;

namespace {

SendOptions fast() {
    SendOptions o;
    o.initialBackoff = std::chrono::milliseconds(20);
    o.timeout = std::chrono::seconds(20);
    return o;
}

}  // namespace

class SubmissionTest : public CertTest {
protected:
    void SetUp() override {
        CertTest::SetUp();
        // The network center's key signs its receipts and answers; its public half is installed here beforehand.
        auto nc = CenterKey::create(m_dir / "network.key", "NETWORK");
        ASSERT_TRUE(nc) << nc.error().message;
        m_network = std::make_unique<CenterKey>(std::move(*nc));
        auto installed = installNetworkCenterKey(*m_store, networkCenterKeyPath(m_dir.path()),
                                                 exportPublicKey(m_network->publicInfo()), "admin");
        ASSERT_TRUE(installed) << installed.error().message;
        auto loaded = loadNetworkCenterKey(networkCenterKeyPath(m_dir.path()));
        ASSERT_TRUE(loaded && *loaded);
        m_subs = std::make_unique<Submissions>(*m_store, *m_key, **loaded);
        // The center key as registered with the network center (the test receiver checks manifests with it).
        testsupport::writeFile(m_dir / "center.pub", exportPublicKey(m_key->publicInfo()));
        std::filesystem::create_directories(m_dir / "out");
    }
    /// What the test receiver knows: this center's registered key, and the key it signs receipts with.
    certtest::ReceiverKeys keys() const { return {m_dir / "center.pub", m_dir / "network.key"}; }
    /// @p doc signed as the network center signs (Ed25519 over the compact, key-sorted JSON without signature).
    static json signedBy(const CenterKey& key, json doc) {
        doc.erase("signature");
        doc["signature"] = base64UrlEncode(key.sign(doc.dump()));
        return doc;
    }
    std::unique_ptr<CenterKey> m_network;
    std::unique_ptr<Submissions> m_subs;
};

TEST_F(SubmissionTest, CreatesASignedBatchThatMatchesTheSchemaAndIsIdempotent) {
    const auto w1 = eligibleWorker("31010119780312002", "王秀英");
    eligibleWorker("11010519491231002", "张桂兰");
    const auto notYet = addWorker("34010219850721104", "李娟").id;
    ASSERT_TRUE(m_store->putWorkerImage(w1, "portrait", "image/jpeg", {0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3}, "t"));

    auto first = m_subs->create(m_dir / "out", true, "clerk");
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_TRUE(first->batch);
    EXPECT_EQ(first->added, 2);
    EXPECT_EQ(first->notEligible, 1);
    const auto& b = *first->batch;
    EXPECT_EQ(b.state, BatchState::Created);
    ASSERT_EQ(b.items.size(), 2u);
    EXPECT_EQ(b.code, "T01-B20261128-0001");
    ASSERT_TRUE(b.zip);

    // The batch holds full ID numbers and portraits: owner-only folder and files.
    const auto mode = [](const std::filesystem::path& p) {
        struct stat st {};
        EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
        return st.st_mode & 0777;
    };
    EXPECT_EQ(mode(b.folder), 0700u);
    EXPECT_EQ(mode(b.folder / "portraits"), 0700u);
    EXPECT_EQ(mode(b.folder / "manifest.json"), 0600u);
    EXPECT_EQ(mode(*b.zip), 0600u);
    for (const auto& e : std::filesystem::directory_iterator(b.folder / "portraits")) EXPECT_EQ(mode(e.path()), 0600u);

    // Signature over the exact manifest bytes, with the center key.
    const auto manifestText = testsupport::readFile(b.folder / "manifest.json");
    const auto sig = base64Decode(testsupport::readFile(b.folder / "manifest.json.sig").substr(0, 86));
    ASSERT_TRUE(sig);
    EXPECT_TRUE(verifySignature(m_key->publicKey(), manifestText, *sig));
    EXPECT_EQ(sha256Hex(manifestText), b.manifestSha256);
    const auto manifest = json::parse(manifestText);
    EXPECT_EQ(manifest["schema_version"], 2);
    // No public key travels in the manifest (the receiver uses the key registered with it); the audit chain's
    // signed head does, and 'audit verify --checkpoint manifest.json' checks this center's chain against it.
    EXPECT_FALSE(manifest["center"].contains("public_key")) << manifest["center"].dump();
    ASSERT_TRUE(manifest.contains("audit_checkpoint"));
    EXPECT_EQ(manifest["audit_checkpoint"]["center"], m_key->centerId());
    auto cp = checkAuditCheckpoint(*m_store, manifestText);
    ASSERT_TRUE(cp) << cp.error().message;
    EXPECT_EQ(cp->rowId, manifest["audit_checkpoint"]["row_id"].get<std::int64_t>());
    ASSERT_EQ(manifest["workers"].size(), 2u);
    const auto& entry = manifest["workers"][0];
    EXPECT_EQ(entry["identity"]["name"], "王秀英");
    EXPECT_EQ(entry["consents"].size(), 3u);
    EXPECT_EQ(entry["hours"].size(), m_course.modules.size());
    EXPECT_EQ(entry["exam"]["score"], 92.0);
    EXPECT_EQ(entry["agency"]["name"], "安心家政");
    ASSERT_TRUE(entry["portrait"].is_object());
    EXPECT_TRUE(std::filesystem::exists(b.folder / entry["portrait"]["file"].get<std::string>()));
    EXPECT_TRUE(manifest["workers"][1]["portrait"].is_null());

    // The manifest is valid against the published schema (python3-jsonschema); a broken one is not.
    const auto schema = std::string(CERT_ASSETS_DIR) + "/submission/manifest.schema.json";
    const std::string check =
        "import json,sys,jsonschema;jsonschema.validate(json.load(open(sys.argv[2])),json.load(open(sys.argv[1])))";
    auto ok = testsupport::run({"/usr/bin/python3", "-c", check, schema, (b.folder / "manifest.json").string()});
    EXPECT_EQ(ok.exitCode, 0) << ok.err;
    auto broken = manifest;
    broken["workers"][0]["consents"][0]["text_sha256"] = "not-a-hash";
    testsupport::writeFile(m_dir / "broken.json", broken.dump());
    auto bad = testsupport::run({"/usr/bin/python3", "-c", check, schema, (m_dir / "broken.json").string()});
    EXPECT_NE(bad.exitCode, 0) << "the schema must catch a malformed consent hash";

    // Running again adds nobody; a worker who became eligible later gets a batch of their own.
    auto second = m_subs->create(m_dir / "out", false, "clerk");
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_FALSE(second->batch);
    EXPECT_EQ(second->added, 0);
    EXPECT_EQ(second->alreadySubmitted, 2);
    verifyIdentity(notYet);
    matchFace(notYet);
    setAgency(notYet);
    healthCheck(notYet);
    for (auto k : {ConsentKind::Commitment, ConsentKind::CreditCheck, ConsentKind::Biometric}) sign(notYet, k);
    attend(notYet);
    exam(notYet, 85);
    auto third = m_subs->create(m_dir / "out", false, "clerk");
    ASSERT_TRUE(third) << third.error().message;
    ASSERT_TRUE(third->batch);
    ASSERT_EQ(third->batch->items.size(), 1u);
    EXPECT_EQ(third->batch->items[0].workerId, notYet);
    EXPECT_EQ(m_subs->list()->size(), 2u);
}

TEST_F(SubmissionTest, SendRetriesAServerErrorThenRecordsTheReceiptAndAck) {
    eligibleWorker("31010119780312002", "王秀英");
    eligibleWorker("11010519491231002", "张桂兰");
    auto created = m_subs->create(m_dir / "out", false, "clerk");  // folder only: send zips it
    ASSERT_TRUE(created && created->batch);
    const auto id = created->batch->id;
    Server server(m_dir.path(), 1, keys());
    ASSERT_FALSE(server.url().empty()) << "the test server did not start";

    auto sent = m_subs->send(id, server.url(), fast(), "clerk");
    ASSERT_TRUE(sent) << sent.error().message;
    EXPECT_EQ(sent->state, BatchState::Sent);
    EXPECT_EQ(sent->sendAttempts, 1);
    ASSERT_TRUE(sent->receipt);
    EXPECT_EQ(json::parse(*sent->receipt)["receipt"], "R-0001");
    auto log = server.log();
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0]["status"], 500);
    EXPECT_EQ(log[1]["status"], 200);
    EXPECT_EQ(log[0]["key"], log[1]["key"]);
    // A sent batch is not uploaded again.
    ASSERT_TRUE(m_subs->send(id, server.url(), fast(), "clerk"));
    EXPECT_EQ(server.log().size(), 2u);

    // The network center's answer.
    const auto& items = sent->items;
    json answer{{"batch", sent->code},
                {"badges", {{{"certificate", items[0].certificateNumber}, {"badge", "SH-HB-0000001"}}}},
                {"rejected", {{{"certificate", items[1].certificateNumber}, {"reason", "重复申请"}}}}};
    // Unsigned, or signed by another key: refused, and no badge number is written.
    const auto noBadge = [&] {
        auto b = m_subs->batch(id);
        EXPECT_EQ(b->state, BatchState::Sent);
        EXPECT_FALSE(b->items[0].badgeNumber);
        EXPECT_FALSE(b->items[1].rejection);
        Certificates certs(*m_store, m_key.get());
        EXPECT_FALSE(certs.certificate(items[0].certificateNumber)->badgeNumber);
    };
    testsupport::writeFile(m_dir / "answer.json", answer.dump());
    auto unsignedAck = m_subs->ack(id, m_dir / "answer.json", "clerk");
    ASSERT_FALSE(unsignedAck);
    EXPECT_EQ(unsignedAck.error().code, ErrorCode::Refused);
    EXPECT_NE(unsignedAck.error().message.find("is not signed"), std::string::npos) << unsignedAck.error().message;
    noBadge();
    const auto forger = CenterKey::ephemeral("NETWORK");
    testsupport::writeFile(m_dir / "answer.json", signedBy(forger, answer).dump());
    auto forged = m_subs->ack(id, m_dir / "answer.json", "clerk");
    ASSERT_FALSE(forged);
    EXPECT_EQ(forged.error().code, ErrorCode::Refused);
    EXPECT_NE(forged.error().message.find("not signed with the installed network center key"), std::string::npos)
        << forged.error().message;
    noBadge();
    // Altered after signing (a badge number swapped): refused too.
    auto altered = signedBy(*m_network, answer);
    altered["badges"][0]["badge"] = "SH-HB-9999999";
    testsupport::writeFile(m_dir / "answer.json", altered.dump());
    EXPECT_EQ(m_subs->ack(id, m_dir / "answer.json", "clerk").error().code, ErrorCode::Refused);
    noBadge();
    // Without an installed network center key nothing can be checked: refused.
    testsupport::writeFile(m_dir / "answer.json", signedBy(*m_network, answer).dump());
    Submissions withoutKey(*m_store, *m_key);
    auto noKey = withoutKey.ack(id, m_dir / "answer.json", "clerk");
    ASSERT_FALSE(noKey);
    EXPECT_NE(noKey.error().message.find("trust-network-center"), std::string::npos) << noKey.error().message;
    noBadge();

    json wrong = answer;
    wrong["batch"] = "OTHER";
    testsupport::writeFile(m_dir / "wrong.json", signedBy(*m_network, wrong).dump());
    EXPECT_EQ(m_subs->ack(id, m_dir / "wrong.json", "clerk").error().code, ErrorCode::InvalidInput);
    // Fields of the wrong type are refused naming the field (they used to throw nlohmann::json::type_error).
    const std::vector<std::pair<json, std::string>> mistyped{
        {json{{"batch", 7}}, "batch"},
        {json{{"batch", sent->code}, {"badges", "SH-HB-0000001"}}, "badges"},
        {json{{"batch", sent->code}, {"rejected", {{{"certificate", items[1].certificateNumber}, {"reason", 5}}}}},
         "rejected[].reason"},
        {json{{"batch", sent->code}, {"badges", {{{"certificate", 12}, {"badge", "B"}}}}}, "badges[].certificate"}};
    for (const auto& [doc, field] : mistyped) {
        testsupport::writeFile(m_dir / "mistyped.json", signedBy(*m_network, doc).dump());
        auto r = m_subs->ack(id, m_dir / "mistyped.json", "clerk");
        ASSERT_FALSE(r) << doc.dump();
        EXPECT_EQ(r.error().code, ErrorCode::InvalidInput) << doc.dump();
        EXPECT_NE(r.error().message.find("field " + field + " must be"), std::string::npos) << r.error().message;
    }
    EXPECT_TRUE(std::filesystem::exists(sent->folder / "manifest.json"));
    EXPECT_TRUE(sent->filesPresent);
    auto acked = m_subs->ack(id, m_dir / "answer.json", "clerk");
    ASSERT_TRUE(acked) << acked.error().message;
    EXPECT_EQ(acked->state, BatchState::Acknowledged);
    EXPECT_EQ(acked->items[0].badgeNumber, "SH-HB-0000001");
    EXPECT_EQ(acked->items[1].rejection, "重复申请");
    // Acknowledged: the manifest and portraits (personal data) are deleted; the manifest's hash, the receipt and
    // each worker's outcome stay in the database.
    EXPECT_FALSE(std::filesystem::exists(sent->folder)) << sent->folder;
    EXPECT_FALSE(acked->filesPresent);
    EXPECT_EQ(acked->manifestSha256, sent->manifestSha256);
    EXPECT_EQ(acked->receipt, sent->receipt);
    Certificates certs(*m_store, m_key.get());
    EXPECT_EQ(certs.certificate(items[0].certificateNumber)->badgeNumber, "SH-HB-0000001");
    // The rejected worker can go into a new batch.
    auto again = m_subs->create(m_dir / "out", false, "clerk");
    ASSERT_TRUE(again && again->batch) << (again ? "no batch" : again.error().message);
    EXPECT_EQ(again->batch->items.size(), 1u);
    EXPECT_EQ(again->batch->items[0].workerId, items[1].workerId);
}

TEST_F(SubmissionTest, GivesUpAfterTheRetriesAndRefusesAChangedManifest) {
    eligibleWorker("31010119780312002", "王秀英");
    auto created = m_subs->create(m_dir / "out", true, "clerk");
    ASSERT_TRUE(created && created->batch);
    const auto id = created->batch->id;
    Server server(m_dir.path(), 100, keys());
    ASSERT_FALSE(server.url().empty());
    auto opts = fast();
    opts.maxAttempts = 3;
    auto r = m_subs->send(id, server.url(), opts, "clerk");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Io);
    EXPECT_EQ(server.log().size(), 3u);
    EXPECT_EQ(m_subs->batch(id)->state, BatchState::Sending);

    std::ofstream(created->batch->folder / "manifest.json", std::ios::app) << " ";
    auto changed = m_subs->send(id, server.url(), opts, "clerk");
    ASSERT_FALSE(changed);
    EXPECT_EQ(changed.error().code, ErrorCode::Refused);
    EXPECT_EQ(server.log().size(), 3u) << "nothing was uploaded";
}

TEST_F(SubmissionTest, ACrashBetweenUploadAndReceiptIsResumedWithoutADuplicate) {
    eligibleWorker("31010119780312002", "王秀英");
    auto created = m_subs->create(m_dir / "out", true, "clerk");
    ASSERT_TRUE(created && created->batch);
    const auto id = created->batch->id;
    Server server(m_dir.path(), 0, keys());
    ASSERT_FALSE(server.url().empty());

    // The child process uploads, and dies (as on power loss) before it can record the receipt.
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto store = Store::open(dbPath(), {.create = false}, m_clock);
        if (!store) ::_exit(3);
        auto key = CenterKey::load(m_dir / "center.db.center-key");
        if (!key) ::_exit(4);
        Submissions subs(**store, *key, m_network->publicInfo());
        auto opts = fast();
        opts.afterUpload = [] { ::_exit(9); };
        (void)subs.send(id, server.url(), opts, "clerk");
        ::_exit(5);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 9) << "the child should have died right after the upload";
    EXPECT_EQ(m_subs->batch(id)->state, BatchState::Sending);
    ASSERT_EQ(server.log().size(), 1u);
    EXPECT_EQ(server.log()[0]["stored"], true);

    auto resumed = m_subs->send(id, server.url(), fast(), "clerk");
    ASSERT_TRUE(resumed) << resumed.error().message;
    EXPECT_EQ(resumed->state, BatchState::Sent);
    EXPECT_EQ(resumed->sendAttempts, 2);
    EXPECT_EQ(json::parse(*resumed->receipt)["receipt"], "R-0001");
    const auto log = server.log();
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[1]["replay"], true) << "the second upload is recognised by its idempotency key";
    EXPECT_EQ(log[0]["key"], log[1]["key"]);
}

TEST_F(SubmissionTest, AZipBatchIsDeletedOnceAcknowledged) {
    const auto w = eligibleWorker("31010119780312002", "王秀英");
    ASSERT_TRUE(m_store->putWorkerImage(w, "portrait", "image/jpeg", {0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3}, "t"));
    auto created = m_subs->create(m_dir / "out", true, "clerk");
    ASSERT_TRUE(created && created->batch);
    const auto b = *created->batch;
    ASSERT_TRUE(b.zip);
    Server server(m_dir.path(), 0, keys());
    ASSERT_FALSE(server.url().empty());
    ASSERT_TRUE(m_subs->send(b.id, server.url(), fast(), "clerk"));
    const json answer{{"batch", b.code}, {"badges", {{{"certificate", b.items[0].certificateNumber}, {"badge", "B-1"}}}}};
    testsupport::writeFile(m_dir / "answer.json", signedBy(*m_network, answer).dump());
    auto acked = m_subs->ack(b.id, m_dir / "answer.json", "clerk");
    ASSERT_TRUE(acked) << acked.error().message;
    EXPECT_FALSE(std::filesystem::exists(b.folder));
    EXPECT_FALSE(std::filesystem::exists(*b.zip));
    EXPECT_FALSE(acked->filesPresent);
    EXPECT_EQ(acked->items[0].badgeNumber, "B-1");
    // Only the batch's own files went; the output folder stays.
    EXPECT_TRUE(std::filesystem::is_directory(m_dir / "out"));
}

TEST_F(SubmissionTest, AReceiptNotSignedByTheNetworkCenterIsRefusedAndNothingIsRecorded) {
    eligibleWorker("31010119780312002", "王秀英");
    auto created = m_subs->create(m_dir / "out", true, "clerk");
    ASSERT_TRUE(created && created->batch);
    const auto id = created->batch->id;
    const auto expectNothingRecorded = [&] {
        auto b = m_subs->batch(id);
        EXPECT_EQ(b->state, BatchState::Sending);
        EXPECT_FALSE(b->receipt);
        EXPECT_TRUE(b->filesPresent);
    };
    {
        // Unsigned receipts.
        Server server(m_dir.path(), 0, {m_dir / "center.pub", {}});
        ASSERT_FALSE(server.url().empty());
        auto r = m_subs->send(id, server.url(), fast(), "clerk");
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, ErrorCode::Refused);
        EXPECT_NE(r.error().message.find("receipt for batch " + created->batch->code + " is not signed"),
                  std::string::npos)
            << r.error().message;
        expectNothingRecorded();
    }
    {
        // Signed by another key than the installed one.
        ASSERT_TRUE(CenterKey::create(m_dir / "forger.key", "NETWORK"));
        std::filesystem::remove(m_dir / "server.log");
        Server server(m_dir.path(), 0, {m_dir / "center.pub", m_dir / "forger.key"});
        ASSERT_FALSE(server.url().empty());
        auto r = m_subs->send(id, server.url(), fast(), "clerk");
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, ErrorCode::Refused);
        EXPECT_NE(r.error().message.find("not signed with the installed network center key"), std::string::npos)
            << r.error().message;
        expectNothingRecorded();
    }
    // Without an installed network center key nothing is sent at all.
    std::filesystem::remove(m_dir / "server.log");
    Server server(m_dir.path(), 0, keys());
    ASSERT_FALSE(server.url().empty());
    Submissions withoutKey(*m_store, *m_key);
    auto r = withoutKey.send(id, server.url(), fast(), "clerk");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Refused);
    EXPECT_NE(r.error().message.find("trust-network-center"), std::string::npos) << r.error().message;
    EXPECT_TRUE(server.log().empty());
    // With it, the same batch goes through.
    auto ok = m_subs->send(id, server.url(), fast(), "clerk");
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->state, BatchState::Sent);
    EXPECT_TRUE(json::parse(*ok->receipt).contains("signature"));
}

TEST_F(SubmissionTest, TheReceiverChecksTheManifestWithTheKeyRegisteredWithIt) {
    eligibleWorker("31010119780312002", "王秀英");
    auto created = m_subs->create(m_dir / "out", true, "clerk");
    ASSERT_TRUE(created && created->batch);
    // The network center has another key registered for this center: the batch is refused (HTTP 403).
    const auto other = CenterKey::ephemeral(m_key->centerId());
    testsupport::writeFile(m_dir / "other.pub", exportPublicKey(other.publicInfo()));
    {
        Server server(m_dir.path(), 0, {m_dir / "other.pub", m_dir / "network.key"});
        ASSERT_FALSE(server.url().empty());
        auto r = m_subs->send(created->batch->id, server.url(), fast(), "clerk");
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, ErrorCode::Refused);
        EXPECT_NE(r.error().message.find("HTTP 403"), std::string::npos) << r.error().message;
        EXPECT_NE(r.error().message.find("not signed with the key registered"), std::string::npos) << r.error().message;
        ASSERT_EQ(server.log().size(), 1u);
        EXPECT_EQ(server.log()[0]["status"], 403);
    }
    std::filesystem::remove(m_dir / "server.log");
    Server server(m_dir.path(), 0, keys());
    ASSERT_FALSE(server.url().empty());
    auto ok = m_subs->send(created->batch->id, server.url(), fast(), "clerk");
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(server.log().back()["stored"], true);
}

TEST_F(SubmissionTest, BatchesTravelOverHttpsOnlyPlainHttpOnlyToThisMachine) {
    eligibleWorker("31010119780312002", "王秀英");
    auto created = m_subs->create(m_dir / "out", true, "clerk");
    ASSERT_TRUE(created && created->batch);
    const auto id = created->batch->id;
    for (const char* url : {"http://192.0.2.1/batches", "http://network-center.example/batches",
                                  "ftp://127.0.0.1/batches", "127.0.0.1/batches"}) {
        auto r = m_subs->send(id, url, fast(), "clerk");
        ASSERT_FALSE(r) << url;
        EXPECT_EQ(r.error().code, ErrorCode::InvalidInput) << url;
        EXPECT_NE(r.error().message.find("https://"), std::string::npos) << r.error().message;
        auto b = m_subs->batch(id);
        EXPECT_EQ(b->state, BatchState::Created) << "nothing was recorded for " << url;
        EXPECT_EQ(b->sendAttempts, 0);
    }
    Server server(m_dir.path(), 0, keys());
    ASSERT_FALSE(server.url().empty());
    ASSERT_TRUE(server.url().starts_with("http://127.0.0.1:"));
    ASSERT_TRUE(m_subs->send(id, server.url(), fast(), "clerk"));
    // The rule holds on every path, also for a batch that was sent already.
    auto again = m_subs->send(id, "http://192.0.2.1/batches", fast(), "clerk");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::InvalidInput);
}
