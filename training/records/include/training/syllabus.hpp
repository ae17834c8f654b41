#pragma once
/// @file syllabus.hpp
/// @brief The badge course a new center starts with (product.md §2): its modules, their names and minutes.
///
/// This is seed data only: `Store::initCenter` writes it into the course tables, and from then on the course
/// data in the database is what every part of the system reads (`Store::course`). The exam engine knows no
/// syllabus; question banks and blueprints name module codes that the course must have.

#include <span>
#include <string>
#include <string_view>

#include "training/records.hpp"

namespace training {

/// @brief The seven modules of the home-service badge course, in syllabus order, as a new center gets them.
[[nodiscard]] std::span<const CourseModule> badgeCourseSyllabus();

/// @brief The module of @p modules with code @p code; null when the course has no such module.
[[nodiscard]] const CourseModule* findCourseModule(std::span<const CourseModule> modules, std::string_view code);

/// @brief "code (名称)" of @p code in @p modules for messages; the code alone when the course lacks it.
[[nodiscard]] std::string courseModuleLabel(std::span<const CourseModule> modules, std::string_view code);

}  // namespace training
