"""Briefing reports (``ml.report``, ``missionlens report``/``compare``) and ``Profiles.to_excel``.

The HTML is parsed with the standard library's :mod:`html.parser`: it must embed every figure
as inline SVG, refer to nothing outside the page, carry no script, and show hostile evidence
text escaped and exact. Numbers in the report are checked against an independent reading of
the score table (:meth:`Profiles.to_frame`, :meth:`Profiles.summary`), and the page is rendered
by headless Chromium to a screenshot that must not be blank.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import warnings
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import missionlens as ml
from missionlens.cli import main
from missionlens.demo import synthetic_assessments
from missionlens.reports import BIDI_CONTROLS, display_text
from missionlens.reports.figures import inline_svg

ROOT = Path(__file__).parents[1]
HOSTILE = '<script>alert(1)</script> =HYPERLINK("http://x") \u202egnp.exe مرحبا 🕊 \u2066ok\u2069'


class Page(HTMLParser):
    """Tags, attributes and text of a page; text of ``span.ctl`` turned back into characters."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.parts: list[str] = []
        self._ctl = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            self.attributes.append((tag, name, value or ""))
        if tag == "span" and ("class", "ctl") in attrs:
            self._ctl += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._ctl:
            self._ctl -= 1

    def handle_data(self, data: str) -> None:
        if self._ctl:
            data = data.encode("ascii").decode("unicode_escape")
        self.parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def external_references(page: Page) -> list[tuple[str, str, str]]:
    """Every ``src``/``href`` (also ``xlink:href``) that is not an in-page anchor or data URI."""
    return [
        (tag, name, value)
        for tag, name, value in page.attributes
        if name in ("src", "href", "xlink:href", "srcset", "action", "poster", "data")
        and not (value.startswith("#") or value.startswith("data:"))
    ]


@pytest.fixture(scope="module")
def framework() -> ml.Framework:
    return ml.load_framework("whole-of-mission@2")


@pytest.fixture(scope="module")
def profiles(framework: ml.Framework) -> ml.Profiles:
    data = synthetic_assessments(framework)
    last = (data["mission"] == "Mission C") & (data["period"] == "2024-H2")
    data.loc[last, "evidence"] = HOSTILE
    data["sources"] = "synthetic ratings for the missionlens tests"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ml.score(data, framework=framework)


@pytest.fixture(scope="module")
def mission_html(profiles: ml.Profiles, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "mission-c.html"
    return ml.report(profiles, out, mission="Mission C")


@pytest.fixture(scope="module")
def comparison_html(profiles: ml.Profiles, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "comparison.html"
    return ml.report(profiles, out)


# ---------------------------------------------------------------------------- self-contained
@pytest.mark.parametrize("which", ["mission_html", "comparison_html"])
def test_report_is_self_contained(which: str, request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(which)
    raw = path.read_text(encoding="utf-8")
    page = parse(path)
    assert page.tags[0] == "html" and raw.startswith("<!DOCTYPE html>")
    assert "script" not in page.tags
    for tag in ("img", "link", "iframe", "object", "embed", "base", "video", "audio"):
        assert tag not in page.tags, tag
    assert external_references(page) == []
    assert not re.search(r"url\(\s*['\"]?(?!#|data:)", raw)  # CSS fetches nothing either
    assert "@import" not in raw and "@font-face" not in raw
    # every figure is an inline SVG, each once, with a text alternative
    figures = [v for t, n, v in page.attributes if t == "figure" and n == "id"]
    assert figures and page.tags.count("svg") == len(figures)
    labels = [v for t, n, v in page.attributes if t == "svg" and n == "aria-label"]
    assert len(labels) == len(figures)
    assert "<?xml" not in raw and "<!DOCTYPE svg" not in raw
    # ids are unique across the inline SVGs
    ids = [v for _, n, v in page.attributes if n == "id"]
    assert len(ids) == len(set(ids))
    assert "@media print" in raw and "break-before: page" in raw


def test_mission_report_has_every_section(mission_html: Path) -> None:
    page = parse(mission_html)
    sections = [v for t, n, v in page.attributes if t == "section" and n == "id"]
    assert sections == [
        "summary",
        "profile",
        "benchmarks",
        "moved",
        "indicators",
        "critical",
        "coverage",
        "method",
    ]
    anchors = {v[1:] for t, n, v in page.attributes if n == "href"}
    assert anchors == set(sections)
    text = page.text
    assert "No benchmarks defined." in text
    assert "No uncertainty analysis run" in text
    assert "No agreement analysis was passed" in text


# ---------------------------------------------------------------------------- hostile text
def test_hostile_evidence_is_escaped_and_exact(mission_html: Path) -> None:
    raw = mission_html.read_text(encoding="utf-8")
    page = parse(mission_html)
    assert HOSTILE in page.text  # exact, once the visible escapes are read back
    assert "<script>" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert not any(c in raw for c in BIDI_CONTROLS)  # no override reaches the page
    assert '<span class="ctl">\\u202e</span>' in raw
    assert "=HYPERLINK(&#34;http://x&#34;)" in raw  # text, quoted as entered
    assert "مرحبا 🕊" in raw


def test_hostile_mission_name_is_escaped_everywhere(tmp_path: Path) -> None:
    name = "<b>M</b> \u202eX"
    frame = pd.DataFrame(
        {
            "mission": [name, "B"],
            "period": ["2024"] * 2,
            "pol_01": [5, 2],
            "pol_02": [4, 1],
            "env_01": [0.5, 2.0],
            "env_02": [1, 0],
            "env_03": [3, 3],
        }
    )
    small = ml.score(frame, framework=ml.load_framework(ROOT / "tests/data/frameworks/small.yaml"))
    for options in ({"mission": name}, {}):
        path = ml.report(small, tmp_path / "n.html", **options)
        raw = path.read_text(encoding="utf-8")
        assert not any(c in raw for c in BIDI_CONTROLS)  # not in text, titles or SVG
        assert "<b>M" not in raw and "&lt;b&gt;M&lt;/b&gt;" in raw
        assert name in parse(path).text


def test_display_text_escapes_controls() -> None:
    shown = str(display_text("a\u202eb\x07c\nd\te<"))
    assert shown == ('a<span class="ctl">\\u202e</span>b<span class="ctl">\\x07</span>c\nd\te&lt;')
    assert str(display_text(None)) == "" and str(display_text(float("nan"))) == ""


def test_illustrative_data_get_a_banner(mission_html: Path, tmp_path: Path) -> None:
    assert "Illustrative data:" in parse(mission_html).text
    frame = pd.DataFrame(
        {
            "mission": ["A", "B"],
            "period": ["2024"] * 2,
            "pol_01": [5, 2],
            "pol_02": [4, 1],
            "env_01": [0.5, 2.0],
            "env_02": [1, 0],
            "env_03": [3, 3],
        }
    )
    small = ml.score(frame, framework=ml.load_framework(ROOT / "tests/data/frameworks/small.yaml"))
    plain = parse(ml.report(small, tmp_path / "a.html", mission="A")).text
    assert "Illustrative data" not in plain
    noted = ml.report(small, tmp_path / "b.html", mission="A", note="Training <data>")
    assert "Training <data>" in parse(noted).text


# ---------------------------------------------------------------------------- numbers
def _cells(path: Path, section: str, table: int = 0) -> list[list[str]]:
    """The rows (as cell texts) of one table (the first by default) of one section."""
    raw = path.read_text(encoding="utf-8")
    block = raw.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tables: list[list[list[str]]] = []
            self.rows: list[list[str]] = []
            self.cell: list[str] | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "table":
                self.tables.append([])
                self.rows = self.tables[-1]
            elif tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th"):
                self.cell = []

        def handle_endtag(self, tag: str) -> None:
            if tag in ("td", "th") and self.cell is not None:
                self.rows[-1].append(" ".join("".join(self.cell).split()))
                self.cell = None

        def handle_data(self, data: str) -> None:
            if self.cell is not None:
                self.cell.append(data)

    parser = Cells()
    parser.feed(block)
    return parser.tables[table]


def test_dimension_table_matches_the_score_table(profiles: ml.Profiles, mission_html: Path) -> None:
    rows = {r[0]: r for r in _cells(mission_html, "profile")[1:]}
    tree = profiles.to_frame("tree")
    unit = tree[(tree["mission"] == "Mission C") & (tree["period"] == "2024-H2")]
    for dim in profiles.framework.dimensions:
        row = unit[unit["node"] == dim.id].iloc[0]
        shown = rows[f"{dim.id} {dim.name}"]
        if np.isnan(row["score"]) and np.isnan(row["weight_share"]):
            assert shown[1] == "n/a"  # nothing of it applies in the exit phase
        else:
            assert shown[1] == f"{row['score']:.1f}"
            assert shown[3] == f"{100 * row['coverage']:.0f}%"
    root = unit[unit["node_type"] == "root"].iloc[0]
    assert rows["overall"][1] == f"{root['score']:.1f}"


def test_context_table_matches_the_context_index(profiles: ml.Profiles, mission_html: Path) -> None:
    rows = _cells(mission_html, "profile", table=1)[1:]
    index = profiles.context_index()
    unit = index[(index["mission"] == "Mission C") & (index["period"] == "2024-H2")]
    unit = unit[unit["node_type"] != "root"]
    names = {n.id: n.name for n in profiles.framework.nodes}
    expected = {
        f"{n} {names[n]}": f"{v:.1f}" for n, v in zip(unit["node"], unit["context"], strict=True)
    }
    assert {r[0]: r[2] for r in rows} == expected


def test_a_period_without_scores_is_said(profiles: ml.Profiles, tmp_path: Path) -> None:
    data = profiles.data
    data = data[~((data["mission"] == "Mission B") & (data["period"] == "2024-H2"))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fewer = ml.score(data, framework=profiles.framework)
    path = ml.report(fewer, tmp_path / "b.html", mission="Mission B", period="2024-H2")
    assert "Mission B has no scores for 2024-H2." in parse(path).text
    assert "<svg" not in path.read_text(encoding="utf-8")


def test_what_moved_is_the_difference_of_the_two_rounds(
    profiles: ml.Profiles, mission_html: Path
) -> None:
    # independent computation: the headline of each period from Profiles.summary
    summary = profiles.summary().set_index(["mission", "period"])["performance"]
    change = summary[("Mission C", "2024-H2")] - summary[("Mission C", "2024-H1")]
    rows = {r[0]: r for r in _cells(mission_html, "moved")}
    assert rows["overall"][1:] == [
        f"{summary[('Mission C', '2024-H1')]:.1f}",
        f"{summary[('Mission C', '2024-H2')]:.1f}",
        f"{change:+.1f}",
    ]
    assert "simple differences of scores" in parse(mission_html).text


def test_critical_flags_are_listed_with_evidence(profiles: ml.Profiles, mission_html: Path) -> None:
    flags = profiles.critical_flags
    mine = flags[(flags["mission"] == "Mission C") & (flags["period"] == "2024-H2")]
    assert len(mine) >= 1
    rows = _cells(mission_html, "critical")[1:]
    assert len(rows) == len(mine)
    assert all(r[0].startswith(i) for r, i in zip(rows, mine["indicator"], strict=True))


def test_comparison_lists_every_mission_and_ranks(
    profiles: ml.Profiles, comparison_html: Path
) -> None:
    rows = _cells(comparison_html, "summary")[1:]
    assert [r[0] for r in rows] == ["Mission A", "Mission B", "Mission C"]
    ranks = profiles.rank(by_period=True)
    ranks = ranks[ranks["period"] == "2024-H2"].set_index("mission")["rank"]
    for row in rows:
        assert row[7] == str(ranks[row[0]])


def test_comparison_names_a_mission_not_assessed(profiles: ml.Profiles, tmp_path: Path) -> None:
    data = profiles.data
    data = data[~((data["mission"] == "Mission B") & (data["period"] == "2024-H2"))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fewer = ml.score(data, framework=profiles.framework)
    page = parse(ml.report(fewer, tmp_path / "c.html", period="2024-H2"))
    assert "not assessed in 2024-H2 (latest period: 2024-H1)" in page.text


def test_intervals_are_shown_when_present(profiles: ml.Profiles, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copy = profiles.regenerate()
    plain = copy.to_frame

    def with_bounds(view: str | None = "tree") -> pd.DataFrame:
        table = plain(view)
        table["lower"] = table["score"] - 5.0
        table["upper"] = table["score"] + 5.0
        return table

    copy.to_frame = with_bounds  # type: ignore[method-assign]
    path = ml.report(copy, tmp_path / "i.html", mission="Mission A")
    rows = {r[0]: r for r in _cells(path, "profile")[1:]}
    tree = with_bounds("tree")
    root = tree[
        (tree["mission"] == "Mission A")
        & (tree["period"] == "2024-H2")
        & (tree["node_type"] == "root")
    ].iloc[0]
    assert rows["overall"][2] == f"{root['lower']:.1f} to {root['upper']:.1f}"
    assert "No uncertainty analysis run" not in parse(path).text


def test_benchmarks_are_shown_as_given(profiles: ml.Profiles, tmp_path: Path) -> None:
    benchmarks = pd.DataFrame(
        {
            "mission": ["Mission A", "Mission A", "Mission B"],
            "node": ["political", "whole_of_mission", "political"],
            "target": ["60", "a score of 55 by exit", "70"],
            "deadline": ["2025-06", "", "2025-12"],
            "status": ["on track", "at <risk>", "met"],
        }
    )
    benchmarks["node"] = benchmarks["node"].replace("whole_of_mission", profiles.framework.root.id)
    path = ml.report(profiles, tmp_path / "b.html", mission="Mission A", benchmarks=benchmarks)
    rows = _cells(path, "benchmarks")[1:]
    assert [r[4] for r in rows] == ["on track", "at <risk>"]
    tree = profiles.to_frame("tree")
    unit = tree[(tree["mission"] == "Mission A") & (tree["period"] == "2024-H2")]
    score = unit[unit["node"] == "political"]["score"].iloc[0]
    assert rows[0][5] == f"{score:.1f}"


def test_agreement_is_shown_when_passed(profiles: ml.Profiles, tmp_path: Path) -> None:
    data = profiles.data[profiles.data["mission"] == "Mission A"]
    alpha = ml.agreement(data, framework=profiles.framework)
    path = ml.report(profiles, tmp_path / "g.html", mission="Mission A", agreement=alpha)
    overall = alpha[alpha["scope"] == "overall"]["alpha"].iloc[0]
    assert f"{overall:.3f}" in parse(path).text


def test_bad_arguments_are_reported_together(profiles: ml.Profiles, tmp_path: Path) -> None:
    bad = pd.DataFrame({"mission": ["Mission A"], "node": ["politcal"], "target": ["60"]})
    with pytest.raises(ml.ArgumentError) as info:
        ml.report(
            profiles,
            tmp_path / "r.txt",
            mission="Mision A",
            missions=["Mission B"],
            period="2031",
            benchmarks=bad,
            lang="xx",
        )
    message = str(info.value)
    for part in (
        "must end in .html",
        "lang 'xx'",
        "not both",
        "did you mean 'Mission A'",
        "period '2031'",
        "lacks the column(s) status",
        "did you mean 'political'",
    ):
        assert part in message, part
    assert not (tmp_path / "r.txt").exists()


def test_report_is_callable_from_the_root_whatever_was_imported(
    profiles: ml.Profiles, tmp_path: Path
) -> None:
    assert callable(ml.report) and "report" in ml.__all__
    assert ml.report(profiles, tmp_path / "x.html", mission="Mission B").exists()
    # importing the package's modules first (as the CLI does) leaves the root's function alone
    code = (
        "import missionlens.reports.report\n"
        "import missionlens as ml\n"
        "print(type(ml.report).__name__, callable(ml.report))\n"
    )
    import sys

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["function", "True"]


def test_write_reports_for_the_demo(profiles: ml.Profiles, tmp_path: Path) -> None:
    from missionlens.reports import write_reports

    written = write_reports(profiles, tmp_path / "out")
    assert {p.name for p in written.values()} == {"report-mission-a.html", "comparison.html"}


def test_inline_svg_prefixes_ids_and_references() -> None:
    svg = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg x="1"><metadata><a '
        'rdf:resource="http://purl.org/dc"/></metadata><clipPath id="c"/>'
        '<use xlink:href="#c" clip-path="url(#c)"/></svg>'
    )
    out = inline_svg(svg, "f", "t")
    assert out.startswith('<svg role="img" aria-label="t" x="1"><title>t</title>')
    assert 'id="f-c"' in out and 'href="#f-c"' in out and "url(#f-c)" in out
    assert "http" not in out


# ---------------------------------------------------------------------------- size
def _many_missions(framework: ml.Framework, n: int) -> pd.DataFrame:
    """Synthetic ratings of ``n`` fictional missions over two periods (one rater, seeded)."""
    rng = np.random.default_rng(11)
    rows = []
    for m in range(n):
        for period in ("2024-H1", "2024-H2"):
            for ind in framework.indicators_in_phase("implementation"):
                scale = framework.scale(ind.scale)
                if scale.kind == "rubric":
                    value = float(rng.integers(1, 6))
                elif scale.kind == "binary":
                    value = float(rng.integers(0, 2))
                else:
                    low, high = framework.goalposts(ind.id) or (0.0, 1.0)
                    value = float(rng.uniform(low, high))
                rows.append(
                    {
                        "mission": f"Mission {m + 1:02d}",
                        "period": period,
                        "phase": "implementation",
                        "indicator": ind.id,
                        "value": value,
                        "rater": "r1",
                        "evidence": "x" * 500,
                    }
                )
    return pd.DataFrame(rows)


def test_ten_mission_comparison_stays_under_two_megabytes(
    framework: ml.Framework, tmp_path: Path
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ten = ml.score(_many_missions(framework, 10), framework=framework)
        path = ml.report(ten, tmp_path / "ten.html")
    size = path.stat().st_size
    assert size < 2 * 2**20, size
    page = parse(path)
    assert external_references(page) == []
    assert len(_cells(path, "summary")) == 11


# ---------------------------------------------------------------------------- Chromium
def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def test_report_renders_in_headless_chromium(mission_html: Path, tmp_path: Path) -> None:
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing under CI: .ci/run installs it (apt-get)")
        pytest.skip("chromium is not installed (apt-get install chromium); .ci/run installs it")
    png = tmp_path / "report.png"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={png}",
            "--window-size=1200,1600",
            mission_html.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    import matplotlib.image

    pixels = matplotlib.image.imread(png)
    assert pixels.shape[0] == 1600 and pixels.shape[1] == 1200
    flat = pixels.reshape(-1, pixels.shape[-1])
    assert not (flat == flat[0]).all()  # not blank
    dark = (flat[:, :3].mean(axis=1) < 0.5).mean()
    assert dark > 0.005  # text and figures were drawn


# ---------------------------------------------------------------------------- Excel
def test_to_excel_reads_back_formatted_and_safe(profiles: ml.Profiles, tmp_path: Path) -> None:
    import openpyxl

    path = profiles.to_excel(tmp_path / "profiles.xlsx")
    book = openpyxl.load_workbook(path)
    views = list(profiles.to_frame(None)["view"].cat.categories)
    assert book.sheetnames == [
        "summary",
        *views,
        "critical_flags",
        "not_applicable",
        "unused",
        "method",
    ]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
    tree = book["tree"]
    header = [c.value for c in tree[1]]
    score_col, coverage_col = header.index("score") + 1, header.index("coverage") + 1
    assert tree.cell(row=2, column=score_col).number_format == "0.0"
    assert tree.cell(row=2, column=coverage_col).number_format == "0%"
    expected = profiles.to_frame("tree")
    assert tree.max_row == len(expected) + 1
    assert tree.cell(row=2, column=score_col).value == pytest.approx(expected["score"].iloc[0])
    flags = book["critical_flags"]
    fheader = [c.value for c in flags[1]]
    evidence = [r[fheader.index("evidence")] for r in flags.iter_rows(min_row=2, values_only=True)]
    hostile = [e for e in evidence if e and "HYPERLINK" in e]
    assert hostile and hostile[0] == HOSTILE  # does not start with a trigger: unchanged
    method = dict(book["method"].iter_rows(min_row=2, values_only=True))
    assert method["framework_fingerprint"] == profiles.fingerprints["framework"]
    assert method["data_fingerprint"] == profiles.fingerprints["data"]


def test_to_excel_quotes_formula_like_text(framework: ml.Framework, tmp_path: Path) -> None:
    import openpyxl

    data = synthetic_assessments(framework)
    data.loc[data["indicator"] == "pol_consent", "evidence"] = '=HYPERLINK("http://x")'
    data.loc[data["indicator"] == "pol_consent", "value"] = 1.0  # the worst level: flagged
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scored = ml.score(data, framework=framework)
    path = scored.to_excel(tmp_path / "f.xlsx")
    flags = openpyxl.load_workbook(path)["critical_flags"]
    header = [c.value for c in flags[1]]
    cell = flags.cell(row=2, column=header.index("evidence") + 1)
    assert cell.data_type == "s" and cell.value.startswith("'=HYPERLINK(")
    assert ml.report is not None


def test_to_excel_refuses_another_suffix(profiles: ml.Profiles, tmp_path: Path) -> None:
    with pytest.raises(ml.ArgumentError, match=r"must end in \.xlsx"):
        profiles.to_excel(tmp_path / "profiles.csv")


# ---------------------------------------------------------------------------- CLI
def test_cli_report_and_compare(framework: ml.Framework, tmp_path: Path) -> None:
    data = synthetic_assessments(framework)
    data = data[data["mission"] != "Mission B"].drop(
        columns=["framework_id", "framework_version", "framework_fingerprint"]
    )
    source = tmp_path / "round.csv"
    data.to_csv(source, index=False)
    runner = CliRunner()
    out = tmp_path / "a.html"
    args = ["report", str(source), "-f", "whole-of-mission@2", "-m", "Mission A", "-o", str(out)]
    done = runner.invoke(main, args)
    assert done.exit_code == 0, done.output
    assert out.exists() and f"wrote {out}" in done.output
    cmp = tmp_path / "c.html"
    done = runner.invoke(
        main, ["compare", str(source), "-f", "whole-of-mission@2", "-o", str(cmp), "--json"]
    )
    assert done.exit_code == 0, done.output
    doc = __import__("json").loads(done.stdout)
    assert doc["kind"] == "comparison" and doc["missions"] == ["Mission A", "Mission C"]
    assert doc["period"] == "2024-H2"
    unknown = runner.invoke(main, [*args[:4], "-m", "Mision A", "-o", str(out)])
    assert unknown.exit_code == 2 and "did you mean 'Mission A'" in unknown.output
    bench = tmp_path / "b.csv"
    bench.write_text("mission,node,target,status\nMission A,politcal,60,on track\n")
    bad = runner.invoke(main, [*args, "--benchmarks", str(bench)])
    assert bad.exit_code == 1 and "did you mean 'political'" in bad.output
    suffix = runner.invoke(main, [*args[:-1], str(tmp_path / "a.pdf")])
    assert suffix.exit_code == 2 and "must end in .html" in suffix.output


# ---------------------------------------------------------------------------- docs
def test_reports_docs_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    text = (ROOT / "docs" / "reports.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert blocks
    for block in blocks:
        exec(compile(block, "docs/reports.md", "exec"), namespace)
    assert (tmp_path / "mission-a.html").exists() and (tmp_path / "profiles.xlsx").exists()


def test_a_benchmark_set_is_evaluated_never_invented(profiles: ml.Profiles, tmp_path: Path) -> None:
    """A BenchmarkSet's statuses in the report are ml.benchmark_status's at the report period."""
    from missionlens.reports.report import benchmark_table

    root = profiles.framework.root.id
    benchmarks = ml.BenchmarkSet.from_dict(
        {
            "benchmarks": [
                {
                    "id": "low",
                    "node": root,
                    "target": 1,
                    "deadline": "2030",
                    "kind": "exit",
                    "source": "test: a target every scored mission meets",
                },
                {
                    "id": "high",
                    "node": root,
                    "target": 100,
                    "deadline": "2000",
                    "kind": "exit",
                    "source": "test: a target past its deadline, unmet",
                },
            ]
        }
    )
    table = benchmark_table(profiles, benchmarks, None)
    assert table is not None
    status = ml.benchmark_status(profiles, benchmarks)
    latest = status.groupby(["benchmark", "mission"]).tail(1)
    expected = {
        (m, "at least 1" if b == "low" else "at least 100"): s.replace("_", " ")
        for b, m, s in zip(latest["benchmark"], latest["mission"], latest["status"], strict=True)
    }
    got = dict(
        zip(zip(table["mission"], table["target"], strict=True), table["status"], strict=True)
    )
    assert got == expected
    out = ml.report(profiles, tmp_path / "b.html", mission="Mission B", benchmarks=benchmarks)
    page = out.read_text(encoding="utf-8")
    assert "off track" in page and "No benchmarks defined" not in page
    # computed statuses are said to be computed; a table's are said to be as given
    assert "Statuses computed from the scores" in page and "as given" not in page
    as_given = pd.DataFrame(table.to_dict("list"))  # a table of statuses assessed by hand
    given = ml.report(profiles, tmp_path / "g.html", mission="Mission B", benchmarks=as_given)
    text = given.read_text(encoding="utf-8")
    assert "Statuses as given" in text and "Statuses computed" not in text


def test_what_moved_shows_the_exact_decomposition(profiles: ml.Profiles, tmp_path: Path) -> None:
    """The contributors the mission report lists are ml.decompose_change's largest ones."""
    from missionlens.reports.report import _contributions

    periods = ml.sort_periods(profiles.to_frame()["period"].astype(str).unique().tolist())
    if len(periods) < 2:
        pytest.skip("the fixture has one period")
    rows, why = _contributions(profiles, "Mission B", periods[-2], periods[-1])
    if not rows:
        assert why  # the reason is said, never an empty section
        return
    table = ml.decompose_change(
        profiles,
        mission="Mission B",
        node=profiles.framework.root.id,
        start=periods[-2],
        end=periods[-1],
    )
    by_indicator = dict(zip(table["indicator"], table["contribution"], strict=True))
    for row in rows:
        assert row["contribution"] == pytest.approx(by_indicator[row["indicator"]], abs=1e-12)


def test_tables_for_reading_keep_empty_cells_empty_and_block_formulas(
    profiles: ml.Profiles, tmp_path: Path
) -> None:
    # scores.csv and profiles.xlsx are read by people: an empty text is an empty cell (not a
    # lone apostrophe), a text starting with an apostrophe is left alone, a formula is blocked
    from openpyxl import load_workbook

    from missionlens.text import protect_text

    assert protect_text("") == "" and protect_text("'quoted' id") == "'quoted' id"
    assert protect_text("=HYPERLINK(1)") == "'=HYPERLINK(1)" and protect_text("@x") == "'@x"
    scores = pd.read_csv(profiles.to_csv(tmp_path / "s.csv"), encoding="utf-8-sig")
    text_columns = scores.select_dtypes(exclude="number").astype(str)
    assert not (text_columns == "'").any().any()
    book = load_workbook(profiles.to_excel(tmp_path / "p.xlsx"), read_only=True)
    cells = [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert "'" not in cells and not any(isinstance(c, str) and c.startswith("''") for c in cells)


def test_a_comparison_title_counts_the_missions_it_compares(tmp_path: Path) -> None:
    # the portfolio's latest year, 2024, has 3 of its 10 missions assessed
    profiles = ml.score(ml.datasets.load_portfolio(), framework="whole-of-mission")
    summary = profiles.summary()
    latest = summary[summary["period"] == "2024"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ml.MixedPhasesWarning)
        page = ml.report(profiles, tmp_path / "c.html").read_text(encoding="utf-8")
    title = re.search(r"<title>([^<]*)</title>", page)
    assert title is not None
    n, others = len(latest), summary["mission"].nunique() - len(latest)
    assert title.group(1) == (
        f"Comparison of {n} missions assessed in 2024 ({others} more not assessed then)"
    )
    assert "Note: plot_comparison:" not in page  # warnings read as notes, without the caller
    all_four = ["MINUSCA", "MONUSCO", "UNIFIL", "UNMISS"]  # all assessed in 2016
    page = ml.report(profiles, tmp_path / "d.html", missions=all_four, period="2016")
    assert "<title>Comparison of 4 missions, 2016</title>" in page.read_text(encoding="utf-8")
