#include <openssl/rand.h>

#include <functional>

#include "devices/id/bac.hpp"
#include "devices/id/emrtd.hpp"
#include "devices/id/pcsc.hpp"
#include "devices/id/tlv.hpp"

namespace devices::id {

namespace {

constexpr std::size_t kMaxFile = 1 << 20;
const Bytes kAid{0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01};

std::string swText(std::uint16_t sw) {
    char b[8];
    std::snprintf(b, sizeof b, "%04X", sw);
    return b;
}

Error cardStatus(std::string_view what, std::uint16_t sw) {
    return Error{ErrorCode::CardError, std::string(what) + ": the card answered status " + swText(sw) +
                                           ": remove the document, put it back and retry"};
}

/// Answers to SELECT by AID that mean the card has no such application: retrying cannot help.
bool noSuchApplication(std::uint16_t sw) {
    return sw == 0x6A82 || sw == 0x6A81 || sw == 0x6A86 || sw == 0x6D00 || sw == 0x6E00;
}

/// The first command (SELECT of the LDS application) answered @p sw; @p retried: also after a reset and a retry.
Error firstCommandError(std::uint16_t sw, bool retried) {
    if (retried)
        return {ErrorCode::CardError, "the card failed its first command twice, also after a reset (status " +
                                          swText(sw) + "): take the document off the reader, put it back, keep "
                                                       "it still and retry; if it persists the chip may be damaged"};
    return {ErrorCode::CardError,
            "the card failed its first command (status " + swText(sw) + "): remove the document, put it back and retry"};
}

Bytes random(std::size_t n) {
    Bytes b(n);
    if (RAND_bytes(b.data(), static_cast<int>(n)) != 1) std::abort();  // no entropy: a broken system
    return b;
}

class Session {
public:
    Session(CardChannel& ch, SecureMessaging sm, const PassportReadOptions& o) : m_ch(ch), m_sm(std::move(sm)), m_opt(o) {}

    Result<Response> send(const Apdu& plain) {
        const bool ext = m_ch.extendedLength() && (plain.ne > 256 || plain.data.size() > 200);
        const Apdu wrapped = m_sm.wrap(plain, ext);
        auto r = m_ch.transmit(wrapped);
        if (!r) return std::unexpected(r.error());
        return m_sm.unwrap(*r);
    }

    /// Selects and reads a whole EF; nullopt when the file does not exist.
    Result<std::optional<Bytes>> readFile(std::uint16_t fid, std::string_view name) {
        auto sel = send(Apdu{0x00, 0xA4, 0x02, 0x0C,
                             Bytes{static_cast<std::uint8_t>(fid >> 8), static_cast<std::uint8_t>(fid & 0xFF)}, 0});
        if (!sel) return std::unexpected(sel.error());
        if (sel->sw == 0x6A82) return std::optional<Bytes>{};
        if (!sel->ok()) return std::unexpected(cardStatus("selecting " + std::string(name), sel->sw));
        const std::size_t chunk = m_ch.extendedLength() ? m_opt.extendedChunk : m_opt.shortChunk;
        Bytes file;
        std::optional<std::size_t> total;
        while (!total || file.size() < *total) {
            std::size_t want = chunk;
            if (total) want = std::min(chunk, *total - file.size());
            const std::size_t off = file.size();
            Apdu rb;
            if (off <= 0x7FFF) {
                rb = Apdu{0x00, 0xB0, static_cast<std::uint8_t>(off >> 8), static_cast<std::uint8_t>(off & 0xFF), {}, want};
            } else {  // beyond 32 KB: odd INS with an offset data object
                const Bytes o{static_cast<std::uint8_t>(off >> 16), static_cast<std::uint8_t>(off >> 8),
                              static_cast<std::uint8_t>(off)};
                rb = Apdu{0x00, 0xB1, 0x00, 0x00, encodeTlv(0x54, o), want + 4};
            }
            auto r = send(rb);
            if (!r) return std::unexpected(r.error());
            if (!r->ok() && r->sw != 0x6282)
                return std::unexpected(cardStatus("reading " + std::string(name), r->sw));
            ByteView data = r->data;
            Tlv wrapped;
            if (rb.ins == 0xB1) {
                auto t = parseSingleTlv(r->data);
                if (!t || t->tag != 0x53)
                    return fail(ErrorCode::Malformed, "reading " + std::string(name) +
                                                          ": the card's READ BINARY (B1) answer is not a DO'53'");
                wrapped = *t;
                data = wrapped.value;
            }
            if (data.empty()) break;
            file.insert(file.end(), data.begin(), data.end());
            if (!total) {
                auto t = tlvTotalLength(file);
                if (t) {
                    if (*t > kMaxFile)
                        return fail(ErrorCode::Malformed, std::string(name) + " announces an implausible size");
                    total = *t;
                } else if (file.size() >= 6) {
                    return fail(ErrorCode::Malformed, std::string(name) + " has a malformed header: " + t.error().message);
                }
            }
            if (r->sw == 0x6282) break;  // end of file
        }
        if (total && file.size() < *total)
            return fail(ErrorCode::Malformed, std::string(name) + " is shorter than its header announces");
        if (total) file.resize(*total);
        return std::optional<Bytes>{std::move(file)};
    }

private:
    CardChannel& m_ch;
    SecureMessaging m_sm;
    const PassportReadOptions& m_opt;
};

Result<SessionKeys> basicAccessControl(CardChannel& ch, const MrzKey& key) {
    auto challenge = ch.transmit(Apdu{0x00, 0x84, 0x00, 0x00, {}, 8});
    if (!challenge) return std::unexpected(challenge.error());
    if (!challenge->ok() || challenge->data.size() != 8)
        return std::unexpected(cardStatus("GET CHALLENGE", challenge->sw));
    const BacKeys keys = deriveBacKeys(bacKeySeed(bacKeyString(key)));
    BacTerminal terminal{random(8), random(16)};
    auto ma = ch.transmit(Apdu{0x00, 0x82, 0x00, 0x00, terminal.mutualAuthData(keys, challenge->data), 40});
    if (!ma) return std::unexpected(ma.error());
    if (!ma->ok())
        return fail(ErrorCode::AccessDenied,
                    "the document did not accept the access key: check the document number, birth date and expiry");
    auto sk = terminal.finish(keys, challenge->data, ma->data);
    if (!sk) return std::unexpected(sk.error());
    return sk;
}

/// @p firstCommandFailed is set when the first command failed (transport error, or a status other than "no such
/// application", which is then stored in @p firstStatus).
Result<PassportData> readOnce(CardChannel& ch, const MrzKey& key, const PassportReadOptions& options,
                              bool& firstCommandFailed, std::optional<std::uint16_t>& firstStatus) {
    const std::size_t start = ch.apduCount();
    auto sel = ch.transmit(Apdu{0x00, 0xA4, 0x04, 0x0C, kAid, 0});
    if (!sel) {
        firstCommandFailed = true;
        return std::unexpected(sel.error());
    }
    if (!sel->ok()) {
        if (noSuchApplication(sel->sw))
            return fail(ErrorCode::CardError, "the card has no ICAO passport application (status " + swText(sel->sw) +
                                                  "): use a passport or an ICAO ID card");
        // Any other status (6F00 "no precise diagnosis", 64xx, 65xx...) is a chip that is not ready yet.
        firstCommandFailed = true;
        firstStatus = sel->sw;
        return std::unexpected(firstCommandError(sel->sw, false));
    }
    auto sk = basicAccessControl(ch, key);
    if (!sk) return std::unexpected(sk.error());
    Session s(ch, SecureMessaging(*sk), options);
    PassportData out;
    out.extendedLength = ch.extendedLength();

    auto com = s.readFile(kFidCom, "EF.COM");
    if (!com) return std::unexpected(com.error());
    if (*com) {
        out.rawCom = **com;
        auto parsed = parseEfCom(out.rawCom);
        if (!parsed) return std::unexpected(parsed.error());
        out.com = *parsed;
    }
    auto dg1 = s.readFile(dataGroupFid(1), "DG1");
    if (!dg1) return std::unexpected(dg1.error());
    if (!*dg1) return fail(ErrorCode::Malformed, "the chip has no DG1 (MRZ): the document is not readable");
    out.rawGroups[1] = **dg1;
    auto text = parseDg1Text(out.rawGroups[1]);
    if (!text) return std::unexpected(text.error());
    out.mrzText = *text;
    auto mrz = parseMrz(out.mrzText, false);
    if (!mrz) return std::unexpected(mrz.error());
    out.mrz = *mrz;
    if (options.readFace) {
        auto dg2 = s.readFile(dataGroupFid(2), "DG2");
        if (!dg2) return std::unexpected(dg2.error());
        if (*dg2) {
            out.rawGroups[2] = **dg2;
            auto face = parseDg2(out.rawGroups[2]);
            if (!face) return std::unexpected(face.error());
            out.face = *face;
        }
    }
    auto sod = s.readFile(kFidSod, "EF.SOD");
    if (!sod) return std::unexpected(sod.error());
    if (*sod) out.rawSod = **sod;
    out.pa = passiveAuthenticate(out.rawSod, out.rawGroups, options.cscaDir);
    out.apdus = ch.apduCount() - start;
    return out;
}

}  // namespace

Result<PassportData> readPassport(CardChannel& channel, const MrzKey& key, const PassportReadOptions& options,
                                  const std::function<Result<void>()>& recover) {
    bool firstFailed = false;
    std::optional<std::uint16_t> firstStatus;
    const std::size_t start = channel.apduCount();
    auto r = readOnce(channel, key, options, firstFailed, firstStatus);
    const auto retryable = [](ErrorCode c) {
        return c != ErrorCode::NotAvailable && c != ErrorCode::NoReader && c != ErrorCode::Cancelled;
    };
    if (!r && firstFailed && recover && retryable(r.error().code)) {
        // A card that was just (re-)inserted may fail its first transaction: recover (reset) and retry once.
        if (auto ok = recover(); ok) {
            firstFailed = false;
            firstStatus.reset();
            r = readOnce(channel, key, options, firstFailed, firstStatus);
            if (!r && firstFailed && firstStatus) r = std::unexpected(firstCommandError(*firstStatus, true));
        }
    }
    if (r) r->apdus = channel.apduCount() - start;
    return r;
}

Result<PassportData> readPassportFromReader(const std::string& reader, const MrzKey& key,
                                            const PassportReadOptions& options, std::chrono::milliseconds wait) {
    auto ctx = PcscContext::establish();
    if (!ctx) return std::unexpected(ctx.error());
    auto name = (*ctx)->waitForCard(reader, wait);
    if (!name) {
        if (name.error().code == ErrorCode::Timeout)
            return fail(ErrorCode::NoCard, "no card" + (reader.empty() ? std::string() : " on reader '" + reader + "'") +
                                               ": put the document on the reader");
        return std::unexpected(name.error());
    }
    auto card = PcscCard::connect(*ctx, *name);
    if (!card) return std::unexpected(card.error());
    PcscCard& c = **card;
    auto r = readPassport(c, key, options, [&c] { return c.reconnect(true); });
    if (r) r->reader = *name;
    return r;
}

}  // namespace devices::id
