#!/usr/bin/env bash
# Registry benchmark (issue 2): import speed, and latency/throughput of the
# API over N synthetic agreements, on SQLite or PostgreSQL.
#
#   bench/run.sh                       # SQLite, N=100000
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/sepakat_bench bench/run.sh
#   N=20000 DURATION=10s bench/run.sh  # smaller run
#   REUSE=1 SCENARIOS="list_status list_q" bench/run.sh   # serve the database of the last run
#   REUSE=1 SCENARIOS="get patch" BIN=/path/to/other/sepakat bench/run.sh   # compare two builds
#   REUSE=1 SCENARIOS="page_home page_list page_list_q page_agreement" bench/run.sh   # the pages
#
# Needs: a release build (built here), python3, wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-100000}
DURATION=${DURATION:-20s}
CONNS=${CONNS:-32}
PORT=${PORT:-18765}
OUT=${OUT:-bench/out}
DB=${DATABASE_URL:-$OUT/bench.db}
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/sepakat
fi

data="$OUT/agreements-$N.jsonl"
[ -f "$data" ] || python3 bench/generate.py "$N" "$data"

fresh() {
  case "$DB" in
    postgres*) name=${DB##*/}; base=${DB%/*}
               psql "$base/postgres" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name" >/dev/null ;;
    *) rm -f "$DB" "$DB-wal" "$DB-shm" ;;
  esac
}

if [ -n "${REUSE:-}" ]; then
  echo "== reusing the database at $DB (REUSE set: no import)"
else
echo "== import of 10,000 agreements into an empty database"
fresh
head -n 10000 "$data" > "$OUT/first10k.jsonl"
/usr/bin/time -f '{"scenario":"import_10k","seconds":%e,"max_rss_kb":%M}' "$BIN" --database "$DB" import "$OUT/first10k.jsonl" 2>&1 \
  | tail -n 1

if [ "$N" -gt 10000 ]; then
  echo "== importing the remaining $((N - 10000)) agreements"
  tail -n +10001 "$data" > "$OUT/rest.jsonl"
  "$BIN" --database "$DB" import "$OUT/rest.jsonl" | tail -n 1
fi

fi

echo "== serving"
# The benchmark signs in like any client: the first admin of a database
# without accounts comes from SEPAKAT_ADMIN_PASSWORD.
PASSWORD=bench-admin-sandi-123
SEPAKAT_ADMIN_PASSWORD=$PASSWORD SEPAKAT_SECRET_FILE="$OUT/bench.secret" \
  "$BIN" --database "$DB" serve --bind "127.0.0.1:$PORT" --no-seed --no-remind --workers 2 > "$OUT/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
TOKEN=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
export TOKEN
# The pages sign in as a browser does: the form's CSRF token and its cookie,
# then the session cookie.
jar="$OUT/cookies.txt"; rm -f "$jar"
csrf=$(curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$PORT/masuk" | grep -o 'name="_csrf" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//')
curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "_csrf=$csrf" --data-urlencode "username=admin" \
  --data-urlencode "password=$PASSWORD" "http://127.0.0.1:$PORT/masuk"
SESSION=$(awk '$6 == "sepakat_sesi" {print $7}' "$jar")
export SESSION

# The dashboard is computed once per registry version and then served from
# memory: time that first (cold) computation on its own, so that the
# dashboard scenario below measures the steady state.
curl -fs -o /dev/null -w '{"scenario":"dashboard_cold","seconds":%{time_total}}\n' \
  -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/dashboard"

# The server's CPU time (all its threads, user and system), in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
ticks_per_second=$(getconf CLK_TCK)

for scenario in ${SCENARIOS:-get list_status list_q list_institution dashboard}; do
  # Warm up once, then measure.
  SCENARIO=$scenario N=$N wrk -t2 -c"$CONNS" -d2s -s bench/wrk_scenario.lua "http://127.0.0.1:$PORT" >/dev/null
  cpu_before=$(cpu_ticks)
  line=$(SCENARIO=$scenario N=$N wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s bench/wrk_scenario.lua "http://127.0.0.1:$PORT" | grep '^{')
  cpu_after=$(cpu_ticks)
  # The server's CPU per request: unlike req/s, it hardly moves when other
  # work shares the machine's cores (on this 2-core machine, wrk and builds).
  requests=$(echo "$line" | sed 's/.*"requests":\([0-9]*\).*/\1/')
  cpu_us=$(( (cpu_after - cpu_before) * 1000000 / ticks_per_second / (requests > 0 ? requests : 1) ))
  echo "${line%\}},\"server_cpu_us_per_req\":$cpu_us}"
done
# What a browser downloads for the Beranda, gzip as the server sends it.
weight=0
for path in / /aset/sepakat.css /aset/htmx.min.js /aset/sepakat.js; do
  bytes=$(curl -fs -H 'Accept-Encoding: gzip' -b "sepakat_sesi=$SESSION" -o /dev/null -w '%{size_download}' "http://127.0.0.1:$PORT$path")
  weight=$((weight + bytes))
done
echo "{\"scenario\":\"page_weight_gzip\",\"bytes\":$weight}"
rss=$(awk '/VmRSS/ {print $2}' /proc/$server/status)
hwm=$(awk '/VmHWM/ {print $2}' /proc/$server/status)
echo "{\"scenario\":\"server_memory\",\"rss_mb\":$((rss / 1024)),\"peak_rss_mb\":$((hwm / 1024))}"
