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
        m_subs = std::make_unique<Submissions>(*m_store, *m_key);
        std::filesystem::create_directories(m_dir / "out");
    }
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
    EXPECT_EQ(manifest["schema_version"], 1);
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
    Server server(m_dir.path(), 1);
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
    testsupport::writeFile(m_dir / "answer.json", answer.dump());
    json wrong = answer;
    wrong["batch"] = "OTHER";
    testsupport::writeFile(m_dir / "wrong.json", wrong.dump());
    EXPECT_EQ(m_subs->ack(id, m_dir / "wrong.json", "clerk").error().code, ErrorCode::InvalidInput);
    // Fields of the wrong type are refused naming the field (they used to throw nlohmann::json::type_error).
    const std::vector<std::pair<json, std::string>> mistyped{
        {json{{"batch", 7}}, "batch"},
        {json{{"batch", sent->code}, {"badges", "SH-HB-0000001"}}, "badges"},
        {json{{"batch", sent->code}, {"rejected", {{{"certificate", items[1].certificateNumber}, {"reason", 5}}}}},
         "rejected[].reason"},
        {json{{"batch", sent->code}, {"badges", {{{"certificate", 12}, {"badge", "B"}}}}}, "badges[].certificate"}};
    for (const auto& [doc, field] : mistyped) {
        testsupport::writeFile(m_dir / "mistyped.json", doc.dump());
        auto r = m_subs->ack(id, m_dir / "mistyped.json", "clerk");
        ASSERT_FALSE(r) << doc.dump();
        EXPECT_EQ(r.error().code, ErrorCode::InvalidInput) << doc.dump();
        EXPECT_NE(r.error().message.find("field " + field + " must be"), std::string::npos) << r.error().message;
    }
    auto acked = m_subs->ack(id, m_dir / "answer.json", "clerk");
    ASSERT_TRUE(acked) << acked.error().message;
    EXPECT_EQ(acked->state, BatchState::Acknowledged);
    EXPECT_EQ(acked->items[0].badgeNumber, "SH-HB-0000001");
    EXPECT_EQ(acked->items[1].rejection, "重复申请");
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
    Server server(m_dir.path(), 100);
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
    Server server(m_dir.path(), 0);
    ASSERT_FALSE(server.url().empty());

    // The child process uploads, and dies (as on power loss) before it can record the receipt.
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto store = Store::open(dbPath(), {.create = false}, m_clock);
        if (!store) ::_exit(3);
        auto key = CenterKey::load(m_dir / "center.db.center-key");
        if (!key) ::_exit(4);
        Submissions subs(**store, *key);
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
