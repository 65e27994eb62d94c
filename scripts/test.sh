#!/usr/bin/env bash
# Installs dependencies (Debian 12, as root), builds, and runs every test.
#   scripts/test.sh            all tests
#   scripts/test.sh -L unit    only one ctest label (unit, conformance, ...)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
jobs=$(nproc 2>/dev/null || echo 2)
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 600 "$@"
