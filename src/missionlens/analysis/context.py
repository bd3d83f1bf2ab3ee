"""Performance read against context: difficulty bands, the quadrant, and context-adjusted scores.

No composite-indicator tool reads a mission's performance against the conditions it works in;
Cairo 2018 finding 16(b) asks that an assessment consider them. The context index
(:meth:`~missionlens.Profiles.context_index`, the root of the ``context`` view: 100 for the most
favourable conditions, 0 for the hardest) is never averaged into performance; here it is read
beside it, three ways:

* :func:`difficulty_bands`: mission-periods grouped by their context index (tertiles by
  default), so that missions are compared with missions facing similar conditions
  (``ml.compare_missions(..., within_band=True)``);
* :func:`performance_vs_context`: performance beside context, each mission-period placed in a
  quadrant relative to the two medians;
* :func:`context_adjusted`: performance adjusted for context, the residual of an ordinary least
  squares regression of performance on the context index, always beside the unadjusted score.

References
----------
.. [1] Hyndman, R. J., & Fan, Y. (1996). Sample quantiles in statistical packages. *The American
   Statistician*, 50(4), 361-365 (definition 7, numpy's and R's default: the band edges).
.. [2] Montgomery, D. C., Peck, E. A., & Vining, G. G. (2012). *Introduction to Linear Regression
   Analysis* (5th ed.). Wiley: section 2.2 (least-squares estimates of simple linear
   regression), 2.4.2 (the prediction interval of a new observation) and 4.2 (residuals and
   their variance, ``sigma^2 (1 - h_ii)``).
.. [3] Cherchye, L., Moesen, W., Rogge, N., & Van Puyenbroeck, T. (2007). An introduction to
   'benefit of the doubt' composite indicators. *Social Indicators Research*, 82(1), 111-145
   (the alternative, not implemented: see ``docs/lifecycle-peers.md``).
.. [4] United Nations (2018). *Enhancing the Performance of Peacekeeping Operations: From Mandate
   to Exit*, Chairman's Summary, Cairo, finding 16(b).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from missionlens.errors import ArgumentError

if TYPE_CHECKING:
    from missionlens.scoring.profiles import Profiles

__all__ = [
    "ADJUSTED_COLUMNS",
    "BAND_COLUMNS",
    "QUADRANTS",
    "VERSUS_COLUMNS",
    "context_adjusted",
    "difficulty_bands",
    "performance_vs_context",
]

#: Columns of :func:`difficulty_bands`, in order.
BAND_COLUMNS: tuple[str, ...] = ("mission", "period", "phase", "context", "band", "lower", "upper")

#: Columns of :func:`performance_vs_context`, in order.
VERSUS_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "phase",
    "performance",
    "context",
    "band",
    "quadrant",
)

#: The quadrants of :func:`performance_vs_context`: performance at or above its median (``high``)
#: or below (``low``), context at or above its median (``favourable``) or below (``hard``).
QUADRANTS: tuple[str, ...] = (
    "high_performance_hard_context",
    "high_performance_favourable_context",
    "low_performance_hard_context",
    "low_performance_favourable_context",
)

#: Columns of :func:`context_adjusted`, in order.
ADJUSTED_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "phase",
    "performance",
    "context",
    "expected",
    "expected_lower",
    "expected_upper",
    "residual",
    "se",
    "adjusted",
    "adjusted_lower",
    "adjusted_upper",
    "versus_expected",
    "n_units",
    "intercept",
    "slope",
    "r_squared",
    "note",
)


def _objects(values: Iterable[object], index: pd.Index) -> pd.Series:
    """A column of text or ``None`` (object dtype: pandas 3 would make ``None`` a ``NaN``)."""
    texts = [None if v is None or v is pd.NA or v != v else str(v) for v in values]
    return pd.Series(texts, index=index, dtype=object)


def _headline(profiles: Profiles) -> pd.DataFrame:
    """Mission, period, phase, performance and context of every unit (``phase`` None if none)."""
    summary = profiles.summary()
    out = summary[["mission", "period", "phase", "performance", "context"]].copy()
    for column in ("mission", "period"):
        out[column] = out[column].astype(str)
    out["phase"] = _objects(out["phase"], out.index)
    out["performance"] = out["performance"].astype(float)
    out["context"] = out["context"].astype(float)
    return out.reset_index(drop=True)


def _band_edges(values: np.ndarray, bands: int | Sequence[float]) -> np.ndarray:
    """The band edges: ``bands`` quantile bands of ``values``, or the edges given."""
    if isinstance(bands, bool) or not isinstance(bands, int | np.integer | Sequence):
        raise ArgumentError(
            f"bands must be a number of bands (such as 3, tertiles) or a list of edges on the "
            f"0-100 context index (such as [0, 40, 70, 100]); got {bands!r}"
        )
    if isinstance(bands, int | np.integer):
        if bands < 1:
            raise ArgumentError(f"bands must be at least 1; got {bands}")
        if values.size == 0:
            return np.array([0.0, 100.0])
        # Hyndman & Fan (1996) definition 7 (numpy's default), the extremes at 0 and 100
        edges = np.quantile(values, np.linspace(0, 1, int(bands) + 1))
        edges[0], edges[-1] = min(0.0, edges[0]), max(100.0, edges[-1])
        return np.unique(edges)
    try:
        edges = np.asarray([float(e) for e in bands], dtype=float)
    except (TypeError, ValueError):
        raise ArgumentError(f"bands: the edges must be numbers; got {list(bands)!r}") from None
    if edges.size < 2 or not np.all(np.isfinite(edges)) or np.any(np.diff(edges) <= 0):
        raise ArgumentError(
            f"bands: give at least two finite edges in increasing order; got {list(bands)!r}"
        )
    return edges


def difficulty_bands(profiles: Profiles, *, bands: int | Sequence[float] = 3) -> pd.DataFrame:
    """Group mission-periods into difficulty bands by their context index.

    Band 1 is the hardest (the lowest context index), the last band the most favourable.
    With a number of bands ``k`` the edges are the ``k``-quantiles of the context index over
    the mission-periods that have one (tertiles by default; Hyndman & Fan 1996 definition 7,
    numpy's default), the outer edges widened to 0 and 100; quantiles that coincide (many tied
    values) merge bands, so fewer than ``k`` bands may result. With a list of edges
    (``[0, 40, 70, 100]``) the bands are those intervals. A band includes its upper edge and,
    for the first band, its lower edge: ``(lower, upper]``, ``[lower, upper]`` for band 1
    (``pandas.cut`` with ``include_lowest``).

    Parameters
    ----------
    profiles : Profiles
        Scored profiles of a framework with context indicators.
    bands : int or sequence of float, default 3
        The number of quantile bands, or the band edges on the 0-100 context index.

    Returns
    -------
    pandas.DataFrame
        One row per mission and period (:data:`BAND_COLUMNS`): ``mission``, ``period``,
        ``phase`` (``None`` where not entered), ``context`` (the context index, ``NaN`` where
        missing), ``band`` (1 = hardest; ``<NA>`` where the context index is missing or outside
        the edges given), ``lower`` and ``upper`` (the band's edges).

    Raises
    ------
    ArgumentError
        If ``bands`` is neither a positive number nor increasing edges, or the framework of
        the profiles has no context indicator.
    """
    _require_context(profiles)
    head = _headline(profiles)
    context = head["context"].to_numpy(dtype=float)
    edges = _band_edges(context[np.isfinite(context)], bands)
    # (lower, upper], the first band [lower, upper]: what pandas.cut gives with include_lowest
    where = np.searchsorted(edges, context, side="left")
    where = np.where(context == edges[0], 1, where)
    inside = np.isfinite(context) & (where >= 1) & (where <= edges.size - 1)
    band = pd.array(
        [int(w) if ok else pd.NA for w, ok in zip(where, inside, strict=True)], dtype="Int64"
    )
    lower = np.array([np.nan if pd.isna(b) else edges[int(b) - 1] for b in band])
    upper = np.array([np.nan if pd.isna(b) else edges[int(b)] for b in band])
    out = head[["mission", "period", "phase", "context"]].copy()
    out["band"] = band
    out["lower"], out["upper"] = lower, upper
    return out[list(BAND_COLUMNS)]


def _require_context(profiles: Profiles) -> None:
    if not any(i.role == "context" for i in profiles.framework.indicators):
        raise ArgumentError(
            f"framework '{profiles.framework.id}' has no context indicator (role: context), so "
            "these profiles have no context index to read performance against"
        )


def performance_vs_context(profiles: Profiles, *, bands: int | Sequence[float] = 3) -> pd.DataFrame:
    """Performance beside context for every mission-period, with its band and quadrant.

    The quadrant is relative to the medians over the mission-periods that have both scores:
    performance at or above its median is ``high``, below ``low``; context at or above its
    median is ``favourable``, below ``hard`` (:data:`QUADRANTS`). A mission scoring high in a
    hard context and one scoring high in a favourable context are different findings; the
    table says which is which and never combines the two numbers.

    Parameters
    ----------
    profiles : Profiles
        Scored profiles of a framework with context indicators.
    bands : int or sequence of float, default 3
        As in :func:`difficulty_bands`.

    Returns
    -------
    pandas.DataFrame
        One row per mission and period (:data:`VERSUS_COLUMNS`): ``mission``, ``period``,
        ``phase``, ``performance`` (the headline composite), ``context`` (the context index),
        ``band`` (:func:`difficulty_bands`) and ``quadrant`` (``None`` where either score is
        missing). It is what :func:`~missionlens.plot_quadrant` draws.

    Raises
    ------
    ArgumentError
        If the framework has no context indicator.
    """
    banded = difficulty_bands(profiles, bands=bands)
    head = _headline(profiles)
    out = head.copy()
    out["band"] = banded["band"].to_numpy()
    both = out["performance"].notna() & out["context"].notna()
    quadrant: list[str | None] = [None] * len(out)
    if both.any():
        p_median = float(np.median(out.loc[both, "performance"]))
        c_median = float(np.median(out.loc[both, "context"]))
        for i in np.flatnonzero(both.to_numpy()):
            perf = "high" if out.at[i, "performance"] >= p_median else "low"
            cont = "favourable" if out.at[i, "context"] >= c_median else "hard"
            quadrant[i] = f"{perf}_performance_{cont}_context"
    out["quadrant"] = _objects(quadrant, out.index)
    return out[list(VERSUS_COLUMNS)]


def context_adjusted(
    profiles: Profiles,
    *,
    min_units: int = 8,
    level: float = 0.90,
    period: str | None = None,
) -> pd.DataFrame:
    """Performance adjusted for context: the residual of a regression on the context index.

    Over the mission-periods with both a performance composite ``y`` and a context index ``x``
    (``n`` of them), the ordinary least squares line ``y = a + b x`` is fitted (Montgomery,
    Peck & Vining 2012, 2.2). For each mission-period:

    * ``expected`` = ``a + b x``: the performance expected of a mission in that context;
    * ``se`` = ``s sqrt(1 + 1/n + (x - mean(x))^2 / Sxx)``: the standard error of predicting a
      new observation at ``x``, with ``s^2`` the residual mean square on ``n - 2`` degrees of
      freedom and ``Sxx`` the sum of squared deviations of ``x`` (2.4.2);
    * ``expected_lower``, ``expected_upper`` = ``expected -/+ t se``, ``t`` the ``(1 + level)/2``
      quantile of Student's t with ``n - 2`` degrees of freedom: the ``level`` prediction
      interval;
    * ``residual`` = ``y - expected``; ``adjusted`` = ``mean(y) + residual``: the performance a
      mission would show in the average context, on the same 0-100 scale; ``adjusted_lower``,
      ``adjusted_upper`` = ``mean(y) + y - expected_upper`` and ``... - expected_lower``;
    * ``versus_expected``: ``above`` where ``y`` exceeds ``expected_upper``, ``below`` where it
      falls short of ``expected_lower``, else ``within``: only ``above`` and ``below`` are
      differences the regression can tell from noise.

    The adjusted score is always shown beside the unadjusted one (``performance``). Pooling
    several periods of one mission treats them as independent observations; they are not
    (a mission resembles itself from one year to the next), so the interval is then too narrow:
    pass ``period=`` to fit one period. The line describes association across these missions,
    not the effect of context on performance. The benefit-of-the-doubt weighting (Cherchye et
    al. 2007) is not implemented.

    Parameters
    ----------
    profiles : Profiles
        Scored profiles of a framework with context indicators.
    min_units : int, default 8
        The fewest mission-periods with both scores for which a line is fitted (at least 3:
        the interval needs ``n - 2 >= 1`` degrees of freedom).
    level : float, default 0.90
        The coverage of the prediction interval, between 0 and 1.
    period : str, optional
        Fit over the mission-periods of this period only (a label as in the profiles).

    Returns
    -------
    pandas.DataFrame
        One row per mission and period (:data:`ADJUSTED_COLUMNS`), those of the fit and the
        others too (their adjusted columns ``NaN`` and ``note`` saying why): ``mission``,
        ``period``, ``phase``, ``performance``, ``context``, ``expected``, ``expected_lower``,
        ``expected_upper``, ``residual``, ``se``, ``adjusted``, ``adjusted_lower``,
        ``adjusted_upper``, ``versus_expected``, and, the same on every row, ``n_units`` (the
        ``n`` of the fit), ``intercept`` (``a``), ``slope`` (``b``) and ``r_squared``;
        ``note`` is ``""`` on fitted rows.

    Raises
    ------
    ArgumentError
        If fewer than ``min_units`` mission-periods have both scores, if ``min_units`` or
        ``level`` is out of range, if ``period`` is in none of the profiles, or the context
        index does not vary (no line can be fitted).
    """
    if isinstance(min_units, bool) or not isinstance(min_units, int | np.integer):
        raise ArgumentError(f"min_units must be a whole number; got {min_units!r}")
    if min_units < 3:
        raise ArgumentError(
            f"min_units must be at least 3 (a prediction interval needs n - 2 >= 1 degrees "
            f"of freedom); got {min_units}"
        )
    if isinstance(level, bool) or not isinstance(level, float | int) or not 0 < level < 1:
        raise ArgumentError(f"level must be a number between 0 and 1 (0.90); got {level!r}")
    _require_context(profiles)
    out = _headline(profiles)
    notes = np.full(len(out), "", dtype=object)
    in_fit = np.ones(len(out), dtype=bool)
    if period is not None:
        known = set(out["period"])
        if str(period) not in known:
            raise ArgumentError(
                f"period {period!r} is in none of these profiles; periods: "
                + ", ".join(sorted(known))
            )
        other = (out["period"] != str(period)).to_numpy()
        notes[other] = f"not in period {period}"
        in_fit &= ~other
    y_all = out["performance"].to_numpy(dtype=float)
    x_all = out["context"].to_numpy(dtype=float)
    for mask, why in (
        (np.isnan(y_all) & np.isnan(x_all), "no performance composite and no context index"),
        (np.isnan(y_all) & ~np.isnan(x_all), "no performance composite"),
        (~np.isnan(y_all) & np.isnan(x_all), "no context index"),
    ):
        notes[in_fit & mask] = why
        in_fit &= ~mask
    n = int(in_fit.sum())
    if n < min_units:
        raise ArgumentError(
            f"context_adjusted needs at least min_units={min_units} mission-periods with both a "
            f"performance composite and a context index; these profiles have {n}"
            + (f" in period {period}" if period is not None else "")
            + ". With fewer, a regression line says nothing reliable: read "
            "ml.performance_vs_context(profiles) instead, or lower min_units knowingly"
        )
    x, y = x_all[in_fit], y_all[in_fit]
    x_mean, y_mean = float(x.mean()), float(y.mean())
    sxx = float(((x - x_mean) ** 2).sum())
    if sxx == 0.0:
        raise ArgumentError(
            f"the context index is the same ({x_mean:g}) for all {n} mission-periods: no line "
            "can be fitted and there is nothing to adjust for"
        )
    # Montgomery, Peck & Vining (2012), 2.2: b = Sxy / Sxx, a = mean(y) - b mean(x)
    slope = float(((x - x_mean) * (y - y_mean)).sum()) / sxx
    intercept = y_mean - slope * x_mean
    fitted = intercept + slope * x
    sse = float(((y - fitted) ** 2).sum())
    syy = float(((y - y_mean) ** 2).sum())
    s2 = sse / (n - 2)
    t = float(stats.t.ppf((1 + float(level)) / 2, n - 2))
    expected = np.where(in_fit, intercept + slope * x_all, np.nan)
    # 2.4.2: the variance of predicting a new observation at x0
    se = np.where(in_fit, np.sqrt(s2 * (1 + 1 / n + (x_all - x_mean) ** 2 / sxx)), np.nan)
    out["expected"] = expected
    out["expected_lower"] = expected - t * se
    out["expected_upper"] = expected + t * se
    out["residual"] = y_all - expected
    out["se"] = se
    out["adjusted"] = y_mean + out["residual"]
    out["adjusted_lower"] = y_mean + y_all - out["expected_upper"]
    out["adjusted_upper"] = y_mean + y_all - out["expected_lower"]
    versus: list[str | None] = [None] * len(out)
    for i in np.flatnonzero(in_fit):
        if y_all[i] > out.at[i, "expected_upper"]:
            versus[i] = "above"
        elif y_all[i] < out.at[i, "expected_lower"]:
            versus[i] = "below"
        else:
            versus[i] = "within"
    out["versus_expected"] = _objects(versus, out.index)
    out["n_units"] = np.int64(n)
    out["intercept"] = intercept
    out["slope"] = slope
    out["r_squared"] = 1 - sse / syy if syy > 0 else np.nan
    out["note"] = pd.Series(notes, index=out.index, dtype=object)
    return out[list(ADJUSTED_COLUMNS)]
