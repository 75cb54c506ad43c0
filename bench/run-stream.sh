#!/usr/bin/env bash
# Issues 4 and 14: physical and logical backups through dbjobs vs the plain tools, command and job
# time and where the command's time goes (per step), on a
# sysbench dataset of ~1 GB (4 x 1M rows). Needs sysbench and socat (Debian packages).
# Usage: bench/run-stream.sh [tables] [rows] [repeat]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_build
mkdir -p bench/results
bench_java io.dbjobs.bench.StreamBench "${1:-4}" "${2:-1000000}" "${3:-3}" \
  | tee "bench/results/stream-$(date -u +%Y%m%dT%H%M%SZ).txt"
