"""Command-line interface.

``missionlens frameworks list | show NAME | schema | validate FILE``;
``missionlens template FRAMEWORK OUTPUT --mission M --phase P [--period X] [--xlsform]``;
``missionlens validate FILE... --framework FRAMEWORK``;
``missionlens score FILE... --framework FRAMEWORK [--recipe R] --output OUT``;
``missionlens demo [--out DIR]``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import pandas as pd

from missionlens.errors import FrameworkError, MissionLensError, format_table
from missionlens.framework.model import framework_json_schema
from missionlens.framework.registry import list_frameworks, load_framework

__all__ = ["main"]


@click.group()
@click.version_option(package_name="missionlens")
def main() -> None:
    """missionlens: whole-of-mission performance assessment of UN peace operations."""


@main.group()
def frameworks() -> None:
    """List, show, validate frameworks and print the framework file schema."""


@frameworks.command("list")
def frameworks_list() -> None:
    """List the built-in frameworks."""
    click.echo(list_frameworks().to_string(index=False))


@frameworks.command("show")
@click.argument("name")
@click.option("--indicators/--no-indicators", default=True, help="List the indicators too.")
def frameworks_show(name: str, indicators: bool) -> None:
    """Show a built-in framework (by NAME) or a framework file (by path)."""
    fw = _load_or_exit(name)
    click.echo(fw.summary())
    if indicators:
        table = fw.indicator_table()[["indicator", "dimension", "level", "scale", "name"]]
        click.echo("")
        click.echo(table.to_string(index=False))


@frameworks.command("schema")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the schema to this file instead of standard output.",
)
def frameworks_schema(output: Path | None) -> None:
    """Print the JSON Schema of the framework file format."""
    text = json.dumps(framework_json_schema(), indent=2, ensure_ascii=False)
    if output is None:
        click.echo(text)
    else:
        from missionlens.atomic import atomic_write

        with atomic_write(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text + "\n")
        click.echo(f"wrote {output}")


@frameworks.command("validate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def frameworks_validate(file: Path) -> None:
    """Check a framework FILE; exit 1 and print every problem as a table if it has any."""
    fw = _load_or_exit(str(file))
    click.echo(
        f"OK: {file} defines '{fw.id}' v{fw.version} with {len(fw.indicators)} indicators "
        f"(fingerprint {fw.fingerprint})"
    )


def _load_or_exit(name: str):  # type: ignore[no-untyped-def]
    try:
        return load_framework(name)
    except FrameworkError as exc:
        problems = exc.problems
        click.echo(f"{len(problems)} problem(s) in {exc.source or name}:", err=False)
        click.echo(format_table(problems.drop(columns=["file"]), max_rows=500, max_width=110))
        sys.exit(1)
    except FileNotFoundError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


@main.command("template")
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
@click.option("--phase", "-p", required=True, help="Lifecycle phase, e.g. implementation.")
@click.option("--period", default=None, help="Period assessed, e.g. 2024-H1 (else typed in).")
@click.option("--rater", default=None, help="Pre-fill the rater's name.")
@click.option(
    "--xlsform",
    is_flag=True,
    help="Write an XLSForm for KoboToolbox or ODK instead of an Excel template.",
)
def template(
    framework: str,
    output: Path,
    missions: tuple[str, ...],
    phase: str,
    period: str | None,
    rater: str | None,
    xlsform: bool,
) -> None:
    """Write an Excel template (or an XLSForm) of FRAMEWORK for analysts to fill in."""
    from missionlens.assessments.excel_template import write_template
    from missionlens.assessments.xlsform import write_xlsform

    fw = _load_or_exit(framework)
    try:
        if xlsform:
            if rater is not None:
                raise ValueError("--rater is for Excel templates; the form asks each rater")
            path = write_xlsform(fw, output, phase=phase, missions=list(missions), period=period)
        else:
            path = write_template(
                fw, output, missions=list(missions), phase=phase, period=period, rater=rater
            )
    except (ValueError, KeyError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(f"error: {_write_problem(output, exc)}", err=True)
        sys.exit(2)
    kind = "XLSForm" if xlsform else "template"
    click.echo(
        f"wrote {kind} {path} for '{fw.id}' v{fw.version} (fingerprint {fw.fingerprint}): "
        f"{len(missions)} mission(s), phase {phase}, "
        f"{len(fw.indicators_in_phase(phase))} indicators"
    )


@main.command("validate")
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
    help="Also write the table of problems to this .csv or .xlsx file.",
)
@click.option("--max-rows", default=200, show_default=True, help="Problems to print at most.")
def validate_files(
    files: tuple[Path, ...], framework_name: str, output: Path | None, max_rows: int
) -> None:
    """Check assessment FILES (filled templates, exports, tables); exit 1 on any problem."""
    from missionlens.assessments.validation import validate

    fw = _load_or_exit(framework_name)
    report = validate(list(files), framework=fw)
    if output is not None:
        try:
            _write_failures(report.failures, output)
        except OSError as exc:
            click.echo(f"error: {_write_problem(output, exc)}", err=True)
            sys.exit(2)
    if report.ok:
        if report.n_entries == 0:
            click.echo(report.headline())  # "No entries found in ...: nothing was checked"
            sys.exit(1)  # an empty batch is almost always a mistake: let scripts notice
        click.echo(
            f"OK: {report.n_entries} entries in {len(files)} file(s) match '{fw.id}' "
            f"v{fw.version} (fingerprint {fw.fingerprint})"
        )
        if report.empty_sources:
            click.echo("no entries found in " + ", ".join(report.empty_sources))
        return
    click.echo(report.headline())
    click.echo("")
    click.echo(report.summary().to_string(index=False))
    click.echo("")
    shown = report.failures.drop(columns=["mission", "period", "rater"])
    shown["row"] = shown["row"].astype(object).where(shown["row"].notna(), "")
    click.echo(format_table(shown, max_rows=max_rows, max_width=120))
    if output is not None:
        click.echo(f"\nwrote all {len(report.failures)} problems to {output}")
    sys.exit(1)


@main.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("missionlens-demo"),
    show_default=True,
    help="Folder for the demo's outputs (template, form, profiles, plots).",
)
def demo(out_dir: Path) -> None:
    """Run the demo: validate, consolidate, score, compare and plot (see missionlens.demo)."""
    from missionlens.demo import run_demo

    run_demo(out_dir, echo=click.echo)


@main.command("score")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--framework",
    "-f",
    "framework_name",
    required=True,
    help="Built-in framework name or framework file.",
)
@click.option(
    "--recipe",
    "-r",
    "recipe_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Recipe file (.yaml or .json); the default recipe if not given.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write: .zip (profiles with their provenance) or .csv (the score table).",
)
def score_files(
    files: tuple[str, ...], framework_name: str, recipe_file: Path | None, output: Path
) -> None:
    """Read and validate assessment FILES, score them, and write the profiles."""
    import warnings

    from missionlens.assessments.reading import read_assessments
    from missionlens.errors import IncompleteScoreWarning, RecipeError, ValidationError
    from missionlens.scoring.profiles import score
    from missionlens.scoring.recipe import Recipe

    if output.suffix.lower() not in (".zip", ".csv"):
        click.echo(
            f"error: --output must end in .zip (profiles with their provenance) or .csv (the "
            f"score table), not {output.name!r}",
            err=True,
        )
        sys.exit(2)
    fw = _load_or_exit(framework_name)
    try:
        recipe = Recipe.default()
        if recipe_file is not None:
            loader = Recipe.from_json if recipe_file.suffix == ".json" else Recipe.from_yaml
            recipe = loader(recipe_file)
        table = read_assessments(list(files), framework=fw)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", IncompleteScoreWarning)
            profiles = score(table, framework=fw, recipe=recipe)
    except ValidationError as exc:
        click.echo(str(exc))
        sys.exit(1)
    except (RecipeError, MissionLensError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    try:
        if output.suffix.lower() == ".csv":
            profiles.to_csv(output)
        else:
            profiles.save(output)
    except OSError as exc:
        click.echo(f"error: {_write_problem(output, exc)}", err=True)
        sys.exit(2)
    dims = profiles.wide(node_type="root")
    click.echo(dims.round(1).to_string())
    for caught_warning in caught:  # incomplete scores and unused values: one line each
        if issubclass(caught_warning.category, IncompleteScoreWarning):
            click.echo(f"warning: {caught_warning.message}", err=True)
        else:
            warnings.warn_explicit(
                caught_warning.message,
                caught_warning.category,
                caught_warning.filename,
                caught_warning.lineno,
            )
    click.echo(f"wrote {output} (recipe {profiles.fingerprints['recipe']})")


def _write_problem(output: Path, exc: OSError) -> str:
    """Why ``output`` could not be written (a WriteError already says it whole)."""
    if isinstance(exc, MissionLensError):
        return str(exc)
    return f"cannot write {output}: {exc.strerror or exc}"


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

    from missionlens.text import ooxml_escape

    excel = output.suffix.lower() in (".xlsx", ".xlsm")
    triggers = ("=", "+", "-", "@", "\t", "\r")

    def safe(value: object) -> object:
        if not isinstance(value, str) or value == "":
            return value
        text = "'" + value if value.startswith(triggers) else value
        return ooxml_escape(text) if excel else text

    from missionlens.atomic import atomic_path, atomic_write

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
