// Model manifest, locating and checking model files, detection (YuNet and the Haar fallback).
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "devices/face/detector.hpp"
#include "devices/face/models.hpp"
#include "face_data.hpp"
#include "test_support.hpp"

using namespace devices::face;
namespace fs = std::filesystem;

namespace {

class EnvGuard {
public:
    EnvGuard(const char* name, const std::string& value) : m_name(name) {
        if (const char* old = std::getenv(name)) m_old = old;
        ::setenv(name, value.c_str(), 1);
    }
    ~EnvGuard() {
        if (m_old) ::setenv(m_name, m_old->c_str(), 1);
        else ::unsetenv(m_name);
    }

private:
    const char* m_name;
    std::optional<std::string> m_old;
};

#define REQUIRE_MODELS()                                                                        \
    const std::string modelDir = facetest::envStr("KIOSK_MODEL_DIR");                          \
    if (modelDir.empty()) GTEST_SKIP() << "KIOSK_MODEL_DIR is empty: ../shared/models is absent"

#define REQUIRE_FACES()                                                                         \
    const fs::path facesDir = facetest::envStr("KIOSK_TEST_FACES");                            \
    if (facesDir.empty()) GTEST_SKIP() << "KIOSK_TEST_FACES is empty: ../shared/testdata is absent"

std::unique_ptr<FaceDetector> yunet() {
    auto m = facetest::manifest();
    EXPECT_TRUE(m) << m.error().message;
    if (!m) return nullptr;
    auto d = FaceDetector::create(*m);
    EXPECT_TRUE(d) << d.error().message;
    return d ? std::move(*d) : nullptr;
}

}  // namespace

TEST(FaceManifest, ParsesTheShippedManifest) {
    auto m = facetest::manifest();
    ASSERT_TRUE(m) << m.error().message;
    ASSERT_NE(m->find("yunet-2022mar"), nullptr);
    ASSERT_NE(m->find("haar-frontalface"), nullptr);
    const auto recs = m->ofKind(ModelKind::Recognizer);
    ASSERT_EQ(recs.size(), 3U);
    EXPECT_EQ(recs[0]->name, "sface");
    EXPECT_EQ(recs[1]->name, "mobilefacenet");
    EXPECT_EQ(recs[2]->name, "dlib");
    EXPECT_EQ(recs[2]->metric, Metric::L2);
    EXPECT_EQ(recs[2]->alignment, Alignment::Dlib150);
    EXPECT_EQ(recs[2]->runner, Runner::DnnNet);
    EXPECT_EQ(recs[1]->alignment, Alignment::ArcFace112);
    EXPECT_TRUE(detectorSupportsThisOpenCv(*m->find(CV_VERSION_MAJOR * 100 + CV_VERSION_MINOR < 408 ? "yunet-2022mar"
                                                                                                       : "yunet-2023mar")));
}

TEST(FaceManifest, RejectsBadEntries) {
    const std::string good =
        "[[model]]\nname='x'\nkind='recognizer'\nfile='x.onnx'\nsize=1\nsha256='" + std::string(64, 'a') +
        "'\nalignment='arcface-112'\nmetric='cosine'\naccept_threshold=0.3\nreject_threshold=0.1\n";
    ASSERT_TRUE(ModelManifest::parse(good, "t.toml")) << ModelManifest::parse(good, "t.toml").error().message;
    auto bad = [](std::string text) { return ModelManifest::parse(text, "t.toml"); };
    std::string s = good;
    s.replace(s.find("cosine"), 6, "manhattan");
    EXPECT_EQ(bad(s).error().code, devices::ErrorCode::Malformed);
    EXPECT_NE(bad(s).error().message.find("manhattan"), std::string::npos);
    s = good;
    s.replace(s.find("accept_threshold=0.3"), 20, "accept_threshold=0.0");  // accept below reject for cosine
    EXPECT_FALSE(bad(s));
    EXPECT_FALSE(bad("[[model]]\nname='x'\n"));
    EXPECT_FALSE(bad("this is = = not toml"));
    EXPECT_FALSE(bad("schema = 1\n"));
}

TEST(FaceManifest, MissingModelNamesTheFileAndWhatToDo) {
    auto m = facetest::manifest();
    ASSERT_TRUE(m);
    testsupport::TempDir empty;
    ModelLocator loc{{empty.path()}};
    auto r = verifyModel(*m->find("mobilefacenet"), loc);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, devices::ErrorCode::NotAvailable);
    EXPECT_NE(r.error().message.find("face_recognition_mobilefacenet_foamliu.onnx"), std::string::npos);
    EXPECT_NE(r.error().message.find(empty.path().string()), std::string::npos);
    EXPECT_NE(r.error().message.find("KIOSK_MODEL_DIR"), std::string::npos);
}

TEST(FaceManifest, CorruptedModelIsAnIntegrityError) {
    REQUIRE_MODELS();
    auto m = facetest::manifest();
    ASSERT_TRUE(m);
    testsupport::TempDir dir;
    const auto* e = m->find("yunet-2022mar");
    std::string bytes = testsupport::readFile(fs::path(modelDir) / e->file);
    ASSERT_EQ(bytes.size(), e->size);
    bytes[bytes.size() / 2] ^= 0x55;  // same size, one byte flipped
    testsupport::writeFile(dir / e->file, bytes);
    ModelLocator loc{{dir.path()}};
    auto r = verifyModel(*e, loc);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, devices::ErrorCode::Integrity);
    EXPECT_NE(r.error().message.find((dir / e->file).string()), std::string::npos);
    EXPECT_NE(r.error().message.find("replace it"), std::string::npos);
    // Truncated: caught by the size check.
    testsupport::writeFile(dir / e->file, bytes.substr(0, 1000));
    r = verifyModel(*e, loc);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, devices::ErrorCode::Integrity);
    // The good file verifies.
    EXPECT_TRUE(verifyModel(*e, ModelLocator{{modelDir}})) << verifyModel(*e, ModelLocator{{modelDir}}).error().message;
    // Asking explicitly for the corrupted detector fails with the integrity error.
    EnvGuard g("KIOSK_MODEL_DIR", dir.path().string());
    testsupport::writeFile(dir / e->file, std::string(bytes.size(), 'x'));
    auto d = FaceDetector::create(*m, DetectorOptions{.configuredModelDir = dir.path().string(), .detector = e->name});
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().code, devices::ErrorCode::Integrity);
}

TEST(FaceDetect, HaarFallbackWhenYuNetIsAbsent) {
    REQUIRE_FACES();
    auto m = facetest::manifest();
    ASSERT_TRUE(m);
    testsupport::TempDir empty;
    EnvGuard g("KIOSK_MODEL_DIR", empty.path().string());
    auto d = FaceDetector::create(*m);
    ASSERT_TRUE(d) << d.error().message << " (is opencv-data installed?)";
    EXPECT_TRUE((*d)->isFallback());
    EXPECT_EQ((*d)->name(), "haar-frontalface");
    EXPECT_NE((*d)->warning.find("Haar"), std::string::npos);
    auto faces = (*d)->detect(cv::imread((facesDir / "b_chirac_1.jpg").string()));
    ASSERT_TRUE(faces);
    ASSERT_GE(faces->size(), 1U);
    EXPECT_FALSE(faces->front().hasLandmarks);
    // The Chirac box from the data README: 160,113,265,344 -- the Haar box must overlap it.
    const cv::Rect2f ref(160, 113, 265, 344);
    EXPECT_GT((faces->front().box & ref).area(), 0.3 * ref.area());
    auto none = (*d)->detect(cv::imread((facesDir / "no_face.jpg").string()));
    ASSERT_TRUE(none);
}

TEST(FaceDetect, CountsOnEveryTestImage) {
    REQUIRE_MODELS();
    REQUIRE_FACES();
    auto det = yunet();
    ASSERT_TRUE(det);
    EXPECT_FALSE(det->isFallback());
    EXPECT_EQ(det->name(), CV_VERSION_MAJOR * 100 + CV_VERSION_MINOR < 408 ? "yunet-2022mar" : "yunet-2023mar");
    for (const auto& file : facetest::singleFaceFiles()) {
        cv::Mat img = cv::imread((facesDir / file).string());
        ASSERT_FALSE(img.empty()) << file;
        if (file.find("idchip") != std::string::npos) img = padForDetection(img);
        auto faces = det->detect(img);
        ASSERT_TRUE(faces) << file << ": " << faces.error().message;
        EXPECT_EQ(faces->size(), 1U) << file;
        if (!faces->empty()) {
            EXPECT_GE(faces->front().score, 0.9F) << file;
            EXPECT_TRUE(faces->front().hasLandmarks);
            // Landmarks inside the box, eyes above the mouth.
            const auto& f = faces->front();
            EXPECT_TRUE(f.box.contains(f.landmarks[2])) << file;
            EXPECT_LT(f.landmarks[0].y, f.landmarks[3].y) << file;
        }
    }
    auto two = det->detect(cv::imread((facesDir / "two_faces_obama_chirac_640x480.jpg").string()));
    ASSERT_TRUE(two);
    EXPECT_EQ(two->size(), 2U);
    auto crowd = det->detect(cv::imread((facesDir / "multi_faces_crowd.jpg").string()));
    ASSERT_TRUE(crowd);
    ASSERT_GE(crowd->size(), 2U);
    // Largest first, and the largest is Chirac at about 137,85,182,208.
    EXPECT_GE(crowd->front().area(), (*crowd)[1].area());
    EXPECT_GT((crowd->front().box & cv::Rect2f(137, 85, 182, 208)).area(), 0.7 * 182 * 208);
    auto none = det->detect(cv::imread((facesDir / "no_face.jpg").string()));
    ASSERT_TRUE(none);
    EXPECT_EQ(none->size(), 0U);
    // A large image is scaled down before detection and boxes come back in its coordinates.
    cv::Mat big;
    cv::resize(cv::imread((facesDir / "b_chirac_1.jpg").string()), big, cv::Size(1280, 1280));
    auto bigFaces = det->detect(big);
    ASSERT_TRUE(bigFaces);
    ASSERT_EQ(bigFaces->size(), 1U);
    EXPECT_GT((bigFaces->front().box & cv::Rect2f(320, 226, 530, 688)).area(), 0.7 * 530 * 688);
}

TEST(FaceDetect, EmptyImageIsInvalidInput) {
    REQUIRE_MODELS();
    auto det = yunet();
    ASSERT_TRUE(det);
    auto r = det->detect(cv::Mat());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, devices::ErrorCode::InvalidInput);
}

TEST(FaceModelLookup, ConfiguredThenEnvironmentThenInstalledThenBuildTree) {
    testsupport::TempDir a, b;
    EnvGuard g("KIOSK_MODEL_DIR", b.path().string());
    const auto loc = ModelLocator::fromEnvironment(a.path().string());
    ASSERT_GE(loc.dirs.size(), 3U);
    EXPECT_EQ(loc.dirs[0], a.path());
    EXPECT_EQ(loc.dirs[1], b.path());
    EXPECT_EQ(loc.dirs[2], installedModelDir());
    EXPECT_TRUE(installedModelDir().string().ends_with("share/badge-kiosk/models")) << installedModelDir();
    // This build has a model directory of its own (packaging/face/dlib-model.cmake), searched last.
    ASSERT_FALSE(buildModelDir().empty());
    ASSERT_EQ(loc.dirs.size(), 4U);
    EXPECT_EQ(loc.dirs[3], buildModelDir());
    // Without a configured directory and without $KIOSK_MODEL_DIR: the installed directory comes first.
    ::unsetenv("KIOSK_MODEL_DIR");
    const auto plain = ModelLocator::fromEnvironment();
    ASSERT_EQ(plain.dirs.size(), 2U);
    EXPECT_EQ(plain.dirs[0], installedModelDir());
}

TEST(FaceModelLookup, FirstDirectoryHoldingTheFileWins) {
    auto m = facetest::manifest();
    ASSERT_TRUE(m);
    const ModelEntry& e = *m->find("mobilefacenet");
    testsupport::TempDir first, second, third;
    testsupport::writeFile(second / e.file, "second");
    testsupport::writeFile(third / e.file, "third");
    const ModelLocator loc{{first.path(), second.path(), third.path()}};
    ASSERT_TRUE(loc.locate(e));
    EXPECT_EQ(*loc.locate(e), second / e.file);
    const std::string where = loc.describe(e);
    EXPECT_LT(where.find(first.path().string()), where.find(second.path().string()));
    EXPECT_LT(where.find(second.path().string()), where.find(third.path().string()));
    // The Haar cascade falls back to Debian's opencv-data directories after the model directories.
    const ModelEntry& haar = *m->find("haar-frontalface");
    const auto cascade = loc.locate(haar);
    ASSERT_TRUE(cascade) << "opencv-data is not installed";
    EXPECT_TRUE(cascade->string().starts_with("/usr/share/opencv")) << *cascade;
}

TEST(FaceManifest, AlsoAcceptNamesOtherBuildsOfTheSameModel) {
    testsupport::TempDir dir;
    testsupport::writeFile(dir / "m.onnx", "abc");  // SHA-256 of "abc":
    const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    const std::string text = "[[model]]\nname='x'\nkind='detector'\nfile='m.onnx'\nsize=5\nsha256='" +
                             std::string(64, 'a') + "'\nalso_accept=[{ size = 3, sha256 = '" + abc + "' }]\n";
    auto m = ModelManifest::parse(text, "t.toml");
    ASSERT_TRUE(m) << m.error().message;
    ASSERT_EQ(m->models[0].alsoAccept.size(), 1U);
    EXPECT_TRUE(verifyModel(m->models[0], ModelLocator{{dir.path()}}));
    testsupport::writeFile(dir / "m.onnx", "abd");
    auto r = verifyModel(m->models[0], ModelLocator{{dir.path()}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, devices::ErrorCode::Integrity);
    auto bad = ModelManifest::parse("[[model]]\nname='x'\nkind='detector'\nfile='m.onnx'\nsize=5\nsha256='" +
                                        std::string(64, 'a') + "'\nalso_accept=[{ size = 3 }]\n",
                                    "t.toml");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("also_accept"), std::string::npos);
}

TEST(FaceModelInstall, ManifestAndBuiltModelsGoToShareBadgeKioskModels) {
    // `cmake --install` of the models component into a scratch prefix.
    testsupport::TempDir prefix;
    const auto r = testsupport::run({KIOSK_CMAKE_COMMAND, "--install", KIOSK_BINARY_DIR, "--component", "models",
                                     "--prefix", prefix.path().string()});
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    const fs::path dir = prefix / "share" / "badge-kiosk" / "models";
    ASSERT_TRUE(fs::is_regular_file(dir / "manifest.toml")) << r.out;
    EXPECT_TRUE(fs::is_regular_file(dir / "LICENSE.face_recognition_dlib_resnet_facejs.txt"));
    auto m = ModelManifest::load(dir / "manifest.toml");
    ASSERT_TRUE(m) << m.error().message;
    const ModelEntry& dlib = *m->find("dlib");
    if (!fs::exists(buildModelDir() / dlib.file))
        GTEST_SKIP() << "the build could not obtain the dlib model (no npm or no network): only the manifest was checked";
    ASSERT_TRUE(fs::is_regular_file(dir / dlib.file));
    const auto v = verifyModel(dlib, ModelLocator{{dir}});
    EXPECT_TRUE(v) << v.error().message;
}
