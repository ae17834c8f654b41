#include "ui/lookup.hpp"

#include <algorithm>

#include "devices/id/validity.hpp"

namespace kiosk::ui {

training::Result<WorkerState> loadWorkerState(Records& r, std::int64_t workerId) {
    auto w = r.store.worker(workerId);
    if (!w) return std::unexpected(w.error());
    WorkerState st{*w, {}, std::nullopt, false, false};
    auto consents = r.store.consents(workerId);
    if (!consents) return std::unexpected(consents.error());
    for (auto kind : {training::ConsentKind::Commitment, training::ConsentKind::CreditCheck}) {
        const bool have = std::ranges::any_of(*consents, [&](const training::Consent& c) {
            return c.kind == kind && !c.withdrawnAt.has_value();
        });
        if (!have) st.missingConsents.push_back(kind);
    }
    // The biometric consent is asked before the camera, separately (PIPL art. 29), not with the others.
    for (const auto& c : *consents)
        if (c.kind == training::ConsentKind::Biometric) {
            st.biometricConsent = !c.withdrawnAt.has_value();  // the latest one counts
            st.biometricWithdrawn = c.withdrawnAt.has_value();
        }
    auto sittings = r.exams.listSittings();
    if (!sittings) return std::unexpected(sittings.error());
    for (const auto& s : *sittings) {
        if (s.state != training::SittingState::Open && s.state != training::SittingState::Paused) continue;
        auto cands = r.exams.candidates(s.id);
        if (cands && std::ranges::find(*cands, workerId) != cands->end()) {
            st.openSitting = s.id;
            break;
        }
    }
    return st;
}

void applyWorkerState(WorkerSession& session, WorkerState state) {
    session.worker = std::move(state.worker);
    session.newIdentity.reset();
    session.missingConsents = std::move(state.missingConsents);
    session.sittingId = state.openSitting;
    session.biometricConsent = state.biometricConsent || session.pendingBiometric.has_value();
    if (state.biometricWithdrawn && !state.biometricConsent) session.faceDeclined = true;
}

void identifyByDocument(Context& ctx, const std::string& number, std::optional<CardInserted> fromCard) {
    if (!fromCard) {
        // Minimisation: a typed number says nothing (registered or not, whose) before staff confirm the person.
        ctx.session.typedNumber = number;
        ctx.session.identityMethod = "keypad";
        ctx.session.staffPurpose = StaffPurpose::ConfirmIdentity;
        ctx.emit(Intent::NeedStaff);
        return;
    }
    // Valid documents only: an expired or not yet valid document verifies nobody's identity.
    const auto& doc = fromCard->identity;
    switch (devices::id::documentValidity(doc.idValidFrom, doc.idValidUntil, devices::id::localToday())) {
        case devices::id::DocumentValidity::Expired:
            ctx.setError(format(ctx.tr("privacy.document_expired"), {doc.idValidUntil.value_or("?")}));
            ctx.say("privacy.document_expired_say");
            return;
        case devices::id::DocumentValidity::NotYetValid:
            ctx.setError(format(ctx.tr("privacy.document_not_yet_valid"), {doc.idValidFrom.value_or("?")}));
            ctx.say("privacy.document_expired_say");
            return;
        case devices::id::DocumentValidity::Valid: break;
    }
    const std::string actor = ctx.actor();
    const bool viaCard = fromCard.has_value();
    // Copied before the call: the continuation below takes fromCard by move, and the two arguments of
    // submit() are evaluated in an unspecified order.
    std::string method = viaCard ? fromCard->method : std::string("keypad");
    ctx.backend.submit(
        [number, viaCard, method = std::move(method), actor](Records& r) -> training::Result<std::optional<WorkerState>> {
            auto w = r.store.findWorkerByDocument(number);
            if (!w) {
                if (w.error().code == training::ErrorCode::NotFound) return std::optional<WorkerState>{};
                return std::unexpected(w.error());
            }
            if (viaCard)
                if (auto m = r.store.markIdentityVerified(w->id, method, actor); !m) return std::unexpected(m.error());
            auto st = loadWorkerState(r, w->id);
            if (!st) return std::unexpected(st.error());
            return std::optional<WorkerState>{std::move(*st)};
        },
        [&ctx, fromCard = std::move(fromCard)](training::Result<std::optional<WorkerState>> res) mutable {
            if (!res) {
                ctx.setError(res.error().message);
                return;
            }
            if (*res) {
                applyWorkerState(ctx.session, std::move(**res));
                ctx.session.identityMethod = fromCard ? fromCard->method : "keypad";
                if (fromCard) ctx.session.chipPhoto = std::move(fromCard->chipPhoto);
                if (ctx.session.faceDeclined) ctx.session.staffPurpose = StaffPurpose::ConfirmIdentity;
                ctx.emit(Intent::Identified);
            } else if (fromCard) {
                ctx.session.worker.reset();
                ctx.session.newIdentity = fromCard->identity;
                ctx.session.chipPhoto = std::move(fromCard->chipPhoto);
                ctx.session.identityMethod = fromCard->method;
                ctx.session.missingConsents = {training::ConsentKind::Commitment, training::ConsentKind::CreditCheck};
                ctx.session.biometricConsent = false;  // asked next, before the camera
                ctx.emit(Intent::Identified);
            } else {
                ctx.setError(ctx.tr("identify.unknown"));
            }
        });
}

}  // namespace kiosk::ui
