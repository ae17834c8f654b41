#pragma once
/// @file database.hpp
/// @brief A thin RAII layer over one database connection: statements, transactions, backup.
///
/// Two backends behind one API: an SQLite file (the embedded default) or a PostgreSQL server reached with a
/// libpq connection URI (`postgresql://...` or `postgres://...`). Statements are written once, in the SQL both
/// understand with `?` placeholders; the PostgreSQL backend translates each statement once when it is first
/// prepared (placeholders to `$n`, the few SQLite-only spellings to their PostgreSQL form) and keeps it as a
/// server-side prepared statement.
///
/// Only training/ uses this; the rest of the program sees records through training::Store.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "training/error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace training {

class Database;

namespace detail {
struct PgConnection;
struct PgStatement;
}  // namespace detail

/// @brief Which engine a Database talks to.
enum class Backend {
    Sqlite,    ///< One SQLite file (WAL).
    Postgres,  ///< A PostgreSQL server through libpq.
};

/// @brief True when @p target is a libpq connection URI (`postgresql://` or `postgres://`), not a file path.
[[nodiscard]] bool isPostgresUri(std::string_view target) noexcept;

/// @brief The name of the database a libpq connection URI @p uri connects to, by libpq's rules: the URI's
/// database name, else $PGDATABASE, else the user name (the URI's, $PGUSER, else the account running this).
/// Empty when @p uri cannot be parsed. Connects to nothing.
[[nodiscard]] std::string postgresDatabaseName(std::string_view uri);

/// @brief A prepared statement borrowed from the connection's cache; reset and returned on destruction.
class Statement {
public:
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&&) = delete;
    Statement(const Statement&) = delete;
    ~Statement();

    /// @brief Binds parameters 1..N in order. Supports integers, double, strings, blobs, nullopt/nullptr.
    template <typename... Args>
    Statement& bindAll(Args&&... args) {
        reset();
        int index = 1;
        (bind(index++, std::forward<Args>(args)), ...);
        return *this;
    }
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, std::span<const std::uint8_t> blob);
    Statement& bind(int index, const std::vector<std::uint8_t>& blob) {
        return bind(index, std::span<const std::uint8_t>(blob));
    }
    Statement& bind(int index, std::nullptr_t);
    Statement& bind(int index, std::nullopt_t) { return bind(index, nullptr); }
    /// @brief Binds the value, or a NULL of its type (PostgreSQL needs the type of a NULL such as `? IS NULL`).
    template <typename T>
    Statement& bind(int index, const std::optional<T>& value) {
        if (value) return bind(index, *value);
        if constexpr (std::is_same_v<T, bool> || std::is_integral_v<T>) {
            return bindNull(index, NullOf::Integer);
        } else if constexpr (std::is_floating_point_v<T>) {
            return bindNull(index, NullOf::Real);
        } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
            return bindNull(index, NullOf::Text);
        } else {
            return bind(index, nullptr);
        }
    }

    /// @brief Rewinds the statement so that it can be bound and run again (bindings are kept).
    void reset();

    /// @brief Advances one row. @return true when a row is available, false when done.
    /// @retval Busy, Corrupt, Io, Conflict (constraint violations), Internal
    [[nodiscard]] Result<bool> step();
    /// @brief Runs the statement to completion, ignoring result rows.
    [[nodiscard]] Result<void> run();
    /// @brief Steps through the rows, calling @p f(row) for each with this statement as the row. Stops at
    /// the first failed step, or at the first error @p f returns when it returns a Result<void>.
    /// @retval Busy, Corrupt, Io, Internal as step(), or @p f's error
    template <class F>
    [[nodiscard]] Result<void> forEachRow(F&& f) {
        while (true) {
            auto more = step();
            if (!more) return std::unexpected(more.error());
            if (!*more) return {};
            if constexpr (std::is_void_v<std::invoke_result_t<F&, Statement&>>) {
                f(*this);
            } else if (auto r = f(*this); !r) {
                return r;
            }
        }
    }
    /// @brief Runs the statement and returns the first column of every row as integers (e.g. a list of ids).
    [[nodiscard]] Result<std::vector<std::int64_t>> int64Rows();

    [[nodiscard]] bool isNull(int column) const;
    [[nodiscard]] std::int64_t int64(int column) const;
    [[nodiscard]] double real(int column) const;
    [[nodiscard]] std::string text(int column) const;
    [[nodiscard]] std::optional<std::string> optText(int column) const;
    [[nodiscard]] std::optional<std::int64_t> optInt64(int column) const;
    [[nodiscard]] std::optional<double> optReal(int column) const;
    [[nodiscard]] std::vector<std::uint8_t> blob(int column) const;

private:
    friend class Database;
    enum class NullOf { Integer, Real, Text };
    Statement& bindNull(int index, NullOf type);
    Statement(Database* db, sqlite3_stmt* stmt, std::string sql);
    Statement(Database* db, std::unique_ptr<detail::PgStatement> stmt, std::string sql);
    Database* m_db;
    sqlite3_stmt* m_stmt;
    std::unique_ptr<detail::PgStatement> m_pg;
    std::string m_sql;
    bool m_bindFailed{false};
};

/// @brief A transaction (outermost: BEGIN IMMEDIATE on SQLite; on PostgreSQL BEGIN and the database's write
/// lock, so that writers take turns as they do on SQLite) or savepoint (nested).
/// Rolled back on destruction unless commit() succeeded.
class Transaction {
public:
    Transaction(Transaction&& other) noexcept;
    Transaction& operator=(Transaction&&) = delete;
    Transaction(const Transaction&) = delete;
    ~Transaction();
    /// @brief Commits (or releases the savepoint).
    [[nodiscard]] Result<void> commit();

private:
    friend class Database;
    Transaction(Database* db, bool nested, int depth);
    Database* m_db;
    bool m_nested;
    int m_depth;
    bool m_done{false};
};

/// @brief What the outermost transaction locks before it starts (see Database::transaction).
enum class WriteLock {
    Database,  ///< One writer at a time (SQLite: BEGIN IMMEDIATE; PostgreSQL: the database's advisory lock).
    RowsOnly,  ///< PostgreSQL: only the rows written (SQLite has one writer at a time whatever is asked).
};

/// @brief How Database::open treats the file.
struct OpenOptions {
    bool create{true};              ///< Create the file when it does not exist.
    bool readOnly{false};           ///< Open read-only (no journal-mode change, no migrations).
    int busyTimeoutMs{5000};        ///< How long to wait for another writer.
};

/// @brief One connection (SQLite file or PostgreSQL server) with a statement cache.
class Database {
public:
    /// @brief Opens (and with OpenOptions::create, creates) the file, or connects to the PostgreSQL server
    /// when @p path is a connection URI (isPostgresUri). Does not write to it.
    /// @retval NotFound the file (or the PostgreSQL database) does not exist and create is false
    /// @retval Io       the directory is missing or not writable; the server cannot be reached
    [[nodiscard]] static Result<Database> open(const std::filesystem::path& path, const OpenOptions& options);

    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    Database(const Database&) = delete;
    ~Database();

    /// @brief Prepares (or takes from the cache) a statement.
    [[nodiscard]] Result<Statement> prepare(std::string_view sql);
    /// @brief Runs one or more statements without parameters.
    [[nodiscard]] Result<void> exec(std::string_view sql);
    /// @brief Starts a transaction, or a savepoint when one is already open.
    /// The outermost one waits for the database's write lock (BEGIN IMMEDIATE on SQLite, an advisory lock on
    /// PostgreSQL); when that wait ends after the busy timeout it is tried again after a pause (kUnitAttempts
    /// in all), and on PostgreSQL once at once after a lost connection.
    /// @retval Busy another writer held the lock all that time
    /// With WriteLock::RowsOnly the outermost transaction on PostgreSQL takes no database-wide lock, only the
    /// row locks of what it writes: for units that write rows no other unit reads to decide anything, with no
    /// read-then-write of their own (an exam answer: one attempt's item row and an event row).
    /// @retval Io   the server cannot be reached (reason key `server.unreachable`)
    [[nodiscard]] Result<Transaction> transaction(WriteLock lock = WriteLock::Database);

    /// @brief How many times retrying() and transaction() try before they give up with Busy.
    static constexpr int kUnitAttempts = 4;

    /// @brief Runs @p work, one whole unit of work that opens and commits its own transaction (it must be safe
    /// to run again after a rollback), and runs it again after a growing, jittered pause when it fails with
    /// Busy (SQLite's busy timeout; on PostgreSQL a serialization failure, a deadlock or a lock timeout), up to
    /// kUnitAttempts times in all. Inside an open transaction it runs once: the unit to repeat is the caller's.
    /// Other failures, a lost server among them, are returned as they are: a commit whose answer was lost may
    /// have happened, so only the caller can decide to repeat it.
    /// The transactions the unit opens do not also retry their own lock waits (the retries would multiply).
    template <class F>
    [[nodiscard]] auto retrying(F&& work) -> std::invoke_result_t<F&> {
        const bool outer = !m_retrying;
        m_retrying = true;
        for (int attempt = 1;; ++attempt) {
            auto r = work();
            if (r || m_depth > 0 || r.error().code != ErrorCode::Busy || attempt >= kUnitAttempts) {
                if (outer) m_retrying = false;
                return r;
            }
            pauseBeforeRetry(attempt);
        }
    }
    /// @brief Runs a single-value query (e.g. a PRAGMA) and returns the first column of the first row as text.
    [[nodiscard]] Result<std::optional<std::string>> queryText(std::string_view sql);
    /// @brief Runs a single-value integer query.
    [[nodiscard]] Result<std::int64_t> queryInt(std::string_view sql);

    /// @brief Copies the whole database to @p destination with the online backup API, while others
    /// may keep writing; the copy is written to a temporary file, checked, then renamed into place.
    [[nodiscard]] Result<void> backupTo(const std::filesystem::path& destination);

    /// @brief The id given to the row inserted last (on PostgreSQL: `lastval()`, the identity of the last row
    /// inserted with a generated id).
    [[nodiscard]] std::int64_t lastInsertRowId() const;
    /// @brief Rows changed by the last INSERT, UPDATE or DELETE.
    [[nodiscard]] int changes() const;
    /// @brief The file, or on PostgreSQL a description of the server and database (never a password).
    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
    [[nodiscard]] bool inTransaction() const { return m_depth > 0; }
    /// @brief The form of @p password that PostgreSQL stores for role @p role, computed here with the server's
    /// `password_encryption` (SCRAM-SHA-256 by default), so that `CREATE ROLE ... PASSWORD '<this>'` never sends the
    /// password itself to the server (its log, pg_stat_activity).
    /// @retval Refused on SQLite (it has no roles)
    /// @retval Io the server could not be asked (reason `server.unreachable`)
    [[nodiscard]] Result<std::string> encryptedPassword(std::string_view role, std::string_view password);
    /// @brief Tells the center's other connections that @p topic changed once the outermost transaction commits
    /// (at once when none is open; nothing when it is rolled back). On PostgreSQL a NOTIFY on the channel
    /// kChangeChannel (change_feed.hpp) goes with the COMMIT, in the same round trip; on SQLite nothing is sent (a
    /// ChangeFeed there notices any commit to the file). @p topic is letters, digits and ":-_." (others are
    /// ignored); the same topic twice in one transaction is sent once.
    void notifyOnCommit(std::string_view topic);
    /// @brief Like notifyOnCommit, for changes so frequent that notifying inside their own transactions would cost
    /// too much: PostgreSQL serialises the commits of every transaction that NOTIFYs (a cluster-wide lock held
    /// through the commit), which would make a room's answers, saved side by side, take turns again. So @p topic
    /// is sent after the outermost commit, in a transaction of its own that does not wait for the WAL flush, and
    /// at most once a second per topic on this connection; one that comes sooner stays pending and goes with the
    /// next commit or flushNotifications() a second or more later. Nothing on SQLite.
    void notifySoon(std::string_view topic);
    /// @brief Sends the topics notifySoon() left pending whose second has passed (e.g. from a periodic report).
    void flushNotifications();
    [[nodiscard]] Backend backend() const { return m_pg ? Backend::Postgres : Backend::Sqlite; }

    /// @brief Converts an SQLite result code and the connection's message into an Error.
    [[nodiscard]] Error makeError(int rc, std::string_view context) const;

private:
    friend class Statement;
    friend class Transaction;
    friend class ChangeFeed;
    Database(sqlite3* handle, std::filesystem::path path);
    explicit Database(std::unique_ptr<detail::PgConnection> pg);
    static Result<Database> openPostgres(std::string_view uri, const OpenOptions& options);
    Result<Statement> preparePostgres(std::string_view sql);
    Result<void> execPostgres(std::string_view sql);
    Result<bool> stepPostgres(detail::PgStatement& stmt);
    std::int64_t lastInsertIdPostgres() const;
    Result<void> reconnectPostgres();
    Result<void> ensureConnectedPostgres();
    void endFailedBeginPostgres();
    void giveBack(std::string sql, sqlite3_stmt* stmt);
    void giveBack(std::string sql, std::unique_ptr<detail::PgStatement> stmt);
    void close();
    static void pauseBeforeRetry(int attempt);

    sqlite3* m_db{nullptr};
    std::unique_ptr<detail::PgConnection> m_pg;
    std::filesystem::path m_path;
    std::unordered_map<std::string, sqlite3_stmt*> m_cache;
    std::unordered_map<std::string, std::unique_ptr<detail::PgStatement>> m_pgCache;
    int m_depth{0};
    bool m_retrying{false};  ///< Inside retrying(): transaction() leaves lock waits to it.
};

/// @brief Creates @p dir and its missing parents with mode 0700 (owner only): the center's files hold full ID
/// numbers and portraits. An existing @p dir that belongs to this user loses any group/other access.
/// @retval Io the folder cannot be created (the message names it).
[[nodiscard]] Result<void> createPrivateDirectory(const std::filesystem::path& dir);

/// @brief Removes group/other access from @p file when it exists and belongs to this user (nothing otherwise).
void makeFilePrivate(const std::filesystem::path& file);

/// @brief Writes @p data to @p file (created or replaced) with mode 0600.
/// @retval Io the file cannot be written (the message names it).
[[nodiscard]] Result<void> writePrivateFile(const std::filesystem::path& file, std::string_view data);

}  // namespace training
