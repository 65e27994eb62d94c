#!/usr/bin/env bash
# Installs the Debian 12 packages imgflo-server needs to build, run, test and benchmark.
# Idempotent: packages already present are skipped by apt. Run as root.
#   scripts/install-deps.sh          build + runtime + test (incl. sanitizer/fuzzing) dependencies
#   scripts/install-deps.sh --bench  also the benchmark tools (wrk, nginx, hyperfine)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -o DPkg::Lock::Timeout=600 -y --no-install-recommends)

build=(build-essential cmake pkg-config git ca-certificates
       libvips-dev liblcms2-dev libcairo2-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
       libboost-dev libcurl4-openssl-dev libssl-dev libhiredis-dev librabbitmq-dev libpq-dev libsqlite3-dev
       libgtest-dev googletest libvips-tools zlib1g-dev
       libavformat-dev libavcodec-dev libswscale-dev libavutil-dev)
# The apps database's tests run a private PostgreSQL (scripts/services/postgres.sh: its TLS
# certificate is made by openssl) and read SQLite files with the sqlite3 shell.
# Test corpora are made at test time: exiftool writes EXIF orientation, the ICC profiles come from
# icc-profiles-free and colord-data (/usr/share/color/icc). /metrics is also read by the Prometheus
# Python client's parser (python3-prometheus-client, run as /usr/bin/python3). The web UI's browser
# tests (tests/browser) drive Debian's chromium with puppeteer-core from npm (never a downloaded browser).
# The video tests make their inputs and check their results with ffmpeg and ffprobe.
test=(gegl curl redis-server rabbitmq-server postgresql sqlite3 openssl python3 nodejs chromium
      libimage-exiftool-perl icc-profiles-free colord-data
      python3-prometheus-client ffmpeg)
# Sanitizer builds and libFuzzer (scripts/sanitize.sh, scripts/fuzz.sh): clang 14, its runtimes,
# and llvm-symbolizer (package llvm) for symbolised sanitizer reports.
sanitize=(clang libclang-rt-14-dev llvm)
bench=(wrk nginx-light hyperfine time)

want=("${build[@]}" "${test[@]}" "${sanitize[@]}")
[[ "${1:-}" == "--bench" ]] && want+=("${bench[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  "${APT[@]}" install "${missing[@]}"
fi
# The browser tests' npm packages (tests/browser/package-lock.json), without any browser download.
PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix "$(dirname "$0")/../tests/browser" --no-audit --no-fund
