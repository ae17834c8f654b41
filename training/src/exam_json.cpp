// JSON forms of questions and blueprints, as stored in the database.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "training/exam_store.hpp"

namespace training {

using nlohmann::json;

namespace {
json text(const exam::LocalizedText& t) { return json{{"zh", t.zh}, {"en", t.en}}; }
exam::LocalizedText text(const json& j) {
    return {j.value("zh", std::string()), j.value("en", std::string())};
}
}  // namespace

std::string questionToJson(const exam::Question& q) {
    json options = json::array();
    for (const auto& o : q.options)
        options.push_back({{"text", text(o.text)}, {"weight", o.weight}, {"feedback", text(o.feedback)}});
    auto j = json{{"id", q.id},
                {"version", q.version},
                {"module", q.module},
                {"difficulty", q.difficulty},
                {"type", exam::questionTypeName(q.type)},
                {"title", q.title},
                {"stem", text(q.stem)},
                {"options", options},
                {"image", q.imagePath},
                {"explanation", text(q.explanation)}};
    if (!q.conceptTag.empty()) j["concept"] = q.conceptTag;  // absent before schema version 5
    return j.dump();
}

Result<exam::Question> questionFromJson(std::string_view textIn) {
    auto j = json::parse(textIn, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return fail(ErrorCode::Corrupt, "a stored question is not valid JSON; run 'kioskctl db check'");
    try {
        exam::Question q;
        q.id = j.at("id").get<std::string>();
        q.version = j.at("version").get<int>();
        q.module = j.at("module").get<std::string>();
        q.difficulty = j.at("difficulty").get<int>();
        const auto type = j.at("type").get<std::string>();
        q.type = type == "multiple"    ? exam::QuestionType::MultipleResponse
                 : type == "truefalse" ? exam::QuestionType::TrueFalse
                                       : exam::QuestionType::SingleChoice;
        q.title = j.value("title", std::string());
        q.stem = text(j.at("stem"));
        for (const auto& o : j.at("options"))
            q.options.push_back({text(o.at("text")), o.at("weight").get<double>(), text(o.value("feedback", json::object()))});
        q.imagePath = j.value("image", std::string());
        q.explanation = text(j.value("explanation", json::object()));
        q.conceptTag = j.value("concept", std::string());
        return q;
    } catch (const json::exception& e) {
        return fail(ErrorCode::Corrupt, fmt::format("a stored question is incomplete ({})", e.what()));
    }
}

exam::Blueprint courseBlueprint(const Course& course, int perModule, std::chrono::minutes duration) {
    exam::Blueprint b;
    for (const auto& m : course.modules)
        if (m.examined) b.sections.push_back({m.code, perModule, std::nullopt});
    b.duration = duration;
    b.passMark = course.passMark;
    return b;
}

SittingInput defaultSittingInput(const Course& course) {
    SittingInput in;
    in.courseId = course.id;
    in.bankCode = "badge-default";
    in.title = "上门服务证结业考试 Badge exam";
    in.blueprint = courseBlueprint(course, 3, std::chrono::minutes(30));
    in.review = exam::ReviewPolicy::CorrectAnswers;
    return in;
}

std::string blueprintToJson(const exam::Blueprint& b) {
    json sections = json::array();
    for (const auto& s : b.sections) {
        json js{{"module", s.module}, {"count", s.count}};
        if (s.levels) js["levels"] = {(*s.levels)[0], (*s.levels)[1], (*s.levels)[2]};
        sections.push_back(js);
    }
    return json{{"sections", sections},
                {"duration_minutes", b.duration.count() / 60.0},
                {"pass_mark", b.passMark},
                {"shuffle_options", b.shuffleOptions},
                {"shuffle_questions", b.shuffleQuestions}}
        .dump();
}

Result<exam::Blueprint> blueprintFromJson(std::string_view textIn) {
    auto j = json::parse(textIn, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return fail(ErrorCode::InvalidInput, "the blueprint is not a JSON object");
    try {
        exam::Blueprint b;
        for (const auto& s : j.at("sections")) {
            exam::BlueprintSection sec;
            sec.module = s.at("module").get<std::string>();
            sec.count = s.value("count", 0);
            if (s.contains("levels")) {
                const auto& l = s.at("levels");
                if (!l.is_array() || l.size() != 3)
                    return fail(ErrorCode::InvalidInput, "a blueprint section's levels are [easy, medium, hard]");
                sec.levels = std::array<int, 3>{l[0].get<int>(), l[1].get<int>(), l[2].get<int>()};
            }
            b.sections.push_back(sec);
        }
        b.duration = std::chrono::seconds(static_cast<std::int64_t>(j.value("duration_minutes", 60.0) * 60));
        b.passMark = j.value("pass_mark", 80.0);
        b.shuffleOptions = j.value("shuffle_options", true);
        b.shuffleQuestions = j.value("shuffle_questions", false);
        if (auto v = exam::validateBlueprint(b); !v) return fail(ErrorCode::InvalidInput, v.error().message);
        return b;
    } catch (const json::exception& e) {
        return fail(ErrorCode::InvalidInput,
                    fmt::format("the blueprint is incomplete ({}); it needs sections [{{module, count}}]", e.what()));
    }
}

}  // namespace training
