#include "ui/lookup.hpp"

#include "devices/id/validity.hpp"

namespace kiosk::ui {

void applyWorkerState(WorkerSession& session, WorkerState state) {
    session.worker = std::move(state.worker);
    session.newIdentity.reset();
    session.missingConsents = std::move(state.missingConsents);
    session.sittingId = state.openSitting;
    session.biometricConsent = state.biometricConsent || session.pendingBiometric.has_value();
    // Withdrawn earlier, or declined on an earlier visit: staff verify the person, the consent is not asked again
    // (the worker can still sign it at "my data").
    if ((state.biometricWithdrawn || state.biometricDeclined) && !state.biometricConsent) session.faceDeclined = true;
}

JobHandle identifyByDocument(Context& ctx, const std::string& number, std::optional<CardInserted> fromCard) {
    if (!fromCard) {
        // Minimisation: a typed number says nothing (registered or not, whose) before staff confirm the person.
        ctx.session.typedNumber = number;
        ctx.session.identityMethod = center::IdentityMethod::Keypad;
        ctx.session.staffPurpose = StaffPurpose::ConfirmIdentity;
        ctx.emit(Intent::NeedStaff);
        return {};
    }
    // Valid documents only: an expired or not yet valid document verifies nobody's identity.
    const auto& doc = fromCard->identity;
    switch (devices::id::documentValidity(doc.idValidFrom, doc.idValidUntil, devices::id::localToday())) {
        case devices::id::DocumentValidity::Expired:
            ctx.setError(format(ctx.tr("privacy.document_expired"), {doc.idValidUntil.value_or("?")}));
            ctx.say("privacy.document_expired_say");
            return {};
        case devices::id::DocumentValidity::NotYetValid:
            ctx.setError(format(ctx.tr("privacy.document_not_yet_valid"), {doc.idValidFrom.value_or("?")}));
            ctx.say("privacy.document_expired_say");
            return {};
        case devices::id::DocumentValidity::Valid: break;
    }
    const std::string actor = ctx.actor();
    // Copied before the call: the continuation below takes fromCard by move, and the two arguments of
    // submit() are evaluated in an unspecified order.
    const std::optional<center::IdentityMethod> readFrom =
        fromCard ? center::identityMethodFromName(fromCard->method) : std::nullopt;
    return ctx.backend.start(
        [number, readFrom, actor](Records& r) { return r.center.identify(number, readFrom, actor); },
        [&ctx, fromCard = std::move(fromCard)](training::Result<center::Identification> res) mutable {
            if (!res) {
                ctx.showError(res.error());
                return;
            }
            if (res->known) {
                applyWorkerState(ctx.session, std::move(*res->known));
                ctx.session.identityMethod = fromCard ? center::identityMethodFromName(fromCard->method).value_or(
                                                           center::IdentityMethod::Chip)
                                                     : center::IdentityMethod::Keypad;
                if (fromCard) ctx.session.chipPhoto = std::move(fromCard->chipPhoto);
                if (ctx.session.faceDeclined) ctx.session.staffPurpose = StaffPurpose::ConfirmIdentity;
                ctx.emit(Intent::Identified);
            } else if (fromCard) {
                ctx.session.worker.reset();
                ctx.session.newIdentity = fromCard->identity;
                ctx.session.chipPhoto = std::move(fromCard->chipPhoto);
                ctx.session.identityMethod =
                    center::identityMethodFromName(fromCard->method).value_or(center::IdentityMethod::Chip);
                ctx.session.missingConsents = std::move(res->requiredConsents);
                ctx.session.biometricConsent = false;  // asked next, before the camera
                ctx.emit(Intent::Identified);
            } else {
                ctx.setError(ctx.tr("identify.unknown"));
            }
        });
}

}  // namespace kiosk::ui
