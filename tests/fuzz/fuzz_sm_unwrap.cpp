// libFuzzer target: secure-messaging unwrap of a card's response (ICAO 9303-11 9.8). The first byte picks the
// mode: raw (the bytes as the card's answer: data + SW) or MAC'd (the bytes are the DOs '87'/'99' a card would
// send, and a correct DO'8E' is appended so that decryption and unpadding are reached). Any answer must give a
// response or an error, never read outside its buffer.
#include <cstddef>
#include <cstdint>

#include "devices/id/apdu.hpp"
#include "devices/id/bac.hpp"
#include "devices/id/tlv.hpp"

namespace {

devices::id::SessionKeys keys() {
    devices::id::SessionKeys k;
    k.encKey = devices::id::Bytes(16, 0x11);
    k.macKey = devices::id::Bytes(16, 0x22);
    k.ssc = devices::id::Bytes{0, 0, 0, 0, 0, 0, 0, 7};
    return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const bool withMac = data[0] & 1;
    const devices::id::ByteView body(data + 1, size - 1);
    devices::id::SecureMessaging sm(keys());
    devices::id::Response r;
    if (!withMac) {
        auto parsed = devices::id::splitResponse(body);
        if (!parsed) return 0;
        r = *parsed;
    } else {
        // The card's MAC over SSC+1 || DOs, as the terminal checks it.
        auto ssc = keys().ssc;
        for (int i = 7; i >= 0; --i)
            if (++ssc[static_cast<std::size_t>(i)] != 0) break;
        devices::id::Bytes macInput = ssc;
        macInput.insert(macInput.end(), body.begin(), body.end());
        const auto mac = devices::id::retailMac(keys().macKey, devices::id::padIso9797(macInput));
        r.data.assign(body.begin(), body.end());
        const auto do8e = devices::id::encodeTlv(0x8E, mac);
        r.data.insert(r.data.end(), do8e.begin(), do8e.end());
        r.sw = 0x9000;
    }
    if (auto out = sm.unwrap(r); out && out->data.size() > r.data.size()) __builtin_trap();
    return 0;
}
