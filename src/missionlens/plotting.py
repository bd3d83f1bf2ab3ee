"""Compatibility alias of :mod:`missionlens.plot`, where the plots now live.

``from missionlens.plotting import plot_profile`` keeps working; new code should import from
:mod:`missionlens.plot` (or use ``ml.plot_profile``).
"""

from __future__ import annotations

from missionlens.plot import (
    OKABE_ITO,
    plot_comparison,
    plot_facets,
    plot_lifecycle,
    plot_profile,
    sort_periods,
)

__all__ = [
    "OKABE_ITO",
    "plot_comparison",
    "plot_facets",
    "plot_lifecycle",
    "plot_profile",
    "sort_periods",
]
