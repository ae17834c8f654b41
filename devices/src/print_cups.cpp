// Printing through CUPS (libcups, IPP to the scheduler) and following jobs to the end.
#include <cups/cups.h>
#include <cups/ipp.h>

#include <fstream>
#include <thread>

#include "devices/printer.hpp"

namespace devices {

std::string_view printJobStateName(PrintJobState state) noexcept {
    switch (state) {
        case PrintJobState::Pending: return "pending";
        case PrintJobState::Held: return "held";
        case PrintJobState::Processing: return "processing";
        case PrintJobState::Stopped: return "stopped";
        case PrintJobState::Canceled: return "canceled";
        case PrintJobState::Aborted: return "aborted";
        case PrintJobState::Completed: return "completed";
    }
    return "unknown";
}

bool isFinal(PrintJobState state) noexcept {
    return state == PrintJobState::Canceled || state == PrintJobState::Aborted || state == PrintJobState::Completed;
}

namespace {

std::string str(const char* s) { return s ? s : ""; }

std::string serverName() { return str(cupsServer()); }

/// The CUPS error of the last request, as an Error that says what to do.
Error lastError(const std::string& what, const std::string& queue) {
    const auto status = cupsLastError();
    const std::string text = str(cupsLastErrorString());
    if (status == IPP_STATUS_ERROR_NOT_FOUND)  // the queue named is wrong: the caller's input
        return Error{ErrorCode::InvalidInput,
                     "no such printer queue '" + queue + "' on CUPS server " + serverName() +
                         "; 'lpstat -p' lists the queues (add one with lpadmin)"};
    if (status == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE || status == IPP_STATUS_ERROR_INTERNAL ||
        text.find("connect") != std::string::npos || text.find("No such file") != std::string::npos)
        return Error{ErrorCode::NotAvailable, what + ": cannot reach the CUPS scheduler at " + serverName() + " (" +
                                                  text + "); start cups (service cups start) or check CUPS_SERVER"};
    if (status == IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS)
        return Error{ErrorCode::NotAvailable,
                     "printer queue '" + queue + "' does not accept jobs (" + text + "); run 'cupsaccept " + queue + "'"};
    return Error{ErrorCode::Internal, what + " failed: " + text};
}

std::string printerUri(const std::string& queue) {
    char uri[HTTP_MAX_URI];
    httpAssembleURIf(HTTP_URI_CODING_ALL, uri, sizeof uri, "ipp", nullptr, "localhost", 0, "/printers/%s", queue.c_str());
    return uri;
}

std::vector<std::string> keywords(ipp_t* resp, const char* name) {
    std::vector<std::string> out;
    if (auto* a = ippFindAttribute(resp, name, IPP_TAG_KEYWORD)) {
        for (int i = 0; i < ippGetCount(a); ++i) {
            const std::string k = str(ippGetString(a, i, nullptr));
            if (!k.empty() && k != "none") out.push_back(k);
        }
    }
    return out;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
}

class CupsPrinter final : public Printer {
public:
    Result<PrinterStatus> status(const std::string& queue) override {
        ipp_t* req = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES);
        ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, printerUri(queue).c_str());
        ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nullptr, cupsUser());
        ipp_t* resp = cupsDoRequest(CUPS_HTTP_DEFAULT, req, "/");
        if (!resp || ippGetStatusCode(resp) > IPP_STATUS_OK_CONFLICTING) {
            if (resp) ippDelete(resp);
            return std::unexpected(lastError("asking CUPS about printer '" + queue + "'", queue));
        }
        PrinterStatus s;
        s.name = queue;
        if (auto* a = ippFindAttribute(resp, "printer-state", IPP_TAG_ENUM))
            s.stopped = ippGetInteger(a, 0) == IPP_PSTATE_STOPPED;
        if (auto* a = ippFindAttribute(resp, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN))
            s.accepting = ippGetBoolean(a, 0) != 0;
        if (auto* a = ippFindAttribute(resp, "printer-state-message", IPP_TAG_TEXT)) s.stateMessage = str(ippGetString(a, 0, nullptr));
        s.reasons = keywords(resp, "printer-state-reasons");
        ippDelete(resp);
        return s;
    }

    Result<int> submit(const std::string& queue, const std::filesystem::path& file, const PrintOptions& options) override {
        cups_option_t* opts = nullptr;
        int n = 0;
        n = cupsAddOption("copies", std::to_string(options.copies).c_str(), n, &opts);
        const std::string title = options.title.empty() ? file.filename().string() : options.title;
        const int id = cupsPrintFile2(CUPS_HTTP_DEFAULT, queue.c_str(), file.c_str(), title.c_str(), n, opts);
        cupsFreeOptions(n, opts);
        if (id <= 0) return std::unexpected(lastError("submitting " + file.string() + " to '" + queue + "'", queue));
        return id;
    }

    Result<PrintJobStatus> job(int jobId) override {
        ipp_t* req = ippNewRequest(IPP_OP_GET_JOB_ATTRIBUTES);
        char uri[HTTP_MAX_URI];
        httpAssembleURIf(HTTP_URI_CODING_ALL, uri, sizeof uri, "ipp", nullptr, "localhost", 0, "/jobs/%d", jobId);
        ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "job-uri", nullptr, uri);
        ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nullptr, cupsUser());
        ipp_t* resp = cupsDoRequest(CUPS_HTTP_DEFAULT, req, "/");
        if (!resp || ippGetStatusCode(resp) > IPP_STATUS_OK_CONFLICTING) {
            if (resp) ippDelete(resp);
            auto e = lastError("asking CUPS about job " + std::to_string(jobId), "");
            if (cupsLastError() == IPP_STATUS_ERROR_NOT_FOUND)
                e = Error{ErrorCode::NotAvailable, "CUPS no longer knows job " + std::to_string(jobId) +
                                                       " (history purged?); check the printer output"};
            return std::unexpected(e);
        }
        PrintJobStatus s;
        int state = IPP_JSTATE_PENDING;
        if (auto* a = ippFindAttribute(resp, "job-state", IPP_TAG_ENUM)) state = ippGetInteger(a, 0);
        switch (state) {
            case IPP_JSTATE_PENDING: s.state = PrintJobState::Pending; break;
            case IPP_JSTATE_HELD: s.state = PrintJobState::Held; break;
            case IPP_JSTATE_PROCESSING: s.state = PrintJobState::Processing; break;
            case IPP_JSTATE_STOPPED: s.state = PrintJobState::Stopped; break;
            case IPP_JSTATE_CANCELED: s.state = PrintJobState::Canceled; break;
            case IPP_JSTATE_ABORTED: s.state = PrintJobState::Aborted; break;
            case IPP_JSTATE_COMPLETED: s.state = PrintJobState::Completed; break;
            default: break;
        }
        std::string msg;
        if (auto* a = ippFindAttribute(resp, "job-printer-state-message", IPP_TAG_TEXT)) msg = str(ippGetString(a, 0, nullptr));
        auto reasons = keywords(resp, "job-state-reasons");
        std::erase_if(reasons, [](const std::string& r) { return r == "job-completed-successfully" || r == "job-printing"; });
        if (!reasons.empty()) msg += (msg.empty() ? "" : "; ") + joined(reasons);
        s.message = msg;
        ippDelete(resp);
        return s;
    }
};

}  // namespace

std::unique_ptr<Printer> openCupsPrinter() { return std::make_unique<CupsPrinter>(); }

Result<std::vector<PrintJobResult>> printAndWait(Printer& printer, const std::string& queue,
                                                 const std::vector<std::string>& files, const PrintOptions& options,
                                                 std::chrono::milliseconds pollInterval) {
    if (options.copies < 1 || options.copies > 99)
        return fail(ErrorCode::InvalidInput, "copies must be between 1 and 99");
    if (files.empty()) return fail(ErrorCode::InvalidInput, "give at least one PDF file to print");
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        char head[5] = {};
        if (!in || !in.read(head, 5))
            return fail(ErrorCode::InvalidInput, "cannot read " + f + "; check the path (nothing was printed)");
        if (std::string_view(head, 5) != "%PDF-")
            return fail(ErrorCode::InvalidInput, f + " is not a PDF file; render it with 'kioskctl cert render' "
                                                     "(nothing was printed)");
    }
    auto st = printer.status(queue);
    if (!st) return std::unexpected(st.error());
    if (st->stopped)
        return fail(ErrorCode::NotAvailable,
                    "printer '" + queue + "' is stopped" + (st->stateMessage.empty() ? "" : " (" + st->stateMessage + ")") +
                        (st->reasons.empty() ? "" : " [" + joined(st->reasons) + "]") +
                        "; fix the printer, then run 'cupsenable " + queue + "' (nothing was printed)");
    if (!st->accepting)
        return fail(ErrorCode::NotAvailable,
                    "printer '" + queue + "' does not accept jobs; run 'cupsaccept " + queue + "' (nothing was printed)");

    std::vector<PrintJobResult> results;
    std::vector<std::chrono::steady_clock::time_point> started;
    for (const auto& f : files) {
        PrintJobResult r;
        r.file = f;
        auto id = printer.submit(queue, f, options);
        if (!id) {
            r.state = PrintJobState::Aborted;
            r.message = id.error().message;
        } else {
            r.jobId = *id;
        }
        results.push_back(std::move(r));
        started.push_back(std::chrono::steady_clock::now());
    }
    // Follow every job until it is final, stuck on a stopped printer, or out of time.
    for (;;) {
        bool waiting = false;
        for (std::size_t i = 0; i < results.size(); ++i) {
            auto& r = results[i];
            if (r.jobId == 0 || isFinal(r.state) || !r.message.empty()) continue;
            auto js = printer.job(r.jobId);
            if (!js) {
                r.message = js.error().message;
                continue;
            }
            r.state = js->state;
            if (r.state == PrintJobState::Completed) continue;
            if (r.state == PrintJobState::Aborted) {
                r.message = "job aborted by CUPS" + (js->message.empty() ? "" : ": " + js->message) +
                            "; see /var/log/cups/error_log, fix the printer or driver and print again";
                continue;
            }
            if (r.state == PrintJobState::Canceled) {
                r.message = "job was cancelled" + (js->message.empty() ? "" : ": " + js->message);
                continue;
            }
            if (r.state == PrintJobState::Stopped || r.state == PrintJobState::Pending || r.state == PrintJobState::Held) {
                auto ps = printer.status(queue);
                if (ps && ps->stopped) {
                    r.state = PrintJobState::Stopped;
                    r.message = "printer '" + queue + "' stopped" +
                                (ps->stateMessage.empty() ? "" : " (" + ps->stateMessage + ")") +
                                "; the job waits in the queue: fix the printer and run 'cupsenable " + queue + "'";
                    continue;
                }
            }
            if (std::chrono::steady_clock::now() - started[i] > options.timeout) {
                r.message = "job did not finish within " + std::to_string(options.timeout.count()) + " s (still " +
                            std::string(printJobStateName(r.state)) + (js->message.empty() ? "" : ": " + js->message) +
                            "); check the printer";
                continue;
            }
            waiting = true;
        }
        if (!waiting) break;
        std::this_thread::sleep_for(pollInterval);
    }
    return results;
}

}  // namespace devices
