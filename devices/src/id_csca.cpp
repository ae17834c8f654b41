// CSCA certificates for passive authentication: PEM/DER certificate files and ICAO CSCA master lists.
#include "devices/id/csca.hpp"

// pem.h first: cms.h declares PEM_read_bio_CMS only when it was included.
#include <openssl/pem.h>
//
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <fstream>
#include <memory>
#include <string>

#include "devices/id/tlv.hpp"

namespace devices::id {
namespace {

template <auto F>
struct Deleter {
    template <typename T>
    void operator()(T* p) const {
        F(p);
    }
};
using CmsPtr = std::unique_ptr<CMS_ContentInfo, Deleter<CMS_ContentInfo_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;

constexpr const char* kMasterListOid = "2.23.136.1.1.2";

Bytes toDer(X509* cert) {
    unsigned char* out = nullptr;
    const int n = i2d_X509(cert, &out);
    Bytes der;
    if (n > 0) der.assign(out, out + n);
    OPENSSL_free(out);
    return der;
}

/// CscaMasterList ::= SEQUENCE { version INTEGER, certList SET OF Certificate }.
Result<std::vector<Bytes>> masterListCertificates(CMS_ContentInfo* cms) {
    if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed)
        return fail(ErrorCode::Malformed, "the file is CMS but not SignedData: not an ICAO master list");
    char oid[64] = {};
    const ASN1_OBJECT* ect = CMS_get0_eContentType(cms);
    if (!ect || OBJ_obj2txt(oid, sizeof oid, ect, 1) <= 0 || std::string(oid) != kMasterListOid)
        return fail(ErrorCode::Malformed, "the CMS file does not hold a CSCA master list (content type " +
                                              std::string(oid) + ", expected " + kMasterListOid + ")");
    BioPtr content(BIO_new(BIO_s_mem()));
    if (CMS_verify(cms, nullptr, nullptr, nullptr, content.get(), CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) != 1) {
        ERR_clear_error();
        return fail(ErrorCode::Integrity, "the master list's signature does not verify: the file was altered or "
                                          "damaged; download it again from its publisher");
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(content.get(), &data);
    const ByteView der(reinterpret_cast<const std::uint8_t*>(data), static_cast<std::size_t>(size));
    auto top = parseSingleTlv(der);
    if (!top || top->tag != 0x30) return fail(ErrorCode::Malformed, "the master list's content is not a SEQUENCE");
    auto items = parseTlvList(top->value);
    if (!items || items->size() < 2 || (*items)[1].tag != 0x31)
        return fail(ErrorCode::Malformed, "the master list's content has no certificate list");
    std::vector<Bytes> out;
    const ByteView set = (*items)[1].value;
    const unsigned char* p = set.data();
    const unsigned char* end = set.data() + set.size();
    while (p < end) {
        X509Ptr cert(d2i_X509(nullptr, &p, end - p));
        if (!cert) {
            ERR_clear_error();
            return fail(ErrorCode::Malformed, "the master list holds something that is not a certificate");
        }
        out.push_back(toDer(cert.get()));
    }
    if (out.empty()) return fail(ErrorCode::Malformed, "the master list holds no certificate");
    return out;
}

}  // namespace

Result<std::vector<Bytes>> parseCscaFile(ByteView data) {
    if (data.empty()) return fail(ErrorCode::Malformed, "the file is empty");
    if (data.size() > 64u * 1024 * 1024) return fail(ErrorCode::Malformed, "the file is larger than 64 MB");
    std::vector<Bytes> out;
    {
        BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
        while (X509Ptr c{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) out.push_back(toDer(c.get()));
        ERR_clear_error();
        if (!out.empty()) return out;
    }
    {
        const unsigned char* p = data.data();
        X509Ptr c(d2i_X509(nullptr, &p, static_cast<long>(data.size())));
        ERR_clear_error();
        if (c && p == data.data() + data.size()) return std::vector<Bytes>{toDer(c.get())};
    }
    {
        const unsigned char* p = data.data();
        CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(data.size())));
        ERR_clear_error();
        if (!cms) {
            BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
            cms.reset(PEM_read_bio_CMS(bio.get(), nullptr, nullptr, nullptr));
            ERR_clear_error();
        }
        if (cms) return masterListCertificates(cms.get());
    }
    return fail(ErrorCode::Malformed, "the file is neither a certificate (PEM or DER) nor an ICAO CSCA master list");
}

Result<CscaInstallReport> installCscaCertificates(const std::vector<Bytes>& certificates,
                                                  const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return fail(ErrorCode::Internal, "cannot create the CSCA folder " + dir.string() + ": " + ec.message());
    CscaInstallReport report;
    for (const auto& der : certificates) {
        const unsigned char* p = der.data();
        X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
        ERR_clear_error();
        if (!cert) return fail(ErrorCode::InvalidInput, "a certificate to install does not parse");
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        EVP_Digest(der.data(), der.size(), md, &n, EVP_sha256(), nullptr);
        const auto file = dir / (toHex(ByteView(md, 8)) + ".der");
        if (std::filesystem::exists(file, ec)) {
            ++report.present;
            continue;
        }
        const auto tmp = file.string() + ".tmp";
        {
            std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
            f.write(reinterpret_cast<const char*>(der.data()), static_cast<std::streamsize>(der.size()));
            if (!f) return fail(ErrorCode::Internal, "cannot write " + tmp);
        }
        std::filesystem::rename(tmp, file, ec);
        if (ec) return fail(ErrorCode::Internal, "cannot write " + file.string() + ": " + ec.message());
        ++report.added;
    }
    return report;
}

}  // namespace devices::id
