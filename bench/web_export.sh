#!/usr/bin/env bash
# Times the agreements list's downloads (/perjanjian.csv, /perjanjian.xlsx)
# as a browser would fetch them: signs in through the /masuk form (its CSRF
# token from the form, the cookies in a jar), then downloads every agreement.
#
#   bench/web_export.sh                          # against bench/run.sh's database
#   REUSE=1 N=100000 bench/web_export.sh         # same; the import is bench/run.sh's
#   BASE=http://127.0.0.1:8080 PASSWORD=… bench/web_export.sh   # a running server
#
# Without BASE it serves bench/out/bench.db (imported by `bench/run.sh`, or
# imported here when missing) with a release build on PORT.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-100000}
PORT=${PORT:-18766}
OUT=${OUT:-bench/out}
DB=${DATABASE_URL:-$OUT/bench.db}
PASSWORD=${PASSWORD:-bench-admin-sandi-123}
mkdir -p "$OUT"

if [ -z "${BASE:-}" ]; then
  if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet
    BIN=target/release/sepakat
  fi
  if [ ! -e "$DB" ] && [[ "$DB" != postgres* ]]; then
    data="$OUT/agreements-$N.jsonl"
    [ -f "$data" ] || python3 bench/generate.py "$N" "$data"
    echo "== importing $N agreements into $DB"
    "$BIN" --database "$DB" import "$data" | tail -n 1
  fi
  SEPAKAT_ADMIN_PASSWORD=$PASSWORD SEPAKAT_SECRET_FILE="$OUT/bench.secret" \
    "$BIN" --database "$DB" serve --bind "127.0.0.1:$PORT" --no-seed --no-remind --workers 2 \
    > "$OUT/server-export.log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  BASE="http://127.0.0.1:$PORT"
  for _ in $(seq 1 50); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.2; done
fi

jar=$(mktemp)
trap 'rm -f "$jar"; [ -n "${server:-}" ] && kill $server 2>/dev/null || true' EXIT
csrf=$(curl -fs -c "$jar" -b "$jar" "$BASE/masuk" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
[ -n "$csrf" ] || { echo "no CSRF token in the sign-in form" >&2; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" -X POST "$BASE/masuk" \
  --data-urlencode "_csrf=$csrf" --data-urlencode "username=admin" --data-urlencode "password=$PASSWORD")
[ "$code" = 303 ] || { echo "sign-in answered $code, not 303" >&2; exit 1; }

for what in ${EXPORTS:-perjanjian.csv perjanjian.xlsx}; do
  # The first byte arrives early for the streamed CSV; the total is the figure.
  curl -fs -b "$jar" -o "$OUT/$what" \
    -w "{\"scenario\":\"export_${what/./_}\",\"seconds\":%{time_total},\"first_byte_s\":%{time_starttransfer},\"bytes\":%{size_download}}\n" \
    "$BASE/$what${QUERY:+?$QUERY}"
  case "$what" in
    *.csv) echo "{\"file\":\"$OUT/$what\",\"lines\":$(wc -l < "$OUT/$what")}" ;;
  esac
done
