"""Working languages: translations of a framework's text, and the catalogue of interface strings.

A framework is written in English. Its text (title, description, scale, level, facet and node
names and descriptions, indicator names, definitions, guiding questions, anchors, evidence
suggestions and ``not_applicable_when``) can carry translations, one file per language beside
the framework file, named ``<name>-v<version>.<lang>.yaml`` (``whole-of-mission-v2.fr.yaml``)::

    language: fr                       # BCP 47 tag
    framework: {id: whole-of-mission, version: "2"}
    machine_assisted: true             # true until a human translator has reviewed the file
    reviewed_by: null                  # who reviewed it, when
    text:
      title: ...
      description: ...
      scales:     {<scale id>: {name, description, unit?, levels: {"<value>": {label, description}},
                                false_label?, true_label?}}
      facets:     {<facet id>: {name, description, values: {<value id>: {label, description}}}}
      nodes:      {<node id>: {name, description}}
      indicators: {<indicator id>: {name, definition, question, not_applicable_when?,
                                    anchors: {"<value>": text}, evidence: [...]}}

:func:`skeleton` gives the English text of a framework in exactly this shape (only the fields
that are not empty in English); a complete translation has every one of its keys, non-empty
(:func:`missing_translations`, which ``missionlens frameworks check-translations`` runs).

**Translations are not part of the fingerprint.** They are text only: they never change an id,
a value, a weight or anything else that is scored, so a profile entered in French is the same
profile, with the same fingerprint, as one entered in English.

**Fallback.** :meth:`Framework.text <missionlens.framework.model.Framework.text>` returns the
text in the language asked for, or the English text when the translation is missing or empty,
and records each fallback in :attr:`Framework.text_fallbacks` (a table: element, field,
language, reason); :func:`lookup` returns the same answer as a :class:`TextLookup` record. A
missing translation is never a blank.

**Interface strings** (template instructions and headers, form labels, plot titles and axis
labels, report section titles) are in the catalogue ``missionlens/locales/ui.<lang>.yaml``, read
by :func:`ui`, with the same English fallback.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from missionlens.errors import ArgumentError, FrameworkError, NotFoundError
from missionlens.framework.elements import (
    DEFAULT_FACETS,
    BinaryScale,
    NumericScale,
    RubricScale,
)
from missionlens.framework.structure import problem, problem_frame
from missionlens.framework.yaml_io import parse_text, read_text

if TYPE_CHECKING:
    from missionlens.framework.model import Framework

__all__ = [
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "MISSING_COLUMNS",
    "RTL_LANGUAGES",
    "TextLookup",
    "Translation",
    "check_language",
    "flatten",
    "is_rtl",
    "load_translation",
    "lookup",
    "missing_translations",
    "skeleton",
    "ui",
    "ui_catalogue",
]

#: The working languages the built-in framework and the interface ship in.
LANGUAGES: tuple[str, ...] = ("en", "fr", "ar")

#: English names of the languages, as the XLSForm column convention wants them
#: (``label::French (fr)``).
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "fr": "French", "ar": "Arabic"}

#: Languages written right to left (primary subtag).
RTL_LANGUAGES: frozenset[str] = frozenset({"ar", "he", "fa", "ur", "ps", "dv", "yi"})

#: Columns of :func:`missing_translations`.
MISSING_COLUMNS: tuple[str, ...] = ("language", "path", "element", "field", "problem", "english")

#: A BCP 47 tag as far as this library needs: a 2-3 letter language, then optional subtags.
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def check_language(lang: object, argument: str = "lang") -> str:
    """Return ``lang`` if it is a BCP 47 language tag such as ``"fr"`` or ``"ar"``.

    Raises
    ------
    ArgumentError
        If it is not text or not such a tag.

    Examples
    --------
    >>> check_language("fr")
    'fr'
    """
    if not isinstance(lang, str) or not LANGUAGE_TAG.match(lang):
        raise ArgumentError(
            f"{argument} must be a BCP 47 language tag such as 'en', 'fr' or 'ar', not {lang!r}"
        )
    return lang


def is_rtl(lang: str) -> bool:
    """Whether a language is written right to left (Arabic, Hebrew, Persian, Urdu, ...).

    >>> is_rtl("ar"), is_rtl("fr")
    (True, False)
    """
    return lang.split("-")[0].lower() in RTL_LANGUAGES


class _Ref(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    version: str = Field(min_length=1)


class Translation(BaseModel):
    """One translation file: a framework's text in one language.

    Attributes
    ----------
    language : str
        BCP 47 tag (``fr``, ``ar``).
    framework : {id, version}
        The framework (and version) translated.
    machine_assisted : bool
        True until a human translator has reviewed the file.
    reviewed_by : str or None
        Who reviewed it, and when.
    text : dict
        The text, in the shape of :func:`skeleton`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    language: str = Field(pattern=LANGUAGE_TAG.pattern)
    framework: _Ref
    machine_assisted: bool = True
    reviewed_by: str | None = None
    text: dict[str, Any] = Field(default_factory=dict)
    #: Where the translation was read from (not in the file).
    source: str | None = Field(default=None, exclude=True)

    @functools.cached_property
    def flat(self) -> dict[str, str]:
        """The text as ``{path: text}`` (see :func:`flatten`)."""
        return flatten(self.text)


def flatten(data: Any, prefix: str = "") -> dict[str, str]:
    """A nested text mapping as ``{dotted path: text}``; list items are ``path.<k>`` (from 0).

    Values that are neither text, mapping nor list (numbers, ``null``) are kept as their text
    (``null`` as ``""``) so that :func:`missing_translations` reports them as empty.

    Examples
    --------
    >>> flatten({"nodes": {"pol": {"name": "Politique"}}, "e": ["a", "b"]})
    {'nodes.pol.name': 'Politique', 'e.0': 'a', 'e.1': 'b'}
    """
    out: dict[str, str] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, (list, tuple)):
        for k, value in enumerate(data):
            out.update(flatten(value, f"{prefix}.{k}"))
    else:
        out[prefix] = "" if data is None else str(data)
    return out


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def skeleton(fw: Framework) -> dict[str, Any]:
    """The English text of a framework in the shape of a translation file's ``text``.

    Only fields that are not empty in English are listed: those are what a complete
    translation must hold. Rubric levels and anchors are keyed by their value as text
    (``"1"``), evidence suggestions are a list in the framework's order.

    Examples
    --------
    >>> import missionlens as ml
    >>> sk = skeleton(ml.load_framework("whole-of-mission@2"))
    >>> sk["nodes"]["political"]["name"]
    'Political process and strategy'
    """
    text: dict[str, Any] = {"title": fw.title}
    if fw.description:
        text["description"] = fw.description
    scales: dict[str, Any] = {}
    for scale in fw.scales:
        entry: dict[str, Any] = {}
        for name in ("name", "description"):
            if getattr(scale, name):
                entry[name] = getattr(scale, name)
        if isinstance(scale, NumericScale) and scale.unit:
            entry["unit"] = scale.unit
        if isinstance(scale, RubricScale):
            levels: dict[str, Any] = {}
            for level in scale.levels:
                item = {"label": level.label}
                if level.description:
                    item["description"] = level.description
                levels[_num(level.value)] = item
            entry["levels"] = levels
        if isinstance(scale, BinaryScale):
            entry["false_label"] = scale.false_label
            entry["true_label"] = scale.true_label
        if entry:
            scales[scale.id] = entry
    if scales:
        text["scales"] = scales
    facets: dict[str, Any] = {}
    declared = {f.id for f in fw.facets}
    # the default level and phase facets are shown (template phase labels, plots) even when a
    # framework does not declare them: their text is translated too
    for facet in (*fw.facets, *(f for f in DEFAULT_FACETS if f.id not in declared)):
        entry = {k: getattr(facet, k) for k in ("name", "description") if getattr(facet, k)}
        values: dict[str, Any] = {}
        for value in facet.values:
            item = {k: getattr(value, k) for k in ("label", "description") if getattr(value, k)}
            if item:
                values[value.id] = item
        if values:
            entry["values"] = values
        if entry:
            facets[facet.id] = entry
    if facets:
        text["facets"] = facets
    text["nodes"] = {
        n.id: {k: getattr(n, k) for k in ("name", "description") if getattr(n, k)} for n in fw.nodes
    }
    indicators: dict[str, Any] = {}
    for ind in fw.indicators:
        entry = {
            k: getattr(ind, k)
            for k in ("name", "definition", "question", "not_applicable_when")
            if getattr(ind, k)
        }
        if ind.anchors:
            entry["anchors"] = {_num(a.value): a.description for a in ind.anchors}
        if ind.evidence:
            entry["evidence"] = list(ind.evidence)
        indicators[ind.id] = entry
    text["indicators"] = indicators
    return text


def load_translation(source: str | Path) -> Translation:
    """Read a translation file (YAML, ``safe_load_unique``).

    Raises
    ------
    FrameworkError
        If the file is not valid YAML or not of the translation shape (every problem listed,
        with its path in the file).
    ArgumentError
        If ``source`` is neither text nor a path.
    """
    text, name = read_text(source)
    data = parse_text(text, "yaml", name)
    return _translation_from(data, name)


def _translation_from(data: Any, name: str | None) -> Translation:
    try:
        translation = Translation.model_validate(data)
    except ValidationError as exc:
        problems = [
            problem(
                ".".join(str(p) for p in err["loc"]),
                "translation_field",
                f"{err['msg']} (a translation file has the keys language, framework {{id, "
                "version}, machine_assisted, reviewed_by and text)",
                value=str(err.get("input", ""))[:80],
            )
            for err in exc.errors()
        ]
        raise FrameworkError(problem_frame(problems, name), name) from None
    bad = [
        problem(path, "translation_not_text", "a translation is text", value=value)
        for path, value in _non_text(translation.text)
    ]
    if bad:
        raise FrameworkError(problem_frame(bad, name), name)
    return translation.model_copy(update={"source": name})


def _non_text(data: Any, prefix: str = "text") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            out += _non_text(value, f"{prefix}.{key}")
    elif isinstance(data, list):
        for k, value in enumerate(data):
            out += _non_text(value, f"{prefix}.{k}")
    elif not (data is None or isinstance(data, str)):
        out.append((prefix, repr(data)))
    return out


def check_matches(translation: Translation, fw: Framework) -> None:
    """Refuse a translation made for another framework or version.

    Raises
    ------
    FrameworkError
        Naming the file and both the framework it is for and the one it was given to.
    """
    ref = translation.framework
    if (ref.id, ref.version) != (fw.id, fw.version):
        raise FrameworkError(
            problem_frame(
                [
                    problem(
                        "framework",
                        "translation_mismatch",
                        f"this {translation.language} translation is for framework "
                        f"'{ref.id}' version '{ref.version}', not '{fw.id}' version "
                        f"'{fw.version}'",
                        value=f"{ref.id}@{ref.version}",
                    )
                ],
                translation.source,
            ),
            translation.source,
        )


def _split(path: str) -> tuple[str, str]:
    """(element, field) of a skeleton path: ``indicators.pol_01.anchors.3`` ->
    ``('pol_01', 'anchors.3')``; ``title`` -> ``('', 'title')``."""
    parts = path.split(".")
    if parts[0] in ("scales", "facets", "nodes", "indicators") and len(parts) >= 3:
        return parts[1], ".".join(parts[2:])
    return "", path


def missing_translations(fw: Framework, lang: str | None = None) -> pd.DataFrame:
    """Every missing, empty or unknown text of a framework's translations.

    Parameters
    ----------
    fw : Framework
        A framework with its translations attached (:func:`~missionlens.load_framework`
        attaches the files beside it; :meth:`Framework.with_translations` others).
    lang : str, optional
        One language; by default every language attached. A language with no translation
        attached has every text missing.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MISSING_COLUMNS`: ``language``, ``path`` (in the file's ``text``),
        ``element`` (the id of the scale, facet, node or indicator, empty for the title and
        description), ``field``, ``problem`` (``missing``: the key is absent; ``empty``: the
        key holds no text; ``unknown``: a key the English text has not, e.g. a misspelt id, or
        an evidence item beyond the English list) and ``english`` (the English text). Empty
        when every translation is complete.

    Examples
    --------
    >>> import missionlens as ml
    >>> fw = ml.load_framework("tests/data/frameworks/small.yaml")  # doctest: +SKIP
    >>> missing_translations(fw, "fr").empty  # doctest: +SKIP
    False
    """
    english = flatten(skeleton(fw))
    langs = [check_language(lang)] if lang is not None else sorted(fw.translations)
    rows: list[dict[str, str]] = []
    for code in langs:
        got = fw.translations[code].flat if code in fw.translations else {}
        for path, text in english.items():
            element, field = _split(path)
            if path not in got:
                rows.append(_row(code, path, element, field, "missing", text))
            elif not got[path].strip():
                rows.append(_row(code, path, element, field, "empty", text))
        for path in got:
            if path not in english:
                element, field = _split(path)
                rows.append(_row(code, path, element, field, "unknown", ""))
    return pd.DataFrame(rows, columns=list(MISSING_COLUMNS), dtype=object)


def _row(lang: str, path: str, element: str, field: str, what: str, en: str) -> dict[str, str]:
    return {
        "language": lang,
        "path": path,
        "element": element,
        "field": field,
        "problem": what,
        "english": en,
    }


@dataclass(frozen=True)
class TextLookup:
    """The answer of :func:`lookup`: the text, its language and whether it fell back.

    Attributes
    ----------
    text : str
        The text shown (never blank when the English text is not).
    lang : str
        The language of ``text`` (``"en"`` after a fallback).
    requested : str
        The language asked for.
    fallback : bool
        True if the English text is shown in place of a missing translation.
    reason : str
        Why it fell back (``no_translation``, ``missing``, ``empty``), else ``""``.
    """

    text: str
    lang: str
    requested: str
    fallback: bool
    reason: str = ""


_SECTIONS = ("indicators", "nodes", "scales", "facets")


def _english_path(fw: Framework, element_id: str, field: str) -> tuple[str, str]:
    """(skeleton path, English text) of an element's field; raises for an unknown one."""
    english = _english(fw)
    if element_id in ("", fw.id) and field in ("title", "description"):
        return field, english.get(field, "")
    section, _, ident = element_id.rpartition(":")
    sections = [section] if section else list(_SECTIONS)
    for sec in sections:
        path = f"{sec}.{ident}.{field}"
        if path in english:
            return path, english[path]
    for sec in sections:  # a known element whose field is empty in English
        if any(p.startswith(f"{sec}.{ident}.") for p in english) or ident in _ids(fw, sec):
            return f"{sec}.{ident}.{field}", ""
    raise ArgumentError(
        f"text({element_id!r}, {field!r}): no indicator, node, scale or facet of framework "
        f"'{fw.id}' has the id {ident!r} (write 'section:id', e.g. 'scales:rubric5', to name "
        "one section)"
    )


def _ids(fw: Framework, section: str) -> set[str]:
    items: tuple[Any, ...] = {
        "indicators": fw.indicators,
        "nodes": fw.nodes,
        "scales": fw.scales,
        "facets": (*fw.facets, *DEFAULT_FACETS),
    }.get(section, ())
    return {i.id for i in items}


def _english(fw: Framework) -> dict[str, str]:
    state = fw._languages
    if state.english is None:  # a cache of the framework's own (immutable) text
        state.english = flatten(skeleton(fw))
    return state.english


def lookup(fw: Framework, element_id: str, field: str, lang: str = "en") -> TextLookup:
    """The text of a framework element in a language, falling back to English.

    Parameters
    ----------
    fw : Framework
    element_id : str
        The id of an indicator, node, scale or facet (looked up in that order; ``"scales:r5"``
        names the section), or ``""`` (or the framework id) for ``title`` and ``description``.
    field : str
        A path below the element as in the translation file: ``name``, ``definition``,
        ``question``, ``anchors.3``, ``evidence.0``, ``levels.3.label``,
        ``values.strategic.label``, ...
    lang : str
        BCP 47 tag; ``"en"`` is the framework's own text.

    Raises
    ------
    ArgumentError
        If the language is not a tag or the element is unknown.
    """
    check_language(lang)
    path, english = _english_path(fw, element_id, field)
    if lang == "en":
        return TextLookup(english, "en", "en", False)
    translation = fw.translations.get(lang)
    if translation is None:
        reason = "no_translation"
    else:
        got = translation.flat.get(path)
        if got is not None and got.strip():
            return TextLookup(got, lang, lang, False)
        reason = "missing" if got is None else "empty"
    if not english:  # nothing to translate
        return TextLookup("", lang, lang, False)
    return TextLookup(english, "en", lang, True, reason)


# ----------------------------------------------------------------------- interface strings
def _locale_dir() -> Any:
    return resources.files("missionlens").joinpath("locales")


@functools.lru_cache(maxsize=16)
def ui_catalogue(lang: str) -> dict[str, str]:
    """The interface strings of a language, flattened (``{"template.header.value": ...}``).

    An unknown language has an empty catalogue (every string then falls back to English).

    Raises
    ------
    FrameworkError
        If the catalogue file is not valid YAML.
    """
    entry = _locale_dir().joinpath(f"ui.{lang}.yaml")
    if not entry.is_file():
        return {}
    data = parse_text(entry.read_text(encoding="utf-8"), "yaml", f"ui.{lang}.yaml")
    strings = data.get("strings", {}) if isinstance(data, dict) else {}
    return flatten(strings)


def ui(key: str, lang: str = "en", /, **values: object) -> str:
    """An interface string in a language (English when it has none), formatted with ``values``.

    Raises
    ------
    NotFoundError
        If the key is not in the English catalogue (a programming error).

    Examples
    --------
    >>> ui("template.header.value", "fr")
    'Valeur'
    """
    check_language(lang)
    english = ui_catalogue("en")
    if key not in english:
        raise NotFoundError(f"no interface string {key!r} in missionlens/locales/ui.en.yaml")
    text = ui_catalogue(lang).get(key, "") if lang != "en" else english[key]
    if not text.strip():
        text = english[key]
    return text.format(**values) if values else text
