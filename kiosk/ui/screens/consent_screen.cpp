// Consents, each shown in full and signed with a finger; stored with the text's version and hash
// (Store::addConsent). Two stages:
//  - before the camera (the person was not yet compared with the document photo this visit): the separate
//    biometric consent only (PIPL art. 29). Agreeing goes on to the live photo; declining goes to staff, who verify
//    the person in person. A first-time worker's signature is kept in the session and stored at registration.
//  - after registration: the commitment letter and the credit-check authorisation.
#include <stb_image_write.h>

#include <cmath>
#include <filesystem>
#include <toml++/toml.h>

#include "runtime/face.hpp"
#include "ui/lookup.hpp"
#include "ui/screens/common.hpp"

namespace kiosk::ui {
namespace {

/// One consent text file: assets/consents/<kind>.toml (version, title_zh/en, text_zh/en).
struct ConsentText {
    std::string version;
    std::string titleZh, titleEn, textZh, textEn;
};

training::Result<ConsentText> loadConsentText(training::ConsentKind kind) {
    const auto file = kiosk::assetsDirectory() / "consents" / (std::string(training::consentKindName(kind)) + ".toml");
    toml::table t;
    try {
        t = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        return std::unexpected(training::Error{training::ErrorCode::NotFound,
                                               "cannot read the consent text " + file.string() + ": " +
                                                   std::string(e.description()) + "; reinstall the assets"});
    }
    ConsentText c;
    c.version = t["version"].value_or(std::string());
    c.titleZh = t["title_zh"].value_or(std::string());
    c.titleEn = t["title_en"].value_or(std::string());
    c.textZh = t["text_zh"].value_or(std::string());
    c.textEn = t["text_en"].value_or(std::string());
    if (c.version.empty() || c.textZh.empty() || c.textEn.empty())
        return std::unexpected(training::Error{training::ErrorCode::InvalidInput,
                                               file.string() + " needs version, text_zh and text_en"});
    return c;
}

/// Rasterises the strokes (pad coordinates) into a black-on-white PNG.
std::vector<std::uint8_t> signaturePng(const std::vector<std::vector<ImVec2>>& strokes, int w, int h) {
    std::vector<std::uint8_t> img(static_cast<std::size_t>(w) * static_cast<std::size_t>(h), 255);
    auto dot = [&](float cx, float cy) {
        for (int dy = -2; dy <= 2; ++dy)
            for (int dx = -2; dx <= 2; ++dx) {
                const int x = static_cast<int>(cx) + dx, y = static_cast<int>(cy) + dy;
                if (x >= 0 && y >= 0 && x < w && y < h && dx * dx + dy * dy <= 5)
                    img[static_cast<std::size_t>(y) * static_cast<std::size_t>(w) + static_cast<std::size_t>(x)] = 0;
            }
    };
    for (const auto& s : strokes)
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (i == 0) {
                dot(s[0].x, s[0].y);
                continue;
            }
            const ImVec2 a = s[i - 1], b = s[i];
            const float len = std::hypot(b.x - a.x, b.y - a.y);
            const int n = std::max(1, static_cast<int>(len));
            for (int k = 0; k <= n; ++k) {
                const float t = static_cast<float>(k) / static_cast<float>(n);
                dot(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t);
            }
        }
    std::vector<std::uint8_t> png;
    stbi_write_png_to_func(
        [](void* ctx, void* data, int size) {
            auto* out = static_cast<std::vector<std::uint8_t>*>(ctx);
            const auto* p = static_cast<const std::uint8_t*>(data);
            out->insert(out->end(), p, p + size);
        },
        &png, w, h, 1, img.data(), w);
    return png;
}

class ConsentScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::Consent; }
    void enter(Context& ctx) override {
        m_done = 0;
        // The biometric consent: before the camera, or asked for from "my data" by a worker who declined it before.
        m_biometricStage = !ctx.session.identityChecked() || ctx.session.biometricFromMyData;
        start(ctx);
    }
    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        if (!m_text) {
            ui.text(ctx.tr("common.loading"));
            return;
        }
        const bool en = ctx.i18n.language() == Language::En;
        ui.heading(en ? m_text->titleEn : m_text->titleZh);
        if (m_biometricStage) {
            ui.text(format(ctx.tr("privacy.biometric_first"), {m_text->version}), ui.fonts().small(), theme::kMuted);
            if (!ctx.face || !ctx.face->streaming()) ui.text(ctx.tr("privacy.camera_off"), ui.fonts().small(), theme::kOk);
            // For scripts: how many camera frames the face pipeline has processed since the kiosk started.
            // Recorded as text only (nothing is drawn): `expect camera-frames=0;` in a script.
            if (ctx.face && ctx.face->state() == FaceService::State::Ready)
                ui.recordText("camera-frames=" + std::to_string(ctx.face->framesProcessed()) + ";");
        }
        else
            ui.text(format(ctx.tr("consent.progress"),
                           {std::to_string(m_done + 1), std::to_string(m_done + ctx.session.missingConsents.size()),
                            m_text->version}),
                    ui.fonts().small(), theme::kMuted);
        // Everything fits on one screen: the text box takes what the signature row and the buttons leave.
        const float w = ImGui::GetContentRegionAvail().x;
        const float h = ImGui::GetContentRegionAvail().y;
        const float gap = ImGui::GetStyle().ItemSpacing.y;
        const float btnH = theme::kMinTarget + 8;
        const float sideW = 300;
        const float padH = 3 * btnH + 2 * gap;  // beside the pad: clear, sign, not now
        const float declineH = m_biometricStage ? btnH + gap : 0.0f;
        const float labelH = ImGui::GetTextLineHeightWithSpacing();
        const float textH = std::max(120.0f, h - padH - declineH - labelH - 2 * gap);
        // The full text, scrollable.
        const std::string& body = en ? m_text->textEn : m_text->textZh;
        ImGui::BeginChild("consent-text", {w, textH}, true);
        ui.text(body);
        ImGui::EndChild();
        ui.text(ctx.tr("consent.sign_here"), ui.fonts().small());
        // The signature pad.
        const ImVec2 p0 = ImGui::GetCursorScreenPos();
        const ImVec2 size{std::min(w - sideW - ImGui::GetStyle().ItemSpacing.x, 900.0f), padH};
        ImGui::InvisibleButton("signature-pad", size);
        ui.record("signature-pad", "", p0, {p0.x + size.x, p0.y + size.y});
        const ImGuiIO& io = ImGui::GetIO();
        if (ImGui::IsItemActive()) {
            const ImVec2 local{io.MousePos.x - p0.x, io.MousePos.y - p0.y};
            if (ImGui::IsItemActivated() || m_strokes.empty()) m_strokes.emplace_back();
            if (m_strokes.back().empty() || m_strokes.back().back().x != local.x || m_strokes.back().back().y != local.y)
                m_strokes.back().push_back(local);
        }
        ImDrawList* dl = ImGui::GetWindowDrawList();
        dl->AddRectFilled(p0, {p0.x + size.x, p0.y + size.y}, IM_COL32_WHITE, 8);
        dl->AddRect(p0, {p0.x + size.x, p0.y + size.y}, theme::kText, 8, 0, 2);
        for (const auto& s : m_strokes)
            for (std::size_t i = 1; i < s.size(); ++i)
                dl->AddLine({p0.x + s[i - 1].x, p0.y + s[i - 1].y}, {p0.x + s[i].x, p0.y + s[i].y}, theme::kText, 4);
        ImGui::SameLine();
        ImGui::BeginGroup();
        if (ui.button("clear-signature", ctx.tr("consent.clear"), {sideW, btnH}, Kind::Secondary)) m_strokes.clear();
        const bool signable = !m_strokes.empty() && !m_busy;
        ctx.footer.primary =
            FooterAction{"sign", ctx.tr("consent.agree"), [this, &ctx, size] { submit(ctx, size); }, signable, Kind::Ok, true};
        ctx.footer.back = FooterAction{"logout", ctx.tr("consent.decline"),
                                       [&ctx] {
                                           if (ctx.session.biometricFromMyData) {
                                               // Not now: back to "my data", nothing changed.
                                               ctx.session.biometricFromMyData = false;
                                               ctx.emit(Intent::OpenMyData);
                                           } else {
                                               ctx.emit(Intent::Logout);
                                           }
                                       },
                                       true, Kind::Secondary};
        ImGui::EndGroup();
        if (m_biometricStage && !ctx.session.biometricFromMyData) {
            // The alternative to face recognition, on a row of its own (its label is long): staff compare the
            // person with the document photo.
            if (ui.button("decline-face", ctx.tr("privacy.decline_face"), {w, btnH}, Kind::Secondary, !m_busy)) {
                ctx.session.faceDeclined = true;
                ctx.session.staffPurpose = StaffPurpose::ConfirmIdentity;
                // Recorded for a registered worker now (a new one's with the registration): later visits go to
                // staff without asking again.
                if (ctx.session.worker)
                    ctx.backend.submit(
                        [wid = ctx.session.worker->id, actor = ctx.actor()](Records& r) {
                            return r.center.declineFaceRecognition(wid, actor);
                        },
                        [&ctx](training::Result<void> r) {
                            if (!r) ctx.showError(r.error());
                        });
                ctx.emit(Intent::FaceDeclined);
            }
        }
    }

private:
    void start(Context& ctx) {
        m_strokes.clear();
        m_busy = false;
        m_text.reset();
        if (!m_biometricStage && ctx.session.missingConsents.empty()) {
            ctx.emit(Intent::ConsentsDone);
            return;
        }
        const auto kind = m_biometricStage ? training::ConsentKind::Biometric : ctx.session.missingConsents.front();
        // Reading and parsing the text file is I/O: off the UI thread, like every file and database access.
        ctx.backend.submit([kind](Records&) { return loadConsentText(kind); },
                           [this, &ctx](training::Result<ConsentText> t) {
                               if (!t) {
                                   ctx.showError(t.error());
                                   return;
                               }
                               m_text = std::move(*t);
                               ctx.say("consent.prompt");
                           });
    }
    void submit(Context& ctx, ImVec2 size) {
        if (m_biometricStage) {
            submitBiometric(ctx, size);
            return;
        }
        if (!ctx.session.worker) return;
        m_busy = true;
        const auto kind = ctx.session.missingConsents.front();
        const bool en = ctx.i18n.language() == Language::En;
        const std::string shown = en ? m_text->textEn : m_text->textZh;
        const std::string version = m_text->version + (en ? "/en" : "/zh-CN");
        const int padW = static_cast<int>(size.x), padH = static_cast<int>(size.y);
        const auto wid = ctx.session.worker->id;
        const auto actor = ctx.actor();
        // The signature is rasterised and encoded on the database thread too (milliseconds a frame must not wait).
        ctx.backend.submit(
            [=, strokes = m_strokes](Records& r) -> training::Result<void> {
                const auto png = signaturePng(strokes, padW, padH);
                auto c = r.store.addConsent(wid, kind, version, shown, png, actor);
                if (!c) return std::unexpected(c.error());
                return {};
            },
            [this, &ctx](training::Result<void> r) {
                m_busy = false;
                if (!r) {
                    ctx.showError(r.error());
                    return;
                }
                ctx.session.missingConsents.erase(ctx.session.missingConsents.begin());
                ++m_done;
                start(ctx);
            });
    }

    /// The biometric consent before the camera: a registered worker's is stored now; a first-time worker's is kept
    /// in the session and stored by registration (there is no worker record to attach it to yet).
    void submitBiometric(Context& ctx, ImVec2 size) {
        m_busy = true;
        const bool en = ctx.i18n.language() == Language::En;
        PendingConsent pending{training::ConsentKind::Biometric, m_text->version + (en ? "/en" : "/zh-CN"),
                               en ? m_text->textEn : m_text->textZh, {}};
        const int padW = static_cast<int>(size.x), padH = static_cast<int>(size.y);
        const std::optional<std::int64_t> wid =
            ctx.session.worker ? std::optional(ctx.session.worker->id) : std::nullopt;
        const auto actor = ctx.actor();
        ctx.backend.submit(
            [=, strokes = m_strokes, pending = std::move(pending)](Records& r) mutable -> training::Result<PendingConsent> {
                pending.signaturePng = signaturePng(strokes, padW, padH);
                if (wid)
                    if (auto c = r.store.addConsent(*wid, pending.kind, pending.version, pending.textShown,
                                                    pending.signaturePng, actor);
                        !c)
                        return std::unexpected(c.error());
                return pending;
            },
            [this, &ctx, registered = wid.has_value()](training::Result<PendingConsent> r) {
                m_busy = false;
                if (!r) {
                    ctx.showError(r.error());
                    return;
                }
                if (!registered) ctx.session.pendingBiometric = std::move(*r);
                ctx.session.biometricConsent = true;
                ctx.session.faceDeclined = false;
                if (ctx.session.biometricFromMyData) {
                    // Signed from "my data": the person was verified this visit already; the camera from the next.
                    ctx.session.biometricFromMyData = false;
                    ctx.emit(Intent::OpenMyData);
                    return;
                }
                ctx.emit(Intent::ConsentsDone);  // -> the live photo
            });
    }

    std::optional<ConsentText> m_text;
    bool m_biometricStage{false};
    std::vector<std::vector<ImVec2>> m_strokes;
    bool m_busy{false};
    int m_done{0};
};

}  // namespace

std::unique_ptr<Screen> makeConsentScreen() { return std::make_unique<ConsentScreen>(); }

}  // namespace kiosk::ui
