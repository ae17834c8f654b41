#pragma once
// Test helpers for the face suites: the labelled faces of ../shared/testdata/faces, the models directory.

#include <cstdlib>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "devices/face/detector.hpp"
#include "devices/face/models.hpp"

namespace facetest {

inline std::string envStr(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

/// The manifest from the source tree (tests run with KIOSK_ASSETS_DIR set).
inline devices::Result<devices::face::ModelManifest> manifest() { return devices::face::ModelManifest::loadDefault(); }

/// One face of the test set with its person id.
struct LabeledFace {
    std::string label;   ///< file name (plus ":left"/":right" for the composite)
    std::string person;  ///< "A".."J"
    bool chip{false};    ///< an ID-chip-style crop (padded before detection)
    cv::Mat image;       ///< the image the face was detected in (padded for chips)
    devices::face::Face face;
    [[nodiscard]] bool eastAsian() const { return person >= "E" && person <= "J"; }
};

/// The 28 single-face images plus both faces of the composite (30 faces), as in the data README.
inline std::vector<std::string> singleFaceFiles() {
    return {"a_obama_1.jpg", "a_obama_2.jpg", "a_obama_3.jpg", "a_obama_idchip_240x320.jpg", "b_chirac_1.jpg",
            "b_chirac_2.jpg", "b_chirac_3.jpg", "c_rudd_1.jpg", "c_rudd_2.jpg", "d_collins_1.jpg",
            "e_london087_1.jpg", "e_london087_2.jpg", "e_london087_idchip_240x320.jpg", "f_london127_1.jpg",
            "f_london127_2.jpg", "f_london127_idchip_240x320.jpg", "g_london005_1.jpg", "g_london005_2.jpg",
            "g_london005_idchip_240x320.jpg", "h_london119_1.jpg", "h_london119_2.jpg",
            "h_london119_idchip_240x320.jpg", "i_london034_1.jpg", "i_london034_2.jpg",
            "i_london034_idchip_240x320.jpg", "j_london024_1.jpg", "j_london024_2.jpg",
            "j_london024_idchip_240x320.jpg"};
}

/// Loads and detects every labelled face; an empty vector with @p error set on failure.
inline std::vector<LabeledFace> loadLabeledFaces(devices::face::FaceDetector& detector, const std::filesystem::path& dir,
                                                 std::string& error) {
    std::vector<LabeledFace> out;
    for (const auto& file : singleFaceFiles()) {
        LabeledFace lf;
        lf.label = file;
        lf.person = std::string(1, static_cast<char>(file[0] - 'a' + 'A'));
        lf.chip = file.find("idchip") != std::string::npos;
        cv::Mat img = cv::imread((dir / file).string(), cv::IMREAD_COLOR);
        if (img.empty()) {
            error = "cannot read " + (dir / file).string();
            return {};
        }
        lf.image = lf.chip ? devices::face::padForDetection(img) : img;
        auto faces = detector.detect(lf.image);
        if (!faces || faces->empty()) {
            error = "no face in " + file;
            return {};
        }
        lf.face = faces->front();
        out.push_back(std::move(lf));
    }
    cv::Mat two = cv::imread((dir / "two_faces_obama_chirac_640x480.jpg").string(), cv::IMREAD_COLOR);
    auto faces = detector.detect(two);
    if (two.empty() || !faces || faces->size() != 2) {
        error = "the composite does not give two faces";
        return {};
    }
    auto f = *faces;
    if (f[0].box.x > f[1].box.x) std::swap(f[0], f[1]);
    out.push_back(LabeledFace{"two_faces:left", "A", false, two, f[0]});
    out.push_back(LabeledFace{"two_faces:right", "B", false, two, f[1]});
    return out;
}

}  // namespace facetest
