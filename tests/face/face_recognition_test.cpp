// 1:1 verification with every recognition model present, on the whole labelled test set.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "devices/face/recognizer.hpp"
#include "face_data.hpp"

using namespace devices::face;
namespace fs = std::filesystem;

namespace {

struct Fixture {
    ModelManifest manifest;
    std::unique_ptr<FaceDetector> detector;
    std::vector<facetest::LabeledFace> faces;
};

/// Loads once per process (detecting 30 faces takes about a second).
const Fixture* fixture(std::string& skip) {
    static std::optional<Fixture> f;
    static std::string why;
    static bool done = false;
    if (!done) {
        done = true;
        if (facetest::envStr("KIOSK_MODEL_DIR").empty() || facetest::envStr("KIOSK_TEST_FACES").empty()) {
            why = "KIOSK_MODEL_DIR or KIOSK_TEST_FACES is empty: ../shared is absent";
        } else {
            auto m = facetest::manifest();
            auto d = m ? FaceDetector::create(*m) : std::unexpected(m.error());
            if (!d) {
                why = "FAIL:" + d.error().message;
            } else {
                std::string err;
                auto faces = facetest::loadLabeledFaces(**d, facetest::envStr("KIOSK_TEST_FACES"), err);
                if (faces.empty()) why = "FAIL:" + err;
                else f = Fixture{std::move(*m), std::move(*d), std::move(faces)};
            }
        }
    }
    skip = why;
    return f ? &*f : nullptr;
}

#define REQUIRE_FIXTURE(var)                                        \
    std::string skipWhy;                                            \
    const Fixture* var = fixture(skipWhy);                          \
    if (!var && skipWhy.starts_with("FAIL:")) FAIL() << skipWhy;    \
    if (!var) GTEST_SKIP() << skipWhy

}  // namespace

TEST(FaceDecision, ThreeWaysForBothMetrics) {
    EXPECT_EQ(decideScore(Metric::Cosine, 0.3, 0.12, 0.31), Decision::Match);
    EXPECT_EQ(decideScore(Metric::Cosine, 0.3, 0.12, 0.30), Decision::Match);
    EXPECT_EQ(decideScore(Metric::Cosine, 0.3, 0.12, 0.2), Decision::Refer);
    EXPECT_EQ(decideScore(Metric::Cosine, 0.3, 0.12, 0.11), Decision::NoMatch);
    EXPECT_EQ(decideScore(Metric::L2, 0.44, 0.7, 0.3), Decision::Match);
    EXPECT_EQ(decideScore(Metric::L2, 0.44, 0.7, 0.5), Decision::Refer);
    EXPECT_EQ(decideScore(Metric::L2, 0.44, 0.7, 0.71), Decision::NoMatch);
    EXPECT_EQ(decisionName(Decision::NoMatch), "no-match");
}

TEST(FaceRecognition, AutoPicksTheBestPresentModel) {
    REQUIRE_FIXTURE(fx);
    auto r = FaceRecognizer::create(fx->manifest);
    ASSERT_TRUE(r) << r.error().message;
    // SFace is not available here; MobileFaceNet is next in the manifest's order.
    const bool sfacePresent = ModelLocator::fromEnvironment().locate(*fx->manifest.find("sface")).has_value();
    EXPECT_EQ((*r)->entry().name, sfacePresent ? "sface" : "mobilefacenet");
    auto bad = FaceRecognizer::create(fx->manifest, RecognizerOptions{.configuredModelDir = {}, .model = "nonesuch"});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, devices::ErrorCode::InvalidInput);
}

TEST(FaceRecognition, NoStrangerMatchedNoGenuinePairRejectedForEveryModel) {
    REQUIRE_FIXTURE(fx);
    const auto locator = ModelLocator::fromEnvironment();
    int modelsTested = 0;
    for (const auto* e : fx->manifest.ofKind(ModelKind::Recognizer)) {
        if (!locator.locate(*e)) continue;  // SFace is not available here
        auto rec = FaceRecognizer::createFor(*e, locator);
        ASSERT_TRUE(rec) << rec.error().message;
        ++modelsTested;
        std::vector<cv::Mat> emb;
        for (const auto& f : fx->faces) {
            auto v = (*rec)->embed(f.image, f.face);
            ASSERT_TRUE(v) << f.label << ": " << v.error().message;
            emb.push_back(*v);
        }
        int same = 0, diff = 0, matchedSame = 0;
        for (size_t i = 0; i < fx->faces.size(); ++i)
            for (size_t j = i + 1; j < fx->faces.size(); ++j) {
                const auto& a = fx->faces[i];
                const auto& b = fx->faces[j];
                const double s = (*rec)->score(emb[i], emb[j]);
                const Decision d = (*rec)->decide(s);
                if (a.person == b.person) {
                    ++same;
                    EXPECT_NE(d, Decision::NoMatch) << e->name << " rejects " << a.label << " vs " << b.label << " " << s;
                    matchedSame += d == Decision::Match;
                    // The one-session East Asian pairs are easy for both models.
                    if (a.eastAsian()) {
                        EXPECT_EQ(d, Decision::Match) << e->name << " " << a.label << " vs " << b.label;
                    }
                } else {
                    ++diff;
                    EXPECT_NE(d, Decision::Match) << e->name << " accepts " << a.label << " vs " << b.label << " " << s;
                }
            }
        EXPECT_EQ(same, 35);
        EXPECT_EQ(diff, 400);
        EXPECT_GE(matchedSame, 27) << e->name << ": too many genuine pairs referred to staff";
    }
    EXPECT_GE(modelsTested, 2);
}

TEST(FaceRecognition, VerifyLivePhotoAgainstChipPhoto) {
    REQUIRE_FIXTURE(fx);
    auto rec = FaceRecognizer::create(fx->manifest);
    ASSERT_TRUE(rec);
    const fs::path dir = facetest::envStr("KIOSK_TEST_FACES");
    auto img = [&](const char* f) { return cv::imread((dir / f).string()); };
    auto same = verifyFaces(*fx->detector, **rec, img("f_london127_2.jpg"), img("f_london127_idchip_240x320.jpg"));
    ASSERT_TRUE(same) << same.error().message;
    EXPECT_EQ(same->decision, Decision::Match) << same->score;
    // The hardest stranger of the set (two young women from the same studio): never a match.
    auto close = verifyFaces(*fx->detector, **rec, img("i_london034_2.jpg"), img("f_london127_idchip_240x320.jpg"));
    ASSERT_TRUE(close);
    EXPECT_NE(close->decision, Decision::Match) << close->score;
    auto other = verifyFaces(*fx->detector, **rec, img("h_london119_2.jpg"), img("f_london127_idchip_240x320.jpg"));
    ASSERT_TRUE(other);
    EXPECT_EQ(other->decision, Decision::NoMatch) << other->score;
    auto noFace = verifyFaces(*fx->detector, **rec, img("no_face.jpg"), img("f_london127_idchip_240x320.jpg"));
    ASSERT_FALSE(noFace);
    EXPECT_EQ(noFace.error().code, devices::ErrorCode::InvalidInput);
    EXPECT_NE(noFace.error().message.find("live photo"), std::string::npos);
}

TEST(FaceRecognition, DlibChipIs150AndMobileFaceNetCropIs112) {
    REQUIRE_FIXTURE(fx);
    const auto locator = ModelLocator::fromEnvironment();
    for (const char* name : {"mobilefacenet", "dlib"}) {
        const auto* e = fx->manifest.find(name);
        if (!locator.locate(*e)) continue;
        auto rec = FaceRecognizer::createFor(*e, locator);
        ASSERT_TRUE(rec);
        auto crop = (*rec)->align(fx->faces[0].image, fx->faces[0].face);
        ASSERT_TRUE(crop);
        EXPECT_EQ(crop->cols, e->inputSize);
        EXPECT_EQ(crop->rows, e->inputSize);
        auto v = (*rec)->embedAligned(*crop);
        ASSERT_TRUE(v);
        EXPECT_EQ(v->total(), 128U);
    }
}
