#pragma once
/// @file camera.hpp
/// @brief Camera capture: a V4L2 device or a file source (video, still image, folder of images, looping), read by
/// a capture thread that keeps only the newest frame and posts each frame to listeners.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <thread>

#include "devices/error.hpp"

namespace devices::camera {

/// @brief Where frames come from and how.
struct CameraOptions {
    /// @brief "v4l2:N", "v4l2:/dev/videoN", "file:PATH" (video file, still image or folder of images); a bare
    /// number or /dev/videoN means V4L2, any other bare path a file source.
    std::string source{"v4l2:0"};
    int width{640};    ///< Requested frame size (V4L2: must be supported; files: frames are resized to it, 0 = as is).
    int height{480};
    double fps{15.0};  ///< Requested rate (V4L2) or pace of file sources.
    bool loop{true};   ///< File sources start again at the end.
};

/// @brief One captured frame.
struct Frame {
    cv::Mat image;              ///< BGR, owned by this frame.
    std::uint64_t sequence{0};  ///< 1, 2, 3, ... in capture order (gaps: frames nobody took).
    std::chrono::steady_clock::time_point captured;
};

/// @brief What the capture thread is doing.
enum class CameraState {
    Stopped,       ///< Not started, or stopped.
    Running,       ///< Frames arrive.
    Reconnecting,  ///< The source went away (unplugged, file gone); retrying every reconnect interval.
    Finished,      ///< A non-looping file source reached its end.
};

/// @brief "stopped", "running", "reconnecting", "finished".
[[nodiscard]] std::string_view cameraStateName(CameraState s) noexcept;

/// @brief A source of frames, read from the capture thread only.
class FrameSource {
public:
    virtual ~FrameSource() = default;
    /// @brief The next frame (file sources pace themselves at the requested rate).
    /// @retval Disconnected the device or file went away. @retval Cancelled end of a non-looping file.
    [[nodiscard]] virtual Result<cv::Mat> read() = 0;
    /// @brief Tries to open the source again after a failure.
    [[nodiscard]] virtual Result<void> reopen() = 0;
    /// @brief What the source is, for messages ("V4L2 /dev/video0 640x480@15", "folder /x (3 images)").
    [[nodiscard]] virtual std::string describe() const = 0;
};

/// @brief Opens the source described by @p options.
/// @retval InvalidInput malformed source string, or a file source that is a device or special file (e.g. /dev/null).
/// @retval NotAvailable no such device or file. @retval Busy the device is used by another program.
/// @retval AccessDenied no permission on the device. @retval Unsupported the device is not a V4L2 video capture
/// device, or cannot deliver the requested size. @retval Malformed unreadable file.
[[nodiscard]] Result<std::unique_ptr<FrameSource>> openSource(const CameraOptions& options);

/// @brief A running camera: one capture thread, the newest frame, listeners.
class Camera {
public:
    using Listener = std::function<void(const Frame&)>;

    /// @brief Opens the source (see openSource()); does not start capturing.
    [[nodiscard]] static Result<std::unique_ptr<Camera>> open(const CameraOptions& options);
    /// @brief Wraps an already opened source (tests, custom sources).
    explicit Camera(std::unique_ptr<FrameSource> source);
    ~Camera();
    Camera(const Camera&) = delete;
    Camera& operator=(const Camera&) = delete;

    /// @brief Starts the capture thread (no-op when running).
    void start();
    /// @brief Stops and joins the capture thread.
    void stop();

    /// @brief Registers a listener called on the capture thread for each frame; returns its id.
    /// Listeners must be quick (copy what they need); a slow listener delays capture, not the newest frame.
    int addListener(Listener listener);
    void removeListener(int id);

    /// @brief The newest frame, if any arrived.
    [[nodiscard]] std::optional<Frame> latest() const;
    /// @brief Waits for a frame newer than @p afterSequence; nullopt on timeout or when stopped.
    [[nodiscard]] std::optional<Frame> waitForFrame(std::uint64_t afterSequence, std::chrono::milliseconds timeout) const;
    [[nodiscard]] CameraState state() const;
    /// @brief The last failure (e.g. Disconnected while reconnecting), cleared when frames flow again.
    [[nodiscard]] std::optional<Error> lastError() const;
    /// @brief How often a lost source is reopened (default 1 s).
    void setReconnectInterval(std::chrono::milliseconds interval) { m_reconnectInterval = interval; }
    [[nodiscard]] std::string describe() const { return m_source->describe(); }

private:
    void run();

    std::unique_ptr<FrameSource> m_source;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    std::chrono::milliseconds m_reconnectInterval{1000};

    mutable std::mutex m_mutex;
    mutable std::condition_variable m_cv;
    std::optional<Frame> m_latest;
    std::uint64_t m_sequence{0};
    CameraState m_state{CameraState::Stopped};
    std::optional<Error> m_error;

    std::mutex m_listenerMutex;
    std::map<int, Listener> m_listeners;
    int m_nextListener{1};
};

}  // namespace devices::camera
