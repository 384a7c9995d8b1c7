"""How fast does `guanxi seed` fill a fresh SQLite database? Target: 100,000 customers in under 60 s.

Each run gets its own temporary directory (GUANXI_VAR_DIR) and SQLite file (GUANXI_DATABASE_URL), is migrated, and
then `guanxi seed --customers N` is timed as a subprocess, exactly as an operator would run it. Prints every run, the
median, customers per second and the ratio to the target.

    .venv/bin/python bench/seed_speed.py                 # 100,000 customers, 3 runs
    .venv/bin/python bench/seed_speed.py --customers 20000 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 60.0


def run_once(customers: int, seed: int, batch: int) -> float:
    """Wall seconds of the whole `guanxi seed` command (interpreter start included) on a fresh database."""
    with tempfile.TemporaryDirectory(prefix="guanxi-bench-") as tmp:
        env = {
            **os.environ,
            "GUANXI_VAR_DIR": tmp,
            "GUANXI_DATABASE_URL": f"sqlite:///{Path(tmp) / 'guanxi.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "guanxi.settings",
        }
        env.pop("GUANXI_REDIS_URL", None)  # nothing here uses jobs; keep the run self-contained
        guanxi = [sys.executable, "-m", "guanxi"]
        subprocess.run([*guanxi, "migrate", "--no-input", "-v", "0"], env=env, check=True)
        started = time.perf_counter()
        done = subprocess.run(
            [*guanxi, "seed", "--customers", str(customers), "--seed", str(seed), "--batch", str(batch), "-v", "0"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        count = subprocess.run(
            [
                *guanxi,
                "shell",
                "-v",
                "0",
                "-c",
                "from guanxi.customers.models import Customer; print(Customer.objects.count())",
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        if count != str(customers):
            raise SystemExit(f"expected {customers} customers, found {count}:\n{done.stdout}\n{done.stderr}")
        return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()

    print(
        f"guanxi seed --customers {args.customers:,} into a fresh SQLite file: {args.repeat} runs, "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    )
    walls = []
    for run in range(1, args.repeat + 1):
        wall = run_once(args.customers, args.seed, args.batch)
        walls.append(wall)
        print(f"  run {run}: {wall:6.1f} s  ({args.customers / wall:,.0f} customers/s)")
    median = statistics.median(walls)
    target = TARGET_SECONDS * args.customers / 100_000  # the target scaled to the run size
    verdict = "met" if median < target else "MISSED"
    print(f"median: {median:.1f} s  (min {min(walls):.1f} s, max {max(walls):.1f} s)")
    print(f"throughput: {args.customers / median:,.0f} customers/s")
    print(f"ratio to target ({target:.0f} s for {args.customers:,} customers): {median / target:.2f}  [{verdict}]")


if __name__ == "__main__":
    main()
