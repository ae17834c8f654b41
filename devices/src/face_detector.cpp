// Face detection: YuNet (cv::FaceDetectorYN) and the Haar cascade fallback.
#include "devices/face/detector.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

namespace devices::face {

cv::Mat Face::yunetRow() const {
    cv::Mat row(1, 15, CV_32F);
    auto* p = row.ptr<float>();
    p[0] = box.x;
    p[1] = box.y;
    p[2] = box.width;
    p[3] = box.height;
    for (int i = 0; i < 5; ++i) {
        p[4 + 2 * i] = landmarks[static_cast<size_t>(i)].x;
        p[5 + 2 * i] = landmarks[static_cast<size_t>(i)].y;
    }
    p[14] = score;
    return row;
}

cv::Mat padForDetection(const cv::Mat& image, double fraction) {
    if (image.empty()) return image;
    const int px = static_cast<int>(image.cols * fraction + 0.5);
    const int py = static_cast<int>(image.rows * fraction + 0.5);
    cv::Mat out;
    cv::copyMakeBorder(image, out, py, py, px, px, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    return out;
}

namespace {

void sortByArea(std::vector<Face>& faces) {
    std::stable_sort(faces.begin(), faces.end(), [](const Face& a, const Face& b) { return a.area() > b.area(); });
}

/// Scale factor that brings the longer side down to @p maxSide (1 when already small enough).
double downscale(const cv::Mat& image, int maxSide) {
    const int longest = std::max(image.cols, image.rows);
    return (maxSide > 0 && longest > maxSide) ? static_cast<double>(maxSide) / longest : 1.0;
}

cv::Mat toBgr(const cv::Mat& image) {
    if (image.channels() == 3) return image;
    cv::Mat bgr;
    if (image.channels() == 1) cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
    else if (image.channels() == 4) cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR);
    return bgr;
}

class YuNetDetector final : public FaceDetector {
public:
    YuNetDetector(cv::Ptr<cv::FaceDetectorYN> net, std::string name, int maxSide)
        : m_net(std::move(net)), m_name(std::move(name)), m_maxSide(maxSide) {}

    int maxSide() const override { return m_maxSide; }
    Result<std::vector<Face>> detectAt(const cv::Mat& imageIn, int maxSide) override {
        if (imageIn.empty()) return fail(ErrorCode::InvalidInput, "empty image given to the face detector");
        cv::Mat image = toBgr(imageIn);
        if (image.empty() || image.depth() != CV_8U)
            return fail(ErrorCode::InvalidInput, "the face detector needs an 8-bit gray, BGR or BGRA image");
        const double s = downscale(image, maxSide);
        // The scaled frame goes into a buffer kept between calls (same size frame after frame: no allocation),
        // and the network's input size (which regenerates YuNet's anchor priors) is only set when it changes.
        cv::Mat input = image;
        if (s < 1.0) {
            const cv::Size want(std::max(1, static_cast<int>(std::lround(image.cols * s))),
                                std::max(1, static_cast<int>(std::lround(image.rows * s))));
            cv::resize(image, m_scaled, want, 0, 0, cv::INTER_AREA);
            input = m_scaled;
        }
        cv::Mat out;  // a few rows of 15 floats: not worth keeping
        try {
            if (input.size() != m_inputSize) {
                m_net->setInputSize(input.size());
                m_inputSize = input.size();
            }
            m_net->detect(input, out);
        } catch (const cv::Exception& e) {
            return fail(ErrorCode::Internal, "YuNet failed on a " + std::to_string(input.cols) + "x" +
                                                 std::to_string(input.rows) + " image: " + e.what());
        }
        std::vector<Face> faces;
        faces.reserve(static_cast<size_t>(out.rows));
        // Scale back with the actual factors of the resized buffer (rounding of its size).
        const float invX = static_cast<float>(image.cols) / static_cast<float>(input.cols);
        const float invY = static_cast<float>(image.rows) / static_cast<float>(input.rows);
        for (int r = 0; r < out.rows; ++r) {
            const float* p = out.ptr<float>(r);
            Face f;
            f.box = cv::Rect2f(p[0] * invX, p[1] * invY, p[2] * invX, p[3] * invY);
            for (size_t i = 0; i < 5; ++i) f.landmarks[i] = cv::Point2f(p[4 + 2 * i] * invX, p[5 + 2 * i] * invY);
            f.score = p[14];
            f.hasLandmarks = true;
            faces.push_back(f);
        }
        sortByArea(faces);
        return faces;
    }
    const std::string& name() const override { return m_name; }
    bool isFallback() const override { return false; }

private:
    cv::Ptr<cv::FaceDetectorYN> m_net;
    std::string m_name;
    int m_maxSide;
    cv::Size m_inputSize;  ///< The size last given to setInputSize.
    cv::Mat m_scaled;      ///< Downscaled frame, reused.
};

class HaarDetector final : public FaceDetector {
public:
    HaarDetector(cv::CascadeClassifier cascade, std::string name, int maxSide)
        : m_cascade(std::move(cascade)), m_name(std::move(name)), m_maxSide(maxSide) {}

    int maxSide() const override { return m_maxSide; }
    Result<std::vector<Face>> detectAt(const cv::Mat& imageIn, int maxSide) override {
        if (imageIn.empty()) return fail(ErrorCode::InvalidInput, "empty image given to the face detector");
        cv::Mat gray;
        if (imageIn.channels() == 3) cv::cvtColor(imageIn, gray, cv::COLOR_BGR2GRAY);
        else if (imageIn.channels() == 4) cv::cvtColor(imageIn, gray, cv::COLOR_BGRA2GRAY);
        else gray = imageIn;
        const double s = downscale(gray, maxSide);
        if (s < 1.0) cv::resize(gray, gray, cv::Size(), s, s, cv::INTER_AREA);
        cv::equalizeHist(gray, gray);
        std::vector<cv::Rect> rects;
        try {
            m_cascade.detectMultiScale(gray, rects, 1.1, 5, 0, cv::Size(40, 40));
        } catch (const cv::Exception& e) {
            return fail(ErrorCode::Internal, std::string("Haar cascade failed: ") + e.what());
        }
        std::vector<Face> faces;
        const float inv = static_cast<float>(1.0 / s);
        // Rough landmark positions inside a Haar box (the cascade finds none); enough for pose-free alignment.
        static constexpr std::array<std::array<float, 2>, 5> kRel{
            {{0.32F, 0.40F}, {0.68F, 0.40F}, {0.50F, 0.58F}, {0.36F, 0.76F}, {0.64F, 0.76F}}};
        for (const auto& r : rects) {
            Face f;
            f.box = cv::Rect2f(r.x * inv, r.y * inv, r.width * inv, r.height * inv);
            for (size_t i = 0; i < 5; ++i)
                f.landmarks[i] = cv::Point2f(f.box.x + kRel[i][0] * f.box.width, f.box.y + kRel[i][1] * f.box.height);
            f.score = 1.0F;
            f.hasLandmarks = false;
            faces.push_back(f);
        }
        sortByArea(faces);
        return faces;
    }
    const std::string& name() const override { return m_name; }
    bool isFallback() const override { return true; }

private:
    cv::CascadeClassifier m_cascade;
    std::string m_name;
    int m_maxSide;
};

Result<std::unique_ptr<FaceDetector>> makeYuNet(const ModelEntry& e, const ModelLocator& locator, int maxSide) {
    auto path = verifyModel(e, locator);
    if (!path) return std::unexpected(path.error());
    try {
        auto net = cv::FaceDetectorYN::create(path->string(), "", cv::Size(320, 320), e.scoreThreshold, e.nmsThreshold);
        if (!net) return fail(ErrorCode::Malformed, "OpenCV could not load " + path->string());
        return std::make_unique<YuNetDetector>(std::move(net), e.name, maxSide);
    } catch (const cv::Exception& ex) {
        return fail(ErrorCode::Malformed, "OpenCV could not load the detector " + path->string() + ": " + ex.what() +
                                              "; replace the file with the official one");
    }
}

Result<std::unique_ptr<FaceDetector>> makeHaar(const ModelEntry& e, const ModelLocator& locator, int maxSide) {
    auto path = verifyModel(e, locator);
    if (!path) return std::unexpected(path.error());
    cv::CascadeClassifier cascade;
    if (!cascade.load(path->string()))
        return fail(ErrorCode::Malformed, "OpenCV could not load the cascade " + path->string() +
                                              "; reinstall Debian's opencv-data package");
    return std::make_unique<HaarDetector>(std::move(cascade), e.name, maxSide);
}

}  // namespace

Result<std::unique_ptr<FaceDetector>> FaceDetector::create(const ModelManifest& manifest, const DetectorOptions& options) {
    const auto locator = ModelLocator::fromEnvironment(options.configuredModelDir);
    const auto cascades = manifest.ofKind(ModelKind::Cascade);
    if (options.detector != "auto") {
        const ModelEntry* e = options.detector == "haar" ? (cascades.empty() ? nullptr : cascades.front())
                                                         : manifest.find(options.detector);
        if (!e || e->kind == ModelKind::Recognizer)
            return fail(ErrorCode::InvalidInput, "unknown detector '" + options.detector +
                                                     "'; use auto, haar or a detector name from the model manifest");
        return e->kind == ModelKind::Cascade ? makeHaar(*e, locator, options.maxSide)
                                             : makeYuNet(*e, locator, options.maxSide);
    }
    std::string why;
    for (const auto* e : manifest.ofKind(ModelKind::Detector)) {
        if (!detectorSupportsThisOpenCv(*e)) continue;
        auto d = makeYuNet(*e, locator, options.maxSide);
        if (d) return d;
        why += (why.empty() ? "" : "; ") + d.error().message;
    }
    if (why.empty()) why = "no YuNet entry in the manifest suits OpenCV " CV_VERSION;
    for (const auto* e : cascades) {
        auto d = makeHaar(*e, locator, options.maxSide);
        if (d) {
            (*d)->warning = "YuNet is not usable (" + why +
                            "); using the Haar cascade fallback, which is less accurate and gives no landmarks";
            return d;
        }
        why += "; " + d.error().message;
    }
    return fail(ErrorCode::NotAvailable, "no face detector available: " + why);
}

}  // namespace devices::face
