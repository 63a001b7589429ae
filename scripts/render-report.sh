#!/usr/bin/env bash
# Renders `posture check --demo --output html` in headless Chromium (Debian's `chromium`),
# fails on any console error, and writes a screenshot to target/report.png.
set -euo pipefail
cd "$(dirname "$0")/.."
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "render-report: chromium not installed (apt-get install chromium)" >&2
  exit 3
fi
# POSTURE_BIN: a posture binary already built (CI passes the one `cargo test` built, instead of
# building again with other features).
posture=${POSTURE_BIN:-}
if [ -z "$posture" ]; then
  cargo build -q --bin posture
  posture=./target/debug/posture
fi
mkdir -p target
set +e
"$posture" check --demo --output html > target/report.html
code=$?
set -e
[ "$code" -eq 1 ] || { echo "render-report: posture check exited $code, expected 1 (the demo alarms)" >&2; exit 1; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# No network: these flags stop Chromium's background connections on a closed machine.
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --enable-logging=stderr --v=0 --hide-scrollbars \
  --window-size=1200,1600 --screenshot=target/report.png "file://$PWD/target/report.html" 2> target/report.log
if grep -E 'CONSOLE|Uncaught|Failed to load' target/report.log; then
  echo "render-report: the page logged errors (target/report.log)" >&2
  exit 1
fi
size=$(stat -c %s target/report.png)
[ "$size" -gt 50000 ] || { echo "render-report: screenshot is only $size bytes" >&2; exit 1; }
echo "render-report: target/report.png ($size bytes), no console errors"
