"""A filled template whose hidden sheet or locked cells were edited is reported, never trusted.

The hidden ``_missionlens`` sheet records the format, the framework and what each mission sheet
was made for; an analyst (or a tool) that edits it, or types over the locked mission cell of a
sheet, gets a located failure instead of entries silently read under the wrong mission.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import missionlens as ml

from .test_templates import fill


@pytest.fixture
def filled(tmp_path: Path, small_framework: ml.Framework) -> Path:
    path = ml.write_template(
        small_framework,
        tmp_path / "round.xlsx",
        missions=["MINUSCA"],
        period="2024-H1",
        phase="implementation",
    )
    return fill(path, tmp_path / "filled.xlsx", "amina", {"MINUSCA": {"pol_02": (3,)}})


def _edit(path: Path, edit: str) -> Path:
    wb = openpyxl.load_workbook(path)
    meta = wb["_missionlens"]
    rows = {str(r[0].value): r for r in meta.iter_rows(min_col=1, max_col=2) if r[0].value}
    if edit == "format":
        rows["format"][1].value = "something-else"
    elif edit == "fingerprint":
        rows["framework_fingerprint"][1].value = "0000000000000000"
    elif edit == "mission":
        wb["MINUSCA"]["B2"] = "MONUSCO"
    target = path.with_name(f"edited-{edit}.xlsx")
    wb.save(target)
    return target


def test_untouched_template_reads(filled: Path, small_framework: ml.Framework) -> None:
    report = ml.validate(filled, framework=small_framework)
    assert report.ok and report.n_entries == 1


@pytest.mark.parametrize(
    ("edit", "check", "fragment"),
    [
        ("format", "unreadable", "_missionlens"),
        ("fingerprint", "framework_mismatch", "0000000000000000"),
        ("mission", None, "MONUSCO"),
    ],
)
def test_edits_are_reported(
    filled: Path, small_framework: ml.Framework, edit: str, check: str | None, fragment: str
) -> None:
    report = ml.validate(_edit(filled, edit), framework=small_framework)
    assert not report.ok, f"an edited {edit} was accepted"
    text = " ".join(report.failures["message"]) + " ".join(report.failures["value"])
    assert fragment in text
    if check is not None:
        assert check in set(report.failures["check"])
    with pytest.raises(ml.ValidationError):
        ml.read_assessments(_edit(filled, edit), framework=small_framework)
