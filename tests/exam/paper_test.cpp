#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "exam/paper.hpp"
#include "exam/random.hpp"
#include "exam_fixtures.hpp"

using namespace exam;
using examtest::single;

namespace {

/// 10 questions per module for safety and ethics: difficulty 1 for q0-q4, 2 for q5-q7, 3 for q8-q9.
Bank makeBank() {
    Bank b;
    b.id = "test-bank";
    b.scoring = MultipleScoring::Proportional;
    for (std::string m : {"safety", "ethics"}) {
        for (int i = 0; i < 10; ++i) b.questions.push_back(single(m + "-" + std::to_string(i), m, i < 5 ? 1 : (i < 8 ? 2 : 3)));
    }
    return b;
}

Blueprint makeBlueprint() {
    Blueprint bp;
    bp.sections = {BlueprintSection{"safety", 4, std::array<int, 3>{2, 1, 1}}, BlueprintSection{"ethics", 3, std::nullopt}};
    bp.duration = std::chrono::minutes{30};
    return bp;
}

std::vector<std::string> ids(const Paper& p) {
    std::vector<std::string> out;
    for (const auto& it : p.items) out.push_back(it.question.id);
    return out;
}

}  // namespace

TEST(Prng, KnownValues) {
    // SplitMix64 reference output for state 0 (Vigna's splitmix64.c): 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4.
    std::uint64_t s = 0;
    EXPECT_EQ(splitMix64(s), 0xe220a8397b1dcdafULL);
    EXPECT_EQ(splitMix64(s), 0x6e789e6aa1b965f4ULL);
    Prng a(42), b(42), c(43);
    for (int i = 0; i < 100; ++i) {
        const auto x = a.next();
        EXPECT_EQ(x, b.next());
        (void)c.next();
    }
    Prng d(7);
    for (int i = 0; i < 1000; ++i) EXPECT_LT(d.below(3), 3u);
    EXPECT_EQ(d.below(1), 0u);
}

TEST(Prng, PaperSeedDependsOnEveryInput) {
    const auto s = paperSeed("sitting-1", "worker-9", 1);
    EXPECT_EQ(s, paperSeed("sitting-1", "worker-9", 1));
    EXPECT_NE(s, paperSeed("sitting-1", "worker-9", 2));
    EXPECT_NE(s, paperSeed("sitting-2", "worker-9", 1));
    EXPECT_NE(s, paperSeed("sitting-1", "worker-8", 1));
    EXPECT_NE(paperSeed("ab", "c", 1), paperSeed("a", "bc", 1));
}

TEST(Paper, SameSeedSamePaperDifferentAttemptDifferentPaper) {
    const Bank bank = makeBank();
    const Blueprint bp = makeBlueprint();
    auto p1 = assemblePaper(bank, bp, paperSeed("S1", "W1", 1));
    auto p1again = assemblePaper(bank, bp, paperSeed("S1", "W1", 1));
    auto p2 = assemblePaper(bank, bp, paperSeed("S1", "W1", 2));
    ASSERT_TRUE(p1) << p1.error().message;
    ASSERT_TRUE(p1again);
    ASSERT_TRUE(p2);
    EXPECT_EQ(ids(*p1), ids(*p1again));
    for (std::size_t i = 0; i < p1->items.size(); ++i) EXPECT_EQ(p1->items[i].optionOrder, p1again->items[i].optionOrder);
    EXPECT_NE(ids(*p1), ids(*p2));

    // bank order does not matter
    Bank reversed = bank;
    std::ranges::reverse(reversed.questions);
    auto p1rev = assemblePaper(reversed, bp, paperSeed("S1", "W1", 1));
    ASSERT_TRUE(p1rev);
    EXPECT_EQ(ids(*p1), ids(*p1rev));
}

TEST(Paper, RespectsBlueprintAndNeverRepeatsAQuestion) {
    const Bank bank = makeBank();
    const Blueprint bp = makeBlueprint();
    for (int attempt = 1; attempt <= 50; ++attempt) {
        auto p = assemblePaper(bank, bp, paperSeed("S", "W", attempt));
        ASSERT_TRUE(p);
        ASSERT_EQ(p->items.size(), 7u);
        std::set<std::string> unique;
        int levels[4] = {};
        int ethics = 0;
        for (const auto& it : p->items) {
            unique.insert(it.question.id);
            if (it.question.module == "safety") ++levels[it.question.difficulty];
            if (it.question.module == "ethics") ++ethics;
            // the option order is a permutation
            std::vector<int> order = it.optionOrder;
            std::ranges::sort(order);
            EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
        }
        EXPECT_EQ(unique.size(), 7u);
        EXPECT_EQ(levels[1], 2);
        EXPECT_EQ(levels[2], 1);
        EXPECT_EQ(levels[3], 1);
        EXPECT_EQ(ethics, 3);
        EXPECT_EQ(p->passMark, 80.0);
        EXPECT_EQ(p->scoring, MultipleScoring::Proportional);
        EXPECT_EQ(p->duration, std::chrono::minutes{30});
    }
}

TEST(Paper, ShuffledOptionsAreRecordedAndMapBack) {
    const Bank bank = makeBank();
    Blueprint bp = makeBlueprint();
    bool anyShuffled = false;
    for (int attempt = 1; attempt <= 5; ++attempt) {
        auto p = assemblePaper(bank, bp, paperSeed("S", "W", attempt));
        ASSERT_TRUE(p);
        for (const auto& it : p->items) {
            if (it.optionOrder != std::vector<int>{0, 1, 2, 3}) anyShuffled = true;
            for (int d = 0; d < 4; ++d) EXPECT_EQ(it.displayPosition(it.originalIndex(d)), d);
        }
    }
    EXPECT_TRUE(anyShuffled);
    EXPECT_EQ(PaperItem{}.originalIndex(0), -1);

    bp.shuffleOptions = false;
    auto p = assemblePaper(bank, bp, 1);
    ASSERT_TRUE(p);
    for (const auto& it : p->items) EXPECT_EQ(it.optionOrder, (std::vector<int>{0, 1, 2, 3}));
}

TEST(Paper, AvoidsSeenQuestionsWhenPossible) {
    const Bank bank = makeBank();
    Blueprint bp;
    bp.sections = {BlueprintSection{"ethics", 5, std::nullopt}};
    auto first = assemblePaper(bank, bp, paperSeed("S", "W", 1));
    ASSERT_TRUE(first);
    const std::vector<std::string> firstIds = ids(*first);
    std::set<std::string> seen(firstIds.begin(), firstIds.end());
    ASSERT_EQ(seen.size(), 5u);
    // 10 ethics questions, 5 seen: the second paper uses exactly the 5 unseen ones
    auto second = assemblePaper(bank, bp, paperSeed("S", "W", 2), seen);
    ASSERT_TRUE(second);
    for (const auto& id : ids(*second)) EXPECT_FALSE(seen.contains(id)) << id;
    // 8 seen: only 2 unseen, so 3 seen ones are reused (fallback), the 2 unseen are all used
    std::set<std::string> seen8;
    for (int i = 0; i < 8; ++i) seen8.insert("ethics-" + std::to_string(i));
    auto third = assemblePaper(bank, bp, paperSeed("S", "W", 3), seen8);
    ASSERT_TRUE(third);
    const auto t = ids(*third);
    EXPECT_EQ(t.size(), 5u);
    EXPECT_EQ(std::ranges::count_if(t, [&](const std::string& id) { return !seen8.contains(id); }), 2);
}

TEST(Paper, UsesNewestVersionOnly) {
    Bank bank = makeBank();
    Question v2 = bank.questions[10];  // ethics-0
    v2.version = 2;
    v2.stem.zh = "新版本";
    bank.questions.push_back(v2);
    Blueprint bp;
    bp.sections = {BlueprintSection{"ethics", 10, std::nullopt}};
    auto p = assemblePaper(bank, bp, 5);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->items.size(), 10u);
    for (const auto& it : p->items)
        if (it.question.id == "ethics-0") {
            EXPECT_EQ(it.question.version, 2);
        }
}

TEST(Paper, ShortfallNamesModuleDifficultyAndCount) {
    const Bank bank = makeBank();
    Blueprint bp;
    bp.sections = {BlueprintSection{"safety", 0, std::array<int, 3>{1, 1, 4}},  // only 2 of difficulty 3
                   BlueprintSection{"ethics", 12, std::nullopt},                // only 10
                   BlueprintSection{"badge", 1, std::nullopt}};                 // none
    auto p = assemblePaper(bank, bp, 1);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().code, ErrorCode::Shortfall);
    const std::string& m = p.error().message;
    // Module codes: their names are course data the engine does not have.
    EXPECT_NE(m.find("module safety difficulty 3: 2 question(s) missing"), std::string::npos) << m;
    EXPECT_NE(m.find("module ethics (any difficulty): 2 question(s) missing"), std::string::npos) << m;
    EXPECT_NE(m.find("module badge (any difficulty): 1 question(s) missing"), std::string::npos) << m;
    EXPECT_NE(m.find("test-bank"), std::string::npos);
    EXPECT_NE(m.find("Add questions"), std::string::npos);
    EXPECT_EQ(errorCodeName(p.error().code), "shortfall");
}

TEST(Paper, LevelSectionsFilledBeforeAnySections) {
    const Bank bank = makeBank();
    Blueprint bp;
    // "any" listed first, but the difficulty-3 section must still get both difficulty-3 questions
    bp.sections = {BlueprintSection{"safety", 8, std::nullopt}, BlueprintSection{"safety", 2, std::array<int, 3>{0, 0, 2}}};
    for (int s = 0; s < 20; ++s) {
        auto p = assemblePaper(bank, bp, static_cast<std::uint64_t>(s));
        ASSERT_TRUE(p) << p.error().message;
        EXPECT_EQ(p->items[8].question.difficulty, 3);
        EXPECT_EQ(p->items[9].question.difficulty, 3);
    }
}

TEST(Blueprint, Validation) {
    Blueprint bp = makeBlueprint();
    EXPECT_TRUE(validateBlueprint(bp));
    EXPECT_EQ(bp.totalQuestions(), 7);
    // A module code the course lacks is the store's refusal (ExamStore::createSitting); a malformed one the engine's.
    bp.sections.push_back(BlueprintSection{"Cooking", 1, std::nullopt});
    auto r = validateBlueprint(bp);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("section 3 (Cooking): not a module code"), std::string::npos) << r.error().message;
    bp = makeBlueprint();
    bp.sections[0].count = 5;  // levels add up to 4
    r = validateBlueprint(bp);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("differs"), std::string::npos);
    bp = makeBlueprint();
    bp.passMark = 120;
    EXPECT_FALSE(validateBlueprint(bp));
    bp = makeBlueprint();
    bp.sections.clear();
    EXPECT_FALSE(validateBlueprint(bp));
    bp = makeBlueprint();
    bp.sections[1].count = 0;
    EXPECT_FALSE(validateBlueprint(bp));
    bp = makeBlueprint();
    bp.duration = std::chrono::seconds{0};
    EXPECT_FALSE(validateBlueprint(bp));
    const Bank bank = makeBank();
    EXPECT_EQ(assemblePaper(bank, bp, 1).error().code, ErrorCode::InvalidInput);
}

TEST(Paper, ARetakeAvoidsConceptsAlreadySeenNotOnlyIds) {
    // 10 ethics questions on 5 concepts, two wordings each: ethics-0/ethics-5 test "c0", ethics-1/ethics-6 "c1", ...
    Bank bank = makeBank();
    for (auto& q : bank.questions)
        if (q.module == "ethics") q.conceptTag = "c" + std::to_string(std::stoi(q.id.substr(7)) % 5);
    Blueprint bp;
    bp.sections = {BlueprintSection{"ethics", 3, std::nullopt}};
    for (int attempt = 1; attempt <= 20; ++attempt) {
        auto first = assemblePaper(bank, bp, paperSeed("S", "W" + std::to_string(attempt), 1));
        ASSERT_TRUE(first);
        std::set<std::string> seenIds, seenConcepts, firstConcepts;
        for (const auto& it : first->items) {
            seenIds.insert(it.question.id);
            seenConcepts.insert(it.question.conceptTag);
            EXPECT_TRUE(firstConcepts.insert(it.question.conceptTag).second)
                << "one paper asks each concept once: " << it.question.conceptTag;
        }
        ASSERT_EQ(seenConcepts.size(), 3u);
        auto second = assemblePaper(bank, bp, paperSeed("S", "W" + std::to_string(attempt), 2), seenIds, seenConcepts);
        ASSERT_TRUE(second);
        int repeatedConcepts = 0;
        for (const auto& it : second->items) {
            EXPECT_FALSE(seenIds.contains(it.question.id)) << it.question.id;
            repeatedConcepts += seenConcepts.contains(it.question.conceptTag) ? 1 : 0;
        }
        // 2 concepts are unseen: both are asked; the third question must repeat a concept (in other words).
        EXPECT_EQ(repeatedConcepts, 1) << "attempt " << attempt;
    }
}

TEST(Paper, ConceptAvoidanceFallsBackWhenTheBankRunsShort) {
    // Every ethics question tests the same concept: the paper is still filled, with unseen ids first.
    Bank bank = makeBank();
    for (auto& q : bank.questions) q.conceptTag = q.module == "ethics" ? "same-point" : "";
    Blueprint bp;
    bp.sections = {BlueprintSection{"ethics", 5, std::nullopt}};
    std::set<std::string> seen{"ethics-0", "ethics-1", "ethics-2", "ethics-3", "ethics-4", "ethics-5", "ethics-6"};
    auto paper = assemblePaper(bank, bp, paperSeed("S", "W", 2), seen, {"same-point"});
    ASSERT_TRUE(paper) << paper.error().message;
    const auto got = ids(*paper);
    ASSERT_EQ(got.size(), 5u);
    EXPECT_EQ(std::ranges::count_if(got, [&](const std::string& id) { return !seen.contains(id); }), 3)
        << "the 3 unseen questions are all used before seen ones";
    EXPECT_EQ(std::set<std::string>(got.begin(), got.end()).size(), 5u) << "no id twice";
}

TEST(Paper, WithoutConceptsThePaperIsTheSameAsBefore) {
    // Concept tags only reorder among tagged questions: an untagged bank gives the paper of an empty seen set.
    const Bank bank = makeBank();
    auto a = assemblePaper(bank, makeBlueprint(), 42, {"safety-1"});
    auto b = assemblePaper(bank, makeBlueprint(), 42, {"safety-1"}, {"c0", "c1"});
    ASSERT_TRUE(a);
    ASSERT_TRUE(b);
    EXPECT_EQ(ids(*a), ids(*b));
}
