#pragma once
/// @file scenario_support.hpp
/// @brief Helpers shared by the kiosk scenario suites: screenshots (pixel statistics), a tiny PNG, and
/// running the real kiosk under Xvfb with a script.

#include <gtest/gtest.h>
#include <stb_image.h>
#include <stb_image_write.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace kioskuitest {

/// @brief A 2x2 grey PNG (a stand-in signature).
inline std::vector<std::uint8_t> tinyPng() {
    std::vector<std::uint8_t> png;
    const unsigned char px[4] = {0, 255, 255, 0};
    stbi_write_png_to_func(
        [](void* ctx, void* data, int size) {
            auto* out = static_cast<std::vector<std::uint8_t>*>(ctx);
            out->insert(out->end(), static_cast<std::uint8_t*>(data), static_cast<std::uint8_t*>(data) + size);
        },
        &png, 2, 2, 1, px, 2);
    return png;
}

/// @brief Pixel statistics of a screenshot.
struct Shot {
    int w{0}, h{0};
    std::vector<unsigned char> rgba;
    [[nodiscard]] std::array<int, 3> at(int x, int y) const {
        const auto i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(w) + static_cast<std::size_t>(x)) * 4;
        return {rgba[i], rgba[i + 1], rgba[i + 2]};
    }
    /// Fraction of pixels that differ from the page background inside a rectangle.
    [[nodiscard]] double inkFraction(int x0, int y0, int x1, int y1) const {
        const auto bg = at(x1 - 2, y1 - 2);
        long ink = 0, all = 0;
        for (int y = y0; y < y1; ++y)
            for (int x = x0; x < x1; ++x) {
                auto p = at(x, y);
                if (std::abs(p[0] - bg[0]) + std::abs(p[1] - bg[1]) + std::abs(p[2] - bg[2]) > 60) ++ink;
                ++all;
            }
        return all ? static_cast<double>(ink) / static_cast<double>(all) : 0.0;
    }
    /// Fraction of dark (text-coloured) pixels inside a rectangle.
    [[nodiscard]] double darkFraction(int x0, int y0, int x1, int y1) const {
        long dark = 0, all = 0;
        for (int y = y0; y < y1; ++y)
            for (int x = x0; x < x1; ++x) {
                auto p = at(x, y);
                if (p[0] < 80 && p[1] < 80 && p[2] < 100) ++dark;
                ++all;
            }
        return all ? static_cast<double>(dark) / static_cast<double>(all) : 0.0;
    }
};

/// @brief Loads a screenshot; nullopt when it is missing or not an image.
inline std::optional<Shot> loadShot(const std::filesystem::path& p) {
    int w = 0, h = 0, n = 0;
    unsigned char* px = stbi_load(p.string().c_str(), &w, &h, &n, 4);
    if (!px) return std::nullopt;
    Shot s{w, h, std::vector<unsigned char>(px, px + static_cast<std::size_t>(w) * h * 4)};
    stbi_image_free(px);
    return s;
}

/// @brief Checks that a screenshot is a drawn kiosk frame: 1280x800, the dark blue top bar, ink and dark text in
/// the content area (i.e. not blank).
inline void expectGoodShot(const std::filesystem::path& file) {
    auto shot = loadShot(file);
    ASSERT_TRUE(shot) << "no screenshot " << file;
    EXPECT_EQ(shot->w, 1280);
    EXPECT_EQ(shot->h, 800);
    auto bar = shot->at(5, 5);
    EXPECT_LT(bar[0], 40);
    EXPECT_GT(bar[2], 60);
    EXPECT_GT(shot->inkFraction(0, 100, 1280, 800), 0.03) << file << " looks blank";
    EXPECT_GT(shot->darkFraction(0, 100, 1280, 800), 0.001) << file << " has no dark text";
}

/// @brief The display of the run's Xvfb (CTest fixture xvfb, tests/kiosk_ui/xvfb_fixture.sh), e.g. ":3";
/// empty when the fixture did not start it (the test binary run by hand).
inline std::string fixtureDisplay() {
    const auto dir = testsupport::env("KIOSK_TEST_XVFB_DIR");
    if (dir.empty()) return {};
    std::ifstream in(std::filesystem::path(dir) / "display");
    std::string n;
    if (!(in >> n) || n.empty()) return {};
    return ":" + n;
}

/// @brief Runs `kiosk --window 1280x800 --script` on the run's Xvfb (Mesa software OpenGL); spoken prompts go
/// to WAV files in @p artifacts/speech. The kiosk's own exit status comes back unchanged.
/// Sanitizer builds: Mesa's own allocations are not ours (lsan.supp). One 128-byte block of the unloaded swrast
/// DRI module still shows as "<unknown module>", which no suppression can name, so leak checking is off for the
/// kiosk process under Xvfb only; address and UB checks stay on (see README).
inline testsupport::RunResult runKioskUnderXvfb(const std::filesystem::path& kiosk, const std::filesystem::path& db,
                                                const std::filesystem::path& config, const std::filesystem::path& script,
                                                const std::filesystem::path& artifacts,
                                                const std::filesystem::path& lsanSuppressions,
                                                const std::string& window = "1280x800") {
    std::filesystem::create_directories(artifacts / "speech");
    const auto display = fixtureDisplay();
    if (display.empty())
        return {-1, "", "no Xvfb display: run the scenarios through ctest (its fixture xvfb starts Xvfb)"};
    return testsupport::run({kiosk.string(), "--db", db.string(), "--config", config.string(), "--window",
                             window, "--script", script.string()},
                            {"DISPLAY=" + display, "KIOSK_SPEECH_WAV_DIR=" + (artifacts / "speech").string(),
                             "LIBGL_ALWAYS_SOFTWARE=1", "LSAN_OPTIONS=suppressions=" + lsanSuppressions.string(),
                             "ASAN_OPTIONS=detect_leaks=0"});
}

/// @brief The part of a screenshot below the top bar that is drawn on (differs from the page background), as
/// fractions of the width and of the height below the bar: how much of the screen a screen's content uses.
struct Coverage {
    double width{0};
    double height{0};
};
inline Coverage contentCoverage(const Shot& s) {
    // The bar is dark blue from the top; the page background is #F7F8FA.
    int bar = 0;
    while (bar < s.h && s.at(2, bar)[2] < 120) ++bar;
    int x0 = s.w, x1 = -1, y0 = s.h, y1 = -1;
    for (int y = bar; y < s.h; ++y)
        for (int x = 0; x < s.w; ++x) {
            const auto p = s.at(x, y);
            if (std::abs(p[0] - 0xF7) + std::abs(p[1] - 0xF8) + std::abs(p[2] - 0xFA) <= 24) continue;
            x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
        }
    if (x1 < 0 || bar >= s.h) return {};
    return {static_cast<double>(x1 - x0 + 1) / s.w, static_cast<double>(y1 - y0 + 1) / (s.h - bar)};
}

}  // namespace kioskuitest
