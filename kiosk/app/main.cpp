// kiosk: the touchscreen app for workers and staff (GLFW + OpenGL 3 + Dear ImGui).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>

#include "kiosk/config.hpp"
#include "training/store.hpp"
#include "ui/app.hpp"

int main(int argc, char** argv) {
    CLI::App app{"kiosk: the home-service badge touchscreen kiosk"};
    std::string db, configFile, window, script;
    bool firstFrame = false;
    int exitAfter = 0;
    app.add_option("--db", db, "center database (default: $KIOSK_DB, else $XDG_DATA_HOME/badge-kiosk/center.db)");
    app.add_option("--config", configFile, "TOML configuration file");
    app.add_option("--window", window, "window size WxH instead of fullscreen");
    app.add_option("--script", script, "run a scripted UI scenario (see kiosk/ui/script.hpp)");
    app.add_flag("--print-first-frame", firstFrame, "print the time to the first rendered frame (benchmarks)");
    app.add_option("--exit-after", exitAfter, "close after this many seconds (benchmarks)");
    CLI11_PARSE(app, argc, argv);

    kiosk::ui::AppOptions options;
    if (!configFile.empty()) {
        auto c = kiosk::loadConfig(configFile);
        if (!c) {
            std::cerr << "kiosk: " << c.error().message << "\n";
            return 1;
        }
        options.config = *c;
    }
    if (!window.empty()) {
        int w = 0, h = 0;
        if (std::sscanf(window.c_str(), "%dx%d", &w, &h) != 2 || w < 640 || h < 480) {
            std::cerr << "kiosk: --window takes WIDTHxHEIGHT, at least 640x480 (e.g. 1280x800)\n";
            return 1;
        }
        options.window = std::pair{w, h};
    }
    options.script = script;
    options.printFirstFrame = firstFrame;
    options.exitAfterSeconds = exitAfter;
    options.databasePath = kiosk::defaultDatabasePath(db.empty() ? options.config.database.path : db);
    auto store = training::Store::open(options.databasePath,
                                       {.create = false, .integrity = training::IntegrityCheck::Always});
    if (!store) {
        std::cerr << "kiosk: " << store.error().message << "\n";
        return training::isUserError(store.error().code) ? 1 : 2;
    }
    return kiosk::ui::runApp(options, std::move(*store));
}
