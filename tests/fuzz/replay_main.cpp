// Runs a fuzz target's inputs once each without libFuzzer, so that normal builds (gcc, CI) compile every target
// and replay its seed corpus, the inputs that crashed an earlier campaign among them:
//   fuzz_X_replay FILE_OR_FOLDER...
// Every file named and every file under every folder named runs once, in name order. The target's own checks
// (__builtin_trap, abort) and, in the ASan build, the sanitizers fail the run as they would fail a campaign.
// Exit 0 when every input ran; 2 when an argument is missing or there is no input at all.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    std::vector<fs::path> inputs;
    for (int i = 1; i < argc; ++i) {
        const fs::path arg(argv[i]);
        std::error_code ec;
        if (fs::is_directory(arg, ec)) {
            for (const auto& entry : fs::recursive_directory_iterator(arg, ec))
                if (entry.is_regular_file()) inputs.push_back(entry.path());
        } else if (fs::is_regular_file(arg, ec)) {
            inputs.push_back(arg);
        } else {
            std::fprintf(stderr, "%s: no such file or folder; give the seed corpus of this target\n", argv[i]);
            return 2;
        }
        if (ec) {
            std::fprintf(stderr, "%s: cannot be read (%s)\n", argv[i], ec.message().c_str());
            return 2;
        }
    }
    if (inputs.empty()) {
        std::fprintf(stderr, "no input to run: give the target's seed corpus folder (it must not be empty)\n");
        return 2;
    }
    std::ranges::sort(inputs);
    for (const auto& path : inputs) {
        // Read into a heap buffer of exactly the input's size, so that ASan catches a read one past its end as
        // under libFuzzer.
        std::error_code ec;
        const auto size = static_cast<std::size_t>(fs::file_size(path, ec));
        const auto data = std::make_unique<std::uint8_t[]>(ec ? 0 : size);
        std::ifstream in(path, std::ios::binary);
        if (ec || !in.read(reinterpret_cast<char*>(data.get()), static_cast<std::streamsize>(size))) {
            std::fprintf(stderr, "%s: cannot be read\n", path.c_str());
            return 2;
        }
        std::fprintf(stderr, "running %s (%zu bytes)\n", path.c_str(), size);
        (void)LLVMFuzzerTestOneInput(data.get(), size);
    }
    std::printf("%zu input(s) ran without a crash\n", inputs.size());
    return 0;
}
