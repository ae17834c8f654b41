# Thin driver over packaging/install-deps and the CMake presets.
#   make demo   install what is missing, build, start the demo
#   make test   install what is missing, build (normal and ASan+UBSan), run every test
#   make fuzz   build the libFuzzer targets with clang-16 and run each for FUZZ_SECONDS (or FUZZ_RUNS executions)
#               with its corpus, FUZZ_JOBS targets at a time
#   make package  Debian packages into build/packages (packaging/cpack.cmake), checked with lintian
.PHONY: all deps build build-asan test test-default test-asan demo bench fuzz package clean

SHELL := /bin/bash
CTEST_ARGS ?=
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
FUZZ_RUNS ?=
FUZZ_JOBS ?= 1
# ccache: key on paths relative to the checkout so that clones in other folders share the cache.
export CCACHE_BASEDIR ?= $(CURDIR)
export CCACHE_NOHASHDIR ?= 1
# Both build types together need about 9 GB of objects; the default 5 GB evicted one while the other built.
export CCACHE_MAXSIZE ?= 20G

all: build

deps:
	@packaging/install-deps

build: deps
	@cmake --preset default >/dev/null
	@cmake --build --preset default

build-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan

test: test-default test-asan

test-default: build
	@ctest --preset default $(CTEST_ARGS)

test-asan: build-asan
	@ctest --preset asan $(CTEST_ARGS)

demo: build
	@packaging/run-demo build/default

bench: build
	@for b in build/default/tests/bench/bench_*; do echo "== $$b"; "$$b"; done

fuzz: deps
	@CC=clang-16 CXX=clang++-16 cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DKIOSK_BUILD_FUZZ=ON -DKIOSK_BUILD_BENCH=OFF >/dev/null
	@cmake --build build/fuzz --target fuzz_all fuzz_id_mrz fuzz_id_tlv fuzz_id_dg2 fuzz_id_sod
	@FUZZ_RUNS=$(FUZZ_RUNS) FUZZ_JOBS=$(FUZZ_JOBS) tests/fuzz/run-campaign build/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

package: build
	@packaging/make-packages build/default build/packages

clean:
	rm -rf build
