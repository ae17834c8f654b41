#pragma once
// kioskctl: what every command shares (global options, output, opening the store).

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>

#include "center/operations.hpp"
#include "devices/error.hpp"
#include "training/center_key.hpp"
#include "training/eligibility.hpp"
#include "training/store.hpp"

namespace kiosk::ctl {

/// Exit codes: 0 success, 1 bad input or refused operation, 2 system error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitUser = 1;
inline constexpr int kExitSystem = 2;

struct Context {
    std::string dbPath;      ///< --db
    std::string centerDir;   ///< --center-dir: the center folder (key, batches); see center::CenterPaths::forDatabase
    bool json{false};        ///< --json
    std::string actor;       ///< who acts, for the audit log: "staff:ID" when signed in, else kioskctl:$USER
    std::optional<std::int64_t> staffId;   ///< --staff (global): the staff member signing in
    std::string systemJob;                 ///< --system-job (global): the scheduled job running the command
    std::optional<training::Staff> staff;  ///< the signed-in staff member (set before the command runs)

    /// Opens the store at the resolved path (create only for init/demo-seed).
    training::Result<std::unique_ptr<training::Store>> openStore(bool create = false) const;
    /// The center's files for the resolved database path.
    [[nodiscard]] center::CenterPaths paths() const;
    /// Prints a failure (stderr, and as JSON on stdout with --json) and returns its exit code (exitCodeFor).
    int failWith(const training::Error& error) const;
    /// The same for a device failure (card reader, camera, face models, printer). @p userFault overrides the
    /// code's mapping where the source decides (a picture the user gave vs the system's own model file).
    int failWith(const devices::Error& error, std::optional<bool> userFault = std::nullopt) const;
    /// Prints @p data as JSON (with --json) or @p text otherwise; returns 0.
    int ok(const nlohmann::json& data, const std::string& text) const;
};

/// @brief The one mapping from failures to exit codes: 1 when the person running the command can fix it
/// (their input, the document or card in their hand, a refused operation), 2 when the system must be
/// fixed (database, disk, a service or device that is missing or failed).
[[nodiscard]] int exitCodeFor(training::ErrorCode code) noexcept;
[[nodiscard]] int exitCodeFor(devices::ErrorCode code) noexcept;

/// @brief The store and the center's operations over it, opened together.
struct OpenCenter {
    std::unique_ptr<training::Store> store;
    std::unique_ptr<center::Operations> ops;
    center::Operations* operator->() const noexcept { return ops.get(); }
};
/// @brief Opens the store and the operations over it (@p templates: document templates other than the default).
[[nodiscard]] training::Result<OpenCenter> openCenter(const Context& ctx, bool create = false,
                                                      const std::filesystem::path& templates = {});

/// A command's work, run after parsing.
using Action = std::function<int(Context&)>;

/// Registers subcommands; each sets @p action when chosen.
void addRecordCommands(CLI::App& app, Action& action);
void addTrainingCommands(CLI::App& app, Action& action);
void addAdminCommands(CLI::App& app, Action& action);
void addIdCommands(CLI::App& app, Action& action);
void addExamCommands(CLI::App& app, Action& action);
void addFaceCommands(CLI::App& app, Action& action);
void addCertCommands(CLI::App& app, Action& action);
void addDocumentCommands(CLI::App& app, Action& action);
/// The workers' rights (cmd_privacy.cpp): worker consent withdraw, worker export, worker erase, privacy ...; after
/// addRecordCommands (it adds to the worker command).
void addPrivacyCommands(CLI::App& app, Action& action);
/// A center on a PostgreSQL server (cmd_server.cpp): db copy, kiosk add/remove; after addAdminCommands (it adds to
/// the db command).
void addServerCommands(CLI::App& app, Action& action);

// JSON views of records (sensitive numbers masked unless @p reveal).
nlohmann::json toJson(const training::Worker& w, bool reveal = false);
nlohmann::json toJson(const training::Agency& a);
nlohmann::json toJson(const training::Staff& s);
nlohmann::json toJson(const training::Session& s);
nlohmann::json toJson(const training::Course& c);
nlohmann::json toJson(const training::Attendance& a);

/// Creates the center key next to the database (or loads it) and trusts it (`kioskctl init`; cmd_cert.cpp);
/// @p protect seals it under a passphrase (`init --protect-key`).
training::Result<training::CenterKey> initCenterKey(Context& ctx, training::Store& store, bool protect = false);

/// The one place kioskctl obtains the center's signing key (cmd_cert.cpp): a protected key's passphrase comes from
/// $KIOSK_KEY_PASSPHRASE, else is typed on the terminal without echo (never an argument).
training::Result<training::CenterKey> loadCenterKey(const Context& ctx);
/// The same passphrase source, for center::Operations::setPassphraseSource.
training::PassphraseSource centerKeyPassphrase();

/// An eligibility report as JSON: worker, name, course, eligible, unmet conditions (cmd_cert.cpp).
nlohmann::json eligibilityJson(const training::EligibilityReport& report, const std::string& name);

/// A staff PIN: $KIOSK_STAFF_PIN, else typed on the terminal without echo (main.cpp); never an argument.
training::Result<std::string> readStaffPin(std::int64_t staffId);
/// @brief A line of at most @p maxLength characters typed on the controlling terminal without echo, after
/// @p prompt; nullopt when there is no terminal.
std::optional<std::string> readHidden(const std::string& prompt, std::size_t maxLength);

/// Resolves a worker given as id or document number.
training::Result<training::Worker> resolveWorker(training::Store& store, const std::string& key);

}  // namespace kiosk::ctl
