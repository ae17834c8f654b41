#include "training/error.hpp"

namespace training {

std::string_view errorCodeName(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::InvalidInput: return "invalid-input";
        case ErrorCode::NotFound: return "not-found";
        case ErrorCode::Conflict: return "conflict";
        case ErrorCode::Refused: return "refused";
        case ErrorCode::AuthFailed: return "auth-failed";
        case ErrorCode::Locked: return "locked";
        case ErrorCode::SchemaTooNew: return "schema-too-new";
        case ErrorCode::NotOurDatabase: return "not-our-database";
        case ErrorCode::Corrupt: return "corrupt";
        case ErrorCode::Busy: return "busy";
        case ErrorCode::Io: return "io";
        case ErrorCode::Internal: return "internal";
    }
    return "internal";
}

bool isUserError(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::InvalidInput:
        case ErrorCode::NotFound:
        case ErrorCode::Conflict:
        case ErrorCode::Refused:
        case ErrorCode::AuthFailed:
        case ErrorCode::Locked:
            return true;
        default:
            return false;
    }
}

}  // namespace training
