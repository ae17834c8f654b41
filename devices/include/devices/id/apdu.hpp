#pragma once
/// @file apdu.hpp
/// @brief Command/response APDUs (ISO 7816-4, short and extended length) and the channel that carries them.

#include <cstddef>
#include <cstdint>

#include "devices/error.hpp"
#include "devices/id/bytes.hpp"

namespace devices::id {

/// @brief A command APDU. @c ne is the number of expected response bytes (0: none; 256 or 65536: maximum).
struct Apdu {
    std::uint8_t cla{0}, ins{0}, p1{0}, p2{0};
    Bytes data;
    std::size_t ne{0};

    /// @brief Serialises as a short APDU when it fits (Lc <= 255, Ne <= 256) or when !@p allowExtended,
    /// otherwise as an extended APDU. Asserts that a short APDU fits when extended is not allowed.
    [[nodiscard]] Bytes encode(bool allowExtended = true) const;
};

/// @brief A response APDU: data and the status word.
struct Response {
    Bytes data;
    std::uint16_t sw{0};
    [[nodiscard]] bool ok() const { return sw == 0x9000; }
};

/// @brief Splits raw response bytes into data and SW; Malformed if shorter than 2 bytes.
[[nodiscard]] Result<Response> splitResponse(ByteView raw);

/// @brief Something that exchanges APDUs with a card (PC/SC, or a fake in tests).
class CardChannel {
public:
    virtual ~CardChannel() = default;
    /// @brief Sends @p apdu and returns the response (61xx/6Cxx already handled by the channel).
    [[nodiscard]] virtual Result<Response> transmit(const Apdu& apdu) = 0;
    /// @brief Whether the card accepts extended-length APDUs.
    [[nodiscard]] virtual bool extendedLength() const = 0;
    /// @brief Number of APDUs exchanged so far (including GET RESPONSE / re-sends).
    [[nodiscard]] virtual std::size_t apduCount() const = 0;
};

}  // namespace devices::id
