"""Hypothesis strategies that generate valid frameworks."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

import missionlens as ml
from missionlens.framework.elements import ACTORS, EVIDENCE_ACCESS, ROLES

# Text that exercises unicode, quotes, YAML-significant characters and line breaks.
TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029\ufeff"
    )
    | st.sampled_from(["\n", ":", "#", "-", "'", '"', "[", "{", "=", "é", "ñ", "中", "🙂"]),
    max_size=40,
)
NAME = TEXT.filter(lambda s: s.strip() != "")
WEIGHT = st.floats(min_value=0.01, max_value=100, allow_nan=False, allow_infinity=False)


def _ids(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


A4P = ["political_coherence", "protection", "performance", "partnerships", "wps"]


@st.composite
def _schema2_fields(draw: st.DrawFn, scale_kind: str) -> dict[str, Any]:
    """Framework schema 2 indicator fields, valid together (measures within findings, a
    secondary A4P+ priority other than the main one, critical only on a performance indicator
    with a rubric or binary scale); often left at their defaults."""
    if not draw(st.booleans()):
        return {}
    role = draw(st.sampled_from(ROLES))
    findings = draw(st.lists(st.integers(min_value=1, max_value=22), unique=True, max_size=4))
    measures = [f for f in findings if draw(st.booleans())]
    a4p = draw(st.none() | st.sampled_from(A4P))
    secondary = draw(st.none() | st.sampled_from([p for p in A4P if p != a4p]))
    return {
        "role": role,
        "actors": tuple(draw(st.lists(st.sampled_from(ACTORS), unique=True, max_size=3))),
        "findings": tuple(findings),
        "measures": tuple(measures),
        "a4p": a4p,
        "a4p_secondary": secondary,
        "critical": role == "performance" and scale_kind != "num" and draw(st.booleans()),
        "not_applicable_when": draw(TEXT),
        "evidence_access": draw(st.none() | st.sampled_from(EVIDENCE_ACCESS)),
    }


@st.composite
def frameworks(draw: st.DrawFn) -> ml.Framework:
    """A random valid framework: 1-4 dimensions, optional sub-dimensions, 1-4 indicators each."""
    n_levels = draw(st.integers(min_value=2, max_value=7))
    level_values = sorted(
        draw(
            st.lists(
                st.integers(min_value=-10, max_value=10),
                min_size=n_levels,
                max_size=n_levels,
                unique=True,
            )
        )
    )
    rubric = ml.RubricScale(
        id="rub",
        name=draw(TEXT),
        levels=tuple(
            ml.RubricLevel(value=v, label=draw(NAME), description=draw(TEXT)) for v in level_values
        ),
    )
    low = draw(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
    width = draw(st.floats(min_value=1e-3, max_value=1e6, allow_nan=False))
    numeric = ml.NumericScale(
        id="num",
        unit=draw(TEXT),
        minimum=draw(st.none() | st.just(low)),
        goalposts=(low, low + width),
    )
    binary = ml.BinaryScale(id="bin", true_label=draw(NAME), false_label=draw(NAME))
    nodes = [
        ml.Node(
            id="root",
            name=draw(NAME),
            aggregation=ml.AggregationSpec(
                method=draw(st.sampled_from(["arithmetic", "geometric", "minimum", "median"]))
            ),
        )
    ]
    indicators: list[ml.Indicator] = []
    for d in _ids("d", draw(st.integers(min_value=1, max_value=4))):
        nodes.append(ml.Node(id=d, name=draw(NAME), parent="root", weight=draw(WEIGHT)))
        parents = [d]
        if draw(st.booleans()):
            sub = f"{d}_s"
            nodes.append(
                ml.Node(
                    id=sub,
                    name=draw(NAME),
                    parent=d,
                    level=draw(st.none() | st.sampled_from(ml.LEVELS)),
                    aggregation=ml.AggregationSpec(method="generalised", p=draw(WEIGHT)),
                    missing=ml.MissingRule(
                        rule=draw(st.sampled_from(["reweight", "propagate"])),
                        min_share=draw(st.floats(min_value=0, max_value=1)),
                    ),
                )
            )
            parents.append(sub)
        for parent in parents:
            for k in range(draw(st.integers(min_value=1, max_value=3))):
                kind = draw(st.sampled_from(["rub", "num", "bin"]))
                extra: dict[str, Any] = {}
                if kind == "rub" and draw(st.booleans()):
                    extra["anchors"] = tuple(
                        ml.Anchor(value=v, description=draw(NAME)) for v in level_values
                    )
                if kind == "num" and draw(st.booleans()):
                    extra["goalposts"] = (low - 1.0, low + 2 * width)
                extra.update(draw(_schema2_fields(kind)))
                indicators.append(
                    ml.Indicator(
                        id=f"{parent}_i{k}",
                        name=draw(NAME),
                        definition=draw(TEXT),
                        question=draw(TEXT),
                        parent=parent,
                        scale=kind,
                        direction=draw(st.sampled_from([1, -1])),
                        weight=draw(WEIGHT),
                        level=draw(st.none() | st.sampled_from(ml.LEVELS)),
                        phases=tuple(draw(st.lists(st.sampled_from(ml.PHASES), unique=True))),
                        evidence=tuple(draw(st.lists(TEXT, max_size=3))),
                        data_sources=tuple(draw(st.lists(NAME, max_size=2))),
                        **extra,
                    )
                )
    return ml.Framework(
        id=draw(st.from_regex(r"[a-z][a-z0-9_\-]{0,20}", fullmatch=True)),
        version=draw(NAME),
        title=draw(NAME),
        description=draw(TEXT),
        source=draw(TEXT),
        scales=(rubric, numeric, binary),
        nodes=tuple(nodes),
        indicators=tuple(indicators),
    )
