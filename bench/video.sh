#!/usr/bin/env bash
# bench/video.sh — a video through passthrough.mp4?width=640 (build/imgflo-process)
# next to `ffmpeg -vf scale=640:-2 -c:v libx264` with the same settings: bitrate
# 100 kb/s (the default video_bitrate), libx264's defaults otherwise (preset medium,
# threads auto: 3 on 2 CPUs), +faststart, audio copied; the script checks that the
# x264 option strings written in both results are identical. Then our peak RSS on a
# 10 s and a 60 s input (memory must not grow with the duration: a few frames are
# held, never the video; the input's bytes are, as for every input).
#
# Inputs (made once, kept in build/bench/): examples/video-3dpmic.mp4 (ASF, 848x480,
# 30 fps, 1 s) looped with `ffmpeg -stream_loop` to 10 s and 60 s and re-encoded as
# H.264 MP4 (CRF 18, ultrafast) with its MP2 audio copied. Each command runs --runs
# times under /usr/bin/time (peak RSS, user+sys CPU, wall); the row is the run of
# median wall time.
#
# Usage: bench/video.sh [--record] [--duration N] [--runs N]
#   --record     replace the video section of bench/RESULTS.md with this run's
#   --duration N the longer input's seconds (default 60)
#   --runs N     runs of each command (default 3)
# Environment: BUILD_DIR (default build).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
RUNS=3
args=()
while (($#)); do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
bench_start video duration 60 "${args[@]}"

mkdir -p "$DATA"
# make_input SECONDS: prints the path of the looped input.
make_input() {
  local out=$DATA/video-$1s.mp4
  if [[ ! -f $out ]]; then
    ffmpeg -v error -y -stream_loop $(($1 - 1)) -i "$ROOT/examples/video-3dpmic.mp4" -c:v libx264 -preset ultrafast \
      -crf 18 -pix_fmt yuv420p -c:a copy "$out"
  fi
  echo "$out"
}
SHORT=$(make_input 10)
LONG=$(make_input "$DURATION")

# Prints "peak_MB cpu_s wall_s" of one run of a command (or "failed").
measure_once() {
  if /usr/bin/time -f '%M %U %S %e' -o "$TMP/time" "$@" >/dev/null 2>"$TMP/stderr"; then
    awk '{printf "%.0f %.2f %.2f\n", $1 / 1024, $2 + $3, $4}' "$TMP/time"
  else
    echo failed; cat "$TMP/stderr" >&2
  fi
}

# The run of median wall time among $RUNS.
measure() {
  local i
  for ((i = 0; i < RUNS; i++)); do measure_once "$@"; done | sort -n -k3 | awk '{l[NR] = $0} END {print l[int((NR + 1) / 2)]}'
}

# The x264 option string libx264 writes into its stream (its SEI).
x264_options() { grep -a -o 'x264 - core [^ ]*.*options: [ -~]*' "$1" | head -1 | sed 's/.*options: //'; }

mb_of() { awk -v b="$(stat -c %s "$1")" 'BEGIN {printf "%.0f", b / 1048576}'; }

frames() { ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }

OUT=$TMP/section.md
{
  echo "## Video (bench/video.sh)"
  echo
  echo "Command: \`$INVOCATION\`; load before: $(load_average)"
  machine_facts
  echo "- inputs: examples/video-3dpmic.mp4 looped to 10 s ($(mb_of "$SHORT") MB) and ${DURATION} s" \
       "($(mb_of "$LONG") MB) (848×480, 30 fps, H.264 + MP2); each row the median-wall run of $RUNS"
  echo
  echo "| command | input | frames out | peak RSS MB | RSS − input bytes, MB | CPU s | wall s | frames/s (wall) |"
  echo "|---|---|---|---|---|---|---|---|"
  # run_row LABEL INPUT OUT HOLDS COMMAND...: a table row; sets CPU and WALL. HOLDS: 1 when
  # the command holds the input's bytes in memory (ours; ffmpeg reads the file as it goes).
  run_row() {
    local label=$1 input=$2 out=$3 holds=$4 rss n less=—; shift 4
    read -r rss CPU WALL <<<"$(measure "$@")"
    n=$(frames "$out" 2>/dev/null || echo 0)
    if ((holds)); then less=$((${rss:-0} - $(mb_of "$input"))); fi
    echo "| $label | $(basename "$input") | $n | $rss | $less | ${CPU:-} | ${WALL:-} |" \
      "$(awk -v n="$n" -v w="${WALL:-0}" 'BEGIN {if (w > 0) printf "%.1f", n / w}') |"
  }
  ratios=()
  for in in "$SHORT" "$LONG"; do
    run_row "ffmpeg -vf scale=640:-2 -c:v libx264 -b:v 100k" "$in" "$TMP/f.mp4" 0 \
      ffmpeg -v error -y -i "$in" -vf scale=640:-2 -c:v libx264 -b:v 100k -movflags +faststart -c:a copy "$TMP/f.mp4"
    f_cpu=$CPU f_wall=$WALL
    run_row "passthrough.mp4 width=640" "$in" "$TMP/p.mp4" 1 $PROCESS passthrough.mp4 "$TMP/p.mp4" "input=$in" width=640
    ratios+=("$(basename "$in"): CPU $(awk -v a="$CPU" -v b="$f_cpu" 'BEGIN {printf "%.2f", a / b}')×," \
      "wall $(awk -v a="$WALL" -v b="$f_wall" 'BEGIN {printf "%.2f", a / b}')×;")
  done
  echo
  echo "- ours / ffmpeg: $(echo "${ratios[*]}" | sed "s/;$//")"
  if [[ "$(x264_options "$TMP/f.mp4")" == "$(x264_options "$TMP/p.mp4")" ]]; then
    echo "- libx264 settings: identical option strings in both results ($(x264_options "$TMP/p.mp4" |
      grep -o 'threads=[0-9]* lookahead_threads=[0-9]*'), $(x264_options "$TMP/p.mp4" | grep -o 'rc=[a-z]* '))"
  else
    echo "- libx264 settings DIFFER: ffmpeg \`$(x264_options "$TMP/f.mp4")\` ours \`$(x264_options "$TMP/p.mp4")\`"
  fi
} >"$OUT"

cat "$OUT"
mkdir -p "$BUILD/bench"
cp "$OUT" "$BUILD/bench/video-$(date -u +%Y%m%dT%H%M%S).md"
if ((RECORD)); then record_section "$ROOT/bench/RESULTS.md" video.sh "$OUT"; fi
