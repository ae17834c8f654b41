// Live photo: camera preview, quality guidance, auto-capture and 1:1 match against the chip photo.
#include "ui/screens/common.hpp"

namespace kiosk::ui {
namespace {

class PhotoScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::Photo; }
    void enter(Context& ctx) override {
        if (ctx.session.faceConfirmedByStaff) {
            ctx.emit(Intent::PhotoDone);
            return;
        }
        ctx.say(ctx.devices.camera ? "photo.prompt" : "photo.no_camera");
    }
    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        ui.heading(ctx.tr("photo.title"));
        ui.text(format(ctx.tr("photo.hello"), {ctx.session.displayName()}), ui.fonts().large());
        const std::string doc = ctx.session.worker ? ctx.session.worker->identity.docNumber
                                : ctx.session.newIdentity ? ctx.session.newIdentity->docNumber
                                                          : std::string();
        ui.text(format(ctx.tr("photo.document"), {maskDocument(doc)}), nullptr, theme::kMuted);
        ImGui::Dummy({0, 20});
        if (!ctx.devices.camera) {
            ui.notice(ctx.tr("photo.no_camera"));
        } else {
            // Integration point: the camera preview texture, face box, quality instruction, auto-capture
            // and verifyFaces() against session.chipPhoto run here once devices/face is wired into the
            // kiosk (FaceCaptured events). Until then staff confirm the identity.
            ui.notice(ctx.tr("photo.pending"));
        }
        if (ctx.session.chipPhoto.empty()) ui.text(ctx.tr("photo.no_chip_photo"), nullptr, theme::kMuted);
        ImGui::Dummy({0, 20});
        if (ui.button("call-staff", ctx.tr("photo.call_staff"), {520, 96})) {
            ctx.session.staffPurpose = StaffPurpose::ConfirmIdentity;
            ctx.emit(Intent::NeedStaff);
        }
        ImGui::Dummy({0, 20});
        workerNav(ctx, false);
    }
};

}  // namespace

std::unique_ptr<Screen> makePhotoScreen() { return std::make_unique<PhotoScreen>(); }

}  // namespace kiosk::ui
