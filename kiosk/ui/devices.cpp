#include "ui/devices.hpp"

#include <cstdio>
#include <filesystem>
#include <set>

#include "devices/id/pcsc.hpp"

namespace kiosk::ui {

namespace {
/// True when CUPS has at least one queue (the configured one when named).
bool printerAvailable(const std::string& queue, std::string& detail) {
    FILE* p = popen("lpstat -a 2>/dev/null", "r");
    if (!p) return false;
    char line[512];
    bool any = false;
    while (std::fgets(line, sizeof line, p)) {
        const std::string name = std::string(line).substr(0, std::string(line).find(' '));
        if (queue.empty() || name == queue) {
            any = true;
            detail = name;
        }
    }
    pclose(p);
    return any;
}

bool cameraAvailable(const std::string& source, std::string& detail) {
    detail = source;
    if (source == "none" || source.empty()) return false;
    std::error_code ec;
    if (source.starts_with("file:")) return std::filesystem::exists(source.substr(5), ec);
    if (source.starts_with("v4l2:")) {
        std::string dev = source.substr(5);
        if (!dev.empty() && std::isdigit(static_cast<unsigned char>(dev[0]))) dev = "/dev/video" + dev;
        return std::filesystem::exists(dev, ec);
    }
    return false;
}
}  // namespace

DeviceWatch::DeviceWatch(const Config& config, EventQueue& queue) : m_config(config), m_queue(queue) {
    if (m_config.cardReader.kind == "pcsc") {
        auto readers = std::make_shared<std::set<std::string>>();
        m_reader = std::make_unique<devices::id::ReaderWatcher>([this, readers](const devices::id::ReaderEvent& e) {
            using K = devices::id::ReaderEventKind;
            switch (e.kind) {
                case K::ReaderAdded: readers->insert(e.reader); break;
                case K::ReaderRemoved: readers->erase(e.reader); break;
                case K::ServiceLost: readers->clear(); break;
                case K::CardInserted: m_queue.post(CardDetected{e.reader}); return;
                case K::CardRemoved: m_queue.post(CardRemoved{}); return;
                case K::ServiceBack: break;
            }
            m_queue.post(DeviceStatus{"reader", !readers->empty(), readers->empty() ? e.message : *readers->begin()});
        });
        m_reader->start();
    } else {
        m_queue.post(DeviceStatus{"reader", false, "card_reader.kind = " + m_config.cardReader.kind});
    }
    m_thread = std::thread([this] { pollOthers(); });
}

DeviceWatch::~DeviceWatch() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
    if (m_reader) m_reader->stop();
}

void DeviceWatch::pollOthers() {
    std::optional<bool> lastCamera, lastPrinter;
    for (;;) {
        std::string camDetail, printerDetail;
        const bool cam = cameraAvailable(m_config.camera.source, camDetail);
        const bool printer = printerAvailable(m_config.printer.queue, printerDetail);
        if (lastCamera != cam) m_queue.post(DeviceStatus{"camera", cam, camDetail});
        if (lastPrinter != printer) m_queue.post(DeviceStatus{"printer", printer, printerDetail});
        lastCamera = cam;
        lastPrinter = printer;
        std::unique_lock lock(m_mutex);
        if (m_cv.wait_for(lock, std::chrono::seconds(10), [this] { return m_stop; })) return;
    }
}

}  // namespace kiosk::ui
