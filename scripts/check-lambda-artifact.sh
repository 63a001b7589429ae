#!/usr/bin/env bash
# Checks the Lambda zip `cargo lambda build` wrote: one executable `bootstrap` (what the
# provided.al2023 runtime starts), no glibc symbol newer than 2.34 (what provided.al2023 has),
# at most 25 MB zipped. Run before a release (config-rules/README.md); CI checks the glibc of
# the debug `bootstrap` it tests, and the Lambda benchmark reports the zip's size. Leaves the
# binary unzipped next to the zip.
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
bash "$(dirname "$0")/check-glibc.sh" "$dir/bootstrap"
