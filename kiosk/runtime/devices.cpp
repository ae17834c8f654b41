#include "runtime/devices.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <set>

#include <opencv2/imgcodecs.hpp>

#include "devices/id/idreader.hpp"
#include "devices/id/pcsc.hpp"
#include "devices/printer.hpp"

namespace kiosk::ui {

namespace {
/// Whether the configured queue can print now (through the print system's own API: no program is run).
bool printerAvailable(devices::Printer& cups, const std::string& queue, std::string& detail) {
    if (queue.empty()) {
        detail = "no printer configured ([printer] queue)";
        return false;
    }
    auto st = cups.status(queue);
    if (!st) {
        detail = st.error().message;
        return false;
    }
    detail = queue;
    if (st->stopped || !st->accepting) {
        detail += st->stopped ? " (stopped)" : " (not accepting jobs)";
        return false;
    }
    return true;
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

/// Whether a PC/SC reader is the configured one (a substring of its name; every reader when empty).
bool readerSelected(const std::string& wanted, const std::string& reader) {
    return wanted.empty() || reader.find(wanted) != std::string::npos;
}

bool startsWith(const devices::id::Bytes& b, std::initializer_list<std::uint8_t> magic) {
    return b.size() >= magic.size() && std::equal(magic.begin(), magic.end(), b.begin());
}
}  // namespace

devices::Result<CardInserted> cardFromCnId(const devices::id::CnIdCard& card) {
    const auto& r = card.record;
    CardInserted c;
    c.method = "sam";
    auto& id = c.identity;
    id.docType = training::DocumentType::ChinaResidentId;
    id.docNumber = r.idNumber;
    id.issuingState = "CHN";
    id.nationality = "CHN";
    id.name = r.name;
    id.sex = r.sexCode == "1" ? training::Sex::Male : r.sexCode == "2" ? training::Sex::Female : training::Sex::Unknown;
    auto opt = [](const std::string& v) { return v.empty() ? std::nullopt : std::optional<std::string>(v); };
    id.birthDate = opt(r.birthDate);
    id.ethnicity = opt(r.ethnicZh.empty() ? r.ethnicCode : r.ethnicZh);
    id.idAddress = opt(r.address);
    id.idIssuer = opt(r.issuingAuthority);
    id.idValidFrom = opt(r.validFrom);
    id.idValidUntil = r.validUntil;
    // JPEG and PNG are kept as the reader gave them; anything else (a vendor's BMP) becomes PNG.
    if (startsWith(card.photo, {0xFF, 0xD8, 0xFF}) || startsWith(card.photo, {0x89, 'P', 'N', 'G'})) {
        c.chipPhoto.assign(card.photo.begin(), card.photo.end());
    } else if (!card.photoImage.empty()) {
        std::vector<uchar> png;
        bool ok = false;
        try {
            ok = cv::imencode(".png", card.photoImage, png);
        } catch (const cv::Exception&) {
            ok = false;
        }
        if (!ok) return devices::fail(devices::ErrorCode::Malformed, "the ID card photo cannot be converted to PNG: read the card again");
        c.chipPhoto.assign(png.begin(), png.end());
    }
    return c;
}

DeviceWatch::DeviceWatch(const Config& config, EventQueue& queue) : m_config(config), m_queue(queue) {
    if (m_config.cardReader.kind == "pcsc") {
        auto readers = std::make_shared<std::set<std::string>>();
        const std::string wanted = m_config.cardReader.reader;
        m_reader = std::make_unique<devices::id::ReaderWatcher>([this, readers, wanted](const devices::id::ReaderEvent& e) {
            using K = devices::id::ReaderEventKind;
            const bool selected = readerSelected(wanted, e.reader);
            switch (e.kind) {
                case K::ReaderAdded:
                    if (!selected) return;
                    readers->insert(e.reader);
                    break;
                case K::ReaderRemoved:
                    if (!selected) return;
                    readers->erase(e.reader);
                    break;
                case K::ServiceLost: readers->clear(); break;
                case K::CardInserted:
                    if (selected) m_queue.post(CardDetected{e.reader});
                    return;
                case K::CardRemoved:
                    if (selected) m_queue.post(CardRemoved{});
                    return;
                case K::ServiceBack: break;
            }
            std::string detail = readers->empty() ? e.message : *readers->begin();
            if (readers->empty() && !wanted.empty() && e.kind != K::ServiceLost)
                detail = "no PC/SC reader named like '" + wanted + "' (card_reader.reader): connect it or fix the name";
            m_queue.post(DeviceStatus{DeviceKind::Reader, !readers->empty(), detail});
        });
        m_reader->start();
    } else if (m_config.cardReader.kind == "cn-vendor") {
        m_queue.post(DeviceStatus{DeviceKind::Reader, false, "loading " + m_config.cardReader.vendorLibrary});
        m_vendorThread = std::thread([this] { watchVendorReader(); });
    } else {
        m_queue.post(DeviceStatus{DeviceKind::Reader, false, "card_reader.kind = " + m_config.cardReader.kind});
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
    if (m_vendorThread.joinable()) m_vendorThread.join();
    if (m_reader) m_reader->stop();
}

bool DeviceWatch::stopRequested(std::chrono::milliseconds d) {
    std::unique_lock lock(m_mutex);
    return m_cv.wait_for(lock, d, [this] { return m_stop; });
}

void DeviceWatch::watchVendorReader() {
    using namespace std::chrono_literals;
    const auto& cfg = m_config.cardReader;
    // A problem is reported once (status bar and a card failure), not again on every retry.
    std::string lastProblem;
    auto problem = [&](const devices::Error& e, std::string code = {}) {
        if (e.message == lastProblem) return;
        lastProblem = e.message;
        if (code.empty()) code = devices::errorCodeName(e.code);
        m_queue.post(DeviceStatus{DeviceKind::Reader, false, e.message});
        m_queue.post(CardFailed{e.message, std::move(code)});
    };
    while (!stopRequested(0ms)) {
        auto lib = devices::id::IdReaderLibrary::load(cfg.vendorLibrary);
        if (!lib) {
            // Its own sentence: the vendor's driver, not pcscd, is what staff must look at.
            problem({lib.error().code, lib.error().message + " (card_reader.vendor_library in the kiosk configuration)"},
                    "vendor-library");
            if (stopRequested(5s)) return;
            continue;
        }
        auto dev = (*lib)->open(cfg.reader);
        if (!dev) {
            problem({dev.error().code, dev.error().message + " (card_reader.reader = '" + cfg.reader + "')"});
            if (stopRequested(5s)) return;
            continue;
        }
        lastProblem.clear();
        m_queue.post(DeviceStatus{DeviceKind::Reader, true, std::filesystem::path(cfg.vendorLibrary).filename().string()});
        bool present = false;
        while (!stopRequested(0ms)) {
            // Absent: block in the library for at most half a second, so that shutdown never waits long.
            // Present: look without waiting, four times a second, until the card leaves.
            auto waited = (*dev)->waitForCard(present ? 0ms : 500ms);
            if (!waited) {
                const auto code = waited.error().code;
                if (code == devices::ErrorCode::NoReader || code == devices::ErrorCode::Disconnected) {
                    problem(waited.error());
                    if (present) m_queue.post(CardRemoved{});
                    break;  // reopen the reader
                }
                problem(waited.error());
                if (stopRequested(1s)) return;
                continue;
            }
            if (*waited && !present) {
                present = true;
                auto card = (*dev)->read();
                if (!card) {
                    m_queue.post(CardFailed{card.error().message, std::string(devices::errorCodeName(card.error().code))});
                } else if (auto event = cardFromCnId(*card); !event) {
                    m_queue.post(CardFailed{event.error().message, std::string(devices::errorCodeName(event.error().code))});
                } else {
                    m_queue.post(std::move(*event));
                }
            } else if (!*waited && present) {
                present = false;
                m_queue.post(CardRemoved{});
            }
            if (present && stopRequested(250ms)) return;
        }
        if (stopRequested(2s)) return;
    }
}

void DeviceWatch::pollOthers() {
    std::optional<bool> lastCamera, lastPrinter;
    const auto cups = devices::openCupsPrinter();
    for (;;) {
        std::string camDetail, printerDetail;
        const bool cam = cameraAvailable(m_config.camera.source, camDetail);
        const bool printer = printerAvailable(*cups, m_config.printer.queue, printerDetail);
        if (lastCamera != cam) m_queue.post(DeviceStatus{DeviceKind::Camera, cam, camDetail});
        if (lastPrinter != printer) m_queue.post(DeviceStatus{DeviceKind::Printer, printer, printerDetail});
        lastCamera = cam;
        lastPrinter = printer;
        std::unique_lock lock(m_mutex);
        if (m_cv.wait_for(lock, std::chrono::seconds(10), [this] { return m_stop; })) return;
    }
}

}  // namespace kiosk::ui
