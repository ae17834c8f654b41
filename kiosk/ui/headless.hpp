#pragma once
/// @file headless.hpp
/// @brief The kiosk without a window: the frame loop core (ui/core.hpp) under an ImGui context of its own with
/// a built font atlas and no renderer, so tests drive real flows in-process with `kiosk --script` steps, the real
/// database thread and the real catalogs. Screenshots asked for by a script are skipped with a note in the log.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/config.hpp"
#include "training/error.hpp"
#include "training/store.hpp"

namespace kiosk::ui {

/// @brief How the headless kiosk starts.
struct HeadlessOptions {
    Config config;
    std::filesystem::path databasePath;   ///< The file @p store was opened on (the center key is found beside it).
    float width{1280.0f};                 ///< Display size of the frames.
    float height{800.0f};
    std::filesystem::path scriptDir;      ///< Relative paths in scripts (card photo) start here.
};

/// @brief How a script run in-process ended.
struct HeadlessRun {
    int status{0};        ///< 0 when every step was done, 3 when a step failed or the time ran out (as the kiosk).
    std::string failure;  ///< The failed step and why ("script line N (...): ..."), empty on success.
    long frames{0};       ///< Frames drawn during the run.
};

/// @brief One kiosk (screens, flow, session, backend) driven frame by frame without a window. Scripts run one
/// after another on the same kiosk (the session carries over, as on a real one). UI thread only.
class HeadlessKiosk {
public:
    /// @brief Loads the catalogs and the font, creates the ImGui context and the atlas, starts the database thread
    /// over @p store and shows the attract screen.
    [[nodiscard]] static training::Result<std::unique_ptr<HeadlessKiosk>> open(HeadlessOptions options,
                                                                              std::unique_ptr<training::Store> store);
    ~HeadlessKiosk();
    HeadlessKiosk(const HeadlessKiosk&) = delete;
    HeadlessKiosk& operator=(const HeadlessKiosk&) = delete;

    /// @brief Parses @p script (the `kiosk --script` language, kiosk/ui/script.hpp) and runs it until its last step
    /// is done, the kiosk is closed (quit, the admin exit: status 0, as the kiosk), a step fails, or
    /// @p timeoutSeconds pass. "crash" cannot end a test process: it fails the step.
    [[nodiscard]] HeadlessRun run(std::string_view script, double timeoutSeconds = 120.0);
    /// @brief The current screen's name ("attract", "home", ...).
    [[nodiscard]] std::string screen() const;
    /// @brief A worker, a document just read or a staff member is in the session.
    [[nodiscard]] bool signedIn() const;
    /// @brief The admin exit or a script's "quit" closed the kiosk (further runs fail).
    [[nodiscard]] bool closed() const;
    /// @brief Notes of the runs (skipped screenshots), oldest first.
    [[nodiscard]] const std::vector<std::string>& log() const;

private:
    struct Impl;
    explicit HeadlessKiosk(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace kiosk::ui
