#pragma once
/// @file backend.hpp
/// @brief The records on a worker thread: every database call runs there and posts its result back to
/// the UI thread as a JobDone event, so no frame waits for SQLite.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "training/documents.hpp"
#include "training/exam_store.hpp"
#include "training/store.hpp"
#include "ui/events.hpp"

namespace kiosk::ui {

/// @brief What a job may use (only on the worker thread).
struct Records {
    explicit Records(training::Store& s) : store(s), exams(s) {}
    training::Store& store;
    training::ExamStore exams;
    /// @brief The document renderer, created on first use and kept, so that its font subset and portrait
    /// cache serve every certificate printed in this session.
    [[nodiscard]] training::Result<training::DocumentRenderer*> documents() {
        if (!m_documents) {
            auto r = training::DocumentRenderer::create();
            if (!r) return std::unexpected(r.error());
            m_documents = std::make_unique<training::DocumentRenderer>(std::move(*r));
        }
        return m_documents.get();
    }

private:
    std::unique_ptr<training::DocumentRenderer> m_documents;
};

/// @brief One worker thread owning the store.
class Backend {
public:
    Backend(std::unique_ptr<training::Store> store, EventQueue& queue);
    ~Backend();
    Backend(const Backend&) = delete;
    Backend& operator=(const Backend&) = delete;

    /// @brief Runs @p job(records) on the worker thread, then @p done(result) on the UI thread (dropped
    /// when the session generation changed meanwhile, e.g. after an idle timeout).
    template <class Job, class Done>
    void submit(Job job, Done done) {
        using R = std::invoke_result_t<Job, Records&>;
        const auto gen = m_generation.load();
        enqueue([this, gen, job = std::move(job), done = std::move(done)](Records& r) mutable {
            auto result = std::make_shared<R>(job(r));
            m_queue.post(JobDone{gen, [done, result]() mutable { done(std::move(*result)); }});
        });
        ++m_pending;
    }
    /// @brief Jobs queued or running.
    [[nodiscard]] int pending() const noexcept { return m_pending.load(); }
    /// @brief Called by the UI thread when it applied a JobDone.
    void completed() noexcept { --m_pending; }
    [[nodiscard]] std::uint64_t generation() const noexcept { return m_generation.load(); }
    /// @brief Forget the current worker: results of jobs queued before are dropped.
    void newGeneration() noexcept { ++m_generation; }
    /// @brief Blocks until every queued job ran (start-up and shutdown only, never in a frame).
    void drainBlocking();

private:
    void enqueue(std::function<void(Records&)> job);
    void run();

    std::unique_ptr<training::Store> m_store;
    Records m_records;
    EventQueue& m_queue;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::condition_variable m_idleCv;
    std::deque<std::function<void(Records&)>> m_jobs;
    bool m_running{false};
    bool m_stop{false};
    std::atomic<int> m_pending{0};
    std::atomic<std::uint64_t> m_generation{1};
    std::thread m_thread;
};

}  // namespace kiosk::ui
