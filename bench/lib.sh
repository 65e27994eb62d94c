# bench/lib.sh — helpers shared by the bench/ scripts (sourced, not run).
#
# Machine facts for the report, unit conversions, percentiles, replacing a marked
# block of bench/RESULTS.md with a freshly written markdown section, the nginx
# reference config, starting imgflo-server on a free port, running wrk, and the
# temp folder + process clean-up every script needs. The caller sets ROOT before
# sourcing; this file sets the shared settings below.
# shellcheck shell=bash disable=SC2034  # the settings, IMGFLO_PORT/IMGFLO_PID are for the caller

# Shared settings: BUILD (BUILD_DIR, default ROOT/build), DATA (generated inputs, kept
# between runs), THREADS (HTTP_THREADS, default nproc: server event loops and nginx
# workers), PIDS (background processes stopped on exit).
BUILD=$(cd "${BUILD_DIR:-$ROOT/build}" && pwd)
DATA=$BUILD/bench
THREADS=${HTTP_THREADS:-$(nproc)}
PIDS=()

# Stops the given processes: TERM, then waits for each.
stop_pids() {
  local pid
  for pid in "$@"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
}

# Creates TMP, a temp folder named after $1; on exit stops every PID in PIDS, runs the
# caller's on_exit function if it defines one, and removes TMP.
make_tmp() {
  TMP=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  trap 'stop_pids "${PIDS[@]}"; if declare -F on_exit >/dev/null; then on_exit; fi; rm -rf "$TMP"' EXIT
}

# One markdown bullet list describing the machine and the software versions.
machine_facts() {
  local cpu
  cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), host: $(uname -sr), $(nproc) CPUs (${cpu:-unknown model})"
  echo "- memory: $(awk '/^MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)," \
       "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
       "$(git -C "$ROOT" diff --quiet -- . ':!bench/RESULTS.md' 2>/dev/null || echo '(dirty tree)')"
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

# hyperfine over named commands; prints "name mean_s stddev_s cpu_s" lines (cpu =
# mean user + system time).
#   time_commands WARMUPS RUNS name1 cmd1 [name2 cmd2 ...]
time_commands() {
  local warmups=$1 runs=$2 args=()
  shift 2
  while (($#)); do args+=(-n "$1" "$2"); shift 2; done
  hyperfine -N --style basic --warmup "$warmups" --runs "$runs" --export-csv "$TMP/times.csv" "${args[@]}" >&2
  awk -F, 'NR > 1 { printf "%s %.4f %.4f %.4f\n", $1, $2, $3, $5 + $6 }' "$TMP/times.csv"
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

# Writes DIR/nginx.conf: nginx on 127.0.0.1:PORT answering every request with
# `return 301`, WORKERS worker processes (0 = a single process without a master,
# for running nginx under valgrind), access log off, every path inside DIR, run as
# the current user.
#   write_nginx_conf DIR PORT WORKERS
write_nginx_conf() {
  local dir=$1 port=$2 workers=$3 process user=""
  if ((workers == 0)); then
    process="master_process off;
worker_processes 1;"
  else
    process="worker_processes $workers;"
  fi
  ((EUID != 0)) || user="user $(id -un) $(id -gn);"
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<CONF
# Written by bench/: the cheapest possible redirect, as a speed reference.
$user
$process
worker_rlimit_nofile 8192;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server {
    listen 127.0.0.1:$port;
    location / { return 301 http://example.com/x; }
  }
}
CONF
}

# A TCP port on 127.0.0.1 that was free a moment ago.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits up to $2 seconds (default 10) for a TCP port on 127.0.0.1 to accept connections.
wait_for_port() {
  local i
  for i in $(seq $((${2:-10} * 10))); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  return 1
}

# Starts BUILD/imgflo-server (optionally behind a wrapper command such as valgrind)
# on a free port of 127.0.0.1 with its work folder in TMP/work (unless the flags name
# another --workdir later); sets IMGFLO_PORT and IMGFLO_PID. Output goes to
# TMP/$SERVER_LOG.out and .err (default name imgflo).
#   start_imgflo_server TIMEOUT_S [WRAPPER...] -- [SERVER FLAGS...]
start_imgflo_server() {
  local timeout=$1 wrapper=() i
  shift
  while (($#)) && [[ $1 != -- ]]; do wrapper+=("$1"); shift; done
  shift
  "${wrapper[@]}" "$BUILD/imgflo-server" --address 127.0.0.1 --port 0 --workdir "$TMP/work" "$@" \
    >"$TMP/${SERVER_LOG:-imgflo}.out" 2>"$TMP/${SERVER_LOG:-imgflo}.err" &
  IMGFLO_PID=$!
  for i in $(seq $((timeout * 10))); do
    IMGFLO_PORT=$(awk '/^listening on port/ { print $4 }' "$TMP/${SERVER_LOG:-imgflo}.out" 2>/dev/null || true)
    [[ -z $IMGFLO_PORT ]] || return 0
    sleep 0.1
  done
  echo "imgflo-server did not start:" >&2
  cat "$TMP/${SERVER_LOG:-imgflo}.err" >&2
  return 1
}

# One request; prints "status seconds".
get() { curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$1"; }

# A counter from imgflo-server's /metrics (port $2, default IMGFLO_PORT).
metric() { curl -s "http://127.0.0.1:${2:-$IMGFLO_PORT}/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }

# Runs `wrk -t2 --latency` for DURATION seconds with $1 connections against URL $2, the
# raw output indented on stderr; prints "req_per_s p50_ms p99_ms errors" (errors =
# socket errors + non-2xx/3xx answers).
run_wrk() {
  local conns=$1 url=$2 out=$TMP/wrk.txt
  wrk -t2 -c"$conns" -d"${DURATION}s" --latency "$url" >"$out"
  sed 's/^/    /' "$out" >&2
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  errors=$(awk '/Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
                /Non-2xx or 3xx/ { n += $NF } END { print n + 0 }' "$out")
  echo "$rps $p50 $p99 $errors"
}

# Starts nginx answering `return 301` on a free port with WORKERS ($1) worker processes,
# its files in TMP/nginx; sets NGINX_PORT and appends the PID to PIDS.
start_nginx_redirect() {
  NGINX_PORT=$(free_port)
  write_nginx_conf "$TMP/nginx" "$NGINX_PORT" "$1"
  nginx -e "$TMP/nginx/error.log" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" &
  PIDS+=($!)
  wait_for_port "$NGINX_PORT"
}

# bench_start BENCH NAME DEFAULT ARGS...: the common start of the one-table benches
# (bench/BENCH.sh): PROCESS (imgflo-process without a deadline), TMP (make_tmp), INVOCATION
# (the command line for the record) and the options of parse_record_and_count.
bench_start() {
  local bench=$1
  shift
  PROCESS="$BUILD/imgflo-process --timeout 0"
  make_tmp "imgflo-bench-$bench"
  INVOCATION="bench/$bench.sh ${*:3}"
  parse_record_and_count "$@"
}

# parse_record_and_count NAME DEFAULT ARGS...: the options of the one-table benches,
# `--record` (sets RECORD=1) and `--NAME N` (sets the upper-case variable NAME, default DEFAULT).
# Exits 2 with a usage line on anything else.
parse_record_and_count() {
  local name=$1 var
  var=$(echo "$1" | tr '[:lower:]' '[:upper:]')
  printf -v "$var" '%s' "$2"
  RECORD=0
  shift 2
  while (($#)); do
    case $1 in
      --record) RECORD=1 ;;
      "--$name") printf -v "$var" '%s' "$2"; shift ;;
      *) echo "usage: $0 [--record] [--$name N]" >&2; exit 2 ;;
    esac
    shift
  done
}

# The 29 MP input of the issue-12 benches: a 6600x4400 JPEG Q90 made once from
# examples/mountains.png into DATA; prints its path.
large_jpeg_input() {
  local in=$DATA/in-6600x4400.jpg
  mkdir -p "$DATA"
  [[ -s $in ]] || vips thumbnail "$ROOT/examples/mountains.png" "${in}[Q=90]" 6600 --height 4400 --size force
  echo "$in"
}

# A setting of the test services (scripts/services.sh) from SERVICES/services.env.
#   service_setting NAME
service_setting() {
  awk -F= -v n="$1" '$1 == n { print substr($0, index($0, "=") + 1) }' "$SERVICES/services.env"
}

# Starts the test services in SERVICES (default BUILD/test-services) unless they run (the
# caller's exit hook runs `scripts/services.sh fixture-stop`); sets BROKER_URL, REDIS_URL,
# REDIS_PORT.
start_services() {
  SERVICES=${SERVICES:-$BUILD/test-services}
  "$ROOT/scripts/services.sh" fixture-start "$SERVICES" >&2
  BROKER_URL=$(service_setting IMGFLO_TEST_BROKER_URL)
  REDIS_URL=$(service_setting IMGFLO_TEST_REDIS_URL)
  REDIS_PORT=${REDIS_URL##*:}
}

# Starts an imgflo-server with TMP/resources as its files/ folder (flags after the name);
# sets IMGFLO_PORT, records the PID in PIDS.
#   start_frontend NAME [FLAGS...]
start_frontend() {
  local name=$1 status=0
  shift
  SERVER_LOG=$name start_imgflo_server 15 -- --http-threads "$THREADS" --resources "$TMP/resources" "$@" || status=1
  PIDS+=("$IMGFLO_PID")
  return $status
}

# Starts an imgflo-worker with the given flags (e.g. --role urgent --workers 1), pinned to
# CPU number CPU (modulo the CPUs; taskset) unless CPU is empty; waits for "worker ready".
# Records the PID in PIDS and WORKER_PIDS.
#   start_worker NAME CPU [FLAGS...]
start_worker() {
  local name=$1 pin=() i
  [[ -z $2 ]] || pin=(taskset -c "$(($2 % $(nproc)))")
  shift 2
  "${pin[@]}" "$BUILD/imgflo-worker" --workdir "$TMP/work" --resources "$TMP/resources" "$@" \
    >"$TMP/$name.out" 2>"$TMP/$name.err" &
  PIDS+=($!)
  WORKER_PIDS+=($!)
  for i in $(seq 150); do
    grep -q '^worker ready' "$TMP/$name.out" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "imgflo-worker $name did not start:" >&2
  cat "$TMP/$name.err" >&2
  return 1
}
