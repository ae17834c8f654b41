#pragma once
// kioskctl: what every command shares (global options, output, opening the store).

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>

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
    bool json{false};        ///< --json
    std::string actor;       ///< who acts, for the audit log: "staff:ID" when signed in, else kioskctl:$USER
    std::optional<std::int64_t> staffId;   ///< --staff (global): the staff member signing in
    std::optional<training::Staff> staff;  ///< the signed-in staff member (set before the command runs)

    /// Opens the store at the resolved path (create only for init/demo-seed).
    training::Result<std::unique_ptr<training::Store>> openStore(bool create = false) const;
    /// Prints a failure (stderr, and as JSON on stdout with --json) and returns its exit code.
    int failWith(const training::Error& error) const;
    /// Prints @p data as JSON (with --json) or @p text otherwise; returns 0.
    int ok(const nlohmann::json& data, const std::string& text) const;
};

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

// JSON views of records (sensitive numbers masked unless @p reveal).
nlohmann::json toJson(const training::Worker& w, bool reveal = false);
nlohmann::json toJson(const training::Agency& a);
nlohmann::json toJson(const training::Staff& s);
nlohmann::json toJson(const training::Session& s);
nlohmann::json toJson(const training::Course& c);
nlohmann::json toJson(const training::Attendance& a);

/// Creates the center key next to the database (or loads it) and trusts it (`kioskctl init`; cmd_cert.cpp).
training::Result<training::CenterKey> initCenterKey(Context& ctx, training::Store& store);

/// An eligibility report as JSON: worker, name, course, eligible, unmet conditions (cmd_cert.cpp).
nlohmann::json eligibilityJson(const training::EligibilityReport& report, const std::string& name);

/// A staff PIN: $KIOSK_STAFF_PIN, else typed on the terminal without echo (main.cpp); never an argument.
training::Result<std::string> readStaffPin(std::int64_t staffId);

/// Resolves a worker given as id or document number.
training::Result<training::Worker> resolveWorker(training::Store& store, const std::string& key);

}  // namespace kiosk::ctl
