"""Every plot of ``missionlens.plot`` in French and Arabic (issue 12, item 4).

French: a translated word of the plot appears among the drawn texts (the expected strings are
written out here, from the catalogue ``locales/ui.fr.yaml`` and the test translation
``tests/data/translations/small.fr.yaml``). Arabic: a drawn string equals the catalogue text
shaped by the two reference libraries, ``get_display(arabic_reshaper.reshape(s))`` (python-bidi,
UAX #9, and arabic-reshaper), line by line.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import missionlens as ml
from missionlens.framework.translations import load_translation, ui

DATA = Path(__file__).parent / "data"
TRANSLATIONS = DATA / "translations"

RUNS = pd.DataFrame(
    {
        "mission": ["A", "B"],
        "rank_median": [1.0, 2.0],
        "rank_lower": [1.0, 1.0],
        "rank_upper": [2.0, 2.0],
        "rank_nominal": [2, 1],
        "score_median": [40.0, 70.0],
        "score_lower": [30.0, 60.0],
        "score_upper": [55.0, 75.0],
    }
)
LIFECYCLE = pd.DataFrame(
    {
        "mission": ["A"] * 3,
        "period": ["2022", "2023", "2024"],
        "phase": ["start_up", "implementation", "implementation"],
        "score": [40.0, 55.0, 60.0],
        "lower": [30.0, 45.0, 50.0],
        "upper": [50.0, 65.0, 70.0],
    }
)
QUADRANT = pd.DataFrame(
    {
        "mission": ["A", "B", "C"],
        "context": [20.0, 50.0, np.nan],
        "performance": [70.0, 40.0, 60.0],
    }
)
MOVES = pd.DataFrame({"indicator": ["pol_01", "env_02"], "contribution": [4.0, np.nan]})
ALPHAS = pd.DataFrame({"id": ["a", ""], "alpha": [0.5, np.nan]})
ENTRIES = pd.DataFrame(
    {"indicator": ["pol_01", "pol_01"], "rater": ["x", "y"], "value": [1.0, 5.0]}
)


@pytest.fixture(scope="module")
def translated() -> ml.Framework:
    """The small test framework with its French and Arabic test translations."""
    fw = ml.load_framework(DATA / "frameworks" / "small.yaml")
    return fw.with_translations(
        load_translation(TRANSLATIONS / "small.fr.yaml"),
        load_translation(TRANSLATIONS / "small.ar.yaml"),
    )


@pytest.fixture(scope="module")
def profiles(translated: ml.Framework) -> ml.Profiles:
    from missionlens.demo import synthetic_assessments

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ml.score(synthetic_assessments(translated), framework=translated)


def shaped(text: str) -> str:
    """The reference shaping: arabic-reshaper then the bidi algorithm, line by line."""
    import arabic_reshaper
    from bidi.algorithm import get_display

    return "\n".join(str(get_display(arabic_reshaper.reshape(t))) for t in text.split("\n"))


def drawn(figure: Any) -> set[str]:
    """Every string drawn on a figure: titles, axis and tick labels, texts, legends."""
    out: set[str] = set()
    for ax in figure.axes:
        out |= {ax.get_title(), ax.get_xlabel(), ax.get_ylabel()}
        out |= {t.get_text() for t in ax.texts}
        out |= {t.get_text() for t in (*ax.get_xticklabels(), *ax.get_yticklabels())}
        legend = ax.get_legend()
        if legend is not None:
            out |= {t.get_text() for t in legend.get_texts()}
    out |= {t.get_text() for t in figure.texts}
    return out - {""}


@pytest.fixture
def figure() -> Iterator[Callable[[], Any]]:
    import matplotlib.pyplot as plt

    made: list[Any] = []

    def new() -> Any:
        fig, ax = plt.subplots()
        made.append(fig)
        return ax

    yield new
    for fig in made:
        plt.close(fig)
    plt.close("all")


#: plot name -> (draw(ax, lang, profiles, framework), a French string drawn (or part of one),
#: the catalogue key of an Arabic string drawn, its placeholders)
CASES: dict[str, tuple[Callable[..., Any], str, str, dict[str, str]]] = {
    "plot_lifecycle": (
        lambda ax, lang, p, fw: ml.plot_lifecycle(LIFECYCLE, ax=ax, lang=lang),
        "Période",
        "plot.period",
        {},
    ),
    "plot_quadrant": (
        lambda ax, lang, p, fw: ml.plot_quadrant(QUADRANT, ax=ax, lang=lang),
        "Performance au regard du contexte (lignes : médianes)",
        "plot.interval",  # replaced below: the quadrant's title has placeholders
        {},
    ),
    "plot_levels": (
        lambda ax, lang, p, fw: ml.plot_levels(p, mission="Mission A", ax=ax, lang=lang),
        "Processus politique",
        "plot.score_axis",
        {},
    ),
    "plot_facets": (
        lambda ax, lang, p, fw: ml.plot_facets(
            p, mission="Mission A", view="a4p", ax=ax, lang=lang
        ),
        ": Priorité A4P+",
        "plot.score_axis",
        {},
    ),
    "plot_score_intervals": (
        lambda ax, lang, p, fw: ml.plot_score_intervals(RUNS, ax=ax, lang=lang),
        "Score au fil des simulations d'incertitude",
        "plot.score_title",
        {},
    ),
    "plot_rank_intervals": (
        lambda ax, lang, p, fw: ml.plot_rank_intervals(RUNS, ax=ax, lang=lang),
        "Rang (1 = le meilleur)",
        "plot.rank_axis",
        {},
    ),
    "plot_waterfall": (
        lambda ax, lang, p, fw: ml.plot_waterfall(MOVES, start=50.0, ax=ax, lang=lang),
        "début",
        "plot.no_value",
        {},
    ),
    "plot_framework": (
        lambda ax, lang, p, fw: ml.plot_framework(fw, ax=ax, lang=lang),
        "Sous-dimensions",
        "plot.tree_share_axis",
        {},
    ),
    "plot_agreement": (
        lambda ax, lang, p, fw: ml.plot_agreement(ALPHAS, ax=ax, lang=lang),
        "non défini",
        "plot.agreement_title",
        {},
    ),
    "plot_rater_spread": (
        lambda ax, lang, p, fw: ml.plot_rater_spread(ENTRIES, ax=ax, lang=lang),
        "Valeur saisie",
        "plot.spread_title",
        {},
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_plot_in_french(
    name: str, figure: Callable[[], Any], profiles: ml.Profiles, translated: ml.Framework
) -> None:
    draw, french, _, _ = CASES[name]
    ax = draw(figure(), "fr", profiles, translated)
    texts = drawn(ax.figure)
    assert any(french in t for t in texts), f"{name}: {french!r} not among {sorted(texts)}"
    english = drawn(draw(figure(), "en", profiles, translated).figure)
    assert not any(french in t for t in english)


@pytest.mark.parametrize("name", sorted(CASES))
def test_plot_in_arabic_is_shaped(
    name: str, figure: Callable[[], Any], profiles: ml.Profiles, translated: ml.Framework
) -> None:
    draw, _, key, values = CASES[name]
    ax = draw(figure(), "ar", profiles, translated)
    if name == "plot_quadrant":
        want = shaped(ui("plot.quadrant_title", "ar", Y="الأداء", x="السياق"))
    else:
        want = shaped(ui(key, "ar", **values))
    texts = drawn(ax.figure)
    assert want in texts, f"{name}: {want!r} not among {sorted(texts)}"


def test_lifecycle_phase_names_and_node_name(
    figure: Callable[[], Any], profiles: ml.Profiles
) -> None:
    ax = ml.plot_lifecycle(profiles, node="pol", missions=["Mission A"], ax=figure(), lang="fr")
    assert ax.get_title() == "Processus politique"
    phases = {t.get_text() for t in ax.texts if t.get_gid() == "phase-label"}
    fw = profiles.framework
    wanted = {
        fw.text("facets:phase", f"values.{v}.label", "fr")
        for v in profiles.to_frame()["phase"].dropna().unique()
    }
    assert phases and phases <= {w.replace(" ", "\n") for w in wanted} | wanted


def test_small_multiples_pass_lang_through(profiles: ml.Profiles) -> None:
    import matplotlib.pyplot as plt

    fig = ml.plot_small_multiples(profiles, col="mission", lang="fr")
    try:
        assert all(ax.get_xlabel() == "Score (0–100, plus élevé est meilleur)" for ax in fig.axes)
        assert [ax.get_title() for ax in fig.axes] == ["Mission A", "Mission B", "Mission C"]
    finally:
        plt.close(fig)
    fig = ml.plot_small_multiples(profiles, col="mission", lang="ar")
    try:
        assert fig.axes[0].get_xlabel() == shaped(ui("plot.score_axis", "ar"))
    finally:
        plt.close(fig)


def test_english_is_the_default(figure: Callable[[], Any]) -> None:
    ax = ml.plot_quadrant(QUADRANT, ax=figure())
    assert ax.get_title() == "Performance against context (lines: medians)"
    notes = [t.get_text() for t in ax.texts if t.get_gid() == "not-shown"]
    assert notes == ["Not shown (no context or performance value): C"]
    assert ml.plot_waterfall(MOVES, ax=figure()).get_title() == "What moved the score"


# ---------------------------------------------------------------------------------- report
@pytest.fixture(scope="module")
def wom_profiles() -> ml.Profiles:
    from missionlens.demo import synthetic_assessments

    fw = ml.load_framework("whole-of-mission")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ml.score(synthetic_assessments(fw), framework=fw)


def test_report_table_headers_and_fixed_sentences_are_translated(
    wom_profiles: ml.Profiles, tmp_path: Path
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fr = ml.report(wom_profiles, tmp_path / "fr.html", mission="Mission A", lang="fr")
        en = ml.report(wom_profiles, tmp_path / "en.html", mission="Mission A")
        ar = ml.report(wom_profiles, tmp_path / "ar.html", mission="Mission A", lang="ar")
    page, english = fr.read_text(encoding="utf-8"), en.read_text(encoding="utf-8")
    # the French words of locales/ui.fr.yaml, written out
    assert '<th class="num">couverture</th>' in page
    assert '<th class="num">part du poids</th>' in page
    assert "<th>cadre</th>" in page  # the method table
    assert "Aucune analyse d'incertitude effectuée" in page
    assert ", période 2024-H2, phase du cycle de vie : " in page  # a sentence with values
    assert '<div class="label">couverture ' in page
    assert '<th class="num">coverage</th>' not in page
    # English as the templates wrote it, apostrophes unescaped
    assert '<th class="num">coverage</th>' in english and "<th>framework</th>" in english
    assert "in the mission's phase and have a value" in english
    assert "<th>الإطار</th>" in ar.read_text(encoding="utf-8")


def test_every_report_template_key_is_in_each_catalogue() -> None:
    """Each ``t``/``tt``/``tv`` key of the templates exists in en, fr and ar (a key YAML
    reads as a boolean, such as ``no:``, would not)."""
    import re

    import yaml

    import missionlens

    package = Path(missionlens.__file__).parent
    keys: set[str] = set()
    for template in (package / "reports" / "templates").glob("*.j2"):
        keys |= set(re.findall(r'\bt[tv]?\("([a-z0-9_.]+)"', template.read_text(encoding="utf-8")))
    assert "body.answer_no" in keys
    for lang in ("en", "fr", "ar"):
        path = package / "locales" / f"ui.{lang}.yaml"
        report = yaml.safe_load(path.read_text(encoding="utf-8"))["strings"]["report"]
        for key in sorted(keys):
            node: Any = report
            for part in key.split("."):
                assert isinstance(node, dict) and part in node, f"ui.{lang}.yaml: report.{key}"
                node = node[part]
            assert isinstance(node, str) and node, f"ui.{lang}.yaml: report.{key}"
