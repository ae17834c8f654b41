#pragma once
// Helpers shared by the test suites: temporary directories, environment lookups, running programs.

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace testsupport {

/// A fresh directory under $TMPDIR, removed with its contents on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
    [[nodiscard]] std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

/// The value of an environment variable, or "" when unset.
std::string env(const char* name);

/// Result of running a program.
struct RunResult {
    int exitCode{-1};
    std::string out;
    std::string err;
};

/// Runs @p argv (argv[0] is a path) with optional extra environment "K=V" entries and stdin text;
/// captures stdout and stderr.
RunResult run(const std::vector<std::string>& argv, const std::vector<std::string>& extraEnv = {},
              const std::string& stdinText = {});

std::string readFile(const std::filesystem::path& p);
void writeFile(const std::filesystem::path& p, const std::string& data);

}  // namespace testsupport
