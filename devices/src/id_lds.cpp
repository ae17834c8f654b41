#include <opencv2/imgcodecs.hpp>

#include <algorithm>

#include "devices/id/lds.hpp"
#include "devices/id/tlv.hpp"

namespace devices::id {

namespace {

int dataGroupOfTag(std::uint8_t tag) {
    switch (tag) {
        case 0x61: return 1;
        case 0x75: return 2;
        case 0x63: return 3;
        case 0x76: return 4;
        case 0x77: return 0;  // EF.SOD is not a data group
        default: break;
    }
    if (tag >= 0x65 && tag <= 0x70) return tag - 0x65 + 5;
    return -1;
}

std::uint32_t be(ByteView b, std::size_t off, int n) {
    std::uint32_t v = 0;
    for (int i = 0; i < n; ++i) v = v << 8 | b[off + static_cast<std::size_t>(i)];
    return v;
}

ImageFormat sniff(ByteView d) {
    if (d.size() >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return ImageFormat::Jpeg;
    static const std::uint8_t jp2[] = {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20};
    if (d.size() >= 8 && std::equal(jp2, jp2 + 8, d.begin())) return ImageFormat::Jpeg2000;
    if (d.size() >= 4 && d[0] == 0xFF && d[1] == 0x4F && d[2] == 0xFF && d[3] == 0x51) return ImageFormat::Jpeg2000;
    return ImageFormat::Unknown;
}

/// ISO/IEC 19794-5 facial record: general header (14), facial information (20), feature points (8 each),
/// image information (12), image data.
Result<FaceImage> parseIso19794_5(ByteView r) {
    if (r.size() < 14 + 20 + 12) return fail(ErrorCode::Malformed, "DG2: facial record shorter than its headers");
    if (!(r[0] == 'F' && r[1] == 'A' && r[2] == 'C' && r[3] == 0))
        return fail(ErrorCode::Malformed, "DG2: facial record does not start with 'FAC'");
    const std::uint32_t recordLength = be(r, 8, 4);
    const std::uint32_t faces = be(r, 12, 2);
    if (faces == 0) return fail(ErrorCode::Malformed, "DG2: facial record holds no face");
    if (recordLength > r.size()) return fail(ErrorCode::Malformed, "DG2: facial record length exceeds the data");
    std::size_t off = 14;
    const std::uint32_t blockLength = be(r, off, 4);
    const std::uint32_t points = be(r, off + 4, 2);
    const std::size_t headers = 20 + std::size_t{points} * 8 + 12;
    if (blockLength < headers || off + blockLength > r.size())
        return fail(ErrorCode::Malformed, "DG2: face block length is inconsistent with the data");
    const std::size_t info = off + 20 + std::size_t{points} * 8;
    FaceImage img;
    const std::uint8_t dataType = r[info + 1];
    img.width = static_cast<int>(be(r, info + 2, 2));
    img.height = static_cast<int>(be(r, info + 4, 2));
    const ByteView data = r.subspan(info + 12, blockLength - headers);
    img.format = dataType == 0 ? ImageFormat::Jpeg : dataType == 1 ? ImageFormat::Jpeg2000 : sniff(data);
    if (sniff(data) != ImageFormat::Unknown) img.format = sniff(data);
    img.data.assign(data.begin(), data.end());
    return img;
}

}  // namespace

std::string_view imageFormatName(ImageFormat format) noexcept {
    switch (format) {
        case ImageFormat::Jpeg: return "jpeg";
        case ImageFormat::Jpeg2000: return "jpeg2000";
        case ImageFormat::Unknown: return "unknown";
    }
    return "unknown";
}

Result<EfCom> parseEfCom(ByteView data) {
    auto top = parseSingleTlv(data);
    if (!top) return std::unexpected(top.error());
    if (top->tag != 0x60) return fail(ErrorCode::Malformed, "EF.COM does not start with tag 60");
    EfCom com;
    auto children = parseTlvList(top->value);
    if (!children) return std::unexpected(children.error());
    for (const auto& t : *children) {
        if (t.tag == 0x5F01) com.ldsVersion.assign(t.value.begin(), t.value.end());
        else if (t.tag == 0x5F36) com.unicodeVersion.assign(t.value.begin(), t.value.end());
        else if (t.tag == 0x5C)
            for (auto b : t.value)
                if (int dg = dataGroupOfTag(b); dg > 0) com.dataGroups.push_back(dg);
    }
    return com;
}

Result<std::string> parseDg1Text(ByteView data) {
    auto top = parseSingleTlv(data);
    if (!top) return std::unexpected(top.error());
    if (top->tag != 0x61) return fail(ErrorCode::Malformed, "DG1 does not start with tag 61");
    auto mrz = findChild(*top, 0x5F1F);
    if (!mrz) return std::unexpected(mrz.error());
    return std::string(mrz->value.begin(), mrz->value.end());
}

Result<FaceImage> parseDg2(ByteView data) {
    auto top = parseSingleTlv(data);
    if (!top) return std::unexpected(top.error());
    if (top->tag != 0x75) return fail(ErrorCode::Malformed, "DG2 does not start with tag 75");
    auto group = findChild(*top, 0x7F61);
    if (!group) return std::unexpected(group.error());
    auto items = parseTlvList(group->value);
    if (!items) return std::unexpected(items.error());
    for (const auto& t : *items) {
        if (t.tag != 0x7F60) continue;
        auto parts = parseTlvList(t.value);
        if (!parts) return std::unexpected(parts.error());
        for (const auto& p : *parts) {
            if (p.tag != 0x5F2E && p.tag != 0x7F2E) continue;
            auto img = parseIso19794_5(p.value);
            if (img) return img;
            // Not a well-formed 19794-5 record: accept a bare image.
            if (sniff(p.value) != ImageFormat::Unknown) {
                FaceImage f;
                f.format = sniff(p.value);
                f.data.assign(p.value.begin(), p.value.end());
                return f;
            }
            return std::unexpected(img.error());
        }
    }
    return fail(ErrorCode::Malformed, "DG2 holds no biometric data block (5F2E / 7F2E)");
}

Result<cv::Mat> decodeFaceImage(const FaceImage& image) {
    if (image.data.empty()) return fail(ErrorCode::Malformed, "the face image is empty");
    cv::Mat m;
    try {
        const cv::Mat buf(1, static_cast<int>(image.data.size()), CV_8UC1, const_cast<std::uint8_t*>(image.data.data()));
        m = cv::imdecode(buf, cv::IMREAD_COLOR);
    } catch (const cv::Exception& e) {
        return fail(ErrorCode::Malformed, std::string("the face image cannot be decoded: ") + e.what());
    }
    if (m.empty())
        return fail(ErrorCode::Malformed, std::string("the ") + std::string(imageFormatName(image.format)) +
                                              " face image cannot be decoded: the chip data is damaged");
    return m;
}

}  // namespace devices::id
