#include "ui/lookup.hpp"

#include <algorithm>

namespace kiosk::ui {

training::Result<WorkerState> loadWorkerState(Records& r, std::int64_t workerId) {
    auto w = r.store.worker(workerId);
    if (!w) return std::unexpected(w.error());
    WorkerState st{*w, {}, std::nullopt};
    auto consents = r.store.consents(workerId);
    if (!consents) return std::unexpected(consents.error());
    for (auto kind : {training::ConsentKind::Commitment, training::ConsentKind::CreditCheck,
                      training::ConsentKind::Biometric}) {
        const bool have = std::ranges::any_of(*consents, [&](const training::Consent& c) {
            return c.kind == kind && !c.withdrawnAt.has_value();
        });
        if (!have) st.missingConsents.push_back(kind);
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
}

void identifyByDocument(Context& ctx, const std::string& number, std::optional<CardInserted> fromCard) {
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
                ctx.emit(Intent::Identified);
            } else if (fromCard) {
                ctx.session.worker.reset();
                ctx.session.newIdentity = fromCard->identity;
                ctx.session.chipPhoto = std::move(fromCard->chipPhoto);
                ctx.session.identityMethod = fromCard->method;
                ctx.session.missingConsents = {training::ConsentKind::Commitment, training::ConsentKind::CreditCheck,
                                               training::ConsentKind::Biometric};
                ctx.emit(Intent::Identified);
            } else {
                ctx.setError(ctx.tr("identify.unknown"));
            }
        });
}

}  // namespace kiosk::ui
