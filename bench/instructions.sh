#!/usr/bin/env bash
# Instructions the server spends on one page request, counted by valgrind's
# callgrind: unlike req/s and latency on a shared 2-core machine, the count
# is the same from run to run, so two builds compare within a percent.
#
#   bench/run.sh                                   # first: bench/out/bench.db
#   bench/instructions.sh                          # one agreement's page, 60 ids
#   N=100 PAGE=/perjanjian/ BIN=/tmp/other/sepakat bench/instructions.sh
#   PAGE=/ bench/instructions.sh                   # the Beranda (no id appended)
#   KEEP=/tmp/cg.out bench/instructions.sh         # keep the profile: callgrind_annotate /tmp/cg.out
#
# The server runs under callgrind with one worker; each page is requested
# once to warm up (statements prepared, pages in the cache), the counters
# are zeroed, and the same N requests are made again and counted.
# Needs: valgrind (apt-get install valgrind), a release build.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-60}
PAGE=${PAGE:-/perjanjian/}
PORT=${PORT:-18791}
OUT=${OUT:-bench/out}
DB=$OUT/bench.db
[ -f "$DB" ] || { echo "no $DB: run bench/run.sh first" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install valgrind" >&2; exit 1; }
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/sepakat
fi

work=$(mktemp -d)
PASSWORD=bench-admin-sandi-123
SEPAKAT_ADMIN_PASSWORD=$PASSWORD SEPAKAT_SECRET_FILE="$OUT/bench.secret" RUST_LOG=error \
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.%p" \
  "$BIN" --database "$DB" serve --bind "127.0.0.1:$PORT" --no-seed --no-remind --workers 1 \
  >"$work/server.log" 2>&1 &
vg=$!
trap 'kill $vg 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.5; done

jar="$work/cookies.txt"
csrf=$(curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$PORT/masuk" | grep -o 'name="_csrf" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//')
curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "_csrf=$csrf" --data-urlencode "username=admin" \
  --data-urlencode "password=$PASSWORD" "http://127.0.0.1:$PORT/masuk"
session=$(awk '$6 == "sepakat_sesi" {print $7}' "$jar")

requests() {
  for i in $(seq 1 "$N"); do
    path=$PAGE
    case "$PAGE" in */) path="$PAGE$(( (i * 7919) % 100000 + 1 ))" ;; esac
    status=$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept-Encoding: gzip' -b "sepakat_sesi=$session" \
      "http://127.0.0.1:$PORT$path")
    [ "$status" = 200 ] || { echo "$path answered $status" >&2; exit 1; }
  done
}
requests
callgrind_control -z "$vg" >/dev/null
requests
callgrind_control -d "$vg" >/dev/null
for _ in $(seq 1 20); do ls "$work"/cg.*.1 >/dev/null 2>&1 && break; sleep 0.5; done
[ -z "${KEEP:-}" ] || cp "$(ls "$work"/cg.*.1 | head -n 1)" "$KEEP"
total=$(callgrind_annotate "$(ls "$work"/cg.*.1 | head -n 1)" 2>/dev/null | grep -m1 'PROGRAM TOTALS' | awk '{gsub(",", "", $1); print $1}')
echo "{\"page\":\"$PAGE\",\"requests\":$N,\"instructions_per_request\":$((total / N))}"
