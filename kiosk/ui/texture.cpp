#include "ui/texture.hpp"

#include <algorithm>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace kiosk::ui {

std::optional<RgbaImage> decodeToRgba(const std::vector<std::uint8_t>& bytes) {
    if (bytes.empty()) return std::nullopt;
    cv::Mat bgr;
    try {
        bgr = cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<std::uint8_t*>(bytes.data())),
                           cv::IMREAD_COLOR);
    } catch (const cv::Exception&) {
        return std::nullopt;  // a damaged picture is "no picture", never an exception across the thread
    }
    if (bgr.empty()) return std::nullopt;
    cv::Mat rgba;
    cv::cvtColor(bgr, rgba, cv::COLOR_BGR2RGBA);
    RgbaImage out{rgba.cols, rgba.rows, {}};
    out.pixels.assign(rgba.data, rgba.data + rgba.total() * rgba.elemSize());
    return out;
}

Texture::~Texture() { reset(); }

void Texture::reset() {
    if (m_host && m_id) m_host->release(m_id);
    m_id = nullptr;
    m_width = m_height = 0;
}

void Texture::upload(TextureHost& host, const unsigned char* rgba, int width, int height) {
    if (!rgba || width <= 0 || height <= 0) return;
    if (m_host != &host) reset();
    m_host = &host;
    m_id = host.upload(m_id, rgba, width, height);
    m_width = width;
    m_height = height;
}

float Texture::draw(ImVec2 maxSize, float maxScale) const {
    if (!m_id) return 0.0f;
    const float scale = std::min({maxSize.x / static_cast<float>(m_width), maxSize.y / static_cast<float>(m_height),
                                  maxScale});
    ImGui::Image(m_id, {static_cast<float>(m_width) * scale, static_cast<float>(m_height) * scale});
    return scale;
}

}  // namespace kiosk::ui
