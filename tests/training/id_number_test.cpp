#include <gtest/gtest.h>

#include "training/id_number.hpp"

using namespace training;
using namespace std::chrono;

namespace {
const year_month_day kToday{year{2026}, month{11}, day{28}};

std::string make(std::string first17) {
    first17.push_back(chinaIdCheckCharacter(first17));
    return first17;
}
}  // namespace

TEST(ChinaId, AcceptsAValidNumberAndExtractsItsFields) {
    // 11010519491231002X is the GB 11643-1999 example number.
    auto info = parseChinaId("11010519491231002X", kToday);
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->number, "11010519491231002X");
    EXPECT_EQ(info->regionCode, "110105");
    EXPECT_EQ(info->provinceEn, "Beijing");
    EXPECT_EQ(info->birthDate, (year_month_day{year{1949}, month{12}, day{31}}));
    EXPECT_EQ(info->sex, Sex::Female);  // sequence 002: even
    EXPECT_FALSE(info->convertedFrom15);
}

TEST(ChinaId, CheckCharacterFollowsIso7064Mod11_2) {
    EXPECT_EQ(chinaIdCheckCharacter("11010519491231002"), 'X');
    EXPECT_EQ(chinaIdCheckCharacter("44052418800101001"), '4');
    EXPECT_EQ(chinaIdCheckCharacter("31010119780312002"), 'X');
    // Weighted sum of 11010119900307123: 1*7+1*9+0*10+1*5+0*8+1*4+1*2+9*1+9*6+0*3+0*7+3*9+0*10+7*5+1*8+2*4+3*2 = 174;
    // 174 mod 11 = 9 -> "10X98765432"[9] = '3'.
    EXPECT_EQ(chinaIdCheckCharacter("11010119900307123"), '3');
}

TEST(ChinaId, LowercaseXAndSpacesAreNormalised) {
    auto info = parseChinaId("  11010519491231002x ", kToday);
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->number, "11010519491231002X");
}

TEST(ChinaId, SexFromSequenceParity) {
    auto male = parseChinaId(make("31010119800101001"), kToday);
    ASSERT_TRUE(male);
    EXPECT_EQ(male->sex, Sex::Male);
    auto female = parseChinaId(make("31010119800101002"), kToday);
    ASSERT_TRUE(female);
    EXPECT_EQ(female->sex, Sex::Female);
}

TEST(ChinaId, WrongCheckCharacterIsRejectedWithTheExpectedOne) {
    auto r = parseChinaId("110105194912310021", kToday);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::InvalidInput);
    EXPECT_NE(r.error().message.find("check character"), std::string::npos);
    EXPECT_NE(r.error().message.find("X"), std::string::npos);
}

TEST(ChinaId, ImpossibleDateIsRejected) {
    auto r = parseChinaId(make("31010119900230001"), kToday);  // 30 February
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("not a real date"), std::string::npos);
    auto r2 = parseChinaId(make("31010119901301001"), kToday);  // month 13
    ASSERT_FALSE(r2);
    EXPECT_NE(r2.error().message.find("not a real date"), std::string::npos);
    auto leap = parseChinaId(make("31010120000229001"), kToday);  // 2000 was a leap year
    EXPECT_TRUE(leap) << leap.error().message;
    auto notLeap = parseChinaId(make("31010119000229001"), kToday);  // 1900 was not
    EXPECT_FALSE(notLeap);
}

TEST(ChinaId, FutureBirthDateIsRejected) {
    auto r = parseChinaId(make("31010120270101001"), kToday);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("future"), std::string::npos);
    auto today = parseChinaId(make("31010120261128001"), kToday);
    EXPECT_TRUE(today) << "born today is possible";
    auto tomorrow = parseChinaId(make("31010120261129001"), kToday);
    EXPECT_FALSE(tomorrow);
}

TEST(ChinaId, UnknownRegionIsRejected) {
    for (const char* prefix : {"00", "10", "19", "24", "30", "39", "47", "55", "66", "72", "80", "84", "99"}) {
        auto r = parseChinaId(make(std::string(prefix) + "010119800101001"), kToday);
        ASSERT_FALSE(r) << prefix;
        EXPECT_NE(r.error().message.find("region"), std::string::npos) << prefix;
    }
    for (const char* prefix : {"11", "31", "44", "65", "71", "81", "82", "83"}) {
        auto r = parseChinaId(make(std::string(prefix) + "010119800101001"), kToday);
        EXPECT_TRUE(r) << prefix << ": " << r.error().message;
    }
}

TEST(ChinaId, WrongLengthAndCharacters) {
    auto shortOne = parseChinaId("1101051949123100", kToday);
    ASSERT_FALSE(shortOne);
    EXPECT_NE(shortOne.error().message.find("18 characters"), std::string::npos);
    EXPECT_NE(shortOne.error().message.find("16"), std::string::npos);
    EXPECT_FALSE(parseChinaId("", kToday));
    EXPECT_FALSE(parseChinaId("1101051949123100AX", kToday));
    EXPECT_FALSE(parseChinaId("11010519491231002Y", kToday));
    EXPECT_FALSE(parseChinaId("11010519491231002XX", kToday));
    EXPECT_FALSE(parseChinaId("X1010519491231002X", kToday));
    EXPECT_FALSE(parseChinaId("１１０１０５１９４９１２３１００２Ｘ", kToday));  // full-width digits
}

TEST(ChinaId, FifteenDigitFormIsConvertedTo18) {
    // 15-digit form of 11010519491231002X is 110105491231002.
    auto converted = convertChinaId15To18("110105491231002");
    ASSERT_TRUE(converted);
    EXPECT_EQ(*converted, "11010519491231002X");
    auto info = parseChinaId("110105491231002", kToday);
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->number, "11010519491231002X");
    EXPECT_TRUE(info->convertedFrom15);
    EXPECT_EQ(info->sex, Sex::Female);
    EXPECT_FALSE(parseChinaId("11010549123100A", kToday));
    EXPECT_FALSE(parseChinaId("110105491331002", kToday));  // month 13
    EXPECT_FALSE(convertChinaId15To18("1101054912310"));
}

TEST(ChinaId, MaskKeepsFirstSixAndLastFour) {
    EXPECT_EQ(maskIdNumber("11010519491231002X"), "110105********002X");
    EXPECT_EQ(maskIdNumber("E12345678"), "*******78");
    EXPECT_EQ(maskIdNumber(""), "");
    EXPECT_EQ(maskIdNumber("G123456789012"), "G12345***9012");
}

TEST(DocumentNumber, NormalisedAndChecked) {
    auto ok = normalizeDocumentNumber(" e1234567< ");
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(*ok, "E1234567");
    EXPECT_TRUE(normalizeDocumentNumber("L898902C3"));
    EXPECT_FALSE(normalizeDocumentNumber(""));
    EXPECT_FALSE(normalizeDocumentNumber("ABCDEFGHJ"));         // no digit
    EXPECT_FALSE(normalizeDocumentNumber("E123456789"));        // 10 characters
    EXPECT_FALSE(normalizeDocumentNumber("E1234-567"));          // punctuation
    EXPECT_FALSE(normalizeDocumentNumber("护照1234567"));
}

TEST(DocumentNumber, IssuingState) {
    EXPECT_EQ(*normalizeIssuingState("chn"), "CHN");
    EXPECT_EQ(*normalizeIssuingState("D"), "D");
    EXPECT_EQ(*normalizeIssuingState("UTO"), "UTO");
    EXPECT_FALSE(normalizeIssuingState("CN"));
    EXPECT_FALSE(normalizeIssuingState("C1N"));
}

TEST(DocumentType, Parse) {
    EXPECT_EQ(*parseDocumentType("cn-id"), DocumentType::ChinaResidentId);
    EXPECT_EQ(*parseDocumentType("passport"), DocumentType::Passport);
    auto bad = parseDocumentType("visa");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("cn-id"), std::string::npos);
}
