#!/usr/bin/env bash
# The benchmark: builds the release binary, starts it on a fresh database (the
# demo, then `hyoka generate --sheets 2000 --years 2`), logs in and prints one
# table. Everything is measured side by side in one run, so the ratios hold
# on a noisy machine. See README, "Benchmark".
#
#   bench/run.sh                      # SQLite, one instance
#   bench/run.sh --postgres URL       # PostgreSQL (URL names an existing
#                                     # server; a fresh database is made beside
#                                     # it and dropped), two app instances
#
# Settings (environment): BENCH_SHEETS (2000), BENCH_SECONDS (8), BENCH_PORT
# (18085; the second instance takes the next port), BENCH_PG_DB (the
# PostgreSQL database made and dropped), BENCH_DIR (a temporary
# directory), BENCH_BIN (skip the build and use this hyoka binary),
# BENCH_LOAD (the bench_load client). Needs wrk (`apt-get install wrk`).
set -euo pipefail

cd "$(dirname "$0")/.."
PG_URL=""
if [ "${1:-}" = "--postgres" ]; then
    PG_URL="${2:?--postgres needs a URL}"
fi
SHEETS="${BENCH_SHEETS:-2000}"
SECONDS_EACH="${BENCH_SECONDS:-8}"
PORT="${BENCH_PORT:-18085}"
PORT2=$((PORT + 1))
DIR="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$DIR"
PASSWORD="bench-password-$$"

command -v wrk > /dev/null || {
    echo "wrk がありません: apt-get install -y wrk" >&2
    exit 1
}
if [ -z "${BENCH_BIN:-}" ]; then
    cargo build --release --quiet --bin hyoka --example bench_load
fi
BIN="${BENCH_BIN:-target/release/hyoka}"
LOAD="${BENCH_LOAD:-target/release/examples/bench_load}"

PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
    wait 2> /dev/null || true
    if [ -n "$PG_URL" ]; then
        psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $PG_DB" > /dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

if [ -n "$PG_URL" ]; then
    PG_DB="${BENCH_PG_DB:-hyoka_bench_$$}"
    psql "$PG_URL" -qc "CREATE DATABASE $PG_DB" > /dev/null
    DB_URL="${PG_URL%/*}/$PG_DB"
else
    DB_URL="sqlite://$DIR/bench.db"
    rm -f "$DIR"/bench.db*
fi

# ---- start with migrations (an empty database, no demo) ----
START_DB="sqlite://$DIR/start.db"
rm -f "$DIR"/start.db*
t0=$(date +%s%N)
DATABASE_URL="$START_DB" HYOKA_DEMO=0 HYOKA_BIND="127.0.0.1:$PORT" RUST_LOG=warn "$BIN" serve > "$DIR/start.log" 2>&1 &
spid=$!
until curl -fs "http://127.0.0.1:$PORT/healthz" > /dev/null 2>&1; do sleep 0.005; done
START_MS=$((($(date +%s%N) - t0) / 1000000))
kill "$spid"
wait "$spid" 2> /dev/null || true

# ---- the data: the demo, then the generated plan ----
start_server() { # port log
    DATABASE_URL="$DB_URL" HYOKA_DEMO=1 HYOKA_BIND="127.0.0.1:$1" "$BIN" serve > "$2" 2>&1 &
    PIDS+=($!)
    until curl -fs "http://127.0.0.1:$1/healthz" > /dev/null 2>&1; do sleep 0.05; done
}
start_server "$PORT" "$DIR/server.log"
SERVER=${PIDS[0]}
kill "$SERVER"
wait "$SERVER" 2> /dev/null || true
PIDS=()
GEN_OUT=$(echo "$PASSWORD" | DATABASE_URL="$DB_URL" "$BIN" generate --sheets "$SHEETS" --years 2)
GEN_PLAN=$(echo "$GEN_OUT" | sed -n 's/.*（id \([0-9]*\)）.*/\1/p' | head -n 1)
# Demo passwords are random; the bench sets its own for HQ (honbu).
echo "$PASSWORD" | DATABASE_URL="$DB_URL" "$BIN" user passwd --login honbu > /dev/null

start_server "$PORT" "$DIR/server.log"
SERVER=${PIDS[0]}
BASE="http://127.0.0.1:$PORT"
if [ -n "$PG_URL" ]; then
    start_server "$PORT2" "$DIR/server2.log"
fi

ROWS=() # label|result, in the order measured
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
sleep 1
IDLE_RSS_KB=$(rss_kb "$SERVER")

sql() {
    if [ -n "$PG_URL" ]; then psql "$DB_URL" -Atqc "$1"; else sqlite3 "$DIR/bench.db" "$1"; fi
}
# The generated plan's current year: a draft sheet per editor's department.
CURRENT=2025
mapfile -t DRAFTS < <(sql "SELECT u.login || ':' || s.id FROM sheets s
    JOIN initiatives i ON i.id = s.initiative_id
    JOIN focus_areas a ON a.id = i.area_id
    JOIN users u ON u.department_id = i.department_id AND u.login LIKE 'gen1-%'
    WHERE a.plan_id = $GEN_PLAN AND s.fiscal_year = $CURRENT AND s.status = 'draft'
    ORDER BY s.id")
# 16 editors on their own sheet, 16 in pairs on 8 shared sheets.
EDITORS=()
declare -A USED=()
for d in "${DRAFTS[@]}"; do
    login="${d%%:*}"
    [ -n "${USED[$login]:-}" ] && continue
    USED[$login]=1
    EDITORS+=("$d")
    [ "${#EDITORS[@]}" -ge 24 ] && break
done
if [ "${#EDITORS[@]}" -lt 24 ]; then
    echo "draft sheets for 24 departments needed, found ${#EDITORS[@]}" >&2
    exit 1
fi
SHARED=("${EDITORS[@]:16:8}")
EDITORS=("${EDITORS[@]:0:24}" "${SHARED[@]}")

STAFF_LOGIN="${EDITORS[0]%%:*}"
SHEET_ID="${EDITORS[0]##*:}"
STAFF_COOKIE=$("$LOAD" login "$BASE" "$STAFF_LOGIN" "$PASSWORD")
HQ_COOKIE=$("$LOAD" login "$BASE" honbu "$PASSWORD")

# ---- the books first, while the server is fresh: time to last byte, and
# the server's peak RSS meanwhile (the peak is reset before each) ----
DEMO_PLAN=$(sql "SELECT id FROM plans WHERE id <> $GEN_PLAN ORDER BY id LIMIT 1")
book() { # label path
    echo 5 > "/proc/$SERVER/clear_refs" 2> /dev/null || true
    local t
    t=$(curl -s -o "$DIR/book.html" -w '%{time_total} %{size_download} %{http_code}' -H "Cookie: $HQ_COOKIE" "$BASE$2")
    ROWS+=("$1|time ${t%% *} s, $(echo "$t" | awk '{printf "%.1f MB, status %s", $2 / 1e6, $3}'), server peak RSS $(($(hwm_kb "$SERVER") / 1024)) MB")
}
book "book 令和6年度 (demo, 12 sheets)" "/reports/2024?plan=$DEMO_PLAN"
book "book 令和6年度 ($SHEETS sheets)" "/reports/2024?plan=$GEN_PLAN"

# wrk: requests/s, p50 and p99 in ms. Anything but 2xx counts as an error.
WRK_LUA="$DIR/report.lua"
cat > "$WRK_LUA" << 'EOF'
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.0f %.1f %.1f %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
EOF
LAST=""
measure() { # label path cookie; the result (req/s p50 p99 errors) also in $LAST
    local out
    local header=()
    [ -n "$3" ] && header=(-H "Cookie: $3")
    out=$(wrk -t2 -c64 -d"${SECONDS_EACH}s" -s "$WRK_LUA" "${header[@]}" "$BASE$2" | awk '/^RESULT/ {print $2, $3, $4, $5}')
    ROWS+=("$1|$out")
    LAST="$out"
}
# The lists of 2,000 sheets last: under 64 connections some of their
# requests time out in wrk and finish on the server only after wrk stops.
measure "/healthz" /healthz ""
HEALTH="$LAST"
measure "/readyz" /readyz ""
measure "sheet page /sheets/$SHEET_ID" "/sheets/$SHEET_ID" "$STAFF_COOKIE"
SHEET="$LAST"
measure "取組事業一覧 /sheets ($SHEETS)" "/sheets?plan=$GEN_PLAN" "$STAFF_COOKIE"
measure "HQ home / ($SHEETS sheets)" "/" "$HQ_COOKIE"
RATIO=$(awk -v s="${SHEET%% *}" -v h="${HEALTH%% *}" 'BEGIN { printf "%.1f%%", 100 * s / h }')

# ---- 32 editors saving ----
# Let the lists' timed-out requests finish on the server first.
sleep 3
SAVES=$("$LOAD" saves "$BASE" "$PASSWORD" "$SECONDS_EACH" "${EDITORS[@]}" ${PG_URL:+--second "http://127.0.0.1:$PORT2"})

# ---- the table ----
echo
echo "hyoka benchmark — $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $([ -n "$PG_URL" ] && echo "PostgreSQL, 2 instances" || echo "SQLite, 1 instance")"
printf '%-44s %10s %9s %9s %7s\n' "route (wrk -t2 -c64 -d${SECONDS_EACH}s)" "req/s" "p50 ms" "p99 ms" "errors"
for r in "${ROWS[@]}"; do
    label="${r%%|*}"
    rest="${r#*|}"
    case "$rest" in
        time*) printf '%-44s %s\n' "$label" "$rest" ;;
        *) read -r rps p50 p99 err <<< "$rest"; printf '%-44s %10s %9s %9s %7s\n' "$label" "$rps" "$p50" "$p99" "$err" ;;
    esac
done
echo "sheet page ÷ /healthz                     $RATIO   (target ≥ 25%, p99 < 10 ms)"
read -r sps conflicts errors sp50 sp99 acked <<< "$SAVES"
echo "saves, 32 editors (16 on 8 shared sheets) $sps/s acknowledged ($acked), p50 $sp50 ms, p99 $sp99 ms, conflicts $conflicts, errors $errors   (target ≥ $([ -n "$PG_URL" ] && echo 400 || echo 500)/s, p99 < 50 ms, 0 errors)"
echo "idle RSS                                  $((IDLE_RSS_KB / 1024)) MB   (target < 30 MB)"
echo "start with migrations (empty database)    $START_MS ms   (target < 1000 ms)"
