"""The one theme of every missionlens plot: colours, markers, line styles, hatches and axes.

Colour is never the only encoding: each series pairs an Okabe-Ito colour (:data:`OKABE_ITO`)
with a marker shape and a line style, and each lifecycle phase pairs a fill with a hatch. Score
axes run from 0 to 100 (100 best) under the label :data:`SCORE_LABEL`.

matplotlib is imported inside the functions that draw, so that importing this module (and
``missionlens.plot``) stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "EXTRA_HATCHES",
    "LINESTYLES",
    "MARKERS",
    "MUTED",
    "NAN_TEXT",
    "NO_DATA",
    "OKABE_ITO",
    "PHASE_STYLE",
    "SCORE_LABEL",
    "SCORE_TICKS",
    "Style",
    "axes_for",
    "figure_of",
    "phase_style",
    "plain_value_axis",
    "score_axis",
    "series_style",
]

#: The Okabe-Ito colour-blind-safe palette, in the order the plots use it (yellow last: it is
#: hard to see on white). Okabe, M. and Ito, K. (2008), "Color Universal Design (CUD): How to
#: make figures and presentations that are friendly to colorblind people",
#: https://jfly.uni-koeln.de/color/.
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)

#: Marker shapes and line styles paired with the colours, so that series stay distinct in
#: grayscale. Their cycle lengths (7 and 4) are coprime: 28 series get distinct pairs.
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X")
LINESTYLES: tuple[str, ...] = ("-", "--", ":", "-.")

#: Background fill and hatch of each lifecycle phase (the text label is the primary encoding).
PHASE_STYLE: dict[str, tuple[str, str]] = {
    "mandate_design": ("#56B4E9", "\\"),
    "start_up": ("#009E73", "."),
    "implementation": ("#999999", ""),
    "drawdown": ("#E69F00", "/"),
    "transition": ("#CC79A7", "x"),
    "exit": ("#D55E00", "|"),
}
#: Hatches of phases outside :data:`PHASE_STYLE`, chosen from the phase's name.
EXTRA_HATCHES: tuple[str, ...] = ("+", "o", "*", "-")

#: Label of every score axis (and of the heatmap's colorbar).
SCORE_LABEL = "Score (0–100, higher is better)"
#: Ticks of every score axis.
SCORE_TICKS: tuple[int, ...] = tuple(range(0, 101, 20))
#: Text that stands for a missing score next to a row.
NO_DATA = "no data"
#: Text of a missing heatmap cell.
NAN_TEXT = "–"
#: Grey of secondary text (coverage notes, "no data").
MUTED = "0.35"
_GRID = "0.88"


@dataclass(frozen=True)
class Style:
    """How one series is drawn: colour, marker shape and line style."""

    color: str
    marker: str
    linestyle: str


def series_style(i: int) -> Style:
    """The i-th series style: colour, marker and line style all differ between neighbours.

    Examples
    --------
    >>> series_style(0)
    Style(color='#0072B2', marker='o', linestyle='-')
    >>> series_style(8).color == OKABE_ITO[0] and series_style(8).marker != series_style(0).marker
    True
    """
    return Style(
        OKABE_ITO[i % len(OKABE_ITO)],
        MARKERS[i % len(MARKERS)],
        LINESTYLES[i % len(LINESTYLES)],
    )


def phase_style(phase: str) -> tuple[str, str]:
    """Fill colour and hatch of a lifecycle phase (a stable grey and hatch for other phases)."""
    if phase in PHASE_STYLE:
        return PHASE_STYLE[phase]
    return "#BBBBBB", EXTRA_HATCHES[sum(map(ord, phase)) % len(EXTRA_HATCHES)]


def axes_for(ax: Axes | None, size: tuple[float, float]) -> Axes:
    """The given Axes, else the current one, else a new figure of the given size."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    if plt.get_fignums():
        return plt.gca()
    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def figure_of(ax: Axes) -> Figure:
    """The (root) figure an Axes belongs to."""
    figure = ax.get_figure(root=True)
    if figure is None:
        raise ValueError("the Axes to draw on is not part of a figure")
    return figure


def _frame(ax: Axes) -> None:
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def score_axis(ax: Axes, axis: str) -> None:
    """Make ``axis`` (``"x"`` or ``"y"``) a 0-100 score axis with a light grid."""
    ticks = list(SCORE_TICKS)
    if axis == "x":
        ax.set_xlim(-3, 103)
        ax.set_xticks(ticks)
        ax.set_xlabel(SCORE_LABEL)
        ax.grid(axis="x", color=_GRID, linewidth=0.8)
    else:
        ax.set_ylim(-3, 103)
        ax.set_yticks(ticks)
        ax.set_ylabel(SCORE_LABEL)
        ax.grid(axis="y", color=_GRID, linewidth=0.8)
    _frame(ax)


def plain_value_axis(ax: Axes, label: str) -> None:
    """A y axis fitted to its values (not scores), styled like the score axes."""
    ax.set_ylabel(label)
    ax.grid(axis="y", color=_GRID, linewidth=0.8)
    _frame(ax)
