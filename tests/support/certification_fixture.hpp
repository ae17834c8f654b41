#pragma once
// Makes a worker eligible for certification (product.md §5) through the public Store and ExamStore API only,
// as the kiosk and staff would: registration, identity and face verified, the three consents signed, every
// module's hours attended (sessions, roster, check-in/out), the exam taken and passed in a sitting, a passed
// health check and an employing agency. Each condition can be left out to get a worker who is not eligible.
//
// Header-only, for any test that links `training` (tests/certification, tests/documents, kiosk scenarios):
//
//   testsupport::EligibleWorkerOptions o;            // every condition met
//   o.name = "王秀英"; o.first17 = "31010119780312002";
//   auto w = testsupport::makeEligibleWorker(store, o);   // training::Result<EligibleWorker>
//
// Times are taken from the store's clock (training sessions 60 days back, the exam now), so it works with a
// ManualClock and with the system clock alike (the real kioskctl binary on the same database file). The pieces
// are usable on their own (certfixture::attendAll, takeExam, and takeExamWithScore for an exact score in a
// sitting of the scored bank); tests/certification/cert_fixture.hpp builds its condition-by-condition helpers on
// them, moving its ManualClock to the day before for the exam.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "training/exam_store.hpp"
#include "training/id_number.hpp"
#include "training/store.hpp"
#include "training/uscc.hpp"
#include "training/validation.hpp"

namespace testsupport {

/// What the made-up worker gets; by default every condition of the default rule holds.
struct EligibleWorkerOptions {
    std::string first17{"31010119780312002"};  ///< the ID number without its check character
    std::string name{"王秀英"};
    std::optional<std::string> nameLatin;
    std::vector<std::string> serviceTypes{"cleaning", "elder-care"};
    std::vector<std::uint8_t> portraitJpeg;  ///< stored as the worker's 'portrait' image when not empty

    bool identity{true};     ///< identity verified from the document (chip)
    bool face{true};         ///< live face matched
    bool consents{true};     ///< commitment, credit check and biometric consent signed
    bool agency{true};       ///< employed by the fixture agency
    bool healthCheck{true};  ///< a passed health check @ref healthCheckDaysAgo days ago
    int healthCheckDaysAgo{30};
    bool hours{true};          ///< every module attended in full ...
    std::string shortModule;   ///< ... except this module (code) ...
    int shortMinutes{0};       ///< ... by this many minutes
    bool exam{true};           ///< took the exam in a sitting ...
    int wrongAnswers{0};       ///< ... with this many wrong answers (0: full marks) ...
    /// ... or with exactly this score (steps of 0.5), in a sitting of the fixture's scored bank (scoredSitting)
    std::optional<double> examScore;
    std::int64_t sittingId{0};  ///< the sitting to take it in (0: a new open sitting of the fixture bank, or of the
                                ///< scored bank when examScore is set)
    std::string actor{"test-fixture"};
};

/// The worker made, and the records it used.
struct EligibleWorker {
    std::int64_t workerId{0};
    std::string idNumber;
    std::int64_t agencyId{0};   ///< 0 when options.agency is false
    std::int64_t sittingId{0};  ///< 0 when options.exam is false
    std::optional<double> examScore;
};

namespace certfixture {

inline constexpr const char* kBank = "cert-fixture";
inline constexpr int kQuestionsPerModule = 2;

template <typename T>
training::Result<T> context(training::Result<T> r, std::string_view step) {
    if (!r) r.error().message = fmt::format("makeEligibleWorker, {}: {}", step, r.error().message);
    return r;
}

/// The fixture's question bank: kQuestionsPerModule single-choice questions per examined module (added once).
inline training::Result<void> ensureBank(training::ExamStore& exams, const training::Course& course,
                                         const std::string& actor) {
    auto banks = exams.listBanks();
    if (!banks) return std::unexpected(banks.error());
    for (const auto& b : *banks)
        if (b.code == kBank) return {};
    std::vector<exam::Question> qs;
    for (const auto& m : course.modules) {
        if (!m.examined) continue;
        for (int i = 0; i < kQuestionsPerModule; ++i) {
            exam::Question q;
            q.id = fmt::format("{}-{}", m.code, i + 1);
            q.module = m.code;
            q.difficulty = 1 + i % 3;
            q.type = exam::QuestionType::SingleChoice;
            q.stem = {fmt::format("{}：第{}题", m.nameZh, i + 1), fmt::format("{}: question {}", m.nameEn, i + 1)};
            for (int o = 0; o < 4; ++o)
                q.options.push_back({{fmt::format("选项{}", o + 1), fmt::format("option {}", o + 1)},
                                     o == i % 4 ? 100.0 : 0.0,
                                     {}});
            qs.push_back(std::move(q));
        }
    }
    auto r = exams.importQuestions(kBank, {"证书测试题库", "Certification fixture bank"},
                                   exam::MultipleScoring::AllOrNothing, qs, actor);
    if (!r) return std::unexpected(r.error());
    return {};
}

/// The scored bank: kScoredItems single-choice questions over the examined modules, whose options (in question
/// order) are worth these shares of the question. The partial credits are binary fractions, so a paper of all of
/// them scores 100 * (sum of credits) / 25 exactly, for any score in steps of 0.5 (takeExamWithScore).
inline constexpr const char* kScoredBank = "cert-fixture-scores";
inline constexpr int kScoredItems = 25;
inline constexpr std::array<double, 5> kScoredWeights{100.0, 50.0, 25.0, 12.5, 0.0};

/// The scored sitting's blueprint: kScoredItems questions shared out over the examined modules, 30 minutes.
inline exam::Blueprint scoredBlueprint(const training::Course& course) {
    auto bp = training::courseBlueprint(course, 1, std::chrono::minutes(30));
    const auto n = static_cast<int>(bp.sections.size());
    for (int i = 0; i < n; ++i)
        bp.sections[static_cast<std::size_t>(i)].count = kScoredItems / n + (i < kScoredItems % n ? 1 : 0);
    return bp;
}

/// The scored bank (added once): as many questions per module as the scored blueprint asks.
inline training::Result<void> ensureScoredBank(training::ExamStore& exams, const training::Course& course,
                                               const std::string& actor) {
    auto banks = exams.listBanks();
    if (!banks) return std::unexpected(banks.error());
    for (const auto& b : *banks)
        if (b.code == kScoredBank) return {};
    std::vector<exam::Question> qs;
    for (const auto& section : scoredBlueprint(course).sections) {
        for (int i = 0; i < section.count; ++i) {
            exam::Question q;
            q.id = fmt::format("{}-scored-{}", section.module, i + 1);
            q.module = section.module;
            q.difficulty = 1;
            q.type = exam::QuestionType::SingleChoice;
            q.stem = {fmt::format("{}：计分题{}", section.module, i + 1), fmt::format("{}: scored question {}", section.module, i + 1)};
            for (std::size_t o = 0; o < kScoredWeights.size(); ++o)
                q.options.push_back({{fmt::format("计分选项{}", o + 1), fmt::format("scored option {}", o + 1)},
                                     kScoredWeights[o],
                                     {}});
            qs.push_back(std::move(q));
        }
    }
    auto r = exams.importQuestions(kScoredBank, {"证书测试计分题库", "Certification fixture scored bank"},
                                   exam::MultipleScoring::AllOrNothing, qs, actor);
    if (!r) return std::unexpected(r.error());
    return {};
}

/// A new open sitting of @p bank with @p blueprint for @p course.
inline training::Result<std::int64_t> openSittingOf(training::Store& store, const training::Course& course,
                                                    const std::string& bank, exam::Blueprint blueprint,
                                                    const std::string& title, const std::string& actor) {
    training::ExamStore exams(store);
    training::SittingInput in;
    in.courseId = course.id;
    in.bankCode = bank;
    in.title = title;
    in.blueprint = std::move(blueprint);
    in.seats = 200;
    in.review = exam::ReviewPolicy::None;
    // Eligibility is what these tests check, hours included: workers short of hours still take the exam.
    in.requireAttendance = false;
    auto s = exams.createSitting(in, actor);
    if (!s) return std::unexpected(s.error());
    auto opened = exams.openSitting(s->id, actor);
    if (!opened) return std::unexpected(opened.error());
    return s->id;
}

/// A new open sitting of the fixture bank for @p course (every examined module, 30 minutes).
inline training::Result<std::int64_t> openSitting(training::Store& store, const training::Course& course,
                                                  const std::string& actor) {
    training::ExamStore exams(store);
    if (auto b = ensureBank(exams, course, actor); !b) return std::unexpected(b.error());
    return openSittingOf(store, course, kBank,
                         training::courseBlueprint(course, kQuestionsPerModule, std::chrono::minutes(30)),
                         "结业考试 (fixture)", actor);
}

/// A new open sitting of the scored bank for @p course (takeExamWithScore).
inline training::Result<std::int64_t> openScoredSitting(training::Store& store, const training::Course& course,
                                                        const std::string& actor) {
    training::ExamStore exams(store);
    if (auto b = ensureScoredBank(exams, course, actor); !b) return std::unexpected(b.error());
    return openSittingOf(store, course, kScoredBank, scoredBlueprint(course), "结业考试 (fixture, scored)", actor);
}

/// The fixture agency (added once).
inline training::Result<std::int64_t> ensureAgency(training::Store& store, const std::string& actor) {
    const std::string first17 = "91310104MA1FL2K3A";
    const std::string uscc = first17 + training::usccCheckCharacter(first17);
    if (auto a = store.findAgency(uscc); a) return a->id;
    auto a = store.addAgency({"安心家政服务有限公司", uscc, "周敏", std::nullopt, std::nullopt}, actor);
    if (!a) return std::unexpected(a.error());
    return a->id;
}

/// Attends every module of @p course in sessions of at most 8 hours, 60 days back from now.
inline training::Result<void> attendAll(training::Store& store, const training::Course& course, std::int64_t worker,
                                        const EligibleWorkerOptions& o) {
    // Each worker gets their own sessions (room named after the worker), one day apart.
    std::int64_t day = store.now() - 60 * 86400;
    for (const auto& m : course.modules) {
        int remaining = m.requiredMinutes;
        int shortBy = m.code == o.shortModule ? o.shortMinutes : 0;
        while (remaining > 0) {
            const int minutes = std::min(remaining, 8 * 60);
            remaining -= minutes;
            const std::int64_t start = day;
            day += 86400;
            auto s = store.addSession(course.id, m.code, std::nullopt, fmt::format("R{}", worker), start,
                                      start + minutes * 60, o.actor);
            if (!s) return std::unexpected(s.error());
            if (auto r = store.addToRoster(s->id, worker, o.actor); !r) return r;
            auto in = store.checkIn(s->id, worker, training::AttendanceMethod::Face, 0.72, o.actor, start);
            if (!in) return std::unexpected(in.error());
            // The shortfall comes off the module's last sessions.
            const int cut = std::min(shortBy, minutes);
            shortBy -= cut;
            auto out = store.checkOut(s->id, worker, training::AttendanceMethod::Face, o.actor,
                                      start + (minutes - cut) * 60);
            if (!out) return std::unexpected(out.error());
        }
    }
    return {};
}

/// Takes the exam in @p sittingId, answering @p wrong items wrongly; returns the score.
inline training::Result<double> takeExam(training::Store& store, std::int64_t sittingId, std::int64_t worker,
                                         int wrong, const std::string& actor) {
    training::ExamStore exams(store);
    if (auto c = exams.addCandidate(sittingId, worker, actor); !c) return std::unexpected(c.error());
    auto a = exams.startAttempt(sittingId, worker, actor);
    if (!a) return std::unexpected(a.error());
    for (int i = 0; i < a->attempt.itemCount(); ++i) {
        const auto& q = a->attempt.paper().items[static_cast<std::size_t>(i)].question;
        int right = 0;
        for (std::size_t opt = 0; opt < q.options.size(); ++opt)
            if (q.isCorrect(opt)) right = static_cast<int>(opt);
        const int chosen = i < wrong ? (right + 1) % static_cast<int>(q.options.size()) : right;
        if (auto r = exams.answer(*a, i, {chosen}); !r) return std::unexpected(r.error());
    }
    if (auto r = exams.submit(*a); !r) return std::unexpected(r.error());
    auto loaded = exams.loadAttempt(a->id);
    if (!loaded) return std::unexpected(loaded.error());
    return loaded->attempt.grade().score;
}

/// Makes @p worker a candidate of @p sittingId unless they are one already (a retake).
inline training::Result<void> ensureCandidate(training::ExamStore& exams, std::int64_t sittingId, std::int64_t worker,
                                              const std::string& actor) {
    auto candidates = exams.candidates(sittingId);
    if (!candidates) return std::unexpected(candidates.error());
    if (std::ranges::find(*candidates, worker) != candidates->end()) return {};
    if (auto c = exams.addCandidate(sittingId, worker, actor); !c) return std::unexpected(c.error());
    return {};
}

/// Takes (or retakes) the exam in @p sittingId, a sitting of the scored bank, so that it scores exactly @p score
/// (0 to 100 in steps of 0.5; a few scores just under 100 cannot be reached with 25 questions and are refused).
/// Returns the score the attempt was graded with.
inline training::Result<double> takeExamWithScore(training::Store& store, std::int64_t sittingId, std::int64_t worker,
                                                  double score, const std::string& actor) {
    // Credits in eighths of a question: 100 * eighths / 8 / 25 = score, so eighths = 2 * score.
    const double eighthsExact = score * 2.0;
    const auto eighths = static_cast<int>(std::lround(eighthsExact));
    if (score < 0 || score > 100 || std::abs(eighthsExact - eighths) > 1e-9)
        return training::fail(training::ErrorCode::InvalidInput,
                              fmt::format("takeExamWithScore: {} is not a score from 0 to 100 in steps of 0.5", score));
    std::vector<double> credits(static_cast<std::size_t>(eighths / 8), 100.0);
    for (double part : {50.0, 25.0, 12.5})
        if ((eighths % 8) & static_cast<int>(part / 12.5)) credits.push_back(part);
    training::ExamStore exams(store);
    if (auto c = ensureCandidate(exams, sittingId, worker, actor); !c) return std::unexpected(c.error());
    auto a = exams.startAttempt(sittingId, worker, actor);
    if (!a) return std::unexpected(a.error());
    if (static_cast<int>(credits.size()) > a->attempt.itemCount())
        return training::fail(training::ErrorCode::InvalidInput,
                              fmt::format("takeExamWithScore: {} needs {} answered questions; the paper has {}", score,
                                          credits.size(), a->attempt.itemCount()));
    for (std::size_t i = 0; i < credits.size(); ++i) {
        const auto& q = a->attempt.paper().items[i].question;
        int chosen = -1;
        for (std::size_t opt = 0; opt < q.options.size(); ++opt)
            if (q.options[opt].weight == credits[i]) chosen = static_cast<int>(opt);
        if (chosen < 0)
            return training::fail(training::ErrorCode::InvalidInput,
                                  fmt::format("takeExamWithScore: question {} is not of the scored bank", q.id));
        if (auto r = exams.answer(*a, static_cast<int>(i), {chosen}); !r) return std::unexpected(r.error());
    }
    if (auto r = exams.submit(*a); !r) return std::unexpected(r.error());
    auto loaded = exams.loadAttempt(a->id);
    if (!loaded) return std::unexpected(loaded.error());
    const double graded = loaded->attempt.grade().score;
    if (graded != score)
        return training::fail(training::ErrorCode::Internal,
                              fmt::format("takeExamWithScore: asked for {}, graded {}", score, graded));
    return graded;
}

}  // namespace certfixture

/// Registers a worker and satisfies the conditions @p o asks for (see EligibleWorkerOptions).
/// The course is the store's first (the badge course of a fresh center).
inline training::Result<EligibleWorker> makeEligibleWorker(training::Store& store, const EligibleWorkerOptions& o) {
    using certfixture::context;
    EligibleWorker out;
    auto courses = context(store.listCourses(), "courses");
    if (!courses) return std::unexpected(courses.error());
    if (courses->empty()) return training::fail(training::ErrorCode::NotFound, "makeEligibleWorker: no course");
    const auto course = courses->front();

    training::WorkerIdentity id;
    id.docNumber = o.first17 + training::chinaIdCheckCharacter(o.first17);
    id.name = o.name;
    id.nameLatin = o.nameLatin;
    training::WorkerProfile profile;
    profile.phone = "13800138000";
    profile.serviceTypes = o.serviceTypes;
    auto w = context(store.addWorker(id, profile, o.actor), "register");
    if (!w) return std::unexpected(w.error());
    out.workerId = w->id;
    out.idNumber = id.docNumber;

    if (!o.portraitJpeg.empty())
        if (auto r = context(store.putWorkerImage(w->id, "portrait", "image/jpeg", o.portraitJpeg, o.actor), "portrait");
            !r)
            return std::unexpected(r.error());
    if (o.identity)
        if (auto r = context(store.markIdentityVerified(w->id, "chip-pa", o.actor), "identity"); !r)
            return std::unexpected(r.error());
    if (o.face)
        if (auto r = context(store.markFaceVerified(w->id, 0.72, o.actor), "face"); !r) return std::unexpected(r.error());
    if (o.consents) {
        const std::vector<std::uint8_t> signature{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0};
        for (auto kind : {training::ConsentKind::Commitment, training::ConsentKind::CreditCheck,
                          training::ConsentKind::Biometric})
            if (auto r = context(store.addConsent(w->id, kind, "v1/zh-CN", "同意书文本（测试）", signature, o.actor),
                                 "consent");
                !r)
                return std::unexpected(r.error());
    }
    training::WorkerProfile patch;
    if (o.agency) {
        auto a = context(certfixture::ensureAgency(store, o.actor), "agency");
        if (!a) return std::unexpected(a.error());
        out.agencyId = *a;
        patch.agencyId = *a;
    }
    if (o.healthCheck) {
        patch.healthCheckDate = training::formatDate(std::chrono::year_month_day(
            std::chrono::sys_days(training::localDate(store.now())) - std::chrono::days(o.healthCheckDaysAgo)));
        patch.healthCheckResult = "pass";
        patch.healthCheckIssuer = "上海市徐汇区疾病预防控制中心";
    }
    if (o.agency || o.healthCheck)
        if (auto r = context(store.updateWorker(w->id, patch, o.actor), "profile"); !r) return std::unexpected(r.error());
    if (o.hours)
        if (auto r = context(certfixture::attendAll(store, course, w->id, o), "attendance"); !r)
            return std::unexpected(r.error());
    if (o.exam) {
        std::int64_t sitting = o.sittingId;
        if (sitting == 0) {
            auto s = context(o.examScore ? certfixture::openScoredSitting(store, course, o.actor)
                                         : certfixture::openSitting(store, course, o.actor),
                             "sitting");
            if (!s) return std::unexpected(s.error());
            sitting = *s;
        }
        out.sittingId = sitting;
        auto score = context(o.examScore
                                 ? certfixture::takeExamWithScore(store, sitting, w->id, *o.examScore, o.actor)
                                 : certfixture::takeExam(store, sitting, w->id, o.wrongAnswers, o.actor),
                             "exam");
        if (!score) return std::unexpected(score.error());
        out.examScore = *score;
    }
    return out;
}

}  // namespace testsupport
