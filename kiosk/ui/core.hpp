#pragma once
/// @file core.hpp
/// @brief The kiosk without its window: catalogs, fonts, screens, flow, session, idle timeout, the database thread,
/// device services and the script runner, one ImGui frame at a time. The GLFW shell (app/app.cpp) and the headless
/// driver (ui/headless.hpp) create the ImGui context and present (or ignore) what a frame drew.

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <imgui.h>

#include "kiosk/config.hpp"
#include "runtime/backend.hpp"
#include "runtime/events.hpp"
#include "runtime/i18n.hpp"
#include "runtime/speech.hpp"
#include "training/error.hpp"
#include "training/store.hpp"
#include "ui/fonts.hpp"
#include "ui/screen.hpp"
#include "ui/script.hpp"
#include "ui/texture.hpp"
#include "ui/widgets.hpp"

struct ImGuiIO;

namespace kiosk::ui {

class DeviceWatch;
class ChangeWatch;
class FaceService;
class PrintService;

/// @brief How long the UI of each screen took to build (benchmarks: kiosk --print-first-frame).
struct FrameStat {
    int frames{0};
    double buildUs{0};
    std::vector<float> samples;  ///< UI build time of each frame (µs), kept when asked for (percentiles).
    /// @brief The @p p quantile (0..1) of the samples; 0 without samples.
    [[nodiscard]] double percentile(double p) const;
};

/// @brief What the core needs to start.
struct CoreOptions {
    Config config;
    std::filesystem::path databasePath;
    bool keepFrameSamples{false};  ///< Keep every frame's build time (FrameStat::samples).
};

/// @brief The kiosk's frame loop core. Used on the UI thread only; no exception leaves it.
///
/// A frame: update() (events, intents, idle timeout), then when fontsDirty() buildFonts() (the shell recreates its
/// font texture), then the shell's platform NewFrame, feedInput(io), frame() (ImGui::NewFrame ... ImGui::Render),
/// and the shell presents ImGui::GetDrawData() (or not, headless), then frameShown().
class UiCore {
public:
    /// @brief Starts the database thread over @p store; draws pictures through @p textures (which must outlive the
    /// core's screens: call shutdown() first).
    UiCore(CoreOptions options, std::unique_ptr<training::Store> store, TextureHost& textures);
    ~UiCore();
    UiCore(const UiCore&) = delete;
    UiCore& operator=(const UiCore&) = delete;

    /// @brief Loads the message catalogs and the CJK font file (no ImGui call: before the ImGui context exists).
    [[nodiscard]] training::Result<void> loadResources();
    /// @brief With the ImGui context current: theme, font atlas, screens, device services, the attract screen.
    [[nodiscard]] training::Result<void> start();
    /// @brief Runs @p steps from now on (paths in them relative to @p baseDir); replaces a script that ran before.
    /// @p crash is how the "crash" step ends the process (empty: SIGKILL); it returns why it could not.
    void setScript(std::vector<ScriptStep> steps, std::filesystem::path baseDir,
                   std::function<std::string()> crash = {});
    /// @brief Reads and parses the script file @p file and runs it (setScript).
    [[nodiscard]] training::Result<void> loadScript(const std::filesystem::path& file);
    /// @brief Called after each post to the event queue (from any thread): the shell wakes its loop.
    void setWake(std::function<void()> wake) { m_queue.setWake(std::move(wake)); }

    /// @brief Between frames: applies the events posted since (device reads, finished jobs), the screens'
    /// intents, and the idle timeout (back to the attract screen, the worker forgotten).
    void update();
    [[nodiscard]] bool fontsDirty() const noexcept { return m_fonts.dirty(); }
    /// @brief Physical pixels per logical pixel on a display of @p physical size (window pixels) with the
    /// platform's @p framebufferScale: [ui] scale, else the shorter side over 800, times 1.5 in large text.
    [[nodiscard]] float scaleFor(ImVec2 physical) const;
    /// @brief Before the first buildFonts(): rasterise the atlas for a display of @p physical size, so the first
    /// frames need no second build.
    void prepareDisplay(ImVec2 physical, float framebufferScale = 1.0f) {
        m_fonts.setRasterScale(scaleFor(physical) * framebufferScale);
    }
    /// @brief Rebuilds the font atlas with every glyph drawn so far (then the shell recreates its font texture).
    void buildFonts();
    /// @brief After the platform's NewFrame: the script's step and injected touches, activity for the idle timeout.
    void feedInput(ImGuiIO& io);
    /// @brief Builds the frame: ImGui::NewFrame, the top bar, the error banner and the current screen, ImGui::Render.
    void frame();
    /// @brief After the frame was presented (or dropped): counts down the frames still wanted.
    void frameShown();

    /// @brief A picture of the frame the script asked for, once the atlas holds every glyph drawn; taken once.
    [[nodiscard]] std::optional<std::filesystem::path> takeScreenshotRequest();
    /// @brief A screenshot was asked for and not taken yet (it waits for a frame without new glyphs).
    [[nodiscard]] bool screenshotPending() const noexcept { return m_pendingShot.has_value(); }
    /// @brief True when frames must follow at once (a script runs, a screen changed, fonts, a screenshot).
    [[nodiscard]] bool wantsFrames() const;
    /// @brief How long the shell may wait for input before the next frame is due (timers, idle timeout).
    [[nodiscard]] double secondsUntilDue() const;
    /// @brief Asks for at least @p n more frames (the shell saw input or a timer).
    void wantFrames(int n);
    /// @brief The admin exit (or the script's quit) asked the kiosk to close.
    [[nodiscard]] bool quitRequested() const noexcept { return m_quit; }
    [[nodiscard]] bool scripted() const noexcept { return m_script != nullptr; }
    [[nodiscard]] bool scriptFinished() const { return !m_script || m_script->finished(); }
    /// @brief Why the script failed; nullopt while it runs or when it succeeded.
    [[nodiscard]] std::optional<std::string> scriptFailure() const;

    [[nodiscard]] ScreenId screen() const noexcept { return m_current; }
    /// @brief Physical pixels per logical pixel of the last frame: screens are laid out in the units of a
    /// 1280x800 design, scaled to the display (its shorter side over 800, or [ui] scale) and by large-text mode.
    [[nodiscard]] float scale() const noexcept { return m_scale; }
    /// @brief The last frame's display size in logical pixels.
    [[nodiscard]] ImVec2 logicalSize() const noexcept { return m_logical; }
    /// @brief Large-text mode (about 1.5x: text and targets) is on; turned off when the session ends.
    [[nodiscard]] bool largeText() const noexcept { return m_largeText; }
    /// @brief What is wrong with the last frame's layout (Widgets::layoutProblems at the logical display size).
    [[nodiscard]] std::vector<std::string> layoutProblems() const;
    [[nodiscard]] const WorkerSession& session() const noexcept { return m_session; }
    /// @brief A worker, a document just read or a staff member is in the session.
    [[nodiscard]] bool signedIn() const;
    [[nodiscard]] Fonts& fonts() noexcept { return m_fonts; }
    [[nodiscard]] const Widgets& widgets() const noexcept { return m_widgets; }
    [[nodiscard]] const std::map<ScreenId, FrameStat>& frameStats() const noexcept { return m_stats; }

    /// @brief Leaves the current screen, stops the device services, waits for the database thread's queued jobs
    /// and destroys the screens (their pictures), with the ImGui context still current. Idempotent.
    void shutdown();

private:
    using SteadyClock = std::chrono::steady_clock;
    void handleEvent(Event& e);
    void go(ScreenId id);
    void applyIntent(Intent i);
    void resetSession();
    void drawTopBar();
    void drawFooter();
    void probeServer();
    Screen& current() { return *m_screens[static_cast<std::size_t>(m_current)]; }
    [[nodiscard]] double secondsSince(SteadyClock::time_point t) const;

    CoreOptions m_options;
    TextureHost& m_textures;
    I18n m_i18n;
    Fonts m_fonts;
    Widgets m_widgets;
    EventQueue m_queue;
    Backend m_backend;
    Speech m_speech;
    WorkerSession m_session;
    DeviceState m_devices;
    ServerLink m_link;
    bool m_probing{false};        ///< A probe of the lost server is queued or running.
    double m_probeAt{0};          ///< When the next probe is due (seconds since start).
    double m_probeDelay{1};       ///< Backoff: 1 s, doubling up to 8 s.
    std::vector<training::CourseModule> m_syllabus;  ///< The badge course's modules (Context::syllabus).
    float m_scale{1.0f};
    ImVec2 m_logical{1280, 800};
    bool m_largeText{false};
    float m_columnLeft{0};        ///< The content column (centred, at most the design's width), screen x.
    float m_columnWidth{0};
    Footer m_footer;              ///< The current screen's bottom bar, filled in by its draw().
    float m_footerHeight{0};      ///< Height the last frame's bottom bar took (reserved below the content).
    ScreenId m_footerScreen{ScreenId::Attract};  ///< The screen that drew the bar last.
    Context m_ctx;
    std::optional<FontFile> m_fontFile;
    std::vector<std::unique_ptr<Screen>> m_screens;
    ScreenId m_current{ScreenId::Attract};
    std::vector<Intent> m_intents;
    std::optional<std::string> m_error;
    std::string m_centerName;
    std::unique_ptr<ScriptRunner> m_script;
    std::optional<std::filesystem::path> m_pendingShot;
    std::unique_ptr<DeviceWatch> m_deviceWatch;
    std::unique_ptr<ChangeWatch> m_changeWatch;  ///< Tells live screens that records changed.
    std::unique_ptr<FaceService> m_face;
    std::unique_ptr<PrintService> m_printer;
    SteadyClock::time_point m_start{SteadyClock::now()};
    SteadyClock::time_point m_lastActivity{SteadyClock::now()};
    float m_lastMouseX{-1}, m_lastMouseY{-1};
    bool m_lastDown{false};
    double m_wakeAt{1e18};
    int m_idleTimeout;
    int m_framesToDraw{3};
    bool m_quit{false};
    bool m_started{false};
    bool m_shutDown{false};
    std::map<ScreenId, FrameStat> m_stats;
};

}  // namespace kiosk::ui
