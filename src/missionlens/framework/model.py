"""The :class:`Framework`: an assessment framework as one immutable, validated object.

A framework is read from YAML or JSON (:meth:`Framework.from_yaml`, :meth:`Framework.from_json`),
from an indicator metadata table in the COINr layout (:meth:`Framework.from_frame`), or built in
Python. Every way in runs the same checks and raises one :class:`~missionlens.errors.FrameworkError`
that lists every problem with its path in the file.
"""

from __future__ import annotations

import hashlib
import json
import numbers
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import (
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from missionlens.atomic import atomic_write
from missionlens.errors import ArgumentError, FrameworkError
from missionlens.framework.coinr_table import TABLE, frame_to_data, framework_to_frame, relabel
from missionlens.framework.display import framework_html
from missionlens.framework.elements import (
    DEFAULT_FACETS,
    ROLES,
    SCHEMA_2_INDICATOR_FIELDS,
    Facet,
    Indicator,
    Node,
    NumericScale,
    RubricScale,
    Scale,
    _Model,
)
from missionlens.framework.structure import (
    FACET_FIELDS,
    problem,
    problem_frame,
    structural_problems,
)
from missionlens.framework.yaml_io import (
    MAX_DEPTH,
    dump_yaml,
    nesting_depth,
    parse_text,
    read_text,
    safe_load_unique,
    too_deep_problem,
)
from missionlens.suggest import did_you_mean

__all__ = [
    "FRAMEWORK_FORMAT_VERSION",
    "Framework",
    "framework_json_schema",
    "safe_load_unique",  # re-exported from missionlens.framework.yaml_io for older imports
]

#: Version of the framework file format described by :func:`framework_json_schema`.
FRAMEWORK_FORMAT_VERSION = "1"

_SKIP_STRUCTURE = "missionlens.skip_structure"


class _TextState:
    """The translations attached to a framework, the English-text cache and the fallbacks.

    Not part of what a framework *is*: two frameworks that differ only in their translations
    compare equal (and have the same fingerprint), so every instance of this class is equal to
    every other.
    """

    __slots__ = ("english", "fallbacks", "translations")

    def __init__(self, translations: dict[str, Any] | None = None) -> None:
        self.translations: dict[str, Any] = dict(translations or {})
        self.fallbacks: list[tuple[str, str, str, str]] = []
        self.english: dict[str, str] | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _TextState)

    __hash__ = None  # type: ignore[assignment]


class Framework(_Model):
    """An assessment framework: scales, facets and a tree of nodes with indicators as leaves.

    Attributes
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
    # translations of the text: neither part of the fingerprint nor of equality (text only,
    # see framework.translations)
    _languages: _TextState = PrivateAttr(default_factory=lambda: _TextState())

    @model_validator(mode="after")
    def _check_structure(self, info: ValidationInfo) -> Framework:
        if info.context and info.context.get(_SKIP_STRUCTURE):
            return self
        problems = structural_problems(self.to_dict(exclude_defaults=False))
        if problems:
            raise FrameworkError(problem_frame(problems, None))
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
            f"framework '{self.id}' has no node '{node_id}' (nodes: "
            + _sample([x.id for x in self.nodes])
            + ")"
            + did_you_mean(node_id, [x.id for x in self.nodes])
        )

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with this id."""
        for i in self.indicators:
            if i.id == indicator_id:
                return i
        raise KeyError(
            f"framework '{self.id}' has no indicator '{indicator_id}' (indicators: "
            + _sample([x.id for x in self.indicators])
            + ")"
            + did_you_mean(indicator_id, [x.id for x in self.indicators])
        )

    def scale(self, scale_id: str) -> Scale:
        """The scale with this id."""
        for s in self.scales:
            if s.id == scale_id:
                return s
        raise KeyError(
            f"framework '{self.id}' has no scale '{scale_id}' (scales: "
            + _sample([x.id for x in self.scales])
            + ")"
            + did_you_mean(scale_id, [x.id for x in self.scales])
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

    def effective_weights(
        self, role: str | None = None, *, weights: Mapping[str, float] | None = None
    ) -> pd.DataFrame:
        """Each indicator's effective weight: its share of the composite, down the tree.

        The effective weight of an indicator is the product, from the root down to it, of each
        element's weight divided by the total weight of its siblings (the "effective weight"
        of COINr's ``get_eff_weights``: Becker et al. 2022, *JOSS* 7(78), 4567; the nominal
        weights of the OECD/JRC *Handbook on Constructing Composite Indicators*, 2008, sec.
        6). The effective weights of all indicators sum to 1. They are the weights an
        arithmetic mean at every node gives; with another aggregation (geometric, minimum,
        ...) they are the exponents or nominal weights, not the marginal influence on the
        score.

        Parameters
        ----------
        role : {"performance", "context"}, optional
            Only the indicators of this role, renormalised within it: the tree is cut down to
            the branches that hold an indicator of the role, and weights are normalised among
            those siblings (as a node that reweights over the children it has would do when the
            other role's indicators are set aside). The effective weights of one role sum to 1.
        weights : mapping, optional
            Weights by node and indicator id replacing the framework's (a recipe's weights);
            ids it leaves out keep the framework's weight.

        Returns
        -------
        pandas.DataFrame
            Columns ``indicator``, ``role``, ``weight`` (within its parent, as declared) and
            ``effective_weight``, one row per indicator (of the role) in framework order. A
            node whose children of the role all weigh 0 passes 0 to its indicators.

        Raises
        ------
        ArgumentError
            If ``role`` is not ``"performance"``, ``"context"`` or ``None``, or ``weights`` is
            not a mapping of numbers.

        Examples
        --------
        >>> import missionlens as ml
        >>> fw = ml.load_framework("whole-of-mission@1")
        >>> w = fw.effective_weights()
        >>> round(float(w["effective_weight"].sum()), 12)
        1.0
        """
        if role is not None and role not in ROLES:
            raise ArgumentError(
                f"effective_weights: role must be one of {', '.join(ROLES)} or None, not {role!r}"
            )
        given = self.weights()
        if weights is not None:
            if not isinstance(weights, Mapping) or not all(
                isinstance(v, numbers.Real) and not isinstance(v, bool) for v in weights.values()
            ):
                raise ArgumentError(
                    "effective_weights: weights must be a mapping of node and indicator ids to "
                    f"numbers, not {type(weights).__name__}"
                )
            given.update({str(k): float(v) for k, v in weights.items()})
        chosen = [i for i in self.indicators if role is None or i.role == role]
        # elements that hold an indicator of the role (all of them when role is None)
        holds: set[str] = set()
        for ind in chosen:
            holds.add(ind.id)
            holds.update(self.ancestors(ind.id))
        shares: list[float] = []
        for ind in chosen:
            share = 1.0
            element = ind.id
            for parent in self.ancestors(ind.id):
                siblings = [c for c in self.children(parent) if c in holds]
                total = sum(given[c] for c in siblings)
                share *= given[element] / total if total > 0 else 0.0
                element = parent
            shares.append(share)
        return pd.DataFrame(
            {
                "indicator": [i.id for i in chosen],
                "role": pd.Series([i.role for i in chosen], dtype=object),
                "weight": pd.Series([given[i.id] for i in chosen], dtype=float),
                "effective_weight": pd.Series(shares, dtype=float),
            }
        )

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

    # ----------------------------------------------------------------------------- languages
    @property
    def translations(self) -> dict[str, Any]:
        """The translations attached, by language (each a
        :class:`~missionlens.framework.translations.Translation`).

        Not part of the :attr:`fingerprint`: translations are text only.
        """
        return dict(self._languages.translations)

    @property
    def languages(self) -> tuple[str, ...]:
        """``"en"`` and the languages of the translations attached, sorted after it."""
        return ("en", *sorted(k for k in self._languages.translations if k != "en"))

    @property
    def text_fallbacks(self) -> pd.DataFrame:
        """Every text asked of :meth:`text` that fell back to English, once each.

        Columns ``element``, ``field``, ``language`` (asked for) and ``reason``
        (``no_translation``, ``missing`` or ``empty``). Kept by this framework object (built-in
        frameworks are cached, so the table gathers the fallbacks of every caller).
        """
        columns = ["element", "field", "language", "reason"]
        return pd.DataFrame(self._languages.fallbacks, columns=columns, dtype=object)

    def text(self, element_id: str, field: str, lang: str = "en") -> str:
        """The text of an element in a language, English when the translation is missing.

        Parameters
        ----------
        element_id : str
            An indicator, node, scale or facet id (``"scales:r5"`` names the section), or
            ``""`` for the framework's ``title`` and ``description``.
        field : str
            ``name``, ``definition``, ``question``, ``not_applicable_when``, ``anchors.<value>``,
            ``evidence.<k>``, ``levels.<value>.label``, ``values.<id>.label``, ...
        lang : str
            BCP 47 tag.

        Returns
        -------
        str
            The translation, or the English text (the fallback is recorded in
            :attr:`text_fallbacks`; never a blank where English has text).

        Raises
        ------
        ArgumentError
            If ``lang`` is not a language tag or no element has the id.

        Examples
        --------
        >>> import missionlens as ml
        >>> fw = ml.load_framework("whole-of-mission@2")
        >>> fw.text("political", "name")
        'Political process and strategy'
        """
        from missionlens.framework.translations import lookup

        found = lookup(self, element_id, field, lang)
        if found.fallback:
            record = (element_id, field, lang, found.reason)
            if record not in self._languages.fallbacks:
                self._languages.fallbacks.append(record)
        return found.text

    def with_translations(self, *translations: Any) -> Framework:
        """A copy of the framework with these translations attached (replacing any of their
        languages).

        Raises
        ------
        FrameworkError
            If a translation is for another framework or version.
        ArgumentError
            If an argument is not a :class:`~missionlens.framework.translations.Translation`.
        """
        from missionlens.framework.translations import Translation, check_matches

        attached = dict(self._languages.translations)
        for item in translations:
            if not isinstance(item, Translation):
                raise ArgumentError(
                    "with_translations takes Translation objects (see load_translation), not "
                    f"{type(item).__name__}"
                )
            check_matches(item, self)
            attached[item.language] = item
        copy = self.model_copy()
        copy._languages = _TextState(attached)
        return copy

    # ------------------------------------------------------------------------------ identity
    @property
    def fingerprint(self) -> str:
        """SHA-256 (first 16 hex digits) of the canonical JSON of the whole framework.

        Two frameworks with the same fingerprint score identically; assessments and profiles
        record it so that data made for another version of a framework is recognised.
        """
        data = self.to_dict(exclude_defaults=False)
        for indicator in data.get("indicators", []):
            for name, default in SCHEMA_2_INDICATOR_FIELDS.items():
                if name in indicator and indicator[name] == default:
                    del indicator[name]
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
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
                problem_frame(
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
        if nesting_depth(raw) > MAX_DEPTH:  # checked before anything recurses into the data
            raise FrameworkError(problem_frame([too_deep_problem()], source), source)
        problems = _all_problems(raw)
        if problems:
            raise FrameworkError(problem_frame(problems, source), source)
        return cls.model_validate(raw, context={_SKIP_STRUCTURE: True})

    @classmethod
    def from_yaml(cls, source: str | Path) -> Framework:
        """Read a framework from a YAML file path or a YAML string (``yaml.safe_load`` only).

        Raises
        ------
        FrameworkError
            If the text is not valid YAML (syntax, a repeated or unhashable key, nesting deeper
            than :data:`~missionlens.framework.yaml_io.MAX_DEPTH`) or the framework has problems.
        ArgumentError
            If ``source`` is neither text nor a path.
        """
        text, name = read_text(source)
        return cls.from_dict(parse_text(text, "yaml", name), source=name)

    @classmethod
    def from_json(cls, source: str | Path) -> Framework:
        """Read a framework from a JSON file path or a JSON string.

        Raises
        ------
        FrameworkError
            If the text is not valid JSON (or nests deeper than
            :data:`~missionlens.framework.yaml_io.MAX_DEPTH`) or the framework has problems.
        ArgumentError
            If ``source`` is neither text nor a path.
        """
        text, name = read_text(source)
        return cls.from_dict(parse_text(text, "json", name), source=name)

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
        """Write the framework as YAML (stable key order, unicode kept); return the text.

        Raises
        ------
        FrameworkError
            If a text field holds a lone surrogate (``check`` ``invalid_text``), which no UTF-8
            file can hold; frameworks built by the readers never do.
        """
        data = self.to_dict()
        _refuse_unencodable(data, path)
        text = dump_yaml(data)
        if path is not None:
            _write_text(path, text)
        return text

    def to_json(self, path: str | Path | None = None) -> str:
        """Write the framework as JSON (stable key order, unicode kept); return the text.

        Raises
        ------
        FrameworkError
            If a text field holds a lone surrogate (see :meth:`to_yaml`).
        """
        data = self.to_dict()
        _refuse_unencodable(data, path)
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if path is not None:
            _write_text(path, text)
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
            ``MinShare``, then the framework schema 2 columns of indicator rows: ``Role``,
            ``Actors``, ``Measures``, ``A4PSecondary``, ``Critical`` (bool),
            ``NotApplicableWhen`` and ``EvidenceAccess``. List- and mapping-valued cells hold
            JSON text.
        """
        return framework_to_frame(self)

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
            from 1); a column given twice (two ``Weight`` columns) is refused.
        ArgumentError
            If ``meta`` is not a pandas DataFrame.
        """
        raw, where, problems = frame_to_data(
            meta,
            id=id,
            version=version,
            title=title,
            description=description,
            source=source,
            scales=scales,
            facets=facets,
            default_scale=default_scale,
        )
        problems += [relabel(p, where) for p in _all_problems(raw)]
        if scales is None:
            for p in problems:
                if p["check"] == "unknown_scale":
                    p["message"] += "; pass the scales with from_frame(..., scales=fw.scales)"
        if problems:
            raise FrameworkError(problem_frame(problems, TABLE), TABLE)
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
            word = "indicator" if n == 1 else "indicators"
            lines.append(f"  {dim.id:<16} {dim.name} ({n} {word}, weight {dim.weight:g})")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        """Notebook display: header, then the tree with each node's indicators."""
        return framework_html(self)


# ------------------------------------------------------------------------------- helpers
def _sample(ids: list[str], limit: int = 12) -> str:
    """A short list of ids for an error message."""
    more = f", ... ({len(ids)} in all)" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more


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


def _all_problems(raw: dict[str, Any]) -> list[dict[str, str]]:
    """Field and structural problems; a text refused by both is reported once, as invalid_text."""
    structural = structural_problems(raw)
    bad_text = {p["path"] for p in structural if p["check"] == "invalid_text"}
    fields = [p for p in _field_problems(raw) if p["path"] not in bad_text]
    return fields + structural


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


def _refuse_unencodable(data: dict[str, Any], path: str | Path | None) -> None:
    """Raise a FrameworkError naming every text that cannot be written as UTF-8."""
    problems = [p for p in structural_problems(data) if p["check"] == "invalid_text"]
    if problems:
        name = str(path) if path is not None else None
        raise FrameworkError(problem_frame(problems, name), name)


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


def _write_text(path: str | Path, text: str) -> None:
    """Write a framework file atomically (see :mod:`missionlens.atomic`): a full disk or a
    crash leaves the old file, never a partial one (``WriteError`` names the file)."""
    with atomic_write(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
