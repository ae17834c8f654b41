#pragma once
// A store on a fresh temporary file with a manual clock, for the training tests; on a database of its own on the
// PostgreSQL test cluster when the suite runs with KIOSK_TEST_PG_URI_FILE (see pg_test_database.hpp).

#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "pg_test_database.hpp"
#include "test_support.hpp"
#include "training/store.hpp"

namespace testsupport {

inline constexpr std::int64_t kNoon = 1795838400;  // 2026-11-28T12:00:00+08:00

class StoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (onPostgres()) {
            m_pg.emplace();
            ASSERT_FALSE(m_pg->uri().empty()) << "no PostgreSQL test database";
        }
        m_clock = std::make_shared<training::ManualClock>(kNoon);
        auto s = training::Store::open(dbPath(), {.create = true}, m_clock);
        ASSERT_TRUE(s) << s.error().message;
        m_store = std::move(*s);
        auto c = m_store->initCenter("T01", "测试中心", "test");
        ASSERT_TRUE(c) << c.error().message;
    }
    /// The center database: a file in the test's folder, or the URI of the test's PostgreSQL database.
    [[nodiscard]] std::filesystem::path dbPath() const {
        return m_pg ? std::filesystem::path(m_pg->uri()) : m_dir / "center.db";
    }
    training::Worker addWorker(const std::string& first17, const std::string& name) {
        training::WorkerIdentity id;
        std::string number = first17;
        number.push_back(training::chinaIdCheckCharacter(first17));
        id.docNumber = number;
        id.name = name;
        auto w = m_store->addWorker(id, {}, "test");
        EXPECT_TRUE(w) << w.error().message;
        return w.value_or(training::Worker{});
    }

    TempDir m_dir;
    std::optional<PgTestDatabase> m_pg;
    std::shared_ptr<training::ManualClock> m_clock;
    std::unique_ptr<training::Store> m_store;
};

}  // namespace testsupport
