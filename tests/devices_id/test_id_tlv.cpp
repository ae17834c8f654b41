// BER-TLV parsing: well-formed data, and malformed lengths / truncation rejected.
#include <gtest/gtest.h>

#include "devices/id/tlv.hpp"

using namespace devices::id;

namespace {
Bytes hex(const char* h) { return *fromHex(h); }
}  // namespace

TEST(Tlv, ParsesNestedAndMultiByteTags) {
    const Bytes b = hex("6114 5F1F 11 4142434445464748494A4B4C4D4E4F5051");
    // 0x61 len 0x14 (20) = 5F1F(2) + 11(1) + 17 value
    auto t = parseSingleTlv(b);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->tag, 0x61u);
    EXPECT_TRUE(t->constructed);
    auto c = findChild(*t, 0x5F1F);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->value.size(), 17u);
    EXPECT_EQ(c->value[0], 'A');
    EXPECT_FALSE(findChild(*t, 0x5F20));
}

TEST(Tlv, LongFormLengths) {
    Bytes value(300, 0xAB);
    const Bytes enc = encodeTlv(0x7F61, value);
    EXPECT_EQ(toHex(ByteView(enc).first(5)), "7F6182012C");
    auto t = parseSingleTlv(enc);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->tag, 0x7F61u);
    EXPECT_EQ(t->value.size(), 300u);
    auto total = tlvTotalLength(ByteView(enc).first(5));
    ASSERT_TRUE(total);
    EXPECT_EQ(*total, 305u);
    EXPECT_EQ(toHex(encodeLength(0x7F)), "7F");
    EXPECT_EQ(toHex(encodeLength(0x80)), "8180");
    EXPECT_EQ(toHex(encodeLength(0x10000)), "83010000");
}

TEST(Tlv, RejectsMalformed) {
    const char* bad[] = {
        "",                  // nothing
        "61",                // no length
        "6105010203",        // truncated value
        "6180010203",        // indefinite length
        "61850000000001",    // 5 length bytes
        "618201",            // truncated length field
        "5F",                // truncated tag
        "5FFFFF0100",        // tag longer than 3 bytes
        "6184FFFFFFFF00",    // absurd length
        "610100AA",          // trailing garbage
    };
    for (const char* h : bad) {
        auto t = parseSingleTlv(hex(h));
        EXPECT_FALSE(t) << h;
        if (!t) {
            EXPECT_EQ(t.error().code, devices::ErrorCode::Malformed) << h;
        }
    }
}

TEST(Tlv, ListStopsAtTruncatedChild) {
    auto list = parseTlvList(hex("8001AA 8105BBBB"));
    ASSERT_FALSE(list);
    EXPECT_NE(list.error().message.find("truncated"), std::string::npos);
}
