// EF.COM, DG1, DG2 parsing and EF.SOD passive authentication against a fixture built with the openssl CLI.
#include <gtest/gtest.h>

#include "devices/id/lds.hpp"
#include "devices/id/passive_auth.hpp"
#include "devices/id/tlv.hpp"
#include "id_fixture.hpp"

using namespace devices::id;

namespace {

class LdsFixture : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_dir = new testsupport::TempDir();
        idtest::writeGeneratedPhoto(s_dir->path() / "photo.jpg");
        s_ok = idtest::makeFixture(s_dir->path(), s_dir->path() / "photo.jpg");
    }
    static void TearDownTestSuite() {
        delete s_dir;
        s_dir = nullptr;
    }
    void SetUp() override { ASSERT_TRUE(s_ok) << "fixture generation failed"; }
    static Bytes file(const char* name) { return idtest::readBytes(s_dir->path() / name); }
    static std::filesystem::path path(const char* name) { return s_dir->path() / name; }
    static std::map<int, Bytes> groups() { return {{1, file("dg1.bin")}, {2, file("dg2.bin")}}; }

    static inline testsupport::TempDir* s_dir = nullptr;
    static inline bool s_ok = false;
};

}  // namespace

TEST_F(LdsFixture, EfComAndDg1) {
    auto com = parseEfCom(file("com.bin"));
    ASSERT_TRUE(com) << com.error().message;
    EXPECT_EQ(com->ldsVersion, "0107");
    EXPECT_EQ(com->unicodeVersion, "040000");
    EXPECT_EQ(com->dataGroups, (std::vector<int>{1, 2}));
    auto text = parseDg1Text(file("dg1.bin"));
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_EQ(*text, "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10");
    auto mrz = parseMrz(*text);
    ASSERT_TRUE(mrz);
    EXPECT_EQ(mrz->surname, "ERIKSSON");
}

TEST_F(LdsFixture, Dg2DownToTheJpeg) {
    auto face = parseDg2(file("dg2.bin"));
    ASSERT_TRUE(face) << face.error().message;
    EXPECT_EQ(face->format, ImageFormat::Jpeg);
    EXPECT_EQ(face->width, 240);
    EXPECT_EQ(face->height, 320);
    EXPECT_EQ(face->data, file("photo.jpg"));
    auto mat = decodeFaceImage(*face);
    ASSERT_TRUE(mat) << mat.error().message;
    EXPECT_EQ(mat->cols, 240);
    EXPECT_EQ(mat->rows, 320);
}

TEST_F(LdsFixture, Dg2WithJpeg2000) {
    cv::Mat img(64, 48, CV_8UC3, cv::Scalar(10, 200, 30));
    std::vector<unsigned char> jp2;
    ASSERT_TRUE(cv::imencode(".jp2", img, jp2));
    testsupport::writeFile(path("face.jp2"), std::string(jp2.begin(), jp2.end()));
    testsupport::TempDir out;
    auto r = testsupport::run({"/usr/bin/python3", std::string(ID_VCARD_DIR) + "/vpassport.py", "build", "--mrz",
                               path("mrz.txt").string(), "--photo", path("face.jp2").string(), "--out",
                               out.path().string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto face = parseDg2(idtest::readBytes(out / "dg2.bin"));
    ASSERT_TRUE(face) << face.error().message;
    EXPECT_EQ(face->format, ImageFormat::Jpeg2000);
    auto mat = decodeFaceImage(*face);
    ASSERT_TRUE(mat) << mat.error().message;
    EXPECT_EQ(mat->cols, 48);
}

TEST_F(LdsFixture, Dg2Malformed) {
    Bytes dg2 = file("dg2.bin");
    EXPECT_FALSE(parseDg2(ByteView(dg2).first(dg2.size() - 1)));
    EXPECT_FALSE(parseDg2(ByteView(dg2).first(10)));
    EXPECT_FALSE(parseDg2(file("dg1.bin")));
    FaceImage junk{ImageFormat::Jpeg, 0, 0, Bytes{0xFF, 0xD8, 0xFF, 0x00}};
    EXPECT_FALSE(decodeFaceImage(junk));
}

TEST_F(LdsFixture, SodParses) {
    auto so = parseSod(file("sod.bin"));
    ASSERT_TRUE(so) << so.error().message;
    EXPECT_EQ(so->hashAlgorithm, "SHA256");
    EXPECT_EQ(so->hashes.size(), 2u);
    EXPECT_EQ(so->hashes.at(1).size(), 32u);
}

TEST_F(LdsFixture, PassiveAuthenticationTrusted) {
    auto r = passiveAuthenticate(file("sod.bin"), groups(), path("csca"));
    EXPECT_EQ(r.verdict, PaVerdict::Trusted) << r.reason << ": " << r.detail;
    EXPECT_EQ(r.checkedGroups, (std::vector<int>{1, 2}));
    EXPECT_NE(r.signer.find("Test DS"), std::string::npos);
}

TEST_F(LdsFixture, PassiveAuthenticationUntrustedWithoutCsca) {
    auto r = passiveAuthenticate(file("sod.bin"), groups(), std::nullopt);
    EXPECT_EQ(r.verdict, PaVerdict::SignatureValidUntrusted) << r.reason;
}

TEST_F(LdsFixture, PassiveAuthenticationUnknownIssuer) {
    auto r = passiveAuthenticate(file("sod.bin"), groups(), path("other_csca"));
    EXPECT_EQ(r.verdict, PaVerdict::Invalid);
    EXPECT_EQ(r.reason, "unknown issuer");
}

TEST_F(LdsFixture, PassiveAuthenticationExpiredCertificate) {
    // The document signer certificate is valid for 5 years: check it 6 years from now.
    const auto later = std::chrono::system_clock::now() + std::chrono::hours(24 * 365 * 6);
    auto r = passiveAuthenticate(file("sod.bin"), groups(), path("csca"), later);
    EXPECT_EQ(r.verdict, PaVerdict::Invalid);
    EXPECT_EQ(r.reason, "expired certificate") << r.detail;
    auto now = passiveAuthenticate(file("sod.bin"), groups(), path("csca"), std::chrono::system_clock::now());
    EXPECT_EQ(now.verdict, PaVerdict::Trusted) << now.detail;
}

TEST_F(LdsFixture, PassiveAuthenticationReallyExpiredDocumentSigner) {
    // sod_expired_ds.bin is signed by a document signer of the test CSCA whose notAfter is 2021-01-01.
    auto r = passiveAuthenticate(file("sod_expired_ds.bin"), groups(), path("csca"));
    EXPECT_EQ(r.verdict, PaVerdict::Invalid);
    EXPECT_EQ(r.reason, "expired certificate") << r.detail;
    EXPECT_NE(r.signer.find("Test DS expired"), std::string::npos) << r.signer;
    // Without a CSCA directory there is no chain to check: the signature and the hashes are still valid.
    auto untrusted = passiveAuthenticate(file("sod_expired_ds.bin"), groups(), std::nullopt);
    EXPECT_EQ(untrusted.verdict, PaVerdict::SignatureValidUntrusted) << untrusted.reason;
}

TEST_F(LdsFixture, PassiveAuthenticationTamperedGroup) {
    auto g = groups();
    g[2][g[2].size() / 2] ^= 1;
    auto r = passiveAuthenticate(file("sod.bin"), g, path("csca"));
    EXPECT_EQ(r.verdict, PaVerdict::Invalid);
    EXPECT_EQ(r.reason, "hash mismatch in DG2");
}

TEST_F(LdsFixture, PassiveAuthenticationBadSignature) {
    auto r = passiveAuthenticate(file("sod_badsig.bin"), groups(), path("csca"));
    EXPECT_EQ(r.verdict, PaVerdict::Invalid);
    EXPECT_EQ(r.reason, "bad signature");
}

TEST_F(LdsFixture, PassiveAuthenticationNotPresentAndMalformed) {
    EXPECT_EQ(passiveAuthenticate({}, groups(), std::nullopt).verdict, PaVerdict::NotPresent);
    Bytes sod = file("sod.bin");
    for (std::size_t cut : {std::size_t{1}, std::size_t{10}, sod.size() / 2, sod.size() - 1}) {
        auto r = passiveAuthenticate(ByteView(sod).first(cut), groups(), std::nullopt);
        EXPECT_EQ(r.verdict, PaVerdict::Invalid) << cut;
        EXPECT_FALSE(parseSod(ByteView(sod).first(cut))) << cut;
    }
    // A valid TLV wrapper around garbage.
    EXPECT_FALSE(parseSod(encodeTlv(0x77, Bytes(40, 0x30))));
    EXPECT_FALSE(parseLdsSecurityObject(Bytes{0x30, 0x03, 0x02, 0x01, 0x00}));
}
