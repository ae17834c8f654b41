#include "app/gl_textures.hpp"

#include <GL/gl.h>

#include <cstdint>

namespace kiosk::app {

namespace {
unsigned nameOf(ImTextureID id) { return static_cast<unsigned>(reinterpret_cast<std::uintptr_t>(id)); }
ImTextureID idOf(unsigned name) { return reinterpret_cast<ImTextureID>(static_cast<std::uintptr_t>(name)); }
}  // namespace

void GlTextures::releaseAll() {
    for (const auto& [name, size] : m_sizes) {
        const GLuint n = name;
        glDeleteTextures(1, &n);
    }
    m_sizes.clear();
}

ImTextureID GlTextures::upload(ImTextureID id, const unsigned char* rgba, int width, int height) {
    GLuint name = nameOf(id);
    auto known = m_sizes.find(name);
    if (!id || known == m_sizes.end()) {
        glGenTextures(1, &name);
        glBindTexture(GL_TEXTURE_2D, name);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
        known = m_sizes.emplace(name, std::pair{0, 0}).first;
    } else {
        glBindTexture(GL_TEXTURE_2D, name);
    }
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    if (known->second == std::pair{width, height}) {
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    } else {
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
        known->second = {width, height};
    }
    return idOf(name);
}

void GlTextures::release(ImTextureID id) {
    const GLuint name = nameOf(id);
    if (m_sizes.erase(name) == 0) return;
    glDeleteTextures(1, &name);
}

}  // namespace kiosk::app
