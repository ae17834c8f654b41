#pragma once
/// @file import.hpp
/// @brief Results and options shared by the text importers (gift.hpp, aiken.hpp).
///
/// Importers never write anything: they turn text into questions plus line-numbered diagnostics, so a
/// "dry run" is simply not storing the result. A malformed question is reported and skipped; the others
/// are still imported. Every imported question has passed validateQuestion().

#include <string>
#include <vector>

#include "exam/question.hpp"

namespace exam {

/// @brief How serious a diagnostic is.
enum class Severity {
    Warning,  ///< Something was skipped or guessed (unsupported question type, unmapped category); the rest is fine.
    Error,    ///< A question is malformed and was not imported.
};

/// @brief Stable name of a severity ("warning", "error").
[[nodiscard]] std::string_view severityName(Severity severity) noexcept;

/// @brief One message about the imported text.
struct Diagnostic {
    int line{0};  ///< 1-based line in the imported text.
    Severity severity{Severity::Error};
    std::string message;  ///< What is wrong and what to do; names the question id or title when known.
};

/// @brief What an import produced.
struct ImportResult {
    std::vector<Question> questions;       ///< Valid questions, in file order (version 1).
    std::vector<Diagnostic> diagnostics;   ///< In line order.
    int skipped{0};                        ///< Questions left out on purpose (unsupported types), each with a warning.
    int failed{0};                         ///< Malformed questions, each with at least one error.

    /// @brief Number of diagnostics of a severity.
    [[nodiscard]] int count(Severity severity) const noexcept;
};

/// @brief A module a GIFT category may name: its code and display names (from the course's syllabus).
struct ModuleName {
    std::string code;    ///< Stable ASCII code, e.g. "safety".
    std::string nameZh;  ///< zh-CN name, e.g. "安全知识".
    std::string nameEn;  ///< English name, e.g. "Safety knowledge".
};

/// @brief Caller's choices for an import.
struct ImportOptions {
    /// The modules of the course the questions are for: a GIFT `$CATEGORY:` path segment that equals a code or a
    /// name (ASCII case-insensitive) sets the module of the questions below it. The engine knows no syllabus of
    /// its own: the course data does (training's course modules).
    std::vector<ModuleName> modules;
    /// Module code for questions whose module the text does not give (always for Aiken; GIFT questions
    /// before any `$CATEGORY:` or under a category that names no module). Empty: such questions are errors.
    std::string defaultModule;
    int defaultDifficulty{1};     ///< Difficulty 1-3 for every imported question.
    std::string idPrefix{"q"};    ///< Ids for questions without a title: prefix + 1-based number in the file.
    /// Scoring mode of the bank the questions go to. Proportional: a wrong answer of a multiple-response
    /// question without a weight (GIFT `~text`) gets defaultWrongWeight(), so ticking everything does not pay.
    MultipleScoring scoring{MultipleScoring::AllOrNothing};
};

}  // namespace exam
