#pragma once
/// @file idreader.hpp
/// @brief Loads an idreader_v1 library (vendor China ID reader, or the file-backed one) with dlopen and reads
/// cards through it.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <opencv2/core/mat.hpp>

#include "devices/error.hpp"
#include "devices/id/bytes.hpp"
#include "devices/id/cn_id.hpp"

struct idreader_v1_api;
struct idreader_v1_device;

namespace devices::id {

/// @brief One card read through idreader_v1.
struct CnIdCard {
    Bytes rawRecord;     ///< the 256 bytes as returned
    CnIdRecord record;   ///< decoded
    Bytes photo;         ///< photo bytes as returned (BMP/JPEG/PNG)
    cv::Mat photoImage;  ///< decoded photo (empty when none)
};

class IdReaderLibrary;

/// @brief An opened reader; keeps its library loaded.
class IdReaderDevice {
public:
    ~IdReaderDevice();
    IdReaderDevice(const IdReaderDevice&) = delete;
    IdReaderDevice& operator=(const IdReaderDevice&) = delete;
    /// @brief true when a card is present, false on timeout.
    [[nodiscard]] Result<bool> waitForCard(std::chrono::milliseconds timeout);
    /// @brief Reads and decodes the record and photo.
    [[nodiscard]] Result<CnIdCard> read();

private:
    friend class IdReaderLibrary;
    IdReaderDevice(std::shared_ptr<IdReaderLibrary> lib, idreader_v1_device* dev) : m_lib(std::move(lib)), m_dev(dev) {}
    Error error(int status, std::string_view what) const;
    std::shared_ptr<IdReaderLibrary> m_lib;
    idreader_v1_device* m_dev;
};

/// @brief A loaded idreader_v1 library.
class IdReaderLibrary : public std::enable_shared_from_this<IdReaderLibrary> {
public:
    /// @brief dlopen()s @p path and checks the ABI version. NotAvailable when it cannot be loaded.
    [[nodiscard]] static Result<std::shared_ptr<IdReaderLibrary>> load(const std::filesystem::path& path);
    ~IdReaderLibrary();
    IdReaderLibrary(const IdReaderLibrary&) = delete;
    IdReaderLibrary& operator=(const IdReaderLibrary&) = delete;
    /// @brief Opens a reader with the library-specific @p config.
    [[nodiscard]] Result<std::unique_ptr<IdReaderDevice>> open(const std::string& config);
    [[nodiscard]] const idreader_v1_api& api() const { return *m_api; }

private:
    IdReaderLibrary(void* handle, const idreader_v1_api* api) : m_handle(handle), m_api(api) {}
    void* m_handle;
    const idreader_v1_api* m_api;
};

}  // namespace devices::id
