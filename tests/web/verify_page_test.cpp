// The verification page in a real browser: a center made with kioskctl issues certificates, sets its verification
// address and exports the page (kioskctl web export); a loopback-only HTTP server serves the folder, and headless
// Chromium (every host but 127.0.0.1 unresolvable) opens the page with each code in the fragment. The page's verdict
// (data-verdict) must equal kioskctl verify's for the same code: valid, changed by one character, revoked, expired,
// signed by an unknown key; and offline, from the service worker, once the page was opened.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <optional>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "certification_fixture.hpp"
#include "test_support.hpp"
#include "training/certificates.hpp"
#include "training/validation.hpp"

extern char** environ;

namespace {

using nlohmann::json;
using testsupport::RunResult;
using testsupport::TempDir;

constexpr const char* kChromium = "/usr/bin/chromium";
constexpr const char* kVerifyUrl = "https://verify.example.cn/v/";

/// `python3 -m http.server` on 127.0.0.1 and a free port, serving one folder; its request log is kept.
class LoopbackServer {
public:
    LoopbackServer(const std::filesystem::path& root, const std::filesystem::path& logDir)
        : m_out(logDir / "server.out"), m_log(logDir / "server.log") {
        std::vector<std::string> argv{"/usr/bin/python3", "-u", "-m", "http.server", "--bind", "127.0.0.1",
                                      "--directory", root.string(), "0"};
        std::vector<char*> cargv;
        for (auto& a : argv) cargv.push_back(a.data());
        cargv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, m_out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_addopen(&actions, 2, m_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (posix_spawn(&m_pid, cargv[0], &actions, nullptr, cargv.data(), environ) != 0) m_pid = 0;
        posix_spawn_file_actions_destroy(&actions);
        // "Serving HTTP on 127.0.0.1 port 43117 (http://127.0.0.1:43117/) ..."
        const std::regex port(R"(port (\d+))");
        for (int i = 0; i < 400 && m_pid > 0 && m_port == 0; ++i) {
            std::smatch m;
            const auto text = testsupport::readFile(m_out);
            if (std::regex_search(text, m, port)) m_port = std::stoi(m[1]);
            else std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
    }
    ~LoopbackServer() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGTERM);
            ::waitpid(m_pid, nullptr, 0);
        }
    }
    LoopbackServer(const LoopbackServer&) = delete;
    LoopbackServer& operator=(const LoopbackServer&) = delete;

    [[nodiscard]] int port() const { return m_port; }
    /// The request lines the server logged ("GET /keys.json HTTP/1.1").
    [[nodiscard]] std::vector<std::string> requests() const {
        std::vector<std::string> out;
        const std::regex line("\"([A-Z]+ [^\"]*)\"");
        std::istringstream in(testsupport::readFile(m_log));
        for (std::string l; std::getline(in, l);) {
            std::smatch m;
            if (std::regex_search(l, m, line)) out.push_back(m[1]);
        }
        return out;
    }

private:
    std::filesystem::path m_out, m_log;
    pid_t m_pid{0};
    int m_port{0};
};

/// Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe: commands on its fd 3,
/// replies and events on its fd 4, each a JSON text ended by NUL). One page, kept open across navigations, so that
/// what the page stored (its service worker, caches) stays in the same browser.
class DevToolsBrowser {
public:
    explicit DevToolsBrowser(const std::filesystem::path& profile) {
        int toChrome[2], fromChrome[2];
        if (::pipe2(toChrome, O_CLOEXEC) != 0 || ::pipe2(fromChrome, O_CLOEXEC) != 0) return;
        std::vector<std::string> argv{kChromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                                      "--no-first-run", "--disable-background-networking",
                                      "--disable-component-update", "--disable-sync",
                                      "--user-data-dir=" + profile.string(),
                                      "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                                      "--remote-debugging-pipe", "about:blank"};
        std::vector<char*> cargv;
        for (auto& arg : argv) cargv.push_back(arg.data());
        cargv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, toChrome[0], 3);
        posix_spawn_file_actions_adddup2(&actions, fromChrome[1], 4);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        if (posix_spawn(&m_pid, cargv[0], &actions, nullptr, cargv.data(), environ) != 0) m_pid = 0;
        posix_spawn_file_actions_destroy(&actions);
        ::close(toChrome[0]);
        ::close(fromChrome[1]);
        m_out = toChrome[1];
        m_in = fromChrome[0];
        if (m_pid <= 0) return;
        auto target = call("Target.createTarget", {{"url", "about:blank"}});
        if (!target) return;
        auto attached = call("Target.attachToTarget", {{"targetId", (*target)["targetId"]}, {"flatten", true}});
        if (attached) m_session = (*attached).value("sessionId", "");
    }
    ~DevToolsBrowser() {
        if (m_pid > 0) {
            (void)call("Browser.close", json::object(), false);
            ::kill(m_pid, SIGTERM);
            ::waitpid(m_pid, nullptr, 0);
        }
        if (m_out >= 0) ::close(m_out);
        if (m_in >= 0) ::close(m_in);
    }
    DevToolsBrowser(const DevToolsBrowser&) = delete;
    DevToolsBrowser& operator=(const DevToolsBrowser&) = delete;

    [[nodiscard]] bool ready() const { return !m_session.empty(); }

    /// Opens @p url in the page (a new document, also when only the fragment differs).
    void open(const std::string& url) {
        (void)call("Page.navigate", {{"url", "about:blank"}}, true);
        (void)call("Page.navigate", {{"url", url}}, true);
    }

    /// Evaluates @p expression in the page (awaiting a promise); its value, or nullopt on an exception or time-out.
    std::optional<json> eval(const std::string& expression) {
        auto r = call("Runtime.evaluate", {{"expression", expression}, {"awaitPromise", true}, {"returnByValue", true}},
                      true);
        if (!r || r->contains("exceptionDetails")) return std::nullopt;
        return (*r)["result"].value("value", json());
    }

    /// Polls @p expression until it gives a non-empty string (up to 30 s); that string, else "".
    std::string waitFor(const std::string& expression) {
        for (int i = 0; i < 300; ++i) {
            auto v = eval(expression);
            if (v && v->is_string() && !v->get<std::string>().empty()) return v->get<std::string>();
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return {};
    }

private:
    std::optional<json> call(const std::string& method, json params, bool inPage = false) {
        json msg{{"id", ++m_id}, {"method", method}, {"params", std::move(params)}};
        if (inPage) msg["sessionId"] = m_session;
        const std::string text = msg.dump() + '\0';
        if (::write(m_out, text.data(), text.size()) != static_cast<ssize_t>(text.size())) return std::nullopt;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (std::chrono::steady_clock::now() < deadline) {
            for (auto nul = m_buffer.find('\0'); nul != std::string::npos; nul = m_buffer.find('\0')) {
                auto reply = json::parse(m_buffer.substr(0, nul), nullptr, false);
                m_buffer.erase(0, nul + 1);
                if (!reply.is_discarded() && reply.value("id", -1) == m_id) {
                    if (reply.contains("error")) return std::nullopt;
                    return reply.value("result", json::object());
                }
            }
            pollfd p{m_in, POLLIN, 0};
            if (::poll(&p, 1, 500) != 1) continue;
            char chunk[65536];
            const auto n = ::read(m_in, chunk, sizeof chunk);
            if (n <= 0) return std::nullopt;
            m_buffer.append(chunk, static_cast<std::size_t>(n));
        }
        return std::nullopt;
    }

    pid_t m_pid{0};
    int m_out{-1};
    int m_in{-1};
    int m_id{0};
    std::string m_buffer;
    std::string m_session;
};

class VerifyPageTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_kioskctl = testsupport::env("KIOSKCTL");
        if (m_kioskctl.empty() || !std::filesystem::exists(m_kioskctl)) GTEST_SKIP() << "KIOSKCTL not built";
        if (!std::filesystem::exists(kChromium))
            GTEST_SKIP() << "chromium missing: run packaging/install-deps (packaging/deps/tests-web.txt)";
        std::filesystem::create_directories(m_dir / "center");
        m_db = m_dir / "center" / "center.db";
        auto r = ctl({"init", "--center", "甲培训中心", "--code", "A01"});
        ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
        auto s = training::Store::open(m_db, {.create = false});
        ASSERT_TRUE(s) << s.error().message;
        m_store = std::move(*s);
    }

    /// `kioskctl --db <center> --json ARGS...`, signed in as the first administrator once init printed the PIN.
    RunResult ctl(std::vector<std::string> args) {
        std::vector<std::string> argv{m_kioskctl, "--db", m_db.string(), "--json"};
        argv.insert(argv.end(), args.begin(), args.end());
        std::vector<std::string> env{"KIOSK_CENTER_KEY="};
        if (const auto assets = testsupport::env("KIOSK_ASSETS_DIR"); !assets.empty())
            env.push_back("KIOSK_CERT_TEMPLATES=" + assets + "/certificates");
        if (m_admin) return testsupport::runAs(*m_admin, argv, env);
        auto r = testsupport::run(argv, env);
        if (r.exitCode == 0 && !args.empty() && args[0] == "init") m_admin = testsupport::adminFrom(r.out);
        return r;
    }

    /// An eligible worker, issued a certificate by `kioskctl cert render`; its QR text.
    std::string issue(const std::string& first17, const std::string& name, std::int64_t sitting = 0) {
        testsupport::EligibleWorkerOptions o;
        o.first17 = first17;
        o.name = name;
        o.sittingId = sitting;
        auto w = testsupport::makeEligibleWorker(*m_store, o);
        EXPECT_TRUE(w) << w.error().message;
        if (!w) return {};
        m_sitting = w->sittingId;
        auto r = ctl({"cert", "render", "--worker", std::to_string(w->workerId), "--out", (m_dir / "c.pdf").string()});
        EXPECT_EQ(r.exitCode, 0) << r.err;
        training::Certificates certs(*m_store, nullptr);
        auto all = certs.ofWorker(w->workerId);
        EXPECT_TRUE(all && !all->empty());
        m_numbers[name] = all && !all->empty() ? all->front().number : std::string{};
        return all && !all->empty() ? all->front().payload : std::string{};
    }

    /// kioskctl verify's verdict in the page's words.
    std::string cliVerdict(const std::string& text) {
        const auto r = ctl({"verify", text});
        const auto j = json::parse(r.out, nullptr, false);
        EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
        const auto v = j.value("verdict", std::string{});
        static const std::map<std::string, std::string> page{{"valid", "valid"},
                                                             {"expired", "expired"},
                                                             {"revoked", "revoked"},
                                                             {"bad-signature", "forged"},
                                                             {"malformed", "forged"},
                                                             {"unknown-center", "unknown-key"}};
        return page.contains(v) ? page.at(v) : "unmapped:" + v;
    }

    /// The page's DOM after it settled, opened at http://127.0.0.1:PORT/#CODE in a fresh profile.
    std::string pageDom(int port, const std::string& code) {
        TempDir profile;
        const auto url = fmt::format("http://127.0.0.1:{}/#{}", port, code);
        const auto r = testsupport::run({"/usr/bin/timeout", "120", kChromium, "--headless", "--no-sandbox",
                                         "--disable-gpu", "--disable-quic", "--no-first-run",
                                         "--disable-background-networking", "--disable-component-update",
                                         "--disable-sync", "--user-data-dir=" + profile.path().string(),
                                         "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                                         "--virtual-time-budget=10000", "--dump-dom", url});
        EXPECT_EQ(r.exitCode, 0) << r.err.substr(0, 2000);
        return r.out;
    }

    static std::string domVerdict(const std::string& dom) {
        std::smatch m;
        static const std::regex verdict(R"rx(id="verdict"[^>]*data-verdict="([^"]*)")rx");
        return std::regex_search(dom, m, verdict) ? std::string(m[1]) : "no verdict element";
    }

    TempDir m_dir;
    std::string m_kioskctl;
    std::filesystem::path m_db;
    std::unique_ptr<training::Store> m_store;
    std::int64_t m_sitting{0};
    std::map<std::string, std::string> m_numbers;
    std::optional<testsupport::StaffLogin> m_admin;
};

}  // namespace

TEST_F(VerifyPageTest, EveryVerdictInChromiumEqualsKioskctlVerify) {
    ASSERT_EQ(ctl({"key", "url", kVerifyUrl}).exitCode, 0);
    const auto valid = issue("31010119780312002", "王秀英");
    const auto revoked = issue("11010519491231002", "张桂兰", m_sitting);
    ASSERT_FALSE(valid.empty());
    ASSERT_FALSE(revoked.empty());
    // The QR text of a real certificate is the https address with the signed code in its fragment.
    ASSERT_TRUE(valid.starts_with(std::string(kVerifyUrl) + "#")) << valid;
    auto r = ctl({"revoke", "--certificate", m_numbers["张桂兰"], "--reason", "证件被冒用 badge misused"});
    ASSERT_EQ(r.exitCode, 0) << r.err;

    // Expired: signed with this center's own key file, valid until yesterday (no clock to turn in kioskctl).
    auto key = training::CenterKey::load(training::defaultCenterKeyPath(m_db));
    ASSERT_TRUE(key) << key.error().message;
    const auto yesterday = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) - std::chrono::days(2);
    const auto day = [](std::chrono::sys_days d) { return training::formatDate(std::chrono::year_month_day(d)); };
    const auto expired = training::encodeBadgePayload(
        {"A01", "A01-2020-000007", "李春花", "310101********0044", "badge", day(yesterday - std::chrono::days(1100)),
         day(yesterday), 0},
        *key);
    ASSERT_TRUE(expired) << expired.error().message;
    // Unknown key: a center this one never trusted.
    auto stranger = training::CenterKey::ephemeral("Z99", "陌生中心");
    stranger.setVerifyUrlInMemory(kVerifyUrl);
    const auto unknown = training::encodeBadgePayload(
        {"Z99", "Z99-2026-000001", "赵小红", "310101********0055", "badge", "2026-01-05", "2036-01-04", 0}, stranger);
    ASSERT_TRUE(unknown) << unknown.error().message;
    // Changed by one character: one digit of the signature.
    auto changed = valid;
    const auto at = changed.size() - 20;
    changed[at] = changed[at] == '7' ? '2' : '7';

    r = ctl({"web", "export", "--out", (m_dir / "site").string()});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    for (const auto* f : {"index.html", "verify.js", "verify.css", "sw.js", "keys.json", "revocations.json"})
        EXPECT_TRUE(std::filesystem::exists(m_dir / "site" / f)) << f;

    LoopbackServer server(m_dir / "site", m_dir.path());
    ASSERT_GT(server.port(), 0) << "the loopback server did not start";

    const std::vector<std::pair<std::string, std::string>> cases{{"valid", valid},
                                                                 {"forged", changed},
                                                                 {"revoked", revoked},
                                                                 {"expired", *expired},
                                                                 {"unknown-key", *unknown}};
    for (const auto& [expected, text] : cases) {
        const auto code = std::string(training::badgeCodeOf(text));
        const auto cli = cliVerdict(text);
        EXPECT_EQ(cli, expected) << text;
        const auto dom = pageDom(server.port(), code);
        EXPECT_EQ(domVerdict(dom), cli) << expected << ":\n" << dom.substr(0, 4000);
        if (expected == "valid" || expected == "revoked" || expected == "expired") {
            // The holder's name, masked ID, certificate number; the advice to compare the photo.
            const auto fields = training::decodeBadgePayload(text);
            ASSERT_TRUE(fields);
            EXPECT_NE(dom.find(fields->name), std::string::npos) << dom;
            EXPECT_NE(dom.find(fields->maskedId), std::string::npos) << dom;
            EXPECT_NE(dom.find(fields->certificateNumber), std::string::npos) << dom;
            EXPECT_NE(dom.find("照片"), std::string::npos) << dom;
            EXPECT_NE(dom.find("注销名单更新于"), std::string::npos) << "the revocation list's age:\n" << dom;
        }
        if (expected == "valid") {
            EXPECT_NE(dom.find("安心家政服务有限公司"), std::string::npos) << "the agency by name:\n" << dom;
        }
        // An unchecked code's data is not shown as if it were true.
        if (expected == "forged") {
            EXPECT_EQ(dom.find("王秀英"), std::string::npos) << dom;
        }
        if (expected == "unknown-key") {
            EXPECT_EQ(dom.find("赵小红"), std::string::npos) << dom;
        }
    }

    // Only the page's own files were asked for, and never with the code: the fragment stays in the browser.
    const auto requests = server.requests();
    EXPECT_FALSE(requests.empty());
    const std::regex allowed(R"(GET /(|index\.html|verify\.js|verify\.css|sw\.js|keys\.json|revocations\.json|favicon\.ico) HTTP/1\.[01])");
    for (const auto& req : requests) {
        EXPECT_TRUE(std::regex_match(req, allowed)) << req;
        EXPECT_EQ(req.find(std::string(training::badgeCodeOf(valid)).substr(0, 17)), std::string::npos) << req;
    }
}

TEST_F(VerifyPageTest, APageNotExportedOrWithAnAlteredKeysFileNeverSaysValid) {
    ASSERT_EQ(ctl({"key", "url", kVerifyUrl}).exitCode, 0);
    const auto valid = issue("31010119780312002", "王秀英");
    ASSERT_FALSE(valid.empty());
    ASSERT_EQ(ctl({"web", "export", "--out", (m_dir / "site").string()}).exitCode, 0);
    // Another key slipped into the keys file (its signature no longer matches): nothing is trusted.
    auto keys = testsupport::readFile(m_dir / "site" / "keys.json");
    const auto at = keys.find("甲培训中心");
    ASSERT_NE(at, std::string::npos);
    keys.replace(at, std::string("甲培训中心").size(), "乙培训中心");
    testsupport::writeFile(m_dir / "site" / "keys.json", keys);
    LoopbackServer server(m_dir / "site", m_dir.path());
    ASSERT_GT(server.port(), 0);
    const auto dom = pageDom(server.port(), std::string(training::badgeCodeOf(valid)));
    EXPECT_EQ(domVerdict(dom), "unknown-key") << dom;
    // Without a code, the page says what to do and gives no verdict.
    const auto empty = pageDom(server.port(), "");
    EXPECT_EQ(domVerdict(empty), "") << empty;
    EXPECT_NE(empty.find("扫描"), std::string::npos) << empty;
}


// Key custody: after `key rotate` the page's keys file carries the retired key too, so a badge signed before the
// rotation still shows as valid (the page tries every key of the center); once that key is revoked it is left out
// of the keys file and the page no longer says valid, as kioskctl verify.
TEST_F(VerifyPageTest, ABadgeSignedBeforeARotationStaysValidUntilItsKeyIsRevoked) {
    ASSERT_EQ(ctl({"key", "url", kVerifyUrl}).exitCode, 0);
    const auto before = issue("31010119780312002", "王秀英");
    ASSERT_FALSE(before.empty());
    auto rot = ctl({"key", "rotate"});
    ASSERT_EQ(rot.exitCode, 0) << rot.err << rot.out;
    const auto retired = json::parse(rot.out).value("retired", std::string{});
    ASSERT_EQ(retired.size(), 16u) << rot.out;
    const auto after = issue("11010519491231002", "张桂兰");
    ASSERT_FALSE(after.empty());
    ASSERT_EQ(ctl({"web", "export", "--out", (m_dir / "site").string()}).exitCode, 0);
    {
        LoopbackServer server(m_dir / "site", m_dir.path());
        ASSERT_GT(server.port(), 0);
        for (const auto& text : {before, after}) {
            EXPECT_EQ(cliVerdict(text), "valid");
            const auto dom = pageDom(server.port(), std::string(training::badgeCodeOf(text)));
            EXPECT_EQ(domVerdict(dom), "valid") << dom.substr(0, 4000);
        }
    }
    auto rev = ctl({"key", "revoke", retired, "--reason", "laptop stolen"});
    ASSERT_EQ(rev.exitCode, 0) << rev.err << rev.out;
    ASSERT_EQ(ctl({"web", "export", "--out", (m_dir / "site2").string()}).exitCode, 0);
    EXPECT_EQ(testsupport::readFile(m_dir / "site2" / "keys.json").find(retired), std::string::npos);
    LoopbackServer server(m_dir / "site2", m_dir.path());
    ASSERT_GT(server.port(), 0);
    EXPECT_EQ(cliVerdict(before), "forged");
    EXPECT_EQ(domVerdict(pageDom(server.port(), std::string(training::badgeCodeOf(before)))), "forged");
    EXPECT_EQ(domVerdict(pageDom(server.port(), std::string(training::badgeCodeOf(after)))), "valid");
}

// Offline once opened: the first visit (server up) installs the service worker, which keeps the page, its keys
// file and the revocation list. With the server gone, the same browser opens the page again and checks codes: a
// valid one stays valid, a revoked one stays revoked from the kept list. A browser that never opened the page gets
// nothing from the stopped server: the verdicts came from the kept copy.
TEST_F(VerifyPageTest, APageOpenedOnceStillVerifiesWithTheServerGone) {
    ASSERT_EQ(ctl({"key", "url", kVerifyUrl}).exitCode, 0);
    const auto valid = issue("31010119780312002", "王秀英");
    const auto revoked = issue("11010519491231002", "张桂兰", m_sitting);
    ASSERT_FALSE(valid.empty());
    ASSERT_FALSE(revoked.empty());
    ASSERT_EQ(ctl({"revoke", "--certificate", m_numbers["张桂兰"], "--reason", "证件被冒用 badge misused"}).exitCode, 0);
    ASSERT_EQ(ctl({"web", "export", "--out", (m_dir / "site").string()}).exitCode, 0);
    const std::string verdict = "document.getElementById('verdict')?.dataset.verdict === 'checking' ? '' : "
                                "(document.getElementById('verdict')?.dataset.verdict ?? '')";
    TempDir profile;
    DevToolsBrowser browser(profile.path());
    ASSERT_TRUE(browser.ready()) << "Chromium did not answer on its DevTools pipe";
    int port = 0;
    {
        LoopbackServer server(m_dir / "site", m_dir.path());
        port = server.port();
        ASSERT_GT(port, 0) << "the loopback server did not start";
        browser.open(fmt::format("http://127.0.0.1:{}/#{}", port, training::badgeCodeOf(valid)));
        ASSERT_EQ(browser.waitFor(verdict), "valid");
        // The service worker is active and holds the page's six files.
        auto kept = browser.eval(
            "navigator.serviceWorker.ready.then(() => caches.keys()).then((names) => Promise.all(names.map((n) => "
            "caches.open(n).then((c) => c.keys())))).then((lists) => lists.flat().map((r) => new URL(r.url).pathname)"
            ".sort().join(' '))");
        ASSERT_TRUE(kept && kept->is_string()) << "no service worker became ready";
        EXPECT_EQ(kept->get<std::string>(), "/ /index.html /keys.json /revocations.json /verify.css /verify.js");
    }  // the server stops here: nothing answers on the port any more
    browser.open(fmt::format("http://127.0.0.1:{}/#{}", port, training::badgeCodeOf(valid)));
    EXPECT_EQ(browser.waitFor(verdict), "valid") << "offline, from the kept copy";
    auto name = browser.eval("document.body.innerText");
    ASSERT_TRUE(name && name->is_string());
    EXPECT_NE(name->get<std::string>().find("王秀英"), std::string::npos) << name->get<std::string>();
    browser.open(fmt::format("http://127.0.0.1:{}/#{}", port, training::badgeCodeOf(revoked)));
    EXPECT_EQ(browser.waitFor(verdict), "revoked") << "offline, the kept revocation list";

    TempDir otherProfile;
    DevToolsBrowser stranger(otherProfile.path());
    ASSERT_TRUE(stranger.ready());
    stranger.open(fmt::format("http://127.0.0.1:{}/#{}", port, training::badgeCodeOf(valid)));
    std::this_thread::sleep_for(std::chrono::seconds(2));
    auto none = stranger.eval("document.getElementById('verdict') ? 'page' : 'no page'");
    ASSERT_TRUE(none && none->is_string());
    EXPECT_EQ(none->get<std::string>(), "no page") << "a browser that never opened the page found it with the server gone";
}
