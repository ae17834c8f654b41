#include "ui/core.hpp"

#include <fmt/format.h>
#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

#include "runtime/changes.hpp"
#include "runtime/devices.hpp"
#include "runtime/face.hpp"
#include "runtime/printing.hpp"

namespace kiosk::ui {

namespace {
SpeechOptions speechOptions(const Config& c) {
    const char* wavDir = std::getenv("KIOSK_SPEECH_WAV_DIR");
    return SpeechOptions{c.speech.enabled, c.speech.voiceZh, c.speech.voiceEn, c.speech.rate, wavDir ? wavDir : ""};
}
}  // namespace

double FrameStat::percentile(double p) const {
    if (samples.empty()) return 0;
    auto v = samples;
    const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

UiCore::UiCore(CoreOptions options, std::unique_ptr<training::Store> store, TextureHost& textures)
    : m_options(std::move(options)),
      m_textures(textures),
      m_fonts(),
      m_widgets(m_fonts),
      m_backend(std::move(store), center::CenterPaths::forDatabase(m_options.databasePath, m_options.config.database.centerDir), m_queue),
      m_speech(speechOptions(m_options.config)),
      m_ctx{m_i18n,
            m_widgets,
            m_backend,
            m_speech,
            m_options.config,
            m_session,
            m_devices,
            m_link,
            m_textures,
            m_syllabus,
            [this](Intent i) { m_intents.push_back(i); },
            [this](double s) { m_wakeAt = std::min(m_wakeAt, secondsSince(m_start) + s); },
            [this](const std::string& e) { if (e.empty()) m_error.reset(); else m_error = e; },
            [this](Event e) { m_queue.post(std::move(e)); },
            m_footer,
            nullptr,
            nullptr},
      m_idleTimeout(m_options.config.ui.idleTimeoutSeconds) {
    // Screens find the center key and the submission folder beside the database actually opened.
    m_options.config.database.path = m_options.databasePath.string();
}

UiCore::~UiCore() { shutdown(); }

double UiCore::secondsSince(SteadyClock::time_point t) const {
    return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

training::Result<void> UiCore::loadResources() {
    const auto assets = kiosk::assetsDirectory();
    if (auto r = m_i18n.load(assets / "i18n"); !r) return r;
    m_i18n.setLanguage(m_options.config.ui.language == "en" ? Language::En : Language::Zh);
    auto font = findCjkFont({"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei"});
    if (!font) return std::unexpected(font.error());
    if (auto r = m_fonts.load(*font, {}); !r) return r;
    for (auto t : m_i18n.allTexts()) m_fonts.require(t);
    m_fontFile = *font;
    return {};
}

training::Result<void> UiCore::start() {
    if (!m_fontFile)
        return training::fail(training::ErrorCode::Internal, "the kiosk's resources were not loaded (loadResources)");
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.LogFilename = nullptr;
    applyTheme();
    m_screens = makeScreens();
    for (std::size_t i = 0; i < m_screens.size(); ++i)
        if (static_cast<std::size_t>(m_screens[i]->id()) != i)
            return training::fail(training::ErrorCode::Internal, fmt::format("screen list out of order at {}", i));

    m_backend.submit([](Records& r) { return r.store.center(); },
                     [this](training::Result<training::Center> c) {
                         if (c) {
                             m_centerName = c->name;
                         } else {
                             m_error = c.error().message;
                         }
                     });
    m_backend.submit([](Records& r) { return r.center.badgeCourse(); },
                     [this](training::Result<training::Course> c) {
                         if (c) m_syllabus = std::move(c->modules);  // otherwise module codes are shown
                     });
    m_deviceWatch = std::make_unique<DeviceWatch>(m_options.config, m_queue);
    m_changeWatch = std::make_unique<ChangeWatch>(m_options.databasePath, m_queue);
    m_face = std::make_unique<FaceService>(m_options.config, m_queue);
    m_ctx.face = m_face.get();
    m_printer = std::make_unique<PrintService>(m_options.config, m_queue);
    m_ctx.printer = m_printer.get();
    m_started = true;
    go(ScreenId::Attract);
    return {};
}

void UiCore::setScript(std::vector<ScriptStep> steps, std::filesystem::path baseDir,
                       std::function<std::string()> crash) {
    ScriptHost host{[this] { return std::string(screenName(m_current)); },
                    [this](Event e) { m_queue.post(std::move(e)); },
                    [this](const std::filesystem::path& p) { m_pendingShot = p; },
                    [this](int s) { m_idleTimeout = s; },
                    [this] { return signedIn(); },
                    [this] { m_quit = true; },
                    std::move(crash),
                    [this] { return m_backend.pending() > 0; }};
    m_script = std::make_unique<ScriptRunner>(std::move(steps), std::move(baseDir), std::move(host));
}

training::Result<void> UiCore::loadScript(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in) return training::fail(training::ErrorCode::Io, fmt::format("cannot read the script {}", file.string()));
    auto steps = parseScript(ss.str(), file.string());
    if (!steps) return std::unexpected(steps.error());
    setScript(std::move(*steps), file.parent_path());
    return {};
}

bool UiCore::signedIn() const {
    return m_session.worker.has_value() || m_session.newIdentity.has_value() || m_session.staff.has_value();
}

std::optional<std::string> UiCore::scriptFailure() const {
    if (!m_script) return std::nullopt;
    return m_script->failure();
}

void UiCore::resetSession() {
    m_backend.newGeneration();
    m_largeText = false;  // the next person starts with the normal size
    m_session = WorkerSession{};
    m_error.reset();
}

void UiCore::go(ScreenId id) {
    if (id != m_current) current().leave(m_ctx);
    m_current = id;
    m_error.reset();
    current().enter(m_ctx);
    m_framesToDraw = 3;
}

void UiCore::applyIntent(Intent i) {
    if (i == Intent::Quit) {
        m_quit = true;
        return;
    }
    const ScreenId next = nextScreen(m_current, i, m_session);
    if (i == Intent::Logout) resetSession();
    go(next);
}

void UiCore::handleEvent(Event& e) {
    if (auto* done = std::get_if<JobDone>(&e)) {
        m_backend.completed();
        if (done->generation == 0 || done->generation == m_backend.generation()) done->apply();
        return;
    }
    if (auto* rc = std::get_if<RecordsChanged>(&e)) {
        // Not the person's activity (the idle timeout runs on); the screen on show decides what to reload.
        m_link.pushesChanges = rc->pushed;
        if (!rc->changes.empty()) current().onEvent(m_ctx, e);
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

void UiCore::update() {
    if (!m_started || m_shutDown) return;
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
    probeServer();
}

void UiCore::probeServer() {
    if (!m_link.lost) {
        m_probeDelay = 1;
        return;
    }
    const double now = secondsSince(m_start);
    if (m_probing) return;
    if (m_probeAt == 0) m_probeAt = now + m_probeDelay;  // lost just now: the first probe after 1 s
    if (now < m_probeAt) {
        m_wakeAt = std::min(m_wakeAt, m_probeAt);
        return;
    }
    m_probing = true;
    m_backend.submitUnscoped([](Records& r) { return r.store.center(); },
                             [this](training::Result<training::Center> c) {
                                 m_probing = false;
                                 if (!c && c.error().reason == kServerUnreachable) {
                                     m_probeDelay = std::min(m_probeDelay * 2, 8.0);
                                     m_probeAt = secondsSince(m_start) + m_probeDelay;
                                     return;
                                 }
                                 // The server answered (whatever it said): screens send again what failed.
                                 m_link.lost = false;
                                 ++m_link.restored;
                                 m_probeAt = 0;
                                 m_probeDelay = 1;
                                 wantFrames(2);
                             });
}

void UiCore::buildFonts() { m_fonts.build(); }

float UiCore::scaleFor(ImVec2 phys) const {
    const float shortSide = std::max(1.0f, std::min(phys.x, phys.y));
    const auto configured = static_cast<float>(m_options.config.ui.scale);
    float s = configured > 0 ? configured : std::max(0.6f, shortSide / 800.0f);
    if (m_largeText) s = std::max(s, std::min(s * 1.5f, shortSide / 560.0f));
    return s;
}

void UiCore::feedInput(ImGuiIO& io) {
    // The screens are laid out in the logical pixels of a 1280x800 design. The display's shorter side over 800
    // (or [ui] scale) gives the physical pixels per logical one; large-text mode makes that about 1.5x, keeping
    // at least 560 logical pixels on the shorter side. ImGui then lays out at the logical size and the renderer
    // draws at the framebuffer's (DisplayFramebufferScale), so every size, target and gap grows with the screen;
    // the atlas is rasterised at the physical size (crisp text).
    const ImVec2 phys = io.DisplaySize;
    const float s = scaleFor(phys);
    m_scale = s;
    io.DisplaySize = {phys.x / s, phys.y / s};
    io.DisplayFramebufferScale = {io.DisplayFramebufferScale.x * s, io.DisplayFramebufferScale.y * s};
    if (io.MousePos.x > -1e30f && io.MousePos.y > -1e30f) io.MousePos = {io.MousePos.x / s, io.MousePos.y / s};
    m_logical = io.DisplaySize;
    m_fonts.setRasterScale(io.DisplayFramebufferScale.x);
    if (m_script) m_script->frame(io, m_widgets);
    // Any touch or mouse change counts as activity for the idle timeout.
    if (io.MousePos.x != m_lastMouseX || io.MousePos.y != m_lastMouseY || io.MouseDown[0] != m_lastDown) {
        if (io.MousePos.x > -1e30f || io.MouseDown[0]) m_lastActivity = SteadyClock::now();
        m_lastMouseX = io.MousePos.x;
        m_lastMouseY = io.MousePos.y;
        m_lastDown = io.MouseDown[0];
        m_framesToDraw = std::max(m_framesToDraw, 3);
    }
}

namespace {
/// @p text cut to @p room pixels of the current font, with "…" when cut.
std::string elide(const std::string& text, float room) {
    if (ImGui::CalcTextSize(text.c_str()).x <= room) return text;
    std::string t = text;
    while (!t.empty()) {
        // Drop one UTF-8 character from the end.
        std::size_t k = t.size() - 1;
        while (k > 0 && (static_cast<unsigned char>(t[k]) & 0xC0) == 0x80) --k;
        t.resize(k);
        const std::string shown = t + "\xE2\x80\xA6";
        if (ImGui::CalcTextSize(shown.c_str()).x <= room) return shown;
    }
    return {};
}
}  // namespace

void UiCore::drawTopBar() {
    // The center's name on the left; the device status, large text and language on the right. When they do not
    // fit one row (portrait, a long name), the name takes the first row and the rest the second; the name and the
    // status are shortened with "…" rather than drawn over each other.
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float width = ImGui::GetContentRegionAvail().x;
    const float gap = 16.0f;
    const float langW = 180.0f, bigW = 180.0f, btnH = 64.0f;
    const float buttonsW = langW + gap + bigW;
    const std::string title = m_centerName.empty() ? m_i18n.tr("app.title") : m_centerName;
    std::string status;
    auto add = [&](bool ok, const char* key) {
        if (!ok) status += (status.empty() ? "" : "  ") + m_i18n.tr(key);
    };
    add(m_devices.reader, "status.no_reader");
    add(m_devices.camera, "status.no_camera");
    add(m_devices.printer, "status.no_printer");
    m_widgets.recordText(title);
    if (!status.empty()) m_widgets.recordText(status);

    ImGui::PushFont(m_fonts.large());
    const float titleW = ImGui::CalcTextSize(title.c_str()).x;
    const float titleH = ImGui::GetFontSize();
    ImGui::PopFont();
    ImGui::PushFont(m_fonts.small());
    const float statusW = status.empty() ? 0 : ImGui::CalcTextSize(status.c_str()).x;
    ImGui::PopFont();
    // Landscape keeps one row (height is what a landscape screen lacks) and shortens; portrait takes a second row.
    const bool fits = titleW + gap + (status.empty() ? 0 : statusW + gap) + buttonsW <= width;
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const bool oneRow = fits || display.x >= display.y;
    const float rowH = 72.0f;
    const float barH = oneRow ? rowH : 2 * rowH;
    dl->PushClipRectFullScreen();
    dl->AddRectFilled({0, 0}, {ImGui::GetIO().DisplaySize.x, p.y + barH - 8}, theme::kBar);
    dl->PopClipRect();

    ImGui::PushFont(m_fonts.large());
    const float rowRoom = width - buttonsW - gap;
    const float titleRoom = !oneRow ? width : fits || status.empty() ? rowRoom : std::max(rowRoom * 0.55f, rowRoom - statusW - gap);
    const std::string shownTitle = elide(title, titleRoom);
    const ImVec2 tpos{p.x, p.y + (rowH - 8 - titleH) / 2};
    dl->AddText(tpos, IM_COL32_WHITE, shownTitle.c_str());
    const float shownTitleW = ImGui::CalcTextSize(shownTitle.c_str()).x;
    ImGui::PopFont();
    m_widgets.recordStatic("title", title, tpos, {tpos.x + shownTitleW, tpos.y + titleH});

    const float row2 = oneRow ? p.y : p.y + rowH;
    const float buttonsX = p.x + width - buttonsW;
    if (!status.empty()) {
        ImGui::PushFont(m_fonts.small());
        const float left = oneRow ? p.x + shownTitleW + gap : p.x;
        const std::string shown = elide(status, buttonsX - gap - left);
        const float sw = ImGui::CalcTextSize(shown.c_str()).x;
        const ImVec2 spos{buttonsX - gap - sw, row2 + (rowH - 8 - ImGui::GetFontSize()) / 2};
        dl->AddText(spos, IM_COL32(0xFF, 0xE0, 0x8A, 0xFF), shown.c_str());  // 10.9:1 on the bar
        m_widgets.recordStatic("device-status", status, spos, {spos.x + sw, spos.y + ImGui::GetFontSize()});
        ImGui::PopFont();
    }
    ImGui::SetCursorScreenPos({buttonsX, row2 + (rowH - 8 - btnH) / 2});
    if (m_widgets.button("large-text", m_i18n.tr(m_largeText ? "app.large_text_off" : "app.large_text"),
                         {bigW, btnH}, Kind::Secondary)) {
        m_largeText = !m_largeText;
        if (m_largeText) m_speech.say(m_i18n.tr("app.large_text_on"), m_i18n.language());
        wantFrames(3);
    }
    ImGui::SameLine(0, gap);
    if (m_widgets.button("lang", m_i18n.tr("app.switch_language"), {langW, btnH}, Kind::Secondary)) {
        m_i18n.toggle();
        m_speech.say(m_i18n.tr("app.language_changed"), m_i18n.language());
    }
    ImGui::SetCursorScreenPos({p.x, p.y + barH});
}

void UiCore::drawFooter() {
    if (m_footer.empty()) {
        // A screen between two states (loading) keeps the room of its bar, so its content does not jump down and
        // back up; a screen without a bar has none.
        if (m_current != m_footerScreen) m_footerHeight = 0;
        return;
    }
    m_footerScreen = m_current;
    const ImGuiStyle& st = ImGui::GetStyle();
    const float h = theme::kTarget;
    const float left = m_columnLeft;
    const float right = m_columnLeft + m_columnWidth;
    auto width = [&](const FooterAction& a) {
        m_fonts.require(a.label);
        return std::min(m_columnWidth, std::max(220.0f, ImGui::CalcTextSize(a.label.c_str()).x + 2 * st.FramePadding.x + 16));
    };
    // One row; when the buttons do not fit side by side (portrait, large text), the second action goes on a row
    // above the primary one (still at the right), and back keeps the bottom left.
    float need = 0;
    for (const auto* a : {&m_footer.back, &m_footer.secondary, &m_footer.primary})
        if (*a) need += width(**a) + st.ItemSpacing.x;
    const bool twoRows = need - st.ItemSpacing.x > m_columnWidth && m_footer.secondary;
    const float y = ImGui::GetWindowPos().y + ImGui::GetWindowHeight() - st.WindowPadding.y - h;
    const float top = twoRows ? y - h - st.ItemSpacing.y : y;
    m_footerHeight = (y + h) - top + st.ItemSpacing.y + 8;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddLine({left, top - 12}, {right, top - 12}, theme::kSecondaryActive, 2.0f);
    std::function<void()> tapped;
    auto draw = [&](const FooterAction& a, float x, float rowY) {
        ImGui::SetCursorScreenPos({x, rowY});
        bool tap = m_widgets.button(a.id, a.label, {width(a), h}, a.kind, a.enabled);
        if (a.guard) tap = m_widgets.guarded(a.id, tap);
        if (tap && a.onTap) tapped = a.onTap;
    };
    if (m_footer.back) draw(*m_footer.back, left, y);
    float x = right;
    if (m_footer.primary) {
        x -= width(*m_footer.primary);
        draw(*m_footer.primary, x, y);
        x -= st.ItemSpacing.x;
    }
    if (m_footer.secondary) {
        if (twoRows) draw(*m_footer.secondary, right - width(*m_footer.secondary), top);
        else draw(*m_footer.secondary, x - width(*m_footer.secondary), y);
    }
    if (tapped) tapped();
}

void UiCore::frame() {
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
    if (m_link.lost) m_widgets.notice(m_i18n.tr("app.server_lost"), theme::kWarnBg, theme::kErrorText);
    if (m_error) {
        m_widgets.notice(*m_error, theme::kWarnBg, theme::kErrorText);
    }
    // The screens in a centred column at most the design's width (a wide display keeps margins on both sides).
    const float avail = ImGui::GetContentRegionAvail().x;
    m_columnWidth = std::min(avail, 1280.0f - 2 * theme::kPad);
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (avail - m_columnWidth) / 2);
    m_columnLeft = ImGui::GetCursorScreenPos().x;
    ImGui::BeginChild("##content", {m_columnWidth, -m_footerHeight}, false, ImGuiWindowFlags_NoBackground);
    m_footer = Footer{};
    current().draw(m_ctx);
    ImGui::EndChild();
    drawFooter();
    ImGui::End();
    ImGui::Render();
    auto& stat = m_stats[m_current];
    const double buildUs = std::chrono::duration<double, std::micro>(SteadyClock::now() - buildStart).count();
    ++stat.frames;
    stat.buildUs += buildUs;
    if (m_options.keepFrameSamples) stat.samples.push_back(static_cast<float>(buildUs));
}

std::vector<std::string> UiCore::layoutProblems() const { return m_widgets.layoutProblems(m_logical); }

void UiCore::frameShown() {
    if (m_framesToDraw > 0) --m_framesToDraw;
}

std::optional<std::filesystem::path> UiCore::takeScreenshotRequest() {
    // A screenshot waits for a frame without new glyphs (so the atlas has every character drawn).
    if (!m_pendingShot || m_fonts.dirty()) return std::nullopt;
    return std::exchange(m_pendingShot, std::nullopt);
}

bool UiCore::wantsFrames() const {
    return (m_script && !m_script->finished()) || m_framesToDraw > 0 || m_fonts.dirty() || m_pendingShot;
}

double UiCore::secondsUntilDue() const {
    const double now = secondsSince(m_start);
    double wait = std::min(m_wakeAt - now, 60.0);
    if (m_started && m_current != ScreenId::Attract && m_screens[static_cast<std::size_t>(m_current)]->idleTimeoutApplies())
        wait = std::min(wait, m_idleTimeout - secondsSince(m_lastActivity) + 0.05);
    return wait;
}

void UiCore::wantFrames(int n) { m_framesToDraw = std::max(m_framesToDraw, n); }

void UiCore::shutdown() {
    if (m_shutDown) return;
    m_shutDown = true;
    if (m_started && !m_screens.empty()) current().leave(m_ctx);
    m_face.reset();
    m_printer.reset();
    m_deviceWatch.reset();
    m_changeWatch.reset();
    m_ctx.face = nullptr;
    m_ctx.printer = nullptr;
    m_backend.drainBlocking();
    m_screens.clear();  // screens own pictures: release them while the shell's context exists
}

}  // namespace kiosk::ui
