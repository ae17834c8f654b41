#include "devices/error.hpp"

namespace devices {

std::string_view errorCodeName(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::InvalidInput: return "invalid-input";
        case ErrorCode::Malformed: return "malformed";
        case ErrorCode::NotAvailable: return "not-available";
        case ErrorCode::NoReader: return "no-reader";
        case ErrorCode::NoCard: return "no-card";
        case ErrorCode::CardRemoved: return "card-removed";
        case ErrorCode::Timeout: return "timeout";
        case ErrorCode::AccessDenied: return "access-denied";
        case ErrorCode::CardError: return "card-error";
        case ErrorCode::Busy: return "busy";
        case ErrorCode::Cancelled: return "cancelled";
        case ErrorCode::Integrity: return "integrity";
        case ErrorCode::Internal: return "internal";
        case ErrorCode::Disconnected: return "disconnected";
        case ErrorCode::Unsupported: return "unsupported";
    }
    return "internal";
}

}  // namespace devices
