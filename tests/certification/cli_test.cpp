// kioskctl's certification commands, run as the real binary ($KIOSKCTL) on a center database prepared through the
// Store/ExamStore API (tests/support/certification_fixture.hpp): cert render, key export|trust|list, eligibility,
// verify (text, PNG, PDF), revoke, revocations export|import, submit create|send (with its transport security).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "certification_fixture.hpp"
#include "pg_test_database.hpp"
#include "submission_server.hpp"
#include "test_support.hpp"
#include "training/certificates.hpp"
#include "training/documents.hpp"
#include "training/submission.hpp"

namespace {

using nlohmann::json;
using testsupport::RunResult;
using testsupport::TempDir;

/// A center made by `kioskctl init` in its own folder: its database is a file there, or (on the PostgreSQL
/// fixture) a database of its own on the test cluster, with that folder as its center folder (--center-dir).
struct Center {
    std::string db;            ///< the file, or the connection URI
    std::filesystem::path dir;  ///< the center's folder
    std::string code;
    testsupport::StaffLogin admin;  ///< the first administrator, from init's output

    /// "--db DB" (and "--center-dir DIR" for a URI: it has no folder of its own).
    [[nodiscard]] std::vector<std::string> dbArgs() const {
        if (testsupport::onPostgres()) return {"--db", db, "--center-dir", dir.string()};
        return {"--db", db};
    }
    /// The center's signing key file: beside the database file, or center.key in the center folder.
    [[nodiscard]] std::filesystem::path keyFile() const {
        return testsupport::onPostgres() ? dir / "center.key" : std::filesystem::path(db + ".center-key");
    }
};

class KioskctlTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_kioskctl = testsupport::env("KIOSKCTL");
        if (m_kioskctl.empty() || !std::filesystem::exists(m_kioskctl)) GTEST_SKIP() << "KIOSKCTL not built";
        m_center = init("A01", "甲培训中心");
        auto s = training::Store::open(m_center.db, {.create = false});
        ASSERT_TRUE(s) << s.error().message;
        m_store = std::move(*s);
    }

    Center init(const std::string& code, const std::string& name) {
        std::filesystem::create_directories(m_dir / code);
        Center c{(m_dir / code / "center.db").string(), m_dir / code, code, {}};
        if (testsupport::onPostgres()) {
            m_pg.push_back(std::make_unique<testsupport::PgTestDatabase>());
            c.db = m_pg.back()->uri();
            EXPECT_FALSE(c.db.empty()) << "no PostgreSQL test database";
        }
        auto r = ctl(c, {"init", "--center", name, "--code", code});
        EXPECT_EQ(r.exitCode, 0) << r.err << r.out;
        if (auto admin = testsupport::adminFrom(r.out)) c.admin = *admin;
        return c;
    }

    /// kioskctl with the center's database options, then @p args.
    std::vector<std::string> command(const Center& c, std::vector<std::string> args) const {
        std::vector<std::string> argv{m_kioskctl};
        const auto db = c.dbArgs();
        argv.insert(argv.end(), db.begin(), db.end());
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    }

    /// Runs `kioskctl --db <center> ARGS... --json`, signed in as the center's administrator once there is one.
    RunResult ctl(const Center& c, std::vector<std::string> args) {
        args.insert(args.begin(), "--json");
        auto argv = command(c, std::move(args));
        const auto assets = testsupport::env("KIOSK_ASSETS_DIR");
        std::vector<std::string> env{"KIOSK_CENTER_KEY="};
        if (!assets.empty()) env.push_back("KIOSK_CERT_TEMPLATES=" + assets + "/certificates");
        return c.admin.pin.empty() ? testsupport::run(argv, env) : testsupport::runAs(c.admin, argv, env);
    }
    RunResult ctl(std::vector<std::string> args) { return ctl(m_center, std::move(args)); }

    static json parse(const RunResult& r) {
        auto j = json::parse(r.out, nullptr, false);
        EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.out << r.err;
        return j;
    }

    /// A real face picture when KIOSK_TEST_FACES is set, else the demo's generated portrait.
    static std::vector<std::uint8_t> portrait() {
        const auto faces = testsupport::env("KIOSK_TEST_FACES");
        if (!faces.empty() && std::filesystem::exists(std::filesystem::path(faces) / "a_obama_idchip_240x320.jpg")) {
            const auto s = testsupport::readFile(std::filesystem::path(faces) / "a_obama_idchip_240x320.jpg");
            return {s.begin(), s.end()};
        }
        return training::demoCertificateDocument().portrait;
    }

    testsupport::EligibleWorker eligible(const std::string& first17, const std::string& name, std::int64_t sitting = 0) {
        testsupport::EligibleWorkerOptions o;
        o.first17 = first17;
        o.name = name;
        o.portraitJpeg = portrait();
        o.sittingId = sitting;
        auto w = testsupport::makeEligibleWorker(*m_store, o);
        EXPECT_TRUE(w) << w.error().message;
        return w.value_or(testsupport::EligibleWorker{});
    }

    /// The worker's certificate numbers as stored.
    std::vector<std::string> certificatesOf(std::int64_t worker) {
        training::Certificates certs(*m_store, nullptr);
        auto all = certs.ofWorker(worker);
        EXPECT_TRUE(all) << all.error().message;
        std::vector<std::string> out;
        for (const auto& c : all.value_or(std::vector<training::Certificate>{})) out.push_back(c.number);
        return out;
    }

    training::Certificate certificate(std::int64_t worker) {
        training::Certificates certs(*m_store, nullptr);
        auto all = certs.ofWorker(worker);
        EXPECT_TRUE(all && !all->empty());
        return all && !all->empty() ? all->front() : training::Certificate{};
    }

    /// Issues the worker's certificate through `kioskctl cert render` and returns it.
    training::Certificate issue(std::int64_t worker) {
        auto r = ctl({"cert", "render", "--worker", std::to_string(worker), "--out", (m_dir / "issued.pdf").string()});
        EXPECT_EQ(r.exitCode, 0) << r.err;
        return certificate(worker);
    }

    static std::set<std::string> conditions(const json& unmet) {
        std::set<std::string> out;
        for (const auto& u : unmet) out.insert(u["condition"].get<std::string>());
        return out;
    }

    TempDir m_dir;
    std::vector<std::unique_ptr<testsupport::PgTestDatabase>> m_pg;  ///< dropped after the store below is closed
    std::string m_kioskctl;
    Center m_center;
    std::unique_ptr<training::Store> m_store;
};

std::string pdftotext(const std::filesystem::path& pdf) {
    return testsupport::run({"/usr/bin/pdftotext", "-enc", "UTF-8", pdf.string(), "-"}).out;
}

/// Renders the first page at 300 dpi as PNG (prefix.png).
std::filesystem::path pagePng(const std::filesystem::path& pdf, const std::filesystem::path& prefix) {
    auto r = testsupport::run({"/usr/bin/pdftoppm", "-r", "300", "-f", "1", "-l", "1", "-png", "-singlefile",
                               pdf.string(), prefix.string()});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    auto p = prefix;
    p += ".png";
    return p;
}

}  // namespace

TEST_F(KioskctlTest, CertRenderIssuesOnceAndThePdfCarriesTheNameAndAVerifiableQr) {
    const auto w = eligible("31010119780312002", "王秀英");
    const auto pdf = m_dir / "cert.pdf";
    auto r = ctl({"cert", "render", "--worker", std::to_string(w.workerId), "--out", pdf.string()});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    auto j = parse(r);
    EXPECT_EQ(j["kind"], "certificate");
    EXPECT_LE(j["bytes"].get<int>(), 100 * 1024);
    const auto c = certificate(w.workerId);
    ASSERT_FALSE(c.number.empty());
    EXPECT_TRUE(c.number.starts_with("A01-")) << c.number;
    EXPECT_EQ(j["certificate"], c.number);

    const auto text = pdftotext(pdf);
    EXPECT_NE(text.find("王秀英"), std::string::npos) << text;
    EXPECT_NE(text.find(c.number), std::string::npos) << text;
    EXPECT_EQ(text.find(w.idNumber), std::string::npos) << "the full ID number must not be printed";
    const auto images = testsupport::run({"/usr/bin/pdfimages", "-list", pdf.string()});
    EXPECT_NE(images.out.find("240   320"), std::string::npos) << "the stored portrait is embedded:\n" << images.out;

    // The QR code as a phone would read it: zbarimg on the rendered page, then kioskctl verify on the text.
    const auto png = pagePng(pdf, m_dir / "page");
    if (std::filesystem::exists("/usr/bin/zbarimg")) {
        const auto z = testsupport::run({"/usr/bin/zbarimg", "--raw", "-q", png.string()});
        ASSERT_EQ(z.exitCode, 0) << z.err;
        std::string payload = z.out;
        while (!payload.empty() && (payload.back() == '\n' || payload.back() == '\r')) payload.pop_back();
        EXPECT_EQ(payload, c.payload);
        r = ctl({"verify", payload});
        EXPECT_EQ(r.exitCode, 0) << r.err << r.out;
        EXPECT_EQ(parse(r)["verdict"], "valid");
    }
    // ZXing inside kioskctl: the PDF itself and the picture of its page.
    for (const auto& file : {pdf, png}) {
        r = ctl({"verify", file.string()});
        ASSERT_EQ(r.exitCode, 0) << file << ": " << r.err << r.out;
        j = parse(r);
        EXPECT_EQ(j["verdict"], "valid");
        EXPECT_EQ(j["fields"]["name"], "王秀英");
        EXPECT_EQ(j["fields"]["certificate"], c.number);
    }

    // Rendering again (and the badge card) issues nothing new.
    const auto badge = m_dir / "badge.pdf";
    r = ctl({"cert", "render", "--worker", w.idNumber, "--badge", "--out", badge.string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(parse(r)["pages"], 2);
    const auto badgeText = pdftotext(badge);
    EXPECT_NE(badgeText.find("王秀英"), std::string::npos) << badgeText;
    EXPECT_NE(badgeText.find("安心家政服务有限公司"), std::string::npos) << badgeText;
    EXPECT_NE(badgeText.find("保洁、养老护理"), std::string::npos) << "service types by name:\n" << badgeText;
    EXPECT_EQ(certificatesOf(w.workerId), std::vector<std::string>{c.number});
}

TEST_F(KioskctlTest, CertRenderRefusesANotEligibleWorkerWithEveryUnmetCondition) {
    testsupport::EligibleWorkerOptions o;
    o.first17 = "11010519491231002";
    o.name = "张桂兰";
    o.healthCheck = false;
    o.shortModule = "safety";
    o.shortMinutes = 90;
    o.wrongAnswers = 100;  // every answer wrong
    auto w = testsupport::makeEligibleWorker(*m_store, o);
    ASSERT_TRUE(w) << w.error().message;
    const auto pdf = m_dir / "refused.pdf";
    auto r = ctl({"cert", "render", "--worker", std::to_string(w->workerId), "--out", pdf.string()});
    EXPECT_EQ(r.exitCode, 1) << r.err << r.out;
    const auto j = parse(r);
    EXPECT_EQ(j["ok"], false);
    EXPECT_EQ(j["error"]["code"], "refused");
    EXPECT_EQ(conditions(j["unmet"]), (std::set<std::string>{"hours", "exam", "health-check"})) << j.dump(2);
    for (const auto& u : j["unmet"]) {
        EXPECT_FALSE(u["staff"].get<std::string>().empty());
        EXPECT_FALSE(u["worker"]["zh"].get<std::string>().empty());
        if (u["condition"] == "hours") {
            EXPECT_EQ(u["item"], "safety");
            EXPECT_EQ(u["missing_minutes"], 90);
        }
    }
    EXPECT_NE(r.err.find("not eligible"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(pdf));
    EXPECT_TRUE(certificatesOf(w->workerId).empty());
}

TEST_F(KioskctlTest, EligibilityForAWorkerAndASitting) {
    const auto ok = eligible("31010119780312002", "王秀英");
    testsupport::EligibleWorkerOptions o;
    o.first17 = "11010519491231002";
    o.name = "张桂兰";
    o.consents = false;
    o.agency = false;
    o.sittingId = ok.sittingId;
    auto notYet = testsupport::makeEligibleWorker(*m_store, o);
    ASSERT_TRUE(notYet) << notYet.error().message;

    auto r = ctl({"eligibility", "--worker", std::to_string(ok.workerId)});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    auto j = parse(r);
    EXPECT_EQ(j["eligible"], true);
    EXPECT_TRUE(j["unmet"].empty());

    r = ctl({"eligibility", "--worker", notYet->idNumber});
    EXPECT_EQ(r.exitCode, 1) << r.err;
    j = parse(r);
    EXPECT_EQ(j["eligible"], false);
    EXPECT_EQ(conditions(j["unmet"]), (std::set<std::string>{"consent", "agency"}));
    // The default rule asks for the commitment letter and the credit-check authorisation (the biometric consent
    // is optional: refusing face recognition never blocks the badge).
    EXPECT_EQ(j["unmet"].size(), 3u) << "one entry per missing consent, and the agency";

    r = ctl({"eligibility", "--sitting", std::to_string(ok.sittingId)});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    j = parse(r);
    EXPECT_EQ(j["eligible"], 1);
    EXPECT_EQ(j["workers"].size(), 2u);

    r = ctl({"eligibility", "--sitting", "999"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("no exam sitting 999"), std::string::npos) << r.err;
    r = ctl({"eligibility"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("--worker W or --sitting S"), std::string::npos) << r.err;
}

TEST_F(KioskctlTest, JsonFilesWithMistypedFieldsAreRefusedNamingTheField) {
    // Each used to abort kioskctl (uncaught nlohmann::json::type_error, exit 134).
    auto exported = testsupport::run(command(m_center, {"key", "export"}), {"KIOSK_CENTER_KEY="});
    ASSERT_EQ(exported.exitCode, 0) << exported.err;
    const auto key = json::parse(exported.out);
    const auto b = init("B02", "乙培训中心");
    struct Case {
        std::vector<std::string> command;
        json doc;
        std::string field;
    };
    json badVersion = key;
    badVersion["version"] = "1";
    json badName = key;
    badName["name"] = 7;
    json badFormat = key;
    badFormat["format"] = json::array();
    const std::vector<Case> cases{
        {{"key", "trust"}, badVersion, "version"},
        {{"key", "trust"}, badName, "name"},
        {{"key", "trust"}, badFormat, "format"},
        {{"revocations", "import"},
         json{{"format", "badge-revocations"}, {"version", 1}, {"center", 5}, {"revoked", json::array()}, {"signature", "x"}},
         "center"},
        {{"revocations", "import"}, json{{"format", "badge-revocations"}, {"version", true}}, "version"},
        {{"revocations", "import"},
         json{{"format", "badge-revocations"}, {"version", 1}, {"center", "A01"}, {"revoked", "all"}, {"signature", "x"}},
         "revoked"}};
    int n = 0;
    for (const auto& c : cases) {
        const auto file = m_dir / ("mistyped-" + std::to_string(++n) + ".json");
        testsupport::writeFile(file, c.doc.dump());
        auto cmd = c.command;
        cmd.push_back(file.string());
        auto r = ctl(b, cmd);
        EXPECT_EQ(r.exitCode, 1) << c.doc.dump() << "\n" << r.err;
        EXPECT_NE(r.err.find("field " + c.field + " must be"), std::string::npos) << c.doc.dump() << "\n" << r.err;
    }
}

TEST_F(KioskctlTest, KeysAreExportedTrustedAndListedAcrossCenters) {
    const auto w = eligible("31010119780312002", "王秀英");
    const auto c = issue(w.workerId);
    ASSERT_FALSE(c.payload.empty());

    // Center A's public key, as given to others.
    auto exported = testsupport::run(command(m_center, {"key", "export"}), {"KIOSK_CENTER_KEY="});
    ASSERT_EQ(exported.exitCode, 0) << exported.err;
    const auto keyFile = m_dir / "a01.key.json";
    testsupport::writeFile(keyFile, exported.out);
    const auto k = json::parse(exported.out);
    EXPECT_EQ(k["center"], "A01");
    EXPECT_EQ(exported.out.find("secret"), std::string::npos) << "only the public key leaves the center";

    // Center B does not know A's certificates until it trusts A's key.
    const auto b = init("B02", "乙培训中心");
    auto r = ctl(b, {"verify", c.payload});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(parse(r)["verdict"], "unknown-center");
    r = ctl(b, {"key", "trust", keyFile.string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(parse(r)["center"], "A01");
    r = ctl(b, {"key", "trust", keyFile.string()});
    EXPECT_EQ(r.exitCode, 0) << "trusting the same key again changes nothing: " << r.err;
    r = ctl(b, {"key", "list"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto list = parse(r);
    ASSERT_EQ(list.size(), 2u) << list.dump(2);
    EXPECT_EQ(list[0]["center"], "B02");
    EXPECT_EQ(list[0]["own"], true);
    EXPECT_EQ(list[1]["center"], "A01");
    EXPECT_EQ(list[1]["public_key"], k["public_key"]);
    r = ctl(b, {"verify", c.payload});
    EXPECT_EQ(r.exitCode, 0) << r.err << r.out;
    EXPECT_EQ(parse(r)["verdict"], "valid");

    // Another key claiming to be A01 is refused; junk is not a key.
    const auto impostor = init("A01X", "冒名中心");
    auto other = testsupport::run(command(impostor, {"key", "export"}), {"KIOSK_CENTER_KEY="});
    ASSERT_EQ(other.exitCode, 0);
    auto forged = json::parse(other.out);
    forged["center"] = "A01";
    testsupport::writeFile(m_dir / "forged.json", forged.dump());
    r = ctl(b, {"key", "trust", (m_dir / "forged.json").string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(parse(r)["error"]["code"], "conflict");
    testsupport::writeFile(m_dir / "junk.json", "hello");
    r = ctl(b, {"key", "trust", (m_dir / "junk.json").string()});
    EXPECT_EQ(r.exitCode, 1);
    r = ctl(b, {"key", "trust", (m_dir / "missing.json").string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("cannot read"), std::string::npos) << r.err;
}

TEST_F(KioskctlTest, VerifyAcceptsTextPictureAndPdfAndSaysWhyNot) {
    const auto w = eligible("31010119780312002", "王秀英");
    const auto pdf = m_dir / "v.pdf";
    auto r = ctl({"cert", "render", "--worker", std::to_string(w.workerId), "--out", pdf.string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto c = certificate(w.workerId);
    const auto png = pagePng(pdf, m_dir / "v");
    for (const auto& input : {c.payload, pdf.string(), png.string()}) {
        r = ctl({"verify", input});
        EXPECT_EQ(r.exitCode, 0) << input << ": " << r.err << r.out;
        EXPECT_EQ(parse(r)["fields"]["certificate"], c.number) << input;
    }
    // A changed character breaks the signature (or the encoding): never "valid".
    auto tampered = c.payload;
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
    r = ctl({"verify", tampered});
    EXPECT_EQ(r.exitCode, 1) << r.out;
    const auto verdict = parse(r)["verdict"].get<std::string>();
    EXPECT_TRUE(verdict == "bad-signature" || verdict == "malformed") << verdict;
    r = ctl({"verify", "HSB1:nonsense"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(parse(r)["verdict"], "malformed");
    // A picture without a QR code.
    const auto noQr = training::demoCertificateDocument().portrait;
    testsupport::writeFile(m_dir / "blank.jpg", std::string(noQr.begin(), noQr.end()));
    r = ctl({"verify", (m_dir / "blank.jpg").string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("no QR code found in the picture"), std::string::npos) << r.err;
}

TEST_F(KioskctlTest, VerifyReadsEveryPageOfAPdfAndTakesAnyFileName) {
    const auto w = eligible("31010119780312002", "王秀英");
    const auto c = issue(w.workerId);
    // The badge card's QR code is on its back, page 2.
    const auto badge = m_dir / "badge.pdf";
    auto r = ctl({"cert", "render", "--worker", std::to_string(w.workerId), "--badge", "--out", badge.string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    r = ctl({"verify", badge.string()});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    EXPECT_EQ(parse(r)["verdict"], "valid");
    EXPECT_EQ(parse(r)["fields"]["certificate"], c.number);

    // A file name is never a command, and quotes in it are just characters. TMPDIR would name where an injected
    // command writes (no '/' can be in a file name).
    const std::string tmpdir = (m_dir / "").string();
    for (const std::string name : {"a';touch \"${TMPDIR}pwned\";'.pdf", "it's.pdf", "-dash.pdf"}) {
        const auto copy = m_dir / name;
        std::filesystem::copy_file(badge, copy);
        r = testsupport::run(command(m_center, {"--json", "verify", copy.string()}), {"KIOSK_CENTER_KEY=", "TMPDIR=" + tmpdir});
        EXPECT_EQ(r.exitCode, 0) << name << ": " << r.err << r.out;
        EXPECT_EQ(parse(r)["verdict"], "valid") << name;
    }
    EXPECT_FALSE(std::filesystem::exists(m_dir / "pwned")) << "a file name ran a command";

    // A PDF without a QR code says so (not something about the picture).
    testsupport::writeFile(m_dir / "blank.pdf",
                           "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                           "2 0 obj<</Type/Pages/Kids[3 0 R 4 0 R]/Count 2>>endobj\n"
                           "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
                           "4 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
                           "trailer<</Root 1 0 R>>\n%%EOF\n");
    r = ctl({"verify", (m_dir / "blank.pdf").string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("no QR code found on any of the 2 page(s)"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("picture"), std::string::npos) << r.err;
    // Not a PDF at all.
    testsupport::writeFile(m_dir / "junk.pdf", "not a pdf");
    r = ctl({"verify", (m_dir / "junk.pdf").string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("not a readable PDF"), std::string::npos) << r.err;
}

TEST_F(KioskctlTest, RevocationIsSignedExportedAndImportedByATrustingCenter) {
    const auto w = eligible("31010119780312002", "王秀英");
    const auto c = issue(w.workerId);
    auto r = ctl({"revoke", "--certificate", c.number, "--reason", "证件造假 forged ID"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(parse(r)["certificate"], c.number);
    r = ctl({"revoke", "--certificate", c.number, "--reason", "again"});
    EXPECT_EQ(r.exitCode, 1) << "already revoked";
    r = ctl({"revoke", "--certificate", "A01-2000-000001", "--reason", "x"});
    EXPECT_EQ(r.exitCode, 1);
    r = ctl({"verify", c.payload});
    EXPECT_EQ(r.exitCode, 1);
    auto j = parse(r);
    EXPECT_EQ(j["verdict"], "revoked");
    EXPECT_EQ(j["revocation_reason"], "证件造假 forged ID");

    const auto list = m_dir / "revoked.json";
    r = ctl({"revocations", "export", "--out", list.string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(testsupport::readFile(list).find(c.number), std::string::npos);

    // Center B trusts A, imports A's list once; then A's certificate is revoked at B too.
    const auto b = init("B02", "乙培训中心");
    auto exported = testsupport::run(command(m_center, {"key", "export"}), {"KIOSK_CENTER_KEY="});
    testsupport::writeFile(m_dir / "a.key", exported.out);
    r = ctl(b, {"revocations", "import", list.string()});
    EXPECT_EQ(r.exitCode, 1) << "an untrusted center's list is refused: " << r.out;
    ASSERT_EQ(ctl(b, {"key", "trust", (m_dir / "a.key").string()}).exitCode, 0);
    r = ctl(b, {"revocations", "import", list.string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(parse(r)["added"], 1);
    r = ctl(b, {"revocations", "import", list.string()});
    EXPECT_EQ(parse(r)["added"], 0);
    r = ctl(b, {"verify", c.payload});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(parse(r)["verdict"], "revoked");

    // A list changed after signing is refused.
    auto text = testsupport::readFile(list);
    text.replace(text.find(c.number), c.number.size(), "A01-2026-999999");
    testsupport::writeFile(m_dir / "changed.json", text);
    r = ctl(b, {"revocations", "import", (m_dir / "changed.json").string()});
    EXPECT_EQ(r.exitCode, 1) << r.out;
}

TEST_F(KioskctlTest, TheQrCodeIsTheCentersHttpsAddressWithTheCodeInItsFragment) {
    auto r = ctl({"key", "url"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(parse(r)["verify_url"], "");
    for (const char* bad : {"http://verify.example.cn/v", "https://verify.example.cn/v#x", "https://x/ y", "https://"}) {
        r = ctl({"key", "url", bad});
        EXPECT_EQ(r.exitCode, 1) << bad;
    }
    r = ctl({"key", "url", "https://verify.example.cn/v/"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(parse(r)["verify_url"], "https://verify.example.cn/v/");
    struct stat st {};
    ASSERT_EQ(::stat(m_center.keyFile().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << "the rewritten key file stays owner-only";
    auto audit = m_store->database().prepare("SELECT count(*) FROM audit_log WHERE action = 'center.verify-url'");
    ASSERT_TRUE(audit);
    ASSERT_TRUE(audit->step());
    EXPECT_EQ(audit->int64(0), 1);
    audit->reset();

    const auto w = eligible("31010119780312002", "王秀英");
    const auto pdf = m_dir / "url.pdf";
    r = ctl({"cert", "render", "--worker", std::to_string(w.workerId), "--out", pdf.string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto c = certificate(w.workerId);
    ASSERT_TRUE(c.payload.starts_with("https://verify.example.cn/v/#")) << c.payload;
    const auto code = c.payload.substr(c.payload.find('#') + 1);
    EXPECT_EQ(code.find_first_not_of("0123456789"), std::string::npos) << code;
    if (std::filesystem::exists("/usr/bin/zbarimg")) {
        const auto z = testsupport::run({"/usr/bin/zbarimg", "--raw", "-q", pagePng(pdf, m_dir / "url").string()});
        std::string text = z.out;
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
        EXPECT_EQ(text, c.payload) << "a phone's camera reads the https address";
    }
    for (const auto& input : {c.payload, code, pdf.string()}) {
        r = ctl({"verify", input});
        EXPECT_EQ(r.exitCode, 0) << input << ": " << r.err << r.out;
        EXPECT_EQ(parse(r)["verdict"], "valid") << input;
        EXPECT_EQ(parse(r)["fields"]["name"], "王秀英") << input;
    }
    // Another host in front of the same code is the same code (the page may be hosted anywhere).
    r = ctl({"verify", "https://elsewhere.example.org/check#" + code});
    EXPECT_EQ(parse(r)["verdict"], "valid");
    r = ctl({"key", "url", "--clear"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(parse(ctl({"key", "url"}))["verify_url"], "");
}

TEST_F(KioskctlTest, ReissueAfterRevocationNeedsAFlagAndAReasonAndIsAudited) {
    const auto w = eligible("31010119780312002", "王秀英");
    const auto first = issue(w.workerId);
    ASSERT_EQ(ctl({"revoke", "--certificate", first.number, "--reason", "证件造假 forged ID"}).exitCode, 0);
    const auto worker = std::to_string(w.workerId);
    const auto pdf = (m_dir / "again.pdf").string();

    // Eligibility says the certificate was revoked, and how a new one is decided.
    auto r = ctl({"eligibility", "--worker", worker});
    EXPECT_EQ(r.exitCode, 1) << r.out;
    auto j = parse(r);
    EXPECT_EQ(j["eligible"], false);
    EXPECT_EQ(conditions(j["unmet"]), std::set<std::string>{"revoked"}) << j.dump(2);
    const auto staff = j["unmet"][0]["staff"].get<std::string>();
    EXPECT_NE(staff.find(first.number), std::string::npos) << staff;
    EXPECT_NE(staff.find("--reissue"), std::string::npos) << staff;
    EXPECT_NE(j["unmet"][0]["worker"]["zh"].get<std::string>().find("注销"), std::string::npos);

    // The next render does not quietly issue a new certificate.
    r = ctl({"cert", "render", "--worker", worker, "--out", pdf});
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_NE(r.err.find("revoked"), std::string::npos) << r.err;
    EXPECT_EQ(certificatesOf(w.workerId), std::vector<std::string>{first.number});
    // A flag without a reason, or a reason without the flag, is refused.
    EXPECT_EQ(ctl({"cert", "render", "--worker", worker, "--reissue", "--out", pdf}).exitCode, 1);
    EXPECT_EQ(ctl({"cert", "render", "--worker", worker, "--reason", "x", "--out", pdf}).exitCode, 1);
    r = ctl({"cert", "render", "--worker", worker, "--reissue", "--reason", "  ", "--out", pdf});
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_EQ(certificatesOf(w.workerId), std::vector<std::string>{first.number});

    // The explicit decision issues a new one, audited with its reason and the number it replaces.
    r = ctl({"cert", "render", "--worker", worker, "--reissue", "--reason", "身份已重新核验 identity re-checked",
             "--out", pdf});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto second = certificate(w.workerId);
    EXPECT_NE(second.number, first.number);
    EXPECT_FALSE(second.revokedAt);
    auto st = m_store->database().prepare("SELECT details FROM audit_log WHERE action = 'certificate.reissue'");
    ASSERT_TRUE(st);
    auto row = st->step();
    ASSERT_TRUE(row && *row) << "no certificate.reissue audit entry";
    const auto details = json::parse(st->text(0));
    st->reset();
    EXPECT_EQ(details["number"], second.number);
    EXPECT_EQ(details["replaces"], first.number);
    EXPECT_EQ(details["reason"], "身份已重新核验 identity re-checked");
    EXPECT_EQ(ctl({"eligibility", "--worker", worker}).exitCode, 0);
    // Rendering again is idempotent; a re-issue for a worker without a revoked certificate is refused.
    EXPECT_EQ(ctl({"cert", "render", "--worker", worker, "--out", pdf}).exitCode, 0);
    EXPECT_EQ(certificatesOf(w.workerId).size(), 2u);
    const auto other = eligible("11010519491231002", "张桂兰", w.sittingId);
    r = ctl({"cert", "render", "--worker", std::to_string(other.workerId), "--reissue", "--reason", "x", "--out", pdf});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("no revoked certificate"), std::string::npos) << r.err;
    EXPECT_TRUE(certificatesOf(other.workerId).empty());
}

class SubmitCliTest : public KioskctlTest {
protected:
    void SetUp() override {
        KioskctlTest::SetUp();
        if (IsSkipped()) return;
        const auto first = eligible("31010119780312002", "王秀英");
        eligible("11010519491231002", "张桂兰", first.sittingId);
        std::filesystem::create_directories(m_dir / "out");
        auto r = ctl({"submit", "create", "--out", (m_dir / "out").string(), "--zip"});
        ASSERT_EQ(r.exitCode, 0) << r.err;
        const auto j = parse(r);
        ASSERT_EQ(j["added"], 2) << j.dump(2);
        m_batch = j["batch"]["id"].get<std::int64_t>();
        m_manifest = std::filesystem::path(j["batch"]["folder"].get<std::string>()) / "manifest.json";
        // This center's key as registered with the network center; the network center's receipt key, installed
        // here beforehand with 'submit trust-network-center'.
        auto key = training::CenterKey::load(m_center.keyFile());
        ASSERT_TRUE(key) << key.error().message;
        testsupport::writeFile(m_dir / "center.pub", training::exportPublicKey(key->publicInfo()));
        auto nc = training::CenterKey::create(m_dir / "network.key", "NETWORK");
        ASSERT_TRUE(nc) << nc.error().message;
        m_network = std::make_unique<training::CenterKey>(std::move(*nc));
        testsupport::writeFile(m_dir / "network.pub", training::exportPublicKey(m_network->publicInfo()));
        r = ctl({"submit", "trust-network-center", (m_dir / "network.pub").string()});
        ASSERT_EQ(r.exitCode, 0) << r.err;
        EXPECT_EQ(parse(r)["center"], "NETWORK");
    }
    [[nodiscard]] certtest::ReceiverKeys keys() const { return {m_dir / "center.pub", m_dir / "network.key"}; }
    /// Writes @p doc signed with @p key as the network center signs its answers; returns the file.
    std::filesystem::path answerFile(const training::CenterKey& key, json doc) {
        doc["signature"] = training::base64UrlEncode(key.sign(doc.dump()));
        const auto p = m_dir / "answer.json";
        testsupport::writeFile(p, doc.dump());
        return p;
    }
    std::unique_ptr<training::CenterKey> m_network;
    std::filesystem::path m_manifest;
    std::filesystem::path token(const std::string& text, mode_t mode) {
        const auto p = m_dir / "token";
        testsupport::writeFile(p, text);
        ::chmod(p.c_str(), mode);
        return p;
    }
    RunResult send(const std::string& url, std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"submit", "send", "--batch", std::to_string(m_batch), "--url", url, "--attempts", "1"};
        args.insert(args.end(), extra.begin(), extra.end());
        return ctl(args);
    }
    std::int64_t m_batch{0};
};

TEST_F(SubmitCliTest, CreateIsIdempotent) {
    auto r = ctl({"submit", "create", "--out", (m_dir / "out").string(), "--zip"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = parse(r);
    EXPECT_EQ(j["added"], 0);
    EXPECT_EQ(j["already_submitted"], 2);
    EXPECT_TRUE(j["batch"].is_null());
    r = ctl({"submit", "list"});
    ASSERT_EQ(r.exitCode, 0);
    const auto list = parse(r);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0]["workers"].size(), 2u);
    EXPECT_TRUE(std::filesystem::exists(list[0]["zip"].get<std::string>()));
}

TEST_F(SubmitCliTest, SendCarriesTheBearerTokenAndIsNotRepeated) {
    const auto tokenFile = token("s3cret-Token_42\n", 0600);
    certtest::SubmissionServer server(m_dir.path(), 0, keys(), tokenFile);
    ASSERT_FALSE(server.url().empty()) << "the test server did not start";

    // Without the token the network center answers 401: refused, with its answer.
    auto r = send(server.url());
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_NE(r.err.find("HTTP 401"), std::string::npos) << r.err;

    // A token file others can read is refused before anything is sent.
    ::chmod(tokenFile.c_str(), 0644);
    const auto before = server.log().size();
    r = send(server.url(), {"--token-file", tokenFile.string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("chmod 600"), std::string::npos) << r.err;
    EXPECT_EQ(server.log().size(), before);
    ::chmod(tokenFile.c_str(), 0600);

    r = send(server.url(), {"--token-file", tokenFile.string()});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    auto j = parse(r);
    EXPECT_EQ(j["state"], "sent");
    EXPECT_EQ(j["receipt"]["receipt"], "R-0001");
    const auto log = server.log();
    ASSERT_FALSE(log.empty());
    EXPECT_EQ(log.back()["auth"], "Bearer s3cret-Token_42");
    EXPECT_EQ(log.back()["stored"], true);

    // Sent is sent: again changes nothing and uploads nothing.
    r = send(server.url(), {"--token-file", tokenFile.string()});
    EXPECT_EQ(r.exitCode, 0);
    EXPECT_EQ(server.log().size(), log.size());
}

TEST_F(SubmitCliTest, SendExplainsTransportProblems) {
    // Nobody listens on port 1: retried, then an I/O failure (exit 2); the batch stays "sending".
    auto r = send("http://127.0.0.1:1/batches");
    EXPECT_EQ(r.exitCode, 2) << r.out;
    EXPECT_NE(r.err.find("could not be sent after 1 attempts"), std::string::npos) << r.err;
    r = ctl({"submit", "list"});
    EXPECT_EQ(parse(r)[0]["state"], "sending");

    // A CA file that is not a certificate.
    testsupport::writeFile(m_dir / "bad-ca.pem", "not a certificate\n");
    certtest::SubmissionServer server(m_dir.path(), 0, keys());
    ASSERT_FALSE(server.url().empty());
    auto https = server.url();
    https.replace(0, 4, "https");
    r = send(https, {"--ca-file", (m_dir / "bad-ca.pem").string()});
    EXPECT_EQ(r.exitCode, 1) << r.err << r.out;
    EXPECT_NE(r.err.find("CA file"), std::string::npos) << r.err;
    // TLS to a server that does not speak it.
    r = send(https);
    EXPECT_EQ(r.exitCode, 1) << r.err << r.out;
    EXPECT_NE(r.err.find("TLS connection"), std::string::npos) << r.err;

    // Options that cannot work, refused before anything is sent.
    r = send(server.url(), {"--ca-file", (m_dir / "bad-ca.pem").string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("https:// URLs only"), std::string::npos) << r.err;
    r = send(https, {"--client-cert", (m_dir / "bad-ca.pem").string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("--client-key"), std::string::npos) << r.err;
    r = send(https, {"--ca-file", (m_dir / "missing.pem").string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("cannot read the CA file"), std::string::npos) << r.err;
    const auto tokenFile = token("abc", 0600);
    r = send("http://192.0.2.1/batches", {"--token-file", tokenFile.string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("unencrypted"), std::string::npos) << r.err;
    // Plain http to another machine is refused with or without a token: batches travel over https only.
    r = send("http://192.0.2.1/batches");
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("not an https:// URL"), std::string::npos) << r.err;
    token("", 0600);
    r = send(server.url(), {"--token-file", tokenFile.string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("is empty"), std::string::npos) << r.err;
    EXPECT_TRUE(server.log().empty()) << "nothing reached the server";

    // Still resumable: the same batch goes through once the problem is fixed.
    r = send(server.url());
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(parse(r)["state"], "sent");
}

TEST_F(SubmitCliTest, SendOverTlsWithTheCentersCaAndAClientCertificate) {
    // A test CA signing the server's certificate (for 127.0.0.1) and this center's client certificate.
    const auto tls = m_dir / "tls";
    std::filesystem::create_directories(tls);
    auto openssl = [&](std::vector<std::string> args) {
        args.insert(args.begin(), "/usr/bin/openssl");
        const auto r = testsupport::run(args);
        EXPECT_EQ(r.exitCode, 0) << r.err;
    };
    const auto f = [&](const char* name) { return (tls / name).string(); };
    if (!std::filesystem::exists("/usr/bin/openssl")) GTEST_SKIP() << "openssl missing: install openssl";
    const std::vector<std::string> ec{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"};
    auto req = [&](std::vector<std::string> args) {
        std::vector<std::string> a{"req"};
        a.insert(a.end(), ec.begin(), ec.end());
        a.insert(a.end(), args.begin(), args.end());
        openssl(a);
    };
    req({"-x509", "-keyout", f("ca.key"), "-out", f("ca.pem"), "-subj", "/CN=Network Center Test CA", "-days", "2"});
    req({"-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=127.0.0.1", "-addext",
         "subjectAltName=IP:127.0.0.1"});
    openssl({"x509", "-req", "-in", f("server.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial",
             "-out", f("server.pem"), "-days", "2", "-copy_extensions", "copy"});
    req({"-keyout", f("client.key"), "-out", f("client.csr"), "-subj", "/CN=kiosk-A01"});
    openssl({"x509", "-req", "-in", f("client.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial",
             "-out", f("client.pem"), "-days", "2"});
    ASSERT_FALSE(HasFailure());

    certtest::SubmissionServer server(tls, 0, keys(), {},
                                      {"--tls-cert", f("server.pem"), "--tls-key", f("server.key"), "--client-ca",
                                       f("ca.pem")});
    ASSERT_TRUE(server.url().starts_with("https://")) << "the TLS test server did not start";

    // The system's trust store does not know the test CA.
    auto r = send(server.url());
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_NE(r.err.find("is not trusted"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--ca-file"), std::string::npos) << r.err;

    // A client key others can read is refused.
    ::chmod(f("client.key").c_str(), 0644);
    r = send(server.url(), {"--ca-file", f("ca.pem"), "--client-cert", f("client.pem"), "--client-key", f("client.key")});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("chmod 600"), std::string::npos) << r.err;
    EXPECT_TRUE(server.log().empty());

    ::chmod(f("client.key").c_str(), 0600);
    r = send(server.url(), {"--ca-file", f("ca.pem"), "--client-cert", f("client.pem"), "--client-key", f("client.key")});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    EXPECT_EQ(parse(r)["state"], "sent");
    const auto log = server.log();
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0]["client"], "kiosk-A01") << "the server saw the client certificate";
    EXPECT_EQ(log[0]["stored"], true);
}

TEST_F(SubmitCliTest, ReceiptsAndAnswersMustBeSignedByTheNetworkCenterAndAcknowledgedFilesAreDeleted) {
    // Without the installed network center key nothing is sent.
    const auto installed = std::filesystem::path(m_center.dir) / "network-center-key.json";
    ASSERT_TRUE(std::filesystem::exists(installed)) << "trust-network-center installs the key in the center folder";
    std::filesystem::rename(installed, m_dir / "aside.json");
    certtest::SubmissionServer unsignedServer(m_dir.path(), 0, {m_dir / "center.pub", {}});
    ASSERT_FALSE(unsignedServer.url().empty());
    auto r = send(unsignedServer.url());
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("trust-network-center"), std::string::npos) << r.err;
    EXPECT_TRUE(unsignedServer.log().empty());
    std::filesystem::rename(m_dir / "aside.json", installed);

    // An unsigned receipt is refused and nothing is recorded.
    r = send(unsignedServer.url());
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_NE(r.err.find("is not signed"), std::string::npos) << r.err;
    auto list = parse(ctl({"submit", "list"}));
    EXPECT_EQ(list[0]["state"], "sending");
    EXPECT_TRUE(list[0]["receipt"].is_null());

    std::filesystem::remove(m_dir / "server.log");
    certtest::SubmissionServer server(m_dir.path(), 0, keys());
    ASSERT_FALSE(server.url().empty());
    r = send(server.url());
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto batch = parse(r);
    EXPECT_EQ(batch["state"], "sent");
    EXPECT_EQ(batch["files"], "present");
    const auto code = batch["code"].get<std::string>();
    const auto first = batch["workers"][0]["certificate"].get<std::string>();
    const json answer{{"batch", code}, {"badges", {{{"certificate", first}, {"badge", "SH-HB-0000042"}}}}};

    // The manifest carries the audit chain's signed head: 'audit verify --checkpoint' takes the manifest itself.
    std::filesystem::copy_file(m_manifest, m_dir / "kept-manifest.json");
    r = ctl({"audit", "verify", "--checkpoint", (m_dir / "kept-manifest.json").string()});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(parse(r)["intact"], true);

    // An unsigned answer, and one signed by another key, are refused; no badge number is written.
    testsupport::writeFile(m_dir / "unsigned.json", answer.dump());
    r = ctl({"submit", "ack", "--batch", std::to_string(m_batch), "--receipt", (m_dir / "unsigned.json").string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("is not signed"), std::string::npos) << r.err;
    const auto forger = training::CenterKey::ephemeral("NETWORK");
    r = ctl({"submit", "ack", "--batch", std::to_string(m_batch), "--receipt", answerFile(forger, answer).string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("not signed with the installed network center key"), std::string::npos) << r.err;
    list = parse(ctl({"submit", "list"}));
    EXPECT_EQ(list[0]["state"], "sent");
    EXPECT_TRUE(list[0]["workers"][0]["badge"].is_null());
    EXPECT_EQ(list[0]["files"], "present");

    // Signed by the network center: recorded, and the manifest and portraits are deleted.
    r = ctl({"submit", "ack", "--batch", std::to_string(m_batch), "--receipt", answerFile(*m_network, answer).string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    list = parse(ctl({"submit", "list"}));
    EXPECT_EQ(list[0]["state"], "acknowledged");
    EXPECT_EQ(list[0]["workers"][0]["badge"], "SH-HB-0000042");
    EXPECT_EQ(list[0]["files"], "deleted");
    EXPECT_FALSE(list[0]["manifest_sha256"].get<std::string>().empty());
    EXPECT_FALSE(list[0]["receipt"].is_null());
    EXPECT_FALSE(std::filesystem::exists(list[0]["folder"].get<std::string>()));
    EXPECT_FALSE(std::filesystem::exists(list[0]["zip"].get<std::string>()));
    // The kept copy of the manifest still checks the chain, which has grown since.
    r = ctl({"audit", "verify", "--checkpoint", (m_dir / "kept-manifest.json").string()});
    EXPECT_EQ(r.exitCode, 0) << r.err;
}

TEST_F(SubmitCliTest, TheRevocationListCarriesACheckpointThatAuditVerifyTakes) {
    const auto list = m_dir / "revocations.json";
    auto r = ctl({"revocations", "export", "--out", list.string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = json::parse(testsupport::readFile(list));
    ASSERT_TRUE(j.contains("audit_checkpoint")) << j.dump();
    r = ctl({"audit", "verify", "--checkpoint", list.string()});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(parse(r)["checkpoint_row"], j["audit_checkpoint"]["row_id"]);
    // The head inside the list, altered: refused.
    auto altered = j;
    altered["audit_checkpoint"]["hash"] = std::string(64, '0');
    testsupport::writeFile(m_dir / "altered.json", altered.dump());
    r = ctl({"audit", "verify", "--checkpoint", (m_dir / "altered.json").string()});
    EXPECT_EQ(r.exitCode, 1) << r.out;
}
