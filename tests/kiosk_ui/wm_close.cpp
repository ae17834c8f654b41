// kiosk_wm_close: runs a program (the kiosk) on the current X display and, once its window "Badge Kiosk" is
// mapped, asks it to close the way a window manager does (Alt+F4, the title bar's close button): a
// WM_PROTOCOLS client message carrying WM_DELETE_WINDOW, sent @c --count times. Only the program's own window
// (_NET_WM_PID) is targeted: other kiosks of the test run may share the display. Then it waits for the
// program and exits with its status. Prints "close-requests-sent N" on stderr.
//   kiosk_wm_close [--count N] [--delay SECONDS] -- PROGRAM ARGS...
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

/// The process that owns @p w (_NET_WM_PID, which GLFW sets), or 0.
long windowPid(Display* d, Window w) {
    const Atom pidAtom = XInternAtom(d, "_NET_WM_PID", True);
    if (pidAtom == None) return 0;
    Atom type = None;
    int format = 0;
    unsigned long items = 0, after = 0;
    unsigned char* data = nullptr;
    long pid = 0;
    if (XGetWindowProperty(d, w, pidAtom, 0, 1, False, XA_CARDINAL, &type, &format, &items, &after, &data) ==
            Success &&
        data) {
        if (format == 32 && items == 1) pid = *reinterpret_cast<long*>(data);
        XFree(data);
    }
    return pid;
}

/// The window called @p name that belongs to process @p pid (other kiosks may share the display).
std::optional<Window> findByName(Display* d, Window w, const char* name, pid_t pid) {
    char* wmName = nullptr;
    if (XFetchName(d, w, &wmName) && wmName) {
        const bool same = std::strcmp(wmName, name) == 0;
        XFree(wmName);
        if (same && windowPid(d, w) == pid) return w;
    }
    Window root = 0, parent = 0;
    Window* children = nullptr;
    unsigned int n = 0;
    if (!XQueryTree(d, w, &root, &parent, &children, &n)) return std::nullopt;
    std::optional<Window> found;
    for (unsigned int i = 0; i < n && !found; ++i) found = findByName(d, children[i], name, pid);
    if (children) XFree(children);
    return found;
}

}  // namespace

int main(int argc, char** argv) {
    int count = 3;
    double delay = 1.0;
    int i = 1;
    for (; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--count" && i + 1 < argc) count = std::stoi(argv[++i]);
        else if (a == "--delay" && i + 1 < argc) delay = std::stod(argv[++i]);
        else if (a == "--") {
            ++i;
            break;
        }
    }
    if (i >= argc) {
        std::fprintf(stderr, "usage: kiosk_wm_close [--count N] [--delay S] -- PROGRAM ARGS...\n");
        return 64;
    }
    const pid_t child = fork();
    if (child == 0) {
        execv(argv[i], argv + i);
        _exit(127);
    }
    Display* d = XOpenDisplay(nullptr);
    if (!d) {
        std::fprintf(stderr, "kiosk_wm_close: cannot open the X display\n");
        kill(child, SIGTERM);
        return 70;
    }
    std::optional<Window> win;
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    int status = 0;
    while (!win && std::chrono::steady_clock::now() < end) {
        if (waitpid(child, &status, WNOHANG) == child) {
            std::fprintf(stderr, "kiosk_wm_close: the program ended before its window appeared\n");
            return WIFEXITED(status) ? WEXITSTATUS(status) : 70;
        }
        win = findByName(d, DefaultRootWindow(d), "Badge Kiosk", child);
        if (!win) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    int sent = 0;
    if (win) {
        std::this_thread::sleep_for(std::chrono::duration<double>(delay));
        const Atom protocols = XInternAtom(d, "WM_PROTOCOLS", False);
        const Atom del = XInternAtom(d, "WM_DELETE_WINDOW", False);
        for (int k = 0; k < count; ++k) {
            XEvent ev{};
            ev.xclient.type = ClientMessage;
            ev.xclient.window = *win;
            ev.xclient.message_type = protocols;
            ev.xclient.format = 32;
            ev.xclient.data.l[0] = static_cast<long>(del);
            ev.xclient.data.l[1] = CurrentTime;
            if (XSendEvent(d, *win, False, NoEventMask, &ev)) ++sent;
            XFlush(d);
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    }
    std::fprintf(stderr, "close-requests-sent %d\n", sent);
    XCloseDisplay(d);
    waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
