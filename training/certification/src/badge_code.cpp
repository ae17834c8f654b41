// The signed badge code: version 2 as decimal digits (QR numeric mode), usually in a verification URL's fragment;
// version 1 ("HSB1:" + base45) is still read.
#include "training/badge_code.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "training/validation.hpp"

namespace training {
namespace {

constexpr std::string_view kBase45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
constexpr std::uint8_t kRecordVersion = 1;
constexpr std::uint8_t kRecordVersion2 = 2;
constexpr std::size_t kSignatureSize = 64;
/// Signed before the version-2 record (never transmitted): a version-2 signature can't pass for another format's.
constexpr std::string_view kSignedPrefix2 = "HSB2:";
/// Digits for a final group of 0..6 bytes; a full group of 7 bytes takes 17 digits.
constexpr std::array<std::size_t, 7> kGroupDigits{0, 3, 5, 8, 10, 13, 15};
constexpr std::uint8_t kStructuredNumber = 0xFF;  ///< number byte: CENTER-YYYY-NNNNNN follows as u16 year, u24 seq
constexpr std::uint8_t kMaskedRun = 0x80;         ///< masked-ID byte flag: low 7 bits = stars, then head, tail

struct FieldLimit {
    std::string_view what;
    std::size_t max;
};
constexpr FieldLimit kCenterLimit{"center id", 16};
constexpr FieldLimit kNumberLimit{"certificate number", 24};
constexpr FieldLimit kNameLimit{"name", 48};
constexpr FieldLimit kMaskedLimit{"masked ID number", 24};
constexpr FieldLimit kCourseLimit{"course code", 16};

std::optional<std::uint16_t> toDays(std::string_view date) {
    auto d = parseDate(date, "date");
    if (!d) return std::nullopt;
    const auto days = std::chrono::sys_days(*d).time_since_epoch().count();
    if (days < 0 || days > 0xFFFF) return std::nullopt;
    return static_cast<std::uint16_t>(days);
}

std::string fromDays(std::uint16_t days) {
    return formatDate(std::chrono::year_month_day(std::chrono::sys_days(std::chrono::days(days))));
}

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> data) : m_data(data) {}
    std::optional<std::uint8_t> byte() {
        if (m_pos >= m_data.size()) return std::nullopt;
        return m_data[m_pos++];
    }
    std::optional<std::string> str() {
        auto n = byte();
        if (!n || m_pos + *n > m_data.size()) return std::nullopt;
        std::string s(reinterpret_cast<const char*>(m_data.data() + m_pos), *n);
        m_pos += *n;
        return s;
    }
    std::optional<std::uint32_t> u24() {
        auto hi = u16();
        auto lo = byte();
        if (!hi || !lo) return std::nullopt;
        return (static_cast<std::uint32_t>(*hi) << 8) | *lo;
    }
    std::optional<std::string> bytes(std::size_t n) {
        if (m_pos + n > m_data.size()) return std::nullopt;
        std::string s(reinterpret_cast<const char*>(m_data.data() + m_pos), n);
        m_pos += n;
        return s;
    }
    std::optional<std::uint16_t> u16() {
        auto hi = byte();
        auto lo = byte();
        if (!hi || !lo) return std::nullopt;
        return static_cast<std::uint16_t>((*hi << 8) | *lo);
    }
    [[nodiscard]] std::size_t pos() const { return m_pos; }

private:
    std::span<const std::uint8_t> m_data;
    std::size_t m_pos{0};
};

struct Decoded {
    BadgeFields fields;
    std::vector<std::uint8_t> signedPart;  // prefix + record
    std::vector<std::uint8_t> signature;
};

Error badCode(std::string_view what) {
    return Error{ErrorCode::InvalidInput,
                 fmt::format("not a badge code ({}); scan the QR code on the certificate or badge again", what)};
}

/// Version 2: digits -> record | signature.
Result<Decoded> decode2(std::string_view digits) {
    const auto bad = [](std::string_view what) { return std::unexpected(badCode(what)); };
    auto bytes = numericDecode(digits);
    if (!bytes) return bad("the digits do not form a code");
    if (bytes->size() < 1 + kSignatureSize) return bad("too short");
    const std::size_t recordSize = bytes->size() - kSignatureSize;
    Reader r(std::span(bytes->data(), recordSize));
    auto version = r.byte();
    if (!version || *version != kRecordVersion2) return bad("unknown record version");
    Decoded d;
    auto center = r.str();
    if (!center) return bad("truncated record");
    std::optional<std::string> number;
    if (auto b = r.byte(); b && *b == kStructuredNumber) {
        auto year = r.u16();
        auto seq = r.u24();
        if (year && seq) number = fmt::format("{}-{:04}-{:06}", *center, *year, *seq);
    } else if (b && *b < 0x80) {
        number = r.bytes(*b);
    }
    auto name = r.str();
    std::optional<std::string> masked;
    if (auto b = r.byte(); b && (*b & kMaskedRun)) {
        auto head = r.str();
        auto tail = r.str();
        if (head && tail) masked = *head + std::string(*b & 0x7F, '*') + *tail;
    } else if (b) {
        masked = r.bytes(*b);
    }
    auto course = r.str();
    auto agency = r.u16();
    auto issued = r.u16();
    auto expires = r.u16();
    if (!number || !name || !masked || !course || !agency || !issued || !expires) return bad("truncated record");
    if (r.pos() != recordSize) return bad("unexpected bytes after the record");
    d.fields = BadgeFields{*center, *number, *name, *masked, *course, fromDays(*issued), fromDays(*expires), *agency};
    d.signedPart.assign(kSignedPrefix2.begin(), kSignedPrefix2.end());
    d.signedPart.insert(d.signedPart.end(), bytes->begin(), bytes->begin() + static_cast<std::ptrdiff_t>(recordSize));
    d.signature.assign(bytes->begin() + static_cast<std::ptrdiff_t>(recordSize), bytes->end());
    return d;
}

Result<Decoded> decode(std::string_view input) {
    const auto bad = [](std::string_view what) { return std::unexpected(badCode(what)); };
    const auto text = badgeCodeOf(input);
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) return decode2(text);
    if (!text.starts_with(kBadgePrefix)) {
        if (text.starts_with("HSB") && text.size() > 4 && text[4] == ':')
            return bad(fmt::format("version {} is not supported by this program", text.substr(3, 1)));
        return bad("neither a verification link nor a code of digits");
    }
    auto bytes = base45Decode(text.substr(kBadgePrefix.size()));
    if (!bytes) return bad("the body is not base45");
    if (bytes->size() < 1 + kSignatureSize) return bad("too short");
    const std::size_t recordSize = bytes->size() - kSignatureSize;
    Reader r(std::span(bytes->data(), recordSize));
    auto version = r.byte();
    if (!version || *version != kRecordVersion) return bad("unknown record version");
    Decoded d;
    auto center = r.str();
    auto number = r.str();
    auto name = r.str();
    auto masked = r.str();
    auto course = r.str();
    auto issued = r.u16();
    auto expires = r.u16();
    if (!center || !number || !name || !masked || !course || !issued || !expires) return bad("truncated record");
    if (r.pos() != recordSize) return bad("unexpected bytes after the record");
    d.fields = BadgeFields{*center, *number, *name, *masked, *course, fromDays(*issued), fromDays(*expires), 0};
    d.signedPart.assign(kBadgePrefix.begin(), kBadgePrefix.end());
    d.signedPart.insert(d.signedPart.end(), bytes->begin(), bytes->begin() + static_cast<std::ptrdiff_t>(recordSize));
    d.signature.assign(bytes->begin() + static_cast<std::ptrdiff_t>(recordSize), bytes->end());
    return d;
}

}  // namespace

std::string base45Encode(std::span<const std::uint8_t> data) {
    std::string out;
    out.reserve(data.size() / 2 * 3 + 2);
    std::size_t i = 0;
    for (; i + 2 <= data.size(); i += 2) {
        unsigned n = data[i] * 256u + data[i + 1];
        out += kBase45[n % 45];
        n /= 45;
        out += kBase45[n % 45];
        out += kBase45[n / 45];
    }
    if (i < data.size()) {
        const unsigned n = data[i];
        out += kBase45[n % 45];
        out += kBase45[n / 45];
    }
    return out;
}

std::optional<std::vector<std::uint8_t>> base45Decode(std::string_view text) {
    if (text.size() % 3 == 1) return std::nullopt;
    std::vector<unsigned> v;
    v.reserve(text.size());
    for (char c : text) {
        const auto p = kBase45.find(c);
        if (p == std::string_view::npos) return std::nullopt;
        v.push_back(static_cast<unsigned>(p));
    }
    std::vector<std::uint8_t> out;
    out.reserve(text.size() / 3 * 2 + 1);
    std::size_t i = 0;
    for (; i + 3 <= v.size(); i += 3) {
        const unsigned n = v[i] + v[i + 1] * 45 + v[i + 2] * 45 * 45;
        if (n > 0xFFFF) return std::nullopt;
        out.push_back(static_cast<std::uint8_t>(n >> 8));
        out.push_back(static_cast<std::uint8_t>(n & 0xFF));
    }
    if (i < v.size()) {
        const unsigned n = v[i] + v[i + 1] * 45;
        if (n > 0xFF) return std::nullopt;
        out.push_back(static_cast<std::uint8_t>(n));
    }
    return out;
}

std::string_view badgeVerdictName(BadgeVerdict v) noexcept {
    switch (v) {
        case BadgeVerdict::Valid: return "valid";
        case BadgeVerdict::BadSignature: return "bad-signature";
        case BadgeVerdict::UnknownCenter: return "unknown-center";
        case BadgeVerdict::Expired: return "expired";
        case BadgeVerdict::Revoked: return "revoked";
        case BadgeVerdict::Malformed: return "malformed";
    }
    return "malformed";
}

std::string numericEncode(std::span<const std::uint8_t> data) {
    std::string out;
    out.reserve(data.size() / 7 * 17 + 15);
    for (std::size_t i = 0; i < data.size(); i += 7) {
        const std::size_t n = std::min<std::size_t>(7, data.size() - i);
        std::uint64_t v = 0;
        for (std::size_t k = 0; k < n; ++k) v = (v << 8) | data[i + k];
        out += fmt::format("{:0{}}", v, n == 7 ? 17 : kGroupDigits[n]);
    }
    return out;
}

std::optional<std::vector<std::uint8_t>> numericDecode(std::string_view digits) {
    if (digits.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    const std::size_t rest = digits.size() % 17;
    const auto last = std::ranges::find(kGroupDigits, rest);
    if (last == kGroupDigits.end()) return std::nullopt;
    const auto lastBytes = static_cast<std::size_t>(last - kGroupDigits.begin());
    std::vector<std::uint8_t> out;
    out.reserve(digits.size() / 17 * 7 + lastBytes);
    for (std::size_t i = 0; i < digits.size();) {
        const std::size_t len = digits.size() - i >= 17 ? 17 : rest;
        const std::size_t n = len == 17 ? 7 : lastBytes;
        std::uint64_t v = 0;
        for (std::size_t k = 0; k < len; ++k) v = v * 10 + static_cast<std::uint64_t>(digits[i + k] - '0');
        if (v >> (8 * n)) return std::nullopt;  // more than n bytes: not a code this program wrote
        for (std::size_t k = n; k-- > 0;) out.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
        i += len;
    }
    return out;
}

std::string_view badgeCodeOf(std::string_view text) {
    // QR readers sometimes add white space or a line end.
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
    while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\r')) text.remove_prefix(1);
    if (const auto hash = text.find('#'); hash != std::string_view::npos &&
                                          (text.starts_with("https://") || text.starts_with("http://")))
        return text.substr(hash + 1);
    return text;
}

Result<std::string> checkVerifyUrl(std::string_view url) {
    const auto bad = [&](std::string_view why) {
        return fail(ErrorCode::InvalidInput,
                    fmt::format("'{}' cannot be the verification address ({}); give https://HOST/PATH, e.g. "
                                "https://verify.example.cn/v",
                                url, why));
    };
    if (!url.starts_with("https://")) return bad("it must start with https://");
    if (url.size() > 64) return bad("longer than 64 characters: the QR code would grow");
    for (char c : url) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7F || c == '#' || c == '?' || c == '"' || c == '<' || c == '>' || c == '\\')
            return bad("only printable ASCII without spaces, '#', '?', quotes, '<', '>' or '\\'");
    }
    const auto host = url.substr(8, url.find('/', 8) == std::string_view::npos ? std::string_view::npos
                                                                                : url.find('/', 8) - 8);
    if (host.empty() || host.find('.') == std::string_view::npos) return bad("no host name");
    return std::string(url);
}

std::string badgeQrText(std::string_view code, std::string_view verifyUrl) {
    if (verifyUrl.empty()) return std::string(code);
    return fmt::format("{}#{}", verifyUrl, code);
}

Result<std::string> encodeBadgeCode(const BadgeFields& f, const CenterKey& key) {
    std::vector<std::uint8_t> record;
    record.push_back(kRecordVersion2);
    const auto check = [&](const std::string& s, FieldLimit limit) -> Result<void> {
        if (s.size() > limit.max)
            return fail(ErrorCode::InvalidInput,
                        fmt::format("the {} '{}' is too long for the badge QR code ({} bytes, at most {}); shorten it",
                                    limit.what, s, s.size(), limit.max));
        return {};
    };
    const auto put = [&](std::string_view s) {
        record.push_back(static_cast<std::uint8_t>(s.size()));
        record.insert(record.end(), s.begin(), s.end());
    };
    if (f.centerId != key.centerId())
        return fail(ErrorCode::InvalidInput, fmt::format("the payload names center {} but the key is center {}'s",
                                                         f.centerId, key.centerId()));
    for (auto r : {check(f.centerId, kCenterLimit), check(f.certificateNumber, kNumberLimit), check(f.name, kNameLimit),
                   check(f.maskedId, kMaskedLimit), check(f.courseCode, kCourseLimit)})
        if (!r) return propagate(r);
    put(f.centerId);
    // The number: CENTER-YYYY-NNNNNN as issued here takes 6 bytes instead of its text.
    const std::string_view number = f.certificateNumber;
    const auto digitsAt = [&](std::size_t pos, std::size_t n) {
        return number.size() >= pos + n &&
               number.substr(pos, n).find_first_not_of("0123456789") == std::string_view::npos;
    };
    const std::size_t c = f.centerId.size();
    if (number.size() == c + 12 && number.starts_with(f.centerId) && number[c] == '-' && digitsAt(c + 1, 4) &&
        number[c + 5] == '-' && digitsAt(c + 6, 6) && number[c + 1] != '0') {
        const auto year = static_cast<unsigned>(std::stoul(std::string(number.substr(c + 1, 4))));
        const auto seq = static_cast<unsigned>(std::stoul(std::string(number.substr(c + 6, 6))));
        record.insert(record.end(), {kStructuredNumber, static_cast<std::uint8_t>(year >> 8),
                                     static_cast<std::uint8_t>(year & 0xFF), static_cast<std::uint8_t>(seq >> 16),
                                     static_cast<std::uint8_t>((seq >> 8) & 0xFF), static_cast<std::uint8_t>(seq & 0xFF)});
    } else {
        put(number);
    }
    put(f.name);
    // The masked ID: HEAD****TAIL as the number of stars, the head and the tail.
    const std::string_view masked = f.maskedId;
    const auto first = masked.find('*'), lastStar = masked.rfind('*');
    if (first != std::string_view::npos &&
        masked.substr(first, lastStar - first + 1).find_first_not_of('*') == std::string_view::npos) {
        record.push_back(static_cast<std::uint8_t>(kMaskedRun | (lastStar - first + 1)));
        put(masked.substr(0, first));
        put(masked.substr(lastStar + 1));
    } else {
        put(masked);
    }
    put(f.courseCode);
    const auto agency = f.agencyId > 0 && f.agencyId <= 0xFFFF ? static_cast<unsigned>(f.agencyId) : 0u;
    record.push_back(static_cast<std::uint8_t>(agency >> 8));
    record.push_back(static_cast<std::uint8_t>(agency & 0xFF));
    for (const auto* date : {&f.issueDate, &f.expiryDate}) {
        auto days = toDays(*date);
        if (!days)
            return fail(ErrorCode::InvalidInput,
                        fmt::format("the date '{}' cannot go into a badge code (YYYY-MM-DD from 1970-01-01 to 2149-06-06)", *date));
        record.push_back(static_cast<std::uint8_t>(*days >> 8));
        record.push_back(static_cast<std::uint8_t>(*days & 0xFF));
    }
    std::vector<std::uint8_t> signedPart(kSignedPrefix2.begin(), kSignedPrefix2.end());
    signedPart.insert(signedPart.end(), record.begin(), record.end());
    const auto sig = key.sign(signedPart);
    record.insert(record.end(), sig.begin(), sig.end());
    return numericEncode(record);
}

Result<std::string> encodeBadgePayload(const BadgeFields& f, const CenterKey& key) {
    auto code = encodeBadgeCode(f, key);
    if (!code) return code;
    return badgeQrText(*code, key.verifyUrl());
}

Result<BadgeFields> decodeBadgePayload(std::string_view text) {
    auto d = decode(text);
    if (!d) return propagate(d);
    return d->fields;
}

BadgeVerification verifyBadgePayload(std::string_view text, std::span<const CenterPublicKey> trusted,
                                     const RevocationLookup& revoked, std::chrono::year_month_day today) {
    BadgeVerification v;
    auto d = decode(text);
    if (!d) {
        v.verdict = BadgeVerdict::Malformed;
        v.message = d.error().message;
        return v;
    }
    v.fields = d->fields;
    const auto& f = d->fields;
    // Every key of the center (its current one, and earlier ones kept for what they signed); a revoked key no more.
    const auto check = checkCenterSignature(trusted, f.centerId, d->signedPart, d->signature);
    if (check.outcome == KeyCheck::Outcome::UnknownCenter) {
        v.verdict = BadgeVerdict::UnknownCenter;
        v.message = fmt::format("issued by center '{}', whose key is not trusted here; import its public key with "
                                "'kioskctl key trust FILE' to check it",
                                f.centerId);
        return v;
    }
    if (check.outcome == KeyCheck::Outcome::RevokedKey) {
        v.verdict = BadgeVerdict::BadSignature;
        v.message = fmt::format("signed with a revoked key: {}; do not accept it (the holder must get a new "
                                "certificate)",
                                check.revokedText());
        return v;
    }
    if (check.outcome != KeyCheck::Outcome::Verified) {
        v.verdict = BadgeVerdict::BadSignature;
        v.message = fmt::format("the signature does not match center {}'s key: the code was altered or forged; do "
                                "not accept it",
                                f.centerId);
        return v;
    }
    if (revoked) {
        if (auto reason = revoked(f.centerId, f.certificateNumber)) {
            v.verdict = BadgeVerdict::Revoked;
            v.revocationReason = *reason;
            v.message = fmt::format("certificate {} was revoked: {}", f.certificateNumber, *reason);
            return v;
        }
    }
    if (std::chrono::sys_days(today) > std::chrono::sys_days(*parseDate(f.expiryDate, "expiry date"))) {
        v.verdict = BadgeVerdict::Expired;
        v.message = fmt::format("certificate {} expired on {}; the holder must renew it", f.certificateNumber,
                                f.expiryDate);
        return v;
    }
    v.verdict = BadgeVerdict::Valid;
    v.message = fmt::format("certificate {} of {} ({}), issued {} by center {}, valid until {}",
                            f.certificateNumber, f.name, f.maskedId, f.issueDate, f.centerId, f.expiryDate);
    return v;
}

}  // namespace training
