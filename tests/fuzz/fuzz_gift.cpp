// libFuzzer target: the GIFT importer must never crash, hang or produce invalid questions.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exam/gift.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    exam::ImportOptions withDefault;
    withDefault.defaultModule = "safety";
    withDefault.modules = {{"safety", "安全知识", "Safety knowledge"}, {"ethics", "职业道德", "Professional ethics"}};
    fuzzcheck::checkResult(text, exam::importGift(text, withDefault));
    fuzzcheck::checkResult(text, exam::importGift(text, exam::ImportOptions{}));
    return 0;
}
