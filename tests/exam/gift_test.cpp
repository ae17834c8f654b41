#include <gtest/gtest.h>

#include <algorithm>

#include "exam/gift.hpp"
#include "exam_fixtures.hpp"

using namespace exam;
using examtest::lines;

namespace {

ImportOptions opts(std::string module = "") {
    ImportOptions o;
    // The course's modules a category may name (the engine has no syllabus of its own).
    o.modules = {{"ethics", "职业道德", "Professional ethics"}, {"legal", "法律常识", "Legal basics"},
                 {"safety", "安全知识", "Safety knowledge"}, {"appliance", "电器操作与安全", "Appliance operation and safety"},
                 {"homecare", "家庭照料", "Home care"}, {"badge", "上门服务证", "The home-service badge"}};
    o.defaultModule = std::move(module);
    o.defaultDifficulty = 2;
    o.idPrefix = "g";
    return o;
}

/// The diagnostic on `line`, or nullptr.
const Diagnostic* at(const ImportResult& r, int line) {
    auto it = std::ranges::find(r.diagnostics, line, &Diagnostic::line);
    return it == r.diagnostics.end() ? nullptr : &*it;
}

const Question* byId(const ImportResult& r, std::string_view id) {
    auto it = std::ranges::find(r.questions, id, &Question::id);
    return it == r.questions.end() ? nullptr : &*it;
}

std::string dump(const ImportResult& r) {
    std::string s;
    for (const auto& d : r.diagnostics)
        s += std::to_string(d.line) + " " + std::string(severityName(d.severity)) + ": " + d.message + "\n";
    return s;
}

}  // namespace

TEST(Gift, SupportedConstructs) {
    const std::string text = lines({
        "// badge exam, safety part",                                                   // 1
        "$CATEGORY: $course$/徽章考试/safety",                                           // 2
        "",                                                                             // 3
        "::s1::[html]湿手可以插拔插头吗？ / May you unplug with wet hands?{",            // 4
        "  =不可以 / No#正确。 / Right.",                                               // 5
        "  ~可以 / Yes#错误。 / Wrong.",                                                // 6
        "  ####湿手导电，容易触电。 / Wet hands conduct electricity.",                  // 7
        "}",                                                                            // 8
        "",                                                                             // 9
        "// a comment between questions",                                               // 10
        "::s2::[markdown]哪些做法安全？{~%50%先关开关 ~%50%用干布擦 ~%-100%湿布擦插座}",  // 11
        "",                                                                             // 12
        "::s3::[plain]煤气泄漏时应开灯检查。{F#开关会产生电火花。#对，不要开灯。}",      // 13
        "",                                                                             // 14
        "::s4::[moodle]电器冒烟应先断电。{TRUE}",                                        // 15
        "",                                                                             // 16
        "::s5::插座可以无限串接。{FALSE}",                                              // 17
        "",                                                                             // 18
        "::s6::{T}",                                                                    // 19: empty stem -> error
        "",                                                                             // 20
        "::esc\\:1::符号 \\~ \\= \\# \\{ \\} 转义 {=对\\=的 ~错\\~的 ~%-25%半\\#错}",      // 21
        "",                                                                             // 22
        "$CATEGORY: 法律常识",                                                          // 23
        "未签合同也可以上岗吗？{=不可以 ~可以}",                                        // 24
        "",                                                                             // 25
        "$CATEGORY: $course$/Professional ethics/unit 1",                               // 26
        "::e1::Be on time? {T}",                                                        // 27
    });
    const ImportResult r = importGift(text, opts());
    EXPECT_EQ(r.count(Severity::Error), 1) << dump(r);
    EXPECT_EQ(r.failed, 1);
    EXPECT_EQ(r.skipped, 0);
    ASSERT_EQ(r.questions.size(), 8u) << dump(r);

    const Question* s1 = byId(r, "s1");
    ASSERT_NE(s1, nullptr);
    EXPECT_EQ(s1->module, "safety");
    EXPECT_EQ(s1->difficulty, 2);
    EXPECT_EQ(s1->type, QuestionType::SingleChoice);
    EXPECT_EQ(s1->title, "s1");
    EXPECT_EQ(s1->stem.zh, "湿手可以插拔插头吗？");
    EXPECT_EQ(s1->stem.en, "May you unplug with wet hands?");
    ASSERT_EQ(s1->options.size(), 2u);
    EXPECT_EQ(s1->options[0].text.zh, "不可以");
    EXPECT_EQ(s1->options[0].text.en, "No");
    EXPECT_DOUBLE_EQ(s1->options[0].weight, 100);
    EXPECT_EQ(s1->options[0].feedback.zh, "正确。");
    EXPECT_EQ(s1->options[0].feedback.en, "Right.");
    EXPECT_DOUBLE_EQ(s1->options[1].weight, 0);
    EXPECT_EQ(s1->options[1].feedback.en, "Wrong.");
    EXPECT_EQ(s1->explanation.zh, "湿手导电，容易触电。");
    EXPECT_EQ(s1->explanation.en, "Wet hands conduct electricity.");

    const Question* s2 = byId(r, "s2");
    ASSERT_NE(s2, nullptr);
    EXPECT_EQ(s2->type, QuestionType::MultipleResponse);
    ASSERT_EQ(s2->options.size(), 3u);
    EXPECT_DOUBLE_EQ(s2->options[0].weight, 50);
    EXPECT_DOUBLE_EQ(s2->options[1].weight, 50);
    EXPECT_DOUBLE_EQ(s2->options[2].weight, -100);
    EXPECT_EQ(s2->options[2].text.zh, "湿布擦插座");
    EXPECT_EQ(s2->stem.en, "");  // English may be absent

    const Question* s3 = byId(r, "s3");
    ASSERT_NE(s3, nullptr);
    EXPECT_EQ(s3->type, QuestionType::TrueFalse);
    EXPECT_TRUE(s3->isCorrect(1));  // "false" is right
    EXPECT_FALSE(s3->isCorrect(0));
    EXPECT_EQ(s3->options[0].feedback.zh, "开关会产生电火花。");  // shown to those who answered wrongly ("true")
    EXPECT_EQ(s3->options[1].feedback.zh, "对，不要开灯。");
    EXPECT_EQ(s3->explanation.zh, "对，不要开灯。");  // no #### -> the right answer's feedback

    const Question* s4 = byId(r, "s4");
    ASSERT_NE(s4, nullptr);
    EXPECT_EQ(s4->type, QuestionType::TrueFalse);
    EXPECT_TRUE(s4->isCorrect(0));
    const Question* s5 = byId(r, "s5");
    ASSERT_NE(s5, nullptr);
    EXPECT_TRUE(s5->isCorrect(1));

    const Diagnostic* d18 = at(r, 19);
    ASSERT_NE(d18, nullptr) << dump(r);
    EXPECT_EQ(d18->severity, Severity::Error);
    EXPECT_NE(d18->message.find("s6"), std::string::npos);
    EXPECT_NE(d18->message.find("question text is empty"), std::string::npos);

    const Question* esc = byId(r, "esc:1");
    ASSERT_NE(esc, nullptr) << dump(r);
    EXPECT_EQ(esc->stem.zh, "符号 ~ = # { } 转义");
    ASSERT_EQ(esc->options.size(), 3u);
    EXPECT_EQ(esc->options[0].text.zh, "对=的");
    EXPECT_EQ(esc->options[1].text.zh, "错~的");
    EXPECT_EQ(esc->options[2].text.zh, "半#错");
    EXPECT_DOUBLE_EQ(esc->options[2].weight, -25);

    const Question* g9 = byId(r, "g8");  // untitled: prefix + 1-based number of the question in the file
    ASSERT_NE(g9, nullptr) << dump(r);
    EXPECT_EQ(g9->module, "legal");  // category by zh name

    const Question* e1 = byId(r, "e1");
    ASSERT_NE(e1, nullptr);
    EXPECT_EQ(e1->module, "ethics");  // category by English name, deeper segments ignored
    EXPECT_EQ(e1->stem.zh, "Be on time?");
}

TEST(Gift, QuestionsWithoutBlankLineMergeIntoMissingWord) {
    // GIFT needs a blank line between questions: without it the two form one block with text after '}'.
    const std::string text = lines({"::a::一加一等于二。{T}", "::b::二加二等于五。{F}"});
    const ImportResult r = importGift(text, opts("safety"));
    EXPECT_EQ(r.questions.size(), 0u);
    ASSERT_EQ(r.diagnostics.size(), 1u);
    EXPECT_EQ(r.diagnostics[0].line, 1);
    EXPECT_EQ(r.diagnostics[0].severity, Severity::Warning);
    EXPECT_NE(r.diagnostics[0].message.find("missing-word"), std::string::npos);
}

TEST(Gift, UnsupportedTypesAreSkippedWithWarningsNamingTheirLine) {
    const std::string text = lines({
        "$CATEGORY: appliance",                       // 1
        "",                                           // 2
        "::essay::谈谈你的体会。{}",                  // 3
        "",                                           // 4
        "::match::配对。{=微波炉 -> 加热 =冰箱 -> 冷藏 =洗衣机 -> 洗衣}",  // 5
        "",                                           // 6
        "::num::一度电是多少千瓦时？{#1:0}",           // 7
        "",                                           // 8
        "::short::电的单位是？{=伏特 =V}",             // 9
        "",                                           // 10
        "::mw::不要用{=湿 ~干}手碰开关。",              // 11
        "",                                           // 12
        "::desc::这只是一段说明文字。",                // 13
        "",                                           // 14
        "::ok::漏电保护器要定期测试吗？{T}",           // 15
        "",                                           // 16
        "::essay2::",                                 // 17
        "写一段话。{",                                // 18
        "####参考答案}",                              // 19
    });
    const ImportResult r = importGift(text, opts());
    EXPECT_EQ(r.questions.size(), 1u) << dump(r);
    EXPECT_EQ(r.skipped, 7);
    EXPECT_EQ(r.failed, 0);
    EXPECT_EQ(r.count(Severity::Warning), 7);
    struct Want {
        int line;
        const char* word;
    };
    for (Want w : {Want{3, "essay"}, Want{5, "matching"}, Want{7, "numerical"}, Want{9, "short-answer"},
                   Want{11, "missing-word"}, Want{13, "description"}, Want{17, "essay"}}) {
        const Diagnostic* d = at(r, w.line);
        ASSERT_NE(d, nullptr) << "line " << w.line << "\n" << dump(r);
        EXPECT_EQ(d->severity, Severity::Warning);
        EXPECT_NE(d->message.find(w.word), std::string::npos) << d->message;
        EXPECT_NE(d->message.find("skipped"), std::string::npos) << d->message;
    }
}

TEST(Gift, MalformedQuestionsAreReportedAndTheRestImported) {
    const std::string text = lines({
        "$CATEGORY: safety",                     // 1
        "::two::两个正确答案？{=甲 =乙 ~丙}",    // 2: two '=' -> validation error
        "",                                      // 3
        "::open::没有右括号 {=甲 ~乙",           // 4: unclosed
        "~丙",                                   // 5
        "",                                      // 6
        "::noright::没有正确答案 {~甲 ~乙}",     // 7
        "",                                      // 8
        "::weight::权重写错 {",                  // 9
        "~%abc%甲",                              // 10: bad weight, reported on its own line
        "~%100%乙}",                             // 11
        "",                                      // 12
        "::sum::权重之和不是100 {~%50%甲 ~%30%乙 ~丙}",  // 13
        "",                                      // 14
        "::lead::前面有字 {甲 =乙 ~丙}",         // 15
        "",                                      // 16
        "::one::只有一个选项 {=甲 ~}",            // 17: empty option text
        "",                                      // 18
        "::good::正常题目 {=甲 ~乙}",            // 19
        "",                                      // 20
        "::good::重复的标题 {=甲 ~乙}",          // 21: duplicate id
        "",                                      // 22
        "::untitled 没有结束冒号 {=甲 ~乙}",      // 23
    });
    const ImportResult r = importGift(text, opts());
    ASSERT_EQ(r.questions.size(), 1u) << dump(r);
    EXPECT_EQ(r.questions[0].id, "good");
    EXPECT_EQ(r.failed, 9) << dump(r);
    struct Want {
        int line;
        const char* text;
    };
    for (Want w : {Want{2, "exactly one option worth 100%"}, Want{4, "never closed"}, Want{7, "no right answer"},
                   Want{10, "'%abc%"}, Want{13, "add up to 80%"}, Want{15, "text before the first answer"},
                   Want{17, "option 2 has no text"}, Want{21, "used by an earlier question"},
                   Want{23, "no closing '::'"}}) {
        const Diagnostic* d = at(r, w.line);
        ASSERT_NE(d, nullptr) << "line " << w.line << "\n" << dump(r);
        EXPECT_EQ(d->severity, Severity::Error);
        EXPECT_NE(d->message.find(w.text), std::string::npos) << d->message;
    }
    // every error names its question
    EXPECT_NE(at(r, 2)->message.find("two"), std::string::npos);
    EXPECT_NE(at(r, 10)->message.find("'weight'"), std::string::npos);
}

TEST(Gift, CategoryThatNamesNoModule) {
    const std::string text = lines({
        "$CATEGORY: $course$/杂项/misc",  // 1
        "",                                // 2
        "::x::问题？{=对 ~错}",            // 3
    });
    ImportResult r = importGift(text, opts());
    ASSERT_EQ(r.questions.size(), 0u);
    ASSERT_EQ(r.diagnostics.size(), 2u) << dump(r);
    EXPECT_EQ(r.diagnostics[0].line, 1);
    EXPECT_EQ(r.diagnostics[0].severity, Severity::Warning);
    EXPECT_NE(r.diagnostics[0].message.find("names no module"), std::string::npos);
    EXPECT_EQ(r.diagnostics[1].line, 3);
    EXPECT_EQ(r.diagnostics[1].severity, Severity::Error);
    EXPECT_NE(r.diagnostics[1].message.find("no module"), std::string::npos);

    r = importGift(text, opts("homecare"));
    ASSERT_EQ(r.questions.size(), 1u) << dump(r);
    EXPECT_EQ(r.questions[0].module, "homecare");
    ASSERT_EQ(r.diagnostics.size(), 1u);
    EXPECT_NE(r.diagnostics[0].message.find("default module 'homecare'"), std::string::npos);
}

TEST(Gift, WindowsLineEndingsBomAndUntitledIds) {
    const std::string text = "\xEF\xBB\xBF// c\r\n题一？{=甲 ~乙}\r\n\r\n题二？{T}\r\n";
    const ImportResult r = importGift(text, opts("badge"));
    ASSERT_EQ(r.questions.size(), 2u) << dump(r);
    EXPECT_EQ(r.questions[0].id, "g1");
    EXPECT_EQ(r.questions[1].id, "g2");
    EXPECT_EQ(r.questions[0].stem.zh, "题一？");
    EXPECT_TRUE(r.diagnostics.empty());
}

TEST(Gift, TrueFalseKeywordsAndCase) {
    const std::string text = lines({"a{T}", "", "b{t}", "", "c{TRUE}", "", "d{F}", "", "e{false}"});
    const ImportResult r = importGift(text, opts("badge"));
    ASSERT_EQ(r.questions.size(), 5u) << dump(r);
    const bool expected[] = {true, true, true, false, false};
    for (std::size_t i = 0; i < 5; ++i) {
        EXPECT_EQ(r.questions[i].type, QuestionType::TrueFalse);
        EXPECT_EQ(r.questions[i].isCorrect(0), expected[i]) << i;
    }
}

TEST(Gift, UnweightedWrongAnswersCountAgainstInAProportionalBank) {
    // Two right answers with weights, three wrong ones without: in a proportional bank each wrong one is
    // worth -100/3, so ticking all five does not score full marks; in an all-or-nothing bank they stay 0.
    const std::string text = "::multi:: 哪些做法安全？{~%50%擦干手 ~%50%关电源 ~湿手插电 ~拉电线拔插头 ~超负荷}\n";
    ImportOptions proportional = opts("appliance");
    proportional.scoring = MultipleScoring::Proportional;
    const ImportResult r = importGift(text, proportional);
    ASSERT_EQ(r.questions.size(), 1u) << dump(r);
    const Question& q = r.questions[0];
    ASSERT_EQ(q.type, QuestionType::MultipleResponse);
    for (std::size_t i = 2; i < 5; ++i) EXPECT_NEAR(q.options[i].weight, -100.0 / 3, 1e-9) << i;
    const int all[] = {0, 1, 2, 3, 4};
    EXPECT_LT(scoreResponse(q, MultipleScoring::Proportional, all), 1.0);
    const int right[] = {0, 1};
    EXPECT_DOUBLE_EQ(scoreResponse(q, MultipleScoring::Proportional, right), 1.0);

    const ImportResult plain = importGift(text, opts("appliance"));
    ASSERT_EQ(plain.questions.size(), 1u);
    EXPECT_DOUBLE_EQ(plain.questions[0].options[2].weight, 0.0);
    // An explicit weight is kept as written.
    const ImportResult explicitWeight =
        importGift("::m2:: 哪些？{~%50%甲 ~%50%乙 ~%-10%丙 ~丁}\n", proportional);
    ASSERT_EQ(explicitWeight.questions.size(), 1u) << dump(explicitWeight);
    EXPECT_DOUBLE_EQ(explicitWeight.questions[0].options[2].weight, -10.0);
    EXPECT_DOUBLE_EQ(explicitWeight.questions[0].options[3].weight, -50.0) << "-100 / 2 wrong answers";
}
