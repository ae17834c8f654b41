#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <memory>

#include "devices/id/passive_auth.hpp"
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
using StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;

void freeCertStack(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
using CertStackPtr = std::unique_ptr<STACK_OF(X509), Deleter<freeCertStack>>;
void freeStackOnly(STACK_OF(X509) * s) { sk_X509_free(s); }
using SignerStackPtr = std::unique_ptr<STACK_OF(X509), Deleter<freeStackOnly>>;

constexpr const char* kLdsSecurityObjectOid = "2.23.136.1.1.1";

std::string digestName(ByteView oid) {
    const std::string h = toHex(oid);
    if (h == "2B0E03021A") return "SHA1";
    if (h == "608648016503040204") return "SHA224";
    if (h == "608648016503040201") return "SHA256";
    if (h == "608648016503040202") return "SHA384";
    if (h == "608648016503040203") return "SHA512";
    return {};
}

Result<int> derInteger(const Tlv& t) {
    if (t.tag != 0x02 || t.value.empty() || t.value.size() > 3)
        return fail(ErrorCode::Malformed, "SOD: expected a small INTEGER");
    int v = 0;
    for (auto b : t.value) v = v << 8 | b;
    return v;
}

Result<CmsPtr> parseCms(ByteView efSod) {
    auto top = parseSingleTlv(efSod);
    if (!top) return std::unexpected(top.error());
    if (top->tag != 0x77) return fail(ErrorCode::Malformed, "EF.SOD does not start with tag 77");
    const unsigned char* p = top->value.data();
    CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(top->value.size())));
    ERR_clear_error();
    if (!cms) return fail(ErrorCode::Malformed, "EF.SOD is not a CMS structure");
    if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed)
        return fail(ErrorCode::Malformed, "EF.SOD is not CMS SignedData");
    char oid[64] = {};
    const ASN1_OBJECT* ect = CMS_get0_eContentType(cms.get());
    if (!ect || OBJ_obj2txt(oid, sizeof oid, ect, 1) <= 0 || std::string(oid) != kLdsSecurityObjectOid)
        return fail(ErrorCode::Malformed, "EF.SOD does not hold an LDS security object");
    return cms;
}

Result<ByteView> econtent(CMS_ContentInfo* cms) {
    ASN1_OCTET_STRING** pos = CMS_get0_content(cms);
    if (!pos || !*pos) return fail(ErrorCode::Malformed, "EF.SOD has no embedded LDS security object");
    return ByteView(ASN1_STRING_get0_data(*pos), static_cast<std::size_t>(ASN1_STRING_length(*pos)));
}

/// Loads every certificate file in @p dir (PEM, possibly several per file, or DER).
std::size_t loadTrustDir(X509_STORE* store, const std::filesystem::path& dir) {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (!entry.is_regular_file()) continue;
        std::ifstream f(entry.path(), std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
        bool any = false;
        while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
            X509_STORE_add_cert(store, c);
            X509_free(c);
            any = true;
            ++n;
        }
        if (!any) {
            const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes.data());
            if (X509Ptr c{d2i_X509(nullptr, &p, static_cast<long>(bytes.size()))}) {
                X509_STORE_add_cert(store, c.get());
                ++n;
            }
        }
        ERR_clear_error();
    }
    return n;
}

PaResult invalid(PaResult r, std::string reason, std::string detail) {
    r.verdict = PaVerdict::Invalid;
    r.reason = std::move(reason);
    r.detail = std::move(detail);
    ERR_clear_error();
    return r;
}

}  // namespace

std::string_view paVerdictName(PaVerdict verdict) noexcept {
    switch (verdict) {
        case PaVerdict::Trusted: return "trusted";
        case PaVerdict::SignatureValidUntrusted: return "signature-valid-untrusted";
        case PaVerdict::Invalid: return "invalid";
        case PaVerdict::NotPresent: return "not-present";
    }
    return "invalid";
}

Result<LdsSecurityObject> parseLdsSecurityObject(ByteView der) {
    auto top = parseSingleTlv(der);
    if (!top) return std::unexpected(top.error());
    if (top->tag != 0x30) return fail(ErrorCode::Malformed, "SOD: the LDS security object is not a SEQUENCE");
    auto items = parseTlvList(top->value);
    if (!items) return std::unexpected(items.error());
    if (items->size() < 3) return fail(ErrorCode::Malformed, "SOD: the LDS security object is incomplete");
    LdsSecurityObject so;
    auto version = derInteger((*items)[0]);
    if (!version) return std::unexpected(version.error());
    so.version = *version;
    const Tlv& alg = (*items)[1];
    if (alg.tag != 0x30) return fail(ErrorCode::Malformed, "SOD: hash AlgorithmIdentifier missing");
    auto algItems = parseTlvList(alg.value);
    if (!algItems) return std::unexpected(algItems.error());
    if (algItems->empty() || (*algItems)[0].tag != 0x06)
        return fail(ErrorCode::Malformed, "SOD: hash algorithm OID missing");
    so.hashAlgorithm = digestName((*algItems)[0].value);
    if (so.hashAlgorithm.empty()) return fail(ErrorCode::Malformed, "SOD: unsupported hash algorithm");
    const Tlv& list = (*items)[2];
    if (list.tag != 0x30) return fail(ErrorCode::Malformed, "SOD: data group hash list missing");
    auto hashes = parseTlvList(list.value);
    if (!hashes) return std::unexpected(hashes.error());
    for (const auto& h : *hashes) {
        if (h.tag != 0x30) return fail(ErrorCode::Malformed, "SOD: data group hash is not a SEQUENCE");
        auto parts = parseTlvList(h.value);
        if (!parts) return std::unexpected(parts.error());
        if (parts->size() != 2 || (*parts)[1].tag != 0x04)
            return fail(ErrorCode::Malformed, "SOD: data group hash must be (INTEGER, OCTET STRING)");
        auto dg = derInteger((*parts)[0]);
        if (!dg) return std::unexpected(dg.error());
        if (*dg < 1 || *dg > 16) return fail(ErrorCode::Malformed, "SOD: data group number out of range");
        so.hashes[*dg] = Bytes((*parts)[1].value.begin(), (*parts)[1].value.end());
    }
    return so;
}

Result<LdsSecurityObject> parseSod(ByteView efSod) {
    auto cms = parseCms(efSod);
    if (!cms) return std::unexpected(cms.error());
    auto content = econtent(cms->get());
    if (!content) return std::unexpected(content.error());
    return parseLdsSecurityObject(*content);
}

PaResult passiveAuthenticate(ByteView efSod, const std::map<int, Bytes>& dataGroups,
                             const std::optional<std::filesystem::path>& cscaDir,
                             std::optional<std::chrono::system_clock::time_point> checkTime) {
    PaResult r;
    if (efSod.empty()) {
        r.verdict = PaVerdict::NotPresent;
        r.detail = "the document has no EF.SOD: its data cannot be authenticated";
        return r;
    }
    auto cms = parseCms(efSod);
    if (!cms) return invalid(r, "malformed SOD", cms.error().message);
    auto content = econtent(cms->get());
    if (!content) return invalid(r, "malformed SOD", content.error().message);
    auto so = parseLdsSecurityObject(*content);
    if (!so) return invalid(r, "malformed SOD", so.error().message);
    r.hashAlgorithm = so->hashAlgorithm;

    // 1. Signature over the security object, with the document signer certificate carried in the SOD.
    BioPtr out(BIO_new(BIO_s_mem()));
    if (CMS_verify(cms->get(), nullptr, nullptr, nullptr, out.get(), CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) != 1)
        return invalid(r, "bad signature",
                       "the SOD signature does not verify with its document signer certificate: the document's "
                       "data may have been altered; do not accept it");
    STACK_OF(X509)* signers = CMS_get0_signers(cms->get());
    X509* signer = signers && sk_X509_num(signers) > 0 ? sk_X509_value(signers, 0) : nullptr;
    SignerStackPtr signersOwner(signers);  // a new stack of certificates owned by the CMS structure
    if (signer) {
        char buf[256];
        X509_NAME_oneline(X509_get_subject_name(signer), buf, sizeof buf);
        r.signer = buf;
    }

    // 2. Hashes of the data groups that were read.
    const EVP_MD* md = EVP_get_digestbyname(so->hashAlgorithm.c_str());
    if (!md) return invalid(r, "unsupported hash algorithm", "the SOD uses a hash algorithm this build cannot compute");
    for (const auto& [dg, bytes] : dataGroups) {
        auto it = so->hashes.find(dg);
        if (it == so->hashes.end())
            return invalid(r, "no hash for DG" + std::to_string(dg),
                           "the SOD has no hash for DG" + std::to_string(dg) + ": do not accept the document");
        unsigned char h[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        EVP_Digest(bytes.data(), bytes.size(), h, &n, md, nullptr);
        if (n != it->second.size() || !std::equal(h, h + n, it->second.begin()))
            return invalid(r, "hash mismatch in DG" + std::to_string(dg),
                           "DG" + std::to_string(dg) + " does not match its hash in the SOD: the chip data was "
                           "altered or misread; read again, and do not accept the document if it persists");
        r.checkedGroups.push_back(dg);
    }

    // 3. Chain of the document signer to a CSCA.
    if (!cscaDir) {
        r.verdict = PaVerdict::SignatureValidUntrusted;
        r.detail = "signature and hashes are valid, but no CSCA directory is configured to trust the signer";
        ERR_clear_error();
        return r;
    }
    if (!signer) return invalid(r, "unknown issuer", "the SOD carries no document signer certificate");
    StorePtr store(X509_STORE_new());
    if (loadTrustDir(store.get(), *cscaDir) == 0)
        return invalid(r, "unknown issuer", "the CSCA directory " + cscaDir->string() +
                                                " holds no certificate: put the CSCA certificates (PEM or DER) there");
    CertStackPtr extra(CMS_get1_certs(cms->get()));
    StoreCtxPtr ctx(X509_STORE_CTX_new());
    X509_STORE_CTX_init(ctx.get(), store.get(), signer, extra.get());
    if (checkTime) X509_STORE_CTX_set_time(ctx.get(), 0, std::chrono::system_clock::to_time_t(*checkTime));
    if (X509_verify_cert(ctx.get()) != 1) {
        const int err = X509_STORE_CTX_get_error(ctx.get());
        const std::string text = X509_verify_cert_error_string(err);
        if (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID)
            return invalid(r, "expired certificate", "a certificate of the signer chain is outside its validity (" +
                                                         text + "): do not accept the document");
        if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
            err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT || err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN)
            return invalid(r, "unknown issuer", "the document signer was not issued by a CSCA in " +
                                                    cscaDir->string() + " (" + text +
                                                    "): add the issuing country's CSCA certificate or reject the "
                                                    "document");
        return invalid(r, "untrusted chain", "the signer chain does not verify (" + text + ")");
    }
    r.verdict = PaVerdict::Trusted;
    r.detail = "signature, hashes and CSCA chain are valid";
    ERR_clear_error();
    return r;
}

}  // namespace devices::id
