#pragma once
/// @file privacy.hpp
/// @brief The workers' rights under China's Personal Information Protection Law (arts. 15, 44-47): withdrawing
/// the biometric consent, a copy of everything held (export), erasure, and retention per category (purge).
///
/// Every operation is one transaction with its audit row. Deleted bytes must not linger in the database:
/// - SQLite: every connection of the store runs with `secure_delete` on (Store::open), so deleted content is
///   overwritten; the write-ahead log is checkpointed and truncated afterwards; erasure also rebuilds the file
///   (VACUUM) so that no stale copy of an earlier version of a row survives in free space.
/// - PostgreSQL: the tables changed are vacuumed after the commit (withdrawal, purge: a plain VACUUM); erasure
///   runs `VACUUM (FULL, ANALYZE)` on them, which writes each table and its indexes anew without the dead row
///   versions and renews the statistics. The server's own write-ahead log and any WAL archive or base backup
///   keep older pages until they are recycled (docs/privacy.md).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "training/store.hpp"

namespace training {

/// @brief What withdrawing the biometric consent did.
struct WithdrawalOutcome {
    int consentsWithdrawn{0};       ///< Biometric consents marked withdrawn (normally 1).
    int portraitsDeleted{0};        ///< Live portraits deleted (0 when kept for an issued document).
    int faceScoresCleared{0};       ///< The worker's face match and the face scores of attendance rows.
    std::optional<std::string> portraitKeptFor;  ///< The valid certificate whose badge carries the portrait.
};

/// @brief Withdraws the worker's biometric consent (PIPL art. 15): the consent is marked withdrawn, the face match
/// and every face score are cleared, and the live portrait is deleted unless a certificate that is still valid
/// (not revoked, not expired) was issued with it. Later identity checks of the worker go through staff.
/// @retval NotFound no such worker
/// @retval Refused  the worker has no biometric consent in force (never signed, or already withdrawn)
[[nodiscard]] Result<WithdrawalOutcome> withdrawBiometricConsent(Store& store, std::int64_t workerId,
                                                                 const Actor& actor);

/// @brief Everything held about one worker in a readable form.
struct WorkerExport {
    nlohmann::json data;  ///< The records (see exportWorker).
    std::vector<std::pair<std::string, std::vector<std::uint8_t>>> files;  ///< images/..., signatures/...
};

/// @brief Collects everything held about the worker (PIPL art. 45): the record with full numbers, images,
/// consents with the exact text shown (when @p consentTextDir holds that version) and their signatures, rosters,
/// attendance, exam candidacies and attempts with every answer, certificates, submission batches, and the audit
/// rows about the worker. Audited as "worker.export".
/// @retval NotFound no such worker
[[nodiscard]] Result<WorkerExport> exportWorker(Store& store, std::int64_t workerId,
                                                const std::optional<std::filesystem::path>& consentTextDir,
                                                const Actor& actor);

/// @brief Writes an export as a zip: data.json, README.txt, images/ and signatures/ (written beside @p zip
/// first, then renamed; mode 0600).
/// @retval Io the file cannot be written
[[nodiscard]] Result<void> writeWorkerExport(const WorkerExport& exported, const std::filesystem::path& zip);

/// @brief What erasing a worker removed and kept.
struct ErasureOutcome {
    std::string pseudonym;                  ///< What the worker row is called now ("erased-<id>").
    int images{0}, consents{0}, attendance{0}, rosters{0}, candidacies{0}, attempts{0};
    std::vector<std::string> certificatesKept;  ///< Numbers kept (with their validity), no longer linked to a person.
    int batchesKept{0};                         ///< Submission batches the worker was in (the fact is kept).
    /// SQLite: the file was rebuilt and the log truncated (false: another process held it). PostgreSQL: the
    /// tables were rewritten by VACUUM FULL (false: a kiosk's transaction held them past the busy timeout, or the
    /// connection's user owns neither the tables nor the database and may not vacuum them).
    bool fileScrubbed{false};
    std::string scrubProblem;  ///< Why the file could not be rebuilt (retry when the kiosks are closed).
};

/// @brief Erases the worker's personal data (PIPL art. 47): images, consents, attendance, rosters, exam candidacies
/// and attempts are deleted; the worker row keeps no name, number or profile ("erased-<id>"); issued certificates
/// keep their number, dates and badge number but lose their QR payload; batch membership is kept. The audit chain
/// is untouched (it never holds names or full numbers). Then the file is rebuilt (VACUUM) and the log truncated
/// (PostgreSQL: the tables concerned are rewritten with VACUUM (FULL, ANALYZE)).
/// Audited as "worker.erase".
/// @retval NotFound no such worker
/// Erasing an erased worker again deletes nothing and scrubs the file again.
/// @retval Refused  the worker has an exam attempt in progress
[[nodiscard]] Result<ErasureOutcome> eraseWorker(Store& store, std::int64_t workerId, const Actor& actor);

/// @brief The retention categories.
enum class RetentionCategory { LivePortraits, ChipPhotos, Signatures, Attempts, Attendance, Batches };
/// @brief "live-portraits", "chip-photos", "signatures", "attempts", "attendance", "batches".
[[nodiscard]] std::string_view retentionCategoryName(RetentionCategory c) noexcept;
/// @brief Every category, in the order above.
[[nodiscard]] const std::vector<RetentionCategory>& retentionCategories();

/// @brief Days each category is kept after the worker's training and badge end (batches: after the batch was
/// acknowledged, else sent, else created). A worker's end is the latest of their last activity (registration,
/// consent, attendance, exam) and the expiry of their latest certificate that is not revoked.
struct RetentionPolicy {
    /// Defaults from the consent text (assets/consents/biometric.toml): three years after the training ends and
    /// the badge expires.
    int livePortraitsDays{3 * 365};
    int chipPhotosDays{3 * 365};
    int signaturesDays{3 * 365};
    int attemptsDays{3 * 365};
    int attendanceDays{3 * 365};
    int batchesDays{3 * 365};
    [[nodiscard]] int days(RetentionCategory c) const;
    void setDays(RetentionCategory c, int days);
};

/// @brief Parses "CATEGORY=DAYS" (e.g. "live-portraits=365") into @p policy.
/// @retval InvalidInput unknown category, or days not a whole number from 0 to 36500
[[nodiscard]] Result<void> applyRetentionSetting(RetentionPolicy& policy, std::string_view setting);

/// @brief What a purge deletes (or would delete) in one category.
struct PurgeLine {
    RetentionCategory category{RetentionCategory::LivePortraits};
    std::int64_t records{0};  ///< rows (images, consents, attempts, attendance rows, batch memberships)
    std::int64_t bytes{0};    ///< image and signature bytes, and batch files on disk
    std::int64_t workers{0};  ///< workers concerned (batches: batches)
};

/// @brief Deletes what is past retention at the store's clock (PIPL art. 47 (1)); with @p dryRun only counts.
/// Batches past retention lose their member list and their folder and zip on disk; the batch row (code, state,
/// dates) is kept. Audited as "privacy.purge" (not on a dry run).
[[nodiscard]] Result<std::vector<PurgeLine>> purgeExpired(Store& store, const RetentionPolicy& policy, bool dryRun,
                                                          const Actor& actor);

}  // namespace training
