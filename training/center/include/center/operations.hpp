#pragma once
/// @file operations.hpp
/// @brief The center's operations, written once for both front ends (the kiosk and kioskctl).
///
/// Each operation is one transaction: it either happens whole, with its audit rows, or not at all (a late
/// failure of a multi-step operation such as registration leaves nothing behind). Each takes who acts
/// (the audit actor). Screens only draw and submit jobs that call one operation; kioskctl callbacks only
/// parse options and call one operation. The operations use the store, exam storage, certification,
/// documents and submission libraries; they never draw and never print (printing is a device).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "training/certificates.hpp"
#include "training/documents.hpp"
#include "training/exam_store.hpp"
#include "training/store.hpp"
#include "training/submission.hpp"

namespace center {

using training::Actor;
using training::Result;

/// @brief Where a center keeps its files. One value replaces the separate key, batch folder and template
/// look-ups of each call site.
struct CenterPaths {
    std::filesystem::path database;   ///< the SQLite file, or the PostgreSQL connection URI
    std::filesystem::path directory;  ///< the center folder: where the key and the batches are (see forDatabase)
    std::filesystem::path key;        ///< the center's signing key file
    std::filesystem::path batches;    ///< folder of submission batches
    std::filesystem::path templates;  ///< document templates; empty: training::defaultTemplateDir()

    /// @brief Where the center's own files are for @p database (a file path or a PostgreSQL URI). The center
    /// folder is @p centerDir when given, else $KIOSK_CENTER_DIR when set, else the folder of a database file;
    /// a URI has no folder, so there it is `$XDG_DATA_HOME/badge-kiosk/postgresql-NAME` (XDG_DATA_HOME unset:
    /// ~/.local/share), NAME the URI's database name (training::postgresDatabaseName). The batches are in
    /// `submissions/` of that folder; the key is `center.key` in it, except beside a database file where it
    /// keeps its name `<database>.center-key`. $KIOSK_CENTER_KEY, when set, names the key file in every case.
    [[nodiscard]] static CenterPaths forDatabase(const std::filesystem::path& database,
                                                 const std::filesystem::path& centerDir = {});
};

/// @brief How the identity of a worker was established at the kiosk or by staff.
enum class IdentityMethod {
    ChipPa,  ///< chip read and passive authentication trusted ("chip-pa")
    Chip,    ///< chip read, passive authentication not trusted ("chip")
    Sam,     ///< China ID card read through the vendor SAM ("sam")
    Staff,   ///< a member of staff compared the person with the document ("staff")
    Keypad,  ///< the number was typed: verifies nothing by itself ("keypad")
};
/// @brief The stable name stored in the records ("chip-pa", "chip", "sam", "staff", "keypad").
[[nodiscard]] std::string_view identityMethodName(IdentityMethod m) noexcept;
/// @brief Parses a stored name; nullopt when unknown.
[[nodiscard]] std::optional<IdentityMethod> identityMethodFromName(std::string_view name) noexcept;

/// @brief What the worker's home and progress screens need, and what decides the next screens.
struct WorkerState {
    training::Worker worker;
    /// Required by the course's rule and not yet signed, signed after registration. Never the biometric
    /// consent: that one is asked separately, before the camera (PIPL art. 29).
    std::vector<training::ConsentKind> missingConsents;
    bool biometricConsent{false};             ///< a biometric consent in force: the camera may be used
    bool biometricWithdrawn{false};           ///< withdrawn and not signed again: identity checks go through staff
    /// Face recognition declined (a "consent.decline" audit row) and no biometric consent signed since: identity
    /// checks go through staff without asking again; the worker can still sign it at "my data".
    bool biometricDeclined{false};
    std::optional<std::int64_t> openSitting;  ///< an open or paused sitting they are a candidate of
};

/// @brief The outcome of identifying a person by their document number.
struct Identification {
    std::optional<WorkerState> known;                     ///< the registered worker; absent when unknown
    std::vector<training::ConsentKind> requiredConsents;  ///< what a new worker will sign after registering
};

/// @brief A consent signed before the signer exists in the records (the biometric consent of a first visit,
/// signed before the camera): what was shown and the signature.
struct SignedConsent {
    training::ConsentKind kind{training::ConsentKind::Biometric};
    std::string version;
    std::string textShown;
    std::vector<std::uint8_t> signaturePng;
};

/// @brief A new worker's registration: identity, profile and how the identity was established.
struct Registration {
    training::WorkerIdentity identity{};
    training::WorkerProfile profile{};
    IdentityMethod method{IdentityMethod::Keypad};
    std::optional<std::int64_t> confirmingStaff{};  ///< staff who confirmed the person in person
    std::optional<double> faceScore{};              ///< live photo matched the document photo with this score
    bool walkIn{false};                             ///< put on the badge course's rosters and sittings
    std::optional<SignedConsent> biometricConsent{};  ///< signed before the camera, stored with the worker
    std::vector<std::uint8_t> livePortrait{};  ///< JPEG; kept only when the biometric consent is given
    bool faceDeclined{false};  ///< declined face recognition (staff verified in person): recorded, not asked again
};

/// @brief A document issued and rendered.
struct RenderedCertificate {
    training::Certificate certificate;
    training::RenderedDocument document;
    std::filesystem::path file;  ///< where the PDF was written (empty when not written)
};

/// @brief What starting (or resuming) a worker's exam gave: the attempt, or the training still missing.
struct ExamStart {
    std::optional<training::StoredAttempt> attempt;      ///< Set when the attempt started or resumed.
    std::vector<training::AttendanceGap> missingHours;  ///< Not empty: the course's hours come first; nothing started.
};

/// @brief The center's operations over one open store. Not thread-safe: one thread uses it (the kiosk's
/// database thread, or kioskctl's main thread).
class Operations {
public:
    Operations(training::Store& store, CenterPaths paths);
    ~Operations();
    Operations(const Operations&) = delete;
    Operations& operator=(const Operations&) = delete;

    [[nodiscard]] training::Store& store() noexcept { return m_store; }
    [[nodiscard]] training::ExamStore& exams() noexcept { return m_exams; }
    [[nodiscard]] const CenterPaths& paths() const noexcept { return m_paths; }

    // ---- workers
    /// @brief Registers a new worker in one transaction: the worker, how the identity was verified, the
    /// staff confirmation, the biometric consent signed before the camera with the live portrait kept under
    /// it, the face match and (walk-in) the enrolment. Nothing is left on failure.
    /// @retval Conflict     the document is already registered
    /// @retval InvalidInput the identity or profile fails the identity rules
    [[nodiscard]] Result<WorkerState> registerWorker(const Registration& registration, const Actor& actor);
    /// @brief Changes a registered worker's profile and returns the new state.
    [[nodiscard]] Result<WorkerState> updateProfile(std::int64_t workerId, const training::WorkerProfile& patch,
                                                    const Actor& actor);
    /// @brief Looks a worker up by document number. A document read from a chip or SAM (@p readFrom)
    /// records the verification; Identification::known is empty when the document is not registered.
    [[nodiscard]] Result<Identification> identify(const std::string& documentNumber,
                                                              std::optional<IdentityMethod> readFrom,
                                                              const Actor& actor);
    /// @brief The badge course with its modules (codes, names, minutes): what screens show module names from.
    [[nodiscard]] Result<training::Course> badgeCourse();
    /// @brief The consents the badge course's certification rule requires and that are signed after
    /// registration (the rule is the one place that says which; the biometric consent is asked separately).
    [[nodiscard]] Result<std::vector<training::ConsentKind>> requiredConsents();
    /// @brief The worker, the consents the course's rule still needs, and an exam sitting open for them.
    [[nodiscard]] Result<WorkerState> loadWorkerState(std::int64_t workerId);
    /// @brief Records that a registered worker declined face recognition (audited as "consent.decline"): their
    /// later identity checks go through staff without the consent being asked again (WorkerState::biometricDeclined)
    /// until they sign it.
    /// @retval NotFound no such worker
    [[nodiscard]] Result<void> declineFaceRecognition(std::int64_t workerId, const Actor& actor);
    /// @brief Puts a worker on the rosters of the badge course's sessions that have not ended and makes them a
    /// candidate of its scheduled, open or paused sittings that require the course's hours (one transaction).
    [[nodiscard]] Result<void> enrolWalkIn(std::int64_t workerId, const Actor& actor);

    // ---- attendance
    [[nodiscard]] Result<training::Attendance> checkIn(std::int64_t sessionId, std::int64_t workerId,
                                                       training::AttendanceMethod method,
                                                       std::optional<double> faceScore, const Actor& actor,
                                                       std::optional<std::int64_t> at = std::nullopt);
    [[nodiscard]] Result<training::Attendance> checkOut(std::int64_t sessionId, std::int64_t workerId,
                                                        training::AttendanceMethod method, const Actor& actor,
                                                        std::optional<std::int64_t> at = std::nullopt);

    // ---- exams
    /// @brief Creates a sitting and adds its candidates in one transaction.
    /// @param candidates worker ids; a worker already a candidate is not an error
    [[nodiscard]] Result<training::Sitting> createSitting(const training::SittingInput& input,
                                                          std::span<const std::int64_t> candidates,
                                                          const Actor& actor);
    /// @brief A sitting whose candidates are everyone on the rosters of its course's sessions of the last
    /// week and today (the kiosk's "new sitting", with training::defaultSittingInput).
    [[nodiscard]] Result<training::Sitting> createSittingFromRosters(const training::SittingInput& input,
                                                                     const Actor& actor);
    /// @brief Adds candidates to a sitting in one transaction; returns how many were new.
    [[nodiscard]] Result<int> addCandidates(std::int64_t sittingId, std::span<const std::int64_t> workers,
                                            const Actor& actor);

    /// @brief Starts the worker's attempt at the sitting, or resumes the one in progress; a sitting that
    /// requires the course's attendance starts nothing while hours are missing (ExamStart::missingHours says
    /// which, module by module). @p terminal (a kiosk id) is reported as the worker's presence for the proctor.
    /// @retval Refused the sitting is not open or the worker is not a candidate
    [[nodiscard]] Result<ExamStart> startOrResumeAttempt(std::int64_t sittingId, std::int64_t workerId,
                                                         const Actor& actor, const std::string& terminal = {});

    // ---- certification
    /// @brief The center's signing key (loaded once from CenterPaths::key): the one place every signing path of the
    /// operations obtains it. A key protected by a passphrase asks the source set with setPassphraseSource().
    /// @retval Refused    the key is protected and there is no passphrase source (reason
    ///                    `key.passphrase-required`: sign at the clerk's PC with kioskctl)
    /// @retval AuthFailed the passphrase is wrong (reason `key.passphrase-wrong`); asked again at the next call
    /// @retval NotFound, Corrupt as training::CenterKey::load()
    [[nodiscard]] Result<const training::CenterKey*> key();
    /// @brief Where key() gets the passphrase of a protected key (kioskctl: KIOSK_KEY_PASSPHRASE or the terminal).
    /// None by default: a kiosk never holds the passphrase.
    void setPassphraseSource(training::PassphraseSource source) { m_passphrase = std::move(source); }
    /// @brief Issues the worker's certificate (idempotent: the valid one they hold is kept) and renders the
    /// certificate or badge card; written to @p outFile when it is not empty. After a revocation a new
    /// certificate needs an explicit decision: @p reissueReason (audited).
    /// @retval Refused the worker is not eligible (the message lists every unmet condition), or their
    ///                 certificate was revoked and no re-issue reason was given
    [[nodiscard]] Result<RenderedCertificate> issueAndRender(
        std::int64_t workerId, std::optional<std::int64_t> courseId, training::DocumentKind kind,
        const std::filesystem::path& outFile, const Actor& actor,
        const std::optional<std::string>& reissueReason = std::nullopt);
    /// @brief Revokes a certificate with a reason (audited).
    [[nodiscard]] Result<training::Certificate> revoke(const std::string& number, const std::string& reason,
                                                       const Actor& actor);
    /// @brief Gathers the eligible workers not yet submitted into a signed batch in @p folder (default:
    /// CenterPaths::batches), created when missing.
    [[nodiscard]] Result<training::CreateOutcome> createSubmissionBatch(
        bool zip, const Actor& actor, const std::optional<std::filesystem::path>& folder = std::nullopt);

    /// @brief The document renderer (created on first use and kept: its font subset and portrait cache serve
    /// every document of the session).
    [[nodiscard]] Result<training::DocumentRenderer*> renderer();

private:
    training::Store& m_store;
    training::ExamStore m_exams;
    CenterPaths m_paths;
    std::optional<training::CenterKey> m_key;
    training::PassphraseSource m_passphrase;
    std::unique_ptr<training::DocumentRenderer> m_renderer;
};

}  // namespace center
