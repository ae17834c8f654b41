#pragma once
/// @file printer.hpp
/// @brief Printing PDF documents (certificates, badge cards) on a printer queue and following each job
/// to the end. The CUPS adapter (libcups) talks IPP to the local scheduler (or $CUPS_SERVER).

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "devices/error.hpp"

namespace devices {

/// @brief Where a print job is (IPP job-state).
enum class PrintJobState {
    Pending,     ///< queued, waiting for the printer
    Held,        ///< held (e.g. until a time or by an operator)
    Processing,  ///< being printed
    Stopped,     ///< the job (or its printer) is stopped; an operator must act
    Canceled,    ///< cancelled by a user or operator
    Aborted,     ///< the system aborted it (filter or backend failure)
    Completed,   ///< printed
};

/// @brief "pending", "held", "processing", "stopped", "canceled", "aborted", "completed".
[[nodiscard]] std::string_view printJobStateName(PrintJobState state) noexcept;

/// @brief True for states a job never leaves (canceled, aborted, completed).
[[nodiscard]] bool isFinal(PrintJobState state) noexcept;

/// @brief A printer queue as the print system reports it.
struct PrinterStatus {
    std::string name;
    bool accepting{false};        ///< accepts new jobs
    bool stopped{false};          ///< printer-state is stopped (disabled)
    std::string stateMessage;     ///< printer-state-message, may be empty
    std::vector<std::string> reasons;  ///< printer-state-reasons other than "none"
};

/// @brief A job's state with the print system's explanation.
struct PrintJobStatus {
    PrintJobState state{PrintJobState::Pending};
    std::string message;  ///< job-printer-state-message and job-state-reasons, may be empty
};

/// @brief How to print.
struct PrintOptions {
    int copies{1};
    std::chrono::seconds timeout{300};  ///< per job, from submission to a final state
    std::string title;                  ///< job name; default: the file name
};

/// @brief The outcome of one file.
struct PrintJobResult {
    std::string file;
    int jobId{0};
    PrintJobState state{PrintJobState::Pending};
    std::string message;  ///< why it failed or did not finish (empty when completed)
};

/// @brief A print system. Implementations: CUPS (openCupsPrinter); tests may provide their own.
class Printer {
public:
    virtual ~Printer() = default;
    /// @brief The queue's state.
    /// @retval NotAvailable the queue does not exist, or the print system is not running
    [[nodiscard]] virtual Result<PrinterStatus> status(const std::string& queue) = 0;
    /// @brief Submits @p file; returns the job id.
    /// @retval InvalidInput the file cannot be read
    /// @retval NotAvailable no such queue, or it does not accept jobs
    /// @retval Internal the print system refused the job (its message is included)
    [[nodiscard]] virtual Result<int> submit(const std::string& queue, const std::filesystem::path& file,
                                            const PrintOptions& options) = 0;
    /// @brief A job's current state.
    /// @retval NotAvailable the print system is not running or forgot the job
    [[nodiscard]] virtual Result<PrintJobStatus> job(int jobId) = 0;
};

/// @brief The CUPS print system (the scheduler named by $CUPS_SERVER / client.conf, else the local one).
[[nodiscard]] std::unique_ptr<Printer> openCupsPrinter();

/// @brief Checks the queue, submits every file, and waits until each job is final, the printer stops,
/// or the timeout passes. Files are checked before anything is submitted.
/// @retval InvalidInput a file is missing or unreadable, or copies is not 1-99 (nothing was submitted)
/// @retval NotAvailable no such queue, the queue rejects jobs or is stopped, or CUPS is not running;
///         the message says what to run (e.g. `cupsenable QUEUE`)
/// @return one result per file; a job that did not complete has a message saying why
[[nodiscard]] Result<std::vector<PrintJobResult>> printAndWait(
    Printer& printer, const std::string& queue, const std::vector<std::string>& files, const PrintOptions& options,
    std::chrono::milliseconds pollInterval = std::chrono::milliseconds(200));

}  // namespace devices
