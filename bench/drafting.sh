#!/usr/bin/env bash
# Drafting (issue 14) on bench/run.sh's database of N agreements:
#  - the save-and-preview round trip of a draft's page (POST a section, the
#    page it leads to, the PKS preview re-rendered), EDITORS officers at once;
#  - the diff of two versions of a PKS (fields, scope, word-level text).
#
#   bench/run.sh && bench/drafting.sh          # import first (or REUSE its database)
#   BIN=/path/to/sepakat bench/drafting.sh
#
# Needs: a release build (built here), python3, curl.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-bench/out}
PORT=${PORT:-18768}
DB=${DATABASE_URL:-$OUT/bench.db}
PASSWORD=bench-admin-sandi-123
[ -e "$DB" ] || { echo "no database at $DB: run bench/run.sh first" >&2; exit 1; }
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/sepakat
fi

SEPAKAT_ADMIN_PASSWORD=$PASSWORD SEPAKAT_SECRET_FILE="$OUT/bench.secret" SEPAKAT_FILES="$OUT/berkas" \
  "$BIN" --database "$DB" serve --bind "127.0.0.1:$PORT" --no-seed --no-remind --workers 2 > "$OUT/server-drafting.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

python3 bench/drafting.py "http://127.0.0.1:$PORT" "$PASSWORD"
