#include "training/syllabus.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace training {

std::span<const CourseModule> badgeCourseSyllabus() {
    // The defaults of the product brief (product.md §2): six subjects of two hours, and the badge itself.
    static const std::vector<CourseModule> kSyllabus{
        {"ethics", "职业道德", "Professional ethics", 120, true},
        {"etiquette", "文明礼仪", "Etiquette", 120, true},
        {"legal", "法律常识", "Legal basics", 120, true},
        {"safety", "安全知识", "Safety knowledge", 120, true},
        {"appliance", "电器操作与安全", "Appliance operation and safety", 120, true},
        {"homecare", "家庭照料", "Home care", 120, true},
        {"badge", "上门服务证", "The home-service badge", 60, true},
    };
    return kSyllabus;
}

const CourseModule* findCourseModule(std::span<const CourseModule> modules, std::string_view code) {
    auto it = std::ranges::find(modules, code, &CourseModule::code);
    return it == modules.end() ? nullptr : &*it;
}

std::string courseModuleLabel(std::span<const CourseModule> modules, std::string_view code) {
    const CourseModule* m = findCourseModule(modules, code);
    return m ? std::string(code) + " (" + m->nameZh + ")" : std::string(code);
}

}  // namespace training
