"""Plots of mission profiles: ``missionlens.plot``.

Four plots, each ``plot_x(data, *, options..., ax=None) -> Axes`` in the seaborn style:
:func:`plot_profile` (one mission node by node), :func:`plot_comparison` (missions side by
side as a heatmap), :func:`plot_lifecycle` (trajectories over the mission's life) and
:func:`plot_facets` (one mission by level, finding or A4P+ priority). ``data`` is a
:class:`~missionlens.Profiles` object or a tidy :class:`pandas.DataFrame` with the columns named
in each docstring (those of :meth:`Profiles.to_frame` are the reference); the plot is drawn on
``ax`` (or the current Axes, or a new figure sized for the content if no figure is open) and
the Axes is returned. Nothing calls ``plt.show()``.

Accessibility rules followed by every plot (:mod:`missionlens.plot.theme`):

* colours come from the Okabe-Ito palette (:data:`OKABE_ITO`), which stays distinct for the
  common forms of colour-vision deficiency, and the heatmap uses the ``cividis`` colormap, which
  is designed to be perceptually uniform for those readers and in grayscale;
* colour is never the only encoding: series also differ by marker shape and line style, lines
  carry direct labels, heatmap cells carry their value as text, phases carry text labels and
  hatches;
* a missing score is drawn as missing (a gap in a line, a hatched cell marked "–", or the words
  "no data"), never as zero;
* score axes run from 0 to 100 (100 best).

The package's modules: :mod:`~missionlens.plot.theme` (the one theme),
:mod:`~missionlens.plot.time_axis` (periods on a shared time axis, phases),
:mod:`~missionlens.plot.labels` (label text and layout), :mod:`~missionlens.plot.data` (input
frames and checks), and one module per plot. matplotlib is imported only when a plot is drawn,
so importing this package is cheap.
"""

from __future__ import annotations

from missionlens.plot.comparison import plot_comparison
from missionlens.plot.facets import plot_facets
from missionlens.plot.lifecycle import plot_lifecycle
from missionlens.plot.profile import plot_profile, plot_radar
from missionlens.plot.theme import OKABE_ITO
from missionlens.plot.time_axis import sort_periods

__all__ = [
    "OKABE_ITO",
    "plot_comparison",
    "plot_facets",
    "plot_lifecycle",
    "plot_profile",
    "plot_radar",
    "sort_periods",
]
