#pragma once
// Test helpers: a generated face photo and the passport fixture built by vcard/make_fixture.py.

#include <gtest/gtest.h>

#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "devices/id/bytes.hpp"
#include "test_support.hpp"

namespace idtest {

inline const char* kMrzTd3 =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10\n";

inline devices::id::Bytes readBytes(const std::filesystem::path& p) {
    const std::string s = testsupport::readFile(p);
    return devices::id::Bytes(s.begin(), s.end());
}

/// Writes a synthetic 240x320 JPEG "portrait" (deterministic) to @p path.
inline void writeGeneratedPhoto(const std::filesystem::path& path, int width = 240, int height = 320) {
    cv::Mat img(height, width, CV_8UC3, cv::Scalar(200, 210, 220));
    cv::ellipse(img, cv::Point(width / 2, height / 2), cv::Size(width / 3, height / 3), 0, 0, 360,
                cv::Scalar(120, 150, 190), -1);
    cv::randn(img, cv::Scalar(128, 128, 128), cv::Scalar(40, 40, 40));
    std::vector<unsigned char> buf;
    cv::imencode(".jpg", img, buf, {cv::IMWRITE_JPEG_QUALITY, 70});
    testsupport::writeFile(path, std::string(buf.begin(), buf.end()));
}

/// Builds the fixture (certificates, DG files, SOD) in @p dir with @p photo; fails the test on error.
inline bool makeFixture(const std::filesystem::path& dir, const std::filesystem::path& photo) {
    testsupport::writeFile(dir / "mrz.txt", kMrzTd3);
    auto r = testsupport::run({"/usr/bin/python3", std::string(ID_VCARD_DIR) + "/make_fixture.py", "--mrz",
                               (dir / "mrz.txt").string(), "--photo", photo.string(), "--out", dir.string()});
    EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
    return r.exitCode == 0;
}

}  // namespace idtest
