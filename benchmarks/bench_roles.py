"""Benchmark: what indicator roles and critical flags cost ``ml.score``.

The grid of ``bench_scoring.py`` (missions x 60 indicators x 40 periods x 5 raters, 2 % of the
entries left out), scored with two versions of its 60-indicator framework:

``performance``  every indicator a performance indicator (the framework as it is): one pass of
                 the aggregate step, no context view, no critical indicator
``roles``        in every sub-dimension, the last of the 5 indicators a context indicator and
                 the first a critical one (12 context, 12 critical): two passes of the
                 aggregate step (performance composite and context index), the context view,
                 and the critical flags (about one rating in five is the worst level, so most
                 units are flagged on most critical indicators)

Each case is ``ml.score`` followed by building the whole score table (``to_frame(None)``,
which ``ml.score`` builds lazily), ``summary()`` and ``critical_flags``. The cases alternate
in rounds (the shared machine's speed drifts); the table gives the median over rounds.

Usage::

    python benchmarks/bench_roles.py [--rounds 3] [--missions 100] [--quick]

``--quick`` scores 20 missions with two rounds.
"""

from __future__ import annotations

import argparse
import warnings

from _common import alternate, machine, peak_rss_mb, show, timing_table
from bench_scoring import DIMS, PER_SUB, SUBS, framework_yaml, make_data

import missionlens as ml


def roles_framework() -> ml.Framework:
    """The benchmark framework with a context and a critical indicator per sub-dimension."""
    raw = ml.Framework.from_yaml(framework_yaml()).to_dict()
    for indicator in raw["indicators"]:
        position = int(indicator["id"][-1])
        if position == PER_SUB - 1:
            indicator["role"] = "context"
        if position == 0:
            indicator["critical"] = True
    return ml.Framework.from_dict(raw)


def run(data: object, fw: ml.Framework) -> tuple[int, int, int]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ml.IncompleteScoreWarning)
        profiles = ml.score(data, framework=fw)  # type: ignore[arg-type]
    table = profiles.to_frame(None)
    return len(table), len(profiles.summary()), len(profiles.critical_flags)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--missions", type=int, default=100)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.missions, args.rounds = 20, 2
    print(machine())
    data = make_data(args.missions)
    plain = ml.Framework.from_yaml(framework_yaml())
    roles = roles_framework()
    n_context = sum(i.role == "context" for i in roles.indicators)
    n_critical = sum(i.critical for i in roles.indicators)
    rows, units, flags = run(data, roles)  # warm-up, and the sizes for the caption
    plain_rows = run(data, plain)[0]
    timings = alternate(
        {"performance": lambda: run(data, plain), "roles": lambda: run(data, roles)}, args.rounds
    )
    print(
        f"\n{len(data):,} entries ({args.missions} missions x {DIMS * SUBS * PER_SUB} "
        f"indicators x 40 periods x 5 raters); {units:,} units; roles: {n_context} context and "
        f"{n_critical} critical indicators, {flags:,} critical flags; score table "
        f"{plain_rows:,} rows (performance) and {rows:,} rows (roles); median of "
        f"{args.rounds} rounds"
    )
    show(timing_table(list(timings.values()), baseline="performance"))
    print(f"peak resident memory {peak_rss_mb():,.0f} MB (both cases, input included)")


if __name__ == "__main__":
    main()
