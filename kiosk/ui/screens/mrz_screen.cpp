// Passport on the reader: the MRZ key (document number, date of birth, date of expiry) typed on an
// on-screen Latin/digit keyboard, then the chip read with BAC on a device thread (never in a frame).
#include <algorithm>
#include <array>
#include <chrono>
#include <string_view>
#include <utility>

#include "devices/id/emrtd.hpp"
#include "kiosk/config.hpp"
#include "ui/format.hpp"
#include "ui/lookup.hpp"
#include "runtime/task_runner.hpp"
#include "ui/screens/common.hpp"

namespace kiosk::ui {
namespace {

/// YYMMDD -> YYYY-MM-DD (birth dates: a two-digit year after this year's is the previous century).
std::string isoDate(const std::string& yymmdd, bool birth) {
    if (yymmdd.size() != 6 || yymmdd.find('<') != std::string::npos) return {};
    const int yy = std::stoi(yymmdd.substr(0, 2));
    const auto today = std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()));
    const int nowYy = static_cast<int>(today.year()) % 100;
    const int century = birth ? (yy > nowYy ? 1900 : 2000) : 2000;
    return std::to_string(century + yy) + "-" + yymmdd.substr(2, 2) + "-" + yymmdd.substr(4, 2);
}

CardInserted fromPassport(const devices::id::PassportData& p) {
    CardInserted c;
    auto& id = c.identity;
    id.docType = training::DocumentType::Passport;
    id.docNumber = p.mrz.documentNumber;
    id.issuingState = p.mrz.issuingState;
    id.name = p.mrz.surname + (p.mrz.givenNames.empty() ? "" : " " + p.mrz.givenNames);
    id.nameLatin = id.name;
    id.sex = p.mrz.sex == "F" ? training::Sex::Female : p.mrz.sex == "M" ? training::Sex::Male : training::Sex::Unknown;
    if (auto b = isoDate(p.mrz.birthDate, true); !b.empty()) id.birthDate = b;
    if (auto e = isoDate(p.mrz.expiryDate, false); !e.empty()) id.idValidUntil = e;
    id.nationality = p.mrz.nationality;
    if (p.face) c.chipPhoto.assign(p.face->data.begin(), p.face->data.end());
    // Only a chip that chains to an installed CSCA is "chip-pa"; an untrusted or absent security object is
    // "chip" (staff confirm the document). A refused chip (paRefused) never gets here.
    c.method = p.pa.verdict == devices::id::PaVerdict::Trusted ? "chip-pa" : "chip";
    return c;
}

/// Whether a chip read is refused outright (CardFailed "pa-invalid") rather than identified.
bool paRefused(const devices::id::PaResult& pa) {
    // An issuer whose CSCA is not installed proves nothing either way: staff confirm such a document. Every other
    // failure (a data group that is not what was signed, a bad signature, an expired or broken chain) means the
    // chip's data cannot be believed.
    return pa.verdict == devices::id::PaVerdict::Invalid && pa.reason != "unknown issuer";
}

class MrzScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::Mrz; }
    void enter(Context& ctx) override {
        m_field = 0;
        m_values = {"", "", ""};
        m_reading = false;
        m_failed = false;
        m_backDuringRead = false;
        ctx.say("mrz.prompt");
    }
    void leave(Context&) override { m_lookup.reset(); }
    void onEvent(Context& ctx, const Event& e) override {
        if (const auto* c = std::get_if<CardInserted>(&e)) {
            m_reading = false;
            m_lookup = identifyByDocument(ctx, c->identity.docNumber, *c);
        } else if (const auto* f = std::get_if<CardFailed>(&e)) {
            m_reading = false;
            m_failed = true;
            ctx.setError(cardFailureText(ctx, *f));
            if (f->code == "pa-invalid") auditRefusal(ctx, m_values[0], f->message);
            // The document was put back before the failed read reported (the reader thread may take a while to
            // give up): read it again now, keeping the explanation on screen until that read ends.
            if (std::exchange(m_backDuringRead, false) && ready()) read(ctx, false);
        } else if (const auto* d = std::get_if<CardDetected>(&e)) {
            // The document is back after a failed read (e.g. pulled mid-read): read it again with the typed key.
            ctx.session.cardReader = d->reader;
            if (m_reading)
                m_backDuringRead = true;
            else if (m_failed && ready())
                read(ctx, false);
        } else if (std::holds_alternative<CardRemoved>(e) && m_reading) {
            m_backDuringRead = false;  // it left (again) while the read runs
        } else if (std::holds_alternative<CardRemoved>(e) && !m_reading && !m_failed) {
            // (After a failure the explanation stays on screen until the document is back or Back is tapped.)
            ctx.emit(Intent::Logout);
        }
    }
    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        ui.heading(ctx.tr("mrz.title"));
        ui.text(ctx.tr("mrz.prompt"), nullptr, theme::kMuted);
        ImGui::Dummy({0, 8});
        // Landscape: the three fields one under the other on the left, the keyboard beside them. Otherwise the
        // fields side by side when each gets enough room (else one under the other), the keyboard under them.
        static constexpr const char* kLabels[3] = {"mrz.number", "mrz.birth", "mrz.expiry"};
        static constexpr const char* kIds[3] = {"mrz-number", "mrz-birth", "mrz-expiry"};
        static constexpr const char* kHints[3] = {"mrz.number_hint", "mrz.birth_hint", "mrz.expiry_hint"};
        const float avail = ImGui::GetContentRegionAvail().x;
        const float gap = 24;
        const float keyboardW = std::min(keyboardWidth(kKey), avail);
        const bool beside = avail >= kBesideWidth && avail - keyboardW - gap >= 360;
        const bool row = !beside && (avail - 2 * gap) / 3 >= 300;
        const float colW = beside ? avail - keyboardW - gap : row ? (avail - 2 * gap) / 3 : avail;
        ImGui::BeginGroup();
        for (int i = 0; i < 3; ++i) {
            if (i > 0 && row) ImGui::SameLine(0, gap);
            if (hintedLabelledField(ui, std::string(kIds[i]) + "-select", ctx.tr(kLabels[i]),
                                    m_values[static_cast<std::size_t>(i)], ctx.tr(kHints[i]), colW, i == m_field))
                m_field = i;
        }
        ImGui::EndGroup();
        if (beside) ImGui::SameLine(0, gap);
        ImGui::BeginGroup();
        keyboard(ui, m_values[static_cast<std::size_t>(m_field)], m_field == 0 ? 9 : 6, m_field == 0,
                 keyWidth(keyboardW));
        ImGui::EndGroup();

        screenActions(ctx,
                      FooterAction{"back", ctx.tr("common.back"), [&ctx] { ctx.emit(Intent::Logout); }, true,
                                   Kind::Secondary},
                      FooterAction{"read", ctx.tr(m_reading ? "mrz.reading" : "mrz.read"), [this, &ctx] { read(ctx); },
                                   ready() && !m_reading, Kind::Primary});
    }

private:
    [[nodiscard]] bool ready() const {
        return !m_values[0].empty() && m_values[1].size() == 6 && m_values[2].size() == 6;
    }
    /// Available width from which the keyboard stands beside the fields (landscape) rather than under them.
    static constexpr float kBesideWidth = 1000.0f;
    static constexpr float kKey = 64.0f;     ///< Key width when there is room (keys are 60 high).
    static constexpr float kKeyGap = 8.0f;
    /// Width of the ten-key rows with keys @p key wide.
    static constexpr float keyboardWidth(float key) { return 10 * key + 9 * kKeyGap; }
    /// The widest key (at most kKey) whose rows fit in @p width.
    static float keyWidth(float width) { return std::clamp((width - 9 * kKeyGap) / 10, 40.0f, kKey); }

    /// A compact Latin/digit keyboard in four rows (digits, then QWERTY letters, backspace and clear):
    /// keys @p keyW wide and 60 px high, ids key-<character>, key-back, key-clear. Letters are disabled for the
    /// date fields.
    static void keyboard(Widgets& ui, std::string& v, std::size_t maxLen, bool letters, float keyW) {
        static constexpr std::array<std::string_view, 4> kRows{"1234567890", "QWERTYUIOP", "ASDFGHJKL<", "ZXCVBNM#"};
        const ImVec2 key{keyW, 60};
        ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, {kKeyGap, kKeyGap});
        for (std::size_t r = 0; r < kRows.size(); ++r) {
            for (std::size_t i = 0; i < kRows[r].size(); ++i) {
                if (i > 0) ImGui::SameLine();
                const char c = kRows[r][i];
                ImGui::PushID(static_cast<int>(r * 16 + i));
                if (c == '<') {
                    if (ui.button("key-back", "\xE2\x86\x90", key, Kind::Secondary, !v.empty())) v.pop_back();
                } else if (c == '#') {
                    if (ui.button("key-clear", "C", {keyW * 3 + 2 * kKeyGap, 60}, Kind::Secondary, !v.empty()))
                        v.clear();
                } else {
                    const bool digit = c >= '0' && c <= '9';
                    const std::string k(1, c);
                    if (ui.button("key-" + k, k, key, Kind::Secondary, v.size() < maxLen && (digit || letters)))
                        v += k;
                }
                ImGui::PopID();
            }
        }
        ImGui::PopStyleVar();
    }

    /// Reads the chip on a thread of its own. @p clearError false keeps the last failure's explanation shown
    /// while an automatic re-read runs.
    void read(Context& ctx, bool clearError = true) {
        m_reading = true;
        m_failed = false;
        if (clearError) ctx.setError({});
        const devices::id::MrzKey key{m_values[0], m_values[1], m_values[2]};
        devices::id::PassportReadOptions options;
        options.cscaDir = cscaDirectory(ctx.config);
        // Stamped with the session: when the person taps Back before the read ends, its result is dropped.
        const auto generation = ctx.backend.generation();
        m_reader.run([key, options, reader = ctx.session.cardReader, post = ctx.post, generation] {
            auto p = devices::id::readPassportFromReader(reader, key, options, std::chrono::milliseconds(2000));
            if (!p) {
                post(CardFailed{p.error().message, std::string(devices::errorCodeName(p.error().code)), generation});
            } else if (paRefused(p->pa)) {
                post(CardFailed{p->pa.reason + ": " + p->pa.detail, "pa-invalid", generation});
            } else {
                auto c = fromPassport(*p);
                c.generation = generation;
                post(std::move(c));
            }
        });
    }

    /// A chip that failed passive authentication is an audit row ("identity.rejected", reason pa-invalid).
    /// @p document is the typed passport number: the chip only answers to it.
    static void auditRefusal(Context& ctx, const std::string& document, const std::string& detail) {
        ctx.backend.submit(
            [document, reason = "pa-invalid: " + detail, actor = ctx.actor()](Records& r) -> training::Result<void> {
                std::optional<std::int64_t> worker;
                if (auto w = r.store.findWorkerByDocument(document)) worker = w->id;
                return r.store.recordIdentityRejected(worker, document, reason, actor);
            },
            [&ctx](training::Result<void> res) {
                if (!res) ctx.showError(res.error());
            });
    }

    JobHandle m_lookup;   ///< The look-up of the document read; dropped when the screen is left.
    int m_field{0};
    std::array<std::string, 3> m_values;
    bool m_reading{false};
    bool m_failed{false};  ///< The last read failed and its explanation is shown.
    bool m_backDuringRead{false};  ///< The document was detected again while a read was still running.
    TaskRunner m_reader;  ///< Reads the chip off the UI thread; never joined in a frame.
};

}  // namespace

std::unique_ptr<Screen> makeMrzScreen() { return std::make_unique<MrzScreen>(); }

}  // namespace kiosk::ui
