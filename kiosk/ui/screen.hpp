#pragma once
/// @file screen.hpp
/// @brief Screens, intents, the worker/staff session and what a screen may use (its Context).
///
/// A screen holds only transient UI state (what is typed, which step is shown); records come from the
/// Backend (worker thread) and decisions about the next screen are taken by the Flow from intents.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/config.hpp"
#include "training/exam_store.hpp"
#include "training/records.hpp"
#include "runtime/backend.hpp"
#include "runtime/events.hpp"
#include "runtime/i18n.hpp"
#include "runtime/speech.hpp"
#include "ui/widgets.hpp"

namespace kiosk::ui {

class FaceService;
class PrintService;
class TextureHost;

/// @brief Every screen of the kiosk.
enum class ScreenId {
    Attract,
    Identify,
    Photo,
    Register,
    Consent,
    Home,
    Attendance,
    Exam,
    ExamResult,
    Progress,
    StaffPin,
    StaffHome,
    StaffSessions,
    StaffSittings,
    Proctor,
    Mrz,  ///< A passport on the reader: its MRZ key (document number, birth and expiry dates) is typed.
    StaffCertificates,  ///< Eligibility list, certificate and badge printing, submission batches.
    MyData,  ///< "My data": what is held about the worker; withdraw the biometric consent.
};
/// @brief Stable name ("attract", "identify", ...), used by scripts' wait-screen.
[[nodiscard]] std::string_view screenName(ScreenId id) noexcept;

/// @brief What a screen asks for; the Flow turns it into the next screen.
enum class Intent {
    Begin,           ///< Attract -> keypad identification.
    Identified,      ///< session.worker or session.newIdentity is set.
    PhotoDone,       ///< Live photo accepted (or confirmed by staff).
    NeedStaff,       ///< Call staff to confirm the identity (no camera, refer, three failures).
    Registered,      ///< Profile saved.
    ConsentsDone,    ///< Every required consent signed.
    OpenAttendance,
    OpenExam,
    OpenProgress,
    ExamFinished,
    Back,            ///< To the worker's home or the staff home.
    Logout,          ///< Forget the worker/staff, back to attract.
    StaffLogin,
    StaffIn,         ///< session.staff is set.
    OpenSessions,
    OpenSittings,
    OpenProctor,
    ExitRequested,   ///< Leaving the kiosk shell: an admin PIN is asked.
    Quit,            ///< Admin confirmed: the app closes.
    CardNeedsKey,    ///< A chip document is on the reader (session.cardReader): ask for its MRZ key.
    OpenCertificates,
    FaceDeclined,    ///< The worker declined face recognition: staff verify them in person (staffPurpose set).
    OpenMyData,
    SignBiometric,   ///< "My data": sign the biometric consent now (session.biometricFromMyData set).
};

/// @brief Why the staff PIN screen is shown.
enum class StaffPurpose { Login, ConfirmIdentity, Exit };

/// @brief The exam result shown after submitting.
struct ExamOutcome {
    double score{0};
    double passMark{80};
    bool passed{false};
    std::vector<exam::ModuleGrade> modules;
    std::string reason;
    exam::MultipleScoring scoring{exam::MultipleScoring::AllOrNothing};  ///< How multiple response was scored.
    int partialItems{0};  ///< Answered items that earned part of their credit.
};

/// @brief A consent signed before the signer is registered (the biometric consent of a first visit): stored with
/// the worker when registration saves them.
using PendingConsent = center::SignedConsent;

/// @brief Who is at the kiosk now; cleared on logout and on idle timeout.
struct WorkerSession {
    std::optional<training::Worker> worker;               ///< A known worker.
    std::optional<training::WorkerIdentity> newIdentity;   ///< Read from a document, not registered yet.
    std::vector<std::uint8_t> chipPhoto;
    std::vector<std::uint8_t> livePortrait;                ///< Stored only once the biometric consent is signed.
    center::IdentityMethod identityMethod{center::IdentityMethod::Keypad};  ///< How the document was read.
    std::optional<double> faceScore;
    bool faceConfirmedByStaff{false};
    std::vector<training::ConsentKind> missingConsents;
    std::optional<training::Staff> staff;                  ///< A staff member who entered a PIN.
    StaffPurpose staffPurpose{StaffPurpose::Login};
    std::optional<std::int64_t> confirmingStaffId;         ///< Staff who confirmed the identity (no face match).
    std::optional<std::int64_t> sittingId;                 ///< The open sitting the worker may take.
    std::optional<ExamOutcome> examOutcome;
    std::string cardReader;                                ///< PC/SC reader holding the document.
    // Privacy (PIPL art. 29): nothing is captured by the camera before the biometric consent is signed.
    bool biometricConsent{false};                          ///< A biometric consent is in force (or signed this visit).
    bool faceDeclined{false};  ///< Declined this visit, or withdrawn earlier: staff verify in person instead.
    std::optional<PendingConsent> pendingBiometric;        ///< Signed before registration (first visit).
    bool biometricFromMyData{false};  ///< Signing the biometric consent from "my data" (after a decline or withdrawal).
    std::string typedNumber;  ///< An ID number typed on the keypad: looked up only once staff confirmed the person.
    /// @brief The person was compared with the document photo this visit (live photo matched, or staff in person).
    [[nodiscard]] bool identityChecked() const { return faceScore.has_value() || faceConfirmedByStaff; }
    [[nodiscard]] bool needsProfile() const {
        return !worker || !worker->profile.phone || !worker->profile.serviceTypes || !worker->profile.education;
    }
    [[nodiscard]] std::string displayName() const {
        if (worker) return worker->identity.name;
        if (newIdentity) return newIdentity->name;
        return {};
    }
    /// @brief The document number of the person at the kiosk (registered or just read); empty when none.
    [[nodiscard]] std::string documentNumber() const {
        if (worker) return worker->identity.docNumber;
        if (newIdentity) return newIdentity->docNumber;
        return typedNumber;
    }
};

/// @brief Presence of the devices, for the status bar and for screens that need them.
struct DeviceState {
    bool reader{false};
    bool camera{false};
    bool printer{false};
    std::string readerDetail;
    std::string cameraDetail;
    std::string printerDetail;
};

/// @brief The reason key (training::Error::reason) of a database call that found the center server unreachable.
inline constexpr std::string_view kServerUnreachable = "server.unreachable";

/// @brief The kiosk's link to a database on a center server (a local SQLite file is never lost).
/// While it is lost the kiosk shows a banner on every screen and probes the server with backoff; screens keep
/// their state and send again what failed once it is back.
struct ServerLink {
    bool lost{false};           ///< A database call found the server unreachable; not yet answered since.
    std::uint64_t restored{0};  ///< How many times the server answered again after being lost.
    /// The server pushes changes (runtime/changes.hpp): live screens reload when told, and poll only slowly.
    bool pushesChanges{false};
};

/// @brief One button of the bottom bar (Footer).
struct FooterAction {
    std::string id;     ///< Element id for scripts ("back", "next", "submit", ...).
    std::string label;  ///< Catalog text.
    std::function<void()> onTap;
    bool enabled{true};
    Kind kind{Kind::Primary};
    bool guard{false};  ///< Double-tap protection (Widgets::guarded): hand in, print, sign.
};

/// @brief The bottom bar of a screen, the same place on every screen: back at the bottom left, the primary
/// action at the bottom right, an optional second action just left of the primary one. A screen fills it in
/// during draw(); the core draws it below the screen's content (which scrolls above it) and calls onTap.
/// A guarded button acts at most once per 0.8 s (double-tap protection for hand in, print and sign).
struct Footer {
    std::optional<FooterAction> back;
    std::optional<FooterAction> primary;
    std::optional<FooterAction> secondary;
    [[nodiscard]] bool empty() const { return !back && !primary && !secondary; }
};

/// @brief What a screen may use.
struct Context {
    I18n& i18n;
    Widgets& ui;
    Backend& backend;
    Speech& speech;
    const Config& config;
    WorkerSession& session;
    DeviceState& devices;
    ServerLink& server;
    TextureHost& textures;  ///< Where pictures go to be drawn (OpenGL in the window; nothing headless).
    /// The badge course's modules (course data, loaded when the kiosk starts): module names come from here.
    const std::vector<training::CourseModule>& syllabus;
    std::function<void(Intent)> emit;
    std::function<void(double)> wakeIn;  ///< Ask for a frame within this many seconds (countdowns).
    std::function<void(const std::string&)> setError;  ///< An error banner (message for people).
    std::function<void(Event)> post;                   ///< Posts an event (from any thread).
    Footer& footer;                                    ///< This frame's bottom bar (cleared before each draw).
    FaceService* face;                                 ///< Camera + live photo pipeline; null in unit tests.
    PrintService* printer;                             ///< Print queue; null in unit tests.

    [[nodiscard]] const std::string& tr(std::string_view key) const { return i18n.tr(key); }
    /// @brief Shows a failure as catalog text (errorText); staff screens also show the detail.
    /// A lost server shows as the banner instead (ServerLink), and the screen is left as it was.
    void showError(const training::Error& e) const {
        if (e.reason == kServerUnreachable) {
            server.lost = true;
            return;
        }
        setError(errorText(i18n, e, session.staff.has_value()));
    }
    /// @brief Speaks the catalog text of @p key in the current language.
    void say(std::string_view key) const { speech.say(i18n.tr(key), i18n.language()); }
    [[nodiscard]] std::string actor() const { return "kiosk:" + config.ui.kioskId; }
    [[nodiscard]] std::string staffActor() const {
        return session.staff ? "staff:" + std::to_string(session.staff->id) : actor();
    }
};

/// @brief A screen: one class per file, registered in screens.cpp.
class Screen {
public:
    virtual ~Screen() = default;
    [[nodiscard]] virtual ScreenId id() const = 0;
    /// @brief Called when the screen becomes current: reset transient state, start loads.
    virtual void enter(Context& ctx) { (void)ctx; }
    /// @brief Called when another screen becomes current (stop what only this screen needs, e.g. the camera).
    virtual void leave(Context& ctx) { (void)ctx; }
    /// @brief Draws the content area (the app draws the top bar).
    virtual void draw(Context& ctx) = 0;
    /// @brief Device events while the screen is current.
    virtual void onEvent(Context& ctx, const Event& e) {
        (void)ctx;
        (void)e;
    }
    /// @brief False for screens that must not time out (a running exam has its own clock).
    [[nodiscard]] virtual bool idleTimeoutApplies() const { return true; }
};

/// @brief The one list of screens.
[[nodiscard]] std::vector<std::unique_ptr<Screen>> makeScreens();

/// @brief The flow state machine: the next screen for an intent (pure; unit-tested).
[[nodiscard]] ScreenId nextScreen(ScreenId current, Intent intent, const WorkerSession& session);

/// @brief Masks a document number for the screen: first 3 and last 4 characters.
[[nodiscard]] std::string maskDocument(std::string_view number);

}  // namespace kiosk::ui
