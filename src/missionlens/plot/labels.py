"""Label layout shared by the plots: label text, wrapping, direct line labels, legends.

* label text: values as text (:func:`text_value`), display names of nodes and facet values
  (:func:`node_labels`), titles (:func:`heading`, :func:`what`), rounded scores
  (:func:`score_text`);
* wrapping of long tick labels (:func:`wrap`);
* direct labels at the end of lines, kept apart when the figure is drawn
  (:func:`direct_labels`, :class:`LabelLayout`, :func:`spread`);
* the legend below the x-axis label (:func:`legend_below`) and the "no data" text
  (:func:`no_data`);
* working languages: every string a plot draws goes through :func:`display_text`, which
  shapes Arabic (joined letter forms, ``arabic-reshaper``) and puts right-to-left text in
  visual order (the Unicode bidirectional algorithm, ``python-bidi``), since matplotlib draws
  characters one by one, left to right; :func:`plot_text` gives a plot's own words in a
  language (the catalogue ``missionlens/locales/ui.<lang>.yaml``) and :func:`localise`
  applies :func:`display_text` to the titles, axis labels, texts and legend of a drawn plot.
  matplotlib's bundled DejaVu Sans has the Arabic presentation forms, so no font is shipped.
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from missionlens.plot.theme import MUTED, NO_DATA, figure_of

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from missionlens.framework.model import Framework

__all__ = [
    "ARABIC_FONT",
    "LABEL_GAP",
    "LABEL_OFFSET_PT",
    "LabelLayout",
    "direct_labels",
    "display_text",
    "facet_name",
    "fit_row_labels",
    "heading",
    "legend_below",
    "localise",
    "no_data",
    "node_labels",
    "overlapping",
    "phase_label",
    "plot_text",
    "score_text",
    "spread",
    "text_value",
    "type_label",
    "what",
    "wrap",
]

#: The font family drawn for right-to-left text: matplotlib's bundled DejaVu Sans, which holds
#: the Arabic presentation forms (U+FB50-U+FDFF, U+FE70-U+FEFF) that shaping produces
#: (checked by tests/test_languages.py with fontTools). Bitstream Vera / DejaVu licence.
ARABIC_FONT = "DejaVu Sans"

#: Attribute set on a Text already passed through :func:`display_text` by :func:`localise`.
_SHAPED = "_missionlens_shaped"

#: Offset of a direct label from the end of its line, in points.
LABEL_OFFSET_PT = 8.0
#: Smallest distance between the centres of two direct labels, in text heights.
LABEL_GAP = 1.15


# ------------------------------------------------------------------------------- label text
def text_value(value: Any) -> str | None:
    """A label as text: ``None`` for missing values, ``2024`` for 2024.0, dates as ISO dates.

    Examples
    --------
    >>> text_value(2024.0), text_value(float("nan")), text_value(pd.Timestamp("2024-03-15"))
    ('2024', None, '2024-03-15')
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, np.floating):
        return text_value(float(value))
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    return str(value)


def display_text(text: str, lang: str = "en") -> str:
    """A string as matplotlib must be given it to show it right in language ``lang``.

    For a right-to-left language (Arabic, ...), each line is shaped (``arabic_reshaper``: the
    contextual letter forms and ligatures) and reordered into visual order
    (``bidi.algorithm.get_display``, the Unicode bidirectional algorithm, UAX #9), so that
    matplotlib, which lays glyphs out left to right without shaping, draws it as it is read.
    Other languages are returned unchanged. Lines are processed one by one so that wrapped
    labels keep their line order.

    Examples
    --------
    >>> display_text("Score", "fr")
    'Score'
    >>> display_text("لا", "ar") == "\ufefb"  # lam-alef ligature
    True
    """
    from missionlens.framework.translations import is_rtl

    if not text or not is_rtl(lang):
        return text
    import arabic_reshaper
    from bidi.algorithm import get_display

    return "\n".join(str(get_display(arabic_reshaper.reshape(line))) for line in text.split("\n"))


def plot_text(key: str, lang: str = "en", /, **values: object) -> str:
    """A plot's own words (``plot.<key>`` of the catalogue) in ``lang``, English if missing.

    >>> plot_text("no_data", "fr")
    'pas de données'
    """
    from missionlens.framework.translations import ui

    return ui("plot." + key, lang, **values)


def localise(ax: Axes, lang: str) -> None:
    """Pass the drawn text of a plot through :func:`display_text` (right-to-left languages).

    The title, the axis labels, every text and annotation, the legend and the figure's
    caption, each once (tick labels are given shaped by the plot itself, since matplotlib
    regenerates them when drawing). The font is set to :data:`ARABIC_FONT`, upright (its
    oblique face has no Arabic letters).
    """
    from missionlens.framework.translations import is_rtl

    if not is_rtl(lang):
        return
    figure = figure_of(ax)
    texts = [ax.title, ax.xaxis.label, ax.yaxis.label]
    texts += [t for t in (getattr(ax, "_left_title", None), getattr(ax, "_right_title", None)) if t]
    texts += list(ax.texts)
    legend = ax.get_legend()
    if legend is not None:
        texts += list(legend.get_texts())
        if legend.get_title() is not None:
            texts.append(legend.get_title())
    texts += list(figure.texts)
    for attr in ("_supxlabel", "_suptitle", "_supylabel"):
        extra = getattr(figure, attr, None)
        if extra is not None:
            texts.append(extra)
    for text in texts:
        if getattr(text, _SHAPED, False):
            continue
        content = text.get_text()
        if content:
            text.set_text(display_text(content, lang))
            text.set_fontfamily([ARABIC_FONT, "sans-serif"])
            # DejaVu Sans Oblique has no Arabic, and Arabic script has no italic convention
            text.set_fontstyle("normal")
        setattr(text, _SHAPED, True)
    for label in (*ax.get_xticklabels(), *ax.get_yticklabels()):
        label.set_fontfamily([ARABIC_FONT, "sans-serif"])


def wrap(text: str, width: int) -> str:
    """``text`` wrapped at ``width`` characters, breaking only at spaces."""
    return textwrap.fill(text, width=width, break_long_words=False, break_on_hyphens=False)


def fit_row_labels(
    ax: Axes,
    texts: list[str],
    *,
    width: int,
    max_width: int | None = None,
    max_lines: int = 2,
    min_size: float = 6.0,
    reserved_pt: float = 0.0,
) -> tuple[list[str], float]:
    """Row labels wrapped and sized so that each fits the height of its row.

    A row of a chart with ``len(texts)`` rows is the Axes' height in points divided by the
    number of rows, the height being the Axes' height now or, if smaller, the figure's height
    less ``reserved_pt`` (what the title, the x axis and a legend below will take once a layout
    engine has made room for them). For each line count ``k`` from ``max_lines`` down to 1,
    every label is wrapped at the smallest width from ``width`` to ``max_width`` (default
    ``width + width // 2``) characters that gives it at most ``k`` lines, and the font size is
    the tick label size, or less if the tallest label would not fit its row (``min_size``
    points at the least). The wrapping with the largest font wins; of equal ones, the one with
    the narrowest labels (the most lines).

    A label of ``k`` lines at ``s`` points is taken to be ``(1.2 k + 0.25) s`` points high:
    matplotlib's default line spacing of 1.2 (``Text.get_linespacing``) and a quarter of a line
    for the last line's descent and the gap to its neighbour.

    Returns
    -------
    tuple
        The wrapped labels and the font size in points.
    """
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties

    size = float(FontProperties(size=mpl.rcParams["ytick.labelsize"]).get_size_in_points())
    if not texts:
        return [], size
    widest = width + width // 2 if max_width is None else max(width, max_width)
    figure_pt = figure_of(ax).get_figheight() * 72
    height_pt = min(ax.get_position().height * figure_pt, figure_pt - reserved_pt)
    row_pt = max(height_pt, 1.0) / len(texts)
    candidates: list[tuple[list[str], float]] = []
    for lines in range(max(1, max_lines), 0, -1):
        out = []
        for text in texts:
            for w in range(width, widest + 1):
                chosen = wrap(text, w)
                if chosen.count("\n") < lines:
                    break
            out.append(chosen)
        most = max(t.count("\n") + 1 for t in out)
        candidates.append((out, min(size, max(min_size, row_pt / (1.2 * most + 0.25)))))
    # max() keeps the first of equal sizes: the one with the most lines, the narrowest
    return max(candidates, key=lambda candidate: candidate[1])


def phase_label(phase: str, lang: str = "en", framework: Framework | None = None) -> str:
    """A lifecycle phase as text: ``start_up`` becomes "Start-up".

    In another language, the label of the phase in the framework's translation (its ``phase``
    facet), English when there is none.
    """
    english = phase.replace("_", " ").capitalize().replace("Start up", "Start-up")
    if lang == "en" or framework is None:
        return english
    try:
        framework.facet("phase")
        text = framework.text("facets:phase", f"values.{phase}.label", lang)
    except (KeyError, ValueError):
        return english
    return text or english


def score_text(value: float) -> str:
    """A score rounded half up to a whole number, as text.

    Half up, not Python's half to even, so that 62.5 reads "63" as on a calculator.

    Examples
    --------
    >>> score_text(62.5), score_text(61.5), score_text(0.49)
    ('63', '62', '0')
    """
    return str(math.floor(value + 0.5))


def node_labels(
    framework: Framework | None, view: str | None, ids: list[str], lang: str = "en"
) -> dict[str, str]:
    """Display names: framework names of nodes and indicators, labels of facet values.

    In another language ``lang``, the framework's translations (English where one is missing,
    recorded in :attr:`Framework.text_fallbacks`).
    """
    out = {i: i for i in ids}
    if framework is None:
        return out
    if view in (None, "tree"):
        nodes = {n.id for n in framework.nodes}
        indicators = {i.id for i in framework.indicators}
        for i in ids:
            if i in nodes:
                out[i] = framework.text("nodes:" + i, "name", lang)
            elif i in indicators:
                out[i] = framework.text("indicators:" + i, "name", lang)
        return out
    try:
        facet = framework.facet(view)
    except KeyError:
        return out
    for value in facet.values:
        if value.id in out and value.label:
            label = (
                framework.text("facets:" + view, f"values.{value.id}.label", lang)
                if lang != "en"
                else value.label
            )
            out[value.id] = f"{value.id}. {label}" if view == "finding" else label
    return out


def facet_name(framework: Framework | None, view: str | None, lang: str = "en") -> str:
    """The name of a facet view ("Level"), or the view id made readable."""
    if view is None or view == "tree":
        return "node"
    if framework is not None:
        try:
            name = framework.facet(view).name
        except KeyError:
            name = ""
        if name:
            return framework.text("facets:" + view, "name", lang) if lang != "en" else name
    return view.replace("_", " ")


def heading(
    table: pd.DataFrame,
    mission: str,
    period: str | None,
    lang: str = "en",
    framework: Framework | None = None,
) -> str:
    """ "MINUSMA, 2023 (drawdown)": the mission, its period and its phase then, if known."""
    comma = "، " if lang.split("-")[0] == "ar" else ", "
    text = f"{mission}{comma}{period}" if period else str(mission)
    if "phase" in table.columns:
        values = table.loc[table["mission"] == mission, "phase"].tolist()
        phases = [v for v in dict.fromkeys(values) if v is not None]
        if len(phases) == 1:
            text += f" ({phase_label(phases[0], lang, framework).lower()})"
    return text


def what(
    node_type: str,
    view: str | None,
    framework: Framework | None,
    *,
    heading: bool = False,
    lang: str = "en",
) -> str:
    """Title text: "scores by dimension" for the tree, the facet's own name for a facet."""
    if view not in (None, "tree"):
        return facet_name(framework, view, lang)
    text = plot_text("scores_by", lang, what=type_label(node_type, view, framework, lang=lang))
    return text[:1].upper() + text[1:] if heading else text


def type_label(
    node_type: str,
    view: str | None,
    framework: Framework | None,
    *,
    heading: bool = False,
    lang: str = "en",
) -> str:
    """What the rows are: "dimension", "sub-dimension", or the facet's own name (as written)."""
    if view not in (None, "tree"):
        return facet_name(framework, view, lang)
    keys = {"subdimension", "root", "dimension", "indicator"}
    text = plot_text(node_type, lang) if node_type in keys else node_type
    return text[:1].upper() + text[1:] if heading else text


# ---------------------------------------------------------------------- legends and no data
def legend_below(ax: Axes, handles: list[Any], ncol: int) -> None:
    """A legend under the x-axis label, whatever the size of the Axes.

    At most ``ncol`` columns, fewer if a row of entries would be wider than the figure
    (an entry of ``n`` characters at the "small" size taken as ``4.8 n + 34`` points: the
    text, the handle and the padding).
    """
    from matplotlib.transforms import offset_copy

    width_pt = figure_of(ax).get_figwidth() * 72 * 0.95
    names = [str(h.get_label()) for h in handles]
    ncol = max(1, min(ncol, len(names)))
    while ncol > 1:
        rows = [names[i : i + ncol] for i in range(0, len(names), ncol)]
        if max(sum(4.8 * len(n) + 34 for n in row) for row in rows) <= width_pt:
            break
        ncol -= 1

    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=offset_copy(ax.transAxes, fig=figure_of(ax), y=-34, units="points"),
        ncol=max(1, ncol),
        frameon=False,
        fontsize="small",
        handlelength=2.6,
    )


def no_data(ax: Axes, y: float, text: str = NO_DATA) -> None:
    """The words "no data" (or ``text``) at the left of row ``y``, in muted italics."""
    ax.text(
        1,
        y,
        text,
        ha="left",
        va="center",
        fontsize="small",
        fontstyle="italic",
        color=MUTED,
        gid="no-data",
    )


# ---------------------------------------------------------------------------- direct labels
def direct_labels(ax: Axes, ends: list[tuple[float, float, str, str]]) -> None:
    """Mission names at the last point of each line, kept apart when the plot is drawn.

    ``ends`` holds ``(x, y, name, colour)`` of each line's last point. The labels' positions
    are worked out in display units at draw time (see :class:`LabelLayout`), so they stay
    apart whatever the figure's size, dpi or layout engine.
    """
    if not ends:
        return
    layout = LabelLayout(ax)
    for xv, yv, name, color in ends:
        label = ax.annotate(
            name,
            xy=(xv, yv),
            xytext=(0.0, 0.0),
            textcoords=layout.transform_for(len(layout.labels)),
            va="center",
            ha="left",
            color=color,
            fontsize="small",
            fontweight="bold",
            gid="direct-label",
            annotation_clip=False,
        )
        layout.labels.append(label)


class LabelLayout:
    """Vertical placement of the direct labels of one Axes, computed when they are drawn.

    Each label wants to sit level with the end of its line, :data:`LABEL_OFFSET_PT` points to
    its right. Labels whose horizontal extents overlap form a group; within a group the label
    centres are moved as little as possible (least squares, :func:`spread`) so that neighbours
    are at least :data:`LABEL_GAP` text heights apart and every label lies inside the Axes
    vertically, keeping the labels' order. The labels extend into the Axes' right margin,
    which :func:`missionlens.plot.time_axis.period_ticks` widens to hold them.
    """

    def __init__(self, ax: Axes) -> None:
        self.ax = ax
        self.labels: list[Any] = []

    def transform_for(self, index: int) -> _LabelCoords:
        """The ``textcoords`` callable of the label at ``index``: renderer -> Transform."""
        return _LabelCoords(self, index)

    def positions(self, renderer: Any) -> list[tuple[float, float]]:
        """Display position (left edge, vertical centre) of every label."""
        from matplotlib.text import Text

        offset = renderer.points_to_pixels(LABEL_OFFSET_PT)
        anchors = [self.ax.transData.transform(label.xy) for label in self.labels]
        # Text's own extent, not the Annotation's: the latter would ask for these positions
        sizes = [Text.get_window_extent(label, renderer).size for label in self.labels]
        lefts = [float(a[0]) + offset for a in anchors]
        out = [(left, float(a[1])) for left, a in zip(lefts, anchors, strict=True)]
        box = self.ax.bbox
        for group in overlapping(lefts, [float(w) for w, _ in sizes]):
            height = max(float(sizes[i][1]) for i in group)
            wanted = np.array([out[i][1] for i in group], dtype=np.float64)
            placed = spread(wanted, LABEL_GAP * height, box.y0 + height / 2, box.y1 - height / 2)
            for i, y in zip(group, placed, strict=True):
                out[i] = (out[i][0], float(y))
        return out


class _LabelCoords:
    """Coordinates of one direct label: a translation to its place in display units.

    A class rather than a closure, so that figures holding the labels can be pickled.
    """

    def __init__(self, layout: LabelLayout, index: int) -> None:
        self.layout = layout
        self.index = index

    def __call__(self, renderer: Any) -> Any:
        from matplotlib.transforms import Affine2D

        x, y = self.layout.positions(renderer)[self.index]
        return Affine2D().translate(x, y)


def overlapping(lefts: list[float], widths: list[float]) -> list[list[int]]:
    """Groups of the intervals ``[left, left + width]`` that overlap, directly or in a chain.

    Examples
    --------
    >>> overlapping([0.0, 5.0, 30.0, 8.0], [10.0, 10.0, 5.0, 1.0])
    [[0, 1, 3], [2]]
    """
    order = sorted(range(len(lefts)), key=lambda i: lefts[i])
    groups: list[list[int]] = []
    reach = -math.inf
    for i in order:
        if groups and lefts[i] <= reach:
            groups[-1].append(i)
            reach = max(reach, lefts[i] + widths[i])
        else:
            groups.append([i])
            reach = lefts[i] + widths[i]
    return groups


def spread(wanted: np.ndarray, gap: float, low: float, high: float) -> np.ndarray:
    """Positions closest to ``wanted`` (least squares) at least ``gap`` apart in ``[low, high]``.

    The order of the positions is that of ``wanted`` (ties keep their given order). If the
    interval cannot hold them all ``gap`` apart, the gap shrinks to fit. With
    ``q_i = p_i - i * gap`` the constraints ``p_(i+1) - p_i >= gap`` become ``q``
    non-decreasing, so the fit is an isotonic regression, solved by the pool-adjacent-violators
    algorithm (Barlow, Bartholomew, Bremner and Brunk 1972, *Statistical Inference under Order
    Restrictions*), then clipped to the bounds.

    Parameters
    ----------
    wanted : numpy.ndarray
        Desired positions, in any order.
    gap : float
        Smallest distance between neighbouring positions.
    low, high : float
        Bounds of the positions.

    Returns
    -------
    numpy.ndarray
        The positions, in the order of ``wanted``.

    Examples
    --------
    >>> spread(np.array([10.0, 10.0, 50.0]), 4.0, 0.0, 100.0).tolist()
    [8.0, 12.0, 50.0]
    >>> spread(np.array([99.0, 100.0]), 4.0, 0.0, 100.0).tolist()
    [96.0, 100.0]
    """
    n = len(wanted)
    if n == 0:
        return wanted.astype(np.float64)
    high = max(high, low)
    if n > 1:
        gap = min(gap, (high - low) / (n - 1))
    order = np.argsort(wanted, kind="stable")
    steps = gap * np.arange(n)
    shifted = wanted[order] - steps
    blocks: list[list[float]] = []  # [sum, count] of each pooled run
    for value in shifted:
        blocks.append([float(value), 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    fitted = np.concatenate([np.full(int(c), t / c) for t, c in blocks])
    fitted = np.clip(fitted, low, high - gap * (n - 1))
    out = np.empty(n, dtype=np.float64)
    out[order] = fitted + steps
    return out
