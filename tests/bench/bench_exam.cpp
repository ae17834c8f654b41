// Exam engine benchmarks: statistics for a large sitting, paper assembly, attempt grading, GIFT import.
#include <benchmark/benchmark.h>

#include <array>
#include <string>
#include <string_view>

#include "exam/attempt.hpp"
#include "exam/gift.hpp"
#include "exam/paper.hpp"
#include "exam/random.hpp"
#include "exam/stats.hpp"

namespace {

// The module codes of the badge course (course data in the product; the engine takes any code).
constexpr std::array<std::string_view, 7> kModules{"ethics", "etiquette", "legal", "safety", "appliance", "homecare",
                                                   "badge"};

exam::ResponseMatrix makeMatrix(std::size_t attempts, std::size_t items) {
    exam::ResponseMatrix m(attempts, items);
    exam::Prng rng(2024);
    for (std::size_t i = 0; i < items; ++i) {
        m.optionCount[i] = 4;
        m.itemModule[i] = std::string(kModules[i % kModules.size()]);
    }
    for (std::size_t a = 0; a < attempts; ++a) {
        const std::uint64_t ability = rng.below(100);
        for (std::size_t i = 0; i < items; ++i) {
            const bool right = rng.below(100) < (ability + 40) / 2 + i % 20;
            const std::uint32_t option = right ? 0u : static_cast<std::uint32_t>(1 + rng.below(3));
            m.set(a, i, right ? 1.0f : 0.0f, 1u << option);
        }
    }
    return m;
}

void BM_Statistics(benchmark::State& state) {
    const auto attempts = static_cast<std::size_t>(state.range(0));
    const auto items = static_cast<std::size_t>(state.range(1));
    const exam::ResponseMatrix m = makeMatrix(attempts, items);
    for (auto _ : state) {
        auto s = exam::computeStatistics(m, 80.0);
        benchmark::DoNotOptimize(s);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * attempts * items));
}
BENCHMARK(BM_Statistics)->Args({10'000, 60})->Args({300, 60})->Unit(benchmark::kMillisecond);

exam::Bank makeBank(int perModule) {
    exam::Bank b;
    b.id = "bench";
    for (const std::string_view code : kModules) {
        for (int i = 0; i < perModule; ++i) {
            exam::Question q;
            q.id = std::string(code) + "-" + std::to_string(i);
            q.module = std::string(code);
            q.difficulty = 1 + i % 3;
            q.stem = {"题目", "Question"};
            for (int o = 0; o < 4; ++o) q.options.push_back(exam::Option{{"选项", "Option"}, o == 0 ? 100.0 : 0.0, {}});
            b.questions.push_back(std::move(q));
        }
    }
    return b;
}

exam::Blueprint makeBlueprint() {
    exam::Blueprint bp;
    for (const std::string_view code : kModules)
        bp.sections.push_back(exam::BlueprintSection{std::string(code), 0, std::array<int, 3>{3, 3, 2}});
    bp.sections.push_back(exam::BlueprintSection{"safety", 4, std::nullopt});  // 7 x 8 + 4 = 60 items
    return bp;
}

void BM_AssemblePaper(benchmark::State& state) {
    const exam::Bank bank = makeBank(static_cast<int>(state.range(0)));
    const exam::Blueprint bp = makeBlueprint();
    std::set<std::string> seen;
    for (int i = 0; i < 20; ++i) seen.insert("safety-" + std::to_string(i));
    int attempt = 0;
    for (auto _ : state) {
        auto p = exam::assemblePaper(bank, bp, exam::paperSeed("sitting-1", "worker-1", ++attempt), seen);
        if (!p) state.SkipWithError(p.error().message.c_str());
        benchmark::DoNotOptimize(p);
    }
}
BENCHMARK(BM_AssemblePaper)->Arg(40)->Arg(200)->Unit(benchmark::kMicrosecond);

void BM_GradeAttempt(benchmark::State& state) {
    const exam::Bank bank = makeBank(40);
    auto paper = exam::assemblePaper(bank, makeBlueprint(), 7);
    std::vector<exam::ItemResponse> responses(paper->items.size());
    for (auto& r : responses) r.chosen = {0};
    for (auto _ : state) {
        auto g = exam::gradePaper(*paper, responses);
        benchmark::DoNotOptimize(g);
    }
}
BENCHMARK(BM_GradeAttempt)->Unit(benchmark::kMicrosecond);

void BM_ImportGift(benchmark::State& state) {
    std::string text = "$CATEGORY: safety\n\n";
    for (int i = 0; i < 1000; ++i) {
        text += "::q" + std::to_string(i) + "::湿手可以插拔插头吗？ / Wet hands?{=不可以 / No#对 ~可以 / Yes#错 ####湿手导电。}\n\n";
    }
    exam::ImportOptions options;
    options.modules.push_back({"safety", "安全知识", "Safety knowledge"});
    for (auto _ : state) {
        auto r = exam::importGift(text, options);
        benchmark::DoNotOptimize(r);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ImportGift)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
