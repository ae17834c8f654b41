#pragma once
/// @file uscc.hpp
/// @brief Unified social credit codes of organisations (统一社会信用代码, GB 32100-2015).

#include <string>
#include <string_view>

#include "training/error.hpp"

namespace training {

/// @brief The GB 32100-2015 check character for the first 17 characters.
/// @pre every character is in the code's alphabet "0123456789ABCDEFGHJKLMNPQRTUWXY".
[[nodiscard]] char usccCheckCharacter(std::string_view first17) noexcept;

/// @brief Validates a unified social credit code and returns it normalised (upper case, no spaces).
///
/// Checks: 18 characters from the alphabet (no I, O, S, V, Z), a 6-digit administrative region code
/// in positions 3-8, and the check character in position 18.
/// @retval InvalidInput naming the failed check.
[[nodiscard]] Result<std::string> validateUscc(std::string_view input);

}  // namespace training
