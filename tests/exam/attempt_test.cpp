#include <gtest/gtest.h>

#include <algorithm>

#include "exam/attempt.hpp"
#include "exam_fixtures.hpp"

using namespace exam;
using namespace std::chrono_literals;
using examtest::multiple;
using examtest::single;
using examtest::trueFalse;

namespace {

constexpr std::int64_t kT0 = 1'800'000'000;  // a fixed "now" for the fake clock

TimePoint at(std::int64_t secondsAfterStart) { return fromUnix(kT0 + secondsAfterStart); }

/// A 5-item paper: safety single (right = option 1), safety multiple (50/50/-100), ethics true/false (true),
/// ethics single (right = 0), badge single (right = 2). Options in original order except item 0 (reversed).
Paper makePaper(MultipleScoring scoring = MultipleScoring::AllOrNothing) {
    Paper p;
    p.bankId = "b";
    p.scoring = scoring;
    p.passMark = 80;
    p.duration = 600s;
    auto add = [&](Question q) {
        PaperItem it;
        it.optionOrder.resize(q.options.size());
        for (std::size_t i = 0; i < q.options.size(); ++i) it.optionOrder[i] = static_cast<int>(i);
        it.question = std::move(q);
        p.items.push_back(std::move(it));
    };
    add(single("s1", "safety", 1, 4, 1));
    add(multiple("s2", "safety", {50, 50, -100}));
    add(trueFalse("e1", "ethics", true));
    add(single("e2", "ethics", 2, 3, 0));
    add(single("b1", "badge", 3, 3, 2));
    std::ranges::reverse(p.items[0].optionOrder);
    return p;
}

AttemptTiming timing(std::chrono::seconds grace = 0s, std::chrono::seconds extra = 0s) {
    AttemptTiming t;
    t.started = at(0);
    t.duration = 600s;
    t.grace = grace;
    t.extraTime = extra;
    return t;
}

}  // namespace

TEST(Attempt, AnswerChangeClearFlagNavigate) {
    auto a = Attempt::start(makePaper(), timing());
    ASSERT_TRUE(a);
    EXPECT_EQ(a->events().size(), 1u);
    EXPECT_EQ(a->events()[0].kind, EventKind::Started);
    EXPECT_EQ(a->currentIndex(), 0);

    auto e = a->answer(0, {3}, at(10));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind, EventKind::Answered);
    EXPECT_EQ(a->response(0).chosen, std::vector<int>{3});
    EXPECT_EQ(a->response(0).answeredAt, at(10));
    ASSERT_TRUE(a->answer(0, {1}, at(20)));  // change
    EXPECT_EQ(a->response(0).chosen, std::vector<int>{1});
    ASSERT_TRUE(a->answer(1, {1, 0, 1}, at(21)));
    EXPECT_EQ(a->response(1).chosen, (std::vector<int>{0, 1}));  // normalised
    EXPECT_EQ(a->events().back().chosen, (std::vector<int>{0, 1}));
    EXPECT_EQ(a->answeredCount(), 2);
    ASSERT_TRUE(a->clear(1, at(22)));
    EXPECT_TRUE(a->response(1).chosen.empty());
    EXPECT_EQ(a->answeredCount(), 1);

    ASSERT_TRUE(a->setFlag(3, true, at(23)));
    ASSERT_TRUE(a->setFlag(4, true, at(23)));
    ASSERT_TRUE(a->setFlag(4, false, at(24)));
    EXPECT_EQ(a->flaggedItems(), std::vector<int>{3});

    EXPECT_EQ(a->previous(at(25)).error().code, ErrorCode::NotFound);
    ASSERT_TRUE(a->next(at(25)));
    EXPECT_EQ(a->currentIndex(), 1);
    ASSERT_TRUE(a->goTo(4, at(26)));
    EXPECT_EQ(a->next(at(26)).error().code, ErrorCode::NotFound);
    ASSERT_TRUE(a->previous(at(27)));
    EXPECT_EQ(a->currentIndex(), 3);
    EXPECT_EQ(a->goTo(5, at(27)).error().code, ErrorCode::NotFound);

    // invalid answers are refused and change nothing
    const auto before = a->events().size();
    EXPECT_EQ(a->answer(0, {0, 1}, at(30)).error().code, ErrorCode::InvalidInput);  // single takes one
    EXPECT_EQ(a->answer(0, {4}, at(30)).error().code, ErrorCode::NotFound);
    EXPECT_EQ(a->answer(0, {}, at(30)).error().code, ErrorCode::InvalidInput);
    EXPECT_EQ(a->answer(9, {0}, at(30)).error().code, ErrorCode::NotFound);
    EXPECT_EQ(a->answer(2, {0, 1}, at(30)).error().code, ErrorCode::InvalidInput);  // true/false takes one
    EXPECT_EQ(a->events().size(), before);
    EXPECT_EQ(a->response(0).chosen, std::vector<int>{1});

    ASSERT_TRUE(a->submit(at(40)));
    EXPECT_EQ(a->status(), AttemptStatus::Submitted);
    EXPECT_EQ(a->submitReason(), SubmitReason::Candidate);
    EXPECT_EQ(a->answer(0, {0}, at(41)).error().code, ErrorCode::Closed);
    EXPECT_EQ(a->submit(at(41)).error().code, ErrorCode::Closed);
}

TEST(Attempt, DeadlineAndGraceWithFakeClock) {
    auto a = Attempt::start(makePaper(), timing(30s));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->remaining(at(0)), 600s);
    EXPECT_EQ(a->remaining(at(-5)), 600s);  // a clock behind the start time does not add time
    EXPECT_EQ(a->remaining(at(599)), 1s);
    EXPECT_FALSE(a->pastDeadline(at(599)));
    EXPECT_TRUE(a->pastDeadline(at(600)));
    EXPECT_EQ(a->remaining(at(700)), 0s);

    EXPECT_FALSE(a->update(at(629)));
    ASSERT_TRUE(a->answer(0, {1}, at(629)));  // inside the grace: accepted
    auto closed = a->answer(3, {0}, at(630));  // deadline + grace reached: auto-submit first
    ASSERT_FALSE(closed);
    EXPECT_EQ(closed.error().code, ErrorCode::Closed);
    EXPECT_EQ(a->status(), AttemptStatus::Submitted);
    EXPECT_EQ(a->submitReason(), SubmitReason::Deadline);
    EXPECT_EQ(a->submittedAt(), at(630));
    EXPECT_EQ(a->events().back().kind, EventKind::Submitted);
    EXPECT_EQ(a->events().back().reason, SubmitReason::Deadline);
    EXPECT_EQ(a->response(0).chosen, std::vector<int>{1});
    EXPECT_TRUE(a->response(3).chosen.empty());
}

TEST(Attempt, AutoSubmitTimeIsTheDeadlineEvenWhenNoticedLate) {
    auto a = Attempt::start(makePaper(), timing(0s));
    ASSERT_TRUE(a);
    // the kiosk was off from t=100 to t=5000: the clock kept running, the attempt ended at t=600
    auto e = a->update(at(5000));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->at, at(600));
    EXPECT_EQ(a->submitReason(), SubmitReason::Deadline);
    EXPECT_FALSE(a->update(at(5001)));  // only once
}

TEST(Attempt, PauseAndExtraTime) {
    AttemptTiming t = timing(0s, 120s);  // 600 + 120 extra = 720 s working time
    t.pauses = {PauseInterval{at(100), at(400)}};  // 300 s paused
    auto a = Attempt::start(makePaper(), t);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->elapsed(at(100)), 100s);
    EXPECT_EQ(a->elapsed(at(250)), 100s);  // clock stopped during the pause
    EXPECT_TRUE(a->isPaused(at(250)));
    EXPECT_FALSE(a->isPaused(at(400)));
    EXPECT_EQ(a->remaining(at(400)), 620s);
    EXPECT_EQ(a->answer(0, {1}, at(300)).error().code, ErrorCode::Paused);
    ASSERT_TRUE(a->answer(0, {1}, at(1019)));  // 1019 - 300 paused = 719 s used
    EXPECT_EQ(a->remaining(at(1019)), 1s);
    auto e = a->update(at(2000));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->at, at(1020));  // 720 s of working time + 300 s pause

    // an open pause freezes the clock; the trainer grants more extra time mid-attempt
    AttemptTiming t2 = timing();
    t2.pauses = {PauseInterval{at(500), std::nullopt}};
    auto b = Attempt::start(makePaper(), t2);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->remaining(at(10'000)), 100s);
    EXPECT_FALSE(b->update(at(10'000)));
    b->setPauses({PauseInterval{at(500), at(10'000)}});
    b->setExtraTime(60s);
    EXPECT_EQ(b->remaining(at(10'000)), 160s);
    EXPECT_EQ(b->timing().extraTime, 60s);
    // overlapping pauses and a pause that began before the attempt are counted once
    b->setPauses({PauseInterval{at(-50), at(50)}, PauseInterval{at(500), at(10'000)}, PauseInterval{at(600), at(700)}});
    EXPECT_EQ(b->elapsed(at(10'000)), 450s);  // 10000 - 50 (before-start part ignored) - 9500
}

TEST(Attempt, GradingPerModuleAndPassFail) {
    auto a = Attempt::start(makePaper(MultipleScoring::Proportional), timing());
    ASSERT_TRUE(a);
    ASSERT_TRUE(a->answer(0, {1}, at(1)));     // right: 1
    ASSERT_TRUE(a->answer(1, {0}, at(2)));     // proportional 50%: 0.5
    ASSERT_TRUE(a->answer(2, {0}, at(3)));     // true: 1
    ASSERT_TRUE(a->answer(3, {2}, at(4)));     // wrong: 0
    // item 4 unanswered: 0
    GradeReport g = a->grade();
    // total 2.5 of 5 items = 50 %
    EXPECT_DOUBLE_EQ(g.score, 50.0);
    EXPECT_FALSE(g.passed);
    EXPECT_EQ(g.answered, 4);
    ASSERT_EQ(g.modules.size(), 3u);
    EXPECT_EQ(g.modules[0].module, "safety");
    EXPECT_EQ(g.modules[0].items, 2);
    EXPECT_DOUBLE_EQ(g.modules[0].earned, 1.5);
    EXPECT_DOUBLE_EQ(g.modules[0].percent, 75.0);
    EXPECT_EQ(g.modules[1].module, "ethics");
    EXPECT_DOUBLE_EQ(g.modules[1].percent, 50.0);
    EXPECT_EQ(g.modules[2].module, "badge");
    EXPECT_DOUBLE_EQ(g.modules[2].percent, 0.0);
    EXPECT_DOUBLE_EQ(g.items[1].credit, 0.5);
    EXPECT_FALSE(g.items[4].answered);

    ASSERT_TRUE(a->answer(1, {0, 1}, at(5)));  // 1
    ASSERT_TRUE(a->answer(3, {0}, at(6)));     // 1
    g = a->grade();
    EXPECT_DOUBLE_EQ(g.score, 80.0);  // 4 of 5: exactly the pass mark passes
    EXPECT_TRUE(g.passed);

    // the same responses under all-or-nothing
    Paper p = makePaper(MultipleScoring::AllOrNothing);
    std::vector<ItemResponse> r(5);
    r[1].chosen = {0};
    EXPECT_DOUBLE_EQ(gradePaper(p, r).items[1].credit, 0.0);
    r[1].chosen = {0, 1};
    EXPECT_DOUBLE_EQ(gradePaper(p, r).items[1].credit, 1.0);
}

TEST(Attempt, ReviewPolicy) {
    auto a = Attempt::start(makePaper(), timing());
    ASSERT_TRUE(a);
    ASSERT_TRUE(a->answer(0, {1}, at(1)));
    EXPECT_EQ(a->review(ReviewPolicy::CorrectAnswers).error().code, ErrorCode::InvalidState);
    ASSERT_TRUE(a->submit(at(2)));

    auto none = a->review(ReviewPolicy::None);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->items.empty());
    EXPECT_DOUBLE_EQ(none->score, 20.0);
    EXPECT_FALSE(none->passed);

    auto own = a->review(ReviewPolicy::OwnAnswers);
    ASSERT_TRUE(own);
    ASSERT_EQ(own->items.size(), 5u);
    const ReviewItem& i0 = own->items[0];
    ASSERT_EQ(i0.options.size(), 4u);
    // item 0 shows options reversed: display 2 is original 1, the one chosen
    EXPECT_EQ(i0.options[2].originalIndex, 1);
    EXPECT_TRUE(i0.options[2].chosen);
    EXPECT_FALSE(i0.options[0].chosen);
    for (const auto& o : i0.options) EXPECT_FALSE(o.correct.has_value());
    EXPECT_FALSE(i0.explanation.has_value());
    EXPECT_FALSE(i0.credit.has_value());

    auto full = a->review(ReviewPolicy::CorrectAnswers);
    ASSERT_TRUE(full);
    const ReviewItem& f0 = full->items[0];
    EXPECT_EQ(f0.options[2].correct, true);
    EXPECT_EQ(f0.options[0].correct, false);
    ASSERT_TRUE(f0.explanation.has_value());
    EXPECT_EQ(f0.explanation->en, "Explanation");
    EXPECT_EQ(f0.credit, 1.0);
    EXPECT_EQ(full->items[1].credit, 0.0);
    EXPECT_FALSE(full->items[1].answered);
}

TEST(Attempt, RestoreFromStoredResponsesAndEvents) {
    auto a = Attempt::start(makePaper(), timing(10s));
    ASSERT_TRUE(a);
    ASSERT_TRUE(a->answer(0, {1}, at(5)));
    ASSERT_TRUE(a->answer(1, {0, 1}, at(6)));
    ASSERT_TRUE(a->setFlag(2, true, at(7)));
    ASSERT_TRUE(a->goTo(3, at(8)));
    ASSERT_TRUE(a->answer(3, {2}, at(9)));
    ASSERT_TRUE(a->clear(3, at(10)));

    // 1) from the event log alone
    auto fromEvents = Attempt::restore(makePaper(), timing(10s), {}, a->events());
    ASSERT_TRUE(fromEvents) << fromEvents.error().message;
    EXPECT_EQ(fromEvents->responses(), a->responses());
    EXPECT_EQ(fromEvents->currentIndex(), 3);
    EXPECT_EQ(fromEvents->events(), a->events());
    EXPECT_EQ(fromEvents->status(), AttemptStatus::InProgress);

    // 2) from stored per-item rows plus the navigation event
    const std::vector<AttemptEvent> nav{AttemptEvent{at(8), EventKind::Navigated, 3, {}, SubmitReason::Candidate}};
    auto fromRows = Attempt::restore(makePaper(), timing(10s), a->responses(), nav);
    ASSERT_TRUE(fromRows);
    EXPECT_EQ(fromRows->responses(), a->responses());
    EXPECT_EQ(fromRows->currentIndex(), 3);
    EXPECT_EQ(fromRows->grade().score, a->grade().score);

    // resumed after a power cut: the clock ran on, the attempt continues with the right remaining time
    EXPECT_EQ(fromRows->remaining(at(300)), 300s);
    ASSERT_TRUE(fromRows->answer(4, {2}, at(300)));
    // resumed too late: auto-submitted at deadline + grace
    auto late = Attempt::restore(makePaper(), timing(10s), a->responses(), nav);
    ASSERT_TRUE(late);
    auto e = late->update(at(9999));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->at, at(610));

    // a submitted attempt stays submitted
    ASSERT_TRUE(a->submit(at(20)));
    auto done = Attempt::restore(makePaper(), timing(10s), {}, a->events());
    ASSERT_TRUE(done);
    EXPECT_EQ(done->status(), AttemptStatus::Submitted);
    EXPECT_EQ(done->submittedAt(), at(20));
}

TEST(Attempt, RestoreRejectsDataThatDoesNotFit) {
    std::vector<ItemResponse> three(3);
    auto r = Attempt::restore(makePaper(), timing(), three, {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::InvalidState);
    EXPECT_NE(r.error().message.find("another paper"), std::string::npos);

    std::vector<ItemResponse> bad(5);
    bad[2].chosen = {7};
    r = Attempt::restore(makePaper(), timing(), bad, {});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("item 3"), std::string::npos);

    const std::vector<AttemptEvent> ev{AttemptEvent{at(1), EventKind::Answered, 9, {0}, SubmitReason::Candidate}};
    r = Attempt::restore(makePaper(), timing(), {}, ev);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("stored event 1 (answered)"), std::string::npos);

    const std::vector<AttemptEvent> after{AttemptEvent{at(1), EventKind::Submitted, -1, {}, SubmitReason::Proctor},
                                          AttemptEvent{at(2), EventKind::Answered, 0, {1}, SubmitReason::Candidate}};
    r = Attempt::restore(makePaper(), timing(), {}, after);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::InvalidState);

    EXPECT_EQ(Attempt::start(Paper{}, timing()).error().code, ErrorCode::InvalidInput);
}

TEST(Grading, ScoresAreShownWithOneDecimalAtMostAndNeverHigherThanEarned) {
    EXPECT_EQ(formatScore(19.047619047619047), "19");
    EXPECT_EQ(formatScore(100.0 * 2 / 3), "66.6");
    EXPECT_EQ(formatScore(80.0), "80");
    EXPECT_EQ(formatScore(100.0), "100");
    EXPECT_EQ(formatScore(0.0), "0");
    EXPECT_EQ(formatScore(79.96), "79.9") << "a failing score must not read like the pass mark";
    EXPECT_EQ(formatScore(85.5), "85.5");
    EXPECT_EQ(formatScore(0.7 * 100.0), "70") << "0.7 * 100 is 69.99999... in binary";
}

TEST(Grading, PartialCreditItemsAreCounted) {
    GradeReport g;
    g.items = {{"a", 1, "safety", 1.0, true}, {"b", 1, "safety", 0.5, true}, {"c", 1, "safety", 0.0, true},
               {"d", 1, "safety", 0.0, false}, {"e", 1, "safety", 0.25, true}};
    EXPECT_EQ(partialCreditItems(g), 2);
}
