#!/usr/bin/env bash
# The cost of one check-in, part by part, from a profile of the real server under check-in load.
#
#   bench/profile-checkin.sh [OUT_DIR] [-- extra server settings as NAME=VALUE ...]
#
# Starts the Release server (licensehub.dll) on loopback with a fresh SQLite data directory, drives it with
# lh-loadgen (check-ins only, closed loop), and over a window inside the measured phase:
#   - reads the server's CPU time (user + system, /proc/PID/stat) and the number of check-ins it counted
#     (the anonymous daily counts in its database), so CPU per check-in is measured, not estimated;
#   - samples the server's stacks with perf (DOTNET_PerfMapEnabled=1 so JIT-compiled frames have names).
# bench/checkin_costs.py then gives each sample to the part of the check-in it was spent in and prints the
# table: µs of CPU per check-in for each part.
#
# Needs perf (Debian: linux-perf) and python3. Environment: DURATION (s of load, default 80), WINDOW (s profiled,
# default 20), SETTLE (s of check-ins before the window, for tiered compilation to finish; default 45), INSTALLATIONS (default 1000), CONCURRENCY (default 64), FREQ (samples/s, default 1999).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT="${1:-/tmp/licensehub-profile}"
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
SETTINGS=("$@")
DURATION="${DURATION:-80}"
WINDOW="${WINDOW:-20}"
SETTLE="${SETTLE:-45}"
INSTALLATIONS="${INSTALLATIONS:-1000}"
CONCURRENCY="${CONCURRENCY:-64}"
FREQ="${FREQ:-1999}"

command -v perf >/dev/null || { echo "perf is needed (apt-get install linux-perf)." >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 is needed." >&2; exit 2; }

echo "Building the Release server and load generator..."
dotnet build -c Release src/LicenseHub.Server -v quiet -nologo >/dev/null
dotnet build -c Release bench/LicenseHub.LoadGen -v quiet -nologo >/dev/null
SERVER_DLL="src/LicenseHub.Server/bin/Release/net10.0/licensehub.dll"
LOADGEN="bench/LicenseHub.LoadGen/bin/Release/net10.0/lh-loadgen"

mkdir -p "$OUT"
DATA="$(mktemp -d /tmp/licensehub-profile-data.XXXXXX)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
GRPC_PORT="$(free_port)"
WEB_PORT="$(free_port)"

SERVER_PID=""
LOAD_PID=""
cleanup() {
  [ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT

env_settings=()
for setting in "${SETTINGS[@]}"; do env_settings+=("$setting"); done
echo "Starting the server on 127.0.0.1:$GRPC_PORT (data: $DATA)..."
env LicenseHub__DataDirectory="$DATA" \
    Kestrel__Endpoints__Grpc__Url="http://127.0.0.1:$GRPC_PORT" \
    Kestrel__Endpoints__Web__Url="http://127.0.0.1:$WEB_PORT" \
    DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_NOLOGO=1 \
    "${env_settings[@]}" \
    dotnet "$SERVER_DLL" >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 240); do
  [ -s "$DATA/vendor-admin.key" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "The server stopped; see $OUT/server.log" >&2; exit 1; }
  sleep 0.5
done
[ -s "$DATA/vendor-admin.key" ] || { echo "The server did not write its vendor key; see $OUT/server.log" >&2; exit 1; }

# The load: activation of the installations first, then check-ins for DURATION seconds.
[ "$((SETTLE + WINDOW + 5))" -le "$DURATION" ] || { echo "DURATION must exceed SETTLE + WINDOW + 5." >&2; exit 2; }
"$LOADGEN" --server "http://127.0.0.1:$GRPC_PORT" --vendor-key-file "$DATA/vendor-admin.key" --mode checkin \
  --rounds 1 --warmup 3 --duration "$DURATION" --concurrency "$CONCURRENCY" --installations "$INSTALLATIONS" \
  --json-out "$OUT/load.jsonl" >"$OUT/load.log" 2>&1 &
LOAD_PID=$!

DB="$DATA/licensehub.db"
checkins() {
  python3 - "$DB" <<'EOF'
import sqlite3, sys
con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=30)
# Check-ins are counted per day; a build from before counted check-ins kept a row for each instead.
counted = con.execute('SELECT COALESCE(SUM("CheckIns"), 0) FROM "DailyCheckInCounts"').fetchone()[0]
rows = con.execute('SELECT COUNT(*) FROM "CheckIns"').fetchone()[0]
print(max(counted, rows))
EOF
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }

# Wait until check-ins are being counted, then SETTLE seconds more: the JIT recompiles hot methods for a while.
for _ in $(seq 1 240); do
  [ -f "$DB" ] && [ "$(checkins 2>/dev/null || echo 0)" -gt 0 ] && break
  kill -0 "$LOAD_PID" 2>/dev/null || { echo "The load generator stopped early; see $OUT/load.log" >&2; exit 1; }
  sleep 0.5
done
sleep "$SETTLE"

echo "Profiling $WINDOW s of check-in load..."
TICKS="$(getconf CLK_TCK)"
count_before="$(checkins)"; ticks_before="$(cpu_ticks)"; t_before="$(date +%s.%N)"
perf record -F "$FREQ" -g -p "$SERVER_PID" -o "$OUT/perf.data" -- sleep "$WINDOW" >/dev/null 2>"$OUT/perf-record.log"
count_after="$(checkins)"; ticks_after="$(cpu_ticks)"; t_after="$(date +%s.%N)"
wait "$LOAD_PID" || { echo "The load generator failed; see $OUT/load.log" >&2; exit 1; }
LOAD_PID=""

perf script -i "$OUT/perf.data" -F comm,tid,time,ip,sym,dso 2>/dev/null >"$OUT/perf.script"
python3 bench/checkin_costs.py "$OUT/perf.script" \
  --checkins "$((count_after - count_before))" \
  --cpu-seconds "$(python3 -c "print(($ticks_after - $ticks_before) / $TICKS)")" \
  --wall-seconds "$(python3 -c "print($t_after - $t_before)")" | tee "$OUT/costs.md"
