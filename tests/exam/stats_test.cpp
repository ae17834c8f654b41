#include <gtest/gtest.h>

#include <cmath>

#include "exam/stats.hpp"

using namespace exam;

namespace {

// The hand-worked matrix: 5 attempts x 4 items, 3 options each, option 0 is right for every item.
//
//          i1 i2 i3 i4 | T | score
//   a1:     1  1  1  1 | 4 | 100
//   a2:     1  1  0  1 | 3 |  75
//   a3:     1  0  1  0 | 2 |  50
//   a4:     0  1  0  0 | 1 |  25
//   a5:     0  0  0  0 | 0 |   0
//
// Chosen options (wrong answers): i1: a4 chose 2, a5 did not answer; i2: a3 and a5 chose 1;
// i3: a2, a4, a5 chose 1; i4: a3 chose 2, a4 and a5 chose 1.
ResponseMatrix handMatrix() {
    const int credit[5][4] = {{1, 1, 1, 1}, {1, 1, 0, 1}, {1, 0, 1, 0}, {0, 1, 0, 0}, {0, 0, 0, 0}};
    // option chosen per cell, -1 = unanswered
    const int option[5][4] = {{0, 0, 0, 0}, {0, 0, 1, 0}, {0, 1, 0, 2}, {2, 0, 1, 1}, {-1, 1, 1, 1}};
    ResponseMatrix m(5, 4);
    for (std::size_t i = 0; i < 4; ++i) {
        m.optionCount[i] = 3;
        m.itemModule[i] = i < 2 ? "safety" : "ethics";
    }
    for (std::size_t a = 0; a < 5; ++a)
        for (std::size_t i = 0; i < 4; ++i)
            m.set(a, i, static_cast<float>(credit[a][i]), option[a][i] < 0 ? 0u : (1u << option[a][i]));
    return m;
}

}  // namespace

TEST(Statistics, HandComputedSmallMatrix) {
    const SittingStatistics s = computeStatistics(handMatrix(), 80.0);
    ASSERT_EQ(s.attempts, 5);
    ASSERT_EQ(s.items.size(), 4u);

    // Facility: i1 = 3/5 = 0.6, i2 = 3/5 = 0.6, i3 = 2/5 = 0.4, i4 = 2/5 = 0.4.
    EXPECT_DOUBLE_EQ(s.items[0].facility, 0.6);
    EXPECT_DOUBLE_EQ(s.items[1].facility, 0.6);
    EXPECT_DOUBLE_EQ(s.items[2].facility, 0.4);
    EXPECT_DOUBLE_EQ(s.items[3].facility, 0.4);
    // Item sample variance: p = 0.6: (sum x^2 - (sum x)^2 / n) / (n - 1) = (3 - 9/5) / 4 = 0.3;
    // p = 0.4: (2 - 4/5) / 4 = 0.3. SD = sqrt(0.3) = 0.5477225575.
    for (const auto& it : s.items) EXPECT_NEAR(it.standardDeviation, std::sqrt(0.3), 1e-12);

    // Discrimination = corr(x, T - x).
    // i1: x = [1,1,1,0,0], y = T - x = [3,2,1,1,0]; mean x = 0.6, mean y = 1.4;
    //     dx = [.4,.4,.4,-.6,-.6], dy = [1.6,.6,-.4,-.4,-1.4];
    //     sum dx dy = .64 + .24 - .16 + .24 + .84 = 1.8; sum dx^2 = 1.2; sum dy^2 = 2.56+.36+.16+.16+1.96 = 5.2;
    //     r = 1.8 / sqrt(1.2 * 5.2) = 1.8 / sqrt(6.24) = 0.7205766921.
    // i2: x = [1,1,0,1,0], y = [3,2,2,0,0]; mean y = 1.4; dx = [.4,.4,-.6,.4,-.6], dy = [1.6,.6,.6,-1.4,-1.4];
    //     sum dx dy = .64 + .24 - .36 - .56 + .84 = 0.8; sum dy^2 = 2.56+.36+.36+1.96+1.96 = 7.2;
    //     r = 0.8 / sqrt(1.2 * 7.2) = 0.8 / sqrt(8.64) = 0.2721655270.
    // i3: x = [1,0,1,0,0], y = [3,3,1,1,0]; mean y = 1.6; dx = [.6,-.4,.6,-.4,-.4], dy = [1.4,1.4,-.6,-.6,-1.6];
    //     sum dx dy = .84 - .56 - .36 + .24 + .64 = 0.8; sum dy^2 = 1.96+1.96+.36+.36+2.56 = 7.2; r = 0.2721655270.
    // i4: x = [1,1,0,0,0], y = [3,2,2,1,0]; mean y = 1.6; dx = [.6,.6,-.4,-.4,-.4], dy = [1.4,.4,.4,-.6,-1.6];
    //     sum dx dy = .84 + .24 - .16 + .24 + .64 = 1.8; sum dy^2 = 1.96+.16+.16+.36+2.56 = 5.2; r = 0.7205766921.
    ASSERT_TRUE(s.items[0].discrimination);
    EXPECT_NEAR(*s.items[0].discrimination, 0.7205766921, 1e-9);
    EXPECT_NEAR(*s.items[1].discrimination, 0.2721655270, 1e-9);
    EXPECT_NEAR(*s.items[2].discrimination, 0.2721655270, 1e-9);
    EXPECT_NEAR(*s.items[3].discrimination, 0.7205766921, 1e-9);

    // Option frequencies and answered counts.
    EXPECT_EQ(s.items[0].optionFrequency, (std::vector<int>{3, 0, 1}));
    EXPECT_EQ(s.items[0].answered, 4);
    EXPECT_EQ(s.items[1].optionFrequency, (std::vector<int>{3, 2, 0}));
    EXPECT_EQ(s.items[2].optionFrequency, (std::vector<int>{2, 3, 0}));
    EXPECT_EQ(s.items[3].optionFrequency, (std::vector<int>{2, 2, 1}));
    EXPECT_EQ(s.items[3].answered, 5);
    EXPECT_EQ(s.items[3].presented, 5);

    // Scores 100, 75, 50, 25, 0: mean 50, median 50;
    // sample SD = sqrt((50^2 + 25^2 + 0 + 25^2 + 50^2) / 4) = sqrt(6250 / 4) = sqrt(1562.5) = 39.5284707521.
    EXPECT_DOUBLE_EQ(s.mean, 50.0);
    EXPECT_DOUBLE_EQ(s.median, 50.0);
    EXPECT_NEAR(s.standardDeviation, 39.5284707521, 1e-9);

    // KR-20: T = 4,3,2,1,0, var(T) = (4 + 1 + 0 + 1 + 4) / 4 = 2.5; sum of item variances = 4 * 0.3 = 1.2;
    // alpha = 4/3 * (1 - 1.2 / 2.5) = 4/3 * 0.52 = 0.6933333333.
    ASSERT_TRUE(s.cronbachAlpha);
    EXPECT_NEAR(*s.cronbachAlpha, 0.6933333333, 1e-9);

    // Pass rate per module (pass mark 80): safety (i1, i2): a1 100 %, a2 100 %, a3 50, a4 50, a5 0 -> 2/5 = 0.4;
    // ethics (i3, i4): a1 100, a2 50, a3 50, a4 0, a5 0 -> 1/5 = 0.2.
    ASSERT_EQ(s.modulePassRate.size(), 2u);
    EXPECT_EQ(s.modulePassRate[0].first, "safety");
    EXPECT_DOUBLE_EQ(s.modulePassRate[0].second, 0.4);
    EXPECT_EQ(s.modulePassRate[1].first, "ethics");
    EXPECT_DOUBLE_EQ(s.modulePassRate[1].second, 0.2);
}

TEST(Statistics, EvenMedianAndPartialCredit) {
    // 4 attempts x 2 items, credits (0.5, 1), (1, 1), (0, 0.5), (0, 0): scores 75, 100, 25, 0.
    // Sorted: 0, 25, 75, 100 -> median (25 + 75) / 2 = 50; mean = 200 / 4 = 50.
    ResponseMatrix m(4, 2);
    m.optionCount = {2, 2};
    m.itemModule = {"badge", "badge"};
    const float c[4][2] = {{0.5f, 1}, {1, 1}, {0, 0.5f}, {0, 0}};
    for (std::size_t a = 0; a < 4; ++a)
        for (std::size_t i = 0; i < 2; ++i) m.set(a, i, c[a][i], 1u);
    const auto s = computeStatistics(m);
    EXPECT_DOUBLE_EQ(s.median, 50.0);
    EXPECT_DOUBLE_EQ(s.mean, 50.0);
    // item 1 facility (0.5 + 1 + 0 + 0) / 4 = 0.375
    EXPECT_DOUBLE_EQ(s.items[0].facility, 0.375);
    // module pass rate at 80: only a2 (100 %) -> 1/4
    EXPECT_DOUBLE_EQ(s.modulePassRate[0].second, 0.25);
}

TEST(Statistics, ItemsNotPresentedAndDegenerateCases) {
    ResponseMatrix m = handMatrix();
    m.set(0, 3, ResponseMatrix::kNotPresented, 0);  // a1 did not get i4
    const auto s = computeStatistics(m, 80.0);
    EXPECT_EQ(s.items[3].presented, 4);
    // i4 over a2..a5: credits 1,0,0,0 -> facility 0.25
    EXPECT_DOUBLE_EQ(s.items[3].facility, 0.25);
    // a1 scored 3 of 3 presented -> 100 %
    EXPECT_FALSE(s.cronbachAlpha.has_value());  // alpha needs a complete matrix
    EXPECT_DOUBLE_EQ(s.mean, 50.0);

    // every attempt right on every item: no variance, no discrimination, no alpha
    ResponseMatrix all(3, 2);
    all.optionCount = {2, 2};
    all.itemModule = {"ethics", "ethics"};
    for (std::size_t a = 0; a < 3; ++a)
        for (std::size_t i = 0; i < 2; ++i) all.set(a, i, 1.0f, 1u);
    const auto t = computeStatistics(all);
    EXPECT_FALSE(t.items[0].discrimination.has_value());
    EXPECT_FALSE(t.cronbachAlpha.has_value());
    EXPECT_DOUBLE_EQ(t.modulePassRate[0].second, 1.0);

    // malformed shape
    ResponseMatrix bad(2, 2);
    bad.credit.pop_back();
    EXPECT_EQ(computeStatistics(bad).attempts, 0);
    EXPECT_EQ(computeStatistics(ResponseMatrix{}).attempts, 0);
}

TEST(Statistics, BuilderMapsDifferentPapersToQuestionColumns) {
    auto item = [](std::string id, std::string module) {
        PaperItem it;
        it.question.id = std::move(id);
        it.question.module = std::move(module);
        it.question.type = QuestionType::SingleChoice;
        it.question.stem = {"题", ""};
        it.question.options = {Option{{"甲", ""}, 100, {}}, Option{{"乙", ""}, 0, {}}, Option{{"丙", ""}, 0, {}}};
        it.optionOrder = {0, 1, 2};
        return it;
    };
    Paper p1;
    p1.items = {item("a", "safety"), item("b", "ethics")};
    Paper p2;
    p2.items = {item("c", "safety"), item("a", "safety")};
    std::vector<ItemResponse> r1(2), r2(2);
    r1[0].chosen = {0};  // a right
    r1[1].chosen = {2};  // b wrong
    r2[1].chosen = {1};  // a wrong; c unanswered
    ResponseMatrixBuilder b;
    b.add(p1, r1);
    b.add(p2, r2);
    const ResponseMatrix m = b.build();
    ASSERT_EQ(m.attemptCount, 2u);
    ASSERT_EQ(m.itemCount, 3u);
    EXPECT_EQ(b.questionIds(), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(m.itemModule, (std::vector<std::string>{"safety", "ethics", "safety"}));
    EXPECT_EQ(m.credit, (std::vector<float>{1, 0, ResponseMatrix::kNotPresented, 0, ResponseMatrix::kNotPresented, 0}));
    EXPECT_EQ(m.chosen, (std::vector<std::uint32_t>{1u, 4u, 0u, 2u, 0u, 0u}));
    const auto s = computeStatistics(m);
    EXPECT_EQ(s.items[0].presented, 2);
    EXPECT_DOUBLE_EQ(s.items[0].facility, 0.5);
    EXPECT_EQ(s.items[0].optionFrequency, (std::vector<int>{1, 1, 0}));
    EXPECT_EQ(s.items[2].answered, 0);
}

TEST(ItemAnalysis, FlagsTooHardTooEasyAndUndiscriminatingItemsWithAdvice) {
    ItemStatistics item;
    item.presented = 20;
    item.facility = 0.5;
    item.discrimination = 0.4;
    EXPECT_TRUE(flagItem(item).empty());
    item.facility = 0.15;
    EXPECT_EQ(flagItem(item), std::vector<ItemFlag>{ItemFlag::TooHard});
    item.facility = 0.97;
    EXPECT_EQ(flagItem(item), std::vector<ItemFlag>{ItemFlag::TooEasy});
    item.facility = 0.6;
    item.discrimination = 0.05;
    EXPECT_EQ(flagItem(item), std::vector<ItemFlag>{ItemFlag::LowDiscrimination});
    item.discrimination = -0.3;
    item.facility = 0.1;
    EXPECT_EQ(flagItem(item), (std::vector<ItemFlag>{ItemFlag::TooHard, ItemFlag::LowDiscrimination}));
    item.discrimination.reset();  // not computable: not flagged for it
    EXPECT_EQ(flagItem(item), std::vector<ItemFlag>{ItemFlag::TooHard});
    // The boundaries themselves are fine.
    item.facility = 0.2;
    item.discrimination = 0.1;
    EXPECT_TRUE(flagItem(item).empty());
    item.facility = 0.95;
    EXPECT_TRUE(flagItem(item).empty());
    // Too few answers to judge.
    item.presented = 4;
    item.facility = 0.0;
    EXPECT_TRUE(flagItem(item).empty());
    for (auto f : {ItemFlag::TooHard, ItemFlag::TooEasy, ItemFlag::LowDiscrimination}) {
        EXPECT_FALSE(itemFlagName(f).empty());
        EXPECT_GT(itemFlagAdvice(f).size(), 20u);
    }
}
