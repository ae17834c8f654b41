// BAC and secure messaging against the ICAO 9303-11 worked example (Appendix D).
#include <gtest/gtest.h>

#include "devices/id/bac.hpp"
#include "devices/id/mrz.hpp"

using namespace devices::id;

namespace {
Bytes hex(const char* h) { return *fromHex(h); }
}  // namespace

TEST(Bac, KeyDerivationWorkedExample) {
    const std::string info = bacKeyString(MrzKey{"L898902C", "690806", "940623"});
    EXPECT_EQ(info, "L898902C<369080619406236");
    EXPECT_EQ(toHex(sha1(toBytes(info))), "239AB9CB282DAF66231DC5A4DF6BFBAEDF477565");
    const Bytes seed = bacKeySeed(info);
    EXPECT_EQ(toHex(seed), "239AB9CB282DAF66231DC5A4DF6BFBAE");
    const BacKeys keys = deriveBacKeys(seed);
    EXPECT_EQ(toHex(keys.enc), "AB94FDECF2674FDFB9B391F85D7F76F2");
    EXPECT_EQ(toHex(keys.mac), "7962D9ECE03D1ACD4C76089DCE131543");
}

TEST(Bac, MutualAuthenticateWorkedExample) {
    const BacKeys keys{hex("AB94FDECF2674FDFB9B391F85D7F76F2"), hex("7962D9ECE03D1ACD4C76089DCE131543")};
    const Bytes rndIcc = hex("4608F91988702212");
    BacTerminal t{hex("781723860C06C226"), hex("0B795240CB7049B01C19B33E32804F0B")};
    const Bytes cmd = t.mutualAuthData(keys, rndIcc);
    EXPECT_EQ(toHex(cmd),
              "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2"
              "5F1448EEA8AD90A7");
    const Bytes resp = hex("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449");
    auto sk = t.finish(keys, rndIcc, resp);
    ASSERT_TRUE(sk) << sk.error().message;
    EXPECT_EQ(toHex(sk->encKey), "979EC13B1CBFE9DCD01AB0FED307EAE5");
    EXPECT_EQ(toHex(sk->macKey), "F1CB1F1FB5ADF208806B89DC579DC1F8");
    EXPECT_EQ(toHex(sk->ssc), "887022120C06C226");

    Bytes tampered = resp;
    tampered[39] ^= 1;
    auto bad = t.finish(keys, rndIcc, tampered);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, devices::ErrorCode::Integrity);
    EXPECT_FALSE(t.finish(keys, rndIcc, ByteView(resp).first(32)));
}

TEST(Bac, SecureMessagingWorkedExample) {
    SessionKeys sk{hex("979EC13B1CBFE9DCD01AB0FED307EAE5"), hex("F1CB1F1FB5ADF208806B89DC579DC1F8"),
                   hex("887022120C06C226")};
    SecureMessaging sm(sk);
    // SELECT EF.COM
    Apdu select{0x00, 0xA4, 0x02, 0x0C, hex("011E"), 0};
    const Apdu p1 = sm.wrap(select, false);
    EXPECT_EQ(toHex(p1.encode(false)), "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800");
    auto r1 = sm.unwrap(Response{hex("990290008E08FA855A5D4C50A8ED"), 0x9000});
    ASSERT_TRUE(r1) << r1.error().message;
    EXPECT_EQ(r1->sw, 0x9000);
    EXPECT_TRUE(r1->data.empty());
    // READ BINARY of the first four bytes
    const Apdu p2 = sm.wrap(Apdu{0x00, 0xB0, 0x00, 0x00, {}, 4}, false);
    EXPECT_EQ(toHex(p2.encode(false)), "0CB000000D9701048E08ED6705417E96BA5500");
    auto r2 = sm.unwrap(Response{hex("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED"), 0x9000});
    ASSERT_TRUE(r2) << r2.error().message;
    EXPECT_EQ(toHex(r2->data), "60145F01");
    // READ BINARY of the remaining 18 bytes from offset 4
    const Apdu p3 = sm.wrap(Apdu{0x00, 0xB0, 0x00, 0x04, {}, 0x12}, false);
    EXPECT_EQ(toHex(p3.encode(false)), "0CB000040D9701128E082EA28A70F3C7B53500");
    auto r3 = sm.unwrap(
        Response{hex("871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D74"), 0x9000});
    ASSERT_TRUE(r3) << r3.error().message;
    EXPECT_EQ(toHex(r3->data), "04303130365F36063034303030305C026175");
    EXPECT_EQ(toHex(sm.ssc()), "887022120C06C22C");
}

TEST(Bac, SecureMessagingRejectsBadMacAndMissingDo99) {
    SessionKeys sk{hex("979EC13B1CBFE9DCD01AB0FED307EAE5"), hex("F1CB1F1FB5ADF208806B89DC579DC1F8"),
                   hex("887022120C06C226")};
    {
        SecureMessaging sm(sk);
        (void)sm.wrap(Apdu{0x00, 0xA4, 0x02, 0x0C, hex("011E"), 0}, false);
        auto r = sm.unwrap(Response{hex("990290008E08FA855A5D4C50A8EE"), 0x9000});
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, devices::ErrorCode::Integrity);
        EXPECT_NE(r.error().message.find("MAC"), std::string::npos);
    }
    {
        SecureMessaging sm(sk);
        (void)sm.wrap(Apdu{0x00, 0xA4, 0x02, 0x0C, hex("011E"), 0}, false);
        auto r = sm.unwrap(Response{hex("8E08FA855A5D4C50A8ED"), 0x9000});
        ASSERT_FALSE(r);
        EXPECT_NE(r.error().message.find("DO'99'"), std::string::npos);
    }
    {
        SecureMessaging sm(sk);
        (void)sm.wrap(Apdu{0x00, 0xA4, 0x02, 0x0C, hex("011E"), 0}, false);
        auto r = sm.unwrap(Response{{}, 0x9000});
        ASSERT_FALSE(r);
    }
}

TEST(Bac, PaddingAndMacHelpers) {
    EXPECT_EQ(toHex(padIso9797(hex("011E"))), "011E800000000000");
    EXPECT_EQ(toHex(padIso9797(hex("0102030405060708"))), "01020304050607088000000000000000");
    EXPECT_FALSE(unpadIso9797(hex("0102030405060708")));
    auto u = unpadIso9797(hex("011E800000000000"));
    ASSERT_TRUE(u);
    EXPECT_EQ(toHex(*u), "011E");
    Bytes k = hex("AA94FCEDF2664EDE");
    adjustParity(k);
    EXPECT_EQ(toHex(k), "AB94FDECF2674FDF");
}

#include "devices/id/pcsc.hpp"

TEST(Atr, ExtendedLengthFromCardCapabilities) {
    // vicc's ISO 7816 card: card capabilities 73 FF 01 00 -> no extended Lc/Le.
    EXPECT_FALSE(atrAnnouncesExtendedLength(hex("3B9513810180 73FF0100 0B")));
    // The same structure with the third capability byte C0 (chaining + extended Lc/Le).
    EXPECT_TRUE(atrAnnouncesExtendedLength(hex("3B951381018073 0000C0 35")));
    EXPECT_FALSE(atrAnnouncesExtendedLength(hex("3B")));
    EXPECT_FALSE(atrAnnouncesExtendedLength(hex("3B9F")));  // announces 15 historical bytes that are missing
}
