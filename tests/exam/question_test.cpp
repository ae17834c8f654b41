#include <gtest/gtest.h>

#include <algorithm>

#include "exam/question.hpp"
#include "exam_fixtures.hpp"

using namespace exam;
using examtest::multiple;
using examtest::single;
using examtest::trueFalse;

namespace {

bool anyContains(const std::vector<std::string>& v, std::string_view needle) {
    return std::ranges::any_of(v, [&](const std::string& s) { return s.find(needle) != std::string::npos; });
}

}  // namespace

TEST(Question, ValidQuestionsHaveNoProblems) {
    EXPECT_TRUE(validateQuestion(single("s1", "safety", 2)).empty());
    EXPECT_TRUE(validateQuestion(multiple("m1", "ethics", {50, 50, -100})).empty());
    EXPECT_TRUE(validateQuestion(multiple("m2", "ethics", {33.333, 33.333, 33.333, 0})).empty());
    EXPECT_TRUE(validateQuestion(trueFalse("t1", "badge", false)).empty());
}

TEST(Question, ValidationNamesTheQuestionAndTheProblem) {
    Question q = single("bad1", "safety", 2);
    q.options[1].weight = 100;  // two right answers
    auto p = validateQuestion(q);
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("question bad1 v1"), std::string::npos);
    EXPECT_NE(p[0].find("exactly one"), std::string::npos);

    Question one = single("bad2", "safety", 1, 1);
    EXPECT_TRUE(anyContains(validateQuestion(one), "at least 2"));

    // Whether a course teaches the module is the store's check (ExamStore::importQuestions); the engine checks the
    // code's form.
    Question mod = single("bad3", "Cooking!", 1);
    EXPECT_TRUE(anyContains(validateQuestion(mod), "the module 'Cooking!' is not a module code"));
    EXPECT_TRUE(anyContains(validateQuestion(single("bad3b", "", 1)), "the module is empty"));

    Question diff = single("bad4", "legal", 4);
    EXPECT_TRUE(anyContains(validateQuestion(diff), "difficulty 4"));

    Question m = multiple("bad5", "legal", {50, 30, -20});
    EXPECT_TRUE(anyContains(validateQuestion(m), "add up to 80%"));

    Question w = multiple("bad6", "legal", {50, 50, -150});
    EXPECT_TRUE(anyContains(validateQuestion(w), "-150%"));

    Question none = multiple("bad7", "legal", {0, 0, -10});
    EXPECT_TRUE(anyContains(validateQuestion(none), "no right option"));

    Question tf = trueFalse("bad8", "legal", true);
    tf.options.push_back(Option{{"也许", "Maybe"}, 0, {}});
    EXPECT_TRUE(anyContains(validateQuestion(tf), "true/false"));

    Question empty = single("", "legal", 1);
    empty.stem.zh = "  ";
    auto ep = validateQuestion(empty);
    EXPECT_TRUE(anyContains(ep, "(no id)"));
    EXPECT_TRUE(anyContains(ep, "question text is empty"));
    for (const auto& s : ep) EXPECT_EQ(s.find("line"), std::string::npos) << s;
}

TEST(Question, ImagePathsAreConfinedToTheBanksFolder) {
    for (const char* bad : {"/etc/passwd", "../x.png", "images/../../x.png", "a\\b.png", "images/x\n.png"}) {
        Question q = single("img1", "safety", 1);
        q.imagePath = bad;
        auto p = validateQuestion(q);
        ASSERT_EQ(p.size(), 1u) << bad;
        EXPECT_NE(p[0].find("question img1 v1"), std::string::npos) << p[0];
        EXPECT_NE(p[0].find("leaves the bank's folder"), std::string::npos) << p[0];
    }
    Question ok = single("img2", "safety", 1);
    ok.imagePath = "images/frayed-cord.png";
    EXPECT_TRUE(validateQuestion(ok).empty());
    EXPECT_TRUE(isConfinedImagePath("x.png"));
    EXPECT_TRUE(isConfinedImagePath("images/./x.png"));
    EXPECT_FALSE(isConfinedImagePath(""));
}

TEST(Question, ConceptTagsAreChecked) {
    Question q = single("c1", "safety", 1);
    q.conceptTag = "gas-leak-first-step";
    EXPECT_TRUE(validateQuestion(q).empty());
    for (const char* bad : {"Gas", "gas leak", "gas_leak", "-gas", "gas-", "燃气"}) {
        q.conceptTag = bad;
        EXPECT_TRUE(anyContains(validateQuestion(q), "concept")) << bad;
    }
}

TEST(Question, BankRejectsDuplicateVersions) {
    Bank b;
    b.id = "b";
    b.questions = {single("a", "safety", 1), single("a", "safety", 1)};
    EXPECT_TRUE(anyContains(validateBank(b), "appears twice"));
    b.questions[1].version = 2;
    EXPECT_TRUE(validateBank(b).empty());
    ASSERT_NE(b.find("a"), nullptr);
    EXPECT_EQ(b.find("a")->version, 2);
    EXPECT_EQ(b.find("zzz"), nullptr);
}

TEST(Question, ReviseBumpsVersionOnlyWhenContentChanges) {
    Question v1 = single("q", "safety", 1);
    Question same = v1;
    EXPECT_EQ(revise(v1, same).version, 1);
    Question edited = v1;
    edited.stem.zh = "改过的题目";
    Question v2 = revise(v1, edited);
    EXPECT_EQ(v2.version, 2);
    EXPECT_EQ(v1.version, 1);  // the shown version is untouched
    Question edited2 = v2;
    edited2.options[0].weight = 0;
    edited2.options[1].weight = 100;
    EXPECT_EQ(revise(v2, edited2).version, 3);
}

TEST(Grading, SingleChoice) {
    Question q = single("s", "safety", 1, 4, 2);
    const int right[] = {2};
    const int wrong[] = {1};
    const int two[] = {2, 1};
    EXPECT_DOUBLE_EQ(scoreResponse(q, MultipleScoring::AllOrNothing, right), 1.0);
    EXPECT_DOUBLE_EQ(scoreResponse(q, MultipleScoring::AllOrNothing, wrong), 0.0);
    EXPECT_DOUBLE_EQ(scoreResponse(q, MultipleScoring::AllOrNothing, two), 0.0);
    EXPECT_DOUBLE_EQ(scoreResponse(q, MultipleScoring::Proportional, {}), 0.0);
    // partial credit option (GIFT ~%50%) and a negative one floored at zero
    q.options[0].weight = 50;
    q.options[3].weight = -50;
    const int half[] = {0};
    const int neg[] = {3};
    EXPECT_DOUBLE_EQ(scoreResponse(q, MultipleScoring::AllOrNothing, half), 0.5);
    EXPECT_DOUBLE_EQ(scoreResponse(q, MultipleScoring::AllOrNothing, neg), 0.0);
}

TEST(Grading, MultipleAllOrNothing) {
    Question q = multiple("m", "safety", {50, 50, -100, 0});
    const int exact[] = {1, 0};
    const int partial[] = {0};
    const int extra[] = {0, 1, 3};
    const int dup[] = {0, 1, 1, 0};
    EXPECT_DOUBLE_EQ(scoreResponse(q, MultipleScoring::AllOrNothing, exact), 1.0);
    EXPECT_DOUBLE_EQ(scoreResponse(q, MultipleScoring::AllOrNothing, partial), 0.0);
    EXPECT_DOUBLE_EQ(scoreResponse(q, MultipleScoring::AllOrNothing, extra), 0.0);
    EXPECT_DOUBLE_EQ(scoreResponse(q, MultipleScoring::AllOrNothing, dup), 1.0);
}

TEST(Grading, MultipleProportionalWithNegativeWeightsFlooredAtZero) {
    Question q = multiple("m", "safety", {50, 25, 25, -50, -100});
    const int a[] = {0};           // 50
    const int b[] = {0, 1};        // 75
    const int c[] = {0, 1, 2};     // 100
    const int d[] = {0, 1, 2, 3};  // 100 - 50 = 50
    const int e[] = {1, 3};        // 25 - 50 = -25 -> 0
    const int f[] = {4};           // -100 -> 0
    const int g[] = {0, 1, 2, 9};  // out-of-range index ignored -> 100
    EXPECT_DOUBLE_EQ(scoreResponse(q, MultipleScoring::Proportional, a), 0.5);
    EXPECT_DOUBLE_EQ(scoreResponse(q, MultipleScoring::Proportional, b), 0.75);
    EXPECT_DOUBLE_EQ(scoreResponse(q, MultipleScoring::Proportional, c), 1.0);
    EXPECT_DOUBLE_EQ(scoreResponse(q, MultipleScoring::Proportional, d), 0.5);
    EXPECT_DOUBLE_EQ(scoreResponse(q, MultipleScoring::Proportional, e), 0.0);
    EXPECT_DOUBLE_EQ(scoreResponse(q, MultipleScoring::Proportional, f), 0.0);
    EXPECT_DOUBLE_EQ(scoreResponse(q, MultipleScoring::Proportional, g), 1.0);
    EXPECT_DOUBLE_EQ(scoreResponse(q, MultipleScoring::AllOrNothing, c), 1.0);
    EXPECT_DOUBLE_EQ(scoreResponse(q, MultipleScoring::AllOrNothing, d), 0.0);
}

TEST(Grading, TrueFalse) {
    Question t = trueFalse("t", "safety", true);
    Question f = trueFalse("f", "safety", false);
    const int yes[] = {0};
    const int no[] = {1};
    const int both[] = {0, 1};
    EXPECT_DOUBLE_EQ(scoreResponse(t, MultipleScoring::AllOrNothing, yes), 1.0);
    EXPECT_DOUBLE_EQ(scoreResponse(t, MultipleScoring::AllOrNothing, no), 0.0);
    EXPECT_DOUBLE_EQ(scoreResponse(f, MultipleScoring::Proportional, no), 1.0);
    EXPECT_DOUBLE_EQ(scoreResponse(f, MultipleScoring::Proportional, yes), 0.0);
    EXPECT_DOUBLE_EQ(scoreResponse(t, MultipleScoring::Proportional, both), 0.0);
    EXPECT_EQ(t.options[0].text.zh, "正确");
    EXPECT_EQ(t.options[1].text.en, "False");
}

TEST(Modules, AModuleIsACodeTheEngineDoesNotLookUp) {
    // Which modules exist is course data; the engine only takes the form of a code.
    for (std::string_view code : {"ethics", "safety", "first-aid", "module2"}) EXPECT_TRUE(isValidModuleCode(code)) << code;
    for (std::string_view code : {"", "Safety", "安全知识", "-safety", "safety knowledge"})
        EXPECT_FALSE(isValidModuleCode(code)) << code;
    Question q = multiple("m", "安全知识", {100, 0});
    const auto problems = validateQuestion(q);
    ASSERT_FALSE(problems.empty());
    EXPECT_NE(problems.front().find("not a module code"), std::string::npos) << problems.front();
}

TEST(Grading, TickingEveryOptionOfAnUnweightedQuestionDoesNotPayInAProportionalBank) {
    // Right options 50 + 50, wrong ones without weight (0): before the default, ticking all four scored 100 %.
    Question q = multiple("m", "safety", {50, 50, 0, 0});
    const int all[] = {0, 1, 2, 3};
    EXPECT_TRUE(applyDefaultWrongWeights(q, MultipleScoring::Proportional));
    EXPECT_DOUBLE_EQ(q.options[2].weight, -50.0);
    EXPECT_DOUBLE_EQ(q.options[3].weight, -50.0);
    EXPECT_LT(scoreResponse(q, MultipleScoring::Proportional, all), 1.0);
    EXPECT_TRUE(validateQuestion(q).empty());
    // Weighted wrong options, all-or-nothing banks and single choice are left alone.
    Question weighted = multiple("w", "safety", {50, 50, -20, 0});
    EXPECT_FALSE(applyDefaultWrongWeights(weighted, MultipleScoring::Proportional));
    Question aon = multiple("a", "safety", {50, 50, 0, 0});
    EXPECT_FALSE(applyDefaultWrongWeights(aon, MultipleScoring::AllOrNothing));
    Question s = single("s", "safety", 1);
    EXPECT_FALSE(applyDefaultWrongWeights(s, MultipleScoring::Proportional));
    EXPECT_DOUBLE_EQ(defaultWrongWeight(3), -100.0 / 3);
}
