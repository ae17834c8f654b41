#pragma once
/// @file error.hpp
/// @brief Expected failures of device adapters: a code and a message that says what to do.

#include <expected>
#include <string>
#include <string_view>

namespace devices {

/// @brief What went wrong with a device or the data it returned.
enum class ErrorCode {
    InvalidInput,   ///< The caller's input is wrong (e.g. a malformed MRZ typed by a person).
    Malformed,      ///< Data from a card, file or model is malformed (bad TLV, truncated image, ...).
    NotAvailable,   ///< A service or device is not there at all (pcscd not running, no camera, model missing).
    NoReader,       ///< No card reader is connected.
    NoCard,         ///< The reader has no card.
    CardRemoved,    ///< The card was removed during an operation; nothing was kept. Put it back and retry.
    Timeout,        ///< The device did not answer in time.
    AccessDenied,   ///< The card refused access (e.g. wrong BAC key); the message says what to check.
    CardError,      ///< The card answered with an unexpected status word.
    Busy,           ///< The device is used by another program.
    Cancelled,      ///< The operation was cancelled (shutdown).
    Integrity,      ///< Data failed an integrity check (MAC, hash, signature).
    Internal,       ///< A library call failed in a way that indicates a bug.
    Disconnected,   ///< A device was unplugged while in use; the adapter keeps trying to reopen it.
    Unsupported,    ///< The device cannot do what was asked (e.g. a camera format or size); the message says what it offers.
};

/// @brief An expected failure: a code for programs and a message for people.
struct Error {
    ErrorCode code{ErrorCode::Internal};
    std::string message;
};

/// @brief Short stable name of a code for JSON and logs (e.g. "card-removed").
[[nodiscard]] std::string_view errorCodeName(ErrorCode code) noexcept;

template <typename T>
using Result = std::expected<T, Error>;

/// @brief Convenience constructor for an unexpected Error.
[[nodiscard]] inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
    return std::unexpected(Error{code, std::move(message)});
}

}  // namespace devices
