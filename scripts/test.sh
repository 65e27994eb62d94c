#!/usr/bin/env bash
# Installs dependencies (Debian 12, as root), builds, and runs every test.
#   scripts/test.sh            all tests
#   scripts/test.sh -L unit    only one ctest label (unit, conformance, e2e)
# Tests use real services (Redis, RabbitMQ, moto S3, PostgreSQL; scripts/services.sh): the ones not already
# running are started on loopback while the build runs, and stopped by PID at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
services_dir=build/test-services
mkdir -p "$services_dir"
scripts/services.sh fixture-start "$services_dir" > "$services_dir/start.log" 2>&1 &
starting=$!
trap 'wait "$starting" 2>/dev/null || true; scripts/services.sh fixture-stop "$services_dir" || true' EXIT
scripts/build.sh
wait "$starting" || { cat "$services_dir/start.log" >&2; exit 1; }
# GEGL oracle outputs are kept per clone and reused by later stages (tests/support/oracle.h).
export IMGFLO_GEGL_ORACLE_CACHE=${IMGFLO_GEGL_ORACLE_CACHE:-$PWD/build/gegl-oracle-cache}
jobs=$(nproc 2>/dev/null || echo 2)
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 600 "$@"
