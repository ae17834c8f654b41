// kioskctl: the workers' rights (PIPL): worker consent withdraw, worker export, worker erase; privacy retention,
// privacy purge. The work is in training/privacy.hpp; this file parses, prints and maps errors.
#include <fmt/format.h>

#include "context.hpp"
#include "kiosk/config.hpp"
#include "training/privacy.hpp"
#include "training/validation.hpp"

namespace kiosk::ctl {

using nlohmann::json;

namespace {

std::string bytesText(std::int64_t b) {
    if (b >= 1024 * 1024) return fmt::format("{:.1f} MiB", static_cast<double>(b) / (1024.0 * 1024.0));
    if (b >= 1024) return fmt::format("{:.1f} KiB", static_cast<double>(b) / 1024.0);
    return fmt::format("{} bytes", b);
}

training::Result<training::RetentionPolicy> policyFrom(const std::vector<std::string>& settings) {
    training::RetentionPolicy p;
    for (const auto& s : settings)
        if (auto r = training::applyRetentionSetting(p, s); !r) return std::unexpected(r.error());
    return p;
}

void addWorkerPrivacyCommands(CLI::App& app, Action& action) {
    auto* worker = app.get_subcommand("worker");
    // worker consent withdraw W
    {
        auto* consent = worker->add_subcommand("consent", "a worker's consents");
        consent->require_subcommand(1);
        auto* withdraw = consent->add_subcommand(
            "withdraw", "withdraw the worker's biometric consent: the live portrait (unless printed on a valid badge) and "
                        "face scores are deleted; later identity checks go through staff");
        auto key = std::make_shared<std::string>();
        auto kind = std::make_shared<std::string>("biometric");
        withdraw->add_option("WORKER", *key, "worker id or document number")->required();
        withdraw->add_option("--kind", *kind, "the consent to withdraw (only 'biometric' can be withdrawn here)");
        withdraw->callback([&action, key, kind] {
            action = [key, kind](Context& ctx) {
                if (*kind != "biometric")
                    return ctx.failWith({training::ErrorCode::InvalidInput,
                                         "only the biometric consent can be withdrawn (--kind biometric); the commitment "
                                         "letter and the credit-check authorisation end with the training record "
                                         "('kioskctl worker erase')"});
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                auto w = resolveWorker(**store, *key);
                if (!w) return ctx.failWith(w.error());
                auto r = training::withdrawBiometricConsent(**store, w->id, ctx.actor);
                if (!r) return ctx.failWith(r.error());
                json j{{"ok", true},
                       {"worker", w->id},
                       {"withdrawn", r->consentsWithdrawn},
                       {"portraits_deleted", r->portraitsDeleted},
                       {"face_scores_cleared", r->faceScoresCleared},
                       {"portrait_kept_for", r->portraitKeptFor ? json(*r->portraitKeptFor) : json(nullptr)}};
                std::string text = fmt::format(
                    "biometric consent of worker {} withdrawn: {} live portrait(s) deleted, {} face score(s) cleared{}; "
                    "later identity checks go through staff",
                    w->id, r->portraitsDeleted, r->faceScoresCleared,
                    r->portraitKeptFor ? "; the portrait is kept: it is printed on valid certificate " + *r->portraitKeptFor
                                       : std::string());
                return ctx.ok(j, text);
            };
        });
    }
    // worker export W --out FILE.zip
    {
        auto* cmd = worker->add_subcommand(
            "export", "write everything held about a worker to a zip (data.json, images, signatures): PIPL art. 45");
        auto key = std::make_shared<std::string>();
        auto out = std::make_shared<std::string>();
        cmd->add_option("WORKER", *key, "worker id or document number")->required();
        cmd->add_option("--out", *out, "the zip file to write")->required();
        cmd->callback([&action, key, out] {
            action = [key, out](Context& ctx) {
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                auto w = resolveWorker(**store, *key);
                if (!w) return ctx.failWith(w.error());
                auto e = training::exportWorker(**store, w->id, kiosk::assetsDirectory() / "consents", ctx.actor);
                if (!e) return ctx.failWith(e.error());
                if (auto r = training::writeWorkerExport(*e, *out); !r) return ctx.failWith(r.error());
                json j{{"ok", true}, {"worker", w->id}, {"out", *out}, {"files", e->files.size() + 2}};
                for (const char* part : {"consents", "attendance", "attempts", "answers", "certificates",
                                         "submission_batches", "audit"})
                    j[part] = e->data[part].size();
                return ctx.ok(j, fmt::format("wrote {}: data.json, README.txt and {} image/signature file(s); {} "
                                             "consent(s), {} attendance row(s), {} attempt(s), {} certificate(s), {} "
                                             "audit row(s)",
                                             *out, e->files.size(), e->data["consents"].size(),
                                             e->data["attendance"].size(), e->data["attempts"].size(),
                                             e->data["certificates"].size(), e->data["audit"].size()));
            };
        });
    }
    // worker erase W --yes
    {
        auto* cmd = worker->add_subcommand(
            "erase", "erase a worker's personal data (PIPL art. 47); certificate numbers, validity and batch membership "
                     "are kept under a pseudonym");
        auto key = std::make_shared<std::string>();
        auto yes = std::make_shared<bool>(false);
        cmd->add_option("WORKER", *key, "worker id or document number")->required();
        cmd->add_flag("--yes", *yes, "confirm: erasure cannot be undone (export first: 'kioskctl worker export')");
        cmd->callback([&action, key, yes] {
            action = [key, yes](Context& ctx) {
                if (!*yes)
                    return ctx.failWith({training::ErrorCode::InvalidInput,
                                         "erasure cannot be undone: add --yes to confirm (a copy first: 'kioskctl worker "
                                         "export " + *key + " --out FILE.zip')"});
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                auto w = resolveWorker(**store, *key);
                if (!w) return ctx.failWith(w.error());
                auto r = training::eraseWorker(**store, w->id, ctx.actor);
                if (!r) return ctx.failWith(r.error());
                json j{{"ok", true},
                       {"worker", w->id},
                       {"pseudonym", r->pseudonym},
                       {"deleted",
                        {{"images", r->images},
                         {"consents", r->consents},
                         {"attendance", r->attendance},
                         {"rosters", r->rosters},
                         {"candidacies", r->candidacies},
                         {"attempts", r->attempts}}},
                       {"certificates_kept", r->certificatesKept},
                       {"batches_kept", r->batchesKept},
                       {"file_scrubbed", r->fileScrubbed},
                       {"scrub_problem", r->scrubProblem.empty() ? json(nullptr) : json(r->scrubProblem)}};
                std::string text = fmt::format(
                    "worker {} erased (now \"{}\"): deleted {} image(s), {} consent(s), {} attendance row(s), {} roster "
                    "entr(ies), {} exam candidac(ies), {} attempt(s); kept {} certificate number(s) and {} batch "
                    "membership(s) without personal data",
                    w->id, r->pseudonym, r->images, r->consents, r->attendance, r->rosters, r->candidacies, r->attempts,
                    r->certificatesKept.size(), r->batchesKept);
                if (!r->fileScrubbed)
                    text += "\nwarning: the deleted bytes may still be in the file: " + r->scrubProblem +
                            "; close the kiosks and run this command again (it deletes nothing more, it scrubs the file)";
                return ctx.ok(j, text);
            };
        });
    }
}

void addPrivacyGroup(CLI::App& app, Action& action) {
    auto* privacy = app.add_subcommand("privacy", "retention of personal data (docs/privacy.md)");
    privacy->require_subcommand(1);
    auto keep = std::make_shared<std::vector<std::string>>();
    // privacy retention
    {
        auto* cmd = privacy->add_subcommand("retention", "print the retention period of each category of personal data");
        cmd->add_option("--keep", *keep, "CATEGORY=DAYS overriding a default (repeatable)");
        cmd->callback([&action, keep] {
            action = [keep](Context& ctx) {
                auto p = policyFrom(*keep);
                if (!p) return ctx.failWith(p.error());
                json j{{"ok", true}};
                std::string text = "days kept after the worker's training and badge end (batches: after sending):\n";
                for (auto c : training::retentionCategories()) {
                    j["retention_days"][std::string(training::retentionCategoryName(c))] = p->days(c);
                    text += fmt::format("  {:<15} {}\n", training::retentionCategoryName(c), p->days(c));
                }
                return ctx.ok(j, text);
            };
        });
    }
    // privacy purge [--dry-run] [--keep CATEGORY=DAYS]...
    {
        auto* cmd = privacy->add_subcommand("purge", "delete personal data past its retention period (run daily)");
        auto dry = std::make_shared<bool>(false);
        auto keepPurge = std::make_shared<std::vector<std::string>>();
        cmd->add_flag("--dry-run", *dry, "only say what would be deleted");
        cmd->add_option("--keep", *keepPurge,
                        "CATEGORY=DAYS overriding a default: live-portraits, chip-photos, signatures, attempts, "
                        "attendance, batches (repeatable)");
        cmd->callback([&action, dry, keepPurge] {
            action = [dry, keepPurge](Context& ctx) {
                auto p = policyFrom(*keepPurge);
                if (!p) return ctx.failWith(p.error());
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                auto lines = training::purgeExpired(**store, *p, *dry, ctx.actor);
                if (!lines) return ctx.failWith(lines.error());
                json arr = json::array();
                std::string text = *dry ? "would delete (dry run, nothing changed):\n" : "deleted:\n";
                std::int64_t total = 0;
                for (const auto& l : *lines) {
                    const std::string name{training::retentionCategoryName(l.category)};
                    arr.push_back({{"category", name},
                                   {"records", l.records},
                                   {"bytes", l.bytes},
                                   {"workers", l.workers},
                                   {"retention_days", p->days(l.category)}});
                    text += fmt::format("  {:<15} {} record(s), {} ({} {}; kept {} days)\n", name, l.records,
                                        bytesText(l.bytes), l.workers,
                                        l.category == training::RetentionCategory::Batches ? "batch(es)" : "worker(s)",
                                        p->days(l.category));
                    total += l.records;
                }
                if (total == 0) text += "  nothing is past its retention period\n";
                return ctx.ok(json{{"ok", true}, {"dry_run", *dry}, {"categories", arr}}, text);
            };
        });
    }
}

}  // namespace

void addPrivacyCommands(CLI::App& app, Action& action) {
    addWorkerPrivacyCommands(app, action);
    addPrivacyGroup(app, action);
}

}  // namespace kiosk::ctl
