#pragma once
/// @file roles.hpp
/// @brief The role matrix: which staff roles may run each kioskctl command and open each staff screen of the
/// kiosk. One table (roles.cpp) read by both programs; README "Staff roles" documents it.

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "training/records.hpp"

namespace kiosk {

/// @brief Roles as bits of a mask.
enum RoleBit : unsigned {
    kAdmin = 1u << 0,
    kTrainer = 1u << 1,
    kClerk = 1u << 2,
    kAnyStaff = kAdmin | kTrainer | kClerk,
};

/// @brief One row of the matrix.
struct Permission {
    std::string_view action;  ///< "kioskctl worker show", "kiosk screen proctor", ...
    unsigned roles;           ///< RoleBit mask; 0 = open to anyone, no staff sign-in
    std::string_view why;     ///< what the action touches (README column)
    /// Also runs as the appliance's scheduled job (`kioskctl --system-job NAME`, the daily backup and purge): no
    /// staff member signs in; the operating-system account that owns the center database is the authority.
    bool systemJob{false};
};

/// @brief The whole matrix, in README order.
[[nodiscard]] std::span<const Permission> permissions();

/// @brief The row of @p action, or nullopt when the table has none (callers refuse unknown actions).
[[nodiscard]] std::optional<Permission> findPermission(std::string_view action);

/// @brief The bit of @p role.
[[nodiscard]] unsigned roleBit(training::Role role) noexcept;

/// @brief Whether @p role may do @p action (false for an action not in the table).
[[nodiscard]] bool allowed(std::string_view action, training::Role role);

/// @brief "admin, trainer" for a mask; "anyone" for 0.
[[nodiscard]] std::string rolesText(unsigned roles);

}  // namespace kiosk
