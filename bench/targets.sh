#!/usr/bin/env bash
# Reproduces the plan-targets benchmark of docs/benchmarks.md §9 (issue 13):
#   bench/targets.sh [--households 1000000] [--province 14] [--runs 5] [--skip sqlite|postgres]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null || { apt-get install -y -q sqlite3 >/dev/null; }
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
fi
bench/.venv/bin/python -c 'import openpyxl' 2>/dev/null ||
  bench/.venv/bin/pip install --quiet 'openpyxl==3.1.5'
exec bench/.venv/bin/python bench/targets_bench.py "$@"
