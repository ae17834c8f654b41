#pragma once
/// @file devices.hpp
/// @brief Watches the devices the kiosk uses (card reader, camera, printer) on threads of their own and
/// posts DeviceStatus / card events; the kiosk works without any of them.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "kiosk/config.hpp"
#include "ui/events.hpp"

namespace devices::id {
class ReaderWatcher;
}

namespace kiosk::ui {

/// @brief Device presence and card events.
class DeviceWatch {
public:
    DeviceWatch(const Config& config, EventQueue& queue);
    ~DeviceWatch();
    DeviceWatch(const DeviceWatch&) = delete;
    DeviceWatch& operator=(const DeviceWatch&) = delete;

private:
    void pollOthers();
    Config m_config;
    EventQueue& m_queue;
    std::unique_ptr<devices::id::ReaderWatcher> m_reader;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_stop{false};
    std::thread m_thread;
};

}  // namespace kiosk::ui
