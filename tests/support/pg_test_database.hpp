#pragma once
/// @file pg_test_database.hpp
/// @brief A PostgreSQL database of its own for one test, on the private cluster of the `pg` CTest fixture
/// (tests/support/pg_fixture.sh). The fixture writes the cluster's connection URI to the file named by
/// KIOSK_TEST_PG_URI_FILE; a suite registered with that variable runs its store tests on PostgreSQL.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "test_support.hpp"
#include "training/database.hpp"

namespace testsupport {

/// @brief True when this test run targets the PostgreSQL fixture (KIOSK_TEST_PG_URI_FILE is set).
inline bool onPostgres() { return !env("KIOSK_TEST_PG_URI_FILE").empty(); }

/// @brief The fixture cluster's URI with another database name in it.
inline std::string withDatabase(const std::string& uri, const std::string& name) {
    const auto authority = uri.find("://");
    const auto slash = uri.find('/', authority == std::string::npos ? 0 : authority + 3);
    if (slash == std::string::npos) return uri + "/" + name;
    const auto query = uri.find('?', slash);
    return uri.substr(0, slash + 1) + name + (query == std::string::npos ? "" : uri.substr(query));
}

/// @brief CREATE DATABASE with a name unique to this process on construction, DROP (FORCE) on destruction,
/// so that tests run in parallel on one cluster.
class PgTestDatabase {
public:
    PgTestDatabase() {
        static std::atomic<int> counter{0};
        m_admin = trim(readFile(env("KIOSK_TEST_PG_URI_FILE")));
        m_name = "kiosk_t_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
        auto admin = training::Database::open(m_admin, {});
        if (!admin) {
            ADD_FAILURE() << "the PostgreSQL test cluster cannot be reached: " << admin.error().message;
            return;
        }
        (void)admin->exec("DROP DATABASE IF EXISTS " + m_name + " WITH (FORCE)");
        if (auto r = admin->exec("CREATE DATABASE " + m_name); !r) {
            ADD_FAILURE() << r.error().message;
            return;
        }
        m_uri = withDatabase(m_admin, m_name);
    }
    ~PgTestDatabase() {
        if (m_uri.empty()) return;
        if (auto admin = training::Database::open(m_admin, {}); admin)
            (void)admin->exec("DROP DATABASE IF EXISTS " + m_name + " WITH (FORCE)");
    }
    PgTestDatabase(const PgTestDatabase&) = delete;
    PgTestDatabase& operator=(const PgTestDatabase&) = delete;
    /// @brief The connection URI of this test's database.
    [[nodiscard]] const std::string& uri() const { return m_uri; }
    /// @brief The URI of the cluster's maintenance database (for CREATE/DROP DATABASE).
    [[nodiscard]] const std::string& adminUri() const { return m_admin; }

private:
    static std::string trim(std::string s) {
        while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
        return s;
    }
    std::string m_admin;
    std::string m_name;
    std::string m_uri;
};

/// @brief Every byte of @p db's files on the server at rest (its tables, their TOAST tables, indexes and maps), after
/// a CHECKPOINT wrote the shared buffers out. Needs the fixture's superuser (CHECKPOINT, data_directory) and the
/// server on this machine, as the `pg` fixture's is: a test looks for data that must be gone (an erasure).
inline std::string pgBytesAtRest(training::Database& db) {
    EXPECT_TRUE(db.exec("CHECKPOINT"));
    auto dataDir = db.queryText("SHOW data_directory");
    auto oid = db.queryInt("SELECT oid FROM pg_database WHERE datname = current_database()");
    EXPECT_TRUE(dataDir && *dataDir && oid) << "the test cluster's superuser reads its data directory";
    if (!dataDir || !*dataDir || !oid) return {};
    const auto folder = std::filesystem::path(**dataDir) / "base" / std::to_string(*oid);
    std::string all;
    std::error_code ec;
    for (const auto& f : std::filesystem::directory_iterator(folder, ec))
        if (f.is_regular_file()) all += readFile(f.path());
    EXPECT_FALSE(ec) << folder << ": " << ec.message();
    EXPECT_GT(all.size(), 100000u) << "the database's files were read";
    return all;
}

}  // namespace testsupport
