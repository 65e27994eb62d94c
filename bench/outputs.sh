#!/usr/bin/env bash
# bench/outputs.sh — what the output types of issue 11 cost to encode, and what they weigh at
# equal visual quality, on a 2 MP photo (examples/mountains.png scaled by 1.2 to 1728x1200,
# kept in build/bench/ as outputs-photo.png and, saved at JPEG Q 90, outputs-photo.jpg).
#
# 1. Encode cost: `imgflo-process passthrough.TYPE OUT input=outputs-photo.jpg` (the service's
#    path: sniff, our JPEG decoder, the encoder with the service's settings) against
#    `vips copy outputs-photo.jpg OUT.TYPE[same options]`: CPU time (user+sys) and wall time per
#    image (hyperfine, 1 warm-up, RUNS runs), bytes of both files, ratios ours / vips.
# 2. AVIF effort: `vips copy` at Q 50 with effort 0..4 (CPU, bytes, SSIM): the point picked.
# 3. Equal visual quality: JPEG at the default Q 90 sets the target; for WebP, AVIF and JPEG XL
#    the lowest `quality` whose SSIM reaches it (bisection over 1..100, our encoder), the bytes,
#    and the mean CIEDE2000 for information. SSIM: luma (libvips b-w), 11-tap Gaussian window
#    sigma 1.5, C1 = (0.01*255)^2, C2 = (0.03*255)^2 (Wang et al. 2004), against the PNG source.
#
# Usage: bench/outputs.sh [--record] [--runs N]
#   --record  replace the outputs section of bench/RESULTS.md with this run's
#   --runs N  hyperfine runs per command (default 10)
# Environment: BUILD_DIR (default build). The section is always written to
# build/bench/outputs-<time>.md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
bench_start outputs runs 10 "$@"

PNG=$DATA/outputs-photo.png
JPG=$DATA/outputs-photo.jpg

# The service's settings per type (runtime/codec.h, frame_encode.h, still_encode.h), as
# libvips save options.
declare -A VIPS_OPTIONS=(
  [jpg]="Q=90,interlace,optimize_coding,subsample_mode=off,strip"
  [png]="compression=9,bitdepth=8,strip"
  [gif]="effort=5,dither=1,strip"
  [webp]="Q=80,effort=4,strip"
  [avif]="Q=50,compression=av1,effort=0,bitdepth=8,strip"
  [jxl]="Q=75,effort=4,strip"
)

make_inputs() {
  mkdir -p "$DATA"
  [[ -f $PNG ]] || vips resize "$ROOT/examples/mountains.png" "$PNG" 1.2
  [[ -f $JPG ]] || vips copy "$PNG" "$JPG[Q=90]"
}

# Mean SSIM of the luma of $2 against $1 (see the header), printed with 4 decimals.
ssim() {
  local d=$TMP/ssim
  mkdir -p "$d"
  vips colourspace "$1" "$d/a.v" b-w && vips extract_band "$d/a.v" "$d/a1.v" 0 && vips cast "$d/a1.v" "$d/x.v" float
  vips colourspace "$2" "$d/b.v" b-w && vips extract_band "$d/b.v" "$d/b1.v" 0 && vips cast "$d/b1.v" "$d/y.v" float
  local f
  for f in x y; do vips multiply "$d/$f.v" "$d/$f.v" "$d/${f}2.v"; done
  vips multiply "$d/x.v" "$d/y.v" "$d/xy.v"
  for f in x y x2 y2 xy; do vips gaussblur "$d/$f.v" "$d/m$f.v" 1.5 --precision float; done
  vips multiply "$d/mx.v" "$d/mx.v" "$d/mxmx.v"
  vips multiply "$d/my.v" "$d/my.v" "$d/mymy.v"
  vips multiply "$d/mx.v" "$d/my.v" "$d/mxmy.v"
  vips subtract "$d/mx2.v" "$d/mxmx.v" "$d/vx.v"
  vips subtract "$d/my2.v" "$d/mymy.v" "$d/vy.v"
  vips subtract "$d/mxy.v" "$d/mxmy.v" "$d/cxy.v"
  vips linear "$d/mxmy.v" "$d/n1.v" 2 6.5025
  vips linear "$d/cxy.v" "$d/n2.v" 2 58.5225
  vips multiply "$d/n1.v" "$d/n2.v" "$d/num.v"
  vips add "$d/mxmx.v" "$d/mymy.v" "$d/d1.v" && vips linear "$d/d1.v" "$d/e1.v" 1 6.5025
  vips add "$d/vx.v" "$d/vy.v" "$d/d2.v" && vips linear "$d/d2.v" "$d/e2.v" 1 58.5225
  vips multiply "$d/e1.v" "$d/e2.v" "$d/den.v"
  vips divide "$d/num.v" "$d/den.v" "$d/s.v"
  printf '%.4f' "$(vips avg "$d/s.v")"
  rm -rf "$d"
}

# Mean CIEDE2000 of $2 against $1, 2 decimals.
delta_e() {
  vips dE00 "$1" "$2" "$TMP/de.v" 2>/dev/null
  printf '%.2f' "$(vips avg "$TMP/de.v")"
}

# Part 1, one type: a table row.
run_type() {
  local type=$1 n m s c ours vips
  local -A mean cpu
  echo "== $type" >&2
  ours=$TMP/ours.$type vips=$TMP/vips.$type
  while read -r n m s c; do mean[$n]=$m cpu[$n]=$c; done < <(time_commands 1 "$RUNS" \
    ours "$PROCESS passthrough.$type $ours input=$JPG" \
    vips "vips copy $JPG $vips[${VIPS_OPTIONS[$type]}]")
  awk -v t="$type" -v om="${mean[ours]}" -v oc="${cpu[ours]}" -v vm="${mean[vips]}" -v vc="${cpu[vips]}" \
      -v ob="$(stat -c %s "$ours")" -v vb="$(stat -c %s "$vips")" 'BEGIN {
    printf "| %s | %.3f | %.3f | %d | %.3f | %.3f | %d | %.2f | **%.2f** | %.3f |\n",
           t, om, oc, ob, vm, vc, vb, om / vm, oc / vc, ob / vb }'
}

# Part 2, one effort: a table row.
run_effort() {
  local e=$1 out=$TMP/effort$1.avif n m s c
  echo "== avif effort $e" >&2
  read -r n m s c < <(time_commands 1 3 "effort$e" \
    "vips copy $JPG $out[Q=50,compression=av1,effort=$e,bitdepth=8,strip]")
  echo "| $e | $(printf '%.3f' "$c") | $(printf '%.3f' "$m") | $(stat -c %s "$out") | $(ssim "$JPG" "$out") |"
}

# Our encoding of the PNG source at quality $2 as type $1: the file name.
ours_at() {
  local out=$TMP/q-$2.$1
  $PROCESS "passthrough.$1" "$out" "input=$PNG" "quality=$2" >&2
  echo "$out"
}

# Part 3, one type: the lowest quality reaching SSIM $2; a table row.
equal_quality_row() {
  local type=$1 target=$2 lo=1 hi=100 mid out
  echo "== $type at SSIM >= $target" >&2
  while ((lo < hi)); do
    mid=$(((lo + hi) / 2))
    out=$(ours_at "$type" "$mid")
    if awk -v a="$(ssim "$PNG" "$out")" -v t="$target" 'BEGIN { exit !(a >= t) }'; then hi=$mid; else lo=$((mid + 1)); fi
  done
  out=$(ours_at "$type" "$lo")
  echo "| $type | $lo | $(stat -c %s "$out") | $(ssim "$PNG" "$out") | $(delta_e "$PNG" "$out") |"
}

make_inputs
LOAD_BEFORE=$(load_average)
ROWS=$(for type in jpg png gif webp avif jxl; do run_type "$type"; done)
EFFORTS=$(for e in 0 1 2 3 4; do run_effort "$e"; done)
JPEG_REF=$(ours_at jpg 90)
TARGET=$(ssim "$PNG" "$JPEG_REF")
EQUAL=$(
  echo "| jpg (default) | 90 | $(stat -c %s "$JPEG_REF") | $TARGET | $(delta_e "$PNG" "$JPEG_REF") |"
  for type in webp avif jxl; do equal_quality_row "$type" "$TARGET"; done
)
LOAD_AFTER=$(load_average)

SECTION=$TMP/section.md
{
  echo "## Output types: encode cost vs \`vips copy\`, size at equal quality (bench/outputs.sh)"
  echo
  echo "Run: \`$INVOCATION\` ($RUNS runs per command, 1 warm-up; load average $LOAD_BEFORE before, $LOAD_AFTER after)"
  echo
  machine_facts
  echo
  echo "Input: build/bench/outputs-photo.jpg, 1728x1200 (2.07 MP; examples/mountains.png scaled 1.2, JPEG Q 90)."
  echo "Each row: \`imgflo-process passthrough.TYPE OUT input=IN\` against \`vips copy IN OUT.TYPE[options]\`"
  echo "with the service's options; seconds per image, bytes of each file, ratios ours / vips."
  echo
  echo "| type | ours wall | ours CPU | ours bytes | vips wall | vips CPU | vips bytes | wall ratio | CPU ratio | bytes ratio |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  echo "$ROWS"
  echo
  echo "Options: $(for t in jpg png gif webp avif jxl; do printf '`%s[%s]` ' "$t" "${VIPS_OPTIONS[$t]}"; done)"
  echo
  echo "AVIF effort (aom; \`vips copy IN OUT.avif[Q=50,compression=av1,effort=E,bitdepth=8,strip]\`, 3 runs):"
  echo
  echo "| effort | CPU s | wall s | bytes | SSIM vs input |"
  echo "|---|---|---|---|---|"
  echo "$EFFORTS"
  echo
  echo "Equal visual quality: the lowest \`quality\` (our encoders) whose luma SSIM against the PNG"
  echo "source reaches JPEG Q 90's; mean CIEDE2000 for information (it punishes 4:2:0 chroma)."
  echo
  echo "| type | quality | bytes | SSIM | mean ΔE00 |"
  echo "|---|---|---|---|---|"
  echo "$EQUAL"
} >"$SECTION"

mkdir -p "$DATA"
cp "$SECTION" "$DATA/outputs-$(date -u +%Y%m%dT%H%M%SZ).md"
cat "$SECTION"
if ((RECORD)); then
  record_section "$ROOT/bench/RESULTS.md" outputs.sh "$SECTION"
  echo "recorded in bench/RESULTS.md" >&2
fi
