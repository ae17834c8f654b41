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

/// @brief Identifies by a document read (@p fromCard): an expired or not yet valid document is refused with its dates;
/// a known worker goes on (Intent::Identified); an unknown one goes on to the biometric consent, the live photo and
/// registration. A typed number (no @p fromCard) is not looked up here: staff confirm the person first, and only
/// then is it said whether the number is registered (the staff PIN screen looks it up).
/// The screen holds the returned handle; when it lets go (it was left), the result is dropped (an empty handle
/// when nothing was looked up).
[[nodiscard]] JobHandle identifyByDocument(Context& ctx, const std::string& number, std::optional<CardInserted> fromCard);

/// @brief Copies a loaded state into the session.
void applyWorkerState(WorkerSession& session, WorkerState state);

}  // namespace kiosk::ui
