// kioskctl: a center on a PostgreSQL server: db copy (moving an SQLite center up).
#include <fmt/format.h>

#include "context.hpp"
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

}  // namespace

void addServerCommands(CLI::App& app, Action& action) {
    auto* db = app.get_subcommand("db");
    auto* copy = db->add_subcommand("copy", "copy this center's SQLite database (--db) into an empty PostgreSQL "
                                            "database: every row, image, consent and the audit chain");
    auto to = std::make_shared<std::string>();
    copy->add_option("--to", *to, "the target's connection URI (postgresql://...); it must be empty")->required();
    copy->callback([&action, to] { action = [to](Context& ctx) { return dbCopy(ctx, *to); }; });
}

}  // namespace kiosk::ctl
