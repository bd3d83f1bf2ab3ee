"""Figures of a report as inline SVG: :func:`svg_figure` and :func:`inline_svg`.

Each figure is drawn by a :mod:`missionlens.plot` function on a fresh matplotlib figure and
saved as SVG into memory. The text of the figures is stored as outlines
(``svg.fonttype = "path"``): a report must look the same on the briefing room's laptop as on
the analyst's, with no font to fetch or to have installed, and a label that overflows with a
substituted font would mislead. It costs size (matplotlib defines each glyph once per figure
and reuses it), which the 2 MB budget of a 10-mission comparison absorbs (see
``tests/test_report.py`` and ``benchmarks/bench_report.py``); every figure carries a text
alternative (``<title>`` and ``aria-label``) and the numbers are in the tables beside it.

The XML prolog, the DOCTYPE (which names an external DTD) and the metadata block (which names
external vocabularies) are removed, and every ``id`` is prefixed per figure so that several
SVGs in one HTML page never share an id.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["BIDI_CONTROLS", "SVG_FONTTYPE", "control_escape", "inline_svg", "svg_figure"]

#: Bidirectional control characters (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069):
#: shown escaped (``\\u202e``), never applied, so that they cannot reorder what a page shows.
BIDI_CONTROLS: frozenset[str] = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def control_escape(char: str) -> str | None:
    r"""The visible escape of a bidi or other control character (``\u202e``, ``\x07``), or
    ``None`` for a character shown as it is (line breaks and tabs included).

    >>> control_escape("\u202e"), control_escape("\x07"), control_escape("a")
    ('\\u202e', '\\x07', None)
    """
    if char in BIDI_CONTROLS or (not char.isprintable() and char not in "\n\t"):
        code = ord(char)
        return f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}"
    return None


#: How the figures' text is stored: ``"path"`` (outlines; see the module documentation).
#: ``benchmarks/bench_report.py`` compares it with ``"none"`` (text elements).
SVG_FONTTYPE = "path"

_PROLOG = re.compile(r"^\s*<\?xml[^>]*\?>\s*", re.DOTALL)
_DOCTYPE = re.compile(r"<!DOCTYPE[^>]*>\s*", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(href=")#([^"]+)(")|(url\()#([^)]+)(\))')
_SVG_OPEN = re.compile(r"<svg\b")
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_.:-]")


def _safe_id(name: str) -> str:
    """An id of plain characters: matplotlib writes gids as ids, and a gid may hold a mission
    name (``score:<mission>:<node>``), whose characters (bidi controls included) become
    ``_HEX_``."""
    return _UNSAFE_ID.sub(lambda m: f"_{ord(m.group()):x}_", name)


def inline_svg(svg: str, prefix: str, title: str) -> str:
    """An SVG document made fit to sit inline in an HTML page.

    Removes the XML prolog, the DOCTYPE, the ``<metadata>`` block and comments, prefixes every
    ``id`` (and every ``#id`` reference, in ``href`` and ``url()``) with ``prefix``, writes
    the characters of an id other than letters, digits and ``_.:-`` as ``_HEX_`` (an id
    repeated within the figure gets ``-2``, ``-3``, ...: references go to the first), and gives
    the root element ``role="img"``, an ``aria-label`` and a ``<title>`` (both ``title``,
    escaped, control characters shown as their escapes).

    >>> doc = '<?xml version="1.0"?><svg><path id="g"/><use href="#g"/></svg>'
    >>> print(inline_svg(doc, "f1", "<b>").replace("><", ">\\n<"))
    <svg role="img" aria-label="&lt;b&gt;">
    <title>&lt;b&gt;</title>
    <path id="f1-g"/>
    <use href="#f1-g"/>
    </svg>
    """
    text = _PROLOG.sub("", svg)
    text = _DOCTYPE.sub("", text)
    text = _METADATA.sub("", text)
    # matplotlib writes each text as a comment beside its glyphs: labels (mission names) that
    # nobody sees, which could carry bidi controls; removed (and the file gets smaller)
    text = _COMMENT.sub("", text)
    seen: dict[str, int] = {}

    def new_id(match: re.Match[str]) -> str:
        # matplotlib writes an artist's gid as its id, and several artists may share one
        # (gid "phase-label"): the repeats get a suffix, so that every id is unique
        name = _safe_id(match.group(1))
        seen[name] = seen.get(name, 0) + 1
        suffix = "" if seen[name] == 1 else f"-{seen[name]}"
        return f'id="{prefix}-{name}{suffix}"'

    text = _ID.sub(new_id, text)

    def ref(match: re.Match[str]) -> str:
        if match.group(1):
            return f"{match.group(1)}#{prefix}-{_safe_id(match.group(2))}{match.group(3)}"
        return f"{match.group(4)}#{prefix}-{_safe_id(match.group(5))}{match.group(6)}"

    text = _REF.sub(ref, text)
    shown = "".join(control_escape(c) or c for c in title)
    label = html.escape(shown, quote=True)
    start = _SVG_OPEN.search(text)
    if start is None:  # pragma: no cover - matplotlib always writes an svg element
        raise ValueError("not an SVG document")
    head_end = text.index(">", start.end())
    opening = text[start.start() : head_end + 1]
    opened = opening.replace("<svg", f'<svg role="img" aria-label="{label}"', 1)
    return text[: start.start()] + opened + f"<title>{label}</title>" + text[head_end + 1 :]


def svg_figure(
    draw: Callable[[Axes], object],
    *,
    prefix: str,
    title: str,
    size: tuple[float, float] = (7.5, 4.0),
    polar: bool = False,
) -> str:
    """Draw one figure with ``draw(ax)`` and return it as inline SVG (see :func:`inline_svg`).

    The figure is drawn with matplotlib's non-interactive SVG backend on a figure of its own
    (the caller's current figure is left alone) and closed afterwards. Output is deterministic
    (a fixed ``svg.hashsalt``, no date in the metadata).
    """
    import matplotlib as mpl
    from matplotlib.figure import Figure

    rc: Any = {"svg.fonttype": SVG_FONTTYPE, "svg.hashsalt": "missionlens-report"}
    with mpl.rc_context(rc):
        figure = Figure(figsize=size, layout="constrained")
        ax = figure.add_subplot(projection="polar" if polar else None)
        draw(ax)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return inline_svg(buffer.getvalue(), prefix, title)
