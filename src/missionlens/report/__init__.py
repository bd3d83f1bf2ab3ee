"""Briefing reports: one self-contained HTML file per mission or comparison (:func:`report`).

``missionlens.report`` is both this package and, at the package root, the function
:func:`missionlens.report.report.report` (``ml.report(profiles, "report.html", ...)``). So
that ``ml.report(...)`` works whichever of the two the root holds (importing a submodule binds
the package to the root's attribute), the package itself is callable: calling it calls
:func:`report`.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from missionlens.report.report import (
    BENCHMARK_COLUMNS,
    BIDI_CONTROLS,
    EVIDENCE_EXCERPT,
    LANGUAGES,
    REQUIRED_BENCHMARK_COLUMNS,
    display_text,
    report,
    write_reports,
)

__all__ = [
    "BENCHMARK_COLUMNS",
    "BIDI_CONTROLS",
    "EVIDENCE_EXCERPT",
    "LANGUAGES",
    "REQUIRED_BENCHMARK_COLUMNS",
    "display_text",
    "report",
    "write_reports",
]


class _CallablePackage(types.ModuleType):
    """This package, callable as :func:`report`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return report(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
