"""``plot_framework``: the framework itself as an icicle, sized by effective weight.

One column per depth of the tree (root, dimensions, sub-dimensions, indicators); each element
is a box whose height is its effective weight, the share of the root score it carries
(:func:`~missionlens.plot.weights.effective_weights`), stacked under its parent. Each
dimension has its colour and hatch; boxes tall enough carry their name and weight. Elements
weighing 0 have no height and are named in a note, not left out silently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from missionlens.errors import ArgumentError
from missionlens.framework.model import Framework
from missionlens.framework.translations import check_language
from missionlens.plot.labels import display_text, localise, node_labels, plot_text
from missionlens.plot.theme import (
    MUTED,
    OKABE_ITO,
    add_caption,
    axes_for,
    figure_of,
)
from missionlens.plot.weights import effective_weights, recipe_weights

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from missionlens.scoring.recipe import Recipe

__all__ = ["FOOTER_SIZE_PT", "plot_framework"]

_HATCHES = ("", "//", "..", "\\\\", "xx", "++", "--")
_COLUMNS = ("Framework", "Dimensions", "Sub-dimensions", "Indicators")
#: Catalogue keys (``plot.<key>``) of the column heads in another language.
_COLUMN_KEYS = ("tree_framework", "tree_dimensions", "tree_subdimensions", "tree_indicators")
#: Relative widths of the root, dimension, sub-dimension and indicator columns: the root
#: holds one label, the indicators the most and the longest.
_COLUMN_WIDTHS = (0.5, 0.95, 1.35, 1.8)
#: Share of the Axes' expected width (:func:`_axes_width_pt`) taken as the room for labels.
_LAYOUT_MARGIN = 0.96
#: Font size of the weight-0 note, in points.
FOOTER_SIZE_PT = 7.0


#: Width taken by the y axis' label and tick labels ("100 %") and the layout's pads, points.
_Y_DECORATION_PT = 72.0


def _axes_width_pt(ax: Axes) -> float:
    """The Axes' width in points once laid out, as well as it can be told before drawing.

    Under a constrained layout the Axes will fill its grid cell less the y axis' labels
    (:data:`_Y_DECORATION_PT`); else it keeps its position.
    """
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    figure = figure_of(ax)
    now = ax.get_position().width * figure.get_figwidth() * 72
    spec = ax.get_subplotspec()
    if not isinstance(figure.get_layout_engine(), ConstrainedLayoutEngine) or spec is None:
        return now
    columns = spec.get_gridspec().ncols
    span = spec.colspan.stop - spec.colspan.start
    cell = figure.get_figwidth() * 72 * span / columns
    return max(now, cell - _Y_DECORATION_PT)


class _TextMeasure:
    """Widths of texts in points, as the Agg renderer draws them (DejaVu Sans by default)."""

    def __init__(self) -> None:
        from matplotlib.backends.backend_agg import RendererAgg

        self._renderer: Any = RendererAgg(1, 1, 72)  # type: ignore[no-untyped-call]  # 72 dpi: px = pt

    def width(self, text: str, size: float) -> float:
        from matplotlib.font_manager import FontProperties

        width, _, _ = self._renderer.get_text_width_height_descent(
            text, FontProperties(size=size), ismath=False
        )
        return float(width)


def _wrap_to(text: str, width_pt: float, size: float, measure: _TextMeasure) -> str:
    """``text`` broken at spaces into lines at most ``width_pt`` wide (a longer word alone)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and measure.width(lines[-1] + " " + word, size) <= width_pt:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def _shorten(text: str, width_pt: float, size: float, measure: _TextMeasure) -> str:
    """``text`` as it fits ``width_pt``: whole, or cut with "…" (at least one character)."""
    if measure.width(text, size) <= width_pt:
        return text
    low, high = 1, len(text)  # the longest prefix that fits with the ellipsis, by bisection
    while low < high:
        mid = (low + high + 1) // 2
        if measure.width(text[:mid].rstrip() + "…", size) <= width_pt:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + "…"


def _fit_label(
    name: str, share: str, width_pt: float, lines: int, size: float, measure: _TextMeasure
) -> str:
    """A box's label, its name and weight, in at most ``lines`` lines of ``width_pt``.

    The weight goes on its own last line when there is a line for it, else after the name;
    the name is wrapped to the width, and its last line that fits is cut with "…" only if
    the name does not fit whole.
    """
    if lines >= 2:
        wrapped = [  # a word longer than the width is cut too
            _shorten(line, width_pt, size, measure)
            for line in _wrap_to(name, width_pt, size, measure).split("\n")
        ]
        if len(wrapped) <= lines - 1:
            return "\n".join([*wrapped, share])
        if len(wrapped) <= lines and measure.width(f"{wrapped[-1]} {share}", size) <= width_pt:
            return "\n".join([*wrapped[:-1], f"{wrapped[-1]} {share}"])
        kept = wrapped[: lines - 1]
        rest = " ".join(wrapped[lines - 1 :])
        room = width_pt - measure.width(" " + share, size)
        return "\n".join([*kept, _shorten(rest, room, size, measure) + " " + share])
    room = width_pt - measure.width(" " + share, size)
    return _shorten(name, room, size, measure) + " " + share


def plot_framework(
    framework: Framework,
    kind: str = "icicle",
    *,
    recipe: Recipe | None = None,
    labels: bool = True,
    caption: str | bool | None = None,
    ax: Axes | None = None,
    lang: str = "en",
    **kwargs: Any,
) -> Axes:
    """The framework tree as an icicle: boxes stacked by depth, heights the effective weights.

    Column ``k`` holds the elements at depth ``k`` (root, dimensions, sub-dimensions,
    indicators); an element's box spans, vertically, its effective weight (the product of its
    weight normalised among its siblings and those of its ancestors: the share of the root
    score it carries when everything is rated), directly beside its parent's. An indicator
    placed directly under a dimension sits in the sub-dimension column. Boxes taller than
    about two lines of text are labelled with the element's name and weight ("Political
    process and strategy 25.0 %"); elements weighing 0 are listed in a note under the plot.

    Parameters
    ----------
    framework : Framework
    kind : {"icicle"}
        The only layout for now.
    recipe : Recipe, optional
        Weights as the recipe's ``weight`` step sets them (``equal``, ``overrides``); by
        default the framework's (``Framework.effective_weights`` when it has them).
    labels : bool, default True
        Whether to write names in the boxes that have room.
    caption : str, bool or None
        The caption line: by default "framework <id> <version> (fingerprint)"; ``False`` for
        none.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default the current Axes (a new figure if none is open).
    lang : str, default "en"
        Language of the plot's own words (column heads, axis, title) and of the elements'
        names and the framework's title (its translation, English where it has none);
        right-to-left text is shaped (:func:`~missionlens.plot.labels.display_text`).
    **kwargs
        Passed to ``Axes.bar`` for the boxes.

    Returns
    -------
    matplotlib.axes.Axes
        Each box is a patch with gid ``"node:<id>"`` and height its effective weight.

    Raises
    ------
    ArgumentError
        If ``framework`` is not a Framework or ``kind`` is not ``"icicle"``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import missionlens as ml
    >>> fig, ax = plt.subplots()
    >>> ax = plot_framework(ml.load_framework("whole-of-mission"), ax=ax, labels=False)
    >>> boxes = {p.get_gid(): p.get_height() for p in ax.patches}
    >>> round(float(boxes["node:political"]), 3)
    0.2
    """
    func = "plot_framework"
    if not isinstance(framework, Framework):
        raise ArgumentError(
            f"{func}: framework must be a missionlens Framework, not {type(framework).__name__}"
        )
    if kind != "icicle":
        raise ArgumentError(f"{func}: kind must be 'icicle', not {kind!r}")
    check_language(lang)
    weight = effective_weights(
        framework, None if recipe is None else recipe_weights(framework, recipe)
    )
    depth_of = {n: framework.depth(n) for n in framework.node_ids}
    n_columns = max(depth_of.values()) + 2
    ax = axes_for(ax, (8.0, 6.5))
    from matplotlib.colors import to_rgba

    zero: list[str] = []
    names = {n.id: n.name for n in framework.nodes}
    names.update({i.id: i.name for i in framework.indicators})
    if lang != "en":
        names = node_labels(framework, None, list(names), lang)
    dim_style = {
        d.id: (OKABE_ITO[k % len(OKABE_ITO)], _HATCHES[k % len(_HATCHES)])
        for k, d in enumerate(framework.dimensions)
    }
    figure = figure_of(ax)
    figure_pt = ax.get_position().height * figure.get_figheight() * 72
    # columns as wide as their text needs: the root's narrow, the indicators' widest
    widths = [_COLUMN_WIDTHS[min(c, 2)] for c in range(n_columns - 1)] + [_COLUMN_WIDTHS[3]]
    lefts = [sum(widths[:c]) for c in range(n_columns)]
    total = sum(widths)
    axes_pt = _axes_width_pt(ax) * _LAYOUT_MARGIN
    measure = _TextMeasure()

    def column(element: str) -> int:
        if element in depth_of:
            return depth_of[element]
        return n_columns - 1  # indicators in the last column

    def draw(element: str, bottom: float) -> None:
        height = weight.get(element, 0.0)
        if height <= 0:
            zero.append(element)
            return
        col = column(element)
        dim = framework.dimension_of(element) if element != framework.root.id else None
        color, hatch = dim_style.get(dim or "", ("0.75", ""))
        alpha = max(0.25, 0.9 - 0.2 * col)
        ax.bar(
            lefts[col],
            height,
            bottom=bottom,
            width=widths[col] - 0.04,
            align="edge",
            facecolor=to_rgba(color, alpha),
            edgecolor="white",
            hatch=hatch if col > 0 else "",
            linewidth=0.8,
            gid=f"node:{element}",
            **kwargs,
        )
        box_pt = height * figure_pt
        if labels and box_pt >= 6:
            name = names.get(element, element)
            size = 6.0 if col == n_columns - 1 else 7.0
            size = min(size, box_pt * 0.75)
            room_pt = (widths[col] - 0.12) / total * axes_pt
            lines = max(1, int(box_pt // (1.25 * size)))
            text = _fit_label(name, f"{height:.1%}", room_pt, lines, size, measure)
            ax.text(
                lefts[col] + 0.04,
                bottom + height / 2,
                text,
                ha="left",
                va="center",
                fontsize=size,
                color="0.05",
                clip_on=True,
                gid="node-label",
            )
        if element in depth_of:
            below = bottom
            for child in framework.children(element):
                draw(child, below)
                below += weight.get(child, 0.0)

    draw(framework.root.id, 0.0)
    ax.set_xlim(0, total)
    ax.set_ylim(1, 0)
    columns = _COLUMNS if lang == "en" else tuple(plot_text(k, lang) for k in _COLUMN_KEYS)
    heads = [columns[min(c, 2)] for c in range(n_columns - 1)] + [columns[-1]]
    centres = [left + width / 2 for left, width in zip(lefts, widths, strict=True)]
    ax.set_xticks(centres, [display_text(h, lang) for h in heads])
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0], ["0 %", "25 %", "50 %", "75 %", "100 %"])
    ax.set_ylabel(plot_text("tree_share_axis", lang))
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    title = framework.title if lang == "en" else framework.text("", "title", lang)
    ax.set_title(plot_text("tree_title", lang, title=title or framework.id))
    if zero:
        more = plot_text("tree_more", lang, n=len(zero) - 12) if len(zero) > 12 else ""
        shown = ", ".join(zero[:12]) + more
        note_pt = FOOTER_SIZE_PT
        # wrapped (measured) to the Axes' width, from its left edge, so that every id shows
        # and the layout engine need not narrow the plot to make room for a long line
        footer = _wrap_to(plot_text("tree_zero", lang, shown=shown), axes_pt, note_pt, measure)
        ax.annotate(
            footer,
            xy=(0.0, 0.0),
            xycoords="axes fraction",
            xytext=(0, -24),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=note_pt,
            color=MUTED,
            gid="zero-weight",
            annotation_clip=False,
        )
    if caption is not False:
        text = (
            caption
            if isinstance(caption, str)
            else f"framework {framework.id} {framework.version} ({framework.fingerprint})"
        )
        add_caption(ax, text)
    localise(ax, lang)
    return ax
