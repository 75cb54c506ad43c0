#!/usr/bin/env bash
# Issue 13's benchmark: parallel logical reseeds (logicalmaster, logicalbackup) and the logical
# backup into the catalog vs mydumper/myloader and vs mariadb-dump|gzip|socat, on a sysbench
# dataset on a real primary and two replicas. Run it once with 4 x 1M rows and once with 8 x 500k.
# Needs sysbench, socat and mydumper (Debian packages).
# Usage: bench/run-logical.sh [tables] [rows] [repeat]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
for t in sysbench socat mydumper myloader; do
  command -v "$t" >/dev/null || { echo "bench/run-logical.sh needs $t: apt-get install sysbench socat mydumper" >&2; exit 2; }
done
bench_build
mkdir -p bench/results
bench_java io.dbjobs.bench.LogicalBench "${1:-4}" "${2:-1000000}" "${3:-1}" \
  | tee "bench/results/logical-$(date -u +%Y%m%dT%H%M%SZ).txt"
