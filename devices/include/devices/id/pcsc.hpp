#pragma once
/// @file pcsc.hpp
/// @brief PC/SC (pcsc-lite) access: RAII context and card handles, reader list, a watcher thread that
/// posts reader and card events, cancellation with SCardCancel, and transmit with T=0/T=1 handling.
///
/// Error codes used: NotAvailable (pcscd not running), NoReader, NoCard, CardRemoved, Timeout, Cancelled,
/// Busy (reader used by another program), CardError (card does not answer), Internal (other PC/SC errors).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "devices/error.hpp"
#include "devices/id/apdu.hpp"

namespace devices::id {

/// @brief Maps a PC/SC return code to an Error whose message says what to do; @p what names the operation.
[[nodiscard]] Error pcscError(long rc, std::string_view what, std::string_view reader = {});

/// @brief Whether the ATR's historical bytes announce extended Lc/Le (card capabilities, ISO 7816-4 8.1.1.2.7).
[[nodiscard]] bool atrAnnouncesExtendedLength(ByteView atr);

/// @brief A PC/SC context (SCardEstablishContext / SCardReleaseContext).
class PcscContext {
public:
    /// @brief Connects to pcscd. NotAvailable when it is not running.
    [[nodiscard]] static Result<std::shared_ptr<PcscContext>> establish();
    ~PcscContext();
    PcscContext(const PcscContext&) = delete;
    PcscContext& operator=(const PcscContext&) = delete;

    /// @brief Names of the connected readers (empty list when none).
    [[nodiscard]] Result<std::vector<std::string>> listReaders() const;
    /// @brief Whether a card is present in @p reader, and its ATR (empty when no card).
    [[nodiscard]] Result<Bytes> cardAtr(const std::string& reader) const;
    /// @brief Waits until a card is present in @p reader, or in any reader when empty; returns the reader.
    [[nodiscard]] Result<std::string> waitForCard(const std::string& reader, std::chrono::milliseconds timeout) const;
    /// @brief Interrupts a blocking call on this context from another thread (SCardCancel).
    void cancel() const;
    /// @brief The raw handle (SCARDCONTEXT).
    [[nodiscard]] long handle() const { return m_handle; }

private:
    explicit PcscContext(long handle) : m_handle(handle) {}
    long m_handle;
};

/// @brief A connected card (SCardConnect / SCardDisconnect) that carries APDUs.
class PcscCard final : public CardChannel {
public:
    /// @brief Connects shared to @p reader with T=0 or T=1.
    [[nodiscard]] static Result<std::unique_ptr<PcscCard>> connect(std::shared_ptr<PcscContext> context,
                                                                   const std::string& reader);
    ~PcscCard() override;
    PcscCard(const PcscCard&) = delete;
    PcscCard& operator=(const PcscCard&) = delete;

    /// @brief Sends an APDU; 61xx is followed by GET RESPONSE, 6Cxx by a re-send with the right Le.
    [[nodiscard]] Result<Response> transmit(const Apdu& apdu) override;
    [[nodiscard]] bool extendedLength() const override { return m_extended; }
    [[nodiscard]] std::size_t apduCount() const override { return m_count; }
    /// @brief Re-connects after a reset or re-insertion (SCardReconnect); with @p reset the card gets a warm reset
    /// (SCARD_RESET_CARD), which also clears a half-started transaction on the card.
    [[nodiscard]] Result<void> reconnect(bool reset = false);
    [[nodiscard]] const Bytes& atr() const { return m_atr; }
    [[nodiscard]] const std::string& reader() const { return m_reader; }

private:
    PcscCard() = default;
    Result<Response> raw(const Bytes& command);
    std::shared_ptr<PcscContext> m_context;
    std::string m_reader;
    long m_handle{0};
    unsigned long m_protocol{0};
    Bytes m_atr;
    bool m_extended{false};
    std::size_t m_count{0};
};

/// @brief What the watcher saw.
enum class ReaderEventKind {
    ReaderAdded,    ///< a reader appeared (also reported for every reader at start)
    ReaderRemoved,  ///< a reader was unplugged
    CardInserted,   ///< a card is present (also reported at start for cards already there)
    CardRemoved,    ///< the card was taken away
    ServiceLost,    ///< pcscd stopped or is not running; the watcher retries every second
    ServiceBack,    ///< pcscd is reachable again
};

/// @brief "reader-added", "reader-removed", "card-inserted", "card-removed", "service-lost", "service-back".
[[nodiscard]] std::string_view readerEventName(ReaderEventKind kind) noexcept;

/// @brief One event; @c atr is set for CardInserted, @c message for ServiceLost.
struct ReaderEvent {
    ReaderEventKind kind{ReaderEventKind::ReaderAdded};
    std::string reader;
    Bytes atr;
    std::string message;
};

/// @brief A thread that waits in SCardGetStatusChange (readers and the PnP notification) and posts events
/// to a callback (called on the watcher thread). stop() cancels with SCardCancel and joins.
class ReaderWatcher {
public:
    using Sink = std::function<void(const ReaderEvent&)>;
    explicit ReaderWatcher(Sink sink);
    ~ReaderWatcher();
    ReaderWatcher(const ReaderWatcher&) = delete;
    ReaderWatcher& operator=(const ReaderWatcher&) = delete;

    /// @brief Starts the thread (idempotent). The thread keeps running while pcscd is away.
    void start();
    /// @brief Stops and joins the thread; returns promptly even while it is blocked in PC/SC.
    void stop();

private:
    void run();
    Sink m_sink;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::shared_ptr<PcscContext> m_context;  // guarded by m_mutex
};

}  // namespace devices::id
