#include <gtest/gtest.h>

#include "training/text.hpp"
#include "training/validation.hpp"

using namespace training;

TEST(Phone, MobileAndLandline) {
    EXPECT_EQ(*normalizePhone("13812345678"), "13812345678");
    EXPECT_EQ(*normalizePhone("+86 138 1234 5678"), "13812345678");
    EXPECT_EQ(*normalizePhone("021-62345678"), "021-62345678");
    EXPECT_EQ(*normalizePhone("02162345678"), "021-62345678");
    EXPECT_EQ(*normalizePhone("0571-8765432"), "0571-8765432");
    EXPECT_FALSE(normalizePhone("12812345678"));  // 12x is not a mobile prefix
    EXPECT_FALSE(normalizePhone("1381234567"));
    EXPECT_FALSE(normalizePhone("138-1234-5678-9"));
    EXPECT_FALSE(normalizePhone("phone"));
}

TEST(Names, TrimmedNonEmptyBounded) {
    EXPECT_EQ(*normalizeName("  王秀英 ", "name"), "王秀英");
    EXPECT_FALSE(normalizeName("   ", "name"));
    EXPECT_FALSE(normalizeName(std::string(65, 'a'), "name"));
    EXPECT_TRUE(normalizeName(std::string(64, 'a'), "name"));
    EXPECT_FALSE(normalizeName("a\x01", "name"));
    EXPECT_FALSE(normalizeName("\xff\xfe", "name"));
}

TEST(Dates, ParseAndFormat) {
    auto d = parseDate("2026-03-01", "date");
    ASSERT_TRUE(d);
    EXPECT_EQ(formatDate(*d), "2026-03-01");
    EXPECT_EQ(formatDate(*parseDate("20260301", "date")), "2026-03-01");
    EXPECT_FALSE(parseDate("2026-02-30", "date"));
    EXPECT_FALSE(parseDate("2026/03/01", "date"));
    auto bad = parseDate("tomorrow", "health check date");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("health check date"), std::string::npos);
}

TEST(Timestamps, ZonesAndLocalTime) {
    EXPECT_EQ(*parseTimestamp("2026-03-01T09:00:00Z", "t"), 1772355600);
    EXPECT_EQ(*parseTimestamp("2026-03-01T17:00:00+08:00", "t"), 1772355600);
    EXPECT_EQ(*parseTimestamp("2026-03-01T17:00+08:00", "t"), 1772355600);
    // CTest runs with TZ=Asia/Shanghai.
    if (std::string(std::getenv("TZ") ? std::getenv("TZ") : "") == "Asia/Shanghai") {
        EXPECT_EQ(*parseTimestamp("2026-03-01 17:00", "t"), 1772355600);
        EXPECT_EQ(formatLocalTime(1772355600), "2026-03-01 17:00");
    }
    EXPECT_EQ(formatUtc(1772355600), "2026-03-01T09:00:00Z");
    EXPECT_FALSE(parseTimestamp("2026-03-01 25:00", "t"));
    EXPECT_FALSE(parseTimestamp("2026-03-01", "t"));
    EXPECT_FALSE(parseTimestamp("2026-03-01T09:00:00+8", "t"));
}

TEST(Text, Utf8Helpers) {
    EXPECT_EQ(utf8Length("王秀英"), 3u);
    EXPECT_EQ(utf8CodePoints("a王").size(), 2u);
    EXPECT_TRUE(isValidUtf8("王秀英 abc"));
    EXPECT_FALSE(isValidUtf8("\xe7\x8e"));          // truncated
    EXPECT_FALSE(isValidUtf8("\xc0\xaf"));          // overlong
    EXPECT_FALSE(isValidUtf8("\xed\xa0\x80"));      // surrogate
    EXPECT_EQ(splitList(" a, b ,,c "), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
