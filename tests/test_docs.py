"""The README's code runs as written, and the docs pages that hold runnable code too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def _blocks(path: Path) -> list[str]:
    return BLOCK.findall(path.read_text(encoding="utf-8"))


def test_readme_quickstart_commands() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    fence = lines.index("```bash")
    commands = lines[fence + 1 : lines.index("```", fence + 1)]
    assert len(commands) == 2
    assert "missionlens demo" in commands[0] and "pytest" in commands[1]
    assert "pytest" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_scoring_and_recipe_examples_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    score_block, recipe_block = _blocks(ROOT / "README.md")[:2]
    exec(compile(score_block, "README.md", "exec"), namespace)
    exec(compile(recipe_block, "README.md", "exec"), namespace)
    assert (tmp_path / "recipe.yaml").exists() and (tmp_path / "profiles.zip").exists()


def test_plotting_docs_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for block in _blocks(ROOT / "docs" / "plotting.md"):
        exec(compile(block, "docs/plotting.md", "exec"), namespace)


def test_lifecycle_peers_docs_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for block in _blocks(ROOT / "docs" / "lifecycle-peers.md"):
        exec(compile(block, "docs/lifecycle-peers.md", "exec"), namespace)


def test_lifecycle_change_docs_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for block in _blocks(ROOT / "docs" / "lifecycle-change.md"):
        exec(compile(block, "docs/lifecycle-change.md", "exec"), namespace)


def test_lifecycle_missions_docs_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for block in _blocks(ROOT / "docs" / "lifecycle-missions.md"):
        exec(compile(block, "docs/lifecycle-missions.md", "exec"), namespace)
