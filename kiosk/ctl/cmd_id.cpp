// kioskctl id: identity documents (PC/SC readers, ICAO passports / ID cards, China ID records).
#include <atomic>
#include <chrono>
#include <csignal>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "context.hpp"
#include "kiosk/config.hpp"
#include "devices/id/cn_id.hpp"
#include "devices/id/csca.hpp"
#include "devices/id/emrtd.hpp"
#include "devices/id/mrz.hpp"
#include "devices/id/pcsc.hpp"
#include "devices/id/validity.hpp"

namespace kiosk::ctl {

using nlohmann::json;
namespace id = devices::id;

namespace {

json checksJson(const id::Mrz& m) {
    json arr = json::array();
    for (const auto& c : m.checks) arr.push_back({{"name", c.name}, {"ok", c.ok}});
    return arr;
}

bool allChecksOk(const id::Mrz& m) {
    return std::all_of(m.checks.begin(), m.checks.end(), [](const id::MrzCheck& c) { return c.ok; });
}

json mrzJson(const id::Mrz& m) {
    return json{{"format", id::mrzFormatName(m.format)},
                {"document_code", m.documentCode},
                {"issuing_state", m.issuingState},
                {"document_number", m.documentNumber},
                {"surname", m.surname},
                {"given_names", m.givenNames},
                {"nationality", m.nationality},
                {"birth_date", m.birthDate},
                {"sex", m.sex},
                {"expiry_date", m.expiryDate},
                {"optional_data", m.optionalData}};
}

std::string mrzText(const id::Mrz& m) {
    std::string checks;
    for (const auto& c : m.checks) checks += fmt::format("{}{} {}", checks.empty() ? "" : ", ", c.name, c.ok ? "ok" : "FAILED");
    return fmt::format("format: {}\ndocument: {} {}\nnumber: {}\nsurname: {}\ngiven names: {}\nnationality: {}\n"
                       "birth date: {}\nsex: {}\nexpiry: {}\nchecks: {}",
                       id::mrzFormatName(m.format), m.documentCode, m.issuingState, m.documentNumber, m.surname,
                       m.givenNames, m.nationality, m.birthDate, m.sex, m.expiryDate, checks);
}

std::atomic<bool> g_interrupted{false};
extern "C" void onSignal(int) { g_interrupted = true; }

}  // namespace

void addIdCommands(CLI::App& app, Action& action) {
    auto* idCmd = app.add_subcommand("id", "identity documents: readers, passports (ICAO), China ID records");
    idCmd->require_subcommand(1);

    // id readers
    {
        auto* cmd = idCmd->add_subcommand("readers", "list PC/SC readers and whether a card is present");
        cmd->callback([&action] {
            action = [](Context& ctx) {
                auto pc = id::PcscContext::establish();
                if (!pc) return ctx.failWith(pc.error());
                auto readers = (*pc)->listReaders();
                if (!readers) return ctx.failWith(readers.error());
                json arr = json::array();
                std::string text;
                for (const auto& r : *readers) {
                    auto atr = (*pc)->cardAtr(r);
                    const bool card = atr && !atr->empty();
                    arr.push_back({{"name", r},
                                   {"card_present", card},
                                   {"atr", card ? json(id::toHex(*atr)) : json(nullptr)},
                                   {"extended_length", card && id::atrAnnouncesExtendedLength(*atr)}});
                    text += fmt::format("{}  {}\n", r, card ? "card " + id::toHex(*atr) : std::string("no card"));
                }
                return ctx.ok(json{{"ok", true}, {"readers", arr}}, text.empty() ? "no readers" : text);
            };
        });
    }
    // id watch
    {
        auto* cmd = idCmd->add_subcommand("watch", "print reader and card events until interrupted (Ctrl-C)");
        auto seconds = std::make_shared<double>(0);
        cmd->add_option("--timeout", *seconds, "stop after this many seconds (default: run until interrupted)");
        cmd->callback([&action, seconds] {
            action = [seconds](Context& ctx) {
                std::mutex m;
                auto print = [&ctx, &m](const id::ReaderEvent& e) {
                    std::lock_guard lock(m);
                    if (ctx.json) {
                        json j{{"event", id::readerEventName(e.kind)}, {"reader", e.reader}};
                        if (!e.atr.empty()) j["atr"] = id::toHex(e.atr);
                        if (!e.message.empty()) j["message"] = e.message;
                        std::cout << j.dump() << std::endl;
                    } else {
                        std::cout << id::readerEventName(e.kind) << (e.reader.empty() ? "" : "  " + e.reader)
                                  << (e.atr.empty() ? "" : "  " + id::toHex(e.atr))
                                  << (e.message.empty() ? "" : "  " + e.message) << std::endl;
                    }
                };
                std::signal(SIGINT, onSignal);
                std::signal(SIGTERM, onSignal);
                id::ReaderWatcher watcher(print);
                watcher.start();
                const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(*seconds);
                while (!g_interrupted && (*seconds <= 0 || std::chrono::steady_clock::now() < end))
                    std::this_thread::sleep_for(std::chrono::milliseconds(50));
                watcher.stop();
                return kExitOk;
            };
        });
    }
    // id parse-mrz
    {
        auto* cmd = idCmd->add_subcommand("parse-mrz", "parse and check an MRZ (TD1, TD2, TD3) given as lines or on stdin");
        auto lines = std::make_shared<std::vector<std::string>>();
        cmd->add_option("LINES", *lines, "the MRZ lines (read from stdin when omitted)");
        cmd->callback([&action, lines] {
            action = [lines](Context& ctx) {
                std::string text;
                if (lines->empty()) text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
                else
                    for (const auto& l : *lines) text += l + "\n";
                auto lenient = id::parseMrz(text, false);
                if (!lenient) return ctx.failWith(lenient.error());
                auto strict = id::parseMrz(text, true);
                json j = mrzJson(*lenient);
                j["checks"] = checksJson(*lenient);
                j["valid"] = strict.has_value();
                if (!strict) {
                    j["ok"] = false;
                    j["error"] = {{"code", devices::errorCodeName(strict.error().code)}, {"message", strict.error().message}};
                    if (ctx.json) std::cout << j.dump(2) << "\n";
                    else std::cout << mrzText(*lenient) << "\n";
                    std::cerr << "kioskctl: " << strict.error().message << "\n";
                    return kExitUser;
                }
                j["ok"] = true;
                return ctx.ok(j, mrzText(*lenient));
            };
        });
    }
    // id read
    {
        auto* cmd = idCmd->add_subcommand("read", "read an ICAO passport / ID card chip (BAC) through PC/SC");
        struct Opts {
            std::string mrzKey, reader, photoOut, csca;
            std::vector<std::string> mrz;
            double wait{2.0};
        };
        auto o = std::make_shared<Opts>();
        auto* keyOpt = cmd->add_option("--mrz-key", o->mrzKey, "DOCNO,YYMMDD,YYMMDD: document number, birth date, expiry");
        auto* mrzOpt = cmd->add_option("--mrz", o->mrz, "the MRZ lines (2 or 3) printed on the document")->expected(2, 3);
        keyOpt->excludes(mrzOpt);
        cmd->add_option("--reader", o->reader, "PC/SC reader name (default: the first reader with a card)");
        cmd->add_option("--photo-out", o->photoOut, "write the face image exactly as stored on the chip");
        cmd->add_option("--csca", o->csca,
                        "directory of trusted CSCA certificates (PEM or DER; default: the folder 'id csca import' fills)");
        cmd->add_option("--wait", o->wait, "seconds to wait for a card (default 2)");
        cmd->callback([&action, o] {
            action = [o](Context& ctx) {
                id::MrzKey key;
                if (!o->mrzKey.empty()) {
                    auto k = id::parseMrzKey(o->mrzKey);
                    if (!k) return ctx.failWith(k.error());
                    key = *k;
                } else if (!o->mrz.empty()) {
                    auto m = id::parseMrzLines(o->mrz);
                    if (!m) return ctx.failWith(m.error());
                    key = id::mrzKeyOf(*m);
                } else {
                    return ctx.failWith(devices::Error{devices::ErrorCode::InvalidInput,
                                                      "give the access key: --mrz-key DOCNO,YYMMDD,YYMMDD or --mrz LINE1 LINE2 [LINE3]"});
                }
                id::PassportReadOptions opt;
                opt.cscaDir = o->csca.empty() ? cscaDirectory(Config{}) : std::optional<std::filesystem::path>(o->csca);
                const auto t0 = std::chrono::steady_clock::now();
                auto r = id::readPassportFromReader(o->reader, key, opt,
                                                    std::chrono::milliseconds(static_cast<long>(o->wait * 1000)));
                const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
                if (!r) return ctx.failWith(r.error());
                json photo = nullptr;
                if (r->face) {
                    photo = {{"format", id::imageFormatName(r->face->format)},
                             {"bytes", r->face->data.size()},
                             {"width", r->face->width},
                             {"height", r->face->height}};
                    if (!o->photoOut.empty()) {
                        std::ofstream f(o->photoOut, std::ios::binary);
                        f.write(reinterpret_cast<const char*>(r->face->data.data()),
                                static_cast<std::streamsize>(r->face->data.size()));
                        if (!f)
                            return ctx.failWith(devices::Error{devices::ErrorCode::InvalidInput,
                                                              "cannot write " + o->photoOut + ": check the path and permissions"});
                        photo["written_to"] = o->photoOut;
                    }
                }
                const auto& pa = r->pa;
                json j{{"ok", true},
                       {"reader", r->reader},
                       {"document", mrzJson(r->mrz)},
                       {"mrz_checks", checksJson(r->mrz)},
                       {"mrz_valid", allChecksOk(r->mrz)},
                       {"passive_authentication",
                        {{"verdict", id::paVerdictName(pa.verdict)},
                         {"reason", pa.reason.empty() ? json(nullptr) : json(pa.reason)},
                         {"detail", pa.detail},
                         {"hash_algorithm", pa.hashAlgorithm},
                         {"signer", pa.signer},
                         {"checked_groups", pa.checkedGroups}}},
                       {"photo", photo},
                       {"apdus", r->apdus},
                       {"extended_length", r->extendedLength},
                       {"elapsed_ms", ms}};
                std::string text = mrzText(r->mrz) +
                                   fmt::format("\npassive authentication: {}{}\nphoto: {}\napdus: {} in {:.0f} ms",
                                               id::paVerdictName(pa.verdict), pa.reason.empty() ? "" : " (" + pa.reason + ")",
                                               r->face ? fmt::format("{} bytes {}", r->face->data.size(),
                                                                     id::imageFormatName(r->face->format))
                                                       : std::string("none"),
                                               r->apdus, ms);
                // Valid documents only: an expired (or not yet valid) document cannot verify anyone's identity.
                const std::string expiry = id::mrzExpiryIso(r->mrz.expiryDate);
                std::optional<std::string> until;
                if (!expiry.empty()) until = expiry;
                const auto validity = id::documentValidity(std::nullopt, until, id::localToday());
                j["expiry"] = expiry.empty() ? json(nullptr) : json(expiry);
                j["validity"] = id::documentValidityName(validity);
                j["expired"] = validity == id::DocumentValidity::Expired;
                text += fmt::format("\nvalid until: {}{}", expiry.empty() ? "unreadable" : expiry,
                                    validity == id::DocumentValidity::Expired
                                        ? " (EXPIRED: this document cannot verify identity)"
                                        : "");
                return ctx.ok(j, text);
            };
        });
    }
    // id csca import
    {
        auto* csca = idCmd->add_subcommand("csca", "the CSCA certificates passports are authenticated against");
        csca->require_subcommand(1);
        auto* cmd = csca->add_subcommand("import", "install CSCA certificates (PEM/DER files or ICAO master lists)");
        struct Opts {
            std::vector<std::string> files;
            std::string dir;
        };
        auto o = std::make_shared<Opts>();
        cmd->add_option("FILE", o->files, "certificate files (PEM or DER) or ICAO CSCA master lists (CMS)")->required();
        cmd->add_option("--dir", o->dir, "the folder to install into (default: $XDG_CONFIG_HOME/badge-kiosk/csca, "
                                         "the kiosk's default csca_dir)");
        cmd->callback([&action, o] {
            action = [o](Context& ctx) {
                const std::filesystem::path dir = o->dir.empty() ? defaultCscaDirectory() : std::filesystem::path(o->dir);
                // Every file is checked before anything is installed: a bad file in the list changes nothing.
                std::vector<id::Bytes> certs;
                json files = json::array();
                for (const auto& name : o->files) {
                    std::ifstream f(name, std::ios::binary);
                    if (!f)
                        return ctx.failWith(devices::Error{devices::ErrorCode::InvalidInput,
                                                          "cannot read " + name + ": check the path"});
                    const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
                    auto parsed = id::parseCscaFile(id::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
                    if (!parsed)
                        return ctx.failWith(devices::Error{parsed.error().code, name + ": " + parsed.error().message});
                    files.push_back({{"file", name}, {"certificates", parsed->size()}});
                    certs.insert(certs.end(), parsed->begin(), parsed->end());
                }
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                auto r = id::installCscaCertificates(certs, dir);
                if (!r) return ctx.failWith(r.error());
                if (auto a = (*store)->recordEvent(ctx.actor, "csca.import", "csca",
                                             json{{"dir", dir.string()}, {"files", files}, {"added", r->added},
                                                  {"present", r->present}}
                                                 .dump());
                    !a)
                    return ctx.failWith(a.error());
                json j{{"ok", true}, {"dir", dir.string()}, {"files", files}, {"added", r->added}, {"present", r->present}};
                return ctx.ok(j, fmt::format("{} certificate(s) installed in {} ({} already there)", r->added,
                                             dir.string(), r->present));
            };
        });
    }
    // id cn-record
    {
        auto* cmd = idCmd->add_subcommand("cn-record", "decode a saved 256-byte China ID card text record");
        auto file = std::make_shared<std::string>();
        cmd->add_option("FILE", *file, "the record file")->required();
        cmd->callback([&action, file] {
            action = [file](Context& ctx) {
                std::ifstream f(*file, std::ios::binary);
                if (!f)
                    return ctx.failWith(devices::Error{devices::ErrorCode::InvalidInput,
                                                      "cannot read " + *file + ": check the path"});
                const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
                auto r = id::decodeCnIdRecord(id::Bytes(bytes.begin(), bytes.end()));
                if (!r) return ctx.failWith(r.error());
                json j{{"ok", true},
                       {"name", r->name},
                       {"sex", {{"code", r->sexCode}, {"zh", r->sexZh}, {"en", r->sexEn}}},
                       {"ethnic_group", {{"code", r->ethnicCode}, {"zh", r->ethnicZh}, {"en", r->ethnicEn}}},
                       {"birth_date", r->birthDate},
                       {"address", r->address},
                       {"id_number", r->idNumber},
                       {"id_number_valid", r->idNumberValid},
                       {"issuing_authority", r->issuingAuthority},
                       {"valid_from", r->validFrom},
                       {"valid_until", r->validUntil ? json(*r->validUntil) : json(nullptr)},
                       {"long_term", !r->validUntil.has_value()}};
                const auto validity = id::documentValidity(r->validFrom, r->validUntil, id::localToday());
                j["validity"] = id::documentValidityName(validity);
                j["expired"] = validity == id::DocumentValidity::Expired;
                const std::string note = validity == id::DocumentValidity::Expired ? " (EXPIRED)"
                                         : validity == id::DocumentValidity::NotYetValid ? " (NOT YET VALID)"
                                                                                         : "";
                return ctx.ok(j, fmt::format("name: {}\nsex: {} ({})\nethnic group: {} ({} {})\nbirth date: {}\n"
                                             "address: {}\nID number: {}{}\nissued by: {}\nvalid: {} to {}",
                                             r->name, r->sexZh, r->sexEn, r->ethnicCode, r->ethnicZh, r->ethnicEn,
                                             r->birthDate, r->address, r->idNumber,
                                             r->idNumberValid ? "" : " (check character or birth date does not match)",
                                             r->issuingAuthority, r->validFrom, r->validUntil.value_or("长期")) + note);
            };
        });
    }
}

}  // namespace kiosk::ctl
