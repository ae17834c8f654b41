#pragma once
// The Python stand-in for the network center (submission_server.py), started for one test and stopped after it.

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

extern char** environ;

namespace certtest {

/// What the stand-in knows beforehand: the submitting center's public key as registered with it (exported form),
/// and the secret key file it signs its receipts with (none: unsigned receipts).
struct ReceiverKeys {
    std::filesystem::path centerPublicKey;
    std::filesystem::path receiptSecretKey;
};

class SubmissionServer {
public:
    /// @param failFirst the first requests answered with HTTP 500
    /// @param keys the registered center key and the receipt signing key
    /// @param tokenFile when set, requests without `Authorization: Bearer <its content>` are answered 401
    /// @param extraArgs more options of submission_server.py (e.g. --tls-cert FILE --tls-key FILE)
    SubmissionServer(const std::filesystem::path& dir, int failFirst, const ReceiverKeys& keys,
                     const std::filesystem::path& tokenFile = {}, const std::vector<std::string>& extraArgs = {})
        : m_log(dir / "server.log") {
        const auto portFile = dir / "port";
        std::filesystem::remove(portFile);
        std::vector<std::string> argv{"/usr/bin/python3", std::string(CERT_TEST_DIR) + "/submission_server.py",
                                      "--port-file", portFile.string(), "--log", m_log.string(),
                                      "--fail-first", std::to_string(failFirst)};
        argv.insert(argv.end(), {"--center-key", keys.centerPublicKey.string()});
        if (!keys.receiptSecretKey.empty()) argv.insert(argv.end(), {"--receipt-key", keys.receiptSecretKey.string()});
        if (!tokenFile.empty()) argv.insert(argv.end(), {"--token-file", tokenFile.string()});
        argv.insert(argv.end(), extraArgs.begin(), extraArgs.end());
        const bool tls = std::ranges::find(extraArgs, "--tls-cert") != extraArgs.end();
        std::vector<char*> cargv;
        for (auto& a : argv) cargv.push_back(a.data());
        cargv.push_back(nullptr);
        if (posix_spawn(&m_pid, cargv[0], nullptr, nullptr, cargv.data(), environ) != 0) m_pid = 0;
        for (int i = 0; i < 200 && m_pid > 0 && !std::filesystem::exists(portFile); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        if (std::filesystem::exists(portFile))
            m_url = std::string(tls ? "https" : "http") + "://127.0.0.1:" + testsupport::readFile(portFile) + "/batches";
    }
    ~SubmissionServer() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGTERM);
            ::waitpid(m_pid, nullptr, 0);
        }
    }
    SubmissionServer(const SubmissionServer&) = delete;
    SubmissionServer& operator=(const SubmissionServer&) = delete;

    /// The endpoint URL; empty when the server did not start.
    [[nodiscard]] const std::string& url() const { return m_url; }
    /// One JSON object per request (n, key, bytes, status, auth, replay/stored).
    [[nodiscard]] std::vector<nlohmann::json> log() const {
        std::vector<nlohmann::json> out;
        std::ifstream in(m_log);
        for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
        return out;
    }

private:
    std::filesystem::path m_log;
    pid_t m_pid{0};
    std::string m_url;
};

}  // namespace certtest
