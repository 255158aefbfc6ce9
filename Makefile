# Thin wrapper over CMake so that `make`, `make test` and `make bench` work from
# the root of a fresh clone. Each target first installs what it needs from
# Debian's packages (scripts/bootstrap) when it is missing.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
# The project's Python: Debian's interpreter when there is one, because the
# statistics (python3-scipy) come from Debian's packages and only its own
# interpreter sees them; a python3 earlier on PATH (pyenv, a venv) may not.
PYTHON ?= $(shell [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)
export PYTHON

.PHONY: all build test test-sanitize test-tsan bench bench-quick bench-check bench-baseline format clean

# Install first, then configure: CMake looks for the optional parts (Boost,
# Go, gnuplot, hyperfine, qemu) when it configures, so configuring before the
# install would leave them out of a fresh machine's first build. cmake -S -B
# on an existing tree is a quick re-check that finds what was installed since.
CONFIGURE = cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)
COMPILE = cmake --build $(BUILD) -j$(JOBS)

all: build

build:
	@sh scripts/bootstrap build
	$(CONFIGURE)
	$(COMPILE)

test:
	@sh scripts/bootstrap test
	$(CONFIGURE)
	$(COMPILE)
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# The same tests under ASan+UBSan (and warnings as errors), as CI runs them.
test-sanitize:
	@sh scripts/bootstrap test
	cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Debug -DCORO_WERROR=ON -DCORO_SANITIZE=address,undefined
	cmake --build $(BUILD)-asan -j$(JOBS)
	cd $(BUILD)-asan && ctest --output-on-failure -j$(JOBS) -LE nosan

# The thread side (and the runtime's TSan fiber annotations) under TSan.
test-tsan:
	@sh scripts/bootstrap test
	cmake -S . -B $(BUILD)-tsan -DCMAKE_BUILD_TYPE=Debug -DCORO_WERROR=ON -DCORO_SANITIZE=thread -DCORO_BUILD_BENCH=ON
	cmake --build $(BUILD)-tsan -j$(JOBS)
	cd $(BUILD)-tsan && ctest --output-on-failure -j$(JOBS) -L tsan

bench:
	@sh scripts/bootstrap bench
	$(CONFIGURE)
	$(COMPILE)
	sh scripts/bench.sh --build $(BUILD)

bench-quick:
	@sh scripts/bootstrap bench
	$(CONFIGURE)
	$(COMPILE)
	sh scripts/bench.sh --build $(BUILD) --quick

bench-check:
	@sh scripts/bootstrap bench
	$(CONFIGURE)
	$(COMPILE)
	sh scripts/bench-check.sh --build $(BUILD)

bench-baseline:
	@sh scripts/bootstrap bench
	$(CONFIGURE)
	$(COMPILE)
	sh scripts/bench-check.sh --build $(BUILD) --update-baseline

format:
	clang-format -i $$(git ls-files '*.c' '*.h' '*.cc' '*.cpp')

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-tsan
