// kioskctl exam end to end: import (GIFT, Aiken, native, dry run), banks, sittings, attempts, stats.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pg_test_database.hpp"
#include "test_support.hpp"

using nlohmann::json;

namespace {

class ExamCli : public ::testing::Test {
protected:
    void SetUp() override {
        m_bin = testsupport::env("KIOSKCTL");
        ASSERT_FALSE(m_bin.empty());
        if (testsupport::onPostgres()) {
            m_pg.emplace();
            ASSERT_FALSE(m_pg->uri().empty()) << "no PostgreSQL test database";
        }
        auto init = ctl({"init", "--center", "c"});
        ASSERT_EQ(init.exitCode, 0) << init.err;
        m_admin = testsupport::adminFrom(init.out);
        ASSERT_TRUE(m_admin) << "init prints the first administrator's PIN";
    }
    /// Runs kioskctl, signed in as the center's first administrator once init made one.
    testsupport::RunResult ctl(std::vector<std::string> args, const std::vector<std::string>& extraEnv = {}) {
        args.insert(args.begin(), m_bin);
        std::vector<std::string> env = dbEnv();
        env.insert(env.end(), extraEnv.begin(), extraEnv.end());
        return m_admin ? testsupport::runAs(*m_admin, args, env) : testsupport::run(args, env);
    }
    /// $KIOSK_DB: the center file, or on the PostgreSQL fixture the URI of the test's database with the test
    /// folder as the center folder ($KIOSK_CENTER_DIR).
    [[nodiscard]] std::vector<std::string> dbEnv() const {
        if (m_pg) return {"KIOSK_DB=" + m_pg->uri(), "KIOSK_CENTER_DIR=" + m_dir.path().string()};
        return {"KIOSK_DB=" + (m_dir / "center.db").string()};
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
    /// The ethics and safety banks of assets/ (both all-or-nothing) as bank "exam"; workers 1 (王秀英) and 2 (李娟).
    /// Sittings without the attendance requirement: these tests are about taking the exam.
    void importBanksAndTwoWorkers() {
        const auto assets = testsupport::env("KIOSK_ASSETS_DIR");
        for (const char* m : {"ethics", "safety"})
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
    std::optional<testsupport::PgTestDatabase> m_pg;
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
    const auto bp = write("bp.json", R"({"sections":[{"module":"ethics","count":2},{"module":"safety","count":3}],
        "duration_minutes":15,"pass_mark":80})");
    auto s = ctlJson({"exam", "sitting", "create", "--bank", "exam", "--title", "考试", "--blueprint", bp,
                      "--candidates", "1,2", "--review", "correct", "--no-require-attendance"});
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
                      "--candidates", "1,2", "--no-require-attendance"});
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

TEST_F(ExamCli, TheBadgeExamWaitsForTheTrainingAndATrainerCanAdmit) {
    ASSERT_NO_FATAL_FAILURE(importBanksAndTwoWorkers());
    const auto bp = write("bp.json", R"({"sections":[{"module":"ethics","count":2}],"duration_minutes":15,"pass_mark":80})");
    auto s = ctlJson({"exam", "sitting", "create", "--bank", "exam", "--title", "结业考试", "--blueprint", bp,
                      "--candidates", "1,2"});
    const auto sid = std::to_string(s["id"].get<int>());
    EXPECT_EQ(s["require_attendance"], true) << "on by default for the badge course";
    EXPECT_EQ(s["scoring"], "all-or-nothing");
    auto shown = ctl({"exam", "sitting", "show", sid});
    EXPECT_EQ(shown.exitCode, 0);
    EXPECT_NE(shown.out.find("scored all-or-nothing"), std::string::npos) << shown.out;
    EXPECT_NE(shown.out.find("required hours"), std::string::npos) << shown.out;
    auto listed = ctl({"exam", "sitting", "list"});
    EXPECT_NE(listed.out.find("all-or-nothing"), std::string::npos) << listed.out;
    ASSERT_EQ(ctl({"exam", "sitting", "open", sid}).exitCode, 0);

    // Worker 1 has attended nothing: refused, with every module's missing minutes.
    auto refused = ctlJson({"exam", "attempt", "start", "--sitting", sid, "--worker", "1"}, 1);
    ASSERT_TRUE(refused.contains("missing")) << refused.dump(2);
    EXPECT_EQ(refused["missing"].size(), 7u);
    EXPECT_EQ(refused["missing"][0]["module"], "ethics");
    EXPECT_EQ(refused["missing"][0]["missing_minutes"], 120);
    auto text = ctl({"exam", "attempt", "start", "--sitting", sid, "--worker", "1"});
    EXPECT_EQ(text.exitCode, 1);
    EXPECT_NE(text.err.find("ethics"), std::string::npos) << text.err;
    EXPECT_NE(text.err.find("120 min missing"), std::string::npos) << text.err;
    EXPECT_NE(text.err.find("exam sitting admit"), std::string::npos) << text.err;

    // A trainer signed in with their PIN admits worker 1 (a wrong PIN, a clerk and nobody signed in are refused).
    ASSERT_EQ(ctl({"staff", "add", "--name", "张老师", "--role", "trainer"}, {"KIOSK_NEW_STAFF_PIN=482916"}).exitCode, 0);
    ASSERT_EQ(ctl({"staff", "add", "--name", "李干事", "--role", "clerk"}, {"KIOSK_NEW_STAFF_PIN=739201"}).exitCode, 0);
    const std::vector<std::string> env = dbEnv();
    const std::vector<std::string> admit{m_bin, "exam", "sitting", "admit", "--sitting", sid, "--worker", "1"};
    auto wrong = testsupport::runAs({"2", "000000"}, admit, env);
    EXPECT_EQ(wrong.exitCode, 1) << wrong.err;
    EXPECT_NE(wrong.err.find("wrong PIN"), std::string::npos) << wrong.err;
    auto clerk = testsupport::runAs({"3", "739201"}, admit, env);
    EXPECT_EQ(clerk.exitCode, 1);
    EXPECT_NE(clerk.err.find("may not run"), std::string::npos) << clerk.err;
    auto nobody = testsupport::run(admit, env);
    EXPECT_EQ(nobody.exitCode, 1);
    EXPECT_NE(nobody.err.find("KIOSK_STAFF_PIN"), std::string::npos) << nobody.err;
    auto admitted = testsupport::runAs({"2", "482916"}, admit, env);
    ASSERT_EQ(admitted.exitCode, 0) << admitted.err;
    auto started = ctlJson({"exam", "attempt", "start", "--sitting", sid, "--worker", "1"});
    EXPECT_EQ(started["items"], 2);
    auto audit = ctlJson({"audit", "list", "--limit", "1000"});
    bool admitRow = false;
    for (const auto& row : audit)
        if (row["action"] == "sitting.admit" && row["actor"] == "staff:2") admitRow = true;  // the trainer
    EXPECT_TRUE(admitRow) << audit.dump(2);
    // Worker 2 still cannot start.
    EXPECT_EQ(ctl({"exam", "attempt", "start", "--sitting", sid, "--worker", "2"}).exitCode, 1);
}

TEST_F(ExamCli, ARetiredQuestionStaysOutOfPapersAndStatsFlagItems) {
    ASSERT_NO_FATAL_FAILURE(importBanksAndTwoWorkers());
    // Stats: six workers all answer the one question of a tiny bank right: it is flagged too easy.
    const auto tiny = write("tiny.toml", R"([bank]
id = "tiny"
title_zh = "小题库"
scoring = "all-or-nothing"

[[question]]
id = "tiny-1"
module = "legal"
type = "single"
stem_zh = "哪一项正确？"

[[question.option]]
text_zh = "正确的"
correct = true

[[question.option]]
text_zh = "错误的"
correct = false

[[question.option]]
text_zh = "也错误"
correct = false
)");
    ASSERT_EQ(ctl({"exam", "import", tiny}).exitCode, 0);
    auto retired = ctlJson({"exam", "question", "retire", "tiny-1"});
    EXPECT_EQ(retired["bank"], "tiny");
    auto show = ctl({"exam", "bank", "show", "tiny"});
    EXPECT_EQ(show.out.find("tiny-1 "), std::string::npos) << "a retired question is not in the bank's current questions";
    auto unknown = ctl({"exam", "question", "retire", "tiny-9"});
    EXPECT_EQ(unknown.exitCode, 1);
    ASSERT_EQ(ctl({"exam", "question", "retire", "tiny-1", "--restore"}).exitCode, 0);
    show = ctl({"exam", "bank", "show", "tiny"});
    EXPECT_NE(show.out.find("tiny-1 "), std::string::npos) << show.out;
    const auto withCheck = [](std::string first17) {
        static constexpr int kWeights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
        int sum = 0;
        for (std::size_t k = 0; k < 17; ++k) sum += (first17[k] - '0') * kWeights[k];
        return first17 + "10X98765432"[sum % 11];
    };
    for (const char* n : {"44030119900101123", "31011519880808456", "32010219751111789", "51010419820430071"}) {
        auto added = ctl({"worker", "add", "--name", "考生", "--id-number", withCheck(n)});
        ASSERT_EQ(added.exitCode, 0) << added.err;
    }
    auto workers = ctlJson({"worker", "list"});
    ASSERT_EQ(workers.size(), 6u);
    std::string candidates;
    for (const auto& w : workers) candidates += (candidates.empty() ? "" : ",") + std::to_string(w["id"].get<int>());
    const auto bp = write("bp.json", R"({"sections":[{"module":"legal","count":1}],"duration_minutes":15})");
    auto s = ctlJson({"exam", "sitting", "create", "--bank", "tiny", "--title", "统计", "--blueprint", bp,
                      "--candidates", candidates, "--no-require-attendance"});
    const auto sid = std::to_string(s["id"].get<int>());
    ASSERT_EQ(ctl({"exam", "sitting", "open", sid}).exitCode, 0);
    int took = 0;
    for (const auto& w : workers) {
        auto a = ctlJson({"exam", "attempt", "start", "--sitting", sid, "--worker", std::to_string(w["id"].get<int>())});
        const auto attempt = std::to_string(a["attempt"].get<int>());
        std::string letter;
        for (const auto& o : a["paper"][0]["options"])
            if (o["zh"] == "正确的") letter = o["letter"].get<std::string>();
        ASSERT_FALSE(letter.empty()) << a.dump(2);
        ASSERT_EQ(ctl({"exam", "attempt", "answer", "--attempt", attempt, "--item", "1", "--choice", letter}).exitCode, 0);
        ASSERT_EQ(ctl({"exam", "attempt", "submit", "--attempt", attempt}).exitCode, 0);
        ++took;
    }
    ASSERT_EQ(took, 6);
    auto stats = ctlJson({"exam", "stats", "--sitting", sid});
    bool flaggedEasy = false;
    for (const auto& it : stats["items"])
        for (const auto& f : it["flags"])
            if (f["flag"] == "too-easy" && it["presented"] == 6) flaggedEasy = true;
    EXPECT_TRUE(flaggedEasy) << stats.dump(2);
    auto text = ctl({"exam", "stats", "--sitting", sid});
    EXPECT_NE(text.out.find("FLAGGED"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("too-easy:"), std::string::npos) << text.out;
}

TEST_F(ExamCli, ABankKeepsOneScoringMode) {
    const auto assets = testsupport::env("KIOSK_ASSETS_DIR");
    ASSERT_EQ(ctl({"exam", "import", assets + "/question-banks/ethics.toml", "--bank", "mix"}).exitCode, 0);
    const auto mode = ctlJson({"exam", "bank", "list"})[0]["scoring"].get<std::string>();
    const std::string other = mode == "proportional" ? "all-or-nothing" : "proportional";
    const auto file = write("other.toml", "[bank]\nid = \"other\"\ntitle_zh = \"另一个\"\nscoring = \"" + other +
                                              "\"\n\n[[question]]\nid = \"o-1\"\nmodule = \"legal\"\ntype = \"truefalse\"\n"
                                              "stem_zh = \"判断\"\nanswer = true\n");
    auto refused = ctl({"exam", "import", file, "--bank", "mix"});
    EXPECT_EQ(refused.exitCode, 1);
    EXPECT_NE(refused.err.find("scores multiple-response questions " + mode), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("nothing was imported"), std::string::npos) << refused.err;
    auto list = ctl({"exam", "bank", "list"});
    EXPECT_NE(list.out.find(mode), std::string::npos) << list.out;
    // A GIFT file into the existing bank takes the bank's mode; a different --scoring is refused.
    const auto gift = write("more.gift", "::g1:: 湿手可以触摸开关。{F}\n");
    EXPECT_EQ(ctl({"exam", "import", gift, "--bank", "mix", "--module", "safety"}).exitCode, 0);
    EXPECT_EQ(ctl({"exam", "import", gift, "--bank", "mix", "--module", "safety", "--scoring", other}).exitCode, 1);
}
