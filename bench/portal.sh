#!/usr/bin/env bash
# The agency's portal (issue 13) on bench/run.sh's database of N agreements:
#  - /portal p99 for an agency's signed-in session (32 connections);
#  - the server's peak memory over a 20 MB evidence upload (it must stream:
#    at most 40 MB above what it held before);
#  - the time to accept a submission.
#
#   bench/run.sh && bench/portal.sh          # import first (or REUSE its database)
#   BIN=/path/to/sepakat bench/portal.sh
#
# Needs: a release build (built here), python3, wrk, curl.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-100000}
DURATION=${DURATION:-20s}
CONNS=${CONNS:-32}
PORT=${PORT:-18767}
OUT=${OUT:-bench/out}
DB=${DATABASE_URL:-$OUT/bench.db}
PASSWORD=bench-admin-sandi-123
AGENCY_PASSWORD=bench-instansi-sandi-123
[ -e "$DB" ] || { echo "no database at $DB: run bench/run.sh first" >&2; exit 1; }
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/sepakat
fi

# An agency of the middle of the range, with an account of its own.
agency=$(python3 - "$DB" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
row = c.execute("SELECT second_institution_id FROM agreements WHERE signed_on IS NOT NULL "
                "ORDER BY id LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM agreements)").fetchone()
print(row[0])
EOF
)
name="bench.instansi.$agency"
echo "$AGENCY_PASSWORD" | "$BIN" --database "$DB" user add "$name" --role opd --institution "$agency" >/dev/null 2>&1 || true

SEPAKAT_ADMIN_PASSWORD=$PASSWORD SEPAKAT_SECRET_FILE="$OUT/bench.secret" SEPAKAT_FILES="$OUT/berkas" \
  "$BIN" --database "$DB" serve --bind "127.0.0.1:$PORT" --no-seed --no-remind --workers 2 > "$OUT/server-portal.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

jar="$OUT/cookies-portal.txt"; rm -f "$jar"
csrf=$(curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$PORT/masuk" | grep -o 'name="_csrf" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//')
curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "_csrf=$csrf" --data-urlencode "username=$name" \
  --data-urlencode "password=$AGENCY_PASSWORD" "http://127.0.0.1:$PORT/masuk"
SESSION=$(awk '$6 == "sepakat_sesi" {print $7}' "$jar")
export SESSION

SCENARIO=page_portal N=$N wrk -t2 -c"$CONNS" -d2s -s bench/wrk_scenario.lua "http://127.0.0.1:$PORT" >/dev/null
SCENARIO=page_portal N=$N wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s bench/wrk_scenario.lua "http://127.0.0.1:$PORT" | grep '^{'

# A 20 MB scan: one page whose image stream holds random bytes.
pdf="$OUT/scan-20mb.pdf"
[ -f "$pdf" ] || python3 - "$pdf" <<'EOF'
import os, sys
size = 20 * 1024 * 1024 - 2048
image = os.urandom(size)
objs = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>",
    b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n" % size + image + b"\nendstream",
    b"<< /Length 0 >>\nstream\n\nendstream",
]
out = bytearray(b"%PDF-1.5\n")
offsets = []
for i, o in enumerate(objs, 1):
    offsets.append(len(out))
    out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
xref = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
for off in offsets:
    out += b"%010d 00000 n \n" % off
out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
open(sys.argv[1], "wb").write(out)
EOF

key=$(curl -fs -b "$jar" "http://127.0.0.1:$PORT/portal" | grep -o '/portal/tugas/[0-9]*/report[^"]*' | head -n 1)
[ -n "$key" ] || { echo "no open report task for $name" >&2; exit 1; }
id=$(echo "$key" | cut -d/ -f4)
okey=$(echo "$key" | cut -d/ -f5)
TOKEN=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"$name\",\"password\":\"$AGENCY_PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
ADMIN=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

before=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")
# The peak (VmHWM) is reset so that it measures the upload alone.
echo 5 > "/proc/$server/clear_refs" 2>/dev/null || true
answer=$(curl -fs -w '\n%{time_total}' -H "Authorization: Bearer $TOKEN" \
  -F "file=@$pdf;type=application/pdf" -F "nik_hits=1000" \
  "http://127.0.0.1:$PORT/api/v1/agreements/$id/obligations/$okey/submissions")
seconds=$(echo "$answer" | tail -n 1)
sid=$(echo "$answer" | head -n 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
peak=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
echo "{\"scenario\":\"upload_20mb\",\"seconds\":$seconds,\"rss_before_mb\":$((before / 1024)),\"peak_rss_mb\":$((peak / 1024)),\"above_idle_mb\":$(((peak - before) / 1024))}"

accept=$(curl -fs -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $ADMIN" -H 'content-type: application/json' \
  -d '{"note":"lengkap"}' "http://127.0.0.1:$PORT/api/v1/agreements/$id/submissions/$sid/accept")
echo "{\"scenario\":\"accept_submission\",\"seconds\":$accept}"
