#include <gtest/gtest.h>

#include "training/uscc.hpp"

using namespace training;

TEST(Uscc, CheckCharacterMatchesTheStandardAlgorithm) {
    // Worked by hand for 91350100M000100Y4?: alphabet values 9,1,3,5,0,1,0,0,21,0,0,0,1,0,0,30,4 with weights
    // 1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28 sum to 9+3+27+135+0+26+0+0+420+0+0+0+8+0+0+900+112 = 1640;
    // 1640 mod 31 = 28; 31 - 28 = 3 -> '3'.
    EXPECT_EQ(usccCheckCharacter("91350100M000100Y4"), '3');
    auto ok = validateUscc("91350100M000100Y43");
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(*ok, "91350100M000100Y43");
}

TEST(Uscc, NormalisesCaseAndSpaces) {
    auto ok = validateUscc(" 91350100m000100y43 ");
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(*ok, "91350100M000100Y43");
}

TEST(Uscc, WrongCheckCharacter) {
    auto r = validateUscc("91350100M000100Y44");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("check character"), std::string::npos);
}

TEST(Uscc, ForbiddenLettersLengthAndRegion) {
    auto letters = validateUscc("91350100M000100I43");
    ASSERT_FALSE(letters);
    EXPECT_NE(letters.error().message.find("character 16"), std::string::npos);
    EXPECT_FALSE(validateUscc("91350100M000100Y4"));
    EXPECT_FALSE(validateUscc(""));
    auto region = validateUscc("9135A100M000100Y43");
    ASSERT_FALSE(region);
    EXPECT_NE(region.error().message.find("region"), std::string::npos);
}

TEST(Uscc, CheckZeroWhenSumIsAMultipleOf31) {
    // Search a prefix whose check value is 0, then verify round trip.
    std::string prefix = "91310000MA1FL0000";
    for (char c : std::string("0123456789ABCDEFGHJKLMNPQRTUWXY")) {
        prefix[16] = c;
        if (usccCheckCharacter(prefix) == '0') break;
    }
    ASSERT_EQ(usccCheckCharacter(prefix), '0');
    EXPECT_TRUE(validateUscc(prefix + "0"));
}
