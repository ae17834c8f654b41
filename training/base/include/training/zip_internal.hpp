#pragma once
/// @file zip_internal.hpp
/// @brief A minimal zip writer (stored entries, UTF-8 names, fixed 1980-01-01 timestamps) for training/ only.

#include <string>
#include <utility>
#include <vector>

namespace training::detail {

/// @brief Zip of (name, content) pairs, stored without compression; the same input always gives the same bytes.
[[nodiscard]] std::string makeZip(const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace training::detail
