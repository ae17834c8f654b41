#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cassert>
#include <memory>

#include "devices/id/bac.hpp"
#include "devices/id/tlv.hpp"

namespace devices::id {

namespace {

struct CtxFree {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

/// Runs an OpenSSL cipher without padding. Single DES is 2-key EDE with K1 == K2 (the default provider
/// of OpenSSL 3 has no plain DES).
Bytes cipher(const EVP_CIPHER* type, ByteView key, ByteView data, bool encrypt) {
    assert(data.size() % 8 == 0);
    std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
    const std::uint8_t iv[8] = {};
    Bytes out(data.size() + 8);
    int n1 = 0, n2 = 0;
    const bool ok = ctx && EVP_CipherInit_ex(ctx.get(), type, nullptr, key.data(), iv, encrypt ? 1 : 0) == 1 &&
                    EVP_CIPHER_CTX_set_padding(ctx.get(), 0) == 1 &&
                    EVP_CipherUpdate(ctx.get(), out.data(), &n1, data.data(), static_cast<int>(data.size())) == 1 &&
                    EVP_CipherFinal_ex(ctx.get(), out.data() + n1, &n2) == 1;
    assert(ok && "OpenSSL 3DES failed");
    (void)ok;
    out.resize(static_cast<std::size_t>(n1 + n2));
    return out;
}

Bytes desEcb(ByteView key8, ByteView block, bool encrypt) {
    std::uint8_t k[16];
    std::copy(key8.begin(), key8.begin() + 8, k);
    std::copy(key8.begin(), key8.begin() + 8, k + 8);
    return cipher(EVP_des_ede_ecb(), ByteView(k, 16), block, encrypt);
}

void append(Bytes& out, ByteView in) { out.insert(out.end(), in.begin(), in.end()); }

}  // namespace

Bytes sha1(ByteView data) {
    Bytes out(SHA_DIGEST_LENGTH);
    SHA1(data.data(), data.size(), out.data());
    return out;
}

Bytes bacKeySeed(std::string_view mrzInformation) {
    auto h = sha1(toBytes(mrzInformation));
    h.resize(16);
    return h;
}

void adjustParity(Bytes& key) {
    for (auto& b : key) {
        int ones = 0;
        for (int i = 1; i < 8; ++i) ones += (b >> i) & 1;
        b = static_cast<std::uint8_t>((b & 0xFE) | ((ones % 2 == 0) ? 1 : 0));
    }
}

Bytes deriveKey3Des(ByteView seed, std::uint32_t counter) {
    Bytes d(seed.begin(), seed.end());
    for (int i = 3; i >= 0; --i) d.push_back(static_cast<std::uint8_t>(counter >> (8 * i)));
    auto h = sha1(d);
    h.resize(16);
    adjustParity(h);
    return h;
}

BacKeys deriveBacKeys(ByteView seed) { return BacKeys{deriveKey3Des(seed, 1), deriveKey3Des(seed, 2)}; }

Bytes padIso9797(ByteView data) {
    Bytes out(data.begin(), data.end());
    out.push_back(0x80);
    while (out.size() % 8 != 0) out.push_back(0);
    return out;
}

Result<Bytes> unpadIso9797(ByteView data) {
    std::size_t n = data.size();
    while (n > 0 && data[n - 1] == 0) --n;
    if (n == 0 || data[n - 1] != 0x80 || data.size() - n >= 8)
        return fail(ErrorCode::Malformed, "secure messaging: decrypted data has no valid ISO 9797-1 padding");
    return Bytes(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n - 1));
}

Bytes tdesEncrypt(ByteView key16, ByteView data) { return cipher(EVP_des_ede_cbc(), key16, data, true); }
Bytes tdesDecrypt(ByteView key16, ByteView data) { return cipher(EVP_des_ede_cbc(), key16, data, false); }

Bytes retailMac(ByteView key16, ByteView data) {
    const Bytes padded = padIso9797(data);
    const ByteView ka = key16.first(8);
    Bytes h(8, 0);
    for (std::size_t off = 0; off + 8 < padded.size(); off += 8) {
        for (int i = 0; i < 8; ++i) h[static_cast<std::size_t>(i)] ^= padded[off + static_cast<std::size_t>(i)];
        h = desEcb(ka, h, true);
    }
    for (int i = 0; i < 8; ++i) h[static_cast<std::size_t>(i)] ^= padded[padded.size() - 8 + static_cast<std::size_t>(i)];
    // Last block: E_Ka(D_Kb(E_Ka(x))) which is 2-key 3DES encryption.
    return cipher(EVP_des_ede_ecb(), key16, h, true);
}

Bytes BacTerminal::mutualAuthData(const BacKeys& keys, ByteView rndIcc) const {
    Bytes s;
    append(s, rndIfd);
    append(s, rndIcc);
    append(s, kIfd);
    Bytes out = tdesEncrypt(keys.enc, s);
    const Bytes mac = retailMac(keys.mac, out);
    append(out, mac);
    return out;
}

Result<SessionKeys> BacTerminal::finish(const BacKeys& keys, ByteView rndIcc, ByteView response) const {
    if (response.size() != 40)
        return fail(ErrorCode::Malformed, "BAC: MUTUAL AUTHENTICATE answer has " + std::to_string(response.size()) +
                                              " bytes instead of 40: the card does not speak ICAO BAC");
    const ByteView eIcc = response.first(32);
    const Bytes mac = retailMac(keys.mac, eIcc);
    if (!std::equal(mac.begin(), mac.end(), response.begin() + 32))
        return fail(ErrorCode::Integrity, "BAC: the card's authentication MAC is wrong: remove the document, put "
                                          "it back and retry");
    const Bytes r = tdesDecrypt(keys.enc, eIcc);
    if (!std::equal(rndIcc.begin(), rndIcc.end(), r.begin()) ||
        !std::equal(rndIfd.begin(), rndIfd.end(), r.begin() + 8))
        return fail(ErrorCode::Integrity, "BAC: the card did not echo the challenges: remove the document, put it "
                                          "back and retry");
    Bytes seed(16);
    for (std::size_t i = 0; i < 16; ++i) seed[i] = kIfd[i] ^ r[16 + i];
    SessionKeys sk;
    sk.encKey = deriveKey3Des(seed, 1);
    sk.macKey = deriveKey3Des(seed, 2);
    sk.ssc.assign(rndIcc.begin() + 4, rndIcc.begin() + 8);
    sk.ssc.insert(sk.ssc.end(), rndIfd.begin() + 4, rndIfd.begin() + 8);
    return sk;
}

SecureMessaging::SecureMessaging(SessionKeys keys) : m_keys(std::move(keys)) {}

void SecureMessaging::incrementSsc() {
    for (auto it = m_keys.ssc.rbegin(); it != m_keys.ssc.rend(); ++it)
        if (++*it != 0) break;
}

Apdu SecureMessaging::wrap(const Apdu& apdu, bool extended) {
    Apdu out;
    out.cla = static_cast<std::uint8_t>(apdu.cla | 0x0C);
    out.ins = apdu.ins;
    out.p1 = apdu.p1;
    out.p2 = apdu.p2;
    Bytes body;
    if (!apdu.data.empty()) {
        const Bytes enc = tdesEncrypt(m_keys.encKey, padIso9797(apdu.data));
        Bytes v;
        if (apdu.ins & 1) {  // odd INS: data is BER-TLV, DO'85' without padding indicator
            v = enc;
            append(body, encodeTlv(0x85, v));
        } else {
            v.push_back(0x01);
            append(v, enc);
            append(body, encodeTlv(0x87, v));
        }
    }
    if (apdu.ne > 0) {
        Bytes le;
        if (apdu.ne > 256) {
            const std::size_t n = apdu.ne >= 65536 ? 0 : apdu.ne;
            le = {static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n & 0xFF)};
        } else {
            le = {static_cast<std::uint8_t>(apdu.ne >= 256 ? 0 : apdu.ne)};
        }
        append(body, encodeTlv(0x97, le));
    }
    incrementSsc();
    Bytes macInput = m_keys.ssc;
    append(macInput, padIso9797(Bytes{out.cla, out.ins, out.p1, out.p2}));
    append(macInput, body);
    append(body, encodeTlv(0x8E, retailMac(m_keys.macKey, macInput)));
    out.data = std::move(body);
    out.ne = extended ? 65536 : 256;
    return out;
}

Result<Response> SecureMessaging::unwrap(const Response& response) {
    incrementSsc();
    if (response.data.empty()) {
        // A card that rejects a command in SM may answer a bare status word (e.g. 6987, 6988, 6A82).
        // Nothing to verify; the caller sees the status word. A bare 9000 is not acceptable.
        if (response.sw == 0x9000 || (response.sw >> 8) == 0x62 || (response.sw >> 8) == 0x63)
            return fail(ErrorCode::Integrity, "secure messaging: the card answered without a MAC: remove the "
                                              "document, put it back and retry");
        return response;
    }
    auto list = parseTlvList(response.data);
    if (!list) return fail(ErrorCode::Integrity, "secure messaging: response is not valid TLV (" +
                                                     list.error().message + "): retry the read");
    const Tlv* data = nullptr;
    const Tlv* status = nullptr;
    const Tlv* mac = nullptr;
    Bytes macInput = m_keys.ssc;
    for (const auto& t : *list) {
        if (mac) return fail(ErrorCode::Integrity, "secure messaging: data after the MAC: retry the read");
        if (t.tag == 0x87 || t.tag == 0x85) data = &t;
        else if (t.tag == 0x99) status = &t;
        else if (t.tag == 0x8E) {
            mac = &t;
            continue;
        } else {
            return fail(ErrorCode::Integrity, "secure messaging: unexpected data object in the response");
        }
        append(macInput, t.raw);
    }
    if (!mac || mac->value.size() != 8)
        return fail(ErrorCode::Integrity, "secure messaging: the response has no MAC (DO'8E'): retry the read");
    if (!status || status->value.size() != 2)
        return fail(ErrorCode::Integrity, "secure messaging: the response has no protected status word (DO'99'), "
                                          "which ICAO 9303-11 requires: the document is not conformant");
    const Bytes expected = retailMac(m_keys.macKey, macInput);
    if (!std::equal(expected.begin(), expected.end(), mac->value.begin()))
        return fail(ErrorCode::Integrity, "secure messaging: the response MAC is wrong (data altered on the way or "
                                          "session lost): remove the document, put it back and retry");
    Response out;
    out.sw = static_cast<std::uint16_t>(status->value[0] << 8 | status->value[1]);
    if (data) {
        ByteView enc = data->value;
        if (data->tag == 0x87) {
            if (enc.empty() || enc[0] != 0x01)
                return fail(ErrorCode::Integrity, "secure messaging: unknown padding indicator in DO'87'");
            enc = enc.subspan(1);
        }
        if (enc.size() % 8 != 0 || enc.empty())
            return fail(ErrorCode::Integrity, "secure messaging: encrypted data is not a multiple of 8 bytes");
        auto plain = unpadIso9797(tdesDecrypt(m_keys.encKey, enc));
        if (!plain) return fail(ErrorCode::Integrity, plain.error().message);
        out.data = std::move(*plain);
    }
    return out;
}

}  // namespace devices::id
