#include "ui/script.hpp"

#include <fmt/format.h>

#include <charconv>
#include <csignal>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <utility>

namespace kiosk::ui {

namespace {
const std::set<std::string> kVerbs{"tap",          "type",         "wait-screen",       "expect",
                                   "expect-not",   "expect-gone",  "expect-enabled", "expect-disabled", "expect-signed-in",
                                   "expect-signed-out", "card",   "sign",            "screenshot",
                                   "sleep",        "set",          "crash",             "quit",
                                   "check-layout"};
using Clock = std::chrono::steady_clock;

/// A number argument, read without exceptions (a script runs inside the frame loop); nullopt unless it is a
/// non-negative number (whole or decimal).
std::optional<double> number(std::string_view s) {
    double v = 0;
    const auto* end = s.data() + s.size();
    const auto r = std::from_chars(s.data(), end, v);
    if (r.ec != std::errc{} || r.ptr != end || !(v >= 0)) return std::nullopt;
    return v;
}

/// The argument that must be a number for @p s, or nullptr when none must.
const std::string* numberArgument(const ScriptStep& s) {
    if (s.verb == "sleep" && !s.args.empty()) return &s.args[0];
    if (s.verb == "wait-screen" && s.args.size() > 1) return &s.args[1];
    if (s.verb == "set" && s.args.size() == 2) return &s.args[1];
    return nullptr;
}
}  // namespace

training::Result<std::vector<ScriptStep>> parseScript(std::string_view text, std::string_view name) {
    std::vector<ScriptStep> out;
    std::istringstream in{std::string(text)};
    std::string line;
    int no = 0;
    while (std::getline(in, line)) {
        ++no;
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') continue;
        line = line.substr(first);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        ScriptStep s;
        s.line = no;
        std::istringstream words(line);
        words >> s.verb;
        std::string w;
        while (words >> w) s.args.push_back(w);
        const auto sp = line.find(' ');
        s.rest = sp == std::string::npos ? "" : line.substr(line.find_first_not_of(' ', sp));
        if (!kVerbs.contains(s.verb))
            return std::unexpected(training::Error{
                training::ErrorCode::InvalidInput,
                fmt::format("{}:{}: unknown step '{}'; use one of tap, type, wait-screen, expect, expect-not, expect-gone, "
                            "expect-enabled, expect-disabled, expect-signed-in, expect-signed-out, card, sign, "
                            "screenshot, sleep, set, crash, quit, check-layout",
                            name, no, s.verb)});
        static const std::set<std::string> kNoArgument{"crash", "quit", "sign", "expect-signed-in",
                                                       "expect-signed-out", "check-layout"};
        if (!kNoArgument.contains(s.verb) && s.args.empty())
            return std::unexpected(training::Error{training::ErrorCode::InvalidInput,
                                                   fmt::format("{}:{}: '{}' needs an argument", name, no, s.verb)});
        if (const auto* arg = numberArgument(s); arg && !number(*arg))
            return std::unexpected(training::Error{
                training::ErrorCode::InvalidInput,
                fmt::format("{}:{}: '{}' takes a number of seconds, not '{}'", name, no, s.verb, *arg)});
        out.push_back(std::move(s));
    }
    return out;
}

ScriptRunner::ScriptRunner(std::vector<ScriptStep> steps, std::filesystem::path baseDir, ScriptHost host)
    : m_steps(std::move(steps)), m_baseDir(std::move(baseDir)), m_host(std::move(host)) {}

void ScriptRunner::fail(const ScriptStep& step, const std::string& why) {
    m_failure = fmt::format("script line {} ({} {}): {}", step.line, step.verb, step.rest, why);
    m_host.screenshot(m_baseDir / "failure.png");  // what was on screen, saved at the end of this frame
    m_index = m_steps.size();
}

void ScriptRunner::tapAt(ImVec2 pos) {
    m_mouse.push_back({pos, false});
    m_mouse.push_back({pos, true});
    m_mouse.push_back({pos, true});
    m_mouse.push_back({pos, false});
    m_mouse.push_back({{-1.0f, -1.0f}, false});
}

void ScriptRunner::frame(ImGuiIO& io, Widgets& widgets) {
    m_display = io.DisplaySize;
    if (!m_mouse.empty()) {
        const auto m = m_mouse.front();
        m_mouse.pop_front();
        io.MousePos = m.pos.x < 0 ? ImVec2(-FLT_MAX, -FLT_MAX) : m.pos;
        io.MouseDown[0] = m.down;
        m_lastPos = m.pos;
        m_settleFrames = 2;  // let the screen react to the tap before the next step looks at it
        return;
    }
    io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    io.MouseDown[0] = false;
    if (m_settleFrames > 0) {
        --m_settleFrames;
        return;
    }
    if (m_index >= m_steps.size()) return;
    const auto& step = m_steps[m_index];
    if (!m_stepStart) m_stepStart = Clock::now();
    if (run(step, widgets)) {
        ++m_index;
        m_stepStart.reset();
        m_settleFrames = 1;
    }
}

bool ScriptRunner::stayedPut(const Element& e) {
    const bool still = m_tapRect && m_tapRect->first.x == e.min.x && m_tapRect->first.y == e.min.y &&
                       m_tapRect->second.x == e.max.x && m_tapRect->second.y == e.max.y;
    m_tapRect = std::pair{e.min, e.max};
    return still;
}

bool ScriptRunner::run(const ScriptStep& step, Widgets& widgets) {
    const double waited = std::chrono::duration<double>(Clock::now() - *m_stepStart).count();
    const auto& v = step.verb;
    if (v == "tap") {
        const Element* e = widgets.find(step.rest);
        if (e && !e->visible) {
            widgets.scrollTo(e->id);  // scrolled out of its panel: scroll it into view, then tap
            m_tapRect.reset();
            if (waited > 15) fail(step, "the element stays scrolled out of view");
            return false;
        }
        if (e && e->enabled) {
            // Tap only where the element stayed put for two frames and no job result is about to re-lay the
            // screen (a busy backend is waited for up to 5 s: a screen may keep a job going).
            const bool still = stayedPut(*e);
            const bool quiet = !m_host.busy || !m_host.busy() || waited > 5;
            // A person does not tap a double-tap-protected button twice within 0.8 s (the second would be
            // ignored): the next tap of the same one waits.
            const bool rested = !e->guarded || e->id != m_lastTapId ||
                                std::chrono::duration<double>(Clock::now() - m_lastTapAt).count() > 0.9;
            if (still && quiet && rested) {
                m_lastTapId = e->id;
                m_lastTapAt = Clock::now();
                m_tapRect.reset();
                tapAt({(e->min.x + e->max.x) / 2, (e->min.y + e->max.y) / 2});
                return true;
            }
        } else {
            m_tapRect.reset();
        }
        if (waited > 15) fail(step, e ? "the element is disabled" : "no element with this id or label on screen");
        return false;
    }
    if (v == "type") {
        for (char c : step.rest) {
            if (c == ' ') continue;
            std::string id = std::string("key-") + c;
            const Element* e = widgets.find(id);
            if (!e && (c == 'X' || c == 'x')) e = widgets.find(id = "key-x");
            if (!e) {
                fail(step, "no keypad key " + id + " on screen");
                return false;
            }
            if (!e->visible) {
                widgets.scrollTo(e->id);  // the keypad is scrolled out of view: scroll, then type all of it
                m_mouse.clear();
                if (waited > 15) fail(step, "the keypad stays scrolled out of view");
                return false;
            }
            tapAt({(e->min.x + e->max.x) / 2, (e->min.y + e->max.y) / 2});
        }
        return true;
    }
    if (v == "check-layout") {
        const auto problems = widgets.layoutProblems(m_display);
        if (problems.empty()) return true;
        // A frame in between two layouts (the bottom bar is sized from the frame before) is not what a person
        // sees: the problems must last 1 s of frames to count.
        if (waited < 1.0) return false;
        std::string all;
        for (const auto& p : problems) all += (all.empty() ? "" : "; ") + p;
        fail(step, fmt::format("screen '{}' at {:.0f}x{:.0f} logical px: {}", m_host.screenName(), m_display.x,
                               m_display.y, all));
        return false;
    }
    if (v == "wait-screen") {
        const double limit = step.args.size() > 1 ? number(step.args[1]).value_or(10.0) : 10.0;
        if (m_host.screenName() == step.args[0]) return true;
        if (waited > limit) fail(step, "the screen is still '" + m_host.screenName() + "'");
        return false;
    }
    if (v == "expect") {
        if (widgets.sawText(step.rest)) return true;
        if (waited > 10) {
            // What was on screen instead, to tell a wrong screen from a missing line.
            std::string shown;
            for (const auto& t : widgets.lastTexts()) {
                if (shown.size() > 400) break;
                shown += (shown.empty() ? "" : " | ") + t;
            }
            fail(step, "the text is not on screen '" + m_host.screenName() + "' (it shows: " + shown + ")");
        }
        return false;
    }
    if (v == "expect-signed-in" || v == "expect-signed-out") {
        const bool in = m_host.signedIn && m_host.signedIn();
        if (in != (v == "expect-signed-in")) fail(step, in ? "someone is still signed in" : "nobody is signed in");
        return true;
    }
    if (v == "expect-not") {
        if (widgets.sawText(step.rest)) fail(step, "the text is on screen");
        return true;
    }
    if (v == "expect-gone") {
        if (!widgets.sawText(step.rest)) return true;
        if (waited > 15) fail(step, "the text is still on screen after 15 s");
        return false;
    }
    if (v == "expect-enabled" || v == "expect-disabled") {
        const Element* e = widgets.find(step.rest);
        if (e && e->enabled == (v == "expect-enabled")) return true;
        if (waited > 5) fail(step, e ? "the element is in the other state" : "no such element");
        return false;
    }
    if (v == "card") {
        if (step.args[0] == "present") {
            if (step.args.size() < 3) {
                fail(step, "write: card present NUMBER NAME [SEX] [BIRTH]");
                return false;
            }
            CardInserted c;
            c.identity.docNumber = step.args[1];
            c.identity.name = step.args[2];
            if (step.args.size() > 3)
                c.identity.sex = step.args[3] == "F" ? training::Sex::Female : training::Sex::Male;
            if (step.args.size() > 4) c.identity.birthDate = step.args[4];
            c.method = std::exchange(m_cardMethod, "sam");  // default: a China ID card read through the SAM
            c.chipPhoto = std::exchange(m_chipPhoto, {});
            m_host.post(std::move(c));
        } else if (step.args[0] == "photo" && step.args.size() == 2) {
            std::filesystem::path file = step.args[1];
            if (file.is_relative()) file = m_baseDir / file;
            std::ifstream in(file, std::ios::binary);
            m_chipPhoto.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
            if (!in && !in.eof()) fail(step, "cannot read the photo " + file.string());
            if (m_chipPhoto.empty()) fail(step, "the photo " + file.string() + " is empty or missing");
        } else if (step.args[0] == "method" && step.args.size() == 2) {
            m_cardMethod = step.args[1];
        } else if (step.args[0] == "detect") {
            m_host.post(CardDetected{step.rest.substr(step.rest.find(' ') + 1)});
        } else if (step.args[0] == "remove") {
            m_host.post(CardRemoved{});
        } else if (step.args[0] == "fail") {
            m_host.post(CardFailed{step.rest.substr(step.rest.find(' ') + 1), {}});
        } else {
            fail(step, "use card present|photo|detect|remove|fail");
        }
        return true;
    }
    if (v == "sign") {
        const Element* e = widgets.find("signature-pad");
        if (!e) {
            m_tapRect.reset();
            if (waited > 5) fail(step, "no signature pad on screen");
            return false;
        }
        // As a tap: only on a pad that stayed put for two frames with no job result about to re-lay the screen
        // (a stroke that starts where the pad was a frame ago misses it).
        const bool still = stayedPut(*e);
        const bool quiet = !m_host.busy || !m_host.busy() || waited > 5;
        if (!still || !quiet) return false;
        m_tapRect.reset();
        const float w = e->max.x - e->min.x, h = e->max.y - e->min.y;
        m_mouse.push_back({{e->min.x + w * 0.2f, e->min.y + h * 0.6f}, false});
        for (int i = 0; i <= 12; ++i) {
            const float t = static_cast<float>(i) / 12.0f;
            m_mouse.push_back({{e->min.x + w * (0.2f + 0.6f * t), e->min.y + h * (0.6f - 0.3f * std::sin(t * 6.0f))},
                               true});
        }
        m_mouse.push_back({{e->min.x + w * 0.8f, e->min.y + h * 0.5f}, false});
        m_mouse.push_back({{-1.0f, -1.0f}, false});
        return true;
    }
    if (v == "screenshot") {
        std::filesystem::path p = step.rest;
        if (p.is_relative()) p = m_baseDir / p;
        m_host.screenshot(p);
        return true;
    }
    if (v == "sleep") return waited >= number(step.args[0]).value_or(0.0);
    if (v == "set") {
        if (step.args.size() == 2 && step.args[0] == "idle-timeout") {
            m_host.setIdleTimeout(static_cast<int>(number(step.args[1]).value_or(0.0)));
        } else {
            fail(step, "use: set idle-timeout SECONDS");
        }
        return true;
    }
    if (v == "crash") {
        if (!m_host.crash) {
            std::raise(SIGKILL);
            return true;
        }
        if (auto why = m_host.crash(); !why.empty()) fail(step, why);
        return true;
    }
    if (v == "quit") {
        m_host.quit();
        return true;
    }
    fail(step, "unknown step");
    return false;
}

}  // namespace kiosk::ui
