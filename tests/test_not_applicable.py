"""The answer *not applicable*: distinct from missing, with a required reason, through every door.

Checked here: the entry checks (one definition, the same at every front door), the round trips
of every file format, the Excel template and the XLSForm (real files written by missionlens,
the form converted by pyxform), consolidation, agreement and scoring. Nothing counts an N/A as
level 1 or as missing; the scoring tests compare with independent computations (the same data
with the indicator removed from the unit by hand, the rubric's linear normalisation by hand, and
``krippendorff.alpha`` on the values with the N/A entries as ``nan``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import openpyxl
import pandas as pd
import pytest

import missionlens as ml
from missionlens.assessments.checks import FAILURE_COLUMNS
from missionlens.assessments.consolidation import CONSOLIDATED_COLUMNS
from missionlens.assessments.record import NOT_APPLICABLE_CHOICE
from missionlens.scoring.prepare import NOT_APPLICABLE_COLUMNS, prepare

UNIT = {"mission": "MINUSCA", "period": "2024-H1", "phase": "implementation"}
REASON = "the mission is not in Africa: no AU partnership"


def entry(indicator: str, value: object, rater: str = "amina", **more: object) -> dict[str, Any]:
    return {**UNIT, "indicator": indicator, "value": value, "rater": rater, **more}


def na(indicator: str, rater: str = "amina", reason: object = REASON, **more: object) -> dict:
    return entry(indicator, None, rater, not_applicable=True, not_applicable_reason=reason, **more)


def checks_of(report: ml.ValidationReport) -> list[tuple[Any, ...]]:
    return list(
        report.failures[["row", "column", "check", "indicator"]].itertuples(index=False, name=None)
    )


# ------------------------------------------------------------------------------ entry checks
def test_not_applicable_entry_is_valid_and_typed(small_framework: ml.Framework) -> None:
    table = ml.read_assessments(
        pd.DataFrame([entry("pol_01", 4), na("pol_02")]), framework=small_framework
    )
    assert list(table.columns) == list(ml.ASSESSMENT_COLUMNS)
    assert table["not_applicable"].dtype == bool
    assert table["not_applicable"].tolist() == [False, True]
    assert np.isnan(table.loc[1, "value"])  # no value: neither missing nor a level
    assert table.loc[1, "not_applicable_reason"] == REASON
    assert pd.isna(table.loc[0, "not_applicable_reason"])
    report = ml.validate(
        pd.DataFrame([entry("pol_01", 4), na("pol_02")]), framework=small_framework
    )
    assert report.ok and report.n_not_applicable == 1
    assert report.headline() == "OK: 2 entries (1 not applicable), no problems"


def test_every_not_applicable_problem_is_reported_at_once(small_framework: ml.Framework) -> None:
    frame = pd.DataFrame(
        [
            entry("pol_01", 3, not_applicable="yes", not_applicable_reason="x"),  # and a value
            na("pol_02", reason="   "),  # a blank reason is no reason
            entry("env_01", None, not_applicable="maybe"),  # a mark that is no mark
            entry("env_02", 1, not_applicable_reason="forgot the mark"),
            entry("pol_02", "N/A", rater="kim"),  # N/A in the value cell, no reason
        ]
    )
    report = ml.validate(frame, framework=small_framework)
    assert checks_of(report) == [
        (1, "value", "value_with_not_applicable", "pol_01"),
        (2, "not_applicable_reason", "missing_reason", "pol_02"),
        (3, "not_applicable", "bad_not_applicable", "env_01"),
        (4, "not_applicable_reason", "reason_without_not_applicable", "env_02"),
        (5, "not_applicable_reason", "missing_reason", "pol_02"),
    ]
    messages = report.failures["message"].tolist()
    assert "also has the value 3" in messages[0]
    assert "'maybe' is not a not-applicable mark" in messages[2]
    # the failure table keeps its columns; every check is explained
    assert list(report.failures.columns) == list(FAILURE_COLUMNS)
    assert set(report.summary()["meaning"]) and "" not in set(report.summary()["meaning"])


@pytest.mark.parametrize(
    ("mark", "value"),
    [
        (True, None),
        ("yes", None),
        ("TRUE", ""),
        (" Y ", None),
        (1, None),
        (None, "N/A"),
        (None, "n/a"),
        (None, "NA"),
        (None, "Not applicable"),
        (None, "N/A — not applicable"),  # the Excel template's choice
    ],
)
def test_ways_of_saying_not_applicable(
    small_framework: ml.Framework, mark: object, value: object
) -> None:
    frame = pd.DataFrame(
        [entry("pol_01", value, not_applicable=mark, not_applicable_reason=REASON)],
        dtype=object,
    )
    table = ml.read_assessments(frame, framework=small_framework)
    assert table["not_applicable"].tolist() == [True]
    assert np.isnan(table.loc[0, "value"])


@pytest.mark.parametrize("mark", [False, "no", "", None, 0, "FALSE", "n"])
def test_not_marked_is_a_plain_entry(small_framework: ml.Framework, mark: object) -> None:
    frame = pd.DataFrame([entry("pol_01", 2, not_applicable=mark)], dtype=object)
    table = ml.read_assessments(frame, framework=small_framework)
    assert table["not_applicable"].tolist() == [False] and table.loc[0, "value"] == 2.0


def test_a_blank_value_without_the_mark_is_still_missing(small_framework: ml.Framework) -> None:
    report = ml.validate(pd.DataFrame([entry("pol_01", None)]), framework=small_framework)
    assert checks_of(report) == [(1, "value", "missing_required", "pol_01")]


def test_a_wide_table_has_no_place_for_a_reason(small_framework: ml.Framework) -> None:
    wide = pd.DataFrame({"mission": ["A"], "period": ["2024"], "pol_01": ["N/A"], "pol_02": [3]})
    report = ml.validate(wide, framework=small_framework)
    assert checks_of(report) == [(1, "pol_01", "missing_reason", "pol_01")]
    assert "long form" in report.failures.loc[0, "message"]
    with pytest.raises(ml.ScoringInputError, match="missing_reason"):
        ml.score(wide, framework=small_framework)


def test_front_doors_agree_on_not_applicable_problems(small_framework: ml.Framework) -> None:
    bad = pd.DataFrame([entry("pol_01", 3, not_applicable=True, not_applicable_reason="x")])
    expected = ml.validate(bad, framework=small_framework).failures
    with pytest.raises(ml.ValidationError) as read:
        ml.read_assessments(bad, framework=small_framework)
    with pytest.raises(ml.ValidationError) as consolidated:
        ml.consolidate(bad, framework=small_framework)
    with pytest.raises(ml.ScoringInputError) as scored:
        ml.score(bad, framework=small_framework)
    pd.testing.assert_frame_equal(read.value.report.failures, expected)
    pd.testing.assert_frame_equal(consolidated.value.report.failures, expected)
    pd.testing.assert_frame_equal(scored.value.problems, expected)


# ------------------------------------------------------------------------------ round trips
REASONS = [
    "«pas en Afrique» — ünïcödé ✓",
    '=HYPERLINK("http://x","y")',
    "+1 -2 @home",
    "'quoted'",
    "two\nlines",
]


@pytest.fixture
def na_table(small_framework: ml.Framework) -> pd.DataFrame:
    rows = [na("pol_02", rater=f"r{k}", reason=reason) for k, reason in enumerate(REASONS)]
    rows += [
        entry("pol_01", 4, rater="r0", not_applicable_reason=""),  # empty is no reason
        entry("pol_01", 5, rater="r1"),  # missing
    ]
    return ml.read_assessments(pd.DataFrame(rows), framework=small_framework)


@pytest.mark.parametrize("suffix", [".csv", ".json", ".parquet", ".xlsx"])
def test_round_trips_keep_not_applicable_and_reasons_exactly(
    na_table: pd.DataFrame, small_framework: ml.Framework, tmp_path: Path, suffix: str
) -> None:
    path = ml.write_assessments(na_table, tmp_path / f"t{suffix}")
    back = ml.read_assessments(path, framework=small_framework)
    pd.testing.assert_frame_equal(back, na_table)
    assert back["not_applicable_reason"].tolist()[:5] == REASONS
    assert back.loc[5, "not_applicable_reason"] == ""  # empty and missing stay apart
    assert pd.isna(back.loc[6, "not_applicable_reason"])


def test_reasons_are_formula_protected_in_csv(na_table: pd.DataFrame, tmp_path: Path) -> None:
    text = ml.write_assessments(na_table, tmp_path / "t.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(" in text and ",TRUE," in text and ",FALSE," in text


def test_a_table_without_the_new_columns_still_writes(
    na_table: pd.DataFrame, small_framework: ml.Framework, tmp_path: Path
) -> None:
    old = na_table[na_table["not_applicable"] == False]  # noqa: E712
    old = old.drop(columns=["not_applicable", "not_applicable_reason"])
    path = ml.write_assessments(old, tmp_path / "old.csv")
    back = ml.read_assessments(path, framework=small_framework)
    assert back["not_applicable"].tolist() == [False, False]


# ------------------------------------------------------------------------------ consolidation
def test_consolidation_of_not_applicable_and_disputed_cells(
    small_framework: ml.Framework,
) -> None:
    frame = pd.DataFrame(
        [
            na("pol_02", "amina", reason="not in Africa"),
            na("pol_02", "kim", reason="no AU partnership"),
            na("pol_02", "lee", reason="not in Africa"),
            entry("pol_01", 2, "amina"),
            na("pol_01", "kim", reason="the strategy is the host state's"),
            entry("pol_01", 5, "lee"),
            entry("env_02", 1, "amina"),
        ]
    )
    out = ml.consolidate(frame, framework=small_framework).set_index("indicator")
    assert list(out.columns) == [c for c in CONSOLIDATED_COLUMNS if c != "indicator"]
    # every rater said N/A: not applicable, no value, the reasons kept (distinct, in order)
    assert bool(out.loc["pol_02", "not_applicable"]) is True
    assert np.isnan(out.loc["pol_02", "value"]) and out.loc["pol_02", "n_raters"] == 0
    assert out.loc["pol_02", "n_not_applicable"] == 3
    assert out.loc["pol_02", "not_applicable_reason"] == "not in Africa | no AU partnership"
    # disputed: the ratings alone are consolidated (median of 2 and 5, by numpy), the N/A is
    # reported on the row and flags a disagreement
    assert out.loc["pol_01", "value"] == np.median([2, 5])
    assert out.loc["pol_01", "n_raters"] == 2 and out.loc["pol_01", "n_not_applicable"] == 1
    assert bool(out.loc["pol_01", "not_applicable"]) is False
    assert bool(out.loc["pol_01", "disagreement"]) is True
    assert out.loc["pol_01", "not_applicable_reason"] == "the strategy is the host state's"
    assert out.loc["env_02", "n_not_applicable"] == 0
    assert pd.isna(out.loc["env_02", "not_applicable_reason"])
    assert list(out.index) == ["pol_01", "pol_02", "env_02"]  # the framework's order


def test_consolidation_of_only_not_applicable_entries(small_framework: ml.Framework) -> None:
    out = ml.consolidate(pd.DataFrame([na("env_01")]), framework=small_framework)
    assert out["indicator"].tolist() == ["env_01"] and out["not_applicable"].tolist() == [True]


# ------------------------------------------------------------------------------ agreement
def test_agreement_leaves_not_applicable_out_like_missing(small_framework: ml.Framework) -> None:
    rng = np.random.default_rng(8)
    ratings = rng.integers(1, 6, size=(3, 12)).astype(float)
    rows, data = [], ratings.copy()
    for r in range(3):
        for u in range(12):
            rater, mission = f"r{r}", f"M{u:02d}"
            if (r + u) % 5 == 0:  # some N/A answers
                rows.append({**na("pol_02", rater), "mission": mission})
                data[r, u] = np.nan
            else:
                rows.append({**entry("pol_02", ratings[r, u], rater), "mission": mission})
    table = ml.read_assessments(pd.DataFrame(rows), framework=small_framework)
    result = ml.agreement(table, level="ordinal", framework=small_framework)
    theirs = krippendorff.alpha(
        reliability_data=data, level_of_measurement="ordinal", value_domain=[1, 2, 3, 4, 5]
    )
    got = result[result["id"] == "pol_02"]["alpha"].iloc[0]
    assert got == pytest.approx(theirs, rel=1e-12)
    without = table[~table["not_applicable"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        result, ml.agreement(without, level="ordinal", framework=small_framework)
    )


# ------------------------------------------------------------------------------ scoring
def _rated(**values: float) -> list[dict[str, Any]]:
    return [entry(ind, v) for ind, v in values.items()]


def _node(profiles: ml.Profiles, node: str) -> pd.Series:
    table = profiles.to_frame()
    return table[table["node"] == node].iloc[0]


def test_a_not_applicable_indicator_leaves_weight_and_coverage(
    small_framework: ml.Framework,
) -> None:
    rated = _rated(pol_01=4, env_01=1.5, env_02=1)
    with_na = ml.score(pd.DataFrame([*rated, na("pol_02")]), framework=small_framework)
    removed = ml.score(pd.DataFrame(rated), framework=small_framework)
    pol = _node(with_na, "pol")
    # the dimension with one N/A indicator and the rest rated is complete, coverage 1
    assert pol["coverage"] == 1.0 and pol["weight_share"] == 1.0 and bool(pol["complete"])
    assert pol["missing_children"] == ""
    # the same score as the same data with the indicator removed from the unit by hand ...
    for node in ("pol", "env", "index"):
        assert _node(with_na, node)["score"] == pytest.approx(_node(removed, node)["score"])
    # ... where it counts as missing (coverage below 1), which the N/A does not
    assert _node(removed, "pol")["coverage"] < 1.0
    # and by hand: pol rests on pol_01 alone, rubric 1..5 linear: (4 - 1) / (5 - 1) * 100
    assert pol["score"] == pytest.approx(75.0)
    # not level 1: a rating of 1 would pull the score down to (75 * 1 + 0 * 0.5) / 1.5
    as_one = ml.score(pd.DataFrame([*rated, entry("pol_02", 1)]), framework=small_framework)
    assert _node(as_one, "pol")["score"] == pytest.approx(50.0)
    assert with_na.unused.empty  # an N/A is no value: it is not an unused value either


def test_applicable_is_false_for_the_not_applicable_cell(small_framework: ml.Framework) -> None:
    data = pd.DataFrame([*_rated(pol_01=4), na("pol_02")])
    state, _ = prepare(data, small_framework, ml.Recipe.default())
    j = state.column("pol_02")
    assert not state.applicable[0, j] and state.applicable[0, state.column("pol_01")]
    assert np.isnan(state.raw[0, j])


def test_imputation_never_fills_a_not_applicable_cell(small_framework: ml.Framework) -> None:
    rows = [
        *_rated(pol_01=4),
        na("pol_02"),
        *[{**e, "mission": "B"} for e in _rated(pol_01=2, pol_02=5)],
        {**entry("pol_01", 3), "mission": "C"},  # pol_02 missing: imputed
    ]
    recipe = ml.Recipe(
        steps=(
            ml.Step(step="impute", params={"method": "group_mean"}),
            ml.Step(step="normalise"),
            ml.Step(step="aggregate"),
        )
    )
    p = ml.score(pd.DataFrame(rows), framework=small_framework, recipe=recipe)
    table = p.to_frame()
    pol = table[table["node"] == "pol"].set_index("mission")
    assert pol.loc["MINUSCA", "imputed_share"] == 0.0 and pol.loc["MINUSCA", "coverage"] == 1.0
    assert pol.loc["C", "imputed_share"] > 0.0  # the step does fill a missing cell
    assert pol.loc["MINUSCA", "score"] == pytest.approx(75.0)


def test_profiles_list_not_applicable_and_disputed_cells(small_framework: ml.Framework) -> None:
    rows = [
        entry("pol_01", 4, "amina"),
        na("pol_01", "kim", reason="disputed reason"),
        na("pol_02", "amina", reason="a"),
        na("pol_02", "kim", reason="b"),
        entry("env_02", 1, "amina"),
    ]
    p = ml.score(pd.DataFrame(rows), framework=small_framework)
    listed = p.not_applicable
    assert list(listed.columns) == list(NOT_APPLICABLE_COLUMNS)
    got = list(listed.itertuples(index=False, name=None))
    assert got == [
        ("MINUSCA", "2024-H1", "implementation", "pol_01", "disputed reason", "kim", True),
        ("MINUSCA", "2024-H1", "implementation", "pol_02", "a | b", "amina, kim", False),
    ]
    assert listed["disputed"].dtype == bool
    # the disputed cell is scored from its rating
    assert _node(p, "pol_01")["score"] == pytest.approx(75.0)
    empty = ml.score(pd.DataFrame(_rated(pol_01=4)), framework=small_framework).not_applicable
    assert empty.empty and list(empty.columns) == list(NOT_APPLICABLE_COLUMNS)


def test_saved_profiles_keep_the_not_applicable_list(
    small_framework: ml.Framework, tmp_path: Path
) -> None:
    data = ml.read_assessments(
        pd.DataFrame([*_rated(pol_01=4), na("pol_02")]), framework=small_framework
    )
    p = ml.score(data, framework=small_framework)
    loaded = ml.Profiles.load(p.save(tmp_path / "p.mlprofile"))
    pd.testing.assert_frame_equal(loaded.not_applicable, p.not_applicable)


# ------------------------------------------------------------------------------ Excel template
def _fill(template: Path, target: Path, answers: dict[str, tuple[object, object]]) -> Path:
    """Fill the template as an analyst would: the name, then Value and Why not applicable."""
    wb = openpyxl.load_workbook(template)
    ws = wb["MINUSCA"]
    ws["B5"] = "amina"
    cols = {str(c.value): c.column for c in ws[7] if c.value is not None}
    rows = {str(ws.cell(row=r, column=1).value): r for r in range(8, ws.max_row + 1)}
    for indicator, (value, reason) in answers.items():
        for header, cell_value in (("Value", value), ("Why not applicable", reason)):
            if cell_value is not None:
                cell = ws.cell(row=rows[indicator], column=cols[header])
                cell.value = cell_value
                if isinstance(cell_value, str):
                    cell.data_type = "s"
    wb.save(target)
    return target


@pytest.fixture
def template(tmp_path: Path, small_framework: ml.Framework) -> Path:
    return ml.write_template(
        small_framework,
        tmp_path / "t.xlsx",
        missions=["MINUSCA"],
        period="2024-H1",
        phase="implementation",
    )


def test_template_offers_not_applicable_and_reads_it_back(
    template: Path, small_framework: ml.Framework, tmp_path: Path
) -> None:
    wb = openpyxl.load_workbook(template)
    header = [c.value for c in wb["MINUSCA"][7]]
    assert header.index("Why not applicable") == header.index("Value") + 1  # beside the answer
    rules = [dv.formula1 for dv in wb["MINUSCA"].data_validations.dataValidation]
    assert any(NOT_APPLICABLE_CHOICE in f for f in rules)
    filled = _fill(
        template,
        tmp_path / "filled.xlsx",
        {
            "pol_01": (4, None),
            "pol_02": (NOT_APPLICABLE_CHOICE, "=not on the agenda «PBC»"),
            "env_01": ("N/A", "no uniformed personnel"),  # numeric: typed in
            "env_02": (1, None),
        },
    )
    table = ml.read_assessments(filled, framework=small_framework)
    got = table[["indicator", "value", "not_applicable", "not_applicable_reason"]]
    assert got["not_applicable"].tolist() == [False, True, True, False]
    assert got["not_applicable_reason"].tolist()[1:3] == [
        "=not on the agenda «PBC»",
        "no uniformed personnel",
    ]
    assert np.isnan(got["value"].iloc[1]) and got["value"].iloc[0] == 4.0


def test_template_not_applicable_problems_point_to_the_cell(
    template: Path, small_framework: ml.Framework, tmp_path: Path
) -> None:
    filled = _fill(
        template,
        tmp_path / "filled.xlsx",
        {"pol_01": (NOT_APPLICABLE_CHOICE, None), "pol_02": (3, "a reason, but rated")},
    )
    wb = openpyxl.load_workbook(filled)
    rows = {str(c.value): c.row for c in wb["MINUSCA"]["A"] if c.value}
    report = ml.validate(filled, framework=small_framework)
    got = list(
        report.failures[["sheet", "row", "column", "check"]].itertuples(index=False, name=None)
    )
    assert got == [
        ("MINUSCA", rows["pol_01"], "not_applicable_reason", "missing_reason"),
        ("MINUSCA", rows["pol_02"], "not_applicable_reason", "reason_without_not_applicable"),
    ]


def test_a_template_without_the_reason_column_is_read_as_before(
    template: Path, small_framework: ml.Framework, tmp_path: Path
) -> None:
    filled = _fill(template, tmp_path / "filled.xlsx", {"pol_01": (4, None)})
    wb = openpyxl.load_workbook(filled)
    ws = wb["MINUSCA"]
    for cell in ws[7]:
        if cell.value == "Why not applicable":
            cell.value = None  # a template made before the column existed
    wb.save(filled)
    table = ml.read_assessments(filled, framework=small_framework)
    assert table["value"].tolist() == [4.0] and table["not_applicable"].tolist() == [False]


# ------------------------------------------------------------------------------ XLSForm
def test_xlsform_asks_not_applicable_with_a_reason(
    small_framework: ml.Framework, tmp_path: Path
) -> None:
    pytest.importorskip("pyxform")
    from pyxform.xls2xform import convert

    from .test_xlsform import _instance_paths, _sheet

    form = ml.write_xlsform(
        small_framework, tmp_path / "f.xlsx", phase="implementation", period="2024-H1"
    )
    warnings: list[str] = []
    xform = convert(xlsform=str(form), warnings=warnings).xform
    survey = _sheet(form, "survey").set_index("name")
    assert survey.loc["pol_01__na_reason", "relevant"] == "${pol_01} = 'na'"
    assert survey.loc["pol_01__na_reason", "required"] == "yes"
    assert survey.loc["env_01__applies", "type"] == "select_one applies"
    assert survey.loc["env_01", "relevant"] == "${env_01__applies} != 'na'"
    assert survey.loc["env_01__na_reason", "relevant"] == "${env_01__applies} = 'na'"
    choices = _sheet(form, "choices")
    for list_name in ("levels_pol_01", "levels_r5", "yes_no", "applies"):
        names = choices[choices["list_name"] == list_name]["name"].tolist()
        assert "na" in names, list_name
    # an export of the form, answered as ODK Collect would: the reader maps N/A back
    paths = _instance_paths(xform)
    path_of = {p.rsplit("/", 1)[-1]: p for p in paths}
    answers = {
        "mission": "MINUSCA",
        "rater": "amina",
        "pol_01": "na",
        "pol_01__na_reason": "=host state's «strategy»",
        "pol_02": "3",
        "env_01__applies": "na",
        "env_01__na_reason": "no uniformed personnel",
        "env_02": "1",
    }
    assert set(answers) <= set(path_of)  # every answer is a question of the converted form
    row: dict[str, Any] = {p: "" for p in paths}
    row.update(
        {
            "period": "2024-H1",
            "phase": "implementation",
            "framework_id": small_framework.id,
            "framework_version": small_framework.version,
            "framework_fingerprint": small_framework.fingerprint,
            "_uuid": "u1",
            "_submission_time": "2024-05-02T08:20:00",
        }
    )
    row.update({path_of[k]: v for k, v in answers.items()})
    export = pd.DataFrame([row])
    path = tmp_path / "kobo.csv"
    export.to_csv(path, index=False)
    table = ml.read_assessments(path, framework=small_framework)
    got = table[["indicator", "value", "not_applicable", "not_applicable_reason"]]
    by = got.set_index("indicator")
    assert bool(by.loc["pol_01", "not_applicable"]) and np.isnan(by.loc["pol_01", "value"])
    assert by.loc["pol_01", "not_applicable_reason"] == "=host state's «strategy»"
    assert bool(by.loc["env_01", "not_applicable"])
    assert by.loc["env_01", "not_applicable_reason"] == "no uniformed personnel"
    assert by.loc["pol_02", "value"] == 3.0 and not bool(by.loc["pol_02", "not_applicable"])
    # an N/A without its reason (the form requires one; an edited export may lack it)
    export.loc[0, path_of["pol_01__na_reason"]] = ""
    export.to_csv(path, index=False)
    report = ml.validate(path, framework=small_framework)
    assert checks_of(report) == [(2, "not_applicable_reason", "missing_reason", "pol_01")]


def test_xlsform_applies_yes_without_a_number_is_no_entry(
    small_framework: ml.Framework, tmp_path: Path
) -> None:
    export = pd.DataFrame(
        [
            {
                "_uuid": "u1",
                "mission": "MINUSCA",
                "rater": "amina",
                "period": "2024-H1",
                "phase": "implementation",
                "env_01__applies": "yes",
                "env_02": "0",
            }
        ]
    )
    table = ml.read_assessments(export, framework=small_framework)
    assert table["indicator"].tolist() == ["env_02"]
    export.loc[0, "env_01__applies"] = "perhaps"
    report = ml.validate(export, framework=small_framework)
    assert [c[2] for c in checks_of(report)] == ["bad_not_applicable"]


# ------------------------------------------------------------------------------ docs
def test_docs_not_applicable_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    import re

    text = (Path(__file__).parents[1] / "docs" / "assessments.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    (block,) = [b for b in blocks if "not_applicable_reason" in b]
    namespace: dict[str, Any] = {}
    exec(compile(block, "docs/assessments.md", "exec"), namespace)
    scores = namespace["scores"]
    row = scores[scores["node"] == "partnerships"].iloc[0]
    assert row["coverage"] == 1.0 and bool(row["complete"]) and row["score"] == 50.0
    assert namespace["profiles"].not_applicable["indicator"].tolist() == [
        "unau_joint_work",
        "unau_council_consultations",
    ]
    assert "UNMIK" in capsys.readouterr().out  # printed for the reader
