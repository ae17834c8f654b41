// MRZ parsing with ICAO 9303 specimens (parts 4, 5 and 6) and every check digit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "devices/id/mrz.hpp"
#include "devices/id/validity.hpp"

using namespace devices::id;

namespace {

const char* kTd3 =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10\n";
const char* kTd1 =
    "I<UTOD231458907<<<<<<<<<<<<<<<\n"
    "7408122F1204159UTO<<<<<<<<<<<6\n"
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<\n";
const char* kTd2 =
    "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\n"
    "D231458907UTO7408122F1204159<<<<<<<6\n";

std::string replaceAt(std::string s, std::size_t pos, char c) {
    s[pos] = c;
    return s;
}

}  // namespace

TEST(Mrz, CheckDigitOfSpecimenFields) {
    EXPECT_EQ(mrzCheckDigit("L898902C3"), 6);
    EXPECT_EQ(mrzCheckDigit("740812"), 2);
    EXPECT_EQ(mrzCheckDigit("120415"), 9);
    EXPECT_EQ(mrzCheckDigit("D23145890"), 7);
    EXPECT_EQ(mrzCheckDigit("L898902C<"), 3);
    EXPECT_EQ(mrzCheckDigit("abc"), -1);
}

TEST(Mrz, Td3Specimen) {
    auto m = parseMrz(kTd3);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->format, MrzFormat::TD3);
    EXPECT_EQ(m->documentCode, "P");
    EXPECT_EQ(m->issuingState, "UTO");
    EXPECT_EQ(m->surname, "ERIKSSON");
    EXPECT_EQ(m->givenNames, "ANNA MARIA");
    EXPECT_EQ(m->documentNumber, "L898902C3");
    EXPECT_EQ(m->nationality, "UTO");
    EXPECT_EQ(m->birthDate, "740812");
    EXPECT_EQ(m->sex, "F");
    EXPECT_EQ(m->expiryDate, "120415");
    EXPECT_EQ(m->optionalData, "ZE184226B");
    ASSERT_EQ(m->checks.size(), 5u);
    for (const auto& c : m->checks) EXPECT_TRUE(c.ok) << c.name;
    EXPECT_EQ(bacKeyString(mrzKeyOf(*m)), "L898902C3674081221204159");
}

TEST(Mrz, Td1Specimen) {
    auto m = parseMrz(kTd1);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->format, MrzFormat::TD1);
    EXPECT_EQ(m->documentCode, "I");
    EXPECT_EQ(m->documentNumber, "D23145890");
    EXPECT_EQ(m->birthDate, "740812");
    EXPECT_EQ(m->expiryDate, "120415");
    EXPECT_EQ(m->sex, "F");
    EXPECT_EQ(m->nationality, "UTO");
    EXPECT_EQ(m->surname, "ERIKSSON");
    EXPECT_EQ(m->givenNames, "ANNA MARIA");
    EXPECT_EQ(m->checks.size(), 4u);
}

TEST(Mrz, Td2Specimen) {
    auto m = parseMrz(kTd2);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->format, MrzFormat::TD2);
    EXPECT_EQ(m->documentNumber, "D23145890");
    EXPECT_EQ(m->surname, "ERIKSSON");
    EXPECT_EQ(m->givenNames, "ANNA MARIA");
    EXPECT_EQ(m->birthDate, "740812");
    EXPECT_EQ(m->expiryDate, "120415");
}

TEST(Mrz, RunTogetherAndLowerCaseAndSpaces) {
    std::string s = kTd3;
    s.erase(std::remove(s.begin(), s.end(), '\n'), s.end());
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto m = parseMrz(s);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->documentNumber, "L898902C3");
    auto m2 = parseMrz("  P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<  \r\n L898902C36UTO7408122F1204159ZE184226B<<<<<10 \n");
    ASSERT_TRUE(m2) << m2.error().message;
}

TEST(Mrz, EveryTd3CheckIsNamed) {
    const std::string l1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
    const std::string l2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";
    struct Case {
        std::size_t pos;
        const char* name;
    } cases[] = {{9, "document number"}, {19, "birth date"}, {27, "expiry date"}, {42, "optional data"},
                 {43, "composite"}};
    for (const auto& c : cases) {
        const std::string bad = replaceAt(l2, c.pos, l2[c.pos] == '9' ? '8' : '9');
        auto m = parseMrz(l1 + "\n" + bad);
        ASSERT_FALSE(m) << c.name;
        EXPECT_EQ(m.error().code, devices::ErrorCode::InvalidInput);
        EXPECT_NE(m.error().message.find(std::string("the ") + c.name + " check digit"), std::string::npos)
            << m.error().message;
    }
}

TEST(Mrz, Td1CompositeAndDocumentChecks) {
    std::string s = kTd1;
    auto bad = parseMrz(replaceAt(s, 14, '8'));
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("document number"), std::string::npos);
    auto badComposite = parseMrz(replaceAt(s, 31 + 29, '7'));
    ASSERT_FALSE(badComposite);
    EXPECT_NE(badComposite.error().message.find("composite"), std::string::npos);
}

TEST(Mrz, Td1LongDocumentNumber) {
    // 12-character number D23145890734: 9 in the number field, '<' at the check position,
    // the rest (734 + check digit) in the optional data.
    const std::string number = "D23145890734";
    const char cd = static_cast<char>('0' + mrzCheckDigit(number));
    std::string l1 = "I<UTOD23145890<734";
    l1 += cd;
    l1.resize(30, '<');
    std::string l2 = "7408122F1204159UTO<<<<<<<<<<<";
    const std::string composite = l1.substr(5, 25) + l2.substr(0, 7) + l2.substr(8, 7) + l2.substr(18, 11);
    l2 += static_cast<char>('0' + mrzCheckDigit(composite));
    auto m = parseMrz(l1 + "\n" + l2 + "\nERIKSSON<<ANNA<MARIA<<<<<<<<<<");
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->documentNumber, number);
    EXPECT_EQ(bacKeyString(mrzKeyOf(*m)), number + cd + "7408122" + "1204159");
}

TEST(Mrz, RejectsWrongShapesAndCharacters) {
    EXPECT_FALSE(parseMrz(""));
    EXPECT_FALSE(parseMrz("P<UTO"));
    auto m = parseMrz("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<1!");
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("line 2"), std::string::npos);
}

TEST(Mrz, BacKeyOfOldSpecimen) {
    auto key = parseMrzKey("L898902C,690806,940623");
    ASSERT_TRUE(key) << key.error().message;
    EXPECT_EQ(bacKeyString(*key), "L898902C<369080619406236");
    EXPECT_FALSE(parseMrzKey("L898902C,6908,940623"));
    EXPECT_FALSE(parseMrzKey("L898902C,690806"));
    EXPECT_FALSE(parseMrzKey(",690806,940623"));
}

// ---------------------------------------------------------------- document validity (issue 15)

TEST(DocumentValidity, MrzExpiryYearsAndRealDates) {
    using devices::id::mrzExpiryIso;
    EXPECT_EQ(mrzExpiryIso("120415"), "2012-04-15");  // ICAO's specimen
    EXPECT_EQ(mrzExpiryIso("340415"), "2034-04-15");
    EXPECT_EQ(mrzExpiryIso("691231"), "2069-12-31");
    EXPECT_EQ(mrzExpiryIso("700101"), "1970-01-01");
    EXPECT_EQ(mrzExpiryIso("990230"), "") << "no 30 February";
    EXPECT_EQ(mrzExpiryIso("12041"), "");
    EXPECT_EQ(mrzExpiryIso("12<415"), "");
}

TEST(DocumentValidity, ExpiredNotYetValidLongTermAndTheLastDay) {
    using devices::id::DocumentValidity;
    using devices::id::documentValidity;
    using namespace std::chrono;
    const year_month_day today{year(2026), month(12), day(6)};
    const std::optional<std::string> none;
    EXPECT_EQ(documentValidity(none, std::string("2012-04-15"), today), DocumentValidity::Expired);
    EXPECT_EQ(documentValidity(none, std::string("2026-12-05"), today), DocumentValidity::Expired);
    EXPECT_EQ(documentValidity(none, std::string("2026-12-06"), today), DocumentValidity::Valid) << "valid through its last day";
    EXPECT_EQ(documentValidity(std::string("2026-12-07"), std::string("2046-12-07"), today), DocumentValidity::NotYetValid);
    EXPECT_EQ(documentValidity(std::string("2005-01-15"), none, today), DocumentValidity::Valid) << "长期: no end date";
    EXPECT_EQ(documentValidity(none, std::string("garbage"), today), DocumentValidity::Expired)
        << "an unreadable end date proves nothing";
    EXPECT_EQ(devices::id::documentValidityName(DocumentValidity::NotYetValid), "not-yet-valid");
}
