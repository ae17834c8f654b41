// Copying an SQLite center database into an empty PostgreSQL database (store_copy.hpp).
#include "training/store_copy.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "training/schema.hpp"

namespace training {
namespace {

/// A table of the source: its columns with their declared types, and the tables it refers to.
struct SourceTable {
    std::string name;
    std::vector<std::string> columns;
    std::vector<std::string> types;  ///< Declared types, upper-case.
    std::set<std::string> references;
};

std::string sqlName(std::string_view name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string upperCase(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

Result<std::vector<SourceTable>> sourceTables(Database& db) {
    auto names = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                            "ORDER BY name");
    if (!names) return propagate(names);
    std::vector<SourceTable> tables;
    if (auto r = names->forEachRow([&](Statement& row) { tables.push_back({row.text(0), {}, {}, {}}); }); !r)
        return propagate(r);
    for (auto& t : tables) {
        auto info = db.prepare(fmt::format("PRAGMA table_info({})", sqlName(t.name)));
        if (!info) return propagate(info);
        if (auto r = info->forEachRow([&](Statement& row) {
                t.columns.push_back(row.text(1));
                t.types.push_back(upperCase(row.text(2)));
            });
            !r)
            return propagate(r);
        auto fks = db.prepare(fmt::format("PRAGMA foreign_key_list({})", sqlName(t.name)));
        if (!fks) return propagate(fks);
        if (auto r = fks->forEachRow([&](Statement& row) {
                if (row.text(2) != t.name) t.references.insert(row.text(2));
            });
            !r)
            return propagate(r);
    }
    // Referenced tables first, so that every foreign key finds its row.
    std::vector<SourceTable> ordered;
    std::set<std::string> done;
    while (!tables.empty()) {
        const auto ready = std::ranges::find_if(tables, [&](const SourceTable& t) {
            return std::ranges::all_of(t.references, [&](const std::string& r) {
                return done.contains(r) || std::ranges::none_of(tables, [&](const SourceTable& o) {
                           return o.name == r;
                       });
            });
        });
        if (ready == tables.end())
            return fail(ErrorCode::Internal,
                        fmt::format("the tables of {} refer to each other in a cycle (first: {}); they cannot be "
                                    "copied in an order that satisfies their foreign keys",
                                    db.path().string(), tables.front().name));
        done.insert(ready->name);
        ordered.push_back(std::move(*ready));
        tables.erase(ready);
    }
    return ordered;
}

/// The tables of the target's schema (kiosk_meta aside) and how many rows they hold altogether.
Result<std::pair<std::vector<std::string>, std::int64_t>> targetContents(Database& db) {
    auto names = db.prepare("SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
                            "AND tablename <> 'kiosk_meta' ORDER BY tablename");
    if (!names) return propagate(names);
    std::vector<std::string> tables;
    if (auto r = names->forEachRow([&](Statement& row) { tables.push_back(row.text(0)); }); !r) return propagate(r);
    std::int64_t rows = 0;
    for (const auto& t : tables) {
        auto n = db.queryInt(fmt::format("SELECT count(*) FROM {}", sqlName(t)));
        if (!n) return propagate(n);
        rows += *n;
    }
    return std::pair{std::move(tables), rows};
}

Error notEmpty(const std::string& where, std::string_view what) {
    return Error{ErrorCode::Refused,
                 fmt::format("{} is not empty ({}); 'db copy' only fills an empty database, so that nothing there is "
                             "overwritten or mixed with this center. It was left untouched: create a new database "
                             "(createdb -O OWNER NAME) and copy into that",
                             where, what)};
}

Result<void> copyTable(Database& from, Database& to, const SourceTable& table, const std::set<std::string>& targetColumns,
                       std::int64_t& rows) {
    for (const auto& c : table.columns)
        if (!targetColumns.contains(c))
            return fail(ErrorCode::Internal,
                        fmt::format("the column {}.{} of the source has no place in the target's schema; the two "
                                    "programs' schema versions differ: copy with the kioskctl of the source's version",
                                    table.name, c));
    std::string cols;
    std::string marks;
    for (const auto& c : table.columns) {
        cols += (cols.empty() ? "" : ", ") + sqlName(c);
        marks += marks.empty() ? "?" : ", ?";
    }
    auto select = from.prepare(fmt::format("SELECT {} FROM {} ORDER BY rowid", cols, sqlName(table.name)));
    if (!select) return propagate(select);
    auto insert = to.prepare(fmt::format("INSERT INTO {} ({}) VALUES ({})", sqlName(table.name), cols, marks));
    if (!insert) return propagate(insert);
    return select->forEachRow([&](Statement& row) -> Result<void> {
        insert->reset();
        for (int i = 0; i < static_cast<int>(table.columns.size()); ++i) {
            const std::string& type = table.types[static_cast<std::size_t>(i)];
            if (row.isNull(i)) insert->bind(i + 1, nullptr);
            else if (type.find("INT") != std::string::npos) insert->bind(i + 1, row.int64(i));
            else if (type.find("REAL") != std::string::npos || type.find("DOUB") != std::string::npos ||
                     type.find("FLOA") != std::string::npos)
                insert->bind(i + 1, row.real(i));
            else if (type.find("BLOB") != std::string::npos) insert->bind(i + 1, row.blob(i));
            else insert->bind(i + 1, row.text(i));
        }
        if (auto r = insert->run(); !r)
            return fail(r.error().code, fmt::format("copying a row of {} failed: {}", table.name, r.error().message));
        ++rows;
        return {};
    });
}

}  // namespace

Result<CopyReport> copyToPostgres(Store& source, std::string_view targetUri, const Actor& actor) {
    Database& from = source.database();
    if (from.backend() != Backend::Sqlite)
        return fail(ErrorCode::InvalidInput,
                    fmt::format("'db copy' copies a center's SQLite file; {} is a PostgreSQL database already (copy "
                                "one server's database to another with pg_dump and pg_restore)",
                                from.path().string()));
    if (!isPostgresUri(targetUri))
        return fail(ErrorCode::InvalidInput,
                    fmt::format("the target '{}' is not a PostgreSQL connection URI; give one such as "
                                "postgresql://kiosk@server/center (see README, 'Center with many kiosks')",
                                targetUri));
    const std::filesystem::path uri{std::string(targetUri)};
    // The checks first, on a plain connection: nothing is written to a database that is not empty.
    std::string where;
    {
        auto probe = Database::open(uri, OpenOptions{.create = false});
        if (!probe) return propagate(probe);
        where = probe->path().string();
        auto stamp = readSchemaStamp(*probe);
        if (!stamp) return propagate(stamp);
        if (!stamp->stamped && stamp->tables != 0)
            return std::unexpected(notEmpty(where, fmt::format("it holds {} table(s) of another application",
                                                               stamp->tables)));
        if (stamp->stamped && stamp->applicationId != kApplicationId)
            return std::unexpected(notEmpty(where, "it holds another application's tables"));
        if (stamp->stamped) {
            auto contents = targetContents(*probe);
            if (!contents) return propagate(contents);
            if (contents->second != 0)
                return std::unexpected(notEmpty(where, fmt::format("it holds a center already: {} row(s)",
                                                                   contents->second)));
        }
    }
    // The schema by the normal path (the migrations, one transaction), then the rows in one transaction.
    auto target = Store::open(uri, StoreOptions{.create = true}, nullptr);
    if (!target) return propagate(target);
    Database& to = (*target)->database();
    auto tables = sourceTables(from);
    if (!tables) return propagate(tables);
    // The source's write lock for the whole copy: no change made meanwhile can be left behind.
    auto readTx = from.transaction();
    if (!readTx) return propagate(readTx);
    auto tx = to.transaction();
    if (!tx) return propagate(tx);
    auto contents = targetContents(to);  // again, under the target's write lock: another copy may have run
    if (!contents) return propagate(contents);
    if (contents->second != 0)
        return std::unexpected(notEmpty(where, fmt::format("it holds a center already: {} row(s)", contents->second)));
    const std::set<std::string> targetTables(contents->first.begin(), contents->first.end());

    CopyReport report;
    report.target = where;
    report.schemaVersion = source.schemaVersion();
    for (const auto& table : *tables) {
        if (!targetTables.contains(table.name))
            return fail(ErrorCode::Internal,
                        fmt::format("the table {} of the source has no place in the target's schema; the two "
                                    "programs' schema versions differ: copy with the kioskctl of the source's version",
                                    table.name));
        auto colStmt = to.prepare("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                                  "current_schema() AND table_name = ?");
        if (!colStmt) return propagate(colStmt);
        colStmt->bindAll(table.name);
        std::set<std::string> targetColumns;
        if (auto r = colStmt->forEachRow([&](Statement& row) { targetColumns.insert(row.text(0)); }); !r)
            return propagate(r);
        std::int64_t rows = 0;
        if (auto r = copyTable(from, to, table, targetColumns, rows); !r) return propagate(r);
        report.tables.push_back({table.name, rows});
        report.rows += rows;
    }
    // Each identity continues after the highest id copied.
    auto identities = to.prepare("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema "
                                 "= current_schema() AND is_identity = 'YES' ORDER BY table_name");
    if (!identities) return propagate(identities);
    std::vector<std::pair<std::string, std::string>> idColumns;
    if (auto r = identities->forEachRow([&](Statement& row) { idColumns.emplace_back(row.text(0), row.text(1)); }); !r)
        return propagate(r);
    for (const auto& [table, column] : idColumns) {
        auto max = to.queryInt(fmt::format("SELECT COALESCE(MAX({}), 0) FROM {}", sqlName(column), sqlName(table)));
        if (!max) return propagate(max);
        if (*max == 0) continue;
        auto set = to.prepare("SELECT setval(pg_get_serial_sequence(?, ?), ?)");
        if (!set) return propagate(set);
        if (auto r = set->bindAll(sqlName(table), column, *max).run(); !r) return propagate(r);
    }
    // Every table's rows arrived.
    for (const auto& t : report.tables) {
        auto n = to.queryInt(fmt::format("SELECT count(*) FROM {}", sqlName(t.name)));
        if (!n) return propagate(n);
        auto m = from.queryInt(fmt::format("SELECT count(*) FROM {}", sqlName(t.name)));
        if (!m) return propagate(m);
        if (*n != *m || *n != t.rows)
            return fail(ErrorCode::Internal, fmt::format("the copy of {} holds {} row(s) but the source {}; nothing "
                                                         "was committed",
                                                         t.name, *n, *m));
    }
    nlohmann::json details{{"from", from.path().string()}, {"rows", report.rows},
                           {"schema", report.schemaVersion}};
    if (auto r = (*target)->audit(actor, "db.copy", "database", details.dump()); !r) return propagate(r);
    auto verified = (*target)->verifyAudit();
    if (!verified) return propagate(verified);
    if (!verified->intact)
        return fail(ErrorCode::Internal,
                    fmt::format("the copied audit chain does not verify ({}); nothing was committed. Check the source "
                                "with 'kioskctl audit verify'",
                                verified->problem));
    report.auditRows = verified->rowsChecked;
    if (auto r = tx->commit(); !r) return propagate(r);
    return report;
}

}  // namespace training
