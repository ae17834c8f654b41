// Portrait quality gate, auto-capture and the ID-photo crop.
#include "devices/face/quality.hpp"

#include <cmath>
#include <numbers>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace devices::face {

namespace {

cv::Mat toGray(const cv::Mat& image) {
    if (image.channels() == 1) return image;
    cv::Mat g;
    cv::cvtColor(image, g, image.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
    return g;
}

cv::Rect clampRect(const cv::Rect2f& r, const cv::Size& size) {
    return cv::Rect(cv::Point(static_cast<int>(std::floor(r.x)), static_cast<int>(std::floor(r.y))),
                    cv::Point(static_cast<int>(std::ceil(r.x + r.width)), static_cast<int>(std::ceil(r.y + r.height)))) &
           cv::Rect(cv::Point(0, 0), size);
}

}  // namespace

double faceSharpness(const cv::Mat& frame, const cv::Rect2f& box) {
    const cv::Rect r = clampRect(box, frame.size());
    if (r.width < 8 || r.height < 8) return 0.0;
    cv::Mat face = toGray(frame(r));
    cv::Mat scaled;
    const double s = 128.0 / r.width;
    cv::resize(face, scaled, cv::Size(), s, s, s < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
    cv::Mat lap;
    cv::Laplacian(scaled, lap, CV_64F);
    cv::Scalar mean, stddev;
    cv::meanStdDev(lap, mean, stddev);
    return stddev[0] * stddev[0];
}

QualityVerdict assessQuality(const cv::Mat& frame, const std::vector<Face>& faces, const QualityOptions& o) {
    QualityVerdict v;
    v.faceCount = static_cast<int>(faces.size());
    auto failWith = [&](const char* key) { v.failures.emplace_back(key); };
    if (frame.empty() || faces.empty()) {
        failWith("no-face");
        v.instruction = v.failures.front();
        return v;
    }
    v.faceIndex = 0;  // faces are sorted largest first
    if (faces.size() > 1) {
        if (faces[0].area() >= o.dominantRatio * faces[1].area()) v.note = "others-in-view";
        else failWith("only-one-person");
    }
    const Face& f = faces[0];
    const double W = frame.cols, H = frame.rows;
    v.faceHeight = f.box.height / H;
    v.offsetX = (f.box.x + f.box.width / 2.0) / W - 0.5;
    v.centreY = (f.box.y + f.box.height / 2.0) / H;
    if (v.faceHeight < o.minFaceHeight) failWith("move-closer");
    else if (v.faceHeight > o.maxFaceHeight) failWith("move-back");
    if (std::abs(v.offsetX) > o.maxCentreOffsetX || v.centreY < o.minCentreY || v.centreY > o.maxCentreY)
        failWith("center-face");
    if (f.hasLandmarks) {
        // landmarks[0] is the eye on the image's left; with a frontal face it is left of landmarks[1].
        const cv::Point2f re = f.landmarks[0], le = f.landmarks[1], nose = f.landmarks[2];
        const cv::Point2f d = le - re;
        v.rollDeg = std::atan2(d.y, d.x) * 180.0 / std::numbers::pi;
        const double eyeDist = std::hypot(d.x, d.y);
        if (eyeDist > 1.0) {
            // Nose offset from the eye midpoint, projected on the eye line.
            const cv::Point2f mid = (re + le) * 0.5F;
            const cv::Point2f n = nose - mid;
            v.yaw = (n.x * d.x + n.y * d.y) / (eyeDist * eyeDist);
        }
        if (std::abs(v.rollDeg) > o.maxRollDeg || std::abs(v.yaw) > o.maxYaw) failWith("look-at-camera");
    }
    const cv::Rect r = clampRect(f.box, frame.size());
    if (r.area() > 0) {
        const cv::Mat gray = toGray(frame(r));
        v.brightness = cv::mean(gray)[0];
        v.clipped = static_cast<double>(cv::countNonZero(gray >= 250)) / static_cast<double>(gray.total());
    }
    if (v.brightness < o.minBrightness) failWith("more-light");
    else if (v.brightness > o.maxBrightness || v.clipped > o.maxClipped) failWith("less-light");
    v.sharpness = faceSharpness(frame, f.box);
    // A dark face has little contrast: only ask to hold still when the light is fine.
    if (v.sharpness < o.minSharpness && v.brightness >= o.minBrightness) failWith("hold-still");
    v.pass = v.failures.empty();
    if (!v.pass) v.instruction = v.failures.front();
    return v;
}

std::optional<CapturedFrame> AutoCapture::offer(const cv::Mat& frame, const std::vector<Face>& faces,
                                                const QualityVerdict& verdict, Clock::time_point now) {
    if (verdict.pass && verdict.faceIndex >= 0) {
        if (!m_best) m_start = now;
        if (!m_best || verdict.sharpness > m_best->verdict.sharpness)
            m_best = CapturedFrame{frame.clone(), faces[static_cast<size_t>(verdict.faceIndex)], verdict};
    }
    if (m_best && now - m_start >= m_window) {
        auto out = std::move(m_best);
        m_best.reset();
        return out;
    }
    return std::nullopt;
}

Result<cv::Mat> portraitCrop(const cv::Mat& frame, const Face& face) {
    if (frame.empty() || face.box.width <= 1 || face.box.height <= 1)
        return fail(ErrorCode::InvalidInput, "no face to crop a portrait from; take another photo");
    // The detector box spans about brow to chin; the whole head (crown to chin) is about 1.3 box heights.
    const double h = face.box.height;
    const double headTop = face.box.y - 0.3 * h;
    const double head = 1.3 * h;
    const double cropH = head * 1.5;  // head about two thirds of the height
    const double cropW = cropH * kPortraitWidth / kPortraitHeight;
    double cx = face.box.x + face.box.width / 2.0;
    if (face.hasLandmarks) cx = 0.5 * cx + 0.5 * (face.landmarks[0].x + face.landmarks[1].x) / 2.0;
    const double top = headTop - (cropH - head) * 0.45;  // a little more space below the chin than above
    const cv::Rect want(static_cast<int>(std::lround(cx - cropW / 2)), static_cast<int>(std::lround(top)),
                        static_cast<int>(std::lround(cropW)), static_cast<int>(std::lround(cropH)));
    const cv::Rect inside = want & cv::Rect(0, 0, frame.cols, frame.rows);
    if (inside.area() == 0) return fail(ErrorCode::InvalidInput, "the face is outside the frame");
    cv::Mat padded;
    cv::copyMakeBorder(frame(inside), padded, inside.y - want.y, want.br().y - inside.br().y, inside.x - want.x,
                       want.br().x - inside.br().x, cv::BORDER_REPLICATE);
    cv::Mat out;
    cv::resize(padded, out, cv::Size(kPortraitWidth, kPortraitHeight), 0, 0,
               padded.cols > kPortraitWidth ? cv::INTER_AREA : cv::INTER_CUBIC);
    return out;
}

Result<std::vector<unsigned char>> encodeJpeg(const cv::Mat& image, int quality) {
    std::vector<unsigned char> buf;
    try {
        if (!cv::imencode(".jpg", image, buf, {cv::IMWRITE_JPEG_QUALITY, quality}))
            return fail(ErrorCode::Internal, "JPEG encoding failed");
    } catch (const cv::Exception& e) {
        return fail(ErrorCode::Internal, std::string("JPEG encoding failed: ") + e.what());
    }
    return buf;
}

}  // namespace devices::face
