#!/usr/bin/env bash
# Installs dependencies (Debian 12, as root), builds, and runs imgflo-server in
# the embedded default (one process: in-process queue and workers, in-memory
# cache index, results in temp/cache served at /cache/). Port 8080 unless PORT
# is set; every other setting: build/imgflo-server --help.
# Try: http://localhost:8080/graph/gradientmap.png?input=files/grid-toastybob.jpg&color1=%23082A31
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/imgflo-server "$@"
