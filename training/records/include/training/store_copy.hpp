#pragma once
/// @file store_copy.hpp
/// @brief Moving a center up: copying its SQLite database into an empty PostgreSQL database (`kioskctl db copy`).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "training/store.hpp"

namespace training {

/// @brief One table copied and its row count (the same on both sides).
struct CopiedTable {
    std::string name;
    std::int64_t rows{0};
};

/// @brief What copyToPostgres did.
struct CopyReport {
    std::string target;               ///< The target as Database::path() describes it (never a password).
    int schemaVersion{0};             ///< The schema version of both databases.
    std::vector<CopiedTable> tables;  ///< In the order they were copied (referenced tables first).
    std::int64_t rows{0};             ///< All rows copied.
    std::int64_t auditRows{0};        ///< Audit rows verified on the target (the copied chain and its db.copy row).
};

/// @brief Copies every row of the SQLite center database behind @p source (workers, images, consents, staff,
/// exams, certificates, the audit chain: every table, ids kept) into the empty PostgreSQL database @p targetUri.
///
/// The target's schema is made by the normal migration path (schema.hpp), everything is written in one
/// transaction (a failure leaves the target as empty as it was), each identity is set past the highest id copied,
/// and the target gets one audit row "db.copy" by @p actor at the end of the copied chain. The target's chain is
/// then verified and every table's row count compared with the source's.
/// @retval InvalidInput   @p targetUri is not a PostgreSQL connection URI, or @p source is not an SQLite database
/// @retval Refused        the target holds tables already (a center or anything else): it is left untouched
/// @retval Io             the server cannot be reached
/// @retval Internal       a table or column of the source has no place in the target, or the copy does not
///                        verify (row counts, audit chain); nothing was committed then
[[nodiscard]] Result<CopyReport> copyToPostgres(Store& source, std::string_view targetUri, const Actor& actor);

}  // namespace training
