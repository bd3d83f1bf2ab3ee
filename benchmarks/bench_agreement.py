"""Benchmark: ``ml.agreement`` with a bootstrap interval, per scope, vs a loop over draws.

The table: 50 missions x 50 rubric indicators of ``whole-of-mission`` (phase
``implementation``) x 3 raters, one period (7,500 entries); each rater gives a mission's latent
level plus noise. Scopes: overall (2,500 units: mission, period, indicator), each dimension, each
indicator (50 units: mission and period).

Cases, timed in alternating rounds (median reported):

``agreement``         ``ml.agreement(n_boot=0)``: the point values only (validation included)
``agreement_boot``    ``ml.agreement(n_boot=1000)``: the same with the bootstrap of every scope
``draws <scope>``     the vectorised alpha of 1,000 draws for one scope alone (``alpha_of_draws``)
``loop <scope>``      the same 1,000 draws, one ``krippendorff.alpha`` call per draw (the slow
                      reference the tests replay), for the overall scope and one indicator

Before timing, the script checks that the vectorised and the looped alphas agree to 1e-12.
No target: the issue asks for the figure only.

Usage::

    python benchmarks/bench_agreement.py [--rounds 3] [--quick]
"""

from __future__ import annotations

import argparse

import krippendorff
import numpy as np
import pandas as pd
from _common import alternate, machine, peak_rss_mb, rubric_ids, show, timing_table

import missionlens as ml
from missionlens.analysis.agreement import alpha_of_draws, bootstrap_units


def make_table(fw: ml.Framework, n_missions: int, n_indicators: int, n_raters: int) -> pd.DataFrame:
    """Long entries: mission x indicator x rater, values a latent level plus each rater's noise."""
    ids = rubric_ids(fw, count=n_indicators)
    rng = np.random.default_rng(0)
    m, k, r = np.unravel_index(
        np.arange(n_missions * n_indicators * n_raters), (n_missions, n_indicators, n_raters)
    )
    latent = rng.integers(1, 6, (n_missions, n_indicators))
    values = np.clip(latent[m, k] + np.rint(rng.normal(0, 0.7, m.size)), 1, 5)
    return pd.DataFrame(
        {
            "mission": np.array([f"M{i:03d}" for i in range(n_missions)], dtype=object)[m],
            "period": "2024-H1",
            "phase": "implementation",
            "indicator": np.array(ids, dtype=object)[k],
            "value": values,
            "rater": np.array([f"R{i}" for i in range(n_raters)], dtype=object)[r],
        }
    )


def reliability(table: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Raters x units of a scope."""
    return table.pivot(index="rater", columns=keys, values="value").to_numpy(dtype="float64")


def loop(data: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """One ``krippendorff.alpha`` per draw."""
    domain = np.unique(data[~np.isnan(data)])
    return np.array(
        [
            krippendorff.alpha(
                reliability_data=data[:, d], value_domain=domain, level_of_measurement="ordinal"
            )
            for d in draws
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="1 round")
    args = parser.parse_args()
    if args.quick:
        args.rounds = 1
    fw = ml.load_framework("whole-of-mission")
    table = make_table(fw, 50, 50, 3)
    read = ml.read_assessments(table, framework=fw)
    first = table["indicator"].iloc[0]
    dim = fw.dimension_of(first)
    members = {i.id for i in fw.indicators if fw.dimension_of(i.id) == dim}
    scopes = {
        "overall": reliability(table, ["mission", "period", "indicator"]),
        f"dimension {dim}": reliability(
            table[table["indicator"].isin(members)], ["mission", "period", "indicator"]
        ),
        f"indicator {first}": reliability(
            table[table["indicator"] == first], ["mission", "period"]
        ),
    }
    draws = {name: bootstrap_units(d.shape[1], args.n_boot, seed=1) for name, d in scopes.items()}
    for name in ("overall", f"indicator {first}"):
        fast = alpha_of_draws(scopes[name], draws[name], "ordinal")
        if not np.allclose(fast, loop(scopes[name], draws[name]), rtol=0, atol=1e-12):
            raise RuntimeError(f"vectorised and looped alphas differ ({name})")

    cases = {
        "agreement": lambda: ml.agreement(read, framework=fw),
        "agreement_boot": lambda: ml.agreement(read, framework=fw, n_boot=args.n_boot, seed=1),
    }
    for name, data in scopes.items():
        cases[f"draws {name}"] = lambda d=data, w=draws[name]: alpha_of_draws(d, w, "ordinal")
    for name in ("overall", f"indicator {first}"):
        cases[f"loop {name}"] = lambda d=scopes[name], w=draws[name]: loop(d, w)

    print(machine())
    result = ml.agreement(read, framework=fw, n_boot=args.n_boot, seed=1)
    counts = result.groupby("scope", sort=False)["n_units"].agg(["count", "min", "max"])
    print(f"table: {len(table):,} entries; n_boot={args.n_boot}; scopes (rows, units min-max):")
    print(counts.to_string())
    timings = alternate(cases, args.rounds)
    show(timing_table(list(timings.values()), baseline="agreement"))
    print(f"peak RSS: {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
