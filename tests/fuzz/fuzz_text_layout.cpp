// libFuzzer target: the kiosk's line breaker (kiosk/ui/text_layout) must never crash or hang on any bytes,
// keep every character but the spaces at breaks, stay inside the text and respect the width.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "ui/text_layout.hpp"

namespace {
float advance(unsigned cp) { return kiosk::ui::breaksAround(cp) ? 2.0f : cp < 0x20 ? 0.0f : 1.0f; }
std::string visible(std::string_view s) {
    std::string out;
    for (const auto& c : kiosk::ui::decodeUtf8Spans(s))
        if (c.value != ' ' && c.value != '\t' && c.value != '\n' && c.value != 0x3000) out.append(s.substr(c.offset, c.length));
    return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const float width = 1.0f + static_cast<float>(data[0] % 64);
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    const auto lines = kiosk::ui::breakLines(text, width, advance);
    std::string joined;
    for (auto line : lines) {
        fuzzcheck::require(line.data() >= text.data() && line.data() + line.size() <= text.data() + text.size(),
                           "a line points into the text");
        float w = 0;
        const auto cps = kiosk::ui::decodeUtf8Spans(line);
        for (const auto& c : cps) w += advance(c.value);
        fuzzcheck::require(w <= width || cps.size() == 1, "a line fits the width or holds one character");
        joined.append(visible(line));  // decoded line by line: joining raw lines could pair stray bytes
    }
    fuzzcheck::require(joined == visible(text), "only spaces and newlines at breaks are dropped");
    return 0;
}
