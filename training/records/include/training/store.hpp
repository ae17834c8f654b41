#pragma once
/// @file store.hpp
/// @brief The center's system of record: one SQLite file (or one PostgreSQL database), every write in a
/// transaction with its audit row.
///
/// Opening a store checks the file (not a database, damaged, another application's, or from a newer
/// version: all refused without writing), then applies pending migrations in one transaction.
/// Every mutation validates its input with the identity rules, writes, and appends a hash-chained audit
/// row in the same transaction.

#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "training/clock.hpp"
#include "training/database.hpp"
#include "training/records.hpp"

namespace training {

/// @brief How thoroughly to check an existing file when opening it.
enum class IntegrityCheck {
    Auto,    ///< `PRAGMA quick_check` when the file is at most 256 MiB; larger files get the header and schema checks only.
    Always,  ///< Always run `quick_check` (the kiosk at start-up).
    Never,   ///< Header and schema checks only.
};

/// @brief Options for Store::open.
struct StoreOptions {
    bool create{false};                         ///< Create the file if it does not exist.
    IntegrityCheck integrity{IntegrityCheck::Auto};
    int busyTimeoutMs{5000};
};

/// @brief Who did something, as written to the audit log ("staff:3", "kioskctl:root", "kiosk:K01").
using Actor = std::string;

/// @brief Filters for listing workers.
struct WorkerQuery {
    std::optional<std::string> text;  ///< Substring of the name, a phone number, or a full/partial document number.
    std::optional<std::int64_t> agencyId;
    int limit{100};
    int offset{0};
};

/// @brief The repository layer over the center database.
class Store {
public:
    /// @brief Opens (or with StoreOptions::create, creates) the center database at @p path, a file or a
    /// PostgreSQL connection URI (`postgresql://...`: the database must exist; create makes the center's tables).
    /// @retval NotFound       no file and create is false
    /// @retval Corrupt        not a database, or `quick_check` failed; the file is not changed
    /// @retval NotOurDatabase an SQLite file of another application; the file is not changed
    /// @retval SchemaTooNew   written by a newer version; the file is not changed
    /// @retval Busy, Io       the file could not be locked, read or written
    [[nodiscard]] static Result<std::unique_ptr<Store>> open(const std::filesystem::path& path,
                                                             const StoreOptions& options,
                                                             std::shared_ptr<const Clock> clock = nullptr);

    // ---- center
    /// @brief Records the center and the default badge course; refused when already initialised.
    [[nodiscard]] Result<Center> initCenter(const std::string& code, const std::string& name, const Actor& actor);
    /// @brief The center, or NotFound when `init` was not run.
    [[nodiscard]] Result<Center> center();

    // ---- agencies
    [[nodiscard]] Result<Agency> addAgency(const AgencyInput& input, const Actor& actor);
    [[nodiscard]] Result<std::vector<Agency>> listAgencies();
    /// @brief By numeric id, USCC or exact name.
    [[nodiscard]] Result<Agency> findAgency(const std::string& key);

    // ---- workers
    /// @brief Registers a worker: identity rules (ID number, document number, names, dates) and profile
    /// rules (phone, service types, education, agency) are applied; Conflict when the document is known.
    [[nodiscard]] Result<Worker> addWorker(const WorkerIdentity& identity, const WorkerProfile& profile,
                                           const Actor& actor);
    /// @brief Changes the profile fields present in @p patch (the same rules as addWorker).
    [[nodiscard]] Result<Worker> updateWorker(std::int64_t id, const WorkerProfile& patch, const Actor& actor);
    /// @brief Records that identity was verified from the document (method: "chip-pa", "chip", "sam", "staff").
    [[nodiscard]] Result<void> markIdentityVerified(std::int64_t id, const std::string& method, const Actor& actor);
    /// @brief Records a live-face match with its score.
    [[nodiscard]] Result<void> markFaceVerified(std::int64_t id, double score, const Actor& actor);
    /// @brief Records that a member of staff compared the document photo with the person at the kiosk and
    /// found they are not the same (audit only: nothing about the person is stored). @p document is the
    /// document number, kept masked in the audit row; @p workerId when the document is registered.
    /// @retval InvalidInput an empty document number
    [[nodiscard]] Result<void> recordIdentityRejected(std::optional<std::int64_t> workerId, const std::string& document,
                                                      const std::string& reason, const Actor& actor);
    [[nodiscard]] Result<Worker> worker(std::int64_t id);
    /// @brief By document number (China ID: any accepted form, e.g. 15 digits or lower-case x).
    [[nodiscard]] Result<Worker> findWorkerByDocument(const std::string& number,
                                                      std::optional<DocumentType> type = std::nullopt);
    /// @brief By numeric id or document number.
    [[nodiscard]] Result<Worker> findWorker(const std::string& key);
    [[nodiscard]] Result<std::vector<Worker>> listWorkers(const WorkerQuery& query);
    /// @brief Stores the chip photo or the live portrait (JPEG/PNG bytes).
    [[nodiscard]] Result<void> putWorkerImage(std::int64_t workerId, const std::string& kind, const std::string& mime,
                                              const std::vector<std::uint8_t>& data, const Actor& actor);
    /// @brief The stored image of @p kind ("chip" or "portrait"), or nullopt when there is none.
    [[nodiscard]] Result<std::optional<std::vector<std::uint8_t>>> workerImage(std::int64_t workerId,
                                                                               const std::string& kind);

    // ---- consents
    /// @brief Records a signed consent: the version and exact text shown (its SHA-256 is stored) and the PNG signature.
    [[nodiscard]] Result<Consent> addConsent(std::int64_t workerId, ConsentKind kind, const std::string& textVersion,
                                             const std::string& textShown, const std::vector<std::uint8_t>& signaturePng,
                                             const Actor& actor);
    [[nodiscard]] Result<std::vector<Consent>> consents(std::int64_t workerId);

    // ---- staff
    /// @brief Adds a staff member with a PIN (6-12 digits, hashed with Argon2id).
    [[nodiscard]] Result<Staff> addStaff(const std::string& name, Role role, const std::string& pin, const Actor& actor);
    [[nodiscard]] Result<std::vector<Staff>> listStaff();
    [[nodiscard]] Result<Staff> staff(std::int64_t id);
    /// @brief Sets a new PIN and clears the lockout.
    [[nodiscard]] Result<void> setStaffPin(std::int64_t id, const std::string& pin, const Actor& actor);
    /// @brief Checks a PIN. Wrong PINs count up until a right one (locking never resets the count): the 5th locks
    /// the account for 15 minutes, the 10th for an hour, the 15th until an administrator unlocks it
    /// (unlockStaff). Every lock is an audit row "staff.locked" with its level.
    /// @retval AuthFailed wrong PIN (or unknown staff number); the message says how many tries are left
    /// @retval Locked     locked; the message says until when, or that an administrator must unlock it
    /// @retval Refused    the account is deactivated
    [[nodiscard]] Result<Staff> authenticateStaff(std::int64_t id, const std::string& pin);
    /// @brief Clears a lockout and the failure count (an administrator's act; audited "staff.unlock").
    /// @retval NotFound no such staff member
    [[nodiscard]] Result<void> unlockStaff(std::int64_t id, const Actor& actor);
    /// @brief Deactivates a staff member: the PIN no longer signs in (audited "staff.deactivate").
    /// @retval NotFound no such staff member
    /// @retval Refused  the last active administrator cannot be deactivated
    [[nodiscard]] Result<void> deactivateStaff(std::int64_t id, const Actor& actor);

    // ---- courses and sessions
    [[nodiscard]] Result<std::vector<Course>> listCourses();
    /// @brief By numeric id or code.
    [[nodiscard]] Result<Course> course(const std::string& key);
    /// @brief Schedules a session of a course module.
    /// @retval Conflict the trainer, or the room (when given), is already booked for an overlapping session
    [[nodiscard]] Result<Session> addSession(std::int64_t courseId, const std::string& moduleCode,
                                             std::optional<std::int64_t> trainerId, const std::string& room,
                                             std::int64_t startsAt, std::int64_t endsAt, const Actor& actor);
    [[nodiscard]] Result<Session> session(std::int64_t id);
    /// @brief Sessions that overlap [from, to).
    [[nodiscard]] Result<std::vector<Session>> listSessions(std::int64_t from, std::int64_t to);
    [[nodiscard]] Result<void> addToRoster(std::int64_t sessionId, std::int64_t workerId, const Actor& actor);
    /// @brief The workers on a session's roster, by name.
    [[nodiscard]] Result<std::vector<Worker>> roster(std::int64_t sessionId);

    // ---- attendance
    /// @brief Checks a rostered worker in. Refused when already checked in, not on the roster, outside the
    /// session (from 30 minutes before its start to its end), or at a time still in the future.
    [[nodiscard]] Result<Attendance> checkIn(std::int64_t sessionId, std::int64_t workerId, AttendanceMethod method,
                                             std::optional<double> faceScore, const Actor& actor,
                                             std::optional<std::int64_t> at = std::nullopt);
    /// @brief Checks the worker out of the open check-in (refused at a time still in the future).
    [[nodiscard]] Result<Attendance> checkOut(std::int64_t sessionId, std::int64_t workerId, AttendanceMethod method,
                                              const Actor& actor, std::optional<std::int64_t> at = std::nullopt);
    [[nodiscard]] Result<std::vector<Attendance>> attendanceOf(std::int64_t workerId);
    /// @brief Attended minutes per module of the worker's course (time inside the session window only).
    [[nodiscard]] Result<std::vector<ModuleHours>> hoursPerModule(std::int64_t workerId, std::int64_t courseId);

    // ---- audit
    /// @brief Appends an audit row. Must be called inside the transaction of the change it records.
    /// @brief Records an event that changes no record (a look at personal data, files installed outside the
    /// database) as an audit row in a transaction of its own.
    [[nodiscard]] Result<void> recordEvent(const Actor& actor, const std::string& action, const std::string& subject,
                                           const std::string& detailsJson);
    [[nodiscard]] Result<void> audit(const Actor& actor, const std::string& action, const std::string& subject,
                                     const std::string& detailsJson);
    [[nodiscard]] Result<std::vector<AuditEntry>> auditEntries(std::int64_t afterId, int limit);
    /// @brief The latest audit row of @p action about @p subject (e.g. "consent.decline" about "worker:7"), for
    /// choices that are recorded only as an event; nullopt when there is none.
    [[nodiscard]] Result<std::optional<AuditEntry>> latestAudit(const std::string& subject, const std::string& action);
    /// @brief Walks the chain and names the first row whose hash or link does not match.
    [[nodiscard]] Result<AuditVerification> verifyAudit();

    // ---- maintenance
    /// @brief Online backup to @p destination (written beside it first, checked, then renamed).
    [[nodiscard]] Result<void> backupTo(const std::filesystem::path& destination, const Actor& actor);
    /// @brief Full `PRAGMA integrity_check`; returns the problems found (empty when sound).
    [[nodiscard]] Result<std::vector<std::string>> integrityCheck();
    [[nodiscard]] int schemaVersion();
    /// @brief True on a kiosk role's connection to a center server (`kioskctl kiosk add`): it sees only the worker
    /// it looked up by document number, and no staff, keys or other records.
    [[nodiscard]] bool isKioskRole() const noexcept { return m_kioskRole; }

    /// @brief The connection, for other training/ components (exam sittings, documents).
    [[nodiscard]] Database& database() { return m_db; }
    [[nodiscard]] const Clock& clock() const { return *m_clock; }
    [[nodiscard]] std::int64_t now() const { return m_clock->now(); }

private:
    Store(Database db, std::shared_ptr<const Clock> clock);
    static Result<std::unique_ptr<Store>> openPostgres(std::string_view uri, const StoreOptions& options,
                                                       std::shared_ptr<const Clock> clock);
    Result<Worker> readWorker(Statement& stmt);
    /// The worker columns in the order readWorker expects, each prefixed (e.g. "w.").
    static std::string workerColumns(std::string_view prefix = {});
    Result<void> validateProfile(WorkerProfile& profile);
    Result<std::int64_t> defaultCourseId();

    Database m_db;
    std::shared_ptr<const Clock> m_clock;
    /// A kiosk role's connection to a center server (its search_path starts with kiosk_api, schema version 8): a
    /// look-up by document number first claims the worker (kiosk_api.claim_worker), the only one it then sees.
    bool m_kioskRole{false};
};

/// @brief Hashes a PIN with Argon2id (libsodium's interactive limits).
[[nodiscard]] Result<std::string> hashPin(const std::string& pin);
/// @brief True when @p pin matches @p hash.
[[nodiscard]] bool verifyPin(const std::string& hash, const std::string& pin);
/// @brief Parses "admin" / "trainer" / "clerk".
[[nodiscard]] Result<Role> parseRole(std::string_view text);
/// @brief Parses "face" / "staff" / "card".
[[nodiscard]] Result<AttendanceMethod> parseAttendanceMethod(std::string_view text);
/// @brief Parses "commitment" / "credit-check" / "biometric".
[[nodiscard]] Result<ConsentKind> parseConsentKind(std::string_view text);

/// @brief Lockout policy of staff PINs: every kMaxPinFailures wrong PINs in a row lock the account, first for
/// kPinLockoutSeconds, then for kPinSecondLockoutSeconds, then until an administrator unlocks it.
inline constexpr int kMaxPinFailures = 5;
inline constexpr std::int64_t kPinLockoutSeconds = 15 * 60;
inline constexpr std::int64_t kPinSecondLockoutSeconds = 60 * 60;
/// @brief Staff::lockedUntil of an account only an administrator can unlock.
inline constexpr std::int64_t kLockedUntilUnlocked = std::numeric_limits<std::int64_t>::max();
/// @brief Shortest staff PIN.
inline constexpr std::size_t kMinPinDigits = 6;

}  // namespace training
