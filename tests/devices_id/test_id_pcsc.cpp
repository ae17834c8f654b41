// Integration through the real pcscd, the vpcd virtual reader and the Python virtual passport.
// The CTest fixture (pcsc_stack.sh) runs pcscd and a passport on "Virtual PCD 00 00"; tests that need a
// special card start their own on "Virtual PCD 00 01" (TCP 35964).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <condition_variable>
#include <mutex>

#include "devices/id/cn_id.hpp"
#include "devices/id/emrtd.hpp"
#include "devices/id/pcsc.hpp"
#include "id_fixture.hpp"

using namespace devices::id;
using namespace std::chrono_literals;

namespace {

const std::string kSlot0 = "Virtual PCD 00 00";
const std::string kSlot1 = "Virtual PCD 00 01";
const std::filesystem::path kFixture = std::filesystem::path(ID_STACK_DIR) / "fixture";

MrzKey fixtureKey() { return MrzKey{"L898902C3", "740812", "120415"}; }

/// A virtual passport process on the second vpcd slot.
class SlotCard {
public:
    explicit SlotCard(std::vector<std::string> extra, std::filesystem::path photo = kFixture / "photo.jpg") {
        std::vector<std::string> args{"/usr/bin/python3", std::string(ID_VCARD_DIR) + "/vpassport.py", "serve",
                                      "--mrz", (kFixture / "mrz.txt").string(), "--photo", photo.string(),
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
    void stop() {
        if (m_pid > 0) {
            kill(m_pid, SIGTERM);
            waitpid(m_pid, nullptr, 0);
            m_pid = -1;
            waitAbsent();
        }
    }
    /// Waits until PC/SC sees the card.
    static bool waitPresent() {
        auto ctx = PcscContext::establish();
        return ctx && (*ctx)->waitForCard(kSlot1, 10s).has_value();
    }
    static void waitAbsent() {
        auto ctx = PcscContext::establish();
        if (!ctx) return;
        for (int i = 0; i < 100; ++i) {
            auto atr = (*ctx)->cardAtr(kSlot1);
            if (!atr || atr->empty()) return;
            std::this_thread::sleep_for(20ms);
        }
    }

private:
    pid_t m_pid{-1};
};

}  // namespace

TEST(IdPcsc, ListsTheVirtualReaders) {
    auto ctx = PcscContext::establish();
    ASSERT_TRUE(ctx) << ctx.error().message;
    auto readers = (*ctx)->listReaders();
    ASSERT_TRUE(readers) << readers.error().message;
    EXPECT_NE(std::find(readers->begin(), readers->end(), kSlot0), readers->end());
    EXPECT_NE(std::find(readers->begin(), readers->end(), kSlot1), readers->end());
    auto atr = (*ctx)->cardAtr(kSlot0);
    ASSERT_TRUE(atr);
    EXPECT_TRUE(atrAnnouncesExtendedLength(*atr)) << toHex(*atr);
}

TEST(IdPcsc, FullReadMatchesTheFixtureByteForByte) {
    PassportReadOptions opt;
    opt.cscaDir = kFixture / "csca";
    auto r = readPassportFromReader(kSlot0, fixtureKey(), opt, 5s);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->mrz.documentCode, "P");
    EXPECT_EQ(r->mrz.issuingState, "UTO");
    EXPECT_EQ(r->mrz.documentNumber, "L898902C3");
    EXPECT_EQ(r->mrz.surname, "ERIKSSON");
    EXPECT_EQ(r->mrz.givenNames, "ANNA MARIA");
    EXPECT_EQ(r->mrz.nationality, "UTO");
    EXPECT_EQ(r->mrz.birthDate, "740812");
    EXPECT_EQ(r->mrz.sex, "F");
    EXPECT_EQ(r->mrz.expiryDate, "120415");
    for (const auto& c : r->mrz.checks) EXPECT_TRUE(c.ok) << c.name;
    EXPECT_EQ(r->com.dataGroups, (std::vector<int>{1, 2}));
    EXPECT_EQ(r->rawCom, idtest::readBytes(kFixture / "com.bin"));
    EXPECT_EQ(r->rawGroups.at(1), idtest::readBytes(kFixture / "dg1.bin"));
    EXPECT_EQ(r->rawGroups.at(2), idtest::readBytes(kFixture / "dg2.bin"));
    EXPECT_EQ(r->rawSod, idtest::readBytes(kFixture / "sod.bin"));
    ASSERT_TRUE(r->face);
    EXPECT_EQ(r->face->data, idtest::readBytes(kFixture / "photo.jpg"));
    EXPECT_TRUE(decodeFaceImage(*r->face).has_value());
    EXPECT_EQ(r->pa.verdict, PaVerdict::Trusted) << r->pa.reason << ": " << r->pa.detail;
    EXPECT_TRUE(r->extendedLength);
    // SELECT AID, GET CHALLENGE, MUTUAL AUTHENTICATE, then SELECT + one READ BINARY for 4 files.
    EXPECT_EQ(r->apdus, 11u);
}

TEST(IdPcsc, UntrustedWithoutCsca) {
    auto r = readPassportFromReader(kSlot0, fixtureKey(), {}, 5s);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->pa.verdict, PaVerdict::SignatureValidUntrusted);
}

TEST(IdPcsc, WrongKeyIsRefusedAndTheNextReadWorks) {
    auto bad = readPassportFromReader(kSlot0, MrzKey{"L898902C3", "740812", "130415"}, {}, 5s);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, devices::ErrorCode::AccessDenied);
    EXPECT_EQ(bad.error().message,
              "the document did not accept the access key: check the document number, birth date and expiry");
    auto good = readPassportFromReader(kSlot0, fixtureKey(), {}, 5s);
    EXPECT_TRUE(good) << good.error().message;
}

TEST(IdPcsc, TamperedDataGroupIsInvalid) {
    SlotCard card({"--sod", (kFixture / "sod.bin").string(), "--tamper-dg2"});
    ASSERT_TRUE(SlotCard::waitPresent());
    PassportReadOptions opt;
    opt.cscaDir = kFixture / "csca";
    auto r = readPassportFromReader(kSlot1, fixtureKey(), opt, 5s);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->pa.verdict, PaVerdict::Invalid);
    EXPECT_EQ(r->pa.reason, "hash mismatch in DG2");
}

TEST(IdPcsc, BadSignatureIsInvalid) {
    SlotCard card({"--sod", (kFixture / "sod_badsig.bin").string()});
    ASSERT_TRUE(SlotCard::waitPresent());
    PassportReadOptions opt;
    opt.cscaDir = kFixture / "csca";
    auto r = readPassportFromReader(kSlot1, fixtureKey(), opt, 5s);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->pa.verdict, PaVerdict::Invalid);
    EXPECT_EQ(r->pa.reason, "bad signature");
}

TEST(IdPcsc, ReallyExpiredDocumentSignerIsInvalid) {
    // ds_expired.pem was issued by the test CSCA with notAfter 2021-01-01 (openssl ca -enddate); checked now.
    SlotCard card({"--sod", (kFixture / "sod_expired_ds.bin").string()});
    ASSERT_TRUE(SlotCard::waitPresent());
    PassportReadOptions opt;
    opt.cscaDir = kFixture / "csca";
    auto r = readPassportFromReader(kSlot1, fixtureKey(), opt, 5s);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->pa.verdict, PaVerdict::Invalid) << paVerdictName(r->pa.verdict);
    EXPECT_EQ(r->pa.reason, "expired certificate") << r->pa.detail;
    EXPECT_NE(r->pa.detail.find("certificate has expired"), std::string::npos) << r->pa.detail;
    EXPECT_NE(r->pa.signer.find("Test DS expired"), std::string::npos) << r->pa.signer;
    EXPECT_EQ(r->pa.checkedGroups, (std::vector<int>{1, 2}));  // the data itself is intact
}

TEST(IdPcsc, FirstCommandFailingAfterInsertionIsRetriedOnce) {
    // The card answers 6F00 to the first command after it was put on the reader; the read resets it and retries.
    SlotCard card({"--sod", (kFixture / "sod.bin").string(), "--fail-first", "1"});
    ASSERT_TRUE(SlotCard::waitPresent());
    PassportReadOptions opt;
    opt.cscaDir = kFixture / "csca";
    auto r = readPassportFromReader(kSlot1, fixtureKey(), opt, 5s);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->rawGroups.at(2), idtest::readBytes(kFixture / "dg2.bin"));
    EXPECT_EQ(r->pa.verdict, PaVerdict::Trusted);
    EXPECT_EQ(r->apdus, 12u);  // the failed SELECT, then the 11 APDUs of a whole read
}

TEST(IdPcsc, FirstCommandFailingTwiceGivesATypedError) {
    SlotCard card({"--sod", (kFixture / "sod.bin").string(), "--fail-first", "2"});
    ASSERT_TRUE(SlotCard::waitPresent());
    auto r = readPassportFromReader(kSlot1, fixtureKey(), {}, 5s);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, devices::ErrorCode::CardError) << devices::errorCodeName(r.error().code);
    EXPECT_EQ(r.error().message,
              "the card failed its first command twice, also after a reset (status 6F00): take the document off the "
              "reader, put it back, keep it still and retry; if it persists the chip may be damaged");
    // Exactly one retry: the card has now failed twice and answers the next read.
    auto again = readPassportFromReader(kSlot1, fixtureKey(), {}, 5s);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->apdus, 11u);
}

TEST(IdPcsc, NoSodIsNotPresent) {
    SlotCard card({});
    ASSERT_TRUE(SlotCard::waitPresent());
    auto r = readPassportFromReader(kSlot1, fixtureKey(), {}, 5s);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->pa.verdict, PaVerdict::NotPresent);
}

TEST(IdPcsc, ShortApdusWhenTheCardHasNoExtendedLength) {
    SlotCard card({"--sod", (kFixture / "sod.bin").string(), "--no-extended"});
    ASSERT_TRUE(SlotCard::waitPresent());
    auto r = readPassportFromReader(kSlot1, fixtureKey(), {}, 5s);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_FALSE(r->extendedLength);
    EXPECT_EQ(r->rawGroups.at(2), idtest::readBytes(kFixture / "dg2.bin"));
    EXPECT_EQ(r->pa.verdict, PaVerdict::SignatureValidUntrusted);
    auto reads = [](std::size_t n) { return (n + 0xDE) / 0xDF; };
    const std::size_t expected = 3 + 4 + reads(r->rawCom.size()) + reads(r->rawGroups.at(1).size()) +
                                 reads(r->rawGroups.at(2).size()) + reads(r->rawSod.size());
    EXPECT_EQ(r->apdus, expected);
}

TEST(IdPcsc, CardRemovedDuringDg2GivesACleanErrorAndTheNextReadWorks) {
    {
        SlotCard card({"--sod", (kFixture / "sod.bin").string(), "--no-extended", "--remove-in-dg2"});
        ASSERT_TRUE(SlotCard::waitPresent());
        auto r = readPassportFromReader(kSlot1, fixtureKey(), {}, 5s);
        ASSERT_FALSE(r);
        EXPECT_TRUE(r.error().code == devices::ErrorCode::CardRemoved) << devices::errorCodeName(r.error().code)
                                                                        << ": " << r.error().message;
        EXPECT_NE(r.error().message.find("put it back"), std::string::npos) << r.error().message;
    }
    SlotCard again({"--sod", (kFixture / "sod.bin").string(), "--no-extended"});
    ASSERT_TRUE(SlotCard::waitPresent());
    auto r = readPassportFromReader(kSlot1, fixtureKey(), {}, 5s);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->rawGroups.at(2), idtest::readBytes(kFixture / "dg2.bin"));
}

TEST(IdPcsc, GetResponseAndWrongLeAreHandled) {
    // The card answers every command with data through 61xx + GET RESPONSE, and GET CHALLENGE first with 6C08.
    SlotCard card({"--sod", (kFixture / "sod.bin").string(), "--t0-quirks", "--no-extended"});
    ASSERT_TRUE(SlotCard::waitPresent());
    PassportReadOptions opt;
    opt.cscaDir = kFixture / "csca";
    auto r = readPassportFromReader(kSlot1, fixtureKey(), opt, 5s);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->rawGroups.at(2), idtest::readBytes(kFixture / "dg2.bin"));
    EXPECT_EQ(r->pa.verdict, PaVerdict::Trusted);
    auto reads = [](std::size_t n) { return (n + 0xDE) / 0xDF; };
    const std::size_t plain = 3 + 4 + reads(r->rawCom.size()) + reads(r->rawGroups.at(1).size()) +
                              reads(r->rawGroups.at(2).size()) + reads(r->rawSod.size());
    EXPECT_GT(r->apdus, plain + 1);  // every answer cost a GET RESPONSE, plus the 6C re-send
}

TEST(IdPcsc, FilesBeyond32KbUseReadBinaryB1) {
    testsupport::TempDir tmp;
    idtest::writeGeneratedPhoto(tmp / "big.jpg", 480, 400);
    const Bytes photo = idtest::readBytes(tmp / "big.jpg");
    ASSERT_GT(photo.size(), 40000u);
    for (const char* mode : {"--no-extended", ""}) {
        std::vector<std::string> extra;
        if (*mode) extra.push_back(mode);
        SlotCard card(extra, tmp / "big.jpg");
        ASSERT_TRUE(SlotCard::waitPresent());
        auto r = readPassportFromReader(kSlot1, fixtureKey(), {}, 5s);
        ASSERT_TRUE(r) << r.error().message;
        ASSERT_TRUE(r->face);
        EXPECT_EQ(r->face->data, photo) << mode;
    }
}

TEST(IdPcsc, NoCardIsReported) {
    auto r = readPassportFromReader(kSlot1, fixtureKey(), {}, 100ms);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, devices::ErrorCode::NoCard) << r.error().message;
}

TEST(IdPcsc, WatcherReportsInsertAndRemoveAndStopsPromptly) {
    std::mutex m;
    std::condition_variable cv;
    std::vector<ReaderEvent> events;
    ReaderWatcher w([&](const ReaderEvent& e) {
        std::lock_guard lock(m);
        events.push_back(e);
        cv.notify_all();
    });
    w.start();
    auto seen = [&](ReaderEventKind k, const std::string& reader) {
        std::unique_lock lock(m);
        return cv.wait_for(lock, 10s, [&] {
            return std::any_of(events.begin(), events.end(),
                               [&](const ReaderEvent& e) { return e.kind == k && e.reader == reader; });
        });
    };
    EXPECT_TRUE(seen(ReaderEventKind::ReaderAdded, kSlot1));
    EXPECT_TRUE(seen(ReaderEventKind::CardInserted, kSlot0));
    {
        SlotCard card({});
        EXPECT_TRUE(seen(ReaderEventKind::CardInserted, kSlot1));
    }
    EXPECT_TRUE(seen(ReaderEventKind::CardRemoved, kSlot1));
    const auto t0 = std::chrono::steady_clock::now();
    w.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

namespace {

/// Collects watcher events and waits for them.
class EventLog {
public:
    void push(const ReaderEvent& e) {
        std::lock_guard lock(m_mutex);
        m_events.push_back(e);
        m_cv.notify_all();
    }
    /// Waits until @p n events of @p kind for @p reader (any reader when empty) were seen.
    bool waitFor(ReaderEventKind kind, const std::string& reader, std::size_t n = 1) {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, 20s, [&] { return count(kind, reader) >= n; });
    }
    std::size_t count(ReaderEventKind kind, const std::string& reader) const {
        return static_cast<std::size_t>(std::count_if(m_events.begin(), m_events.end(), [&](const ReaderEvent& e) {
            return e.kind == kind && (reader.empty() || e.reader == reader);
        }));
    }
    std::string dump() {
        std::lock_guard lock(m_mutex);
        std::string out;
        for (const auto& e : m_events) out += std::string(readerEventName(e.kind)) + " '" + e.reader + "'\n";
        return out;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<ReaderEvent> m_events;
};

testsupport::RunResult restartStack(bool otherReader) {
    std::vector<std::string> argv{ID_STACK_SCRIPT, "restart", ID_STACK_DIR};
    if (otherReader) argv.emplace_back("--other-reader");
    return testsupport::run(argv);
}

}  // namespace

// Debian 12's pcscd (1.9.9, built with libudev) adds and removes readers at run time only for USB devices:
// `pcscd --hotplug` (SIGUSR1) calls HPReCheckSerialReaders(), which is empty in the libudev build, so a vpcd
// (reader.conf.d) reader can neither appear nor vanish while pcscd runs, and the PnP notification cannot be made
// to fire here (see tests/devices_id/README.md). Readers appear and go away with a pcscd restart; the watcher,
// blocked in SCardGetStatusChange on the readers and "\\?PnP?\Notification", must report both and follow.
TEST(IdPcscHotplug, WatcherReportsReadersAppearingAndGoingAwayAcrossPcscdRestarts) {
    const std::string hot = "Hotplug PCD 00 00";
    EventLog log;
    ReaderWatcher w([&](const ReaderEvent& e) { log.push(e); });
    w.start();
    ASSERT_TRUE(log.waitFor(ReaderEventKind::CardInserted, kSlot0)) << log.dump();
    EXPECT_EQ(log.count(ReaderEventKind::ReaderAdded, hot), 0u);

    // pcscd comes back with another reader ("Hotplug PCD", the passport on it) instead of "Virtual PCD".
    auto other = restartStack(true);
    ASSERT_EQ(other.exitCode, 0) << other.out << other.err;
    EXPECT_TRUE(log.waitFor(ReaderEventKind::ServiceLost, "")) << log.dump();
    EXPECT_TRUE(log.waitFor(ReaderEventKind::ReaderRemoved, kSlot0)) << log.dump();
    EXPECT_TRUE(log.waitFor(ReaderEventKind::ReaderRemoved, kSlot1)) << log.dump();
    EXPECT_TRUE(log.waitFor(ReaderEventKind::ServiceBack, "")) << log.dump();
    EXPECT_TRUE(log.waitFor(ReaderEventKind::ReaderAdded, hot)) << log.dump();
    EXPECT_TRUE(log.waitFor(ReaderEventKind::ReaderAdded, "Hotplug PCD 00 01")) << log.dump();
    EXPECT_TRUE(log.waitFor(ReaderEventKind::CardInserted, hot)) << log.dump();
    EXPECT_EQ(log.count(ReaderEventKind::ReaderAdded, kSlot0), 1u) << log.dump();
    auto read = readPassportFromReader(hot, fixtureKey(), {}, 5s);
    EXPECT_TRUE(read) << read.error().message;

    // pcscd comes back with the fixture's configuration: "Hotplug PCD" goes away, "Virtual PCD" is back.
    auto back = restartStack(false);
    ASSERT_EQ(back.exitCode, 0) << back.out << back.err;
    EXPECT_TRUE(log.waitFor(ReaderEventKind::ReaderRemoved, hot)) << log.dump();
    EXPECT_TRUE(log.waitFor(ReaderEventKind::ReaderRemoved, "Hotplug PCD 00 01")) << log.dump();
    EXPECT_TRUE(log.waitFor(ReaderEventKind::ServiceBack, "", 2)) << log.dump();
    EXPECT_TRUE(log.waitFor(ReaderEventKind::ReaderAdded, kSlot0, 2)) << log.dump();
    EXPECT_TRUE(log.waitFor(ReaderEventKind::CardInserted, kSlot0, 2)) << log.dump();
    EXPECT_EQ(log.count(ReaderEventKind::ReaderAdded, hot), 1u) << log.dump();
    w.stop();
    auto r = readPassportFromReader(kSlot0, fixtureKey(), {}, 5s);
    EXPECT_TRUE(r) << r.error().message;
}

TEST(IdPcscNoService, PcscdNotRunningGivesAClearError) {
    // The client library honours PCSCLITE_CSOCK_NAME (read once per process): point it at a socket nobody
    // serves, in a child process of this test binary so that earlier PC/SC calls cannot interfere.
    if (testsupport::env("PCSCLITE_CSOCK_NAME").empty()) {
        auto child = testsupport::run({"/proc/self/exe", "--gtest_filter=IdPcscNoService.*"},
                                      {"PCSCLITE_CSOCK_NAME=/nonexistent/pcscd.comm"});
        EXPECT_EQ(child.exitCode, 0) << child.out << child.err;
        EXPECT_NE(child.out.find("[  PASSED  ] 1 test"), std::string::npos) << child.out;
        return;
    }
    auto ctx = PcscContext::establish();
    ASSERT_FALSE(ctx);
    EXPECT_EQ(ctx.error().code, devices::ErrorCode::NotAvailable);
    EXPECT_NE(ctx.error().message.find("pcscd) is not running"), std::string::npos) << ctx.error().message;
    auto r = readPassportFromReader("", fixtureKey(), {}, 0ms);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, devices::ErrorCode::NotAvailable);
}

// ---------------------------------------------------------------- kioskctl id

namespace {

std::string kioskctl() { return testsupport::env("KIOSKCTL"); }

#define REQUIRE_KIOSKCTL()                                                  \
    if (kioskctl().empty()) GTEST_SKIP() << "KIOSKCTL is not set (run through ctest)"

}  // namespace

TEST(IdCli, ParseMrzFromArgumentsAndStdin) {
    REQUIRE_KIOSKCTL();
    auto r = testsupport::run({kioskctl(), "id", "parse-mrz", "--json", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                               "L898902C36UTO7408122F1204159ZE184226B<<<<<10"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("\"surname\": \"ERIKSSON\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"valid\": true"), std::string::npos) << r.out;
    auto bad = testsupport::run({kioskctl(), "id", "parse-mrz", "--json"}, {},
                                "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<7\nERIKSSON<<ANNA<MARIA<<<<<<<<<<\n");
    EXPECT_EQ(bad.exitCode, 1);
    EXPECT_NE(bad.out.find("\"valid\": false"), std::string::npos) << bad.out;
    EXPECT_NE(bad.err.find("composite check digit"), std::string::npos) << bad.err;
}

TEST(IdCli, CnRecord) {
    REQUIRE_KIOSKCTL();
    CnIdRecord rec;
    rec.name = "李四";
    rec.sexCode = "1";
    rec.ethnicCode = "01";
    rec.birthDate = "1949-12-31";
    rec.address = "上海市浦东新区";
    rec.idNumber = "11010519491231002X";
    rec.issuingAuthority = "上海市公安局";
    rec.validFrom = "2010-05-06";
    auto bytes = encodeCnIdRecord(rec);
    ASSERT_TRUE(bytes);
    testsupport::TempDir dir;
    testsupport::writeFile(dir / "rec.bin", std::string(bytes->begin(), bytes->end()));
    auto r = testsupport::run({kioskctl(), "id", "cn-record", (dir / "rec.bin").string(), "--json"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("\"name\": \"李四\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"zh\": \"汉\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"long_term\": true"), std::string::npos) << r.out;
    testsupport::writeFile(dir / "short.bin", "abc");
    auto bad = testsupport::run({kioskctl(), "id", "cn-record", (dir / "short.bin").string(), "--json"});
    EXPECT_EQ(bad.exitCode, 1);
    EXPECT_NE(bad.out.find("\"code\": \"malformed\""), std::string::npos) << bad.out;
}

TEST(IdCli, ReadersAndRead) {
    REQUIRE_KIOSKCTL();
    auto readers = testsupport::run({kioskctl(), "id", "readers", "--json"});
    EXPECT_EQ(readers.exitCode, 0) << readers.err;
    EXPECT_NE(readers.out.find(kSlot0), std::string::npos) << readers.out;
    testsupport::TempDir dir;
    auto r = testsupport::run({kioskctl(), "id", "read", "--reader", kSlot0, "--mrz",
                               "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                               "L898902C36UTO7408122F1204159ZE184226B<<<<<10", "--csca", (kFixture / "csca").string(),
                               "--photo-out", (dir / "face.jpg").string(), "--json"});
    EXPECT_EQ(r.exitCode, 0) << r.err << r.out;
    for (const char* want : {"\"document_number\": \"L898902C3\"", "\"given_names\": \"ANNA MARIA\"",
                             "\"verdict\": \"trusted\"", "\"mrz_valid\": true", "\"issuing_state\": \"UTO\"",
                             // ICAO's specimen expired on 2012-04-15: it can be read, but it proves nobody's identity.
                             "\"expired\": true", "\"expiry\": \"2012-04-15\"", "\"validity\": \"expired\""})
        EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
    auto text = testsupport::run({kioskctl(), "id", "read", "--reader", kSlot0, "--mrz-key", "L898902C3,740812,120415"});
    EXPECT_EQ(text.exitCode, 0) << text.err;
    EXPECT_NE(text.out.find("valid until: 2012-04-15 (EXPIRED"), std::string::npos) << text.out;
    EXPECT_EQ(idtest::readBytes(dir / "face.jpg"), idtest::readBytes(kFixture / "photo.jpg"));
    auto wrong = testsupport::run({kioskctl(), "id", "read", "--reader", kSlot0, "--mrz-key", "L898902C3,740812,130415"});
    EXPECT_EQ(wrong.exitCode, 1);
    EXPECT_NE(wrong.err.find("did not accept the access key"), std::string::npos) << wrong.err;
}

/// DER length octets.
devices::id::Bytes derLength(std::size_t n) {
    if (n < 0x80) return {static_cast<std::uint8_t>(n)};
    devices::id::Bytes out;
    for (std::size_t v = n; v > 0; v >>= 8) out.insert(out.begin(), static_cast<std::uint8_t>(v & 0xFF));
    out.insert(out.begin(), static_cast<std::uint8_t>(0x80 | out.size()));
    return out;
}
devices::id::Bytes derTlv(std::uint8_t tag, const devices::id::Bytes& value) {
    devices::id::Bytes out{tag};
    const auto len = derLength(value.size());
    out.insert(out.end(), len.begin(), len.end());
    out.insert(out.end(), value.begin(), value.end());
    return out;
}

TEST(IdCli, CscaImportInstallsTheDefaultTrustAnchors) {
    REQUIRE_KIOSKCTL();
    testsupport::TempDir dir;
    const std::vector<std::string> env{"XDG_CONFIG_HOME=" + (dir / "config").string()};
    const std::string db = (dir / "c.db").string();
    auto init = testsupport::run({kioskctl(), "--db", db, "init", "--center", "测试中心", "--code", "T01"}, env);
    ASSERT_EQ(init.exitCode, 0) << init.err;
    const auto admin = testsupport::adminFrom(init.out);
    ASSERT_TRUE(admin);
    const std::vector<std::string> read{kioskctl(), "id", "read", "--reader", kSlot0, "--mrz-key", "L898902C3,740812,120415",
                                        "--json"};
    auto before = testsupport::run(read, env);
    EXPECT_EQ(before.exitCode, 0) << before.err;
    EXPECT_NE(before.out.find("\"verdict\": \"signature-valid-untrusted\""), std::string::npos) << before.out;

    // An ICAO master list (CMS SignedData over CscaMasterList { version, SET OF Certificate }) with the test CSCA and
    // an unrelated one, signed with the unrelated CSCA's key.
    const auto certDer = [&](const std::filesystem::path& pem, const std::string& out) {
        auto r = testsupport::run({"/usr/bin/openssl", "x509", "-in", pem.string(), "-outform", "DER", "-out", out});
        EXPECT_EQ(r.exitCode, 0) << r.err;
        return idtest::readBytes(out);
    };
    auto set = certDer(kFixture / "csca" / "csca.pem", (dir / "a.der").string());
    const auto other = certDer(kFixture / "other_csca" / "other.pem", (dir / "b.der").string());
    set.insert(set.end(), other.begin(), other.end());
    devices::id::Bytes body{0x02, 0x01, 0x00};
    const auto certs = derTlv(0x31, set);
    body.insert(body.end(), certs.begin(), certs.end());
    const auto content = derTlv(0x30, body);
    {
        std::ofstream f(dir / "ml-content.der", std::ios::binary);
        f.write(reinterpret_cast<const char*>(content.data()), static_cast<std::streamsize>(content.size()));
    }
    auto signedMl = testsupport::run({"/usr/bin/openssl", "cms", "-sign", "-binary", "-nodetach", "-outform", "DER",
                                      "-econtent_type", "2.23.136.1.1.2", "-signer", (kFixture / "other_csca" / "other.pem").string(),
                                      "-inkey", (kFixture / "other.key").string(), "-in", (dir / "ml-content.der").string(),
                                      "-out", (dir / "master.ml").string()});
    ASSERT_EQ(signedMl.exitCode, 0) << signedMl.err;

    // A damaged master list (one byte of the content changed) installs nothing.
    auto ml = idtest::readBytes(dir / "master.ml");
    auto damaged = ml;
    const auto at = std::search(damaged.begin(), damaged.end(), other.begin() + 40, other.begin() + 48);
    ASSERT_NE(at, damaged.end());
    *at ^= 0x01;
    {
        std::ofstream f(dir / "damaged.ml", std::ios::binary);
        f.write(reinterpret_cast<const char*>(damaged.data()), static_cast<std::streamsize>(damaged.size()));
    }
    auto bad = testsupport::runAs(*admin, {kioskctl(), "--db", db, "id", "csca", "import", (dir / "damaged.ml").string()}, env);
    EXPECT_EQ(bad.exitCode, 1) << bad.err;
    EXPECT_NE(bad.err.find("signature does not verify"), std::string::npos) << bad.err;
    auto junk = testsupport::runAs(*admin, {kioskctl(), "--db", db, "id", "csca", "import", (dir / "ml-content.der").string()}, env);
    EXPECT_EQ(junk.exitCode, 1) << junk.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "config" / "badge-kiosk" / "csca"));

    auto imported = testsupport::runAs(*admin, {kioskctl(), "--db", db, "--json", "id", "csca", "import", (dir / "master.ml").string()}, env);
    ASSERT_EQ(imported.exitCode, 0) << imported.err;
    EXPECT_NE(imported.out.find("\"added\": 2"), std::string::npos) << imported.out;
    // The PEM of a certificate already installed changes nothing.
    auto again = testsupport::runAs(*admin, {kioskctl(), "--db", db, "--json", "id", "csca", "import", (kFixture / "csca" / "csca.pem").string()}, env);
    ASSERT_EQ(again.exitCode, 0) << again.err;
    EXPECT_NE(again.out.find("\"present\": 1"), std::string::npos) << again.out;

    auto after = testsupport::run(read, env);
    EXPECT_EQ(after.exitCode, 0) << after.err;
    EXPECT_NE(after.out.find("\"verdict\": \"trusted\""), std::string::npos) << after.out;
    auto audit = testsupport::runAs(*admin, {kioskctl(), "--db", db, "--json", "audit", "list"}, env);
    auto anonymous = testsupport::run({kioskctl(), "--db", db, "id", "csca", "import", (dir / "master.ml").string()}, env);
    EXPECT_EQ(anonymous.exitCode, 1) << "installing trust anchors needs an administrator";
    EXPECT_NE(audit.out.find("csca.import"), std::string::npos) << audit.out << audit.err;
}

TEST(IdCli, WatchPrintsEvents) {
    REQUIRE_KIOSKCTL();
    auto r = testsupport::run({kioskctl(), "id", "watch", "--timeout", "1", "--json"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("\"event\":\"card-inserted\",\"reader\":\"Virtual PCD 00 00\""), std::string::npos) << r.out;
}

TEST(IdCli, PcscdNotRunningIsASystemError) {
    REQUIRE_KIOSKCTL();
    auto r = testsupport::run({kioskctl(), "id", "read", "--mrz-key", "L898902C3,740812,120415", "--json"},
                              {"PCSCLITE_CSOCK_NAME=/nonexistent/pcscd.comm"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.out.find("\"code\": \"not-available\""), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("pcscd) is not running"), std::string::npos) << r.err;
}
