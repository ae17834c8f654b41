// Submission batches to the network center: signed manifest folder/zip, idempotent upload, receipt, ack.
#include "training/submission.hpp"

#include <curl/curl.h>
#include <sodium.h>
#include <sys/stat.h>

#include <fmt/format.h>
#include <fstream>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "training/audit_checkpoint.hpp"
#include "training/certificates.hpp"
#include "training/eligibility.hpp"
#include "training/text.hpp"
#include "training/validation.hpp"
#include "training/zip_internal.hpp"

#include "training/json_fields.hpp"

namespace training {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

// ---------------------------------------------------------------- files

// Batch files hold full ID numbers and portraits: owner only (0600 files in 0700 folders).
Result<void> writeFile(const fs::path& path, std::string_view data) { return writePrivateFile(path, data); }

Result<std::string> readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(ErrorCode::NotFound, fmt::format("cannot read {}; check the path", path.string()));
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// ---------------------------------------------------------------- records

BatchState parseState(const std::string& s) {
    if (s == "sending") return BatchState::Sending;
    if (s == "sent") return BatchState::Sent;
    if (s == "acknowledged") return BatchState::Acknowledged;
    return BatchState::Created;
}

std::string extensionFor(const std::string& mime) { return mime == "image/png" ? "png" : "jpg"; }

json workerEntry(const Worker& w, const std::optional<Agency>& agency, const CertificateDocument& doc,
                 const std::vector<Consent>& consents, const std::optional<std::string>& portraitFile,
                 const std::string& portraitSha) {
    const auto& id = w.identity;
    const auto& p = w.profile;
    const auto opt = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
    json identity{{"doc_type", documentTypeName(id.docType)},
                  {"doc_number", id.docNumber},
                  {"issuing_state", id.issuingState},
                  {"name", id.name},
                  {"name_latin", opt(id.nameLatin)},
                  {"sex", sexCode(id.sex)},
                  {"birth_date", opt(id.birthDate)},
                  {"nationality", opt(id.nationality)},
                  {"ethnicity", opt(id.ethnicity)},
                  {"id_address", opt(id.idAddress)},
                  {"id_issuer", opt(id.idIssuer)},
                  {"id_valid_from", opt(id.idValidFrom)},
                  {"id_valid_until", opt(id.idValidUntil)}};
    json profile{{"residence_permit", opt(p.residencePermit)},
                 {"phone", opt(p.phone)},
                 {"address", opt(p.address)},
                 {"service_types", p.serviceTypes.value_or(std::vector<std::string>{})},
                 {"specialties", p.specialties.value_or(std::vector<std::string>{})},
                 {"education", opt(p.education)},
                 {"health_check", {{"date", opt(p.healthCheckDate)}, {"result", opt(p.healthCheckResult)},
                                   {"issuer", opt(p.healthCheckIssuer)}}},
                 {"insurance", {{"policy", opt(p.insurancePolicy)}, {"insurer", opt(p.insurer)},
                                {"valid_until", opt(p.insuranceValidUntil)}}}};
    json hours = json::array();
    for (const auto& m : doc.modules)
        hours.push_back({{"module", m.code}, {"required_minutes", m.requiredMinutes}, {"attended_minutes", m.attendedMinutes}});
    json cons = json::array();
    for (const auto& c : consents) {
        if (c.withdrawnAt) continue;
        cons.push_back({{"kind", consentKindName(c.kind)},
                        {"text_version", c.textVersion},
                        {"text_sha256", c.textSha256},
                        {"signed_at", formatUtc(c.signedAt)}});
    }
    json verification{{"identity_verified_at", w.identityVerifiedAt ? json(formatUtc(*w.identityVerifiedAt)) : json(nullptr)},
                      {"identity_method", opt(w.identityMethod)},
                      {"face_verified_at", w.faceVerifiedAt ? json(formatUtc(*w.faceVerifiedAt)) : json(nullptr)},
                      {"face_score", w.faceScore ? json(*w.faceScore) : json(nullptr)}};
    return json{{"certificate_number", doc.certificateNumber},
                {"certificate_issue_date", doc.issueDate},
                {"certificate_expiry_date", doc.expiryDate},
                {"identity", identity},
                {"profile", profile},
                {"agency", agency ? json{{"name", agency->name}, {"uscc", agency->uscc}} : json(nullptr)},
                {"verification", verification},
                {"course", doc.courseCode},
                {"hours", hours},
                {"exam", {{"score", doc.examScore ? json(*doc.examScore) : json(nullptr)},
                          {"date", doc.examDate ? json(*doc.examDate) : json(nullptr)}}},
                {"consents", cons},
                {"portrait", portraitFile ? json{{"file", *portraitFile}, {"sha256", portraitSha}} : json(nullptr)}};
}

// ---------------------------------------------------------------- HTTP

struct HttpResponse {
    long status{0};
    std::string body;
    std::string transportError;  // empty when the server answered
    CURLcode curlCode{CURLE_OK};
};

/// How to reach the server: TLS files and extra headers, checked beforehand (checkTransport).
struct Transport {
    std::string caFile, clientCert, clientKey;
    std::vector<std::string> headers;
};

/// Transport failures that retrying cannot fix: the TLS set-up or the URL is wrong.
std::optional<Error> permanentFailure(const HttpResponse& r, const std::string& url, const Transport& t) {
    switch (r.curlCode) {
        case CURLE_SSL_CACERT_BADFILE:
            return Error{ErrorCode::InvalidInput,
                         fmt::format("the CA file {} could not be loaded ({}); give a PEM file of the CA certificates "
                                     "that sign the network center's server certificate",
                                     t.caFile, r.transportError)};
        case CURLE_SSL_CERTPROBLEM:
            return Error{ErrorCode::InvalidInput,
                         fmt::format("the client certificate {} or its key {} could not be used ({}); give PEM files "
                                     "that belong together",
                                     t.clientCert, t.clientKey, r.transportError)};
        case CURLE_PEER_FAILED_VERIFICATION:
            return Error{ErrorCode::Refused,
                         fmt::format("the server at {} is not trusted: {}; check the URL, or give the network "
                                     "center's CA certificate with --ca-file",
                                     url, r.transportError)};
        case CURLE_SSL_CONNECT_ERROR:
            return Error{ErrorCode::Refused,
                         fmt::format("the TLS connection to {} failed: {}; check that the URL is the network "
                                     "center's https address and, if it asks for one, the client certificate",
                                     url, r.transportError)};
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
            return Error{ErrorCode::InvalidInput, fmt::format("'{}' is not a usable URL: {}", url, r.transportError)};
        default: return std::nullopt;
    }
}

/// A readable file that only its owner may read (a secret), or why not.
Result<void> checkPrivateFile(const fs::path& file, std::string_view what) {
    struct stat st{};
    if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return fail(ErrorCode::InvalidInput, fmt::format("the {} {} does not exist or is not a file; check the path",
                                                         what, file.string()));
    if ((st.st_mode & 077) != 0)
        return fail(ErrorCode::Refused,
                    fmt::format("the {} {} can be read by other users (mode {:o}); run 'chmod 600 {}' (and replace "
                                "the secret if others may have read it)",
                                what, file.string(), st.st_mode & 0777, file.string()));
    return {};
}

/// True when @p url points at this machine (loopback), where a token may travel without TLS.
bool isLoopback(const std::string& url) {
    CURLU* u = curl_url();
    if (!u) return false;
    bool local = false;
    char* host = nullptr;
    if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host) {
        const std::string h = host;
        local = h == "localhost" || h.starts_with("127.") || h == "[::1]";
    }
    curl_free(host);
    curl_url_cleanup(u);
    return local;
}

/// Checks the security options of send() and turns them into a Transport.
Result<Transport> checkTransport(const std::string& url, const SendOptions& o) {
    Transport t;
    const bool https = url.starts_with("https://");
    if (!https && (!o.caFile.empty() || !o.clientCert.empty()))
        return fail(ErrorCode::InvalidInput, fmt::format("--ca-file and --client-cert apply to https:// URLs only, "
                                                         "not to {}; use the network center's https address",
                                                         url));
    if (!o.caFile.empty()) {
        std::ifstream in(o.caFile);
        if (!in)
            return fail(ErrorCode::InvalidInput,
                        fmt::format("cannot read the CA file {}; check the path", o.caFile.string()));
        t.caFile = o.caFile.string();
    }
    if (o.clientCert.empty() != o.clientKey.empty())
        return fail(ErrorCode::InvalidInput, "a client certificate needs its private key: give both --client-cert and "
                                             "--client-key");
    if (!o.clientCert.empty()) {
        std::ifstream in(o.clientCert);
        if (!in)
            return fail(ErrorCode::InvalidInput,
                        fmt::format("cannot read the client certificate {}; check the path", o.clientCert.string()));
        if (auto r = checkPrivateFile(o.clientKey, "client key"); !r) return propagate(r);
        t.clientCert = o.clientCert.string();
        t.clientKey = o.clientKey.string();
    }
    if (!o.tokenFile.empty()) {
        if (auto r = checkPrivateFile(o.tokenFile, "token file"); !r) return propagate(r);
        auto text = readFile(o.tokenFile);
        if (!text) return propagate(text);
        const auto token = trim(*text);
        if (token.empty())
            return fail(ErrorCode::InvalidInput, fmt::format("the token file {} is empty; put the token the network "
                                                             "center issued in it",
                                                             o.tokenFile.string()));
        for (unsigned char c : token)
            if (c <= 0x20 || c >= 0x7F)
                return fail(ErrorCode::InvalidInput,
                            fmt::format("the token in {} has spaces or characters other than printable ASCII; it must "
                                        "be the token exactly as the network center issued it",
                                        o.tokenFile.string()));
        if (!https && !isLoopback(url))
            return fail(ErrorCode::Refused, fmt::format("the token would travel unencrypted to {}; use the network "
                                                        "center's https:// address",
                                                        url));
        t.headers.push_back("Authorization: Bearer " + std::string(token));
    }
    return t;
}

/// True for URLs that may carry a batch: https, or plain http to this machine (tests).
bool transportAllowed(const std::string& url) {
    return url.starts_with("https://") || (url.starts_with("http://") && isLoopback(url));
}

/// Checks that @p doc (a receipt or answer of the network center) is signed with the installed network center key:
/// Ed25519 over the object without `signature`, serialised compactly with keys in sorted order.
Result<void> checkNetworkSignature(const std::optional<CenterPublicKey>& key, const json& doc, std::string_view what,
                                   const std::string& batchCode) {
    if (!key)
        return fail(ErrorCode::Refused,
                    fmt::format("no network center key is installed to check its {}; install the key the network "
                                "center published with 'kioskctl submit trust-network-center FILE'",
                                what));
    if (!doc.is_object() || !doc.contains("signature") || !doc["signature"].is_string())
        return fail(ErrorCode::Refused,
                    fmt::format("the network center's {} for batch {} is not signed; nothing was recorded. Ask the "
                                "network center for its signed {}",
                                what, batchCode, what));
    auto sig = base64Decode(doc["signature"].get<std::string>());
    json body = doc;
    body.erase("signature");
    if (!sig || !verifySignature(key->key, body.dump(), *sig))
        return fail(ErrorCode::Refused,
                    fmt::format("the {} for batch {} is not signed with the installed network center key ({}); "
                                "nothing was recorded. It may be forged or altered: ask the network center, and "
                                "check the installed key ('kioskctl submit trust-network-center')",
                                what, batchCode, key->centerId));
    return {};
}

std::size_t collect(char* data, std::size_t size, std::size_t n, void* user) {
    static_cast<std::string*>(user)->append(data, size * n);
    return size * n;
}

HttpResponse post(const std::string& url, const std::string& body, const std::vector<std::string>& headers,
                  const Transport& transport, std::chrono::seconds timeout) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    HttpResponse r;
    CURL* curl = curl_easy_init();
    if (!curl) {
        r.transportError = "libcurl could not start";
        return r;
    }
    curl_slist* list = nullptr;
    for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
    for (const auto& h : transport.headers) list = curl_slist_append(list, h.c_str());
    if (!transport.caFile.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, transport.caFile.c_str());
    if (!transport.clientCert.empty()) {
        curl_easy_setopt(curl, CURLOPT_SSLCERT, transport.clientCert.c_str());
        curl_easy_setopt(curl, CURLOPT_SSLKEY, transport.clientKey.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    char errbuf[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(timeout.count()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "badge-kiosk-submission/1");
    const auto rc = curl_easy_perform(curl);
    r.curlCode = rc;
    if (rc != CURLE_OK) r.transportError = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    else curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    return r;
}

}  // namespace

fs::path networkCenterKeyPath(const fs::path& centerDir) { return centerDir / "network-center-key.json"; }

Result<CenterPublicKey> installNetworkCenterKey(Store& store, const fs::path& path, std::string_view exportedKey,
                                                const Actor& actor) {
    auto key = parsePublicKey(exportedKey);
    if (!key) return propagate(key);
    key->own = false;
    // The audit row is written in a transaction of its own (the chain's head is taken in turn), and the file only
    // once it is committed.
    auto tx = store.database().transaction();
    if (!tx) return propagate(tx);
    if (auto r = store.audit(actor, "submission.network-key", fmt::format("center:{}", key->centerId),
                             json{{"public_key", base64UrlEncode(key->key)}, {"file", path.string()}}.dump());
        !r)
        return propagate(r);
    if (auto r = writePrivateFile(path, exportPublicKey(*key)); !r) return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    return *key;
}

Result<std::optional<CenterPublicKey>> loadNetworkCenterKey(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return std::optional<CenterPublicKey>{};
    auto text = readFile(path);
    if (!text) return propagate(text);
    auto key = parsePublicKey(*text);
    if (!key)
        return fail(ErrorCode::Corrupt, fmt::format("{} is not the network center's public key ({}); install it again "
                                                    "with 'kioskctl submit trust-network-center FILE'",
                                                    path.string(), key.error().message));
    return std::optional<CenterPublicKey>{*key};
}

std::string_view batchStateName(BatchState s) noexcept {
    switch (s) {
        case BatchState::Created: return "created";
        case BatchState::Sending: return "sending";
        case BatchState::Sent: return "sent";
        case BatchState::Acknowledged: return "acknowledged";
    }
    return "created";
}

Result<SubmissionBatch> Submissions::batch(std::int64_t batchId) {
    auto& db = m_store.database();
    auto st = db.prepare("SELECT id, code, idempotency_key, state, folder, zip_path, manifest_sha256, created_at, "
                         "send_attempts, sent_at, receipt, acknowledged_at FROM submission_batches WHERE id = ?");
    if (!st) return propagate(st);
    st->bindAll(batchId);
    auto row = st->step();
    if (!row) return propagate(row);
    if (!*row)
        return fail(ErrorCode::NotFound,
                    fmt::format("there is no submission batch {}; 'kioskctl submit list' shows them", batchId));
    SubmissionBatch b;
    b.id = st->int64(0);
    b.code = st->text(1);
    b.idempotencyKey = st->text(2);
    b.state = parseState(st->text(3));
    b.folder = st->text(4);
    if (auto z = st->optText(5)) b.zip = fs::path(*z);
    b.manifestSha256 = st->text(6);
    b.createdAt = st->int64(7);
    b.sendAttempts = static_cast<int>(st->int64(8));
    b.sentAt = st->optInt64(9);
    b.receipt = st->optText(10);
    b.acknowledgedAt = st->optInt64(11);
    st->reset();
    {
        std::error_code ec;
        b.filesPresent = fs::exists(b.folder, ec) || (b.zip && fs::exists(*b.zip, ec));
    }
    auto items = db.prepare("SELECT bi.worker_id, w.name, c.number, bi.badge_number, bi.rejection FROM batch_items bi "
                            "JOIN workers w ON w.id = bi.worker_id JOIN certificates c ON c.id = bi.certificate_id "
                            "WHERE bi.batch_id = ? ORDER BY bi.worker_id");
    if (!items) return propagate(items);
    items->bindAll(batchId);
    while (true) {
        auto r = items->step();
        if (!r) return propagate(r);
        if (!*r) break;
        b.items.push_back(BatchItem{items->int64(0), items->text(1), items->text(2), items->optText(3), items->optText(4)});
    }
    return b;
}

Result<std::vector<SubmissionBatch>> Submissions::list() {
    auto st = m_store.database().prepare("SELECT id FROM submission_batches ORDER BY id");
    if (!st) return propagate(st);
    std::vector<std::int64_t> ids;
    if (auto done = st->forEachRow([&](Statement& rec) {
        ids.push_back(rec.int64(0));
    }); !done)
        return propagate(done);
    std::vector<SubmissionBatch> out;
    for (auto id : ids) {
        auto b = batch(id);
        if (!b) return propagate(b);
        out.push_back(std::move(*b));
    }
    return out;
}

Result<CreateOutcome> Submissions::create(const fs::path& outDir, bool zip, const Actor& actor) {
    auto center = m_store.center();
    if (!center) return propagate(center);
    std::error_code ec;
    if (!fs::is_directory(outDir, ec))
        return fail(ErrorCode::Io, fmt::format("the output folder {} does not exist; create it first", outDir.string()));
    auto& db = m_store.database();
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    CreateOutcome out;

    auto candidates = db.prepare("SELECT w.id, EXISTS (SELECT 1 FROM batch_items bi WHERE bi.worker_id = w.id AND "
                                 "bi.rejection IS NULL) FROM workers w ORDER BY w.id");
    if (!candidates) return propagate(candidates);
    std::vector<std::int64_t> fresh;
    if (auto done = candidates->forEachRow([&](Statement& rec) -> Result<void> {
        const auto id = rec.int64(0);
        if (rec.int64(1) != 0) {
            ++out.alreadySubmitted;
            return {};
        }
        fresh.push_back(id);
        return {};
    }); !done)
        return propagate(done);
    candidates->reset();

    Certificates certs(m_store, &m_key);
    std::vector<std::pair<std::int64_t, Certificate>> chosen;
    for (auto id : fresh) {
        auto report = checkEligibility(m_store, id);
        if (!report) return propagate(report);
        if (!report->eligible) {
            ++out.notEligible;
            continue;
        }
        auto c = certs.issue(id, report->courseId, actor);
        if (!c) return propagate(c);
        chosen.emplace_back(id, std::move(*c));
    }
    if (chosen.empty()) {
        if (auto r = tx->commit(); !r) return propagate(r);  // certificates issued meanwhile are kept (none here)
        return out;
    }

    std::array<std::uint8_t, 16> keyBytes{};
    randombytes_buf(keyBytes.data(), keyBytes.size());
    const auto idemKey = toHex(keyBytes.data(), keyBytes.size());
    const auto now = m_store.now();
    auto ins = db.prepare("INSERT INTO submission_batches (code, idempotency_key, state, folder, manifest_sha256, "
                          "created_at) VALUES (?, ?, 'created', '', '', ?)");
    if (!ins) return propagate(ins);
    // A provisional unique code, replaced once the id is known.
    if (auto r = ins->bindAll("pending-" + idemKey, idemKey, now).run(); !r) return propagate(r);
    const auto batchId = db.lastInsertRowId();
    const auto today = localDate(now);
    const auto code = fmt::format("{}-B{:04}{:02}{:02}-{:04}", center->code, static_cast<int>(today.year()),
                                  static_cast<unsigned>(today.month()), static_cast<unsigned>(today.day()), batchId);

    // Files are written into a temporary folder and renamed into place; a crash before the commit leaves
    // only a folder that the next run (which gets the same id) replaces.
    const auto folder = outDir / code;
    auto tmp = outDir / (code + ".partial");
    fs::remove_all(tmp, ec);
    if (auto r = createPrivateDirectory(tmp / "portraits"); !r) return propagate(r);

    std::vector<std::pair<std::string, std::string>> files;
    json workers = json::array();
    auto item = db.prepare("INSERT INTO batch_items (batch_id, worker_id, certificate_id) VALUES (?, ?, ?)");
    if (!item) return propagate(item);
    for (const auto& [workerId, cert] : chosen) {
        auto w = m_store.worker(workerId);
        if (!w) return propagate(w);
        auto doc = certs.document(cert.number);
        if (!doc) return propagate(doc);
        auto consents = m_store.consents(workerId);
        if (!consents) return propagate(consents);
        std::optional<Agency> agency;
        if (w->profile.agencyId) {
            auto a = m_store.findAgency(std::to_string(*w->profile.agencyId));
            if (a) agency = *a;
        }
        std::optional<std::string> portraitFile;
        std::string portraitSha;
        if (!doc->portrait.empty()) {
            portraitFile = fmt::format("portraits/{}.{}", cert.number, extensionFor(doc->portraitMime));
            std::string bytes(doc->portrait.begin(), doc->portrait.end());
            portraitSha = sha256Hex(bytes);
            if (auto r = writeFile(tmp / *portraitFile, bytes); !r) return propagate(r);
            files.emplace_back(*portraitFile, std::move(bytes));
        }
        workers.push_back(workerEntry(*w, agency, *doc, *consents, portraitFile, portraitSha));
        if (auto r = item->bindAll(batchId, workerId, cert.id).run(); !r) return propagate(r);
    }
    // No public key: the network center checks the signature with the key registered with it. The audit chain's
    // signed head travels with the batch (its submission.create row, which records the manifest's hash, follows).
    auto head = signedAuditHead(m_store, m_key);
    if (!head) return propagate(head);
    json manifest{{"schema", "badge-submission"},
                  {"schema_version", kManifestSchemaVersion},
                  {"batch", {{"code", code}, {"idempotency_key", idemKey}, {"created_at", formatUtc(now)}}},
                  {"center", {{"code", center->code}, {"name", center->name}}},
                  {"audit_checkpoint", json::parse(*head)},
                  {"workers", workers}};
    const auto manifestText = manifest.dump(2) + "\n";
    const auto sig = base64UrlEncode(m_key.sign(manifestText)) + "\n";
    if (auto r = writeFile(tmp / "manifest.json", manifestText); !r) return propagate(r);
    if (auto r = writeFile(tmp / "manifest.json.sig", sig); !r) return propagate(r);
    files.insert(files.begin(), {{"manifest.json", manifestText}, {"manifest.json.sig", sig}});
    fs::remove_all(folder, ec);
    fs::rename(tmp, folder, ec);
    if (ec) return fail(ErrorCode::Io, fmt::format("cannot move the batch into {}: {}", folder.string(), ec.message()));
    std::optional<std::string> zipPath;
    if (zip) {
        const auto z = outDir / (code + ".zip");
        const auto ztmp = outDir / (code + ".zip.partial");
        if (auto r = writeFile(ztmp, detail::makeZip(files)); !r) return propagate(r);
        fs::rename(ztmp, z, ec);
        if (ec) return fail(ErrorCode::Io, fmt::format("cannot write {}: {}", z.string(), ec.message()));
        zipPath = z.string();
    }
    const auto manifestSha = sha256Hex(manifestText);
    auto up = db.prepare("UPDATE submission_batches SET code = ?, folder = ?, zip_path = ?, manifest_sha256 = ? WHERE id = ?");
    if (!up) return propagate(up);
    if (auto r = up->bindAll(code, fs::absolute(folder).string(), zipPath, manifestSha, batchId).run(); !r) return propagate(r);
    if (auto r = m_store.audit(actor, "submission.create", fmt::format("batch:{}", batchId),
                               json{{"code", code}, {"workers", chosen.size()}, {"manifest_sha256", manifestSha}}.dump());
        !r)
        return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    out.added = static_cast<int>(chosen.size());
    auto b = batch(batchId);
    if (!b) return propagate(b);
    out.batch = std::move(*b);
    return out;
}

Result<SubmissionBatch> Submissions::send(std::int64_t batchId, const std::string& url, const SendOptions& options,
                                          const Actor& actor) {
    if (!transportAllowed(url))
        return fail(ErrorCode::InvalidInput,
                    fmt::format("'{}' is not an https:// URL: a batch (personal data) never travels unencrypted; use "
                                "the network center's https:// address (plain http is accepted only to this "
                                "machine, for tests)",
                                url));
    auto b = batch(batchId);
    if (!b) return b;
    if (b->state == BatchState::Sent || b->state == BatchState::Acknowledged) return b;  // never twice
    if (!m_networkCenter)
        return fail(ErrorCode::Refused, fmt::format("batch {} was not sent: no network center key is installed to check "
                                                    "its receipt; install the key the network center published with "
                                                    "'kioskctl submit trust-network-center FILE'",
                                                    b->code));
    auto transport = checkTransport(url, options);
    if (!transport) return propagate(transport);

    // The body: the zip as created, or the folder zipped the same way.
    auto manifest = readFile(b->folder / "manifest.json");
    if (!manifest) return propagate(manifest);
    if (sha256Hex(*manifest) != b->manifestSha256)
        return fail(ErrorCode::Refused, fmt::format("{} was changed after the batch was created; it is not sent. "
                                                    "Restore the folder from the batch's backup",
                                                    (b->folder / "manifest.json").string()));
    std::string body;
    if (b->zip) {
        auto z = readFile(*b->zip);
        if (!z) return propagate(z);
        body = std::move(*z);
    } else {
        auto sig = readFile(b->folder / "manifest.json.sig");
        if (!sig) return propagate(sig);
        std::vector<std::pair<std::string, std::string>> files{{"manifest.json", *manifest}, {"manifest.json.sig", *sig}};
        auto j = json::parse(*manifest, nullptr, false);
        if (!j.is_object() || !j.contains("workers") || !j["workers"].is_array())
            return fail(ErrorCode::Corrupt, fmt::format("{} has no list of workers; restore the folder from the "
                                                        "batch's backup",
                                                        (b->folder / "manifest.json").string()));
        for (const auto& w : j["workers"])
            if (w.is_object() && w.contains("portrait") && w["portrait"].is_object()) {
                if (!w["portrait"].contains("file") || !w["portrait"]["file"].is_string())
                    return fail(ErrorCode::Corrupt, fmt::format("{}: a worker's portrait has no file name; restore "
                                                                "the folder from the batch's backup",
                                                                (b->folder / "manifest.json").string()));
                const auto name = w["portrait"]["file"].get<std::string>();
                auto bytes = readFile(b->folder / name);
                if (!bytes) return propagate(bytes);
                files.emplace_back(name, std::move(*bytes));
            }
        body = detail::makeZip(files);
    }

    auto& db = m_store.database();
    {
        // Recorded before the upload: after a crash the batch shows "sending" and is sent again with the same key.
        auto tx = db.transaction();
        if (!tx) return propagate(tx);
        auto up = db.prepare("UPDATE submission_batches SET state = 'sending', send_attempts = send_attempts + 1 WHERE id = ?");
        if (!up) return propagate(up);
        if (auto r = up->bindAll(batchId).run(); !r) return propagate(r);
        if (auto r = m_store.audit(actor, "submission.send", fmt::format("batch:{}", batchId),
                                   json{{"url", url}, {"attempt", b->sendAttempts + 1}}.dump());
            !r)
            return propagate(r);
        if (auto r = tx->commit(); !r) return propagate(r);
    }

    const std::vector<std::string> headers{"Content-Type: application/zip",
                                           "Idempotency-Key: " + b->idempotencyKey,
                                           "X-Batch-Code: " + b->code,
                                           "X-Manifest-SHA256: " + b->manifestSha256,
                                           "Expect:"};
    auto backoff = options.initialBackoff;
    HttpResponse resp;
    std::string lastProblem;
    bool done = false;
    for (int attempt = 1; attempt <= std::max(1, options.maxAttempts); ++attempt) {
        resp = post(url, body, headers, *transport, options.timeout);
        if (resp.transportError.empty() && resp.status >= 200 && resp.status < 300) {
            done = true;
            break;
        }
        if (auto permanent = permanentFailure(resp, url, *transport))
            return std::unexpected(Error{permanent->code, fmt::format("batch {} was not sent: {}; it stays 'sending' "
                                                                      "until it is sent again",
                                                                      b->code, permanent->message)});
        if (resp.transportError.empty() && resp.status >= 400 && resp.status < 500 && resp.status != 429 &&
            resp.status != 408)
            return fail(ErrorCode::Refused, fmt::format("the network center refused batch {} (HTTP {}): {}; correct "
                                                        "the batch or ask the network center",
                                                        b->code, resp.status, trim(resp.body)));
        lastProblem = resp.transportError.empty() ? fmt::format("HTTP {}: {}", resp.status, trim(resp.body))
                                                  : resp.transportError;
        if (attempt < options.maxAttempts) {
            std::this_thread::sleep_for(backoff);
            backoff *= 2;
        }
    }
    if (!done)
        return fail(ErrorCode::Io, fmt::format("batch {} could not be sent after {} attempts (last: {}); it stays "
                                               "'sending': run 'kioskctl submit send' again later, it will not be "
                                               "duplicated",
                                               b->code, options.maxAttempts, lastProblem));
    if (options.afterUpload) options.afterUpload();

    // Signed by the network center and about this batch, or nothing is recorded (the batch stays "sending").
    auto receipt = json::parse(resp.body, nullptr, false);
    if (auto r = checkNetworkSignature(m_networkCenter, receipt, "receipt", b->code); !r) return propagate(r);
    if (!receipt.contains("batch") || !receipt["batch"].is_string() || receipt["batch"].get<std::string>() != b->code)
        return fail(ErrorCode::Refused, fmt::format("the network center's receipt is not for batch {} (field batch); "
                                                    "nothing was recorded; ask the network center",
                                                    b->code));
    const std::string receiptText = receipt.dump();
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    auto up = db.prepare("UPDATE submission_batches SET state = 'sent', sent_at = ?, receipt = ? WHERE id = ?");
    if (!up) return propagate(up);
    if (auto r = up->bindAll(m_store.now(), receiptText, batchId).run(); !r) return propagate(r);
    if (auto r = m_store.audit(actor, "submission.sent", fmt::format("batch:{}", batchId), receiptText); !r) return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    return batch(batchId);
}

Result<SubmissionBatch> Submissions::ack(std::int64_t batchId, const fs::path& receiptFile, const Actor& actor) {
    auto b = batch(batchId);
    if (!b) return b;
    auto text = readFile(receiptFile);
    if (!text) return propagate(text);
    auto j = json::parse(*text, nullptr, false);
    const auto bad = [&](std::string_view what) {
        return fail(ErrorCode::InvalidInput, fmt::format("{} is not a usable answer for batch {} ({}); see "
                                                         "assets/submission/README.md for its form",
                                                         receiptFile.string(), b->code, what));
    };
    if (!j.is_object()) return bad("not a JSON object");
    // Signed by the network center before anything of it is believed.
    if (auto r = checkNetworkSignature(m_networkCenter, j, "answer", b->code); !r) return propagate(r);
    using jsonfields::Kind;
    if (auto m = jsonfields::mistyped(j, {{"batch", Kind::String}, {"badges", Kind::Array}, {"rejected", Kind::Array}}))
        return bad(*m);
    for (const char* list : {"badges", "rejected"})
        if (j.contains(list))
            for (const auto& e : j[list])
                if (auto m = jsonfields::mistyped(e, {{"certificate", Kind::String}, {"badge", Kind::String},
                                                      {"reason", Kind::String}},
                                                  std::string(list) + "[]."))
                    return bad(*m);
    if (j.value("batch", "") != b->code) return bad(fmt::format("it is for batch '{}'", j.value("batch", "")));
    if (b->state == BatchState::Created)
        return fail(ErrorCode::Refused, fmt::format("batch {} was not sent yet; send it first ('kioskctl submit send')",
                                                    b->code));
    auto& db = m_store.database();
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    auto find = db.prepare("SELECT bi.certificate_id FROM batch_items bi JOIN certificates c ON c.id = bi.certificate_id "
                           "WHERE bi.batch_id = ? AND c.number = ?");
    if (!find) return propagate(find);
    auto setBadge = db.prepare("UPDATE batch_items SET badge_number = ?, rejection = NULL WHERE batch_id = ? AND "
                               "certificate_id = ?");
    if (!setBadge) return propagate(setBadge);
    auto setCert = db.prepare("UPDATE certificates SET badge_number = ? WHERE id = ?");
    if (!setCert) return propagate(setCert);
    auto reject = db.prepare("UPDATE batch_items SET rejection = ?, badge_number = NULL WHERE batch_id = ? AND "
                             "certificate_id = ?");
    if (!reject) return propagate(reject);
    const auto certificateId = [&](const json& e) -> Result<std::int64_t> {
        if (!e.is_object() || !e.contains("certificate") || !e["certificate"].is_string())
            return bad("an entry has no certificate number");
        find->bindAll(batchId, e["certificate"].get<std::string>());
        auto row = find->step();
        if (!row) return propagate(row);
        if (!*row) return bad(fmt::format("certificate {} is not in this batch", e["certificate"].get<std::string>()));
        const auto id = find->int64(0);
        find->reset();
        return id;
    };
    int badges = 0, rejected = 0;
    for (const auto& e : j.value("badges", json::array())) {
        auto id = certificateId(e);
        if (!id) return propagate(id);
        if (!e.contains("badge") || !e["badge"].is_string() || e["badge"].get<std::string>().empty())
            return bad("an entry of badges has no badge number");
        const auto badge = e["badge"].get<std::string>();
        if (auto r = setBadge->bindAll(badge, batchId, *id).run(); !r) return propagate(r);
        if (auto r = setCert->bindAll(badge, *id).run(); !r) return propagate(r);
        ++badges;
    }
    for (const auto& e : j.value("rejected", json::array())) {
        auto id = certificateId(e);
        if (!id) return propagate(id);
        if (auto r = reject->bindAll(e.value("reason", std::string("rejected")), batchId, *id).run(); !r) return propagate(r);
        ++rejected;
    }
    auto up = db.prepare("UPDATE submission_batches SET state = 'acknowledged', acknowledged_at = ? WHERE id = ?");
    if (!up) return propagate(up);
    if (auto r = up->bindAll(m_store.now(), batchId).run(); !r) return propagate(r);
    if (auto r = m_store.audit(actor, "submission.ack", fmt::format("batch:{}", batchId),
                               json{{"badges", badges}, {"rejected", rejected}, {"file_sha256", sha256Hex(*text)},
                                    {"files_deleted", true}}
                                   .dump());
        !r)
        return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    // The network center holds the batch now: its personal data leave this machine's disk. Unlinked, not
    // overwritten (on journaling file systems and SSDs overwriting is no guarantee; the disk's encryption is).
    // Only the batch's own folder and zip (named after its code), whatever the database says.
    std::error_code ec;
    if (!b->folder.empty() && b->folder.filename() == b->code) fs::remove_all(b->folder, ec);
    if (ec)
        return fail(ErrorCode::Io, fmt::format("batch {} is acknowledged but its folder {} could not be deleted ({}); "
                                               "delete it by hand",
                                               b->code, b->folder.string(), ec.message()));
    if (b->zip && b->zip->filename() == b->code + ".zip") {
        fs::remove(*b->zip, ec);
        if (ec)
            return fail(ErrorCode::Io, fmt::format("batch {} is acknowledged but {} could not be deleted ({}); delete "
                                                   "it by hand",
                                                   b->code, b->zip->string(), ec.message()));
    }
    return batch(batchId);
}

}  // namespace training
