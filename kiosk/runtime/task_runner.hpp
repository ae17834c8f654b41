#pragma once
/// @file task_runner.hpp
/// @brief A thread that runs a screen's blocking device work (a chip read, say) one task after another, so
/// that starting a task never waits for the previous one in a frame. The owner (a screen) keeps it for its
/// lifetime; tasks post their results as events stamped with the session generation, so a result that
/// arrives after the person left is dropped by the app, not acted on.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace kiosk::ui {

class TaskRunner {
public:
    TaskRunner();
    /// @brief Lets the running task finish (device calls have their own time-outs), drops the queued ones
    /// and joins. Only at shutdown: screens live as long as the app.
    ~TaskRunner();
    TaskRunner(const TaskRunner&) = delete;
    TaskRunner& operator=(const TaskRunner&) = delete;

    /// @brief Queues @p task; returns at once.
    void run(std::function<void()> task);

private:
    void loop();

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_tasks;
    bool m_stop{false};
    std::thread m_thread;
};

}  // namespace kiosk::ui
