"""Built-in framework versions: file names, ``name@version``, the latest, the cache, profiles."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
import yaml

import missionlens as ml
from missionlens.assessments.validation import resolve_framework
from missionlens.framework import registry

ROOT = Path(__file__).parents[1]
PACKAGE_DIR = Path(registry.__file__).parents[1] / "frameworks"
V1 = PACKAGE_DIR / "whole-of-mission-v1.yaml"
V1_FINGERPRINT = "e148808d509ea573"  # recorded by every profile saved with version 1


def _write_v2(folder: Path, *, version: str = "2", title: str = "Version two") -> Path:
    """A copy of v1 declaring another version and title, as a v2 file would."""
    text = V1.read_text(encoding="utf-8")
    assert 'version: "1"' in text  # the line the copy rewrites
    text = text.replace('version: "1"', f'version: "{version}"', 1)
    text = text.replace("title: Whole-of-mission performance assessment", f"title: {title}", 1)
    path = folder / f"whole-of-mission-v{version}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def two_versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The registry pointed at a folder holding v1 and a synthetic v2."""
    shutil.copy(V1, tmp_path / V1.name)
    _write_v2(tmp_path)
    monkeypatch.setattr(registry, "BUILTIN_DIR", tmp_path)
    return tmp_path


def test_v1_file_keeps_its_fingerprint() -> None:
    fw = ml.load_framework("whole-of-mission@1")
    assert fw.fingerprint == V1_FINGERPRINT
    assert ml.Framework.from_yaml(V1).fingerprint == V1_FINGERPRINT
    assert not (PACKAGE_DIR / "whole-of-mission.yaml").exists()


def test_every_shipped_file_is_named_by_version_or_migration() -> None:
    files = builtin = registry.builtin_frameworks()
    named = {f.file for group in builtin.values() for f in group}
    migrations = set(registry.builtin_migrations().values())
    yaml_files = {p.name for p in PACKAGE_DIR.glob("*.y*ml")}
    translations = {n for n in yaml_files if registry._TRANSLATION_FILE.match(n)}
    assert yaml_files == named | migrations | translations, "a file the registry would not see"
    assert files["whole-of-mission"][0].version == "1"


def test_name_alone_is_the_latest_until_v2_lands() -> None:
    table = ml.list_frameworks()
    assert list(table.columns) == [
        "name",
        "version",
        "latest",
        "spec",
        "title",
        "dimensions",
        "indicators",
        "fingerprint",
    ]
    wom = table[table["name"] == "whole-of-mission"]
    latest = wom[wom["latest"]]
    assert len(latest) == 1
    assert ml.load_framework("whole-of-mission").version == latest["version"].iloc[0]


def test_three_spellings_of_a_version(two_versions: Path) -> None:
    latest = ml.load_framework("whole-of-mission")
    assert (latest.version, latest.title) == ("2", "Version two")
    v1 = ml.load_framework("whole-of-mission", version="1")
    assert v1.fingerprint == V1_FINGERPRINT
    assert ml.load_framework("whole-of-mission@1") is v1
    assert ml.load_framework("whole-of-mission@v1") is v1
    assert ml.load_framework("whole-of-mission@2") is latest


def test_list_has_one_row_per_version(two_versions: Path) -> None:
    table = ml.list_frameworks()
    assert list(zip(table["spec"], table["latest"], strict=True)) == [
        ("whole-of-mission@1", False),
        ("whole-of-mission@2", True),
    ]
    assert table["fingerprint"].iloc[0] == V1_FINGERPRINT
    assert table["fingerprint"].iloc[1] != V1_FINGERPRINT


def test_versions_sort_as_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(V1, tmp_path / V1.name)
    _write_v2(tmp_path, version="2")
    _write_v2(tmp_path, version="10", title="Version ten")
    monkeypatch.setattr(registry, "BUILTIN_DIR", tmp_path)
    assert ml.load_framework("whole-of-mission").version == "10"
    assert list(ml.list_frameworks()["version"]) == ["1", "2", "10"]
    assert sorted(["1.10", "1.2", "1"], key=registry.version_key) == ["1", "1.2", "1.10"]


def test_unknown_version_names_the_versions(two_versions: Path) -> None:
    with pytest.raises(ml.errors.NotFoundError, match=r"no version '7' \(versions: 1, 2"):
        ml.load_framework("whole-of-mission@7")
    with pytest.raises(FileNotFoundError, match="versions: 1, 2"):
        ml.load_framework("whole-of-mission", version="7")


def test_bad_specs_are_refused(two_versions: Path) -> None:
    with pytest.raises(ml.errors.NotFoundError, match="NAME@VERSION"):
        ml.load_framework("whole-of-mission@")
    with pytest.raises(ml.errors.ArgumentError, match="give one"):
        ml.load_framework("whole-of-mission@1", version="2")
    with pytest.raises(ml.errors.ArgumentError, match="version must be a string"):
        ml.load_framework("whole-of-mission", version=1)  # type: ignore[arg-type]
    with pytest.raises(ml.errors.NotFoundError, match="did you mean 'whole-of-mission'"):
        ml.load_framework("whole-of-misson@1")


def test_framework_arguments_reuse_the_spec(two_versions: Path) -> None:
    assert resolve_framework("whole-of-mission@1", "validate").fingerprint == V1_FINGERPRINT
    assert resolve_framework("whole-of-mission", "validate").version == "2"


def test_file_name_and_content_must_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(V1, tmp_path / "whole-of-mission-v3.yaml")  # declares version 1
    monkeypatch.setattr(registry, "BUILTIN_DIR", tmp_path)
    with pytest.raises(ml.FrameworkError) as info:
        ml.load_framework("whole-of-mission")
    row = info.value.problems.iloc[0]
    assert (row["check"], row["path"], row["value"]) == ("file_name_mismatch", "version", "1")


def test_builtins_are_cached_files_are_not(tmp_path: Path) -> None:
    assert ml.load_framework("whole-of-mission@1") is ml.load_framework("whole-of-mission@1")
    path = tmp_path / "mine.yaml"
    shutil.copy(V1, path)
    first = ml.load_framework(path)
    assert ml.load_framework(path) is not first  # a user's file may change between reads
    path.write_text(
        V1.read_text(encoding="utf-8").replace('version: "1"', 'version: "1b"', 1),
        encoding="utf-8",
    )
    assert ml.load_framework(str(path)).version == "1b"
    assert registry._load_builtin.cache_info().maxsize == registry.CACHE_SIZE


def test_a_file_path_with_a_version_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "mine@2.yaml"  # an existing file is a file, whatever its name
    shutil.copy(V1, path)
    assert ml.load_framework(str(path)).version == "1"
    assert ml.load_framework(path, version="1").version == "1"
    with pytest.raises(FileNotFoundError, match="is version '1'"):
        ml.load_framework(path, version="2")


def test_saved_v1_profiles_regenerate_with_v1(two_versions: Path, tmp_path: Path) -> None:
    """Profiles carry their framework: loading and regenerating them after v2 became the
    latest still scores with v1 (same fingerprint, same scores)."""
    fw = ml.load_framework("whole-of-mission@1")
    row: dict[str, object] = {"mission": "A", "period": "2024"}
    for ind in fw.indicators:
        scale = fw.scale(ind.scale)
        if scale.kind == "rubric":
            row[ind.id] = 3
        elif scale.kind == "binary":
            row[ind.id] = 1
        else:
            low, high = fw.goalposts(ind.id) or (0.0, 1.0)
            row[ind.id] = (low + high) / 2
    profiles = ml.score(pd.DataFrame([row]), framework="whole-of-mission@1")
    saved = profiles.save(tmp_path / "v1.zip")
    assert ml.load_framework("whole-of-mission").version == "2"
    loaded = ml.Profiles.load(saved)
    assert loaded.framework.fingerprint == V1_FINGERPRINT
    again = loaded.regenerate()
    assert again.fingerprints["framework"] == V1_FINGERPRINT
    assert again.equals(profiles)


# ------------------------------------------------------------------------ reference pages
def _page_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_framework_docs", ROOT / "docs" / "build_framework_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pages_per_version_with_the_migration(
    two_versions: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fw1 = ml.load_framework("whole-of-mission@1")
    data = fw1.to_dict()
    data["version"] = "2"
    data["title"] = "Version two"
    first = data["indicators"][0]
    first.update(id="pol_01_v2", role="context", actors=["host_state", "mission"])
    first["measures"] = first["findings"][:1]
    data["indicators"][1].update(critical=True, actors=["mission"], measures=[1], findings=[1])
    ml.Framework.from_dict(data).to_yaml(two_versions / "whole-of-mission-v2.yaml")
    lines = [{"old": ["pol_01"], "new": ["pol_01_v2"], "change": "renamed", "note": "context"}]
    lines += [{"old": [i], "new": [i], "change": "kept"} for i in fw1.indicator_ids[1:]]
    mapping = {
        "from": {"id": "whole-of-mission", "version": "1"},
        "to": {"id": "whole-of-mission", "version": "2"},
        "indicators": lines,
    }
    (two_versions / "whole-of-mission-v1-to-v2.yaml").write_text(yaml.safe_dump(mapping))
    builder = _page_builder()
    out = tmp_path / "pages"
    out.mkdir()
    (out / "whole-of-mission-v0.md").write_text(builder.MARKER + " -->\n")  # a stale page
    (out / "notes.md").write_text("# hand-written, not generated\n")
    monkeypatch.setattr(builder, "OUT", out)
    assert builder.main(["--check"]) == 1
    assert builder.main([]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "notes.md",
        "whole-of-mission-v1.md",
        "whole-of-mission-v2.md",
        "whole-of-mission.md",
    ]
    assert builder.main(["--check"]) == 0
    v1 = (out / "whole-of-mission-v1.md").read_text(encoding="utf-8")
    v2 = (out / "whole-of-mission-v2.md").read_text(encoding="utf-8")
    latest = (out / "whole-of-mission.md").read_text(encoding="utf-8")
    assert "## Changes from version" not in v1
    assert "[version 2 (latest)](whole-of-mission-v2.md)" in v1
    assert "## Changes from version 1" in v2
    assert "`src/missionlens/frameworks/whole-of-mission-v1-to-v2.yaml`" in v2
    assert "| indicator | `pol_01` | `pol_01_v2` | renamed |" in v2
    assert "This is the page of the latest version" in latest
    assert latest.replace(latest.splitlines()[7], "") == v2.replace(v2.splitlines()[7], "")
    # schema 2 figures of v2: one context indicator, one critical, findings measured
    assert "| context | 1 |" in v2
    assert "flagged in every profile): `pol_02`." in v2
    assert (
        "1 of 22 findings are measured directly by at least one indicator; not measured: 2," in v2
    )
    assert "| 1 | Primacy of politics | `pol_02` | `pol_01_v2` |" in v2
    assert "| `host_state` | host state | 1 | 1 |" in v2
    assert "- **Role** context · **actors** host_state, mission" in v2
    assert builder.render(ml.load_framework("whole-of-mission@2")) == v2  # deterministic


def test_consolidate_finds_the_version_the_entries_were_made_for(two_versions: Path) -> None:
    """consolidate without framework= looks the recorded fingerprint up among the built-ins:
    entries made for v1 are consolidated with v1 although v2 is the latest."""
    from missionlens.demo import synthetic_assessments

    entries = synthetic_assessments(ml.load_framework("whole-of-mission@1")).head(40)
    assert set(entries["framework_fingerprint"]) == {V1_FINGERPRINT}
    assert ml.load_framework("whole-of-mission").version == "2"
    pd.testing.assert_frame_equal(
        ml.consolidate(entries), ml.consolidate(entries, framework="whole-of-mission@1")
    )
