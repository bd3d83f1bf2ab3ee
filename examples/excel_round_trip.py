"""From an Excel template to a scored profile, as a team of analysts would do it.

1. Write an Excel template of the whole-of-mission framework for one fictional mission in its
   implementation phase.
2. Two analysts fill in their copies (simulated here with openpyxl; in practice in Excel).
3. Read both workbooks back, validate, consolidate, measure agreement, and score.

The ratings are illustrative, not an assessment of any real mission.
Run: python examples/excel_round_trip.py  (writes to ./excel-example/)
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

import missionlens as ml

OUT = Path("excel-example")
MISSION = "Mission A"


def fill_copy(template: Path, target: Path, rater: str, shift: int, covered: set[str]) -> Path:
    """Fill a copy of the template: the rater's name, then a value per indicator covered."""
    workbook = openpyxl.load_workbook(template)
    sheet = workbook[MISSION]
    sheet["B5"] = rater  # the rater cell at the top of each mission sheet
    header = {str(c.value): c.column for c in sheet[7] if c.value is not None}
    for row in range(8, sheet.max_row + 1):
        indicator = sheet.cell(row=row, column=1).value
        if str(indicator) not in covered:
            continue  # this team covers the political and partnerships dimensions
        value = 3 + (row + shift) % 3 - 1  # 2, 3 or 4: illustrative
        sheet.cell(row=row, column=header["Value"]).value = value
        sheet.cell(row=row, column=header["Confidence"]).value = "medium"
        sheet.cell(row=row, column=header["Evidence"]).value = f"Illustrative note by {rater}."
    workbook.save(target)
    return target


def main() -> None:
    OUT.mkdir(exist_ok=True)
    fw = ml.load_framework("whole-of-mission")
    template = ml.write_template(
        fw, OUT / "template.xlsx", missions=[MISSION], phase="implementation", period="2025-H1"
    )
    covered = {
        i.id
        for i in fw.indicators_in_phase("implementation")
        if fw.scale(i.scale).kind == "rubric"
        and fw.dimension_of(i.id) in ("political", "partnerships")
    }
    copies = [
        fill_copy(template, OUT / "analyst-1.xlsx", "analyst-1", 0, covered),
        fill_copy(template, OUT / "analyst-2.xlsx", "analyst-2", 1, covered),
    ]
    report = ml.validate(copies, framework=fw)
    print(report)
    entries = ml.read_assessments(copies, framework=fw)
    cells = ml.consolidate(entries, framework=fw)
    print(
        f"{len(entries)} entries -> {len(cells)} consolidated values, "
        f"{int(cells['disagreement'].sum())} with disagreement"
    )
    print(ml.agreement(entries, framework=fw).query("scope != 'indicator'").round(3))
    profiles = ml.score(entries, framework=fw)
    # the performance composite (view "tree") and the context index (view "context"), apart
    for view in ("tree", "context"):
        table = profiles.to_frame(view).query("node_type in ['dimension', 'subdimension']")
        print(f"view {view!r}:")
        print(table[["node", "score", "n_indicators", "coverage"]].round(2).to_string(index=False))
    print(profiles.summary()[["mission", "performance", "context", "n_critical"]])
    profiles.save(OUT / "profiles.zip")
    print(f"wrote {OUT}/")


if __name__ == "__main__":
    main()
