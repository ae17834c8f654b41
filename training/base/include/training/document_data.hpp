#pragma once
/// @file document_data.hpp
/// @brief The plain values a certificate or badge card document shows (no database, no keys), so that
/// the documents library renders them without linking the records or certification libraries.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace training {

/// @brief One module line of a certificate.
struct CertificateModuleLine {
    std::string code;
    std::string nameZh;
    std::string nameEn;
    int requiredMinutes{0};
    int attendedMinutes{0};
};

/// @brief Everything a certificate (A4) or badge card (ID-1) document shows; plain values only.
struct CertificateDocument {
    std::string centerCode;
    std::string centerName;
    std::string workerName;
    std::optional<std::string> workerNameLatin;
    std::string maskedId;
    std::vector<std::uint8_t> portrait;  ///< worker_images 'portrait', else 'chip' (JPEG or PNG only); empty when none
    std::string portraitMime;            ///< "image/jpeg", "image/png", or empty
    std::string courseCode;
    std::string courseNameZh;
    std::string courseNameEn;
    std::vector<CertificateModuleLine> modules;
    std::optional<double> examScore;  ///< 0..100
    std::optional<std::string> examDate;  ///< YYYY-MM-DD of the latest submitted attempt
    std::string certificateNumber;
    std::string issueDate;
    std::string expiryDate;
    std::string qrPayload;  ///< text to put in the QR code (ECC M; libqrencode picks byte/numeric segments)
    std::optional<std::string> agencyName;
    std::vector<std::string> serviceTypes;  ///< as shown: the Chinese names of the worker's service types
    std::optional<std::string> badgeNumber;
    bool revoked{false};
};

}  // namespace training
