#pragma once
/// @file lookup.hpp
/// @brief Loading what the kiosk needs to know about a worker (on the worker thread).

#include <optional>
#include <string>
#include <vector>

#include "ui/screen.hpp"

namespace kiosk::ui {

/// @brief The worker and what the flow needs to decide the next screens (center::Operations::loadWorkerState).
using WorkerState = center::WorkerState;

/// @brief Identifies by document number: a known worker goes on (Intent::Identified); an unknown one
/// read from a document (@p fromCard) goes on to registration; an unknown typed number is refused.
/// The screen holds the returned handle; when it lets go (it was left), the result is dropped.
[[nodiscard]] JobHandle identifyByDocument(Context& ctx, const std::string& number, std::optional<CardInserted> fromCard);

/// @brief Copies a loaded state into the session.
void applyWorkerState(WorkerSession& session, WorkerState state);

}  // namespace kiosk::ui
