"""Benchmark: ``ml.trajectories``, ``ml.change``, ``ml.decompose_change`` and ``Profiles.compare``.

The table: ``whole-of-mission`` (version 2, every indicator), 50 missions x 8 periods (2021 to
2024, halves), rubric values at random with 10 % of the cells unrated (so that indicators enter
and leave between periods). Scored once; the cases time the functions of
``missionlens.analysis.lifecycle`` on those profiles:

``score``            ``ml.score`` of the panel (the reference: everything below reads its result)
``trajectories``     ``ml.trajectories`` of every node of every mission
``change``           ``ml.change`` first to last period, every mission, every element
``decompose root``   ``ml.decompose_change`` of the headline of one mission (every element)
``decompose all``    the same for every mission whose headline has a score in both periods
``compare rounds``   ``Profiles.compare(on="mission")`` of two rounds labelled differently

Before timing, the script checks that every decomposition sums to its change (to 1e-9).
No target: the issue asks for no figure; this records what an analyst waits for.

Usage::

    python benchmarks/bench_lifecycle_change.py [--rounds 3] [--missions 50]
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd
from _common import alternate, machine, peak_rss_mb, show, timing_table

import missionlens as ml

PERIODS = [f"{y}-H{h}" for y in range(2021, 2025) for h in (1, 2)]


def make_panel(fw: ml.Framework, n_missions: int, periods: list[str], seed: int) -> pd.DataFrame:
    """A wide table: missions x periods rows, one column per indicator, 10 % unrated."""
    rng = np.random.default_rng(seed)
    ids = list(fw.indicator_ids)
    n = n_missions * len(periods)
    values = rng.integers(1, 6, size=(n, len(ids))).astype(float)
    values[rng.random(values.shape) < 0.1] = np.nan
    frame = pd.DataFrame(values, columns=ids)
    frame.insert(0, "mission", np.repeat([f"M{i:03d}" for i in range(n_missions)], len(periods)))
    frame.insert(1, "period", np.tile(periods, n_missions))
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--missions", type=int, default=50)
    args = parser.parse_args()
    fw = ml.load_framework("whole-of-mission")
    data = make_panel(fw, args.missions, PERIODS, seed=0)
    warnings.simplefilter("ignore", ml.IncompleteScoreWarning)
    profiles = ml.score(data, framework=fw)
    missions = []  # those whose headline has a score in the first and the last period
    for mission in dict.fromkeys(data["mission"]):
        try:
            d = ml.decompose_change(profiles, mission=mission)
        except ml.MissionLensError:
            continue
        assert abs(d["contribution"].sum() - d.attrs["change"]) < 1e-9, mission
        missions.append(mission)
    first = ml.score(data[data["period"] == "2023-H2"], framework=fw)
    second = ml.score(
        make_panel(fw, args.missions, ["2024"], seed=1), framework=fw, unknown_columns="ignore"
    )
    cases = {
        "score": lambda: ml.score(data, framework=fw),
        "trajectories": lambda: ml.trajectories(profiles),
        "change": lambda: ml.change(profiles, start="first", end="last"),
        "decompose root": lambda: ml.decompose_change(profiles, mission=missions[0]),
        "decompose all": lambda: [ml.decompose_change(profiles, mission=m) for m in missions],
        "compare rounds": lambda: first.compare(second, on="mission"),
    }
    print(machine())
    print(
        f"panel: {args.missions} missions x {len(PERIODS)} periods x {len(fw.indicator_ids)} "
        f"indicators; {len(profiles.to_frame(None)):,} score rows; {len(missions)} missions "
        "with a headline score in the first and last period"
    )
    timings = alternate(cases, args.rounds)
    show(timing_table(list(timings.values()), baseline="score"))
    print(f"peak RSS: {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
