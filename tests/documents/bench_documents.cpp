// Certificates per second on one core, and bytes per certificate (with portrait and QR).
// Goal (issue 6): >= 100 per second, <= 100 KB each.
// Run: KIOSK_ASSETS_DIR=assets KIOSK_TEST_FACES=../shared/testdata/faces build/<dir>/tests/documents/bench_documents
//
// Portraits (with KIOSK_TEST_FACES; else the demo's small generated portrait):
//   camera    the largest real camera picture there, as is (about 80 KB, 640x640): re-encoded smaller once per
//             worker, then taken from the renderer's portrait cache (the certificate, the badge, reprints);
//   first     the same picture with the cache disabled: every render decodes and re-encodes it (the cost of a
//             worker's first document);
//   kiosk     the 358x441 ID portrait the kiosk stores (the same picture cropped and JPEG-encoded like
//             devices::face::encodeJpeg does), small enough to be embedded as is.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "devices/face/quality.hpp"
#include "training/documents.hpp"

namespace {

enum class Portrait { Camera, First, Kiosk };

training::DocumentRenderer& renderer(bool cache) {
    static std::map<bool, training::DocumentRenderer> renderers;
    if (auto it = renderers.find(cache); it != renderers.end()) return it->second;
    training::DocumentRendererOptions o;
    if (const char* a = std::getenv("KIOSK_ASSETS_DIR"); a && *a) o.templateDir = std::filesystem::path(a) / "certificates";
    o.portraitCacheEntries = cache ? 64 : 0;
    auto made = training::DocumentRenderer::create(o);
    if (!made) {
        std::fprintf(stderr, "bench_documents: %s\n", made.error().message.c_str());
        std::exit(1);
    }
    return renderers.emplace(cache, std::move(*made)).first->second;
}

/// The largest real camera picture in KIOSK_TEST_FACES, or empty.
std::vector<std::uint8_t> cameraPicture() {
    const char* faces = std::getenv("KIOSK_TEST_FACES");
    if (!faces || !*faces || !std::filesystem::is_directory(faces)) return {};
    std::filesystem::path largest;
    std::uintmax_t size = 0;
    for (const auto& e : std::filesystem::directory_iterator(faces))
        if (e.path().extension() == ".jpg" && e.file_size() > size) size = e.file_size(), largest = e.path();
    if (largest.empty()) return {};
    std::ifstream in(largest, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    const auto s = ss.str();
    return {s.begin(), s.end()};
}

/// The kiosk's stored portrait made from @p picture: scaled to cover 358x441, centre-cropped, JPEG as the kiosk
/// encodes it.
std::vector<std::uint8_t> kioskPortrait(const std::vector<std::uint8_t>& picture) {
    const cv::Mat img = cv::imdecode(picture, cv::IMREAD_COLOR);
    if (img.empty()) return {};
    const int w = devices::face::kPortraitWidth, h = devices::face::kPortraitHeight;
    const double s = std::max(static_cast<double>(w) / img.cols, static_cast<double>(h) / img.rows);
    cv::Mat scaled;
    cv::resize(img, scaled, {}, s, s, cv::INTER_AREA);
    const cv::Rect roi((scaled.cols - w) / 2, (scaled.rows - h) / 2, w, h);
    auto jpeg = devices::face::encodeJpeg(scaled(roi).clone());
    if (!jpeg) return {};
    return {jpeg->begin(), jpeg->end()};
}

void render(benchmark::State& state, training::DocumentKind kind, Portrait portrait) {
    auto doc = training::demoCertificateDocument();
    if (auto picture = cameraPicture(); !picture.empty())
        doc.portrait = portrait == Portrait::Kiosk ? kioskPortrait(picture) : picture;
    else
        state.SetLabel("demo portrait (set KIOSK_TEST_FACES for a real one)");
    auto& r = renderer(portrait != Portrait::First);
    std::size_t bytes = 0;
    int i = 0;
    for (auto _ : state) {
        // A different certificate number and name each time, as in a real batch.
        doc.certificateNumber = "SH01-2025-" + std::to_string(100000 + i);
        doc.workerName = (i++ % 2) ? "王秀英" : "李桂兰";
        auto out = r.render(kind, doc);
        if (!out) {
            state.SkipWithError(out.error().message.c_str());
            break;
        }
        bytes = out->pdf.size();
        benchmark::DoNotOptimize(out->pdf.data());
    }
    state.counters["docs_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    state.counters["bytes_per_doc"] = static_cast<double>(bytes);
    state.counters["portrait_bytes"] = static_cast<double>(doc.portrait.size());
}

BENCHMARK_CAPTURE(render, certificate_camera, training::DocumentKind::Certificate, Portrait::Camera)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(render, certificate_first, training::DocumentKind::Certificate, Portrait::First)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(render, certificate_kiosk, training::DocumentKind::Certificate, Portrait::Kiosk)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(render, badge_camera, training::DocumentKind::Badge, Portrait::Camera)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(render, badge_kiosk, training::DocumentKind::Badge, Portrait::Kiosk)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
