// kioskctl exam end to end: import (GIFT, Aiken, native, dry run), banks, sittings, attempts, stats.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

using nlohmann::json;

namespace {

class ExamCli : public ::testing::Test {
protected:
    void SetUp() override {
        m_bin = testsupport::env("KIOSKCTL");
        ASSERT_FALSE(m_bin.empty());
        auto init = ctl({"init", "--center", "c"});
        ASSERT_EQ(init.exitCode, 0) << init.err;
        m_admin = testsupport::adminFrom(init.out);
        ASSERT_TRUE(m_admin) << "init prints the first administrator's PIN";
    }
    /// Runs kioskctl, signed in as the center's first administrator once init made one.
    testsupport::RunResult ctl(std::vector<std::string> args) {
        args.insert(args.begin(), m_bin);
        const std::vector<std::string> env{"KIOSK_DB=" + (m_dir / "center.db").string()};
        return m_admin ? testsupport::runAs(*m_admin, args, env) : testsupport::run(args, env);
    }
    std::optional<testsupport::StaffLogin> m_admin;
    json ctlJson(std::vector<std::string> args, int expectedExit = 0) {
        args.push_back("--json");
        auto r = ctl(args);
        EXPECT_EQ(r.exitCode, expectedExit) << r.out << r.err;
        auto j = json::parse(r.out, nullptr, false);
        EXPECT_FALSE(j.is_discarded()) << r.out;
        return j;
    }
    /// The ethics, safety and appliance banks of assets/ as bank "exam"; workers 1 (王秀英) and 2 (李娟).
    void importBanksAndTwoWorkers() {
        const auto assets = testsupport::env("KIOSK_ASSETS_DIR");
        for (const char* m : {"ethics", "safety", "appliance"})
            ASSERT_EQ(ctl({"exam", "import", assets + "/question-banks/" + m + ".toml", "--bank", "exam"}).exitCode, 0);
        ASSERT_EQ(ctl({"worker", "add", "--name", "王秀英", "--id-number", "11010519491231002X"}).exitCode, 0);
        ASSERT_EQ(ctl({"worker", "add", "--name", "李娟", "--id-number", "31010119780312002X"}).exitCode, 0);
    }
    std::string write(const std::string& name, const std::string& text) {
        testsupport::writeFile(m_dir / name, text);
        return (m_dir / name).string();
    }
    std::string m_bin;
    testsupport::TempDir m_dir;
};

const char* kGift = R"(// safety questions
$CATEGORY: badge/safety

::gas::闻到燃气味首先应该？ / You smell gas: first?{
  =关阀开窗 / Close valve, open windows
  ~开灯检查 / Switch on the light
  ~打火检查 / Use a lighter
}

::essay::请描述你的经验。{}

::broken::这题没有结尾 {
  =a
  ~b

::tf::湿手可以触摸开关。 / Wet hands may touch switches.{F}
)";

const char* kAiken = R"(插座冒烟时应先？
A) 用水浇
B) 切断电源
C) 继续使用
ANSWER: B

只有一个选项的题？
A) 唯一
ANSWER: A

微波炉里可以放金属吗？
A. 可以
B. 不可以
ANSWER: B
)";

}  // namespace

TEST_F(ExamCli, GiftImportReportsLinesAndImportsTheRest) {
    const auto file = write("safety.gift", kGift);
    auto dry = ctlJson({"exam", "import", file, "--dry-run"}, 1);
    EXPECT_EQ(dry["dry_run"], true);
    EXPECT_EQ(dry["imported"], 0);
    EXPECT_EQ(dry["valid"], 2);
    EXPECT_EQ(dry["skipped"], 1);
    EXPECT_GE(dry["errors"].get<int>(), 1);
    bool essayWarned = false, brokenError = false;
    for (const auto& m : dry["messages"]) {
        if (m["line"] == 10 && m["severity"] == "warning") essayWarned = true;
        if (m["severity"] == "error" && m["line"].get<int>() >= 12) brokenError = true;
    }
    EXPECT_TRUE(essayWarned) << dry.dump(2);
    EXPECT_TRUE(brokenError) << dry.dump(2);
    auto banks = ctlJson({"exam", "bank", "list"});
    EXPECT_TRUE(banks.empty()) << "a dry run writes nothing";

    auto real = ctlJson({"exam", "import", file, "--bank", "b1"}, 1);
    EXPECT_EQ(real["imported"], 2);
    banks = ctlJson({"exam", "bank", "list"});
    ASSERT_EQ(banks.size(), 1u);
    EXPECT_EQ(banks[0]["questions"], 2);
    auto again = ctlJson({"exam", "import", file, "--bank", "b1"}, 1);
    EXPECT_EQ(again["unchanged"], 2);
}

TEST_F(ExamCli, AikenNeedsAModuleAndReportsMalformedQuestions) {
    const auto file = write("appliance.aiken", kAiken);
    auto noModule = ctl({"exam", "import", file});
    EXPECT_EQ(noModule.exitCode, 1);
    EXPECT_NE(noModule.err.find("--module"), std::string::npos);
    auto r = ctlJson({"exam", "import", file, "--module", "appliance", "--bank", "a"}, 1);
    EXPECT_EQ(r["imported"], 2);
    bool lineSeven = false;
    for (const auto& m : r["messages"])
        if (m["line"].get<int>() >= 6 && m["line"].get<int>() <= 8 && m["severity"] == "error") lineSeven = true;
    EXPECT_TRUE(lineSeven) << r.dump(2);
}

TEST_F(ExamCli, NativeBankExportReimportsIdentically) {
    const auto assets = testsupport::env("KIOSK_ASSETS_DIR");
    const auto safety = assets + "/question-banks/safety.toml";
    auto r = ctlJson({"exam", "import", safety});
    EXPECT_GE(r["imported"].get<int>(), 30);
    const auto bank = r["bank"].get<std::string>();
    const auto out = (m_dir / "export.toml").string();
    ASSERT_EQ(ctl({"exam", "bank", "export", bank, "--out", out}).exitCode, 0);
    auto re = ctlJson({"exam", "import", out});
    EXPECT_EQ(re["imported"], 0);
    EXPECT_EQ(re["unchanged"], r["imported"]);
    const auto out2 = (m_dir / "export2.toml").string();
    ASSERT_EQ(ctl({"exam", "bank", "export", bank, "--out", out2}).exitCode, 0);
    EXPECT_EQ(testsupport::readFile(out), testsupport::readFile(out2));
}

TEST_F(ExamCli, TakeTheExamToAPassAndToAFail) {
    ASSERT_NO_FATAL_FAILURE(importBanksAndTwoWorkers());
    const auto bp = write("bp.json", R"({"sections":[{"module":"ethics","count":2},{"module":"safety","count":2},
        {"module":"appliance","count":1}],"duration_minutes":15,"pass_mark":80})");
    auto s = ctlJson({"exam", "sitting", "create", "--bank", "exam", "--title", "考试", "--blueprint", bp,
                      "--candidates", "1,2", "--review", "correct"});
    const auto sid = std::to_string(s["id"].get<int>());
    EXPECT_EQ(s["questions"], 5);
    EXPECT_EQ(s["candidates"], 2);
    auto notOpen = ctl({"exam", "attempt", "start", "--sitting", sid, "--worker", "1"});
    EXPECT_EQ(notOpen.exitCode, 1);
    ASSERT_EQ(ctl({"exam", "sitting", "open", sid}).exitCode, 0);

    // The paper preview equals the paper the attempt gets.
    auto preview = ctlJson({"exam", "paper", "--sitting", sid, "--worker", "1"});
    for (const std::string worker : {"1", "2"}) {
        auto start = ctlJson({"exam", "attempt", "start", "--sitting", sid, "--worker", worker});
        const auto aid = std::to_string(start["attempt"].get<int>());
        if (worker == "1") {
            ASSERT_EQ(preview["items"].size(), start["paper"].size());
            for (std::size_t i = 0; i < preview["items"].size(); ++i)
                EXPECT_EQ(preview["items"][i]["question"], start["paper"][i]["question"]);
        }
        // Worker 2 leaves everything blank; worker 1 answers from the key of the exported bank.
        if (worker == "2") {
            auto submitted = ctlJson({"exam", "attempt", "submit", "--attempt", aid});
            EXPECT_EQ(submitted["passed"], false);
            EXPECT_EQ(submitted["score"], 0.0);
        } else {
            auto exported = ctl({"exam", "bank", "export", "exam"});
            ASSERT_EQ(exported.exitCode, 0);
            for (std::size_t i = 0; i < start["paper"].size(); ++i) {
                const auto& item = start["paper"][i];
                const auto qid = item["question"].get<std::string>();
                // The exported TOML lists options in original order with `correct = true`; map the right
                // option's zh text to the displayed letter.
                const auto pos = exported.out.find("id = \"" + qid + "\"");
                ASSERT_NE(pos, std::string::npos);
                const auto next = exported.out.find("[[question]]", pos);
                const auto block = exported.out.substr(pos, next - pos);
                std::string letters;
                for (const auto& opt : item["options"]) {
                    const auto zh = opt["zh"].get<std::string>();
                    const auto at = block.find("text_zh = " + json(zh).dump());
                    if (at == std::string::npos) continue;
                    const auto corr = block.find("correct = ", at);
                    if (block.compare(corr + 10, 4, "true") == 0) letters += opt["letter"].get<std::string>();
                }
                if (item["type"] == "truefalse") {
                    const bool answerTrue = block.find("answer = true") != std::string::npos;
                    for (const auto& opt : item["options"])
                        if ((opt["en"] == "True") == answerTrue) letters = opt["letter"].get<std::string>();
                }
                ASSERT_FALSE(letters.empty()) << qid;
                auto saved = ctlJson({"exam", "attempt", "answer", "--attempt", aid, "--item", std::to_string(i + 1),
                                      "--choice", letters});
                EXPECT_EQ(saved["saved"], true);
            }
            ASSERT_EQ(ctl({"exam", "attempt", "flag", "--attempt", aid, "--item", "2"}).exitCode, 0);
            auto submitted = ctlJson({"exam", "attempt", "submit", "--attempt", aid});
            EXPECT_EQ(submitted["passed"], true) << submitted.dump(2);
            EXPECT_EQ(submitted["score"], 100.0);
            auto late = ctl({"exam", "attempt", "answer", "--attempt", aid, "--item", "1", "--choice", "A"});
            EXPECT_EQ(late.exitCode, 1);
        }
    }
    auto stats = ctlJson({"exam", "stats", "--sitting", sid});
    EXPECT_EQ(stats["attempts"], 2);
    EXPECT_DOUBLE_EQ(stats["mean"].get<double>(), 50.0);
    ASSERT_EQ(ctl({"exam", "sitting", "close", sid}).exitCode, 0);
    auto list = ctlJson({"exam", "sitting", "list"});
    EXPECT_EQ(list[0]["state"], "closed");
}

TEST_F(ExamCli, BoardShowsEveryCandidateWithProgressAndConnectionState) {
    ASSERT_NO_FATAL_FAILURE(importBanksAndTwoWorkers());
    const auto bp = write("bp.json", R"({"sections":[{"module":"ethics","count":2},{"module":"safety","count":1}],
        "duration_minutes":15,"pass_mark":80})");
    auto s = ctlJson({"exam", "sitting", "create", "--bank", "exam", "--title", "考试", "--blueprint", bp,
                      "--candidates", "1,2"});
    const auto sid = std::to_string(s["id"].get<int>());
    auto empty = ctl({"exam", "board"});
    EXPECT_EQ(empty.exitCode, 0);
    EXPECT_NE(empty.out.find("no candidates in an open or paused sitting"), std::string::npos) << empty.out;
    ASSERT_EQ(ctl({"exam", "sitting", "open", sid}).exitCode, 0);
    auto start = ctlJson({"exam", "attempt", "start", "--sitting", sid, "--worker", "1"});
    const auto aid = std::to_string(start["attempt"].get<int>());
    ASSERT_EQ(ctl({"exam", "attempt", "answer", "--attempt", aid, "--item", "1", "--choice", "A"}).exitCode, 0);

    auto board = ctlJson({"exam", "board"});
    ASSERT_TRUE(board.is_array());
    ASSERT_EQ(board.size(), 2u) << board.dump(2);
    EXPECT_EQ(board[0]["name"], "王秀英");
    EXPECT_EQ(board[0]["presence"], "at-screen") << "the answer just now counts as contact";
    EXPECT_EQ(board[0]["answered"], 1);
    EXPECT_EQ(board[0]["items"], 3);
    EXPECT_GT(board[0]["remaining_seconds"].get<int>(), 14 * 60);
    EXPECT_EQ(board[1]["name"], "李娟");
    EXPECT_EQ(board[1]["presence"], "not-started");
    EXPECT_FALSE(board[1].contains("attempt"));
    auto text = ctl({"exam", "board", "--sitting", sid});
    EXPECT_EQ(text.exitCode, 0);
    EXPECT_NE(text.out.find("1/3 (1 answered)"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("not-started"), std::string::npos) << text.out;

    ASSERT_EQ(ctl({"exam", "attempt", "submit", "--attempt", aid}).exitCode, 0);
    board = ctlJson({"exam", "board", "--sitting", sid});
    EXPECT_EQ(board[0]["presence"], "submitted");
    EXPECT_TRUE(board[0].contains("score"));
    auto unknown = ctl({"exam", "board", "--sitting", "99"});
    EXPECT_EQ(unknown.exitCode, 1);
    EXPECT_NE(unknown.err.find("99"), std::string::npos) << unknown.err;
}
