"""Plots of mission profiles: ``missionlens.plot``.

Plots for a briefing, each ``plot_x(data, *, options..., ax=None, **kwargs) -> Axes`` in the
seaborn style (``**kwargs`` go to matplotlib): :func:`plot_profile` (one mission node by node,
as dots, bars or a radar, :func:`plot_radar`), :func:`plot_comparison` (missions side by side
as a heatmap, optionally relative to the peer median), :func:`plot_lifecycle` (trajectories
over the mission's life, with benchmarks, events and intervals), :func:`plot_facets` (one
mission by level, finding or A4P+ priority), :func:`plot_levels` (finding 15: level by
dimension), :func:`plot_rank_intervals` and :func:`plot_score_intervals` (uncertainty),
:func:`plot_waterfall` (what moved a score), :func:`plot_quadrant` (performance against
context), :func:`plot_framework` (the tree with its effective weights), :func:`plot_agreement`
and :func:`plot_rater_spread` (inter-rater agreement), and :func:`plot_small_multiples` (a
grid of panels, returning the Figure). ``data`` is a
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
* a missing score is drawn as missing (a gap in a line, a hatched cell, or words that say why:
  "n/a" where nothing applies, "no score" where too little of the weight is rated, "no data"
  where nothing applicable was rated), never as zero;
* a score resting on part of the applicable weight (``weight_share`` < 1) is marked (hollow
  marker, hatched bar, dotted cell; in :func:`plot_levels`, whose levels are hatched, a hollow
  bar with a dotted edge);
* score axes run from 0 to 100 exactly (100 best), labels stay inside;
* a caption line under the figure names the framework, recipe and data (``caption=``).

The package's modules: :mod:`~missionlens.plot.theme` (the one theme),
:mod:`~missionlens.plot.time_axis` (periods on a shared time axis, phases),
:mod:`~missionlens.plot.labels` (label text and layout), :mod:`~missionlens.plot.placement`
(point labels kept apart), :mod:`~missionlens.plot.data` (input
frames and checks), and one module per plot. matplotlib is imported only when a plot is drawn,
so importing this package is cheap.
"""

from __future__ import annotations

from missionlens.plot.agreement import plot_agreement, plot_rater_spread
from missionlens.plot.comparison import plot_comparison
from missionlens.plot.facets import plot_facets
from missionlens.plot.framework_tree import plot_framework
from missionlens.plot.intervals import plot_rank_intervals, plot_score_intervals
from missionlens.plot.levels import level_scores, plot_levels
from missionlens.plot.lifecycle import plot_lifecycle
from missionlens.plot.profile import plot_profile, plot_radar
from missionlens.plot.quadrant import plot_quadrant
from missionlens.plot.small_multiples import plot_small_multiples
from missionlens.plot.theme import OKABE_ITO, TOL_BRIGHT
from missionlens.plot.time_axis import sort_periods
from missionlens.plot.waterfall import plot_waterfall
from missionlens.plot.weights import effective_weights

__all__ = [
    "OKABE_ITO",
    "TOL_BRIGHT",
    "effective_weights",
    "level_scores",
    "plot_agreement",
    "plot_comparison",
    "plot_facets",
    "plot_framework",
    "plot_levels",
    "plot_lifecycle",
    "plot_profile",
    "plot_quadrant",
    "plot_radar",
    "plot_rank_intervals",
    "plot_rater_spread",
    "plot_score_intervals",
    "plot_small_multiples",
    "plot_waterfall",
    "sort_periods",
]
