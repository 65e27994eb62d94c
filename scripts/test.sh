#!/usr/bin/env bash
# Installs dependencies (Debian 12, as root), builds, and runs every test.
#   scripts/test.sh            all tests
#   scripts/test.sh -L unit    only one ctest label (unit, conformance, ...)
# The broker tests need RabbitMQ: it is started (scripts/services/rabbitmq.sh, build/test-services)
# while the build runs, and stopped at the end (KEEP_SERVICES=1 leaves it running for re-runs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
mkdir -p build/test-services
scripts/services/rabbitmq.sh start build/test-services > build/test-services/start.log 2>&1 &
broker=$!
[[ "${KEEP_SERVICES:-}" == 1 ]] || trap 'scripts/services/rabbitmq.sh stop build/test-services' EXIT
scripts/build.sh
wait "$broker" || { cat build/test-services/start.log >&2; exit 1; }
jobs=$(nproc 2>/dev/null || echo 2)
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 600 "$@"
