#!/usr/bin/env bash
# bench/video.sh — a video through passthrough.mp4?width=640 (build/imgflo-process)
# next to `ffmpeg -vf scale=640:-2 -c:v libx264` with the same settings (bitrate
# 100 kb/s, the default video_bitrate; libx264's default preset; +faststart; audio
# copied), and our peak RSS on a 10 s and a 60 s input (memory must not grow with
# the duration: a few frames are held, never the video).
#
# Inputs (made once, kept in build/bench/): examples/video-3dpmic.mp4 (ASF, 848x480,
# 30 fps, 1 s) looped with `ffmpeg -stream_loop` to 10 s and 60 s and re-encoded as
# H.264 MP4 (CRF 18, ultrafast) with its MP2 audio copied. Each command runs once
# under /usr/bin/time (peak RSS, user+sys CPU, wall).
#
# Usage: bench/video.sh [--record] [--duration N]
#   --record     replace the video section of bench/RESULTS.md with this run's
#   --duration N the longer input's seconds (default 60)
# Environment: BUILD_DIR (default build).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
bench_start video duration 60 "$@"

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

# Prints "peak_MB cpu_s wall_s" of one command (or "failed").
measure() {
  if /usr/bin/time -f '%M %U %S %e' -o "$TMP/time" "$@" >/dev/null 2>"$TMP/stderr"; then
    awk '{printf "%.0f %.2f %.2f", $1 / 1024, $2 + $3, $4}' "$TMP/time"
  else
    echo failed; cat "$TMP/stderr" >&2
  fi
}

frames() { ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }

OUT=$TMP/section.md
{
  echo "## Video (bench/video.sh)"
  echo
  echo "Command: \`$INVOCATION\`; load before: $(load_average)"
  machine_facts
  echo "- inputs: examples/video-3dpmic.mp4 looped to 10 s and ${DURATION} s (848×480, 30 fps, H.264 + MP2)"
  echo
  echo "| command | input | frames out | peak RSS MB | CPU s | wall s | frames/s (wall) |"
  echo "|---|---|---|---|---|---|---|"
  run_row() {
    local label=$1 input=$2 out=$3; shift 3
    read -r rss cpu wall <<<"$(measure "$@")"
    local n; n=$(frames "$out" 2>/dev/null || echo 0)
    echo "| $label | $(basename "$input") | $n | $rss | ${cpu:-} | ${wall:-} |" \
      "$(awk -v n="$n" -v w="${wall:-0}" 'BEGIN {if (w > 0) printf "%.1f", n / w}') |"
  }
  for in in "$SHORT" "$LONG"; do
    run_row "ffmpeg -vf scale=640:-2 -c:v libx264 -b:v 100k" "$in" "$TMP/f.mp4" \
      ffmpeg -v error -y -i "$in" -vf scale=640:-2 -c:v libx264 -b:v 100k -movflags +faststart -c:a copy "$TMP/f.mp4"
    run_row "passthrough.mp4 width=640" "$in" "$TMP/p.mp4" $PROCESS passthrough.mp4 "$TMP/p.mp4" "input=$in" width=640
  done
} >"$OUT"

cat "$OUT"
mkdir -p "$BUILD/bench"
cp "$OUT" "$BUILD/bench/video-$(date -u +%Y%m%dT%H%M%S).md"
if ((RECORD)); then record_section "$ROOT/bench/RESULTS.md" video.sh "$OUT"; fi
