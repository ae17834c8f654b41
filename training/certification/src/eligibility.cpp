// The certification rule (product.md §5): data per course, evaluated here and only here.
#include "training/eligibility.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "training/exam_store.hpp"
#include "training/store.hpp"
#include "training/validation.hpp"

namespace training {
namespace {

using json = nlohmann::json;

std::string hoursText(int minutes) {
    if (minutes % 60 == 0) return fmt::format("{} h", minutes / 60);
    return fmt::format("{} h {} min", minutes / 60, minutes % 60);
}

std::string hoursTextZh(int minutes) {
    if (minutes % 60 == 0) return fmt::format("{}小时", minutes / 60);
    if (minutes < 60) return fmt::format("{}分钟", minutes);
    return fmt::format("{}小时{}分钟", minutes / 60, minutes % 60);
}

exam::LocalizedText consentLabel(ConsentKind k) {
    switch (k) {
        case ConsentKind::Commitment: return {"承诺书", "commitment letter"};
        case ConsentKind::CreditCheck: return {"征信授权书", "credit-check authorisation"};
        case ConsentKind::Biometric: return {"人脸信息处理同意书", "consent to face-data processing"};
    }
    return {"", ""};
}

UnmetCondition unmet(Condition c, exam::LocalizedText worker, std::string staff) {
    UnmetCondition u;
    u.condition = c;
    u.code = std::string(conditionName(c));
    u.worker = std::move(worker);
    u.staff = std::move(staff);
    return u;
}

/// Identity counts only when it was proven: a chip that passed passive authentication ("chip-pa"), an ID card
/// read through the reader's SAM ("sam"), or a staff member who checked the document ("staff"). A chip read
/// without authentication ("chip") is not enough.
bool identityProven(const Worker& w) {
    if (!w.identityVerifiedAt || !w.identityMethod) return false;
    const auto& m = *w.identityMethod;
    return m == "chip-pa" || m == "sam" || m == "staff";
}

}  // namespace

std::string_view conditionName(Condition c) noexcept {
    switch (c) {
        case Condition::IdentityVerified: return "identity";
        case Condition::FaceMatched: return "face";
        case Condition::ModuleHours: return "hours";
        case Condition::ExamPassed: return "exam";
        case Condition::HealthCheck: return "health-check";
        case Condition::Consent: return "consent";
        case Condition::Agency: return "agency";
        case Condition::NotRevoked: return "revoked";
    }
    return "identity";
}

std::string ruleToJson(const CertificationRule& r) {
    json consents = json::array();
    for (auto k : r.consents) consents.push_back(consentKindName(k));
    return json{{"require_identity", r.requireIdentity},
                {"require_face", r.requireFace},
                {"require_hours", r.requireHours},
                {"require_exam", r.requireExam},
                {"pass_mark", r.passMark},
                {"require_health_check", r.requireHealthCheck},
                {"health_check_max_age_days", r.healthCheckMaxAgeDays},
                {"require_agency", r.requireAgency},
                {"consents", consents},
                {"certificate_validity_months", r.certificateValidityMonths}}
        .dump();
}

Result<CertificationRule> ruleFromJson(std::string_view text) {
    auto j = json::parse(text, nullptr, false);
    if (!j.is_object())
        return fail(ErrorCode::InvalidInput, "a certification rule is a JSON object (see 'kioskctl eligibility --help')");
    CertificationRule r;
    const auto flag = [&](const char* key, bool& out) -> Result<void> {
        if (!j.contains(key)) return {};
        if (!j[key].is_boolean()) return fail(ErrorCode::InvalidInput, fmt::format("rule key {} must be true or false", key));
        out = j[key].get<bool>();
        return {};
    };
    const auto integer = [&](const char* key, int& out, int lo, int hi) -> Result<void> {
        if (!j.contains(key)) return {};
        if (!j[key].is_number_integer() || j[key].get<long long>() < lo || j[key].get<long long>() > hi)
            return fail(ErrorCode::InvalidInput, fmt::format("rule key {} must be a whole number from {} to {}", key, lo, hi));
        out = j[key].get<int>();
        return {};
    };
    for (auto res : {flag("require_identity", r.requireIdentity), flag("require_face", r.requireFace),
                     flag("require_hours", r.requireHours), flag("require_exam", r.requireExam),
                     flag("require_health_check", r.requireHealthCheck), flag("require_agency", r.requireAgency),
                     integer("health_check_max_age_days", r.healthCheckMaxAgeDays, 1, 3650),
                     integer("certificate_validity_months", r.certificateValidityMonths, 1, 1200)})
        if (!res) return propagate(res);
    if (j.contains("pass_mark")) {
        if (!j["pass_mark"].is_number() || j["pass_mark"].get<double>() < 0 || j["pass_mark"].get<double>() > 100)
            return fail(ErrorCode::InvalidInput, "rule key pass_mark must be a number from 0 to 100");
        r.passMark = j["pass_mark"].get<double>();
    }
    if (j.contains("consents")) {
        if (!j["consents"].is_array())
            return fail(ErrorCode::InvalidInput, "rule key consents must be a list of commitment, credit-check, biometric");
        r.consents.clear();
        for (const auto& e : j["consents"]) {
            if (!e.is_string()) return fail(ErrorCode::InvalidInput, "rule key consents must list names");
            auto k = parseConsentKind(e.get<std::string>());
            if (!k) return propagate(k);
            r.consents.push_back(*k);
        }
    }
    return r;
}

EligibilityReport evaluateEligibility(const CertificationRule& rule, const EligibilityFacts& facts,
                                      std::chrono::year_month_day today) {
    EligibilityReport rep;
    rep.workerId = facts.worker.id;
    rep.courseId = facts.course.id;
    const auto& w = facts.worker;

    if (rule.requireIdentity && !identityProven(w))
        rep.unmet.push_back(unmet(Condition::IdentityVerified,
                                  {"身份证件尚未核验，请在自助机上刷身份证。", "Your ID has not been checked yet: place it on the kiosk's reader."},
                                  "identity not verified from the document: have the worker read the ID card at a "
                                  "kiosk, or verify it at the desk"));
    // The person is compared with the document photo either by face recognition or, for whoever declines it, by
    // staff in person (identity method "staff", confirmed with their PIN): both satisfy the condition.
    if (rule.requireFace && !w.faceVerifiedAt && w.identityMethod.value_or("") != "staff")
        rep.unmet.push_back(unmet(Condition::FaceMatched,
                                  {"尚未核对本人与证件照片，请在自助机上拍照核验，或请工作人员当面核验。",
                                   "You have not been compared with your ID photo yet: take the photo at a kiosk, or "
                                   "ask staff to check you in person."},
                                  "person not compared with the document photo: face check at a kiosk, or staff "
                                  "verify in person at a kiosk (declining face recognition) and confirm with their PIN"));
    if (rule.requireHours) {
        for (const auto& h : facts.hours) {
            if (h.attendedMinutes >= h.requiredMinutes) continue;
            const int missing = h.requiredMinutes - h.attendedMinutes;
            exam::LocalizedText moduleName{h.moduleCode, h.moduleCode};
            for (const auto& m : facts.course.modules)
                if (m.code == h.moduleCode) moduleName = {m.nameZh.empty() ? m.code : m.nameZh, m.nameEn.empty() ? m.code : m.nameEn};
            auto u = unmet(Condition::ModuleHours,
                           {fmt::format("“{}”还差{}课时。", moduleName.zh, hoursTextZh(missing)),
                            fmt::format("{} more of \"{}\" to attend.", hoursText(missing), moduleName.en)},
                           fmt::format("module {} ({}): {} of {} attended, {} missing; roster the worker on a session",
                                       h.moduleCode, moduleName.en, hoursText(h.attendedMinutes),
                                       hoursText(h.requiredMinutes), hoursText(missing)));
            u.item = h.moduleCode;
            u.missingMinutes = missing;
            rep.unmet.push_back(std::move(u));
        }
    }
    if (rule.requireExam) {
        if (!facts.examScore)
            rep.unmet.push_back(unmet(Condition::ExamPassed, {"尚未参加考试。", "You have not taken the exam yet."},
                                      "no submitted exam attempt: add the worker to an exam sitting"));
        else if (*facts.examScore < rule.passMark)
            rep.unmet.push_back(
                unmet(Condition::ExamPassed,
                      {fmt::format("考试未通过（{}分，需{}分），请重新参加考试。", exam::formatScore(*facts.examScore),
                                   exam::formatScore(rule.passMark)),
                       fmt::format("Exam not passed ({}, {} needed): take it again.", exam::formatScore(*facts.examScore),
                                   exam::formatScore(rule.passMark))},
                      fmt::format("latest exam attempt scored {}, below the pass mark {}: add the worker to a new "
                                  "sitting",
                                  exam::formatScore(*facts.examScore), exam::formatScore(rule.passMark))));
    }
    if (rule.requireHealthCheck) {
        const auto& p = w.profile;
        if (!p.healthCheckDate) {
            rep.unmet.push_back(unmet(Condition::HealthCheck, {"缺少健康体检记录，请提交体检报告。", "No health check on record: bring your health check report."},
                                      "health check missing: record its date, result and issuer ('kioskctl worker "
                                      "update')"));
        } else if (p.healthCheckResult.value_or("") != "pass") {
            rep.unmet.push_back(unmet(Condition::HealthCheck, {"健康体检结果不合格。", "Your health check result is not a pass."},
                                      fmt::format("health check of {} is not recorded as passed", *p.healthCheckDate)));
        } else if (auto d = parseDate(*p.healthCheckDate, "health check date"); d) {
            const auto age = (std::chrono::sys_days(today) - std::chrono::sys_days(*d)).count();
            if (age > rule.healthCheckMaxAgeDays)
                rep.unmet.push_back(unmet(
                    Condition::HealthCheck,
                    {"健康体检已超过一年，请重新体检。", "Your health check is more than a year old: have a new one."},
                    fmt::format("health check of {} is {} days old (at most {} accepted): record a new one",
                                *p.healthCheckDate, age, rule.healthCheckMaxAgeDays)));
            else if (age < 0)
                rep.unmet.push_back(unmet(Condition::HealthCheck, {"健康体检日期有误。", "The health check date is wrong."},
                                          fmt::format("health check date {} is in the future: correct it",
                                                      *p.healthCheckDate)));
        }
    }
    for (auto kind : rule.consents) {
        bool signedNow = false;
        for (const auto& c : facts.consents)
            if (c.kind == kind && !c.withdrawnAt) signedNow = true;
        if (signedNow) continue;
        const auto label = consentLabel(kind);
        auto u = unmet(Condition::Consent,
                       {fmt::format("尚未签署《{}》，请在自助机上阅读并签名。", label.zh),
                        fmt::format("The {} is not signed: read and sign it at a kiosk.", label.en)},
                       fmt::format("{} ({}) not signed or withdrawn: the worker signs it at a kiosk",
                                   label.en, consentKindName(kind)));
        u.item = std::string(consentKindName(kind));
        rep.unmet.push_back(std::move(u));
    }
    if (rule.requireAgency && !w.profile.agencyId)
        rep.unmet.push_back(unmet(Condition::Agency, {"尚未选择所属家政服务机构。", "No employing agency chosen yet."},
                                  "no employing agency set: choose it at registration or with 'kioskctl worker "
                                  "update --agency'"));
    if (facts.revoked) {
        const auto& r = *facts.revoked;
        auto u = unmet(Condition::NotRevoked,
                       {fmt::format("您的证书（{}）已于{}被注销，请联系培训中心。", r.number, r.revokedOn),
                        fmt::format("Your certificate {} was revoked on {}: contact the training center.", r.number,
                                    r.revokedOn)},
                       fmt::format("certificate {} was revoked on {} ({}); a new one is issued only by an explicit "
                                   "decision: 'kioskctl cert render --worker {} --reissue --reason TEXT' (audited)",
                                   r.number, r.revokedOn, r.reason, w.id));
        u.item = r.number;
        rep.unmet.push_back(std::move(u));
    }
    rep.eligible = rep.unmet.empty();
    return rep;
}

Result<CertificationRule> certificationRule(Store& store, std::int64_t courseId) {
    auto st = store.database().prepare("SELECT rule FROM certification_rules WHERE course_id = ?");
    if (!st) return propagate(st);
    st->bindAll(courseId);
    auto row = st->step();
    if (!row) return propagate(row);
    if (*row) {
        const auto text = st->text(0);
        st->reset();
        return ruleFromJson(text);
    }
    st->reset();
    auto course = store.course(std::to_string(courseId));
    if (!course) return propagate(course);
    CertificationRule r;
    r.passMark = course->passMark;
    return r;
}

Result<void> setCertificationRule(Store& store, std::int64_t courseId, const CertificationRule& rule,
                                  const Actor& actor) {
    auto& db = store.database();
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    if (auto c = store.course(std::to_string(courseId)); !c) return propagate(c);
    auto st = db.prepare("INSERT INTO certification_rules (course_id, rule, updated_at) VALUES (?, ?, ?) "
                         "ON CONFLICT (course_id) DO UPDATE SET rule = excluded.rule, updated_at = excluded.updated_at");
    if (!st) return propagate(st);
    const auto text = ruleToJson(rule);
    if (auto r = st->bindAll(courseId, text, store.now()).run(); !r) return propagate(r);
    if (auto r = store.audit(actor, "certification.rule", fmt::format("course:{}", courseId), text); !r) return propagate(r);
    return tx->commit();
}

Result<EligibilityReport> checkEligibility(Store& store, std::int64_t workerId, std::optional<std::int64_t> courseId) {
    EligibilityFacts facts;
    auto w = store.worker(workerId);
    if (!w) return propagate(w);
    facts.worker = std::move(*w);
    if (courseId) {
        auto c = store.course(std::to_string(*courseId));
        if (!c) return propagate(c);
        facts.course = std::move(*c);
    } else {
        auto all = store.listCourses();
        if (!all) return propagate(all);
        if (all->empty()) return fail(ErrorCode::NotFound, "there is no course; run 'kioskctl init' first");
        facts.course = std::move(all->front());
    }
    auto rule = certificationRule(store, facts.course.id);
    if (!rule) return propagate(rule);
    auto hours = store.hoursPerModule(workerId, facts.course.id);
    if (!hours) return propagate(hours);
    facts.hours = std::move(*hours);
    ExamStore exams(store);
    auto result = exams.latestResult(workerId, facts.course.id);
    if (!result) return propagate(result);
    if (*result) facts.examScore = (*result)->second;
    auto consents = store.consents(workerId);
    if (!consents) return propagate(consents);
    facts.consents = std::move(*consents);
    auto latest = store.database().prepare(
        "SELECT number, revoked_at, COALESCE(revocation_reason, '') FROM certificates WHERE worker_id = ? AND "
        "course_id = ? ORDER BY id DESC LIMIT 1");
    if (!latest) return propagate(latest);
    latest->bindAll(workerId, facts.course.id);
    auto row = latest->step();
    if (!row) return propagate(row);
    if (*row && latest->optInt64(1))
        facts.revoked = RevokedCertificate{latest->text(0), formatDate(localDate(*latest->optInt64(1))), latest->text(2)};
    latest->reset();
    return evaluateEligibility(*rule, facts, localDate(store.now()));
}

Result<std::vector<EligibilityReport>> checkSittingEligibility(Store& store, std::int64_t sittingId) {
    auto course = store.database().prepare("SELECT course_id FROM sittings WHERE id = ?");
    if (!course) return propagate(course);
    course->bindAll(sittingId);
    auto row = course->step();
    if (!row) return propagate(row);
    if (!*row)
        return fail(ErrorCode::NotFound,
                    fmt::format("there is no exam sitting {}; 'kioskctl exam sitting list' shows them", sittingId));
    const auto courseId = course->int64(0);
    course->reset();
    ExamStore exams(store);
    auto ids = exams.candidates(sittingId);
    if (!ids) return propagate(ids);
    std::vector<EligibilityReport> out;
    for (auto id : *ids) {
        auto r = checkEligibility(store, id, courseId);
        if (!r) return propagate(r);
        out.push_back(std::move(*r));
    }
    return out;
}

}  // namespace training
