#pragma once
/// @file paper.hpp
/// @brief Blueprints (what a sitting asks) and papers (the questions one candidate gets, drawn deterministically).

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "exam/error.hpp"
#include "exam/question.hpp"

namespace exam {

/// @brief How many questions of one module, and at which difficulties.
struct BlueprintSection {
    std::string module;  ///< Module code of the course (course data; isValidModuleCode).
    int count{0};        ///< Number of questions. With `levels` set it must equal their sum (0 = take the sum).
    /// Questions per difficulty 1, 2, 3; empty = any difficulty.
    std::optional<std::array<int, 3>> levels;
};

/// @brief A sitting's blueprint.
struct Blueprint {
    std::vector<BlueprintSection> sections;
    std::chrono::seconds duration{std::chrono::minutes{60}};  ///< Working time before extra time and pauses.
    double passMark{80.0};                                    ///< Out of 100.
    bool shuffleOptions{true};     ///< Shuffle each item's options (the order is recorded in the paper).
    bool shuffleQuestions{false};  ///< Shuffle the item order across sections (otherwise blueprint order).

    /// @brief Total number of questions asked (after resolving `count == 0` sections with levels).
    [[nodiscard]] int totalQuestions() const noexcept;
};

/// @brief Checks a blueprint: known modules, positive counts, level counts adding up, duration > 0,
/// pass mark within 0..100. Error code InvalidInput naming the section.
[[nodiscard]] Result<void> validateBlueprint(const Blueprint& blueprint);

/// @brief One item of a paper: the question version shown and the order of its options.
struct PaperItem {
    Question question;             ///< The exact version shown (attempts keep it even if the bank changes).
    std::vector<int> optionOrder;  ///< optionOrder[display position] = original option index.

    /// @brief Original option index shown at a display position (-1 when out of range).
    [[nodiscard]] int originalIndex(int displayPosition) const noexcept;
    /// @brief Display position of an original option index (-1 when out of range).
    [[nodiscard]] int displayPosition(int originalIndex) const noexcept;
};

/// @brief The questions one candidate answers in one attempt.
struct Paper {
    std::string bankId;
    std::uint64_t seed{0};
    MultipleScoring scoring{MultipleScoring::AllOrNothing};
    double passMark{80.0};
    std::chrono::seconds duration{std::chrono::minutes{60}};
    std::vector<PaperItem> items;
};

/// @brief Draws a paper from a bank.
///
/// Deterministic: the same bank content (in any order), blueprint, seed and seen set give the same paper.
/// Only the newest version of each question id is used and no id appears twice. Questions whose id is in
/// `seenQuestionIds` (earlier attempts of this worker) are taken only when the unseen ones do not suffice.
/// Unseen questions whose concept tag is in `seenConcepts` (the concepts of those earlier questions) come
/// after the other unseen ones and before seen ones, and a paper holds two questions of one concept only
/// when its module (and difficulty) has nothing else left: a retake asks other points, not only other ids,
/// and falls back gracefully when the bank runs short.
/// Sections with explicit difficulty levels are filled before "any difficulty" sections.
/// @return the paper, or ErrorCode::InvalidInput (bad blueprint) / ErrorCode::Shortfall, whose message names
///         each module (and difficulty) that lacks questions and how many are missing.
[[nodiscard]] Result<Paper> assemblePaper(const Bank& bank, const Blueprint& blueprint, std::uint64_t seed,
                                          const std::set<std::string>& seenQuestionIds = {},
                                          const std::set<std::string>& seenConcepts = {});

}  // namespace exam
