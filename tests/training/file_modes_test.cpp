// The center's files hold full ID numbers and portraits: they are created owner-only (0600 files, 0700 folders),
// whatever the umask, and existing ones lose group/other access when the store opens them.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "store_fixture.hpp"
#include "training/database.hpp"

using namespace training;
using testsupport::TempDir;

namespace {

unsigned modeOf(const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 0777;
}

/// Sets a permissive umask for the test's duration (what a careless service unit might have).
class OpenUmask {
public:
    OpenUmask() : m_old(::umask(0)) {}
    ~OpenUmask() { ::umask(m_old); }
    OpenUmask(const OpenUmask&) = delete;
    OpenUmask& operator=(const OpenUmask&) = delete;

private:
    mode_t m_old;
};

}  // namespace

TEST(FileModes, ANewDatabaseItsWalAndShmAndABackupAreOwnerOnly) {
    OpenUmask umask0;
    TempDir dir;
    auto store = Store::open(dir / "c.db", {.create = true});
    ASSERT_TRUE(store) << store.error().message;
    {
        auto tx = (*store)->database().transaction();  // audit rows are written inside a transaction
        ASSERT_TRUE(tx);
        ASSERT_TRUE((*store)->audit("test", "test.write", "x", "{}"));  // the WAL holds the write
        ASSERT_TRUE(tx->commit());
    }
    EXPECT_EQ(modeOf(dir / "c.db"), 0600u);
    ASSERT_TRUE(std::filesystem::exists(dir / "c.db-wal"));
    EXPECT_EQ(modeOf(dir / "c.db-wal"), 0600u);
    ASSERT_TRUE(std::filesystem::exists(dir / "c.db-shm"));
    EXPECT_EQ(modeOf(dir / "c.db-shm"), 0600u);
    ASSERT_TRUE((*store)->backupTo(dir / "backup.db", "test"));
    EXPECT_EQ(modeOf(dir / "backup.db"), 0600u);
}

TEST(FileModes, AnExistingWorldReadableDatabaseIsMadePrivateOnOpen) {
    TempDir dir;
    {
        auto store = Store::open(dir / "c.db", {.create = true});
        ASSERT_TRUE(store) << store.error().message;
    }
    ASSERT_EQ(::chmod((dir / "c.db").c_str(), 0644), 0);
    auto store = Store::open(dir / "c.db", {});
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_EQ(modeOf(dir / "c.db"), 0600u);
}

TEST(FileModes, PrivateFoldersAndFiles) {
    OpenUmask umask0;
    TempDir dir;
    ASSERT_TRUE(createPrivateDirectory(dir / "a" / "b"));
    EXPECT_EQ(modeOf(dir / "a"), 0700u);
    EXPECT_EQ(modeOf(dir / "a" / "b"), 0700u);
    std::filesystem::create_directory(dir / "open");
    ASSERT_EQ(::chmod((dir / "open").c_str(), 0755), 0);
    ASSERT_TRUE(createPrivateDirectory(dir / "open"));
    EXPECT_EQ(modeOf(dir / "open"), 0700u) << "an existing folder of ours is made private";
    ASSERT_TRUE(writePrivateFile(dir / "f", "secret"));
    EXPECT_EQ(modeOf(dir / "f"), 0600u);
}
