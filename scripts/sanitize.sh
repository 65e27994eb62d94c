#!/usr/bin/env bash
# Sanitizer stages (CI runs both after scripts/test.sh; see .ci/run):
#   scripts/sanitize.sh          asan, then tsan
#   scripts/sanitize.sh asan     unit + e2e suites built with clang ASan+UBSan in build-fuzz (the same
#                                objects serve the fuzz targets of scripts/fuzz.sh)
#   scripts/sanitize.sh tsan     the threaded unit tests (tsan_tests, tests/sanitizers/CMakeLists.txt) built
#                                with clang ThreadSanitizer in build-tsan
#   scripts/sanitize.sh asan|tsan|all --build-only
#                                only builds what that stage runs (.ci/run builds the next stage at low
#                                priority while the current one's tests run; the stage's own build is then
#                                a no-op)
# Tests use the services of IMGFLO_SERVICES_DIR (default build/test-services, where .ci/run and
# scripts/test.sh start them): each build directory's test-services is a link to it, so the ctest
# fixture reuses running services, or starts them there and stops them afterwards.
# Runtime options and third-party suppressions: tests/sanitizers/. Prints each stage's wall time and
# test counts; exit status 1 when a stage fails (the other stage still runs).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
build_only=false
case "$what" in all|asan|tsan) ;; *) echo "usage: $0 [all|asan|tsan] [--build-only]" >&2; exit 2 ;; esac
case "${2:-}" in
  "") ;;
  --build-only) build_only=true ;;
  *) echo "usage: $0 [all|asan|tsan] [--build-only]" >&2; exit 2 ;;
esac
# GEGL oracle outputs are kept per clone and reused by later stages (tests/support/oracle.h).
export IMGFLO_GEGL_ORACLE_CACHE=${IMGFLO_GEGL_ORACLE_CACHE:-$PWD/build/gegl-oracle-cache}
jobs=$(nproc 2>/dev/null || echo 2)
services_dir=${IMGFLO_SERVICES_DIR:-build/test-services}
# shellcheck source=../tests/sanitizers/env.sh
source tests/sanitizers/env.sh

# Left out of the ASan stage (scripts/test.sh runs them all in the release build):
#  - e2e-distributed.*: the contract suite again on 2 frontends x 2 workers over RabbitMQ; the same
#    contract runs under ASan on the embedded topology, and the distributed code under ASan in the
#    remaining e2e.Distributed* cases and the broker unit tests.
#  - e2e.Distributed.ASecondWorkerTakesAShareOfTheUrgentQueue, ...ABrokerRestartIsSurvived: the two
#    slowest e2e cases (a queue flood and a broker restart: 1-2 minutes under ASan), bench-like.
#  - e2e.Hostile cases that run the server under an address-space limit (prlimit --as): ASan reserves
#    terabytes of virtual memory for its shadow and cannot start under such a limit.
#  - e2e.Hostile.OutOfDescriptorsTheAcceptLoopDoesNotSpin: UBSan's vptr check probes memory through
#    a pipe(); with every descriptor in use it reports false "invalid vptr" errors.
#  - the exhaustive numerical agreement sweeps (MatrixToSrgbAgreement.*, PixelConvert's every-format-
#    pair comparison, ShrinkOnLoad's every-size sweeps against the real loaders): the same code paths
#    run under ASan in the smaller cases of those suites; the sweeps cost ~90 s of CPU under ASan and
#    check numbers, which the release stage does. Likewise the two largest sigmas of the streamed
#    blur's agreement cases (BlurStreamVsWhole .../s50, .../s50_alpha: 39 s under ASan; sigmas 1-25
#    run the same code).
#  - waits on real time, whose code runs in shorter cases too: BrokerTest.HeartbeatsKeepAnIdleConnection-
#    Open (14 s of an idle connection), MemoryAdmission.ConcurrentJobsWaitForMemoryAndAllSucceed
#    (25 s under ASan; ImgfloWorkerAppliesTheSameRule covers admission there, TSan the threads).
#  - e2e.Fit.CoverWindowOfEachGravityMatchesVipsThumbnail: every gravity's crop window compared with
#    vips thumbnail's on two inputs (18 s under ASan), a numerical sweep; the cover path runs under
#    ASan in the other Fit cases (sizes of each fit, dpr, animations).
asan_exclude_sweeps='^unit\.(MatrixToSrgbAgreement\.|PixelConvert\.EveryU8AndFloatPair|ShrinkOnLoad\.(JpegSides|WebpSides|ChosenJpegFactor|ChosenWebpFactor)|Cases/BlurStreamVsWhole\.WithinTolerance/s50|BrokerTest\.HeartbeatsKeepAnIdleConnectionOpen$)|^e2e\.MemoryAdmission\.ConcurrentJobsWaitForMemoryAndAllSucceed$|^e2e\.Fit\.CoverWindowOfEachGravityMatchesVipsThumbnail$'
asan_exclude=${SANITIZE_ASAN_EXCLUDE:-'^e2e-distributed\.|^e2e\.Distributed\.(ASecondWorkerTakesAShareOfTheUrgentQueue|ABrokerRestartIsSurvived)$|^e2e\.Hostile\.(OversizeOutputIsRefusedBeforeQueueing|GrowingGraphParametersAreRefused|ExtremeOpParametersAreBoundedByTheDeadline|OutOfDescriptorsTheAcceptLoopDoesNotSpin)$|'"$asan_exclude_sweeps"}
# The threaded unit tests (tests/sanitizers/CMakeLists.txt lists them) run as tsan.* from tsan_tests.
tsan_tests=${SANITIZE_TSAN_TESTS:-'^tsan\.'}

link_services() {
  local build=$1 link="$1/test-services"
  mkdir -p "$services_dir" "$build"
  local target
  target=$(cd "$services_dir" && pwd)
  if [[ -L "$link" || ! -e "$link" ]]; then
    ln -sfn "$target" "$link"
  elif [[ "$(cd "$link" && pwd -P)" != "$(cd "$target" && pwd -P)" ]]; then
    echo "sanitize: $link is a folder of its own; its tests use the services recorded there" >&2
  fi
}

# ctest_stage NAME DIR ctest-args...: runs ctest, prints "NAME: P passed, F failed of T".
ctest_stage() {
  local name=$1 build=$2
  shift 2
  local log="$build/sanitize-$name.log" rc=0
  ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 300 "$@" 2>&1 | tee "$log" || rc=$?
  local total failed
  total=$(sed -nE 's/.*tests passed, ([0-9]+) tests? failed out of ([0-9]+).*/\2/p' "$log" | tail -1)
  failed=$(sed -nE 's/.*tests passed, ([0-9]+) tests? failed out of ([0-9]+).*/\1/p' "$log" | tail -1)
  if [[ -n "$total" ]]; then
    results+=("$name: $((total - failed)) passed, $failed failed of $total tests")
  else
    results+=("$name: no test summary (see $log)")
    rc=1
  fi
  return $rc
}

build_asan() {
  tests/sanitizers/configure.sh fuzz build-fuzz
  cmake --build build-fuzz -j"$jobs" --target unit_tests e2e_tests imgflo-server imgflo-worker imgflo-process
}

build_tsan() {
  tests/sanitizers/configure.sh thread build-tsan
  cmake --build build-tsan -j"$jobs" --target tsan_tests
}

stage_asan() {
  local dir=build-fuzz t0=$SECONDS
  build_asan
  local built=$((SECONDS - t0))
  link_services "$dir"
  local rc=0
  ctest_stage asan "$dir" -L '^(unit|e2e)$' -E "$asan_exclude" || rc=$?
  times+=("asan: build ${built} s, tests $((SECONDS - t0 - built)) s, total $((SECONDS - t0)) s")
  return $rc
}

stage_tsan() {
  local dir=build-tsan t0=$SECONDS
  build_tsan
  local built=$((SECONDS - t0))
  link_services "$dir"
  local rc=0
  ctest_stage tsan "$dir" -R "$tsan_tests" || rc=$?
  times+=("tsan: build ${built} s, tests $((SECONDS - t0 - built)) s, total $((SECONDS - t0)) s")
  return $rc
}

if $build_only; then
  if [[ "$what" == all || "$what" == asan ]]; then build_asan; fi
  if [[ "$what" == all || "$what" == tsan ]]; then build_tsan; fi
  exit 0
fi

results=()
times=()
status=0
if [[ "$what" == all || "$what" == asan ]]; then stage_asan || status=1; fi
if [[ "$what" == all || "$what" == tsan ]]; then stage_tsan || status=1; fi
echo "sanitize: summary"
printf '  %s\n' "${results[@]}" "${times[@]}"
exit $status
