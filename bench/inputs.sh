#!/usr/bin/env bash
# bench/inputs.sh — what EXIF orientation and ICC colour management cost per photo:
# CPU time of build/imgflo-process on an orientation-6 JPEG and on an Adobe RGB JPEG
# (profile embedded), against the same request on the untagged sRGB JPEG.
#
# Inputs (made once with vips + exiftool from examples/mountains.png, kept in build/bench/):
# a 3000x2000 sRGB JPEG Q90 with no metadata (the baseline), the same photo stored
# rotated with EXIF Orientation=6 (a portrait from a phone), converted into Adobe RGB
# with the profile embedded (colord's AdobeRGB1998.icc), and tagged with libvips'
# sRGB profile (what many cameras and editors write). Each request runs as
# passthrough to JPEG, at full size and with width=800. Timed with hyperfine
# (1 warm-up, RUNS runs; CPU = user+sys, the cost a busy server pays).
#
# Target (issue 10): CPU ratio tagged / untagged <= 1.15 for orientation and for
# the colour transform.
#
# Usage: bench/inputs.sh [--record] [--runs N]
#   --record  replace the inputs section of bench/RESULTS.md with this run's
#   --runs N  hyperfine runs per command (default 10)
# Environment: BUILD_DIR (default build). The section is always written to
# build/bench/inputs-<time>.md; the exit status is 1 when a target fails.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
bench_start inputs runs 10 "$@"

make_inputs() {
  mkdir -p "$DATA"
  local base=$DATA/photo-srgb.jpg
  [[ -s $base ]] ||
    vips thumbnail "$ROOT/examples/mountains.png" "$base[Q=90,strip]" 3000 --height 2000 --size force
  if [[ ! -s $DATA/photo-orientation6.jpg ]]; then
    vips rot "$base" "$TMP/rotated.v" d270
    vips jpegsave "$TMP/rotated.v" "$DATA/photo-orientation6.jpg" --Q 90 --strip
    exiftool -q -n -overwrite_original -Orientation=6 "$DATA/photo-orientation6.jpg"
  fi
  [[ -s $DATA/photo-adobergb.jpg ]] ||
    vips icc_transform "$base" "$DATA/photo-adobergb.jpg[Q=90]" /usr/share/color/icc/colord/AdobeRGB1998.icc \
      --input-profile srgb
  [[ -s $DATA/photo-srgb-tagged.jpg ]] ||
    vips icc_transform "$base" "$DATA/photo-srgb-tagged.jpg[Q=90]" srgb --input-profile srgb
}

# label (no commas: hyperfine writes CSV) | input file | extra parameters
CASES=$(cat <<'EOF'
untagged sRGB|photo-srgb.jpg|
orientation 6|photo-orientation6.jpg|
Adobe RGB profile|photo-adobergb.jpg|
sRGB profile|photo-srgb-tagged.jpg|
untagged sRGB width=800|photo-srgb.jpg|width=800
orientation 6 width=800|photo-orientation6.jpg|width=800
Adobe RGB profile width=800|photo-adobergb.jpg|width=800
sRGB profile width=800|photo-srgb-tagged.jpg|width=800
EOF
)

make_inputs
LOAD_BEFORE=$(load_average)
ARGS=()
while IFS='|' read -r label file extra; do
  ARGS+=("$label" "$PROCESS passthrough $TMP/out.jpg input=$DATA/$file $extra")
done <<<"$CASES"
declare -A WALL CPU
# time_commands prints "name mean sd cpu"; names contain spaces.
while read -r line; do
  cpu=${line##* }; rest=${line% *}; rest=${rest% *}; wall=${rest##* }; label=${rest% *}
  WALL[$label]=$wall CPU[$label]=$cpu
done < <(time_commands 1 "$RUNS" "${ARGS[@]}")
LOAD_AFTER=$(load_average)

ratio() { awk -v a="${CPU[$1]}" -v b="${CPU[$2]}" 'BEGIN { printf "%.2f", a / b }'; }
judge_ratio() {
  local r verdict=FAIL
  r=$(ratio "$2" "$3")
  awk -v v="$r" 'BEGIN { exit !(v <= 1.15) }' && verdict=PASS
  echo "| $1 | $r× | ≤ 1.15× | **$verdict** |"
}
TARGETS=$(
  judge_ratio "orientation 6 / untagged (full size)" "orientation 6" "untagged sRGB"
  judge_ratio "Adobe RGB / untagged (full size)" "Adobe RGB profile" "untagged sRGB"
  judge_ratio "orientation 6 / untagged (width=800)" "orientation 6 width=800" "untagged sRGB width=800"
  judge_ratio "Adobe RGB / untagged (width=800)" "Adobe RGB profile width=800" "untagged sRGB width=800"
)
FAILED=0
grep -q FAIL <<<"$TARGETS" && FAILED=1

SECTION=$DATA/inputs-$(date -u +%Y%m%d-%H%M%S).md
{
  echo "## Inputs: cost of EXIF orientation and ICC colour management (bench/inputs.sh)"
  echo
  echo "Command: \`$INVOCATION\` — hyperfine, 1 warm-up + $RUNS runs of" \
       "\`imgflo-process passthrough OUT.jpg input=IN [width=800]\`, input 3000×2000 JPEG Q90 from examples/mountains.png."
  echo
  machine_facts
  echo "- load average (1/5/15 min) before: $LOAD_BEFORE, after: $LOAD_AFTER"
  echo
  echo "### Targets (CPU = user+sys)"
  echo
  echo "| target | measured | limit | result |"
  echo "|---|---|---|---|"
  echo "$TARGETS"
  echo
  echo "### Per input (seconds, mean)"
  echo
  echo "| input | wall | CPU | CPU ratio to untagged |"
  echo "|---|---|---|---|"
  while IFS='|' read -r label _ extra; do
    base="untagged sRGB"
    [[ -z $extra ]] || base="untagged sRGB $extra"
    echo "| $label | ${WALL[$label]} | ${CPU[$label]} | $(ratio "$label" "$base") |"
  done <<<"$CASES"
} >"$SECTION"

cat "$SECTION"
if ((RECORD)); then
  record_section "$ROOT/bench/RESULTS.md" inputs.sh "$SECTION"
  echo "recorded in bench/RESULTS.md (section also in ${SECTION#"$ROOT/"})" >&2
fi
exit "$FAILED"
