// Camera: the MJPEG clip, an image folder, newest-frame semantics, listeners, typed errors, recovery.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "devices/camera/camera.hpp"
#include "face_data.hpp"
#include "test_support.hpp"

using namespace devices::camera;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

#define REQUIRE_FACES()                                                              \
    const fs::path facesDir = facetest::envStr("KIOSK_TEST_FACES");                 \
    if (facesDir.empty()) GTEST_SKIP() << "KIOSK_TEST_FACES is empty: ../shared/testdata is absent"

}  // namespace

TEST(Camera, ClipGivesAll45FramesThenFinishesWhenNotLooping) {
    REQUIRE_FACES();
    auto cam = Camera::open(CameraOptions{.source = "file:" + (facesDir / "camera_clip_obama_640x480_mjpg.avi").string(),
                                          .width = 640, .height = 480, .fps = 0, .loop = false});
    ASSERT_TRUE(cam) << cam.error().message;
    std::atomic<int> seen{0};
    std::atomic<bool> sizeOk{true};
    (*cam)->addListener([&](const Frame& f) {
        ++seen;
        if (f.image.cols != 640 || f.image.rows != 480 || f.image.type() != CV_8UC3) sizeOk = false;
    });
    (*cam)->start();
    for (int i = 0; i < 500 && (*cam)->state() != CameraState::Finished; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ((*cam)->state(), CameraState::Finished);
    EXPECT_EQ(seen.load(), 45);
    EXPECT_TRUE(sizeOk.load());
    auto last = (*cam)->latest();
    ASSERT_TRUE(last);
    EXPECT_EQ(last->sequence, 45U);
    (*cam)->stop();
}

TEST(Camera, ClipLoopsAndResizesAtTheRequestedRate) {
    REQUIRE_FACES();
    auto cam = Camera::open(CameraOptions{.source = (facesDir / "camera_clip_obama_640x480_mjpg.avi").string(),
                                          .width = 320, .height = 240, .fps = 200, .loop = true});
    ASSERT_TRUE(cam) << cam.error().message;
    (*cam)->start();
    std::uint64_t seq = 0;
    while (seq < 60) {  // more than the 45 frames of the clip
        auto f = (*cam)->waitForFrame(seq, 2s);
        ASSERT_TRUE(f) << "no frame after " << seq;
        EXPECT_EQ(f->image.size(), cv::Size(320, 240));
        seq = f->sequence;
    }
    EXPECT_EQ((*cam)->state(), CameraState::Running);
    (*cam)->stop();
    EXPECT_EQ((*cam)->state(), CameraState::Stopped);
}

TEST(Camera, SlowConsumerOnlySeesTheNewestFrame) {
    REQUIRE_FACES();
    auto cam = Camera::open(CameraOptions{.source = "file:" + facesDir.string(), .width = 0, .height = 0, .fps = 100});
    ASSERT_TRUE(cam) << cam.error().message;
    (*cam)->start();
    auto first = (*cam)->waitForFrame(0, 2s);
    ASSERT_TRUE(first);
    std::this_thread::sleep_for(200ms);  // about 20 frames go by
    auto next = (*cam)->waitForFrame(first->sequence, 2s);
    ASSERT_TRUE(next);
    EXPECT_GT(next->sequence, first->sequence + 5) << "frames were queued instead of replaced";
    (*cam)->stop();
}

TEST(Camera, ImageFolderCyclesThroughItsImagesInOrder) {
    REQUIRE_FACES();
    testsupport::TempDir dir;
    for (const char* f : {"a_obama_1.jpg", "b_chirac_1.jpg", "no_face.jpg"})
        fs::copy_file(facesDir / f, dir / f);
    testsupport::writeFile(dir / "notes.txt", "not an image");
    auto cam = Camera::open(CameraOptions{.source = "file:" + dir.path().string(), .width = 0, .height = 0, .fps = 0});
    ASSERT_TRUE(cam) << cam.error().message;
    std::mutex m;
    std::vector<cv::Size> sizes;
    (*cam)->addListener([&](const Frame& f) {
        std::lock_guard lock(m);
        if (sizes.size() < 6) sizes.push_back(f.image.size());
    });
    (*cam)->start();
    for (int i = 0; i < 300; ++i) {
        {
            std::lock_guard lock(m);
            if (sizes.size() >= 6) break;
        }
        std::this_thread::sleep_for(5ms);
    }
    (*cam)->stop();
    ASSERT_EQ(sizes.size(), 6U);
    // a_obama_1 384x480, b_chirac_1 640x640, no_face 640x427, then again.
    EXPECT_EQ(sizes[0], cv::Size(384, 480));
    EXPECT_EQ(sizes[1], cv::Size(640, 640));
    EXPECT_EQ(sizes[2], cv::Size(640, 427));
    EXPECT_EQ(sizes[3], cv::Size(384, 480));
}

TEST(Camera, FolderTakenAwayAndBackRecovers) {
    REQUIRE_FACES();
    testsupport::TempDir dir;
    const fs::path folder = dir / "cam";
    fs::create_directory(folder);
    fs::copy_file(facesDir / "a_obama_1.jpg", folder / "1.jpg");
    auto cam = Camera::open(CameraOptions{.source = "file:" + folder.string(), .width = 0, .height = 0, .fps = 50});
    ASSERT_TRUE(cam);
    (*cam)->setReconnectInterval(50ms);
    (*cam)->start();
    auto f = (*cam)->waitForFrame(0, 2s);
    ASSERT_TRUE(f);
    fs::remove_all(folder);  // "unplugged"
    for (int i = 0; i < 200 && (*cam)->state() != CameraState::Reconnecting; ++i) std::this_thread::sleep_for(5ms);
    EXPECT_EQ((*cam)->state(), CameraState::Reconnecting);
    auto err = (*cam)->lastError();
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code, devices::ErrorCode::Disconnected);
    fs::create_directory(folder);  // plugged back in
    fs::copy_file(facesDir / "b_chirac_1.jpg", folder / "1.jpg");
    const auto seq = (*cam)->latest()->sequence;
    auto again = (*cam)->waitForFrame(seq, 3s);
    ASSERT_TRUE(again) << "no recovery";
    EXPECT_EQ(again->image.size(), cv::Size(640, 640));
    EXPECT_EQ((*cam)->state(), CameraState::Running);
    EXPECT_FALSE((*cam)->lastError());
    (*cam)->stop();
}

TEST(Camera, TypedErrors) {
    auto none = Camera::open(CameraOptions{.source = "v4l2:/dev/video97"});
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, devices::ErrorCode::NotAvailable);
    EXPECT_NE(none.error().message.find("/dev/video97"), std::string::npos);
    auto index = Camera::open(CameraOptions{.source = "97"});
    ASSERT_FALSE(index);
    EXPECT_EQ(index.error().code, devices::ErrorCode::NotAvailable);
    EXPECT_NE(index.error().message.find("/dev/video97"), std::string::npos);
    auto bad = Camera::open(CameraOptions{.source = "v4l2:camera"});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, devices::ErrorCode::InvalidInput);
    auto missing = Camera::open(CameraOptions{.source = "file:/nonexistent/clip.avi"});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, devices::ErrorCode::NotAvailable);
    auto off = Camera::open(CameraOptions{.source = "none"});
    ASSERT_FALSE(off);
    EXPECT_EQ(off.error().code, devices::ErrorCode::NotAvailable);
    testsupport::TempDir dir;
    testsupport::writeFile(dir / "clip.avi", "this is not a video");
    auto junk = Camera::open(CameraOptions{.source = "file:" + (dir / "clip.avi").string()});
    ASSERT_FALSE(junk);
    EXPECT_EQ(junk.error().code, devices::ErrorCode::Malformed);
    fs::create_directory(dir / "empty");
    auto empty = Camera::open(CameraOptions{.source = "file:" + (dir / "empty").string()});
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, devices::ErrorCode::NotAvailable);
    EXPECT_EQ(devices::errorCodeName(devices::ErrorCode::Disconnected), "disconnected");
    EXPECT_EQ(devices::errorCodeName(devices::ErrorCode::Unsupported), "unsupported");
}

TEST(Camera, V4l2ErrorsThatCanBeShownWithoutACamera) {
    // No such device node: not-available, naming the device and what to do.
    auto none = openSource(CameraOptions{.source = "/dev/video97"});
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, devices::ErrorCode::NotAvailable);
    EXPECT_NE(none.error().message.find("no camera at /dev/video97"), std::string::npos) << none.error().message;
    EXPECT_NE(none.error().message.find("plug the camera in"), std::string::npos) << none.error().message;
    // A device node that is not a V4L2 device: unsupported, not "busy".
    auto notV4l2 = openSource(CameraOptions{.source = "v4l2:/dev/null"});
    ASSERT_FALSE(notV4l2);
    EXPECT_EQ(notV4l2.error().code, devices::ErrorCode::Unsupported) << notV4l2.error().message;
    EXPECT_NE(notV4l2.error().message.find("/dev/null is not a V4L2 video device"), std::string::npos)
        << notV4l2.error().message;
    // The same node given as a file source: not a video, image or folder.
    for (const char* src : {"/dev/null", "file:/dev/null"}) {
        auto asFile = openSource(CameraOptions{.source = src});
        ASSERT_FALSE(asFile) << src;
        EXPECT_EQ(asFile.error().code, devices::ErrorCode::InvalidInput) << src;
        EXPECT_NE(asFile.error().message.find("is not a video file, an image or a folder"), std::string::npos)
            << asFile.error().message;
        EXPECT_NE(asFile.error().message.find("v4l2:/dev/videoN"), std::string::npos) << asFile.error().message;
    }
}
