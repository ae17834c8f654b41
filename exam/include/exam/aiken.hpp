#pragma once
/// @file aiken.hpp
/// @brief Importer for the Aiken format.
///
/// A question is a stem line (further lines before the first option are appended), options `A) text`
/// or `A. text` (capital letters in order), then `ANSWER: X`. Questions may be separated by blank lines.
/// `ANSWER: A, C` (several letters) makes a multiple-response question with equal weights (an extension).
/// Aiken carries no module or difficulty: they come from ImportOptions. Ids are idPrefix + number.
/// Errors (reported with the line, question skipped, the rest imported): too few options, no ANSWER
/// line, an answer letter that is not an option, an option without a stem, an empty option.

#include <string_view>

#include "exam/import.hpp"

namespace exam {

/// @brief Parses Aiken text. Never fails as a whole: problems are diagnostics in the result.
[[nodiscard]] ImportResult importAiken(std::string_view text, const ImportOptions& options);

}  // namespace exam
