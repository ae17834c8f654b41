// Stop signals and systemd's notification protocol (sd_notify) for the kiosk process.
#include "kiosk/service.hpp"

#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <csignal>
#include <cstdlib>
#include <cstring>

namespace kiosk {
namespace {

std::atomic<bool> g_stop{false};
pthread_t g_mainThread{};

extern "C" void onStopSignal(int sig) {
    g_stop.store(true);
    // The loop may be waiting for window events on the main thread: a signal delivered there interrupts that
    // wait (no SA_RESTART). pthread_kill and pthread_self are async-signal-safe.
    if (pthread_equal(pthread_self(), g_mainThread) == 0) pthread_kill(g_mainThread, sig);
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

}  // namespace

void installStopSignals() {
    g_mainThread = pthread_self();
    struct sigaction sa{};
    sa.sa_handler = onStopSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocking wait returns EINTR and the loop looks at the flag
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

bool stopRequested() noexcept { return g_stop.load(std::memory_order_relaxed); }

ServiceNotifier::ServiceNotifier() : m_socket(env("NOTIFY_SOCKET")) {
    const std::string usec = env("WATCHDOG_USEC");
    const std::string pid = env("WATCHDOG_PID");
    if (m_socket.empty() || usec.empty()) return;
    if (!pid.empty()) {
        const long p = std::strtol(pid.c_str(), nullptr, 10);
        if (p != static_cast<long>(::getpid()) && p != static_cast<long>(::getppid())) return;
    }
    const long long us = std::strtoll(usec.c_str(), nullptr, 10);
    if (us > 0) m_interval = std::chrono::microseconds(us / 2);
}

bool ServiceNotifier::notify(const std::string& message) const {
    if (m_socket.empty() || (m_socket[0] != '/' && m_socket[0] != '@')) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (m_socket.size() >= sizeof(addr.sun_path)) return false;
    std::memcpy(addr.sun_path, m_socket.data(), m_socket.size());
    if (m_socket[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + m_socket.size());
    const auto sent = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&addr), len);
    ::close(fd);
    return sent == static_cast<ssize_t>(message.size());
}

void ServiceNotifier::frameDone() {
    if (m_socket.empty()) return;
    const auto now = std::chrono::steady_clock::now();
    if (!m_ready) {
        m_ready = true;
        m_lastPing = now;
        notify(watchdogEnabled() ? "READY=1\nWATCHDOG=1" : "READY=1");
        return;
    }
    if (watchdogEnabled() && now - m_lastPing >= m_interval / 2) {
        m_lastPing = now;
        notify("WATCHDOG=1");
    }
}

double ServiceNotifier::maxSleepSeconds() const noexcept {
    if (!watchdogEnabled()) return 1e9;
    return std::chrono::duration<double>(m_interval).count();
}

}  // namespace kiosk
