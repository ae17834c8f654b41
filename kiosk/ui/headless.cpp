#include "ui/headless.hpp"

#include <fmt/format.h>
#include <imgui.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <thread>

#include "ui/core.hpp"

namespace kiosk::ui {

namespace {
/// Pictures without a GPU: each upload gets a handle of its own; nothing is drawn.
class NullTextures final : public TextureHost {
public:
    [[nodiscard]] ImTextureID upload(ImTextureID id, const unsigned char*, int, int) override {
        if (id) return id;
        return reinterpret_cast<ImTextureID>(static_cast<std::uintptr_t>(++m_next));
    }
    void release(ImTextureID) override {}

private:
    std::uintptr_t m_next{0};
};
}  // namespace

struct HeadlessKiosk::Impl {
    Impl(HeadlessOptions o, std::unique_ptr<training::Store> store)
        : options(std::move(o)), core(CoreOptions{options.config, options.databasePath, false}, std::move(store), textures) {}
    ~Impl() {
        if (context) {
            ImGui::SetCurrentContext(context);
            core.shutdown();
            ImGui::DestroyContext(context);
        }
    }
    /// The atlas as a renderer backend would take it (RGBA), then forgotten: nothing is drawn.
    void buildFonts() {
        core.buildFonts();
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    }
    void note(std::string text) {
        std::cerr << "kiosk (headless): " << text << "\n";
        log.push_back(std::move(text));
    }

    HeadlessOptions options;
    NullTextures textures;
    UiCore core;
    ImGuiContext* context{nullptr};
    std::vector<std::string> log;
    std::chrono::steady_clock::time_point lastFrame{std::chrono::steady_clock::now()};
};

HeadlessKiosk::HeadlessKiosk(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

HeadlessKiosk::~HeadlessKiosk() = default;

training::Result<std::unique_ptr<HeadlessKiosk>> HeadlessKiosk::open(HeadlessOptions options,
                                                                     std::unique_ptr<training::Store> store) {
    if (!store) return training::fail(training::ErrorCode::InvalidInput, "the headless kiosk needs an open store");
    auto impl = std::make_unique<Impl>(std::move(options), std::move(store));
    if (auto r = impl->core.loadResources(); !r) return std::unexpected(r.error());
    IMGUI_CHECKVERSION();
    impl->context = ImGui::CreateContext();
    ImGui::SetCurrentContext(impl->context);
    ImGui::GetIO().DisplaySize = {impl->options.width, impl->options.height};
    impl->core.prepareDisplay({impl->options.width, impl->options.height});
    impl->buildFonts();
    if (auto r = impl->core.start(); !r) return std::unexpected(r.error());
    return std::unique_ptr<HeadlessKiosk>(new HeadlessKiosk(std::move(impl)));
}

HeadlessRun HeadlessKiosk::run(std::string_view script, double timeoutSeconds) {
    auto& k = *m_impl;
    HeadlessRun out;
    if (k.core.quitRequested()) {
        out.status = 3;
        out.failure = "the kiosk was closed (quit or the admin exit) before this script";
        return out;
    }
    auto steps = parseScript(script, "script");
    if (!steps) {
        out.status = 3;
        out.failure = steps.error().message;
        return out;
    }
    k.core.setScript(std::move(*steps), k.options.scriptDir,
                     [] { return std::string("the in-process kiosk cannot be killed; the Xvfb scenarios can"); });
    ImGui::SetCurrentContext(k.context);
    const auto started = std::chrono::steady_clock::now();
    // As in the window: the admin exit (or a quit step) ends the run, whatever steps are left.
    // A screenshot asked for by the last step is still due (it waits for the font atlas to hold every glyph).
    while ((!k.core.scriptFinished() || k.core.screenshotPending()) && !k.core.quitRequested()) {
        if (std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() > timeoutSeconds) {
            out.status = 3;
            out.failure = fmt::format("the script did not finish within {} s (screen '{}')", timeoutSeconds,
                                      std::string(screenName(k.core.screen())));
            return out;
        }
        k.core.update();
        if (k.core.fontsDirty()) k.buildFonts();
        ImGuiIO& io = ImGui::GetIO();
        const auto now = std::chrono::steady_clock::now();
        io.DisplaySize = {k.options.width, k.options.height};
        io.DisplayFramebufferScale = {1, 1};
        io.DeltaTime = std::max(std::chrono::duration<float>(now - k.lastFrame).count(), 1e-4f);
        k.lastFrame = now;
        k.core.feedInput(io);
        k.core.frame();
        ++out.frames;
        if (auto shot = k.core.takeScreenshotRequest())
            k.note("screenshot " + shot->string() + " skipped: no renderer without a window");
        k.core.frameShown();
        if (auto failure = k.core.scriptFailure()) {
            out.status = 3;
            out.failure = *failure;
            return out;
        }
        // About 200 frames a second at most: steps advance quickly without spinning a shared CPU.
        std::this_thread::sleep_for(std::chrono::milliseconds(4));
    }
    return out;
}

std::string HeadlessKiosk::screen() const { return std::string(screenName(m_impl->core.screen())); }

bool HeadlessKiosk::signedIn() const { return m_impl->core.signedIn(); }

bool HeadlessKiosk::closed() const { return m_impl->core.quitRequested(); }

const std::vector<std::string>& HeadlessKiosk::log() const { return m_impl->log; }

}  // namespace kiosk::ui
