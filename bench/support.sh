#!/usr/bin/env bash
# Reproduces the support-records benchmark of docs/benchmarks.md §10 (issue 14):
#   bench/support.sh [--households 1000000] [--province 14] [--runs 3] [--skip sqlite|postgres] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null || { apt-get install -y -q sqlite3 >/dev/null; }
command -v psql >/dev/null || { apt-get install -y -q postgresql-client >/dev/null; }
exec python3 bench/support_bench.py "$@"
