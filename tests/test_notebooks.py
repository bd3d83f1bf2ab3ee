"""Every notebook and example script runs from top to bottom."""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def test_there_are_notebooks_and_examples() -> None:
    assert len(NOTEBOOKS) >= 6 and len(EXAMPLES) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    """Notebooks are sources: no outputs, no execution counts, no editor metadata in git."""
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    dirty = [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.get("metadata")
        or (cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None))
    ]
    assert not dirty, f"{path.name}: cells {dirty} have outputs, execution counts or metadata"
    assert set(notebook.metadata) <= {"kernelspec", "language_info"}, path.name


def test_notebooks_readme_lists_every_notebook() -> None:
    readme = (ROOT / "notebooks" / "README.md").read_text(encoding="utf-8")
    assert [p.name for p in NOTEBOOKS if p.name not in readme] == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes(path: Path, tmp_path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(path)])
    monkeypatch.setenv("MPLBACKEND", "Agg")
    runpy.run_path(str(path), run_name="__main__")
    assert os.listdir(tmp_path)  # every example writes something
