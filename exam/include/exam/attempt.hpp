#pragma once
/// @file attempt.hpp
/// @brief The attempt engine: answering, flags, navigation, timing from a clock passed in, auto-submit,
/// grading and the review view. Pure state: storage persists events() and restores with Attempt::restore().

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "exam/error.hpp"
#include "exam/paper.hpp"

namespace exam {

/// @brief Wall-clock time in whole seconds since the Unix epoch (the caller's clock; the engine has none).
using TimePoint = std::chrono::sys_seconds;

/// @brief Converts Unix seconds (as stored in a database) to a TimePoint.
[[nodiscard]] constexpr TimePoint fromUnix(std::int64_t seconds) noexcept { return TimePoint{std::chrono::seconds{seconds}}; }
/// @brief Converts a TimePoint to Unix seconds.
[[nodiscard]] constexpr std::int64_t toUnix(TimePoint t) noexcept { return t.time_since_epoch().count(); }

/// @brief A period during which the sitting was paused by the trainer; `end` empty while still paused.
struct PauseInterval {
    TimePoint start;
    std::optional<TimePoint> end;
};

/// @brief The time rules of one attempt. The clock runs in wall time (also while a kiosk is down) except
/// inside pauses.
struct AttemptTiming {
    TimePoint started;                          ///< When the attempt began.
    std::chrono::seconds duration{3600};        ///< Working time (from the paper/blueprint).
    std::chrono::seconds extraTime{0};          ///< Per-candidate extra time granted by the trainer.
    std::chrono::seconds grace{0};              ///< After the deadline answers are still accepted this long, then auto-submit.
    std::vector<PauseInterval> pauses;          ///< Sitting pauses (may begin before `started`).
};

/// @brief Lifecycle of an attempt.
enum class AttemptStatus { InProgress, Submitted };

/// @brief Why an attempt was submitted.
enum class SubmitReason {
    Candidate,  ///< The candidate pressed "submit".
    Deadline,   ///< Time (plus grace) ran out: auto-submitted by the engine.
    Proctor,    ///< The trainer ended it (e.g. closing the sitting).
};

/// @brief Stable name ("candidate", "deadline", "proctor").
[[nodiscard]] std::string_view submitReasonName(SubmitReason reason) noexcept;

/// @brief What the candidate has done with one item. Option indices are ORIGINAL indices (Question::options).
struct ItemResponse {
    std::vector<int> chosen;                 ///< Sorted, unique; empty = unanswered.
    std::optional<TimePoint> answeredAt;     ///< Last change of `chosen`.
    bool flagged{false};
    bool operator==(const ItemResponse&) const = default;
};

/// @brief What can happen in an attempt (each mutating call appends one event).
enum class EventKind { Started, Answered, Cleared, Flagged, Unflagged, Navigated, Submitted };

/// @brief Stable name ("started", "answered", ...).
[[nodiscard]] std::string_view eventKindName(EventKind kind) noexcept;

/// @brief One event. `item` is the item index (-1 when not about an item); `chosen` for Answered;
/// `reason` for Submitted.
struct AttemptEvent {
    TimePoint at;
    EventKind kind{EventKind::Started};
    int item{-1};
    std::vector<int> chosen;
    SubmitReason reason{SubmitReason::Candidate};
    bool operator==(const AttemptEvent&) const = default;
};

/// @brief Score of one module in a graded attempt.
struct ModuleGrade {
    std::string module;
    int items{0};
    double earned{0.0};   ///< Sum of item credits (0..items).
    double percent{0.0};  ///< 100 * earned / items.
};

/// @brief Score of one item.
struct ItemGrade {
    std::string questionId;
    int version{1};
    std::string module;
    double credit{0.0};  ///< 0..1.
    bool answered{false};
};

/// @brief A graded attempt.
struct GradeReport {
    double score{0.0};     ///< 0..100: 100 * (sum of credits) / items.
    double passMark{80.0};
    bool passed{false};    ///< score >= passMark.
    int answered{0};
    std::vector<ModuleGrade> modules;  ///< In order of first appearance on the paper.
    std::vector<ItemGrade> items;      ///< In paper order.
};

/// @brief A score for people to read: one decimal at most, without a trailing ".0" ("19", "66.6", "100"), cut
/// (not rounded) at the first decimal so that it never looks higher than earned (79.96 is "79.9", not "80").
[[nodiscard]] std::string formatScore(double score);

/// @brief Number of answered items that earned part of their credit (more than 0, less than 1): partial credit
/// of a proportional bank, or of weighted options.
[[nodiscard]] int partialCreditItems(const GradeReport& report) noexcept;

/// @brief Grades responses against a paper (responses.size() must equal paper.items.size(); missing ones count as unanswered).
[[nodiscard]] GradeReport gradePaper(const Paper& paper, std::span<const ItemResponse> responses);

/// @brief What the candidate may see after submitting.
enum class ReviewPolicy {
    None,            ///< Only the score and pass/fail.
    OwnAnswers,      ///< Plus every question with the options the candidate chose (no key, no explanation).
    CorrectAnswers,  ///< Plus which options were right, the credit per item and the explanation.
};

/// @brief One option as shown in review, in display order.
struct ReviewOption {
    LocalizedText text;
    int originalIndex{0};
    bool chosen{false};
    std::optional<bool> correct;  ///< Only with ReviewPolicy::CorrectAnswers.
};

/// @brief One item as shown in review.
struct ReviewItem {
    LocalizedText stem;
    std::string imagePath;
    QuestionType type{QuestionType::SingleChoice};
    std::vector<ReviewOption> options;
    bool answered{false};
    bool flagged{false};
    std::optional<double> credit;              ///< Only with CorrectAnswers.
    std::optional<LocalizedText> explanation;  ///< Only with CorrectAnswers.
};

/// @brief The review screen's data, filtered by a policy.
struct ReviewView {
    ReviewPolicy policy{ReviewPolicy::None};
    double score{0.0};
    double passMark{80.0};
    bool passed{false};
    std::vector<ModuleGrade> modules;
    std::vector<ReviewItem> items;  ///< Empty with ReviewPolicy::None.
};

/// @brief One candidate's attempt at one paper.
///
/// Every mutating call takes the current time. If the time is past deadline + grace the attempt is first
/// auto-submitted (a Submitted event with reason Deadline, at that time) and the call fails with Closed.
/// events() is append-only: storage persists the events it has not stored yet after each call.
class Attempt {
public:
    /// @brief Starts a new attempt (appends a Started event at timing.started).
    [[nodiscard]] static Result<Attempt> start(Paper paper, AttemptTiming timing);

    /// @brief Rebuilds an attempt from stored data (after a crash or power loss).
    /// @param responses the stored per-item state (size 0 = none stored, or exactly paper.items.size()).
    /// @param events stored events replayed on top of `responses` in order (Started events are ignored;
    ///        Navigated sets the current item, Submitted closes the attempt, the others edit responses).
    /// The rebuilt attempt's events() holds `events` as given. Call update(now) afterwards to apply the deadline.
    /// @return InvalidState when the data do not fit the paper (naming the item and what is wrong).
    [[nodiscard]] static Result<Attempt> restore(Paper paper, AttemptTiming timing, std::vector<ItemResponse> responses,
                                                 std::span<const AttemptEvent> events);

    /// @brief Sets (or changes) the answer of an item. `chosen` are original option indices; single choice
    /// and true/false take exactly one, multiple response one or more. Use clear() to remove an answer.
    [[nodiscard]] Result<AttemptEvent> answer(int item, std::vector<int> chosen, TimePoint now);
    /// @brief Removes the answer of an item.
    [[nodiscard]] Result<AttemptEvent> clear(int item, TimePoint now);
    /// @brief Flags or unflags an item for later.
    [[nodiscard]] Result<AttemptEvent> setFlag(int item, bool flagged, TimePoint now);
    /// @brief Makes `item` the current one.
    [[nodiscard]] Result<AttemptEvent> goTo(int item, TimePoint now);
    /// @brief Moves to the next item (NotFound at the last one).
    [[nodiscard]] Result<AttemptEvent> next(TimePoint now);
    /// @brief Moves to the previous item (NotFound at the first one).
    [[nodiscard]] Result<AttemptEvent> previous(TimePoint now);
    /// @brief Submits the attempt.
    [[nodiscard]] Result<AttemptEvent> submit(TimePoint now, SubmitReason reason = SubmitReason::Candidate);

    /// @brief Applies the clock: auto-submits when now is past deadline + grace; returns the Submitted event then.
    std::optional<AttemptEvent> update(TimePoint now);

    /// @brief Replaces the sitting's pause intervals (the trainer paused or resumed).
    void setPauses(std::vector<PauseInterval> pauses);
    /// @brief Replaces the candidate's extra time.
    void setExtraTime(std::chrono::seconds extra);

    /// @brief Working time used so far (wall time since start minus pauses).
    [[nodiscard]] std::chrono::seconds elapsed(TimePoint now) const;
    /// @brief Working time left before the deadline (0 when past it; grace not included).
    [[nodiscard]] std::chrono::seconds remaining(TimePoint now) const;
    /// @brief True while `now` lies in a pause interval.
    [[nodiscard]] bool isPaused(TimePoint now) const;
    /// @brief True once the working time is used up (answers are still accepted during the grace).
    [[nodiscard]] bool pastDeadline(TimePoint now) const;

    [[nodiscard]] AttemptStatus status() const noexcept { return m_status; }
    [[nodiscard]] std::optional<SubmitReason> submitReason() const noexcept { return m_reason; }
    [[nodiscard]] std::optional<TimePoint> submittedAt() const noexcept { return m_submittedAt; }
    [[nodiscard]] int currentIndex() const noexcept { return m_current; }
    [[nodiscard]] int itemCount() const noexcept { return static_cast<int>(m_paper.items.size()); }
    [[nodiscard]] const ItemResponse& response(int item) const { return m_responses.at(static_cast<std::size_t>(item)); }
    [[nodiscard]] const std::vector<ItemResponse>& responses() const noexcept { return m_responses; }
    [[nodiscard]] int answeredCount() const noexcept;
    [[nodiscard]] std::vector<int> flaggedItems() const;
    [[nodiscard]] const Paper& paper() const noexcept { return m_paper; }
    [[nodiscard]] const AttemptTiming& timing() const noexcept { return m_timing; }
    [[nodiscard]] const std::vector<AttemptEvent>& events() const noexcept { return m_events; }

    /// @brief Grades the responses as they stand (normally called after submission).
    [[nodiscard]] GradeReport grade() const;
    /// @brief The review data allowed by `policy`; InvalidState before the attempt is submitted.
    [[nodiscard]] Result<ReviewView> review(ReviewPolicy policy) const;

private:
    Attempt(Paper paper, AttemptTiming timing);
    [[nodiscard]] Result<void> checkOpen(TimePoint now);
    [[nodiscard]] Result<void> checkItem(int item) const;
    [[nodiscard]] Result<void> apply(const AttemptEvent& event);
    AttemptEvent record(AttemptEvent event);

    Paper m_paper;
    AttemptTiming m_timing;
    std::vector<ItemResponse> m_responses;
    std::vector<AttemptEvent> m_events;
    int m_current{0};
    AttemptStatus m_status{AttemptStatus::InProgress};
    std::optional<SubmitReason> m_reason;
    std::optional<TimePoint> m_submittedAt;
};

}  // namespace exam
