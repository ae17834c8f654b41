#include <gtest/gtest.h>

#include <filesystem>
#include <fmt/format.h>

#include "test_support.hpp"
#include "training/bank_file.hpp"

using namespace training;

namespace {

const char* kSmall = R"(# a small bank
[bank]
id = "t-bank"
title_zh = "测试题库"
title_en = "Test bank"
scoring = "proportional"

[[question]]
id = "t-1"
module = "safety"
type = "single"
difficulty = 2
stem_zh = "燃气泄漏时首先应该？"
stem_en = "Gas leak: first step?"
explanation_zh = "关阀通风。"

[[question.option]]
text_zh = "开灯"
correct = false

[[question.option]]
text_zh = "关阀通风"
text_en = "Close the valve and ventilate"
correct = true

[[question]]
id = "t-2"
module = "appliance"
type = "multiple"
stem_zh = "哪些做法安全？"

[[question.option]]
text_zh = "擦干手再插插头"
correct = true
weight = 50

[[question.option]]
text_zh = "拔插头时拉电线"
correct = false
weight = -50

[[question.option]]
text_zh = "用完关电源"
correct = true
weight = 50

[[question]]
id = "t-3"
module = "ethics"
type = "truefalse"
stem_zh = "可以把雇主家的情况发到网上。"
answer = false
)";

}  // namespace

TEST(NativeBank, ReadsEveryQuestionType) {
    auto r = parseNativeBank(kSmall, "small.toml");
    EXPECT_TRUE(r.headerValid);
    EXPECT_EQ(r.failed, 0);
    ASSERT_TRUE(r.diagnostics.empty()) << r.diagnostics.front().message;
    EXPECT_EQ(r.bank.id, "t-bank");
    EXPECT_EQ(r.bank.scoring, exam::MultipleScoring::Proportional);
    ASSERT_EQ(r.bank.questions.size(), 3u);
    const auto& single = r.bank.questions[0];
    EXPECT_EQ(single.type, exam::QuestionType::SingleChoice);
    EXPECT_EQ(single.difficulty, 2);
    EXPECT_TRUE(single.isCorrect(1));
    EXPECT_DOUBLE_EQ(single.options[1].weight, 100.0);
    const auto& multi = r.bank.questions[1];
    EXPECT_DOUBLE_EQ(multi.options[1].weight, -50.0);
    EXPECT_EQ(multi.difficulty, 1) << "difficulty defaults to 1";
    const auto& tf = r.bank.questions[2];
    EXPECT_EQ(tf.type, exam::QuestionType::TrueFalse);
    EXPECT_FALSE(tf.isCorrect(0));
    EXPECT_TRUE(tf.isCorrect(1));
}

TEST(NativeBank, ExportThenImportGivesTheSameBank) {
    auto first = parseNativeBank(kSmall, "small.toml");
    const auto text = writeNativeBank(first.bank);
    auto second = parseNativeBank(text, "exported.toml");
    ASSERT_TRUE(second.diagnostics.empty()) << second.diagnostics.front().message << "\n" << text;
    EXPECT_EQ(second.bank.id, first.bank.id);
    EXPECT_EQ(second.bank.title, first.bank.title);
    EXPECT_EQ(second.bank.scoring, first.bank.scoring);
    EXPECT_EQ(second.bank.questions, first.bank.questions);
    EXPECT_EQ(writeNativeBank(second.bank), text);
}

TEST(NativeBank, DefaultBanksLoadAndRoundTrip) {
    const auto assets = testsupport::env("KIOSK_ASSETS_DIR");
    ASSERT_FALSE(assets.empty());
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(assets) / "question-banks")) {
        if (entry.path().extension() != ".toml") continue;
        ++files;
        auto r = parseNativeBank(testsupport::readFile(entry.path()), entry.path().string());
        ASSERT_EQ(r.failed, 0) << entry.path() << ": " << r.diagnostics.front().message;
        EXPECT_GE(r.bank.questions.size(), 30u) << entry.path();
        auto again = parseNativeBank(writeNativeBank(r.bank), "roundtrip");
        EXPECT_EQ(again.bank.questions, r.bank.questions) << entry.path();
    }
    EXPECT_EQ(files, 7);
}

TEST(NativeBank, ProblemsAreReportedWithLinesAndTheRestIsKept) {
    const std::string text = std::string(kSmall) + R"(
[[question]]
id = "t-4"
module = "Gardening"
type = "single"
stem_zh = "?"

[[question.option]]
text_zh = "a"
correct = true

[[question.option]]
text_zh = "b"
correct = false

[[question]]
id = "t-5"
module = "safety"
type = "essay"
stem_zh = "?"

[[question]]
id = "t-6"
module = "safety"
type = "single"
stem_zh = "two right answers"

[[question.option]]
text_zh = "a"
correct = true

[[question.option]]
text_zh = "b"
correct = true
)";
    auto r = parseNativeBank(text, "broken.toml");
    EXPECT_EQ(r.bank.questions.size(), 3u);
    EXPECT_EQ(r.failed, 3);
    ASSERT_GE(r.diagnostics.size(), 3u);
    // Line numbers point into the file: t-4's module is on line 66 of the combined text.
    const auto lineOf = [&](std::string_view needle) {
        for (const auto& d : r.diagnostics)
            if (d.message.find(needle) != std::string::npos) return d.line;
        return -1;
    };
    int moduleLine = 0, n = 0;
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n') {
            ++n;
            if (text.compare(i + 1, 20, "module = \"Gardening\"") == 0) moduleLine = n + 1;
        }
    EXPECT_EQ(lineOf("Gardening"), moduleLine);
    EXPECT_GT(lineOf("t-5"), moduleLine);
    EXPECT_GT(lineOf("t-6"), lineOf("t-5"));
}

TEST(NativeBank, SyntaxErrorsAndMissingHeader) {
    auto syntax = parseNativeBank("[bank\nid = 1\n", "x.toml");
    ASSERT_EQ(syntax.diagnostics.size(), 1u);
    EXPECT_EQ(syntax.diagnostics[0].line, 1);
    EXPECT_NE(syntax.diagnostics[0].message.find("TOML"), std::string::npos);
    auto noHeader = parseNativeBank("[[question]]\nid = \"a\"\n", "x.toml");
    EXPECT_FALSE(noHeader.headerValid);
    auto badScoring = parseNativeBank("[bank]\nid = \"a\"\ntitle_zh = \"x\"\nscoring = \"best\"\n", "x.toml");
    EXPECT_FALSE(badScoring.headerValid);
}

TEST(NativeBank, ExportEscapesQuotesBackslashesAndNewlines) {
    auto first = parseNativeBank(kSmall, "small.toml");
    first.bank.questions[0].stem.zh = "他说：\"别碰\" C:\\temp\n第二行\t制表";
    const auto text = writeNativeBank(first.bank);
    EXPECT_NE(text.find("stem_zh = \"他说：\\\"别碰\\\" C:\\\\temp\\n第二行\\t制表\""), std::string::npos) << text;
    auto second = parseNativeBank(text, "exported.toml");
    ASSERT_TRUE(second.diagnostics.empty()) << second.diagnostics.front().message;
    EXPECT_EQ(second.bank.questions[0].stem.zh, first.bank.questions[0].stem.zh);

    // TOML drops a line break right after the opening of a multi-line string, so a writer that chose one for a
    // text beginning with a line break would lose it; every text is one escaped basic string and comes back the
    // same, with quotes, backslashes and control characters.
    auto& q = first.bank.questions[0];
    q.stem.en = "\r\nWhat \"first\" step?\t\\";
    q.explanation = {"\n\n先关阀门", std::string("a\x01" "b\x7f", 4)};
    q.options.front().text = {"\n开窗", "\nOpen the window"};
    q.options.front().feedback = {"'''三引号'''", "\"\"\""};
    const auto again = writeNativeBank(first.bank);
    auto third = parseNativeBank(again, "exported.toml");
    ASSERT_EQ(third.failed, 0) << again;
    EXPECT_EQ(third.bank.questions, first.bank.questions) << again;
}

TEST(NativeBank, ConceptKeyIsReadCheckedAndExported) {
    std::string text = kSmall;
    text.replace(text.find("id = \"t-1\"\n"), 11, "id = \"t-1\"\nconcept = \"gas-leak-first-step\"\n");
    auto r = parseNativeBank(text, "concept.toml");
    ASSERT_TRUE(r.diagnostics.empty()) << r.diagnostics.front().message;
    ASSERT_EQ(r.bank.questions.size(), 3u);
    EXPECT_EQ(r.bank.questions[0].conceptTag, "gas-leak-first-step");
    EXPECT_EQ(r.bank.questions[1].conceptTag, "") << "the key is optional";
    const auto exported = writeNativeBank(r.bank);
    EXPECT_NE(exported.find("concept = \"gas-leak-first-step\"\n"), std::string::npos) << exported;
    auto again = parseNativeBank(exported, "exported.toml");
    ASSERT_TRUE(again.diagnostics.empty()) << again.diagnostics.front().message;
    EXPECT_EQ(again.bank.questions, r.bank.questions);

    for (const char* bad : {"concept = \"Gas Leak\"\n", "concept = \"gas_leak\"\n", "concept = \"-gas\"\n",
                            "concept = \"\"\n", "concept = 3\n"}) {
        std::string broken = kSmall;
        broken.replace(broken.find("id = \"t-1\"\n"), 11, std::string("id = \"t-1\"\n") + bad);
        auto b = parseNativeBank(broken, "bad.toml");
        EXPECT_EQ(b.failed, 1) << bad;
        ASSERT_FALSE(b.diagnostics.empty()) << bad;
        EXPECT_NE(b.diagnostics[0].message.find("question t-1"), std::string::npos) << b.diagnostics[0].message;
        EXPECT_NE(b.diagnostics[0].message.find("concept"), std::string::npos) << b.diagnostics[0].message;
        EXPECT_EQ(b.diagnostics[0].line, 10) << bad;
    }
}

TEST(NativeBank, ImagePathsMustStayInTheBanksFolder) {
    for (const char* path : {"/etc/passwd", "../../../etc/shadow", "images/../../secret.png", "images\\\\..\\\\x.png",
                             "~/x.png/../../y"}) {
        std::string text = kSmall;
        text.replace(text.find("id = \"t-1\"\n"), 11, fmt::format("id = \"t-1\"\nimage = \"{}\"\n", path));
        auto r = parseNativeBank(text, "images.toml");
        EXPECT_EQ(r.failed, 1) << path;
        EXPECT_EQ(r.bank.questions.size(), 2u) << path;
        ASSERT_FALSE(r.diagnostics.empty()) << path;
        const auto& m = r.diagnostics[0].message;
        EXPECT_NE(m.find("question t-1"), std::string::npos) << m;
        EXPECT_NE(m.find("leaves the bank's folder"), std::string::npos) << m;
        EXPECT_EQ(r.diagnostics[0].line, 10) << path;
    }
    std::string ok = kSmall;
    ok.replace(ok.find("id = \"t-1\"\n"), 11, "id = \"t-1\"\nimage = \"images/gas-valve.png\"\n");
    auto r = parseNativeBank(ok, "images.toml");
    ASSERT_TRUE(r.diagnostics.empty()) << r.diagnostics.front().message;
    EXPECT_EQ(r.bank.questions[0].imagePath, "images/gas-valve.png");
}

TEST(NativeBank, UnweightedWrongOptionsCountAgainstInAProportionalBank) {
    const std::string text = R"([bank]
id = "p"
title_zh = "比例题库"
scoring = "proportional"

[[question]]
id = "p-1"
module = "appliance"
type = "multiple"
stem_zh = "哪些做法安全？"

[[question.option]]
text_zh = "擦干手再插插头"
correct = true

[[question.option]]
text_zh = "用完关电源"
correct = true

[[question.option]]
text_zh = "湿手插电"
correct = false

[[question.option]]
text_zh = "拉电线拔插头"
correct = false

[[question.option]]
text_zh = "一个插座接很多电器"
correct = false
)";
    auto r = parseNativeBank(text, "p.toml");
    ASSERT_TRUE(r.diagnostics.empty()) << r.diagnostics.front().message;
    const auto& q = r.bank.questions.at(0);
    for (std::size_t i = 2; i < 5; ++i) EXPECT_NEAR(q.options[i].weight, -100.0 / 3, 1e-9);
    const int all[] = {0, 1, 2, 3, 4};
    EXPECT_LT(exam::scoreResponse(q, exam::MultipleScoring::Proportional, all), 1.0)
        << "ticking every option must score below full marks";
    // The export leaves the implied weights out and reads back the same.
    const auto exported = writeNativeBank(r.bank);
    EXPECT_EQ(exported.find("weight"), std::string::npos) << exported;
    EXPECT_EQ(parseNativeBank(exported, "again.toml").bank.questions, r.bank.questions);
    // In an all-or-nothing bank the same question keeps 0 on its wrong options.
    std::string aon = text;
    aon.replace(aon.find("proportional"), 12, "all-or-nothing");
    auto a = parseNativeBank(aon, "a.toml");
    ASSERT_TRUE(a.diagnostics.empty());
    EXPECT_DOUBLE_EQ(a.bank.questions.at(0).options[2].weight, 0.0);
}
