#pragma once
/// @file demo_seed.hpp
/// @brief A demo center in a new database: what `kioskctl demo-seed` and `make demo` start from.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "center/operations.hpp"

namespace center {

/// @brief A staff member made by the demo, with the PIN chosen for them (shown once, never stored).
struct DemoStaff {
    training::Staff staff;
    std::string pin;
};

/// @brief What seedDemoCenter made.
struct DemoCenter {
    training::Center center;
    std::vector<training::Agency> agencies;
    std::vector<DemoStaff> staff;                 ///< admin, trainer, clerk
    std::vector<training::Worker> workers;
    std::vector<training::Session> sessions;      ///< the course's past sessions, then the one running now
    int courseDays{0};                            ///< days the course ran before today
    int questionsImported{0};                     ///< into the bank "badge-default"
    exam::MultipleScoring scoring{exam::MultipleScoring::AllOrNothing};  ///< the bank's mode
    std::string scoringNote;                      ///< the default banks' own modes when they differ
    std::optional<training::Sitting> sitting;     ///< open, every demo worker a candidate (when questions exist)
    int sittingQuestions{0};                      ///< questions per paper of that sitting
};

/// @brief Fills a new database with a demo center, in one transaction: the center (when none yet) and its
/// signing key (CenterPaths::key), two agencies, an admin, a trainer and a clerk with random PINs, six workers,
/// the badge course's sessions on the days before today (five workers attended them all, the sixth nothing) and
/// one running now, the default question banks of @p questionBanks (`*.toml`) as one bank, and an open sitting.
/// @retval Refused  the database already has records (demo-seed only fills a new database)
/// @retval Internal a default bank does not load (the message names the file and its first problem)
[[nodiscard]] Result<DemoCenter> seedDemoCenter(Operations& ops, const std::filesystem::path& questionBanks,
                                                const Actor& actor);

}  // namespace center
