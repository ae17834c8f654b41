#pragma once
/// @file certificates.hpp
/// @brief Completion certificates: issuing for eligible workers, revocation, the signed revocation list,
/// verification of QR payloads, and the data a certificate or badge card document shows.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "training/badge_code.hpp"
#include "training/center_key.hpp"
#include "training/document_data.hpp"
#include "training/eligibility.hpp"
#include "training/store.hpp"

namespace training {

/// @brief A certificate as stored.
struct Certificate {
    std::int64_t id{0};
    std::string number;  ///< CENTER-YYYY-NNNNNN, unique
    std::int64_t workerId{0};
    std::int64_t courseId{0};
    std::string issueDate;   ///< YYYY-MM-DD (local)
    std::string expiryDate;  ///< YYYY-MM-DD
    std::string payload;     ///< the QR text: https://HOST/PATH#CODE (badge_code.hpp), or HSB1:... before version 2
    std::int64_t issuedAt{0};
    std::optional<std::int64_t> revokedAt;
    std::optional<std::string> revocationReason;
    std::optional<std::string> badgeNumber;  ///< issued by the network center (submission ack)
};

/// @brief A sample document with made-up data (layout work, `--demo`), signed with @p key.
[[nodiscard]] CertificateDocument sampleCertificateDocument(const CenterKey& key);

/// @brief Certificates on top of a Store (same connection, transactions and audit chain).
class Certificates {
public:
    /// @param key the center key; needed to issue and to export the revocation list, not to read or verify.
    Certificates(Store& store, const CenterKey* key) : m_store(store), m_key(key) {}

    /// @brief Issues a certificate to an eligible worker, or returns the valid one the worker already
    /// holds for the course (issuing is idempotent).
    ///
    /// When the worker's latest certificate for the course was revoked, a new one is issued only with
    /// @p reissueReason (an explicit decision, audited as `certificate.reissue` with the reason and the revoked
    /// number); without it the revocation is an unmet condition like the others.
    /// @retval Refused the worker is not eligible: the message lists every unmet condition
    /// @retval Refused no center key was given (run `kioskctl init` or set KIOSK_CENTER_KEY)
    /// @retval InvalidInput @p reissueReason is given but empty, or the worker has no revoked certificate
    [[nodiscard]] Result<Certificate> issue(std::int64_t workerId, std::optional<std::int64_t> courseId,
                                            const Actor& actor,
                                            const std::optional<std::string>& reissueReason = std::nullopt);
    /// @brief By number (case-insensitive).
    [[nodiscard]] Result<Certificate> certificate(const std::string& number);
    /// @brief The worker's current (not revoked) certificate for the course, if any.
    [[nodiscard]] Result<std::optional<Certificate>> currentFor(std::int64_t workerId, std::int64_t courseId);
    /// @brief All certificates of a worker, newest first.
    [[nodiscard]] Result<std::vector<Certificate>> ofWorker(std::int64_t workerId);
    /// @brief The data a document shows for certificate @p number.
    [[nodiscard]] Result<CertificateDocument> document(const std::string& number);

    /// @brief Revokes a certificate with a reason (audited).
    /// @retval Conflict already revoked
    [[nodiscard]] Result<Certificate> revoke(const std::string& number, const std::string& reason, const Actor& actor);
    /// @brief The signed revocation list of this center (JSON text, see assets/submission/README.md).
    [[nodiscard]] Result<std::string> exportRevocationList();
    /// @brief Imports another center's signed revocation list (its key must be trusted). Returns entries added.
    [[nodiscard]] Result<int> importRevocationList(std::string_view text, const Actor& actor);

    /// @brief The verification page's signed keys file (`kioskctl web export`): the trusted center keys (this
    /// center's first), this center's agencies (id -> name) and courses (code -> names), signed by this center.
    /// Text: `{"signed": "<JSON text>", "signature": "<base64url Ed25519 of the signed text's UTF-8 bytes>"}`;
    /// the signed JSON has format "badge-web-keys", version 1, center, issued_at, keys [{center, name,
    /// public_key}], agencies {"<id>": name}, courses {"<code>": {zh, en}}.
    /// @retval Refused no center key was given
    [[nodiscard]] Result<std::string> exportWebKeys();
    /// @brief The verification page's signed revocation list: every revocation this center knows (its own and
    /// those imported from trusted centers), signed by this center; same envelope as exportWebKeys(), format
    /// "badge-web-revocations", version 1, center, issued_at, revoked [{center, number, revoked_at, reason}].
    /// @retval Refused no center key was given
    [[nodiscard]] Result<std::string> exportWebRevocations();

    /// @brief Verifies a payload against the trusted keys and the revocation list, as of today.
    [[nodiscard]] Result<BadgeVerification> verify(std::string_view payload);

private:
    Store& m_store;
    const CenterKey* m_key;
};

}  // namespace training
