#!/usr/bin/env bash
# bench/memory.sh — peak memory per graph on a 29 MP JPEG: one job alone, and four at once
# in a server, each next to the plain-vips equivalent measured in the same run (issue 12).
#
# Input (made once with vips from examples/mountains.png, kept in build/bench/): a 6600x4400
# JPEG Q90 (29.0 MP). For every graph:
#   - per job: peak RSS (/usr/bin/time -f %M) of `imgflo-process GRAPH out.jpg input=IN`
#     and of the plain `vips` command standing in for it (the references of bench/runtime.sh,
#     same JPEG settings as imgflo writes); ratio ours / vips (goal <= 1.5) and the admission
#     estimate imgflo would charge the job (`imgflo-process --print-estimate`, when the build has it);
#   - server: a fresh `imgflo-server` (IMGFLO_WORKERS=8, every other setting at its default,
#     memory limit included), four concurrent requests for four differently named copies of
#     the input (four distinct cache keys); its peak RSS (VmHWM of /proc/PID/status), how many
#     answered 301, how many waited for memory (imgflo_memory_admission_waits_total in
#     /metrics); goal: peak <= 4 x the vips reference + 100 MB, all succeed.
#     The server runs as a memory-limited deployment would: in a memory cgroup of its own
#     (cgroup v1 memory.limit_in_bytes or v2 memory.max, a child of the bench's own group)
#     limited to --memory-max, so its default IMGFLO_MEMORY_LIMIT (a fraction of the
#     cgroup's limit) is what a container of that size gets.
#
# Usage: bench/memory.sh [--record] [--only GRAPH]... [--no-server] [--memory-max SIZE]
#   --record        replace the memory section of bench/RESULTS.md with this run's
#   --only G        run only this graph (repeatable)
#   --no-server     skip the four-concurrent server runs
#   --memory-max S  the server's cgroup limit in bytes, with an optional K/M/G suffix
#                   (default 2G); "none": no cgroup (the machine's memory; needs no root)
# Environment: BUILD_DIR (default build). The section is always written to
# build/bench/memory-<time>.md; the exit status is 1 when a request or a command failed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
PROCESS="$BUILD/imgflo-process --timeout 0"
make_tmp imgflo-bench-memory

INVOCATION="bench/memory.sh $*"
RECORD=0 SERVER=1 ONLY=() MEMORY_MAX=2G
while (($#)); do
  case $1 in
    --record) RECORD=1 ;;
    --only) ONLY+=("$2"); shift ;;
    --no-server) SERVER=0 ;;
    --memory-max) MEMORY_MAX=$2; shift ;;
    *) echo "usage: $0 [--record] [--only GRAPH]... [--no-server] [--memory-max SIZE]" >&2; exit 2 ;;
  esac
  shift
done

JPEG="Q=90,interlace,optimize_coding,subsample_mode=off,strip"   # what imgflo writes
IN=$DATA/in-6600x4400.jpg
MARK=$DATA/watermark-800.png

# ---------------------------------------------------------------------------
# The cases: graph | query parameters (besides input) | plain-vips reference ({in}, {out},
# {tmp}, {jpeg}, {mark} substituted). The references are those of bench/runtime.sh; where
# vips has no equivalent op the reference is the nearest one (notes below the table).
# ---------------------------------------------------------------------------
CASES=$(cat <<'EOF'
passthrough||vips copy {in} {out}.jpg[{jpeg}]
crop|x=500&y=500&cropwidth=1000&cropheight=1000|vips crop {in} {out}.jpg[{jpeg}] 500 500 1000 1000
croprotate|degrees=5&x=366&y=366&cropwidth=2000&cropheight=2000|vips rotate {in} {out}.jpg[{jpeg}] 5 --interpolate nearest
customgrey||vips recomb {in} {out}.jpg[{jpeg}] {tmp}/grey3.mat
desaturate||vips recomb {in} {out}.jpg[{jpeg}] {tmp}/grey3.mat
gaussianblur|std-dev-x=10&std-dev-y=10|vips gaussblur {in} {out}.jpg[{jpeg}] 10
gradientmap||vips recomb {in} {out}.jpg[{jpeg}] {tmp}/grey3.mat
halodarken||vips gaussblur {in} {out}.jpg[{jpeg}] 10
motionblur||vips conv {in} {out}.jpg[{jpeg}] {tmp}/vertical101.mat --precision integer
enhancelowres||vips rank {in} {out}.jpg[{jpeg}] 3 3 4
retro||vips maplut {in} {out}.jpg[{jpeg}] {tmp}/identity.v
sharpen||vips sharpen {in} {out}.jpg[{jpeg}]
watermark|watermark={mark}|vips composite2 {in} {mark} {out}.jpg[{jpeg}] over
noop||cp {in} {out}.jpg
EOF
)

NOTES=$(cat <<'EOF'
- References as in bench/runtime.sh, except the grey graphs: a 3x3 `recomb` to grey in three bands for customgrey, desaturate and gradientmap (they write 3-band JPEGs — gradientmap in colour — and a progressive encoder holds 6 bytes per pixel for three bands, where `colourspace b-w`'s 1-band output needs 2; only the grey conversion, a lower bound of their work), `gaussblur 10` for gaussianblur and halodarken (a blur is its largest step), a 101-tap vertical `conv` for motionblur, a 3x3 median for enhancelowres, one `maplut` for retro, `vips sharpen` for sharpen, `composite2 over` (the mark at the top left, unscaled) for watermark, `cp` for noop. vips streams all of them; rotate holds its input.
- croprotate turns by 5° (30° of a 29 MP image is 56 MP, over the 50 MP pixel limit: a 422).
- Peak RSS includes the shared libraries (~32 MB for any libvips process; ~37 MB for imgflo-process before its first image). The estimate is what admission charges the job (`imgflo-process --print-estimate`), without that process base.
EOF
)

make_inputs() {
  mkdir -p "$DATA"
  [[ -s $IN ]] || vips thumbnail "$ROOT/examples/mountains.png" "$IN[Q=90]" 6600 --height 4400 --size force
  [[ -s $MARK ]] || vips thumbnail "$ROOT/examples/gridbear.jpg" "$MARK" 800
  { echo "1 101 101 0"; for _ in $(seq 101); do echo 1; done; } >"$TMP/vertical101.mat"
  { echo "3 3"; for _ in 1 2 3; do echo "0.2126 0.7152 0.0722"; done; } >"$TMP/grey3.mat"
  vips identity "$TMP/identity.v"
}

wanted() {
  ((${#ONLY[@]} == 0)) && return 0
  local o
  for o in "${ONLY[@]}"; do [[ $o == "$1" ]] && return 0; done
  return 1
}

# Substitutes the placeholders of a reference template; $2 names the output.
expand() {
  local s=$1
  s=${s//\{in\}/$IN}
  s=${s//\{out\}/$TMP/$2}
  s=${s//\{tmp\}/$TMP}
  s=${s//\{jpeg\}/$JPEG}
  s=${s//\{mark\}/$MARK}
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
    STATUS=1
  fi
}

# The imgflo-process arguments of a case: GRAPH.jpg OUT input=IN name=value...
process_args() {
  local graph=$1 query=$2 args
  args="$graph.jpg $TMP/ours-$graph.jpg input=$IN"
  [[ -z $query ]] || args+=" ${query//&/ }"
  expand "$args" unused
}

# The estimate (MB) imgflo-process would charge the job, or "n/a" for a build without it.
estimate_mb() {
  local bytes
  # shellcheck disable=SC2086
  if bytes=$($PROCESS --print-estimate $1 2>/dev/null) && [[ $bytes =~ ^[0-9]+$ ]]; then
    awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1048576 }'
  else
    echo n/a
  fi
}

# A value from /proc/PID/status in MB (VmHWM, VmRSS).
proc_mb() { awk -v k="$2:" '$1 == k { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# The bench shell's own memory cgroup folder (cgroup v1 memory controller, else v2), or nothing.
own_memory_cgroup() {
  local line
  line=$(grep -E '^[0-9]+:([^:]*,)?memory(,[^:]*)?:/' /proc/self/cgroup || true)
  if [[ -n $line ]]; then echo "/sys/fs/cgroup/memory${line##*:}"; return; fi
  line=$(grep -E '^0::/' /proc/self/cgroup || true)
  [[ -z $line ]] || echo "/sys/fs/cgroup${line#0::}"
}

# Makes the server's cgroup SERVER_CG (a child of the bench's own group) limited to
# MEMORY_MAX; leaves SERVER_CG empty (with a note) when --memory-max none or not possible.
SERVER_CG="" OWN_CG="" CG_NOTE="none (the machine's memory)"
make_server_cgroup() {
  [[ $MEMORY_MAX != none ]] || return 0
  OWN_CG=$(own_memory_cgroup)
  local cg=$OWN_CG/imgflo-bench-memory-$$ file=memory.limit_in_bytes
  [[ -e $OWN_CG/memory.limit_in_bytes ]] || file=memory.max
  if [[ -n $OWN_CG ]] && mkdir -p "$cg" 2>/dev/null && echo "$MEMORY_MAX" >"$cg/$file" 2>/dev/null; then
    SERVER_CG=$cg
    CG_NOTE="a memory cgroup of its own limited to $MEMORY_MAX ($(awk '{ printf "%.0f MB", $1 / 1048576 }' "$cg/$file"), $file)"
  else
    [[ -z $OWN_CG || ! -d $cg ]] || rmdir "$cg" 2>/dev/null || true
    CG_NOTE="none: could not make a memory cgroup under '${OWN_CG:-?}' (needs a writable cgroup tree)"
    echo "memory.sh: $CG_NOTE" >&2
  fi
}
on_exit() { [[ -z $SERVER_CG ]] || rmdir "$SERVER_CG" 2>/dev/null || true; }

# Four concurrent requests of one graph to a fresh server; prints
# "peak_mb ok_count waits statuses".
server_run() {
  local graph=$1 query=$2 i statuses ok waits peak
  mkdir -p "$TMP/resources"
  for i in 1 2 3 4; do ln -f "$IN" "$TMP/resources/in-$i.jpg"; done
  cp "$MARK" "$TMP/resources/mark.png"
  query=${query//\{mark\}/files/mark.png}
  rm -rf "$TMP/work"
  # The server (and only it) starts inside the cgroup: it reads its default limit there.
  [[ -z $SERVER_CG ]] || echo "$BASHPID" >"$SERVER_CG/cgroup.procs"
  SERVER_LOG=server-$graph IMGFLO_WORKERS=8 start_imgflo_server 20 -- \
    --resources "$TMP/resources" --request-timeout 900 >&2
  [[ -z $SERVER_CG ]] || echo "$BASHPID" >"$OWN_CG/cgroup.procs"
  local pids=()
  for i in 1 2 3 4; do
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 1000 \
      "http://127.0.0.1:$IMGFLO_PORT/graph/$graph.jpg?input=files/in-$i.jpg${query:+&$query}" >"$TMP/status-$i" &
    pids+=($!)
  done
  wait "${pids[@]}" || true
  statuses=$(cat "$TMP"/status-? | tr '\n' ' ')
  ok=$(cat "$TMP"/status-? | grep -c '^301$' || true)
  waits=$(metric imgflo_memory_admission_waits_total)
  metric imgflo_memory_limit_bytes | awk '{ printf "%.0f MB\n", $1 / 1048576 }' >"$TMP/server-limit"
  peak=$(proc_mb "$IMGFLO_PID" VmHWM)
  stop_pids "$IMGFLO_PID"
  ((ok == 4)) || STATUS=1
  echo "$peak $ok ${waits:-n/a} ${statuses% }"
}

STATUS=0
make_inputs
((SERVER == 0)) || make_server_cgroup
ROWS=$TMP/rows
: >"$ROWS"
while IFS='|' read -r graph query ref; do
  wanted "$graph" || continue
  echo "== $graph" >&2
  args=$(process_args "$graph" "$query")
  ours=$(peak_rss_mb "$PROCESS $args")
  est=$(estimate_mb "$args")
  ref_cmd=$(expand "$ref" "ref-$graph")
  vips_mb=$(peak_rss_mb "$ref_cmd")
  ratio=$(awk -v a="$ours" -v b="$vips_mb" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }')
  server="- - - -"
  if ((SERVER)); then server=$(server_run "$graph" "$query"); fi
  read -r peak ok waits statuses <<<"$server"
  goal=$(awk -v r="$vips_mb" 'BEGIN { printf "%.0f", 4 * r + 100 }')
  echo "$graph|$ours|$est|$vips_mb|$ratio|$peak|$goal|$ok|$waits|$statuses|${ref//\{jpeg\}/…}" >>"$ROWS"
  echo "   ours $ours MB (estimate $est MB), vips $vips_mb MB, ratio $ratio; server 4x: $peak MB (goal $goal), ok $ok, waits $waits" >&2
done <<<"$CASES"

SECTION=$TMP/section.md
{
  echo "## Memory per graph, 29 MP JPEG (bench/memory.sh, issue 12)"
  echo
  machine_facts
  echo "- command: \`$INVOCATION\`; input 6600×4400 JPEG Q90 (29.0 MP); load average $(load_average)"
  ((SERVER == 0)) || echo "- server cgroup: $CG_NOTE; the server's default memory limit there: $(cat "$TMP/server-limit" 2>/dev/null || echo n/a)"
  echo
  echo "| graph | ours per job MB | estimate MB | vips MB | ours/vips (≤ 1.5) | server 4 jobs MB | goal 4×vips+100 | 301s of 4 | waited | statuses | vips reference |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  awk -F'|' '{ r = $5; if (r != "n/a" && r + 0 > 1.5) r = "**" r "**"
               s = $6; if (s ~ /^[0-9]+$/ && s + 0 > $7 + 0) s = "**" s "**"
               printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | `%s` |\n", $1, $2, $3, $4, r, s, $7, $8, $9, $10, $11 }' "$ROWS"
  echo
  echo "$NOTES"
} >"$SECTION"
mkdir -p "$DATA"
cp "$SECTION" "$DATA/memory-$(date -u +%Y%m%dT%H%M%S).md"
cat "$SECTION"
((RECORD == 0)) || record_section "$ROOT/bench/RESULTS.md" memory.sh "$SECTION"
exit "$STATUS"
