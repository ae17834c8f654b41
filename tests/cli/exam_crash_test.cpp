// Crash test: `kioskctl exam attempt answer` is killed with SIGKILL at random moments, many times.
// Every answer the command reported as saved must be in the database afterwards, and the database
// must pass integrity_check.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "test_support.hpp"

using nlohmann::json;

namespace {

struct Killed {
    std::string out;
    bool killed{false};
};

// Starts argv with KIOSK_DB (and the staff PIN) set, kills it with SIGKILL after `delayUs` unless it ended before.
Killed runAndKill(const std::vector<std::string>& argv, const std::string& db, const std::string& pin, int delayUs) {
    int pipeFd[2];
    if (pipe(pipeFd) != 0) return {};
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(pipeFd[1], 1);
        close(pipeFd[0]);
        close(pipeFd[1]);
        setenv("KIOSK_DB", db.c_str(), 1);
        setenv("KIOSK_STAFF_PIN", pin.c_str(), 1);
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    close(pipeFd[1]);
    usleep(static_cast<useconds_t>(delayUs));
    Killed result;
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    result.killed = WIFSIGNALED(status);
    char buf[4096];
    ssize_t n;
    while ((n = read(pipeFd[0], buf, sizeof buf)) > 0) result.out.append(buf, static_cast<std::size_t>(n));
    close(pipeFd[0]);
    return result;
}

}  // namespace

TEST(ExamCrash, AnswersReportedAsSavedSurviveSigkill) {
    const auto bin = testsupport::env("KIOSKCTL");
    ASSERT_FALSE(bin.empty());
    testsupport::TempDir dir;
    const auto db = (dir / "center.db").string();
    const std::vector<std::string> env{"KIOSK_DB=" + db};
    auto seed = testsupport::run({bin, "demo-seed", "--json"}, env);
    ASSERT_EQ(seed.exitCode, 0) << seed.err;
    ASSERT_TRUE(json::parse(seed.out).contains("sitting")) << "demo-seed opens a sitting";
    const auto admin = testsupport::adminFrom(seed.out);
    ASSERT_TRUE(admin) << "demo-seed prints the staff PINs once";
    auto start = testsupport::runAs(*admin, {bin, "exam", "attempt", "start", "--sitting", "1", "--worker", "1", "--json"}, env);
    ASSERT_EQ(start.exitCode, 0) << start.err;
    const auto attempt = json::parse(start.out);
    const std::string attemptId = std::to_string(attempt["attempt"].get<int>());
    const int items = attempt["items"].get<int>();
    std::vector<int> optionCount;
    for (const auto& item : attempt["paper"]) optionCount.push_back(static_cast<int>(item["options"].size()));

    // Calibrate: how long does one uninterrupted answer take?
    const auto t0 = std::chrono::steady_clock::now();
    auto probe = testsupport::runAs(*admin, {bin, "exam", "attempt", "answer", "--attempt", attemptId, "--item", "1", "--choice", "A"}, env);
    ASSERT_EQ(probe.exitCode, 0) << probe.err;
    const int fullUs = static_cast<int>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());

    // Per item: the answer last reported saved, and the answers tried after it (which may or may not
    // have reached the disk before the kill).
    std::map<int, std::string> reported{{1, "A"}};
    std::map<int, std::set<std::string>> triedSince;
    std::mt19937 rng(20261128);
    int killed = 0, completed = 0;
    for (int round = 0; round < 80; ++round) {
        const int item = 1 + static_cast<int>(rng() % static_cast<unsigned>(items));
        const std::string choice(1, static_cast<char>('A' + rng() % static_cast<unsigned>(optionCount[item - 1])));
        const int delay = static_cast<int>(rng() % static_cast<unsigned>(fullUs + fullUs / 2));
        triedSince[item].insert(choice);
        auto r = runAndKill({bin, "--staff", admin->id, "exam", "attempt", "answer", "--attempt", attemptId, "--item",
                             std::to_string(item), "--choice", choice},
                            db, admin->pin, delay);
        if (r.killed) ++killed;
        if (r.out.find("saved: item " + std::to_string(item) + " = " + choice) != std::string::npos) {
            ++completed;
            reported[item] = choice;
            triedSince[item].clear();
        }
    }
    EXPECT_GT(killed, 10) << "the kills must land while the command runs";
    EXPECT_GT(completed, 5) << "some answers must complete";

    auto check = testsupport::run({bin, "db", "check", "--json"}, env);
    ASSERT_EQ(check.exitCode, 0) << check.out << check.err;
    EXPECT_EQ(json::parse(check.out)["ok"], true);

    auto show = testsupport::runAs(*admin, {bin, "exam", "attempt", "show", "--attempt", attemptId, "--json"}, env);
    ASSERT_EQ(show.exitCode, 0) << show.err;
    const auto paper = json::parse(show.out)["paper"];
    for (const auto& [item, choice] : reported) {
        const auto stored = paper[static_cast<std::size_t>(item - 1)]["answer"].get<std::string>();
        EXPECT_TRUE(stored == choice || triedSince[item].contains(stored))
            << "item " << item << ": reported saved " << choice << ", database has '" << stored << "'";
    }
    auto audit = testsupport::run({bin, "audit", "verify"}, env);
    EXPECT_EQ(audit.exitCode, 0) << audit.err;
}
