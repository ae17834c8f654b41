#pragma once
/// @file i18n.hpp
/// @brief The kiosk's message catalogs (assets/i18n/<lang>.toml): flat `key = "text"` tables.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "training/error.hpp"

namespace kiosk::ui {

/// @brief The two languages of the kiosk.
enum class Language { Zh, En };

/// @brief "zh-CN" / "en".
[[nodiscard]] std::string_view languageCode(Language l) noexcept;

/// @brief One catalog: key -> text.
using Catalog = std::map<std::string, std::string, std::less<>>;

/// @brief Parses a catalog file (TOML, one table of strings; nested tables give dotted keys).
/// @retval InvalidInput a syntax error or a value that is not a string (naming the key and the line)
/// @retval NotFound     no such file
[[nodiscard]] training::Result<Catalog> loadCatalog(const std::filesystem::path& file);

/// @brief Both catalogs and the current language.
class I18n {
public:
    /// @brief Loads zh-CN.toml and en.toml from @p dir. A key missing in a catalog shows as the key itself.
    [[nodiscard]] training::Result<void> load(const std::filesystem::path& dir);
    /// @brief The text of @p key in the current language (the key itself when missing).
    [[nodiscard]] const std::string& tr(std::string_view key) const;
    /// @brief The text of @p key in @p lang.
    [[nodiscard]] const std::string& tr(std::string_view key, Language lang) const;
    /// @brief Whether the current language's catalog has @p key.
    [[nodiscard]] bool has(std::string_view key) const { return catalog(m_lang).contains(key); }
    [[nodiscard]] Language language() const noexcept { return m_lang; }
    void setLanguage(Language l) noexcept { m_lang = l; }
    void toggle() noexcept { m_lang = m_lang == Language::Zh ? Language::En : Language::Zh; }
    /// @brief Picks the zh or en text of a bilingual value (en falls back to zh when empty).
    [[nodiscard]] const std::string& pick(const std::string& zh, const std::string& en) const {
        return m_lang == Language::En && !en.empty() ? en : zh;
    }
    /// @brief Every string of both catalogs (for the font's glyph set).
    [[nodiscard]] std::vector<std::string_view> allTexts() const;
    [[nodiscard]] const Catalog& catalog(Language l) const { return l == Language::Zh ? m_zh : m_en; }

private:
    Catalog m_zh;
    Catalog m_en;
    Language m_lang{Language::Zh};
    mutable std::map<std::string, std::string, std::less<>> m_missing;
};

/// @brief What a failure says on screen: the catalog text of its reason (`error.<reason>`), else the
/// generic text of its code (`error.code.<code name>`). A worker never reads the store's English message;
/// @p forStaff appends it in brackets, for staff screens.
[[nodiscard]] std::string errorText(const I18n& i18n, const training::Error& error, bool forStaff = false);

/// @brief Replaces "{}" placeholders in order (a tiny runtime formatter for catalog strings).
[[nodiscard]] std::string format(std::string_view pattern, std::initializer_list<std::string> args);

}  // namespace kiosk::ui
