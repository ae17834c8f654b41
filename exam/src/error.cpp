#include "exam/error.hpp"

namespace exam {

std::string_view errorCodeName(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::InvalidInput: return "invalid-input";
        case ErrorCode::NotFound: return "not-found";
        case ErrorCode::Shortfall: return "shortfall";
        case ErrorCode::Closed: return "closed";
        case ErrorCode::InvalidState: return "invalid-state";
        case ErrorCode::Paused: return "paused";
    }
    return "invalid-input";
}

}  // namespace exam
