"""Point labels kept apart: each label takes the first nearby place that overlaps nothing.

:func:`point_labels` writes one label beside each point of a scatter. Where each label goes
is worked out when the figure is drawn (in display units, with the renderer's measure of
each text), so it holds whatever the figure's size, dpi or layout engine: every label tries
:data:`CANDIDATES` in order (right of its point, left, above, below, then the four
diagonals), then the same eight places one text height further out (joined to the point by
a thin leader line, gid ``"leader"``, so that the label is not read as its neighbour's), and
takes the first whose box overlaps no label already placed, no point and no obstacle (the
quadrant names) and stays inside the Axes; if every place overlaps something, the one with
the least overlapping area. Labels are placed in the order given, so the layout
is deterministic. It is the greedy first-fit of cartographic point-feature labelling
(Christensen, Marks and Shieber 1995, "An empirical study of algorithms for point-feature
label placement", *ACM Transactions on Graphics* 14(3), the "greedy" baseline there).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.collections import PathCollection
    from matplotlib.text import Annotation, Text

__all__ = [
    "CANDIDATES",
    "LABEL_PAD_PT",
    "LEADER_COLOUR",
    "PointLabelLayout",
    "overlap_area",
    "point_labels",
]

#: Gap between a point's marker and its label, in points.
LABEL_PAD_PT = 3.0

#: Colour of the leader line from a point to a label placed one line further out.
LEADER_COLOUR = "0.45"

#: The places a label tries, in order: (horizontal, vertical) side of the point, -1 left or
#: below, 0 centred, 1 right or above.
CANDIDATES: tuple[tuple[int, int], ...] = (
    (1, 0),  # right
    (-1, 0),  # left
    (0, 1),  # above
    (0, -1),  # below
    (1, 1),  # upper right
    (-1, 1),  # upper left
    (1, -1),  # lower right
    (-1, -1),  # lower left
)

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in display units


def overlap_area(a: Box, b: Box) -> float:
    """Area shared by two boxes ``(x0, y0, x1, y1)`` (0 when they only touch).

    Examples
    --------
    >>> overlap_area((0.0, 0.0, 2.0, 2.0), (1.0, 1.0, 3.0, 3.0))
    1.0
    >>> overlap_area((0.0, 0.0, 1.0, 1.0), (1.0, 0.0, 2.0, 1.0))
    0.0
    """
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def _overlap_areas(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Areas shared by each of ``boxes`` (k x 4) with each of ``others`` (m x 4): k x m.

    The vectorised :func:`overlap_area`.
    """
    width = np.minimum(boxes[:, None, 2], others[None, :, 2]) - np.maximum(
        boxes[:, None, 0], others[None, :, 0]
    )
    height = np.minimum(boxes[:, None, 3], others[None, :, 3]) - np.maximum(
        boxes[:, None, 1], others[None, :, 1]
    )
    return np.clip(width, 0.0, None) * np.clip(height, 0.0, None)


def point_labels(
    ax: Axes,
    points: PathCollection,
    texts: list[str],
    *,
    obstacles: list[Text] | None = None,
    **kwargs: Any,
) -> list[Annotation]:
    """One label per point of ``points``, placed apart at draw time (:class:`PointLabelLayout`).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The Axes holding the points.
    points : matplotlib.collections.PathCollection
        The scatter; its offsets are the points, in data coordinates, in the order of
        ``texts``.
    texts : list of str
        The labels.
    obstacles : list of matplotlib.text.Text, optional
        Other texts the labels keep clear of.
    **kwargs
        Passed to ``Axes.annotate`` (font size, colour, gid).

    Returns
    -------
    list of matplotlib.text.Annotation
        The labels, in the order of ``texts``.
    """
    layout = PointLabelLayout(ax, points, obstacles or [])
    offsets = np.asarray(points.get_offsets(), dtype=np.float64)
    for i, text in enumerate(texts):
        label = ax.annotate(
            text,
            xy=(float(offsets[i][0]), float(offsets[i][1])),
            xytext=(0.0, 0.0),
            textcoords=_PointLabelCoords(layout, i),
            ha="left",
            va="bottom",
            annotation_clip=False,
            # a leader line, shown only for a label placed one line further out
            arrowprops={"arrowstyle": "-", "color": LEADER_COLOUR, "linewidth": 0.6},
            **kwargs,
        )
        layout.labels.append(label)
        layout.leaders.append((label.arrowprops, label.arrow_patch))
        if label.arrow_patch is not None:
            label.arrow_patch.set_gid("leader")
        label.arrowprops, label.arrow_patch = None, None  # until a place one line out needs it
    return layout.labels


class PointLabelLayout:
    """Where the labels of one scatter go, computed once per draw and cached.

    Each label's box (its text extent, measured with the renderer) is tried at the places of
    :data:`CANDIDATES`, :data:`LABEL_PAD_PT` points off the edge of its point's marker. The
    first place overlapping no placed label, no marker and no obstacle, and inside the Axes,
    is taken; else the one with the least overlapping area (area outside the Axes counted as
    overlap).
    """

    def __init__(self, ax: Axes, points: PathCollection, obstacles: list[Text]) -> None:
        self.ax = ax
        self.points = points
        self.obstacles = obstacles
        self.labels: list[Annotation] = []
        #: each label's leader line: ``(arrowprops, FancyArrowPatch)``, set on it when drawn
        self.leaders: list[tuple[Any, Any]] = []
        self._key: tuple[Any, ...] | None = None
        self._corners: list[tuple[float, float]] = []

    def corners(self, renderer: Any) -> list[tuple[float, float]]:
        """Display position of every label's lower-left corner."""
        from matplotlib.text import Text

        anchors = self.ax.transData.transform([label.xy for label in self.labels])
        key = (
            id(renderer),
            tuple(float(v) for v in np.ravel(anchors)),
            tuple(self.ax.bbox.bounds),
            float(renderer.points_to_pixels(1.0)),
        )
        if key == self._key:
            return self._corners
        sizes = np.asarray(self.points.get_sizes(), dtype=np.float64)
        if sizes.size == 0:
            sizes = np.array([36.0])  # matplotlib's default marker size, points squared
        radii = [
            float(renderer.points_to_pixels(math.sqrt(sizes[i % sizes.size]) / 2.0))
            for i in range(len(self.labels))
        ]
        pad = float(renderer.points_to_pixels(LABEL_PAD_PT))
        pixels_per_point = float(renderer.points_to_pixels(1.0))
        marks: list[Box] = [
            (float(x) - r, float(y) - r, float(x) + r, float(y) + r)
            for (x, y), r in zip(anchors, radii, strict=True)
        ]
        blocked: list[Box] = []
        for other in self.obstacles:
            extent = other.get_window_extent(renderer)
            blocked.append((extent.x0, extent.y0, extent.x1, extent.y1))
        frame = self.ax.bbox
        bounds: Box = (frame.x0, frame.y0, frame.x1, frame.y1)
        # every box as a row (x0, y0, x1, y1): the labels placed so far, then the markers,
        # then the obstacles; one label's candidates are scored against all at once
        n = len(self.labels)
        fixed = np.array([*marks, *blocked], dtype=np.float64).reshape(-1, 4)
        placed = np.empty((n, 4), dtype=np.float64)
        corners: list[tuple[float, float]] = []
        sides = np.array(CANDIDATES * 2, dtype=np.float64)  # the near ring, then one line out
        diagonal = (sides[:, 0] != 0) & (sides[:, 1] != 0)
        for i, label in enumerate(self.labels):
            # Text's own extent, not the Annotation's: the latter would ask for this layout
            width, height = (float(v) for v in Text.get_window_extent(label, renderer).size)
            x, y = float(anchors[i][0]), float(anchors[i][1])
            reach = radii[i] + pad
            distance = np.repeat([reach, reach + height], len(CANDIDATES))
            step = np.where(diagonal, distance / math.sqrt(2.0), distance)
            x0 = np.select(
                [sides[:, 0] > 0, sides[:, 0] < 0],
                [x + step, x - step - width],
                x - width / 2.0,
            )
            y0 = np.select(
                [sides[:, 1] > 0, sides[:, 1] < 0],
                [y + step, y - step - height],
                y - height / 2.0,
            )
            boxes = np.stack([x0, y0, x0 + width, y0 + height], axis=1)
            others = np.concatenate([placed[:i], np.delete(fixed, i, axis=0)])
            cost = _overlap_areas(boxes, others).sum(axis=1)
            cost += width * height - _overlap_areas(boxes, np.array([bounds]))[:, 0]
            free = np.flatnonzero(cost <= 1e-6)  # square pixels: rounding, not an overlap
            pick = int(free[0]) if free.size else int(np.argmin(cost))  # first fit, else least
            placed[i] = boxes[pick]
            corners.append((float(boxes[pick, 0]), float(boxes[pick, 1])))
            # the leader is an attribute of the Annotation only when it is drawn, so that the
            # label's extent (and the figure's tight box) holds no hidden line
            props, patch = self.leaders[i]
            if distance[pick] > reach and patch is not None:
                patch.shrinkB = radii[i] / pixels_per_point
                label.arrowprops, label.arrow_patch = props, patch
            else:
                label.arrowprops, label.arrow_patch = None, None
        self._key, self._corners = key, corners
        return corners


class _PointLabelCoords:
    """Coordinates of one point label: a translation to its place in display units.

    A class rather than a closure, so that figures holding the labels can be pickled.
    """

    def __init__(self, layout: PointLabelLayout, index: int) -> None:
        self.layout = layout
        self.index = index

    def __call__(self, renderer: Any) -> Any:
        from matplotlib.transforms import Affine2D

        x, y = self.layout.corners(renderer)[self.index]
        return Affine2D().translate(x, y)
