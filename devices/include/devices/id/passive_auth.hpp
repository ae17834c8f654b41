#pragma once
/// @file passive_auth.hpp
/// @brief EF.SOD passive authentication (ICAO 9303-11 section 5.1) with OpenSSL CMS.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "devices/error.hpp"
#include "devices/id/bytes.hpp"

namespace devices::id {

/// @brief Contents of the LDS security object inside EF.SOD.
struct LdsSecurityObject {
    int version{0};
    std::string hashAlgorithm;   ///< OpenSSL digest name, e.g. "SHA256"
    std::map<int, Bytes> hashes; ///< data group number -> hash
};

/// @brief Parses the DER LDSSecurityObject. Malformed on bad structure.
[[nodiscard]] Result<LdsSecurityObject> parseLdsSecurityObject(ByteView der);

/// @brief Parses EF.SOD (tag 77, CMS SignedData) and returns its LDS security object without verifying it.
[[nodiscard]] Result<LdsSecurityObject> parseSod(ByteView efSod);

/// @brief Outcome of passive authentication.
enum class PaVerdict {
    Trusted,                  ///< signature valid, hashes match, signer chains to a configured CSCA
    SignatureValidUntrusted,  ///< signature valid and hashes match, but no CSCA directory was configured
    Invalid,                  ///< something failed: see reason
    NotPresent,               ///< the document has no EF.SOD
};

/// @brief "trusted", "signature-valid-untrusted", "invalid", "not-present".
[[nodiscard]] std::string_view paVerdictName(PaVerdict verdict) noexcept;

/// @brief Verdict with a reason for Invalid (e.g. "hash mismatch in DG2", "bad signature",
/// "expired certificate", "unknown issuer") and details for people.
struct PaResult {
    PaVerdict verdict{PaVerdict::NotPresent};
    std::string reason;             ///< short reason (Invalid only)
    std::string detail;             ///< longer explanation, what to do
    std::string hashAlgorithm;      ///< from the security object
    std::string signer;             ///< document signer subject (when parsed)
    std::vector<int> checkedGroups; ///< data groups whose hash matched
};

/// @brief Runs passive authentication. @p efSod empty means not present. @p dataGroups are the raw
/// data groups read (number -> bytes); each must match the SOD's hash. When @p cscaDir is set, every
/// certificate file in it (PEM or DER) is a trust anchor and the signer must chain to one. Certificate
/// validity is checked at @p checkTime (default: now).
[[nodiscard]] PaResult passiveAuthenticate(ByteView efSod, const std::map<int, Bytes>& dataGroups,
                                           const std::optional<std::filesystem::path>& cscaDir,
                                           std::optional<std::chrono::system_clock::time_point> checkTime = std::nullopt);

}  // namespace devices::id
