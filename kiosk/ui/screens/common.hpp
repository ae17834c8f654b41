#pragma once
/// @file common.hpp
/// @brief Small layout helpers shared by the screens.

#include <imgui.h>

#include <string>

#include "training/syllabus.hpp"
#include "training/validation.hpp"
#include "ui/screen.hpp"

namespace kiosk::ui {

/// @brief The module's name in the current language (the code when unknown).
inline std::string moduleName(const Context& ctx, std::string_view code) {
    const training::CourseModule* m = training::findCourseModule(ctx.syllabus, code);
    if (!m) return std::string(code);
    return ctx.i18n.language() == Language::En ? m->nameEn : m->nameZh;
}

/// @brief "HH:MM" local time of Unix seconds.
inline std::string clockTime(std::int64_t t) {
    const std::string s = training::formatLocalTime(t);  // "YYYY-MM-DD HH:MM"
    return s.size() >= 16 ? s.substr(11, 5) : s;
}

/// @brief A card failure for people: the catalog's sentence for its code (what to do, in the current
/// language), then the adapter's detail; the detail alone when the code has no catalog entry.
inline std::string cardFailureText(const Context& ctx, const CardFailed& f) {
    const std::string key = "card_error." + f.code;
    if (f.code.empty() || !ctx.i18n.catalog(ctx.i18n.language()).contains(key)) return f.message;
    return ctx.tr(key) + "\n" + f.message;
}

/// @brief Back (bottom left) and Finish (bottom right, or beside the screen's primary action) in the bottom bar.
inline void workerNav(Context& ctx, bool back = true) {
    if (back) ctx.footer.back = FooterAction{"back", ctx.tr("common.back"), [&ctx] { ctx.emit(Intent::Back); }, true,
                                             Kind::Secondary};
    FooterAction finish{"logout", ctx.tr("common.finish"), [&ctx] { ctx.emit(Intent::Logout); }, true, Kind::Secondary};
    if (ctx.footer.primary) ctx.footer.secondary = std::move(finish);
    else ctx.footer.primary = std::move(finish);
}

/// @brief Back to the staff home in the bottom bar (bottom left).
inline void staffBack(Context& ctx) {
    ctx.footer.back = FooterAction{"back", ctx.tr("common.back"), [&ctx] { ctx.emit(Intent::Back); }, true,
                                   Kind::Secondary};
}

}  // namespace kiosk::ui
