#!/usr/bin/env bash
# bench/runtime.sh — times build/imgflo-process per graph against the closest plain
# `vips` command (and the `gegl` CLI where it can run the same ops), in the same run.
#
# Inputs (made once with vips from examples/mountains.png, kept in build/bench/):
# a 2000x2000 JPEG Q90 (the per-graph timings) and a 4000x3000 JPEG Q90 (peak memory
# of gradientmap). Every command is timed with hyperfine (1 warm-up, RUNS runs, mean
# wall time and mean CPU = user+sys) and run once more under /usr/bin/time for its peak
# RSS. JPEG references write what imgflo writes (Q90, progressive, optimised Huffman,
# no chroma subsampling, metadata stripped) so that the ratio measures the runtime,
# not the encoder settings; `vips copy` with a plain baseline Q90 is listed too.
#
# Targets (issue 2): <= 1.3x plain vips for passthrough+resize and for gaussian blur
# (wall-time means); peak RSS <= 150 MB for the 4000x3000 JPEG through gradientmap.
#
# Usage: bench/runtime.sh [--record] [--runs N] [--gegl-runs N] [--no-gegl] [--only LABEL]...
#   --record      replace the runtime section of bench/RESULTS.md with this run's
#   --runs N      hyperfine runs per command (default 5, at least 5 for the record)
#   --gegl-runs N runs of the gegl CLI commands (default 3, no warm-up besides the RSS
#                 run: gegl takes seconds per run, c2g ~15 s of CPU)
#   --no-gegl     skip the gegl CLI comparisons
#   --only LABEL  run only this case (repeatable), e.g. --only gaussianblur
# Environment: BUILD_DIR (default build). The section is always written to
# build/bench/runtime-<time>.md; the exit status is 1 when a target fails.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
PROCESS="$BUILD/imgflo-process --timeout 0"
make_tmp imgflo-bench

INVOCATION="bench/runtime.sh $*"
RUNS=5 GEGL_RUNS=3 GEGL=1 RECORD=0 ONLY=()
while (($#)); do
  case $1 in
    --record) RECORD=1 ;;
    --runs) RUNS=$2; shift ;;
    --gegl-runs) GEGL_RUNS=$2; shift ;;
    --no-gegl) GEGL=0 ;;
    --only) ONLY+=("$2"); shift ;;
    *) echo "usage: $0 [--record] [--runs N] [--gegl-runs N] [--no-gegl] [--only LABEL]..." >&2; exit 2 ;;
  esac
  shift
done

JPEG="Q=90,interlace,optimize_coding,subsample_mode=off,strip"   # what imgflo writes

# ---------------------------------------------------------------------------
# The cases. One line each: label | imgflo-process arguments | reference commands
# (";;"-separated, the first is the one a target is judged against) | gegl CLI chain
# ("-" = decode+encode only, "" = gegl cannot run these ops). {in} is the 2000x2000
# JPEG, {out} an output file name, {tmp} the scratch folder, {jpeg} the JPEG options above.
# ---------------------------------------------------------------------------
CASES=$(cat <<'EOF'
passthrough|passthrough {out}.jpg input={in}|vips copy {in} {out}.jpg[{jpeg}] ;; vips copy {in} {out}.jpg[Q=90]|-
passthrough+resize|passthrough {out}.jpg input={in} width=300|vips thumbnail {in} {out}.jpg[{jpeg}] 300 ;; vips resize {in} {out}.jpg[{jpeg}] 0.15|gegl:scale-size-keepaspect x=300
crop|crop {out}.jpg input={in} x=500 y=500 cropwidth=1000 cropheight=1000|vips crop {in} {out}.jpg[{jpeg}] 500 500 1000 1000|gegl:crop x=500 y=500 width=1000 height=1000
croprotate|croprotate {out}.jpg input={in} degrees=30 x=366 y=366 cropwidth=2000 cropheight=2000|vips rotate {in} {out}.jpg[{jpeg}] 30 --interpolate nearest|gegl:rotate-on-center degrees=30 sampler=nearest gegl:crop x=366 y=366 width=2000 height=2000
customgrey|customgrey {out}.jpg input={in}|vips colourspace {in} {out}.jpg[{jpeg}] b-w|gegl:gray
desaturate|desaturate {out}.jpg input={in}|vips colourspace {in} {out}.jpg[{jpeg}] b-w|gegl:c2g radius=300 samples=4 iterations=10
gaussianblur|gaussianblur {out}.jpg input={in} std-dev-x=10 std-dev-y=10|vips gaussblur {in} {out}.jpg[{jpeg}] 10 ;; vips gaussblur {in} {out}.jpg[{jpeg}] 10 --precision float --min-ampl 0.005|gegl:gaussian-blur std-dev-x=10 std-dev-y=10
gradientmap|gradientmap {out}.jpg input={in}|vips colourspace {in} {out}.jpg[{jpeg}] b-w|
halodarken|halodarken {out}.jpg input={in}|vips gaussblur {in} {out}.jpg[{jpeg}] 10 ;; vips sobel {in} {out}.jpg[{jpeg}]|gegl:gaussian-blur std-dev-x=10 std-dev-y=10 gegl:edge-sobel gegl:opacity value=0.7 gegl:gray svg:color-dodge aux=[ gegl:load path={in} ]
motionblur|motionblur {out}.jpg input={in}|vips conv {in} {out}.jpg[{jpeg}] {tmp}/vertical101.mat --precision integer|gegl:motion-blur-linear length=100 angle=90 gegl:brightness-contrast contrast=1.1 svg:screen srgb=false aux=[ gegl:load path={in} ]
enhancelowres|enhancelowres {out}.jpg input={in}|vips rank {in} {out}.jpg[{jpeg}] 3 3 4|gegl:noise-reduction iterations=4 gegl:noise-cie-lch seed=0 hue-distance=5 holdness=8 lightness-distance=3 chroma-distance=3
retro|retro {out}.jpg input={in}|vips maplut {in} {out}.jpg[{jpeg}] {tmp}/identity.v|
noop|noop {out}.jpg input={in}|cp {in} {out}.jpg|
EOF
)

# Why each reference was chosen (printed under the table).
REFERENCE_NOTES=$(cat <<'EOF'
- passthrough: `vips copy` (decode + encode); the second row is vips' default baseline 4:2:0 JPEG, to show what the mandated progressive 4:4:4 encoding costs.
- passthrough+resize: `vips thumbnail` (shrink-on-load + lanczos3, what imgflo's rescale also uses); `vips resize` = no shrink-on-load.
- crop, croprotate (rotate only, nearest), customgrey/desaturate/gradientmap (`colourspace b-w`: only the grey conversion), gaussianblur (`gaussblur 10`: the issue's reference, integer precision in sRGB; the float row is closer to the work GEGL's linear-light blur does).
- halodarken: its cost is a sigma-10 blur + Sobel + a blend, so `gaussblur 10` and `sobel` bracket it; motionblur: a 101-tap vertical box convolution (the blur without the bilinear sampling, contrast and screen).
- enhancelowres: a 3x3 median (`rank 3 3 4`) stands in for GEGL's 3x3 edge-preserving smoother (x4 iterations) + LCh noise; retro: `maplut` with an identity table (one LUT pass; retro does two plus a blend); noop: `cp`.
- gegl rows: Debian's GEGL 0.4.42 CLI running the same op chain (its ~1.4 s start-up included); gradientmap and retro have no GEGL op on Debian; c2g in GEGL is much slower than ours at the same radius/samples/iterations.
EOF
)

# ---------------------------------------------------------------------------
# Inputs and scratch files
# ---------------------------------------------------------------------------
make_inputs() {
  mkdir -p "$DATA"
  local src=$ROOT/examples/mountains.png
  [[ -s $DATA/in-2000x2000.jpg ]] ||
    vips thumbnail "$src" "$DATA/in-2000x2000.jpg[Q=90]" 2000 --height 2000 --size force
  [[ -s $DATA/in-4000x3000.jpg ]] ||
    vips thumbnail "$src" "$DATA/in-4000x3000.jpg[Q=90]" 4000 --height 3000 --size force
  { echo "1 101 101 0"; for _ in $(seq 101); do echo 1; done; } >"$TMP/vertical101.mat"
  vips identity "$TMP/identity.v"
}

# Substitutes {in}, {out}, {tmp} and {jpeg} in a command template; $2 names the output.
expand() {
  local s=$1
  s=${s//\{in\}/$DATA/in-2000x2000.jpg}
  s=${s//\{out\}/$TMP/$2}
  s=${s//\{tmp\}/$TMP}
  s=${s//\{jpeg\}/$JPEG}
  echo "$s"
}

# Peak RSS in MB of one run of a command (word-split, no shell); "failed" on error.
peak_rss_mb() {
  # shellcheck disable=SC2086
  if /usr/bin/time -f %M -o "$TMP/rss" $1 >/dev/null 2>"$TMP/stderr"; then
    awk '{printf "%.0f", $1 / 1024}' "$TMP/rss"
  else
    echo failed
    sed 's/^/    /' "$TMP/stderr" | tail -3 >&2
  fi
}

wanted() {
  ((${#ONLY[@]} == 0)) && return 0
  local o
  for o in "${ONLY[@]}"; do [[ $o == "$1" ]] && return 0; done
  return 1
}

# ---------------------------------------------------------------------------
# One case: measures ours, its references and gegl, and appends one table row per
# reference to $TMP/rows and "label reference ratio" lines to $TMP/ratios.
# ---------------------------------------------------------------------------
run_case() {
  local label=$1 ours_tpl=$2 refs=$3 chain=$4
  local -a names=(ours) tpls=("imgflo-process $ours_tpl")
  local -A cmd rss mean sd cpu
  cmd[ours]="$PROCESS $(expand "$ours_tpl" ours)"
  local ref i=0
  while IFS= read -r ref; do
    ref=$(echo "$ref" | sed 's/^ *//; s/ *$//')
    [[ -n $ref ]] || continue
    i=$((i + 1))
    names+=("ref$i") tpls+=("$ref")
    cmd[ref$i]=$(expand "$ref" "ref$i")
  done <<<"${refs//;;/$'\n'}"
  if ((GEGL)) && [[ -n $chain ]]; then
    local ops=""
    [[ $chain == - ]] || ops=" -- $chain"
    names+=(gegl) tpls+=("gegl {in} -o {out}.jpg$ops")
    cmd[gegl]=$(expand "gegl {in} -o {out}.jpg$ops" gegl)
  fi

  echo "== $label" >&2
  local n timed=()
  for n in "${names[@]}"; do
    rss[$n]=$(peak_rss_mb "${cmd[$n]}")
    [[ ${rss[$n]} == failed || $n == gegl ]] || timed+=("$n" "${cmd[$n]}")
  done
  local m s c
  if [[ ${rss[ours]} != failed ]]; then
    while read -r n m s c; do mean[$n]=$m sd[$n]=$s cpu[$n]=$c; done < <(time_commands 1 "$RUNS" "${timed[@]}")
  fi
  if [[ -n ${cmd[gegl]:-} && ${rss[gegl]} != failed ]]; then
    while read -r n m s c; do mean[$n]=$m sd[$n]=$s cpu[$n]=$c; done < <(time_commands 0 "$GEGL_RUNS" gegl "${cmd[gegl]}")
  fi

  printf '%s\n' "${tpls[@]}" | sed "s/^/$label: /" >>"$TMP/commands"
  for i in "${!names[@]}"; do
    n=${names[$i]}
    [[ $n != ours ]] || continue
    row "$label" "${mean[ours]:-}" "${sd[ours]:-}" "${cpu[ours]:-}" "${rss[ours]}" \
        "${tpls[$i]}" "${mean[$n]:-}" "${cpu[$n]:-}" "${rss[$n]}" >>"$TMP/rows"
    if [[ -z ${mean[ours]:-} || -z ${mean[$n]:-} ]]; then
      echo "$label $n failed" >>"$TMP/ratios"
    else
      awk -v l="$label" -v n="$n" -v a="${mean[ours]}" -v b="${mean[$n]}" 'BEGIN { printf "%s %s %.3f\n", l, n, a / b }' >>"$TMP/ratios"
    fi
  done
}

# One markdown table row; empty means print "failed".
#   row label ours_mean ours_sd ours_cpu ours_rss ref_template ref_mean ref_cpu ref_rss
row() {
  awk -v l="$1" -v om="$2" -v os="$3" -v oc="$4" -v orss="$5" -v r="$6" -v rm="$7" -v rc="$8" -v rrss="$9" '
    function t(v) { return v == "" ? "failed" : sprintf("%.3f", v) }
    function q(a, b) { return (a == "" || b == "") ? "–" : sprintf("%.2f", a / b) }
    BEGIN {
      gsub(/\{jpeg\}/, "…", r)
      printf "| %s | %s ± %s | %s | %s | `%s` | %s | %s | %s | **%s** | %s |\n",
             l, t(om), (os == "" ? "–" : sprintf("%.3f", os)), t(oc), orss, r, t(rm), t(rc), rrss, q(om, rm), q(oc, rc)
    }'
}

# ---------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------
ratio_of() { awk -v l="$1" -v n="$2" '$1 == l && $2 == n { print $3 }' "$TMP/ratios"; }

# Prints one target line "| target | measured | limit | PASS/FAIL |".
#   judge description value limit unit
judge() {
  local verdict=FAIL
  if [[ -z $2 ]]; then
    echo "| $1 | not run | ≤ $3 $4 | – |"
    return
  fi
  [[ $2 != failed ]] && awk -v v="$2" -v l="$3" 'BEGIN { exit !(v <= l) }' && verdict=PASS
  echo "| $1 | $2 $4 | ≤ $3 $4 | **$verdict** |"
}

# Peak RSS of the 4000x3000 JPEG through imgflo graphs and plain vips copies (the
# floor set by libvips and the encoders); one table row each to $TMP/big-rows.
BIG_CASES=$(cat <<'EOF'
imgflo-process gradientmap.jpg|{process} gradientmap {out}.jpg input={big}
imgflo-process gradientmap.png|{process} gradientmap.png {out}.png input={big}
imgflo-process passthrough.jpg|{process} passthrough {out}.jpg input={big}
imgflo-process passthrough.png|{process} passthrough.png {out}.png input={big}
vips copy → progressive JPEG (same settings)|vips copy {big} {out}.jpg[{jpeg}]
vips copy → baseline JPEG 4:4:4|vips copy {big} {out}.jpg[Q=90,subsample_mode=off,strip]
vips copy → PNG compression 9|vips copy {big} {out}.png[compression=9,strip]
EOF
)

measure_big() {
  local label tpl c mb
  while IFS='|' read -r label tpl; do
    c=${tpl//\{process\}/$PROCESS}
    c=${c//\{big\}/$DATA/in-4000x3000.jpg}
    mb=$(peak_rss_mb "$(expand "$c" big)")
    echo "| $label | $mb |" >>"$TMP/big-rows"
    case $label in
      "imgflo-process gradientmap.jpg") RSS_JPG=$mb ;;
      "imgflo-process gradientmap.png") RSS_PNG=$mb ;;
    esac
  done <<<"$BIG_CASES"
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
make_inputs
LOAD_BEFORE=$(load_average)
: >"$TMP/rows"
: >"$TMP/ratios"
while IFS='|' read -r label ours refs chain; do
  wanted "$label" && run_case "$label" "$ours" "$refs" "$chain"
done <<<"$CASES"
RSS_JPG="" RSS_PNG=""
: >"$TMP/big-rows"
measure_big
LOAD_AFTER=$(load_average)

FAILED=0
TARGETS=$(
  judge "passthrough+resize vs \`vips thumbnail\` (wall)" "$(ratio_of passthrough+resize ref1)" 1.3 "×"
  judge "gaussianblur σ10 vs \`vips gaussblur 10\` (wall)" "$(ratio_of gaussianblur ref1)" 1.3 "×"
  judge "peak RSS, 4000×3000 JPEG → gradientmap → .jpg" "$RSS_JPG" 150 MB
  judge "peak RSS, 4000×3000 JPEG → gradientmap → .png" "$RSS_PNG" 150 MB
)
grep -q FAIL <<<"$TARGETS" && FAILED=1

SECTION=$DATA/runtime-$(date -u +%Y%m%d-%H%M%S).md
{
  echo "## Runtime: \`imgflo-process\` vs plain \`vips\` (bench/runtime.sh)"
  echo
  echo "Command: \`$INVOCATION\`" \
       "— hyperfine, 1 warm-up + $RUNS runs (gegl: $GEGL_RUNS runs after the RSS run), input 2000×2000 JPEG Q90 from examples/mountains.png."
  echo
  machine_facts
  echo "- load average (1/5/15 min) before: $LOAD_BEFORE, after: $LOAD_AFTER"
  echo
  echo "### Targets"
  echo
  echo "| target | measured | limit | result |"
  echo "|---|---|---|---|"
  echo "$TARGETS"
  echo
  echo "### Peak RSS, 4000×3000 JPEG Q90 (MB, one run each under \`/usr/bin/time -f %M\`)"
  echo
  echo "| command | peak RSS MB |"
  echo "|---|---|"
  cat "$TMP/big-rows"
  echo
  echo "### Per graph (seconds: mean wall ± sd, mean CPU = user+sys; peak RSS in MB; ratios ours/reference)"
  echo
  echo "| graph | ours wall | ours CPU | ours RSS | reference | ref wall | ref CPU | ref RSS | wall ratio | CPU ratio |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  cat "$TMP/rows"
  echo
  echo "\`…\` in a reference = \`$JPEG\` (what imgflo writes). Why these references:"
  echo
  echo "$REFERENCE_NOTES"
  echo
  echo "### Commands (\`{in}\` = build/bench/in-2000x2000.jpg; ours run as \`build/imgflo-process --timeout 0 …\`)"
  echo
  echo '```'
  sed "s/{jpeg}/$JPEG/g" "$TMP/commands"
  echo "$BIG_CASES" | sed "s/{jpeg}/$JPEG/g; s/^[^|]*|/peak RSS: /; s/{process}/imgflo-process/; s/{big}/build\/bench\/in-4000x3000.jpg/"
  echo '```'
} >"$SECTION"

cat "$SECTION"
if ((RECORD)); then
  record_section "$ROOT/bench/RESULTS.md" runtime.sh "$SECTION"
  echo "recorded in bench/RESULTS.md (section also in ${SECTION#"$ROOT/"})" >&2
fi
exit "$FAILED"
