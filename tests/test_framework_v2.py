"""The built-in whole-of-mission framework, version 2: the rules of docs/frameworks/design-v2.md.

Effective weights are computed here independently of the scoring engine (plain products of
normalised weights down the tree, within each role), and the fatality goalposts are recomputed
from the shipped table ``mission_year_indicators.csv`` (UN NOTICAS fatalities joined to the
SIPRI/IPI mission-month strength).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import missionlens as ml
from missionlens.framework.elements import ACTORS
from missionlens.framework.yaml_io import safe_load_unique

FRAMEWORKS = resources.files("missionlens.frameworks")
V2_TEXT = (FRAMEWORKS / "whole-of-mission-v2.yaml").read_text(encoding="utf-8")
MIGRATION = safe_load_unique(
    (FRAMEWORKS / "whole-of-mission-v1-to-v2.yaml").read_text(encoding="utf-8")
)

#: The four indicators the design makes critical: consent, acting to protect civilians, the
#: response to sexual exploitation and abuse, and casualty evacuation.
CRITICAL = {"pol_consent", "poc_action", "sea_response", "casevac"}

#: Bounds of the effective weight of a scored performance indicator within the headline
#: composite (design-v2.md, "Weights"), and the named exceptions.
PERF_MIN, PERF_MAX = 0.0075, 0.035
PARITY_PREFIX = "wps_parity_"
PARITY_EACH = 0.0048
CRITICAL_MIN = 0.015
POC_SUBDIMENSION_MIN = 0.09
CONTEXT_MIN, CONTEXT_MAX = 0.04, 0.25

#: Vague quantifiers that an anchor may use only next to a number (design-v2.md, "Anchors").
VAGUE = {
    "most",
    "some",
    "few",
    "rarely",
    "rare",
    "often",
    "largely",
    "partially",
    "partly",
    "adequate",
    "adequately",
    "sufficient",
    "sufficiently",
    "several",
    "many",
    "occasionally",
    "occasional",
    "sometimes",
    "generally",
    "usually",
    "mostly",
    "frequently",
    "significant",
    "significantly",
    "limited",
    "regular",
    "regularly",
    "appropriate",
    "timely",
    "substantial",
    "broad",
    "weak",
    "strong",
    "good",
    "poor",
}
NEAR = 4  # words either side in which a number must stand


@pytest.fixture(scope="module")
def fw() -> ml.Framework:
    return ml.Framework.from_yaml(FRAMEWORKS / "whole-of-mission-v2.yaml")


def _v1() -> ml.Framework:
    for name in ("whole-of-mission-v1.yaml", "whole-of-mission.yaml"):
        entry = FRAMEWORKS / name
        if entry.is_file():
            text = entry.read_text(encoding="utf-8")
            if 'version: "1"' in text:
                return ml.Framework.from_yaml(text)
    raise AssertionError("no version 1 whole-of-mission file in missionlens/frameworks")


# ------------------------------------------------------------------------------------ structure
def test_v2_loads_with_its_id_and_version(fw: ml.Framework) -> None:
    assert fw.id == "whole-of-mission"
    assert fw.version == "2"
    assert [d.id for d in fw.dimensions] == [
        "political",
        "environment",
        "performance",
        "partnerships",
    ]
    assert 60 <= sum(1 for i in fw.indicators if i.weight > 0) <= 90


def test_v2_file_uses_no_yaml_tags_or_anchors() -> None:
    assert "!!" not in V2_TEXT
    assert not re.search(r":\s*[&*][A-Za-z]", V2_TEXT)  # no YAML anchors or aliases
    assert safe_load_unique(V2_TEXT)["version"] == "2"


def test_every_indicator_has_a_role_actors_access_and_na_text(fw: ml.Framework) -> None:
    facet = fw.facet("actor")
    assert set(facet.value_ids) == set(ACTORS)
    assert all(v.label for v in facet.values)
    for ind in fw.indicators:
        assert ind.role in ("performance", "context"), ind.id
        assert ind.actors, ind.id
        assert len(set(ind.actors)) == len(ind.actors), ind.id
        assert set(ind.actors) <= set(ACTORS), ind.id
        assert ind.evidence_access in ("public", "un_internal", "mixed"), ind.id
        assert ind.not_applicable_when.strip(), ind.id
        assert ind.level in ("strategic", "operational", "tactical"), ind.id
        assert ind.phases, ind.id
        assert ind.evidence and ind.data_sources, ind.id


def test_both_roles_are_used_and_sub_dimensions_hold_one_role(fw: ml.Framework) -> None:
    roles = Counter(i.role for i in fw.indicators)
    assert roles["context"] >= 8 and roles["performance"] >= 50
    by_parent: dict[str, set[str]] = defaultdict(set)
    for ind in fw.indicators:
        by_parent[ind.parent].add(ind.role)
    assert all(len(r) == 1 for r in by_parent.values()), by_parent


def test_every_finding_is_measured_and_measures_are_tagged(fw: ml.Framework) -> None:
    measured: set[int] = set()
    for ind in fw.indicators:
        assert set(ind.measures) <= set(ind.findings), ind.id
        if ind.weight > 0:
            measured |= set(ind.measures)
    assert measured == set(range(1, 23))
    assert set(fw.facet("finding").value_ids) == {str(n) for n in range(1, 23)}


def test_a4p_main_and_secondary_are_declared_and_distinct(fw: ml.Framework) -> None:
    allowed = set(fw.facet("a4p").value_ids)
    for ind in fw.indicators:
        assert ind.a4p in allowed, ind.id
        if ind.a4p_secondary is not None:
            assert ind.a4p_secondary in allowed, ind.id
            assert ind.a4p_secondary != ind.a4p, ind.id


def test_every_rubric_indicator_anchors_every_level_once(fw: ml.Framework) -> None:
    for ind in fw.indicators:
        scale = fw.scale(ind.scale)
        if scale.kind != "rubric":
            assert not ind.anchors, ind.id
            continue
        assert sorted(a.value for a in ind.anchors) == sorted(scale.values), ind.id
        texts = [a.description for a in ind.anchors]
        assert len(set(texts)) == len(texts), ind.id


def test_the_four_critical_indicators(fw: ml.Framework) -> None:
    critical = {i.id for i in fw.indicators if i.critical}
    assert critical >= CRITICAL
    for ident in critical:
        ind = fw.indicator(ident)
        assert fw.scale(ind.scale).kind == "rubric", ident
        assert "critical" in ind.definition.lower(), ident


def test_shown_only_companions_are_named_by_a_scored_partner(fw: ml.Framework) -> None:
    """Each weight-0 companion names the scored sibling it is shown beside."""
    shown = [i for i in fw.indicators if i.weight == 0]
    assert {i.id for i in shown} >= {"env_fatalities_malicious_count"}
    assert len(shown) == 6
    for ind in shown:
        assert "weight 0" in ind.definition, ind.id
        partners = [
            j.id
            for j in fw.indicators
            if j.weight > 0 and j.parent == ind.parent and j.id in ind.definition
        ]
        assert len(partners) == 1, ind.id


# ------------------------------------------------------------------------------- numeric scales
def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.;])\s+(?=[A-Z])", text)]


def test_every_numeric_indicator_cites_its_goalposts(fw: ml.Framework) -> None:
    """Convention: a 'Goalposts:' sentence giving both values and a 'Source:' sentence."""
    numeric = [i for i in fw.indicators if fw.scale(i.scale).kind == "numeric"]
    assert len(numeric) >= 10
    for ind in numeric:
        scale = fw.scale(ind.scale)
        goalposts = fw.goalposts(ind.id)
        assert goalposts is not None, ind.id
        assert ind.goalposts is None, f"{ind.id}: overrides need a 'Goalposts:' data source"
        text = scale.description
        goal = [s for s in _sentences(text) if s.startswith("Goalposts:")]
        assert goal, scale.id
        for value in goalposts:
            assert f"{value:g}" in goal[0], (scale.id, value)
        assert "Source:" in text, scale.id


def test_parity_covers_every_strategy_category_with_raw_share(fw: ml.Framework) -> None:
    categories = {
        "military_contingents",
        "staff_officers_military_observers",
        "formed_police_units",
        "individual_police_officers",
        "justice_corrections",
    }
    ids = set(fw.indicator_ids)
    for cat in categories:
        scored = fw.indicator(f"wps_parity_{cat}")
        shown = fw.indicator(f"wps_share_{cat}")
        assert scored.weight > 0 and shown.weight == 0
        assert "gender_parity_targets.csv" in scored.definition
        assert f"'{cat}'" in scored.definition
        assert fw.scale(scored.scale).kind == "numeric"
    assert not {i for i in ids if i.startswith(PARITY_PREFIX)} - {
        f"{PARITY_PREFIX}{c}" for c in categories
    }


def _annualised_rates() -> pd.DataFrame:
    path = resources.files("missionlens.data") / "mission_year_indicators.csv"
    with resources.as_file(path) as p:
        table = pd.read_csv(p)
    big = table[table["total"] >= 1000].copy()
    big["rate"] = (
        big["fatalities_malicious_uniformed"] / big["total"] * 1000 * 12 / big["months_reported"]
    )
    return big


def test_fatality_goalposts_match_the_shipped_data(fw: ml.Framework) -> None:
    """Independent computation from mission_year_indicators.csv (NOTICAS x SIPRI/IPI)."""
    big = _annualised_rates()
    worst = fw.goalposts("env_fatalities_malicious")
    assert worst == (0.0, 1.25)
    assert len(big) == 167
    assert round(float((big["rate"] == 0).mean()), 2) == 0.55
    above = big[big["rate"] > 1.25]
    assert len(above) == 9  # 5.4 %: the goalpost is the 95th percentile
    assert round(float(big.loc[big["rate"] <= 1.25, "rate"].max()), 2) == 1.25
    assert round(float(big.loc[big["rate"] > 0, "rate"].median()), 2) == 0.44
    top = big.sort_values("rate", ascending=False).iloc[0]
    assert (top["mission"], int(top["year"])) == ("UNOSOM", 1993)
    assert round(float(top["rate"]), 2) == 4.67
    # version 1 (0-3) put 93 % of mission-years above 67/100; version 2 separates them
    assert round(float(((1 - (big["rate"] / 3).clip(upper=1)) * 100 > 67).mean()), 2) == 0.93
    v2_scores = (1 - (big["rate"] / 1.25).clip(upper=1)) * 100
    assert round(float(v2_scores[big["rate"] > 0].median()), 1) == 64.5
    recent = big[big["year"] >= 2010]
    assert int(recent["fatalities_malicious_uniformed"].max()) == 28
    assert fw.goalposts("env_fatalities_malicious_count") == (0.0, 28.0)
    text = fw.scale("malicious_fatality_rate").description
    for figure in ("167", "55 %", "0.44", "1.25", "64.5", "UNOSOM 1993 (4.67)"):
        assert figure in text, figure


def test_fatality_rate_is_context_with_a_shown_count(fw: ml.Framework) -> None:
    rate = fw.indicator("env_fatalities_malicious")
    count = fw.indicator("env_fatalities_malicious_count")
    assert rate.role == count.role == "context"
    assert rate.direction == count.direction == -1
    assert count.weight == 0 and rate.weight > 0
    assert "env_fatalities_malicious_count" in rate.definition


# ------------------------------------------------------------------------------------ migration
def test_migration_maps_every_v1_and_v2_id_exactly_once(fw: ml.Framework) -> None:
    v1 = _v1()
    assert MIGRATION["from"] == {"id": "whole-of-mission", "version": "1"}
    assert MIGRATION["to"] == {"id": "whole-of-mission", "version": "2"}
    old = Counter(o for row in MIGRATION["indicators"] for o in row["old"])
    new = Counter(n for row in MIGRATION["indicators"] for n in row["new"])
    assert set(old) == set(v1.indicator_ids) and max(old.values()) == 1
    assert set(new) == set(fw.indicator_ids) and max(new.values()) == 1
    for row in MIGRATION["indicators"]:
        n_old, n_new, change = len(row["old"]), len(row["new"]), row["change"]
        assert row["note"].strip(), row
        expected = {
            "kept": n_old == n_new == 1 and row["old"] == row["new"],
            "renamed": n_old == n_new == 1 and row["old"] != row["new"],
            "merged": n_old >= 2 and n_new == 1,
            "split": n_old == 1 and n_new >= 2,
            "dropped": n_old >= 1 and n_new == 0,
            "added": n_old == 0 and n_new >= 1,
        }
        assert expected[change], row


# -------------------------------------------------------------------------------------- weights
def effective_weights(raw: dict[str, Any], role: str) -> dict[str, float]:
    """Product of normalised weights down the tree, counting only indicators of ``role``.

    A node's weight is normalised among its siblings that hold at least one scored indicator
    of the role; an indicator's among its scored siblings of the role.
    """
    parent_of = {n["id"]: n.get("parent") for n in raw["nodes"]}
    weight_of = {n["id"]: float(n.get("weight", 1)) for n in raw["nodes"]}
    scored = [
        i for i in raw["indicators"] if i.get("role", "performance") == role and i["weight"] > 0
    ]
    holds: set[str] = set()
    for ind in scored:
        node = ind["parent"]
        while node is not None:
            holds.add(node)
            node = parent_of[node]
    siblings: dict[str | None, list[str]] = defaultdict(list)
    for node in holds:
        siblings[parent_of[node]].append(node)
    ind_total: dict[str, float] = defaultdict(float)
    for ind in scored:
        ind_total[ind["parent"]] += float(ind["weight"])

    def share(node: str) -> float:
        parent = parent_of[node]
        if parent is None:
            return 1.0
        total = sum(weight_of[s] for s in siblings[parent])
        return weight_of[node] / total * share(parent)

    return {
        ind["id"]: float(ind["weight"]) / ind_total[ind["parent"]] * share(ind["parent"])
        for ind in scored
    }


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    data: dict[str, Any] = safe_load_unique(V2_TEXT)
    for ind in data["indicators"]:
        ind.setdefault("weight", 1)
    return data


def test_effective_weights_sum_to_one_per_role(raw: dict[str, Any]) -> None:
    for role in ("performance", "context"):
        assert math.isclose(sum(effective_weights(raw, role).values()), 1.0)


def test_effective_weights_of_a_toy_tree() -> None:
    """Hand-computed: root > a (w 3: i1 w 1, i2 w 1) and b (w 1: i3 context, i4 w 2)."""
    toy = {
        "nodes": [
            {"id": "r", "parent": None},
            {"id": "a", "parent": "r", "weight": 3},
            {"id": "b", "parent": "r", "weight": 1},
        ],
        "indicators": [
            {"id": "i1", "parent": "a", "weight": 1},
            {"id": "i2", "parent": "a", "weight": 1},
            {"id": "i3", "parent": "b", "weight": 1, "role": "context"},
            {"id": "i4", "parent": "b", "weight": 2},
            {"id": "i5", "parent": "b", "weight": 0},
        ],
    }
    assert effective_weights(toy, "performance") == pytest.approx(
        {"i1": 0.375, "i2": 0.375, "i4": 0.25}
    )
    assert effective_weights(toy, "context") == {"i3": 1.0}


def test_performance_weights_stay_within_the_stated_bounds(
    raw: dict[str, Any], fw: ml.Framework
) -> None:
    weights = effective_weights(raw, "performance")
    outside = {
        k: round(w, 4)
        for k, w in weights.items()
        if not k.startswith(PARITY_PREFIX) and not PERF_MIN <= w <= PERF_MAX
    }
    assert not outside
    for k, w in weights.items():
        if k.startswith(PARITY_PREFIX):
            assert math.isclose(w, PARITY_EACH), k
    for ident in CRITICAL:
        if fw.indicator(ident).role == "performance":
            assert weights[ident] >= CRITICAL_MIN, ident
    poc = sum(w for k, w in weights.items() if fw.indicator(k).parent == "perf_protection")
    assert poc >= POC_SUBDIMENSION_MIN
    assert weights["poc_action"] == max(weights.values())
    dims = {d.id: d.weight for d in fw.dimensions}
    for dim, w in dims.items():
        got = sum(v for k, v in weights.items() if fw.dimension_of(k) == dim)
        assert math.isclose(got, w / sum(dims.values())), dim


def test_context_weights_stay_within_the_stated_bounds(raw: dict[str, Any]) -> None:
    weights = effective_weights(raw, "context")
    assert all(CONTEXT_MIN <= w <= CONTEXT_MAX for w in weights.values()), weights


def test_no_main_actor_carries_the_whole_headline(raw: dict[str, Any], fw: ml.Framework) -> None:
    weights = effective_weights(raw, "performance")
    by_actor: Counter[str] = Counter()
    for ident, w in weights.items():
        by_actor[fw.indicator(ident).actors[0]] += w
    assert 0.4 <= by_actor["mission"] <= 0.6
    assert {"security_council", "secretariat", "contributing_countries", "host_state"} <= set(
        by_actor
    )


# -------------------------------------------------------------------------------------- anchors
def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]+|\d[\d.,]*|%", text.lower())


def vague_uses(text: str) -> Iterator[str]:
    """Vague quantifiers in ``text`` with no number within ``NEAR`` words of them."""
    words = _words(text)
    for k, word in enumerate(words):
        if word not in VAGUE:
            continue
        window = words[max(0, k - NEAR) : k + NEAR + 1]
        if not any(w[0].isdigit() or w == "%" for w in window):
            yield word


def test_vague_check_itself() -> None:
    assert list(vague_uses("Most units are ready.")) == ["most"]
    assert list(vague_uses("Some but not all parties met.")) == ["some"]
    assert list(vague_uses("Fewer than 25 % of the alerts, at most 3 per month.")) == []
    assert list(vague_uses("At most 2 days.")) == []
    assert list(vague_uses("Adequate resources exist.")) == ["adequate"]


def test_no_anchor_uses_a_bare_vague_quantifier(fw: ml.Framework) -> None:
    found = {
        (ind.id, a.value): sorted(set(vague_uses(a.description)))
        for ind in fw.indicators
        for a in ind.anchors
        if list(vague_uses(a.description))
    }
    assert not found


def test_anchors_name_a_threshold(fw: ml.Framework) -> None:
    """Every rubric indicator has a number in at least four of its five anchors."""
    for ind in fw.indicators:
        if not ind.anchors:
            continue
        with_number = sum(bool(re.search(r"\d", a.description)) for a in ind.anchors)
        assert with_number >= 4, ind.id


def test_design_document_exists_and_names_every_rule() -> None:
    root = Path(__file__).resolve().parents[1]
    page = (root / "docs" / "frameworks" / "design-v2.md").read_text(encoding="utf-8")
    for needle in (
        "## Roles",
        "## Actors",
        "## Critical indicators",
        "## Not applicable",
        "## Weights",
        "## Numeric companions",
        "## What changed from version 1",
        "## Sources",
        "0.75 %",
        "3.5 %",
        "1.25",
    ):
        assert needle in page, needle
