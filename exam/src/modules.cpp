#include "exam/modules.hpp"

#include <algorithm>
#include <array>

namespace exam {
namespace {

constexpr std::array<ModuleInfo, 7> kModules{{
    {"ethics", "职业道德", "Professional ethics", 120, true},
    {"etiquette", "文明礼仪", "Etiquette", 120, true},
    {"legal", "法律常识", "Legal basics", 120, true},
    {"safety", "安全知识", "Safety knowledge", 120, true},
    {"appliance", "电器操作与安全", "Appliance operation and safety", 120, true},
    {"homecare", "家庭照料", "Home care", 120, true},
    {"badge", "上门服务证", "The home-service badge", 60, true},
}};

}  // namespace

std::span<const ModuleInfo> badgeModules() noexcept { return kModules; }

std::optional<ModuleInfo> findModule(std::string_view code) noexcept {
    auto it = std::ranges::find(kModules, code, &ModuleInfo::code);
    if (it == kModules.end()) return std::nullopt;
    return *it;
}

}  // namespace exam
