"""Size and time of the HTML reports (``ml.report``), and what the SVG font choice costs.

For a mission report and comparison reports of 3, 10 and 20 missions (synthetic ratings of the
whole-of-mission framework, two periods, 500-character evidence on every entry), prints the
file size and the time to write it, with the figures' text stored as outlines
(``svg.fonttype = "path"``, the library's choice: it looks the same everywhere, with no font
needed) and as text elements (``"none"``: smaller, but drawn with whatever font the viewer
has). Target: a 10-mission comparison under 2 MB (issue 11; also a test). No speed target.

Usage::

    python benchmarks/bench_report.py [--rounds 3] [--quick]
"""

from __future__ import annotations

import argparse
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _common import alternate, machine, show

import missionlens as ml
from missionlens.reports import figures


def _entries(framework: ml.Framework, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    rows = []
    for m in range(n):
        for period in ("2024-H1", "2024-H2"):
            for ind in framework.indicators_in_phase("implementation"):
                kind = framework.scale(ind.scale).kind
                if kind == "rubric":
                    value = float(rng.integers(1, 6))
                elif kind == "binary":
                    value = float(rng.integers(0, 2))
                else:
                    low, high = framework.goalposts(ind.id) or (0.0, 1.0)
                    value = float(rng.uniform(low, high))
                rows.append(
                    {
                        "mission": f"Mission {m + 1:02d}",
                        "period": period,
                        "phase": "implementation",
                        "indicator": ind.id,
                        "value": value,
                        "rater": "r1",
                        "evidence": "x" * 500,
                    }
                )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="1 round, up to 10 missions")
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds
    sizes = (1, 3, 10) if args.quick else (1, 3, 10, 20)
    framework = ml.load_framework("whole-of-mission")
    folder = Path(tempfile.mkdtemp())
    print(machine())
    rows = []
    cases = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scored = {n: ml.score(_entries(framework, n), framework=framework) for n in sizes}
    for n, profiles in scored.items():
        for fonttype in ("path", "none"):
            name = f"{'mission' if n == 1 else f'compare {n}'} fonttype={fonttype}"
            target = folder / f"{n}-{fonttype}.html"

            def run(
                profiles: ml.Profiles = profiles,
                fonttype: str = fonttype,
                target: Path = target,
                mission: str | None = "Mission 01" if n == 1 else None,
            ) -> Path:
                figures.SVG_FONTTYPE = fonttype
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return ml.report(profiles, target, mission=mission)

            cases[name] = (run, target)
    timings = alternate({k: v[0] for k, v in cases.items()}, rounds)
    figures.SVG_FONTTYPE = "path"
    for name, (_, target) in cases.items():
        timing = timings[name]
        rows.append(
            {
                "case": name,
                "size_kB": target.stat().st_size / 1024,
                "under_2MB": target.stat().st_size < 2 * 2**20,
                "wall_s": timing.wall_s,
                "cpu_s": timing.cpu_s,
                "rounds": len(timing.wall),
            }
        )
    show(pd.DataFrame(rows))


if __name__ == "__main__":
    main()
