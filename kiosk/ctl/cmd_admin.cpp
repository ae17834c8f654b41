// kioskctl: audit, backup, db check, config, demo-seed.
#include <fmt/format.h>

#include <fstream>

#include <iterator>
#include <sstream>

#include "center/demo_seed.hpp"
#include "context.hpp"
#include "training/audit_checkpoint.hpp"
#include "kiosk/config.hpp"
#include "training/validation.hpp"

namespace kiosk::ctl {

using nlohmann::json;

namespace {

int demoSeed(Context& ctx) {
    auto opened = openCenter(ctx, true);
    if (!opened) return ctx.failWith(opened.error());
    auto seeded = center::seedDemoCenter(*opened->ops, assetsDirectory() / "question-banks", ctx.actor);
    if (!seeded) return ctx.failWith(seeded.error());
    const auto& d = *seeded;
    json out{{"center", {{"code", d.center.code}, {"name", d.center.name}}}};
    out["agencies"] = json::array();
    for (const auto& a : d.agencies) out["agencies"].push_back(toJson(a));
    out["staff"] = json::array();
    for (const auto& s : d.staff) {
        auto j = toJson(s.staff);
        j["pin"] = s.pin;
        out["staff"].push_back(j);
    }
    out["workers"] = json::array();
    for (const auto& w : d.workers) out["workers"].push_back(toJson(w));
    out["sessions"] = json::array();
    for (const auto& s : d.sessions) out["sessions"].push_back(toJson(s));
    if (d.sitting)
        out["sitting"] = {{"id", d.sitting->id},
                          {"questions", d.sittingQuestions},
                          {"bank_questions", d.questionsImported},
                          {"scoring", exam::multipleScoringName(d.scoring)},
                          {"require_attendance", d.sitting->requireAttendance}};

    std::string text = fmt::format("demo center '{}' seeded: {} agencies, {} workers, {} sessions in the last {} days "
                                   "(one running now), {} questions{}\n",
                                   d.center.name, d.agencies.size(), d.workers.size(), d.sessions.size(), d.courseDays,
                                   d.questionsImported, d.sitting ? ", exam sitting 1 open for every worker" : "");
    if (d.sitting)
        text += fmt::format("exam bank badge-default scores multiple-response questions {}{}; workers 1-5 attended the "
                            "course and may sit the exam, worker 6 has no hours yet (the sitting requires them)\n",
                            exam::multipleScoringName(d.scoring),
                            d.scoringNote.empty() ? "" : fmt::format(" (the default banks differ: {})", d.scoringNote));
    text += "staff PINs (shown once; write them down):\n";
    for (const auto& s : d.staff)
        text += fmt::format("  staff {}  {:<8} {}  PIN {}\n", s.staff.id, training::roleName(s.staff.role),
                            s.staff.name, s.pin);
    return ctx.ok(out, text);
}

}  // namespace

void addAdminCommands(CLI::App& app, Action& action) {
    // audit
    {
        auto* audit = app.add_subcommand("audit", "the append-only, hash-chained audit log");
        audit->require_subcommand(1);
        auto checkpoint = std::make_shared<std::string>();
        auto* verify =
            audit->add_subcommand("verify", "walk the hash chain; exits 1 and names the first bad row if it was changed");
        verify->add_option("--checkpoint", *checkpoint,
                           "also check that the chain still extends this signed head ('audit checkpoint --out')");
        verify->callback([&action, checkpoint] {
                action = [checkpoint](Context& ctx) {
                    auto store = ctx.openStore();
                    if (!store) return ctx.failWith(store.error());
                    if (!checkpoint->empty()) {
                        std::ifstream in(*checkpoint, std::ios::binary);
                        if (!in)
                            return ctx.failWith(training::Error{training::ErrorCode::NotFound,
                                                                "cannot read the checkpoint " + *checkpoint});
                        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
                        auto cp = training::checkAuditCheckpoint(**store, text);
                        if (!cp) {
                            auto e = cp.error();
                            e.message += "; keep this database for investigation and restore the latest good backup";
                            return ctx.failWith(e);
                        }
                        return ctx.ok(json{{"intact", true}, {"checkpoint_row", cp->rowId}},
                                      fmt::format("audit chain intact and extends the checkpoint at row {}", cp->rowId));
                    }
                    auto v = (*store)->verifyAudit();
                    if (!v) return ctx.failWith(v.error());
                    json j{{"intact", v->intact}, {"rows_checked", v->rowsChecked}};
                    if (!v->intact) {
                        j["first_bad_row"] = *v->firstBadRow;
                        j["problem"] = v->problem;
                        if (ctx.json) std::cout << j.dump(2) << "\n";
                        std::cerr << "kioskctl: the audit log was tampered with: " << v->problem
                                  << "; keep this database for investigation and restore the latest backup\n";
                        return kExitUser;
                    }
                    return ctx.ok(j, fmt::format("audit chain intact: {} rows checked", v->rowsChecked));
                };
            });
        auto out = std::make_shared<std::string>();
        auto* cpCmd = audit->add_subcommand("checkpoint", "write the chain's head signed with the center key (keep it off "
                                                          "this machine; 'audit verify --checkpoint' checks against it)");
        cpCmd->add_option("--out", *out, "the file to write")->required();
        cpCmd->callback([&action, out] {
            action = [out](Context& ctx) {
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                auto key = loadCenterKey(ctx);
                if (!key) return ctx.failWith(key.error());
                auto cp = training::makeAuditCheckpoint(**store, *key, ctx.actor);
                if (!cp) return ctx.failWith(cp.error());
                if (auto w = training::writePrivateFile(*out, *cp); !w) return ctx.failWith(w.error());
                return ctx.ok(json{{"ok", true}, {"out", *out}, {"checkpoint", json::parse(*cp)}},
                              fmt::format("checkpoint written to {}", *out));
            };
        });
        auto* list = audit->add_subcommand("list", "show audit rows");
        auto after = std::make_shared<std::int64_t>(0);
        auto limit = std::make_shared<int>(50);
        list->add_option("--after", *after, "only rows after this id");
        list->add_option("--limit", *limit, "at most this many rows (default 50)")->check(CLI::Range(1, 100000));
        list->callback([&action, after, limit] {
            action = [after, limit](Context& ctx) {
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                auto rows = (*store)->auditEntries(*after, *limit);
                if (!rows) return ctx.failWith(rows.error());
                json arr = json::array();
                std::string text;
                for (const auto& e : *rows) {
                    arr.push_back({{"id", e.id},
                                   {"at", training::formatUtc(e.at)},
                                   {"actor", e.actor},
                                   {"action", e.action},
                                   {"subject", e.subject},
                                   {"details", json::parse(e.details, nullptr, false)},
                                   {"hash", e.hash}});
                    text += fmt::format("{:>6}  {}  {:<22} {:<24} {}  {}\n", e.id, training::formatLocalTime(e.at),
                                        e.actor, e.action, e.subject, e.details);
                }
                return ctx.ok(arr, text.empty() ? "no audit rows" : text);
            };
        });
    }
    // backup
    {
        auto* backup = app.add_subcommand("backup", "online backup of the database to a file");
        auto to = std::make_shared<std::string>();
        backup->add_option("--to", *to, "destination file")->required();
        backup->callback([&action, to] {
            action = [to](Context& ctx) {
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                if (auto r = (*store)->backupTo(*to, ctx.actor); !r) return ctx.failWith(r.error());
                return ctx.ok(json{{"ok", true}, {"to", *to}}, fmt::format("backup written to {}", *to));
            };
        });
    }
    // db
    {
        auto* db = app.add_subcommand("db", "database maintenance");
        db->require_subcommand(1);
        db->add_subcommand("check", "full integrity and foreign-key check")->callback([&action] {
            action = [](Context& ctx) {
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                auto problems = (*store)->integrityCheck();
                if (!problems) return ctx.failWith(problems.error());
                json j{{"ok", problems->empty()}, {"schema_version", (*store)->schemaVersion()}, {"problems", *problems}};
                if (!problems->empty()) {
                    if (ctx.json) std::cout << j.dump(2) << "\n";
                    for (const auto& p : *problems) std::cerr << "kioskctl: " << p << "\n";
                    std::cerr << "kioskctl: the database is damaged; restore the latest backup\n";
                    return kExitSystem;
                }
                return ctx.ok(j, fmt::format("database sound (schema version {})", (*store)->schemaVersion()));
            };
        });
    }
    // config
    {
        auto* config = app.add_subcommand("config", "the kiosk configuration file");
        config->require_subcommand(1);
        auto* check = config->add_subcommand("check", "validate a configuration file");
        auto file = std::make_shared<std::string>();
        check->add_option("FILE", *file, "TOML file")->required();
        check->callback([&action, file] {
            action = [file](Context& ctx) {
                auto c = loadConfig(*file);
                if (!c) return ctx.failWith(c.error());
                return ctx.ok(json{{"ok", true}, {"file", *file}}, fmt::format("{}: valid", *file));
            };
        });
        config->add_subcommand("defaults", "print the default configuration")->callback([&action] {
            action = [](Context& ctx) {
                const auto toml = toToml(Config{});
                return ctx.ok(json{{"toml", toml}}, toml);
            };
        });
    }
    // demo-seed
    app.add_subcommand("demo-seed", "fill a new database with a demo center (prints staff PINs once)")
        ->callback([&action] { action = demoSeed; });
}

}  // namespace kiosk::ctl
