#!/usr/bin/env bash
# Job pickup latency: insert -> claim at the default 500 ms poll, on one node and fanned out to
# 20 nodes (real local mariadbd servers). Usage: bench/run-pickup.sh [jobs] [nodes] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_build
mkdir -p bench/results
bench_java io.dbjobs.bench.PickupBench "${1:-200}" "${2:-20}" "${3:-5}" \
  | tee "bench/results/pickup-$(date -u +%Y%m%dT%H%M%SZ).txt"
