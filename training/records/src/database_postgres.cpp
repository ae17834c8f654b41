// training::Database on PostgreSQL: connecting, prepared statements, commands (libpq's synchronous API).
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fmt/format.h>

#include "postgres.hpp"
#include "training/database.hpp"

namespace training {
namespace {


std::string orEmpty(const char* s) { return s ? std::string(s) : std::string(); }

bool succeeded(const PGresult* r) {
    const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    return status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
}

/// Remembers the command tag of @p r and, for INSERT, UPDATE and DELETE, how many rows it changed.
void noteCommand(detail::PgConnection& pg, const PGresult* r) {
    const std::string tag = orEmpty(PQcmdStatus(const_cast<PGresult*>(r)));
    pg.lastCommand = tag.substr(0, tag.find(' '));
    if (pg.lastCommand == "INSERT" || pg.lastCommand == "UPDATE" || pg.lastCommand == "DELETE" ||
        pg.lastCommand == "MERGE")
        pg.lastChanges = std::atoll(PQcmdTuples(const_cast<PGresult*>(r)));
}

}  // namespace

std::string postgresDatabaseName(std::string_view uri) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(std::string(uri).c_str(), &error);
    if (error) PQfreemem(error);
    if (!options) return {};
    std::string dbname, user;
    for (const PQconninfoOption* o = options; o->keyword; ++o) {
        if (!o->val || !*o->val) continue;
        if (std::string_view(o->keyword) == "dbname") dbname = o->val;
        else if (std::string_view(o->keyword) == "user") user = o->val;
    }
    PQconninfoFree(options);
    const auto fromEnv = [](const char* name) {
        const char* v = std::getenv(name);
        return std::string(v ? v : "");
    };
    if (dbname.empty()) dbname = fromEnv("PGDATABASE");
    if (dbname.empty()) dbname = user;
    if (dbname.empty()) dbname = fromEnv("PGUSER");
    if (dbname.empty())
        if (const passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_name) dbname = pw->pw_name;
    return dbname;
}

Result<std::string> Database::encryptedPassword(std::string_view role, std::string_view password) {
    if (!m_pg) return fail(ErrorCode::Refused, "an SQLite database has no roles or passwords");
    if (auto r = ensureConnectedPostgres(); !r) return std::unexpected(r.error());
    const std::string user(role), secret(password);
    char* encrypted = PQencryptPasswordConn(m_pg->conn, secret.c_str(), user.c_str(), nullptr);
    if (!encrypted) return std::unexpected(detail::pgError(*m_pg, nullptr, "encrypting a role's password"));
    std::string out(encrypted);
    PQfreemem(encrypted);
    return out;
}

Result<Database> Database::openPostgres(std::string_view uri, const OpenOptions& options) {
    auto pg = std::make_unique<detail::PgConnection>();
    const std::string conninfo(uri);
    // Defaults a kiosk needs to notice a server that went away at once rather than after the operating system's
    // TCP timeouts (minutes): connecting gives up after 5 s, unanswered data after 10 s, an idle connection is
    // probed by keepalives. They come before the URI, whose own settings win (libpq's expand_dbname rule).
    const char* const keywords[] = {"connect_timeout", "tcp_user_timeout", "keepalives_idle", "keepalives_interval",
                                    "keepalives_count", "dbname", nullptr};
    const char* const values[] = {"5", "10000", "10", "5", "3", conninfo.c_str(), nullptr};
    pg->conn = PQconnectdbParams(keywords, values, 1);
    if (!pg->conn) return fail(ErrorCode::Io, "cannot start a PostgreSQL connection (out of memory)");
    const std::string host = orEmpty(PQhost(pg->conn));
    pg->description = fmt::format("PostgreSQL database {} on {}:{}", orEmpty(PQdb(pg->conn)),
                                  host.empty() ? "localhost" : host, orEmpty(PQport(pg->conn)));
    if (PQstatus(pg->conn) != CONNECTION_OK) {
        std::string message = orEmpty(PQerrorMessage(pg->conn));
        while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
        if (message.find("database \"") != std::string::npos && message.find("does not exist") != std::string::npos)
            return fail(ErrorCode::NotFound,
                        fmt::format("there is no {} ({}); create it first (createdb, or CREATE DATABASE by a role "
                                    "that may) or pass the right connection URI with --db",
                                    pg->description, message));
        return fail(ErrorCode::Io,
                    fmt::format("cannot connect to the {} ({}); check that the PostgreSQL server is running and "
                                "reachable, and that the connection URI given with --db (or [database] path) names "
                                "the right host, port, database and user",
                                pg->description, message),
                    detail::kServerUnreachable);
    }
    PQsetClientEncoding(pg->conn, "UTF8");
    // Commits wait for the server's WAL flush ("saved" means saved, whatever the server's or the role's default);
    // lock waits end after the busy timeout. Run again after each reconnection.
    pg->settings = fmt::format("SET synchronous_commit = on; SET lock_timeout = {}; "
                               "SET client_min_messages = warning",
                               std::max(1, options.busyTimeoutMs));
    if (options.readOnly) pg->settings += "; SET default_transaction_read_only = on";
    Database db(std::move(pg));
    if (auto r = db.exec(db.m_pg->settings); !r) return std::unexpected(r.error());
    return db;
}

Result<void> Database::reconnectPostgres() {
    // Only between transactions: statements of an open transaction must never run outside it on a new session.
    if (m_depth > 0)
        return std::unexpected(detail::pgError(*m_pg, nullptr, "database (the transaction was lost with the server)"));
    PQreset(m_pg->conn);
    if (PQstatus(m_pg->conn) != CONNECTION_OK)
        return std::unexpected(detail::pgError(*m_pg, nullptr, "reconnecting"));
    ++m_pg->generation;  // the server forgot the prepared statements: each is prepared again at its next run
    PQsetClientEncoding(m_pg->conn, "UTF8");
    PGresult* r = PQexec(m_pg->conn, m_pg->settings.c_str());
    if (!succeeded(r)) {
        auto error = detail::pgError(*m_pg, r, "reconnecting");
        PQclear(r);
        return std::unexpected(std::move(error));
    }
    PQclear(r);
    return {};
}

void Database::endFailedBeginPostgres() {
    // A BEGIN whose lock wait failed leaves an aborted transaction open; a lost connection leaves nothing.
    if (PQstatus(m_pg->conn) == CONNECTION_OK && PQtransactionStatus(m_pg->conn) != PQTRANS_IDLE)
        PQclear(PQexec(m_pg->conn, "ROLLBACK"));
}

Result<void> Database::ensureConnectedPostgres() {
    if (m_depth > 0 || PQstatus(m_pg->conn) == CONNECTION_OK) return {};
    return reconnectPostgres();
}

Result<Statement> Database::preparePostgres(std::string_view sql) {
    std::string key(sql);
    if (auto it = m_pgCache.find(key); it != m_pgCache.end()) {
        auto stmt = std::move(it->second);
        m_pgCache.erase(it);
        return Statement(this, std::move(stmt), std::move(key));
    }
    auto stmt = std::make_unique<detail::PgStatement>();
    stmt->translated = detail::translateToPostgres(key, stmt->paramCount, stmt->used);
    stmt->name = fmt::format("k{}", ++m_pg->nextStatement);
    stmt->values.resize(static_cast<std::size_t>(stmt->paramCount));
    stmt->formats.assign(static_cast<std::size_t>(stmt->paramCount), 0);
    stmt->types.assign(static_cast<std::size_t>(stmt->paramCount), 0);
    stmt->used.resize(static_cast<std::size_t>(stmt->paramCount), false);
    return Statement(this, std::move(stmt), std::move(key));
}

void Database::giveBack(std::string sql, std::unique_ptr<detail::PgStatement> stmt) {
    stmt->clearResult();
    for (auto& v : stmt->values) v.reset();
    std::fill(stmt->formats.begin(), stmt->formats.end(), 0);
    // A second statement with the same text (both were in use at once) stays prepared on the server until the
    // connection closes: rare, and a DEALLOCATE could fail inside an aborted transaction.
    if (!m_pg || m_pgCache.contains(sql)) return;
    m_pgCache.emplace(std::move(sql), std::move(stmt));
}

Result<bool> Database::stepPostgres(detail::PgStatement& stmt) {
    if (!stmt.executed)
        if (auto c = ensureConnectedPostgres(); !c) return std::unexpected(c.error());
    if (stmt.prepared && stmt.generation != m_pg->generation) stmt.prepared = false;
    if (!stmt.prepared) {
        // A parameter the statement does not use (a query built from optional parts) is declared text: nothing
        // else tells its type.
        std::vector<Oid> types = stmt.types;
        for (std::size_t i = 0; i < types.size(); ++i)
            if (!stmt.used[i]) types[i] = detail::kPgTextOid;
        PGresult* r = PQprepare(m_pg->conn, stmt.name.c_str(), stmt.translated.c_str(), stmt.paramCount,
                                types.data());
        if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
            auto error = detail::pgError(*m_pg, r, fmt::format("preparing '{}'", stmt.translated));
            PQclear(r);
            return std::unexpected(std::move(error));
        }
        PQclear(r);
        stmt.prepared = true;
        stmt.generation = m_pg->generation;
    }
    if (!stmt.executed) {
        const auto n = stmt.values.size();
        std::vector<const char*> values(n, nullptr);
        std::vector<int> lengths(n, 0);
        for (std::size_t i = 0; i < n; ++i) {
            if (!stmt.values[i]) continue;
            values[i] = stmt.values[i]->data();
            lengths[i] = static_cast<int>(stmt.values[i]->size());
        }
        PGresult* r = PQexecPrepared(m_pg->conn, stmt.name.c_str(), static_cast<int>(n), values.data(),
                                     lengths.data(), stmt.formats.data(), 0);
        if (!succeeded(r)) {
            auto error = detail::pgError(*m_pg, r, "database");
            PQclear(r);
            return std::unexpected(std::move(error));
        }
        noteCommand(*m_pg, r);
        stmt.result = r;
        stmt.row = -1;
        stmt.executed = true;
    }
    ++stmt.row;
    if (stmt.row < PQntuples(stmt.result)) return true;
    stmt.clearResult();  // as on SQLite, a step after the last row runs the statement again
    return false;
}

Result<void> Database::execPostgres(std::string_view sql) {
    if (auto c = ensureConnectedPostgres(); !c) return c;
    const std::string copy(sql);
    PGresult* r = PQexec(m_pg->conn, copy.c_str());
    if (!succeeded(r)) {
        auto error = detail::pgError(*m_pg, r, "database");
        PQclear(r);
        return std::unexpected(std::move(error));
    }
    noteCommand(*m_pg, r);
    PQclear(r);
    return {};
}

std::int64_t Database::lastInsertIdPostgres() const {
    // lastval() fails when no identity was drawn on this connection yet: inside a transaction that failure must
    // not abort it, so it runs inside a savepoint there.
    const bool inTx = m_depth > 0;
    if (inTx) PQclear(PQexec(m_pg->conn, "SAVEPOINT k_lastval"));
    PGresult* r = PQexec(m_pg->conn, "SELECT lastval()");
    std::int64_t id = 0;
    const bool ok = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    if (ok) {
        const char* v = PQgetvalue(r, 0, 0);
        std::from_chars(v, v + PQgetlength(r, 0, 0), id);
    }
    PQclear(r);
    if (inTx) PQclear(PQexec(m_pg->conn, ok ? "RELEASE k_lastval" : "ROLLBACK TO k_lastval; RELEASE k_lastval"));
    return id;
}

}  // namespace training
