"""Inter-rater agreement: Krippendorff's alpha overall, per dimension and per indicator.

:func:`agreement` reads how far several raters agree on the same entries, for nominal, ordinal,
interval and ratio data. It checks the entries first with the one set of entry checks (as
:func:`~missionlens.validate`), so that an entry repeated by a rater is never counted twice.

References
----------
.. [1] Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*. Annenberg School for
   Communication, University of Pennsylvania. https://repository.upenn.edu/asc_papers/43
.. [2] Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a standard reliability
   measure for coding data. *Communication Methods and Measures*, 1(1), 77-89.
.. [3] Castro, S. (2017). *Fast Krippendorff: Fast computation of Krippendorff's alpha agreement
   measure*. https://github.com/pln-fing-udelar/fast-krippendorff (the ``krippendorff`` package).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import krippendorff
import numpy as np
import pandas as pd

from missionlens.assessments.consolidation import _KEYS, _checked, _require_table, _resolve
from missionlens.assessments.validation import resolve_framework
from missionlens.errors import ArgumentError
from missionlens.framework.elements import BinaryScale, RubricScale
from missionlens.text import text_dtype

if TYPE_CHECKING:
    from missionlens.framework.model import Framework

__all__ = ["AGREEMENT_COLUMNS", "agreement"]

Level = Literal["nominal", "ordinal", "interval", "ratio"]

#: Columns of :func:`agreement`'s result, in order.
AGREEMENT_COLUMNS: tuple[str, ...] = (
    "scope",
    "id",
    "level",
    "alpha",
    "n_units",
    "n_raters",
    "n_pairable",
)


def _alpha(
    sub: pd.DataFrame, units: list[str], level: Level, domain: np.ndarray
) -> tuple[float, int, int, int]:
    """Krippendorff's alpha of one scope: (alpha, pairable units, raters, pairable values)."""
    if sub.empty:
        return np.nan, 0, 0, 0
    matrix = sub.pivot(index="rater", columns=units, values="value")
    data = matrix.to_numpy(dtype="float64")
    counts = np.sum(~np.isnan(data), axis=0)
    pairable = counts >= 2
    n_units = int(pairable.sum())
    n_values = int(counts[pairable].sum())
    data = data[:, pairable]
    raters = int(np.sum(np.any(~np.isnan(data), axis=1))) if n_units else 0
    observed = np.unique(data[~np.isnan(data)])
    if n_units == 0 or observed.size < 2:
        return np.nan, n_units, raters, n_values
    with np.errstate(divide="ignore", invalid="ignore"):
        value = float(
            krippendorff.alpha(
                reliability_data=data,
                value_domain=domain,
                level_of_measurement=level,
            )
        )
    return value, n_units, raters, n_values


def agreement(
    assessments: pd.DataFrame,
    level: Level = "ordinal",
    *,
    framework: Framework | str | None = None,
    kinds: Sequence[str] = ("rubric",),
) -> pd.DataFrame:
    """Inter-rater agreement: Krippendorff's alpha overall, per dimension and per indicator.

    Krippendorff's alpha [1]_ [2]_ is ``1 - D_o / D_e``, the observed disagreement between the
    values raters gave to the same unit over the disagreement expected by chance, with the
    difference function of the level of measurement. It is 1 for perfect agreement, 0 for
    agreement at chance level and negative for systematic disagreement; it handles any number of
    raters and missing entries. Krippendorff (2004, *Content Analysis*, 2nd ed.) suggests relying
    on data with alpha of at least 0.800 and drawing only tentative conclusions between 0.667 and
    0.800. It is computed with the ``krippendorff`` package [3]_ and tested against the worked
    example of [1]_ (nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797).

    Parameters
    ----------
    assessments : pandas.DataFrame
        An assessment table with entries of two or more raters.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement: ``ordinal`` (default) suits rubric levels; ``interval`` treats the
        levels' values as equally spaced; ``nominal`` only counts exact matches; ``ratio`` suits
        non-negative quantities with a true zero.
    framework : Framework or str, optional
        The framework of the entries (an object, or the name or path of one); by default the
        built-in framework whose fingerprint the table records.
    kinds : sequence of str
        Kinds of scale whose indicators are included (``rubric``, ``binary``, ``numeric``);
        by default rubric indicators only, the analysts' judgements. The overall and dimension
        scopes pool the included indicators, which is meaningful when they share a scale.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`AGREEMENT_COLUMNS`: ``scope`` (``overall``, ``dimension`` or
        ``indicator``), ``id`` (empty for overall, else the dimension or indicator id),
        ``level``, ``alpha`` (missing when fewer than two values can be paired or all paired
        values are equal, where alpha is undefined), ``n_units`` (units rated by two raters or
        more: a unit is a mission, period and indicator for the overall and dimension scopes, a
        mission and period for an indicator), ``n_raters`` (raters with a value in those units)
        and ``n_pairable`` (the number of pairable values, Krippendorff's *n*).

    Raises
    ------
    ValidationError
        If the table has problems, in particular a rater entering the same unit twice.

    References
    ----------
    .. [1] Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability.
       https://repository.upenn.edu/asc_papers/43
    .. [2] Hayes, A. F., & Krippendorff, K. (2007). Communication Methods and Measures, 1(1),
       77-89.
    .. [3] https://github.com/pln-fing-udelar/fast-krippendorff

    Examples
    --------
    >>> import missionlens as ml
    >>> ml.agreement(table, level="ordinal", framework=fw)  # doctest: +SKIP
    """
    _require_table(assessments, "agreement")
    if not isinstance(level, str) or level not in ("nominal", "ordinal", "interval", "ratio"):
        raise ArgumentError(
            f"agreement: unknown level {level!r}; use nominal, ordinal, interval or ratio"
        )
    if isinstance(kinds, str):
        kinds = (kinds,)
    if not isinstance(kinds, Sequence | set | frozenset) or not all(
        isinstance(k, str) for k in kinds
    ):
        raise ArgumentError(
            "agreement: kinds must be a list of scale kinds (rubric, binary, numeric), not "
            f"{type(kinds).__name__}"
        )
    bad_kinds = sorted(set(kinds) - {"rubric", "binary", "numeric"})
    if bad_kinds or not kinds:
        raise ArgumentError(
            "agreement: kinds must name one or more of rubric, binary and numeric"
            + (f" (unknown: {', '.join(bad_kinds)})" if bad_kinds else "")
        )
    fw = _resolve(assessments, resolve_framework(framework, "agreement"))
    table = _checked(assessments, fw)
    included = [i.id for i in fw.indicators if fw.scale(i.scale).kind in kinds]
    df = table[table["indicator"].isin(included)][[*_KEYS, "rater", "value"]].copy()
    for col in (*_KEYS, "rater"):
        df[col] = df[col].astype(object)
    df["dimension"] = df["indicator"].map({i: fw.dimension_of(i) for i in included})

    levels: list[float] = []
    for ind_id in included:
        scale = fw.scale_of(ind_id)
        if isinstance(scale, RubricScale | BinaryScale):
            levels.extend(float(v) for v in scale.values)
    domain = np.unique(
        np.concatenate([np.asarray(levels, dtype="float64"), df["value"].to_numpy(dtype="float64")])
    )

    rows: list[dict[str, object]] = []

    def add(scope: str, ident: str, sub: pd.DataFrame, units: list[str]) -> None:
        alpha, n_units, n_raters, n_values = _alpha(sub, units, level, domain)
        rows.append(
            {
                "scope": scope,
                "id": ident,
                "level": level,
                "alpha": alpha,
                "n_units": n_units,
                "n_raters": n_raters,
                "n_pairable": n_values,
            }
        )

    add("overall", "", df, _KEYS)
    present = set(df["indicator"])
    for dim in fw.dimensions:
        members = [i for i in included if fw.dimension_of(i) == dim.id and i in present]
        if members:
            add("dimension", dim.id, df[df["dimension"] == dim.id], _KEYS)
    for ind_id in included:
        if ind_id in present:
            add("indicator", ind_id, df[df["indicator"] == ind_id], ["mission", "period"])
    out = pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS))
    for col in ("scope", "id", "level"):
        out[col] = out[col].astype(text_dtype())
    out["alpha"] = out["alpha"].astype("float64")
    for col in ("n_units", "n_raters", "n_pairable"):
        out[col] = out[col].astype("int64")
    return out
