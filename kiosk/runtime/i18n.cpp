#include "runtime/i18n.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

namespace kiosk::ui {

std::string_view languageCode(Language l) noexcept { return l == Language::Zh ? "zh-CN" : "en"; }

namespace {
training::Result<void> flatten(const toml::table& table, const std::string& prefix, Catalog& out,
                               const std::filesystem::path& file) {
    for (const auto& [k, v] : table) {
        const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
        if (const auto* t = v.as_table()) {
            if (auto r = flatten(*t, key, out, file); !r) return r;
        } else if (const auto* s = v.as_string()) {
            out.emplace(key, s->get());
        } else {
            return std::unexpected(training::Error{
                training::ErrorCode::InvalidInput,
                fmt::format("{}:{}: '{}' is not a string; write every catalog entry as key = \"text\"", file.string(),
                            v.source().begin.line, key)});
        }
    }
    return {};
}
}  // namespace

training::Result<Catalog> loadCatalog(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
        return std::unexpected(training::Error{
            training::ErrorCode::NotFound,
            fmt::format("no message catalog {}; set KIOSK_ASSETS_DIR to the assets directory", file.string())});
    toml::table parsed;
    try {
        parsed = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        return std::unexpected(training::Error{
            training::ErrorCode::InvalidInput,
            fmt::format("{}:{}:{}: {}; fix the catalog's TOML syntax", file.string(), e.source().begin.line,
                        e.source().begin.column, e.description())});
    }
    Catalog out;
    if (auto r = flatten(parsed, "", out, file); !r) return std::unexpected(r.error());
    return out;
}

training::Result<void> I18n::load(const std::filesystem::path& dir) {
    auto zh = loadCatalog(dir / "zh-CN.toml");
    if (!zh) return std::unexpected(zh.error());
    auto en = loadCatalog(dir / "en.toml");
    if (!en) return std::unexpected(en.error());
    m_zh = std::move(*zh);
    m_en = std::move(*en);
    return {};
}

const std::string& I18n::tr(std::string_view key) const { return tr(key, m_lang); }

const std::string& I18n::tr(std::string_view key, Language lang) const {
    const auto& c = catalog(lang);
    if (auto it = c.find(key); it != c.end()) return it->second;
    auto [it, _] = m_missing.emplace(std::string(key), std::string(key));
    return it->second;
}

std::string errorText(const I18n& i18n, const training::Error& error, bool forStaff) {
    std::string text;
    if (const auto key = "error." + error.reason; !error.reason.empty() && i18n.has(key))
        text = i18n.tr(key);
    else
        text = i18n.tr("error.code." + std::string(training::errorCodeName(error.code)));
    if (forStaff && !error.message.empty()) text += "（" + error.message + "）";
    return text;
}

std::vector<std::string_view> I18n::allTexts() const {
    std::vector<std::string_view> out;
    for (const auto* c : {&m_zh, &m_en})
        for (const auto& [k, v] : *c) out.push_back(v);
    return out;
}

std::string format(std::string_view pattern, std::initializer_list<std::string> args) {
    std::string out;
    auto it = args.begin();
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '{' && i + 1 < pattern.size() && pattern[i + 1] == '}') {
            if (it != args.end()) out += *it++;
            ++i;
        } else {
            out += pattern[i];
        }
    }
    return out;
}

}  // namespace kiosk::ui
