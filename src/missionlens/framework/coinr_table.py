"""Indicator metadata tables in the COINr layout: a framework as a table and back.

COINr (Becker et al., 2022, "COINr: An R package for developing composite indicators", *Journal
of Open Source Software* 7(78), 4567; https://bluefoxr.github.io/COINr/) describes a composite
indicator's structure with an ``iMeta`` table: one row per indicator and per aggregate, with the
columns ``iCode, iName, Parent, Level, Direction, Weight, Type``. :func:`framework_to_frame`
writes a framework in that layout (plus missionlens columns such as ``Scale`` and ``Anchors``,
list cells as JSON text); :func:`frame_to_data` reads such a table back into the plain data of
a framework file, which :meth:`Framework.from_frame <missionlens.Framework.from_frame>` then
checks like any other file.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from missionlens.errors import ArgumentError, FrameworkError
from missionlens.framework.elements import Facet, NumericScale, Scale
from missionlens.framework.structure import Problem, problem, problem_frame

if TYPE_CHECKING:
    from missionlens.framework.model import Framework

__all__ = ["FRAME_COLUMNS", "frame_to_data", "framework_to_frame", "relabel"]

#: Where problems of a metadata table are reported (the ``file`` column).
TABLE = "metadata table"

#: Columns written by :func:`framework_to_frame`, in order.
FRAME_COLUMNS: tuple[str, ...] = (
    "iCode",
    "iName",
    "Parent",
    "Level",
    "Direction",
    "Weight",
    "Type",
    "Description",
    "Question",
    "Scale",
    "Tier",
    "Phases",
    "Findings",
    "A4P",
    "Anchors",
    "Goalposts",
    "Evidence",
    "DataSources",
    "Tags",
    "Aggregation",
    "AggParam",
    "MissingRule",
    "MinShare",
    # framework schema 2 (indicator rows only), after the columns above so that none moves
    "Role",
    "Actors",
    "Measures",
    "A4PSecondary",
    "Critical",
    "NotApplicableWhen",
    "EvidenceAccess",
)

# framework field -> metadata table column, for error paths
_FIELD_TO_COLUMN: dict[str, str] = {
    "id": "iCode",
    "name": "iName",
    "parent": "Parent",
    "direction": "Direction",
    "weight": "Weight",
    "definition": "Description",
    "description": "Description",
    "question": "Question",
    "scale": "Scale",
    "level": "Tier",
    "phases": "Phases",
    "findings": "Findings",
    "a4p": "A4P",
    "anchors": "Anchors",
    "goalposts": "Goalposts",
    "evidence": "Evidence",
    "data_sources": "DataSources",
    "tags": "Tags",
    "aggregation": "Aggregation",
    "missing": "MissingRule",
    "role": "Role",
    "actors": "Actors",
    "measures": "Measures",
    "a4p_secondary": "A4PSecondary",
    "critical": "Critical",
    "not_applicable_when": "NotApplicableWhen",
    "evidence_access": "EvidenceAccess",
}

_SCHEMA_2_COLUMNS = FRAME_COLUMNS[FRAME_COLUMNS.index("Role") :]
_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0", "")


def _json_cell(value: Any) -> str | None:
    if value is None or value == [] or value == {}:
        return None
    return json.dumps(value, ensure_ascii=False)


def _cell(value: Any) -> Any:
    """A table cell as plain Python: missing values become ``None``, numpy scalars Python ones."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    return value


def _parse_list(value: Any, column: str) -> list[Any]:
    """A list cell: JSON text (as written by to_frame) or ';'-separated text."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except RecursionError:
                raise ValueError(f"column {column}: the JSON list is nested too deeply") from None
            except json.JSONDecodeError:
                raise ValueError(
                    f"column {column}: {value!r} is neither a JSON list nor ';'-separated text"
                ) from None
            if isinstance(parsed, list):
                return parsed
        return [part.strip() for part in text.split(";") if part.strip()]
    return [value]


def _row_to_element(cells: dict[str, Any], kind: str, default_scale: str) -> dict[str, Any]:
    element: dict[str, Any] = {"id": cells.get("iCode"), "name": cells.get("iName")}
    element["parent"] = cells.get("Parent")
    weight = cells.get("Weight")
    if weight is not None:
        element["weight"] = weight
    tier = cells.get("Tier")
    if tier is not None:
        element["level"] = tier
    findings = _parse_list(cells.get("Findings"), "Findings")
    if findings:
        element["findings"] = [
            int(f) if isinstance(f, str) and f.isdigit() else f for f in findings
        ]
    if kind == "Aggregate":
        if cells.get("Description") is not None:
            element["description"] = cells["Description"]
        aggregation: dict[str, Any] = {}
        if cells.get("Aggregation") is not None:
            aggregation["method"] = cells["Aggregation"]
        if cells.get("AggParam") is not None:
            aggregation["p"] = cells["AggParam"]
        if aggregation:
            element["aggregation"] = aggregation
        missing: dict[str, Any] = {}
        if cells.get("MissingRule") is not None:
            missing["rule"] = cells["MissingRule"]
        if cells.get("MinShare") is not None:
            missing["min_share"] = cells["MinShare"]
        if missing:
            element["missing"] = missing
        return element
    direction = cells.get("Direction")
    if direction is not None:
        element["direction"] = int(direction) if isinstance(direction, float) else direction
    element["scale"] = cells.get("Scale") or default_scale
    for column, field in (
        ("Description", "definition"),
        ("Question", "question"),
        ("A4P", "a4p"),
        ("Role", "role"),
        ("A4PSecondary", "a4p_secondary"),
        ("NotApplicableWhen", "not_applicable_when"),
        ("EvidenceAccess", "evidence_access"),
    ):
        if cells.get(column) is not None:
            element[field] = cells[column]
    if cells.get("Critical") is not None:
        element["critical"] = _flag(cells["Critical"])
    measures = _parse_list(cells.get("Measures"), "Measures")
    if measures:
        element["measures"] = [
            int(f) if isinstance(f, str) and f.isdigit() else f for f in measures
        ]
    for column, field in (
        ("Phases", "phases"),
        ("Evidence", "evidence"),
        ("DataSources", "data_sources"),
        ("Actors", "actors"),
    ):
        items = _parse_list(cells.get(column), column)
        if items:
            element[field] = items
    anchors = _parse_list(cells.get("Anchors"), "Anchors")
    if anchors:
        element["anchors"] = [
            {"value": a[0], "description": a[1]} if isinstance(a, list) and len(a) == 2 else a
            for a in anchors
        ]
    goalposts = _parse_list(cells.get("Goalposts"), "Goalposts")
    if goalposts:
        element["goalposts"] = [float(g) for g in goalposts]
    tags = cells.get("Tags")
    if tags is not None:
        try:
            element["tags"] = json.loads(tags) if isinstance(tags, str) else tags
        except RecursionError:
            raise ValueError("column Tags: the JSON object is nested too deeply") from None
        except json.JSONDecodeError:
            raise ValueError(f"column Tags: {tags!r} is not a JSON object") from None
    return element


def _flag(value: Any) -> Any:
    """A ``Critical`` cell as a bool: ``True``/``False``, 1/0 or the words true/false, yes/no
    (as a spreadsheet or CSV holds them); anything else is left for the field check to refuse."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    return value


def relabel(p: dict[str, str], where: dict[str, str]) -> dict[str, str]:
    """Rewrite a path like ``nodes[3].weight`` as ``row 7 (iCode=x).Weight``."""
    path = p["path"]
    for prefix, label in where.items():
        if path == prefix or path.startswith(prefix + "."):
            rest = path[len(prefix) + 1 :]
            head = rest.split(".")[0].split("[")[0]
            column = _FIELD_TO_COLUMN.get(head, rest)
            return {**p, "path": f"{label}.{column}" if rest else label}
    return p


def _column_problems(columns: list[str]) -> list[Problem]:
    """Columns given twice, and ``Weight.1``-style copies that pandas makes of a repeated column."""
    out: list[Problem] = []
    counts = pd.Series(columns).value_counts(sort=False)
    for name, count in counts.items():
        if count > 1:
            out.append(
                problem(
                    "columns",
                    "duplicate_column",
                    f"the metadata table has {count} columns named {name}; keep one (which "
                    "one was meant cannot be guessed)",
                    value=name,
                )
            )
    for name in columns:
        base, _, suffix = name.rpartition(".")
        if base in FRAME_COLUMNS and suffix.isdigit() and base in columns:
            out.append(
                problem(
                    "columns",
                    "duplicate_column",
                    f"the metadata table has the columns {base} and {name}, which is how pandas "
                    f"names a repeated column {base}; keep one (which one was meant cannot be "
                    "guessed)",
                    value=name,
                )
            )
    return out


def framework_to_frame(fw: Framework) -> pd.DataFrame:
    """The framework as an indicator metadata table (see :meth:`Framework.to_frame`)."""
    coinr_level: dict[str, int] = {i.id: 1 for i in fw.indicators}
    for node in sorted(fw.nodes, key=lambda n: -fw.depth(n.id)):
        coinr_level[node.id] = 1 + max(coinr_level[c] for c in fw.children(node.id))
    rows: list[dict[str, Any]] = []
    for ind in fw.indicators:
        rows.append(
            {
                "iCode": ind.id,
                "iName": ind.name,
                "Parent": ind.parent,
                "Level": 1,
                "Direction": ind.direction,
                "Weight": ind.weight,
                "Type": "Indicator",
                "Description": ind.definition,
                "Question": ind.question,
                "Scale": ind.scale,
                "Tier": ind.level,
                "Phases": _json_cell(list(ind.phases)),
                "Findings": _json_cell(list(ind.findings)),
                "A4P": ind.a4p,
                "Anchors": _json_cell([[a.value, a.description] for a in ind.anchors]),
                "Goalposts": _json_cell(list(ind.goalposts) if ind.goalposts else None),
                "Evidence": _json_cell(list(ind.evidence)),
                "DataSources": _json_cell(list(ind.data_sources)),
                "Tags": _json_cell({k: list(v) for k, v in ind.tags.items()}),
                "Role": ind.role,
                "Actors": _json_cell(list(ind.actors)),
                "Measures": _json_cell(list(ind.measures)),
                "A4PSecondary": ind.a4p_secondary,
                "Critical": ind.critical,
                "NotApplicableWhen": ind.not_applicable_when or None,
                "EvidenceAccess": ind.evidence_access,
            }
        )
    for node in fw.nodes:
        rows.append(
            {
                "iCode": node.id,
                "iName": node.name,
                "Parent": node.parent,
                "Level": coinr_level[node.id],
                "Direction": None,
                "Weight": node.weight,
                "Type": "Aggregate",
                "Description": node.description,
                "Tier": node.level,
                "Findings": _json_cell(list(node.findings)),
                "Aggregation": node.aggregation.method,
                "AggParam": node.aggregation.p,
                "MissingRule": node.missing.rule,
                "MinShare": node.missing.min_share,
            }
        )
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
    frame["Direction"] = frame["Direction"].astype("Int64")
    frame["Level"] = frame["Level"].astype("int64")
    for column in _SCHEMA_2_COLUMNS:  # text cells, even when all empty, so they can be filled
        frame[column] = frame[column].astype(object)
    return frame


def frame_to_data(
    meta: pd.DataFrame,
    *,
    id: str,
    version: str,
    title: str | None,
    description: str,
    source: str,
    scales: list[Scale] | tuple[Scale, ...] | None,
    facets: list[Facet] | tuple[Facet, ...],
    default_scale: Scale | None,
) -> tuple[dict[str, Any], dict[str, str], list[Problem]]:
    """Read a metadata table into framework data (see :meth:`Framework.from_frame`).

    Returns
    -------
    raw : dict
        The framework as plain data, ready for the field and structural checks.
    where : dict
        ``nodes[3]``-style paths mapped to ``row 7 (iCode=x)`` labels, for :func:`relabel`.
    problems : list of dict
        Problems of the table itself (unknown ``Type``, unreadable cells).

    Raises
    ------
    ArgumentError
        If ``meta`` is not a pandas DataFrame.
    FrameworkError
        If required columns are missing or a column name appears more than once.
    """
    if not isinstance(meta, pd.DataFrame):
        raise ArgumentError(
            "meta must be a pandas.DataFrame in the COINr layout (columns iCode, iName, Parent, "
            f"Type, ...), not {type(meta).__name__}; build one with pandas.DataFrame(...) or "
            "pandas.read_csv(...)"
        )
    column_problems = _column_problems([str(c) for c in meta.columns])
    if column_problems:
        raise FrameworkError(problem_frame(column_problems, TABLE), TABLE)
    problems: list[dict[str, str]] = []
    missing_cols = [c for c in ("iCode", "iName", "Parent", "Type") if c not in meta.columns]
    if missing_cols:
        problems.append(
            problem(
                "columns",
                "missing_column",
                f"the metadata table lacks the column(s) {', '.join(missing_cols)}; "
                "expected the COINr layout iCode, iName, Parent, Level, Direction, Weight, "
                "Type",
                value=", ".join(missing_cols),
            )
        )
        raise FrameworkError(problem_frame(problems, TABLE), TABLE)
    fallback = default_scale or NumericScale(id="numeric", name="Numeric value")
    scale_list = list(scales) if scales is not None else []
    nodes: list[dict[str, Any]] = []
    indicators: list[dict[str, Any]] = []
    where: dict[str, str] = {}
    for row_number, (_, row) in enumerate(meta.iterrows(), start=1):
        cells = {str(k): _cell(v) for k, v in row.items()}
        kind = cells.get("Type")
        label = f"row {row_number} (iCode={cells.get('iCode')})"
        if kind in ("Denominator", "Group", "Other"):
            continue
        if kind not in ("Indicator", "Aggregate"):
            problems.append(
                problem(
                    f"{label}.Type",
                    "unknown_type",
                    f"Type must be Indicator or Aggregate (or Denominator, Group, Other for "
                    f"data columns), not {kind!r}",
                    id=cells.get("iCode"),
                    value=kind,
                )
            )
            continue
        try:
            element = _row_to_element(cells, kind, fallback.id)
        except ValueError as exc:
            problems.append(problem(label, "bad_cell", str(exc), id=cells.get("iCode"), value=""))
            continue
        target = indicators if kind == "Indicator" else nodes
        where[f"{'indicators' if kind == 'Indicator' else 'nodes'}[{len(target)}]"] = label
        target.append(element)
    if any(i.get("scale") == fallback.id for i in indicators) and not any(
        s.id == fallback.id for s in scale_list
    ):
        scale_list.append(fallback)
    raw = {
        "id": id,
        "version": version,
        "title": title or id,
        "description": description,
        "source": source,
        "scales": [s.model_dump(mode="json") for s in scale_list],
        "facets": [f.model_dump(mode="json") for f in facets],
        "nodes": nodes,
        "indicators": indicators,
    }
    return raw, where, problems
