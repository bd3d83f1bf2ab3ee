"""Command-line interface: ``missionlens frameworks list | show NAME | schema | validate FILE``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from missionlens.errors import FrameworkError, format_table
from missionlens.framework import framework_json_schema
from missionlens.registry import list_frameworks, load_framework

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
        output.write_text(text + "\n", encoding="utf-8")
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


if __name__ == "__main__":  # pragma: no cover
    main()
