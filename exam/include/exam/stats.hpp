#pragma once
/// @file stats.hpp
/// @brief Item and sitting statistics from a plain response matrix (attempts x items), in one pass.
///
/// Definitions (n = attempts that saw the item, k = items, x = item credit 0..1, T = attempt total credit):
/// - facility F = mean(x) (0..1; Moodle shows it as a percentage);
/// - discrimination = Pearson correlation of x with the rest of the test T - x over the attempts that saw
///   the item (Moodle's "discrimination index", here -1..1); empty when either variance is 0;
/// - attempt score = 100 * T / (items presented to that attempt);
/// - mean, median, standard deviation (sample, n - 1) of attempt scores;
/// - Cronbach's alpha = k / (k - 1) * (1 - sum var(x_i) / var(T)), equal to KR-20 when all credits are 0/1;
///   computed only when every attempt saw every item (sample variances).
/// - pass rate per module: share of the attempts that saw the module whose percentage on its items is >= the pass mark.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "exam/attempt.hpp"

namespace exam {

/// @brief Responses of a sitting. Cells are row-major: cell(a, i) = a * itemCount + i.
struct ResponseMatrix {
    static constexpr float kNotPresented = -1.0f;  ///< Credit of an item that was not on this attempt's paper.

    std::size_t attemptCount{0};
    std::size_t itemCount{0};
    std::vector<float> credit;           ///< 0..1 per cell, or kNotPresented.
    std::vector<std::uint32_t> chosen;   ///< Bit o set = original option o chosen (options 0..31); 0 = unanswered.
    std::vector<int> optionCount;        ///< Options per item (size itemCount).
    std::vector<std::string> itemModule; ///< Module code per item (size itemCount).

    /// @brief An empty matrix of the given shape (all cells not presented).
    ResponseMatrix(std::size_t attempts, std::size_t items);
    ResponseMatrix() = default;
    /// @brief Sets one cell.
    void set(std::size_t attempt, std::size_t item, float itemCredit, std::uint32_t chosenMask) {
        credit[attempt * itemCount + item] = itemCredit;
        chosen[attempt * itemCount + item] = chosenMask;
    }
};

/// @brief Statistics of one item.
struct ItemStatistics {
    int presented{0};                       ///< Attempts that saw the item.
    int answered{0};                        ///< Attempts that chose at least one option.
    double facility{0.0};                   ///< Mean credit 0..1.
    double standardDeviation{0.0};          ///< Sample SD of the credit.
    std::optional<double> discrimination;   ///< Correlation with the rest of the test, -1..1.
    std::vector<int> optionFrequency;       ///< How many attempts chose each option.
};

/// @brief Statistics of a whole sitting.
struct SittingStatistics {
    int attempts{0};
    double mean{0.0};               ///< Mean attempt score, 0..100.
    double median{0.0};
    double standardDeviation{0.0};  ///< Sample SD of attempt scores.
    std::optional<double> cronbachAlpha;  ///< KR-20 for 0/1 items; empty for fewer than 2 items/attempts, incomplete matrices or zero variance.
    std::vector<ItemStatistics> items;
    std::vector<std::pair<std::string, double>> modulePassRate;  ///< (module, 0..1) in order of first item.
};

/// @brief Collects graded attempts (papers may differ) into a ResponseMatrix with one column per question id,
/// in order of first appearance. Items an attempt did not get are kNotPresented.
class ResponseMatrixBuilder {
public:
    /// @brief Adds one attempt: its paper and its responses (one per item, original option indices).
    void add(const Paper& paper, std::span<const ItemResponse> responses);
    /// @brief The matrix of everything added so far.
    [[nodiscard]] ResponseMatrix build() const;
    /// @brief Question id of each column.
    [[nodiscard]] const std::vector<std::string>& questionIds() const noexcept { return m_ids; }

private:
    struct Cell {
        std::size_t column;
        float credit;
        std::uint32_t chosen;
    };
    std::vector<std::string> m_ids;
    std::vector<std::string> m_modules;
    std::vector<int> m_optionCounts;
    std::map<std::string, std::size_t, std::less<>> m_column;
    std::vector<std::vector<Cell>> m_rows;
};

/// @brief Computes all statistics. Cost O(attempts x items). Malformed shapes (vector sizes not matching
/// the counts) are programmer errors and yield an empty result with attempts = 0.
[[nodiscard]] SittingStatistics computeStatistics(const ResponseMatrix& matrix, double passMark = 80.0);

/// @brief Why an item deserves a trainer's look (item analysis; thresholds as Moodle's quiz statistics suggest).
enum class ItemFlag {
    TooHard,           ///< facility < kLowFacility: almost nobody gets it right.
    TooEasy,           ///< facility > kHighFacility: almost everybody does.
    LowDiscrimination, ///< discrimination < kLowDiscrimination: strong and weak candidates do equally well on it.
};
inline constexpr double kLowFacility = 0.2;
inline constexpr double kHighFacility = 0.95;
inline constexpr double kLowDiscrimination = 0.1;
/// @brief Stable name ("too-hard", "too-easy", "low-discrimination").
[[nodiscard]] std::string_view itemFlagName(ItemFlag flag) noexcept;
/// @brief What a trainer should do about a flagged item (English, one sentence).
[[nodiscard]] std::string_view itemFlagAdvice(ItemFlag flag) noexcept;
/// @brief The flags of one item: none when it was presented fewer than @p minPresented times (too few answers
/// to judge), facility below 0.2 or above 0.95, discrimination below 0.1 (when it could be computed).
[[nodiscard]] std::vector<ItemFlag> flagItem(const ItemStatistics& item, int minPresented = 5);

}  // namespace exam
