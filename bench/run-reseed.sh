#!/usr/bin/env bash
# Issue 5's benchmark: dbjobs reseeds (logicalmaster, physicaldonor) vs the plain-tool pipelines
# (mariadb-dump|gzip|socat, mydumper/myloader, mariadb-backup|socat|mbstream + prepare + restart)
# on a sysbench dataset of ~1 GB (4 x 1M rows) on a real primary and two replicas.
# Needs sysbench, socat and mydumper (Debian packages).
# Usage: bench/run-reseed.sh [tables] [rows] [repeat]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
for t in sysbench socat mydumper myloader; do
  command -v "$t" >/dev/null || { echo "bench/run-reseed.sh needs $t: apt-get install sysbench socat mydumper" >&2; exit 2; }
done
bench_build
mkdir -p bench/results
bench_java io.dbjobs.bench.ReseedBench "${1:-4}" "${2:-1000000}" "${3:-1}" \
  | tee "bench/results/reseed-$(date -u +%Y%m%dT%H%M%SZ).txt"
