#!/usr/bin/env bash
# Issue 4's benchmark: physical and logical backups through dbjobs vs the plain tools, on a
# sysbench dataset of ~1 GB (4 x 1M rows). Needs sysbench and socat (Debian packages).
# Usage: bench/run-stream.sh [tables] [rows] [repeat]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_build
mkdir -p bench/results
bench_java io.dbjobs.bench.StreamBench "${1:-4}" "${2:-1000000}" "${3:-3}" \
  | tee "bench/results/stream-$(date -u +%Y%m%dT%H%M%SZ).txt"
