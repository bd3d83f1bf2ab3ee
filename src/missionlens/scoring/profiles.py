"""Mission profiles: the scores of every mission, period and node, with their provenance.

:func:`score` is the entry point; it returns a :class:`Profiles` object that holds the tidy score
table, the framework, the recipe and the input data, so that it can regenerate itself, be saved
and loaded without loss, and refuse comparisons with profiles made another way.
"""

from __future__ import annotations

import html
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from missionlens.errors import IncompatibleProfilesError, MissionLensError, RecipeError
from missionlens.framework.model import Framework
from missionlens.scoring.fingerprints import data_fingerprint
from missionlens.scoring.prepare import prepare
from missionlens.scoring.recipe import Recipe
from missionlens.scoring.state import ScoringState
from missionlens.scoring.steps import run_recipe

__all__ = ["PROFILE_COLUMNS", "IncompatibleProfilesError", "Profiles", "score"]

#: Columns of :meth:`Profiles.to_frame`, in order.
PROFILE_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "phase",
    "view",
    "node",
    "node_type",
    "level",
    "score",
    "n_indicators",
    "coverage",
    "imputed_share",
)

_FORMAT = "missionlens-profiles/1"


def score(
    source: pd.DataFrame,
    *,
    framework: Framework,
    recipe: Recipe | None = None,
    unknown_columns: Literal["error", "ignore"] = "error",
) -> Profiles:
    """Score missions: assessments or indicator values in, comparable profiles out.

    Parameters
    ----------
    source : pandas.DataFrame
        Either a long table with columns ``mission``, ``period``, ``indicator``, ``value``
        (optionally ``phase``, ``rater`` and the other assessment columns; several raters'
        values for one cell are consolidated first, with the recipe's ``consolidate``
        setting), or a wide table with one row per mission and period, one column per
        indicator id, and any other columns (``phase``, denominators, grouping columns).
    framework : Framework
        The framework the values were entered for.
    recipe : Recipe, optional
        The scoring recipe; :meth:`Recipe.default` if not given.
    unknown_columns : {"error", "ignore"}
        For a wide table: refuse (default) or keep unused the columns that are neither
        indicator ids, unit columns (mission, period, phase, period_start, period_end) nor
        columns a recipe step reads, so that a misspelt indicator column is never silently
        ignored.

    Returns
    -------
    Profiles

    Raises
    ------
    ScoringInputError
        If the data cannot be scored (unknown indicators, values outside their scale, text in
        value columns, ...), listing every problem.
    RecipeError
        If a step cannot be applied (naming the step and what it needed).

    Examples
    --------
    >>> import missionlens as ml
    >>> fw = ml.load_framework("whole-of-mission")
    >>> data = pd.DataFrame({"mission": ["A", "B"], "period": ["2024", "2024"],
    ...                      "pol_01": [5, 2], "pol_02": [4, 1], "pol_03": [4, 2]})
    >>> w = ml.score(data, framework=fw).wide()
    >>> w["pol_strategy"].round(1).tolist()
    [83.3, 16.7]

    Three of the five indicators of ``pol_strategy`` are enough for a score (the default rule
    needs half of the weight); the political dimension, with 3 of 12, stays missing:

    >>> bool(np.isnan(w.loc[("A", "2024"), "political"]))
    True
    """
    recipe = recipe or Recipe.default()
    _check_facets(framework, recipe)
    state, data = prepare(source, framework, recipe, unknown_columns=unknown_columns)
    state = run_recipe(state, recipe)
    table = _tidy(state, recipe)
    return Profiles(
        table=table,
        framework=framework,
        recipe=recipe,
        data=data,
        log=pd.DataFrame(list(state.log)),
        unknown_columns=unknown_columns,
    )


def facet_views(framework: Framework, recipe: Recipe) -> list[str]:
    """The facets scored beside the tree: the recipe's list, or ``level`` and every facet the
    framework declares other than ``phase``."""
    if recipe.settings.facets is not None:
        return list(recipe.settings.facets)
    declared = [f.id for f in framework.facets if f.id not in ("level", "phase")]
    return ["level", *declared]


def _check_facets(framework: Framework, recipe: Recipe) -> None:
    declared = [f.id for f in framework.facets] + ["level", "phase"]
    unknown = [f for f in facet_views(framework, recipe) if f not in declared]
    if unknown:
        raise RecipeError(
            f"recipe '{recipe.name}': settings.facets names {unknown}, which framework "
            f"'{framework.id}' does not declare (declared: {', '.join(dict.fromkeys(declared))})"
        )


# ------------------------------------------------------------------------------ tidy table
def _global_weights(fw: Framework, weights: dict[str, float]) -> dict[str, float]:
    """Each indicator's share of the root: product of its normalised weights up the tree."""
    out: dict[str, float] = {}
    for ind in fw.indicator_ids:
        share = 1.0
        element = ind
        for parent in fw.ancestors(ind):
            siblings = fw.children(parent)
            total = sum(weights[s] for s in siblings)
            share *= weights[element] / total if total > 0 else 0.0
            element = parent
        out[ind] = share
    return out


def _facet_blocks(
    state: ScoringState, recipe: Recipe
) -> list[tuple[str, list[str], np.ndarray, np.ndarray]]:
    """Facet views: (facet id, value ids, scores units x values, membership indicators x values)."""
    from missionlens.scoring.kernels.aggregate import aggregate

    fw = state.framework
    assert state.normalised is not None
    gw = _global_weights(fw, state.weights)
    w = np.array([gw[i] for i in state.indicators])
    declared = {f.id for f in fw.facets} | {"level", "phase"}
    blocks = []
    for facet_id in facet_views(fw, recipe):
        if facet_id not in declared:
            continue
        members = fw.facet_membership(facet_id)
        if members.empty:
            continue
        value_ids = [v for v in fw.facet(facet_id).value_ids if v in set(members["value"])]
        member = np.zeros((len(state.indicators), len(value_ids)), dtype=bool)
        rows = pd.Index(state.indicators).get_indexer(members["indicator"])
        cols = pd.Index(value_ids).get_indexer(members["value"])
        member[rows, cols] = True
        scores = np.full((state.normalised.shape[0], len(value_ids)), np.nan)
        for k in range(len(value_ids)):
            sel = member[:, k] & (w > 0)
            if sel.any():
                scores[:, k], _ = aggregate(
                    state.normalised[:, sel],
                    w[sel],
                    "arithmetic",
                    rule="reweight",
                    min_share=recipe.settings.facet_min_share,
                    applicable=state.applicable[:, sel],
                )
        blocks.append((facet_id, value_ids, scores, member))
    return blocks


def _contributions(
    state: ScoringState, present: np.ndarray, imputed: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per unit and tree node: how many indicator values the node's score rests on, and how
    many of those were imputed (values below a child that is missing do not count)."""
    fw = state.framework
    assert state.node_scores is not None  # set by the aggregate step (not an input check)
    node_pos = {n: k for k, n in enumerate(fw.node_ids)}
    n_units = present.shape[0]
    used = np.zeros((n_units, len(fw.nodes)))
    used_imputed = np.zeros((n_units, len(fw.nodes)))
    for node in sorted(fw.node_ids, key=lambda n: -fw.depth(n)):
        total = np.zeros(n_units)
        total_imputed = np.zeros(n_units)
        for child in fw.children(node):
            if child in node_pos:
                ok = ~np.isnan(state.node_scores[:, node_pos[child]])
                total += np.where(ok, used[:, node_pos[child]], 0.0)
                total_imputed += np.where(ok, used_imputed[:, node_pos[child]], 0.0)
            else:
                j = state.column(child)
                total += present[:, j]
                total_imputed += imputed[:, j]
        scored = ~np.isnan(state.node_scores[:, node_pos[node]])
        used[:, node_pos[node]] = np.where(scored, total, 0.0)
        used_imputed[:, node_pos[node]] = np.where(scored, total_imputed, 0.0)
    return used, used_imputed


def _tidy(state: ScoringState, recipe: Recipe) -> pd.DataFrame:
    """The long score table: one row per unit and element (indicator, node, facet value)."""
    fw = state.framework
    assert state.normalised is not None and state.node_scores is not None
    n_units, n_ind = state.normalised.shape
    present = ~np.isnan(state.normalised)
    imputed = state.imputed & present
    counted = state.applicable | present  # what coverage counts: applicable or entered

    below = fw.membership()  # indicators x nodes
    used, used_imputed = _contributions(state, present, imputed)

    element_ids: list[str] = list(state.indicators) + list(fw.node_ids)
    views: list[str] = ["tree"] * (n_ind + len(fw.nodes))
    types: list[str] = ["indicator"] * n_ind + [fw.node_type(n) for n in fw.node_ids]
    levels: list[str | None] = [fw.indicator(i).level for i in state.indicators] + [
        fw.node(n).level for n in fw.node_ids
    ]
    score_blocks = [state.normalised, state.node_scores]
    membership = [np.eye(n_ind, dtype=bool), below]
    for facet_id, value_ids, scores, member in _facet_blocks(state, recipe):
        element_ids += value_ids
        views += [facet_id] * len(value_ids)
        types += ["facet"] * len(value_ids)
        levels += value_ids if facet_id == "level" else [None] * len(value_ids)
        score_blocks.append(scores)
        membership.append(member)
    scores_all = np.hstack(score_blocks)
    member_all = np.hstack(membership).astype(np.float64)
    n_total = counted.astype(np.float64) @ member_all
    n_present = present.astype(np.float64) @ member_all
    n_imputed = imputed.astype(np.float64) @ member_all
    # values a score rests on: for tree nodes, only through children that have a score
    n_used = np.where(np.isnan(scores_all), 0.0, n_present)
    n_used_imputed = np.where(np.isnan(scores_all), 0.0, n_imputed)
    tree_nodes = slice(n_ind, n_ind + len(fw.nodes))
    n_used[:, tree_nodes] = used
    n_used_imputed[:, tree_nodes] = used_imputed
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(n_total > 0, n_present / np.maximum(n_total, 1), np.nan)
        imputed_share = np.where(n_used > 0, n_used_imputed / np.maximum(n_used, 1), np.nan)

    m = len(element_ids)
    unit_rows = np.repeat(np.arange(n_units), m)
    elem_cols = np.tile(np.arange(m), n_units)
    units = state.units

    def cat(values: list[Any] | pd.Series, codes: np.ndarray) -> pd.Categorical:
        inverse, uniques = pd.factorize(pd.Series(values, dtype=object))
        return pd.Categorical.from_codes(inverse[codes], categories=pd.Index(uniques, dtype=object))

    table = pd.DataFrame(
        {
            "mission": cat(units["mission"], unit_rows),
            "period": cat(units["period"], unit_rows),
            "phase": cat(units["phase"], unit_rows),
            "view": cat(views, elem_cols),
            "node": cat(element_ids, elem_cols),
            "node_type": cat(types, elem_cols),
            "level": cat(levels, elem_cols),
            "score": scores_all.reshape(-1),
            "n_indicators": n_used.reshape(-1).astype(np.int64),
            "coverage": coverage.reshape(-1),
            "imputed_share": imputed_share.reshape(-1),
        }
    )
    return table


# ---------------------------------------------------------------------------------- Profiles
class Profiles:
    """Scores of missions by period and node, with the recipe and data that made them.

    Do not build directly: use :func:`score` or :meth:`load`.

    Attributes
    ----------
    framework : Framework
    recipe : Recipe
    data : pandas.DataFrame
        The input as given to :func:`score`.
    log : pandas.DataFrame
        What the steps reported (imputed cells, outlier treatments, ...).
    fingerprints : dict
        ``framework``, ``recipe`` and ``data`` fingerprints.
    """

    def __init__(
        self,
        *,
        table: pd.DataFrame,
        framework: Framework,
        recipe: Recipe,
        data: pd.DataFrame,
        log: pd.DataFrame | None = None,
        unknown_columns: Literal["error", "ignore"] = "error",
    ) -> None:
        self._table = _canonical(table)
        self.unknown_columns = unknown_columns
        self.framework = framework
        self.recipe = recipe
        self.data = data
        self.log = log if log is not None else pd.DataFrame()
        self._fingerprints: dict[str, str] | None = None

    @property
    def fingerprints(self) -> dict[str, str]:
        """Fingerprints of the ``framework``, the ``recipe`` and the input ``data``.

        Computed on first use (the data fingerprint reads every input value) and then kept.
        """
        if self._fingerprints is None:
            self._fingerprints = {
                "framework": self.framework.fingerprint,
                "recipe": self.recipe.fingerprint,
                "data": data_fingerprint(self.data),
            }
        return dict(self._fingerprints)

    # ------------------------------------------------------------------------------ views
    def to_frame(self, view: str | None = "tree") -> pd.DataFrame:
        """The tidy score table.

        Parameters
        ----------
        view : str or None
            ``"tree"`` (default) for indicators and the framework's nodes, a facet id
            (``"level"``, ``"finding"``, ``"a4p"``) for that facet's view, ``None`` for all.

        Returns
        -------
        pandas.DataFrame
            Columns (see :data:`PROFILE_COLUMNS`): ``mission``, ``period``, ``phase``;
            ``view`` (``tree`` or a facet id); ``node`` (indicator id, node id or facet value);
            ``node_type`` (``indicator``, ``root``, ``dimension``, ``subdimension``,
            ``facet``); ``level`` (strategic, operational, tactical where known); ``score``
            (0-100, 100 best; ``NaN`` where the missing rule leaves it missing);
            ``n_indicators`` (the indicator values the score rests on: 0 where the score is
            missing, and values below a missing child do not count); ``coverage`` (the share of
            the node's indicators that apply in the unit's lifecycle phase and have a value);
            ``imputed_share`` (share of those present that
            were imputed).
        """
        if view is None:
            return self._table.copy()
        known = set(self._table["view"].cat.categories)
        if view not in known:
            raise KeyError(f"no view {view!r}; views: {', '.join(sorted(known))}")
        return self._table[self._table["view"] == view].reset_index(drop=True)

    def wide(
        self, *, node_type: str | None = None, view: str = "tree", value: str = "score"
    ) -> pd.DataFrame:
        """Missions and periods by nodes: one row per (mission, period), one column per node.

        ``node_type`` restricts the columns (e.g. ``"dimension"``); ``value`` picks the
        column of :meth:`to_frame` to spread (``score``, ``coverage``, ...).
        """
        table = self.to_frame(view)
        if node_type is not None:
            table = table[table["node_type"] == node_type]
        order = list(dict.fromkeys(table["node"].astype(str)))
        keyed = pd.DataFrame(
            {
                "mission": table["mission"].astype(str).to_numpy(),
                "period": table["period"].astype(str).to_numpy(),
                "node": table["node"].astype(str).to_numpy(),
                value: table[value].to_numpy(),
            }
        )
        wide = keyed.set_index(["mission", "period", "node"])[value].unstack("node")
        wide.columns.name = "node"
        units = keyed[["mission", "period"]].drop_duplicates()
        wide = wide.reindex(pd.MultiIndex.from_frame(units))
        return wide[order]

    def rank(self, node: str | None = None, *, by_period: bool = True) -> pd.DataFrame:
        """Rank missions on a node (default: the root), 1 for the highest score.

        Returns
        -------
        pandas.DataFrame
            Columns ``mission``, ``period``, ``node``, ``score``, ``rank`` (ties share the
            best rank; missing scores are not ranked), sorted by period and rank.
        """
        node = node or self.framework.root.id
        table = self._table[(self._table["view"] == "tree") & (self._table["node"] == node)]
        if table.empty:
            raise KeyError(f"no node {node!r} in these profiles")
        out = table[["mission", "period", "node", "score"]].copy()
        for col in ("mission", "period", "node"):
            out[col] = out[col].astype(str)
        groups = out.groupby("period")["score"] if by_period else out["score"]
        out["rank"] = groups.rank(method="min", ascending=False).astype("Int64")
        return out.sort_values(["period", "rank", "mission"]).reset_index(drop=True)

    # ------------------------------------------------------------------------ provenance
    def regenerate(self, recipe: Recipe | None = None) -> Profiles:
        """Score the stored data again with the stored recipe (or another one)."""
        return score(
            self.data,
            framework=self.framework,
            recipe=recipe or self.recipe,
            unknown_columns=self.unknown_columns,
        )

    def equals(self, other: Profiles) -> bool:
        """Same fingerprints and the same score table (values compared exactly)."""
        if not isinstance(other, Profiles) or self.fingerprints != other.fingerprints:
            return False
        a, b = self._table, other._table
        if list(a.columns) != list(b.columns) or len(a) != len(b):
            return False
        for col in a.columns:
            left, right = a[col], b[col]
            if left.dtype.kind == "f":
                if not np.array_equal(left.to_numpy(), right.to_numpy(), equal_nan=True):
                    return False
            else:
                lvals = left.astype(object).to_numpy()
                rvals = right.astype(object).to_numpy()
                lmiss, rmiss = pd.isna(lvals), pd.isna(rvals)
                if not (lmiss == rmiss).all() or not (lvals[~lmiss] == rvals[~rmiss]).all():
                    return False
        return True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Profiles) and self.equals(other)

    __hash__ = None  # type: ignore[assignment]

    def check_compatible(self, other: Profiles, *, allow_mixed: bool = False) -> None:
        """Raise :class:`IncompatibleProfilesError` unless both were made the same way."""
        problems = [
            f"{key}: {mine} vs {theirs}"
            for key, mine, theirs in (
                ("framework", self.framework.fingerprint, other.framework.fingerprint),
                ("recipe", self.recipe.fingerprint, other.recipe.fingerprint),
            )
            if mine != theirs
        ]
        if problems and not allow_mixed:
            raise IncompatibleProfilesError(
                "these profiles were made differently and their scores are not comparable ("
                + "; ".join(problems)
                + f"). Framework '{self.framework.id}' v{self.framework.version} vs "
                f"'{other.framework.id}' v{other.framework.version}; recipe "
                f"'{self.recipe.name}' vs '{other.recipe.name}'. Pass allow_mixed=True to "
                "combine them anyway."
            )

    def compare(
        self, other: Profiles, *, view: str = "tree", allow_mixed: bool = False
    ) -> pd.DataFrame:
        """Score differences between two profiles, unit by unit and node by node.

        Use it for the change between two assessment rounds of the same missions, or (with
        ``allow_mixed=True``) for what another recipe would change.

        Returns
        -------
        pandas.DataFrame
            Columns ``mission``, ``period``, ``node``, ``node_type``, ``score``,
            ``score_other`` and ``difference`` (``score_other - score``), for the units and
            nodes present in both.

        Raises
        ------
        IncompatibleProfilesError
            If framework or recipe differ and ``allow_mixed`` is false.
        """
        self.check_compatible(other, allow_mixed=allow_mixed)
        keys = ["mission", "period", "node", "node_type"]

        def frame(p: Profiles) -> pd.DataFrame:
            table = p.to_frame(view)[[*keys, "score"]]
            return table.astype({k: str for k in keys})

        merged = frame(self).merge(frame(other), on=keys, suffixes=("", "_other"))
        merged["difference"] = merged["score_other"] - merged["score"]
        return merged.reset_index(drop=True)

    @classmethod
    def concat(cls, profiles: list[Profiles], *, allow_mixed: bool = False) -> pd.DataFrame:
        """The score tables of several profiles in one table, if they are comparable.

        With ``allow_mixed=True`` the result gains the columns ``framework_fingerprint`` and
        ``recipe_fingerprint`` so that mixed rows stay identifiable.
        """
        if not profiles:
            raise ValueError("no profiles to combine")
        for other in profiles[1:]:
            profiles[0].check_compatible(other, allow_mixed=allow_mixed)
        frames = []
        for p in profiles:
            frame = p.to_frame(None).astype({c: str for c in ("mission", "period", "node")})
            if allow_mixed:
                frame["framework_fingerprint"] = p.framework.fingerprint
                frame["recipe_fingerprint"] = p.recipe.fingerprint
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def to_csv(self, path: str | Path, view: str | None = None) -> Path:
        """Write the score table (``view`` as in :meth:`to_frame`, default all) as CSV.

        Text cells that a spreadsheet could run as a formula (starting with ``=``, ``+``,
        ``-``, ``@``, a tab or a carriage return) are written with a leading apostrophe, as
        :func:`missionlens.write_assessments` does; :meth:`save` is the lossless format.
        """
        from missionlens.text import quote_series

        table = self.to_frame(view)
        for column in ("mission", "period", "phase", "view", "node", "node_type", "level"):
            table[column] = quote_series(table[column].astype(object))
        path = Path(path)
        table.to_csv(path, index=False, encoding="utf-8-sig")  # the BOM tells Excel it is UTF-8
        return path

    # --------------------------------------------------------------------------- save/load
    def save(self, path: str | Path) -> Path:
        """Write everything to one zip file: scores and data as Parquet, framework and recipe
        as YAML, fingerprints as JSON. No pickle."""
        path = Path(path)
        parts = {
            "framework.yaml": self.framework.to_yaml().encode("utf-8"),
            "recipe.yaml": self.recipe.to_yaml().encode("utf-8"),
            "scores.parquet": _parquet(self._table, "the score table"),
            "data.parquet": _parquet(self.data, "the input data"),
            "log.json": self.log.to_json(orient="records", force_ascii=False).encode("utf-8"),
            "meta.json": json.dumps(
                {
                    "format": _FORMAT,
                    "fingerprints": self.fingerprints,
                    "unknown_columns": self.unknown_columns,
                }
            ).encode("utf-8"),
        }
        # write next to the target, then move it into place: no half-written file is left
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(handle)
        try:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for name, payload in parts.items():
                    archive.writestr(name, payload)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        return path

    @classmethod
    def load(cls, path: str | Path) -> Profiles:
        """Read profiles written by :meth:`save`; the fingerprints are checked."""
        with zipfile.ZipFile(path) as archive:
            meta = json.loads(archive.read("meta.json"))
            if meta.get("format") != _FORMAT:
                raise MissionLensError(f"{path}: not a missionlens profiles file")
            framework = Framework.from_yaml(archive.read("framework.yaml").decode("utf-8"))
            recipe = Recipe.from_yaml(archive.read("recipe.yaml").decode("utf-8"))
            table = pd.read_parquet(io.BytesIO(archive.read("scores.parquet")))
            data = pd.read_parquet(io.BytesIO(archive.read("data.parquet")))
            log = pd.read_json(io.StringIO(archive.read("log.json").decode("utf-8")))
        out = cls(
            table=table,
            framework=framework,
            recipe=recipe,
            data=data,
            log=log,
            unknown_columns=meta.get("unknown_columns", "error"),
        )
        if out.fingerprints != meta["fingerprints"]:
            raise MissionLensError(
                f"{path}: content does not match its fingerprints {meta['fingerprints']} "
                f"(recomputed {out.fingerprints}); the file was altered or is damaged"
            )
        return out

    # ------------------------------------------------------------------------------ display
    def __repr__(self) -> str:
        tree = self.to_frame("tree")
        return (
            f"<Profiles {tree['mission'].nunique()} missions x {tree['period'].nunique()} "
            f"periods, framework '{self.framework.id}' v{self.framework.version}, recipe "
            f"'{self.recipe.name}' ({self.recipe.fingerprint})>"
        )

    def _repr_html_(self) -> str:
        dims = self.wide(node_type="dimension").round(1)
        root = self.wide(node_type="root").round(1)
        table = pd.concat([root, dims], axis=1).to_html(na_rep="–")  # escapes cell text
        return f"<p>{html.escape(self.__repr__()[1:-1])}</p>" + table


def _canonical(table: pd.DataFrame) -> pd.DataFrame:
    """The score table with its text columns as categoricals of Python strings, whatever the
    reader (Parquet gives Arrow-backed categories)."""
    out = table.copy()
    for col in ("mission", "period", "phase", "view", "node", "node_type", "level"):
        values = out[col]
        if not isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype("category")
        cats = pd.Index(list(values.cat.categories), dtype=object)
        out[col] = pd.Categorical.from_codes(values.cat.codes.to_numpy(), categories=cats)
    return out


def _parquet(frame: pd.DataFrame, what: str) -> bytes:
    """A table as Parquet bytes; a column Parquet cannot store is named in the error."""
    import pyarrow as pa

    buffer = io.BytesIO()
    try:
        frame.to_parquet(buffer, index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        mixed = [
            str(c)
            for c in frame.columns
            if frame[c].dtype == object and frame[c].dropna().map(type).nunique() > 1  # type: ignore[union-attr]
        ]
        hint = f" (columns mixing types: {', '.join(mixed)})" if mixed else ""
        raise MissionLensError(
            f"cannot save {what} as Parquet{hint}: {exc}. Give each column one type (e.g. "
            "convert it with .astype(str)) and save again"
        ) from None
    return buffer.getvalue()
