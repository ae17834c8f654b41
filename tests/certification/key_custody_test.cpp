// Key custody (issue 14 point 9): the center key sealed under a passphrase, plain key files still loading, key
// rotation keeping what the earlier key signed valid, revoked keys, and the same through the real kioskctl binary.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "cert_fixture.hpp"
#include "certification_fixture.hpp"
#include "pg_test_database.hpp"
#include "test_support.hpp"
#include "training/audit_checkpoint.hpp"
#include "training/badge_code.hpp"
#include "training/database.hpp"
#include "training/documents.hpp"
#include "training/schema.hpp"

using namespace training;
using certtest::CertTest;
using nlohmann::json;

namespace {

constexpr const char* kPassphrase = "rain on the harbour bridge";

PassphraseSource given(std::string text) {
    return [text] { return Result<std::string>(text); };
}

BadgeFields sample(const std::string& center, int seq) {
    return BadgeFields{center, fmt::format("{}-2026-{:06}", center, seq), "王秀英", "310101********0021", "badge",
                       "2026-11-28", "2029-11-27", 7};
}

std::string payloadSignedBy(const CenterKey& key, int seq) {
    auto p = encodeBadgePayload(sample(key.centerId(), seq), key);
    EXPECT_TRUE(p) << p.error().message;
    return p.value_or("");
}

}  // namespace

TEST(KeyProtection, AProtectedKeyRoundTripsOnlyWithItsPassphrase) {
    testsupport::TempDir dir;
    const auto path = dir / "center.key";
    auto k = CenterKey::create(path, "C001", "测试中心", kPassphrase);
    ASSERT_TRUE(k) << k.error().message;
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    const auto text = testsupport::readFile(path);
    const auto j = json::parse(text);
    EXPECT_EQ(j["version"], 2);
    EXPECT_FALSE(j.contains("seed")) << "the seed must not be in the file in the clear";
    EXPECT_EQ(j["protection"]["kdf"], "argon2id13");
    EXPECT_TRUE(j["protection"]["opslimit"].is_number_integer());
    EXPECT_TRUE(j["protection"]["memlimit"].is_number_integer());

    auto info = CenterKey::inspect(path);
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_TRUE(info->isProtected);
    EXPECT_EQ(info->publicKey.key, k->publicKey());

    auto none = CenterKey::load(path);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::Refused);
    EXPECT_EQ(none.error().reason, "key.passphrase-required");
    EXPECT_NE(none.error().message.find("KIOSK_KEY_PASSPHRASE"), std::string::npos) << none.error().message;

    auto wrong = CenterKey::load(path, given("rain on the harbour bridgE"));
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, ErrorCode::AuthFailed);
    EXPECT_EQ(wrong.error().reason, "key.passphrase-wrong");

    auto right = CenterKey::load(path, given(kPassphrase));
    ASSERT_TRUE(right) << right.error().message;
    EXPECT_EQ(right->publicKey(), k->publicKey());
    const auto sig = right->sign("hello");
    EXPECT_TRUE(verifySignature(k->publicKey(), "hello", sig));

    // Too short a passphrase is refused; so is a sealed file someone changed.
    auto shortPass = CenterKey::create(dir / "short.key", "C001", "", "short pass");
    ASSERT_FALSE(shortPass);
    EXPECT_EQ(shortPass.error().code, ErrorCode::InvalidInput);
    EXPECT_FALSE(std::filesystem::exists(dir / "short.key"));
    auto tampered = j;
    auto sealed = base64Decode(tampered["protection"]["sealed"].get<std::string>()).value();
    sealed[3] ^= 1;
    tampered["protection"]["sealed"] = base64UrlEncode(sealed);
    testsupport::writeFile(dir / "tampered.key", tampered.dump());
    ::chmod((dir / "tampered.key").c_str(), 0600);
    auto t = CenterKey::load(dir / "tampered.key", given(kPassphrase));
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, ErrorCode::AuthFailed);
}

TEST(KeyProtection, PlainFilesStillLoadAndCanBeProtected) {
    testsupport::TempDir dir;
    const auto path = dir / "center.key";
    // A key file as versions before key custody wrote it (version 1, the seed in base64url).
    std::array<std::uint8_t, 32> seed{};
    for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(i * 7 + 1);
    testsupport::writeFile(path, json{{"format", "badge-center-secret-key"},
                                      {"version", 1},
                                      {"center", "C001"},
                                      {"name", "测试中心"},
                                      {"seed", base64UrlEncode(seed)}}
                                     .dump(2));
    ::chmod(path.c_str(), 0600);
    auto plain = CenterKey::load(path);
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_FALSE(CenterKey::inspect(path)->isProtected);

    auto weak = CenterKey::protect(path, "too short");
    ASSERT_FALSE(weak);
    EXPECT_EQ(weak.error().code, ErrorCode::InvalidInput);
    auto sealed = CenterKey::protect(path, kPassphrase);
    ASSERT_TRUE(sealed) << sealed.error().message;
    EXPECT_EQ(sealed->publicKey(), plain->publicKey());
    EXPECT_TRUE(CenterKey::inspect(path)->isProtected);
    EXPECT_EQ(testsupport::readFile(path).find(base64UrlEncode(seed)), std::string::npos);
    EXPECT_FALSE(CenterKey::load(path));
    auto opened = CenterKey::load(path, given(kPassphrase));
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(opened->publicKey(), plain->publicKey());
    auto again = CenterKey::protect(path, kPassphrase);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::Conflict);

    // The verification address of a protected file can change without opening it; the key stays sealed.
    auto url = CenterKey::setVerifyUrl(path, "https://verify.example.cn/v/");
    ASSERT_TRUE(url) << url.error().message;
    EXPECT_TRUE(url->isProtected);
    auto withUrl = CenterKey::load(path, given(kPassphrase));
    ASSERT_TRUE(withUrl) << withUrl.error().message;
    EXPECT_EQ(withUrl->verifyUrl(), "https://verify.example.cn/v/");
}

TEST(KeyProtection, KeyIdsAreSixteenHexDigitsOfTheKeysHash) {
    const auto a = CenterKey::ephemeral("C001");
    const auto b = CenterKey::ephemeral("C001");
    const auto id = keyId(a.publicKey());
    EXPECT_EQ(id.size(), 16u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    EXPECT_EQ(keyId(a.publicKey()), id);
    EXPECT_NE(keyId(b.publicKey()), id);
}

class KeyCustodyTest : public CertTest {
protected:
    [[nodiscard]] std::filesystem::path keyPath() const { return m_dir / "center.db.center-key"; }
    BadgeVerification verify(const std::string& payload) {
        Certificates certs(*m_store, m_key.get());
        auto v = certs.verify(payload);
        EXPECT_TRUE(v) << v.error().message;
        return v.value_or(BadgeVerification{});
    }
    std::vector<CenterPublicKey> keys() {
        auto k = centerKeys(*m_store);
        EXPECT_TRUE(k) << k.error().message;
        return k.value_or(std::vector<CenterPublicKey>{});
    }
};

TEST_F(KeyCustodyTest, RotationKeepsWhatTheEarlierKeySignedValid) {
    const auto before = payloadSignedBy(*m_key, 1);
    EXPECT_EQ(verify(before).verdict, BadgeVerdict::Valid);
    const auto oldId = keyId(m_key->publicKey());

    auto next = rotateCenterKey(*m_store, keyPath(), {}, "staff:1");
    ASSERT_TRUE(next) << next.error().message;
    EXPECT_NE(next->publicKey(), m_key->publicKey());
    // The file now holds the new key; the store trusts it as current and the old one as retired.
    auto loaded = CenterKey::load(keyPath());
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(loaded->publicKey(), next->publicKey());
    const auto all = keys();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].status, KeyStatus::Current);
    EXPECT_EQ(all[0].key, next->publicKey());
    EXPECT_EQ(all[1].status, KeyStatus::Retired);
    EXPECT_EQ(keyId(all[1].key), oldId);
    EXPECT_TRUE(all[1].own);
    EXPECT_EQ(trustedKeys(*m_store)->size(), 1u) << "one current key per center";

    EXPECT_EQ(verify(before).verdict, BadgeVerdict::Valid) << verify(before).message;
    EXPECT_EQ(verify(payloadSignedBy(*next, 2)).verdict, BadgeVerdict::Valid);
    // A key that is neither is still refused.
    EXPECT_EQ(verify(payloadSignedBy(CenterKey::ephemeral("T01"), 3)).verdict, BadgeVerdict::BadSignature);

    // The web page's keys file carries both (never a revoked one).
    Certificates certs(*m_store, &*next);
    auto web = certs.exportWebKeys();
    ASSERT_TRUE(web) << web.error().message;
    const auto body = json::parse(json::parse(*web)["signed"].get<std::string>());
    std::set<std::string> ids;
    for (const auto& k : body["keys"]) ids.insert(k["key_id"].get<std::string>());
    EXPECT_EQ(ids, (std::set<std::string>{oldId, keyId(next->publicKey())}));

    // The audit log names both keys.
    auto row = m_store->latestAudit("center:T01", "key.rotate");
    ASSERT_TRUE(row && *row);
    EXPECT_EQ((*row)->actor, "staff:1");
    EXPECT_NE((*row)->details.find(oldId), std::string::npos) << (*row)->details;
}

// An audit checkpoint kept off the machine before a rotation still checks the chain afterwards (signed by the key
// that is now retired); a forged one does not.
TEST_F(KeyCustodyTest, ACheckpointTakenBeforeARotationStillChecksTheChain) {
    auto cp = makeAuditCheckpoint(*m_store, *m_key, "staff:1");
    ASSERT_TRUE(cp) << cp.error().message;
    auto next = rotateCenterKey(*m_store, keyPath(), {}, "staff:1");
    ASSERT_TRUE(next) << next.error().message;
    auto checked = checkAuditCheckpoint(*m_store, *cp);
    EXPECT_TRUE(checked) << checked.error().message;
    auto forged = makeAuditCheckpoint(*m_store, CenterKey::ephemeral("T01"), "staff:1");
    ASSERT_TRUE(forged) << forged.error().message;
    auto refused = checkAuditCheckpoint(*m_store, *forged);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::Refused);
}

TEST_F(KeyCustodyTest, AProtectedKeyRotatesUnderTheSamePassphrase) {
    const auto path = keyPath();
    ASSERT_TRUE(CenterKey::protect(path, kPassphrase));
    auto refused = rotateCenterKey(*m_store, path, {}, "test");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().reason, "key.passphrase-required");
    auto wrong = rotateCenterKey(*m_store, path, given("not the passphrase at all"), "test");
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, ErrorCode::AuthFailed);
    EXPECT_EQ(keys().size(), 1u) << "a refused rotation changes nothing";
    auto next = rotateCenterKey(*m_store, path, given(kPassphrase), "test");
    ASSERT_TRUE(next) << next.error().message;
    EXPECT_TRUE(CenterKey::inspect(path)->isProtected);
    auto loaded = CenterKey::load(path, given(kPassphrase));
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(loaded->publicKey(), next->publicKey());
}

TEST_F(KeyCustodyTest, ARevokedKeysSignaturesNoLongerVerify) {
    const auto before = payloadSignedBy(*m_key, 1);
    const auto oldId = keyId(m_key->publicKey());

    // The current own key cannot be revoked: the center would have nothing to sign with.
    auto current = revokeCenterKey(*m_store, oldId, "disk stolen", "test");
    ASSERT_FALSE(current);
    EXPECT_EQ(current.error().code, ErrorCode::Refused);
    EXPECT_NE(current.error().message.find("kioskctl key rotate"), std::string::npos) << current.error().message;

    auto next = rotateCenterKey(*m_store, keyPath(), {}, "test");
    ASSERT_TRUE(next) << next.error().message;
    auto noReason = revokeCenterKey(*m_store, oldId, "  ", "test");
    ASSERT_FALSE(noReason);
    EXPECT_EQ(noReason.error().code, ErrorCode::InvalidInput);
    auto revoked = revokeCenterKey(*m_store, oldId.substr(0, 10), "disk stolen", "staff:1");
    ASSERT_TRUE(revoked) << revoked.error().message;
    EXPECT_EQ(revoked->status, KeyStatus::Revoked);
    EXPECT_EQ(revoked->revocationReason, "disk stolen");

    const auto v = verify(before);
    EXPECT_EQ(v.verdict, BadgeVerdict::BadSignature);
    EXPECT_NE(v.message.find(oldId), std::string::npos) << "names the revoked key: " << v.message;
    EXPECT_NE(v.message.find("revoked"), std::string::npos) << v.message;
    EXPECT_EQ(verify(payloadSignedBy(*next, 2)).verdict, BadgeVerdict::Valid);

    auto twice = revokeCenterKey(*m_store, oldId, "again", "test");
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, ErrorCode::Refused);
    EXPECT_EQ(revokeCenterKey(*m_store, "0123456789abcdef", "x", "test").error().code, ErrorCode::NotFound);
    EXPECT_EQ(revokeCenterKey(*m_store, "zz", "x", "test").error().code, ErrorCode::InvalidInput);

    // The web keys file leaves it out.
    Certificates certs(*m_store, &*next);
    auto web = certs.exportWebKeys();
    ASSERT_TRUE(web);
    EXPECT_EQ(web->find(oldId), std::string::npos);

    const auto all = keys();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].status, KeyStatus::Revoked);
    auto row = m_store->latestAudit("key:" + oldId, "key.revoke");
    ASSERT_TRUE(row && *row);
    EXPECT_EQ((*row)->actor, "staff:1");
    EXPECT_NE((*row)->details.find("disk stolen"), std::string::npos) << (*row)->details;
}

TEST_F(KeyCustodyTest, AnotherCentersKeysRetireOnReplaceAndARevokedOneIsNotTrustedAgain) {
    const auto first = CenterKey::ephemeral("C777", "另一中心");
    auto pub = first.publicInfo();
    pub.own = false;
    ASSERT_TRUE(trustCenterKey(*m_store, pub, "test"));
    const auto early = payloadSignedBy(first, 1);
    // A revocation list that center signed with its first key.
    const auto list = [](const CenterKey& k, const std::string& number) {
        json body{{"format", "badge-revocations"}, {"version", 1}, {"center", k.centerId()},
                  {"revoked", json::array({{{"number", number}, {"revoked_at", "2026-12-01T00:00:00Z"},
                                            {"reason", "lost"}}})}};
        body["signature"] = base64UrlEncode(k.sign(body.dump()));
        return body.dump();
    };
    const auto earlyList = list(first, "C777-2026-000050");

    const auto second = CenterKey::ephemeral("C777", "另一中心");
    auto pub2 = second.publicInfo();
    pub2.own = false;
    ASSERT_TRUE(trustCenterKey(*m_store, pub2, "test", true));
    EXPECT_EQ(verify(early).verdict, BadgeVerdict::Valid) << "the replaced key is kept as retired";
    EXPECT_EQ(verify(payloadSignedBy(second, 2)).verdict, BadgeVerdict::Valid);
    Certificates certs(*m_store, m_key.get());
    auto imported = certs.importRevocationList(earlyList, "test");
    ASSERT_TRUE(imported) << "a list signed with the retired key imports: " << imported.error().message;

    // Revoking the other center's current key: its documents fail, and it cannot be trusted again.
    const auto id2 = keyId(second.publicKey());
    auto r = revokeCenterKey(*m_store, id2, "the center reported it stolen", "test");
    ASSERT_TRUE(r) << r.error().message;
    const auto v = verify(payloadSignedBy(second, 3));
    EXPECT_EQ(v.verdict, BadgeVerdict::BadSignature);
    EXPECT_NE(v.message.find(id2), std::string::npos) << v.message;
    EXPECT_EQ(verify(early).verdict, BadgeVerdict::Valid) << "the first key was not revoked";
    auto again = trustCenterKey(*m_store, pub2, "test", true);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::Refused);
    EXPECT_NE(again.error().message.find(id2), std::string::npos);
    auto forged = certs.importRevocationList(list(second, "C777-2026-000051"), "test");
    ASSERT_FALSE(forged);
    EXPECT_NE(forged.error().message.find(id2), std::string::npos) << forged.error().message;
}

TEST(KeyCustodySchema, AVersion8DatabaseGainsTheFormerKeysTable) {
    testsupport::TempDir dir;
    {
        auto db = Database::open(dir / "c.db", {});
        ASSERT_TRUE(db);
        ASSERT_TRUE(migrateTo(*db, 8));
        const auto k = CenterKey::ephemeral("C777");
        ASSERT_TRUE(db->exec(fmt::format("INSERT INTO trusted_keys (center_id, name, public_key, own, added_at) "
                                         "VALUES ('C777', 'x', '{}', 0, 1)",
                                         base64UrlEncode(k.publicKey()))));
        EXPECT_FALSE(db->exec("SELECT 1 FROM former_keys"));
    }
    auto store = Store::open(dir / "c.db", {.create = false});
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_EQ((*store)->schemaVersion(), currentSchemaVersion());
    auto keys = centerKeys(**store);
    ASSERT_TRUE(keys) << keys.error().message;
    ASSERT_EQ(keys->size(), 1u);
    auto r = revokeCenterKey(**store, keyId(keys->front().key), "test", "test");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(centerKeys(**store)->front().status, KeyStatus::Revoked);
    EXPECT_TRUE(trustedKeys(**store)->empty());
}

// ---- the same through the real kioskctl binary (a database file, or a PostgreSQL database with its folder)

namespace {

class KeyCliTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_kioskctl = testsupport::env("KIOSKCTL");
        if (m_kioskctl.empty() || !std::filesystem::exists(m_kioskctl)) GTEST_SKIP() << "KIOSKCTL not built";
        m_db = (m_dir / "center.db").string();
        if (testsupport::onPostgres()) {
            m_pg.emplace();
            m_db = m_pg->uri();
            ASSERT_FALSE(m_db.empty()) << "no PostgreSQL test database";
        }
    }
    [[nodiscard]] std::filesystem::path keyFile() const {
        return testsupport::onPostgres() ? m_dir / "center.key" : std::filesystem::path(m_db + ".center-key");
    }
    std::vector<std::string> argv(std::vector<std::string> args) const {
        std::vector<std::string> out{m_kioskctl, "--json", "--db", m_db};
        if (testsupport::onPostgres()) {
            out.push_back("--center-dir");
            out.push_back(m_dir.path().string());
        }
        out.insert(out.end(), args.begin(), args.end());
        return out;
    }
    std::vector<std::string> env(const std::string& passphrase) const {
        std::vector<std::string> e{"KIOSK_CENTER_KEY=", "KIOSK_KEY_PASSPHRASE=" + passphrase};
        const auto assets = testsupport::env("KIOSK_ASSETS_DIR");
        if (!assets.empty()) e.push_back("KIOSK_CERT_TEMPLATES=" + assets + "/certificates");
        return e;
    }
    testsupport::RunResult ctl(std::vector<std::string> args, const std::string& passphrase = {}) {
        return m_admin.pin.empty() ? testsupport::run(argv(std::move(args)), env(passphrase))
                                   : testsupport::runAs(m_admin, argv(std::move(args)), env(passphrase));
    }
    void init(bool protect, const std::string& passphrase = {}) {
        std::vector<std::string> args{"init", "--center", "甲培训中心", "--code", "A01"};
        if (protect) args.push_back("--protect-key");
        auto r = ctl(args, passphrase);
        ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
        auto admin = testsupport::adminFrom(r.out);
        ASSERT_TRUE(admin) << r.out;
        m_admin = *admin;
        auto s = Store::open(m_db, {.create = false});
        ASSERT_TRUE(s) << s.error().message;
        m_store = std::move(*s);
    }
    /// An eligible worker's certificate, issued with `cert render`; its QR payload.
    std::string issue(const std::string& first17, const std::string& passphrase = {}) {
        testsupport::EligibleWorkerOptions o;
        o.first17 = first17;
        o.portraitJpeg = demoCertificateDocument().portrait;
        auto w = testsupport::makeEligibleWorker(*m_store, o);
        EXPECT_TRUE(w) << w.error().message;
        if (!w) return {};
        auto r = ctl({"cert", "render", "--worker", std::to_string(w->workerId), "--out", (m_dir / "c.pdf").string()},
                     passphrase);
        EXPECT_EQ(r.exitCode, 0) << r.err << r.out;
        Certificates certs(*m_store, nullptr);
        auto all = certs.ofWorker(w->workerId);
        EXPECT_TRUE(all && !all->empty());
        return all && !all->empty() ? all->front().payload : std::string{};
    }
    json parse(const testsupport::RunResult& r) {
        auto j = json::parse(r.out, nullptr, false);
        EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
        return j;
    }

    testsupport::TempDir m_dir;
    std::optional<testsupport::PgTestDatabase> m_pg;
    std::string m_kioskctl, m_db;
    testsupport::StaffLogin m_admin;
    std::unique_ptr<Store> m_store;
};

}  // namespace

TEST_F(KeyCliTest, AProtectedKeySignsOnlyWithItsPassphrase) {
    auto shortPass = ctl({"init", "--center", "甲培训中心", "--code", "A01", "--protect-key"}, "short");
    EXPECT_EQ(shortPass.exitCode, 1) << shortPass.err;
    EXPECT_NE(shortPass.err.find("at least 12"), std::string::npos) << shortPass.err;
    ASSERT_NO_FATAL_FAILURE(init(true, kPassphrase));
    auto info = CenterKey::inspect(keyFile());
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_TRUE(info->isProtected);

    testsupport::EligibleWorkerOptions o;
    o.portraitJpeg = demoCertificateDocument().portrait;
    auto w = testsupport::makeEligibleWorker(*m_store, o);
    ASSERT_TRUE(w) << w.error().message;
    const std::vector<std::string> render{"cert", "render", "--worker", std::to_string(w->workerId), "--out",
                                          (m_dir / "c.pdf").string()};
    auto none = ctl(render);
    EXPECT_EQ(none.exitCode, 1) << none.err;
    EXPECT_NE(none.err.find("KIOSK_KEY_PASSPHRASE"), std::string::npos) << none.err;
    auto wrong = ctl(render, "not the passphrase at all");
    EXPECT_EQ(wrong.exitCode, 1) << wrong.err;
    EXPECT_NE(wrong.err.find("does not open"), std::string::npos) << wrong.err;
    EXPECT_FALSE(std::filesystem::exists(m_dir / "c.pdf"));
    auto ok = ctl(render, kPassphrase);
    EXPECT_EQ(ok.exitCode, 0) << ok.err;
    // The public key needs no passphrase.
    auto exp = ctl({"key", "export"});
    EXPECT_EQ(exp.exitCode, 0) << exp.err;
    EXPECT_NE(exp.err.find(keyId(info->publicKey.key)), std::string::npos) << exp.err;
    // Signing a revocation list and the web page ask too.
    EXPECT_EQ(ctl({"web", "export", "--out", (m_dir / "web").string()}).exitCode, 1);
    EXPECT_EQ(ctl({"web", "export", "--out", (m_dir / "web").string()}, kPassphrase).exitCode, 0);
}

TEST_F(KeyCliTest, KeyProtectSealsAPlainKey) {
    ASSERT_NO_FATAL_FAILURE(init(false));
    EXPECT_FALSE(CenterKey::inspect(keyFile())->isProtected);
    auto weak = ctl({"key", "protect"}, "2short");
    EXPECT_EQ(weak.exitCode, 1) << weak.err;
    auto r = ctl({"key", "protect"}, kPassphrase);
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    EXPECT_TRUE(CenterKey::inspect(keyFile())->isProtected);
    EXPECT_EQ(ctl({"key", "protect"}, kPassphrase).exitCode, 1) << "protected already";
    EXPECT_NE(issue("31010119780312002", kPassphrase), "");
}

TEST_F(KeyCliTest, RotateKeepsOldCertificatesAndRevokeStopsThem) {
    ASSERT_NO_FATAL_FAILURE(init(false));
    const auto before = issue("31010119780312002");
    ASSERT_FALSE(before.empty());
    const auto oldId = keyId(CenterKey::inspect(keyFile())->publicKey.key);

    auto refused = ctl({"key", "revoke", oldId, "--reason", "laptop stolen"});
    EXPECT_EQ(refused.exitCode, 1) << refused.err;
    EXPECT_NE(refused.err.find("kioskctl key rotate"), std::string::npos) << refused.err;

    auto rot = ctl({"key", "rotate"});
    ASSERT_EQ(rot.exitCode, 0) << rot.err << rot.out;
    const auto rj = parse(rot);
    EXPECT_EQ(rj["retired"], oldId);
    const auto newId = rj["current"].get<std::string>();
    EXPECT_NE(newId, oldId);

    auto list = parse(ctl({"key", "list"}));
    ASSERT_EQ(list.size(), 2u) << list.dump(2);
    EXPECT_EQ(list[0]["key_id"], newId);
    EXPECT_EQ(list[0]["status"], "current");
    EXPECT_EQ(list[1]["key_id"], oldId);
    EXPECT_EQ(list[1]["status"], "retired");

    auto v = ctl({"verify", before});
    EXPECT_EQ(v.exitCode, 0) << v.err << v.out;
    EXPECT_EQ(parse(v)["verdict"], "valid");
    const auto after = issue("11010519491231002");
    EXPECT_EQ(parse(ctl({"verify", after}))["verdict"], "valid");

    auto rev = ctl({"key", "revoke", oldId, "--reason", "laptop stolen"});
    ASSERT_EQ(rev.exitCode, 0) << rev.err << rev.out;
    list = parse(ctl({"key", "list"}));
    EXPECT_EQ(list[1]["status"], "revoked");
    EXPECT_EQ(list[1]["reason"], "laptop stolen");
    v = ctl({"verify", before});
    EXPECT_NE(v.exitCode, 0);
    EXPECT_NE(v.out.find(oldId), std::string::npos) << "names the revoked key: " << v.out << v.err;
    EXPECT_EQ(parse(ctl({"verify", after}))["verdict"], "valid");
}
