// kiosk_ui_bench: whole-process figures of the kiosk under Xvfb (Mesa llvmpipe), not a CTest test.
//   cold start to the first rendered frame (median of 5), UI build time per frame on the busiest
//   screens (exam, register, consent, staff certificates, live photo with the camera clip), idle CPU over
//   60 s on the attract screen.
// Usage: kiosk_ui_bench [IDLE_SECONDS]   (default 60)
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <regex>
#include <sstream>

#include "test_support.hpp"
#include "training/id_number.hpp"
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
                         "\ntap ok\nwait-screen photo\ntap call-staff\nwait-screen staff-pin\ntype 2\ntap staff-next\ntype 135790\n"
                         "tap ok\nwait-screen consent\nsleep 2\nsign\ntap sign\nexpect 第 2 份\nsign\ntap sign\n"
                         "expect 第 3 份\nsign\ntap sign\nwait-screen home\ntap exam\nwait-screen exam\n"
                         "tap opt-0\nsleep 1\ntap next\ntap opt-1\nsleep 1\ntap nav-5\nsleep 3\nquit\n";
    ts::writeFile(tmp / "busy.script", script);
    auto busy = ts::run(kioskCmd(db, tmp / "k.toml", {"--script", (tmp / "busy.script").string()}));
    std::cout << "busy screens (frames drawn continuously while scripted):\n" << busy.out;
    if (busy.exitCode != 0) std::cerr << busy.err;

    // The staff certificates screen: the clerk opens the eligibility list of the demo sitting.
    {
        auto st = training::Store::open(db, {});
        if (!st || !(*st)->setStaffPin(3, "135790", "bench")) return 1;
    }
    ts::writeFile(tmp / "certs.script",
                  "wait-screen attract\ntap staff\nwait-screen staff-pin\ntype 3\ntap staff-next\ntype 135790\ntap ok\n"
                  "wait-screen staff-home\ntap certificates\nwait-screen staff-certificates\nsleep 2\nquit\n");
    auto certs = ts::run(kioskCmd(db, tmp / "k.toml", {"--script", (tmp / "certs.script").string()}));
    std::cout << "staff certificates screen:\n" << certs.out;
    if (certs.exitCode != 0) std::cerr << certs.err;

    // The live photo screen with the camera clip and the real models (../shared): it streams, shows the
    // preview, the face box and the instruction, captures and matches the chip photo of a first visitor.
    const auto faces = ts::env("KIOSK_TEST_FACES");
    if (!faces.empty() && !ts::env("KIOSK_MODEL_DIR").empty()) {
        const auto clip = std::filesystem::path(faces) / "camera_clip_obama_640x480_mjpg.avi";
        const auto chip = std::filesystem::path(faces) / "a_obama_idchip_240x320.jpg";
        const std::string first17 = "11010119610804001";
        ts::writeFile(tmp / "photo.toml", "[card_reader]\nkind = \"none\"\n[camera]\nsource = \"file:" + clip.string() +
                                              "\"\n[speech]\nenabled = false\n[enrolment]\nwalk_in = true\n");
        ts::writeFile(tmp / "photo.script", "wait-screen attract\ncard photo " + chip.string() +
                                                "\ncard present " + first17 + training::chinaIdCheckCharacter(first17) +
                                                " 欧巴马 M 1961-08-04\n"
                                                "wait-screen photo\nwait-screen register 40\nquit\n");
        auto photo = ts::run(kioskCmd(db, tmp / "photo.toml", {"--script", (tmp / "photo.script").string()}));
        std::cout << "live photo screen (camera clip, models loaded off the UI thread):\n" << photo.out;
        std::vector<double> pcpu;
        const std::regex cpuRe("cpu-s ([0-9.]+)");
        for (auto it = std::sregex_iterator(photo.out.begin(), photo.out.end(), cpuRe);
             it != std::sregex_iterator(); ++it)
            pcpu.push_back(std::stod((*it)[1]));
        if (pcpu.size() >= 2) {
            const double span = grab(photo.out, "run-s") - grab(photo.out, "first-frame-ms") / 1000.0;
            std::cout << "whole process from the first frame to exit (photo screen streaming and matching): "
                      << 100.0 * (pcpu[1] - pcpu[0]) / span << " % of a core over " << span << " s\n";
        }
        if (photo.exitCode != 0) std::cerr << photo.err;
    } else {
        std::cout << "live photo screen: skipped (KIOSK_TEST_FACES and KIOSK_MODEL_DIR are not set; ../shared)\n";
    }

    // Idle: one run of IDLE_SECONDS on the attract screen, and a short one of 6 s. The first figure counts from
    // the first frame (it includes the start-up work that follows it); the difference of the two runs' totals
    // is the settled idle cost of a kiosk that nobody touches.
    auto idleRun = [&](int seconds) {
        auto r = ts::run(kioskCmd(db, tmp / "k.toml", {"--exit-after", std::to_string(seconds)}));
        std::vector<double> cpu;
        const std::regex re("cpu-s ([0-9.]+)");
        for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), re); it != std::sregex_iterator(); ++it)
            cpu.push_back(std::stod((*it)[1]));
        if (cpu.size() < 2) std::cerr << r.out << r.err;
        struct Out {
            double firstCpu, endCpu, firstS, runS, frames;
        };
        return Out{cpu.size() >= 2 ? cpu[0] : -1, cpu.size() >= 2 ? cpu[1] : -1, grab(r.out, "first-frame-ms") / 1000.0,
                   grab(r.out, "run-s"), grab(r.out, "frames")};
    };
    const auto longRun = idleRun(idleSeconds + 6);
    const auto shortRun = idleRun(6);
    if (longRun.endCpu >= 0 && shortRun.endCpu >= 0) {
        const double span = longRun.runS - longRun.firstS;
        std::cout << "idle on the attract screen from the first frame: " << (longRun.endCpu - longRun.firstCpu)
                  << " CPU-s over " << span << " s = " << 100.0 * (longRun.endCpu - longRun.firstCpu) / span
                  << " % of a core; frames " << longRun.frames << "\n";
        const double settled = longRun.runS - shortRun.runS;
        std::cout << "idle settled (" << idleSeconds + 6 << " s run minus 6 s run): "
                  << (longRun.endCpu - shortRun.endCpu) << " CPU-s over " << settled << " s = "
                  << 100.0 * (longRun.endCpu - shortRun.endCpu) / settled << " % of a core; frames "
                  << longRun.frames - shortRun.frames << "\n";
    }
    return 0;
}
