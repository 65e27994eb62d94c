#!/usr/bin/env bash
# S3 test service: moto_server on loopback with Signature V4 checking.
#
#   scripts/services/moto.sh start DIR    start (or reuse) moto, set up a user, key and bucket
#   scripts/services/moto.sh stop DIR     stop it by PID
#
# DIR/services.env receives (replacing earlier lines of these names, other lines are kept):
#   MOTO_PID  IMGFLO_TEST_S3_ENDPOINT  IMGFLO_TEST_S3_BUCKET  IMGFLO_TEST_S3_KEY  IMGFLO_TEST_S3_SECRET
# Tests read them from the environment or from build/test-services/services.env, so the usual call is
#   scripts/services/moto.sh start build/test-services
#
# Authentication: moto checks nothing by default. With INITIAL_NO_AUTH_ACTION_COUNT=N the first N
# requests are free and every later one must carry a valid SigV4 signature of an IAM user's key. The
# set-up below uses exactly kSetupActions requests, then start checks that a wrong secret is refused.
#
# Public reads: the bucket gets a public-read bucket policy, as the production bucket needs (uploads
# carry no ACL). moto 5 cannot serve anonymous requests while auth is on: a request without an
# Authorization header ends in a 500 (KeyError 'HTTP_AUTHORIZATION' in moto/iam/access_control.py).
# So against moto the public URL can only be checked with signed requests.
#
# Settings: IMGFLO_TEST_MOTO_PORT (default 4570), IMGFLO_TEST_S3_BUCKET (default imgflo-test).
# Start-up takes about 3 s for moto plus about 0.7 s per aws call.
set -euo pipefail

readonly PORT=${IMGFLO_TEST_MOTO_PORT:-4570}
readonly BUCKET=${IMGFLO_TEST_S3_BUCKET:-imgflo-test}
readonly ENDPOINT="http://127.0.0.1:${PORT}"
readonly USER_NAME=imgflo-test
readonly SETUP_ACTIONS=5  # create-user, put-user-policy, create-bucket, put-bucket-policy, create-access-key
readonly NAMES_RE='^(MOTO_PID|IMGFLO_TEST_S3_ENDPOINT|IMGFLO_TEST_S3_BUCKET|IMGFLO_TEST_S3_KEY|IMGFLO_TEST_S3_SECRET)='

die() { echo "moto.sh: $*" >&2; exit 1; }

usage() { die "usage: $0 start|stop|status DIR"; }

# Value of NAME in the env file, or nothing.
env_value() { [[ -f $ENV_FILE ]] && sed -n "s/^$1=//p" "$ENV_FILE" | tail -n1 || true; }

# True when PID is a live moto_server process.
is_moto() { [[ -n $1 && -r /proc/$1/cmdline ]] && tr '\0' ' ' < "/proc/$1/cmdline" | grep -q moto_server; }

# Replaces this script's lines in the env file with the given NAME=VALUE lines (atomically).
write_env() {
  local tmp
  tmp=$(mktemp "$ENV_FILE.XXXXXX")
  if [[ -f $ENV_FILE ]]; then grep -Ev "$NAMES_RE" "$ENV_FILE" > "$tmp" || true; fi
  if (($# > 0)); then printf '%s\n' "$@" >> "$tmp"; fi
  mv "$tmp" "$ENV_FILE"
}

port_answers() { curl -s -o /dev/null --max-time 2 "${ENDPOINT}/moto-api/"; }

# aws against moto, isolated from any user configuration; credentials come from the caller's env.
aws_moto() {
  AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_DEFAULT_REGION=us-east-1 \
    aws --endpoint-url "$ENDPOINT" "$@"
}

require_tools() {
  local missing=()
  for tool in moto_server aws curl; do command -v "$tool" > /dev/null || missing+=("$tool"); done
  ((${#missing[@]} == 0)) && return 0
  die "missing on PATH: ${missing[*]} (moto_server comes from 'pip install moto[server]', aws from the awscli package or 'pip install awscli'; curl from Debian)"
}

launch() {
  port_answers && die "port ${PORT} is already in use by another process (set IMGFLO_TEST_MOTO_PORT)"
  INITIAL_NO_AUTH_ACTION_COUNT=$SETUP_ACTIONS setsid moto_server -H 127.0.0.1 -p "$PORT" \
    > "$DIR/moto.log" 2>&1 < /dev/null &
  PID=$!
  for _ in $(seq 1 150); do
    port_answers && return 0
    kill -0 "$PID" 2> /dev/null || die "moto_server exited at start-up; see $DIR/moto.log"
    sleep 0.2
  done
  kill "$PID" 2> /dev/null || true
  die "moto_server did not answer on ${ENDPOINT} within 30 s; see $DIR/moto.log"
}

# The kSetupActions unauthenticated requests: user with an allow-all policy, bucket, public-read
# policy, access key. Prints "KEY SECRET".
set_up() {
  local allow_all='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
  local public_read='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::'"$BUCKET"'/*"}]}'
  export AWS_ACCESS_KEY_ID=setup AWS_SECRET_ACCESS_KEY=setup
  aws_moto iam create-user --user-name "$USER_NAME" > /dev/null
  aws_moto iam put-user-policy --user-name "$USER_NAME" --policy-name allow-all --policy-document "$allow_all"
  aws_moto s3api create-bucket --bucket "$BUCKET" > /dev/null
  aws_moto s3api put-bucket-policy --bucket "$BUCKET" --policy "$public_read"
  aws_moto iam create-access-key --user-name "$USER_NAME" \
    --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text
}

# Signature checking must be on: the key works, a wrong secret is refused.
verify_auth() {
  AWS_ACCESS_KEY_ID=$1 AWS_SECRET_ACCESS_KEY=$2 aws_moto s3api head-bucket --bucket "$BUCKET" > /dev/null \
    || die "the new access key is refused; see $DIR/moto.log"
  if AWS_ACCESS_KEY_ID=$1 AWS_SECRET_ACCESS_KEY=wrong-secret aws_moto s3api head-bucket --bucket "$BUCKET" > /dev/null \
    2> /dev/null; then
    die "moto accepted a wrong secret: signature checking is off"
  fi
}

start() {
  require_tools
  local old
  old=$(env_value MOTO_PID)
  if is_moto "$old" && port_answers; then
    echo "moto already running (pid $old) on $ENDPOINT"
    return 0
  fi
  launch
  local key secret
  read -r key secret < <(set_up) || true
  [[ -n ${key:-} && -n ${secret:-} ]] || { kill "$PID"; die "set-up failed; see $DIR/moto.log"; }
  verify_auth "$key" "$secret" || { kill "$PID"; exit 1; }
  write_env "MOTO_PID=$PID" "IMGFLO_TEST_S3_ENDPOINT=$ENDPOINT" "IMGFLO_TEST_S3_BUCKET=$BUCKET" \
    "IMGFLO_TEST_S3_KEY=$key" "IMGFLO_TEST_S3_SECRET=$secret"
  echo "moto running (pid $PID) on $ENDPOINT, bucket $BUCKET, SigV4 checked; settings in $ENV_FILE"
}

stop() {
  local pid
  pid=$(env_value MOTO_PID)
  if is_moto "$pid"; then
    kill "$pid"
    for _ in $(seq 1 50); do is_moto "$pid" || break; sleep 0.1; done
    if is_moto "$pid"; then kill -9 "$pid"; fi
    echo "moto stopped (pid $pid)"
  else
    echo "moto not running"
  fi
  [[ -f $ENV_FILE ]] && write_env
  return 0
}

(($# == 2)) || usage
mkdir -p "$2"
DIR=$(cd "$2" && pwd)
ENV_FILE="$DIR/services.env"
status() {
  local pid
  pid=$(env_value MOTO_PID)
  if is_moto "$pid" && port_answers; then echo "moto running (pid $pid) on $ENDPOINT"; else echo "stopped"; return 1; fi
}

case "$1" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
