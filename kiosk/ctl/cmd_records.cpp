// kioskctl: init, check-id, agency, worker, staff.
#include <sodium.h>

#include <fmt/format.h>

#include "context.hpp"
#include "kiosk/config.hpp"
#include "training/catalogs.hpp"
#include "training/id_number.hpp"
#include "training/text.hpp"
#include "training/validation.hpp"

namespace kiosk::ctl {

using nlohmann::json;
using training::Result;

namespace {

/// A new staff PIN given in $KIOSK_NEW_STAFF_PIN (never an argument: arguments show in `ps`); "" when unset, and
/// the command then generates one and prints it once.
std::string newStaffPinFromEnvironment() {
    const char* pin = std::getenv("KIOSK_NEW_STAFF_PIN");
    return pin ? std::string(pin) : std::string();
}

template <typename T>
json optJson(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

std::string sexWord(training::Sex s) {
    switch (s) {
        case training::Sex::Female: return "female";
        case training::Sex::Male: return "male";
        default: return "unknown";
    }
}

/// Profile options shared by `worker add` and `worker update`.
struct ProfileOptions {
    std::optional<std::string> residencePermit, phone, address, serviceTypes, specialties, education, healthDate,
        healthResult, healthIssuer, insurancePolicy, insurer, insuranceUntil, agency;

    void add(CLI::App* cmd) {
        cmd->add_option("--residence-permit", residencePermit, "residence permit number");
        cmd->add_option("--phone", phone, "mobile or landline number");
        cmd->add_option("--address", address, "current address");
        cmd->add_option("--service-types", serviceTypes, "comma-separated service types (see 'worker add --help')");
        cmd->add_option("--specialties", specialties, "comma-separated specialties (free text)");
        cmd->add_option("--education", education, "education level code");
        cmd->add_option("--health-date", healthDate, "date of the health check (YYYY-MM-DD)");
        cmd->add_option("--health-result", healthResult, "health check result: pass or fail");
        cmd->add_option("--health-issuer", healthIssuer, "who performed the health check");
        cmd->add_option("--insurance-policy", insurancePolicy, "insurance policy number");
        cmd->add_option("--insurer", insurer, "insurance company");
        cmd->add_option("--insurance-until", insuranceUntil, "insurance valid until (YYYY-MM-DD)");
        cmd->add_option("--agency", agency, "employing agency: id, credit code or exact name");
    }

    Result<training::WorkerProfile> build(training::Store& store) const {
        training::WorkerProfile p;
        p.residencePermit = residencePermit;
        p.phone = phone;
        p.address = address;
        if (serviceTypes) p.serviceTypes = training::splitList(*serviceTypes);
        if (specialties) p.specialties = training::splitList(*specialties);
        p.education = education;
        p.healthCheckDate = healthDate;
        p.healthCheckResult = healthResult;
        p.healthCheckIssuer = healthIssuer;
        p.insurancePolicy = insurancePolicy;
        p.insurer = insurer;
        p.insuranceValidUntil = insuranceUntil;
        if (agency) {
            auto a = store.findAgency(*agency);
            if (!a) return std::unexpected(a.error());
            p.agencyId = a->id;
        }
        return p;
    }
};

std::string catalogHelp(std::span<const training::CatalogEntry> c) {
    std::string s;
    for (const auto& e : c) s += fmt::format("{}{} ({} {})", s.empty() ? "" : ", ", e.code, e.zh, e.en);
    return s;
}

/// The birth year of a YYYY-MM-DD date: shown beside a masked ID number instead of the date, which is exactly
/// what the mask hides (digits 7-14 of a China ID number).
std::string birthYear(const std::optional<std::string>& date) { return date ? date->substr(0, 4) : std::string(); }

std::string workerLine(const training::Worker& w) {
    return fmt::format("{:>6}  {:<12}  {:<20}  {:<3}  {:<10}  {}", w.id, w.identity.name,
                       training::maskIdNumber(w.identity.docNumber), training::sexCode(w.identity.sex),
                       birthYear(w.identity.birthDate), w.profile.phone.value_or(""));
}

}  // namespace

// ---------------------------------------------------------------- JSON views

json toJson(const training::Worker& w, bool reveal) {
    const auto& id = w.identity;
    const auto& p = w.profile;
    return json{
        {"id", w.id},
        {"doc_type", training::documentTypeName(id.docType)},
        {"doc_number", reveal ? id.docNumber : training::maskIdNumber(id.docNumber)},
        {"issuing_state", id.issuingState},
        {"name", id.name},
        {"name_latin", optJson(id.nameLatin)},
        {"sex", training::sexCode(id.sex)},
        // Masked: the year only (the full date is the part of the ID number the mask hides).
        {reveal ? "birth_date" : "birth_year", reveal ? optJson(id.birthDate) : optJson(
                                                                                   id.birthDate ? std::optional(birthYear(id.birthDate))
                                                                                                : std::nullopt)},
        {"nationality", optJson(id.nationality)},
        {"ethnicity", optJson(id.ethnicity)},
        {"id_valid_until", optJson(id.idValidUntil)},
        {"residence_permit", optJson(p.residencePermit)},
        {"phone", optJson(p.phone)},
        {"address", optJson(p.address)},
        {"service_types", p.serviceTypes.value_or(std::vector<std::string>{})},
        {"specialties", p.specialties.value_or(std::vector<std::string>{})},
        {"education", optJson(p.education)},
        {"health_check", {{"date", optJson(p.healthCheckDate)}, {"result", optJson(p.healthCheckResult)},
                          {"issuer", optJson(p.healthCheckIssuer)}}},
        {"insurance", {{"policy", optJson(p.insurancePolicy)}, {"insurer", optJson(p.insurer)},
                       {"valid_until", optJson(p.insuranceValidUntil)}}},
        {"agency_id", optJson(p.agencyId)},
        {"identity_verified", w.identityVerifiedAt.has_value()},
        {"identity_method", optJson(w.identityMethod)},
        {"face_verified", w.faceVerifiedAt.has_value()},
        {"face_score", optJson(w.faceScore)},
        {"created_at", training::formatUtc(w.createdAt)},
    };
}

json toJson(const training::Agency& a) {
    return json{{"id", a.id},           {"name", a.name}, {"uscc", a.uscc}, {"legal_representative", optJson(a.legalRepresentative)},
                {"address", optJson(a.address)}, {"licence_no", optJson(a.licenceNo)}};
}

json toJson(const training::Staff& s) {
    return json{{"id", s.id},
                {"name", s.name},
                {"role", training::roleName(s.role)},
                {"active", s.active},
                {"failed_attempts", s.failedAttempts},
                {"locked_until", s.lockedUntil ? json(training::formatUtc(*s.lockedUntil)) : json(nullptr)}};
}

Result<training::Worker> resolveWorker(training::Store& store, const std::string& key) { return store.findWorker(key); }

// ---------------------------------------------------------------- commands

void addRecordCommands(CLI::App& app, Action& action) {
    // init
    {
        auto* cmd = app.add_subcommand("init", "create the center database and the default badge course");
        auto center = std::make_shared<std::string>();
        auto code = std::make_shared<std::string>("C001");
        cmd->add_option("--center", *center, "the center's name")->required();
        cmd->add_option("--code", *code, "the center's short code used on certificates and badges");
        auto protectKey = std::make_shared<bool>(false);
        cmd->add_flag("--protect-key", *protectKey,
                      "seal the center key under a passphrase (KIOSK_KEY_PASSPHRASE or typed twice; at least 12 "
                      "characters); every signing command then asks for it");
        cmd->callback([&action, center, code, protectKey] {
            action = [center, code, protectKey](Context& ctx) {
                auto store = ctx.openStore(true);
                if (!store) return ctx.failWith(store.error());
                auto c = (*store)->initCenter(*code, *center, ctx.actor);
                // Running init again for the same center completes what an earlier run could not (the
                // signing key, when its folder was not writable); another center is refused.
                bool again = false;
                if (!c && c.error().code == training::ErrorCode::Refused) {
                    auto existing = (*store)->center();
                    if (existing && existing->code == *code && existing->name == *center) {
                        c = *existing;
                        again = true;
                    }
                }
                if (!c) return ctx.failWith(c.error());
                if (auto key = initCenterKey(ctx, **store, *protectKey); !key) {
                    auto e = key.error();
                    e.message += "; the center record is saved: fix this, then run the same 'kioskctl init' again";
                    return ctx.failWith(e);
                }
                // The first administrator, whose PIN is shown this once (kioskctl then signs in with --staff).
                json admin = nullptr;
                auto staff = (*store)->listStaff();
                if (!staff) return ctx.failWith(staff.error());
                if (staff->empty()) {
                    const auto pin = fmt::format("{:06}", randombytes_uniform(900000) + 100000);
                    auto s = (*store)->addStaff("管理员 Administrator", training::Role::Admin, pin, ctx.actor);
                    if (!s) return ctx.failWith(s.error());
                    admin = json{{"id", s->id}, {"name", s->name}, {"role", "admin"}, {"pin", pin}};
                }
                // The file, or the server and database of a URI (never its password).
                const auto path = (*store)->database().path().string();
                const auto keyPath = ctx.paths().key.string();
                return ctx.ok(json{{"ok", true}, {"center", {{"code", c->code}, {"name", c->name}}}, {"db", path},
                                   {"key", keyPath}, {"already_initialised", again}, {"admin", admin}},
                              fmt::format("{} center '{}' ({}) in {}\ncenter key: {}{}",
                                          again ? "already initialised:" : "initialised", c->name, c->code, path,
                                          keyPath,
                                          admin.is_null() ? std::string()
                                                          : fmt::format("\nadministrator: staff {}, PIN {} (shown once; "
                                                                        "write it down; kioskctl --staff {} signs in)",
                                                                        admin["id"].get<std::int64_t>(),
                                                                        admin["pin"].get<std::string>(),
                                                                        admin["id"].get<std::int64_t>())));
            };
        });
    }
    // check-id
    {
        auto* cmd = app.add_subcommand("check-id", "check a China resident ID number (GB 11643-1999)");
        auto number = std::make_shared<std::string>();
        cmd->add_option("NUMBER", *number, "the 18-digit (or old 15-digit) number")->required();
        cmd->callback([&action, number] {
            action = [number](Context& ctx) {
                training::SystemClock clock;
                auto info = training::parseChinaId(*number, training::localDate(clock.now()));
                if (!info) {
                    if (ctx.json) std::cout << json{{"valid", false}, {"reason", info.error().message}}.dump(2) << "\n";
                    else std::cout << "valid: no\nreason: " << info.error().message << "\n";
                    return kExitUser;
                }
                json j{{"valid", true},
                       {"number", info->number},
                       {"masked", training::maskIdNumber(info->number)},
                       {"birth_date", training::formatDate(info->birthDate)},
                       {"sex", training::sexCode(info->sex)},
                       {"region_code", info->regionCode},
                       {"province", {{"zh", info->provinceZh}, {"en", info->provinceEn}}},
                       {"converted_from_15", info->convertedFrom15}};
                return ctx.ok(j, fmt::format("valid: yes\nnumber: {}\nmasked: {}\nbirth date: {}\nsex: {} ({})\n"
                                             "region: {} ({} {}){}",
                                             info->number, training::maskIdNumber(info->number),
                                             training::formatDate(info->birthDate), sexWord(info->sex),
                                             training::sexCode(info->sex), info->regionCode, info->provinceZh,
                                             info->provinceEn,
                                             info->convertedFrom15 ? "\nnote: converted from the 15-digit form" : ""));
            };
        });
    }
    // agency
    {
        auto* agency = app.add_subcommand("agency", "home-service agencies");
        agency->require_subcommand(1);
        auto* add = agency->add_subcommand("add", "register an agency");
        auto in = std::make_shared<training::AgencyInput>();
        add->add_option("--name", in->name, "agency name")->required();
        add->add_option("--uscc", in->uscc, "unified social credit code (18 characters)")->required();
        add->add_option("--legal-rep", in->legalRepresentative, "legal representative");
        add->add_option("--address", in->address, "registered address");
        add->add_option("--licence", in->licenceNo, "licence number");
        add->callback([&action, in] {
            action = [in](Context& ctx) {
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                auto a = (*store)->addAgency(*in, ctx.actor);
                if (!a) return ctx.failWith(a.error());
                return ctx.ok(toJson(*a), fmt::format("added agency {}: {} ({})", a->id, a->name, a->uscc));
            };
        });
        auto* list = agency->add_subcommand("list", "list agencies");
        list->callback([&action] {
            action = [](Context& ctx) {
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                auto list = (*store)->listAgencies();
                if (!list) return ctx.failWith(list.error());
                json arr = json::array();
                std::string text;
                for (const auto& a : *list) {
                    arr.push_back(toJson(a));
                    text += fmt::format("{:>4}  {}  {}\n", a.id, a.uscc, a.name);
                }
                return ctx.ok(arr, text.empty() ? "no agencies yet" : text);
            };
        });
    }
    // worker
    {
        auto* worker = app.add_subcommand("worker", "workers (identity and work profile)");
        worker->require_subcommand(1);
        {
            auto* add = worker->add_subcommand("add", "register a worker");
            struct Opts {
                std::string name, number, docType{"cn-id"}, issuingState{"CHN"};
                std::optional<std::string> nameLatin, birthDate, sex, nationality, ethnicity, idAddress, idIssuer,
                    validFrom, validUntil;
                ProfileOptions profile;
            };
            auto o = std::make_shared<Opts>();
            add->add_option("--name", o->name, "name as on the document")->required();
            add->add_option("--id-number", o->number, "document number (China ID number by default)")->required();
            add->add_option("--doc-type", o->docType, "cn-id (default) or passport");
            add->add_option("--issuing-state", o->issuingState, "issuing state of a passport (ICAO alpha-3)");
            add->add_option("--name-latin", o->nameLatin, "name in Latin letters");
            add->add_option("--birth-date", o->birthDate, "birth date (taken from a China ID number)");
            add->add_option("--sex", o->sex, "F or M (taken from a China ID number)");
            add->add_option("--nationality", o->nationality, "nationality (ICAO alpha-3)");
            add->add_option("--ethnicity", o->ethnicity, "ethnic group");
            add->add_option("--id-address", o->idAddress, "address on the ID card");
            add->add_option("--id-issuer", o->idIssuer, "issuing authority");
            add->add_option("--id-valid-from", o->validFrom, "document valid from (YYYY-MM-DD)");
            add->add_option("--id-valid-until", o->validUntil, "document valid until (YYYY-MM-DD; omit for long-term)");
            o->profile.add(add);
            add->footer("Service types: " + catalogHelp(training::serviceTypes()) +
                        "\nEducation: " + catalogHelp(training::educationLevels()));
            add->callback([&action, o] {
                action = [o](Context& ctx) {
                    auto type = training::parseDocumentType(o->docType);
                    if (!type) return ctx.failWith(type.error());
                    auto store = ctx.openStore();
                    if (!store) return ctx.failWith(store.error());
                    training::WorkerIdentity id;
                    id.docType = *type;
                    id.docNumber = o->number;
                    id.issuingState = o->issuingState;
                    id.name = o->name;
                    id.nameLatin = o->nameLatin;
                    id.birthDate = o->birthDate;
                    if (o->sex) {
                        if (*o->sex == "F" || *o->sex == "f") id.sex = training::Sex::Female;
                        else if (*o->sex == "M" || *o->sex == "m") id.sex = training::Sex::Male;
                        else return ctx.failWith({training::ErrorCode::InvalidInput, "--sex is F or M"});
                    }
                    id.nationality = o->nationality;
                    id.ethnicity = o->ethnicity;
                    id.idAddress = o->idAddress;
                    id.idIssuer = o->idIssuer;
                    id.idValidFrom = o->validFrom;
                    id.idValidUntil = o->validUntil;
                    auto profile = o->profile.build(**store);
                    if (!profile) return ctx.failWith(profile.error());
                    center::Operations ops(**store, ctx.paths());
                    auto st = ops.registerWorker({id, *profile, center::IdentityMethod::Keypad}, ctx.actor);
                    if (!st) return ctx.failWith(st.error());
                    const auto* w = &st->worker;
                    return ctx.ok(toJson(*w), fmt::format("added worker {}: {} ({})", w->id, w->identity.name,
                                                          training::maskIdNumber(w->identity.docNumber)));
                };
            });
        }
        {
            auto* update = worker->add_subcommand("update", "change a worker's profile");
            auto key = std::make_shared<std::string>();
            auto profile = std::make_shared<ProfileOptions>();
            update->add_option("WORKER", *key, "worker id or document number")->required();
            profile->add(update);
            update->callback([&action, key, profile] {
                action = [key, profile](Context& ctx) {
                    auto store = ctx.openStore();
                    if (!store) return ctx.failWith(store.error());
                    auto w = resolveWorker(**store, *key);
                    if (!w) return ctx.failWith(w.error());
                    auto p = profile->build(**store);
                    if (!p) return ctx.failWith(p.error());
                    auto updated = (*store)->updateWorker(w->id, *p, ctx.actor);
                    if (!updated) return ctx.failWith(updated.error());
                    return ctx.ok(toJson(*updated), fmt::format("updated worker {}", updated->id));
                };
            });
        }
        const auto listAction = [](std::shared_ptr<training::WorkerQuery> q, std::shared_ptr<std::string> agency) {
            return [q, agency](Context& ctx) {
                auto store = ctx.openStore();
                if (!store) return ctx.failWith(store.error());
                if (!agency->empty()) {
                    auto a = (*store)->findAgency(*agency);
                    if (!a) return ctx.failWith(a.error());
                    q->agencyId = a->id;
                }
                auto list = (*store)->listWorkers(*q);
                if (!list) return ctx.failWith(list.error());
                json arr = json::array();
                std::string text;
                for (const auto& w : *list) {
                    arr.push_back(toJson(w));
                    text += workerLine(w) + "\n";
                }
                return ctx.ok(arr, text.empty() ? "no workers found" : text);
            };
        };
        {
            auto* list = worker->add_subcommand("list", "list workers");
            auto q = std::make_shared<training::WorkerQuery>();
            auto agency = std::make_shared<std::string>();
            list->add_option("--agency", *agency, "only this agency's workers");
            list->add_option("--limit", q->limit, "at most this many (default 100)")->check(CLI::Range(1, 100000));
            list->add_option("--offset", q->offset, "skip this many")->check(CLI::NonNegativeNumber);
            list->callback([&action, q, agency, listAction] { action = listAction(q, agency); });
        }
        {
            auto* find = worker->add_subcommand("find", "search workers by name, phone or document number");
            auto q = std::make_shared<training::WorkerQuery>();
            auto agency = std::make_shared<std::string>();
            auto text = std::make_shared<std::string>();
            find->add_option("TEXT", *text, "part of a name, a phone number, or (part of) a document number")
                ->required();
            find->add_option("--limit", q->limit, "at most this many (default 100)")->check(CLI::Range(1, 100000));
            find->callback([&action, q, agency, text, listAction] {
                q->text = *text;
                action = listAction(q, agency);
            });
        }
        {
            auto* show = worker->add_subcommand("show", "show one worker with attendance and consents");
            auto key = std::make_shared<std::string>();
            auto reveal = std::make_shared<bool>(false);
            show->add_option("WORKER", *key, "worker id or document number")->required();
            show->add_flag("--reveal", *reveal, "show the full document number (sensitive)");
            show->callback([&action, key, reveal] {
                action = [key, reveal](Context& ctx) {
                    auto store = ctx.openStore();
                    if (!store) return ctx.failWith(store.error());
                    auto w = resolveWorker(**store, *key);
                    if (!w) return ctx.failWith(w.error());
                    // Every look at a full document number is on record.
                    if (*reveal)
                        if (auto a = (*store)->recordEvent(ctx.actor, "worker.reveal", fmt::format("worker:{}", w->id), "{}"); !a)
                            return ctx.failWith(a.error());
                    auto consents = (*store)->consents(w->id);
                    if (!consents) return ctx.failWith(consents.error());
                    json j = toJson(*w, *reveal);
                    json cs = json::array();
                    for (const auto& c : *consents)
                        cs.push_back({{"kind", training::consentKindName(c.kind)},
                                      {"text_version", c.textVersion},
                                      {"text_sha256", c.textSha256},
                                      {"signed_at", training::formatUtc(c.signedAt)}});
                    j["consents"] = cs;
                    std::string agencyName = "-";
                    if (w->profile.agencyId)
                        if (auto a = (*store)->findAgency(std::to_string(*w->profile.agencyId))) agencyName = a->name;
                    const auto& p = w->profile;
                    std::string text = fmt::format(
                        "worker {}\n  name:          {}\n  document:      {} {} ({})\n  sex, born:     {} {}\n"
                        "  phone:         {}\n  address:       {}\n  service types: {}\n  education:     {}\n"
                        "  health check:  {} {}\n  insurance:     {} until {}\n  agency:        {}\n"
                        "  identity:      {}\n  face:          {}\n  consents:      {}",
                        w->id, w->identity.name, training::documentTypeName(w->identity.docType),
                        *reveal ? w->identity.docNumber : training::maskIdNumber(w->identity.docNumber),
                        w->identity.issuingState, training::sexCode(w->identity.sex),
                        *reveal ? w->identity.birthDate.value_or("-") : birthYear(w->identity.birthDate), p.phone.value_or("-"), p.address.value_or("-"),
                        fmt::format("{}", fmt::join(p.serviceTypes.value_or(std::vector<std::string>{}), ", ")),
                        p.education.value_or("-"), p.healthCheckDate.value_or("-"), p.healthCheckResult.value_or(""),
                        p.insurancePolicy.value_or("-"), p.insuranceValidUntil.value_or("-"), agencyName,
                        w->identityVerifiedAt ? "verified (" + w->identityMethod.value_or("") + ")" : "not verified",
                        w->faceVerifiedAt ? fmt::format("matched ({:.3f})", w->faceScore.value_or(0)) : "not matched",
                        consents->size());
                    return ctx.ok(j, text);
                };
            });
        }
    }
    // staff
    {
        auto* staff = app.add_subcommand("staff", "staff members, roles and PINs");
        staff->require_subcommand(1);
        {
            auto* add = staff->add_subcommand(
                "add", "add a staff member (PIN from $KIOSK_NEW_STAFF_PIN, else generated and printed once)");
            auto name = std::make_shared<std::string>();
            auto role = std::make_shared<std::string>();
            add->add_option("--name", *name, "name")->required();
            add->add_option("--role", *role, "admin, trainer or clerk")->required();
            add->callback([&action, name, role] {
                action = [name, role](Context& ctx) {
                    auto r = training::parseRole(*role);
                    if (!r) return ctx.failWith(r.error());
                    auto store = ctx.openStore();
                    if (!store) return ctx.failWith(store.error());
                    std::string thePin = newStaffPinFromEnvironment();
                    const bool generated = thePin.empty();
                    if (generated) thePin = fmt::format("{:06}", randombytes_uniform(900000) + 100000);
                    auto s = (*store)->addStaff(*name, *r, thePin, ctx.actor);
                    if (!s) return ctx.failWith(s.error());
                    json j = toJson(*s);
                    if (generated) j["pin"] = thePin;
                    return ctx.ok(j, fmt::format("added staff {}: {} ({}){}", s->id, s->name, training::roleName(s->role),
                                                 generated ? fmt::format("\nPIN: {} (shown once; write it down)", thePin)
                                                           : ""));
                };
            });
        }
        {
            auto* list = staff->add_subcommand("list", "list staff");
            list->callback([&action] {
                action = [](Context& ctx) {
                    auto store = ctx.openStore();
                    if (!store) return ctx.failWith(store.error());
                    auto list = (*store)->listStaff();
                    if (!list) return ctx.failWith(list.error());
                    json arr = json::array();
                    std::string text;
                    const auto now = (*store)->now();
                    for (const auto& s : *list) {
                        arr.push_back(toJson(s));
                        const bool locked = s.lockedUntil && *s.lockedUntil > now;
                        text += fmt::format("{:>4}  {:<8}  {}{}{}\n", s.id, training::roleName(s.role), s.name,
                                            !locked                                          ? ""
                                            : *s.lockedUntil == training::kLockedUntilUnlocked ? "  (locked: admin unlock)"
                                                                                             : "  (locked)",
                                            s.active ? "" : "  (deactivated)");
                    }
                    return ctx.ok(arr, text.empty() ? "no staff yet" : text);
                };
            });
        }
        {
            auto* setPin = staff->add_subcommand(
                "set-pin", "set a new PIN (from $KIOSK_NEW_STAFF_PIN, else generated and printed once; clears a lockout)");
            auto id = std::make_shared<std::int64_t>(0);
            setPin->add_option("ID", *id, "the staff member's id")->required();
            setPin->callback([&action, id] {
                action = [id](Context& ctx) {
                    auto store = ctx.openStore();
                    if (!store) return ctx.failWith(store.error());
                    std::string thePin = newStaffPinFromEnvironment();
                    const bool generated = thePin.empty();
                    if (generated) thePin = fmt::format("{:06}", randombytes_uniform(900000) + 100000);
                    if (auto r = (*store)->setStaffPin(*id, thePin, ctx.actor); !r) return ctx.failWith(r.error());
                    json j{{"ok", true}, {"staff", *id}};
                    if (generated) j["pin"] = thePin;
                    return ctx.ok(j, generated ? fmt::format("new PIN for staff {}: {} (shown once)", *id, thePin)
                                               : fmt::format("PIN of staff {} changed", *id));
                };
            });
        }
        {
            auto* login = staff->add_subcommand(
                "login", "check a staff member's PIN (from $KIOSK_STAFF_PIN or typed; counts towards the lockout)");
            auto id = std::make_shared<std::int64_t>(0);
            login->add_option("ID", *id, "the staff member's id")->required();
            login->callback([&action, id] {
                action = [id](Context& ctx) {
                    auto pin = readStaffPin(*id);
                    if (!pin) return ctx.failWith(pin.error());
                    auto store = ctx.openStore();
                    if (!store) return ctx.failWith(store.error());
                    auto s = (*store)->authenticateStaff(*id, *pin);
                    if (!s) return ctx.failWith(s.error());
                    return ctx.ok(toJson(*s), fmt::format("PIN accepted: {} ({})", s->name, training::roleName(s->role)));
                };
            });
        }
        for (const bool unlock : {true, false}) {
            auto* cmd = staff->add_subcommand(unlock ? "unlock" : "deactivate",
                                              unlock ? "clear a PIN lockout (also the one only an administrator can clear)"
                                                     : "close a staff account: its PIN no longer signs in");
            auto id = std::make_shared<std::int64_t>(0);
            cmd->add_option("ID", *id, "the staff member's id")->required();
            cmd->callback([&action, id, unlock] {
                action = [id, unlock](Context& ctx) {
                    auto store = ctx.openStore();
                    if (!store) return ctx.failWith(store.error());
                    auto r = unlock ? (*store)->unlockStaff(*id, ctx.actor) : (*store)->deactivateStaff(*id, ctx.actor);
                    if (!r) return ctx.failWith(r.error());
                    return ctx.ok(json{{"ok", true}, {"staff", *id}},
                                  fmt::format("staff {} {}", *id, unlock ? "unlocked" : "deactivated"));
                };
            });
        }
    }
}

}  // namespace kiosk::ctl
