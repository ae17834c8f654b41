#include "ui/lookup.hpp"

namespace kiosk::ui {

void applyWorkerState(WorkerSession& session, WorkerState state) {
    session.worker = std::move(state.worker);
    session.newIdentity.reset();
    session.missingConsents = std::move(state.missingConsents);
    session.sittingId = state.openSitting;
}

JobHandle identifyByDocument(Context& ctx, const std::string& number, std::optional<CardInserted> fromCard) {
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
                ctx.emit(Intent::Identified);
            } else if (fromCard) {
                ctx.session.worker.reset();
                ctx.session.newIdentity = fromCard->identity;
                ctx.session.chipPhoto = std::move(fromCard->chipPhoto);
                ctx.session.identityMethod =
                    center::identityMethodFromName(fromCard->method).value_or(center::IdentityMethod::Chip);
                ctx.session.missingConsents = std::move(res->requiredConsents);
                ctx.emit(Intent::Identified);
            } else {
                ctx.setError(ctx.tr("identify.unknown"));
            }
        });
}

}  // namespace kiosk::ui
