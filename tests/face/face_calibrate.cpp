// face_calibrate: prints, for every recognition model present, the score ranges of the labelled test set
// and the counts of matched / referred / rejected pairs at the manifest's thresholds (per A-D and E-J).
// Usage: face_calibrate [FACES_DIR]   (models from $KIOSK_MODEL_DIR, manifest from $KIOSK_ASSETS_DIR)
#include <algorithm>
#include <cstdio>
#include <limits>

#include "devices/face/recognizer.hpp"
#include "face_data.hpp"

using namespace devices::face;

int main(int argc, char** argv) {
    const std::string dir = argc > 1 ? argv[1] : facetest::envStr("KIOSK_TEST_FACES");
    auto m = facetest::manifest();
    if (!m) return std::fprintf(stderr, "%s\n", m.error().message.c_str()), 2;
    auto det = FaceDetector::create(*m);
    if (!det) return std::fprintf(stderr, "%s\n", det.error().message.c_str()), 2;
    std::string err;
    auto faces = facetest::loadLabeledFaces(**det, dir, err);
    if (faces.empty()) return std::fprintf(stderr, "%s\n", err.c_str()), 2;
    const auto locator = ModelLocator::fromEnvironment();
    for (const auto* e : m->ofKind(ModelKind::Recognizer)) {
        auto rec = FaceRecognizer::createFor(*e, locator);
        if (!rec) {
            std::printf("%s: %s\n\n", e->name.c_str(), rec.error().message.c_str());
            continue;
        }
        std::vector<cv::Mat> emb;
        for (const auto& f : faces) emb.push_back((*rec)->embed(f.image, f.face).value());
        struct Group {
            const char* name;
            double sameMin = 1e9, sameMax = -1e9, diffMin = 1e9, diffMax = -1e9;
            int same = 0, diff = 0, counts[2][3] = {};  // [same/diff][match/refer/no-match]
        } groups[3] = {{"A-D"}, {"E-J"}, {"mixed"}};
        for (size_t i = 0; i < faces.size(); ++i)
            for (size_t j = i + 1; j < faces.size(); ++j) {
                const bool same = faces[i].person == faces[j].person;
                const bool ea = faces[i].eastAsian(), eb = faces[j].eastAsian();
                Group& g = groups[ea && eb ? 1 : (!ea && !eb ? 0 : 2)];
                const double s = (*rec)->score(emb[i], emb[j]);
                const int d = static_cast<int>((*rec)->decide(s));
                if (same) {
                    ++g.same;
                    g.sameMin = std::min(g.sameMin, s), g.sameMax = std::max(g.sameMax, s);
                } else {
                    ++g.diff;
                    g.diffMin = std::min(g.diffMin, s), g.diffMax = std::max(g.diffMax, s);
                }
                ++g.counts[same ? 0 : 1][d];
                if (argc > 2) std::printf("  %s %s %s %.4f\n", same ? "S" : "D", faces[i].label.c_str(), faces[j].label.c_str(), s);
            }
        std::printf("%s (%s, accept %.3f, reject %.3f)\n", e->name.c_str(), std::string(metricName(e->metric)).c_str(),
                    e->acceptThreshold, e->rejectThreshold);
        for (const auto& g : groups) {
            std::printf("  %-5s same %3d [%.3f .. %.3f] match/refer/no-match %d/%d/%d\n", g.name, g.same,
                        g.same ? g.sameMin : 0.0, g.same ? g.sameMax : 0.0, g.counts[0][0], g.counts[0][1], g.counts[0][2]);
            std::printf("  %-5s diff %3d [%.3f .. %.3f] match/refer/no-match %d/%d/%d\n", g.name, g.diff, g.diffMin,
                        g.diffMax, g.counts[1][0], g.counts[1][1], g.counts[1][2]);
        }
        std::printf("\n");
    }
    return 0;
}
