#pragma once
// Checked fields of JSON that comes from outside (files, another center, a server): a field of the wrong type is
// an error that names it, never a nlohmann::json::type_error (which would abort kioskctl).

#include <fmt/format.h>

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace training::jsonfields {

/// The JSON type a field must have when it is present.
enum class Kind { String, Integer, Number, Boolean, Array, Object };

/// One field of an object and its type.
struct Field {
    const char* name;
    Kind kind;
};

inline const char* kindText(Kind k) {
    switch (k) {
        case Kind::String: return "a string";
        case Kind::Integer: return "a whole number";
        case Kind::Number: return "a number";
        case Kind::Boolean: return "true or false";
        case Kind::Array: return "a list";
        case Kind::Object: return "an object";
    }
    return "?";
}

inline bool hasKind(const nlohmann::json& v, Kind k) {
    switch (k) {
        case Kind::String: return v.is_string();
        case Kind::Integer: return v.is_number_integer();
        case Kind::Number: return v.is_number();
        case Kind::Boolean: return v.is_boolean();
        case Kind::Array: return v.is_array();
        case Kind::Object: return v.is_object();
    }
    return false;
}

/// The first of @p fields that @p obj has with another type, as "field X must be a string" (with @p where before
/// the field name, e.g. "revoked[3]."); nullopt when each present field has its type (absent fields are the
/// caller's business). @p obj that is not an object is reported as such.
inline std::optional<std::string> mistyped(const nlohmann::json& obj, std::initializer_list<Field> fields,
                                           const std::string& where = {}) {
    if (!obj.is_object())
        return where.empty() ? std::string("the file is not a JSON object")
                             : fmt::format("{} must be an object", where.substr(0, where.size() - 1));
    for (const auto& f : fields) {
        const auto it = obj.find(f.name);
        if (it != obj.end() && !hasKind(*it, f.kind))
            return fmt::format("field {}{} must be {}", where, f.name, kindText(f.kind));
    }
    return std::nullopt;
}

}  // namespace training::jsonfields
