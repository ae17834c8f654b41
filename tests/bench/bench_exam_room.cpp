// Exam-room benchmark (issue 13): 40 simulated kiosks, one thread and one connection each, answering 60
// questions each at once, on SQLite (one file) and on PostgreSQL in the same run: p50/p99/max time to "saved"
// (ExamStore::answer returned, i.e. the commit returned) and answers per second; the proctor board of 200
// candidates in progress. Goals: p99 to saved <= 20 ms, board for 200 <= 50 ms.
//
// PostgreSQL: the connection URI of a database whose role may CREATE DATABASE comes from KIOSK_BENCH_PG_URI
// (tests/bench/run_exam_room.sh starts a private cluster with tests/support/pg_fixture.sh and sets it); without
// it the PostgreSQL cases are skipped with a message.
//
// Fault run (KIOSK_BENCH_FAULT=1, PostgreSQL only; driven by run_exam_room.sh, which kill -9s the postmaster
// once the room is answering and starts it again): every kiosk answers at a steady pace, retrying a save that
// failed (as the kiosk does) until it is saved; afterwards every acknowledged answer is looked for in the
// database. Reports lost answers (must be 0) and the time from the first failed save to the moment every kiosk
// had saved again (and from the moment the driver created KIOSK_BENCH_FAULT_BACK, when the restarted server
// accepted connections). KIOSK_BENCH_FAULT_READY names a file created when the room starts answering.
// Not run by CTest.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "exam/attempt.hpp"
#include "training/exam_store.hpp"

namespace {

using training::ExamStore;
using training::Store;
using Clock = std::chrono::steady_clock;

constexpr int kKiosks = 40;
constexpr int kQuestions = 60;
constexpr int kBoardCandidates = 200;

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "bench setup failed: %s\n", what.c_str());
    std::exit(2);
}
template <typename T>
T must(training::Result<T> r) {
    if (!r) die(r.error().message);
    return std::move(*r);
}
void must(const training::Result<void>& r) {
    if (!r) die(r.error().message);
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

/// The URI @p uri with the database name @p name.
std::string withDatabase(const std::string& uri, const std::string& name) {
    const auto authority = uri.find("://");
    const auto slash = uri.find('/', authority == std::string::npos ? 0 : authority + 3);
    if (slash == std::string::npos) return uri + "/" + name;
    const auto query = uri.find('?', slash);
    return uri.substr(0, slash + 1) + name + (query == std::string::npos ? "" : uri.substr(query));
}

std::vector<exam::Question> makeQuestions() {
    std::vector<exam::Question> out;
    for (const char* module : {"ethics", "etiquette", "legal", "safety", "appliance", "homecare", "badge"})
        for (int i = 0; i < 40; ++i) {
            exam::Question q;
            q.id = fmt::format("{}-{:03}", module, i);
            q.module = module;
            q.difficulty = 1 + i % 3;
            q.stem = {fmt::format("{} 题目 {}", module, i), fmt::format("{} question {}", module, i)};
            for (int o = 0; o < 4; ++o) q.options.push_back({{fmt::format("选项 {}", o), ""}, o == i % 4 ? 100.0 : 0.0, {}});
            out.push_back(std::move(q));
        }
    return out;
}

/// One center database with 200 workers, all candidates of one open sitting of 60 questions.
struct Room {
    std::string target;  ///< File path or connection URI.
    std::unique_ptr<Store> store;
    std::unique_ptr<ExamStore> exams;
    std::int64_t sitting{0};
};

/// A fresh center database named @p name on @p backend ("sqlite" or "postgres"); nullopt when PostgreSQL is
/// not configured.
std::optional<Room> makeRoom(const std::string& backend, const std::string& name) {
    Room r;
    if (backend == "postgres") {
        const auto admin = env("KIOSK_BENCH_PG_URI");
        if (admin.empty()) return std::nullopt;
        auto db = must(training::Database::open(admin, {}));
        const auto database = "kiosk_bench_" + name;
        must(db.exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", database)));
        must(db.exec(fmt::format("CREATE DATABASE {}", database)));
        r.target = withDatabase(admin, database);
    } else {
        const auto dir = std::filesystem::temp_directory_path() / fmt::format("kiosk-bench-room-{}", name);
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        r.target = (dir / "center.db").string();
    }
    r.store = must(Store::open(r.target, {.create = true}));
    must(r.store->initCenter("B", "bench", "bench"));
    r.exams = std::make_unique<ExamStore>(*r.store);
    must(r.exams->importQuestions("bank", {"题库", "bank"}, exam::MultipleScoring::AllOrNothing, makeQuestions(),
                                  "bench"));
    auto& db = r.store->database();
    {
        auto tx = must(db.transaction());
        auto ins = must(db.prepare("INSERT INTO workers (id, doc_type, doc_number, issuing_state, name, created_at, "
                                   "updated_at) VALUES (?, 'passport', ?, 'UTO', ?, 0, 0)"));
        for (int w = 1; w <= kBoardCandidates; ++w) {
            ins.bindAll(static_cast<std::int64_t>(w), fmt::format("P{:07}", w), fmt::format("W{}", w));
            must(ins.run());
        }
        must(tx.commit());
    }
    training::SittingInput in;
    in.courseId = 1;
    in.bankCode = "bank";
    in.title = "bench";
    in.seats = 500;
    for (const char* module : {"ethics", "etiquette", "legal", "safety", "appliance", "homecare"})
        in.blueprint.sections.push_back({module, 9, std::nullopt});
    in.blueprint.sections.push_back({"badge", 6, std::nullopt});  // 60 questions
    in.blueprint.duration = std::chrono::hours(10);
    in.requireAttendance = false;
    r.sitting = must(r.exams->createSitting(in, "bench")).id;
    for (int w = 1; w <= kBoardCandidates; ++w) must(r.exams->addCandidate(r.sitting, w, "bench"));
    must(r.exams->openSitting(r.sitting, "bench"));
    return r;
}

struct KioskLog {
    std::vector<double> savedMs;  ///< Time to saved of each answer.
    int errors{0};
    std::string firstError;
};

/// Runs 40 kiosks (workers @p firstWorker...), each on its own connection, answering all 60 questions; the
/// kiosks wait @p paceMs (0: none) between answers. Returns the wall time of the answering.
double runRoom(const Room& room, int firstWorker, int paceMs, std::vector<KioskLog>& logs) {
    logs.assign(kKiosks, {});
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    Clock::time_point start;
    {
        std::vector<std::jthread> kiosks;
        for (int k = 0; k < kKiosks; ++k)
            kiosks.emplace_back([&, k] {
                auto& log = logs[static_cast<std::size_t>(k)];
                auto store = must(Store::open(room.target, {.create = false}));
                ExamStore exams(*store);
                auto a = must(exams.startAttempt(room.sitting, firstWorker + k, fmt::format("kiosk:K{:02}", k)));
                std::mt19937 rng(static_cast<unsigned>(k));
                ++ready;
                while (!go.load()) std::this_thread::yield();
                for (int i = 0; i < a.attempt.itemCount(); ++i) {
                    if (paceMs > 0) std::this_thread::sleep_for(std::chrono::milliseconds(rng() % (2 * paceMs)));
                    const auto t0 = Clock::now();
                    auto r = exams.answer(a, i, {static_cast<int>(rng() % 4)});
                    const auto dt = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
                    if (!r) {
                        if (log.errors++ == 0) log.firstError = r.error().message;
                        continue;
                    }
                    log.savedMs.push_back(dt);
                }
            });
        while (ready.load() < kKiosks) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        start = Clock::now();
        go = true;
    }
    return std::chrono::duration<double>(Clock::now() - start).count();
}

void BM_ExamRoom(benchmark::State& state, const std::string& backend, int paceMs) {
    auto room = makeRoom(backend, fmt::format("room{}", paceMs));
    if (!room) {
        state.SkipWithError("PostgreSQL skipped: set KIOSK_BENCH_PG_URI (tests/bench/run_exam_room.sh does)");
        return;
    }
    std::vector<double> all;
    int errors = 0;
    double wall = 0;
    int round = 0;
    std::string firstError;
    for (auto _ : state) {
        std::vector<KioskLog> logs;
        wall = runRoom(*room, 1 + kKiosks * round++, paceMs, logs);
        for (const auto& l : logs) {
            all.insert(all.end(), l.savedMs.begin(), l.savedMs.end());
            errors += l.errors;
            if (firstError.empty()) firstError = l.firstError;
        }
        state.SetIterationTime(wall);
    }
    std::ranges::sort(all);
    if (all.empty()) die("no answer was saved: " + firstError);
    state.counters["p50_ms"] = all[all.size() / 2];
    state.counters["p99_ms"] = all[all.size() * 99 / 100];
    state.counters["max_ms"] = all.back();
    state.counters["answers_per_s"] = static_cast<double>(all.size()) / wall / static_cast<double>(round);
    state.counters["saved"] = static_cast<double>(all.size());
    state.counters["errors"] = errors;
    if (errors > 0) std::fprintf(stderr, "%s: %d saves failed, the first: %s\n", backend.c_str(), errors, firstError.c_str());
}

void BM_Board200(benchmark::State& state, const std::string& backend) {
    static std::map<std::string, Room> rooms;
    if (!rooms.contains(backend)) {
        auto room = makeRoom(backend, "board");
        if (!room) {
            state.SkipWithError("PostgreSQL skipped: set KIOSK_BENCH_PG_URI (tests/bench/run_exam_room.sh does)");
            return;
        }
        // 200 attempts in progress, each with some answers, flags and presence reports.
        for (int w = 1; w <= kBoardCandidates; ++w) {
            auto a = must(room->exams->startAttempt(room->sitting, w, "kiosk:K01"));
            must(room->exams->reportPresence(a.id, true, fmt::format("K{:02}", w % 40)));
        }
        must(room->store->database().exec(
            "UPDATE attempt_items SET chosen = '[1]', answered_at = 1 WHERE position < 30; "
            "UPDATE attempt_items SET flagged = 1 WHERE position IN (3, 17)"));
        rooms.emplace(backend, std::move(*room));
    }
    auto& room = rooms.at(backend);
    std::vector<double> samples;
    for (auto _ : state) {
        const auto t0 = Clock::now();
        const auto board = must(room.exams->proctorBoard(room.sitting));
        const auto dt = Clock::now() - t0;
        if (board.size() != kBoardCandidates || board.back().answered != 30) die("the board is wrong");
        samples.push_back(std::chrono::duration<double, std::milli>(dt).count());
        state.SetIterationTime(std::chrono::duration<double>(dt).count());
    }
    std::ranges::sort(samples);
    state.counters["p50_ms"] = samples[samples.size() / 2];
    state.counters["p99_ms"] = samples[samples.size() * 99 / 100];
}

/// The fault run: see the top of this file.
void BM_FaultRun(benchmark::State& state) {
    auto room = makeRoom("postgres", "fault");
    if (!room) {
        state.SkipWithError("the fault run needs KIOSK_BENCH_PG_URI (run tests/bench/run_exam_room.sh)");
        return;
    }
    constexpr int kPaceMs = 60;
    struct Kiosk {
        std::int64_t attemptId{0};
        std::map<int, int> acknowledged;  ///< item -> option, for each answer reported saved
        std::optional<Clock::time_point> firstFailure, savedAgain;
        int failures{0};
        std::string otherError;
    };
    std::vector<Kiosk> kiosks(kKiosks);
    // When the driver says the server accepts connections again (it creates KIOSK_BENCH_FAULT_BACK).
    std::optional<Clock::time_point> serverBack;
    std::atomic<bool> roomDone{false};
    std::jthread watcher([&] {
        const auto file = env("KIOSK_BENCH_FAULT_BACK");
        while (!file.empty() && !roomDone.load()) {
            if (std::filesystem::exists(file)) {
                serverBack = Clock::now();
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    });
    for (auto _ : state) {
        std::atomic<int> ready{0};
        std::atomic<bool> go{false};
        const auto t0 = Clock::now();
        {
            std::vector<std::jthread> threads;
            for (int k = 0; k < kKiosks; ++k)
                threads.emplace_back([&, k] {
                    auto& me = kiosks[static_cast<std::size_t>(k)];
                    auto store = must(Store::open(room->target, {.create = false}));
                    ExamStore exams(*store);
                    auto a = must(exams.startAttempt(room->sitting, 1 + k, fmt::format("kiosk:K{:02}", k)));
                    me.attemptId = a.id;
                    std::mt19937 rng(static_cast<unsigned>(k));
                    ++ready;
                    while (!go.load()) std::this_thread::yield();
                    for (int i = 0; i < a.attempt.itemCount(); ++i) {
                        std::this_thread::sleep_for(std::chrono::milliseconds(kPaceMs / 2 + rng() % kPaceMs));
                        const int option = static_cast<int>(rng() % 4);
                        // As the kiosk: the answer stays on screen, unsaved, and is saved again with backoff.
                        for (int tries = 0;; ++tries) {
                            auto r = exams.answer(a, i, {option});
                            if (r) {
                                me.acknowledged[i] = option;
                                if (me.firstFailure && !me.savedAgain) me.savedAgain = Clock::now();
                                break;
                            }
                            if (r.error().code != training::ErrorCode::Io && r.error().code != training::ErrorCode::Busy) {
                                me.otherError = r.error().message;
                                break;
                            }
                            ++me.failures;
                            if (!me.firstFailure) me.firstFailure = Clock::now();
                            std::this_thread::sleep_for(std::chrono::milliseconds(std::min(20 << std::min(tries, 4), 250)));
                        }
                    }
                });
            while (ready.load() < kKiosks) std::this_thread::sleep_for(std::chrono::milliseconds(1));
            go = true;
            if (const auto file = env("KIOSK_BENCH_FAULT_READY"); !file.empty()) std::ofstream(file) << "answering\n";
        }
        state.SetIterationTime(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    roomDone = true;
    watcher.join();
    // Every acknowledged answer must be in the database, as acknowledged.
    auto check = must(Store::open(room->target, {.create = false}));
    auto& db = check->database();
    int lost = 0, acknowledged = 0, failedKiosks = 0, other = 0;
    std::optional<Clock::time_point> firstFailure, allSaved;
    for (const auto& k : kiosks) {
        if (!k.otherError.empty()) {
            ++other;
            std::fprintf(stderr, "a kiosk stopped: %s\n", k.otherError.c_str());
        }
        if (k.firstFailure) {
            ++failedKiosks;
            if (!firstFailure || *k.firstFailure < *firstFailure) firstFailure = k.firstFailure;
            if (!k.savedAgain) die("a kiosk never saved again");
            if (!allSaved || *k.savedAgain > *allSaved) allSaved = k.savedAgain;
        }
        auto st = must(db.prepare("SELECT position, chosen FROM attempt_items WHERE attempt_id = ?"));
        st.bindAll(k.attemptId);
        std::map<int, std::string> stored;
        must(st.forEachRow([&](training::Statement& row) { stored[static_cast<int>(row.int64(0))] = row.text(1); }));
        for (const auto& [item, option] : k.acknowledged) {
            ++acknowledged;
            if (stored[item] != fmt::format("[{}]", option)) ++lost;
        }
    }
    state.counters["acknowledged"] = acknowledged;
    state.counters["lost"] = lost;
    state.counters["kiosks_that_failed"] = failedKiosks;
    state.counters["kiosks_stopped"] = other;
    const auto seconds = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
    state.counters["outage_s"] = firstFailure ? seconds(*allSaved - *firstFailure) : 0.0;
    state.counters["resave_after_restart_s"] = firstFailure && serverBack ? seconds(*allSaved - *serverBack) : -1.0;
    std::fprintf(stderr, "fault run: %d answers acknowledged, %d lost; %d of %d kiosks saw the server go; all saved "
                         "again %.2f s after the first failed save, %.3f s after the server accepted connections\n",
                 acknowledged, lost, failedKiosks, kKiosks, firstFailure ? seconds(*allSaved - *firstFailure) : 0.0,
                 firstFailure && serverBack ? seconds(*allSaved - *serverBack) : -1.0);
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (env("KIOSK_BENCH_FAULT") == "1") {
        benchmark::RegisterBenchmark("BM_FaultRun/postgres", BM_FaultRun)
            ->UseManualTime()->Unit(benchmark::kSecond)->Iterations(1);
    } else {
        for (const std::string backend : {"sqlite", "postgres"}) {
            benchmark::RegisterBenchmark(("BM_ExamRoom/" + backend + "/flat_out").c_str(),
                                         [backend](benchmark::State& s) { BM_ExamRoom(s, backend, 0); })
                ->UseManualTime()->Unit(benchmark::kSecond)->Iterations(1);
            benchmark::RegisterBenchmark(("BM_ExamRoom/" + backend + "/paced_100ms").c_str(),
                                         [backend](benchmark::State& s) { BM_ExamRoom(s, backend, 100); })
                ->UseManualTime()->Unit(benchmark::kSecond)->Iterations(1);
            benchmark::RegisterBenchmark(("BM_Board200/" + backend).c_str(),
                                         [backend](benchmark::State& s) { BM_Board200(s, backend); })
                ->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(30);
        }
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
