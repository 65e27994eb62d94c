#!/usr/bin/env bash
# bench/graphs.sh — CPU of the blend-heavy graphs (issue 12 §2) against a plain `vips`
# command chain doing the equivalent work, in the same run on the same machine.
#
# Input: a 4000x3000 JPEG Q90 (12 MP) made once with vips from examples/mountains.png
# (build/bench/graphs-4000x3000.jpg). Each graph runs as `imgflo-process GRAPH OUT.jpg
# input=IN`; each chain is a shell script of `vips` commands whose intermediates are
# .v files in the temp folder, ending with the JPEG settings imgflo writes. Timed with
# hyperfine (1 warm-up, RUNS runs); CPU = user + sys of the command and its children, which the
# other load on a shared machine disturbs far less than wall time.
#
# The chains (the goal is ours <= 2x the chain's CPU):
#   gradientmap: colourspace scrgb -> recomb (babl's luminance row) -> linear x2047 ->
#                cast ushort -> maplut (2048-entry RGBA gradient, already sRGB-encoded:
#                cheaper than our per-pixel encode) -> composite2 over the input.
#   retro:       maplut (256-entry curve per channel) -> bandjoin_const alpha 128 (the
#                opacity 0.5) -> copy as sRGB -> composite2 over the input. A lower
#                bound: ours also goes to linear light and back for the opacity.
#   halodarken:  colourspace scrgb -> gaussblur 10 (float) -> sobel -> colourspace b-w ->
#                linear x0.7 (the opacity) -> composite2 colour-dodge with the input.
#   motionblur:  colourspace scrgb -> conv with a 101-tap vertical box (float) ->
#                linear 1.1, -0.05 (contrast) -> composite2 screen with the input.
#   desaturate:  c2g's work per pixel is 40 spray reads (10 iterations x 4 samples)
#                within radius 300, a per-channel min/max envelope and a ratio. The
#                chain: morph dilate and erode with one sparse 601x601 mask of 41 set
#                taps (the centre and 40 points drawn as c2g's spray: golden angle,
#                distance 300 u^2; morph visits only set elements) -> subtract twice ->
#                divide (the relative brightness) -> linear x255 -> colourspace b-w.
#                What it leaves out: linear light (morph is 8-bit only and bitwise
#                OR/AND, the same visits as max/min but not their values on grey
#                levels), the mean of 10 envelopes of 4 (one envelope of 40 instead),
#                the Euclidean distance over the bands, the retries at edges, and
#                c2g's per-pixel random pattern: the chain's fixed mask reads the
#                same offsets for every pixel, so its reads stream through the cache
#                where c2g's scatter over the radius.
#
# Usage: bench/graphs.sh [--record] [--runs N]
#   --record  replace the graphs section of bench/RESULTS.md with this run's
#   --runs N  hyperfine runs per command (default 3)
# Environment: BUILD_DIR (default build). The section is always written to
# build/bench/graphs-<time>.md; the exit status is 1 when a graph is over 2x its chain.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
bench_start graphs runs 3 "$@"

JPEG="Q=90,interlace,optimize_coding,subsample_mode=off,strip"   # what imgflo writes
IN=$DATA/graphs-4000x3000.jpg
T=$TMP/chain

make_inputs() {
  mkdir -p "$DATA" "$T"
  [[ -s $IN ]] || vips thumbnail "$ROOT/examples/mountains.png" "${IN}[Q=90]" 4000 --height 3000 --size force
  printf '3 1\n0.2224879 0.7169038 0.0606083\n' >"$T/luma.mat"
  { echo "1 101"; for _ in $(seq 101); do echo 0.00990099; done; } >"$T/vertical101.mat"
  vips identity "$T/ramp.v" --size 2048 --ushort
  vips linear "$T/ramp.v" "$T/ramp8.v" 0.124572 0 --uchar
  vips bandjoin "$T/ramp8.v $T/ramp8.v $T/ramp8.v" "$T/ramp3.v"
  vips bandjoin_const "$T/ramp3.v" "$T/ramp4.v" 255
  vips copy "$T/ramp4.v" "$T/gradient.v" --interpretation srgb
  vips identity "$T/id.v"
  vips bandjoin "$T/id.v $T/id.v $T/id.v" "$T/curve.v"
  spray_mask >"$T/spray.mat"
}

# desaturate's mask: 601x601, 128 (don't care) but for the centre and 40 distinct
# taps at golden-angle steps and distance 300 u^2 (u uniform, fixed seed), 255 (set).
spray_mask() {
  awk 'BEGIN {
    srand(12); n = 601; c = 300; set[c, c] = 1; golden = 3.14159265358979 * (3 - sqrt(5))
    for (k = 0; k < 40;) {
      u = rand(); r = 300 * u * u; dx = int(r * cos(golden * k)); dy = int(r * sin(golden * k))
      if (!((c + dx, c + dy) in set)) { set[c + dx, c + dy] = 1; k++ }
    }
    print n, n
    for (y = 0; y < n; y++) {
      row = ""
      for (x = 0; x < n; x++) row = row (x ? " " : "") ((x, y) in set ? 255 : 128)
      print row
    }
  }'
}

# chain NAME: writes the commands on stdin as TMP/chain-NAME.sh ({in}, {t}, {out} replaced).
chain() {
  sed -e "s|{in}|$IN|g" -e "s|{t}|$T|g" -e "s|{out}|$TMP/vips-$1.jpg[$JPEG]|g" >"$TMP/chain-$1.sh"
}

chain gradientmap <<'EOF2'
set -e
vips colourspace {in} {t}/lin.v scrgb
vips recomb {t}/lin.v {t}/y.v {t}/luma.mat
vips linear {t}/y.v {t}/i.v 2047 0
vips cast {t}/i.v {t}/i16.v ushort
vips maplut {t}/i16.v {t}/map.v {t}/gradient.v
vips composite2 {in} {t}/map.v '{out}' over
EOF2
chain retro <<'EOF2'
set -e
vips maplut {in} {t}/cur.v {t}/curve.v
vips bandjoin_const {t}/cur.v {t}/ov.v 128
vips copy {t}/ov.v {t}/ov2.v --interpretation srgb
vips composite2 {in} {t}/ov2.v '{out}' over
EOF2
chain halodarken <<'EOF2'
set -e
vips colourspace {in} {t}/lin.v scrgb
vips gaussblur {t}/lin.v {t}/blur.v 10 --precision float
vips sobel {t}/blur.v {t}/edge.v
vips colourspace {t}/edge.v {t}/grey.v b-w
vips linear {t}/grey.v {t}/g7.v 0.7 0
vips composite2 {t}/g7.v {in} '{out}' colour-dodge
EOF2
chain motionblur <<'EOF2'
set -e
vips colourspace {in} {t}/lin.v scrgb
vips conv {t}/lin.v {t}/mb.v {t}/vertical101.mat --precision float
vips linear {t}/mb.v {t}/con.v 1.1 -- -0.05
vips composite2 {t}/con.v {in} '{out}' screen
EOF2
chain desaturate <<'EOF2'
set -e
vips morph {in} {t}/dil.v {t}/spray.mat dilate
vips morph {in} {t}/ero.v {t}/spray.mat erode
vips subtract {t}/dil.v {t}/ero.v {t}/range.v
vips subtract {in} {t}/ero.v {t}/num.v
vips divide {t}/num.v {t}/range.v {t}/rb.v
vips linear {t}/rb.v {t}/rb8.v 255 0 --uchar
vips colourspace {t}/rb8.v '{out}' b-w
EOF2

# One graph: prints a table row and appends "graph ratio" to $TMP/ratios.
run_graph() {
  local graph=$1 warmups=$2 runs=$3 n m c
  local -A mean cpu
  echo "== $graph" >&2
  while read -r n m _ c; do mean[$n]=$m cpu[$n]=$c; done < <(time_commands "$warmups" "$runs" \
    ours "$PROCESS $graph $TMP/ours-$graph.jpg input=$IN" \
    chain "bash $TMP/chain-$graph.sh")
  awk -v g="$graph" -v oc="${cpu[ours]}" -v cc="${cpu[chain]}" -v om="${mean[ours]}" -v cm="${mean[chain]}" 'BEGIN {
    printf "| %s | %.2f | %.2f | %.2f | %.2f | **%.2f** |\n", g, oc, cc, om, cm, oc / cc
    printf "%s %.3f\n", g, oc / cc >> "'"$TMP/ratios"'" }'
}

make_inputs
LOAD_BEFORE=$(load_average)
ROWS=$(
  for g in gradientmap retro halodarken motionblur desaturate; do run_graph "$g" 1 "$RUNS"; done
)
LOAD_AFTER=$(load_average)

SECTION=$TMP/section.md
{
  echo "## Blend-heavy graphs vs plain vips chains, issue 12 (bench/graphs.sh)"
  echo
  echo "Run: \`$INVOCATION\` ($RUNS runs per command, 1 warm-up; load average $LOAD_BEFORE before, $LOAD_AFTER after)"
  echo
  machine_facts
  echo
  echo "Input: 4000x3000 JPEG Q90 (12 MP). Ours: \`imgflo-process GRAPH OUT.jpg input=IN\`; chain: the \`vips\`"
  echo "commands listed in bench/graphs.sh (intermediates as .v files, the same JPEG settings). Seconds per"
  echo "image; ratio = our CPU / the chain's CPU (goal <= 2). desaturate's chain (sparse \`morph\` dilate and"
  echo "erode with c2g's 40 spray taps, then the ratio) leaves out what bench/graphs.sh lists; retro's chain is"
  echo "close to a lower bound."
  echo
  echo "| graph | ours CPU | chain CPU | ours wall | chain wall | CPU ratio |"
  echo "|---|---|---|---|---|---|"
  echo "$ROWS"
} >"$SECTION"

mkdir -p "$DATA"
cp "$SECTION" "$DATA/graphs-$(date -u +%Y%m%dT%H%M%SZ).md"
cat "$SECTION"
if ((RECORD)); then
  record_section "$ROOT/bench/RESULTS.md" graphs.sh "$SECTION"
  echo "recorded in bench/RESULTS.md" >&2
fi
awk '$2 > 2 { bad = 1 } END { exit bad }' "$TMP/ratios"
