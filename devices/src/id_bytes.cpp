#include "devices/id/apdu.hpp"
#include "devices/id/bytes.hpp"

#include <cassert>

namespace devices::id {

std::string toHex(ByteView data) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string s;
    s.reserve(data.size() * 2);
    for (auto b : data) {
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    return s;
}

std::optional<Bytes> fromHex(std::string_view hex) {
    Bytes out;
    int hi = -1;
    for (char c : hex) {
        if (c == ' ' || c == ':' || c == '\n') continue;
        int v;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else return std::nullopt;
        if (hi < 0) hi = v;
        else {
            out.push_back(static_cast<std::uint8_t>(hi * 16 + v));
            hi = -1;
        }
    }
    if (hi >= 0) return std::nullopt;
    return out;
}

Bytes toBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

Bytes Apdu::encode(bool allowExtended) const {
    Bytes out{cla, ins, p1, p2};
    const bool extended = allowExtended && (data.size() > 255 || ne > 256);
    assert(data.size() <= 65535 && ne <= 65536);
    assert(extended || (data.size() <= 255));
    if (!extended) {
        if (!data.empty()) {
            out.push_back(static_cast<std::uint8_t>(data.size()));
            out.insert(out.end(), data.begin(), data.end());
        }
        if (ne > 0) out.push_back(static_cast<std::uint8_t>(ne >= 256 ? 0 : ne));
        return out;
    }
    out.push_back(0);
    if (!data.empty()) {
        out.push_back(static_cast<std::uint8_t>(data.size() >> 8));
        out.push_back(static_cast<std::uint8_t>(data.size() & 0xFF));
        out.insert(out.end(), data.begin(), data.end());
    }
    if (ne > 0) {
        const std::size_t le = ne >= 65536 ? 0 : ne;
        out.push_back(static_cast<std::uint8_t>(le >> 8));
        out.push_back(static_cast<std::uint8_t>(le & 0xFF));
    }
    return out;
}

Result<Response> splitResponse(ByteView raw) {
    if (raw.size() < 2)
        return fail(ErrorCode::Malformed, "the card answered with fewer than 2 bytes: remove and re-insert the card");
    Response r;
    r.data.assign(raw.begin(), raw.end() - 2);
    r.sw = static_cast<std::uint16_t>(raw[raw.size() - 2] << 8 | raw[raw.size() - 1]);
    return r;
}

}  // namespace devices::id
