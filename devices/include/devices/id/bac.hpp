#pragma once
/// @file bac.hpp
/// @brief ICAO 9303-11 Basic Access Control and secure messaging with 3DES: key derivation, MUTUAL
/// AUTHENTICATE, session keys, send sequence counter, ISO 9797-1 MAC algorithm 3, and wrapping/unwrapping
/// of APDUs with DO'85'/'87', DO'97', DO'99' and DO'8E' (the MAC of every response is verified).

#include <array>
#include <cstdint>
#include <string_view>

#include "devices/error.hpp"
#include "devices/id/apdu.hpp"
#include "devices/id/bytes.hpp"

namespace devices::id {

/// @brief A pair of 2-key 3DES keys (16 bytes each, parity adjusted).
struct BacKeys {
    Bytes enc;
    Bytes mac;
};

/// @brief SHA-1 of @p data.
[[nodiscard]] Bytes sha1(ByteView data);
/// @brief K_seed: the first 16 bytes of SHA-1 of the MRZ information (see bacKeyString()).
[[nodiscard]] Bytes bacKeySeed(std::string_view mrzInformation);
/// @brief ICAO KDF for 3DES: SHA-1(seed || counter) -> 16 bytes with DES parity; counter 1 = ENC, 2 = MAC.
[[nodiscard]] Bytes deriveKey3Des(ByteView seed, std::uint32_t counter);
/// @brief K_enc and K_mac from a key seed.
[[nodiscard]] BacKeys deriveBacKeys(ByteView seed);
/// @brief Sets odd parity on every byte.
void adjustParity(Bytes& key);

/// @brief ISO 9797-1 padding method 2 (80 00..) to a multiple of 8.
[[nodiscard]] Bytes padIso9797(ByteView data);
/// @brief Removes method-2 padding; Malformed if absent.
[[nodiscard]] Result<Bytes> unpadIso9797(ByteView data);
/// @brief 2-key 3DES CBC with a zero IV (no padding; size must be a multiple of 8).
[[nodiscard]] Bytes tdesEncrypt(ByteView key16, ByteView data);
/// @brief Inverse of tdesEncrypt().
[[nodiscard]] Bytes tdesDecrypt(ByteView key16, ByteView data);
/// @brief ISO 9797-1 MAC algorithm 3 (DES, retail MAC) over @p data padded with method 2; 8 bytes.
[[nodiscard]] Bytes retailMac(ByteView key16, ByteView data);

/// @brief Session keys and SSC after MUTUAL AUTHENTICATE.
struct SessionKeys {
    Bytes encKey;  ///< KS_enc
    Bytes macKey;  ///< KS_mac
    Bytes ssc;     ///< send sequence counter, 8 bytes
};

/// @brief The terminal's side of BAC.
struct BacTerminal {
    Bytes rndIfd;  ///< 8 random bytes of the terminal
    Bytes kIfd;    ///< 16 random bytes of key material of the terminal

    /// @brief MUTUAL AUTHENTICATE command data: E_IFD (32) || M_IFD (8).
    [[nodiscard]] Bytes mutualAuthData(const BacKeys& keys, ByteView rndIcc) const;
    /// @brief Verifies the card's answer (MAC, RND.IFD echo) and derives the session keys.
    [[nodiscard]] Result<SessionKeys> finish(const BacKeys& keys, ByteView rndIcc, ByteView response) const;
};

/// @brief Secure messaging state (ICAO 9303-11 section 9.8 with 3DES).
class SecureMessaging {
public:
    explicit SecureMessaging(SessionKeys keys);
    /// @brief Protects @p apdu (SSC incremented); @p extended selects extended length for the wrapped APDU.
    [[nodiscard]] Apdu wrap(const Apdu& apdu, bool extended);
    /// @brief Verifies and decrypts a protected response (SSC incremented). Integrity error when the MAC is
    /// wrong or DO'99'/DO'8E' is missing; CardError when the card answered without secure messaging.
    [[nodiscard]] Result<Response> unwrap(const Response& response);
    /// @brief Current SSC.
    [[nodiscard]] const Bytes& ssc() const { return m_keys.ssc; }

private:
    void incrementSsc();
    SessionKeys m_keys;
};

}  // namespace devices::id
