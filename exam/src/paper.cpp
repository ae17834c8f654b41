#include "exam/paper.hpp"

#include <algorithm>
#include <map>
#include <numeric>

#include "exam/random.hpp"
#include "text_util.hpp"

namespace exam {

namespace {

int sectionCount(const BlueprintSection& s) noexcept {
    if (s.levels && s.count == 0) return (*s.levels)[0] + (*s.levels)[1] + (*s.levels)[2];
    return s.count;
}

}  // namespace

int Blueprint::totalQuestions() const noexcept {
    int n = 0;
    for (const BlueprintSection& s : sections) n += sectionCount(s);
    return n;
}

Result<void> validateBlueprint(const Blueprint& bp) {
    if (bp.sections.empty())
        return fail(ErrorCode::InvalidInput, "the blueprint has no sections; add at least one (module, count)");
    for (std::size_t i = 0; i < bp.sections.size(); ++i) {
        const BlueprintSection& s = bp.sections[i];
        const std::string where = "blueprint section " + std::to_string(i + 1) + " (" + s.module + "): ";
        if (!isValidModuleCode(s.module))
            return fail(ErrorCode::InvalidInput,
                        where + "not a module code; give the code of a module of the course (e.g. safety)");
        if (s.levels) {
            const auto& l = *s.levels;
            if (l[0] < 0 || l[1] < 0 || l[2] < 0)
                return fail(ErrorCode::InvalidInput, where + "a difficulty count is negative; use 0 or more");
            const int sum = l[0] + l[1] + l[2];
            if (s.count != 0 && s.count != sum)
                return fail(ErrorCode::InvalidInput, where + "count " + std::to_string(s.count) +
                                                         " differs from the sum of the difficulty counts (" +
                                                         std::to_string(sum) + "); make them equal");
        } else if (s.count < 0) {
            return fail(ErrorCode::InvalidInput, where + "the count is negative; use 1 or more");
        }
        if (sectionCount(s) <= 0)
            return fail(ErrorCode::InvalidInput, where + "asks for no questions; give a count of 1 or more or remove it");
    }
    if (bp.duration.count() <= 0)
        return fail(ErrorCode::InvalidInput, "the blueprint's duration must be positive (e.g. 60 minutes)");
    if (!(bp.passMark >= 0.0 && bp.passMark <= 100.0))
        return fail(ErrorCode::InvalidInput, "the pass mark " + detail::formatNumber(bp.passMark) +
                                                 " is outside 0..100; the default is 80");
    return {};
}

int PaperItem::originalIndex(int displayPosition) const noexcept {
    if (displayPosition < 0 || static_cast<std::size_t>(displayPosition) >= optionOrder.size()) return -1;
    return optionOrder[static_cast<std::size_t>(displayPosition)];
}

int PaperItem::displayPosition(int originalIndex) const noexcept {
    for (std::size_t i = 0; i < optionOrder.size(); ++i)
        if (optionOrder[i] == originalIndex) return static_cast<int>(i);
    return -1;
}

Result<Paper> assemblePaper(const Bank& bank, const Blueprint& bp, std::uint64_t seed,
                            const std::set<std::string>& seen, const std::set<std::string>& seenConcepts) {
    if (auto ok = validateBlueprint(bp); !ok) return std::unexpected(ok.error());

    // Newest version of every id, sorted by id so the bank's order does not matter.
    std::map<std::string, const Question*> newest;
    for (const Question& q : bank.questions) {
        auto [it, inserted] = newest.emplace(q.id, &q);
        if (!inserted && q.version > it->second->version) it->second = &q;
    }

    Prng rng(seed);
    std::set<std::string> used;
    std::vector<std::vector<const Question*>> picked(bp.sections.size());
    std::vector<std::string> shortfalls;

    std::set<std::string> usedConcepts;  // concepts already on this paper

    auto draw = [&](std::size_t sectionIndex, const std::string& module, int level, int need) {
        // Tiers, best first: questions the worker has not seen on a point they have not met; unseen questions
        // on a point met before (the same point in other words); questions already seen.
        std::vector<const Question*> fresh;
        std::vector<const Question*> sameConcept;
        std::vector<const Question*> old;
        for (const auto& [id, q] : newest) {
            if (q->module != module || (level != 0 && q->difficulty != level) || used.contains(id)) continue;
            if (seen.contains(id)) old.push_back(q);
            else if (!q->conceptTag.empty() && seenConcepts.contains(q->conceptTag)) sameConcept.push_back(q);
            else fresh.push_back(q);
        }
        rng.shuffle(std::span<const Question*>(fresh));
        rng.shuffle(std::span<const Question*>(sameConcept));
        rng.shuffle(std::span<const Question*>(old));
        std::vector<const Question*> unseen;
        unseen.reserve(fresh.size() + sameConcept.size());
        unseen.insert(unseen.end(), fresh.begin(), fresh.end());
        unseen.insert(unseen.end(), sameConcept.begin(), sameConcept.end());
        int got = 0;
        // Within each group (unseen, then seen): first no two questions of one paper on the same point, then
        // whatever is left.
        for (const auto* pool : {&unseen, &old}) {
            for (const bool allowRepeatedConcept : {false, true}) {
                for (const Question* q : *pool) {
                    if (got == need) break;
                    if (used.contains(q->id)) continue;
                    if (!allowRepeatedConcept && !q->conceptTag.empty() && usedConcepts.contains(q->conceptTag))
                        continue;
                    picked[sectionIndex].push_back(q);
                    used.insert(q->id);
                    if (!q->conceptTag.empty()) usedConcepts.insert(q->conceptTag);
                    ++got;
                }
            }
        }
        if (got < need) {
            const int available = got;
            std::string msg = "module " + module;
            msg += level == 0 ? " (any difficulty)" : " difficulty " + std::to_string(level);
            msg += ": " + std::to_string(need - got) + " question(s) missing (needs " + std::to_string(need) +
                   ", the bank has " + std::to_string(available) + " left)";
            shortfalls.push_back(std::move(msg));
        }
    };

    for (std::size_t i = 0; i < bp.sections.size(); ++i) {
        const BlueprintSection& s = bp.sections[i];
        if (!s.levels) continue;
        for (int level = 1; level <= 3; ++level) {
            const int need = (*s.levels)[static_cast<std::size_t>(level - 1)];
            if (need > 0) draw(i, s.module, level, need);
        }
    }
    for (std::size_t i = 0; i < bp.sections.size(); ++i) {
        const BlueprintSection& s = bp.sections[i];
        if (!s.levels) draw(i, s.module, 0, s.count);
    }
    if (!shortfalls.empty()) {
        std::string msg = "bank '" + bank.id + "' cannot fill the blueprint: ";
        for (std::size_t i = 0; i < shortfalls.size(); ++i) msg += (i ? "; " : "") + shortfalls[i];
        msg += ". Add questions to the bank or lower the counts in the blueprint.";
        return fail(ErrorCode::Shortfall, std::move(msg));
    }

    Paper paper;
    paper.bankId = bank.id;
    paper.seed = seed;
    paper.scoring = bank.scoring;
    paper.passMark = bp.passMark;
    paper.duration = bp.duration;
    for (const auto& section : picked) {
        for (const Question* q : section) {
            PaperItem item;
            item.question = *q;
            item.optionOrder.resize(q->options.size());
            std::iota(item.optionOrder.begin(), item.optionOrder.end(), 0);
            // true/false keeps "true" first: shuffling it only confuses candidates
            if (bp.shuffleOptions && q->type != QuestionType::TrueFalse) rng.shuffle(std::span<int>(item.optionOrder));
            paper.items.push_back(std::move(item));
        }
    }
    if (bp.shuffleQuestions) rng.shuffle(std::span<PaperItem>(paper.items));
    return paper;
}

}  // namespace exam
