// kiosk_ui_bench: whole-process figures of the kiosk under Xvfb (Mesa llvmpipe), not a CTest test.
//   cold start to the first rendered frame (median of 5), UI build time per frame on the busiest
//   screens (exam, register, consent), idle CPU over 60 s on the attract screen.
// Usage: kiosk_ui_bench [IDLE_SECONDS]   (default 60)
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <regex>
#include <sstream>

#include "test_support.hpp"
#include "training/store.hpp"

namespace ts = testsupport;

namespace {
std::vector<std::string> kioskCmd(const std::filesystem::path& db, const std::filesystem::path& cfg,
                                  std::vector<std::string> extra) {
    std::vector<std::string> v{"/usr/bin/xvfb-run", "-a", "-s", "-screen 0 1280x800x24", KIOSK_BIN,
                               "--db",  db.string(), "--config", cfg.string(), "--window", "1280x800",
                               "--print-first-frame"};
    v.insert(v.end(), extra.begin(), extra.end());
    return v;
}
double grab(const std::string& out, const std::string& key) {
    std::smatch m;
    if (std::regex_search(out, m, std::regex(key + " ([0-9.]+)"))) return std::stod(m[1]);
    return -1;
}
}  // namespace

int main(int argc, char** argv) {
    const int idleSeconds = argc > 1 ? std::atoi(argv[1]) : 60;
    ts::TempDir tmp;
    const auto db = tmp / "center.db";
    auto seed = ts::run({KIOSKCTL_BIN, "--db", db.string(), "demo-seed"});
    if (seed.exitCode != 0) {
        std::cerr << seed.err;
        return 1;
    }
    {
        auto store = training::Store::open(db, {});
        if (!store || !(*store)->setStaffPin(2, "135790", "bench")) return 1;
    }
    ts::writeFile(tmp / "k.toml", "[card_reader]\nkind = \"none\"\n[camera]\nsource = \"none\"\n[speech]\nenabled = false\n");

    std::vector<double> firsts;
    for (int i = 0; i < 5; ++i) {
        auto r = ts::run(kioskCmd(db, tmp / "k.toml", {"--exit-after", "1"}));
        const double ms = grab(r.out, "first-frame-ms");
        if (ms > 0) {
            firsts.push_back(ms);
        } else {
            std::cerr << "a start did not render (exit " << r.exitCode << "): " << r.err << "\n";
        }
    }
    std::ranges::sort(firsts);
    if (!firsts.empty())
        std::cout << "cold start to first frame: median " << firsts[firsts.size() / 2] << " ms (min " << firsts.front()
                  << ", max " << firsts.back() << ", " << firsts.size() << " runs)\n";

    // Busy screens: a scripted walk through registration fields, consent and the exam.
    auto store = training::Store::open(db, {});
    auto workers = (*store)->listWorkers({});
    const std::string doc = workers->front().identity.docNumber;
    store->reset();
    std::string script = "wait-screen attract\ntap begin\nwait-screen identify\ntype " + doc +
                         "\ntap ok\nwait-screen photo\ntap call-staff\nwait-screen staff-pin\ntap staff-2\ntype 135790\n"
                         "tap ok\nwait-screen consent\nsleep 2\nsign\ntap sign\nexpect 第 2 份\nsign\ntap sign\n"
                         "expect 第 3 份\nsign\ntap sign\nwait-screen home\ntap exam\nwait-screen exam\n"
                         "tap opt-0\nsleep 1\ntap next\ntap opt-1\nsleep 1\ntap nav-5\nsleep 3\nquit\n";
    ts::writeFile(tmp / "busy.script", script);
    auto busy = ts::run(kioskCmd(db, tmp / "k.toml", {"--script", (tmp / "busy.script").string()}));
    std::cout << "busy screens (frames drawn continuously while scripted):\n" << busy.out;
    if (busy.exitCode != 0) std::cerr << busy.err;

    auto idle = ts::run(kioskCmd(db, tmp / "k.toml", {"--exit-after", std::to_string(idleSeconds + 1)}));
    // cpu at first frame and at exit.
    std::smatch m;
    const std::string out = idle.out;
    std::regex re("cpu-s ([0-9.]+)");
    std::vector<double> cpu;
    for (auto it = std::sregex_iterator(out.begin(), out.end(), re); it != std::sregex_iterator(); ++it)
        cpu.push_back(std::stod((*it)[1]));
    if (cpu.size() >= 2) {
        const double first = grab(out, "first-frame-ms") / 1000.0;
        const double run = grab(out, "run-s");
        const double pct = 100.0 * (cpu[1] - cpu[0]) / (run - first);
        std::cout << "idle on the attract screen: " << (cpu[1] - cpu[0]) << " CPU-s over " << (run - first)
                  << " s = " << pct << " % of a core; frames " << grab(out, "frames") << "\n";
    } else {
        std::cerr << idle.out << idle.err;
    }
    return 0;
}
