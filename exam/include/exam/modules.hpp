#pragma once
/// @file modules.hpp
/// @brief The modules of the home-service badge syllabus (product.md §2).

#include <optional>
#include <span>
#include <string_view>

namespace exam {

/// @brief One syllabus module: a stable code used in question banks, courses and sessions.
struct ModuleInfo {
    std::string_view code;    ///< Stable ASCII code, e.g. "ethics".
    std::string_view nameZh;  ///< Display name in zh-CN.
    std::string_view nameEn;  ///< Display name in English.
    int defaultMinutes;       ///< Default required contact time for the badge course.
    bool examinedByDefault;   ///< Whether the default exam blueprint covers it.
};

/// @brief The seven modules of the badge course, in syllabus order.
[[nodiscard]] std::span<const ModuleInfo> badgeModules() noexcept;

/// @brief Looks a module up by its code; `std::nullopt` when the code is unknown.
[[nodiscard]] std::optional<ModuleInfo> findModule(std::string_view code) noexcept;

}  // namespace exam
