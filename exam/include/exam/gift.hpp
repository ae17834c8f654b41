#pragma once
/// @file gift.hpp
/// @brief Importer for Moodle's GIFT format (the subset the badge exam can use).
///
/// Supported: `//` comment lines; `::title::` (becomes the question id); `$CATEGORY: a/b/c` (a path segment
/// equal to a module code or its zh/en name picks the module of the following questions, otherwise a
/// warning); the `[html]` `[moodle]` `[plain]` `[markdown]` format markers (removed); single choice
/// `{=right ~wrong ~%-25%wrong}`; multiple response `{~%50%a ~%50%b ~%-100%c}`; true/false `{T}` `{F}`
/// `{TRUE}` `{FALSE}` (optionally `{T#feedback if wrong#feedback if right}`); per-answer `#feedback`
/// (kept on the option; also the explanation when there is no general feedback) and general
/// `####feedback` (the explanation); escapes `\~ \= \# \{ \} \:` and `\n`.
/// Text of the form "中文 / English" is split into the two languages; English may be absent.
///
/// Skipped with a warning naming the line: essay `{}`, matching (`->`), numerical `{#...}`, short answer
/// (only `=` answers), missing word (text after the closing brace), description (no braces).

#include <string_view>

#include "exam/import.hpp"

namespace exam {

/// @brief Parses GIFT text. Never fails as a whole: problems are diagnostics in the result.
[[nodiscard]] ImportResult importGift(std::string_view text, const ImportOptions& options);

}  // namespace exam
