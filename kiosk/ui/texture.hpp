#pragma once
/// @file texture.hpp
/// @brief Pictures on screen: decoding (any thread) and an OpenGL texture (UI thread only).

#include <imgui.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace kiosk::ui {

/// @brief Decoded RGBA pixels.
struct RgbaImage {
    int width{0};
    int height{0};
    std::vector<unsigned char> pixels;  ///< width * height * 4 bytes, rows top to bottom.
};

/// @brief Decodes JPEG, PNG or JPEG 2000 (chip photos) with OpenCV; nullopt when the bytes are not a picture.
/// Slow for large pictures: call it on a worker thread.
[[nodiscard]] std::optional<RgbaImage> decodeToRgba(const std::vector<std::uint8_t>& bytes);

/// @brief One OpenGL texture (created, updated and deleted on the UI thread).
class Texture {
public:
    Texture() = default;
    ~Texture();
    Texture(const Texture&) = delete;
    Texture& operator=(const Texture&) = delete;

    /// @brief Creates or replaces the picture (RGBA, rows top to bottom, tightly packed).
    void upload(const unsigned char* rgba, int width, int height);
    void upload(const RgbaImage& image) { upload(image.pixels.data(), image.width, image.height); }
    /// @brief Deletes the texture.
    void reset();
    [[nodiscard]] bool empty() const noexcept { return m_id == 0; }
    /// @brief Draws the picture scaled to fit @p maxSize (keeping its shape) at the cursor; returns the scale.
    float draw(ImVec2 maxSize) const;

private:
    unsigned m_id{0};
    int m_width{0};
    int m_height{0};
};

}  // namespace kiosk::ui
