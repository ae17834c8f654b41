#pragma once
/// @file devices.hpp
/// @brief Watches the devices the kiosk uses (card reader, camera, printer) on threads of their own and
/// posts DeviceStatus / card events; the kiosk works without any of them.
///
/// Card readers (`[card_reader] kind`):
/// - "pcsc": a PC/SC watcher posts CardDetected / CardRemoved for the readers whose name contains
///   `card_reader.reader` (all readers when empty); the passport key screen then reads the chip.
/// - "cn-vendor": the idreader_v1 library `card_reader.vendor_library` is loaded with dlopen and opened with
///   `card_reader.reader` as its configuration string (for the file-backed reader: its directory). A device
///   thread waits for a China resident ID card, reads the record and photo and posts CardInserted (method
///   "sam"), then CardRemoved when the card leaves; failures are posted as CardFailed with their
///   devices::errorCodeName() code. A missing library or reader is retried every few seconds.
/// - "none": no reader.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "devices/error.hpp"
#include "kiosk/config.hpp"
#include "runtime/events.hpp"

namespace devices::id {
class ReaderWatcher;
struct CnIdCard;
}  // namespace devices::id

namespace kiosk::ui {

/// @brief The CardInserted event of a China resident ID card read through idreader_v1: the identity fields
/// of the record, the photo as JPEG/PNG bytes (a BMP photo is converted to PNG) and method "sam".
/// Malformed when the photo cannot be re-encoded.
[[nodiscard]] devices::Result<CardInserted> cardFromCnId(const devices::id::CnIdCard& card);

/// @brief Device presence and card events.
class DeviceWatch {
public:
    DeviceWatch(const Config& config, EventQueue& queue);
    ~DeviceWatch();
    DeviceWatch(const DeviceWatch&) = delete;
    DeviceWatch& operator=(const DeviceWatch&) = delete;

private:
    void pollOthers();
    void watchVendorReader();
    /// Waits up to @p d; true when the watch is stopping.
    bool stopRequested(std::chrono::milliseconds d);
    Config m_config;
    EventQueue& m_queue;
    std::unique_ptr<devices::id::ReaderWatcher> m_reader;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_stop{false};
    std::thread m_thread;
    std::thread m_vendorThread;
};

}  // namespace kiosk::ui
