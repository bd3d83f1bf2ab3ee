"""Benchmark: what ``ml.benchmark_status`` and ``ml.exit_readiness`` cost.

A synthetic grid: missions x 12 half-years (2019-H1 to 2024-H2) on a framework of 3 dimensions
of 4 percentage indicators (goalposts 0 and 100, arithmetic means), each mission moving from
implementation to drawdown to transition; 12 benchmarks for every mission (``"*"``): a
deadline or a phase, on dimensions, the root and indicators, one in three on raw values. Before
timing, the slope and projection of a sample of rows are checked against ``numpy.polyfit``.
The baseline is scoring the grid (``ml.score`` and its whole score table), which an analyst
runs before reading the profiles against benchmarks.

Usage::

    python benchmarks/bench_benchmarks.py [--rounds 3] [--missions 100] [--quick]

``--quick`` uses 20 missions and two rounds.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from _common import alternate, machine, peak_rss_mb, show, timing_table

import missionlens as ml
from missionlens.analysis.benchmarks import decimal_year

DIMS, PER_DIM = 3, 4
PERIODS = [f"{y}-H{h}" for y in range(2019, 2025) for h in (1, 2)]


def framework() -> ml.Framework:
    nodes = [{"id": "index", "name": "Index", "parent": None}] + [
        {"id": f"d{d}", "name": f"D{d}", "parent": "index"} for d in range(DIMS)
    ]
    indicators = [
        {"id": f"d{d}_{i}", "name": f"D{d} {i}", "parent": f"d{d}", "scale": "pct"}
        for d in range(DIMS)
        for i in range(PER_DIM)
    ]
    return ml.Framework.from_dict(
        {
            "id": "bench",
            "version": "1",
            "title": "Benchmark grid",
            "description": "d",
            "source": "s",
            "scales": [
                {
                    "kind": "numeric",
                    "id": "pct",
                    "name": "Percent",
                    "minimum": 0,
                    "maximum": 100,
                    "goalposts": [0, 100],
                }
            ],
            "nodes": nodes,
            "indicators": indicators,
        }
    )


def data(missions: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = missions * len(PERIODS)
    phases = np.repeat(["implementation", "drawdown", "transition"], [6, 3, 3])
    frame = pd.DataFrame(
        {
            "mission": np.repeat([f"M{m:03d}" for m in range(missions)], len(PERIODS)),
            "period": np.tile(PERIODS, missions),
            "phase": np.tile(phases, missions),
        }
    )
    trend = np.tile(np.arange(len(PERIODS)) * 3.0, missions)
    for d in range(DIMS):
        for i in range(PER_DIM):
            frame[f"d{d}_{i}"] = np.clip(30 + trend + rng.normal(0, 8, n), 0, 100).round(1)
    return frame


def benchmarks() -> ml.BenchmarkSet:
    items = []
    for k in range(12):
        node = ["index", "d0", "d1", "d2"][k % 4] if k % 3 else f"d{k % DIMS}_0"
        items.append(
            ml.Benchmark(
                id=f"b{k}",
                node=node,
                on="raw" if k % 3 == 0 else "score",
                target=55.0 + k,
                deadline=None if k % 2 else "2026",
                phase="transition" if k % 2 else None,
                kind="exit" if k % 4 < 2 else "transition",
                source="synthetic",
            )
        )
    return ml.BenchmarkSet(benchmarks=tuple(items))


def check(status: pd.DataFrame, profiles: ml.Profiles) -> None:
    """Slope and projection of a sample of rows against numpy.polyfit."""
    mids = {}
    for label in PERIODS:
        p = ml.parse_period(label)
        mids[label] = (decimal_year(p.start) + decimal_year(p.end + pd.Timedelta(days=1))) / 2
    wide = profiles.wide()
    rows = status[(status["on"] == "score") & (status["n_points"] >= 2)].iloc[::97]
    for _, row in rows.iterrows():
        upto = PERIODS[: PERIODS.index(row["period"]) + 1]
        y = [wide.loc[(row["mission"], p), row["node"]] for p in upto]
        slope, intercept = np.polyfit([mids[p] for p in upto], y, 1)
        assert np.isclose(row["slope_per_year"], slope), row
        if row["deadline_basis"] == "given":
            assert np.isclose(row["projected"], intercept + slope * 2027.0), row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--missions", type=int, default=100)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.missions, args.rounds = 20, 2
    print(machine())
    fw = framework()
    grid = data(args.missions)
    profiles = ml.score(grid, framework=fw)
    bset = benchmarks()
    status = ml.benchmark_status(profiles, bset)
    check(status, profiles)
    print(
        f"{args.missions} missions x {len(PERIODS)} periods, {len(bset)} benchmarks: "
        f"{len(status):,} status rows; statuses: "
        + ", ".join(f"{k} {v}" for k, v in status["status"].value_counts().items())
    )
    timings = alternate(
        {
            "ml.score": lambda: ml.score(grid, framework=fw).to_frame(None),
            "benchmark_status": lambda: ml.benchmark_status(profiles, bset),
            "benchmark_status as_of": lambda: ml.benchmark_status(profiles, bset, as_of="2023"),
            "exit_readiness": lambda: ml.exit_readiness(profiles, bset),
        },
        args.rounds,
    )
    show(timing_table(list(timings.values()), baseline="ml.score"))
    print(f"peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
