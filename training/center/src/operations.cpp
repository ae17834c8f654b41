#include "center/operations.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <array>
#include <set>
#include <utility>

#include "training/database.hpp"
#include "training/eligibility.hpp"
#include "training/validation.hpp"

namespace center {

using training::ErrorCode;
using training::propagate;

namespace {

constexpr std::array<std::pair<IdentityMethod, std::string_view>, 5> kMethodNames{{
    {IdentityMethod::ChipPa, "chip-pa"},
    {IdentityMethod::Chip, "chip"},
    {IdentityMethod::Sam, "sam"},
    {IdentityMethod::Staff, "staff"},
    {IdentityMethod::Keypad, "keypad"},
}};

/// The audit action that records a worker's decline of face recognition (the staff path instead).
const std::string kFaceDeclineAction = "consent.decline";

/// Runs @p body inside one transaction of @p store: committed when it succeeds, rolled back otherwise.
template <class F>
auto inTransaction(training::Store& store, F&& body) -> decltype(body()) {
    auto tx = store.database().transaction();
    if (!tx) return std::unexpected(tx.error());
    auto result = body();
    if (!result) return result;  // the transaction rolls back when it goes out of scope
    if (auto c = tx->commit(); !c) return std::unexpected(c.error());
    return result;
}

}  // namespace

std::string_view identityMethodName(IdentityMethod m) noexcept {
    for (const auto& [value, name] : kMethodNames)
        if (value == m) return name;
    return "keypad";
}

std::optional<IdentityMethod> identityMethodFromName(std::string_view name) noexcept {
    for (const auto& [value, n] : kMethodNames)
        if (n == name) return value;
    return std::nullopt;
}

CenterPaths CenterPaths::forDatabase(const std::filesystem::path& database, const std::filesystem::path& centerDir) {
    CenterPaths p;
    p.database = database;
    const char* envDir = std::getenv("KIOSK_CENTER_DIR");
    if (!centerDir.empty()) p.directory = centerDir;
    else if (envDir && *envDir) p.directory = envDir;
    const bool besideFile = p.directory.empty() && !training::isPostgresUri(database.native());
    if (besideFile) {
        p.directory = database.parent_path();
        p.key = training::defaultCenterKeyPath(database);
    } else {
        if (p.directory.empty()) {
            std::filesystem::path base;
            if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) base = xdg;
            else if (const char* home = std::getenv("HOME"); home && *home) base = std::filesystem::path(home) / ".local/share";
            else base = ".";
            // A database name may hold any character: the folder's name keeps letters, digits, '-' and '_'.
            std::string name = training::postgresDatabaseName(database.native());
            for (char& c : name)
                if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' &&
                    static_cast<unsigned char>(c) < 0x80)
                    c = '_';
            p.directory = base / "badge-kiosk" / ("postgresql-" + name);
        }
        const char* envKey = std::getenv("KIOSK_CENTER_KEY");
        p.key = envKey && *envKey ? std::filesystem::path(envKey) : p.directory / "center.key";
    }
    p.batches = p.directory / "submissions";
    return p;
}

Operations::Operations(training::Store& store, CenterPaths paths)
    : m_store(store), m_exams(store), m_paths(std::move(paths)) {}

Operations::~Operations() = default;

// ---- workers

Result<training::Course> Operations::badgeCourse() { return m_store.course("badge"); }

Result<std::vector<training::ConsentKind>> Operations::requiredConsents() {
    auto course = m_store.course("badge");
    if (!course) return propagate(course);
    auto rule = training::certificationRule(m_store, course->id);
    if (!rule) return propagate(rule);
    auto kinds = rule->consents;
    std::erase(kinds, training::ConsentKind::Biometric);
    return kinds;
}

Result<WorkerState> Operations::loadWorkerState(std::int64_t workerId) {
    auto w = m_store.worker(workerId);
    if (!w) return propagate(w);
    WorkerState st{*w, {}, false, false, false, std::nullopt};
    auto consents = m_store.consents(workerId);
    if (!consents) return propagate(consents);
    auto required = requiredConsents();
    if (!required) return propagate(required);
    for (auto kind : *required) {
        const bool have = std::ranges::any_of(*consents, [&](const training::Consent& c) {
            return c.kind == kind && !c.withdrawnAt.has_value();
        });
        if (!have) st.missingConsents.push_back(kind);
    }
    for (const auto& c : *consents)  // the latest biometric consent counts
        if (c.kind == training::ConsentKind::Biometric) {
            st.biometricConsent = !c.withdrawnAt.has_value();
            st.biometricWithdrawn = c.withdrawnAt.has_value();
        }
    if (!st.biometricConsent) {
        // A decline is a choice, not a record of its own: the audit row that recorded it.
        auto declined = m_store.latestAudit("worker:" + std::to_string(workerId), kFaceDeclineAction);
        if (!declined) return propagate(declined);
        st.biometricDeclined = declined->has_value();
    }
    auto sittings = m_exams.listSittings();
    if (!sittings) return propagate(sittings);
    for (const auto& s : *sittings) {
        if (s.state != training::SittingState::Open && s.state != training::SittingState::Paused) continue;
        auto cands = m_exams.candidates(s.id);
        if (cands && std::ranges::find(*cands, workerId) != cands->end()) {
            st.openSitting = s.id;
            break;
        }
    }
    return st;
}

Result<WorkerState> Operations::registerWorker(const Registration& reg, const Actor& actor) {
    auto id = inTransaction(m_store, [&]() -> Result<std::int64_t> {
        auto w = m_store.addWorker(reg.identity, reg.profile, actor);
        if (!w) return propagate(w);
        if (reg.method != IdentityMethod::Keypad)
            if (auto m = m_store.markIdentityVerified(w->id, std::string(identityMethodName(reg.method)), actor); !m)
                return propagate(m);
        if (reg.confirmingStaff)
            if (auto m = m_store.markIdentityVerified(w->id, "staff", "staff:" + std::to_string(*reg.confirmingStaff));
                !m)
                return propagate(m);
        if (const auto& c = reg.biometricConsent) {
            if (auto r = m_store.addConsent(w->id, c->kind, c->version, c->textShown, c->signaturePng, actor); !r)
                return propagate(r);
            // The live portrait (printed on the badge) is kept only under that consent.
            if (!reg.livePortrait.empty())
                if (auto p = m_store.putWorkerImage(w->id, "portrait", "image/jpeg", reg.livePortrait, actor); !p)
                    return propagate(p);
        }
        if (reg.faceDeclined && !reg.biometricConsent)
            if (auto r = m_store.audit(actor, kFaceDeclineAction, "worker:" + std::to_string(w->id),
                                       R"({"kind":"biometric"})");
                !r)
                return propagate(r);
        if (reg.faceScore)  // the live photo matched the document photo before the worker existed
            if (auto m = m_store.markFaceVerified(w->id, *reg.faceScore, actor); !m) return propagate(m);
        if (reg.walkIn)
            if (auto e = enrolWalkIn(w->id, actor); !e) return propagate(e);
        return w->id;
    });
    if (!id) return propagate(id);
    return loadWorkerState(*id);
}

Result<void> Operations::declineFaceRecognition(std::int64_t workerId, const Actor& actor) {
    if (auto w = m_store.worker(workerId); !w) return propagate(w);
    return m_store.recordEvent(actor, kFaceDeclineAction, "worker:" + std::to_string(workerId),
                               R"({"kind":"biometric"})");
}

Result<WorkerState> Operations::updateProfile(std::int64_t workerId, const training::WorkerProfile& patch,
                                              const Actor& actor) {
    if (auto w = m_store.updateWorker(workerId, patch, actor); !w) return propagate(w);
    return loadWorkerState(workerId);
}

Result<Identification> Operations::identify(const std::string& documentNumber,
                                             std::optional<IdentityMethod> readFrom, const Actor& actor) {
    auto w = m_store.findWorkerByDocument(documentNumber);
    if (!w) {
        if (w.error().code != ErrorCode::NotFound) return propagate(w);
        auto required = requiredConsents();
        if (!required) return propagate(required);
        return Identification{std::nullopt, std::move(*required)};
    }
    if (readFrom && *readFrom != IdentityMethod::Keypad)
        if (auto m = m_store.markIdentityVerified(w->id, std::string(identityMethodName(*readFrom)), actor); !m)
            return propagate(m);
    auto st = loadWorkerState(w->id);
    if (!st) return propagate(st);
    return Identification{std::move(*st), {}};
}

Result<void> Operations::enrolWalkIn(std::int64_t workerId, const Actor& actor) {
    return inTransaction(m_store, [&]() -> Result<void> {
        auto course = m_store.course("badge");
        if (!course) return propagate(course);
        const auto now = m_store.now();
        auto sessions = m_store.listSessions(now - 86400, now + 366LL * 86400);
        if (!sessions) return propagate(sessions);
        for (const auto& s : *sessions)
            if (s.courseId == course->id && s.endsAt > now)
                if (auto a = m_store.addToRoster(s.id, workerId, actor); !a) return a;
        auto sittings = m_exams.listSittings();
        if (!sittings) return propagate(sittings);
        using St = training::SittingState;
        std::vector<std::int64_t> open;
        // Only sittings that require the course's hours first: a brand-new worker never sits the exam at once
        // (a sitting without that requirement is for the trainer to seat people in).
        for (const auto& s : *sittings)
            if (s.courseId == course->id && s.requireAttendance &&
                (s.state == St::Scheduled || s.state == St::Open || s.state == St::Paused))
                if (auto c = m_exams.addCandidate(s.id, workerId, actor); !c && c.error().code != ErrorCode::Conflict)
                    return propagate(c);
        return {};
    });
}

// ---- attendance

Result<training::Attendance> Operations::checkIn(std::int64_t sessionId, std::int64_t workerId,
                                                 training::AttendanceMethod method, std::optional<double> faceScore,
                                                 const Actor& actor, std::optional<std::int64_t> at) {
    return m_store.checkIn(sessionId, workerId, method, faceScore, actor, at);
}

Result<training::Attendance> Operations::checkOut(std::int64_t sessionId, std::int64_t workerId,
                                                  training::AttendanceMethod method, const Actor& actor,
                                                  std::optional<std::int64_t> at) {
    return m_store.checkOut(sessionId, workerId, method, actor, at);
}

// ---- exams

Result<int> Operations::addCandidates(std::int64_t sittingId, std::span<const std::int64_t> workers,
                                      const Actor& actor) {
    return inTransaction(m_store, [&]() -> Result<int> {
        int added = 0;
        std::set<std::int64_t> seen;
        for (auto w : workers) {
            if (!seen.insert(w).second) continue;
            auto c = m_exams.addCandidate(sittingId, w, actor);
            if (c) ++added;
            else if (c.error().code != ErrorCode::Conflict) return propagate(c);
        }
        return added;
    });
}

Result<training::Sitting> Operations::createSitting(const training::SittingInput& input,
                                                    std::span<const std::int64_t> candidates, const Actor& actor) {
    return inTransaction(m_store, [&]() -> Result<training::Sitting> {
        auto s = m_exams.createSitting(input, actor);
        if (!s) return s;
        if (auto a = addCandidates(s->id, candidates, actor); !a) return propagate(a);
        return m_exams.sitting(s->id);
    });
}

Result<ExamStart> Operations::startOrResumeAttempt(std::int64_t sittingId, std::int64_t workerId, const Actor& actor,
                                                  const std::string& terminal) {
    ExamStart out;
    auto a = m_exams.startAttempt(sittingId, workerId, actor);
    if (!a && a.error().reason == "exam.hours-missing") {
        // Not an error for the front ends: they show what is missing, module by module.
        auto gaps = m_exams.attendanceGaps(sittingId, workerId);
        if (!gaps) return propagate(gaps);
        out.missingHours = std::move(*gaps);
        return out;
    }
    if (!a) return propagate(a);
    // Presence is advisory (the proctor board): a failure here shows up on the next save instead.
    if (!terminal.empty()) (void)m_exams.reportPresence(a->id, true, terminal);
    out.attempt = std::move(*a);
    return out;
}

Result<training::Sitting> Operations::createSittingFromRosters(const training::SittingInput& in,
                                                               const Actor& actor) {
    // Everyone on the rosters of the course's sessions of the last week and today.
    const auto day = training::localMidnight(training::localDate(m_store.now()));
    auto sessions = m_store.listSessions(day - 7 * 86400, day + 86400);
    if (!sessions) return propagate(sessions);
    std::vector<std::int64_t> workers;
    for (const auto& se : *sessions) {
        if (se.courseId != in.courseId) continue;
        auto roster = m_store.roster(se.id);
        if (!roster) return propagate(roster);
        for (const auto& w : *roster) workers.push_back(w.id);
    }
    return createSitting(in, workers, actor);
}

// ---- certification

Result<const training::CenterKey*> Operations::key() {
    if (!m_key) {
        auto k = training::CenterKey::load(m_paths.key, m_passphrase);
        if (!k) return propagate(k);
        m_key = std::move(*k);
    }
    return &*m_key;
}

Result<training::DocumentRenderer*> Operations::renderer() {
    if (!m_renderer) {
        training::DocumentRendererOptions options;
        options.templateDir = m_paths.templates;
        auto r = training::DocumentRenderer::create(options);
        if (!r) return propagate(r);
        m_renderer = std::make_unique<training::DocumentRenderer>(std::move(*r));
    }
    return m_renderer.get();
}

Result<RenderedCertificate> Operations::issueAndRender(std::int64_t workerId, std::optional<std::int64_t> courseId,
                                                       training::DocumentKind kind,
                                                       const std::filesystem::path& outFile, const Actor& actor,
                                                       const std::optional<std::string>& reissueReason) {
    auto k = key();
    if (!k) return propagate(k);
    auto r = renderer();
    if (!r) return propagate(r);
    training::Certificates certs(m_store, *k);
    auto issued = certs.issue(workerId, courseId, actor, reissueReason);
    if (!issued) return propagate(issued);
    auto doc = certs.document(issued->number);
    if (!doc) return propagate(doc);
    auto rendered = outFile.empty() ? (*r)->render(kind, *doc) : (*r)->renderToFile(kind, *doc, outFile);
    if (!rendered) return propagate(rendered);
    return RenderedCertificate{std::move(*issued), std::move(*rendered), outFile};
}

Result<training::Certificate> Operations::revoke(const std::string& number, const std::string& reason,
                                                 const Actor& actor) {
    training::Certificates certs(m_store, nullptr);
    return certs.revoke(number, reason, actor);
}

Result<training::CreateOutcome> Operations::createSubmissionBatch(bool zip, const Actor& actor,
                                                                 const std::optional<std::filesystem::path>& folder) {
    auto k = key();
    if (!k) return propagate(k);
    const auto dir = folder.value_or(m_paths.batches);
    // Batches hold full ID numbers and portraits: the center's folder is one only its account can read (a
    // folder someone names is created so when missing, and left as it is when it exists).
    std::error_code ec;
    if (!folder || !std::filesystem::is_directory(dir, ec))
        if (auto made = training::createPrivateDirectory(dir); !made) return propagate(made);
    training::Submissions subs(m_store, **k);
    return subs.create(dir, zip, actor);
}

}  // namespace center
