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
.. [4] Krippendorff, K. (2006, revised 2011). *Algorithm for bootstrapping a distribution of
   alpha*. Manuscript, Annenberg School for Communication, University of Pennsylvania.
.. [5] Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall
   (sections 6.2 and 13.3: the nonparametric bootstrap and the percentile interval).
.. [6] Hughes, J. (2022). Toward improved inference for Krippendorff's alpha agreement
   coefficient. arXiv:2210.13265.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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

__all__ = [
    "AGREEMENT_COLUMNS",
    "BOOTSTRAP_COLUMNS",
    "MIN_BOOT",
    "agreement",
    "alpha_of_draws",
    "bootstrap_units",
    "scope_draws",
]

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

#: Columns :func:`agreement` appends to :data:`AGREEMENT_COLUMNS` when ``n_boot`` is given.
BOOTSTRAP_COLUMNS: tuple[str, ...] = (
    "alpha_low",
    "alpha_high",
    "p_below_0667",
    "p_below_0800",
    "n_boot",
    "n_boot_constant",
)

#: The fewest bootstrap draws :func:`agreement` accepts (Hayes & Krippendorff, 2007, recommend at
#: least 1,000).
MIN_BOOT = 1000

#: Krippendorff's (2004) thresholds: tentative conclusions from 0.667, reliable ones from 0.800.
_THRESHOLDS = {"p_below_0667": 0.667, "p_below_0800": 0.800}

#: Elements (draws x units, or draws x value pairs) of one chunk of draws: 2**21 float64 = 16 MB.
_CHUNK_ELEMENTS = 1 << 21


SeedLike = int | np.random.SeedSequence | np.random.Generator | None


def _generator(seed: SeedLike, name: str) -> np.random.Generator:
    """A NumPy generator from ``seed`` (an int >= 0, a SeedSequence, a Generator or None)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0
    ):
        raise ArgumentError(
            f"{name}: seed must be a non-negative integer, a numpy SeedSequence or Generator, "
            f"or None; got {seed!r}"
        )
    return np.random.default_rng(None if seed is None else int(seed))


def _chunk_rows(width: int) -> int:
    """Draws per chunk when each draw holds ``width`` numbers (bounded memory)."""
    return max(1, _CHUNK_ELEMENTS // max(1, width))


def _draw_chunks(rng: np.random.Generator, n_units: int, n_boot: int) -> Iterator[np.ndarray]:
    """The resampled unit indices of ``n_boot`` draws, in chunks of rows (n_draws, n_units)."""
    rows = _chunk_rows(n_units)
    for start in range(0, n_boot, rows):
        yield rng.integers(0, n_units, size=(min(rows, n_boot - start), n_units), dtype=np.int64)


def _check_count(value: object, name: str, what: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ArgumentError(f"{name}: {what} must be an integer >= {minimum}, not {value!r}")
    return int(value)


def bootstrap_units(n_units: int, n_boot: int, seed: SeedLike = None) -> np.ndarray:
    """Unit indices of ``n_boot`` bootstrap resamples of ``n_units`` units, with replacement.

    Each row is one draw: ``n_units`` indices drawn uniformly with replacement from
    ``0 .. n_units - 1`` (the nonparametric bootstrap of Efron & Tibshirani, 1993, over units).
    :func:`agreement` draws its resamples with the same generator calls, chunk by chunk, so a
    slow reference computation can replay them.

    Parameters
    ----------
    n_units : int
        Number of units to resample (at least 1).
    n_boot : int
        Number of draws (at least 1).
    seed : int, numpy.random.SeedSequence, numpy.random.Generator or None
        Seed of the draws; the same seed gives the same draws. ``None`` draws fresh entropy.

    Returns
    -------
    numpy.ndarray
        Integer array of shape ``(n_boot, n_units)``.

    Raises
    ------
    ArgumentError
        If a count is not a positive integer or the seed is not usable.
    """
    n_units = _check_count(n_units, "bootstrap_units", "n_units", 1)
    n_boot = _check_count(n_boot, "bootstrap_units", "n_boot", 1)
    rng = _generator(seed, "bootstrap_units")
    return np.concatenate(list(_draw_chunks(rng, n_units, n_boot)), axis=0)


def _value_counts(data: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Counts (units, values) of each value in each column of ``data`` (raters x units)."""
    n_units = data.shape[1]
    rater, unit = np.nonzero(~np.isnan(data))
    index = np.searchsorted(values, data[rater, unit])
    flat = np.bincount(unit * values.size + index, minlength=n_units * values.size)
    return flat.reshape(n_units, values.size).astype("float64")


def _distance(values: np.ndarray, level: Level) -> np.ndarray:
    """Krippendorff's (2011) squared difference between every two values (not for ordinal)."""
    a, b = values[:, None], values[None, :]
    if level == "nominal":
        return (a != b).astype("float64")
    if level == "interval":
        return (a - b) ** 2
    total = a + b  # ratio: ((c - k) / (c + k))^2, 0 where both are 0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total != 0, ((a - b) / np.where(total != 0, total, 1.0)) ** 2, 0.0)


class _Coincidences:
    """Per-unit coincidence contributions of a set of units, for weighted sums over draws.

    Krippendorff (2011): unit ``u`` with ``m_u >= 2`` pairable values adds
    ``(n_uc n_uk - [c = k] n_uc) / (m_u - 1)`` to the coincidence ``o_ck``. A resample's
    coincidence matrix is ``sum_u w_u o^(u)``, ``w_u`` the times unit ``u`` was drawn; its
    marginals are ``n_c = sum_u w_u n_uc``. Only the off-diagonal coincidences enter the
    observed disagreement (every difference function is 0 on the diagonal), so they are kept,
    one column per pair of values ``c < k`` that occurs in some unit.
    """

    def __init__(self, counts: np.ndarray, values: np.ndarray, level: Level) -> None:
        m = counts.sum(axis=1)
        pairable = m >= 2
        self.counts = np.where(pairable[:, None], counts, 0.0)
        denom = np.where(pairable, m - 1.0, 1.0)
        self.values = values
        self.level = level
        c, k = np.triu_indices(values.size, k=1)
        pair = 2.0 * self.counts[:, c] * self.counts[:, k] / denom[:, None]
        used = pair.any(axis=0)
        self.c, self.k, self.pairs = c[used], k[used], pair[:, used]
        if level != "ordinal":  # a fixed difference function: each unit's observed sum
            self.observed_u = self.pairs @ _distance(values, level)[self.c, self.k]

    @property
    def width(self) -> int:
        """Numbers held per draw while computing (for chunking)."""
        return max(self.counts.shape[0], self.pairs.shape[1], self.values.size)

    def alpha(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Alpha of each row of ``weights`` (draws x units) and whether it had one value only.

        ``alpha = 1 - (n - 1) sum_ck o_ck delta_ck / sum_ck n_c n_k delta_ck`` (Krippendorff,
        2011). The expected sums use ``sum_ck n_c n_k (x_c - x_k)^2 = 2 n sum_c n_c (x_c -
        xbar)^2`` for interval (``x`` the values) and ordinal (``x`` the mid-ranks below), with
        ``xbar`` the mean weighted by ``n_c``: a sum of non-negative terms, free of cancellation.
        """
        n_c = weights @ self.counts
        n = n_c.sum(axis=1)
        single = np.count_nonzero(n_c > 0, axis=1) < 2
        level = self.level
        if level == "ordinal":
            # delta_ck = (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2 = (t_k - t_c)^2 with the mid-ranks
            # t_c = sum_{g<=c} n_g - n_c / 2 of the resample's own marginals.
            t = np.cumsum(n_c, axis=1) - n_c / 2.0
            o = weights @ self.pairs
            observed = np.sum(o * (t[:, self.k] - t[:, self.c]) ** 2, axis=1)
            expected = self._spread(n_c, n, t)
        else:
            observed = weights @ self.observed_u
            if level == "nominal":
                expected = n**2 - np.sum(n_c**2, axis=1)
            elif level == "interval":
                expected = self._spread(n_c, n, np.broadcast_to(self.values, n_c.shape))
            else:
                expected = np.sum((n_c @ _distance(self.values, level)) * n_c, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = 1.0 - (n - 1.0) * observed / expected
        return np.where(single, 1.0, alpha), single

    @staticmethod
    def _spread(n_c: np.ndarray, n: np.ndarray, x: np.ndarray) -> np.ndarray:
        """``sum_ck n_c n_k (x_c - x_k)^2`` per row, as ``2 n sum_c n_c (x_c - xbar)^2``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.sum(n_c * x, axis=1) / n
        return 2.0 * n * np.sum(n_c * (x - mean[:, None]) ** 2, axis=1)


def _multiplicities(draws: np.ndarray, n_units: int) -> np.ndarray:
    """Times each unit was drawn, per draw: (draws, units) from resampled indices."""
    rows = draws.shape[0]
    flat = (np.arange(rows, dtype=np.int64)[:, None] * n_units + draws).ravel()
    return np.bincount(flat, minlength=rows * n_units).reshape(rows, n_units).astype("float64")


def alpha_of_draws(
    reliability_data: np.ndarray,
    draws: np.ndarray,
    level: Level = "ordinal",
    *,
    value_domain: np.ndarray | None = None,
) -> np.ndarray:
    """Krippendorff's alpha of each bootstrap resample of units, without a loop over draws.

    Row ``b`` of ``draws`` lists the units (columns of ``reliability_data``) of resample ``b``;
    the result is the alpha that ``krippendorff.alpha(reliability_data[:, draws[b]])`` would
    give, computed for all draws at once from the units' coincidence contributions (see
    :func:`agreement`, Notes). A resample whose pairable values are all equal has no
    disagreement and an undefined alpha (0 / 0); it is given 1.

    Parameters
    ----------
    reliability_data : numpy.ndarray
        Raters x units, ``nan`` where a rater gave no value.
    draws : numpy.ndarray
        Integer array (draws, k) of unit indices, e.g. from :func:`bootstrap_units`.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement.
    value_domain : numpy.ndarray, optional
        The possible values; by default those present. Values no rater used change nothing.

    Returns
    -------
    numpy.ndarray
        One alpha per draw (float64).

    Raises
    ------
    ArgumentError
        If an argument has the wrong shape or values.
    """
    data = np.asarray(reliability_data, dtype="float64")
    picks = np.asarray(draws)
    if data.ndim != 2:
        raise ArgumentError("alpha_of_draws: reliability_data must be 2-D (raters x units)")
    if picks.ndim != 2 or not np.issubdtype(picks.dtype, np.integer):
        raise ArgumentError("alpha_of_draws: draws must be a 2-D integer array (draws x units)")
    if picks.size and (picks.min() < 0 or picks.max() >= data.shape[1]):
        raise ArgumentError(
            f"alpha_of_draws: draws must index the {data.shape[1]} units (columns), 0 to "
            f"{data.shape[1] - 1}"
        )
    if level not in ("nominal", "ordinal", "interval", "ratio"):
        raise ArgumentError(f"alpha_of_draws: unknown level {level!r}")
    present = np.unique(data[~np.isnan(data)])
    values = present if value_domain is None else np.unique(np.asarray(value_domain, float))
    if not np.isin(present, values).all():
        raise ArgumentError("alpha_of_draws: reliability_data holds values outside value_domain")
    return _bootstrap(_Coincidences(_value_counts(data, values), values, level), picks)[0]


def _bootstrap(
    kernel: _Coincidences, chunks: np.ndarray | Iterator[np.ndarray]
) -> tuple[np.ndarray, int]:
    """Alpha of every draw (chunk by chunk) and the number of single-value draws."""
    n_units = kernel.counts.shape[0]
    rows = _chunk_rows(kernel.width)
    if isinstance(chunks, np.ndarray):
        chunks = iter([chunks])
    out: list[np.ndarray] = []
    single = 0
    for chunk in chunks:
        for start in range(0, chunk.shape[0], rows):
            alpha, one = kernel.alpha(_multiplicities(chunk[start : start + rows], n_units))
            out.append(alpha)
            single += int(one.sum())
    return (np.concatenate(out) if out else np.empty(0)), single


def _alpha(
    sub: pd.DataFrame, units: list[str], level: Level, domain: np.ndarray
) -> tuple[float, int, int, int, np.ndarray]:
    """Krippendorff's alpha of one scope: (alpha, pairable units, raters, pairable values,
    reliability data of the pairable units, raters x units)."""
    if sub.empty:
        return np.nan, 0, 0, 0, np.empty((0, 0))
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
        return np.nan, n_units, raters, n_values, data
    with np.errstate(divide="ignore", invalid="ignore"):
        value = float(
            krippendorff.alpha(
                reliability_data=data,
                value_domain=domain,
                level_of_measurement=level,
            )
        )
    return value, n_units, raters, n_values, data


def _scope_generator(
    entropy: int | Sequence[int] | None, scope: str, ident: str
) -> np.random.Generator:
    """The generator of one scope's draws: the call's entropy and the scope as spawn key.

    Each scope gets its own stream, so that a scope's interval does not depend on which other
    scopes the call computes (e.g. on ``kinds``), and the same seed gives the same draws.
    """
    key = tuple(f"{scope}\x1f{ident}".encode())
    return np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=key))


def scope_draws(seed: int, scope: str, ident: str, n_units: int, n_boot: int) -> np.ndarray:
    """The unit indices :func:`agreement` resamples for one scope with integer ``seed``.

    Row ``b`` indexes the scope's pairable units in the order of :func:`agreement`'s reliability
    data (the sorted unit keys); for replaying its bootstrap with another computation.

    Parameters
    ----------
    seed : int
        The ``seed`` given to :func:`agreement`.
    scope, ident : str
        The row's ``scope`` and ``id``.
    n_units : int
        The row's ``n_units``.
    n_boot : int
        The row's ``n_boot``.

    Returns
    -------
    numpy.ndarray
        Integer array of shape ``(n_boot, n_units)``.
    """
    rng = _scope_generator(np.random.SeedSequence(seed).entropy, scope, ident)
    return bootstrap_units(n_units, n_boot, rng)


def agreement(
    assessments: pd.DataFrame,
    level: Level = "ordinal",
    *,
    framework: Framework | str | None = None,
    kinds: Sequence[str] = ("rubric",),
    n_boot: int = 0,
    seed: int | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Inter-rater agreement: Krippendorff's alpha overall, per dimension and per indicator.

    Krippendorff's alpha [1]_ [2]_ is ``1 - D_o / D_e``, the observed disagreement between the
    values raters gave to the same unit over the disagreement expected by chance, with the
    difference function of the level of measurement. It is 1 for perfect agreement, 0 for
    agreement at chance level and negative for systematic disagreement; it handles any number of
    raters and missing entries. Entries answered *not applicable* (``not_applicable``) are not
    values: they are left out of the pairable values exactly like missing entries (the
    ``krippendorff`` package's ``nan``), so a rater who answered not applicable neither agrees
    nor disagrees with one who rated. Krippendorff (2004, *Content Analysis*, 2nd ed.) suggests
    relying on data with alpha of at least 0.800 and drawing only tentative conclusions between
    0.667 and 0.800. It is computed with the ``krippendorff`` package [3]_ and tested against the
    worked example of [1]_ (nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797).

    With ``n_boot`` draws, each alpha also gets a bootstrap percentile interval and the chance
    that it falls short of Krippendorff's thresholds (see Notes).

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
    n_boot : int
        Bootstrap draws per scope: 0 (default) for none, else at least 1,000 (:data:`MIN_BOOT`;
        Hayes & Krippendorff [2]_ recommend at least 1,000; 5,000 or 10,000 steady the tails).
    seed : int, optional
        Seed of the draws (an integer >= 0); the same seed gives the same result. ``None`` draws
        fresh entropy, so two calls differ slightly.
    ci : float
        Coverage of the interval, strictly between 0 and 1 (default 0.95).

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

        With ``n_boot``, then :data:`BOOTSTRAP_COLUMNS`: ``alpha_low`` and ``alpha_high`` (the
        percentile interval of coverage ``ci``), ``p_below_0667`` and ``p_below_0800`` (the
        share of draws with alpha below 0.667 and below 0.800), ``n_boot`` (the draws made; 0,
        with the other four missing, where alpha is undefined) and ``n_boot_constant`` (draws
        whose pairable values were all equal, counted as alpha 1, see Notes).

    Raises
    ------
    ArgumentError
        If ``level``, ``kinds``, ``n_boot``, ``seed`` or ``ci`` is not usable.
    ValidationError
        If the table has problems, in particular a rater entering the same unit twice.

    Notes
    -----
    **What is resampled.** The bootstrap resamples the scope's pairable units with replacement
    (a unit keeps all its raters' values), ``n_units`` units per draw, and recomputes alpha, its
    observed *and* its expected disagreement, on each resample: the nonparametric bootstrap
    [5]_ with the unit as the sampling unit, a cluster bootstrap of the values. The missions and
    periods rated are the sample from which conclusions are drawn, and the values of one unit
    are not independent of one another, so whole units are drawn.

    This is not the algorithm of Hayes and Krippendorff's KALPHA macro [2]_ [4]_: KALPHA draws
    the pairable values' coincidences (cells of the observed coincidence matrix) with
    probabilities ``o_ck / n``, computes a hypothetical observed disagreement for each resample
    and keeps the expected disagreement of the data. It thus treats the pairs of values as
    independent, though pairs from one unit share values, and leaves out the uncertainty of the
    expected disagreement; Gwet (2015, "Standard error of Krippendorff's alpha coefficient") and
    Hughes [6]_ report that its intervals are too narrow. The unit bootstrap gives the
    same interval whatever the number of raters per unit, and intervals that narrow as units are
    added (about as ``1 / sqrt(n_units)``). With few units (say under 30) any bootstrap
    interval is rough; Hughes [6]_ proposes a jackknife alternative.

    **How it is computed.** A resample's coincidences are ``o_ck = sum_u w_u o^(u)_ck``, the
    units' contributions ``o^(u)_ck = (n_uc n_uk - [c = k] n_uc) / (m_u - 1)`` [1]_ weighted by
    the times ``w_u`` each unit was drawn, so every draw's matrix comes from one matrix product
    of the draws' multiplicities with the units' contributions, in chunks of draws of bounded
    memory (no call of ``krippendorff.alpha`` per draw). Then ``alpha = 1 - (n - 1) sum o_ck
    delta_ck / sum n_c n_k delta_ck`` with the difference functions of [1]_: nominal ``[c !=
    k]``, interval ``(c - k)^2``, ratio ``((c - k) / (c + k))^2``, and ordinal
    ``(sum_{g=c..k} n_g - (n_c + n_k) / 2)^2`` with the marginals ``n_g`` *of each resample*.
    The tests check that this equals ``krippendorff.alpha`` (to 1e-12) on the paper's worked
    example at every level, on random data, and on every draw of a replayed slow bootstrap.
    A resample whose pairable values all coincide has no disagreement, an undefined alpha
    (0 / 0); it is counted as 1 (no disagreement: what KALPHA, keeping the data's expected
    disagreement, gives) and reported in ``n_boot_constant``.

    **How to read the interval.** ``alpha_low``-``alpha_high`` is the central ``ci`` share of
    the draws (``numpy.quantile``, linear interpolation): roughly, the alphas that other
    samples of missions and periods rated the same way could have given. ``p_below_0800`` is
    the bootstrap estimate of the chance that the agreement falls short of 0.800, the level
    Krippendorff asks for before relying on the data; ``p_below_0667`` that it falls short of
    0.667, below which even tentative conclusions are not warranted. An alpha of 0.82 with
    ``p_below_0800`` at 0.40 is not a reliable 0.82. The interval is about the units sampled,
    not about the raters: it does not say how other analysts would have rated.

    References
    ----------
    .. [1] Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability.
       https://repository.upenn.edu/asc_papers/43
    .. [2] Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a standard
       reliability measure for coding data. Communication Methods and Measures, 1(1), 77-89.
    .. [3] https://github.com/pln-fing-udelar/fast-krippendorff
    .. [4] Krippendorff, K. (2006, revised 2011). Algorithm for bootstrapping a distribution of
       alpha. Manuscript, University of Pennsylvania.
    .. [5] Efron, B., & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman &
       Hall (chapter 13, the percentile interval).
    .. [6] Hughes, J. (2022). Toward improved inference for Krippendorff's alpha agreement
       coefficient. arXiv:2210.13265.

    Examples
    --------
    >>> import missionlens as ml
    >>> ml.agreement(table, level="ordinal", framework=fw)  # doctest: +SKIP
    >>> ml.agreement(table, framework=fw, n_boot=2000, seed=1)  # doctest: +SKIP
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
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer):
        raise ArgumentError(
            f"agreement: n_boot must be an integer (0, or {MIN_BOOT} or more), not {n_boot!r}"
        )
    n_boot = int(n_boot)
    if n_boot != 0 and n_boot < MIN_BOOT:
        raise ArgumentError(
            f"agreement: n_boot must be 0 (no bootstrap) or at least {MIN_BOOT} (Hayes & "
            f"Krippendorff, 2007, recommend at least 1,000 draws), not {n_boot}"
        )
    if (
        isinstance(ci, bool)
        or not isinstance(ci, float | int | np.floating | np.integer)
        or not 0.0 < float(ci) < 1.0
    ):
        raise ArgumentError(
            f"agreement: ci must be a number strictly between 0 and 1 (e.g. 0.95), not {ci!r}"
        )
    ci = float(ci)
    entropy: int | Sequence[int] | None = 0
    if n_boot:
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0
        ):
            raise ArgumentError(
                f"agreement: seed must be a non-negative integer or None, not {seed!r}"
            )
        entropy = np.random.SeedSequence(None if seed is None else int(seed)).entropy
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
    quantiles = ((1.0 - ci) / 2.0, (1.0 + ci) / 2.0)

    def add(scope: str, ident: str, sub: pd.DataFrame, units: list[str]) -> None:
        alpha, n_units, n_raters, n_values, data = _alpha(sub, units, level, domain)
        row: dict[str, object] = {
            "scope": scope,
            "id": ident,
            "level": level,
            "alpha": alpha,
            "n_units": n_units,
            "n_raters": n_raters,
            "n_pairable": n_values,
        }
        if n_boot:
            row.update(dict.fromkeys(BOOTSTRAP_COLUMNS[:4], np.nan))
            row.update(n_boot=0, n_boot_constant=0)
            if not np.isnan(alpha):
                values = np.unique(data[~np.isnan(data)])
                kernel = _Coincidences(_value_counts(data, values), values, level)
                rng = _scope_generator(entropy, scope, ident)
                draws, constant = _bootstrap(kernel, _draw_chunks(rng, n_units, n_boot))
                low, high = np.quantile(draws, quantiles)
                row.update(
                    alpha_low=float(low),
                    alpha_high=float(high),
                    n_boot=n_boot,
                    n_boot_constant=constant,
                )
                for col, threshold in _THRESHOLDS.items():
                    row[col] = float(np.mean(draws < threshold))
        rows.append(row)

    add("overall", "", df, _KEYS)
    present = set(df["indicator"])
    for dim in fw.dimensions:
        members = [i for i in included if fw.dimension_of(i) == dim.id and i in present]
        if members:
            add("dimension", dim.id, df[df["dimension"] == dim.id], _KEYS)
    for ind_id in included:
        if ind_id in present:
            add("indicator", ind_id, df[df["indicator"] == ind_id], ["mission", "period"])
    columns = [*AGREEMENT_COLUMNS, *(BOOTSTRAP_COLUMNS if n_boot else ())]
    out = pd.DataFrame(rows, columns=columns)
    for col in ("scope", "id", "level"):
        out[col] = out[col].astype(text_dtype())
    for col in ("alpha", *(BOOTSTRAP_COLUMNS[:4] if n_boot else ())):
        out[col] = out[col].astype("float64")
    for col in ("n_units", "n_raters", "n_pairable", *(BOOTSTRAP_COLUMNS[4:] if n_boot else ())):
        out[col] = out[col].astype("int64")
    return out
