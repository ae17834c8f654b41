#pragma once
/// @file change_feed.hpp
/// @brief Tells live screens (the proctor board, the exam screens, staff screens) that the center's records
/// changed, so that they reload only then instead of polling the data.
///
/// On PostgreSQL the store's writes send `NOTIFY badge_changes, 'TOPIC'` with their COMMIT
/// (Database::notifyOnCommit) and a ChangeFeed holds a connection of its own that LISTENs: a kiosk hears of a
/// change within a round trip, and an idle room costs nothing. On SQLite (one machine) there is no server to
/// push anything: the feed looks at the file's change counter (`PRAGMA data_version`, which reads no data) four
/// times a second and reports any commit by another connection as kTopicAny.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "training/database.hpp"
#include "training/error.hpp"

namespace training {

/// @brief The PostgreSQL channel of the store's change notifications.
inline constexpr std::string_view kChangeChannel = "badge_changes";

/// @brief Anything may have changed (SQLite reports every change so; on PostgreSQL after a reconnection, when
/// notifications may have been missed).
inline constexpr std::string_view kTopicAny = "*";
/// @brief What the proctor board shows changed: a candidate added or admitted, an attempt started, an answer,
/// flag or move saved, an attempt handed in, a kiosk that left or came back, a sitting opened, paused, resumed or
/// closed, extra time.
inline constexpr std::string_view kTopicBoard = "board";
/// @brief People and presence at the center changed: a worker registered or updated, a check-in, a roster.
inline constexpr std::string_view kTopicPeople = "people";
/// @brief A staff account changed: added, PIN set, locked, unlocked, deactivated (the staff home screen lists
/// locked accounts).
inline constexpr std::string_view kTopicStaff = "staff";
/// @brief The topic of one sitting: its state (paused, resumed, closed), a candidate's extra time, an attempt
/// handed in by the trainer. An exam screen reloads its attempt when it hears its sitting's topic.
[[nodiscard]] std::string sittingTopic(std::int64_t sittingId);

/// @brief Changes heard by ChangeFeed::wait.
struct Changes {
    std::vector<std::string> topics;  ///< Each topic once; kTopicAny when anything may have changed.
    /// @brief True when @p topic (or kTopicAny) is among the topics.
    [[nodiscard]] bool has(std::string_view topic) const;
    [[nodiscard]] bool empty() const { return topics.empty(); }
};

/// @brief A connection of its own that waits for the store's change notifications (one per kiosk process, on a
/// thread of its own: wait() blocks).
class ChangeFeed {
public:
    /// @brief Connects to @p target (a database file or a `postgresql://` URI, as Store::open takes) and on
    /// PostgreSQL starts listening.
    /// @retval NotFound the file or database does not exist
    /// @retval Io       the server cannot be reached (reason `server.unreachable`)
    [[nodiscard]] static Result<std::unique_ptr<ChangeFeed>> open(const std::filesystem::path& target);
    ~ChangeFeed();
    ChangeFeed(const ChangeFeed&) = delete;
    ChangeFeed& operator=(const ChangeFeed&) = delete;

    /// @brief Waits up to @p timeout for changes, or until interrupt(). Returns what was heard (empty on a
    /// timeout or an interrupt). After a lost server the next call connects again and, when it did, reports
    /// kTopicAny (what happened meanwhile was not heard).
    /// @retval Io the server cannot be reached (reason `server.unreachable`); call again later (after a pause:
    ///         this does not wait when the server refuses at once)
    [[nodiscard]] Result<Changes> wait(std::chrono::milliseconds timeout);
    /// @brief Makes a wait() running on another thread return now (and the next one, if none is running).
    void interrupt() noexcept;
    /// @brief True on PostgreSQL (the server pushes topics); false on SQLite (the file is looked at).
    [[nodiscard]] bool pushes() const noexcept;

private:
    explicit ChangeFeed(Database db);
    Result<Changes> waitPostgres(std::chrono::milliseconds timeout);
    Result<Changes> waitSqlite(std::chrono::milliseconds timeout);
    Result<void> listen();
    /// Waits on the interrupt descriptor (and @p socket when >= 0) up to @p timeout. True when interrupted.
    bool pollFor(int socket, std::chrono::milliseconds timeout, bool& readable);

    Database m_db;
    int m_wake{-1};  ///< eventfd written by interrupt()
    std::int64_t m_dataVersion{-1};
    bool m_listening{false};
};

}  // namespace training
