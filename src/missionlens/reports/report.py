"""Briefing reports as one self-contained HTML file: :func:`report`.

A *mission report* (one mission, one period) or a *comparison report* (several missions, one
period), each a single HTML file with its CSS inline and its figures as inline SVG: no script,
no font, no image and no style sheet is fetched from anywhere, so the file can be mailed,
archived and opened offline, and it prints (A4, page breaks between the main sections).

What a report says, and where each part comes from (nothing is invented):

* **summary**: the performance composite (the root of :meth:`Profiles.to_frame`'s ``tree``
  view), its coverage, weight share and ``complete`` mark; the context index (the root of the
  ``context`` view) beside it, never mixed in; the number of critical flags.
* **profile chart and dimension table** (:func:`missionlens.plot_profile`,
  :func:`missionlens.plot_comparison`): each dimension's score with its interval when the
  profile table has ``lower`` and ``upper`` columns (an uncertainty analysis adds them), else
  the words "no uncertainty analysis run".
* **benchmarks and exit readiness**: for a :class:`~missionlens.BenchmarkSet`, each
  benchmark's status computed by :func:`~missionlens.benchmark_status` at the report's period;
  for a table, the status *as given*; with the node's current score beside the target and the
  count of each status; "no benchmarks defined" without them.
* **what moved since the last round**: the previous period of the same mission in the profiles
  (chronological order of :func:`missionlens.periods.sort_periods`); per dimension and
  indicator the simple difference of scores, and the indicators that contributed most to the
  change of the overall score by the exact decomposition of
  :func:`~missionlens.decompose_change` (or why it cannot be decomposed).
* **strongest and weakest indicators**, with the analysts' evidence: excerpts of at most
  :data:`EVIDENCE_EXCERPT` characters per entry, marked as cut when cut.
* **critical flags** (:attr:`Profiles.critical_flags`) with who rated at the worst level and
  their whole evidence.
* **coverage and agreement**: coverage and weight share per dimension, the not-applicable
  answers (:attr:`Profiles.not_applicable`), every value no score rests on
  (:attr:`Profiles.unused`, with the reason), and Krippendorff's alpha when ``agreement=``
  (the table of :func:`missionlens.agreement`) is given.
* **method**: framework id, version and fingerprint, recipe name, steps and fingerprint, data
  fingerprint, the data's ``sources``, the missionlens version.

Text the analysts wrote (evidence, names, reasons) goes through Jinja's autoescaping: ``<script>``
shows as text. Bidirectional control characters (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F,
U+061C) are shown visibly escaped (``\\u202e``) so that a right-to-left override cannot reorder
what the page shows, other control characters likewise; everything else, formula-like text such
as ``=HYPERLINK(...)`` included, is shown exactly as entered (HTML runs no formulas).
"""

from __future__ import annotations

import datetime
import math
import os
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from missionlens._version import __version__
from missionlens.analysis.benchmarks import BenchmarkSet, benchmark_status
from missionlens.analysis.lifecycle import decompose_change
from missionlens.atomic import atomic_write
from missionlens.errors import ArgumentError, MissionLensError
from missionlens.framework.translations import is_rtl, ui
from missionlens.periods import parse_period, period_order
from missionlens.plot import plot_comparison, plot_lifecycle, plot_profile, plot_quadrant
from missionlens.plot.time_axis import sort_periods
from missionlens.reports.figures import BIDI_CONTROLS, control_escape, svg_figure
from missionlens.scoring.profiles import Profiles
from missionlens.suggest import did_you_mean
from missionlens.text import illustrative_entries

__all__ = [
    "BENCHMARK_COLUMNS",
    "BIDI_CONTROLS",
    "EVIDENCE_EXCERPT",
    "LANGUAGES",
    "REQUIRED_BENCHMARK_COLUMNS",
    "benchmark_problems",
    "display_text",
    "report",
    "report_period",
]

#: Columns of ``benchmarks=`` that :func:`report` reads: ``mission``, ``node`` (a node or
#: indicator id of the framework), ``target`` (what is to be reached, e.g. a score of 60 or a
#: sentence), ``deadline`` and ``phase`` (when; either or both may be absent), ``status`` (as
#: the benchmark's owner assessed it: shown as given, never computed).
BENCHMARK_COLUMNS: tuple[str, ...] = ("mission", "node", "target", "deadline", "phase", "status")

#: Columns ``benchmarks=`` must have.
REQUIRED_BENCHMARK_COLUMNS: tuple[str, ...] = ("mission", "node", "target", "status")

#: Languages of the report's own text (section titles, tiles, figure titles and the names of the
#: framework's elements; the interface catalogue ``missionlens/locales/ui.<lang>.yaml``).
LANGUAGES: tuple[str, ...] = ("en", "fr", "ar")

#: Longest evidence excerpt shown per entry beside the strongest and weakest indicators
#: (characters); a longer text is cut there and marked as cut, with its full length. Critical
#: flags show their evidence whole.
EVIDENCE_EXCERPT: int = 400

#: Indicators shown among the strongest, the weakest and those that moved most.
TOP_N: int = 5


# ------------------------------------------------------------------------------ text display
def display_text(value: object) -> Markup:
    """Text as safe HTML: escaped, with bidi and other control characters shown escaped.

    Line breaks and tabs are kept; every other control character, and each bidirectional
    control (:data:`BIDI_CONTROLS`), is shown as its Python escape (``\\u202e``, ``\\x07``) in
    a ``<span class="ctl">``. Missing values show as an empty string.

    >>> str(display_text('<b>x</b> \\u202egnp.exe =1+2'))
    '&lt;b&gt;x&lt;/b&gt; <span class="ctl">\\\\u202e</span>gnp.exe =1+2'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return Markup("")
    text = str(value)
    parts: list[str] = []
    for char in text:
        shown = control_escape(char)
        if shown is not None:
            parts.append(f'<span class="ctl">{shown}</span>')
        else:
            parts.append(str(escape(char)))
    return Markup("".join(parts))


def _localised(text: str, pattern: str, lang: str) -> str:
    """A number already rounded as text (``"62.5"``) in the notation of ``lang`` (Babel, CLDR):
    the digits are Python's rounding in every language, only the symbols change."""
    from decimal import Decimal

    from babel.numbers import format_decimal

    if lang == "en":
        return text
    return str(format_decimal(Decimal(text), format=pattern, locale=lang))


def _score(value: object, lang: str = "en") -> str:
    """A score to one decimal, or ``missing`` (decimal comma in French: ``62,5``)."""
    missing = ui("report.missing", lang)
    if value is None or value is pd.NA:
        return missing
    number = float(value)  # type: ignore[arg-type]
    return missing if math.isnan(number) else _localised(f"{number:.1f}", "0.0", lang)


def _signed(value: object, lang: str = "en") -> str:
    if value is None or value is pd.NA or math.isnan(float(value)):  # type: ignore[arg-type]
        return ui("report.not_available", lang)
    number = float(value)  # type: ignore[arg-type]
    return _localised(f"{number:+.1f}", "+0.0;-0.0", lang)


def _percent(value: object, lang: str = "en") -> str:
    if value is None or value is pd.NA or math.isnan(float(value)):  # type: ignore[arg-type]
        return ui("report.not_available", lang)
    if lang == "en":
        return f"{100 * float(value):.0f}%"  # type: ignore[arg-type]
    from decimal import Decimal

    from babel.numbers import format_percent

    share = Decimal(f"{100 * float(value):.0f}") / 100  # type: ignore[arg-type]
    return str(format_percent(share, locale=lang))


def _date(stamp: str, lang: str) -> str:
    """The generation time ``"2026-12-02 01:00 UTC"`` in the notation of ``lang`` (Babel)."""
    if lang == "en":
        return stamp
    from babel.dates import format_datetime

    when = datetime.datetime.strptime(stamp, "%Y-%m-%d %H:%M UTC").replace(
        tzinfo=datetime.timezone.utc
    )
    return str(format_datetime(when, "medium", tzinfo=datetime.timezone.utc, locale=lang)) + " UTC"


def _interval(row: dict[str, Any], has_intervals: bool) -> str:
    if not has_intervals:
        return "not run"
    low, high = row.get("lower"), row.get("upper")
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return "none"
    return f"{float(low):.1f} to {float(high):.1f}"


# ------------------------------------------------------------------------------ the entry
def report(
    profiles: Profiles,
    path: str | os.PathLike[str],
    *,
    mission: str | None = None,
    missions: Sequence[str] | None = None,
    period: str | None = None,
    title: str | None = None,
    benchmarks: pd.DataFrame | BenchmarkSet | None = None,
    agreement: pd.DataFrame | None = None,
    note: str | None = None,
    lang: str = "en",
) -> Path:
    """Write a briefing report as one self-contained HTML file.

    One mission (``mission=``, or ``missions=`` with one name, or profiles of a single
    mission) gives a *mission report*; several missions (``missions=``, or ``None`` for every
    mission in the profiles) a *comparison report*. See the module documentation for what each
    part says and where it comes from.

    Parameters
    ----------
    profiles : Profiles
        Scored profiles (:func:`missionlens.score`); if their score table has ``lower`` and
        ``upper`` columns (an uncertainty analysis), intervals are shown.
    path : str or path
        The HTML file to write (``.html`` or ``.htm``), replaced whole, written atomically
        (:func:`missionlens.atomic.atomic_write`).
    mission : str, optional
        The mission of a mission report.
    missions : sequence of str, optional
        The missions of a comparison report, in this order (default: all, in data order).
    period : str, optional
        The period reported; by default the mission's latest period (a comparison: the latest
        period of any mission shown; a mission without scores for it is listed as not
        assessed, never left out silently).
    title : str, optional
        The report's title; by default "MISSION: mission report, PERIOD" or "Comparison of
        N missions, PERIOD".
    benchmarks : BenchmarkSet or pandas.DataFrame, optional
        A :class:`~missionlens.BenchmarkSet`: each benchmark's status at the report's period is
        computed by :func:`~missionlens.benchmark_status` (met, on track, off track, no
        projection, no data). Or a table with the columns :data:`BENCHMARK_COLUMNS`
        (``mission``, ``node``, ``target`` and ``status`` required), whose status is shown as
        given. Without benchmarks the report says "no benchmarks defined".
    agreement : pandas.DataFrame, optional
        Inter-rater agreement as returned by :func:`missionlens.agreement` (computed on the
        data the caller chose), shown in the coverage and agreement section.
    note : str, optional
        A banner printed at the top (e.g. "Illustrative ratings: not an assessment"). A
        banner is also printed whenever the data's ``sources`` or ``comment`` call entries
        illustrative, synthetic or fictional.
    lang : {"en", "fr", "ar"}
        The language of the report's own text: section titles, tiles, figure titles and
        figures (:func:`missionlens.plot_profile` ``lang=``), the names of dimensions and
        indicators (the framework's translations, English where one is missing); numbers and
        dates in the language's notation by Babel (CLDR): ``62,5`` and ``67 %`` in French.
        Arabic pages are ``dir="rtl"``. What analysts wrote is shown as entered; data files
        are never localised.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ArgumentError
        For a bad argument: every problem at once (an unknown mission or period, with a
        suggestion; both ``mission`` and ``missions``; ``benchmarks`` without its required
        columns or naming unknown nodes; an unknown ``lang``; a path not ending in ``.html``).
    WriteError
        If the file cannot be written; an existing file is then left as it was.

    Examples
    --------
    >>> import tempfile, pathlib, warnings
    >>> import missionlens as ml
    >>> from missionlens.demo import synthetic_assessments
    >>> fw = ml.load_framework("whole-of-mission")
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     profiles = ml.score(synthetic_assessments(fw), framework=fw)
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "mission-a.html"
    >>> ml.report(profiles, out, mission="Mission A").name
    'mission-a.html'
    """
    context = build_context(
        profiles,
        mission=mission,
        missions=missions,
        period=period,
        title=title,
        benchmarks=benchmark_table(profiles, benchmarks, period),
        agreement=agreement,
        note=note,
        lang=lang,
        path=path,
    )
    page = render(context)
    target = Path(path)
    with atomic_write(target, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(page)
    return target


def _fixed_text(text: str) -> Markup:
    """A fixed sentence or table header of the catalogue as HTML element content.

    Only ``&``, ``<`` and ``>`` are escaped (the catalogue is the package's own text, with
    no placeholder filled from data), so that the English report keeps its apostrophes as
    they were written in the templates, byte for byte. The template's ``tv`` fills the
    placeholders of such a text with :meth:`Markup.format`, which escapes every value that
    is not already markup.
    """
    import html

    return Markup(html.escape(text, quote=False))


def render(context: dict[str, Any]) -> str:
    """Render a report's context (from :func:`build_context`) with the package's templates."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    lang = str(context.get("lang", "en"))
    env.filters["text"] = display_text
    env.filters["score"] = lambda value: _score(value, lang)
    env.filters["signed"] = lambda value: _signed(value, lang)
    env.filters["percent"] = lambda value: _percent(value, lang)
    env.globals["t"] = lambda key, **values: ui("report." + key, lang, **values)
    env.globals["tt"] = lambda key: _fixed_text(ui("report." + key, lang))
    env.globals["tv"] = lambda key, **values: _fixed_text(ui("report." + key, lang)).format(
        **values
    )
    env.globals["rtl"] = is_rtl(lang)
    if "method" in context and isinstance(context["method"], dict):
        method = dict(context["method"])
        method["generated"] = _date(str(method["generated"]), lang)
        context = {**context, "method": method}
    name = "mission.html.j2" if context["kind"] == "mission" else "comparison.html.j2"
    return env.get_template(name).render(**context)


# ------------------------------------------------------------------------------ checks
def _check_arguments(
    profiles: object,
    *,
    mission: str | None,
    missions: Sequence[str] | None,
    period: str | None,
    benchmarks: object,
    agreement: object,
    note: object,
    title: object,
    lang: str,
    path: object,
) -> list[str]:
    problems: list[str] = []
    if not isinstance(path, str | os.PathLike):
        problems.append(f"path must be a file path, not {type(path).__name__}")
    elif Path(path).suffix.lower() not in (".html", ".htm"):
        problems.append(
            f"path {str(path)!r} must end in .html (an HTML page is written), not "
            f"{Path(path).suffix or 'nothing'!r}"
        )
    if lang not in LANGUAGES:
        problems.append(f"lang {lang!r} is not supported; supported: {', '.join(LANGUAGES)}")
    for name, value in (("title", title), ("note", note)):
        if value is not None and not isinstance(value, str):
            problems.append(f"{name} must be text, not {type(value).__name__}")
    if not isinstance(profiles, Profiles):
        problems.append(
            f"profiles must be a Profiles object (from missionlens.score), not "
            f"{type(profiles).__name__}"
        )
        return problems
    if mission is not None and missions is not None:
        problems.append("give mission= (a mission report) or missions= (a comparison), not both")
    summary = profiles.summary()
    known = list(dict.fromkeys(summary["mission"].astype(str)))
    asked: list[str] = []
    if mission is not None:
        asked = [mission]
    elif missions is not None:
        if isinstance(missions, str):
            problems.append("missions must be a list of mission names; for one, use mission=")
        else:
            asked = list(missions)
            if not asked:
                problems.append("missions is empty: name at least one mission")
            repeated = sorted({m for m in asked if asked.count(m) > 1})
            if repeated:
                problems.append(f"missions names {', '.join(repeated)} more than once")
    for name in asked:
        if name not in known:
            problems.append(
                f"mission {name!r} is not in these profiles{did_you_mean(str(name), known)} "
                f"(missions: {', '.join(known)})"
            )
    if period is not None:
        periods = list(dict.fromkeys(summary["period"].astype(str)))
        if str(period) not in periods:
            problems.append(
                f"period {period!r} is not in these profiles{did_you_mean(str(period), periods)} "
                f"(periods: {', '.join(sort_periods(periods))})"
            )
    if benchmarks is not None:
        problems += benchmark_problems(benchmarks, profiles)
    if agreement is not None:
        if not isinstance(agreement, pd.DataFrame):
            problems.append(
                f"agreement must be the table of missionlens.agreement, not "
                f"{type(agreement).__name__}"
            )
        else:
            lacking = [c for c in ("scope", "id", "alpha", "n_units") if c not in agreement]
            if lacking:
                problems.append(
                    f"agreement lacks the column(s) {', '.join(lacking)} (expected the table of "
                    "missionlens.agreement)"
                )
    return problems


def benchmark_table(
    profiles: Profiles, benchmarks: pd.DataFrame | BenchmarkSet | None, period: str | None
) -> pd.DataFrame | None:
    """A :class:`~missionlens.BenchmarkSet` evaluated into the report's benchmarks table.

    The status of each benchmark and mission is :func:`~missionlens.benchmark_status`'s at the
    report's period (the latest scored period when ``period`` is None): computed from the
    profiles and the benchmark's own target, deadline and phase, never written by hand. A
    DataFrame (statuses as their owner assessed them) or ``None`` is returned unchanged.
    """
    if not isinstance(benchmarks, BenchmarkSet):
        return benchmarks
    status = benchmark_status(profiles, benchmarks)
    if period is not None:
        chosen = parse_period(period).label
        status = status[status["period"].astype(str) == chosen]
    else:  # each benchmark and mission at its latest period
        order = period_order(status["period"].astype(str).tolist())
        status = status.assign(_order=order).sort_values("_order", kind="stable")
        status = status.groupby(["benchmark", "mission"], sort=False).tail(1)
    table = pd.DataFrame(
        {
            "mission": status["mission"].astype(str).to_numpy(),
            "node": status["node"].astype(str).to_numpy(),
            "target": [
                f"{'at least' if c == '>=' else 'at most'} {t:g}"
                for c, t in zip(status["comparison"], status["target"], strict=True)
            ],
            "deadline": status["deadline"].fillna("").astype(str).to_numpy(),
            "phase": status["phase"].fillna("").astype(str).to_numpy(),
            "status": status["status"].astype(str).str.replace("_", " ").to_numpy(),
        }
    )
    table = table.reset_index(drop=True)
    table.attrs["computed"] = True  # the report says the statuses were computed, not given
    return table


def benchmark_problems(benchmarks: object, profiles: Profiles) -> list[str]:
    """Every problem of a benchmarks table for these profiles, as messages (empty if none).

    A benchmarks table must be a DataFrame with the columns :data:`REQUIRED_BENCHMARK_COLUMNS`;
    each ``node`` must be a node or indicator of the profiles' framework (a suggestion is
    given), and ``mission`` and ``status`` must not be empty. Rows are counted from 1.
    """
    if not isinstance(benchmarks, pd.DataFrame):
        return [f"benchmarks must be a DataFrame, not {type(benchmarks).__name__}"]
    problems: list[str] = []
    lacking = [c for c in REQUIRED_BENCHMARK_COLUMNS if c not in benchmarks.columns]
    if lacking:
        problems.append(
            f"benchmarks lacks the column(s) {', '.join(lacking)} (expected "
            f"{', '.join(BENCHMARK_COLUMNS)}; deadline and phase are optional)"
        )
    if "node" in benchmarks.columns:
        fw = profiles.framework
        ids = [n.id for n in fw.nodes] + [i.id for i in fw.indicators]
        for row, node in enumerate(benchmarks["node"].tolist(), start=1):
            if pd.isna(node) or str(node) not in ids:
                problems.append(
                    f"benchmarks row {row}, column node: {node!r} is not a node or indicator of "
                    f"framework {fw.id} v{fw.version}{did_you_mean(str(node), ids)}"
                )
    for column in ("mission", "status"):
        if column in benchmarks.columns:
            for pos in np.flatnonzero(benchmarks[column].isna().to_numpy()):
                problems.append(f"benchmarks row {int(pos) + 1}, column {column}: empty")
    return problems


# ------------------------------------------------------------------------------ context
def _comparison_title(content: dict[str, Any], n_shown: int, lang: str) -> str:
    """ "Comparison of 4 missions, 2016"; with missions not assessed in the period, the title
    counts those assessed and says how many were not ("... assessed in 2024 (7 more not
    assessed then)"), so that it never claims more missions than it compares."""
    assessed = sum(1 for row in content.get("rows", []) if row.get("assessed"))
    if assessed == n_shown:
        return ui("report.comparison_title", lang, n=n_shown, period=content["period"])
    return ui(
        "report.comparison_title_partial",
        lang,
        n=assessed,
        period=content["period"],
        others=n_shown - assessed,
    )


def build_context(
    profiles: Profiles,
    *,
    mission: str | None = None,
    missions: Sequence[str] | None = None,
    period: str | None = None,
    title: str | None = None,
    benchmarks: pd.DataFrame | None = None,
    agreement: pd.DataFrame | None = None,
    note: str | None = None,
    lang: str = "en",
    path: str | os.PathLike[str] = "report.html",
) -> dict[str, Any]:
    """Everything a report shows, as plain values for the templates (see :func:`report`).

    Raises
    ------
    ArgumentError
        As :func:`report`.
    """
    problems = _check_arguments(
        profiles,
        mission=mission,
        missions=missions,
        period=period,
        benchmarks=benchmarks,
        agreement=agreement,
        note=note,
        title=title,
        lang=lang,
        path=path,
    )
    if problems:
        raise ArgumentError(
            f"report: {len(problems)} problem(s), nothing was written: " + "; ".join(problems)
        )
    summary = profiles.summary()
    known = list(dict.fromkeys(summary["mission"].astype(str)))
    if mission is not None:
        shown = [mission]
    elif missions is not None:
        shown = list(missions)
    else:
        shown = known
    kind: Literal["mission", "comparison"] = "mission" if len(shown) == 1 else "comparison"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        base = _base_context(profiles, shown, benchmarks, agreement, note)
        base["lang"] = lang
        if kind == "mission":
            content = _mission_context(profiles, shown[0], period, base)
        else:
            content = _comparison_context(profiles, shown, period, base)
    notes: list[str] = []
    for caught_warning in caught:  # the library's own warnings are notes of the report
        if caught_warning.category.__module__.startswith("missionlens"):
            # for readers: without the name of the function that warned ("plot_comparison: ")
            notes.append(re.sub(r"^[a-z_]+: ", "", str(caught_warning.message)))
        else:
            warnings.warn_explicit(
                caught_warning.message,
                caught_warning.category,
                caught_warning.filename,
                caught_warning.lineno,
            )
    notes = list(dict.fromkeys(notes))
    content["notes"] = notes
    if title is None:
        title = (
            ui("report.mission_title", lang, mission=shown[0], period=content["period"])
            if kind == "mission"
            else _comparison_title(content, len(shown), lang)
        )
    if lang != "en":
        content = _translate_names(content, profiles.framework, lang)
        base = _translate_names(base, profiles.framework, lang)
    return {**base, **content, "kind": kind, "title": title, "lang": lang}


def _translate_names(value: Any, fw: Any, lang: str) -> Any:
    """The context with every framework element's ``name`` in ``lang`` (a row with ``node``
    or ``indicator`` and ``name``; ``dimension_names``), English where no translation is."""
    if isinstance(value, dict):
        out = {k: _translate_names(v, fw, lang) for k, v in value.items()}
        ident = value.get("indicator", value.get("node"))
        if "name" in value and isinstance(ident, str) and isinstance(value["name"], str):
            if ident == fw.root.id and value["name"] == "overall":
                out["name"] = ui("plot.root", lang)
            elif ident in fw.indicator_ids or ident in fw.node_ids:
                out["name"] = fw.text(ident, "name", lang)
        if "dimension_names" in value and isinstance(value["dimension_names"], dict):
            out["dimension_names"] = {
                k: fw.text(k, "name", lang) if k in fw.node_ids else v
                for k, v in value["dimension_names"].items()
            }
        return out
    if isinstance(value, list):
        return [_translate_names(v, fw, lang) for v in value]
    return value


def report_period(profiles: Profiles, missions: Sequence[str]) -> str:
    """The period a report shows by default: the latest period (in chronological order, see
    :func:`missionlens.plot.sort_periods`) in which any of ``missions`` was scored."""
    summary = profiles.summary()
    shown = summary[summary["mission"].astype(str).isin(list(missions))]
    return sort_periods(shown["period"])[-1]


def _canonical_periods(values: pd.Series) -> pd.Series:
    def canonical(value: object) -> str:
        try:
            return parse_period(value).label
        except (ValueError, TypeError):
            return str(value)

    return values.map(canonical)


def _entries(profiles: Profiles) -> pd.DataFrame:
    """The long entries of the data (mission, period, indicator, rater, evidence, ...), or an
    empty table when the data are wide (one column per indicator, no evidence)."""
    data = profiles.data
    if not {"mission", "period", "indicator"} <= set(data.columns):
        return pd.DataFrame(columns=["mission", "period", "indicator", "rater", "evidence"])
    out = data.copy()
    out["mission"] = out["mission"].astype(str).str.strip()
    out["period"] = _canonical_periods(out["period"])
    out["indicator"] = out["indicator"].astype(str).str.strip()
    return out


def _base_context(
    profiles: Profiles,
    shown: list[str],
    benchmarks: pd.DataFrame | None,
    agreement: pd.DataFrame | None,
    note: str | None,
) -> dict[str, Any]:
    fw, recipe, prints = profiles.framework, profiles.recipe, profiles.fingerprints
    entries = _entries(profiles)
    mine = entries[entries["mission"].isin(shown)]
    banners: list[str] = []
    if note:
        banners.append(note)
    marked = illustrative_entries(mine)
    if marked:
        said = " and ".join(f"{n} entr{'y' if n == 1 else 'ies'} in {c}" for c, n in marked.items())
        banners.append(
            f"Illustrative data: {said} call the ratings illustrative, synthetic or fictional. "
            "This report is not an assessment of any real mission."
        )
    sources: list[dict[str, Any]] = []
    if "sources" in mine.columns:
        counts = mine["sources"].dropna().astype(str).value_counts(sort=True)
        sources = [{"source": s, "n": int(n)} for s, n in counts.items()]
    steps = [
        {"step": step.step, "settings": _settings(step.model_dump(exclude={"step"}))}
        for step in recipe.steps
    ]
    raters = int(mine["rater"].nunique()) if "rater" in mine.columns else 0
    method = {
        "framework": fw.id,
        "framework_name": fw.title,
        "framework_version": str(fw.version),
        "framework_fingerprint": prints["framework"],
        "recipe": recipe.name,
        "recipe_fingerprint": prints["recipe"],
        "data_fingerprint": prints["data"],
        "steps": steps,
        "sources": sources,
        "n_entries": len(mine) if len(entries) else len(profiles.data),
        "n_raters": raters,
        "version": __version__,
        "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }
    bench = None
    if benchmarks is not None:
        bench = benchmarks.copy()
        bench["mission"] = bench["mission"].astype(str)
        bench["node"] = bench["node"].astype(str)
    return {
        "banners": banners,
        "method": method,
        "entries": entries,
        "benchmarks_table": bench,
        "benchmarks_computed": bool(
            benchmarks is not None and benchmarks.attrs.get("computed", False)
        ),
        "agreement": _agreement_rows(agreement),
        "has_context": any(i.role == "context" for i in fw.indicators),
        "has_critical": any(i.critical for i in fw.indicators),
        "dimension_names": {d.id: d.name for d in fw.dimensions},
        "node_names": {**{n.id: n.name for n in fw.nodes}, **{i.id: i.name for i in fw.indicators}},
    }


def _settings(values: dict[str, Any]) -> str:
    """A step's settings as ``key=value`` pairs (nested settings flattened, empty ones left
    out): ``method=linear, cap=True``."""
    pairs: list[str] = []
    for key, value in values.items():
        if isinstance(value, dict):
            inner = _settings(value)
            if inner:
                pairs.append(inner)
        elif value is not None and value != [] and value != ():
            pairs.append(f"{key}={value}")
    return ", ".join(pairs)


def _agreement_rows(agreement: pd.DataFrame | None) -> list[dict[str, Any]] | None:
    if agreement is None:
        return None
    rows = agreement[agreement["scope"].isin(["overall", "dimension"])]
    out = []
    for row in rows.to_dict("records"):
        alpha = row.get("alpha")
        low, high = row.get("alpha_low"), row.get("alpha_high")
        out.append(
            {
                "scope": str(row["scope"]),
                "id": "" if pd.isna(row["id"]) else str(row["id"]),
                "alpha": "undefined" if pd.isna(alpha) else f"{float(alpha):.3f}",
                "interval": (
                    ""
                    if low is None or high is None or pd.isna(low) or pd.isna(high)
                    else f"{float(low):.3f} to {float(high):.3f}"
                ),
                "n_units": int(row["n_units"]),
                "n_raters": int(row.get("n_raters", 0) or 0),
            }
        )
    return out


def _periods_of(summary: pd.DataFrame, mission: str) -> list[str]:
    return sort_periods(summary.loc[summary["mission"].astype(str) == mission, "period"])


def _unit(frame: pd.DataFrame, mission: str, period: str) -> pd.DataFrame:
    mask = (frame["mission"].astype(str) == mission) & (frame["period"].astype(str) == period)
    return frame[mask]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _dimension_rows(
    profiles: Profiles, tree: pd.DataFrame, context: pd.DataFrame, mission: str, period: str
) -> list[dict[str, Any]]:
    """One row per dimension (framework order) and the overall score, for one unit."""
    has_intervals = {"lower", "upper"} <= set(tree.columns)
    unit = _unit(tree, mission, period)
    by_node = {str(r["node"]): r for r in _records(unit)}
    ctx = {str(r["node"]): r for r in _records(_unit(context, mission, period))}
    rows = []
    fw = profiles.framework
    for node in [*(d.id for d in fw.dimensions), fw.root.id]:
        row = by_node.get(node)
        crow = ctx.get(node)
        if row is None and crow is None:
            continue
        rows.append(
            {
                "node": node,
                "name": "overall" if node == fw.root.id else fw.node(node).name,
                "root": node == fw.root.id,
                "in_tree": row is not None,
                "score": None if row is None else row["score"],
                "interval": "" if row is None else _interval(row, has_intervals),
                "coverage": None if row is None else row["coverage"],
                "weight_share": None if row is None else row["weight_share"],
                "complete": True if row is None else bool(row["complete"]),
                # nothing of the node applies in the unit's phase: no score, and none expected
                "applies": row is None
                or not (pd.isna(row["score"]) and pd.isna(row["weight_share"])),
                "missing_children": "" if row is None else str(row["missing_children"] or ""),
                "context": None if crow is None else crow["context"],
            }
        )
    return rows


def _context_rows(
    profiles: Profiles, context: pd.DataFrame, mission: str, period: str
) -> list[dict[str, Any]]:
    """The context index of each node below the root (dimensions and sub-dimensions), in the
    framework's order, for one unit."""
    unit = _unit(context, mission, period)
    by_node = {str(r["node"]): r for r in _records(unit)}
    fw = profiles.framework
    rows = []
    for node in fw.nodes:
        row = by_node.get(node.id)
        if row is None or node.id == fw.root.id:
            continue
        rows.append(
            {
                "node": node.id,
                "name": node.name,
                "node_type": str(row["node_type"]),
                "context": row["context"],
                "coverage": row["coverage"],
                "complete": bool(row["complete"]),
                "missing_children": str(row["missing_children"] or ""),
            }
        )
    return rows


def _excerpts(entries: pd.DataFrame, mission: str, period: str, indicator: str) -> list[Any]:
    if "evidence" not in entries.columns:
        return []
    rows = entries[
        (entries["mission"] == mission)
        & (entries["period"] == period)
        & (entries["indicator"] == indicator)
    ]
    out = []
    for row in _records(rows):
        text = row.get("evidence")
        if text is None or pd.isna(text) or str(text) == "":
            continue
        text = str(text)
        cut = len(text) > EVIDENCE_EXCERPT
        out.append(
            {
                "rater": "" if pd.isna(row.get("rater")) else str(row.get("rater")),
                "text": text[:EVIDENCE_EXCERPT] if cut else text,
                "cut": cut,
                "length": len(text),
            }
        )
    return out


def _indicator_rows(
    profiles: Profiles, tree: pd.DataFrame, mission: str, period: str
) -> pd.DataFrame:
    unit = _unit(tree, mission, period)
    rows = unit[unit["node_type"] == "indicator"].copy()
    fw = profiles.framework
    order = {ind.id: k for k, ind in enumerate(fw.indicators)}
    rows["order"] = rows["node"].astype(str).map(order)
    rows["node"] = rows["node"].astype(str)
    return rows


def _strongest_weakest(
    profiles: Profiles, tree: pd.DataFrame, entries: pd.DataFrame, mission: str, period: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    rows = _indicator_rows(profiles, tree, mission, period)
    scored = rows[rows["score"].notna()]
    k = min(TOP_N, len(scored) // 2)
    ranked = scored.sort_values(["score", "order"], ascending=[False, True], kind="stable")
    fw = profiles.framework

    def item(row: dict[str, Any]) -> dict[str, Any]:
        node = str(row["node"])
        return {
            "indicator": node,
            "name": fw.indicator(node).name,
            "dimension": fw.dimension_of(node) or "",
            "score": row["score"],
            "evidence": _excerpts(entries, mission, period, node),
        }

    strongest = [item(r) for r in _records(ranked.head(k))]
    weakest_rows = scored.sort_values(["score", "order"], ascending=[True, True], kind="stable")
    weakest = [item(r) for r in _records(weakest_rows.head(k))]
    return strongest, weakest, len(scored)


def _moved(
    profiles: Profiles, tree: pd.DataFrame, mission: str, period: str, previous: str | None
) -> dict[str, Any] | None:
    if previous is None:
        return None
    fw = profiles.framework
    now, before = _unit(tree, mission, period), _unit(tree, mission, previous)
    keys = ["node", "node_type"]

    def scores(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame[[*keys, "score", "phase"]].copy()
        for column in (*keys, "phase"):
            out[column] = out[column].astype(str)
        return out

    merged = scores(now).merge(scores(before), on=keys, how="outer", suffixes=("", "_before"))
    merged["change"] = merged["score"] - merged["score_before"]
    nodes = merged[merged["node_type"].isin(["dimension", "root"])]
    by_node = {str(r["node"]): r for r in _records(nodes)}
    dims = []
    for node in [*(d.id for d in fw.dimensions), fw.root.id]:
        if node in by_node:
            row = by_node[node]
            dims.append(
                {
                    "node": node,
                    "name": "overall" if node == fw.root.id else fw.node(node).name,
                    "before": row["score_before"],
                    "now": row["score"],
                    "change": row["change"],
                }
            )
    inds = merged[merged["node_type"] == "indicator"]
    both = inds[inds["change"].notna()].copy()
    both["size"] = both["change"].abs()
    order = {ind.id: k for k, ind in enumerate(fw.indicators)}
    both["order"] = both["node"].map(order)
    top = both[both["size"] > 0].sort_values(["size", "order"], ascending=[False, True])
    movers = [
        {
            "indicator": str(r["node"]),
            "name": fw.indicator(str(r["node"])).name,
            "before": r["score_before"],
            "now": r["score"],
            "change": r["change"],
        }
        for r in _records(top.head(TOP_N))
    ]
    contributors, why_not = _contributions(profiles, mission, previous, period)
    only_now = int((inds["score"].notna() & inds["score_before"].isna()).sum())
    only_before = int((inds["score"].isna() & inds["score_before"].notna()).sum())
    phase_now = _phase(next(iter(now["phase"]), None))
    phase_before = _phase(next(iter(before["phase"]), None))
    return {
        "previous": previous,
        "dimensions": dims,
        "movers": movers,
        "n_compared": len(both),
        "n_unchanged": int((both["size"] == 0).sum()),
        "only_now": only_now,
        "only_before": only_before,
        "phase_now": phase_now,
        "phase_before": phase_before,
        "contributors": contributors,
        "no_decomposition": why_not,
    }


def _contributions(
    profiles: Profiles, mission: str, previous: str, period: str
) -> tuple[list[dict[str, Any]], str]:
    """The indicators that contributed most to the change of the headline score, from the
    exact decomposition of :func:`~missionlens.decompose_change` (contributions that sum to
    the change), or no rows and the reason it cannot be decomposed (e.g. no headline score in
    one of the rounds)."""
    fw = profiles.framework
    try:
        table = decompose_change(
            profiles, mission=mission, node=fw.root.id, start=previous, end=period
        )
    except MissionLensError as exc:
        return [], str(exc).splitlines()[0]
    rows = table[table["indicator"].isin(fw.indicator_ids)].copy()
    rows["size"] = rows["contribution"].abs()
    rows = rows[rows["size"] > 0].sort_values("size", ascending=False, kind="stable")
    return [
        {
            "indicator": str(r["indicator"]),
            "name": fw.indicator(str(r["indicator"])).name,
            "contribution": float(r["contribution"]),
        }
        for r in _records(rows.head(TOP_N))
    ], ""


def _benchmarks_for(
    base: dict[str, Any],
    profiles: Profiles,
    tree: pd.DataFrame,
    context: pd.DataFrame,
    mission: str,
    period: str | None,
) -> list[dict[str, Any]] | None:
    table: pd.DataFrame | None = base["benchmarks_table"]
    if table is None:
        return None
    rows = table[table["mission"] == mission]
    scores: dict[str, Any] = {}
    if period is not None:
        unit = _unit(tree, mission, period)
        scores = dict(zip(unit["node"].astype(str), unit["score"], strict=True))
        cunit = _unit(context, mission, period)
        for node, value in zip(cunit["node"].astype(str), cunit["context"], strict=True):
            scores.setdefault(node, value)
    out = []
    for row in _records(rows):
        node = str(row["node"])
        out.append(
            {
                "node": node,
                "name": base["node_names"].get(node, ""),
                "target": row["target"],
                "deadline": row.get("deadline", ""),
                "phase": row.get("phase", ""),
                "status": row["status"],
                "score": scores.get(node),
            }
        )
    return out


def _status_counts(rows: list[dict[str, Any]] | None) -> list[tuple[str, int]]:
    if not rows:
        return []
    counts: dict[str, int] = {}
    for row in rows:
        counts[str(row["status"])] = counts.get(str(row["status"]), 0) + 1
    return list(counts.items())


def _figure(draw: Any, prefix: str, title: str, **kwargs: Any) -> dict[str, Any]:
    """A figure for the template: its SVG, or the reason it could not be drawn."""
    try:
        return {"id": prefix, "title": title, "svg": Markup(svg_figure(draw, prefix=prefix, title=title, **kwargs)), "error": ""}  # fmt: skip  # noqa: E501
    except (KeyError, ValueError, ArgumentError) as exc:
        return {"id": prefix, "title": title, "svg": None, "error": str(exc)}


def _phase(value: object) -> str:
    """A unit's lifecycle phase for display: ``not recorded`` when the data give none."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "not recorded"
    return str(value)


def _unit_lists(
    profiles: Profiles, missions: list[str], period: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    def pick(frame: pd.DataFrame) -> list[dict[str, Any]]:
        mask = frame["mission"].astype(str).isin(missions) & (frame["period"].astype(str) == period)
        return _records(frame[mask])

    return pick(profiles.critical_flags), pick(profiles.not_applicable), pick(profiles.unused)


def _mission_context(
    profiles: Profiles, mission: str, period: str | None, base: dict[str, Any]
) -> dict[str, Any]:
    summary = profiles.summary()
    periods = _periods_of(summary, mission)
    if period is None:
        period = report_period(profiles, [mission])
    assessed = period in periods
    previous = periods[periods.index(period) - 1] if assessed and periods.index(period) else None
    tree = profiles.to_frame("tree")
    context = profiles.context_index()
    has_intervals = {"lower", "upper"} <= set(tree.columns)
    head = _records(_unit(summary, mission, period))
    figures = []
    if assessed:
        figures.append(
            _figure(
                lambda ax: plot_profile(
                    profiles, mission=mission, period=period, ax=ax, lang=base["lang"]
                ),
                "fig-profile",
                ui("report.figure_profile", base["lang"], mission=mission, period=period),
            )
        )
        if len(periods) > 1:
            figures.append(
                _figure(
                    lambda ax: plot_lifecycle(profiles, missions=[mission], ax=ax),
                    "fig-lifecycle",
                    ui("report.figure_lifecycle", base["lang"], mission=mission),
                )
            )
    strongest, weakest, n_scored = _strongest_weakest(
        profiles, tree, base["entries"], mission, period
    )
    flags, not_applicable, unused = _unit_lists(profiles, [mission], period)
    bench = _benchmarks_for(base, profiles, tree, context, mission, period)
    return {
        "mission": mission,
        "period": period,
        "assessed": assessed,
        "periods": periods,
        "phase": _phase(head[0]["phase"]) if head else "",
        "headline": head[0] if head else None,
        "headline_interval": (
            _interval(_records(_unit(tree[tree["node_type"] == "root"], mission, period))[0], True)
            if has_intervals and head
            else ""
        ),
        "has_intervals": has_intervals,
        "dimensions": _dimension_rows(profiles, tree, context, mission, period),
        "context_rows": _context_rows(profiles, context, mission, period),
        "figures": figures,
        "moved": _moved(profiles, tree, mission, period, previous),
        "strongest": strongest,
        "weakest": weakest,
        "n_scored": n_scored,
        "flags": flags,
        "not_applicable": not_applicable,
        "unused": unused,
        "benchmarks": bench,
        "status_counts": _status_counts(bench),
        "excerpt_limit": EVIDENCE_EXCERPT,
    }


def _comparison_context(
    profiles: Profiles, missions: list[str], period: str | None, base: dict[str, Any]
) -> dict[str, Any]:
    summary = profiles.summary()
    if period is None:
        period = report_period(profiles, missions)
    tree = profiles.to_frame("tree")
    context = profiles.context_index()
    has_intervals = {"lower", "upper"} <= set(tree.columns)
    at_period = _unit_rows_by_mission(summary, period)
    ranks: dict[str, int] = {}
    scored = [(m, at_period[m]["performance"]) for m in missions if m in at_period]
    values = sorted({float(v) for _, v in scored if not pd.isna(v)}, reverse=True)
    for m, v in scored:
        if not pd.isna(v):
            ranks[m] = 1 + sum(1 for _, w in scored if not pd.isna(w) and float(w) > float(v))
    rows: list[dict[str, Any]] = []
    for m in missions:
        periods = _periods_of(summary, m)
        head = at_period.get(m)
        previous = None
        if head is not None and periods.index(period) > 0:
            previous = periods[periods.index(period) - 1]
        moved = _moved(profiles, tree, m, period, previous) if head is not None else None
        root_change = None
        if moved is not None:
            overall = [d for d in moved["dimensions"] if d["node"] == profiles.framework.root.id]
            root_change = overall[0] if overall else None
        bench = _benchmarks_for(base, profiles, tree, context, m, period if head else None)
        rows.append(
            {
                "mission": m,
                "assessed": head is not None,
                "latest": periods[-1] if periods else "",
                "head": head,
                "interval": (
                    _interval(
                        _records(_unit(tree[tree["node_type"] == "root"], m, period))[0], True
                    )
                    if has_intervals and head is not None
                    else ""
                ),
                "rank": ranks.get(m),
                "dimensions": (
                    _dimension_rows(profiles, tree, context, m, period) if head is not None else []
                ),
                "moved": moved,
                "root_change": root_change,
                "benchmarks": bench,
                "status_counts": _status_counts(bench),
            }
        )
    assessed = [r["mission"] for r in rows if r["assessed"]]
    figures = []
    if assessed:
        figures.append(
            _figure(
                lambda ax: plot_comparison(
                    profiles, missions=assessed, period=period, ax=ax, lang=base["lang"]
                ),
                "fig-comparison",
                ui("report.figure_comparison", base["lang"], period=period),
                size=(8.0, max(3.0, 0.45 * len(assessed) + 2.0)),
            )
        )
        if base["has_context"] and len(assessed) > 1:
            subset = profiles.summary()
            subset = subset[
                subset["mission"].astype(str).isin(assessed)
                & (subset["period"].astype(str) == period)
            ]
            figures.append(
                _figure(
                    lambda ax: plot_quadrant(subset, caption=_caption(profiles), ax=ax),
                    "fig-quadrant",
                    ui("report.figure_quadrant", base["lang"], period=period),
                    size=(7.0, 5.0),
                )
            )
    dimension_ids = [d.id for d in profiles.framework.dimensions]
    flags, not_applicable, unused = _unit_lists(profiles, assessed, period)
    return {
        "missions": missions,
        "period": period,
        "rows": rows,
        "n_ranked": len(values),
        "has_intervals": has_intervals,
        "dimension_ids": [
            d for d in dimension_ids if any(d == x["node"] for r in rows for x in r["dimensions"])
        ],
        "figures": figures,
        "flags": flags,
        "not_applicable": not_applicable,
        "unused": unused,
        "any_benchmarks": base["benchmarks_table"] is not None,
    }


def _caption(profiles: Profiles) -> str | None:
    from missionlens.plot.theme import caption_text

    return caption_text(profiles, None)


def _unit_rows_by_mission(summary: pd.DataFrame, period: str) -> dict[str, dict[str, Any]]:
    rows = summary[summary["period"].astype(str) == period]
    return {str(r["mission"]): {**r, "phase": _phase(r["phase"])} for r in _records(rows)}


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()
    return slug or "mission"


def write_reports(
    profiles: Profiles,
    folder: str | os.PathLike[str],
    *,
    mission: str | None = None,
    **options: Any,
) -> dict[str, Path]:
    """Write a mission report and a comparison report into ``folder`` (for the demo).

    Parameters
    ----------
    profiles : Profiles
        Scored profiles of one or more missions.
    folder : str or path
        Where to write (created if needed): ``report-<mission>.html`` (the mission's name in
        lower case, other characters than letters and digits as ``-``) and, when the profiles
        hold several missions, ``comparison.html``.
    mission : str, optional
        The mission of the mission report; by default the first mission of the profiles.
    **options
        Passed to :func:`report` (``period``, ``benchmarks``, ``agreement``, ``note``, ...).

    Returns
    -------
    dict
        ``{"mission": path, "comparison": path}`` (``comparison`` only for several missions).
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    known = list(dict.fromkeys(profiles.summary()["mission"].astype(str)))
    chosen = mission if mission is not None else known[0]
    written = {
        "mission": report(profiles, out / f"report-{_slug(chosen)}.html", mission=chosen, **options)
    }
    if len(known) > 1:
        written["comparison"] = report(profiles, out / "comparison.html", **options)
    return written
