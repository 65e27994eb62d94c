# bench/lib.sh — helpers shared by bench/runtime.sh and bench/http.sh (sourced, not run).
#
# Machine facts for the report, unit conversions, percentiles, and replacing a
# marked block of bench/RESULTS.md with a freshly written markdown section.

# One markdown bullet list describing the machine and the software versions.
machine_facts() {
  local cpu
  cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), host: $(uname -sr), $(nproc) CPUs (${cpu:-unknown model})"
  echo "- memory: $(awk '/^MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)," \
       "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
       "$(git -C "$ROOT" diff --quiet 2>/dev/null || echo '(dirty tree)')"
  echo "- $(vips --version 2>/dev/null || echo 'vips: missing')"
}

# The 1-minute load average (first field of /proc/loadavg).
load_average() { cut -d' ' -f1-3 /proc/loadavg; }

# Converts a wrk latency ("812.00us", "3.21ms", "1.02s", "2.00m") to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.2f", n }'
}

# Reads numbers (one a line) on stdin; prints the nearest-rank percentile $1 (0-100).
percentile() {
  sort -g | awk -v p="$1" '{ v[NR] = $1 } END {
    if (NR == 0) { print "n/a"; exit }
    r = int(p / 100 * NR); if (r < p / 100 * NR) r++; if (r < 1) r = 1
    print v[r] }'
}

# Replaces the block between "<!-- BEGIN name -->" and "<!-- END name -->" in
# FILE with the contents of SECTION (appending the block when it is absent).
#   record_section FILE NAME SECTION
record_section() {
  local file=$1 name=$2 section=$3 begin end tmp
  begin="<!-- BEGIN $name -->"
  end="<!-- END $name -->"
  [[ -f $file ]] || printf '# Benchmark results\n' >"$file"
  tmp=$(mktemp)
  if grep -qF "$begin" "$file"; then
    awk -v b="$begin" -v e="$end" -v s="$section" '
      $0 == b { print; while ((getline l < s) > 0) print l; skip = 1; next }
      $0 == e { skip = 0 }
      !skip' "$file" >"$tmp"
  else
    { cat "$file"; printf '\n%s\n' "$begin"; cat "$section"; printf '%s\n' "$end"; } >"$tmp"
  fi
  mv "$tmp" "$file"
}
