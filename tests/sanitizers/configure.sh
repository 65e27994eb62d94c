#!/usr/bin/env bash
# Configures a clang sanitizer build directory (used by scripts/sanitize.sh and scripts/fuzz.sh).
#   tests/sanitizers/configure.sh fuzz   DIR   ASan+UBSan, every object also instrumented for
#                                              libFuzzer: runs the unit/e2e suites and the fuzz targets
#   tests/sanitizers/configure.sh thread DIR   ThreadSanitizer
# -O1 -gline-tables-only: the usual sanitizer trade-off (fast enough, symbolised stacks, quick
# to build); no NDEBUG, so assertions stay on.
set -euo pipefail
kind=${1:-}
dir=${2:-}
[[ -n "$kind" && -n "$dir" ]] || { echo "usage: $0 fuzz|thread DIR" >&2; exit 2; }
case "$kind" in
  fuzz) opts=(-DIMGFLO_FUZZ=ON -DIMGFLO_SANITIZE=address,undefined) ;;
  thread) opts=(-DIMGFLO_FUZZ=OFF -DIMGFLO_SANITIZE=thread) ;;
  *) echo "unknown kind $kind (fuzz or thread)" >&2; exit 2 ;;
esac
command -v clang++ >/dev/null || { echo "clang++ not found (scripts/install-deps.sh installs clang)" >&2; exit 1; }
cd "$(dirname "$0")/../.."
cmake -S . -B "$dir" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Sanitize \
  -DCMAKE_CXX_FLAGS_SANITIZE="-O1 -gline-tables-only" "${opts[@]}" >/dev/null
