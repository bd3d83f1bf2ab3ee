"""The built-in whole-of-mission framework: structure, findings coverage, generated docs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import missionlens as ml

ROOT = Path(__file__).parents[1]


def test_four_dimensions_one_per_clause_of_finding_16(wom: ml.Framework) -> None:
    assert [d.id for d in wom.dimensions] == [
        "political",
        "environment",
        "performance",
        "partnerships",
    ]
    assert 40 <= len(wom.indicators) <= 70


def test_all_three_levels_and_six_phases_used(wom: ml.Framework) -> None:
    levels = {i.level for i in wom.indicators}
    assert levels == set(ml.LEVELS)
    phases = {p for i in wom.indicators for p in i.phases}
    assert phases == set(ml.PHASES)
    # performance is split by level, as finding 16(c) asks
    perf = {wom.node(c).level for c in wom.children("performance")}
    assert perf == set(ml.LEVELS)


def test_all_22_findings_are_served(wom: ml.Framework) -> None:
    served = {f for i in wom.indicators for f in i.findings}
    assert served == set(range(1, 23))
    # the finding facet declares all 22 with their titles
    assert wom.facet("finding").value_ids == tuple(str(f) for f in range(1, 23))


def test_every_indicator_is_complete(wom: ml.Framework) -> None:
    for ind in wom.indicators:
        assert ind.definition and ind.question, ind.id
        assert ind.level and ind.phases and ind.findings and ind.a4p, ind.id
        assert ind.evidence and ind.data_sources, ind.id
        scale = wom.scale(ind.scale)
        if scale.kind == "rubric":
            anchors = wom.anchors(ind.id)
            assert list(anchors["value"]) == [1, 2, 3, 4, 5]
            assert {a.value for a in ind.anchors} == {1, 2, 3, 4, 5}, ind.id
            assert all(len(d) > 20 for d in anchors["description"]), ind.id
        else:
            assert wom.goalposts(ind.id) is not None, ind.id


def test_numeric_companions_from_public_data(wom: ml.Framework) -> None:
    numeric = {i.id: i for i in wom.indicators if wom.scale(i.scale).kind == "numeric"}
    assert "env_fatalities_malicious" in numeric
    assert numeric["env_fatalities_malicious"].direction == -1
    assert any("strength" in i for i in numeric)
    assert any("women" in i for i in numeric)


def test_reference_page_is_generated_from_the_file(wom: ml.Framework) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "build_framework_docs.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
    page = (ROOT / "docs" / "frameworks" / "whole-of-mission-v1.md").read_text(encoding="utf-8")
    assert wom.fingerprint in page
    assert "## Cairo 2018 findings coverage" in page
    for ind in wom.indicators:
        assert f"`{ind.id}`" in page


def test_html_display(wom: ml.Framework) -> None:
    html = wom._repr_html_()
    assert html.count("<tr>") == len(wom.nodes) + len(wom.indicators) + 1
    assert wom.fingerprint in html
