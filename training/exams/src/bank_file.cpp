#include "training/bank_file.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <toml++/toml.h>

#include "exam/question.hpp"

namespace training {
namespace {

using exam::Diagnostic;
using exam::Severity;

int lineOf(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

struct QuestionReader {
    const toml::table& table;
    std::string id;
    std::vector<Diagnostic>& out;
    bool ok{true};

    void error(const toml::node& at, const std::string& message) {
        out.push_back({lineOf(at), Severity::Error, fmt::format("question {}: {}", id.empty() ? "?" : id, message)});
        ok = false;
    }
    std::string text(std::string_view key, bool required) {
        const auto* node = table.get(key);
        if (!node) {
            if (required) error(table, fmt::format("the key '{}' is missing", key));
            return {};
        }
        if (!node->is_string()) {
            error(*node, fmt::format("'{}' must be a string in quotes", key));
            return {};
        }
        return *node->value<std::string>();
    }
    std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t lo, std::int64_t hi) {
        const auto* node = table.get(key);
        if (!node) return fallback;
        if (!node->is_integer() || *node->value<std::int64_t>() < lo || *node->value<std::int64_t>() > hi) {
            error(*node, fmt::format("'{}' must be a whole number from {} to {}", key, lo, hi));
            return fallback;
        }
        return *node->value<std::int64_t>();
    }
};

// A TOML basic string ("..."), the form the hand-written banks use.
std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) out += fmt::format("\\u{:04X}", static_cast<unsigned>(c));
                else out += c;
        }
    }
    return out + "\"";
}

}  // namespace

NativeBankResult parseNativeBank(std::string_view text, std::string_view sourceName) {
    NativeBankResult result;
    toml::table root;
    try {
        root = toml::parse(text, sourceName);
    } catch (const toml::parse_error& e) {
        result.diagnostics.push_back({static_cast<int>(e.source().begin.line), Severity::Error,
                                      fmt::format("the file is not valid TOML: {} (column {})", e.description(),
                                                  e.source().begin.column)});
        return result;
    }
    // [bank]
    const auto* header = root.get_as<toml::table>("bank");
    if (!header) {
        result.diagnostics.push_back({1, Severity::Error,
                                      "the [bank] table is missing: start the file with [bank] and its id, "
                                      "title_zh and scoring"});
    } else {
        const auto idNode = (*header)["id"].value<std::string>();
        const auto zh = (*header)["title_zh"].value<std::string>();
        const auto scoring = (*header)["scoring"].value<std::string>().value_or("all-or-nothing");
        result.headerValid = true;
        if (!idNode || idNode->empty()) {
            result.diagnostics.push_back({lineOf(*header), Severity::Error, "[bank] needs a non-empty id = \"...\""});
            result.headerValid = false;
        }
        if (!zh) {
            result.diagnostics.push_back({lineOf(*header), Severity::Error, "[bank] needs title_zh = \"...\""});
            result.headerValid = false;
        }
        if (scoring == "all-or-nothing") result.bank.scoring = exam::MultipleScoring::AllOrNothing;
        else if (scoring == "proportional") result.bank.scoring = exam::MultipleScoring::Proportional;
        else {
            result.diagnostics.push_back({lineOf(*header), Severity::Error,
                                          "[bank] scoring must be \"all-or-nothing\" or \"proportional\""});
            result.headerValid = false;
        }
        result.bank.id = idNode.value_or("");
        result.bank.title = {zh.value_or(""), (*header)["title_en"].value<std::string>().value_or("")};
    }
    // [[question]]
    const auto* questions = root.get_as<toml::array>("question");
    if (!questions) {
        if (root.contains("question"))
            result.diagnostics.push_back({lineOf(*root.get("question")), Severity::Error,
                                          "'question' must be written as [[question]] tables"});
        return result;
    }
    std::vector<std::string> seen;
    for (const auto& node : *questions) {
        const auto* table = node.as_table();
        if (!table) continue;
        QuestionReader r{*table, {}, result.diagnostics};
        r.id = r.text("id", true);
        exam::Question q;
        q.id = r.id;
        q.version = static_cast<int>(r.integer("version", 1, 1, 1'000'000));
        q.module = r.text("module", true);
        // Whether the course has the module is the store's check on import (the file knows no syllabus).
        if (!q.module.empty() && !exam::isValidModuleCode(q.module))
            r.error(*table->get("module"),
                    fmt::format("module \"{}\" is not a module code; give the code of a module of the course "
                                "(lower-case letters, digits and '-', e.g. \"safety\"; 'kioskctl course show' lists them)",
                                q.module));
        q.difficulty = static_cast<int>(r.integer("difficulty", 1, 1, 3));
        q.conceptTag = r.text("concept", false);
        const bool conceptGiven = table->contains("concept") && table->get("concept")->is_string();
        if (conceptGiven && !exam::isValidConceptTag(q.conceptTag))
            r.error(*table->get("concept"),
                    fmt::format("concept \"{}\" must be 1 to 64 lower-case letters, digits and '-' (e.g. "
                                "\"gas-leak-first-step\"), not starting or ending with '-'",
                                q.conceptTag));
        const auto type = r.text("type", true);
        if (type == "single") q.type = exam::QuestionType::SingleChoice;
        else if (type == "multiple") q.type = exam::QuestionType::MultipleResponse;
        else if (type == "truefalse") q.type = exam::QuestionType::TrueFalse;
        else if (!type.empty())
            r.error(*table->get("type"), "type must be \"single\", \"multiple\" or \"truefalse\"");
        q.title = r.text("title", false);
        q.stem = {r.text("stem_zh", true), r.text("stem_en", false)};
        q.imagePath = r.text("image", false);
        if (!q.imagePath.empty() && !exam::isConfinedImagePath(q.imagePath))
            r.error(*table->get("image"),
                    fmt::format("the image path \"{}\" leaves the bank's folder; give a path relative to the folder of "
                                "this file, without '..' (e.g. \"images/{}.png\"), and put the picture there",
                                q.imagePath, q.id.empty() ? "picture" : q.id));
        q.explanation = {r.text("explanation_zh", false), r.text("explanation_en", false)};
        if (q.type == exam::QuestionType::TrueFalse) {
            const auto* answer = table->get("answer");
            if (!answer || !answer->is_boolean()) r.error(answer ? *answer : *table, "a truefalse question needs answer = true or false");
            else q.options = exam::trueFalseOptions(*answer->value<bool>());
            if (table->contains("option"))
                r.error(*table->get("option"), "a truefalse question has no [[question.option]] entries (use answer)");
        } else {
            const auto* options = table->get_as<toml::array>("option");
            if (!options) {
                r.error(*table, "this question has no [[question.option]] entries");
            } else {
                int correct = 0, wrong = 0;
                for (const auto& on : *options)
                    if (const auto* o = on.as_table(); o) ++((*o)["correct"].value<bool>().value_or(false) ? correct : wrong);
                // In a proportional bank a wrong option without a weight counts against the candidate, so that
                // ticking every option of a multiple-response question does not score full marks.
                const bool penalise = q.type == exam::QuestionType::MultipleResponse &&
                                      result.bank.scoring == exam::MultipleScoring::Proportional;
                for (const auto& on : *options) {
                    const auto* o = on.as_table();
                    if (!o) continue;
                    exam::Option opt;
                    const auto zh = (*o)["text_zh"].value<std::string>();
                    if (!zh) r.error(on, "an option needs text_zh = \"...\"");
                    opt.text = {zh.value_or(""), (*o)["text_en"].value<std::string>().value_or("")};
                    opt.feedback = {(*o)["feedback_zh"].value<std::string>().value_or(""),
                                    (*o)["feedback_en"].value<std::string>().value_or("")};
                    const bool isCorrect = (*o)["correct"].value<bool>().value_or(false);
                    if (const auto* w = o->get("weight")) {
                        if (!w->is_number()) r.error(*w, "weight must be a number from -100 to 100");
                        else opt.weight = *w->value<double>();
                        if ((opt.weight > 0) != isCorrect)
                            r.error(*w, "a positive weight belongs to a correct option, zero or negative to a wrong one");
                    } else if (isCorrect) {
                        opt.weight = correct > 0 ? 100.0 / correct : 100.0;
                    } else if (penalise) {
                        opt.weight = exam::defaultWrongWeight(wrong);
                    }
                    q.options.push_back(std::move(opt));
                }
            }
        }
        if (std::ranges::find(seen, q.id) != seen.end() && !q.id.empty())
            r.error(*table, fmt::format("the id {} is used twice in this file", q.id));
        if (r.ok) {
            for (const auto& problem : exam::validateQuestion(q)) r.error(*table, problem);
        }
        if (!r.ok) {
            ++result.failed;
            continue;
        }
        seen.push_back(q.id);
        result.bank.questions.push_back(std::move(q));
    }
    std::ranges::stable_sort(result.diagnostics, {}, &Diagnostic::line);
    return result;
}

std::string writeNativeBank(const exam::Bank& bank) {
    std::string out;
    out += "# Question bank in the native format (see assets/question-banks/README.md).\n\n[bank]\n";
    out += fmt::format("id = {}\ntitle_zh = {}\ntitle_en = {}\nversion = 1\nscoring = {}\n", quoted(bank.id),
                       quoted(bank.title.zh), quoted(bank.title.en),
                       quoted(exam::multipleScoringName(bank.scoring)));
    for (const auto& q : bank.questions) {
        out += fmt::format("\n[[question]]\nid = {}\nversion = {}\nmodule = {}\ntype = {}\ndifficulty = {}\n",
                           quoted(q.id), q.version, quoted(q.module), quoted(exam::questionTypeName(q.type)),
                           q.difficulty);
        if (!q.conceptTag.empty()) out += fmt::format("concept = {}\n", quoted(q.conceptTag));
        if (!q.title.empty()) out += fmt::format("title = {}\n", quoted(q.title));
        out += fmt::format("stem_zh = {}\n", quoted(q.stem.zh));
        if (!q.stem.en.empty()) out += fmt::format("stem_en = {}\n", quoted(q.stem.en));
        if (!q.imagePath.empty()) out += fmt::format("image = {}\n", quoted(q.imagePath));
        if (!q.explanation.zh.empty()) out += fmt::format("explanation_zh = {}\n", quoted(q.explanation.zh));
        if (!q.explanation.en.empty()) out += fmt::format("explanation_en = {}\n", quoted(q.explanation.en));
        if (q.type == exam::QuestionType::TrueFalse) {
            out += fmt::format("answer = {}\n", q.isCorrect(0) ? "true" : "false");
            continue;
        }
        int correct = 0;
        for (const auto& o : q.options) correct += o.weight > 0 ? 1 : 0;
        const int wrong = static_cast<int>(q.options.size()) - correct;
        const bool penalise = q.type == exam::QuestionType::MultipleResponse &&
                              bank.scoring == exam::MultipleScoring::Proportional;
        for (const auto& o : q.options) {
            out += fmt::format("\n[[question.option]]\ntext_zh = {}\n", quoted(o.text.zh));
            if (!o.text.en.empty()) out += fmt::format("text_en = {}\n", quoted(o.text.en));
            out += fmt::format("correct = {}\n", o.weight > 0 ? "true" : "false");
            const double implied = o.weight > 0 ? 100.0 / correct : penalise ? exam::defaultWrongWeight(wrong) : 0.0;
            if (std::abs(o.weight - implied) > 1e-9) out += fmt::format("weight = {}\n", o.weight);
            if (!o.feedback.zh.empty()) out += fmt::format("feedback_zh = {}\n", quoted(o.feedback.zh));
            if (!o.feedback.en.empty()) out += fmt::format("feedback_en = {}\n", quoted(o.feedback.en));
        }
    }
    return out;
}

}  // namespace training
