// libFuzzer target: DG2 (CBEFF / ISO 19794-5) parsing; the image is not decoded (OpenCV is out of scope here).
#include <cstddef>
#include <cstdint>

#include "devices/id/lds.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const devices::id::ByteView in(data, size);
    if (auto face = devices::id::parseDg2(in); face && face->data.size() > size) __builtin_trap();
    (void)devices::id::parseEfCom(in);
    (void)devices::id::parseDg1Text(in);
    return 0;
}
