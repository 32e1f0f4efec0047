#!/usr/bin/env bash
# Documents benchmark (issue 4): drawing up PKS PDFs for a whole registry,
# and one PKS against wkhtmltopdf on the same document as HTML.
#
#   bench/documents.sh                 # N=1000 agreements, RUNS=10
#   N=200 RUNS=5 bench/documents.sh    # smaller run
#   BUILD=0 bench/documents.sh         # reuse target/release/sepakat as it is
#   INPROC=1 bench/documents.sh        # also `cargo bench --bench documents`
#                                      # (builds the bench profile: minutes
#                                      # the first time, seconds after)
#
# Prints JSON lines. Targets: --all of 1,000 PKS ≤ 30 s with peak RSS
# ≤ 100 MB. Needs: python3, sqlite3, GNU time (/usr/bin/time), wkhtmltopdf.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000}
RUNS=${RUNS:-10}
INPROC=${INPROC:-0}
AS_OF=${AS_OF:-2026-11-25}
OUT=${OUT:-bench/out/documents}
SEED_NUMBER='400.12/2432/2025' # PIHAK KESATU's number of the Purbalingga PKS
mkdir -p "$OUT"
for tool in python3 sqlite3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done

BIN=target/release/sepakat
if [ "${BUILD:-1}" = 1 ]; then
  cargo build --release --quiet
else
  [ -x "$BIN" ] || { echo "$BIN is missing: run without BUILD=0" >&2; exit 1; }
  echo "== BUILD=0: using $BIN as built at $(date -r "$BIN" '+%F %T')" >&2
fi

fresh_db() { rm -f "$1" "$1-wal" "$1-shm"; }

# Milliseconds since the epoch, for timing short runs.
now_ms() { date +%s%3N; }

# Median and p90 (nearest rank) of the numbers on stdin, as JSON fields.
stats() {
  sort -n | awk '{ v[NR] = $1 } END {
    m = int((NR + 1) / 2); p = int(NR * 0.9 + 0.999); if (p < 1) p = 1
    printf "\"median_ms\":%d,\"p90_ms\":%d,\"min_ms\":%d,\"runs\":%d", v[m], v[p], v[1], NR }'
}

echo "== render --all --kind pks --format pdf over $N agreements" >&2
data="$OUT/agreements-$N.jsonl"
[ -f "$data" ] || python3 bench/generate.py "$N" "$data"
db="$OUT/registry-$N.db"
fresh_db "$db"
"$BIN" --database "$db" import "$data" > "$OUT/import.log"
tail -n 1 "$OUT/import.log" >&2
pdfs="$OUT/pks-$N"
rm -rf "$pdfs"
load=$(cut -d' ' -f1 /proc/loadavg) # other work on the cores skews the wall time, not cpu_seconds
/usr/bin/time -f '%e %M %U %S' -o "$OUT/render-all.time" \
  "$BIN" --database "$db" render --all --kind pks --format pdf --out "$pdfs" --as-of "$AS_OF" \
  > "$OUT/render-all.log" 2>&1 || { cat "$OUT/render-all.log" >&2; exit 1; }
read -r secs rss_kb user_s sys_s < <(tail -n 1 "$OUT/render-all.time")
written=$(find "$pdfs" -name '*.pdf' | wc -l)
total_kb=$(du -sk "$pdfs" | cut -f1)
awk -v n="$N" -v w="$written" -v s="$secs" -v cpu="$(echo "$user_s $sys_s" | awk '{ print $1 + $2 }')" -v r="$rss_kb" -v kb="$total_kb" -v cores="$(nproc)" -v la="$load" 'BEGIN {
  printf "{\"scenario\":\"render_all_pks_pdf\",\"agreements\":%d,\"pdfs\":%d,\"seconds\":%.2f,\"cpu_seconds\":%.2f,\"docs_per_s\":%.1f,\"max_rss_mb\":%.1f,\"total_mb\":%.1f,\"cores\":%d,\"loadavg_before\":%s,\"target_seconds\":30,\"target_max_rss_mb\":100,\"met\":%s}\n",
    n, w, s, cpu, (s > 0 ? w / s : 0), r / 1024, kb / 1024, cores, la, (s <= 30 && r / 1024 <= 100 && w == n) ? "true" : "false" }'

echo "== the Purbalingga PKS: wkhtmltopdf on our HTML vs our PDF, $RUNS runs each" >&2
seeds_db="$OUT/seeds.db"
fresh_db "$seeds_db"
"$BIN" --database "$seeds_db" import seeds >/dev/null
id=$(sqlite3 "$seeds_db" "SELECT agreement_id FROM agreement_parties WHERE side = 'first' AND number = '$SEED_NUMBER'")
[ -n "$id" ] || { echo "the Purbalingga seed ($SEED_NUMBER) is not in $seeds_db" >&2; exit 1; }
html="$OUT/purbalingga-pks.html"
"$BIN" --database "$seeds_db" render --agreement "$id" --kind pks --format html --as-of "$AS_OF" -o "$html" >/dev/null

# wkhtmltopdf needs no X server with Qt's offscreen platform; xvfb-run if that fails.
wk=(wkhtmltopdf --quiet)
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
if ! "${wk[@]}" "$html" "$OUT/wk-probe.pdf" 2>"$OUT/wk.err"; then
  command -v xvfb-run >/dev/null || { cat "$OUT/wk.err" >&2; echo "wkhtmltopdf fails without X and xvfb-run is missing" >&2; exit 1; }
  wk=(xvfb-run -a wkhtmltopdf --quiet)
  "${wk[@]}" "$html" "$OUT/wk-probe.pdf"
fi

wk_times=() ours_times=()
for _ in $(seq 1 "$RUNS"); do
  t=$(now_ms); "${wk[@]}" "$html" "$OUT/wk.pdf" 2>>"$OUT/wk.err"; wk_times+=($(($(now_ms) - t)))
  t=$(now_ms)
  "$BIN" --database "$seeds_db" render --agreement "$id" --kind pks --format pdf --as-of "$AS_OF" -o "$OUT/ours.pdf" >/dev/null
  ours_times+=($(($(now_ms) - t)))
done
pages() { local n; n=$(pdfinfo "$1" 2>/dev/null | awk '/^Pages:/ { print $2 }' || true); echo "${n:-null}"; }
wk_stats=$(printf '%s\n' "${wk_times[@]}" | stats)
ours_stats=$(printf '%s\n' "${ours_times[@]}" | stats)
echo "{\"scenario\":\"wkhtmltopdf_pks\",$wk_stats,\"pages\":$(pages "$OUT/wk.pdf"),\"bytes\":$(stat -c %s "$OUT/wk.pdf")}"
echo "{\"scenario\":\"sepakat_cli_pks_pdf\",$ours_stats,\"pages\":$(pages "$OUT/ours.pdf"),\"bytes\":$(stat -c %s "$OUT/ours.pdf"),\"includes\":\"process start, DB open, load, render, write\"}"
wk_med=$(printf '%s\n' "${wk_times[@]}" | stats | sed 's/.*"median_ms":\([0-9]*\).*/\1/')
ours_med=$(printf '%s\n' "${ours_times[@]}" | stats | sed 's/.*"median_ms":\([0-9]*\).*/\1/')

inproc=null
if [ "$INPROC" = 1 ]; then
  echo "== cargo bench --bench documents" >&2
  cargo bench --quiet --bench documents 2>"$OUT/inproc.err" | tee "$OUT/inproc.jsonl" | grep '"scenario":"pks_pdf"' || true
  inproc=$(sed -n 's/.*"scenario":"pks_pdf","median_ms":\([0-9.]*\).*/\1/p' "$OUT/inproc.jsonl")
  [ -n "$inproc" ] || echo "cargo bench --bench documents failed, see $OUT/inproc.err" >&2
  inproc=${inproc:-null}
fi
awk -v wk="$wk_med" -v ours="$ours_med" -v inproc="$inproc" 'BEGIN {
  printf "{\"scenario\":\"ratio_wkhtmltopdf_over_ours\",\"wkhtmltopdf_median_ms\":%d,\"ours_cli_median_ms\":%d,\"ratio_cli\":%.1f", wk, ours, (ours > 0 ? wk / ours : 0)
  if (inproc != "null" && inproc > 0) printf ",\"ours_inprocess_median_ms\":%s,\"ratio_inprocess\":%.1f", inproc, wk / inproc
  printf "}\n" }'
