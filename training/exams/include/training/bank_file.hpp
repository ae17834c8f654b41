#pragma once
/// @file bank_file.hpp
/// @brief The native question-bank file: one human-editable UTF-8 TOML file per bank
/// (format documented in assets/question-banks/README.md).
///
/// Reading never stops at the first problem: every malformed question is reported with its line and
/// skipped, and the valid ones are kept. Writing then reading gives back the same bank.

#include <string>
#include <string_view>
#include <vector>

#include "exam/import.hpp"
#include "exam/question.hpp"

namespace training {

/// @brief What reading a native bank file produced.
struct NativeBankResult {
    exam::Bank bank;                            ///< Header and the valid questions, in file order.
    std::vector<exam::Diagnostic> diagnostics;  ///< Line-numbered, in line order.
    int failed{0};                              ///< Questions left out because they are malformed.
    bool headerValid{false};                    ///< The [bank] table was present and valid.
};

/// @brief Parses a native bank file. @p sourceName is used in messages (e.g. the file name).
[[nodiscard]] NativeBankResult parseNativeBank(std::string_view text, std::string_view sourceName);

/// @brief Writes a bank in the native format (only the keys that differ from their defaults are
/// written for option weights).
[[nodiscard]] std::string writeNativeBank(const exam::Bank& bank);

}  // namespace training
