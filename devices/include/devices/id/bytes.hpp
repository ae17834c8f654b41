#pragma once
/// @file bytes.hpp
/// @brief Byte buffers and hex helpers shared by the identity-document code.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace devices::id {

/// @brief An owned byte buffer.
using Bytes = std::vector<std::uint8_t>;
/// @brief A view of bytes.
using ByteView = std::span<const std::uint8_t>;

/// @brief Upper-case hex without separators.
[[nodiscard]] std::string toHex(ByteView data);
/// @brief Parses hex (spaces ignored); nullopt on odd length or a non-hex character.
[[nodiscard]] std::optional<Bytes> fromHex(std::string_view hex);
/// @brief Bytes of a string (no terminator).
[[nodiscard]] Bytes toBytes(std::string_view s);

}  // namespace devices::id
