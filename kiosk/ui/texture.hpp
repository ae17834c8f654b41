#pragma once
/// @file texture.hpp
/// @brief Pictures on screen: decoding (any thread), where the pixels are kept for drawing (a TextureHost: OpenGL
/// in the window, nothing without one) and a picture of a screen (UI thread only).

#include <imgui.h>

#include <cfloat>
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

/// @brief Where pictures are kept for drawing: OpenGL textures in the kiosk's window (app/gl_textures.hpp), plain
/// handles when the kiosk runs without a window (ui/headless.hpp). Called on the UI thread only.
class TextureHost {
public:
    virtual ~TextureHost() = default;
    /// @brief Stores RGBA pixels (rows top to bottom, tightly packed) in picture @p id, or in a new picture when
    /// @p id is null; returns the picture's id (never null).
    [[nodiscard]] virtual ImTextureID upload(ImTextureID id, const unsigned char* rgba, int width, int height) = 0;
    /// @brief Forgets picture @p id (not null).
    virtual void release(ImTextureID id) = 0;
};

/// @brief One picture of a screen (created, updated and released on the UI thread).
class Texture {
public:
    Texture() = default;
    ~Texture();
    Texture(const Texture&) = delete;
    Texture& operator=(const Texture&) = delete;

    /// @brief Creates or replaces the picture (RGBA, rows top to bottom, tightly packed) in @p host, which must
    /// outlive this texture.
    void upload(TextureHost& host, const unsigned char* rgba, int width, int height);
    void upload(TextureHost& host, const RgbaImage& image) {
        upload(host, image.pixels.data(), image.width, image.height);
    }
    /// @brief Releases the picture.
    void reset();
    [[nodiscard]] bool empty() const noexcept { return m_id == nullptr; }
    /// @brief Draws the picture scaled to fit @p maxSize (keeping its shape, enlarged at most @p maxScale times) at
    /// the cursor; returns the scale.
    float draw(ImVec2 maxSize, float maxScale = FLT_MAX) const;

private:
    TextureHost* m_host{nullptr};
    ImTextureID m_id{nullptr};
    int m_width{0};
    int m_height{0};
};

}  // namespace kiosk::ui
