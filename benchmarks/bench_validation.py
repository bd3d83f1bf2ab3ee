"""Benchmark: ``ml.validate`` of 1 M entries against the same checks written directly.

The table: 1,000,000 long entries of the built-in framework ``whole-of-mission`` (50 rubric
indicators that apply in ``implementation`` x 5 raters x 4 periods x 1,000 missions), all valid,
as plain object columns and a float value (see ``_common.make_entries``).

Cases, timed in alternating rounds (median reported):

``ml.validate``  the library's front door (every check of ``checks.py``, the report)
``reference``    the same checks written directly in pandas/numpy (``reference.check``):
                 factorised keys, periods parsed once per distinct label, phase and indicator
                 membership, levels/bounds, applicability, confidence, duplicates, one phase per
                 mission and period, and a failure table of the failing rows

Before timing, both are run on a copy with planted errors (every check at least once) and the
script fails unless they find the same number of failures per check and the same failing rows,
so the comparison is of the same work.

Targets (issue "One contract"): ``ml.validate`` at most 1.5 s wall, and at most 2 x the
reference. Peak RSS is that of the whole process (both cases and the input).

Usage::

    python benchmarks/bench_validation.py [--entries 1000000] [--rounds 5] [--quick]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
import reference
from _common import alternate, machine, make_entries, peak_rss_mb, show, timing_table

import missionlens as ml


def plant_errors(table: pd.DataFrame, fw: ml.Framework) -> pd.DataFrame:
    """A copy of the first 20,000 entries with every check failing at least once."""
    bad = table.iloc[:20_000].copy()
    bad["value"] = bad["value"].astype(object)
    not_here = next(i.id for i in fw.indicators if i.phases and "implementation" not in i.phases)
    plants = {
        "mission": {10: None, 11: "  "},
        "period": {20: "2023-H3", 21: "last year", 22: None},
        "phase": {30: "implemntation", 31: ""},
        "indicator": {40: "pol_99", 41: "", 42: not_here},
        "value": {50: np.nan, 51: "three", 52: 7.0, 53: 2.5, 54: 0.0},
        "rater": {60: None},
        "confidence": {70: "sure", 71: None, 72: " High "},
    }
    for column, cells in plants.items():
        for row, value in cells.items():
            bad.iloc[row, bad.columns.get_loc(column)] = value
    # a repeated entry and a mission-period in two phases
    bad = pd.concat([bad, bad.iloc[[100]]], ignore_index=True)
    bad.iloc[5_000, bad.columns.get_loc("phase")] = "drawdown"
    bad.iloc[5_000, bad.columns.get_loc("indicator")] = next(
        i.id
        for i in fw.indicators
        if fw.scale(i.scale).kind == "rubric" and "drawdown" in (i.phases or ("drawdown",))
    )
    return bad


def agree(table: pd.DataFrame, fw: ml.Framework, facts: reference.Facts) -> pd.DataFrame:
    """Failures per check of both on ``table``; raise unless they agree row by row."""
    lib = ml.validate(table, framework=fw).failures
    ref = reference.check(table, facts).failures
    counts = pd.DataFrame(
        {
            "ml.validate": lib.groupby("check").size(),
            "reference": ref.groupby("check").size(),
        }
    ).fillna(0)
    lib_rows = set(zip(lib["row"].astype(int), lib["check"].astype(str), strict=True))
    ref_rows = set(zip(ref["row"].astype(int), ref["check"].astype(str), strict=True))
    if not counts["ml.validate"].equals(counts["reference"]) or lib_rows != ref_rows:
        print(counts)
        raise RuntimeError(
            f"the reference and ml.validate disagree: only ml {sorted(lib_rows - ref_rows)}, "
            f"only reference {sorted(ref_rows - lib_rows)}"
        )
    return counts.astype(int).reset_index(names="check")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="100,000 entries, 3 rounds")
    args = parser.parse_args()
    if args.quick:
        args.entries, args.rounds = 100_000, 3
    fw = ml.load_framework("whole-of-mission")
    facts = reference.framework_facts(fw)
    table = make_entries(fw, args.entries)

    print(machine())
    print("planted errors (20,001 entries): failures per check, both must agree")
    show(agree(plant_errors(table, fw), fw, facts))
    if not ml.validate(table, framework=fw).ok or len(reference.check(table, facts).failures):
        raise RuntimeError("the benchmark table should be valid")

    timings = alternate(
        {
            "ml.validate": lambda: ml.validate(table, framework=fw),
            "reference": lambda: reference.check(table, facts),
        },
        args.rounds,
    )
    print(f"\n{len(table):,} valid entries, median of {args.rounds} alternating rounds")
    show(
        timing_table(
            list(timings.values()),
            baseline="reference",
            targets={"ml.validate": "wall <= 1.5 s and <= 2 x reference"},
        )
    )
    lib = timings["ml.validate"]
    ratio = lib.wall_s / timings["reference"].wall_s
    print(
        f"ml.validate: {lib.wall_s:.2f} s wall (target <= 1.5 s: "
        f"{'met' if lib.wall_s <= 1.5 else 'MISSED'}), {ratio:.2f} x reference (target <= 2: "
        f"{'met' if ratio <= 2 else 'MISSED'}); {len(table) / lib.wall_s:,.0f} entries/s; "
        f"process peak RSS {peak_rss_mb():,.0f} MB"
    )


if __name__ == "__main__":
    main()
