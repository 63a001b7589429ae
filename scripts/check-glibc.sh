#!/usr/bin/env bash
# Fails when BIN needs a glibc symbol newer than 2.34, the glibc of the Lambda runtime
# provided.al2023. CI runs it on the `bootstrap` the tests ran; check-lambda-artifact.sh on the zip's.
set -euo pipefail
bin=${1:?usage: check-glibc.sh BIN}
newest=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
if [ -z "$newest" ]; then
  echo "$bin: no versioned glibc symbol found (not a dynamically linked glibc binary?)" >&2
  exit 1
fi
if [ "$(printf '%s\nGLIBC_2.34\n' "$newest" | sort -V | tail -1)" != "GLIBC_2.34" ]; then
  echo "$bin needs $newest; provided.al2023 has glibc 2.34" >&2
  exit 1
fi
echo "$bin: newest glibc symbol $newest (provided.al2023 has 2.34)"
