#pragma once
// Builders shared by the exam tests.

#include <initializer_list>
#include <string>
#include <string_view>

#include "exam/question.hpp"

namespace examtest {

/// Joins lines with '\n' so that element k is line k + 1 (makes expected line numbers obvious).
inline std::string lines(std::initializer_list<std::string_view> ls) {
    std::string out;
    for (std::string_view l : ls) {
        out.append(l);
        out += '\n';
    }
    return out;
}

inline exam::Question single(std::string id, std::string module, int difficulty, int options = 4, int right = 0) {
    exam::Question q;
    q.id = std::move(id);
    q.module = std::move(module);
    q.difficulty = difficulty;
    q.type = exam::QuestionType::SingleChoice;
    q.stem = {"题目 " + q.id, "Question " + q.id};
    for (int i = 0; i < options; ++i)
        q.options.push_back(exam::Option{{"选项" + std::to_string(i), "Option " + std::to_string(i)}, i == right ? 100.0 : 0.0, {}});
    q.explanation = {"解释", "Explanation"};
    return q;
}

inline exam::Question multiple(std::string id, std::string module, std::initializer_list<double> weights) {
    exam::Question q;
    q.id = std::move(id);
    q.module = std::move(module);
    q.type = exam::QuestionType::MultipleResponse;
    q.stem = {"多选 " + q.id, ""};
    int i = 0;
    for (double w : weights) q.options.push_back(exam::Option{{"项" + std::to_string(i++), ""}, w, {}});
    return q;
}

inline exam::Question trueFalse(std::string id, std::string module, bool truth) {
    exam::Question q;
    q.id = std::move(id);
    q.module = std::move(module);
    q.type = exam::QuestionType::TrueFalse;
    q.stem = {"判断 " + q.id, ""};
    q.options = exam::trueFalseOptions(truth);
    return q;
}

}  // namespace examtest
