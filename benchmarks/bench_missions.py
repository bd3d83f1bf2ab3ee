"""Benchmark: the cost of the mission checks in ``ml.validate`` (1 M entries).

The table: 1,000,000 long entries of ``whole-of-mission`` (``_common.make_entries``: 50 rubric
indicators x 5 raters x 4 half-years 2023-2024 x 1,000 missions), all valid.

Cases, timed in alternating rounds (median reported):

``fictional``    missions ``M0000`` ... : no mission is in the registry, nothing to look up
``registry``     the same entries with the 1,000 missions renamed to the 11 active registry
                 acronyms (cycled, each copy with its own raters so that no entry repeats):
                 every entry is checked against its mission's life (``outside_mission_life``)
``timelines``    ``registry`` plus a phase timeline for each of the 11 missions (one phase,
                 implementation, from the mission's start): every entry's phase is checked
                 against it (``phase_contradicts_timeline``)

Each case must find no problem (the script stops otherwise). The checks work on the distinct
missions and (mission, period) pairs, so their cost should be a small share of ``validate``.

Usage::

    python benchmarks/bench_missions.py [--entries 1000000] [--rounds 3]
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import alternate, machine, make_entries, peak_rss_mb, show, timing_table

import missionlens as ml


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    fw = ml.load_framework("whole-of-mission")
    fictional = make_entries(fw, args.entries)
    active = list(ml.missions(active=True)["mission"])
    codes = np.unique(fictional["mission"].to_numpy(dtype=object), return_inverse=True)[1]
    # one real acronym per fictional mission (cycled); each copy gets its own raters, so that
    # no entry repeats another (all active missions began before 2023)
    real = fictional.copy()
    real["mission"] = np.array(active, dtype=object)[codes % len(active)]
    copy = (codes // len(active)).astype(str)
    real["rater"] = real["rater"].astype(str) + "-" + copy
    fictional["rater"] = real["rater"]  # the same raters: only the mission names differ
    timelines = [
        ml.PhaseTimeline(
            mission=m,
            phases=[
                {
                    "phase": "implementation",
                    "start": ml.mission(m).start_date,
                    "source": "benchmark",
                }
            ],
        )
        for m in active
    ]
    for name, data, kw in (
        ("fictional", fictional, {}),
        ("registry", real, {}),
        ("timelines", real, {"timelines": timelines}),
    ):
        report = ml.validate(data, framework=fw, **kw)
        if not report.ok:
            raise SystemExit(f"{name}: {len(report.failures)} problems\n{report.failures.head()}")
    cases = {
        "fictional": lambda: ml.validate(fictional, framework=fw),
        "registry": lambda: ml.validate(real, framework=fw),
        "timelines": lambda: ml.validate(real, framework=fw, timelines=timelines),
    }
    print(machine())
    print(f"{len(real):,} entries, {real['mission'].nunique()} registry missions")
    show(timing_table(list(alternate(cases, args.rounds).values()), baseline="fictional"))
    print(f"peak RSS {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
