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

.PHONY: all build test test-sanitize test-tsan bench bench-quick bench-check bench-baseline \
	bench-history bench-compare bench-diff format clean

# Install first, then configure: CMake looks for the optional parts (Boost,
# Go, gnuplot, hyperfine, qemu) when it configures, so configuring before the
# install would leave them out of a fresh machine's first build. cmake -S -B
# on an existing tree is a quick re-check that finds what was installed since.
CONFIGURE = cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)
COMPILE = cmake --build $(BUILD) -j$(JOBS)
# The peers whose build is too long for `all` (a cold cargo build): built
# where they are measured or tested.
COMPILE_PEERS = cmake --build $(BUILD) -j$(JOBS) --target peers_all

all: build

build:
	@sh scripts/bootstrap build
	$(CONFIGURE)
	$(COMPILE)

test:
	@sh scripts/bootstrap test
	$(CONFIGURE)
	$(COMPILE)
	$(COMPILE_PEERS)
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
	$(COMPILE_PEERS)
	sh scripts/bench.sh --build $(BUILD)

# The quick run builds the peers (a cold cargo build is most of it) in the
# background while corobench's own steps run, and runs the steps with peers
# after it: the time budget of a quick run from a fresh clone holds only
# so. Its measurements share the cores with that build (env.json says so);
# the full run builds everything first.
bench-quick:
	@sh scripts/bootstrap bench
	$(CONFIGURE)
	$(COMPILE)
	sh scripts/bench.sh --build $(BUILD) --quick --build-peers

# The gate and the compare print FORMAT=table|json|junit|markdown; OUT="a.md
# b.xml" also writes files, each in the format its extension names (.md,
# .xml, .json). Exit 0 pass, 1 regression, 2 usage error or cannot measure.
# Docs: bench/regress/README.md.
FORMAT ?= table
OUT ?=
GATE_OUT = --format $(FORMAT) $(foreach o,$(OUT),--output $(o))

bench-check:
	@sh scripts/bootstrap bench
	$(CONFIGURE)
	$(COMPILE)
	sh scripts/bench-check.sh --build $(BUILD) $(GATE_OUT)

# Base against head in one run: make bench-compare BASE=origin/main
bench-compare:
	@sh scripts/bootstrap bench
	$(CONFIGURE)
	$(COMPILE)
	sh scripts/bench-compare.sh --build $(BUILD) --base "$(BASE)" $(GATE_OUT)

# Two runs' verdicts side by side: make bench-diff A=<run dir or ref> B=<run dir or ref>
# [FORMAT=table|markdown|json]. The script (scripts/benchdiff.py) exits 1 on a
# contradiction (met against missed, or two intervals of one ratio that do not
# overlap) and 2 on bad input; make then fails (make's own status is 2).
bench-diff:
	@[ -n "$(A)" ] && [ -n "$(B)" ] || { echo "bench-diff: give A=<run dir or ref> and B=<run dir or ref>" >&2; exit 2; }
	$(PYTHON) scripts/benchdiff.py --format $(FORMAT) "$(A)" "$(B)"

# Trends of the history database (results/history.sqlite or BENCH_HISTORY):
# METRICS=a,b (default: every gated metric), LAST=N commits; plots and
# change points in results/history/. IMPORT="other.sqlite results/runs/<id>"
# merges other machines' histories or run directories first; machines are
# compared with each other only with ACROSS_MACHINES=1.
METRICS ?=
LAST ?= 20
IMPORT ?=
ACROSS_MACHINES ?=
bench-history:
	@sh scripts/bootstrap bench
	$(if $(IMPORT),$(PYTHON) scripts/history.py import $(IMPORT))
	$(PYTHON) scripts/history.py report --last $(LAST) $(if $(METRICS),--metrics $(METRICS)) \
		$(if $(ACROSS_MACHINES),--across-machines)

bench-baseline:
	@sh scripts/bootstrap bench
	$(CONFIGURE)
	$(COMPILE)
	sh scripts/bench-check.sh --build $(BUILD) --update-baseline

format:
	clang-format -i $$(git ls-files '*.c' '*.h' '*.cc' '*.cpp')

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-tsan
