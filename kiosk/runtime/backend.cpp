#include "runtime/backend.hpp"

namespace kiosk::ui {

Backend::Backend(std::unique_ptr<training::Store> store, center::CenterPaths paths, EventQueue& queue)
    : m_store(std::move(store)), m_records(*m_store, std::move(paths)), m_queue(queue) {
    m_thread = std::thread([this] { run(); });
}

Backend::~Backend() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

void Backend::enqueue(std::function<void(Records&)> job) {
    {
        std::lock_guard lock(m_mutex);
        m_jobs.push_back(std::move(job));
    }
    m_cv.notify_one();
}

void Backend::drainBlocking() {
    std::unique_lock lock(m_mutex);
    m_idleCv.wait(lock, [this] { return m_jobs.empty() && !m_running; });
}

void Backend::run() {
    for (;;) {
        std::function<void(Records&)> job;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [this] { return m_stop || !m_jobs.empty(); });
            if (m_stop && m_jobs.empty()) return;
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
            m_running = true;
        }
        job(m_records);
        {
            std::lock_guard lock(m_mutex);
            m_running = false;
        }
        m_idleCv.notify_all();
    }
}

}  // namespace kiosk::ui
