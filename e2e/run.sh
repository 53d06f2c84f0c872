#!/usr/bin/env bash
# Browser tests: a fresh demo registry, the server on a free local port, Playwright in Debian's
# Chromium. Screenshots land in target/screenshots/.
#   e2e/run.sh [path/to/vuonlen]   (default: target/debug/vuonlen, built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-target/debug/vuonlen}"
[ -x "$BIN" ] || cargo build -p vuonlen-cli
command -v chromium >/dev/null || { echo "Debian's chromium is needed (apt-get install chromium)"; exit 1; }
WORK="$(mktemp -d)"
PORT="${E2E_PORT:-18080}"
"$BIN" --db "sqlite://$WORK/e2e.db" demo --households 3000 --no-serve > "$WORK/demo.txt"
OWN=$(grep -o 'xa\.[0-9]\{5\}' "$WORK/demo.txt" | sed -n 1p)
OTHER=$(grep -o 'xa\.[0-9]\{5\}' "$WORK/demo.txt" | sed -n 2p)
"$BIN" --db "sqlite://$WORK/e2e.db" serve --addr "127.0.0.1:$PORT" > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.5; done
cd e2e
[ -d node_modules/@playwright/test ] || PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent
VUONLEN_URL="http://127.0.0.1:$PORT" VUONLEN_COMMUNE_USER="$OWN" VUONLEN_OTHER_COMMUNE_USER="$OTHER" \
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npx playwright test
