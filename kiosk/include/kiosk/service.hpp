#pragma once
/// @file service.hpp
/// @brief The kiosk as a service: stop signals (SIGINT, SIGTERM) and systemd's notification protocol
/// (READY=1 once the first frame is drawn, WATCHDOG=1 from the frame loop) without libsystemd.

#include <chrono>
#include <string>

namespace kiosk {

/// @brief Installs SIGINT and SIGTERM handlers that ask the kiosk to stop (see stopRequested()).
/// Call once from main(), on the thread that runs the frame loop, before other threads start. A signal that
/// lands on another thread is passed on to that thread, so a blocking wait for events there is interrupted.
void installStopSignals();

/// @brief Whether SIGINT or SIGTERM arrived since installStopSignals().
[[nodiscard]] bool stopRequested() noexcept;

/// @brief systemd's sd_notify protocol over $NOTIFY_SOCKET (a datagram per message).
///
/// Active when $NOTIFY_SOCKET is set. The watchdog is active when $WATCHDOG_USEC is set and $WATCHDOG_PID is
/// unset, this process, or its parent (the unit's main process is cage, which starts the kiosk; the unit
/// then has NotifyAccess=all). Pings are sent at most every quarter watchdog period, so calling frameDone() every
/// frame costs one clock read; the loop sleeps at most half a period (maxSleepSeconds()), so a live loop pings
/// at least every half period.
class ServiceNotifier {
public:
    /// @brief Reads the environment.
    ServiceNotifier();

    /// @brief After a frame was drawn: READY=1 the first time, WATCHDOG=1 when half the period has passed.
    void frameDone();

    /// @brief How long the frame loop may sleep without starving the watchdog; a very large value when the
    /// watchdog is off.
    [[nodiscard]] double maxSleepSeconds() const noexcept;

    /// @brief Whether the watchdog is active (WATCHDOG_USEC applies to this process).
    [[nodiscard]] bool watchdogEnabled() const noexcept { return m_interval.count() > 0; }

    /// @brief Sends one message (e.g. "STOPPING=1"); false when there is no socket or it failed.
    bool notify(const std::string& message) const;

private:
    std::string m_socket;
    std::chrono::microseconds m_interval{0};  ///< Half the watchdog period; zero when off.
    std::chrono::steady_clock::time_point m_lastPing{};
    bool m_ready{false};
};

}  // namespace kiosk
