#pragma once
/// @file exam_store.hpp
/// @brief Question banks, exam sittings and attempts in the center database (issue 5's storage side).
///
/// The exam engine (exam/) computes; this layer stores. Every answer is committed (WAL,
/// `synchronous=FULL`) before the call returns, so "saved" on screen means on disk. After a crash or
/// power loss an attempt is rebuilt from its rows with the same paper, the same answers and the right
/// remaining time: the clock runs while the kiosk is down, except while the trainer has paused the sitting.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "exam/attempt.hpp"
#include "exam/paper.hpp"
#include "exam/question.hpp"
#include "exam/stats.hpp"
#include "training/store.hpp"

namespace training {

/// @brief A bank as listed.
struct BankSummary {
    std::int64_t id{0};
    std::string code;
    exam::LocalizedText title;
    exam::MultipleScoring scoring{exam::MultipleScoring::AllOrNothing};
    int questions{0};                     ///< Current (newest, not retired) questions.
    std::map<std::string, int> perModule; ///< Current questions per module.
};

/// @brief What an import changed.
struct ImportCounts {
    int added{0};      ///< New question ids.
    int revised{0};    ///< Existing ids whose content changed: stored as a new version.
    int unchanged{0};  ///< Existing ids with the same content: nothing stored.
};

/// @brief Lifecycle of a sitting.
enum class SittingState { Scheduled, Open, Paused, Closed };
[[nodiscard]] std::string_view sittingStateName(SittingState s) noexcept;

/// @brief What a trainer gives to create a sitting.
struct SittingInput {
    std::int64_t courseId{0};
    std::string bankCode;
    std::string title;
    exam::Blueprint blueprint;
    int seats{40};
    exam::ReviewPolicy review{exam::ReviewPolicy::None};
    int graceSeconds{30};
    std::optional<std::int64_t> scheduledStart;
    /// An attempt may start only when the candidate attended the course's required time of every module
    /// (or a trainer admitted them). Empty: on for sittings of the badge course, off for other courses.
    std::optional<bool> requireAttendance;
};

/// @brief A sitting as stored.
struct Sitting {
    std::int64_t id{0};
    std::int64_t courseId{0};
    std::int64_t bankId{0};
    std::string bankCode;
    exam::MultipleScoring scoring{exam::MultipleScoring::AllOrNothing};  ///< The bank's mode for multiple response.
    std::string title;
    exam::Blueprint blueprint;
    SittingState state{SittingState::Scheduled};
    int seats{0};
    exam::ReviewPolicy review{exam::ReviewPolicy::None};
    int graceSeconds{0};
    std::optional<std::int64_t> scheduledStart;
    std::optional<std::int64_t> openedAt;
    std::optional<std::int64_t> closedAt;
    int candidates{0};
    bool requireAttendance{false};  ///< See SittingInput::requireAttendance.
};

/// @brief Why a candidate may not start an attempt yet: the modules of the sitting's course whose required
/// time the candidate has not attended (attended < required), in course order.
struct AttendanceGap {
    std::string moduleCode;
    int requiredMinutes{0};
    int attendedMinutes{0};
    std::string moduleNameZh;  ///< The course module's names (course data).
    std::string moduleNameEn;
    [[nodiscard]] int missingMinutes() const noexcept { return requiredMinutes - attendedMinutes; }
};

/// @brief An attempt loaded from the database, with its engine state.
struct StoredAttempt {
    std::int64_t id{0};
    std::int64_t sittingId{0};
    std::int64_t workerId{0};
    int attemptNo{0};
    exam::Attempt attempt;
};

/// @brief Where a candidate of a sitting is, as the proctor board shows it.
enum class Presence {
    NotStarted,  ///< On the roster, no attempt yet.
    AtScreen,    ///< The exam screen reported within kPresenceTimeoutSeconds.
    Left,        ///< The exam screen was left without handing in (the worker logged out or was timed out).
    NoContact,   ///< Nothing heard for longer than kPresenceTimeoutSeconds: the kiosk stopped, crashed or lost
                 ///< the database. The clock keeps running; the attempt resumes when the worker signs in again.
    Submitted,   ///< Handed in.
};
/// @brief Stable name ("not-started", "at-screen", "left", "no-contact", "submitted").
[[nodiscard]] std::string_view presenceName(Presence p) noexcept;

/// @brief Seconds without a report after which a candidate in progress counts as NoContact: three missed
/// reports of the exam screen, which reports every 10 s.
inline constexpr int kPresenceTimeoutSeconds = 30;

/// @brief One candidate on the proctor board.
struct ProctorLine {
    std::int64_t sittingId{0};
    std::string sittingTitle;
    std::int64_t workerId{0};
    std::string name;
    std::optional<std::int64_t> attemptId;  ///< The latest attempt, if any.
    int attemptNo{0};
    int current{0};    ///< Item on screen (0-based).
    int items{0};
    int answered{0};
    int flagged{0};
    std::int64_t remainingSeconds{0};
    std::int64_t extraSeconds{0};  ///< Extra time granted to this candidate.
    bool paused{false};
    Presence presence{Presence::NotStarted};
    std::optional<std::int64_t> lastContactAgo;  ///< Seconds since the last report, answer or start.
    std::optional<std::int64_t> lastAnswerAgo;   ///< Seconds since the last answer saved.
    std::string terminal;                        ///< Kiosk that reported last ("" before any report).
    std::optional<double> score;                 ///< Submitted attempts.
    std::optional<bool> passed;
};

/// @brief A blueprint asking @p perModule questions of every examined module of @p course, with the
/// course's pass mark.
[[nodiscard]] exam::Blueprint courseBlueprint(const Course& course, int perModule, std::chrono::minutes duration);

/// @brief The default end-of-course sitting: the bank "badge-default" (the default banks of
/// assets/question-banks), 3 questions per examined module, 30 minutes, correct answers shown afterwards.
[[nodiscard]] SittingInput defaultSittingInput(const Course& course);

/// @brief Blueprint <-> JSON text (as stored in sittings.blueprint and accepted by kioskctl).
[[nodiscard]] std::string blueprintToJson(const exam::Blueprint& blueprint);
/// @retval InvalidInput naming the problem
[[nodiscard]] Result<exam::Blueprint> blueprintFromJson(std::string_view text);
/// @brief Question <-> JSON text (questions.content).
[[nodiscard]] std::string questionToJson(const exam::Question& q);
[[nodiscard]] Result<exam::Question> questionFromJson(std::string_view text);

/// @brief Exams on top of a Store (same connection, same transactions, same audit chain).
class ExamStore {
public:
    explicit ExamStore(Store& store) : m_store(store) {}

    /// @brief Adds or revises questions of a bank in one transaction. A new bank takes @p title and
    /// @p scoring; an existing one keeps its own (several files may feed one bank).
    /// Every question must pass exam::validateQuestion.
    [[nodiscard]] Result<ImportCounts> importQuestions(const std::string& bankCode, const exam::LocalizedText& title,
                                                       exam::MultipleScoring scoring,
                                                       const std::vector<exam::Question>& questions, const Actor& actor);
    [[nodiscard]] Result<std::vector<BankSummary>> listBanks();
    /// @brief Retires a question (every version) so that no future paper draws it, or brings it back
    /// (@p retired false). Attempts that showed it keep it, with their answers and scores. A retired question
    /// stays retired when a later import revises it. Audited ("question.retire" / "question.restore").
    /// @param bankCode the bank; empty: the one bank that has @p questionId
    /// @retval NotFound no bank has the question
    /// @retval InvalidInput several banks have it and @p bankCode is empty
    [[nodiscard]] Result<std::string> retireQuestion(const std::string& bankCode, const std::string& questionId,
                                                     bool retired, const Actor& actor);
    /// @brief The newest version of each question of a bank.
    [[nodiscard]] Result<exam::Bank> bank(const std::string& code);

    // ---- sittings
    /// @brief Creates a sitting; the blueprint is checked against the bank now (shortfall names the module).
    [[nodiscard]] Result<Sitting> createSitting(const SittingInput& input, const Actor& actor);
    [[nodiscard]] Result<Sitting> sitting(std::int64_t id);
    [[nodiscard]] Result<std::vector<Sitting>> listSittings();
    /// @brief Puts a worker on the sitting's roster (refused when all seats are taken or it is closed).
    [[nodiscard]] Result<void> addCandidate(std::int64_t sittingId, std::int64_t workerId, const Actor& actor);
    [[nodiscard]] Result<std::vector<std::int64_t>> candidates(std::int64_t sittingId);
    /// @brief Grants a candidate extra working time (replaces the previous grant).
    [[nodiscard]] Result<void> setExtraTime(std::int64_t sittingId, std::int64_t workerId, int seconds,
                                            const Actor& actor);
    /// @brief scheduled -> open.
    [[nodiscard]] Result<Sitting> openSitting(std::int64_t id, const Actor& actor);
    /// @brief open -> paused: every candidate's clock stops.
    [[nodiscard]] Result<Sitting> pauseSitting(std::int64_t id, const Actor& actor);
    /// @brief paused -> open.
    [[nodiscard]] Result<Sitting> resumeSitting(std::int64_t id, const Actor& actor);
    /// @brief open/paused -> closed; attempts still in progress are submitted (reason: proctor).
    [[nodiscard]] Result<Sitting> closeSitting(std::int64_t id, const Actor& actor);

    /// @brief What the worker still has to attend before starting an attempt in the sitting: empty when the
    /// sitting does not require attendance, the requirement is met, or a trainer admitted the worker.
    /// @retval NotFound no such sitting
    [[nodiscard]] Result<std::vector<AttendanceGap>> attendanceGaps(std::int64_t sittingId, std::int64_t workerId);
    /// @brief A trainer (or admin) lets a named candidate start although the attendance requirement is not
    /// met, confirmed with their PIN (the PIN check counts towards the lockout like a staff login). Audited
    /// as the staff member, with the hours that were missing.
    /// @retval AuthFailed / Locked the PIN check failed
    /// @retval Refused the staff member is a clerk or deactivated, or the worker is not a candidate
    /// @brief The same for a staff member who has already signed in (kioskctl --staff): no PIN asked again.
    /// @retval Refused a clerk; a closed sitting; a worker who is not a candidate
    [[nodiscard]] Result<void> admitCandidateAs(std::int64_t sittingId, std::int64_t workerId, const Staff& staff);
    [[nodiscard]] Result<void> admitCandidate(std::int64_t sittingId, std::int64_t workerId, std::int64_t staffId,
                                              const std::string& pin);

    // ---- attempts
    /// @brief The paper the worker's next attempt would get (nothing is stored).
    [[nodiscard]] Result<exam::Paper> previewPaper(std::int64_t sittingId, std::int64_t workerId);
    /// @brief Starts the worker's attempt, or returns the one in progress (resume after a crash).
    /// @retval Refused the sitting is not open, the worker is not a candidate, or the sitting requires the
    ///         course's attendance and the worker lacks hours (the message names each module; attendanceGaps()
    ///         gives them as data)
    [[nodiscard]] Result<StoredAttempt> startAttempt(std::int64_t sittingId, std::int64_t workerId, const Actor& actor);
    /// @brief Loads an attempt; if its time ran out while nobody was looking it is submitted now.
    [[nodiscard]] Result<StoredAttempt> loadAttempt(std::int64_t attemptId);
    /// @brief Sets an answer (original option indices) of a loaded attempt; durable when this returns.
    /// The in-memory attempt is updated too (so a screen can keep it between calls).
    /// @retval Refused the attempt is submitted (also when time ran out just now) or the sitting is paused;
    /// reason `exam.handed-in` when the database holds it handed in already (the trainer closed the sitting while
    /// this copy was on a kiosk): nothing is stored and @p a is reloaded from the database (submitted, graded)
    [[nodiscard]] Result<void> answer(StoredAttempt& a, int item, std::vector<int> chosen);
    /// @brief Removes an answer; durable when this returns.
    [[nodiscard]] Result<void> clearAnswer(StoredAttempt& a, int item);
    /// @brief Flags or unflags an item.
    [[nodiscard]] Result<void> flag(StoredAttempt& a, int item, bool flagged);
    /// @brief Remembers the item on screen (so a resumed attempt opens where it was).
    [[nodiscard]] Result<void> goTo(StoredAttempt& a, int item);
    /// @brief Submits and grades. The hand-in is audited as @p by: empty means the worker themself
    /// ("worker:N"); the trainer closing a sitting passes their actor. A hand-in by the deadline is audited
    /// as "clock".
    [[nodiscard]] Result<void> submit(StoredAttempt& a, exam::SubmitReason reason = exam::SubmitReason::Candidate,
                                      const Actor& by = {});
    /// @brief The exam screen reports that it shows the attempt (@p atScreen) or that it was left without
    /// handing in. Not audited: it is frequent and decides nothing. Submitted attempts are left as they are.
    /// @retval NotFound there is no such attempt
    [[nodiscard]] Result<void> reportPresence(std::int64_t attemptId, bool atScreen, std::string_view terminal);
    /// @brief The live proctor board: every candidate of the sitting (or of every open and paused sitting
    /// when @p sittingId is empty), with or without an attempt, in roster order. Attempts whose time ran out
    /// while nobody was looking are handed in on the way (as loadAttempt does).
    /// @retval NotFound @p sittingId names no sitting
    [[nodiscard]] Result<std::vector<ProctorLine>> proctorBoard(std::optional<std::int64_t> sittingId = std::nullopt);
    /// @brief Attempts of a sitting (ids, in start order).
    [[nodiscard]] Result<std::vector<std::int64_t>> attemptsOf(std::int64_t sittingId);
    /// @brief The worker's latest submitted attempt in any sitting of the course: (passed, score).
    [[nodiscard]] Result<std::optional<std::pair<bool, double>>> latestResult(std::int64_t workerId,
                                                                              std::int64_t courseId);

    /// @brief Item and sitting statistics over the submitted attempts.
    [[nodiscard]] Result<exam::SittingStatistics> statistics(std::int64_t sittingId,
                                                             std::vector<std::string>* itemIds = nullptr);

private:
    Result<void> persistAfter(StoredAttempt& a, const exam::Result<exam::AttemptEvent>& outcome, const Actor& by = {});
    Result<void> persistSubmission(const StoredAttempt& a, const Actor& by = {});
    /// @p r, after reloading @p a from the database when @p r says the attempt was handed in there already.
    Result<void> refreshIfHandedIn(StoredAttempt& a, Result<void> r);
    Result<void> writeSubmission(const StoredAttempt& a, const Actor& by);
    Result<void> writeEvent(const StoredAttempt& a, const exam::AttemptEvent& e);
    Result<std::int64_t> bankId(const std::string& code);
    Result<Sitting> transition(std::int64_t id, SittingState from1, std::optional<SittingState> from2, SittingState to,
                               const Actor& actor, const char* action);
    Result<std::vector<exam::PauseInterval>> pauses(std::int64_t sittingId);

    Store& m_store;
};

}  // namespace training
