// Document layout templates (TOML): parsing and placeholder substitution. See assets/certificates/README.md.
#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "documents_internal.hpp"

namespace training::docs {

namespace {

struct Parser {
    std::filesystem::path file;
    std::string error;

    std::string at(const toml::node& n) const {
        return fmt::format("{}:{}", file.filename().string(), n.source().begin.line);
    }
    bool fail(const toml::node& n, const std::string& message) {
        if (error.empty()) error = fmt::format("{}: {}", at(n), message);
        return false;
    }

    bool number(const toml::table& t, std::string_view key, double& out, bool required) {
        const auto* node = t.get(key);
        if (!node) {
            if (required) return fail(t, fmt::format("missing '{}' (a number)", key));
            return true;
        }
        if (auto v = node->value<double>()) {
            if (!std::isfinite(*v)) return fail(*node, fmt::format("'{}' must be a finite number", key));
            out = *v;
            return true;
        }
        return fail(*node, fmt::format("'{}' must be a number", key));
    }

    bool string(const toml::table& t, std::string_view key, std::string& out, bool required) {
        const auto* node = t.get(key);
        if (!node) {
            if (required) return fail(t, fmt::format("missing '{}' (a string)", key));
            return true;
        }
        if (auto v = node->value<std::string>()) {
            out = *v;
            return true;
        }
        return fail(*node, fmt::format("'{}' must be a string", key));
    }

    bool color(const toml::table& t, std::string_view key, std::optional<Color>& out) {
        std::string text;
        if (!string(t, key, text, false)) return false;
        if (text.empty()) return true;
        unsigned v = 0;
        if (text.size() != 7 || text[0] != '#' ||
            std::sscanf(text.c_str() + 1, "%6x", &v) != 1 ||
            text.find_first_not_of("0123456789abcdefABCDEF", 1) != std::string::npos)
            return fail(*t.get(key), fmt::format("'{}' must be a colour written #RRGGBB, not '{}'", key, text));
        out = Color{static_cast<float>((v >> 16) & 0xff) / 255.f, static_cast<float>((v >> 8) & 0xff) / 255.f,
                    static_cast<float>(v & 0xff) / 255.f};
        return true;
    }

    bool align(const toml::table& t, Align& out) {
        std::string text;
        if (!string(t, "align", text, false)) return false;
        if (text.empty() || text == "left") out = Align::Left;
        else if (text == "center" || text == "centre") out = Align::Center;
        else if (text == "right") out = Align::Right;
        else return fail(*t.get("align"), fmt::format("align must be left, center or right, not '{}'", text));
        return true;
    }

    bool item(const toml::table& t, Item& it) {
        std::string type;
        if (!string(t, "type", type, true)) return false;
        std::optional<Color> c;
        if (!color(t, "color", c)) return false;
        if (c) it.color = *c;
        if (!color(t, "stroke", it.stroke) || !color(t, "fill", it.fill)) return false;
        if (!number(t, "line_pt", it.linePt, false)) return false;
        if (type == "text") {
            it.type = ItemType::Text;
            return number(t, "x_mm", it.x, true) && number(t, "y_mm", it.y, true) && string(t, "text", it.text, true) &&
                   number(t, "size_pt", it.sizePt, false) && align(t, it.align) &&
                   number(t, "max_width_mm", it.maxWidth, false) && number(t, "char_space_pt", it.charSpacePt, false);
        }
        if (type == "rect") {
            it.type = ItemType::Rect;
            if (!it.stroke && !it.fill) it.stroke = it.color;
            return number(t, "x_mm", it.x, true) && number(t, "y_mm", it.y, true) && number(t, "w_mm", it.w, true) &&
                   number(t, "h_mm", it.h, true);
        }
        if (type == "line") {
            it.type = ItemType::Line;
            return number(t, "x_mm", it.x, true) && number(t, "y_mm", it.y, true) && number(t, "x2_mm", it.x2, true) &&
                   number(t, "y2_mm", it.y2, true);
        }
        if (type == "image") {
            it.type = ItemType::Image;
            if (!(number(t, "x_mm", it.x, true) && number(t, "y_mm", it.y, true) && number(t, "w_mm", it.w, true) &&
                  number(t, "h_mm", it.h, true) && string(t, "source", it.source, true)))
                return false;
            if (it.source != "portrait") {
                const auto path = file.parent_path() / it.source;
                std::ifstream in(path, std::ios::binary);
                if (!in)
                    return fail(t, fmt::format("image file {} not found; put it next to the template or fix 'source'",
                                               path.string()));
                std::ostringstream ss;
                ss << in.rdbuf();
                it.imageBytes = ss.str();
                const auto& b = it.imageBytes;
                it.imageIsPng = b.size() > 8 && b.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
                const bool jpeg = b.size() > 3 && static_cast<unsigned char>(b[0]) == 0xFF &&
                                  static_cast<unsigned char>(b[1]) == 0xD8;
                if (!it.imageIsPng && !jpeg)
                    return fail(t, fmt::format("{} is neither a PNG nor a JPEG image", path.string()));
            }
            return true;
        }
        if (type == "qr") {
            it.type = ItemType::Qr;
            return number(t, "x_mm", it.x, true) && number(t, "y_mm", it.y, true) && number(t, "size_mm", it.w, true);
        }
        if (type == "modules") {
            it.type = ItemType::Modules;
            if (!(number(t, "x_mm", it.x, true) && number(t, "y_mm", it.y, true) && number(t, "w_mm", it.w, true) &&
                  number(t, "row_mm", it.rowMm, false) && number(t, "size_pt", it.sizePt, false) &&
                  number(t, "max_h_mm", it.maxHMm, false) && string(t, "total", it.total, false) &&
                  number(t, "total_size_pt", it.totalSizePt, false) && color(t, "header_fill", it.headerFill)))
                return false;
            if (it.rowMm <= 0 || it.maxHMm < 0 || it.sizePt <= 0 || it.totalSizePt < 0)
                return fail(t, "row_mm and size_pt must be above 0, max_h_mm and total_size_pt 0 or more");
            const auto* cols = t.get_as<toml::array>("columns");
            if (!cols || cols->empty()) return fail(t, "a modules table needs a non-empty 'columns' array of tables");
            for (const auto& node : *cols) {
                const auto* ct = node.as_table();
                if (!ct) return fail(node, "each column must be a table {title=..., value=..., x_mm=...}");
                Column col;
                if (!(string(*ct, "title", col.title, false) && string(*ct, "value", col.value, true) &&
                      number(*ct, "x_mm", col.xMm, true) && align(*ct, col.align)))
                    return false;
                it.columns.push_back(std::move(col));
            }
            return true;
        }
        return fail(t, fmt::format("unknown item type '{}'; use text, rect, line, image, qr or modules", type));
    }
};

}  // namespace

Result<Template> loadTemplate(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return fail(ErrorCode::NotFound,
                    fmt::format("document template {} not found; set KIOSK_CERT_TEMPLATES to the folder with "
                                "certificate.toml and badge.toml",
                                file.string()));
    std::ostringstream ss;
    ss << in.rdbuf();
    toml::table root;
    try {
        root = toml::parse(ss.str(), file.string());
    } catch (const toml::parse_error& e) {
        return fail(ErrorCode::InvalidInput,
                    fmt::format("{}:{}: {}; fix the TOML syntax", file.string(), e.source().begin.line, e.description()));
    }
    Parser p{file, {}};
    Template tpl;
    tpl.file = file;
    std::int64_t version = 0;
    if (auto v = root["version"].value<std::int64_t>()) version = *v;
    if (version != 1)
        return fail(ErrorCode::InvalidInput,
                    fmt::format("{}: 'version = 1' expected at the top (this software reads template version 1)",
                                file.string()));
    const auto* page = root.get_as<toml::table>("page");
    if (!page) return fail(ErrorCode::InvalidInput, fmt::format("{}: missing [page] with width_mm and height_mm", file.string()));
    bool ok = p.number(*page, "width_mm", tpl.widthMm, true) && p.number(*page, "height_mm", tpl.heightMm, true) &&
              p.string(root, "missing", tpl.missing, false) && p.string(root, "title", tpl.title, false);
    if (ok && (tpl.widthMm < 20 || tpl.heightMm < 20 || tpl.widthMm > 1000 || tpl.heightMm > 1000))
        ok = p.fail(*page, "page size must be between 20 and 1000 mm");
    if (ok) {
        if (const auto* fonts = root.get_as<toml::array>("fonts")) {
            for (const auto& f : *fonts) {
                if (auto s = f.value<std::string>()) tpl.fontFamilies.push_back(*s);
                else ok = p.fail(f, "fonts must be a list of font family names");
            }
        }
    }
    const auto* pages = root.get_as<toml::array>("pages");
    if (ok && (!pages || pages->empty()))
        ok = p.fail(root, "missing [[pages]]: each page is a table with an 'items' array of tables");
    if (ok) {
        int pageNo = 0;
        for (const auto& pnode : *pages) {
            ++pageNo;
            const auto* pt = pnode.as_table();
            const auto* items = pt ? pt->get_as<toml::array>("items") : nullptr;
            if (!items) {
                ok = p.fail(pnode, "each [[pages]] needs [[pages.items]] tables");
                break;
            }
            Page pg;
            int itemNo = 0;
            for (const auto& inode : *items) {
                ++itemNo;
                const auto* itbl = inode.as_table();
                Item it;
                it.where = fmt::format("page {}, item {}", pageNo, itemNo);
                if (!itbl) {
                    ok = p.fail(inode, "items must be tables");
                    break;
                }
                if (!p.item(*itbl, it)) {
                    ok = false;
                    break;
                }
                pg.items.push_back(std::move(it));
            }
            if (!ok) break;
            tpl.pages.push_back(std::move(pg));
        }
    }
    if (!ok) return fail(p.error.find("not found") != std::string::npos ? ErrorCode::NotFound : ErrorCode::InvalidInput,
                         p.error);
    return tpl;
}

namespace {

std::string dateZh(const std::string& iso) {
    int y = 0, m = 0, d = 0;
    if (iso.size() == 10 && std::sscanf(iso.c_str(), "%4d-%2d-%2d", &y, &m, &d) == 3)
        return fmt::format("{}年{}月{}日", y, m, d);
    return iso;
}

std::string hours(int minutes) {
    if (minutes % 60 == 0) return std::to_string(minutes / 60);
    return fmt::format("{:.1f}", minutes / 60.0);
}

}  // namespace

Fields documentFields(const CertificateDocument& doc, const std::string& missing) {
    auto orMissing = [&](const std::string& s) { return s.empty() ? missing : s; };
    Fields f;
    f["center_code"] = orMissing(doc.centerCode);
    f["center_name"] = orMissing(doc.centerName);
    f["worker_name"] = orMissing(doc.workerName);
    f["worker_name_latin"] = doc.workerNameLatin.value_or("");
    f["masked_id"] = orMissing(doc.maskedId);
    f["course_code"] = orMissing(doc.courseCode);
    f["course_zh"] = orMissing(doc.courseNameZh);
    f["course_en"] = orMissing(doc.courseNameEn);
    f["exam_score"] = doc.examScore ? fmt::format("{:.0f}", *doc.examScore) : missing;
    f["exam_date"] = doc.examDate ? *doc.examDate : missing;
    f["exam_date_zh"] = doc.examDate ? dateZh(*doc.examDate) : missing;
    f["certificate_number"] = orMissing(doc.certificateNumber);
    f["issue_date"] = orMissing(doc.issueDate);
    f["issue_date_zh"] = doc.issueDate.empty() ? missing : dateZh(doc.issueDate);
    f["expiry_date"] = orMissing(doc.expiryDate);
    f["expiry_date_zh"] = doc.expiryDate.empty() ? missing : dateZh(doc.expiryDate);
    f["agency_name"] = doc.agencyName && !doc.agencyName->empty() ? *doc.agencyName : missing;
    std::string services;
    for (const auto& s : doc.serviceTypes) services += (services.empty() ? "" : "、") + s;
    f["service_types"] = orMissing(services);
    f["badge_number"] = doc.badgeNumber && !doc.badgeNumber->empty() ? *doc.badgeNumber : missing;
    int required = 0, attended = 0;
    for (const auto& m : doc.modules) {
        required += m.requiredMinutes;
        attended += m.requiredMinutes > 0 ? std::min(m.attendedMinutes, m.requiredMinutes) : m.attendedMinutes;
    }
    f["total_required_hours"] = hours(required);
    f["total_attended_hours"] = hours(attended);
    return f;
}

std::string substitute(std::string_view text, const Fields& fields) {
    std::string out;
    out.reserve(text.size() + 32);
    std::size_t i = 0;
    while (i < text.size()) {
        const auto open = text.find('{', i);
        if (open == std::string_view::npos) {
            out.append(text.substr(i));
            break;
        }
        const auto close = text.find('}', open);
        if (close == std::string_view::npos) {
            out.append(text.substr(i));
            break;
        }
        out.append(text.substr(i, open - i));
        const auto name = text.substr(open + 1, close - open - 1);
        if (auto it = fields.find(name); it != fields.end()) out += it->second;
        else out.append(text.substr(open, close - open + 1));
        i = close + 1;
    }
    return out;
}

std::string utf8(std::uint32_t cp) {
    std::string out;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return out;
}

std::vector<std::uint32_t> codepoints(std::string_view s) {
    std::vector<std::uint32_t> out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        int n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            cp = c;
        } else if ((c >> 5) == 6) {
            cp = c & 0x1f;
            n = 1;
        } else if ((c >> 4) == 14) {
            cp = c & 0x0f;
            n = 2;
        } else if ((c >> 3) == 30) {
            cp = c & 0x07;
            n = 3;
        } else {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        if (i + static_cast<std::size_t>(n) >= s.size()) {  // truncated sequence at the end
            out.push_back(0xFFFD);
            break;
        }
        bool bad = false;
        for (int k = 1; k <= n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
            if ((cc >> 6) != 2) {
                bad = true;
                break;
            }
            cp = (cp << 6) | (cc & 0x3f);
        }
        if (bad) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        out.push_back(cp);
        i += static_cast<std::size_t>(n) + 1;
    }
    return out;
}

}  // namespace training::docs
