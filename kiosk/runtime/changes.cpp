#include "runtime/changes.hpp"

#include <algorithm>
#include <chrono>

#include "training/change_feed.hpp"

namespace kiosk::ui {

ChangeWatch::ChangeWatch(std::filesystem::path database, EventQueue& queue)
    : m_database(std::move(database)), m_queue(queue), m_thread([this] { run(); }) {}

ChangeWatch::~ChangeWatch() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        if (m_feed) m_feed->interrupt();
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

bool ChangeWatch::stopRequested(double seconds) {
    std::unique_lock lock(m_mutex);
    return m_cv.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return m_stop; });
}

void ChangeWatch::run() {
    double backoff = 1;
    bool pushed = false;  // what the screens were last told
    while (!stopRequested(0)) {
        auto opened = training::ChangeFeed::open(m_database);
        if (!opened) {
            if (pushed) m_queue.post(RecordsChanged{{}, false});
            pushed = false;
            if (stopRequested(backoff)) return;
            backoff = std::min(backoff * 2, 8.0);
            continue;
        }
        std::unique_ptr<training::ChangeFeed> feed = std::move(*opened);
        {
            std::lock_guard lock(m_mutex);
            if (m_stop) return;
            m_feed = feed.get();
        }
        // Connected: what changed while it was not is unknown, so screens reload once.
        pushed = feed->pushes();
        m_queue.post(RecordsChanged{{{std::string(training::kTopicAny)}}, pushed});
        backoff = 1;
        while (!stopRequested(0)) {
            auto heard = feed->wait(std::chrono::seconds(30));
            if (!heard) {
                // Lost: the feed connects again on its next wait; pause first (a refused connection fails at once).
                if (pushed) m_queue.post(RecordsChanged{{}, false});
                pushed = false;
                if (stopRequested(backoff)) break;
                backoff = std::min(backoff * 2, 8.0);
                continue;
            }
            if (!pushed && feed->pushes()) {
                pushed = true;
                backoff = 1;
            }
            if (!heard->empty()) m_queue.post(RecordsChanged{std::move(*heard), pushed});
        }
        std::lock_guard lock(m_mutex);
        m_feed = nullptr;
        return;
    }
}

}  // namespace kiosk::ui
