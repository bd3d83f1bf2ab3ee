"""The command-line interface (framework commands)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from missionlens.cli import main

BAD = Path(__file__).parent / "data" / "frameworks" / "bad"
SMALL = Path(__file__).parent / "data" / "frameworks" / "small.yaml"


def test_frameworks_list_and_show() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["frameworks", "list"])
    assert result.exit_code == 0 and "whole-of-mission" in result.output
    result = runner.invoke(main, ["frameworks", "show", "whole-of-mission"])
    assert result.exit_code == 0
    assert "political" in result.output and "pol_01" in result.output


def test_frameworks_schema_is_json() -> None:
    result = CliRunner().invoke(main, ["frameworks", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "Framework" and "indicators" in schema["properties"]


def test_validate_good_file() -> None:
    result = CliRunner().invoke(main, ["frameworks", "validate", str(SMALL)])
    assert result.exit_code == 0 and "OK" in result.output


def test_validate_bad_file_exits_1_with_table() -> None:
    bad = str(BAD / "several_problems.yaml")
    result = CliRunner().invoke(main, ["frameworks", "validate", bad])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "problem(s) in" in lines[0]
    header = lines[1].split()
    assert header == ["path", "id", "check", "value", "message"]
    for path in ("indicators[1].id", "nodes[2].weight", "scales[1].minimum"):
        assert path in result.output


def test_show_unknown_name_exits_2() -> None:
    result = CliRunner().invoke(main, ["frameworks", "show", "nope"])
    assert result.exit_code == 2


def test_demo_runs_and_writes_its_outputs(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    for name in ("profiles.zip", "template.xlsx", "xlsform.xlsx", "lifecycle.png", "recipe.yaml"):
        assert (tmp_path / "demo" / name).stat().st_size > 0
    assert "out_of_scale" in result.output and "unknown_indicator" in result.output
    assert "MINUSMA" in result.output


def test_score_command(tmp_path: Path) -> None:
    table = tmp_path / "entries.csv"
    table.write_text(
        "mission,period,phase,indicator,value,rater\n"
        "A,2024-H1,implementation,pol_01,4,r1\n"
        "A,2024-H1,implementation,pol_01,2,r2\n"
        "A,2024-H1,implementation,pol_02,3,r1\n",
        encoding="utf-8",
    )
    out = tmp_path / "p.zip"
    result = CliRunner().invoke(main, ["score", str(table), "-f", str(SMALL), "-o", str(out)])
    assert result.exit_code == 0, result.output
    import missionlens as ml

    profiles = ml.Profiles.load(out)
    # median of 4 and 2 is 3 -> 50
    assert profiles.wide().loc[("A", "2024-H1"), "pol_01"] == 50
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "mission,period,phase,indicator,value,rater\nA,2024-H1,implementation,pol_01,9,r1\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["score", str(bad), "-f", str(SMALL), "-o", str(out)])
    assert result.exit_code == 1 and "out_of_scale" in result.output


def test_validate_empty_file_exits_1(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("mission,period,phase,indicator,value,rater\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(empty), "-f", str(SMALL)])
    assert result.exit_code == 1 and "No entries found" in result.output
