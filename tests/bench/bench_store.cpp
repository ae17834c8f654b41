// Store benchmark: a synthetic center with 1,000,000 workers, 20,000,000 attendance rows and 2,000,000 audit rows.
// Lookup of a worker by ID number, a session's roster, hours per module for one worker, a worker's latest audit
// row of one kind (the sign-in's "did this worker decline the face check" question).
// Goal: p99 lookup <= 1 ms, hours per module <= 2 ms, audit lookup <= 1 ms. Not run in CI.
//
// The database is built once (a few minutes) at $KIOSK_BENCH_DB or /tmp/kiosk-bench-center-*.db and reused by
// later runs (opening it migrates it to the current schema). Sizes can be reduced for a quick look:
// KIOSK_BENCH_WORKERS, KIOSK_BENCH_SESSIONS, KIOSK_BENCH_AUDIT_ROWS.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <random>

#include "training/id_number.hpp"
#include "training/store.hpp"

namespace {

std::int64_t envInt(const char* name, std::int64_t fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::atoll(v) : fallback;
}

const std::int64_t kWorkers = envInt("KIOSK_BENCH_WORKERS", 1'000'000);
const std::int64_t kSessions = envInt("KIOSK_BENCH_SESSIONS", 20'000);
const std::int64_t kAuditRows = envInt("KIOSK_BENCH_AUDIT_ROWS", 2'000'000);
constexpr std::int64_t kPerSession = 1000;  // roster size; every worker attends 20 sessions at full size
constexpr std::int64_t kEpoch = 1767225600;  // 2026-01-01

std::string benchPath() {
    const char* p = std::getenv("KIOSK_BENCH_DB");
    return p && *p ? p : fmt::format("/tmp/kiosk-bench-center-{}-{}-{}.db", kWorkers, kSessions, kAuditRows);
}

// A valid, unique ID number for worker i: region, birth date and sequence vary with i.
std::string idNumber(std::int64_t i) {
    static constexpr const char* kRegions[] = {"310101", "310104", "340102", "320102", "410102", "510104"};
    const auto birthDay = std::chrono::sys_days(std::chrono::year{1960} / 1 / 1) + std::chrono::days(i / 1000 % 14000);
    const std::chrono::year_month_day ymd(birthDay);
    std::string first17 = fmt::format("{}{:04}{:02}{:02}{:03}", kRegions[i % 6], static_cast<int>(ymd.year()),
                                      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), i % 1000);
    first17.push_back(training::chinaIdCheckCharacter(first17));
    return first17;
}

void check(const training::Result<void>& r) {
    if (!r) {
        std::fprintf(stderr, "bench setup failed: %s\n", r.error().message.c_str());
        std::exit(2);
    }
}

void build(const std::string& path) {
    std::remove(path.c_str());
    {
        auto store = training::Store::open(path, {.create = true});
        if (!store) {
            std::fprintf(stderr, "%s\n", store.error().message.c_str());
            std::exit(2);
        }
        if (!(*store)->initCenter("BENCH", "Benchmark center", "bench") ||
            !(*store)->addStaff("Trainer", training::Role::Trainer, "482916", "bench")) {
            std::fprintf(stderr, "bench setup failed\n");
            std::exit(2);
        }
    }
    auto db = training::Database::open(path, {});
    if (!db) std::exit(2);
    check(db->exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000"));
    const auto t0 = std::chrono::steady_clock::now();
    check(db->exec("BEGIN"));
    {
        auto ins = db->prepare("INSERT INTO workers (id, doc_type, doc_number, name, sex, created_at, updated_at) "
                               "VALUES (?, 'cn-id', ?, ?, ?, ?, ?)");
        for (std::int64_t i = 1; i <= kWorkers; ++i) {
            const auto number = idNumber(i);
            ins->bindAll(i, number, fmt::format("工人{}", i), ((number[16] - '0') % 2) ? "M" : "F", kEpoch, kEpoch);
            check(ins->run());
        }
    }
    std::fprintf(stderr, "bench: %lld workers\n", static_cast<long long>(kWorkers));
    {
        auto ins = db->prepare("INSERT INTO sessions (id, course_id, module_code, trainer_id, room, starts_at, "
                               "ends_at, created_at) VALUES (?, 1, ?, 1, '201', ?, ?, ?)");
        static constexpr const char* kModules[] = {"ethics", "etiquette", "legal", "safety", "appliance", "homecare", "badge"};
        for (std::int64_t s = 1; s <= kSessions; ++s) {
            const auto start = kEpoch + s * 3 * 3600;
            ins->bindAll(s, kModules[s % 7], start, start + 7200, kEpoch);
            check(ins->run());
        }
    }
    check(db->exec("COMMIT"));
    // Chronological attendance: session by session, so one worker's rows are spread over the file.
    const std::int64_t groups = std::max<std::int64_t>(1, kWorkers / kPerSession);
    auto roster = db->prepare("INSERT INTO roster (session_id, worker_id, added_at) VALUES (?, ?, ?)");
    auto att = db->prepare("INSERT INTO attendance (session_id, worker_id, check_in_at, check_out_at, check_in_method, "
                           "check_out_method, face_score) VALUES (?, ?, ?, ?, 'face', 'face', 0.71)");
    std::int64_t rows = 0;
    check(db->exec("BEGIN"));
    for (std::int64_t s = 1; s <= kSessions; ++s) {
        const auto start = kEpoch + s * 3 * 3600;
        const auto first = ((s - 1) % groups) * kPerSession + 1;
        for (std::int64_t w = first; w < first + kPerSession && w <= kWorkers; ++w) {
            roster->bindAll(s, w, kEpoch);
            check(roster->run());
            att->bindAll(s, w, start - 300 + (w % 600), start + 7000 + (w % 400));
            check(att->run());
            ++rows;
        }
        if (s % 1000 == 0) {
            check(db->exec("COMMIT; BEGIN"));
            std::fprintf(stderr, "bench: %lld attendance rows\n", static_cast<long long>(rows));
        }
    }
    check(db->exec("COMMIT"));
    // The audit log of a busy center over a few years: rows about random workers, one in fifty a declined face
    // check. The hashes are not a chain (nothing here verifies it); the rows only need the table's shape.
    {
        static constexpr const char* kActions[] = {"attendance.check-in", "attendance.check-out", "exam.start",
                                                   "exam.submit", "document.sign", "certificate.print"};
        std::mt19937_64 rng(7);
        auto ins = db->prepare("INSERT INTO audit_log (at, actor, action, subject, details, prev_hash, hash) "
                               "VALUES (?, 'bench-audit', ?, ?, '{\"kiosk\":\"K07\"}', ?, ?)");
        const std::string hash(64, 'a');
        check(db->exec("BEGIN"));
        for (std::int64_t i = 1; i <= kAuditRows; ++i) {
            const auto worker = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(kWorkers)) + 1;
            const char* action = i % 50 == 0 ? "consent.decline" : kActions[i % 6];
            ins->bindAll(kEpoch + i * 30, action, fmt::format("worker:{}", worker), hash, hash);
            check(ins->run());
        }
        check(db->exec("COMMIT"));
        std::fprintf(stderr, "bench: %lld audit rows\n", static_cast<long long>(kAuditRows));
    }
    check(db->exec("ANALYZE"));
    const auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "bench: built %s in %.0f s (%lld attendance rows)\n", path.c_str(), secs,
                 static_cast<long long>(rows));
}

training::Store& store() {
    static std::unique_ptr<training::Store> s = [] {
        const auto path = benchPath();
        bool ok = false;
        if (auto existing = training::Store::open(path, {.create = false, .integrity = training::IntegrityCheck::Never}))
            ok = (*existing)->database().queryInt("SELECT count(*) FROM sessions").value_or(0) == kSessions &&
                 (*existing)->database().queryInt("SELECT count(*) FROM audit_log WHERE actor = 'bench-audit'")
                         .value_or(-1) == kAuditRows;
        if (!ok) build(path);
        auto opened = training::Store::open(path, {.create = false, .integrity = training::IntegrityCheck::Never});
        if (!opened) {
            std::fprintf(stderr, "%s\n", opened.error().message.c_str());
            std::exit(2);
        }
        return std::move(*opened);
    }();
    return *s;
}

// Runs @p op per iteration with a fresh random argument and reports p50/p99 in microseconds.
template <typename Op>
void withPercentiles(benchmark::State& state, std::int64_t range, Op op) {
    auto& s = store();
    std::mt19937_64 rng(42);
    std::vector<double> us;
    us.reserve(100000);
    for (auto _ : state) {
        const auto arg = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(range)) + 1;
        const auto t0 = std::chrono::steady_clock::now();
        op(s, arg);
        const auto dt = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
        us.push_back(dt);
        state.SetIterationTime(dt / 1e6);
    }
    std::sort(us.begin(), us.end());
    if (!us.empty()) {
        state.counters["p50_us"] = us[us.size() / 2];
        state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
        state.counters["max_us"] = us.back();
    }
}

void BM_FindWorkerByIdNumber(benchmark::State& state) {
    withPercentiles(state, kWorkers, [](training::Store& s, std::int64_t i) {
        auto w = s.findWorkerByDocument(idNumber(i));
        if (!w || w->id != i) std::abort();
        benchmark::DoNotOptimize(w);
    });
}

void BM_SessionRoster(benchmark::State& state) {
    withPercentiles(state, kSessions, [](training::Store& s, std::int64_t sid) {
        auto r = s.roster(sid);
        if (!r || r->empty()) std::abort();
        benchmark::DoNotOptimize(r);
    });
}

void BM_HoursPerModule(benchmark::State& state) {
    withPercentiles(state, kWorkers, [](training::Store& s, std::int64_t w) {
        auto h = s.hoursPerModule(w, 1);
        if (!h) std::abort();
        benchmark::DoNotOptimize(h);
    });
}

void BM_LatestAuditOfAWorker(benchmark::State& state) {
    withPercentiles(state, kWorkers, [](training::Store& s, std::int64_t w) {
        auto a = s.latestAudit(fmt::format("worker:{}", w), "consent.decline");
        if (!a) std::abort();
        benchmark::DoNotOptimize(a);
    });
}

}  // namespace

BENCHMARK(BM_FindWorkerByIdNumber)->UseManualTime()->Unit(benchmark::kMicrosecond)->Iterations(20000);
BENCHMARK(BM_SessionRoster)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(200);
BENCHMARK(BM_HoursPerModule)->UseManualTime()->Unit(benchmark::kMicrosecond)->Iterations(20000);
BENCHMARK(BM_LatestAuditOfAWorker)->UseManualTime()->Unit(benchmark::kMicrosecond)->Iterations(500);

BENCHMARK_MAIN();
