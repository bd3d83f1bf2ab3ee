"""Structural checks of a framework definition, run on plain (possibly malformed) data.

The checks work on the parsed file (dicts and lists) rather than on validated models, so that a
file with a type error in one place still gets every structural problem reported elsewhere.
Each problem is a dict with the keys of :data:`missionlens.errors.FRAMEWORK_PROBLEM_COLUMNS`
(without ``file``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from missionlens.errors import FRAMEWORK_PROBLEM_COLUMNS
from missionlens.framework.elements import ACTORS, DEFAULT_FACETS
from missionlens.suggest import did_you_mean

Problem = dict[str, str]

# facet id -> (indicator field, whether the field holds a list)
FACET_FIELDS: dict[str, tuple[str, bool]] = {
    "level": ("level", False),
    "phase": ("phases", True),
    "finding": ("findings", True),
    "a4p": ("a4p", False),
    "actor": ("actors", True),
}


def problem(path: str, check: str, message: str, *, id: object = "", value: object = "") -> Problem:
    """Build one problem row (lone surrogates in any cell written escaped, e.g. ``\\ud800``)."""
    return {
        "path": _printable(path),
        "id": "" if id is None else _printable(str(id)),
        "check": check,
        "value": "" if value is None else _printable(str(value)),
        "message": _printable(message),
    }


def _printable(text: str) -> str:
    """Text that can be encoded as UTF-8: lone surrogates become ``\\udXXX`` escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def problem_frame(problems: list[Problem], source: str | None) -> pd.DataFrame:
    """The problem rows as the table of :attr:`FrameworkError.problems` (object columns)."""
    frame = pd.DataFrame(problems, columns=list(FRAMEWORK_PROBLEM_COLUMNS[1:]), dtype=object)
    frame.insert(0, "file", source or "")
    return frame.astype(object)


def _items(raw: Mapping[str, Any], section: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (index, element) for the dict elements of a list section, skipping malformed ones."""
    seq = raw.get(section)
    if not isinstance(seq, list):
        return
    for i, item in enumerate(seq):
        if isinstance(item, dict):
            yield i, item


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _number(value: Any) -> float | None:
    """The number a field validation would make of a value, or ``None`` if it is not one.

    Numeric text counts: pydantic reads ``"1e400"`` (what YAML makes of ``1e400``, which has no
    dot) as infinity, so the checks must see it as the number it becomes.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            return float(value)
        except OverflowError:  # an int beyond the float range, e.g. 10**400
            return math.inf if value > 0 else -math.inf
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def structural_problems(raw: Mapping[str, Any]) -> list[Problem]:
    """Every structural problem of a framework given as plain data.

    Checks: duplicate ids, root count, unknown parents, cycles, orphans, empty nodes, negative,
    non-finite and all-zero weights, unknown scales, rubric levels (duplicates, order, finite
    values), anchors that do not match the rubric's levels, numeric bounds and goalposts (finite,
    low below high), aggregation parameters (finite), facet values that the framework does not
    declare, and text that is not valid Unicode (lone surrogates, which no file can hold).
    """
    out: list[Problem] = []
    nodes = list(_items(raw, "nodes"))
    indicators = list(_items(raw, "indicators"))
    scales = list(_items(raw, "scales"))
    facets = list(_items(raw, "facets"))

    out += _duplicate_ids(nodes, indicators, scales, facets)
    out += _scale_problems(scales)
    out += _tree_problems(nodes, indicators)
    out += _weight_problems(nodes, indicators)
    out += _indicator_scale_problems(indicators, scales)
    out += _facet_problems(nodes, indicators, facets)
    out += _schema2_problems(indicators, scales, facets)
    out += _aggregation_problems(nodes)
    out += _text_problems(raw)
    return out


def _duplicate_ids(
    nodes: list[tuple[int, dict[str, Any]]],
    indicators: list[tuple[int, dict[str, Any]]],
    scales: list[tuple[int, dict[str, Any]]],
    facets: list[tuple[int, dict[str, Any]]],
) -> list[Problem]:
    out: list[Problem] = []
    tree = [("nodes", i, e) for i, e in nodes] + [("indicators", i, e) for i, e in indicators]
    for label, group in (
        ("node or indicator", tree),
        ("scale", [("scales", i, e) for i, e in scales]),
        ("facet", [("facets", i, e) for i, e in facets]),
    ):
        first: dict[str, str] = {}
        for section, i, element in group:
            ident = element.get("id")
            if not isinstance(ident, str):
                continue
            path = f"{section}[{i}].id"
            if ident in first:
                out.append(
                    problem(
                        path,
                        "duplicate_id",
                        f"{label} id '{ident}' is already used at {first[ident]}; "
                        "ids must be unique",
                        id=ident,
                        value=ident,
                    )
                )
            else:
                first[ident] = path
    for fi, facet in facets:
        seen: set[str] = set()
        for vi, value in enumerate(_as_list(facet.get("values"))):
            vid = value.get("id") if isinstance(value, dict) else None
            if isinstance(vid, str):
                if vid in seen:
                    out.append(
                        problem(
                            f"facets[{fi}].values[{vi}].id",
                            "duplicate_id",
                            f"facet value '{vid}' appears twice in facet '{facet.get('id')}'",
                            id=facet.get("id"),
                            value=vid,
                        )
                    )
                seen.add(vid)
    return out


def _scale_problems(scales: list[tuple[int, dict[str, Any]]]) -> list[Problem]:
    out: list[Problem] = []
    for i, scale in scales:
        sid = scale.get("id")
        kind = scale.get("kind", "rubric")
        if kind == "rubric":
            values = [
                _number(level.get("value"))
                for level in _as_list(scale.get("levels"))
                if isinstance(level, dict)
            ]
            for li, value in enumerate(values):
                if value is not None and not math.isfinite(value):
                    out.append(
                        problem(
                            f"scales[{i}].levels[{li}].value",
                            "invalid_value",
                            f"rubric '{sid}' has a level with value {value}; level values must "
                            "be finite numbers",
                            id=sid,
                            value=value,
                        )
                    )
            numbers = [v for v in values if v is not None and math.isfinite(v)]
            for value, count in Counter(numbers).items():
                if count > 1:
                    out.append(
                        problem(
                            f"scales[{i}].levels",
                            "duplicate_level",
                            f"rubric '{sid}' has {count} levels with value {value:g}; "
                            "each level needs its own value",
                            id=sid,
                            value=value,
                        )
                    )
            if len(set(numbers)) == len(numbers) and numbers != sorted(numbers):
                out.append(
                    problem(
                        f"scales[{i}].levels",
                        "level_order",
                        f"rubric '{sid}' lists its levels out of order ({_fmt(numbers)}); "
                        "list them from the lowest value to the highest",
                        id=sid,
                        value=_fmt(numbers),
                    )
                )
        elif kind == "numeric":
            low, high = _number(scale.get("minimum")), _number(scale.get("maximum"))
            for bound, number in (("minimum", low), ("maximum", high)):
                if number is not None and not math.isfinite(number):
                    out.append(
                        problem(
                            f"scales[{i}].{bound}",
                            "bounds",
                            f"numeric scale '{sid}' has {bound} {number}; bounds must be finite "
                            f"numbers (leave out the {bound} for no bound)",
                            id=sid,
                            value=number,
                        )
                    )
            if low is not None and high is not None and math.isfinite(low - high) and low >= high:
                out.append(
                    problem(
                        f"scales[{i}].minimum",
                        "bounds",
                        f"numeric scale '{sid}' has minimum {low:g} >= maximum {high:g}; "
                        "the minimum must be below the maximum",
                        id=sid,
                        value=f"[{low:g}, {high:g}]",
                    )
                )
            out += _goalpost_problems(scale.get("goalposts"), f"scales[{i}].goalposts", sid)
            transform = scale.get("transform")
            if transform == "log" and low is not None and low <= 0:
                out.append(
                    problem(
                        f"scales[{i}].transform",
                        "transform_domain",
                        f"numeric scale '{sid}' takes a log transform but admits values down to "
                        f"{low:g}; log needs a minimum above 0 (use log1p for counts with zeros)",
                        id=sid,
                        value=low,
                    )
                )
    return out


def _goalpost_problems(goalposts: Any, path: str, ident: Any) -> list[Problem]:
    if goalposts is None or not isinstance(goalposts, (list, tuple)) or len(goalposts) != 2:
        return []
    low, high = _number(goalposts[0]), _number(goalposts[1])
    if low is None or high is None:
        return []
    if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
        return [
            problem(
                path,
                "goalposts",
                f"goalposts of '{ident}' are [{low:g}, {high:g}]; give [low, high] with "
                "low < high (direction says which end is best)",
                id=ident,
                value=f"[{low:g}, {high:g}]",
            )
        ]
    return []


def _tree_problems(
    nodes: list[tuple[int, dict[str, Any]]], indicators: list[tuple[int, dict[str, Any]]]
) -> list[Problem]:
    out: list[Problem] = []
    node_ids = {e["id"]: i for i, e in nodes if isinstance(e.get("id"), str)}
    indicator_ids = {e["id"] for _, e in indicators if isinstance(e.get("id"), str)}
    roots = [(i, e) for i, e in nodes if e.get("parent") is None]
    if not roots and nodes:
        out.append(
            problem(
                "nodes",
                "no_root",
                "no node without a parent: one node (the root, e.g. the overall index) "
                "must have 'parent: null'",
            )
        )
    root_id = roots[0][1].get("id") if roots else None
    for i, extra in roots[1:]:
        out.append(
            problem(
                f"nodes[{i}].parent",
                "multiple_roots",
                f"node '{extra.get('id')}' has no parent but '{root_id}' is already the root; "
                "give it a parent",
                id=extra.get("id"),
            )
        )
    parent_of: dict[str, str] = {}
    for section, items in (("nodes", nodes), ("indicators", indicators)):
        for i, element in items:
            ident, parent = element.get("id"), element.get("parent")
            if parent is None or not isinstance(parent, str):
                continue
            if isinstance(ident, str):
                parent_of.setdefault(ident, parent)
            if parent not in node_ids:
                hint = (
                    f"'{parent}' is an indicator; parents must be nodes"
                    if parent in indicator_ids
                    else f"no node has id '{parent}'" + did_you_mean(parent, list(node_ids))
                )
                out.append(
                    problem(
                        f"{section}[{i}].parent",
                        "unknown_parent",
                        f"parent of '{ident}' is unknown: {hint}",
                        id=ident,
                        value=parent,
                    )
                )
    # cycles among nodes
    in_cycle: set[str] = set()
    for start in node_ids:
        chain: list[str] = []
        current: str | None = start
        while current is not None and current in node_ids and current not in chain:
            chain.append(current)
            current = parent_of.get(current)
        if current is not None and current in chain:
            cycle = chain[chain.index(current) :]
            if not in_cycle.intersection(cycle):
                in_cycle.update(cycle)
                first = min(cycle, key=lambda c: node_ids[c])
                shown = cycle[cycle.index(first) :] + cycle[: cycle.index(first)] + [first]
                out.append(
                    problem(
                        f"nodes[{node_ids[first]}].parent",
                        "cycle",
                        "the parents form a cycle: " + " -> ".join(shown),
                        id=first,
                        value=" -> ".join(shown),
                    )
                )
    # orphans: elements with a known parent whose chain does not reach the root
    if root_id is not None:
        reaches: dict[str, bool] = {root_id: True}

        def connected(ident: str) -> bool:
            seen: list[str] = []
            current: str | None = ident
            while current is not None and current not in reaches and current not in seen:
                seen.append(current)
                current = parent_of.get(current)
            ok = current is not None and reaches.get(current, False)
            for s in seen:
                reaches[s] = ok
            return ok

        for section, items in (("nodes", nodes), ("indicators", indicators)):
            for i, element in items:
                ident, parent = element.get("id"), element.get("parent")
                if not isinstance(ident, str) or not isinstance(parent, str):
                    continue
                if (
                    parent in node_ids
                    and parent not in in_cycle
                    and ident not in in_cycle
                    and not connected(ident)
                ):
                    out.append(
                        problem(
                            f"{section}[{i}].parent",
                            "orphan",
                            f"'{ident}' is not connected to the root '{root_id}' "
                            "(an ancestor has an unknown parent, is in a cycle or is a "
                            "second root)",
                            id=ident,
                            value=parent,
                        )
                    )
    # empty nodes
    has_child = set(parent_of.values())
    for i, element in nodes:
        ident = element.get("id")
        if isinstance(ident, str) and ident not in has_child:
            out.append(
                problem(
                    f"nodes[{i}]",
                    "empty_node",
                    f"node '{ident}' has no children: every node needs at least one indicator "
                    "or sub-node below it",
                    id=ident,
                )
            )
    return out


def _weight_problems(
    nodes: list[tuple[int, dict[str, Any]]], indicators: list[tuple[int, dict[str, Any]]]
) -> list[Problem]:
    out: list[Problem] = []
    children: dict[str, list[float]] = {}
    for section, items in (("nodes", nodes), ("indicators", indicators)):
        for i, element in items:
            weight = _number(element.get("weight", 1.0))
            if weight is None:
                continue  # a type error, reported by the field validation
            ident = element.get("id")
            if not math.isfinite(weight):
                out.append(
                    problem(
                        f"{section}[{i}].weight",
                        "invalid_weight",
                        f"weight of '{ident}' is {weight}; weights must be finite numbers >= 0",
                        id=ident,
                        value=weight,
                    )
                )
            elif weight < 0:
                out.append(
                    problem(
                        f"{section}[{i}].weight",
                        "negative_weight",
                        f"weight of '{ident}' is {weight:g}; weights must be >= 0",
                        id=ident,
                        value=weight,
                    )
                )
            parent = element.get("parent")
            if isinstance(parent, str):
                children.setdefault(parent, []).append(weight)
    for i, element in nodes:
        ident = element.get("id")
        weights = children.get(ident) if isinstance(ident, str) else None
        if weights and all(w == 0 for w in weights):
            out.append(
                problem(
                    f"nodes[{i}]",
                    "zero_weights",
                    f"all {len(weights)} children of '{ident}' have weight 0; at least one "
                    "child needs a positive weight",
                    id=ident,
                )
            )
    return out


def _indicator_scale_problems(
    indicators: list[tuple[int, dict[str, Any]]], scales: list[tuple[int, dict[str, Any]]]
) -> list[Problem]:
    out: list[Problem] = []
    by_id = {s["id"]: s for _, s in scales if isinstance(s.get("id"), str)}
    for i, indicator in indicators:
        ident = indicator.get("id")
        sid = indicator.get("scale")
        if not isinstance(sid, str):
            continue
        scale = by_id.get(sid)
        if scale is None:
            known = ", ".join(sorted(by_id)) or "none"
            out.append(
                problem(
                    f"indicators[{i}].scale",
                    "unknown_scale",
                    f"indicator '{ident}' uses scale '{sid}', which is not defined "
                    f"(defined scales: {known}){did_you_mean(sid, list(by_id))}",
                    id=ident,
                    value=sid,
                )
            )
            continue
        kind = scale.get("kind", "rubric")
        anchors = [a for a in _as_list(indicator.get("anchors")) if isinstance(a, dict)]
        if anchors and kind != "rubric":
            out.append(
                problem(
                    f"indicators[{i}].anchors",
                    "anchor_mismatch",
                    f"indicator '{ident}' has rubric anchors but its scale '{sid}' is {kind}; "
                    "anchors belong to rubric scales",
                    id=ident,
                )
            )
        elif anchors:
            levels = [
                _number(level.get("value"))
                for level in _as_list(scale.get("levels"))
                if isinstance(level, dict)
            ]
            level_set = {v for v in levels if v is not None}
            values = [_number(a.get("value")) for a in anchors]
            given = [v for v in values if v is not None]
            extra = sorted(set(given) - level_set)
            lacking = sorted(level_set - set(given))
            repeated = sorted(v for v, c in Counter(given).items() if c > 1)
            if extra or lacking or repeated:
                parts = []
                if extra:
                    parts.append(f"values not in the scale: {_fmt(extra)}")
                if lacking:
                    parts.append(f"levels without an anchor: {_fmt(lacking)}")
                if repeated:
                    parts.append(f"anchored twice: {_fmt(repeated)}")
                out.append(
                    problem(
                        f"indicators[{i}].anchors",
                        "anchor_mismatch",
                        f"anchors of '{ident}' do not match the levels {_fmt(sorted(level_set))} "
                        f"of scale '{sid}' ({'; '.join(parts)})",
                        id=ident,
                        value=_fmt(given),
                    )
                )
        if indicator.get("goalposts") is not None and kind != "numeric":
            out.append(
                problem(
                    f"indicators[{i}].goalposts",
                    "goalposts",
                    f"indicator '{ident}' sets goalposts but its scale '{sid}' is {kind}; "
                    "goalposts belong to numeric scales",
                    id=ident,
                )
            )
        else:
            out += _goalpost_problems(
                indicator.get("goalposts"), f"indicators[{i}].goalposts", ident
            )
    return out


def _fmt(values: list[float]) -> str:
    """Numbers for a message: ``1, 2, 3`` (never a Python list)."""
    return ", ".join(f"{v:g}" for v in values)


def _text_problems(raw: Mapping[str, Any]) -> list[Problem]:
    """Text (values and keys) holding lone surrogates, which UTF-8 files cannot hold.

    Such text comes from bad decoding upstream (``errors="surrogateescape"``, a broken JSON
    ``\\ud800`` escape); it would fail only later, when the framework is written.
    """
    out: list[Problem] = []
    stack: list[tuple[str, Any]] = [("", raw)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            texts = [value]
        elif isinstance(value, Mapping):
            texts = [k for k in value if isinstance(k, str)]
            stack.extend(
                (f"{path}.{k}" if path else str(k), v) for k, v in reversed(list(value.items()))
            )
        elif isinstance(value, (list, tuple)):
            stack.extend((f"{path}[{k}]", v) for k, v in reversed(list(enumerate(value))))
            continue
        else:
            continue
        for text in texts:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                out.append(
                    problem(
                        path,
                        "invalid_text",
                        f"{path or 'a key'} holds the character {_printable(exc.object[exc.start])}"
                        f" (position {exc.start + 1}), a lone surrogate that no text file can hold;"
                        " retype the text or fix how it was decoded",
                        value=text,
                    )
                )
    return out


def _facet_problems(
    nodes: list[tuple[int, dict[str, Any]]],
    indicators: list[tuple[int, dict[str, Any]]],
    facets: list[tuple[int, dict[str, Any]]],
) -> list[Problem]:
    out: list[Problem] = []
    declared: dict[str, list[str]] = {f.id: list(f.value_ids) for f in DEFAULT_FACETS}
    for _, facet in facets:
        fid = facet.get("id")
        if isinstance(fid, str):
            declared[fid] = [
                str(v.get("id")) for v in _as_list(facet.get("values")) if isinstance(v, dict)
            ]

    def check(path: str, ident: Any, facet_id: str, values: list[Any]) -> None:
        allowed = declared.get(facet_id)
        if allowed is None:
            return
        for value in values:
            if value is None or str(value) in allowed:
                continue
            shown = ", ".join(allowed[:12]) + (", ..." if len(allowed) > 12 else "")
            out.append(
                problem(
                    path,
                    "unknown_facet_value",
                    f"'{ident}' has {facet_id} '{value}', which facet '{facet_id}' does not "
                    f"declare (allowed: {shown}){did_you_mean(str(value), allowed)}",
                    id=ident,
                    value=value,
                )
            )

    for i, indicator in indicators:
        ident = indicator.get("id")
        for facet_id, (field, _) in FACET_FIELDS.items():
            if field in indicator:
                check(f"indicators[{i}].{field}", ident, facet_id, _as_list(indicator[field]))
        tags = indicator.get("tags")
        if isinstance(tags, dict):
            for key, values in tags.items():
                if key not in declared:
                    out.append(
                        problem(
                            f"indicators[{i}].tags.{key}",
                            "unknown_facet",
                            f"'{ident}' is tagged with facet '{key}', which the framework does "
                            f"not declare under 'facets'{did_you_mean(str(key), list(declared))}",
                            id=ident,
                            value=key,
                        )
                    )
                else:
                    check(f"indicators[{i}].tags.{key}", ident, key, _as_list(values))
    for i, node in nodes:
        ident = node.get("id")
        if "level" in node:
            check(f"nodes[{i}].level", ident, "level", _as_list(node["level"]))
        if "findings" in node:
            check(f"nodes[{i}].findings", ident, "finding", _as_list(node["findings"]))
    return out


def _aggregation_problems(nodes: list[tuple[int, dict[str, Any]]]) -> list[Problem]:
    out: list[Problem] = []
    for i, node in nodes:
        spec = node.get("aggregation")
        if not isinstance(spec, dict):
            continue
        method, p = spec.get("method", "arithmetic"), spec.get("p")
        ident = node.get("id")
        number = _number(p)
        if number is not None and not math.isfinite(number):
            out.append(
                problem(
                    f"nodes[{i}].aggregation.p",
                    "aggregation_param",
                    f"node '{ident}' gives the exponent p={number}; p must be a finite number",
                    id=ident,
                    value=number,
                )
            )
        elif method == "generalised" and p is None:
            out.append(
                problem(
                    f"nodes[{i}].aggregation.p",
                    "aggregation_param",
                    f"node '{ident}' uses the generalised mean but gives no exponent p",
                    id=ident,
                )
            )
        elif method != "generalised" and p is not None:
            out.append(
                problem(
                    f"nodes[{i}].aggregation.p",
                    "aggregation_param",
                    f"node '{ident}' gives p={p} but its method '{method}' takes no exponent; "
                    "use method 'generalised' or remove p",
                    id=ident,
                    value=p,
                )
            )
    return out


def _schema2_problems(
    indicators: list[tuple[int, dict[str, Any]]],
    scales: list[tuple[int, dict[str, Any]]],
    facets: list[tuple[int, dict[str, Any]]],
) -> list[Problem]:
    """Checks of the framework schema 2 indicator fields that the field types cannot express.

    ``actors`` values against the ``actor`` facet are checked by :func:`_facet_problems` when
    the framework declares that facet; without one they must be standard ids
    (:data:`~missionlens.framework.elements.ACTORS`), so that a misspelt actor is not quietly
    a new one.
    """
    out: list[Problem] = []
    kinds = {s["id"]: s.get("kind", "rubric") for _, s in scales if isinstance(s.get("id"), str)}
    declared = {
        f["id"]: [str(v.get("id")) for v in _as_list(f.get("values")) if isinstance(v, dict)]
        for _, f in facets
        if isinstance(f.get("id"), str)
    }
    for i, ind in indicators:
        ident = ind.get("id")
        where = f"indicators[{i}]"
        # measures within findings
        measures = [m for m in _as_list(ind.get("measures")) if _hashable(m)]
        findings = {str(f) for f in _as_list(ind.get("findings")) if _hashable(f)}
        outside = [m for m in measures if str(m) not in findings]
        if outside:
            shown = ", ".join(map(str, outside))
            out.append(
                problem(
                    f"{where}.measures",
                    "measures_not_tagged",
                    f"'{ident}' measures finding(s) {shown} but is not tagged with them; "
                    "'measures' must be a subset of 'findings' (add them to 'findings', which "
                    "lists every finding the indicator is tagged with)",
                    id=ident,
                    value=shown,
                )
            )
        # a4p_secondary: declared, and not the main priority
        secondary = ind.get("a4p_secondary")
        if isinstance(secondary, str):
            allowed = declared.get("a4p")
            if allowed is not None and secondary not in allowed:
                out.append(
                    problem(
                        f"{where}.a4p_secondary",
                        "unknown_facet_value",
                        f"'{ident}' has a4p_secondary '{secondary}', which facet 'a4p' does "
                        f"not declare (allowed: {_shown(allowed)})"
                        + did_you_mean(secondary, allowed),
                        id=ident,
                        value=secondary,
                    )
                )
            if secondary == ind.get("a4p"):
                out.append(
                    problem(
                        f"{where}.a4p_secondary",
                        "a4p_secondary_same",
                        f"'{ident}' gives '{secondary}' as both its main (a4p) and its "
                        "secondary (a4p_secondary) A4P+ priority; leave a4p_secondary out or "
                        "name another priority",
                        id=ident,
                        value=secondary,
                    )
                )
        # actors: standard ids when no actor facet is declared; none repeated
        actors = [a for a in _as_list(ind.get("actors")) if _hashable(a)]
        if "actor" not in declared:
            for a in actors:
                if isinstance(a, str) and a not in ACTORS:
                    out.append(
                        problem(
                            f"{where}.actors",
                            "unknown_facet_value",
                            f"'{ident}' names actor '{a}', which is not a standard actor "
                            f"({', '.join(ACTORS)}); declare an 'actor' facet to use other "
                            "actors" + did_you_mean(a, list(ACTORS)),
                            id=ident,
                            value=a,
                        )
                    )
        repeated = [str(a) for a, n in Counter(actors).items() if n > 1]
        if repeated:
            out.append(
                problem(
                    f"{where}.actors",
                    "duplicate_actor",
                    f"'{ident}' names actor(s) {', '.join(repeated)} more than once; list each "
                    "actor once, the main actor first",
                    id=ident,
                    value=", ".join(repeated),
                )
            )
        # critical: rubric or binary scales (a context indicator may be critical too: a flag is an
        # alert, e.g. consent withdrawn, read beside the scores, never averaged into them)
        if ind.get("critical") is True:
            kind = kinds.get(ind.get("scale")) if _hashable(ind.get("scale")) else None
            if kind is not None and kind not in ("rubric", "binary"):
                out.append(
                    problem(
                        f"{where}.critical",
                        "critical_scale",
                        f"'{ident}' is critical but its scale '{ind.get('scale')}' is {kind}; "
                        "critical flags a rating at the worst level, so it needs a rubric or "
                        "binary scale",
                        id=ident,
                        value=kind,
                    )
                )
    return out


def _hashable(value: Any) -> bool:
    """Whether a value can be counted or looked up (malformed data may hold lists or dicts)."""
    return not isinstance(value, (list, dict, set))


def _shown(values: list[str], limit: int = 12) -> str:
    return ", ".join(values[:limit]) + (", ..." if len(values) > limit else "")
