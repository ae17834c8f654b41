#pragma once
/// @file speech.hpp
/// @brief Spoken instructions with espeak-ng, on a thread of their own (never in a frame).

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "runtime/i18n.hpp"

namespace kiosk::ui {

/// @brief Speech settings.
struct SpeechOptions {
    bool enabled{true};
    std::string voiceZh{"cmn"};
    std::string voiceEn{"en"};
    int rate{150};
    std::filesystem::path wavDir;  ///< Non-empty: write numbered WAV files there instead of playing (tests).
};

/// @brief A queue of utterances; a newer one replaces those not started yet.
class Speech {
public:
    explicit Speech(SpeechOptions options);
    ~Speech();
    Speech(const Speech&) = delete;
    Speech& operator=(const Speech&) = delete;
    void say(const std::string& text, Language lang);
    void setMuted(bool muted) { m_muted = muted; }
    [[nodiscard]] bool muted() const { return m_muted; }
    /// @brief Utterances spoken or written so far.
    [[nodiscard]] int spoken() const;

private:
    void run();
    SpeechOptions m_options;
    bool m_muted{false};
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::pair<std::string, Language>> m_queue;
    bool m_stop{false};
    int m_spoken{0};
    std::thread m_thread;
};

}  // namespace kiosk::ui
