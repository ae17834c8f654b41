// The signed QR payload: "HSB1:" + base45(record | Ed25519 signature).
#include "training/badge_code.hpp"

#include <fmt/format.h>

#include "training/validation.hpp"

namespace training {
namespace {

constexpr std::string_view kBase45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
constexpr std::uint8_t kRecordVersion = 1;
constexpr std::size_t kSignatureSize = 64;

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

Result<Decoded> decode(std::string_view text) {
    const auto bad = [](std::string_view what) {
        return fail(ErrorCode::InvalidInput,
                    fmt::format("not a badge code ({}); scan the QR code on the certificate or badge again", what));
    };
    // QR readers sometimes add white space or a line end.
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
    while (!text.empty() && (text.front() == ' ' || text.front() == '\n')) text.remove_prefix(1);
    if (!text.starts_with(kBadgePrefix)) {
        if (text.starts_with("HSB") && text.size() > 4 && text[4] == ':')
            return bad(fmt::format("version {} is not supported by this program", text.substr(3, 1)));
        return bad("it does not start with HSB1:");
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
    d.fields = BadgeFields{*center, *number, *name, *masked, *course, fromDays(*issued), fromDays(*expires)};
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

Result<std::string> encodeBadgePayload(const BadgeFields& f, const CenterKey& key) {
    std::vector<std::uint8_t> record;
    record.push_back(kRecordVersion);
    const auto put = [&](const std::string& s, FieldLimit limit) -> Result<void> {
        if (s.size() > limit.max)
            return fail(ErrorCode::InvalidInput,
                        fmt::format("the {} '{}' is too long for the badge QR code ({} bytes, at most {}); shorten it",
                                    limit.what, s, s.size(), limit.max));
        record.push_back(static_cast<std::uint8_t>(s.size()));
        record.insert(record.end(), s.begin(), s.end());
        return {};
    };
    if (f.centerId != key.centerId())
        return fail(ErrorCode::InvalidInput, fmt::format("the payload names center {} but the key is center {}'s",
                                                         f.centerId, key.centerId()));
    for (auto r : {put(f.centerId, kCenterLimit), put(f.certificateNumber, kNumberLimit), put(f.name, kNameLimit),
                   put(f.maskedId, kMaskedLimit), put(f.courseCode, kCourseLimit)})
        if (!r) return propagate(r);
    for (const auto* date : {&f.issueDate, &f.expiryDate}) {
        auto days = toDays(*date);
        if (!days)
            return fail(ErrorCode::InvalidInput,
                        fmt::format("the date '{}' cannot go into a badge code (YYYY-MM-DD from 1970-01-01 to 2149-06-06)", *date));
        record.push_back(static_cast<std::uint8_t>(*days >> 8));
        record.push_back(static_cast<std::uint8_t>(*days & 0xFF));
    }
    std::vector<std::uint8_t> signedPart(kBadgePrefix.begin(), kBadgePrefix.end());
    signedPart.insert(signedPart.end(), record.begin(), record.end());
    const auto sig = key.sign(signedPart);
    record.insert(record.end(), sig.begin(), sig.end());
    std::string text(kBadgePrefix);
    text += base45Encode(record);
    return text;
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
    const CenterPublicKey* key = nullptr;
    for (const auto& k : trusted)
        if (k.centerId == f.centerId) key = &k;
    if (!key) {
        v.verdict = BadgeVerdict::UnknownCenter;
        v.message = fmt::format("issued by center '{}', whose key is not trusted here; import its public key with "
                                "'kioskctl key trust FILE' to check it",
                                f.centerId);
        return v;
    }
    if (!verifySignature(key->key, d->signedPart, d->signature)) {
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
