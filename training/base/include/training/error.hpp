#pragma once
/// @file error.hpp
/// @brief Expected failures of the training layer: a code and a message that says what to do.

#include <expected>
#include <string>
#include <string_view>

namespace training {

/// @brief What went wrong. Each value is an expected, recoverable failure.
enum class ErrorCode {
    InvalidInput,      ///< A value failed validation (ID number, phone, date, ...). Fix the input.
    NotFound,          ///< The record asked for does not exist. Check the id or number.
    Conflict,          ///< The change would break a uniqueness or state rule (e.g. duplicate ID number).
    Refused,           ///< The operation is not allowed now (e.g. a PIN is locked, already initialised).
    AuthFailed,        ///< A PIN did not match. The message tells how many tries are left.
    Locked,            ///< Too many wrong PINs; the account is locked until the time in the message.
    SchemaTooNew,      ///< The database was written by a newer version of the software; it is left untouched.
    NotOurDatabase,    ///< The file is an SQLite database of some other application; it is left untouched.
    Corrupt,           ///< The file is not a database or failed `quick_check`; it is never overwritten.
    Busy,              ///< Another process held the database longer than the busy timeout. Retry.
    Io,                ///< The operating system refused a read or write (disk full, permissions, missing dir).
    Internal,          ///< An SQLite error that indicates a bug; the message carries SQLite's text.
};

/// @brief An expected failure: a code for programs, a message for staff and logs, and for the failures a
/// worker can meet at the kiosk a stable reason key that the kiosk turns into catalog text (zh-CN, English).
///
/// Reason keys are lower-case, dotted, and never change meaning once used (catalog key `error.<reason>`):
/// - `attendance.not-on-roster`   the worker is not on the session's roster
/// - `attendance.outside-session` check-in before it opens (30 min before the start) or after the end
/// - `attendance.already-in`      already checked in to the session
/// - `attendance.not-in`          checking out without an open check-in
/// - `worker.already-registered`  the document is registered already
/// - `face.bad-score`             the live-photo score is not a number (take the photo again)
/// - `exam.not-a-candidate`       starting an exam of a sitting the worker is not a candidate of
/// - `exam.hours-missing`         starting an exam whose sitting requires the course's hours, before them
/// - `exam.handed-in`             (code Refused) an answer or flag for an attempt the database holds handed in
///                                (the trainer closed the sitting, or its time ran out): not stored
/// - `server.unreachable`         (code Io) the PostgreSQL server cannot be reached: the connection was lost or
///                                refused. Nothing of the failed call was saved unless its commit had already
///                                succeeded (a lost answer to COMMIT is reported so too: repeat idempotent work);
///                                the same Database connects again at its next use, between transactions.
/// - `key.passphrase-required`    (code Refused) the center key is sealed with a passphrase and none was given:
///                                staff enter it (kioskctl asks on the terminal or reads KIOSK_KEY_PASSPHRASE)
/// - `key.passphrase-wrong`       (code AuthFailed) the passphrase does not open the sealed center key
/// An empty reason means "no worker-facing text": the kiosk shows the generic text of the code.
struct Error {
    ErrorCode code{ErrorCode::Internal};
    std::string message;  ///< What is wrong and what to do about it (English, for staff and logs).
    std::string reason{};  ///< Stable reason key (see above); empty when none.
};

/// @brief Short stable name of a code, for JSON output and logs (e.g. "invalid-input").
[[nodiscard]] std::string_view errorCodeName(ErrorCode code) noexcept;

/// @brief True for failures caused by the caller's input or a refused operation (kioskctl exit code 1),
/// false for system failures (exit code 2).
[[nodiscard]] bool isUserError(ErrorCode code) noexcept;

template <typename T>
using Result = std::expected<T, Error>;

/// @brief Convenience constructor for an unexpected Error.
[[nodiscard]] inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
    return std::unexpected(Error{code, std::move(message)});
}

/// @brief The same, with a stable reason key for the kiosk's catalog.
[[nodiscard]] inline std::unexpected<Error> fail(ErrorCode code, std::string message, std::string reason) {
    return std::unexpected(Error{code, std::move(message), std::move(reason)});
}

/// @brief Passes on the error of a failed Result of another type: `if (!r) return propagate(r);`.
template <typename T>
[[nodiscard]] std::unexpected<Error> propagate(const Result<T>& failed) {
    return std::unexpected(failed.error());
}

}  // namespace training
