// Live photo: camera preview with the face box, the quality gate's instruction (written and spoken),
// auto-capture and the 1:1 match against the chip photo. A "refer" decision, a document without a chip photo,
// or max_attempts failed tries call staff, who compare the two photos side by side (staff PIN screen).
#include <chrono>
#include <cmath>
#include <optional>
#include <opencv2/imgcodecs.hpp>

#include "devices/face/live_capture.hpp"
#include "runtime/face.hpp"
#include "ui/screens/common.hpp"
#include "ui/texture.hpp"

namespace kiosk::ui {
namespace {

using SteadyClock = std::chrono::steady_clock;

class PhotoScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::Photo; }
    ~PhotoScreen() override = default;

    void enter(Context& ctx) override {
        m_preview.reset();
        m_doneAt.reset();
        m_shownGeneration = 0;
        m_tries = 0;
        m_capturing = false;
        m_message.clear();
        m_lastInstruction.clear();
        m_lastSpoken = {};
        if (ctx.session.faceConfirmedByStaff) {
            ctx.emit(Intent::PhotoDone);
            return;
        }
        // No camera frame is processed without the biometric consent in force (PIPL art. 29): staff instead.
        if (!ctx.session.biometricConsent || ctx.session.faceDeclined) {
            callStaff(ctx);
            return;
        }
        ctx.say(faceReady(ctx) ? "photo.prompt" : "photo.no_camera");
        startCapture(ctx);
    }
    void leave(Context& ctx) override {
        if (ctx.face) {
            if (auto* live = ctx.face->live()) live->cancel();
            ctx.face->setActive(false);
        }
        m_capturing = false;
        m_preview.reset();
    }
    void onEvent(Context& ctx, const Event& e) override {
        if (const auto* st = std::get_if<DeviceStatus>(&e); st && st->device == DeviceKind::Face && st->available && !m_capturing &&
                                                            m_tries == 0 && m_message.empty())
            startCapture(ctx);  // the camera became ready while the screen was shown
        if (const auto* f = std::get_if<FaceCaptured>(&e)) onCaptured(ctx, *f);
    }

    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        // The match is shown for a moment before the next screen (the worker sees that it worked).
        if (m_doneAt) {
            if (SteadyClock::now() >= *m_doneAt) {
                m_doneAt.reset();
                if (m_doneNeedsStaff) callStaff(ctx);
                else ctx.emit(Intent::PhotoDone);
            } else {
                ctx.wakeIn(std::chrono::duration<double>(*m_doneAt - SteadyClock::now()).count());
            }
        }
        ui.heading(ctx.tr("photo.title"));
        ui.text(format(ctx.tr("photo.hello"), {ctx.session.displayName()}) + "    " +
                    format(ctx.tr("photo.document"), {maskDocument(ctx.session.documentNumber())}),
                ui.fonts().large());
        const float bottom = 0;
        const float areaH = ImGui::GetContentRegionAvail().y - bottom - 16;
        if (!faceReady(ctx)) {
            // Where the preview would be: a dark panel saying why there is none (same layout as with a camera).
            const bool starting = ctx.face && ctx.face->state() == FaceService::State::Starting;
            const float availW = ImGui::GetContentRegionAvail().x;
            const bool beside = availW >= 1000;
            const float w = beside ? std::min(availW * 0.55f, areaH * 4.0f / 3.0f)
                                   : std::min(availW, areaH * 0.55f * 4.0f / 3.0f);
            const ImVec2 p = ImGui::GetCursorScreenPos();
            ImGui::GetWindowDrawList()->AddRectFilled(p, {p.x + w, p.y + w * 0.75f}, IM_COL32(0x1F, 0x29, 0x37, 0xFF),
                                                      12.0f);
            ImGui::Dummy({w, w * 0.75f});
            if (beside) ImGui::SameLine(0, 32);
            ImGui::BeginGroup();
            ui.text(ctx.tr(starting ? "photo.camera_starting" : "photo.no_camera"), ui.fonts().large());
            if (!starting && ctx.face && !ctx.face->problem().empty())
                ui.text(ctx.face->problem(), ui.fonts().small(), theme::kMuted);
            noChipPhotoNote(ctx);
            ImGui::EndGroup();
            if (starting) ctx.wakeIn(0.25);
        } else {
            drawLive(ctx, areaH);
        }
        ctx.footer.back = FooterAction{"logout", ctx.tr("common.finish"), [&ctx] { ctx.emit(Intent::Logout); }, true,
                                       Kind::Secondary};
        if (!m_capturing && faceReady(ctx) && m_tries < ctx.face->maxAttempts())
            ctx.footer.primary =
                FooterAction{"retry", ctx.tr("photo.retry"), [this, &ctx] { startCapture(ctx); }, true, Kind::Primary};
        FooterAction staff{"call-staff", ctx.tr("photo.call_staff"), [this, &ctx] { callStaff(ctx); }, true,
                           Kind::Secondary};
        if (ctx.footer.primary) ctx.footer.secondary = std::move(staff);
        else ctx.footer.primary = std::move(staff);
    }

private:
    static bool faceReady(const Context& ctx) { return ctx.face && ctx.face->live() != nullptr; }
    /// Decodes the chip photo on the worker thread, then starts a capture against it (or a portrait only).
    void startCapture(Context& ctx) {
        if (!faceReady(ctx) || m_capturing || !ctx.session.biometricConsent) return;
        m_capturing = true;
        m_message.clear();
        ctx.face->setActive(true);
        ctx.backend.submit(
            [photo = ctx.session.chipPhoto](Records&) -> cv::Mat {
                if (photo.empty()) return {};
                try {
                    return cv::imdecode(cv::Mat(1, static_cast<int>(photo.size()), CV_8UC1,
                                                const_cast<std::uint8_t*>(photo.data())),
                                        cv::IMREAD_COLOR);
                } catch (const cv::Exception&) {
                    return {};
                }
            },
            [this, &ctx](cv::Mat reference) {
                if (!m_capturing || !faceReady(ctx)) return;
                ctx.face->live()->begin(reference);
            });
    }

    void drawLive(Context& ctx, float areaH) {
        auto& ui = ctx.ui;
        auto* live = ctx.face->live();
        const auto p = live->preview();
        if (m_capturing) ctx.wakeIn(1.0 / 15.0);  // follow the camera while it streams
        if (!p.image.empty() && p.generation != m_shownGeneration) {
            m_preview.upload(ctx.textures, p.image.data, p.image.cols, p.image.rows);
            m_shownGeneration = p.generation;
        }
        // A large view: most of a landscape screen beside the instructions; in portrait the whole width, with the
        // instructions below.
        const float availW = ImGui::GetContentRegionAvail().x;
        const bool beside = availW >= 1000;
        const float previewW = beside ? std::min(availW * 0.62f, areaH * 4.0f / 3.0f)
                                      : std::min(availW, areaH * 0.62f * 4.0f / 3.0f);
        ImGui::BeginGroup();
        const ImVec2 origin = ImGui::GetCursorScreenPos();
        if (m_preview.empty()) {
            ImGui::Dummy({previewW, previewW * 0.75f});
            ImGui::GetWindowDrawList()->AddRectFilled(origin, {origin.x + previewW, origin.y + previewW * 0.75f},
                                                      IM_COL32(0x1F, 0x29, 0x37, 0xFF), 12.0f);
        } else {
            const float s = m_preview.draw({previewW, areaH});
            drawOvalGuide(origin, {previewW, previewW * 0.75f}, p.instruction.empty() && m_capturing);
            if (p.faceBox && m_capturing) {
                const auto& b = *p.faceBox;
                const ImU32 col = p.instruction.empty() ? theme::kOk : IM_COL32(0xF5, 0x9E, 0x0B, 0xFF);
                ImGui::GetWindowDrawList()->AddRect({origin.x + b.x * s, origin.y + b.y * s},
                                                    {origin.x + (b.x + b.width) * s, origin.y + (b.y + b.height) * s},
                                                    col, 8.0f, 0, 5.0f);
            }
        }
        ImGui::EndGroup();
        if (beside) ImGui::SameLine(0, 32);
        ImGui::BeginGroup();
        if (m_doneAt) {
            ui.text("\xE2\x9C\x93 " + ctx.tr("photo.matched"), ui.fonts().huge(), theme::kOk);
        } else if (m_capturing) {
            const std::string key = p.instruction.empty() ? "hold-still-ok" : p.instruction;
            ui.text(ctx.tr("face." + key), ui.fonts().huge(), p.instruction.empty() ? theme::kOk : theme::kText);
            speakInstruction(ctx, key);
            ImGui::Dummy({0, 12});
            ImGui::ProgressBar(static_cast<float>(p.progress), {ImGui::GetContentRegionAvail().x, 28}, "");
            ui.text(ctx.tr("photo.auto_capture"), ui.fonts().small(), theme::kMuted);
        } else if (!m_message.empty()) {
            ui.text(m_message, ui.fonts().large());
        }
        if (m_tries > 0)
            ui.text(format(ctx.tr("photo.tries"), {std::to_string(m_tries), std::to_string(ctx.face->maxAttempts())}),
                    ui.fonts().small(), theme::kMuted);
        noChipPhotoNote(ctx);
        ImGui::EndGroup();
    }
    /// An oval where the face goes, in the middle of the preview (green once the picture is good).
    static void drawOvalGuide(ImVec2 origin, ImVec2 size, bool good) {
        ImDrawList* dl = ImGui::GetWindowDrawList();
        const ImVec2 c{origin.x + size.x / 2, origin.y + size.y * 0.47f};
        const float rx = size.y * 0.27f, ry = size.y * 0.36f;
        constexpr int kPoints = 64;
        ImVec2 pts[kPoints];
        for (int i = 0; i < kPoints; ++i) {
            const float a = 6.2831853f * static_cast<float>(i) / kPoints;
            pts[i] = {c.x + rx * std::cos(a), c.y + ry * std::sin(a)};
        }
        dl->AddPolyline(pts, kPoints, IM_COL32(0x11, 0x18, 0x27, 0xC0), ImDrawFlags_Closed, 9.0f);
        dl->AddPolyline(pts, kPoints, good ? IM_COL32(0x4A, 0xDE, 0x80, 0xFF) : IM_COL32_WHITE, ImDrawFlags_Closed, 5.0f);
    }
    static void noChipPhotoNote(Context& ctx) {
        if (ctx.session.chipPhoto.empty())
            ctx.ui.text(ctx.tr("photo.no_chip_photo"), ctx.ui.fonts().small(), theme::kMuted);
    }

    /// Speaks a new instruction, at most every 3 s (a worker needs time to follow it).
    void speakInstruction(Context& ctx, const std::string& key) {
        const auto now = SteadyClock::now();
        if (key == m_lastInstruction || now - m_lastSpoken < std::chrono::seconds(3)) return;
        m_lastInstruction = key;
        m_lastSpoken = now;
        ctx.say("face." + key);
    }

    void onCaptured(Context& ctx, const FaceCaptured& f) {
        if (!m_capturing) return;  // a result of a capture this visit abandoned
        m_capturing = false;
        ctx.face->setActive(false);
        if (!f.error.empty() || f.portraitJpeg.empty()) {
            ++m_tries;
            m_message = ctx.tr("photo.gave_up") +
                        (f.lastInstruction.empty() ? std::string() : " " + ctx.tr("face." + f.lastInstruction));
            ctx.say("photo.gave_up");
            if (m_tries >= ctx.face->maxAttempts()) callStaff(ctx);
            return;
        }
        ctx.session.livePortrait = f.portraitJpeg;
        if (f.decision == devices::face::Decision::Match && f.score) {
            ctx.session.faceScore = f.score;
            ctx.say("photo.matched");
            // A chip whose data were not authenticated (no CSCA for it, no security object): the face matches the
            // chip photo, but staff still confirm the document itself.
            const bool documentUnproven = ctx.session.identityMethod == center::IdentityMethod::Chip;
            if (!ctx.session.worker) {
                // registration records the match with the new worker
                showDone(ctx, documentUnproven);
                return;
            }
            const auto wid = ctx.session.worker->id;
            const auto score = *f.score;
            const auto actor = ctx.actor();
            ctx.backend.submit([=](Records& r) { return r.store.markFaceVerified(wid, score, actor); },
                               [this, &ctx, documentUnproven](training::Result<void> res) {
                                   if (!res) ctx.showError(res.error());
                                   showDone(ctx, documentUnproven);
                               });
            return;
        }
        if (f.decision == devices::face::Decision::NoMatch) {
            ++m_tries;
            m_message = ctx.tr("photo.no_match");
            ctx.say("photo.no_match");
            if (m_tries >= ctx.face->maxAttempts()) callStaff(ctx);
            return;
        }
        // "refer", or no match possible (no chip photo, no face in it, no recognition model): staff compare.
        m_message = ctx.tr(f.decision == devices::face::Decision::Refer ? "photo.refer" : "photo.staff_compare");
        ctx.say(f.decision == devices::face::Decision::Refer ? "photo.refer" : "photo.staff_compare");
        callStaff(ctx);
    }

    /// Shows the match for 1.5 s, then goes on (to staff when the document itself is not proven).
    void showDone(Context& ctx, bool needsStaff) {
        m_doneAt = SteadyClock::now() + std::chrono::milliseconds(1500);
        m_doneNeedsStaff = needsStaff;
        ctx.wakeIn(1.5);
    }

    void callStaff(Context& ctx) {
        if (m_capturing && ctx.face) {
            if (auto* live = ctx.face->live()) live->cancel();
            ctx.face->setActive(false);
            m_capturing = false;
        }
        ctx.session.staffPurpose = StaffPurpose::ConfirmIdentity;
        ctx.emit(Intent::NeedStaff);
    }

    Texture m_preview;
    std::optional<SteadyClock::time_point> m_doneAt;  ///< The match is on show until then.
    bool m_doneNeedsStaff{false};
    std::uint64_t m_shownGeneration{0};
    int m_tries{0};
    bool m_capturing{false};
    std::string m_message;
    std::string m_lastInstruction;
    SteadyClock::time_point m_lastSpoken{};
};

}  // namespace

std::unique_ptr<Screen> makePhotoScreen() { return std::make_unique<PhotoScreen>(); }

}  // namespace kiosk::ui
