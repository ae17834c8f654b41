#pragma once
/// @file lookup.hpp
/// @brief Loading what the kiosk needs to know about a worker (on the worker thread).

#include <optional>
#include <string>
#include <vector>

#include "ui/screen.hpp"

namespace kiosk::ui {

/// @brief The worker and what the flow needs to decide the next screens.
struct WorkerState {
    training::Worker worker;
    std::vector<training::ConsentKind> missingConsents;  ///< Signed after registration (not the biometric consent).
    std::optional<std::int64_t> openSitting;  ///< An open or paused sitting the worker is a candidate of.
    bool biometricConsent{false};    ///< A biometric consent in force: the camera may be used.
    bool biometricWithdrawn{false};  ///< Withdrawn and not signed again: identity checks go through staff.
};

/// @brief Reads the worker, the consents still to sign and an exam sitting open for them.
[[nodiscard]] training::Result<WorkerState> loadWorkerState(Records& r, std::int64_t workerId);

/// @brief Identifies by a document read (@p fromCard): an expired or not yet valid document is refused with its dates;
/// a known worker goes on (Intent::Identified); an unknown one goes on to the biometric consent, the live photo and
/// registration. A typed number (no @p fromCard) is not looked up here: staff confirm the person first, and only
/// then is it said whether the number is registered (the staff PIN screen looks it up).
void identifyByDocument(Context& ctx, const std::string& number, std::optional<CardInserted> fromCard);

/// @brief Copies a loaded state into the session.
void applyWorkerState(WorkerSession& session, WorkerState state);

}  // namespace kiosk::ui
