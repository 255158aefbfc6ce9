#!/bin/sh
# The peers' command line, kept for callers of this path: scripts/lib/peers.py --help.
py=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
exec "$py" "$(dirname "$0")/../../scripts/lib/peers.py" "$@"
