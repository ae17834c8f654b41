#pragma once
/// @file clock.hpp
/// @brief The time source of the training layer, passed in so that tests control it.

#include <atomic>
#include <cstdint>

namespace training {

/// @brief Where "now" comes from.
class Clock {
public:
    virtual ~Clock() = default;
    /// @brief Current Unix time in seconds.
    [[nodiscard]] virtual std::int64_t now() const = 0;
};

/// @brief The system's real-time clock.
class SystemClock final : public Clock {
public:
    [[nodiscard]] std::int64_t now() const override;
};

/// @brief A clock that stands still until told otherwise (tests, scripted demos).
class ManualClock final : public Clock {
public:
    explicit ManualClock(std::int64_t start) : m_now(start) {}
    [[nodiscard]] std::int64_t now() const override { return m_now.load(); }
    void set(std::int64_t t) { m_now.store(t); }
    void advance(std::int64_t seconds) { m_now.fetch_add(seconds); }

private:
    std::atomic<std::int64_t> m_now;
};

}  // namespace training
