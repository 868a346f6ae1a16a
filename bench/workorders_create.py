"""Work-order create speed: `POST /api/v1/workorders/` against `postdesk serve` on
PostgreSQL with n synthetic orders already stored (the issue: ≥ 300 creates/s at
concurrency 8, p99 ≤ 78 ms, at 100,000 orders).

Makes its own database (`bench_wo_create`, created and dropped), seeds it with
`workorders.demo.seed_scale`, starts `postdesk serve` (2 workers × 4 threads, no
background worker) on a free port and prints creates/s, p50 and p99 at concurrency 8 and
32, with the load average at start and end (other benchmarks may share the machine).

    .venv/bin/python bench/workorders_create.py            # 100,000 orders
    .venv/bin/python bench/workorders_create.py --n 100000 --rounds 2
    .venv/bin/python bench/workorders_create.py --reuse --n 1000000   # seed kept (workorders_bench)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workorders_bench as wb

DB_NAME = f"bench_wo_create{wb.TAG}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="orders stored before")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the c=8/c=32 runs")
    parser.add_argument("--reuse", action="store_true", help="keep the seeded data between runs")
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="bench-wo-create-"))
    print("postdesk work orders — API create speed (2 workers × 4 threads, PostgreSQL)")
    print("load average at start: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()), flush=True)
    try:
        env, out = wb.seeded_env("pg", args.n, var_dir, args.reuse, pg_name=DB_NAME)
        token = ""
        for row in out.splitlines():
            if row.startswith("SEEDED"):
                print(f"seed_scale({args.n}): {row.split()[1]} s", flush=True)
            if row.startswith("TOKEN agent1"):
                token = row.split()[2]
        port = wb.free_port()
        proc = wb.serve(env, port)
        try:
            # warm both workers (imports, caches, connections) before timing
            for _ in range(8):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5).read()
            wb.bench_creates(port, token, 8, 160)
            print("load average before the runs: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
            for _round in range(args.rounds):
                for concurrency, total in ((8, 2400), (32, 3200)):
                    print(wb.bench_creates(port, token, concurrency, total), flush=True)
        finally:
            proc.terminate()
            proc.wait(20)
    finally:
        print("load average at end: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()), flush=True)
        wb.pg_reset(drop_only=True, name=DB_NAME)


if __name__ == "__main__":
    main()
