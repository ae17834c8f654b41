#include "exam/attempt.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace exam {

using std::chrono::seconds;

std::string_view submitReasonName(SubmitReason reason) noexcept {
    switch (reason) {
        case SubmitReason::Candidate: return "candidate";
        case SubmitReason::Deadline: return "deadline";
        case SubmitReason::Proctor: return "proctor";
    }
    return "candidate";
}

std::string_view eventKindName(EventKind kind) noexcept {
    switch (kind) {
        case EventKind::Started: return "started";
        case EventKind::Answered: return "answered";
        case EventKind::Cleared: return "cleared";
        case EventKind::Flagged: return "flagged";
        case EventKind::Unflagged: return "unflagged";
        case EventKind::Navigated: return "navigated";
        case EventKind::Submitted: return "submitted";
    }
    return "started";
}

namespace {

struct Span {
    TimePoint a;
    std::optional<TimePoint> b;  // empty = open
};

/// Pauses clipped to [from, ...), sorted and merged into disjoint spans.
std::vector<Span> mergedPauses(const std::vector<PauseInterval>& pauses, TimePoint from) {
    std::vector<Span> in;
    for (const PauseInterval& p : pauses) {
        Span s{std::max(p.start, from), p.end};
        if (s.b && *s.b <= s.a) continue;
        in.push_back(s);
    }
    std::ranges::sort(in, {}, &Span::a);
    std::vector<Span> out;
    for (const Span& s : in) {
        if (!out.empty() && (!out.back().b || s.a <= *out.back().b)) {
            Span& last = out.back();
            if (last.b) last.b = s.b ? std::optional<TimePoint>(std::max(*last.b, *s.b)) : std::nullopt;
            continue;
        }
        out.push_back(s);
    }
    return out;
}

seconds pausedBetween(const std::vector<Span>& spans, TimePoint from, TimePoint to) {
    seconds total{0};
    for (const Span& s : spans) {
        const TimePoint a = std::max(s.a, from);
        const TimePoint b = s.b ? std::min(*s.b, to) : to;
        if (b > a) total += b - a;
    }
    return total;
}

/// Wall time at which `target` working seconds are used up; empty when an open pause comes first.
std::optional<TimePoint> wallTimeAt(const std::vector<Span>& spans, TimePoint started, seconds target) {
    TimePoint t = started + target;
    for (const Span& s : spans) {
        if (s.a >= t) break;
        if (!s.b) return std::nullopt;
        t += *s.b - s.a;
    }
    return t;
}

}  // namespace

std::string formatScore(double score) {
    if (!std::isfinite(score)) return "-";
    const auto tenths = static_cast<long long>(std::floor(score * 10.0 + 1e-6));
    const long long whole = tenths / 10, tenth = tenths % 10;
    if (tenth == 0) return std::to_string(whole);
    if (tenths < 0) return "-" + std::to_string(-tenths / 10) + "." + std::to_string(-tenths % 10);
    return std::to_string(whole) + "." + std::to_string(tenth);
}

int partialCreditItems(const GradeReport& report) noexcept {
    int n = 0;
    for (const ItemGrade& i : report.items) n += i.answered && i.credit > 1e-9 && i.credit < 1.0 - 1e-9 ? 1 : 0;
    return n;
}

GradeReport gradePaper(const Paper& paper, std::span<const ItemResponse> responses) {
    GradeReport r;
    r.passMark = paper.passMark;
    double total = 0.0;
    for (std::size_t i = 0; i < paper.items.size(); ++i) {
        const Question& q = paper.items[i].question;
        const ItemResponse* resp = i < responses.size() ? &responses[i] : nullptr;
        ItemGrade g;
        g.questionId = q.id;
        g.version = q.version;
        g.module = q.module;
        g.answered = resp != nullptr && !resp->chosen.empty();
        g.credit = g.answered ? scoreResponse(q, paper.scoring, resp->chosen) : 0.0;
        if (g.answered) ++r.answered;
        total += g.credit;
        auto it = std::ranges::find(r.modules, q.module, &ModuleGrade::module);
        if (it == r.modules.end()) {
            r.modules.push_back(ModuleGrade{q.module, 0, 0.0, 0.0});
            it = std::prev(r.modules.end());
        }
        ++it->items;
        it->earned += g.credit;
        r.items.push_back(std::move(g));
    }
    for (ModuleGrade& m : r.modules) m.percent = m.items ? 100.0 * m.earned / m.items : 0.0;
    r.score = paper.items.empty() ? 0.0 : 100.0 * total / static_cast<double>(paper.items.size());
    r.passed = r.score + 1e-9 >= r.passMark;
    return r;
}

Attempt::Attempt(Paper paper, AttemptTiming timing)
    : m_paper(std::move(paper)), m_timing(std::move(timing)), m_responses(m_paper.items.size()) {}

Result<Attempt> Attempt::start(Paper paper, AttemptTiming timing) {
    if (paper.items.empty()) return fail(ErrorCode::InvalidInput, "the paper has no items; assemble a paper first");
    if (timing.duration.count() <= 0)
        return fail(ErrorCode::InvalidInput, "the attempt's duration must be positive (e.g. 3600 s)");
    Attempt a(std::move(paper), std::move(timing));
    a.record(AttemptEvent{a.m_timing.started, EventKind::Started, -1, {}, SubmitReason::Candidate});
    return a;
}

Result<Attempt> Attempt::restore(Paper paper, AttemptTiming timing, std::vector<ItemResponse> responses,
                                 std::span<const AttemptEvent> events) {
    if (paper.items.empty()) return fail(ErrorCode::InvalidState, "the stored paper has no items; it cannot be resumed");
    if (!responses.empty() && responses.size() != paper.items.size()) {
        return fail(ErrorCode::InvalidState, "the stored attempt has " + std::to_string(responses.size()) +
                                                 " responses but its paper has " + std::to_string(paper.items.size()) +
                                                 " items; the responses belong to another paper");
    }
    Attempt a(std::move(paper), std::move(timing));
    for (std::size_t i = 0; i < responses.size(); ++i) {
        ItemResponse& r = responses[i];
        std::ranges::sort(r.chosen);
        r.chosen.erase(std::unique(r.chosen.begin(), r.chosen.end()), r.chosen.end());
        const auto n = static_cast<int>(a.m_paper.items[i].question.options.size());
        if (!r.chosen.empty() && (r.chosen.front() < 0 || r.chosen.back() >= n))
            return fail(ErrorCode::InvalidState, "stored response of item " + std::to_string(i + 1) +
                                                     " names an option the question does not have");
        a.m_responses[i] = std::move(r);
    }
    for (std::size_t k = 0; k < events.size(); ++k) {
        if (auto ok = a.apply(events[k]); !ok) {
            return fail(ErrorCode::InvalidState,
                        "stored event " + std::to_string(k + 1) + " (" + std::string(eventKindName(events[k].kind)) +
                            ") does not fit the attempt: " + ok.error().message);
        }
    }
    a.m_events.assign(events.begin(), events.end());
    return a;
}

Result<void> Attempt::checkItem(int item) const {
    if (item < 0 || item >= itemCount())
        return fail(ErrorCode::NotFound, "item " + std::to_string(item) + " does not exist; items are numbered 0.." +
                                             std::to_string(itemCount() - 1));
    return {};
}

Result<void> Attempt::checkOpen(TimePoint now) {
    update(now);
    if (m_status == AttemptStatus::Submitted)
        return fail(ErrorCode::Closed, "the attempt was already submitted (" +
                                           std::string(submitReasonName(m_reason.value_or(SubmitReason::Candidate))) +
                                           "); nothing can be changed any more");
    if (isPaused(now))
        return fail(ErrorCode::Paused, "the sitting is paused by the trainer; wait until it is resumed and try again");
    return {};
}

Result<void> Attempt::apply(const AttemptEvent& e) {
    if (m_status == AttemptStatus::Submitted && e.kind != EventKind::Started)
        return fail(ErrorCode::Closed, "the attempt is already submitted");
    switch (e.kind) {
        case EventKind::Started:
            return {};
        case EventKind::Answered: {
            if (auto ok = checkItem(e.item); !ok) return ok;
            const Question& q = m_paper.items[static_cast<std::size_t>(e.item)].question;
            std::vector<int> c = e.chosen;
            std::ranges::sort(c);
            c.erase(std::unique(c.begin(), c.end()), c.end());
            const auto n = static_cast<int>(q.options.size());
            if (c.empty())
                return fail(ErrorCode::InvalidInput, "no option chosen; choose one, or use clear to remove the answer");
            if (c.front() < 0 || c.back() >= n)
                return fail(ErrorCode::NotFound,
                            "option index out of range; this question has options 0.." + std::to_string(n - 1));
            if (q.type != QuestionType::MultipleResponse && c.size() != 1)
                return fail(ErrorCode::InvalidInput, "this question takes exactly one option; choose one");
            auto& r = m_responses[static_cast<std::size_t>(e.item)];
            r.chosen = std::move(c);
            r.answeredAt = e.at;
            return {};
        }
        case EventKind::Cleared: {
            if (auto ok = checkItem(e.item); !ok) return ok;
            auto& r = m_responses[static_cast<std::size_t>(e.item)];
            r.chosen.clear();
            r.answeredAt = e.at;
            return {};
        }
        case EventKind::Flagged:
        case EventKind::Unflagged:
            if (auto ok = checkItem(e.item); !ok) return ok;
            m_responses[static_cast<std::size_t>(e.item)].flagged = e.kind == EventKind::Flagged;
            return {};
        case EventKind::Navigated:
            if (auto ok = checkItem(e.item); !ok) return ok;
            m_current = e.item;
            return {};
        case EventKind::Submitted:
            m_status = AttemptStatus::Submitted;
            m_reason = e.reason;
            m_submittedAt = e.at;
            return {};
    }
    return {};
}

AttemptEvent Attempt::record(AttemptEvent event) {
    m_events.push_back(event);
    return event;
}

Result<AttemptEvent> Attempt::answer(int item, std::vector<int> chosen, TimePoint now) {
    if (auto ok = checkOpen(now); !ok) return std::unexpected(ok.error());
    AttemptEvent e{now, EventKind::Answered, item, std::move(chosen), SubmitReason::Candidate};
    if (auto ok = apply(e); !ok) return std::unexpected(ok.error());
    e.chosen = m_responses[static_cast<std::size_t>(item)].chosen;  // normalised
    return record(std::move(e));
}

Result<AttemptEvent> Attempt::clear(int item, TimePoint now) {
    if (auto ok = checkOpen(now); !ok) return std::unexpected(ok.error());
    AttemptEvent e{now, EventKind::Cleared, item, {}, SubmitReason::Candidate};
    if (auto ok = apply(e); !ok) return std::unexpected(ok.error());
    return record(std::move(e));
}

Result<AttemptEvent> Attempt::setFlag(int item, bool flagged, TimePoint now) {
    if (auto ok = checkOpen(now); !ok) return std::unexpected(ok.error());
    AttemptEvent e{now, flagged ? EventKind::Flagged : EventKind::Unflagged, item, {}, SubmitReason::Candidate};
    if (auto ok = apply(e); !ok) return std::unexpected(ok.error());
    return record(std::move(e));
}

Result<AttemptEvent> Attempt::goTo(int item, TimePoint now) {
    if (auto ok = checkOpen(now); !ok) return std::unexpected(ok.error());
    AttemptEvent e{now, EventKind::Navigated, item, {}, SubmitReason::Candidate};
    if (auto ok = apply(e); !ok) return std::unexpected(ok.error());
    return record(std::move(e));
}

Result<AttemptEvent> Attempt::next(TimePoint now) {
    if (auto ok = checkOpen(now); !ok) return std::unexpected(ok.error());
    if (m_current + 1 >= itemCount())
        return fail(ErrorCode::NotFound, "this is the last item; use previous, goTo or submit");
    return goTo(m_current + 1, now);
}

Result<AttemptEvent> Attempt::previous(TimePoint now) {
    if (auto ok = checkOpen(now); !ok) return std::unexpected(ok.error());
    if (m_current <= 0) return fail(ErrorCode::NotFound, "this is the first item; use next or goTo");
    return goTo(m_current - 1, now);
}

Result<AttemptEvent> Attempt::submit(TimePoint now, SubmitReason reason) {
    update(now);
    if (m_status == AttemptStatus::Submitted)
        return fail(ErrorCode::Closed, "the attempt was already submitted (" +
                                           std::string(submitReasonName(m_reason.value_or(SubmitReason::Candidate))) +
                                           ")");
    AttemptEvent e{now, EventKind::Submitted, -1, {}, reason};
    if (auto ok = apply(e); !ok) return std::unexpected(ok.error());
    return record(std::move(e));
}

std::optional<AttemptEvent> Attempt::update(TimePoint now) {
    if (m_status == AttemptStatus::Submitted) return std::nullopt;
    const seconds limit = m_timing.duration + m_timing.extraTime + m_timing.grace;
    if (elapsed(now) < limit) return std::nullopt;
    const auto spans = mergedPauses(m_timing.pauses, m_timing.started);
    const TimePoint at = std::min(now, wallTimeAt(spans, m_timing.started, limit).value_or(now));
    AttemptEvent e{at, EventKind::Submitted, -1, {}, SubmitReason::Deadline};
    (void)apply(e);
    return record(std::move(e));
}

void Attempt::setPauses(std::vector<PauseInterval> pauses) { m_timing.pauses = std::move(pauses); }

void Attempt::setExtraTime(seconds extra) { m_timing.extraTime = extra; }

seconds Attempt::elapsed(TimePoint now) const {
    if (now <= m_timing.started) return seconds{0};
    const auto spans = mergedPauses(m_timing.pauses, m_timing.started);
    const seconds e = (now - m_timing.started) - pausedBetween(spans, m_timing.started, now);
    return std::max(e, seconds{0});
}

seconds Attempt::remaining(TimePoint now) const {
    return std::max(m_timing.duration + m_timing.extraTime - elapsed(now), seconds{0});
}

bool Attempt::isPaused(TimePoint now) const {
    return std::ranges::any_of(m_timing.pauses, [&](const PauseInterval& p) {
        return p.start <= now && (!p.end || now < *p.end);
    });
}

bool Attempt::pastDeadline(TimePoint now) const { return remaining(now).count() == 0; }

int Attempt::answeredCount() const noexcept {
    return static_cast<int>(std::ranges::count_if(m_responses, [](const ItemResponse& r) { return !r.chosen.empty(); }));
}

std::vector<int> Attempt::flaggedItems() const {
    std::vector<int> out;
    for (std::size_t i = 0; i < m_responses.size(); ++i)
        if (m_responses[i].flagged) out.push_back(static_cast<int>(i));
    return out;
}

GradeReport Attempt::grade() const { return gradePaper(m_paper, m_responses); }

Result<ReviewView> Attempt::review(ReviewPolicy policy) const {
    if (m_status != AttemptStatus::Submitted)
        return fail(ErrorCode::InvalidState, "the attempt is still in progress; review is available after submission");
    const GradeReport g = grade();
    ReviewView v;
    v.policy = policy;
    v.score = g.score;
    v.passMark = g.passMark;
    v.passed = g.passed;
    v.modules = g.modules;
    if (policy == ReviewPolicy::None) return v;
    const bool key = policy == ReviewPolicy::CorrectAnswers;
    for (std::size_t i = 0; i < m_paper.items.size(); ++i) {
        const PaperItem& item = m_paper.items[i];
        const ItemResponse& r = m_responses[i];
        ReviewItem ri;
        ri.stem = item.question.stem;
        ri.imagePath = item.question.imagePath;
        ri.type = item.question.type;
        ri.answered = !r.chosen.empty();
        ri.flagged = r.flagged;
        for (int orig : item.optionOrder) {
            ReviewOption o;
            o.text = item.question.options[static_cast<std::size_t>(orig)].text;
            o.originalIndex = orig;
            o.chosen = std::ranges::find(r.chosen, orig) != r.chosen.end();
            if (key) o.correct = item.question.isCorrect(static_cast<std::size_t>(orig));
            ri.options.push_back(std::move(o));
        }
        if (key) {
            ri.credit = g.items[i].credit;
            ri.explanation = item.question.explanation;
        }
        v.items.push_back(std::move(ri));
    }
    return v;
}

}  // namespace exam
