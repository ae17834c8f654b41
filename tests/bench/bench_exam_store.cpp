// Exam storage benchmark: saving one answer on a file database with synchronous=FULL (p50/p99), and
// statistics of a sitting with 10,000 submitted attempts of 60 questions read from the database.
// The proctor board of 40 candidates in progress and one presence report of the exam screen.
// Goals: p99 save <= 5 ms; statistics <= 1 s. Not run in CI.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <random>

#include "exam/attempt.hpp"
#include "training/exam_store.hpp"

namespace {

using training::ExamStore;
using training::Store;

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

struct Fixture {
    std::filesystem::path dir;
    std::unique_ptr<Store> store;
    std::unique_ptr<ExamStore> exams;
    std::int64_t sitting{0};
    std::vector<std::int64_t> workers;
};

Fixture make(const std::string& name, int workers) {
    Fixture f;
    f.dir = std::filesystem::temp_directory_path() / fmt::format("kiosk-bench-exam-{}", name);
    std::filesystem::remove_all(f.dir);
    std::filesystem::create_directories(f.dir);
    f.store = must(Store::open(f.dir / "center.db", {.create = true}));
    must(f.store->initCenter("B", "bench", "bench"));
    f.exams = std::make_unique<ExamStore>(*f.store);
    must(f.exams->importQuestions("bank", {"题库", "bank"}, exam::MultipleScoring::AllOrNothing, makeQuestions(), "bench"));
    auto& db = f.store->database();
    must(db.exec("BEGIN"));
    {
        auto ins = must(db.prepare("INSERT INTO workers (id, doc_type, doc_number, issuing_state, name, created_at, "
                                   "updated_at) VALUES (?, 'passport', ?, 'UTO', 'W', 0, 0)"));
        for (int w = 1; w <= workers; ++w) {
            ins.bindAll(static_cast<std::int64_t>(w), fmt::format("P{:07}", w));
            must(ins.run());
            f.workers.push_back(w);
        }
    }
    must(db.exec("COMMIT"));
    training::SittingInput in;
    in.courseId = 1;
    in.bankCode = "bank";
    in.title = "bench";
    in.seats = 500;
    for (const char* module : {"ethics", "etiquette", "legal", "safety", "appliance", "homecare"})
        in.blueprint.sections.push_back({module, 9, std::nullopt});
    in.blueprint.sections.push_back({"badge", 6, std::nullopt});  // 60 questions
    in.blueprint.duration = std::chrono::hours(10);
    in.requireAttendance = false;  // the bench's workers attend no sessions
    f.sitting = must(f.exams->createSitting(in, "bench")).id;
    must(f.exams->addCandidate(f.sitting, 1, "bench"));
    must(f.exams->openSitting(f.sitting, "bench"));
    return f;
}

/// Times @p body once per iteration (manual time) and adds p50/p99 counters in @p Unit.
template <class Unit, class Body>
void timeEach(benchmark::State& state, const char* unitName, Body body) {
    std::vector<double> samples;
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        body();
        const auto dt = std::chrono::steady_clock::now() - t0;
        samples.push_back(std::chrono::duration<double, Unit>(dt).count());
        state.SetIterationTime(std::chrono::duration<double>(dt).count());
    }
    std::ranges::sort(samples);
    state.counters[fmt::format("p50_{}", unitName)] = samples[samples.size() / 2];
    state.counters[fmt::format("p99_{}", unitName)] = samples[samples.size() * 99 / 100];
}

void BM_SaveAnswer(benchmark::State& state) {
    static Fixture f = make("save", 1);
    auto attempt = must(f.exams->startAttempt(f.sitting, 1, "bench"));
    std::mt19937 rng(7);
    int i = 0;
    timeEach<std::micro>(state, "us", [&] {
        const int item = i++ % attempt.attempt.itemCount();
        must(f.exams->answer(attempt, item, {static_cast<int>(rng() % 4)}));
    });
}

// 10,000 submitted attempts of 60 questions, written straight into the tables the store reads.
void BM_Statistics10k(benchmark::State& state) {
    static Fixture f = [] {
        Fixture fx = make("stats", 10000);
        auto& db = fx.store->database();
        auto bank = must(fx.exams->bank("bank"));
        auto sit = must(fx.exams->sitting(fx.sitting));
        std::map<std::string, std::int64_t> rowOf;
        {
            auto q = must(db.prepare("SELECT question_key, id FROM questions"));
            while (must(q.step())) rowOf[q.text(0)] = q.int64(1);
        }
        std::mt19937 rng(11);
        must(db.exec("BEGIN"));
        auto att = must(db.prepare("INSERT INTO attempts (id, sitting_id, worker_id, attempt_no, seed, pass_mark, duration_s, "
                                   "scoring, started_at, submitted_at, submit_reason, score, passed, grade) "
                                   "VALUES (?, ?, ?, 1, ?, 80, 36000, 'all-or-nothing', 0, 600, 'candidate', ?, ?, ?)"));
        auto item = must(db.prepare("INSERT INTO attempt_items (attempt_id, position, question_id, option_order, chosen, "
                                    "answered_at) VALUES (?, ?, ?, '[0,1,2,3]', ?, 100)"));
        for (std::int64_t a = 1; a <= 10000; ++a) {
            auto paper = must([&]() -> training::Result<exam::Paper> {
                auto p = exam::assemblePaper(bank, sit.blueprint, static_cast<std::uint64_t>(a));
                if (!p) return training::fail(training::ErrorCode::Internal, p.error().message);
                return *p;
            }());
            const double ability = 0.5 + 0.5 * (rng() % 1000) / 1000.0;
            std::vector<exam::ItemResponse> responses(paper.items.size());
            for (std::size_t i = 0; i < paper.items.size(); ++i) {
                const auto& q = paper.items[i].question;
                int right = 0;
                for (std::size_t o = 0; o < q.options.size(); ++o)
                    if (q.isCorrect(o)) right = static_cast<int>(o);
                responses[i].chosen = {(rng() % 1000) / 1000.0 < ability ? right : (right + 1) % 4};
            }
            const auto grade = exam::gradePaper(paper, responses);
            nlohmann::json items = nlohmann::json::array();
            for (const auto& g : grade.items) items.push_back({{"id", g.questionId}, {"credit", g.credit}});
            att.bindAll(a, fx.sitting, (a - 1) % 10000 + 1, std::to_string(a), grade.score, grade.passed,
                        nlohmann::json{{"score", grade.score}, {"items", items}}.dump());
            must(att.run());
            for (std::size_t i = 0; i < paper.items.size(); ++i) {
                item.bindAll(a, static_cast<std::int64_t>(i), rowOf.at(paper.items[i].question.id),
                             nlohmann::json(responses[i].chosen).dump());
                must(item.run());
            }
        }
        must(db.exec("COMMIT"));
        return fx;
    }();
    for (auto _ : state) {
        auto stats = must(f.exams->statistics(f.sitting));
        if (stats.attempts != 10000) die("wrong attempt count");
        benchmark::DoNotOptimize(stats);
    }
}

}  // namespace

// The proctor board of a full room: 40 candidates with attempts of 60 questions in progress, half answered.
// The trainer's screen reloads it every 5 s on the database thread.
void BM_ProctorBoard40(benchmark::State& state) {
    static Fixture f = [] {
        Fixture fx = make("board", 40);
        for (int w = 2; w <= 40; ++w) must(fx.exams->addCandidate(fx.sitting, w, "bench"));
        for (int w = 1; w <= 40; ++w) {
            auto a = must(fx.exams->startAttempt(fx.sitting, w, "bench"));
            for (int i = 0; i < 30; ++i) must(fx.exams->answer(a, i, {i % 4}));
            must(fx.exams->reportPresence(a.id, true, fmt::format("K{:02}", w)));
        }
        return fx;
    }();
    timeEach<std::milli>(state, "ms", [&] {
        if (must(f.exams->proctorBoard()).size() != 40) die("the board lost candidates");
    });
}

// One presence report of the exam screen (every 10 s per kiosk), durable like an answer.
void BM_ReportPresence(benchmark::State& state) {
    static Fixture f = make("presence", 1);
    static auto attempt = must(f.exams->startAttempt(f.sitting, 1, "bench"));
    timeEach<std::micro>(state, "us", [&] { must(f.exams->reportPresence(attempt.id, true, "K01")); });
}

BENCHMARK(BM_SaveAnswer)->UseManualTime()->Unit(benchmark::kMicrosecond)->Iterations(2000);
BENCHMARK(BM_Statistics10k)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_ProctorBoard40)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(50);
BENCHMARK(BM_ReportPresence)->UseManualTime()->Unit(benchmark::kMicrosecond)->Iterations(1000);

BENCHMARK_MAIN();
