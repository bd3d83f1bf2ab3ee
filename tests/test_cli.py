"""The command-line interface: every command, its help, exit codes, --json and --quiet."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import click
import pandas as pd
import pytest
from click.testing import CliRunner

import missionlens as ml
from missionlens.cli import main
from missionlens.scoring.profiles import SUMMARY_COLUMNS

BAD = Path(__file__).parent / "data" / "frameworks" / "bad"
SMALL = Path(__file__).parent / "data" / "frameworks" / "small.yaml"


def test_frameworks_list_and_show() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["frameworks", "list"])
    assert result.exit_code == 0 and "whole-of-mission" in result.output
    result = runner.invoke(main, ["frameworks", "show", "whole-of-mission@1"])
    assert result.exit_code == 0
    assert "political" in result.output and "pol_01" in result.output
    latest = runner.invoke(main, ["frameworks", "show", "whole-of-mission"])
    assert latest.exit_code == 0
    assert "whole-of-mission v2" in latest.output and "poc_action" in latest.output


def test_frameworks_schema_is_json() -> None:
    result = CliRunner().invoke(main, ["frameworks", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "Framework" and "indicators" in schema["properties"]


def test_validate_good_file() -> None:
    result = CliRunner().invoke(main, ["frameworks", "validate", str(SMALL)])
    assert result.exit_code == 0 and "OK" in result.output


def test_validate_bad_file_exits_1_with_table() -> None:
    bad = str(BAD / "several_problems.yaml")
    result = CliRunner().invoke(main, ["frameworks", "validate", bad])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "problems in" in lines[0]
    header = lines[1].split()
    assert header == ["path", "id", "check", "value", "message"]
    for path in ("indicators[1].id", "nodes[2].weight", "scales[1].minimum"):
        assert path in result.output


def test_show_unknown_name_exits_2() -> None:
    result = CliRunner().invoke(main, ["frameworks", "show", "nope"])
    assert result.exit_code == 2


def test_demo_runs_and_writes_its_outputs(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ml.MixedPhasesWarning)  # compared within a phase only
        warnings.simplefilter("error", ml.IncompleteScoreWarning)  # caught into notes, not raised
        result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    out = tmp_path / "demo"
    # every plot of missionlens.plot, the fatality trajectories and the lifecycle grid
    figures = (
        "profile", "radar", "comparison", "lifecycle", "levels", "facets", "quadrant",
        "framework", "agreement", "rater_spread", "score_intervals", "rank_intervals",
        "waterfall", "fatalities", "small_multiples",
    )  # fmt: skip
    files = (
        "profiles.zip", "profiles.xlsx", "scores.csv", "summary.csv", "recipe.yaml",
        "template.xlsx", "xlsform.xlsx", "uncertainty_summary.csv", "uncertainty_pairwise.csv",
        "uncertainty_rank_shift.csv", "benchmarks.csv",
    )  # fmt: skip
    for name in (*files, *(f"{f}.png" for f in figures)):
        assert (out / name).stat().st_size > 0, name
    # the briefing reports, beside the other files, labelled illustrative
    for report in ("report-unmil.html", "comparison.html"):
        page = (out / report).read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "<script" not in page
        assert "Illustrative" in page
    text = result.output
    assert text.index("NOTE: Illustrative ratings") < text.index("== 1.")
    assert "out_of_scale" in text and "unknown_indicator" in text
    assert "10 UN peacekeeping missions in 34 mission-years" in text
    assert "whole-of-mission v2" in text and "context" in text
    assert "critical flags" in text and "Krippendorff's alpha" in text
    # each mission's life in chronological order (MINUSTAH 2005 before 2014)
    minustah = next(line for line in text.splitlines() if line.strip().startswith("MINUSTAH "))
    assert minustah.index("2005") < minustah.index("2010") < minustah.index("2014")
    assert "What moved: UNMIL" in text and "5-95 % interval" in text
    assert str(out.resolve()) in text
    summary = pd.read_csv(out / "summary.csv", encoding="utf-8-sig")
    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    assert len(summary) == 34 and summary["complete"].all()
    assert set(summary["mission"]) == set(ml.datasets.PORTFOLIO_MISSIONS)
    intervals = pd.read_csv(out / "uncertainty_summary.csv", encoding="utf-8-sig")
    root = intervals[intervals["node"] == "wom"]
    assert len(root) == 34 and (root["lower"] <= root["upper"]).all()
    pairwise = pd.read_csv(out / "uncertainty_pairwise.csv", encoding="utf-8-sig")
    assert pairwise["p_above"].between(0, 1).all()
    profiles = ml.Profiles.load(out / "profiles.zip")
    assert profiles.framework.version == "2"
    # MINUSMA 2013: the real fatality rate of the shipped table, entered unchanged
    rate = profiles.data
    rate = rate[(rate["indicator"] == "env_fatalities_malicious") & (rate["mission"] == "MINUSMA")]
    table = ml.datasets.load_mission_year_indicators()
    row = table[(table["mission"] == "MINUSMA") & (table["year"] == 2013)]
    assert float(rate[rate["period"].astype(str) == "2013"]["value"].iat[0]) == pytest.approx(
        float(row["malicious_deaths_uniformed_per_1000"].iat[0])
    )


def test_score_command(tmp_path: Path) -> None:
    table = tmp_path / "entries.csv"
    table.write_text(
        "mission,period,phase,indicator,value,rater\n"
        "A,2024-H1,implementation,pol_01,4,r1\n"
        "A,2024-H1,implementation,pol_01,2,r2\n"
        "A,2024-H1,implementation,pol_02,3,r1\n",
        encoding="utf-8",
    )
    out = tmp_path / "p.zip"
    result = CliRunner().invoke(main, ["score", str(table), "-f", str(SMALL), "-o", str(out)])
    assert result.exit_code == 0, result.output
    profiles = ml.Profiles.load(out)
    # median of 4 and 2 is 3 -> 50
    assert profiles.wide().loc[("A", "2024-H1"), "pol_01"] == 50
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "mission,period,phase,indicator,value,rater\nA,2024-H1,implementation,pol_01,9,r1\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["score", str(bad), "-f", str(SMALL), "-o", str(out)])
    assert result.exit_code == 1 and "out_of_scale" in result.output


def test_validate_empty_file_exits_1(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("mission,period,phase,indicator,value,rater\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(empty), "-f", str(SMALL)])
    assert result.exit_code == 1 and "No entries found" in result.output


# ------------------------------------------------------------------ the first hour (issue 5)
ROOT = Path(__file__).parents[1]


def _all_commands() -> list[tuple[list[str], click.Command]]:
    """Every command and group, as its argument path and the click command."""
    found: list[tuple[list[str], click.Command]] = []

    def walk(command: click.Command, path: list[str]) -> None:
        found.append((path, command))
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, [*path, name])

    walk(main, [])
    return found


LEAVES = {
    "frameworks list",
    "frameworks show",
    "frameworks schema",
    "frameworks validate",
    "frameworks diff",
    "frameworks check-translations",
    "template",
    "validate",
    "score",
    "demo",
    "uncertainty",
    "report",
    "compare",
}


def _entries(path: Path, rows: str) -> Path:
    path.write_text("mission,period,phase,indicator,value,rater\n" + rows, encoding="utf-8")
    return path


# A complete unit of small.yaml; scored by hand in test_score_prints_dimension_tables
COMPLETE = (
    "A,2024-H1,implementation,pol_01,4,r1\n"
    "A,2024-H1,implementation,pol_01,2,r2\n"
    "A,2024-H1,implementation,pol_02,5,r1\n"
    "A,2024-H1,implementation,env_01,1.5,r1\n"
    "A,2024-H1,implementation,env_02,1,r1\n"
)


def test_every_command_is_covered() -> None:
    leaves = {" ".join(p) for p, c in _all_commands() if not isinstance(c, click.Group)}
    assert leaves == LEAVES


@pytest.mark.parametrize("path", sorted(" ".join(p) for p, _ in _all_commands()))
def test_help_says_what_how_and_exit_codes(path: str) -> None:
    args = path.split() if path else []
    for flag in ("--help", "-h"):
        result = CliRunner().invoke(main, [*args, flag])
        assert result.exit_code == 0, result.output
        text = result.output
        assert "Usage: missionlens" in text
        assert "Example" in text and "missionlens " in text.split("Example")[1]
        assert "Exit codes:" in text and "0  all went well" in text
        assert "1  a problem in the data" in text and "2  a usage error" in text
        if path in LEAVES:
            assert "Reads" in text  # which files it reads and writes
    if path:
        bad = CliRunner().invoke(main, [*args, "--no-such-option"])
        assert bad.exit_code == 2 and "No such option" in bad.output


def test_version_and_help_answer_without_pandas_or_pydantic() -> None:
    code = (
        "import sys\n"
        "from missionlens.cli import main\n"
        "for args in (['--version'], ['--help'], ['score', '--help']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, exc.code\n"
        "heavy = ('pandas', 'pydantic', 'numpy', 'matplotlib', 'openpyxl')\n"
        "print('HEAVY', [m for m in heavy if m in sys.modules])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert "missionlens, version " + ml.__version__ in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "HEAVY []"


def test_version_short_flag() -> None:
    result = CliRunner().invoke(main, ["-V"])
    assert result.exit_code == 0 and result.output == f"missionlens, version {ml.__version__}\n"


def test_period_and_phase_are_named_the_same_everywhere() -> None:
    seen = set()
    for path, command in _all_commands():
        for param in command.params:
            if not isinstance(param, click.Option):
                continue
            flags = set(param.opts) | set(param.secondary_opts)
            if "-p" in flags:
                assert "--period" in flags, (path, flags)
            if "--period" in flags:
                assert flags == {"--period", "-p"}, (path, flags)
                seen.add("period")
            if "--phase" in flags:
                assert flags == {"--phase"}, (path, flags)  # no short form
                seen.add("phase")
            assert "-P" not in flags
    assert seen == {"period", "phase"}


def test_template_old_p_for_phase_is_refused_with_a_hint(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    result = CliRunner().invoke(main, ["template", str(SMALL), str(out), "-m", "A", "-p", "exit"])
    assert result.exit_code == 2 and "--phase exit" in result.output and not out.exists()
    result = CliRunner().invoke(main, ["template", str(SMALL), str(out), "-m", "A"])
    assert result.exit_code == 2 and "Missing option '--phase'" in result.output
    result = CliRunner().invoke(
        main, ["template", str(SMALL), str(out), "-m", "A", "--phase", "exit", "-p", "2024-H2"]
    )
    assert result.exit_code == 0, result.output
    assert "phase exit" in result.output and out.exists()


def test_unwritable_outputs_exit_2(tmp_path: Path) -> None:
    table = _entries(tmp_path / "e.csv", COMPLETE)
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    nowhere = blocker / "sub" / "out"  # a folder inside a file: cannot exist
    runner = CliRunner()
    for args in (
        ["frameworks", "schema", "-o", f"{nowhere}.json"],
        ["template", str(SMALL), f"{nowhere}.xlsx", "-m", "A", "--phase", "exit"],
        ["validate", str(table), "-f", str(SMALL), "-o", f"{nowhere}.csv"],
        ["score", str(table), "-f", str(SMALL), "-o", f"{nowhere}.zip"],
        ["score", str(table), "-f", str(SMALL), "-o", str(tmp_path / "p.txt")],
        ["demo", "--out", str(nowhere)],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith("error: ") and "Traceback" not in result.output


def test_missing_inputs_exit_2_and_data_problems_exit_1(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = str(tmp_path / "missing.csv")
    for args in (
        ["validate", missing, "-f", str(SMALL)],
        ["score", missing, "-f", str(SMALL), "-o", str(tmp_path / "p.zip")],
        ["frameworks", "validate", missing],
        ["validate", str(_entries(tmp_path / "e.csv", COMPLETE)), "-f", "no-such-framework"],
    ):
        assert runner.invoke(main, args).exit_code == 2, args
    bad_framework = str(BAD / "several_problems.yaml")
    good = str(_entries(tmp_path / "e.csv", COMPLETE))
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("steps: [\n", encoding="utf-8")
    for args in (
        ["validate", good, "-f", bad_framework],
        ["score", good, "-f", bad_framework, "-o", str(tmp_path / "p.zip")],
        ["frameworks", "show", bad_framework],
        ["score", good, "-f", str(SMALL), "-r", str(recipe), "-o", str(tmp_path / "p.zip")],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 1, (args, result.output)
        assert "Traceback" not in result.output
    assert not (tmp_path / "p.zip").exists()


def test_score_prints_dimension_tables(tmp_path: Path) -> None:
    table = _entries(
        tmp_path / "e.csv",
        COMPLETE + "B,2024-H1,implementation,env_01,3,r1\n",
    )
    out = tmp_path / "p.zip"
    result = CliRunner().invoke(main, ["score", str(table), "-f", str(SMALL), "-o", str(out)])
    assert result.exit_code == 0, result.output
    # by hand, default recipe: rubric 1-5 -> 0-100, median of raters; env_01 a rate with
    # goalposts 0-3, lower is better; pol = (50 * 1 + 100 * 0.5) / 1.5; env_sec = mean(50, 100);
    # the root is the weighted geometric mean (weights 2 and 1)
    pol, env = (50 * 1 + 100 * 0.5) / 1.5, (100 * (3 - 1.5) / 3 + 100) / 2
    overall = (pol**2 * env) ** (1 / 3)
    lines = result.stdout.splitlines()
    a = lines.index("A  2024-H1  (phase implementation)")
    assert lines[a + 1].split() == ["dimension", "score", "coverage", "weight", "share"]
    assert lines[a + 2].split() == ["pol", "Political", "process", f"{pol:.1f}", "100%", "100%"]
    assert lines[a + 3].split()[-3:] == [f"{env:.1f}", "100%", "100%"]
    assert lines[a + 4].split() == ["overall", f"{overall:.1f}", "100%", "100%"]
    b = lines.index("B  2024-H1  (phase implementation)")
    # B: only env_01 (3 per 1,000: the worst end, 0); pol has no score, nor the root
    assert lines[b + 2].split() == [
        "pol", "Political", "process", "missing", "0%", "0%", "lacks:", "pol_01,", "pol_02"
    ]  # fmt: skip
    # env rests on env_sec alone (env_03 does not apply in implementation): all its weight
    assert lines[b + 3].split()[-3:] == ["0.0", "50%", "100%"]
    assert lines[b + 4].split()[:4] == ["overall", "missing", "25%", "33%"]
    assert "weight share: share of the weight" in result.stdout
    assert result.stdout.rstrip().endswith(
        f"(recipe {ml.Profiles.load(out).fingerprints['recipe']})"
    )
    assert ml.Profiles.load(out).wide(node_type="root").loc[("A", "2024-H1"), "index"] == (
        pytest.approx(overall)
    )


def test_score_json(tmp_path: Path) -> None:
    table = _entries(tmp_path / "e.csv", "A,2024-H1,implementation,pol_02,4,r1\n")
    out = tmp_path / "p.csv"
    result = CliRunner().invoke(
        main, ["score", str(table), "-f", str(SMALL), "-o", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # the warning is in the document, not printed
    document = json.loads(result.stdout)
    assert document["ok"] is True and document["output"] == str(out)
    assert document["framework"]["id"] == "small"
    assert set(document["fingerprints"]) == {"framework", "recipe", "data"}
    assert any("below_min_share at 'pol'" in w for w in document["warnings"])
    written = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False)
    assert len(document["profiles"]) == len(written)  # every row, every view
    assert list(document["profiles"][0]) == list(ml.PROFILE_COLUMNS)
    scores = {(r["view"], r["node"]): r["score"] for r in document["profiles"]}
    assert scores[("tree", "pol_02")] == 75.0  # (4 - 1) / 4 * 100
    assert scores[("tree", "pol_01")] is None  # missing is null, not dropped

    bad = _entries(tmp_path / "bad.csv", "A,2024-H1,implementation,pol_01,9,r1\n")
    result = CliRunner().invoke(
        main, ["score", str(bad), "-f", str(SMALL), "-o", str(tmp_path / "q.zip"), "--json"]
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False and document["counts"] == {"out_of_scale": 1}
    assert [p["check"] for p in document["problems"]] == ["out_of_scale"]
    assert document["problems"][0]["row"] == 2 and not (tmp_path / "q.zip").exists()


def test_score_quiet(tmp_path: Path) -> None:
    out = str(tmp_path / "p.zip")
    good = _entries(tmp_path / "e.csv", COMPLETE)
    result = CliRunner().invoke(main, ["score", str(good), "-f", str(SMALL), "-o", out, "-q"])
    assert result.exit_code == 0 and result.output == ""
    warned = _entries(tmp_path / "w.csv", "A,2024-H1,implementation,pol_02,4,r1\n")
    result = CliRunner().invoke(
        main, ["score", str(warned), "-f", str(SMALL), "-o", out, "--quiet"]
    )
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.startswith("warning: ")  # warnings are never silenced
    result = CliRunner().invoke(
        main, ["score", str(good), "-f", str(SMALL), "-o", out, "-q", "--json"]
    )
    assert result.exit_code == 2 and "choose one" in result.output


def test_validate_json_quiet_verbose(tmp_path: Path) -> None:
    good = _entries(tmp_path / "good.csv", COMPLETE)
    bad = _entries(
        tmp_path / "bad.csv",
        "B,2024-H1,implementation,pol_01,9,r1\nB,2024-H1,implementation,pol_99,3,r1\n",
    )
    runner = CliRunner()
    result = runner.invoke(main, ["validate", str(good), "-f", str(SMALL), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["ok"] is True and document["n_entries"] == 5
    assert document["problems"] == [] and document["counts"] == {}
    assert document["entries_per_source"] == {str(good): 5}

    out = tmp_path / "problems.csv"
    result = runner.invoke(
        main, ["validate", str(good), str(bad), "-f", str(SMALL), "--json", "-o", str(out)]
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False and document["n_problems"] == len(document["problems"]) == 2
    assert document["counts"] == {"out_of_scale": 1, "unknown_indicator": 1}
    assert document["output"] == str(out)
    written = pd.read_csv(out, encoding="utf-8-sig")
    assert list(written.columns) == list(document["problems"][0])
    assert [p["check"] for p in document["problems"]] == list(written["check"])
    assert {p["file"] for p in document["problems"]} == {str(bad)}

    result = runner.invoke(main, ["validate", str(good), "-f", str(SMALL), "-q"])
    assert result.exit_code == 0 and result.output == ""
    result = runner.invoke(main, ["validate", str(bad), "-f", str(SMALL), "-q"])
    assert result.exit_code == 1 and "out_of_scale" in result.output  # problems still print
    result = runner.invoke(main, ["validate", str(good), str(bad), "-f", str(SMALL), "-v"])
    assert result.exit_code == 1
    assert f"read {good}: 5 entries, 0 problems" in result.output
    assert f"read {bad}: 2 entries, 2 problems" in result.output
    result = runner.invoke(main, ["validate", str(good), "-f", str(SMALL), "--json", "-q"])
    assert result.exit_code == 2


def test_json_of_a_bad_framework(tmp_path: Path) -> None:
    good = str(_entries(tmp_path / "e.csv", COMPLETE))
    bad = str(BAD / "several_problems.yaml")
    result = CliRunner().invoke(main, ["validate", good, "-f", bad, "--json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False and len(document["framework_problems"]) >= 3


def test_cli_reference_page_is_current() -> None:
    spec = importlib.util.spec_from_file_location(
        "build_cli_docs", ROOT / "docs" / "build_cli_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert page == module.render(), "run: python docs/build_cli_docs.py"
    for path, command in _all_commands():
        assert f"### `{' '.join(['missionlens', *path])}`" in page
        for param in command.params:
            for flag in getattr(param, "opts", []):
                assert flag in page or param.name.upper() in page, (path, flag)


# ------------------------------------------------------------ the bad-input corpus, via the CLI
CORPUS = Path(__file__).parent / "data" / "bad"


def _corpus(prefixes: tuple[str, ...]) -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if p.name.startswith(prefixes))


@pytest.fixture
def _loaded_once(monkeypatch: pytest.MonkeyPatch, wom: ml.Framework) -> None:
    """The built-in framework built once for the corpus (each load takes a tenth of a second)."""
    from missionlens.framework import registry

    built = wom
    real = registry.load_framework

    def load(name: str) -> ml.Framework:
        return built if name == "whole-of-mission" else real(name)

    monkeypatch.setattr(registry, "load_framework", load)


@pytest.mark.usefixtures("_loaded_once")
@pytest.mark.parametrize("name", _corpus(("csv_", "json_", "unknown_")))
def test_corpus_entries_through_validate_and_score_json(name: str, tmp_path: Path) -> None:
    path = str(CORPUS / name)
    runner = CliRunner()
    validated = runner.invoke(main, ["validate", path, "-f", "whole-of-mission", "--json"])
    out = tmp_path / "p.zip"
    scored = runner.invoke(
        main, ["score", path, "-f", "whole-of-mission", "-o", str(out), "--json"]
    )
    for result in (validated, scored):
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        assert result.exit_code in (0, 1), result.output
        document = json.loads(result.stdout)  # always a JSON document, never a traceback
        assert document["ok"] is (result.exit_code == 0)
    v_doc = json.loads(validated.stdout)
    if v_doc["n_problems"]:  # a problem refuses the scoring too, with the same checks
        assert scored.exit_code == 1 and not out.exists()
        assert json.loads(scored.stdout)["counts"] == v_doc["counts"]
    elif scored.exit_code == 0:
        assert out.exists()


@pytest.mark.parametrize("name", _corpus(("framework_",)))
def test_corpus_frameworks_exit_1_with_a_table(name: str) -> None:
    result = CliRunner().invoke(main, ["frameworks", "validate", str(CORPUS / name)])
    assert result.exit_code == 1 and re.search(r"\d+ problems? in", result.output), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("name", _corpus(("recipe_",)))
def test_corpus_recipes_exit_1(name: str, tmp_path: Path) -> None:
    entries = str(_entries(tmp_path / "e.csv", COMPLETE))
    result = CliRunner().invoke(
        main,
        [
            "score",
            entries,
            "-f",
            str(SMALL),
            "-r",
            str(CORPUS / name),
            "-o",
            str(tmp_path / "p.zip"),
        ],
    )
    assert result.exit_code == 1 and result.stderr.startswith("error: "), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_timelines_option_checks_phases_in_every_command(tmp_path: Path) -> None:
    # the same timeline check as ml.validate(..., timelines=...): UNMIL was in implementation
    # in 2009 (portfolio timelines, S/RES/1509 (2003)); entered as drawdown it is refused
    entries = ml.datasets.load_portfolio()
    unmil = entries[entries["mission"] == "UNMIL"]
    good, bad, lines = tmp_path / "unmil.csv", tmp_path / "bad.csv", tmp_path / "t.csv"
    unmil.to_csv(good, index=False)
    wrong = unmil.copy()
    wrong.loc[wrong["period"] == "2009", "phase"] = "drawdown"
    in_drawdown = {
        i.id for i in ml.load_framework("whole-of-mission").indicators_in_phase("drawdown")
    }
    wrong = wrong[(wrong["period"] != "2009") | wrong["indicator"].isin(in_drawdown)]
    wrong.to_csv(bad, index=False)
    ml.datasets.portfolio_timelines().to_csv(lines, index=False)
    runner = CliRunner()
    common = ["-f", "whole-of-mission", "-t", str(lines)]
    assert runner.invoke(main, ["validate", str(good), *common]).exit_code == 0
    refused = runner.invoke(main, ["validate", str(bad), *common])
    assert refused.exit_code == 1 and "phase_contradicts_timeline" in refused.output
    # without the timelines the same file passes: the check needs the dates
    assert runner.invoke(main, ["validate", str(bad), "-f", "whole-of-mission"]).exit_code == 0
    out = tmp_path / "s.csv"
    for command in (
        ["score", str(bad), *common, "-o", str(out)],
        ["uncertainty", str(bad), *common, "-n", "5", "-o", str(out)],
        ["report", str(bad), *common, "-m", "UNMIL", "-o", str(tmp_path / "r.html")],
        ["compare", str(bad), *common, "-o", str(tmp_path / "c.html")],
    ):
        result = runner.invoke(main, command)
        assert result.exit_code == 1, command
        assert "phase_contradicts_timeline" in result.output, command
    scored = runner.invoke(main, ["score", str(good), *common, "-o", str(out), "-q"])
    assert scored.exit_code == 0 and out.stat().st_size > 0
    # a file that is not a timeline: a data problem (exit 1) that says what was expected
    wrong_file = runner.invoke(
        main, ["validate", str(good), "-f", "whole-of-mission", "-t", str(good)]
    )
    assert wrong_file.exit_code == 1 and "timeline" in wrong_file.output


def test_score_prints_problems_as_validate_does_and_names_an_empty_template(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    template = tmp_path / "round.xlsx"
    made = runner.invoke(
        main, ["template", "whole-of-mission", str(template), "-m", "MINUSCA", "--phase",
               "implementation"]
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    empty = runner.invoke(
        main, ["score", str(template), "-f", "whole-of-mission", "-o", str(tmp_path / "s.zip")]
    )
    assert empty.exit_code == 1
    assert "No entries found in" in empty.output and "round.xlsx" in empty.output
    assert "nothing to score" in empty.output and "<DataFrame" not in empty.output
    # a value of 9 on a 1-5 rubric: score, report and validate print the same problem table
    entries = ml.datasets.load_portfolio()
    bad = entries[(entries["mission"] == "UNMIL") & (entries["period"] == "2009")].copy()
    bad.loc[bad.index[0], "value"] = 9
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)
    checked = runner.invoke(main, ["validate", str(path), "-f", "whole-of-mission"])
    scored = runner.invoke(
        main, ["score", str(path), "-f", "whole-of-mission", "-o", str(tmp_path / "s.zip")]
    )
    reported = runner.invoke(
        main,
        [
            "report",
            str(path),
            "-f",
            "whole-of-mission",
            "-m",
            "UNMIL",
            "-o",
            str(tmp_path / "r.html"),
        ],
    )
    assert checked.exit_code == scored.exit_code == reported.exit_code == 1
    assert scored.output == checked.output == reported.output
    for column in ("mission", "period", "rater", "out_of_scale", "bad.csv"):
        assert column in checked.output


def test_score_and_uncertainty_say_when_the_ratings_are_illustrative(tmp_path: Path) -> None:
    entries = ml.datasets.load_portfolio()
    path = tmp_path / "unmil.csv"
    entries[entries["mission"] == "UNMIL"].to_csv(path, index=False)
    runner = CliRunner()
    base = [str(path), "-f", "whole-of-mission"]
    scored = runner.invoke(main, ["score", *base, "-o", str(tmp_path / "s.zip")])
    assert scored.exit_code == 0 and scored.output.startswith("note: illustrative data:")
    spread = runner.invoke(main, ["uncertainty", *base, "-n", "5", "-o", str(tmp_path / "u.csv")])
    assert spread.exit_code == 0 and "note: illustrative data:" in spread.output
    as_json = runner.invoke(main, ["score", *base, "-o", str(tmp_path / "s.zip"), "--json"])
    document = json.loads(as_json.output)
    n_illustrative = int(
        entries[entries["mission"] == "UNMIL"]["sources"].str.contains("illustrative").sum()
    )
    assert document["illustrative_entries"] == {"sources": n_illustrative}


def test_score_table_aligns_names_and_prints_shared_evidence_once(tmp_path: Path) -> None:
    entries = ml.datasets.load_portfolio()
    one = entries[(entries["mission"] == "MINUSMA") & (entries["period"] == "2018")]
    path = tmp_path / "minusma.csv"
    one.to_csv(path, index=False)
    result = CliRunner().invoke(
        main, ["score", str(path), "-f", "whole-of-mission", "-o", str(tmp_path / "s.zip")]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    names = ["Political process", "Operating environment", "Mission performance", "Partnerships"]
    starts = {next(line for line in lines if n in line).index(n) for n in names}
    assert len(starts) == 1  # every dimension's name starts in the same column
    # both raters of pol_consent gave the same evidence: printed once under the flag
    flag = next(k for k, line in enumerate(lines) if "pol_consent" in line)
    assert "2 of 2 raters" in lines[flag]
    evidence = [line for line in lines[flag + 1 : flag + 3] if line.startswith("      ")]
    assert len(evidence) == 1
