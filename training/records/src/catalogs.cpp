#include "training/catalogs.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>

namespace training {
namespace {

constexpr std::array<CatalogEntry, 8> kServiceTypes{{
    {"cleaning", "保洁", "Cleaning"},
    {"housekeeping", "家务服务", "Housekeeping"},
    {"cooking", "烹饪", "Cooking"},
    {"nanny", "育婴育儿", "Nanny / childcare"},
    {"maternity", "母婴护理", "Maternity and newborn care"},
    {"elder-care", "养老护理", "Elder care"},
    {"patient-care", "病患陪护", "Patient care"},
    {"appliance-care", "家电清洗维护", "Appliance cleaning and care"},
}};

constexpr std::array<CatalogEntry, 7> kEducation{{
    {"primary", "小学", "Primary school"},
    {"junior", "初中", "Junior secondary"},
    {"senior", "高中", "Senior secondary"},
    {"vocational", "中专/职高", "Vocational secondary"},
    {"college", "大专", "College"},
    {"bachelor", "本科", "Bachelor"},
    {"postgraduate", "研究生", "Postgraduate"},
}};

}  // namespace

std::span<const CatalogEntry> serviceTypes() noexcept { return kServiceTypes; }
std::span<const CatalogEntry> educationLevels() noexcept { return kEducation; }

Result<void> checkCatalogCode(std::span<const CatalogEntry> catalog, std::string_view code, std::string_view what) {
    if (std::ranges::find(catalog, code, &CatalogEntry::code) != catalog.end()) return {};
    std::string allowed;
    for (const auto& e : catalog) {
        if (!allowed.empty()) allowed += ", ";
        allowed += e.code;
    }
    return fail(ErrorCode::InvalidInput, fmt::format("'{}' is not a known {}; use one of: {}", code, what, allowed));
}

}  // namespace training
