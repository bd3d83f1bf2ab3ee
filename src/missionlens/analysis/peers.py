"""Comparing missions fairly: peer tables, ranks, nearest peers, strengths and weaknesses.

Every function first picks **one assessment (period) per mission**, aligned one of three ways
(:func:`compare_missions`, ``align=``):

* ``"calendar"``: the mission's latest period that overlaps a given period (a mission rated
  ``2024-H2`` is compared with one rated ``2024`` when ``period="2024"``; periods are parsed
  by :mod:`missionlens.periods`, so labels need not be equal);
* ``"phase"``: the mission's latest period in a lifecycle phase (``phase="exit"``);
* ``"years_since_start"``: the mission's latest period whose midpoint lies ``years`` to
  ``years + 1`` years after the mission's start (``years=3``: its fourth year). Starts are the
  ``starts=`` mapping, mission to date (the mission registry's start dates can feed it), or by
  default the start of the mission's earliest period in the profiles.

A mission with no period in the selection is kept as a row without a score, with a ``note``
saying why: never silently dropped. Missions in different lifecycle phases are scored on
different indicators; comparing them warns with :class:`~missionlens.MixedPhasesWarning` and
every table carries a ``phase`` column.

References
----------
.. [1] Becker, W., Caperna, G., Del Sorbo, M., Norlén, H., Papadimitriou, E., & Saisana, M.
   (2022). COINr: An R package for developing composite indicators. *Journal of Open Source
   Software*, 7(78), 4567 (``rank_df``: ``rank(-x, ties.method = "min", na.last = "keep")``;
   ``get_str_weak``: a unit's strengths and weaknesses by its ranks).
.. [2] Dixon, J. K. (1979). Pattern recognition with partly missing data. *IEEE Transactions on
   Systems, Man, and Cybernetics*, 9(10), 617-621 (the distance over the coordinates both have,
   scaled to all of them); the same rule as R's ``stats::dist``.
.. [3] Hyndman, R. J., & Fan, Y. (1996). Sample quantiles in statistical packages. *The American
   Statistician*, 50(4), 361-365 (the percentile rank as the empirical distribution function).
.. [4] United Nations (2018). *Enhancing the Performance of Peacekeeping Operations: From Mandate
   to Exit*, Chairman's Summary, Cairo, findings 4 and 16.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from missionlens.analysis.context import _objects, difficulty_bands
from missionlens.errors import ArgumentError, MixedPhasesWarning
from missionlens.periods import parse_period, parse_periods

if TYPE_CHECKING:
    from missionlens.scoring.profiles import Profiles

__all__ = [
    "ALIGNMENTS",
    "COMPARISON_COLUMNS",
    "PEER_COLUMNS",
    "RANK_COLUMNS",
    "STRENGTH_COLUMNS",
    "compare_missions",
    "nearest_peers",
    "rank_missions",
    "strengths_weaknesses",
]

Align = Literal["calendar", "phase", "years_since_start"]

#: The ways of aligning missions (:func:`compare_missions`).
ALIGNMENTS: tuple[str, ...] = ("calendar", "phase", "years_since_start")

#: Columns of :func:`compare_missions`, in order.
COMPARISON_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "phase",
    "years_since_start",
    "band",
    "node",
    "node_type",
    "score",
    "lower",
    "upper",
    "coverage",
    "complete",
    "rank",
    "n_ranked",
    "gap_to_median",
    "percentile",
    "note",
)

#: Columns of :func:`rank_missions`, in order.
RANK_COLUMNS: tuple[str, ...] = (
    "node",
    "rank",
    "mission",
    "period",
    "phase",
    "band",
    "score",
    "n_ranked",
    "gap_to_median",
    "percentile",
)

#: Columns of :func:`nearest_peers`, in order.
PEER_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "phase",
    "peer",
    "peer_period",
    "peer_phase",
    "distance",
    "n_common",
    "rank",
)

#: Columns of :func:`strengths_weaknesses`, in order.
STRENGTH_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "phase",
    "kind",
    "indicator",
    "name",
    "dimension",
    "score",
    "rank",
    "n_units",
)

_NODE_TYPES = ("root", "dimension", "subdimension", "indicator")


# ------------------------------------------------------------------------------- selection
def _units(profiles: Profiles, view: str) -> pd.DataFrame:
    """Every (mission, period) of a view with its phase and dates."""
    try:
        table = profiles.to_frame(view)
    except KeyError as exc:
        raise ArgumentError(f"view: {exc.args[0]}") from None
    units = table[["mission", "period", "phase"]].drop_duplicates(["mission", "period"])
    units = pd.DataFrame(
        {
            "mission": units["mission"].astype(str).to_numpy(),
            "period": units["period"].astype(str).to_numpy(),
            "phase": [None if pd.isna(v) else str(v) for v in units["phase"]],
        }
    )
    dates = parse_periods(units["period"])
    units["start"] = dates["start"].to_numpy()
    units["end"] = dates["end"].to_numpy()
    return units


def _resolve_align(
    align: str | None, period: object, phase: str | None, years: float | None
) -> str:
    given = {
        name
        for name, value in (("period", period), ("phase", phase), ("years", years))
        if value is not None
    }
    if align is None:
        if len(given) > 1:
            raise ArgumentError(
                "give one of period=, phase= and years= (the alignment: by calendar period, by "
                f"lifecycle phase or by years since start); got {', '.join(sorted(given))}"
            )
        align = {"phase": "phase", "years": "years_since_start"}.get(
            next(iter(given), "period"), "calendar"
        )
    if align not in ALIGNMENTS:
        raise ArgumentError(f"align must be one of {', '.join(ALIGNMENTS)}; got {align!r}")
    needs = {"calendar": "period", "phase": "phase", "years_since_start": "years"}[align]
    extra = given - {needs}
    if extra:
        raise ArgumentError(
            f"align={align!r} reads {needs}=, not {', '.join(sorted(extra))}="
            + ("" if align == "calendar" else f" (give {needs}=)")
        )
    if align != "calendar" and needs not in given:
        raise ArgumentError(f"align={align!r} needs {needs}=")
    return align


def _starts(units: pd.DataFrame, starts: Mapping[str, object] | None) -> dict[str, pd.Timestamp]:
    earliest = units.groupby("mission", sort=False)["start"].min()
    out: dict[str, pd.Timestamp] = {str(m): pd.Timestamp(s) for m, s in earliest.items()}
    if starts is None:
        return out
    if not isinstance(starts, Mapping):
        raise ArgumentError(
            f"starts must be a mapping of mission to start date ({{'MINUSMA': '2013-04-25'}}); "
            f"got {type(starts).__name__}"
        )
    bad: list[str] = []
    for mission, value in starts.items():
        try:
            out[str(mission)] = parse_period(value).start
        except ValueError as exc:
            bad.append(f"{mission}: {exc}")
    if bad:
        raise ArgumentError("starts: " + "; ".join(bad))
    return out


def _select(
    profiles: Profiles,
    *,
    view: str,
    align: str | None,
    period: object,
    phase: str | None,
    years: float | None,
    starts: Mapping[str, object] | None,
    missions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per mission: the period compared (or none, with a note); with ``missions``,
    those missions only, in that order (an unknown one is an error that lists the known)."""
    mode = _resolve_align(align, period, phase, years)
    units = _units(profiles, view)
    if missions is not None:
        if isinstance(missions, str) or not all(isinstance(m, str) for m in missions):
            raise ArgumentError(
                f"missions must be a list of mission names, not {type(missions).__name__}"
            )
        known = list(dict.fromkeys(units["mission"].astype(str)))
        unknown = [m for m in missions if m not in known]
        if unknown or not missions:
            raise ArgumentError(
                f"missions: {', '.join(map(repr, unknown)) or 'none given'} not in the "
                f"profiles (missions: {', '.join(known)})"
            )
        units = units[units["mission"].isin(missions)]
    start_of = _starts(units, starts)
    mid = units["start"] + (units["end"] - units["start"]) / 2
    first = units["mission"].map(start_of)
    units["years_since_start"] = ((mid - first).dt.days / 365.25).round(2)
    if mode == "calendar":
        if period is None:  # the latest period of the profiles
            latest = units.sort_values(["end", "start"]).iloc[-1]
            target = parse_period(latest["period"])
        else:
            try:
                target = parse_period(period)
            except ValueError as exc:
                raise ArgumentError(f"period: {exc}") from None
        keep = (units["start"] <= target.end) & (units["end"] >= target.start)
        why = f"no period overlapping {target.label}"
    elif mode == "phase":
        if not isinstance(phase, str):
            raise ArgumentError(f"phase must be a phase id such as 'exit'; got {phase!r}")
        keep = units["phase"] == phase
        known = sorted({p for p in units["phase"] if p is not None})
        why = f"no period in phase {phase}" + (f" (phases: {', '.join(known)})" if known else "")
    else:
        if (
            isinstance(years, bool)
            or not isinstance(years, int | float | np.integer | np.floating)
            or not math.isfinite(float(years))
            or years < 0
        ):
            raise ArgumentError(f"years must be a number of years, 0 or more; got {years!r}")
        low = float(years)
        keep = (units["years_since_start"] >= low) & (units["years_since_start"] < low + 1)
        why = f"no period {low:g} to {low + 1:g} years after the mission's start"
    picked = (
        units[keep.to_numpy()]
        .sort_values(["mission", "end", "start"])
        .drop_duplicates("mission", keep="last")
    )
    order = list(dict.fromkeys(missions)) if missions is not None else None
    picked = picked.set_index("mission").reindex(order or list(dict.fromkeys(units["mission"])))
    picked = picked.reset_index()
    picked["note"] = np.where(picked["period"].isna(), why, "")
    picked["phase"] = _objects(picked["phase"], picked.index)
    picked["period"] = _objects(picked["period"], picked.index)
    return picked[["mission", "period", "phase", "years_since_start", "note"]]


def _warn_mixed(selected: pd.DataFrame, stacklevel: int) -> None:
    rows = selected[selected["period"].notna()]
    phases = {p if p is not None else "(no phase)" for p in rows["phase"]}
    if len(phases) > 1 and phases != {"(no phase)"}:
        named = [p if p is not None else "(no phase)" for p in rows["phase"]]
        groups = "; ".join(
            ph + ": " + ", ".join(m for m, q in zip(rows["mission"], named, strict=True) if q == ph)
            for ph in sorted(phases)
        )
        warnings.warn(
            f"the missions compared are in different lifecycle phases ({groups}); they are "
            "scored on different indicators and their scores are not like for like: read the "
            "phase column, or compare within one phase (phase=...)",
            MixedPhasesWarning,
            stacklevel=stacklevel,
        )


def _node_rows(profiles: Profiles, table: pd.DataFrame, nodes: str | Sequence[str]) -> pd.Series:
    node_type = table["node_type"].astype(str)
    if isinstance(nodes, str):
        if nodes == "all":
            return pd.Series(True, index=table.index)
        if nodes in _NODE_TYPES:
            return node_type == nodes
        nodes = [nodes]
    wanted = [str(n) for n in nodes]
    present = set(table["node"].astype(str))
    unknown = [n for n in wanted if n not in present]
    if unknown:
        dims = list(dict.fromkeys(table.loc[node_type == "dimension", "node"].astype(str)))
        raise ArgumentError(
            f"nodes: {', '.join(unknown)} not in this view of the profiles; give a node type "
            f"({', '.join(_NODE_TYPES)}, all) or node ids such as " + ", ".join(dims[:5])
        )
    return table["node"].astype(str).isin(wanted)


def _ranked(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Add ``rank`` (1 best, ties share the best: COINr's ``ties.method = "min"``),
    ``n_ranked``, ``gap_to_median`` and ``percentile`` within groups ``by``."""
    grouped = frame.groupby(by, sort=False, dropna=False)["score"]
    frame["rank"] = grouped.rank(method="min", ascending=False).astype("Int64")
    frame["n_ranked"] = grouped.transform("count").astype(np.int64)
    frame["gap_to_median"] = frame["score"] - grouped.transform("median")
    at_most = grouped.rank(method="max", ascending=True)
    frame["percentile"] = 100 * at_most / frame["n_ranked"].where(frame["n_ranked"] > 0)
    return frame


# -------------------------------------------------------------------------- peer tables
def compare_missions(
    profiles: Profiles,
    *,
    period: object = None,
    phase: str | None = None,
    years: float | None = None,
    nodes: str | Sequence[str] = "dimension",
    view: str = "tree",
    align: Align | None = None,
    starts: Mapping[str, object] | None = None,
    within_band: bool = False,
    bands: int | Sequence[float] = 3,
    missions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Missions side by side: one period per mission, the scores of the nodes asked for, ranks.

    Parameters
    ----------
    profiles : Profiles
        Scored profiles (:func:`~missionlens.score`).
    period : str, optional
        With ``align="calendar"`` (the default): the period compared; each mission's latest
        period overlapping it is taken. By default the latest period of the profiles.
    phase : str, optional
        With ``align="phase"`` (implied by ``phase=``): each mission's latest period in it.
    years : float, optional
        With ``align="years_since_start"`` (implied by ``years=``): each mission's latest
        period whose midpoint lies ``years`` to ``years + 1`` years after its start.
    nodes : str or sequence of str, default "dimension"
        A node type (``root``, ``dimension``, ``subdimension``, ``indicator``), ``all``, or
        node ids.
    view : str, default "tree"
        The view of :meth:`~missionlens.Profiles.to_frame` (``context`` for the context index).
    align : {"calendar", "phase", "years_since_start"}, optional
        How missions are aligned; by default from which of ``period``, ``phase``, ``years`` is
        given.
    starts : mapping of str to date, optional
        Mission start dates for ``years_since_start`` (a date or a period label, whose first
        day counts); missions not in it start with their earliest period in the profiles.
    within_band : bool, default False
        Rank each mission only among missions in its difficulty band
        (:func:`~missionlens.difficulty_bands`, computed over all mission-periods of the
        profiles), so that missions in hard conditions are compared with each other.
    bands : int or sequence of float, default 3
        The bands, as in :func:`~missionlens.difficulty_bands`.
    missions : sequence of str, optional
        Compare and rank these missions only, in this order (ranks, medians and percentiles
        are among them); by default every mission of the profiles. The difficulty bands are
        still computed over all mission-periods of the profiles.

    Returns
    -------
    pandas.DataFrame
        One row per mission and node (:data:`COMPARISON_COLUMNS`), in the order of the missions
        (those given, or the profiles') and of the nodes in the profiles: ``mission``, ``period``
        (the period compared, ``None`` if the mission has none in the selection), ``phase``,
        ``years_since_start`` (of the period's midpoint), ``band`` (1 = hardest; ``<NA>`` without a
        context index), ``node``, ``node_type``, ``score``, ``lower`` and ``upper`` (the bounds of
        the score's uncertainty interval for profiles from
        :meth:`~missionlens.Profiles.with_intervals`, ``NaN`` otherwise), ``coverage``,
        ``complete``, ``rank`` (1 for the highest score, ties share the best rank as COINr's
        ``rank(ties.method = "min")``; ``<NA>`` without a score), ``n_ranked`` (the scores ranked
        together), ``gap_to_median`` (the score minus the median of those scores, the mission's own
        included), ``percentile`` (the share of those scores at or below the mission's, in percent:
        100 for the best) and ``note`` (why a mission has no period: ``""`` otherwise). For a
        missions-by-nodes table: ``table.pivot(index="mission", columns="node", values="score")``.

    Warns
    -----
    MixedPhasesWarning
        When the missions compared are in different lifecycle phases.

    Raises
    ------
    ArgumentError
        For a bad argument, or when no mission has a period in the selection (an empty table
        would say nothing).
    """
    return _compare(
        profiles,
        period=period,
        phase=phase,
        years=years,
        nodes=nodes,
        view=view,
        align=align,
        starts=starts,
        within_band=within_band,
        bands=bands,
        missions=missions,
        stacklevel=4,
    )


def _compare(
    profiles: Profiles,
    *,
    period: object,
    phase: str | None,
    years: float | None,
    nodes: str | Sequence[str],
    view: str,
    align: Align | None,
    starts: Mapping[str, object] | None,
    within_band: bool = False,
    bands: int | Sequence[float] = 3,
    missions: Sequence[str] | None = None,
    stacklevel: int,
) -> pd.DataFrame:
    """:func:`compare_missions`; ``stacklevel`` points the phase warning at the user's call."""
    if not isinstance(within_band, bool):
        raise ArgumentError(f"within_band must be True or False; got {within_band!r}")
    selected = _select(
        profiles,
        view=view,
        align=align,
        period=period,
        phase=phase,
        years=years,
        starts=starts,
        missions=missions,
    )
    if selected["period"].isna().all():
        raise ArgumentError(
            "no mission has a period in this selection: " + selected["note"].iloc[0]
            if len(selected)
            else "these profiles hold no mission"
        )
    _warn_mixed(selected, stacklevel)
    table = profiles.to_frame(view)
    table = table[_node_rows(profiles, table, nodes).to_numpy()]
    node_order = [str(n) for n in pd.unique(table["node"])]
    node_types = dict(
        table[["node", "node_type"]].drop_duplicates("node").astype(str).itertuples(index=False)
    )
    chosen = selected[selected["period"].notna()]
    pairs = pd.MultiIndex.from_arrays([chosen["mission"], chosen["period"]])
    keys = pd.MultiIndex.from_arrays([table["mission"], table["period"]])
    table = table[keys.isin(pairs)]  # the selected units only, before any conversion
    scores = pd.DataFrame(
        {
            "mission": table["mission"].astype(str).to_numpy(),
            "period": table["period"].astype(str).to_numpy(),
            "node": table["node"].astype(str).to_numpy(),
            "node_type": table["node_type"].astype(str).to_numpy(),
            "score": table["score"].to_numpy(dtype=float),
            **{  # the uncertainty interval, where the profiles carry one (with_intervals)
                bound: (
                    table[bound].to_numpy(dtype=float)
                    if bound in table.columns
                    else np.full(len(table), np.nan)
                )
                for bound in ("lower", "upper")
            },
            "coverage": table["coverage"].to_numpy(dtype=float),
            "complete": table["complete"].to_numpy(dtype=bool),
        }
    )
    grid = pd.MultiIndex.from_product(
        [selected["mission"], node_order], names=["mission", "node"]
    ).to_frame(index=False)
    out = grid.merge(selected, on="mission", how="left")
    out = out.merge(scores.drop(columns="node_type"), on=["mission", "period", "node"], how="left")
    out["node_type"] = out["node"].map(node_types)
    if any(i.role == "context" for i in profiles.framework.indicators):
        banded = difficulty_bands(profiles, bands=bands)[["mission", "period", "band"]]
        out = out.merge(banded, on=["mission", "period"], how="left")
        out["band"] = out["band"].astype("Int64")
    else:
        if within_band:
            raise ArgumentError(
                f"within_band=True needs a context index, and framework "
                f"'{profiles.framework.id}' has no context indicator"
            )
        out["band"] = pd.array([pd.NA] * len(out), dtype="Int64")
    if within_band:
        no_band = out["period"].notna() & out["band"].isna()
        out.loc[no_band, "note"] = "no context index: not ranked within a band"
        ranked = _ranked(out[~no_band].copy(), ["node", "band"])
        out = pd.concat([ranked, out[no_band]]).sort_index()
    else:
        out = _ranked(out, ["node"])
    out["n_ranked"] = out["n_ranked"].fillna(0).astype(np.int64)
    out["coverage"] = out["coverage"].astype(float)
    out["complete"] = out["complete"].astype("boolean")
    out = out.reset_index(drop=True)
    for column in ("mission", "period", "phase", "node", "node_type", "note"):
        out[column] = _objects(out[column], out.index)
    return out[list(COMPARISON_COLUMNS)].reset_index(drop=True)


def rank_missions(
    profiles: Profiles,
    *,
    period: object = None,
    phase: str | None = None,
    years: float | None = None,
    nodes: str | Sequence[str] = "root",
    view: str = "tree",
    align: Align | None = None,
    starts: Mapping[str, object] | None = None,
    within_band: bool = False,
    bands: int | Sequence[float] = 3,
    missions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Missions ranked on each node, with the gap to the peer median and the percentile.

    The selection and the arguments are those of :func:`compare_missions` (by default the
    headline, ``nodes="root"``). Ranks follow COINr's ``rank_df``: 1 for the highest score, ties
    share the best (lowest) rank (``ties.method = "min"``, sport ranking: 1, 2, 2, 4), missing
    scores are not ranked.

    Returns
    -------
    pandas.DataFrame
        Columns (:data:`RANK_COLUMNS`) ``node``, ``rank``, ``mission``, ``period``, ``phase``,
        ``band``, ``score``, ``n_ranked``, ``gap_to_median`` and ``percentile`` (as in
        :func:`compare_missions`), sorted by node (in the profiles' order), band when
        ``within_band``, rank and mission; missions without a score come last in each node.

    Warns
    -----
    MixedPhasesWarning
        When the missions ranked are in different lifecycle phases.
    """
    table = _compare(
        profiles,
        period=period,
        phase=phase,
        years=years,
        nodes=nodes,
        view=view,
        align=align,
        starts=starts,
        within_band=within_band,
        bands=bands,
        missions=missions,
        stacklevel=4,
    )
    order = {n: i for i, n in enumerate(dict.fromkeys(table["node"]))}
    table["_node"] = table["node"].map(order)
    keys = ["_node", "band", "rank", "mission"] if within_band else ["_node", "rank", "mission"]
    table = table.sort_values(keys, na_position="last", kind="stable")
    return table[list(RANK_COLUMNS)].reset_index(drop=True)


# ---------------------------------------------------------------------------- nearest peers
def nearest_peers(
    profiles: Profiles,
    mission: str,
    *,
    k: int = 3,
    nodes: str | Sequence[str] = "dimension",
    metric: Literal["euclidean", "manhattan"] = "euclidean",
    period: object = None,
    phase: str | None = None,
    years: float | None = None,
    view: str = "tree",
    align: Align | None = None,
    starts: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """The missions whose profiles are closest to a mission's, by distance over node scores.

    The distance is over the nodes (by default the dimensions) that both missions have a score
    on, scaled to all ``p`` nodes compared (Dixon 1979; R's ``stats::dist`` does the same):
    with ``m`` common nodes, euclidean ``sqrt((p / m) * sum((x - y)^2))`` and manhattan
    ``(p / m) * sum(|x - y|)``, so that a pair with fewer common nodes is not made closer by
    what is missing. Scores are on the same 0-100 scale, so no further standardisation is
    applied. A peer with no node in common has no distance (``NaN``) and comes last; a mission
    with no period in the selection is no peer (:func:`compare_missions` lists it, with its
    ``note``).

    Parameters
    ----------
    profiles : Profiles
        Scored profiles.
    mission : str
        The mission whose peers are sought.
    k : int, default 3
        How many peers; peers tied with the ``k``-th nearest are all kept.
    nodes : str or sequence of str, default "dimension"
        The nodes compared, as in :func:`compare_missions`.
    metric : {"euclidean", "manhattan"}, default "euclidean"
        The distance.
    period, phase, years, view, align, starts
        The selection of one period per mission, as in :func:`compare_missions`.

    Returns
    -------
    pandas.DataFrame
        Columns (:data:`PEER_COLUMNS`) ``mission``, ``period``, ``phase`` (of the mission),
        ``peer``, ``peer_period``, ``peer_phase``, ``distance``, ``n_common`` (nodes both have
        a score on) and ``rank`` (1 nearest; ties share the best rank), nearest first.

    Warns
    -----
    MixedPhasesWarning
        When the mission and its peers are in different lifecycle phases.

    Raises
    ------
    ArgumentError
        If the mission is not in the profiles or has no period in the selection, or for a bad
        ``k`` or ``metric``.
    """
    if metric not in ("euclidean", "manhattan"):
        raise ArgumentError(f"metric must be 'euclidean' or 'manhattan'; got {metric!r}")
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ArgumentError(f"k must be a whole number of peers, 1 or more; got {k!r}")
    table = _compare(
        profiles,
        period=period,
        phase=phase,
        years=years,
        nodes=nodes,
        view=view,
        align=align,
        starts=starts,
        stacklevel=4,
    )
    own = _own_rows(table, mission)
    wide = table.pivot(index="mission", columns="node", values="score")
    wide = wide[list(dict.fromkeys(table["node"]))]
    meta = table.drop_duplicates("mission").set_index("mission")
    x = wide.loc[str(mission)].to_numpy(dtype=float)
    p = x.size
    rows = []
    for peer in wide.index:
        if peer == str(mission) or meta.at[peer, "period"] is None:
            continue
        y = wide.loc[peer].to_numpy(dtype=float)
        common = ~np.isnan(x) & ~np.isnan(y)
        m = int(common.sum())
        if m == 0:
            distance = np.nan
        elif metric == "euclidean":
            distance = float(np.sqrt(p / m * ((x[common] - y[common]) ** 2).sum()))
        else:
            distance = float(p / m * np.abs(x[common] - y[common]).sum())
        rows.append(
            {
                "mission": str(mission),
                "period": own["period"],
                "phase": own["phase"],
                "peer": peer,
                "peer_period": meta.at[peer, "period"],
                "peer_phase": meta.at[peer, "phase"],
                "distance": distance,
                "n_common": m,
            }
        )
    out = pd.DataFrame(rows, columns=[c for c in PEER_COLUMNS if c != "rank"])
    out["distance"] = out["distance"].astype(float)
    out["n_common"] = out["n_common"].astype(np.int64)
    out["rank"] = out["distance"].rank(method="min").astype("Int64")
    out = out.sort_values(["distance", "peer"], na_position="last", kind="stable")
    out = out[(out["rank"] <= k).fillna(False).to_numpy(dtype=bool)]
    return out[list(PEER_COLUMNS)].reset_index(drop=True)


def _own_rows(table: pd.DataFrame, mission: str) -> pd.Series:
    rows = table[table["mission"] == str(mission)]
    if rows.empty:
        known = list(dict.fromkeys(table["mission"]))
        raise ArgumentError(
            f"mission {mission!r} is not in these profiles; missions: {', '.join(known)}"
        )
    first = rows.iloc[0]
    if first["period"] is None:
        raise ArgumentError(f"mission {mission!r} has no period in this selection: {first['note']}")
    return first


# -------------------------------------------------------------------- strengths, weaknesses
def strengths_weaknesses(
    profiles: Profiles,
    mission: str,
    *,
    n: int = 5,
    use: Literal["rank", "score"] = "rank",
    min_discard: bool = False,
    period: object = None,
    phase: str | None = None,
    years: float | None = None,
    align: Align | None = None,
    starts: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """A mission's strengths and weaknesses: the indicators it ranks best and worst on.

    After COINr's ``get_str_weak`` (Becker et al. 2022): each indicator's scores (0-100, 100
    best, so directions are already adjusted) are ranked across the missions compared (one
    period each, as in :func:`compare_missions`), 1 best, ties sharing the best rank; the
    mission's indicators are sorted by its rank, the first ``n`` are its strengths and the last
    ``n`` its weaknesses. Indicators the mission has no score on are left out, as in COINr.

    Differences from COINr, on purpose: (1) indicators on which every mission compared ties
    are always left out: a rank shared by all says nothing about the mission; (2)
    ``min_discard`` (COINr's option, which drops every indicator on which the mission has the
    worst rank, from both lists) is ``False`` by default here, where COINr's default is
    ``TRUE``: it would hide from the weaknesses the indicators the mission does worst on;
    (3) a weakness is never also listed as a strength: with fewer than ``2 n`` indicators the
    strengths take the better half; (4) ``use="score"`` sorts by the mission's own scores
    instead of its ranks (ties broken by rank, then by the framework's order).

    Parameters
    ----------
    profiles : Profiles
        Scored profiles.
    mission : str
        The mission.
    n : int, default 5
        Strengths and weaknesses reported, each.
    use : {"rank", "score"}, default "rank"
        Sort the mission's indicators by its rank among missions or by its score.
    min_discard : bool, default False
        Drop indicators on which the mission has the worst rank (COINr's ``min_discard``).
    period, phase, years, align, starts
        The selection of one period per mission, as in :func:`compare_missions`.

    Returns
    -------
    pandas.DataFrame
        Columns (:data:`STRENGTH_COLUMNS`) ``mission``, ``period``, ``phase``, ``kind``
        (``strength`` or ``weakness``), ``indicator``, ``name``, ``dimension`` (the id of the
        dimension it belongs to), ``score``, ``rank`` and ``n_units`` (missions with a score on
        the indicator); strengths first, best first, then weaknesses, worst last.

    Warns
    -----
    MixedPhasesWarning
        When the missions compared are in different lifecycle phases.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ArgumentError(f"n must be a whole number, 1 or more; got {n!r}")
    if use not in ("rank", "score"):
        raise ArgumentError(f"use must be 'rank' or 'score'; got {use!r}")
    table = _compare(
        profiles,
        period=period,
        phase=phase,
        years=years,
        nodes="indicator",
        view="tree",
        align=align,
        starts=starts,
        stacklevel=4,
    )
    own = _own_rows(table, mission)
    rows = table[(table["mission"] == str(mission)) & table["score"].notna()].copy()
    worst = table.groupby("node")["rank"].max()
    all_tied = table.groupby("node")["rank"].nunique() == 1  # NaN (no score) not counted
    informative = ~rows["node"].map(all_tied).astype(bool)
    rows = rows[informative.to_numpy()]
    if min_discard:
        rows = rows[(rows["rank"] != rows["node"].map(worst)).to_numpy(dtype=bool)]
    order = {ind: i for i, ind in enumerate(profiles.framework.indicator_ids)}
    rows["_order"] = rows["node"].map(order)
    if use == "rank":
        rows = rows.sort_values(["rank", "_order"], kind="stable")
    else:
        rows = rows.sort_values(["score", "rank", "_order"], ascending=[False, True, True])
    total = len(rows)
    n_strong = min(n, math.ceil(total / 2))
    n_weak = min(n, total - n_strong)
    strong = rows.iloc[:n_strong].assign(kind="strength")
    weak = rows.iloc[total - n_weak :].assign(kind="weakness") if n_weak else rows.iloc[:0]
    out = pd.concat([strong, weak.assign(kind="weakness")], ignore_index=True)
    fw = profiles.framework
    out["indicator"] = out["node"]
    out["name"] = [fw.indicator(i).name for i in out["indicator"]]
    out["dimension"] = [fw.dimension_of(i) for i in out["indicator"]]
    out["n_units"] = out["n_ranked"].astype(np.int64)
    out["period"] = own["period"]
    out["phase"] = own["phase"]
    return out[list(STRENGTH_COLUMNS)].reset_index(drop=True)
