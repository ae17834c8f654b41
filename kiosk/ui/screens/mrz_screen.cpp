// Passport on the reader: the MRZ key (document number, date of birth, date of expiry) typed on an
// on-screen Latin/digit keyboard, then the chip read with BAC on a device thread (never in a frame).
#include <chrono>
#include <thread>

#include "devices/id/emrtd.hpp"
#include "ui/lookup.hpp"
#include "ui/screens/common.hpp"

namespace kiosk::ui {
namespace {

constexpr const char* kLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

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
    c.method = p.pa.verdict == devices::id::PaVerdict::Trusted ? "chip-pa" : "chip";
    return c;
}

class MrzScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::Mrz; }
    ~MrzScreen() override {
        if (m_reader.joinable()) m_reader.join();
    }
    void enter(Context& ctx) override {
        if (m_reader.joinable()) m_reader.join();
        m_field = 0;
        m_values = {"", "", ""};
        m_reading = false;
        ctx.say("mrz.prompt");
    }
    void onEvent(Context& ctx, const Event& e) override {
        if (const auto* c = std::get_if<CardInserted>(&e)) {
            m_reading = false;
            identifyByDocument(ctx, c->identity.docNumber, *c);
        } else if (const auto* f = std::get_if<CardFailed>(&e)) {
            m_reading = false;
            ctx.setError(f->message);
        } else if (std::holds_alternative<CardRemoved>(e) && !m_reading) {
            ctx.emit(Intent::Logout);
        }
    }
    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        ui.heading(ctx.tr("mrz.title"));
        ui.text(ctx.tr("mrz.prompt"), nullptr, theme::kMuted);
        static constexpr const char* kLabels[3] = {"mrz.number", "mrz.birth", "mrz.expiry"};
        static constexpr const char* kIds[3] = {"mrz-number", "mrz-birth", "mrz-expiry"};
        for (int i = 0; i < 3; ++i) {
            ImGui::PushID(i);
            if (ui.button(std::string(kIds[i]) + "-select", ctx.tr(kLabels[i]), {300, 76},
                          i == m_field ? Kind::Selected : Kind::Secondary))
                m_field = i;
            ImGui::SameLine();
            ui.field(kIds[i], m_values[static_cast<std::size_t>(i)], i == 0 ? "L898902C3" : "YYMMDD", 420);
            ImGui::PopID();
        }
        auto& v = m_values[static_cast<std::size_t>(m_field)];
        if (m_field == 0) {
            // Latin letters on one row block, digits on the keypad beside.
            ImGui::BeginGroup();
            for (int i = 0; i < 26; ++i) {
                if (i % 9 != 0) ImGui::SameLine();
                const std::string k(1, kLetters[i]);
                ImGui::PushID(100 + i);
                if (ui.button("key-" + k, k, {64, 64}, Kind::Secondary, v.size() < 9)) v += k;
                ImGui::PopID();
            }
            ImGui::EndGroup();
            ImGui::SameLine(0, 24);
        }
        ImGui::BeginGroup();
        ui.keypad(v, m_field == 0 ? 9 : 6, false, 360);
        ImGui::EndGroup();
        ImGui::SameLine(0, 24);
        ImGui::BeginGroup();
        const bool ready = !m_values[0].empty() && m_values[1].size() == 6 && m_values[2].size() == 6 && !m_reading;
        if (ui.button("read", ctx.tr(m_reading ? "mrz.reading" : "mrz.read"), {300, 140}, Kind::Primary, ready))
            read(ctx);
        if (ui.button("back", ctx.tr("common.back"), {300, 0}, Kind::Secondary)) ctx.emit(Intent::Logout);
        ImGui::EndGroup();
    }

private:
    void read(Context& ctx) {
        if (m_reader.joinable()) m_reader.join();
        m_reading = true;
        ctx.setError({});
        const devices::id::MrzKey key{m_values[0], m_values[1], m_values[2]};
        devices::id::PassportReadOptions options;
        if (!ctx.config.cardReader.cscaDir.empty()) options.cscaDir = ctx.config.cardReader.cscaDir;
        m_reader = std::thread([key, options, reader = ctx.session.cardReader, post = ctx.post] {
            auto p = devices::id::readPassportFromReader(reader, key, options, std::chrono::milliseconds(2000));
            if (p)
                post(fromPassport(*p));
            else
                post(CardFailed{p.error().message});
        });
    }

    int m_field{0};
    std::array<std::string, 3> m_values;
    bool m_reading{false};
    std::thread m_reader;
};

}  // namespace

std::unique_ptr<Screen> makeMrzScreen() { return std::make_unique<MrzScreen>(); }

}  // namespace kiosk::ui
