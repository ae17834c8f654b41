#include "exam/aiken.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "text_util.hpp"

namespace exam {
namespace {

using detail::trim;

struct Pending {
    bool active{false};
    bool failed{false};
    int stemLine{0};
    std::string stem;
    std::vector<std::string> options;
};

/// "A) text" / "A. text" / "A)" -> letter; 0 when the line is not an option.
char optionLetter(std::string_view t) {
    if (t.size() < 2 || t[0] < 'A' || t[0] > 'Z' || (t[1] != ')' && t[1] != '.')) return 0;
    if (t.size() > 2 && !detail::isSpace(t[2])) return 0;
    return t[0];
}

/// "ANSWER: X" (case-insensitive keyword, optional spaces before the colon) -> text after the colon.
bool answerLine(std::string_view t, std::string_view& rest) {
    if (!detail::istartsWith(t, "ANSWER")) return false;
    std::string_view r = t.substr(6);
    while (!r.empty() && (r.front() == ' ' || r.front() == '\t')) r.remove_prefix(1);
    if (r.empty() || r.front() != ':') return false;
    rest = trim(r.substr(1));
    return true;
}

class AikenParser {
public:
    explicit AikenParser(const ImportOptions& options) : m_options(options) {}

    ImportResult run(std::string_view text) {
        if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
        int number = 0;
        std::size_t pos = 0;
        while (pos <= text.size()) {
            std::size_t end = text.find('\n', pos);
            if (end == std::string_view::npos) end = text.size();
            ++number;
            line(trim(text.substr(pos, end - pos)), number);
            if (end == text.size()) break;
            pos = end + 1;
        }
        if (m_p.active) missingAnswer();
        std::ranges::stable_sort(m_result.diagnostics, {}, &Diagnostic::line);
        return std::move(m_result);
    }

private:
    std::string who() const { return "question at line " + std::to_string(m_p.stemLine); }

    void fail(int line, std::string message) {
        m_result.diagnostics.push_back(Diagnostic{line, Severity::Error, std::move(message)});
        if (!m_p.failed) ++m_result.failed;
        m_p.failed = true;
    }

    void missingAnswer() {
        if (!m_p.failed)
            fail(m_p.stemLine, who() + ": no ANSWER line; end the question with a line such as 'ANSWER: B'");
        m_p = Pending{};
    }

    void start(std::string_view stem, int number) {
        ++m_sequence;
        m_p = Pending{};
        m_p.active = true;
        m_p.stemLine = number;
        m_p.stem = std::string(stem);
    }

    void line(std::string_view t, int number) {
        if (t.empty()) {
            if (m_p.active && !m_p.options.empty()) missingAnswer();
            return;
        }
        std::string_view rest;
        if (answerLine(t, rest)) {
            answer(rest, number);
            return;
        }
        if (const char letter = optionLetter(t)) {
            if (!m_p.active) {
                start({}, number);
                fail(number, "line " + std::to_string(number) +
                                 ": an option without a question; put the question text on the line above the options");
            }
            const char expected = static_cast<char>('A' + m_p.options.size());
            if (letter != expected) {
                fail(number, who() + ": option " + std::string(1, letter) + " is out of order (expected " +
                                 std::string(1, expected) + "); letter the options A, B, C, ...");
            }
            const std::string_view body = trim(t.substr(2));
            if (body.empty()) fail(number, who() + ": option " + std::string(1, letter) + " is empty; write its text");
            m_p.options.emplace_back(body);
            return;
        }
        if (m_p.active && m_p.options.empty()) {
            m_p.stem += '\n';
            m_p.stem.append(t);
            return;
        }
        if (m_p.active) missingAnswer();
        start(t, number);
    }

    void answer(std::string_view letters, int number) {
        if (!m_p.active) {
            m_result.diagnostics.push_back(Diagnostic{
                number, Severity::Error,
                "line " + std::to_string(number) + ": an ANSWER line without a question; remove it or add the question above"});
            ++m_result.failed;
            return;
        }
        if (m_p.failed) {
            m_p = Pending{};
            return;
        }
        if (m_p.options.size() < 2) {
            fail(m_p.stemLine, who() + ": " + std::to_string(m_p.options.size()) +
                                   " option(s); give at least two, as 'A) ...' and 'B) ...'");
            m_p = Pending{};
            return;
        }
        std::set<std::size_t> right;
        std::string token;
        auto take = [&]() -> bool {
            if (token.empty()) return true;
            const char c = token.size() == 1 ? token[0] : 0;
            const std::size_t idx = (c >= 'A' && c <= 'Z') ? static_cast<std::size_t>(c - 'A') : m_p.options.size();
            if (idx >= m_p.options.size()) {
                fail(number, who() + ": the answer '" + token + "' is not one of the options A-" +
                                 std::string(1, static_cast<char>('A' + m_p.options.size() - 1)) +
                                 "; give the letter of the right option");
                return false;
            }
            right.insert(idx);
            token.clear();
            return true;
        };
        for (char c : letters) {
            if (c == ',' || detail::isSpace(c)) {
                if (!take()) break;
            } else {
                token += c;
            }
        }
        if (!m_p.failed) take();
        if (!m_p.failed && right.empty())
            fail(number, who() + ": the ANSWER line names no option; write e.g. 'ANSWER: B'");
        if (m_p.failed) {
            m_p = Pending{};
            return;
        }

        Question q;
        q.id = m_options.idPrefix + std::to_string(m_sequence);
        q.module = m_options.defaultModule;
        q.difficulty = m_options.defaultDifficulty;
        q.type = right.size() > 1 ? QuestionType::MultipleResponse : QuestionType::SingleChoice;
        q.stem = detail::splitBilingual(m_p.stem);
        const double w = 100.0 / static_cast<double>(right.size());
        for (std::size_t i = 0; i < m_p.options.size(); ++i)
            q.options.push_back(Option{detail::splitBilingual(m_p.options[i]), right.contains(i) ? w : 0.0, {}});
        const int line = m_p.stemLine;
        m_p = Pending{};
        if (q.module.empty()) {
            m_result.diagnostics.push_back(Diagnostic{
                line, Severity::Error, "question at line " + std::to_string(line) +
                                           ": no module; Aiken files carry none, so import with a default module"});
            ++m_result.failed;
            return;
        }
        const std::vector<std::string> problems = validateQuestion(q);
        if (!problems.empty()) {
            for (const std::string& p : problems) m_result.diagnostics.push_back(Diagnostic{line, Severity::Error, p});
            ++m_result.failed;
            return;
        }
        m_result.questions.push_back(std::move(q));
    }

    const ImportOptions& m_options;
    ImportResult m_result;
    Pending m_p;
    int m_sequence{0};
};

}  // namespace

ImportResult importAiken(std::string_view text, const ImportOptions& options) {
    AikenParser parser(options);
    return parser.run(text);
}

}  // namespace exam
