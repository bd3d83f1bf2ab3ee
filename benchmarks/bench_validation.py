"""Benchmark: lazy validation and consolidation of assessment tables of growing size.

For each size, a long assessment table (missions x periods x indicators x raters of the
built-in whole-of-mission framework, rubric indicators only, all valid) is validated with
``ml.validate`` and consolidated with ``ml.consolidate`` (which validates first). The table
reports wall time and entries per second. There is no target in the issues; the figures show
where the analyst-facing path stands beside the scoring engine (``bench_scoring.py``).

Usage::

    python benchmarks/bench_validation.py [--sizes 10000 100000 1000000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import missionlens as ml


def make_entries(fw: ml.Framework, n_target: int, seed: int = 0) -> pd.DataFrame:
    """About ``n_target`` valid entries: 5 raters, 4 periods, as many missions as needed."""
    rubric = [
        i.id for i in fw.indicators_in_phase("implementation") if fw.scale(i.scale).kind == "rubric"
    ]
    raters, periods = 5, ["2023-H1", "2023-H2", "2024-H1", "2024-H2"]
    n_missions = max(1, round(n_target / (raters * len(periods) * len(rubric))))
    m, p, k, r = np.unravel_index(
        np.arange(n_missions * len(periods) * len(rubric) * raters),
        (n_missions, len(periods), len(rubric), raters),
    )
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "mission": np.array([f"M{i:04d}" for i in range(n_missions)])[m],
            "period": np.array(periods)[p],
            "phase": "implementation",
            "indicator": np.array(rubric)[k],
            "value": rng.integers(1, 6, m.size).astype(float),
            "rater": np.array([f"R{i}" for i in range(raters)])[r],
            "confidence": np.array(["low", "medium", "high"])[rng.integers(0, 3, m.size)],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    fw = ml.load_framework("whole-of-mission")
    rows = []
    for size in args.sizes:
        entries = make_entries(fw, size)
        start = time.perf_counter()
        report = ml.validate(entries, framework=fw)
        validate_s = time.perf_counter() - start
        if not report.ok:
            raise RuntimeError(str(report))
        start = time.perf_counter()
        ml.consolidate(entries, framework=fw)
        consolidate_s = time.perf_counter() - start
        start = time.perf_counter()
        ml.score(entries, framework=fw)
        score_s = time.perf_counter() - start
        rows.append(
            {
                "entries": len(entries),
                "validate_s": validate_s,
                "consolidate_s": consolidate_s,
                "score_s": score_s,
                "validate_entries_per_s": len(entries) / validate_s,
            }
        )
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda x: f"{x:,.2f}"))


if __name__ == "__main__":
    main()
