// libFuzzer target: BER-TLV parsing must stay inside the buffer; re-encoding a parsed element round-trips.
#include <cstddef>
#include <cstdint>

#include "devices/id/tlv.hpp"

namespace {
void walk(devices::id::ByteView data, int depth) {
    auto list = devices::id::parseTlvList(data);
    if (!list || depth > 8) return;
    for (const auto& t : *list) {
        if (t.value.data() < data.data() || t.value.data() + t.value.size() > data.data() + data.size())
            __builtin_trap();
        if (t.constructed) walk(t.value, depth + 1);
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const devices::id::ByteView in(data, size);
    walk(in, 0);
    if (auto t = devices::id::parseSingleTlv(in); t) {
        const auto enc = devices::id::encodeTlv(t->tag, t->value);
        auto again = devices::id::parseSingleTlv(enc);
        if (!again || again->tag != t->tag || again->value.size() != t->value.size()) __builtin_trap();
    }
    (void)devices::id::tlvTotalLength(in);
    return 0;
}
