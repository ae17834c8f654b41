// File-backed idreader_v1: a directory stands for the reader, record.bin in it for the card on the reader.
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "devices/id/idreader_v1.h"

struct idreader_v1_device {
    std::filesystem::path dir;
    std::string error;
};

namespace {

thread_local std::string g_openError;

int failWith(idreader_v1_device* d, int code, std::string text) {
    d->error = std::move(text);
    return code;
}

bool readAll(const std::filesystem::path& p, std::vector<std::uint8_t>& out) {
    std::ifstream f(p, std::ios::binary);
    if (!f) return false;
    out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    return true;
}

int fileOpen(const char* config, idreader_v1_device** out) {
    if (!config || !out) {
        g_openError = "open: null argument";
        return IDREADER_V1_BAD_ARGUMENT;
    }
    std::error_code ec;
    if (!std::filesystem::is_directory(config, ec)) {
        g_openError = std::string("reader directory '") + config + "' does not exist";
        return IDREADER_V1_NO_DEVICE;
    }
    auto* d = new (std::nothrow) idreader_v1_device{config, {}};
    if (!d) {
        g_openError = "out of memory";
        return IDREADER_V1_INTERNAL;
    }
    *out = d;
    return IDREADER_V1_OK;
}

int fileWait(idreader_v1_device* d, int timeoutMs) {
    if (!d) return IDREADER_V1_BAD_ARGUMENT;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs < 0 ? 0 : timeoutMs);
    while (true) {
        std::error_code ec;
        if (!std::filesystem::is_directory(d->dir, ec)) return failWith(d, IDREADER_V1_NO_DEVICE, "reader directory vanished");
        if (std::filesystem::exists(d->dir / "record.bin", ec)) return IDREADER_V1_OK;
        if (timeoutMs >= 0 && std::chrono::steady_clock::now() >= deadline)
            return failWith(d, IDREADER_V1_TIMEOUT, "no card within the timeout");
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

int fileRead(idreader_v1_device* d, uint8_t record[IDREADER_V1_RECORD_SIZE], uint8_t* photo, size_t cap,
             size_t* photoSize, int* photoFormat) {
    if (!d || !record || !photoSize || !photoFormat) return d ? failWith(d, IDREADER_V1_BAD_ARGUMENT, "null argument") : IDREADER_V1_BAD_ARGUMENT;
    std::vector<std::uint8_t> rec;
    if (!readAll(d->dir / "record.bin", rec)) return failWith(d, IDREADER_V1_NO_CARD, "no card (record.bin absent)");
    if (rec.size() != IDREADER_V1_RECORD_SIZE)
        return failWith(d, IDREADER_V1_READ_FAILED, "record.bin has " + std::to_string(rec.size()) + " bytes, not 256");
    *photoSize = 0;
    *photoFormat = IDREADER_V1_PHOTO_NONE;
    const std::pair<const char*, int> photos[] = {
        {"photo.bmp", IDREADER_V1_PHOTO_BMP}, {"photo.jpg", IDREADER_V1_PHOTO_JPEG}, {"photo.png", IDREADER_V1_PHOTO_PNG}};
    for (const auto& [name, format] : photos) {
        std::vector<std::uint8_t> img;
        if (!readAll(d->dir / name, img)) continue;
        *photoSize = img.size();
        if (!photo || cap < img.size()) return failWith(d, IDREADER_V1_BUFFER_TOO_SMALL, "photo buffer too small");
        std::memcpy(photo, img.data(), img.size());
        *photoFormat = format;
        break;
    }
    std::memcpy(record, rec.data(), IDREADER_V1_RECORD_SIZE);
    return IDREADER_V1_OK;
}

void fileClose(idreader_v1_device* d) { delete d; }

const char* fileError(idreader_v1_device* d) { return d ? d->error.c_str() : g_openError.c_str(); }

const idreader_v1_api kApi{IDREADER_V1_ABI_VERSION, sizeof(idreader_v1_api), fileOpen, fileWait, fileRead, fileClose,
                           fileError};

}  // namespace

extern "C" __attribute__((visibility("default"))) const idreader_v1_api* idreader_v1_get_api(void) { return &kApi; }
