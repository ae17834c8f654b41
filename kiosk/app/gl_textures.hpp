#pragma once
/// @file gl_textures.hpp
/// @brief Pictures of the screens as OpenGL textures (the window's context must be current).

#include <map>
#include <utility>

#include "ui/texture.hpp"

namespace kiosk::app {

/// @brief OpenGL 3 textures, created and deleted on the UI thread while the window's context is current.
class GlTextures final : public ui::TextureHost {
public:
    GlTextures() = default;
    ~GlTextures() override = default;
    GlTextures(const GlTextures&) = delete;
    GlTextures& operator=(const GlTextures&) = delete;

    [[nodiscard]] ImTextureID upload(ImTextureID id, const unsigned char* rgba, int width, int height) override;
    void release(ImTextureID id) override;
    /// @brief Deletes the textures still held (before the window's context goes).
    void releaseAll();

private:
    std::map<unsigned, std::pair<int, int>> m_sizes;  ///< Texture name -> its size (same size: sub-image update).
};

}  // namespace kiosk::app
