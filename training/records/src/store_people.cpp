// Store: agencies, workers, images, consents and staff.
#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "training/catalogs.hpp"
#include "training/store.hpp"
#include "training/text.hpp"
#include "training/uscc.hpp"
#include "training/validation.hpp"

namespace training {
namespace {

using json = nlohmann::json;

std::string toJsonList(const std::vector<std::string>& v) { return json(v).dump(); }

std::vector<std::string> fromJsonList(const std::string& text) {
    auto j = json::parse(text, nullptr, false);
    std::vector<std::string> out;
    if (j.is_array())
        for (const auto& e : j)
            if (e.is_string()) out.push_back(e.get<std::string>());
    return out;
}

constexpr std::string_view kWorkerColumnList =
    "id, doc_type, doc_number, issuing_state, name, name_latin, sex, birth_date, nationality, ethnicity, "
    "id_address, id_issuer, id_valid_from, id_valid_until, residence_permit, phone, address, service_types, "
    "specialties, education, health_check_date, health_check_result, health_check_issuer, insurance_policy, "
    "insurer, insurance_valid_until, agency_id, identity_verified_at, identity_method, face_verified_at, "
    "face_score, created_at, updated_at";

Result<std::optional<std::string>> optionalText(const std::optional<std::string>& v, std::string_view what,
                                                std::size_t max) {
    if (!v) return std::optional<std::string>{};
    auto t = normalizeText(*v, what, max);
    if (!t) return propagate(t);
    if (t->empty()) return std::optional<std::string>{};
    return std::optional<std::string>{*t};
}

Result<std::optional<std::string>> optionalDate(const std::optional<std::string>& v, std::string_view what) {
    if (!v || trim(*v).empty()) return std::optional<std::string>{};
    auto d = parseDate(*v, what);
    if (!d) return propagate(d);
    return std::optional<std::string>{formatDate(*d)};
}

Agency readAgency(const Statement& s) {
    return Agency{s.int64(0), s.text(1), s.text(2), s.optText(3), s.optText(4), s.optText(5), s.optInt64(6)};
}

Staff readStaff(const Statement& s) {
    Staff st;
    st.id = s.int64(0);
    st.name = s.text(1);
    st.role = parseRole(s.text(2)).value_or(Role::Clerk);
    st.failedAttempts = static_cast<int>(s.int64(3));
    st.lockedUntil = s.optInt64(4);
    st.active = s.int64(5) != 0;
    return st;
}

Result<void> checkPinFormat(const std::string& pin) {
    if (pin.size() < kMinPinDigits || pin.size() > 12 ||
        !std::ranges::all_of(pin, [](char c) { return c >= '0' && c <= '9'; }))
        return fail(ErrorCode::InvalidInput, fmt::format("a staff PIN has {} to 12 digits", kMinPinDigits));
    if (std::ranges::all_of(pin, [&](char c) { return c == pin[0]; }))
        return fail(ErrorCode::InvalidInput, "a staff PIN may not be one digit repeated; choose another");
    return {};
}

}  // namespace

std::string Store::workerColumns(std::string_view prefix) {
    static const std::string plain = [] {
        std::string out;
        for (const auto& column : splitList(kWorkerColumnList)) out += (out.empty() ? "" : ", ") + column;
        return out;
    }();
    if (prefix.empty()) return plain;
    std::string out;
    for (const auto& column : splitList(kWorkerColumnList)) out += (out.empty() ? "" : ", ") + std::string(prefix) + column;
    return out;
}

std::string_view roleName(Role role) noexcept {
    switch (role) {
        case Role::Admin: return "admin";
        case Role::Trainer: return "trainer";
        case Role::Clerk: return "clerk";
    }
    return "clerk";
}

Result<Role> parseRole(std::string_view text) {
    if (text == "admin") return Role::Admin;
    if (text == "trainer") return Role::Trainer;
    if (text == "clerk") return Role::Clerk;
    return fail(ErrorCode::InvalidInput, fmt::format("unknown role '{}': use admin, trainer or clerk", text));
}

std::string_view consentKindName(ConsentKind k) noexcept {
    switch (k) {
        case ConsentKind::Commitment: return "commitment";
        case ConsentKind::CreditCheck: return "credit-check";
        case ConsentKind::Biometric: return "biometric";
    }
    return "commitment";
}

Result<ConsentKind> parseConsentKind(std::string_view text) {
    if (text == "commitment") return ConsentKind::Commitment;
    if (text == "credit-check") return ConsentKind::CreditCheck;
    if (text == "biometric") return ConsentKind::Biometric;
    return fail(ErrorCode::InvalidInput,
                fmt::format("unknown consent kind '{}': use commitment, credit-check or biometric", text));
}

Result<std::string> hashPin(const std::string& pin) {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, pin.data(), pin.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return fail(ErrorCode::Io, "not enough memory to hash the PIN (Argon2id needs 64 MiB); close other programs");
    return std::string(out);
}

bool verifyPin(const std::string& hash, const std::string& pin) {
    return crypto_pwhash_str_verify(hash.c_str(), pin.data(), pin.size()) == 0;
}

// ---------------------------------------------------------------- agencies

Result<Agency> Store::addAgency(const AgencyInput& input, const Actor& actor) {
    auto name = normalizeName(input.name, "agency name");
    if (!name) return propagate(name);
    auto uscc = validateUscc(input.uscc);
    if (!uscc) return propagate(uscc);
    auto rep = optionalText(input.legalRepresentative, "legal representative", 64);
    if (!rep) return propagate(rep);
    auto address = optionalText(input.address, "address", 200);
    if (!address) return propagate(address);
    auto licence = optionalText(input.licenceNo, "licence number", 64);
    if (!licence) return propagate(licence);

    auto tx = m_db.transaction();
    if (!tx) return propagate(tx);
    if (auto existing = findAgency(*uscc); existing)
        return fail(ErrorCode::Conflict, fmt::format("an agency with the credit code {} is already registered as "
                                                     "'{}' (id {})",
                                                     *uscc, existing->name, existing->id));
    const auto now = m_clock->now();
    auto ins = m_db.prepare("INSERT INTO agencies (name, uscc, legal_representative, address, licence_no, created_at, "
                            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!ins) return propagate(ins);
    if (auto r = ins->bindAll(*name, *uscc, *rep, *address, *licence, now, now).run(); !r) return propagate(r);
    Agency a{m_db.lastInsertRowId(), *name, *uscc, *rep, *address, *licence, std::nullopt};
    if (auto r = audit(actor, "agency.add", fmt::format("agency:{}", a.id), json{{"name", a.name}, {"uscc", a.uscc}}.dump());
        !r)
        return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    return a;
}

Result<std::vector<Agency>> Store::listAgencies() {
    auto stmt = m_db.prepare("SELECT id, name, uscc, legal_representative, address, licence_no, integrity_signed_at "
                             "FROM agencies ORDER BY name");
    if (!stmt) return propagate(stmt);
    std::vector<Agency> out;
    if (auto done = stmt->forEachRow([&](Statement& rec) {
        out.push_back(readAgency(rec));
    }); !done)
        return propagate(done);
    return out;
}

Result<Agency> Store::findAgency(const std::string& key) {
    auto stmt = m_db.prepare("SELECT id, name, uscc, legal_representative, address, licence_no, integrity_signed_at "
                             "FROM agencies WHERE CAST(id AS TEXT) = ?1 OR uscc = upper(?1) OR name = ?1 "
                             "ORDER BY id LIMIT 1");
    if (!stmt) return propagate(stmt);
    stmt->bindAll(std::string(trim(key)));
    auto row = stmt->step();
    if (!row) return propagate(row);
    if (!*row)
        return fail(ErrorCode::NotFound,
                    fmt::format("no agency '{}' (give its id, credit code or exact name; 'kioskctl agency list' "
                                "shows them)",
                                key));
    return readAgency(*stmt);
}

// ---------------------------------------------------------------- workers

Result<void> Store::validateProfile(WorkerProfile& p) {
    const auto today = localDate(m_clock->now());
    if (p.phone && !trim(*p.phone).empty()) {
        auto phone = normalizePhone(*p.phone);
        if (!phone) return propagate(phone);
        p.phone = *phone;
    } else if (p.phone) {
        p.phone = std::string();
    }
    if (p.serviceTypes) {
        std::vector<std::string> clean;
        for (const auto& t : *p.serviceTypes) {
            if (auto r = checkCatalogCode(serviceTypes(), t, "service type"); !r) return r;
            if (std::ranges::find(clean, t) == clean.end()) clean.push_back(t);
        }
        p.serviceTypes = clean;
    }
    if (p.specialties) {
        for (auto& s : *p.specialties) {
            auto t = normalizeName(s, "specialty");
            if (!t) return propagate(t);
            s = *t;
        }
    }
    if (p.education && !p.education->empty()) {
        if (auto r = checkCatalogCode(educationLevels(), *p.education, "education level"); !r) return r;
    }
    auto permit = optionalText(p.residencePermit, "residence permit", 64);
    if (!permit) return propagate(permit);
    if (p.residencePermit) p.residencePermit = permit->value_or("");
    auto address = optionalText(p.address, "address", 200);
    if (!address) return propagate(address);
    if (p.address) p.address = address->value_or("");
    if (p.healthCheckDate && !trim(*p.healthCheckDate).empty()) {
        auto d = parseDate(*p.healthCheckDate, "health check date");
        if (!d) return propagate(d);
        if (std::chrono::sys_days(*d) > std::chrono::sys_days(today))
            return fail(ErrorCode::InvalidInput, "the health check date is in the future; give the date of the check");
        p.healthCheckDate = formatDate(*d);
    }
    if (p.healthCheckResult && *p.healthCheckResult != "pass" && *p.healthCheckResult != "fail")
        return fail(ErrorCode::InvalidInput, "the health check result is 'pass' or 'fail'");
    auto issuer = optionalText(p.healthCheckIssuer, "health check issuer", 100);
    if (!issuer) return propagate(issuer);
    if (p.healthCheckIssuer) p.healthCheckIssuer = issuer->value_or("");
    auto policy = optionalText(p.insurancePolicy, "insurance policy number", 64);
    if (!policy) return propagate(policy);
    if (p.insurancePolicy) p.insurancePolicy = policy->value_or("");
    auto insurer = optionalText(p.insurer, "insurer", 100);
    if (!insurer) return propagate(insurer);
    if (p.insurer) p.insurer = insurer->value_or("");
    auto until = optionalDate(p.insuranceValidUntil, "insurance end date");
    if (!until) return propagate(until);
    if (p.insuranceValidUntil) p.insuranceValidUntil = until->value_or("");
    if (p.agencyId) {
        auto a = findAgency(std::to_string(*p.agencyId));
        if (!a) return fail(ErrorCode::NotFound, fmt::format("there is no agency with id {}", *p.agencyId));
    }
    return {};
}

Result<Worker> Store::addWorker(const WorkerIdentity& input, const WorkerProfile& profileIn, const Actor& actor) {
    WorkerIdentity id = input;
    WorkerProfile profile = profileIn;
    const auto today = localDate(m_clock->now());
    auto name = normalizeName(id.name, "name");
    if (!name) return propagate(name);
    id.name = *name;
    if (id.docType == DocumentType::ChinaResidentId) {
        auto info = parseChinaId(id.docNumber, today);
        if (!info) return propagate(info);
        const std::string birth = formatDate(info->birthDate);
        if (id.birthDate && !id.birthDate->empty() && *id.birthDate != birth)
            return fail(ErrorCode::InvalidInput, fmt::format("the birth date {} does not match the ID number, which "
                                                             "gives {}; check both",
                                                             *id.birthDate, birth));
        if (id.sex != Sex::Unknown && id.sex != info->sex)
            return fail(ErrorCode::InvalidInput, "the sex given does not match the ID number; check both");
        id.docNumber = info->number;
        id.birthDate = birth;
        id.sex = info->sex;
        id.issuingState = "CHN";
        if (!id.nationality) id.nationality = "CHN";
    } else {
        auto number = normalizeDocumentNumber(id.docNumber);
        if (!number) return propagate(number);
        id.docNumber = *number;
        auto state = normalizeIssuingState(id.issuingState);
        if (!state) return propagate(state);
        id.issuingState = *state;
        auto birth = optionalDate(id.birthDate, "birth date");
        if (!birth) return propagate(birth);
        id.birthDate = *birth;
    }
    for (auto* field : {&id.nameLatin, &id.ethnicity, &id.idIssuer, &id.nationality}) {
        auto t = optionalText(*field, "identity field", 64);
        if (!t) return propagate(t);
        *field = *t;
    }
    auto idAddress = optionalText(id.idAddress, "address on the ID", 200);
    if (!idAddress) return propagate(idAddress);
    id.idAddress = *idAddress;
    auto from = optionalDate(id.idValidFrom, "document valid-from date");
    if (!from) return propagate(from);
    id.idValidFrom = *from;
    auto until = optionalDate(id.idValidUntil, "document expiry date");
    if (!until) return propagate(until);
    id.idValidUntil = *until;
    if (auto r = validateProfile(profile); !r) return std::unexpected(r.error());

    auto tx = m_db.transaction();
    if (!tx) return propagate(tx);
    {
        auto dup = m_db.prepare("SELECT id FROM workers WHERE doc_type = ? AND issuing_state = ? AND doc_number = ?");
        if (!dup) return propagate(dup);
        dup->bindAll(documentTypeName(id.docType), id.issuingState, id.docNumber);
        auto row = dup->step();
        if (!row) return propagate(row);
        if (*row)
            return fail(ErrorCode::Conflict, fmt::format("a worker with the document number {} is already registered "
                                                         "(worker {}); use 'kioskctl worker show {}'",
                                                         maskIdNumber(id.docNumber), dup->int64(0), dup->int64(0)),
                        "worker.already-registered");
    }
    const auto now = m_clock->now();
    auto ins = m_db.prepare(
        "INSERT INTO workers (doc_type, doc_number, issuing_state, name, name_latin, sex, birth_date, nationality, "
        "ethnicity, id_address, id_issuer, id_valid_from, id_valid_until, residence_permit, phone, address, "
        "service_types, specialties, education, health_check_date, health_check_result, health_check_issuer, "
        "insurance_policy, insurer, insurance_valid_until, agency_id, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!ins) return propagate(ins);
    const auto nonEmpty = [](const std::optional<std::string>& v) {
        return (v && !v->empty()) ? v : std::optional<std::string>{};
    };
    ins->bindAll(documentTypeName(id.docType), id.docNumber, id.issuingState, id.name, id.nameLatin, sexCode(id.sex),
                 id.birthDate, id.nationality, id.ethnicity, id.idAddress, id.idIssuer, id.idValidFrom,
                 id.idValidUntil, nonEmpty(profile.residencePermit), nonEmpty(profile.phone), nonEmpty(profile.address),
                 toJsonList(profile.serviceTypes.value_or(std::vector<std::string>{})),
                 toJsonList(profile.specialties.value_or(std::vector<std::string>{})), nonEmpty(profile.education),
                 nonEmpty(profile.healthCheckDate), nonEmpty(profile.healthCheckResult),
                 nonEmpty(profile.healthCheckIssuer), nonEmpty(profile.insurancePolicy), nonEmpty(profile.insurer),
                 nonEmpty(profile.insuranceValidUntil), profile.agencyId, now, now);
    if (auto r = ins->run(); !r) return propagate(r);
    const auto workerId = m_db.lastInsertRowId();
    json details{{"doc_type", documentTypeName(id.docType)}, {"doc_number", maskIdNumber(id.docNumber)}};
    if (auto r = audit(actor, "worker.add", fmt::format("worker:{}", workerId), details.dump()); !r) return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    return worker(workerId);
}

Result<Worker> Store::updateWorker(std::int64_t workerId, const WorkerProfile& patchIn, const Actor& actor) {
    WorkerProfile patch = patchIn;
    if (auto r = validateProfile(patch); !r) return std::unexpected(r.error());
    auto tx = m_db.transaction();
    if (!tx) return propagate(tx);
    auto current = worker(workerId);
    if (!current) return current;
    json changed = json::array();
    const auto setText = [&](const char* column, const std::optional<std::string>& v) -> Result<void> {
        if (!v) return {};
        auto stmt = m_db.prepare(fmt::format("UPDATE workers SET {} = ? WHERE id = ?", column));
        if (!stmt) return propagate(stmt);
        changed.push_back(column);
        return stmt->bindAll(v->empty() ? std::optional<std::string>{} : v, workerId).run();
    };
    std::optional<std::string> types, specialties;
    if (patch.serviceTypes) types = toJsonList(*patch.serviceTypes);
    if (patch.specialties) specialties = toJsonList(*patch.specialties);
    for (auto r : {setText("residence_permit", patch.residencePermit), setText("phone", patch.phone),
                   setText("address", patch.address), setText("service_types", types),
                   setText("specialties", specialties), setText("education", patch.education),
                   setText("health_check_date", patch.healthCheckDate),
                   setText("health_check_result", patch.healthCheckResult),
                   setText("health_check_issuer", patch.healthCheckIssuer),
                   setText("insurance_policy", patch.insurancePolicy), setText("insurer", patch.insurer),
                   setText("insurance_valid_until", patch.insuranceValidUntil)})
        if (!r) return std::unexpected(r.error());
    if (patch.agencyId) {
        auto stmt = m_db.prepare("UPDATE workers SET agency_id = ? WHERE id = ?");
        if (!stmt) return propagate(stmt);
        if (auto r = stmt->bindAll(*patch.agencyId, workerId).run(); !r) return propagate(r);
        changed.push_back("agency_id");
    }
    if (changed.empty()) return fail(ErrorCode::InvalidInput, "nothing to change: give at least one field");
    auto touch = m_db.prepare("UPDATE workers SET updated_at = ? WHERE id = ?");
    if (!touch) return propagate(touch);
    if (auto r = touch->bindAll(m_clock->now(), workerId).run(); !r) return propagate(r);
    if (auto r = audit(actor, "worker.update", fmt::format("worker:{}", workerId), json{{"fields", changed}}.dump());
        !r)
        return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    return worker(workerId);
}

Result<void> Store::markIdentityVerified(std::int64_t workerId, const std::string& method, const Actor& actor) {
    static constexpr std::array<std::string_view, 4> kMethods{"chip-pa", "chip", "sam", "staff"};
    if (std::ranges::find(kMethods, method) == kMethods.end())
        return fail(ErrorCode::InvalidInput, "identity verification method is chip-pa, chip, sam or staff");
    auto tx = m_db.transaction();
    if (!tx) return propagate(tx);
    auto stmt = m_db.prepare("UPDATE workers SET identity_verified_at = ?, identity_method = ?, updated_at = ? "
                             "WHERE id = ?");
    if (!stmt) return propagate(stmt);
    const auto now = m_clock->now();
    if (auto r = stmt->bindAll(now, method, now, workerId).run(); !r) return r;
    if (m_db.changes() == 0) return fail(ErrorCode::NotFound, fmt::format("there is no worker {}", workerId));
    if (auto r = audit(actor, "worker.identity-verified", fmt::format("worker:{}", workerId),
                       json{{"method", method}}.dump());
        !r)
        return r;
    return tx->commit();
}

Result<void> Store::markFaceVerified(std::int64_t workerId, double score, const Actor& actor) {
    if (!std::isfinite(score))
        return fail(ErrorCode::InvalidInput, "the face match score is not a number; take the live photo again",
                    "face.bad-score");
    auto tx = m_db.transaction();
    if (!tx) return propagate(tx);
    auto stmt = m_db.prepare("UPDATE workers SET face_verified_at = ?, face_score = ?, updated_at = ? WHERE id = ?");
    if (!stmt) return propagate(stmt);
    const auto now = m_clock->now();
    if (auto r = stmt->bindAll(now, score, now, workerId).run(); !r) return r;
    if (m_db.changes() == 0) return fail(ErrorCode::NotFound, fmt::format("there is no worker {}", workerId));
    if (auto r = audit(actor, "worker.face-verified", fmt::format("worker:{}", workerId), json{{"score", score}}.dump());
        !r)
        return r;
    return tx->commit();
}

Result<void> Store::recordIdentityRejected(std::optional<std::int64_t> workerId, const std::string& document,
                                          const std::string& reason, const Actor& actor) {
    if (document.empty()) return fail(ErrorCode::InvalidInput, "the document number is empty; read the document again");
    auto tx = m_db.transaction();
    if (!tx) return propagate(tx);
    const std::string subject = workerId ? fmt::format("worker:{}", *workerId) : "document";
    if (auto r = audit(actor, "identity.rejected", subject, json{{"document", maskIdNumber(document)}, {"reason", reason}}.dump());
        !r)
        return r;
    return tx->commit();
}

Result<Worker> Store::readWorker(Statement& s) {
    Worker w;
    w.id = s.int64(0);
    auto type = parseDocumentType(s.text(1));
    if (!type) return propagate(type);
    w.identity.docType = *type;
    w.identity.docNumber = s.text(2);
    w.identity.issuingState = s.text(3);
    w.identity.name = s.text(4);
    w.identity.nameLatin = s.optText(5);
    const auto sex = s.text(6);
    w.identity.sex = sex == "M" ? Sex::Male : sex == "F" ? Sex::Female : Sex::Unknown;
    w.identity.birthDate = s.optText(7);
    w.identity.nationality = s.optText(8);
    w.identity.ethnicity = s.optText(9);
    w.identity.idAddress = s.optText(10);
    w.identity.idIssuer = s.optText(11);
    w.identity.idValidFrom = s.optText(12);
    w.identity.idValidUntil = s.optText(13);
    w.profile.residencePermit = s.optText(14);
    w.profile.phone = s.optText(15);
    w.profile.address = s.optText(16);
    w.profile.serviceTypes = fromJsonList(s.text(17));
    w.profile.specialties = fromJsonList(s.text(18));
    w.profile.education = s.optText(19);
    w.profile.healthCheckDate = s.optText(20);
    w.profile.healthCheckResult = s.optText(21);
    w.profile.healthCheckIssuer = s.optText(22);
    w.profile.insurancePolicy = s.optText(23);
    w.profile.insurer = s.optText(24);
    w.profile.insuranceValidUntil = s.optText(25);
    w.profile.agencyId = s.optInt64(26);
    w.identityVerifiedAt = s.optInt64(27);
    w.identityMethod = s.optText(28);
    w.faceVerifiedAt = s.optInt64(29);
    w.faceScore = s.optReal(30);
    w.createdAt = s.int64(31);
    w.updatedAt = s.int64(32);
    return w;
}

Result<Worker> Store::worker(std::int64_t workerId) {
    auto stmt = m_db.prepare(fmt::format("SELECT {} FROM workers WHERE id = ?", workerColumns()));
    if (!stmt) return propagate(stmt);
    stmt->bindAll(workerId);
    auto row = stmt->step();
    if (!row) return propagate(row);
    if (!*row) return fail(ErrorCode::NotFound, fmt::format("there is no worker {}; 'kioskctl worker find' searches", workerId));
    return readWorker(*stmt);
}

Result<Worker> Store::findWorkerByDocument(const std::string& number, std::optional<DocumentType> type) {
    const auto today = localDate(m_clock->now());
    std::string docType, docNumber;
    if (!type || *type == DocumentType::ChinaResidentId) {
        auto info = parseChinaId(number, today);
        if (info) {
            docType = "cn-id";
            docNumber = info->number;
        } else if (type) {
            return propagate(info);
        }
    }
    if (docType.empty()) {
        auto n = normalizeDocumentNumber(number);
        if (!n) {
            if (!type) {
                auto info = parseChinaId(number, today);
                return propagate(info);
            }
            return propagate(n);
        }
        docType = "passport";
        docNumber = *n;
    }
    if (m_kioskRole) {
        // A kiosk sees the worker it looked up, and only that one (schema version 8).
        auto claim = m_db.prepare("SELECT kiosk_api.claim_worker(?, ?)");
        if (!claim) return propagate(claim);
        if (auto r = claim->bindAll(docType, docNumber).run(); !r) return propagate(r);
    }
    auto stmt = m_db.prepare(fmt::format("SELECT {} FROM workers WHERE doc_number = ? AND doc_type = ? LIMIT 1",
                                         workerColumns()));
    if (!stmt) return propagate(stmt);
    stmt->bindAll(docNumber, docType);
    auto row = stmt->step();
    if (!row) return propagate(row);
    if (!*row)
        return fail(ErrorCode::NotFound,
                    fmt::format("no worker is registered with the document number {}", maskIdNumber(docNumber)));
    return readWorker(*stmt);
}

Result<Worker> Store::findWorker(const std::string& key) {
    const auto k = trim(key);
    if (!k.empty() && k.size() <= 9 && std::ranges::all_of(k, [](char c) { return c >= '0' && c <= '9'; })) {
        auto byId = worker(std::stoll(std::string(k)));
        if (byId || byId.error().code != ErrorCode::NotFound) return byId;
    }
    return findWorkerByDocument(std::string(k));
}

Result<std::vector<Worker>> Store::listWorkers(const WorkerQuery& q) {
    std::string sql = fmt::format("SELECT {} FROM workers WHERE 1 = 1", workerColumns());
    std::string text;
    if (q.text && !trim(*q.text).empty()) {
        text = std::string(trim(*q.text));
        sql += " AND (instr(name, ?1) > 0 OR phone = ?1 OR instr(doc_number, upper(?1)) > 0 "
               "OR instr(lower(coalesce(name_latin, '')), lower(?1)) > 0)";
    }
    if (q.agencyId) sql += " AND agency_id = ?2";
    sql += " ORDER BY id LIMIT ?3 OFFSET ?4";
    auto stmt = m_db.prepare(sql);
    if (!stmt) return propagate(stmt);
    if (!text.empty()) stmt->bind(1, text);
    if (q.agencyId) stmt->bind(2, *q.agencyId);
    stmt->bind(3, q.limit).bind(4, q.offset);
    std::vector<Worker> out;
    if (auto done = stmt->forEachRow([&](Statement& rec) -> Result<void> {
        auto w = readWorker(rec);
        if (!w) return propagate(w);
        out.push_back(std::move(*w));
        return {};
    }); !done)
        return propagate(done);
    return out;
}

Result<std::optional<std::vector<std::uint8_t>>> Store::workerImage(std::int64_t workerId, const std::string& kind) {
    auto stmt = m_db.prepare("SELECT data FROM worker_images WHERE worker_id = ? AND kind = ?");
    if (!stmt) return propagate(stmt);
    stmt->bindAll(workerId, kind);
    auto row = stmt->step();
    if (!row) return propagate(row);
    if (!*row) return std::optional<std::vector<std::uint8_t>>{};
    return std::optional<std::vector<std::uint8_t>>{stmt->blob(0)};
}

Result<void> Store::putWorkerImage(std::int64_t workerId, const std::string& kind, const std::string& mime,
                                   const std::vector<std::uint8_t>& data, const Actor& actor) {
    if (kind != "chip" && kind != "portrait")
        return fail(ErrorCode::InvalidInput, "the image kind is 'chip' or 'portrait'");
    if (mime != "image/jpeg" && mime != "image/png" && mime != "image/jp2")
        return fail(ErrorCode::InvalidInput, "images are stored as image/jpeg, image/png or image/jp2");
    if (data.empty() || data.size() > 2 * 1024 * 1024)
        return fail(ErrorCode::InvalidInput, "an image must hold between 1 byte and 2 MiB");
    auto tx = m_db.transaction();
    if (!tx) return propagate(tx);
    if (auto w = worker(workerId); !w) return std::unexpected(w.error());
    auto stmt = m_db.prepare("INSERT INTO worker_images (worker_id, kind, mime, data, captured_at) VALUES (?,?,?,?,?) "
                             "ON CONFLICT (worker_id, kind) DO UPDATE SET mime = excluded.mime, data = excluded.data, "
                             "captured_at = excluded.captured_at");
    if (!stmt) return propagate(stmt);
    if (auto r = stmt->bindAll(workerId, kind, mime, data, m_clock->now()).run(); !r) return r;
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, data.data(), data.size());
    if (auto r = audit(actor, "worker.image", fmt::format("worker:{}", workerId),
                       json{{"kind", kind}, {"bytes", data.size()}, {"sha256", toHex(digest, sizeof digest)}}.dump());
        !r)
        return r;
    return tx->commit();
}

// ---------------------------------------------------------------- consents

Result<Consent> Store::addConsent(std::int64_t workerId, ConsentKind kind, const std::string& textVersion,
                                  const std::string& textShown, const std::vector<std::uint8_t>& signaturePng,
                                  const Actor& actor) {
    auto version = normalizeName(textVersion, "consent text version");
    if (!version) return propagate(version);
    if (textShown.empty()) return fail(ErrorCode::InvalidInput, "the consent text shown is empty");
    static constexpr std::array<std::uint8_t, 8> kPngMagic{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (signaturePng.size() < kPngMagic.size() || !std::equal(kPngMagic.begin(), kPngMagic.end(), signaturePng.begin()))
        return fail(ErrorCode::InvalidInput, "the signature must be a PNG image; sign again");
    auto tx = m_db.transaction();
    if (!tx) return propagate(tx);
    if (auto w = worker(workerId); !w) return std::unexpected(w.error());
    Consent c{0, workerId, kind, *version, sha256Hex(textShown), signaturePng, m_clock->now(), std::nullopt};
    auto stmt = m_db.prepare("INSERT INTO consents (worker_id, kind, text_version, text_sha256, signature_png, "
                             "signed_at) VALUES (?,?,?,?,?,?)");
    if (!stmt) return propagate(stmt);
    if (auto r = stmt->bindAll(workerId, consentKindName(kind), c.textVersion, c.textSha256, signaturePng, c.signedAt)
                     .run();
        !r)
        return propagate(r);
    c.id = m_db.lastInsertRowId();
    if (auto r = audit(actor, "consent.sign", fmt::format("worker:{}", workerId),
                       json{{"kind", consentKindName(kind)}, {"version", c.textVersion}, {"text_sha256", c.textSha256}}
                           .dump());
        !r)
        return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    return c;
}

Result<std::vector<Consent>> Store::consents(std::int64_t workerId) {
    auto stmt = m_db.prepare("SELECT id, worker_id, kind, text_version, text_sha256, signature_png, signed_at, "
                             "withdrawn_at FROM consents WHERE worker_id = ? ORDER BY id");
    if (!stmt) return propagate(stmt);
    stmt->bindAll(workerId);
    std::vector<Consent> out;
    if (auto done = stmt->forEachRow([&](Statement& rec) {
        out.push_back(Consent{rec.int64(0), rec.int64(1), parseConsentKind(rec.text(2)).value_or(ConsentKind::Commitment),
                              rec.text(3), rec.text(4), rec.blob(5), rec.int64(6), rec.optInt64(7)});
    }); !done)
        return propagate(done);
    return out;
}

// ---------------------------------------------------------------- staff

Result<Staff> Store::addStaff(const std::string& nameIn, Role role, const std::string& pin, const Actor& actor) {
    auto name = normalizeName(nameIn, "staff name");
    if (!name) return propagate(name);
    if (auto r = checkPinFormat(pin); !r) return std::unexpected(r.error());
    auto hash = hashPin(pin);
    if (!hash) return propagate(hash);
    auto tx = m_db.transaction();
    if (!tx) return propagate(tx);
    const auto now = m_clock->now();
    auto stmt = m_db.prepare("INSERT INTO staff (name, role, pin_hash, created_at, updated_at) VALUES (?,?,?,?,?)");
    if (!stmt) return propagate(stmt);
    if (auto r = stmt->bindAll(*name, roleName(role), *hash, now, now).run(); !r) return propagate(r);
    Staff s{m_db.lastInsertRowId(), *name, role, 0, std::nullopt, true};
    if (auto r = audit(actor, "staff.add", fmt::format("staff:{}", s.id),
                       json{{"name", s.name}, {"role", roleName(role)}}.dump());
        !r)
        return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    return s;
}

Result<std::vector<Staff>> Store::listStaff() {
    auto stmt = m_db.prepare("SELECT id, name, role, failed_attempts, locked_until, active FROM staff ORDER BY id");
    if (!stmt) return propagate(stmt);
    std::vector<Staff> out;
    if (auto done = stmt->forEachRow([&](Statement& rec) {
        out.push_back(readStaff(rec));
    }); !done)
        return propagate(done);
    return out;
}

Result<Staff> Store::staff(std::int64_t staffId) {
    auto stmt = m_db.prepare("SELECT id, name, role, failed_attempts, locked_until, active FROM staff WHERE id = ?");
    if (!stmt) return propagate(stmt);
    stmt->bindAll(staffId);
    auto row = stmt->step();
    if (!row) return propagate(row);
    if (!*row)
        return fail(ErrorCode::NotFound, fmt::format("there is no staff member {}; 'kioskctl staff list' shows them",
                                                     staffId));
    return readStaff(*stmt);
}

Result<void> Store::setStaffPin(std::int64_t staffId, const std::string& pin, const Actor& actor) {
    if (auto r = checkPinFormat(pin); !r) return r;
    auto hash = hashPin(pin);
    if (!hash) return propagate(hash);
    auto tx = m_db.transaction();
    if (!tx) return propagate(tx);
    auto stmt = m_db.prepare("UPDATE staff SET pin_hash = ?, failed_attempts = 0, locked_until = NULL, updated_at = ? "
                             "WHERE id = ?");
    if (!stmt) return propagate(stmt);
    if (auto r = stmt->bindAll(*hash, m_clock->now(), staffId).run(); !r) return r;
    if (m_db.changes() == 0)
        return fail(ErrorCode::NotFound, fmt::format("there is no staff member {}", staffId));
    if (auto r = audit(actor, "staff.set-pin", fmt::format("staff:{}", staffId), "{}"); !r) return r;
    return tx->commit();
}

Result<Staff> Store::authenticateStaff(std::int64_t staffId, const std::string& pin) {
    // The Argon2id check runs outside the write transaction so that other writers are not held off.
    std::string hash;
    {
        auto stmt = m_db.prepare("SELECT pin_hash FROM staff WHERE id = ?");
        if (!stmt) return propagate(stmt);
        stmt->bindAll(staffId);
        auto row = stmt->step();
        if (!row) return propagate(row);
        if (!*row) return fail(ErrorCode::AuthFailed, "unknown staff number or wrong PIN");
        hash = stmt->text(0);
    }
    const bool ok = verifyPin(hash, pin);
    const auto now = m_clock->now();
    const std::string subject = fmt::format("staff:{}", staffId);
    auto tx = m_db.transaction();
    if (!tx) return propagate(tx);
    auto current = staff(staffId);
    if (!current) return current;
    if (!current->active) return fail(ErrorCode::Refused, "this staff account is deactivated; ask an administrator");
    if (current->lockedUntil && *current->lockedUntil == kLockedUntilUnlocked)
        return fail(ErrorCode::Locked, "too many wrong PINs: this account is locked until an administrator unlocks it "
                                       "('kioskctl staff unlock')");
    if (current->lockedUntil && *current->lockedUntil > now)
        return fail(ErrorCode::Locked, fmt::format("too many wrong PINs: this account is locked until {}; an "
                                                   "administrator can unlock it ('kioskctl staff unlock')",
                                                   formatLocalTime(*current->lockedUntil)));
    if (ok) {
        auto stmt = m_db.prepare("UPDATE staff SET failed_attempts = 0, locked_until = NULL WHERE id = ?");
        if (!stmt) return propagate(stmt);
        if (auto r = stmt->bindAll(staffId).run(); !r) return propagate(r);
        if (auto r = audit(subject, "staff.login", subject, "{}"); !r) return propagate(r);
        if (auto r = tx->commit(); !r) return propagate(r);
        current->failedAttempts = 0;
        current->lockedUntil.reset();
        return current;
    }
    // The count runs on through lockouts (only a right PIN or an administrator resets it): every
    // kMaxPinFailures-th wrong PIN locks, for longer each time, the third time until an administrator unlocks.
    const int failures = current->failedAttempts + 1;
    const int level = failures / kMaxPinFailures;  // 1, 2, 3+ at a lock
    const bool lock = failures % kMaxPinFailures == 0;
    const std::int64_t until = level >= 3 ? kLockedUntilUnlocked
                               : level == 2 ? now + kPinSecondLockoutSeconds
                                            : now + kPinLockoutSeconds;
    auto stmt = m_db.prepare("UPDATE staff SET failed_attempts = ?, locked_until = ? WHERE id = ?");
    if (!stmt) return propagate(stmt);
    if (auto r = stmt->bindAll(failures, lock ? std::optional<std::int64_t>(until) : current->lockedUntil, staffId)
                     .run();
        !r)
        return propagate(r);
    json details{{"failures", failures}};
    if (lock) {
        details["level"] = std::min(level, 3);
        details["until"] = until == kLockedUntilUnlocked ? json("admin-unlock") : json(formatUtc(until));
    }
    if (auto r = audit(subject, lock ? "staff.locked" : "staff.login-failed", subject, details.dump()); !r)
        return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    if (lock && until == kLockedUntilUnlocked)
        return fail(ErrorCode::Locked, fmt::format("wrong PIN {} times: this account is locked until an administrator "
                                                   "unlocks it ('kioskctl staff unlock')",
                                                   failures));
    if (lock)
        return fail(ErrorCode::Locked, fmt::format("wrong PIN {} times: this account is locked until {}; an "
                                                   "administrator can unlock it ('kioskctl staff unlock')",
                                                   failures, formatLocalTime(until)));
    const int left = kMaxPinFailures - failures % kMaxPinFailures;
    const int nextLevel = failures / kMaxPinFailures + 1;
    if (nextLevel >= 3)
        return fail(ErrorCode::AuthFailed, fmt::format("wrong PIN; {} more wrong PIN(s) lock the account until an "
                                                       "administrator unlocks it",
                                                       left));
    return fail(ErrorCode::AuthFailed, fmt::format("wrong PIN; {} more wrong PIN(s) lock the account for {} minutes",
                                                   left,
                                                   (nextLevel == 2 ? kPinSecondLockoutSeconds : kPinLockoutSeconds) / 60));
}

Result<void> Store::unlockStaff(std::int64_t staffId, const Actor& actor) {
    auto tx = m_db.transaction();
    if (!tx) return propagate(tx);
    auto stmt = m_db.prepare("UPDATE staff SET failed_attempts = 0, locked_until = NULL, updated_at = ? WHERE id = ?");
    if (!stmt) return propagate(stmt);
    if (auto r = stmt->bindAll(m_clock->now(), staffId).run(); !r) return r;
    if (m_db.changes() == 0)
        return fail(ErrorCode::NotFound, fmt::format("there is no staff member {}; 'kioskctl staff list' shows them",
                                                     staffId));
    if (auto r = audit(actor, "staff.unlock", fmt::format("staff:{}", staffId), "{}"); !r) return r;
    return tx->commit();
}

Result<void> Store::deactivateStaff(std::int64_t staffId, const Actor& actor) {
    auto tx = m_db.transaction();
    if (!tx) return propagate(tx);
    auto s = staff(staffId);
    if (!s) return propagate(s);
    if (s->role == Role::Admin && s->active) {
        auto admins = m_db.queryInt("SELECT COUNT(*) FROM staff WHERE role = 'admin' AND active = 1");
        if (!admins) return propagate(admins);
        if (*admins <= 1)
            return fail(ErrorCode::Refused, "this is the last active administrator; add another administrator first");
    }
    auto stmt = m_db.prepare("UPDATE staff SET active = 0, updated_at = ? WHERE id = ?");
    if (!stmt) return propagate(stmt);
    if (auto r = stmt->bindAll(m_clock->now(), staffId).run(); !r) return r;
    if (auto r = audit(actor, "staff.deactivate", fmt::format("staff:{}", staffId), "{}"); !r) return r;
    return tx->commit();
}

}  // namespace training
