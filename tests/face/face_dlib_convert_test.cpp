// The project's own TF.js -> ONNX converter for dlib's ResNet (packaging/face) against the reference ONNX.
#include <gtest/gtest.h>

#include <opencv2/dnn.hpp>

#include "devices/face/recognizer.hpp"
#include "face_data.hpp"
#include "test_support.hpp"

using namespace devices::face;

TEST(DlibConverter, DescriptorsMatchTheReferenceModel) {
    if (facetest::envStr("KIOSK_MODEL_DIR").empty() || facetest::envStr("KIOSK_TEST_FACES").empty())
        GTEST_SKIP() << "KIOSK_MODEL_DIR or KIOSK_TEST_FACES is empty: ../shared is absent";
    // Fetches the npm tarball once (cached in ~/.cache/badge-kiosk), checks its hashes, converts, checks the
    // result's SHA-256 against the one the manifest accepts (also_accept).
    // --force: convert again even when a checked result is cached (the tarball still comes from the cache).
    const auto r = testsupport::run({KIOSK_SOURCE_DIR "/packaging/face/build-dlib-model", "--force", KIOSK_FACE_DLIB_OUT});
    if (r.exitCode == 3) GTEST_SKIP() << "the npm package could not be fetched: " << r.err;
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const std::string converted = KIOSK_FACE_DLIB_OUT "/face_recognition_dlib_resnet_facejs.onnx";

    auto m = facetest::manifest();
    ASSERT_TRUE(m) << m.error().message;
    auto det = FaceDetector::create(*m);
    ASSERT_TRUE(det) << det.error().message;
    // The manifest accepts the project's own build (also_accept), so a fresh machine can load it.
    const auto accepted = verifyModel(*m->find("dlib"), ModelLocator{{KIOSK_FACE_DLIB_OUT}});
    EXPECT_TRUE(accepted) << accepted.error().message;
    auto ref = FaceRecognizer::createFor(*m->find("dlib"), ModelLocator::fromEnvironment());
    ASSERT_TRUE(ref) << ref.error().message;
    cv::dnn::Net net = cv::dnn::readNetFromONNX(converted);
    ASSERT_FALSE(net.empty());

    std::string err;
    const auto faces = facetest::loadLabeledFaces(**det, facetest::envStr("KIOSK_TEST_FACES"), err);
    ASSERT_FALSE(faces.empty()) << err;
    double worst = 0.0;
    for (const auto& f : faces) {
        auto chip = (*ref)->align(f.image, f.face);
        ASSERT_TRUE(chip);
        auto want = (*ref)->embedAligned(*chip);
        ASSERT_TRUE(want);
        net.setInput(cv::dnn::blobFromImage(*chip, 1.0, cv::Size(150, 150), cv::Scalar(), true));
        const cv::Mat got = net.forward().reshape(1, 1);
        ASSERT_EQ(got.total(), 128U);
        const double diff = cv::norm(got, *want, cv::NORM_INF);
        EXPECT_LE(diff, 1e-4) << f.label;
        worst = std::max(worst, diff);
    }
    RecordProperty("max_abs_difference", std::to_string(worst));
    std::printf("max abs difference over %zu faces: %.3g\n", faces.size(), worst);
}
