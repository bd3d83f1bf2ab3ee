"""Benchmark: ``missionlens demo`` end to end, and its steps.

Cases (median of the rounds):

``demo``          ``run_demo(tmp)``: the whole demo as ``missionlens demo`` runs it (target:
                  under 60 s on the 2-core reference machine, issue "The first hour")
``score``         ``ml.score`` of the portfolio with its timelines
``agreement``     Krippendorff's alpha with a 1,000-draw bootstrap (the demo's setting)
``uncertainty``   ``ml.uncertainty`` with the demo's specification and 200 replications

The rest of the demo's time is drawing and saving its 15 figures and writing its files.

Usage::

    python benchmarks/bench_demo.py [--rounds 3] [--quick]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import alternate, machine, peak_rss_mb, show, timing_table

import missionlens as ml
from missionlens.demo import run_demo

TARGET_S = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one round")
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds
    fw = ml.load_framework("whole-of-mission")
    entries = ml.datasets.load_portfolio()
    timelines = ml.datasets.portfolio_timelines()
    spec = ml.Uncertainty.from_dict({"jitter": {}, "raters": True, "weights": {"noise": 0.25}})

    def demo() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            run_demo(Path(tmp), echo=lambda *_: None)

    cases = {
        "demo": demo,
        "score": lambda: ml.score(entries, framework=fw, timelines=timelines),
        "agreement": lambda: ml.agreement(entries, framework=fw, n_boot=1000, seed=2018),
        "uncertainty": lambda: ml.uncertainty(
            entries, framework=fw, spec=spec, n=200, seed=2018, timelines=timelines
        ),
    }
    print(machine())
    timings = alternate(cases, rounds)
    table = timing_table(list(timings.values()), baseline="demo")
    show(table)
    demo_s = timings["demo"].wall_s
    verdict = "meets" if demo_s < TARGET_S else "MISSES"
    print(f"demo: {demo_s:.1f} s wall, {verdict} the {TARGET_S:.0f} s target")
    print(f"peak memory: {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
