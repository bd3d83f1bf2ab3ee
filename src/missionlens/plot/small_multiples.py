"""``plot_small_multiples``: one panel per mission (or period, or any column), same scale.

Each panel is a :func:`plot_profile` or a :func:`plot_lifecycle` of one value of ``col``, on
the same 0-100 score axis, in a grid of ``col_wrap`` columns (as seaborn's ``FacetGrid``); the
caption is written once, under the grid.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from missionlens.errors import ArgumentError
from missionlens.framework.translations import check_language
from missionlens.plot.data import distinct, prepare
from missionlens.plot.labels import display_text
from missionlens.plot.lifecycle import plot_lifecycle
from missionlens.plot.profile import plot_profile
from missionlens.plot.theme import add_caption, caption_text
from missionlens.scoring.profiles import Profiles

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_small_multiples"]


def plot_small_multiples(
    data: Profiles | pd.DataFrame,
    *,
    col: str = "mission",
    kind: str = "profile",
    col_wrap: int = 3,
    values: list[str] | None = None,
    panel_size: tuple[float, float] = (4.2, 3.2),
    caption: str | bool | None = None,
    lang: str = "en",
    **kwargs: Any,
) -> Figure:
    """Small multiples: one profile or lifecycle panel per value of ``col``.

    Parameters
    ----------
    data : Profiles or pandas.DataFrame
        What :func:`plot_profile` or :func:`plot_lifecycle` take.
    col : str, default "mission"
        The column whose values make the panels. With ``Profiles``, ``"mission"`` or
        ``"period"`` (a profile per period of one ``mission=`` given in ``kwargs``); with a
        table, any column (each panel draws the rows of one value).
    kind : {"profile", "lifecycle"}
        The plot in each panel.
    col_wrap : int, default 3
        Panels per row (at least 1).
    values : list of str, optional
        The panels' values, in this order; by default all, in data order.
    panel_size : tuple of float
        Width and height of one panel in inches.
    caption : str, bool or None
        The caption line under the grid (see :func:`plot_profile`); ``False`` for none.
    lang : str, default "en"
        Language of every panel (passed to :func:`plot_profile` or :func:`plot_lifecycle`).
    **kwargs
        Passed to the plot of each panel (``node_type=``, ``node=``, ``period=``,
        ``benchmarks=``, ...).

    Returns
    -------
    matplotlib.figure.Figure
        The panels are ``fig.axes`` (titles: the value of ``col``); unused cells of the grid
        are removed. Axis labels are written once: the y label in the first column, the x
        label under the lowest panel of each column.

    Raises
    ------
    ArgumentError
        If ``kind``, ``col`` or ``col_wrap`` is not valid.
    KeyError
        If ``col`` or a value is not in the data.

    Examples
    --------
    >>> table = pd.DataFrame({"mission": ["A", "A", "B", "B"], "node": ["p", "q"] * 2,
    ...                       "score": [80.0, 40.0, 60.0, 20.0]})
    >>> fig = plot_small_multiples(table, col="mission")
    >>> [ax.get_title() for ax in fig.axes]
    ['A', 'B']
    """
    func = "plot_small_multiples"
    check_language(lang)
    if kind not in ("profile", "lifecycle"):
        raise ArgumentError(f"{func}: kind must be 'profile' or 'lifecycle', not {kind!r}")
    if not isinstance(col_wrap, int) or isinstance(col_wrap, bool) or col_wrap < 1:
        raise ArgumentError(f"{func}: col_wrap must be a whole number >= 1, not {col_wrap!r}")
    if isinstance(data, Profiles):
        if col not in ("mission", "period"):
            raise ArgumentError(
                f"{func}: with Profiles, col must be 'mission' or 'period', not {col!r}; "
                "pass profiles.to_frame() to facet by another column"
            )
        if col == "period" and kind == "lifecycle":
            raise ArgumentError(f"{func}: a lifecycle runs over the periods; use col='mission'")
        column = data.to_frame("tree")[col]
        available = [str(v) for v in dict.fromkeys(column.astype(str))]
    elif isinstance(data, pd.DataFrame):
        table, _ = prepare(data, func, [col], [])
        available = distinct(table[col])
    else:
        raise ArgumentError(
            f"{func}: data must be a missionlens Profiles object or a pandas DataFrame, "
            f"not {type(data).__name__}"
        )
    panels = available if values is None else [str(v) for v in values]
    unknown = [v for v in panels if v not in available]
    if unknown:
        raise KeyError(
            f"{func}: unknown {col} value(s) {', '.join(map(repr, unknown))}; "
            f"in data: {', '.join(available)}"
        )
    if not panels:
        raise ArgumentError(f"{func}: no {col} values to draw")
    import matplotlib.pyplot as plt
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    ncols = min(col_wrap, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig, grid = plt.subplots(
        nrows,
        ncols,
        figsize=(panel_size[0] * ncols, panel_size[1] * nrows),
        layout="constrained",
        squeeze=False,
    )
    axes = list(grid.ravel())
    for ax, value in zip(axes, panels, strict=False):
        if isinstance(data, Profiles):
            subset: Profiles | pd.DataFrame = data
            options = dict(kwargs)
            if col == "mission":
                options["mission" if kind == "profile" else "missions"] = (
                    value if kind == "profile" else [value]
                )
            else:
                options["period"] = value
        else:
            subset = data[data[col].astype(str) == value]
            options = dict(kwargs)
            if kind == "profile" and col != "mission" and "mission" not in options:
                options["mission"] = None
        if kind == "profile":
            plot_profile(subset, ax=ax, caption=False, lang=lang, **options)
        else:
            plot_lifecycle(subset, ax=ax, caption=False, lang=lang, **options)
        pad = 30 if kind == "lifecycle" else 6
        ax.set_title(display_text(value, lang), fontsize="medium", pad=pad)
    for ax in axes[len(panels) :]:
        ax.remove()
    _outer_labels(axes[: len(panels)], ncols)
    engine = fig.get_layout_engine()
    if kind == "lifecycle" and isinstance(engine, ConstrainedLayoutEngine):
        engine.set(h_pad=0.12)  # inches: room between a row's x labels and the next row's titles
    add_caption(fig, caption_text(data, caption))
    return fig


def _outer_labels(axes: list[Any], ncols: int) -> None:
    """Axis labels once: the y label in the first column, the x label under each column.

    A panel keeps its x label when no panel is drawn below it (the last row, or the row
    above an empty cell of the last row); every panel keeps its tick labels (each panel's
    periods are its own).
    """
    n = len(axes)
    for i, ax in enumerate(axes):
        if i % ncols != 0:
            ax.set_ylabel("")
        if i + ncols < n:
            ax.set_xlabel("")
