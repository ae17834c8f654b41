#pragma once
// Invariants every importer result must satisfy, whatever the input (shared by the fuzz targets).

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "exam/import.hpp"
#include "exam/question.hpp"

namespace fuzzcheck {

inline void require(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "invariant violated: %s\n", what);
        std::abort();
    }
}

inline void checkResult(std::string_view text, const exam::ImportResult& r) {
    int lineCount = 1;
    for (char c : text)
        if (c == '\n') ++lineCount;
    for (const exam::Diagnostic& d : r.diagnostics) {
        require(d.line >= 1 && d.line <= lineCount, "diagnostic line within the text");
        require(!d.message.empty(), "diagnostic has a message");
    }
    require(r.count(exam::Severity::Warning) >= r.skipped, "every skipped question has a warning");
    require(r.count(exam::Severity::Error) >= r.failed, "every failed question has an error");
    for (const exam::Question& q : r.questions) {
        require(exam::validateQuestion(q).empty(), "imported questions are valid");
        // exercise grading on every subset of the first options
        const int n = static_cast<int>(q.options.size() < 5 ? q.options.size() : 5);
        for (int mask = 0; mask < (1 << n); ++mask) {
            int chosen[5];
            int k = 0;
            for (int i = 0; i < n; ++i)
                if (mask & (1 << i)) chosen[k++] = i;
            for (auto s : {exam::MultipleScoring::AllOrNothing, exam::MultipleScoring::Proportional}) {
                const double credit = exam::scoreResponse(q, s, std::span<const int>(chosen, static_cast<std::size_t>(k)));
                require(credit >= 0.0 && credit <= 1.0, "credit within 0..1");
            }
        }
    }
}

}  // namespace fuzzcheck
