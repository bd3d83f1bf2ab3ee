"""The registry of assessment file formats: readers and writers chosen by suffix and content.

A *reader* turns one source (a file, or a DataFrame) into raw :class:`Batch` es; a *writer*
writes an assessment table to a file. Both are registered under a name with the suffixes they
handle:

* :func:`register_reader` ``(name, suffixes=..., read=..., sniff=..., priority=...)``;
* :func:`register_writer` ``(name, suffixes=..., write=...)``.

:func:`load_sources` picks a reader for every source: among the readers registered for the
file's suffix (the longest registered suffix the file name ends with, ignoring case, so that
``.ml.json`` can have a reader of its own), it tries them from the highest ``priority`` down (at
equal priority, a reader with a ``sniff`` before one without, and the later registered first)
and uses the first whose ``sniff`` accepts the source; a reader without a ``sniff`` accepts
everything. So a workbook whose hidden ``_missionlens`` sheet says ``missionlens-template`` goes
to the Excel template reader, a CSV, XLSX or DataFrame whose columns are those of a
KoboToolbox/ODK export goes to the export reader, and any other table to the plain table reader.
DataFrames are dispatched like files of the pseudo-suffix :data:`DATAFRAME`.
:func:`write_assessments` picks the writer by suffix in the same way.

This module holds the registry only and imports none of the formats: each format registers
itself when its module is imported, and ``missionlens.assessments`` imports every built-in one
(``formats.csv_format``, ``formats.json_format``, ``formats.parquet_format``,
``formats.xlsx_format``, ``formats.frame_format``, ``excel_template`` and ``xlsform``).

Examples
--------
A tab-separated format of one's own (the built-in CSV reader already reads ``.tsv``; this one
also writes it):

>>> import pandas as pd
>>> from missionlens.assessments import formats
>>> from missionlens.assessments.formats.tabular import table_batch
>>> def write_tsv(table, path):
...     table.to_csv(path, sep="\\t", index=False)
>>> def read_tsv(source):
...     frame = pd.read_csv(source.path, sep="\\t", dtype=str, keep_default_na=False)
...     return [table_batch(frame.mask(frame == ""), source.name, first_row=2)]
>>> formats.register_writer("my-tsv", suffixes=(".tsv",), write=write_tsv)  # doctest: +SKIP
>>> formats.register_reader("my-tsv", suffixes=(".tsv",), read=read_tsv, priority=5)
... # doctest: +SKIP
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

from missionlens.assessments.record import (
    ASSESSMENT_COLUMNS,
    OPTIONAL_COLUMNS,
    AssessmentSource,
    Batch,
    unreadable_batch,
)
from missionlens.atomic import atomic_path
from missionlens.errors import ArgumentError, NotFoundError, UnreadableFileError
from missionlens.text import text_dtype

if TYPE_CHECKING:
    from missionlens.framework.model import Framework

__all__ = [
    "DATAFRAME",
    "READ_ERRORS",
    "Reader",
    "Source",
    "Writer",
    "load_sources",
    "reader_for",
    "readers",
    "register_reader",
    "register_writer",
    "unregister_reader",
    "unregister_writer",
    "write_assessments",
    "writer_for",
    "writers",
]

#: The pseudo-suffix under which readers of DataFrames are registered.
DATAFRAME = "<DataFrame>"

#: Errors that mean a file's content cannot be read, whatever its format (reported as
#: ``unreadable``); a reader adds its own with ``errors=``.
READ_ERRORS: tuple[type[BaseException], ...] = (OSError, ValueError, KeyError, csv.Error)

T = TypeVar("T")


# ------------------------------------------------------------------------------ sources
@dataclass
class Source:
    """One source being read: a file or a DataFrame, and what its readers learnt of it.

    Attributes
    ----------
    name : str
        The name failures give for it: the path as given, or ``<DataFrame 2>`` for the second
        source of a list.
    path : pathlib.Path or None
        The file, or ``None`` for a DataFrame.
    frame : pandas.DataFrame or None
        The DataFrame, or ``None`` for a file.
    framework : Framework or None
        The framework the entries are read with (an export reader needs it to recognise its
        questions).
    """

    name: str
    path: Path | None
    frame: pd.DataFrame | None
    framework: Framework | None
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    _closers: list[Callable[[], None]] = field(default_factory=list, init=False, repr=False)

    def cached(self, key: str, make: Callable[[], T]) -> T:
        """The value stored under ``key``, made by ``make()`` the first time it is asked for.

        A sniff and a read of the same source share what was parsed this way (the rows of a
        CSV file, an open workbook), so that a file is parsed once however many readers look
        at it. Keys are free; prefix them with the format's name.
        """
        if key not in self._cache:
            self._cache[key] = make()
        value: T = self._cache[key]
        return value

    def on_close(self, close: Callable[[], None]) -> None:
        """Call ``close()`` once the source is read (e.g. to close a workbook opened by a sniff)."""
        self._closers.append(close)

    def close(self) -> None:
        """Release what the readers opened (called by :func:`load_sources`)."""
        closers, self._closers = self._closers, []
        self._cache.clear()
        for close in reversed(closers):
            close()


# ------------------------------------------------------------------------------ registry
@dataclass(frozen=True)
class Reader:
    """A registered reader (see :func:`register_reader`)."""

    name: str
    suffixes: tuple[str, ...]
    read: Callable[[Source], list[Batch]]
    sniff: Callable[[Source], bool] | None
    priority: int
    errors: tuple[type[BaseException], ...]
    order: int


@dataclass(frozen=True)
class Writer:
    """A registered writer (see :func:`register_writer`)."""

    name: str
    suffixes: tuple[str, ...]
    write: Callable[[pd.DataFrame, Path], None]
    order: int


_READERS: dict[str, Reader] = {}
_WRITERS: dict[str, Writer] = {}
_COUNTER = [0]


def _next() -> int:
    _COUNTER[0] += 1
    return _COUNTER[0]


def _suffixes(name: str, suffixes: Iterable[str] | str, *, frames: bool) -> tuple[str, ...]:
    if isinstance(suffixes, str):
        suffixes = (suffixes,)
    out: list[str] = []
    for suffix in suffixes:
        if not isinstance(suffix, str) or not (
            (suffix.startswith(".") and len(suffix) > 1) or (frames and suffix == DATAFRAME)
        ):
            allowed = " or missionlens.assessments.formats.DATAFRAME" if frames else ""
            raise ValueError(
                f"format {name!r}: suffixes must be file suffixes starting with a dot such as "
                f"'.csv'{allowed}, not {suffix!r}"
            )
        if suffix.lower() not in out:
            out.append(suffix if suffix == DATAFRAME else suffix.lower())
    if not out:
        raise ValueError(f"format {name!r}: suffixes must name at least one suffix, such as '.csv'")
    return tuple(out)


def _check_name(kind: str, name: object, registry: dict[str, Any], replace: bool) -> None:
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"a {kind} name must be a non-empty string, not {name!r}")
    if name in registry and not replace:
        raise ValueError(
            f"a {kind} named {name!r} is already registered (for "
            f"{', '.join(registry[name].suffixes)}); pass replace=True to replace it, or "
            "choose another name"
        )


def register_reader(
    name: str,
    *,
    suffixes: Iterable[str] | str,
    read: Callable[[Source], list[Batch]],
    sniff: Callable[[Source], bool] | None = None,
    priority: int = 0,
    errors: Iterable[type[BaseException]] = (),
    replace: bool = False,
) -> Reader:
    """Register a reader of assessment sources.

    Parameters
    ----------
    name : str
        The format's name (``csv``, ``excel-template``, ...), unique among readers.
    suffixes : str or sequence of str
        The file suffixes it reads, with their dot (``.csv``; compound suffixes such as
        ``.ml.json`` work), matched ignoring case; :data:`DATAFRAME` for DataFrame sources.
    read : callable
        ``read(source)`` takes a :class:`Source` and returns its raw batches (a list, usually of
        one :class:`Batch`; an empty file gives one batch with an empty frame, so that the file
        stays in the report). It raises :class:`~missionlens.errors.UnreadableFileError` (with
        a message for the analyst) or one of ``errors`` if the content cannot be read; the
        source is then reported as ``unreadable``.
    sniff : callable, optional
        ``sniff(source)`` says whether this reader is the one for the source, looking at its
        content (a marker sheet, the columns). Without one the reader takes every source of its
        suffixes that no reader tried before took.
    priority : int
        Readers of a suffix are tried from the highest priority down. The built-in plain table
        readers have priority 0 and no sniff, the KoboToolbox/ODK export reader 10, the Excel
        template reader 20.
    errors : sequence of exception types
        Errors, besides :data:`READ_ERRORS`, that mean the content cannot be read (for XLSX,
        ``zipfile.BadZipFile``).
    replace : bool
        Replace a reader already registered under ``name`` (otherwise that is an error); the
        new one takes the old one's place in the order of registration.

    Returns
    -------
    Reader
        The registered reader.

    Raises
    ------
    ValueError
        If the name is taken (and ``replace`` is false) or a suffix does not start with a dot.
    TypeError
        If ``read`` or ``sniff`` is not callable.
    """
    _check_name("reader", name, _READERS, replace)
    if not callable(read):
        raise TypeError(f"reader {name!r}: read must be a function of a Source, not {read!r}")
    if sniff is not None and not callable(sniff):
        raise TypeError(f"reader {name!r}: sniff must be a function of a Source or None")
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise TypeError(f"reader {name!r}: priority must be an integer, not {priority!r}")
    reader = Reader(
        name=name,
        suffixes=_suffixes(name, suffixes, frames=True),
        read=read,
        sniff=sniff,
        priority=priority,
        errors=tuple(errors),
        order=_READERS[name].order if name in _READERS else _next(),
    )
    _READERS[name] = reader
    return reader


def register_writer(
    name: str,
    *,
    suffixes: Iterable[str] | str,
    write: Callable[[pd.DataFrame, Path], None],
    replace: bool = False,
) -> Writer:
    """Register a writer of assessment tables.

    Parameters
    ----------
    name : str
        The format's name, unique among writers.
    suffixes : str or sequence of str
        The file suffixes it writes, with their dot, matched ignoring case (the longest
        registered suffix a path ends with decides; at equal length the later registered wins).
    write : callable
        ``write(table, path)`` writes ``table``, an assessment table with the columns of
        :data:`~missionlens.assessments.record.ASSESSMENT_COLUMNS` first, then any extra
        columns, on a fresh ``RangeIndex``, to ``path`` (a :class:`pathlib.Path`). It must write
        everything or raise: text is never to be cut or dropped. :func:`write_assessments`
        gives it a temporary path beside the target (whatever its suffix) and moves the file
        into place only when ``write`` returns, so a writer need not be atomic itself.
    replace : bool
        Replace a writer already registered under ``name`` (otherwise that is an error); the
        new one takes the old one's place in the order of registration.

    Returns
    -------
    Writer
        The registered writer.

    Raises
    ------
    ValueError
        If the name is taken (and ``replace`` is false) or a suffix does not start with a dot.
    TypeError
        If ``write`` is not callable.
    """
    _check_name("writer", name, _WRITERS, replace)
    if not callable(write):
        raise TypeError(f"writer {name!r}: write must be a function of (table, path)")
    order = _WRITERS[name].order if name in _WRITERS else _next()
    writer = Writer(
        name=name, suffixes=_suffixes(name, suffixes, frames=False), write=write, order=order
    )
    _WRITERS[name] = writer
    return writer


def unregister_reader(name: str) -> Reader:
    """Remove the reader registered under ``name`` and return it (``KeyError`` if none)."""
    if name not in _READERS:
        raise KeyError(f"no reader named {name!r}; registered: {', '.join(_READERS)}")
    return _READERS.pop(name)


def unregister_writer(name: str) -> Writer:
    """Remove the writer registered under ``name`` and return it (``KeyError`` if none)."""
    if name not in _WRITERS:
        raise KeyError(f"no writer named {name!r}; registered: {', '.join(_WRITERS)}")
    return _WRITERS.pop(name)


def readers() -> tuple[Reader, ...]:
    """Every registered reader, in the order of registration."""
    return tuple(sorted(_READERS.values(), key=lambda r: r.order))


def writers() -> tuple[Writer, ...]:
    """Every registered writer, in the order of registration."""
    return tuple(sorted(_WRITERS.values(), key=lambda w: w.order))


def _matched(suffixes: tuple[str, ...], key: str) -> int:
    """Length of the longest of ``suffixes`` that ``key`` ends with (0 if none)."""
    if key == DATAFRAME:
        return 1 if DATAFRAME in suffixes else 0
    return max(
        (len(s) for s in suffixes if s != DATAFRAME and len(key) > len(s) and key.endswith(s)),
        default=0,
    )


def _file_types(entries: Iterable[Reader] | Iterable[Writer]) -> str:
    """``.csv, .json, .parquet or .xlsx``: the main suffix of every registered format, sorted."""
    shown = sorted(
        {
            first
            for entry in entries
            if (first := next((s for s in entry.suffixes if s != DATAFRAME), None)) is not None
        }
    )
    if not shown:
        return "none is registered (import missionlens.assessments)"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def _unknown_type(suffix: str, entries: Iterable[Reader] | Iterable[Writer]) -> str:
    return f"unknown file type {suffix!r}: use {_file_types(entries)}"


def _candidates(key: str) -> list[Reader]:
    """Readers for a file name (lower case) or :data:`DATAFRAME`, in the order they are tried."""
    scored = [(r, _matched(r.suffixes, key)) for r in _READERS.values()]
    return [
        r
        for r, length in sorted(
            ((r, n) for r, n in scored if n > 0),
            key=lambda rn: (-rn[1], -rn[0].priority, rn[0].sniff is None, -rn[0].order),
        )
    ]


def reader_for(source: Source) -> Reader | None:
    """The reader that reads ``source``, or ``None`` if no reader takes it.

    The sniffs tried may parse part of the source (kept in its cache until
    :meth:`Source.close`); an error they raise is not caught here.
    """
    key = DATAFRAME if source.path is None else source.path.name.lower()
    for reader in _candidates(key):
        if reader.sniff is None or reader.sniff(source):
            return reader
    return None


def writer_for(path: str | os.PathLike[str]) -> Writer:
    """The writer for a path, chosen by its suffix.

    Raises
    ------
    ValueError
        If no writer is registered for the suffix; the message lists the registered ones.
    """
    target = Path(path)
    key = target.name.lower()
    found = sorted(
        ((w, _matched(w.suffixes, key)) for w in _WRITERS.values()),
        key=lambda wn: (-wn[1], -wn[0].order),
    )
    if not found or found[0][1] == 0:
        raise ValueError(_unknown_type(target.suffix.lower(), _WRITERS.values()))
    return found[0][0]


# ------------------------------------------------------------------------------ reading
def load_sources(
    source: AssessmentSource | Sequence[AssessmentSource], framework: Framework | None
) -> list[Batch]:
    """Read every source into raw batches (no checks beyond what reading needs).

    Parameters
    ----------
    source : DataFrame, path, or a list of them
        What to read (see :func:`~missionlens.read_assessments`).
    framework : Framework or None
        The framework the entries are read with.

    Returns
    -------
    list of Batch
        The batches of every source, in order. A file that cannot be read, or whose type no
        reader knows, gives one batch with an ``unreadable`` failure naming it.

    Raises
    ------
    ArgumentError
        If ``source`` is neither a DataFrame, a path nor a list of them.
    FileNotFoundError
        If a path does not exist.
    """
    if isinstance(source, pd.DataFrame | str | os.PathLike):
        sources: list[AssessmentSource] = [source]
    elif isinstance(source, Sequence) and not isinstance(source, bytes | bytearray):
        sources = list(source)
    else:
        raise ArgumentError(
            "source must be a DataFrame, a file path or a list of them, "
            f"not {type(source).__name__}"
        )
    for i, item in enumerate(sources):
        if not isinstance(item, pd.DataFrame | str | os.PathLike):
            raise ArgumentError(
                f"source[{i}] must be a DataFrame or a file path, not {type(item).__name__}"
                + (
                    " (a list of records: make a DataFrame of it with pd.DataFrame(records))"
                    if isinstance(item, dict)
                    else ""
                )
            )
    batches: list[Batch] = []
    for i, item in enumerate(sources):
        batches.extend(_load_one(item, framework, i))
    return batches


def _load_one(item: AssessmentSource, framework: Framework | None, position: int) -> list[Batch]:
    if isinstance(item, pd.DataFrame):
        source = Source(
            name=f"<DataFrame {position + 1}>", path=None, frame=item, framework=framework
        )
        try:
            reader = reader_for(source)
            if reader is None:
                raise TypeError("no reader of DataFrames is registered (import missionlens)")
            return reader.read(source)
        finally:
            source.close()
    if not isinstance(item, str | os.PathLike):  # pragma: no cover - load_sources checks
        raise ArgumentError(f"cannot read assessments from a {type(item).__name__}")
    path = Path(item)
    if not path.exists():
        raise NotFoundError(f"assessment file not found: {path}")
    name = str(path)
    source = Source(name=name, path=path, frame=None, framework=framework)
    trying: Reader | None = None
    try:
        for reader in _candidates(path.name.lower()):
            trying = reader
            if reader.sniff is None or reader.sniff(source):
                return reader.read(source)
        return [unreadable_batch(name, _unknown_type(path.suffix.lower(), _READERS.values()))]
    except FileNotFoundError:
        raise
    except UnreadableFileError as exc:
        return [unreadable_batch(name, str(exc))]
    except RecursionError:
        return [unreadable_batch(name, "the file nests too deep to be read")]
    except MemoryError:
        return [unreadable_batch(name, "the file is too large to be read into memory")]
    except Exception as exc:
        if not isinstance(exc, READ_ERRORS + (trying.errors if trying is not None else ())):
            raise
        return [unreadable_batch(name, f"cannot read the file ({type(exc).__name__}): {exc}")]
    finally:
        source.close()


# ------------------------------------------------------------------------------ writing
def _require_columns(table: pd.DataFrame) -> None:
    if not isinstance(table, pd.DataFrame):
        hint = (
            " (make one with pd.DataFrame(records), then check it with ml.read_assessments)"
            if isinstance(table, list | tuple | dict)
            else ""
        )
        raise ArgumentError(
            f"write_assessments: table must be a pandas DataFrame, not {type(table).__name__}{hint}"
        )
    if isinstance(table.columns, pd.MultiIndex) or table.columns.duplicated().any():
        raise ArgumentError(
            "write_assessments: table must have one level of distinct column names "
            "(as read_assessments returns it)"
        )
    missing = [
        c for c in ASSESSMENT_COLUMNS if c not in table.columns and c not in OPTIONAL_COLUMNS
    ]
    if missing:
        raise ArgumentError(
            "not an assessment table: columns "
            + ", ".join(missing)
            + " are missing (read it with read_assessments first)"
        )


def _ordered(table: pd.DataFrame) -> pd.DataFrame:
    """The table's columns in record order; a table made before the not-applicable columns
    existed gets them as "not applicable: no" (``False``, no reason)."""
    extras = [c for c in table.columns if c not in ASSESSMENT_COLUMNS]
    lacking = [c for c in OPTIONAL_COLUMNS if c not in table.columns]
    if lacking:
        table = table.assign(
            **{
                c: (
                    pd.Series(False, index=table.index, dtype=bool)
                    if c == "not_applicable"
                    else pd.Series(pd.NA, index=table.index, dtype=text_dtype())
                )
                for c in lacking
            }
        )
    return table[[*ASSESSMENT_COLUMNS, *extras]].reset_index(drop=True)


def write_assessments(table: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write an assessment table to CSV, JSON, Parquet or XLSX, chosen by the file suffix.

    :func:`read_assessments` reads the file back into an identical table: unicode, line breaks,
    empty strings and missing values, very long text and dtypes all survive.

    Parameters
    ----------
    table : pandas.DataFrame
        An assessment table (as returned by :func:`read_assessments`); extra columns are written
        after the standard ones.
    path : str or path
        ``.csv`` (UTF-8 with a byte-order mark so that Excel shows unicode, comma-separated,
        RFC 4180 quoting), ``.json`` (a list of records; missing values are ``null``),
        ``.parquet`` or ``.xlsx`` (sheet ``assessments`` and a hidden sheet ``_missionlens``),
        or the suffix of a format registered with :func:`register_writer`.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ArgumentError
        If ``table`` is not a DataFrame (a list of records, say), lacks assessment columns,
        ``path`` is not a path, or the suffix is unknown (the message lists the registered
        ones). :class:`~missionlens.ArgumentError` is a ``TypeError`` and a ``ValueError``.
    ValueError
        If (XLSX only) a text cell is longer than 32,767 characters, the most
        an Excel cell holds: the error names the cells and suggests CSV, JSON or Parquet, which
        have no limit. Text is never cut.

    WriteError
        If the file cannot be written (full disk, no permission, ...): the target is then left
        as it was (see :mod:`missionlens.atomic`).

    Notes
    -----
    The file is written atomically: to a temporary file in the same folder that replaces the
    target once complete and synced to disk, so that a crash or a full disk never leaves a
    half-written file. In CSV and XLSX, text starting with ``=``, ``+``, ``-``, ``@``, a tab, a
    carriage return or an apostrophe gets one more leading apostrophe, and the empty string is
    written as ``'``, so that spreadsheet programs never run text as a formula; reading removes
    it again. Column names are text like any other: an extra column named ``=X()`` has the
    header ``'=X()`` and is read back as ``=X()``. JSON and Parquet store text and names as they
    are. CSV is written and read through pandas (RFC 4180 quoting) with NUL swapped for a
    character the text does not hold meanwhile, so that every character, NUL included, survives
    on every Python version.
    """
    _require_columns(table)
    if not isinstance(path, str | os.PathLike):
        raise ArgumentError(
            f"write_assessments: path must be a file path (str or pathlib.Path), not "
            f"{type(path).__name__}"
        )
    try:
        writer = writer_for(path)
    except ValueError as exc:
        raise ArgumentError(f"write_assessments: {exc}") from None
    target = Path(path)
    ordered = _ordered(table)
    # every writer (registered ones too) writes a temporary file beside the target, which
    # replaces the target only once complete and on disk (see missionlens.atomic)
    with atomic_path(target) as temporary:
        writer.write(ordered, temporary)
    return target
