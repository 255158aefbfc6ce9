#!/bin/sh
# scripts/bench.sh --build DIR [--quick] [--results DIR] [--only STEPS]
# The entry point of `make bench` / `make bench-quick`: runs scripts/bench.py
# (see its --help) with the project's Python.
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
exec "$PYTHON" "$(dirname "$0")/bench.py" "$@"
