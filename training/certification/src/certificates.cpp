// Certificates: issuing, documents' data, revocation, the signed revocation list, verification.
#include "training/certificates.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "training/audit_checkpoint.hpp"
#include "training/catalogs.hpp"
#include "training/validation.hpp"
#include "training/json_fields.hpp"

namespace training {
namespace {

using json = nlohmann::json;

constexpr std::string_view kCertColumns =
    "id, number, worker_id, course_id, issue_date, expiry_date, payload, issued_at, revoked_at, revocation_reason, "
    "badge_number";

Certificate readCertificate(const Statement& s) {
    Certificate c;
    c.id = s.int64(0);
    c.number = s.text(1);
    c.workerId = s.int64(2);
    c.courseId = s.int64(3);
    c.issueDate = s.text(4);
    c.expiryDate = s.text(5);
    c.payload = s.text(6);
    c.issuedAt = s.int64(7);
    c.revokedAt = s.optInt64(8);
    c.revocationReason = s.optText(9);
    c.badgeNumber = s.optText(10);
    return c;
}

/// The last day of validity: @p months later, the day before (2026-11-28 + 36 months -> 2029-11-27).
/// A day that does not exist in the target month (e.g. 31 into a 30-day month) is clamped to its last day.
std::string expiryAfter(const std::string& issueDate, int months) {
    auto d = *parseDate(issueDate, "date");
    auto target = d.year() / d.month() / d.day() + std::chrono::months(months);
    if (!target.ok()) target = target.year() / target.month() / std::chrono::last;
    return formatDate(std::chrono::year_month_day(std::chrono::sys_days(target) - std::chrono::days(1)));
}

constexpr std::string_view kRevocationFormat = "badge-revocations";

}  // namespace

CertificateDocument sampleCertificateDocument(const CenterKey& key) {
    CertificateDocument d;
    d.centerCode = key.centerId();
    d.centerName = key.publicInfo().name.empty() ? "示例家政培训中心" : key.publicInfo().name;
    d.workerName = "王小梅";
    d.workerNameLatin = "WANG XIAOMEI";
    d.maskedId = "310101********002X";
    d.courseCode = "badge";
    d.courseNameZh = "家政上门服务证培训";
    d.courseNameEn = "Home-service badge training";
    d.modules = {{"ethics", "职业道德", "Professional ethics", 120, 120},
                 {"etiquette", "文明礼仪", "Etiquette", 120, 125},
                 {"law", "法律常识", "Legal basics", 120, 120},
                 {"safety", "安全知识", "Safety knowledge", 120, 130},
                 {"appliances", "电器操作与安全", "Appliance operation and safety", 120, 120},
                 {"home-care", "家庭照料", "Home care", 120, 120},
                 {"badge", "上门服务证", "The badge", 60, 60}};
    d.examScore = 92;
    d.examDate = "2026-11-20";
    d.certificateNumber = fmt::format("{}-2026-000001", key.centerId());
    d.issueDate = "2026-11-28";
    d.expiryDate = "2029-11-27";
    d.agencyName = "上海示例家政服务有限公司";
    d.serviceTypes = {"cleaning", "elder-care"};
    d.qrPayload = encodeBadgePayload(BadgeFields{d.centerCode, d.certificateNumber, d.workerName, d.maskedId,
                                                 d.courseCode, d.issueDate, d.expiryDate, 1},
                                     key)
                      .value_or("");
    return d;
}

Result<Certificate> Certificates::certificate(const std::string& number) {
    auto st = m_store.database().prepare(fmt::format("SELECT {} FROM certificates WHERE number = upper(?)", kCertColumns));
    if (!st) return propagate(st);
    st->bindAll(number);
    auto row = st->step();
    if (!row) return propagate(row);
    if (!*row)
        return fail(ErrorCode::NotFound,
                    fmt::format("there is no certificate {} in this center's records; check the number", number));
    return readCertificate(*st);
}

Result<std::optional<Certificate>> Certificates::currentFor(std::int64_t workerId, std::int64_t courseId) {
    auto st = m_store.database().prepare(
        fmt::format("SELECT {} FROM certificates WHERE worker_id = ? AND course_id = ? AND revoked_at IS NULL AND "
                    "expiry_date >= ? ORDER BY id DESC LIMIT 1",
                    kCertColumns));
    if (!st) return propagate(st);
    st->bindAll(workerId, courseId, formatDate(localDate(m_store.now())));
    auto row = st->step();
    if (!row) return propagate(row);
    if (!*row) return std::optional<Certificate>{};
    return std::optional<Certificate>{readCertificate(*st)};
}

Result<std::vector<Certificate>> Certificates::ofWorker(std::int64_t workerId) {
    auto st = m_store.database().prepare(
        fmt::format("SELECT {} FROM certificates WHERE worker_id = ? ORDER BY id DESC", kCertColumns));
    if (!st) return propagate(st);
    st->bindAll(workerId);
    std::vector<Certificate> out;
    if (auto done = st->forEachRow([&](Statement& rec) {
        out.push_back(readCertificate(rec));
    }); !done)
        return propagate(done);
    return out;
}

Result<Certificate> Certificates::issue(std::int64_t workerId, std::optional<std::int64_t> courseId,
                                        const Actor& actor, const std::optional<std::string>& reissueReason) {
    if (!m_key)
        return fail(ErrorCode::Refused, "no center key: run 'kioskctl init' to create it, or set KIOSK_CENTER_KEY");
    auto& db = m_store.database();
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    auto report = checkEligibility(m_store, workerId, courseId);
    if (!report) return propagate(report);
    if (auto existing = currentFor(workerId, report->courseId); !existing) return propagate(existing);
    else if (*existing) return **existing;
    std::optional<std::string> reissue;
    std::string replaces;
    if (reissueReason) {
        auto why = normalizeText(*reissueReason, "re-issue reason", 200);
        if (!why) return propagate(why);
        if (why->empty()) return fail(ErrorCode::InvalidInput, "give the reason for the re-issue (--reason TEXT)");
        const auto revoked = std::ranges::find(report->unmet, Condition::NotRevoked, &UnmetCondition::condition);
        if (revoked == report->unmet.end())
            return fail(ErrorCode::InvalidInput,
                        fmt::format("worker {} has no revoked certificate for this course; a re-issue (--reissue) is "
                                    "only for a worker whose certificate was revoked",
                                    workerId));
        replaces = revoked->item.value_or("");
        report->unmet.erase(revoked);
        report->eligible = report->unmet.empty();
        reissue = std::move(*why);
    }
    if (!report->eligible) {
        std::string list;
        for (const auto& u : report->unmet) list += fmt::format("\n  - {}", u.staff);
        return fail(ErrorCode::Refused,
                    fmt::format("worker {} is not eligible for a certificate yet:{}", workerId, list));
    }
    auto center = m_store.center();
    if (!center) return propagate(center);
    auto w = m_store.worker(workerId);
    if (!w) return propagate(w);
    auto course = m_store.course(std::to_string(report->courseId));
    if (!course) return propagate(course);
    auto rule = certificationRule(m_store, report->courseId);
    if (!rule) return propagate(rule);

    const auto today = localDate(m_store.now());
    const int year = static_cast<int>(today.year());
    auto seqSt = db.prepare("SELECT COALESCE(MAX(seq), 0) + 1 FROM certificates WHERE year = ?");
    if (!seqSt) return propagate(seqSt);
    seqSt->bindAll(year);
    if (auto row = seqSt->step(); !row) return propagate(row);
    const auto seq = seqSt->int64(0);
    seqSt->reset();
    if (seq > 999999)
        return fail(ErrorCode::Refused, fmt::format("the certificate numbers of {} are used up (999999)", year));

    Certificate c;
    c.number = fmt::format("{}-{}-{:06}", m_key->centerId(), year, seq);
    c.workerId = workerId;
    c.courseId = report->courseId;
    c.issueDate = formatDate(today);
    c.expiryDate = expiryAfter(c.issueDate, rule->certificateValidityMonths);
    c.issuedAt = m_store.now();
    auto payload = encodeBadgePayload(BadgeFields{m_key->centerId(), c.number, w->identity.name,
                                                  maskIdNumber(w->identity.docNumber), course->code, c.issueDate,
                                                  c.expiryDate, w->profile.agencyId.value_or(0)},
                                      *m_key);
    if (!payload) return propagate(payload);
    c.payload = *payload;
    auto ins = db.prepare("INSERT INTO certificates (number, year, seq, worker_id, course_id, issue_date, expiry_date, "
                          "payload, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!ins) return propagate(ins);
    if (auto r = ins->bindAll(c.number, year, seq, workerId, c.courseId, c.issueDate, c.expiryDate, c.payload, c.issuedAt)
                     .run();
        !r)
        return propagate(r);
    c.id = db.lastInsertRowId();
    json details{{"number", c.number}, {"course", course->code}, {"expiry", c.expiryDate}};
    if (reissue) {
        details["replaces"] = replaces;
        details["reason"] = *reissue;
    }
    if (auto r = m_store.audit(actor, reissue ? "certificate.reissue" : "certificate.issue",
                               fmt::format("worker:{}", workerId), details.dump());
        !r)
        return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    return c;
}

Result<CertificateDocument> Certificates::document(const std::string& number) {
    auto c = certificate(number);
    if (!c) return propagate(c);
    auto center = m_store.center();
    if (!center) return propagate(center);
    auto w = m_store.worker(c->workerId);
    if (!w) return propagate(w);
    auto course = m_store.course(std::to_string(c->courseId));
    if (!course) return propagate(course);
    auto hours = m_store.hoursPerModule(c->workerId, c->courseId);
    if (!hours) return propagate(hours);

    CertificateDocument d;
    d.centerCode = center->code;
    d.centerName = center->name;
    d.workerName = w->identity.name;
    d.workerNameLatin = w->identity.nameLatin;
    d.maskedId = maskIdNumber(w->identity.docNumber);
    d.courseCode = course->code;
    d.courseNameZh = course->nameZh;
    d.courseNameEn = course->nameEn;
    for (const auto& m : course->modules) {
        CertificateModuleLine line{m.code, m.nameZh, m.nameEn, m.requiredMinutes, 0};
        for (const auto& h : *hours)
            if (h.moduleCode == m.code) line.attendedMinutes = h.attendedMinutes;
        d.modules.push_back(std::move(line));
    }
    auto& db = m_store.database();
    // Documents embed JPEG and PNG; a chip photo in JPEG 2000 is left out (the frame stays empty).
    auto img = db.prepare("SELECT mime, data FROM worker_images WHERE worker_id = ? AND kind IN ('portrait', 'chip') "
                          "AND mime IN ('image/jpeg', 'image/png') "
                          "ORDER BY CASE kind WHEN 'portrait' THEN 0 ELSE 1 END LIMIT 1");
    if (!img) return propagate(img);
    img->bindAll(c->workerId);
    if (auto row = img->step(); !row) return propagate(row);
    else if (*row) {
        d.portraitMime = img->text(0);
        d.portrait = img->blob(1);
    }
    img->reset();
    auto ex = db.prepare("SELECT a.score, a.submitted_at FROM attempts a JOIN sittings s ON s.id = a.sitting_id "
                         "WHERE a.worker_id = ? AND s.course_id = ? AND a.submitted_at IS NOT NULL "
                         "ORDER BY a.submitted_at DESC, a.id DESC LIMIT 1");
    if (!ex) return propagate(ex);
    ex->bindAll(c->workerId, c->courseId);
    if (auto row = ex->step(); !row) return propagate(row);
    else if (*row) {
        d.examScore = ex->optReal(0);
        d.examDate = formatDate(localDate(ex->int64(1)));
    }
    ex->reset();
    d.certificateNumber = c->number;
    d.issueDate = c->issueDate;
    d.expiryDate = c->expiryDate;
    d.qrPayload = c->payload;
    if (w->profile.agencyId) {
        auto a = m_store.findAgency(std::to_string(*w->profile.agencyId));
        if (a) d.agencyName = a->name;
    }
    // Shown by their Chinese names (a code no longer in the catalog is shown as stored).
    for (const auto& code : w->profile.serviceTypes.value_or(std::vector<std::string>{})) {
        const auto types = serviceTypes();
        const auto e = std::ranges::find(types, code, &CatalogEntry::code);
        d.serviceTypes.emplace_back(e == types.end() ? code : std::string(e->zh));
    }
    d.badgeNumber = c->badgeNumber;
    d.revoked = c->revokedAt.has_value();
    return d;
}

Result<Certificate> Certificates::revoke(const std::string& number, const std::string& reason, const Actor& actor) {
    auto why = normalizeText(reason, "revocation reason", 200);
    if (!why) return propagate(why);
    if (why->empty()) return fail(ErrorCode::InvalidInput, "give the reason for the revocation (--reason TEXT)");
    auto center = m_store.center();
    if (!center) return propagate(center);
    auto& db = m_store.database();
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    auto c = certificate(number);
    if (!c) return propagate(c);
    if (c->revokedAt)
        return fail(ErrorCode::Conflict, fmt::format("certificate {} was already revoked on {} ({})", c->number,
                                                     formatLocalTime(*c->revokedAt), c->revocationReason.value_or("")));
    const auto now = m_store.now();
    auto up = db.prepare("UPDATE certificates SET revoked_at = ?, revocation_reason = ? WHERE id = ?");
    if (!up) return propagate(up);
    if (auto r = up->bindAll(now, *why, c->id).run(); !r) return propagate(r);
    // The payload names the center by the key's id, which is the center code.
    const auto centerId = m_key ? m_key->centerId() : center->code;
    auto ins = db.prepare("INSERT INTO revocations (center_id, certificate_number, revoked_at, reason) VALUES (?, ?, ?, ?) "
                          "ON CONFLICT (center_id, certificate_number) DO NOTHING");
    if (!ins) return propagate(ins);
    if (auto r = ins->bindAll(centerId, c->number, now, *why).run(); !r) return propagate(r);
    if (auto r = m_store.audit(actor, "certificate.revoke", fmt::format("worker:{}", c->workerId),
                               json{{"number", c->number}, {"reason", *why}}.dump());
        !r)
        return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    c->revokedAt = now;
    c->revocationReason = *why;
    return *c;
}

Result<std::string> Certificates::exportRevocationList() {
    if (!m_key)
        return fail(ErrorCode::Refused, "no center key to sign the list: run 'kioskctl init' or set KIOSK_CENTER_KEY");
    auto st = m_store.database().prepare(
        "SELECT certificate_number, revoked_at, reason FROM revocations WHERE center_id = ? ORDER BY revoked_at, "
        "certificate_number");
    if (!st) return propagate(st);
    st->bindAll(m_key->centerId());
    json entries = json::array();
    if (auto done = st->forEachRow([&](Statement& rec) {
        entries.push_back({{"number", rec.text(0)}, {"revoked_at", formatUtc(rec.int64(1))}, {"reason", rec.text(2)}});
    }); !done)
        return propagate(done);
    // The audit chain's signed head travels with the list: whoever holds it can later check this center's chain.
    auto head = signedAuditHead(m_store, *m_key);
    if (!head) return propagate(head);
    json body{{"format", kRevocationFormat},
              {"version", 1},
              {"center", m_key->centerId()},
              {"issued_at", formatUtc(m_store.now())},
              {"revoked", entries},
              {"audit_checkpoint", json::parse(*head)}};
    const auto sig = m_key->sign(body.dump());
    body["signature"] = base64UrlEncode(sig);
    return body.dump(2) + "\n";
}

Result<int> Certificates::importRevocationList(std::string_view text, const Actor& actor) {
    auto j = json::parse(text, nullptr, false);
    const auto bad = [](std::string_view what) {
        return fail(ErrorCode::InvalidInput, fmt::format("not a signed revocation list ({}); ask the issuing center for "
                                                         "the output of 'kioskctl revocations export'",
                                                         what));
    };
    using jsonfields::Kind;
    if (auto m = jsonfields::mistyped(j, {{"format", Kind::String}, {"version", Kind::Integer}, {"center", Kind::String},
                                          {"signature", Kind::String}, {"revoked", Kind::Array},
                                          {"audit_checkpoint", Kind::Object}}))
        return bad(*m);
    // Optional (lists made before checkpoints travelled have none); covered by the list's signature.
    if (j.contains("audit_checkpoint"))
        if (auto m = jsonfields::mistyped(j["audit_checkpoint"], {{"row_id", Kind::Integer}, {"hash", Kind::String},
                                                                  {"center", Kind::String}},
                                          "audit_checkpoint."))
            return bad(*m);
    if (!j.is_object() || j.value("format", "") != kRevocationFormat || j.value("version", 0) != 1)
        return bad("unknown format");
    if (!j.contains("signature") || !j["signature"].is_string() || !j.contains("center") || !j["center"].is_string() ||
        !j.contains("revoked") || !j["revoked"].is_array())
        return bad("missing center, revoked or signature");
    const auto centerId = j["center"].get<std::string>();
    auto sig = base64Decode(j["signature"].get<std::string>());
    if (!sig) return bad("signature is not base64url");
    auto keys = centerKeys(m_store);
    if (!keys) return propagate(keys);
    json body = j;
    body.erase("signature");
    // Any current or retired key of the center (key custody: a list signed before a rotation still imports).
    const auto check = checkCenterSignature(*keys, centerId, body.dump(), *sig);
    if (check.outcome == KeyCheck::Outcome::UnknownCenter)
        return fail(ErrorCode::Refused, fmt::format("center {} is not trusted: import its key with 'kioskctl key trust' "
                                                    "first",
                                                    centerId));
    if (check.outcome == KeyCheck::Outcome::RevokedKey)
        return fail(ErrorCode::Refused, fmt::format("the revocation list is signed with a revoked key: {}; ask center "
                                                    "{} for a list signed with its new key",
                                                    check.revokedText(), centerId));
    if (check.outcome != KeyCheck::Outcome::Verified)
        return fail(ErrorCode::Refused,
                    fmt::format("the revocation list's signature does not match center {}'s key; it was altered, do not "
                                "use it",
                                centerId));
    auto& db = m_store.database();
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    auto ins = db.prepare("INSERT INTO revocations (center_id, certificate_number, revoked_at, reason) VALUES (?, ?, ?, ?) "
                          "ON CONFLICT (center_id, certificate_number) DO NOTHING");
    if (!ins) return propagate(ins);
    int added = 0;
    for (const auto& e : body["revoked"]) {
        if (!e.is_object() || !e.contains("number") || !e["number"].is_string()) return bad("an entry has no number");
        if (auto m = jsonfields::mistyped(e, {{"revoked_at", Kind::String}, {"reason", Kind::String}}, "revoked[]."))
            return bad(*m);
        auto at = parseTimestamp(e.value("revoked_at", ""), "revoked_at");
        if (auto r = ins->bindAll(centerId, e["number"].get<std::string>(), at.value_or(m_store.now()),
                                  e.value("reason", std::string{}))
                         .run();
            !r)
            return propagate(r);
        added += db.changes();
    }
    json details{{"entries", body["revoked"].size()}, {"added", added}};
    if (body.contains("audit_checkpoint"))  // the sender's head, kept here as a witness
        details["audit_checkpoint"] = {{"row_id", body["audit_checkpoint"].value("row_id", std::int64_t{0})},
                                       {"hash", body["audit_checkpoint"].value("hash", std::string{})}};
    if (auto r = m_store.audit(actor, "revocations.import", fmt::format("center:{}", centerId), details.dump());
        !r)
        return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    return added;
}

namespace {

/// {"signed": TEXT, "signature": base64url(sign(TEXT))}: the page verifies the exact bytes it parses.
std::string signedEnvelope(const CenterKey& key, const json& body) {
    const auto text = body.dump();
    return json{{"signed", text}, {"signature", base64UrlEncode(key.sign(text))}}.dump() + "\n";
}

}  // namespace

Result<std::string> Certificates::exportWebKeys() {
    if (!m_key)
        return fail(ErrorCode::Refused, "no center key to sign the keys file: run 'kioskctl init' or set KIOSK_CENTER_KEY");
    // Every key that still verifies: current and retired (a badge signed before a rotation stays valid), never a
    // revoked one.
    auto keys = centerKeys(m_store);
    if (!keys) return propagate(keys);
    json list = json::array();
    for (const auto& k : *keys)
        if (k.status != KeyStatus::Revoked)
            list.push_back({{"center", k.centerId},
                            {"name", k.name},
                            {"public_key", base64UrlEncode(k.key)},
                            {"key_id", keyId(k.key)},
                            {"status", keyStatusName(k.status)}});
    auto agencies = m_store.listAgencies();
    if (!agencies) return propagate(agencies);
    json byId = json::object();
    for (const auto& a : *agencies) byId[std::to_string(a.id)] = a.name;
    auto courses = m_store.listCourses();
    if (!courses) return propagate(courses);
    json byCode = json::object();
    for (const auto& c : *courses) byCode[c.code] = {{"zh", c.nameZh}, {"en", c.nameEn}};
    return signedEnvelope(*m_key, json{{"format", "badge-web-keys"},
                                       {"version", 1},
                                       {"center", m_key->centerId()},
                                       {"issued_at", formatUtc(m_store.now())},
                                       {"keys", list},
                                       {"agencies", byId},
                                       {"courses", byCode}});
}

Result<std::string> Certificates::exportWebRevocations() {
    if (!m_key)
        return fail(ErrorCode::Refused, "no center key to sign the list: run 'kioskctl init' or set KIOSK_CENTER_KEY");
    auto st = m_store.database().prepare(
        "SELECT center_id, certificate_number, revoked_at, reason FROM revocations ORDER BY center_id, "
        "certificate_number");
    if (!st) return propagate(st);
    json entries = json::array();
    if (auto done = st->forEachRow([&](Statement& rec) {
        entries.push_back({{"center", rec.text(0)},
                           {"number", rec.text(1)},
                           {"revoked_at", formatUtc(rec.int64(2))},
                           {"reason", rec.text(3)}});
    }); !done)
        return propagate(done);
    return signedEnvelope(*m_key, json{{"format", "badge-web-revocations"},
                                       {"version", 1},
                                       {"center", m_key->centerId()},
                                       {"issued_at", formatUtc(m_store.now())},
                                       {"revoked", entries}});
}

Result<BadgeVerification> Certificates::verify(std::string_view payload) {
    auto keys = centerKeys(m_store);
    if (!keys) return propagate(keys);
    auto st = m_store.database().prepare(
        "SELECT reason FROM revocations WHERE center_id = ? AND certificate_number = ?");
    if (!st) return propagate(st);
    std::optional<Error> lookupError;
    RevocationLookup lookup = [&](const std::string& center, const std::string& number) -> std::optional<std::string> {
        st->bindAll(center, number);
        auto row = st->step();
        std::optional<std::string> reason;
        if (!row) lookupError = row.error();
        else if (*row) reason = st->text(0);
        st->reset();
        return reason;
    };
    auto v = verifyBadgePayload(payload, *keys, lookup, localDate(m_store.now()));
    if (lookupError) return std::unexpected(*lookupError);
    return v;
}

}  // namespace training
