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

from missionlens.errors import ArgumentError
from missionlens.text import ILLUSTRATIVE

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "CAPTION_SIZE",
    "EXTRA_HATCHES",
    "LINESTYLES",
    "MARKERS",
    "MUTED",
    "NAN_TEXT",
    "NOT_APPLICABLE",
    "NO_DATA",
    "NO_SCORE",
    "OKABE_ITO",
    "PHASE_STYLE",
    "SCORE_LABEL",
    "SCORE_TICKS",
    "TOL_BRIGHT",
    "Style",
    "add_caption",
    "axes_for",
    "caption_text",
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

#: Paul Tol's "bright" qualitative scheme, colour-blind safe and distinct in grayscale by
#: lightness order; used for the few fixed categories (levels, quadrants). Tol, P. (2021),
#: "Colour Schemes", SRON technical note SRON/EPS/TN/09-002, https://personal.sron.nl/~pault/.
TOL_BRIGHT: tuple[str, ...] = (
    "#4477AA",  # blue
    "#EE6677",  # red
    "#228833",  # green
    "#CCBB44",  # yellow
    "#66CCEE",  # cyan
    "#AA3377",  # purple
    "#BBBBBB",  # grey
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
#: Text that stands for a missing score where nothing applicable was rated.
NO_DATA = "no data"
#: Text of a node that does not apply (nothing of it applies in the unit's phase).
NOT_APPLICABLE = "n/a"
#: Text of a node with rated values but too little of its weight rated to be scored.
NO_SCORE = "no score"
#: Caption font size in points (small, muted, below the plot).
CAPTION_SIZE = 6.5
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
        raise ArgumentError("the Axes to draw on is not part of a figure")
    return figure


def _frame(ax: Axes) -> None:
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def score_axis(ax: Axes, axis: str, label: str = SCORE_LABEL) -> None:
    """Make ``axis`` (``"x"`` or ``"y"``) a 0-100 score axis with a light grid.

    The limits are exactly 0 and 100: markers at either end are drawn unclipped
    (``clip_on=False``) and annotations are placed inside the axis, never by widening it.
    Ticks every 20, or only 0, 50 and 100 on an axis shorter than about 2 inches.
    """
    ticks = list(SCORE_TICKS)
    box = ax.get_position()
    figure = figure_of(ax)
    length_pt = 72 * (
        box.width * figure.get_figwidth() if axis == "x" else box.height * figure.get_figheight()
    )
    if length_pt < 140:  # a small panel: 0, 50, 100 so that the tick labels do not touch
        ticks = [0, 50, 100]
    if axis == "x":
        ax.set_xlim(0, 100)
        ax.set_xticks(ticks)
        ax.set_xlabel(label)
        ax.grid(axis="x", color=_GRID, linewidth=0.8)
    else:
        ax.set_ylim(0, 100)
        ax.set_yticks(ticks)
        ax.set_ylabel(label)
        ax.grid(axis="y", color=_GRID, linewidth=0.8)
    _frame(ax)


def plain_value_axis(ax: Axes, label: str) -> None:
    """A y axis fitted to its values (not scores), styled like the score axes."""
    ax.set_ylabel(label)
    ax.grid(axis="y", color=_GRID, linewidth=0.8)
    _frame(ax)


def caption_text(data: object, caption: str | bool | None) -> str | None:
    """The caption line of a plot: given text, none (``False``), or built from the data.

    By default (``None`` or ``True``) a :class:`~missionlens.Profiles` object gives
    "framework whole-of-mission 1.0 · recipe default 3f2a... · data 9c1e... · sources: ...":
    the framework id and version, the recipe name and fingerprint, the data fingerprint and
    the distinct ``sources`` of the input (when it has that column; three at most, then a
    count). When a source calls the data illustrative, synthetic, fictional or fictitious (as
    the example portfolio's do), the caption starts with "Illustrative ratings, not a
    published judgement". A table gives its ``attrs["caption"]`` if set, else no caption.

    Examples
    --------
    >>> import pandas as pd
    >>> caption_text(pd.DataFrame(), None) is None, caption_text(pd.DataFrame(), "Source: X")
    (True, 'Source: X')
    """
    if caption is False:
        return None
    if isinstance(caption, str):
        return caption or None
    from missionlens.scoring.profiles import Profiles

    if isinstance(data, Profiles):
        fw, recipe = data.framework, data.recipe
        prints = data.fingerprints
        parts = [
            f"framework {fw.id} {fw.version}",
            f"recipe {recipe.name} {prints['recipe']}",
            f"data {prints['data']}",
        ]
        frame = data.data
        if "sources" in frame.columns:
            found = [str(v) for v in dict.fromkeys(frame["sources"].dropna()) if str(v).strip()]
            if found:
                more = f" (+{len(found) - 3} more)" if len(found) > 3 else ""
                parts.append("sources: " + "; ".join(found[:3]) + more)
            if any(ILLUSTRATIVE.search(v) for v in found):  # say it first, not in the tail
                parts.insert(0, "Illustrative ratings, not a published judgement")
        return " · ".join(parts)
    attrs = getattr(data, "attrs", None)
    if isinstance(attrs, dict) and isinstance(attrs.get("caption"), str):
        return str(attrs["caption"])
    return None


def add_caption(target: Axes | Figure, text: str | None) -> None:
    """Write the caption line at the bottom left of the figure (once; repeats are skipped).

    It is the figure's ``supxlabel`` (so that the constrained layout makes room for it), with
    gid ``"caption"``; a second, different caption on the same figure is added as a new line.
    A caption longer than the figure is wide is wrapped at spaces into several lines (a long
    list of sources otherwise widened the saved or inline figure to several times its size);
    no word is cut.
    """
    if not text:
        return
    import textwrap

    from matplotlib.figure import Figure

    figure = target if isinstance(target, Figure) else figure_of(target)
    # characters of CAPTION_SIZE text that fit in the figure's width (about 0.6 em each)
    width = max(40, int(figure.get_figwidth() * 72 / (0.6 * CAPTION_SIZE)))
    text = "\n".join(
        textwrap.fill(line, width, break_long_words=False, break_on_hyphens=False)
        for line in text.split("\n")
    )
    current = figure.get_supxlabel()
    if current and text in current:
        return
    full = f"{current}\n{text}" if current else text
    label = figure.supxlabel(full, x=0.01, ha="left", fontsize=CAPTION_SIZE, color=MUTED)
    label.set_gid("caption")
