"""Mission profiles: the scores of every mission, period and node, with their provenance.

:func:`score` is the entry point; it returns a :class:`Profiles` object that holds the tidy score
table, the framework, the recipe and the input data, so that it can regenerate itself, be saved
and loaded without loss, and refuse comparisons with profiles made another way.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import os
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml

from missionlens.assessments.validation import resolve_framework
from missionlens.atomic import atomic_write
from missionlens.errors import (
    ArchiveError,
    ArgumentError,
    IncompatibleProfilesError,
    IncompleteScoreWarning,
    MissionLensError,
    RecipeError,
)
from missionlens.framework.elements import BinaryScale, RubricScale
from missionlens.framework.model import Framework
from missionlens.periods import period_order
from missionlens.scoring.fingerprints import data_fingerprint
from missionlens.scoring.prepare import prepare
from missionlens.scoring.recipe import Recipe
from missionlens.scoring.state import ROLES, Role, ScoringState, node_applicability
from missionlens.scoring.steps import run_recipe
from missionlens.text import factorize, listing

__all__ = [
    "CRITICAL_COLUMNS",
    "MAX_ARCHIVE_BYTES",
    "MAX_COMPRESSION_RATIO",
    "MAX_MEMBER_BYTES",
    "PROFILE_COLUMNS",
    "UNUSED_COLUMNS",
    "UNUSED_REASONS",
    "IncompatibleProfilesError",
    "Profiles",
    "score",
]

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
    "weight_share",
    "missing_children",
    "complete",
    "n_values",
    "role",
)

#: The view of each role: the performance composite is the ``tree``, the context index
#: ``context``.
ROLE_VIEWS: dict[Role, str] = {"performance": "tree", "context": "context"}

#: Columns of :attr:`Profiles.critical_flags`, in order.
CRITICAL_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "phase",
    "indicator",
    "name",
    "node",
    "value",
    "level_label",
    "worst_label",
    "consolidated_worst",
    "raters_at_worst",
    "n_raters",
    "raters",
    "evidence",
)

#: Columns of :meth:`Profiles.summary`, in order.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "phase",
    "performance",
    "performance_coverage",
    "complete",
    "context",
    "context_coverage",
    "context_complete",
    "n_critical",
)

#: Columns of :meth:`Profiles.context_index`, in order.
CONTEXT_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "phase",
    "node",
    "node_type",
    "context",
    "n_indicators",
    "coverage",
    "weight_share",
    "missing_children",
    "complete",
)

#: Columns of :attr:`Profiles.unused`, in order.
UNUSED_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "phase",
    "indicator",
    "node",
    "value",
    "reason",
    "detail",
    "used_in",
)

#: Reasons of :attr:`Profiles.unused`.
UNUSED_REASONS: tuple[str, ...] = (
    "below_min_share",
    "propagated_missing",
    "zero_weight",
    "not_computable",
)

_TEXT_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "phase",
    "view",
    "node",
    "node_type",
    "level",
    "missing_children",
    "role",
)

_FORMAT = "missionlens-profiles/1"

#: Largest uncompressed size of one member of a profiles archive that :meth:`Profiles.load`
#: reads (512 MiB: far beyond any real score table, far below what would exhaust memory).
MAX_MEMBER_BYTES: int = 512 * 2**20

#: Largest uncompressed size of all members of a profiles archive together (1 GiB).
MAX_ARCHIVE_BYTES: int = 2**30

#: Largest compression ratio (uncompressed / compressed size) of a member larger than 1 MiB.
#: Parquet and YAML compress by 2 to 20 times; 200 leaves room and refuses zip bombs, whose
#: ratios reach 1000 (DEFLATE's maximum is about 1032).
MAX_COMPRESSION_RATIO: float = 200.0

#: Members below this size are never refused for their ratio (small text compresses well).
_RATIO_FLOOR = 2**20


def score(
    source: pd.DataFrame,
    *,
    framework: Framework | str,
    recipe: Recipe | dict[str, Any] | str | os.PathLike[str] | None = None,
    unknown_columns: Literal["error", "ignore"] = "error",
    timelines: Any = None,
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
    framework : Framework or str
        The framework the values were entered for: an object, or the name or path of one (as
        :func:`~missionlens.load_framework` takes it).
    recipe : Recipe, dict, str or path, optional
        The scoring recipe: an object, a mapping (:meth:`Recipe.from_dict`), YAML text, or the
        path of a YAML or JSON recipe file; :meth:`Recipe.default` if not given.
    unknown_columns : {"error", "ignore"}
        For a wide table: refuse (default) or keep unused the columns that are neither
        indicator ids, unit columns (mission, period, phase, period_start, period_end) nor
        columns a recipe step reads, so that a misspelt indicator column is never silently
        ignored.
    timelines : optional
        Phase timelines of the missions, as :func:`~missionlens.validate` takes them: an
        entry whose phase contradicts its mission's timeline is refused
        (``phase_contradicts_timeline``), and a row of a wide table without a phase is scored
        in the timeline's phase. The profiles do not store the timelines:
        :meth:`Profiles.regenerate` scores the stored data without them.

    Returns
    -------
    Profiles

    Raises
    ------
    ArgumentError
        If ``source`` is not a DataFrame, ``framework`` or ``recipe`` is of no accepted type,
        or ``unknown_columns`` is neither ``"error"`` nor ``"ignore"``.
    ScoringInputError
        If the data cannot be scored (unknown indicators, values outside their scale, text in
        value columns, ...), listing every problem.
    RecipeError
        If a step cannot be applied (naming the step and what it needed).

    Warns
    -----
    IncompleteScoreWarning
        If entered values are in no score of the tree (listed in :attr:`Profiles.unused`;
        except values of an indicator the framework itself gives weight 0, which are shown,
        not scored: listed, logged, not warned), or a root score was computed while a
        dimension that applies has no score (only possible when the framework or recipe lowers
        the root's ``min_share`` below its default of 1); the message names the missions,
        periods and nodes, and ``Profiles.log`` records it.

    Examples
    --------
    >>> import missionlens as ml
    >>> fw = ml.load_framework("whole-of-mission")
    >>> data = pd.DataFrame({"mission": ["A", "B"], "period": ["2024", "2024"],
    ...                      "pol_strategy_anchor": [5, 2], "pol_good_offices": [4, 1],
    ...                      "pol_local_conflict": [4, 2]})
    >>> w = ml.score(data, framework=fw).wide()
    >>> w["pol_strategy"].round(1).tolist()
    [83.3, 16.7]

    The three indicators of ``pol_strategy`` give it a score (A: the mean of 100, 75 and 75);
    the political dimension stays missing, since ``pol_strategy`` carries 30 % of its
    performance weight and the default rule needs half:

    >>> bool(np.isnan(w.loc[("A", "2024"), "political"]))
    True

    Every value here is in the score of ``pol_strategy``, so none is unused:

    >>> ml.score(data, framework=fw).unused.empty
    True
    """
    if not isinstance(source, pd.DataFrame):
        raise ArgumentError(
            "score: source must be a pandas DataFrame of assessments or indicator values (read "
            f"files with ml.read_assessments), not {type(source).__name__}"
        )
    resolved = resolve_framework(framework, "score")
    if resolved is None:
        raise ArgumentError(
            "score: framework is required: a Framework, or the name or path of one (see "
            "ml.list_frameworks())"
        )
    framework = resolved
    recipe = resolve_recipe(recipe, "score")
    if unknown_columns not in ("error", "ignore"):
        raise ArgumentError(
            f"score: unknown_columns must be 'error' or 'ignore', not {unknown_columns!r}"
        )
    _check_facets(framework, recipe)
    state, data = prepare(
        source, framework, recipe, unknown_columns=unknown_columns, timelines=timelines
    )
    state = run_recipe(state, recipe)
    return profiles_from_state(state, recipe, data, unknown_columns=unknown_columns, stacklevel=3)


def resolve_recipe(recipe: object, where: str) -> Recipe:
    """The recipe object for a ``recipe=`` argument.

    ``None`` is :meth:`Recipe.default`; a :class:`Recipe` is used as it is; a mapping is read
    with :meth:`Recipe.from_dict`; a path (``.json``: :meth:`Recipe.from_json`, else
    :meth:`Recipe.from_yaml`) or YAML text with :meth:`Recipe.from_yaml`.

    Raises
    ------
    ArgumentError
        If ``recipe`` is none of these (the message names the argument and the function).
    RecipeError
        If the mapping, file or text is not a valid recipe.
    """
    if recipe is None:
        return Recipe.default()
    if isinstance(recipe, Recipe):
        return recipe
    if isinstance(recipe, dict):
        return Recipe.from_dict(recipe)
    if isinstance(recipe, str | os.PathLike):
        text = os.fspath(recipe)
        if isinstance(text, bytes):  # pragma: no cover - a bytes path
            raise ArgumentError(f"{where}: recipe path must be text, not bytes")
        single_line = "\n" not in text
        if single_line and text.lower().endswith((".json", ".yaml", ".yml")):
            if not Path(text).is_file():
                raise RecipeError(f"{where}: recipe file not found: {text}")
            if text.lower().endswith(".json"):
                return Recipe.from_json(Path(text))
            return Recipe.from_yaml(Path(text))
        if isinstance(recipe, os.PathLike):
            return Recipe.from_yaml(Path(text))
        return Recipe.from_yaml(text)
    raise ArgumentError(
        f"{where}: recipe must be a Recipe, a dict, YAML text or the path of a YAML or JSON "
        f"recipe file, not {type(recipe).__name__}"
    )


def profiles_from_state(
    state: ScoringState,
    recipe: Recipe,
    data: pd.DataFrame,
    *,
    unknown_columns: Literal["error", "ignore"] = "error",
    stacklevel: int = 2,
) -> Profiles:
    """The :class:`Profiles` of a scoring state after the recipe's last step.

    Derives the tidy score table, the facet views and the accounting of unused values from the
    state's dense arrays; warns (:class:`~missionlens.IncompleteScoreWarning`) as
    :func:`score` does. ``score`` is ``prepare``, ``run_recipe`` and this.
    """
    framework = state.framework
    if state.normalised is None or state.node_scores is None:
        raise RecipeError("the recipe did not normalise and aggregate: nothing to profile")
    trees = _role_trees(state)
    blocks = _facet_blocks(trees["performance"][0], recipe)
    unused = _unused(state, blocks, trees)
    final = state

    def table() -> pd.DataFrame:
        return _tidy(final, blocks, trees)

    incomplete = {role: _incomplete_roots(*tree) for role, tree in trees.items()}
    state, messages = _account(state, unused, incomplete)
    flags, state = _critical_flags(state)
    for message in messages:
        warnings.warn(message, IncompleteScoreWarning, stacklevel=stacklevel)
    return Profiles(
        table=table,
        framework=framework,
        recipe=recipe,
        data=data,
        log=pd.DataFrame(list(state.log)),
        unknown_columns=unknown_columns,
        unused=unused,
        critical_flags=flags,
    )


def _role_trees(state: ScoringState) -> dict[Role, tuple[ScoringState, np.ndarray]]:
    """Per role with indicators (the performance tree always): the state as that role's tree
    sees it (:meth:`ScoringState.for_role`) and its missing children per unit and node."""
    trees: dict[Role, tuple[ScoringState, np.ndarray]] = {}
    for role in ROLES:
        if role == "performance" or state.has_role(role):
            seen = state.for_role(role)
            if seen.node_scores is None:  # a state aggregated before roles existed
                shape = (len(state.units), len(state.framework.nodes))
                seen = replace(seen, node_scores=np.full(shape, np.nan))
            normalised = seen.normalised
            assert normalised is not None  # checked by profiles_from_state
            trees[role] = (seen, _tree_missing(seen, ~np.isnan(normalised)))
    return trees


def facet_views(framework: Framework, recipe: Recipe) -> list[str]:
    """The facets scored beside the tree: the recipe's list, or ``level`` and every facet the
    framework declares other than ``phase``."""
    if recipe.settings.facets is not None:
        return list(recipe.settings.facets)
    declared = [f.id for f in framework.facets if f.id not in ("level", "phase")]
    return ["level", *declared]


def _check_facets(framework: Framework, recipe: Recipe) -> None:
    declared = [f.id for f in framework.facets] + ["level", "phase"]
    views = facet_views(framework, recipe)
    unknown = [f for f in views if f not in declared]
    if unknown:
        raise RecipeError(
            f"recipe '{recipe.name}': settings.facets names {listing(unknown)}, which framework "
            f"'{framework.id}' does not declare (declared: {', '.join(dict.fromkeys(declared))})"
        )
    has_context = any(i.role == "context" for i in framework.indicators)
    if has_context and ROLE_VIEWS["context"] in views:
        raise RecipeError(
            f"framework '{framework.id}' declares a facet 'context', and the profiles of a "
            "framework with context indicators already have a view 'context' (the context "
            "index): rename the facet, or leave it out of the recipe's settings.facets"
        )


# ------------------------------------------------------------------------------ tidy table
def _role_elements(state: ScoringState, role: Role) -> tuple[np.ndarray, np.ndarray]:
    """The indicators (mask over columns) and nodes (mask over framework nodes) of one role's
    view: the indicators of the role and the nodes with one of them below (the root always in
    the performance tree, so that the headline row exists)."""
    fw = state.framework
    mask = state.role_mask(role)
    nodes: np.ndarray = np.asarray((fw.membership() & mask[:, None]).any(axis=0))
    if role == "performance":
        nodes[fw.node_ids.index(fw.root.id)] = True
    return mask, nodes


def _global_weights(
    fw: Framework, weights: dict[str, float], role: Role | None = None
) -> dict[str, float]:
    """Each indicator's share of the root (one definition: :meth:`Framework.effective_weights`).

    With ``role``, the tree is cut down to that role's branches and indicators of the other role
    get 0.
    """
    table = fw.effective_weights(role, weights=weights)
    out = dict.fromkeys(fw.indicator_ids, 0.0)
    out.update(zip(table["indicator"], table["effective_weight"].tolist(), strict=True))
    return out


def _joined(names: list[str], masks: list[np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    """Per cell, the comma-joined names whose mask is true there ("" where none)."""
    out = np.full(shape, "", dtype=object)
    for name, mask in zip(names, masks, strict=True):
        if mask.any():
            out[mask] = np.where(out[mask] == "", name, out[mask] + ", " + name)
    return out


class _FacetBlock:
    """One facet view: its values' scores, weight shares and indicator membership."""

    def __init__(
        self,
        facet_id: str,
        value_ids: list[str],
        scores: np.ndarray,
        share: np.ndarray,
        member: np.ndarray,
        missing: np.ndarray,
        weighted: np.ndarray,
    ) -> None:
        self.facet_id = facet_id
        self.value_ids = value_ids
        self.scores = scores  # units x values
        self.share = share  # units x values: share of the applicable weight with a value
        self.member = member  # indicators x values
        self.missing = missing  # units x values: applicable weighted members without a value
        self.weighted = weighted  # indicators x values: members of positive weight (scored)


def _facet_blocks(state: ScoringState, recipe: Recipe) -> list[_FacetBlock]:
    """Facet views, each scored from the performance indicators of positive global weight it
    holds (``state`` is the performance tree's view, :meth:`ScoringState.for_role`): context
    indicators are in no facet view, so that a facet score is a reading of the performance
    composite, never a mix of performance and conditions."""
    from missionlens.scoring.kernels.aggregate import aggregate

    fw = state.framework
    assert state.normalised is not None
    performance, _nodes = _role_elements(state, "performance")
    keep = {i for i, k in zip(state.indicators, performance, strict=True) if k}
    gw = _global_weights(fw, state.weights, None if performance.all() else "performance")
    w = np.array([gw[i] for i in state.indicators])
    present = ~np.isnan(state.normalised)
    applies = state.applicable | present
    declared = {f.id for f in fw.facets} | {"level", "phase"}
    blocks = []
    for facet_id in facet_views(fw, recipe):
        if facet_id not in declared:
            continue
        members = fw.facet_membership(facet_id)
        members = members[members["indicator"].isin(keep)]
        if members.empty:
            continue
        value_ids = [v for v in fw.facet(facet_id).value_ids if v in set(members["value"])]
        member = np.zeros((len(state.indicators), len(value_ids)), dtype=bool)
        rows = pd.Index(state.indicators).get_indexer(members["indicator"])
        cols = pd.Index(value_ids).get_indexer(members["value"])
        member[rows, cols] = True
        weighted = member & (w > 0)[:, None]
        n_units = state.normalised.shape[0]
        scores = np.full((n_units, len(value_ids)), np.nan)
        share = np.full((n_units, len(value_ids)), np.nan)
        missing = np.full((n_units, len(value_ids)), "", dtype=object)
        for k in range(len(value_ids)):
            sel = weighted[:, k]
            if sel.any():
                scores[:, k], share[:, k] = aggregate(
                    state.normalised[:, sel],
                    w[sel],
                    "arithmetic",
                    rule="reweight",
                    min_share=recipe.settings.facet_min_share,
                    applicable=state.applicable[:, sel],
                )
                ids = [i for i, keep in zip(state.indicators, sel, strict=True) if keep]
                gaps = applies[:, sel] & ~present[:, sel]
                missing[:, k] = _joined(ids, list(gaps.T), (n_units,))
        blocks.append(_FacetBlock(facet_id, value_ids, scores, share, member, missing, weighted))
    return blocks


def _tree_missing(state: ScoringState, present: np.ndarray) -> np.ndarray:
    """Per unit and tree node: the comma-joined ids of the children with positive weight that
    apply to the unit and have no score ("" where none).

    ``state`` is one role's view (:meth:`ScoringState.for_role`): children with no indicator
    of that role do not apply, so they are never missing."""
    fw = state.framework
    assert state.node_scores is not None
    node_pos = {n: k for k, n in enumerate(fw.node_ids)}
    node_applies = node_applicability(state)
    n_units = present.shape[0]
    out = np.full((n_units, len(fw.nodes)), "", dtype=object)
    for node in fw.node_ids:
        names, masks = [], []
        for child in fw.children(node):
            if state.weights[child] <= 0:
                continue
            if child in node_pos:
                scored = ~np.isnan(state.node_scores[:, node_pos[child]])
                gap = node_applies[:, node_pos[child]] & ~scored
            else:
                j = state.column(child)
                gap = state.applicable[:, j] & ~present[:, j]
            names.append(child)
            masks.append(gap)
        out[:, node_pos[node]] = _joined(names, masks, (n_units,))
    return out


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
            if state.weights[child] <= 0:
                continue  # a child weighing 0 is not in the score
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


class _Part:
    """Columns of the tidy table for one block of elements (units x elements each)."""

    def __init__(
        self,
        view: str,
        role: Role,
        ids: list[str],
        types: list[str],
        levels: list[str | None],
        scores: np.ndarray,
        share: np.ndarray,
        missing: np.ndarray | None,
        complete: np.ndarray,
        member: np.ndarray,
        used: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.view, self.role, self.ids, self.types, self.levels = view, role, ids, types, levels
        self.scores, self.share, self.missing = scores, share, missing  # missing None: all ""
        self.complete, self.member, self.used = complete, member, used


def _tree_parts(
    state: ScoringState, role: Role, seen: ScoringState, missing: np.ndarray
) -> list[_Part]:
    """The indicator rows and node rows of one role's view (``seen``: that role's state)."""
    fw = state.framework
    assert seen.normalised is not None and seen.node_scores is not None
    assert seen.node_share is not None
    indicators, nodes = _role_elements(state, role)
    present = ~np.isnan(seen.normalised)
    counted = seen.applicable | present  # what coverage counts: applicable or entered
    used = _contributions(seen, present, seen.imputed & present)
    with np.errstate(invalid="ignore", divide="ignore"):
        indicator_share = np.where(counted, present.astype(np.float64), np.nan)
    view = ROLE_VIEWS[role]
    ind = np.flatnonzero(indicators)
    node = np.flatnonzero(nodes)
    ind_ids = [state.indicators[j] for j in ind]
    node_ids = [fw.node_ids[k] for k in node]
    return [
        _Part(
            view,
            role,
            ind_ids,
            ["indicator"] * len(ind),
            [fw.indicator(i).level for i in ind_ids],
            seen.normalised[:, ind],
            indicator_share[:, ind],
            None,  # indicators have no children: "" for them
            (present | ~seen.applicable)[:, ind],
            np.eye(len(state.indicators), dtype=bool)[:, ind],
        ),
        _Part(
            view,
            role,
            node_ids,
            [fw.node_type(n) for n in node_ids],
            [fw.node(n).level for n in node_ids],
            seen.node_scores[:, node],
            seen.node_share[:, node],
            missing[:, node],
            (missing == "")[:, node],
            (fw.membership() & indicators[:, None])[:, node],
            (used[0][:, node], used[1][:, node]),
        ),
    ]


def _facet_levels(block: _FacetBlock) -> list[str | None]:
    """The level column of a facet view: the value itself for the level facet, else none."""
    if block.facet_id == "level":
        return list(block.value_ids)
    return [None] * len(block.value_ids)


def _tidy(
    state: ScoringState,
    blocks: list[_FacetBlock],
    trees: dict[Role, tuple[ScoringState, np.ndarray]],
) -> pd.DataFrame:
    """The long score table: one row per unit and element (indicator, node, facet value).

    The ``tree`` view (the performance composite) holds the performance indicators and the
    nodes with one below; the ``context`` view the context indicators and the nodes with one
    below; then the facet views (performance indicators only).
    """
    assert state.normalised is not None and state.node_scores is not None
    n_units = state.normalised.shape[0]
    present = ~np.isnan(state.normalised)
    imputed = state.imputed & present
    counted = state.applicable | present  # what coverage counts: applicable or entered

    parts: list[_Part] = []
    for role, (seen, missing) in trees.items():
        parts += _tree_parts(state, role, seen, missing)
    for block in blocks:
        parts.append(
            _Part(
                block.facet_id,
                "performance",
                block.value_ids,
                ["facet"] * len(block.value_ids),
                _facet_levels(block),
                block.scores,
                block.share,
                block.missing,
                block.missing == "",
                block.member,
            )
        )
    element_ids = [i for part in parts for i in part.ids]
    views = [part.view for part in parts for _ in part.ids]
    roles = [part.role for part in parts for _ in part.ids]
    types = [t for part in parts for t in part.types]
    levels = [level for part in parts for level in part.levels]
    scores_all = np.hstack([part.scores for part in parts])
    member_all = np.hstack([part.member for part in parts]).astype(np.float64)
    n_total = counted.astype(np.float64) @ member_all
    n_present = present.astype(np.float64) @ member_all
    n_imputed = imputed.astype(np.float64) @ member_all
    # values a score rests on: for tree nodes, only through children that have a score
    n_used = np.where(np.isnan(scores_all), 0.0, n_present)
    n_used_imputed = np.where(np.isnan(scores_all), 0.0, n_imputed)
    offsets = np.cumsum([0] + [len(part.ids) for part in parts])
    for part, start in zip(parts, offsets[:-1], strict=True):
        if part.used is not None:
            n_used[:, start : start + len(part.ids)] = part.used[0]
            n_used_imputed[:, start : start + len(part.ids)] = part.used[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(n_total > 0, n_present / np.maximum(n_total, 1), np.nan)
        imputed_share = np.where(n_used > 0, n_used_imputed / np.maximum(n_used, 1), np.nan)

    m = len(element_ids)
    unit_rows = np.repeat(np.arange(n_units), m)
    elem_cols = np.tile(np.arange(m), n_units)
    units = state.units

    def cat(values: list[Any] | pd.Series, codes: np.ndarray) -> pd.Categorical:
        inverse, uniques = factorize(pd.Series(values, dtype=object))
        return pd.Categorical.from_codes(inverse[codes], categories=pd.Index(uniques, dtype=object))

    # codes of missing_children: 0 for "" (most cells, every indicator), only the others
    # factorised
    codes = np.zeros((n_units, m), dtype=np.int64)
    with_gaps = [
        (part.missing, np.arange(start, start + len(part.ids)))
        for part, start in zip(parts, offsets, strict=False)
        if part.missing is not None
    ]
    gap_uniques: pd.Index = pd.Index([], dtype=object)
    if with_gaps:
        aggregates = np.hstack([missing for missing, _ in with_gaps])
        gaps = aggregates != ""
        gap_codes, gap_uniques = factorize(pd.Series(aggregates[gaps], dtype=object))
        block_codes = np.zeros(aggregates.shape, dtype=np.int64)
        block_codes[gaps] = gap_codes + 1
        columns = np.concatenate([positions for _, positions in with_gaps])
        codes[:, columns] = block_codes
    missing_codes = codes.reshape(-1)
    missing_uniques = pd.Index(["", *gap_uniques], dtype=object)
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
            "weight_share": np.hstack([part.share for part in parts]).reshape(-1),
            "missing_children": pd.Categorical.from_codes(
                missing_codes, categories=missing_uniques
            ),
            "complete": np.hstack([part.complete for part in parts]).reshape(-1).astype(bool),
            "n_values": n_present.reshape(-1).astype(np.int64),
            "role": cat(roles, elem_cols),
        }
    )
    return table


# ------------------------------------------------------------------------------ accounting
def _unused(
    state: ScoringState,
    blocks: list[_FacetBlock],
    trees: dict[Role, tuple[ScoringState, np.ndarray]],
) -> pd.DataFrame:
    """Every entered value that no score of its role's tree rests on, with the reason: a
    performance value no score of the tree (the performance composite) rests on, a context
    value no score of the context index rests on."""
    fw = state.framework
    assert state.normalised is not None and state.node_scores is not None
    node_pos = {n: k for k, n in enumerate(fw.node_ids)}
    entered = ~np.isnan(state.raw)
    computed = ~np.isnan(state.normalised)
    # facet values whose (reported) score rests on each unit's indicator values
    facets = [
        (f"{block.facet_id}:{value_id}", block.scores[:, k], block.weighted[:, k])
        for block in blocks
        for k, value_id in enumerate(block.value_ids)
    ]
    rows: list[dict[str, Any]] = []
    units = state.units
    for j, ind in enumerate(state.indicators):
        col = entered[:, j]
        if not col.any():
            continue
        role = fw.indicator(ind).role
        seen, tree_missing = trees[role]
        assert seen.node_scores is not None and seen.node_share is not None
        what = "score" if role == "performance" else "context score"
        parent = fw.indicator(ind).parent
        p = node_pos[parent]
        parent_scored = ~np.isnan(seen.node_scores[:, p])
        lost = col & ~computed[:, j]
        light = col & computed[:, j] & (state.weights[ind] <= 0)
        killed = col & computed[:, j] & (state.weights[ind] > 0) & ~parent_scored
        rule = state.node_rule[p] if state.node_rule else "reweight"
        need = state.node_min_share[p] if state.node_min_share else float("nan")
        for mask, reason in (
            (lost, "not_computable"),
            (light, "zero_weight"),
            (killed, "below_min_share" if rule == "reweight" else "propagated_missing"),
        ):
            for u in (int(k) for k in np.flatnonzero(mask)):
                if reason == "not_computable":
                    node, detail = (
                        ind,
                        (
                            "the value became missing in the recipe's steps (e.g. a zero or "
                            "missing denominator; see profiles.log)"
                        ),
                    )
                elif reason == "zero_weight":
                    node, detail = parent, f"'{ind}' weighs 0 in '{parent}'"
                    if fw.indicator(ind).weight == 0:
                        detail += " (the framework shows it beside the scores, not scored)"
                elif reason == "below_min_share":
                    share = seen.node_share[u, p]
                    node, detail = (
                        parent,
                        (
                            f"'{parent}' has no {what}: children with a {what} carry {share:.0%} "
                            f"of its applicable weight, {need:.0%} required (no {what}: "
                            f"{tree_missing[u, p] or '-'})"
                        ),
                    )
                else:
                    node, detail = (
                        parent,
                        (
                            f"'{parent}' has no {what}: its rule is propagate and "
                            f"{tree_missing[u, p] or 'a child'} has no {what}"
                        ),
                    )
                used_in = ", ".join(
                    name
                    for name, facet_scores, weighted in facets
                    if weighted[j] and computed[u, j] and not np.isnan(facet_scores[u])
                )
                rows.append(
                    {
                        "mission": units["mission"].iat[u],
                        "period": units["period"].iat[u],
                        "phase": units["phase"].iat[u],
                        "indicator": ind,
                        "node": node,
                        "value": float(state.raw[u, j]),
                        "reason": reason,
                        "detail": detail,
                        "used_in": used_in,
                    }
                )
    return _unused_frame(rows)


def _unused_frame(rows: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """The unused table with its documented columns and types (empty when nothing is)."""
    frame = pd.DataFrame(rows, columns=list(UNUSED_COLUMNS))
    out = frame.astype({c: object for c in UNUSED_COLUMNS if c != "value"})
    out["value"] = pd.to_numeric(frame["value"]).astype(np.float64)
    order = ["mission", "period", "indicator"]
    return out.sort_values(order, kind="stable").reset_index(drop=True) if len(out) else out


def _incomplete_roots(state: ScoringState, tree_missing: np.ndarray) -> pd.DataFrame:
    """Units whose root score was computed while a dimension that applies has no score."""
    fw = state.framework
    assert state.node_scores is not None
    root = fw.node_ids.index(fw.root.id)
    flagged = ~np.isnan(state.node_scores[:, root]) & (tree_missing[:, root] != "")
    return pd.DataFrame(
        {
            "mission": state.units["mission"].to_numpy(dtype=object)[flagged],
            "period": state.units["period"].to_numpy(dtype=object)[flagged],
            "missing": tree_missing[flagged, root],
        }
    )


def _listing(items: list[str], limit: int = 10) -> str:
    shown = "; ".join(items[:limit])
    return shown + (f"; ... and {len(items) - limit} more" if len(items) > limit else "")


def _account(
    state: ScoringState, unused: pd.DataFrame, incomplete: dict[Role, pd.DataFrame]
) -> tuple[ScoringState, list[str]]:
    """Log entries and warning texts for incomplete root scores (of the performance composite
    and of the context index) and unused values."""
    fw = state.framework
    messages: list[str] = []
    for role, frame in incomplete.items():
        if not len(frame):
            continue
        units = [
            f"{m} {p} (no score: {gap})"
            for m, p, gap in zip(frame["mission"], frame["period"], frame["missing"], strict=True)
        ]
        what = "score" if role == "performance" else "context index"
        text = (
            f"the {what} of '{fw.root.id}' is incomplete for {len(frame)} mission-period(s): "
            f"computed without dimension(s) that apply: {_listing(units)}"
        )
        state = state.noted(
            "accounting", text, node=fw.root.id, reason="incomplete", n_units=len(frame)
        )
        messages.append(text)
    if len(unused):
        parts = []
        n_warned = 0
        roles = unused["indicator"].map(lambda i: fw.indicator(i).role)
        shown = _declared_shown(state, unused)
        for (node, reason, role_of, is_shown), group in unused.groupby(
            [unused["node"], unused["reason"], roles, shown], sort=False
        ):
            n_units = len(group[["mission", "period"]].drop_duplicates())
            where = (
                "score of the tree" if role_of == "performance" else "score of the context index"
            )
            text = (
                f"{len(group)} entered value(s) of {n_units} mission-period(s) are in no "
                f"{where}: {reason} at '{node}'"
            )
            if is_shown:
                names = ", ".join(dict.fromkeys(group["indicator"]))
                text += f" (shown, not scored: the framework gives {names} weight 0)"
            state = state.noted(
                "accounting",
                text,
                node=node,
                reason=reason,
                n_values=len(group),
                n_units=n_units,
            )
            if is_shown:  # an intentional zero weight is not an incomplete score: no warning
                continue
            n_warned += len(group)
            of_context = "" if role_of == "performance" else " (context index)"
            parts.append(f"{len(group)} {reason} at '{node}'{of_context}")
        if parts:
            messages.append(
                f"{n_warned} entered value(s) are in no score of the tree ({_listing(parts)}); "
                "see profiles.unused for each value and the reason"
            )
    return state, messages


def _declared_shown(state: ScoringState, unused: pd.DataFrame) -> pd.Series:
    """Which unused values are *shown, not scored*: ``zero_weight`` values of an indicator the
    framework itself gives weight 0 (a companion shown beside a scored indicator, such as a
    count beside its rate), where the recipe kept that weight. They stay listed in
    :attr:`Profiles.unused` but raise no :class:`~missionlens.IncompleteScoreWarning`; a
    weight the recipe set to 0 still warns."""
    fw = state.framework

    def declared(indicator: str) -> bool:
        return fw.indicator(indicator).weight == 0 and state.weights.get(indicator, 0.0) <= 0

    flags = (unused["reason"] == "zero_weight") & unused["indicator"].map(declared)
    return flags.astype(bool)


# ------------------------------------------------------------------------- critical flags
def _worst_level(scale: object, direction: int) -> tuple[float, str] | None:
    """The worst level of a rubric or binary scale (value, label), or ``None`` (numeric)."""
    if isinstance(scale, RubricScale):
        levels = sorted(scale.levels, key=lambda level: level.value)
        worst = levels[0] if direction == 1 else levels[-1]
        return float(worst.value), worst.label
    if isinstance(scale, BinaryScale):
        return (0.0, scale.false_label) if direction == 1 else (1.0, scale.true_label)
    return None


def _level_label(scale: object, value: float) -> str:
    """The label of a rubric or binary level; between two levels (a median of 1.5), both."""
    if np.isnan(value):
        return ""
    if isinstance(scale, BinaryScale):
        pairs = [(0.0, scale.false_label), (1.0, scale.true_label)]
    elif isinstance(scale, RubricScale):
        pairs = sorted((level.value, level.label) for level in scale.levels)
    else:  # pragma: no cover - only rubric and binary indicators are flagged
        return ""
    for level, label in pairs:
        if value == level:
            return label
    below = [label for level, label in pairs if level < value]
    above = [label for level, label in pairs if level > value]
    if below and above:
        return f"between {below[-1]} and {above[0]}"
    return ""  # pragma: no cover - values outside the scale are refused by the checks


def _critical_flags(state: ScoringState) -> tuple[pd.DataFrame, ScoringState]:
    """The critical flags of the state (see :attr:`Profiles.critical_flags`), and the state
    with a log entry for each critical indicator on a numeric scale (it has no worst level).

    Vectorised over entries and cells: one pass over the entries finds those at the worst
    level of their (critical) indicator; raters and evidence are joined by one group-by."""
    fw = state.framework
    n_units, n_ind = state.raw.shape
    worst = np.full(n_ind, np.nan)  # worst level of each critical indicator, NaN elsewhere
    worst_labels: dict[int, str] = {}
    for j, ident in enumerate(state.indicators):
        indicator = fw.indicator(ident)
        if not indicator.critical:
            continue
        level = _worst_level(fw.scale(indicator.scale), indicator.direction)
        if level is None:
            state = state.noted(
                "critical_flags",
                f"'{ident}' is critical but has a numeric scale, which has no worst level: "
                "it is never flagged (give it a rubric or binary scale to flag it)",
                indicator=ident,
            )
            continue
        worst[j], worst_labels[j] = level
    if not worst_labels:
        return _critical_frame([]), state
    n_cells = n_units * n_ind
    at_worst = np.zeros(n_cells, dtype=np.int64)
    n_raters = np.zeros(n_cells, dtype=np.int64)
    raters: dict[int, str] = {}
    said: dict[int, str] = {}
    entries = state.entries
    if entries is not None and len(entries.cell):
        of_entry = worst[entries.cell % n_ind]
        critical_entry = ~np.isnan(of_entry)
        is_worst = entries.value == of_entry  # NaN (not critical) is never equal
        n_raters = np.bincount(entries.cell[critical_entry], minlength=n_cells)
        at_worst = np.bincount(entries.cell[is_worst], minlength=n_cells)
        chosen = np.flatnonzero(is_worst)
        names = np.append(np.asarray(entries.rater_names, dtype=object), "")
        codes = entries.rater[chosen]
        codes = np.where((codes >= 0) & (codes < len(names) - 1), codes, len(names) - 1)
        raters = _joined_by_cell(entries.cell[chosen], names[codes], ", ")
        if entries.evidence is not None:
            said = _joined_by_cell(entries.cell[chosen], entries.evidence[chosen], "\n")
    consolidated_worst = state.raw == worst[None, :]
    flagged = consolidated_worst | (at_worst.reshape(n_units, n_ind) > 0)
    unit, column = np.nonzero(flagged)
    cells = unit * n_ind + column
    values = state.raw[unit, column]
    names_of = {j: fw.indicator(state.indicators[j]).name for j in worst_labels}
    dims = {
        j: fw.dimension_of(state.indicators[j]) or fw.indicator(state.indicators[j]).parent
        for j in worst_labels
    }
    labels = {
        (j, float(v)): _level_label(fw.scale_of(state.indicators[j]), float(v))
        for j, v in set(zip(column.tolist(), values.tolist(), strict=True))
    }
    units = state.units
    out = pd.DataFrame(
        {
            "mission": units["mission"].to_numpy(dtype=object)[unit],
            "period": units["period"].to_numpy(dtype=object)[unit],
            "phase": units["phase"].to_numpy(dtype=object)[unit],
            "indicator": np.asarray(state.indicators, dtype=object)[column],
            "name": [names_of[j] for j in column.tolist()],
            "node": [dims[j] for j in column.tolist()],
            "value": values,
            "level_label": [
                labels[(j, v)] for j, v in zip(column.tolist(), values.tolist(), strict=True)
            ],
            "worst_label": [worst_labels[j] for j in column.tolist()],
            "consolidated_worst": consolidated_worst[unit, column],
            "raters_at_worst": at_worst[cells],
            "n_raters": n_raters[cells],
            "raters": _texts_of(cells, raters),
            "evidence": _texts_of(cells, said),
        }
    )
    return _critical_frame(out), state


def _joined_by_cell(cells: np.ndarray, texts: np.ndarray, sep: str) -> dict[int, str]:
    """Per cell, its entries' texts joined by ``sep`` in entry order; missing and empty texts
    add nothing, others are kept exactly (a number entered as evidence is shown as text)."""
    grouped: dict[int, list[str]] = {}
    for cell, text in zip(cells.tolist(), texts.tolist(), strict=True):
        if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
            continue
        shown = str(text)
        if shown:
            grouped.setdefault(cell, []).append(shown)
    return {cell: sep.join(parts) for cell, parts in grouped.items()}


def _texts_of(cells: np.ndarray, texts: dict[int, str]) -> np.ndarray:
    """The text of each cell in ``texts``, ``""`` for a cell without one."""
    return np.array([texts.get(cell, "") for cell in cells.tolist()], dtype=object)


def _critical_frame(rows: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """The critical flags with their documented columns and types (empty when none)."""
    frame = pd.DataFrame(rows, columns=list(CRITICAL_COLUMNS))
    numbers = {"value": np.float64, "raters_at_worst": np.int64, "n_raters": np.int64}
    out = frame.astype({c: object for c in CRITICAL_COLUMNS if c not in numbers})
    for column, dtype in numbers.items():
        out[column] = pd.to_numeric(frame[column]).astype(dtype)
    out["consolidated_worst"] = frame["consolidated_worst"].astype(bool)
    order = ["mission", "period", "indicator"]
    return out.sort_values(order, kind="stable").reset_index(drop=True) if len(out) else out


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
        What the steps reported (imputed cells, outlier treatments, ...) and, with step
        ``accounting``, the incomplete root scores and the unused values (by node and reason).
    unused : pandas.DataFrame
        Every entered value that no score of the tree rests on, with the reason (see
        :attr:`unused`).
    critical_flags : pandas.DataFrame
        Every rating at the worst level of a critical indicator (see :attr:`critical_flags`).
    fingerprints : dict
        ``framework``, ``recipe`` and ``data`` fingerprints.
    """

    def __init__(
        self,
        *,
        table: pd.DataFrame | Callable[[], pd.DataFrame],
        framework: Framework,
        recipe: Recipe,
        data: pd.DataFrame,
        log: pd.DataFrame | None = None,
        unknown_columns: Literal["error", "ignore"] = "error",
        unused: pd.DataFrame | None = None,
        critical_flags: pd.DataFrame | None = None,
    ) -> None:
        # the tidy table may be given as a function of the dense arrays: built on first use
        self._table_factory = table if callable(table) else None
        self._table_value = None if callable(table) else _canonical(table)
        self._unused = None if unused is None else _unused_frame(unused)
        self._critical = None if critical_flags is None else _critical_frame(critical_flags)
        self.unknown_columns = unknown_columns
        self.framework = framework
        self.recipe = recipe
        self.data = data
        self.log = log if log is not None else pd.DataFrame()
        self._fingerprints: dict[str, str] | None = None

    @property
    def _table(self) -> pd.DataFrame:
        """The tidy score table (derived from the scoring state's arrays on first use)."""
        if self._table_value is None:
            if self._table_factory is None:  # pragma: no cover - one of the two is always set
                raise RuntimeError("profiles without a table")
            self._table_value = _canonical(self._table_factory())
            self._table_factory = None
        return self._table_value

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

    @property
    def unused(self) -> pd.DataFrame:
        """Every entered value that no score of the tree rests on, with the reason.

        A value is *used* when the score of its parent node is reported (that score, and every
        score above it that is reported, rests on it). It is *unused* when no tree score does:

        ``below_min_share``
            Its parent has no score because the children with a score carry less than the
            node's ``min_share`` of the applicable weight (``reweight`` rule); ``detail`` gives
            the share, the share required and the children without a score.
        ``propagated_missing``
            Its parent has no score because its rule is ``propagate`` and a child that applies
            has no score (named in ``detail``).
        ``zero_weight``
            The indicator weighs 0 in its parent, so the parent's score does not depend on it.
            A weight of 0 declared in the framework marks a companion *shown, not scored* (the
            count of fatalities beside the rate): it is listed here and in :attr:`log` but
            raises no :class:`~missionlens.IncompleteScoreWarning`; a weight of 0 set by the
            recipe warns.
        ``not_computable``
            The value was entered but became missing in the recipe's steps (e.g. a zero or
            missing denominator in ``denominate``, reported in :attr:`log`).

        A value entered for an indicator that does not apply in the unit's lifecycle phase is
        scored like any other (see the scoring guide), so it is never unused for that reason.
        Facet views (``level``, ``finding``, ...) are other readings of the same values: a
        value may be in no tree score and still in a facet value's score, which ``used_in``
        names (``level:strategic, finding:16``); it is still listed here, since the mission's
        profile (the tree) leaves it out.

        Returns
        -------
        pandas.DataFrame
            Columns (:data:`UNUSED_COLUMNS`) ``mission``, ``period``, ``phase``,
            ``indicator``, ``node`` (the node whose missing score drops the value, or the
            indicator for ``not_computable``), ``value`` (as entered, after consolidation of
            several raters), ``reason`` (one of :data:`UNUSED_REASONS`), ``detail`` (plain
            words) and ``used_in`` (comma-joined facet values whose score rests on the value,
            ``""`` if none); one row per value, sorted by mission, period and indicator.
            Empty, with these columns, when every entered value is used.
        """
        if self._unused is None:  # made by hand, not by score() or load(): recompute
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", IncompleteScoreWarning)
                self._unused = self.regenerate().unused
        return self._unused.copy()

    @property
    def not_applicable(self) -> pd.DataFrame:
        """Every indicator an analyst answered *not applicable*, with the reason.

        An indicator every rater of a mission and period answered not applicable is left out
        of that unit's applicable weight and coverage (neither missing nor the worst level, never
        imputed); one some raters rated and others answered not applicable is *disputed*: it is
        scored from the ratings. Both are listed here, so that no answer is dropped silently.

        Returns
        -------
        pandas.DataFrame
            Columns (:data:`missionlens.scoring.prepare.NOT_APPLICABLE_COLUMNS`) ``mission``,
            ``period``, ``phase``, ``indicator``, ``reason`` (the distinct reasons as entered,
            joined by `` | ``), ``raters`` (who answered not applicable, joined by ``", "``)
            and ``disputed`` (boolean); one row per mission, period and indicator, in the
            order of the units and the framework's indicators. Empty, with these columns, when
            nobody answered not applicable.
        """
        from missionlens.scoring.prepare import not_applicable_table  # N/A table (na branch)

        cached: pd.DataFrame | None = getattr(self, "_not_applicable", None)
        if cached is None:
            cached = not_applicable_table(
                self.data, self.framework, self.recipe, unknown_columns=self.unknown_columns
            )
            self._not_applicable = cached
        return cached.copy()

    @property
    def critical_flags(self) -> pd.DataFrame:
        """Every rating at the worst level of a critical indicator, whatever the averages.

        An indicator marked ``critical: true`` in the framework (acting to protect civilians,
        sexual exploitation and abuse, ...) is flagged for a mission and period when its
        consolidated value is the worst level of its rubric (the lowest value when its
        ``direction`` is 1, the highest when -1; on a yes/no scale "No" when a yes is good), or
        when *any single rater* rated it at that level, so that a median or a mean of several
        raters never hides one rater's alarm. ``consolidated_worst`` and ``raters_at_worst``
        tell the two apart. Performance and context indicators are flagged alike. A critical
        indicator on a numeric scale has no worst level and is never flagged (:attr:`log`
        says so).

        Returns
        -------
        pandas.DataFrame
            Columns (:data:`CRITICAL_COLUMNS`) ``mission``, ``period``, ``phase``,
            ``indicator``, ``name`` (the indicator's), ``node`` (its dimension), ``value`` (the
            consolidated value), ``level_label`` (the label of that value's level, ``between
            A and B`` for a value between two levels), ``worst_label`` (the label of the worst
            level), ``consolidated_worst`` (bool: the consolidated value is the worst level),
            ``raters_at_worst`` (how many entries rated it at the worst level; a wide table's
            value counts as one), ``n_raters`` (how many entries rated it), ``raters``
            (comma-joined names of the raters at the worst level, in entry order; ``""`` for a
            wide table) and ``evidence`` (the evidence text of those entries, unchanged,
            joined by line breaks; entries without evidence add nothing). One row per flagged
            mission, period and indicator, sorted by mission, period and indicator; empty,
            with these columns, when nothing is flagged.
        """
        if self._critical is None:
            if not any(i.critical for i in self.framework.indicators):
                self._critical = _critical_frame([])
            else:  # made by hand, or loaded from a file saved without the flags: recompute
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", IncompleteScoreWarning)
                    self._critical = self.regenerate().critical_flags
        return self._critical.copy()

    def context_index(self) -> pd.DataFrame:
        """The context (difficulty) index of every mission, period and node, beside the
        performance composite.

        Context indicators (``role: context``: threats, host-state capacity, the humanitarian
        situation) describe the conditions a mission faces, which Cairo 2018 finding 16(b)
        asks an assessment to consider; they are scored through the same tree, with the same
        normalisation, weights, aggregation and missing rules, but apart from the performance
        indicators, and neither enters the other. Like every score it reads 0-100 with 100
        best: 100 for the most favourable conditions, 0 for the hardest.

        Returns
        -------
        pandas.DataFrame
            Columns (:data:`CONTEXT_COLUMNS`) ``mission``, ``period``, ``phase``, ``node``
            (every node with a context indicator below it; the root's is the context index),
            ``node_type``, ``context`` (the score), ``n_indicators``, ``coverage``,
            ``weight_share``, ``missing_children`` and ``complete``, as in :meth:`to_frame`'s
            ``context`` view. Empty, with these columns, when the framework has no context
            indicator.
        """
        table = self._table
        rows = table[(table["view"] == ROLE_VIEWS["context"]) & (table["node_type"] != "indicator")]
        out = rows.rename(columns={"score": "context"})[list(CONTEXT_COLUMNS)]
        for column in ("mission", "period", "phase", "node", "node_type", "missing_children"):
            out[column] = out[column].astype(object)
        return out.reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        """The headline of every mission and period: the performance composite and the
        context index side by side, with the number of critical flags.

        Read them together, never one into the other: a mission scoring 55 in a context of 20
        (hard conditions) is not the same finding as 55 in a context of 80.

        Returns
        -------
        pandas.DataFrame
            One row per mission and period (in the order of :meth:`to_frame`), columns
            (:data:`SUMMARY_COLUMNS`) ``mission``, ``period``, ``phase``, ``performance`` (the
            root of the ``tree`` view: the headline score), ``performance_coverage``,
            ``complete`` (the headline's ``complete``: false when it was computed without a
            dimension that applies), ``context`` (the root of the ``context`` view; ``NaN``
            where missing, or everywhere when the framework has no context indicator),
            ``context_coverage``, ``context_complete`` and ``n_critical`` (the rows of
            :attr:`critical_flags` for the mission and period).
        """
        table = self._table
        root = self.framework.root.id
        keys = ["mission", "period"]

        def rows(view: str) -> pd.DataFrame:
            picked = table[(table["view"] == view) & (table["node"] == root)]
            out = picked[[*keys, "phase", "score", "coverage", "complete"]].copy()
            for column in (*keys, "phase"):
                out[column] = out[column].astype(object)
            return out.reset_index(drop=True)

        head = rows(ROLE_VIEWS["performance"]).rename(
            columns={"score": "performance", "coverage": "performance_coverage"}
        )
        context = rows(ROLE_VIEWS["context"]).drop(columns="phase")
        context = context.rename(
            columns={
                "score": "context",
                "coverage": "context_coverage",
                "complete": "context_complete",
            }
        )
        out = head.merge(context, on=keys, how="left", sort=False)
        if out["context_complete"].isna().any():  # no context indicator: nothing to lack
            flag = out["context_complete"]
            out["context_complete"] = np.where(flag.isna(), True, flag).astype(object)
        out["context_complete"] = out["context_complete"].astype(bool)
        flags = self.critical_flags
        counts = (
            flags.groupby(keys, sort=False).size().rename("n_critical").reset_index()
            if len(flags)
            else pd.DataFrame({"mission": [], "period": [], "n_critical": []})
        )
        counts = counts.astype({"mission": object, "period": object})
        out = out.merge(counts, on=keys, how="left", sort=False)
        out["n_critical"] = out["n_critical"].fillna(0).astype(np.int64)
        return out[list(SUMMARY_COLUMNS)]

    # ------------------------------------------------------------------------------ views
    def to_frame(self, view: str | None = "tree") -> pd.DataFrame:
        """The tidy score table.

        Parameters
        ----------
        view : str or None
            ``"tree"`` (default) for the performance composite: the performance indicators and
            the framework's nodes with one below (the root always: its score is the headline);
            ``"context"`` for the context index (the context indicators and the nodes with one
            below; only for a framework with context indicators); a facet id (``"level"``,
            ``"finding"``, ``"a4p"``) for that facet's view, which reads performance
            indicators only; ``None`` for all.

        Returns
        -------
        pandas.DataFrame
            Columns (see :data:`PROFILE_COLUMNS`): ``mission``, ``period``, ``phase``;
            ``view`` (``tree`` or a facet id); ``node`` (indicator id, node id or facet value);
            ``node_type`` (``indicator``, ``root``, ``dimension``, ``subdimension``,
            ``facet``); ``level`` (strategic, operational, tactical where known); ``score``
            (0-100, 100 best; ``NaN`` where the missing rule leaves it missing);
            ``n_indicators`` (the indicator values the score rests on: 0 where the score is
            missing, and values below a missing child or a child weighing 0 do not count);
            ``coverage`` (the share of the node's indicators that apply in the unit's lifecycle
            phase and have a value: it counts indicators); ``imputed_share`` (share of those
            present that were imputed); ``weight_share`` (the share of the node's applicable
            weight carried by children with a score: what the ``min_share`` rule compares,
            among the node's direct children, with their weights; for an indicator 1 if it has
            a value, 0 if not; for a facet value among its indicators, weighted by their share
            of the root; ``NaN`` where nothing applies); ``missing_children`` (comma-joined ids
            of the children with positive weight that apply and have no score, ``""`` when
            none; for a facet value, its indicators without a value); ``complete`` (``True``
            when no such child is missing, so also for a node that does not apply at all; for
            an indicator: it has a value or does not apply; a root score with ``complete``
            false was computed without a whole dimension, and :func:`score` warns);
            ``n_values`` (the indicator values entered or imputed below the element, whether
            or not its score uses them: a node with ``n_values`` > 0 and no score has data but
            too little of its weight rated); ``role`` (``performance`` or ``context``: the
            indicator's role, and for a node or facet value the role of the indicators its
            score rests on, so ``performance`` in the ``tree`` and facet views and ``context``
            in the ``context`` view). Every count and share of a view counts the indicators of
            its role only.

            A score can be reported with ``coverage`` below 1 and ``weight_share`` at least the
            node's ``min_share``; a score is missing where ``weight_share`` is below it, or, for
            ``propagate``, where ``complete`` is false.
        """
        if view is None:
            return self._with_interval_columns(self._table.copy())
        known = set(self._table["view"].cat.categories)
        if view not in known:
            raise KeyError(f"no view {view!r}; views: {', '.join(sorted(known))}")
        table = self._table[self._table["view"] == view].reset_index(drop=True)
        return self._with_interval_columns(table)

    # -------------------------------------------------------------- uncertainty intervals
    #: Intervals merged into the tree view (:meth:`with_intervals`); None for plain profiles.
    _intervals: pd.DataFrame | None = None
    _uncertainty: Any = None

    def with_intervals(self, result: Any) -> Profiles:
        """A copy whose :meth:`to_frame` has ``lower`` and ``upper`` columns.

        ``result`` is a :class:`~missionlens.analysis.uncertainty.UncertaintyResult` of these
        profiles' data (``result.profiles`` is this for its nominal profiles): the bounds of
        the interval of every score of the tree view (``NaN`` in facet views and where the
        score has no interval); the table's ``attrs["interval"]`` is their coverage
        (``Uncertainty.interval``, 0.9 for 5-95 %).
        """
        intervals = result.intervals()
        copy = Profiles(
            table=self._table,
            framework=self.framework,
            recipe=self.recipe,
            data=self.data,
            log=self.log,
            unknown_columns=self.unknown_columns,
            unused=self._unused,
        )
        copy._intervals = intervals.astype({"mission": str, "period": str, "node": str})
        copy._uncertainty = result
        return copy

    def _with_interval_columns(self, table: pd.DataFrame) -> pd.DataFrame:
        if self._intervals is None:
            return table
        keys = pd.MultiIndex.from_arrays(
            [table[c].astype(str).to_numpy() for c in ("mission", "period", "node")]
        )
        found = self._intervals.set_index(["mission", "period", "node"]).reindex(keys)
        tree = (table["view"].astype(str) == "tree").to_numpy()
        table["lower"] = np.where(tree, found["lower"].to_numpy(), np.nan)
        table["upper"] = np.where(tree, found["upper"].to_numpy(), np.nan)
        if self._uncertainty is not None:  # the coverage, for the plots' legends
            table.attrs["interval"] = float(self._uncertainty.provenance["interval"])
        return table

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

    def rank(
        self, node: str | None = None, *, by_period: bool = True, view: str = "tree"
    ) -> pd.DataFrame:
        """Rank missions on a node (default: the root) of a view (default: the ``tree``, the
        performance composite; ``"context"`` ranks on the context index), 1 for the highest
        score.

        Returns
        -------
        pandas.DataFrame
            Columns ``mission``, ``period``, ``node``, ``score``, ``rank`` (ties share the
            best rank; missing scores are not ranked), sorted by period and rank.
        """
        node = node or self.framework.root.id
        table = self._table[(self._table["view"] == view) & (self._table["node"] == node)]
        if table.empty:
            raise KeyError(f"no node {node!r} in the {view!r} view of these profiles")
        out = table[["mission", "period", "node", "score"]].copy()
        for col in ("mission", "period", "node"):
            out[col] = out[col].astype(str)
        groups = out.groupby("period")["score"] if by_period else out["score"]
        out["rank"] = groups.rank(method="min", ascending=False).astype("Int64")
        out["_period"] = period_order(out["period"])  # chronological, not by label text
        out = out.sort_values(["_period", "rank", "mission"], kind="stable")
        return out.drop(columns="_period").reset_index(drop=True)

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
        self,
        other: Profiles,
        *,
        view: str = "tree",
        on: Literal["period", "mission"] = "period",
        period_pairs: dict[Any, Any] | None = None,
        allow_mixed: bool = False,
        uncertain: bool = False,
    ) -> pd.DataFrame:
        """Score differences between two profiles, unit by unit and node by node.

        Use it for the change between two assessment rounds of the same missions, or (with
        ``allow_mixed=True``) for what another recipe would change. For the change between two
        periods of the *same* profiles, see :func:`~missionlens.change`.

        Parameters
        ----------
        other : Profiles
            The profiles to compare with (``difference`` is ``other - self``).
        view : str
            The view compared (:meth:`to_frame`), ``"tree"`` by default.
        on : {"period", "mission"}
            ``"period"`` (default): units are matched on mission and period (two recipes on the
            same data, or two rounds that share period labels), or through ``period_pairs``.
            ``"mission"``: each mission's latest period here is matched with its latest period
            in ``other`` (two rounds labelled differently: ``2023`` and ``2024-H1``).
        period_pairs : dict, optional
            With ``on="period"``: which period of ``other`` each period of these profiles is
            compared with, e.g. ``{"2023": "2024"}`` (labels as :func:`~missionlens.parse_period`
            reads them; only the periods named are compared).
        allow_mixed : bool
            Compare profiles made with another framework or recipe.
        uncertain : bool
            Add the paired intervals of the differences (see below).

        Returns
        -------
        pandas.DataFrame
            Columns ``mission``, ``period`` (of these profiles), ``period_other`` (of
            ``other``), ``node``, ``node_type``, ``score``, ``score_other`` and
            ``difference`` (``score_other - score``), for the units matched and the nodes
            present in both; with ``uncertain=True`` (both profiles from ``result.profiles``
            of :func:`~missionlens.uncertainty`, paired: same specification, seed and n) also
            ``diff_lower``, ``diff_upper`` and ``real`` of
            :func:`~missionlens.compare_uncertain` (``NaN``/false for a pair of units that
            analysis did not match).

        Raises
        ------
        IncompatibleProfilesError
            If framework or recipe differ and ``allow_mixed`` is false, or no unit of one
            matches a unit of the other (the message lists both sides' periods and how to
            pair them).
        ArgumentError
            If ``on`` or ``period_pairs`` is malformed or names a period neither side has.
        """
        self.check_compatible(other, allow_mixed=allow_mixed)
        if on not in ("period", "mission"):
            raise ArgumentError(f"compare: on must be 'period' or 'mission', not {on!r}")
        keys = ["mission", "period", "node", "node_type"]

        def frame(p: Profiles) -> pd.DataFrame:
            table = p.to_frame(view)[[*keys, "score"]]
            return table.astype({k: str for k in keys})

        mine, theirs = frame(self), frame(other)
        pairs = _unit_pairs(mine, theirs, on, period_pairs)
        left = mine.merge(pairs, on=["mission", "period"], how="inner", sort=False)
        right = theirs.rename(columns={"period": "period_other", "score": "score_other"})
        merged = left.merge(
            right, on=["mission", "period_other", "node", "node_type"], how="inner", sort=False
        )
        merged["difference"] = merged["score_other"] - merged["score"]
        columns = ["mission", "period", "period_other", "node", "node_type", "score"]
        merged = merged[[*columns, "score_other", "difference"]]
        if uncertain:  # both made by UncertaintyResult.profiles: paired intervals
            if self._uncertainty is None or other._uncertainty is None:
                raise ArgumentError(
                    "compare(uncertain=True) needs profiles with intervals on both sides "
                    "(result.profiles of ml.uncertainty)"
                )
            paired = self._uncertainty.compare(other._uncertainty)
            unit = ["mission", "period", "period_other", "node"]
            paired = paired[[*unit, "diff_lower", "diff_upper", "real"]].astype(
                {k: str for k in unit}
            )
            merged = merged.merge(paired, on=unit, how="left")
            real = merged["real"]
            merged["real"] = np.where(real.isna(), False, real).astype(bool)
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

        UTF-8 with a byte-order mark (so that Excel shows unicode), RFC 4180 quoting (a cell
        holding a comma, a quote, a carriage return or a line feed is quoted; CRLF line ends),
        so that a line break inside a mission name never starts a row. Text cells that a
        spreadsheet could run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or
        a carriage return) are written with a leading apostrophe
        (:func:`missionlens.text.protect_text`); empty text is an empty cell. The file is for
        reading; :meth:`save` is the lossless format.
        Written atomically (see :mod:`missionlens.atomic`).

        Raises
        ------
        WriteError
            If the file cannot be written; an existing file is then left as it was.
        """
        import csv

        from missionlens.text import protect_series

        table = self.to_frame(view)
        for column in _TEXT_COLUMNS:
            table[column] = protect_series(table[column].astype(object))
        path = Path(path)
        with atomic_write(path, "w", encoding="utf-8-sig", newline="") as handle:
            table.to_csv(handle, index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        return path

    def to_excel(self, path: str | Path) -> Path:
        """Write a formatted workbook for reading (one sheet per view, summary, critical
        flags, not applicable, unused, method); see
        :func:`missionlens.scoring.excel_profiles.write_profiles_excel`."""
        from missionlens.scoring.excel_profiles import write_profiles_excel  # same layer

        return write_profiles_excel(self, path)

    # --------------------------------------------------------------------------- save/load
    def save(self, path: str | Path) -> Path:
        """Write everything to one zip file: scores, unused values, critical flags and data as
        Parquet, framework and recipe as YAML, fingerprints as JSON. No pickle.

        ``meta.json`` also holds the SHA-256 of every other member (``members``), which
        :meth:`load` checks. The file is written atomically (a temporary file beside the
        target, synced to disk, then moved into place; see :mod:`missionlens.atomic`), so that
        no half-written file is ever left; it gets the permissions of any new file (``0o666``
        less the process umask).

        Raises
        ------
        WriteError
            If the file cannot be written; an existing file is then left as it was.
        """
        path = Path(path)
        parts = {
            "framework.yaml": self.framework.to_yaml().encode("utf-8"),
            "recipe.yaml": self.recipe.to_yaml().encode("utf-8"),
            "scores.parquet": _parquet(self._table, "the score table"),
            "unused.parquet": _parquet(self.unused, "the unused values"),
            "critical.parquet": _parquet(self.critical_flags, "the critical flags"),
            "data.parquet": _parquet(self.data, "the input data"),
            "log.json": self.log.to_json(orient="records", force_ascii=False).encode("utf-8"),
        }
        parts["meta.json"] = json.dumps(
            {
                "format": _FORMAT,
                "fingerprints": self.fingerprints,
                "unknown_columns": self.unknown_columns,
                "members": {name: _sha256(payload) for name, payload in parts.items()},
            }
        ).encode("utf-8")
        with (
            atomic_write(path, "wb") as stream,
            zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            for name, payload in parts.items():
                archive.writestr(name, payload)
        return path

    @classmethod
    def load(cls, path: str | Path) -> Profiles:
        """Read profiles written by :meth:`save`, checking every member before trusting it.

        The archive is checked before anything is decompressed: it must be a zip file holding
        ``meta.json`` (format ``missionlens-profiles/1``), ``framework.yaml``,
        ``recipe.yaml``, ``scores.parquet``, ``data.parquet`` and ``log.json``; no member may
        be larger than :data:`MAX_MEMBER_BYTES` uncompressed or more than
        :data:`MAX_COMPRESSION_RATIO` times larger than compressed (a "zip bomb"), and the
        members together no larger than :data:`MAX_ARCHIVE_BYTES`. Members are read with that
        cap whatever their headers claim. Then:

        * every member whose SHA-256 ``meta.json`` lists (files saved since missionlens
          stored them) must have exactly that hash: a score table edited after saving is
          refused;
        * the framework, recipe and data fingerprints are recomputed from their members and
          must match the stored ones;
        * a file saved without member hashes has its score table checked by scoring its own
          data again with its own framework and recipe (the stored scores must be
          reproduced exactly).

        A file saved by an earlier version (without the ``weight_share``,
        ``missing_children``, ``complete``, ``n_values`` or ``role`` columns or the unused
        values) is scored again from its own data, framework and recipe; its stored scores must
        match the new ones exactly, else a :class:`MissionLensError` says so. A file without
        ``critical.parquet`` (saved before critical flags) gets its flags by scoring again
        when they are first read, if its framework has a critical indicator (none had then).

        Raises
        ------
        ArchiveError
            If the file is not a zip archive, is empty, truncated, damaged or too large, lacks
            a member, holds a member that is not JSON, YAML or Parquet, or was altered (the
            message names the file and the member).
        FileNotFoundError
            If there is no such file.
        """
        name = str(path)
        if not Path(path).is_file():
            if not Path(path).exists():
                raise FileNotFoundError(f"profiles file not found: {name}")
            raise ArchiveError(name, "is not a file")
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise ArchiveError(
                name,
                f"is not a missionlens profiles file (not a readable zip archive: {exc}); "
                "profiles files are written by Profiles.save",
            ) from None
        with archive:
            members = _check_members(archive, name)
            meta = _json_member(archive, members, "meta.json", name)
            if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
                raise ArchiveError(
                    name,
                    f"is not a missionlens profiles file (format {_shown(meta, 'format')}, "
                    f"expected {_FORMAT!r})",
                    "meta.json",
                )
            stored = meta.get("fingerprints")
            if not isinstance(stored, dict) or not all(
                isinstance(stored.get(k), str) for k in ("framework", "recipe", "data")
            ):
                raise ArchiveError(
                    name, "lacks the framework, recipe and data fingerprints", "meta.json"
                )
            hashes = meta.get("members")
            if hashes is not None and not (
                isinstance(hashes, dict) and all(isinstance(v, str) for v in hashes.values())
            ):
                raise ArchiveError(name, "its member hashes are damaged", "meta.json")
            required = ["framework.yaml", "recipe.yaml", "scores.parquet", "data.parquet"]
            required += ["log.json"] + (list(hashes) if hashes else [])
            lost = sorted({m for m in required if m not in members})
            if lost:
                raise ArchiveError(
                    name,
                    f"is incomplete: the member(s) {', '.join(lost)} are missing (was the file "
                    "edited or cut short?)",
                )
            payloads = {m: _member_bytes(archive, members[m], name) for m in members}
            for member, expected in (hashes or {}).items():
                if _sha256(payloads[member]) != expected:
                    raise ArchiveError(
                        name,
                        "does not match the SHA-256 stored when it was saved: the file was "
                        "altered or is damaged",
                        member,
                    )
            framework = _yaml_member(
                name,
                "framework.yaml",
                lambda: _read_framework(
                    payloads["framework.yaml"].decode("utf-8"), stored["framework"]
                ),
            )
            recipe = _yaml_member(
                name, "recipe.yaml", lambda: Recipe.from_yaml(payloads["recipe.yaml"].decode())
            )
            table = _parquet_member(payloads, "scores.parquet", name)
            data = _parquet_member(payloads, "data.parquet", name)
            unused = (
                _parquet_member(payloads, "unused.parquet", name)
                if "unused.parquet" in payloads
                else None
            )
            critical = (
                _parquet_member(payloads, "critical.parquet", name)
                if "critical.parquet" in payloads
                else None
            )
            try:
                log = pd.read_json(io.StringIO(payloads["log.json"].decode("utf-8")))
            except (ValueError, UnicodeDecodeError) as exc:
                raise ArchiveError(name, f"is not a JSON table ({exc})", "log.json") from None
        unknown = meta.get("unknown_columns", "error")
        if unknown not in ("error", "ignore"):
            raise ArchiveError(name, f"unknown_columns is {unknown!r}", "meta.json")
        try:
            out = cls(
                table=table,
                framework=framework,
                recipe=recipe,
                data=data,
                log=log,
                unknown_columns=unknown,
                unused=unused,
                critical_flags=critical,
            )
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise ArchiveError(
                name, f"the score table is not one missionlens wrote ({exc})", "scores.parquet"
            ) from None
        recomputed = out.fingerprints
        wrong = [k for k in ("framework", "recipe", "data") if recomputed[k] != stored[k]]
        if wrong:
            member = {"framework": "framework.yaml", "recipe": "recipe.yaml"}
            raise ArchiveError(
                name,
                "content does not match its fingerprints ("
                + "; ".join(
                    f"{k} stored {stored[k]}, recomputed from {member.get(k, 'data.parquet')} "
                    f"{recomputed[k]}"
                    for k in wrong
                )
                + "); the file was altered or is damaged",
            )
        if unused is None or any(c not in table.columns for c in PROFILE_COLUMNS):
            return _upgrade(out, path)
        if not hashes:  # saved before member hashes: the scores are checked by scoring again
            _check_by_regenerating(out, name)
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


def _unit_pairs(
    mine: pd.DataFrame,
    theirs: pd.DataFrame,
    on: str,
    period_pairs: dict[Any, Any] | None,
) -> pd.DataFrame:
    """The units :meth:`Profiles.compare` matches: columns ``mission``, ``period`` (of the
    first profiles) and ``period_other``; a clear error when none match."""
    from missionlens.periods import parse_period

    units_a = mine[["mission", "period"]].drop_duplicates()
    units_b = theirs[["mission", "period"]].drop_duplicates()
    periods_a = list(dict.fromkeys(units_a["period"]))
    periods_b = list(dict.fromkeys(units_b["period"]))

    def key(label: str) -> tuple[pd.Timestamp, pd.Timestamp, str]:
        period = parse_period(label)
        return (period.start, period.end, period.label)

    if period_pairs is not None:
        if on != "period":
            raise ArgumentError("compare: period_pairs goes with on='period', not on='mission'")
        if not isinstance(period_pairs, dict) or not period_pairs:
            raise ArgumentError(
                "compare: period_pairs must be a mapping of a period of these profiles to one "
                f"of the other's, e.g. {{'2023': '2024'}}, not {period_pairs!r}"
            )
        mapping: dict[str, str] = {}
        problems: list[str] = []
        for a, b in period_pairs.items():
            try:
                la, lb = parse_period(a).label, parse_period(b).label
            except ValueError as exc:
                problems.append(f"{a!r}: {b!r} ({exc})")
                continue
            if la not in periods_a:
                problems.append(f"{a!r} is not a period of these profiles")
            if lb not in periods_b:
                problems.append(f"{b!r} is not a period of the other profiles")
            mapping[la] = lb
        if problems:
            raise ArgumentError(
                "compare: period_pairs: "
                + "; ".join(problems)
                + f" (periods here: {listing(periods_a)}; in the other: {listing(periods_b)})"
            )
        pairs = units_a[units_a["period"].isin(list(mapping))].copy()
        pairs["period_other"] = pairs["period"].map(mapping)
        pairs = pairs.merge(
            units_b.rename(columns={"period": "period_other"}),
            on=["mission", "period_other"],
            how="inner",
        )
    elif on == "mission":

        def latest(units: pd.DataFrame) -> pd.DataFrame:
            out: dict[str, str] = {}
            for mission, period in zip(units["mission"], units["period"], strict=True):
                if mission not in out or key(period) > key(out[mission]):
                    out[mission] = period
            return pd.DataFrame({"mission": list(out), "period": list(out.values())})

        pairs = latest(units_a).merge(
            latest(units_b).rename(columns={"period": "period_other"}), on="mission"
        )
    else:
        pairs = units_a.merge(units_b, on=["mission", "period"], how="inner")
        pairs["period_other"] = pairs["period"]
    if pairs.empty:
        missions_a = list(dict.fromkeys(units_a["mission"]))
        missions_b = list(dict.fromkeys(units_b["mission"]))
        common = [m for m in missions_a if m in set(missions_b)]
        what = "(mission, period)" if on == "period" else "mission"
        how = (
            f"pass period_pairs={{'{periods_a[-1]}': '{periods_b[-1]}'}} to compare those "
            "periods, or on='mission' to compare each mission's latest period"
            if on == "period" and common
            else "the two profiles assess different missions"
        )
        raise IncompatibleProfilesError(
            f"compare: no common {what} in the two profiles"
            + (" for the period_pairs given" if period_pairs is not None else "")
            + f". Periods here: {listing(periods_a)}; in the other: {listing(periods_b)}. "
            f"Missions here: {listing(missions_a)}; in the other: {listing(missions_b)}. "
            + how[0].upper()
            + how[1:]
        )
    return pairs[["mission", "period", "period_other"]].reset_index(drop=True)


def _canonical(table: pd.DataFrame) -> pd.DataFrame:
    """The score table with its text columns as categoricals of Python strings, whatever the
    reader (Parquet gives Arrow-backed categories)."""
    out = table.copy()
    for col in _TEXT_COLUMNS:
        if col not in out.columns:  # a table saved before the column existed
            continue
        values = out[col]
        if not isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype("category")
        cats = pd.Index(list(values.cat.categories), dtype=object)
        out[col] = pd.Categorical.from_codes(values.cat.codes.to_numpy(), categories=cats)
    return out


def _sha256(payload: bytes) -> str:
    return "sha256:" + hashlib.sha256(payload).hexdigest()


def _shown(meta: object, key: str) -> str:
    return repr(meta.get(key)) if isinstance(meta, dict) else f"of a {type(meta).__name__}"


def _check_members(archive: zipfile.ZipFile, name: str) -> dict[str, zipfile.ZipInfo]:
    """The members of a profiles archive by name, checked for size before any is read."""
    infos = archive.infolist()
    if not infos:
        raise ArchiveError(name, "is an empty zip archive, not a missionlens profiles file")
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        if info.filename in members:
            raise ArchiveError(name, "appears twice in the archive", info.filename)
        members[info.filename] = info
        if info.file_size > MAX_MEMBER_BYTES:
            raise ArchiveError(
                name,
                f"is {info.file_size:,} bytes uncompressed, more than the {MAX_MEMBER_BYTES:,} "
                "a member of a profiles file may hold (see missionlens.scoring.profiles."
                "MAX_MEMBER_BYTES); not read",
                info.filename,
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > MAX_COMPRESSION_RATIO:
            raise ArchiveError(
                name,
                f"would expand {ratio:,.0f} times ({info.compress_size:,} to {info.file_size:,} "
                f"bytes), more than the {MAX_COMPRESSION_RATIO:g} of any real profiles file "
                "(a zip bomb?); not read",
                info.filename,
            )
        total += info.file_size
    if total > MAX_ARCHIVE_BYTES:
        raise ArchiveError(
            name,
            f"its members hold {total:,} bytes uncompressed, more than the {MAX_ARCHIVE_BYTES:,} "
            "a profiles file may hold; not read",
        )
    return members


def _member_bytes(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    """A member's bytes, read with a cap: never more than its header claims (and allows)."""
    cap = min(info.file_size, MAX_MEMBER_BYTES)
    try:
        with archive.open(info) as stream:
            payload = stream.read(cap + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise ArchiveError(
            name, f"cannot be read (the archive is truncated or damaged: {exc})", info.filename
        ) from None
    except NotImplementedError as exc:
        raise ArchiveError(
            name, f"uses an unsupported compression ({exc})", info.filename
        ) from None
    if len(payload) > cap:
        raise ArchiveError(
            name,
            "holds more bytes than its header says (a damaged or hostile archive)",
            info.filename,
        )
    return payload


def _json_member(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], member: str, name: str
) -> Any:
    if member not in members:
        raise ArchiveError(
            name,
            f"is not a missionlens profiles file (it has no {member}; members: "
            f"{', '.join(sorted(members)[:10])})",
        )
    payload = _member_bytes(archive, members[member], name)
    try:
        return json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ArchiveError(name, f"is not JSON ({exc})", member) from None


def _yaml_member(name: str, member: str, read: Any) -> Any:
    try:
        return read()
    except UnicodeDecodeError as exc:
        raise ArchiveError(name, f"is not UTF-8 text ({exc})", member) from None
    except MissionLensError as exc:
        raise ArchiveError(name, f"is not a valid definition: {exc}", member) from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise ArchiveError(name, f"is not a valid definition: {exc}", member) from None


def _parquet_member(payloads: dict[str, bytes], member: str, name: str) -> pd.DataFrame:
    import pyarrow as pa

    try:
        return pd.read_parquet(io.BytesIO(payloads[member]))
    except (pa.ArrowException, OSError, ValueError, TypeError) as exc:
        raise ArchiveError(name, f"is not a Parquet table ({exc})", member) from None


def _check_by_regenerating(loaded: Profiles, name: str) -> None:
    """A file without member hashes: its scores must be what its own inputs give."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IncompleteScoreWarning)
        fresh = loaded.regenerate()
    stored, again = loaded._table, fresh._table
    if list(stored.columns) != list(again.columns) or not _same_scores(stored, again):
        raise ArchiveError(
            name,
            "the stored scores are not what its own data, framework and recipe give (the file "
            "was altered or is damaged)",
            "scores.parquet",
        )


def _same_scores(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    if len(a) != len(b):
        return False
    for c in a.columns:
        left, right = a[c], b[c]
        if left.dtype.kind == "f" or right.dtype.kind == "f":
            if not np.array_equal(
                left.to_numpy(dtype=float), right.to_numpy(dtype=float), equal_nan=True
            ):
                return False
        elif not (_blank_missing(left) == _blank_missing(right)).all():
            return False
    return True


def _read_framework(text: str, fingerprint: str | None) -> Framework:
    """A saved framework. Files written before the root's default missing rule became
    ``min_share`` 1 left out a root rule equal to the old default (``reweight``, 0.5): if the
    fingerprint only matches with that rule, it is restored."""
    framework = Framework.from_yaml(text)
    if fingerprint is None or framework.fingerprint == fingerprint:
        return framework
    import yaml

    raw = yaml.safe_load(text)
    nodes = raw.get("nodes") if isinstance(raw, dict) else None
    if not isinstance(nodes, list):
        return framework
    for node in nodes:
        if isinstance(node, dict) and node.get("parent") is None and "missing" not in node:
            node["missing"] = {"rule": "reweight", "min_share": 0.5}
    legacy = Framework.from_dict(raw)
    return legacy if legacy.fingerprint == fingerprint else framework


def _upgrade(old: Profiles, path: str | Path) -> Profiles:
    """Profiles saved before the accounting columns: scored again, checked against the file."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IncompleteScoreWarning)
        fresh = old.regenerate()
    stored = old._table
    columns = [c for c in stored.columns if c in fresh._table.columns]
    again = fresh._table[columns]
    same = len(again) == len(stored) and all(
        np.array_equal(again[c].to_numpy(), stored[c].to_numpy(), equal_nan=True)
        if again[c].dtype.kind == "f"
        else (_blank_missing(again[c]) == _blank_missing(stored[c])).all()
        for c in columns
    )
    if not same:
        raise MissionLensError(
            f"{path}: saved by an earlier version of missionlens, and scoring its data again "
            "with its own framework and recipe does not give the stored scores, so the columns "
            "added since (weight_share, missing_children, complete, n_values, role) and the unused "
            "values cannot be filled in. Score the data again with ml.score"
        )
    fresh.log = old.log if not len(fresh.log) else fresh.log
    return fresh


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


def _blank_missing(values: pd.Series) -> pd.Series:
    """Text values with missing ones as ``""`` (for comparing; no dtype downcasting)."""
    as_object = values.astype(object)
    return as_object.where(as_object.notna(), "")
