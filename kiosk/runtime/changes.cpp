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
    // The feed could not connect or lost its connection: screens poll again; pause before the next try (a refused
    // connection fails at once). True when the watch is stopping.
    const auto pauseAfterLoss = [&] {
        if (pushed) m_queue.post(RecordsChanged{{}, false});
        pushed = false;
        const bool stop = stopRequested(backoff);
        backoff = std::min(backoff * 2, 8.0);
        return stop;
    };
    std::unique_ptr<training::ChangeFeed> feed;
    while (!feed) {
        auto opened = training::ChangeFeed::open(m_database);
        if (opened) feed = std::move(*opened);
        else if (pauseAfterLoss()) return;
    }
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
            // Lost: the feed connects again on its next wait.
            if (pauseAfterLoss()) break;
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
}

}  // namespace kiosk::ui
