// Certificates and badge cards as PDF: libharu for the file, the subset CJK font embedded as a CIDFontType2
// with the UTF-8 encoder (text in private-use code points, see FontSource::subset), libqrencode for the QR code.
#include <fcntl.h>
#include <fmt/format.h>
#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_font.h>
#include <qrencode.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <list>
#include <map>
#include <set>

#include "documents_internal.hpp"

namespace training {

using namespace docs;

std::string_view documentKindName(DocumentKind kind) noexcept {
    return kind == DocumentKind::Badge ? "badge" : "certificate";
}

std::filesystem::path defaultTemplateDir() {
    if (const char* env = std::getenv("KIOSK_CERT_TEMPLATES"); env && *env) return env;
#ifdef KIOSK_INSTALL_DATADIR
    if (std::filesystem::path p = std::filesystem::path(KIOSK_INSTALL_DATADIR) / "certificates";
        std::filesystem::exists(p / "certificate.toml"))
        return p;
#endif
#ifdef KIOSK_SOURCE_ASSETS_DIR
    return std::filesystem::path(KIOSK_SOURCE_ASSETS_DIR) / "certificates";
#else
    return "assets/certificates";
#endif
}

struct DocumentRenderer::Impl {
    DocumentRendererOptions options;
    Template certificate;
    Template badge;
    std::shared_ptr<FontSource> font;
    /// Re-encoded portraits by original bytes, most recently used first (see portraitCacheEntries).
    std::list<std::pair<std::string, std::string>> portraits;

    /// The portrait as embedded: @p jpeg itself when small enough, else a smaller re-encoding (cached).
    Result<std::string> printPortrait(std::string jpeg) {
        const auto info = jpegInfo(jpeg);
        if (!info) return fail(ErrorCode::InvalidInput, "the portrait is not a readable JPEG image; capture it again");
        if (jpeg.size() <= options.portraitMaxBytes && info->width <= 600) return jpeg;
        for (auto it = portraits.begin(); it != portraits.end(); ++it) {
            if (it->first != jpeg) continue;
            portraits.splice(portraits.begin(), portraits, it);
            return it->second;
        }
        auto small = shrinkJpeg(jpeg, std::min(info->width, 480), 82);
        if (!small) return small;
        if (options.portraitCacheEntries > 0) {
            portraits.emplace_front(std::move(jpeg), *small);
            if (portraits.size() > options.portraitCacheEntries) portraits.pop_back();
        }
        return small;
    }
};

DocumentRenderer::DocumentRenderer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
DocumentRenderer::DocumentRenderer(DocumentRenderer&&) noexcept = default;
DocumentRenderer& DocumentRenderer::operator=(DocumentRenderer&&) noexcept = default;
DocumentRenderer::~DocumentRenderer() = default;

const std::filesystem::path& DocumentRenderer::fontFile() const noexcept { return m_impl->font->file(); }

Result<DocumentRenderer> DocumentRenderer::create(const DocumentRendererOptions& options) {
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    const auto dir = options.templateDir.empty() ? defaultTemplateDir() : options.templateDir;
    auto cert = loadTemplate(dir / "certificate.toml");
    if (!cert) return propagate(cert);
    auto badge = loadTemplate(dir / "badge.toml");
    if (!badge) return propagate(badge);
    impl->certificate = std::move(*cert);
    impl->badge = std::move(*badge);
    if (!options.fontFile.empty()) {
        auto f = FontSource::open(options.fontFile, options.fontIndex);
        if (!f) return propagate(f);
        impl->font = std::move(*f);
    } else {
        std::vector<std::string> families = options.fontFamilies;
        for (const auto& f : impl->certificate.fontFamilies) families.push_back(f);
        for (const auto& f : {"WenQuanYi Micro Hei", "WenQuanYi Zen Hei"}) families.emplace_back(f);
        auto f = FontSource::find(families);
        if (!f) return propagate(f);
        impl->font = std::move(*f);
    }
    return DocumentRenderer(std::move(impl));
}

namespace {

constexpr double kPtPerMm = 72.0 / 25.4;
constexpr int kQuietModules = 4;

struct HpdfErrors {
    HPDF_STATUS code{HPDF_OK};
    HPDF_STATUS detail{0};
};

extern "C" void onHpdfError(HPDF_STATUS code, HPDF_STATUS detail, void* user) {
    auto* e = static_cast<HpdfErrors*>(user);
    if (e->code == HPDF_OK) {
        e->code = code;
        e->detail = detail;
    }
}

/// Owns an HPDF_Doc.
struct Pdf {
    HPDF_Doc doc{nullptr};
    HpdfErrors errors;
    int fontFd{-1};
    Pdf() { doc = HPDF_New(onHpdfError, &errors); }
    ~Pdf() {
        if (doc) HPDF_Free(doc);
        if (fontFd >= 0) ::close(fontFd);
    }
    Pdf(const Pdf&) = delete;
    Pdf& operator=(const Pdf&) = delete;
};

/// A text item (or table cell) with its placeholders resolved.
struct TextRun {
    const Item* item{nullptr};
    std::string text;
};

std::string rowText(const std::string& pattern, const CertificateModuleLine& m, const Fields& fields) {
    Fields f = fields;
    auto hours = [](int minutes) {
        return minutes % 60 == 0 ? std::to_string(minutes / 60) : fmt::format("{:.1f}", minutes / 60.0);
    };
    f["module_code"] = m.code;
    f["module_zh"] = m.nameZh;
    f["module_en"] = m.nameEn;
    f["required_hours"] = hours(m.requiredMinutes);
    f["attended_hours"] = hours(m.attendedMinutes);
    return substitute(pattern, f);
}

/// The document font's private-use code points (FontSource::subset) of the characters used, in order.
using PrivateUseMap = std::map<std::uint32_t, std::uint32_t>;

/// @p text in the document font's private-use code points; characters outside the font are dropped.
std::string toPrivateUse(const std::string& text, const PrivateUseMap& map) {
    std::string out;
    out.reserve(text.size());
    for (auto cp : codepoints(text))
        if (auto it = map.find(cp); it != map.end()) out += utf8(it->second);
    return out;
}

class PageWriter {
public:
    PageWriter(HPDF_Doc doc, HPDF_Page page, HPDF_Font font, const PrivateUseMap& pua, double heightMm)
        : m_doc(doc), m_page(page), m_font(font), m_pua(pua), m_heightMm(heightMm) {}

    static double pt(double mm) { return mm * kPtPerMm; }
    double y(double mmFromTop) const { return pt(m_heightMm - mmFromTop); }

    void text(const Item& it, const std::string& plain) {
        const auto s = toPrivateUse(plain, m_pua);
        if (s.empty()) return;
        double size = it.sizePt;
        HPDF_Page_SetFontAndSize(m_page, m_font, static_cast<HPDF_REAL>(size));
        HPDF_Page_SetCharSpace(m_page, static_cast<HPDF_REAL>(it.charSpacePt));
        double width = HPDF_Page_TextWidth(m_page, s.c_str());
        if (it.maxWidth > 0 && width > pt(it.maxWidth)) {
            size = size * pt(it.maxWidth) / width;
            HPDF_Page_SetFontAndSize(m_page, m_font, static_cast<HPDF_REAL>(size));
            width = HPDF_Page_TextWidth(m_page, s.c_str());
        }
        double x = pt(it.x);
        if (it.align == Align::Center) x -= width / 2;
        else if (it.align == Align::Right) x -= width;
        HPDF_Page_SetRGBFill(m_page, it.color.r, it.color.g, it.color.b);
        HPDF_Page_BeginText(m_page);
        HPDF_Page_TextOut(m_page, static_cast<HPDF_REAL>(x), static_cast<HPDF_REAL>(y(it.y)), s.c_str());
        HPDF_Page_EndText(m_page);
        HPDF_Page_SetCharSpace(m_page, 0);
    }

    void cell(const std::string& s, double xMm, double yMm, double sizePt, Align align, Color c) {
        Item it;
        it.x = xMm;
        it.y = yMm;
        it.sizePt = sizePt;
        it.align = align;
        it.color = c;
        text(it, s);
    }

    void rect(const Item& it) {
        HPDF_Page_SetLineWidth(m_page, static_cast<HPDF_REAL>(it.linePt));
        if (it.fill) HPDF_Page_SetRGBFill(m_page, it.fill->r, it.fill->g, it.fill->b);
        if (it.stroke) HPDF_Page_SetRGBStroke(m_page, it.stroke->r, it.stroke->g, it.stroke->b);
        HPDF_Page_Rectangle(m_page, static_cast<HPDF_REAL>(pt(it.x)), static_cast<HPDF_REAL>(y(it.y + it.h)),
                            static_cast<HPDF_REAL>(pt(it.w)), static_cast<HPDF_REAL>(pt(it.h)));
        if (it.fill && it.stroke) HPDF_Page_FillStroke(m_page);
        else if (it.fill) HPDF_Page_Fill(m_page);
        else HPDF_Page_Stroke(m_page);
    }

    void line(const Item& it) {
        const Color c = it.stroke.value_or(it.color);
        HPDF_Page_SetLineWidth(m_page, static_cast<HPDF_REAL>(it.linePt));
        HPDF_Page_SetRGBStroke(m_page, c.r, c.g, c.b);
        HPDF_Page_MoveTo(m_page, static_cast<HPDF_REAL>(pt(it.x)), static_cast<HPDF_REAL>(y(it.y)));
        HPDF_Page_LineTo(m_page, static_cast<HPDF_REAL>(pt(it.x2)), static_cast<HPDF_REAL>(y(it.y2)));
        HPDF_Page_Stroke(m_page);
    }

    /// Draws @p image in the item's box: cropped to fill it (portraits) or fitted inside it (logos).
    void image(const Item& it, HPDF_Image image, bool cover) {
        const double iw = HPDF_Image_GetWidth(image), ih = HPDF_Image_GetHeight(image);
        if (iw <= 0 || ih <= 0) return;
        const double bw = pt(it.w), bh = pt(it.h), bx = pt(it.x), by = y(it.y + it.h);
        const double scale = cover ? std::max(bw / iw, bh / ih) : std::min(bw / iw, bh / ih);
        const double dw = iw * scale, dh = ih * scale;
        const double dx = bx + (bw - dw) / 2;
        // Portraits keep the top of the head: crop from the bottom rather than centring vertically.
        const double dy = cover ? by + bh - dh + std::max(0.0, (dh - bh) * 0.15) : by + (bh - dh) / 2;
        HPDF_Page_GSave(m_page);
        if (cover) {
            HPDF_Page_Rectangle(m_page, static_cast<HPDF_REAL>(bx), static_cast<HPDF_REAL>(by),
                                static_cast<HPDF_REAL>(bw), static_cast<HPDF_REAL>(bh));
            HPDF_Page_Clip(m_page);
            HPDF_Page_EndPath(m_page);
        }
        HPDF_Page_DrawImage(m_page, image, static_cast<HPDF_REAL>(dx), static_cast<HPDF_REAL>(dy),
                            static_cast<HPDF_REAL>(dw), static_cast<HPDF_REAL>(dh));
        HPDF_Page_GRestore(m_page);
        if (it.stroke) {
            Item frame = it;
            frame.fill.reset();
            rect(frame);
        }
    }

    void qr(const Item& it, const QRcode& code) {
        const int n = code.width + 2 * kQuietModules;
        const double module = pt(it.w) / n;
        const double x0 = pt(it.x), top = y(it.y);
        HPDF_Page_SetRGBFill(m_page, 1, 1, 1);
        HPDF_Page_Rectangle(m_page, static_cast<HPDF_REAL>(x0), static_cast<HPDF_REAL>(top - pt(it.w)),
                            static_cast<HPDF_REAL>(pt(it.w)), static_cast<HPDF_REAL>(pt(it.w)));
        HPDF_Page_Fill(m_page);
        HPDF_Page_SetRGBFill(m_page, it.color.r, it.color.g, it.color.b);
        for (int r = 0; r < code.width; ++r) {
            int c = 0;
            while (c < code.width) {
                if (!(code.data[r * code.width + c] & 1)) {
                    ++c;
                    continue;
                }
                const int start = c;
                while (c < code.width && (code.data[r * code.width + c] & 1)) ++c;
                HPDF_Page_Rectangle(m_page, static_cast<HPDF_REAL>(x0 + (start + kQuietModules) * module),
                                    static_cast<HPDF_REAL>(top - (r + kQuietModules + 1) * module),
                                    static_cast<HPDF_REAL>((c - start) * module), static_cast<HPDF_REAL>(module));
            }
        }
        HPDF_Page_Fill(m_page);
    }

    /// The table's row height and font size: the template's, or smaller so that the header, every module row
    /// and the total line fit into max_h_mm (a course with many modules gets narrower rows, never overlaps).
    static std::pair<double, double> tableMetrics(const Item& it, std::size_t moduleCount) {
        const double rows = static_cast<double>(moduleCount + 1 + (it.total.empty() ? 0 : 1));
        double rowH = it.rowMm;
        if (it.maxHMm > 0 && rows * rowH > it.maxHMm) rowH = it.maxHMm / rows;
        return {rowH, rowH / it.rowMm};
    }

    void modules(const Item& it, const CertificateDocument& doc, const Fields& fields) {
        const auto [rowH, scale] = tableMetrics(it, doc.modules.size());
        const double size = it.sizePt * scale;
        const Color grid = it.stroke.value_or(Color{0.6f, 0.6f, 0.6f});
        // header
        if (it.headerFill) {
            HPDF_Page_SetRGBFill(m_page, it.headerFill->r, it.headerFill->g, it.headerFill->b);
            HPDF_Page_Rectangle(m_page, static_cast<HPDF_REAL>(pt(it.x)), static_cast<HPDF_REAL>(y(it.y + rowH)),
                                static_cast<HPDF_REAL>(pt(it.w)), static_cast<HPDF_REAL>(pt(rowH)));
            HPDF_Page_Fill(m_page);
        }
        const double baseline = rowH * 0.68;
        for (const auto& col : it.columns)
            cell(substitute(col.title, fields), it.x + col.xMm, it.y + baseline, size, col.align, it.color);
        int row = 1;
        for (const auto& m : doc.modules) {
            const double top = it.y + row * rowH;
            for (const auto& col : it.columns)
                cell(rowText(col.value, m, fields), it.x + col.xMm, top + baseline, size, col.align, it.color);
            ++row;
        }
        if (!it.total.empty()) {
            const double totalSize = (it.totalSizePt > 0 ? it.totalSizePt : it.sizePt) * scale;
            cell(substitute(it.total, fields), it.x + it.w - 3, it.y + row * rowH + baseline, totalSize, Align::Right,
                 Color{0.333f, 0.333f, 0.333f});
        }
        // horizontal rules: under the header, between rows, at the bottom
        HPDF_Page_SetLineWidth(m_page, static_cast<HPDF_REAL>(it.linePt));
        HPDF_Page_SetRGBStroke(m_page, grid.r, grid.g, grid.b);
        for (int r = 0; r <= row; ++r) {
            if (r == 0 && it.headerFill) continue;
            HPDF_Page_MoveTo(m_page, static_cast<HPDF_REAL>(pt(it.x)), static_cast<HPDF_REAL>(y(it.y + r * rowH)));
            HPDF_Page_LineTo(m_page, static_cast<HPDF_REAL>(pt(it.x + it.w)), static_cast<HPDF_REAL>(y(it.y + r * rowH)));
        }
        HPDF_Page_Stroke(m_page);
    }

private:
    [[maybe_unused]] HPDF_Doc m_doc;
    HPDF_Page m_page;
    HPDF_Font m_font;
    const PrivateUseMap& m_pua;
    double m_heightMm;
};

/// The ToUnicode CMap: each private-use character code of the text (see FontSource::subset) to its real
/// character. libharu 2.3.0 writes its encoding CMap (cidrange) there instead, which readers must guess around.
std::string toUnicodeCMap(const PrivateUseMap& used) {
    std::string s =
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
    const std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs(used.begin(), used.end());
    for (std::size_t i = 0; i < pairs.size(); i += 100) {
        const std::size_t n = std::min<std::size_t>(100, pairs.size() - i);
        s += fmt::format("{} beginbfchar\n", n);
        for (std::size_t k = 0; k < n; ++k) s += fmt::format("<{:04X}> <{:04X}>\n", pairs[i + k].second, pairs[i + k].first);
        s += "endbfchar\n";
    }
    s += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
    return s;
}

std::string describe(std::uint32_t cp) { return fmt::format("'{}' (U+{:04X})", utf8(cp), cp); }

}  // namespace

Result<RenderedDocument> DocumentRenderer::render(DocumentKind kind, const CertificateDocument& doc) const {
    const Template& tpl = kind == DocumentKind::Badge ? m_impl->badge : m_impl->certificate;
    const Fields fields = documentFields(doc, tpl.missing);

    // 1. Resolve every text so the font can be subset to exactly the characters used.
    std::set<std::uint32_t> used;
    auto use = [&](const std::string& s) {
        for (auto cp : codepoints(s)) used.insert(cp);
    };
    bool needsQr = false, needsPortrait = false;
    for (const auto& page : tpl.pages) {
        for (const auto& it : page.items) {
            if (it.type == ItemType::Text) use(substitute(it.text, fields));
            else if (it.type == ItemType::Qr) needsQr = true;
            else if (it.type == ItemType::Image && it.source == "portrait") needsPortrait = true;
            else if (it.type == ItemType::Modules) {
                for (const auto& col : it.columns) {
                    use(substitute(col.title, fields));
                    for (const auto& m : doc.modules) use(rowText(col.value, m, fields));
                }
                use(substitute(it.total, fields));
            }
        }
    }
    std::erase_if(used, [](std::uint32_t cp) { return cp < 0x20; });
    used.insert(' ');
    {
        std::vector<std::uint32_t> bad;
        for (auto cp : used)
            if (cp > 0xFFFF || cp == 0xFFFD) bad.push_back(cp);
        const auto missing = m_impl->font->missing(std::vector<std::uint32_t>(used.begin(), used.end()));
        for (auto cp : missing)
            if (std::ranges::find(bad, cp) == bad.end()) bad.push_back(cp);
        if (!bad.empty()) {
            std::string list;
            for (auto cp : bad) list += (list.empty() ? "" : ", ") + describe(cp);
            return fail(ErrorCode::InvalidInput,
                        fmt::format("the {} cannot show {}: the font {} has no glyph for it (or it is not valid "
                                    "UTF-8 / outside the Basic Multilingual Plane); correct the record or configure "
                                    "a font that has it (template 'fonts')",
                                    documentKindName(kind), list, m_impl->font->file().string()));
        }
    }

    // 2. The QR code and the portrait.
    std::unique_ptr<QRcode, void (*)(QRcode*)> qr(nullptr, QRcode_free);
    if (needsQr) {
        if (doc.qrPayload.empty())
            return fail(ErrorCode::InvalidInput, "the document has no QR payload; issue the certificate first");
        errno = 0;
        qr.reset(QRcode_encodeString(doc.qrPayload.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
        if (!qr)
            return fail(ErrorCode::InvalidInput,
                        fmt::format("the QR payload ({} characters) does not fit a QR code at level M: {}",
                                    doc.qrPayload.size(), std::strerror(errno)));
    }
    std::string portrait;
    bool portraitPng = false;
    if (needsPortrait && !doc.portrait.empty()) {
        portrait.assign(reinterpret_cast<const char*>(doc.portrait.data()), doc.portrait.size());
        portraitPng = portrait.size() > 8 && portrait.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
        const bool jpeg = portrait.size() > 3 && static_cast<unsigned char>(portrait[0]) == 0xFF &&
                          static_cast<unsigned char>(portrait[1]) == 0xD8;
        if (!portraitPng && !jpeg)
            return fail(ErrorCode::InvalidInput, "the portrait is neither a JPEG nor a PNG image; capture it again");
        if (jpeg) {
            auto embedded = m_impl->printPortrait(std::move(portrait));
            if (!embedded) return propagate(embedded);
            portrait = std::move(*embedded);
        }
    }

    // 3. The font subset, handed to libharu through an in-memory file.
    PrivateUseMap pua;
    for (auto cp : used) pua.emplace(cp, kPrivateUseBase + static_cast<std::uint32_t>(pua.size()));
    auto subset = m_impl->font->subset(std::vector<std::uint32_t>(used.begin(), used.end()));
    if (!subset) return propagate(subset);

    Pdf pdf;
    if (!pdf.doc) return fail(ErrorCode::Internal, "libharu could not create a document (out of memory?)");
    HPDF_SetCompressionMode(pdf.doc, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(pdf.doc);
    HPDF_SetCurrentEncoder(pdf.doc, "UTF-8");
    pdf.fontFd = ::memfd_create("kiosk-document-font", MFD_CLOEXEC);
    if (pdf.fontFd < 0)
        return fail(ErrorCode::Io, fmt::format("memfd_create failed: {}", std::strerror(errno)));
    for (std::size_t off = 0; off < subset->size();) {
        const auto n = ::write(pdf.fontFd, subset->data() + off, subset->size() - off);
        if (n <= 0) return fail(ErrorCode::Io, fmt::format("writing the font subset failed: {}", std::strerror(errno)));
        off += static_cast<std::size_t>(n);
    }
    const auto fontPath = fmt::format("/proc/self/fd/{}", pdf.fontFd);
    const char* fontName = HPDF_LoadTTFontFromFile(pdf.doc, fontPath.c_str(), HPDF_TRUE);
    HPDF_Font font = fontName ? HPDF_GetFont(pdf.doc, fontName, "UTF-8") : nullptr;
    if (!font)
        return fail(ErrorCode::Internal, fmt::format("libharu could not load the subset of {} (error 0x{:04X}/{})",
                                                     m_impl->font->file().string(), pdf.errors.code, pdf.errors.detail));
    {
        // Replace libharu's ToUnicode entry with a real one (see toUnicodeCMap).
        HPDF_Dict cmap = HPDF_DictStream_New(pdf.doc->mmgr, pdf.doc->xref);
        if (!cmap) return fail(ErrorCode::Internal, "libharu could not create the ToUnicode stream");
        const auto text = toUnicodeCMap(pua);
        HPDF_Stream_Write(cmap->stream, reinterpret_cast<const HPDF_BYTE*>(text.data()),
                          static_cast<HPDF_UINT>(text.size()));
        cmap->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
        HPDF_Dict_Add(font, "ToUnicode", cmap);
    }
    const auto title = substitute(tpl.title.empty() ? std::string("{certificate_number}") : tpl.title, fields);
    std::string asciiTitle;
    for (char c : title)
        if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f) asciiTitle += c;
    HPDF_SetInfoAttr(pdf.doc, HPDF_INFO_TITLE, asciiTitle.c_str());
    HPDF_SetInfoAttr(pdf.doc, HPDF_INFO_CREATOR, "badge-kiosk");

    // 4. Images, loaded once per document.
    HPDF_Image portraitImage = nullptr;
    if (!portrait.empty()) {
        portraitImage = portraitPng
                            ? HPDF_LoadPngImageFromMem(pdf.doc, reinterpret_cast<const HPDF_BYTE*>(portrait.data()),
                                                       static_cast<HPDF_UINT>(portrait.size()))
                            : HPDF_LoadJpegImageFromMem(pdf.doc, reinterpret_cast<const HPDF_BYTE*>(portrait.data()),
                                                        static_cast<HPDF_UINT>(portrait.size()));
        if (!portraitImage)
            return fail(ErrorCode::InvalidInput,
                        fmt::format("libharu could not read the portrait (error 0x{:04X}); capture it again",
                                    pdf.errors.code));
    }
    std::map<const Item*, HPDF_Image> fileImages;

    // 5. Pages.
    for (const auto& page : tpl.pages) {
        HPDF_Page p = HPDF_AddPage(pdf.doc);
        HPDF_Page_SetWidth(p, static_cast<HPDF_REAL>(tpl.widthMm * kPtPerMm));
        HPDF_Page_SetHeight(p, static_cast<HPDF_REAL>(tpl.heightMm * kPtPerMm));
        PageWriter w(pdf.doc, p, font, pua, tpl.heightMm);
        for (const auto& it : page.items) {
            switch (it.type) {
                case ItemType::Text: w.text(it, substitute(it.text, fields)); break;
                case ItemType::Rect: w.rect(it); break;
                case ItemType::Line: w.line(it); break;
                case ItemType::Qr: w.qr(it, *qr); break;
                case ItemType::Modules: w.modules(it, doc, fields); break;
                case ItemType::Image: {
                    if (it.source == "portrait") {
                        if (portraitImage) {
                            w.image(it, portraitImage, true);
                        } else {
                            Item frame = it;
                            frame.fill = Color{0.93f, 0.93f, 0.93f};
                            frame.stroke = it.stroke.value_or(Color{0.6f, 0.6f, 0.6f});
                            w.rect(frame);
                        }
                        break;
                    }
                    HPDF_Image img = nullptr;
                    const auto* bytes = reinterpret_cast<const HPDF_BYTE*>(it.imageBytes.data());
                    const auto size = static_cast<HPDF_UINT>(it.imageBytes.size());
                    img = it.imageIsPng ? HPDF_LoadPngImageFromMem(pdf.doc, bytes, size)
                                        : HPDF_LoadJpegImageFromMem(pdf.doc, bytes, size);
                    if (!img)
                        return fail(ErrorCode::InvalidInput,
                                    fmt::format("{} ({}): libharu could not read image '{}' (error 0x{:04X}); save it "
                                                "as an 8-bit PNG or a baseline JPEG",
                                                tpl.file.string(), it.where, it.source, pdf.errors.code));
                    w.image(it, img, false);
                    break;
                }
            }
        }
    }

    if (pdf.errors.code != HPDF_OK)
        return fail(ErrorCode::Internal, fmt::format("libharu failed while drawing the {} (error 0x{:04X}, detail {})",
                                                     documentKindName(kind), pdf.errors.code, pdf.errors.detail));
    if (HPDF_SaveToStream(pdf.doc) != HPDF_OK)
        return fail(ErrorCode::Internal, fmt::format("libharu could not write the PDF (error 0x{:04X})", pdf.errors.code));
    RenderedDocument out;
    out.pdf.resize(HPDF_GetStreamSize(pdf.doc));
    HPDF_UINT32 size = static_cast<HPDF_UINT32>(out.pdf.size());
    HPDF_ReadFromStream(pdf.doc, reinterpret_cast<HPDF_BYTE*>(out.pdf.data()), &size);
    out.pdf.resize(size);
    out.pages = static_cast<int>(tpl.pages.size());
    out.fontFile = m_impl->font->file().string();
    out.glyphs = used.size() + 1;
    out.fontBytes = subset->size();
    return out;
}

Result<RenderedDocument> DocumentRenderer::renderToFile(DocumentKind kind, const CertificateDocument& doc,
                                                        const std::filesystem::path& path) const {
    auto r = render(kind, doc);
    if (!r) return r;
    auto tmp = path;
    tmp += fmt::format(".tmp{}", ::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(r->pdf.data(), static_cast<std::streamsize>(r->pdf.size()));
        out.flush();
        if (!out) {
            std::error_code ec;
            std::filesystem::remove(tmp, ec);
            return fail(ErrorCode::Io, fmt::format("cannot write {}; check that the folder exists and is writable",
                                                   path.string()));
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        return fail(ErrorCode::Io, fmt::format("cannot write {}: {}", path.string(), ec.message()));
    }
    return r;
}

}  // namespace training
