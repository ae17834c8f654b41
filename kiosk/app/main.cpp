// kiosk: the touchscreen app. This build checks the configuration and the database the kiosk would run
// on; the touchscreen screens are built in the kiosk issue.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <iostream>

#include "kiosk/config.hpp"
#include "training/store.hpp"

int main(int argc, char** argv) {
    CLI::App app{"kiosk: the home-service badge touchscreen kiosk"};
    std::string db, configFile, window, script;
    app.add_option("--db", db, "center database (default: $KIOSK_DB, else $XDG_DATA_HOME/badge-kiosk/center.db)");
    app.add_option("--config", configFile, "TOML configuration file");
    app.add_option("--window", window, "window size WxH instead of fullscreen");
    app.add_option("--script", script, "run a scripted UI scenario");
    CLI11_PARSE(app, argc, argv);

    kiosk::Config config;
    if (!configFile.empty()) {
        auto c = kiosk::loadConfig(configFile);
        if (!c) {
            std::cerr << "kiosk: " << c.error().message << "\n";
            return 1;
        }
        config = *c;
    }
    const auto path = kiosk::defaultDatabasePath(db.empty() ? config.database.path : db);
    auto store = training::Store::open(path, {.create = false, .integrity = training::IntegrityCheck::Always});
    if (!store) {
        std::cerr << "kiosk: " << store.error().message << "\n";
        return training::isUserError(store.error().code) ? 1 : 2;
    }
    auto center = (*store)->center();
    if (!center) {
        std::cerr << "kiosk: " << center.error().message << "\n";
        return 1;
    }
    std::cout << fmt::format("kiosk: center '{}' ({}), database {} (schema {}), language {}\n", center->name,
                             center->code, path.string(), (*store)->schemaVersion(), config.ui.language);
    std::cout << "kiosk: the touchscreen user interface is not part of this build yet; use kioskctl\n";
    return 0;
}
