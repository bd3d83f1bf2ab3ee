"""Every code block of the documentation runs: each page under ``docs/`` and the README.

The convention of fences (the site's pages and the README follow it; a page breaking it fails
here):

- ```` ```python ````: executed. The ``python`` blocks of a page run in the order of the page
  in one namespace (a block may use what an earlier block of the same page defined), in a
  fresh temporary working directory, with matplotlib drawing off screen.
- ```` ```bash ````, ```` ```console ```` and ```` ```shell ````: every line is a
  ``missionlens ...`` command (a leading ``$`` prompt, ``#`` comments, ``\\`` continuations,
  ``*`` file patterns and a ``> file`` redirection of the output are understood). Each runs
  in process through click's ``CliRunner`` on :func:`missionlens.cli.main`, in the same
  working directory as the page's Python, in the page's order, and must exit with code 0.
  A block meant to fail says so on the line just before its fence, invisibly on the site:
  ``<!-- docs-test: exit 1 -->`` (the exit code every command of the block must return).
- Any other fence (```` ```text ````, ```` ```yaml ````, ```` ```csv ````, ```` ```json ````,
  ...) is shown, not run: install commands, files, output. A fence with no language at all is
  refused, so that no block is left out by accident.

The README's first ``bash`` block (the two quickstart commands, which install the package) is
checked, not run (``test_readme_quickstart_commands``). The README names files an analyst has
(``analyst-1.xlsx``, ``spec.yaml``, ``my-framework.yaml``): the ``page_dir`` fixture lays them
in every page's working directory (built once per session); the pages of ``docs/`` make the
files they use in their own code. Where the README's text takes a variable for granted that it
never binds, :data:`README_GAPS` binds it just before the block, and says so: each entry is a
gap for the README's owner to close. ``missionlens demo`` (seconds) runs once per session: a
later page that runs it with the same arguments gets a copy of what it wrote.
"""

from __future__ import annotations

import glob
import re
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
EXECUTED_SHELL = ("bash", "console", "shell")
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<lang>[^\s`{]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.DOTALL | re.MULTILINE,
)
EXIT_MARK = re.compile(r"<!--\s*docs-test:\s*exit\s+(\d+)\s*-->\s*$")

#: ``missionlens demo`` runs of this session: arguments -> (exit code, folder written).
_DEMO_RUNS: dict[tuple[str, ...], tuple[int, str]] = {}

#: Files the README and the guides name as an analyst's own, laid in each page's directory.
FIXTURE_FILES = ("analyst-1.xlsx", "analyst-2.xlsx", "spec.yaml", "my-framework.yaml")


@dataclass(frozen=True)
class Block:
    """One fenced block of a page."""

    page: str
    index: int
    lang: str
    code: str
    line: int
    exit_code: int


def blocks_of(path: Path, name: str | None = None) -> list[Block]:
    """The fenced blocks of a Markdown page, in order, with the exit code a mark asks for."""
    text = path.read_text(encoding="utf-8")
    name = name or path.name
    found: list[Block] = []
    for i, match in enumerate(FENCE.finditer(text)):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        mark = EXIT_MARK.search(before)
        indent = match.group("indent")
        body = "\n".join(
            line[len(indent) :] if line.startswith(indent) else line
            for line in match.group("body").split("\n")
        )
        found.append(
            Block(
                page=name,
                index=i,
                lang=match.group("lang").lower(),
                code=body,
                line=text.count("\n", 0, match.start()) + 1,
                exit_code=int(mark.group(1)) if mark else 0,
            )
        )
    return found


def commands_of(block: Block) -> list[list[str]]:
    """The ``missionlens`` commands of a shell block, as argument lists (after the name)."""
    joined = re.sub(r"\\\n", " ", block.code)
    commands: list[list[str]] = []
    for raw in joined.splitlines():
        line = raw.strip()
        if line.startswith("$ "):
            line = line[2:].strip()
        if not line or line.startswith("#"):
            continue
        words = shlex.split(line, comments=True)
        if not words or words[0] != "missionlens":
            raise AssertionError(
                f"{block.page}:{block.line}: a ```{block.lang} block runs missionlens "
                f"commands only; {raw.strip()!r} is not one (show it in a ```text block)"
            )
        commands.append(words[1:])
    return commands


def run_cli(block: Block, cwd: Path) -> None:
    """Run every command of a shell block through the CLI, expecting the marked exit code."""
    import matplotlib.pyplot as plt
    from click.testing import CliRunner

    from missionlens.cli import main

    runner = CliRunner()
    for words in commands_of(block):
        redirect: Path | None = None
        if ">" in words:
            at = words.index(">")
            redirect = cwd / words[at + 1]
            words = words[:at]
        args: list[str] = []
        for word in words:
            matches = sorted(glob.glob(word, root_dir=cwd)) if "*" in word else []
            args.extend(matches or [word])
        if args and args[0] == "demo" and tuple(args) in _DEMO_RUNS:
            # the demo (seconds) runs once per session: a second page asking for it with the
            # same arguments gets a copy of what it wrote, and its exit code
            code, out = _DEMO_RUNS[tuple(args)]
            shutil.copytree(out, cwd / Path(out).name, dirs_exist_ok=True)
            assert code == block.exit_code
            continue
        result = runner.invoke(main, args, catch_exceptions=False)
        plt.close("all")  # a command is a process of its own: it leaves no figure open
        if args and args[0] == "demo":
            written = cwd / (
                args[args.index("--out") + 1] if "--out" in args else "missionlens-demo"
            )
            _DEMO_RUNS[tuple(args)] = (result.exit_code, str(written))
        assert result.exit_code == block.exit_code, (
            f"{block.page}:{block.line}: `missionlens {shlex.join(words)}` exited with "
            f"{result.exit_code}, expected {block.exit_code}\n{result.output}"
        )
        if redirect is not None:
            redirect.write_text(result.stdout, encoding="utf-8")


def run_page(path: Path, cwd: Path, name: str, *, skip: frozenset[int] = frozenset()) -> int:
    """Run every executed block of a page in order; the number of blocks run."""
    namespace: dict[str, object] = {"__name__": f"docs:{name}"}
    ran = 0
    for block in blocks_of(path, name):
        if block.index in skip:
            continue
        if not block.lang:
            raise AssertionError(
                f"{name}:{block.line}: a fence without a language; name it (```python to run "
                "it, ```text, ```yaml, ... to show it)"
            )
        if block.lang == "python":
            for (page, marker), prelude in README_GAPS.items():
                if page == name and marker in block.code:
                    where = f"{name} (README_GAPS, before line {block.line})"
                    exec(compile(prelude, where, "exec"), namespace)
            code = compile("\n" * (block.line) + block.code, name, "exec")
            exec(code, namespace)
        elif block.lang in EXECUTED_SHELL:
            run_cli(block, cwd)
        else:
            continue
        ran += 1
    import matplotlib.pyplot as plt

    plt.close("all")
    return ran


#: Code the README's blocks take for granted without binding it; run just before the block
#: (page, fence index). Each entry is a gap for the README's owner to close in its text.
README_GAPS: dict[tuple[str, str], str] = {
    # (page, a line of the block) -> code run just before that block; none at present.
}


def _pages() -> list[Path]:
    return [*sorted(DOCS.rglob("*.md")), ROOT / "README.md"]


def _id(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.fixture(scope="session")
def analyst_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two analysts' workbooks of the demo's fictional missions A and B in 2024-H2 and a third
    drawn the same way under the name MINUSCA, which the README's commands name (the ratings
    are generated, as the demo's), an uncertainty specification and a framework file."""
    import pandas as pd

    import missionlens as ml
    from missionlens.demo import synthetic_assessments

    folder = tmp_path_factory.mktemp("analyst-files")
    fw = ml.load_framework("whole-of-mission")
    table = synthetic_assessments(fw)
    other = synthetic_assessments(fw, seed=2019)  # another draw: a third mission's ratings
    minusca = other[other["mission"] == "Mission A"].assign(mission="MINUSCA")
    table = pd.concat([table[table["mission"] != "Mission C"], minusca], ignore_index=True)
    keep = (table["rater"] != "analyst-3") & (table["period"] == "2024-H2")  # the README's
    table = table[keep].copy()  # all three missions in implementation
    table["rater"] = table["rater"].replace({"data-officer": "analyst-1"})
    table = ml.read_assessments(table, framework=fw)
    for rater in ("analyst-1", "analyst-2"):
        ml.write_assessments(table[table["rater"] == rater], folder / f"{rater}.xlsx")
    (folder / "spec.yaml").write_text("jitter: {}\nraters: true\n", encoding="utf-8")
    shutil.copy(ROOT / "tests" / "data" / "frameworks" / "small.yaml", folder / "my-framework.yaml")
    return folder


@pytest.fixture
def page_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, analyst_files: Path
) -> Iterator[Path]:
    for name in FIXTURE_FILES:
        shutil.copy(analyst_files / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    from missionlens.assessments import formats

    # a page may register formats (docs/assessments.md does, and removes them): whatever it
    # leaves, the registries and matplotlib's settings are as they were for the next test
    readers, writers = dict(formats._READERS), dict(formats._WRITERS)
    backend = matplotlib.get_backend()
    matplotlib.use("Agg")
    with matplotlib.rc_context():
        yield tmp_path
    matplotlib.use(backend)
    formats._READERS.clear()
    formats._READERS.update(readers)
    formats._WRITERS.clear()
    formats._WRITERS.update(writers)


@pytest.mark.parametrize("path", _pages(), ids=_id)
def test_page_code_runs(path: Path, page_dir: Path) -> None:
    """Every ```python block and every missionlens command of the page runs, in order."""
    name = _id(path)
    skip = frozenset({_readme_quickstart_index()}) if name == "README.md" else frozenset()
    run_page(path, page_dir, name, skip=skip)


def _readme_quickstart_index() -> int:
    shells = [b for b in blocks_of(ROOT / "README.md") if b.lang == "bash"]
    return shells[0].index


def test_readme_gaps_are_still_there() -> None:
    """Each README_GAPS entry still names a block of its page (remove it once closed)."""
    for page, marker in README_GAPS:
        assert marker in (ROOT / page).read_text(encoding="utf-8"), (page, marker)


def test_readme_quickstart_commands() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    fence = lines.index("```bash")
    commands = lines[fence + 1 : lines.index("```", fence + 1)]
    assert len(commands) == 2
    assert "missionlens demo" in commands[0] and "pytest" in commands[1]
    assert "pytest" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


# --- the test of the test -------------------------------------------------------------------


def test_a_broken_python_block_fails(tmp_path: Path, page_dir: Path) -> None:
    page = tmp_path / "broken.md"
    page.write_text(
        "# A page\n\n```python\nx = 1\n```\n\nText.\n\n```python\nassert x == 2, 'wrong'\n```\n",
        encoding="utf-8",
    )
    with pytest.raises(AssertionError, match="wrong"):
        run_page(page, page_dir, "broken.md")


def test_blocks_share_a_namespace_and_others_are_not_run(page_dir: Path) -> None:
    page = page_dir / "fine.md"
    page.write_text(
        "```python\nx = 41\n```\n\n```text\nnot python at all (\n```\n\n"
        "```yaml\nkey: [unclosed\n```\n\n- a list\n\n  ```python\n  x += 1\n  ```\n\n"
        "```python\nassert x == 42\n```\n",
        encoding="utf-8",
    )
    assert run_page(page, page_dir, "fine.md") == 3


def test_a_fence_without_language_fails(page_dir: Path) -> None:
    page = page_dir / "bare.md"
    page.write_text("```\nmissionlens --version\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="without a language"):
        run_page(page, page_dir, "bare.md")


def test_cli_blocks_run_and_check_their_exit_code(page_dir: Path) -> None:
    page = page_dir / "cli.md"
    page.write_text(
        "```console\n$ missionlens frameworks list\n"
        "$ missionlens frameworks schema > s.json\n```\n",
        encoding="utf-8",
    )
    assert run_page(page, page_dir, "cli.md") == 1
    assert (page_dir / "s.json").read_text(encoding="utf-8").lstrip().startswith("{")
    failing = page_dir / "failing.md"
    failing.write_text(
        "```bash\nmissionlens validate missing.xlsx -f whole-of-mission\n```\n", encoding="utf-8"
    )
    with pytest.raises(AssertionError, match="expected 0"):
        run_page(failing, page_dir, "failing.md")
    failing.write_text(
        "<!-- docs-test: exit 2 -->\n"
        "```bash\nmissionlens validate missing.xlsx -f whole-of-mission\n```\n",
        encoding="utf-8",
    )
    assert run_page(failing, page_dir, "failing.md") == 1


def test_a_shell_block_runs_only_missionlens(page_dir: Path) -> None:
    page = page_dir / "install.md"
    page.write_text("```bash\npip install missionlens\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="missionlens commands only"):
        run_page(page, page_dir, "install.md")


def test_every_public_name_is_in_the_api_reference() -> None:
    import missionlens as ml
    from missionlens import _LAZY

    whole: set[str] = set()
    listed: set[str] = set()
    for page in (DOCS / "reference").glob("*.md"):
        for directive in re.split(r"^(?=::: )", page.read_text(encoding="utf-8"), flags=re.M)[1:]:
            target = directive.split()[1]
            members = re.findall(r"^        - (\S+)$", directive, re.M)
            if members:
                listed.update(members)
            elif target.rsplit(".", 1)[-1] in ml.__all__:  # one object: ::: module.name
                listed.add(target.rsplit(".", 1)[-1])
            else:
                whole.add(target)
    missing = [
        name
        for name in ml.__all__
        if name != "__version__"
        and name not in listed
        and _LAZY.get(name, "missionlens.errors") not in whole
    ]
    assert not missing, f"public names missing from docs/reference/: {missing}"


def test_every_page_is_in_the_site_nav() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = [p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")]
    missing = [p for p in pages if not re.search(rf"(?:^|\s){re.escape(p)}\s*$", config, re.M)]
    assert not missing, f"pages not in the nav of mkdocs.yml: {missing}"
