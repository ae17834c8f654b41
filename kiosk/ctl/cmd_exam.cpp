// kioskctl exam: question banks, sittings, papers, attempts and statistics.
#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "context.hpp"
#include "exam/aiken.hpp"
#include "exam/gift.hpp"
#include "training/bank_file.hpp"
#include "training/exam_store.hpp"
#include "training/syllabus.hpp"
#include "training/text.hpp"

namespace kiosk::ctl {

using nlohmann::json;
using training::ErrorCode;

namespace {

training::Result<std::string> readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return training::fail(ErrorCode::NotFound, fmt::format("cannot read {}; check the path", path));
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string letters(const exam::PaperItem& item, const std::vector<int>& chosenOriginal) {
    std::string out;
    for (int o : chosenOriginal) {
        const int p = item.displayPosition(o);
        if (p >= 0) out += static_cast<char>('A' + p);
    }
    std::ranges::sort(out);
    return out;
}

json sittingJson(const training::Sitting& s) {
    json sections = json::array();
    for (const auto& sec : s.blueprint.sections) sections.push_back({{"module", sec.module}, {"count", sec.count}});
    return json{{"id", s.id},
                {"title", s.title},
                {"bank", s.bankCode},
                {"scoring", exam::multipleScoringName(s.scoring)},
                {"state", training::sittingStateName(s.state)},
                {"seats", s.seats},
                {"candidates", s.candidates},
                {"questions", s.blueprint.totalQuestions()},
                {"duration_minutes", s.blueprint.duration.count() / 60},
                {"pass_mark", s.blueprint.passMark},
                {"require_attendance", s.requireAttendance},
                {"sections", sections}};
}

std::string sittingText(const training::Sitting& s) {
    std::string sections;
    for (const auto& sec : s.blueprint.sections)
        sections += fmt::format("{}{} x{}", sections.empty() ? "" : ", ", sec.module, sec.count);
    return fmt::format("sitting {}: {}\n  state {}, bank {}, multiple response scored {}\n  {} questions ({}), {} min, "
                       "pass mark {}\n  {} of {} seats taken; {}\n",
                       s.id, s.title, training::sittingStateName(s.state), s.bankCode,
                       exam::multipleScoringName(s.scoring), s.blueprint.totalQuestions(), sections,
                       s.blueprint.duration.count() / 60, exam::formatScore(s.blueprint.passMark), s.candidates, s.seats,
                       s.requireAttendance ? "candidates must have attended the course's required hours first"
                                           : "no attendance required");
}

json itemJson(const exam::PaperItem& item, int position, const exam::ItemResponse* resp) {
    json options = json::array();
    for (std::size_t p = 0; p < item.optionOrder.size(); ++p) {
        const auto& o = item.question.options[static_cast<std::size_t>(item.optionOrder[p])];
        options.push_back({{"letter", std::string(1, static_cast<char>('A' + p))}, {"zh", o.text.zh}, {"en", o.text.en}});
    }
    json j{{"item", position + 1},
           {"question", item.question.id},
           {"version", item.question.version},
           {"module", item.question.module},
           {"difficulty", item.question.difficulty},
           {"type", exam::questionTypeName(item.question.type)},
           {"stem", {{"zh", item.question.stem.zh}, {"en", item.question.stem.en}}},
           {"image", item.question.imagePath},
           {"options", options}};
    if (resp) {
        j["answer"] = letters(item, resp->chosen);
        j["flagged"] = resp->flagged;
    }
    return j;
}

json attemptJson(const training::StoredAttempt& a, std::int64_t now, bool withItems) {
    const auto t = exam::fromUnix(now);
    const auto& at = a.attempt;
    json j{{"attempt", a.id},
           {"sitting", a.sittingId},
           {"worker", a.workerId},
           {"attempt_no", a.attemptNo},
           {"status", at.status() == exam::AttemptStatus::Submitted ? "submitted" : "in-progress"},
           {"items", at.itemCount()},
           {"answered", at.answeredCount()},
           {"flagged", at.flaggedItems().size()},
           {"current_item", at.currentIndex() + 1},
           {"remaining_seconds", at.remaining(t).count()},
           {"paused", at.isPaused(t)}};
    if (at.status() == exam::AttemptStatus::Submitted) {
        const auto g = at.grade();
        j["score"] = g.score;
        j["score_text"] = exam::formatScore(g.score);
        j["scoring"] = exam::multipleScoringName(at.paper().scoring);
        j["partial_credit_items"] = exam::partialCreditItems(g);
        j["passed"] = g.passed;
        j["pass_mark"] = g.passMark;
        j["submit_reason"] = exam::submitReasonName(at.submitReason().value_or(exam::SubmitReason::Candidate));
        json mods = json::array();
        for (const auto& m : g.modules) mods.push_back({{"module", m.module}, {"items", m.items}, {"percent", m.percent}});
        j["modules"] = mods;
    }
    if (withItems) {
        json items = json::array();
        for (int i = 0; i < at.itemCount(); ++i)
            items.push_back(itemJson(at.paper().items[static_cast<std::size_t>(i)], i, &at.response(i)));
        j["paper"] = items;
    }
    return j;
}

std::string attemptText(const training::StoredAttempt& a, std::int64_t now) {
    const auto& at = a.attempt;
    const auto t = exam::fromUnix(now);
    std::string s = fmt::format("attempt {} (sitting {}, worker {}, try {}): {}, {} of {} answered", a.id, a.sittingId,
                                a.workerId, a.attemptNo,
                                at.status() == exam::AttemptStatus::Submitted ? "submitted" : "in progress",
                                at.answeredCount(), at.itemCount());
    if (at.status() == exam::AttemptStatus::Submitted) {
        const auto g = at.grade();
        s += fmt::format(", score {} / 100 (pass mark {}): {}", exam::formatScore(g.score), exam::formatScore(g.passMark),
                         g.passed ? "PASSED" : "not passed");
        if (const int partial = exam::partialCreditItems(g); partial > 0)
            s += fmt::format("; {} item(s) earned partial credit ({} scoring)", partial,
                             exam::multipleScoringName(at.paper().scoring));
    } else {
        s += fmt::format(", {} min {} s left{}", at.remaining(t).count() / 60, at.remaining(t).count() % 60,
                         at.isPaused(t) ? " (paused)" : "");
    }
    return s;
}

struct Opened {
    std::unique_ptr<training::Store> store;
    std::unique_ptr<training::ExamStore> exams;
};

training::Result<Opened> openExams(Context& ctx) {
    auto store = ctx.openStore();
    if (!store) return std::unexpected(store.error());
    Opened o{std::move(*store), nullptr};
    o.exams = std::make_unique<training::ExamStore>(*o.store);
    return o;
}

/// The modules the questions of an import may name: the badge course's; before 'kioskctl init' (a dry run on
/// an empty database) the badge syllabus a new center gets.
std::vector<training::CourseModule> importSyllabus(training::Store& store) {
    if (auto course = store.course("badge")) return course->modules;
    const auto seed = training::badgeCourseSyllabus();
    return {seed.begin(), seed.end()};
}

/// Parses "B" / "A,C" / "AC" into original option indices of an item.
training::Result<std::vector<int>> parseChoice(const exam::PaperItem& item, const std::string& text) {
    std::vector<int> out;
    for (char c : text) {
        if (c == ',' || c == ' ') continue;
        const char u = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        const int p = u - 'A';
        const int original = item.originalIndex(p);
        if (p < 0 || original < 0)
            return training::fail(ErrorCode::InvalidInput,
                                  fmt::format("'{}' is not an option of this question; its options are A to {}", c,
                                              static_cast<char>('A' + item.optionOrder.size() - 1)));
        out.push_back(original);
    }
    if (out.empty()) return training::fail(ErrorCode::InvalidInput, "give the chosen option letter(s), e.g. --choice B");
    return out;
}

}  // namespace

void addExamCommands(CLI::App& app, Action& action) {
    auto* examCmd = app.add_subcommand("exam", "question banks, exam sittings and attempts");
    examCmd->require_subcommand(1);

    // ---- import
    {
        auto* imp = examCmd->add_subcommand("import", "import questions (native TOML, GIFT or Aiken)");
        struct Opts {
            std::string file, format, bank, module, scoring;
            int difficulty{1};
            bool dryRun{false};
        };
        auto o = std::make_shared<Opts>();
        imp->add_option("FILE", o->file, "the file to import")->required();
        imp->add_option("--format", o->format, "native, gift or aiken (default: from the extension)");
        imp->add_option("--bank", o->bank, "bank code (native files name their bank; default: the file name)");
        imp->add_option("--module", o->module, "module for questions the file does not place (Aiken: required)");
        imp->add_option("--difficulty", o->difficulty, "difficulty 1-3 for GIFT/Aiken questions")->check(CLI::Range(1, 3));
        imp->add_option("--scoring", o->scoring,
                        "scoring of a new bank made from a GIFT/Aiken file: all-or-nothing (default) or proportional; "
                        "an existing bank keeps its own, native files name theirs in [bank]")
            ->check(CLI::IsMember({"all-or-nothing", "proportional"}));
        imp->add_flag("--dry-run", o->dryRun, "report what would be imported without writing");
        imp->callback([&action, o] {
            action = [o](Context& ctx) {
                auto text = readText(o->file);
                if (!text) return ctx.failWith(text.error());
                std::string format = o->format;
                const auto ext = std::filesystem::path(o->file).extension().string();
                if (format.empty()) format = ext == ".toml" ? "native" : ext == ".gift" ? "gift" : ext == ".aiken" ? "aiken" : "";
                if (format != "native" && format != "gift" && format != "aiken")
                    return ctx.failWith({ErrorCode::InvalidInput,
                                         "say which format the file is in: --format native, gift or aiken"});
                auto opened = openExams(ctx);
                if (!opened) return ctx.failWith(opened.error());
                const auto syllabus = importSyllabus(*opened->store);
                if (!o->module.empty() && !training::findCourseModule(syllabus, o->module))
                    return ctx.failWith({ErrorCode::InvalidInput,
                                         fmt::format("the course has no module '{}'; 'kioskctl course show' lists them",
                                                     o->module)});
                exam::Bank bank;
                std::vector<exam::Diagnostic> diagnostics;
                int failed = 0, skipped = 0;
                if (format == "native") {
                    if (!o->scoring.empty())
                        return ctx.failWith({ErrorCode::InvalidInput,
                                             "a native bank file names its scoring in [bank]; drop --scoring"});
                    auto r = training::parseNativeBank(*text, o->file);
                    bank = r.bank;
                    diagnostics = r.diagnostics;
                    failed = r.failed;
                    if (!r.headerValid && o->bank.empty())
                        bank.id.clear();
                } else {
                    if (format == "aiken" && o->module.empty())
                        return ctx.failWith({ErrorCode::InvalidInput,
                                             "Aiken files do not name modules: give --module (e.g. --module safety)"});
                    if (!o->scoring.empty() && o->scoring == "proportional")
                        bank.scoring = exam::MultipleScoring::Proportional;
                    // Into an existing bank, the questions take its scoring mode (a different --scoring is refused
                    // when storing); a wrong answer without weight then counts against in a proportional bank.
                    const auto target = o->bank.empty() ? std::filesystem::path(o->file).stem().string() : o->bank;
                    if (auto list = opened->exams->listBanks())
                        for (const auto& b : *list)
                            if (b.code == target && o->scoring.empty()) bank.scoring = b.scoring;
                    exam::ImportOptions io;
                    for (const auto& m : syllabus) io.modules.push_back({m.code, m.nameZh, m.nameEn});
                    io.scoring = bank.scoring;
                    io.defaultModule = o->module;
                    io.defaultDifficulty = o->difficulty;
                    io.idPrefix = std::filesystem::path(o->file).stem().string() + "-";
                    auto r = format == "gift" ? exam::importGift(*text, io) : exam::importAiken(*text, io);
                    bank.questions = r.questions;
                    diagnostics = r.diagnostics;
                    failed = r.failed;
                    skipped = r.skipped;
                    bank.id = std::filesystem::path(o->file).stem().string();
                    bank.title = {bank.id, bank.id};
                }
                if (!o->bank.empty()) bank.id = o->bank;
                if (bank.id.empty())
                    return ctx.failWith({ErrorCode::InvalidInput, "the bank has no id: fix [bank] or give --bank CODE"});
                json messages = json::array();
                std::string text2;
                int errors = 0;
                for (const auto& d : diagnostics) {
                    if (d.severity == exam::Severity::Error) ++errors;
                    messages.push_back({{"line", d.line}, {"severity", exam::severityName(d.severity)}, {"message", d.message}});
                    text2 += fmt::format("{}:{}: {}: {}\n", o->file, d.line, exam::severityName(d.severity), d.message);
                }
                json out{{"file", o->file},
                         {"format", format},
                         {"bank", bank.id},
                         {"dry_run", o->dryRun},
                         {"valid", bank.questions.size()},
                         {"skipped", skipped},
                         {"failed", failed},
                         {"errors", errors},
                         {"messages", messages}};
                training::ImportCounts counts;
                if (!o->dryRun && !bank.questions.empty()) {
                    auto c = opened->exams->importQuestions(bank.id, bank.title, bank.scoring, bank.questions, ctx.actor);
                    if (!c) return ctx.failWith(c.error());
                    counts = *c;
                }
                out["imported"] = o->dryRun ? 0 : counts.added + counts.revised;
                out["added"] = counts.added;
                out["revised"] = counts.revised;
                out["unchanged"] = counts.unchanged;
                text2 += fmt::format("{}{}: {} valid question(s), {} skipped, {} with errors{}", o->dryRun ? "dry run: " : "",
                                     bank.id, bank.questions.size(), skipped, failed,
                                     o->dryRun ? " (nothing written)"
                                               : fmt::format("; {} new, {} new versions, {} unchanged", counts.added,
                                                             counts.revised, counts.unchanged));
                ctx.ok(out, text2);
                return errors > 0 ? kExitUser : kExitOk;
            };
        });
    }

    // ---- bank
    {
        auto* bank = examCmd->add_subcommand("bank", "question banks");
        bank->require_subcommand(1);
        bank->add_subcommand("list", "list banks with questions per module")->callback([&action] {
            action = [](Context& ctx) {
                auto o = openExams(ctx);
                if (!o) return ctx.failWith(o.error());
                auto list = o->exams->listBanks();
                if (!list) return ctx.failWith(list.error());
                json arr = json::array();
                std::string text;
                for (const auto& b : *list) {
                    arr.push_back({{"code", b.code}, {"title_zh", b.title.zh}, {"title_en", b.title.en},
                                   {"scoring", exam::multipleScoringName(b.scoring)}, {"questions", b.questions},
                                   {"per_module", b.perModule}});
                    text += fmt::format("{:<20} {:>4} questions  {:<14}  {} / {}\n", b.code, b.questions,
                                        exam::multipleScoringName(b.scoring), b.title.zh, b.title.en);
                }
                return ctx.ok(arr, text.empty() ? "no question banks yet; 'kioskctl exam import FILE' adds one" : text);
            };
        });
        for (const bool exportIt : {false, true}) {
            auto* cmd = bank->add_subcommand(exportIt ? "export" : "show",
                                             exportIt ? "write a bank in the native format" : "show a bank's questions");
            auto code = std::make_shared<std::string>();
            auto out = std::make_shared<std::string>();
            cmd->add_option("BANK", *code, "bank code")->required();
            if (exportIt) cmd->add_option("--out", *out, "file to write (default: standard output)");
            cmd->callback([&action, code, out, exportIt] {
                action = [code, out, exportIt](Context& ctx) {
                    auto o = openExams(ctx);
                    if (!o) return ctx.failWith(o.error());
                    auto b = o->exams->bank(*code);
                    if (!b) return ctx.failWith(b.error());
                    if (exportIt) {
                        const auto toml = training::writeNativeBank(*b);
                        if (out->empty()) {
                            std::cout << toml;
                            return kExitOk;
                        }
                        std::ofstream f(*out, std::ios::binary | std::ios::trunc);
                        if (!(f << toml))
                            return ctx.failWith({ErrorCode::Io, fmt::format("cannot write {}", *out)});
                        return ctx.ok(json{{"ok", true}, {"file", *out}, {"questions", b->questions.size()}},
                                      fmt::format("wrote {} questions to {}", b->questions.size(), *out));
                    }
                    json arr = json::array();
                    std::string text;
                    for (const auto& q : b->questions) {
                        arr.push_back({{"id", q.id}, {"version", q.version}, {"module", q.module},
                                       {"difficulty", q.difficulty}, {"type", exam::questionTypeName(q.type)},
                                       {"stem_zh", q.stem.zh}, {"stem_en", q.stem.en}});
                        text += fmt::format("{:<16} v{} {:<10} d{} {:<9} {}\n", q.id, q.version, q.module, q.difficulty,
                                            exam::questionTypeName(q.type), q.stem.zh);
                    }
                    return ctx.ok(json{{"code", b->id}, {"questions", arr}}, text);
                };
            });
        }
    }

    // ---- sitting
    {
        auto* sit = examCmd->add_subcommand("sitting", "exam sittings");
        sit->require_subcommand(1);
        {
            auto* create = sit->add_subcommand("create", "create a sitting from a blueprint");
            struct Opts {
                std::string bank, course{"badge"}, title, blueprintFile, review{"none"}, candidates;
                int perModule{5}, duration{60}, seats{40}, grace{30};
                std::optional<double> passMark;
                bool requireAttendance{false}, noRequireAttendance{false};
            };
            auto o = std::make_shared<Opts>();
            create->add_option("--bank", o->bank, "question bank code")->required();
            create->add_option("--course", o->course, "course id or code (default: badge)");
            create->add_option("--title", o->title, "title shown to candidates")->required();
            create->add_option("--blueprint", o->blueprintFile,
                               "JSON blueprint file {sections:[{module,count,levels?}],duration_minutes,pass_mark}");
            create->add_option("--per-module", o->perModule, "questions per examined module (default 5)")
                ->check(CLI::Range(1, 100));
            create->add_option("--duration", o->duration, "minutes (default 60)")->check(CLI::Range(1, 600));
            create->add_option("--pass-mark", o->passMark, "pass mark out of 100 (default: the course's)")
                ->check(CLI::Range(0.0, 100.0));
            create->add_option("--seats", o->seats, "seats (default 40)")->check(CLI::Range(1, 500));
            create->add_option("--review", o->review, "what candidates see afterwards: none, own or correct");
            create->add_option("--grace", o->grace, "seconds after the deadline before auto-submit (default 30)");
            create->add_option("--candidates", o->candidates, "comma-separated worker ids or document numbers");
            auto* req = create->add_flag("--require-attendance", o->requireAttendance,
                                         "candidates start only once they attended the course's required hours "
                                         "(default for the badge course)");
            create->add_flag("--no-require-attendance", o->noRequireAttendance,
                             "candidates may start without the course's hours (default for other courses)")
                ->excludes(req);
            create->callback([&action, o] {
                action = [o](Context& ctx) {
                    auto center = openCenter(ctx);
                    if (!center) return ctx.failWith(center.error());
                    auto& store = *center->store;
                    auto course = store.course(o->course);
                    if (!course) return ctx.failWith(course.error());
                    training::SittingInput in;
                    in.courseId = course->id;
                    in.bankCode = o->bank;
                    in.title = o->title;
                    in.seats = o->seats;
                    in.graceSeconds = o->grace;
                    if (o->review == "none") in.review = exam::ReviewPolicy::None;
                    else if (o->review == "own") in.review = exam::ReviewPolicy::OwnAnswers;
                    else if (o->review == "correct") in.review = exam::ReviewPolicy::CorrectAnswers;
                    else return ctx.failWith({ErrorCode::InvalidInput, "--review is none, own or correct"});
                    if (!o->blueprintFile.empty()) {
                        auto text = readText(o->blueprintFile);
                        if (!text) return ctx.failWith(text.error());
                        auto bp = training::blueprintFromJson(*text);
                        if (!bp) return ctx.failWith(bp.error());
                        in.blueprint = *bp;
                    } else {
                        in.blueprint = training::courseBlueprint(*course, o->perModule, std::chrono::minutes(o->duration));
                    }
                    if (o->passMark) in.blueprint.passMark = *o->passMark;
                    if (o->requireAttendance) in.requireAttendance = true;
                    if (o->noRequireAttendance) in.requireAttendance = false;
                    std::vector<std::int64_t> candidates;
                    for (const auto& key : training::splitList(o->candidates)) {
                        auto w = store.findWorker(key);
                        if (!w) return ctx.failWith(w.error());
                        candidates.push_back(w->id);
                    }
                    auto s = center->ops->createSitting(in, candidates, ctx.actor);
                    if (!s) return ctx.failWith(s.error());
                    return ctx.ok(sittingJson(*s),
                                  fmt::format("created sitting {}: {} ({} questions, {} min, {} scoring{})", s->id,
                                              s->title, s->blueprint.totalQuestions(), s->blueprint.duration.count() / 60,
                                              exam::multipleScoringName(s->scoring),
                                              s->requireAttendance ? ", attendance required" : ""));
                };
            });
        }
        {
            auto* add = sit->add_subcommand("add-candidate", "seat a worker in a sitting");
            auto sid = std::make_shared<std::int64_t>(0);
            auto worker = std::make_shared<std::string>();
            auto extra = std::make_shared<int>(0);
            add->add_option("--sitting", *sid, "sitting id")->required();
            add->add_option("--worker", *worker, "worker id or document number")->required();
            add->add_option("--extra-minutes", *extra, "extra working time for this candidate")->check(CLI::Range(0, 240));
            add->callback([&action, sid, worker, extra] {
                action = [sid, worker, extra](Context& ctx) {
                    auto o = openExams(ctx);
                    if (!o) return ctx.failWith(o.error());
                    auto w = o->store->findWorker(*worker);
                    if (!w) return ctx.failWith(w.error());
                    if (auto r = o->exams->addCandidate(*sid, w->id, ctx.actor); !r && r.error().code != ErrorCode::Conflict)
                        return ctx.failWith(r.error());
                    if (*extra > 0)
                        if (auto r = o->exams->setExtraTime(*sid, w->id, *extra * 60, ctx.actor); !r)
                            return ctx.failWith(r.error());
                    return ctx.ok(json{{"ok", true}, {"sitting", *sid}, {"worker", w->id}, {"extra_minutes", *extra}},
                                  fmt::format("worker {} seated in sitting {}", w->id, *sid));
                };
            });
        }
        {
            auto* show = sit->add_subcommand("show", "a sitting: state, bank and scoring mode, blueprint, seats, "
                                                     "attendance requirement");
            auto sid = std::make_shared<std::int64_t>(0);
            show->add_option("SITTING", *sid, "sitting id")->required();
            show->callback([&action, sid] {
                action = [sid](Context& ctx) {
                    auto o = openExams(ctx);
                    if (!o) return ctx.failWith(o.error());
                    auto s = o->exams->sitting(*sid);
                    if (!s) return ctx.failWith(s.error());
                    return ctx.ok(sittingJson(*s), sittingText(*s));
                };
            });
        }
        {
            auto* admit = sit->add_subcommand(
                "admit", "the signed-in trainer (or admin) lets a named candidate start although the attendance "
                         "requirement is not met (audited)");
            struct Opts {
                std::int64_t sitting{0};
                std::string worker;
            };
            auto o = std::make_shared<Opts>();
            admit->add_option("--sitting", o->sitting, "sitting id")->required();
            admit->add_option("--worker", o->worker, "worker id or document number")->required();
            admit->callback([&action, o] {
                action = [o](Context& ctx) {
                    // The role table lets only trainers and admins run this; the one who signed in admits.
                    if (!ctx.staff)
                        return ctx.failWith({ErrorCode::Refused, "a trainer must sign in: kioskctl --staff ID exam "
                                                                 "sitting admit (PIN in KIOSK_STAFF_PIN or typed)"});
                    auto opened = openExams(ctx);
                    if (!opened) return ctx.failWith(opened.error());
                    auto w = opened->store->findWorker(o->worker);
                    if (!w) return ctx.failWith(w.error());
                    auto gaps = opened->exams->attendanceGaps(o->sitting, w->id);
                    if (!gaps) return ctx.failWith(gaps.error());
                    if (auto r = opened->exams->admitCandidateAs(o->sitting, w->id, *ctx.staff); !r)
                        return ctx.failWith(r.error());
                    return ctx.ok(json{{"ok", true}, {"sitting", o->sitting}, {"worker", w->id}, {"trainer", ctx.staff->id},
                                       {"missing_modules", gaps->size()}},
                                  fmt::format("worker {} may start sitting {} (admitted by staff {}{})", w->id, o->sitting,
                                              ctx.staff->id,
                                              gaps->empty() ? "; the hours were complete anyway"
                                                            : fmt::format("; {} module(s) short of hours", gaps->size())));
                };
            });
        }
        for (const char* verb : {"open", "pause", "resume", "close"}) {
            auto* cmd = sit->add_subcommand(verb, fmt::format("{} a sitting", verb));
            auto sid = std::make_shared<std::int64_t>(0);
            cmd->add_option("SITTING", *sid, "sitting id")->required();
            const std::string v = verb;
            cmd->callback([&action, sid, v] {
                action = [sid, v](Context& ctx) {
                    auto o = openExams(ctx);
                    if (!o) return ctx.failWith(o.error());
                    auto s = v == "open"    ? o->exams->openSitting(*sid, ctx.actor)
                             : v == "pause" ? o->exams->pauseSitting(*sid, ctx.actor)
                             : v == "resume" ? o->exams->resumeSitting(*sid, ctx.actor)
                                             : o->exams->closeSitting(*sid, ctx.actor);
                    if (!s) return ctx.failWith(s.error());
                    return ctx.ok(sittingJson(*s), fmt::format("sitting {} is now {}", s->id, training::sittingStateName(s->state)));
                };
            });
        }
        sit->add_subcommand("list", "list sittings")->callback([&action] {
            action = [](Context& ctx) {
                auto o = openExams(ctx);
                if (!o) return ctx.failWith(o.error());
                auto list = o->exams->listSittings();
                if (!list) return ctx.failWith(list.error());
                json arr = json::array();
                std::string text;
                for (const auto& s : *list) {
                    arr.push_back(sittingJson(s));
                    text += fmt::format("{:>4}  {:<9}  {:>3} q  {:>3} min  {:>2}/{:<3} seats  {:<14}  {}\n", s.id,
                                        training::sittingStateName(s.state), s.blueprint.totalQuestions(),
                                        s.blueprint.duration.count() / 60, s.candidates, s.seats,
                                        exam::multipleScoringName(s.scoring), s.title);
                }
                return ctx.ok(arr, text.empty() ? "no sittings yet" : text);
            };
        });
    }

    // ---- paper
    {
        auto* paper = examCmd->add_subcommand("paper", "the paper a worker's next attempt would get");
        auto sid = std::make_shared<std::int64_t>(0);
        auto worker = std::make_shared<std::string>();
        paper->add_option("--sitting", *sid, "sitting id")->required();
        paper->add_option("--worker", *worker, "worker id or document number")->required();
        paper->callback([&action, sid, worker] {
            action = [sid, worker](Context& ctx) {
                auto o = openExams(ctx);
                if (!o) return ctx.failWith(o.error());
                auto w = o->store->findWorker(*worker);
                if (!w) return ctx.failWith(w.error());
                auto p = o->exams->previewPaper(*sid, w->id);
                if (!p) return ctx.failWith(p.error());
                json items = json::array();
                std::string text;
                for (std::size_t i = 0; i < p->items.size(); ++i) {
                    items.push_back(itemJson(p->items[i], static_cast<int>(i), nullptr));
                    text += fmt::format("{:>3}. [{}] {}\n", i + 1, p->items[i].question.module, p->items[i].question.stem.zh);
                }
                return ctx.ok(json{{"sitting", *sid}, {"worker", w->id}, {"seed", std::to_string(p->seed)}, {"items", items}},
                              text);
            };
        });
    }

    // ---- attempt
    {
        auto* att = examCmd->add_subcommand("attempt", "take an exam from scripts (start, answer, flag, submit, show)");
        att->require_subcommand(1);
        {
            auto* start = att->add_subcommand("start", "start (or resume) a worker's attempt");
            auto sid = std::make_shared<std::int64_t>(0);
            auto worker = std::make_shared<std::string>();
            start->add_option("--sitting", *sid, "sitting id")->required();
            start->add_option("--worker", *worker, "worker id or document number")->required();
            start->callback([&action, sid, worker] {
                action = [sid, worker](Context& ctx) {
                    auto o = openCenter(ctx);
                    if (!o) return ctx.failWith(o.error());
                    auto w = o.value()->store().findWorker(*worker);
                    if (!w) return ctx.failWith(w.error());
                    auto started = o.value()->startOrResumeAttempt(*sid, w->id, ctx.actor);
                    if (!started) return ctx.failWith(started.error());
                    if (!started->attempt) {
                        // Missing hours: per module, as data (--json) and text, then exit 1.
                        const auto& gaps = started->missingHours;
                        json missing = json::array();
                        std::string text = fmt::format(
                            "worker {} ({}) cannot start sitting {}: the course's training comes first\n", w->id,
                            w->identity.name, *sid);
                        for (const auto& g : gaps) {
                            missing.push_back({{"module", g.moduleCode}, {"required_minutes", g.requiredMinutes},
                                               {"attended_minutes", g.attendedMinutes},
                                               {"missing_minutes", g.missingMinutes()}});
                            text += fmt::format("  {:<10} {:<32} {:>4} of {:>4} min attended, {:>4} min missing\n",
                                                g.moduleCode, g.moduleNameEn.empty() ? g.moduleCode : g.moduleNameEn,
                                                g.attendedMinutes, g.requiredMinutes, g.missingMinutes());
                        }
                        text += "roster the worker on sessions of these modules, or a trainer admits them: "
                                "'kioskctl exam sitting admit --sitting S --worker W --trainer ID'";
                        const std::string message = "the course's training hours come first";
                        if (ctx.json)
                            std::cout << json{{"ok", false},
                                              {"error", {{"code", training::errorCodeName(ErrorCode::Refused)},
                                                         {"message", message}}},
                                              {"sitting", *sid},
                                              {"worker", w->id},
                                              {"missing", missing}}
                                             .dump(2)
                                      << "\n";
                        std::cerr << "kioskctl: " << text << "\n";
                        return kExitUser;
                    }
                    const auto& a = started->attempt;
                    const auto now = o.value()->store().now();
                    return ctx.ok(attemptJson(*a, now, true), attemptText(*a, now));
                };
            });
        }
        struct ItemOpts {
            std::int64_t attempt{0};
            int item{0};
            std::string choice;
            bool clear{false};
        };
        {
            auto* ans = att->add_subcommand("answer", "answer an item; prints 'saved' only once it is on disk");
            auto o = std::make_shared<ItemOpts>();
            ans->add_option("--attempt", o->attempt, "attempt id")->required();
            ans->add_option("--item", o->item, "item number (1 = first)")->required();
            ans->add_option("--choice", o->choice, "option letter(s) as displayed, e.g. B or A,C");
            ans->add_flag("--clear", o->clear, "remove the answer instead");
            ans->callback([&action, o] {
                action = [o](Context& ctx) {
                    auto opened = openExams(ctx);
                    if (!opened) return ctx.failWith(opened.error());
                    auto a = opened->exams->loadAttempt(o->attempt);
                    if (!a) return ctx.failWith(a.error());
                    const int index = o->item - 1;
                    if (index < 0 || index >= a->attempt.itemCount())
                        return ctx.failWith({ErrorCode::InvalidInput,
                                             fmt::format("this paper has items 1 to {}", a->attempt.itemCount())});
                    const auto& item = a->attempt.paper().items[static_cast<std::size_t>(index)];
                    training::Result<void> r;
                    if (o->clear) {
                        r = opened->exams->clearAnswer(*a, index);
                    } else {
                        auto chosen = parseChoice(item, o->choice);
                        if (!chosen) return ctx.failWith(chosen.error());
                        r = opened->exams->answer(*a, index, *chosen);
                    }
                    if (!r) return ctx.failWith(r.error());
                    const auto now = opened->store->now();
                    return ctx.ok(json{{"saved", true},
                                       {"attempt", a->id},
                                       {"item", o->item},
                                       {"answer", letters(item, a->attempt.response(index).chosen)},
                                       {"remaining_seconds", a->attempt.remaining(exam::fromUnix(now)).count()}},
                                  fmt::format("saved: item {} = {}", o->item,
                                              o->clear ? "(cleared)" : letters(item, a->attempt.response(index).chosen)));
                };
            });
        }
        {
            auto* fl = att->add_subcommand("flag", "flag an item for later (or --clear the flag)");
            auto o = std::make_shared<ItemOpts>();
            fl->add_option("--attempt", o->attempt, "attempt id")->required();
            fl->add_option("--item", o->item, "item number (1 = first)")->required();
            fl->add_flag("--clear", o->clear, "remove the flag");
            fl->callback([&action, o] {
                action = [o](Context& ctx) {
                    auto opened = openExams(ctx);
                    if (!opened) return ctx.failWith(opened.error());
                    auto a = opened->exams->loadAttempt(o->attempt);
                    if (!a) return ctx.failWith(a.error());
                    if (auto r = opened->exams->flag(*a, o->item - 1, !o->clear); !r) return ctx.failWith(r.error());
                    return ctx.ok(json{{"saved", true}, {"attempt", a->id}, {"item", o->item}, {"flagged", !o->clear}},
                                  fmt::format("saved: item {} {}", o->item, o->clear ? "unflagged" : "flagged"));
                };
            });
        }
        for (const bool submitIt : {true, false}) {
            auto* cmd = att->add_subcommand(submitIt ? "submit" : "show", submitIt ? "hand the attempt in and grade it"
                                                                                  : "show an attempt");
            auto id = std::make_shared<std::int64_t>(0);
            cmd->add_option("--attempt", *id, "attempt id")->required();
            cmd->callback([&action, id, submitIt] {
                action = [id, submitIt](Context& ctx) {
                    auto opened = openExams(ctx);
                    if (!opened) return ctx.failWith(opened.error());
                    auto a = opened->exams->loadAttempt(*id);
                    if (!a) return ctx.failWith(a.error());
                    if (submitIt)
                        if (auto r = opened->exams->submit(*a); !r) return ctx.failWith(r.error());
                    const auto now = opened->store->now();
                    return ctx.ok(attemptJson(*a, now, !submitIt), attemptText(*a, now));
                };
            });
        }
    }

    // ---- board
    {
        auto* board = examCmd->add_subcommand("board", "the live proctor board: every candidate's progress, time "
                                                         "left and connection state");
        auto sid = std::make_shared<std::int64_t>(0);
        board->add_option("--sitting", *sid, "one sitting (default: every open or paused sitting)");
        board->callback([&action, sid] {
            action = [sid](Context& ctx) {
                auto o = openExams(ctx);
                if (!o) return ctx.failWith(o.error());
                auto lines = o->exams->proctorBoard(*sid > 0 ? std::optional(*sid) : std::nullopt);
                if (!lines) return ctx.failWith(lines.error());
                json arr = json::array();
                std::string text;
                for (const auto& l : *lines) {
                    json j{{"sitting", l.sittingId}, {"worker", l.workerId}, {"name", l.name},
                           {"presence", training::presenceName(l.presence)}, {"terminal", l.terminal},
                           {"extra_seconds", l.extraSeconds}};
                    if (l.attemptId) {
                        j["attempt"] = *l.attemptId;
                        j["current"] = l.current;
                        j["items"] = l.items;
                        j["answered"] = l.answered;
                        j["flagged"] = l.flagged;
                        j["remaining_seconds"] = l.remainingSeconds;
                        j["paused"] = l.paused;
                    }
                    if (l.lastContactAgo) j["last_contact_seconds_ago"] = *l.lastContactAgo;
                    if (l.lastAnswerAgo) j["last_answer_seconds_ago"] = *l.lastAnswerAgo;
                    if (l.score) j["score"] = *l.score;
                    if (l.passed) j["passed"] = *l.passed;
                    arr.push_back(std::move(j));
                    std::string where(training::presenceName(l.presence));
                    if (l.presence == training::Presence::AtScreen) where += " (" + l.terminal + ")";
                    if (l.presence == training::Presence::NoContact && l.lastContactAgo)
                        where += fmt::format(" for {} s", *l.lastContactAgo);
                    const std::string progress =
                        l.attemptId ? fmt::format("{}/{} ({} answered)", l.current + 1, l.items, l.answered) : "-";
                    const std::string left =
                        l.presence == training::Presence::Submitted
                            ? fmt::format("score {}", exam::formatScore(l.score.value_or(0)))
                            : l.attemptId ? (l.paused ? std::string("paused")
                                                      : fmt::format("{:02}:{:02} left", l.remainingSeconds / 60,
                                                                    l.remainingSeconds % 60))
                                          : std::string("-");
                    text += fmt::format("{:>4}  {:>6}  {:<20}  {:<18}  {:<11}  {}\n", l.sittingId, l.workerId,
                                        where, progress, left, l.name);
                }
                return ctx.ok(arr, text.empty() ? "no candidates in an open or paused sitting" : text);
            };
        });
    }

    // ---- question
    {
        auto* question = examCmd->add_subcommand("question", "one question of a bank");
        question->require_subcommand(1);
        auto* retire = question->add_subcommand(
            "retire", "keep a question out of future papers (past attempts keep it; audited); --restore undoes it");
        struct Opts {
            std::string id, bank;
            bool restore{false};
        };
        auto o = std::make_shared<Opts>();
        retire->add_option("ID", o->id, "question id (e.g. safety-013)")->required();
        retire->add_option("--bank", o->bank, "bank code (needed when several banks have the id)");
        retire->add_flag("--restore", o->restore, "put a retired question back into future papers");
        retire->callback([&action, o] {
            action = [o](Context& ctx) {
                auto opened = openExams(ctx);
                if (!opened) return ctx.failWith(opened.error());
                auto bank = opened->exams->retireQuestion(o->bank, o->id, !o->restore, ctx.actor);
                if (!bank) return ctx.failWith(bank.error());
                return ctx.ok(json{{"ok", true}, {"bank", *bank}, {"question", o->id}, {"retired", !o->restore}},
                              o->restore ? fmt::format("question {} of bank {} is back in future papers", o->id, *bank)
                                         : fmt::format("question {} of bank {} retired: no future paper draws it; "
                                                       "attempts that showed it keep it",
                                                       o->id, *bank));
            };
        });
    }

    // ---- stats
    {
        auto* stats = examCmd->add_subcommand("stats", "item and sitting statistics");
        auto sid = std::make_shared<std::int64_t>(0);
        stats->add_option("--sitting", *sid, "sitting id")->required();
        stats->callback([&action, sid] {
            action = [sid](Context& ctx) {
                auto o = openExams(ctx);
                if (!o) return ctx.failWith(o.error());
                std::vector<std::string> ids;
                auto st = o->exams->statistics(*sid, &ids);
                if (!st) return ctx.failWith(st.error());
                json items = json::array();
                std::string text = fmt::format("sitting {}: {} attempts, mean {:.1f}, median {:.1f}, sd {:.1f}, alpha {}\n",
                                               *sid, st->attempts, st->mean, st->median, st->standardDeviation,
                                               st->cronbachAlpha ? fmt::format("{:.3f}", *st->cronbachAlpha) : "-");
                int flagged = 0;
                for (std::size_t i = 0; i < st->items.size(); ++i) {
                    const auto& it = st->items[i];
                    const auto flags = exam::flagItem(it);
                    json flagsJson = json::array();
                    for (auto f : flags)
                        flagsJson.push_back({{"flag", exam::itemFlagName(f)}, {"recommendation", exam::itemFlagAdvice(f)}});
                    items.push_back({{"question", ids[i]},
                                     {"presented", it.presented},
                                     {"facility", it.facility},
                                     {"discrimination", it.discrimination ? json(*it.discrimination) : json(nullptr)},
                                     {"option_frequency", it.optionFrequency},
                                     {"flags", flagsJson}});
                    text += fmt::format("  {:<16} n={:<4} facility {:.2f}  discrimination {}{}\n", ids[i], it.presented,
                                        it.facility, it.discrimination ? fmt::format("{:+.2f}", *it.discrimination) : "-",
                                        flags.empty() ? "" : "  FLAGGED");
                    for (auto f : flags)
                        text += fmt::format("      {}: {}\n", exam::itemFlagName(f), exam::itemFlagAdvice(f));
                    flagged += flags.empty() ? 0 : 1;
                }
                if (flagged > 0)
                    text += fmt::format("{} question(s) flagged (facility below {} or above {}, or discrimination "
                                        "below {}, with at least 5 answers); 'kioskctl exam question retire ID' keeps "
                                        "one out of future papers\n",
                                        flagged, exam::kLowFacility, exam::kHighFacility, exam::kLowDiscrimination);
                json pass = json::object();
                for (const auto& [m, r] : st->modulePassRate) pass[m] = r;
                return ctx.ok(json{{"sitting", *sid},
                                   {"attempts", st->attempts},
                                   {"mean", st->mean},
                                   {"median", st->median},
                                   {"sd", st->standardDeviation},
                                   {"cronbach_alpha", st->cronbachAlpha ? json(*st->cronbachAlpha) : json(nullptr)},
                                   {"module_pass_rate", pass},
                                   {"items", items}},
                              text);
            };
        });
    }
}

}  // namespace kiosk::ctl
