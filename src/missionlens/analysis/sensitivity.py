"""Variance-based (Sobol') sensitivity analysis: sample -> evaluate -> analyse.

Which uncertain inputs of a scoring (raters' entries, weights, and discrete methodological
choices such as the normalisation method) drive an output such as a mission's score, its rank
or the mean absolute rank shift? Following SALib [6]_, the analysis is three separate steps
over one problem specification, so that samples and model runs can be kept and reused:

1. :func:`sample_sobol`: the Saltelli design [3]_ [4]_ on a scrambled Sobol' sequence
   (``SALib.sample.sobol.sample``), ``n * (d + 2)`` rows (``n * (2d + 2)`` with second order);
2. :func:`evaluate`: the model on every row, in chunks, reduced to one number per run and
   output by an *output selector* (:func:`score_of`, :func:`rank_of`, :func:`mean_rank_shift`
   or any callable);
3. :func:`analyse_sobol`: first-order and total indices with bootstrap confidence intervals
   (``SALib.analyze.sobol.analyze``: Saltelli et al. 2010 [4]_ for S1, Jansen 1999 [5]_ for ST).

:func:`sensitivity` runs the three steps and returns a :class:`SensitivityResult` that keeps
the samples and outputs. The estimators are SALib's, not re-implemented here; ``docs/
sensitivity.md`` states exactly which ones and how to read S1 and ST.

Every model is a :class:`UnitModel`: it names its factors, says which are discrete choices
among ``k`` options, and maps points of the unit hypercube to outputs. A discrete factor is
sampled as a continuous ``u`` in [0, 1) and the model picks option ``floor(u * k)``
(:func:`choice_index`); with ``u`` uniform, each option has probability ``1 / k``.

References
----------
.. [1] Sobol', I. M. (1993). Sensitivity estimates for nonlinear mathematical models.
   *Mathematical Modelling and Computational Experiments*, 1(4), 407-414.
.. [2] Sobol', I. M. (2001). Global sensitivity indices for nonlinear mathematical models and
   their Monte Carlo estimates. *Mathematics and Computers in Simulation*, 55(1-3), 271-280.
.. [3] Saltelli, A. (2002). Making best use of model evaluations to compute sensitivity
   indices. *Computer Physics Communications*, 145(2), 280-297.
.. [4] Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., & Tarantola, S. (2010).
   Variance based sensitivity analysis of model output. Design and estimator for the total
   sensitivity index. *Computer Physics Communications*, 181(2), 259-270.
.. [5] Jansen, M. J. W. (1999). Analysis of variance designs for model output. *Computer
   Physics Communications*, 117(1-2), 35-43.
.. [6] Herman, J., & Usher, W. (2017). SALib: An open-source Python library for sensitivity
   analysis. *Journal of Open Source Software*, 2(9), 97; Iwanaga, T., Usher, W., & Herman, J.
   (2022). Toward SALib 2.0. *Socio-Environmental Systems Modelling*, 4, 18155.
.. [7] Saisana, M., Saltelli, A., & Tarantola, S. (2005). Uncertainty and sensitivity analysis
   techniques as tools for the quality assessment of composite indicators. *Journal of the
   Royal Statistical Society A*, 168(2), 307-323 (the average shift in ranks, R_S).
.. [8] Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall
   (section 13.2: the standard normal bootstrap interval).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast, runtime_checkable

import numpy as np
import pandas as pd

from missionlens.errors import ArgumentError
from missionlens.periods import sort_periods
from missionlens.suggest import did_you_mean

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "SECOND_ORDER_COLUMNS",
    "SENSITIVITY_COLUMNS",
    "OutputSelector",
    "ProfileModel",
    "SensitivityProblem",
    "SensitivityResult",
    "UnitModel",
    "analyse_sobol",
    "choice_index",
    "evaluate",
    "mean_rank_shift",
    "rank_of",
    "rank_scores",
    "sample_sobol",
    "score_of",
    "sensitivity",
]

#: Columns of :func:`analyse_sobol`'s table (:attr:`SensitivityResult.indices`), in order.
SENSITIVITY_COLUMNS: tuple[str, ...] = (
    "output",
    "input",
    "levels",
    "S1",
    "S1_conf",
    "S1_low",
    "S1_high",
    "ST",
    "ST_conf",
    "ST_low",
    "ST_high",
    "note",
)

#: Columns of the second-order table (:attr:`SensitivityResult.second_order`), in order.
SECOND_ORDER_COLUMNS: tuple[str, ...] = ("output", "input_1", "input_2", "S2", "S2_conf")

#: Rows of the design evaluated per call of ``model.evaluate_unit`` by default.
DEFAULT_CHUNK = 1024

SeedLike = int | np.random.SeedSequence | np.random.Generator | None


# --------------------------------------------------------------------------- the model protocol
@runtime_checkable
class UnitModel(Protocol):
    """What :func:`evaluate` and :func:`sensitivity` need of a model.

    Attributes
    ----------
    factor_names : tuple of str
        One name per uncertain input (or group of inputs varied together), in column order of
        the points given to :meth:`evaluate_unit`.
    factor_levels : tuple of (int or None)
        Per factor: ``None`` for a continuous input, read from ``u`` in [0, 1); ``k`` for a
        discrete choice among ``k`` options, option ``floor(u * k)`` (:func:`choice_index`).
    """

    @property
    def factor_names(self) -> tuple[str, ...]: ...

    @property
    def factor_levels(self) -> tuple[int | None, ...]: ...

    def evaluate_unit(self, x: np.ndarray) -> np.ndarray:
        """The outputs at points ``x`` (n, d) of [0, 1)^d: an array (n, ...) of floats."""
        ...


@runtime_checkable
class ProfileModel(UnitModel, Protocol):
    """A :class:`UnitModel` whose outputs are scores (n, units, nodes): what the output
    selectors :func:`score_of`, :func:`rank_of` and :func:`mean_rank_shift` need.

    Attributes
    ----------
    units : pandas.DataFrame
        One row per scored unit, in the order of the outputs' axis 1, with at least the columns
        ``mission``, ``period`` and ``phase``.
    nodes : tuple of str
        The node ids, in the order of the outputs' axis 2.
    nominal : numpy.ndarray
        The scores (units, nodes) with every input at its nominal value (the published
        profile), against which rank shifts are measured.
    """

    @property
    def units(self) -> pd.DataFrame: ...

    @property
    def nodes(self) -> tuple[str, ...]: ...

    @property
    def nominal(self) -> np.ndarray: ...


def choice_index(u: np.ndarray, levels: int) -> NDArray[np.int64]:
    """The option picked by a discrete factor: ``floor(u * levels)``, clipped to ``levels - 1``.

    With ``u`` uniform on [0, 1) every option has probability ``1 / levels``. The clip only
    matters for ``u == 1.0`` exactly (a Sobol' sample never holds it, a hand-made one may).

    Examples
    --------
    >>> choice_index(np.array([0.0, 0.49, 0.5, 0.99, 1.0]), 2)
    array([0, 0, 1, 1, 1])
    """
    if isinstance(levels, bool) or not isinstance(levels, int | np.integer) or levels < 1:
        raise ArgumentError(f"choice_index: levels must be an integer >= 1, not {levels!r}")
    idx = np.floor(np.asarray(u, dtype=np.float64) * int(levels)).astype(np.int64)
    return np.clip(idx, 0, int(levels) - 1)


# ----------------------------------------------------------------------------------- problem
@dataclass(frozen=True)
class SensitivityProblem:
    """The uncertain inputs of a sensitivity analysis: names, bounds and levels.

    Parameters
    ----------
    names : sequence of str
        One unique, non-empty name per input.
    bounds : sequence of (float, float), optional
        Lower and upper bound of each input's uniform distribution; default (0, 1) for all.
        A discrete input must keep (0, 1): its model reads ``floor(u * k)``.
    levels : sequence of (int or None), optional
        ``None`` for a continuous input, ``k >= 1`` for a discrete choice among ``k``
        options; default all continuous.

    Raises
    ------
    ArgumentError
        Listing every problem at once (duplicate or empty names, lengths that differ, bounds
        not finite or not increasing, levels not a positive integer, a discrete input with
        bounds other than (0, 1)).
    """

    names: tuple[str, ...]
    bounds: tuple[tuple[float, float], ...] = ()
    levels: tuple[int | None, ...] = ()

    def __post_init__(self) -> None:
        problems: list[str] = []
        names = _as_tuple(self.names, "names", problems)
        d = len(names)
        raw_bounds = _as_tuple(self.bounds, "bounds", problems) or ((0.0, 1.0),) * d
        raw_levels = _as_tuple(self.levels, "levels", problems) or (None,) * d
        if d == 0:
            problems.append("names: at least one input is needed")
        seen: set[str] = set()
        for i, name in enumerate(names):
            if not isinstance(name, str) or not name.strip():
                problems.append(f"names[{i}]: a non-empty text name is needed, not {name!r}")
            elif name in seen:
                problems.append(f"names[{i}]: {name!r} appears more than once")
            if isinstance(name, str):
                seen.add(name)
        for label, values in (("bounds", raw_bounds), ("levels", raw_levels)):
            if len(values) != d:
                problems.append(f"{label}: {len(values)} given for {d} names")
        bounds: list[tuple[float, float]] = []
        for i, pair in enumerate(raw_bounds):
            try:
                low, high = (float(v) for v in pair)
            except (TypeError, ValueError):
                problems.append(f"bounds[{i}]: a pair (lower, upper) of numbers, not {pair!r}")
                bounds.append((0.0, 1.0))
                continue
            if not (math.isfinite(low) and math.isfinite(high) and low < high):
                problems.append(f"bounds[{i}]: finite lower < upper expected, not {pair!r}")
            bounds.append((low, high))
        levels: list[int | None] = []
        for i, k in enumerate(raw_levels):
            if k is None:
                levels.append(None)
                continue
            if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
                problems.append(f"levels[{i}]: None or an integer >= 1 expected, not {k!r}")
                levels.append(None)
                continue
            levels.append(int(k))
            if i < len(bounds) and bounds[i] != (0.0, 1.0):
                problems.append(
                    f"bounds[{i}]: input {names[i] if i < d else i!r} is a discrete choice "
                    f"among {k} options, read as floor(u * {k}) from u in [0, 1): its bounds "
                    f"must be (0, 1), not {bounds[i]}"
                )
        if problems:
            raise ArgumentError(
                f"SensitivityProblem: {len(problems)} problem(s):\n  " + "\n  ".join(problems)
            )
        object.__setattr__(self, "names", tuple(names))
        object.__setattr__(self, "bounds", tuple(bounds))
        object.__setattr__(self, "levels", tuple(levels))

    @property
    def d(self) -> int:
        """The number of inputs."""
        return len(self.names)

    @classmethod
    def from_model(cls, model: UnitModel) -> SensitivityProblem:
        """The problem of a :class:`UnitModel`: its factors on [0, 1) with their levels."""
        missing = [
            a for a in ("factor_names", "factor_levels", "evaluate_unit") if not hasattr(model, a)
        ]
        if missing:
            raise ArgumentError(
                f"SensitivityProblem.from_model: {type(model).__name__} is not a UnitModel; "
                f"it lacks {', '.join(missing)} (see missionlens.analysis.sensitivity.UnitModel)"
            )
        return cls(names=tuple(model.factor_names), levels=tuple(model.factor_levels))

    def to_salib(self) -> dict[str, Any]:
        """SALib's problem dictionary: ``num_vars``, ``names`` and ``bounds`` (lists).

        The levels are not part of SALib's format (the model reads them); pass them back to
        :meth:`from_salib` to restore them.
        """
        return {
            "num_vars": self.d,
            "names": list(self.names),
            "bounds": [list(b) for b in self.bounds],
        }

    @classmethod
    def from_salib(
        cls, problem: Mapping[str, Any], levels: Sequence[int | None] = ()
    ) -> SensitivityProblem:
        """A problem from SALib's dictionary (``names``, ``bounds``, optional ``num_vars``).

        Uniform inputs only: a ``dists`` entry other than all ``"unif"``, or ``groups`` (make
        each group one factor of the model instead), is refused rather than ignored.
        """
        if not isinstance(problem, Mapping):
            raise ArgumentError(
                f"SensitivityProblem.from_salib: a dict is expected, not {type(problem).__name__}"
            )
        problems: list[str] = []
        for key in ("names", "bounds"):
            if key not in problem:
                problems.append(f"{key!r} is missing")
        if problem.get("groups") is not None:
            problems.append("'groups' are not supported: make each group one factor")
        dists = problem.get("dists")
        if dists is not None and any(dist != "unif" for dist in dists):
            problems.append(f"only uniform inputs are supported, 'dists' is {list(dists)}")
        num_vars = problem.get("num_vars")
        if num_vars is not None and "names" in problem and num_vars != len(problem["names"]):
            problems.append(f"'num_vars' is {num_vars} but {len(problem['names'])} names given")
        if problems:
            raise ArgumentError(
                "SensitivityProblem.from_salib: "
                + "; ".join(problems)
                + f" (got {dict(problem)!r})"
            )
        return cls(
            names=tuple(problem["names"]),
            bounds=tuple(tuple(b) for b in problem["bounds"]),
            levels=tuple(levels),
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per input: ``input``, ``kind`` (continuous, discrete), ``levels``,
        ``lower``, ``upper``."""
        return pd.DataFrame(
            {
                "input": list(self.names),
                "kind": ["continuous" if k is None else "discrete" for k in self.levels],
                "levels": pd.array(self.levels, dtype="Int64"),
                "lower": [b[0] for b in self.bounds],
                "upper": [b[1] for b in self.bounds],
            }
        )


def _as_tuple(value: object, name: str, problems: list[str]) -> tuple[Any, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence | np.ndarray):
        problems.append(f"{name}: a sequence is expected, not {type(value).__name__}")
        return ()
    return tuple(value)


# ------------------------------------------------------------------------------------ sample
def _generator(seed: SeedLike, where: str) -> np.random.Generator:
    """A NumPy generator from ``seed`` (an int >= 0, a SeedSequence, a Generator or None)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0
    ):
        raise ArgumentError(
            f"{where}: seed must be a non-negative integer, a numpy SeedSequence or Generator, "
            f"or None (fresh entropy, not reproducible); got {seed!r}"
        )
    return np.random.default_rng(None if seed is None else int(seed))


def _check_problem(problem: object, where: str) -> SensitivityProblem:
    if not isinstance(problem, SensitivityProblem):
        raise ArgumentError(
            f"{where}: problem must be a SensitivityProblem (SensitivityProblem.from_model(model) "
            f"or SensitivityProblem.from_salib(dict)), not {type(problem).__name__}"
        )
    return problem


def _check_n(n: object, where: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise ArgumentError(f"{where}: n must be an integer >= 2 (a power of 2), not {n!r}")
    n = int(n)
    if n & (n - 1):
        low = 1 << (n.bit_length() - 1)
        raise ArgumentError(
            f"{where}: n must be a power of 2 (the Sobol' sequence keeps its balance properties "
            f"only then, and SALib's estimators assume it); got {n}, use {low} or {low * 2}"
        )
    return n


def sample_sobol(
    problem: SensitivityProblem,
    n: int,
    *,
    seed: SeedLike,
    second_order: bool = False,
    scramble: bool = True,
) -> NDArray[np.float64]:
    """The Saltelli design on a Sobol' sequence: ``n * (d + 2)`` points of the inputs.

    Calls ``SALib.sample.sobol.sample`` [3]_ [4]_ [6]_: a Sobol' sequence of dimension ``2d``
    (scrambled by default, LMS and digital shift, with ``seed``) gives two base matrices A and
    B (n, d); for each input j, ``AB_j`` is A with column j from B. Rows come in blocks of
    ``d + 2`` per base point: A, AB_1 ... AB_d, B (with ``second_order``, also BA_1 ... BA_d
    before B: blocks of ``2d + 2``). Inputs are scaled to their bounds.

    Parameters
    ----------
    problem : SensitivityProblem
        The inputs.
    n : int
        Base sample size N, a power of 2 (>= 2). Any other value is refused, naming the two
        nearest powers: the Sobol' sequence is balanced only for powers of 2 (SciPy warns and
        the estimates converge more slowly otherwise).
    seed : int, SeedSequence, Generator or None
        Seed of the scrambling; required, so that every analysis states how to repeat it.
        ``None`` draws fresh entropy (not reproducible).
    second_order : bool
        Add the BA_j blocks needed for second-order indices (``2d + 2`` runs per base point).
    scramble : bool
        Scramble the sequence (recommended; without it, the points are deterministic and
        ``seed`` has no effect).

    Returns
    -------
    numpy.ndarray
        The points (n * (d + 2), d), or (n * (2d + 2), d) with ``second_order``.
    """
    from SALib.sample import sobol as salib_sample  # SciPy and SALib load in about a second

    problem = _check_problem(problem, "sample_sobol")
    n = _check_n(n, "sample_sobol")
    rng = _generator(seed, "sample_sobol")
    x = salib_sample.sample(
        problem.to_salib(),
        n,
        calc_second_order=bool(second_order),
        scramble=bool(scramble),
        seed=rng,
    )
    return np.asarray(x, dtype=np.float64)


# --------------------------------------------------------------------------------- evaluate
class OutputSelector(Protocol):
    """An output selector: named, bound to a model, then applied to each chunk of outputs."""

    @property
    def name(self) -> str: ...

    def bind(self, model: UnitModel) -> Callable[[np.ndarray], np.ndarray]:
        """A function of a chunk of outputs (m, *shape) that returns one value per run (m,)."""
        ...


def rank_scores(
    scores: np.ndarray, groups: Sequence[object] | np.ndarray | None = None
) -> NDArray[np.float64]:
    """Ranks of units on the last axis: 1 for the highest score, ties share their average rank.

    The one rank definition of missionlens's uncertainty and sensitivity analyses (the
    uncertainty engine ranks with this function too). Missing scores (NaN) are not ranked and
    do not count: the ranks of the others run from 1 to their number. With ``groups``, units
    are ranked within each group (missions within a period).

    Parameters
    ----------
    scores : numpy.ndarray
        Scores (..., units); leading axes (runs) are ranked independently.
    groups : sequence, optional
        One label per unit (e.g. its period).

    Returns
    -------
    numpy.ndarray
        Float ranks of the same shape, NaN where the score is NaN.

    Notes
    -----
    ``scipy.stats.rankdata(-x, method="average", nan_policy="omit")`` on each group; the same
    as pandas ``rank(method="average", ascending=False)``. :meth:`missionlens.Profiles.rank`
    gives tied missions the best rank instead (``method="min"``), as league tables do; the
    average keeps the mean rank of a group fixed, which rank shifts need.

    Examples
    --------
    >>> rank_scores(np.array([0.2, 0.9, 0.5, 0.9, np.nan]))
    array([4. , 1.5, 3. , 1.5, nan])
    """
    from scipy.stats import rankdata

    arr = np.asarray(scores, dtype=np.float64)
    if arr.ndim == 0:
        raise ArgumentError("rank_scores: scores must have a units axis (the last axis)")
    if groups is None:
        return np.asarray(
            rankdata(-arr, method="average", axis=-1, nan_policy="omit"), dtype=np.float64
        )
    labels = np.asarray(groups, dtype=object)
    if labels.shape != (arr.shape[-1],):
        raise ArgumentError(
            f"rank_scores: one group label per unit expected ({arr.shape[-1]}), "
            f"got shape {labels.shape}"
        )
    out = np.full(arr.shape, np.nan)
    for label in pd.unique(labels):
        cols = np.flatnonzero(labels == label)
        out[..., cols] = rankdata(-arr[..., cols], method="average", axis=-1, nan_policy="omit")
    return out


def _profile_parts(model: object, selector: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    missing = [a for a in ("units", "nodes", "nominal") if not hasattr(model, a)]
    if missing:
        raise ArgumentError(
            f"{selector}: the model must expose units (a DataFrame with mission, period, phase), "
            f"nodes and nominal (see ProfileModel); {type(model).__name__} lacks "
            + ", ".join(missing)
        )
    units = model.units  # type: ignore[attr-defined]
    nodes = tuple(model.nodes)  # type: ignore[attr-defined]
    absent = [c for c in ("mission", "period", "phase") if c not in getattr(units, "columns", ())]
    if not isinstance(units, pd.DataFrame) or absent:
        raise ArgumentError(
            f"{selector}: model.units must be a DataFrame with the columns mission, period and "
            f"phase; missing {', '.join(absent) or type(units).__name__}"
        )
    return units.reset_index(drop=True), nodes


def _node_index(nodes: tuple[str, ...], node: str, selector: str) -> int:
    if node not in nodes:
        raise ArgumentError(
            f"{selector}: no node {node!r} in the model's nodes{did_you_mean(node, nodes)} "
            f"(nodes: {', '.join(nodes[:10])}{' ...' if len(nodes) > 10 else ''})"
        )
    return nodes.index(node)


def _unit_index(units: pd.DataFrame, mission: str, period: str | None, selector: str) -> int:
    missions = units["mission"].astype(str)
    if mission not in set(missions):
        raise ArgumentError(
            f"{selector}: no mission {mission!r} in the model's units"
            f"{did_you_mean(mission, sorted(set(missions)))}"
        )
    rows = units[missions == mission]
    if period is not None:
        rows = rows[rows["period"].astype(str) == str(period)]
        if rows.empty:
            have = ", ".join(sort_periods(units.loc[missions == mission, "period"].astype(str)))
            raise ArgumentError(
                f"{selector}: mission {mission!r} has no unit in period {period!r} "
                f"(its periods: {have})"
            )
    if len(rows) > 1:
        have = ", ".join(f"{p}/{h}" for p, h in zip(rows["period"], rows["phase"], strict=True))
        raise ArgumentError(
            f"{selector}: mission {mission!r} has {len(rows)} units (period/phase: {have}); "
            f"name the period"
        )
    return int(rows.index[0])


def _scores(chunk: np.ndarray, width: tuple[int, int], selector: str) -> np.ndarray:
    if chunk.ndim != 3 or chunk.shape[1:] != width:
        raise ArgumentError(
            f"{selector}: the model's outputs must be scores (runs, units, nodes) = "
            f"(m, {width[0]}, {width[1]}), got shape {chunk.shape}"
        )
    return chunk


@dataclass(frozen=True)
class _ScoreOf:
    mission: str
    node: str
    period: str | None = None

    @property
    def name(self) -> str:
        where = f" {self.period}" if self.period is not None else ""
        return f"score {self.mission}{where} {self.node}"

    def bind(self, model: UnitModel) -> Callable[[np.ndarray], np.ndarray]:
        units, nodes = _profile_parts(model, "score_of")
        j = _node_index(nodes, self.node, "score_of")
        u = _unit_index(units, self.mission, self.period, "score_of")
        width = (len(units), len(nodes))
        return lambda chunk: _scores(chunk, width, "score_of")[:, u, j]


@dataclass(frozen=True)
class _RankOf:
    mission: str
    node: str
    period: str | None = None

    @property
    def name(self) -> str:
        where = f" {self.period}" if self.period is not None else ""
        return f"rank {self.mission}{where} {self.node}"

    def bind(self, model: UnitModel) -> Callable[[np.ndarray], np.ndarray]:
        units, nodes = _profile_parts(model, "rank_of")
        j = _node_index(nodes, self.node, "rank_of")
        u = _unit_index(units, self.mission, self.period, "rank_of")
        peers = np.flatnonzero(units["period"].astype(str) == str(units.loc[u, "period"]))
        pos = int(np.flatnonzero(peers == u)[0])
        width = (len(units), len(nodes))

        def select(chunk: np.ndarray) -> np.ndarray:
            scores = _scores(chunk, width, "rank_of")[:, peers, j]
            return rank_scores(scores)[:, pos]

        return select


@dataclass(frozen=True)
class _MeanRankShift:
    node: str
    period: str | None = None

    @property
    def name(self) -> str:
        where = f" {self.period}" if self.period is not None else ""
        return f"mean rank shift{where} {self.node}"

    def bind(self, model: UnitModel) -> Callable[[np.ndarray], np.ndarray]:
        units, nodes = _profile_parts(model, "mean_rank_shift")
        j = _node_index(nodes, self.node, "mean_rank_shift")
        periods = units["period"].astype(str).to_numpy()
        keep = np.arange(len(units))
        if self.period is not None:
            keep = np.flatnonzero(periods == str(self.period))
            if keep.size == 0:
                raise ArgumentError(
                    f"mean_rank_shift: no unit in period {self.period!r} "
                    f"(periods: {', '.join(sort_periods(periods))})"
                )
        nominal = np.asarray(model.nominal, dtype=np.float64)  # type: ignore[attr-defined]
        width = (len(units), len(nodes))
        if nominal.shape != width:
            raise ArgumentError(
                f"mean_rank_shift: model.nominal must be (units, nodes) = {width}, "
                f"got {nominal.shape}"
            )
        labels = periods[keep]
        reference = rank_scores(nominal[keep, j], labels)

        def select(chunk: np.ndarray) -> np.ndarray:
            ranks = rank_scores(_scores(chunk, width, "mean_rank_shift")[:, keep, j], labels)
            shift = np.abs(ranks - reference)
            counted = np.isfinite(shift).sum(axis=1)
            total = np.where(np.isfinite(shift), shift, 0.0).sum(axis=1)
            return np.divide(total, counted, out=np.full(total.shape, np.nan), where=counted > 0)

        return select


def score_of(mission: str, node: str, *, period: str | None = None) -> OutputSelector:
    """Output selector: the score of ``mission`` at ``node`` in each run.

    Needs a :class:`ProfileModel` (outputs (n, units, nodes)); ``period`` is required when the
    mission has units in several periods.
    """
    return _ScoreOf(str(mission), str(node), None if period is None else str(period))


def rank_of(mission: str, node: str, *, period: str | None = None) -> OutputSelector:
    """Output selector: the rank of ``mission`` at ``node`` among the units of its period.

    1 for the highest score, ties sharing their average rank, units without a score not
    ranked (:func:`rank_scores`). Needs a :class:`ProfileModel`.
    """
    return _RankOf(str(mission), str(node), None if period is None else str(period))


def mean_rank_shift(node: str, *, period: str | None = None) -> OutputSelector:
    r"""Output selector: the mean absolute shift of the units' ranks from the nominal ranks.

    :math:`\bar R_S = \frac{1}{M}\sum_{c=1}^{M} |\mathrm{Rank}_{ref}(c) - \mathrm{Rank}(c)|`
    (the average shift in ranks of Saisana, Saltelli & Tarantola 2005 [7]_), ranks within each
    period (:func:`rank_scores`), the reference being ``model.nominal``. Units of ``period`` only
    when it is given; a unit without a score in the run or in the reference is left out of
    the mean (M counts the units ranked in both). Needs a :class:`ProfileModel`.
    """
    return _MeanRankShift(str(node), None if period is None else str(period))


@dataclass(frozen=True)
class _Callable:
    name: str
    fn: Callable[[np.ndarray], np.ndarray]

    def bind(self, model: UnitModel) -> Callable[[np.ndarray], np.ndarray]:
        return self.fn


@dataclass(frozen=True)
class _Named:
    name: str
    inner: OutputSelector

    def bind(self, model: UnitModel) -> Callable[[np.ndarray], np.ndarray]:
        return self.inner.bind(model)


def _selector(output: object, where: str) -> OutputSelector:
    if hasattr(output, "bind") and hasattr(output, "name"):
        return output  # type: ignore[return-value]
    if callable(output):
        return _Callable(str(getattr(output, "__name__", "output")), output)
    raise ArgumentError(
        f"{where}: an output must be a callable of the model's output array (runs first) "
        "returning one value per run, or a selector (score_of, rank_of, mean_rank_shift); "
        f"got {type(output).__name__}"
    )


def _selectors(output: object) -> list[OutputSelector]:
    """The named selectors of ``output``: None, one output, or a list or dict of them."""
    if output is None:
        return [_Callable("output", lambda chunk: chunk)]
    if isinstance(output, Mapping):
        found: list[OutputSelector] = [
            _Named(str(key), _selector(value, f"output[{key!r}]")) for key, value in output.items()
        ]
    elif isinstance(output, list | tuple):
        found = [_selector(value, f"output[{i}]") for i, value in enumerate(output)]
    else:
        found = [_selector(output, "output")]
    if not found:
        raise ArgumentError("evaluate: output is empty; name at least one output")
    names = [s.name for s in found]
    dup = sorted({x for x in names if names.count(x) > 1})
    if dup:
        raise ArgumentError(
            f"evaluate: outputs named more than once: {', '.join(dup)}; pass a dict "
            "{name: output} to name them"
        )
    return found


def evaluate(
    model: UnitModel,
    x: np.ndarray,
    *,
    output: object = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> pd.DataFrame:
    """Run ``model`` on every point of ``x`` and reduce each run to its outputs.

    ``model.evaluate_unit`` is called on chunks of ``chunk_size`` rows (bounded memory: a
    chunk of 1,024 runs of 50 units x 80 nodes is 33 MB), and each output selector is applied
    to each chunk.

    Parameters
    ----------
    model : UnitModel
        The model; its ``evaluate_unit`` reads points of [0, 1)^d.
    x : numpy.ndarray
        Points (runs, d) in [0, 1], one column per ``model.factor_names`` (from
        :func:`sample_sobol` on :meth:`SensitivityProblem.from_model`). Points outside [0, 1]
        are refused, not clipped: they come from a problem with other bounds, meant for
        another model.
    output : callable, selector, list or dict of them, optional
        What is analysed, one number per run:

        * ``None``: the model's output itself, which must then be one number per run (n,);
        * a callable of a chunk of model outputs (m, ...) returning (m,) (named after its
          ``__name__``);
        * a selector of a :class:`ProfileModel`: :func:`score_of`, :func:`rank_of`,
          :func:`mean_rank_shift`;
        * a list of these, or a dict ``{name: output}``, to analyse several outputs of the
          same model runs.
    chunk_size : int
        Runs per call of ``model.evaluate_unit``.

    Returns
    -------
    pandas.DataFrame
        One row per run (in the order of ``x``), one float column per output. Missing values
        (NaN) are kept: :func:`analyse_sobol` reports them.

    Raises
    ------
    ArgumentError
        For ``x`` of the wrong shape or outside [0, 1], a selector that does not fit the model
        (unknown mission or node, with a suggestion), or a model or selector that returns
        the wrong number of values.
    """
    names = _model_names(model, "evaluate")
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != len(names) or arr.shape[0] == 0:
        raise ArgumentError(
            f"evaluate: x must be (runs, {len(names)}) points, one column per factor "
            f"({', '.join(names)}); got shape {arr.shape}"
        )
    bad = ~((arr >= 0.0) & (arr <= 1.0))
    if bad.any():
        cols = [names[j] for j in np.flatnonzero(bad.any(axis=0))]
        raise ArgumentError(
            f"evaluate: {int(bad.sum())} values of x outside [0, 1] (or missing), in "
            f"{', '.join(cols)}; evaluate_unit reads points of the unit cube "
            "(sample with SensitivityProblem.from_model(model))"
        )
    if (
        isinstance(chunk_size, bool)
        or not isinstance(chunk_size, int | np.integer)
        or chunk_size < 1
    ):
        raise ArgumentError(f"evaluate: chunk_size must be an integer >= 1, not {chunk_size!r}")
    selectors = _selectors(output)
    bound = [s.bind(model) for s in selectors]
    n = arr.shape[0]
    out = np.empty((n, len(selectors)))
    for start in range(0, n, int(chunk_size)):
        stop = min(n, start + int(chunk_size))
        chunk = np.asarray(model.evaluate_unit(arr[start:stop]), dtype=np.float64)
        if chunk.ndim == 0 or chunk.shape[0] != stop - start:
            raise ArgumentError(
                f"evaluate: {type(model).__name__}.evaluate_unit returned shape {chunk.shape} "
                f"for {stop - start} points; one output per point (first axis) is expected"
            )
        for k, (selector, fn) in enumerate(zip(selectors, bound, strict=True)):
            values = np.asarray(fn(chunk), dtype=np.float64)
            if values.shape != (stop - start,):
                raise ArgumentError(
                    f"evaluate: output {selector.name!r} gave shape {values.shape} for "
                    f"{stop - start} runs; one number per run is expected (model output shape "
                    f"{chunk.shape}; pass a selector or a callable that reduces it)"
                )
            out[start:stop, k] = values
    return pd.DataFrame(out, columns=pd.Index([s.name for s in selectors], dtype=object))


def _model_names(model: object, where: str) -> tuple[str, ...]:
    missing = [
        a for a in ("factor_names", "factor_levels", "evaluate_unit") if not hasattr(model, a)
    ]
    if missing:
        raise ArgumentError(
            f"{where}: {type(model).__name__} is not a UnitModel; it lacks "
            f"{', '.join(missing)} (see missionlens.analysis.sensitivity.UnitModel)"
        )
    return tuple(model.factor_names)  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------- analyse
def _outputs(y: object, where: str) -> pd.DataFrame:
    """``y`` as a float DataFrame, one column per output."""
    if isinstance(y, pd.DataFrame):
        frame = y.copy()
    elif isinstance(y, pd.Series):
        frame = y.to_frame("output" if y.name is None else str(y.name))
    else:
        arr = np.asarray(y)
        if arr.ndim == 1:
            frame = pd.DataFrame({"output": arr})
        elif arr.ndim == 2:
            frame = pd.DataFrame(arr, columns=[f"output_{k}" for k in range(arr.shape[1])])
        else:
            raise ArgumentError(
                f"{where}: Y must be (runs,) or (runs, outputs), or a DataFrame with one column "
                f"per output; got shape {arr.shape}"
            )
    frame.columns = pd.Index([str(c) for c in frame.columns], dtype=object)
    try:
        return frame.astype(np.float64).reset_index(drop=True)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(f"{where}: Y must hold numbers ({exc})") from None


def _base_n(problem: SensitivityProblem, rows: int, second_order: bool, where: str) -> int:
    block = 2 * problem.d + 2 if second_order else problem.d + 2
    n = rows // block
    if rows % block or n < 2 or n & (n - 1):
        other = problem.d + 2 if second_order else 2 * problem.d + 2
        hint = (
            f"; {rows} runs fit the design {'without' if second_order else 'with'} second order "
            f"(second_order={not second_order})"
            if rows % other == 0 and (rows // other) & (rows // other - 1) == 0
            else ""
        )
        raise ArgumentError(
            f"{where}: {rows} runs do not fit a Sobol' design of {problem.d} inputs "
            f"(n * {block} runs, n a power of 2 >= 2{', second order' if second_order else ''})"
            + hint
        )
    return n


def _check_settings(conf_level: object, num_resamples: object, where: str) -> tuple[float, int]:
    problems = []
    if (
        isinstance(conf_level, bool)
        or not isinstance(conf_level, float | int)
        or not 0 < conf_level < 1
    ):
        problems.append(f"conf_level must be a number in (0, 1), not {conf_level!r}")
    if (
        isinstance(num_resamples, bool)
        or not isinstance(num_resamples, int | np.integer)
        or num_resamples < 2
    ):
        problems.append(f"num_resamples must be an integer >= 2, not {num_resamples!r}")
    if problems:
        raise ArgumentError(f"{where}: " + "; ".join(problems))
    return float(cast(float, conf_level)), int(cast(int, num_resamples))


def _rng_factory(seed: SeedLike, where: str) -> Callable[[], np.random.Generator]:
    """Generators for the bootstrap of each output: the same stream for each output when
    ``seed`` is an int or a SeedSequence (an output's intervals do not depend on the others)."""
    if isinstance(seed, np.random.Generator):
        return lambda: seed
    _generator(seed, where)  # checks it
    sequence = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return lambda: np.random.default_rng(sequence)


@dataclass(frozen=True)
class _Analysis:
    indices: pd.DataFrame = field(repr=False)
    second_order: pd.DataFrame | None


def _analyse(
    problem: SensitivityProblem,
    y: object,
    *,
    second_order: bool,
    conf_level: float,
    num_resamples: int,
    seed: SeedLike,
    where: str,
) -> _Analysis:
    from SALib.analyze import sobol as salib_analyse  # SciPy and SALib load in about a second

    problem = _check_problem(problem, where)
    conf_level, num_resamples = _check_settings(conf_level, num_resamples, where)
    frame = _outputs(y, where)
    _base_n(problem, len(frame), bool(second_order), where)
    values = frame.to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        detail = "; ".join(
            f"{name!r}: {int(bad[:, k].sum())} runs (first rows {_first_rows(bad[:, k])})"
            for k, name in enumerate(frame.columns)
            if bad[:, k].any()
        )
        raise ArgumentError(
            f"{where}: outputs missing or not finite, which Sobol' estimators cannot use "
            f"(every run enters every index): {detail}. Choose an output defined in every run "
            "(e.g. a node scored whatever the inputs) or make the model give it a value"
        )
    rngs = _rng_factory(seed, where)
    salib_problem = problem.to_salib()
    rows: list[dict[str, Any]] = []
    pairs: list[dict[str, Any]] = []
    for k, name in enumerate(frame.columns):
        column = np.ascontiguousarray(values[:, k])
        if np.ptp(column) == 0.0:
            note = f"the output is {column[0]:g} in every run: no variance to apportion"
            si: dict[str, Any] = {
                key: np.full(problem.d, np.nan) for key in ("S1", "S1_conf", "ST", "ST_conf")
            }
            si["S2"] = si["S2_conf"] = np.full((problem.d, problem.d), np.nan)
        else:
            note = ""
            si = salib_analyse.analyze(
                salib_problem,
                column,
                calc_second_order=bool(second_order),
                num_resamples=num_resamples,
                conf_level=conf_level,
                seed=rngs(),
            )
        for j, input_name in enumerate(problem.names):
            s1, s1c, st, stc = (float(si[key][j]) for key in ("S1", "S1_conf", "ST", "ST_conf"))
            rows.append(
                {
                    "output": name,
                    "input": input_name,
                    "levels": problem.levels[j],
                    "S1": s1,
                    "S1_conf": s1c,
                    "S1_low": s1 - s1c,
                    "S1_high": s1 + s1c,
                    "ST": st,
                    "ST_conf": stc,
                    "ST_low": st - stc,
                    "ST_high": st + stc,
                    "note": note,
                }
            )
        if second_order:
            for j in range(problem.d):
                for m in range(j + 1, problem.d):
                    pairs.append(
                        {
                            "output": name,
                            "input_1": problem.names[j],
                            "input_2": problem.names[m],
                            "S2": float(si["S2"][j, m]),
                            "S2_conf": float(si["S2_conf"][j, m]),
                        }
                    )
    indices = pd.DataFrame(rows, columns=list(SENSITIVITY_COLUMNS))
    indices["levels"] = indices["levels"].astype("Int64")
    for col in ("output", "input", "note"):
        indices[col] = indices[col].astype(object)
    s2 = pd.DataFrame(pairs, columns=list(SECOND_ORDER_COLUMNS)) if second_order else None
    return _Analysis(indices, s2)


def _first_rows(mask: np.ndarray) -> str:
    return ", ".join(str(i) for i in np.flatnonzero(mask)[:5])


def analyse_sobol(
    problem: SensitivityProblem,
    y: object,
    *,
    second_order: bool = False,
    conf_level: float = 0.95,
    num_resamples: int = 1000,
    seed: SeedLike,
) -> pd.DataFrame:
    """First-order and total Sobol' indices of each output, with bootstrap intervals.

    Calls ``SALib.analyze.sobol.analyze`` [4]_ [5]_ [6]_ on each output (each column of
    ``y``). SALib standardises the output, then estimates, with A, B and AB_j the runs of
    the design (:func:`sample_sobol`) and V the variance of the A and B runs together:

    * ``S1_j = mean(f(B) * (f(AB_j) - f(A))) / V`` (Saltelli et al. 2010 [4]_, table 2 (b));
    * ``ST_j = mean((f(A) - f(AB_j))**2) / (2 V)`` (Jansen 1999 [5]_; Saltelli et al. 2010,
      table 2 (f)).

    The intervals come from ``num_resamples`` bootstrap resamples of the n base points
    (rows of A, B and AB_j drawn together, with replacement): ``S1_conf`` is
    ``z * sd`` of the resampled estimates with ``z = Phi^-1(0.5 + conf_level / 2)``, the
    **half-width** of a normal-approximation interval (Efron & Tibshirani 1993 [8]_, 13.2),
    not a percentile interval. ``S1_low`` / ``S1_high`` are ``S1 -/+ S1_conf``.

    Parameters
    ----------
    problem : SensitivityProblem
        The problem the design was sampled from.
    y : numpy.ndarray, pandas.Series or pandas.DataFrame
        The outputs of every run, in the order of the design: (runs,), or one column per
        output (a DataFrame from :func:`evaluate` names them).
    second_order : bool
        Whether the design was sampled with ``second_order=True`` (its runs are read
        differently). Second-order indices themselves are in :func:`sensitivity`'s result.
    conf_level : float
        Confidence level of the intervals, in (0, 1).
    num_resamples : int
        Bootstrap resamples (memory: about ``5 * 8 * n * num_resamples`` bytes at the peak,
        160 MB for n = 4,096 and 1,000 resamples).
    seed : int, SeedSequence, Generator or None
        Seed of the bootstrap; required. With an int or a SeedSequence each output gets the
        same resamples, so an output's intervals do not depend on which other outputs are
        analysed with it. ``seed=0`` works (SALib alone would ignore a seed of 0).

    Returns
    -------
    pandas.DataFrame
        One row per output and input, columns :data:`SENSITIVITY_COLUMNS`: ``output``,
        ``input``, ``levels`` (k of a discrete input, missing for a continuous one), ``S1``,
        ``S1_conf``, ``S1_low``, ``S1_high``, ``ST``, ``ST_conf``, ``ST_low``, ``ST_high``,
        ``note``. An output that is the same in every run has no variance to apportion: its
        indices are NaN and ``note`` says why (it is not dropped). Estimates are not clipped:
        Monte Carlo error can make an index slightly negative or above 1.

    Raises
    ------
    ArgumentError
        When the number of runs does not fit the design, or an output is missing or not
        finite in some runs (every such output is listed with its count and first rows).
    """
    return _analyse(
        problem,
        y,
        second_order=second_order,
        conf_level=conf_level,
        num_resamples=num_resamples,
        seed=seed,
        where="analyse_sobol",
    ).indices


# ------------------------------------------------------------------------------- one call
@dataclass(frozen=True)
class SensitivityResult:
    """What :func:`sensitivity` computed, samples and runs included for reuse.

    Attributes
    ----------
    indices : pandas.DataFrame
        The Sobol' indices (:func:`analyse_sobol`, columns :data:`SENSITIVITY_COLUMNS`).
    problem : SensitivityProblem
        The inputs.
    x : numpy.ndarray
        The design (runs, d) from :func:`sample_sobol`.
    y : pandas.DataFrame
        The outputs of every run (:func:`evaluate`), one column per output.
    second_order : pandas.DataFrame or None
        Second-order indices (columns :data:`SECOND_ORDER_COLUMNS`) when asked for.
    n : int
        The base sample size N (``len(x) == n * (d + 2)``, or ``n * (2d + 2)``).
    conf_level, num_resamples : float, int
        The bootstrap settings.
    seed : object
        The seed given.
    """

    indices: pd.DataFrame = field(repr=False)
    problem: SensitivityProblem
    x: np.ndarray = field(repr=False)
    y: pd.DataFrame = field(repr=False)
    second_order: pd.DataFrame | None = field(repr=False)
    n: int
    conf_level: float
    num_resamples: int
    seed: object

    @property
    def runs(self) -> int:
        """The number of model runs."""
        return int(self.x.shape[0])


def sensitivity(
    model: UnitModel,
    *,
    output: object = None,
    n: int,
    seed: SeedLike,
    second_order: bool = False,
    conf_level: float = 0.95,
    num_resamples: int = 1000,
    scramble: bool = True,
    chunk_size: int = DEFAULT_CHUNK,
) -> SensitivityResult:
    """Sobol' sensitivity analysis of a model in one call: sample, evaluate, analyse.

    :meth:`SensitivityProblem.from_model`, then :func:`sample_sobol`, :func:`evaluate` and
    :func:`analyse_sobol` (see them for the estimators, the interval and the checks).
    ``n * (d + 2)`` model runs (``n * (2d + 2)`` with ``second_order``).

    Parameters
    ----------
    model : UnitModel
        The model; discrete factors are read as ``floor(u * k)`` by the model.
    output : callable, selector, list or dict, optional
        What is analysed (see :func:`evaluate`): e.g. ``ml.score_of("MINUSMA", "root",
        period="2024-H1")``, ``ml.rank_of(...)``, ``ml.mean_rank_shift("root")``.
    n : int
        Base sample size, a power of 2.
    seed : int, SeedSequence, Generator or None
        Seed of both the design's scrambling and the bootstrap (two independent streams
        spawned from it); required. The same seed gives the same result.
    second_order : bool
        Also estimate second-order indices (``result.second_order``).
    conf_level, num_resamples : float, int
        Bootstrap settings (:func:`analyse_sobol`).
    scramble : bool
        Scramble the Sobol' sequence (:func:`sample_sobol`).
    chunk_size : int
        Runs per call of ``model.evaluate_unit``.

    Returns
    -------
    SensitivityResult
        ``indices`` and everything needed to reuse or extend the analysis.
    """
    _model_names(model, "sensitivity")
    problem = SensitivityProblem.from_model(model)
    if isinstance(seed, np.random.Generator):
        sample_seed: SeedLike = seed
        boot_seed: SeedLike = seed
    else:
        _generator(seed, "sensitivity")
        root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        sample_seed, boot_seed = root.spawn(2)
    conf_level, num_resamples = _check_settings(conf_level, num_resamples, "sensitivity")
    x = sample_sobol(problem, n, seed=sample_seed, second_order=second_order, scramble=scramble)
    y = evaluate(model, x, output=output, chunk_size=chunk_size)
    analysis = _analyse(
        problem,
        y,
        second_order=second_order,
        conf_level=conf_level,
        num_resamples=num_resamples,
        seed=boot_seed,
        where="sensitivity",
    )
    return SensitivityResult(
        indices=analysis.indices,
        problem=problem,
        x=x,
        y=y,
        second_order=analysis.second_order,
        n=int(n),
        conf_level=conf_level,
        num_resamples=num_resamples,
        seed=seed,
    )
