// kioskctl: the command-line tool for staff and scripts. It links the same libraries as the kiosk.
#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fmt/format.h>
#include <iostream>

#include "context.hpp"
#include "kiosk/config.hpp"
#include "kiosk/roles.hpp"

namespace kiosk::ctl {

training::Result<std::unique_ptr<training::Store>> Context::openStore(bool create) const {
    const auto path = defaultDatabasePath(dbPath);
    if (create && !training::isPostgresUri(path.native())) {
        const auto dir = path.parent_path();
        // Only the default location is created on demand (owner only); an explicit path's directory must exist.
        // ($KIOSK_DB may be a URI: a server's database has no folder here.)
        if (dbPath.empty() && !dir.empty())
            if (auto r = training::createPrivateDirectory(dir); !r) return std::unexpected(r.error());
    }
    return training::Store::open(path, training::StoreOptions{.create = create});
}

center::CenterPaths Context::paths() const {
    return center::CenterPaths::forDatabase(defaultDatabasePath(dbPath), centerDir);
}

training::Result<OpenCenter> openCenter(const Context& ctx, bool create, const std::filesystem::path& templates) {
    auto store = ctx.openStore(create);
    if (!store) return std::unexpected(store.error());
    OpenCenter c{std::move(*store), nullptr};
    auto paths = ctx.paths();
    paths.templates = templates;
    c.ops = std::make_unique<center::Operations>(*c.store, std::move(paths));
    c.ops->setPassphraseSource(centerKeyPassphrase());
    return c;
}

int exitCodeFor(training::ErrorCode code) noexcept { return training::isUserError(code) ? kExitUser : kExitSystem; }

int exitCodeFor(devices::ErrorCode code) noexcept {
    switch (code) {
        case devices::ErrorCode::InvalidInput:
        case devices::ErrorCode::Malformed:
        case devices::ErrorCode::NoCard:
        case devices::ErrorCode::CardRemoved:
        case devices::ErrorCode::AccessDenied:
        case devices::ErrorCode::CardError:
        case devices::ErrorCode::Integrity:
        case devices::ErrorCode::Unsupported: return kExitUser;
        case devices::ErrorCode::NotAvailable:
        case devices::ErrorCode::NoReader:
        case devices::ErrorCode::Timeout:
        case devices::ErrorCode::Busy:
        case devices::ErrorCode::Cancelled:
        case devices::ErrorCode::Internal:
        case devices::ErrorCode::Disconnected: return kExitSystem;
    }
    return kExitSystem;
}

int Context::failWith(const devices::Error& error, std::optional<bool> userFault) const {
    std::cerr << "kioskctl: " << error.message << "\n";
    if (json)
        std::cout << nlohmann::json{{"ok", false},
                                    {"error", {{"code", devices::errorCodeName(error.code)}, {"message", error.message}}}}
                         .dump(2)
                  << "\n";
    if (userFault) return *userFault ? kExitUser : kExitSystem;
    return exitCodeFor(error.code);
}

int Context::failWith(const training::Error& error) const {
    const int code = exitCodeFor(error.code);
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

namespace {

/// "kioskctl staff add" for the subcommands chosen on the command line.
std::string commandPath(CLI::App& app) {
    std::string path = "kioskctl";
    CLI::App* cur = &app;
    for (auto subs = cur->get_subcommands(); !subs.empty(); subs = cur->get_subcommands()) {
        cur = subs.front();
        path += " " + cur->get_name();
    }
    return path;
}

}  // namespace

std::optional<std::string> readHidden(const std::string& prompt, std::size_t maxLength) {
    const int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (tty < 0) return std::nullopt;
    (void)!::write(tty, prompt.data(), prompt.size());
    termios old{};
    const bool isTerm = ::tcgetattr(tty, &old) == 0;
    if (isTerm) {
        termios quiet = old;
        quiet.c_lflag &= static_cast<tcflag_t>(~(ECHO | ECHONL));
        ::tcsetattr(tty, TCSAFLUSH, &quiet);
    }
    std::string line;
    char c = 0;
    while (::read(tty, &c, 1) == 1 && c != '\n' && c != '\r' && line.size() < maxLength) line.push_back(c);
    if (isTerm) ::tcsetattr(tty, TCSAFLUSH, &old);
    (void)!::write(tty, "\n", 1);
    ::close(tty);
    return line;
}

// The PIN: $KIOSK_STAFF_PIN, else typed on the terminal without echo; never a command-line argument (it would
// show in `ps`).
training::Result<std::string> readStaffPin(std::int64_t staffId) {
    if (const char* env = std::getenv("KIOSK_STAFF_PIN"); env && *env) return std::string(env);
    auto pin = readHidden(fmt::format("PIN of staff {}: ", staffId), 64);
    if (!pin)
        return training::fail(training::ErrorCode::AuthFailed,
                              "no PIN: set KIOSK_STAFF_PIN, or run kioskctl on a terminal to type it");
    return std::move(*pin);
}

namespace {

/// A scheduled job of the appliance (the daily backup and purge, run by systemd as the service account): only the
/// commands the role table marks as system jobs, and only by the operating-system account that owns the center
/// database file, which can read every record anyway (the file is the owner's alone). On a PostgreSQL URI the
/// connection's credentials are that authority. The audit actor is "system:NAME".
training::Result<void> signInSystemJob(Context& ctx, const std::string& path, const kiosk::Permission& rule) {
    if (ctx.staffId)
        return training::fail(training::ErrorCode::InvalidInput,
                              "give either --staff (a person) or --system-job (a scheduled job), not both");
    const bool validName = ctx.systemJob.size() <= 32 && std::ranges::all_of(ctx.systemJob, [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
    if (!validName)
        return training::fail(training::ErrorCode::InvalidInput,
                              fmt::format("the system job name '{}' must be 1 to 32 lower-case letters, digits and "
                                          "'-' (e.g. daily-backup)",
                                          ctx.systemJob));
    if (!rule.systemJob)
        return training::fail(training::ErrorCode::Refused,
                              fmt::format("'{}' is not a scheduled job's command (only backup and privacy purge are); a "
                                          "staff member runs it with --staff",
                                          path));
    const auto db = defaultDatabasePath(ctx.dbPath);
    if (!training::isPostgresUri(db.string())) {
        struct stat st {};
        if (::stat(db.c_str(), &st) != 0 || st.st_uid != ::geteuid())
            return training::fail(training::ErrorCode::AuthFailed,
                                  fmt::format("a system job runs as the account that owns the center database {} (the "
                                              "service account); this is uid {}: run it as that account, or as a "
                                              "staff member with --staff",
                                              db.string(), ::geteuid()));
    }
    ctx.actor = "system:" + ctx.systemJob;
    return {};
}

/// Signs in the staff member of --staff and checks the role matrix for @p path; the audit actor becomes "staff:ID".
/// Open commands run without anyone signed in.
training::Result<void> signIn(Context& ctx, const std::string& path) {
    const auto rule = kiosk::findPermission(path);
    if (!rule)
        return training::fail(training::ErrorCode::Refused,
                              fmt::format("'{}' has no row in the role table (kiosk/src/roles.cpp); it is refused", path));
    if (rule->roles == 0) return {};  // open: read-only, no personal data (--staff is not needed, nor checked)
    // A missing or damaged database is reported as such (with what to do), before anyone is asked to sign in.
    auto store = ctx.openStore();
    if (!store) return std::unexpected(store.error());
    if (!ctx.systemJob.empty()) return signInSystemJob(ctx, path, *rule);
    if (!ctx.staffId) {
        return training::fail(training::ErrorCode::AuthFailed,
                              fmt::format("'{}' needs a signed-in staff member ({}): run 'kioskctl --staff ID {}' with "
                                          "the PIN in KIOSK_STAFF_PIN or typed when asked",
                                          path, kiosk::rolesText(rule->roles), path.substr(9)));
    }
    auto pin = readStaffPin(*ctx.staffId);
    if (!pin) return std::unexpected(pin.error());
    auto s = (*store)->authenticateStaff(*ctx.staffId, *pin);
    if (!s) return std::unexpected(s.error());
    if (!kiosk::allowed(path, s->role))
        return training::fail(training::ErrorCode::Refused,
                              fmt::format("staff {} is {} and may not run '{}' (it needs {})", s->id,
                                          training::roleName(s->role), path, kiosk::rolesText(rule->roles)));
    ctx.staff = *s;
    ctx.actor = fmt::format("staff:{}", s->id);
    return {};
}

}  // namespace

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
                   "center database: a file (SQLite) or a postgresql:// connection URI (default: $KIOSK_DB, else "
                   "$XDG_DATA_HOME/badge-kiosk/center.db)");
    app.add_option("--center-dir", ctx.centerDir,
                   "the center folder with its signing key (center.key) and submission batches (default: "
                   "$KIOSK_CENTER_DIR, else beside a database file, else for a URI "
                   "$XDG_DATA_HOME/badge-kiosk/postgresql-DBNAME)");
    app.add_flag("--json", ctx.json, "machine-readable output");
    app.add_option("--system-job", ctx.systemJob,
                   "run as this scheduled job of the appliance (daily-backup, daily-purge) instead of a staff member: "
                   "backup and privacy purge only, and only as the account that owns the center database");
    app.add_option("--staff", ctx.staffId,
                   "sign in as this staff member (PIN from $KIOSK_STAFF_PIN, else asked on the terminal); commands "
                   "that change records, sign, print, submit, import or show personal data need it");

    Action action;
    addRecordCommands(app, action);
    addTrainingCommands(app, action);
    addAdminCommands(app, action);
    addIdCommands(app, action);
    addExamCommands(app, action);
    addFaceCommands(app, action);
    addCertCommands(app, action);
    addDocumentCommands(app, action);
    addPrivacyCommands(app, action);
    addServerCommands(app, action);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
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
    if (auto in = signIn(ctx, commandPath(app)); !in) return ctx.failWith(in.error());
    try {
        return action(ctx);
    } catch (const nlohmann::json::exception& e) {
        // A last line of defence: input is checked field by field (the message names the field); should a check be
        // missing, the command still ends with exit 1 and a message instead of aborting.
        return ctx.failWith(training::Error{training::ErrorCode::InvalidInput,
                                            fmt::format("a JSON input has a field of the wrong type or form ({}); check "
                                                        "the file given",
                                                        e.what())});
    }
}
