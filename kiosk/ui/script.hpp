#pragma once
/// @file script.hpp
/// @brief Scripted UI scenarios (`kiosk --script FILE`): one step per line, input injected into ImGui.
///
/// Steps (arguments separated by spaces; the rest of the line for texts):
///   tap KEY                 tap the element whose id is KEY (else whose label is or contains KEY); waits up to 15 s
///   type CHARS              tap keypad keys (key-0..key-9, key-x)
///   wait-screen NAME [S]    wait until screen NAME is shown (default 10 s)
///   expect TEXT             wait up to 10 s until TEXT is drawn
///   expect-not TEXT         TEXT is not drawn now
///   expect-gone TEXT        wait up to 15 s until TEXT is no longer drawn
///   expect-enabled KEY / expect-disabled KEY
///   expect-signed-in / expect-signed-out   a worker (or staff) is / is not in the session now
///   card present NUMBER NAME [SEX] [BIRTH]   post a document read (reader hook; an ID card through the SAM)
///   card photo FILE                           the chip photo of the next "card present"
///   card method METHOD                        its identity method (default "sam"; "chip": not authenticated)
///   card detect READER      post a chip document detected on a PC/SC reader (asks for the MRZ key)
///   card remove | card fail MESSAGE
///   sign                    draw a stroke on the element "signature-pad"
///   screenshot FILE         save a PNG of the next rendered frame (relative to the script's directory; skipped
///                           with a note in the log when the kiosk runs without a window)
///   check-layout            fail when the layout has a problem for 1 s of frames (text that does not fit its box,
///                           elements overlapping, a touch target under 56 logical px, something off the screen or
///                           cut off at the side of its panel)
///   sleep SECONDS           let time pass (frames keep running)
///   set idle-timeout S      change the idle timeout
///   crash                   end the process at once (SIGKILL), as a power cut would (not in-process: fails)
///   quit                    close the app (exit status 0)
/// "tap" and "type" scroll a panel to an element scrolled out of view first, as a person would.
/// A step that cannot be done in time fails the script: the app exits with status 3 and names the line.

#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <imgui.h>

#include "training/error.hpp"
#include "runtime/events.hpp"
#include "ui/widgets.hpp"

namespace kiosk::ui {

/// @brief One parsed step.
struct ScriptStep {
    int line{0};
    std::string verb;
    std::vector<std::string> args;
    std::string rest;  ///< Everything after the verb.
};

/// @brief Parses a script; blank lines and '#' comments are skipped; unknown verbs are errors.
[[nodiscard]] training::Result<std::vector<ScriptStep>> parseScript(std::string_view text, std::string_view name);

/// @brief What the runner needs from the app.
struct ScriptHost {
    std::function<std::string()> screenName;
    std::function<void(Event)> post;
    std::function<void(const std::filesystem::path&)> screenshot;  ///< Saved after the next render.
    std::function<void(int)> setIdleTimeout;
    std::function<bool()> signedIn;  ///< a worker, a new identity or staff in the session
    std::function<void()> quit;
    /// @brief How "crash" ends the process; returns why it could not (the step then fails). Empty: SIGKILL.
    std::function<std::string()> crash;
    /// @brief True while a backend job is queued or its result not yet applied: a tap waits for a quiet
    /// moment, so that a result arriving between finding an element and tapping it cannot move it away.
    /// Empty: never busy.
    std::function<bool()> busy;
};

/// @brief Runs the steps, one frame at a time.
class ScriptRunner {
public:
    ScriptRunner(std::vector<ScriptStep> steps, std::filesystem::path baseDir, ScriptHost host);
    /// @brief Called every frame after the backend's NewFrame and before ImGui::NewFrame: advances the
    /// script and writes the injected mouse state into @p io.
    void frame(ImGuiIO& io, Widgets& widgets);
    [[nodiscard]] bool finished() const { return m_index >= m_steps.size() && m_mouse.empty(); }
    [[nodiscard]] bool failed() const { return m_failure.has_value(); }
    [[nodiscard]] const std::optional<std::string>& failure() const { return m_failure; }

private:
    struct MouseStep {
        ImVec2 pos;
        bool down{false};
    };
    bool run(const ScriptStep& step, Widgets& widgets);  ///< true when the step is done
    /// True when @p e has the rectangle it had the frame before (then remembered for the next frame).
    bool stayedPut(const Element& e);
    void fail(const ScriptStep& step, const std::string& why);
    void tapAt(ImVec2 pos);

    std::vector<ScriptStep> m_steps;
    std::filesystem::path m_baseDir;
    ScriptHost m_host;
    std::vector<std::uint8_t> m_chipPhoto;  ///< For the next "card present".
    std::string m_cardMethod{"sam"};        ///< For the next "card present" ("card method").
    std::size_t m_index{0};
    std::deque<MouseStep> m_mouse;
    ImVec2 m_lastPos{-1.0f, -1.0f};
    std::optional<std::chrono::steady_clock::time_point> m_stepStart;
    int m_settleFrames{0};
    std::optional<std::pair<ImVec2, ImVec2>> m_tapRect;  ///< Where the element of the current tap was last frame.
    ImVec2 m_display{1280, 800};
    std::string m_lastTapId;                  ///< The element of the last tap, and when (double-tap protection).
    std::chrono::steady_clock::time_point m_lastTapAt{};  ///< The logical display size of the current frame (check-layout).
    std::optional<std::string> m_failure;
};

}  // namespace kiosk::ui
