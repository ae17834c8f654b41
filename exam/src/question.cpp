#include "exam/question.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <utility>

#include "text_util.hpp"

namespace exam {

std::string_view questionTypeName(QuestionType type) noexcept {
    switch (type) {
        case QuestionType::SingleChoice: return "single";
        case QuestionType::MultipleResponse: return "multiple";
        case QuestionType::TrueFalse: return "truefalse";
    }
    return "single";
}

std::string_view multipleScoringName(MultipleScoring scoring) noexcept {
    switch (scoring) {
        case MultipleScoring::AllOrNothing: return "all-or-nothing";
        case MultipleScoring::Proportional: return "proportional";
    }
    return "all-or-nothing";
}

bool Question::sameContent(const Question& other) const {
    Question a = *this;
    a.version = other.version;
    return a == other;
}

std::vector<Option> trueFalseOptions(bool statementIsTrue) {
    return {
        Option{LocalizedText{"正确", "True"}, statementIsTrue ? 100.0 : 0.0, {}},
        Option{LocalizedText{"错误", "False"}, statementIsTrue ? 0.0 : 100.0, {}},
    };
}

Question revise(const Question& current, Question edited) {
    edited.version = current.sameContent(edited) ? current.version : current.version + 1;
    return edited;
}

double defaultWrongWeight(int wrongOptions) noexcept {
    return wrongOptions > 0 ? -100.0 / wrongOptions : 0.0;
}

bool applyDefaultWrongWeights(Question& q, MultipleScoring scoring) {
    if (scoring != MultipleScoring::Proportional || q.type != QuestionType::MultipleResponse) return false;
    int wrong = 0;
    for (const Option& o : q.options) {
        if (o.weight < 0) return false;  // the author weighted the wrong options
        if (o.weight == 0) ++wrong;
    }
    if (wrong == 0) return false;
    for (Option& o : q.options)
        if (o.weight == 0) o.weight = defaultWrongWeight(wrong);
    return true;
}

const Question* Bank::find(std::string_view questionId) const noexcept {
    const Question* best = nullptr;
    for (const Question& q : questions)
        if (q.id == questionId && (best == nullptr || q.version > best->version)) best = &q;
    return best;
}

namespace {

constexpr double kWeightTolerance = 0.5;  // percent; lets 33.333 x 3 count as 100

std::string who(const Question& q) {
    return "question " + (q.id.empty() ? std::string("(no id)") : q.id) + " v" + std::to_string(q.version) + ": ";
}

}  // namespace

bool isValidConceptTag(std::string_view tag) noexcept {
    if (tag.empty() || tag.size() > 64 || tag.front() == '-' || tag.back() == '-') return false;
    return std::ranges::all_of(tag, [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

bool isValidModuleCode(std::string_view code) noexcept { return isValidConceptTag(code); }

bool isConfinedImagePath(std::string_view path) {
    if (path.empty() || path.size() > 255) return false;
    if (std::ranges::any_of(path, [](char c) { return c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7F; }))
        return false;
    const std::filesystem::path p{std::string(path)};
    if (p.is_absolute() || p.has_root_path()) return false;
    return std::ranges::none_of(p, [](const std::filesystem::path& part) { return part == ".."; });
}

std::vector<std::string> validateQuestion(const Question& q) {
    std::vector<std::string> out;
    const std::string w = who(q);
    if (q.id.empty()) out.push_back(w + "the id is empty; give every question a stable id (GIFT: a ::title::)");
    if (q.version < 1) out.push_back(w + "version must be 1 or more");
    if (!isValidModuleCode(q.module)) {
        out.push_back(w + (q.module.empty() ? std::string("the module is empty")
                                            : "the module '" + q.module + "' is not a module code") +
                      "; give the code of a module of the course (lower-case letters, digits and '-', e.g. safety)");
    }
    if (q.difficulty < 1 || q.difficulty > 3)
        out.push_back(w + "difficulty " + std::to_string(q.difficulty) + " is out of range; use 1, 2 or 3");
    if (!q.conceptTag.empty() && !isValidConceptTag(q.conceptTag))
        out.push_back(w + "the concept '" + q.conceptTag +
                      "' is not a valid tag; use 1 to 64 lower-case letters, digits and '-' (e.g. gas-leak-first-step)");
    if (!q.imagePath.empty() && !isConfinedImagePath(q.imagePath))
        out.push_back(w + "the image path '" + q.imagePath +
                      "' leaves the bank's folder; give a path relative to the bank's folder without '..' "
                      "(e.g. images/" + (q.id.empty() ? std::string("picture") : q.id) + ".png) and put the picture there");
    if (detail::trim(q.stem.zh).empty()) out.push_back(w + "the question text is empty; write the question");
    if (q.options.size() < 2) {
        out.push_back(w + "has " + std::to_string(q.options.size()) + " option(s); give at least 2");
    }
    int positives = 0;
    int full = 0;
    double positiveSum = 0.0;
    for (std::size_t i = 0; i < q.options.size(); ++i) {
        const Option& o = q.options[i];
        if (detail::trim(o.text.zh).empty())
            out.push_back(w + "option " + std::to_string(i + 1) + " has no text; write it or remove it");
        if (!std::isfinite(o.weight) || o.weight < -100.0 || o.weight > 100.0) {
            out.push_back(w + "option " + std::to_string(i + 1) + " has weight " + detail::formatNumber(o.weight) +
                          "%; weights must lie between -100% and 100%");
            continue;
        }
        if (o.weight > 0) {
            ++positives;
            positiveSum += o.weight;
        }
        if (std::abs(o.weight - 100.0) < 1e-9) ++full;
    }
    switch (q.type) {
        case QuestionType::SingleChoice:
            if (full != 1)
                out.push_back(w + "single choice needs exactly one option worth 100% (found " + std::to_string(full) +
                              "); mark one right answer");
            break;
        case QuestionType::TrueFalse:
            if (q.options.size() != 2 || full != 1 || positives != 1)
                out.push_back(w + "true/false needs exactly two options, one of them right (worth 100%)");
            break;
        case QuestionType::MultipleResponse:
            if (positives == 0) {
                out.push_back(w + "multiple response has no right option; give the right options positive weights");
            } else if (std::abs(positiveSum - 100.0) > kWeightTolerance) {
                out.push_back(w + "the positive weights add up to " + detail::formatNumber(positiveSum) +
                              "%; they must add up to 100%");
            }
            break;
    }
    return out;
}

std::vector<std::string> validateBank(const Bank& bank) {
    std::vector<std::string> out;
    if (bank.id.empty()) out.push_back("bank: the id is empty; give the bank a stable id");
    std::set<std::pair<std::string, int>> seen;
    for (const Question& q : bank.questions) {
        if (!seen.insert({q.id, q.version}).second)
            out.push_back(who(q) + "appears twice in bank '" + bank.id + "'; give each question a unique id");
        auto problems = validateQuestion(q);
        out.insert(out.end(), std::make_move_iterator(problems.begin()), std::make_move_iterator(problems.end()));
    }
    return out;
}

double scoreResponse(const Question& q, MultipleScoring scoring, std::span<const int> chosen) {
    std::vector<int> picks;
    picks.reserve(chosen.size());
    for (int c : chosen)
        if (c >= 0 && static_cast<std::size_t>(c) < q.options.size()) picks.push_back(c);
    std::ranges::sort(picks);
    picks.erase(std::unique(picks.begin(), picks.end()), picks.end());
    if (picks.empty()) return 0.0;

    if (q.type != QuestionType::MultipleResponse) {
        if (picks.size() != 1) return 0.0;
        return std::clamp(q.options[static_cast<std::size_t>(picks[0])].weight / 100.0, 0.0, 1.0);
    }
    if (scoring == MultipleScoring::AllOrNothing) {
        std::size_t p = 0;
        for (std::size_t i = 0; i < q.options.size(); ++i) {
            const bool picked = p < picks.size() && static_cast<std::size_t>(picks[p]) == i;
            if (picked) ++p;
            if (picked != q.isCorrect(i)) return 0.0;
        }
        return 1.0;
    }
    double sum = 0.0;
    for (int c : picks) sum += q.options[static_cast<std::size_t>(c)].weight;
    return std::clamp(sum / 100.0, 0.0, 1.0);
}

}  // namespace exam
