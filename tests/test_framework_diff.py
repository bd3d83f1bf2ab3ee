"""diff_frameworks, migration mappings (load_migration, find_migration) and
``missionlens frameworks diff``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import missionlens as ml
from missionlens.cli import main
from missionlens.errors import MigrationError, NotFoundError
from missionlens.framework import registry
from missionlens.framework.diff import DIFF_COLUMNS, find_migration

DATA = Path(__file__).parent / "data" / "frameworks"
V1 = Path(registry.__file__).parents[1] / "frameworks" / "whole-of-mission-v1.yaml"


def _old() -> ml.Framework:
    """small.yaml with one more indicator, env_04, to be dropped."""
    data = ml.load_framework(DATA / "small.yaml").to_dict()
    data["indicators"].append({"id": "env_04", "name": "Old", "parent": "env", "scale": "r5"})
    return ml.Framework.from_dict(data)


def _new() -> ml.Framework:
    """pol_01 reweighted with one anchor reworded; pol_02 renamed pol_consent; env_01 and
    env_02 merged into env_safe; env_03 split into env_03a and env_03b; env_04 dropped; pol_03
    added."""
    data = _old().to_dict()
    data["version"] = "3"
    inds = {i["id"]: i for i in data["indicators"]}
    inds["pol_01"]["weight"] = 2.0
    inds["pol_01"]["anchors"][2]["description"] = "A strategy, shared by some."
    consent = {**inds["pol_02"], "id": "pol_consent"}
    safe = {"id": "env_safe", "name": "Safety", "parent": "env_sec", "scale": "r5"}
    split = [{**inds["env_03"], "id": f"env_03{k}"} for k in "ab"]
    added = {"id": "pol_03", "name": "New", "parent": "pol", "scale": "r5"}
    data["indicators"] = [inds["pol_01"], consent, added, safe, *split]
    return ml.Framework.from_dict(data)


MAPPING: dict[str, Any] = {
    "from": {"id": "small", "version": "2"},
    "to": {"id": "small", "version": "3"},
    "indicators": [
        {"old": ["pol_01"], "new": ["pol_01"], "change": "changed"},
        {"old": ["pol_02"], "new": ["pol_consent"], "change": "renamed", "note": "clearer"},
        {"old": ["env_01", "env_02"], "new": ["env_safe"], "change": "merged", "note": "one"},
        {"old": ["env_03"], "new": ["env_03a", "env_03b"], "change": "split"},
        {"old": ["env_04"], "new": [], "change": "dropped", "note": "no data"},
        {"old": [], "new": ["pol_03"], "change": "added", "note": "fills a gap"},
    ],
}


def _mapping_file(tmp_path: Path, data: dict[str, Any] | str, name: str = "m.yaml") -> Path:
    path = tmp_path / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def _pairs(table: Any, element: str = "indicator") -> list[tuple[Any, Any, str]]:
    rows = table[table["element"] == element]
    return list(zip(rows["id_old"], rows["id_new"], rows["change"], strict=True))


def test_same_framework_is_all_kept() -> None:
    table = ml.diff_frameworks("whole-of-mission@1", ml.load_framework("whole-of-mission@1"))
    assert tuple(table.columns) == DIFF_COLUMNS
    assert set(table["change"]) == {"kept"}
    assert set(table["element"]) == {"indicator", "node", "scale", "facet"}
    assert (table["fields"] == "").all() and (table["detail"] == "").all()


def test_by_id_without_a_mapping() -> None:
    table = ml.diff_frameworks(_old(), _new())
    assert _pairs(table) == [
        ("pol_01", "pol_01", "changed"),
        ("pol_02", None, "dropped"),
        ("env_01", None, "dropped"),
        ("env_02", None, "dropped"),
        ("env_03", None, "dropped"),
        ("env_04", None, "dropped"),
        (None, "pol_consent", "added"),
        (None, "pol_03", "added"),
        (None, "env_safe", "added"),
        (None, "env_03a", "added"),
        (None, "env_03b", "added"),
    ]
    pol_01 = table[table["id_old"] == "pol_01"].iloc[0]
    assert pol_01["fields"] == "weight, anchors"
    assert pol_01["detail"] == "weight: 1.0 -> 2.0; anchors: 3 reworded"
    assert set(table.loc[table["element"] != "indicator", "change"]) == {"kept"}


def test_with_a_mapping(tmp_path: Path) -> None:
    table = ml.diff_frameworks(_old(), _new(), _mapping_file(tmp_path, MAPPING))
    assert _pairs(table) == [
        ("pol_01", "pol_01", "changed"),
        ("pol_02", "pol_consent", "renamed"),
        ("env_01", "env_safe", "merged"),
        ("env_02", "env_safe", "merged"),
        ("env_03", "env_03a", "split"),
        ("env_03", "env_03b", "split"),
        ("env_04", None, "dropped"),
        (None, "pol_03", "added"),
    ]
    by_old = table.set_index(["id_old", "id_new"], drop=False)
    renamed = by_old.loc[("pol_02", "pol_consent")]
    assert renamed["fields"] == ""
    assert renamed["detail"] == "renamed pol_02 -> pol_consent; note: clearer"
    assert (
        by_old.loc[("env_01", "env_safe")]["detail"]
        == "env_01, env_02 merged into env_safe; note: one"
    )
    assert table.loc[table["change"] == "dropped", "detail"].iloc[0] == "note: no data"
    assert table.loc[table["change"] == "added", "detail"].iloc[0] == "note: fills a gap"


def test_the_mapping_says_kept_the_fields_say_otherwise(tmp_path: Path) -> None:
    data = json.loads(json.dumps(MAPPING))
    data["indicators"][0]["change"] = "kept"
    table = ml.diff_frameworks(_old(), _new(), ml.load_migration(_mapping_file(tmp_path, data)))
    row = table[table["id_old"] == "pol_01"].iloc[0]
    assert row["change"] == "changed"
    assert row["detail"].endswith("the mapping says kept")


def test_every_indicator_must_be_covered_once(tmp_path: Path) -> None:
    data = json.loads(json.dumps(MAPPING))
    data["to"]["version"] = "9"
    data["indicators"] = data["indicators"][:-1]  # pol_03 left out
    data["indicators"][4]["old"] = ["env_4"]  # misspelt, so env_04 is not covered either
    migration = ml.load_migration(_mapping_file(tmp_path, data))
    with pytest.raises(MigrationError) as info:
        ml.diff_frameworks(_old(), _new(), migration)
    problems = info.value.problems
    got = set(zip(problems["path"], problems["check"], problems["id"], strict=True))
    assert got == {
        ("to", "wrong_framework", "small"),
        ("indicators[4].old", "unknown_id", "env_4"),
        ("indicators", "not_covered", "env_04"),
        ("indicators", "not_covered", "pol_03"),
    }
    assert "did you mean 'env_04'" in str(info.value)
    assert "problems in migration mapping" in str(info.value)
    assert isinstance(info.value, ml.FrameworkError)


def test_malformed_mappings_report_every_problem(tmp_path: Path) -> None:
    data: dict[str, Any] = {
        "from": {"id": "small"},
        "to": {"id": "small", "version": "3"},
        "indicators": [
            {"old": ["pol_01"], "new": ["pol_02"], "change": "kept"},
            {"old": ["env_01"], "new": ["env_safe"], "change": "merged"},
            {"old": ["env_04"], "new": [], "change": "dropped"},
            {"old": ["env_01"], "new": ["x"], "change": "moved"},
            {"old": ["pol_01"], "new": ["y"], "change": "renamed", "why": "?"},
        ],
    }
    with pytest.raises(MigrationError) as info:
        ml.load_migration(_mapping_file(tmp_path, data))
    problems = info.value.problems
    got = set(zip(problems["path"], problems["check"], strict=True))
    assert got >= {
        ("from.version", "missing_field"),
        ("indicators[0]", "bad_change"),
        ("indicators[1]", "bad_change"),
        ("indicators[2].note", "missing_note"),
        ("indicators[3].change", "not_allowed"),
        ("indicators[3].old", "duplicate_id"),
        ("indicators[4].why", "unknown_field"),
        ("indicators[4].old", "duplicate_id"),
    }
    assert (problems["file"] == str(tmp_path / "m.yaml")).all()


def test_unreadable_mappings(tmp_path: Path) -> None:
    with pytest.raises(MigrationError) as info:
        ml.load_migration(_mapping_file(tmp_path, "from: {id: a\n"))
    assert info.value.problems["check"].iloc[0] == "yaml_syntax"
    with pytest.raises(MigrationError, match="duplicate_key"):
        ml.load_migration(_mapping_file(tmp_path, "to: 1\nto: 2\n"))
    with pytest.raises(MigrationError, match="not_a_mapping"):
        ml.load_migration(_mapping_file(tmp_path, "- a\n- b\n"))
    with pytest.raises(NotFoundError, match="built-in migrations"):
        ml.load_migration("whole-of-mission-v1-to-v9")
    with pytest.raises(ml.ArgumentError, match="load_migration"):
        ml.load_migration(3)  # type: ignore[arg-type]
    with pytest.raises(ml.ArgumentError, match="mapping must be"):
        ml.diff_frameworks(_old(), _new(), mapping=3)  # type: ignore[arg-type]


# ------------------------------------------------------------------- built-in versions, CLI
@pytest.fixture
def builtin_v2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The registry pointed at v1, a v2 that renames one indicator and drops another, and
    their migration mapping, as the real v2 files will be laid out."""
    folder = tmp_path / "frameworks"
    folder.mkdir()
    shutil.copy(V1, folder / V1.name)
    v1 = ml.Framework.from_yaml(V1)
    data = v1.to_dict()
    data["version"] = "2"
    first, second = data["indicators"][0]["id"], data["indicators"][1]["id"]
    data["indicators"][0]["id"] = f"{first}_v2"
    del data["indicators"][1]
    ml.Framework.from_dict(data).to_yaml(folder / "whole-of-mission-v2.yaml")
    lines: list[dict[str, Any]] = [
        {"old": [first], "new": [f"{first}_v2"], "change": "renamed", "note": "clearer id"},
        {"old": [second], "new": [], "change": "dropped", "note": "merged into the first"},
    ]
    lines += [{"old": [i], "new": [i], "change": "kept"} for i in v1.indicator_ids[2:]]
    mapping = {
        "from": {"id": "whole-of-mission", "version": "1"},
        "to": {"id": "whole-of-mission", "version": "2"},
        "indicators": lines,
    }
    _mapping_file(folder, mapping, "whole-of-mission-v1-to-v2.yaml")
    monkeypatch.setattr(registry, "BUILTIN_DIR", folder)
    return folder


def test_builtin_migration_is_found(builtin_v2: Path) -> None:
    v1, v2 = ml.load_framework("whole-of-mission@1"), ml.load_framework("whole-of-mission")
    migration = find_migration(v1, v2)
    assert migration is not None
    assert migration.source == "whole-of-mission-v1-to-v2.yaml"
    assert (migration.from_.version, migration.to.version) == ("1", "2")
    assert find_migration(v2, v1) is None
    assert find_migration(v1, ml.load_framework(DATA / "small.yaml")) is None
    assert ml.load_migration("whole-of-mission-v1-to-v2") == migration
    assert list(ml.list_frameworks()["spec"]) == ["whole-of-mission@1", "whole-of-mission@2"]


def test_cli_diff_uses_the_builtin_mapping(builtin_v2: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["frameworks", "diff", "whole-of-mission@1", "whole-of-mission@2"])
    assert result.exit_code == 0, result.output
    assert "matched by the mapping whole-of-mission-v1-to-v2.yaml" in result.output
    assert "1 renamed" in result.output and "1 dropped" in result.output
    assert "renamed" in result.output and "clearer id" in result.output
    result = runner.invoke(
        main, ["frameworks", "diff", "whole-of-mission@1", "whole-of-mission", "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["ok"] and doc["mapping"] == "whole-of-mission-v1-to-v2.yaml"
    assert doc["old"]["version"] == "1" and doc["new"]["version"] == "2"
    assert doc["counts"]["renamed"] == 1 and doc["counts"]["dropped"] == 1
    assert len(doc["changes"]) == sum(doc["counts"].values())
    by_id = runner.invoke(
        main, ["frameworks", "diff", "whole-of-mission@1", "whole-of-mission@2", "--by-id"]
    )
    assert by_id.exit_code == 0 and "matched by id" in by_id.output
    assert "1 added, 2 dropped" in by_id.output


def test_cli_diff_exit_codes(builtin_v2: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    unknown = runner.invoke(main, ["frameworks", "diff", "whole-of-mission@7", "whole-of-mission"])
    assert unknown.exit_code == 2 and "versions: 1, 2" in unknown.output
    missing = runner.invoke(
        main, ["frameworks", "diff", "whole-of-mission@1", "whole-of-mission", "-m", "nope"]
    )
    assert missing.exit_code == 2 and "built-in migrations: whole-of-mission-v1-to-v2" in (
        missing.output
    )
    bad = _mapping_file(tmp_path, MAPPING)  # a mapping of other frameworks
    for extra in ([], ["--json"]):
        result = runner.invoke(
            main,
            [
                "frameworks",
                "diff",
                "whole-of-mission@1",
                "whole-of-mission",
                "-m",
                str(bad),
                *extra,
            ],
        )
        assert result.exit_code == 1, result.output
        assert "wrong_framework" in result.output and "not_covered" in result.output
    both = runner.invoke(
        main,
        ["frameworks", "diff", "whole-of-mission@1", "whole-of-mission", "-m", "x", "--by-id"],
    )
    assert both.exit_code == 2


def test_cli_diff_of_files(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    _old().to_yaml(old)
    _new().to_yaml(new)
    mapping = _mapping_file(tmp_path, MAPPING)
    result = CliRunner().invoke(
        main, ["frameworks", "diff", str(old), str(new), "-m", str(mapping)]
    )
    assert result.exit_code == 0, result.output
    assert "1 changed, 1 renamed, 2 split, 2 merged, 1 added, 1 dropped" in result.output
    listed = CliRunner().invoke(main, ["frameworks", "diff", str(old), str(old), "--all"])
    assert listed.exit_code == 0 and "no differences" not in listed.output
    assert "kept" in listed.output
    same = CliRunner().invoke(main, ["frameworks", "diff", str(old), str(old)])
    assert "no differences (--all lists the kept elements)" in same.output


def test_cli_list_shows_versions(builtin_v2: Path) -> None:
    result = CliRunner().invoke(main, ["frameworks", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[:2] == ["spec", "latest"]
    assert lines[1].split()[:2] == ["whole-of-mission@1", "Whole-of-mission"]
    assert lines[2].split()[:2] == ["whole-of-mission@2", "yes"]


def test_framework_docs_examples_run(capsys: pytest.CaptureFixture[str]) -> None:
    """The runnable blocks of docs/frameworks.md (the first one names files of the reader's)."""
    import re

    text = (Path(__file__).parents[1] / "docs" / "frameworks.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert len(blocks) == 3
    for block in blocks[1:]:
        exec(compile(block, "docs/frameworks.md", "exec"), {})
    assert "kept" in capsys.readouterr().out
