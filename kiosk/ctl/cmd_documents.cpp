// kioskctl cert render|print and print: certificate and badge card PDFs, printing through CUPS.
#include <fmt/format.h>

#include <fstream>

#include "context.hpp"
#include "devices/printer.hpp"
#include "kiosk/config.hpp"
#include "training/center_key.hpp"
#include "training/documents.hpp"

namespace kiosk::ctl {

using nlohmann::json;
using training::ErrorCode;

namespace {

training::Error fromDevice(const devices::Error& e) {
    // Printing failures: a missing queue or file is the user's to fix; the rest are system failures.
    const bool user = e.code == devices::ErrorCode::InvalidInput || e.code == devices::ErrorCode::NotAvailable;
    return training::Error{user ? ErrorCode::InvalidInput : ErrorCode::Io, e.message};
}

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
            std::string worker, out, templates;
            bool badge{false}, demo{false};
        };
        auto o = std::make_shared<Opts>();
        cmd->add_option("--worker", o->worker, "worker id or ID number (must be eligible)");
        cmd->add_flag("--demo", o->demo, "render sample data (layout work; needs no database)");
        cmd->add_option("--out", o->out, "the PDF file to write")->required();
        cmd->add_flag("--badge", o->badge, "the badge card instead of the certificate");
        cmd->add_option("--templates", o->templates,
                        "folder with certificate.toml and badge.toml (default: $KIOSK_CERT_TEMPLATES or the installed ones)");
        cmd->callback([&action, o] {
            action = [o](Context& ctx) {
                if (o->demo == !o->worker.empty())
                    return ctx.failWith({ErrorCode::InvalidInput, "give either --worker W or --demo"});
                const auto kind = o->badge ? training::DocumentKind::Badge : training::DocumentKind::Certificate;
                training::DocumentRendererOptions ropts;
                ropts.templateDir = o->templates;
                auto renderer = training::DocumentRenderer::create(ropts);
                if (!renderer) return ctx.failWith(renderer.error());
                training::CertificateDocument doc;
                if (o->demo) {
                    doc = training::demoCertificateDocument();
                } else {
                    // Issues the certificate if the worker is eligible (idempotent), else refuses with every
                    // unmet condition; then renders what the certificate records say.
                    auto store = ctx.openStore();
                    if (!store) return ctx.failWith(store.error());
                    auto worker = resolveWorker(**store, o->worker);
                    if (!worker) return ctx.failWith(worker.error());
                    auto key = training::CenterKey::load(
                        training::defaultCenterKeyPath(defaultDatabasePath(ctx.dbPath)));
                    if (!key) return ctx.failWith(key.error());
                    training::Certificates certs(**store, &*key);
                    auto issued = certs.issue(worker->id, std::nullopt, ctx.actor);
                    if (!issued) return ctx.failWith(issued.error());
                    auto data = certs.document(issued->number);
                    if (!data) return ctx.failWith(data.error());
                    doc = std::move(*data);
                }
                auto r = renderer->renderToFile(kind, doc, o->out);
                if (!r) return ctx.failWith(r.error());
                return ctx.ok(renderedJson(*r, o->out, kind),
                              fmt::format("wrote {} ({} bytes, {} page(s), font {})", o->out, r->pdf.size(), r->pages,
                                          r->fontFile));
            };
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
                if (!results) return ctx.failWith(fromDevice(results.error()));
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
