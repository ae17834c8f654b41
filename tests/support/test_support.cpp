#include "test_support.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace testsupport {

TempDir::TempDir() {
    const auto base = std::filesystem::temp_directory_path();
    std::random_device rd;
    for (int i = 0; i < 100; ++i) {
        auto candidate = base / ("kiosk-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
        std::error_code ec;
        if (std::filesystem::create_directory(candidate, ec)) {
            m_path = candidate;
            return;
        }
    }
    throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

RunResult run(const std::vector<std::string>& argv, const std::vector<std::string>& extraEnv,
              const std::string& stdinText) {
    int outPipe[2], errPipe[2], inPipe[2];
    if (pipe2(outPipe, O_CLOEXEC) || pipe2(errPipe, O_CLOEXEC) || pipe2(inPipe, O_CLOEXEC))
        throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0);
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2);

    std::vector<std::string> envStore;
    for (char** e = environ; *e; ++e) envStore.emplace_back(*e);
    for (const auto& kv : extraEnv) {
        const auto key = kv.substr(0, kv.find('=') + 1);
        std::erase_if(envStore, [&](const std::string& s) { return s.starts_with(key); });
        envStore.push_back(kv);
    }
    std::vector<char*> envp, args;
    for (auto& s : envStore) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argStore = argv;
    for (auto& s : argStore) args.push_back(s.data());
    args.push_back(nullptr);

    pid_t pid = 0;
    const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close(outPipe[1]);
    close(errPipe[1]);
    close(inPipe[0]);
    if (rc != 0) {
        close(outPipe[0]);
        close(errPipe[0]);
        close(inPipe[1]);
        throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    }
    // Feed stdin (small inputs) then close it.
    std::size_t written = 0;
    while (written < stdinText.size()) {
        const auto n = write(inPipe[1], stdinText.data() + written, stdinText.size() - written);
        if (n <= 0) break;
        written += static_cast<std::size_t>(n);
    }
    close(inPipe[1]);

    RunResult result;
    std::array<pollfd, 2> fds{{{outPipe[0], POLLIN, 0}, {errPipe[0], POLLIN, 0}}};
    int open = 2;
    char buf[65536];
    while (open > 0) {
        if (poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            const auto n = read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            } else {
                (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(n));
            }
        }
    }
    int status = 0;
    waitpid(pid, &status, 0);
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

std::optional<StaffLogin> adminFrom(const std::string& output) {
    // JSON: the first "pin" is the administrator's (init prints only it; demo-seed lists staff 1, the admin, first).
    // Text: "PIN 123456".
    static const std::regex json{R"re("pin"\s*:\s*"([0-9]+)")re"};
    static const std::regex text{R"re(PIN ([0-9]{6,12}))re"};
    std::smatch m;
    if (std::regex_search(output, m, json) || std::regex_search(output, m, text)) return StaffLogin{"1", m[1].str()};
    return std::nullopt;
}

RunResult runAs(const StaffLogin& staff, std::vector<std::string> argv, std::vector<std::string> extraEnv,
                const std::string& stdinText) {
    argv.insert(argv.begin() + 1, {"--staff", staff.id});
    extraEnv.push_back("KIOSK_STAFF_PIN=" + staff.pin);
    return run(argv, extraEnv, stdinText);
}

std::string readFile(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void writeFile(const std::filesystem::path& p, const std::string& data) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << data;
}

}  // namespace testsupport
