// Store: opening, checks, migrations, the center, audit chain and maintenance.
#include "training/store.hpp"

#include <sodium.h>

#include <algorithm>
#include <cassert>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "training/change_feed.hpp"
#include "training/schema.hpp"
#include "training/syllabus.hpp"
#include "training/text.hpp"
#include "training/validation.hpp"

namespace training {
namespace {

constexpr std::uintmax_t kAutoQuickCheckLimit = 256ull * 1024 * 1024;
const std::string kGenesisHash(64, '0');

/// The audit action that ends the rows hashed without their id (written once into a chain that began before the
/// hash covered the row id; every later row's hash covers its id).
constexpr std::string_view kAuditIdMarker = "audit.hash-covers-id";

std::string lengthPrefixed(std::initializer_list<std::string> fields) {
    // Length-prefixed fields: no separator inside a field can make two different rows hash alike.
    std::string material;
    for (const std::string& field : fields) {
        material += std::to_string(field.size());
        material += ':';
        material += field;
        material += ';';
    }
    return material;
}

/// The first form (before the row id was covered): kept to verify chains written then.
std::string auditHashV1(const std::string& prev, std::int64_t at, const std::string& actor, const std::string& action,
                        const std::string& subject, const std::string& details) {
    return sha256Hex(lengthPrefixed({prev, std::to_string(at), actor, action, subject, details}));
}

/// The hash of a row covers its id: a row cannot be renumbered or moved without its hash changing.
std::string auditHash(std::int64_t id, const std::string& prev, std::int64_t at, const std::string& actor,
                      const std::string& action, const std::string& subject, const std::string& details) {
    return sha256Hex(lengthPrefixed({"v2", std::to_string(id), prev, std::to_string(at), actor, action, subject, details}));
}

/// A chain that began before the hash covered the row id (its first row has a first-form hash) gets the marker row
/// once; rows after it are hashed with their id. A new chain uses the id from its first row.
Result<void> markAuditChain(Database& db, const Clock& clock) {
    auto first = db.prepare("SELECT id, at, actor, action, subject, details, prev_hash, hash FROM audit_log "
                            "ORDER BY id LIMIT 1");
    if (!first) return propagate(first);
    auto row = first->step();
    if (!row) return propagate(row);
    if (!*row) return {};
    if (first->text(7) == auditHash(first->int64(0), first->text(6), first->int64(1), first->text(2), first->text(3),
                                    first->text(4), first->text(5)))
        return {};
    first->reset();
    auto marked = db.queryInt(fmt::format("SELECT count(*) FROM audit_log WHERE action = '{}'", kAuditIdMarker));
    if (!marked) return propagate(marked);
    if (*marked > 0) return {};
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    auto head = db.prepare("SELECT COALESCE(MAX(id), 0), (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1) "
                           "FROM audit_log");
    if (!head) return propagate(head);
    auto h = head->step();
    if (!h) return propagate(h);
    const auto id = head->int64(0) + 1;
    const std::string prev = head->text(1);
    head->reset();
    const auto at = clock.now();
    const std::string details = fmt::format(R"({{"from_row":{}}})", id + 1);
    const auto hash = auditHashV1(prev, at, "system", std::string(kAuditIdMarker), "audit", details);
    auto ins = db.prepare("INSERT INTO audit_log (id, at, actor, action, subject, details, prev_hash, hash) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!ins) return propagate(ins);
    if (auto r = ins->bindAll(id, at, "system", std::string(kAuditIdMarker), "audit", details, prev, hash).run(); !r)
        return r;
    auto upd = db.prepare("INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, ?, ?) "
                          "ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, last_hash = excluded.last_hash");
    if (!upd) return propagate(upd);
    if (auto r = upd->bindAll(id, hash).run(); !r) return r;
    return tx->commit();
}

}  // namespace

Store::Store(Database db, std::shared_ptr<const Clock> clock) : m_db(std::move(db)), m_clock(std::move(clock)) {}

Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& path, const StoreOptions& options,
                                           std::shared_ptr<const Clock> clock) {
    if (sodium_init() < 0) return fail(ErrorCode::Internal, "libsodium could not be initialised");
    if (!clock) clock = std::make_shared<SystemClock>();
    if (isPostgresUri(path.native())) return openPostgres(path.native(), options, std::move(clock));
    std::error_code ec;
    const bool existed = std::filesystem::exists(path, ec) && std::filesystem::file_size(path, ec) > 0;

    auto opened = Database::open(path, OpenOptions{.create = options.create, .readOnly = false,
                                                   .busyTimeoutMs = options.busyTimeoutMs});
    if (!opened) return std::unexpected(opened.error());
    Database db = std::move(*opened);

    const auto notADatabase = [&](const Error& e) -> Error {
        if (e.code != ErrorCode::Corrupt) return e;
        return Error{ErrorCode::Corrupt,
                     fmt::format("{} is not a center database (it is not an SQLite file, or its header is damaged). "
                                 "It was not changed. Check the --db path, or restore the file from a backup",
                                 path.string())};
    };
    // Nothing below writes until every check has passed.
    auto appId = db.queryInt("PRAGMA application_id");
    if (!appId) return std::unexpected(notADatabase(appId.error()));
    auto version = db.queryInt("PRAGMA user_version");
    if (!version) return std::unexpected(notADatabase(version.error()));
    if (existed) {
        if (*version > currentSchemaVersion())
            return fail(ErrorCode::SchemaTooNew,
                        fmt::format("{} was written by a newer version of the kiosk software (schema {}, this "
                                    "program knows up to {}). It was left untouched: update the software on this "
                                    "machine before using the file",
                                    path.string(), *version, currentSchemaVersion()));
        if (*appId != kApplicationId) {
            auto tables = db.queryInt("SELECT count(*) FROM sqlite_schema");
            if (!tables) return std::unexpected(notADatabase(tables.error()));
            if (*appId != 0 || *version != 0 || *tables != 0)
                return fail(ErrorCode::NotOurDatabase,
                            fmt::format("{} is an SQLite database of another application, not a center database. It "
                                        "was left untouched: check the --db path",
                                        path.string()));
        }
        const bool check = options.integrity == IntegrityCheck::Always ||
                           (options.integrity == IntegrityCheck::Auto &&
                            std::filesystem::file_size(path, ec) <= kAutoQuickCheckLimit);
        if (check) {
            auto stmt = db.prepare("PRAGMA quick_check");
            if (!stmt) return std::unexpected(notADatabase(stmt.error()));
            std::vector<std::string> problems;
            while (true) {
                auto row = stmt->step();
                if (!row) return std::unexpected(notADatabase(row.error()));
                if (!*row) break;
                if (auto t = stmt->text(0); t != "ok") problems.push_back(t);
            }
            if (!problems.empty())
                return fail(ErrorCode::Corrupt,
                            fmt::format("{} is damaged: quick_check found {} problem(s), the first: {}. It was not "
                                        "changed. Restore it from the latest backup ('kioskctl backup' makes them) and "
                                        "keep this copy for inspection",
                                        path.string(), problems.size(), problems.front()));
        }
    }
    auto mode = db.queryText("PRAGMA journal_mode = WAL");
    if (!mode) return std::unexpected(mode.error());
    if (!*mode || **mode != "wal")
        return fail(ErrorCode::Io, fmt::format("cannot switch {} to write-ahead logging (journal mode is {}); the "
                                               "file system may not support it: put the database on a local disk",
                                               path.string(), mode->value_or("?")));
    // secure_delete: whatever is deleted or overwritten (a purge, a withdrawal, an update of a phone number) is
    // overwritten with zeros in the file, not left in free space (PIPL art. 47; training/privacy.hpp).
    if (auto r = db.exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA trusted_schema = OFF; "
                         "PRAGMA secure_delete = ON");
        !r)
        return std::unexpected(r.error());
    if (auto r = migrateTo(db, currentSchemaVersion()); !r) return std::unexpected(r.error());
    if (auto r = markAuditChain(db, *clock); !r) return std::unexpected(r.error());
    return std::unique_ptr<Store>(new Store(std::move(db), std::move(clock)));
}

Result<std::unique_ptr<Store>> Store::openPostgres(std::string_view uri, const StoreOptions& options,
                                                   std::shared_ptr<const Clock> clock) {
    auto opened = Database::open(std::filesystem::path(std::string(uri)),
                                 OpenOptions{.create = options.create, .readOnly = false,
                                             .busyTimeoutMs = options.busyTimeoutMs});
    if (!opened) return std::unexpected(opened.error());
    Database db = std::move(*opened);
    const std::string where = db.path().string();
    // Nothing below writes until every check has passed (the server checks its pages itself).
    auto stamp = readSchemaStamp(db);
    if (!stamp) return propagate(stamp);
    if (stamp->stamped && stamp->applicationId != kApplicationId)
        return fail(ErrorCode::NotOurDatabase,
                    fmt::format("{} is a PostgreSQL database of another application, not a center database. It was "
                                "left untouched: check the --db connection URI",
                                where));
    if (stamp->stamped && stamp->version > currentSchemaVersion())
        return fail(ErrorCode::SchemaTooNew,
                    fmt::format("{} was written by a newer version of the kiosk software (schema {}, this program "
                                "knows up to {}). It was left untouched: update the software on this machine before "
                                "using the database",
                                where, stamp->version, currentSchemaVersion()));
    if (!stamp->stamped && stamp->tables != 0)
        return fail(ErrorCode::NotOurDatabase,
                    fmt::format("{} is a PostgreSQL database of another application (it has {} table(s) but no "
                                "center schema), not a center database. It was left untouched: check the --db "
                                "connection URI, or give the center an empty database of its own",
                                where, stamp->tables));
    if (!stamp->stamped && !options.create)
        return fail(ErrorCode::NotFound,
                    fmt::format("{} holds no center yet; create one with 'kioskctl --db URI init --center NAME'", where));
    if (auto r = migrateTo(db, currentSchemaVersion()); !r) return std::unexpected(r.error());
    if (auto r = markAuditChain(db, *clock); !r) return std::unexpected(r.error());
    auto kiosk = db.queryInt("SELECT CASE WHEN current_schema() = 'kiosk_api' THEN 1 ELSE 0 END");
    if (!kiosk) return propagate(kiosk);
    auto store = std::unique_ptr<Store>(new Store(std::move(db), std::move(clock)));
    store->m_kioskRole = *kiosk == 1;
    return store;
}

// ---------------------------------------------------------------- center

Result<Center> Store::initCenter(const std::string& code, const std::string& name, const Actor& actor) {
    auto cleanName = normalizeName(name, "center name");
    if (!cleanName) return std::unexpected(cleanName.error());
    auto cleanCode = normalizeName(code, "center code");
    if (!cleanCode) return std::unexpected(cleanCode.error());
    // The code goes into certificate numbers and badge QR codes: letters, digits, '-' and '_' only.
    if (cleanCode->size() > 16 || !std::ranges::all_of(*cleanCode, [](char c) {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        }))
        return fail(ErrorCode::InvalidInput,
                    fmt::format("the center code '{}' must be 1 to 16 letters A-Z, digits, '-' or '_' (it is printed "
                                "in certificate numbers and badge codes), for example SH-PD01",
                                *cleanCode));
    auto tx = m_db.transaction();
    if (!tx) return std::unexpected(tx.error());
    if (auto existing = center(); existing)
        return fail(ErrorCode::Refused, fmt::format("this database already belongs to the center '{}' ({}); use a new "
                                                    "--db path for another center",
                                                    existing->name, existing->code));
    const auto now = m_clock->now();
    auto ins = m_db.prepare("INSERT INTO center (id, code, name, created_at) VALUES (1, ?, ?, ?)");
    if (!ins) return std::unexpected(ins.error());
    if (auto r = ins->bindAll(*cleanCode, *cleanName, now).run(); !r) return std::unexpected(r.error());

    // The default badge course with the syllabus modules of product.md §2.
    auto course = m_db.prepare("INSERT INTO courses (code, name_zh, name_en, pass_mark, created_at) "
                               "VALUES ('badge', '家政上门服务证培训', 'Home-service badge training', 80, ?)");
    if (!course) return std::unexpected(course.error());
    if (auto r = course->bindAll(now).run(); !r) return std::unexpected(r.error());
    const auto courseId = m_db.lastInsertRowId();
    int position = 0;
    for (const auto& module : badgeCourseSyllabus()) {
        auto mod = m_db.prepare("INSERT INTO course_modules (course_id, module_code, name_zh, name_en, position, "
                                "required_minutes, examined) VALUES (?, ?, ?, ?, ?, ?, ?)");
        if (!mod) return std::unexpected(mod.error());
        if (auto r = mod->bindAll(courseId, module.code, module.nameZh, module.nameEn, ++position,
                                  module.requiredMinutes, module.examined)
                         .run();
            !r)
            return std::unexpected(r.error());
    }
    nlohmann::json details{{"code", *cleanCode}, {"name", *cleanName}, {"schema", currentSchemaVersion()}};
    if (auto r = audit(actor, "center.init", "center:" + *cleanCode, details.dump()); !r)
        return std::unexpected(r.error());
    if (auto r = tx->commit(); !r) return std::unexpected(r.error());
    return Center{*cleanCode, *cleanName, now};
}

Result<Center> Store::center() {
    auto stmt = m_db.prepare("SELECT code, name, created_at FROM center WHERE id = 1");
    if (!stmt) return std::unexpected(stmt.error());
    auto row = stmt->step();
    if (!row) return std::unexpected(row.error());
    if (!*row)
        return fail(ErrorCode::NotFound, fmt::format("{} has no center yet; run 'kioskctl init --center NAME' first",
                                                     m_db.path().string()));
    return Center{stmt->text(0), stmt->text(1), stmt->int64(2)};
}

Result<std::int64_t> Store::defaultCourseId() {
    auto id = m_db.queryInt("SELECT coalesce((SELECT id FROM courses WHERE code = 'badge'), "
                            "(SELECT min(id) FROM courses), 0)");
    if (!id) return std::unexpected(id.error());
    if (*id == 0) return fail(ErrorCode::NotFound, "there is no course yet; run 'kioskctl init --center NAME' first");
    return *id;
}

// ---------------------------------------------------------------- audit

Result<void> Store::recordEvent(const Actor& actor, const std::string& action, const std::string& subject,
                                const std::string& detailsJson) {
    auto tx = m_db.transaction();
    if (!tx) return std::unexpected(tx.error());
    if (auto r = audit(actor, action, subject, detailsJson); !r) return r;
    return tx->commit();
}

Result<void> Store::audit(const Actor& actor, const std::string& action, const std::string& subject,
                          const std::string& detailsJson) {
    assert(m_db.inTransaction() && "audit rows are written inside the transaction of their change");
    auto head = m_db.prepare("SELECT last_id, last_hash FROM audit_head WHERE id = 1");
    if (!head) return std::unexpected(head.error());
    auto row = head->step();
    if (!row) return std::unexpected(row.error());
    const std::string prev = *row ? head->text(1) : kGenesisHash;
    head->reset();
    auto next = m_db.queryInt("SELECT COALESCE(MAX(id), 0) + 1 FROM audit_log");
    if (!next) return std::unexpected(next.error());
    const auto id = *next;
    const auto at = m_clock->now();
    const std::string hash = auditHash(id, prev, at, actor, action, subject, detailsJson);
    auto ins = m_db.prepare("INSERT INTO audit_log (id, at, actor, action, subject, details, prev_hash, hash) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!ins) return std::unexpected(ins.error());
    if (auto r = ins->bindAll(id, at, actor, action, subject, detailsJson, prev, hash).run(); !r)
        return std::unexpected(r.error());
    auto upd = m_db.prepare("INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, ?, ?) "
                            "ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, last_hash = excluded.last_hash");
    if (!upd) return std::unexpected(upd.error());
    if (auto r = upd->bindAll(id, hash).run(); !r) return r;
    // Live screens hear of what they show (change_feed.hpp): people and presence, staff accounts.
    const std::string_view kind = std::string_view(action).substr(0, action.find('.'));
    if (kind == "worker" || kind == "attendance" || kind == "roster" || kind == "session" || kind == "consent")
        m_db.notifyOnCommit(kTopicPeople);
    else if (kind == "staff")
        m_db.notifyOnCommit(kTopicStaff);
    return {};
}

Result<std::vector<AuditEntry>> Store::auditEntries(std::int64_t afterId, int limit) {
    auto stmt = m_db.prepare("SELECT id, at, actor, action, subject, details, prev_hash, hash FROM audit_log "
                             "WHERE id > ? ORDER BY id LIMIT ?");
    if (!stmt) return std::unexpected(stmt.error());
    stmt->bindAll(afterId, limit);
    std::vector<AuditEntry> out;
    while (true) {
        auto row = stmt->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        out.push_back({stmt->int64(0), stmt->int64(1), stmt->text(2), stmt->text(3), stmt->text(4), stmt->text(5),
                       stmt->text(6), stmt->text(7)});
    }
    return out;
}

Result<std::optional<AuditEntry>> Store::latestAudit(const std::string& subject, const std::string& action) {
    auto stmt = m_db.prepare("SELECT id, at, actor, action, subject, details, prev_hash, hash FROM audit_log "
                             "WHERE subject = ? AND action = ? ORDER BY id DESC LIMIT 1");
    if (!stmt) return std::unexpected(stmt.error());
    stmt->bindAll(subject, action);
    auto row = stmt->step();
    if (!row) return std::unexpected(row.error());
    std::optional<AuditEntry> out;
    if (*row)
        out = AuditEntry{stmt->int64(0), stmt->int64(1), stmt->text(2), stmt->text(3), stmt->text(4), stmt->text(5),
                         stmt->text(6), stmt->text(7)};
    stmt->reset();
    return out;
}

Result<AuditVerification> Store::verifyAudit() {
    AuditVerification v;
    auto stmt = m_db.prepare("SELECT id, at, actor, action, subject, details, prev_hash, hash FROM audit_log "
                             "ORDER BY id");
    if (!stmt) return std::unexpected(stmt.error());
    std::string expectedPrev = kGenesisHash;
    std::int64_t lastId = 0;
    // A chain that began before the hash covered the row id has first-form rows up to its marker row.
    auto marker = m_db.queryInt(fmt::format("SELECT COALESCE(MIN(id), 0) FROM audit_log WHERE action = '{}'",
                                            kAuditIdMarker));
    if (!marker) return std::unexpected(marker.error());
    const auto bad = [&](std::int64_t id, std::string problem) {
        v.intact = false;
        v.firstBadRow = id;
        v.problem = std::move(problem);
    };
    while (v.intact) {
        auto row = stmt->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        const auto id = stmt->int64(0);
        const auto prev = stmt->text(6);
        const auto hash = stmt->text(7);
        ++v.rowsChecked;
        if (prev != expectedPrev) {
            bad(id, lastId == 0 ? fmt::format("row {} does not start the chain: rows before it were removed", id)
                                : fmt::format("row {} does not link to row {}: a row between them was removed or "
                                              "the link was changed",
                                              id, lastId));
            break;
        }
        const auto computed =
            id <= *marker ? auditHashV1(prev, stmt->int64(1), stmt->text(2), stmt->text(3), stmt->text(4), stmt->text(5))
                          : auditHash(id, prev, stmt->int64(1), stmt->text(2), stmt->text(3), stmt->text(4),
                                      stmt->text(5));
        if (computed != hash) {
            bad(id, fmt::format("row {} was changed after it was written: its content does not match its hash", id));
            break;
        }
        expectedPrev = hash;
        lastId = id;
    }
    if (v.intact) {
        auto head = m_db.prepare("SELECT last_id, last_hash FROM audit_head WHERE id = 1");
        if (!head) return std::unexpected(head.error());
        auto row = head->step();
        if (!row) return std::unexpected(row.error());
        if (*row && (head->int64(0) != lastId || head->text(1) != expectedPrev)) {
            bad(lastId + 1, fmt::format("the log ends at row {} but row {} was written: rows at the end were removed",
                                        lastId, head->int64(0)));
        } else if (!*row && lastId != 0) {
            bad(lastId, "the record of the chain's last row is missing");
        }
    }
    return v;
}

// ---------------------------------------------------------------- maintenance

Result<void> Store::backupTo(const std::filesystem::path& destination, const Actor& actor) {
    // On PostgreSQL the refusal (which names pg_dump) comes before any audit row of a backup.
    if (m_db.backend() == Backend::Postgres) return m_db.backupTo(destination);
    {
        auto tx = m_db.transaction();
        if (!tx) return std::unexpected(tx.error());
        nlohmann::json details{{"to", destination.string()}};
        if (auto r = audit(actor, "db.backup", "database", details.dump()); !r) return r;
        if (auto r = tx->commit(); !r) return r;
    }
    return m_db.backupTo(destination);
}

Result<std::vector<std::string>> Store::integrityCheck() {
    if (m_db.backend() == Backend::Postgres)
        return fail(ErrorCode::Refused,
                    fmt::format("'db check' runs SQLite's integrity_check; the {} is checked with PostgreSQL's own "
                                "tool: pg_amcheck (as a superuser, with the amcheck extension) on that database",
                                m_db.path().string()));
    auto stmt = m_db.prepare("PRAGMA integrity_check");
    if (!stmt) return std::unexpected(stmt.error());
    std::vector<std::string> problems;
    while (true) {
        auto row = stmt->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        if (auto t = stmt->text(0); t != "ok") problems.push_back(t);
    }
    auto fk = m_db.prepare("PRAGMA foreign_key_check");
    if (!fk) return std::unexpected(fk.error());
    while (true) {
        auto row = fk->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        problems.push_back(fmt::format("row {} of {} refers to a missing row of {}", fk->int64(1), fk->text(0),
                                       fk->text(2)));
    }
    return problems;
}

int Store::schemaVersion() {
    if (m_db.backend() == Backend::Postgres) {
        auto stamp = readSchemaStamp(m_db);
        return stamp ? static_cast<int>(stamp->version) : -1;
    }
    auto v = m_db.queryInt("PRAGMA user_version");
    return v ? static_cast<int>(*v) : -1;
}

}  // namespace training
