#pragma once
/// @file text.hpp
/// @brief Small text helpers shared by the training layer (UTF-8 aware where it matters).

#include <string>
#include <string_view>
#include <vector>

namespace training {

/// @brief The view without leading and trailing ASCII white space.
[[nodiscard]] std::string_view trim(std::string_view s) noexcept;
/// @brief Number of UTF-8 code points (invalid bytes count as one each).
[[nodiscard]] std::size_t utf8Length(std::string_view s) noexcept;
/// @brief Splits into code points, each as its UTF-8 bytes.
[[nodiscard]] std::vector<std::string> utf8CodePoints(std::string_view s);
/// @brief True when @p s is well-formed UTF-8.
[[nodiscard]] bool isValidUtf8(std::string_view s) noexcept;
/// @brief Splits on @p sep, trimming each part and dropping empty ones.
[[nodiscard]] std::vector<std::string> splitList(std::string_view s, char sep = ',');
/// @brief Lower-case hex of bytes.
[[nodiscard]] std::string toHex(const unsigned char* data, std::size_t size);
/// @brief SHA-256 of the bytes, as 64 lower-case hex characters.
[[nodiscard]] std::string sha256Hex(std::string_view data);

}  // namespace training
