// Unit tests of the kiosk UI that need no display: catalogs, the flow state machine, the script parser.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <imgui.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <set>

#include "kiosk/config.hpp"
#include "ui/fonts.hpp"
#include "runtime/i18n.hpp"
#include "runtime/printing.hpp"
#include "ui/lookup.hpp"
#include "ui/screen.hpp"
#include "ui/script.hpp"
#include "test_support.hpp"
#include "ui/text_layout.hpp"
#include "ui/widgets.hpp"

using namespace kiosk::ui;

namespace {
std::filesystem::path assets() { return KIOSK_SOURCE_ASSETS; }
}  // namespace

TEST(Catalogs, BothLanguagesHaveTheSameNonEmptyKeys) {
    auto zh = loadCatalog(assets() / "i18n" / "zh-CN.toml");
    auto en = loadCatalog(assets() / "i18n" / "en.toml");
    ASSERT_TRUE(zh) << zh.error().message;
    ASSERT_TRUE(en) << en.error().message;
    EXPECT_GT(zh->size(), 100u);
    for (const auto& [k, v] : *zh) {
        EXPECT_TRUE(en->contains(k)) << "en.toml lacks " << k;
        EXPECT_FALSE(v.empty()) << k;
    }
    for (const auto& [k, v] : *en) {
        EXPECT_TRUE(zh->contains(k)) << "zh-CN.toml lacks " << k;
        EXPECT_FALSE(v.empty()) << k;
    }
    // Placeholders match, so a translation cannot drop a value.
    for (const auto& [k, v] : *zh) {
        auto count = [](const std::string& s) {
            std::size_t n = 0;
            for (auto p = s.find("{}"); p != std::string::npos; p = s.find("{}", p + 2)) ++n;
            return n;
        };
        if (en->contains(k)) {
            EXPECT_EQ(count(v), count(en->at(k))) << k;
        }
    }
}

TEST(Catalogs, EveryKeyUsedInTheSourcesExists) {
    // The keys the screens ask for, as listed by grep at the time of writing; a renamed key shows up
    // on screen as the key itself, so the spot check covers one key of every screen.
    auto zh = loadCatalog(assets() / "i18n" / "zh-CN.toml");
    ASSERT_TRUE(zh);
    for (const char* k : {"attract.prompt", "identify.title", "photo.call_staff", "register.phone", "consent.agree",
                          "home.exam", "attendance.check_in", "exam.saved", "result.passed", "progress.title",
                          "staff.pick", "staffhome.sittings", "sessions.title", "sittings.open", "proctor.extra",
                          "role.admin", "role.trainer", "role.clerk", "sitting_state.open", "status.no_camera"})
        EXPECT_TRUE(zh->contains(k)) << k;
}

TEST(Catalogs, BrokenCatalogIsRefusedWithTheLine) {
    const auto dir = std::filesystem::temp_directory_path() / "kiosk_ui_cat";
    std::filesystem::create_directories(dir);
    {
        std::ofstream(dir / "bad.toml") << "a = \"x\"\nb = 3\n";
    }
    auto c = loadCatalog(dir / "bad.toml");
    ASSERT_FALSE(c);
    EXPECT_NE(c.error().message.find(":2"), std::string::npos) << c.error().message;
    EXPECT_NE(c.error().message.find("'b'"), std::string::npos) << c.error().message;
    EXPECT_FALSE(loadCatalog(dir / "missing.toml"));
    std::filesystem::remove_all(dir);
}

TEST(Format, ReplacesPlaceholdersInOrder) {
    EXPECT_EQ(format("第 {} 题 / 共 {} 题", {"3", "18"}), "第 3 题 / 共 18 题");
    EXPECT_EQ(format("{} and {}", {"a"}), "a and ");
    EXPECT_EQ(format("no args", {}), "no args");
}

TEST(Fonts, Utf8DecodesCjkAndMarksInvalidBytes) {
    auto cps = decodeUtf8("a证\xE2\x9C\x93");
    ASSERT_EQ(cps.size(), 3u);
    EXPECT_EQ(cps[0], 'a');
    EXPECT_EQ(cps[1], 0x8BC1u);
    EXPECT_EQ(cps[2], 0x2713u);
    EXPECT_EQ(decodeUtf8("\xFF").at(0), 0xFFFDu);
}

TEST(Fonts, FontconfigFindsACjkFont) {
    auto f = findCjkFont({"Noto Sans CJK SC", "WenQuanYi Micro Hei"});
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_TRUE(std::filesystem::exists(f->path));
}

TEST(Flow, WorkerPath) {
    WorkerSession s;
    EXPECT_EQ(nextScreen(ScreenId::Attract, Intent::Begin, s), ScreenId::Identify);
    // Consent before the camera: without a biometric consent in force, the consent screen comes first.
    EXPECT_EQ(nextScreen(ScreenId::Identify, Intent::Identified, s), ScreenId::Consent);
    EXPECT_EQ(nextScreen(ScreenId::Consent, Intent::ConsentsDone, s), ScreenId::Photo);
    s.biometricConsent = true;  // a returning worker who signed it goes straight to the camera
    EXPECT_EQ(nextScreen(ScreenId::Identify, Intent::Identified, s), ScreenId::Photo);
    // A new worker (no profile): registration, then consents.
    s.newIdentity = training::WorkerIdentity{};
    s.missingConsents = {training::ConsentKind::Commitment};
    s.faceScore = 0.7;  // the live photo matched
    EXPECT_EQ(nextScreen(ScreenId::Photo, Intent::PhotoDone, s), ScreenId::Register);
    s.worker = training::Worker{};
    s.worker->profile.phone = "13800000000";
    s.worker->profile.serviceTypes = std::vector<std::string>{"cleaning"};
    s.worker->profile.education = "junior";
    EXPECT_EQ(nextScreen(ScreenId::Register, Intent::Registered, s), ScreenId::Consent);
    EXPECT_EQ(nextScreen(ScreenId::Photo, Intent::PhotoDone, s), ScreenId::Consent);
    s.missingConsents.clear();
    EXPECT_EQ(nextScreen(ScreenId::Photo, Intent::PhotoDone, s), ScreenId::Home);
    EXPECT_EQ(nextScreen(ScreenId::Consent, Intent::ConsentsDone, s), ScreenId::Home);  // after the photo: home
    EXPECT_EQ(nextScreen(ScreenId::Home, Intent::OpenMyData, s), ScreenId::MyData);
    EXPECT_EQ(nextScreen(ScreenId::MyData, Intent::Back, s), ScreenId::Home);
    EXPECT_EQ(nextScreen(ScreenId::Home, Intent::OpenExam, s), ScreenId::Exam);
    EXPECT_EQ(nextScreen(ScreenId::Exam, Intent::ExamFinished, s), ScreenId::ExamResult);
    EXPECT_EQ(nextScreen(ScreenId::Attendance, Intent::Back, s), ScreenId::Home);
    EXPECT_EQ(nextScreen(ScreenId::Home, Intent::Logout, s), ScreenId::Attract);
}

TEST(Flow, PassportOnTheReaderAsksForTheMrzKey) {
    WorkerSession s;
    EXPECT_EQ(nextScreen(ScreenId::Attract, Intent::CardNeedsKey, s), ScreenId::Mrz);
    EXPECT_EQ(nextScreen(ScreenId::Mrz, Intent::Identified, s), ScreenId::Consent);
    s.biometricConsent = true;
    EXPECT_EQ(nextScreen(ScreenId::Mrz, Intent::Identified, s), ScreenId::Photo);
    EXPECT_EQ(nextScreen(ScreenId::Mrz, Intent::Logout, s), ScreenId::Attract);
}

TEST(Flow, DecliningFaceRecognitionGoesToStaffAndNeverToTheCamera) {
    WorkerSession s;
    s.newIdentity = training::WorkerIdentity{};
    EXPECT_EQ(nextScreen(ScreenId::Identify, Intent::Identified, s), ScreenId::Consent);
    s.faceDeclined = true;
    s.staffPurpose = StaffPurpose::ConfirmIdentity;
    EXPECT_EQ(nextScreen(ScreenId::Consent, Intent::FaceDeclined, s), ScreenId::StaffPin);
    EXPECT_EQ(nextScreen(ScreenId::StaffPin, Intent::Back, s), ScreenId::Attract) << "back never opens the camera";
    s.faceConfirmedByStaff = true;
    EXPECT_EQ(nextScreen(ScreenId::StaffPin, Intent::StaffIn, s), ScreenId::Register);
    // A worker who withdrew the consent earlier: identified, then straight to staff.
    WorkerSession w;
    w.worker = training::Worker{};
    w.faceDeclined = true;
    w.staffPurpose = StaffPurpose::ConfirmIdentity;
    EXPECT_EQ(nextScreen(ScreenId::Mrz, Intent::Identified, w), ScreenId::StaffPin);
    // A decline recorded on an earlier visit counts as a withdrawal does: staff, without asking again.
    center::WorkerState declined;
    declined.biometricDeclined = true;
    WorkerSession d;
    kiosk::ui::applyWorkerState(d, declined);
    EXPECT_TRUE(d.faceDeclined);
    EXPECT_FALSE(d.biometricConsent);
    declined.biometricConsent = true;  // signed since: the consent in force wins
    WorkerSession signedSince;
    kiosk::ui::applyWorkerState(signedSince, declined);
    EXPECT_FALSE(signedSince.faceDeclined);
    // "My data" offers it later: the consent screen, for a worker already verified this visit.
    d.faceConfirmedByStaff = true;
    d.biometricFromMyData = true;
    EXPECT_EQ(nextScreen(ScreenId::MyData, Intent::SignBiometric, d), ScreenId::Consent);
}

TEST(Flow, StaffConfirmationAndExit) {
    WorkerSession s;
    s.staffPurpose = StaffPurpose::ConfirmIdentity;
    EXPECT_EQ(nextScreen(ScreenId::Photo, Intent::NeedStaff, s), ScreenId::StaffPin);
    EXPECT_EQ(nextScreen(ScreenId::StaffPin, Intent::Back, s), ScreenId::Attract);  // no biometric consent
    s.biometricConsent = true;
    EXPECT_EQ(nextScreen(ScreenId::StaffPin, Intent::Back, s), ScreenId::Photo);
    EXPECT_EQ(nextScreen(ScreenId::StaffPin, Intent::StaffIn, s), ScreenId::Register);  // no profile yet
    s.staffPurpose = StaffPurpose::Login;
    EXPECT_EQ(nextScreen(ScreenId::StaffPin, Intent::StaffIn, s), ScreenId::StaffHome);
    EXPECT_EQ(nextScreen(ScreenId::StaffPin, Intent::Back, s), ScreenId::Attract);
    s.staff = training::Staff{};
    EXPECT_EQ(nextScreen(ScreenId::StaffSittings, Intent::Back, s), ScreenId::StaffHome);
    s.staffPurpose = StaffPurpose::Exit;
    EXPECT_EQ(nextScreen(ScreenId::StaffHome, Intent::ExitRequested, s), ScreenId::StaffPin);
    EXPECT_EQ(nextScreen(ScreenId::StaffPin, Intent::Back, s), ScreenId::StaffHome);
}

TEST(Flow, EveryScreenHasADistinctName) {
    std::set<std::string_view> names;
    for (int i = 0; i <= static_cast<int>(ScreenId::Mrz); ++i) names.insert(screenName(static_cast<ScreenId>(i)));
    EXPECT_EQ(names.size(), static_cast<std::size_t>(ScreenId::Mrz) + 1);
    EXPECT_FALSE(names.contains("?"));
}

TEST(Script, ParsesStepsAndRejectsUnknownVerbs) {
    auto s = parseScript("# comment\n\ntap begin\ntype 1234X\nexpect 请将证件 放在\nquit\n", "t");
    ASSERT_TRUE(s) << s.error().message;
    ASSERT_EQ(s->size(), 4u);
    EXPECT_EQ((*s)[0].verb, "tap");
    EXPECT_EQ((*s)[0].line, 3);
    EXPECT_EQ((*s)[2].rest, "请将证件 放在");
    auto bad = parseScript("tap a\nfly away\n", "t.script");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("t.script:2"), std::string::npos);
    EXPECT_FALSE(parseScript("tap\n", "t"));
}

TEST(Script, NumbersOfSecondsAreCheckedWhenTheScriptIsRead) {
    // A script runs inside the frame loop: a bad number is an error naming the line, never an exception later.
    EXPECT_TRUE(parseScript("sleep 0.5\nwait-screen home 20\nset idle-timeout 2\n", "t"));
    for (const char* bad : {"sleep soon\n", "wait-screen home later\n", "set idle-timeout two\n", "sleep -1\n"}) {
        auto r = parseScript(std::string("quit\n") + bad, "t.script");
        ASSERT_FALSE(r) << bad;
        EXPECT_NE(r.error().message.find("t.script:2"), std::string::npos) << r.error().message;
    }
}

// ---- line breaking of mixed Chinese and Latin text (kiosk/ui/text_layout)

namespace {
// Monospace-like metrics: ideographs and full-width forms 2 units, everything else 1.
float testAdvance(unsigned cp) { return breaksAround(cp) ? 2.0f : 1.0f; }
float widthOf(std::string_view s) {
    float w = 0;
    for (unsigned cp : decodeUtf8(s)) w += testAdvance(cp);
    return w;
}
std::string withoutSpaces(std::string_view s) {
    std::string out;
    for (char c : s)
        if (c != ' ' && c != '\n') out += c;
    return out;
}
void expectWellBroken(std::string_view text, float width) {
    const auto lines = breakLines(text, width, testAdvance);
    std::string joined;
    for (auto l : lines) {
        EXPECT_TRUE(widthOf(l) <= width || decodeUtf8(l).size() == 1) << "'" << l << "' is wider than " << width;
        EXPECT_GE(l.data(), text.data());
        EXPECT_LE(l.data() + l.size(), text.data() + text.size());
        joined += withoutSpaces(l);
    }
    EXPECT_EQ(joined, withoutSpaces(text)) << "nothing but spaces at breaks is lost";
}
}  // namespace

TEST(LineBreaking, ChinesePunctuationNeverStartsALine) {
    // The exam question that ImGui broke as '…说是"物业来检查"' / '，服务员应该？'.
    const std::string q = "客户不在家时有陌生人按门铃，说是\"物业来检查\"，服务员应该？";
    for (float width = 6; width <= 60; width += 1) {
        const auto lines = breakLines(q, width, testAdvance);
        for (std::size_t i = 1; i < lines.size(); ++i) {
            const auto first = decodeUtf8(lines[i]).front();
            EXPECT_FALSE(noLineStart(first)) << "width " << width << ": line " << i << " '" << lines[i] << "'";
            EXPECT_NE(first, static_cast<unsigned>('"')) << "width " << width << ": '" << lines[i] << "'";
        }
        expectWellBroken(q, width);
    }
    const auto lines = breakLines(q, 31, testAdvance);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "客户不在家时有陌生人按门铃，说");  // between two ideographs
    EXPECT_EQ(lines[1], "是\"物业来检查\"，服务员应该？");
}

TEST(LineBreaking, OpeningBracketsNeverEndALine) {
    const std::string s = "请带上身份证（原件）和健康证明";
    for (float width = 6; width <= 30; width += 1) {
        const auto lines = breakLines(s, width, testAdvance);
        for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
            const auto cps = decodeUtf8(lines[i]);
            EXPECT_FALSE(noLineEnd(cps.back())) << "width " << width << ": '" << lines[i] << "'";
        }
        expectWellBroken(s, width);
    }
}

TEST(LineBreaking, LatinWordsStayWholeAndSpacesAtBreaksAreDropped) {
    const std::string s = "Close the gas valve and open the windows";
    const auto lines = breakLines(s, 12, testAdvance);
    const std::vector<std::string_view> expected{"Close the", "gas valve", "and open the", "windows"};
    EXPECT_EQ(lines, expected);
    // Mixed: a break may fall between an ideograph and a Latin word, never inside the word.
    const auto mixed = breakLines("关闭燃气阀门 Close the valve", 14, testAdvance);
    const std::vector<std::string_view> expectedMixed{"关闭燃气阀门", "Close the", "valve"};
    EXPECT_EQ(mixed, expectedMixed);
    EXPECT_EQ(breakLines("self-employed", 6, testAdvance), (std::vector<std::string_view>{"self-", "employ", "ed"}));
}

TEST(LineBreaking, AWordWiderThanTheLineIsCutAndNewlinesAreKept) {
    EXPECT_EQ(breakLines("ABCDEFGHIJ", 4, testAdvance), (std::vector<std::string_view>{"ABCD", "EFGH", "IJ"}));
    EXPECT_EQ(breakLines("一\n\n二\n", 10, testAdvance), (std::vector<std::string_view>{"一", "", "二", ""}));
    EXPECT_EQ(breakLines("", 10, testAdvance), (std::vector<std::string_view>{""}));
    EXPECT_EQ(breakLines("字", 1, testAdvance), (std::vector<std::string_view>{"字"})) << "one character per line at least";
    EXPECT_EQ(wrapText("甲乙丙丁", 4, testAdvance), "甲乙\n丙丁");
}

TEST(LineBreaking, InvalidUtf8IsReplacedNotFatal) {
    const std::string bad = "ab\xE4\xB8" "cd\xFF\x80中";  // a truncated sequence, stray bytes
    const auto cps = decodeUtf8(bad);
    ASSERT_EQ(cps.size(), 9u);  // a b FFFD FFFD c d FFFD FFFD 中
    EXPECT_EQ(cps[2], 0xFFFDu);
    EXPECT_EQ(cps[3], 0xFFFDu);
    EXPECT_EQ(cps[4], static_cast<unsigned>('c'));
    EXPECT_EQ(cps.back(), 0x4E2Du);
    expectWellBroken(bad, 3);
    // Overlong forms (a space hidden as C0 A0), surrogates and values past U+10FFFF are not characters.
    EXPECT_EQ(decodeUtf8("\xC0\xA0"), (std::vector<unsigned>{0xFFFD, 0xFFFD}));
    EXPECT_EQ(decodeUtf8("\xED\xA0\x80"), (std::vector<unsigned>{0xFFFD, 0xFFFD, 0xFFFD}));
    EXPECT_EQ(decodeUtf8("\xF4\x90\x80\x80"), (std::vector<unsigned>(4, 0xFFFD)));
    EXPECT_EQ(decodeUtf8("\xF0\x9F\x98\x80"), (std::vector<unsigned>{0x1F600}));
}

TEST(LineBreaking, RandomMixedTextKeepsEveryCharacterAndFitsTheWidth) {
    const std::vector<std::string> pieces{"家政", "服务", "，", "。", "（", "）", "“", "”", " ", "gas", "valve", "-",
                                          "/", "\"", "ABCDEFGHIJKLMNOP", "？", "1", "\n", "、", "《证》"};
    std::uint32_t seed = 12345;
    auto next = [&] { return seed = seed * 1664525u + 1013904223u; };
    for (int round = 0; round < 500; ++round) {
        std::string s;
        const int len = static_cast<int>(next() % 40);
        for (int i = 0; i < len; ++i) s += pieces[next() % pieces.size()];
        expectWellBroken(s, static_cast<float>(2 + next() % 30));
    }
}

TEST(ErrorText, AWorkerReadsCatalogTextNeverTheStoresEnglishMessage) {
    I18n i18n;
    ASSERT_TRUE(i18n.load(assets() / "i18n"));
    const training::Error early{training::ErrorCode::Refused,
                                "session 3 runs from 09:00 to 10:00; check-in opens 30 minutes before the start",
                                "attendance.outside-session"};
    const auto zh = errorText(i18n, early);
    EXPECT_EQ(zh, i18n.tr("error.attendance.outside-session"));
    EXPECT_EQ(zh.find("check-in opens"), std::string::npos) << zh;
    EXPECT_NE(zh.find("签到"), std::string::npos) << zh;
    i18n.setLanguage(Language::En);
    EXPECT_EQ(errorText(i18n, early), i18n.tr("error.attendance.outside-session"));
    // No reason (or one the catalog lacks): the code's generic text, still not the message.
    const training::Error roster{training::ErrorCode::Refused,
                                 "worker 4 is not on the roster; run 'kioskctl roster add --session 3 --worker 4'", ""};
    EXPECT_EQ(errorText(i18n, roster), i18n.tr("error.code.refused"));
    EXPECT_EQ(errorText(i18n, roster).find("kioskctl"), std::string::npos);
    const training::Error unknown{training::ErrorCode::Io, "disk full", "no.such-reason"};
    EXPECT_EQ(errorText(i18n, unknown), i18n.tr("error.code.io"));
    // Staff also see the detail.
    EXPECT_NE(errorText(i18n, roster, true).find("kioskctl roster add"), std::string::npos);
}

TEST(ErrorText, EveryErrorCodeHasCatalogText) {
    auto zh = loadCatalog(assets() / "i18n" / "zh-CN.toml");
    ASSERT_TRUE(zh);
    using C = training::ErrorCode;
    for (auto c : {C::InvalidInput, C::NotFound, C::Conflict, C::Refused, C::AuthFailed, C::Locked, C::SchemaTooNew,
                   C::NotOurDatabase, C::Corrupt, C::Busy, C::Io, C::Internal})
        EXPECT_TRUE(zh->contains("error.code." + std::string(training::errorCodeName(c))))
            << training::errorCodeName(c);
}

TEST(PrintSpool, IsAPrivateFreshFolderUnderTheRuntimeDirectory) {
    testsupport::TempDir run;
    const char* old = std::getenv("XDG_RUNTIME_DIR");
    const std::string saved = old ? old : "";
    ::setenv("XDG_RUNTIME_DIR", run.path().c_str(), 1);
    auto a = kiosk::ui::makePrintSpool();
    auto b = kiosk::ui::makePrintSpool();
    ::unsetenv("XDG_RUNTIME_DIR");
    auto fallback = kiosk::ui::makePrintSpool();
    if (old) ::setenv("XDG_RUNTIME_DIR", saved.c_str(), 1);
    ASSERT_TRUE(a) << a.error().message;
    ASSERT_TRUE(b) << b.error().message;
    ASSERT_TRUE(fallback) << fallback.error().message;
    EXPECT_EQ(a->parent_path(), run.path());
    EXPECT_NE(*a, *b) << "a new folder each time, never a fixed name";
    EXPECT_EQ(fallback->parent_path(), std::filesystem::path("/tmp"));
    for (const auto& p : {*a, *b, *fallback}) {
        struct stat st {};
        ASSERT_EQ(::stat(p.c_str(), &st), 0) << p;
        EXPECT_TRUE(S_ISDIR(st.st_mode));
        EXPECT_EQ(st.st_mode & 0777, 0700u) << p;
        EXPECT_EQ(st.st_uid, ::geteuid());
    }
    std::filesystem::remove(*fallback);
}

// The layout checker behind the script step check-layout: each kind of problem is reported, a sound layout is not.
TEST(LayoutCheck, OverlapsSmallTargetsCutOffAndOffScreenBoxesAreReported) {
    ImGuiContext* imgui = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = {1280, 800};
    io.Fonts->AddFontDefault();
    unsigned char* px = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&px, &w, &h);
    Fonts fonts;
    Widgets ui(fonts);
    auto frame = [&](const std::function<void()>& draw) {
        ImGui::NewFrame();
        ui.beginFrame();
        ImGui::SetNextWindowPos({0, 0});
        ImGui::SetNextWindowSize({1280, 800});
        ImGui::Begin("##t", nullptr, ImGuiWindowFlags_NoDecoration);
        draw();
        ImGui::End();
        ImGui::Render();
        ui.beginFrame();  // the frame just drawn becomes the one checked
        return ui.layoutProblems({1280, 800});
    };
    const auto sound = frame([&] {
        ui.record("a", "A", {100, 100}, {300, 180});
        ui.record("b", "B", {320, 100}, {520, 180});
        ui.recordStatic("", "a text", {100, 200}, {400, 230});
    });
    EXPECT_TRUE(sound.empty()) << sound.front();
    const auto broken = frame([&] {
        ui.record("a", "A", {100, 100}, {300, 180});
        ui.record("b", "B", {250, 120}, {450, 200});              // overlaps a
        ui.record("tiny", "T", {600, 100}, {640, 130});           // 40x30: under 56
        ui.recordStatic("", "a caption", {600, 300}, {900, 330});  // a text may be small...
        ui.record("c", "C", {820, 310}, {1000, 390});             // ...but not under a button
        ui.record("off", "O", {1200, 700}, {1400, 780});          // cut at the window's side
    });
    auto has = [&](std::string_view s) {
        return std::ranges::any_of(broken, [&](const std::string& p) { return p.find(s) != std::string::npos; });
    };
    EXPECT_TRUE(has("a (")) << "overlap of a and b";
    EXPECT_TRUE(has("overlaps b")) << "overlap of a and b";
    EXPECT_TRUE(has("tiny is 40x30, under the 56 px touch target"));
    EXPECT_TRUE(has("text 'a caption'")) << "a text under a button";
    EXPECT_TRUE(has("off is cut off at the side"));
    EXPECT_FALSE(has("caption' is")) << "a text is not a touch target";
    ImGui::DestroyContext(imgui);
}
