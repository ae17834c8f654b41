#pragma once
/// @file events.hpp
/// @brief Typed events posted by device and worker threads, drained by the UI thread once per frame.

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "devices/face/recognizer.hpp"
#include "training/change_feed.hpp"
#include "training/records.hpp"

namespace kiosk::ui {

/// @brief A document was read (card reader thread, or the script's "card present").
struct CardInserted {
    training::WorkerIdentity identity;
    std::vector<std::uint8_t> chipPhoto;  ///< JPEG/PNG of the chip portrait; empty when none.
    std::string method{"chip"};            ///< For Store::markIdentityVerified: "chip-pa", "chip", "sam".
                                           ///< "chip" (read, not authenticated) needs a staff confirmation.
    /// Session generation of the read that produced it (a passport read started on the key screen); 0 for a
    /// document newly put on a reader. The app drops it when the session changed since (the person left).
    std::uint64_t generation{0};
};
/// @brief A card was put on a PC/SC reader (its data are read by the identity step).
struct CardDetected {
    std::string reader;
};
/// @brief The document left the reader.
struct CardRemoved {};
/// @brief Reading failed (wrong MRZ key, card pulled, unreadable): the message is for people.
struct CardFailed {
    std::string message;  ///< The adapter's message (English, names the detail: reader, check that failed).
    std::string code;     ///< devices::errorCodeName() of the failure ("access-denied", ...); empty when unknown.
                          ///< "pa-invalid": the chip was read but failed passive authentication (refused).
    std::uint64_t generation{0};  ///< As CardInserted::generation.
};
/// @brief The devices whose presence the kiosk shows and waits for.
enum class DeviceKind {
    Reader,   ///< an identity document reader (PC/SC or the vendor's China ID reader)
    Camera,   ///< the camera of the live photo
    Printer,  ///< the configured CUPS queue
    Face,     ///< the face models, prepared in the background
};

/// @brief A device changed state (present or missing), for the status bar.
struct DeviceStatus {
    DeviceKind device{DeviceKind::Reader};
    bool available{false};
    std::string detail;
};
/// @brief The live-photo pipeline finished one capture (posted from its worker thread).
struct FaceCaptured {
    std::vector<std::uint8_t> portraitJpeg;  ///< The 358x441 portrait; empty when nothing was captured.
    std::optional<double> score;             ///< Match score (the recognizer's metric) when a match was made.
    std::optional<devices::face::Decision> decision;  ///< absent when no match was made
    std::string error;           ///< Why no portrait was taken (e.g. the time ran out); empty when captured.
    std::string lastInstruction; ///< The quality instruction shown last (e.g. "look-at-camera").
    std::string matchProblem;    ///< Why no match was made although a portrait was taken (no face in the chip photo).
};
/// @brief A print job ended (posted by the print thread).
struct PrintDone {
    std::int64_t workerId{0};
    std::string certificate;  ///< the certificate number printed
    bool ok{false};           ///< the job completed
    std::string message;      ///< why it failed (for staff), empty when printed
};
/// @brief A worker-thread job finished: its continuation runs on the UI thread.
struct JobDone {
    std::uint64_t generation{0};  ///< Session generation when the job was queued (stale results are dropped).
    std::function<void()> apply;
};

/// @brief The center's records changed (posted by ChangeWatch, runtime/changes.hpp).
struct RecordsChanged {
    training::Changes changes;  ///< The topics heard (empty when only `pushed` changed).
    bool pushed{false};         ///< The server pushes changes (PostgreSQL, connected): screens may rely on them.
};

using Event = std::variant<CardInserted, CardDetected, CardRemoved, CardFailed, DeviceStatus, FaceCaptured, PrintDone,
                           JobDone, RecordsChanged>;

/// @brief A multi-producer queue; the UI thread takes everything at once.
class EventQueue {
public:
    /// @brief Called after each post (the app wakes the GLFW loop with glfwPostEmptyEvent).
    void setWake(std::function<void()> wake) {
        std::lock_guard lock(m_mutex);
        m_wake = std::move(wake);
    }
    void post(Event e) {
        std::function<void()> wake;
        {
            std::lock_guard lock(m_mutex);
            m_events.push_back(std::move(e));
            wake = m_wake;
        }
        if (wake) wake();
    }
    [[nodiscard]] std::vector<Event> drain() {
        std::lock_guard lock(m_mutex);
        std::vector<Event> out;
        out.swap(m_events);
        return out;
    }

private:
    std::mutex m_mutex;
    std::vector<Event> m_events;
    std::function<void()> m_wake;
};

}  // namespace kiosk::ui
