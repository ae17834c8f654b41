// Certificates per second on one core, and bytes per certificate (with portrait and QR).
// Goal (issue 6): >= 100 per second, <= 100 KB each. Run: build/<dir>/tests/documents/bench_documents
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "training/documents.hpp"

namespace {

training::DocumentRenderer& renderer() {
    static auto r = [] {
        training::DocumentRendererOptions o;
        if (const char* a = std::getenv("KIOSK_ASSETS_DIR"); a && *a) o.templateDir = std::filesystem::path(a) / "certificates";
        auto made = training::DocumentRenderer::create(o);
        if (!made) {
            std::fprintf(stderr, "bench_documents: %s\n", made.error().message.c_str());
            std::exit(1);
        }
        return std::move(*made);
    }();
    return r;
}

/// The demo document; with KIOSK_TEST_FACES set, the largest real portrait there.
training::CertificateDocument document() {
    auto doc = training::demoCertificateDocument();
    if (const char* faces = std::getenv("KIOSK_TEST_FACES"); faces && *faces && std::filesystem::is_directory(faces)) {
        std::filesystem::path largest;
        std::uintmax_t size = 0;
        for (const auto& e : std::filesystem::directory_iterator(faces))
            if (e.path().extension() == ".jpg" && e.file_size() > size) size = e.file_size(), largest = e.path();
        if (!largest.empty()) {
            std::ifstream in(largest, std::ios::binary);
            std::ostringstream ss;
            ss << in.rdbuf();
            const auto s = ss.str();
            doc.portrait.assign(s.begin(), s.end());
        }
    }
    return doc;
}

void render(benchmark::State& state, training::DocumentKind kind) {
    auto doc = document();
    std::size_t bytes = 0;
    int i = 0;
    for (auto _ : state) {
        // A different certificate number and name each time, as in a real batch.
        doc.certificateNumber = "SH01-2025-" + std::to_string(100000 + i);
        doc.workerName = (i++ % 2) ? "王秀英" : "李桂兰";
        auto r = renderer().render(kind, doc);
        if (!r) {
            state.SkipWithError(r.error().message.c_str());
            break;
        }
        bytes = r->pdf.size();
        benchmark::DoNotOptimize(r->pdf.data());
    }
    state.counters["docs_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    state.counters["bytes_per_doc"] = static_cast<double>(bytes);
    state.counters["portrait_bytes"] = static_cast<double>(doc.portrait.size());
}

void BM_Certificate(benchmark::State& state) { render(state, training::DocumentKind::Certificate); }
void BM_Badge(benchmark::State& state) { render(state, training::DocumentKind::Badge); }

BENCHMARK(BM_Certificate)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Badge)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
