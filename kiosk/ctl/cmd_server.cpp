// kioskctl: a center on a PostgreSQL server: db copy (moving an SQLite center up), kiosk add/remove (a database
// login of its own for each kiosk).
#include <fmt/format.h>

#include "context.hpp"
#include "kiosk/config.hpp"
#include "training/kiosk_roles.hpp"
#include "training/store_copy.hpp"

namespace kiosk::ctl {

using nlohmann::json;

namespace {

int dbCopy(Context& ctx, const std::string& to) {
    auto store = ctx.openStore();
    if (!store) return ctx.failWith(store.error());
    auto copied = training::copyToPostgres(**store, to, ctx.actor);
    if (!copied) return ctx.failWith(copied.error());
    std::error_code ec;
    const auto key = std::filesystem::absolute(ctx.paths().key, ec);
    const auto targetDir = center::CenterPaths::forDatabase(to).directory;
    json tables = json::object();
    for (const auto& t : copied->tables) tables[t.name] = t.rows;
    json out{{"ok", true},
             {"target", copied->target},
             {"schema_version", copied->schemaVersion},
             {"rows", copied->rows},
             {"tables", tables},
             {"audit_rows", copied->auditRows},
             {"center_key", key.string()},
             {"target_center_dir", targetDir.string()}};
    return ctx.ok(out, fmt::format("copied {} rows of {} tables into {}; its audit chain verifies ({} rows, the last "
                                   "one this copy)\nthe center key is not in the database: copy {} (mode 0600) to "
                                   "{}/center.key, the center folder of the URI (or give --center-dir, or "
                                   "KIOSK_CENTER_KEY), and stop using the SQLite file",
                                   copied->rows, copied->tables.size(), copied->target, copied->auditRows, key.string(),
                                   targetDir.string()));
}

int kioskAdd(Context& ctx, const std::string& name) {
    auto store = ctx.openStore();
    if (!store) return ctx.failWith(store.error());
    auto login = training::addKioskRole(**store, defaultDatabasePath(ctx.dbPath).string(), name, ctx.actor);
    if (!login) return ctx.failWith(login.error());
    return ctx.ok(json{{"kiosk", login->kiosk}, {"role", login->role}, {"conninfo", login->conninfo}},
                  fmt::format("kiosk {} logs in as the PostgreSQL role {}. Its connection settings, shown once (they "
                              "hold its password): put them in that kiosk's configuration file (mode 0600) as\n"
                              "[database]\npath = \"{}\"",
                              login->kiosk, login->role, login->conninfo));
}

int kioskRemove(Context& ctx, const std::string& name) {
    auto store = ctx.openStore();
    if (!store) return ctx.failWith(store.error());
    auto role = training::removeKioskRole(**store, name, ctx.actor);
    if (!role) return ctx.failWith(role.error());
    return ctx.ok(json{{"ok", true}, {"kiosk", name}, {"role", *role}},
                  fmt::format("kiosk {} can no longer log in: its role {} was dropped", name, *role));
}

}  // namespace

void addServerCommands(CLI::App& app, Action& action) {
    auto* db = app.get_subcommand("db");
    auto* copy = db->add_subcommand("copy", "copy this center's SQLite database (--db) into an empty PostgreSQL "
                                            "database: every row, image, consent and the audit chain");
    auto to = std::make_shared<std::string>();
    copy->add_option("--to", *to, "the target's connection URI (postgresql://...); it must be empty")->required();
    copy->callback([&action, to] { action = [to](Context& ctx) { return dbCopy(ctx, *to); }; });

    auto* kiosk = app.add_subcommand("kiosk", "the kiosks' own logins to the center's PostgreSQL server");
    kiosk->require_subcommand(1);
    auto name = std::make_shared<std::string>();
    auto* add = kiosk->add_subcommand("add", "create kiosk NAME's database role (sees only the worker it looks up) "
                                             "and print its connection settings once");
    add->add_option("NAME", *name, "the kiosk's name, e.g. K01")->required();
    add->callback([&action, name] { action = [name](Context& ctx) { return kioskAdd(ctx, *name); }; });
    auto* remove = kiosk->add_subcommand("remove", "revoke kiosk NAME's database role");
    remove->add_option("NAME", *name, "the kiosk's name")->required();
    remove->callback([&action, name] { action = [name](Context& ctx) { return kioskRemove(ctx, *name); }; });
}

}  // namespace kiosk::ctl
