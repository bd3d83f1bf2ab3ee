"""Effective weights of the framework tree, for the plots that need them.

The effective (global) weight of an element is the product, down the path from the root, of
its weight normalised among its siblings: the share of the root score it would carry if every
element had a score (OECD/JRC 2008, *Handbook on Constructing Composite Indicators*, section
6; the "effective weights" of COINr, Becker et al. 2022, ``get_eff_weights``). The
indicators' figures are :meth:`Framework.effective_weights` (the one definition); a node's is
the sum of the indicators below it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from missionlens.framework.model import Framework
    from missionlens.scoring.recipe import Recipe

__all__ = ["effective_weights", "recipe_weights"]


def recipe_weights(framework: Framework, recipe: Recipe | None = None) -> dict[str, float]:
    """Each element's weight within its parent, as the recipe's ``weight`` step sets them.

    The framework's weights, or all 1 for ``method: equal``, with the step's ``overrides``
    applied (the last ``weight`` step of the recipe counts, as in scoring); the framework's
    weights when there is no recipe or no such step.

    Examples
    --------
    >>> import missionlens as ml
    >>> fw = ml.load_framework("whole-of-mission")
    >>> recipe_weights(fw) == fw.weights()
    True
    """
    weights = framework.weights()
    if recipe is None:
        return weights
    steps = [s for s in recipe.steps if getattr(s, "step", None) == "weight"]
    if not steps:
        return weights
    params: Any = steps[-1].params
    if params.method == "equal":
        weights = dict.fromkeys(weights, 1.0)
    weights.update(params.overrides)
    return weights


def effective_weights(
    framework: Framework, weights: dict[str, float] | None = None
) -> dict[str, float]:
    """Each node's and indicator's share of the root: the product of normalised weights.

    ``weights[e] / sum(weights of e's siblings)`` multiplied down the path from the root, as
    :meth:`Framework.effective_weights` defines it for indicators; a node gets the sum of the
    indicators below it (the root 1, unless a zero weight cuts a branch off).

    Parameters
    ----------
    framework : Framework
    weights : dict, optional
        Weight of each element within its parent (:func:`recipe_weights`); by default the
        framework's.

    Returns
    -------
    dict
        Effective weight by element id, the root included; the indicators' weights sum to 1
        (unless a zero weight cuts a branch off).

    Examples
    --------
    >>> import missionlens as ml
    >>> fw = ml.load_framework("whole-of-mission")
    >>> round(sum(w for k, w in effective_weights(fw).items() if k in fw.indicator_ids), 12)
    1.0
    """
    table = framework.effective_weights(weights=weights)
    share = dict(zip(table["indicator"], table["effective_weight"].astype(float), strict=True))
    membership = framework.membership()  # indicators x nodes: node above indicator
    values = np.array([share[i] for i in framework.indicator_ids])
    out = {n: float(v) for n, v in zip(framework.node_ids, values @ membership, strict=True)}
    out[framework.root.id] = 1.0  # the root is the whole score by definition
    out.update(share)
    return out
