#pragma once
/// @file csca.hpp
/// @brief Installing a center's trust anchors for passive authentication: CSCA certificates from PEM/DER files
/// or an ICAO CSCA master list, into the folder the kiosk reads (`kioskctl id csca import`).

#include <filesystem>
#include <vector>

#include "devices/error.hpp"
#include "devices/id/bytes.hpp"

namespace devices::id {

/// @brief The certificates (DER) in one file: PEM (one or more CERTIFICATE blocks), one DER certificate, or an
/// ICAO CSCA master list (CMS SignedData, DER or PEM, content type 2.23.136.1.1.2, ICAO Doc 9303-12).
/// A master list's signature must verify with the signer certificate it carries (integrity: whether to trust the
/// list is the importing administrator's decision).
/// @retval Malformed the data are none of these, or a master list holds no certificate.
/// @retval Integrity a master list's signature does not verify.
[[nodiscard]] Result<std::vector<Bytes>> parseCscaFile(ByteView data);

/// @brief What installCscaCertificates() did.
struct CscaInstallReport {
    std::size_t added{0};    ///< certificates written
    std::size_t present{0};  ///< certificates that were already installed
};

/// @brief Writes each certificate into @p dir (created if missing) as `<first 16 hex of its SHA-256>.der`;
/// certificates already there are left alone.
/// @retval InvalidInput a certificate does not parse.
/// @retval Internal the folder or a file cannot be written (the message names it).
[[nodiscard]] Result<CscaInstallReport> installCscaCertificates(const std::vector<Bytes>& certificates,
                                                                const std::filesystem::path& dir);

}  // namespace devices::id
