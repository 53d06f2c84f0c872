#!/usr/bin/env bash
# Reproduces the classification benchmark of docs/benchmarks.md:
#   bench/run.sh [--households 1000000] [--runs 5]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet 'duckdb==2.0.0'
fi
exec bench/.venv/bin/python bench/classify_vs_duckdb.py "$@"
