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
    std::vector<training::ConsentKind> missingConsents;
    std::optional<std::int64_t> openSitting;  ///< An open or paused sitting the worker is a candidate of.
};

/// @brief Reads the worker, the consents still to sign and an exam sitting open for them.
[[nodiscard]] training::Result<WorkerState> loadWorkerState(Records& r, std::int64_t workerId);

/// @brief Identifies by document number: a known worker goes on (Intent::Identified); an unknown one
/// read from a document (@p fromCard) goes on to registration; an unknown typed number is refused.
void identifyByDocument(Context& ctx, const std::string& number, std::optional<CardInserted> fromCard);

/// @brief Copies a loaded state into the session.
void applyWorkerState(WorkerSession& session, WorkerState state);

}  // namespace kiosk::ui
