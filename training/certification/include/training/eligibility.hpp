#pragma once
/// @file eligibility.hpp
/// @brief The certification rule of product.md §5, as data per course, evaluated in one place.
///
/// A worker is eligible for submission when every condition the course's rule requires holds:
/// identity verified from the document and live face matched, all required minutes attended per module,
/// latest exam attempt at or above the pass mark, a passed health check not older than the maximum age,
/// the required consents signed (and not withdrawn), an employing agency set. evaluateEligibility()
/// is pure (facts in, report out); checkEligibility() gathers the facts from the store.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "exam/question.hpp"
#include "training/records.hpp"

namespace training {

class Store;
using Actor = std::string;

/// @brief One condition of the rule.
enum class Condition {
    IdentityVerified,  ///< identity checked from the document (chip / SAM / staff)
    FaceMatched,       ///< the person compared with the document photo: a live face match, or staff in person
                       ///< (identity method "staff": the alternative for those who refuse face recognition)
    ModuleHours,       ///< required minutes attended (one unmet entry per short module)
    ExamPassed,        ///< latest submitted attempt scored at least the pass mark
    HealthCheck,       ///< health check recorded, result "pass", not older than the maximum age
    Consent,           ///< a required consent signed and not withdrawn (one unmet entry per kind)
    Agency,            ///< employing agency set
    NotRevoked,        ///< the worker's latest certificate for the course was not revoked (always checked)
};
/// @brief Stable name ("identity", "face", "hours", "exam", "health-check", "consent", "agency", "revoked").
[[nodiscard]] std::string_view conditionName(Condition c) noexcept;

/// @brief The rule of one course (stored as JSON in `certification_rules`; defaults when absent).
struct CertificationRule {
    bool requireIdentity{true};
    bool requireFace{true};
    bool requireHours{true};
    bool requireExam{true};
    double passMark{80.0};  ///< out of 100; the default is the course's pass mark
    bool requireHealthCheck{true};
    int healthCheckMaxAgeDays{365};
    bool requireAgency{true};
    /// The biometric consent is not required by default: refusing face recognition never blocks the badge
    /// (PIPL art. 16 and the face-recognition rules; staff verify the person in person instead).
    std::vector<ConsentKind> consents{ConsentKind::Commitment, ConsentKind::CreditCheck};
    int certificateValidityMonths{36};  ///< a certificate issued on D is valid up to D + this many months - 1 day
    bool operator==(const CertificationRule&) const = default;
};

/// @brief JSON text of a rule (keys: require_identity, require_face, require_hours, require_exam, pass_mark,
/// require_health_check, health_check_max_age_days, require_agency, consents, certificate_validity_months).
[[nodiscard]] std::string ruleToJson(const CertificationRule& rule);
/// @brief Parses a rule; absent keys take their defaults.
/// @retval InvalidInput naming the bad key
[[nodiscard]] Result<CertificationRule> ruleFromJson(std::string_view text);

/// @brief One unmet condition, with what to tell the worker and staff.
struct UnmetCondition {
    Condition condition{Condition::IdentityVerified};
    std::string code;                 ///< e.g. "hours", "exam", "consent" (conditionName)
    std::optional<std::string> item;  ///< module code for hours, consent kind for consent
    int missingMinutes{0};            ///< for hours
    exam::LocalizedText worker;       ///< short, plain message for the worker (zh-CN and English)
    std::string staff;                ///< precise message for staff (English), with what to do
};

/// @brief A revoked certificate, as eligibility reports it.
struct RevokedCertificate {
    std::string number;
    std::string revokedOn;  ///< YYYY-MM-DD (local)
    std::string reason;
};

/// @brief Everything the rule looks at, gathered beforehand (so the rule itself has no I/O).
struct EligibilityFacts {
    Worker worker;
    Course course;
    std::vector<ModuleHours> hours;
    std::optional<double> examScore;  ///< latest submitted attempt's score, absent when none
    std::vector<Consent> consents;
    /// The worker's latest certificate for the course when it is revoked: a new one is issued only by an explicit
    /// re-issue decision (Certificates::issue with a reason).
    std::optional<RevokedCertificate> revoked;
};

/// @brief The verdict for one worker and course.
struct EligibilityReport {
    std::int64_t workerId{0};
    std::int64_t courseId{0};
    bool eligible{false};
    std::vector<UnmetCondition> unmet;  ///< in rule order; empty when eligible
};

/// @brief THE rule: evaluates @p rule on @p facts as of @p today (local date).
[[nodiscard]] EligibilityReport evaluateEligibility(const CertificationRule& rule, const EligibilityFacts& facts,
                                                    std::chrono::year_month_day today);

/// @brief The course's rule: its stored rule, else the defaults with the course's pass mark.
[[nodiscard]] Result<CertificationRule> certificationRule(Store& store, std::int64_t courseId);
/// @brief Stores a course's rule (audited).
[[nodiscard]] Result<void> setCertificationRule(Store& store, std::int64_t courseId, const CertificationRule& rule,
                                                const Actor& actor);

/// @brief Gathers the facts and evaluates the rule for a worker (default course: the first course).
[[nodiscard]] Result<EligibilityReport> checkEligibility(Store& store, std::int64_t workerId,
                                                         std::optional<std::int64_t> courseId = std::nullopt);
/// @brief The reports of every candidate of an exam sitting (for its course), by name.
[[nodiscard]] Result<std::vector<EligibilityReport>> checkSittingEligibility(Store& store, std::int64_t sittingId);

}  // namespace training
