// Workers' rights: biometric consent withdrawal, export, erasure, retention purge (training/privacy.hpp).
#include "training/privacy.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <fmt/format.h>
#include <fstream>
#include <toml++/toml.h>

#include "training/text.hpp"
#include "training/validation.hpp"
#include "training/zip_internal.hpp"

namespace training {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

json opt(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }
json opt(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }
json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

/// Moves SQLite's log into the file and truncates it; false when another connection still reads an older snapshot.
/// PostgreSQL has no log of ours to truncate (its write-ahead log is the server's, recycled at checkpoints).
Result<bool> checkpointTruncate(Database& db) {
    if (db.backend() == Backend::Postgres) return true;
    auto st = db.prepare("PRAGMA wal_checkpoint(TRUNCATE)");
    if (!st) return propagate(st);
    auto row = st->step();
    if (!row) return propagate(row);
    const bool busy = *row && st->int64(0) != 0;
    st->reset();
    return !busy;
}

/// The tables whose rows about a worker erasure deletes or rewrites (attempt items and events go with their
/// attempts).
constexpr std::string_view kErasedTables =
    "workers, worker_images, consents, attendance, roster, sitting_candidates, attempts, attempt_items, "
    "attempt_events, certificates";

/// On PostgreSQL, removes the dead versions of the rows just deleted or changed from @p tables (a list): a plain
/// VACUUM, which waits for nobody. SQLite needs nothing: every connection of the store overwrites deleted content
/// (secure_delete, Store::open).
Result<void> vacuumDeleted(Database& db, std::string_view tables) {
    // VACUUM cannot run inside a transaction: a caller's own transaction leaves it to autovacuum.
    if (db.backend() != Backend::Postgres || db.inTransaction()) return {};
    return db.exec(fmt::format("VACUUM {}", tables));
}

/// Runs @p sql with the worker id bound and returns how many rows changed.
Result<int> runForWorker(Database& db, std::string_view sql, std::int64_t workerId) {
    auto st = db.prepare(sql);
    if (!st) return propagate(st);
    if (auto r = st->bindAll(workerId).run(); !r) return propagate(r);
    return db.changes();
}

Result<std::int64_t> scalarForWorker(Database& db, std::string_view sql, std::int64_t workerId) {
    auto st = db.prepare(sql);
    if (!st) return propagate(st);
    st->bindAll(workerId);
    auto row = st->step();
    if (!row) return propagate(row);
    const std::int64_t v = *row && !st->isNull(0) ? st->int64(0) : 0;
    st->reset();
    return v;
}

std::string todayIso(const Store& store) {
    const auto d = localDate(store.now());
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                       static_cast<unsigned>(d.day()));
}

std::string extensionOf(const std::string& mime) {
    if (mime == "image/png") return "png";
    if (mime == "image/jp2") return "jp2";
    return "jpg";
}

/// The consent text the worker was shown, when this installation still has that version (checked by its hash).
json consentText(const std::optional<fs::path>& dir, const Consent& c) {
    if (!dir) return nullptr;
    const auto file = *dir / (std::string(consentKindName(c.kind)) + ".toml");
    std::error_code ec;
    if (!fs::exists(file, ec)) return nullptr;
    toml::table t;
    try {
        t = toml::parse_file(file.string());
    } catch (const toml::parse_error&) {
        return nullptr;
    }
    const auto slash = c.textVersion.find('/');
    const std::string version = c.textVersion.substr(0, slash);
    const std::string lang = slash == std::string::npos ? "zh-CN" : c.textVersion.substr(slash + 1);
    if (t["version"].value_or(std::string()) != version) return nullptr;
    const std::string text = t[lang == "en" ? "text_en" : "text_zh"].value_or(std::string());
    if (text.empty() || sha256Hex(text) != c.textSha256) return nullptr;
    return text;
}

json workerJson(const Worker& w) {
    const auto& i = w.identity;
    const auto& p = w.profile;
    return json{{"id", w.id},
                {"doc_type", documentTypeName(i.docType)},
                {"doc_number", i.docNumber},
                {"issuing_state", i.issuingState},
                {"name", i.name},
                {"name_latin", opt(i.nameLatin)},
                {"sex", i.sex == Sex::Female ? "F" : i.sex == Sex::Male ? "M" : ""},
                {"birth_date", opt(i.birthDate)},
                {"nationality", opt(i.nationality)},
                {"ethnicity", opt(i.ethnicity)},
                {"id_address", opt(i.idAddress)},
                {"id_issuer", opt(i.idIssuer)},
                {"id_valid_from", opt(i.idValidFrom)},
                {"id_valid_until", opt(i.idValidUntil)},
                {"residence_permit", opt(p.residencePermit)},
                {"phone", opt(p.phone)},
                {"address", opt(p.address)},
                {"service_types", p.serviceTypes.value_or(std::vector<std::string>{})},
                {"specialties", p.specialties.value_or(std::vector<std::string>{})},
                {"education", opt(p.education)},
                {"health_check_date", opt(p.healthCheckDate)},
                {"health_check_result", opt(p.healthCheckResult)},
                {"health_check_issuer", opt(p.healthCheckIssuer)},
                {"insurance_policy", opt(p.insurancePolicy)},
                {"insurer", opt(p.insurer)},
                {"insurance_valid_until", opt(p.insuranceValidUntil)},
                {"agency_id", opt(p.agencyId)},
                {"identity_verified_at", opt(w.identityVerifiedAt)},
                {"identity_method", opt(w.identityMethod)},
                {"face_verified_at", opt(w.faceVerifiedAt)},
                {"face_score", opt(w.faceScore)},
                {"created_at", w.createdAt},
                {"updated_at", w.updatedAt}};
}

/// Rows of @p sql (worker id bound) as JSON objects named by @p columns (integers, reals, text, null).
Result<json> rowsJson(Database& db, std::string_view sql, std::int64_t workerId, const std::vector<std::string>& columns) {
    auto st = db.prepare(sql);
    if (!st) return propagate(st);
    st->bindAll(workerId);
    json out = json::array();
    auto done = st->forEachRow([&](Statement& r) {
        json row = json::object();
        for (std::size_t i = 0; i < columns.size(); ++i) {
            const int c = static_cast<int>(i);
            if (r.isNull(c)) {
                row[columns[i]] = nullptr;
                continue;
            }
            // Values are read as text unless the column name says it is a number.
            const auto& name = columns[i];
            if (name.ends_with("_at") || name.ends_with("id") || name == "position" || name == "flagged" ||
                name == "attempt_no" || name == "passed" || name == "version" || name == "extra_seconds" ||
                name == "item")
                row[name] = r.int64(c);
            else if (name == "score" || name == "face_score" || name == "pass_mark")
                row[name] = r.real(c);
            else if (name == "chosen" || name == "option_order" || name == "details")
                row[name] = json::parse(r.text(c), nullptr, false);
            else
                row[name] = r.text(c);
        }
        out.push_back(std::move(row));
    });
    if (!done) return propagate(done);
    return out;
}

}  // namespace

// ---------------------------------------------------------------- withdrawal

Result<WithdrawalOutcome> withdrawBiometricConsent(Store& store, std::int64_t workerId, const Actor& actor) {
    auto& db = store.database();
    WithdrawalOutcome out;
    {
        auto tx = db.transaction();
        if (!tx) return propagate(tx);
        if (auto w = store.worker(workerId); !w) return propagate(w);
        auto up = db.prepare("UPDATE consents SET withdrawn_at = ? WHERE worker_id = ? AND kind = 'biometric' AND "
                             "withdrawn_at IS NULL");
        if (!up) return propagate(up);
        if (auto r = up->bindAll(store.now(), workerId).run(); !r) return propagate(r);
        out.consentsWithdrawn = db.changes();
        if (out.consentsWithdrawn == 0)
            return fail(ErrorCode::Refused, fmt::format("worker {} has no biometric consent in force (never signed, or "
                                                        "already withdrawn): nothing to withdraw",
                                                        workerId));
        // The portrait printed on a badge that is still valid is needed for that document (reprints, checks).
        auto cert = db.prepare("SELECT number FROM certificates WHERE worker_id = ? AND revoked_at IS NULL AND "
                               "expiry_date >= ? ORDER BY expiry_date DESC LIMIT 1");
        if (!cert) return propagate(cert);
        cert->bindAll(workerId, todayIso(store));
        auto row = cert->step();
        if (!row) return propagate(row);
        if (*row) out.portraitKeptFor = cert->text(0);
        cert->reset();
        if (!out.portraitKeptFor) {
            auto d = runForWorker(db, "DELETE FROM worker_images WHERE worker_id = ? AND kind = 'portrait'", workerId);
            if (!d) return propagate(d);
            out.portraitsDeleted = *d;
        }
        auto f = runForWorker(db,
                              "UPDATE workers SET face_verified_at = NULL, face_score = NULL WHERE id = ? AND "
                              "(face_verified_at IS NOT NULL OR face_score IS NOT NULL)",
                              workerId);
        if (!f) return propagate(f);
        auto a = runForWorker(db, "UPDATE attendance SET face_score = NULL WHERE worker_id = ? AND face_score IS NOT NULL",
                              workerId);
        if (!a) return propagate(a);
        out.faceScoresCleared = *f + *a;
        json details{{"kind", "biometric"},
                     {"portraits_deleted", out.portraitsDeleted},
                     {"face_scores_cleared", out.faceScoresCleared}};
        if (out.portraitKeptFor) details["portrait_kept_for"] = *out.portraitKeptFor;
        if (auto r = store.audit(actor, "consent.withdraw", fmt::format("worker:{}", workerId), details.dump()); !r)
            return propagate(r);
        if (auto r = tx->commit(); !r) return propagate(r);
    }
    if (auto c = checkpointTruncate(db); !c) return propagate(c);
    if (auto v = vacuumDeleted(db, "worker_images, workers, attendance, consents"); !v) return propagate(v);
    return out;
}

// ---------------------------------------------------------------- export

Result<WorkerExport> exportWorker(Store& store, std::int64_t workerId, const std::optional<fs::path>& consentTextDir,
                                  const Actor& actor) {
    auto& db = store.database();
    auto w = store.worker(workerId);
    if (!w) return propagate(w);
    WorkerExport out;
    json& d = out.data;
    d["format"] = "badge-kiosk worker export 1";
    d["exported_at"] = store.now();
    if (auto c = store.center(); c) d["center"] = {{"code", c->code}, {"name", c->name}};
    d["worker"] = workerJson(*w);

    json images = json::array();
    {
        auto st = db.prepare("SELECT kind, mime, data, captured_at FROM worker_images WHERE worker_id = ? ORDER BY kind");
        if (!st) return propagate(st);
        st->bindAll(workerId);
        auto done = st->forEachRow([&](Statement& r) {
            const std::string file = "images/" + r.text(0) + "." + extensionOf(r.text(1));
            const auto bytes = r.blob(2);
            images.push_back({{"kind", r.text(0) == "chip" ? "document chip photo" : "live portrait"},
                              {"mime", r.text(1)},
                              {"bytes", bytes.size()},
                              {"captured_at", r.int64(3)},
                              {"file", file}});
            out.files.emplace_back(file, bytes);
        });
        if (!done) return propagate(done);
    }
    d["images"] = images;

    auto consents = store.consents(workerId);
    if (!consents) return propagate(consents);
    json cj = json::array();
    for (const auto& c : *consents) {
        const std::string file = fmt::format("signatures/consent-{}-{}.png", c.id, consentKindName(c.kind));
        out.files.emplace_back(file, c.signaturePng);
        json text = consentText(consentTextDir, c);
        cj.push_back({{"id", c.id},
                      {"kind", consentKindName(c.kind)},
                      {"text_version", c.textVersion},
                      {"text_sha256", c.textSha256},
                      {"text", text},
                      {"text_note", text.is_null() ? json("this installation no longer has that version of the text; "
                                                          "its SHA-256 identifies it")
                                                   : json(nullptr)},
                      {"signed_at", c.signedAt},
                      {"withdrawn_at", opt(c.withdrawnAt)},
                      {"signature_file", file}});
    }
    d["consents"] = cj;

    struct Part {
        const char* key;
        const char* sql;
        std::vector<std::string> columns;
    };
    const std::vector<Part> parts{
        {"rosters",
         "SELECT r.session_id, s.module_code, s.room, s.starts_at, s.ends_at, r.added_at FROM roster r JOIN sessions s "
         "ON s.id = r.session_id WHERE r.worker_id = ? ORDER BY s.starts_at",
         {"session_id", "module", "room", "starts_at", "ends_at", "added_at"}},
        {"attendance",
         "SELECT a.id, a.session_id, s.module_code, a.check_in_at, a.check_out_at, a.check_in_method, "
         "a.check_out_method, a.face_score FROM attendance a JOIN sessions s ON s.id = a.session_id WHERE a.worker_id = ? "
         "ORDER BY a.check_in_at",
         {"id", "session_id", "module", "check_in_at", "check_out_at", "check_in_method", "check_out_method",
          "face_score"}},
        {"exam_candidacies",
         "SELECT c.sitting_id, s.title, c.extra_seconds, c.added_at FROM sitting_candidates c JOIN sittings s ON s.id = "
         "c.sitting_id WHERE c.worker_id = ? ORDER BY c.added_at",
         {"sitting_id", "title", "extra_seconds", "added_at"}},
        {"attempts",
         "SELECT id, sitting_id, attempt_no, started_at, submitted_at, submit_reason, score, passed, pass_mark FROM "
         "attempts WHERE worker_id = ? ORDER BY id",
         {"id", "sitting_id", "attempt_no", "started_at", "submitted_at", "submit_reason", "score", "passed",
          "pass_mark"}},
        {"answers",
         "SELECT i.attempt_id, i.position, q.question_key, q.version, q.module, i.option_order, i.chosen, i.flagged, "
         "i.answered_at FROM attempt_items i JOIN attempts a ON a.id = i.attempt_id JOIN questions q ON q.id = "
         "i.question_id WHERE a.worker_id = ? ORDER BY i.attempt_id, i.position",
         {"attempt_id", "position", "question_key", "version", "module", "option_order", "chosen", "flagged",
          "answered_at"}},
        {"certificates",
         "SELECT number, course_id, issue_date, expiry_date, issued_at, revoked_at, revocation_reason, badge_number FROM "
         "certificates WHERE worker_id = ? ORDER BY id",
         {"number", "course_id", "issue_date", "expiry_date", "issued_at", "revoked_at", "revocation_reason",
          "badge_number"}},
        {"submission_batches",
         "SELECT b.code, b.state, b.created_at, b.sent_at, b.acknowledged_at, i.badge_number, i.rejection FROM "
         "batch_items i JOIN submission_batches b ON b.id = i.batch_id WHERE i.worker_id = ? ORDER BY b.id",
         {"code", "state", "created_at", "sent_at", "acknowledged_at", "badge_number", "rejection"}},
        {"audit",
         "SELECT id, at, actor, action, subject, details FROM audit_log WHERE subject = 'worker:' || ? ORDER BY id",
         {"id", "at", "actor", "action", "subject", "details"}},
    };
    for (const auto& p : parts) {
        auto rows = rowsJson(db, p.sql, workerId, p.columns);
        if (!rows) return propagate(rows);
        d[p.key] = std::move(*rows);
    }
    d["files"] = json::array();
    for (const auto& f : out.files) d["files"].push_back(f.first);

    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    if (auto r = store.audit(actor, "worker.export", fmt::format("worker:{}", workerId),
                             json{{"files", out.files.size()}}.dump());
        !r)
        return propagate(r);
    if (auto r = tx->commit(); !r) return propagate(r);
    return out;
}

Result<void> writeWorkerExport(const WorkerExport& exported, const fs::path& zip) {
    std::vector<std::pair<std::string, std::string>> files;
    files.emplace_back("data.json", exported.data.dump(2) + "\n");
    files.emplace_back(
        "README.txt",
        "Everything the training center holds about you (PIPL art. 45).\n"
        "本文件包含培训中心保存的关于您的全部个人信息（《个人信息保护法》第四十五条）。\n\n"
        "data.json: your record, consents (with the text you signed), rosters, attendance, exam attempts and answers,\n"
        "           certificates, submission batches and the audit rows about you. Times are Unix seconds.\n"
        "images/: your document chip photo and live portrait. signatures/: your signatures.\n");
    for (const auto& [name, bytes] : exported.files) files.emplace_back(name, std::string(bytes.begin(), bytes.end()));
    const std::string body = detail::makeZip(files);
    const fs::path tmp = zip.string() + ".partial";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(body.data(), static_cast<std::streamsize>(body.size()));
        out.flush();
        if (!out)
            return fail(ErrorCode::Io, fmt::format("cannot write {}; check the folder's permissions and free space",
                                                   tmp.string()));
    }
    ::chmod(tmp.c_str(), 0600);  // personal data: readable by its owner only
    std::error_code ec;
    fs::rename(tmp, zip, ec);
    if (ec) {
        fs::remove(tmp, ec);
        return fail(ErrorCode::Io, fmt::format("cannot create {}: check the folder", zip.string()));
    }
    return {};
}

// ---------------------------------------------------------------- erasure

Result<ErasureOutcome> eraseWorker(Store& store, std::int64_t workerId, const Actor& actor) {
    auto& db = store.database();
    ErasureOutcome out;
    out.pseudonym = fmt::format("erased-{}", workerId);
    {
        auto tx = db.transaction();
        if (!tx) return propagate(tx);
        auto w = store.worker(workerId);
        if (!w) return propagate(w);
        // Erasing again is allowed: nothing is left to delete, and the file is scrubbed again (e.g. after a kiosk
        // kept the database open the first time).
        auto running = scalarForWorker(db, "SELECT COUNT(*) FROM attempts WHERE worker_id = ? AND submitted_at IS NULL",
                                       workerId);
        if (!running) return propagate(running);
        if (*running > 0)
            return fail(ErrorCode::Refused, fmt::format("worker {} has an exam attempt in progress: submit it "
                                                        "('kioskctl exam attempt submit') or close the sitting first",
                                                        workerId));
        const std::vector<std::pair<int*, const char*>> deletions{
            {&out.images, "DELETE FROM worker_images WHERE worker_id = ?"},
            {&out.consents, "DELETE FROM consents WHERE worker_id = ?"},
            {&out.attendance, "DELETE FROM attendance WHERE worker_id = ?"},
            {&out.rosters, "DELETE FROM roster WHERE worker_id = ?"},
            {&out.candidacies, "DELETE FROM sitting_candidates WHERE worker_id = ?"},
            {&out.attempts, "DELETE FROM attempts WHERE worker_id = ?"},  // items and events follow (cascade)
        };
        for (const auto& [count, sql] : deletions) {
            auto n = runForWorker(db, sql, workerId);
            if (!n) return propagate(n);
            *count = *n;
        }
        {
            auto st = db.prepare("SELECT number FROM certificates WHERE worker_id = ? ORDER BY id");
            if (!st) return propagate(st);
            st->bindAll(workerId);
            if (auto done = st->forEachRow([&](Statement& r) { out.certificatesKept.push_back(r.text(0)); }); !done)
                return propagate(done);
        }
        // The QR payload carries the name and the masked number: certificates keep number, dates and badge only.
        if (auto n = runForWorker(db, "UPDATE certificates SET payload = '' WHERE worker_id = ?", workerId); !n)
            return propagate(n);
        auto batches = scalarForWorker(db, "SELECT COUNT(*) FROM batch_items WHERE worker_id = ?", workerId);
        if (!batches) return propagate(batches);
        out.batchesKept = static_cast<int>(*batches);
        auto up = db.prepare(
            "UPDATE workers SET doc_number = ?, issuing_state = 'XXX', name = ?, name_latin = NULL, sex = '', "
            "birth_date = NULL, nationality = NULL, ethnicity = NULL, id_address = NULL, id_issuer = NULL, "
            "id_valid_from = NULL, id_valid_until = NULL, residence_permit = NULL, phone = NULL, address = NULL, "
            "service_types = '[]', specialties = '[]', education = NULL, health_check_date = NULL, "
            "health_check_result = NULL, health_check_issuer = NULL, insurance_policy = NULL, insurer = NULL, "
            "insurance_valid_until = NULL, agency_id = NULL, identity_verified_at = NULL, identity_method = NULL, "
            "face_verified_at = NULL, face_score = NULL, updated_at = ? WHERE id = ?");
        if (!up) return propagate(up);
        if (auto r = up->bindAll(fmt::format("ERASED-{}", workerId), out.pseudonym, store.now(), workerId).run(); !r)
            return propagate(r);
        json details{{"images", out.images},           {"consents", out.consents},
                     {"attendance", out.attendance},   {"rosters", out.rosters},
                     {"candidacies", out.candidacies}, {"attempts", out.attempts},
                     {"certificates_kept", out.certificatesKept}, {"batches_kept", out.batchesKept}};
        if (auto r = store.audit(actor, "worker.erase", fmt::format("worker:{}", workerId), details.dump()); !r)
            return propagate(r);
        if (auto r = tx->commit(); !r) return propagate(r);
    }
    if (db.backend() == Backend::Postgres) {
        // The rows are deleted; their dead versions (and the old versions of the rewritten worker and certificate
        // rows, and their index entries) are still in the table files until vacuumed. VACUUM FULL writes each
        // table and its indexes anew without them and gives the old files back; ANALYZE renews the statistics,
        // whose samples may show values of the erased rows. It waits for the kiosks' transactions on these
        // tables for the busy timeout at most: then erasing again scrubs.
        // VACUUM skips, with a mere warning, a table that this user neither owns nor whose database it owns: ask
        // first, rather than report a scrub that did not happen.
        auto st = db.prepare(
            "SELECT COUNT(*) FROM pg_class c WHERE c.oid IN (SELECT to_regclass(t) FROM "
            "unnest(string_to_array(?, ', ')) AS t) AND NOT pg_has_role(c.relowner, 'MEMBER') AND NOT "
            "pg_has_role((SELECT datdba FROM pg_database WHERE datname = current_database()), 'MEMBER')");
        if (!st) return propagate(st);
        st->bindAll(kErasedTables);
        auto row = st->step();
        if (!row) return propagate(row);
        const std::int64_t notOwned = *row ? st->int64(0) : 0;
        st->reset();
        if (notOwned > 0) {
            out.scrubProblem = fmt::format(
                "the database user of this connection owns neither {} of the tables concerned nor the database, so "
                "it may not vacuum them: the rows are deleted, but their old versions stay in the table files until "
                "the owner runs this command again (or VACUUM (FULL) {})",
                notOwned, kErasedTables);
            return out;
        }
        if (auto v = db.exec(fmt::format("VACUUM (FULL, ANALYZE) {}", kErasedTables)); !v) {
            out.scrubProblem = v.error().message;
            return out;
        }
        out.fileScrubbed = true;
        return out;
    }
    // Earlier versions of the rows (written by a connection without secure_delete, e.g. before the store set it
    // on every connection) may survive in free space: rebuild the file, then move the log into it and truncate
    // the log.
    if (auto v = db.exec("VACUUM"); !v) {
        out.scrubProblem = v.error().message;
        return out;
    }
    auto c = checkpointTruncate(db);
    if (!c) {
        out.scrubProblem = c.error().message;
        return out;
    }
    out.fileScrubbed = *c;
    if (!*c) out.scrubProblem = "another process holds the database open: the log could not be truncated";
    return out;
}

// ---------------------------------------------------------------- retention

std::string_view retentionCategoryName(RetentionCategory c) noexcept {
    switch (c) {
        case RetentionCategory::LivePortraits: return "live-portraits";
        case RetentionCategory::ChipPhotos: return "chip-photos";
        case RetentionCategory::Signatures: return "signatures";
        case RetentionCategory::Attempts: return "attempts";
        case RetentionCategory::Attendance: return "attendance";
        case RetentionCategory::Batches: return "batches";
    }
    return "live-portraits";
}

const std::vector<RetentionCategory>& retentionCategories() {
    static const std::vector<RetentionCategory> all{RetentionCategory::LivePortraits, RetentionCategory::ChipPhotos,
                                                    RetentionCategory::Signatures,    RetentionCategory::Attempts,
                                                    RetentionCategory::Attendance,    RetentionCategory::Batches};
    return all;
}

int RetentionPolicy::days(RetentionCategory c) const {
    switch (c) {
        case RetentionCategory::LivePortraits: return livePortraitsDays;
        case RetentionCategory::ChipPhotos: return chipPhotosDays;
        case RetentionCategory::Signatures: return signaturesDays;
        case RetentionCategory::Attempts: return attemptsDays;
        case RetentionCategory::Attendance: return attendanceDays;
        case RetentionCategory::Batches: return batchesDays;
    }
    return livePortraitsDays;
}

void RetentionPolicy::setDays(RetentionCategory c, int d) {
    switch (c) {
        case RetentionCategory::LivePortraits: livePortraitsDays = d; break;
        case RetentionCategory::ChipPhotos: chipPhotosDays = d; break;
        case RetentionCategory::Signatures: signaturesDays = d; break;
        case RetentionCategory::Attempts: attemptsDays = d; break;
        case RetentionCategory::Attendance: attendanceDays = d; break;
        case RetentionCategory::Batches: batchesDays = d; break;
    }
}

Result<void> applyRetentionSetting(RetentionPolicy& policy, std::string_view setting) {
    const auto eq = setting.find('=');
    std::string names;
    for (auto c : retentionCategories()) names += (names.empty() ? "" : ", ") + std::string(retentionCategoryName(c));
    if (eq == std::string_view::npos)
        return fail(ErrorCode::InvalidInput,
                    fmt::format("retention setting '{}' must be CATEGORY=DAYS (categories: {})", setting, names));
    const auto name = setting.substr(0, eq);
    const auto value = setting.substr(eq + 1);
    const auto& all = retentionCategories();
    const auto category = std::ranges::find_if(all, [&](RetentionCategory c) { return retentionCategoryName(c) == name; });
    if (category == all.end())
        return fail(ErrorCode::InvalidInput, fmt::format("unknown retention category '{}' (categories: {})", name, names));
    int days = -1;
    if (!value.empty() && value.size() <= 5 && std::ranges::all_of(value, [](char c) { return c >= '0' && c <= '9'; }))
        days = std::stoi(std::string(value));
    if (days < 0 || days > 36500)
        return fail(ErrorCode::InvalidInput,
                    fmt::format("retention of {} must be a whole number of days from 0 to 36500, not '{}'", name, value));
    policy.setDays(*category, days);
    return {};
}

namespace {

/// Unix time of the day after a YYYY-MM-DD date (a certificate is valid through its expiry day).
std::int64_t dayAfter(const std::string& iso) {
    auto d = parseDate(iso, "expiry date");
    if (!d) return 0;
    return (std::chrono::sys_days(*d) + std::chrono::days(1)).time_since_epoch() / std::chrono::seconds(1);
}

struct CategorySql {
    RetentionCategory category;
    const char* count;   ///< SELECT COUNT(*), bytes for one worker
    const char* remove;  ///< DELETE for one worker
};

std::int64_t fileBytes(const fs::path& p) {
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return static_cast<std::int64_t>(fs::file_size(p, ec));
    std::int64_t total = 0;
    if (fs::is_directory(p, ec))
        for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec))
            if (it->is_regular_file(ec)) total += static_cast<std::int64_t>(it->file_size(ec));
    return total;
}

}  // namespace

Result<std::vector<PurgeLine>> purgeExpired(Store& store, const RetentionPolicy& policy, bool dryRun,
                                            const Actor& actor) {
    auto& db = store.database();
    const std::int64_t now = store.now();
    std::vector<PurgeLine> lines;
    for (auto c : retentionCategories()) lines.push_back(PurgeLine{c, 0, 0, 0});
    auto line = [&](RetentionCategory c) -> PurgeLine& { return lines[static_cast<std::size_t>(c)]; };

    static const std::vector<CategorySql> kSql{
        {RetentionCategory::LivePortraits,
         "SELECT COUNT(*), COALESCE(SUM(length(data)), 0) FROM worker_images WHERE worker_id = ? AND kind = 'portrait'",
         "DELETE FROM worker_images WHERE worker_id = ? AND kind = 'portrait'"},
        {RetentionCategory::ChipPhotos,
         "SELECT COUNT(*), COALESCE(SUM(length(data)), 0) FROM worker_images WHERE worker_id = ? AND kind = 'chip'",
         "DELETE FROM worker_images WHERE worker_id = ? AND kind = 'chip'"},
        {RetentionCategory::Signatures,
         "SELECT COUNT(*), COALESCE(SUM(length(signature_png)), 0) FROM consents WHERE worker_id = ?",
         "DELETE FROM consents WHERE worker_id = ?"},
        {RetentionCategory::Attempts, "SELECT COUNT(*), 0 FROM attempts WHERE worker_id = ? AND submitted_at IS NOT NULL",
         "DELETE FROM attempts WHERE worker_id = ? AND submitted_at IS NOT NULL"},
        {RetentionCategory::Attendance, "SELECT COUNT(*), 0 FROM attendance WHERE worker_id = ?",
         "DELETE FROM attendance WHERE worker_id = ?"},
    };

    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    // Each worker's end: the latest of their activity and of their valid certificate's expiry.
    struct End {
        std::int64_t worker;
        std::int64_t at;
    };
    std::vector<End> ends;
    {
        auto st = db.prepare(
            "SELECT w.id, MAX(w.created_at, "
            "COALESCE((SELECT MAX(COALESCE(check_out_at, check_in_at)) FROM attendance WHERE worker_id = w.id), 0), "
            "COALESCE((SELECT MAX(COALESCE(submitted_at, started_at)) FROM attempts WHERE worker_id = w.id), 0), "
            "COALESCE((SELECT MAX(signed_at) FROM consents WHERE worker_id = w.id), 0)), "
            "(SELECT MAX(expiry_date) FROM certificates WHERE worker_id = w.id AND revoked_at IS NULL) "
            "FROM workers w ORDER BY w.id");
        if (!st) return propagate(st);
        if (auto done = st->forEachRow([&](Statement& r) {
                std::int64_t at = r.int64(1);
                if (auto expiry = r.optText(2)) at = std::max(at, dayAfter(*expiry));
                ends.push_back({r.int64(0), at});
            });
            !done)
            return propagate(done);
    }
    for (const auto& e : ends) {
        for (const auto& cat : kSql) {
            if (now < e.at + static_cast<std::int64_t>(policy.days(cat.category)) * 86400) continue;
            auto st = db.prepare(cat.count);
            if (!st) return propagate(st);
            st->bindAll(e.worker);
            auto row = st->step();
            if (!row) return propagate(row);
            const std::int64_t n = *row ? st->int64(0) : 0, bytes = *row ? st->int64(1) : 0;
            st->reset();
            if (n == 0) continue;
            auto& l = line(cat.category);
            l.records += n;
            l.bytes += bytes;
            l.workers += 1;
            if (!dryRun)
                if (auto d = runForWorker(db, cat.remove, e.worker); !d) return propagate(d);
        }
    }
    // Batches: their member lists and files on disk; the batch row (the fact it was sent) stays.
    {
        auto st = db.prepare(
            "SELECT b.id, b.folder, b.zip_path, (SELECT COUNT(*) FROM batch_items i WHERE i.batch_id = b.id) FROM "
            "submission_batches b WHERE COALESCE(b.acknowledged_at, b.sent_at, b.created_at) + ? <= ?");
        if (!st) return propagate(st);
        st->bindAll(static_cast<std::int64_t>(policy.batchesDays) * 86400, now);
        struct Batch {
            std::int64_t id;
            std::string folder;
            std::optional<std::string> zip;
            std::int64_t items;
        };
        std::vector<Batch> batches;
        if (auto done = st->forEachRow([&](Statement& r) {
                batches.push_back({r.int64(0), r.text(1), r.optText(2), r.int64(3)});
            });
            !done)
            return propagate(done);
        auto& l = line(RetentionCategory::Batches);
        for (const auto& b : batches) {
            std::int64_t bytes = 0;
            if (!b.folder.empty()) bytes += fileBytes(b.folder);
            if (b.zip) bytes += fileBytes(*b.zip);
            if (b.items == 0 && bytes == 0) continue;
            l.records += b.items;
            l.bytes += bytes;
            l.workers += 1;
            if (dryRun) continue;
            auto del = db.prepare("DELETE FROM batch_items WHERE batch_id = ?");
            if (!del) return propagate(del);
            if (auto r = del->bindAll(b.id).run(); !r) return propagate(r);
        }
        if (!dryRun) {
            if (auto r = store.audit(actor, "privacy.purge", "retention", [&] {
                    json j = json::object();
                    for (const auto& pl : lines)
                        j[std::string(retentionCategoryName(pl.category))] = {{"records", pl.records},
                                                                              {"bytes", pl.bytes},
                                                                              {"days", policy.days(pl.category)}};
                    return j.dump();
                }());
                !r)
                return propagate(r);
            if (auto r = tx->commit(); !r) return propagate(r);
            // Files go once the database no longer lists the members.
            for (const auto& b : batches) {
                std::error_code ec;
                if (!b.folder.empty()) fs::remove_all(b.folder, ec);
                if (b.zip) fs::remove(*b.zip, ec);
            }
            if (auto c = checkpointTruncate(db); !c) return propagate(c);
            if (auto v = vacuumDeleted(db, "worker_images, consents, attempts, attempt_items, attempt_events, "
                                           "attendance, batch_items");
                !v)
                return propagate(v);
        }
    }
    return lines;
}

}  // namespace training
