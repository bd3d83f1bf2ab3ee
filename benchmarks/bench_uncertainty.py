"""Benchmark: ``ml.uncertainty``, one vectorised Monte Carlo, against one ``ml.score`` per draw.

Cases:

``asem``
    COINr's ASEM example specification (``get_sensitivity`` vignette) rebuilt in missionlens:
    a generated framework of the ASEM shape (51 units, 49 numeric indicators, 3 aggregate
    levels: 8 pillars, 2 sub-indices, the index) with skewed generated data; uncertain
    inputs: the winsorisation limit (``treat_outliers`` ``max_points`` 1 to 5), min-max or
    z-score normalisation (z-score with mean 10 and sd 2, as in COINr's example, so that the
    geometric mean stays defined), weight noise of 25 % at each aggregate level, arithmetic or
    geometric mean; 10,000 replications. Reported: seconds per replication, the whole call
    (checks, the 20 recipe variations, the replications) divided by n (target <= 0.24 ms,
    i.e. 1000 x faster than COINr's ~0.24 s per replication, which rebuilds the whole index
    each time).
``grid``
    10,000 replications on 50 missions x 60 rubric indicators x 3 raters (the 60-indicator
    framework of ``bench_scoring.py``): weight noise (20 %), two normalisations of the rubric
    (linear, or a custom level mapping 0/20/50/80/100), two aggregations (the framework's
    arithmetic mean, or geometric), jitter of every rating by its stated confidence, and
    resampling of the raters of each cell. Targets: <= 5 s and <= 2 GB peak resident memory;
    speed-up over one ``ml.score`` per replication >= 100 x.
``score_loop``
    20 calls of ``ml.score`` on the ``grid`` data, each with the recipe of one replication
    (its normalisation, aggregation and every weight set), extrapolated to 10,000: what
    rebuilding the profiles once per replication costs (the jittered values themselves cannot
    be given to ``ml.score``: continuous jitter leaves values between levels, which its entry
    checks refuse).

Before timing, the script checks that three vectorised replications equal the library's own
steps run alone on the replication's inputs (``prepare``, the consolidation kernel,
``run_recipe``) value by value at 1e-12; ``tests/test_uncertainty.py`` does the same with
``ml.score`` itself for every kind of factor.

Usage::

    python benchmarks/bench_uncertainty.py [--rounds 3] [--quick]

``--quick`` runs 1,000 replications of ``asem`` and ``grid`` and one round.

The machine is shared: when other processes hold the cores, ``wall_s`` is well above
``cpu_s``; the CPU seconds are then the steadier figure, and the script prints both.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd
from _common import alternate, machine, peak_rss_mb, show, timed, timing_table
from bench_scoring import bench_framework

import missionlens as ml

warnings.simplefilter("ignore", ml.IncompleteScoreWarning)

PILLARS = (5, 6, 7, 6, 7, 6, 6, 6)  # 49 indicators in 8 pillars
SUB_INDEX = (0, 0, 0, 0, 1, 1, 1, 1)  # pillars 1-4 in sub-index 1, 5-8 in sub-index 2


def asem_framework() -> ml.Framework:
    """A framework of the ASEM shape: index > 2 sub-indices > 8 pillars > 49 indicators."""
    nodes = [{"id": "index", "name": "Index", "parent": None}]
    nodes += [{"id": f"sub{s}", "name": f"Sub-index {s}", "parent": "index"} for s in (0, 1)]
    indicators = []
    for p, size in enumerate(PILLARS):
        nodes.append({"id": f"p{p}", "name": f"Pillar {p}", "parent": f"sub{SUB_INDEX[p]}"})
        for i in range(size):
            indicators.append(
                {"id": f"x{p}_{i}", "name": f"Indicator {p}.{i}", "parent": f"p{p}", "scale": "num"}
            )
    return ml.Framework.from_dict(
        {
            "id": "asem-shape",
            "version": "1",
            "title": "ASEM-shaped framework (generated)",
            "scales": [{"kind": "numeric", "id": "num", "name": "Value"}],
            "nodes": nodes,
            "indicators": indicators,
        }
    )


def asem_data(fw: ml.Framework, seed: int = 0) -> pd.DataFrame:
    """51 units, every indicator lognormal (skewed, so outlier treatment acts)."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        rng.lognormal(mean=1.0, sigma=0.8, size=(51, len(fw.indicator_ids))),
        columns=list(fw.indicator_ids),
    )
    table.insert(0, "period", "2024")
    table.insert(0, "mission", [f"U{i:02d}" for i in range(51)])
    return table


def asem_spec() -> ml.Uncertainty:
    """COINr's ASEM uncertainty specification, in missionlens terms."""
    return ml.Uncertainty.from_dict(
        {
            "weights": {"noise": {"indicator": 0.25, "subdimension": 0.25, "dimension": 0.25}},
            "choices": [
                {
                    "name": "winsorisation",
                    "options": [
                        {"label": f"max {k}", "set": {"treat_outliers__max_points": k}}
                        for k in range(1, 6)
                    ],
                },
                {
                    "name": "normalisation",
                    "options": [
                        {"label": "minmax", "set": {"normalise__numeric": "minmax"}},
                        {
                            "label": "zscore",
                            "set": {
                                "normalise__numeric": "zscore",
                                "normalise__zscore_centre": 10,
                                "normalise__zscore_scale": 2,
                            },
                        },
                    ],
                },
                {
                    "name": "aggregation",
                    "options": [
                        {"label": "arithmetic", "set": {"aggregate__method": "arithmetic"}},
                        {"label": "geometric", "set": {"aggregate__method": "geometric"}},
                    ],
                },
            ],
        }
    )


def grid_data(fw: ml.Framework, n_missions: int = 50, seed: int = 0) -> pd.DataFrame:
    """50 missions x 60 rubric indicators x 3 raters, confidences mixed, one period."""
    rng = np.random.default_rng(seed)
    ids = list(fw.indicator_ids)
    m, k, r = np.unravel_index(np.arange(n_missions * len(ids) * 3), (n_missions, len(ids), 3))
    return pd.DataFrame(
        {
            "mission": np.array([f"M{i:02d}" for i in range(n_missions)], dtype=object)[m],
            "period": "2024",
            "phase": "implementation",
            "indicator": np.array(ids, dtype=object)[k],
            "value": rng.integers(1, 6, m.size).astype(np.float64),
            "rater": np.array(["R0", "R1", "R2"], dtype=object)[r],
            "confidence": np.array(["low", "medium", "high"], dtype=object)[
                rng.integers(0, 3, m.size)
            ],
        }
    )


def grid_spec() -> ml.Uncertainty:
    return ml.Uncertainty.from_dict(
        {
            "jitter": {},
            "raters": True,
            "weights": {"noise": 0.2},
            "choices": [
                {
                    "name": "normalisation",
                    "options": [
                        {"label": "linear"},
                        {
                            "label": "custom",
                            "set": {
                                "normalise__rubric": "custom",
                                "normalise__rubric_mapping": {1: 0, 2: 20, 3: 50, 4: 80, 5: 100},
                            },
                        },
                    ],
                },
                {
                    "name": "aggregation",
                    "options": [
                        {"label": "framework"},
                        {"label": "geometric", "set": {"aggregate__method": "geometric"}},
                    ],
                },
            ],
        }
    )


def steps_replication(result: ml.UncertaintyResult, data: pd.DataFrame, r: int) -> np.ndarray:
    """Replication ``r`` computed alone by the library's own steps: its entries consolidated by
    the one consolidation kernel, put in the prepared state, the recipe's step functions run
    (continuous jitter gives values between levels, which ``ml.score``'s entry checks refuse, so
    the check goes through ``prepare`` and ``run_recipe``, what ``ml.score`` runs after the
    checks)."""
    from dataclasses import replace

    from missionlens.assessments.consolidation import consolidate_cells
    from missionlens.scoring.prepare import prepare
    from missionlens.scoring.steps import run_recipe

    model = result.model
    inputs = model.replication_inputs({k: int(v[r]) for k, v in result.index.items()})
    state, _ = prepare(data, model.framework, inputs.recipe)
    e, s = inputs.entries, inputs.recipe.settings
    matrix = consolidate_cells(
        e.cell, e.value, e.n_cells, s.consolidate, trim=s.trim, weights=e.weight
    ).reshape(state.raw.shape)
    final = run_recipe(replace(state, raw=matrix, values=matrix.copy()), inputs.recipe)
    return np.concatenate([final.node_scores, final.normalised], axis=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n_grid = 1000 if args.quick else 10_000
    rounds = 1 if args.quick else args.rounds
    print(machine())

    afw = asem_framework()
    adata = asem_data(afw)
    arecipe = ml.Recipe.default().with_step("treat_outliers")
    aspec = asem_spec()
    n_asem = 1000 if args.quick else 10_000

    gfw = bench_framework()
    gdata = grid_data(gfw)  # type: ignore[arg-type]
    gspec = grid_spec()

    # the vectorised replications equal ml.score, one by one (checked before timing)
    check = ml.uncertainty(gdata, framework=gfw, spec=gspec, n=n_grid, seed=1)  # type: ignore[arg-type]
    for r in range(3):
        np.testing.assert_allclose(check.scores[r], steps_replication(check, gdata, r), atol=1e-12)

    loop_n = 20
    recipes = [
        check.model.replication_inputs({k: int(v[r]) for k, v in check.index.items()}).recipe
        for r in range(loop_n)
    ]

    def loop() -> None:
        for recipe in recipes:  # one ml.score per replication, on data of the same size
            ml.score(gdata, framework=gfw, recipe=recipe)  # type: ignore[arg-type]

    cases = {
        "asem": lambda: ml.uncertainty(
            adata, framework=afw, recipe=arecipe, spec=aspec, n=n_asem, seed=1, progress=False
        ),
        "grid": lambda: ml.uncertainty(
            gdata,
            framework=gfw,  # type: ignore[arg-type]
            spec=gspec,
            n=n_grid,
            seed=1,
            progress=False,
        ),
        "score_loop": loop,
    }
    timings = alternate(cases, rounds)
    table = timing_table(list(timings.values()), baseline="grid")
    per = {"asem": n_asem, "grid": n_grid, "score_loop": loop_n}
    table["replications"] = table["case"].map(per)
    table["ms_per_replication"] = 1000 * table["wall_s"] / table["replications"]
    table["target"] = table["case"].map(
        {"asem": "<= 0.24 ms per replication", "grid": "<= 5 s, <= 2048 MB", "score_loop": ""}
    )
    show(
        table[
            [
                "case",
                "replications",
                "wall_s",
                "cpu_s",
                "wall_min_s",
                "wall_max_s",
                "ms_per_replication",
                "target",
            ]
        ]
    )
    asem_ms = float(table.loc[table["case"] == "asem", "ms_per_replication"].iloc[0])
    grid_s = float(table.loc[table["case"] == "grid", "wall_s"].iloc[0])
    loop_ms = float(table.loc[table["case"] == "score_loop", "ms_per_replication"].iloc[0])
    speedup = loop_ms * n_grid / 1000 / grid_s
    cpu = {str(c): float(v) for c, v in zip(table["case"], table["cpu_s"], strict=True)}
    asem_cpu_ms = 1000 * cpu["asem"] / n_asem
    cpu_speedup = (cpu["score_loop"] / loop_n * n_grid) / cpu["grid"]
    peak = peak_rss_mb()
    print(
        f"\nasem: {asem_ms:.4f} ms per replication ({n_asem} replications; target <= 0.24 ms: "
        f"{'met' if asem_ms <= 0.24 else 'MISSED'}; COINr ~240 ms)"
    )
    print(
        f"grid: {n_grid:,} replications in {grid_s:.2f} s (target <= 5 s: "
        f"{'met' if grid_s <= 5 else 'MISSED'}); peak RSS of this process {peak:.0f} MB "
        f"(target <= 2048 MB: {'met' if peak <= 2048 else 'MISSED'})"
    )
    print(
        f"one ml.score per replication: {loop_ms:.1f} ms each, {loop_ms * n_grid / 1000:.0f} s "
        f"extrapolated to {n_grid:,}; speed-up {speedup:,.0f} x (target >= 100 x: "
        f"{'met' if speedup >= 100 else 'MISSED'})"
    )
    print(
        f"CPU seconds (steadier on a shared machine): asem {asem_cpu_ms:.4f} ms per "
        f"replication; grid {cpu['grid']:.2f} s; speed-up over the ml.score loop "
        f"{cpu_speedup:,.0f} x"
    )
    wall, _, _ = timed(lambda: check.summary)
    print(f"summary table of the grid result: {wall:.2f} s; pairwise: ", end="")
    wall, _, _ = timed(check.pairwise)
    print(f"{wall:.2f} s")


if __name__ == "__main__":
    main()
