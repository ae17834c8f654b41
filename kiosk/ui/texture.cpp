#include "ui/texture.hpp"

#include <GL/gl.h>

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
    if (m_id != 0) {
        GLuint id = m_id;
        glDeleteTextures(1, &id);
    }
    m_id = 0;
    m_width = m_height = 0;
}

void Texture::upload(const unsigned char* rgba, int width, int height) {
    if (!rgba || width <= 0 || height <= 0) return;
    if (m_id == 0) {
        GLuint id = 0;
        glGenTextures(1, &id);
        m_id = id;
        glBindTexture(GL_TEXTURE_2D, m_id);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    } else {
        glBindTexture(GL_TEXTURE_2D, m_id);
    }
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    if (width == m_width && height == m_height) {
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    } else {
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
        m_width = width;
        m_height = height;
    }
}

float Texture::draw(ImVec2 maxSize) const {
    if (m_id == 0) return 0.0f;
    const float scale = std::min(maxSize.x / static_cast<float>(m_width), maxSize.y / static_cast<float>(m_height));
    ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<std::uintptr_t>(m_id)),
                 {static_cast<float>(m_width) * scale, static_cast<float>(m_height) * scale});
    return scale;
}

}  // namespace kiosk::ui
