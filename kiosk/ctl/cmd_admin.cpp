// kioskctl: audit, backup, db check, config, demo-seed.
#include <sodium.h>

#include <fmt/format.h>

#include <fstream>
#include <map>

#include <iterator>
#include <sstream>

#include "context.hpp"
#include "training/audit_checkpoint.hpp"
#include "kiosk/config.hpp"
#include "training/bank_file.hpp"
#include "training/exam_store.hpp"
#include "training/id_number.hpp"
#include "training/uscc.hpp"
#include "training/validation.hpp"

namespace kiosk::ctl {

using nlohmann::json;

namespace {

std::string withCheck(std::string first17) {
    first17.push_back(training::chinaIdCheckCharacter(first17));
    return first17;
}

std::string usccWithCheck(std::string first17) {
    first17.push_back(training::usccCheckCharacter(first17));
    return first17;
}

std::string randomPin() { return fmt::format("{:06}", randombytes_uniform(900000) + 100000); }

int demoSeed(Context& ctx) {
    auto opened = ctx.openStore(true);
    if (!opened) return ctx.failWith(opened.error());
    auto& store = **opened;
    const auto& actor = ctx.actor;
    auto center = store.center();
    if (!center) {
        center = store.initCenter("DEMO", "演示家政培训中心 Demo Training Center", actor);
        if (!center) return ctx.failWith(center.error());
    }
    auto agencies = store.listAgencies();
    if (!agencies) return ctx.failWith(agencies.error());
    if (!agencies->empty())
        return ctx.failWith({training::ErrorCode::Refused,
                             "this database already has records; demo-seed only fills a new database (use another --db)"});
    // The demo center signs certificates like a real one: its key beside the database.
    if (auto key = initCenterKey(ctx, store); !key) return ctx.failWith(key.error());
    json out{{"center", {{"code", center->code}, {"name", center->name}}}};

    std::vector<training::Agency> made;
    for (const auto& [name, prefix, rep] :
         {std::tuple{"上海安心家政服务有限公司", "91310104MA1FL2K3A", "周敏"},
          std::tuple{"上海惠民家庭服务社", "52310115MJ4G7P1QX", "吴海燕"}}) {
        auto a = store.addAgency({name, usccWithCheck(prefix), std::string(rep), "上海市", std::nullopt}, actor);
        if (!a) return ctx.failWith(a.error());
        made.push_back(*a);
    }
    out["agencies"] = json::array();
    for (const auto& a : made) out["agencies"].push_back(toJson(a));

    json staffOut = json::array();
    std::optional<std::int64_t> trainerId;
    for (const auto& [name, role] : {std::pair{"管理员 Admin", training::Role::Admin},
                                     std::pair{"张老师 Trainer Zhang", training::Role::Trainer},
                                     std::pair{"李干事 Clerk Li", training::Role::Clerk}}) {
        const auto pin = randomPin();
        auto s = store.addStaff(name, role, pin, actor);
        if (!s) return ctx.failWith(s.error());
        if (role == training::Role::Trainer) trainerId = s->id;
        auto j = toJson(*s);
        j["pin"] = pin;
        staffOut.push_back(j);
    }
    out["staff"] = staffOut;

    struct DemoWorker {
        const char* name;
        const char* first17;
        const char* phone;
        std::vector<std::string> services;
        const char* education;
    };
    const std::vector<DemoWorker> demo{
        {"王秀英", "31010119780312002", "13816620001", {"cleaning", "housekeeping"}, "junior"},
        {"李娟", "34010219850721104", "13916620002", {"nanny", "maternity"}, "senior"},
        {"张桂兰", "32010219700105062", "13761620003", {"elder-care", "patient-care"}, "primary"},
        {"刘芳", "41010219900918328", "15021620004", {"cooking", "cleaning"}, "vocational"},
        {"陈建国", "51010419820430071", "18616620005", {"appliance-care", "cleaning"}, "senior"},
        {"杨丽", "31011519921111204", "13661620006", {"maternity", "nanny"}, "college"},
    };
    const auto today = training::localDate(store.now());
    const auto healthDate = training::formatDate(std::chrono::sys_days(today) - std::chrono::days(40));
    json workersOut = json::array();
    std::vector<std::int64_t> workerIds;
    for (std::size_t i = 0; i < demo.size(); ++i) {
        training::WorkerIdentity id;
        id.docNumber = withCheck(demo[i].first17);
        id.name = demo[i].name;
        id.idIssuer = "上海市公安局";
        training::WorkerProfile p;
        p.phone = demo[i].phone;
        p.address = "上海市";
        p.serviceTypes = demo[i].services;
        p.education = demo[i].education;
        p.agencyId = made[i % made.size()].id;
        if (i < 4) {
            p.healthCheckDate = healthDate;
            p.healthCheckResult = "pass";
            p.healthCheckIssuer = "上海市社区卫生服务中心";
        }
        auto w = store.addWorker(id, p, actor);
        if (!w) return ctx.failWith(w.error());
        workerIds.push_back(w->id);
        workersOut.push_back(toJson(*w));
    }
    out["workers"] = workersOut;

    // The course ran on the four days before today (two sessions a day, every module), everyone on every
    // roster. A real center holds the badge exam after the training: the first five workers attended it all
    // and may sit the exam; the sixth enrolled late, attended nothing and cannot start the exam until she
    // has the hours (or a trainer admits her: 'kioskctl exam sitting admit').
    auto course = store.course("badge");
    if (!course) return ctx.failWith(course.error());
    const auto todayDays = std::chrono::sys_days(today);
    const int days = static_cast<int>((course->modules.size() + 1) / 2);
    json sessionsOut = json::array();
    int slot = 0;
    for (const auto& m : course->modules) {
        const auto day = todayDays - std::chrono::days(days - slot / 2);
        const auto start = training::localMidnight(day) + (slot % 2 == 0 ? 9 : 14) * 3600;
        const auto length = std::max<std::int64_t>(m.requiredMinutes, 60) * 60;
        auto s = store.addSession(course->id, m.code, trainerId, "201", start, start + length, actor);
        if (!s) return ctx.failWith(s.error());
        for (auto wid : workerIds)
            if (auto r = store.addToRoster(s->id, wid, actor); !r) return ctx.failWith(r.error());
        if (s->endsAt <= store.now())
            for (std::size_t i = 0; i < 5 && i < workerIds.size(); ++i) {
                if (auto r = store.checkIn(s->id, workerIds[i], training::AttendanceMethod::Staff, std::nullopt, actor,
                                           s->startsAt - 300);
                    !r)
                    return ctx.failWith(r.error());
                if (auto r = store.checkOut(s->id, workerIds[i], training::AttendanceMethod::Staff, actor, s->endsAt);
                    !r)
                    return ctx.failWith(r.error());
            }
        auto fresh = store.session(s->id);
        sessionsOut.push_back(toJson(fresh ? *fresh : *s));
        ++slot;
    }
    // A session running now, whatever the day or hour (weekends included): a visitor can check in at once.
    if (!course->modules.empty()) {
        const auto now = store.now();
        const auto start = now - now % 300 - 1800;  // began half an hour ago, on a 5-minute mark
        auto s = store.addSession(course->id, course->modules.front().code, trainerId, "101", start,
                                  start + 4 * 3600, actor);
        if (!s) return ctx.failWith(s.error());
        for (auto wid : workerIds)
            if (auto r = store.addToRoster(s->id, wid, actor); !r) return ctx.failWith(r.error());
        sessionsOut.push_back(toJson(*s));
    }
    out["sessions"] = sessionsOut;

    // The default question banks, all in one exam bank, and an open exam sitting for every demo worker.
    training::ExamStore exams(store);
    int imported = 0;
    const auto banks = assetsDirectory() / "question-banks";
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(banks, ec))
        if (entry.path().extension() == ".toml") files.push_back(entry.path());
    std::ranges::sort(files);
    std::vector<training::NativeBankResult> parsedBanks;
    std::map<exam::MultipleScoring, std::vector<std::string>> modes;  // scoring mode -> files declaring it
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        auto parsed = training::parseNativeBank(ss.str(), file.string());
        if (parsed.failed > 0 || !parsed.headerValid)
            return ctx.failWith({training::ErrorCode::Internal,
                                 fmt::format("the default bank {} does not load: {}", file.string(),
                                             parsed.diagnostics.empty() ? "" : parsed.diagnostics.front().message)});
        modes[parsed.bank.scoring].push_back(file.filename().string());
        parsedBanks.push_back(std::move(parsed));
    }
    // One exam bank scores in one mode: the banks' own when they agree. When they do not, proportional
    // (partial credit, and a wrong option costs: a multiple-response question without weights gets the
    // default penalty), said in the output.
    const auto scoring = modes.size() == 1 ? modes.begin()->first : exam::MultipleScoring::Proportional;
    std::string scoringNote;
    if (modes.size() > 1)
        for (const auto& [mode, names] : modes)
            for (const auto& name : names)
                scoringNote += fmt::format("{}{} {}", scoringNote.empty() ? "" : ", ", name, exam::multipleScoringName(mode));
    for (const auto& parsed : parsedBanks) {
        auto c = exams.importQuestions("badge-default", {"家政上门服务证题库", "Home-service badge questions"}, scoring,
                                       parsed.bank.questions, actor);
        if (!c) return ctx.failWith(c.error());
        imported += c->added;
    }
    if (imported > 0) {
        const auto in = training::defaultSittingInput(*course);
        auto sitting = exams.createSitting(in, actor);
        if (!sitting) return ctx.failWith(sitting.error());
        for (auto wid : workerIds)
            if (auto r = exams.addCandidate(sitting->id, wid, actor); !r) return ctx.failWith(r.error());
        if (auto r = exams.openSitting(sitting->id, actor); !r) return ctx.failWith(r.error());
        out["sitting"] = {{"id", sitting->id},
                          {"questions", in.blueprint.totalQuestions()},
                          {"bank_questions", imported},
                          {"scoring", exam::multipleScoringName(scoring)},
                          {"require_attendance", sitting->requireAttendance}};
    }

    std::string text = fmt::format("demo center '{}' seeded: {} agencies, {} workers, {} sessions in the last {} days (one running now), "
                                   "{} questions{}\n",
                                   center->name, made.size(), workerIds.size(), sessionsOut.size(), days, imported,
                                   out.contains("sitting") ? ", exam sitting 1 open for every worker" : "");
    if (out.contains("sitting"))
        text += fmt::format("exam bank badge-default scores multiple-response questions {}{}; workers 1-5 attended the "
                            "course and may sit the exam, worker 6 has no hours yet (the sitting requires them)\n",
                            exam::multipleScoringName(scoring),
                            scoringNote.empty() ? "" : fmt::format(" (the default banks differ: {})", scoringNote));
    text += "staff PINs (shown once; write them down):\n";
    for (const auto& s : staffOut)
        text += fmt::format("  staff {}  {:<8} {}  PIN {}\n", s["id"].get<std::int64_t>(), s["role"].get<std::string>(),
                            s["name"].get<std::string>(), s["pin"].get<std::string>());
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
                auto key = training::CenterKey::load(ctx.paths().key);
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
