"""Excel templates that analysts fill in without reading a manual, and reading them back.

:func:`write_template` writes one workbook per assessment round:

* an **Instructions** sheet: what to do, what each column means, what the confidence levels mean;
* one **sheet per mission**: the mission, period and phase at the top with a yellow cell for the
  rater's name, then one row per indicator that applies in the phase, grouped under dimension
  (and sub-dimension) headers. Each row shows the indicator, its guiding question, its scale and
  the anchored description of every rubric level right beside the yellow **Value** cell, followed
  by yellow cells for **Why not applicable**, **Confidence**, **Evidence**, **Sources** and
  **Comment**;
* a hidden sheet ``_missionlens`` with the framework id, version and fingerprint and the
  template's parameters, so that a filled workbook is matched back to the framework it was made
  for.

Value cells only accept the scale's levels (a drop-down list for rubric and yes/no indicators, a
number within the bounds for numeric ones) or the answer *not applicable*: the drop-down's last
item ``N/A — not applicable`` (numeric cells take ``N/A`` typed in), with the reason in the
**Why not applicable** cell beside it (required: an N/A without a reason is reported as
``missing_reason``). Both are in the row of the indicator, the answer where every other answer
is, so that an analyst needs no other column to learn; a reason without N/A is reported too
(``reason_without_not_applicable``). Templates made before this column existed are read as
before. Confidence cells only take ``low``, ``medium`` or ``high``;
text cells are formatted as text, so that typed text is never run as a formula. Every other cell is
protected (without a password: the protection prevents accidents, the fingerprint catches
tampering), and the workbook structure is locked so that sheets are not renamed or deleted.

Several analysts each fill their own copy; :func:`~missionlens.read_assessments` takes the list of
filled workbooks. A row whose Value, Why not applicable, Confidence, Evidence, Sources and
Comment are all empty is not an entry (the indicator was not assessed); a row with evidence but
no value is reported as a ``missing_required`` value. The ``entered_at`` of the entries of a
workbook is the time the workbook was last saved, as recorded in its properties.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from missionlens.assessments.formats import Source, register_reader
from missionlens.assessments.formats.xlsx_format import (
    XLSX_ERRORS,
    check_cell_text,
    workbook,
    workbook_meta,
    xlsx_target,
)
from missionlens.assessments.record import (
    CONFIDENCE_LEVELS,
    INTERNAL,
    META_SHEET,
    NOT_APPLICABLE_CHOICE,
    Batch,
    file_failure,
    unreadable_batch,
)
from missionlens.atomic import atomic_path
from missionlens.framework.elements import BinaryScale, Indicator, NumericScale, RubricScale
from missionlens.periods import parse_period
from missionlens.text import as_text, cell_text, ooxml_escape

if TYPE_CHECKING:
    from missionlens.framework.model import Framework

__all__ = ["TEMPLATE_FORMAT", "write_template"]

#: Value of the ``format`` key in the hidden sheet of a template.
TEMPLATE_FORMAT = "missionlens-template"

TITLE_ROW, MISSION_ROW, PERIOD_ROW, PHASE_ROW, RATER_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 3, 4, 5, 6, 7
FIRST_ROW = HEADER_ROW + 1

#: Headers of the entry columns, as they appear in the header row (matched ignoring case).
ENTRY_HEADERS: dict[str, str] = {
    "value": "Value",
    "not_applicable_reason": "Why not applicable",
    "confidence": "Confidence",
    "evidence": "Evidence",
    "sources": "Sources",
    "comment": "Comment",
}

_ENTRY_FILL = "FFF2CC"
_HEADER_FILL = "1F4E79"
_DIMENSION_FILL = "D9E1F2"
_SUBDIMENSION_FILL = "EDF1F9"
_LOCKED_FILL = "F2F2F2"
_INVALID_TITLE = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f\ufffe\uffff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_RESERVED_TITLES = {"instructions", META_SHEET.lower(), "history"}

CONFIDENCE_MEANING: dict[str, str] = {
    "low": "little, indirect or conflicting evidence; the value is a best guess",
    "medium": "some evidence, partly corroborated",
    "high": "strong evidence, corroborated by several independent sources",
}


def _sheet_titles(missions: Sequence[str]) -> list[str]:
    """Valid, unique Excel sheet titles for the missions (at most 31 characters, no []:*?/\\ and
    no control characters, which XML cannot hold in a sheet name: they become ``_``)."""
    titles: list[str] = []
    taken: set[str] = set()
    for mission in missions:
        base = _INVALID_TITLE.sub("_", mission).strip("'").strip() or "mission"
        base = base[:31]
        title, n = base, 1
        while title.lower() in taken or title.lower() in _RESERVED_TITLES:
            n += 1
            suffix = f" ({n})"
            title = base[: 31 - len(suffix)] + suffix
        taken.add(title.lower())
        titles.append(title)
    return titles


def _put(ws: Any, row: int, col: int, value: object, **style: Any) -> Any:
    """Write a cell; text is always stored as text (never a formula), XML-escaped."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        check_cell_text(value, f"the text of sheet {ws.title!r}, cell {cell.coordinate}")
        cell.value = ooxml_escape(value)
        cell.data_type = "s"
    else:
        cell.value = value
    for key, item in style.items():
        setattr(cell, key, item)
    return cell


def _scale_text(fw: Framework, ind: Indicator) -> str:
    scale = fw.scale(ind.scale)
    better = "higher is better" if ind.direction == 1 else "lower is better"
    if isinstance(scale, RubricScale):
        lo, hi = scale.bounds
        name = scale.name or scale.id
        return f"Rubric '{name}': pick a level from {_num(lo)} to {_num(hi)} ({better})"
    if isinstance(scale, BinaryScale):
        return f"Yes or no: 1 = {scale.true_label}, 0 = {scale.false_label}"
    if not isinstance(scale, NumericScale):  # pragma: no cover - the union is closed
        raise TypeError(f"unknown scale kind {scale!r}")
    unit = f" {scale.unit}" if scale.unit else ""
    if scale.minimum is not None and scale.maximum is not None:
        bounds = f"from {_num(scale.minimum)} to {_num(scale.maximum)}"
    elif scale.minimum is not None:
        bounds = f"at least {_num(scale.minimum)}"
    elif scale.maximum is not None:
        bounds = f"at most {_num(scale.maximum)}"
    else:
        bounds = "any value"
    return f"Number{unit}, {bounds} ({better})"


def _num(value: float) -> str:
    return as_text(float(value)) or ""


def _anchor_texts(fw: Framework, ind: Indicator) -> list[str]:
    scale = fw.scale(ind.scale)
    if isinstance(scale, RubricScale):
        table = fw.anchors(ind.id)
        return [
            f"{_num(v)} – {label}" + (f": {desc}" if desc else "")
            for v, label, desc in zip(
                table["value"], table["label"], table["description"], strict=True
            )
        ]
    if isinstance(scale, BinaryScale):
        return [f"1 – {scale.true_label}", f"0 – {scale.false_label}"]
    return []


def _groups(
    fw: Framework, indicators: Sequence[Indicator]
) -> list[tuple[str, str, list[Indicator]]]:
    """(kind, title, indicators) blocks: dimensions, then sub-dimensions inside them."""
    blocks: list[tuple[str, str, list[Indicator]]] = []
    for dim in fw.dimensions:
        inside = [i for i in indicators if fw.dimension_of(i.id) == dim.id]
        if not inside:
            continue
        blocks.append(("dimension", f"{dim.name} ({dim.id})", []))
        parents: list[str] = []
        for ind in inside:
            if ind.parent not in parents:
                parents.append(ind.parent)
        for parent in parents:
            members = [i for i in inside if i.parent == parent]
            if parent == dim.id:
                blocks.append(("direct", "", members))
            else:
                node = fw.node(parent)
                blocks.append(("subdimension", f"{node.name} ({node.id})", members))
    return blocks


def write_template(
    framework: Framework,
    path: str | os.PathLike[str],
    *,
    missions: Sequence[str],
    phase: str,
    period: str | None = None,
    rater: str | None = None,
) -> Path:
    """Write an Excel workbook that analysts fill in to assess missions against a framework.

    Parameters
    ----------
    framework : Framework
        The framework to assess against.
    path : str or path
        Where to write the workbook (``.xlsx``).
    missions : sequence of str
        The missions to assess: one sheet each.
    phase : str
        The lifecycle phase (a value of the framework's ``phase`` facet); only indicators that
        apply in it get a row.
    period : str, optional
        The period assessed (see :func:`~missionlens.parse_period`), e.g. ``"2024-H1"``. If not
        given, each sheet has a yellow cell for the analyst to enter it.
    rater : str, optional
        Pre-fill the rater cell (when each analyst gets their own copy); analysts can change it.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValueError
        If ``missions`` is empty or has blanks or repeats, the phase is not a phase of the
        framework or no indicator applies in it, or the period cannot be parsed.
    ArgumentError
        If ``path`` does not end in ``.xlsx`` or ``.xlsm``, or a mission or rater name (or
        any other text) is longer than an Excel cell holds (32,767 characters): the error
        names the argument or cell; text is never cut. Other control characters (VT, BEL,
        ESC, ...) are written with the ``_xHHHH_`` escape of ECMA-376 and
        read back exactly; in sheet titles they become ``_``.
    WriteError
        If the file cannot be written; an existing file is then left as it was (the workbook
        is written atomically, see :mod:`missionlens.atomic`).

    Examples
    --------
    >>> import missionlens as ml
    >>> fw = ml.load_framework("whole-of-mission")  # doctest: +SKIP
    >>> ml.write_template(fw, "round-2024-H1.xlsx", missions=["MINUSCA", "MONUSCO"],
    ...                   period="2024-H1", phase="implementation")  # doctest: +SKIP
    """
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.worksheet.datavalidation import DataValidation

    from missionlens._version import __version__

    target = xlsx_target(path, "write_template")
    mission_list = [str(m).strip() for m in missions] if not isinstance(missions, str) else []
    if not mission_list:
        raise ValueError("missions must be a non-empty list of mission names, e.g. ['MINUSCA']")
    if any(m == "" for m in mission_list):
        raise ValueError("mission names must not be blank")
    for k, m in enumerate(mission_list):
        _check_text(m, f"missions[{k}]")
    if rater is not None:
        _check_text(str(rater), "rater")
    repeated = sorted({m for m in mission_list if mission_list.count(m) > 1})
    if repeated:
        raise ValueError(f"missions are listed more than once: {', '.join(repeated)}")
    phases = framework.facet("phase").value_ids
    if phase not in phases:
        raise ValueError(f"unknown phase {phase!r}; phases are: {', '.join(phases)}")
    indicators = framework.indicators_in_phase(phase)
    if not indicators:
        raise ValueError(f"no indicator of framework '{framework.id}' applies in phase {phase}")
    period_label = parse_period(period).label if period is not None else None

    blocks = _groups(framework, indicators)
    anchors = {i.id: _anchor_texts(framework, i) for i in indicators}
    n_anchors = max((len(a) for a in anchors.values()), default=0)
    col_ind, col_name, col_question, col_scale = 1, 2, 3, 4
    col_anchor = 5
    col_value = col_anchor + n_anchors
    entry_cols = {field: col_value + k for k, field in enumerate(ENTRY_HEADERS)}

    wb = openpyxl.Workbook()
    wb.properties.creator = "missionlens"
    # document properties are plain XML: characters it cannot hold are left out
    wb.properties.title = _CONTROL.sub("", f"{framework.title}: assessment template")
    thin = Side(style="thin", color="BFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    entry_fill = PatternFill("solid", fgColor=_ENTRY_FILL)
    unlocked = Protection(locked=False)

    # ---------------------------------------------------------------- instructions
    info = wb.active
    info.title = "Instructions"
    _write_instructions(info, framework, mission_list, phase, period_label, __version__, Font, wrap)

    # ---------------------------------------------------------------- hidden sheet
    meta = wb.create_sheet(META_SHEET)
    titles = _sheet_titles(mission_list)
    meta_rows: list[tuple[str, str]] = [
        ("format", TEMPLATE_FORMAT),
        ("format_version", "1"),
        ("framework_id", framework.id),
        ("framework_version", framework.version),
        ("framework_fingerprint", framework.fingerprint),
        ("framework_title", framework.title),
        ("phase", phase),
        ("period", period_label or ""),
        ("created_at", dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")),
        ("missionlens_version", __version__),
        ("header_row", str(HEADER_ROW)),
        ("mission_cell", f"B{MISSION_ROW}"),
        ("period_cell", f"B{PERIOD_ROW}"),
        ("phase_cell", f"B{PHASE_ROW}"),
        ("rater_cell", f"B{RATER_ROW}"),
        ("sheets", str(len(titles))),
    ]
    for k, (title, mission) in enumerate(zip(titles, mission_list, strict=True), start=1):
        meta_rows += [(f"sheet:{k}", title), (f"mission:{k}", mission)]
    for r, (key, value) in enumerate(meta_rows, start=1):
        _put(meta, r, 1, key)
        _put(meta, r, 2, value)
    meta.sheet_state = "hidden"
    meta.protection.sheet = True

    # ------------------------------------------------------ list sources for long drop-downs
    list_column = 4

    def list_formula(items: list[str]) -> str:
        nonlocal list_column
        inline = '"' + ",".join(items) + '"'
        if len(inline) <= 255 and not any("," in i or '"' in i for i in items):
            return inline
        letter = get_column_letter(list_column)
        for r, item in enumerate(items, start=1):
            if item == NOT_APPLICABLE_CHOICE:
                _put(meta, r, list_column, item)
                continue
            number = float(item)  # level values: stored as numbers, as typed in the cell
            _put(meta, r, list_column, int(number) if number.is_integer() else number)
        list_column += 1
        return f"'{META_SHEET}'!${letter}$1:${letter}${len(items)}"

    validations: dict[str, Any] = {}

    def validation_for(ind: Indicator, cell: str) -> Any:
        scale = framework.scale(ind.scale)
        # a numeric cell's rule names the cell itself (a number in bounds, or N/A): one rule per
        # row, the same on every mission sheet (the rows are the same)
        key = scale.id if not isinstance(scale, NumericScale) else f"{scale.id}@{cell}"
        if key in validations:
            return validations[key]
        if isinstance(scale, RubricScale):
            levels = [_num(v) for v in scale.values]
            dv = DataValidation(
                type="list",
                formula1=list_formula([*levels, NOT_APPLICABLE_CHOICE]),
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Not a level",
                error=_clip(
                    f"Pick one of the levels {', '.join(levels)} (their anchors are to the left), "
                    f"or {NOT_APPLICABLE_CHOICE} (say why beside it), or leave the cell empty if "
                    "you do not assess this indicator.",
                    225,
                ),
                showInputMessage=True,
                promptTitle="Value",
                prompt=_clip(
                    "Pick the level whose anchored description fits the evidence best, or "
                    f"{NOT_APPLICABLE_CHOICE} if the indicator does not apply to this mission "
                    "(then say why in 'Why not applicable').",
                    255,
                ),
            )
        elif isinstance(scale, BinaryScale):
            dv = DataValidation(
                type="list",
                formula1=list_formula(["1", "0", NOT_APPLICABLE_CHOICE]),
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Yes or no",
                error=_clip(
                    f"Enter 1 for {scale.true_label} or 0 for {scale.false_label}, or "
                    f"{NOT_APPLICABLE_CHOICE} (say why beside it).",
                    225,
                ),
                showInputMessage=True,
                promptTitle="Value",
                prompt=_clip(
                    f"1 = {scale.true_label}, 0 = {scale.false_label}; {NOT_APPLICABLE_CHOICE} if "
                    "it does not apply (say why in 'Why not applicable')",
                    255,
                ),
            )
        else:
            if not isinstance(scale, NumericScale):  # pragma: no cover - the union is closed
                raise TypeError(f"unknown scale kind {scale!r}")
            lo, hi = scale.minimum, scale.maximum
            bounds = [f"ISNUMBER({cell})"]
            if lo is not None:
                bounds.append(f"{cell}>={_num(lo)}")
            if hi is not None:
                bounds.append(f"{cell}<={_num(hi)}")
            if lo is not None and hi is not None:
                what = f"a number from {_num(lo)} to {_num(hi)}"
            elif lo is not None:
                what = f"a number of at least {_num(lo)}"
            elif hi is not None:
                what = f"a number of at most {_num(hi)}"
            else:
                what = "a number"
            unit = f" ({scale.unit})" if scale.unit else ""
            # Excel compares text ignoring case: n/a and N/A are both taken
            dv = DataValidation(
                type="custom",
                formula1=f'OR(AND({",".join(bounds)}),{cell}="N/A",'
                f'{cell}="{NOT_APPLICABLE_CHOICE}")',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Not a valid number",
                error=_clip(
                    f"Enter {what}{unit}, or N/A if the indicator does not apply (say why beside "
                    "it), or leave the cell empty.",
                    225,
                ),
                showInputMessage=True,
                promptTitle="Value",
                prompt=_clip(
                    f"Enter {what}{unit}, or N/A if it does not apply (say why in 'Why not "
                    "applicable').",
                    255,
                ),
            )
        validations[key] = dv
        return dv

    confidence_dv = DataValidation(
        type="list",
        formula1='"' + ",".join(CONFIDENCE_LEVELS) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Confidence",
        error="Pick low, medium or high, or leave the cell empty.",
        showInputMessage=True,
        promptTitle="Confidence",
        prompt="How sure are you? low, medium or high (see the Instructions sheet).",
    )

    # ---------------------------------------------------------------- mission sheets
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor=_HEADER_FILL)
    locked_fill = PatternFill("solid", fgColor=_LOCKED_FILL)
    sheets = []
    for title, mission in zip(titles, mission_list, strict=True):
        ws = wb.create_sheet(title, index=len(wb.sheetnames) - 1)
        sheets.append(ws)
        _put(ws, TITLE_ROW, 1, f"{framework.title}: {mission}", font=Font(bold=True, size=14))
        top: list[tuple[int, str, str | None, bool]] = [
            (MISSION_ROW, "Mission", mission, False),
            (PERIOD_ROW, "Period", period_label, period_label is None),
            (PHASE_ROW, "Phase", phase, False),
            (RATER_ROW, "Rater (your name)", rater, True),
        ]
        for row, label, shown, editable in top:
            _put(ws, row, 1, label, font=Font(bold=True))
            cell = _put(ws, row, 2, shown, border=border)
            if editable:
                cell.fill = entry_fill
                cell.protection = unlocked
                cell.number_format = "@"
            else:
                cell.fill = locked_fill
        phase_label = next(v.label for v in framework.facet("phase").values if v.id == phase)
        _put(ws, PHASE_ROW, 3, phase_label or "")
        if period_label is None:
            _put(
                ws, PERIOD_ROW, 3, "e.g. 2024-H1, 2024-Q3, 2024 or 2023/24", font=Font(italic=True)
            )
        _put(
            ws,
            NOTE_ROW,
            1,
            "Fill the yellow cells only. Pick a value beside the anchored descriptions, or N/A "
            "(with the reason) if an indicator does not apply; leave the whole row empty if you "
            "do not assess it. See the Instructions sheet.",
            font=Font(italic=True),
        )
        headers = {
            col_ind: "Indicator",
            col_name: "Name",
            col_question: "Question",
            col_scale: "Scale",
        }
        for k in range(n_anchors):
            headers[col_anchor + k] = f"Anchor {k + 1}"
        for field, col in entry_cols.items():
            headers[col] = ENTRY_HEADERS[field]
        for col, text in headers.items():
            _put(
                ws,
                HEADER_ROW,
                col,
                text,
                font=header_font,
                fill=header_fill,
                alignment=wrap,
                border=border,
            )
        row = FIRST_ROW
        last_col = entry_cols["comment"]
        for kind, heading, members in blocks:
            if kind in ("dimension", "subdimension"):
                fill = PatternFill(
                    "solid", fgColor=_DIMENSION_FILL if kind == "dimension" else _SUBDIMENSION_FILL
                )
                for col in range(1, last_col + 1):
                    ws.cell(row=row, column=col).fill = fill
                _put(
                    ws,
                    row,
                    col_name,
                    heading,
                    font=Font(
                        bold=True,
                        italic=kind == "subdimension",
                        size=12 if kind == "dimension" else 11,
                    ),
                )
                row += 1
            for ind in members:
                question = ind.question or ind.definition
                if ind.evidence:
                    question += ("\n" if question else "") + "Evidence: " + "; ".join(ind.evidence)
                _put(ws, row, col_ind, ind.id, alignment=wrap, border=border)
                _put(ws, row, col_name, ind.name, alignment=wrap, border=border)
                _put(ws, row, col_question, question, alignment=wrap, border=border)
                _put(ws, row, col_scale, _scale_text(framework, ind), alignment=wrap, border=border)
                for k in range(n_anchors):
                    texts = anchors[ind.id]
                    _put(
                        ws,
                        row,
                        col_anchor + k,
                        texts[k] if k < len(texts) else None,
                        alignment=wrap,
                        border=border,
                    )
                for field, col in entry_cols.items():
                    cell = ws.cell(row=row, column=col)
                    cell.fill = entry_fill
                    cell.protection = unlocked
                    cell.border = border
                    cell.alignment = wrap
                    if field != "value":
                        cell.number_format = "@"
                value_cell = ws.cell(row=row, column=entry_cols["value"]).coordinate
                validation_for(ind, value_cell).add(value_cell)
                confidence_dv.add(ws.cell(row=row, column=entry_cols["confidence"]).coordinate)
                row += 1
        for dv in [*validations.values(), confidence_dv]:
            if dv.sqref:
                ws.add_data_validation(_copy_validation(dv))
        for dv in [*validations.values(), confidence_dv]:
            dv.sqref = type(dv.sqref)()
        widths = {col_ind: 12, col_name: 28, col_question: 48, col_scale: 24}
        for k in range(n_anchors):
            widths[col_anchor + k] = 30
        widths.update(
            {
                entry_cols["value"]: 12,
                entry_cols["not_applicable_reason"]: 28,
                entry_cols["confidence"]: 13,
                entry_cols["evidence"]: 50,
                entry_cols["sources"]: 32,
                entry_cols["comment"]: 32,
            }
        )
        for col, width in widths.items():
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.column_dimensions["B"].width = max(widths[col_name], 28)
        ws.freeze_panes = ws.cell(row=FIRST_ROW, column=col_question).coordinate
        ws.protection.sheet = True
        ws.protection.formatColumns = False
        ws.protection.formatRows = False
        ws.protection.formatCells = True
        ws.page_setup.orientation = "landscape"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToHeight = 0
    wb.move_sheet(META_SHEET, offset=len(wb.sheetnames))
    wb.security = WorkbookProtection(lockStructure=True)
    wb.active = 0
    # written atomically: a crash or a full disk leaves the old file (see missionlens.atomic)
    with atomic_path(target) as temporary:
        wb.save(temporary)
    return target


def _check_text(value: str, argument: str) -> None:
    """Refuse a mission or rater name that no Excel cell can hold whole, naming the argument.

    Control characters are kept (written with the ``_xHHHH_`` escape of ECMA-376 and read
    back exactly), except in sheet titles, where they become ``_``.
    """
    check_cell_text(value, f"write_template: {argument} ({value[:20]!r}...)")


def _copy_validation(dv: Any) -> Any:
    """A fresh DataValidation with the same rule and ranges (one per sheet)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    copy = DataValidation(
        type=dv.type,
        operator=dv.operator,
        formula1=dv.formula1,
        formula2=dv.formula2,
        allow_blank=dv.allow_blank,
        showErrorMessage=dv.showErrorMessage,
        errorTitle=dv.errorTitle,
        error=dv.error,
        showInputMessage=dv.showInputMessage,
        promptTitle=dv.promptTitle,
        prompt=dv.prompt,
    )
    copy.sqref = dv.sqref
    return copy


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _write_instructions(
    ws: Any,
    fw: Framework,
    missions: list[str],
    phase: str,
    period: str | None,
    version: str,
    font: Any,
    wrap: Any,
) -> None:
    lines: list[tuple[str, str]] = [
        ("title", f"{fw.title}: assessment template"),
        ("", f"Framework '{fw.id}' version {fw.version} (fingerprint {fw.fingerprint})."),
        (
            "",
            f"Missions: {', '.join(missions)}. Period: {period or 'enter it on each sheet'}. "
            f"Phase: {phase}.",
        ),
        ("", ""),
        ("heading", "How to fill in this workbook"),
        (
            "",
            "1. Each mission has its own sheet (tabs at the bottom). Type your name in the yellow "
            "'Rater' cell at the top of every sheet you fill in.",
        ),
        (
            "",
            "2. For each indicator, read the question and the anchored description of each level, "
            "then enter the level that best fits the evidence in the yellow 'Value' cell: click it "
            "and pick from the list. Numeric indicators take a number; yes/no indicators take 1 "
            "(yes) or 0 (no).",
        ),
        (
            "",
            "3. Say how confident you are (low, medium or high), summarise the evidence your value "
            "rests on and name your sources. Evidence matters most for extreme levels.",
        ),
        (
            "",
            f"4. If an indicator does not apply to the mission (the UN-AU partnership outside "
            f"Africa, a country not on the Peacebuilding Commission's agenda), pick "
            f"'{NOT_APPLICABLE_CHOICE}' in the Value cell (or type N/A in a numeric one) and say "
            "why in the yellow 'Why not applicable' cell: it is then left out of the mission's "
            "scores, neither missing nor the lowest level. If you cannot assess an indicator, "
            "leave its whole row empty. Do not guess.",
        ),
        (
            "",
            "5. Grey and white cells are protected so that missionlens can read the workbook back "
            "(the protection has no password). Do not rename sheets or change indicator ids.",
        ),
        (
            "",
            "6. Several analysts: each fills in their own copy; missionlens combines them and "
            "measures how far they agree.",
        ),
        ("", "7. Save the workbook as .xlsx and return it."),
        ("", ""),
        ("heading", "Columns"),
        (
            "",
            "Indicator, Name: what is assessed. Question: the guiding question and suggested "
            "evidence. Scale: the values allowed and whether higher is better.",
        ),
        ("", "Anchor 1, Anchor 2, ...: what each level means for this indicator."),
        (
            "",
            "Value: your assessment, or N/A. Why not applicable: the reason, required with N/A "
            "(and only then). Confidence: low, medium or high. Evidence: what you saw. "
            "Sources: where (documents, interviews, data). Comment: anything else.",
        ),
        ("", ""),
        ("heading", "Confidence"),
    ]
    lines += [("", f"{level}: {CONFIDENCE_MEANING[level]}") for level in CONFIDENCE_LEVELS]
    lines += [
        ("", ""),
        (
            "",
            f"Made by missionlens {version}. Check a filled workbook with: missionlens validate "
            "FILE --framework NAME",
        ),
    ]
    for r, (kind, text) in enumerate(lines, start=1):
        cell = _put(ws, r, 1, text, alignment=wrap)
        if kind == "title":
            cell.font = font(bold=True, size=14)
        elif kind == "heading":
            cell.font = font(bold=True, size=12)
    ws.column_dimensions["A"].width = 110
    ws.protection.sheet = True


# ---------------------------------------------------------------------------- reading back
def _cell(rows: list[tuple[Any, ...]], ref: str) -> Any:
    """The value of a cell like ``B5`` from rows read with ``values_only``."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    letter, number = coordinate_from_string(ref)
    col = column_index_from_string(letter)
    if number - 1 >= len(rows):
        return None
    row = rows[number - 1]
    return cell_text(row[col - 1]) if col - 1 < len(row) else None


def template_batches(workbook: Any, meta: dict[str, str], name: str) -> list[Batch]:
    """Read the entries of a filled template (opened read-only) into raw batches."""
    from openpyxl.utils.cell import coordinate_from_string

    modified = workbook.properties.modified
    entered_at = (
        pd.Timestamp(modified).tz_localize("UTC").isoformat()
        if isinstance(modified, dt.datetime)
        else None
    )
    damaged = _meta_problem(meta)
    if damaged is not None:
        return [unreadable_batch(name, damaged, sheet=META_SHEET)]
    n_sheets = int(meta["sheets"])
    header_row = int(meta.get("header_row", str(HEADER_ROW)))
    cells = {
        field: meta.get(f"{field}_cell", default)
        for field, default in (
            ("mission", f"B{MISSION_ROW}"),
            ("period", f"B{PERIOD_ROW}"),
            ("phase", f"B{PHASE_ROW}"),
            ("rater", f"B{RATER_ROW}"),
        )
    }
    batches: list[Batch] = []
    for k in range(1, n_sheets + 1):
        title = meta.get(f"sheet:{k}", "")
        mission = meta.get(f"mission:{k}", "")
        if title not in workbook.sheetnames:
            batches.append(
                unreadable_batch(
                    name,
                    f"the sheet {title!r} for mission {mission!r} is missing (was it renamed or "
                    "deleted?)",
                    sheet=title,
                )
            )
            continue
        rows = [tuple(r) for r in workbook[title].iter_rows(values_only=True)]
        header = rows[header_row - 1] if header_row - 1 < len(rows) else ()
        positions: dict[str, int] = {}
        for i, value in enumerate(header):
            text = as_text(cell_text(value))
            if text is not None:
                positions.setdefault(text.strip().lower(), i)
        wanted = {"indicator": "indicator", **{f: ENTRY_HEADERS[f].lower() for f in ENTRY_HEADERS}}
        lost = [
            label
            for field, label in wanted.items()
            if label not in positions and field not in _OPTIONAL_HEADERS
        ]
        if lost:
            batches.append(
                unreadable_batch(
                    name,
                    f"row {header_row} of sheet {title!r} lacks the column(s) "
                    f"{', '.join(lost)}; the header row must not be changed",
                    sheet=title,
                )
            )
            continue
        shared = {field: _cell(rows, ref) for field, ref in cells.items()}
        edited = _edited_cells(meta, mission, shared, cells)
        if edited:
            for field, ref, problem in edited:
                failure = file_failure(name, "unreadable", problem, sheet=title)
                failure.update(row=coordinate_from_string(ref)[1], column=field, mission=mission)
                failure["value"] = as_text(shared[field]) or ""
                batches.append(Batch(file=name, frame=pd.DataFrame(), failures=[failure]))
            continue
        records: list[dict[str, object]] = []
        for number in range(header_row + 1, len(rows) + 1):
            row = rows[number - 1]

            def get(
                label: str, row: tuple[Any, ...] = row, positions: dict[str, int] = positions
            ) -> Any:
                i = positions.get(label, len(row))  # an optional column absent: empty
                return cell_text(row[i]) if i < len(row) else None

            entry = {f: get(ENTRY_HEADERS[f].lower()) for f in ENTRY_HEADERS}
            if all(v is None for v in entry.values()):
                continue
            record: dict[str, object] = {
                "indicator": as_text(get("indicator")),
                "value": entry["value"],
                "not_applicable_reason": as_text(entry["not_applicable_reason"]),
                "confidence": as_text(entry["confidence"]),
                "evidence": as_text(entry["evidence"]),
                "sources": as_text(entry["sources"]),
                "comment": as_text(entry["comment"]),
                INTERNAL + "row": number,
            }
            records.append(record)
        if not records:
            continue
        frame = pd.DataFrame.from_records(records)
        frame.insert(0, "mission", mission)
        frame.insert(1, "period", as_text(shared["period"]))
        frame.insert(2, "phase", as_text(shared["phase"]))
        frame.insert(3, "rater", as_text(shared["rater"]))
        frame["entered_at"] = entered_at
        frame["framework_id"] = meta.get("framework_id")
        frame["framework_version"] = meta.get("framework_version")
        frame["framework_fingerprint"] = meta.get("framework_fingerprint")
        frame[INTERNAL + "sheet"] = title
        for field, ref in cells.items():
            frame[INTERNAL + "row__" + field] = coordinate_from_string(ref)[1]
        batches.append(Batch(file=name, frame=frame, fixed=("mission", "period", "phase", "rater")))
    return batches


#: Entry columns a template may lack (made before they existed): read as empty.
_OPTIONAL_HEADERS: frozenset[str] = frozenset({"not_applicable_reason"})

#: Keys the hidden sheet of every template holds (besides ``sheet:<k>`` and ``mission:<k>``).
_META_KEYS: tuple[str, ...] = (
    "format",
    "format_version",
    "framework_id",
    "framework_version",
    "framework_fingerprint",
    "phase",
    "sheets",
)


def _meta_problem(meta: dict[str, str]) -> str | None:
    """Why the hidden ``_missionlens`` sheet of a template cannot be trusted, or ``None``."""
    head = f"the hidden {META_SHEET} sheet was edited or is damaged:"
    if meta.get("format") != TEMPLATE_FORMAT:
        return (
            f"{head} its format is {meta.get('format')!r}, not {TEMPLATE_FORMAT!r}; "
            "the workbook cannot be matched to its framework. Use an unedited copy of the "
            "template (or write a new one with missionlens template)"
        )
    lost = [k for k in _META_KEYS if not meta.get(k)]
    if lost:
        return f"{head} the key(s) {', '.join(lost)} are missing or empty"
    if meta["format_version"] != "1":
        return f"{head} format_version is {meta['format_version']!r}, this missionlens reads 1"
    try:
        n_sheets = int(meta["sheets"])
        int(meta.get("header_row", str(HEADER_ROW)))
    except ValueError:
        return f"{head} 'sheets' or 'header_row' is not a whole number"
    lost = [
        key
        for k in range(1, n_sheets + 1)
        for key in (f"sheet:{k}", f"mission:{k}")
        if not meta.get(key)
    ]
    if n_sheets < 1 or lost:
        return f"{head} the sheets and missions are not all listed ({', '.join(lost) or 'none'})"
    return None


def _edited_cells(
    meta: dict[str, str], mission: str, shared: dict[str, Any], cells: dict[str, str]
) -> list[tuple[str, str, str]]:
    """Locked cells of a mission sheet whose text differs from what the template was made with.

    The mission (and the phase, and the period if the template fixed it) are locked cells; if
    one was changed (after lifting the sheet protection), the entries of the sheet would be
    ambiguous: they are not read, and a failure names the cell.
    """
    made = {"mission": mission, "phase": meta.get("phase", ""), "period": meta.get("period", "")}
    out: list[tuple[str, str, str]] = []
    for field, expected in made.items():
        if not expected:  # the period of a template without one is typed in
            continue
        found = as_text(shared[field])
        if (found or "").strip() != expected:
            out.append(
                (
                    field,
                    cells[field],
                    f"the {field} cell {cells[field]} is locked and says {found!r}, but the "
                    f"template was made for {field} {expected!r} (recorded in its hidden "
                    f"{META_SHEET} sheet); the entries of this sheet are not read. Restore the "
                    f"cell, or enter the entries in a template made for {found!r}",
                )
            )
    return out


def is_template(source: Source) -> bool:
    """Whether an XLSX source is a template made by :func:`write_template` (its hidden sheet).

    A hidden sheet that lists template keys under another (or no) ``format`` is taken for an
    edited template too, so that its reader reports the damage instead of the workbook being
    read as a plain table.
    """
    meta = workbook_meta(source)
    form = meta.get("format", "")
    if form == TEMPLATE_FORMAT:
        return True
    return form != "missionlens-assessments" and any(
        k in meta for k in ("framework_fingerprint", "mission_cell", "sheet:1")
    )


def read_template(source: Source) -> list[Batch]:
    """Read a filled template (the ``excel-template`` reader).

    An unfilled template gives one empty batch, so that the file stays in the report.
    """
    return template_batches(workbook(source), workbook_meta(source), source.name) or [
        Batch(file=source.name, frame=pd.DataFrame())
    ]


register_reader(
    "excel-template",
    suffixes=(".xlsx", ".xlsm"),
    read=read_template,
    sniff=is_template,
    priority=20,
    errors=XLSX_ERRORS,
)
