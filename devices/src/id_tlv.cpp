#include <cstdio>

#include "devices/id/tlv.hpp"

namespace devices::id {

namespace {

Result<std::uint32_t> readTag(ByteView data, std::size_t& offset) {
    if (offset >= data.size()) return fail(ErrorCode::Malformed, "TLV: data ends where a tag was expected");
    std::uint32_t tag = data[offset++];
    if ((tag & 0x1F) == 0x1F) {
        for (int i = 0;; ++i) {
            if (i >= 2) return fail(ErrorCode::Malformed, "TLV: tag longer than 3 bytes");
            if (offset >= data.size()) return fail(ErrorCode::Malformed, "TLV: data ends inside a tag");
            const std::uint8_t b = data[offset++];
            tag = tag << 8 | b;
            if ((b & 0x80) == 0) break;
        }
    }
    return tag;
}

Result<std::size_t> readLength(ByteView data, std::size_t& offset) {
    if (offset >= data.size()) return fail(ErrorCode::Malformed, "TLV: data ends where a length was expected");
    const std::uint8_t first = data[offset++];
    if (first < 0x80) return std::size_t{first};
    if (first == 0x80) return fail(ErrorCode::Malformed, "TLV: indefinite length is not allowed");
    const int n = first & 0x7F;
    if (n > 4) return fail(ErrorCode::Malformed, "TLV: length field of more than 4 bytes");
    if (offset + static_cast<std::size_t>(n) > data.size())
        return fail(ErrorCode::Malformed, "TLV: data ends inside a length field");
    std::size_t len = 0;
    for (int i = 0; i < n; ++i) len = len << 8 | data[offset++];
    return len;
}

}  // namespace

Result<Tlv> readTlv(ByteView data, std::size_t& offset) {
    const std::size_t start = offset;
    auto tag = readTag(data, offset);
    if (!tag) return std::unexpected(tag.error());
    auto len = readLength(data, offset);
    if (!len) return std::unexpected(len.error());
    if (*len > data.size() - offset)
    {
        char buf[128];
        std::snprintf(buf, sizeof buf, "TLV: tag %X announces %zu bytes but only %zu follow (truncated)", *tag, *len,
                      data.size() - offset);
        return fail(ErrorCode::Malformed, buf);
    }
    Tlv t;
    t.tag = *tag;
    std::uint32_t first = *tag;
    while (first > 0xFF) first >>= 8;
    t.constructed = (first & 0x20) != 0;
    t.value = data.subspan(offset, *len);
    t.raw = data.subspan(start, offset - start + *len);
    offset += *len;
    return t;
}

Result<Tlv> parseSingleTlv(ByteView data) {
    std::size_t off = 0;
    auto t = readTlv(data, off);
    if (!t) return t;
    for (std::size_t i = off; i < data.size(); ++i)
        if (data[i] != 0x00 && data[i] != 0xFF)
            return fail(ErrorCode::Malformed, "TLV: unexpected bytes after the element");
    return t;
}

Result<std::vector<Tlv>> parseTlvList(ByteView data) {
    std::vector<Tlv> out;
    std::size_t off = 0;
    while (off < data.size()) {
        auto t = readTlv(data, off);
        if (!t) return std::unexpected(t.error());
        out.push_back(*t);
    }
    return out;
}

Result<Tlv> findChild(const Tlv& parent, std::uint32_t tag) {
    auto list = parseTlvList(parent.value);
    if (!list) return std::unexpected(list.error());
    for (const auto& t : *list)
        if (t.tag == tag) return t;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%X", tag);
    return fail(ErrorCode::Malformed, std::string("TLV: element ") + buf + " is missing");
}

Result<std::size_t> tlvTotalLength(ByteView header) {
    std::size_t off = 0;
    auto tag = readTag(header, off);
    if (!tag) return std::unexpected(tag.error());
    auto len = readLength(header, off);
    if (!len) return std::unexpected(len.error());
    return off + *len;
}

Bytes encodeLength(std::size_t length) {
    if (length < 0x80) return {static_cast<std::uint8_t>(length)};
    Bytes b;
    for (std::size_t l = length; l > 0; l >>= 8) b.insert(b.begin(), static_cast<std::uint8_t>(l & 0xFF));
    b.insert(b.begin(), static_cast<std::uint8_t>(0x80 | b.size()));
    return b;
}

Bytes encodeTlv(std::uint32_t tag, ByteView value) {
    Bytes out;
    if (tag > 0xFFFF) out.push_back(static_cast<std::uint8_t>(tag >> 16));
    if (tag > 0xFF) out.push_back(static_cast<std::uint8_t>(tag >> 8));
    out.push_back(static_cast<std::uint8_t>(tag));
    const auto l = encodeLength(value.size());
    out.insert(out.end(), l.begin(), l.end());
    out.insert(out.end(), value.begin(), value.end());
    return out;
}

}  // namespace devices::id
