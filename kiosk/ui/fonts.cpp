#include "ui/fonts.hpp"
#include "ui/text_layout.hpp"

#include <fontconfig/fontconfig.h>
#include <fmt/format.h>
#include <imgui.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <optional>

namespace kiosk::ui {

training::Result<FontFile> findCjkFont(const std::vector<std::string>& preferred) {
    if (!FcInit())
        return std::unexpected(training::Error{training::ErrorCode::Internal,
                                               "fontconfig could not start; check /etc/fonts/fonts.conf"});
    std::optional<FontFile> found;
    auto tryPattern = [&](const std::string& family) {
        FcPattern* pat = FcPatternCreate();
        if (!family.empty()) FcPatternAddString(pat, FC_FAMILY, reinterpret_cast<const FcChar8*>(family.c_str()));
        FcLangSet* langs = FcLangSetCreate();
        FcLangSetAdd(langs, reinterpret_cast<const FcChar8*>("zh-cn"));
        FcPatternAddLangSet(pat, FC_LANG, langs);
        FcPatternAddInteger(pat, FC_WEIGHT, FC_WEIGHT_REGULAR);
        FcConfigSubstitute(nullptr, pat, FcMatchPattern);
        FcDefaultSubstitute(pat);
        FcResult res = FcResultNoMatch;
        FcPattern* match = FcFontMatch(nullptr, pat, &res);
        if (match) {
            FcChar8* file = nullptr;
            FcChar8* fam = nullptr;
            int index = 0;
            FcLangSet* have = nullptr;
            const bool covers = FcPatternGetLangSet(match, FC_LANG, 0, &have) == FcResultMatch &&
                                FcLangSetHasLang(have, reinterpret_cast<const FcChar8*>("zh-cn")) != FcLangDifferentLang;
            if (covers && FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch) {
                FcPatternGetInteger(match, FC_INDEX, 0, &index);
                FcPatternGetString(match, FC_FAMILY, 0, &fam);
                const std::string ext = std::filesystem::path(reinterpret_cast<char*>(file)).extension().string();
                // stb_truetype reads TrueType/OpenType (.ttf, .otf, .ttc); not bitmap or Type 1 fonts.
                if (ext == ".ttf" || ext == ".ttc" || ext == ".otf" || ext == ".otc")
                    found = FontFile{reinterpret_cast<char*>(file), index, fam ? reinterpret_cast<char*>(fam) : ""};
            }
            FcPatternDestroy(match);
        }
        FcLangSetDestroy(langs);
        FcPatternDestroy(pat);
        return found.has_value();
    };
    bool ok = false;
    for (const auto& f : preferred)
        if ((ok = tryPattern(f))) break;
    if (!ok) ok = tryPattern("");
    FcFini();  // the kiosk needs fontconfig only here; release its caches (clean under LeakSanitizer)
    if (ok) return *found;
    return std::unexpected(training::Error{
        training::ErrorCode::NotFound,
        "no installed font covers Simplified Chinese; install fonts-noto-cjk or fonts-wqy-microhei"});
}

training::Result<void> Fonts::load(const FontFile& file, FontSizes sizes) {
    std::ifstream in(file.path, std::ios::binary);
    if (!in)
        return std::unexpected(training::Error{training::ErrorCode::Io,
                                               fmt::format("cannot read the font {}; check its permissions", file.path.string())});
    m_data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    m_file = file;
    m_sizes = sizes;
    // ASCII and the punctuation the kiosk draws itself.
    for (unsigned c = 0x20; c < 0x7F; ++c) m_codepoints.insert(c);
    for (unsigned c : {0xB7u, 0x2022u, 0x2014u, 0x2190u, 0x2192u, 0x2715u, 0x25CFu, 0x25CBu, 0x3001u,
                       0x3002u, 0xFF0Cu, 0xFF1Au, 0xFF1Bu, 0xFF08u, 0xFF09u, 0x300Cu, 0x300Du, 0xFFFDu})
        m_codepoints.insert(c);
    m_dirty = true;
    return {};
}

bool Fonts::require(std::string_view utf8) {
    bool added = false;
    for (unsigned cp : decodeUtf8(utf8)) {
        if (cp < 0x20 || cp > 0xFFFF) continue;  // ImWchar is 16-bit in this build
        if (m_codepoints.insert(cp).second) added = true;
    }
    if (added) m_dirty = true;
    return added;
}

void Fonts::build() {
    m_ranges.clear();
    unsigned start = 0, prev = 0;
    bool open = false;
    for (unsigned cp : m_codepoints) {
        if (open && cp == prev + 1) {
            prev = cp;
            continue;
        }
        if (open) {
            m_ranges.push_back(static_cast<unsigned short>(start));
            m_ranges.push_back(static_cast<unsigned short>(prev));
        }
        start = prev = cp;
        open = true;
    }
    if (open) {
        m_ranges.push_back(static_cast<unsigned short>(start));
        m_ranges.push_back(static_cast<unsigned short>(prev));
    }
    m_ranges.push_back(0);

    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    auto add = [&](float px) {
        ImFontConfig cfg;
        cfg.FontDataOwnedByAtlas = false;
        cfg.FontNo = m_file.index;
        cfg.OversampleH = 1;
        cfg.OversampleV = 1;
        cfg.PixelSnapH = true;
        return io.Fonts->AddFontFromMemoryTTF(m_data.data(), static_cast<int>(m_data.size()), px * m_rasterScale, &cfg,
                                              m_ranges.data());
    };
    m_body = add(m_sizes.body);
    m_small = add(m_sizes.small);
    m_large = add(m_sizes.large);
    m_huge = add(m_sizes.huge);
    io.Fonts->Build();
    io.FontDefault = m_body;
    io.FontGlobalScale = 1.0f / m_rasterScale;
    m_dirty = false;
    ++m_generation;
}

void Fonts::setRasterScale(float scale) {
    if (scale <= 0 || std::abs(scale - m_rasterScale) < 1e-3f) return;
    m_rasterScale = scale;
    m_dirty = true;
}

}  // namespace kiosk::ui
