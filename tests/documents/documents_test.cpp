// Certificate and badge PDFs: text extraction, one embedded subset font, the portrait, the QR code, size,
// template errors; printAndWait's handling of failed jobs (with a fake print system).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "devices/printer.hpp"
#include "test_support.hpp"
#include "training/documents.hpp"

namespace {

using testsupport::run;
using testsupport::TempDir;
using training::DocumentKind;

std::filesystem::path assetsDir() {
    const auto a = testsupport::env("KIOSK_ASSETS_DIR");
    return a.empty() ? std::filesystem::path("assets") / "certificates" : std::filesystem::path(a) / "certificates";
}

training::DocumentRenderer renderer() {
    training::DocumentRendererOptions o;
    o.templateDir = assetsDir();
    auto r = training::DocumentRenderer::create(o);
    if (!r) ADD_FAILURE() << r.error().message;
    return std::move(*r);
}

std::filesystem::path write(const TempDir& dir, const std::string& name, const std::string& bytes) {
    const auto p = dir / name;
    testsupport::writeFile(p, bytes);
    return p;
}

int countEmbeddedFonts(const std::string& pdffontsOut, std::vector<std::string>& names) {
    std::istringstream in(pdffontsOut);
    std::string line;
    int n = 0, row = 0;
    while (std::getline(in, line)) {
        if (++row <= 2) continue;  // header lines
        std::istringstream ls(line);
        std::string name;
        ls >> name;
        names.push_back(name);
        ++n;
    }
    return n;
}

std::string readBinary(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST(Documents, CertificateTextFontAndPortrait) {
    TempDir dir;
    const auto doc = training::demoCertificateDocument();
    auto r = renderer().render(DocumentKind::Certificate, doc);
    ASSERT_TRUE(r) << r.error().message;
    const auto pdf = write(dir, "cert.pdf", r->pdf);
    EXPECT_EQ(r->pages, 1);

    const auto text = run({"/usr/bin/pdftotext", "-enc", "UTF-8", pdf.string(), "-"});
    ASSERT_EQ(text.exitCode, 0) << text.err;
    EXPECT_NE(text.out.find("王秀英"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("SH01-2025-000042"), std::string::npos);
    EXPECT_NE(text.out.find("家政服务员岗前培训"), std::string::npos);
    EXPECT_NE(text.out.find("安全与急救"), std::string::npos);
    // A well-formed ToUnicode map: poppler has nothing to complain about.
    EXPECT_EQ(text.err.find("Syntax"), std::string::npos) << text.err;

    const auto fonts = run({"/usr/bin/pdffonts", pdf.string()});
    ASSERT_EQ(fonts.exitCode, 0) << fonts.err;
    std::vector<std::string> names;
    EXPECT_EQ(countEmbeddedFonts(fonts.out, names), 1) << fonts.out;
    ASSERT_FALSE(names.empty());
    // A subset font's name carries a six-letter tag: ABCDEF+Name.
    EXPECT_EQ(names[0].find('+'), 6u) << names[0];
    EXPECT_NE(fonts.out.find("yes yes yes"), std::string::npos) << "embedded, subset, with ToUnicode:\n" << fonts.out;

    const auto images = run({"/usr/bin/pdfimages", "-list", pdf.string()});
    ASSERT_EQ(images.exitCode, 0) << images.err;
    EXPECT_NE(images.out.find("jpeg"), std::string::npos) << images.out;  // the portrait
    EXPECT_NE(images.out.find(" 240   320 "), std::string::npos) << images.out;
    EXPECT_LE(r->pdf.size(), 100u * 1024u);
}

TEST(Documents, BadgeIsIdOneWithTwoPages) {
    TempDir dir;
    auto r = renderer().render(DocumentKind::Badge, training::demoCertificateDocument());
    ASSERT_TRUE(r) << r.error().message;
    const auto pdf = write(dir, "badge.pdf", r->pdf);
    const auto info = run({"/usr/bin/pdfinfo", pdf.string()});
    ASSERT_EQ(info.exitCode, 0) << info.err;
    EXPECT_NE(info.out.find("Pages:           2"), std::string::npos) << info.out;
    // 85.60 x 53.98 mm = 242.65 x 153.01 pt
    EXPECT_NE(info.out.find("242.646 x 153.014 pts"), std::string::npos) << info.out;
    const auto text = run({"/usr/bin/pdftotext", "-enc", "UTF-8", pdf.string(), "-"});
    EXPECT_NE(text.out.find("王秀英"), std::string::npos);
    EXPECT_NE(text.out.find("上海安心家政服务有限公司"), std::string::npos);
    EXPECT_NE(text.out.find("母婴护理"), std::string::npos);
    // The programme's name of the badge (../shared/docs/programme.md), not a "job-entry licence".
    EXPECT_NE(text.out.find("家政上门服务证"), std::string::npos) << text.out;
    EXPECT_EQ(text.out.find("上岗证"), std::string::npos) << text.out;
}

/// Renders page @p page at 300 dpi and decodes the QR code on it with zbarimg.
std::string decodeQr(const TempDir& dir, const std::filesystem::path& pdf, int page) {
    const auto prefix = dir / ("page" + std::to_string(page));
    const auto p = std::to_string(page);
    const auto ppm = run({"/usr/bin/pdftoppm", "-r", "300", "-f", p, "-l", p, "-png", "-singlefile", pdf.string(),
                          prefix.string()});
    if (ppm.exitCode != 0) return "pdftoppm failed: " + ppm.err;
    const auto z = run({"/usr/bin/zbarimg", "--raw", "-q", prefix.string() + ".png"});
    std::string out = z.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

TEST(Documents, QrCodeDecodesToThePayload) {
    if (!std::filesystem::exists("/usr/bin/zbarimg")) GTEST_SKIP() << "zbarimg missing: install zbar-tools";
    TempDir dir;
    const auto doc = training::demoCertificateDocument();
    auto cert = renderer().render(DocumentKind::Certificate, doc);
    ASSERT_TRUE(cert) << cert.error().message;
    EXPECT_EQ(decodeQr(dir, write(dir, "c.pdf", cert->pdf), 1), doc.qrPayload);
    auto badge = renderer().render(DocumentKind::Badge, doc);
    ASSERT_TRUE(badge) << badge.error().message;
    EXPECT_EQ(decodeQr(dir, write(dir, "b.pdf", badge->pdf), 2), doc.qrPayload);
}

TEST(Documents, RealPortraitStaysUnder100KB) {
    const auto faces = testsupport::env("KIOSK_TEST_FACES");
    if (faces.empty() || !std::filesystem::is_directory(faces))
        GTEST_SKIP() << "KIOSK_TEST_FACES is not set (no ../shared/testdata/faces)";
    std::filesystem::path largest;
    std::uintmax_t size = 0;
    for (const auto& e : std::filesystem::directory_iterator(faces)) {
        if (e.path().extension() != ".jpg") continue;
        if (e.file_size() > size) size = e.file_size(), largest = e.path();
    }
    if (largest.empty()) GTEST_SKIP() << "no .jpg in " << faces;
    auto doc = training::demoCertificateDocument();
    const auto bytes = readBinary(largest);
    doc.portrait.assign(bytes.begin(), bytes.end());
    TempDir dir;
    for (auto kind : {DocumentKind::Certificate, DocumentKind::Badge}) {
        auto r = renderer().render(kind, doc);
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_LE(r->pdf.size(), 100u * 1024u) << largest << " (" << size << " bytes)";
        const auto pdf = write(dir, "p.pdf", r->pdf);
        const auto images = run({"/usr/bin/pdfimages", "-list", pdf.string()});
        EXPECT_NE(images.out.find("jpeg"), std::string::npos) << images.out;
    }
}

TEST(Documents, RefusesCharactersTheFontLacks) {
    auto doc = training::demoCertificateDocument();
    doc.workerName = "王\xF0\xA0\xAE\xB7";  // U+20BB7, outside the BMP
    auto r = renderer().render(DocumentKind::Certificate, doc);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, training::ErrorCode::InvalidInput);
    EXPECT_NE(r.error().message.find("U+20BB7"), std::string::npos) << r.error().message;
}

TEST(Documents, MissingOptionalValuesShowADash) {
    auto doc = training::demoCertificateDocument();
    doc.agencyName.reset();
    doc.portrait.clear();
    doc.examScore.reset();
    TempDir dir;
    auto r = renderer().render(DocumentKind::Badge, doc);
    ASSERT_TRUE(r) << r.error().message;
    const auto text = run({"/usr/bin/pdftotext", "-enc", "UTF-8", write(dir, "b.pdf", r->pdf).string(), "-"});
    EXPECT_NE(text.out.find("—"), std::string::npos);
    const auto images = run({"/usr/bin/pdfimages", "-list", (dir / "b.pdf").string()});
    EXPECT_EQ(images.out.find(" 240   320 "), std::string::npos) << "no portrait image:\n" << images.out;
    EXPECT_NE(images.out.find(" 160   160 "), std::string::npos) << "the logo is still there:\n" << images.out;
}

TEST(Documents, TemplateErrorsNameTheFileAndLine) {
    TempDir dir;
    std::filesystem::copy(assetsDir(), dir.path() / "t");
    testsupport::writeFile(dir / "t" / "badge.toml",
                           "version = 1\n[page]\nwidth_mm = 85.6\nheight_mm = 53.98\n"
                           "[[pages]]\nitems = [\n  { type = \"circle\", x_mm = 1 },\n]\n");
    training::DocumentRendererOptions o;
    o.templateDir = dir / "t";
    auto r = training::DocumentRenderer::create(o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, training::ErrorCode::InvalidInput);
    EXPECT_NE(r.error().message.find("badge.toml:7"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("circle"), std::string::npos) << r.error().message;

    testsupport::writeFile(dir / "t" / "badge.toml",
                           "version = 1\n[page]\nwidth_mm = 85.6\nheight_mm = 53.98\n"
                           "[[pages]]\nitems = [ { type = \"image\", source = \"nope.png\", x_mm = 1, y_mm = 1, "
                           "w_mm = 5, h_mm = 5 } ]\n");
    r = training::DocumentRenderer::create(o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, training::ErrorCode::NotFound);
    EXPECT_NE(r.error().message.find("nope.png"), std::string::npos) << r.error().message;

    o.templateDir = dir / "absent";
    r = training::DocumentRenderer::create(o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, training::ErrorCode::NotFound);
    EXPECT_NE(r.error().message.find("KIOSK_CERT_TEMPLATES"), std::string::npos);
}

TEST(Documents, WordingComesFromTheTemplate) {
    TempDir dir;
    std::filesystem::copy(assetsDir(), dir.path() / "t");
    auto text = testsupport::readFile(dir / "t" / "certificate.toml");
    const std::string from = "结业证书";
    text.replace(text.find(from), from.size(), "培训合格证");
    testsupport::writeFile(dir / "t" / "certificate.toml", text);
    training::DocumentRendererOptions o;
    o.templateDir = dir / "t";
    auto rr = training::DocumentRenderer::create(o);
    ASSERT_TRUE(rr) << rr.error().message;
    auto r = rr->render(DocumentKind::Certificate, training::demoCertificateDocument());
    ASSERT_TRUE(r) << r.error().message;
    const auto out = run({"/usr/bin/pdftotext", "-enc", "UTF-8", write(dir, "c.pdf", r->pdf).string(), "-"});
    EXPECT_NE(out.out.find("培训合格证"), std::string::npos) << out.out;
    EXPECT_EQ(out.out.find("结业证书"), std::string::npos) << out.out;
}

/// A word of `pdftotext -bbox` output, in points from the page's top-left corner.
struct Word {
    double x0, y0, x1, y1;
    std::string text;
};

std::vector<Word> wordBoxes(const std::filesystem::path& pdf) {
    const auto r = run({"/usr/bin/pdftotext", "-bbox", "-enc", "UTF-8", pdf.string(), "-"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    std::vector<Word> words;
    const auto attr = [](const std::string& line, const std::string& name) {
        const auto p = line.find(name + "=\"");
        return p == std::string::npos ? -1.0 : std::stod(line.substr(p + name.size() + 2));
    };
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) {
        if (line.find("<word ") == std::string::npos) continue;
        const auto open = line.find('>'), close = line.rfind("</word>");
        words.push_back({attr(line, "xMin"), attr(line, "yMin"), attr(line, "xMax"), attr(line, "yMax"),
                         line.substr(open + 1, close - open - 1)});
    }
    return words;
}

bool intersects(const Word& a, double x0, double y0, double x1, double y1, double tolerance) {
    return std::min(a.x1, x1) - std::max(a.x0, x0) > tolerance && std::min(a.y1, y1) - std::max(a.y0, y0) > tolerance;
}

TEST(Documents, CertificateTextNeverOverlapsWithOneToTwelveModules) {
    TempDir dir;
    const auto r = renderer();
    constexpr double kPt = 72.0 / 25.4;
    for (int n = 1; n <= 12; ++n) {
        auto doc = training::demoCertificateDocument();
        doc.modules.clear();
        for (int i = 1; i <= n; ++i)
            doc.modules.push_back({fmt::format("m{}", i), fmt::format("电器操作与安全{}", i),
                                   fmt::format("Appliance operation and safety {}", i), 120, 125});
        auto cert = r.render(DocumentKind::Certificate, doc);
        ASSERT_TRUE(cert) << cert.error().message;
        const auto words = wordBoxes(write(dir, fmt::format("c{}.pdf", n), cert->pdf));
        ASSERT_GT(words.size(), 40u);
        int totals = 0;
        for (std::size_t i = 0; i < words.size(); ++i) {
            totals += words[i].text == "合计";
            for (std::size_t j = i + 1; j < words.size(); ++j) {
                const auto& b = words[j];
                EXPECT_FALSE(intersects(words[i], b.x0, b.y0, b.x1, b.y1, 0.3))
                    << n << " modules: '" << words[i].text << "' is drawn over '" << b.text << "'";
            }
            // Nothing runs under the QR code (150, 218 mm, 36 mm square).
            EXPECT_FALSE(intersects(words[i], 150 * kPt, 218 * kPt, 186 * kPt, 254 * kPt, 0.3))
                << n << " modules: '" << words[i].text << "' is under the QR code";
        }
        EXPECT_EQ(totals, 1) << n << " modules";
        // Every module row is there.
        const auto last = fmt::format("电器操作与安全{}", n);
        EXPECT_TRUE(std::ranges::any_of(words, [&](const Word& w) { return w.text == last; })) << last;
    }
}

TEST(Documents, KioskctlRendersTheDemo) {
    const auto kioskctl = testsupport::env("KIOSKCTL");
    if (kioskctl.empty() || !std::filesystem::exists(kioskctl)) GTEST_SKIP() << "KIOSKCTL not built";
    TempDir dir;
    const auto out = dir / "demo.pdf";
    // Rendering signs documents: a clerk or administrator of a center signs in.
    const std::vector<std::string> env{"KIOSK_CERT_TEMPLATES=" + assetsDir().string(),
                                       "KIOSK_DB=" + (dir / "center.db").string(), "KIOSK_CENTER_KEY="};
    auto init = run({kioskctl, "init", "--center", "演示中心"}, env);
    ASSERT_EQ(init.exitCode, 0) << init.err;
    const auto admin = testsupport::adminFrom(init.out);
    ASSERT_TRUE(admin);
    auto r = testsupport::runAs(*admin, {kioskctl, "cert", "render", "--demo", "--badge", "--out", out.string(), "--json"}, env);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["kind"], "badge");
    EXPECT_EQ(j["pages"], 2);
    EXPECT_EQ(readBinary(out).substr(0, 5), "%PDF-");
    r = testsupport::runAs(*admin, {kioskctl, "cert", "render", "--out", out.string(), "--json"}, env);
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("--worker"), std::string::npos) << r.err;
}

/// A print system whose jobs end as scripted.
class FakePrinter final : public devices::Printer {
public:
    std::map<std::string, devices::PrinterStatus> queues;
    std::vector<devices::PrintJobStatus> endings;  // one per submitted job, in order
    int submitted{0};
    devices::Result<devices::PrinterStatus> status(const std::string& q) override {
        if (!queues.contains(q)) return devices::fail(devices::ErrorCode::NotAvailable, "no such printer queue " + q);
        return queues[q];
    }
    devices::Result<int> submit(const std::string&, const std::filesystem::path&, const devices::PrintOptions&) override {
        return ++submitted;
    }
    devices::Result<devices::PrintJobStatus> job(int id) override { return endings.at(static_cast<std::size_t>(id - 1)); }
};

TEST(Printing, FollowsJobsToTheirEnd) {
    TempDir dir;
    const auto a = write(dir, "a.pdf", "%PDF-1.4 a"), b = write(dir, "b.pdf", "%PDF-1.4 b");
    FakePrinter p;
    p.queues["q"] = devices::PrinterStatus{.name = "q", .accepting = true, .stopped = false, .stateMessage = {}, .reasons = {}};
    p.endings = {{devices::PrintJobState::Completed, ""}, {devices::PrintJobState::Aborted, "filter failed"}};
    auto r = devices::printAndWait(p, "q", {a.string(), b.string()}, {}, std::chrono::milliseconds(1));
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ((*r)[0].state, devices::PrintJobState::Completed);
    EXPECT_TRUE((*r)[0].message.empty());
    EXPECT_EQ((*r)[1].state, devices::PrintJobState::Aborted);
    EXPECT_NE((*r)[1].message.find("aborted"), std::string::npos);
    EXPECT_NE((*r)[1].message.find("filter failed"), std::string::npos);
}

TEST(Printing, StopsWaitingWhenThePrinterStops) {
    TempDir dir;
    const auto a = write(dir, "a.pdf", "%PDF-1.4 a");
    FakePrinter p;
    p.queues["q"] = devices::PrinterStatus{.name = "q", .accepting = true, .stopped = false, .stateMessage = {}, .reasons = {}};
    p.endings = {{devices::PrintJobState::Pending, ""}};
    struct Stopping final : devices::Printer {
        FakePrinter& inner;
        int calls{0};
        explicit Stopping(FakePrinter& f) : inner(f) {}
        devices::Result<devices::PrinterStatus> status(const std::string& q) override {
            auto s = inner.status(q);
            if (s && ++calls > 1) s->stopped = true, s->stateMessage = "out of paper";
            return s;
        }
        devices::Result<int> submit(const std::string& q, const std::filesystem::path& f,
                                    const devices::PrintOptions& o) override {
            return inner.submit(q, f, o);
        }
        devices::Result<devices::PrintJobStatus> job(int id) override { return inner.job(id); }
    } stopping(p);
    auto r = devices::printAndWait(stopping, "q", {a.string()}, {}, std::chrono::milliseconds(1));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ((*r)[0].state, devices::PrintJobState::Stopped);
    EXPECT_NE((*r)[0].message.find("out of paper"), std::string::npos) << (*r)[0].message;
    EXPECT_NE((*r)[0].message.find("cupsenable q"), std::string::npos) << (*r)[0].message;
}

TEST(Printing, ChecksFilesBeforeSubmitting) {
    TempDir dir;
    const auto good = write(dir, "a.pdf", "%PDF-1.4 a"), text = write(dir, "b.txt", "hello");
    FakePrinter p;
    p.queues["q"] = devices::PrinterStatus{.name = "q", .accepting = true, .stopped = false, .stateMessage = {}, .reasons = {}};
    auto r = devices::printAndWait(p, "q", {good.string(), text.string()}, {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, devices::ErrorCode::InvalidInput);
    EXPECT_NE(r.error().message.find("not a PDF"), std::string::npos);
    r = devices::printAndWait(p, "q", {(dir / "missing.pdf").string()}, {});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("cannot read"), std::string::npos);
    EXPECT_EQ(p.submitted, 0);
}

}  // namespace
