#pragma once
/// @file documents.hpp
/// @brief Completion certificates (A4) and badge cards (ISO ID-1, front and back) as PDF.
///
/// A document is drawn from a plain CertificateDocument (see document_data.hpp) and a layout template
/// (TOML, see assets/certificates/README.md): positions, sizes, wording and logo are data, not code.
/// Text uses one TrueType CJK font found through fontconfig (WenQuanYi), subset with HarfBuzz to the
/// characters the document uses and embedded, so a certificate with its portrait stays well under
/// 100 KB and its text (Chinese included) can be copied or extracted with `pdftotext`. The QR code
/// (libqrencode, level M) is drawn as vector squares. Rendering needs no database.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "training/document_data.hpp"
#include "training/error.hpp"

namespace training {

/// @brief Which document to draw.
enum class DocumentKind {
    Certificate,  ///< completion certificate, A4 portrait (template `certificate.toml`)
    Badge,        ///< badge card, ISO ID-1 85.60 x 53.98 mm, front and back (template `badge.toml`)
};

/// @brief "certificate" or "badge".
[[nodiscard]] std::string_view documentKindName(DocumentKind kind) noexcept;

/// @brief Where templates are looked up: $KIOSK_CERT_TEMPLATES, else the installed data directory
/// (share/badge-kiosk/certificates), else the source tree's assets/certificates.
[[nodiscard]] std::filesystem::path defaultTemplateDir();

/// @brief How a renderer is set up.
struct DocumentRendererOptions {
    std::filesystem::path templateDir;  ///< empty: defaultTemplateDir()
    /// Font families to try before the template's list (fontconfig names, e.g. "WenQuanYi Zen Hei").
    std::vector<std::string> fontFamilies;
    /// Explicit TrueType/TTC file (and face index) instead of a fontconfig lookup; for tests.
    std::filesystem::path fontFile;
    int fontIndex{0};
    /// Portraits larger than this many bytes (or wider than 600 pixels) are re-encoded smaller.
    std::size_t portraitMaxBytes{40 * 1024};
    /// Portraits re-encoded smaller are kept (by content) for this many workers, so a worker's certificate,
    /// badge card and reprints decode and re-encode the picture once per renderer; 0 disables the cache.
    std::size_t portraitCacheEntries{64};
};

/// @brief What a rendered document used (for `--json` output and tests).
struct RenderedDocument {
    std::string pdf;           ///< the PDF file's bytes
    int pages{0};
    std::string fontFile;      ///< the font file the glyphs came from
    std::size_t glyphs{0};     ///< glyphs in the embedded subset (including .notdef)
    std::size_t fontBytes{0};  ///< size of the embedded subset font program
};

/// @brief Draws certificates and badge cards. Loads the templates and opens the font once; rendering
/// is then a pure function of the document data. Not thread-safe: use one renderer per thread.
class DocumentRenderer {
public:
    /// @brief Loads both templates and finds the font.
    /// @retval NotFound a template file or the logo it names is missing, or no CJK TrueType font was found
    ///         (install fonts-wqy-microhei or fonts-wqy-zenhei)
    /// @retval InvalidInput a template is malformed; the message names the file, the item and the key
    [[nodiscard]] static Result<DocumentRenderer> create(const DocumentRendererOptions& options = {});

    DocumentRenderer(DocumentRenderer&&) noexcept;
    DocumentRenderer& operator=(DocumentRenderer&&) noexcept;
    ~DocumentRenderer();

    /// @brief Renders one document.
    /// @retval InvalidInput the portrait is not a JPEG or PNG image, the QR payload is empty or too long
    ///         for a QR code, or a text has a character the font does not have
    /// @retval Internal libharu or HarfBuzz failed (the message carries their error)
    [[nodiscard]] Result<RenderedDocument> render(DocumentKind kind, const CertificateDocument& doc) const;

    /// @brief Renders and writes the PDF to @p path (atomically: a temporary file, then rename).
    /// @retval Io the file could not be written (directory missing, permissions, disk full)
    [[nodiscard]] Result<RenderedDocument> renderToFile(DocumentKind kind, const CertificateDocument& doc,
                                                        const std::filesystem::path& path) const;

    /// @brief The font file in use.
    [[nodiscard]] const std::filesystem::path& fontFile() const noexcept;

private:
    struct Impl;
    explicit DocumentRenderer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

/// @brief Sample data for layout work (`kioskctl cert render --demo`): made-up worker, modules, score,
/// dates, a generated portrait, and an unsigned QR link of the typical length ("https://verify.example.cn/v/#...").
/// Needs no center key and no database.
[[nodiscard]] CertificateDocument demoCertificateDocument();

}  // namespace training
