// kioskctl: the command-line tool for staff and scripts. It links the same libraries as the kiosk.
#include <unistd.h>

#include <cstdlib>
#include <fmt/format.h>
#include <iostream>

#include "context.hpp"
#include "kiosk/config.hpp"

namespace kiosk::ctl {

training::Result<std::unique_ptr<training::Store>> Context::openStore(bool create) const {
    const auto path = defaultDatabasePath(dbPath);
    if (create) {
        std::error_code ec;
        const auto dir = path.parent_path();
        // Only the default location is created on demand; an explicit path's directory must exist.
        if (dbPath.empty() && !dir.empty()) std::filesystem::create_directories(dir, ec);
    }
    return training::Store::open(path, training::StoreOptions{.create = create});
}

int Context::failWith(const training::Error& error) const {
    const int code = training::isUserError(error.code) ? kExitUser : kExitSystem;
    std::cerr << "kioskctl: " << error.message << "\n";
    if (json) {
        nlohmann::json j{{"ok", false},
                         {"error", {{"code", training::errorCodeName(error.code)}, {"message", error.message}}}};
        std::cout << j.dump(2) << "\n";
    }
    return code;
}

int Context::ok(const nlohmann::json& data, const std::string& text) const {
    if (json) std::cout << data.dump(2) << "\n";
    else if (!text.empty()) std::cout << text << (text.ends_with('\n') ? "" : "\n");
    return kExitOk;
}

}  // namespace kiosk::ctl

int main(int argc, char** argv) {
    using namespace kiosk::ctl;
    Context ctx;
    const char* user = std::getenv("USER");
    ctx.actor = fmt::format("kioskctl:{}", user && *user ? user : std::to_string(::getuid()));

    CLI::App app{"kioskctl: manage a home-service badge training center's records"};
    app.set_version_flag("--version", std::string("kioskctl ") + KIOSK_VERSION, "print the package version and exit");
    app.fallthrough();  // global options are accepted before or after the subcommand
    app.require_subcommand(1);
    app.add_option("--db", ctx.dbPath,
                   "center database (default: $KIOSK_DB, else $XDG_DATA_HOME/badge-kiosk/center.db)");
    app.add_flag("--json", ctx.json, "machine-readable output");
    app.add_option("--actor", ctx.actor, "who is acting, as written to the audit log");

    Action action;
    addRecordCommands(app, action);
    addTrainingCommands(app, action);
    addAdminCommands(app, action);
    addIdCommands(app, action);
    addExamCommands(app, action);
    addFaceCommands(app, action);
    addCertCommands(app, action);
    addDocumentCommands(app, action);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "kioskctl: " << e.what() << "\n";
        std::cerr << "kioskctl: run 'kioskctl --help' (or 'kioskctl COMMAND --help') for the usage\n";
        if (ctx.json)
            std::cout << nlohmann::json{{"ok", false}, {"error", {{"code", "usage"}, {"message", e.what()}}}}.dump(2)
                      << "\n";
        return kExitUser;
    }
    if (!action) {
        std::cerr << "kioskctl: choose a subcommand; run 'kioskctl --help'\n";
        return kExitUser;
    }
    return action(ctx);
}
