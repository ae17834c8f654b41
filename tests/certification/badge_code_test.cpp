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
    return BadgeFields{center, center + "-2026-000123", "王秀英", "310101********0021", "badge", "2026-11-28", "2029-11-27", 7};
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

TEST(NumericCode, RoundTripsEveryLengthAndRejectsJunk) {
    for (std::size_t n = 0; n < 40; ++n) {
        std::vector<std::uint8_t> v(n);
        for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(0xFF - i * 29);
        const auto digits = numericEncode(v);
        EXPECT_EQ(digits.find_first_not_of("0123456789"), std::string::npos);
        EXPECT_EQ(numericDecode(digits), v) << n;
    }
    EXPECT_EQ(numericEncode(std::vector<std::uint8_t>(7, 0xFF)), "72057594037927935");  // 2^56 - 1
    EXPECT_FALSE(numericDecode("72057594037927936"));  // 2^56: more than 7 bytes
    EXPECT_FALSE(numericDecode("256"));                // more than 1 byte
    EXPECT_FALSE(numericDecode("1234"));               // no group has 4 digits
    EXPECT_FALSE(numericDecode("12a"));
}

TEST(BadgeCode, RoundTripsAndVerifies) {
    auto key = CenterKey::ephemeral("C001", "测试中心");
    auto bare = encodeBadgePayload(sample("C001"), key);
    ASSERT_TRUE(bare) << bare.error().message;
    EXPECT_EQ(bare->find_first_not_of("0123456789"), std::string::npos) << "without an address: the bare code";
    key.setVerifyUrlInMemory("https://verify.example.cn/v");
    auto text = encodeBadgePayload(sample("C001"), key);
    ASSERT_TRUE(text) << text.error().message;
    ASSERT_TRUE(text->starts_with("https://verify.example.cn/v#")) << *text;
    const auto code = std::string(badgeCodeOf(*text));
    EXPECT_EQ(code.find_first_not_of("0123456789"), std::string::npos) << code;
    for (const auto& t : {*text, code}) {
        auto fields = decodeBadgePayload(t);
        ASSERT_TRUE(fields) << fields.error().message;
        EXPECT_EQ(*fields, sample("C001"));
    }
    const std::vector<CenterPublicKey> trusted{key.publicInfo()};
    auto v = verifyBadgePayload(*text, trusted, none(), ymd(2027, 1, 1));
    EXPECT_EQ(v.verdict, BadgeVerdict::Valid) << v.message;
    ASSERT_TRUE(v.fields);
    EXPECT_EQ(v.fields->name, "王秀英");
    EXPECT_EQ(v.fields->agencyId, 7);
    // The bare code verifies alike; the expiry day itself is still valid; a scanner's trailing newline is tolerated.
    EXPECT_EQ(verifyBadgePayload(code, trusted, none(), ymd(2027, 1, 1)).verdict, BadgeVerdict::Valid);
    EXPECT_EQ(verifyBadgePayload(*text + "\n", trusted, none(), ymd(2029, 11, 27)).verdict, BadgeVerdict::Valid);
    // Numbers and masked IDs of other shapes are kept as they are.
    auto odd = sample("C001");
    odd.certificateNumber = "C001-0999-12";
    odd.maskedId = "E1234**78*9";
    odd.agencyId = 70000;  // too large for the code: left out
    auto f = decodeBadgePayload(encodeBadgePayload(odd, key).value());
    ASSERT_TRUE(f);
    EXPECT_EQ(f->certificateNumber, odd.certificateNumber);
    EXPECT_EQ(f->maskedId, odd.maskedId);
    EXPECT_EQ(f->agencyId, 0);
}

TEST(BadgeCode, Version1CodesStillVerify) {
    // A version-1 text, as certificates printed before version 2 carry: record with plain strings, base45.
    const auto key = CenterKey::ephemeral("C001");
    const auto f = sample("C001");
    std::vector<std::uint8_t> record{1};
    for (const auto* s : {&f.centerId, &f.certificateNumber, &f.name, &f.maskedId, &f.courseCode}) {
        record.push_back(static_cast<std::uint8_t>(s->size()));
        record.insert(record.end(), s->begin(), s->end());
    }
    // 2026-11-28 and 2029-11-27 as days since 1970-01-01.
    for (unsigned days : {20785u, 21880u}) {
        record.push_back(static_cast<std::uint8_t>(days >> 8));
        record.push_back(static_cast<std::uint8_t>(days & 0xFF));
    }
    std::vector<std::uint8_t> signedPart{'H', 'S', 'B', '1', ':'};
    signedPart.insert(signedPart.end(), record.begin(), record.end());
    const auto sig = key.sign(signedPart);
    record.insert(record.end(), sig.begin(), sig.end());
    const auto text = "HSB1:" + base45Encode(record);
    const std::vector<CenterPublicKey> trusted{key.publicInfo()};
    const auto v = verifyBadgePayload(text, trusted, none(), ymd(2027, 1, 1));
    EXPECT_EQ(v.verdict, BadgeVerdict::Valid) << v.message;
    ASSERT_TRUE(v.fields);
    EXPECT_EQ(v.fields->issueDate, "2026-11-28");
    EXPECT_EQ(v.fields->expiryDate, "2029-11-27");
    EXPECT_EQ(v.fields->agencyId, 0);
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
    auto raw = numericDecode(text).value();
    const auto pos = std::string(raw.begin(), raw.end()).find("王秀英");
    ASSERT_NE(pos, std::string::npos);
    raw[pos + 2] ^= 0x01;  // another Chinese character, same length
    const auto renamed = verifyBadgePayload(numericEncode(raw), trusted, none(), today);
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

    for (const char* junk : {"", "HSB1:", "HSB2:ABC", "https://example.com", "HSB1:abc", "HSB1:0000", "12345",
                             "https://v.example.cn/v#", "https://v.example.cn/v#123", "https://v.example.cn/v#12a"}) {
        const auto m = verifyBadgePayload(junk, trusted, none(), today);
        EXPECT_EQ(m.verdict, BadgeVerdict::Malformed) << junk;
        EXPECT_FALSE(m.message.empty());
    }
    EXPECT_EQ(badgeVerdictName(BadgeVerdict::BadSignature), "bad-signature");
}

TEST(BadgeCode, NoSingleDigitChangeAndNoRandomCodeIsValid) {
    const auto key = CenterKey::ephemeral("C001");
    const std::vector<CenterPublicKey> trusted{key.publicInfo()};
    const auto code = encodeBadgeCode(sample("C001"), key).value();
    // Every position, every other digit: malformed, a bad signature, or another (untrusted) center id; never valid.
    for (std::size_t i = 0; i < code.size(); ++i) {
        for (char d = '0'; d <= '9'; ++d) {
            if (d == code[i]) continue;
            auto changed = code;
            changed[i] = d;
            const auto v = verifyBadgePayload(changed, trusted, none(), ymd(2027, 1, 1));
            ASSERT_TRUE(v.verdict == BadgeVerdict::BadSignature || v.verdict == BadgeVerdict::Malformed ||
                        v.verdict == BadgeVerdict::UnknownCenter)
                << "position " << i << ": " << badgeVerdictName(v.verdict);
        }
    }
    // Random digit strings and truncations (a fixed seed: the same inputs on every run).
    std::uint64_t state = 20261206;
    const auto next = [&] { return state = state * 6364136223846793005ULL + 1442695040888963407ULL; };
    for (int n = 0; n < 3000; ++n) {
        std::string junk(static_cast<std::size_t>(next() >> 33) % 400, '0');
        for (auto& c : junk) c = static_cast<char>('0' + (next() >> 33) % 10);
        EXPECT_NE(verifyBadgePayload(junk, trusted, none(), ymd(2027, 1, 1)).verdict, BadgeVerdict::Valid) << junk;
        const auto cut = code.substr(0, static_cast<std::size_t>(next() >> 33) % code.size());
        EXPECT_NE(verifyBadgePayload(cut, trusted, none(), ymd(2027, 1, 1)).verdict, BadgeVerdict::Valid) << cut;
    }
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

namespace {
int qrVersion(const std::string& text) {
    // libqrencode picks the smallest version and the cheapest modes (byte, alphanumeric, numeric) for the text.
    QRcode* qr = QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr) return 99;
    const int v = qr->version;
    QRcode_free(qr);
    return v;
}
}  // namespace

TEST(BadgeCode, TheUrlCodeIsNoLargerThanTheVersion1Code) {
    // What version 1 needed for a typical certificate: "HSB1:" + base45 of its 126-byte record and signature
    // (same fields, plain strings), and the URL code of version 2 with a center address of 27 characters.
    const auto f = sample("C001");
    const std::size_t v1Bytes = 1 + (1 + f.centerId.size()) + (1 + f.certificateNumber.size()) + (1 + f.name.size()) +
                                (1 + f.maskedId.size()) + (1 + f.courseCode.size()) + 4 + 64;
    const auto v1 = "HSB1:" + base45Encode(std::vector<std::uint8_t>(v1Bytes, 0xA5));
    auto key = CenterKey::ephemeral("C001");
    key.setVerifyUrlInMemory("https://verify.example.cn/v");
    const auto url = encodeBadgePayload(f, key).value();
    EXPECT_EQ(qrVersion(v1), 8) << v1.size() << " characters";
    EXPECT_LE(qrVersion(url), qrVersion(v1)) << url;
    // A four-character name still fits version 8; the longest address allowed (64 characters) needs version 10.
    auto longer = f;
    longer.name = "欧阳秀英";
    EXPECT_LE(qrVersion(encodeBadgePayload(longer, key).value()), 8);
    key.setVerifyUrlInMemory("https://" + std::string(52, 'v') + ".cn/v");
    EXPECT_LE(qrVersion(encodeBadgePayload(longer, key).value()), 10);
}

TEST(BadgeCode, TheLongestPayloadFitsAVersion12QrCodeAtLevelM) {
    auto key = CenterKey::ephemeral(std::string(16, 'W'));
    key.setVerifyUrlInMemory("https://" + std::string(53, 'v') + ".cn");
    ASSERT_EQ(key.verifyUrl().size(), 64u);
    BadgeFields f{std::string(16, 'W'), std::string(24, '9'), "", std::string(24, 'x'), std::string(16, 'c'),
                  "2149-06-06", "2149-06-06", 65535};
    // A valid UTF-8 name of 16 Chinese characters (48 bytes).
    for (int i = 0; i < 16; ++i) f.name += "鑫";
    auto text = encodeBadgePayload(f, key);
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_LE(qrVersion(*text), 12) << text->size() << " characters";
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
