#include "exam/gift.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>
#include <utility>

#include "text_util.hpp"

namespace exam {
namespace {

using detail::trim;
constexpr std::size_t npos = std::string_view::npos;

/// Position of `needle` at or after `from`, skipping backslash escapes; npos when absent.
std::size_t findUnescaped(std::string_view s, std::size_t from, std::string_view needle) {
    for (std::size_t i = from; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;
            continue;
        }
        if (s.compare(i, needle.size(), needle) == 0) return i;
    }
    return npos;
}

/// Position of the next unescaped '=' or '~' at or after `from`; npos when absent.
std::size_t findAnswerStart(std::string_view s, std::size_t from) {
    for (std::size_t i = from; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;
            continue;
        }
        if (s[i] == '=' || s[i] == '~') return i;
    }
    return npos;
}

std::string unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            const char c = s[i + 1];
            if (c == '~' || c == '=' || c == '#' || c == '{' || c == '}' || c == ':' || c == '\\') {
                out += c;
                ++i;
                continue;
            }
            if (c == 'n') {
                out += '\n';
                ++i;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

LocalizedText localized(std::string_view raw) { return detail::splitBilingual(unescape(trim(raw))); }

/// A question's text: the lines joined with '\n' and where each line starts.
struct Block {
    std::string text;
    std::vector<std::pair<std::size_t, int>> starts;  // (offset in text, 1-based line)

    [[nodiscard]] bool empty() const { return starts.empty(); }
    [[nodiscard]] int firstLine() const { return starts.empty() ? 0 : starts.front().second; }
    [[nodiscard]] int lineAt(std::size_t offset) const {
        auto it = std::upper_bound(starts.begin(), starts.end(), offset,
                                   [](std::size_t off, const auto& e) { return off < e.first; });
        if (it == starts.begin()) return firstLine();
        return std::prev(it)->second;
    }
    void add(std::string_view line, int number) {
        if (!text.empty()) text += '\n';
        starts.emplace_back(text.size(), number);
        text.append(line);
    }
};

struct RawAnswer {
    char marker{'~'};
    bool hasWeight{false};
    double weight{0.0};
    std::string_view text;
    std::string_view feedback;
    bool hasFeedback{false};
    int line{0};
};

class GiftParser {
public:
    explicit GiftParser(const ImportOptions& options) : m_options(options) {}

    ImportResult run(std::string_view text) {
        if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
        Block block;
        int number = 0;
        std::size_t pos = 0;
        while (pos <= text.size()) {
            std::size_t end = text.find('\n', pos);
            if (end == npos) end = text.size();
            std::string_view line = text.substr(pos, end - pos);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            ++number;
            pos = end + 1;
            const std::string_view t = trim(line);
            if (t.starts_with("//")) {
                // comment line: ignored, does not end a question
            } else if (t.empty()) {
                flush(block);
            } else if (detail::istartsWith(t, "$CATEGORY:")) {
                flush(block);
                category(t.substr(10), number);
            } else {
                block.add(line, number);
            }
            if (end == text.size()) break;
        }
        flush(block);
        std::ranges::stable_sort(m_result.diagnostics, {}, &Diagnostic::line);
        return std::move(m_result);
    }

private:
    void diag(int line, Severity severity, std::string message) {
        m_result.diagnostics.push_back(Diagnostic{line, severity, std::move(message)});
    }
    void skip(int line, const std::string& who, std::string_view why) {
        diag(line, Severity::Warning, who + ": " + std::string(why) + "; skipped (the badge exam supports single choice, multiple response and true/false)");
        ++m_result.skipped;
    }
    void error(int line, const std::string& who, std::string_view what) {
        diag(line, Severity::Error, who + ": " + std::string(what));
        ++m_result.failed;
    }

    void category(std::string_view path, int line) {
        path = trim(path);
        std::string found;
        std::size_t start = 0;
        while (start <= path.size()) {
            std::size_t slash = path.find('/', start);
            if (slash == npos) slash = path.size();
            std::string code = detail::moduleFromName(path.substr(start, slash - start), m_options.modules);
            if (!code.empty()) found = code;  // the deepest matching segment wins
            start = slash + 1;
        }
        m_categoryModule = found;
        if (found.empty()) {
            std::string msg = "$CATEGORY '" + std::string(path) +
                              "' names no module (use a path segment such as safety or 安全知识); ";
            msg += m_options.defaultModule.empty()
                       ? "the questions below are rejected unless a default module is given"
                       : "the questions below get the default module '" + m_options.defaultModule + "'";
            diag(line, Severity::Warning, std::move(msg));
        }
    }

    void flush(Block& block) {
        if (!block.empty()) question(block);
        block = Block{};
    }

    void question(const Block& block) {
        ++m_sequence;
        const std::string_view t = block.text;
        const int line = block.firstLine();
        std::string who = "question at line " + std::to_string(line);
        std::size_t pos = 0;
        while (pos < t.size() && detail::isSpace(t[pos])) ++pos;

        std::string title;
        if (t.substr(pos).starts_with("::")) {
            const std::size_t end = findUnescaped(t, pos + 2, "::");
            if (end == npos) {
                error(line, who, "the title has no closing '::'; write ::title:: before the question text");
                return;
            }
            title = unescape(trim(t.substr(pos + 2, end - pos - 2)));
            pos = end + 2;
            if (!title.empty()) who = "question '" + title + "'";
        }
        while (pos < t.size() && detail::isSpace(t[pos])) ++pos;
        for (std::string_view marker : {"[html]", "[moodle]", "[plain]", "[markdown]"}) {
            if (detail::istartsWith(t.substr(pos), marker)) {
                pos += marker.size();
                break;
            }
        }

        const std::size_t open = findUnescaped(t, pos, "{");
        if (open == npos) {
            skip(line, who, "has no answer block { } (a description, not a question)");
            return;
        }
        const std::size_t close = findUnescaped(t, open + 1, "}");
        if (close == npos) {
            error(block.lineAt(open), who, "the answer block '{' is never closed; add '}' (escape a literal brace as \\{)");
            return;
        }
        const std::string_view stemRaw = t.substr(pos, open - pos);
        std::string_view answers = t.substr(open + 1, close - open - 1);
        const std::string_view after = t.substr(close + 1);
        if (!trim(after).empty()) {
            skip(line, who, "is a missing-word question (text after the answer block)");
            return;
        }

        std::string_view general;
        bool hasGeneral = false;
        if (const std::size_t g = findUnescaped(answers, 0, "####"); g != npos) {
            general = answers.substr(g + 4);
            answers = answers.substr(0, g);
            hasGeneral = true;
        }
        const std::string_view a = trim(answers);
        if (a.empty()) {
            skip(line, who, "is an essay question (empty answer block)");
            return;
        }
        if (a.front() == '#') {
            skip(line, who, "is a numerical question");
            return;
        }
        if (findUnescaped(a, 0, "->") != npos) {
            skip(line, who, "is a matching question");
            return;
        }

        Question q;
        q.title = title;
        q.id = title.empty() ? m_options.idPrefix + std::to_string(m_sequence) : title;
        q.stem = localized(stemRaw);
        q.difficulty = m_options.defaultDifficulty;

        const std::size_t answerBase = static_cast<std::size_t>(answers.data() - t.data());
        const std::size_t firstHash = findUnescaped(a, 0, "#");
        const std::string_view keyword = trim(a.substr(0, firstHash));
        if (detail::iequals(keyword, "T") || detail::iequals(keyword, "TRUE") || detail::iequals(keyword, "F") ||
            detail::iequals(keyword, "FALSE")) {
            const bool truth = detail::iequals(keyword, "T") || detail::iequals(keyword, "TRUE");
            q.type = QuestionType::TrueFalse;
            q.options = trueFalseOptions(truth);
            if (firstHash != npos) {
                const std::string_view rest = a.substr(firstHash + 1);
                const std::size_t second = findUnescaped(rest, 0, "#");
                const LocalizedText wrongFb = localized(rest.substr(0, second));
                const LocalizedText rightFb = second == npos ? LocalizedText{} : localized(rest.substr(second + 1));
                q.options[truth ? 1 : 0].feedback = wrongFb;
                q.options[truth ? 0 : 1].feedback = rightFb;
            }
        } else {
            std::vector<RawAnswer> raw;
            std::size_t i = 0;
            while (i < answers.size() && detail::isSpace(answers[i])) ++i;
            if (i < answers.size() && answers[i] != '=' && answers[i] != '~') {
                error(block.lineAt(answerBase + i), who,
                      "text before the first answer; start every answer with = (right) or ~ (wrong), and escape a "
                      "literal one as \\= or \\~");
                return;
            }
            while (i < answers.size()) {
                RawAnswer r;
                r.marker = answers[i];
                r.line = block.lineAt(answerBase + i);
                const std::size_t next = findAnswerStart(answers, i + 1);
                std::string_view seg = answers.substr(i + 1, (next == npos ? answers.size() : next) - i - 1);
                i = next == npos ? answers.size() : next;
                std::string_view s = trim(seg);
                if (s.starts_with('%')) {
                    const std::size_t endPct = s.find('%', 1);
                    const std::string num(endPct == npos ? std::string_view{} : s.substr(1, endPct - 1));
                    char* endp = nullptr;
                    errno = 0;
                    const double w = num.empty() ? 0.0 : std::strtod(num.c_str(), &endp);
                    if (endPct == npos || num.empty() || endp != num.c_str() + num.size() || errno != 0 ||
                        !std::isfinite(w)) {
                        error(r.line, who,
                              "the weight '" + std::string(s.substr(0, std::min<std::size_t>(s.size(), 12))) +
                                  "' is not a number between two % signs; write it as %50% or %-25%");
                        return;
                    }
                    r.hasWeight = true;
                    r.weight = w;
                    s = s.substr(endPct + 1);
                }
                const std::size_t fb = findUnescaped(s, 0, "#");
                r.text = s.substr(0, fb);
                if (fb != npos) {
                    r.feedback = s.substr(fb + 1);
                    r.hasFeedback = true;
                }
                raw.push_back(r);
            }
            const bool anyTilde = std::ranges::any_of(raw, [](const RawAnswer& r) { return r.marker == '~'; });
            const bool anyEq = std::ranges::any_of(raw, [](const RawAnswer& r) { return r.marker == '='; });
            if (!anyTilde) {
                skip(line, who, "is a short-answer question (only = answers)");
                return;
            }
            q.type = anyEq ? QuestionType::SingleChoice : QuestionType::MultipleResponse;
            const int wrong = static_cast<int>(
                std::ranges::count_if(raw, [](const RawAnswer& r) { return r.marker == '~' && !(r.hasWeight && r.weight > 0); }));
            const bool penalise = !anyEq && m_options.scoring == MultipleScoring::Proportional;
            for (const RawAnswer& r : raw) {
                Option o;
                o.text = localized(r.text);
                o.weight = r.hasWeight ? r.weight : (r.marker == '=' ? 100.0 : penalise ? defaultWrongWeight(wrong) : 0.0);
                if (r.hasFeedback) o.feedback = localized(r.feedback);
                q.options.push_back(std::move(o));
            }
            if (!anyEq && std::ranges::none_of(q.options, [](const Option& o) { return o.weight > 0; })) {
                error(line, who,
                      "no right answer; mark it with = (single choice) or give the right answers positive weights "
                      "such as ~%50% (multiple response)");
                return;
            }
        }

        if (hasGeneral) {
            q.explanation = localized(general);
        } else {
            for (std::size_t k = 0; k < q.options.size(); ++k) {
                if (!q.isCorrect(k) || q.options[k].feedback.zh.empty()) continue;
                const LocalizedText& fb = q.options[k].feedback;
                if (!q.explanation.zh.empty()) q.explanation.zh += '\n';
                q.explanation.zh += fb.zh;
                if (!fb.en.empty()) {
                    if (!q.explanation.en.empty()) q.explanation.en += '\n';
                    q.explanation.en += fb.en;
                }
            }
        }

        q.module = m_categoryModule.empty() ? m_options.defaultModule : m_categoryModule;
        if (q.module.empty()) {
            error(line, who,
                  "no module; put a $CATEGORY: line naming a module (e.g. $CATEGORY: badge/safety) above it, or "
                  "import with a default module");
            return;
        }
        if (!m_ids.insert(q.id).second) {
            error(line, who, "the id '" + q.id + "' is used by an earlier question; give each question its own ::title::");
            return;
        }
        const std::vector<std::string> problems = validateQuestion(q);
        if (!problems.empty()) {
            for (const std::string& p : problems) diag(line, Severity::Error, p);
            ++m_result.failed;
            return;
        }
        m_result.questions.push_back(std::move(q));
    }

    const ImportOptions& m_options;
    ImportResult m_result;
    std::string m_categoryModule;
    std::set<std::string> m_ids;
    int m_sequence{0};
};

}  // namespace

ImportResult importGift(std::string_view text, const ImportOptions& options) {
    GiftParser parser(options);
    return parser.run(text);
}

}  // namespace exam
