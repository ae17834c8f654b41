#pragma once
/// @file app.hpp
/// @brief The kiosk's window: GLFW, OpenGL 3 and the ImGui backends around the frame loop core (ui/core.hpp).

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "kiosk/config.hpp"
#include "training/store.hpp"

namespace kiosk::app {

/// @brief Start-up options (command line over configuration).
struct AppOptions {
    Config config;
    std::filesystem::path databasePath;
    std::optional<std::pair<int, int>> window;  ///< WxH window instead of fullscreen.
    std::filesystem::path script;                ///< Scripted scenario to run.
    bool printFirstFrame{false};                 ///< Print the time to the first rendered frame (benchmarks).
    int exitAfterSeconds{0};                     ///< Close after this many seconds (benchmarks).
};

/// @brief Runs the kiosk until it is closed; returns the process exit status
/// (0 normal, 1 start-up problem, 3 script failure).
[[nodiscard]] int runApp(const AppOptions& options, std::unique_ptr<training::Store> store);

}  // namespace kiosk::app
