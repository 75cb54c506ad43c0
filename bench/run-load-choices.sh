#!/usr/bin/env bash
# The measurements behind the parallel logical load's choices (issue 13): LOAD DATA vs INSERT,
# checks off, one statement per table vs per chunk, secondary indexes after the rows, two tables
# at once. One server, one sysbench table. Needs sysbench.
# Usage: bench/run-load-choices.sh [rows] [repeat]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
command -v sysbench >/dev/null || { echo "bench/run-load-choices.sh needs sysbench" >&2; exit 2; }
bench_build
mkdir -p bench/results
bench_java io.dbjobs.bench.LoadChoicesBench "${1:-1000000}" "${2:-3}" \
  | tee "bench/results/load-choices-$(date -u +%Y%m%dT%H%M%SZ).txt"
