"""Lazy validation: every check, the report, 10,000 entries with 50 planted errors, the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import missionlens as ml
from missionlens.assessments.validation import CHECKS, FAILURE_COLUMNS
from missionlens.cli import main


def _entry(**changes: Any) -> dict[str, Any]:
    base = {
        "mission": "MINUSCA",
        "period": "2024-H1",
        "phase": "implementation",
        "indicator": "pol_02",
        "value": 3,
        "rater": "amina",
        "confidence": "high",
        "evidence": "UNSC reports",
        "entered_at": "2024-03-01T10:00:00Z",
    }
    return {**base, **changes}


GOOD = [_entry(indicator="pol_01", value=4), _entry(indicator="env_01", value=0.7)]


@pytest.mark.parametrize(
    ("changes", "column", "check", "value"),
    [
        ({"value": 6}, "value", "out_of_scale", "6"),
        ({"value": 2.5}, "value", "out_of_scale", "2.5"),
        ({"indicator": "env_02", "value": 2}, "value", "out_of_scale", "2"),
        ({"indicator": "env_01", "value": -1}, "value", "out_of_scale", "-1"),
        ({"indicator": "env_01", "value": float("inf")}, "value", "out_of_scale", "inf"),
        ({"value": "three"}, "value", "not_numeric", "three"),
        ({"value": "3,5"}, "value", "not_numeric", "3,5"),
        ({"value": "=A1"}, "value", "not_numeric", "=A1"),
        ({"value": "nan"}, "value", "not_numeric", "nan"),
        ({"indicator": "pol_99"}, "indicator", "unknown_indicator", "pol_99"),
        ({"indicator": "env_03"}, "phase", "not_applicable_in_phase", "implementation"),
        ({"phase": "liquidation"}, "phase", "unknown_phase", "liquidation"),
        ({"rater": "  "}, "rater", "missing_required", ""),
        ({"mission": None}, "mission", "missing_required", ""),
        ({"value": None}, "value", "missing_required", ""),
        ({"period": "2024-H3"}, "period", "bad_period", "2024-H3"),
        ({"entered_at": "yesterday"}, "entered_at", "bad_date", "yesterday"),
        ({"confidence": "very high"}, "confidence", "bad_confidence", "very high"),
        ({"framework_version": "1"}, "framework_fingerprint", "framework_mismatch", ""),
        ({"period_start": "2024-02-01"}, "period_start", "bad_period", "2024-02-01"),
    ],
)
def test_each_check(
    small_framework: ml.Framework, changes: dict[str, Any], column: str, check: str, value: str
) -> None:
    entry = _entry(**{"rater": "zed", **changes})
    report = ml.validate(pd.DataFrame([*GOOD, entry]), framework=small_framework)
    assert not report.ok
    failures = report.failures
    assert list(failures.columns) == list(FAILURE_COLUMNS)
    assert len(failures) == 1, failures
    failure = failures.iloc[0]
    assert (failure["row"], failure["column"], failure["check"]) == (3, column, check)
    if check != "framework_mismatch":
        assert failure["value"] == value
    assert failure["file"] == "<DataFrame 1>"
    assert failure["message"]
    assert check in CHECKS


def test_messages_say_what_is_expected(small_framework: ml.Framework) -> None:
    report = ml.validate(
        pd.DataFrame(
            [
                _entry(value=6),
                _entry(indicator="env_03", rater="b"),
                _entry(indicator="env_02", value="yes", rater="c"),
            ]
        ),
        framework=small_framework,
    )
    messages = list(report.failures["message"])
    assert "expected one of the levels 1, 2, 3, 4, 5 of rubric 'r5'" in messages[0]
    assert "applies in: drawdown, exit" in messages[1]
    assert "takes 1 (Yes) or 0 (No)" in messages[2]


def test_duplicates_report_each_repetition_once(small_framework: ml.Framework) -> None:
    rows = [_entry(), _entry(value=4), _entry(rater="kim"), _entry(period="2024-h1", value=5)]
    report = ml.validate(pd.DataFrame(rows), framework=small_framework)
    failures = report.failures
    assert list(failures["check"]) == ["duplicate_entry", "duplicate_entry"]
    assert list(failures["row"]) == [2, 4]  # the first occurrence (row 1) is the reference
    assert "(row 1)" in failures.loc[0, "message"]


def test_duplicates_across_files_name_the_file(small_framework: ml.Framework) -> None:
    report = ml.validate(
        [pd.DataFrame([_entry()]), pd.DataFrame([_entry(value=2)])], framework=small_framework
    )
    assert list(report.failures["file"]) == ["<DataFrame 2>"]
    assert "row 1 of <DataFrame 1>" in report.failures.loc[0, "message"]


def test_missing_and_duplicate_columns(small_framework: ml.Framework) -> None:
    frame = pd.DataFrame([_entry()]).drop(columns=["rater"])
    frame["Value"] = 4
    report = ml.validate(frame, framework=small_framework)
    checks = report.failures[["column", "check"]].to_records(index=False).tolist()
    assert ("rater", "missing_column") in checks
    assert ("", "duplicate_column") in checks
    assert len(checks) == 2  # no missing_required for the rater of every row


def test_framework_mismatch_is_reported_once_per_file(small_framework: ml.Framework) -> None:
    rows = [
        _entry(indicator=i, framework_id="small", framework_version="1", framework_fingerprint="ab")
        for i in ("pol_01", "pol_02", "env_01")
    ]
    report = ml.validate(pd.DataFrame(rows), framework=small_framework)
    assert len(report.failures) == 1
    assert report.failures.loc[0, "check"] == "framework_mismatch"
    assert report.failures.loc[0, "message"].startswith(
        "3 entries were made for framework 'small' v1"
    )


def test_unreadable_files_are_failures(tmp_path: Path, small_framework: ml.Framework) -> None:
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip file")
    (tmp_path / "notes.docx").write_text("x", encoding="utf-8")
    report = ml.validate(
        [tmp_path / "bad.json", tmp_path / "bad.xlsx", tmp_path / "notes.docx"],
        framework=small_framework,
    )
    assert list(report.failures["check"]) == ["unreadable"] * 3
    assert "unknown file type '.docx'" in report.failures.loc[2, "message"]


def test_without_framework_only_generic_checks() -> None:
    report = ml.validate(
        pd.DataFrame([_entry(indicator="anything", value=99), _entry(indicator="x", value="x")])
    )
    assert list(report.failures["check"]) == ["not_numeric"]


def test_report_display_and_error(small_framework: ml.Framework) -> None:
    rows = [_entry(value=9), _entry(rater="b", value=8), _entry(rater="c", confidence="sure")]
    report = ml.validate(pd.DataFrame(rows), framework=small_framework)
    assert not report.ok
    summary = report.summary()
    assert summary.to_dict("records")[0] == {
        "check": "out_of_scale",
        "failures": 2,
        "meaning": CHECKS["out_of_scale"],
    }
    text = str(report)
    assert text.startswith("3 problems in 1 source (out_of_scale: 2, bad_confidence: 1)")
    assert "First 3 problems" in text
    html = report._repr_html_()
    assert "<code>out_of_scale</code>" in html and "&#x27;sure&#x27;" in html
    with pytest.raises(ml.ValidationError) as info:
        ml.read_assessments(pd.DataFrame(rows), framework=small_framework)
    assert info.value.report.failures.equals(report.failures)
    assert "out_of_scale: 2" in str(info.value)
    assert isinstance(info.value, ValueError)
    good = ml.validate(pd.DataFrame(GOOD), framework=small_framework)
    assert good.ok and good.n_entries == 2 and str(good) == "OK: 2 entries, no problems"
    good.raise_if_failed()


def test_empty_sources_are_named(tmp_path: Path, small_framework: ml.Framework) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    header_only = tmp_path / "header.csv"
    header_only.write_text("mission,period,phase,indicator,value,rater\n", encoding="utf-8")
    no_records = tmp_path / "none.json"
    no_records.write_text("[]", encoding="utf-8")
    sources = [empty, header_only, no_records]
    report = ml.validate(sources, framework=small_framework)
    assert report.ok and report.n_entries == 0  # nothing failed...
    assert report.empty_sources == [str(p) for p in sources]  # ...but nothing was read
    expected = f"No entries found in {empty}, {header_only}, {no_records}: nothing was checked"
    assert report.headline() == expected
    assert str(report) == expected and expected in report._repr_html_()
    assert repr(report) == f"<ValidationReport {expected}>"

    # beside entries, and beside problems (an unreadable file is not named twice)
    good = pd.DataFrame(GOOD)
    report = ml.validate([good, empty], framework=small_framework)
    assert report.entries_per_source == {"<DataFrame 1>": 2, str(empty): 0}
    assert report.headline() == f"OK: 2 entries, no problems; no entries found in {empty}"
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    report = ml.validate(
        [pd.DataFrame([_entry(value=9)]), empty, broken], framework=small_framework
    )
    assert report.headline() == (
        f"2 problems in 2 sources (unreadable: 1, out_of_scale: 1); no entries found in {empty}"
    )
    assert ml.validate([], framework=small_framework).headline() == (
        "No entries found: nothing was checked"
    )


# ------------------------------------------------------------------- 10,000 entries, 50 errors
def _big_file(path: Path, fw: ml.Framework) -> set[tuple[int, str, str]]:
    """Write 10,000 valid entries with 50 planted errors; return (row, column, check) of each."""
    rng = np.random.default_rng(20240630)
    raters = [f"rater{k}" for k in range(5)]
    missions = [f"M{k:03d}" for k in range(125)]
    periods = ["2023-H1", "2023-H2", "2024-H1", "2024-H2"]
    indicators = ["pol_01", "pol_02", "env_01", "env_02"]
    grid = pd.MultiIndex.from_product(
        [raters, missions, periods, indicators], names=["rater", "mission", "period", "indicator"]
    ).to_frame(index=False)
    n = len(grid)
    assert n == 10_000
    kind = grid["indicator"].map({"pol_01": "r", "pol_02": "r", "env_01": "n", "env_02": "b"})
    value = np.where(
        kind == "r",
        rng.integers(1, 6, n).astype(float),
        np.where(kind == "b", rng.integers(0, 2, n).astype(float), rng.random(n).round(3) * 3),
    )
    table = grid.assign(
        phase="implementation",
        value=[repr(float(v)) for v in value],
        confidence=rng.choice(np.array(["low", "medium", "high", ""]), n),
        evidence=[f"report {k}; «évidence»" for k in range(n)],
        entered_at="2024-07-01T09:00:00Z",
        framework_id=fw.id,
        framework_version=fw.version,
        framework_fingerprint=fw.fingerprint,
    )
    table = table.sample(frac=1.0, random_state=7).reset_index(drop=True)
    table = table.astype(object)

    planted: set[tuple[int, str, str]] = set()
    rubric = table.index[table["indicator"] == "pol_02"].to_numpy()
    free = [i for i in rng.permutation(n) if i not in set(rubric[:40])]
    spare_rubric = list(rubric[:40])

    def row(i: int) -> int:
        return int(i) + 2  # header is row 1

    def plant(column: str, check: str, i: int, **values: object) -> None:
        for col, v in values.items():
            table.at[i, col] = v
        planted.add((row(i), column, check))

    kinds = 0
    for i in spare_rubric[:5]:
        plant("value", "out_of_scale", i, value="6")
    kinds += 1
    for i in [free.pop() for _ in range(5)]:
        plant("value", "not_numeric", i, value="four")
    kinds += 1
    for i in [free.pop() for _ in range(4)]:
        plant("indicator", "unknown_indicator", i, indicator="pol_99")
    kinds += 1
    for i in spare_rubric[5:10]:  # a rubric value that also fits env_03's rubric
        plant("phase", "not_applicable_in_phase", i, indicator="env_03")
    kinds += 1
    for i in [free.pop() for _ in range(4)]:
        plant("phase", "unknown_phase", i, phase="implementaton")
    kinds += 1
    for i in [free.pop() for _ in range(5)]:
        plant("rater", "missing_required", i, rater="")
    kinds += 1
    for i in [free.pop() for _ in range(4)]:
        plant("period", "bad_period", i, period="2024-H3")
    kinds += 1
    for i in [free.pop() for _ in range(4)]:
        plant("entered_at", "bad_date", i, entered_at="yesterday")
    kinds += 1
    for i in [free.pop() for _ in range(4)]:
        plant("confidence", "bad_confidence", i, confidence="very high")
    kinds += 1
    for k, i in enumerate([free.pop() for _ in range(5)]):
        plant("framework_fingerprint", "framework_mismatch", i, framework_fingerprint=f"{k:016d}")
    kinds += 1
    # duplicates: a later pol_02 row takes the key of an earlier pol_02 row
    pairs = sorted(spare_rubric[10:20])
    for first, later in zip(pairs[0::2], pairs[1::2], strict=True):
        for col in ("rater", "mission", "period"):
            table.at[later, col] = table.at[first, col]
        planted.add((row(later), "value", "duplicate_entry"))
    kinds += 1
    assert kinds >= 8 and len(planted) == 50
    table.to_csv(path, index=False)
    return planted


def test_ten_thousand_entries_fifty_planted_errors(
    tmp_path: Path, small_framework: ml.Framework
) -> None:
    path = tmp_path / "big.csv"
    planted = _big_file(path, small_framework)
    report = ml.validate(path, framework=small_framework)
    found = set(report.failures[["row", "column", "check"]].itertuples(index=False, name=None))
    assert len(report.failures) == 50
    assert found == planted
    assert report.n_entries == 10_000
    assert set(report.failures["file"]) == {str(path)}


# -------------------------------------------------------------------------------------- CLI
def test_cli_validate(tmp_path: Path, small_framework: ml.Framework, data_dir: Path) -> None:
    framework = str(data_dir / "frameworks" / "small.yaml")
    good = ml.write_assessments(
        ml.read_assessments(pd.DataFrame(GOOD), framework=small_framework), tmp_path / "good.csv"
    )
    runner = CliRunner()
    result = runner.invoke(main, ["validate", str(good), "--framework", framework])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 2 entries in 1 file match")

    bad = tmp_path / "bad.csv"
    pd.DataFrame([_entry(value="=1+1"), _entry(rater="b", value=7)]).to_csv(bad, index=False)
    out = tmp_path / "problems.csv"
    result = runner.invoke(
        main, ["validate", str(good), str(bad), "-f", framework, "--output", str(out)]
    )
    assert result.exit_code == 1
    assert "2 problems in 1 source (not_numeric: 1, out_of_scale: 1)" in result.output
    assert "not_numeric" in result.output and "row" in result.output
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(written.columns) == list(FAILURE_COLUMNS)
    assert written.loc[0, "value"] == "'=1+1"  # protected in the CSV too
