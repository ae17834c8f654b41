// Registration on the first visit: phone, service types, education, agency.
#include <algorithm>

#include "training/catalogs.hpp"
#include "ui/format.hpp"
#include "ui/lookup.hpp"
#include "ui/screens/common.hpp"

namespace kiosk::ui {
namespace {

class RegisterScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::Register; }
    void enter(Context& ctx) override {
        m_step = 0;
        m_busy = false;
        m_phone.clear();
        m_services.clear();
        m_education.clear();
        m_agency.reset();
        m_agencies.clear();
        if (const auto& w = ctx.session.worker) {
            m_phone = w->profile.phone.value_or("");
            if (w->profile.serviceTypes) m_services = *w->profile.serviceTypes;
            m_education = w->profile.education.value_or("");
            m_agency = w->profile.agencyId;
        }
        ctx.backend.submit([](Records& r) { return r.store.listAgencies(); },
                           [this, &ctx](training::Result<std::vector<training::Agency>> a) {
                               if (!a) {
                                   ctx.showError(a.error());
                                   return;
                               }
                               m_agencies = std::move(*a);
                           });
        ctx.say("register.phone");
    }
    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        ui.heading(format(ctx.tr("register.title"), {ctx.session.displayName()}));
        ui.text(format(ctx.tr("register.step"), {std::to_string(m_step + 1), "4"}), nullptr, theme::kMuted);
        bool canNext = false;
        const float w = ImGui::GetContentRegionAvail().x;
        ImGui::BeginGroup();
        switch (m_step) {
            case 0: {
                ui.text(ctx.tr("register.phone"));
                // The keypad beside the field in landscape, under it otherwise.
                const bool beside = keypadBeside();
                const float fw = beside ? std::min((w - 40) * 0.5f, 560.0f) : std::min(w, 560.0f);
                const float kw = beside ? std::min(w - fw - 40, 560.0f) : fw;
                ImGui::BeginGroup();
                hintedField(ui, "phone-field", m_phone, ctx.tr("register.phone_placeholder"), fw);
                ImGui::EndGroup();
                if (beside) ImGui::SameLine(0, 40);
                ImGui::BeginGroup();
                ui.keypad(m_phone, 11, false, kw);
                ImGui::EndGroup();
                canNext = m_phone.size() == 11 && m_phone[0] == '1';
                break;
            }
            case 1: {
                ui.text(ctx.tr("register.services"));
                int i = 0;
                for (const auto& e : training::serviceTypes()) {
                    const std::string code{e.code};
                    const bool on = std::ranges::find(m_services, code) != m_services.end();
                    if (i % 3 != 0) ImGui::SameLine();
                    ImGui::PushID(i++);
                    const std::string label = std::string(on ? "\xE2\x88\x9A " : "") +
                                              std::string(ctx.i18n.language() == Language::En ? e.en : e.zh);
                    if (ui.button("svc-" + code, label, {(w - 32) / 3, 0}, on ? Kind::Selected : Kind::Secondary)) {
                        if (on)
                            std::erase(m_services, code);
                        else
                            m_services.push_back(code);
                    }
                    ImGui::PopID();
                }
                canNext = !m_services.empty();
                break;
            }
            case 2: {
                ui.text(ctx.tr("register.education"));
                int i = 0;
                for (const auto& e : training::educationLevels()) {
                    const std::string code{e.code};
                    if (i % 3 != 0) ImGui::SameLine();
                    ImGui::PushID(i++);
                    const bool on = m_education == code;
                    const std::string label = std::string(on ? "\xE2\x88\x9A " : "") +
                                              std::string(ctx.i18n.language() == Language::En ? e.en : e.zh);
                    if (ui.button("edu-" + code, label, {(w - 32) / 3, 0}, on ? Kind::Selected : Kind::Secondary))
                        m_education = code;
                    ImGui::PopID();
                }
                canNext = !m_education.empty();
                break;
            }
            case 3: {
                ui.text(ctx.tr("register.agency"));
                for (const auto& a : m_agencies) {
                    ImGui::PushID(static_cast<int>(a.id));
                    const bool on = m_agency == a.id;
                    if (ui.button("agency-" + std::to_string(a.id), std::string(on ? "\xE2\x88\x9A " : "") + a.name,
                                  {w, 0}, on ? Kind::Selected : Kind::Secondary))
                        m_agency = a.id;
                    ImGui::PopID();
                }
                const bool none = !m_agency;
                if (ui.button("agency-none", std::string(none ? "\xE2\x88\x9A " : "") + ctx.tr("register.no_agency"),
                              {w, 0}, none ? Kind::Selected : Kind::Secondary))
                    m_agency.reset();
                canNext = true;
                break;
            }
            default: break;
        }
        ImGui::EndGroup();
        // Back bottom left (one step back, or away on the first), next / save bottom right.
        const FooterAction back{"back", ctx.tr("common.back"),
                                       [this, &ctx] {
                                           if (m_step > 0)
                                               --m_step;
                                           else
                                               ctx.emit(Intent::Logout);
                                       },
                                       true, Kind::Secondary};
        const bool last = m_step == 3;
        const FooterAction next{"next", ctx.tr(last ? "register.save" : "common.next"),
                                          [this, &ctx, last] {
                                              if (last) {
                                                  save(ctx);
                                                  return;
                                              }
                                              ++m_step;
                                              static constexpr const char* kSay[] = {
                                                  "register.phone", "register.services", "register.education",
                                                  "register.agency"};
                                              ctx.say(kSay[m_step]);
                                          },
                                          canNext && !m_busy, Kind::Primary};
        screenActions(ctx, back, next);
    }

private:
    void save(Context& ctx) {
        m_busy = true;
        training::WorkerProfile p;
        p.phone = m_phone;
        p.serviceTypes = m_services;
        p.education = m_education;
        p.agencyId = m_agency;
        const auto existing = ctx.session.worker ? std::optional(ctx.session.worker->id) : std::nullopt;
        std::optional<center::Registration> reg;
        if (!existing && ctx.session.newIdentity)
            reg = center::Registration{*ctx.session.newIdentity,       p,
                                       ctx.session.identityMethod,      ctx.session.confirmingStaffId,
                                       ctx.session.faceScore,           ctx.config.enrolment.walkIn,
                                       ctx.session.pendingBiometric,    ctx.session.livePortrait,
                                       ctx.session.faceDeclined};
        ctx.backend.submit(
            [existing, reg = std::move(reg), p, actor = ctx.actor()](Records& r) -> training::Result<WorkerState> {
                if (existing) return r.center.updateProfile(*existing, p, actor);
                if (reg) return r.center.registerWorker(*reg, actor);
                return std::unexpected(training::Error{training::ErrorCode::InvalidInput,
                                                       "no identity to register; read the document again"});
            },
            [this, &ctx](training::Result<WorkerState> st) {
                m_busy = false;
                if (!st) {
                    ctx.showError(st.error());
                    return;
                }
                ctx.session.pendingBiometric.reset();  // stored with the worker now
                applyWorkerState(ctx.session, std::move(*st));
                ctx.emit(Intent::Registered);
            });
    }

    int m_step{0};
    bool m_busy{false};
    std::string m_phone;
    std::vector<std::string> m_services;
    std::string m_education;
    std::optional<std::int64_t> m_agency;
    std::vector<training::Agency> m_agencies;
};

}  // namespace

std::unique_ptr<Screen> makeRegisterScreen() { return std::make_unique<RegisterScreen>(); }

}  // namespace kiosk::ui
