// Staff PIN: type the staff number on a keypad, then the PIN (the store's lockout applies); nobody's name or role is
// shown to whoever walks up, and an unknown number looks like a wrong PIN. Used to log in, to
// confirm a worker's identity when the face could not be matched (the chip photo and the live portrait side by
// side; confirm or reject, both with the PIN and recorded with the staff member's id), and (admins only) to
// leave the kiosk.
#include <charconv>
#include <utility>

#include "kiosk/roles.hpp"
#include "ui/format.hpp"
#include "ui/lookup.hpp"
#include "ui/screens/common.hpp"
#include "ui/texture.hpp"

namespace kiosk::ui {
namespace {

class StaffPinScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::StaffPin; }
    void enter(Context& ctx) override {
        m_number.clear();
        m_chosen.reset();
        m_pin.clear();
        m_chip.reset();
        m_live.reset();
        m_busy = false;
        if (ctx.session.staffPurpose == StaffPurpose::ConfirmIdentity) loadPhotos(ctx);
        ctx.say("staff.prompt");
    }
    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        const char* title = ctx.session.staffPurpose == StaffPurpose::ConfirmIdentity ? "staff.confirm_title"
                            : ctx.session.staffPurpose == StaffPurpose::Exit          ? "staff.exit_title"
                                                                                      : "staff.title";
        ui.heading(ctx.tr(title));
        const bool confirming = ctx.session.staffPurpose == StaffPurpose::ConfirmIdentity;
        const bool landscape = ImGui::GetContentRegionAvail().x >= kBesideWidth;
        if (confirming) {
            // A typed ID number: neither a name nor whether it is registered is shown before staff confirm.
            ui.text(ctx.session.displayName().empty()
                        ? format(ctx.tr("privacy.confirm_typed"), {maskDocument(ctx.session.documentNumber())})
                        : format(ctx.tr("staff.confirm_who"), {ctx.session.displayName()}));
            drawPhotos(ctx);
            if (landscape) ImGui::SameLine(0, 32);
        }
        ImGui::BeginGroup();
        drawPicker(ctx, confirming);
        ImGui::EndGroup();
        screenActions(ctx, std::exchange(m_back, std::nullopt), std::exchange(m_primary, std::nullopt),
                      std::exchange(m_secondary, std::nullopt));
    }

private:
    /// The document (chip) photo and the live portrait, side by side, for the staff member to compare.
    void drawPhotos(Context& ctx) {
        auto& ui = ctx.ui;
        ImGui::BeginGroup();
        const ImVec2 box{200, 246};
        for (int i = 0; i < 2; ++i) {
            if (i > 0) ImGui::SameLine(0, 16);
            ImGui::BeginGroup();
            const Texture& t = i == 0 ? m_chip : m_live;
            ui.text(ctx.tr(i == 0 ? "staff.chip_photo" : "staff.live_photo"), ui.fonts().small(), theme::kMuted);
            if (t.empty()) {
                const ImVec2 p = ImGui::GetCursorScreenPos();
                ImGui::GetWindowDrawList()->AddRectFilled(p, {p.x + box.x, p.y + box.y}, theme::kSecondary, 8.0f);
                ImGui::Dummy(box);
                ui.text(ctx.tr("staff.no_photo"), ui.fonts().small(), theme::kMuted);
            } else {
                t.draw(box);
            }
            ImGui::EndGroup();
        }
        ImGui::EndGroup();
    }
    void loadPhotos(Context& ctx) {
        ctx.backend.submit(
            [chip = ctx.session.chipPhoto, live = ctx.session.livePortrait](Records&) {
                return std::pair{decodeToRgba(chip), decodeToRgba(live)};
            },
            [this, &ctx](std::pair<std::optional<RgbaImage>, std::optional<RgbaImage>> photos) {
                if (photos.first) m_chip.upload(ctx.textures, *photos.first);
                if (photos.second) m_live.upload(ctx.textures, *photos.second);
            });
    }

    /// The staff number, then the PIN: a field with the keypad beside it in landscape, under it otherwise; the
    /// step's action in the bottom bar (primary), Back bottom left.
    void drawPicker(Context& ctx, bool confirming) {
        auto& ui = ctx.ui;
        ui.text(m_chosen ? format(ctx.tr("staff.pin_for"), {std::to_string(*m_chosen)}) : ctx.tr("staff.pick"),
                nullptr, m_chosen ? theme::kText : theme::kMuted);
        const float avail = ImGui::GetContentRegionAvail().x;
        const bool beside = confirming ? avail >= 760.0f : keypadBeside();
        const float fw = beside ? std::min((avail - 40) * 0.5f, 560.0f) : std::min(avail, 560.0f);
        const float kw = beside ? std::min(avail - fw - 40, 560.0f) : fw;
        std::string& value = m_chosen ? m_pin : m_number;
        ImGui::BeginGroup();
        if (m_chosen)
            hintedField(ui, "pin-field", m_pin, ctx.tr("staff.pin_placeholder"), fw, true);
        else
            hintedField(ui, "staff-number", m_number, ctx.tr("staff.number_placeholder"), fw);
        ImGui::EndGroup();
        if (beside) ImGui::SameLine(0, 40);
        ImGui::BeginGroup();
        ui.keypad(value, m_chosen ? 12 : 6, false, kw);
        ImGui::EndGroup();

        if (!m_chosen) {
            // The staff number on a keypad: no list of names and roles for a passer-by to read.
            std::int64_t id = 0;
            const auto* end = m_number.data() + m_number.size();
            const bool valid = !m_number.empty() && std::from_chars(m_number.data(), end, id).ptr == end && id > 0;
            m_back = FooterAction{"back", ctx.tr("common.back"), [&ctx] { ctx.emit(Intent::Back); }, true,
                                           Kind::Secondary};
            m_primary = FooterAction{"staff-next", ctx.tr("staff.next"), [this, id] { m_chosen = id; }, valid,
                                              Kind::Primary};
            return;
        }
        const bool canSubmit = m_pin.size() >= training::kMinPinDigits && !m_busy;
        // Back to an empty keypad: one staff member's number is not left for whoever comes next.
        m_back = FooterAction{"back", ctx.tr("common.back"),
                                       [this] {
                                           m_chosen.reset();
                                           m_number.clear();
                                           m_pin.clear();
                                       },
                                       true, Kind::Secondary};
        m_primary = FooterAction{"ok", ctx.tr(confirming ? "staff.confirm_same" : "common.ok"),
                                          [this, &ctx] { submit(ctx, false); }, canSubmit, Kind::Primary};
        if (confirming)
            m_secondary = FooterAction{"reject", ctx.tr("staff.reject"), [this, &ctx] { submit(ctx, true); },
                                                canSubmit, Kind::Danger};
    }

    /// Checks the PIN; for an identity check, records the confirmation (or the rejection) with the staff id.
    void submit(Context& ctx, bool reject) {
        m_busy = true;
        const auto staffId = *m_chosen;
        const auto pin = m_pin;
        m_pin.clear();
        const auto purpose = ctx.session.staffPurpose;
        const std::optional<std::int64_t> workerId =
            ctx.session.worker ? std::optional(ctx.session.worker->id) : std::nullopt;
        const std::string typed = workerId ? std::string() : ctx.session.typedNumber;
        auto typedState = std::make_shared<std::optional<WorkerState>>();
        ctx.backend.submit(
            [staffId, pin, purpose, workerId, reject, typed, typedState,
             document = ctx.session.documentNumber()](Records& r) -> training::Result<training::Staff> {
                auto s = r.store.authenticateStaff(staffId, pin);
                if (!s) return s;
                if (purpose == StaffPurpose::ConfirmIdentity && !kiosk::allowed("kiosk confirm-identity", s->role))
                    return training::fail(training::ErrorCode::Refused, "this role may not confirm identities");
                // A typed number is looked up only now that staff stand beside the person.
                if (purpose == StaffPurpose::ConfirmIdentity && !reject && !typed.empty()) {
                    auto found = r.center.identify(typed, center::IdentityMethod::Staff, "staff:" + std::to_string(s->id));
                    if (!found) return std::unexpected(found.error());
                    if (!found->known)
                        return training::fail(training::ErrorCode::NotFound, "the typed number is not registered");
                    *typedState = std::move(*found->known);
                    return s;
                }
                if (purpose == StaffPurpose::ConfirmIdentity && reject) {
                    if (auto m = r.store.recordIdentityRejected(workerId, document, "photo-mismatch",
                                                                "staff:" + std::to_string(s->id));
                        !m)
                        return std::unexpected(m.error());
                    return s;
                }
                if (purpose == StaffPurpose::ConfirmIdentity && workerId)
                    if (auto m = r.store.markIdentityVerified(*workerId, "staff", "staff:" + std::to_string(s->id)); !m)
                        return std::unexpected(m.error());
                return s;
            },
            [this, &ctx, purpose, reject, typed, typedState](training::Result<training::Staff> s) {
                m_busy = false;
                if (!s && !typed.empty() && s.error().code == training::ErrorCode::NotFound) {
                    // Said to staff only, after their PIN: the typed number is not registered.
                    ctx.setError(ctx.tr("identify.unknown"));
                    m_chosen.reset();  // staff tap Back: the person goes back to the start
                    return;
                }
                if (!s) {
                    // The store's message says how many tries are left or until when the account is locked.
                    const char* key = s.error().code == training::ErrorCode::AuthFailed ? "staff.wrong_pin"
                                      : s.error().code == training::ErrorCode::Locked ? "staff.locked"
                                                                                       : nullptr;
                    ctx.setError(key ? ctx.tr(key) + " (" + s.error().message + ")" : s.error().message);
                    return;
                }
                ctx.setError({});
                switch (purpose) {
                    case StaffPurpose::Login:
                        ctx.session.staff = *s;
                        ctx.emit(Intent::StaffIn);
                        break;
                    case StaffPurpose::ConfirmIdentity:
                        if (reject) {
                            ctx.say("staff.rejected");
                            ctx.emit(Intent::Logout);  // nothing about the person is kept
                            break;
                        }
                        if (*typedState) {
                            applyWorkerState(ctx.session, std::move(**typedState));
                            ctx.session.identityMethod = center::IdentityMethod::Staff;
                        }
                        ctx.session.faceConfirmedByStaff = true;
                        ctx.session.confirmingStaffId = s->id;
                        ctx.emit(Intent::StaffIn);
                        break;
                    case StaffPurpose::Exit:
                        if (kiosk::allowed("kiosk exit", s->role)) {
                            ctx.emit(Intent::Quit);
                        } else {
                            ctx.setError(ctx.tr("staff.exit_admin_only"));
                        }
                        break;
                }
            });
    }

    /// Available width from which the keypad stands beside the field (landscape) rather than under it.
    static constexpr float kBesideWidth = 1000.0f;
    Texture m_chip;
    /// The step's actions, set by drawPicker and drawn at the end of the frame's content.
    std::optional<FooterAction> m_back, m_primary, m_secondary;
    Texture m_live;
    std::string m_number;                  ///< the staff number being typed
    std::optional<std::int64_t> m_chosen;  ///< the staff number entered (the PIN step)
    std::string m_pin;
    bool m_busy{false};
};

}  // namespace

std::unique_ptr<Screen> makeStaffPinScreen() { return std::make_unique<StaffPinScreen>(); }

}  // namespace kiosk::ui
