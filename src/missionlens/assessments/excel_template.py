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
from missionlens.framework.translations import (
    LANGUAGE_NAMES,
    check_language,
    is_rtl,
    lookup,
    ui,
    ui_catalogue,
)
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


class _Texts:
    """The framework's text and the interface strings in one language, counting fallbacks."""

    def __init__(self, fw: Framework, lang: str, prefix: str = "template.") -> None:
        self.fw = fw
        self.lang = lang
        self.prefix = prefix
        self.fallbacks: set[tuple[str, str]] = set()

    def fw_text(self, element_id: str, field: str) -> str:
        """A framework text (English when untranslated: counted, and recorded on ``fw``)."""
        found = lookup(self.fw, element_id, field, self.lang)
        if found.fallback:
            self.fallbacks.add((element_id, field))
            self.fw.text(element_id, field, self.lang)  # records it in fw.text_fallbacks
        return found.text

    def ui(self, key: str, **values: object) -> str:
        """An interface string (``<prefix><key>``, ``template.<key>`` by default)."""
        return ui(self.prefix + key, self.lang, **values)

    def scale_name(self, scale_id: str) -> str:
        return self.fw_text("scales:" + scale_id, "name")

    def binary_labels(self, scale: BinaryScale) -> tuple[str, str]:
        return (
            self.fw_text("scales:" + scale.id, "true_label") or scale.true_label,
            self.fw_text("scales:" + scale.id, "false_label") or scale.false_label,
        )

    def unit(self, scale: NumericScale) -> str:
        return self.fw_text("scales:" + scale.id, "unit") if scale.unit else ""


def _scale_text(fw: Framework, ind: Indicator, tx: _Texts | None = None) -> str:
    tx = tx or _Texts(fw, "en")
    scale = fw.scale(ind.scale)
    better = tx.ui("higher_better" if ind.direction == 1 else "lower_better")
    if isinstance(scale, RubricScale):
        lo, hi = scale.bounds
        name = tx.scale_name(scale.id) or scale.id
        return tx.ui("scale_rubric", name=name, low=_num(lo), high=_num(hi), better=better)
    if isinstance(scale, BinaryScale):
        yes, no = tx.binary_labels(scale)
        return tx.ui("scale_binary", true=yes, false=no)
    if not isinstance(scale, NumericScale):  # pragma: no cover - the union is closed
        raise TypeError(f"unknown scale kind {scale!r}")
    unit = f" {tx.unit(scale)}" if scale.unit else ""
    if scale.minimum is not None and scale.maximum is not None:
        bounds = tx.ui("bounds_both", low=_num(scale.minimum), high=_num(scale.maximum))
    elif scale.minimum is not None:
        bounds = tx.ui("bounds_low", low=_num(scale.minimum))
    elif scale.maximum is not None:
        bounds = tx.ui("bounds_high", high=_num(scale.maximum))
    else:
        bounds = tx.ui("bounds_none")
    return tx.ui("scale_number", unit=unit, bounds=bounds, better=better)


def _num(value: float) -> str:
    return as_text(float(value)) or ""


def _anchor_texts(fw: Framework, ind: Indicator, tx: _Texts | None = None) -> list[str]:
    tx = tx or _Texts(fw, "en")
    scale = fw.scale(ind.scale)
    if isinstance(scale, RubricScale):
        table = fw.anchors(ind.id)
        own = {_num(a.value) for a in ind.anchors}
        out = []
        for v, label, desc in zip(
            table["value"], table["label"], table["description"], strict=True
        ):
            key = _num(v)
            label = tx.fw_text("scales:" + scale.id, f"levels.{key}.label") or label
            if desc:
                desc = (
                    tx.fw_text(ind.id, f"anchors.{key}")
                    if key in own
                    else tx.fw_text("scales:" + scale.id, f"levels.{key}.description")
                ) or desc
            out.append(f"{key} – {label}" + (f": {desc}" if desc else ""))
        return out
    if isinstance(scale, BinaryScale):
        yes, no = tx.binary_labels(scale)
        return [f"1 – {yes}", f"0 – {no}"]
    return []


def _groups(
    fw: Framework, indicators: Sequence[Indicator], tx: _Texts | None = None
) -> list[tuple[str, str, list[Indicator]]]:
    """(kind, title, indicators) blocks: dimensions, then sub-dimensions inside them."""
    blocks: list[tuple[str, str, list[Indicator]]] = []
    for dim in fw.dimensions:
        inside = [i for i in indicators if fw.dimension_of(i.id) == dim.id]
        if not inside:
            continue
        dim_name = tx.fw_text("nodes:" + dim.id, "name") if tx else dim.name
        blocks.append(("dimension", f"{dim_name} ({dim.id})", []))
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
                name = tx.fw_text("nodes:" + node.id, "name") if tx else node.name
                blocks.append(("subdimension", f"{name} ({node.id})", members))
    return blocks


def write_template(
    framework: Framework,
    path: str | os.PathLike[str],
    *,
    missions: Sequence[str],
    phase: str,
    period: str | None = None,
    rater: str | None = None,
    lang: str = "en",
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
    lang : str, default "en"
        The working language of the workbook (BCP 47 tag: ``"fr"``, ``"ar"``): instructions,
        headers, names, questions, anchors and drop-down labels in that language (the
        framework's translations, see :meth:`Framework.text`, and the interface catalogue
        :func:`~missionlens.framework.translations.ui`), English where a translation is
        missing (counted on the Instructions sheet and recorded in
        :attr:`Framework.text_fallbacks`). Right-to-left languages (``"ar"``) get
        right-to-left sheets. Reading back does not depend on the language: values are the
        level values; the translated *not applicable* and confidence choices are recorded in
        the hidden sheet and read back as the English ones.

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
    lang = check_language(lang)
    tx = _Texts(framework, lang)
    na_choice = tx.ui("not_applicable_choice")
    confidence_choices = {c: tx.ui(f"confidence_choice.{c}") for c in CONFIDENCE_LEVELS}
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

    blocks = _groups(framework, indicators, tx)
    anchors = {i.id: _anchor_texts(framework, i, tx) for i in indicators}
    n_anchors = max((len(a) for a in anchors.values()), default=0)
    col_ind, col_name, col_question, col_scale = 1, 2, 3, 4
    col_anchor = 5
    col_value = col_anchor + n_anchors
    entry_cols = {field: col_value + k for k, field in enumerate(ENTRY_HEADERS)}

    wb = openpyxl.Workbook()
    wb.properties.creator = "missionlens"
    # document properties are plain XML: characters it cannot hold are left out
    fw_title = tx.fw_text("", "title")
    wb.properties.title = _CONTROL.sub("", tx.ui("title", title=fw_title))
    thin = Side(style="thin", color="BFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    entry_fill = PatternFill("solid", fgColor=_ENTRY_FILL)
    unlocked = Protection(locked=False)

    # ---------------------------------------------------------------- instructions
    info = wb.active
    info.title = tx.ui("sheet_instructions")

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
        ("language", lang),
        ("not_applicable_choice", na_choice),
        *((f"confidence:{c}", label) for c, label in confidence_choices.items()),
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
            if item == na_choice:
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
                formula1=list_formula([*levels, na_choice]),
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=_clip(tx.ui("dv_level_title"), 32),
                error=_clip(tx.ui("dv_level_error", levels=", ".join(levels), na=na_choice), 225),
                showInputMessage=True,
                promptTitle=_clip(tx.ui("dv_value_title"), 32),
                prompt=_clip(tx.ui("dv_level_prompt", na=na_choice), 255),
            )
        elif isinstance(scale, BinaryScale):
            yes, no = tx.binary_labels(scale)
            dv = DataValidation(
                type="list",
                formula1=list_formula(["1", "0", na_choice]),
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=_clip(tx.ui("dv_binary_title"), 32),
                error=_clip(tx.ui("dv_binary_error", true=yes, false=no, na=na_choice), 225),
                showInputMessage=True,
                promptTitle=_clip(tx.ui("dv_value_title"), 32),
                prompt=_clip(tx.ui("dv_binary_prompt", true=yes, false=no, na=na_choice), 255),
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
                what = tx.ui("number_both", low=_num(lo), high=_num(hi))
            elif lo is not None:
                what = tx.ui("number_low", low=_num(lo))
            elif hi is not None:
                what = tx.ui("number_high", high=_num(hi))
            else:
                what = tx.ui("number_any")
            unit = f" ({tx.unit(scale)})" if scale.unit else ""
            # Excel compares text ignoring case: n/a and N/A are both taken
            na_texts = dict.fromkeys([NOT_APPLICABLE_CHOICE, na_choice])
            dv = DataValidation(
                type="custom",
                formula1=f'OR(AND({",".join(bounds)}),{cell}="N/A",'
                + ",".join(f'{cell}="{t}"' for t in na_texts)
                + ")",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=_clip(tx.ui("dv_number_title"), 32),
                error=_clip(tx.ui("dv_number_error", what=what, unit=unit), 225),
                showInputMessage=True,
                promptTitle=_clip(tx.ui("dv_value_title"), 32),
                prompt=_clip(tx.ui("dv_number_prompt", what=what, unit=unit), 255),
            )
        validations[key] = dv
        return dv

    choices = ", ".join(confidence_choices.values())
    confidence_dv = DataValidation(
        type="list",
        formula1='"' + ",".join(confidence_choices.values()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_clip(tx.ui("dv_confidence_title"), 32),
        error=_clip(tx.ui("dv_confidence_error", choices=choices), 225),
        showInputMessage=True,
        promptTitle=_clip(tx.ui("dv_confidence_title"), 32),
        prompt=_clip(tx.ui("dv_confidence_prompt", choices=choices), 255),
    )

    # ---------------------------------------------------------------- mission sheets
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor=_HEADER_FILL)
    locked_fill = PatternFill("solid", fgColor=_LOCKED_FILL)
    sheets = []
    for title, mission in zip(titles, mission_list, strict=True):
        ws = wb.create_sheet(title, index=len(wb.sheetnames) - 1)
        sheets.append(ws)
        if is_rtl(lang):
            ws.sheet_view.rightToLeft = True
        _put(
            ws,
            TITLE_ROW,
            1,
            tx.ui("sheet_title", title=fw_title, mission=mission),
            font=Font(bold=True, size=14),
        )
        top: list[tuple[int, str, str | None, bool]] = [
            (MISSION_ROW, tx.ui("top_mission"), mission, False),
            (PERIOD_ROW, tx.ui("top_period"), period_label, period_label is None),
            (PHASE_ROW, tx.ui("top_phase"), phase, False),
            (RATER_ROW, tx.ui("top_rater"), rater, True),
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
        phase_label = _phase_label(framework, phase, tx)
        _put(ws, PHASE_ROW, 3, phase_label or "")
        if period_label is None:
            _put(ws, PERIOD_ROW, 3, tx.ui("period_example"), font=Font(italic=True))
        _put(ws, NOTE_ROW, 1, tx.ui("note"), font=Font(italic=True))
        headers = {
            col_ind: tx.ui("header.indicator"),
            col_name: tx.ui("header.name"),
            col_question: tx.ui("header.question"),
            col_scale: tx.ui("header.scale"),
        }
        for k in range(n_anchors):
            headers[col_anchor + k] = tx.ui("header.anchor", k=k + 1)
        for field, col in entry_cols.items():
            headers[col] = tx.ui(f"header.{field}")
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
                question = tx.fw_text(ind.id, "question") or tx.fw_text(ind.id, "definition")
                if ind.evidence:
                    evidence = [
                        tx.fw_text(ind.id, f"evidence.{k}") for k in range(len(ind.evidence))
                    ]
                    question += ("\n" if question else "") + tx.ui("evidence_prefix")
                    question += "; ".join(evidence)
                _put(ws, row, col_ind, ind.id, alignment=wrap, border=border)
                _put(ws, row, col_name, tx.fw_text(ind.id, "name"), alignment=wrap, border=border)
                _put(ws, row, col_question, question, alignment=wrap, border=border)
                scale_text = _scale_text(framework, ind, tx)
                _put(ws, row, col_scale, scale_text, alignment=wrap, border=border)
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
    _write_instructions(
        info, framework, mission_list, phase, period_label, __version__, Font, wrap, tx
    )
    if is_rtl(lang):
        info.sheet_view.rightToLeft = True
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


def _phase_label(fw: Framework, phase: str, tx: _Texts) -> str:
    label = next(v.label for v in fw.facet("phase").values if v.id == phase)
    if not label:
        return ""
    return tx.fw_text("facets:phase", f"values.{phase}.label") or label


def _write_instructions(
    ws: Any,
    fw: Framework,
    missions: list[str],
    phase: str,
    period: str | None,
    version: str,
    font: Any,
    wrap: Any,
    tx: _Texts | None = None,
) -> None:
    tx = tx or _Texts(fw, "en")
    na = tx.ui("not_applicable_choice")
    lines: list[tuple[str, str]] = [
        ("title", tx.ui("title", title=tx.fw_text("", "title"))),
        ("", tx.ui("framework_line", id=fw.id, version=fw.version, fingerprint=fw.fingerprint)),
        (
            "",
            tx.ui(
                "missions_line",
                missions=", ".join(missions),
                period=period or tx.ui("period_enter"),
                phase=phase,
            ),
        ),
        ("", ""),
        ("heading", tx.ui("how_heading")),
        *(("", tx.ui(f"how_{k}", na=na)) for k in range(1, 8)),
        ("", ""),
        ("heading", tx.ui("columns_heading")),
        *(("", tx.ui(f"columns_{k}")) for k in range(1, 4)),
        ("", ""),
        ("heading", tx.ui("confidence_heading")),
    ]
    lines += [
        (
            "",
            tx.ui(
                "confidence_line",
                level=tx.ui(f"confidence_choice.{level}"),
                meaning=tx.ui(f"confidence_{level}"),
            ),
        )
        for level in CONFIDENCE_LEVELS
    ]
    lines += [("", ""), ("", tx.ui("made_by", version=version))]
    if tx.fallbacks:
        language = ui("language_name", tx.lang) if tx.lang in LANGUAGE_NAMES else tx.lang
        lines.append(("", tx.ui("fallback_note", n=len(tx.fallbacks), language=language)))
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
    choices = _localised_choices(meta)
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
        # the header row in any working language: a column is found by its header in the
        # template's language or in any other (the catalogue's headers, and the English ones)
        for field, labels in _header_labels(meta.get("language", "en")).items():
            for label in labels:
                if label in positions:
                    positions.setdefault(f"\0{field}", positions[label])
                    break
        wanted = {"indicator": "indicator", **{f: ENTRY_HEADERS[f].lower() for f in ENTRY_HEADERS}}
        lost = [
            label
            for field, label in wanted.items()
            if f"\0{field}" not in positions and field not in _OPTIONAL_HEADERS
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

            entry = {f: get(f"\0{f}") for f in ENTRY_HEADERS}
            if all(v is None for v in entry.values()):
                continue
            entry["value"] = choices["value"].get(_choice_key(entry["value"]), entry["value"])
            entry["confidence"] = choices["confidence"].get(
                _choice_key(entry["confidence"]), entry["confidence"]
            )
            record: dict[str, object] = {
                "indicator": as_text(get("\0indicator")),
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


def _header_labels(lang: str) -> dict[str, list[str]]:
    """Header texts (lower case) of each column, the template's language first, then English
    and every other catalogue: a header row reads the same in any working language."""
    fields = ["indicator", *ENTRY_HEADERS]
    out: dict[str, list[str]] = {f: [] for f in fields}
    codes = list(dict.fromkeys([lang, "en", *LANGUAGE_NAMES]))
    for code in codes:
        catalogue = ui_catalogue(code) if _plain_tag(code) else {}
        for field in fields:
            text = catalogue.get(f"template.header.{field}", "").strip().lower()
            if text and text not in out[field]:
                out[field].append(text)
    for field in ENTRY_HEADERS:  # the headers of templates made before the catalogue
        if ENTRY_HEADERS[field].lower() not in out[field]:
            out[field].append(ENTRY_HEADERS[field].lower())
    if "indicator" not in out["indicator"]:
        out["indicator"].append("indicator")
    return out


def _plain_tag(code: str) -> bool:
    """Whether a language code from a hidden sheet is safe to look up (a plain tag)."""
    return re.fullmatch(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", code) is not None


def _choice_key(value: Any) -> Any:
    return value.strip().casefold() if isinstance(value, str) else value


def _localised_choices(meta: dict[str, str]) -> dict[str, dict[Any, str]]:
    """The translated drop-down choices recorded in the hidden sheet, mapped to the stored
    values: the *not applicable* choice to :data:`NOT_APPLICABLE_CHOICE`, each confidence
    label to ``low``, ``medium`` or ``high`` (compared ignoring case and outer spaces)."""
    value: dict[Any, str] = {}
    na = meta.get("not_applicable_choice", "")
    if na and na != NOT_APPLICABLE_CHOICE:
        value[_choice_key(na)] = NOT_APPLICABLE_CHOICE
    confidence: dict[Any, str] = {}
    for level in CONFIDENCE_LEVELS:
        label = meta.get(f"confidence:{level}", "")
        if label and _choice_key(label) not in {_choice_key(c) for c in CONFIDENCE_LEVELS}:
            confidence[_choice_key(label)] = level
    return {"value": value, "confidence": confidence}


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
