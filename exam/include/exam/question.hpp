#pragma once
/// @file question.hpp
/// @brief Question model: types, bilingual text, weighted options, versions, banks, validation, item scoring.
///
/// Every question type is stored as a list of options with a weight in percent:
/// - single choice: exactly one option worth 100, the others 0 or negative;
/// - multiple response: the positive weights add up to 100, wrong options 0 or negative (GIFT `~%-50%`);
/// - true/false: two options, "正确 / True" and "错误 / False", the right one worth 100.
/// Responses are sets of ORIGINAL option indices (positions in `Question::options`), independent of the
/// display order chosen when a paper shuffles options.

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace exam {

/// @brief A text in zh-CN (the primary language, required) with an optional English translation.
struct LocalizedText {
    std::string zh;  ///< Simplified Chinese (or the only text the author gave).
    std::string en;  ///< English translation; may be empty.
    bool operator==(const LocalizedText&) const = default;
};

/// @brief The kinds of question the engine supports.
enum class QuestionType {
    SingleChoice,      ///< One right option among several.
    MultipleResponse,  ///< Several options may be right; scored per bank (see MultipleScoring).
    TrueFalse,         ///< A statement that is true or false.
};

/// @brief Stable lowercase name of a type ("single", "multiple", "truefalse").
[[nodiscard]] std::string_view questionTypeName(QuestionType type) noexcept;

/// @brief One answer option.
struct Option {
    LocalizedText text;
    double weight{0.0};      ///< Percent of the item's credit, -100..100 (GIFT's `%n%`). > 0 means correct.
    LocalizedText feedback;  ///< Per-option feedback (GIFT `#...`); may be empty.
    bool operator==(const Option&) const = default;
};

/// @brief One version of one question.
struct Question {
    std::string id;        ///< Stable id within a bank (never reused for a different question).
    int version{1};        ///< 1, 2, ...: editing the content makes a new version (see revise()).
    std::string module;    ///< Module code of the course (e.g. "safety"; the course data says which exist).
    int difficulty{1};     ///< 1 (easy) .. 3 (hard).
    QuestionType type{QuestionType::SingleChoice};
    std::string title;     ///< Optional short title (GIFT `::title::`), for authors only.
    LocalizedText stem;
    std::vector<Option> options;
    std::string imagePath;  ///< Optional image, relative to the bank's folder (see isConfinedImagePath); empty when none.
    LocalizedText explanation;
    /// Optional concept tag (lower-case letters, digits and '-', e.g. "gas-leak-first-step"): questions that
    /// test the same point in other words share it, so that a retake avoids the point, not only the id.
    /// Empty when none. Part of the content: changing it makes a new version.
    std::string conceptTag;

    /// @brief True when option `index` carries a positive weight.
    [[nodiscard]] bool isCorrect(std::size_t index) const noexcept {
        return index < options.size() && options[index].weight > 0.0;
    }
    /// @brief True when everything but the version number is equal (used to decide whether an edit needs a new version).
    [[nodiscard]] bool sameContent(const Question& other) const;
    bool operator==(const Question&) const = default;
};

/// @brief Builds a true/false question's two options ("正确 / True", "错误 / False") with the right one worth 100.
[[nodiscard]] std::vector<Option> trueFalseOptions(bool statementIsTrue);

/// @brief Returns `edited` with the version it must carry when it replaces `current` (same id):
/// `current.version` when the content is unchanged, `current.version + 1` otherwise.
[[nodiscard]] Question revise(const Question& current, Question edited);

/// @brief How a bank scores multiple-response questions.
enum class MultipleScoring {
    AllOrNothing,  ///< Full credit only when exactly the options with positive weight are chosen.
    Proportional,  ///< Sum of the chosen options' weights (negative included), floored at 0, capped at 100%.
};

/// @brief Stable name of a scoring mode ("all-or-nothing", "proportional").
[[nodiscard]] std::string_view multipleScoringName(MultipleScoring scoring) noexcept;

/// @brief The weight a wrong option of a multiple-response question gets in a proportional bank when its author
/// gave none: -100 divided by the number of wrong options (Moodle's recommendation), so that ticking every
/// option scores 0 instead of full marks. 0 when @p wrongOptions is 0.
[[nodiscard]] double defaultWrongWeight(int wrongOptions) noexcept;

/// @brief In a proportional bank (@p scoring), gives every wrong option of a multiple-response question
/// defaultWrongWeight() when none of its wrong options carries a weight (all are 0): an unweighted question
/// must not reward ticking everything. Other questions and all-or-nothing banks are left as they are.
/// @return true when @p question was changed.
bool applyDefaultWrongWeights(Question& question, MultipleScoring scoring);

/// @brief A question bank: the current version of each of its questions.
struct Bank {
    std::string id;  ///< Stable bank id (e.g. "badge-default").
    LocalizedText title;
    MultipleScoring scoring{MultipleScoring::AllOrNothing};
    std::vector<Question> questions;

    /// @brief The question with this id (highest version if several), or nullptr.
    [[nodiscard]] const Question* find(std::string_view questionId) const noexcept;
};

/// @brief True when @p code is a valid module code: the same form as a concept tag (e.g. "safety"). Which
/// codes exist is the course's business (training's course modules), not the engine's.
[[nodiscard]] bool isValidModuleCode(std::string_view code) noexcept;

/// @brief True when @p tag is a valid concept tag: 1 to 64 characters, lower-case ASCII letters, digits and
/// '-', neither starting nor ending with '-'.
[[nodiscard]] bool isValidConceptTag(std::string_view tag) noexcept;

/// @brief True when @p path stays inside the bank's folder: relative, not empty, no '..' component, no
/// backslash, no control character. A question's image is read from the bank's folder joined with it.
[[nodiscard]] bool isConfinedImagePath(std::string_view path);

/// @brief Checks one question. Returns human-readable problems (empty when valid); each message starts
/// with the question id (e.g. "question q7 v1: ...") and says how to fix it. No line numbers: the
/// importers add those.
[[nodiscard]] std::vector<std::string> validateQuestion(const Question& question);

/// @brief Checks a bank: its id, every question (validateQuestion) and duplicate (id, version) pairs.
[[nodiscard]] std::vector<std::string> validateBank(const Bank& bank);

/// @brief Credit for one response, 0.0 .. 1.0.
/// @param chosen original option indices the candidate chose (order irrelevant; duplicates and
///        out-of-range indices are ignored). Empty = unanswered = 0.
/// Single choice / true-false: the chosen option's weight / 100 (floored at 0) when exactly one is chosen.
/// Multiple response: see MultipleScoring.
[[nodiscard]] double scoreResponse(const Question& question, MultipleScoring scoring, std::span<const int> chosen);

}  // namespace exam
