"""The user's query over `aws` CLI output, posture against DuckDB on the same files and against
Python's json module parsing and counting, each in its own process: wall time (best of 3) and
peak RSS, as ratios. Run by `cargo bench -p posture-cli --bench offline`:

    python offline.py POSTURE_BINARY REPO_ROOT [INSTANCES...]

The estate: `describe-instances.json` in two regions, as the aws CLI writes it (4-space indent),
instances copied from the demo's first one with their ids and metadata options varied; a third
of them allow IMDSv1.
"""

import copy
import json
import os
import subprocess
import sys
import tempfile
import time

QUERY = "select count(*) as n from ec2_instance where http_tokens = 'optional'"
DUCKDB = """
import duckdb, sys
duckdb.sql("set enable_progress_bar = false")
n = duckdb.sql(f'''
  select count(*) from (
    select unnest(r.Instances) as i from (
      select unnest(Reservations) as r
      from read_json('{sys.argv[1]}/*/*/describe-instances.json', maximum_object_size=1073741824)))
  where i.MetadataOptions.HttpTokens = 'optional' ''').fetchall()[0][0]
print(n)
"""
PYTHON = """
import glob, json, sys
n = 0
for path in glob.glob(f'{sys.argv[1]}/*/*/describe-instances.json'):
    with open(path) as f:
        for r in json.load(f)['Reservations']:
            n += sum(i['MetadataOptions']['HttpTokens'] == 'optional' for i in r['Instances'])
print(n)
"""


def estate(repo, root, instances):
    template = json.load(open(f"{repo}/demo/111122223333/us-east-1/describe-instances.json"))
    template = template["Reservations"][0]["Instances"][0]
    regions = ["us-east-1", "eu-west-1"]
    for r, region in enumerate(regions):
        reservations = []
        count = instances // len(regions)
        for first in range(0, count, 10):
            batch = []
            for n in range(first, min(first + 10, count)):
                i = copy.deepcopy(template)
                i["InstanceId"] = f"i-{r}{n:016x}"
                i["MetadataOptions"]["HttpTokens"] = "optional" if n % 3 == 0 else "required"
                batch.append(i)
            reservations.append({"Groups": [], "Instances": batch, "OwnerId": "111122223333",
                                 "ReservationId": f"r-{r}{first:016x}"})
        os.makedirs(f"{root}/111122223333/{region}")
        with open(f"{root}/111122223333/{region}/describe-instances.json", "w") as f:
            json.dump({"Reservations": reservations}, f, indent=4)


def measure(command):
    """(best wall seconds, peak RSS bytes of that run, stdout) over 3 runs."""
    best = None
    for _ in range(3):
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out = child.stdout.read()
        err = child.stderr.read()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        if status != 0:
            sys.exit(f"{command[0]} failed: {err.decode()}")
        if best is None or wall < best[0]:
            best = (wall, usage.ru_maxrss * 1024, out.decode())
    return best


def main():
    posture, repo = sys.argv[1], sys.argv[2]
    sizes = [int(n) for n in sys.argv[3:]] or [10_000, 100_000]
    rows = ["| instances | JSON | posture | DuckDB | posture / DuckDB | Python json | posture / Python "
            "| posture peak RSS | RSS / JSON | DuckDB peak RSS |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for instances in sizes:
        with tempfile.TemporaryDirectory() as root:
            estate(repo, root, instances)
            size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(root) for f in fs)
            p = measure([posture, "query", "--inventory", root, "-o", "csv", QUERY])
            d = measure([sys.executable, "-c", DUCKDB, root])
            j = measure([sys.executable, "-c", PYTHON, root])
            counts = {p[2].split()[-1], d[2].strip(), j[2].strip()}
            assert len(counts) == 1, f"the three disagree: {counts}"
            mb = lambda b: f"{b / 1e6:,.0f} MB"
            rows.append(f"| {instances:,} | {mb(size)} | {p[0]:.2f} s | {d[0]:.2f} s | {p[0] / d[0]:.2f} "
                        f"| {j[0]:.2f} s | {p[0] / j[0]:.2f} | {mb(p[1])} | {p[1] / size:.2f} | {mb(d[1])} |")
            print(rows[-1], file=sys.stderr, flush=True)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
