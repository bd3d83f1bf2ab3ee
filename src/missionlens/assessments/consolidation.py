"""Several analysts: one consolidated value per mission, period and indicator, and their agreement.

:func:`consolidate` turns the entries of several raters into one value per mission, period and
indicator, with the spread of the raters' values and a flag where they disagree markedly.
:func:`agreement` measures inter-rater reliability with Krippendorff's alpha, overall, per
dimension and per indicator, for nominal, ordinal, interval and ratio data.

Both functions first check the table as :func:`~missionlens.validate` does (so that, for
instance, an entry repeated by the same rater is never counted twice) and raise
:class:`~missionlens.ValidationError` if anything is wrong, including raters who put the same
mission and period in different lifecycle phases (check ``inconsistent_phase``).

References
----------
.. [1] Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*. Annenberg School for
   Communication, University of Pennsylvania. https://repository.upenn.edu/asc_papers/43
.. [2] Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a standard reliability
   measure for coding data. *Communication Methods and Measures*, 1(1), 77-89.
.. [3] Castro, S. (2017). *Fast Krippendorff: Fast computation of Krippendorff's alpha agreement
   measure*. https://github.com/pln-fing-udelar/fast-krippendorff (the ``krippendorff`` package).
.. [4] Wilcox, R. R. (2012). *Introduction to Robust Estimation and Hypothesis Testing* (3rd ed.).
   Academic Press. (The trimmed mean.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import krippendorff
import numpy as np
import pandas as pd

from missionlens.assessments.record import (
    ASSESSMENT_COLUMNS,
    CONFIDENCE_DTYPE,
    CONFIDENCE_LEVELS,
    INTERNAL,
    Batch,
)
from missionlens.assessments.validation import FAILURE_COLUMNS, ValidationReport, check_batches
from missionlens.errors import ValidationError
from missionlens.framework.elements import BinaryScale, NumericScale, RubricScale
from missionlens.text import text_dtype

if TYPE_CHECKING:
    from missionlens.framework.model import Framework

__all__ = [
    "AGREEMENT_COLUMNS",
    "CONSOLIDATED_COLUMNS",
    "DEFAULT_CONFIDENCE_WEIGHTS",
    "agreement",
    "consolidate",
]

Method = Literal["median", "mean", "trimmed_mean", "confidence_weighted"]
Level = Literal["nominal", "ordinal", "interval", "ratio"]

#: Columns of :func:`consolidate`'s result, in order.
CONSOLIDATED_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "period_start",
    "period_end",
    "phase",
    "indicator",
    "value",
    "n_raters",
    "min",
    "max",
    "spread",
    "std",
    "disagreement",
    "confidence",
    "method",
)

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

#: Weight of an entry by its confidence in the confidence-weighted mean.
DEFAULT_CONFIDENCE_WEIGHTS: Mapping[str, float] = {"low": 1.0, "medium": 2.0, "high": 3.0}

_KEYS = ["mission", "period", "indicator"]

#: Columns :func:`consolidate` and :func:`agreement` cannot do without.
_NEEDED: tuple[str, ...] = ("mission", "period", "indicator", "value", "rater")


def _resolve(table: pd.DataFrame, framework: Framework | None) -> Framework:
    """The framework given, or the built-in one the table was made for."""
    if framework is not None:
        return framework
    from missionlens.framework.registry import list_frameworks, load_framework

    ids: list[object] = (
        list(table["framework_id"].dropna().unique()) if "framework_id" in table else []
    )
    prints: list[object] = (
        list(table["framework_fingerprint"].dropna().unique())
        if "framework_fingerprint" in table
        else []
    )
    if len(ids) == 1 and len(prints) == 1:
        builtins = list_frameworks()
        hit = builtins[builtins["fingerprint"] == prints[0]]
        if not hit.empty:
            return load_framework(str(hit["name"].iloc[0]))
    raise ValueError(
        "pass framework=...: the assessments do not name exactly one built-in framework "
        "(found framework ids: " + (", ".join(map(str, ids)) or "none") + ")"
    )


def _checked(assessments: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Validate an assessment table; raise ValidationError if anything is wrong."""
    if not isinstance(assessments, pd.DataFrame):
        raise TypeError(f"assessments must be a DataFrame, not {type(assessments).__name__}")
    missing = [c for c in _NEEDED if c not in assessments.columns]
    if missing:
        raise ValueError(
            "not an assessment table: columns " + ", ".join(missing) + " are missing "
            "(read it with read_assessments first)"
        )
    present = [c for c in ASSESSMENT_COLUMNS if c in assessments.columns]
    frame = assessments[present].reset_index(drop=True).copy()
    frame[INTERNAL + "sheet"] = ""
    frame[INTERNAL + "row"] = np.arange(1, len(frame) + 1, dtype="int64")
    if "phase" not in frame.columns:
        frame[INTERNAL + "absent__phase"] = True
    batch = Batch(file="<assessments>", frame=frame, fixed=("phase",))
    report = check_batches([batch], framework)
    failures = [report.failures]
    table = report.table
    if table is None:  # pragma: no cover - check_batches always returns the table
        raise RuntimeError("validation returned no table")
    phases = table.dropna(subset=["mission", "period", "phase"])
    counts = phases.groupby(["mission", "period"], sort=False)["phase"].nunique()
    conflicts = counts[counts > 1]
    for (mission, period), _ in conflicts.items():
        rows = phases[(phases["mission"] == mission) & (phases["period"] == period)]
        found = ", ".join(
            f"{p} ({', '.join(sorted(map(str, rows.loc[rows['phase'] == p, 'rater'].unique())))})"
            for p in rows["phase"].unique()
        )
        failures.append(
            pd.DataFrame(
                [
                    {
                        "file": "<assessments>",
                        "sheet": "",
                        "row": int(rows.index[0]) + 1,
                        "column": "phase",
                        "mission": mission,
                        "period": period,
                        "indicator": "",
                        "rater": "",
                        "check": "inconsistent_phase",
                        "value": "",
                        "message": f"raters put {mission} {period} in different phases: {found}; "
                        "agree on one phase first",
                    }
                ],
                columns=list(FAILURE_COLUMNS),
            )
        )
    all_failures = (
        pd.concat([f for f in failures if not f.empty], ignore_index=True)
        if any(not f.empty for f in failures)
        else report.failures
    )
    if not all_failures.empty:
        all_failures["row"] = all_failures["row"].astype("Int64")
        raise ValidationError(ValidationReport(all_failures, table, n_entries=len(table)))
    return table


def _scale_facts(framework: Framework, indicators: Sequence[str]) -> pd.DataFrame:
    rows = []
    for ind_id in indicators:
        scale = framework.scale_of(ind_id)
        width = np.nan
        if isinstance(scale, NumericScale):
            goalposts = framework.goalposts(ind_id)
            if goalposts is not None:
                width = abs(goalposts[1] - goalposts[0])
            elif scale.minimum is not None and scale.maximum is not None:
                width = scale.maximum - scale.minimum
        rows.append({"indicator": ind_id, "kind": scale.kind, "width": width})
    return pd.DataFrame(rows, columns=["indicator", "kind", "width"]).set_index("indicator")


def _level_index(framework: Framework, indicator: pd.Series, value: pd.Series) -> pd.Series:
    """Position of each rubric value among its scale's levels (NaN for other scales)."""
    pairs: list[tuple[str, float]] = []
    positions: list[int] = []
    for ind_id in pd.unique(indicator.to_numpy(dtype=object)):
        scale = framework.scale_of(str(ind_id))
        if isinstance(scale, RubricScale):
            for k, v in enumerate(scale.values):
                pairs.append((str(ind_id), float(v)))
                positions.append(k)
    if not pairs:
        return pd.Series(np.nan, index=value.index)
    lookup = pd.MultiIndex.from_tuples(pairs)
    where = lookup.get_indexer(
        pd.MultiIndex.from_arrays([indicator.astype(object), value.astype(float)])
    )
    out = np.where(where >= 0, np.asarray(positions, dtype="float64")[np.maximum(where, 0)], np.nan)
    return pd.Series(out, index=value.index)


def consolidate(
    assessments: pd.DataFrame,
    method: Method | str = "median",
    *,
    framework: Framework | None = None,
    trim: float = 0.2,
    weights: Mapping[str, float] | None = None,
    steps: int = 2,
    numeric_tolerance: float = 0.25,
) -> pd.DataFrame:
    """Consolidate several raters' entries into one value per mission, period and indicator.

    Parameters
    ----------
    assessments : pandas.DataFrame
        An assessment table (see :func:`~missionlens.read_assessments`).
    method : {"median", "mean", "trimmed_mean", "confidence_weighted"}
        How the raters' values are combined:

        * ``median`` (default): the median; with an even number of raters, the mean of the two
          middle values (so it may fall between two rubric levels). Robust to one outlying rater.
        * ``mean``: the arithmetic mean.
        * ``trimmed_mean``: the mean after removing ``floor(trim * n)`` of the lowest and as many
          of the highest values, as in ``scipy.stats.trim_mean`` [4]_; with the default
          ``trim=0.2`` and five raters, the lowest and the highest value are removed; with fewer
          than five, nothing is.
        * ``confidence_weighted``: the mean weighted by each entry's confidence (``weights``,
          by default low 1, medium 2, high 3; an entry without a confidence counts as low).
    framework : Framework, optional
        The framework of the entries; by default the built-in framework whose fingerprint the
        table records.
    trim : float
        Proportion cut from each end by ``trimmed_mean``, from 0 up to (not including) 0.5.
    weights : mapping, optional
        Weights of ``low``, ``medium`` and ``high`` confidence for ``confidence_weighted``.
    steps : int
        Rubric levels apart at which raters are said to disagree (default 2).
    numeric_tolerance : float
        For numeric indicators, raters disagree when their values are at least this share of the
        indicator's goalpost range apart (default 0.25); without goalposts or bounds the flag is
        missing.

    Returns
    -------
    pandas.DataFrame
        One row per mission, period and indicator (sorted by mission, period start and the
        framework's indicator order), with the columns of :data:`CONSOLIDATED_COLUMNS`:
        ``mission``, ``period``, ``period_start``, ``period_end``, ``phase``, ``indicator``;
        ``value`` (the consolidated value); ``n_raters``; ``min``, ``max`` and ``spread``
        (``max - min``); ``std`` (sample standard deviation, ``ddof=1``, missing for one rater);
        ``disagreement`` (boolean: rubric values ``steps`` or more levels apart, binary values
        not unanimous, numeric values ``numeric_tolerance`` of the range apart); ``confidence``
        (the median of the raters' confidence, the lower one of two middle values; missing when
        nobody gave one); ``method``.

    Raises
    ------
    ValidationError
        If the table has problems (an entry repeated by a rater, values outside the scale, raters
        disagreeing on the phase, entries made for another framework version, ...).
    ValueError
        If an argument is out of range, or no framework is given and none can be found.

    Examples
    --------
    >>> import missionlens as ml
    >>> consolidated = ml.consolidate(table, method="median", framework=fw)  # doctest: +SKIP
    """
    if method not in ("median", "mean", "trimmed_mean", "confidence_weighted"):
        raise ValueError(
            f"unknown method {method!r}; use median, mean, trimmed_mean or confidence_weighted"
        )
    if not 0.0 <= trim < 0.5:
        raise ValueError(f"trim must be at least 0 and below 0.5, not {trim}")
    if steps < 1:
        raise ValueError(f"steps must be at least 1, not {steps}")
    if not numeric_tolerance > 0:
        raise ValueError(f"numeric_tolerance must be positive, not {numeric_tolerance}")
    w = dict(DEFAULT_CONFIDENCE_WEIGHTS if weights is None else weights)
    unknown = sorted(set(w) - set(CONFIDENCE_LEVELS))
    lacking = sorted(set(CONFIDENCE_LEVELS) - set(w))
    if unknown or lacking or any(not (v > 0 and np.isfinite(v)) for v in w.values()):
        raise ValueError(
            "weights must give a positive weight to each of low, medium and high"
            + (f" (unknown: {', '.join(unknown)})" if unknown else "")
            + (f" (missing: {', '.join(lacking)})" if lacking else "")
        )
    fw = _resolve(assessments, framework)
    table = _checked(assessments, fw)

    columns = list(CONSOLIDATED_COLUMNS)
    if table.empty:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        return _consolidated_dtypes(empty)

    df = table[[*_KEYS, "period_start", "period_end", "phase", "value", "confidence"]].copy()
    groups = df.groupby(_KEYS, sort=False)
    values = groups["value"]
    out = groups[["period_start", "period_end", "phase"]].first()
    out["n_raters"] = values.size()
    out["min"] = values.min()
    out["max"] = values.max()
    out["spread"] = out["max"] - out["min"]
    out["std"] = values.std(ddof=1)
    if method == "median":
        out["value"] = values.median()
    elif method == "mean":
        out["value"] = values.mean()
    elif method == "trimmed_mean":
        n = values.transform("size")
        cut = np.floor(trim * n)
        rank = values.rank(method="first")
        keep = (rank > cut) & (rank <= n - cut)
        out["value"] = df[keep].groupby(_KEYS, sort=False)["value"].mean()
    else:
        weight = df["confidence"].astype(object).map(w).fillna(w["low"]).astype("float64")
        df["_wv"] = weight * df["value"]
        df["_w"] = weight
        sums = df.groupby(_KEYS, sort=False)[["_wv", "_w"]].sum()
        out["value"] = sums["_wv"] / sums["_w"]

    # disagreement
    facts = _scale_facts(fw, [str(i) for i in out.index.get_level_values("indicator").unique()])
    indicator = pd.Series(out.index.get_level_values("indicator"), index=out.index)
    kind = indicator.map(facts["kind"])
    df["_level"] = _level_index(fw, df["indicator"], df["value"])
    level_range = df.groupby(_KEYS, sort=False)["_level"].agg(lambda s: s.max() - s.min())
    width = indicator.map(facts["width"]).astype("float64")
    numeric_flag = pd.Series(
        np.where(width.notna(), out["spread"] >= numeric_tolerance * width, np.nan), index=out.index
    )
    flag = pd.Series(pd.NA, index=out.index, dtype="boolean")
    flag[kind == "rubric"] = (level_range >= steps)[kind == "rubric"]
    flag[kind == "binary"] = (out["spread"] > 0)[kind == "binary"]
    numeric = kind == "numeric"
    flag[numeric & width.notna()] = numeric_flag[numeric & width.notna()].astype(bool)
    out["disagreement"] = flag

    # confidence: the lower median of the raters' confidence
    codes = df["confidence"].cat.codes.astype("float64").where(df["confidence"].notna())
    median_code = codes.groupby([df[k] for k in _KEYS], sort=False).quantile(
        0.5, interpolation="lower"
    )
    out["confidence"] = pd.Categorical.from_codes(
        median_code.reindex(out.index).fillna(-1).astype(int).to_numpy(), dtype=CONFIDENCE_DTYPE
    )
    out["method"] = method

    out = out.reset_index()
    order = {ind: k for k, ind in enumerate(fw.indicator_ids)}
    out["_order"] = out["indicator"].map(order)
    out = out.sort_values(["mission", "period_start", "period", "_order"], kind="stable")
    return _consolidated_dtypes(out[columns].reset_index(drop=True))


def _consolidated_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    for col in ("mission", "period", "phase", "indicator", "method"):
        frame[col] = frame[col].astype(text_dtype())
    for col in ("period_start", "period_end"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    for col in ("value", "min", "max", "spread", "std"):
        frame[col] = frame[col].astype("float64")
    frame["n_raters"] = frame["n_raters"].astype("int64")
    frame["disagreement"] = frame["disagreement"].astype("boolean")
    frame["confidence"] = frame["confidence"].astype(CONFIDENCE_DTYPE)
    return frame


# ---------------------------------------------------------------------------------- agreement
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
    framework: Framework | None = None,
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
    framework : Framework, optional
        The framework of the entries; by default the built-in framework whose fingerprint the
        table records.
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
    if level not in ("nominal", "ordinal", "interval", "ratio"):
        raise ValueError(f"unknown level {level!r}; use nominal, ordinal, interval or ratio")
    bad_kinds = sorted(set(kinds) - {"rubric", "binary", "numeric"})
    if bad_kinds or not kinds:
        raise ValueError("kinds must name one or more of rubric, binary and numeric")
    fw = _resolve(assessments, framework)
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
