// kioskctl cert render|print and print: certificate and badge card PDFs, printing through CUPS.
#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>

#include "context.hpp"
#include "devices/printer.hpp"
#include "kiosk/config.hpp"
#include "training/center_key.hpp"
#include "training/documents.hpp"
#include "training/eligibility.hpp"

namespace kiosk::ctl {

using nlohmann::json;
using training::ErrorCode;

namespace {

json renderedJson(const training::RenderedDocument& r, const std::string& out, training::DocumentKind kind) {
    return json{{"ok", true},
                {"kind", std::string(training::documentKindName(kind))},
                {"file", out},
                {"bytes", r.pdf.size()},
                {"pages", r.pages},
                {"font", r.fontFile},
                {"font_glyphs", r.glyphs},
                {"font_bytes", r.fontBytes}};
}

json jobJson(const devices::PrintJobResult& j) {
    json o{{"file", j.file},
           {"job", j.jobId},
           {"state", std::string(devices::printJobStateName(j.state))},
           {"ok", j.state == devices::PrintJobState::Completed}};
    if (!j.message.empty()) o["message"] = j.message;
    return o;
}

/// A worker who is not eligible: the error, and with --json every unmet condition (exit code 1).
int refuseNotEligible(const Context& ctx, const training::Error& error, const training::EligibilityReport& report,
                      const std::string& name) {
    std::cerr << "kioskctl: " << error.message << "\n";
    if (ctx.json) {
        auto j = eligibilityJson(report, name);
        j["ok"] = false;
        j["error"] = {{"code", training::errorCodeName(error.code)}, {"message", error.message}};
        std::cout << j.dump(2) << "\n";
    }
    return kExitUser;
}

/// A fresh private folder for rendered files, removed with its contents at the end of the scope.
class ScratchDir {
public:
    ScratchDir() {
        const char* base = std::getenv("TMPDIR");
        auto tmpl = (std::filesystem::path(base && *base ? base : "/tmp") / "kioskctl-print-XXXXXX").string();
        if (::mkdtemp(tmpl.data())) m_path = tmpl;
    }
    ~ScratchDir() {
        std::error_code ec;
        if (!m_path.empty()) std::filesystem::remove_all(m_path, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

/// Options of `cert print`.
struct SittingPrintOptions {
    std::int64_t sitting{0};
    std::string printer, templates, outDir;
    int copies{1};
    int timeout{300};
    bool badge{false};
};

/// One candidate's outcome in `cert print`.
struct CandidateOutcome {
    std::int64_t workerId{0};
    std::string name;
    std::string status;  // printed | failed | skipped
    std::optional<std::string> certificate;
    std::optional<devices::PrintJobResult> job;
    std::string message;  // why it failed
    nlohmann::json unmet = nlohmann::json::array();
};

/// `kioskctl cert print --sitting S`: issues (idempotently) and renders the certificate (or badge card) of every
/// eligible candidate, prints them in one go and follows each job; reports every candidate.
int printSitting(Context& ctx, const SittingPrintOptions& o) {
    std::string queue = o.printer;
    if (queue.empty())
        if (const char* env = std::getenv("PRINTER"); env && *env) queue = env;
    if (queue.empty())
        return ctx.failWith({ErrorCode::InvalidInput, "no printer given: use --printer QUEUE (lpstat -p lists the "
                                                      "queues) or set PRINTER"});
    auto printer = devices::openCupsPrinter();
    // The queue is checked first: nothing is issued for a printer that cannot print.
    if (auto st = printer->status(queue); !st) return ctx.failWith(st.error());
    else if (st->stopped || !st->accepting)
        return ctx.failWith({ErrorCode::InvalidInput,
                             fmt::format("printer '{}' is {}{}; run 'cupsenable {}' and 'cupsaccept {}' first", queue,
                                         st->stopped ? "stopped" : "not accepting jobs",
                                         st->stateMessage.empty() ? "" : " (" + st->stateMessage + ")", queue, queue)});

    auto center = openCenter(ctx, false, o.templates);
    if (!center) return ctx.failWith(center.error());
    auto& store = center->store;
    // The key and the templates are checked first: nothing is issued when no document could be drawn.
    if (auto key = center->ops->key(); !key) return ctx.failWith(key.error());
    if (auto renderer = center->ops->renderer(); !renderer) return ctx.failWith(renderer.error());
    auto reports = training::checkSittingEligibility(*store, o.sitting);
    if (!reports) return ctx.failWith(reports.error());
    ScratchDir scratch;
    if (scratch.path().empty()) return ctx.failWith({ErrorCode::Io, "cannot create a temporary folder for the PDFs"});
    if (!o.outDir.empty() && !std::filesystem::is_directory(o.outDir))
        return ctx.failWith({ErrorCode::InvalidInput, fmt::format("--out-dir {} is not a folder; create it first", o.outDir)});

    const auto kind = o.badge ? training::DocumentKind::Badge : training::DocumentKind::Certificate;
    std::vector<CandidateOutcome> outcomes;
    std::vector<std::string> files;
    std::vector<std::size_t> fileOwner;  // outcome index of each file
    for (const auto& r : *reports) {
        CandidateOutcome c;
        c.workerId = r.workerId;
        if (auto w = store->worker(r.workerId); w) c.name = w->identity.name;
        if (!r.eligible) {
            c.status = "skipped";
            c.unmet = eligibilityJson(r, c.name)["unmet"];
            outcomes.push_back(std::move(c));
            continue;
        }
        auto rendered = [&]() -> training::Result<std::filesystem::path> {
            auto issued = center->ops->issueAndRender(r.workerId, r.courseId, kind,
                                                      scratch.path() / fmt::format("worker-{}.pdf", r.workerId),
                                                      ctx.actor);
            if (!issued) return std::unexpected(issued.error());
            c.certificate = issued->certificate.number;
            const auto name = fmt::format("{}{}.pdf", issued->certificate.number, o.badge ? "-badge" : "");
            {
                std::error_code ec;
                std::filesystem::rename(issued->file, scratch.path() / name, ec);
                if (ec) return training::fail(ErrorCode::Io, fmt::format("cannot write {}: {}", name, ec.message()));
            }
            if (!o.outDir.empty()) {
                std::error_code ec;
                std::filesystem::copy_file(scratch.path() / name, std::filesystem::path(o.outDir) / name,
                                           std::filesystem::copy_options::overwrite_existing, ec);
                if (ec)
                    return training::fail(ErrorCode::Io, fmt::format("cannot copy the PDF into {}: {}", o.outDir,
                                                                     ec.message()));
            }
            return scratch.path() / name;
        }();
        if (!rendered) {
            c.status = "failed";
            c.message = rendered.error().message;
        } else {
            files.push_back(rendered->string());
            fileOwner.push_back(outcomes.size());
        }
        outcomes.push_back(std::move(c));
    }

    if (!files.empty()) {
        devices::PrintOptions popts{.copies = o.copies, .timeout = std::chrono::seconds(o.timeout), .title = {}};
        auto results = devices::printAndWait(*printer, queue, files, popts);
        if (!results) {
            for (auto i : fileOwner) {
                outcomes[i].status = "failed";
                outcomes[i].message = results.error().message;
            }
        } else {
            for (std::size_t f = 0; f < results->size() && f < fileOwner.size(); ++f) {
                auto& c = outcomes[fileOwner[f]];
                const auto& j = (*results)[f];
                c.job = j;
                c.status = j.state == devices::PrintJobState::Completed ? "printed" : "failed";
                if (c.status == "failed")
                    c.message = j.message.empty() ? fmt::format("the job ended {}", devices::printJobStateName(j.state))
                                                  : j.message;
            }
        }
    }

    int printed = 0, failed = 0, skipped = 0;
    json workers = json::array();
    std::string text;
    for (const auto& c : outcomes) {
        printed += c.status == "printed";
        failed += c.status == "failed";
        skipped += c.status == "skipped";
        json w{{"worker", c.workerId}, {"name", c.name}, {"status", c.status},
               {"certificate", c.certificate ? json(*c.certificate) : json(nullptr)}};
        if (c.job) w["job"] = jobJson(*c.job);
        if (!c.message.empty()) w["message"] = c.message;
        if (c.status == "skipped") w["unmet"] = c.unmet;
        workers.push_back(w);
        text += fmt::format("{} {}: {}", c.workerId, c.name, c.status);
        if (c.certificate) text += " " + *c.certificate;
        if (c.job) text += fmt::format(" (job {})", c.job->jobId);
        if (!c.message.empty()) text += " — " + c.message;
        text += "\n";
        if (c.status == "skipped")
            for (const auto& u : c.unmet) text += fmt::format("    - {}\n", u["staff"].get<std::string>());
    }
    text += fmt::format("{} printed, {} failed, {} not eligible (sitting {}, printer {})\n", printed, failed, skipped,
                        o.sitting, queue);
    ctx.ok(json{{"ok", failed == 0},
                {"sitting", o.sitting},
                {"printer", queue},
                {"kind", std::string(training::documentKindName(kind))},
                {"printed", printed},
                {"failed", failed},
                {"skipped", skipped},
                {"workers", workers}},
           text);
    if (failed > 0) {
        std::cerr << "kioskctl: " << failed << " document(s) not printed; see the messages above\n";
        return kExitSystem;
    }
    return kExitOk;
}

}  // namespace

void addDocumentCommands(CLI::App& app, Action& action) {
    // `cert` may also be registered by the certification commands; share it.
    CLI::App* cert = nullptr;
    for (auto* sub : app.get_subcommands({}))
        if (sub->get_name() == "cert") cert = sub;
    if (!cert) {
        cert = app.add_subcommand("cert", "completion certificates and badge cards");
        cert->require_subcommand(1);
    }

    // ---- cert render
    {
        auto* cmd = cert->add_subcommand("render", "render a certificate (A4) or badge card (ID-1) as PDF");
        struct Opts {
            std::string worker, out, templates, reason;
            bool badge{false}, demo{false}, reissue{false};
        };
        auto o = std::make_shared<Opts>();
        cmd->add_option("--worker", o->worker, "worker id or ID number (must be eligible)");
        cmd->add_flag("--demo", o->demo, "render sample data (layout work; needs no database)");
        cmd->add_option("--out", o->out, "the PDF file to write")->required();
        cmd->add_flag("--badge", o->badge, "the badge card instead of the certificate");
        cmd->add_flag("--reissue", o->reissue,
                      "issue a new certificate to a worker whose certificate was revoked (needs --reason; audited)");
        cmd->add_option("--reason", o->reason, "why the certificate is re-issued (with --reissue)");
        cmd->add_option("--templates", o->templates,
                        "folder with certificate.toml and badge.toml (default: $KIOSK_CERT_TEMPLATES or the installed ones)");
        cmd->callback([&action, o] {
            action = [o](Context& ctx) {
                if (o->demo == !o->worker.empty())
                    return ctx.failWith({ErrorCode::InvalidInput, "give either --worker W or --demo"});
                if (o->reissue != !o->reason.empty() || (o->reissue && o->demo))
                    return ctx.failWith({ErrorCode::InvalidInput,
                                         "--reissue and --reason TEXT go together, with --worker W"});
                const auto kind = o->badge ? training::DocumentKind::Badge : training::DocumentKind::Certificate;
                const auto done = [&](const training::RenderedDocument& r, const json& certificate) {
                    auto j = renderedJson(r, o->out, kind);
                    j["certificate"] = certificate;
                    return ctx.ok(j, fmt::format("wrote {} ({} bytes, {} page(s), font {})", o->out, r.pdf.size(),
                                                 r.pages, r.fontFile));
                };
                if (o->demo) {
                    training::DocumentRendererOptions ropts;
                    ropts.templateDir = o->templates;
                    auto renderer = training::DocumentRenderer::create(ropts);
                    if (!renderer) return ctx.failWith(renderer.error());
                    auto r = renderer->renderToFile(kind, training::demoCertificateDocument(), o->out);
                    if (!r) return ctx.failWith(r.error());
                    return done(*r, nullptr);
                }
                // Issues the certificate if the worker is eligible (idempotent), else refuses with every unmet
                // condition; then renders what the certificate records say.
                auto center = openCenter(ctx, false, o->templates);
                if (!center) return ctx.failWith(center.error());
                auto worker = resolveWorker(*center->store, o->worker);
                if (!worker) return ctx.failWith(worker.error());
                auto issued = center->ops->issueAndRender(worker->id, std::nullopt, kind, o->out, ctx.actor,
                                                          o->reissue ? std::optional<std::string>(o->reason)
                                                                     : std::nullopt);
                if (!issued) {
                    if (issued.error().code == ErrorCode::Refused)
                        if (auto report = training::checkEligibility(*center->store, worker->id);
                            report && !report->eligible)
                            return refuseNotEligible(ctx, issued.error(), *report, worker->identity.name);
                    return ctx.failWith(issued.error());
                }
                return done(issued->document, issued->certificate.number);
            };
        });
    }

    // ---- cert print --sitting S
    {
        auto* cmd = cert->add_subcommand(
            "print", "render and print the certificates of every eligible candidate of an exam sitting");
        auto o = std::make_shared<SittingPrintOptions>();
        cmd->add_option("--sitting", o->sitting, "exam sitting id ('kioskctl exam sitting list')")->required();
        cmd->add_option("--printer", o->printer, "CUPS queue (default: $PRINTER; lpstat -p lists the queues)");
        cmd->add_option("--copies", o->copies, "copies of each document")->check(CLI::Range(1, 99));
        cmd->add_flag("--badge", o->badge, "print badge cards instead of certificates");
        cmd->add_option("--out-dir", o->outDir, "also keep the rendered PDFs in this folder");
        cmd->add_option("--timeout", o->timeout, "seconds to wait for each job")->check(CLI::Range(1, 3600));
        cmd->add_option("--templates", o->templates,
                        "folder with certificate.toml and badge.toml (default: $KIOSK_CERT_TEMPLATES or the installed ones)");
        cmd->callback([&action, o] {
            action = [o](Context& ctx) { return printSitting(ctx, *o); };
        });
    }

    // ---- print
    {
        auto* cmd = app.add_subcommand("print", "print PDF files on a CUPS queue and wait for each job");
        struct Opts {
            std::vector<std::string> files;
            std::string printer;
            int copies{1};
            int timeout{300};
        };
        auto o = std::make_shared<Opts>();
        cmd->add_option("FILE", o->files, "PDF files")->required();
        cmd->add_option("--printer", o->printer, "CUPS queue name (lpstat -p lists them)")->required();
        cmd->add_option("--copies", o->copies, "copies of each file")->check(CLI::Range(1, 99));
        cmd->add_option("--timeout", o->timeout, "seconds to wait for each job")->check(CLI::Range(1, 3600));
        cmd->callback([&action, o] {
            action = [o](Context& ctx) {
                auto printer = devices::openCupsPrinter();
                devices::PrintOptions opts{.copies = o->copies,
                                           .timeout = std::chrono::seconds(o->timeout),
                                           .title = {}};
                auto results = devices::printAndWait(*printer, o->printer, o->files, opts);
                if (!results) return ctx.failWith(results.error());
                json jobs = json::array();
                std::string text;
                bool allOk = true;
                for (const auto& j : *results) {
                    jobs.push_back(jobJson(j));
                    allOk = allOk && j.state == devices::PrintJobState::Completed;
                    text += fmt::format("{}: job {} {}{}\n", j.file, j.jobId, devices::printJobStateName(j.state),
                                        j.message.empty() ? "" : " — " + j.message);
                }
                if (ctx.json) std::cout << json{{"ok", allOk}, {"printer", o->printer}, {"jobs", jobs}}.dump(2) << "\n";
                else std::cout << text;
                if (!allOk) std::cerr << "kioskctl: not every job completed; see the messages above\n";
                return allOk ? kExitOk : kExitSystem;
            };
        });
    }
}

}  // namespace kiosk::ctl
