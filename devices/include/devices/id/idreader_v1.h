/**
 * @file idreader_v1.h
 * @brief C ABI (version 1) of a China resident ID card reader library, loaded by the kiosk with dlopen().
 *
 * A vendor library (or the file-backed one shipped for demos and tests, libidreader_file.so) exports one
 * function, idreader_v1_get_api(), returning a table of functions. All functions are called from one thread
 * at a time per device. Strings are UTF-8. The photo is returned decoded (the vendor decodes WLT) as BMP,
 * JPEG or PNG bytes.
 */
#ifndef DEVICES_ID_IDREADER_V1_H
#define DEVICES_ID_IDREADER_V1_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief ABI version carried in idreader_v1_api::abi_version. */
#define IDREADER_V1_ABI_VERSION 1u
/** @brief Size of the text record (UCS-2LE). */
#define IDREADER_V1_RECORD_SIZE 256u
/** @brief Name of the exported entry point. */
#define IDREADER_V1_ENTRY "idreader_v1_get_api"

/** @brief Return codes. */
enum idreader_v1_status {
    IDREADER_V1_OK = 0,                 /**< success */
    IDREADER_V1_TIMEOUT = 1,            /**< wait_card: no card within the timeout */
    IDREADER_V1_NO_DEVICE = -1,         /**< the reader is not connected / the configuration is wrong */
    IDREADER_V1_NO_CARD = -2,           /**< read: no card on the reader */
    IDREADER_V1_CARD_REMOVED = -3,      /**< the card left during the read */
    IDREADER_V1_READ_FAILED = -4,       /**< the card or SAM failed; retry */
    IDREADER_V1_BAD_ARGUMENT = -5,      /**< a null pointer or bad value was passed */
    IDREADER_V1_BUFFER_TOO_SMALL = -6,  /**< read: photo buffer too small; *photo_size holds the need */
    IDREADER_V1_INTERNAL = -7           /**< any other failure */
};

/** @brief Encoding of the photo returned by read. */
enum idreader_v1_photo_format {
    IDREADER_V1_PHOTO_NONE = 0,
    IDREADER_V1_PHOTO_BMP = 1,
    IDREADER_V1_PHOTO_JPEG = 2,
    IDREADER_V1_PHOTO_PNG = 3
};

/** @brief An opened reader (opaque). */
typedef struct idreader_v1_device idreader_v1_device;

/** @brief The function table. */
typedef struct idreader_v1_api {
    uint32_t abi_version; /**< IDREADER_V1_ABI_VERSION */
    uint32_t struct_size; /**< sizeof(idreader_v1_api) of the library */
    /** Opens the reader described by @p config (library-specific, e.g. a port or a directory). */
    int (*open)(const char* config, idreader_v1_device** out);
    /** Waits up to @p timeout_ms (negative: forever) for a card: OK or TIMEOUT or an error. */
    int (*wait_card)(idreader_v1_device* dev, int timeout_ms);
    /** Reads the 256-byte record and the decoded photo into caller buffers. */
    int (*read)(idreader_v1_device* dev, uint8_t record[IDREADER_V1_RECORD_SIZE], uint8_t* photo,
                size_t photo_capacity, size_t* photo_size, int* photo_format);
    /** Closes the reader; @p dev may be NULL. */
    void (*close)(idreader_v1_device* dev);
    /** Text of the last error on @p dev (or of the last failed open when NULL); never NULL. */
    const char* (*error_text)(idreader_v1_device* dev);
} idreader_v1_api;

/** @brief Type of the entry point. */
typedef const idreader_v1_api* (*idreader_v1_get_api_fn)(void);

/** @brief The entry point a library exports. */
const idreader_v1_api* idreader_v1_get_api(void);

#ifdef __cplusplus
}
#endif

#endif /* DEVICES_ID_IDREADER_V1_H */
