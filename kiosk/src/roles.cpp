// The role matrix of kioskctl and the kiosk (roles.hpp). Open rows are read-only and show no personal data.
#include "kiosk/roles.hpp"

#include <algorithm>
#include <array>

namespace kiosk {
namespace {

constexpr unsigned kOpen = 0;
constexpr unsigned kTrainers = kAdmin | kTrainer;
constexpr unsigned kClerks = kAdmin | kClerk;

// Keep README.md "Staff roles" in step with this table (a test compares them).
constexpr std::array kTable{
    // ---- center setup and administration
    Permission{"kioskctl init", kOpen, "creates a new center and its first administrator"},
    Permission{"kioskctl demo-seed", kOpen, "creates a demo center"},
    Permission{"kioskctl check-id", kOpen, "checks a number given on the command line"},
    Permission{"kioskctl config check", kOpen, "reads a configuration file"},
    Permission{"kioskctl config defaults", kOpen, "prints the defaults"},
    Permission{"kioskctl db check", kOpen, "integrity check, no records shown"},
    Permission{"kioskctl backup", kAdmin, "copies every record", true},
    Permission{"kioskctl db copy", kAdmin, "copies every record to a server"},
    Permission{"kioskctl kiosk add", kAdmin, "creates a kiosk's database login"},
    Permission{"kioskctl kiosk remove", kAdmin, "revokes a kiosk's database login"},
    Permission{"kioskctl audit verify", kOpen, "walks the hash chain"},
    Permission{"kioskctl audit list", kAdmin, "shows who did what"},
    Permission{"kioskctl audit checkpoint", kAdmin, "signs the chain's head"},
    Permission{"kioskctl staff add", kAdmin, "creates an account"},
    Permission{"kioskctl staff list", kAdmin, "staff names and roles"},
    Permission{"kioskctl staff set-pin", kAdmin, "replaces a PIN"},
    Permission{"kioskctl staff unlock", kAdmin, "clears a lockout"},
    Permission{"kioskctl staff deactivate", kAdmin, "closes an account"},
    Permission{"kioskctl staff login", kOpen, "checks a PIN (counts towards the lockout)"},
    Permission{"kioskctl key export", kOpen, "the center's public key"},
    Permission{"kioskctl key list", kOpen, "center keys: current, retired, revoked"},
    Permission{"kioskctl key trust", kAdmin, "trusts another center's documents"},
    Permission{"kioskctl key url", kAdmin, "sets the address printed in every QR code"},
    Permission{"kioskctl key protect", kAdmin, "seals the signing key under a passphrase"},
    Permission{"kioskctl key rotate", kAdmin, "replaces the signing key"},
    Permission{"kioskctl key revoke", kAdmin, "stops a key's documents verifying"},
    Permission{"kioskctl web export", kClerks, "publishes keys and the signed revocation list"},
    Permission{"kioskctl id csca import", kAdmin, "trusts a country's passports"},
    // ---- people
    Permission{"kioskctl agency add", kClerks, "changes records"},
    Permission{"kioskctl agency list", kAnyStaff, "agency contacts"},
    Permission{"kioskctl worker add", kClerks, "changes records"},
    Permission{"kioskctl worker update", kClerks, "changes records"},
    Permission{"kioskctl worker list", kAnyStaff, "personal data"},
    Permission{"kioskctl worker find", kAnyStaff, "personal data"},
    Permission{"kioskctl worker show", kAnyStaff, "personal data"},
    Permission{"kioskctl worker export", kClerks, "everything held about a worker (audited)"},
    Permission{"kioskctl worker erase", kAdmin, "erases personal data"},
    Permission{"kioskctl worker consent withdraw", kClerks, "changes records, deletes portraits"},
    Permission{"kioskctl privacy retention", kOpen, "retention periods, no records"},
    Permission{"kioskctl privacy purge", kAdmin, "deletes personal data past retention", true},
    // ---- training
    Permission{"kioskctl course list", kOpen, "course catalogue"},
    Permission{"kioskctl course show", kOpen, "course catalogue"},
    Permission{"kioskctl session add", kTrainers, "changes records"},
    Permission{"kioskctl session list", kOpen, "timetable, no names"},
    Permission{"kioskctl roster add", kAnyStaff, "changes records"},
    Permission{"kioskctl roster list", kAnyStaff, "personal data"},
    Permission{"kioskctl attendance checkin", kTrainers, "changes records"},
    Permission{"kioskctl attendance checkout", kTrainers, "changes records"},
    Permission{"kioskctl attendance list", kAnyStaff, "personal data"},
    // ---- exams
    Permission{"kioskctl exam import", kTrainers, "changes the question banks"},
    Permission{"kioskctl exam bank list", kAnyStaff, "bank names"},
    Permission{"kioskctl exam bank show", kTrainers, "questions and answers"},
    Permission{"kioskctl exam bank export", kTrainers, "questions and answers"},
    Permission{"kioskctl exam sitting create", kTrainers, "changes records"},
    Permission{"kioskctl exam sitting add-candidate", kTrainers, "changes records"},
    Permission{"kioskctl exam sitting open", kTrainers, "changes records"},
    Permission{"kioskctl exam sitting pause", kTrainers, "changes records"},
    Permission{"kioskctl exam sitting resume", kTrainers, "changes records"},
    Permission{"kioskctl exam sitting close", kTrainers, "changes records"},
    Permission{"kioskctl exam sitting list", kAnyStaff, "sittings"},
    Permission{"kioskctl exam sitting show", kAnyStaff, "a sitting"},
    Permission{"kioskctl exam sitting admit", kTrainers, "lets a candidate in without the hours (audited)"},
    Permission{"kioskctl exam question retire", kTrainers, "changes the question banks"},
    Permission{"kioskctl exam paper", kTrainers, "questions and answers"},
    Permission{"kioskctl exam attempt start", kTrainers, "changes records"},
    Permission{"kioskctl exam attempt answer", kTrainers, "changes records"},
    Permission{"kioskctl exam attempt flag", kTrainers, "changes records"},
    Permission{"kioskctl exam attempt submit", kTrainers, "changes records"},
    Permission{"kioskctl exam attempt show", kTrainers, "a worker's answers"},
    Permission{"kioskctl exam board", kTrainers, "candidates' progress"},
    Permission{"kioskctl exam stats", kTrainers, "results"},
    // ---- certification
    Permission{"kioskctl eligibility", kAnyStaff, "personal data"},
    Permission{"kioskctl verify", kOpen, "checks a badge code"},
    Permission{"kioskctl revoke", kAdmin, "revokes a certificate"},
    Permission{"kioskctl revocations export", kClerks, "signs a list"},
    Permission{"kioskctl revocations import", kAdmin, "changes records"},
    Permission{"kioskctl submit create", kClerks, "signs a batch with personal data"},
    Permission{"kioskctl submit send", kClerks, "sends personal data"},
    Permission{"kioskctl submit ack", kClerks, "changes records"},
    Permission{"kioskctl submit list", kClerks, "batches"},
    Permission{"kioskctl submit trust-network-center", kAdmin, "installs the key that signs badge numbers"},
    Permission{"kioskctl cert render", kClerks, "signs and renders a certificate"},
    Permission{"kioskctl cert print", kClerks, "signs and prints certificates"},
    Permission{"kioskctl print", kClerks, "prints"},
    // ---- devices (no records)
    Permission{"kioskctl id readers", kOpen, "lists card readers"},
    Permission{"kioskctl id watch", kOpen, "reader events"},
    Permission{"kioskctl id parse-mrz", kOpen, "parses text given"},
    Permission{"kioskctl id read", kOpen, "reads the document on the reader"},
    Permission{"kioskctl id cn-record", kOpen, "decodes a file given"},
    Permission{"kioskctl face detect", kOpen, "a picture given"},
    Permission{"kioskctl face match", kOpen, "pictures given"},
    Permission{"kioskctl camera snap", kOpen, "the camera"},
    Permission{"kioskctl models check", kOpen, "model files"},
    // ---- the kiosk's staff screens
    Permission{"kiosk screen staff-sessions", kAnyStaff, "sessions and rosters"},
    Permission{"kiosk screen staff-sittings", kTrainers, "exam sittings"},
    Permission{"kiosk screen proctor", kTrainers, "candidates' progress"},
    Permission{"kiosk screen staff-certificates", kClerks, "signs and prints certificates"},
    Permission{"kiosk confirm-identity", kAnyStaff, "vouches for a worker's identity"},
    Permission{"kiosk exit", kAdmin, "leaves the kiosk"},
};

}  // namespace

std::span<const Permission> permissions() { return kTable; }

std::optional<Permission> findPermission(std::string_view action) {
    const auto it = std::ranges::find(kTable, action, &Permission::action);
    if (it == kTable.end()) return std::nullopt;
    return *it;
}

unsigned roleBit(training::Role role) noexcept {
    switch (role) {
        case training::Role::Admin: return kAdmin;
        case training::Role::Trainer: return kTrainer;
        case training::Role::Clerk: return kClerk;
    }
    return 0;
}

bool allowed(std::string_view action, training::Role role) {
    const auto p = findPermission(action);
    return p && (p->roles == 0 || (p->roles & roleBit(role)) != 0);
}

std::string rolesText(unsigned roles) {
    if (roles == 0) return "anyone";
    std::string out;
    for (auto [bit, name] : {std::pair{kAdmin, "admin"}, std::pair{kTrainer, "trainer"}, std::pair{kClerk, "clerk"}})
        if (roles & bit) out += (out.empty() ? "" : ", ") + std::string(name);
    return out;
}

}  // namespace kiosk
