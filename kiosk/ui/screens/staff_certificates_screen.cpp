// Staff: the eligibility list of an exam sitting (product.md §5, the one rule in training/eligibility), with
// certificate and badge-card printing for the eligible and the submission batch to the network center.
// Issuing and rendering run on the database thread, printing on the print thread.
#include <algorithm>
#include <filesystem>
#include <map>

#include "training/center_key.hpp"
#include "training/certificates.hpp"
#include "training/documents.hpp"
#include "training/eligibility.hpp"
#include "training/submission.hpp"
#include "runtime/printing.hpp"
#include "ui/screens/common.hpp"

namespace kiosk::ui {
namespace {

struct Row {
    std::int64_t workerId{0};
    std::string name;
    std::string document;
    bool eligible{false};
    std::vector<training::UnmetCondition> unmet;
    std::optional<std::string> certificate;  ///< current certificate number
};

struct Sheet {
    std::vector<training::Sitting> sittings;
    std::int64_t sittingId{0};
    std::vector<Row> rows;
};

/// A rendered document waiting for the printer.
struct Rendered {
    std::string certificate;
    std::filesystem::path file;
};

class StaffCertificatesScreen final : public Screen {
public:
    ScreenId id() const override { return ScreenId::StaffCertificates; }
    void enter(Context& ctx) override {
        m_sheet.reset();
        m_status.clear();
        m_message.clear();
        load(ctx, 0);
    }
    void onEvent(Context& ctx, const Event& e) override {
        if (const auto* p = std::get_if<PrintDone>(&e)) {
            m_status[p->workerId] = p->ok ? format(ctx.tr("certs.printed"), {p->certificate})
                                          : format(ctx.tr("certs.print_failed"), {p->message});
            load(ctx, m_sheet ? m_sheet->sittingId : 0);  // the certificate number now shows
        }
    }
    void draw(Context& ctx) override {
        auto& ui = ctx.ui;
        ui.heading(ctx.tr("certs.title"));
        if (!m_sheet) {
            ui.text(ctx.tr("common.loading"));
        } else if (m_sheet->sittings.empty()) {
            ui.notice(ctx.tr("certs.no_sittings"));
        } else {
            drawSittings(ctx);
            drawRows(ctx);
        }
        if (!m_message.empty()) ui.text(m_message, nullptr, theme::kOk);
        staffBack(ctx);
        const bool any = m_sheet && std::ranges::any_of(m_sheet->rows, &Row::eligible);
        ctx.footer.primary = FooterAction{"print-all", ctx.tr("certs.print_all"),
                                          [this, &ctx] {
                                              for (const auto& r : m_sheet->rows)
                                                  if (r.eligible) print(ctx, r, training::DocumentKind::Certificate);
                                          },
                                          any && !m_busy, Kind::Primary, true};
        ctx.footer.secondary = FooterAction{"submit-batch", ctx.tr("certs.submit_batch"), [this, &ctx] { createBatch(ctx); },
                                            any && !m_busy, Kind::Secondary, true};
    }

private:
    void drawSittings(Context& ctx) {
        auto& ui = ctx.ui;
        ui.text(ctx.tr("certs.sitting"), ui.fonts().small(), theme::kMuted);
        int shown = 0;
        const float right = ImGui::GetContentRegionAvail().x;
        float x = 0;
        for (const auto& s : m_sheet->sittings) {
            if (shown++ == 4) break;  // the latest four: older lists through kioskctl
            ImGui::PushID(static_cast<int>(s.id));
            const std::string sid = std::to_string(s.id);
            const std::string label = "#" + sid + " " + s.title;
            // As wide as its title; the next one on a new row when the row is full.
            const float bw = std::min(right, std::max(290.0f, ImGui::CalcTextSize(label.c_str()).x + 56));
            const float gap = ImGui::GetStyle().ItemSpacing.x;
            if (shown > 1 && x + gap + bw <= right) {
                ImGui::SameLine();
                x += gap + bw;
            } else {
                x = bw;
            }
            if (ui.button("sitting-" + sid, label, {bw, 64}, s.id == m_sheet->sittingId ? Kind::Selected : Kind::Secondary,
                          !m_busy))
                load(ctx, s.id);
            ImGui::PopID();
        }
    }
    void drawRows(Context& ctx) {
        auto& ui = ctx.ui;
        ImGui::BeginChild("rows", {0, ImGui::GetContentRegionAvail().y - (m_message.empty() ? 0.0f : 60.0f)});
        if (m_sheet->rows.empty()) ui.notice(ctx.tr("certs.no_candidates"));
        int index = 0;
        const bool wide = ImGui::GetContentRegionAvail().x >= 1000;
        for (const auto& r : m_sheet->rows) {
            ImGui::PushID(static_cast<int>(r.workerId));
            const std::string wid = std::to_string(r.workerId);
            ListRow row(index++);
            ImGui::BeginGroup();
            // The buttons beside the text on a wide screen (the text keeps clear of them), below it otherwise.
            if (wide && r.eligible) ImGui::PushTextWrapPos(ImGui::GetContentRegionAvail().x - 580);
            ui.text(r.name + "  " + maskDocument(r.document), ui.fonts().large());
            if (r.eligible) {
                ui.text(r.certificate ? format(ctx.tr("certs.eligible_with"), {*r.certificate}) : ctx.tr("certs.eligible"),
                        nullptr, theme::kOk);
            } else {
                std::string why;
                for (const auto& u : r.unmet) why += (why.empty() ? "" : "；") + ctx.i18n.pick(u.worker.zh, u.worker.en);
                ui.text(ctx.tr("certs.not_eligible") + why, ui.fonts().small(), theme::kErrorText);
            }
            if (auto it = m_status.find(r.workerId); it != m_status.end())
                ui.text(it->second, ui.fonts().small(), theme::kMuted);
            if (wide && r.eligible) ImGui::PopTextWrapPos();
            ImGui::EndGroup();
            if (r.eligible) {
                if (wide) ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - 570);
                if (ui.guarded("print-cert-" + wid, ui.button("print-cert-" + wid, ctx.tr("certs.print_certificate"), {270, 64},
                                                             Kind::Primary, !m_busy)))
                    print(ctx, r, training::DocumentKind::Certificate);
                ImGui::SameLine();
                if (ui.guarded("print-badge-" + wid, ui.button("print-badge-" + wid, ctx.tr("certs.print_badge"), {270, 64},
                                                              Kind::Secondary, !m_busy)))
                    print(ctx, r, training::DocumentKind::Badge);
            }
            ImGui::PopID();
        }
        ImGui::EndChild();
    }

    /// Loads the sittings and the eligibility of @p sittingId's candidates (0: the latest sitting).
    void load(Context& ctx, std::int64_t sittingId) {
        m_busy = true;
        ctx.backend.submit(
            [sittingId](Records& r) -> training::Result<Sheet> {
                Sheet sheet;
                auto sittings = r.exams.listSittings();
                if (!sittings) return std::unexpected(sittings.error());
                sheet.sittings = std::move(*sittings);
                std::ranges::sort(sheet.sittings, std::ranges::greater{}, &training::Sitting::id);
                if (sheet.sittings.empty()) return sheet;
                sheet.sittingId = sittingId ? sittingId : sheet.sittings.front().id;
                auto reports = training::checkSittingEligibility(r.store, sheet.sittingId);
                if (!reports) return std::unexpected(reports.error());
                training::Certificates certs(r.store, nullptr);
                for (auto& rep : *reports) {
                    Row row;
                    row.workerId = rep.workerId;
                    row.eligible = rep.eligible;
                    row.unmet = std::move(rep.unmet);
                    if (auto w = r.store.worker(rep.workerId)) {
                        row.name = w->identity.name;
                        row.document = w->identity.docNumber;
                    }
                    if (auto c = certs.currentFor(rep.workerId, rep.courseId); c && *c) row.certificate = (*c)->number;
                    sheet.rows.push_back(std::move(row));
                }
                return sheet;
            },
            [this, &ctx](training::Result<Sheet> s) {
                m_busy = false;
                if (!s) {
                    ctx.showError(s.error());
                    if (!m_sheet) m_sheet.emplace();
                    return;
                }
                m_sheet = std::move(*s);
            });
    }

    /// Issues the certificate (idempotent) and renders the PDF on the database thread, then queues it for
    /// the printer.
    void print(Context& ctx, const Row& row, training::DocumentKind kind) {
        if (!ctx.printer) return;
        m_status[row.workerId] = ctx.tr("certs.printing");
        ctx.backend.submit(
            [wid = row.workerId, kind, actor = ctx.staffActor()](Records& r) -> training::Result<Rendered> {
                // The kiosk's own spool (mkdtemp, 0700), never a fixed name in /tmp another account could prepare.
                static const auto spool = makePrintSpool();
                if (!spool) return std::unexpected(spool.error());
                const auto dir = *spool;
                auto issued = r.center.issueAndRender(wid, std::nullopt, kind, dir / "document.pdf", actor);
                if (!issued) return std::unexpected(issued.error());
                // Named after the certificate once its number is known.
                const auto file = dir / (issued->certificate.number +
                                         (kind == training::DocumentKind::Badge ? "-badge" : "") + ".pdf");
                std::error_code ec;
                std::filesystem::rename(issued->file, file, ec);
                if (ec)
                    return training::fail(training::ErrorCode::Io,
                                          "cannot write the document in " + dir.string() + ": " + ec.message());
                return Rendered{issued->certificate.number, file};
            },
            [this, &ctx, wid = row.workerId](training::Result<Rendered> r) {
                if (!r) {
                    // Catalog text for a known reason (a protected key: sign at the clerk's PC), with the detail.
                    m_status[wid] = format(ctx.tr("certs.print_failed"), {errorText(ctx.i18n, r.error(), true)});
                    return;
                }
                ctx.printer->enqueue(PrintRequest{wid, r->certificate, r->file});
            });
    }

    /// Gathers the eligible workers not yet submitted into a signed batch beside the database.
    void createBatch(Context& ctx) {
        m_busy = true;
        ctx.backend.submit(
            [actor = ctx.staffActor()](Records& r) { return r.center.createSubmissionBatch(true, actor); },
            [this, &ctx](training::Result<training::CreateOutcome> out) {
                m_busy = false;
                if (!out) {
                    ctx.showError(out.error());
                    return;
                }
                m_message = out->batch ? format(ctx.tr("certs.batch_created"), {out->batch->code, std::to_string(out->added)})
                                       : ctx.tr("certs.batch_nothing_new");
                load(ctx, m_sheet ? m_sheet->sittingId : 0);
            });
    }

    std::optional<Sheet> m_sheet;
    std::map<std::int64_t, std::string> m_status;  ///< per worker: printing / printed / failed
    std::string m_message;
    bool m_busy{false};
};

}  // namespace

std::unique_ptr<Screen> makeStaffCertificatesScreen() { return std::make_unique<StaffCertificatesScreen>(); }

}  // namespace kiosk::ui
