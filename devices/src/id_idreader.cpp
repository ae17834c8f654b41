#include <dlfcn.h>

#include <opencv2/imgcodecs.hpp>

#include "devices/id/idreader.hpp"
#include "devices/id/idreader_v1.h"

namespace devices::id {

Result<std::shared_ptr<IdReaderLibrary>> IdReaderLibrary::load(const std::filesystem::path& path) {
    void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char* e = ::dlerror();
        return fail(ErrorCode::NotAvailable, "cannot load the ID reader library " + path.string() + " (" +
                                                 (e ? e : "unknown error") +
                                                 "): install the reader's library or fix the configured path");
    }
    auto entry = reinterpret_cast<idreader_v1_get_api_fn>(::dlsym(h, IDREADER_V1_ENTRY));
    const idreader_v1_api* api = entry ? entry() : nullptr;
    if (!api || api->abi_version != IDREADER_V1_ABI_VERSION || api->struct_size < sizeof(idreader_v1_api) ||
        !api->open || !api->wait_card || !api->read || !api->close || !api->error_text) {
        ::dlclose(h);
        return fail(ErrorCode::NotAvailable, path.string() + " is not an idreader_v1 library (no " IDREADER_V1_ENTRY
                                             " or another ABI version): use a library built for idreader_v1.h");
    }
    return std::shared_ptr<IdReaderLibrary>(new IdReaderLibrary(h, api));
}

IdReaderLibrary::~IdReaderLibrary() { ::dlclose(m_handle); }

Result<std::unique_ptr<IdReaderDevice>> IdReaderLibrary::open(const std::string& config) {
    idreader_v1_device* dev = nullptr;
    const int rc = m_api->open(config.c_str(), &dev);
    if (rc != IDREADER_V1_OK || !dev) {
        const char* text = m_api->error_text(nullptr);
        return fail(rc == IDREADER_V1_NO_DEVICE ? ErrorCode::NoReader : ErrorCode::NotAvailable,
                    std::string("cannot open the ID card reader: ") + (text ? text : "") +
                        ": check that the reader is connected and configured");
    }
    return std::unique_ptr<IdReaderDevice>(new IdReaderDevice(shared_from_this(), dev));
}

IdReaderDevice::~IdReaderDevice() { m_lib->api().close(m_dev); }

Error IdReaderDevice::error(int status, std::string_view what) const {
    const char* t = m_lib->api().error_text(m_dev);
    const std::string text = std::string(what) + ": " + (t ? t : "");
    switch (status) {
        case IDREADER_V1_NO_DEVICE: return {ErrorCode::NoReader, text + ": reconnect the ID card reader"};
        case IDREADER_V1_NO_CARD: return {ErrorCode::NoCard, text + ": put the ID card on the reader"};
        case IDREADER_V1_CARD_REMOVED:
            return {ErrorCode::CardRemoved, text + ": put the card back and keep it still until the read ends"};
        case IDREADER_V1_READ_FAILED: return {ErrorCode::CardError, text + ": take the card away and try again"};
        default: return {ErrorCode::Internal, text + ": restart the kiosk; report it if it persists"};
    }
}

Result<bool> IdReaderDevice::waitForCard(std::chrono::milliseconds timeout) {
    const int rc = m_lib->api().wait_card(m_dev, static_cast<int>(timeout.count()));
    if (rc == IDREADER_V1_OK) return true;
    if (rc == IDREADER_V1_TIMEOUT) return false;
    return std::unexpected(error(rc, "waiting for an ID card"));
}

Result<CnIdCard> IdReaderDevice::read() {
    CnIdCard card;
    card.rawRecord.resize(IDREADER_V1_RECORD_SIZE);
    Bytes photo(64 * 1024);
    std::size_t size = 0;
    int format = IDREADER_V1_PHOTO_NONE;
    int rc = m_lib->api().read(m_dev, card.rawRecord.data(), photo.data(), photo.size(), &size, &format);
    if (rc == IDREADER_V1_BUFFER_TOO_SMALL && size > photo.size() && size <= 16u * 1024 * 1024) {
        photo.resize(size);
        rc = m_lib->api().read(m_dev, card.rawRecord.data(), photo.data(), photo.size(), &size, &format);
    }
    if (rc != IDREADER_V1_OK) return std::unexpected(error(rc, "reading the ID card"));
    auto rec = decodeCnIdRecord(card.rawRecord);
    if (!rec) return std::unexpected(rec.error());
    card.record = *rec;
    if (format != IDREADER_V1_PHOTO_NONE && size > 0 && size <= photo.size()) {
        photo.resize(size);
        card.photo = photo;
        try {
            card.photoImage = cv::imdecode(cv::Mat(1, static_cast<int>(size), CV_8UC1, photo.data()), cv::IMREAD_COLOR);
        } catch (const cv::Exception&) {
            card.photoImage = cv::Mat();
        }
        if (card.photoImage.empty())
            return fail(ErrorCode::Malformed, "the ID card photo from the reader cannot be decoded: read the card again");
    }
    return card;
}

}  // namespace devices::id
