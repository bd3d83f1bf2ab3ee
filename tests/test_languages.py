"""Working languages: framework translations, templates, forms, plots and reports in en/fr/ar.

The translation file format and the fallback rule are in docs/languages.md and
``missionlens.framework.translations``. The references of the shaping checks are the libraries
themselves (``arabic_reshaper.reshape`` then ``bidi.algorithm.get_display``), computed
independently of the code under test; the decimal comma of French is CLDR's (Babel).
"""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from pyxform.xls2xform import convert

import missionlens as ml
from missionlens.cli import main
from missionlens.framework import registry
from missionlens.framework.translations import (
    LANGUAGES,
    flatten,
    load_translation,
    lookup,
    missing_translations,
    skeleton,
    ui,
    ui_catalogue,
)

from .test_xlsform import _expected, _instance_paths, _submissions

DATA = Path(__file__).parent / "data"
SMALL = DATA / "frameworks" / "small.yaml"
TRANSLATIONS = DATA / "translations"


@pytest.fixture
def translated(small_framework: ml.Framework) -> ml.Framework:
    """The small framework with its complete French and Arabic test translations."""
    return small_framework.with_translations(
        load_translation(TRANSLATIONS / "small.fr.yaml"),
        load_translation(TRANSLATIONS / "small.ar.yaml"),
    )


def _write_yaml(path: Path, data: dict[str, Any]) -> Path:
    import yaml

    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _translation_data(lang: str) -> dict[str, Any]:
    import yaml

    return yaml.safe_load((TRANSLATIONS / f"small.{lang}.yaml").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------- framework text
def test_text_in_each_language_and_fingerprint_unchanged(
    translated: ml.Framework, small_framework: ml.Framework
) -> None:
    assert translated.languages == ("en", "ar", "fr")
    assert translated.fingerprint == small_framework.fingerprint  # text only: not scored
    assert translated.text("pol", "name", "fr") == "Processus politique"
    assert translated.text("pol_01", "anchors.3", "fr") == "Une stratégie, en partie partagée."
    assert translated.text("scales:r5", "levels.1.label", "ar") == "حرج"
    assert translated.text("facets:phase", "values.exit.label", "fr") == "Retrait"
    assert translated.text("", "title", "fr") == "Petit cadre d'essai"
    assert translated.text("pol_01", "name") == "Political strategy"
    assert translated.text_fallbacks.empty


def test_builtin_v1_fingerprint_is_unchanged() -> None:
    assert ml.load_framework("whole-of-mission@1").fingerprint == "e148808d509ea573"


def test_missing_translation_falls_back_to_english_and_is_recorded(
    small_framework: ml.Framework, tmp_path: Path
) -> None:
    data = _translation_data("fr")
    del data["text"]["nodes"]["pol"]
    data["text"]["indicators"]["pol_02"]["name"] = "  "
    fw = small_framework.with_translations(
        load_translation(_write_yaml(tmp_path / "fr.yaml", data))
    )
    assert fw.text("pol", "name", "fr") == "Political process"
    assert fw.text("pol_02", "name", "fr") == "Consent"
    assert fw.text("pol", "name", "de") == "Political process"
    found = lookup(fw, "pol", "name", "fr")
    assert (found.fallback, found.lang, found.reason) == (True, "en", "missing")
    assert fw.text_fallbacks.to_dict("records") == [
        {"element": "pol", "field": "name", "language": "fr", "reason": "missing"},
        {"element": "pol_02", "field": "name", "language": "fr", "reason": "empty"},
        {"element": "pol", "field": "name", "language": "de", "reason": "no_translation"},
    ]
    with pytest.raises(ml.ArgumentError, match="no indicator, node, scale or facet"):
        fw.text("nope", "name", "fr")
    with pytest.raises(ml.ArgumentError, match="BCP 47"):
        fw.text("pol", "name", "French")


def test_missing_translations_lists_every_gap(
    small_framework: ml.Framework, tmp_path: Path
) -> None:
    data = _translation_data("ar")
    del data["text"]["indicators"]["pol_01"]["anchors"]["5"]
    data["text"]["nodes"]["env"]["name"] = ""
    data["text"]["nodes"]["envv"] = {"name": "خطأ"}
    fw = small_framework.with_translations(
        load_translation(_write_yaml(tmp_path / "ar.yaml", data))
    )
    table = missing_translations(fw, "ar")
    assert list(table.columns) == ["language", "path", "element", "field", "problem", "english"]
    got = {(r.path, r.problem) for r in table.itertuples()}
    assert got == {
        ("indicators.pol_01.anchors.5", "missing"),
        ("nodes.env.name", "empty"),
        ("nodes.envv.name", "unknown"),
    }
    assert table.loc[table["problem"] == "empty", "english"].tolist() == ["Operating environment"]
    # a language with no file: every text is missing
    assert len(missing_translations(fw, "fr")) == len(flatten(skeleton(fw)))


def test_translation_files_are_checked(small_framework: ml.Framework, tmp_path: Path) -> None:
    data = _translation_data("fr")
    data["framework"]["version"] = "9"
    other = load_translation(_write_yaml(tmp_path / "v9.yaml", data))
    with pytest.raises(ml.FrameworkError, match="translation_mismatch") as info:
        small_framework.with_translations(other)
    assert "for framework 'small' version '9'" in str(info.value)
    bad = {"language": "French", "framework": {"id": "small"}, "text": {"title": 3}}
    with pytest.raises(ml.FrameworkError) as info:
        load_translation(_write_yaml(tmp_path / "bad.yaml", bad))
    paths = set(info.value.problems["path"])
    assert {"language", "framework.version"} <= paths


def test_translation_files_beside_a_framework_are_attached_not_loaded(tmp_path: Path) -> None:
    shutil.copy(SMALL, tmp_path / "small.yaml")
    shutil.copy(TRANSLATIONS / "small.fr.yaml", tmp_path / "small.fr.yaml")
    fw = ml.load_framework(tmp_path / "small.yaml")
    assert fw.languages == ("en", "fr")
    # in the built-in folder, a translation file is never taken for a framework
    folder = tmp_path / "builtin"
    folder.mkdir()
    shutil.copy(SMALL, folder / "small-v2.yaml")
    shutil.copy(TRANSLATIONS / "small.fr.yaml", folder / "small-v2.fr.yaml")
    old = registry.BUILTIN_DIR
    registry.BUILTIN_DIR = folder  # type: ignore[assignment]
    try:
        assert [f.file for f in registry.builtin_frameworks()["small"]] == ["small-v2.yaml"]
        loaded = ml.load_framework("small@2")
        assert loaded.text("pol", "name", "fr") == "Processus politique"
    finally:
        registry.BUILTIN_DIR = old


def test_skeleton_holds_every_text_an_analyst_reads() -> None:
    fw = ml.load_framework("whole-of-mission@2")
    flat = flatten(skeleton(fw))
    ind = fw.indicator("pol_consent")
    assert flat["indicators.pol_consent.question"] == ind.question
    assert flat["indicators.pol_consent.not_applicable_when"] == ind.not_applicable_when
    assert flat["indicators.pol_consent.evidence.0"] == ind.evidence[0]
    assert flat["scales.rubric5.levels.1.label"] == "Critical"
    assert flat["facets.actor.values.host_state.label"] == "Host state"
    n_anchors = sum(len(i.anchors) for i in fw.indicators)
    assert sum(1 for p in flat if ".anchors." in p) == n_anchors


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_builtin_v2_has_no_missing_translation(lang: str) -> None:
    name = f"whole-of-mission-v2.{lang}.yaml"
    if not registry.BUILTIN_DIR.joinpath(name).is_file():
        pytest.skip(f"{name} is not written yet")
    fw = ml.load_framework("whole-of-mission@2")
    table = missing_translations(fw, lang)  # the check the CLI runs
    assert table.empty, table.head(20).to_string()


# ----------------------------------------------------------------------- interface strings
def test_ui_catalogues_have_the_same_keys_and_placeholders() -> None:
    english = ui_catalogue("en")
    for lang in LANGUAGES[1:]:
        other = ui_catalogue(lang)
        assert set(other) == set(english), lang
        for key, text in english.items():
            assert other[key].strip(), (lang, key)
            assert set(re.findall(r"{(\w+)}", other[key])) == set(re.findall(r"{(\w+)}", text))
    assert ui("template.header.value", "fr") == "Valeur"
    assert ui("template.header.value", "de") == "Value"  # no catalogue: English


def test_cli_check_translations(tmp_path: Path) -> None:
    shutil.copy(SMALL, tmp_path / "small.yaml")
    shutil.copy(TRANSLATIONS / "small.fr.yaml", tmp_path / "small.fr.yaml")
    runner = CliRunner()
    ok = runner.invoke(main, ["frameworks", "check-translations", str(tmp_path / "small.yaml")])
    assert ok.exit_code == 0, ok.output
    assert "fr: complete (machine-assisted, not yet reviewed)" in ok.output
    gaps = runner.invoke(
        main, ["frameworks", "check-translations", str(tmp_path / "small.yaml"), "--lang", "ar"]
    )
    assert gaps.exit_code == 1
    assert (
        "ar: " in gaps.output and "missing" in gaps.output and "Political strategy" in gaps.output
    )
    one = runner.invoke(main, ["frameworks", "check-translations", str(tmp_path / "small.fr.yaml")])
    assert one.exit_code == 0, one.output
    none = runner.invoke(main, ["frameworks", "check-translations", str(SMALL)])
    assert none.exit_code == 1 and "no translation" in none.output


# ------------------------------------------------------------------------------- templates
def _fill_template(path: Path, target: Path, *, na_choice: str, confidence: str) -> Path:
    """Fill a template in any language by position: the same values in every language."""
    wb = openpyxl.load_workbook(path)
    ws = wb["MINUSCA"]
    ws["B5"] = "amina"
    header = [c.value for c in ws[7]]
    value_col = next(i for i, h in enumerate(header, 1) if h and i > 4 and not str(h)[-1].isdigit())
    rows = {ws.cell(row=r, column=1).value: r for r in range(8, ws.max_row + 1)}
    cells = {
        "pol_01": (4, confidence, "Compte rendu de l'équipe de direction", None),
        "pol_02": (na_choice, None, None, "consent is not at issue"),
        "env_01": (0.75, None, None, None),
        "env_02": (1, None, None, None),
    }
    for ind, (value, conf, evidence, reason) in cells.items():
        r = rows[ind]
        ws.cell(row=r, column=value_col).value = value
        if reason is not None:
            ws.cell(row=r, column=value_col + 1).value = reason
        if conf is not None:
            ws.cell(row=r, column=value_col + 2).value = conf
        if evidence is not None:
            ws.cell(row=r, column=value_col + 3).value = evidence
    wb.save(target)
    return target


def _entries(path: Path, fw: ml.Framework) -> pd.DataFrame:
    table = ml.read_assessments(path, framework=fw)
    return table.drop(columns=[c for c in ("file", "sheet", "row") if c in table.columns])


def test_french_and_arabic_templates_read_back_to_the_same_entries(
    translated: ml.Framework, tmp_path: Path
) -> None:
    made = {}
    for lang in ("en", "fr", "ar"):
        made[lang] = ml.write_template(
            translated,
            tmp_path / f"t-{lang}.xlsx",
            missions=["MINUSCA"],
            period="2024-H1",
            phase="implementation",
            lang=lang,
        )
    fr = openpyxl.load_workbook(made["fr"])
    ar = openpyxl.load_workbook(made["ar"])
    assert fr.sheetnames[0] == "Instructions" and ar.sheetnames[0] == "التعليمات"
    assert fr["MINUSCA"]["B7"].value == "Nom" and fr["MINUSCA"]["A2"].value == "Mission"
    assert "Stratégie politique" in [c.value for c in fr["MINUSCA"]["B"]]
    assert any("Une stratégie, en partie partagée." in str(c.value) for c in fr["MINUSCA"][9])
    assert ar["MINUSCA"].sheet_view.rightToLeft and ar["التعليمات"].sheet_view.rightToLeft
    assert not fr["MINUSCA"].sheet_view.rightToLeft
    lists = [dv.formula1 for dv in fr["MINUSCA"].data_validations.dataValidation]
    assert any("N/A — sans objet" in f for f in lists)
    assert any("faible,moyen,élevé" in f for f in lists)
    filled = {
        lang: _fill_template(
            made[lang],
            tmp_path / f"f-{lang}.xlsx",
            na_choice=ui("template.not_applicable_choice", lang),
            confidence=ui("template.confidence_choice.high", lang),
        )
        for lang in made
    }
    english = _entries(filled["en"], translated)
    assert set(english["indicator"]) == {"pol_01", "pol_02", "env_01", "env_02"}
    row = english.set_index("indicator")
    assert bool(row.loc["pol_02", "not_applicable"]) and row.loc["pol_01", "confidence"] == "high"
    for lang in ("fr", "ar"):
        other = _entries(filled[lang], translated)
        pd.testing.assert_frame_equal(
            other.drop(columns=["entered_at"]), english.drop(columns=["entered_at"])
        )


# --------------------------------------------------------------------------------- XLSForm
def test_xlsform_in_three_languages(translated: ml.Framework, tmp_path: Path) -> None:
    path = ml.write_xlsform(
        translated,
        tmp_path / "form.xlsx",
        phase="implementation",
        period="2024-H1",
        missions=["MINUSCA", "UN Mission in South Sudan"],
        langs=["en", "fr", "ar"],
        default_language="fr",
    )
    survey = pd.read_excel(path, sheet_name="survey", dtype=str)
    for column in ("label", "hint"):
        for name in ("English (en)", "French (fr)", "Arabic (ar)"):
            assert f"{column}::{name}" in survey.columns
    assert "label" not in survey.columns
    row = survey.set_index("name").loc["pol_01"]
    assert row["label::French (fr)"] == "Stratégie politique"
    assert row["label::Arabic (ar)"] == "الاستراتيجية السياسية"
    choices = pd.read_excel(path, sheet_name="choices", dtype=str)
    na = choices[(choices["list_name"] == "applies") & (choices["name"] == "na")].iloc[0]
    assert na["label::French (fr)"] == "N/A — sans objet"
    settings = pd.read_excel(path, sheet_name="settings", dtype=str)
    assert settings.loc[0, "default_language"] == "French (fr)"
    xform = convert(xlsform=str(path)).xform
    for lang in ("English (en)", "French (fr)", "Arabic (ar)"):
        assert f'lang="{lang}"' in xform
    with pytest.raises(ml.ArgumentError, match="default_language"):
        ml.write_xlsform(
            translated, tmp_path / "g.xlsx", phase="exit", langs=["fr"], default_language="en"
        )


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_xlsform_export_in_each_language_reads_back_by_names(
    translated: ml.Framework, tmp_path: Path, lang: str
) -> None:
    """A KoboToolbox export ("XML values and headers") holds question and choice names, the
    same whatever language the analyst answered in: it reads back to the same entries."""
    forms = {}
    for code in ("en", lang):
        forms[code] = ml.write_xlsform(
            translated,
            tmp_path / f"form-{code}.xlsx",
            phase="implementation",
            period="2024-H1",
            missions=["MINUSCA", "UN Mission in South Sudan"],
            langs=[code] if code != "en" else None,
        )
    tables = {}
    for code, form in forms.items():
        paths = _instance_paths(convert(xlsform=str(form)).xform)
        export = pd.DataFrame(_submissions(paths, "/", translated.fingerprint))
        export["_uuid"] = ["1", "2"]
        export["_submission_time"] = ["2024-05-02T08:20:00", "2024-05-03T09:05:00"]
        csv_path = tmp_path / f"export-{code}.csv"
        export.to_csv(csv_path, sep=";", index=False)
        table = ml.read_assessments(csv_path, framework=translated)
        tables[code] = table.drop(columns=[c for c in ("file",) if c in table.columns])
    got = tables[lang][["mission", "indicator", "value", "rater"]]
    assert list(got.itertuples(index=False, name=None)) == _expected()
    pd.testing.assert_frame_equal(tables[lang], tables["en"])


def test_export_with_translated_labels_as_headers_is_reported(
    translated: ml.Framework, tmp_path: Path
) -> None:
    form = ml.write_xlsform(translated, tmp_path / "f.xlsx", phase="implementation", langs=["fr"])
    paths = _instance_paths(convert(xlsform=str(form)).xform)
    export = pd.DataFrame(_submissions(paths, "/", translated.fingerprint))
    export["_uuid"] = ["1", "2"]
    export["Consentement"] = ["", ""]  # the French label of pol_02 as a header
    report = ml.validate(export, framework=translated)
    unknown = report.failures[report.failures["check"] == "unknown_column"]
    assert list(unknown["value"]) == ["Consentement"]
    assert "label of question pol_02" in unknown["message"].iloc[0]


# ------------------------------------------------------------------------------------ plots
@pytest.fixture
def small_profiles(translated: ml.Framework) -> ml.Profiles:
    from missionlens.demo import synthetic_assessments

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ml.score(synthetic_assessments(translated), framework=translated)


def test_arabic_plot_holds_shaped_right_to_left_text(small_profiles: ml.Profiles) -> None:
    import arabic_reshaper
    import matplotlib.pyplot as plt
    from bidi.algorithm import get_display

    def shaped(text: str) -> str:  # the reference: the two libraries, line by line
        return "\n".join(get_display(arabic_reshaper.reshape(t)) for t in text.split("\n"))

    summary = small_profiles.summary()
    latest = summary[summary["mission"] == "Mission A"].iloc[-1]
    phase = small_profiles.framework.text("facets:phase", f"values.{latest['phase']}.label", "ar")
    fig, ax = plt.subplots(layout="constrained")
    try:
        ax = ml.plot_profile(small_profiles, mission="Mission A", ax=ax, lang="ar")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a missing glyph warns: DejaVu Sans has them all
            fig.canvas.draw()
        ticks = [t.get_text() for t in ax.get_yticklabels()]
        assert shaped("العملية السياسية") in ticks and shaped("بيئة العمليات") in ticks
        assert ax.get_xlabel() == shaped("الدرجة (0–100، الأعلى أفضل)")
        title = ax.get_title()
        assert title == shaped(f"Mission A، {latest['period']} ({phase}): الدرجات حسب البُعد")
        assert "\ufe8e" in title  # ALEF FINAL FORM: the letters are joined, not isolated
    finally:
        plt.close(fig)


def test_french_plot_and_english_default(small_profiles: ml.Profiles) -> None:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2)
    try:
        fr = ml.plot_profile(small_profiles, mission="Mission A", ax=axes[0], lang="fr")
        en = ml.plot_profile(small_profiles, mission="Mission A", ax=axes[1])
        assert fr.get_yticklabels()[0].get_text() == "Processus politique"
        assert fr.get_xlabel() == "Score (0–100, plus élevé est meilleur)"
        assert fr.get_title().endswith(": scores par dimension")
        assert en.get_xlabel() == "Score (0–100, higher is better)"
        assert en.get_yticklabels()[0].get_text() == "Political process"
        radar = ml.plot_profile(
            small_profiles, mission="Mission A", kind="radar", node_type="indicator", lang="fr"
        )
        assert "Stratégie\npolitique" in [t.get_text() for t in radar.get_xticklabels()]
        assert "Capacités de\nl'État hôte\n(s.o.)" in [
            t.get_text() for t in radar.get_xticklabels()
        ]
        plt.close(radar.figure)
    finally:
        plt.close(fig)


def test_dejavu_sans_covers_arabic_presentation_forms() -> None:
    import arabic_reshaper
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager

    cmap = TTFont(font_manager.findfont("DejaVu Sans")).getBestCmap()
    text = "".join(ui_catalogue("ar").values())
    for line in text.split("\n"):
        for char in arabic_reshaper.reshape(line):
            if "\u0600" <= char <= "\u06ff" or "\ufb50" <= char <= "\ufeff":
                assert ord(char) in cmap, hex(ord(char))


# ---------------------------------------------------------------------------------- reports
@pytest.fixture(scope="module")
def profiles() -> ml.Profiles:
    from missionlens.demo import synthetic_assessments

    fw = ml.load_framework("whole-of-mission")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ml.score(synthetic_assessments(fw), framework=fw)


def test_french_report_has_decimal_commas(profiles: ml.Profiles, tmp_path: Path) -> None:
    from babel.numbers import format_decimal

    fr = ml.report(profiles, tmp_path / "fr.html", mission="Mission A", lang="fr")
    en = ml.report(profiles, tmp_path / "en.html", mission="Mission A")
    page, english = fr.read_text(encoding="utf-8"), en.read_text(encoding="utf-8")
    assert '<html lang="fr">' in page
    assert "<h2>Résumé</h2>" in page and "<h2>Summary</h2>" in english
    assert "Mission A : rapport de mission" in page
    scores = re.findall(r'<div class="value">(\d+[.,]\d)</div>', english)
    assert scores, "the English report shows scores with a decimal point"
    for score in scores:
        french = format_decimal(float(score), format="0.0", locale="fr")  # CLDR: a comma
        assert "," in french
        assert f'<div class="value">{french}</div>' in page
    assert not re.findall(r'<div class="value">\d+\.\d</div>', page)


def test_arabic_report_is_right_to_left(profiles: ml.Profiles, tmp_path: Path) -> None:
    page = ml.report(profiles, tmp_path / "ar.html", mission="Mission A", lang="ar")
    text = page.read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in text
    assert "<h2>الموجز</h2>" in text


# -------------------------------------------------------------------------------------- CLI
def test_cli_template_lang(tmp_path: Path) -> None:
    shutil.copy(SMALL, tmp_path / "small.yaml")
    shutil.copy(TRANSLATIONS / "small.fr.yaml", tmp_path / "small.fr.yaml")
    runner = CliRunner()
    args = ["template", str(tmp_path / "small.yaml"), "-m", "MINUSCA", "--phase", "exit"]
    done = runner.invoke(main, [*args[:2], str(tmp_path / "t.xlsx"), *args[2:], "--lang", "fr"])
    assert done.exit_code == 0, done.output
    assert openpyxl.load_workbook(tmp_path / "t.xlsx")["MINUSCA"]["B7"].value == "Nom"
    two = ["--lang", "en", "--lang", "fr"]
    form = runner.invoke(main, [*args[:2], str(tmp_path / "f.xlsx"), *args[2:], "--xlsform", *two])
    assert form.exit_code == 0, form.output
    assert "label::French (fr)" in pd.read_excel(tmp_path / "f.xlsx", sheet_name="survey").columns
    bad = runner.invoke(main, [*args[:2], str(tmp_path / "u.xlsx"), *args[2:], *two])
    assert bad.exit_code == 2 and "one language" in bad.output


def test_arabic_comparison_heatmap(small_profiles: ml.Profiles) -> None:
    import arabic_reshaper
    import matplotlib.pyplot as plt
    from bidi.algorithm import get_display

    fig, ax = plt.subplots(layout="constrained")
    try:
        from missionlens.errors import MixedPhasesWarning

        with pytest.warns(MixedPhasesWarning):  # the synthetic missions are in two phases
            ax = ml.plot_comparison(small_profiles, ax=ax, lang="ar")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig.canvas.draw()
        # wrapped at 14 characters, then each line shaped and reordered
        lines = ["العملية", "السياسية"]
        reference = "\n".join(get_display(arabic_reshaper.reshape(t)) for t in lines)
        assert reference in [t.get_text() for t in ax.get_xticklabels()]
        assert ax.get_ylabel() == get_display(arabic_reshaper.reshape("البعثة"))
    finally:
        plt.close(fig)
