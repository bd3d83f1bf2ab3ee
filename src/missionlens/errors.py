"""Exceptions of missionlens. Every error that reports bad input carries its problems as data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import yaml

if TYPE_CHECKING:  # pandas is imported where it is used, so that ``missionlens --version``
    import pandas as pd  # (which imports this module) does not wait for it


class _Report(Protocol):
    """What :class:`ValidationError` needs of a report (a ``ValidationReport``)."""

    failures: pd.DataFrame

    def to_text(self) -> str: ...


__all__ = [
    "FRAMEWORK_PROBLEM_COLUMNS",
    "ArchiveError",
    "ArgumentError",
    "BenchmarkError",
    "FrameworkError",
    "IncompatibleProfilesError",
    "IncompleteScoreWarning",
    "MigrationError",
    "MissionLensError",
    "MixedPhasesWarning",
    "NotFoundError",
    "RecipeError",
    "ScoringInputError",
    "UnreadableFileError",
    "ValidationError",
    "WriteError",
    "YAMLDuplicateKeyError",
    "YAMLTooDeepError",
]

#: Columns of :attr:`FrameworkError.problems`, in order.
FRAMEWORK_PROBLEM_COLUMNS: tuple[str, ...] = ("file", "path", "id", "check", "value", "message")


class MissionLensError(Exception):
    """Base class of all missionlens errors."""


def format_table(
    frame: pd.DataFrame,
    max_rows: int = 50,
    max_width: int = 70,
    full_columns: tuple[str, ...] = ("message",),
) -> str:
    """Render a problems table as plain text, one row per problem.

    Parameters
    ----------
    frame : pandas.DataFrame
        The problems.
    max_rows : int
        Rows shown at most; a last line says how many more there are.
    max_width : int
        Cells of other columns longer than this are shortened with ``...``.
    full_columns : tuple of str
        Columns shown in full, never shortened: by default ``message``, the explanation that
        the reader needs whole. Line breaks in any cell are shown as spaces.

    Returns
    -------
    str
        The table, or ``(no problems)``.
    """
    if frame.empty:
        return "(no problems)"
    shown = frame.head(max_rows).astype(object).copy()
    for column in shown.columns:
        width = None if column in full_columns else max_width
        shown[column] = [_shorten("" if _is_missing(v) else str(v), width) for v in shown[column]]
    text = shown.to_string(index=False)
    if len(frame) > max_rows:
        text += f"\n... and {len(frame) - max_rows} more"
    return text


def _is_missing(value: object) -> bool:
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and value != value  # NaN is the only float unequal to itself


def _shorten(text: str, width: int | None) -> str:
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    # a lone surrogate cannot be printed or encoded: show it escaped (\ud800)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if width is None or len(text) <= width:
        return text
    return text[: width - 3] + "..."


class FrameworkError(MissionLensError):
    """A framework definition has one or more problems.

    Attributes
    ----------
    problems : pandas.DataFrame
        One row per problem with the columns ``file``, ``path`` (where in the file, e.g.
        ``nodes[4].weight``), ``id`` (the id of the offending element, if known), ``check``
        (a short stable name such as ``duplicate_id``), ``value`` (the offending value, as text)
        and ``message`` (a plain-language explanation of what was expected).
    """

    #: What the problems are in, for the message.
    _what = "framework definition"

    def __init__(self, problems: pd.DataFrame, source: str | None = None) -> None:
        self.problems = problems.reset_index(drop=True)
        self.source = source
        where = f" in {source}" if source else ""
        counts = self.problems["check"].value_counts()
        summary = ", ".join(f"{check}: {n}" for check, n in counts.items())
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in {self._what}{where} ({summary})"
        super().__init__(head + "\n" + format_table(self.problems.drop(columns=["file"])))


class MigrationError(FrameworkError):
    """A migration mapping between two framework versions has problems (a malformed file, or
    indicators it leaves out, names twice or does not know); the same ``problems`` table as
    :class:`FrameworkError`, paths such as ``indicators[3].new``."""

    _what = "migration mapping"


class BenchmarkError(MissionLensError, ValueError):
    """A benchmark set has one or more problems (all of them are listed at once).

    Attributes
    ----------
    problems : pandas.DataFrame
        The columns of :attr:`FrameworkError.problems`: ``file``, ``path`` (e.g.
        ``benchmarks[2].deadline``), ``id`` (the benchmark's id), ``check``, ``value`` and
        ``message``.
    """

    def __init__(self, problems: pd.DataFrame, source: str | None = None) -> None:
        self.problems = problems.reset_index(drop=True)
        self.source = source
        where = f" in {source}" if source else ""
        counts = ", ".join(f"{k}: {v}" for k, v in self.problems["check"].value_counts().items())
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in benchmark set{where} ({counts})"
        super().__init__(head + "\n" + format_table(self.problems.drop(columns=["file"])))


class ArgumentError(MissionLensError, TypeError, ValueError):
    """An argument has the wrong type or value; the message names it and what was expected.

    It is both a :class:`TypeError` and a :class:`ValueError`, so that code catching either of
    the built-in errors for a bad argument keeps working.
    """


class YAMLTooDeepError(yaml.YAMLError, ValueError):
    """YAML text nests lists and mappings deeper than a framework or recipe can (a mistake or an
    attack that would otherwise exhaust Python's recursion limit)."""


class ValidationError(MissionLensError, ValueError):
    """Assessments have one or more problems.

    Raised by :func:`~missionlens.read_assessments` (and by :func:`~missionlens.consolidate` and
    :func:`~missionlens.agreement` for tables they cannot use). The message gives the number of
    problems of each check and the first rows of the problem table, in plain words.

    Attributes
    ----------
    report : ValidationReport
        The full report; ``report.failures`` has one row per problem with the columns ``file``,
        ``sheet``, ``row``, ``column``, ``mission``, ``period``, ``indicator``, ``rater``,
        ``check``, ``value`` and ``message``.
    """

    def __init__(self, report: _Report) -> None:
        self.report: Any = report
        super().__init__(report.to_text())

    @property
    def failures(self) -> pd.DataFrame:
        """The problem table (``report.failures``)."""
        return self.report.failures


class ScoringInputError(MissionLensError):
    """The data given to :func:`missionlens.score` cannot be scored; ``problems`` says why.

    Attributes
    ----------
    problems : pandas.DataFrame
        One row per problem, with the columns of every problem table (``file``, ``sheet``,
        ``row``, ``column``, ``mission``, ``period``, ``indicator``, ``rater``, ``check``,
        ``value``, ``message``): the same rows :func:`missionlens.validate` reports for the
        same data.
    """

    def __init__(self, problems: pd.DataFrame) -> None:
        self.problems = problems.reset_index(drop=True)
        counts = ", ".join(f"{k}: {v}" for k, v in self.problems["check"].value_counts().items())
        super().__init__(
            f"{len(self.problems)} problem{'' if len(self.problems) == 1 else 's'} in the data "
            f"to score ({counts})\n" + format_table(self.problems, max_rows=20)
        )


class RecipeError(MissionLensError):
    """A recipe is malformed or cannot be applied; the message names the step and field."""


class IncompatibleProfilesError(MissionLensError):
    """Profiles made with different frameworks or recipes were about to be mixed."""


class UnreadableFileError(MissionLensError, ValueError):
    """A file cannot be read; the message says why and how to fix it (reported as is)."""


class YAMLDuplicateKeyError(MissionLensError, ValueError):
    """A YAML mapping repeats a key (YAML forbids it; PyYAML would keep the last silently)."""

    def __init__(self, key: object, line: int, first_line: int) -> None:
        self.key, self.line, self.first_line = key, line, first_line
        super().__init__(
            f"key {key!r} appears twice in one mapping (lines {first_line} and {line}); "
            "the second would silently replace the first"
        )


class IncompleteScoreWarning(UserWarning):
    """Scores rest on less than was entered or than the framework asks for.

    :func:`missionlens.score` warns with this class when a root score was computed while a
    dimension that applies has no score (the headline leaves out a whole dimension), and when
    entered values are in no score of the tree (listed in :attr:`missionlens.Profiles.unused`).
    The message names the missions, periods and nodes; ``profiles.log`` records the same.
    """


class MixedPhasesWarning(UserWarning):
    """Missions in different lifecycle phases are compared side by side.

    :func:`missionlens.plot.plot_comparison` warns with this class (and writes a note on the
    figure) when the missions it shows are in different phases, and so do
    :func:`missionlens.compare_missions` and the peer functions built on it: a mission in exit
    is scored on other indicators than one in implementation, so their scores are not like for
    like.
    """


class WriteError(MissionLensError, OSError):
    """A file could not be written (full disk, no permission, missing folder, ...).

    Raised by every writer of missionlens (see :mod:`missionlens.atomic`): the target is then
    left as it was before the write (the old file intact, or no file), never half written.
    It is an :class:`OSError` too, with the ``errno`` of the underlying error and ``filename``
    set to the target.
    """

    def __init__(self, path: object, message: str, errno: int | None = None) -> None:
        if errno is None:
            super().__init__(message)
        else:
            super().__init__(errno, message)
        self.filename = str(path)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ArchiveError(MissionLensError, ValueError):
    """A saved archive (a profiles ``.zip``) is not one, or is damaged, altered or too large.

    The message names the file and, where known, the member; attributes ``path`` and
    ``member`` (``None`` for the whole archive) say the same.
    """

    def __init__(self, path: object, message: str, member: str | None = None) -> None:
        self.path = str(path)
        self.member = member
        where = f"{path}" + (f", member {member!r}" if member else "")
        super().__init__(f"{where}: {message}")


class NotFoundError(MissionLensError, FileNotFoundError):
    """A framework or a file named by the user does not exist; the message says what exists.

    It is a :class:`FileNotFoundError` too, so that code catching that keeps working.
    """
