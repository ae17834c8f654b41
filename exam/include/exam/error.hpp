#pragma once
/// @file error.hpp
/// @brief Expected failures of the exam engine: a code for programs and a message that says what to do.
///
/// Note: the text importers (gift.hpp, aiken.hpp) and the question model deliberately do not include
/// this header, so that they also build with compilers whose standard library lacks `<expected>`
/// (the libFuzzer targets are built with clang 14 against libstdc++ 12).

#include <expected>
#include <string>
#include <string_view>

namespace exam {

/// @brief What went wrong. Each value is an expected, recoverable failure.
enum class ErrorCode {
    InvalidInput,  ///< A value passed in is malformed (bad blueprint, unknown module, option out of range). Fix the input.
    NotFound,      ///< A question, item or option named by the caller does not exist. Check the id or index.
    Shortfall,     ///< The bank has too few questions for the blueprint; the message names module, difficulty and count.
    Closed,        ///< The attempt is already submitted (by the candidate, the proctor or the deadline); nothing can change.
    InvalidState,  ///< Stored data does not fit together (e.g. responses for a different paper), or the attempt is not
                   ///< in the state the operation needs (e.g. review before submission); the message says which part.
    Paused,        ///< The sitting is paused by the trainer; wait until it is resumed, then retry.
};

/// @brief An expected failure: a code for programs and a message for people.
struct Error {
    ErrorCode code{ErrorCode::InvalidInput};
    std::string message;  ///< What is wrong and what to do about it.
};

/// @brief Short stable name of a code, for JSON output and logs (e.g. "shortfall").
[[nodiscard]] std::string_view errorCodeName(ErrorCode code) noexcept;

/// @brief The result of an operation that can fail in an expected way.
template <typename T>
using Result = std::expected<T, Error>;

/// @brief Convenience constructor for an unexpected Error.
[[nodiscard]] inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
    return std::unexpected(Error{code, std::move(message)});
}

}  // namespace exam
