"""From mandate to exit: each mission's trajectory, the change between two periods, what moved.

Cairo 2018 frames performance "from mandate to exit" (finding 4: phased mandates with
benchmarks; finding 20: transition planning from the outset): analysts follow one mission over
its life. Three functions read a :class:`~missionlens.Profiles` along time:

* :func:`trajectories`: per mission, the scores of nodes across its periods, in period order;
* :func:`change`: the change between any two periods of each mission (``"2022"`` to
  ``"2024-H1"``, ``"first"`` to ``"last"``, ``"previous"`` to ``"last"``), marked as *real* where
  it exceeds its uncertainty when an :class:`~missionlens.UncertaintyResult` is given;
* :func:`decompose_change`: each indicator's contribution to a node's change, an exact additive
  decomposition (symmetric, Bennet 1920; Kitagawa 1955) for arithmetic means and its
  logarithmic form (Vartia 1976; Ang 2004) for geometric means.

Periods are ordered by :func:`_period_key` (start day, then end day, of
:func:`missionlens.periods.parse_period`), the one ordering of this module.

References
----------
Bennet, T. L. (1920). The theory of measurement of changes in cost of living. *Journal of the
Royal Statistical Society* 83(3), 455-462.
Kitagawa, E. M. (1955). Components of a difference between two rates. *Journal of the American
Statistical Association* 50(272), 1168-1194.
Diewert, W. E. (2005). Index number theory using differences rather than ratios. *American
Journal of Economics and Sociology* 64(1), 311-360.
Vartia, Y. O. (1976). Ideal log-change index numbers. *Scandinavian Journal of Statistics* 3(3),
121-126.
Ang, B. W. (2004). Decomposition analysis for policymaking in energy: which is the preferred
method? *Energy Policy* 32(9), 1131-1139.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from missionlens.errors import ArgumentError, MissionLensError
from missionlens.framework.model import Framework
from missionlens.periods import parse_period
from missionlens.scoring.profiles import Profiles
from missionlens.scoring.recipe import AggregateParams, Recipe, WeightParams
from missionlens.scoring.state import ScoringState
from missionlens.scoring.steps import STEPS, _node_rules
from missionlens.text import listing

__all__ = [
    "CHANGE_COLUMNS",
    "CHANGE_INTERVAL_COLUMNS",
    "DECOMPOSITION_COLUMNS",
    "TRAJECTORY_COLUMNS",
    "change",
    "decompose_change",
    "trajectories",
]

#: Columns of :func:`trajectories`, in order.
TRAJECTORY_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "phase",
    "period_start",
    "period_end",
    "position",
    "node",
    "node_type",
    "score",
    "coverage",
    "complete",
    "n_indicators",
    "change_previous",
    "lower",
    "upper",
)

#: Columns of :func:`change`, in order.
CHANGE_COLUMNS: tuple[str, ...] = (
    "mission",
    "period_start",
    "period_end",
    "phase_start",
    "phase_end",
    "node",
    "node_type",
    "score_start",
    "score_end",
    "change",
    "coverage_start",
    "coverage_end",
    "complete_start",
    "complete_end",
)

#: Columns :func:`change` adds with ``uncertainty=``.
CHANGE_INTERVAL_COLUMNS: tuple[str, ...] = ("change_lower", "change_upper", "n_compared", "real")

#: Columns of :func:`decompose_change`, in order.
DECOMPOSITION_COLUMNS: tuple[str, ...] = (
    "mission",
    "period_start",
    "period_end",
    "node",
    "indicator",
    "element_type",
    "parent",
    "depth",
    "method",
    "status",
    "score_start",
    "score_end",
    "weight_start",
    "weight_end",
    "score_part",
    "weight_part",
    "contribution",
    "total",
    "log_contribution",
    "note",
)

#: The period words of ``start=`` and ``end=``.
_WORDS = ("first", "last", "previous")

#: Tolerance of the checks that a node's score is what its children give (points of score).
_TOL = 1e-9


# ------------------------------------------------------------------------------ periods
@functools.lru_cache(maxsize=4096)
def _period_key(label: str) -> tuple[pd.Timestamp, pd.Timestamp, str]:
    """The sort key of a period label: its first day, then its last day, then the label.

    The one ordering of periods in this module (kept in one place so that it can call the
    shared ordering of :mod:`missionlens.periods` when there is one).
    """
    period = parse_period(label)
    return (period.start, period.end, period.label)


def _ordered(labels: Sequence[str]) -> list[str]:
    return sorted(dict.fromkeys(labels), key=_period_key)


def _canonical(label: object, argument: str, where: str) -> str:
    """The canonical label of a period given by the user, or an :class:`ArgumentError`."""
    try:
        return parse_period(label).label
    except ValueError as exc:
        raise ArgumentError(
            f"{where}: {argument}={label!r} is neither a period nor one of "
            f"{listing(_WORDS)} ({exc})"
        ) from None


def _resolve(periods: list[str], start: object, end: object, where: str) -> tuple[str, str] | str:
    """The (start, end) periods of one mission (``periods`` ordered), or why there are none."""

    def pick(value: object, argument: str) -> str | None:
        if isinstance(value, str) and value in ("first", "last"):
            return periods[0] if value == "first" else periods[-1]
        label = _canonical(value, argument, where)
        return label if label in periods else None

    p1 = pick(end, "end")
    if p1 is None:
        return f"no period {_canonical(end, 'end', where)}"
    if isinstance(start, str) and start == "previous":
        position = periods.index(p1)
        if position == 0:
            return f"no period before {p1}"
        return periods[position - 1], p1
    p0 = pick(start, "start")
    if p0 is None:
        return f"no period {_canonical(start, 'start', where)}"
    if p0 == p1:
        return f"one period only ({p0})"
    return p0, p1


def _check_period_words(start: object, end: object, where: str) -> None:
    if isinstance(end, str) and end == "previous":
        raise ArgumentError(
            f"{where}: end='previous' is not a period; 'previous' is a start (the period "
            "before end), e.g. start='previous', end='last'"
        )
    for name, value in (("start", start), ("end", end)):
        if not (isinstance(value, str) and value in _WORDS):
            _canonical(value, name, where)
    words = any(isinstance(v, str) and v in _WORDS for v in (start, end))
    if not words and _canonical(start, "start", where) == _canonical(end, "end", where):
        raise ArgumentError(
            f"{where}: start and end are the same period ({_canonical(start, 'start', where)})"
        )


# ------------------------------------------------------------------------------ tables
def _view_table(
    profiles: Profiles, view: str, where: str, mission: str | None = None
) -> pd.DataFrame:
    """The rows of one view (of one mission), text columns as Python strings (object)."""
    if not isinstance(profiles, Profiles):
        raise ArgumentError(
            f"{where}: profiles must be a Profiles (made by ml.score), not "
            f"{type(profiles).__name__}"
        )
    if not isinstance(view, str):
        raise ArgumentError(f"{where}: view must be text, not {type(view).__name__}")
    try:
        table = profiles.to_frame(view)
    except KeyError as exc:
        raise ArgumentError(f"{where}: {exc.args[0]}") from None
    names = table["mission"].astype(object)
    if mission is not None:
        if mission not in set(names):
            known = list(dict.fromkeys(names))
            raise ArgumentError(
                f"{where}: no mission {mission!r} in these profiles (missions: {listing(known)})"
            )
        table = table[(names == mission).to_numpy()]
    table = table.copy()
    for column in ("mission", "period", "phase", "node", "node_type"):
        values = table[column].astype(object)  # the categories are Python strings
        table[column] = values.where(values.notna(), None)
    for column in ("mission", "period", "node", "node_type"):
        table[column] = [str(v) for v in table[column]]
    if "lower" not in table.columns:
        table["lower"] = np.nan
        table["upper"] = np.nan
    return table


def _mission_periods(table: pd.DataFrame) -> dict[str, list[str]]:
    """Each mission's periods in period order (missions in the order of the table)."""
    units = table[["mission", "period"]].drop_duplicates()
    out: dict[str, list[str]] = {}
    for mission, period in zip(units["mission"].tolist(), units["period"].tolist(), strict=True):
        out.setdefault(mission, []).append(period)
    return {m: _ordered(p) for m, p in out.items()}


def _pick_nodes(table: pd.DataFrame, node: str | Sequence[str] | None, where: str) -> list[str]:
    known = list(dict.fromkeys(table["node"]))
    if node is None:
        types = dict(zip(table["node"], table["node_type"], strict=True))
        return [n for n in known if types[n] != "indicator"]
    wanted = [node] if isinstance(node, str) else list(node)
    if not all(isinstance(n, str) for n in wanted) or not wanted:
        raise ArgumentError(f"{where}: node must be a node id or a list of ids, not {node!r}")
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise ArgumentError(
            f"{where}: no node {listing(unknown)} in this view (nodes: {listing(known)})"
        )
    return wanted


def trajectories(
    profiles: Profiles,
    *,
    node: str | Sequence[str] | None = None,
    view: str = "tree",
    missions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per mission, node scores across its periods, in period order.

    Parameters
    ----------
    profiles : Profiles
        Scores of one or more missions over one or more periods (:func:`~missionlens.score`).
    node : str or list of str, optional
        The node(s) (or indicators) to follow; by default every node of the view (root,
        dimensions, sub-dimensions; no indicators).
    view : str
        ``"tree"`` (the performance composite, default), ``"context"`` (the context index) or a
        facet view, as :meth:`Profiles.to_frame` takes it.
    missions : list of str, optional
        The missions to follow (default: all, in the order of the profiles).

    Returns
    -------
    pandas.DataFrame
        Columns (:data:`TRAJECTORY_COLUMNS`) ``mission``, ``period``, ``phase``,
        ``period_start`` and ``period_end`` (first and last day of the period), ``position``
        (0 for the mission's first period, 1 for the next, ...), ``node``, ``node_type``,
        ``score``, ``coverage``, ``complete`` and ``n_indicators`` (as in
        :meth:`Profiles.to_frame`), ``change_previous`` (``score`` minus the score of the same
        node in the mission's previous period; ``NaN`` in its first period or where either is
        missing), ``lower`` and ``upper`` (the uncertainty interval of the score when the
        profiles carry one, :meth:`Profiles.with_intervals`; ``NaN`` otherwise). Sorted by
        mission (in the order of the profiles), period (by first then last day: ``2024``
        before ``2024-H2``, ``2023/24`` after ``2023``) and node (framework order).

    Examples
    --------
    >>> import missionlens as ml
    >>> fw = ml.load_framework("whole-of-mission")
    >>> data = pd.DataFrame({"mission": "A", "period": ["2024-H1", "2023"],
    ...                      "pol_strategy_anchor": [5, 3], "pol_good_offices": [4, 3],
    ...                      "pol_local_conflict": [4, 3]})
    >>> t = ml.trajectories(ml.score(data, framework=fw), node="pol_strategy")
    >>> t[["period", "score", "change_previous"]].round(1).to_dict("list")
    {'period': ['2023', '2024-H1'], 'score': [50.0, 83.3], 'change_previous': [nan, 33.3]}
    """
    where = "trajectories"
    table = _view_table(profiles, view, where)
    nodes = _pick_nodes(table, node, where)
    table = table[table["node"].isin(nodes)]
    order = _mission_periods(table)
    if missions is not None:
        chosen = _pick_missions(order, missions, where)
        order = {m: order[m] for m in chosen}
    rank = {m: i for i, m in enumerate(order)}
    table = table[table["mission"].isin(list(order))].copy()
    position = {(m, p): i for m, periods in order.items() for i, p in enumerate(periods)}
    table["position"] = [
        position[(m, p)] for m, p in zip(table["mission"], table["period"], strict=True)
    ]
    node_rank = {n: i for i, n in enumerate(nodes)}
    table["_m"] = table["mission"].map(rank)
    table["_n"] = table["node"].map(node_rank)
    table = table.sort_values(["_m", "position", "_n"], kind="stable")
    bounds = {p: parse_period(p) for p in dict.fromkeys(table["period"])}
    table["period_start"] = pd.to_datetime([bounds[p].start for p in table["period"]])
    table["period_end"] = pd.to_datetime([bounds[p].end for p in table["period"]])
    table["change_previous"] = table["score"] - table.groupby(["mission", "node"], sort=False)[
        "score"
    ].shift(1)
    table["position"] = table["position"].astype(np.int64)
    return table[list(TRAJECTORY_COLUMNS)].reset_index(drop=True)


def _pick_missions(
    order: dict[str, list[str]], missions: Sequence[str] | str, where: str
) -> list[str]:
    chosen = [missions] if isinstance(missions, str) else list(missions)
    if not chosen or not all(isinstance(m, str) for m in chosen):
        raise ArgumentError(f"{where}: missions must be a list of mission names, not {missions!r}")
    unknown = [m for m in chosen if m not in order]
    if unknown:
        raise ArgumentError(
            f"{where}: no mission {listing(unknown)} in these profiles (missions: "
            f"{listing(list(order))})"
        )
    return list(dict.fromkeys(chosen))


# ------------------------------------------------------------------------------ change
def change(
    profiles: Profiles,
    *,
    start: object = "first",
    end: object = "last",
    missions: Sequence[str] | None = None,
    view: str = "tree",
    uncertainty: Any = None,
) -> pd.DataFrame:
    """The change of every node between two periods of each mission.

    Unlike :meth:`Profiles.compare`, the two periods need not carry the same label: each
    mission's ``start`` and ``end`` are found among its own periods.

    Parameters
    ----------
    profiles : Profiles
        Scores of the missions over their periods.
    start, end : str, int or date
        A period (``"2022"``, ``"2024-H1"``, ``2023``, any label
        :func:`~missionlens.parse_period` reads, matched on its canonical form), or ``"first"``
        or ``"last"`` (the mission's first or last period, in period order); ``start`` may be
        ``"previous"``: the period just before ``end``. Defaults: ``"first"`` to ``"last"``.
    missions : list of str, optional
        The missions (default: every mission with both periods).
    view : str
        ``"tree"`` (default), ``"context"`` or a facet view (:meth:`Profiles.to_frame`).
    uncertainty : UncertaintyResult, optional
        An :func:`~missionlens.uncertainty` analysis of the same data, framework and recipe
        (tree view only). The change is computed replication by replication, the *same*
        replication index for both periods (the same weight draws and discrete choices, each
        period with its own per-entry draws): paired differences, whose quantiles at the
        analysis's interval (5-95 % by default, Hyndman and Fan type 7) are the interval of the
        change. Profiles with intervals (``result.profiles``,
        :meth:`Profiles.with_intervals`) bring their analysis with them: the tree view of their
        change has these columns without ``uncertainty=``.

    Returns
    -------
    pandas.DataFrame
        Columns (:data:`CHANGE_COLUMNS`) ``mission``, ``period_start`` and ``period_end`` (the
        labels of the two periods), ``phase_start``, ``phase_end``, ``node``, ``node_type``,
        ``score_start``, ``score_end``, ``change`` (``score_end - score_start``, ``NaN`` where
        either is missing), ``coverage_start``, ``coverage_end``, ``complete_start`` and
        ``complete_end``; with ``uncertainty`` also (:data:`CHANGE_INTERVAL_COLUMNS`)
        ``change_lower``, ``change_upper``, ``n_compared`` (replications in which both periods
        have a score) and ``real`` (the interval excludes 0: the change is larger than its
        uncertainty). One row per mission and element of the view (nodes and indicators).
        Missions without both periods are not in the table: ``attrs["not_compared"]`` lists
        them (``mission``, ``periods``, ``reason``) and a warning names them.

    Raises
    ------
    ArgumentError
        If ``start`` or ``end`` is neither a period nor a period word, a mission named in
        ``missions`` is unknown or lacks one of the periods, or ``uncertainty`` is not an
        analysis of these profiles.
    MissionLensError
        If no mission has both periods.

    Examples
    --------
    >>> import missionlens as ml
    >>> fw = ml.load_framework("whole-of-mission")
    >>> data = pd.DataFrame({"mission": "A", "period": ["2022", "2024-H1"],
    ...                      "pol_strategy_anchor": [3, 5], "pol_good_offices": [3, 4],
    ...                      "pol_local_conflict": [3, 4]})
    >>> c = ml.change(ml.score(data, framework=fw), start="2022", end="2024-H1")
    >>> round(float(c.set_index("node").loc["pol_strategy", "change"]), 2)
    33.33
    """
    where = "change"
    _check_period_words(start, end, where)
    table = _view_table(profiles, view, where)
    order = _mission_periods(table)
    pairs: list[tuple[str, str, str]] = []
    skipped: list[dict[str, str]] = []
    chosen = list(order) if missions is None else _pick_missions(order, missions, where)
    for mission in chosen:
        resolved = _resolve(order[mission], start, end, where)
        if isinstance(resolved, str):
            skipped.append(
                {"mission": mission, "periods": ", ".join(order[mission]), "reason": resolved}
            )
        else:
            pairs.append((mission, *resolved))
    if missions is not None and skipped:
        raise ArgumentError(
            f"{where}: start={start!r}, end={end!r}: "
            + "; ".join(
                f"mission {s['mission']!r} has {s['reason']} (its periods: {s['periods']})"
                for s in skipped
            )
        )
    if not pairs:
        raise MissionLensError(
            f"{where}: no mission has both periods (start={start!r}, end={end!r}): "
            + "; ".join(f"{s['mission']}: {s['reason']} (periods {s['periods']})" for s in skipped)
        )
    keyed = pd.DataFrame(pairs, columns=["mission", "period_start", "period_end"])
    cols = ["mission", "period", "phase", "node", "node_type", "score", "coverage", "complete"]
    side = table[cols]
    first = side.rename(
        columns={
            "period": "period_start",
            **{c: f"{c}_start" for c in cols[5:]},
            "phase": "phase_start",
        }
    )
    last = side.rename(
        columns={"period": "period_end", **{c: f"{c}_end" for c in cols[5:]}, "phase": "phase_end"}
    )
    out = keyed.merge(first, on=["mission", "period_start"], how="left", sort=False)
    out = out.merge(
        last.drop(columns="node_type"), on=["mission", "period_end", "node"], how="left", sort=False
    )
    out["change"] = out["score_end"] - out["score_start"]
    out = out[list(CHANGE_COLUMNS)].reset_index(drop=True)
    if uncertainty is None and view == "tree":  # profiles with intervals carry their analysis
        uncertainty = getattr(profiles, "_uncertainty", None)
    if uncertainty is not None:
        out = _with_change_intervals(out, profiles, uncertainty, view, where)
    out.attrs["not_compared"] = pd.DataFrame(skipped, columns=["mission", "periods", "reason"])
    if skipped:
        warnings.warn(
            f"{where}: {len(skipped)} mission(s) not compared: "
            + "; ".join(f"{s['mission']} ({s['reason']})" for s in skipped[:10])
            + (" ..." if len(skipped) > 10 else "")
            + " (listed in attrs['not_compared'])",
            UserWarning,
            stacklevel=2,
        )
    return out


def _with_change_intervals(
    out: pd.DataFrame, profiles: Profiles, result: Any, view: str, where: str
) -> pd.DataFrame:
    """The paired-replication interval of every change (see :func:`change`)."""
    from missionlens.analysis.uncertainty import UncertaintyResult

    if not isinstance(result, UncertaintyResult):
        raise ArgumentError(
            f"{where}: uncertainty must be an UncertaintyResult (ml.uncertainty), not "
            f"{type(result).__name__}"
        )
    if view != "tree":
        raise ArgumentError(
            f"{where}: uncertainty= gives intervals of the tree view only, not view={view!r}"
        )
    mine = profiles.fingerprints
    theirs = result.provenance
    wrong = [k for k in ("framework", "recipe", "data") if mine[k] != theirs[k]]
    if wrong:
        raise ArgumentError(
            f"{where}: the uncertainty analysis is not of these profiles ("
            + "; ".join(f"{k} {mine[k]} vs {theirs[k]}" for k in wrong)
            + "); run ml.uncertainty on the same data, framework and recipe"
        )
    units = result.model.units
    unit_pos = {
        (str(m), str(p)): i
        for i, (m, p) in enumerate(zip(units["mission"], units["period"], strict=True))
    }
    node_pos = {str(n): k for k, n in enumerate(result.model.nodes)}
    u0 = np.array(
        [unit_pos[(m, p)] for m, p in zip(out["mission"], out["period_start"], strict=True)]
    )
    u1 = np.array(
        [unit_pos[(m, p)] for m, p in zip(out["mission"], out["period_end"], strict=True)]
    )
    k = np.array([node_pos.get(n, -1) for n in out["node"]])
    known = k >= 0
    diff = np.full((result.n, len(out)), np.nan)
    diff[:, known] = result.scores[:, u1[known], k[known]] - result.scores[:, u0[known], k[known]]
    interval = float(result.model.spec.interval)
    lo, hi = (1.0 - interval) / 2.0, (1.0 + interval) / 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: no interval
        q = np.nanquantile(diff, [lo, hi], axis=0)
    out = out.copy()
    out["change_lower"] = q[0]
    out["change_upper"] = q[1]
    out["n_compared"] = (~np.isnan(diff)).sum(axis=0).astype(np.int64)
    with np.errstate(invalid="ignore"):
        out["real"] = np.asarray((q[0] > 0) | (q[1] < 0), dtype=bool)
    return out


# ------------------------------------------------------------------------------ what moved
def _recipe_weights(framework: Framework, recipe: Recipe) -> dict[str, float]:
    """The weights the recipe's ``weight`` steps set (by the library's own step function)."""
    empty = np.empty((0, 0))
    state = ScoringState(
        framework=framework,
        units=pd.DataFrame(),
        indicators=(),
        raw=empty,
        values=empty,
        imputed=empty.astype(bool),
        treated=empty.astype(bool),
        applicable=empty.astype(bool),
        weights=framework.weights(),
    )
    for step in recipe.steps:
        if isinstance(step.params, WeightParams):
            state = STEPS["weight"](state, step.params)
    return dict(state.weights)


def _methods(framework: Framework, recipe: Recipe) -> dict[str, tuple[str, float | None]]:
    """Each node's aggregation method and exponent, as the recipe's ``aggregate`` step
    resolves them."""
    params = AggregateParams()
    for step in recipe.steps:
        if isinstance(step.params, AggregateParams):
            params = step.params
    rules, _ = _node_rules(framework, params)
    out: dict[str, tuple[str, float | None]] = {}
    for node, (_rule, method, p) in rules.items():
        if method == "generalised" and p is not None and p in (0.0, 1.0):
            method = "geometric" if p == 0.0 else "arithmetic"
        out[node] = (method, p)
    return out


def _logmean(a: float, b: float) -> float:
    """The logarithmic mean ``(b - a) / (ln b - ln a)`` of two positive numbers (``a`` when
    they are equal), which turns log changes into changes (Vartia 1976; Ang 2004)."""
    if a == b:
        return a
    return (b - a) / (math.log(b) - math.log(a))


@dataclass
class _Decomposition:
    """State of one call of :func:`decompose_change`."""

    framework: Framework
    weights: dict[str, float]
    methods: dict[str, tuple[str, float | None]]
    elements: set[str]
    s0: dict[str, float]
    s1: dict[str, float]
    p0: str
    p1: str
    rows: list[dict[str, Any]] = field(default_factory=list)

    def score(self, element: str, side: int) -> float:
        value = (self.s0 if side == 0 else self.s1).get(element, np.nan)
        return float(value)

    def children(self, node: str) -> list[str]:
        return [c for c in self.framework.children(node) if c in self.elements]

    def effective(self, node: str, side: int) -> np.ndarray:
        """Effective weights of a node's children in one period: weight over the weight of
        the children with a score (0 for a child without one, or all 0 when the node itself
        has none), as the aggregation kernel uses them."""
        children = self.children(node)
        w = np.array([self.weights[c] for c in children], dtype=np.float64)
        s = np.array([self.score(c, side) for c in children])
        used = ~np.isnan(s) & (w > 0)
        if np.isnan(self.score(node, side)) or not used.any():
            return np.zeros(len(children))
        return np.where(used, w, 0.0) / w[used].sum()

    def check(self, node: str, side: int, e: np.ndarray, method: str) -> None:
        """The node's score is what its children and effective weights give."""
        s = np.array([self.score(c, side) for c in self.children(node)])
        used = e > 0
        if method == "arithmetic":
            again = float((e[used] * s[used]).sum())
        else:
            with np.errstate(divide="ignore"):  # a child at 0 gives 0 (refused later)
                again = float(np.exp((e[used] * np.log(s[used])).sum()))
        reported = self.score(node, side)
        if abs(again - reported) > _TOL * max(1.0, abs(reported)):
            period = self.p0 if side == 0 else self.p1
            raise MissionLensError(
                f"decompose_change: the score of '{node}' in {period} ({reported!r}) is not the "
                f"{method} mean of its children's scores with the recipe's weights ({again!r}); "
                "these profiles were not made by ml.score from their own data, framework and "
                "recipe (score them again)"
            )

    def add_rows(
        self, node: str, factor: float, depth: int, decomposed: bool, note: str = ""
    ) -> None:
        """Rows of the children of ``node`` (and below), their contributions in points of the
        top node's score: ``factor`` converts a change of ``node``'s score into them (0 below
        a node whose change is not passed down)."""
        fw = self.framework
        children = self.children(node)
        s0 = np.array([self.score(c, 0) for c in children])
        s1 = np.array([self.score(c, 1) for c in children])
        e0, e1 = self.effective(node, 0), self.effective(node, 1)
        method = self.methods[node][0]
        both = not (np.isnan(self.score(node, 0)) or np.isnan(self.score(node, 1)))
        decomposable = decomposed and both and method in ("arithmetic", "geometric")
        zeros = np.zeros(len(children))
        score_part, weight_part, pass_down = zeros.copy(), zeros.copy(), zeros.copy()
        if decomposable:
            self.check(node, 0, e0, method)
            self.check(node, 1, e1, method)
            present0, present1 = e0 > 0, e1 > 0
            # a child scored in one period only: its other score is taken equal, so that its
            # whole effect is the change of its weight (it entered or left)
            f0 = np.where(present0, s0, np.where(present1, s1, 0.0))
            f1 = np.where(present1, s1, np.where(present0, s0, 0.0))
            mean_e, delta_e = (e0 + e1) / 2.0, e1 - e0
            big0, big1 = self.score(node, 0), self.score(node, 1)
            if method == "arithmetic":
                score_part = mean_e * (f1 - f0)
                weight_part = ((f0 + f1) / 2.0 - (big0 + big1) / 2.0) * delta_e
                pass_down = mean_e
            else:
                self._positive(node, children, f0, f1, present0 | present1, big0, big1)
                scale = _logmean(big0, big1)
                l0 = np.log(np.where(present0 | present1, f0, 1.0))
                l1 = np.log(np.where(present0 | present1, f1, 1.0))
                centre = (math.log(big0) + math.log(big1)) / 2.0
                score_part = scale * mean_e * (l1 - l0)
                weight_part = scale * ((l0 + l1) / 2.0 - centre) * delta_e
                pass_down = np.array(
                    [
                        scale * m / _logmean(a, b) if p and q else 0.0
                        for m, a, b, p, q in zip(mean_e, f0, f1, present0, present1, strict=True)
                    ]
                )
        for i, child in enumerate(children):
            is_node = child in fw.node_ids
            has0, has1 = not np.isnan(s0[i]), not np.isnan(s1[i])
            status = {
                (True, True): "both",
                (False, True): "entered",
                (True, False): "left",
                (False, False): "neither",
            }[(has0, has1)]
            total = factor * (score_part[i] + weight_part[i])
            passes = is_node and decomposable and status == "both"
            child_method = self.methods[child][0] if is_node else ""
            passed = passes and child_method in ("arithmetic", "geometric")
            row_note = note
            if not row_note and status in ("entered", "left") and decomposable:
                row_note = (
                    f"no score in {self.p0 if status == 'entered' else self.p1}: its whole effect "
                    "is the change of its weight"
                )
            if passes and not passed:
                row_note = (
                    f"aggregated by {child_method}, which has no additive decomposition: its "
                    "change is not passed down to its children"
                )
            self.rows.append(
                {
                    "indicator": child,
                    "element_type": fw.node_type(child),
                    "parent": node,
                    "depth": depth,
                    "method": self.methods[node][0],
                    "status": status,
                    "score_start": s0[i],
                    "score_end": s1[i],
                    "weight_start": e0[i],
                    "weight_end": e1[i],
                    "score_part": 0.0 if passed else factor * score_part[i],
                    "weight_part": factor * weight_part[i],
                    "contribution": factor * weight_part[i] if passed else total,
                    "total": total,
                    "note": row_note,
                }
            )
            if is_node:
                if passed:
                    self.add_rows(child, factor * pass_down[i], depth + 1, True)
                else:
                    below = (
                        f"below '{child}', whose change is not passed down"
                        if passes
                        else f"below '{child}', which has no score in "
                        + (
                            self.p0
                            if not has0 and has1
                            else self.p1
                            if has0 and not has1
                            else "either period"
                        )
                    )
                    self.add_rows(child, 0.0, depth + 1, False, note=note or below)

    def _positive(
        self,
        node: str,
        children: list[str],
        f0: np.ndarray,
        f1: np.ndarray,
        used: np.ndarray,
        big0: float,
        big1: float,
    ) -> None:
        zero = [
            f"'{c}' ({a:g} in {self.p0}, {b:g} in {self.p1})"
            for c, a, b, u in zip(children, f0, f1, used, strict=True)
            if u and (a <= 0 or b <= 0)
        ]
        if zero or big0 <= 0 or big1 <= 0:
            raise MissionLensError(
                f"decompose_change: '{node}' is a geometric mean and a score of 0 has no "
                f"logarithm, so its change has no log decomposition (node {big0:g} in "
                f"{self.p0}, {big1:g} in {self.p1}"
                + (f"; children at 0: {', '.join(zero)}" if zero else "")
                + "); decompose the change of its children instead"
            )


def decompose_change(
    profiles: Profiles,
    *,
    mission: str,
    node: str | None = None,
    start: object = "first",
    end: object = "last",
    view: str = "tree",
) -> pd.DataFrame:
    r"""What moved: each element's contribution to the change of a node between two periods.

    For a node aggregated by the **weighted arithmetic mean**, with ``e_i`` the effective
    weight of child ``i`` (its weight over the weight of the children with a score, as the
    aggregation uses it: 0 when the child has no score) and ``s_i`` its score, in the start
    (0) and end (1) periods, ``S = sum_i e_i s_i`` and the change splits exactly, child by
    child, into a score part and a weight part (the symmetric decomposition of Bennet 1920 and
    Kitagawa 1955; Diewert 2005 on Bennet indicators):

    .. math::

        S_1 - S_0 = \sum_i \bar e_i (s_{1i} - s_{0i})
                  + \sum_i (\bar s_i - \bar S)(e_{1i} - e_{0i}),

    with bars for the mean of the two periods. The centring by :math:`\bar S` changes no sum
    (the weights sum to 1 in both periods, so the weight changes sum to 0) and makes the weight
    part read plainly: an indicator that *entered* (rated in the end period only) adds
    :math:`e_{1i}(s_{1i} - \bar S)`, positive if it scores above the node's level. A child
    scored in one period only is given the same score in the other (its weight there is 0, so
    the score never counts): its whole effect is in its weight part. Weights change when an
    indicator entered or left (rated in one period only, answered not applicable, or in a phase
    where it does not apply), never otherwise.

    For a node aggregated by the **weighted geometric mean**, ``ln S = sum_i e_i ln s_i``
    decomposes the same way in logarithms, and each log contribution is turned into points of
    score by the logarithmic mean ``L = (S_1 - S_0) / (ln S_1 - ln S_0)`` (Vartia 1976; the
    LMDI of Ang 2004), so that the contributions still sum exactly to ``S_1 - S_0``;
    ``log_contribution`` gives them in log points (they sum to ``ln S_1 - ln S_0``). A score of 0
    has no logarithm: the change of a geometric node with a child (or itself) at 0 is refused.

    **Nested trees**: the node's change is decomposed over its direct children, and the score
    part of each child node over that node's own children by its own decomposition, down to the
    indicators (a child's score part is linear in its change: ``\bar e_i \Delta s_i`` for an
    arithmetic parent, ``L \bar e_i \Delta s_i / L_i`` for a geometric one). The weight part
    stays at the level where the weights changed: the row of a sub-node carries the effect of
    its own weight change within its parent, its indicators the effect of their scores and of
    their weights within it. A child node aggregated by another method (harmonic, median,
    minimum, a generalised mean) keeps its whole contribution on its row (``note`` says so); a
    child node scored in one period only has its whole effect on its row too.

    Parameters
    ----------
    profiles : Profiles
        Scores of the mission (:func:`~missionlens.score`).
    mission : str
        The mission.
    node : str, optional
        The node whose change is decomposed (default: the root, the headline score).
    start, end : str, int or date
        The two periods, as :func:`change` takes them (default ``"first"`` to ``"last"``).
    view : {"tree", "context"}
        The performance composite (default) or the context index.

    Returns
    -------
    pandas.DataFrame
        One row per element below the node (sub-nodes and indicators, depth first in framework
        order), columns (:data:`DECOMPOSITION_COLUMNS`): ``mission``, ``period_start``,
        ``period_end``, ``node`` (the decomposed node); ``indicator`` (the element's id: an
        indicator or a sub-node, so that :func:`~missionlens.plot_waterfall` takes the table
        as it is), ``element_type`` (``indicator``, ``dimension``, ``subdimension``),
        ``parent``, ``depth`` (1 for the node's children), ``method`` (the parent's
        aggregation), ``status`` (``both``, ``entered``, ``left`` or ``neither``: in which
        periods the element has a score), ``score_start``, ``score_end``, ``weight_start``,
        ``weight_end`` (effective weights within the parent, summing to 1 over the children
        with a score), ``score_part`` and ``weight_part`` (in points of the node's score; a
        sub-node's score part is passed down to its children, so it shows 0), ``contribution``
        (``score_part + weight_part``; summed over **all rows** it is the node's change, exactly
        up to rounding), ``total`` (the element's whole effect, its branch included: summed over
        the rows of one parent it is that parent's passed-down change, and over the node's
        children, ``depth == 1``, the node's change), ``log_contribution`` (for a geometric
        node: ``contribution`` in log points; ``NaN`` otherwise) and ``note`` (plain words where
        a contribution needs them). ``attrs`` holds ``score_start``, ``score_end``, ``change``
        and a ``caption``.

    Raises
    ------
    ArgumentError
        If the mission, node, view or periods are unknown.
    MissionLensError
        If the node has no score in one of the periods, is aggregated by a method without an
        additive decomposition (naming it), or is geometric with a score of 0.

    Examples
    --------
    >>> import missionlens as ml
    >>> fw = ml.load_framework("whole-of-mission")
    >>> data = pd.DataFrame({"mission": "A", "period": ["2022", "2024-H1"],
    ...                      "pol_strategy_anchor": [3, 5], "pol_good_offices": [3, 4],
    ...                      "pol_local_conflict": [3, 4]})
    >>> d = ml.decompose_change(ml.score(data, framework=fw), mission="A",
    ...                         node="pol_strategy")
    >>> d.set_index("indicator")["contribution"].round(2).tolist()
    [16.67, 8.33, 8.33]
    >>> round(float(d["contribution"].sum()), 9) == round(d.attrs["change"], 9)
    True
    """
    where = "decompose_change"
    if view not in ("tree", "context"):
        raise ArgumentError(
            f"{where}: view must be 'tree' (the performance composite) or 'context' (the "
            f"context index), not {view!r}: facet views are not aggregated through weights"
        )
    _check_period_words(start, end, where)
    if not isinstance(mission, str):
        raise ArgumentError(f"{where}: mission must be a mission name, not {mission!r}")
    table = _view_table(profiles, view, where, mission)
    order = _mission_periods(table)
    fw = profiles.framework
    node = fw.root.id if node is None else node
    if not isinstance(node, str) or node not in fw.node_ids:
        raise ArgumentError(
            f"{where}: node must be a node of framework '{fw.id}' (an indicator has no "
            f"children to decompose into), not {node!r}; nodes: {listing(fw.node_ids)}"
        )
    rows = table[table["mission"] == mission]
    if node not in set(rows["node"]):
        raise ArgumentError(f"{where}: node '{node}' has no indicator in the {view!r} view")
    resolved = _resolve(order[mission], start, end, where)
    if isinstance(resolved, str):
        raise ArgumentError(
            f"{where}: mission {mission!r} has {resolved} (start={start!r}, end={end!r}; its "
            f"periods: {', '.join(order[mission])})"
        )
    p0, p1 = resolved
    scores = {
        p: dict(zip(part["node"], part["score"].astype(float), strict=True))
        for p, part in rows.groupby("period", sort=False)
    }
    state = _Decomposition(
        framework=fw,
        weights=_recipe_weights(fw, profiles.recipe),
        methods=_methods(fw, profiles.recipe),
        elements=set(rows["node"]),
        s0=scores[p0],
        s1=scores[p1],
        p0=p0,
        p1=p1,
    )
    big0, big1 = state.score(node, 0), state.score(node, 1)
    for side, (period, value) in enumerate(((p0, big0), (p1, big1))):
        if np.isnan(value):
            info = rows[(rows["period"] == period) & (rows["node"] == node)].iloc[0]
            raise MissionLensError(
                f"{where}: '{node}' of mission {mission!r} has no score in {period} (coverage "
                f"{float(info['coverage']):.2f}; children without a score: "
                f"{info['missing_children'] or 'none'}), so its change from {p0} to {p1} "
                "cannot be decomposed"
            )
        del side
    method = state.methods[node][0]
    if method not in ("arithmetic", "geometric"):
        raise MissionLensError(
            f"{where}: '{node}' is aggregated by the {method} "
            f"{'mean' if method in ('harmonic', 'generalised') else ''}".rstrip()
            + ", which has no exact additive decomposition into its children's contributions "
            "(only arithmetic and geometric means have one); compare the children's changes "
            "with ml.change instead"
        )
    state.add_rows(node, 1.0, 1, True)
    out = pd.DataFrame(state.rows)
    out.insert(0, "mission", mission)
    out.insert(1, "period_start", p0)
    out.insert(2, "period_end", p1)
    out.insert(3, "node", node)
    delta = big1 - big0
    if method == "geometric":
        out["log_contribution"] = out["contribution"] / _logmean(big0, big1)
    else:
        out["log_contribution"] = np.nan
    out = out[list(DECOMPOSITION_COLUMNS)]
    for column in ("score_part", "weight_part", "contribution", "total", "log_contribution"):
        out[column] = out[column].astype(np.float64) + 0.0  # no "-0.0" in the table
    out["depth"] = out["depth"].astype(np.int64)
    gap = float(out["contribution"].sum()) - delta
    if abs(gap) > 1e-6 * max(1.0, abs(big0), abs(big1)):  # pragma: no cover - a defect
        raise MissionLensError(
            f"{where}: the contributions sum to {delta + gap!r}, not the change {delta!r}; "
            "please report this"
        )
    out.attrs.update(
        {
            "score_start": big0,
            "score_end": big1,
            "change": delta,
            "caption": f"{mission}, {node}: {big0:.1f} in {p0} to {big1:.1f} in {p1} "
            f"({delta:+.1f} points; {method} mean)",
        }
    )
    return out
