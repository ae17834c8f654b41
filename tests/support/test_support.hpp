#pragma once
// Helpers shared by the test suites: temporary directories, environment lookups, running programs.

#include <cstdlib>
#include <filesystem>
#include <optional>
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

/// A staff member kioskctl signs in as: "--staff ID" before the subcommand, the PIN in KIOSK_STAFF_PIN.
struct StaffLogin {
    std::string id{"1"};
    std::string pin;
};

/// The first administrator (staff 1) of a new center, from the output of `kioskctl init` or `kioskctl demo-seed`
/// (text or --json), which print its PIN once; nullopt when the output has no PIN.
std::optional<StaffLogin> adminFrom(const std::string& output);

/// Runs kioskctl signed in as @p staff: @p argv (argv[0] is kioskctl) with "--staff ID" inserted after argv[0] and
/// KIOSK_STAFF_PIN in the environment.
RunResult runAs(const StaffLogin& staff, std::vector<std::string> argv, std::vector<std::string> extraEnv = {},
                const std::string& stdinText = {});

std::string readFile(const std::filesystem::path& p);
void writeFile(const std::filesystem::path& p, const std::string& data);

}  // namespace testsupport
