// The kiosk as a service: systemd's notification protocol (READY=1, WATCHDOG=1 over $NOTIFY_SOCKET), stop
// signals (SIGINT, SIGTERM end a running kiosk with exit 0), --version, and a database of a newer schema refused
// and left untouched. The kiosk runs for real on the run's Xvfb (CTest fixture xvfb).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kiosk/service.hpp"
#include "test_support.hpp"
#include "training/store.hpp"

namespace fs = std::filesystem;
namespace ts = testsupport;
using namespace std::chrono_literals;

extern char** environ;

namespace {

/// A datagram socket standing in for systemd's notification socket.
class NotifySocket {
public:
    explicit NotifySocket(const fs::path& path) : m_path(path) {
        m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
        m_bound = m_fd >= 0 && ::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }
    ~NotifySocket() {
        if (m_fd >= 0) ::close(m_fd);
    }
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;
    [[nodiscard]] bool bound() const { return m_bound; }
    [[nodiscard]] const fs::path& path() const { return m_path; }
    /// The next message, or nullopt after @p timeout.
    std::optional<std::string> receive(std::chrono::milliseconds timeout) {
        pollfd p{m_fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
        char buf[512];
        const auto n = ::recv(m_fd, buf, sizeof buf, 0);
        if (n < 0) return std::nullopt;
        return std::string(buf, static_cast<std::size_t>(n));
    }

private:
    fs::path m_path;
    int m_fd{-1};
    bool m_bound{false};
};

/// A child process started with a given environment on top of ours.
class Child {
public:
    Child(const std::vector<std::string>& argv, const std::vector<std::string>& extraEnv, const fs::path& log) {
        // extraEnv replaces what this process has (getenv would find the first entry), and the notification
        // variables of whatever runs this test are never passed on.
        std::vector<std::string> envs;
        auto key = [](const std::string& e) { return e.substr(0, e.find('=') + 1); };
        for (char** e = environ; *e; ++e) {
            const std::string entry = *e;
            const auto k = key(entry);
            if (k == "NOTIFY_SOCKET=" || k == "WATCHDOG_USEC=" || k == "WATCHDOG_PID=") continue;
            if (std::ranges::any_of(extraEnv, [&](const std::string& x) { return key(x) == k; })) continue;
            envs.push_back(entry);
        }
        for (const auto& e : extraEnv) envs.push_back(e);
        std::vector<char*> args, envp;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        for (const auto& e : envs) envp.push_back(const_cast<char*>(e.c_str()));
        envp.push_back(nullptr);
        m_pid = ::fork();
        if (m_pid == 0) {
            const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd >= 0) {
                ::dup2(fd, 1);
                ::dup2(fd, 2);
            }
            ::execve(args[0], args.data(), envp.data());
            ::_exit(127);
        }
    }
    ~Child() {
        if (m_pid > 0 && !m_status) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    [[nodiscard]] pid_t pid() const { return m_pid; }
    /// Waits up to @p timeout; the wait status, or nullopt when it is still running.
    std::optional<int> wait(std::chrono::milliseconds timeout) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (!m_status) {
            int st = 0;
            if (::waitpid(m_pid, &st, WNOHANG) == m_pid) m_status = st;
            else if (std::chrono::steady_clock::now() >= end) break;
            else std::this_thread::sleep_for(20ms);
        }
        return m_status;
    }

private:
    pid_t m_pid{-1};
    std::optional<int> m_status;
};

/// The run's one Xvfb (CTest fixture xvfb, tests/kiosk_ui/xvfb_fixture.sh), e.g. ":99"; empty outside ctest.
/// Not an Xvfb of each test's own: several starting at once (other suites) raced for displays.
std::string fixtureDisplay() {
    if (const char* dir = std::getenv("KIOSK_TEST_XVFB_DIR"); dir && *dir) {
        std::ifstream in(fs::path(dir) / "display");
        std::string n;
        if (in >> n) return ":" + n;
    }
    return {};
}

std::string readAll(const fs::path& p) { return fs::exists(p) ? ts::readFile(p) : std::string(); }

// ------------------------------------------------------------------ the protocol, in this process

class ServiceNotifierTest : public ::testing::Test {
protected:
    void TearDown() override {
        ::unsetenv("NOTIFY_SOCKET");
        ::unsetenv("WATCHDOG_USEC");
        ::unsetenv("WATCHDOG_PID");
    }
    ts::TempDir m_dir;
};

TEST_F(ServiceNotifierTest, ReadyOnceThenWatchdogPingsAtMostEveryQuarterPeriod) {
    NotifySocket sock(m_dir / "notify");
    ASSERT_TRUE(sock.bound());
    ::setenv("NOTIFY_SOCKET", sock.path().c_str(), 1);
    ::setenv("WATCHDOG_USEC", "400000", 1);  // 0.4 s
    ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
    kiosk::ServiceNotifier n;
    EXPECT_TRUE(n.watchdogEnabled());
    EXPECT_DOUBLE_EQ(n.maxSleepSeconds(), 0.2) << "the loop sleeps at most half the period";
    n.frameDone();
    EXPECT_EQ(sock.receive(1000ms), "READY=1\nWATCHDOG=1");
    n.frameDone();  // at once: no second message
    EXPECT_EQ(sock.receive(50ms), std::nullopt);
    std::this_thread::sleep_for(120ms);  // past a quarter period
    n.frameDone();
    EXPECT_EQ(sock.receive(1000ms), "WATCHDOG=1");
}

TEST_F(ServiceNotifierTest, TheWatchdogOfTheParentCountsButNotAnotherProcess) {
    NotifySocket sock(m_dir / "notify");
    ASSERT_TRUE(sock.bound());
    ::setenv("NOTIFY_SOCKET", sock.path().c_str(), 1);
    ::setenv("WATCHDOG_USEC", "30000000", 1);
    ::setenv("WATCHDOG_PID", std::to_string(::getppid()).c_str(), 1);  // cage starts the kiosk
    EXPECT_TRUE(kiosk::ServiceNotifier().watchdogEnabled());
    ::setenv("WATCHDOG_PID", "1", 1);
    kiosk::ServiceNotifier other;
    EXPECT_FALSE(other.watchdogEnabled());
    EXPECT_GT(other.maxSleepSeconds(), 1e6);
    other.frameDone();
    EXPECT_EQ(sock.receive(1000ms), "READY=1") << "READY=1 still goes out, without a watchdog ping";
}

TEST_F(ServiceNotifierTest, WithoutNotifySocketNothingIsSent) {
    ::unsetenv("NOTIFY_SOCKET");
    ::setenv("WATCHDOG_USEC", "30000000", 1);
    kiosk::ServiceNotifier n;
    EXPECT_FALSE(n.watchdogEnabled());
    EXPECT_FALSE(n.notify("READY=1"));
    n.frameDone();  // no socket: nothing to do, nothing crashes
}

TEST_F(ServiceNotifierTest, AbstractSocketNamesAreReached) {
    const std::string name = "@kiosk-appliance-test-" + std::to_string(::getpid());
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path + 1, name.data() + 1, name.size() - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr),
                     static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size())),
              0);
    ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
    EXPECT_TRUE(kiosk::ServiceNotifier().notify("STATUS=test"));
    char buf[64] = {};
    EXPECT_EQ(::recv(fd, buf, sizeof buf, MSG_DONTWAIT), 11);
    EXPECT_STREQ(buf, "STATUS=test");
    ::close(fd);
}

// ------------------------------------------------------------------ the real kiosk

class KioskProcess : public ::testing::Test {
protected:
    void SetUp() override {
        if (!fs::exists("/usr/bin/Xvfb")) GTEST_SKIP() << "Xvfb is not installed (package xvfb)";
        auto seed = ts::run({KIOSKCTL_BIN, "--db", (m_dir / "center.db").string(), "demo-seed"});
        ASSERT_EQ(seed.exitCode, 0) << seed.err;
        auto store = training::Store::open(m_dir / "center.db", {});
        ASSERT_TRUE(store) << store.error().message;
        ASSERT_TRUE((*store)->setStaffPin(1, kPin, "test"));  // staff 1 is the demo admin
        ts::writeFile(m_dir / "kiosk.toml",
                      "[card_reader]\nkind = \"none\"\n[camera]\nsource = \"none\"\n[speech]\nenabled = false\n");
    }
    std::vector<std::string> kioskArgs() const {
        return {KIOSK_BIN, "--db", (m_dir / "center.db").string(), "--config", (m_dir / "kiosk.toml").string(),
                "--window", "1280x800"};
    }
    static constexpr const char* kPin = "246810";
    ts::TempDir m_dir;
};

class StopSignal : public KioskProcess, public ::testing::WithParamInterface<int> {};

// Ctrl-C in a terminal (make demo) and `systemctl stop` (SIGTERM) end the kiosk with exit 0, also while it idles
// in its event wait; before that it said READY=1 after its first frame and kept the watchdog fed while idle.
TEST_P(StopSignal, EndsTheIdleKioskWithExitZero) {
    // On the run's one Xvfb (CTest fixture xvfb, tests/kiosk_ui/xvfb_fixture.sh): the signal goes to the kiosk
    // itself and its exit status comes back unchanged.
    const std::string display = fixtureDisplay();
    ASSERT_FALSE(display.empty()) << "no Xvfb display: run through ctest (its fixture xvfb starts Xvfb)";
    NotifySocket sock(m_dir / "notify");
    ASSERT_TRUE(sock.bound());
    Child kiosk(kioskArgs(),
                {"DISPLAY=" + display, "LIBGL_ALWAYS_SOFTWARE=1", "NOTIFY_SOCKET=" + sock.path().string(),
                 "WATCHDOG_USEC=2000000", "ASAN_OPTIONS=detect_leaks=0",
                 "KIOSK_ADMIN_EXIT_FILE=" + (m_dir / "admin-exit").string()},
                m_dir / "kiosk.log");
    auto ready = sock.receive(60s);
    ASSERT_TRUE(ready) << "no READY=1 within 60 s; log:\n" << readAll(m_dir / "kiosk.log");
    EXPECT_EQ(*ready, "READY=1\nWATCHDOG=1");
    // Idle on the attract screen: the loop wakes up for the watchdog (2 s period: a ping at least every second).
    const auto idleStart = std::chrono::steady_clock::now();
    int pings = 0;
    while (pings < 3) {
        auto m = sock.receive(5s);
        ASSERT_TRUE(m) << "the idle kiosk stopped pinging the watchdog after " << pings << " pings";
        if (*m == "WATCHDOG=1") ++pings;
    }
    const double idleSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - idleStart).count();
    std::cout << "watchdog: 3 pings while idle in " << idleSeconds << " s (period 2 s)\n";
    std::this_thread::sleep_for(300ms);  // well inside the event wait
    const pid_t kioskPid = kiosk.pid();
    ASSERT_GT(kioskPid, 0);
    const auto sent = std::chrono::steady_clock::now();
    ASSERT_EQ(::kill(kioskPid, GetParam()), 0);
    auto status = kiosk.wait(20s);
    ASSERT_TRUE(status) << strsignal(GetParam()) << " did not end the kiosk within 20 s";
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent).count();
    std::cout << strsignal(GetParam()) << ": the kiosk exited after " << ms << " ms\n";
    ASSERT_TRUE(WIFEXITED(*status)) << "killed by signal " << (WIFSIGNALED(*status) ? WTERMSIG(*status) : 0)
                                    << "; log:\n" << readAll(m_dir / "kiosk.log");
    EXPECT_EQ(WEXITSTATUS(*status), 0) << readAll(m_dir / "kiosk.log");
    EXPECT_FALSE(fs::exists(m_dir / "admin-exit")) << "a stop signal is not the admin exit";
}

INSTANTIATE_TEST_SUITE_P(Signals, StopSignal, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& info) { return info.param == SIGINT ? std::string("Sigint") : "Sigterm"; });

// The admin exit (an admin's PIN in staff mode) ends the kiosk with 0 and leaves the marker that keeps the
// appliance session from restarting it (packaging/session-condition).
TEST_F(KioskProcess, TheAdminExitLeavesTheMaintenanceMarker) {
    const std::string display = fixtureDisplay();
    ASSERT_FALSE(display.empty()) << "no Xvfb display: run through ctest (its fixture xvfb starts Xvfb)";
    const std::string pin = kPin;
    ts::writeFile(m_dir / "exit.script", "wait-screen attract\ntap staff\nwait-screen staff-pin\ntype 1\ntap staff-next\ntype " + pin +
                                             "\ntap ok\nwait-screen staff-home\ntap exit-kiosk\nwait-screen staff-pin\n"
                                             "type 1\ntap staff-next\ntype " + pin + "\ntap ok\n");
    auto args = kioskArgs();
    args.insert(args.end(), {"--script", (m_dir / "exit.script").string()});
    Child kiosk(args,
                {"DISPLAY=" + display, "LIBGL_ALWAYS_SOFTWARE=1", "ASAN_OPTIONS=detect_leaks=0",
                 "KIOSK_ADMIN_EXIT_FILE=" + (m_dir / "admin-exit").string()},
                m_dir / "kiosk.log");
    auto status = kiosk.wait(120s);
    ASSERT_TRUE(status) << "the kiosk did not exit; log:\n" << readAll(m_dir / "kiosk.log");
    ASSERT_TRUE(WIFEXITED(*status)) << readAll(m_dir / "kiosk.log");
    EXPECT_EQ(WEXITSTATUS(*status), 0) << readAll(m_dir / "kiosk.log");
    EXPECT_TRUE(fs::exists(m_dir / "admin-exit")) << "no marker after the admin exit";
}

TEST_F(KioskProcess, VersionPrintsThePackageVersion) {
    auto k = ts::run({KIOSK_BIN, "--version"});
    EXPECT_EQ(k.exitCode, 0);
    EXPECT_EQ(k.out, std::string("kiosk ") + KIOSK_EXPECTED_VERSION + "\n");
    auto c = ts::run({KIOSKCTL_BIN, "--version"});
    EXPECT_EQ(c.exitCode, 0);
    EXPECT_EQ(c.out, std::string("kioskctl ") + KIOSK_EXPECTED_VERSION + "\n");
}

// A downgrade: the database was migrated by a newer kiosk. This one refuses it, says so, and changes nothing.
TEST_F(KioskProcess, ANewerSchemaIsRefusedAndLeftUntouched) {
    const auto db = m_dir / "center.db";
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(h, "PRAGMA user_version = 9999", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(h);
    const auto before = ts::readFile(db);
    auto k = ts::run(kioskArgs(), {"DISPLAY=:none"});
    EXPECT_NE(k.exitCode, 0) << k.err;
    EXPECT_NE(k.err.find("newer"), std::string::npos) << k.err;
    auto c = ts::run({KIOSKCTL_BIN, "--db", db.string(), "audit", "verify"});
    EXPECT_NE(c.exitCode, 0) << c.err;
    EXPECT_NE(c.err.find("newer"), std::string::npos) << c.err;
    EXPECT_TRUE(ts::readFile(db) == before) << "the newer database was changed";
    EXPECT_FALSE(fs::exists(m_dir / "center.db-wal") && fs::file_size(m_dir / "center.db-wal") > 0);
}

}  // namespace
