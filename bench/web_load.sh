#!/usr/bin/env bash
# Reproduces the web load test of docs/benchmarks.md §5:
#   bench/web_load.sh [--prepare] [--db postgres://postgres@127.0.0.1:5432/vuonlen_load] [--duration 30] [--clients 50]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
exec python3 bench/web_load.py "$@"
