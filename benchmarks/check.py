"""How long `groundbot check` takes on synthetic stores, beside the plain load it extends.

    .venv/bin/python benchmarks/check.py [--sizes 1000,10000] [--no-write]

For each size, best of three in one process: ``load_claims`` (reading and validating the
files, as `run` does before indexing: the baseline), ``inspect`` (the same reading, keeping
every valid claim and its positions) and ``lint`` (the warnings). Writes its block of
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import synthetic  # noqa: E402
from benchmarks.common import command_line, machine, machine_block, table, update_results  # noqa: E402
from knowledge.store.lint import lint  # noqa: E402
from knowledge.store.loader import inspect, load_claims  # noqa: E402


def best(fn, rounds: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="Comma-separated store sizes in claims.")
    parser.add_argument("--no-write", action="store_true", help="Print only; leave RESULTS.md alone.")
    args = parser.parse_args()
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        directory = synthetic.knowledge_dir(synthetic.ensure(size, questions=10))
        load, _ = best(lambda d=directory: load_claims(d))
        read, found = best(lambda d=directory: inspect(d))
        warn, warnings = best(lambda f=found: lint(f.claims, f.positions))
        rows.append((f"{size:,}", f"{load:.2f}", f"{read:.2f}", f"{warn:.2f}",
                     f"{(read + warn) / load:.2f}x", len(warnings)))
    body = "\n".join([
        "### `groundbot check` (benchmarks/check.py)",
        "",
        machine_block(machine(), command_line()),
        "",
        table(["claims", "load_claims s (baseline)", "inspect s", "lint s", "check / load", "warnings"], rows),
    ])
    print(body)
    if not args.no_write:
        update_results("check", body)


if __name__ == "__main__":
    main()
