// libFuzzer target: MRZ parsing (strict and lenient) must never crash or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "devices/id/mrz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto strict = devices::id::parseMrz(text, true);
    auto lenient = devices::id::parseMrz(text, false);
    if (strict && !lenient) __builtin_trap();  // a strictly valid MRZ is always leniently valid
    if (lenient) (void)devices::id::bacKeyString(devices::id::mrzKeyOf(*lenient));
    (void)devices::id::parseMrzKey(text);
    return 0;
}
