#!/usr/bin/env bash
# Seeds the corpora and runs the fuzz targets one after the other, each for RUNS executions.
#
#   bash tests/fuzz/run.sh [RUNS] [TARGET...]     # RUNS defaults to 1000000; all four targets
#   nice -n 19 bash tests/fuzz/run.sh 200000 cli_dump
#
# Needs nightly Rust and cargo-fuzz (`rustup toolchain install nightly`,
# `cargo install cargo-fuzz --locked`). Not part of CI. Unoptimised (`--dev`: an optimised build
# of DataFusion takes over half an hour here) and without a sanitizer (`-s none`: posture has no
# `unsafe`; what is sought is a panic, an abort, a hang or runaway memory). A crash is written
# to tests/fuzz/artifacts/<target>/ and stops the run; `cargo +nightly fuzz tmin --fuzz-dir
# tests/fuzz --dev -s none <target> <file>` minimises it. Logs: tests/fuzz/logs/<target>.log.
set -euo pipefail
fuzz="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$fuzz/../.." && pwd)"
cd "$repo"

runs="${1:-1000000}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(config_event config_item cli_dump policy_document)

# Every execution's cost grows with its input: inputs are capped (big seeds are split).
max_len() {
  case "$1" in
    config_event | config_item | cli_dump) echo 8192 ;; # seed.py's MAX_LEN
    policy_document) echo 4096 ;;
    *) echo "unknown target $1" >&2; exit 2 ;;
  esac
}

python3 "$fuzz/seed.py"
flags=(--fuzz-dir "$fuzz" --dev -s none)
cargo +nightly fuzz build "${flags[@]}"
mkdir -p "$fuzz/logs"
echo "nightly: $(rustc +nightly --version)"
printf '%-16s %12s %10s %10s %s\n' target executions seconds "exec/s" result
for t in "${targets[@]}"; do
  log="$fuzz/logs/$t.log"
  start=$(date +%s)
  result=ok
  # -timeout: seconds one input may take before it counts as a hang (an unoptimised build).
  # -rss_limit_mb: libFuzzer's default, stated.
  cargo +nightly fuzz run "${flags[@]}" "$t" -- \
    -runs="$runs" -dict="$fuzz/posture.dict" -max_len="$(max_len "$t")" \
    -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1 || result="CRASH (see $log)"
  seconds=$(($(date +%s) - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  execs=${execs:-0}
  printf '%-16s %12s %10s %10s %s\n' "$t" "$execs" "$seconds" "$((execs / (seconds > 0 ? seconds : 1)))" "$result"
done
