#pragma once
/// @file schema.hpp
/// @brief Versioned schema migrations of the center database.
///
/// `PRAGMA user_version` holds the schema version and `PRAGMA application_id` marks the file as ours.
/// Migrations are applied in order, all pending ones in one transaction, when a store is opened.
/// Later capabilities (exam sittings, documents) append migrations to the list; a migration is never
/// edited once released.

#include <cstdint>
#include <span>
#include <string_view>

#include "training/database.hpp"

namespace training {

/// @brief The value of `PRAGMA application_id` in every center database ("BADG").
inline constexpr std::int32_t kApplicationId = 0x42414447;

/// @brief One schema step: from version - 1 to version.
struct Migration {
    int version;
    std::string_view description;
    std::string_view sql;
};

/// @brief All migrations, in order; the last one's version is the current schema version.
[[nodiscard]] std::span<const Migration> migrations() noexcept;

/// @brief The schema version this build writes.
[[nodiscard]] int currentSchemaVersion() noexcept;

/// @brief Applies the migrations after the file's version up to @p target, in one transaction.
/// Exposed for tests that build databases at earlier versions.
/// @retval SchemaTooNew the file's version is above @p target
[[nodiscard]] Result<int> migrateTo(Database& db, int target);

}  // namespace training
