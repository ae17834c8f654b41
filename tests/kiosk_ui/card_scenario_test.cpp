// Scripted scenarios with real card readers: the kiosk under Xvfb (`kiosk --script`) reading
//  - passports through the real pcscd, the vpcd virtual reader and the Python virtual passport
//    (tests/devices_id/vcard/vpassport.py; the CTest fixture id_pcsc of tests/devices_id runs pcscd and a
//    passport on "Virtual PCD 00 00"; special cards go on "Virtual PCD 00 01", TCP 35964), built as
//    kiosk_card_pcsc_tests (KIOSK_CARD_SUITE 1);
//  - China resident ID cards through the idreader_v1 ABI with the file-backed libidreader_file.so, built as
//    kiosk_card_cn_tests (KIOSK_CARD_SUITE 2), plus the mapping of a card to the kiosk's event (no display).
// Each scenario checks what was drawn (script `expect`, screenshots) and what the database recorded.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "devices/id/cn_id.hpp"
#include "devices/id/idreader.hpp"
#include "devices/id/pcsc.hpp"
#include "scenario_support.hpp"
#include "test_support.hpp"
#include "training/id_number.hpp"
#include "training/store.hpp"
#include "runtime/devices.hpp"

namespace ts = testsupport;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPin = "135790";

/// A demo-seeded database with staff PINs, a config file and the artifacts directory of the running test.
class CardScenario : public ::testing::Test {
protected:
    void SetUp() override {
        if (!std::filesystem::exists("/usr/bin/Xvfb")) GTEST_SKIP() << "Xvfb is not installed (package xvfb)";
        const auto kioskctl = ts::env("KIOSKCTL");
        ASSERT_FALSE(kioskctl.empty()) << "KIOSKCTL is set by CTest";
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_artifacts = std::filesystem::path(KIOSK_UI_ARTIFACTS) / (std::string(info->test_suite_name()) + "." + info->name());
        std::filesystem::remove_all(m_artifacts);
        std::filesystem::create_directories(m_artifacts);
        m_db = m_tmp / "center.db";
        auto seeded = ts::run({kioskctl, "--db", m_db.string(), "demo-seed"});
        ASSERT_EQ(seeded.exitCode, 0) << seeded.err;
        auto store = openStore();
        ASSERT_TRUE(store);
        for (std::int64_t id = 1; id <= 3; ++id) ASSERT_TRUE(store->setStaffPin(id, kPin, "test"));
        auto workers = store->listWorkers({});
        ASSERT_TRUE(workers);
        ASSERT_GE(workers->size(), 1u);
        std::ranges::sort(*workers, {}, &training::Worker::id);
        m_workers = *workers;
    }

    std::unique_ptr<training::Store> openStore() {
        auto s = training::Store::open(m_db, {});
        EXPECT_TRUE(s) << (s ? "" : s.error().message);
        return s ? std::move(*s) : nullptr;
    }

    void writeConfig(const std::string& cardReader) {
        ts::writeFile(m_tmp / "kiosk.toml",
                      "[card_reader]\n" + cardReader + "[camera]\nsource = \"none\"\n[speech]\nenabled = false\n");
    }

    ts::RunResult runKiosk(const std::string& name, const std::string& script) {
        const auto file = m_artifacts / (name + ".script");
        ts::writeFile(file, script);
        return kioskuitest::runKioskUnderXvfb(KIOSK_BIN, m_db, m_tmp / "kiosk.toml", file, m_artifacts,
                                              std::filesystem::path(KIOSK_UI_SOURCE_DIR) / "lsan.supp");
    }

    void expectGoodShot(const std::string& name) { kioskuitest::expectGoodShot(m_artifacts / name); }

    /// The audit entries "worker.identity-verified" of @p workerId, as their detail JSON.
    std::vector<std::string> verifications(std::int64_t workerId) {
        std::vector<std::string> out;
        auto store = openStore();
        auto audit = store->auditEntries(0, 100000);
        EXPECT_TRUE(audit);
        if (!audit) return out;
        for (const auto& e : *audit)
            if (e.action == "worker.identity-verified" && e.subject == "worker:" + std::to_string(workerId))
                out.push_back(e.details);
        return out;
    }

    ts::TempDir m_tmp;
    std::filesystem::path m_db;
    std::filesystem::path m_artifacts;
    std::vector<training::Worker> m_workers;
};

#if KIOSK_CARD_SUITE == 1

const std::filesystem::path kFixture = std::filesystem::path(ID_STACK_DIR) / "fixture";
const std::string kPassportName = "ERIKSSON ANNA MARIA";  // the fixture's MRZ (tests/devices_id/pcsc_stack.sh)
// The id_pcsc fixture's passport is ICAO's specimen, which expired on 2012-04-15. The same holder's passport valid
// until 2034-04-15 (check digits and composite recomputed), for the scenarios that must get past the document check.
const std::string kValidMrz = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F3404159ZE184226B<<<<<16\n";

/// A virtual passport process on "Virtual PCD 00 01" (TCP 35964).
class SlotCard {
public:
    explicit SlotCard(const std::vector<std::string>& extra, const std::filesystem::path& fixture = kFixture) {
        std::vector<std::string> args{"/usr/bin/python3", std::string(ID_VCARD_DIR) + "/vpassport.py", "serve",
                                      "--mrz", (fixture / "mrz.txt").string(), "--photo",
                                      (fixture / "photo.jpg").string(), "--sod", (fixture / "sod.bin").string(),
                                      "--port", "35964"};
        args.insert(args.end(), extra.begin(), extra.end());
        m_pid = fork();
        if (m_pid == 0) {
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            execv(argv[0], argv.data());
            _exit(127);
        }
    }
    ~SlotCard() { stop(); }
    SlotCard(const SlotCard&) = delete;
    SlotCard& operator=(const SlotCard&) = delete;
    void stop() {
        if (m_pid > 0) {
            kill(m_pid, SIGTERM);
            waitpid(m_pid, nullptr, 0);
            m_pid = -1;
        }
    }
    /// Waits up to @p timeout for the card process to end by itself (it does when it leaves the reader).
    bool waitExit(std::chrono::milliseconds timeout, const std::atomic<bool>& cancel) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (m_pid > 0 && std::chrono::steady_clock::now() < end && !cancel) {
            if (waitpid(m_pid, nullptr, WNOHANG) == m_pid) {
                m_pid = -1;
                return true;
            }
            std::this_thread::sleep_for(20ms);
        }
        return false;
    }
    /// Waits until PC/SC sees a card on the slot.
    static bool waitPresent() {
        auto ctx = devices::id::PcscContext::establish();
        return ctx && (*ctx)->waitForCard("Virtual PCD 00 01", 10s).has_value();
    }
    /// Waits until PC/SC sees the slot empty (pcscd polls vpcd; a card swapped within one poll goes unnoticed,
    /// as it would with a person who lifts the passport for less than half a second).
    static bool waitAbsent() {
        auto ctx = devices::id::PcscContext::establish();
        if (!ctx) return false;
        for (int i = 0; i < 250; ++i) {
            auto atr = (*ctx)->cardAtr("Virtual PCD 00 01");
            if (!atr || atr->empty()) return true;
            std::this_thread::sleep_for(20ms);
        }
        return false;
    }

private:
    pid_t m_pid{-1};
};

class PassportScenario : public CardScenario {
protected:
    void SetUp() override {
        if (!std::filesystem::exists("/usr/sbin/pcscd"))
            GTEST_SKIP() << "pcscd is not installed (package pcscd): the passport scenarios need the real PC/SC daemon";
        if (!std::filesystem::exists("/usr/lib/pcsc/drivers/serial/libifdvpcd.so"))
            GTEST_SKIP() << "the vpcd virtual reader is not installed (package vsmartcard-vpcd)";
        ASSERT_TRUE(std::filesystem::exists(kFixture / "sod.bin"))
            << "no passport fixture in " << kFixture << ": run through ctest (fixture id_pcsc starts pcscd)";
        CardScenario::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        // The holder is a known worker, so a successful read identifies her and records how.
        training::WorkerIdentity id;
        id.docType = training::DocumentType::Passport;
        id.docNumber = "L898902C3";
        id.issuingState = "UTO";
        id.name = kPassportName;
        auto store = openStore();
        auto w = store->addWorker(id, {}, "test");
        ASSERT_TRUE(w) << w.error().message;
        m_holderId = w->id;
        // She signed the biometric consent on an earlier visit: a read goes straight on to the live photo.
        static constexpr std::uint8_t kPng[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0};
        ASSERT_TRUE(store->addConsent(m_holderId, training::ConsentKind::Biometric, "2026.1/zh-CN", "text",
                                      std::vector<std::uint8_t>(std::begin(kPng), std::end(kPng)), "test"));
    }
    void configure(const std::string& reader, const std::filesystem::path& fixture = kFixture) {
        writeConfig("kind = \"pcsc\"\nreader = \"" + reader + "\"\ncsca_dir = \"" + (fixture / "csca").string() + "\"\n");
    }
    /// A passport fixture (own test CSCA) of the same holder, valid until 2034-04-15.
    std::filesystem::path validFixture() {
        const auto dir = m_tmp / "valid-passport";
        std::filesystem::create_directories(dir);
        ts::writeFile(dir / "mrz.txt", kValidMrz);
        std::filesystem::copy_file(kFixture / "photo.jpg", dir / "photo.jpg",
                                   std::filesystem::copy_options::overwrite_existing);
        auto made = ts::run({"/usr/bin/python3", std::string(ID_VCARD_DIR) + "/make_fixture.py", "--mrz",
                             (dir / "mrz.txt").string(), "--photo", (dir / "photo.jpg").string(), "--out", dir.string()});
        EXPECT_EQ(made.exitCode, 0) << made.err;
        return dir;
    }
    static std::string typeKey(const std::string& expiry) {
        return "type L898902C3\ntap mrz-birth-select\ntype 740812\ntap mrz-expiry-select\ntype " + expiry + "\n";
    }
    std::int64_t m_holderId{0};
};

TEST_F(PassportScenario, WrongMrzKeyIsRefusedThenTheRightKeyReadsTheChip) {
    const auto fixture = validFixture();
    configure("Virtual PCD 00 01", fixture);
    SlotCard card({}, fixture);
    ASSERT_TRUE(SlotCard::waitPresent()) << "the virtual passport did not appear on Virtual PCD 00 01";
    // The passport is on the reader when the kiosk starts: the key screen comes up by itself.
    auto r = runKiosk("passport", "wait-screen mrz 20\nexpect-disabled read\n" + typeKey("340416") +
                                      "tap read\nexpect 证件未接受输入的信息\nexpect 护照号码\n"
                                      "screenshot wrong-key.png\nexpect-enabled read\nexpect-not " + kPassportName +
                                      "\ntap key-back\ntype 5\ntap read\nwait-screen photo 30\nexpect " + kPassportName +
                                      "\nscreenshot photo.png\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("wrong-key.png");
    expectGoodShot("photo.png");
    auto store = openStore();
    auto w = store->worker(m_holderId);
    ASSERT_TRUE(w) << w.error().message;
    EXPECT_TRUE(w->identityVerifiedAt.has_value());
    // The chip was read and its security object chains to the fixture's CSCA (csca_dir).
    EXPECT_EQ(w->identityMethod, "chip-pa");
    auto v = verifications(m_holderId);
    ASSERT_EQ(v.size(), 1u) << "only the right key identifies";
    EXPECT_NE(v[0].find("chip-pa"), std::string::npos) << v[0];
}

TEST_F(PassportScenario, CardPulledMidReadIsExplainedAndTheNextReadWorks) {
    const auto fixture = validFixture();
    configure("Virtual PCD 00 01", fixture);
    auto pulled = std::make_unique<SlotCard>(std::vector<std::string>{"--no-extended", "--remove-in-dg2"}, fixture);
    ASSERT_TRUE(SlotCard::waitPresent()) << "the virtual passport did not appear on Virtual PCD 00 01";
    // When the first card leaves the reader during DG2 (its process ends) and PC/SC has seen the slot empty,
    // the passport is put back.
    std::atomic<bool> cancel{false};
    std::unique_ptr<SlotCard> again;
    bool putBack = false;
    std::thread hand([&] {
        if (pulled->waitExit(60s, cancel) && SlotCard::waitAbsent()) {
            again = std::make_unique<SlotCard>(std::vector<std::string>{"--no-extended"}, fixture);
            putBack = true;
        }
    });
    auto r = runKiosk("pulled", "wait-screen mrz 20\n" + typeKey("340415") +
                                    "tap read\nexpect 读取时证件被移开\nexpect 护照号码\nscreenshot card-removed.png\n"
                                    "wait-screen photo 30\nexpect " + kPassportName + "\nscreenshot photo.png\nquit\n");
    cancel = true;
    hand.join();
    EXPECT_TRUE(putBack) << "the first card never left the reader: the read did not reach DG2";
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("card-removed.png");
    auto store = openStore();
    auto w = store->worker(m_holderId);
    ASSERT_TRUE(w) << w.error().message;
    EXPECT_EQ(w->identityMethod, "chip-pa");
    EXPECT_EQ(verifications(m_holderId).size(), 1u) << "the pulled read recorded nothing; the second one did";
}

TEST_F(PassportScenario, AReadAbandonedWithBackSignsNobodyIn) {
    const auto fixture = validFixture();  // a valid passport: the read would identify her if it were acted on
    configure("Virtual PCD 00 01", fixture);
    // A slow chip: short APDUs answered 100 ms late, so the read lasts seconds and Back comes in the middle.
    auto slow = std::make_unique<SlotCard>(std::vector<std::string>{"--no-extended", "--delay-ms", "100"}, fixture);
    ASSERT_TRUE(SlotCard::waitPresent()) << "the virtual passport did not appear on Virtual PCD 00 01";
    auto r = runKiosk("abandoned", "wait-screen mrz 20\n" + typeKey("340415") +
                                       "tap read\nexpect 正在读取\ntap back\nwait-screen attract\nexpect-signed-out\n"
                                       // The read ends meanwhile (71 APDUs at 100 ms): its result must not sign in
                                       // the person who left.
                                       "sleep 12\nexpect-signed-out\nwait-screen attract 1\nexpect-not " +
                                       kPassportName + "\nscreenshot abandoned.png\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("abandoned.png");
    EXPECT_TRUE(verifications(m_holderId).empty()) << "the abandoned read identified the holder";
}

TEST_F(PassportScenario, AnExpiredPassportIsRefusedBeforeTheLivePhotoAndVerifiesNobody) {
    // The id_pcsc fixture's passport (ICAO's specimen) expired on 2012-04-15: the chip is read, then refused with its
    // expiry date, before any consent or camera; her identity is not verified from it.
    configure("Virtual PCD 00 00");
    auto r = runKiosk("expired", "wait-screen mrz 20\n" + typeKey("120415") +
                                     "tap read\nexpect 2012-04-15\nexpect 已过期\nscreenshot expired.png\n"
                                     "sleep 1\nwait-screen mrz\n"
                                     "expect-not " + kPassportName + "\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("expired.png");
    auto store = openStore();
    auto w = store->worker(m_holderId);
    ASSERT_TRUE(w) << w.error().message;
    EXPECT_FALSE(w->identityVerifiedAt.has_value()) << "an expired document verifies nobody";
    EXPECT_TRUE(verifications(m_holderId).empty());
}

TEST_F(PassportScenario, AChipThatFailsPassiveAuthenticationIsRefusedBeforeTheLivePhoto) {
    // The chip's DG2 (photo) was changed after the issuer signed the security object: the hash does not match.
    configure("Virtual PCD 00 01");
    SlotCard tampered({"--tamper-dg2"});
    ASSERT_TRUE(SlotCard::waitPresent()) << "the virtual passport did not appear on Virtual PCD 00 01";
    auto r = runKiosk("pa-invalid", "wait-screen mrz 20\n" + typeKey("120415") +
                                        "tap read\nexpect 防伪校验\nexpect hash mismatch in DG2\nscreenshot pa-invalid.png\n"
                                        "sleep 2\nwait-screen mrz\nexpect-not " + kPassportName + "\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("pa-invalid.png");
    auto store = openStore();
    auto w = store->worker(m_holderId);
    ASSERT_TRUE(w) << w.error().message;
    EXPECT_FALSE(w->identityVerifiedAt.has_value()) << "a forged chip verifies nothing";
    EXPECT_TRUE(verifications(m_holderId).empty());
    auto audit = store->auditEntries(0, 100000);
    ASSERT_TRUE(audit);
    EXPECT_TRUE(std::ranges::any_of(*audit, [&](const training::AuditEntry& e) {
        return e.action == "identity.rejected" && e.subject == "worker:" + std::to_string(m_holderId) &&
               e.details.find("pa-invalid") != std::string::npos && e.details.find("L898902C3") == std::string::npos;
    })) << "the refusal is audited (document number masked)";
}

TEST_F(PassportScenario, AChipOfAnIssuerWithoutCscaIsReadButLeftToStaff) {
    // Signature and hashes are sound but the issuer's CSCA is not installed: the read goes on to the photo, recorded
    // as "chip" (not proven: eligibility wants chip-pa, sam or staff; staff confirm the document).
    // (A valid passport of the same holder: the fixture's own passport expired in 2012 and is refused first.)
    const auto fixture = validFixture();
    SlotCard card({}, fixture);
    ASSERT_TRUE(SlotCard::waitPresent()) << "the virtual passport did not appear on Virtual PCD 00 01";
    writeConfig("kind = \"pcsc\"\nreader = \"Virtual PCD 00 01\"\ncsca_dir = \"" + (kFixture / "other_csca").string() +
                "\"\n");
    auto r = runKiosk("pa-untrusted", "wait-screen mrz 20\n" + typeKey("340415") + "tap read\nwait-screen photo 30\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto store = openStore();
    auto w = store->worker(m_holderId);
    ASSERT_TRUE(w) << w.error().message;
    EXPECT_EQ(w->identityMethod, "chip");
}

#elif KIOSK_CARD_SUITE == 2

/// A China ID card record for the file-backed reader.
devices::id::CnIdRecord cnRecord(const std::string& name, const std::string& number, const std::string& sexCode,
                                 const std::string& birth) {
    devices::id::CnIdRecord r;
    r.name = name;
    r.sexCode = sexCode;
    r.ethnicCode = "01";
    r.birthDate = birth;
    r.address = "上海市浦东新区世纪大道100号";
    r.idNumber = number;
    r.issuingAuthority = "上海市公安局浦东分局";
    r.validFrom = "2020-01-15";
    r.validUntil = "2040-01-15";
    return r;
}

/// A 102 x 126 photo (the ID card's size) of a grey face-like blob.
cv::Mat cardPhoto() {
    cv::Mat img(126, 102, CV_8UC3, cv::Scalar(230, 230, 230));
    cv::ellipse(img, {51, 60}, {30, 40}, 0, 0, 360, cv::Scalar(120, 140, 170), cv::FILLED);
    return img;
}

class CnIdScenario : public CardScenario {
protected:
    void SetUp() override {
        CardScenario::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        m_readerDir = m_tmp / "reader";
        std::filesystem::create_directories(m_readerDir);
        writeConfig("kind = \"cn-vendor\"\nvendor_library = \"" + std::string(IDREADER_FILE_LIB) + "\"\nreader = \"" +
                    m_readerDir.string() + "\"\n");
    }
    /// Puts a card on the file-backed reader (record.bin, and a BMP photo as vendor readers decode WLT to).
    void putCard(const devices::id::CnIdRecord& r) {
        auto bytes = devices::id::encodeCnIdRecord(r);
        ASSERT_TRUE(bytes) << bytes.error().message;
        ASSERT_TRUE(cv::imwrite((m_readerDir / "photo.bmp").string(), cardPhoto()));
        ts::writeFile(m_readerDir / "record.bin", std::string(bytes->begin(), bytes->end()));
    }
    std::filesystem::path m_readerDir;
};

TEST(CnIdCardEvent, RecordFieldsAndABmpPhotoBecomeTheKioskEvent) {
    devices::id::CnIdCard card;
    const std::string first17 = "31011519900307002";
    auto rec = devices::id::decodeCnIdRecord(
        *devices::id::encodeCnIdRecord(cnRecord("赵敏", first17 + training::chinaIdCheckCharacter(first17), "2", "1990-03-07")));
    ASSERT_TRUE(rec) << rec.error().message;
    card.record = *rec;
    std::vector<uchar> bmp;
    ASSERT_TRUE(cv::imencode(".bmp", cardPhoto(), bmp));
    card.photo.assign(bmp.begin(), bmp.end());
    card.photoImage = cardPhoto();
    auto e = kiosk::ui::cardFromCnId(card);
    ASSERT_TRUE(e) << e.error().message;
    EXPECT_EQ(e->method, "sam");
    EXPECT_EQ(e->identity.docType, training::DocumentType::ChinaResidentId);
    EXPECT_EQ(e->identity.docNumber, card.record.idNumber);
    EXPECT_EQ(e->identity.name, "赵敏");
    EXPECT_EQ(e->identity.sex, training::Sex::Female);
    EXPECT_EQ(e->identity.birthDate, "1990-03-07");
    EXPECT_EQ(e->identity.ethnicity, "汉");
    EXPECT_EQ(e->identity.idAddress, "上海市浦东新区世纪大道100号");
    EXPECT_EQ(e->identity.idIssuer, "上海市公安局浦东分局");
    EXPECT_EQ(e->identity.idValidFrom, "2020-01-15");
    EXPECT_EQ(e->identity.idValidUntil, "2040-01-15");
    // The BMP is handed on as PNG, with the same pixels.
    ASSERT_GT(e->chipPhoto.size(), 8u);
    EXPECT_EQ(e->chipPhoto[0], 0x89);
    EXPECT_EQ(e->chipPhoto[1], 'P');
    const cv::Mat back = cv::imdecode(e->chipPhoto, cv::IMREAD_COLOR);
    ASSERT_FALSE(back.empty());
    EXPECT_EQ(cv::norm(back, cardPhoto(), cv::NORM_INF), 0.0);
    // A long-term card has no end date; a JPEG photo is passed on unchanged.
    card.record.validUntil.reset();
    std::vector<uchar> jpg;
    ASSERT_TRUE(cv::imencode(".jpg", cardPhoto(), jpg));
    card.photo.assign(jpg.begin(), jpg.end());
    e = kiosk::ui::cardFromCnId(card);
    ASSERT_TRUE(e);
    EXPECT_FALSE(e->identity.idValidUntil.has_value());
    EXPECT_EQ(e->chipPhoto, std::vector<std::uint8_t>(jpg.begin(), jpg.end()));
}

TEST_F(CnIdScenario, ReturningWorkerIsIdentifiedByTheReaderWithMethodSam) {
    const auto& w = m_workers[0];
    putCard(cnRecord(w.identity.name, w.identity.docNumber, "1", "1985-06-12"));
    // She never signed the biometric consent: it comes before the camera, then the live photo.
    auto r = runKiosk("cn-returning", "wait-screen consent 20\nexpect 人脸识别信息处理单独同意书\nsign\ntap sign\n"
                                      "wait-screen photo 20\nexpect " + w.identity.name + "\nscreenshot photo.png\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("photo.png");
    auto store = openStore();
    auto after = store->worker(w.id);
    ASSERT_TRUE(after) << after.error().message;
    EXPECT_TRUE(after->identityVerifiedAt.has_value());
    EXPECT_EQ(after->identityMethod, "sam");
    auto consents = store->consents(w.id);
    ASSERT_TRUE(consents);
    ASSERT_EQ(consents->size(), 1u);
    EXPECT_EQ(consents->front().kind, training::ConsentKind::Biometric);
}

TEST_F(CnIdScenario, FirstVisitRegistersTheCardsIdentity) {
    const std::string first17 = "31011519900307002";
    const std::string doc = first17 + training::chinaIdCheckCharacter(first17);
    ASSERT_FALSE(openStore()->findWorkerByDocument(doc)) << "the card's holder is new";
    putCard(cnRecord("赵敏", doc, "2", "1990-03-07"));
    auto r = runKiosk("cn-first-visit",
                      "wait-screen attract 5\nwait-screen consent 20\nsign\ntap sign\n"
                      "wait-screen photo 20\nexpect 赵敏\nscreenshot photo.png\ntap call-staff\n"
                      "wait-screen staff-pin\ntype 2\ntap staff-next\ntype " + std::string(kPin) + "\ntap ok\n"
                      "wait-screen register\ntype 13912345678\ntap next\ntap svc-cleaning\ntap next\n"
                      "tap edu-junior\ntap next\ntap agency-1\ntap next\n"
                      "wait-screen consent\nsign\ntap sign\nexpect 第 2 份\nsign\ntap sign\n"
                      "wait-screen home\nexpect 您好，赵敏\nscreenshot home.png\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("photo.png");
    expectGoodShot("home.png");
    auto store = openStore();
    auto w = store->findWorkerByDocument(doc);
    ASSERT_TRUE(w) << w.error().message;
    // Every field of the card reached the record.
    EXPECT_EQ(w->identity.name, "赵敏");
    EXPECT_EQ(w->identity.sex, training::Sex::Female);
    EXPECT_EQ(w->identity.birthDate, "1990-03-07");
    EXPECT_EQ(w->identity.ethnicity, "汉");
    EXPECT_EQ(w->identity.idAddress, "上海市浦东新区世纪大道100号");
    EXPECT_EQ(w->identity.idIssuer, "上海市公安局浦东分局");
    EXPECT_EQ(w->identity.idValidFrom, "2020-01-15");
    EXPECT_EQ(w->identity.idValidUntil, "2040-01-15");
    EXPECT_EQ(w->profile.phone, "13912345678");
    // The card read (SAM) is recorded, then the staff confirmation of the photo (no camera).
    auto v = verifications(w->id);
    ASSERT_EQ(v.size(), 2u);
    EXPECT_NE(v[0].find("\"sam\""), std::string::npos) << v[0];
    EXPECT_NE(v[1].find("\"staff\""), std::string::npos) << v[1];
}

TEST_F(CnIdScenario, MissingVendorLibraryIsExplainedAndTheKioskStaysUsable) {
    writeConfig("kind = \"cn-vendor\"\nvendor_library = \"/opt/no-such-vendor/libidcard.so\"\nreader = \"" +
                m_readerDir.string() + "\"\n");
    putCard(cnRecord(m_workers[0].identity.name, m_workers[0].identity.docNumber, "1", "1985-06-12"));
    auto r = runKiosk("cn-no-library", "wait-screen attract\nexpect 未连接读卡器\nexpect 驱动程序未安装或无法加载\n"
                                       "expect-not 读卡服务未运行\n"
                                       "expect /opt/no-such-vendor/libidcard.so\nexpect vendor_library\n"
                                       "screenshot no-library.png\nsleep 1\nexpect-not " + m_workers[0].identity.name +
                                       "\ntap begin\nwait-screen identify\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("no-library.png");
    auto w = openStore()->worker(m_workers[0].id);
    ASSERT_TRUE(w);
    EXPECT_FALSE(w->identityVerifiedAt.has_value()) << "no card can be read without the library";
}

TEST_F(CnIdScenario, ACardPutDownLaterIsRead) {
    // The reader starts empty; the card is laid on it while the kiosk shows the attract screen.
    const auto& w = m_workers[1];
    std::atomic<bool> stop{false};
    std::thread hand([&] {
        // The kiosk writes its screenshot of the empty attract screen first.
        for (int i = 0; i < 600 && !stop && !std::filesystem::exists(m_artifacts / "empty.png"); ++i)
            std::this_thread::sleep_for(50ms);
        if (!stop) putCard(cnRecord(w.identity.name, w.identity.docNumber, "1", "1985-06-12"));
    });
    auto r = runKiosk("cn-later", "wait-screen attract\nscreenshot empty.png\n"
                                  "wait-screen consent 30\nquit\n");
    stop = true;
    hand.join();
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(openStore()->worker(w.id)->identityMethod, "sam");
}

TEST_F(CnIdScenario, AnExpiredIdCardIsRefusedAndALongTermOneIsAccepted) {
    const auto& w = m_workers[0];
    auto expired = cnRecord(w.identity.name, w.identity.docNumber, "1", "1985-06-12");
    expired.validFrom = "2009-01-15";
    expired.validUntil = "2019-01-15";
    putCard(expired);
    auto r = runKiosk("cn-expired", "wait-screen attract 5\nexpect 此证件已过期（有效期至 2019-01-15）\n"
                                    "screenshot expired.png\nsleep 1\nwait-screen attract\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectGoodShot("expired.png");
    EXPECT_FALSE(openStore()->worker(w.id)->identityVerifiedAt.has_value()) << "an expired card verifies nobody";

    // 长期 (long-term validity): no end date, valid.
    auto longTerm = expired;
    longTerm.validFrom = "2005-01-15";
    longTerm.validUntil.reset();
    putCard(longTerm);
    auto again = runKiosk("cn-long-term", "wait-screen consent 30\nquit\n");
    ASSERT_EQ(again.exitCode, 0) << again.err;
    EXPECT_EQ(openStore()->worker(w.id)->identityMethod, "sam");
}

#else
#error "KIOSK_CARD_SUITE must be 1 (PC/SC passports) or 2 (China ID through idreader_v1)"
#endif

}  // namespace
