#pragma once
/// @file face.hpp
/// @brief The kiosk's camera and live-photo pipeline (devices::face::LiveCapture), prepared on a thread of its
/// own: loading and hashing the models and opening the camera never happen on the UI thread. The camera streams
/// only while a screen asks for it (setActive), so an idle kiosk does no image work.

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "kiosk/config.hpp"
#include "runtime/events.hpp"

namespace devices::camera {
class Camera;
}
namespace devices::face {
class LiveCapture;
}

namespace kiosk::ui {

/// @brief Camera + face pipeline for the live photo step.
class FaceService {
public:
    enum class State {
        Starting,     ///< Models are loading, the camera is opening.
        Ready,        ///< live() can be used.
        Unavailable,  ///< No camera or no detector: problem() says why; staff confirm identities instead.
    };

    /// @brief Starts preparing in the background; posts DeviceStatus{DeviceKind::Face, ...} when done (wakes the UI).
    FaceService(const Config& config, EventQueue& queue);
    /// @brief Stops the camera and joins the service thread.
    ~FaceService();
    FaceService(const FaceService&) = delete;
    FaceService& operator=(const FaceService&) = delete;

    [[nodiscard]] State state() const;
    /// @brief Why the service is unavailable (for people; names the camera or model and what to do).
    [[nodiscard]] std::string problem() const;
    /// @brief The pipeline when Ready, else nullptr. Thread-safe; the object lives as long as the service.
    [[nodiscard]] devices::face::LiveCapture* live() const;
    /// @brief Asks for the camera to stream (true) or stop (false). Never blocks: the service thread does it.
    void setActive(bool on);
    /// @brief Whether a screen asked the camera to stream (the live photo step only).
    [[nodiscard]] bool streaming() const;
    /// @brief The sequence number of the newest camera frame the pipeline processed (0: none since start).
    [[nodiscard]] std::uint64_t framesProcessed() const;
    /// @brief Failed captures or non-matches before staff are called ([face] max_attempts).
    [[nodiscard]] int maxAttempts() const noexcept { return m_maxAttempts; }

private:
    void run();

    Config m_config;
    EventQueue& m_queue;
    int m_maxAttempts;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    State m_state{State::Starting};
    std::string m_problem;
    bool m_wantActive{false};
    bool m_stop{false};
    std::unique_ptr<devices::camera::Camera> m_camera;
    std::unique_ptr<devices::face::LiveCapture> m_live;
    std::thread m_thread;
};

}  // namespace kiosk::ui
