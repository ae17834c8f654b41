#include "runtime/speech.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

extern char** environ;

namespace kiosk::ui {

Speech::Speech(SpeechOptions options) : m_options(std::move(options)) {
    if (m_options.enabled) m_thread = std::thread([this] { run(); });
}

Speech::~Speech() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        m_queue.clear();
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

void Speech::say(const std::string& text, Language lang) {
    if (!m_options.enabled || m_muted || text.empty()) return;
    {
        std::lock_guard lock(m_mutex);
        m_queue.clear();  // only the newest instruction matters
        m_queue.emplace_back(text, lang);
    }
    m_cv.notify_one();
}

int Speech::spoken() const {
    std::lock_guard lock(m_mutex);
    return m_spoken;
}

void Speech::run() {
    for (;;) {
        std::pair<std::string, Language> item;
        int n = 0;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [this] { return m_stop || !m_queue.empty(); });
            if (m_stop) return;
            item = std::move(m_queue.front());
            m_queue.pop_front();
            n = ++m_spoken;
        }
        std::vector<std::string> args{"espeak-ng", "-v", item.second == Language::Zh ? m_options.voiceZh : m_options.voiceEn,
                                      "-s", std::to_string(m_options.rate)};
        if (!m_options.wavDir.empty()) {
            args.push_back("-w");
            args.push_back((m_options.wavDir / ("speech-" + std::to_string(n) + ".wav")).string());
        }
        args.push_back("--");
        args.push_back(item.first);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        pid_t pid = 0;
        if (posix_spawnp(&pid, "espeak-ng", &actions, nullptr, argv.data(), environ) == 0) {
            int status = 0;
            waitpid(pid, &status, 0);
        }
        posix_spawn_file_actions_destroy(&actions);
    }
}

}  // namespace kiosk::ui
