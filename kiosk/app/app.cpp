#include "app/app.hpp"

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
#include <iostream>
#include <vector>

#include "app/gl_textures.hpp"
#include "kiosk/service.hpp"
#include "ui/core.hpp"

namespace kiosk::app {

namespace {
using SteadyClock = std::chrono::steady_clock;

/// CPU time of the whole process (all threads, including Mesa's).
double processCpu() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

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

ui::CoreOptions coreOptions(const AppOptions& o) {
    return ui::CoreOptions{o.config, o.databasePath, o.printFirstFrame};
}

/// The kiosk's window around the frame loop core (one instance; lives inside runApp).
class App {
public:
    App(const AppOptions& options, std::unique_ptr<training::Store> store)
        : m_options(options), m_core(coreOptions(options), std::move(store), m_textures) {}

    int run();

private:
    bool init();
    void shutdown();
    void frame();

    AppOptions m_options;
    GlTextures m_textures;
    ui::UiCore m_core;
    GLFWwindow* m_window{nullptr};
    bool m_imgui{false};
    SteadyClock::time_point m_start{SteadyClock::now()};
    int m_exit{0};
    kiosk::ServiceNotifier m_service;  ///< systemd: READY=1 after the first frame, WATCHDOG=1 from the loop
    std::uint64_t m_frames{0};
};

bool App::init() {
    if (auto r = m_core.loadResources(); !r) {
        std::cerr << "kiosk: " << r.error().message << "\n";
        return false;
    }
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
    m_imgui = true;
    ImGui_ImplGlfw_InitForOpenGL(m_window, true);
    ImGui_ImplOpenGL3_Init("#version 130");
    const double tFonts = secondsSince(m_start);
    {
        int ww = 0, wh = 0, fw = 0, fh = 0;
        glfwGetWindowSize(m_window, &ww, &wh);
        glfwGetFramebufferSize(m_window, &fw, &fh);
        m_core.prepareDisplay({static_cast<float>(ww), static_cast<float>(wh)},
                              ww > 0 ? static_cast<float>(fw) / static_cast<float>(ww) : 1.0f);
    }
    m_core.buildFonts();
    if (m_options.printFirstFrame)
        std::cout << fmt::format("startup-ms glfw-init {:.0f} window+gl+imgui {:.0f} font-atlas {:.0f} ({} glyphs)\n",
                                 tWindow * 1000, (tFonts - tWindow) * 1000, (secondsSince(m_start) - tFonts) * 1000,
                                 m_core.fonts().glyphCount());
    m_core.setWake([] { glfwPostEmptyEvent(); });
    if (auto r = m_core.start(); !r) {
        std::cerr << "kiosk: " << r.error().message << "\n";
        return false;
    }
    if (!m_options.script.empty()) {
        if (auto r = m_core.loadScript(m_options.script); !r) {
            std::cerr << "kiosk: " << r.error().message << "\n";
            return false;
        }
    }
    return true;
}

void App::shutdown() {
    m_core.shutdown();  // screens release their textures while the context exists
    m_textures.releaseAll();
    if (m_imgui) {
        ImGui_ImplOpenGL3_Shutdown();
        ImGui_ImplGlfw_Shutdown();
        ImGui::DestroyContext();
    }
    if (m_window) glfwDestroyWindow(m_window);
    glfwTerminate();
}

void App::frame() {
    if (m_core.fontsDirty()) {
        m_core.buildFonts();
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        ImGui_ImplOpenGL3_CreateFontsTexture();
    }
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    m_core.feedInput(ImGui::GetIO());
    m_core.frame();
    int fbw = 0, fbh = 0;
    glfwGetFramebufferSize(m_window, &fbw, &fbh);
    glViewport(0, 0, fbw, fbh);
    const ImVec4 bg = ImGui::ColorConvertU32ToFloat4(ui::theme::kBackground);
    glClearColor(bg.x, bg.y, bg.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (auto shot = m_core.takeScreenshotRequest(); shot && !savePng(*shot, fbw, fbh))
        std::cerr << "kiosk: could not write " << *shot << "\n";
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
    while (!m_core.quitRequested() && !glfwWindowShouldClose(m_window) && !kiosk::stopRequested()) {
        const double now = secondsSince(m_start);
        if (m_core.wantsFrames()) {
            glfwPollEvents();
        } else {
            double wait = m_core.secondsUntilDue();
            if (m_options.exitAfterSeconds > 0) wait = std::min(wait, m_options.exitAfterSeconds - now);
            wait = std::min(wait, m_service.maxSleepSeconds());
            glfwWaitEventsTimeout(std::max(wait, 0.001));
            m_core.wantFrames(2);  // an event or a timer: draw
        }
        m_core.update();
        if (m_options.exitAfterSeconds > 0 && secondsSince(m_start) >= m_options.exitAfterSeconds) break;
        frame();
        m_service.frameDone();
        m_core.frameShown();
        if (auto failure = m_core.scriptFailure()) {
            std::cerr << "kiosk: " << *failure << "\n";
            m_exit = 3;
            break;
        }
    }
    if (m_core.scripted() && !m_core.scriptFinished() && !m_core.quitRequested()) {
        std::cerr << "kiosk: the window closed before the script finished\n";
        m_exit = 3;
    }
    m_core.shutdown();
    if (m_options.printFirstFrame) {
        std::cout << fmt::format("run-s {:.3f} cpu-s {:.3f} frames {}\n", secondsSince(m_start), processCpu(), m_frames);
        for (const auto& [id, st] : m_core.frameStats())
            std::cout << fmt::format("screen {} frames {} ui-build-us-mean {:.0f} ui-build-us-p50 {:.0f} "
                                     "ui-build-us-p99 {:.0f} ui-build-us-max {:.0f}\n",
                                     ui::screenName(id), st.frames, st.buildUs / std::max(1, st.frames),
                                     st.percentile(0.5), st.percentile(0.99), st.percentile(1.0));
    }
    shutdown();
    return m_exit;
}

}  // namespace

int runApp(const AppOptions& options, std::unique_ptr<training::Store> store) {
    App app(options, std::move(store));
    return app.run();
}

}  // namespace kiosk::app
