#pragma once
/// @file postgres.hpp
/// @brief The PostgreSQL backend of training::Database (private to training/records): a thin layer over
/// libpq's synchronous API, one connection, server-side prepared statements.

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "training/error.hpp"

namespace training::detail {

/// @brief The key of the transaction-scoped advisory lock that every writing transaction takes, so that
/// writers take turns as they do on SQLite ("BADG").
///
/// Kept on purpose rather than narrowed to the audit chain's head: every unit of work of the store was written
/// for one writer at a time (read, decide, write: rosters, seats, attempt numbers, PIN lockouts, the audit
/// head), and under this lock each stays correct at READ COMMITTED with no row-lock ordering to get wrong, so
/// there is no lost update and no deadlock, and the audit chain stays one chain. The lock is held only for the
/// few statements and the commit of one unit (about a millisecond for an answer); reads take no lock. A wait
/// longer than the lock timeout is retried by Database::transaction() before anything ran. The exam screen's
/// saves (blind writes of one attempt's rows) take only row locks: WriteLock::RowsOnly.
inline constexpr std::int64_t kPgWriteLockKey = 0x42414447;

inline constexpr Oid kPgInt8Oid = 20;
inline constexpr Oid kPgTextOid = 25;
inline constexpr Oid kPgFloat8Oid = 701;
inline constexpr Oid kPgByteaOid = 17;

/// @brief The reason key (Error::reason) of a failure because the PostgreSQL server cannot be reached.
inline constexpr const char* kServerUnreachable = "server.unreachable";

/// @brief One libpq connection and what the last command reported.
struct PgConnection {
    PGconn* conn{nullptr};
    std::string description;  ///< "PostgreSQL database D on H:P as U" (never a password).
    std::string settings;     ///< The session's SET commands, run again after a reconnection.
    std::uint64_t generation{1};  ///< Grows with each reconnection: statements prepared before it are gone.
    long long lastChanges{0};
    std::string lastCommand;  ///< The command tag of the last command ("INSERT", "COMMIT", "ROLLBACK", ...).
    int nextStatement{0};
    std::vector<std::string> pendingNotify;  ///< Topics to NOTIFY with the outermost COMMIT (notifyOnCommit).
    std::vector<std::string> soonNotify;     ///< Topics to NOTIFY after it, once a second at most (notifySoon).
    std::map<std::string, std::chrono::steady_clock::time_point> soonSent;  ///< When each was sent last.
    ~PgConnection();
};

/// @brief One prepared statement with its parameters and the result of its last execution. It is prepared on
/// the server when it first runs, with the types of the values bound then (integers as int8, reals as float8,
/// blobs as bytea; text and NULL left for the server to infer): SQLite's untyped `CASE WHEN ? ... THEN ? END`
/// has nothing else to tell the type from.
struct PgStatement {
    std::string name;                              ///< The server-side prepared statement's name.
    int paramCount{0};
    std::vector<std::optional<std::string>> values; ///< Text form, or raw bytes for a blob.
    std::vector<int> formats;                      ///< 0 text, 1 binary (blobs).
    std::vector<Oid> types;                        ///< Of the values bound: int8, float8, bytea, or 0 (inferred).
    std::string translated;                        ///< The statement in PostgreSQL's dialect.
    std::vector<bool> used;                        ///< Which parameters the statement refers to.
    bool prepared{false};                          ///< Prepared on the server (at its first execution).
    std::uint64_t generation{0};                   ///< The connection's generation it was prepared in.
    PGresult* result{nullptr};
    int row{-1};
    bool executed{false};
    ~PgStatement();
    void clearResult();
};

/// @brief Translates a statement written for SQLite into PostgreSQL's dialect: `?` and `?N` placeholders
/// become `$n`; `INSERT OR IGNORE` becomes `INSERT ... ON CONFLICT DO NOTHING`; `instr(` becomes `strpos(`.
/// Quoted text and comments are left as they are. @p params receives the number of parameters (the highest
/// number used) and @p used, for each, whether the statement refers to it (`?3` may come without `?1`).
[[nodiscard]] std::string translateToPostgres(std::string_view sql, int& params, std::vector<bool>& used);

/// @brief Converts a failed libpq result (or, with @p result null, the connection's state) into an Error with
/// the code of the failure (SQLSTATE): serialization failures, deadlocks and lock timeouts are Busy, constraint
/// violations Conflict, a lost connection Io naming the server with the reason key kServerUnreachable.
[[nodiscard]] Error pgError(const PgConnection& pg, const PGresult* result, std::string_view context);

/// @brief True when @p error says that the server cannot be reached (the connection was lost or refused).
[[nodiscard]] bool isServerUnreachable(const Error& error) noexcept;

/// @brief Decodes a bytea value in PostgreSQL's hex text form (`\x0a1b...`).
[[nodiscard]] std::vector<std::uint8_t> decodeByteaHex(std::string_view text);

}  // namespace training::detail
