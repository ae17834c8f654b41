// Printing through a real CUPS: a private cupsd with a cups-pdf queue (fixture cups_fixture.sh, CTest
// FIXTURES "cups"); the printed PDF must arrive in the queue's output folder.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <map>
#include <set>
#include <thread>

#include "certification_fixture.hpp"
#include "devices/printer.hpp"
#include "test_support.hpp"
#include "training/certificates.hpp"
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
        // A file name of this test's own: cups-pdf names its output after the job title, so two tests printing
        // the same name would overwrite each other's file and a count of new files would depend on the order.
        const auto p = dir / (std::string("kiosk-print-") +
                              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".pdf");
        auto w = r->renderToFile(training::DocumentKind::Certificate, training::demoCertificateDocument(), p);
        EXPECT_TRUE(w) << w.error().message;
        return p;
    }

    /// The PDFs in @p d with their write times. cups-pdf names its output after the job title, so a test run
    /// again (ctest --repeat) rewrites the same file: what a print produced is what is new or written since.
    using Snapshot = std::map<std::filesystem::path, std::filesystem::file_time_type>;
    static Snapshot pdfsOf(const std::filesystem::path& d) {
        Snapshot out;
        std::error_code ec;
        if (std::filesystem::is_directory(d))
            for (const auto& e : std::filesystem::directory_iterator(d))
                if (e.path().extension() == ".pdf") out[e.path()] = std::filesystem::last_write_time(e.path(), ec);
        return out;
    }

    /// The PDFs of @p d that are not in @p before or were written again since.
    static std::set<std::filesystem::path> writtenSince(const std::filesystem::path& d, const Snapshot& before) {
        std::set<std::filesystem::path> out;
        for (const auto& [p, t] : pdfsOf(d))
            if (auto it = before.find(p); it == before.end() || it->second != t) out.insert(p);
        return out;
    }
};

TEST_F(CupsPrinting, PdfArrivesInTheCupsPdfFolder) {
    testsupport::TempDir dir;
    const auto pdf = demoPdf(dir);
    const auto before = pdfsOf(kDir / "out");
    // File times are as fine as the file system keeps them: make sure a rewrite shows as a later time.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto printer = devices::openCupsPrinter();
    devices::PrintOptions o;
    o.timeout = std::chrono::seconds(60);
    auto r = devices::printAndWait(*printer, kQueue, {pdf.string()}, o);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_GT((*r)[0].jobId, 0);
    EXPECT_EQ((*r)[0].state, devices::PrintJobState::Completed) << (*r)[0].message;
    // cups-pdf writes its file before the job is marked completed; allow the file system a moment.
    for (int i = 0; i < 50 && writtenSince(kDir / "out", before).empty(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(writtenSince(kDir / "out", before).size(), 1u) << "no new PDF in " << kDir / "out";
}

TEST_F(CupsPrinting, NoSuchQueue) {
    testsupport::TempDir dir;
    auto printer = devices::openCupsPrinter();
    auto r = devices::printAndWait(*printer, "no_such_queue", {demoPdf(dir).string()}, {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, devices::ErrorCode::InvalidInput);
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
    // Printing needs a signed-in clerk or administrator of a center.
    const std::vector<std::string> env{server, "KIOSK_DB=" + (dir / "center.db").string(), "KIOSK_CENTER_KEY="};
    auto init = run({kioskctl, "init", "--center", "打印测试中心"}, env);
    ASSERT_EQ(init.exitCode, 0) << init.err;
    const auto admin = testsupport::adminFrom(init.out);
    ASSERT_TRUE(admin);
    auto r = testsupport::runAs(*admin, {kioskctl, "print", pdf.string(), "--printer", kQueue, "--copies", "1", "--json"}, env);
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["ok"], true);
    EXPECT_EQ(j["jobs"][0]["state"], "completed");
    r = testsupport::runAs(*admin, {kioskctl, "print", pdf.string(), "--printer", "nope", "--json"}, env);
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(nlohmann::json::parse(r.out)["ok"], false);
}

TEST_F(CupsPrinting, KioskctlCertPrintPrintsTheEligibleCandidatesOfASitting) {
    const auto kioskctl = testsupport::env("KIOSKCTL");
    if (kioskctl.empty() || !std::filesystem::exists(kioskctl)) GTEST_SKIP() << "KIOSKCTL not built";
    testsupport::TempDir dir;
    const auto db = dir / "center.db";
    std::vector<std::string> env{"CUPS_SERVER=" + (kDir / "cups.sock").string(), "KIOSK_CENTER_KEY="};
    if (const auto assets = testsupport::env("KIOSK_ASSETS_DIR"); !assets.empty())
        env.push_back("KIOSK_CERT_TEMPLATES=" + assets + "/certificates");
    std::optional<testsupport::StaffLogin> admin;  // signed in once init has made the first administrator
    auto ctl = [&](std::vector<std::string> args) {
        std::vector<std::string> argv{kioskctl, "--db", db.string(), "--json"};
        argv.insert(argv.end(), args.begin(), args.end());
        return admin ? testsupport::runAs(*admin, argv, env) : run(argv, env);
    };
    auto r = ctl({"init", "--center", "打印测试中心", "--code", "P01"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    admin = testsupport::adminFrom(r.out);
    ASSERT_TRUE(admin);

    // Two eligible candidates and one who is not (no health check) in one sitting.
    std::int64_t sitting = 0;
    std::vector<std::int64_t> workers;
    {
        auto store = training::Store::open(db, {.create = false});
        ASSERT_TRUE(store) << store.error().message;
        const std::vector<std::pair<std::string, std::string>> people{
            {"31010119780312002", "王秀英"}, {"11010519491231002", "张桂兰"}, {"34010219850721104", "李娟"}};
        for (const auto& [first17, name] : people) {
            testsupport::EligibleWorkerOptions o;
            o.first17 = first17;
            o.name = name;
            o.sittingId = sitting;
            o.healthCheck = name != "李娟";
            auto w = testsupport::makeEligibleWorker(**store, o);
            ASSERT_TRUE(w) << w.error().message;
            sitting = w->sittingId;
            workers.push_back(w->workerId);
        }
    }

    // No printer named (and no $PRINTER): refused with what to give.
    {
        auto noPrinter = env;
        noPrinter.push_back("PRINTER=");
        auto argv = std::vector<std::string>{kioskctl, "--db", db.string(), "cert", "print", "--sitting", std::to_string(sitting)};
        r = admin ? testsupport::runAs(*admin, argv, noPrinter) : run(argv, noPrinter);
        EXPECT_EQ(r.exitCode, 1);
        EXPECT_NE(r.err.find("--printer QUEUE"), std::string::npos) << r.err;
    }
    // A queue that does not exist: refused before anything is issued.
    r = ctl({"cert", "print", "--sitting", std::to_string(sitting), "--printer", "no_such_queue"});
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_NE(r.err.find("no_such_queue"), std::string::npos) << r.err;
    {
        auto store = training::Store::open(db, {.create = false});
        ASSERT_TRUE(store);
        training::Certificates certs(**store, nullptr);
        for (auto w : workers) EXPECT_TRUE(certs.ofWorker(w)->empty()) << "nothing issued for a wrong printer";
    }

    const auto before = pdfsOf(kDir / "out");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto kept = dir / "kept";
    std::filesystem::create_directories(kept);
    r = ctl({"cert", "print", "--sitting", std::to_string(sitting), "--printer", kQueue, "--out-dir", kept.string()});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["ok"], true);
    EXPECT_EQ(j["printed"], 2);
    EXPECT_EQ(j["failed"], 0);
    EXPECT_EQ(j["skipped"], 1);
    std::set<std::string> numbers;
    for (const auto& w : j["workers"]) {
        if (w["name"] == "李娟") {
            EXPECT_EQ(w["status"], "skipped");
            ASSERT_EQ(w["unmet"].size(), 1u) << w.dump(2);
            EXPECT_EQ(w["unmet"][0]["condition"], "health-check");
            EXPECT_TRUE(w["certificate"].is_null());
        } else {
            EXPECT_EQ(w["status"], "printed") << w.dump(2);
            EXPECT_EQ(w["job"]["state"], "completed");
            EXPECT_GT(w["job"]["job"].get<int>(), 0);
            numbers.insert(w["certificate"].get<std::string>());
        }
    }
    ASSERT_EQ(numbers.size(), 2u);

    // What was sent to CUPS carries the names and numbers as text.
    std::string sentText;
    for (const auto& n : numbers) sentText += run({"/usr/bin/pdftotext", "-enc", "UTF-8", (kept / (n + ".pdf")).string(), "-"}).out;
    EXPECT_NE(sentText.find("王秀英"), std::string::npos) << sentText;
    EXPECT_NE(sentText.find("张桂兰"), std::string::npos) << sentText;
    for (const auto& n : numbers) EXPECT_NE(sentText.find(n), std::string::npos) << n;

    // Both land in the cups-pdf folder. CUPS turns the PDF into PostScript for cups-pdf, which distils it again
    // with Ghostscript: the glyphs survive but the text mapping does not (pdftotext gives symbols), so the landed
    // files are identified by their QR codes, read from the printed page by kioskctl verify.
    std::set<std::filesystem::path> landed;
    for (int i = 0; i < 100 && landed.size() < 2; ++i) {
        landed = writtenSince(kDir / "out", before);
        if (landed.size() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(landed.size(), 2u);
    std::set<std::string> printedNames, printedNumbers;
    for (const auto& p : landed) {
        auto v = ctl({"verify", p.string()});
        ASSERT_EQ(v.exitCode, 0) << p << ": " << v.err << v.out;
        const auto f = nlohmann::json::parse(v.out)["fields"];
        printedNames.insert(f["name"].get<std::string>());
        printedNumbers.insert(f["certificate"].get<std::string>());
    }
    EXPECT_EQ(printedNames, (std::set<std::string>{"王秀英", "张桂兰"}));
    EXPECT_EQ(printedNumbers, numbers);

    // Printing again (badge cards this time) issues nothing new: the same certificate numbers.
    r = ctl({"cert", "print", "--sitting", std::to_string(sitting), "--printer", kQueue, "--badge", "--out-dir",
             dir.path().string()});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["kind"], "badge");
    std::set<std::string> again;
    for (const auto& w : j["workers"])
        if (!w["certificate"].is_null()) again.insert(w["certificate"].get<std::string>());
    EXPECT_EQ(again, numbers);
    for (const auto& n : numbers) EXPECT_TRUE(std::filesystem::exists(dir / (n + "-badge.pdf"))) << n;
}

}  // namespace
