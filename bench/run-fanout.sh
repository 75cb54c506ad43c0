#!/usr/bin/env bash
# Manager fan-out: the manager daemon (dbjobs serve, its own process at -Xmx128m) enqueues one job
# on every node through its HTTP API, then reports every one succeeded; 200 real local mariadbd
# servers by default, each with an in-process agent. Needs ~12 GiB of free memory for 200 nodes.
# Usage: bench/run-fanout.sh [nodes] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_build
mkdir -p bench/results
bench_java io.dbjobs.bench.FanoutBench "${1:-200}" "${2:-3}" \
  | tee "bench/results/fanout-$(date -u +%Y%m%dT%H%M%SZ).txt"
