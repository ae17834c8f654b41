#include "runtime/printing.hpp"

#include <cerrno>
#include <cstdlib>
#include <string>
#include <system_error>
#include <vector>

#include "devices/printer.hpp"

namespace kiosk::ui {

training::Result<std::filesystem::path> makePrintSpool() {
    std::string lastProblem;
    std::vector<std::filesystem::path> bases;
    if (const char* run = std::getenv("XDG_RUNTIME_DIR"); run && *run) bases.emplace_back(run);
    bases.emplace_back("/tmp");
    for (const auto& base : bases) {
        std::string tmpl = (base / "badge-kiosk-print.XXXXXX").string();
        if (::mkdtemp(tmpl.data())) return std::filesystem::path(tmpl);  // mkdtemp makes it 0700
        lastProblem = base.string() + ": " + std::generic_category().message(errno);
    }
    return training::fail(training::ErrorCode::Io,
                          "cannot make a private print folder (" + lastProblem + "); check $XDG_RUNTIME_DIR and /tmp");
}

PrintService::PrintService(const Config& config, EventQueue& queue) : m_queue(queue), m_printerQueue(config.printer.queue) {
    if (m_printerQueue.empty())
        if (const char* env = std::getenv("PRINTER"); env && *env) m_printerQueue = env;
    m_thread = std::thread([this] { run(); });
}

PrintService::~PrintService() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        for (const auto& r : m_pending) {
            std::error_code ec;
            std::filesystem::remove(r.file, ec);
        }
        m_pending.clear();
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

void PrintService::enqueue(PrintRequest request) {
    {
        std::lock_guard lock(m_mutex);
        m_pending.push_back(std::move(request));
    }
    m_cv.notify_all();
}

void PrintService::run() {
    auto printer = devices::openCupsPrinter();
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_cv.wait(lock, [&] { return m_stop || !m_pending.empty(); });
        if (m_stop) return;
        PrintRequest r = std::move(m_pending.front());
        m_pending.pop_front();
        lock.unlock();
        PrintDone done{r.workerId, r.certificate, false, {}};
        if (m_printerQueue.empty()) {
            done.message = "no printer is configured: set [printer] queue in the kiosk configuration (lpstat -p "
                           "lists the queues)";
        } else {
            devices::PrintOptions options;
            options.title = r.certificate.empty() ? r.file.filename().string() : r.certificate;
            auto results = devices::printAndWait(*printer, m_printerQueue, {r.file.string()}, options);
            if (!results) {
                done.message = results.error().message;
            } else if (results->empty()) {
                done.message = "the print system returned no job";
            } else {
                const auto& j = results->front();
                done.ok = j.state == devices::PrintJobState::Completed;
                done.message = done.ok ? std::string() : j.message.empty() ? std::string("the job ended ") +
                                                                                 std::string(devices::printJobStateName(j.state))
                                                                           : j.message;
            }
        }
        std::error_code ec;
        std::filesystem::remove(r.file, ec);
        m_queue.post(std::move(done));
        lock.lock();
    }
}

}  // namespace kiosk::ui
