// Writes a synthetic JPEG portrait for the fixtures when ../shared test faces are absent.
//   id_test_photo OUT.jpg [WIDTH HEIGHT]
#include <cstdio>
#include <cstdlib>

#include "id_fixture.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: id_test_photo OUT.jpg [WIDTH HEIGHT]\n");
        return 1;
    }
    const int w = argc > 3 ? std::atoi(argv[2]) : 240;
    const int h = argc > 3 ? std::atoi(argv[3]) : 320;
    idtest::writeGeneratedPhoto(argv[1], w, h);
    return 0;
}
