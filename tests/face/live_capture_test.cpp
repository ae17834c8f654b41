// LiveCapture: the live photo pipeline on the camera clip and the test faces (real models, real images).
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include "devices/camera/camera.hpp"
#include "devices/face/live_capture.hpp"
#include "face_data.hpp"

using namespace devices::face;
using namespace std::chrono_literals;
namespace camera = devices::camera;
namespace fs = std::filesystem;

namespace {

LiveCaptureOptions options(std::chrono::milliseconds window, std::chrono::milliseconds timeout = 0ms) {
    LiveCaptureOptions o;
    o.window = window;
    o.timeout = timeout;
    return o;
}

class LiveCaptureTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (facetest::envStr("KIOSK_MODEL_DIR").empty() || facetest::envStr("KIOSK_TEST_FACES").empty())
            GTEST_SKIP() << "KIOSK_MODEL_DIR or KIOSK_TEST_FACES is empty: ../shared is absent";
        auto m = facetest::manifest();
        ASSERT_TRUE(m) << m.error().message;
        m_manifest = std::move(*m);
        m_dir = facetest::envStr("KIOSK_TEST_FACES");
    }
    std::unique_ptr<LiveCapture> make(const std::string& model = "auto", LiveCaptureOptions o = {}) {
        auto live = LiveCapture::create(m_manifest, {}, RecognizerOptions{.configuredModelDir = {}, .model = model},
                                        std::move(o));
        EXPECT_TRUE(live) << live.error().message;
        return live ? std::move(*live) : nullptr;
    }
    cv::Mat image(const std::string& file) const {
        cv::Mat m = cv::imread((m_dir / file).string(), cv::IMREAD_COLOR);
        EXPECT_FALSE(m.empty()) << file;
        return m;
    }
    std::string clip() const { return (m_dir / "camera_clip_obama_640x480_mjpg.avi").string(); }
    std::vector<cv::Mat> clipFrames() const {
        std::vector<cv::Mat> frames;
        cv::VideoCapture cap(clip(), cv::CAP_FFMPEG);
        for (cv::Mat f; cap.read(f);) frames.push_back(f.clone());
        return frames;
    }
    /// Offers @p frames in a loop (as a camera thread would) until a result is posted or @p limit passes.
    static std::optional<LiveResult> feed(LiveCapture& live, const std::vector<cv::Mat>& frames,
                                          std::chrono::seconds limit = 60s) {
        const auto end = std::chrono::steady_clock::now() + limit;
        std::uint64_t seq = 0;
        while (std::chrono::steady_clock::now() < end) {
            camera::Frame f;
            f.image = frames[seq % frames.size()];
            f.sequence = ++seq;
            f.captured = std::chrono::steady_clock::now();
            live.submit(f);
            if (auto r = live.waitResult(40ms)) return r;
        }
        return std::nullopt;
    }
    /// Roll of the largest face found in @p img (degrees).
    double rollIn(const cv::Mat& img) {
        auto d = FaceDetector::create(m_manifest);
        EXPECT_TRUE(d);
        auto faces = (*d)->detect(img);
        EXPECT_TRUE(faces && !faces->empty());
        if (!faces || faces->empty()) return 999.0;
        return assessQuality(img, *faces).rollDeg;
    }

    ModelManifest m_manifest;
    fs::path m_dir;
};

}  // namespace

// The demo: the camera plays the clip (person A, head tilted ~20 degrees), the chip photo is the one the virtual
// passport carries (tests/devices_id/pcsc_stack.sh: a_obama_idchip_240x320.jpg).
TEST_F(LiveCaptureTest, ClipAutoCapturesAPortraitThatMatchesTheDemoChipPhoto) {
    auto live = make();
    ASSERT_TRUE(live);
    ASSERT_NE(live->recognizer(), nullptr);
    EXPECT_EQ(live->recognizer()->name, "mobilefacenet");  // the best model present in ../shared/models
    auto cam = camera::Camera::open(
        camera::CameraOptions{.source = "file:" + clip(), .width = 640, .height = 480, .fps = 15, .loop = true});
    ASSERT_TRUE(cam) << cam.error().message;
    EXPECT_EQ(live->state(), LiveState::Idle);
    live->attach(**cam);
    live->begin(image("a_obama_idchip_240x320.jpg"));
    EXPECT_EQ(live->state(), LiveState::Running);
    (*cam)->start();
    auto r = live->waitResult(120s);
    (*cam)->stop();
    live->detach();
    ASSERT_TRUE(r) << "no result; last preview instruction: " << live->preview().instruction;
    ASSERT_FALSE(r->error) << r->error->message;
    EXPECT_TRUE(r->verdict.pass);
    EXPECT_LT(r->verdict.rollDeg, -15.0) << "the clip's head is tilted";
    EXPECT_GE(r->framesAssessed, 1);
    EXPECT_GT(r->frameSequence, 0U);
    // The portrait: ID-photo size, JPEG, and levelled.
    ASSERT_EQ(r->portrait.size(), cv::Size(kPortraitWidth, kPortraitHeight));
    const cv::Mat back = cv::imdecode(r->portraitJpeg, cv::IMREAD_COLOR);
    ASSERT_EQ(back.size(), cv::Size(kPortraitWidth, kPortraitHeight));
    EXPECT_LT(std::abs(rollIn(r->portrait)), 6.0);
    // The match verdict against the chip photo.
    ASSERT_TRUE(r->match) << (r->matchError ? r->matchError->message : "");
    EXPECT_EQ(r->match->model, "mobilefacenet");
    EXPECT_EQ(r->match->decision, Decision::Match) << "score " << r->match->score;
    EXPECT_GE(r->match->score, r->match->acceptThreshold);
    // The preview shows the last assessed frame as RGBA with the face box inside it.
    const LivePreview p = live->preview();
    EXPECT_GT(p.generation, 0U);
    EXPECT_EQ(p.state, LiveState::Finished);
    EXPECT_EQ(live->state(), LiveState::Finished);
    EXPECT_EQ(p.image.type(), CV_8UC4);
    EXPECT_EQ(p.image.size(), cv::Size(640, 480));
    ASSERT_TRUE(p.faceBox);
    EXPECT_TRUE((cv::Rect2f(0, 0, 640, 480) & *p.faceBox).area() > 0.5F * p.faceBox->area());
    EXPECT_FALSE(live->takeResult()) << "a result is handed out once";
}

TEST_F(LiveCaptureTest, ClipAgainstOtherChipsIsNeverAMatchAndDlibDoesNotRejectTheRightOne) {
    const auto frames = clipFrames();
    ASSERT_EQ(frames.size(), 45U);
    for (const char* model : {"mobilefacenet", "dlib"}) {
        auto live = make(model, options(200ms));
        ASSERT_TRUE(live);
        live->begin(image("a_obama_idchip_240x320.jpg"));
        auto same = feed(*live, frames);
        ASSERT_TRUE(same && !same->error && same->match) << model;
        EXPECT_NE(same->match->decision, Decision::NoMatch) << model << " score " << same->match->score;
        if (std::string(model) == "mobilefacenet") {
            EXPECT_EQ(same->match->decision, Decision::Match);
        }
        for (const char* other : {"e_london087_idchip_240x320.jpg", "j_london024_idchip_240x320.jpg"}) {
            live->begin(image(other));
            auto r = feed(*live, frames);
            ASSERT_TRUE(r && !r->error && r->match) << model << " " << other;
            EXPECT_NE(r->match->decision, Decision::Match) << model << " " << other << " score " << r->match->score;
        }
    }
}

TEST_F(LiveCaptureTest, EachPersonMatchesTheirOwnChipOnly) {
    auto live = make("auto", options(0ms));
    ASSERT_TRUE(live);
    const std::vector<std::string> people{"e_london087", "f_london127", "g_london005", "h_london119", "i_london034",
                                          "j_london024"};
    for (size_t i = 0; i < people.size(); ++i) {
        const std::vector<cv::Mat> frames{image(people[i] + "_1.jpg")};
        live->begin(image(people[i] + "_idchip_240x320.jpg"));
        auto own = feed(*live, frames);
        ASSERT_TRUE(own) << people[i] << ": " << live->preview().instruction;
        ASSERT_FALSE(own->error) << own->error->message;
        ASSERT_TRUE(own->match) << own->matchError->message;
        EXPECT_EQ(own->match->decision, Decision::Match) << people[i] << " score " << own->match->score;
        const std::string& other = people[(i + 1) % people.size()];
        live->begin(image(other + "_idchip_240x320.jpg"));
        auto theirs = feed(*live, frames);
        ASSERT_TRUE(theirs && theirs->match) << people[i] << " vs " << other;
        EXPECT_NE(theirs->match->decision, Decision::Match) << people[i] << " vs " << other << " score "
                                                            << theirs->match->score;
    }
}

TEST_F(LiveCaptureTest, NoFaceGivesUpAfterTheTimeoutWithTheInstruction) {
    auto live = make("auto", options(600ms, 1500ms));
    ASSERT_TRUE(live);
    live->begin(image("a_obama_idchip_240x320.jpg"));
    auto r = feed(*live, {image("no_face.jpg")});
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->error);
    EXPECT_EQ(r->error->code, devices::ErrorCode::Timeout);
    EXPECT_NE(r->error->message.find("no-face"), std::string::npos) << r->error->message;
    EXPECT_EQ(r->lastInstruction, "no-face");
    EXPECT_TRUE(r->portraitJpeg.empty());
    EXPECT_FALSE(r->match);
    const LivePreview p = live->preview();
    EXPECT_EQ(p.instruction, "no-face");
    EXPECT_FALSE(p.faceBox);
    EXPECT_EQ(p.progress, 0.0);
}

TEST_F(LiveCaptureTest, TwoPeopleAreToldAndACancelledCaptureIsNotPosted) {
    auto live = make("auto", options(0ms));
    ASSERT_TRUE(live);
    // Not started: frames are previewed and assessed, nothing is captured.
    const cv::Mat two = image("two_faces_obama_chirac_640x480.jpg");
    camera::Frame f{two, 1, std::chrono::steady_clock::now()};
    live->submit(f);
    for (int i = 0; i < 500 && live->preview().generation == 0; ++i) std::this_thread::sleep_for(10ms);
    ASSERT_GT(live->preview().generation, 0U);
    EXPECT_EQ(live->preview().instruction, "only-one-person");
    EXPECT_EQ(live->preview().state, LiveState::Idle);
    // Started, then cancelled before any frame: a good face afterwards gives no result.
    live->begin(image("e_london087_idchip_240x320.jpg"));
    live->cancel();
    EXPECT_EQ(live->state(), LiveState::Idle);
    const auto gen = live->preview().generation;
    live->submit(camera::Frame{image("e_london087_1.jpg"), 2, std::chrono::steady_clock::now()});
    for (int i = 0; i < 500 && live->preview().generation == gen; ++i) std::this_thread::sleep_for(10ms);
    ASSERT_GT(live->preview().generation, gen);
    EXPECT_TRUE(live->preview().instruction.empty()) << live->preview().instruction;
    EXPECT_FALSE(live->takeResult());
    EXPECT_EQ(live->state(), LiveState::Idle);
}

TEST_F(LiveCaptureTest, PortraitWithoutRecognizerOrReferenceAndTheCallback) {
    auto det = FaceDetector::create(m_manifest);
    ASSERT_TRUE(det);
    std::promise<LiveResult> posted;
    auto fut = posted.get_future();
    std::atomic<int> calls{0};
    LiveCaptureOptions o = options(0ms);
    o.previewRgba = false;
    o.onResult = [&](const LiveResult& r) {
        if (calls.fetch_add(1) == 0) posted.set_value(r);
    };
    LiveCapture live(std::move(*det), nullptr, std::move(o));
    EXPECT_EQ(live.recognizer(), nullptr);
    const std::vector<cv::Mat> frames{image("g_london005_1.jpg")};
    live.begin(image("g_london005_idchip_240x320.jpg"));
    auto r = feed(live, frames);
    ASSERT_TRUE(r);
    ASSERT_FALSE(r->error) << r->error->message;
    EXPECT_FALSE(r->portraitJpeg.empty());
    EXPECT_FALSE(r->match);
    ASSERT_TRUE(r->matchError);
    EXPECT_EQ(r->matchError->code, devices::ErrorCode::NotAvailable);
    ASSERT_EQ(fut.wait_for(30s), std::future_status::ready);
    EXPECT_EQ(fut.get().portraitJpeg, r->portraitJpeg);
    EXPECT_EQ(live.preview().image.type(), CV_8UC3);
    // No reference: a portrait and no match at all.
    live.begin();
    auto p = feed(live, frames);
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->portraitJpeg.empty());
    EXPECT_FALSE(p->match);
    EXPECT_FALSE(p->matchError);
}
