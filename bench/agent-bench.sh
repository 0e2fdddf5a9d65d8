#!/usr/bin/env bash
# lh-agent footprint (issue 7): Native AOT binary size, daemon RSS, cold 'check' wall time.
# Starts the real server on loopback, makes a license with lhctl, activates lh-agent against it, then
# measures. Usage: bench/agent-bench.sh [OUT_DIR]   (needs the published agent: see agent/README.md)
# The linux-arm64 agent on x86-64, under qemu-user (the RSS is then qemu's, emulator included):
#   LH_AGENT=agent/LicenseHub.Agent/bin/Release/net10.0/linux-arm64/publish/lh-agent LH_AGENT_RUNNER=qemu-aarch64 bench/agent-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/licensehub-agent-bench}
rm -rf "$OUT"; mkdir -p "$OUT/data"
AGENT=${LH_AGENT:-agent/LicenseHub.Agent/bin/Release/net10.0/linux-x64/publish/lh-agent}
[ -x "$AGENT" ] || dotnet publish -c Release -r linux-x64 agent/LicenseHub.Agent >/dev/null
# shellcheck disable=SC2206 # a command and its options, split on spaces
RUN=(${LH_AGENT_RUNNER:-} "$AGENT")
dotnet build -c Release src/LicenseHub.Server >/dev/null
dotnet build -c Release src/LicenseHub.Cli >/dev/null
SERVER_DLL=src/LicenseHub.Server/bin/Release/net10.0/licensehub.dll
LHCTL="dotnet src/LicenseHub.Cli/bin/Release/net10.0/lhctl.dll"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
GRPC="http://127.0.0.1:$(port)"
LicenseHub__DataDirectory="$OUT/data" Kestrel__Endpoints__Grpc__Url="$GRPC" Kestrel__Endpoints__Web__Url="http://127.0.0.1:$(port)" \
  dotnet "$SERVER_DLL" > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do [ -s "$OUT/data/vendor-admin.key" ] && break; sleep 0.5; done
sleep 1
V="$LHCTL --server $GRPC --api-key-file $OUT/data/vendor-admin.key"
id() { sed -n 's/^ *id: *\([0-9a-f-]\{36\}\).*/\1/p' | head -1; }
PRODUCT=$($V product create --code agentbench --name "Agent Bench" | id)
PLAN=$($V plan create --product "$PRODUCT" --code pro-1y --edition pro --term-days 365 --max-machines 1 --price 19.99 --currency EUR --transfer-budget 1 | id)
RESELLER=$($V reseller create --company "Bench Hosting GmbH" --country DE --vat-id DE123456789 --contact-name "Billing Desk" --contact-email billing@bench-hosting.test | id)
$V apikey create --reseller "$RESELLER" --name bench --role owner 2>&1 | grep -o 'lh_[a-z0-9]\{10\}_[a-z0-9]\{32\}' | head -1 > "$OUT/reseller.key"
R="$LHCTL --server $GRPC --api-key-file $OUT/reseller.key"
POOL=$($R order create --plan "$PLAN" --quantity 1 --idempotency-key agent-bench-0001 | sed -n 's/.*pool: *\([0-9a-f-]\{36\}\).*/\1/p' | head -1)
$R license assign --pool "$POOL" --count 1 --csv "$OUT/keys.csv" >/dev/null
KEY=$(grep -o '[0-9A-Z]\{5\}\(-[0-9A-Z]\{5\}\)\{5\}' "$OUT/keys.csv" | head -1)
echo "4c4c4544004d3510804cb4c04f4e3032" > "$OUT/machine-id"
# The agent trusts only keys the vendor's anchor certifies (agent/README.md, "Trust anchor").
LicenseHub__DataDirectory="$OUT/data" dotnet "$SERVER_DLL" trust export > "$OUT/trust.json"
export LH_AGENT_STATE="$OUT/agent-state.json" LH_AGENT_MACHINE_ID_FILE="$OUT/machine-id" LH_AGENT_TRUST="$OUT/trust.json"
"${RUN[@]}" activate "$KEY" --server "$GRPC" --product agentbench --product-version 1.0.0 > "$OUT/activate.log" 2>&1

SIZE=$(stat -c %s "$AGENT")
echo "binary: $AGENT $SIZE bytes ($(python3 -c "print(f'{$SIZE/1048576:.1f}')") MiB)" | tee "$OUT/results.txt"
# Cold 'check': a fresh process each time (the first run also starts with the binary out of the file cache
# if it was just built). Timed with a monotonic clock around the whole process, 15 runs.
python3 - "${RUN[@]}" <<'PY' | tee -a "$OUT/results.txt"
import resource, statistics, subprocess, sys, time
wall = []
for _ in range(15):
    t = time.perf_counter()
    code = subprocess.run([*sys.argv[1:], "check", "-q"]).returncode
    wall.append((time.perf_counter() - t) * 1000)
    assert code == 0, f"lh-agent check exited {code}"
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"check wall time: first {wall[0]:.1f} ms, median {statistics.median(wall):.1f} ms [{min(wall):.1f}..{max(wall):.1f}] over {len(wall)} runs; peak RSS {rss:.1f} MiB")
PY
# Daemon: check in every 10 s (the shortest interval it accepts) for 35 s, then read its resident set.
"${RUN[@]}" run --interval 10 > "$OUT/daemon.log" 2>&1 &
DAEMON=$!
sleep 35
grep -E 'VmRSS|VmHWM' /proc/$DAEMON/status | tr -s ' ' | tee -a "$OUT/results.txt"
kill -TERM $DAEMON; wait $DAEMON || true
