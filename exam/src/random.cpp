#include "exam/random.hpp"

namespace exam {
namespace {

constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }

constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

void fnv(std::uint64_t& h, unsigned char byte) noexcept {
    h ^= byte;
    h *= kFnvPrime;
}

void fnvField(std::uint64_t& h, std::string_view s) noexcept {
    // length first (8 bytes little-endian) so that ("ab","c") and ("a","bc") differ
    std::uint64_t n = s.size();
    for (int i = 0; i < 8; ++i) fnv(h, static_cast<unsigned char>((n >> (8 * i)) & 0xff));
    for (char c : s) fnv(h, static_cast<unsigned char>(c));
}

}  // namespace

std::uint64_t splitMix64(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

Prng::Prng(std::uint64_t seed) noexcept {
    std::uint64_t s = seed;
    for (auto& word : m_s) word = splitMix64(s);
}

std::uint64_t Prng::next() noexcept {
    const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
    const std::uint64_t t = m_s[1] << 17;
    m_s[2] ^= m_s[0];
    m_s[3] ^= m_s[1];
    m_s[1] ^= m_s[2];
    m_s[0] ^= m_s[3];
    m_s[2] ^= t;
    m_s[3] = rotl(m_s[3], 45);
    return result;
}

std::uint64_t Prng::below(std::uint64_t bound) noexcept {
    if (bound <= 1) return 0;
    // reject the top partial block so every residue is equally likely
    const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
    std::uint64_t x = next();
    while (x >= limit) x = next();
    return x % bound;
}

std::uint64_t paperSeed(std::string_view sittingId, std::string_view workerId, int attemptNumber) noexcept {
    std::uint64_t h = kFnvOffset;
    fnvField(h, "exam-paper-v1");
    fnvField(h, sittingId);
    fnvField(h, workerId);
    const auto a = static_cast<std::uint32_t>(attemptNumber);
    for (int i = 0; i < 4; ++i) fnv(h, static_cast<unsigned char>((a >> (8 * i)) & 0xff));
    return splitMix64(h);
}

}  // namespace exam
