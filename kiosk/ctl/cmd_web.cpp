// kioskctl web export: the verification page (web/verify/) with this center's signed keys file and revocation list,
// ready for any static web server.
#include <fmt/format.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

#include "context.hpp"
#include "kiosk/config.hpp"
#include "training/certificates.hpp"

namespace kiosk::ctl {

using nlohmann::json;
using training::ErrorCode;

namespace {

/// The page's files as shipped, in this order; the service worker caches them all.
constexpr std::array<std::string_view, 4> kPageFiles{"index.html", "verify.js", "verify.css", "sw.js"};

/// Where the page's source files are: --source, $KIOSK_WEB_DIR, the installed copy, else the source tree.
std::filesystem::path webSourceDir(const std::string& given) {
    if (!given.empty()) return given;
    if (const char* env = std::getenv("KIOSK_WEB_DIR"); env && *env) return env;
#ifdef KIOSK_INSTALLED_WEB_DIR
    if (std::filesystem::path p = KIOSK_INSTALLED_WEB_DIR; std::filesystem::exists(p / "index.html")) return p;
#endif
#ifdef KIOSK_SOURCE_WEB_DIR
    return KIOSK_SOURCE_WEB_DIR;
#else
    return "web/verify";
#endif
}

training::Result<std::string> readFile(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in)
        return training::fail(ErrorCode::NotFound, fmt::format("the page file {} is missing; give the folder of the "
                                                               "verification page with --source (web/verify in the "
                                                               "source tree)",
                                                               p.string()));
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Writes @p text to @p path through a temporary file renamed over it (a server never serves half a file).
training::Result<void> writeFile(const std::filesystem::path& path, const std::string& text) {
    auto tmp = path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out) return training::fail(ErrorCode::Io, fmt::format("cannot write {}; is the folder writable?", tmp.string()));
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) return training::fail(ErrorCode::Io, fmt::format("cannot write {}: {}", path.string(), ec.message()));
    return {};
}

/// Replaces the one occurrence of @p marker in @p text.
training::Result<void> fill(std::string& text, std::string_view marker, const std::string& value, std::string_view file) {
    const auto at = text.find(marker);
    if (at == std::string::npos || text.find(marker, at + 1) != std::string::npos)
        return training::fail(ErrorCode::InvalidInput,
                              fmt::format("{} must hold {} exactly once; restore it from web/verify", file, marker));
    text.replace(at, marker.size(), value);
    return {};
}

}  // namespace

void addWebCommands(CLI::App& app, Action& action) {
    auto* web = app.add_subcommand("web", "the verification page that a phone opens from a badge's QR code");
    web->require_subcommand(1);
    auto* exp = web->add_subcommand(
        "export", "write the page with this center's signed keys file and revocation list into a folder");
    struct Opts {
        std::string out, source;
    };
    auto o = std::make_shared<Opts>();
    exp->add_option("--out", o->out, "folder to write (created when missing; the page's files are replaced)")->required();
    exp->add_option("--source", o->source, "folder of the page's files (default: $KIOSK_WEB_DIR or the installed ones)");
    exp->callback([&action, o] {
        action = [o](Context& ctx) {
            auto store = ctx.openStore();
            if (!store) return ctx.failWith(store.error());
            auto key = loadCenterKey(ctx);
            if (!key) return ctx.failWith(key.error());
            training::Certificates certs(**store, &*key);
            auto keys = certs.exportWebKeys();
            if (!keys) return ctx.failWith(keys.error());
            auto revoked = certs.exportWebRevocations();
            if (!revoked) return ctx.failWith(revoked.error());

            const auto source = webSourceDir(o->source);
            std::vector<std::pair<std::string, std::string>> files;
            for (auto name : kPageFiles) {
                auto text = readFile(source / name);
                if (!text) return ctx.failWith(text.error());
                files.emplace_back(std::string(name), std::move(*text));
            }
            // The trust anchor: this center's public key, in the page itself; it checks both signed files.
            const auto anchor = fmt::format("{} {}", key->centerId(), training::base64UrlEncode(key->publicKey()));
            if (auto r = fill(files[0].second, "@ANCHOR@", anchor, "index.html"); !r) return ctx.failWith(r.error());
            // A new cache name for each export, so phones that keep the page offline pick up the new files.
            std::size_t digest = std::hash<std::string>{}(*keys + *revoked);
            for (const auto& [name, text] : files) digest ^= std::hash<std::string>{}(text) + 0x9e3779b9 + (digest << 6);
            if (auto r = fill(files[3].second, "@VERSION@", fmt::format("{:016x}", digest), "sw.js"); !r)
                return ctx.failWith(r.error());
            files.emplace_back("keys.json", *keys);
            files.emplace_back("revocations.json", *revoked);

            std::error_code ec;
            std::filesystem::create_directories(o->out, ec);
            if (ec || !std::filesystem::is_directory(o->out))
                return ctx.failWith({ErrorCode::Io, fmt::format("cannot create the folder {}", o->out)});
            json written = json::array();
            for (const auto& [name, text] : files) {
                if (auto r = writeFile(std::filesystem::path(o->out) / name, text); !r) return ctx.failWith(r.error());
                written.push_back(name);
            }
            return ctx.ok(json{{"ok", true}, {"folder", o->out}, {"center", key->centerId()},
                               {"verify_url", key->verifyUrl()}, {"files", written}},
                          fmt::format("wrote the verification page into {}; serve it at {}", o->out,
                                      key->verifyUrl().empty() ? std::string("your address and set it with 'kioskctl "
                                                                             "key url https://HOST/PATH'")
                                                               : key->verifyUrl()));
        };
    });
}

}  // namespace kiosk::ctl
