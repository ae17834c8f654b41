// The PostgreSQL backend's helpers: statement translation, errors by SQLSTATE, bytea decoding.
#include "postgres.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

namespace training::detail {

PgConnection::~PgConnection() {
    if (conn) PQfinish(conn);
}

void PgStatement::clearResult() {
    if (result) PQclear(result);
    result = nullptr;
    row = -1;
    executed = false;
}

PgStatement::~PgStatement() { clearResult(); }

namespace {

bool isIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// Where the text of a quoted string, quoted identifier or comment starting at @p i ends (one past it), or
/// @p i when none starts there.
std::size_t skipQuoted(std::string_view sql, std::size_t i) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
        std::size_t j = i + 1;
        while (j < sql.size()) {
            if (sql[j] == c) {
                if (j + 1 < sql.size() && sql[j + 1] == c) {
                    j += 2;  // a doubled quote stands for itself
                    continue;
                }
                return j + 1;
            }
            ++j;
        }
        return sql.size();
    }
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
        const auto end = sql.find('\n', i);
        return end == std::string_view::npos ? sql.size() : end;
    }
    if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
        const auto end = sql.find("*/", i + 2);
        return end == std::string_view::npos ? sql.size() : end + 2;
    }
    return i;
}

/// True when the parenthesised argument list opening at @p open has more than one argument.
bool hasSeveralArguments(std::string_view sql, std::size_t open) {
    int depth = 0;
    for (std::size_t j = open; j < sql.size();) {
        if (const auto end = skipQuoted(sql, j); end != j) {
            j = end;
            continue;
        }
        const char c = sql[j];
        if (c == '(') ++depth;
        if (c == ')' && --depth == 0) return false;
        if (c == ',' && depth == 1) return true;
        ++j;
    }
    return false;
}

}  // namespace

std::string translateToPostgres(std::string_view sql, int& params, std::vector<bool>& used) {
    used.clear();
    std::string out;
    out.reserve(sql.size() + 16);
    int sequential = 0;
    params = 0;
    std::size_t i = 0;
    while (i < sql.size()) {
        if (const auto end = skipQuoted(sql, i); end != i) {
            out.append(sql.substr(i, end - i));
            i = end;
            continue;
        }
        const char c = sql[i];
        if (c == '?') {
            std::size_t j = i + 1;
            int number = 0;
            while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j])))
                number = number * 10 + (sql[j++] - '0');
            if (j == i + 1) number = ++sequential;
            params = std::max(params, number);
            if (number >= 1) {
                if (used.size() < static_cast<std::size_t>(number)) used.resize(static_cast<std::size_t>(number));
                used[static_cast<std::size_t>(number - 1)] = true;
            }
            out += fmt::format("${}", number);
            i = j;
            continue;
        }
        if (isIdentChar(c) && (i == 0 || !isIdentChar(sql[i - 1]))) {
            std::size_t j = i;
            while (j < sql.size() && isIdentChar(sql[j])) ++j;
            const std::string word = lower(sql.substr(i, j - i));
            std::size_t k = j;
            while (k < sql.size() && std::isspace(static_cast<unsigned char>(sql[k]))) ++k;
            const bool call = k < sql.size() && sql[k] == '(';
            if (call && word == "instr") {
                out += "strpos";  // same argument order: (haystack, needle)
            } else if (call && (word == "max" || word == "min") && hasSeveralArguments(sql, k)) {
                out += word == "max" ? "greatest" : "least";  // SQLite's scalar max/min of several values
            } else {
                out.append(sql.substr(i, j - i));
            }
            i = j;
            continue;
        }
        out += c;
        ++i;
    }
    return out;
}

Error pgError(const PgConnection& pg, const PGresult* result, std::string_view context) {
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    std::string detail = result ? PQresultErrorMessage(result) : (pg.conn ? PQerrorMessage(pg.conn) : "");
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
    if (auto pos = detail.find('\n'); pos != std::string::npos) detail = detail.substr(0, pos);
    const std::string code = state ? state : "";
    // libpq's own failures carry no SQLSTATE; "server closed the connection unexpectedly" (after an immediate
    // shutdown or a crash) may come while the connection still reads as OK.
    const bool clientSideConnection =
        code.empty() && result && (detail.find("connection") != std::string::npos ||
                                   detail.find("could not receive data") != std::string::npos ||
                                   detail.find("could not send data") != std::string::npos);
    const bool lost = !pg.conn || PQstatus(pg.conn) != CONNECTION_OK || clientSideConnection || code.starts_with("08") || code == "57P01" ||
                      code == "57P02" || code == "57P03";
    if (lost)
        return {ErrorCode::Io,
                fmt::format("{}: lost the connection to the {} ({}); check that the PostgreSQL server is running and "
                            "reachable from this machine, then retry (the next use connects again)",
                            context, pg.description, detail.empty() ? "no answer" : detail),
                kServerUnreachable};
    if (code == "40001" || code == "40P01" || code == "55P03" || code == "57014")
        return {ErrorCode::Busy, fmt::format("{}: the {} is busy (another kiosk or program is writing to it); try "
                                             "again in a moment ({})",
                                             context, pg.description, detail)};
    if (code.starts_with("23") || code == "P0001") return {ErrorCode::Conflict, fmt::format("{}: {}", context, detail)};
    if (code.starts_with("53"))
        return {ErrorCode::Io, fmt::format("{}: the server of the {} is out of resources (disk full or too many "
                                           "connections: {}); free some and retry",
                                           context, pg.description, detail)};
    if (code == "42501" || code == "25006")
        return {ErrorCode::Io, fmt::format("{}: this connection may not write to the {} ({}); check the role in the "
                                           "connection URI",
                                           context, pg.description, detail)};
    if (code == "XX001" || code == "XX002")
        return {ErrorCode::Corrupt, fmt::format("{}: the {} reports damaged data ({}); restore it from a backup",
                                                context, pg.description, detail)};
    return {ErrorCode::Internal, fmt::format("{}: PostgreSQL error {} ({})", context, code, detail)};
}

bool isServerUnreachable(const Error& error) noexcept { return error.reason == kServerUnreachable; }

std::vector<std::uint8_t> decodeByteaHex(std::string_view text) {
    std::vector<std::uint8_t> out;
    if (!text.starts_with("\\x")) {
        out.assign(text.begin(), text.end());
        return out;
    }
    const auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return 0;
    };
    out.reserve((text.size() - 2) / 2);
    for (std::size_t i = 2; i + 1 < text.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(nibble(text[i]) * 16 + nibble(text[i + 1])));
    return out;
}

}  // namespace training::detail
