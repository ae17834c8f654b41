#pragma once
/// @file printing.hpp
/// @brief Printing from the kiosk: a thread of its own submits each PDF to CUPS and follows the job to its
/// end (seconds to minutes), then posts PrintDone; neither the UI thread nor the database thread waits.

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "kiosk/config.hpp"
#include "runtime/events.hpp"

namespace kiosk::ui {

/// @brief One document to print.
struct PrintRequest {
    std::int64_t workerId{0};
    std::string certificate;        ///< certificate number (for the message)
    std::filesystem::path file;     ///< the PDF; removed once printed (or failed)
};

/// @brief Makes the kiosk's private print spool: a new folder (mkdtemp, mode 0700) "badge-kiosk-print.XXXXXX" under
/// $XDG_RUNTIME_DIR, else under /tmp. Never a fixed name another account could create or read first.
/// @retval Io no folder could be made.
[[nodiscard]] training::Result<std::filesystem::path> makePrintSpool();

/// @brief The print queue of the kiosk.
class PrintService {
public:
    PrintService(const Config& config, EventQueue& queue);
    /// @brief Finishes the job in hand (pending requests are dropped) and joins the thread.
    ~PrintService();
    PrintService(const PrintService&) = delete;
    PrintService& operator=(const PrintService&) = delete;

    /// @brief Queues a document; never blocks.
    void enqueue(PrintRequest request);
    /// @brief The CUPS queue used: [printer] queue, else $PRINTER; empty when neither is set.
    [[nodiscard]] const std::string& queueName() const noexcept { return m_printerQueue; }

private:
    void run();

    EventQueue& m_queue;
    std::string m_printerQueue;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<PrintRequest> m_pending;
    bool m_stop{false};
    std::thread m_thread;
};

}  // namespace kiosk::ui
