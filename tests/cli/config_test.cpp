#include <gtest/gtest.h>

#include "kiosk/config.hpp"
#include "test_support.hpp"

using namespace kiosk;

TEST(Config, DefaultsWhenEmpty) {
    auto c = parseConfig("", "empty.toml");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->ui.language, "zh-CN");
    EXPECT_EQ(c->ui.idleTimeoutSeconds, 90);
    EXPECT_EQ(c->cardReader.kind, "pcsc");
    EXPECT_EQ(c->face.maxAttempts, 3);
}

TEST(Config, ReadsEveryKey) {
    auto c = parseConfig(R"(
[database]
path = "/var/lib/badge-kiosk/center.db"
[ui]
language = "en"
fullscreen = false
window_width = 1024
window_height = 768
idle_timeout_seconds = 120
kiosk_id = "K07"
[card_reader]
kind = "none"
[camera]
source = "file:/tmp/clip.avi"
fps = 10
[face]
recognizer = "mobilefacenet"
max_attempts = 2
[printer]
queue = "PDF"
[speech]
enabled = false
rate = 120
)",
                         "kiosk.toml");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->database.path, "/var/lib/badge-kiosk/center.db");
    EXPECT_EQ(c->ui.language, "en");
    EXPECT_FALSE(c->ui.fullscreen);
    EXPECT_EQ(c->ui.windowWidth, 1024);
    EXPECT_EQ(c->ui.kioskId, "K07");
    EXPECT_EQ(c->cardReader.kind, "none");
    EXPECT_EQ(c->camera.source, "file:/tmp/clip.avi");
    EXPECT_EQ(c->face.recognizer, "mobilefacenet");
    EXPECT_EQ(c->printer.queue, "PDF");
    EXPECT_FALSE(c->speech.enabled);
    // Round trip through the TOML writer.
    auto again = parseConfig(toToml(*c), "roundtrip");
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(toToml(*again), toToml(*c));
}

TEST(Config, ACenterServerDatabaseAndItsCenterFolder) {
    auto c = parseConfig(R"(
[database]
path = "postgresql://kiosk_k07@center.example.cn/center?sslmode=verify-full"
center_dir = "/var/lib/badge-kiosk/center"
)",
                         "kiosk.toml");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->database.path, "postgresql://kiosk_k07@center.example.cn/center?sslmode=verify-full");
    EXPECT_EQ(c->database.centerDir, "/var/lib/badge-kiosk/center");
    auto again = parseConfig(toToml(*c), "roundtrip");
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->database.centerDir, "/var/lib/badge-kiosk/center");
    auto bad = parseConfig("[database]\ncenter_dir = 7\n", "kiosk.toml");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("center_dir"), std::string::npos) << bad.error().message;
}

// Found by fuzz_kiosk_config (tests/fuzz/corpus/kiosk_config/reader-leading-newline): a reader name that began
// with a line break was taken, and written back as a multi-line string that lost it. Text values are one line.
TEST(Config, ALineBreakOrAControlCharacterInATextValueIsRefusedWithTheKey) {
    for (const char* text : {"[card_reader]\nreader=\"\\nrolmepI[[[[[[n\"\n", "[ui]\nkiosk_id = \"K07\\t\"\n",
                             "[ui]\nhelp_phone = \"021\\r\\n6234\"\n", "[camera]\nsource = \"file:\\n/tmp/a.avi\"\n",
                             "[database]\npath = \"/var/lib/x\\u007f.db\"\n"}) {
        SCOPED_TRACE(text);
        auto c = parseConfig(text, "kiosk.toml");
        ASSERT_FALSE(c);
        EXPECT_NE(c.error().message.find("kiosk.toml:2"), std::string::npos) << c.error().message;
        EXPECT_NE(c.error().message.find("without line breaks"), std::string::npos) << c.error().message;
    }
    // Other characters (Chinese names, spaces, punctuation) stay as they are, through the writer too.
    auto ok = parseConfig("[card_reader]\nreader = \"华视 CVR-100U (读卡器) 00 00\"\n", "kiosk.toml");
    ASSERT_TRUE(ok) << ok.error().message;
    auto again = parseConfig(toToml(*ok), "roundtrip");
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->cardReader.reader, "华视 CVR-100U (读卡器) 00 00");
}

TEST(Config, MessagesNameTheKeyTheLineAndTheAllowedValues) {
    auto lang = parseConfig("[ui]\nlanguage = \"fr\"\n", "k.toml");
    ASSERT_FALSE(lang);
    EXPECT_NE(lang.error().message.find("k.toml:2"), std::string::npos) << lang.error().message;
    EXPECT_NE(lang.error().message.find("ui.language"), std::string::npos);
    EXPECT_NE(lang.error().message.find("\"zh-CN\""), std::string::npos);

    auto unknownKey = parseConfig("[ui]\nlang = \"en\"\n", "k.toml");
    ASSERT_FALSE(unknownKey);
    EXPECT_NE(unknownKey.error().message.find("ui.lang"), std::string::npos);
    EXPECT_NE(unknownKey.error().message.find("language"), std::string::npos) << "lists the valid keys";

    auto unknownSection = parseConfig("[screen]\nx = 1\n", "k.toml");
    ASSERT_FALSE(unknownSection);
    EXPECT_NE(unknownSection.error().message.find("[screen]"), std::string::npos);

    auto range = parseConfig("[ui]\nidle_timeout_seconds = 5\n", "k.toml");
    ASSERT_FALSE(range);
    EXPECT_NE(range.error().message.find("from 15 to 3600"), std::string::npos);

    auto type = parseConfig("[ui]\nfullscreen = \"yes\"\n", "k.toml");
    ASSERT_FALSE(type);
    EXPECT_NE(type.error().message.find("true or false"), std::string::npos);

    auto camera = parseConfig("[camera]\nsource = \"usb\"\n", "k.toml");
    ASSERT_FALSE(camera);
    EXPECT_NE(camera.error().message.find("v4l2:N"), std::string::npos);

    auto vendor = parseConfig("[card_reader]\nkind = \"cn-vendor\"\n", "k.toml");
    ASSERT_FALSE(vendor);
    EXPECT_NE(vendor.error().message.find("vendor_library"), std::string::npos);

    auto syntax = parseConfig("[ui\nlanguage = 1\n", "k.toml");
    ASSERT_FALSE(syntax);
    EXPECT_NE(syntax.error().message.find("k.toml:1"), std::string::npos) << syntax.error().message;
}

TEST(Config, MissingFile) {
    auto c = loadConfig("/nonexistent/kiosk.toml");
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, training::ErrorCode::NotFound);
}

TEST(Config, DatabasePathDefaults) {
    EXPECT_EQ(defaultDatabasePath("/x/y.db"), "/x/y.db");
    setenv("KIOSK_DB", "/tmp/k.db", 1);
    EXPECT_EQ(defaultDatabasePath(), "/tmp/k.db");
    unsetenv("KIOSK_DB");
    setenv("XDG_DATA_HOME", "/tmp/xdg", 1);
    EXPECT_EQ(defaultDatabasePath(), "/tmp/xdg/badge-kiosk/center.db");
}
