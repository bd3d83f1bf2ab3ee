"""Reading assessments: every source through the format registry, then every check.

:func:`read_assessments` sits above :mod:`missionlens.assessments.validation` (it raises when
the checks fail), which sits above the registry :mod:`missionlens.assessments.formats` that
reads the sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from missionlens.assessments.formats import load_sources
from missionlens.assessments.record import AssessmentSource
from missionlens.assessments.validation import check_batches, resolve_framework

if TYPE_CHECKING:
    from missionlens.framework.model import Framework

__all__ = ["read_assessments"]


def read_assessments(
    source: AssessmentSource | Sequence[AssessmentSource],
    *,
    framework: Framework | str | None = None,
    timelines: Any = None,
) -> pd.DataFrame:
    """Read assessments from a table, files, filled templates or XLSForm exports, and check them.

    Parameters
    ----------
    source : DataFrame, path, or a list of them
        A DataFrame; a ``.csv``, ``.json``, ``.parquet`` or ``.xlsx`` file written by
        :func:`write_assessments` or made by hand with the columns of :data:`ASSESSMENT_COLUMNS`
        (headers are matched ignoring case); an Excel template made by
        :func:`~missionlens.write_template` and filled in; or a KoboToolbox or ODK Central export
        (CSV or XLSX, or a DataFrame) of a form made by :func:`~missionlens.write_xlsform`,
        recognised by its columns. A list is read source by source and concatenated, so several
        analysts' workbooks are read in one call.
    framework : Framework or str, optional
        The framework the entries are checked against (indicators, scales, phases, version):
        an object, or the name or path of one.
        Without one, only the checks that need no framework are run.
    timelines : optional
        Phase timelines of the missions, as :func:`~missionlens.validate` takes them.

    Returns
    -------
    pandas.DataFrame
        The assessment table: the columns of :data:`ASSESSMENT_COLUMNS` (see the module
        documentation for their dtypes and meaning), then any other columns of the source.

    Raises
    ------
    ValidationError
        If anything is wrong; its ``report`` lists every problem with its file, sheet, row and
        column (see :func:`~missionlens.validate`).
    FileNotFoundError
        If a path does not exist.

    Examples
    --------
    >>> import pandas as pd, missionlens as ml
    >>> fw = ml.load_framework("tests/data/frameworks/small.yaml")  # doctest: +SKIP
    >>> table = ml.read_assessments(pd.DataFrame({  # doctest: +SKIP
    ...     "mission": ["MINUSCA"], "period": ["2024-H1"], "phase": ["implementation"],
    ...     "indicator": ["pol_01"], "value": [4], "rater": ["amina"]}), framework=fw)
    """
    fw = resolve_framework(framework, "read_assessments")
    batches = load_sources(source, fw)
    report = check_batches(batches, fw, timelines=timelines)
    report.raise_if_failed()
    if report.table is None:  # pragma: no cover - check_batches always sets it
        raise RuntimeError("validation returned no table")
    return report.table
