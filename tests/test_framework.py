"""Framework schema: reading, writing, round trips, validation of malformed files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
import yaml
from hypothesis import given

import missionlens as ml

from .strategies import frameworks

BAD = Path(__file__).parent / "data" / "frameworks" / "bad"
EXPECTED = json.loads((BAD / "expected.json").read_text())


def _header(fw: ml.Framework) -> dict[str, str]:
    return {
        "id": fw.id,
        "version": fw.version,
        "title": fw.title,
        "description": fw.description,
        "source": fw.source,
    }


# ----------------------------------------------------------------------------- navigation
def test_small_framework_tree(small_framework: ml.Framework) -> None:
    fw = small_framework
    assert fw.root.id == "index"
    assert [d.id for d in fw.dimensions] == ["pol", "env"]
    assert fw.children("env") == ("env_sec", "env_03")
    assert fw.node_type("index") == "root"
    assert fw.node_type("env") == "dimension"
    assert fw.node_type("env_sec") == "subdimension"
    assert fw.node_type("env_01") == "indicator"
    assert fw.ancestors("env_01") == ("env_sec", "env", "index")
    assert fw.dimension_of("env_01") == "env"
    assert fw.depth("env_01") == 3


def test_anchors_override_generic_descriptions(small_framework: ml.Framework) -> None:
    own = small_framework.anchors("pol_01")
    generic = small_framework.anchors("pol_02")
    assert list(own["value"]) == [1, 2, 3, 4, 5]
    assert own.loc[0, "description"] == "No strategy."
    assert generic.loc[0, "description"] == "Fundamental failure."
    assert small_framework.anchors("env_01").empty


def test_phase_applicability(small_framework: ml.Framework) -> None:
    ids = [i.id for i in small_framework.indicators_in_phase("exit")]
    # pol_01 is limited to mandate design and implementation; indicators without phases apply
    assert ids == ["pol_02", "env_01", "env_02", "env_03"]
    with pytest.raises(KeyError, match="unknown phase 'liquidation'"):
        small_framework.indicators_in_phase("liquidation")


def test_facet_membership(small_framework: ml.Framework) -> None:
    members = small_framework.facet_membership("finding")
    assert list(members.columns) == ["indicator", "facet", "value"]
    assert set(zip(members["indicator"], members["value"], strict=True)) == {
        ("pol_01", "1"),
        ("pol_01", "16"),
        ("env_01", "14"),
    }


def test_fingerprint_changes_with_content(small_framework: ml.Framework) -> None:
    data = small_framework.to_dict()
    data["indicators"][1]["weight"] = 0.75
    changed = ml.Framework.from_dict(data)
    assert changed.fingerprint != small_framework.fingerprint
    assert ml.Framework.from_dict(small_framework.to_dict()).fingerprint == (
        small_framework.fingerprint
    )


def test_framework_is_immutable(small_framework: ml.Framework) -> None:
    with pytest.raises(Exception, match="frozen"):
        small_framework.title = "x"  # type: ignore[misc]


# ----------------------------------------------------------------------------- round trips
def test_yaml_json_round_trip(small_framework: ml.Framework, tmp_path: Path) -> None:
    fw = small_framework
    assert ml.Framework.from_yaml(fw.to_yaml()) == fw
    assert ml.Framework.from_json(fw.to_json()) == fw
    fw.to_yaml(tmp_path / "f.yaml")
    fw.to_json(tmp_path / "f.json")
    assert ml.load_framework(tmp_path / "f.yaml") == fw
    assert ml.load_framework(tmp_path / "f.json") == fw
    # stable key order: the header keys come first, in schema order
    assert list(yaml.safe_load(fw.to_yaml()))[:3] == ["id", "version", "title"]
    assert fw.to_yaml() == ml.Framework.from_yaml(fw.to_yaml()).to_yaml()


def test_metadata_table_round_trip(small_framework: ml.Framework) -> None:
    fw = small_framework
    table = fw.to_frame()
    assert list(table.columns[:7]) == [
        "iCode",
        "iName",
        "Parent",
        "Level",
        "Direction",
        "Weight",
        "Type",
    ]
    # COINr hierarchy levels: indicators 1, env_sec 2, env 3, index 4
    levels = dict(zip(table["iCode"], table["Level"], strict=True))
    assert (levels["env_01"], levels["env_sec"], levels["env"], levels["index"]) == (1, 2, 3, 4)
    back = ml.Framework.from_frame(table, scales=fw.scales, facets=fw.facets, **_header(fw))
    assert back == fw


def test_metadata_table_survives_csv(small_framework: ml.Framework, tmp_path: Path) -> None:
    fw = small_framework
    path = tmp_path / "meta.csv"
    fw.to_frame().to_csv(path, index=False)
    table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    back = ml.Framework.from_frame(table, scales=fw.scales, facets=fw.facets, **_header(fw))
    assert back == fw


def test_from_plain_coinr_table() -> None:
    # The minimal COINr layout, with a denominator row that is data, not framework.
    meta = pd.DataFrame(
        {
            "iCode": ["gdp", "life", "crime", "Econ", "Soc", "Index", "pop"],
            "iName": ["GDP", "Life expectancy", "Crime", "Economy", "Society", "Index", "Pop"],
            "Parent": ["Econ", "Soc", "Soc", "Index", "Index", None, None],
            "Level": [1, 1, 1, 2, 2, 3, None],
            "Direction": [1, 1, -1, None, None, None, None],
            "Weight": [1, 1, 0.5, 1, 2, 1, None],
            "Type": [
                "Indicator",
                "Indicator",
                "Indicator",
                "Aggregate",
                "Aggregate",
                "Aggregate",
                "Denominator",
            ],
        }
    )
    fw = ml.Framework.from_frame(meta, id="toy")
    assert fw.indicator_ids == ("gdp", "life", "crime")
    assert fw.indicator("crime").direction == -1
    assert fw.indicator("crime").weight == 0.5
    assert fw.scale_of("gdp").kind == "numeric"
    assert fw.root.id == "Index"


def test_from_frame_reports_rows_and_columns() -> None:
    meta = pd.DataFrame(
        {
            "iCode": ["a", "b", "D", "R"],
            "iName": ["A", "B", "Dim", "Root"],
            "Parent": ["D", "Nowhere", "R", None],
            "Direction": [1, 3, None, None],
            "Weight": [1, 1, -2, 1],
            "Type": ["Indicator", "Indicator", "Aggregate", "Aggregate"],
        }
    )
    with pytest.raises(ml.FrameworkError) as info:
        ml.Framework.from_frame(meta, id="toy")
    got = set(zip(info.value.problems["path"], info.value.problems["check"], strict=True))
    assert ("row 2 (iCode=b).Parent", "unknown_parent") in got
    assert ("row 2 (iCode=b).Direction", "not_allowed") in got
    assert ("row 3 (iCode=D).Weight", "negative_weight") in got


def test_from_frame_requires_coinr_columns() -> None:
    with pytest.raises(ml.FrameworkError, match="iName, Parent"):
        ml.Framework.from_frame(pd.DataFrame({"iCode": ["a"], "Type": ["Indicator"]}), id="x")


@given(frameworks())
def test_generated_frameworks_round_trip(fw: ml.Framework) -> None:
    assert ml.Framework.from_yaml(fw.to_yaml()) == fw
    assert ml.Framework.from_json(fw.to_json()) == fw
    back = ml.Framework.from_frame(fw.to_frame(), scales=fw.scales, facets=fw.facets, **_header(fw))
    assert back == fw
    assert back.fingerprint == fw.fingerprint


# ----------------------------------------------------------------------------- JSON Schema
def test_json_schema_accepts_valid_and_rejects_invalid(small_framework: ml.Framework) -> None:
    schema = ml.framework_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(small_framework.to_json()), schema)
    bad = yaml.safe_load((BAD / "unknown_field.yaml").read_text())
    with pytest.raises(jsonschema.ValidationError, match="wieght"):
        jsonschema.validate(bad, schema)


# ----------------------------------------------------------------------------- bad files
def test_at_least_fifteen_malformed_files() -> None:
    assert len(list(BAD.glob("*.yaml"))) >= 15
    assert set(EXPECTED) == {p.stem for p in BAD.glob("*.yaml")}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_names_offending_path(name: str) -> None:
    path = BAD / f"{name}.yaml"
    with pytest.raises(ml.FrameworkError) as info:
        ml.load_framework(path)
    problems = info.value.problems
    assert list(problems.columns) == ["file", "path", "id", "check", "value", "message"]
    assert (problems["file"] == str(path)).all()
    got = set(zip(problems["path"], problems["check"], strict=True))
    for expected in EXPECTED[name]:
        assert (expected["path"], expected["check"]) in got, problems.to_string()
    # the message names the file and every expected path
    message = str(info.value)
    assert str(path) in message
    for expected in EXPECTED[name]:
        assert expected["path"] in message


def test_several_problems_reported_together() -> None:
    with pytest.raises(ml.FrameworkError) as info:
        ml.load_framework(BAD / "several_problems.yaml")
    checks = set(info.value.problems["check"])
    assert {
        "duplicate_id",
        "negative_weight",
        "unknown_scale",
        "unknown_facet_value",
        "wrong_type",
        "bounds",
    } <= checks


def test_python_construction_runs_structure_checks(small_framework: ml.Framework) -> None:
    nodes = (*small_framework.nodes, ml.Node(id="pol", name="again", parent="index"))
    with pytest.raises(ml.FrameworkError, match="duplicate_id"):
        small_framework.model_copy(update={}).model_validate(
            {**small_framework.model_dump(), "nodes": [n.model_dump() for n in nodes]}
        )


def test_unknown_builtin_name_lists_builtins() -> None:
    with pytest.raises(FileNotFoundError, match="whole-of-mission"):
        ml.load_framework("no-such-framework")


def test_duplicate_yaml_keys_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(ml.FrameworkError) as info:
        ml.Framework.from_yaml("id: a\nversion: '1'\nid: b\n")
    row = info.value.problems.iloc[0]
    assert (row["check"], row["path"]) == ("duplicate_key", "line 3")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("title: Misión\n".encode("latin-1"))
    with pytest.raises(ml.FrameworkError, match="not UTF-8"):
        ml.load_framework(bad)


def test_from_frame_without_scales_says_how(small_framework: ml.Framework) -> None:
    with pytest.raises(ml.FrameworkError) as info:
        ml.Framework.from_frame(small_framework.to_frame(), id="x")
    problems = info.value.problems
    unknown = problems[problems["check"] == "unknown_scale"]
    assert len(unknown) == 5
    assert unknown["message"].str.contains("scales=fw.scales", regex=False).all()


# ----------------------------------------------------------------------------- package layout
def test_framework_package_reexports_and_old_import_paths() -> None:
    import missionlens.framework as pkg
    from missionlens.framework import yaml_io
    from missionlens.framework.model import safe_load_unique  # used by scoring/recipe.py

    assert pkg.Framework is ml.Framework and pkg.load_framework is ml.load_framework
    assert pkg.list_frameworks is ml.list_frameworks
    assert pkg.framework_json_schema is ml.framework_json_schema
    assert pkg.__doc__ and "coinr_table" in pkg.__doc__
    assert safe_load_unique is yaml_io.safe_load_unique
    assert safe_load_unique("a: [1, 2]") == {"a": [1, 2]}
    with pytest.raises(ml.errors.YAMLDuplicateKeyError):
        safe_load_unique("a: 1\na: 2\n")


def test_delegating_methods_match_their_modules(small_framework: ml.Framework) -> None:
    from missionlens.framework.coinr_table import framework_to_frame
    from missionlens.framework.display import framework_html

    fw = small_framework
    assert fw._repr_html_() == framework_html(fw)
    html = fw._repr_html_()
    assert "<code>env_01</code>" in html and "padding-left:3.6em" in html  # depth 3
    pd.testing.assert_frame_equal(fw.to_frame(), framework_to_frame(fw))
    back = ml.Framework.from_frame(fw.to_frame(), scales=fw.scales, facets=fw.facets, **_header(fw))
    assert back.fingerprint == fw.fingerprint
    assert ml.Framework.from_yaml(fw.to_yaml()) == fw
    assert ml.Framework.from_json(fw.to_json()) == fw
