// The CJK font of documents: found with fontconfig, subset with HarfBuzz (hb-subset).
#include <fmt/format.h>
#include <fontconfig/fontconfig.h>
#include <hb-subset.h>
#include <hb.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "documents_internal.hpp"

namespace training::docs {

namespace {

std::string lower(std::string s) {
    std::ranges::transform(s, s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool isTrueTypeFile(const std::filesystem::path& p) {
    const auto ext = lower(p.extension().string());
    return ext == ".ttf" || ext == ".ttc";
}

struct Match {
    std::filesystem::path file;
    int index{0};
};

/// The font fontconfig picks for @p family, if its family really is that one (fontconfig always answers
/// with something) and it is a TrueType file with Chinese coverage.
std::optional<Match> matchFamily(const std::string& family) {
    // A private configuration, destroyed after the lookup: nothing stays allocated in fontconfig's
    // process-wide state (which the kiosk UI also uses).
    FcConfig* config = FcInitLoadConfigAndFonts();
    if (!config) return std::nullopt;
    FcPattern* pat = FcPatternCreate();
    FcPatternAddString(pat, FC_FAMILY, reinterpret_cast<const FcChar8*>(family.c_str()));
    FcPatternAddString(pat, FC_LANG, reinterpret_cast<const FcChar8*>("zh-cn"));
    FcConfigSubstitute(config, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult result = FcResultNoMatch;
    FcPattern* found = FcFontMatch(config, pat, &result);
    std::optional<Match> out;
    if (found) {
        FcChar8* file = nullptr;
        int index = 0;
        bool familyMatches = false;
        for (int i = 0;; ++i) {
            FcChar8* fam = nullptr;
            if (FcPatternGetString(found, FC_FAMILY, i, &fam) != FcResultMatch) break;
            if (lower(reinterpret_cast<const char*>(fam)) == lower(family)) familyMatches = true;
        }
        FcLangSet* langs = nullptr;
        const bool chinese = FcPatternGetLangSet(found, FC_LANG, 0, &langs) == FcResultMatch &&
                             FcLangSetHasLang(langs, reinterpret_cast<const FcChar8*>("zh-cn")) != FcLangDifferentLang;
        if (familyMatches && chinese && FcPatternGetString(found, FC_FILE, 0, &file) == FcResultMatch) {
            FcPatternGetInteger(found, FC_INDEX, 0, &index);
            std::filesystem::path p(reinterpret_cast<const char*>(file));
            if (isTrueTypeFile(p)) out = Match{p, index};
        }
        FcPatternDestroy(found);
    }
    FcPatternDestroy(pat);
    FcConfigDestroy(config);
    return out;
}

}  // namespace

FontSource::~FontSource() {
    if (m_font) hb_font_destroy(static_cast<hb_font_t*>(m_font));
    if (m_face) hb_face_destroy(static_cast<hb_face_t*>(m_face));
}

Result<std::shared_ptr<FontSource>> FontSource::open(const std::filesystem::path& file, int index) {
    if (!isTrueTypeFile(file))
        return fail(ErrorCode::InvalidInput,
                    fmt::format("{} is not a TrueType font (.ttf or .ttc); libharu embeds only TrueType outlines, "
                                "use WenQuanYi (fonts-wqy-microhei)",
                                file.string()));
    hb_blob_t* blob = hb_blob_create_from_file_or_fail(file.c_str());
    if (!blob)
        return fail(ErrorCode::NotFound, fmt::format("cannot read font file {}; check the path", file.string()));
    const unsigned faces = hb_face_count(blob);
    if (index < 0 || static_cast<unsigned>(index) >= std::max(faces, 1u)) {
        hb_blob_destroy(blob);
        return fail(ErrorCode::InvalidInput,
                    fmt::format("font file {} has {} face(s); face index {} does not exist", file.string(), faces, index));
    }
    hb_face_t* face = hb_face_create(blob, static_cast<unsigned>(index));
    hb_blob_destroy(blob);
    hb_blob_t* glyf = hb_face_reference_table(face, HB_TAG('g', 'l', 'y', 'f'));
    const bool hasOutlines = hb_blob_get_length(glyf) > 0;
    hb_blob_destroy(glyf);
    if (hb_face_get_glyph_count(face) == 0 || !hasOutlines) {
        hb_face_destroy(face);
        return fail(ErrorCode::InvalidInput,
                    fmt::format("{} (face {}) has no TrueType outlines (glyf table); use a TrueType CJK font such as "
                                "WenQuanYi Micro Hei",
                                file.string(), index));
    }
    auto src = std::shared_ptr<FontSource>(new FontSource());
    src->m_file = file;
    src->m_index = index;
    src->m_face = face;
    src->m_font = hb_font_create(face);
    return src;
}

Result<std::shared_ptr<FontSource>> FontSource::find(const std::vector<std::string>& families) {
    // One source per file and face for the whole process: the blob is mapped once.
    static std::mutex mutex;
    static std::map<std::string, std::weak_ptr<FontSource>> cache;
    std::string tried;
    for (const auto& family : families) {
        const auto m = matchFamily(family);
        if (!m) {
            tried += (tried.empty() ? "" : ", ") + family;
            continue;
        }
        const auto key = fmt::format("{}#{}", m->file.string(), m->index);
        std::lock_guard lock(mutex);
        if (auto cached = cache[key].lock()) return cached;
        auto opened = open(m->file, m->index);
        if (!opened) return opened;
        cache[key] = *opened;
        return opened;
    }
    return fail(ErrorCode::NotFound,
                fmt::format("no TrueType Chinese font found through fontconfig (tried: {}); install "
                            "fonts-wqy-microhei or fonts-wqy-zenhei, or name an installed family in the template's "
                            "'fonts' list",
                            tried.empty() ? "no family given" : tried));
}

std::vector<std::uint32_t> FontSource::missing(const std::vector<std::uint32_t>& cps) const {
    std::vector<std::uint32_t> out;
    auto* font = static_cast<hb_font_t*>(m_font);
    for (auto cp : cps) {
        hb_codepoint_t glyph = 0;
        if (cp >= 0x20 && !hb_font_get_nominal_glyph(font, cp, &glyph)) out.push_back(cp);
    }
    return out;
}

namespace {

void put16(std::string& out, std::uint32_t v) {
    out += static_cast<char>((v >> 8) & 0xFF);
    out += static_cast<char>(v & 0xFF);
}

/// A 'cmap' table with one (3,1) format 4 subtable: kPrivateUseBase + i -> glyphs[i], and the final 0xFFFF range.
std::string privateUseCmap(const std::vector<hb_codepoint_t>& glyphs) {
    const auto n = static_cast<std::uint32_t>(glyphs.size());
    constexpr std::uint32_t segments = 2;
    std::string t;
    put16(t, 0);   // version
    put16(t, 1);   // one encoding record
    put16(t, 3);   // Windows
    put16(t, 1);   // Unicode BMP
    put16(t, 0);   // offset (32 bits): 12
    put16(t, 12);
    put16(t, 4);                                  // format
    put16(t, 16 + 8 * segments + 2 * n);          // length
    put16(t, 0);                                  // language
    put16(t, 2 * segments);                       // segCountX2
    put16(t, 4);                                  // searchRange = 2 * 2^floor(log2(segments))
    put16(t, 1);                                  // entrySelector
    put16(t, 0);                                  // rangeShift
    put16(t, kPrivateUseBase + n - 1);            // endCode
    put16(t, 0xFFFF);
    put16(t, 0);                                  // reservedPad
    put16(t, kPrivateUseBase);                    // startCode
    put16(t, 0xFFFF);
    put16(t, 0);                                  // idDelta
    put16(t, 1);
    put16(t, 4);                                  // idRangeOffset: glyphIdArray follows the two entries
    put16(t, 0);
    for (auto g : glyphs) put16(t, g);
    return t;
}

}  // namespace

Result<std::string> FontSource::subset(const std::vector<std::uint32_t>& cps) const {
    if (cps.empty() || cps.size() > 0x1900)
        return fail(ErrorCode::Internal, fmt::format("a document font holds 1 to 6400 characters, not {}", cps.size()));
    hb_subset_input_t* input = hb_subset_input_create_or_fail();
    if (!input) return fail(ErrorCode::Internal, "hb_subset_input_create_or_fail failed (out of memory?)");
    hb_set_t* unicodes = hb_subset_input_unicode_set(input);
    for (auto cp : cps) hb_set_add(unicodes, cp);
    // Printing needs no hinting; dropping it (and layout tables) keeps the subset small.
    hb_subset_input_set_flags(input, HB_SUBSET_FLAGS_NO_HINTING);
    hb_set_t* drop = hb_subset_input_set(input, HB_SUBSET_SETS_DROP_TABLE_TAG);
    for (auto tag : {HB_TAG('G', 'S', 'U', 'B'), HB_TAG('G', 'P', 'O', 'S'), HB_TAG('G', 'D', 'E', 'F'),
                     HB_TAG('E', 'B', 'D', 'T'), HB_TAG('E', 'B', 'L', 'C'), HB_TAG('E', 'B', 'S', 'C'),
                     HB_TAG('g', 'a', 's', 'p'), HB_TAG('k', 'e', 'r', 'n'), HB_TAG('v', 'h', 'e', 'a'),
                     HB_TAG('v', 'm', 't', 'x'), HB_TAG('D', 'S', 'I', 'G')})
        hb_set_add(drop, tag);
    hb_face_t* subsetBuilder = hb_subset_or_fail(static_cast<hb_face_t*>(m_face), input);
    hb_subset_input_destroy(input);
    if (!subsetBuilder) return fail(ErrorCode::Internal, fmt::format("HarfBuzz could not subset {}", m_file.string()));
    // The subset as a font file, opened again: a builder face cannot list its tables.
    hb_blob_t* subsetBlob = hb_face_reference_blob(subsetBuilder);
    hb_face_destroy(subsetBuilder);
    hb_face_t* sub = hb_face_create(subsetBlob, 0);
    hb_blob_destroy(subsetBlob);

    // The subset's glyph of each character, then the same tables with the private-use character map.
    std::vector<hb_codepoint_t> glyphs;
    glyphs.reserve(cps.size());
    {
        hb_font_t* font = hb_font_create(sub);
        for (auto cp : cps) {
            hb_codepoint_t g = 0;
            if (!hb_font_get_nominal_glyph(font, cp, &g)) g = 0;
            glyphs.push_back(g);
        }
        hb_font_destroy(font);
    }
    hb_face_t* builder = hb_face_builder_create();
    std::vector<hb_tag_t> tags(64);
    unsigned offset = 0;
    for (;;) {
        unsigned count = static_cast<unsigned>(tags.size());
        hb_face_get_table_tags(sub, offset, &count, tags.data());
        if (count == 0) break;
        for (unsigned i = 0; i < count; ++i) {
            if (tags[i] == HB_TAG('c', 'm', 'a', 'p')) continue;
            hb_blob_t* table = hb_face_reference_table(sub, tags[i]);
            hb_face_builder_add_table(builder, tags[i], table);
            hb_blob_destroy(table);
        }
        offset += count;
    }
    const auto cmap = privateUseCmap(glyphs);
    hb_blob_t* cmapBlob = hb_blob_create(cmap.data(), static_cast<unsigned>(cmap.size()), HB_MEMORY_MODE_DUPLICATE,
                                         nullptr, nullptr);
    hb_face_builder_add_table(builder, HB_TAG('c', 'm', 'a', 'p'), cmapBlob);
    hb_blob_destroy(cmapBlob);
    hb_blob_t* blob = hb_face_reference_blob(builder);
    unsigned len = 0;
    const char* data = hb_blob_get_data(blob, &len);
    std::string out(data ? data : "", data ? len : 0);
    hb_blob_destroy(blob);
    hb_face_destroy(builder);
    hb_face_destroy(sub);
    if (out.empty()) return fail(ErrorCode::Internal, fmt::format("HarfBuzz produced an empty subset of {}", m_file.string()));
    return out;
}

}  // namespace training::docs
