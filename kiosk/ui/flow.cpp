#include "kiosk/roles.hpp"
#include "training/id_number.hpp"
#include "ui/screen.hpp"

namespace kiosk::ui {

std::string_view screenName(ScreenId id) noexcept {
    switch (id) {
        case ScreenId::Attract: return "attract";
        case ScreenId::Identify: return "identify";
        case ScreenId::Photo: return "photo";
        case ScreenId::Register: return "register";
        case ScreenId::Consent: return "consent";
        case ScreenId::Home: return "home";
        case ScreenId::Attendance: return "attendance";
        case ScreenId::Exam: return "exam";
        case ScreenId::ExamResult: return "exam-result";
        case ScreenId::Progress: return "progress";
        case ScreenId::StaffPin: return "staff-pin";
        case ScreenId::StaffHome: return "staff-home";
        case ScreenId::StaffSessions: return "staff-sessions";
        case ScreenId::StaffSittings: return "staff-sittings";
        case ScreenId::Proctor: return "proctor";
        case ScreenId::Mrz: return "mrz";
        case ScreenId::StaffCertificates: return "staff-certificates";
        case ScreenId::MyData: return "my-data";
    }
    return "?";
}

std::string maskDocument(std::string_view number) { return training::maskIdNumber(number); }

namespace {
/// After identity is settled: registration, then consents, then the worker's home.
ScreenId afterIdentity(const WorkerSession& s) {
    if (s.needsProfile()) return ScreenId::Register;
    if (!s.missingConsents.empty()) return ScreenId::Consent;
    return ScreenId::Home;
}

/// A staff screen opens only for a signed-in staff member whose role the role matrix allows (kiosk/roles.hpp).
ScreenId staffScreen(ScreenId current, ScreenId target, const WorkerSession& s) {
    if (!s.staff) return current;
    return kiosk::allowed("kiosk screen " + std::string(screenName(target)), s.staff->role) ? target : current;
}
}  // namespace

ScreenId nextScreen(ScreenId current, Intent intent, const WorkerSession& s) {
    switch (intent) {
        case Intent::Begin: return ScreenId::Identify;
        // Consent before the camera: the biometric consent is signed (or declined) before any frame is processed.
        case Intent::Identified:
            if (s.faceDeclined) return ScreenId::StaffPin;  // withdrawn earlier: staff (staffPurpose set by lookup)
            return s.biometricConsent ? ScreenId::Photo : ScreenId::Consent;
        case Intent::FaceDeclined: return ScreenId::StaffPin;
        case Intent::OpenMyData: return ScreenId::MyData;
        case Intent::SignBiometric: return ScreenId::Consent;
        case Intent::PhotoDone: return afterIdentity(s);
        case Intent::NeedStaff: return ScreenId::StaffPin;
        case Intent::Registered:
            return s.missingConsents.empty() ? ScreenId::Home : ScreenId::Consent;
        case Intent::ConsentsDone:
            // The biometric consent of this visit signed: on to the camera; the other consents: home.
            return s.identityChecked() ? ScreenId::Home : ScreenId::Photo;
        case Intent::OpenAttendance: return ScreenId::Attendance;
        case Intent::OpenExam: return ScreenId::Exam;
        case Intent::OpenProgress: return ScreenId::Progress;
        case Intent::ExamFinished: return ScreenId::ExamResult;
        case Intent::Back:
            if (current == ScreenId::StaffPin) {
                if (s.staffPurpose == StaffPurpose::ConfirmIdentity)
                    return s.faceDeclined || !s.biometricConsent ? ScreenId::Attract : ScreenId::Photo;
                if (s.staffPurpose == StaffPurpose::Exit) return ScreenId::StaffHome;
                return ScreenId::Attract;
            }
            if (s.staff && (current == ScreenId::StaffSessions || current == ScreenId::StaffSittings ||
                            current == ScreenId::Proctor || current == ScreenId::StaffCertificates))
                return ScreenId::StaffHome;
            if (s.worker) return ScreenId::Home;
            return ScreenId::Attract;
        case Intent::Logout: return ScreenId::Attract;
        case Intent::StaffLogin: return ScreenId::StaffPin;
        case Intent::StaffIn:
            if (s.staffPurpose == StaffPurpose::ConfirmIdentity) return afterIdentity(s);
            return ScreenId::StaffHome;
        case Intent::OpenSessions: return staffScreen(current, ScreenId::StaffSessions, s);
        case Intent::OpenSittings: return staffScreen(current, ScreenId::StaffSittings, s);
        case Intent::OpenProctor: return staffScreen(current, ScreenId::Proctor, s);
        case Intent::ExitRequested: return ScreenId::StaffPin;
        case Intent::Quit: return current;
        case Intent::CardNeedsKey: return ScreenId::Mrz;
        case Intent::OpenCertificates: return staffScreen(current, ScreenId::StaffCertificates, s);
    }
    return current;
}

}  // namespace kiosk::ui
