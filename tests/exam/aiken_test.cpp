#include <gtest/gtest.h>

#include <algorithm>

#include "exam/aiken.hpp"
#include "exam_fixtures.hpp"

using namespace exam;
using examtest::lines;

namespace {

ImportOptions opts() {
    ImportOptions o;
    o.defaultModule = "legal";
    o.defaultDifficulty = 3;
    o.idPrefix = "legal-";
    return o;
}

std::string dump(const ImportResult& r) {
    std::string s;
    for (const auto& d : r.diagnostics)
        s += std::to_string(d.line) + " " + std::string(severityName(d.severity)) + ": " + d.message + "\n";
    return s;
}

}  // namespace

TEST(Aiken, WellFormedQuestions) {
    const std::string text = lines({
        "家政服务合同应由谁签订？ / Who signs the service contract?",  // 1
        "A) 服务员本人 / The worker",                                  // 2
        "B. 机构与客户 / The agency and the client",                   // 3
        "C) 任何人 / Anyone",                                          // 4
        "ANSWER: B",                                                   // 5
        "",                                                            // 6
        "下列哪些属于个人敏感信息？",                                  // 7
        "A. 身份证号",                                                 // 8
        "B. 人脸图像",                                                 // 9
        "C. 公司名称",                                                 // 10
        "ANSWER: A, B",                                                // 11
        "第三题没有空行分隔",                                          // 12
        "A) 甲",                                                       // 13
        "B) 乙",                                                       // 14
        "answer:A",                                                    // 15
    });
    const ImportResult r = importAiken(text, opts());
    EXPECT_TRUE(r.diagnostics.empty()) << dump(r);
    ASSERT_EQ(r.questions.size(), 3u);
    const Question& q1 = r.questions[0];
    EXPECT_EQ(q1.id, "legal-1");
    EXPECT_EQ(q1.module, "legal");
    EXPECT_EQ(q1.difficulty, 3);
    EXPECT_EQ(q1.type, QuestionType::SingleChoice);
    EXPECT_EQ(q1.stem.zh, "家政服务合同应由谁签订？");
    EXPECT_EQ(q1.stem.en, "Who signs the service contract?");
    ASSERT_EQ(q1.options.size(), 3u);
    EXPECT_EQ(q1.options[1].text.en, "The agency and the client");
    EXPECT_TRUE(q1.isCorrect(1));
    EXPECT_FALSE(q1.isCorrect(0));
    const Question& q2 = r.questions[1];
    EXPECT_EQ(q2.id, "legal-2");
    EXPECT_EQ(q2.type, QuestionType::MultipleResponse);
    EXPECT_DOUBLE_EQ(q2.options[0].weight, 50);
    EXPECT_DOUBLE_EQ(q2.options[1].weight, 50);
    EXPECT_DOUBLE_EQ(q2.options[2].weight, 0);
    EXPECT_EQ(r.questions[2].id, "legal-3");
    EXPECT_TRUE(r.questions[2].isCorrect(0));
}

TEST(Aiken, MalformedQuestionsReportedWithLinesRestImported) {
    const std::string text = lines({
        "只有一个选项",            // 1: too few options
        "A) 唯一",                 // 2
        "ANSWER: A",               // 3
        "",                        // 4
        "没有答案行",              // 5: no ANSWER line (ends at blank line)
        "A) 甲",                   // 6
        "B) 乙",                   // 7
        "",                        // 8
        "答案不是选项",            // 9
        "A) 甲",                   // 10
        "B) 乙",                   // 11
        "ANSWER: D",               // 12: not an option
        "",                        // 13
        "好题目",                  // 14
        "A) 甲",                   // 15
        "B) 乙",                   // 16
        "ANSWER: A",               // 17
        "",                        // 18
        "A) 没有题干的选项",       // 19: option without stem
        "B) 乙",                   // 20
        "ANSWER: B",               // 21
        "",                        // 22
        "选项乱序",                // 23
        "A) 甲",                   // 24
        "C) 丙",                   // 25: out of order
        "ANSWER: A",               // 26
        "",                        // 27
        "空选项",                  // 28
        "A) 甲",                   // 29
        "B)",                      // 30: empty option
        "ANSWER: A",               // 31
        "ANSWER: B",               // 32: stray answer line
        "又一个没有答案行的题目",  // 33
        "A) 甲",                   // 34
        "B) 乙",                   // 35
        "最后一题在文件末尾缺答案",  // 36: new stem -> 33 lacks ANSWER
        "A) 甲",                   // 37
        "B) 乙",                   // 38
    });
    const ImportResult r = importAiken(text, opts());
    ASSERT_EQ(r.questions.size(), 1u) << dump(r);
    EXPECT_EQ(r.questions[0].stem.zh, "好题目");
    EXPECT_EQ(r.questions[0].id, "legal-4");
    EXPECT_EQ(r.failed, 9) << dump(r);
    struct Want {
        int line;
        const char* text;
    };
    const Want wants[] = {
        {1, "1 option(s); give at least two"},
        {5, "no ANSWER line"},
        {12, "'D' is not one of the options A-B"},
        {19, "option without a question"},
        {25, "option C is out of order (expected B)"},
        {30, "option B is empty"},
        {32, "ANSWER line without a question"},
        {33, "no ANSWER line"},
        {36, "no ANSWER line"},
    };
    ASSERT_EQ(r.diagnostics.size(), std::size(wants)) << dump(r);
    for (std::size_t i = 0; i < std::size(wants); ++i) {
        EXPECT_EQ(r.diagnostics[i].line, wants[i].line) << dump(r);
        EXPECT_EQ(r.diagnostics[i].severity, Severity::Error);
        EXPECT_NE(r.diagnostics[i].message.find(wants[i].text), std::string::npos) << r.diagnostics[i].message;
    }
}

TEST(Aiken, NeedsADefaultModule) {
    ImportOptions o = opts();
    o.defaultModule.clear();
    const ImportResult r = importAiken(lines({"题？", "A) 甲", "B) 乙", "ANSWER: A"}), o);
    EXPECT_TRUE(r.questions.empty());
    ASSERT_EQ(r.diagnostics.size(), 1u);
    EXPECT_EQ(r.diagnostics[0].line, 1);
    EXPECT_NE(r.diagnostics[0].message.find("default module"), std::string::npos);
}

TEST(Aiken, MultiLineStemAndCrLf) {
    const ImportResult r = importAiken("第一行\r\n第二行\r\n\r\nA. 甲\r\nB. 乙\r\nANSWER: B\r\n", opts());
    ASSERT_EQ(r.questions.size(), 1u) << dump(r);
    EXPECT_EQ(r.questions[0].stem.zh, "第一行\n第二行");
    EXPECT_TRUE(r.questions[0].isCorrect(1));
}
