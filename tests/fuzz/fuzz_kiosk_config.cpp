// libFuzzer target: the kiosk's TOML configuration. Any text gives a configuration or an error naming the
// problem; a configuration that parsed is written back (toToml) and parses to the same TOML.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kiosk/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto c = kiosk::parseConfig(text, "fuzz.toml");
    if (!c) {
        if (c.error().message.empty()) __builtin_trap();
        return 0;
    }
    const auto toml = kiosk::toToml(*c);
    auto again = kiosk::parseConfig(toml, "again.toml");
    if (!again || kiosk::toToml(*again) != toml) __builtin_trap();
    return 0;
}
