// Benchmark (not a test, not in CI): a whole passport read (SELECT, BAC, EF.COM, DG1, DG2, EF.SOD, passive
// authentication) through the real pcscd, vpcd and the Python virtual passport: wall time and APDU count.
//   bench_id_read [ITERATIONS] [KIOSKCTL]
// Starts its own pcscd and card with pcsc_stack.sh (stop any running pcscd first).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "devices/id/emrtd.hpp"
#include "devices/id/pcsc.hpp"
#include "test_support.hpp"

using namespace devices::id;
using Clock = std::chrono::steady_clock;

namespace {

struct Stats {
    double minMs, medianMs, maxMs;
};

Stats stats(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return {v.front(), v[v.size() / 2], v.back()};
}

int measure(const char* label, const std::string& reader, int n, const std::filesystem::path& csca) {
    std::vector<double> times;
    std::size_t apdus = 0, dg2 = 0;
    bool ext = false;
    std::string verdict;
    for (int i = 0; i < n; ++i) {
        PassportReadOptions opt;
        opt.cscaDir = csca;
        const auto t0 = Clock::now();
        auto r = readPassportFromReader(reader, MrzKey{"L898902C3", "740812", "120415"}, opt, std::chrono::seconds(5));
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (!r) {
            std::fprintf(stderr, "%s: read failed: %s\n", label, r.error().message.c_str());
            return 1;
        }
        times.push_back(ms);
        apdus = r->apdus;
        dg2 = r->rawGroups.count(2) ? r->rawGroups.at(2).size() : 0;
        ext = r->extendedLength;
        verdict = std::string(paVerdictName(r->pa.verdict));
    }
    const auto s = stats(times);
    std::printf("%-34s n=%-3d min %7.1f ms  median %7.1f ms  max %7.1f ms  APDUs %3zu  DG2 %zu bytes  extended %s  PA %s\n",
                label, n, s.minMs, s.medianMs, s.maxMs, apdus, dg2, ext ? "yes" : "no", verdict.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const int n = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
    const std::string kioskctl = argc > 2 ? argv[2] : "";
    testsupport::TempDir dir;
    const std::string stack = std::string(ID_SOURCE_DIR) + "/pcsc_stack.sh";
    auto up = testsupport::run({stack, "start", dir.path().string(), ID_PHOTO_TOOL});
    if (up.exitCode != 0) {
        std::fprintf(stderr, "cannot start pcscd and the virtual card:\n%s%s", up.out.c_str(), up.err.c_str());
        return 2;
    }
    const auto fixture = dir.path() / "fixture";
    int rc = measure("library read, extended length", "Virtual PCD 00 00", n, fixture / "csca");

    // Same card without extended length on the second slot.
    pid_t pid = fork();
    if (pid == 0) {
        const std::string vp = std::string(ID_SOURCE_DIR) + "/vcard/vpassport.py";
        const std::string mrz = (fixture / "mrz.txt").string(), photo = (fixture / "photo.jpg").string(),
                          sod = (fixture / "sod.bin").string();
        execl("/usr/bin/python3", "python3", vp.c_str(), "serve", "--mrz", mrz.c_str(), "--photo", photo.c_str(),
              "--sod", sod.c_str(), "--port", "35964", "--no-extended", static_cast<char*>(nullptr));
        _exit(127);
    }
    if (auto ctx = PcscContext::establish(); ctx && (*ctx)->waitForCard("Virtual PCD 00 01", std::chrono::seconds(10)))
        rc |= measure("library read, short APDUs (Le=DF)", "Virtual PCD 00 01", n, fixture / "csca");
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);

    if (!kioskctl.empty()) {
        std::vector<double> times;
        for (int i = 0; i < std::min(n, 10); ++i) {
            const auto t0 = Clock::now();
            auto r = testsupport::run({kioskctl, "id", "read", "--reader", "Virtual PCD 00 00", "--mrz-key",
                                       "L898902C3,740812,120415", "--csca", (fixture / "csca").string(), "--json"});
            times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
            if (r.exitCode != 0) {
                std::fprintf(stderr, "kioskctl id read failed: %s\n", r.err.c_str());
                rc = 1;
                break;
            }
        }
        if (!times.empty()) {
            const auto s = stats(times);
            std::printf("%-34s n=%-3zu min %7.1f ms  median %7.1f ms  max %7.1f ms  (process start included)\n",
                        "kioskctl id read", times.size(), s.minMs, s.medianMs, s.maxMs);
        }
    }
    testsupport::run({stack, "stop", dir.path().string()});
    return rc;
}
