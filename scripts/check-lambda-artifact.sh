#!/usr/bin/env bash
# Checks the Lambda zip `cargo lambda build` wrote: one executable `bootstrap` (what the
# provided.al2023 runtime starts), no glibc symbol newer than 2.34 (what provided.al2023 has),
# at most 25 MB zipped. Leaves the binary unzipped next to the zip for the end-to-end test.
set -euo pipefail
zip=${1:-target/lambda/bootstrap/bootstrap.zip}
dir=$(dirname "$zip")
python3 - "$zip" "$dir" <<'PY'
import os, stat, sys, zipfile
path, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(path) as z:
    names = z.namelist()
    if names != ["bootstrap"]:
        sys.exit(f"{path}: holds {names}, not just bootstrap")
    info = z.getinfo("bootstrap")
    if not (info.external_attr >> 16) & stat.S_IXUSR:
        sys.exit(f"{path}: bootstrap is not executable")
    z.extract("bootstrap", out)
os.chmod(os.path.join(out, "bootstrap"), 0o755)
size = os.path.getsize(path)
if size > 25_000_000:
    sys.exit(f"{path}: {size / 1e6:.1f} MB zipped, over 25 MB")
print(f"{path}: {size / 1e6:.1f} MB zipped")
PY
newest=$(objdump -T "$dir/bootstrap" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
if [ "$(printf '%s\nGLIBC_2.34\n' "$newest" | sort -V | tail -1)" != "GLIBC_2.34" ]; then
  echo "$dir/bootstrap needs $newest; provided.al2023 has glibc 2.34" >&2
  exit 1
fi
echo "$dir/bootstrap: newest glibc symbol $newest (provided.al2023 has 2.34)"
