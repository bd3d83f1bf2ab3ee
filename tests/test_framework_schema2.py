"""Framework schema 2: structural checks of the new indicator fields, files, tables, the JSON
Schema and effective weights (the bad files are in tests/data/frameworks/bad/, checked by
tests/test_framework.py like every other bad file)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest

import missionlens as ml

DATA = Path(__file__).parent / "data" / "frameworks"
BAD = DATA / "bad"
SCHEMA2_BAD = {
    "measures_not_tagged",
    "a4p_secondary_unknown",
    "a4p_secondary_same",
    "unknown_actor",
    "unknown_actor_declared",
    "duplicate_actor",
    "critical_numeric",
}


def _small() -> dict[str, Any]:
    return ml.load_framework(DATA / "small.yaml").to_dict()


def _with(**fields_by_indicator: dict[str, Any]) -> dict[str, Any]:
    data = _small()
    for ind in data["indicators"]:
        ind.update(fields_by_indicator.get(ind["id"], {}))
    return data


def _problems(data: dict[str, Any]) -> set[tuple[str, str]]:
    with pytest.raises(ml.FrameworkError) as info:
        ml.Framework.from_dict(data)
    return set(zip(info.value.problems["path"], info.value.problems["check"], strict=True))


ALL_FIELDS: dict[str, dict[str, Any]] = {
    "pol_01": {
        "actors": ["mission", "security_council", "host_state"],
        "measures": [1],
        "a4p_secondary": "accountability_to_peacekeepers",
        "critical": True,
        "not_applicable_when": "No peace agreement: score 'political strategy' instead.",
        "evidence_access": "mixed",
    },
    "env_02": {"critical": True, "evidence_access": "un_internal"},
    "env_03": {"role": "context", "actors": ["host_state"], "evidence_access": "public"},
}


def test_the_bad_files_of_schema_2_are_in_the_corpus() -> None:
    expected = json.loads((BAD / "expected.json").read_text())
    assert set(expected) >= SCHEMA2_BAD
    for name in SCHEMA2_BAD:
        assert (BAD / f"{name}.yaml").read_text().startswith("# Malformed on purpose")


def test_every_schema_2_problem_at_once() -> None:
    data = _with(
        pol_01={"measures": [1, 14], "a4p_secondary": "political_coherence"},
        pol_02={"actors": ["mission", "mision", "mission"]},
        env_01={"critical": True},
        env_03={"role": "context", "critical": True},
    )
    data["indicators"][1]["weight"] = -1  # an older check, reported with the new ones
    got = _problems(data)
    assert got >= {
        ("indicators[0].measures", "measures_not_tagged"),
        ("indicators[0].a4p_secondary", "a4p_secondary_same"),
        ("indicators[1].actors", "unknown_facet_value"),
        ("indicators[1].actors", "duplicate_actor"),
        ("indicators[2].critical", "critical_scale"),
        ("indicators[1].weight", "negative_weight"),
    }


def test_a_context_indicator_may_be_critical() -> None:
    # a flag is an alert read beside the scores (host-state consent withdrawn), not a score
    fw = ml.Framework.from_dict(_with(env_03={"role": "context", "critical": True}))
    assert fw.indicator("env_03").critical


def test_binary_and_rubric_indicators_may_be_critical() -> None:
    fw = ml.Framework.from_dict(_with(pol_01={"critical": True}, env_02={"critical": True}))
    assert [i.id for i in fw.indicators if i.critical] == ["pol_01", "env_02"]


def test_a_node_of_context_indicators_only_is_fine() -> None:
    fw = ml.Framework.from_dict(
        _with(env_01={"role": "context"}, env_02={"role": "context"}, env_03={"role": "context"})
    )
    assert {i.role for i in fw.indicators if fw.dimension_of(i.id) == "env"} == {"context"}


def test_declared_actor_facet_allows_other_actors() -> None:
    data = _with(pol_01={"actors": ["mission", "donors"]})
    data["facets"].append(
        {"id": "actor", "values": [{"id": "mission"}, {"id": "donors", "label": "Donors"}]}
    )
    fw = ml.Framework.from_dict(data)
    assert fw.indicator("pol_01").actors == ("mission", "donors")
    assert set(fw.facet_membership("actor")["value"]) == {"mission", "donors"}


def test_malformed_schema_2_values_do_not_crash_the_checks() -> None:
    data = _with(pol_01={"measures": [[1]], "actors": [["mission"]], "critical": "often"})
    checks = {check for _, check in _problems(data)}
    assert "wrong_type" in checks


def test_all_new_fields_round_trip_yaml_json_table() -> None:
    fw = ml.Framework.from_dict(_with(**ALL_FIELDS))
    assert ml.Framework.from_yaml(fw.to_yaml()) == fw
    assert ml.Framework.from_json(fw.to_json()) == fw
    header = {"id": fw.id, "version": fw.version, "title": fw.title}
    header |= {"description": fw.description, "source": fw.source}
    table = fw.to_frame()
    assert list(table.columns[-7:]) == [
        "Role",
        "Actors",
        "Measures",
        "A4PSecondary",
        "Critical",
        "NotApplicableWhen",
        "EvidenceAccess",
    ]
    back = ml.Framework.from_frame(table, scales=fw.scales, facets=fw.facets, **header)
    assert back == fw and back.fingerprint == fw.fingerprint
    # through a CSV file, as an analyst's spreadsheet would carry it
    text = table.to_csv(index=False)
    from io import StringIO

    reread = pd.read_csv(StringIO(text))
    back = ml.Framework.from_frame(reread, scales=fw.scales, facets=fw.facets, **header)
    assert back == fw


def test_table_problems_name_row_and_column() -> None:
    fw = ml.load_framework(DATA / "small.yaml")
    table = fw.to_frame()
    table.loc[0, "Measures"] = "[14]"
    table.loc[1, "Critical"] = "sometimes"
    with pytest.raises(ml.FrameworkError) as info:
        ml.Framework.from_frame(table, scales=fw.scales, facets=fw.facets, id="small")
    got = set(zip(info.value.problems["path"], info.value.problems["check"], strict=True))
    assert ("row 1 (iCode=pol_01).Measures", "measures_not_tagged") in got
    assert ("row 2 (iCode=pol_02).Critical", "wrong_type") in got


def test_json_schema_carries_the_new_fields() -> None:
    schema = ml.framework_json_schema()
    props = schema["$defs"]["Indicator"]["properties"]
    assert {
        "role",
        "actors",
        "measures",
        "a4p_secondary",
        "critical",
        "not_applicable_when",
        "evidence_access",
    } <= set(props)
    fw = ml.Framework.from_dict(_with(**ALL_FIELDS))
    jsonschema.validate(json.loads(fw.to_json()), schema)
    bad = json.loads(fw.to_json())
    bad["indicators"][0]["role"] = "outcome"
    with pytest.raises(jsonschema.ValidationError, match="outcome"):
        jsonschema.validate(bad, schema)


def test_defaults_keep_the_fingerprint_a_set_field_changes_it() -> None:
    fw = ml.load_framework(DATA / "small.yaml")
    same = ml.Framework.from_dict(_with(pol_01={"role": "performance", "critical": False}))
    assert same.fingerprint == fw.fingerprint
    assert ml.Framework.from_dict(_with(pol_01={"critical": True})).fingerprint != fw.fingerprint


# ---------------------------------------------------------------------------- effective weights
def test_effective_weights_by_hand() -> None:
    """small.yaml worked by hand: pol 2/3 and env 1/3 of the root; pol_01 1 and pol_02 0.5
    of pol; env_sec and env_03 halves of env; env_01 and env_02 halves of env_sec."""
    fw = ml.load_framework(DATA / "small.yaml")
    table = fw.effective_weights()
    assert list(table.columns) == ["indicator", "role", "weight", "effective_weight"]
    expected = {
        "pol_01": Fraction(2, 3) * Fraction(1, 1) / Fraction(3, 2),
        "pol_02": Fraction(2, 3) * Fraction(1, 2) / Fraction(3, 2),
        "env_01": Fraction(1, 3) * Fraction(1, 2) * Fraction(1, 2),
        "env_02": Fraction(1, 3) * Fraction(1, 2) * Fraction(1, 2),
        "env_03": Fraction(1, 3) * Fraction(1, 2),
    }
    assert sum(expected.values()) == 1
    got = dict(zip(table["indicator"], table["effective_weight"], strict=True))
    assert got == pytest.approx({k: float(v) for k, v in expected.items()}, abs=1e-15)
    assert list(table["weight"]) == [1.0, 0.5, 1.0, 1.0, 1.0]


def test_effective_weights_within_a_role_by_hand() -> None:
    """env_01 and env_03 context: the context tree is env > (env_sec > env_01, env_03), so
    each has 1/2; performance keeps pol (2/3) and env > env_sec > env_02 (1/3)."""
    fw = ml.Framework.from_dict(_with(env_01={"role": "context"}, env_03={"role": "context"}))
    context = fw.effective_weights("context")
    assert list(context["indicator"]) == ["env_01", "env_03"]
    assert list(context["effective_weight"]) == pytest.approx([0.5, 0.5])
    perf = fw.effective_weights(role="performance")
    got = dict(zip(perf["indicator"], perf["effective_weight"], strict=True))
    assert got == pytest.approx({"pol_01": 4 / 9, "pol_02": 2 / 9, "env_02": 1 / 3})
    assert set(perf["role"]) == {"performance"}
    assert fw.effective_weights("context").equals(fw.effective_weights(role="context"))


def _top_down(fw: ml.Framework, weights: dict[str, float]) -> dict[str, float]:
    """An independent computation: shares handed down from the root, node by node."""
    share = {fw.root.id: 1.0}
    pending = [fw.root.id]
    out: dict[str, float] = {}
    while pending:
        node = pending.pop()
        kids = fw.children(node)
        total = sum(weights[k] for k in kids)
        for kid in kids:
            share[kid] = share[node] * weights[kid] / total
            if kid in fw.indicator_ids:
                out[kid] = share[kid]
            else:
                pending.append(kid)
    return out


def test_effective_weights_of_the_builtin_match_a_top_down_computation() -> None:
    fw = ml.load_framework("whole-of-mission@1")
    table = fw.effective_weights()
    assert table["effective_weight"].sum() == pytest.approx(1.0, abs=1e-12)
    got = dict(zip(table["indicator"], table["effective_weight"], strict=True))
    assert got == pytest.approx(_top_down(fw, fw.weights()), rel=1e-12)
    assert fw.effective_weights("context").empty  # v1 has no context indicators


def test_effective_weights_take_a_recipe_s_weights() -> None:
    fw = ml.load_framework(DATA / "small.yaml")
    weights = {"pol": 1.0, "pol_02": 1.0}
    table = fw.effective_weights(weights=weights)
    got = dict(zip(table["indicator"], table["effective_weight"], strict=True))
    assert got == pytest.approx(_top_down(fw, {**fw.weights(), **weights}))
    assert got["pol_01"] == pytest.approx(0.25)


def test_effective_weights_refuse_bad_arguments() -> None:
    fw = ml.load_framework(DATA / "small.yaml")
    with pytest.raises(ml.ArgumentError, match="role must be one of performance, context"):
        fw.effective_weights("outcome")
    with pytest.raises(ml.ArgumentError, match="mapping of node and indicator ids"):
        fw.effective_weights(weights={"pol": "heavy"})  # type: ignore[dict-item]
