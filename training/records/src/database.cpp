#include "training/database.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <functional>
#include <random>
#include <system_error>
#include <thread>

#include "postgres.hpp"
#include "training/change_feed.hpp"

namespace training {

bool isPostgresUri(std::string_view target) noexcept {
    return target.starts_with("postgresql://") || target.starts_with("postgres://");
}

// ---------------------------------------------------------------- errors

Error Database::makeError(int rc, std::string_view context) const {
    const std::string detail = m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc);
    const std::string where = m_path.string();
    switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return {ErrorCode::Busy,
                    fmt::format("{}: the database {} is busy (another program is writing to it); "
                                "try again in a moment",
                                context, where)};
        case SQLITE_CONSTRAINT:
            return {ErrorCode::Conflict, fmt::format("{}: {}", context, detail)};
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
            return {ErrorCode::Corrupt,
                    fmt::format("{}: {} is damaged or not a database ({}). It was not changed; "
                                "restore it from a backup",
                                context, where, detail)};
        case SQLITE_FULL:
            return {ErrorCode::Io, fmt::format("{}: the disk holding {} is full; free some space and retry",
                                               context, where)};
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_CANTOPEN:
        case SQLITE_IOERR:
            return {ErrorCode::Io,
                    fmt::format("{}: cannot read or write {} ({}); check that the directory exists and "
                                "that you may write to it",
                                context, where, detail)};
        default:
            return {ErrorCode::Internal, fmt::format("{}: SQLite error {} ({})", context, rc, detail)};
    }
}

// ---------------------------------------------------------------- statement

Statement::Statement(Database* db, sqlite3_stmt* stmt, std::string sql)
    : m_db(db), m_stmt(stmt), m_sql(std::move(sql)) {}

Statement::Statement(Database* db, std::unique_ptr<detail::PgStatement> stmt, std::string sql)
    : m_db(db), m_stmt(nullptr), m_pg(std::move(stmt)), m_sql(std::move(sql)) {}

Statement::Statement(Statement&& other) noexcept
    : m_db(other.m_db), m_stmt(other.m_stmt), m_pg(std::move(other.m_pg)), m_sql(std::move(other.m_sql)),
      m_bindFailed(other.m_bindFailed) {
    other.m_stmt = nullptr;
}

Statement::~Statement() {
    if (m_stmt) m_db->giveBack(std::move(m_sql), m_stmt);
    if (m_pg) m_db->giveBack(std::move(m_sql), std::move(m_pg));
}

namespace {
/// Stores a parameter of a PostgreSQL statement (1-based @p index); false when there is no such parameter.
bool pgBind(detail::PgStatement& st, int index, std::optional<std::string> value, int format, Oid type) {
    if (index < 1 || index > st.paramCount) return false;
    const auto i = static_cast<std::size_t>(index - 1);
    st.values[i] = std::move(value);
    st.formats[i] = format;
    if (!st.prepared) st.types[i] = type;
    return true;
}
}  // namespace

Statement& Statement::bind(int index, std::int64_t value) {
    if (m_pg) {
        m_bindFailed |= !pgBind(*m_pg, index, std::to_string(value), 0, detail::kPgInt8Oid);
        return *this;
    }
    m_bindFailed |= sqlite3_bind_int64(m_stmt, index, value) != SQLITE_OK;
    return *this;
}
Statement& Statement::bind(int index, double value) {
    if (m_pg) {
        m_bindFailed |= !pgBind(*m_pg, index, fmt::format("{}", value), 0, detail::kPgFloat8Oid);
        return *this;
    }
    m_bindFailed |= sqlite3_bind_double(m_stmt, index, value) != SQLITE_OK;
    return *this;
}
Statement& Statement::bind(int index, std::string_view value) {
    if (m_pg) {
        m_bindFailed |= !pgBind(*m_pg, index, std::string(value), 0, 0);
        return *this;
    }
    m_bindFailed |= sqlite3_bind_text64(m_stmt, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                        SQLITE_UTF8) != SQLITE_OK;
    return *this;
}
Statement& Statement::bind(int index, std::span<const std::uint8_t> blob) {
    if (m_pg) {
        // Binary format: the bytes as they are (the parameter is a bytea column).
        m_bindFailed |= !pgBind(*m_pg, index, std::string(blob.begin(), blob.end()), 1, detail::kPgByteaOid);
        return *this;
    }
    m_bindFailed |= sqlite3_bind_blob64(m_stmt, index, blob.data(), blob.size(), SQLITE_TRANSIENT) != SQLITE_OK;
    return *this;
}
Statement& Statement::bind(int index, std::nullptr_t) {
    if (m_pg) {
        m_bindFailed |= !pgBind(*m_pg, index, std::nullopt, 0, 0);
        return *this;
    }
    m_bindFailed |= sqlite3_bind_null(m_stmt, index) != SQLITE_OK;
    return *this;
}

Statement& Statement::bindNull(int index, NullOf type) {
    if (m_pg) {
        const Oid oid = type == NullOf::Integer ? detail::kPgInt8Oid
                        : type == NullOf::Real  ? detail::kPgFloat8Oid
                                                : Oid{0};
        m_bindFailed |= !pgBind(*m_pg, index, std::nullopt, 0, oid);
        return *this;
    }
    return bind(index, nullptr);
}

void Statement::reset() {
    if (m_pg) {
        m_pg->clearResult();
    } else {
        sqlite3_reset(m_stmt);
    }
    m_bindFailed = false;
}

Result<bool> Statement::step() {
    if (m_bindFailed)
        return fail(ErrorCode::Internal, fmt::format("could not bind the parameters of: {}", m_sql));
    if (m_pg) return m_db->stepPostgres(*m_pg);
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    auto error = m_db->makeError(rc, "database");
    sqlite3_reset(m_stmt);
    return std::unexpected(std::move(error));
}

Result<void> Statement::run() {
    for (;;) {
        auto row = step();
        if (!row) return std::unexpected(row.error());
        if (!*row) {
            if (m_pg) {
                m_pg->clearResult();
            } else {
                sqlite3_reset(m_stmt);
            }
            return {};
        }
    }
}

Result<std::vector<std::int64_t>> Statement::int64Rows() {
    std::vector<std::int64_t> out;
    for (;;) {
        auto row = step();
        if (!row) return std::unexpected(row.error());
        if (!*row) return out;
        out.push_back(int64(0));
    }
}

namespace {
/// The text of a column of the current row of a PostgreSQL result (empty when there is none).
std::string_view pgValue(const detail::PgStatement& st, int column) {
    if (!st.result || st.row < 0 || st.row >= PQntuples(st.result) || column < 0 || column >= PQnfields(st.result))
        return {};
    return {PQgetvalue(st.result, st.row, column),
            static_cast<std::size_t>(PQgetlength(st.result, st.row, column))};
}
bool pgIsNull(const detail::PgStatement& st, int column) {
    if (!st.result || st.row < 0 || st.row >= PQntuples(st.result) || column < 0 || column >= PQnfields(st.result))
        return true;
    return PQgetisnull(st.result, st.row, column) != 0;
}
}  // namespace

bool Statement::isNull(int column) const {
    if (m_pg) return pgIsNull(*m_pg, column);
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}
std::int64_t Statement::int64(int column) const {
    if (m_pg) {
        // As SQLite: NULL reads as 0, booleans as 0/1, a fraction is cut towards zero.
        const auto v = pgValue(*m_pg, column);
        if (v == "t") return 1;
        if (v == "f" || v.empty()) return 0;
        std::int64_t out = 0;
        const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
        if (ec == std::errc() && end == v.data() + v.size()) return out;
        return static_cast<std::int64_t>(std::strtod(std::string(v).c_str(), nullptr));
    }
    return sqlite3_column_int64(m_stmt, column);
}
double Statement::real(int column) const {
    if (m_pg) {
        const auto v = pgValue(*m_pg, column);
        if (v == "t") return 1;
        if (v == "f" || v.empty()) return 0;
        return std::strtod(std::string(v).c_str(), nullptr);
    }
    return sqlite3_column_double(m_stmt, column);
}
std::string Statement::text(int column) const {
    if (m_pg) return std::string(pgValue(*m_pg, column));
    const auto* p = sqlite3_column_text(m_stmt, column);
    const int n = sqlite3_column_bytes(m_stmt, column);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}
std::optional<std::string> Statement::optText(int column) const {
    if (isNull(column)) return std::nullopt;
    return text(column);
}
std::optional<std::int64_t> Statement::optInt64(int column) const {
    if (isNull(column)) return std::nullopt;
    return int64(column);
}
std::optional<double> Statement::optReal(int column) const {
    if (isNull(column)) return std::nullopt;
    return real(column);
}
std::vector<std::uint8_t> Statement::blob(int column) const {
    if (m_pg) {
        const auto v = pgValue(*m_pg, column);
        if (m_pg->result && PQftype(m_pg->result, column) == detail::kPgByteaOid) return detail::decodeByteaHex(v);
        return {v.begin(), v.end()};
    }
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(m_stmt, column));
    const int n = sqlite3_column_bytes(m_stmt, column);
    return p ? std::vector<std::uint8_t>(p, p + n) : std::vector<std::uint8_t>{};
}

// ---------------------------------------------------------------- transaction

Transaction::Transaction(Database* db, bool nested, int depth) : m_db(db), m_nested(nested), m_depth(depth) {}

Transaction::Transaction(Transaction&& other) noexcept
    : m_db(other.m_db), m_nested(other.m_nested), m_depth(other.m_depth), m_done(other.m_done) {
    other.m_done = true;
}

Result<void> Transaction::commit() {
    if (m_done) return fail(ErrorCode::Internal, "transaction already finished");
    std::string sql = m_nested ? fmt::format("RELEASE sp{}", m_depth) : "COMMIT";
    if (m_db->m_pg && !m_nested && !m_db->m_pg->pendingNotify.empty()) {
        // The notifications ride with the COMMIT (one round trip); the server delivers them only if it commits.
        std::string notify = "SELECT ";
        for (const auto& topic : m_db->m_pg->pendingNotify)
            notify += fmt::format("{}pg_notify('{}', '{}')", notify.size() > 7 ? ", " : "", kChangeChannel, topic);
        sql = notify + "; " + sql;
        m_db->m_pg->pendingNotify.clear();
    }
    auto r = m_db->exec(sql);
    if (!r) return r;  // the destructor rolls back
    if (m_db->m_pg && !m_nested && m_db->m_pg->lastCommand != "COMMIT") {
        // PostgreSQL answers COMMIT of a transaction that an earlier error aborted with ROLLBACK.
        m_done = true;
        --m_db->m_depth;
        return fail(ErrorCode::Internal, "the transaction was rolled back by the server after an earlier error; "
                                         "nothing of it was saved");
    }
    m_done = true;
    --m_db->m_depth;
    if (m_db->m_pg && !m_nested) m_db->flushNotifications();
    return {};
}

Transaction::~Transaction() {
    if (m_done) return;
    if (m_nested) {
        (void)m_db->exec(fmt::format("ROLLBACK TO sp{0}; RELEASE sp{0}", m_depth));
    } else {
        if (m_db->m_pg) m_db->m_pg->pendingNotify.clear();
        (void)m_db->exec("ROLLBACK");
    }
    --m_db->m_depth;
}

// ---------------------------------------------------------------- database

Database::Database(sqlite3* handle, std::filesystem::path path) : m_db(handle), m_path(std::move(path)) {}

Database::Database(std::unique_ptr<detail::PgConnection> pg) : m_pg(std::move(pg)) { m_path = m_pg->description; }

Database::Database(Database&& other) noexcept
    : m_db(other.m_db), m_pg(std::move(other.m_pg)), m_path(std::move(other.m_path)),
      m_cache(std::move(other.m_cache)), m_pgCache(std::move(other.m_pgCache)), m_depth(other.m_depth) {
    other.m_db = nullptr;
    other.m_cache.clear();
    other.m_pgCache.clear();
}

Database& Database::operator=(Database&& other) noexcept {
    if (this != &other) {
        close();
        m_db = other.m_db;
        m_pg = std::move(other.m_pg);
        m_path = std::move(other.m_path);
        m_cache = std::move(other.m_cache);
        m_pgCache = std::move(other.m_pgCache);
        m_depth = other.m_depth;
        other.m_db = nullptr;
        other.m_cache.clear();
        other.m_pgCache.clear();
    }
    return *this;
}

Database::~Database() { close(); }

void Database::close() {
    for (auto& [sql, stmt] : m_cache) sqlite3_finalize(stmt);
    m_cache.clear();
    if (m_db) sqlite3_close_v2(m_db);
    m_db = nullptr;
    m_pgCache.clear();  // the server drops prepared statements with the connection
    m_pg.reset();
}

Result<Database> Database::open(const std::filesystem::path& path, const OpenOptions& options) {
    if (isPostgresUri(path.native())) return openPostgres(path.native(), options);
    std::error_code ec;
    const bool exists = std::filesystem::exists(path, ec);
    if (!exists && (!options.create || options.readOnly)) {
        return fail(ErrorCode::NotFound,
                    fmt::format("there is no database at {}; create one with 'kioskctl init --center NAME' "
                                "or pass the right file with --db",
                                path.string()));
    }
    if (!exists) {
        const auto dir = path.parent_path();
        if (!dir.empty() && !std::filesystem::is_directory(dir, ec)) {
            return fail(ErrorCode::Io, fmt::format("the directory {} does not exist; create it or choose "
                                                   "another database path",
                                                   dir.string()));
        }
    } else if (std::filesystem::is_directory(path, ec)) {
        return fail(ErrorCode::InvalidInput,
                    fmt::format("{} is a directory, not a database file; give the path of a file", path.string()));
    }
    // The database holds full ID numbers and portraits: owner only. A new file is made 0600 before SQLite opens it
    // (SQLite gives its -wal and -shm files the database file's mode); an existing one, and its -wal/-shm, lose any
    // group/other access they had.
    if (!exists && !options.readOnly) {
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST)
            return fail(ErrorCode::Io, fmt::format("cannot create the database file {}: {}", path.string(),
                                                   std::generic_category().message(errno)));
        if (fd >= 0) ::close(fd);
    }
    if (!options.readOnly)
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) makeFilePrivate(path.string() + suffix);
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    flags |= options.readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    sqlite3* handle = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
    Database db(handle, path);
    if (rc != SQLITE_OK) return std::unexpected(db.makeError(rc, "opening the database"));
    sqlite3_busy_timeout(handle, options.busyTimeoutMs);
    sqlite3_extended_result_codes(handle, 1);
    return db;
}

Result<Statement> Database::prepare(std::string_view sql) {
    if (m_pg) return preparePostgres(sql);
    std::string key(sql);
    if (auto it = m_cache.find(key); it != m_cache.end()) {
        sqlite3_stmt* stmt = it->second;
        m_cache.erase(it);
        return Statement(this, stmt, std::move(key));
    }
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(m_db, key.data(), static_cast<int>(key.size()), SQLITE_PREPARE_PERSISTENT,
                                      &stmt, nullptr);
    if (rc != SQLITE_OK) return std::unexpected(makeError(rc, fmt::format("preparing '{}'", key)));
    return Statement(this, stmt, std::move(key));
}

void Database::giveBack(std::string sql, sqlite3_stmt* stmt) {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (!m_db || m_cache.contains(sql)) {
        sqlite3_finalize(stmt);
        return;
    }
    m_cache.emplace(std::move(sql), stmt);
}

Result<void> Database::exec(std::string_view sql) {
    if (m_pg) return execPostgres(sql);
    std::string copy(sql);
    char* message = nullptr;
    const int rc = sqlite3_exec(m_db, copy.c_str(), nullptr, nullptr, &message);
    if (message) sqlite3_free(message);
    if (rc != SQLITE_OK) return std::unexpected(makeError(rc, "database"));
    return {};
}

Result<Transaction> Database::transaction(WriteLock lock) {
    const bool nested = m_depth > 0;
    const int depth = m_depth + 1;
    if (nested) {
        if (auto r = exec(fmt::format("SAVEPOINT sp{}", depth)); !r) return std::unexpected(r.error());
    } else {
        if (m_pg) m_pg->pendingNotify.clear();
        // One writer at a time: BEGIN IMMEDIATE on SQLite; on PostgreSQL BEGIN and the database's write lock.
        // Either waits up to the busy (lock) timeout, then fails with Busy. Nothing has been done yet when this
        // fails, so it is safe to try again: after a pause when the lock stayed taken, and on PostgreSQL once at
        // once after a lost connection (the next try connects again).
        const std::string begin =
            !m_pg                          ? std::string("BEGIN IMMEDIATE")
            : lock == WriteLock::RowsOnly ? std::string("BEGIN")
                                          : fmt::format("BEGIN; SELECT pg_advisory_xact_lock({})", detail::kPgWriteLockKey);
        for (int attempt = 1;; ++attempt) {
            auto r = exec(begin);
            if (r) break;
            if (m_pg) endFailedBeginPostgres();
            const bool lost = m_pg && detail::isServerUnreachable(r.error());
            if (lost && attempt == 1) continue;
            if (!lost && r.error().code == ErrorCode::Busy && !m_retrying && attempt < kUnitAttempts) {
                pauseBeforeRetry(attempt);
                continue;
            }
            return std::unexpected(r.error());
        }
    }
    m_depth = depth;
    return Transaction(this, nested, depth);
}

namespace {
bool plainTopic(std::string_view topic) {
    return !topic.empty() && topic.size() <= 64 && std::ranges::all_of(topic, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '-' || c == '_' || c == '.';
    });
}
}  // namespace

void Database::notifyOnCommit(std::string_view topic) {
    if (!m_pg || !plainTopic(topic)) return;  // only the store's own topics, which need no quoting
    if (m_depth == 0) {
        (void)exec(fmt::format("SELECT pg_notify('{}', '{}')", kChangeChannel, topic));  // advisory
        return;
    }
    auto& pending = m_pg->pendingNotify;
    if (std::ranges::find(pending, topic) == pending.end()) pending.emplace_back(topic);
}

void Database::notifySoon(std::string_view topic) {
    if (!m_pg || !plainTopic(topic)) return;
    auto& pending = m_pg->soonNotify;
    if (std::ranges::find(pending, topic) == pending.end()) pending.emplace_back(topic);
    if (m_depth == 0) flushNotifications();
}

void Database::flushNotifications() {
    if (!m_pg || m_depth > 0 || m_pg->soonNotify.empty()) return;
    const auto now = std::chrono::steady_clock::now();
    std::string notify;
    std::vector<std::string> later;
    for (auto& topic : m_pg->soonNotify) {
        auto sent = m_pg->soonSent.find(topic);
        if (sent != m_pg->soonSent.end() && now - sent->second < std::chrono::seconds(1)) {
            later.push_back(std::move(topic));
            continue;
        }
        notify += fmt::format("{}pg_notify('{}', '{}')", notify.empty() ? "" : ", ", kChangeChannel, topic);
        m_pg->soonSent[topic] = now;
    }
    m_pg->soonNotify = std::move(later);
    if (notify.empty()) return;
    // Advisory: a transaction of its own that holds the notification lock only for a commit without a WAL flush.
    (void)exec("BEGIN; SET LOCAL synchronous_commit = off; SELECT " + notify + "; COMMIT");
}

void Database::pauseBeforeRetry(int attempt) {
    // 10, 20, 40, ... ms up to 320 ms, with jitter so that writers who collided do not collide again.
    thread_local std::minstd_rand jitter(static_cast<unsigned>(
        std::hash<std::thread::id>{}(std::this_thread::get_id()) ^
        static_cast<std::size_t>(std::chrono::steady_clock::now().time_since_epoch().count())));
    const int base = 10 << std::min(attempt - 1, 5);
    const int ms = base / 2 + static_cast<int>(jitter() % static_cast<unsigned>(base));
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

Result<std::optional<std::string>> Database::queryText(std::string_view sql) {
    auto stmt = prepare(sql);
    if (!stmt) return std::unexpected(stmt.error());
    auto row = stmt->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::optional<std::string>{};
    return stmt->optText(0);
}

Result<std::int64_t> Database::queryInt(std::string_view sql) {
    auto stmt = prepare(sql);
    if (!stmt) return std::unexpected(stmt.error());
    auto row = stmt->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return fail(ErrorCode::Internal, fmt::format("'{}' returned no row", sql));
    return stmt->int64(0);
}

std::int64_t Database::lastInsertRowId() const {
    if (m_pg) return lastInsertIdPostgres();
    return sqlite3_last_insert_rowid(m_db);
}
int Database::changes() const {
    if (m_pg) return static_cast<int>(m_pg->lastChanges);
    return sqlite3_changes(m_db);
}

Result<void> Database::backupTo(const std::filesystem::path& destination) {
    if (m_pg)
        return fail(ErrorCode::Refused,
                    fmt::format("'backup' copies an SQLite file; the {} is backed up with PostgreSQL's own tools: "
                                "pg_dump --format=custom --file={} followed by the connection URI",
                                m_pg->description, destination.string()));
    std::error_code ec;
    const auto dir = destination.parent_path();
    if (!dir.empty() && !std::filesystem::is_directory(dir, ec))
        return fail(ErrorCode::Io, fmt::format("the directory {} does not exist; create it first", dir.string()));
    auto temp = destination;
    temp += ".partial";
    std::filesystem::remove(temp, ec);
    // The copy is as private as the database (0600, made before SQLite opens it).
    if (const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600); fd >= 0) ::close(fd);

    sqlite3* target = nullptr;
    int rc = sqlite3_open_v2(temp.c_str(), &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_close_v2(target);
        return fail(ErrorCode::Io, fmt::format("cannot create the backup file {}: {}", temp.string(),
                                               sqlite3_errstr(rc)));
    }
    sqlite3_backup* backup = sqlite3_backup_init(target, "main", m_db, "main");
    if (!backup) {
        std::string msg = sqlite3_errmsg(target);
        sqlite3_close_v2(target);
        std::filesystem::remove(temp, ec);
        return fail(ErrorCode::Internal, fmt::format("cannot start the backup: {}", msg));
    }
    // Copy in chunks so that writers on other connections are not held off for long.
    do {
        rc = sqlite3_backup_step(backup, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) {
        std::string msg = sqlite3_errstr(rc);
        sqlite3_close_v2(target);
        std::filesystem::remove(temp, ec);
        return fail(ErrorCode::Io, fmt::format("the backup to {} failed: {}", destination.string(), msg));
    }
    // The copy must be a sound database before it replaces anything.
    std::string check;
    sqlite3_exec(
        target, "PRAGMA quick_check",
        [](void* out, int, char** values, char**) {
            if (static_cast<std::string*>(out)->empty() && values[0]) *static_cast<std::string*>(out) = values[0];
            return 0;
        },
        &check, nullptr);
    sqlite3_close_v2(target);
    if (check != "ok") {
        std::filesystem::remove(temp, ec);
        return fail(ErrorCode::Corrupt, fmt::format("the backup copy failed its check ({}); the source may be "
                                                    "damaged: run 'kioskctl db check'",
                                                    check));
    }
    makeFilePrivate(temp);
    std::filesystem::rename(temp, destination, ec);
    if (ec)
        return fail(ErrorCode::Io, fmt::format("cannot move the backup into place at {}: {}", destination.string(),
                                               ec.message()));
    return {};
}

// ---------------------------------------------------------------- private files

void makeFilePrivate(const std::filesystem::path& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0 && st.st_uid == ::geteuid() && (st.st_mode & 077) != 0)
        ::chmod(file.c_str(), st.st_mode & 0700);
}

Result<void> createPrivateDirectory(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::path partial;
    for (const auto& part : dir) {
        partial /= part;
        if (std::filesystem::is_directory(partial, ec)) continue;
        if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
            return fail(ErrorCode::Io, fmt::format("cannot create the folder {}: {}; check the path and permissions",
                                                   partial.string(), std::generic_category().message(errno)));
    }
    makeFilePrivate(dir);
    return {};
}

Result<void> writePrivateFile(const std::filesystem::path& file, std::string_view data) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const auto failed = [&] {
        return fail(ErrorCode::Io, fmt::format("cannot write {}: {}; check the folder's permissions and free space",
                                               file.string(), std::generic_category().message(errno)));
    };
    if (fd < 0) return failed();
    makeFilePrivate(file);  // an existing file keeps its mode through O_TRUNC
    std::size_t done = 0;
    while (done < data.size()) {
        const auto n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            auto e = failed();
            ::close(fd);
            return e;
        }
        done += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) return failed();
    return {};
}

}  // namespace training
