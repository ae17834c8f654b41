// Scripted scenario: staff print a certificate from the kiosk through a real CUPS (the private cupsd with a
// cups-pdf queue of tests/documents, fixture "cups") and create a submission batch. The worker is made
// eligible through the Store/ExamStore API (tests/support/certification_fixture.hpp).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "certification_fixture.hpp"
#include "scenario_support.hpp"
#include "test_support.hpp"
#include "training/certificates.hpp"
#include "training/store.hpp"

namespace ts = testsupport;

namespace {

const std::filesystem::path kCupsDir = KIOSK_TEST_CUPS_DIR;
const std::string kQueue = KIOSK_TEST_CUPS_QUEUE;
constexpr const char* kPin = "135790";

std::vector<std::filesystem::path> pdfsIn(const std::filesystem::path& d) {
    std::vector<std::filesystem::path> out;
    if (std::filesystem::is_directory(d))
        for (const auto& e : std::filesystem::recursive_directory_iterator(d))
            if (e.path().extension() == ".pdf") out.push_back(e.path());
    return out;
}

class KioskPrintScenario : public ::testing::Test {
protected:
    void SetUp() override {
        if (!std::filesystem::exists("/usr/bin/Xvfb")) GTEST_SKIP() << "Xvfb is not installed (package xvfb)";
        if (std::filesystem::exists(kCupsDir / "unavailable"))
            GTEST_SKIP() << "the CUPS fixture could not start cupsd: " << ts::readFile(kCupsDir / "unavailable");
        ASSERT_TRUE(std::filesystem::exists(kCupsDir / "cups.sock"))
            << "no cupsd socket in " << kCupsDir << "; run through ctest (fixture documents_cups_start)";
        ::setenv("CUPS_SERVER", (kCupsDir / "cups.sock").c_str(), 1);  // inherited by the kiosk
        const auto kioskctl = ts::env("KIOSKCTL");
        ASSERT_FALSE(kioskctl.empty()) << "KIOSKCTL is set by CTest";
        m_db = m_tmp / "center.db";
        auto seeded = ts::run({kioskctl, "--db", m_db.string(), "demo-seed"});
        ASSERT_EQ(seeded.exitCode, 0) << seeded.err;
        auto s = training::Store::open(m_db, {});
        ASSERT_TRUE(s) << s.error().message;
        m_store = std::move(*s);
        ASSERT_TRUE(m_store->setStaffPin(3, kPin, "test"));  // staff 3: the clerk who prints
        ts::writeFile(m_tmp / "kiosk.toml", "[card_reader]\nkind = \"none\"\n[camera]\nsource = \"none\"\n"
                                            "[printer]\nqueue = \"" + kQueue + "\"\n[speech]\nenabled = false\n");
    }

    ts::RunResult runKiosk(const std::string& name, const std::string& script) {
        m_artifacts = std::filesystem::path(KIOSK_UI_ARTIFACTS) / name;
        std::filesystem::remove_all(m_artifacts);
        std::filesystem::create_directories(m_artifacts);
        ts::writeFile(m_artifacts / "run.script", script);
        return kioskuitest::runKioskUnderXvfb(KIOSK_BIN, m_db, m_tmp / "kiosk.toml", m_artifacts / "run.script",
                                              m_artifacts, std::filesystem::path(KIOSK_UI_SOURCE_DIR) / "lsan.supp");
    }

    ts::TempDir m_tmp;
    std::filesystem::path m_db;
    std::filesystem::path m_artifacts;
    std::unique_ptr<training::Store> m_store;
};

TEST_F(KioskPrintScenario, StaffPrintCertificateOfAnEligibleWorkerAndCreateASubmissionBatch) {
    ts::EligibleWorkerOptions o;
    o.name = "陈静";
    o.first17 = "32010219850615002";
    auto w = ts::makeEligibleWorker(*m_store, o);
    ASSERT_TRUE(w) << w.error().message;
    ts::EligibleWorkerOptions no;
    no.name = "刘芳";
    no.first17 = "32010219870920004";
    no.exam = true;
    no.sittingId = w->sittingId;
    no.healthCheck = false;  // same sitting, not eligible: listed with what is missing, no print button
    auto n = ts::makeEligibleWorker(*m_store, no);
    ASSERT_TRUE(n) << n.error().message;

    const auto before = pdfsIn(kCupsDir / "out").size();
    const std::string wid = std::to_string(w->workerId), nid = std::to_string(n->workerId);
    auto r = runKiosk("print-certificate",
                      "wait-screen attract\ntap staff\nwait-screen staff-pin\ntype 3\ntap staff-next\ntype " + std::string(kPin) +
                          "\ntap ok\nwait-screen staff-home\ntap certificates\nwait-screen staff-certificates\n"
                          "expect 陈静\nexpect 刘芳\nexpect 尚不符合\nexpect-enabled print-cert-" + wid +
                          "\nexpect-not print-cert-" + nid + "\nscreenshot list.png\ntap print-cert-" + wid +
                          "\nexpect 已打印\nexpect 证书 DEMO-\nscreenshot printed.png\ntap submit-batch\n"
                          "expect 已创建报送批次\nscreenshot batch.png\ntap submit-batch\nexpect 没有新的合格人员\nquit\n");
    ASSERT_EQ(r.exitCode, 0) << r.err;

    training::Certificates certs(*m_store, nullptr);
    auto mine = certs.ofWorker(w->workerId);
    ASSERT_TRUE(mine) << mine.error().message;
    ASSERT_EQ(mine->size(), 1u) << "one certificate issued (printing and the batch reuse it)";
    auto none = certs.ofWorker(n->workerId);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty()) << "nothing is issued to a worker who is not eligible";

    // The PDF landed in the cups-pdf output folder (cups-pdf writes asynchronously: wait a little).
    std::vector<std::filesystem::path> pdfs;
    for (int i = 0; i < 50 && (pdfs = pdfsIn(kCupsDir / "out")).size() <= before; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_GT(pdfs.size(), before) << "no PDF reached the cups-pdf queue";
    // CUPS hands the PDF to cups-pdf as PostScript and Ghostscript distils it again: the glyphs survive but
    // not the text mapping, so the printed page is identified by its QR code (kioskctl verify reads it).
    bool found = false;
    for (const auto& p : pdfs) {
        auto v = ts::run({ts::env("KIOSKCTL"), "--db", m_db.string(), "--json", "verify", p.string()});
        if (v.exitCode == 0 && v.out.find("陈静") != std::string::npos &&
            v.out.find((*mine)[0].number) != std::string::npos)
            found = true;
    }
    EXPECT_TRUE(found) << "the printed certificate carries the worker's name and certificate number in its QR";
    // The batch: a signed manifest beside the database.
    bool zip = false;
    if (std::filesystem::is_directory(m_tmp / "submissions"))
        for (const auto& e : std::filesystem::recursive_directory_iterator(m_tmp / "submissions"))
            if (e.path().extension() == ".zip") zip = true;
    EXPECT_TRUE(zip) << "a batch .zip was written in " << (m_tmp / "submissions");
}

}  // namespace
