"""Benchmark: a Sobol' analysis of 6 inputs with N = 4,096 (32,768 model runs), step by step.

The model (``--model synthetic``, the default) is a vectorised stand-in for the uncertainty
engine of comparable cost: 50 missions x 60 indicators (4 dimensions x 3 sub-dimensions x 5
indicators, rubric 1-5), computed with numpy on (runs, units, indicators) arrays, outputs the
scores (runs, units, 17 nodes: root, dimensions, sub-dimensions). Its 6 inputs:

``entries``        continuous: each entry moves by up to +/- 0.5 level (a fixed noise pattern
                   scaled by u - 1/2)
``normalisation``  2 options: min-max over units, or z-scores mapped to 0-100
``gaps``           3 options for the 5 % missing entries: column mean, column minimum, or left out
                   (the parent's mean over the entries present)
``w_dimension``    continuous: dimension weights tilted between (1, 1, 1, 1) and (2, 1, 1, 0.5)
``w_indicator``    continuous: indicator weights tilted by a fixed pattern
``aggregation``    2 options at the root: arithmetic or geometric mean of the dimensions

Outputs analysed: the mean absolute rank shift at the root (Saisana et al. 2005) and the root
score of one mission. To time another model, add a factory to ``MODELS`` (a callable
returning a ``ProfileModel`` with 6 factors) and pass ``--model NAME``.

Steps, timed in rounds (median reported): ``sample`` (``ml.sample_sobol``), ``evaluate``
(``evaluate`` with the two selectors, chunks of 1,024 runs), ``analyse`` (``ml.analyse_sobol``,
1,000 bootstrap resamples per output), and ``sensitivity`` (the one call, all three).

Before timing, the script checks that the library's path gives what SALib called directly on the
same design gives (indices and intervals to 1e-12), and that the chunked evaluation equals one
unchunked model call. Target: ``sensitivity`` <= 10 s wall (issue "Uncertainty and sensitivity",
item 3).

With ``--coverage`` the script instead counts how often SALib's 95 % intervals hold the analytic
Ishigami indices, over 40 seeds at N = 1,024, 2,048 and 4,096 (the figure in
``docs/sensitivity.md``).

Usage::

    python benchmarks/bench_sensitivity.py [--rounds 3] [--n 4096] [--model synthetic] [--quick]
    python benchmarks/bench_sensitivity.py --coverage
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np
import pandas as pd
from _common import Timing, machine, peak_rss_mb, show, timed, timing_table

import missionlens as ml
from missionlens.analysis.sensitivity import ProfileModel, choice_index, evaluate


class SyntheticEngine:
    """A 50-unit, 60-indicator weighted-mean tree with 6 uncertain inputs (see the module)."""

    factor_names = (
        "entries",
        "normalisation",
        "gaps",
        "w_dimension",
        "w_indicator",
        "aggregation",
    )
    factor_levels = (None, 2, 3, None, None, 2)

    def __init__(self, n_units: int = 50, shape: tuple[int, int, int] = (4, 3, 5)) -> None:
        rng = np.random.default_rng(0)
        n_dim, n_sub, n_ind = shape
        self.k = n_dim * n_sub * n_ind
        self.sub_of = np.repeat(np.arange(n_dim * n_sub), n_ind)  # indicator -> sub-dimension
        self.dim_of_sub = np.repeat(np.arange(n_dim), n_sub)  # sub-dimension -> dimension
        self.n_dim, self.n_sub = n_dim, n_dim * n_sub
        self.values = rng.integers(1, 6, (n_units, self.k)).astype(np.float64)
        self.missing = rng.random((n_units, self.k)) < 0.05
        self.noise = rng.uniform(-1, 1, (n_units, self.k))
        self.w_ind_tilt = rng.uniform(-0.5, 0.5, self.k)
        self.w_dim_tilt = np.array([1.0, 0.0, 0.0, -0.5])[:n_dim]
        self.units = pd.DataFrame(
            {
                "mission": [f"M{i:02d}" for i in range(n_units)],
                "period": "2024-H1",
                "phase": "implementation",
            }
        )
        self.nodes = (
            "root",
            *(f"d{d}" for d in range(n_dim)),
            *(f"s{s}" for s in range(self.n_sub)),
        )
        nominal = np.array([[0.5, 0.0, 0.5, 0.0, 0.5, 0.0]])  # option 0 of each choice
        self.nominal = self.evaluate_unit(nominal)[0]

    def evaluate_unit(self, x: np.ndarray) -> np.ndarray:
        """Scores (runs, units, nodes) at points x (runs, 6) of [0, 1)."""
        m = x.shape[0]
        v = self.values + (x[:, 0, None, None] - 0.5) * self.noise  # (m, units, k)
        np.clip(v, 1.0, 5.0, out=v)
        norm = np.empty_like(v)
        minmax = choice_index(x[:, 1], 2) == 0
        a = v[minmax]
        lo, hi = a.min(axis=1, keepdims=True), a.max(axis=1, keepdims=True)
        norm[minmax] = 100 * (a - lo) / np.where(hi > lo, hi - lo, 1.0)
        b = v[~minmax]
        z = (b - b.mean(axis=1, keepdims=True)) / b.std(axis=1, keepdims=True)
        norm[~minmax] = np.clip(50 + 20 * z, 0, 100)
        gaps = choice_index(x[:, 2], 3)
        present = ~self.missing
        for option in (0, 1):
            rows = gaps == option
            c = np.where(present, norm[rows], np.nan)
            fill = (
                np.nanmean(c, axis=1, keepdims=True)
                if option == 0
                else np.nanmin(c, axis=1, keepdims=True)
            )
            norm[rows] = np.where(present, c, fill)
        w_ind = 1 + (x[:, 4, None] - 0.5) * self.w_ind_tilt  # (m, k)
        weights = np.broadcast_to(w_ind[:, None, :], norm.shape).copy()
        left_out = (gaps == 2)[:, None, None] & self.missing
        weights[left_out] = 0.0
        norm[left_out] = 0.0
        # weighted means of the sub-dimensions: one matrix product with the membership matrix
        member = np.eye(self.n_sub)[self.sub_of]  # (k, n_sub)
        sub = ((norm * weights) @ member) / (weights @ member)
        dims = sub.reshape(m, -1, self.n_dim, self.n_sub // self.n_dim).mean(-1)
        w_dim = 1 + x[:, 3, None] * self.w_dim_tilt  # (m, dims)
        w = w_dim / w_dim.sum(1, keepdims=True)
        arith = (dims * w[:, None, :]).sum(-1)
        geo = np.exp((np.log(np.maximum(dims, 1e-9)) * w[:, None, :]).sum(-1))
        root = np.where((choice_index(x[:, 5], 2) == 0)[:, None], arith, geo)
        return np.concatenate([root[:, :, None], dims, sub], axis=2)


def library_engine() -> ProfileModel:
    """The library's own uncertainty engine (:class:`ml.UncertaintyModel`) on the grid of
    ``bench_uncertainty.py`` (50 missions x 60 rubric indicators x 3 raters) with 6 inputs:
    confidence jitter, rater resampling, weight noise (trigger factors), two normalisations,
    two aggregations, and leaving one dimension out (or none)."""
    from bench_scoring import bench_framework
    from bench_uncertainty import grid_data, grid_spec

    fw = bench_framework()
    spec = grid_spec().to_dict()
    spec["leave_out"] = {"elements": "dimension"}
    return ml.UncertaintyModel.build(grid_data(fw), framework=fw, spec=spec, seed=1)  # type: ignore[return-value, arg-type]


MODELS: dict[str, Callable[[], ProfileModel]] = {
    "synthetic": SyntheticEngine,
    "engine": library_engine,
}


class Ishigami:
    """Ishigami & Homma (1990), a = 7, b = 0.1, on [-pi, pi)^3 read from [0, 1)^3."""

    factor_names = ("x1", "x2", "x3")
    factor_levels = (None, None, None)

    def evaluate_unit(self, u: np.ndarray) -> np.ndarray:
        x = -np.pi + 2 * np.pi * u
        return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def coverage(seeds: int, sizes: tuple[int, ...], resamples: int) -> None:
    """How often each Ishigami index falls within its 95 % interval of the analytic value."""
    v = 49 / 8 + 0.1 * np.pi**4 / 5 + 0.01 * np.pi**8 / 18 + 0.5  # Homma & Saltelli (1996)
    v1, v2, v13 = 0.5 * (1 + 0.1 * np.pi**4 / 5) ** 2, 49 / 8, 8 * 0.01 * np.pi**8 / 225
    s1, st = np.array([v1, v2, 0]) / v, np.array([v1 + v13, v2, v13]) / v
    rows = []
    for n in sizes:
        hits = []
        for seed in range(seeds):
            t = ml.sensitivity(Ishigami(), n=n, seed=seed, num_resamples=resamples).indices
            hits.append(
                np.r_[np.abs(t["S1"] - s1) <= t["S1_conf"], np.abs(t["ST"] - st) <= t["ST_conf"]]
            )
        h = np.array(hits)
        row = {"n": n, "seeds": seeds}
        for k, name in enumerate(["S1 x1", "S1 x2", "S1 x3", "ST x1", "ST x2", "ST x3"]):
            row[name] = h[:, k].mean()
        row["all six"] = h.all(axis=1).mean()
        rows.append(row)
    print(f"coverage of the 95 % intervals, Ishigami, {resamples} resamples:")
    show(pd.DataFrame(rows))


OUTPUTS = {
    "rank shift": ml.mean_rank_shift("root"),
    "score M07": ml.score_of("M07", "root"),
}


def check(model: ProfileModel, n: int) -> None:
    """The library's path equals SALib called directly, and chunks equal one call."""
    from SALib.analyze import sobol as salib_analyse
    from SALib.sample import sobol as salib_sample

    problem = ml.SensitivityProblem.from_model(model)
    x = ml.sample_sobol(problem, n, seed=5)
    direct_x = salib_sample.sample(
        problem.to_salib(), n, calc_second_order=False, seed=np.random.default_rng(5)
    )
    if not np.array_equal(x, direct_x):
        raise RuntimeError("sample_sobol differs from SALib's sample")
    y = evaluate(model, x, output=OUTPUTS)
    whole = model.evaluate_unit(x)
    j = model.nodes.index("root")
    if not np.array_equal(y["score M07"].to_numpy(), whole[:, 7, j]):
        raise RuntimeError("chunked evaluation differs from one call")
    table = ml.analyse_sobol(problem, y, seed=5, num_resamples=200)
    for name in OUTPUTS:
        direct = salib_analyse.analyze(
            problem.to_salib(),
            y[name].to_numpy(),
            calc_second_order=False,
            num_resamples=200,
            seed=np.random.default_rng(np.random.SeedSequence(5)),
        )
        ours = table[table["output"] == name]
        for key in ("S1", "S1_conf", "ST", "ST_conf"):
            if not np.allclose(ours[key], direct[key], rtol=1e-12, atol=1e-12):
                raise RuntimeError(f"{key} of {name!r} differs from SALib's")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n", type=int, default=4096, help="base sample size N (power of 2)")
    parser.add_argument("--model", choices=sorted(MODELS), default="synthetic")
    parser.add_argument("--quick", action="store_true", help="1 round, N = 512")
    parser.add_argument(
        "--coverage",
        action="store_true",
        help="instead: coverage of the intervals on Ishigami, 40 seeds x N = 1,024 to 4,096",
    )
    args = parser.parse_args()
    if args.coverage:
        print(machine())
        coverage(40, (1024, 2048, 4096), 300)
        return
    if args.quick:
        args.rounds, args.n = 1, 512
    model = MODELS[args.model]()
    problem = ml.SensitivityProblem.from_model(model)
    check(model, 256)

    print(machine())
    runs = args.n * (problem.d + 2)
    print(
        f"model: {args.model}, {len(model.units)} units x {len(model.nodes)} nodes, "
        f"{problem.d} inputs (levels {list(problem.levels)}); N = {args.n:,}: {runs:,} runs"
    )
    names = ("sample", "evaluate", "analyse", "sensitivity")
    timings = {name: Timing(name) for name in names}
    result = None
    for r in range(args.rounds):
        wall, cpu, x = timed(lambda r=r: ml.sample_sobol(problem, args.n, seed=r))
        timings["sample"].wall.append(wall)
        timings["sample"].cpu.append(cpu)
        wall, cpu, y = timed(lambda x=x: evaluate(model, x, output=OUTPUTS))
        timings["evaluate"].wall.append(wall)
        timings["evaluate"].cpu.append(cpu)
        wall, cpu, _ = timed(lambda y=y, r=r: ml.analyse_sobol(problem, y, seed=r))
        timings["analyse"].wall.append(wall)
        timings["analyse"].cpu.append(cpu)
        wall, cpu, result = timed(
            lambda r=r: ml.sensitivity(model, output=OUTPUTS, n=args.n, seed=r)
        )
        timings["sensitivity"].wall.append(wall)
        timings["sensitivity"].cpu.append(cpu)
    show(
        timing_table(
            [timings[name] for name in names],
            baseline="sensitivity",
            targets={"sensitivity": "<= 10 s"},
        )
    )
    if result is not None:
        print(f"indices (last round, N = {args.n:,}):")
        columns = ["output", "input", "levels", "S1", "S1_conf", "ST", "ST_conf"]
        show(result.indices[columns])
    print(f"peak RSS: {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
