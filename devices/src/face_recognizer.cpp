// Face recognition: FaceRecognizerSF (SFace, MobileFaceNet) and cv::dnn (dlib ResNet), three-way decision.
#include "devices/face/recognizer.hpp"

#include <opencv2/calib3d.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

namespace devices::face {

std::string_view decisionName(Decision d) noexcept {
    switch (d) {
        case Decision::Match: return "match";
        case Decision::Refer: return "refer";
        case Decision::NoMatch: return "no-match";
    }
    return "refer";
}

Decision decideScore(Metric metric, double accept, double reject, double score) noexcept {
    if (metric == Metric::Cosine) {
        if (score >= accept) return Decision::Match;
        if (score < reject) return Decision::NoMatch;
        return Decision::Refer;
    }
    if (score <= accept) return Decision::Match;
    if (score > reject) return Decision::NoMatch;
    return Decision::Refer;
}

Result<cv::Mat> FaceRecognizer::embed(const cv::Mat& image, const Face& face) {
    auto a = align(image, face);
    if (!a) return std::unexpected(a.error());
    return embedAligned(*a);
}

double FaceRecognizer::score(const cv::Mat& a, const cv::Mat& b) const {
    if (entry().metric == Metric::L2) return cv::norm(a, b, cv::NORM_L2);
    const double na = cv::norm(a), nb = cv::norm(b);
    if (na <= 0.0 || nb <= 0.0) return 0.0;
    return a.dot(b) / (na * nb);
}

Decision FaceRecognizer::decide(double s) const {
    const auto& e = entry();
    return decideScore(e.metric, e.acceptThreshold, e.rejectThreshold, s);
}

namespace {

cv::Mat asBgr(const cv::Mat& image) {
    if (image.channels() == 3) return image;
    cv::Mat out;
    if (image.channels() == 1) cv::cvtColor(image, out, cv::COLOR_GRAY2BGR);
    else if (image.channels() == 4) cv::cvtColor(image, out, cv::COLOR_BGRA2BGR);
    return out;
}

/// Five-point similarity alignment to a template scaled for @p size (ArcFace 112 or dlib 150).
Result<cv::Mat> alignTo(const cv::Mat& image, const Face& face, const std::array<cv::Point2f, 5>& dst, int size) {
    std::vector<cv::Point2f> src(face.landmarks.begin(), face.landmarks.end());
    std::vector<cv::Point2f> to(dst.begin(), dst.end());
    cv::Mat m = cv::estimateAffinePartial2D(src, to, cv::noArray(), cv::LMEDS);
    if (m.empty()) return fail(ErrorCode::InvalidInput, "the face landmarks are degenerate; take another photo");
    cv::Mat out;
    cv::warpAffine(image, out, m, cv::Size(size, size), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    return out;
}

class SfRecognizer final : public FaceRecognizer {
public:
    SfRecognizer(ModelEntry e, cv::Ptr<cv::FaceRecognizerSF> net) : m_entry(std::move(e)), m_net(std::move(net)) {}
    const ModelEntry& entry() const override { return m_entry; }
    Result<cv::Mat> align(const cv::Mat& image, const Face& face) const override {
        const cv::Mat bgr = asBgr(image);
        if (bgr.empty()) return fail(ErrorCode::InvalidInput, "empty image given to the face recognizer");
        cv::Mat crop;
        try {
            m_net->alignCrop(bgr, face.yunetRow(), crop);
        } catch (const cv::Exception& e) {
            return fail(ErrorCode::InvalidInput, std::string("cannot align this face: ") + e.what());
        }
        return crop;
    }
    Result<cv::Mat> embedAligned(const cv::Mat& aligned) override {
        cv::Mat f;
        try {
            m_net->feature(aligned, f);
        } catch (const cv::Exception& e) {
            return fail(ErrorCode::Internal, "model '" + m_entry.name + "' failed: " + e.what());
        }
        return f.reshape(1, 1).clone();
    }

private:
    ModelEntry m_entry;
    cv::Ptr<cv::FaceRecognizerSF> m_net;
};

class DnnRecognizer final : public FaceRecognizer {
public:
    DnnRecognizer(ModelEntry e, cv::dnn::Net net) : m_entry(std::move(e)), m_net(std::move(net)) {}
    const ModelEntry& entry() const override { return m_entry; }
    Result<cv::Mat> align(const cv::Mat& image, const Face& face) const override {
        const cv::Mat bgr = asBgr(image);
        if (bgr.empty()) return fail(ErrorCode::InvalidInput, "empty image given to the face recognizer");
        const int n = m_entry.inputSize;
        if (m_entry.alignment == Alignment::Dlib150) {
            // dlib's mean face (eye centres, nose tip, mouth corners) for a 150 px chip with padding 0.25,
            // scaled to the model's input size.
            static const std::array<cv::Point2f, 5> kDlib150{
                {{47.5492F, 46.5990F}, {100.4761F, 46.5990F}, {74.0127F, 76.5625F}, {50.4149F, 103.0233F},
                 {97.6104F, 103.0233F}}};
            std::array<cv::Point2f, 5> dst{};
            for (size_t i = 0; i < 5; ++i) dst[i] = kDlib150[i] * (static_cast<float>(n) / 150.0F);
            return alignTo(bgr, face, dst, n);
        }
        // ArcFace template (112 px), scaled.
        static const std::array<cv::Point2f, 5> kArc112{{{38.2946F, 51.6963F}, {73.5318F, 51.5014F},
                                                              {56.0252F, 71.7366F}, {41.5493F, 92.3655F},
                                                              {70.7299F, 92.2041F}}};
        std::array<cv::Point2f, 5> dst{};
        for (size_t i = 0; i < 5; ++i) dst[i] = kArc112[i] * (static_cast<float>(n) / 112.0F);
        return alignTo(bgr, face, dst, n);
    }
    Result<cv::Mat> embedAligned(const cv::Mat& aligned) override {
        try {
            const int n = m_entry.inputSize;
            cv::Mat blob = cv::dnn::blobFromImage(aligned, 1.0, cv::Size(n, n), cv::Scalar(), /*swapRB=*/true);
            m_net.setInput(blob);
            cv::Mat out = m_net.forward();
            return out.reshape(1, 1).clone();
        } catch (const cv::Exception& e) {
            return fail(ErrorCode::Internal, "model '" + m_entry.name + "' failed: " + e.what());
        }
    }

private:
    ModelEntry m_entry;
    cv::dnn::Net m_net;
};

}  // namespace

Result<std::unique_ptr<FaceRecognizer>> FaceRecognizer::createFor(const ModelEntry& entry, const ModelLocator& locator) {
    if (entry.kind != ModelKind::Recognizer)
        return fail(ErrorCode::InvalidInput, "'" + entry.name + "' is not a recognition model");
    auto path = verifyModel(entry, locator);
    if (!path) return std::unexpected(path.error());
    try {
        if (entry.runner == Runner::FaceRecognizerSF) {
            auto net = cv::FaceRecognizerSF::create(path->string(), "");
            if (!net) return fail(ErrorCode::Malformed, "OpenCV could not load " + path->string());
            return std::make_unique<SfRecognizer>(entry, std::move(net));
        }
        auto net = cv::dnn::readNetFromONNX(path->string());
        if (net.empty()) return fail(ErrorCode::Malformed, "OpenCV could not load " + path->string());
        return std::make_unique<DnnRecognizer>(entry, std::move(net));
    } catch (const cv::Exception& e) {
        return fail(ErrorCode::Malformed, "OpenCV could not load the recognition model " + path->string() + ": " +
                                              e.what() + "; replace it with the official file");
    }
}

Result<std::unique_ptr<FaceRecognizer>> FaceRecognizer::create(const ModelManifest& manifest,
                                                                const RecognizerOptions& options) {
    const auto locator = ModelLocator::fromEnvironment(options.configuredModelDir);
    if (options.model != "auto") {
        const ModelEntry* e = manifest.find(options.model);
        if (!e || e->kind != ModelKind::Recognizer) {
            std::string names;
            for (const auto* r : manifest.ofKind(ModelKind::Recognizer)) names += (names.empty() ? "" : ", ") + r->name;
            return fail(ErrorCode::InvalidInput,
                        "unknown recognition model '" + options.model + "'; use auto or one of: " + names);
        }
        return createFor(*e, locator);
    }
    std::string why;
    for (const auto* e : manifest.ofKind(ModelKind::Recognizer)) {
        auto r = createFor(*e, locator);
        if (r) return r;
        why += (why.empty() ? "" : "; ") + r.error().message;
    }
    return fail(ErrorCode::NotAvailable, "no face recognition model is usable: " + why);
}

Result<Verification> verifyFaces(FaceDetector& detector, FaceRecognizer& recognizer, const cv::Mat& live,
                                 const cv::Mat& document) {
    auto embedFirst = [&](const cv::Mat& img, const char* what) -> Result<cv::Mat> {
        auto faces = detector.detect(img);
        if (!faces) return std::unexpected(faces.error());
        if (faces->empty())
            return fail(ErrorCode::InvalidInput, std::string("no face found in the ") + what + "; take another photo");
        return recognizer.embed(img, faces->front());
    };
    auto a = embedFirst(live, "live photo");
    if (!a) return std::unexpected(a.error());
    auto b = embedFirst(padForDetection(document), "document photo");
    if (!b) return std::unexpected(b.error());
    Verification v;
    const auto& e = recognizer.entry();
    v.model = e.name;
    v.metric = e.metric;
    v.score = recognizer.score(*a, *b);
    v.acceptThreshold = e.acceptThreshold;
    v.rejectThreshold = e.rejectThreshold;
    v.decision = recognizer.decide(v.score);
    return v;
}

}  // namespace devices::face
