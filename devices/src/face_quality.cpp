// Portrait quality gate, auto-capture and the ID-photo crop.
#include "devices/face/quality.hpp"

#include <algorithm>
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

double AutoCapture::progress(Clock::time_point now) const {
    if (!m_best) return 0.0;
    if (m_window.count() <= 0) return 1.0;
    const double share = std::chrono::duration<double>(now - m_start) / std::chrono::duration<double>(m_window);
    return std::clamp(share, 0.0, 1.0);
}

Result<cv::Mat> portraitCrop(const cv::Mat& frameIn, const Face& face) {
    if (frameIn.empty() || face.box.width <= 1 || face.box.height <= 1)
        return fail(ErrorCode::InvalidInput, "no face to crop a portrait from; take another photo");
    const cv::Rect2f frameRect(0.0F, 0.0F, static_cast<float>(frameIn.cols), static_cast<float>(frameIn.rows));
    if ((face.box & frameRect).area() <= 0.0F) return fail(ErrorCode::InvalidInput, "the face is outside the frame");
    // Work in "levelled" coordinates: the frame rotated about the face centre so that the eye line is horizontal.
    const cv::Point2d c(face.box.x + face.box.width / 2.0, face.box.y + face.box.height / 2.0);
    double roll = 0.0;
    double cx = c.x;
    if (face.hasLandmarks) {
        const cv::Point2d re = face.landmarks[0], le = face.landmarks[1];
        const cv::Point2d d = le - re;
        if (std::hypot(d.x, d.y) > 1.0) roll = std::atan2(d.y, d.x);
        // Eye midpoint in levelled coordinates; the horizontal centre is halfway between it and the box centre.
        const cv::Point2d m = (re + le) * 0.5 - c;
        const double mx = std::cos(roll) * m.x + std::sin(roll) * m.y;
        cx = 0.5 * c.x + 0.5 * (c.x + mx);
    }
    // The detector box spans about brow to chin; the whole head (crown to chin) is about 1.3 box heights.
    const double h = face.box.height;
    const double headTop = c.y - h / 2.0 - 0.3 * h;
    const double head = 1.3 * h;
    const double cropH = head * 1.5;  // head about two thirds of the height
    const double cropW = cropH * kPortraitWidth / kPortraitHeight;
    const double left = cx - cropW / 2.0;
    const double top = headTop - (cropH - head) * 0.45;  // a little more space below the chin than above
    // Downscale first when the crop is much larger than the portrait (warpAffine does not average).
    cv::Mat frame = frameIn;
    double pre = 1.0;
    if (cropH > 1.5 * kPortraitHeight) {
        pre = 1.2 * kPortraitHeight / cropH;
        cv::resize(frameIn, frame, cv::Size(), pre, pre, cv::INTER_AREA);
    }
    // Output pixel (u, v) -> levelled point (left + u*s, top + v*s) -> frame point c + R(roll) * (point - c).
    const double s = cropH / kPortraitHeight;
    const double co = std::cos(roll), si = std::sin(roll);
    const double ox = left - c.x, oy = top - c.y;
    cv::Mat m = (cv::Mat_<double>(2, 3) << s * co, -s * si, co * ox - si * oy + c.x,  //
                 s * si, s * co, si * ox + co * oy + c.y);
    m *= pre;
    cv::Mat out;
    cv::warpAffine(frame, out, m, cv::Size(kPortraitWidth, kPortraitHeight),
                   (s * pre < 1.0 ? cv::INTER_CUBIC : cv::INTER_LINEAR) | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
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
