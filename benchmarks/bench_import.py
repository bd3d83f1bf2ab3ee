"""Benchmark: time to ``import missionlens`` against ``import pandas``, each in a fresh interpreter.

Each round starts ``python -c "import X"`` for ``X`` in ``pandas``, ``missionlens`` and (the floor)
nothing at all, alternating, and times the whole subprocess (wall, and the child's CPU time from
``resource.getrusage(RUSAGE_CHILDREN)``); the table reports medians over ``--rounds`` (7). Each
round also times ``import missionlens`` inside a fresh interpreter that has imported pandas (no
start-up or interpreter shutdown in that figure). The
figure that counts is ``missionlens - pandas``: what missionlens adds on top of pandas, which it
imports (target: at most 0.3 s; issue "One contract").

Then one ``python -X importtime -c "import pandas; import missionlens"`` run gives the top modules
by cumulative import time under missionlens (pandas imported first, so that what pandas imports
is charged to it and the list shows what missionlens adds).

Usage::

    python benchmarks/bench_import.py [--rounds 7] [--top 10] [--quick]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time

import pandas as pd
from _common import machine, show

STATEMENTS = {
    "python (nothing)": "pass",
    "pandas": "import pandas",
    "missionlens": "import missionlens",
}


INSIDE = (
    "import time, pandas; t = time.perf_counter(); c = time.process_time(); import missionlens; "
    "print(time.perf_counter() - t, time.process_time() - c)"
)


def inside() -> tuple[float, float]:
    """Wall and CPU seconds of ``import missionlens`` timed inside a fresh interpreter that has
    imported pandas already (no interpreter start-up or shutdown in the figure)."""
    out = subprocess.run([sys.executable, "-c", INSIDE], check=True, capture_output=True, text=True)
    wall, cpu = out.stdout.split()
    return float(wall), float(cpu)


def run(statement: str) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh interpreter running ``statement``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def importtime(top: int) -> pd.DataFrame:
    """Top modules by cumulative import time under ``missionlens``, pandas imported first.

    One ``python -X importtime -c "import pandas; import missionlens"`` run: pandas (and numpy,
    pyarrow and what else pandas imports) is charged to pandas, so the tree under missionlens
    holds only what missionlens adds (its own modules and the other libraries it imports).
    """
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import pandas; import missionlens"],
        check=True,
        capture_output=True,
        text=True,
    ).stderr
    rows = []
    for line in out.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:") :].split("|")
        rows.append(
            {
                "module": name.strip(),
                "depth": (len(name.rstrip()) - len(name.strip()) - 1) // 2,
                "self_ms": int(self_us) / 1000,
                "cumulative_ms": int(cumulative_us) / 1000,
            }
        )
    frame = pd.DataFrame(rows)
    # children are printed before their parent: missionlens's tree follows pandas' root line
    pandas_root = frame.index[(frame["module"] == "pandas") & (frame["depth"] == 0)][0]
    tree = frame.loc[pandas_root + 1 :]
    tree = tree.sort_values("cumulative_ms", ascending=False).head(top)
    return tree.reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="3 rounds")
    args = parser.parse_args()
    if args.quick:
        args.rounds = 3
    print(machine())
    walls: dict[str, list[float]] = {k: [] for k in STATEMENTS}
    cpus: dict[str, list[float]] = {k: [] for k in STATEMENTS}
    walls["after pandas (inside)"], cpus["after pandas (inside)"] = [], []
    for _ in range(args.rounds):
        for name, statement in STATEMENTS.items():
            wall, cpu = run(statement)
            walls[name].append(wall)
            cpus[name].append(cpu)
        wall, cpu = inside()
        walls["after pandas (inside)"].append(wall)
        cpus["after pandas (inside)"].append(cpu)
    table = pd.DataFrame(
        {
            "import": list(STATEMENTS),
            "wall_s": [statistics.median(walls[k]) for k in STATEMENTS],
            "cpu_s": [statistics.median(cpus[k]) for k in STATEMENTS],
            "wall_min_s": [min(walls[k]) for k in STATEMENTS],
            "wall_max_s": [max(walls[k]) for k in STATEMENTS],
        }
    )
    table["wall / pandas"] = table["wall_s"] / table.loc[1, "wall_s"]
    print(f"fresh interpreter per import, median of {args.rounds} alternating rounds")
    show(table)
    print(
        f"import missionlens timed inside an interpreter that imported pandas: "
        f"{statistics.median(walls['after pandas (inside)']):.3f} s wall, "
        f"{statistics.median(cpus['after pandas (inside)']):.3f} s CPU (median; no start-up or "
        "shutdown)"
    )
    extra = table.loc[2, "wall_s"] - table.loc[1, "wall_s"]
    extra_cpu = table.loc[2, "cpu_s"] - table.loc[1, "cpu_s"]
    paired = statistics.median(
        a - b for a, b in zip(walls["missionlens"], walls["pandas"], strict=True)
    )
    paired_cpu = statistics.median(
        a - b for a, b in zip(cpus["missionlens"], cpus["pandas"], strict=True)
    )
    print(
        f"missionlens - pandas: {extra:.3f} s wall, {extra_cpu:.3f} s CPU (difference of "
        f"medians); {paired:.3f} s wall, {paired_cpu:.3f} s CPU (median of the per-round "
        f"differences; target <= 0.3 s: {'met' if paired <= 0.3 else 'MISSED'})"
    )
    print(
        f"\n-X importtime of 'import pandas; import missionlens': top {args.top} modules by "
        "cumulative time under missionlens (what missionlens adds to pandas)"
    )
    show(importtime(args.top))


if __name__ == "__main__":
    main()
