// The one list of screens, in ScreenId order.
#include "ui/screen.hpp"

namespace kiosk::ui {

std::unique_ptr<Screen> makeAttractScreen();
std::unique_ptr<Screen> makeIdentifyScreen();
std::unique_ptr<Screen> makePhotoScreen();
std::unique_ptr<Screen> makeRegisterScreen();
std::unique_ptr<Screen> makeConsentScreen();
std::unique_ptr<Screen> makeHomeScreen();
std::unique_ptr<Screen> makeAttendanceScreen();
std::unique_ptr<Screen> makeExamScreen();
std::unique_ptr<Screen> makeExamResultScreen();
std::unique_ptr<Screen> makeProgressScreen();
std::unique_ptr<Screen> makeStaffPinScreen();
std::unique_ptr<Screen> makeStaffHomeScreen();
std::unique_ptr<Screen> makeStaffSessionsScreen();
std::unique_ptr<Screen> makeStaffSittingsScreen();
std::unique_ptr<Screen> makeProctorScreen();
std::unique_ptr<Screen> makeMrzScreen();
std::unique_ptr<Screen> makeStaffCertificatesScreen();
std::unique_ptr<Screen> makeMyDataScreen();

std::vector<std::unique_ptr<Screen>> makeScreens() {
    std::vector<std::unique_ptr<Screen>> s;
    s.push_back(makeAttractScreen());
    s.push_back(makeIdentifyScreen());
    s.push_back(makePhotoScreen());
    s.push_back(makeRegisterScreen());
    s.push_back(makeConsentScreen());
    s.push_back(makeHomeScreen());
    s.push_back(makeAttendanceScreen());
    s.push_back(makeExamScreen());
    s.push_back(makeExamResultScreen());
    s.push_back(makeProgressScreen());
    s.push_back(makeStaffPinScreen());
    s.push_back(makeStaffHomeScreen());
    s.push_back(makeStaffSessionsScreen());
    s.push_back(makeStaffSittingsScreen());
    s.push_back(makeProctorScreen());
    s.push_back(makeMrzScreen());
    s.push_back(makeStaffCertificatesScreen());
    s.push_back(makeMyDataScreen());
    return s;
}

}  // namespace kiosk::ui
