// Where the center's own files are (center::CenterPaths::forDatabase): beside a database file, and for a
// PostgreSQL URI (which has no folder) the given center folder, $KIOSK_CENTER_DIR, else the data folder.

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <string>

#include "center/operations.hpp"
#include "training/database.hpp"

namespace {

using center::CenterPaths;

/// Sets environment variables for one test and puts the previous values back.
class EnvTest : public ::testing::Test {
protected:
    void TearDown() override {
        for (const auto& [name, value] : m_saved) {
            if (value) ::setenv(name.c_str(), value->c_str(), 1);
            else ::unsetenv(name.c_str());
        }
    }
    void set(const std::string& name, const std::optional<std::string>& value) {
        if (!m_saved.contains(name)) {
            const char* old = std::getenv(name.c_str());
            m_saved[name] = old ? std::optional<std::string>(old) : std::nullopt;
        }
        if (value) ::setenv(name.c_str(), value->c_str(), 1);
        else ::unsetenv(name.c_str());
    }
    void SetUp() override {
        set("KIOSK_CENTER_DIR", std::nullopt);
        set("KIOSK_CENTER_KEY", std::nullopt);
        set("XDG_DATA_HOME", "/data");
        set("PGDATABASE", std::nullopt);
        set("PGUSER", std::nullopt);
    }

private:
    std::map<std::string, std::optional<std::string>> m_saved;
};

class CenterPathsTest : public EnvTest {};

TEST_F(CenterPathsTest, ADatabaseFileKeepsItsFilesBesideIt) {
    const auto p = CenterPaths::forDatabase("/var/lib/badge-kiosk/center.db");
    EXPECT_EQ(p.database, "/var/lib/badge-kiosk/center.db");
    EXPECT_EQ(p.directory, "/var/lib/badge-kiosk");
    EXPECT_EQ(p.key, "/var/lib/badge-kiosk/center.db.center-key");
    EXPECT_EQ(p.batches, "/var/lib/badge-kiosk/submissions");
}

TEST_F(CenterPathsTest, AUriUsesTheDataFolderNamedAfterItsDatabase) {
    auto p = CenterPaths::forDatabase("postgresql://kiosk@db.example.cn:5432/center_t01?sslmode=verify-full");
    EXPECT_EQ(p.directory, "/data/badge-kiosk/postgresql-center_t01");
    EXPECT_EQ(p.key, "/data/badge-kiosk/postgresql-center_t01/center.key");
    EXPECT_EQ(p.batches, "/data/badge-kiosk/postgresql-center_t01/submissions");
    // The socket form with the database in the path.
    p = CenterPaths::forDatabase("postgresql:///kiosk?host=/run/postgresql&port=5433&user=clerk");
    EXPECT_EQ(p.directory, "/data/badge-kiosk/postgresql-kiosk");
    // No database in the URI: libpq connects to the user's database, and so is the folder named.
    p = CenterPaths::forDatabase("postgres://clerk@db.example.cn");
    EXPECT_EQ(p.directory, "/data/badge-kiosk/postgresql-clerk");
    set("PGDATABASE", "fromenv");
    EXPECT_EQ(CenterPaths::forDatabase("postgres://clerk@db.example.cn").directory,
              "/data/badge-kiosk/postgresql-fromenv");
    // A name with a path in it stays one folder.
    p = CenterPaths::forDatabase("postgresql:///a%2F..%2Fb?host=/tmp");
    EXPECT_EQ(training::postgresDatabaseName("postgresql:///a%2F..%2Fb?host=/tmp"), "a/../b");
    EXPECT_EQ(p.directory, "/data/badge-kiosk/postgresql-a____b");
    // Without XDG_DATA_HOME: ~/.local/share.
    set("XDG_DATA_HOME", std::nullopt);
    set("HOME", "/home/clerk");
    EXPECT_EQ(CenterPaths::forDatabase("postgresql:///kiosk").directory,
              "/home/clerk/.local/share/badge-kiosk/postgresql-kiosk");
}

TEST_F(CenterPathsTest, AGivenFolderThenTheEnvironmentWinForBothBackends) {
    set("KIOSK_CENTER_DIR", "/srv/center-env");
    auto p = CenterPaths::forDatabase("postgresql:///kiosk");
    EXPECT_EQ(p.key, "/srv/center-env/center.key");
    EXPECT_EQ(p.batches, "/srv/center-env/submissions");
    p = CenterPaths::forDatabase("postgresql:///kiosk", "/srv/center");
    EXPECT_EQ(p.directory, "/srv/center");
    EXPECT_EQ(p.key, "/srv/center/center.key");
    EXPECT_EQ(p.batches, "/srv/center/submissions");
    // A file with a center folder given: the folder holds its files too.
    p = CenterPaths::forDatabase("/var/lib/badge-kiosk/center.db", "/srv/center");
    EXPECT_EQ(p.key, "/srv/center/center.key");
    EXPECT_EQ(p.batches, "/srv/center/submissions");
    // $KIOSK_CENTER_KEY names the key file in every case.
    set("KIOSK_CENTER_KEY", "/etc/badge-kiosk/key");
    EXPECT_EQ(CenterPaths::forDatabase("postgresql:///kiosk", "/srv/center").key, "/etc/badge-kiosk/key");
    EXPECT_EQ(CenterPaths::forDatabase("/var/lib/badge-kiosk/center.db").key, "/etc/badge-kiosk/key");
    EXPECT_EQ(CenterPaths::forDatabase("/var/lib/badge-kiosk/center.db").batches, "/srv/center-env/submissions");
}

}  // namespace
