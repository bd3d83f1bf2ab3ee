"""Benchmark: the example portfolio, from the shipped files to profiles.

Cases, timed in alternating rounds (median reported):

``load``       ``ml.datasets.load_portfolio()``: read the two CSV files and join the evidence
``timelines``  ``ml.datasets.portfolio_timelines()`` read by ``ml.read_timelines``
``validate``   ``ml.validate(entries, framework="whole-of-mission", timelines=...)``
``score``      ``ml.score(...)`` the same (validation included), with ``summary()``
``build``      ``build_portfolio.build()``: the design, the timelines and the data to the tables

Before timing, the script checks that a rebuild equals the shipped files. No target: the
portfolio is a fixed, small table (about 4,000 entries); the figure is what a newcomer's first
``load_portfolio`` and ``score`` cost.

Usage::

    python benchmarks/bench_portfolio.py [--rounds 5] [--quick]
"""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
from pathlib import Path

from _common import alternate, machine, peak_rss_mb, show, timing_table

import missionlens as ml

DATA = Path(ml.__file__).resolve().parent / "data"
FRAMEWORK = "whole-of-mission"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="two rounds")
    args = parser.parse_args()
    rounds = 2 if args.quick else args.rounds
    spec = importlib.util.spec_from_file_location("_build_portfolio", DATA / "build_portfolio.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    with tempfile.TemporaryDirectory() as tmp:
        build.main(["--out", tmp])
        for name in ("portfolio.csv", "portfolio_evidence.csv"):
            if (Path(tmp) / name).read_bytes() != (DATA / name).read_bytes():
                raise SystemExit(f"a rebuild differs from the shipped {name}")

    entries = ml.datasets.load_portfolio()
    timelines = ml.datasets.portfolio_timelines()
    ml.load_framework(FRAMEWORK)  # the framework cache, as in a session
    cases = {
        "load": ml.datasets.load_portfolio,
        "timelines": lambda: ml.read_timelines(ml.datasets.portfolio_timelines()),
        "validate": lambda: ml.validate(entries, framework=FRAMEWORK, timelines=timelines),
        "score": lambda: ml.score(entries, framework=FRAMEWORK, timelines=timelines).summary(),
        "build": build.build,
    }
    print(machine())
    print(
        f"portfolio: {len(entries):,} entries, {entries['mission'].nunique()} missions, "
        f"{len(entries.drop_duplicates(['mission', 'period']))} mission-years"
    )
    timings = alternate(cases, rounds)
    show(timing_table(list(timings.values()), baseline="load"))
    print(f"peak memory: {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
