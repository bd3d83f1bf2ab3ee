"""The :class:`Framework`: an assessment framework as one immutable, validated object.

A framework is read from YAML or JSON (:meth:`Framework.from_yaml`, :meth:`Framework.from_json`),
from an indicator metadata table in the COINr layout (:meth:`Framework.from_frame`), or built in
Python. Every way in runs the same checks and raises one :class:`~missionlens.errors.FrameworkError`
that lists every problem with its path in the file.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import yaml
from pydantic import (
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from missionlens.errors import FRAMEWORK_PROBLEM_COLUMNS, FrameworkError, YAMLDuplicateKeyError
from missionlens.framework.elements import (
    DEFAULT_FACETS,
    Facet,
    Indicator,
    Node,
    NumericScale,
    RubricScale,
    Scale,
    _Model,
)
from missionlens.framework.structure import FACET_FIELDS, problem, structural_problems

__all__ = [
    "FRAMEWORK_FORMAT_VERSION",
    "Framework",
    "framework_json_schema",
    "safe_load_unique",
]

#: Version of the framework file format described by :func:`framework_json_schema`.
FRAMEWORK_FORMAT_VERSION = "1"

_SKIP_STRUCTURE = "missionlens.skip_structure"


class Framework(_Model):
    """An assessment framework: scales, facets and a tree of nodes with indicators as leaves.

    Parameters
    ----------
    id : str
        Identifier, e.g. ``"whole-of-mission"``.
    version : str
        Version of the framework; assessments record it with the :attr:`fingerprint`.
    title, description, source : str
        Human-readable title, description and citation of what the framework draws on.
    scales : sequence of Scale
        Rubric, numeric and binary scales, referred to by id from indicators.
    facets : sequence of Facet
        Admissible values of the facets (``level``, ``phase``, ``finding``, ``a4p`` and custom
        ones). ``level`` and ``phase`` default to
        :data:`missionlens.framework.elements.DEFAULT_FACETS`.
    nodes : sequence of Node
        Root, dimensions and sub-dimensions; exactly one node has no parent.
    indicators : sequence of Indicator
        The leaves.

    Raises
    ------
    FrameworkError
        If the structure is inconsistent (duplicate ids, unknown parents, cycles, ...); the
        error's ``problems`` table lists every problem.

    Examples
    --------
    >>> import missionlens as ml
    >>> fw = ml.load_framework("whole-of-mission")
    >>> [n.id for n in fw.dimensions]
    ['political', 'environment', 'performance', 'partnerships']
    """

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$")
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = ""
    source: str = ""
    scales: tuple[Scale, ...] = Field(min_length=1)
    facets: tuple[Facet, ...] = ()
    nodes: tuple[Node, ...] = Field(min_length=1)
    indicators: tuple[Indicator, ...] = Field(min_length=1)

    _children: dict[str, tuple[str, ...]] = PrivateAttr(default_factory=dict)
    _depth: dict[str, int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check_structure(self, info: ValidationInfo) -> Framework:
        if info.context and info.context.get(_SKIP_STRUCTURE):
            return self
        problems = structural_problems(self.to_dict(exclude_defaults=False))
        if problems:
            raise FrameworkError(_problem_frame(problems, None))
        return self

    def model_post_init(self, context: Any, /) -> None:
        children: dict[str, list[str]] = {n.id: [] for n in self.nodes}
        links = [(n.id, n.parent) for n in self.nodes] + [(i.id, i.parent) for i in self.indicators]
        for ident, parent in links:
            if parent is not None and parent in children:
                children[parent].append(ident)
        self._children = {k: tuple(v) for k, v in children.items()}
        depth: dict[str, int] = {}
        for node in self.nodes:  # parents may come after children in the list
            chain: list[str] = []
            current: str | None = node.id
            while current is not None and current not in depth and current not in chain:
                chain.append(current)
                current = self.node(current).parent if current in children else None
            base = depth.get(current, -1) if current is not None else -1
            for offset, ident in enumerate(reversed(chain), start=1):
                depth[ident] = base + offset
        self._depth = depth

    # ----------------------------------------------------------------------------- navigation
    @property
    def root(self) -> Node:
        """The root node (the overall score)."""
        return next(n for n in self.nodes if n.parent is None)

    @property
    def dimensions(self) -> tuple[Node, ...]:
        """Nodes directly below the root."""
        return tuple(n for n in self.nodes if n.parent == self.root.id)

    @property
    def indicator_ids(self) -> tuple[str, ...]:
        """Indicator ids in framework order."""
        return tuple(i.id for i in self.indicators)

    @property
    def node_ids(self) -> tuple[str, ...]:
        """Node ids in framework order."""
        return tuple(n.id for n in self.nodes)

    def node(self, node_id: str) -> Node:
        """The node with this id (``KeyError`` listing known ids if there is none)."""
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(
            f"framework '{self.id}' has no node '{node_id}'; nodes: "
            + _sample([x.id for x in self.nodes])
        )

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with this id."""
        for i in self.indicators:
            if i.id == indicator_id:
                return i
        raise KeyError(
            f"framework '{self.id}' has no indicator '{indicator_id}'; indicators: "
            + _sample([x.id for x in self.indicators])
        )

    def scale(self, scale_id: str) -> Scale:
        """The scale with this id."""
        for s in self.scales:
            if s.id == scale_id:
                return s
        raise KeyError(
            f"framework '{self.id}' has no scale '{scale_id}'; scales: "
            + _sample([x.id for x in self.scales])
        )

    def scale_of(self, indicator_id: str) -> Scale:
        """The scale of an indicator."""
        return self.scale(self.indicator(indicator_id).scale)

    def facet(self, facet_id: str) -> Facet:
        """A facet, falling back to the default ``level`` and ``phase`` facets."""
        for f in (*self.facets, *DEFAULT_FACETS):
            if f.id == facet_id:
                return f
        raise KeyError(f"framework '{self.id}' has no facet '{facet_id}'")

    def membership(self) -> npt.NDArray[np.bool_]:
        """Boolean matrix, indicators x nodes (framework order): is the indicator below the node."""
        out = np.zeros((len(self.indicators), len(self.nodes)), dtype=bool)
        node_pos = {n: k for k, n in enumerate(self.node_ids)}
        for j, ind in enumerate(self.indicator_ids):
            for ancestor in self.ancestors(ind):
                out[j, node_pos[ancestor]] = True
        return out

    def weights(self) -> dict[str, float]:
        """The weight of every node and indicator within its parent, by id."""
        out = {n.id: n.weight for n in self.nodes}
        out.update({i.id: i.weight for i in self.indicators})
        return out

    def children(self, node_id: str) -> tuple[str, ...]:
        """Ids of the nodes and indicators directly below a node, in framework order."""
        return self._children[node_id]

    def node_type(self, node_id: str) -> str:
        """``root``, ``dimension``, ``subdimension`` or ``indicator``."""
        if node_id not in self._depth:
            self.indicator(node_id)
            return "indicator"
        return (
            ("root", "dimension")[self._depth[node_id]]
            if self._depth[node_id] < 2
            else ("subdimension")
        )

    def depth(self, node_id: str) -> int:
        """Depth in the tree: 0 for the root, 1 for dimensions, ..."""
        if node_id in self._depth:
            return self._depth[node_id]
        return self._depth[self.indicator(node_id).parent] + 1

    def ancestors(self, element_id: str) -> tuple[str, ...]:
        """Ids of the nodes above a node or indicator, nearest first, root last."""
        out: list[str] = []
        parent = (
            self.indicator(element_id).parent
            if element_id not in self._depth
            else self.node(element_id).parent
        )
        while parent is not None:
            out.append(parent)
            parent = self.node(parent).parent
        return tuple(out)

    def dimension_of(self, element_id: str) -> str | None:
        """The dimension a node or indicator belongs to (``None`` for the root)."""
        chain = (element_id, *self.ancestors(element_id))
        return chain[-2] if len(chain) >= 2 else None

    def indicators_in_phase(self, phase: str) -> tuple[Indicator, ...]:
        """Indicators that apply in a lifecycle phase (one without phases applies in all)."""
        allowed = self.facet("phase").value_ids
        if phase not in allowed:
            raise KeyError(f"unknown phase '{phase}'; phases are: {', '.join(allowed)}")
        return tuple(i for i in self.indicators if not i.phases or phase in i.phases)

    def anchors(self, indicator_id: str) -> pd.DataFrame:
        """The rubric of an indicator with its own anchors in place of the generic descriptions.

        Returns
        -------
        pandas.DataFrame
            Columns ``value``, ``label``, ``description`` (empty for non-rubric scales).
        """
        scale = self.scale_of(indicator_id)
        if not isinstance(scale, RubricScale):
            return pd.DataFrame({"value": [], "label": [], "description": []})
        own = {a.value: a.description for a in self.indicator(indicator_id).anchors}
        return pd.DataFrame(
            {
                "value": [lv.value for lv in scale.levels],
                "label": [lv.label for lv in scale.levels],
                "description": [own.get(lv.value, lv.description) for lv in scale.levels],
            }
        )

    def goalposts(self, indicator_id: str) -> tuple[float, float] | None:
        """Goalposts of a numeric indicator: its own, else its scale's, else ``None``."""
        indicator = self.indicator(indicator_id)
        scale = self.scale(indicator.scale)
        if indicator.goalposts is not None:
            return indicator.goalposts
        if isinstance(scale, NumericScale):
            return scale.goalposts
        return None

    def facet_membership(self, facet_id: str) -> pd.DataFrame:
        """Which indicators carry which value of a facet, as a tidy table.

        Returns
        -------
        pandas.DataFrame
            Columns ``indicator``, ``facet``, ``value``: one row per indicator and value (an
            indicator serving three findings has three rows for facet ``finding``).
        """
        self.facet(facet_id)
        field = FACET_FIELDS.get(facet_id)
        rows: list[tuple[str, str, str]] = []
        for ind in self.indicators:
            if field is not None:
                raw = getattr(ind, field[0])
                values = list(raw) if field[1] else ([] if raw is None else [raw])
            else:
                values = list(ind.tags.get(facet_id, ()))
            rows += [(ind.id, facet_id, str(v)) for v in values]
        return pd.DataFrame(rows, columns=["indicator", "facet", "value"])

    # ------------------------------------------------------------------------------ identity
    @property
    def fingerprint(self) -> str:
        """SHA-256 (first 16 hex digits) of the canonical JSON of the whole framework.

        Two frameworks with the same fingerprint score identically; assessments and profiles
        record it so that data made for another version of a framework is recognised.
        """
        canonical = json.dumps(
            self.to_dict(exclude_defaults=False), sort_keys=True, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]

    # --------------------------------------------------------------------------- reading
    @classmethod
    def from_dict(cls, data: Any, *, source: str | None = None) -> Framework:
        """Build a framework from plain data, reporting every problem at once.

        Parameters
        ----------
        data : mapping
            The parsed content of a framework file.
        source : str, optional
            File name used in error messages.

        Raises
        ------
        FrameworkError
            With one row per problem (field errors and structural errors together).
        """
        if not isinstance(data, Mapping):
            raise FrameworkError(
                _problem_frame(
                    [
                        problem(
                            "",
                            "not_a_mapping",
                            "a framework file must hold a mapping with the keys id, version, "
                            f"title, scales, nodes and indicators, not a {type(data).__name__}",
                            value=type(data).__name__,
                        )
                    ],
                    source,
                ),
                source,
            )
        raw = dict(data)
        problems = _field_problems(raw) + structural_problems(raw)
        if problems:
            raise FrameworkError(_problem_frame(problems, source), source)
        return cls.model_validate(raw, context={_SKIP_STRUCTURE: True})

    @classmethod
    def from_yaml(cls, source: str | Path) -> Framework:
        """Read a framework from a YAML file path or a YAML string (``yaml.safe_load`` only)."""
        text, name = _read_text(source)
        try:
            data = safe_load_unique(text)
        except YAMLDuplicateKeyError as exc:
            raise FrameworkError(
                _problem_frame(
                    [problem(f"line {exc.line}", "duplicate_key", str(exc), value=str(exc.key))],
                    name,
                ),
                name,
            ) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise FrameworkError(
                _problem_frame(
                    [problem(where, "yaml_syntax", f"not valid YAML: {exc}".replace("\n", " "))],
                    name,
                ),
                name,
            ) from None
        return cls.from_dict(data, source=name)

    @classmethod
    def from_json(cls, source: str | Path) -> Framework:
        """Read a framework from a JSON file path or a JSON string."""
        text, name = _read_text(source)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FrameworkError(
                _problem_frame(
                    [
                        problem(
                            f"line {exc.lineno}, column {exc.colno}",
                            "json_syntax",
                            f"not valid JSON: {exc.msg}",
                        )
                    ],
                    name,
                ),
                name,
            ) from None
        return cls.from_dict(data, source=name)

    @classmethod
    def from_file(cls, path: str | Path) -> Framework:
        """Read a ``.yaml``/``.yml`` or ``.json`` framework file."""
        path = Path(path)
        if path.suffix.lower() == ".json":
            return cls.from_json(path)
        return cls.from_yaml(path)

    # --------------------------------------------------------------------------- writing
    def to_dict(self, *, exclude_defaults: bool = True) -> dict[str, Any]:
        """Plain data in the file format, keys in schema order.

        With ``exclude_defaults`` (the default) fields left at their default are omitted, which
        keeps files short; a scale's ``kind`` is always written.
        """
        data = self.model_dump(mode="json", exclude_defaults=exclude_defaults)
        data.setdefault("id", self.id)
        data["scales"] = [
            {"kind": s.kind, **{k: v for k, v in d.items() if k != "kind"}}
            for s, d in zip(self.scales, data.get("scales", [{}] * len(self.scales)), strict=True)
        ]
        if exclude_defaults:
            for section in ("nodes", "indicators"):
                data.setdefault(section, [])
            for node, dumped in zip(self.nodes, data["nodes"], strict=True):
                if node.parent is None:  # its default differs by place: always written
                    dumped["missing"] = node.missing.model_dump(mode="json")
        ordered = {k: data[k] for k in type(self).model_fields if k in data}
        return ordered

    def to_yaml(self, path: str | Path | None = None) -> str:
        """Write the framework as YAML (stable key order, unicode kept); return the text."""
        text = yaml.dump(
            self.to_dict(),
            Dumper=_BlockDumper,
            sort_keys=False,
            allow_unicode=True,
            width=100,
        )
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def to_json(self, path: str | Path | None = None) -> str:
        """Write the framework as JSON (stable key order, unicode kept); return the text."""
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    # ------------------------------------------------------------------- metadata tables
    def to_frame(self) -> pd.DataFrame:
        """The framework as an indicator metadata table in the COINr layout.

        Returns
        -------
        pandas.DataFrame
            One row per indicator, then one per node, in framework order. COINr's columns come
            first: ``iCode, iName, Parent, Level, Direction, Weight, Type``, where ``Level`` is
            COINr's hierarchy level (1 for indicators, 1 + the highest child level for nodes) and
            ``Type`` is ``Indicator`` or ``Aggregate``. Then missionlens columns: ``Description``,
            ``Question``, ``Scale``, ``Tier`` (the strategic/operational/tactical level),
            ``Phases``, ``Findings``, ``A4P``, ``Anchors``, ``Goalposts``, ``Evidence``,
            ``DataSources``, ``Tags``, ``Aggregation``, ``AggParam``, ``MissingRule`` and
            ``MinShare``. List- and mapping-valued cells hold JSON text.
        """
        coinr_level: dict[str, int] = {i.id: 1 for i in self.indicators}
        for node in sorted(self.nodes, key=lambda n: -self._depth[n.id]):
            coinr_level[node.id] = 1 + max(coinr_level[c] for c in self.children(node.id))
        rows: list[dict[str, Any]] = []
        for ind in self.indicators:
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
                }
            )
        for node in self.nodes:
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
        frame = pd.DataFrame(rows, columns=list(_FRAME_COLUMNS))
        frame["Direction"] = frame["Direction"].astype("Int64")
        frame["Level"] = frame["Level"].astype("int64")
        return frame

    @classmethod
    def from_frame(
        cls,
        meta: pd.DataFrame,
        *,
        id: str,
        version: str = "1",
        title: str | None = None,
        description: str = "",
        source: str = "",
        scales: list[Scale] | tuple[Scale, ...] | None = None,
        facets: list[Facet] | tuple[Facet, ...] = (),
        default_scale: Scale | None = None,
    ) -> Framework:
        """Build a framework from an indicator metadata table in the COINr layout.

        Parameters
        ----------
        meta : pandas.DataFrame
            Required columns ``iCode, iName, Parent, Type``; optional ``Direction`` (1 or -1,
            default 1), ``Weight`` (default 1) and any missionlens column written by
            :meth:`to_frame`. COINr's ``Level`` column is accepted and ignored (the tree comes
            from ``Parent``). Rows of ``Type`` ``Denominator``, ``Group`` or ``Other`` describe
            data columns, not framework elements, and are not part of the framework.
        id, version, title, description, source : str
            The framework's header.
        scales : sequence of Scale, optional
            Scales referred to by the ``Scale`` column.
        facets : sequence of Facet
            Facets to declare.
        default_scale : Scale, optional
            Scale of indicators with no ``Scale`` cell; by default an unbounded numeric scale
            with id ``numeric``.

        Raises
        ------
        FrameworkError
            Listing every problem, with paths ``row N (iCode=...).Column`` (N counts data rows
            from 1).
        """
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
            raise FrameworkError(_problem_frame(problems, "metadata table"), "metadata table")
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
                problems.append(
                    problem(label, "bad_cell", str(exc), id=cells.get("iCode"), value="")
                )
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
        problems += [_relabel(p, where) for p in _field_problems(raw) + structural_problems(raw)]
        if scales is None:
            for p in problems:
                if p["check"] == "unknown_scale":
                    p["message"] += "; pass the scales with from_frame(..., scales=fw.scales)"
        if problems:
            raise FrameworkError(_problem_frame(problems, "metadata table"), "metadata table")
        return cls.model_validate(raw, context={_SKIP_STRUCTURE: True})

    # ---------------------------------------------------------------------------- tables
    def indicator_table(self) -> pd.DataFrame:
        """One row per indicator with its place in the tree and its facets.

        Returns
        -------
        pandas.DataFrame
            Columns ``indicator, name, dimension, parent, scale, scale_kind, direction, weight,
            level, phases, findings, a4p``; ``phases`` and ``findings`` are comma-separated.
        """
        return pd.DataFrame(
            {
                "indicator": [i.id for i in self.indicators],
                "name": [i.name for i in self.indicators],
                "dimension": [self.dimension_of(i.id) for i in self.indicators],
                "parent": [i.parent for i in self.indicators],
                "scale": [i.scale for i in self.indicators],
                "scale_kind": [self.scale(i.scale).kind for i in self.indicators],
                "direction": [i.direction for i in self.indicators],
                "weight": [i.weight for i in self.indicators],
                "level": [i.level for i in self.indicators],
                "phases": [", ".join(i.phases) for i in self.indicators],
                "findings": [", ".join(str(f) for f in i.findings) for i in self.indicators],
                "a4p": [i.a4p for i in self.indicators],
            }
        )

    def summary(self) -> str:
        """A short plain-text description: header, dimensions and indicator counts."""
        lines = [
            f"{self.title} ({self.id} v{self.version}, fingerprint {self.fingerprint})",
            f"{len(self.dimensions)} dimensions, "
            f"{len(self.nodes) - 1 - len(self.dimensions)} sub-dimensions, "
            f"{len(self.indicators)} indicators, {len(self.scales)} scales",
        ]
        table = self.indicator_table()
        for dim in self.dimensions:
            n = int((table["dimension"] == dim.id).sum())
            lines.append(f"  {dim.id:<16} {dim.name} ({n} indicators, weight {dim.weight:g})")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        """Notebook display: header, then the tree with each node's indicators."""
        esc = html.escape
        parts = [
            f"<div><strong>{esc(self.title)}</strong> <code>{esc(self.id)}</code> "
            f"v{esc(self.version)} &middot; fingerprint <code>{self.fingerprint}</code><br>"
            f"{len(self.dimensions)} dimensions &middot; {len(self.indicators)} indicators"
            "</div>",
            "<table><thead><tr><th>node / indicator</th><th>name</th><th>level</th>"
            "<th>scale / aggregation</th><th>weight</th><th>phases</th><th>findings</th>"
            "</tr></thead><tbody>",
        ]

        def walk(node_id: str) -> None:
            depth = self.depth(node_id)
            pad = f"padding-left:{1.2 * depth:.1f}em"
            if node_id in self._children:
                node = self.node(node_id)
                parts.append(
                    f"<tr><td style='{pad}'><strong>{esc(node.id)}</strong></td>"
                    f"<td><strong>{esc(node.name)}</strong></td><td>{esc(node.level or '')}</td>"
                    f"<td>{esc(node.aggregation.method)}</td><td>{node.weight:g}</td>"
                    "<td></td><td></td></tr>"
                )
                for child in self.children(node_id):
                    walk(child)
            else:
                ind = self.indicator(node_id)
                parts.append(
                    f"<tr><td style='{pad}'><code>{esc(ind.id)}</code></td>"
                    f"<td title='{esc(ind.definition)}'>{esc(ind.name)}</td>"
                    f"<td>{esc(ind.level or '')}</td><td>{esc(ind.scale)}</td>"
                    f"<td>{ind.weight:g}</td><td>{esc(', '.join(ind.phases))}</td>"
                    f"<td>{esc(', '.join(str(f) for f in ind.findings))}</td></tr>"
                )

        walk(self.root.id)
        parts.append("</tbody></table>")
        return "".join(parts)


# ------------------------------------------------------------------------------- helpers
_FRAME_COLUMNS: tuple[str, ...] = (
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
}


def _sample(ids: list[str], limit: int = 12) -> str:
    """A short list of ids for an error message."""
    more = f", ... ({len(ids)} in all)" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more


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
    for column, field in (("Description", "definition"), ("Question", "question"), ("A4P", "a4p")):
        if cells.get(column) is not None:
            element[field] = cells[column]
    for column, field in (
        ("Phases", "phases"),
        ("Evidence", "evidence"),
        ("DataSources", "data_sources"),
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
        except json.JSONDecodeError:
            raise ValueError(f"column Tags: {tags!r} is not a JSON object") from None
    return element


def _relabel(p: dict[str, str], where: dict[str, str]) -> dict[str, str]:
    """Rewrite a path like ``nodes[3].weight`` as ``row 7 (iCode=x).Weight``."""
    path = p["path"]
    for prefix, label in where.items():
        if path == prefix or path.startswith(prefix + "."):
            rest = path[len(prefix) + 1 :]
            head = rest.split(".")[0].split("[")[0]
            column = _FIELD_TO_COLUMN.get(head, rest)
            return {**p, "path": f"{label}.{column}" if rest else label}
    return p


def _loc_to_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    previous: int | str | None = None
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif (
            previous is not None
            and isinstance(previous, int)
            and loc[0] == "scales"
            and len(parts) == 2
            and item in ("rubric", "numeric", "binary")
        ):
            pass  # the discriminator tag pydantic inserts into the location
        else:
            parts.append(("." if parts else "") + str(item))
        previous = item
    return "".join(parts)


_PYDANTIC_CHECKS: dict[str, str] = {
    "missing": "missing_field",
    "extra_forbidden": "unknown_field",
    "literal_error": "not_allowed",
    "string_pattern_mismatch": "bad_identifier",
    "union_tag_invalid": "unknown_scale_kind",
    "union_tag_not_found": "missing_field",
    "too_short": "too_short",
    "string_too_short": "empty_text",
    "greater_than_equal": "out_of_range",
    "less_than_equal": "out_of_range",
}


def _field_problems(raw: dict[str, Any]) -> list[dict[str, str]]:
    """Field-level problems (types, required and unknown keys) from pydantic, as rows."""
    try:
        Framework.model_validate(raw, context={_SKIP_STRUCTURE: True})
    except ValidationError as exc:
        out = []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            path = _loc_to_path(loc)
            ident = _id_at(raw, loc)
            check = _PYDANTIC_CHECKS.get(
                err["type"],
                "wrong_type" if err["type"].endswith(("_type", "_parsing")) else "invalid_value",
            )
            value = "" if err["type"] == "missing" else _short(err.get("input"))
            message = f"{path or 'file'}: {err['msg']}"
            if err["type"] == "missing":
                message = f"{path}: required field is missing"
            elif err["type"] == "extra_forbidden":
                message = (
                    f"{path}: unknown field (check the spelling; see `missionlens "
                    "frameworks schema`)"
                )
            out.append(problem(path, check, message, id=ident, value=value))
        return out
    return []


def _id_at(raw: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    if len(loc) >= 2 and isinstance(loc[1], int):
        seq = raw.get(str(loc[0]))
        if isinstance(seq, list) and loc[1] < len(seq) and isinstance(seq[loc[1]], dict):
            ident = seq[loc[1]].get("id")
            return str(ident) if ident is not None else ""
    return ""


def _short(value: Any, width: int = 80) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= width else text[: width - 3] + "..."


def _problem_frame(problems: list[dict[str, str]], source: str | None) -> pd.DataFrame:
    frame = pd.DataFrame(problems, columns=list(FRAMEWORK_PROBLEM_COLUMNS[1:]))
    frame.insert(0, "file", source or "")
    return frame.astype(object)


def _read_text(source: str | Path) -> tuple[str, str | None]:
    """Text and display name of a path, or the string itself if it is not a file name."""
    path: Path | None = None
    if isinstance(source, Path):
        path = source
    elif "\n" not in source and len(source) < 1024:
        candidate = Path(source)
        if candidate.suffix.lower() in (".yaml", ".yml", ".json"):
            if not candidate.exists():
                raise FileNotFoundError(f"framework file not found: {source}")
            path = candidate
    if path is None:
        return str(source), None
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except UnicodeDecodeError as exc:
        raise FrameworkError(
            _problem_frame(
                [
                    problem(
                        f"byte {exc.start}",
                        "not_utf8",
                        f"the file is not UTF-8 text ({exc.reason}); save it as UTF-8",
                    )
                ],
                str(path),
            ),
            str(path),
        ) from None


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing duplicate keys."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)  # type: ignore[no-untyped-call]
        line = key_node.start_mark.line + 1
        if key in seen:
            raise YAMLDuplicateKeyError(key, line, seen[key])
        seen[key] = line
    return dict(loader.construct_mapping(node))


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_unique_mapping,  # type: ignore[arg-type]
)


def safe_load_unique(text: str) -> Any:
    """``yaml.safe_load`` that refuses duplicate keys (raises :class:`YAMLDuplicateKeyError`)."""
    # a subclass of yaml.SafeLoader: the same safe constructors, plus the duplicate-key check
    return yaml.load(text, Loader=_UniqueKeyLoader)


class _BlockDumper(yaml.SafeDumper):
    """Safe YAML dumper that writes multi-line strings as literal blocks."""


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_BlockDumper.add_representer(str, _str_representer)


def framework_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the framework file format.

    The schema covers fields and types; structural rules (unique ids, a tree, anchors matching
    levels, ...) are checked by :meth:`Framework.from_dict`.
    """
    schema = Framework.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:missionlens:framework-format:{FRAMEWORK_FORMAT_VERSION}",
        **schema,
    }
