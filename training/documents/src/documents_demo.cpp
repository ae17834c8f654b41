// Sample certificate data for layout work (`kioskctl cert render --demo`), no database or key needed.
#include <cmath>

#include "documents_internal.hpp"

namespace training {

namespace {

/// A 240 x 320 portrait placeholder: a light backdrop and a head-and-shoulders silhouette.
std::vector<std::uint8_t> demoPortrait() {
    constexpr int w = 240, h = 320;
    std::vector<std::uint8_t> rgb(static_cast<std::size_t>(w) * h * 3);
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            const double hx = (x - 120) / 52.0, hy = (y - 125) / 66.0;      // head
            const double sx = (x - 120) / 110.0, sy = (y - 330) / 105.0;    // shoulders
            const bool person = hx * hx + hy * hy <= 1.0 || (sx * sx + sy * sy <= 1.0 && y > 220);
            auto* p = &rgb[(static_cast<std::size_t>(y) * w + static_cast<std::size_t>(x)) * 3];
            if (person) {
                p[0] = 92, p[1] = 104, p[2] = 122;
            } else {
                p[0] = static_cast<std::uint8_t>(214 + y / 20), p[1] = static_cast<std::uint8_t>(226 + y / 40), p[2] = 240;
            }
        }
    }
    auto jpeg = docs::encodeJpeg(rgb, w, h, 80);
    if (!jpeg) return {};
    return {jpeg->begin(), jpeg->end()};
}

}  // namespace

CertificateDocument demoCertificateDocument() {
    CertificateDocument d;
    d.centerCode = "SH01";
    d.centerName = "上海市静安区家政服务职业培训中心";
    d.workerName = "王秀英";
    d.workerNameLatin = "WANG Xiuying";
    d.maskedId = "310106********0028";
    d.portrait = demoPortrait();
    d.portraitMime = "image/jpeg";
    d.courseCode = "HS-BASIC";
    d.courseNameZh = "家政服务员岗前培训";
    d.courseNameEn = "Home-service worker pre-job training";
    d.modules = {
        {"ethics", "职业道德与法规", "Ethics and regulations", 240, 240},
        {"safety", "安全与急救", "Safety and first aid", 360, 375},
        {"hygiene", "卫生与清洁", "Hygiene and cleaning", 480, 480},
        {"cooking", "家庭烹饪", "Home cooking", 480, 490},
        {"care", "母婴与老人照护", "Infant and elderly care", 600, 600},
    };
    d.examScore = 86;
    d.examDate = "2025-03-14";
    d.certificateNumber = "SH01-2025-000042";
    d.issueDate = "2025-03-20";
    d.expiryDate = "2028-03-19";
    // Not signed: a verification link with a code of digits of the typical length, so the QR has its real size.
    std::string payload = "https://verify.example.cn/v/#";
    std::uint32_t state = 20250320;
    for (int i = 0; i < 255; ++i) {
        state = state * 1664525u + 1013904223u;
        payload += static_cast<char>('0' + (state >> 16) % 10);
    }
    d.qrPayload = payload;
    d.agencyName = "上海安心家政服务有限公司";
    d.serviceTypes = {"保洁", "烹饪", "母婴护理", "养老护理"};
    return d;
}

}  // namespace training
