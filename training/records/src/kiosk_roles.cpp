// Kiosk roles on a center server (kiosk_roles.hpp).
#include "training/kiosk_roles.hpp"

#include <libpq-fe.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace training {
namespace {

// What a kiosk does, as grants to the kiosks' group role (schema version 8 made the views of kiosk_api).
constexpr std::string_view kKioskGrants = R"sql(
GRANT USAGE ON SCHEMA kiosk_api TO {group};
GRANT EXECUTE ON FUNCTION kiosk_api.claim_worker(text, text), kiosk_api.looked_up() TO {group};
GRANT SELECT, INSERT, UPDATE ON kiosk_api.workers, kiosk_api.consents, kiosk_api.attendance,
  kiosk_api.sitting_candidates, kiosk_api.attempts, kiosk_api.attempt_items TO {group};
GRANT SELECT, INSERT, UPDATE, DELETE ON kiosk_api.worker_images TO {group};
GRANT SELECT, INSERT ON kiosk_api.roster, kiosk_api.attempt_events, kiosk_api.audit_log TO {group};
GRANT SELECT ON kiosk_api.certificates, kiosk_api.batch_items TO {group};
GRANT SELECT ON public.center, public.agencies, public.courses, public.course_modules, public.sessions,
  public.sittings, public.sitting_pauses, public.question_banks, public.questions, public.certification_rules,
  public.trusted_keys, public.former_keys, public.revocations, public.kiosk_meta TO {group};
GRANT SELECT, INSERT, UPDATE ON public.audit_head TO {group};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {group};
)sql";

Result<void> requireServer(Store& store) {
    if (store.database().backend() != Backend::Postgres)
        return fail(ErrorCode::Refused,
                    fmt::format("kiosk logins are roles of a center's PostgreSQL server; {} is an SQLite file, which "
                                "kiosks on this one machine use directly (see README, 'Center with many kiosks')",
                                store.database().path().string()));
    return {};
}

Result<std::string> checkName(std::string_view name) {
    const bool valid = !name.empty() && name.size() <= 16 && std::ranges::all_of(name, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
    if (!valid)
        return fail(ErrorCode::InvalidInput,
                    fmt::format("the kiosk name '{}' must be 1 to 16 letters, digits, '-' or '_' (e.g. K01)", name));
    return std::string(name);
}

/// Lower-case letters, digits and '_' only (role names are built from it and the kiosk's name).
std::string roleWord(std::string_view s) {
    std::string out;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        out += std::isalnum(u) && u < 0x80 ? static_cast<char>(std::tolower(u)) : '_';
    }
    return out;
}

std::string ident(std::string_view name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

struct RoleNames {
    std::string database;
    std::string group;
    std::string role;
};

Result<RoleNames> roleNames(Store& store, std::string_view kiosk) {
    auto db = store.database().queryText("SELECT current_database()");
    if (!db) return propagate(db);
    RoleNames n{db->value_or(""), "", ""};
    n.group = roleWord(n.database) + "_kiosks";
    n.role = roleWord(n.database) + "_kiosk_" + roleWord(kiosk);
    if (n.role.size() > 63)
        return fail(ErrorCode::InvalidInput,
                    fmt::format("the role name {} would be longer than PostgreSQL's 63 characters: give the kiosk a "
                                "shorter name",
                                n.role));
    return n;
}

Result<bool> roleExists(Database& db, const std::string& role) {
    auto stmt = db.prepare("SELECT count(*) FROM pg_catalog.pg_roles WHERE rolname = ?");
    if (!stmt) return propagate(stmt);
    stmt->bindAll(role);
    auto row = stmt->step();
    if (!row) return propagate(row);
    const bool exists = *row && stmt->int64(0) > 0;
    stmt->reset();
    return exists;
}

std::string percentEncoded(std::string_view s) {
    std::string out;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') out += c;
        else out += fmt::format("%{:02X}", u);
    }
    return out;
}

/// The center's URI with @p user and @p password in place of its own (every other setting kept: host, port,
/// sslmode, sslrootcert, ...).
Result<std::string> kioskUri(std::string_view centerUri, const std::string& user, const std::string& password) {
    char* error = nullptr;
    const std::string uri(centerUri);
    std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconninfoParse(uri.c_str(), &error),
                                                                          &PQconninfoFree);
    if (!options) {
        std::string why = error ? error : "out of memory";
        PQfreemem(error);
        return fail(ErrorCode::InvalidInput, fmt::format("the center's connection URI cannot be parsed: {}", why));
    }
    std::string database;
    std::string query = "user=" + percentEncoded(user) + "&password=" + percentEncoded(password);
    for (auto* o = options.get(); o->keyword; ++o) {
        if (!o->val || !*o->val) continue;
        const std::string_view key = o->keyword;
        if (key == "user" || key == "password" || key == "passfile") continue;
        if (key == "dbname") {
            database = o->val;
            continue;
        }
        query += "&" + std::string(key) + "=" + percentEncoded(o->val);
    }
    return fmt::format("postgresql:///{}?{}", percentEncoded(database), query);
}

std::string generatePassword() {
    static constexpr std::string_view kAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    std::string pw;
    for (int i = 0; i < 24; ++i) pw += kAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kAlphabet.size()))];
    return pw;
}

Result<void> execAll(Database& db, std::string_view sql, std::string_view what) {
    if (auto r = db.exec(sql); !r)
        return fail(r.error().code == ErrorCode::Io ? ErrorCode::Io : ErrorCode::Internal,
                    fmt::format("{} failed: {} (the center's connection needs the CREATEROLE attribute: "
                                "ALTER ROLE OWNER CREATEROLE as the postgres superuser)",
                                what, r.error().message));
    return {};
}

}  // namespace

Result<KioskLogin> addKioskRole(Store& store, std::string_view centerUri, std::string_view name, const Actor& actor) {
    if (auto r = requireServer(store); !r) return propagate(r);
    auto kiosk = checkName(name);
    if (!kiosk) return propagate(kiosk);
    auto names = roleNames(store, *kiosk);
    if (!names) return propagate(names);
    Database& db = store.database();
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    auto exists = roleExists(db, names->role);
    if (!exists) return propagate(exists);
    if (*exists)
        return fail(ErrorCode::Conflict,
                    fmt::format("kiosk {} has a login already (role {}); its password is not shown again: remove it "
                                "with 'kioskctl kiosk remove {}' and add it again for a new one",
                                *kiosk, names->role, *kiosk));
    auto group = roleExists(db, names->group);
    if (!group) return propagate(group);
    if (!*group)
        if (auto r = execAll(db, fmt::format("CREATE ROLE {} NOLOGIN", ident(names->group)), "creating the kiosks' role");
            !r)
            return propagate(r);
    std::string grants(kKioskGrants);
    for (auto at = grants.find("{group}"); at != std::string::npos; at = grants.find("{group}", at))
        grants.replace(at, 7, ident(names->group));
    if (auto r = execAll(db, grants, "granting the kiosks' rights"); !r) return propagate(r);
    const std::string password = generatePassword();
    // Only the verifier goes to the server (SCRAM-SHA-256: letters, digits and "$:+/=", safe inside the quotes).
    auto verifier = db.encryptedPassword(names->role, password);
    if (!verifier) return propagate(verifier);
    if (verifier->find('\'') != std::string::npos)
        return fail(ErrorCode::Internal, "the server's password verifier has an unexpected form");
    if (auto r = execAll(db,
                         fmt::format("CREATE ROLE {} LOGIN PASSWORD '{}' IN ROLE {}; "
                                     "ALTER ROLE {} IN DATABASE {} SET search_path = kiosk_api, public",
                                     ident(names->role), *verifier, ident(names->group), ident(names->role),
                                     ident(names->database)),
                         "creating the kiosk's role");
        !r)
        return propagate(r);
    nlohmann::json details{{"role", names->role}};
    if (auto r = store.audit(actor, "kiosk.add", "kiosk:" + *kiosk, details.dump()); !r) return propagate(r);
    auto uri = kioskUri(centerUri, names->role, password);
    if (!uri) return propagate(uri);
    if (auto r = tx->commit(); !r) return propagate(r);
    return KioskLogin{*kiosk, names->role, *uri};
}

Result<std::string> removeKioskRole(Store& store, std::string_view name, const Actor& actor) {
    if (auto r = requireServer(store); !r) return propagate(r);
    auto kiosk = checkName(name);
    if (!kiosk) return propagate(kiosk);
    auto names = roleNames(store, *kiosk);
    if (!names) return propagate(names);
    Database& db = store.database();
    {
        auto tx = db.transaction();
        if (!tx) return propagate(tx);
        auto exists = roleExists(db, names->role);
        if (!exists) return propagate(exists);
        if (!*exists)
            return fail(ErrorCode::NotFound,
                        fmt::format("kiosk {} has no login on this server (no role {}); 'kioskctl kiosk add {}' makes "
                                    "one",
                                    *kiosk, names->role, *kiosk));
        if (auto r = execAll(db, fmt::format("ALTER ROLE {} NOLOGIN", ident(names->role)), "revoking the kiosk's login");
            !r)
            return propagate(r);
        nlohmann::json details{{"role", names->role}};
        if (auto r = store.audit(actor, "kiosk.remove", "kiosk:" + *kiosk, details.dump()); !r) return propagate(r);
        if (auto r = tx->commit(); !r) return propagate(r);
    }
    // Its open connections end now where this connection may end them (it can no longer log in either way).
    auto end = db.prepare("SELECT count(pg_catalog.pg_terminate_backend(pid)) FROM pg_catalog.pg_stat_activity "
                          "WHERE usename = ?");
    if (end) {
        end->bindAll(names->role);
        (void)end->run();
    }
    if (auto r = execAll(db, fmt::format("DROP ROLE IF EXISTS {}", ident(names->role)), "dropping the kiosk's role"); !r)
        return propagate(r);
    return names->role;
}

}  // namespace training
