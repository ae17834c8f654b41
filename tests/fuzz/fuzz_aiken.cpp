// libFuzzer target: the Aiken importer must never crash, hang or produce invalid questions.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exam/aiken.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    exam::ImportOptions options;
    options.defaultModule = "legal";
    fuzzcheck::checkResult(text, exam::importAiken(text, options));
    return 0;
}
