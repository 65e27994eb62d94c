#!/usr/bin/env bash
# bench/soak.sh — the seed's load SLO as a bench (issue 13, "Numbers to show").
#
# Two frontends (imgflo-server with IMGFLO_BROKER_URL set, IMGFLO_WORKER=external) and two
# imgflo-worker processes (--role both, default threads) on RabbitMQ, the Redis cache index
# and S3 storage (moto) — IMGFLO_CACHE=redis-s3 — under bench/soak_client.js:
# CONNECTIONS keep-alive client connections split over both frontends, each sending its next
# GET 1/RATE s after the previous answer, for DURATION s. 95 % of the GETs repeat one of HOT
# primed URLs (cached), every 20th (NEW_PERCENT) names a new hard link of a 256×256 JPEG
# (a cache miss: gradientmap processing); next to them a POST pre-heat stream of POST_RATE
# new URLs per second (202: background jobs). RSS (/proc/PID/status VmRSS) and open file
# descriptors (/proc/PID/fd) of the four processes are sampled every 10 s.
#
# Targets (exit status 1 when one is missed):
#   - ≥ 99 % of the GETs answered 301 within 30 s;
#   - cached GETs: p99 < 100 ms;
#   - 0 lost: every POST answered 202, and once the load ended, every result a 301 or 202
#     pointed at is stored — the objects of the run's own S3 folder are listed and compared
#     with the Locations the run was given, key by key (waiting while the count grows);
#   - RSS and fds of every process flat over the last 4 minutes (from max(DURATION - 240,
#     DURATION / 4) s on): last sample < 1.1 × first sample of that window.
#
# Services: the test services (scripts/services.sh fixture-start build/test-services) are
# reused when running, else started and stopped again at the end. Queues, Redis keys and the
# S3 folder carry the run's own prefix; the run's S3 objects and Redis keys are deleted at the
# end. Frontends, workers and the sampler are stopped by PID.
#
# Usage: bench/soak.sh [--record] [--duration S] [--connections N] [--rate R] [--new-percent P]
#                      [--post-rate Q] [--hot K]
#   defaults: 300 s, 1000 connections, 1 request/s per connection, 5 % new, 10 POST/s, 200 hot
# Environment: BUILD_DIR (default build), HTTP_THREADS (frontends' event loops, default nproc).
# The section is always written to build/bench/soak-<time>.md; --record puts it in
# bench/RESULTS.md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
INVOCATION="bench/soak.sh $*"
DURATION=300 CONNECTIONS=1000 RATE=1 NEW_PERCENT=5 POST_RATE=10 HOT=200 RECORD=0
GRAPH=/graph/gradientmap.jpg
STORE_WAIT=300  # s the stored count may take to reach the expected one (POST jobs' own timeout)
usage() {
  echo "usage: $0 [--record] [--duration S] [--connections N] [--rate R] [--new-percent P] [--post-rate Q] [--hot K]" >&2
  exit 2
}
while (($#)); do
  case $1 in
    --record) RECORD=1 ;;
    --duration) DURATION=${2:?}; shift ;;
    --connections) CONNECTIONS=${2:?}; shift ;;
    --rate) RATE=${2:?}; shift ;;
    --new-percent) NEW_PERCENT=${2:?}; shift ;;
    --post-rate) POST_RATE=${2:?}; shift ;;
    --hot) HOT=${2:?}; shift ;;
    *) usage ;;
  esac
  shift
done
[[ $DURATION =~ ^[1-9][0-9]*$ && $CONNECTIONS =~ ^[1-9][0-9]*$ && $HOT =~ ^[1-9][0-9]*$ ]] || usage
[[ $NEW_PERCENT =~ ^[1-9][0-9]?$|^100$ && $RATE =~ ^[0-9.]+$ && $POST_RATE =~ ^[0-9.]+$ ]] || usage

PREFIX=soak-$(date -u +%H%M%S)-$$
make_tmp imgflo-soak
on_exit() {
  delete_run_data
  "$ROOT/scripts/services.sh" fixture-stop "$SERVICES" >&2 || true
}

# ---------------------------------------------------------------------------
# Services, storage and processes
# ---------------------------------------------------------------------------
aws_s3() {
  AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_DEFAULT_REGION=us-east-1 \
    AWS_ACCESS_KEY_ID=$AMAZON_API_ID AWS_SECRET_ACCESS_KEY=$AMAZON_API_TOKEN \
    aws --endpoint-url "$IMGFLO_S3_ENDPOINT" "$@"
}

# Every object key in the run's S3 folder, one a line, sorted. (The listing asks for the
# prefix without its '/': moto's signature check fails on a '/' in the query.)
s3_keys() {
  aws_s3 s3api list-objects-v2 --bucket "$AMAZON_API_BUCKET" --prefix "$PREFIX" \
    --query 'Contents[].Key' --output text | tr '\t' '\n' | grep "^$PREFIX/" | sort -u || true
}

# Removes the run's S3 objects and Redis keys (they would only fill the shared services).
delete_run_data() {
  [[ -n ${AMAZON_API_BUCKET:-} ]] || return 0
  s3_keys | split -l 1000 - "$TMP/delete."
  local batch
  for batch in "$TMP"/delete.*; do
    [[ -s $batch ]] || continue
    jq -R -s '{Objects: (split("\n") | map(select(length > 0) | {Key: .})), Quiet: true}' "$batch" >"$batch.json"
    aws_s3 s3api delete-objects --bucket "$AMAZON_API_BUCKET" --delete "file://$batch.json" >/dev/null || true
  done
  redis-cli -p "$REDIS_PORT" --scan --pattern "$PREFIX/*" | xargs -r -n 500 redis-cli -p "$REDIS_PORT" unlink >/dev/null || true
}

# The distributed settings every process of the run shares (own queue, key and folder prefix).
export_soak_env() {
  export IMGFLO_BROKER_URL=$BROKER_URL IMGFLO_BROKER_PREFIX=${PREFIX}_ IMGFLO_WORKER=external
  export IMGFLO_CACHE=redis-s3 IMGFLO_REDIS_URL=$REDIS_URL IMGFLO_REDIS_PREFIX=$PREFIX/
  IMGFLO_S3_ENDPOINT=$(service_setting IMGFLO_TEST_S3_ENDPOINT)
  AMAZON_API_BUCKET=$(service_setting IMGFLO_TEST_S3_BUCKET)
  AMAZON_API_ID=$(service_setting IMGFLO_TEST_S3_KEY)
  AMAZON_API_TOKEN=$(service_setting IMGFLO_TEST_S3_SECRET)
  export IMGFLO_S3_ENDPOINT AMAZON_API_BUCKET AMAZON_API_ID AMAZON_API_TOKEN AMAZON_API_REGION=us-east-1
  export IMGFLO_S3_FOLDER=$PREFIX
}

make_input() {
  mkdir -p "$TMP/resources" "$TMP/work" "$DATA" "$TMP/client"
  [[ -s $DATA/in-256x256.jpg ]] ||
    vips thumbnail "$ROOT/examples/mountains.png" "$DATA/in-256x256.jpg[Q=90]" 256 --height 256 --size force
  cp "$DATA/in-256x256.jpg" "$TMP/input.jpg"  # the client hard-links it: same file system as resources/
}

# Starts the two workers and the two frontends; sets FRONTEND_URLS and PROCS ("name:pid" words).
start_processes() {
  WORKER_PIDS=()
  start_worker worker1 "" --role both
  start_worker worker2 "" --role both
  PROCS=("worker1:${WORKER_PIDS[0]}" "worker2:${WORKER_PIDS[1]}")
  local f urls=()
  for f in 1 2; do
    start_frontend "frontend$f"
    PROCS+=("frontend$f:$IMGFLO_PID")
    urls+=("http://127.0.0.1:$IMGFLO_PORT")
  done
  FRONTEND_URLS=$(IFS=,; echo "${urls[*]}")
}

# Every 10 s until stopped: "seconds name rss_kb fds" for each "name:pid" argument.
sample_processes() {
  local start=$SECONDS np pid rss fds
  while :; do
    for np in "$@"; do
      pid=${np#*:}
      rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
      fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
      echo "$((SECONDS - start)) ${np%%:*} ${rss:-0} $fds"
    done
    sleep 10
  done
}

# "name ticks" (user + system CPU, 1/100 s) for each "name:pid" argument.
cpu_ticks() {
  local np
  for np in "$@"; do
    echo "${np%%:*} $(awk '{ print $14 + $15 }' "/proc/${np#*:}/stat" 2>/dev/null || echo 0)"
  done
}

# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------
# Runs the client; samples the processes from the moment its load starts until it ends.
run_load() {
  node "$ROOT/bench/soak_client.js" --frontends "$FRONTEND_URLS" --resources "$TMP/resources" \
    --input "$TMP/input.jpg" --out "$TMP/client" --connections "$CONNECTIONS" --rate "$RATE" \
    --duration "$DURATION" --new-percent "$NEW_PERCENT" --post-rate "$POST_RATE" --hot "$HOT" \
    --graph "$GRAPH" 2> >(tee "$TMP/client.err" >&2) &
  local client=$!
  while ! grep -q '^load:' "$TMP/client.err" 2>/dev/null; do
    kill -0 "$client" 2>/dev/null || break
    sleep 0.2
  done
  sample_processes "${PROCS[@]}" >"$TMP/samples.txt" &
  local sampler=$! status=0 started=$SECONDS
  CPU_PROCS=("${PROCS[@]}" "moto:$(service_setting MOTO_PID)" "rabbitmq:$(service_setting RABBITMQ_PID)"
             "redis:$(service_setting REDIS_PID)")
  cpu_ticks "${CPU_PROCS[@]}" >"$TMP/cpu-start.txt"
  wait "$client" || status=$?
  cpu_ticks "${CPU_PROCS[@]}" >"$TMP/cpu-end.txt"
  LOAD_SECONDS=$((SECONDS - started))
  stop_pids "$sampler"
  return $status
}

# The S3 keys the run's 301/202 Locations point at (unique, sorted), in TMP/expected.txt.
expected_keys() {
  touch "$TMP/client/locations.txt"
  sed -n "s|^[a-z]* .*/$PREFIX/|$PREFIX/|p" "$TMP/client/locations.txt" | sort -u >"$TMP/expected.txt"
}

# Lists the S3 folder until every expected key is there, or STORE_WAIT s pass, or the count
# stops growing for 60 s; leaves the listing in TMP/stored.txt and the wait in STORE_SECONDS.
wait_for_stored() {
  local start=$SECONDS last=-1 last_change=$SECONDS n
  while :; do
    s3_keys >"$TMP/stored.txt"
    n=$(comm -23 "$TMP/expected.txt" "$TMP/stored.txt" | wc -l)
    echo "  stored $(wc -l <"$TMP/stored.txt"), missing $n" >&2
    ((n > 0)) || break
    ((n == last)) || { last=$n; last_change=$SECONDS; }
    ((SECONDS - start < STORE_WAIT && SECONDS - last_change < 60)) || break
    sleep 5
  done
  STORE_SECONDS=$((SECONDS - start))
}

# "name: N lines (W warning, E error)" of each process's log (stdout + stderr), in TMP/logs.txt;
# the lines themselves in TMP/problems.txt (first 20 per process).
count_log_lines() {
  local name all warn err
  : >"$TMP/problems.txt"
  for name in frontend1 frontend2 worker1 worker2; do
    all=$(cat "$TMP/$name.out" "$TMP/$name.err" | wc -l)
    warn=$(cat "$TMP/$name.out" "$TMP/$name.err" | grep -cE '"level":"warning"|\[warning\]' || true)
    err=$(cat "$TMP/$name.out" "$TMP/$name.err" | grep -cE '"level":"(error|critical)"|\[(error|critical)\]' || true)
    echo "$name: $all lines ($warn warning, $err error)"
    grep -hE '"level":"(warning|error|critical)"|\[(warning|error|critical)\]' "$TMP/$name.out" "$TMP/$name.err" |
      head -20 | sed "s/^/$name: /" >>"$TMP/problems.txt" || true
  done >"$TMP/logs.txt"
}

ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 8192 || true
make_input
start_services
export_soak_env
start_processes
LOAD_BEFORE=$(load_average)
CLIENT_STATUS=0 LOAD_SECONDS=1
run_load || CLIENT_STATUS=$?
LOAD_AFTER=$(load_average)
expected_keys
wait_for_stored
comm -23 "$TMP/expected.txt" "$TMP/stored.txt" >"$TMP/missing.txt"
count_log_lines
WINDOW_START=$(awk -v d="$DURATION" 'BEGIN { s = d - 240; if (s < d / 4) s = d / 4; printf "%d", s }')

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
# Targets and tables from TMP/client/summary.json, the samples and the key lists; prints the
# markdown and writes TMP/verdict (PASS or FAIL).
report() {
  python3 - "$TMP" "$WINDOW_START" "$CLIENT_STATUS" "$LOAD_SECONDS" <<'PY'
import json, sys
tmp, window_start, client_status, load_s = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
s = json.load(open(f"{tmp}/client/summary.json")) if client_status == 0 else None
def lines(f):
    try:
        return [l for l in open(f"{tmp}/{f}").read().split("\n") if l]
    except FileNotFoundError:
        return []
expected, stored, missing = lines("expected.txt"), lines("stored.txt"), lines("missing.txt")
locations = lines("client/locations.txt")
rows, ok = [], True
def target(name, measured, passed):
    global ok
    ok = ok and passed
    rows.append(f"| {name} | {measured} | {'PASS' if passed else '**FAIL**'} |")
if s is None:
    target("client run", f"soak_client.js exited {client_status}", False)
    c = {k: {"count": 0, "status": {}, "over_30s": 0} for k in ("cached", "new", "post")}
else:
    c = s["classes"]
gets = c["cached"]["count"] + c["new"]["count"]
fast301 = sum(c[k]["status"].get("301", 0) for k in ("cached", "new")) - c["cached"]["over_30s"] - c["new"]["over_30s"]
share = 100.0 * fast301 / gets if gets else 0.0
target("≥ 99 % of GETs answered 301 within 30 s", f"{share:.3f} % ({fast301} of {gets})", share >= 99.0)
p99 = c["cached"].get("p99")
target("cached GETs: p99 < 100 ms", f"{p99} ms", p99 is not None and p99 < 100)
posts, accepted = c["post"]["count"], c["post"]["status"].get("202", 0)
post_keys = sum(1 for l in locations if l.startswith("post "))
target("0 lost: every POST answered 202 and stored",
       f"{accepted} of {posts} POSTs 202; {post_keys} POST results expected", posts == accepted and not missing and (posts > 0 or s is None or s["post_rate"] == 0))
target("0 lost: every Location's object in the run's S3 folder",
       f"{len(expected)} unique keys expected (hot + new + POST), {len(stored)} objects stored, "
       f"{len(missing)} missing", not missing and len(expected) > 0)
# RSS / fd series over the window.
series = {}
for l in lines("samples.txt"):
    t, name, rss, fds = l.split()
    if int(t) >= window_start:
        series.setdefault(name, []).append((int(rss) / 1024.0, int(fds)))
proc_rows, worst_rss, worst_fd = [], 0.0, 0.0
for name, v in sorted(series.items()):
    rss, fds = [x[0] for x in v], [x[1] for x in v]
    g_rss = 100.0 * (rss[-1] - rss[0]) / rss[0] if rss[0] else float("inf")
    g_fd = 100.0 * (fds[-1] - fds[0]) / fds[0] if fds[0] else float("inf")
    worst_rss, worst_fd = max(worst_rss, g_rss), max(worst_fd, g_fd)
    proc_rows.append(f"| {name} | {len(v)} | {rss[0]:.1f} / {min(rss):.1f} / {max(rss):.1f} / {rss[-1]:.1f} | "
                     f"{g_rss:+.1f} % | {fds[0]} / {min(fds)} / {max(fds)} / {fds[-1]} | {g_fd:+.1f} % |")
have = len(series) == 4 and all(len(v) >= 2 for v in series.values())
target(f"RSS flat from {window_start} s on (< 10 % growth, every process)", f"largest growth {worst_rss:+.1f} %",
       have and worst_rss < 10)
target(f"open fds flat from {window_start} s on (< 10 % growth, every process)", f"largest growth {worst_fd:+.1f} %",
       have and worst_fd < 10)
print("| target | measured | result |\n|---|---|---|")
print("\n".join(rows))
if s is not None:
    print(f"\nAchieved: **{s['req_per_s']} requests/s** ({s['requests']} answered in {s['wall_s']} s, POSTs included).\n")
    print("| class | requests | statuses | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | > 30 s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for k in ("cached", "new", "post"):
        v = c[k]
        st = ", ".join(f"{a}: {b}" for a, b in sorted(v["status"].items()))
        print(f"| {k} | {v['count']} | {st} | {v['p50']} | {v['p90']} | {v['p99']} | {v['p999']} | {v['max']} | {v['over_30s']} |")
    per10 = " ".join(f"{x['answered'] / 10:.0f}" for x in s["series"])
    p99s = " ".join(str(x["cached_p99"]) for x in s["series"])
    print(f"\nPer 10 s: requests/s {per10}; cached p99 ms {p99s}.")
print(f"\nProcesses from {window_start} s on (samples every 10 s): RSS MB and open fds as first / min / max / last.\n")
print("| process | samples | RSS MB | RSS growth | fds | fd growth |\n|---|---|---|---|---|---|")
print("\n".join(proc_rows))
start = dict(l.split() for l in lines("cpu-start.txt"))
cores = [f"{n} {(int(t) - int(start.get(n, t))) / 100 / load_s:.2f}" for n, t in (l.split() for l in lines("cpu-end.txt"))]
if s is not None:
    cores.append(f"client {s['client_cpu_s'] / load_s:.2f}")
print(f"\nCPU during the load ({load_s} s), in cores (CPU s / wall s): " + ", ".join(cores) + ".")
jobs, outcomes = {}, {}
for w in ("worker1", "worker2"):
    for l in lines(f"{w}.err") + lines(f"{w}.out"):
        try:
            j = json.loads(l)
        except ValueError:
            continue
        if not isinstance(j, dict) or j.get("message") != "job":
            continue
        outcomes[j.get("outcome")] = outcomes.get(j.get("outcome"), 0) + 1
        for k in ("queue_ms", "fetch_ms", "process_ms", "store_ms"):
            if isinstance(j.get(k), (int, float)):
                jobs.setdefault(k, []).append(j[k])
def near(v, p):
    v = sorted(v)
    return v[max(0, -(-len(v) * p // 100) - 1)]
if jobs:
    phases = ", ".join(f"{k[:-3]} {near(v, 50):.1f} / {near(v, 99):.1f}" for k, v in jobs.items())
    print(f"\nJobs (the workers' job lines): {sum(outcomes.values())}, outcomes {outcomes}; "
          f"phases p50 / p99 ms: {phases}.")
print("\nLog lines (access log on, JSON): " + "; ".join(lines("logs.txt")) + ".")
problems = lines("problems.txt")
if problems:
    print("\nWarnings and errors logged (first 20 per process):\n\n```\n" + "\n".join(p[:300] for p in problems) + "\n```")
if missing:
    print(f"\nMissing objects (first 10 of {len(missing)}): " + ", ".join(f"`{m}`" for m in missing[:10]))
open(f"{tmp}/verdict", "w").write("PASS" if ok else "FAIL")
PY
}

SECTION=$DATA/soak-$(date -u +%Y%m%d-%H%M%S).md
{
  echo "## Soak: the seed's load SLO (bench/soak.sh)"
  echo
  echo "Command: \`$INVOCATION\` — 2 frontends (\`imgflo-server\`, IMGFLO_WORKER=external, $THREADS event-loop"
  echo "threads each) and 2 \`imgflo-worker --role both\` (default threads) on RabbitMQ, the Redis index and S3"
  echo "(moto), IMGFLO_CACHE=redis-s3, the client (\`bench/soak_client.js\`) and the services all on this machine."
  echo "$CONNECTIONS keep-alive connections split over both frontends, each sending its next GET $(awk -v r="$RATE" 'BEGIN { print 1 / r }') s after"
  echo "the previous answer, for $DURATION s: repeats of $HOT primed URLs (cached) and every $((100 / NEW_PERCENT))th"
  echo "GET a new one (\`$GRAPH?input=files/n-I.jpg\`, hard links of one 256×256 JPEG: a cache miss); beside"
  echo "them $POST_RATE POST/s on new URLs (pre-heat, 202) over 4 more connections per frontend. Lost results:"
  echo "the run's S3 folder listed after the load (waited ${STORE_SECONDS} s) and compared key by key with every"
  echo "Location a 301 or 202 gave."
  echo
  machine_facts
  echo "- $(redis-server --version | cut -d' ' -f1-3), RabbitMQ $(dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null)," \
       "node $(node --version)"
  echo "- load average (1/5/15 min) before: $LOAD_BEFORE, after: $LOAD_AFTER"
  echo
  report
} >"$SECTION"

cat "$SECTION"
if ((RECORD)); then
  record_section "$ROOT/bench/RESULTS.md" soak.sh "$SECTION"
  echo "recorded in bench/RESULTS.md (section also in ${SECTION#"$ROOT/"})" >&2
fi
[[ $(cat "$TMP/verdict" 2>/dev/null) == PASS ]]
