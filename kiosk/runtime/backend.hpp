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

#include "center/operations.hpp"
#include "runtime/events.hpp"

namespace kiosk::ui {

/// @brief What a job may use (only on the worker thread): the center's operations, and the store and exam
/// storage underneath them for reads.
struct Records {
    Records(training::Store& s, center::CenterPaths paths) : center(s, std::move(paths)), store(s), exams(center.exams()) {}
    center::Operations center;
    training::Store& store;
    training::ExamStore& exams;
};

/// @brief A screen's hold on a job it started (Backend::start). While the handle is held the job's result
/// is delivered; when it is reset, replaced by another job or destroyed (the screen was left), the result
/// is dropped on arrival. Used on the UI thread only.
class JobHandle {
public:
    /// @brief True from start until the result was delivered or the handle reset.
    [[nodiscard]] bool running() const noexcept { return m_state && !m_state->delivered; }
    /// @brief Drops the result of the job, if it has not arrived yet.
    void reset() noexcept { m_state.reset(); }

private:
    friend class Backend;
    struct State {
        bool delivered{false};
    };
    std::shared_ptr<State> m_state;
};

/// @brief One worker thread owning the store.
class Backend {
public:
    Backend(std::unique_ptr<training::Store> store, center::CenterPaths paths, EventQueue& queue);
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
    /// @brief As submit(), and the result is delivered whatever the session generation is then (the kiosk's
    /// own work, not a worker's: the probe of a lost center server).
    template <class Job, class Done>
    void submitUnscoped(Job job, Done done) {
        using R = std::invoke_result_t<Job, Records&>;
        enqueue([this, job = std::move(job), done = std::move(done)](Records& r) mutable {
            auto result = std::make_shared<R>(job(r));
            m_queue.post(JobDone{0, [done, result]() mutable { done(std::move(*result)); }});
        });
        ++m_pending;
    }
    /// @brief As submit(), and the result is delivered only while the returned handle is held.
    template <class Job, class Done>
    [[nodiscard]] JobHandle start(Job job, Done done) {
        JobHandle h;
        h.m_state = std::make_shared<JobHandle::State>();
        using R = std::invoke_result_t<Job, Records&>;
        submit(std::move(job), [state = std::weak_ptr(h.m_state), done = std::move(done)](R result) mutable {
            auto held = state.lock();
            if (!held) return;  // the screen let go of the job: its result is not wanted any more
            held->delivered = true;
            done(std::move(result));
        });
        return h;
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
