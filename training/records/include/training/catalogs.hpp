#pragma once
/// @file catalogs.hpp
/// @brief Fixed vocabularies of the worker profile: service types and education levels.

#include <span>
#include <string_view>

#include "training/error.hpp"

namespace training {

/// @brief A code with its zh-CN and English labels.
struct CatalogEntry {
    std::string_view code;
    std::string_view zh;
    std::string_view en;
};

/// @brief Service types a worker may offer (家政服务类别).
[[nodiscard]] std::span<const CatalogEntry> serviceTypes() noexcept;
/// @brief Education levels (学历).
[[nodiscard]] std::span<const CatalogEntry> educationLevels() noexcept;

/// @brief Checks @p code against @p catalog; the error lists the allowed codes.
[[nodiscard]] Result<void> checkCatalogCode(std::span<const CatalogEntry> catalog, std::string_view code,
                                            std::string_view what);

}  // namespace training
