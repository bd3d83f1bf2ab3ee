"""Benchmark: how fast ``missionlens --version`` and ``--help`` answer, fresh interpreter each.

Each round starts ``python -m missionlens.cli ARGS`` for the commands below and, as the floor,
``python -c pass`` and ``python -c "import pandas"``, alternating, and times the whole
subprocess (wall, and the child's CPU time from ``resource.getrusage(RUSAGE_CHILDREN)``); the
table reports medians over ``--rounds`` (7) and which heavy libraries each command imported
(none, for ``--version`` and ``--help``: the commands import them when they run; issue "The
first hour", item 5).

Usage::

    python benchmarks/bench_cli.py [--rounds 7] [--quick]
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

HEAVY = ("pandas", "numpy", "pydantic", "matplotlib", "openpyxl", "pyarrow")

# each case runs the CLI in-process after noting sys.modules, so one start-up is timed
PROBE = (
    "import sys\n"
    "from missionlens.cli import main\n"
    "try:\n"
    "    main({args!r})\n"
    "except SystemExit:\n"
    "    pass\n"
    "heavy = {heavy!r}\n"
    "sys.stderr.write(' '.join(m for m in heavy if m in sys.modules) or '(none)')\n"
)

CASES: dict[str, str] = {
    "python -c pass": "pass",
    "python -c 'import pandas'": "import pandas",
    "missionlens --version": PROBE.format(args=["--version"], heavy=HEAVY),
    "missionlens --help": PROBE.format(args=["--help"], heavy=HEAVY),
    "missionlens score --help": PROBE.format(args=["score", "--help"], heavy=HEAVY),
    "missionlens frameworks list": PROBE.format(args=["frameworks", "list"], heavy=HEAVY),
}


def run(code: str) -> tuple[float, float, str]:
    """Wall and CPU seconds of one fresh interpreter running ``code``, and its stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stderr.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="3 rounds")
    args = parser.parse_args()
    if args.quick:
        args.rounds = 3
    print(machine())
    walls: dict[str, list[float]] = {k: [] for k in CASES}
    cpus: dict[str, list[float]] = {k: [] for k in CASES}
    heavy: dict[str, str] = {}
    for _ in range(args.rounds):
        for name, code in CASES.items():
            wall, cpu, err = run(code)
            walls[name].append(wall)
            cpus[name].append(cpu)
            heavy[name] = err if name.startswith("missionlens") else ""
    table = pd.DataFrame(
        {
            "command": list(CASES),
            "wall_s": [statistics.median(walls[k]) for k in CASES],
            "cpu_s": [statistics.median(cpus[k]) for k in CASES],
            "wall_min_s": [min(walls[k]) for k in CASES],
            "wall_max_s": [max(walls[k]) for k in CASES],
            "heavy modules imported": [heavy[k] for k in CASES],
        }
    )
    print(f"fresh interpreter per command, median of {args.rounds} alternating rounds")
    show(table)


if __name__ == "__main__":
    main()
