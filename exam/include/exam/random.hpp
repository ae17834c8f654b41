#pragma once
/// @file random.hpp
/// @brief A small, fully specified PRNG (xoshiro256** seeded by SplitMix64) and the helpers built on it.
///
/// Papers must come out identical on every machine and library version, so the engine never uses
/// std::uniform_int_distribution or std::shuffle (their results are implementation-defined).

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

namespace exam {

/// @brief SplitMix64 step: advances `state` and returns the next output.
[[nodiscard]] std::uint64_t splitMix64(std::uint64_t& state) noexcept;

/// @brief xoshiro256** generator (Blackman & Vigna), state filled from a 64-bit seed via SplitMix64.
class Prng {
public:
    explicit Prng(std::uint64_t seed) noexcept;
    /// @brief Next raw 64-bit output.
    [[nodiscard]] std::uint64_t next() noexcept;
    /// @brief Uniform integer in [0, bound) by rejection (no modulo bias); bound must be > 0.
    [[nodiscard]] std::uint64_t below(std::uint64_t bound) noexcept;
    /// @brief Fisher-Yates shuffle (from the back, j = below(i + 1)).
    template <typename T>
    void shuffle(std::span<T> values) noexcept {
        for (std::size_t i = values.size(); i > 1; --i) {
            const std::size_t j = static_cast<std::size_t>(below(i));
            std::swap(values[i - 1], values[j]);
        }
    }

private:
    std::uint64_t m_s[4];
};

/// @brief The seed of a paper: a hash of (sitting id, worker id, attempt number) with unambiguous
/// separators, mixed by SplitMix64. Same inputs give the same seed everywhere.
[[nodiscard]] std::uint64_t paperSeed(std::string_view sittingId, std::string_view workerId, int attemptNumber) noexcept;

}  // namespace exam
