"""XLSForm for KoboToolbox/ODK: conversion with pyxform, and reading exports of the form back."""

from __future__ import annotations

import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

import missionlens as ml
from missionlens.assessments.xlsform import SURVEY_COLUMNS

from .strategies import frameworks

pyxform = pytest.importorskip("pyxform")
from pyxform.xls2xform import convert  # noqa: E402

XFORMS = "{http://www.w3.org/2002/xforms}"


def _sheet(path: Path, name: str) -> pd.DataFrame:
    rows = list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0]).fillna("")


@pytest.fixture
def form(tmp_path: Path, small_framework: ml.Framework) -> Path:
    return ml.write_xlsform(
        small_framework,
        tmp_path / "form.xlsx",
        phase="implementation",
        period="2024-H1",
        missions=["MINUSCA", "UN Mission in South Sudan"],
    )


def _instance_paths(xform: str) -> list[str]:
    """Paths of the leaf elements of the form's main instance, e.g. ``pol/pol_01``."""
    root = ET.fromstring(xform)
    data = next(root.iter(f"{XFORMS}instance"))[0]
    paths: list[str] = []

    def walk(element: ET.Element, prefix: str) -> None:
        for child in element:
            name = child.tag.replace(XFORMS, "")
            if len(child):
                walk(child, f"{prefix}{name}/")
            else:
                paths.append(prefix + name)

    walk(data, "")
    return paths


def test_xlsform_converts_with_pyxform(form: Path, small_framework: ml.Framework) -> None:
    warnings: list[str] = []
    result = convert(xlsform=str(form), warnings=warnings)
    assert warnings == []
    root = ET.fromstring(result.xform)
    data = next(root.iter(f"{XFORMS}instance"))[0]
    assert data.get("version") == small_framework.fingerprint
    assert data.get("id") == "small_implementation"
    paths = _instance_paths(result.xform)
    assert "pol/pol_01" in paths and "env/env_01__confidence" in paths
    assert "env/env_03" not in paths  # does not apply in the phase
    assert {"start", "end", "mission", "period", "phase", "rater", "framework_fingerprint"} <= set(
        paths
    )


def test_xlsform_sheets(form: Path, small_framework: ml.Framework) -> None:
    survey = _sheet(form, "survey")
    assert list(survey.columns) == list(SURVEY_COLUMNS)
    by_name = survey.set_index("name")
    assert by_name.loc["pol_01", "type"] == "select_one levels_pol_01"  # its own anchors
    assert by_name.loc["pol_02", "type"] == "select_one levels_r5"
    assert by_name.loc["env_01", "type"] == "decimal"
    assert by_name.loc["env_01", "constraint"] == ". >= 0"
    assert by_name.loc["env_02", "type"] == "select_one yes_no"
    assert by_name.loc["pol_01__confidence", "relevant"] == "${pol_01} != ''"
    assert by_name.loc["pol_01__evidence", "appearance"] == "multiline"
    assert by_name.loc["framework_fingerprint", "calculation"] == f"'{small_framework.fingerprint}'"
    assert by_name.loc["period", "calculation"] == "'2024-H1'"
    assert by_name.loc["mission", "type"] == "select_one missions"
    groups = survey[survey["type"] == "begin_group"]["name"].tolist()
    assert groups == ["pol", "env"]
    choices = _sheet(form, "choices")
    levels = choices[choices["list_name"] == "levels_pol_01"]
    assert levels["name"].tolist() == ["1", "2", "3", "4", "5", "na"]  # na: not applicable
    assert levels["label"].iloc[0] == "1 – Critical: No strategy."
    settings = _sheet(form, "settings")
    assert settings.loc[0, "version"] == small_framework.fingerprint


def test_xlsform_without_missions_or_period_converts(
    small_framework: ml.Framework, tmp_path: Path
) -> None:
    path = ml.write_xlsform(small_framework, tmp_path / "f.xlsx", phase="exit")
    warnings: list[str] = []
    convert(xlsform=str(path), warnings=warnings)
    survey = _sheet(path, "survey").set_index("name")
    assert survey.loc["mission", "type"] == "text"
    assert survey.loc["period", "type"] == "text" and "regex" in survey.loc["period", "constraint"]


def test_xlsform_arguments(small_framework: ml.Framework, tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    with pytest.raises(ValueError, match="list of mission names"):
        ml.write_xlsform(small_framework, path, phase="exit", missions="MINUSCA")
    with pytest.raises(ValueError, match="more than once"):
        ml.write_xlsform(small_framework, path, phase="exit", missions=["A", "A"])
    with pytest.raises(ValueError, match="unknown phase"):
        ml.write_xlsform(small_framework, path, phase="later")
    assert not path.exists()


def test_xlsform_refuses_clashing_ids(small_framework: ml.Framework, tmp_path: Path) -> None:
    data = small_framework.to_dict()
    data["indicators"][1]["id"] = "rater"
    with pytest.raises(ValueError, match="clash"):
        ml.write_xlsform(ml.Framework.from_dict(data), tmp_path / "f.xlsx", phase="exit")


def _submissions(paths: list[str], separator: str, fingerprint: str) -> list[dict[str, Any]]:
    """Two submissions shaped like an export of the form (columns named by instance path)."""
    answers = [
        {
            "mission": "MINUSCA",
            "rater": "amina",
            "pol/pol_01": "4",
            "pol/pol_01__confidence": "high",
            "pol/pol_01__evidence": "SLT minutes\n«accord»",
            "env/env_01": "0.75",
            "env/env_02": "1",
            "env/env_02__sources": "=cmd",
            "end": "2024-05-02T11:15:00.000+03:00",
        },
        {
            "mission": "UN Mission in South Sudan",
            "rater": "kim",
            "pol/pol_02": "2",
            "pol/pol_02__comment": "late",
            "end": "2024-05-03T09:00:00.000Z",
        },
    ]
    rows = []
    for answer in answers:
        row: dict[str, Any] = {}
        for path in paths:
            row[
                path.replace("/", separator)
                if path.count("/") == 1 and not path.startswith("meta")
                else path
            ] = ""
        row.update(
            {
                "period": "2024-H1",
                "phase": "implementation",
                "framework_id": "small",
                "framework_version": "2",
                "framework_fingerprint": fingerprint,
            }
        )
        for key, value in answer.items():
            row[key.replace("/", separator)] = value
        rows.append(row)
    return rows


def _expected() -> list[tuple[str, str, float, str]]:
    return [
        ("MINUSCA", "pol_01", 4.0, "amina"),
        ("MINUSCA", "env_01", 0.75, "amina"),
        ("MINUSCA", "env_02", 1.0, "amina"),
        ("UN Mission in South Sudan", "pol_02", 2.0, "kim"),
    ]


def test_kobo_export_reads_back(form: Path, tmp_path: Path, small_framework: ml.Framework) -> None:
    paths = _instance_paths(convert(xlsform=str(form)).xform)
    rows = _submissions(paths, "/", small_framework.fingerprint)
    export = pd.DataFrame(rows)
    export["meta/instanceID"] = ["uuid:1", "uuid:2"]
    export["_id"] = [101, 102]
    export["_uuid"] = ["1", "2"]
    export["_submission_time"] = ["2024-05-02T08:20:00", "2024-05-03T09:05:00"]
    export["__version__"] = "vXyZ"
    csv_path = tmp_path / "kobo.csv"
    export.to_csv(csv_path, sep=";", index=False)  # KoboToolbox's CSV export uses semicolons
    table = ml.read_assessments(csv_path, framework=small_framework)
    got = list(table[["mission", "indicator", "value", "rater"]].itertuples(index=False, name=None))
    assert got == _expected()
    assert table.loc[0, "evidence"] == "SLT minutes\n«accord»"
    assert table.loc[0, "confidence"] == "high"
    assert table.loc[2, "sources"] == "=cmd"
    assert table.loc[0, "entered_at"] == pd.Timestamp("2024-05-02T08:15:00Z")
    assert pd.isna(table.loc[1, "evidence"])  # unanswered
    # the same export as XLSX, and as a DataFrame
    xlsx_path = tmp_path / "kobo.xlsx"
    export.to_excel(xlsx_path, index=False, sheet_name="Small test framework")
    from_xlsx = ml.read_assessments(xlsx_path, framework=small_framework)
    pd.testing.assert_frame_equal(from_xlsx, table)
    pd.testing.assert_frame_equal(ml.read_assessments(export, framework=small_framework), table)


def test_odk_central_export_reads_back(
    form: Path, tmp_path: Path, small_framework: ml.Framework
) -> None:
    paths = _instance_paths(convert(xlsform=str(form)).xform)
    export = pd.DataFrame(_submissions(paths, "-", small_framework.fingerprint))
    export = export.rename(columns={"meta/instanceID": "meta-instanceID"})
    export.insert(0, "SubmissionDate", ["2024-05-02T08:20:00.000Z", "2024-05-03T09:05:00.000Z"])
    export["KEY"] = ["uuid:1", "uuid:2"]
    path = tmp_path / "central.csv"
    export.to_csv(path, index=False)
    table = ml.read_assessments(path, framework=small_framework)
    got = list(table[["mission", "indicator", "value", "rater"]].itertuples(index=False, name=None))
    assert got == _expected()


def test_export_problems_point_to_submissions(
    form: Path, tmp_path: Path, small_framework: ml.Framework
) -> None:
    paths = _instance_paths(convert(xlsform=str(form)).xform)
    rows = _submissions(paths, "/", small_framework.fingerprint)
    rows[0]["pol/pol_01"] = "9"
    rows[1]["rater"] = ""
    rows[1]["pol/pol_99"] = "3"  # a question of another version of the form
    export = pd.DataFrame(rows)
    export["_submission_time"] = ["2024-05-02T08:20:00", "2024-05-03T09:05:00"]
    path = tmp_path / "kobo.csv"
    export.to_csv(path, index=False)
    report = ml.validate(path, framework=small_framework)
    got = report.failures[["row", "column", "check", "indicator"]].to_records(index=False).tolist()
    assert got == [
        (2, "value", "out_of_scale", "pol_01"),
        (3, "indicator", "unknown_indicator", "pol_99"),
        (3, "rater", "missing_required", ""),  # once per submission, not once per indicator
    ]


def test_static_kobo_sample(data_dir: Path, small_framework: ml.Framework) -> None:
    table = ml.read_assessments(
        data_dir / "assessments" / "kobo_export.csv", framework=small_framework
    )
    assert list(table["indicator"]) == ["pol_01", "pol_02", "env_02"]
    assert list(table["rater"]) == ["amina", "amina", "jean"]
    assert list(table["value"]) == [3.0, 2.0, 0.0]


@pytest.mark.parametrize("phase", ml.PHASES)
def test_whole_of_mission_forms_convert(phase: str, tmp_path: Path) -> None:
    if "whole-of-mission" not in set(ml.list_frameworks()["name"]):
        pytest.skip("the built-in whole-of-mission framework is not there yet")
    fw = ml.load_framework("whole-of-mission")
    path = ml.write_xlsform(fw, tmp_path / "form.xlsx", phase=phase, missions=["MINUSCA"])
    warnings: list[str] = []
    xform = convert(xlsform=str(path), warnings=warnings).xform
    assert warnings == []
    paths = _instance_paths(xform)
    assert sum("__" not in p and "/" in p and not p.startswith("meta") for p in paths) == len(
        fw.indicators_in_phase(phase)
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frameworks())
def test_any_framework_gives_a_template_and_a_form(fw: ml.Framework) -> None:
    """Random frameworks (odd text, quotes, unicode, any scales) give valid workbooks and forms."""
    phase = next(p for p in ml.PHASES if fw.indicators_in_phase(p))
    with tempfile.TemporaryDirectory() as folder:
        template = ml.write_template(
            fw, Path(folder) / "t.xlsx", missions=["A", "=B"], phase=phase, period="2024"
        )
        assert ml.validate(template, framework=fw).ok
        form = ml.write_xlsform(fw, Path(folder) / "f.xlsx", phase=phase, missions=["A"])
        warnings: list[str] = []
        convert(xlsform=str(form), warnings=warnings)
        assert warnings == []


# ------------------------------------------------------------------ every column is accounted for
#: Metadata columns KoboToolbox and ODK Central add to exports: never reported, never read.
KOBO_METADATA = [
    "_submission_time",
    "_uuid",
    "_id",
    "_index",
    "_validation_status",
    "_status",
    "_submitted_by",
    "__version__",
    "_notes",
    "_tags",
    "_xform_id_string",
    "_attachments",
    "_geolocation",
    "today",
    "deviceid",
    "meta/instanceID",
    "meta/instanceName",
    "formhub/uuid",
]
CENTRAL_METADATA = [
    "SubmissionDate",
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
    "meta-instanceID",
    "meta-instanceName",
    "instanceID",
]


def _export(form: Path, fingerprint: str, separator: str = "/") -> pd.DataFrame:
    paths = _instance_paths(convert(xlsform=str(form)).xform)
    return pd.DataFrame(_submissions(paths, separator, fingerprint))


@pytest.mark.parametrize(("separator", "metadata"), [("/", KOBO_METADATA), ("-", CENTRAL_METADATA)])
def test_metadata_columns_are_known(
    form: Path, small_framework: ml.Framework, separator: str, metadata: list[str]
) -> None:
    export = _export(form, small_framework.fingerprint, separator)
    for k, column in enumerate(metadata):
        export[column] = f"meta {k}"
    report = ml.validate(export, framework=small_framework)
    assert report.ok, report
    assert report.n_entries == 4


def test_unknown_export_columns_are_reported(
    form: Path, tmp_path: Path, small_framework: ml.Framework
) -> None:
    export = _export(form, small_framework.fingerprint)
    export["_uuid"] = ["1", "2"]
    export["pol_2"] = ["3", ""]  # a mistyped question name, not in a group
    export["Consent"] = ["", ""]  # a label as header (the label of pol_02), empty
    export["remarks"] = ["see annex", "none"]  # a question added to the form by hand
    path = tmp_path / "kobo.csv"
    export.to_csv(path, index=False)
    report = ml.validate(path, framework=small_framework)
    unknown = report.failures[report.failures["check"] == "unknown_column"]
    assert list(unknown["value"]) == ["pol_2", "Consent", "remarks"]
    assert set(unknown["row"]) == {1}  # the header row
    assert set(unknown["file"]) == {str(path)}
    messages = list(unknown["message"])
    assert "column 'pol_2' is neither a question of the form" in messages[0]
    assert "1 submission answered it, and that answer is not read" in messages[0]
    assert "did you mean 'pol_02'?" in messages[0]
    assert "it is empty" in messages[1]
    assert "label of question pol_02" in messages[1] and "XML values and headers" in messages[1]
    assert "2 submissions answered it" in messages[2] and "did you mean" not in messages[2]
    assert len(report.failures) == 3  # the rest of the export is fine
    assert report.n_entries == 4
    with pytest.raises(ml.ValidationError, match="unknown_column: 3"):
        ml.read_assessments(path, framework=small_framework)


def test_label_headers_are_reported(form: Path, small_framework: ml.Framework) -> None:
    export = _export(form, small_framework.fingerprint).rename(
        columns={"rater": "Your name (rater)", "pol/pol_01__evidence": "pol/Evidence"}
    )
    export["_uuid"] = ["1", "2"]
    report = ml.validate(export, framework=small_framework)
    unknown = report.failures[report.failures["check"] == "unknown_column"]
    assert list(unknown["value"]) == ["Your name (rater)"]
    assert "label of question rater" in unknown["message"].iloc[0]
    assert pd.isna(unknown["row"].iloc[0])  # a DataFrame has no header row
    # pol/Evidence is in a group: read as the question Evidence, which the framework lacks
    assert "unknown_indicator" in set(report.failures["check"])


def test_two_columns_for_one_question_are_reported(
    form: Path, tmp_path: Path, small_framework: ml.Framework
) -> None:
    export = _export(form, small_framework.fingerprint)
    export["_uuid"] = ["1", "2"]
    export["pol_01"] = ["2", ""]  # the same question, without its group
    export["x/rater"] = ["bob", "eve"]
    report = ml.validate(export, framework=small_framework)
    got = report.failures[["column", "indicator", "check", "value"]].to_records(index=False)
    assert sorted(got.tolist()) == [
        ("rater", "", "duplicate_column", "x/rater"),
        ("value", "pol_01", "duplicate_column", "pol_01"),
    ]
    message = report.failures.set_index("value").loc["pol_01", "message"]
    first, second = list(export.columns).index("pol/pol_01"), list(export.columns).index("pol_01")
    assert message.startswith(
        f"columns 'pol/pol_01' ({first + 1}) and 'pol_01' ({second + 1}) both hold the value of "
        f"pol_01; keep one (the answers in column {second + 1} are not read)"
    )
    # the same header twice (a CSV can have that)
    path = tmp_path / "twice.csv"
    path.write_text(
        "_uuid,mission,period,phase,rater,pol_01,pol_01\n1,M,2024,implementation,ann,3,4\n",
        encoding="utf-8",
    )
    report = ml.validate(path, framework=small_framework)
    assert report.failures[["row", "check", "value"]].to_records(index=False).tolist() == [
        (1, "duplicate_column", "pol_01")
    ]
    assert "columns 'pol_01' (6) and 'pol_01' (7)" in report.failures.loc[0, "message"]


def test_without_framework_every_question_is_read(
    form: Path, small_framework: ml.Framework
) -> None:
    export = _export(form, small_framework.fingerprint)
    export = export.rename(columns=lambda c: c.split("/", 1)[-1] if c.startswith("pol/") else c)
    export["_uuid"] = ["1", "2"]
    table = ml.read_assessments(export)
    # pol_01 and pol_02 have no group in their headers: they are read all the same
    assert list(table["indicator"]) == ["pol_01", "env_01", "env_02", "pol_02"]
    assert table.loc[0, "evidence"] == "SLT minutes\n«accord»"
