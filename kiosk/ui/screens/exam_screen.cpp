// The exam: one question per screen, images, navigator with flags, countdown, "saved" only after the
// store returned, read-aloud, confirm submit. Resumes the attempt in progress after a crash.
#include <stb_image.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <cstdlib>
#include <set>
#include <sstream>

#include "ui/format.hpp"
#include "ui/screens/common.hpp"
#include "ui/texture.hpp"

namespace kiosk::ui {
namespace {

struct Picture {
    int w{0}, h{0};
    std::vector<unsigned char> rgba;
};
using Pictures = std::map<std::string, Picture>;

exam::TimePoint wallNow() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

ExamOutcome outcomeOf(const training::StoredAttempt& a) {
    const auto g = a.attempt.grade();
    ExamOutcome o{g.score, g.passMark, g.passed, g.modules, ""};
    if (auto r = a.attempt.submitReason()) o.reason = std::string(exam::submitReasonName(*r));
    o.scoring = a.attempt.paper().scoring;
    o.partialItems = exam::partialCreditItems(g);
    return o;
}

/// What the start job brings back to the frame: the attempt with its pictures, or the hours still missing.
struct Started {
    center::ExamStart start;
    Pictures pictures;
};

class ExamScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::Exam; }
    bool idleTimeoutApplies() const override { return false; }
    ~ExamScreen() override { dropTextures(); }

    void enter(Context& ctx) override {
        m_attempt.reset();
        m_gaps.clear();
        m_busy = false;
        m_poll.reset();  // a poll still queued from an earlier visit is dropped
        m_confirm = Confirm::None;
        m_saved.clear();
        m_unsaved.clear();
        m_lastPoll = std::chrono::steady_clock::now();
        m_reloadWanted = false;
        dropTextures();
        if (!ctx.session.worker || !ctx.session.sittingId) {
            ctx.emit(Intent::Back);
            return;
        }
        m_busy = true;
        const auto sid = *ctx.session.sittingId;
        const auto wid = ctx.session.worker->id;
        const auto actor = ctx.actor();
        ctx.backend.submit(
            [sid, wid, actor, terminal = ctx.config.ui.kioskId](Records& r) -> training::Result<Started> {
                // The badge exam comes after the training: what is missing is shown, nothing is started.
                auto started = r.center.startOrResumeAttempt(sid, wid, actor, terminal);
                if (!started) return std::unexpected(started.error());
                if (!started->attempt) return Started{std::move(*started), {}};
                const auto* a = &*started->attempt;
                Pictures pics;
                const auto dir = kiosk::assetsDirectory() / "question-banks";
                for (const auto& item : a->attempt.paper().items) {
                    const auto& rel = item.question.imagePath;
                    if (rel.empty() || pics.contains(rel)) continue;
                    // Only pictures inside the banks' folder (a bank imported before paths were checked, or a
                    // symbolic link, must not make the kiosk read other files).
                    if (!exam::isConfinedImagePath(rel)) continue;
                    std::error_code ec;
                    const auto base = std::filesystem::weakly_canonical(dir, ec);
                    const auto file = std::filesystem::weakly_canonical(dir / rel, ec);
                    if (ec || std::ranges::mismatch(base, file).in1 != base.end()) continue;
                    int w = 0, h = 0, n = 0;
                    unsigned char* px = stbi_load(file.string().c_str(), &w, &h, &n, 4);
                    if (!px) continue;
                    Picture p{w, h, std::vector<unsigned char>(px, px + static_cast<std::size_t>(w) * h * 4)};
                    stbi_image_free(px);
                    pics.emplace(rel, std::move(p));
                }
                return Started{std::move(*started), std::move(pics)};
            },
            [this, &ctx](training::Result<Started> res) {
                m_busy = false;
                if (!res) {
                    ctx.showError(res.error());
                    return;
                }
                if (!res->start.attempt) {
                    m_gaps = std::move(res->start.missingHours);
                    ctx.say("exam.hours_missing");
                    return;
                }
                m_attempt = std::move(res->start.attempt);
                m_pictures = std::move(res->pictures);
                markStoredAnswers();
                if (m_attempt->attempt.status() == exam::AttemptStatus::Submitted) finish(ctx);
            });
        ctx.say("exam.prompt");
    }

    /// Leaving without handing in (stepping away) tells the proctor board the worker left the exam.
    void leave(Context& ctx) override {
        m_poll.reset();  // a poll still queued is dropped
        if (!m_attempt || m_attempt->attempt.status() == exam::AttemptStatus::Submitted) return;
        ctx.backend.submit(
            [id = m_attempt->id, terminal = ctx.config.ui.kioskId](Records& r) {
                return r.exams.reportPresence(id, false, terminal);
            },
            [](training::Result<void>) {});
    }

    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        if (!m_gaps.empty()) {
            // Not yet: the hours the course requires before its exam, module by module.
            ui.heading(ctx.tr("exam.hours_missing"));
            for (const auto& g : m_gaps)
                ui.text(format(ctx.tr("exam.hours_missing_module"),
                               {moduleName(ctx, g.moduleCode), formatDuration(ctx.i18n, g.missingMinutes()),
                                formatDuration(ctx.i18n, g.attendedMinutes), formatDuration(ctx.i18n, g.requiredMinutes)}),
                        ui.fonts().large(), theme::kErrorText);
            ui.text(ctx.tr("exam.hours_missing_what"));
            workerNav(ctx);
            return;
        }
        if (!m_attempt) {
            ui.text(ctx.tr("common.loading"));
            if (!m_busy) workerNav(ctx);
            return;
        }
        auto& at = m_attempt->attempt;
        const auto now = wallNow();
        ctx.wakeIn(1.0);
        pollProctor(ctx);
        const int n = at.itemCount();
        const int cur = at.currentIndex();
        const auto remaining = at.remaining(now).count();
        const bool paused = at.isPaused(now);
        // Header: question n of m, time left, saved state.
        const std::string position = format(ctx.tr("exam.position"), {std::to_string(cur + 1), std::to_string(n)});
        const std::string clock = format(ctx.tr("exam.time_left"), {fmtClock(remaining)});
        // The time left at the right of the same line when both fit, on a line of its own otherwise.
        ImGui::PushFont(ui.fonts().large());
        const float clockW = ImGui::CalcTextSize(clock.c_str()).x + 8;
        const bool oneLine = ImGui::CalcTextSize(position.c_str()).x + 32 + clockW <= ImGui::GetContentRegionAvail().x;
        ImGui::PopFont();
        const float lineW = ImGui::GetContentRegionAvail().x;
        ui.text(position, ui.fonts().large());
        if (oneLine) ImGui::SameLine(lineW - clockW);
        ui.text(clock, ui.fonts().large(), remaining < 300 ? theme::kErrorText : theme::kText);
        if (paused) ui.notice(ctx.tr("exam.paused"));
        resendUnsaved(ctx);
        // The deadline is the server's: while it is unreachable the hand-in waits for it (the trainer may pause).
        if (!paused && remaining <= 0 && !m_busy && !ctx.server.lost) {
            submit(ctx, exam::SubmitReason::Deadline);
            return;
        }
        if (m_confirm == Confirm::Submit) {
            drawConfirm(ctx);
            return;
        }
        if (m_confirm == Confirm::Leave) {
            drawLeave(ctx);
            return;
        }
        const auto& item = at.paper().items[static_cast<std::size_t>(cur)];
        const auto& q = item.question;
        const float w = ImGui::GetContentRegionAvail().x;
        const float navW = 330;
        // Wide: the question beside the navigator, both fitted to the screen. Narrow (portrait, large text): the
        // question, then its actions, then the navigator below, the whole scrolling.
        const bool wide = w >= 1000;
        if (wide) ImGui::BeginChild("question", {w - navW - 16, ImGui::GetContentRegionAvail().y - 90}, false);
        ui.text(ctx.i18n.pick(q.stem.zh, q.stem.en), ui.fonts().large());
        if (q.type == exam::QuestionType::MultipleResponse)
            ui.text(ctx.tr("exam.multiple_hint"), ui.fonts().small(), theme::kMuted);
        const auto& resp = at.response(cur);
        // With a picture: the picture on the left, the options beside it (everything fits on one screen).
        if (auto it = m_pictures.find(q.imagePath); it != m_pictures.end()) {
            drawPicture(ctx, it->second, 300, 360);
            ImGui::SameLine();
        }
        // The options share what the stem leaves (a line stays free for "saved"), at least kMinTarget high.
        const int nOptions = static_cast<int>(item.optionOrder.size());
        const float optGap = ImGui::GetStyle().ItemSpacing.y;
        const float optRoom = wide ? ImGui::GetContentRegionAvail().y - ImGui::GetTextLineHeightWithSpacing() : 0.0f;
        const float optH = nOptions > 0 && wide ? std::clamp((optRoom - optGap * static_cast<float>(nOptions - 1)) /
                                                                 static_cast<float>(nOptions),
                                                             theme::kMinTarget, 76.0f)
                                                : 76.0f;
        ImGui::BeginGroup();
        for (int pos = 0; pos < nOptions; ++pos) {
            const int orig = item.optionOrder[static_cast<std::size_t>(pos)];
            const auto& opt = q.options[static_cast<std::size_t>(orig)];
            const bool chosen = std::ranges::find(resp.chosen, orig) != resp.chosen.end();
            ImGui::PushID(pos);
            const std::string label = std::string(1, static_cast<char>('A' + pos)) + ".  " +
                                      ctx.i18n.pick(opt.text.zh, opt.text.en);
            // A long option wraps onto more lines (the button grows) rather than being cut.
            const bool tapped = ui.wrappedButton("opt-" + std::to_string(pos), (chosen ? "\xE2\x88\x9A " : "") + label,
                                                 ImGui::GetContentRegionAvail().x, optH,
                                                 chosen ? Kind::Selected : Kind::Secondary, !m_busy && !paused);
            if (tapped) {
                std::vector<int> next;
                if (q.type == exam::QuestionType::MultipleResponse) {
                    next = resp.chosen;
                    if (chosen) std::erase(next, orig);
                    else next.push_back(orig);
                    std::ranges::sort(next);
                } else {
                    next = {orig};
                }
                answer(ctx, cur, std::move(next));
            }
            ImGui::PopID();
        }
        ImGui::EndGroup();
        // Saved state of this item: only after ExamStore::answer returned.
        if (m_busy) {
            ui.text(ctx.tr("exam.saving"), ui.fonts().small(), theme::kMuted);
        } else if (m_unsaved.contains(cur)) {
            ui.text(ctx.tr("exam.not_saved"), ui.fonts().small(), theme::kErrorText);
        } else if (m_saved.contains(cur) && !resp.chosen.empty()) {
            ui.text(ctx.tr("exam.saved"), ui.fonts().small(), theme::kOk);
        }
        if (wide) {
            ImGui::EndChild();
            ImGui::SameLine();
            drawNavigator(ctx, navW, true);
        }
        // The row under the question: flag, read aloud, leave; the bottom bar: previous (left), next and hand in
        // (right).
        if (ui.button("flag", ctx.tr(resp.flagged ? "exam.unflag" : "exam.flag"), {kFooterW, 0}, Kind::Secondary, !m_busy))
            flag(ctx, cur, !resp.flagged);
        ui.sameLineIfFits(kFooterW);
        if (ui.button("read-aloud", ctx.tr("exam.read_aloud"), {kFooterW, 0}, Kind::Secondary)) {
            std::string text = ctx.i18n.pick(q.stem.zh, q.stem.en);
            for (int pos = 0; pos < static_cast<int>(item.optionOrder.size()); ++pos)
                text += std::string("; ") + static_cast<char>('A' + pos) + ", " +
                        ctx.i18n.pick(q.options[static_cast<std::size_t>(item.optionOrder[static_cast<std::size_t>(pos)])].text.zh,
                                      q.options[static_cast<std::size_t>(item.optionOrder[static_cast<std::size_t>(pos)])].text.en);
            ctx.speech.say(text, ctx.i18n.language());
        }
        ui.sameLineIfFits(kFooterW);
        if (ui.button("leave", ctx.tr("exam.leave"), {kFooterW, 0}, Kind::Secondary, !m_busy)) m_confirm = Confirm::Leave;
        if (!wide) drawNavigator(ctx, w, false);
        ctx.footer.back = FooterAction{"prev", ctx.tr("exam.prev"), [this, &ctx, cur] { go(ctx, cur - 1); },
                                       cur > 0 && !m_busy, Kind::Secondary};
        ctx.footer.primary = FooterAction{"next", ctx.tr("exam.next"), [this, &ctx, cur] { go(ctx, cur + 1); },
                                          cur + 1 < n && !m_busy, Kind::Primary};
        ctx.footer.secondary = FooterAction{"submit", ctx.tr("exam.submit"), [this] { m_confirm = Confirm::Submit; },
                                            !m_busy, Kind::Danger, true};
    }

private:
    static std::string fmtClock(long long s) {
        if (s < 0) s = 0;
        char buf[48];
        std::snprintf(buf, sizeof buf, "%02lld:%02lld", s / 60, s % 60);
        return buf;
    }
    void drawNavigator(Context& ctx, float width, bool beside) {
        auto& ui = ctx.ui;
        auto& at = m_attempt->attempt;
        // Beside the question: its own panel, with a scrollbar only when the numbers do not fit (a long paper on a
        // short screen). Below it: as many rows as the numbers take, in the scrolling screen.
        if (beside) ImGui::BeginChild("navigator", {width, ImGui::GetContentRegionAvail().y - 90}, true);
        else ImGui::Spacing();
        ui.text(format(ctx.tr("exam.answered"), {std::to_string(at.answeredCount()), std::to_string(at.itemCount())}),
                ui.fonts().small());
        const float gap = ImGui::GetStyle().ItemSpacing.x;
        const int perRow = beside ? 3 : std::max(3, static_cast<int>((ImGui::GetContentRegionAvail().x + gap) / (96 + gap)));
        const float bw = (ImGui::GetContentRegionAvail().x - static_cast<float>(perRow - 1) * gap) / static_cast<float>(perRow);
        for (int i = 0; i < at.itemCount(); ++i) {
            if (i % perRow != 0) ImGui::SameLine();
            const auto& r = at.response(i);
            std::string label = std::to_string(i + 1);
            Kind kind = i == at.currentIndex() ? Kind::Primary : !r.chosen.empty() ? Kind::Ok : Kind::Secondary;
            ImGui::PushID(i);
            if (r.flagged) label = std::to_string(i + 1) + "*";
            if (ui.button("nav-" + std::to_string(i + 1), label, {bw, 64}, kind, !m_busy)) go(ctx, i);
            ImGui::PopID();
        }
        ui.text(ctx.tr("exam.legend"), ui.fonts().small(), theme::kMuted);
        if (beside) ImGui::EndChild();
    }
    void drawConfirm(Context& ctx) {
        auto& ui = ctx.ui;
        auto& at = m_attempt->attempt;
        const int unanswered = at.itemCount() - at.answeredCount();
        ui.heading(ctx.tr("exam.confirm_title"));
        if (unanswered > 0) ui.notice(format(ctx.tr("exam.confirm_unanswered"), {std::to_string(unanswered)}));
        const auto flagged = at.flaggedItems();
        if (!flagged.empty()) ui.notice(format(ctx.tr("exam.confirm_flagged"), {std::to_string(flagged.size())}));
        ui.text(ctx.tr("exam.confirm_text"));
        // Handing in waits until every answer is on the server.
        const bool allSaved = m_unsaved.empty() && !ctx.server.lost;
        if (!allSaved) ui.notice(ctx.tr("exam.not_saved"));
        // Back to the questions at the bottom left, hand in at the bottom right.
        ctx.footer.back = FooterAction{"cancel-submit", ctx.tr("exam.confirm_no"), [this] { m_confirm = Confirm::None; },
                                       true, Kind::Secondary};
        ctx.footer.primary = FooterAction{"confirm-submit", ctx.tr("exam.confirm_yes"),
                                          [this, &ctx] { submit(ctx, exam::SubmitReason::Candidate); },
                                          !m_busy && allSaved, Kind::Danger, true};
    }
    /// Stepping away: the clock keeps running (only the trainer can pause), the answers are saved, and the
    /// worker resumes by signing in again at any kiosk. The proctor board shows "left the exam screen".
    void drawLeave(Context& ctx) {
        auto& ui = ctx.ui;
        ui.heading(ctx.tr("exam.leave_title"));
        ui.notice(ctx.tr("exam.leave_text"));
        // Leaving waits until every answer is on the server (the next kiosk resumes from what it holds).
        const bool allSaved = m_unsaved.empty() && !ctx.server.lost;
        if (!allSaved) ui.notice(ctx.tr("exam.not_saved"));
        ctx.footer.back = FooterAction{"cancel-leave", ctx.tr("exam.confirm_no"), [this] { m_confirm = Confirm::None; },
                                       true, Kind::Secondary};
        ctx.footer.primary = FooterAction{"confirm-leave", ctx.tr("exam.leave_yes"), [&ctx] { ctx.emit(Intent::Logout); },
                                          !m_busy && allSaved, Kind::Primary};
    }
    void drawPicture(Context& ctx, const Picture& p, float maxW, float maxH) {
        auto [it, added] = m_textures.try_emplace(&p);
        if (added) it->second.upload(ctx.textures, p.rgba.data(), p.w, p.h);
        it->second.draw({maxW, maxH}, 1.5f);
    }
    /// Answers read back from the database are on disk: they count as saved.
    void markStoredAnswers() {
        for (int i = 0; i < m_attempt->attempt.itemCount(); ++i)
            if (!m_attempt->attempt.response(i).chosen.empty()) m_saved.insert(i);
    }
    void dropTextures() { m_textures.clear(); }
    /// Every 10 s: report presence to the proctor board. The attempt is reloaded (the trainer may have paused,
    /// resumed, granted extra time or handed it in) when the server says that its sitting changed; where changes
    /// are not pushed (SQLite, or the server away) it is reloaded with every report instead.
    /// The poll never disables the screen (a worker's tap must not be swallowed while it runs): its result
    /// is applied only when no answer, move or flag was started since it was queued, otherwise the next
    /// poll brings the trainer's changes.
    void onEvent(Context& ctx, const Event& e) override {
        const auto* rc = std::get_if<RecordsChanged>(&e);
        if (!rc || !m_attempt || !rc->pushed) return;
        if (rc->changes.has(training::sittingTopic(m_attempt->sittingId))) {
            m_reloadWanted = true;
            ctx.wakeIn(0);
        }
    }
    void pollProctor(Context& ctx) {
        if (m_poll.running()) return;
        const bool due = std::chrono::steady_clock::now() - m_lastPoll >= std::chrono::seconds(10);
        if (!due && !m_reloadWanted) return;
        const bool reload = m_reloadWanted || !ctx.server.pushesChanges;
        m_reloadWanted = false;
        if (due) m_lastPoll = std::chrono::steady_clock::now();
        m_poll = ctx.backend.start(
            [id = m_attempt->id, terminal = ctx.config.ui.kioskId, due,
             reload](Records& r) -> training::Result<std::optional<training::StoredAttempt>> {
                if (due) (void)r.exams.reportPresence(id, true, terminal);  // advisory, as on start
                if (!reload) return std::nullopt;
                auto a = r.exams.loadAttempt(id);
                if (!a) return std::unexpected(a.error());
                return std::optional<training::StoredAttempt>(std::move(*a));
            },
            [this, &ctx](training::Result<std::optional<training::StoredAttempt>> a) {
                if (!a || !*a || m_busy || !m_unsaved.empty()) return;
                m_attempt = std::move(**a);
                markStoredAnswers();
                if (m_attempt->attempt.status() == exam::AttemptStatus::Submitted) finish(ctx);
            });
    }
    /// Answers the server did not take because it was unreachable are sent again, one at a time, once it is back.
    void resendUnsaved(Context& ctx) {
        if (m_busy || ctx.server.lost || m_unsaved.empty()) return;
        auto [item, chosen] = *m_unsaved.begin();
        answer(ctx, item, std::move(chosen));
    }
    /// @p isAnswer: @p chosen is the answer being saved (kept to send again when the server was unreachable).
    template <class F>
    void mutate(Context& ctx, F f, int savedItem, bool isAnswer = false, std::vector<int> chosen = {}) {
        m_busy = true;
        m_poll.reset();  // a poll queued before this change would bring back the old state
        ctx.backend.submit(
            [a = *m_attempt, f](Records& r) mutable -> std::pair<training::Result<void>, training::StoredAttempt> {
                auto res = f(r, a);
                return {res, std::move(a)};
            },
            [this, &ctx, savedItem, isAnswer, chosen](std::pair<training::Result<void>, training::StoredAttempt> out) {
                m_busy = false;
                m_attempt = std::move(out.second);
                if (!out.first) {
                    if (savedItem >= 0) m_saved.erase(savedItem);
                    if (isAnswer && out.first.error().reason == kServerUnreachable) m_unsaved[savedItem] = chosen;
                    else if (savedItem >= 0) m_unsaved.erase(savedItem);
                    ctx.showError(out.first.error());
                } else {
                    ctx.setError({});
                    if (savedItem >= 0) {
                        m_saved.insert(savedItem);
                        m_unsaved.erase(savedItem);
                    }
                }
                if (m_attempt->attempt.status() == exam::AttemptStatus::Submitted) finish(ctx);
            });
    }
    void answer(Context& ctx, int item, std::vector<int> chosen) {
        m_saved.erase(item);
        if (chosen.empty())
            mutate(ctx, [item](Records& r, training::StoredAttempt& a) { return r.exams.clearAnswer(a, item); }, item,
                   true, chosen);
        else
            mutate(ctx, [item, chosen](Records& r, training::StoredAttempt& a) { return r.exams.answer(a, item, chosen); },
                   item, true, chosen);
    }
    void go(Context& ctx, int item) {
        mutate(ctx, [item](Records& r, training::StoredAttempt& a) { return r.exams.goTo(a, item); }, -1);
    }
    void flag(Context& ctx, int item, bool on) {
        mutate(ctx, [item, on](Records& r, training::StoredAttempt& a) { return r.exams.flag(a, item, on); }, -1);
    }
    void submit(Context& ctx, exam::SubmitReason reason) {
        mutate(ctx, [reason](Records& r, training::StoredAttempt& a) { return r.exams.submit(a, reason); }, -1);
    }
    void finish(Context& ctx) {
        ctx.session.examOutcome = outcomeOf(*m_attempt);
        ctx.emit(Intent::ExamFinished);
    }

    std::optional<training::StoredAttempt> m_attempt;
    std::vector<training::AttendanceGap> m_gaps;  ///< Not empty: the training must come first.
    Pictures m_pictures;
    std::map<const Picture*, Texture> m_textures;
    std::set<int> m_saved;
    std::map<int, std::vector<int>> m_unsaved;  ///< Item -> answer the unreachable server has not taken yet.
    bool m_busy{false};
    JobHandle m_poll;  ///< The proctor poll; reset when an answer, move or flag starts (its result is stale).
    enum class Confirm { None, Submit, Leave };
    static constexpr float kFooterW = 200;  ///< Flag, read aloud and leave under the question.
    Confirm m_confirm{Confirm::None};
    std::chrono::steady_clock::time_point m_lastPoll;
    bool m_reloadWanted{false};  ///< The server said that this attempt's sitting changed.
};

}  // namespace

std::unique_ptr<Screen> makeExamScreen() { return std::make_unique<ExamScreen>(); }

}  // namespace kiosk::ui
