#include "training/uscc.hpp"

#include <array>
#include <cctype>
#include <fmt/format.h>

#include "training/text.hpp"

namespace training {
namespace {
constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";  // 31 characters
constexpr std::array<int, 17> kWeights{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
}  // namespace

char usccCheckCharacter(std::string_view first17) noexcept {
    int sum = 0;
    for (std::size_t i = 0; i < 17 && i < first17.size(); ++i) {
        const auto v = kAlphabet.find(first17[i]);
        sum += static_cast<int>(v == std::string_view::npos ? 0 : v) * kWeights[i];
    }
    const int check = (31 - sum % 31) % 31;
    return kAlphabet[static_cast<std::size_t>(check)];
}

Result<std::string> validateUscc(std::string_view input) {
    std::string code;
    for (char c : trim(input)) {
        if (c == ' ' || c == '-') continue;
        code.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    if (code.size() != 18)
        return fail(ErrorCode::InvalidInput,
                    fmt::format("a unified social credit code has 18 characters but this one has {}; copy it "
                                "from the agency's business licence",
                                utf8Length(code)));
    for (std::size_t i = 0; i < code.size(); ++i) {
        if (kAlphabet.find(code[i]) == std::string_view::npos)
            return fail(ErrorCode::InvalidInput,
                        fmt::format("character {} ('{}') cannot appear in a unified social credit code (the letters "
                                    "I, O, S, V and Z are never used); check what was typed",
                                    i + 1, code[i]));
    }
    for (std::size_t i = 2; i < 8; ++i) {
        if (code[i] < '0' || code[i] > '9')
            return fail(ErrorCode::InvalidInput,
                        "characters 3 to 8 of a unified social credit code are the region code and must be digits");
    }
    const char expected = usccCheckCharacter(std::string_view(code).substr(0, 17));
    if (code[17] != expected)
        return fail(ErrorCode::InvalidInput,
                    fmt::format("the check character of the unified social credit code does not match (it ends in "
                                "{}, the other characters give {}); a character was probably mistyped",
                                code[17], expected));
    return code;
}

}  // namespace training
