#include <qrencode.h>
#include <sys/stat.h>

#include "cert_fixture.hpp"
#include "test_support.hpp"

using namespace training;
using certtest::CertTest;

namespace {

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::chrono::year_month_day ymd(int y, unsigned m, unsigned d) {
    return std::chrono::year_month_day{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

BadgeFields sample(const std::string& center) {
    return BadgeFields{center, center + "-2026-000123", "王秀英", "310101********0021", "badge", "2026-11-28", "2029-11-27"};
}

RevocationLookup none() {
    return [](const std::string&, const std::string&) { return std::optional<std::string>{}; };
}

}  // namespace

TEST(Base45, Rfc9285Examples) {
    EXPECT_EQ(base45Encode(bytes("AB")), "BB8");
    EXPECT_EQ(base45Encode(bytes("Hello!!")), "%69 VD92EX0");
    EXPECT_EQ(base45Encode(bytes("base-45")), "UJCLQE7W581");
    EXPECT_EQ(base45Decode("QED8WEX0"), bytes("ietf!"));
    EXPECT_FALSE(base45Decode("GGW"));   // 65536 + ... overflows two bytes
    EXPECT_FALSE(base45Decode("AB"));    // fine length, but "AB" -> 10 + 11*45 = 505 > 255
    EXPECT_FALSE(base45Decode("ABCD"));  // length 1 mod 3
    EXPECT_FALSE(base45Decode("abc"));   // lower case is not base45
}

TEST(Base64Url, RoundTripsAndRejectsJunk) {
    for (std::size_t n = 0; n < 40; ++n) {
        std::vector<std::uint8_t> v(n);
        for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 37 + 11);
        EXPECT_EQ(base64Decode(base64UrlEncode(v)), v) << n;
    }
    EXPECT_FALSE(base64Decode("a"));
    EXPECT_FALSE(base64Decode("ab!c"));
}

TEST(BadgeCode, RoundTripsAndVerifies) {
    const auto key = CenterKey::ephemeral("C001", "测试中心");
    auto text = encodeBadgePayload(sample("C001"), key);
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_TRUE(text->starts_with("HSB1:"));
    EXPECT_LE(text->size(), kMaxPayloadChars);
    auto fields = decodeBadgePayload(*text);
    ASSERT_TRUE(fields);
    EXPECT_EQ(*fields, sample("C001"));
    const std::vector<CenterPublicKey> trusted{key.publicInfo()};
    auto v = verifyBadgePayload(*text, trusted, none(), ymd(2027, 1, 1));
    EXPECT_EQ(v.verdict, BadgeVerdict::Valid) << v.message;
    ASSERT_TRUE(v.fields);
    EXPECT_EQ(v.fields->name, "王秀英");
    // The expiry day itself is still valid; a scanner's trailing newline is tolerated.
    EXPECT_EQ(verifyBadgePayload(*text + "\n", trusted, none(), ymd(2029, 11, 27)).verdict, BadgeVerdict::Valid);
}

TEST(BadgeCode, EveryRejectionHasItsOwnReason) {
    const auto key = CenterKey::ephemeral("C001");
    const auto other = CenterKey::ephemeral("C001");  // same id, another key: a forgery
    const auto stranger = CenterKey::ephemeral("C999");
    const std::vector<CenterPublicKey> trusted{key.publicInfo()};
    const auto today = ymd(2027, 1, 1);
    const auto text = encodeBadgePayload(sample("C001"), key).value();

    // Tampered: change one character inside the signature (it breaks the signature, or the base45 format).
    std::string tampered = text;
    const auto at = tampered.size() - 10;
    tampered[at] = tampered[at] == '0' ? '1' : '0';
    const auto t = verifyBadgePayload(tampered, trusted, none(), today);
    EXPECT_TRUE(t.verdict == BadgeVerdict::BadSignature || t.verdict == BadgeVerdict::Malformed) << t.message;
    // Tampered field with a well-formed record: re-encode with another name but keep the old signature.
    auto raw = base45Decode(std::string_view(text).substr(5)).value();
    const auto pos = std::string(raw.begin(), raw.end()).find("王秀英");
    ASSERT_NE(pos, std::string::npos);
    raw[pos + 2] ^= 0x01;  // another Chinese character, same length
    const auto renamed = verifyBadgePayload("HSB1:" + base45Encode(raw), trusted, none(), today);
    EXPECT_EQ(renamed.verdict, BadgeVerdict::BadSignature) << renamed.message;
    ASSERT_TRUE(renamed.fields);

    const auto forged = verifyBadgePayload(encodeBadgePayload(sample("C001"), other).value(), trusted, none(), today);
    EXPECT_EQ(forged.verdict, BadgeVerdict::BadSignature) << forged.message;

    const auto unknown = verifyBadgePayload(encodeBadgePayload(sample("C999"), stranger).value(), trusted, none(), today);
    EXPECT_EQ(unknown.verdict, BadgeVerdict::UnknownCenter) << unknown.message;
    EXPECT_NE(unknown.message.find("C999"), std::string::npos);

    const auto expired = verifyBadgePayload(text, trusted, none(), ymd(2029, 11, 28));
    EXPECT_EQ(expired.verdict, BadgeVerdict::Expired) << expired.message;

    RevocationLookup revoked = [](const std::string& c, const std::string& n) -> std::optional<std::string> {
        if (c == "C001" && n == "C001-2026-000123") return "证件被冒用";
        return std::nullopt;
    };
    const auto r = verifyBadgePayload(text, trusted, revoked, today);
    EXPECT_EQ(r.verdict, BadgeVerdict::Revoked) << r.message;
    EXPECT_EQ(r.revocationReason, "证件被冒用");

    for (const char* junk : {"", "HSB1:", "HSB2:ABC", "https://example.com", "HSB1:abc", "HSB1:0000"}) {
        const auto m = verifyBadgePayload(junk, trusted, none(), today);
        EXPECT_EQ(m.verdict, BadgeVerdict::Malformed) << junk;
        EXPECT_FALSE(m.message.empty());
    }
    EXPECT_EQ(badgeVerdictName(BadgeVerdict::BadSignature), "bad-signature");
}

TEST(BadgeCode, RefusesFieldsThatWouldNotFit) {
    const auto key = CenterKey::ephemeral("C001");
    auto f = sample("C001");
    f.name = std::string(49, 'x');
    auto r = encodeBadgePayload(f, key);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("name"), std::string::npos);
    f = sample("C001");
    f.expiryDate = "2149-06-07";
    EXPECT_FALSE(encodeBadgePayload(f, key));
    f = sample("C002");
    EXPECT_FALSE(encodeBadgePayload(f, key)) << "a key signs only for its own center";
}

TEST(BadgeCode, TheLongestPayloadFitsAVersion10QrCodeAtLevelM) {
    const auto key = CenterKey::ephemeral(std::string(16, 'W'));
    BadgeFields f{std::string(16, 'W'), std::string(24, '9'), std::string(16 * 3, '\xE4'), std::string(24, '*'),
                  std::string(16, 'c'), "2149-06-06", "2149-06-06"};
    // A valid UTF-8 name of 16 Chinese characters (48 bytes).
    f.name.clear();
    for (int i = 0; i < 16; ++i) f.name += "鑫";
    auto text = encodeBadgePayload(f, key);
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_LE(text->size(), kMaxPayloadChars);
    // libqrencode picks the smallest version for the text (alphanumeric mode, level M).
    QRcode* qr = QRcode_encodeString(text->c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    ASSERT_NE(qr, nullptr);
    EXPECT_LE(qr->version, 10) << text->size() << " characters";
    QRcode_free(qr);
    // A typical certificate needs a much smaller code.
    const auto typical = encodeBadgePayload(sample("C001"), CenterKey::ephemeral("C001")).value();
    qr = QRcode_encodeString(typical.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    ASSERT_NE(qr, nullptr);
    EXPECT_LE(qr->version, 8) << typical.size() << " characters";
    QRcode_free(qr);
}

TEST(CenterKeyFile, IsCreatedOwnerOnlyAndLoadsBack) {
    testsupport::TempDir dir;
    const auto path = dir / "center.db.center-key";
    auto k = CenterKey::create(path, "C001", "测试中心");
    ASSERT_TRUE(k) << k.error().message;
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto again = CenterKey::create(path, "C001");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::Conflict);
    auto loaded = CenterKey::load(path);
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(loaded->publicKey(), k->publicKey());
    EXPECT_EQ(loaded->centerId(), "C001");
    const auto sig = loaded->sign("hello");
    EXPECT_TRUE(verifySignature(k->publicKey(), "hello", sig));
    EXPECT_FALSE(verifySignature(k->publicKey(), "hellO", sig));

    ::chmod(path.c_str(), 0644);
    auto exposed = CenterKey::load(path);
    ASSERT_FALSE(exposed);
    EXPECT_EQ(exposed.error().code, ErrorCode::Refused);
    EXPECT_NE(exposed.error().message.find("chmod 600"), std::string::npos);
    ::chmod(path.c_str(), 0600);
    testsupport::writeFile(dir / "junk", "not a key");
    ::chmod((dir / "junk").c_str(), 0600);
    EXPECT_EQ(CenterKey::load(dir / "junk").error().code, ErrorCode::Corrupt);
    EXPECT_EQ(CenterKey::load(dir / "absent").error().code, ErrorCode::NotFound);
    EXPECT_FALSE(CenterKey::create(dir / "k2", "中心"));  // not usable in a QR certificate number
}

TEST(CenterKeyFile, DefaultPathIsNextToTheDatabaseUnlessTheEnvironmentSaysOtherwise) {
    ::unsetenv("KIOSK_CENTER_KEY");
    EXPECT_EQ(defaultCenterKeyPath("/var/lib/x/center.db"), "/var/lib/x/center.db.center-key");
    ::setenv("KIOSK_CENTER_KEY", "/etc/kiosk/key", 1);
    EXPECT_EQ(defaultCenterKeyPath("/var/lib/x/center.db"), "/etc/kiosk/key");
    ::unsetenv("KIOSK_CENTER_KEY");
}

class TrustTest : public CertTest {};

TEST_F(TrustTest, ExportedKeysAreImportedOnceAndConflictsAreRefused) {
    auto keys = trustedKeys(*m_store);
    ASSERT_TRUE(keys);
    ASSERT_EQ(keys->size(), 1u);
    EXPECT_TRUE(keys->front().own);
    EXPECT_EQ(keys->front().centerId, "T01");

    const auto other = CenterKey::ephemeral("C777", "另一中心");
    auto text = exportPublicKey(other.publicInfo());
    auto parsed = parsePublicKey(text);
    ASSERT_TRUE(parsed) << parsed.error().message;
    parsed->own = false;
    ASSERT_TRUE(trustCenterKey(*m_store, *parsed, "admin"));
    ASSERT_TRUE(trustCenterKey(*m_store, *parsed, "admin"));  // again: nothing changes
    EXPECT_EQ(trustedKeys(*m_store)->size(), 2u);

    auto impostor = CenterKey::ephemeral("C777").publicInfo();
    impostor.own = false;
    auto refused = trustCenterKey(*m_store, impostor, "admin");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::Conflict);
    ASSERT_TRUE(trustCenterKey(*m_store, impostor, "admin", true));
    auto ownClash = CenterKey::ephemeral("T01").publicInfo();
    ownClash.own = false;
    EXPECT_FALSE(trustCenterKey(*m_store, ownClash, "admin", true)) << "another key may not replace our own";

    EXPECT_FALSE(parsePublicKey("{}"));
    EXPECT_FALSE(parsePublicKey(R"({"format":"badge-center-key","version":1,"center":"X","public_key":"AAAA"})"));
    // ensureCenterKey on an existing file loads it (init twice does not replace the key).
    auto again = ensureCenterKey(*m_store, m_dir / "center.db.center-key", "test");
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->publicKey(), m_key->publicKey());
}
