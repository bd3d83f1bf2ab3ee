"""Benchmark: ``ml.consolidate`` of 1 M entries against a direct pandas/numpy version.

The table is the one of ``bench_validation.py``: 1,000,000 valid long entries of
``whole-of-mission`` (50 rubric indicators in ``implementation`` x 5 raters x 4 periods x 1,000
missions), giving 200,000 consolidated cells.

Cases, timed in alternating rounds (median reported):

``ml.consolidate``  the library (it validates first, then consolidates; median method)
``reference``       ``reference.check`` (the same checks, see ``bench_validation.py``) then
                    ``reference.consolidate``: per cell the median, n, min, max, std (ddof=1),
                    the disagreement flag (rubric levels 2 or more apart) and the lower median of
                    the raters' confidence, by one sort and bincounts, rows in the library's order

Before timing, the script asserts that both give the same cells in the same order and the same
values on a sample of 5,000 cells (all figures above), so the comparison is of the same work.

Targets (issue "One contract"): ``ml.consolidate`` at most 2 s wall, and at most 2 x the
reference. Peak RSS is that of the whole process.

Usage::

    python benchmarks/bench_consolidation.py [--entries 1000000] [--rounds 5] [--quick]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
import reference
from _common import alternate, machine, make_entries, peak_rss_mb, show, timing_table

import missionlens as ml

COMPARED = ["value", "n_raters", "min", "max", "std", "disagreement"]


def direct(table: pd.DataFrame, facts: reference.Facts) -> pd.DataFrame:
    """The reference: the same checks, then the consolidation."""
    checked = reference.check(table, facts)
    if len(checked.failures):
        raise RuntimeError("invalid entries")
    return reference.consolidate(checked, facts)


def agree(lib: pd.DataFrame, ref: pd.DataFrame, sample: int = 5_000) -> None:
    """Raise unless both tables have the same cells in order and the same figures on a sample."""
    if len(lib) != len(ref):
        raise RuntimeError(f"{len(lib)} cells from ml.consolidate, {len(ref)} from the reference")
    keys = ["mission", "period", "indicator"]
    for k in keys:
        if not (lib[k].astype(str).to_numpy() == ref[k].astype(str).to_numpy()).all():
            raise RuntimeError(f"the cells are not in the same order ({k})")
    rows = np.random.default_rng(1).choice(len(lib), size=min(sample, len(lib)), replace=False)
    a, b = lib.iloc[rows], ref.iloc[rows]
    for col in COMPARED:
        x = a[col].to_numpy(dtype=np.float64, na_value=np.nan)
        y = b[col].to_numpy(dtype=np.float64, na_value=np.nan)
        if not np.allclose(x, y, rtol=1e-12, atol=0, equal_nan=True):
            raise RuntimeError(f"{col} differs between ml.consolidate and the reference")
    codes = a["confidence"].cat.codes.to_numpy()
    if not (codes == b["confidence"].to_numpy()).all():
        raise RuntimeError("confidence differs between ml.consolidate and the reference")


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
    lib, ref = ml.consolidate(table, framework=fw), direct(table, facts)
    agree(lib, ref)
    print(
        f"agreement: {len(lib):,} cells in the same order; value, n_raters, min, max, std, "
        f"disagreement and confidence equal on a sample of {min(5_000, len(lib)):,} cells "
        f"({int(lib['disagreement'].sum()):,} cells flagged in all)"
    )
    timings = alternate(
        {
            "ml.consolidate": lambda: ml.consolidate(table, framework=fw),
            "reference": lambda: direct(table, facts),
        },
        args.rounds,
    )
    print(f"\n{len(table):,} valid entries, median of {args.rounds} alternating rounds")
    show(
        timing_table(
            list(timings.values()),
            baseline="reference",
            targets={"ml.consolidate": "wall <= 2 s and <= 2 x reference"},
        )
    )
    t = timings["ml.consolidate"]
    ratio = t.wall_s / timings["reference"].wall_s
    print(
        f"ml.consolidate: {t.wall_s:.2f} s wall (target <= 2 s: "
        f"{'met' if t.wall_s <= 2 else 'MISSED'}), {ratio:.2f} x reference (target <= 2: "
        f"{'met' if ratio <= 2 else 'MISSED'}); process peak RSS {peak_rss_mb():,.0f} MB"
    )


if __name__ == "__main__":
    main()
