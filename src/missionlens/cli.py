"""Command-line interface: ``missionlens``.

Commands::

    missionlens frameworks list | show NAME | schema [-o FILE] | validate FILE | diff OLD NEW
    missionlens template FRAMEWORK OUTPUT -m MISSION --phase PHASE [-p PERIOD] [--xlsform]
    missionlens validate FILE... -f FRAMEWORK [-o PROBLEMS] [--json | -q] [-v]
    missionlens score FILE... -f FRAMEWORK -o OUTPUT [-r RECIPE] [--json | -q]
    missionlens uncertainty FILE... -f FRAMEWORK -o OUTPUT [--spec SPEC] [-n N] [--seed S]
    missionlens report FILE... -f FRAMEWORK -m MISSION -o REPORT.html [-p PERIOD] [--json | -q]
    missionlens compare FILE... -f FRAMEWORK -o COMPARISON.html [-m MISSION]... [--json | -q]
    missionlens demo [--out DIR]

Exit codes, the same for every command (:data:`EXIT_OK`, :data:`EXIT_DATA`,
:data:`EXIT_USAGE`): 0 all went well; 1 a problem in the data (entries that fail a check, no
entries at all, a framework or recipe file with problems); 2 a usage error (an unknown option,
a missing or unknown argument, a file that does not exist, an output that cannot be written).

Everything heavier than :mod:`click` is imported inside the commands, so that
``missionlens --version`` and ``--help`` answer at once (without pandas or pydantic).
``docs/cli.md`` is generated from the help texts below by ``docs/build_cli_docs.py``.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from missionlens._version import __version__
from missionlens.errors import FrameworkError, MissionLensError, format_table
from missionlens.suggest import counted

if TYPE_CHECKING:
    import pandas as pd

    from missionlens.assessments.validation import ValidationReport
    from missionlens.framework.model import Framework
    from missionlens.scoring.profiles import Profiles

__all__ = ["EXIT_DATA", "EXIT_OK", "EXIT_USAGE", "main"]

#: Exit code: all went well.
EXIT_OK = 0
#: Exit code: a problem in the data (failed checks, no entries, a bad framework or recipe file).
EXIT_DATA = 1
#: Exit code: a usage error (bad option or argument, missing file, output that cannot be written).
EXIT_USAGE = 2

_EXIT_CODES = """\b
Exit codes:
  0  all went well
  1  a problem in the data (see the messages)
  2  a usage error: unknown option, missing or unknown argument or file,
     or an output that cannot be written"""

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 88}


def _epilog(*parts: str) -> str:
    return "\n\n".join([*parts, _EXIT_CODES])


def _fail(message: str, code: int) -> NoReturn:
    """Print ``error: message`` on standard error and exit with ``code``."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _emit_json(document: dict[str, Any]) -> None:
    """Print ``document`` as JSON (strict: no NaN, lone surrogates escaped)."""
    click.echo(json.dumps(document, indent=2, ensure_ascii=True, allow_nan=False))


def _jsonable(value: object) -> object:
    """A cell of a table as a JSON value: missing values are ``null``, never dropped."""
    import datetime

    import numpy as np
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isnan(number):
            return None
        return number if math.isfinite(number) else str(number)  # "inf": valid JSON, kept
    if isinstance(value, (pd.Timestamp, datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, str):
        return value
    return str(value)


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """The rows of ``frame`` as JSON records, every column kept, missing cells as ``null``."""
    columns = [str(c) for c in frame.columns]
    return [
        {column: _jsonable(cell) for column, cell in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def _framework_facts(fw: Framework) -> dict[str, object]:
    return {"id": fw.id, "version": fw.version, "fingerprint": fw.fingerprint}


def _load_or_exit(name: str, as_json: bool = False) -> Framework:
    """The framework ``name`` (built-in name or file), or exit: 1 if it has problems, 2 if
    it does not exist."""
    from missionlens.framework.registry import load_framework

    try:
        return load_framework(name)
    except FrameworkError as exc:
        problems = exc.problems
        if as_json:
            _emit_json(
                {
                    "ok": False,
                    "error": (
                        f"{counted(len(problems), 'problem')} in framework {exc.source or name}"
                    ),
                    "framework_problems": _records(problems),
                }
            )
        else:
            click.echo(f"{counted(len(problems), 'problem')} in {exc.source or name}:")
            click.echo(format_table(problems.drop(columns=["file"]), max_rows=500, max_width=110))
        sys.exit(EXIT_DATA)
    except FileNotFoundError as exc:
        _fail(str(exc), EXIT_USAGE)


def _write_problem(output: Path, exc: OSError) -> str:
    """Why ``output`` could not be written (a WriteError already says it whole)."""
    if isinstance(exc, MissionLensError):
        return str(exc)
    return f"cannot write {output}: {exc.strerror or exc}"


@contextmanager
def _writing(output: Path) -> Iterator[None]:
    """Turn a failure to write ``output`` into ``error: ...`` and exit code 2."""
    try:
        yield
    except OSError as exc:
        _fail(_write_problem(output, exc), EXIT_USAGE)


# ----------------------------------------------------------------------------------- main
@click.group(
    "missionlens",
    context_settings=_CONTEXT,
    epilog=_epilog(
        """\b
Examples, in the order of a first hour:
  1. the frameworks you can use, and what one asks:
       missionlens frameworks list
       missionlens frameworks show whole-of-mission
  2. an Excel file for the analysts to fill in:
       missionlens template whole-of-mission round.xlsx -m MINUSCA --phase implementation
  3. check what they entered:
       missionlens validate round.xlsx -f whole-of-mission
  4. score it and save the profiles:
       missionlens score round.xlsx -f whole-of-mission -o profiles.zip
  Or all of it on the example portfolio: missionlens demo""",
        "Run 'missionlens COMMAND --help' for what a command reads, writes and prints.",
    ),
)
@click.version_option(__version__, "--version", "-V", prog_name="missionlens")
def main() -> None:
    """missionlens: whole-of-mission performance assessment of UN peace operations.

    Make templates for analysts, check what they entered, and score it into comparable
    mission profiles.
    """


# ----------------------------------------------------------------------------- frameworks
@main.group(
    short_help="List, show and check frameworks.",
    context_settings=_CONTEXT,
    epilog=_epilog(
        """\b
Examples:
  missionlens frameworks list
  missionlens frameworks show whole-of-mission --no-indicators
  missionlens frameworks schema -o framework.schema.json
  missionlens frameworks validate my-framework.yaml
  missionlens frameworks diff whole-of-mission@1 whole-of-mission@2"""
    ),
)
def frameworks() -> None:
    """List, show and check frameworks; print the framework file schema.

    A framework is the scoring schema: dimensions, sub-dimensions and indicators with their
    rating scales and weights. Use a built-in one by name (the latest version), by
    NAME@VERSION (whole-of-mission@1), or your own file (.yaml or .json).
    """


@frameworks.command(
    "list",
    short_help="List the built-in frameworks.",
    context_settings=_CONTEXT,
    epilog=_epilog("\b\nExample:\n  missionlens frameworks list", "Reads and writes no files."),
)
def frameworks_list() -> None:
    """List the built-in frameworks, one line per version.

    A name alone (whole-of-mission) means the latest version, marked 'yes' under latest;
    NAME@VERSION (whole-of-mission@1) means that version, wherever a framework is asked for.
    """
    from missionlens.framework.registry import list_frameworks

    table = list_frameworks()
    table["latest"] = table["latest"].map({True: "yes", False: ""})
    columns = ["spec", "latest", "title", "dimensions", "indicators", "fingerprint"]
    click.echo(table[columns].to_string(index=False))


@frameworks.command(
    "show",
    short_help="Show a framework's dimensions and indicators.",
    context_settings=_CONTEXT,
    epilog=_epilog(
        """\b
Examples:
  missionlens frameworks show whole-of-mission
  missionlens frameworks show my-framework.yaml --no-indicators""",
        "Reads NAME if it is a file; writes no files.",
    ),
)
@click.argument("name")
@click.option("--indicators/--no-indicators", default=True, help="List the indicators too.")
def frameworks_show(name: str, indicators: bool) -> None:
    """Show a framework: its dimensions and weights, and its indicators.

    NAME is a built-in framework (see 'missionlens frameworks list') or a framework file.
    """
    fw = _load_or_exit(name)
    click.echo(fw.summary())
    if indicators:
        table = fw.indicator_table()[["indicator", "dimension", "level", "scale", "name"]]
        click.echo("")
        click.echo(table.to_string(index=False))


@frameworks.command(
    "schema",
    short_help="Print the JSON Schema of framework files.",
    context_settings=_CONTEXT,
    epilog=_epilog(
        """\b
Examples:
  missionlens frameworks schema > framework.schema.json
  missionlens frameworks schema -o framework.schema.json""",
        "Reads no files; writes OUTPUT if given (replaced whole, never half written).",
    ),
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the schema to this file instead of standard output.",
)
def frameworks_schema(output: Path | None) -> None:
    """Print the JSON Schema of the framework file format.

    Editors such as VS Code use it to check a framework file as you type.
    """
    from missionlens.framework.model import framework_json_schema

    text = json.dumps(framework_json_schema(), indent=2, ensure_ascii=False)
    if output is None:
        click.echo(text)
        return
    from missionlens.atomic import atomic_write

    with _writing(output), atomic_write(output, "w", encoding="utf-8", newline="") as handle:
        handle.write(text + "\n")
    click.echo(f"wrote {output}")


@frameworks.command(
    "validate",
    short_help="Check a framework file; list every problem.",
    context_settings=_CONTEXT,
    epilog=_epilog(
        "\b\nExample:\n  missionlens frameworks validate my-framework.yaml",
        "Reads FILE; writes no files. Prints one line when the file is good, else a table "
        "of every problem (where in the file, which check, what was expected) and exits 1.",
    ),
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def frameworks_validate(file: Path) -> None:
    """Check a framework FILE (.yaml or .json) and list every problem in it."""
    fw = _load_or_exit(str(file))
    click.echo(
        f"OK: {file} defines '{fw.id}' v{fw.version} with {len(fw.indicators)} indicators "
        f"(fingerprint {fw.fingerprint})"
    )


@frameworks.command(
    "diff",
    short_help="What changed between two frameworks or versions.",
    context_settings=_CONTEXT,
    epilog=_epilog(
        """\b
Examples:
  missionlens frameworks diff whole-of-mission@1 whole-of-mission@2
  missionlens frameworks diff old.yaml new.yaml --mapping old-to-new.yaml
  missionlens frameworks diff whole-of-mission@1 my-version.yaml --all --json""",
        "Reads OLD, NEW and MAPPING if they are files; writes no files. Between two versions of "
        "a built-in framework, the migration mapping that ships with them is used unless "
        "--mapping or --by-id is given; without a mapping, indicators are matched by id.",
        "Prints one line per element (indicator, node, scale, facet) that was changed, "
        "renamed, split, merged, added or dropped (--all: kept ones too), with the fields "
        "that changed. A framework or mapping with problems exits 1 with its table of "
        "problems; a framework or mapping that does not exist is a usage error (2).",
    ),
)
@click.argument("old")
@click.argument("new")
@click.option(
    "--mapping",
    "-m",
    default=None,
    help="A migration mapping (file, or built-in name such as whole-of-mission-v1-to-v2).",
)
@click.option("--by-id", is_flag=True, help="Match indicators by id, ignoring any mapping.")
@click.option("--all", "show_all", is_flag=True, help="List kept elements too.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document (every row).")
def frameworks_diff(
    old: str, new: str, mapping: str | None, by_id: bool, show_all: bool, as_json: bool
) -> None:
    """Compare framework OLD with framework NEW: what was kept, changed, renamed, split,
    merged, added or dropped.

    OLD and NEW are built-in frameworks (NAME or NAME@VERSION, see 'missionlens frameworks
    list') or framework files.
    """
    from missionlens.errors import MigrationError
    from missionlens.framework.diff import (
        CHANGES,
        diff_frameworks,
        find_migration,
        load_migration,
    )

    old_fw = _load_or_exit(old, as_json)
    new_fw = _load_or_exit(new, as_json)
    if mapping is not None and by_id:
        _fail("give --mapping or --by-id, not both", EXIT_USAGE)
    try:
        if by_id:
            migration = None
        elif mapping is not None:
            migration = load_migration(mapping)
        else:
            migration = find_migration(old_fw, new_fw)
        table = diff_frameworks(old_fw, new_fw, migration)
    except MigrationError as exc:
        problems = exc.problems
        if as_json:
            _emit_json(
                {
                    "ok": False,
                    "error": f"{counted(len(problems), 'problem')} in migration mapping "
                    f"{exc.source or mapping}",
                    "mapping_problems": _records(problems),
                }
            )
        else:
            click.echo(
                f"{counted(len(problems), 'problem')} in migration mapping {exc.source or mapping}:"
            )
            click.echo(format_table(problems.drop(columns=["file"]), max_rows=500, max_width=110))
        sys.exit(EXIT_DATA)
    except FileNotFoundError as exc:
        _fail(str(exc), EXIT_USAGE)
    used = migration.source if migration is not None else None
    counts = {change: int((table["change"] == change).sum()) for change in CHANGES}
    if as_json:
        _emit_json(
            {
                "ok": True,
                "old": _framework_facts(old_fw),
                "new": _framework_facts(new_fw),
                "mapping": used,
                "counts": counts,
                "changes": _records(table),
            }
        )
        return
    click.echo(
        f"{old_fw.id} v{old_fw.version} ({old_fw.fingerprint}) -> {new_fw.id} v{new_fw.version} "
        f"({new_fw.fingerprint}); indicators matched "
        + (f"by the mapping {used}" if used else "by id")
    )
    click.echo(", ".join(f"{n} {change}" for change, n in counts.items() if n) or "no elements")
    shown = table if show_all else table[table["change"] != "kept"]
    if shown.empty:
        click.echo("no differences" + ("" if show_all else " (--all lists the kept elements)"))
        return
    if not show_all and counts["kept"]:
        click.echo(f"({counts['kept']} kept elements not listed; --all lists them)")
    click.echo("")
    click.echo(
        format_table(shown, max_rows=len(shown), max_width=_DIFF_WIDTH, full_columns=("fields",))
    )
    if any(len(str(d)) > _DIFF_WIDTH for d in shown["detail"]):
        click.echo(f"(details cut at {_DIFF_WIDTH} characters; --json prints them whole)")


_DIFF_WIDTH = 60


# ------------------------------------------------------------------- check-translations
@frameworks.command(
    "check-translations",
    short_help="List every missing or empty translation of a framework.",
    context_settings=_CONTEXT,
    epilog=_epilog(
        """\b
Examples:
  missionlens frameworks check-translations whole-of-mission@2
  missionlens frameworks check-translations whole-of-mission --lang fr
  missionlens frameworks check-translations my-framework.yaml
  missionlens frameworks check-translations my-framework.ar.yaml""",
        "Reads the framework (a built-in NAME or NAME@VERSION, or a file) and its translation "
        "files (NAME-vVERSION.LANG.yaml beside a built-in, FILE-STEM.LANG.yaml beside a file), "
        "or one translation FILE and the framework it names; writes no files.",
        "Prints a table of every text of the framework that a translation lacks (missing), "
        "holds empty (empty) or has although English has no such text (unknown), with the "
        "English text, and exits 1 when there is any, or when there is no translation to "
        "check; prints one line per complete language and exits 0 otherwise.",
    ),
)
@click.argument("file_or_name")
@click.option(
    "--lang",
    "langs",
    multiple=True,
    help="A language to check (BCP 47 tag, e.g. fr; repeatable). Default: every translation.",
)
def frameworks_check_translations(file_or_name: str, langs: tuple[str, ...]) -> None:
    """Check the translations of framework FILE_OR_NAME: list every missing or empty text."""
    import re

    import pandas as pd

    from missionlens.errors import ArgumentError
    from missionlens.framework.translations import (
        load_translation,
        missing_translations,
    )

    path = Path(file_or_name)
    single = re.match(
        r"^(?P<stem>.+)\.(?P<lang>[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\.ya?ml$", path.name
    )
    if path.is_file() and single:
        try:
            translation = load_translation(path)
        except FrameworkError as exc:
            click.echo(f"{counted(len(exc.problems), 'problem')} in {exc.source or path}:")
            click.echo(format_table(exc.problems.drop(columns=["file"]), max_width=110))
            sys.exit(EXIT_DATA)
        beside = path.with_name(single["stem"] + path.suffix)
        ref = translation.framework
        fw = _load_or_exit(str(beside) if beside.is_file() else f"{ref.id}@{ref.version}")
        try:
            fw = fw.with_translations(translation)
        except FrameworkError as exc:
            click.echo(format_table(exc.problems.drop(columns=["file"]), max_width=110))
            sys.exit(EXIT_DATA)
        langs = langs or (translation.language,)
    else:
        fw = _load_or_exit(file_or_name)
    wanted = list(langs) or sorted(fw.translations)
    if not wanted:
        click.echo(
            f"no translation of '{fw.id}' v{fw.version} found: a translation file is named "
            f"<framework file stem>.<lang>.yaml beside the framework file (for a built-in, "
            f"{fw.id}-v{fw.version}.<lang>.yaml); give --lang to list what a language lacks"
        )
        sys.exit(EXIT_DATA)
    try:
        table = pd.concat([missing_translations(fw, code) for code in wanted], ignore_index=True)
    except ArgumentError as exc:
        _fail(str(exc), EXIT_USAGE)
    for code in wanted:
        rows = table[table["language"] == code]
        attached = fw.translations.get(code)
        state = (
            "no translation file"
            if attached is None
            else (
                "machine-assisted, not yet reviewed"
                if attached.machine_assisted
                else f"reviewed by {attached.reviewed_by or 'unnamed reviewer'}"
            )
        )
        if rows.empty:
            click.echo(f"{code}: complete ({state})")
        else:
            counts = rows["problem"].value_counts()
            summary = ", ".join(f"{n} {what}" for what, n in counts.items())
            click.echo(f"{code}: {counted(len(rows), 'problem')}: {summary} ({state})")
    if table.empty:
        return
    click.echo("")
    shown = table.drop(columns=["path"])
    click.echo(format_table(shown, max_rows=len(shown), max_width=60))
    sys.exit(EXIT_DATA)


# ------------------------------------------------------------------------------- template
@main.command(
    "template",
    short_help="Write an Excel template or XLSForm to fill in.",
    context_settings=_CONTEXT,
    epilog=_epilog(
        """\b
Examples:
  missionlens template whole-of-mission round.xlsx -m MINUSCA -m UNMISS \\
      --phase implementation --period 2024-H1
  missionlens template whole-of-mission form.xlsx -m MINUSCA --phase exit --xlsform
  missionlens template whole-of-mission modele.xlsx -m MINUSCA --phase exit --lang fr
  missionlens template whole-of-mission form.xlsx -m UNIFIL --phase exit --xlsform \\
      --lang en --lang fr --lang ar""",
        "Reads FRAMEWORK if it is a file; writes OUTPUT (replaced whole, never half written).",
        "\b\nPhases: mandate_design, start_up, implementation, drawdown, transition, exit.",
        "-p is short for --period, as in every command; --phase has no short form (in 0.1.0, "
        "-p was --phase here).",
    ),
)
@click.argument("framework")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--mission",
    "-m",
    "missions",
    multiple=True,
    required=True,
    help="A mission to assess (repeat for several); one sheet each.",
)
@click.option(
    "--phase", default=None, help="Lifecycle phase assessed (required), e.g. implementation."
)
@click.option(
    "--period",
    "-p",
    default=None,
    help="Period assessed, e.g. 2024-H1 or 2024-Q3 (else the analysts type it in).",
)
@click.option("--rater", default=None, help="Pre-fill the rater's name (Excel templates only).")
@click.option(
    "--xlsform",
    is_flag=True,
    help="Write an XLSForm for KoboToolbox or ODK instead of an Excel template.",
)
@click.option(
    "--lang",
    "langs",
    multiple=True,
    help="Working language (BCP 47 tag: en, fr, ar). A template takes one; an XLSForm takes "
    "several (repeat), the first shown by default. Default: English.",
)
def template(
    framework: str,
    output: Path,
    missions: tuple[str, ...],
    phase: str | None,
    period: str | None,
    rater: str | None,
    xlsform: bool,
    langs: tuple[str, ...],
) -> None:
    """Write an Excel template (or an XLSForm) of FRAMEWORK for analysts to fill in.

    FRAMEWORK is a built-in framework name or a framework file; OUTPUT is the .xlsx file to
    write. The template has one sheet per mission, with the indicators that apply in the
    phase, their rating scales and drop-down lists.
    """
    from missionlens.framework.elements import PHASES

    if phase is None:
        if period in PHASES:  # the spelling of 0.1, where -p meant --phase
            raise click.UsageError(
                f"-p now means --period; for the lifecycle phase write '--phase {period}'"
            )
        raise click.UsageError("Missing option '--phase' (e.g. --phase implementation).")
    from missionlens.assessments.excel_template import write_template
    from missionlens.assessments.xlsform import write_xlsform

    fw = _load_or_exit(framework)
    with _writing(output):
        try:
            if xlsform:
                if rater is not None:
                    raise ValueError("--rater is for Excel templates; the form asks each rater")
                path = write_xlsform(
                    fw,
                    output,
                    phase=phase,
                    missions=list(missions),
                    period=period,
                    langs=list(langs) or None,
                )
            else:
                if len(langs) > 1:
                    raise ValueError("an Excel template has one language: give --lang once")
                path = write_template(
                    fw,
                    output,
                    missions=list(missions),
                    phase=phase,
                    period=period,
                    rater=rater,
                    lang=langs[0] if langs else "en",
                )
        except (ValueError, KeyError) as exc:
            _fail(str(exc.args[0]) if isinstance(exc, KeyError) else str(exc), EXIT_USAGE)
    kind = "XLSForm" if xlsform else "template"
    click.echo(
        f"wrote {kind} {path} for '{fw.id}' v{fw.version} (fingerprint {fw.fingerprint}): "
        f"{counted(len(missions), 'mission')}, phase {phase}, "
        f"{len(fw.indicators_in_phase(phase))} indicators"
    )


# ------------------------------------------------------------------------------- validate
_json_option = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print a JSON document instead of text (for scripts); see docs/cli.md.",
)
#: ``--recipe/-r``, the same for every command that scores.
_recipe_option = click.option(
    "--recipe",
    "-r",
    "recipe_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Recipe file (.yaml or .json): how to score; the default recipe if not given.",
)
_quiet_option = click.option(
    "--quiet", "-q", is_flag=True, help="Print nothing when all is well; problems still print."
)
#: ``--timelines``, the same for every command that checks entries.
_timelines_option = click.option(
    "--timelines",
    "-t",
    "timelines_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Phase timelines of the missions (.csv or .yaml: mission, phase, start, end, "
    "source): each entry's phase is checked against its mission's dates, and an entry "
    "without a phase takes the timeline's. See docs/lifecycle-missions.md.",
)


def _timelines(path: Path | None) -> Any:
    """The phase timelines of ``--timelines`` (``None`` without it), read once for every
    command by :func:`missionlens.read_timelines`; a bad file raises its MissionLensError."""
    if path is None:
        return None
    from missionlens.assessments.timelines import read_timelines

    return read_timelines(path)


def _show_problems(report: ValidationReport, max_rows: int) -> None:
    """Print a report with problems: the headline, the count and meaning of each check, and
    the table of problems (file, sheet, row, column, mission, period, indicator, rater,
    check, value, message). The one printer of every command that checks entries."""
    click.echo(report.headline())
    click.echo("")
    click.echo(report.summary().to_string(index=False))
    click.echo("")
    shown = report.failures.copy()
    shown["row"] = shown["row"].astype(object).where(shown["row"].notna(), "")
    click.echo(format_table(shown, max_rows=max_rows, max_width=120))


def _problems_document(report: ValidationReport, fw: Framework) -> dict[str, Any]:
    """The ``--json`` document of entries that failed their checks (or of no entries)."""
    counts = report.failures["check"].value_counts(sort=False)
    return {
        "ok": False,
        "error": report.headline(),
        "framework": _framework_facts(fw),
        "n_entries": report.n_entries,
        "empty_sources": report.empty_sources,
        "counts": {str(k): int(v) for k, v in counts.items()},
        "problems": _records(report.failures),
    }


def _checked_entries(
    files: tuple[Path, ...],
    fw: Framework,
    *,
    recipe: Any,
    timelines: Any,
    as_json: bool,
    max_rows: int = 200,
) -> pd.DataFrame:
    """The entries of FILES, checked by :func:`missionlens.validate` exactly as ``validate``
    checks them (the same checks as :func:`missionlens.score`); on any problem, or when no
    entry was found at all (an Excel template nobody filled in), the problems are printed as
    ``validate`` prints them and the command exits 1."""
    from missionlens.assessments.validation import validate

    report = validate(list(files), framework=fw, recipe=recipe, timelines=timelines)
    if report.ok and report.n_entries > 0 and report.table is not None:
        return report.table
    if as_json:
        _emit_json(_problems_document(report, fw))
    elif report.ok:  # nothing was read: "No entries found in round.xlsx: nothing was checked"
        click.echo(report.headline() + "; nothing to score")
    else:
        _show_problems(report, max_rows)
    sys.exit(EXIT_DATA)


def _data_problem(
    message: str, fw: Framework, as_json: bool, extra: dict[str, Any] | None = None
) -> NoReturn:
    """Exit 1 on a problem in the data: ``error: ...``, or its ``--json`` document."""
    if as_json:
        _emit_json(
            {"ok": False, "error": message, "framework": _framework_facts(fw), **(extra or {})}
        )
        sys.exit(EXIT_DATA)
    _fail(message, EXIT_DATA)


def _load_recipe(recipe_file: Path | None) -> Any:
    """The recipe of ``--recipe`` (.json or .yaml), or the default recipe without it."""
    from missionlens.scoring.recipe import Recipe

    if recipe_file is None:
        return Recipe.default()
    loader = Recipe.from_json if recipe_file.suffix == ".json" else Recipe.from_yaml
    return loader(recipe_file)


def _score_files(
    files: tuple[Path, ...],
    fw: Framework,
    *,
    recipe_file: Path | None,
    timelines_file: Path | None,
    as_json: bool,
) -> tuple[Profiles, pd.DataFrame, list[Any]]:
    """Read the recipe and timelines, check the entries of FILES (exit 1 on any problem, as
    ``validate``) and score them: ``(profiles, entries, incomplete-score warnings)``; the
    other warnings are raised again. A bad recipe or timeline file, or data that cannot be
    scored, exits 1. The one scoring path of ``score``, ``report`` and ``compare``."""
    import warnings

    from missionlens.errors import IncompleteScoreWarning
    from missionlens.scoring.profiles import score

    try:
        recipe = _load_recipe(recipe_file)
        timelines = _timelines(timelines_file)
        table = _checked_entries(files, fw, recipe=recipe, timelines=timelines, as_json=as_json)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", IncompleteScoreWarning)
            profiles = score(table, framework=fw, recipe=recipe, timelines=timelines)
    except MissionLensError as exc:  # a recipe with problems, data that cannot be scored
        _data_problem(str(exc), fw, as_json)
    incomplete = []
    for caught_warning in caught:
        if issubclass(caught_warning.category, IncompleteScoreWarning):
            incomplete.append(caught_warning)
        else:
            warnings.warn_explicit(
                caught_warning.message,
                caught_warning.category,
                caught_warning.filename,
                caught_warning.lineno,
            )
    return profiles, table, incomplete


def _exclusive(as_json: bool, quiet: bool) -> None:
    if as_json and quiet:
        raise click.UsageError("--json and --quiet: choose one (--json prints only the JSON).")


@main.command(
    "validate",
    short_help="Check filled-in assessment files.",
    context_settings=_CONTEXT,
    epilog=_epilog(
        """\b
Examples:
  missionlens validate amina.xlsx bruno.xlsx -f whole-of-mission
  missionlens validate round/*.csv -f my-framework.yaml -o problems.xlsx
  missionlens validate export.csv -f whole-of-mission --json > report.json""",
        "Reads FILES (filled Excel templates, KoboToolbox/ODK exports, .csv, .json or "
        ".parquet tables) and FRAMEWORK if it is a file; writes the problem table to "
        "--output if given.",
        "Prints one OK line, or the number of problems of each check and a table of them: "
        "file, sheet, row, column, indicator, check, value and what was expected. Exits 1 if "
        "any entry has a problem, or if no entries were found at all.",
        "--json prints {ok, framework, files, n_entries, entries_per_source, empty_sources, "
        "n_problems, counts, problems, output}; problems holds one record per problem with "
        "every column of the problem table.",
    ),
)
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--framework",
    "-f",
    "framework_name",
    required=True,
    help="Built-in framework name or framework file to check against.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the table of every problem to this .csv or .xlsx file.",
)
@click.option(
    "--max-rows",
    default=200,
    show_default=True,
    type=click.IntRange(min=0),
    help="Problems to print at most (--output and --json have them all).",
)
@_timelines_option
@_json_option
@_quiet_option
@click.option("--verbose", "-v", is_flag=True, help="Also print a line per file read.")
def validate_files(
    files: tuple[Path, ...],
    framework_name: str,
    output: Path | None,
    max_rows: int,
    timelines_file: Path | None,
    as_json: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Check the assessment FILES that analysts filled in against a framework."""
    _exclusive(as_json, quiet)
    from missionlens.assessments.validation import validate

    fw = _load_or_exit(framework_name, as_json=as_json)
    try:
        timelines = _timelines(timelines_file)
    except MissionLensError as exc:
        if as_json:
            _emit_json({"ok": False, "error": str(exc), "framework": _framework_facts(fw)})
            sys.exit(EXIT_DATA)
        _fail(str(exc), EXIT_DATA)
    report = validate(list(files), framework=fw, timelines=timelines)
    if output is not None:
        with _writing(output):
            _write_failures(report.failures, output)
    failed = not report.ok or report.n_entries == 0  # no entries: almost always a mistake
    if as_json:
        counts = report.failures["check"].value_counts(sort=False)
        _emit_json(
            {
                "ok": not failed,
                "framework": _framework_facts(fw),
                "files": [str(f) for f in files],
                "n_entries": report.n_entries,
                "entries_per_source": report.entries_per_source,
                "empty_sources": report.empty_sources,
                "n_problems": len(report.failures),
                "counts": {str(k): int(v) for k, v in counts.items()},
                "problems": _records(report.failures),
                "output": None if output is None else str(output),
                "message": report.headline(),
            }
        )
        sys.exit(EXIT_DATA if failed else EXIT_OK)
    if verbose:
        per_file = report.failures["file"].astype(str).value_counts()
        for source, n in report.entries_per_source.items():
            k = int(per_file.get(source, 0))
            click.echo(
                f"read {source}: {n} entr{'y' if n == 1 else 'ies'}, {counted(k, 'problem')}"
            )
    if report.ok:
        if report.n_entries == 0:
            click.echo(report.headline())  # "No entries found in ...: nothing was checked"
            sys.exit(EXIT_DATA)
        if not quiet:
            click.echo(
                f"OK: {counted(report.n_entries, 'entry', 'entries')} in "
                f"{counted(len(files), 'file')} match '{fw.id}' "
                f"v{fw.version} (fingerprint {fw.fingerprint})"
            )
            if report.empty_sources:
                click.echo("no entries found in " + ", ".join(report.empty_sources))
        return
    _show_problems(report, max_rows)
    if output is not None and not quiet:
        click.echo(f"\nwrote all {len(report.failures)} problems to {output}")
    sys.exit(EXIT_DATA)


# ----------------------------------------------------------------------------------- demo
@main.command(
    "demo",
    short_help="Run the whole workflow on ten real missions (illustrative ratings).",
    context_settings=_CONTEXT,
    epilog=_epilog(
        "\b\nExample:\n  missionlens demo --out missionlens-demo",
        "Reads the example portfolio shipped with missionlens: ten real UN peacekeeping "
        "missions with their phases dated from cited Security Council resolutions, their real "
        "fatality data, and ILLUSTRATIVE ratings by "
        "two or three analysts (not published judgements). Writes into DIR the profiles (ZIP, "
        "CSV, XLSX), every plot (PNG), a mission report and a comparison report (HTML), the "
        "uncertainty tables (CSV), a recipe, an Excel template and an XLSForm, and lists them. "
        "Takes about 10-20 seconds.",
    ),
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("missionlens-demo"),
    show_default=True,
    help="Folder for the demo's outputs (created if needed).",
)
def demo(out_dir: Path) -> None:
    """Run the demo: validate, consolidate, score, compare, decompose, measure the
    uncertainty, plot and report, printing a short summary of each step."""
    from missionlens.demo import run_demo

    with _writing(out_dir):
        run_demo(out_dir, echo=click.echo)


# ---------------------------------------------------------------------------------- score
@main.command(
    "score",
    short_help="Score assessment files into mission profiles.",
    context_settings=_CONTEXT,
    epilog=_epilog(
        """\b
Examples:
  missionlens score amina.xlsx bruno.xlsx -f whole-of-mission -o profiles.zip
  missionlens score round/*.csv -f whole-of-mission -r recipe.yaml -o scores.csv
  missionlens score export.csv -f whole-of-mission -o profiles.zip --json > scores.json""",
        "Reads FILES (as 'missionlens validate' does), FRAMEWORK and RECIPE if they are files; "
        "writes OUTPUT (replaced whole, never half written).",
        "Prints, for each mission and period, the score of each dimension and the overall "
        "score (0-100, 100 best) with its coverage (the share of the indicators that apply "
        "in the phase and have a value) and weight share (the share of the weight carried by "
        "parts that have a score; docs/scoring.md); with a framework that has context "
        "indicators, a context column beside it (the context index: the conditions the "
        "mission faces, 100 most favourable, never part of the score); under the table, "
        "every critical flag (a rating at the worst level of a critical indicator, by the "
        "consolidated value or by any one rater, with who said it and their evidence); then "
        "a warning for every score that rests on less than the framework asks for. With "
        "--quiet the critical flags print on standard error, one line each. If any entry "
        "fails a check, nothing is scored: the problems are printed as by 'missionlens "
        "validate' and the exit code is 1.",
        "--json prints {ok, framework, fingerprints, output, warnings, summary, "
        "critical_flags, profiles}; summary has one record per mission and period "
        "(performance and context side by side), critical_flags one per flag, profiles the "
        "whole score table (every view and node) as records.",
    ),
)
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--framework",
    "-f",
    "framework_name",
    required=True,
    help="Built-in framework name or framework file.",
)
@_recipe_option
@_timelines_option
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write: .zip (profiles with their provenance) or .csv (the score table).",
)
@_json_option
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="Print no score table; errors and warnings still print (on standard error).",
)
def score_files(
    files: tuple[Path, ...],
    framework_name: str,
    recipe_file: Path | None,
    timelines_file: Path | None,
    output: Path,
    as_json: bool,
    quiet: bool,
) -> None:
    """Check the assessment FILES, score them with a framework, and write the profiles."""
    from missionlens.text import illustrative_entries

    _exclusive(as_json, quiet)
    if output.suffix.lower() not in (".zip", ".csv"):
        _fail(
            f"--output must end in .zip (profiles with their provenance) or .csv (the score "
            f"table), not {output.name!r}",
            EXIT_USAGE,
        )
    fw = _load_or_exit(framework_name, as_json=as_json)
    profiles, table, caught = _score_files(
        files, fw, recipe_file=recipe_file, timelines_file=timelines_file, as_json=as_json
    )
    with _writing(output):
        if output.suffix.lower() == ".csv":
            profiles.to_csv(output)
        else:
            profiles.save(output)
    incomplete = [str(w.message) for w in caught]  # incomplete scores: one line each
    if as_json:
        _emit_json(
            {
                "ok": True,
                "framework": _framework_facts(fw),
                "fingerprints": dict(profiles.fingerprints),
                "output": str(output),
                "warnings": incomplete,
                "illustrative_entries": illustrative_entries(table),
                "summary": _records(profiles.summary()),
                "critical_flags": _records(profiles.critical_flags),
                "profiles": _records(profiles.to_frame(view=None)),
            }
        )
        return
    if not quiet:
        note = _illustrative_note(table)
        if note:
            click.echo(note)
        click.echo(_dimension_tables(profiles, fw))
    else:
        for line in _flag_lines(profiles.critical_flags, evidence=False):
            click.echo(f"critical: {line.strip()}", err=True)
    for message in incomplete:
        click.echo(f"warning: {message}", err=True)
    if not quiet:
        click.echo(f"wrote {output} (recipe {profiles.fingerprints['recipe']})")


def _illustrative_note(entries: pd.DataFrame) -> str:
    """``note: ...`` when the entries call themselves illustrative (as reports and plot
    captions say it), else ``""``."""
    from missionlens.text import illustrative_entries

    marked = illustrative_entries(entries)
    if not marked:
        return ""
    said = " and ".join(f"{n} entr{'y' if n == 1 else 'ies'} in {c}" for c, n in marked.items())
    return (
        f"note: illustrative data: {said} call the ratings illustrative, synthetic or "
        "fictional; these scores assess no real mission"
    )


# ---------------------------------------------------------------------------- uncertainty
@main.command(
    "uncertainty",
    short_help="How much the scores and ranks could move (Monte Carlo).",
    context_settings=_CONTEXT,
    epilog=_epilog(
        """\b
Examples:
  missionlens uncertainty round.xlsx -f whole-of-mission -s spec.yaml -n 1000 --seed 1 \\
      -o out.xlsx
  missionlens uncertainty round/*.csv -f whole-of-mission -r recipe.yaml -s spec.yaml \\
      -o out.csv

\b
A specification file says what varies, e.g.:
  jitter: {}            # each rating moves by its analyst's confidence
  raters: true          # resample the raters of each cell
  weights: {noise: 0.2} # every weight 20 % up or down
  choices:
    - name: aggregation
      options:
        - {label: as given}
        - {label: geometric, set: {aggregate__method: geometric}}""",
        "Reads FILES (as 'missionlens validate' does), FRAMEWORK, RECIPE and SPEC; scores "
        "the data N times, each time with other draws of what varies, and writes the tables "
        "(docs/uncertainty.md): summary (each mission, period and node: the score as usual, "
        "the median and the 5-95 % interval of the score and of the rank), pairwise (the "
        "chance that one mission scores above another), rank_shift (the average move in rank) "
        "and provenance (spec, seed, fingerprints). OUTPUT .xlsx: one sheet per table; .csv: "
        "one file per table, OUTPUT's name with .summary.csv, .pairwise.csv, ... Text is "
        "protected against spreadsheet formulas; files are replaced whole, never half written.",
        "Prints the overall score of each mission and period with its interval and rank "
        "interval. The same --seed gives the same tables. If any entry fails a check, nothing "
        "is computed and the exit code is 1.",
        "--json prints {ok, framework, provenance, outputs, summary}; summary holds the rows "
        "of the root node.",
    ),
)
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--framework", "-f", "framework_name", required=True, help="Built-in framework name or file."
)
@_recipe_option
@_timelines_option
@click.option(
    "--spec",
    "-s",
    "spec_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Uncertainty specification (.yaml): what varies and how. Nothing varies if not given.",
)
@click.option(
    "-n",
    "n_replications",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Number of replications (draws).",
)
@click.option(
    "--seed", default=None, type=click.IntRange(min=0), help="Seed: the same seed, the same tables."
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the tables: .xlsx (one sheet each) or .csv (one file each).",
)
@_json_option
@click.option(
    "--quiet", "-q", is_flag=True, help="Print nothing when all is well; errors still print."
)
def uncertainty_files(
    files: tuple[Path, ...],
    framework_name: str,
    recipe_file: Path | None,
    timelines_file: Path | None,
    spec_file: Path | None,
    n_replications: int,
    seed: int | None,
    output: Path,
    as_json: bool,
    quiet: bool,
) -> None:
    """Monte Carlo uncertainty of the scores of the assessment FILES: intervals of scores and
    ranks, and which differences between missions hold."""
    import warnings

    from missionlens.analysis.uncertainty import Uncertainty, uncertainty, write_tables
    from missionlens.errors import IncompleteScoreWarning

    _exclusive(as_json, quiet)
    if output.suffix.lower() not in (".xlsx", ".csv"):
        _fail(f"--output must end in .xlsx or .csv, not {output.name!r}", EXIT_USAGE)
    fw = _load_or_exit(framework_name, as_json=as_json)
    try:
        recipe = _load_recipe(recipe_file)
        spec = Uncertainty() if spec_file is None else Uncertainty.from_yaml(spec_file)
        timelines = _timelines(timelines_file)
        table = _checked_entries(files, fw, recipe=recipe, timelines=timelines, as_json=as_json)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", IncompleteScoreWarning)
            result = uncertainty(
                table,
                framework=fw,
                recipe=recipe,
                spec=spec,
                n=n_replications,
                seed=seed,
                timelines=timelines,
            )
            summary = result.summary
    except MissionLensError as exc:  # a bad spec or recipe, data that cannot be scored
        _data_problem(str(exc), fw, as_json)
    with _writing(output):
        written = write_tables(result, output)
    root = summary[summary["node"] == fw.root.id]
    if as_json:
        _emit_json(
            {
                "ok": True,
                "framework": _framework_facts(fw),
                "provenance": result.provenance,
                "outputs": [str(p) for p in written],
                "summary": _records(root),
            }
        )
        return
    if quiet:
        return
    note = _illustrative_note(table)
    if note:
        click.echo(note)
    lo, hi = (1 - spec.interval) / 2 * 100, (1 + spec.interval) / 2 * 100
    click.echo(
        f"{result.n} replications (seed {result.model.seed}); overall score and rank, with "
        f"the {lo:g}-{hi:g} % interval:"
    )
    for row in root.itertuples(index=False):
        if math.isnan(row.nominal):
            click.echo(f"  {row.mission}  {row.period}  missing")
            continue
        click.echo(
            f"  {row.mission}  {row.period}  score {row.nominal:.1f} "
            f"[{row.lower:.1f}, {row.upper:.1f}]  rank {row.nominal_rank:g} "
            f"[{row.rank_lower:g}, {row.rank_upper:g}]"
        )
    click.echo("wrote " + ", ".join(str(p) for p in written))


def _percent(share: float) -> str:
    return "n/a" if math.isnan(share) else f"{100 * share:.0f}%"


def _printable(text: str) -> str:
    """Text safe to print on a terminal: control characters (but line breaks) escaped."""
    return "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in text)


def _flag_lines(flags: pd.DataFrame, *, evidence: bool = True) -> list[str]:
    """Two-space indented lines, one per critical flag (and its evidence, indented more)."""
    lines: list[str] = []
    for row in flags.to_dict("records"):
        raters = counted(int(row["n_raters"]), "rater")
        said = f"{row['raters_at_worst']} of {raters} at {row['worst_label']}"
        if row["raters"]:
            said += f": {row['raters']}"
        label = f" ({row['level_label']})" if row["level_label"] else ""
        unit = "" if evidence else f"{row['mission']}  {row['period']}  "
        lines.append(
            _printable(
                f"  {unit}{row['indicator']}  {row['name']}: consolidated "
                f"{float(row['value']):g}{label}; {said}"
            )
        )
        if evidence and row["evidence"]:
            # raters who wrote the same words: the words once (profiles keep every copy)
            for part in dict.fromkeys(str(row["evidence"]).split("\n")):
                lines.append("      " + _printable(part))
    return lines


def _dimension_tables(profiles: Profiles, fw: Framework) -> str:
    """One small table per mission, period and phase: each dimension, then the overall score;
    the context index beside them when the framework has context indicators; under the table,
    the unit's critical flags.

    Scores are shown to one decimal (the saved profiles keep every digit); a score that the
    missing rule leaves missing reads ``missing``, with the parts it lacks. A dimension with no
    context indicator reads ``-`` in the context column.
    """
    frame = profiles.to_frame(view="tree")
    frame = frame[frame["node_type"].isin(["dimension", "root"])]
    context: dict[tuple[str, str, str], float] = {}
    with_context = any(i.role == "context" for i in fw.indicators)
    if with_context:
        index = profiles.context_index()
        context = {
            (str(m), str(p), str(n)): float(v)
            for m, p, n, v in zip(
                index["mission"], index["period"], index["node"], index["context"], strict=True
            )
        }
    with_flags = any(i.critical for i in fw.indicators)
    flags = profiles.critical_flags if with_flags else None
    names = {node.id: node.name for node in fw.nodes}
    id_width = max((len(n.id) for n in fw.dimensions), default=0)  # names start in one column
    width = max([id_width + 2 + len(n.name) for n in fw.dimensions] + [len("overall")])
    width = min(width, 48)
    header = f"  {'dimension':<{width}}  {'score':>7}  {'coverage':>8}  {'weight share':>12}"
    if with_context:
        header += f"  {'context':>7}"
    blocks: list[str] = []
    for (mission, period, phase), unit in frame.groupby(
        ["mission", "period", "phase"], sort=False, observed=True, dropna=False
    ):
        dims = unit[unit["node_type"] == "dimension"]
        rows_by_node = {str(row.node): row for row in dims.itertuples(index=False)}
        # in framework order; a dimension of context indicators only is in the context
        # index, not the tree
        shown = [
            d.id
            for d in fw.dimensions
            if d.id in rows_by_node or (str(mission), str(period), d.id) in context
        ]
        root = unit[unit["node_type"] == "root"]
        lines = [f"{mission}  {period}  (phase {phase})", header]
        items = [("", node, rows_by_node.get(node)) for node in shown]
        items += [("overall", str(row.node), row) for row in root.itertuples(index=False)]
        for label, node, row in items:
            text = label or f"{node:<{id_width}}  {names.get(node, '')}".rstrip()
            if len(text) > width:
                text = text[: width - 3] + "..."
            if row is None:  # a dimension of context indicators only
                line = f"  {text:<{width}}  {'-':>7}  {'':>8}  {'':>12}"
            else:
                value = "missing" if math.isnan(row.score) else f"{row.score:.1f}"
                line = (
                    f"  {text:<{width}}  {value:>7}  {_percent(row.coverage):>8}  "
                    f"{_percent(row.weight_share):>12}"
                )
            if with_context:
                key = (str(mission), str(period), node)
                shown_context = (
                    "-"
                    if key not in context
                    else "missing"
                    if math.isnan(context[key])
                    else f"{context[key]:.1f}"
                )
                line += f"  {shown_context:>7}"
            if row is not None and isinstance(row.missing_children, str) and row.missing_children:
                line += f"  lacks: {row.missing_children}"
            lines.append(line.rstrip())
        if flags is not None:
            mine = flags[(flags["mission"] == mission) & (flags["period"] == period)]
            if len(mine):
                lines.append(f"  critical flags ({len(mine)}):")
                lines += ["  " + line for line in _flag_lines(mine)]
            else:
                lines.append("  critical flags: none")
        blocks.append("\n".join(lines))
    if not blocks:
        return "(no scores)"
    legend = (
        "score: 0-100, 100 best. coverage: share of the indicators that apply in the phase\n"
        "and have a value. weight share: share of the weight carried by parts with a score\n"
        "(see docs/scoring.md)."
    )
    if with_context:
        legend += (
            "\ncontext: the context index, from the context indicators only (the conditions the\n"
            "mission faces, 100 most favourable); never part of the score. '-': no context\n"
            "indicator."
        )
    if flags is not None:
        legend += (
            "\ncritical flags: a critical indicator rated at its worst level, by the consolidated\n"
            "value or by any one rater, whatever the averages."
        )
    return "\n\n".join(blocks) + "\n\n" + legend


# ------------------------------------------------------------------------- report, compare
_REPORT_READS = (
    "Reads FILES (as 'missionlens validate' does), FRAMEWORK and RECIPE if they are files, and "
    "BENCHMARKS if given (a .csv with the columns mission, node, target, status and optionally "
    "deadline and phase; the status is shown as written, never computed); writes OUTPUT, one "
    "self-contained HTML page (figures and styles inside it, nothing fetched from the "
    "internet, ready to print), replaced whole, never half written."
)


def _report_files(
    files: tuple[Path, ...],
    *,
    framework_name: str,
    recipe_file: Path | None,
    timelines_file: Path | None,
    output: Path,
    missions: list[str] | None,
    period: str | None,
    benchmarks_file: Path | None,
    title: str | None,
    note: str | None,
    as_json: bool,
    quiet: bool,
) -> None:
    """Score FILES and write a report (``missions``: one for a mission report, several or
    ``None`` for a comparison); the shared body of ``report`` and ``compare``."""
    import warnings

    from missionlens.errors import ArgumentError, IncompleteScoreWarning
    from missionlens.reports.report import benchmark_problems, report, report_period

    _exclusive(as_json, quiet)
    if output.suffix.lower() not in (".html", ".htm"):
        _fail(
            f"--output must end in .html (a web page is written), not {output.name!r}", EXIT_USAGE
        )
    fw = _load_or_exit(framework_name, as_json=as_json)

    def data_problem(message: str, extra: dict[str, Any] | None = None) -> NoReturn:
        _data_problem(message, fw, as_json, extra)

    profiles, _, caught = _score_files(
        files, fw, recipe_file=recipe_file, timelines_file=timelines_file, as_json=as_json
    )
    benchmarks = None
    if benchmarks_file is not None:
        import pandas as pd

        try:
            benchmarks = pd.read_csv(
                benchmarks_file,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                encoding="utf-8-sig",
            )
        except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            data_problem(f"cannot read benchmarks {benchmarks_file}: {exc}")
        problems = benchmark_problems(benchmarks, profiles)
        if problems:
            data_problem(
                f"{counted(len(problems), 'problem')} in {benchmarks_file}: " + "; ".join(problems)
            )
    mission = missions[0] if missions is not None and len(missions) == 1 else None
    try:
        with _writing(output), warnings.catch_warnings():
            warnings.simplefilter("ignore", IncompleteScoreWarning)  # listed in the report
            report(
                profiles,
                output,
                mission=mission,
                missions=None if mission is not None else missions,
                period=period,
                title=title,
                benchmarks=benchmarks,
                note=note,
            )
    except ArgumentError as exc:  # an unknown mission or period
        if as_json:
            _emit_json({"ok": False, "error": str(exc), "framework": _framework_facts(fw)})
            sys.exit(EXIT_USAGE)
        _fail(str(exc), EXIT_USAGE)
    incomplete = [str(w.message) for w in caught]  # incomplete scores: one line each
    everyone = list(dict.fromkeys(profiles.summary()["mission"].astype(str)))
    shown = everyone if missions is None else missions
    if as_json:
        _emit_json(
            {
                "ok": True,
                "framework": _framework_facts(fw),
                "fingerprints": dict(profiles.fingerprints),
                "output": str(output),
                "kind": "mission" if mission is not None or len(shown) == 1 else "comparison",
                "missions": list(shown),
                "period": period or report_period(profiles, shown),
                "warnings": incomplete,
            }
        )
        return
    for message in incomplete:
        click.echo(f"warning: {message}", err=True)
    if not quiet:
        click.echo(f"wrote {output} ({', '.join(shown)}; recipe {profiles.fingerprints['recipe']})")


_period_option = click.option(
    "--period",
    "-p",
    default=None,
    help="The period to report, e.g. 2024-H1 (default: the latest).",
)
_report_options = [
    click.option(
        "--framework",
        "-f",
        "framework_name",
        required=True,
        help="Built-in framework name or framework file.",
    ),
    _recipe_option,
    _timelines_option,
    click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        required=True,
        help="The HTML file to write, e.g. report.html.",
    ),
    click.option(
        "--benchmarks",
        "benchmarks_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="A .csv of benchmarks (mission, node, target, status; deadline, phase optional).",
    ),
    click.option("--title", default=None, help="The report's title (default: made from the data)."),
    click.option(
        "--note",
        default=None,
        help="A banner at the top, e.g. 'Illustrative ratings, not an assessment'.",
    ),
]


def _with_report_options(command: Any) -> Any:
    for option in reversed(_report_options):
        command = option(command)
    return command


@main.command(
    "report",
    short_help="Write a briefing report (HTML) for one mission.",
    context_settings=_CONTEXT,
    epilog=_epilog(
        """\b
Examples:
  missionlens report round/*.xlsx -f whole-of-mission -m MINUSCA -o minusca.html
  missionlens report export.csv -f whole-of-mission -m MINUSCA -p 2024-H1 \\
      --benchmarks benchmarks.csv -o minusca-2024-H1.html""",
        _REPORT_READS,
        "The report: the overall score and the context index with coverage, the score of each "
        "dimension (with intervals when an uncertainty analysis was run), benchmarks, what "
        "moved since the mission's previous period, the strongest and weakest indicators with "
        "the analysts' evidence, critical flags, coverage, and the method (framework, recipe "
        "and data fingerprints). Open it in a web browser; print it from there.",
        "Prints one line naming the file written. If any entry fails a check, nothing is "
        "written: the problems are printed as by 'missionlens validate' and the exit code is 1. "
        "An unknown mission or period is a usage error (exit code 2).",
        "--json prints {ok, framework, fingerprints, output, kind, missions, period, warnings}.",
    ),
)
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@_with_report_options
@click.option("--mission", "-m", required=True, help="The mission to report on, e.g. MINUSCA.")
@_period_option
@_json_option
@_quiet_option
def report_files(
    files: tuple[Path, ...],
    framework_name: str,
    recipe_file: Path | None,
    timelines_file: Path | None,
    output: Path,
    benchmarks_file: Path | None,
    title: str | None,
    note: str | None,
    mission: str,
    period: str | None,
    as_json: bool,
    quiet: bool,
) -> None:
    """Score the assessment FILES and write a briefing report on one mission as HTML."""
    _report_files(
        files,
        framework_name=framework_name,
        recipe_file=recipe_file,
        timelines_file=timelines_file,
        output=output,
        missions=[mission],
        period=period,
        benchmarks_file=benchmarks_file,
        title=title,
        note=note,
        as_json=as_json,
        quiet=quiet,
    )


@main.command(
    "compare",
    short_help="Write a comparison report (HTML) of several missions.",
    context_settings=_CONTEXT,
    epilog=_epilog(
        """\b
Examples:
  missionlens compare round/*.xlsx -f whole-of-mission -o comparison.html
  missionlens compare export.csv -f whole-of-mission -m MINUSCA -m MONUSCO -p 2024-H1 \\
      -o two-missions.html""",
        _REPORT_READS,
        "The report compares the missions (all of them, or those named with -m, in that "
        "order) for one period: overall score, context index, rank, critical flags and change "
        "since each mission's previous period; a heatmap of the dimensions; benchmarks; "
        "coverage and the method. A mission without scores for the period is listed as not "
        "assessed, not left out.",
        "Prints one line naming the file written. If any entry fails a check, nothing is "
        "written: the problems are printed as by 'missionlens validate' and the exit code is 1. "
        "An unknown mission or period is a usage error (exit code 2).",
        "--json prints {ok, framework, fingerprints, output, kind, missions, period, warnings}.",
    ),
)
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@_with_report_options
@click.option(
    "--mission",
    "-m",
    "missions",
    multiple=True,
    help="A mission to compare (repeat for several; default: every mission in FILES).",
)
@_period_option
@_json_option
@_quiet_option
def compare_files(
    files: tuple[Path, ...],
    framework_name: str,
    recipe_file: Path | None,
    timelines_file: Path | None,
    output: Path,
    benchmarks_file: Path | None,
    title: str | None,
    note: str | None,
    missions: tuple[str, ...],
    period: str | None,
    as_json: bool,
    quiet: bool,
) -> None:
    """Score the assessment FILES and write a report comparing missions as HTML."""
    _report_files(
        files,
        framework_name=framework_name,
        recipe_file=recipe_file,
        timelines_file=timelines_file,
        output=output,
        missions=list(missions) or None,
        period=period,
        benchmarks_file=benchmarks_file,
        title=title,
        note=note,
        as_json=as_json,
        quiet=quiet,
    )


def _write_failures(failures: pd.DataFrame, output: Path) -> None:
    """The problem table as CSV or XLSX for the analysts, safe to open in a spreadsheet.

    Text that starts with a formula trigger (``= + - @``, tab, carriage return; OWASP, "CSV
    Injection") is protected with one leading apostrophe; all other text is written as it is,
    so that messages such as ``'High' is not a number`` read naturally. The CSV file follows
    RFC 4180: CRLF line ends, and every field holding a comma, a quote, a carriage return or a
    line feed is quoted, so a bare carriage return inside a mission name cannot start a row.
    XLSX cells are escaped with the ``_xHHHH_`` convention of ECMA-376. Both are written
    atomically (:mod:`missionlens.atomic`).
    """
    import csv

    import pandas as pd

    from missionlens.atomic import atomic_path, atomic_write
    from missionlens.text import ooxml_escape

    excel = output.suffix.lower() in (".xlsx", ".xlsm")
    triggers = ("=", "+", "-", "@", "\t", "\r")

    def safe(value: object) -> object:
        if not isinstance(value, str) or value == "":
            return value
        text = "'" + value if value.startswith(triggers) else value
        return ooxml_escape(text) if excel else text

    table = failures.astype(object).where(failures.notna(), None)
    table = table.apply(lambda column: column.map(safe))
    # written atomically: a crash or a full disk leaves the old file (see missionlens.atomic)
    if excel:
        with (
            atomic_path(output) as temporary,
            pd.ExcelWriter(temporary, engine="openpyxl") as writer,
        ):
            table.to_excel(writer, index=False, sheet_name="problems")
    else:
        with atomic_write(output, "w", encoding="utf-8-sig", newline="") as handle:
            table.to_csv(handle, index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)


if __name__ == "__main__":  # pragma: no cover
    main()
