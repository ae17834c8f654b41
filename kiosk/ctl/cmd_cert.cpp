// kioskctl: center key, eligibility, verify, revoke, revocation list, submission batches.
#include <fcntl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <sstream>
#include <vector>
#define ZX_USE_UTF8 1  // ZXing-cpp 1.4: Result::text() gives UTF-8
#include <ZXing/ReadBarcode.h>

#include "context.hpp"
#include "kiosk/config.hpp"
#include "training/certificates.hpp"
#include "training/submission.hpp"
#include "training/text.hpp"
#include "training/validation.hpp"

extern char** environ;

namespace kiosk::ctl {

using nlohmann::json;
using training::ErrorCode;

namespace {

/// A line typed on the terminal without echo, after @p prompt; nullopt when there is no terminal (or the standard
/// input is not one: a script or a test never waits for a passphrase nobody types).
std::optional<std::string> readPassphrase(const std::string& prompt) {
    if (!::isatty(STDIN_FILENO)) return std::nullopt;
    return readHidden(prompt, 1024);
}

void wipe(std::string& s) {
    if (!s.empty()) sodium_memzero(s.data(), s.size());
    s.clear();
}

/// The passphrase of the center key: $KIOSK_KEY_PASSPHRASE, else typed on the terminal without echo (never an
/// argument: it would show in `ps`). A new one (@p confirm) is typed twice.
training::Result<std::string> readKeyPassphrase(bool confirm) {
    if (const char* env = std::getenv("KIOSK_KEY_PASSPHRASE"); env && *env) return std::string(env);
    auto first = readPassphrase(confirm ? "New passphrase of the center key (at least 12 characters): "
                                    : "Passphrase of the center key: ");
    if (!first)
        return std::unexpected(training::Error{
            ErrorCode::Refused,
            "the center key needs its passphrase: set KIOSK_KEY_PASSPHRASE, or run kioskctl on a terminal to type it",
            "key.passphrase-required"});
    if (confirm) {
        auto again = readPassphrase("The same passphrase again: ");
        const bool same = again && *again == *first;
        if (again) wipe(*again);
        if (!same) {
            wipe(*first);
            return training::fail(ErrorCode::InvalidInput, "the two passphrases differ; run the command again");
        }
    }
    return std::move(*first);
}

training::PassphraseSource passphraseSource() {
    return [] { return readKeyPassphrase(false); };
}

training::Result<training::CenterKey> loadKey(const Context& ctx) { return loadCenterKey(ctx); }

training::Result<std::string> readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return training::fail(ErrorCode::NotFound, fmt::format("cannot read {}; check the path", path));
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Runs @p argv (no shell: the file name is one argument, whatever characters it holds) with stdout and stderr
/// discarded; the exit status, or -1 when it could not be started.
int runQuiet(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return -1;
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// The QR code's text in @p img, if it holds one.
std::optional<std::string> readQr(const cv::Mat& img) {
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::QRCode);
    hints.setTryHarder(true);
    const ZXing::ImageView view(img.data, img.cols, img.rows, ZXing::ImageFormat::Lum, static_cast<int>(img.step));
    auto result = ZXing::ReadBarcode(view, hints);
    if (!result.isValid()) return std::nullopt;
    return result.text();
}

/// Decodes the QR code in a PNG/JPEG picture, or on any page of a PDF (each page rendered with pdftoppm, spawned
/// with an argument vector; the first page holding a QR code wins).
training::Result<std::string> decodeQr(const std::string& path) {
    if (path.ends_with(".pdf") || path.ends_with(".PDF")) {
        const char* base = std::getenv("TMPDIR");
        auto tmpl = (std::filesystem::path(base && *base ? base : "/tmp") / "kioskctl-verify-XXXXXX").string();
        if (!::mkdtemp(tmpl.data()))
            return training::fail(ErrorCode::Io, "cannot create a temporary folder to render the PDF");
        const std::filesystem::path dir = tmpl;
        struct Cleanup {
            std::filesystem::path dir;
            ~Cleanup() {
                std::error_code ec;
                std::filesystem::remove_all(dir, ec);
            }
        } cleanup{dir};
        // An absolute path: a name starting with '-' is not taken for an option.
        std::error_code ec;
        const auto file = std::filesystem::absolute(path, ec);
        const int rc = runQuiet({"pdftoppm", "-r", "300", "-png", file.string(), (dir / "page").string()});
        std::vector<std::filesystem::path> pages;
        for (const auto& e : std::filesystem::directory_iterator(dir, ec))
            if (e.path().extension() == ".png") pages.push_back(e.path());
        if (rc != 0 || pages.empty())
            return training::fail(ErrorCode::InvalidInput,
                                  fmt::format("cannot render {}: {}", path,
                                              rc < 0 ? "pdftoppm could not be run (install poppler-utils)"
                                                     : "it is not a readable PDF file"));
        // page-1.png, page-2.png, ... (zero-padded to the same width, so the names sort in page order).
        std::ranges::sort(pages);
        for (const auto& p : pages) {
            const auto img = cv::imread(p.string(), cv::IMREAD_GRAYSCALE);
            if (img.empty()) continue;
            if (auto text = readQr(img)) return *text;
        }
        return training::fail(ErrorCode::InvalidInput,
                              fmt::format("no QR code found on any of the {} page(s) of {}; is it a certificate or "
                                          "badge card rendered by kioskctl?",
                                          pages.size(), path));
    }
    const auto img = cv::imread(path, cv::IMREAD_GRAYSCALE);
    if (img.empty())
        return training::fail(ErrorCode::InvalidInput, fmt::format("{} is not a PNG or JPEG picture", path));
    if (auto text = readQr(img)) return *text;
    return training::fail(ErrorCode::InvalidInput,
                          fmt::format("no QR code found in the picture {}; if the picture shows one, take a sharper, "
                                      "straight picture",
                                      path));
}

std::string reportText(const training::EligibilityReport& r, const std::string& name) {
    std::string out = fmt::format("worker {} {}: {}\n", r.workerId, name, r.eligible ? "eligible" : "not eligible");
    for (const auto& u : r.unmet) out += fmt::format("  - {}\n", u.staff);
    return out;
}

/// Whether the batch's manifest and portraits are on disk: "present", "deleted" (acknowledged), or "missing".
std::string batchFiles(const training::SubmissionBatch& b) {
    if (b.filesPresent) return "present";
    return b.state == training::BatchState::Acknowledged ? "deleted" : "missing";
}

json batchJson(const training::SubmissionBatch& b) {
    json items = json::array();
    for (const auto& i : b.items)
        items.push_back({{"worker", i.workerId},
                         {"name", i.workerName},
                         {"certificate", i.certificateNumber},
                         {"badge", i.badgeNumber ? json(*i.badgeNumber) : json(nullptr)},
                         {"rejection", i.rejection ? json(*i.rejection) : json(nullptr)}});
    return json{{"id", b.id},
                {"code", b.code},
                {"state", training::batchStateName(b.state)},
                {"folder", b.folder.string()},
                {"zip", b.zip ? json(b.zip->string()) : json(nullptr)},
                {"manifest_sha256", b.manifestSha256},
                {"send_attempts", b.sendAttempts},
                {"receipt", b.receipt ? json::parse(*b.receipt, nullptr, false) : json(nullptr)},
                {"files", batchFiles(b)},
                {"workers", items}};
}

/// The network center's key installed in the center folder (nullopt: none yet; send and ack then refuse).
training::Result<std::optional<training::CenterPublicKey>> networkCenterKey(Context& ctx) {
    return training::loadNetworkCenterKey(training::networkCenterKeyPath(ctx.paths().directory));
}

}  // namespace

json eligibilityJson(const training::EligibilityReport& r, const std::string& name) {
    json unmet = json::array();
    for (const auto& u : r.unmet) {
        json j{{"condition", u.code}, {"worker", {{"zh", u.worker.zh}, {"en", u.worker.en}}}, {"staff", u.staff}};
        if (u.item) j["item"] = *u.item;
        if (u.missingMinutes) j["missing_minutes"] = u.missingMinutes;
        unmet.push_back(j);
    }
    return json{{"worker", r.workerId}, {"name", name}, {"course", r.courseId}, {"eligible", r.eligible}, {"unmet", unmet}};
}

training::Result<training::CenterKey> loadCenterKey(const Context& ctx) {
    return training::CenterKey::load(ctx.paths().key, passphraseSource());
}

training::PassphraseSource centerKeyPassphrase() { return passphraseSource(); }

training::Result<training::CenterKey> initCenterKey(Context& ctx, training::Store& store, bool protect) {
    const auto path = ctx.paths().key;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        // A new key: sealed under a new passphrase (typed twice) with --protect-key, else plain.
        if (!protect) return training::ensureCenterKey(store, path, ctx.actor);
        return training::ensureCenterKey(store, path, ctx.actor, [] { return readKeyPassphrase(true); });
    }
    if (protect) {
        // A plain key made by an earlier init: sealed now.
        auto info = training::CenterKey::inspect(path);
        if (!info) return std::unexpected(info.error());
        if (!info->isProtected) {
            auto pass = readKeyPassphrase(true);
            if (!pass) return std::unexpected(pass.error());
            auto k = training::CenterKey::protect(path, *pass);
            wipe(*pass);
            if (!k) return k;
        }
    }
    return training::ensureCenterKey(store, path, ctx.actor, passphraseSource());
}

void addWebCommands(CLI::App& app, Action& action);  // cmd_web.cpp: registered with the certification commands

void addCertCommands(CLI::App& app, Action& action) {
    addWebCommands(app, action);
    // key export | key trust FILE
    {
        auto* key = app.add_subcommand("key", "the center's signing key and the keys of trusted centers");
        key->require_subcommand(1);
        auto* exp = key->add_subcommand("export", "print the public key and center id (give it to other centers)");
        exp->callback([&action] {
            action = [](Context& ctx) {
                // The public half only: no passphrase needed.
                auto k = training::CenterKey::inspect(ctx.paths().key);
                if (!k) return ctx.failWith(k.error());
                const auto text = training::exportPublicKey(k->publicKey);
                std::cout << text;
                std::cerr << fmt::format("key id {}\n", training::keyId(k->publicKey.key));
                return kExitOk;
            };
        });
        auto* trust = key->add_subcommand("trust", "trust another center's exported public key");
        auto file = std::make_shared<std::string>();
        auto replace = std::make_shared<bool>(false);
        trust->add_option("FILE", *file, "the output of 'kioskctl key export' at that center")->required();
        trust->add_flag("--replace", *replace, "replace the key already trusted for that center id");
        trust->callback([&action, file, replace] {
            action = [file, replace](Context& ctx) {
                auto text = readText(*file);
                if (!text) return ctx.failWith(text.error());
                auto k = training::parsePublicKey(*text);
                if (!k) return ctx.failWith(k.error());
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                auto r = training::trustCenterKey(**store, *k, ctx.actor, *replace);
                if (!r) return ctx.failWith(r.error());
                return ctx.ok(json{{"ok", true}, {"center", k->centerId}, {"name", k->name}},
                              fmt::format("trusted center {} ({})", k->centerId, k->name));
            };
        });
        auto* url = key->add_subcommand(
            "url", "the center's verification address: QR codes become URL#CODE (show it, set it, or --clear it)");
        auto address = std::make_shared<std::string>();
        auto clear = std::make_shared<bool>(false);
        url->add_option("URL", *address, "https://HOST/PATH where the page of 'kioskctl web export' is served");
        url->add_flag("--clear", *clear, "remove the address (QR codes hold the bare code)");
        url->callback([&action, address, clear] {
            action = [address, clear](Context& ctx) {
                if (*clear && !address->empty())
                    return ctx.failWith({ErrorCode::InvalidInput, "give either URL or --clear, not both"});
                if (!*clear && address->empty()) {
                    auto k = training::CenterKey::inspect(ctx.paths().key);
                    if (!k) return ctx.failWith(k.error());
                    return ctx.ok(json{{"center", k->publicKey.centerId}, {"verify_url", k->verifyUrl}},
                                  k->verifyUrl.empty() ? "no verification address (set one with 'kioskctl key url "
                                                         "https://HOST/PATH')"
                                                       : k->verifyUrl);
                }
                auto k = training::CenterKey::setVerifyUrl(ctx.paths().key, *address);
                if (!k) return ctx.failWith(k.error());
                if (auto store = ctx.openStore(); store) {
                    if (auto r = training::recordVerifyUrlChange(**store, k->publicKey.centerId, *address,
                                                                 ctx.actor);
                        !r)
                        return ctx.failWith(r.error());
                }
                return ctx.ok(json{{"ok", true}, {"center", k->publicKey.centerId}, {"verify_url", k->verifyUrl}},
                              k->verifyUrl.empty()
                                  ? "verification address removed; new QR codes hold the bare code"
                                  : fmt::format("new QR codes read {}#CODE; certificates already issued keep "
                                                "theirs",
                                                k->verifyUrl));
            };
        });
        auto* list = key->add_subcommand("list", "list the center keys: current, retired and revoked");
        list->callback([&action] {
            action = [](Context& ctx) {
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                auto keys = training::centerKeys(**store);
                if (!keys) return ctx.failWith(keys.error());
                json arr = json::array();
                std::string text;
                for (const auto& k : *keys) {
                    const auto pk = training::base64UrlEncode(k.key);
                    const auto id = training::keyId(k.key);
                    const auto status = std::string(training::keyStatusName(k.status));
                    json row{{"center", k.centerId}, {"name", k.name}, {"own", k.own}, {"key_id", id},
                             {"status", status}, {"public_key", pk}};
                    std::string note;
                    if (k.status != training::KeyStatus::Current) {
                        row[k.status == training::KeyStatus::Revoked ? "revoked_at" : "retired_at"] =
                            training::formatUtc(k.since);
                        note = fmt::format(" since {}", training::formatUtc(k.since));
                    }
                    if (k.status == training::KeyStatus::Revoked) {
                        row["reason"] = k.revocationReason;
                        note += fmt::format(" ({})", k.revocationReason);
                    }
                    arr.push_back(std::move(row));
                    text += fmt::format("{} {}{} {}{} {} {}\n", id, k.centerId, k.own ? " (own)" : "", status, note, pk,
                                        k.name);
                }
                return ctx.ok(arr, text);
            };
        });
        auto* prot = key->add_subcommand("protect", "seal the center key under a passphrase (KIOSK_KEY_PASSPHRASE or "
                                                    "typed twice; at least 12 characters)");
        prot->callback([&action] {
            action = [](Context& ctx) {
                auto pass = readKeyPassphrase(true);
                if (!pass) return ctx.failWith(pass.error());
                auto k = training::CenterKey::protect(ctx.paths().key, *pass);
                wipe(*pass);
                if (!k) return ctx.failWith(k.error());
                if (auto store = ctx.openStore(); store) {
                    if (auto r = training::recordKeyProtected(**store, *k, ctx.actor); !r) return ctx.failWith(r.error());
                }
                return ctx.ok(json{{"ok", true}, {"center", k->centerId()}, {"key_id", training::keyId(k->publicKey())},
                                   {"protected", true}},
                              fmt::format("the center key {} is sealed under the passphrase; every signing command now "
                                          "asks for it (or reads KIOSK_KEY_PASSPHRASE)",
                                          ctx.paths().key.string()));
            };
        });
        auto* rot = key->add_subcommand("rotate", "make a new key pair; the earlier public key stays trusted for what "
                                                  "it signed");
        rot->callback([&action] {
            action = [](Context& ctx) {
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                auto before = training::CenterKey::inspect(ctx.paths().key);
                if (!before) return ctx.failWith(before.error());
                auto k = training::rotateCenterKey(**store, ctx.paths().key, passphraseSource(), ctx.actor);
                if (!k) return ctx.failWith(k.error());
                const auto oldId = training::keyId(before->publicKey.key);
                const auto newId = training::keyId(k->publicKey());
                return ctx.ok(json{{"ok", true}, {"center", k->centerId()}, {"current", newId}, {"retired", oldId}},
                              fmt::format("new key {} signs from now on; key {} is retired (what it signed still "
                                          "verifies). Give other centers the new key ('kioskctl key export') and "
                                          "publish the web page again ('kioskctl web export')",
                                          newId, oldId));
            };
        });
        auto* rev = key->add_subcommand("revoke", "mark a compromised key revoked: nothing it signed verifies any more");
        auto keyIdArg = std::make_shared<std::string>();
        auto reason = std::make_shared<std::string>();
        rev->add_option("KEYID", *keyIdArg, "the key id 'kioskctl key list' shows")->required();
        rev->add_option("--reason", *reason, "why (goes into the audit log)")->required();
        rev->callback([&action, keyIdArg, reason] {
            action = [keyIdArg, reason](Context& ctx) {
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                auto k = training::revokeCenterKey(**store, *keyIdArg, *reason, ctx.actor);
                if (!k) return ctx.failWith(k.error());
                const auto id = training::keyId(k->key);
                return ctx.ok(json{{"ok", true}, {"key_id", id}, {"center", k->centerId}, {"own", k->own},
                                   {"reason", k->revocationReason}},
                              fmt::format("key {} of center {} is revoked: nothing it signed verifies any more{}", id,
                                          k->centerId,
                                          k->own ? "; re-issue the certificates it signed"
                                                 : "; trust the center's new key with 'kioskctl key trust'"));
            };
        });
    }
    // eligibility --worker W | --sitting S
    {
        auto* cmd = app.add_subcommand("eligibility", "check who is eligible for submission (product.md §5)");
        auto worker = std::make_shared<std::string>();
        auto sitting = std::make_shared<std::int64_t>(0);
        cmd->add_option("--worker", *worker, "worker id or document number");
        cmd->add_option("--sitting", *sitting, "every candidate of an exam sitting");
        cmd->callback([&action, worker, sitting] {
            action = [worker, sitting](Context& ctx) {
                if (worker->empty() == (*sitting == 0))
                    return ctx.failWith({ErrorCode::InvalidInput, "give either --worker W or --sitting S"});
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                if (!worker->empty()) {
                    auto w = resolveWorker(**store, *worker);
                    if (!w) return ctx.failWith(w.error());
                    auto r = training::checkEligibility(**store, w->id);
                    if (!r) return ctx.failWith(r.error());
                    const int code = ctx.ok(eligibilityJson(*r, w->identity.name), reportText(*r, w->identity.name));
                    return r->eligible ? code : kExitUser;
                }
                auto reports = training::checkSittingEligibility(**store, *sitting);
                if (!reports) return ctx.failWith(reports.error());
                json arr = json::array();
                std::string text;
                int eligible = 0;
                for (const auto& r : *reports) {
                    const auto w = (*store)->worker(r.workerId);
                    const auto name = w ? w->identity.name : std::string{};
                    arr.push_back(eligibilityJson(r, name));
                    text += reportText(r, name);
                    eligible += r.eligible;
                }
                text += fmt::format("{} of {} eligible\n", eligible, reports->size());
                return ctx.ok(json{{"sitting", *sitting}, {"eligible", eligible}, {"workers", arr}}, text);
            };
        });
    }
    // verify PAYLOAD|IMAGE
    {
        auto* cmd = app.add_subcommand("verify", "verify a certificate or badge QR code (URL or code, PNG/JPEG picture, or PDF)");
        auto input = std::make_shared<std::string>();
        cmd->add_option("PAYLOAD_OR_FILE", *input,
                        "the QR text (https://.../#CODE, the bare CODE, or HSB1:... of older certificates) or a "
                        "picture/PDF holding the QR code")
            ->required();
        cmd->callback([&action, input] {
            action = [input](Context& ctx) {
                std::string payload = *input;
                // A file when one exists by that name (a long code is no file name: no exception, just false).
                std::error_code ec;
                if (!payload.starts_with("HSB") && std::filesystem::is_regular_file(payload, ec)) {
                    auto decoded = decodeQr(payload);
                    if (!decoded) return ctx.failWith(decoded.error());
                    payload = *decoded;
                }
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                training::Certificates certs(**store, nullptr);
                auto v = certs.verify(payload);
                if (!v) return ctx.failWith(v.error());
                json j{{"verdict", training::badgeVerdictName(v->verdict)}, {"message", v->message}};
                if (v->fields)
                    j["fields"] = {{"center", v->fields->centerId},     {"certificate", v->fields->certificateNumber},
                                   {"name", v->fields->name},           {"masked_id", v->fields->maskedId},
                                   {"course", v->fields->courseCode},   {"issued", v->fields->issueDate},
                                   {"expires", v->fields->expiryDate}, {"agency_id", v->fields->agencyId}};
                if (v->revocationReason) j["revocation_reason"] = *v->revocationReason;
                std::string text = fmt::format("{}: {}", training::badgeVerdictName(v->verdict), v->message);
                ctx.ok(j, text);
                return v->verdict == training::BadgeVerdict::Valid ? kExitOk : kExitUser;
            };
        });
    }
    // revoke --certificate N --reason TEXT
    {
        auto* cmd = app.add_subcommand("revoke", "revoke a certificate");
        auto number = std::make_shared<std::string>();
        auto reason = std::make_shared<std::string>();
        cmd->add_option("--certificate", *number, "certificate number")->required();
        cmd->add_option("--reason", *reason, "why (kept in the revocation list)")->required();
        cmd->callback([&action, number, reason] {
            action = [number, reason](Context& ctx) {
                auto center = openCenter(ctx);
                if (!center) return ctx.failWith(center.error());
                auto c = center->ops->revoke(*number, *reason, ctx.actor);
                if (!c) return ctx.failWith(c.error());
                return ctx.ok(json{{"ok", true}, {"certificate", c->number}, {"reason", *c->revocationReason}},
                              fmt::format("revoked {}: {}", c->number, *c->revocationReason));
            };
        });
    }
    // revocations export [--out FILE]
    {
        auto* cmd = app.add_subcommand("revocations", "the signed list of revoked certificates");
        cmd->require_subcommand(1);
        auto* exp = cmd->add_subcommand("export", "write the signed revocation list (stdout or --out FILE)");
        auto out = std::make_shared<std::string>();
        exp->add_option("--out", *out, "file to write");
        exp->callback([&action, out] {
            action = [out](Context& ctx) {
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                auto key = loadKey(ctx);
                if (!key) return ctx.failWith(key.error());
                training::Certificates certs(**store, &*key);
                auto list = certs.exportRevocationList();
                if (!list) return ctx.failWith(list.error());
                if (out->empty()) {
                    std::cout << *list;
                    return kExitOk;
                }
                std::ofstream f(*out, std::ios::binary);
                f << *list;
                if (!f) return ctx.failWith({ErrorCode::Io, fmt::format("cannot write {}", *out)});
                return ctx.ok(json{{"ok", true}, {"file", *out}}, fmt::format("wrote {}", *out));
            };
        });
        auto* imp = cmd->add_subcommand("import", "import another (trusted) center's signed revocation list");
        auto file = std::make_shared<std::string>();
        imp->add_option("FILE", *file, "the list")->required();
        imp->callback([&action, file] {
            action = [file](Context& ctx) {
                auto text = readText(*file);
                if (!text) return ctx.failWith(text.error());
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                training::Certificates certs(**store, nullptr);
                auto n = certs.importRevocationList(*text, ctx.actor);
                if (!n) return ctx.failWith(n.error());
                return ctx.ok(json{{"ok", true}, {"added", *n}}, fmt::format("{} new revocations", *n));
            };
        });
    }
    // submit create | send | ack | list
    {
        auto* cmd = app.add_subcommand("submit", "submission batches to the network center");
        cmd->require_subcommand(1);
        auto* create = cmd->add_subcommand("create", "batch the eligible workers not yet submitted");
        auto out = std::make_shared<std::string>(".");
        auto zip = std::make_shared<bool>(false);
        create->add_option("--out", *out, "folder to write the batch into (default: current folder)");
        create->add_flag("--zip", *zip, "also write the batch as a .zip");
        create->callback([&action, out, zip] {
            action = [out, zip](Context& ctx) {
                auto center = openCenter(ctx);
                if (!center) return ctx.failWith(center.error());
                auto r = center->ops->createSubmissionBatch(*zip, ctx.actor, std::filesystem::path(*out));
                if (!r) return ctx.failWith(r.error());
                json j{{"ok", true},
                       {"added", r->added},
                       {"not_eligible", r->notEligible},
                       {"already_submitted", r->alreadySubmitted},
                       {"batch", r->batch ? batchJson(*r->batch) : json(nullptr)}};
                const auto text = r->batch ? fmt::format("batch {} ({}) with {} workers in {}", r->batch->id,
                                                         r->batch->code, r->added, r->batch->folder.string())
                                           : fmt::format("nobody new to submit ({} not eligible, {} already in a batch)",
                                                         r->notEligible, r->alreadySubmitted);
                return ctx.ok(j, text);
            };
        });
        auto* send = cmd->add_subcommand("send", "upload a batch (resumes; never duplicates)");
        auto batch = std::make_shared<std::int64_t>(0);
        auto url = std::make_shared<std::string>();
        auto attempts = std::make_shared<int>(5);
        auto security = std::make_shared<training::SendOptions>();
        send->add_option("--batch", *batch, "batch id")->required();
        send->add_option("--url", *url, "the network center's submission URL")->required();
        send->add_option("--attempts", *attempts, "tries before giving up (default 5)")->check(CLI::Range(1, 20));
        send->add_option("--ca-file", security->caFile,
                         "PEM CA certificates of the network center's server (https; default: the system's)");
        send->add_option("--client-cert", security->clientCert, "PEM client certificate (TLS client authentication)");
        send->add_option("--client-key", security->clientKey, "the client certificate's PEM private key (mode 0600)");
        send->add_option("--token-file", security->tokenFile,
                         "file with the bearer token the network center issued (mode 0600)");
        send->callback([&action, batch, url, attempts, security] {
            action = [batch, url, attempts, security](Context& ctx) {
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                auto key = loadKey(ctx);
                if (!key) return ctx.failWith(key.error());
                auto network = networkCenterKey(ctx);
                if (!network) return ctx.failWith(network.error());
                training::Submissions subs(**store, *key, *network);
                training::SendOptions opts = *security;
                opts.maxAttempts = *attempts;
                auto b = subs.send(*batch, *url, opts, ctx.actor);
                if (!b) return ctx.failWith(b.error());
                return ctx.ok(batchJson(*b), fmt::format("batch {} {}; receipt: {}", b->code,
                                                         training::batchStateName(b->state), b->receipt.value_or("-")));
            };
        });
        auto* ack = cmd->add_subcommand("ack", "record the network center's answer (badge numbers, rejections)");
        auto file = std::make_shared<std::string>();
        auto ackBatch = std::make_shared<std::int64_t>(0);
        ack->add_option("--batch", *ackBatch, "batch id")->required();
        ack->add_option("--file,--receipt", *file, "the network center's signed answer file (JSON)")->required();
        ack->callback([&action, ackBatch, file] {
            action = [ackBatch, file](Context& ctx) {
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                auto key = loadKey(ctx);
                if (!key) return ctx.failWith(key.error());
                auto network = networkCenterKey(ctx);
                if (!network) return ctx.failWith(network.error());
                training::Submissions subs(**store, *key, *network);
                auto b = subs.ack(*ackBatch, *file, ctx.actor);
                if (!b) return ctx.failWith(b.error());
                return ctx.ok(batchJson(*b), fmt::format("batch {} acknowledged; its manifest and portraits were "
                                                         "deleted",
                                                         b->code));
            };
        });
        auto* trustNc = cmd->add_subcommand("trust-network-center",
                                            "install the network center's public key, which signs its receipts and "
                                            "answers (its exported key file)");
        auto ncFile = std::make_shared<std::string>();
        trustNc->add_option("FILE", *ncFile, "the key file the network center published")->required();
        trustNc->callback([&action, ncFile] {
            action = [ncFile](Context& ctx) {
                auto text = readText(*ncFile);
                if (!text) return ctx.failWith(text.error());
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                const auto path = training::networkCenterKeyPath(ctx.paths().directory);
                auto k = training::installNetworkCenterKey(**store, path, *text, ctx.actor);
                if (!k) return ctx.failWith(k.error());
                return ctx.ok(json{{"ok", true}, {"center", k->centerId}, {"file", path.string()}},
                              fmt::format("the network center key of {} is installed in {}; receipts and answers are "
                                          "checked against it",
                                          k->centerId, path.string()));
            };
        });
        auto* list = cmd->add_subcommand("list", "list the batches");
        list->callback([&action] {
            action = [](Context& ctx) {
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                auto key = training::CenterKey::ephemeral("X");  // listing needs no signature
                training::Submissions subs(**store, key);
                auto all = subs.list();
                if (!all) return ctx.failWith(all.error());
                json arr = json::array();
                std::string text;
                for (const auto& b : *all) {
                    arr.push_back(batchJson(b));
                    text += fmt::format("{} {} {} ({} workers, files {})\n", b.id, b.code,
                                        training::batchStateName(b.state), b.items.size(), batchFiles(b));
                }
                return ctx.ok(arr, text);
            };
        });
    }
}

}  // namespace kiosk::ctl
