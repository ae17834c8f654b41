// kiosk: the touchscreen app for workers and staff (GLFW + OpenGL 3 + Dear ImGui).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "kiosk/config.hpp"
#include "kiosk/service.hpp"
#include "training/store.hpp"
#include "app/app.hpp"

int main(int argc, char** argv) {
    CLI::App app{"kiosk: the home-service badge touchscreen kiosk"};
    app.set_version_flag("--version", std::string("kiosk ") + KIOSK_VERSION, "print the package version and exit");
    std::string db, configFile, window, script;
    bool firstFrame = false;
    int exitAfter = 0;
    app.add_option("--db", db,
                   "center database: a file (SQLite) or a postgresql:// connection URI (default: the configuration's "
                   "[database] path, else $KIOSK_DB, else $XDG_DATA_HOME/badge-kiosk/center.db)");
    app.add_option("--config", configFile, "TOML configuration file");
    app.add_option("--window", window, "window size WxH instead of fullscreen");
    app.add_option("--script", script, "run a scripted UI scenario (see kiosk/ui/script.hpp)");
    app.add_flag("--print-first-frame", firstFrame, "print the time to the first rendered frame (benchmarks)");
    app.add_option("--exit-after", exitAfter, "close after this many seconds (benchmarks)");
    CLI11_PARSE(app, argc, argv);
    // SIGINT (Ctrl-C) and SIGTERM (systemctl stop) end the frame loop; the kiosk then finishes its database
    // work and exits 0.
    kiosk::installStopSignals();

    kiosk::app::AppOptions options;
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
    const int status = kiosk::app::runApp(options, std::move(*store));
    // The appliance session (packaging/systemd/badge-kiosk.service) restarts the kiosk whenever it ends; when
    // staff end it on purpose (the admin exit: status 0 without a stop signal), the marker file tells the
    // unit's start condition to stay down once, so a technician can work on the machine.
    if (const char* marker = std::getenv("KIOSK_ADMIN_EXIT_FILE");
        marker && *marker && status == 0 && !kiosk::stopRequested()) {
        if (std::FILE* f = std::fopen(marker, "w")) std::fclose(f);
        else std::cerr << "kiosk: could not write the admin-exit marker " << marker << "\n";
    }
    return status;
}
