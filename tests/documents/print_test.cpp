// Printing through a real CUPS: a private cupsd with a cups-pdf queue (fixture cups_fixture.sh, CTest
// FIXTURES "cups"); the printed PDF must arrive in the queue's output folder.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "devices/printer.hpp"
#include "test_support.hpp"
#include "training/documents.hpp"

namespace {

using testsupport::run;

const std::filesystem::path kDir = KIOSK_TEST_CUPS_DIR;
const std::string kQueue = KIOSK_TEST_CUPS_QUEUE;

class CupsPrinting : public ::testing::Test {
protected:
    void SetUp() override {
        if (std::filesystem::exists(kDir / "unavailable"))
            GTEST_SKIP() << "the CUPS fixture could not start cupsd: " << testsupport::readFile(kDir / "unavailable");
        ASSERT_TRUE(std::filesystem::exists(kDir / "cups.sock"))
            << "no cupsd socket in " << kDir << "; run through ctest (fixture documents_cups_start)";
        ::setenv("CUPS_SERVER", (kDir / "cups.sock").c_str(), 1);
    }

    std::filesystem::path demoPdf(const testsupport::TempDir& dir) {
        training::DocumentRendererOptions o;
        const auto assets = testsupport::env("KIOSK_ASSETS_DIR");
        if (!assets.empty()) o.templateDir = std::filesystem::path(assets) / "certificates";
        auto r = training::DocumentRenderer::create(o);
        EXPECT_TRUE(r) << r.error().message;
        const auto p = dir / "kiosk-print-test.pdf";
        auto w = r->renderToFile(training::DocumentKind::Certificate, training::demoCertificateDocument(), p);
        EXPECT_TRUE(w) << w.error().message;
        return p;
    }

    static std::size_t pdfsIn(const std::filesystem::path& d) {
        std::size_t n = 0;
        if (std::filesystem::is_directory(d))
            for (const auto& e : std::filesystem::directory_iterator(d))
                if (e.path().extension() == ".pdf") ++n;
        return n;
    }
};

TEST_F(CupsPrinting, PdfArrivesInTheCupsPdfFolder) {
    testsupport::TempDir dir;
    const auto pdf = demoPdf(dir);
    const auto before = pdfsIn(kDir / "out");
    auto printer = devices::openCupsPrinter();
    devices::PrintOptions o;
    o.timeout = std::chrono::seconds(60);
    auto r = devices::printAndWait(*printer, kQueue, {pdf.string()}, o);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_GT((*r)[0].jobId, 0);
    EXPECT_EQ((*r)[0].state, devices::PrintJobState::Completed) << (*r)[0].message;
    // cups-pdf writes its file before the job is marked completed; allow the file system a moment.
    for (int i = 0; i < 50 && pdfsIn(kDir / "out") == before; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(pdfsIn(kDir / "out"), before + 1) << "no new PDF in " << kDir / "out";
}

TEST_F(CupsPrinting, NoSuchQueue) {
    testsupport::TempDir dir;
    auto printer = devices::openCupsPrinter();
    auto r = devices::printAndWait(*printer, "no_such_queue", {demoPdf(dir).string()}, {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, devices::ErrorCode::NotAvailable);
    EXPECT_NE(r.error().message.find("no such printer queue 'no_such_queue'"), std::string::npos) << r.error().message;
}

TEST_F(CupsPrinting, StoppedPrinter) {
    testsupport::TempDir dir;
    auto printer = devices::openCupsPrinter();
    auto r = devices::printAndWait(*printer, kQueue + "_stopped", {demoPdf(dir).string()}, {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, devices::ErrorCode::NotAvailable);
    EXPECT_NE(r.error().message.find("is stopped"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("cupsenable " + kQueue + "_stopped"), std::string::npos) << r.error().message;
}

TEST_F(CupsPrinting, KioskctlPrintJson) {
    const auto kioskctl = testsupport::env("KIOSKCTL");
    if (kioskctl.empty() || !std::filesystem::exists(kioskctl)) GTEST_SKIP() << "KIOSKCTL not built";
    testsupport::TempDir dir;
    const auto pdf = demoPdf(dir);
    const std::string server = "CUPS_SERVER=" + (kDir / "cups.sock").string();
    auto r = run({kioskctl, "print", pdf.string(), "--printer", kQueue, "--copies", "1", "--json"}, {server});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["ok"], true);
    EXPECT_EQ(j["jobs"][0]["state"], "completed");
    r = run({kioskctl, "print", pdf.string(), "--printer", "nope", "--json"}, {server});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(nlohmann::json::parse(r.out)["ok"], false);
}

}  // namespace
