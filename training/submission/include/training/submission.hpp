#pragma once
/// @file submission.hpp
/// @brief Submission batches to the city network center (issue 6 point 6).
///
/// A batch is a folder `<out>/<batch code>/` with `manifest.json` (schema in
/// assets/submission/manifest.schema.json, documented in assets/submission/README.md), the portraits, and
/// `manifest.json.sig` (detached Ed25519 signature of the exact manifest bytes, base64url); optionally
/// the same content as `<batch code>.zip`. A worker is in at most one batch that was not rejected;
/// creating again adds only workers who became eligible since.
///
/// Sending POSTs the zip with an `Idempotency-Key` header fixed at creation, retrying connection errors,
/// HTTP 429 and 5xx with exponential backoff. The state is recorded before the upload ("sending") and the
/// receipt after, so a crash at any point is resumed by sending again with the same key, which the
/// network center answers with the same receipt instead of a second submission.
///
/// Batches travel over https only (plain http is accepted to this machine's loopback address, for tests). The
/// manifest carries no public key: the network center checks its signature with the center key registered with it
/// beforehand. Its receipts and answers are signed with the network center's key, which is installed at the center
/// beforehand (installNetworkCenterKey, `kioskctl submit trust-network-center FILE`); a receipt or answer that is
/// not signed with it is refused before anything is recorded. Once a batch is acknowledged its folder and zip
/// (personal data: full ID numbers, portraits) are unlinked; the database keeps the manifest's SHA-256, the
/// receipt and each worker's outcome.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "training/center_key.hpp"
#include "training/store.hpp"

namespace training {

/// @brief Manifest schema version written by this build.
/// Version 2: `center.public_key` is gone (receivers use the key registered with them) and `audit_checkpoint`
/// (the signed head of the center's audit chain) is new.
inline constexpr int kManifestSchemaVersion = 2;

/// @brief Lifecycle of a batch: created -> sending -> sent -> acknowledged.
enum class BatchState { Created, Sending, Sent, Acknowledged };
[[nodiscard]] std::string_view batchStateName(BatchState s) noexcept;

/// @brief One worker of a batch.
struct BatchItem {
    std::int64_t workerId{0};
    std::string workerName;
    std::string certificateNumber;
    std::optional<std::string> badgeNumber;  ///< after ack
    std::optional<std::string> rejection;    ///< after ack, when the network center refused the worker
};

/// @brief A batch as stored.
struct SubmissionBatch {
    std::int64_t id{0};
    std::string code;            ///< "<center>-B<YYYYMMDD>-<id>"
    std::string idempotencyKey;  ///< 32 hex characters, fixed at creation
    BatchState state{BatchState::Created};
    std::filesystem::path folder;
    std::optional<std::filesystem::path> zip;
    std::string manifestSha256;
    std::int64_t createdAt{0};
    int sendAttempts{0};
    std::optional<std::int64_t> sentAt;
    std::optional<std::string> receipt;  ///< the network center's receipt (JSON text)
    std::optional<std::int64_t> acknowledgedAt;
    bool filesPresent{false};  ///< the folder or the zip is still on disk (false once acknowledged: deleted)
    std::vector<BatchItem> items;
};

/// @brief What create() did.
struct CreateOutcome {
    std::optional<SubmissionBatch> batch;  ///< absent when there was nobody new to submit
    int added{0};
    int notEligible{0};       ///< workers skipped because they are not eligible
    int alreadySubmitted{0};  ///< eligible workers already in a batch
};

/// @brief Options of send().
struct SendOptions {
    int maxAttempts{5};
    std::chrono::milliseconds initialBackoff{1000};  ///< doubled after each failed attempt
    std::chrono::seconds timeout{60};
    /// Transport security towards the network center (all optional):
    std::filesystem::path caFile;      ///< PEM CA certificates that sign the server's certificate (https; default:
                                       ///< the system's trust store)
    std::filesystem::path clientCert;  ///< PEM client certificate, when the center authenticates terminals by TLS
    std::filesystem::path clientKey;   ///< its PEM private key (required with clientCert; must not be group/world
                                       ///< readable)
    std::filesystem::path tokenFile;   ///< file holding the bearer token the center issued (mode 0600); sent as
                                       ///< `Authorization: Bearer`, over https or to this machine only
    /// Test hook: called after the server answered 2xx and before the receipt is recorded.
    std::function<void()> afterUpload;
};

/// @brief Where the network center's public key is kept in the center folder @p centerDir
/// (`network-center-key.json`, the exported key format of center_key.hpp).
[[nodiscard]] std::filesystem::path networkCenterKeyPath(const std::filesystem::path& centerDir);
/// @brief Installs the network center's public key (its exported form, @p exportedKey) at @p path (mode 0600),
/// replacing an earlier one; audited as `submission.network-key` with the key.
/// @retval InvalidInput not an exported public key (the message names the problem)
/// @retval Io the file could not be written
[[nodiscard]] Result<CenterPublicKey> installNetworkCenterKey(Store& store, const std::filesystem::path& path,
                                                              std::string_view exportedKey, const Actor& actor);
/// @brief The installed network center key at @p path, or nullopt when none is installed.
/// @retval Corrupt the file is not an exported public key (install it again)
[[nodiscard]] Result<std::optional<CenterPublicKey>> loadNetworkCenterKey(const std::filesystem::path& path);

/// @brief Submission batches on top of a Store.
class Submissions {
public:
    /// @param networkCenter the network center's public key that signs receipts and answers (send() and ack()
    ///        refuse without it)
    Submissions(Store& store, const CenterKey& key, std::optional<CenterPublicKey> networkCenter = std::nullopt)
        : m_store(store), m_key(key), m_networkCenter(std::move(networkCenter)) {}

    /// @brief Issues certificates as needed and writes a batch of the eligible workers not yet in one.
    [[nodiscard]] Result<CreateOutcome> create(const std::filesystem::path& outDir, bool zip, const Actor& actor);
    /// @brief Uploads a batch to @p url (resumes a crashed send; a sent batch is not sent again).
    /// @retval InvalidInput the URL is not https (plain http only to this machine), or a security option is wrong:
    ///         a file missing or unreadable, a client certificate without its key, a CA file or client certificate
    ///         with an http:// URL, an empty token
    /// @retval Refused no network center key is installed (nothing is sent), or its receipt is not signed with it
    ///         or is another batch's (nothing is recorded: the batch stays "sending")
    /// @retval Refused the server refused it (4xx, e.g. 401 for a wrong token): the message carries its answer;
    ///         or its TLS certificate is not trusted (check caFile); or a token or key file is readable by others
    ///         (chmod 600); or a token would travel unencrypted to another machine
    /// @retval Io      no success after the retries (server unreachable or failing; the batch stays "sending";
    ///         send again later)
    [[nodiscard]] Result<SubmissionBatch> send(std::int64_t batchId, const std::string& url, const SendOptions& options,
                                               const Actor& actor);
    /// @brief Records the network center's signed answer file (badge numbers and rejections), then deletes the
    /// batch's folder and zip (unlink: the database keeps the manifest's SHA-256, the receipt and the outcomes).
    /// @retval InvalidInput the file does not match the batch or is malformed
    /// @retval Refused no network center key is installed, or the answer is not signed with it (nothing is written)
    /// @retval Io the answer was recorded but a file could not be deleted (the message names it: delete it)
    [[nodiscard]] Result<SubmissionBatch> ack(std::int64_t batchId, const std::filesystem::path& receiptFile,
                                              const Actor& actor);
    [[nodiscard]] Result<SubmissionBatch> batch(std::int64_t batchId);
    [[nodiscard]] Result<std::vector<SubmissionBatch>> list();

private:
    Store& m_store;
    const CenterKey& m_key;
    std::optional<CenterPublicKey> m_networkCenter;
};

}  // namespace training
