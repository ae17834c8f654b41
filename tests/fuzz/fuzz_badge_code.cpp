// libFuzzer target: the badge QR payload. base45 and the numeric (digits) code must stay in bounds and round-trip;
// the code found in a URL's fragment is part of the text; decoding and verifying any text (bare code or
// https URL) must return a verdict or an error, never crash.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "training/badge_code.hpp"
#include "training/center_key.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto bytes = training::base45Decode(text)) {
        const auto again = training::base45Encode(*bytes);
        auto back = training::base45Decode(again);
        if (!back || *back != *bytes) __builtin_trap();
    }
    const std::vector<std::uint8_t> raw(data, data + size);
    if (training::base45Decode(training::base45Encode(raw)) != raw) __builtin_trap();
    if (auto bytes = training::numericDecode(text)) {
        if (training::numericEncode(*bytes) != text) __builtin_trap();
    }
    if (training::numericDecode(training::numericEncode(raw)) != raw) __builtin_trap();
    const auto code = training::badgeCodeOf(text);
    if (!code.empty() && (code.data() < text.data() || code.data() + code.size() > text.data() + text.size()))
        __builtin_trap();
    (void)training::checkVerifyUrl(text);
    (void)training::decodeBadgePayload(text);
    static const auto key = training::CenterKey::ephemeral("FUZZ01", "fuzz");
    const training::CenterPublicKey trusted[] = {key.publicInfo()};
    const training::RevocationLookup notRevoked = [](const std::string&, const std::string&) -> std::optional<std::string> {
        return std::nullopt;
    };
    (void)training::verifyBadgePayload(text, trusted, notRevoked,
                                       std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::month{12},
                                                                   std::chrono::day{6}});
    return 0;
}
