// Camera capture: V4L2 and file sources, the capture thread.
#include <fcntl.h>
#include <linux/videodev2.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <vector>

#include "devices/camera/camera.hpp"

namespace devices::camera {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string_view cameraStateName(CameraState s) noexcept {
    switch (s) {
        case CameraState::Stopped: return "stopped";
        case CameraState::Running: return "running";
        case CameraState::Reconnecting: return "reconnecting";
        case CameraState::Finished: return "finished";
    }
    return "stopped";
}

namespace {

bool isImageFile(const fs::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const char* e : {".jpg", ".jpeg", ".png", ".bmp", ".jp2", ".j2k", ".tif", ".tiff", ".webp", ".pgm", ".ppm"})
        if (ext == e) return true;
    return false;
}

/// Sleeps so that consecutive reads are 1/fps apart.
class Pacer {
public:
    explicit Pacer(double fps) : m_period(fps > 0 ? std::chrono::nanoseconds(static_cast<long long>(1e9 / fps)) : 0ns) {}
    void wait() {
        const auto now = std::chrono::steady_clock::now();
        if (m_next > now) std::this_thread::sleep_until(m_next);
        m_next = std::max(m_next, now) + m_period;
    }

private:
    std::chrono::nanoseconds m_period;
    std::chrono::steady_clock::time_point m_next{};
};

cv::Mat fit(const cv::Mat& img, const CameraOptions& o) {
    if (img.empty() || o.width <= 0 || o.height <= 0 || (img.cols == o.width && img.rows == o.height)) return img;
    cv::Mat out;
    cv::resize(img, out, cv::Size(o.width, o.height), 0, 0, cv::INTER_AREA);
    return out;
}

class ImageFolderSource final : public FrameSource {
public:
    ImageFolderSource(fs::path path, CameraOptions o) : m_path(std::move(path)), m_opts(std::move(o)), m_pacer(m_opts.fps) {}
    Result<void> reopen() override {
        std::error_code ec;
        m_files.clear();
        m_next = 0;
        if (fs::is_directory(m_path, ec)) {
            for (const auto& e : fs::directory_iterator(m_path, ec))
                if (e.is_regular_file() && isImageFile(e.path())) m_files.push_back(e.path());
            std::sort(m_files.begin(), m_files.end());
            if (m_files.empty())
                return fail(ErrorCode::NotAvailable, "the folder " + m_path.string() + " holds no images; add JPEG or PNG files");
        } else if (fs::is_regular_file(m_path, ec)) {
            m_files.push_back(m_path);
        } else {
            return fail(ErrorCode::NotAvailable, m_path.string() + " does not exist; check the camera source");
        }
        return {};
    }
    Result<cv::Mat> read() override {
        if (m_files.empty()) return fail(ErrorCode::Disconnected, describe() + " has no images");
        if (m_next >= m_files.size()) {
            if (!m_opts.loop) return fail(ErrorCode::Cancelled, "end of " + describe());
            m_next = 0;
        }
        m_pacer.wait();
        const auto& f = m_files[m_next++];
        cv::Mat img = cv::imread(f.string(), cv::IMREAD_COLOR);
        if (img.empty()) {
            std::error_code ec;
            if (!fs::exists(f, ec)) return fail(ErrorCode::Disconnected, f.string() + " went away");
            return fail(ErrorCode::Malformed, "cannot decode " + f.string() + "; it is not a readable image");
        }
        return fit(img, m_opts);
    }
    std::string describe() const override {
        return (m_files.size() == 1 && m_files.front() == m_path ? "image " : "folder ") + m_path.string();
    }

private:
    fs::path m_path;
    CameraOptions m_opts;
    Pacer m_pacer;
    std::vector<fs::path> m_files;
    size_t m_next{0};
};

class VideoFileSource final : public FrameSource {
public:
    VideoFileSource(fs::path path, CameraOptions o) : m_path(std::move(path)), m_opts(std::move(o)), m_pacer(m_opts.fps) {}
    Result<void> reopen() override {
        std::error_code ec;
        if (!fs::is_regular_file(m_path, ec))
            return fail(ErrorCode::NotAvailable, m_path.string() + " does not exist; check the camera source");
        m_cap.release();
        // FFmpeg, then OpenCV's own MJPEG reader; not CAP_ANY, which probes every backend (GStreamer, gPhoto2, ...)
        // on a bad file, slowly and with leaks in those libraries.
        if (!m_cap.open(m_path.string(), cv::CAP_FFMPEG) && !m_cap.open(m_path.string(), cv::CAP_OPENCV_MJPEG))
            return fail(ErrorCode::Malformed, "cannot open the video " + m_path.string() + "; it is damaged or in an unknown format");
        return {};
    }
    Result<cv::Mat> read() override {
        m_pacer.wait();
        cv::Mat img;
        if (!m_cap.read(img) || img.empty()) {
            std::error_code ec;
            if (!fs::exists(m_path, ec)) return fail(ErrorCode::Disconnected, m_path.string() + " went away");
            if (!m_opts.loop) return fail(ErrorCode::Cancelled, "end of " + describe());
            if (auto r = reopen(); !r) return std::unexpected(r.error());
            if (!m_cap.read(img) || img.empty())
                return fail(ErrorCode::Malformed, "the video " + m_path.string() + " has no readable frames");
        }
        return fit(img, m_opts);
    }
    std::string describe() const override { return "video " + m_path.string(); }

private:
    fs::path m_path;
    CameraOptions m_opts;
    Pacer m_pacer;
    cv::VideoCapture m_cap;
};

class V4l2Source final : public FrameSource {
public:
    V4l2Source(std::string device, CameraOptions o) : m_device(std::move(device)), m_opts(std::move(o)) {}
    Result<void> reopen() override {
        m_cap.release();
        std::error_code ec;
        if (!fs::exists(m_device, ec))
            return fail(ErrorCode::NotAvailable,
                        "no camera at " + m_device + "; plug the camera in (or check [camera] source with 'v4l2-ctl --list-devices')");
        const int fd = ::open(m_device.c_str(), O_RDWR | O_NONBLOCK);
        if (fd < 0) {
            const int err = errno;
            if (err == EBUSY) return fail(ErrorCode::Busy, m_device + " is used by another program; close it and retry");
            if (err == EACCES || err == EPERM)
                return fail(ErrorCode::AccessDenied,
                            "no permission to open " + m_device + "; add the kiosk user to the 'video' group");
            if (err == ENOENT || err == ENODEV || err == ENXIO)
                return fail(ErrorCode::NotAvailable, "no camera at " + m_device + " (" + std::strerror(err) +
                                                         "); plug the camera in and check 'v4l2-ctl --list-devices'");
            return fail(ErrorCode::NotAvailable, "cannot open " + m_device + ": " + std::strerror(err));
        }
        // Is it a V4L2 capture device at all (and not, say, /dev/null or a camera's metadata node)?
        v4l2_capability cap{};
        int rc = 0;
        do {
            rc = ::ioctl(fd, VIDIOC_QUERYCAP, &cap);
        } while (rc < 0 && errno == EINTR);
        const int queryErr = rc < 0 ? errno : 0;
        ::close(fd);
        if (rc < 0) {
            if (queryErr == ENODEV || queryErr == ENXIO)
                return fail(ErrorCode::NotAvailable, "the camera " + m_device + " went away while opening it; plug it in again");
            return fail(ErrorCode::Unsupported, m_device + " is not a V4L2 video device (" + std::strerror(queryErr) +
                                                    "); set [camera] source to a camera such as v4l2:/dev/video0");
        }
        const std::uint32_t caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
        if (!(caps & (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_VIDEO_CAPTURE_MPLANE)))
            return fail(ErrorCode::Unsupported, m_device + " (" + reinterpret_cast<const char*>(cap.card) +
                                                    ") cannot capture video (it may be the camera's metadata node); "
                                                    "use the other /dev/videoN of the same camera");
        if (!m_cap.open(m_device, cv::CAP_V4L2))
            return fail(ErrorCode::Busy, m_device +
                                             " exists but cannot stream: it is probably used by another program (or is not a "
                                             "capture device); close other camera programs and retry");
        if (m_opts.width > 0 && m_opts.height > 0) {
            m_cap.set(cv::CAP_PROP_FRAME_WIDTH, m_opts.width);
            m_cap.set(cv::CAP_PROP_FRAME_HEIGHT, m_opts.height);
        }
        if (m_opts.fps > 0) m_cap.set(cv::CAP_PROP_FPS, m_opts.fps);
        m_cap.set(cv::CAP_PROP_BUFFERSIZE, 1);
        const int w = static_cast<int>(m_cap.get(cv::CAP_PROP_FRAME_WIDTH));
        const int h = static_cast<int>(m_cap.get(cv::CAP_PROP_FRAME_HEIGHT));
        if (m_opts.width > 0 && m_opts.height > 0 && (w != m_opts.width || h != m_opts.height)) {
            m_cap.release();
            return fail(ErrorCode::Unsupported, m_device + " does not deliver " + std::to_string(m_opts.width) + "x" +
                                                    std::to_string(m_opts.height) + " (it offers " + std::to_string(w) + "x" +
                                                    std::to_string(h) + "); set [camera] width/height to a supported size");
        }
        return {};
    }
    Result<cv::Mat> read() override {
        cv::Mat img;
        if (!m_cap.isOpened() || !m_cap.read(img) || img.empty()) {
            m_cap.release();
            return fail(ErrorCode::Disconnected, "the camera " + m_device + " stopped sending frames (unplugged?); reconnecting");
        }
        return img;
    }
    std::string describe() const override {
        return "V4L2 " + m_device + " " + std::to_string(m_opts.width) + "x" + std::to_string(m_opts.height);
    }

private:
    std::string m_device;
    CameraOptions m_opts;
    cv::VideoCapture m_cap;
};

bool allDigits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Result<std::unique_ptr<FrameSource>> openSource(const CameraOptions& options) {
    std::string src = options.source;
    if (src.empty() || src == "none")
        return fail(ErrorCode::NotAvailable, "no camera is configured ([camera] source = \"none\")");
    std::unique_ptr<FrameSource> source;
    std::string v4l2;
    if (src.starts_with("v4l2:")) v4l2 = src.substr(5);
    else if (allDigits(src) || src.starts_with("/dev/video")) v4l2 = src;
    if (!v4l2.empty() || src == "v4l2:") {
        if (allDigits(v4l2)) v4l2 = "/dev/video" + v4l2;
        if (!v4l2.starts_with("/dev/"))
            return fail(ErrorCode::InvalidInput, "camera source '" + src + "' is not valid; use v4l2:N or v4l2:/dev/videoN");
        source = std::make_unique<V4l2Source>(v4l2, options);
    } else {
        const fs::path path = src.starts_with("file:") ? fs::path(src.substr(5)) : fs::path(src);
        if (path.empty()) return fail(ErrorCode::InvalidInput, "camera source 'file:' needs a path");
        std::error_code ec;
        if (!fs::exists(path, ec))
            return fail(ErrorCode::NotAvailable, "camera source " + path.string() + " does not exist; check the path");
        if (!fs::is_directory(path, ec) && !fs::is_regular_file(path, ec))
            return fail(ErrorCode::InvalidInput,
                        "camera source " + path.string() +
                            " is not a video file, an image or a folder (it is a device or a special file); for a "
                            "camera use v4l2:/dev/videoN");
        if (fs::is_directory(path, ec) || isImageFile(path)) source = std::make_unique<ImageFolderSource>(path, options);
        else source = std::make_unique<VideoFileSource>(path, options);
    }
    if (auto r = source->reopen(); !r) return std::unexpected(r.error());
    return source;
}

Result<std::unique_ptr<Camera>> Camera::open(const CameraOptions& options) {
    auto s = openSource(options);
    if (!s) return std::unexpected(s.error());
    return std::make_unique<Camera>(std::move(*s));
}

Camera::Camera(std::unique_ptr<FrameSource> source) : m_source(std::move(source)) {}

Camera::~Camera() { stop(); }

void Camera::start() {
    if (m_thread.joinable()) return;
    m_stop = false;
    {
        std::lock_guard lock(m_mutex);
        m_state = CameraState::Running;
    }
    m_thread = std::thread([this] { run(); });
}

void Camera::stop() {
    {
        std::lock_guard lock(m_mutex);  // so that a waiter cannot miss the notification
        m_stop = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
    std::lock_guard lock(m_mutex);
    if (m_state != CameraState::Finished) m_state = CameraState::Stopped;
}

int Camera::addListener(Listener listener) {
    std::lock_guard lock(m_listenerMutex);
    const int id = m_nextListener++;
    m_listeners.emplace(id, std::move(listener));
    return id;
}

void Camera::removeListener(int id) {
    std::lock_guard lock(m_listenerMutex);
    m_listeners.erase(id);
}

std::optional<Frame> Camera::latest() const {
    std::lock_guard lock(m_mutex);
    return m_latest;
}

std::optional<Frame> Camera::waitForFrame(std::uint64_t afterSequence, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(m_mutex);
    const bool got = m_cv.wait_for(lock, timeout, [&] {
        return m_stop.load() || (m_latest && m_latest->sequence > afterSequence) || m_state == CameraState::Finished;
    });
    if (got && m_latest && m_latest->sequence > afterSequence) return m_latest;
    return std::nullopt;
}

CameraState Camera::state() const {
    std::lock_guard lock(m_mutex);
    return m_state;
}

std::optional<Error> Camera::lastError() const {
    std::lock_guard lock(m_mutex);
    return m_error;
}

void Camera::run() {
    while (!m_stop) {
        auto img = m_source->read();
        if (!img) {
            if (img.error().code == ErrorCode::Cancelled) {  // end of a non-looping file
                std::lock_guard lock(m_mutex);
                m_state = CameraState::Finished;
                m_cv.notify_all();
                return;
            }
            {
                std::lock_guard lock(m_mutex);
                m_state = CameraState::Reconnecting;
                m_error = img.error();
            }
            // Reopen until it works or we are stopped; sleep in small steps so stop() is quick.
            while (!m_stop) {
                const auto until = std::chrono::steady_clock::now() + m_reconnectInterval;
                while (!m_stop && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(10ms);
                if (m_stop) break;
                if (auto r = m_source->reopen(); r) break;
                else {
                    std::lock_guard lock(m_mutex);
                    m_error = Error{ErrorCode::Disconnected, r.error().message};
                }
            }
            continue;
        }
        Frame f;
        f.image = std::move(*img);
        f.captured = std::chrono::steady_clock::now();
        {
            std::lock_guard lock(m_mutex);
            f.sequence = ++m_sequence;
            m_latest = f;  // shares the pixels; nobody writes to a posted frame
            m_state = CameraState::Running;
            m_error.reset();
        }
        m_cv.notify_all();
        std::map<int, Listener> listeners;
        {
            std::lock_guard lock(m_listenerMutex);
            listeners = m_listeners;
        }
        for (auto& [id, l] : listeners) l(f);
    }
}

}  // namespace devices::camera
