#pragma once
/// @file changes.hpp
/// @brief Hears that the center's records changed (training::ChangeFeed) on a thread of its own and posts
/// RecordsChanged, so that the proctor board, the exam screens and staff screens reload only then.
///
/// On a center server the feed LISTENs and the server pushes each change's topic; on an SQLite file it notices any
/// commit. When the feed cannot connect (the server is away) it tries again after 1 s, doubling to 8 s; screens
/// keep their slower fallback reloads meanwhile (RecordsChanged::pushed is false until it is back).

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "runtime/events.hpp"

namespace training {
class ChangeFeed;
}

namespace kiosk::ui {

/// @brief The change watcher of one kiosk process.
class ChangeWatch {
public:
    /// @brief Starts watching @p database (the file or URI the kiosk opened).
    ChangeWatch(std::filesystem::path database, EventQueue& queue);
    ~ChangeWatch();
    ChangeWatch(const ChangeWatch&) = delete;
    ChangeWatch& operator=(const ChangeWatch&) = delete;

private:
    void run();
    /// Waits up to @p seconds; true when the watch is stopping.
    bool stopRequested(double seconds);

    std::filesystem::path m_database;
    EventQueue& m_queue;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_stop{false};
    training::ChangeFeed* m_feed{nullptr};  ///< The thread's feed while it exists (interrupted on stop).
    std::thread m_thread;
};

}  // namespace kiosk::ui
