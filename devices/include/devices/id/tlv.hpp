#pragma once
/// @file tlv.hpp
/// @brief Strict BER-TLV (ISO 7816-4 / X.690 DER subset) parsing: tags of up to 3 bytes, definite lengths
/// of up to 4 length bytes. Indefinite lengths, over-long lengths and truncated values are rejected
/// (ErrorCode::Malformed) instead of being read past.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "devices/error.hpp"
#include "devices/id/bytes.hpp"

namespace devices::id {

/// @brief One TLV element; @c value and @c raw point into the parsed buffer.
struct Tlv {
    std::uint32_t tag{0};     ///< tag bytes as a number, e.g. 0x7F61, 0x5F1F
    bool constructed{false};  ///< bit 6 of the first tag byte
    ByteView value;           ///< the value bytes
    ByteView raw;             ///< tag, length and value
};

/// @brief Reads one TLV at @p offset and advances it. Fails on malformed tags or lengths and truncation.
[[nodiscard]] Result<Tlv> readTlv(ByteView data, std::size_t& offset);

/// @brief Parses @p data as exactly one TLV (trailing bytes other than 00/FF padding are an error).
[[nodiscard]] Result<Tlv> parseSingleTlv(ByteView data);

/// @brief Parses all TLVs that make up @p data (e.g. the value of a constructed TLV).
[[nodiscard]] Result<std::vector<Tlv>> parseTlvList(ByteView data);

/// @brief First child of @p parent (constructed) with @p tag; NotAvailable-free: Malformed when missing.
[[nodiscard]] Result<Tlv> findChild(const Tlv& parent, std::uint32_t tag);

/// @brief Total length (header + value) announced by the TLV header at the start of @p data, or an error
/// when the header itself is malformed or incomplete. Used to size reads from the card.
[[nodiscard]] Result<std::size_t> tlvTotalLength(ByteView header);

/// @brief DER length bytes for @p length.
[[nodiscard]] Bytes encodeLength(std::size_t length);

/// @brief Encodes tag + length + value.
[[nodiscard]] Bytes encodeTlv(std::uint32_t tag, ByteView value);

}  // namespace devices::id
