// China resident ID: the 256-byte UCS-2LE record, GB 3304 names, GB 11643 check, and the idreader_v1 C ABI
// through the file-backed library loaded with dlopen.
#include <gtest/gtest.h>

#include <thread>

#include "devices/id/cn_id.hpp"
#include "devices/id/idreader.hpp"
#include "id_fixture.hpp"

using namespace devices::id;

namespace {

/// Builds a record by hand (independently of encodeCnIdRecord): each field as UTF-16 code units,
/// little-endian, padded with spaces to its slot.
Bytes handRecord(const std::u16string& until = u"长期", const std::u16string& number = u"11010519491231002X") {
    Bytes rec;
    auto put = [&](const std::u16string& s, std::size_t chars) {
        for (std::size_t i = 0; i < chars; ++i) {
            const char16_t c = i < s.size() ? s[i] : u' ';
            rec.push_back(static_cast<std::uint8_t>(c & 0xFF));
            rec.push_back(static_cast<std::uint8_t>(c >> 8));
        }
    };
    put(u"张小红", 15);
    put(u"2", 1);
    put(u"10", 2);
    put(u"19491231", 8);
    put(u"北京市朝阳区建国路88号", 35);
    put(number, 18);
    put(u"北京市公安局朝阳分局", 15);
    put(u"20150102", 8);
    put(until, 8);
    put(u"", 18);
    return rec;
}

}  // namespace

TEST(CnId, DecodesAHandBuiltRecord) {
    const Bytes rec = handRecord();
    ASSERT_EQ(rec.size(), 256u);
    auto r = decodeCnIdRecord(rec);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->name, "张小红");
    EXPECT_EQ(r->sexCode, "2");
    EXPECT_EQ(r->sexZh, "女");
    EXPECT_EQ(r->sexEn, "female");
    EXPECT_EQ(r->ethnicCode, "10");
    EXPECT_EQ(r->ethnicZh, "朝鲜");
    EXPECT_EQ(r->ethnicEn, "Korean");
    EXPECT_EQ(r->birthDate, "1949-12-31");
    EXPECT_EQ(r->address, "北京市朝阳区建国路88号");
    EXPECT_EQ(r->idNumber, "11010519491231002X");
    EXPECT_TRUE(r->idNumberValid);
    EXPECT_EQ(r->issuingAuthority, "北京市公安局朝阳分局");
    EXPECT_EQ(r->validFrom, "2015-01-02");
    EXPECT_FALSE(r->validUntil.has_value());
}

TEST(CnId, DatedValidityAndBadCheckCharacter) {
    auto r = decodeCnIdRecord(handRecord(u"20350102", u"110105194912310021"));
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(r->validUntil);
    EXPECT_EQ(*r->validUntil, "2035-01-02");
    EXPECT_FALSE(r->idNumberValid);
}

TEST(CnId, RejectsMalformedRecords) {
    EXPECT_FALSE(decodeCnIdRecord(Bytes(255, 0x20)));
    EXPECT_FALSE(decodeCnIdRecord(handRecord(u"2035XX02")));
    Bytes rec = handRecord();
    rec[30] = '7';  // sex code 7
    EXPECT_FALSE(decodeCnIdRecord(rec));
    rec = handRecord();
    rec[0] = 0x00;
    rec[1] = 0xD8;  // lone surrogate in the name
    EXPECT_FALSE(decodeCnIdRecord(rec));
}

TEST(CnId, EncodeRoundTripAndEthnicTable) {
    auto r = decodeCnIdRecord(handRecord());
    ASSERT_TRUE(r);
    auto enc = encodeCnIdRecord(*r);
    ASSERT_TRUE(enc) << enc.error().message;
    EXPECT_EQ(*enc, handRecord());
    EXPECT_EQ(ethnicGroup("01")->zh, "汉");
    EXPECT_EQ(ethnicGroup("56")->en, "Jino");
    EXPECT_EQ(ethnicGroup("57"), nullptr);
    CnIdRecord tooLong = *r;
    tooLong.name = std::string(16 * 3, 'a');
    EXPECT_FALSE(encodeCnIdRecord(tooLong));
}

TEST(CnId, Gb11643CheckCharacter) {
    EXPECT_TRUE(cnIdNumberValid("11010519491231002X"));
    EXPECT_TRUE(cnIdNumberValid("11010519491231002x"));
    EXPECT_FALSE(cnIdNumberValid("110105194912310021"));
    EXPECT_FALSE(cnIdNumberValid("1101051949123100"));
    EXPECT_FALSE(cnIdNumberValid("11010519491332002X"));  // month 13
}

TEST(IdReaderV1, FileBackedLibraryThroughDlopen) {
    auto lib = IdReaderLibrary::load(IDREADER_FILE_LIB);
    ASSERT_TRUE(lib) << lib.error().message;
    testsupport::TempDir dir;
    auto dev = (*lib)->open(dir.path().string());
    ASSERT_TRUE(dev) << dev.error().message;
    auto none = (*dev)->waitForCard(std::chrono::milliseconds(50));
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
    auto noCard = (*dev)->read();
    ASSERT_FALSE(noCard);
    EXPECT_EQ(noCard.error().code, devices::ErrorCode::NoCard);

    idtest::writeGeneratedPhoto(dir / "photo.jpg", 102, 126);
    std::thread insert([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const Bytes rec = handRecord();
        testsupport::writeFile(dir / "record.bin", std::string(rec.begin(), rec.end()));
    });
    auto present = (*dev)->waitForCard(std::chrono::seconds(5));
    insert.join();
    ASSERT_TRUE(present);
    EXPECT_TRUE(*present);
    auto card = (*dev)->read();
    ASSERT_TRUE(card) << card.error().message;
    EXPECT_EQ(card->record.name, "张小红");
    EXPECT_EQ(card->rawRecord, handRecord());
    EXPECT_EQ(card->photo, idtest::readBytes(dir / "photo.jpg"));
    EXPECT_EQ(card->photoImage.cols, 102);
    EXPECT_EQ(card->photoImage.rows, 126);

    // A large photo needs the second call with a bigger buffer.
    idtest::writeGeneratedPhoto(dir / "photo.jpg", 600, 800);
    auto big = (*dev)->read();
    ASSERT_TRUE(big) << big.error().message;
    EXPECT_EQ(big->photoImage.cols, 600);
}

TEST(IdReaderV1, ClearErrorsForMissingLibraryAndReader) {
    auto missing = IdReaderLibrary::load("/nonexistent/libidreader.so");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, devices::ErrorCode::NotAvailable);
    auto notAbi = IdReaderLibrary::load("libc.so.6");
    ASSERT_FALSE(notAbi);
    EXPECT_NE(notAbi.error().message.find("not an idreader_v1 library"), std::string::npos);
    auto lib = IdReaderLibrary::load(IDREADER_FILE_LIB);
    ASSERT_TRUE(lib);
    auto dev = (*lib)->open("/nonexistent/reader-dir");
    ASSERT_FALSE(dev);
    EXPECT_EQ(dev.error().code, devices::ErrorCode::NoReader);
    EXPECT_NE(dev.error().message.find("does not exist"), std::string::npos) << dev.error().message;
}
