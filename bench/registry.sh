#!/usr/bin/env bash
# Reproduces the registry benchmark of docs/benchmarks.md (issue 3):
#   bench/registry.sh [--households 1000000] [--province 01] [--runs 3]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null || { apt-get install -y -q sqlite3 >/dev/null; }
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
fi
bench/.venv/bin/python -c 'import duckdb, openpyxl' 2>/dev/null ||
  bench/.venv/bin/pip install --quiet 'duckdb==2.0.0' 'openpyxl==3.1.5'
exec bench/.venv/bin/python bench/registry_bench.py "$@"
