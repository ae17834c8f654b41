#pragma once
/// @file records.hpp
/// @brief The center's records as plain values (product.md §3).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "training/id_number.hpp"

namespace training {

/// @brief The training center that owns the database.
struct Center {
    std::string code;  ///< Short identifier used in badge payloads, e.g. "SH-0001".
    std::string name;
    std::int64_t createdAt{0};
};

/// @brief A home-service agency (reference data).
struct Agency {
    std::int64_t id{0};
    std::string name;
    std::string uscc;  ///< Unified social credit code (validated).
    std::optional<std::string> legalRepresentative;
    std::optional<std::string> address;
    std::optional<std::string> licenceNo;
    std::optional<std::int64_t> integritySignedAt;
};

/// @brief Fields of an agency as entered.
struct AgencyInput {
    std::string name;
    std::string uscc;
    std::optional<std::string> legalRepresentative;
    std::optional<std::string> address;
    std::optional<std::string> licenceNo;
};

/// @brief The identity part of a worker, as a document gives it.
struct WorkerIdentity {
    DocumentType docType{DocumentType::ChinaResidentId};
    std::string docNumber;               ///< Normalised; China ID numbers are always the 18-character form.
    std::string issuingState{"CHN"};     ///< ICAO alpha-3 of the issuing state.
    std::string name;
    std::optional<std::string> nameLatin;
    Sex sex{Sex::Unknown};
    std::optional<std::string> birthDate;  ///< YYYY-MM-DD
    std::optional<std::string> nationality;
    std::optional<std::string> ethnicity;
    std::optional<std::string> idAddress;
    std::optional<std::string> idIssuer;
    std::optional<std::string> idValidFrom;
    std::optional<std::string> idValidUntil;  ///< Absent: long-term (长期).
};

/// @brief The work profile (product.md §3.1). In an update, absent fields are left as they are.
struct WorkerProfile {
    std::optional<std::string> residencePermit;
    std::optional<std::string> phone;
    std::optional<std::string> address;
    std::optional<std::vector<std::string>> serviceTypes;
    std::optional<std::vector<std::string>> specialties;
    std::optional<std::string> education;
    std::optional<std::string> healthCheckDate;
    std::optional<std::string> healthCheckResult;  ///< "pass" or "fail"
    std::optional<std::string> healthCheckIssuer;
    std::optional<std::string> insurancePolicy;
    std::optional<std::string> insurer;
    std::optional<std::string> insuranceValidUntil;
    std::optional<std::int64_t> agencyId;
};

/// @brief A worker as stored.
struct Worker {
    std::int64_t id{0};
    WorkerIdentity identity;
    WorkerProfile profile;  ///< All fields as stored (absent = not recorded).
    std::optional<std::int64_t> identityVerifiedAt;
    std::optional<std::string> identityMethod;
    std::optional<std::int64_t> faceVerifiedAt;
    std::optional<double> faceScore;
    std::int64_t createdAt{0};
    std::int64_t updatedAt{0};
};

/// @brief Staff roles, least to most powerful is not implied: each has its own screens.
enum class Role { Admin, Trainer, Clerk };
[[nodiscard]] std::string_view roleName(Role role) noexcept;

/// @brief A staff member (the PIN hash never leaves the store).
struct Staff {
    std::int64_t id{0};
    std::string name;
    Role role{Role::Clerk};
    int failedAttempts{0};
    std::optional<std::int64_t> lockedUntil;
    bool active{true};
};

/// @brief A course module with its required contact time.
struct CourseModule {
    std::string code;
    std::string nameZh;
    std::string nameEn;
    int requiredMinutes{0};
    bool examined{true};
};

/// @brief A course: the badge course by default.
struct Course {
    std::int64_t id{0};
    std::string code;
    std::string nameZh;
    std::string nameEn;
    int passMark{80};
    std::vector<CourseModule> modules;
};

/// @brief A scheduled training session of one module.
struct Session {
    std::int64_t id{0};
    std::int64_t courseId{0};
    std::string moduleCode;
    std::optional<std::int64_t> trainerId;
    std::string room;
    std::int64_t startsAt{0};
    std::int64_t endsAt{0};
    int rosterSize{0};
};

/// @brief How a check-in or check-out was confirmed.
enum class AttendanceMethod { Face, Staff, Card };
[[nodiscard]] std::string_view attendanceMethodName(AttendanceMethod m) noexcept;

/// @brief One presence of a worker in a session.
struct Attendance {
    std::int64_t id{0};
    std::int64_t sessionId{0};
    std::int64_t workerId{0};
    std::int64_t checkInAt{0};
    std::optional<std::int64_t> checkOutAt;
    std::string checkInMethod;
    std::optional<std::string> checkOutMethod;
    std::optional<double> faceScore;
};

/// @brief Attended versus required minutes of one module for one worker.
struct ModuleHours {
    std::string moduleCode;
    int requiredMinutes{0};
    int attendedMinutes{0};
    std::string moduleNameZh;  ///< The course module's names (course data).
    std::string moduleNameEn;
};

/// @brief Kinds of signed consent.
enum class ConsentKind { Commitment, CreditCheck, Biometric };
[[nodiscard]] std::string_view consentKindName(ConsentKind k) noexcept;

/// @brief A signed consent: which text (version and SHA-256 of the exact text shown) and the signature.
struct Consent {
    std::int64_t id{0};
    std::int64_t workerId{0};
    ConsentKind kind{ConsentKind::Commitment};
    std::string textVersion;
    std::string textSha256;
    std::vector<std::uint8_t> signaturePng;
    std::int64_t signedAt{0};
    std::optional<std::int64_t> withdrawnAt;
};

/// @brief One row of the audit log.
struct AuditEntry {
    std::int64_t id{0};
    std::int64_t at{0};
    std::string actor;
    std::string action;
    std::string subject;
    std::string details;  ///< JSON object text
    std::string prevHash;
    std::string hash;
};

/// @brief Result of walking the audit chain.
struct AuditVerification {
    bool intact{true};
    std::int64_t rowsChecked{0};
    std::optional<std::int64_t> firstBadRow;  ///< id of the first row that does not match
    std::string problem;                       ///< what does not match, for people
};

}  // namespace training
