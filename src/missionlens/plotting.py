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
from missionlens.plot import __all__ as _plot_all

__all__ = [
    "OKABE_ITO",
    "plot_comparison",
    "plot_facets",
    "plot_lifecycle",
    "plot_profile",
    "sort_periods",
]


def __getattr__(name: str) -> object:
    """The newer plots too (``from missionlens.plotting import plot_levels``)."""
    if name in _plot_all:
        import missionlens.plot

        return getattr(missionlens.plot, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
