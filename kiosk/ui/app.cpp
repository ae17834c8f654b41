#include "ui/app.hpp"

#define GLFW_INCLUDE_NONE
#include <GL/gl.h>
#include <GLFW/glfw3.h>
#include <fmt/format.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <stb_image_write.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <vector>
#include <map>
#include <iostream>
#include <sstream>
#include <thread>

#include "kiosk/service.hpp"
#include "runtime/devices.hpp"
#include "runtime/face.hpp"
#include "runtime/printing.hpp"
#include "ui/screen.hpp"
#include "ui/script.hpp"

namespace kiosk::ui {

namespace {
using SteadyClock = std::chrono::steady_clock;

/// CPU time of the whole process (all threads, including Mesa's).
double processCpu() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct FrameStat {
    int frames{0};
    double buildUs{0};
    std::vector<float> samples;  ///< UI build time of each frame (µs), for the percentiles.
    [[nodiscard]] double percentile(double p) const {
        if (samples.empty()) return 0;
        auto v = samples;
        const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
        return v[k];
    }
};

double secondsSince(SteadyClock::time_point t) {
    return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

bool savePng(const std::filesystem::path& file, int w, int h) {
    std::vector<unsigned char> pixels(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    std::vector<unsigned char> flipped(pixels.size());
    const std::size_t row = static_cast<std::size_t>(w) * 4;
    for (int y = 0; y < h; ++y)
        std::copy_n(pixels.data() + static_cast<std::size_t>(h - 1 - y) * row, row,
                    flipped.data() + static_cast<std::size_t>(y) * row);
    std::error_code ec;
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
    return stbi_write_png(file.string().c_str(), w, h, 4, flipped.data(), static_cast<int>(row)) != 0;
}

/// The kiosk proper (one instance; lives inside runApp).
class App {
public:
    App(const AppOptions& options, std::unique_ptr<training::Store> store)
        : m_options(options),
          m_fonts(),
          m_widgets(m_fonts),
          m_backend(std::move(store), center::CenterPaths::forDatabase(options.databasePath), m_queue),
          m_speech(SpeechOptions{options.config.speech.enabled, options.config.speech.voiceZh,
                                 options.config.speech.voiceEn, options.config.speech.rate,
                                 std::getenv("KIOSK_SPEECH_WAV_DIR") ? std::getenv("KIOSK_SPEECH_WAV_DIR") : ""}),
          m_ctx{m_i18n,
                m_widgets,
                m_backend,
                m_speech,
                m_options.config,
                m_session,
                m_devices,
                [this](Intent i) { m_intents.push_back(i); },
                [this](double s) { m_wakeAt = std::min(m_wakeAt, secondsSince(m_start) + s); },
                [this](const std::string& e) { if (e.empty()) m_error.reset(); else m_error = e; },
                [this](Event e) { m_queue.post(std::move(e)); },
                nullptr,
                nullptr},
          m_idleTimeout(options.config.ui.idleTimeoutSeconds) {
        // Screens find the center key and the submission folder beside the database actually opened.
        m_options.config.database.path = m_options.databasePath.string();
    }

    int run();

private:
    bool init();
    void shutdown();
    void frame();
    void drawTopBar();
    void handleEvent(Event& e);
    void go(ScreenId id);
    void applyIntent(Intent i);
    void resetSession();
    Screen& current() { return *m_screens[static_cast<std::size_t>(m_current)]; }

    AppOptions m_options;
    I18n m_i18n;
    Fonts m_fonts;
    Widgets m_widgets;
    EventQueue m_queue;
    Backend m_backend;
    Speech m_speech;
    WorkerSession m_session;
    DeviceState m_devices;
    Context m_ctx;
    std::vector<std::unique_ptr<Screen>> m_screens;
    ScreenId m_current{ScreenId::Attract};
    std::vector<Intent> m_intents;
    std::optional<std::string> m_error;
    std::string m_centerName;
    GLFWwindow* m_window{nullptr};
    std::unique_ptr<ScriptRunner> m_script;
    std::optional<std::filesystem::path> m_pendingShot;
    std::unique_ptr<DeviceWatch> m_deviceWatch;
    std::unique_ptr<FaceService> m_face;
    std::unique_ptr<PrintService> m_printer;
    SteadyClock::time_point m_start{SteadyClock::now()};
    SteadyClock::time_point m_lastActivity{SteadyClock::now()};
    ImVec2 m_lastMouse{-1, -1};
    bool m_lastDown{false};
    double m_wakeAt{1e18};
    int m_idleTimeout;
    int m_framesToDraw{3};
    bool m_quit{false};
    int m_exit{0};
    kiosk::ServiceNotifier m_service;  ///< systemd: READY=1 after the first frame, WATCHDOG=1 from the loop
    std::uint64_t m_frames{0};
    std::map<ScreenId, FrameStat> m_stats;
};

bool App::init() {
    const auto assets = kiosk::assetsDirectory();
    if (auto r = m_i18n.load(assets / "i18n"); !r) {
        std::cerr << "kiosk: " << r.error().message << "\n";
        return false;
    }
    m_i18n.setLanguage(m_options.config.ui.language == "en" ? Language::En : Language::Zh);
    auto font = findCjkFont({"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei"});
    if (!font) {
        std::cerr << "kiosk: " << font.error().message << "\n";
        return false;
    }
    if (auto r = m_fonts.load(*font, {}); !r) {
        std::cerr << "kiosk: " << r.error().message << "\n";
        return false;
    }
    for (auto t : m_i18n.allTexts()) m_fonts.require(t);

    glfwSetErrorCallback([](int code, const char* text) { std::cerr << "kiosk: GLFW error " << code << ": " << text << "\n"; });
    if (!glfwInit()) {
        std::cerr << "kiosk: no display; start the kiosk inside an X session (or xvfb-run for tests)\n";
        return false;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    GLFWmonitor* monitor = nullptr;
    int w = m_options.config.ui.windowWidth, h = m_options.config.ui.windowHeight;
    if (m_options.window) {
        std::tie(w, h) = *m_options.window;
    } else if (m_options.config.ui.fullscreen) {
        monitor = glfwGetPrimaryMonitor();
        if (monitor) {
            const GLFWvidmode* mode = glfwGetVideoMode(monitor);
            w = mode->width;
            h = mode->height;
        }
    }
    const double tWindow = secondsSince(m_start);
    m_window = glfwCreateWindow(w, h, "Badge Kiosk", monitor, nullptr);
    if (!m_window) {
        std::cerr << "kiosk: cannot open an OpenGL 3 window; check the graphics driver (Mesa) and $DISPLAY\n";
        glfwTerminate();
        return false;
    }
    // A public kiosk: a window manager's close request (Alt+F4, the close button: WM_DELETE_WINDOW) is refused;
    // only the admin exit (staff PIN, admin role) leaves.
    glfwSetWindowCloseCallback(m_window, [](GLFWwindow* w) {
        glfwSetWindowShouldClose(w, GLFW_FALSE);
        std::cerr << "kiosk: close request refused (only the admin exit leaves the kiosk)\n";
    });
    glfwMakeContextCurrent(m_window);
    glfwSwapInterval(1);
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.LogFilename = nullptr;
    applyTheme();
    ImGui_ImplGlfw_InitForOpenGL(m_window, true);
    ImGui_ImplOpenGL3_Init("#version 130");
    const double tFonts = secondsSince(m_start);
    m_fonts.build();
    if (m_options.printFirstFrame)
        std::cout << fmt::format("startup-ms glfw-init {:.0f} window+gl+imgui {:.0f} font-atlas {:.0f} ({} glyphs)\n",
                                 tWindow * 1000, (tFonts - tWindow) * 1000, (secondsSince(m_start) - tFonts) * 1000,
                                 m_fonts.glyphCount());
    m_queue.setWake([] { glfwPostEmptyEvent(); });

    m_screens = makeScreens();
    for (std::size_t i = 0; i < m_screens.size(); ++i)
        if (static_cast<std::size_t>(m_screens[i]->id()) != i) {
            std::cerr << "kiosk: screen list out of order at " << i << "\n";
            return false;
        }

    m_backend.submit([](Records& r) { return r.store.center(); },
                     [this](training::Result<training::Center> c) {
                         if (c) {
                             m_centerName = c->name;
                         } else {
                             m_error = c.error().message;
                         }
                     });
    m_deviceWatch = std::make_unique<DeviceWatch>(m_options.config, m_queue);
    m_face = std::make_unique<FaceService>(m_options.config, m_queue);
    m_ctx.face = m_face.get();
    m_printer = std::make_unique<PrintService>(m_options.config, m_queue);
    m_ctx.printer = m_printer.get();

    if (!m_options.script.empty()) {
        std::ifstream in(m_options.script);
        std::stringstream ss;
        ss << in.rdbuf();
        if (!in) {
            std::cerr << "kiosk: cannot read the script " << m_options.script << "\n";
            return false;
        }
        auto steps = parseScript(ss.str(), m_options.script.string());
        if (!steps) {
            std::cerr << "kiosk: " << steps.error().message << "\n";
            return false;
        }
        ScriptHost host{[this] { return std::string(screenName(m_current)); },
                        [this](Event e) { m_queue.post(std::move(e)); },
                        [this](const std::filesystem::path& p) { m_pendingShot = p; },
                        [this](int s) { m_idleTimeout = s; },
                        [this] {
                            return m_session.worker.has_value() || m_session.newIdentity.has_value() ||
                                   m_session.staff.has_value();
                        },
                        [this] { m_quit = true; }};
        m_script = std::make_unique<ScriptRunner>(std::move(*steps), m_options.script.parent_path(), std::move(host));
    }
    go(ScreenId::Attract);
    return true;
}

void App::shutdown() {
    if (!m_screens.empty()) current().leave(m_ctx);
    m_face.reset();
    m_printer.reset();
    m_deviceWatch.reset();
    m_screens.clear();  // screens own GL textures: delete them while the context exists
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    if (m_window) glfwDestroyWindow(m_window);
    glfwTerminate();
}

void App::resetSession() {
    m_backend.newGeneration();
    m_session = WorkerSession{};
    m_error.reset();
}

void App::go(ScreenId id) {
    if (id != m_current) current().leave(m_ctx);
    m_current = id;
    m_error.reset();
    current().enter(m_ctx);
    m_framesToDraw = 3;
}

void App::applyIntent(Intent i) {
    if (i == Intent::Quit) {
        m_quit = true;
        return;
    }
    const ScreenId next = nextScreen(m_current, i, m_session);
    if (i == Intent::Logout) resetSession();
    go(next);
}

void App::handleEvent(Event& e) {
    if (auto* done = std::get_if<JobDone>(&e)) {
        m_backend.completed();
        if (done->generation == m_backend.generation()) done->apply();
        return;
    }
    if (auto* st = std::get_if<DeviceStatus>(&e)) {
        if (st->device == DeviceKind::Reader) {
            m_devices.reader = st->available;
            m_devices.readerDetail = st->detail;
        } else if (st->device == DeviceKind::Camera) {
            m_devices.camera = st->available;
            m_devices.cameraDetail = st->detail;
        } else if (st->device == DeviceKind::Printer) {
            m_devices.printer = st->available;
            m_devices.printerDetail = st->detail;
        }
        current().onEvent(m_ctx, e);  // e.g. the photo screen starts once the camera is ready
        return;
    }
    // The result of a read started for a session that has ended (Back, idle timeout) is not acted on: the
    // attract screen must not sign in the person who just left.
    const auto readGeneration = std::visit(
        [](const auto& ev) -> std::uint64_t {
            if constexpr (requires { ev.generation; }) return ev.generation;
            else return 0;
        },
        e);
    if (readGeneration != 0 && readGeneration != m_backend.generation()) return;
    m_lastActivity = SteadyClock::now();
    current().onEvent(m_ctx, e);
}

void App::drawTopBar() {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float width = ImGui::GetContentRegionAvail().x;
    const float barH = 88.0f;
    dl->PushClipRectFullScreen();
    dl->AddRectFilled({0, 0}, {ImGui::GetIO().DisplaySize.x, p.y + barH - 16}, theme::kBar);
    dl->PopClipRect();
    ImGui::SetCursorScreenPos({p.x, p.y + 2});
    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32_WHITE);
    ImGui::PushFont(m_fonts.large());
    const std::string title = m_centerName.empty() ? m_i18n.tr("app.title") : m_centerName;
    m_widgets.recordText(title);
    ImGui::TextUnformatted(title.c_str());
    ImGui::PopFont();
    ImGui::PopStyleColor();
    // Device status and language switch on the right.
    std::string status;
    auto add = [&](bool ok, const char* key) {
        if (!ok) status += (status.empty() ? "" : "  ") + m_i18n.tr(key);
    };
    add(m_devices.reader, "status.no_reader");
    add(m_devices.camera, "status.no_camera");
    add(m_devices.printer, "status.no_printer");
    const float langW = 200.0f;
    if (!status.empty()) {
        m_widgets.recordText(status);
        ImGui::PushFont(m_fonts.small());
        const float sw = ImGui::CalcTextSize(status.c_str()).x;
        ImGui::SetCursorScreenPos({p.x + width - langW - sw - 24, p.y + 18});
        ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(0xFF, 0xE0, 0x8A, 0xFF));  // 10.9:1 on the bar
        ImGui::TextUnformatted(status.c_str());
        ImGui::PopStyleColor();
        ImGui::PopFont();
    }
    ImGui::SetCursorScreenPos({p.x + width - langW, p.y});
    const std::string other = m_i18n.tr("app.switch_language");
    if (m_widgets.button("lang", other, {langW, 64}, Kind::Secondary)) {
        m_i18n.toggle();
        m_speech.say(m_i18n.tr("app.language_changed"), m_i18n.language());
    }
    ImGui::SetCursorScreenPos({p.x, p.y + barH});
}

void App::frame() {
    ImGuiIO& io = ImGui::GetIO();
    if (m_fonts.dirty()) {
        m_fonts.build();
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        ImGui_ImplOpenGL3_CreateFontsTexture();
    }
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    if (m_script) m_script->frame(io, m_widgets);
    // Any touch or mouse change counts as activity for the idle timeout.
    if (io.MousePos.x != m_lastMouse.x || io.MousePos.y != m_lastMouse.y || io.MouseDown[0] != m_lastDown) {
        if (io.MousePos.x > -1e30f || io.MouseDown[0]) m_lastActivity = SteadyClock::now();
        m_lastMouse = io.MousePos;
        m_lastDown = io.MouseDown[0];
        m_framesToDraw = std::max(m_framesToDraw, 3);
    }
    const auto buildStart = SteadyClock::now();
    ImGui::NewFrame();
    m_widgets.beginFrame();
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->Pos);
    ImGui::SetNextWindowSize(vp->Size);
    ImGui::Begin("##kiosk", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoBringToFrontOnFocus);
    drawTopBar();
    if (m_error) {
        m_widgets.notice(*m_error, theme::kWarnBg, theme::kErrorText);
    }
    ImGui::BeginChild("##content", {0, 0}, false, ImGuiWindowFlags_NoBackground);
    current().draw(m_ctx);
    ImGui::EndChild();
    ImGui::End();
    ImGui::Render();
    auto& stat = m_stats[m_current];
    const double buildUs = std::chrono::duration<double, std::micro>(SteadyClock::now() - buildStart).count();
    ++stat.frames;
    stat.buildUs += buildUs;
    if (m_options.printFirstFrame) stat.samples.push_back(static_cast<float>(buildUs));
    int fbw = 0, fbh = 0;
    glfwGetFramebufferSize(m_window, &fbw, &fbh);
    glViewport(0, 0, fbw, fbh);
    const ImVec4 bg = ImGui::ColorConvertU32ToFloat4(theme::kBackground);
    glClearColor(bg.x, bg.y, bg.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    // A screenshot waits for a frame without new glyphs (so the atlas has every character drawn).
    if (m_pendingShot && !m_fonts.dirty()) {
        if (!savePng(*m_pendingShot, fbw, fbh)) std::cerr << "kiosk: could not write " << *m_pendingShot << "\n";
        m_pendingShot.reset();
    }
    glfwSwapBuffers(m_window);
    ++m_frames;
    if (m_frames == 1 && m_options.printFirstFrame)
        std::cout << fmt::format("first-frame-ms {:.1f} cpu-s {:.3f}\n", secondsSince(m_start) * 1000, processCpu())
                  << std::flush;
}

int App::run() {
    if (!init()) {
        shutdown();
        return 1;
    }
    while (!m_quit && !glfwWindowShouldClose(m_window) && !kiosk::stopRequested()) {
        const double now = secondsSince(m_start);
        const bool scripted = m_script && !m_script->finished();
        const double idleLeft = m_idleTimeout - secondsSince(m_lastActivity);
        if (scripted || m_framesToDraw > 0 || m_fonts.dirty() || m_pendingShot) {
            glfwPollEvents();
        } else {
            double wait = std::min(m_wakeAt - now, 60.0);
            if (m_current != ScreenId::Attract && current().idleTimeoutApplies()) wait = std::min(wait, idleLeft + 0.05);
            if (m_options.exitAfterSeconds > 0) wait = std::min(wait, m_options.exitAfterSeconds - now);
            wait = std::min(wait, m_service.maxSleepSeconds());
            glfwWaitEventsTimeout(std::max(wait, 0.001));
            m_framesToDraw = std::max(m_framesToDraw, 2);  // an event or a timer: draw
        }
        if (secondsSince(m_start) >= m_wakeAt) m_wakeAt = 1e18;
        for (auto& e : m_queue.drain()) handleEvent(e);
        while (!m_intents.empty()) {
            auto intents = std::move(m_intents);
            m_intents.clear();
            for (auto i : intents) applyIntent(i);
        }
        if (m_current != ScreenId::Attract && current().idleTimeoutApplies() &&
            secondsSince(m_lastActivity) >= m_idleTimeout) {
            resetSession();
            go(ScreenId::Attract);
        }
        if (m_options.exitAfterSeconds > 0 && secondsSince(m_start) >= m_options.exitAfterSeconds) break;
        frame();
        m_service.frameDone();
        if (m_framesToDraw > 0) --m_framesToDraw;
        if (m_script && m_script->finished()) {
            if (m_script->failed()) {
                std::cerr << "kiosk: " << *m_script->failure() << "\n";
                m_exit = 3;
                break;
            }
        }
    }
    if (m_script && !m_script->finished() && !m_quit) {
        std::cerr << "kiosk: the window closed before the script finished\n";
        m_exit = 3;
    }
    m_backend.drainBlocking();
    if (m_options.printFirstFrame) {
        std::cout << fmt::format("run-s {:.3f} cpu-s {:.3f} frames {}\n", secondsSince(m_start), processCpu(), m_frames);
        for (const auto& [id, st] : m_stats)
            std::cout << fmt::format("screen {} frames {} ui-build-us-mean {:.0f} ui-build-us-p50 {:.0f} "
                                     "ui-build-us-p99 {:.0f} ui-build-us-max {:.0f}\n",
                                     screenName(id), st.frames, st.buildUs / std::max(1, st.frames), st.percentile(0.5),
                                     st.percentile(0.99), st.percentile(1.0));
    }
    shutdown();
    return m_exit;
}

}  // namespace

int runApp(const AppOptions& options, std::unique_ptr<training::Store> store) {
    App app(options, std::move(store));
    return app.run();
}

}  // namespace kiosk::ui
