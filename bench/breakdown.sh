#!/usr/bin/env bash
# bench/breakdown.sh — where the time of the slower graphs goes.
#
# Writes cut-down copies of gradientmap, halodarken, motionblur, retro and croprotate
# as .fbp graphs (each stage = the graph up to and including one more node) into a
# temp folder, runs them with `build/imgflo-process --graphs TMP` on the 2000x2000
# JPEG of bench/runtime.sh, and reports each stage's mean CPU time (user+sys, which
# is less disturbed by other load on a shared machine than wall time) and the step
# from the stage before. "decode+encode" (a passthrough) is the common baseline.
#
# Usage: bench/breakdown.sh [--runs N]     (default 5 runs per stage, 1 warm-up)
# Environment: BUILD_DIR (default build). Prints a markdown table.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${BUILD_DIR:-$ROOT/build}" && pwd)
DATA=$BUILD/bench
RUNS=5
[[ ${1:-} == --runs ]] && RUNS=$2
TMP=$(mktemp -d "${TMPDIR:-/tmp}/imgflo-breakdown.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/graphs"

# graph NAME: writes the .fbp text on stdin as TMP/graphs/NAME.fbp.
graph() { cat >"$TMP/graphs/$1.fbp"; }

graph base <<'EOF'
INPORT=in.INPUT:INPUT
OUTPORT=in.OUTPUT:OUTPUT
in(gegl/nop)
EOF

# gradientmap: grey -> gradient-map -> (opacity 1 = passthrough) -> src-over (srgb) with the input.
graph gm1-grey <<'EOF'
INPORT=in.INPUT:INPUT
OUTPORT=g.OUTPUT:OUTPUT
in(gegl/nop) OUTPUT -> INPUT g(gegl/grey)
EOF
graph gm2-map <<'EOF'
INPORT=in.INPUT:INPUT
OUTPORT=m.OUTPUT:OUTPUT
in(gegl/nop) OUTPUT -> INPUT g(gegl/grey) OUTPUT -> INPUT m(gegl/gradient-map)
EOF
graph gm3-over <<'EOF'
INPORT=in.INPUT:INPUT
OUTPORT=b.OUTPUT:OUTPUT
'true' -> SRGB b(svg/src-over)
in(gegl/nop) OUTPUT -> INPUT g(gegl/grey) OUTPUT -> INPUT m(gegl/gradient-map) OUTPUT -> AUX b
in OUTPUT -> INPUT b
EOF

# halodarken: blur 10 -> edge-sobel -> opacity 0.7 -> gray -> color-dodge (srgb) with the input.
BLUR="'10' -> STD-DEV-X b(gegl/gaussian-blur)
'10' -> STD-DEV-Y b
'true' -> CLIP-EXTENT b"
graph hd1-blur <<EOF
INPORT=in.INPUT:INPUT
OUTPORT=b.OUTPUT:OUTPUT
$BLUR
in(gegl/nop) OUTPUT -> INPUT b
EOF
graph hd2-sobel <<EOF
INPORT=in.INPUT:INPUT
OUTPORT=e.OUTPUT:OUTPUT
$BLUR
in(gegl/nop) OUTPUT -> INPUT b OUTPUT -> INPUT e(gegl/edge-sobel)
EOF
graph hd3-gray <<EOF
INPORT=in.INPUT:INPUT
OUTPORT=g.OUTPUT:OUTPUT
$BLUR
'0.7' -> VALUE o(gegl/opacity)
in(gegl/nop) OUTPUT -> INPUT b OUTPUT -> INPUT e(gegl/edge-sobel) OUTPUT -> INPUT o OUTPUT -> INPUT g(gegl/gray)
EOF
cp "$ROOT/graphs/halodarken.json" "$TMP/graphs/hd4-dodge.json"

# motionblur: motion-blur 100/90 -> brightness-contrast 1.1 -> screen (linear) with the input.
graph mb1-blur <<'EOF'
INPORT=in.INPUT:INPUT
OUTPORT=m.OUTPUT:OUTPUT
'100' -> LENGTH m(gegl/motion-blur-linear)
'90' -> ANGLE m
in(gegl/nop) OUTPUT -> INPUT m
EOF
graph mb2-contrast <<'EOF'
INPORT=in.INPUT:INPUT
OUTPORT=c.OUTPUT:OUTPUT
'100' -> LENGTH m(gegl/motion-blur-linear)
'90' -> ANGLE m
'1.1' -> CONTRAST c(gegl/brightness-contrast)
in(gegl/nop) OUTPUT -> INPUT m OUTPUT -> INPUT c
EOF
cp "$ROOT/graphs/motionblur.json" "$TMP/graphs/mb3-screen.json"

# retro: retro-curve prog -> opacity 0.5 -> src-over (srgb) with the input.
graph rt1-curve <<'EOF'
INPORT=in.INPUT:INPUT
OUTPORT=r.OUTPUT:OUTPUT
'prog' -> PRESET r(imgfloextra/retro-curve)
in(gegl/nop) OUTPUT -> INPUT r
EOF
cp "$ROOT/graphs/retro.json" "$TMP/graphs/rt2-over.json"

# croprotate: rotate-on-center 30 (nearest) -> crop back to 2000x2000.
graph cr1-rotate <<'EOF'
INPORT=in.INPUT:INPUT
OUTPORT=r.OUTPUT:OUTPUT
'30' -> DEGREES r(gegl/rotate-on-center)
'nearest' -> SAMPLER r
in(gegl/nop) OUTPUT -> INPUT r
EOF
cp "$ROOT/graphs/croprotate.json" "$TMP/graphs/cr2-crop.json"

STAGES="base gm1-grey gm2-map gm3-over hd1-blur hd2-sobel hd3-gray hd4-dodge
mb1-blur mb2-contrast mb3-screen rt1-curve rt2-over cr1-rotate cr2-crop"
# shellcheck disable=SC2034  # read through ${!extra_var} below
EXTRA_ARGS_cr2_crop="degrees=30 x=366 y=366 cropwidth=2000 cropheight=2000"

[[ -s $DATA/in-2000x2000.jpg ]] || { echo "run bench/runtime.sh first (it makes $DATA/in-2000x2000.jpg)" >&2; exit 1; }
args=()
for s in $STAGES; do
  extra_var="EXTRA_ARGS_${s//-/_}"
  args+=(-n "$s" "$BUILD/imgflo-process --timeout 0 --graphs $TMP/graphs $s $TMP/out.jpg input=$DATA/in-2000x2000.jpg ${!extra_var:-}")
done
hyperfine -N --style basic --warmup 1 --runs "$RUNS" --export-csv "$TMP/times.csv" "${args[@]}" >&2

echo "| stage (graph up to this node) | CPU s | step CPU s | wall s |"
echo "|---|---|---|---|"
awk -F, 'NR > 1 {
  cpu = $5 + $6; p = substr($1, 1, 2)
  step = (p == prefix) ? sprintf("%+.3f", cpu - prev) : (p == "ba" ? "" : sprintf("%+.3f", cpu - base))
  if (p == "ba") base = cpu
  printf "| %s | %.3f | %s | %.3f |\n", $1, cpu, step, $2
  prefix = p; prev = cpu }' "$TMP/times.csv"
echo
echo "Step of a first stage = its CPU minus \`base\` (decode + encode of the same JPEG). Command: \`bench/breakdown.sh --runs $RUNS\`, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)."
