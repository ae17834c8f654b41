// libFuzzer target: native TOML question banks. Any text gives a bank and line-numbered diagnostics; a bank that
// parsed is written back and parses to the same bank: every text, option, weight and feedback equal.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "training/bank_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto r = training::parseNativeBank(text, "fuzz.toml");
    for (const auto& d : r.diagnostics)
        if (d.message.empty()) __builtin_trap();
    if (!r.headerValid || r.failed != 0 || r.bank.questions.empty()) return 0;
    const auto written = training::writeNativeBank(r.bank);
    auto again = training::parseNativeBank(written, "again.toml");
    if (!again.headerValid || again.failed != 0) __builtin_trap();
    if (again.bank.id != r.bank.id || again.bank.title != r.bank.title || again.bank.scoring != r.bank.scoring)
        __builtin_trap();
    if (again.bank.questions != r.bank.questions) __builtin_trap();
    return 0;
}
