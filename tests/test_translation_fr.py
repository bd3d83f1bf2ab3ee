"""The French translation of the built-in whole-of-mission framework, version 2.

The file ``src/missionlens/frameworks/whole-of-mission-v2.fr.yaml`` must hold, for every text
field an analyst reads, a non-empty French value under exactly the key of the English
skeleton, and must keep every number: a threshold that changed in translation would change
what an analyst scores. The skeleton is regenerated here from the framework itself (not read
from a copy), so a text field added to the framework without its translation fails this test.

Sources: the translation file format of issue 12 ("Working languages"); the terms are those of
``docs/glossary-fr.md``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

import missionlens as ml

ROOT = Path(__file__).parents[1]
FR_FILE = ROOT / "src" / "missionlens" / "frameworks" / "whole-of-mission-v2.fr.yaml"
GLOSSARY = ROOT / "docs" / "glossary-fr.md"

#: An English number: ``1,000`` and ``100,000`` (thousands commas), ``0.75``, ``12``.
_EN_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|(?<![\d.,])\d+(?:\.\d+)?")
#: A French number: ``1 000`` (no-break or narrow no-break space), ``0,75``, ``12``.
_FR_NUMBER = re.compile(
    r"(?<![\d,])\d{1,3}(?:[\u00a0\u202f]\d{3})+(?:,\d+)?(?!\d)|(?<![\d,])\d+(?:,\d+)?"
)


def _value_key(value: float) -> str:
    """A level value as the translation file keys it: ``"1"`` for 1.0, ``"0.5"`` for 0.5."""
    return str(int(value)) if float(value).is_integer() else str(value)


def _put(target: dict[str, Any], key: str, text: str) -> None:
    if text:
        target[key] = text


def english_skeleton(fw: ml.Framework) -> dict[str, Any]:
    """Every non-empty text field of ``fw``, keyed as in the translation file's ``text`` block.

    Parameters
    ----------
    fw : Framework
        The framework whose analyst-facing text is to be translated.

    Returns
    -------
    dict
        ``title``, ``description``, ``scales``, ``facets``, ``nodes`` and ``indicators``, in
        the shape of the translation file format (issue 12).
    """
    out: dict[str, Any] = {}
    _put(out, "title", fw.title)
    _put(out, "description", fw.description)
    scales: dict[str, Any] = {}
    for scale in fw.scales:
        entry: dict[str, Any] = {}
        _put(entry, "name", scale.name)
        _put(entry, "description", scale.description)
        if scale.kind == "numeric":
            _put(entry, "unit", scale.unit)
        if scale.kind == "rubric":
            levels: dict[str, Any] = {}
            for level in scale.levels:
                one: dict[str, Any] = {}
                _put(one, "label", level.label)
                _put(one, "description", level.description)
                levels[_value_key(level.value)] = one
            entry["levels"] = levels
        if scale.kind == "binary":
            _put(entry, "false_label", scale.false_label)
            _put(entry, "true_label", scale.true_label)
        scales[scale.id] = entry
    out["scales"] = scales
    facets: dict[str, Any] = {}
    for facet in fw.facets:
        entry = {}
        _put(entry, "name", facet.name)
        _put(entry, "description", facet.description)
        values: dict[str, Any] = {}
        for value in facet.values:
            one = {}
            _put(one, "label", value.label)
            _put(one, "description", value.description)
            values[value.id] = one
        entry["values"] = values
        facets[facet.id] = entry
    out["facets"] = facets
    nodes: dict[str, Any] = {}
    for node in fw.nodes:
        entry = {}
        _put(entry, "name", node.name)
        _put(entry, "description", node.description)
        nodes[node.id] = entry
    out["nodes"] = nodes
    indicators: dict[str, Any] = {}
    for ind in fw.indicators:
        entry = {}
        for field in ("name", "definition", "question", "not_applicable_when"):
            _put(entry, field, getattr(ind, field))
        if ind.anchors:
            entry["anchors"] = {_value_key(a.value): a.description for a in ind.anchors}
        if ind.evidence:
            entry["evidence"] = list(ind.evidence)
        indicators[ind.id] = entry
    out["indicators"] = indicators
    return out


def _leaves(tree: Any, path: str = "") -> dict[str, Any]:
    """``{"indicators/pol_consent/anchors/1": text, ...}``: every leaf of a nested block."""
    if isinstance(tree, dict):
        found: dict[str, Any] = {}
        for key, value in tree.items():
            found.update(_leaves(value, f"{path}/{key}" if path else str(key)))
        return found
    if isinstance(tree, list):
        found = {}
        for index, value in enumerate(tree):
            found.update(_leaves(value, f"{path}/{index}"))
        return found
    return {path: tree}


def _en_numbers(text: str) -> set[Decimal]:
    return {Decimal(m.replace(",", "")) for m in _EN_NUMBER.findall(text)}


def _fr_numbers(text: str) -> set[Decimal]:
    return {
        Decimal(re.sub(r"[\u00a0\u202f]", "", m).replace(",", "."))
        for m in _FR_NUMBER.findall(text)
    }


@pytest.fixture(scope="module")
def wom2() -> ml.Framework:
    return ml.load_framework("whole-of-mission@2")


@pytest.fixture(scope="module")
def french() -> dict[str, Any]:
    with FR_FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def pairs(wom2: ml.Framework, french: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """Every skeleton path with its English text and its French value (``None`` if absent)."""
    en = _leaves(english_skeleton(wom2))
    fr = _leaves(french["text"])
    return {path: (text, fr.get(path)) for path, text in en.items()}


def test_header_says_french_machine_assisted_for_review(french: dict[str, Any]) -> None:
    assert set(french) == {"language", "framework", "machine_assisted", "reviewed_by", "text"}
    assert french["language"] == "fr"
    assert french["framework"] == {"id": "whole-of-mission", "version": "2"}
    assert french["machine_assisted"] is True
    assert french["reviewed_by"] is None


def test_file_parses_with_the_project_loader() -> None:
    from missionlens.framework.yaml_io import safe_load_unique

    data = safe_load_unique(FR_FILE.read_text(encoding="utf-8"))
    assert data["language"] == "fr"


def test_skeleton_walker_reproduces_the_shape_of_the_file_format(wom2: ml.Framework) -> None:
    skeleton = english_skeleton(wom2)
    assert list(skeleton) == ["title", "description", "scales", "facets", "nodes", "indicators"]
    assert skeleton["scales"]["rubric5"]["levels"]["1"]["label"] == "Critical"
    assert skeleton["indicators"]["pol_consent"]["anchors"]["5"].startswith("No formal act")
    # the skeleton (generated the same way) has 1,078 text leaves
    assert len(_leaves(skeleton)) == 1078
    # and the library's own skeleton (what check-translations enforces) is the same text
    from missionlens.framework.translations import skeleton as library_skeleton

    assert _leaves(library_skeleton(wom2)) == _leaves(skeleton)


def test_exactly_the_skeleton_keys(wom2: ml.Framework, french: dict[str, Any]) -> None:
    en = set(_leaves(english_skeleton(wom2)))
    fr = set(_leaves(french["text"]))
    assert sorted(en - fr) == [], "missing French translations"
    assert sorted(fr - en) == [], "keys the English framework does not have"


def test_every_value_is_non_empty_french_text(pairs: dict[str, tuple[str, Any]]) -> None:
    empty = [p for p, (_, fr) in pairs.items() if not isinstance(fr, str) or not fr.strip()]
    assert empty == []
    # nothing left in English: a value identical to the English is allowed only for
    # names that are the same word in both languages (e.g. "Mission", "Transition")
    same = sorted(p for p, (en, fr) in pairs.items() if fr == en)
    assert same == [
        "facets/actor/values/mission/label",
        "facets/phase/values/transition/label",
    ]


def test_every_number_of_an_english_anchor_is_in_its_french_anchor(
    wom2: ml.Framework, pairs: dict[str, tuple[str, Any]]
) -> None:
    anchors = {p: v for p, v in pairs.items() if "/anchors/" in p}
    assert len(anchors) == sum(len(i.anchors) for i in wom2.indicators) == 5 * 74
    changed = {
        path: (sorted(_en_numbers(en)), sorted(_fr_numbers(fr)))
        for path, (en, fr) in anchors.items()
        if _en_numbers(en) != _fr_numbers(fr)
    }
    assert changed == {}


def test_every_number_of_any_english_text_is_kept(pairs: dict[str, tuple[str, Any]]) -> None:
    """Stronger than the anchors alone: goalposts, weights and shares in descriptions too."""
    changed = {
        path: (sorted(_en_numbers(en)), sorted(_fr_numbers(fr)))
        for path, (en, fr) in pairs.items()
        if _en_numbers(en) != _fr_numbers(fr)
    }
    assert changed == {}


def test_number_readers_on_known_values() -> None:
    # English thousands commas and decimal points; French no-break spaces and decimal commas
    assert _en_numbers("per 1,000 personnel; 0.75 % and 3.5 %; 5-9.9") == {
        Decimal("1000"),
        Decimal("0.75"),
        Decimal("3.5"),
        Decimal("5"),
        Decimal("9.9"),
    }
    assert _fr_numbers("pour 1\u00a0000 membres ; 0,75\u00a0% et 3,5\u00a0% ; 5-9,9") == {
        Decimal("1000"),
        Decimal("0.75"),
        Decimal("3.5"),
        Decimal("5"),
        Decimal("9.9"),
    }
    # a list comma is not a decimal comma, in either language
    assert _en_numbers("findings 1, 10 and 16") == {Decimal(1), Decimal(10), Decimal(16)}
    assert _fr_numbers("constats 1, 10 et 16") == {Decimal(1), Decimal(10), Decimal(16)}


def test_ids_and_field_names_quoted_in_the_text_are_kept(
    pairs: dict[str, tuple[str, Any]],
) -> None:
    """Indicator ids, file and column names cited in English text stay verbatim in French."""
    token = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+(?:\.csv)?\b")
    lost = {
        path: sorted(set(token.findall(en)) - set(token.findall(fr)))
        for path, (en, fr) in pairs.items()
        if set(token.findall(en)) - set(token.findall(fr))
    }
    assert lost == {}


def test_one_french_term_per_key_english_term(pairs: dict[str, tuple[str, Any]]) -> None:
    """The glossary's terms are used, and the rejected variants are not."""
    french = " ".join(fr for _, fr in pairs.values())
    for term in (
        "maintien de la paix",
        "protection des civils",
        "pays fournisseurs de contingents ou de personnel de police",
        "État hôte",
        "Cinquième Commission",
        "Action pour le maintien de la paix",
        "personnel en tenue",
        "unités de police constituées",
    ):
        assert term in french, term
    # "exploitation et atteintes sexuelles", with the articles French grammar puts in
    assert re.search(r"exploitation et (?:des |d')?atteintes sexuelles", french)
    for variant in ("casques bleus", "abus sexuels", "pays contributeurs", "Etat hôte"):
        assert variant not in french, variant


def test_glossary_lists_the_key_terms_with_sources() -> None:
    text = GLOSSARY.read_text(encoding="utf-8")
    for term in (
        "protection des civils",
        "exploitation et atteintes sexuelles",
        "Comité spécial des opérations de maintien de la paix",
        "Système complet de planification et d'évaluation de la performance",
        "Cinquième Commission",
        "État hôte",
    ):
        assert term in text, term
    assert "unterm.un.org" in text
