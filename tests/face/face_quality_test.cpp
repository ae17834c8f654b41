// Quality gate verdicts on variants derived from real test photos; portrait crop; auto-capture.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "devices/face/quality.hpp"
#include "face_data.hpp"

using namespace devices::face;
namespace fs = std::filesystem;

namespace {

class QualityTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (facetest::envStr("KIOSK_MODEL_DIR").empty() || facetest::envStr("KIOSK_TEST_FACES").empty())
            GTEST_SKIP() << "KIOSK_MODEL_DIR or KIOSK_TEST_FACES is empty: ../shared is absent";
        auto m = facetest::manifest();
        ASSERT_TRUE(m) << m.error().message;
        auto d = FaceDetector::create(*m);
        ASSERT_TRUE(d) << d.error().message;
        m_det = std::move(*d);
        m_dir = facetest::envStr("KIOSK_TEST_FACES");
    }
    cv::Mat load(const char* file) { return cv::imread((m_dir / file).string()); }
    QualityVerdict verdict(const cv::Mat& img) {
        auto faces = m_det->detect(img);
        EXPECT_TRUE(faces);
        return assessQuality(img, faces ? *faces : std::vector<Face>{});
    }
    static std::string describe(const QualityVerdict& v) {
        std::string s = "instruction=" + v.instruction + " failures=";
        for (const auto& f : v.failures) s += f + ",";
        s += " h=" + std::to_string(v.faceHeight) + " dx=" + std::to_string(v.offsetX) + " cy=" + std::to_string(v.centreY) +
             " roll=" + std::to_string(v.rollDeg) + " yaw=" + std::to_string(v.yaw) + " sharp=" +
             std::to_string(v.sharpness) + " bright=" + std::to_string(v.brightness) + " clip=" + std::to_string(v.clipped);
        return s;
    }
    std::unique_ptr<FaceDetector> m_det;
    fs::path m_dir;
};

}  // namespace

TEST_F(QualityTest, GoodPortraitsPass) {
    for (const char* f : {"e_london087_1.jpg", "g_london005_1.jpg", "j_london024_1.jpg", "b_chirac_1.jpg", "c_rudd_1.jpg"}) {
        const auto v = verdict(load(f));
        EXPECT_TRUE(v.pass) << f << " " << describe(v);
        EXPECT_TRUE(v.instruction.empty());
    }
    // a_obama_3 (and the camera clip made from it): the head is tilted by about 18 degrees, within the roll
    // limit (28: alignment removes roll for the match and the portrait is levelled).
    const auto v = verdict(load("a_obama_3.jpg"));
    EXPECT_TRUE(v.pass) << describe(v);
    EXPECT_LT(v.rollDeg, -15.0);
}

TEST_F(QualityTest, DerivedVariantsFailWithTheRightInstruction) {
    const cv::Mat base = load("e_london087_1.jpg");
    ASSERT_FALSE(base.empty());
    ASSERT_TRUE(verdict(base).pass) << describe(verdict(base));

    cv::Mat dark;
    base.convertTo(dark, -1, 0.22, 0);
    auto v = verdict(dark);
    EXPECT_EQ(v.instruction, "more-light") << describe(v);

    cv::Mat bright;
    base.convertTo(bright, -1, 1.0, 150);
    v = verdict(bright);
    EXPECT_EQ(v.instruction, "less-light") << describe(v);

    cv::Mat blurred;
    cv::GaussianBlur(base, blurred, cv::Size(), 5.0);
    v = verdict(blurred);
    EXPECT_EQ(v.instruction, "hold-still") << describe(v);

    cv::Mat shifted;
    const cv::Mat t = (cv::Mat_<double>(2, 3) << 1, 0, 0.30 * base.cols, 0, 1, 0);
    cv::warpAffine(base, shifted, t, base.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    v = verdict(shifted);
    EXPECT_EQ(v.instruction, "center-face") << describe(v);

    cv::Mat small, shrunk(base.size(), base.type(), cv::Scalar(200, 200, 200));
    cv::resize(base, small, cv::Size(), 0.4, 0.4, cv::INTER_AREA);
    small.copyTo(shrunk(cv::Rect((base.cols - small.cols) / 2, (base.rows - small.rows) / 3, small.cols, small.rows)));
    v = verdict(shrunk);
    EXPECT_EQ(v.instruction, "move-closer") << describe(v);

    cv::Mat rotated;
    const cv::Mat rot = cv::getRotationMatrix2D(cv::Point2f(base.cols / 2.0F, base.rows / 2.0F), 40.0, 1.0);
    cv::warpAffine(base, rotated, rot, base.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    v = verdict(rotated);
    EXPECT_EQ(v.instruction, "look-at-camera") << describe(v);
    EXPECT_GT(std::abs(v.rollDeg), QualityOptions{}.maxRollDeg);
    // Turned head (yaw): the face squeezed towards one side, as when it turns away.
    auto faces = m_det->detect(base);
    ASSERT_TRUE(faces && !faces->empty());
    Face f = faces->front();
    const float shift = 0.45F * (f.landmarks[1].x - f.landmarks[0].x);
    f.landmarks[2].x += shift;  // nose far off the eye midpoint
    v = assessQuality(base, {f});
    EXPECT_EQ(v.instruction, "look-at-camera") << describe(v);
    EXPECT_GT(std::abs(v.yaw), QualityOptions{}.maxYaw);
}

TEST_F(QualityTest, PortraitOfATiltedHeadIsLevelled) {
    for (const char* file : {"a_obama_3.jpg", "e_london087_1.jpg"}) {
        cv::Mat img = load(file);
        if (std::string(file) == "e_london087_1.jpg") {  // tilt it the other way by 12 degrees
            const cv::Mat rot = cv::getRotationMatrix2D(cv::Point2f(img.cols / 2.0F, img.rows / 2.0F), -12.0, 1.0);
            cv::warpAffine(img.clone(), img, rot, img.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
        }
        auto faces = m_det->detect(img);
        ASSERT_TRUE(faces && !faces->empty()) << file;
        const double before = assessQuality(img, *faces).rollDeg;
        EXPECT_GT(std::abs(before), 10.0) << file;
        auto crop = portraitCrop(img, faces->front());
        ASSERT_TRUE(crop) << file;
        auto again = m_det->detect(*crop);
        ASSERT_TRUE(again && again->size() == 1U) << file;
        const auto v = assessQuality(*crop, *again);
        EXPECT_LT(std::abs(v.rollDeg), 5.0) << file << " roll before " << before;
        EXPECT_NEAR(v.offsetX, 0.0, 0.08) << file;
    }
}

TEST_F(QualityTest, TwoPeopleAndCrowd) {
    auto v = verdict(load("two_faces_obama_chirac_640x480.jpg"));
    EXPECT_EQ(v.faceCount, 2);
    EXPECT_FALSE(v.pass);
    EXPECT_EQ(v.instruction, "only-one-person") << describe(v);
    v = verdict(load("no_face.jpg"));
    EXPECT_EQ(v.instruction, "no-face");
    EXPECT_EQ(v.faceIndex, -1);
}

TEST_F(QualityTest, DominantFacePassesWithNote) {
    // Synthetic: a big portrait with a small bystander pasted in a corner.
    cv::Mat base = load("e_london087_1.jpg");
    cv::Mat other = load("g_london005_1.jpg"), small;
    cv::resize(other, small, cv::Size(), 0.45, 0.45, cv::INTER_AREA);
    small.copyTo(base(cv::Rect(base.cols - small.cols, base.rows - small.rows, small.cols, small.rows)));
    auto v = verdict(base);
    EXPECT_EQ(v.faceCount, 2) << describe(v);
    EXPECT_TRUE(v.pass) << describe(v);
    EXPECT_EQ(v.note, "others-in-view");
}

TEST_F(QualityTest, PortraitCropIsIdPhotoShaped) {
    const cv::Mat img = load("e_london087_1.jpg");
    auto faces = m_det->detect(img);
    ASSERT_TRUE(faces && !faces->empty());
    auto crop = portraitCrop(img, faces->front());
    ASSERT_TRUE(crop);
    EXPECT_EQ(crop->cols, kPortraitWidth);
    EXPECT_EQ(crop->rows, kPortraitHeight);
    // The face in the portrait is centred and takes a sensible share of its height.
    auto again = m_det->detect(*crop);
    ASSERT_TRUE(again);
    ASSERT_EQ(again->size(), 1U);
    const auto& f = again->front();
    EXPECT_NEAR((f.box.x + f.box.width / 2) / kPortraitWidth, 0.5, 0.08);
    EXPECT_GT(f.box.height / kPortraitHeight, 0.40);
    EXPECT_LT(f.box.height / kPortraitHeight, 0.62);
    auto jpeg = encodeJpeg(*crop);
    ASSERT_TRUE(jpeg);
    ASSERT_GT(jpeg->size(), 1000U);
    EXPECT_EQ((*jpeg)[0], 0xFF);
    EXPECT_EQ((*jpeg)[1], 0xD8);
    const cv::Mat back = cv::imdecode(*jpeg, cv::IMREAD_COLOR);
    EXPECT_EQ(back.size(), cv::Size(kPortraitWidth, kPortraitHeight));
    EXPECT_FALSE(portraitCrop(img, Face{}));
}

TEST_F(QualityTest, AutoCaptureKeepsTheSharpestFrameOfTheWindow) {
    const cv::Mat sharp = load("e_london087_1.jpg");
    cv::Mat soft;
    cv::GaussianBlur(sharp, soft, cv::Size(), 1.0);
    auto faces = m_det->detect(sharp);
    auto facesSoft = m_det->detect(soft);
    ASSERT_TRUE(faces && facesSoft);
    auto vSharp = assessQuality(sharp, *faces), vSoft = assessQuality(soft, *facesSoft);
    ASSERT_TRUE(vSoft.pass) << describe(vSoft);
    ASSERT_GT(vSharp.sharpness, vSoft.sharpness);
    AutoCapture ac(std::chrono::milliseconds(500));
    const auto t0 = AutoCapture::Clock::time_point{} + std::chrono::seconds(10);
    EXPECT_FALSE(ac.offer(soft, *facesSoft, vSoft, t0));
    EXPECT_FALSE(ac.offer(sharp, *faces, vSharp, t0 + std::chrono::milliseconds(100)));
    EXPECT_FALSE(ac.offer(soft, *facesSoft, vSoft, t0 + std::chrono::milliseconds(200)));
    auto got = ac.offer(soft, *facesSoft, vSoft, t0 + std::chrono::milliseconds(600));
    ASSERT_TRUE(got);
    EXPECT_DOUBLE_EQ(got->verdict.sharpness, vSharp.sharpness);
    // Failing frames never start a window.
    QualityVerdict bad;
    EXPECT_FALSE(ac.offer(soft, {}, bad, t0 + std::chrono::seconds(5)));
    EXPECT_FALSE(ac.offer(soft, {}, bad, t0 + std::chrono::seconds(9)));
}
