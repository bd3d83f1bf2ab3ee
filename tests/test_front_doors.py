"""Every front door gives the same verdict on the same table, with the same problem rows.

``ml.validate``, ``ml.read_assessments``, ``ml.consolidate`` and ``ml.score`` all run the one set
of entry checks (``missionlens.assessments.checks``): a table one of them refuses, all of them
refuse, reporting the same rows; a table one accepts, all accept. The CLI's ``validate`` and
``score`` commands agree too. The cases include every disagreement found before the checks
were unified (raters giving different phases, an indicator entered in a phase where it does not
apply, an entry with no rater, a long table without phase, 500 values outside the scale).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import missionlens as ml
from missionlens.cli import main

BASE = {
    "mission": "MINUSCA",
    "period": "2024-H1",
    "phase": "implementation",
    "indicator": "pol_02",
    "value": 3,
    "rater": "amina",
}


def long(*changes: dict[str, object], drop: tuple[str, ...] = ()) -> pd.DataFrame:
    """A long table: one entry per dict of changes to BASE (a second rater by default)."""
    rows = [{**BASE, "rater": f"r{k}", **change} for k, change in enumerate(changes)]
    return pd.DataFrame(rows).drop(columns=list(drop))


def wide(**columns: object) -> pd.DataFrame:
    data = {"mission": ["A", "B"], "period": ["2024", "2024"], "pol_02": [3, 4]}
    data.update(columns)  # type: ignore[arg-type]
    return pd.DataFrame(data)


CASES: dict[str, tuple[Callable[[], pd.DataFrame], str | None]] = {
    # name: (table, the check that must fail, or None for a table every door accepts)
    "valid long": (lambda: long({}, {"value": 4}), None),
    "valid long with every optional column": (
        lambda: long(
            {"confidence": "High", "evidence": "=SUM(A1) report", "comment": "中文"},
            {"entered_at": "2024-03-01T10:00:00Z", "sources": ""},
        ),
        None,
    ),
    "valid wide": (lambda: wide(), None),
    "valid wide with phase": (lambda: wide(phase=["implementation", "exit"]), None),
    "valid long with extra column": (lambda: long({"team": "x"}, {"team": "y"}), None),
    "raters give different phases": (
        lambda: long({}, {"phase": "drawdown", "indicator": "pol_01"}),
        "inconsistent_phase",
    ),
    "indicator not applicable in phase": (
        lambda: long({"indicator": "env_03"}),
        "not_applicable_in_phase",
    ),
    "wide indicator not applicable in phase": (
        lambda: wide(phase=["implementation", "implementation"], env_03=[3, 4]),
        "not_applicable_in_phase",
    ),
    "entry without rater": (lambda: long({"rater": None}), "missing_required"),
    "long table without phase": (lambda: long({}, drop=("phase",)), "missing_column"),
    "long table without rater": (lambda: long({}, drop=("rater",)), "missing_column"),
    "500 values out of scale": (
        lambda: pd.DataFrame([{**BASE, "mission": f"M{k}", "value": 7} for k in range(500)]),
        "out_of_scale",
    ),
    "unknown indicator": (lambda: long({"indicator": "pol_2"}), "unknown_indicator"),
    "text value": (lambda: long({"value": "High"}), "not_numeric"),
    "boolean value": (lambda: long({"value": True}), "not_numeric"),
    "complex value": (lambda: long({"value": 3 + 5j}), "not_numeric"),
    "infinite value": (lambda: long({"value": float("inf")}), "out_of_scale"),
    "missing value": (lambda: long({"value": None}), "missing_required"),
    "binary value 2": (lambda: long({"indicator": "env_02", "value": 2}), "out_of_scale"),
    "numeric below its bound": (lambda: long({"indicator": "env_01", "value": -1}), "out_of_scale"),
    "half-year 3": (lambda: long({"period": "2024-H3"}), "bad_period"),
    "unknown phase": (lambda: long({"phase": "implementaton"}), "unknown_phase"),
    "bad confidence": (lambda: long({"confidence": "very"}), "bad_confidence"),
    "bad entry date": (lambda: long({"entered_at": "yesterday"}), "bad_date"),
    "same rater twice, periods written two ways": (
        lambda: long({"rater": "a"}, {"rater": "a", "period": "2024h1"}),
        "duplicate_entry",
    ),
    "same rater twice, mission with a trailing space": (
        lambda: long({"rater": "a"}, {"rater": "a", "mission": "MINUSCA "}),
        "duplicate_entry",
    ),
    "same rater twice, mission as number and as text": (
        lambda: long({"rater": "a", "mission": 1}, {"rater": "a", "mission": "1"}),
        "duplicate_entry",
    ),
    "made for another framework": (
        lambda: long({"framework_fingerprint": "0000000000000000"}),
        "framework_mismatch",
    ),
    "two columns hold the value": (
        lambda: long({}).assign(Value=4),
        "duplicate_column",
    ),
    "wide: misspelt indicator column": (lambda: wide(pol_2=[1, 2]), "unknown_column"),
    "wide: two rows for a mission and period": (
        lambda: wide(mission=["A", "A"]),
        "duplicate_unit",
    ),
    "wide: period written two ways": (
        lambda: wide(mission=["A", "A"], period=["2024h1", "2024-H1"]),
        "duplicate_unit",
    ),
    "wide: row without a mission": (lambda: wide(mission=["A", None]), "missing_required"),
    "wide: no indicator column": (
        lambda: pd.DataFrame({"mission": ["A"], "period": ["2024"]}),
        "missing_column",
    ),
    "wide: text in an indicator column": (lambda: wide(pol_01=[4, "four"]), "not_numeric"),
    "wide: value out of scale": (lambda: wide(pol_01=[4, 9]), "out_of_scale"),
    "line break in a mission": (lambda: long({"mission": "MINUSCA\nMali"}), "bad_text"),
    "lone surrogate in the evidence": (
        # pandas' own text storage refuses a surrogate: such a table holds Python objects
        lambda: pd.DataFrame([{**BASE, "evidence": "seen \ud800"}], dtype=object),
        "bad_text",
    ),
    "entry date outside the storable range": (
        lambda: long({"entered_at": "1500-01-01T00:00:00Z"}),
        "bad_date",
    ),
    # the answer not applicable
    "valid not applicable": (
        lambda: long(
            {"value": None, "not_applicable": True, "not_applicable_reason": "not in Africa"},
            {"value": "N/A", "not_applicable_reason": "no AU partnership"},
            {"indicator": "pol_01"},
        ),
        None,
    ),
    "not applicable with a value": (
        lambda: long({"not_applicable": True, "not_applicable_reason": "x"}),
        "value_with_not_applicable",
    ),
    "not applicable without a reason": (
        lambda: long({"value": None, "not_applicable": "yes"}),
        "missing_reason",
    ),
    "reason without not applicable": (
        lambda: long({"not_applicable_reason": "forgot the mark"}),
        "reason_without_not_applicable",
    ),
    "not applicable mark that is no mark": (
        lambda: long({"value": None, "not_applicable": "perhaps"}),
        "bad_not_applicable",
    ),
    "wide: N/A cell": (lambda: wide(pol_01=[4, "N/A"]), "missing_reason"),
}


def _outcome(call: Callable[[], object]) -> pd.DataFrame | None:
    """The problem table an entry point refuses with, or None if it accepts."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ml.IncompleteScoreWarning)
        try:
            call()
        except ml.ValidationError as exc:
            return exc.failures
        except ml.ScoringInputError as exc:
            return exc.problems
    return None


@pytest.mark.parametrize("name", list(CASES))
def test_front_doors_agree(name: str, small_framework: ml.Framework) -> None:
    make, check = CASES[name]
    fw = small_framework
    report = ml.validate(make(), framework=fw)
    doors = {
        "read_assessments": _outcome(lambda: ml.read_assessments(make(), framework=fw)),
        "consolidate": _outcome(lambda: ml.consolidate(make(), framework=fw)),
        "score": _outcome(lambda: ml.score(make(), framework=fw)),
    }
    if check is None:
        assert report.ok, report.to_text()
        for door, problems in doors.items():
            assert problems is None, f"{door} refused what validate accepts:\n{problems}"
        return
    assert not report.ok and check in set(report.failures["check"]), report.to_text()
    for door, problems in doors.items():
        assert problems is not None, f"{door} accepted what validate refuses ({check})"
        pd.testing.assert_frame_equal(problems, report.failures, obj=door)


def test_every_problem_is_reported(small_framework: ml.Framework) -> None:
    """500 values out of scale are 500 problem rows at every door, none cut silently."""
    table = CASES["500 values out of scale"][0]()
    report = ml.validate(table, framework=small_framework)
    assert (report.failures["check"] == "out_of_scale").sum() == 500
    with pytest.raises(ml.ScoringInputError) as info:
        ml.score(table, framework=small_framework)
    assert len(info.value.problems) == 500
    assert "and 480 more" in str(info.value)  # the message shows 20 and says so


def test_suggestions_name_the_likely_id(small_framework: ml.Framework) -> None:
    failures = ml.validate(long({"indicator": "pol_2"}), framework=small_framework).failures
    assert "did you mean 'pol_02'?" in failures["message"].iloc[0]


@pytest.mark.parametrize(
    "name",
    [
        "raters give different phases",
        "indicator not applicable in phase",
        "entry without rater",
        "long table without phase",
        "unknown indicator",
        "valid long",
        "valid not applicable",
        "not applicable without a reason",
    ],
)
def test_cli_validate_and_score_agree(
    name: str, small_framework: ml.Framework, data_dir: Path, tmp_path: Path
) -> None:
    make, check = CASES[name]
    path = tmp_path / "entries.csv"
    make().to_csv(path, index=False)
    framework = str(data_dir / "frameworks" / "small.yaml")
    runner = CliRunner()
    validated = runner.invoke(main, ["validate", str(path), "-f", framework])
    scored = runner.invoke(
        main, ["score", str(path), "-f", framework, "-o", str(tmp_path / "p.zip")]
    )
    assert validated.exit_code == scored.exit_code == (0 if check is None else 1), (
        validated.output + scored.output
    )
    if check is not None:
        assert check in validated.output and check in scored.output


def test_at_least_25_cases() -> None:
    assert len(CASES) >= 25
    refused = {check for _, check in CASES.values() if check is not None}
    assert len(refused) >= 15  # most checks are exercised at every door
