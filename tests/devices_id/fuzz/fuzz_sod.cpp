// libFuzzer target: EF.SOD parsing (tag 77, CMS SignedData, LDS security object) and passive authentication.
#include <cstddef>
#include <cstdint>
#include <map>

#include "devices/id/passive_auth.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const devices::id::ByteView in(data, size);
    (void)devices::id::parseSod(in);
    (void)devices::id::parseLdsSecurityObject(in);
    const std::map<int, devices::id::Bytes> groups{{1, devices::id::Bytes{0x61, 0x00}}};
    auto r = devices::id::passiveAuthenticate(in, groups, std::nullopt);
    if (size == 0 && r.verdict != devices::id::PaVerdict::NotPresent) __builtin_trap();
    return 0;
}
