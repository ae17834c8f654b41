// Scripted scenario: staff print a certificate from the kiosk through a real CUPS (the private cupsd with a
// cups-pdf queue of tests/documents, fixture "cups") and create a submission batch. The worker is made
// eligible through the Store/ExamStore API (tests/support/certification_fixture.hpp).
#include <gtest/gtest.h>

#include <chrono>
#include <map>
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

/// The PDFs in @p d with when each was last written. cups-pdf names its output after the job title, so a test run
/// again (ctest --repeat) rewrites the same file: what is new is a new path or a newer time, not a larger count.
std::map<std::filesystem::path, std::filesystem::file_time_type> pdfsIn(const std::filesystem::path& d) {
    std::map<std::filesystem::path, std::filesystem::file_time_type> out;
    std::error_code ec;
    if (std::filesystem::is_directory(d))
        for (const auto& e : std::filesystem::recursive_directory_iterator(d, ec))
            if (e.path().extension() == ".pdf") out[e.path()] = e.last_write_time(ec);
    return out;
}

/// The PDFs of @p now that are not in @p before or were written again since.
std::vector<std::filesystem::path> writtenSince(
    const std::map<std::filesystem::path, std::filesystem::file_time_type>& before,
    const std::map<std::filesystem::path, std::filesystem::file_time_type>& now) {
    std::vector<std::filesystem::path> out;
    for (const auto& [path, time] : now)
        if (auto it = before.find(path); it == before.end() || it->second != time) out.push_back(path);
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

    const auto before = pdfsIn(kCupsDir / "out");
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

    // The PDF landed in the cups-pdf output folder (cups-pdf writes asynchronously: wait a little, and read a file
    // again until it is whole). CUPS hands the PDF to cups-pdf as PostScript and Ghostscript distils it again: the
    // glyphs survive but not the text mapping, so the printed page is identified by its QR code (kioskctl verify).
    std::vector<std::filesystem::path> pdfs;
    bool found = false;
    for (int i = 0; i < 50 && !found; ++i) {
        pdfs = writtenSince(before, pdfsIn(kCupsDir / "out"));
        for (const auto& p : pdfs) {
            auto v = ts::run({ts::env("KIOSKCTL"), "--db", m_db.string(), "--json", "verify", p.string()});
            found = found || (v.exitCode == 0 && v.out.find("陈静") != std::string::npos &&
                              v.out.find((*mine)[0].number) != std::string::npos);
        }
        if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ASSERT_FALSE(pdfs.empty()) << "no PDF reached the cups-pdf queue";
    EXPECT_TRUE(found) << "the printed certificate carries the worker's name and certificate number in its QR";
    // The batch: a signed manifest beside the database.
    bool zip = false;
    if (std::filesystem::is_directory(m_tmp / "submissions"))
        for (const auto& e : std::filesystem::recursive_directory_iterator(m_tmp / "submissions"))
            if (e.path().extension() == ".zip") zip = true;
    EXPECT_TRUE(zip) << "a batch .zip was written in " << (m_tmp / "submissions");
}

}  // namespace
