#!/usr/bin/env bash
# Builds (if needed) and runs the libFuzzer targets of tests/fuzz.
#   scripts/fuzz.sh TARGET [SECONDS]   one target (url, json, fbp, color, broker, image, video) for SECONDS (30)
#   scripts/fuzz.sh all [SECONDS]      each target in turn, SECONDS each
#   scripts/fuzz.sh list               the target names
#   scripts/fuzz.sh build              only builds every target
# Build directory: build-fuzz (FUZZ_BUILD_DIR=...), clang with ASan+UBSan (tests/sanitizers/configure.sh).
# Seeds: tests/fuzz/corpus/TARGET (read only; video's are made here with ffmpeg, see video_seeds);
# inputs found while fuzzing go to
# build-fuzz/fuzz-corpus/TARGET and are reused by the next run. Crashes, leaks and timeouts are
# written to build-fuzz/artifacts/TARGET/; reproduce one with  build-fuzz/fuzz/fuzz_TARGET FILE.
# Prints executions per target and the wall time; exit status 1 when any target found a crash.
# Extra libFuzzer flags: FUZZ_FLAGS="-jobs=2 ...". Options: FUZZ_TIMEOUT (s per input, default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(url json fbp color broker image video)
what=${1:-}
seconds=${2:-30}
[[ -n "$what" ]] || { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
if [[ "$what" == list ]]; then printf '%s\n' "${targets[@]}"; exit 0; fi
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || { echo "SECONDS must be a positive integer" >&2; exit 2; }
if [[ "$what" == all || "$what" == build ]]; then
  run=("${targets[@]}")
else
  [[ " ${targets[*]} " == *" $what "* ]] || { echo "unknown target $what (one of: ${targets[*]}, all)" >&2; exit 2; }
  run=("$what")
fi

dir=${FUZZ_BUILD_DIR:-build-fuzz}
jobs=$(nproc 2>/dev/null || echo 2)
# shellcheck source=../tests/sanitizers/env.sh
source tests/sanitizers/env.sh

start=$SECONDS
if ! grep -q '^IMGFLO_FUZZ:BOOL=ON' "$dir/CMakeCache.txt" 2>/dev/null; then
  tests/sanitizers/configure.sh fuzz "$dir"
fi
build_targets=()
for t in "${run[@]}"; do build_targets+=("fuzz_$t"); done
cmake --build "$dir" -j"$jobs" --target "${build_targets[@]}"
echo "fuzz: build $((SECONDS - start)) s"
[[ "$what" == build ]] && exit 0

# Tiny videos (32x24, a few frames of testsrc, some with audio) in each accepted container and
# codec, made once per build directory with the real ffmpeg: nothing downloaded, no blobs in the repo.
video_seeds() {
  local out=$1 v="-f lavfi -i testsrc=s=32x24:r=10:d=0.3" a="-f lavfi -i sine=d=0.3:sample_rate=8000"
  local odd="-f lavfi -i testsrc=s=33x25:r=10:d=0.3"
  [[ -f "$out/.made-2" ]] && return 0
  command -v ffmpeg >/dev/null || { echo "fuzz: ffmpeg not found (scripts/install-deps.sh installs it)" >&2; return 1; }
  mkdir -p "$out"
  local spec name args
  for spec in "h264.mp4|$v -c:v libx264 -pix_fmt yuv420p -movflags +faststart" \
              "h264-aac.mp4|$v $a -c:v libx264 -pix_fmt yuv420p -c:a aac -shortest" \
              "mpeg4.mov|$v -c:v mpeg4" "mjpeg.mov|$v -c:v mjpeg" \
              "vp8.webm|$v -c:v libvpx -b:v 50k" "vp9-opus.webm|$v $a -c:v libvpx-vp9 -b:v 50k -c:a libopus -shortest" \
              "mpeg2-mp2.mkv|$v $a -c:v mpeg2video -c:a mp2 -shortest" "mpeg4-mp2.asf|$v $a -c:v mpeg4 -c:a mp2 -shortest" \
              "hevc.mp4|$v -c:v libx265 -x265-params log-level=error" "av1.mkv|$v -c:v libaom-av1 -cpu-used 8" \
              "h264-444-odd.mkv|$odd -c:v libx264 -pix_fmt yuv444p"; do
    name=${spec%%|*}
    read -r -a args <<< "${spec#*|}"
    ffmpeg -v error -y "${args[@]}" "$out/$name" || { echo "fuzz: ffmpeg could not make seed $name" >&2; return 1; }
  done
  touch "$out/.made-2"
}

failed=()
summary=()
for t in "${run[@]}"; do
  work="$dir/fuzz-corpus/$t"
  artifacts="$dir/artifacts/$t"
  log="$dir/fuzz-logs/$t.log"
  seeds="tests/fuzz/corpus/$t"
  if [[ "$t" == video ]]; then
    seeds="$dir/fuzz-seeds/video"
    video_seeds "$seeds"
  fi
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  t0=$SECONDS
  echo "fuzz: $t for ${seconds} s (log $log)"
  rc=0
  # shellcheck disable=SC2086  # FUZZ_FLAGS is a list of flags
  "$dir/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2560 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" ${FUZZ_FLAGS:-} \
    "$work" "$seeds" > "$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1 || true)
  corpus=$( (grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" || true) | tail -1 | sed 's/corp: //')
  cov=$( (grep -oE ' cov: [0-9]+' "$log" || true) | tail -1 | sed 's/ cov: //')
  line="$t: ${execs:-?} executions in $((SECONDS - t0)) s, corpus ${corpus:-?}, coverage ${cov:-?}"
  if ((rc != 0)); then
    failed+=("$t")
    line+=" -- FOUND A CRASH (exit $rc)"
    echo "---- $t: the end of its log ----"
    (grep -vE '^(#[0-9]+|\s+NEW_FUNC)' "$log" || true) | tail -60
    echo "---- artifacts: $(ls "$artifacts" | sed "s|^|$artifacts/|" | tr '\n' ' ')"
    echo "---- reproduce: $dir/fuzz/fuzz_$t <artifact>"
  fi
  echo "fuzz: $line"
  summary+=("$line")
done

echo "fuzz: summary (total $((SECONDS - start)) s)"
printf '  %s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "fuzz: crashes in: ${failed[*]}" >&2
  exit 1
fi
