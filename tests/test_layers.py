"""The package is layered: no module imports from a layer above its own, and no import cycle.

Layers, lowest first (``docs/architecture.md`` draws them):

0. core: ``errors``, ``periods``, ``text``, ``suggest``, ``atomic``, ``_version``, ``datasets``,
   ``mission_registry``
1. ``framework``: what is assessed
2. ``assessments``: what analysts entered, its checks and consolidation
3. ``scoring``: recipes, the engine, profiles
4. ``analysis``: what is read from profiles
5. face: ``plot``, ``plotting``, ``cli``, ``demo`` (and the package root, which re-exports)

Every import counts, at module level, inside a function, or under ``TYPE_CHECKING``: a lazy
import upward is still an upward dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "missionlens"

LAYERS: dict[str, int] = {
    "missionlens._version": 0,
    "missionlens.errors": 0,
    "missionlens.periods": 0,
    "missionlens.text": 0,
    "missionlens.suggest": 0,
    "missionlens.atomic": 0,
    "missionlens.datasets": 0,
    "missionlens.mission_registry": 0,
    "missionlens.frameworks": 0,
    "missionlens.framework": 1,
    "missionlens.assessments": 2,
    "missionlens.scoring": 3,
    "missionlens.analysis": 4,
    "missionlens.plot": 5,
    "missionlens.plotting": 5,
    "missionlens.reports": 5,
    "missionlens.cli": 5,
    "missionlens.demo": 5,
    "missionlens": 6,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(p): p
        for p in PACKAGE.rglob("*.py")
        if "data" not in p.relative_to(PACKAGE).parts[:1]  # build scripts, not the package
    }


def layer_of(module: str) -> int:
    """The layer of a module: that of its longest registered prefix."""
    best = ""
    for prefix in LAYERS:
        if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best):
            best = prefix
    if not best:
        raise KeyError(f"module {module} has no layer; add it to LAYERS")
    return LAYERS[best]


def _type_only(tree: ast.AST) -> set[int]:
    """Ids of the import nodes under ``if TYPE_CHECKING:`` (for annotations only)."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                ids.update(id(n) for n in ast.walk(inner))
    return ids


def _imports(path: Path, known: set[str], *, runtime_only: bool = False) -> set[str]:
    """The missionlens modules a file imports (resolving ``from a import b`` to ``a.b``).

    With ``runtime_only``, imports under ``if TYPE_CHECKING:`` are left out.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_only(tree) if runtime_only else set()
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("missionlens"):
                    found.add(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("missionlens"):
                continue
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in known else node.module)
    return found


def _graph(*, runtime_only: bool = False) -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {
        name: _imports(path, known, runtime_only=runtime_only) for name, path in modules.items()
    }


def test_every_module_has_a_layer() -> None:
    for name in _modules():
        layer_of(name)


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    upward = [
        f"{module} (layer {layer_of(module)}) imports {target} (layer {layer_of(target)})"
        for module, targets in _graph().items()
        for target in sorted(targets)
        if layer_of(target) > layer_of(module)
    ]
    assert not upward, "upward imports:\n" + "\n".join(upward)


def _is_package(name: str) -> bool:
    return (PACKAGE.parent / Path(*name.split(".")) / "__init__.py").exists()


def test_no_import_cycle() -> None:
    # a package's __init__ only gathers its modules (importing a module runs its package's
    # __init__ first, which is not a dependency of the module): left out of the cycle search,
    # as are imports for annotations only (under TYPE_CHECKING), which never run
    graph = {
        m: {t for t in targets if not _is_package(t) and t != m}
        for m, targets in _graph(runtime_only=True).items()
        if not _is_package(m)
    }
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize(
    ("module", "layer"),
    [
        ("missionlens.errors", 0),
        ("missionlens.framework.model", 1),
        ("missionlens.assessments.checks", 2),
        ("missionlens.scoring.kernels.aggregate", 3),
        ("missionlens.plot.profile", 5),
    ],
)
def test_layer_of(module: str, layer: int) -> None:
    assert layer_of(module) == layer


def test_the_check_catches_an_upward_import(tmp_path: Path) -> None:
    """The detector itself: a core module importing scoring is reported."""
    fake = tmp_path / "fake.py"
    fake.write_text("def f():\n    from missionlens.scoring.profiles import score\n")
    found = _imports(fake, {"missionlens.scoring.profiles"})
    assert found == {"missionlens.scoring.profiles"}
    assert layer_of("missionlens.scoring.profiles") > layer_of("missionlens.errors")
