// libFuzzer target: the China ID card's 256-byte text record (UCS-2). Any bytes give a record or an error; a
// decoded record re-encodes and decodes to the same fields.
#include <cstddef>
#include <cstdint>

#include "devices/id/cn_id.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto r = devices::id::decodeCnIdRecord(devices::id::ByteView(data, size));
    (void)devices::id::cnIdNumberValid(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!r) return 0;
    auto enc = devices::id::encodeCnIdRecord(*r);
    if (!enc) return 0;
    auto again = devices::id::decodeCnIdRecord(*enc);
    if (!again || again->name != r->name || again->idNumber != r->idNumber || again->birthDate != r->birthDate)
        __builtin_trap();
    return 0;
}
