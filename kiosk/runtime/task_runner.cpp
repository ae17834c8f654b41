#include "runtime/task_runner.hpp"

namespace kiosk::ui {

TaskRunner::TaskRunner() : m_thread([this] { loop(); }) {}

TaskRunner::~TaskRunner() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        m_tasks.clear();
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

void TaskRunner::run(std::function<void()> task) {
    {
        std::lock_guard lock(m_mutex);
        m_tasks.push_back(std::move(task));
    }
    m_cv.notify_one();
}

void TaskRunner::loop() {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [this] { return m_stop || !m_tasks.empty(); });
            if (m_stop) return;
            task = std::move(m_tasks.front());
            m_tasks.pop_front();
        }
        task();  // tasks catch nothing: they are device calls that report failures as values
    }
}

}  // namespace kiosk::ui
