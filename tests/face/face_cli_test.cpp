// kioskctl face detect|match, camera snap, models check (run as a program, JSON checked).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <opencv2/imgcodecs.hpp>

#include "face_data.hpp"
#include "test_support.hpp"

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

class FaceCli : public ::testing::Test {
protected:
    void SetUp() override {
        m_ctl = facetest::envStr("KIOSKCTL");
        m_faces = facetest::envStr("KIOSK_TEST_FACES");
        if (m_ctl.empty()) GTEST_SKIP() << "KIOSKCTL is not set (run through CTest)";
        if (m_faces.empty() || facetest::envStr("KIOSK_MODEL_DIR").empty())
            GTEST_SKIP() << "KIOSK_MODEL_DIR or KIOSK_TEST_FACES is empty: ../shared is absent";
    }
    testsupport::RunResult ctl(std::vector<std::string> args, std::vector<std::string> env = {}) {
        args.insert(args.begin(), m_ctl);
        args.emplace_back("--json");
        return testsupport::run(args, env);
    }
    static json parse(const testsupport::RunResult& r) {
        try {
            return json::parse(r.out);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "not JSON: " << r.out << " / " << r.err;
            return json::object();
        }
    }
    std::string face(const char* f) const { return (m_faces / f).string(); }
    std::string m_ctl;
    fs::path m_faces;
};

}  // namespace

TEST_F(FaceCli, DetectReportsFacesAndQuality) {
    auto r = ctl({"face", "detect", face("two_faces_obama_chirac_640x480.jpg")});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto j = parse(r);
    EXPECT_EQ(j["detector"], "yunet-2022mar");
    ASSERT_EQ(j["faces"].size(), 2U);
    EXPECT_EQ(j["faces"][0]["landmarks"].size(), 5U);
    EXPECT_GE(j["faces"][0]["score"].get<double>(), 0.9);
    EXPECT_EQ(j["quality"]["pass"], false);
    EXPECT_EQ(j["quality"]["instruction"], "only-one-person");
    r = ctl({"face", "detect", face("e_london087_1.jpg")});
    ASSERT_EQ(r.exitCode, 0);
    j = parse(r);
    EXPECT_EQ(j["faces"].size(), 1U);
    EXPECT_EQ(j["quality"]["pass"], true);
    EXPECT_TRUE(j["quality"]["instruction"].is_null());
    r = ctl({"face", "detect", face("no_face.jpg")});
    EXPECT_EQ(parse(r)["quality"]["instruction"], "no-face");
}

TEST_F(FaceCli, MatchGivesThreeWayDecision) {
    auto r = ctl({"face", "match", face("g_london005_2.jpg"), face("g_london005_idchip_240x320.jpg")});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto j = parse(r);
    EXPECT_EQ(j["model"], "mobilefacenet");
    EXPECT_EQ(j["metric"], "cosine");
    EXPECT_EQ(j["decision"], "match");
    EXPECT_EQ(j["same"], true);
    EXPECT_GT(j["score"].get<double>(), j["accept_threshold"].get<double>());
    r = ctl({"face", "match", face("a_obama_2.jpg"), face("b_chirac_1.jpg"), "--model", "dlib"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    j = parse(r);
    EXPECT_EQ(j["model"], "dlib");
    EXPECT_EQ(j["metric"], "l2");
    EXPECT_EQ(j["decision"], "no-match");
    EXPECT_EQ(j["same"], false);
    // Closest strangers of the set with dlib: referred to staff, and `same` is false.
    r = ctl({"face", "match", face("f_london127_2.jpg"), face("i_london034_2.jpg"), "--model", "dlib"});
    j = parse(r);
    EXPECT_EQ(j["decision"], "refer");
    EXPECT_EQ(j["same"], false);
}

TEST_F(FaceCli, BadImagesAreExitOneNeverACrash) {
    testsupport::TempDir dir;
    testsupport::writeFile(dir / "junk.jpg", std::string(5000, 'x'));
    auto r = ctl({"face", "match", (dir / "junk.jpg").string(), face("a_obama_1.jpg")});
    EXPECT_EQ(r.exitCode, 1);
    auto j = parse(r);
    EXPECT_EQ(j["ok"], false);
    EXPECT_NE(j["error"]["message"].get<std::string>().find("junk.jpg"), std::string::npos);
    // A truncated JPEG.
    std::string bytes = testsupport::readFile(face("a_obama_1.jpg"));
    testsupport::writeFile(dir / "cut.jpg", bytes.substr(0, 200));
    r = ctl({"face", "detect", (dir / "cut.jpg").string()});
    EXPECT_EQ(r.exitCode, 1) << r.out;
    r = ctl({"face", "detect", (dir / "missing.jpg").string()});
    EXPECT_EQ(r.exitCode, 1);
    r = ctl({"face", "match", face("no_face.jpg"), face("a_obama_1.jpg")});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(parse(r)["error"]["message"].get<std::string>().find("no face"), std::string::npos);
    r = ctl({"face", "match", face("a_obama_1.jpg"), face("a_obama_2.jpg"), "--model", "nonesuch"});
    EXPECT_EQ(r.exitCode, 1);
}

TEST_F(FaceCli, SnapFromFolderWritesPortraitAndClipReportsWhy) {
    testsupport::TempDir dir;
    fs::create_directory(dir / "cam");
    fs::copy_file(face("h_london119_1.jpg"), dir / "cam" / "frame.jpg");
    auto r = ctl({"camera", "snap", "--source", "file:" + (dir / "cam").string(), "--out", (dir / "p.jpg").string(),
                  "--timeout", "10"});
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    auto j = parse(r);
    EXPECT_EQ(j["ok"], true);
    const cv::Mat p = cv::imread((dir / "p.jpg").string());
    EXPECT_EQ(p.cols, 358);
    EXPECT_EQ(p.rows, 441);
    // A camera that never shows a face: the command gives up and says why.
    fs::create_directory(dir / "empty-scene");
    fs::copy_file(face("no_face.jpg"), dir / "empty-scene" / "frame.jpg");
    r = ctl({"camera", "snap", "--source", "file:" + (dir / "empty-scene").string(), "--out", (dir / "q.jpg").string(),
             "--timeout", "1.5"});
    EXPECT_EQ(r.exitCode, 1);
    j = parse(r);
    EXPECT_EQ(j["ok"], false);
    EXPECT_EQ(j["last_instruction"], "no-face");
    EXPECT_GT(j["frames"].get<int>(), 5);
    EXPECT_FALSE(fs::exists(dir / "q.jpg"));
    r = ctl({"camera", "snap", "--source", "v4l2:/dev/video97", "--out", (dir / "r.jpg").string()});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_EQ(parse(r)["error"]["code"], "not-available");
}

// The demo: the camera clip (head tilted ~20 degrees) gives a portrait that matches the virtual passport's chip photo.
TEST_F(FaceCli, SnapFromTheClipMatchesTheDemoChipPhoto) {
    testsupport::TempDir dir;
    auto r = ctl({"camera", "snap", "--source", "file:" + face("camera_clip_obama_640x480_mjpg.avi"), "--out",
                  (dir / "p.jpg").string(), "--timeout", "60", "--match", face("a_obama_idchip_240x320.jpg")});
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    auto j = parse(r);
    EXPECT_EQ(j["ok"], true);
    EXPECT_EQ(j["quality"]["pass"], true);
    EXPECT_LT(j["quality"]["roll_deg"].get<double>(), -15.0);
    EXPECT_EQ(j["match"]["model"], "mobilefacenet");
    EXPECT_EQ(j["match"]["decision"], "match");
    EXPECT_EQ(j["match"]["same"], true);
    EXPECT_GE(j["match"]["score"].get<double>(), j["match"]["accept_threshold"].get<double>());
    EXPECT_EQ(cv::imread((dir / "p.jpg").string()).size(), cv::Size(358, 441));
    // Against another person's chip photo: never `match`.
    r = ctl({"camera", "snap", "--source", "file:" + face("camera_clip_obama_640x480_mjpg.avi"), "--out",
             (dir / "q.jpg").string(), "--timeout", "60", "--match", face("h_london119_idchip_240x320.jpg")});
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    j = parse(r);
    EXPECT_NE(j["match"]["decision"], "match");
    EXPECT_EQ(j["match"]["same"], false);
    // A reference that is not an image: a clear error before the camera starts.
    r = ctl({"camera", "snap", "--source", "file:" + face("camera_clip_obama_640x480_mjpg.avi"), "--out",
             (dir / "s.jpg").string(), "--match", (dir / "nothing.jpg").string()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_FALSE(fs::exists(dir / "s.jpg"));
}

TEST_F(FaceCli, ModelsCheckReportsEachModel) {
    auto r = ctl({"models", "check"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto j = parse(r);
    EXPECT_EQ(j["detector"], "yunet-2022mar");
    EXPECT_EQ(j["recognizer"], "mobilefacenet");
    bool sawSface = false;
    for (const auto& m : j["models"]) {
        if (m["name"] == "sface") {
            sawSface = true;
            EXPECT_EQ(m["present"], false);
        }
        if (m["name"] == "dlib") {
            EXPECT_EQ(m["valid"], true);
        }
    }
    EXPECT_TRUE(sawSface);
    // With an empty model directory: Haar fallback; the only recognizer left is the dlib model the build
    // obtained itself (build tree's models/), if it could.
    testsupport::TempDir empty;
    r = ctl({"models", "check"}, {"KIOSK_MODEL_DIR=" + empty.path().string()});
    j = parse(r);
    EXPECT_EQ(j["detector"], "haar-frontalface");
    EXPECT_EQ(j["detector_fallback"], true);
    if (fs::exists(devices::face::buildModelDir() / "face_recognition_dlib_resnet_facejs.onnx")) {
        EXPECT_EQ(r.exitCode, 0);
        EXPECT_EQ(j["recognizer"], "dlib");
    } else {
        EXPECT_EQ(r.exitCode, 2);
        EXPECT_TRUE(j["recognizer"].is_null());
    }
}
