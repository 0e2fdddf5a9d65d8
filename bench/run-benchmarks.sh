#!/usr/bin/env bash
# Reproduces bench/RESULTS.md: builds Release, runs the micro-benchmarks, the load generator against the
# real server (check-ins and the health baseline, bulk assignment, activations) and the scale comparison on
# seeded databases. Everything runs on this machine (loopback only); results land in $OUT.
# Usage: bench/run-benchmarks.sh [OUT_DIR]   (about 40 minutes on 2 cores; needs ~3 GB free disk for the 1M seed)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/licensehub-bench}
mkdir -p "$OUT"
LOADGEN=bench/LicenseHub.LoadGen/bin/Release/net10.0/lh-loadgen
SEED=bench/LicenseHub.Seed/bin/Release/net10.0/lh-seed

dotnet build -c Release bench/LicenseHub.LoadGen >/dev/null
dotnet build -c Release bench/LicenseHub.Seed >/dev/null
dotnet build -c Release bench/LicenseHub.Benchmarks >/dev/null
{ date -u; nproc; free -g | head -2; uname -r; } > "$OUT/machine.txt"

# 1. Micro-benchmarks: 3 launches x 5 iterations each; ratios against the [Baseline] of each class.
dotnet bench/LicenseHub.Benchmarks/bin/Release/net10.0/LicenseHub.Benchmarks.dll --filter '*' --artifacts "$OUT/bdn" | tee "$OUT/bdn.log"
# The sign and verify targets, interleaved with their baselines (robust to a noisy machine), 3 runs.
for i in 1 2 3; do
  dotnet bench/LicenseHub.Benchmarks/bin/Release/net10.0/LicenseHub.Benchmarks.dll paired 300 | tee -a "$OUT/paired.log"
done

# 2. Check-ins against the health-check baseline, same server, same generator, 3 rounds; each maximum
#    measurement is followed by an open-loop run at half the rate just measured (p99 at half throughput).
for i in 1 2 3; do
  $LOADGEN --start-server --mode health,checkin --paced 0.5 --rounds 3 --duration 10 --warmup 2 --installations 2000 \
    --label checkin --json-out "$OUT/checkin.jsonl" | tee -a "$OUT/checkin.log"
done
$LOADGEN report "$OUT/checkin.jsonl" | tee "$OUT/checkin-summary.txt"

# 3. AssignLicenses of 10,000 in one call vs a raw Microsoft.Data.Sqlite insert of 10,000 rows, 5 rounds.
$LOADGEN --start-server --mode assign --rounds 5 --assign-size 10000 --label assign --json-out "$OUT/assign.jsonl" | tee "$OUT/assign.log"

# 4. Activations (informational: no target).
$LOADGEN --start-server --mode health,activate --rounds 3 --duration 10 --warmup 2 --activations 3000 \
  --label activate --json-out "$OUT/activate.jsonl" | tee "$OUT/activate.log"

# 5. Scale: 1,000 vs 1,000,000 licenses and installations, seeded, then check-ins as seeded installations,
#    alternating the two databases three times; server RSS is read after each run.
rm -rf "$OUT/seed1k" "$OUT/seed1m"
$SEED --data-dir "$OUT/seed1k" --licenses 1000 | tee "$OUT/seed1k.log"
$SEED --data-dir "$OUT/seed1m" --licenses 1000000 | tee "$OUT/seed1m.log"
for i in 1 2 3; do
  for size in 1k 1m; do
    $LOADGEN --start-server --data-dir "$OUT/seed$size" --credentials "$OUT/seed$size/bench-credentials.csv" \
      --mode health,checkin --rounds 1 --duration 10 --warmup 5 --label "$size" --json-out "$OUT/scale.jsonl" | tee -a "$OUT/scale.log"
  done
done
$LOADGEN report "$OUT/scale.jsonl" --baseline-label 1k | tee "$OUT/scale-summary.txt"
