"""The Arabic translation of the built-in framework (issue 12, item 2).

The English skeleton is regenerated here from the framework itself (every
non-empty text field an analyst reads), so the test follows the framework when
its English text changes. The Arabic file must have exactly the skeleton's keys,
every value non-empty, and every number of an English text in its Arabic text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import missionlens as ml
from missionlens.framework.translations import skeleton
from missionlens.framework.yaml_io import safe_load_unique

FRAMEWORKS = Path(ml.__file__).parent / "frameworks"
AR_FILE = FRAMEWORKS / "whole-of-mission-v2.ar.yaml"

# Arabic-Indic (U+0660-U+0669) and Eastern Arabic-Indic (U+06F0-U+06F9) digits,
# the Arabic decimal separator (U+066B) and thousands separator (U+066C).
_DIGITS = str.maketrans(
    {
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
        "\u066b": ".",
        "\u066c": ",",
    }
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _leaves(tree: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every (path, leaf) of a nested mapping; list items are keyed by position."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _leaves(value, (*path, str(key)))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            yield from _leaves(value, (*path, f"[{i}]"))
    else:
        yield path, tree


def _numbers(text: str) -> list[str]:
    """Numbers in a text, digits normalised to 0-9, thousands commas dropped."""
    found = _NUMBER.findall(text.translate(_DIGITS))
    return sorted(n.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", n) else n for n in found)


@pytest.fixture(scope="module")
def english() -> dict[str, Any]:
    # the library's skeleton (tests/test_translation_fr.py checks it against a walk of its own)
    return skeleton(ml.load_framework("whole-of-mission"))


@pytest.fixture(scope="module")
def arabic() -> dict[str, Any]:
    with AR_FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    assert isinstance(data, dict)
    return data


def test_header(arabic: dict[str, Any]) -> None:
    fw = ml.load_framework("whole-of-mission")
    assert arabic["language"] == "ar"
    assert arabic["framework"] == {"id": fw.id, "version": fw.version}
    assert arabic["machine_assisted"] is True
    assert arabic["reviewed_by"] is None
    assert set(arabic) == {"language", "framework", "machine_assisted", "reviewed_by", "text"}


def test_same_keys_as_the_english_skeleton(english: dict[str, Any], arabic: dict[str, Any]) -> None:
    en_paths = {path for path, _ in _leaves(english)}
    ar_paths = {path for path, _ in _leaves(arabic["text"])}
    missing = sorted(".".join(p) for p in en_paths - ar_paths)
    extra = sorted(".".join(p) for p in ar_paths - en_paths)
    assert not missing and not extra, f"missing: {missing[:20]}; extra: {extra[:20]}"


def test_every_value_is_non_empty_arabic_text(arabic: dict[str, Any]) -> None:
    problems = []
    for path, value in _leaves(arabic["text"]):
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{'.'.join(path)}: empty or not text ({value!r})")
        elif not re.search(r"[\u0600-\u06ff]", value):
            problems.append(f"{'.'.join(path)}: no Arabic letter ({value!r})")
    assert not problems, "\n".join(problems)


def test_numbers_of_every_anchor_are_kept(english: dict[str, Any], arabic: dict[str, Any]) -> None:
    problems = []
    for ind_id, entry in english["indicators"].items():
        for value, text in entry.get("anchors", {}).items():
            ar_text = arabic["text"]["indicators"].get(ind_id, {}).get("anchors", {}).get(value, "")
            want, got = _numbers(text), _numbers(ar_text)
            lost = sorted(set(want) - set(got))
            if lost:
                problems.append(f"{ind_id} anchor {value}: numbers {lost} missing")
    assert not problems, "\n".join(problems)


def test_numbers_of_every_text_are_kept(english: dict[str, Any], arabic: dict[str, Any]) -> None:
    en = dict(_leaves(english))
    problems = []
    for path, value in _leaves(arabic["text"]):
        lost = sorted(set(_numbers(str(en.get(path, "")))) - set(_numbers(str(value))))
        if lost:
            problems.append(f"{'.'.join(path)}: numbers {lost} missing")
    assert not problems, "\n".join(problems)


def test_parsed_by_the_projects_safe_loader() -> None:
    assert isinstance(safe_load_unique(AR_FILE.read_text(encoding="utf-8")), dict)


def test_the_translation_file_is_not_taken_for_a_framework() -> None:
    # Without the registry's translation pattern, "whole-of-mission-v2.ar.yaml" would be read
    # as version "2.ar" of the framework and shadow version 2.
    versions = [f.version for f in ml.framework.registry.builtin_frameworks()["whole-of-mission"]]
    assert versions == ["1", "2"]
    assert ml.load_framework("whole-of-mission").version == "2"
