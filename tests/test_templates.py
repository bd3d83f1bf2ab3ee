"""Excel templates: structure, filling them in as analysts do, and reading them back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner

import missionlens as ml
from missionlens.cli import main

from .test_consolidate import alpha_by_hand

MISSIONS = ["MINUSCA", "MONUSCO"]


@pytest.fixture
def template(tmp_path: Path, small_framework: ml.Framework) -> Path:
    return ml.write_template(
        small_framework,
        tmp_path / "round.xlsx",
        missions=MISSIONS,
        period="2024-H1",
        phase="implementation",
    )


def _columns(ws: Any) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[7] if c.value is not None}


def _rows(ws: Any) -> dict[str, int]:
    return {
        str(ws.cell(row=r, column=1).value): r
        for r in range(8, ws.max_row + 1)
        if ws.cell(row=r, column=1).value
    }


def fill(
    template: Path,
    target: Path,
    rater: str | None,
    entries: dict[str, dict[str, tuple[Any, ...]]],
) -> Path:
    """Fill a copy of a template as an analyst would: name on top, one row per assessment."""
    wb = openpyxl.load_workbook(template)
    for mission, values in entries.items():
        ws = wb[mission]
        if rater is not None:
            ws["B5"] = rater
        cols, rows = _columns(ws), _rows(ws)
        for indicator, cells in values.items():
            for header, value in zip(
                ("Value", "Confidence", "Evidence", "Sources"), cells, strict=False
            ):
                if value is None:
                    continue
                cell = ws.cell(row=rows[indicator], column=cols[header])
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # text cells are formatted as text: nothing runs
    wb.save(target)
    return target


# ------------------------------------------------------------------------------- structure
def test_template_structure(template: Path, small_framework: ml.Framework) -> None:
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == ["Instructions", "MINUSCA", "MONUSCO", "_missionlens"]
    assert wb["_missionlens"].sheet_state == "hidden"
    assert wb.security.lockStructure
    meta = {r[0]: r[1] for r in wb["_missionlens"].iter_rows(values_only=True) if r[0]}
    assert meta["framework_id"] == "small"
    assert meta["framework_version"] == "2"
    assert meta["framework_fingerprint"] == small_framework.fingerprint
    assert (meta["period"], meta["phase"]) == ("2024-H1", "implementation")
    assert "How to fill in this workbook" in [c.value for c in wb["Instructions"]["A"]]

    ws = wb["MINUSCA"]
    assert ws.freeze_panes == "C8"
    assert ws.protection.sheet
    cols, rows = _columns(ws), _rows(ws)
    # only indicators that apply in the phase (env_03 applies in drawdown and exit)
    assert list(rows) == ["pol_01", "pol_02", "env_01", "env_02"]
    # grouped under dimension headers, sub-dimension headers inside
    assert ws.cell(row=8, column=2).value == "Political process (pol)"
    assert ws.cell(row=rows["env_01"] - 2, column=2).value == "Operating environment (env)"
    assert ws.cell(row=rows["env_01"] - 1, column=2).value == "Security (env_sec)"
    # anchors are right beside the value cell, indicator-specific where defined
    value_col = cols["Value"]
    assert cols["Anchor 5"] == value_col - 1
    assert ws.cell(row=rows["pol_01"], column=value_col - 5).value == "1 – Critical: No strategy."
    assert ws.cell(row=rows["pol_02"], column=value_col - 5).value.endswith("Fundamental failure.")
    assert ws.cell(row=rows["env_02"], column=value_col - 5).value == "1 – Yes"
    # entry cells unlocked, structure locked
    for header in ("Value", "Confidence", "Evidence", "Sources", "Comment"):
        assert not ws.cell(row=rows["pol_01"], column=cols[header]).protection.locked
    assert ws.cell(row=rows["pol_01"], column=1).protection.locked
    assert ws.cell(row=rows["pol_01"], column=value_col - 1).protection.locked
    assert not ws["B5"].protection.locked and ws["B2"].protection.locked
    assert ws.cell(row=rows["pol_01"], column=cols["Evidence"]).number_format == "@"
    # data validation restricts entries to the scale
    rules = {
        str(dv.sqref): (dv.type, dv.formula1, dv.operator)
        for dv in ws.data_validations.dataValidation
    }
    letter = openpyxl.utils.get_column_letter(value_col)
    conf = openpyxl.utils.get_column_letter(cols["Confidence"])
    assert rules[f"{letter}{rows['pol_01']} {letter}{rows['pol_02']}"] == (
        "list",
        '"1,2,3,4,5,N/A — not applicable"',
        None,
    )
    env_01 = f"{letter}{rows['env_01']}"  # a number of at least 0, or N/A
    assert rules[env_01] == (
        "custom",
        f'OR(AND(ISNUMBER({env_01}),{env_01}>=0),{env_01}="N/A",{env_01}="N/A — not applicable")',
        None,
    )
    assert rules[f"{letter}{rows['env_02']}"] == ("list", '"1,0,N/A — not applicable"', None)
    assert rules[" ".join(f"{conf}{rows[i]}" for i in rows)][1] == '"low,medium,high"'


def test_template_arguments(small_framework: ml.Framework, tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    with pytest.raises(ValueError, match="non-empty list"):
        ml.write_template(small_framework, path, missions=[], phase="implementation")
    with pytest.raises(ValueError, match="more than once: A"):
        ml.write_template(small_framework, path, missions=["A", "A"], phase="implementation")
    with pytest.raises(ValueError, match="unknown phase 'liquidation'"):
        ml.write_template(small_framework, path, missions=["A"], phase="liquidation")
    with pytest.raises(ValueError, match="is not a period"):
        ml.write_template(small_framework, path, missions=["A"], phase="exit", period="H1")
    assert not path.exists()


def test_odd_mission_names_get_valid_sheet_titles(
    small_framework: ml.Framework, tmp_path: Path
) -> None:
    missions = ["UN/Mission: [x]?", "UN/Mission: [x]*", "A" * 40, "=cmd"]
    path = ml.write_template(
        small_framework, tmp_path / "t.xlsx", missions=missions, phase="exit", period="2024"
    )
    wb = openpyxl.load_workbook(path)
    titles = wb.sheetnames[1:-1]
    assert len(set(titles)) == 4 and all(len(t) <= 31 for t in titles)
    filled = fill(
        path, tmp_path / "f.xlsx", "kim", {titles[0]: {"env_03": (2,)}, titles[3]: {"env_03": (3,)}}
    )
    table = ml.read_assessments(filled, framework=small_framework)
    assert list(table["mission"]) == ["UN/Mission: [x]?", "=cmd"]


# ---------------------------------------------------------------- several analysts, end to end
RATINGS: dict[str, dict[str, dict[str, tuple[Any, ...]]]] = {
    "amina": {
        "MINUSCA": {
            "pol_01": (
                4,
                "high",
                "Strategy adopted by the SLT\nand shared with the UNCT",
                "SG report",
            ),
            "pol_02": (3, "medium"),
            "env_01": (0.5, "high"),
            "env_02": (1, "high"),
        },
        "MONUSCO": {"pol_01": (2, "low"), "pol_02": (1,), "env_01": (2.0,), "env_02": (0,)},
    },
    "bruno": {
        "MINUSCA": {
            "pol_01": (4, "low", "=SUM(A1) is what I typed"),
            "pol_02": (5, "high"),
            "env_01": (1.0,),
            "env_02": (1,),
        },
        "MONUSCO": {"pol_01": (3, "medium"), "pol_02": (1,), "env_01": (2.6,), "env_02": (0,)},
    },
    "chen": {
        "MINUSCA": {
            "pol_01": (2, "medium", "Interviews «sans stratégie»"),
            "pol_02": (4, "low"),
            "env_01": (0.9,),
            "env_02": (0, "medium"),
        },
        # chen does not assess env_01 in MONUSCO
        "MONUSCO": {"pol_01": (2,), "pol_02": (1, "high"), "env_02": (0,)},
    },
}


@pytest.fixture
def filled(template: Path, tmp_path: Path) -> list[Path]:
    return [
        fill(template, tmp_path / f"{rater}.xlsx", rater, entries)
        for rater, entries in RATINGS.items()
    ]


def test_several_analysts_end_to_end(filled: list[Path], small_framework: ml.Framework) -> None:
    report = ml.validate(filled, framework=small_framework)
    assert report.ok, report
    table = ml.read_assessments(filled, framework=small_framework)
    assert len(table) == 23
    assert set(table["rater"]) == set(RATINGS)
    assert (table["period"] == "2024-H1").all() and (table["phase"] == "implementation").all()
    assert (table["framework_fingerprint"] == small_framework.fingerprint).all()
    first = table.iloc[0]
    assert (first["mission"], first["indicator"], first["value"]) == ("MINUSCA", "pol_01", 4.0)
    assert first["evidence"] == "Strategy adopted by the SLT\nand shared with the UNCT"
    bruno = table[(table["rater"] == "bruno") & (table["indicator"] == "pol_01")]
    assert bruno["evidence"].iloc[0] == "=SUM(A1) is what I typed"
    assert table["entered_at"].notna().all()

    consolidated = ml.consolidate(table, framework=small_framework).set_index(
        ["mission", "indicator"]
    )
    expected = {
        # mission, indicator: (median, n_raters, spread, disagreement)
        ("MINUSCA", "pol_01"): (4.0, 3, 2.0, True),  # 4, 4, 2: two rubric levels apart
        ("MINUSCA", "pol_02"): (4.0, 3, 2.0, True),  # 3, 5, 4
        ("MINUSCA", "env_01"): (0.9, 3, 0.5, False),  # 0.5 < 0.25 * goalpost range 3
        ("MINUSCA", "env_02"): (1.0, 3, 1.0, True),  # yes, yes, no: not unanimous
        ("MONUSCO", "pol_01"): (2.0, 3, 1.0, False),
        ("MONUSCO", "pol_02"): (1.0, 3, 0.0, False),
        ("MONUSCO", "env_01"): (2.3, 2, 0.6, False),
        ("MONUSCO", "env_02"): (0.0, 3, 0.0, False),
    }
    for key, (value, n, spread, flag) in expected.items():
        row = consolidated.loc[key]
        assert row["value"] == pytest.approx(value)
        assert row["n_raters"] == n
        assert row["spread"] == pytest.approx(spread)
        assert bool(row["disagreement"]) is flag
    assert consolidated.loc[("MINUSCA", "pol_01"), "confidence"] == "medium"  # low, medium, high
    assert consolidated.loc[("MINUSCA", "pol_01"), "std"] == pytest.approx(
        np.std([4, 4, 2], ddof=1)
    )

    weighted = ml.consolidate(table, method="confidence_weighted", framework=small_framework)
    weighted = weighted.set_index(["mission", "indicator"])["value"]
    # high (3) x 4, low (1) x 4, medium (2) x 2
    assert weighted[("MINUSCA", "pol_01")] == pytest.approx((3 * 4 + 1 * 4 + 2 * 2) / 6)
    # medium (2) x 3, high (3) x 5, low (1) x 4
    assert weighted[("MINUSCA", "pol_02")] == pytest.approx((2 * 3 + 3 * 5 + 1 * 4) / 6)
    # an entry without confidence counts as low: low (1) x 2, medium (2) x 3, none (1) x 2
    assert weighted[("MONUSCO", "pol_01")] == pytest.approx((1 * 2 + 2 * 3 + 1 * 2) / 4)

    agreement = ml.agreement(table, level="ordinal", framework=small_framework)
    units = [[4, 4, 2], [3, 5, 4], [2, 3, 2], [1, 1, 1]]  # the rubric units, as rated
    overall = agreement[agreement["scope"] == "overall"].iloc[0]
    assert overall["alpha"] == pytest.approx(alpha_by_hand(units, "ordinal"))
    assert (overall["n_units"], overall["n_raters"], overall["n_pairable"]) == (4, 3, 12)
    by_id = agreement.set_index(["scope", "id"])["alpha"]
    assert by_id[("dimension", "pol")] == pytest.approx(overall["alpha"])
    assert by_id[("indicator", "pol_01")] == pytest.approx(
        alpha_by_hand([[4, 4, 2], [2, 3, 2]], "ordinal")
    )
    interval = ml.agreement(table, level="interval", framework=small_framework)
    assert interval.loc[0, "alpha"] == pytest.approx(alpha_by_hand(units, "interval"))


# ------------------------------------------------------------------- problems in a workbook
def test_problems_point_to_cells(
    template: Path, tmp_path: Path, small_framework: ml.Framework
) -> None:
    path = fill(
        template,
        tmp_path / "bad.xlsx",
        None,  # the analyst forgot to give their name
        {
            "MINUSCA": {
                "pol_01": (7, "high"),
                "pol_02": ("four", "sure"),
                "env_02": (None, None, "evidence, but no value"),
            },
            "MONUSCO": {"pol_01": (3,)},
        },
    )
    report = ml.validate(path, framework=small_framework)
    rows = _rows(openpyxl.load_workbook(path)["MINUSCA"])
    got = report.failures[["sheet", "row", "column", "check", "indicator"]].to_records(index=False)
    assert sorted(map(tuple, got.tolist())) == sorted(
        [
            ("MINUSCA", 5, "rater", "missing_required", ""),  # reported once, at the rater cell
            ("MINUSCA", rows["pol_01"], "value", "out_of_scale", "pol_01"),
            ("MINUSCA", rows["pol_02"], "value", "not_numeric", "pol_02"),
            ("MINUSCA", rows["pol_02"], "confidence", "bad_confidence", "pol_02"),
            ("MINUSCA", rows["env_02"], "value", "missing_required", "env_02"),
            ("MONUSCO", 5, "rater", "missing_required", ""),
        ]
    )
    with pytest.raises(ml.ValidationError, match="6 problems"):
        ml.read_assessments(path, framework=small_framework)


def test_period_typed_by_the_analyst(small_framework: ml.Framework, tmp_path: Path) -> None:
    path = ml.write_template(small_framework, tmp_path / "t.xlsx", missions=["A"], phase="exit")
    wb = openpyxl.load_workbook(path)
    assert not wb["A"]["B3"].protection.locked
    wb["A"]["B3"] = "2024-h3"
    wb.save(path)
    filled = fill(path, tmp_path / "f.xlsx", "kim", {"A": {"env_03": (2,), "pol_02": (3,)}})
    report = ml.validate(filled, framework=small_framework)
    assert report.failures[["row", "column", "check"]].to_records(index=False).tolist() == [
        (3, "period", "bad_period")
    ]
    wb = openpyxl.load_workbook(filled)
    wb["A"]["B3"] = "2023/24"
    wb.save(filled)
    assert set(ml.read_assessments(filled, framework=small_framework)["period"]) == {"2023/24"}


def test_workbook_made_for_another_version(small_framework: ml.Framework, tmp_path: Path) -> None:
    older = ml.Framework.from_dict({**small_framework.to_dict(), "version": "1"})
    path = ml.write_template(
        older, tmp_path / "t.xlsx", missions=MISSIONS, phase="exit", period="2024"
    )
    filled = fill(path, tmp_path / "f.xlsx", "kim", {"MINUSCA": {"env_03": (2,), "pol_02": (3,)}})
    report = ml.validate(filled, framework=small_framework)
    assert report.failures[["sheet", "check"]].to_records(index=False).tolist() == [
        ("MINUSCA", "framework_mismatch")
    ]
    assert "made for framework 'small' v1" in report.failures.loc[0, "message"]
    assert ml.validate(filled, framework=older).ok


def test_unfilled_template_has_no_entries(template: Path, small_framework: ml.Framework) -> None:
    report = ml.validate(template, framework=small_framework)
    assert report.ok and report.n_entries == 0
    assert report.empty_sources == [str(template)]
    assert report.headline() == f"No entries found in {template}: nothing was checked"


def test_damaged_template(template: Path, tmp_path: Path, small_framework: ml.Framework) -> None:
    wb = openpyxl.load_workbook(template)
    wb["MINUSCA"].title = "Renamed"
    wb.save(tmp_path / "damaged.xlsx")
    report = ml.validate(tmp_path / "damaged.xlsx", framework=small_framework)
    assert report.failures.loc[0, "check"] == "unreadable"
    assert "renamed or deleted" in report.failures.loc[0, "message"]


def test_cli_template(tmp_path: Path, data_dir: Path) -> None:
    framework = str(data_dir / "frameworks" / "small.yaml")
    runner = CliRunner()
    out = tmp_path / "t.xlsx"
    result = runner.invoke(
        main,
        [
            "template",
            framework,
            str(out),
            "-m",
            "MINUSCA",
            "-m",
            "UNMISS",
            "--phase",
            "exit",
            "--period",
            "2024-H2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "wrote template" in result.output and out.exists()
    assert openpyxl.load_workbook(out).sheetnames[1:3] == ["MINUSCA", "UNMISS"]
    form = tmp_path / "form.xlsx"
    result = runner.invoke(
        main, ["template", framework, str(form), "-m", "MINUSCA", "--phase", "exit", "--xlsform"]
    )
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(form).sheetnames == ["survey", "choices", "settings"]
    result = runner.invoke(main, ["template", framework, str(out), "-m", "A", "--phase", "nowhere"])
    assert result.exit_code == 2 and "unknown phase" in result.output


# ------------------------------------------------------------- the built-in framework
@pytest.fixture
def builtin() -> ml.Framework:
    if "whole-of-mission" not in set(ml.list_frameworks()["name"]):
        pytest.skip("the built-in whole-of-mission framework is not there yet")
    return ml.load_framework("whole-of-mission")


def test_whole_of_mission_template(builtin: ml.Framework, tmp_path: Path) -> None:
    path = ml.write_template(
        builtin, tmp_path / "wom.xlsx", missions=["MINUSCA"], period="2024", phase="implementation"
    )
    ws = openpyxl.load_workbook(path)["MINUSCA"]
    rows = _rows(ws)
    assert set(rows) == {i.id for i in builtin.indicators_in_phase("implementation")}
    rubric = [
        i.id
        for i in builtin.indicators_in_phase("implementation")
        if builtin.scale_of(i.id).kind == "rubric"
    ][:3]
    files = [
        fill(
            path,
            tmp_path / f"{r}.xlsx",
            r,
            {"MINUSCA": {i: (v,) for i, v in zip(rubric, vs, strict=True)}},
        )
        for r, vs in (("a", (1, 2, 3)), ("b", (2, 2, 5)))
    ]
    table = ml.read_assessments(files, framework=builtin)
    result = ml.consolidate(table)  # finds the built-in framework by its fingerprint
    assert list(result["value"]) == [1.5, 2.0, 4.0]
    assert list(result["disagreement"]) == [False, False, True]


def test_long_level_lists_come_from_the_hidden_sheet(
    small_framework: ml.Framework, tmp_path: Path
) -> None:
    data = small_framework.to_dict()
    levels = [{"value": v, "label": f"L{v}"} for v in range(1, 101)]
    data["scales"][0] = {"kind": "rubric", "id": "r5", "levels": levels}
    for ind in data["indicators"]:
        ind.pop("anchors", None)
    wide = ml.Framework.from_dict(data)
    path = ml.write_template(wide, tmp_path / "t.xlsx", missions=["A"], phase="exit", period="2024")
    wb = openpyxl.load_workbook(path)
    formulas = [dv.formula1 for dv in wb["A"].data_validations.dataValidation]
    assert "'_missionlens'!$D$1:$D$101" in formulas  # an inline list holds 255 characters
    shown = [wb["_missionlens"].cell(row=r, column=4).value for r in (1, 100, 101)]
    assert shown == [1, 100, "N/A — not applicable"]
    filled = fill(path, tmp_path / "f.xlsx", "kim", {"A": {"pol_02": (87,)}})
    assert ml.read_assessments(filled, framework=wide)["value"].tolist() == [87.0]
