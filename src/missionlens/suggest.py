"""Suggestions for mistyped names ("did you mean ...?"), tuned for identifiers.

Identifiers in frameworks and assessments look like ``pol_02``, ``env_fatalities_malicious`` or
``whole-of-mission``: a prefix, separators and often a number. Plain string similarity
(``difflib``) ranks them poorly: it suggests ``pol_12`` for ``pol_2`` (one character apart)
although the analyst meant ``pol_02``, and nothing at all for ``part_3`` next to ``part_03``.
:func:`suggest` therefore tries, in order:

1. the same name up to case and separators (``POL-02`` -> ``pol_02``);
2. the same words with the same numbers, ignoring zero padding (``pol_2`` -> ``pol_02``);
3. one transposition of two adjacent characters (``plo_02`` -> ``pol_02``);
4. the same words with a different number (``pol_99`` -> ``pol_09``, nearest number first);
5. :func:`difflib.get_close_matches` on the normalised names as a fallback.

This module is in the core layer: it imports nothing from missionlens.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

__all__ = ["counted", "did_you_mean", "suggest"]

_SEPARATORS = re.compile(r"[\s_\-.]+")
_PARTS = re.compile(r"\d+|[^\d]+")


def _normal(name: str) -> str:
    """Lower case, runs of separators (space, ``_``, ``-``, ``.``) as one ``_``."""
    return _SEPARATORS.sub("_", name.strip().casefold()).strip("_")


def _shape(name: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The words and the numbers of a normalised name: ``pol_02b`` -> (("pol_", "b"), (2,))."""
    words: list[str] = []
    numbers: list[int] = []
    for part in _PARTS.findall(name):
        if part.isdigit():
            numbers.append(int(part))
            words.append("#")
        else:
            words.append(part)
    return tuple(words), tuple(numbers)


def _transpositions(name: str) -> set[str]:
    return {name[:k] + name[k + 1] + name[k] + name[k + 2 :] for k in range(len(name) - 1)}


def suggest(name: str, candidates: Iterable[str], n: int = 1) -> list[str]:
    """The known names closest to ``name``, best first.

    Parameters
    ----------
    name : str
        The unknown name, as given.
    candidates : iterable of str
        The known names; order breaks ties (earlier first).
    n : int
        How many suggestions at most.

    Returns
    -------
    list of str
        Up to ``n`` candidates, exactly as spelt in ``candidates``; empty if none is close
        (or if ``name`` itself is a candidate, which needs no suggestion).

    Examples
    --------
    >>> ids = ["pol_01", "pol_02", "pol_12", "part_03"]
    >>> suggest("pol_2", ids), suggest("POL-02", ids), suggest("part_3", ids)
    (['pol_02'], ['pol_02'], ['part_03'])
    >>> suggest("plo_12", ids), suggest("zzz", ids)
    (['pol_12'], [])
    """
    if n < 1:
        return []
    known = list(dict.fromkeys(str(c) for c in candidates))
    if name in known:
        return []
    target = _normal(str(name))
    normal = {c: _normal(c) for c in known}
    ranked: list[str] = []

    def add(found: Iterable[str]) -> None:
        for c in found:
            if c not in ranked:
                ranked.append(c)

    add(c for c in known if normal[c] == target)
    words, numbers = _shape(target)
    shapes = {c: _shape(normal[c]) for c in known}
    if numbers:
        add(c for c in known if shapes[c] == (words, numbers))
    swaps = _transpositions(target)
    add(c for c in known if normal[c] in swaps)
    if numbers:
        same_words = [c for c in known if shapes[c][0] == words and len(shapes[c][1])]

        def distance(c: str) -> tuple[int, ...]:
            return tuple(abs(a - b) for a, b in zip(shapes[c][1], numbers, strict=False))

        add(sorted(same_words, key=distance))
    if len(ranked) < n:
        by_normal: dict[str, str] = {}
        for c in known:
            by_normal.setdefault(normal[c], c)
        close = difflib.get_close_matches(target, list(by_normal), n=n, cutoff=0.6)
        add(by_normal[c] for c in close)
    return ranked[:n]


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """A hint to append to an error message: ``"; did you mean 'pol_02'?"``, or ``""``.

    Examples
    --------
    >>> did_you_mean("pol_2", ["pol_01", "pol_02", "pol_12"])
    "; did you mean 'pol_02'?"
    >>> did_you_mean("budget", ["pol_01", "pol_02"])
    ''
    """
    found = suggest(name, candidates, n=1)
    return f"; did you mean '{found[0]}'?" if found else ""


def counted(n: int, word: str, plural: str | None = None) -> str:
    """``n`` and the word, in the singular for one: ``1 problem``, ``2 problems``.

    For messages (light to import: the command line uses it before pandas is loaded).

    >>> counted(1, "problem"), counted(3, "file"), counted(2, "entry", "entries")
    ('1 problem', '3 files', '2 entries')
    """
    return f"{n} {word if n == 1 else (plural or word + 's')}"
