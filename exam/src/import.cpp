#include "exam/import.hpp"

namespace exam {

std::string_view severityName(Severity severity) noexcept {
    return severity == Severity::Warning ? "warning" : "error";
}

int ImportResult::count(Severity severity) const noexcept {
    int n = 0;
    for (const Diagnostic& d : diagnostics)
        if (d.severity == severity) ++n;
    return n;
}

}  // namespace exam
