"""Benchmarks for drawdown, transition and exit (Cairo 2018, finding 4) and exit readiness.

Finding 4 of the Chairman's Summary asks for phased mandates with context-specific benchmarks
for drawdown, transition and exit. A :class:`Benchmark` is one such target: a score (0-100, on
the profile scale) or a raw indicator value that a node or an indicator of the framework should
reach, in a lifecycle phase and/or by a deadline, cited to the resolution or plan it comes from.
Benchmarks are kept apart from the framework (a :class:`BenchmarkSet` is its own YAML file), so
that setting targets never changes the framework's fingerprint.

:func:`benchmark_status` reads profiles against a benchmark set: for every benchmark, mission
and period, whether the target is ``met``, ``on_track`` (the linear trend of the scores so far,
projected to the deadline, reaches it), ``off_track``, ``no_projection`` (not met, and no trend
or no deadline to project to) or ``no_data``. :func:`exit_readiness` summarises the transition
and exit benchmarks per mission.

Benchmarks describe the country's situation as much as the mission's work (UN 2010,
*Monitoring Peace Consolidation: United Nations Practitioners' Guide to Benchmarking*): a
benchmark may target a node of the context index as well as of the performance composite.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from missionlens.errors import FRAMEWORK_PROBLEM_COLUMNS, ArgumentError, BenchmarkError
from missionlens.framework.elements import PHASES, Identifier
from missionlens.framework.model import Framework
from missionlens.framework.yaml_io import dump_yaml, safe_load_unique
from missionlens.periods import parse_period
from missionlens.suggest import did_you_mean

if TYPE_CHECKING:
    from missionlens.analysis.uncertainty import UncertaintyResult
    from missionlens.scoring.profiles import Profiles

__all__ = [
    "BENCHMARK_STATUSES",
    "EXIT_KINDS",
    "KINDS",
    "READINESS_COLUMNS",
    "STATUS_COLUMNS",
    "Benchmark",
    "BenchmarkSet",
    "benchmark_status",
    "decimal_year",
    "exit_readiness",
    "load_benchmarks",
]

#: The statuses of :func:`benchmark_status`, in order.
BENCHMARK_STATUSES: tuple[str, ...] = ("met", "on_track", "off_track", "no_projection", "no_data")

#: Kinds of benchmark: a lifecycle phase (the phase whose benchmarks it belongs to) or ``other``.
KINDS: tuple[str, ...] = (*PHASES, "other")

#: The kinds :func:`exit_readiness` counts by default.
EXIT_KINDS: tuple[str, ...] = ("transition", "exit")

#: Columns of :func:`benchmark_status`, in order.
STATUS_COLUMNS: tuple[str, ...] = (
    "benchmark",
    "mission",
    "node",
    "view",
    "on",
    "kind",
    "phase",
    "period",
    "mission_phase",
    "score",
    "score_period",
    "comparison",
    "target",
    "deadline",
    "deadline_date",
    "deadline_basis",
    "projected",
    "slope_per_year",
    "n_points",
    "status",
    "met_probability",
    "source",
)

#: Columns of :func:`exit_readiness`, in order.
READINESS_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "mission_phase",
    "n_benchmarks",
    "n_met",
    "share_met",
    "unmet",
    *(f"n_{s}" for s in BENCHMARK_STATUSES[1:]),
    "met_probability",
)

#: Relative tolerance of the comparison with the target: a score that differs from the target
#: by rounding only (``59.99999999999999`` for ``60``) meets it.
_RTOL = 1e-9

_TOP_KEYS = ("title", "description", "benchmarks")


_WHEN = "give a phase, a deadline or both: when is the target due?"


def _scale(target: float) -> str:
    return (
        f"target {target:g} is outside the profile scale 0-100; give a score, or on: raw for a "
        "value on the indicator's own scale"
    )


def _model_config() -> ConfigDict:
    return ConfigDict(frozen=True, extra="forbid", validate_default=True)


class Benchmark(BaseModel):
    """One target on a node or an indicator, in a phase and/or by a deadline, with its source.

    Attributes
    ----------
    id : str
        Unique within its set.
    mission : str
        The mission it applies to (an acronym, as in the profiles), or ``"*"`` (default) for
        every mission of the profiles.
    node : str
        A node or indicator id of the framework (checked when the benchmark is evaluated, or
        when the set is loaded with a framework).
    target : float
        The value to reach: a score 0-100 on the profile scale (100 best), or, with
        ``on="raw"``, a value of the indicator on its own scale (a rate, a share, ...).
    on : {"score", "raw"}
        What ``target`` is compared with: the profile score (default) or the indicator's raw
        value (consolidated over raters, before normalisation; indicators only).
    comparison : {">=", "<="}
        ``>=`` (default): met when the value is at least the target; ``<=``: at most (e.g. a
        fatality rate).
    phase : str, optional
        The lifecycle phase in which the target applies (``transition``, ``exit``, ...). Without
        a ``deadline``, the target is due when the mission enters that phase.
    deadline : str, optional
        A date or period label (:func:`~missionlens.parse_period`): the target is due at the
        end of that day or period (``"2026"`` means by 31 December 2026). Read from YAML dates
        too; kept as the canonical label.
    kind : str
        The lifecycle phase whose benchmarks it belongs to (:data:`KINDS`: ``drawdown``,
        ``transition``, ``exit``, ..., or ``other``); :func:`exit_readiness` counts
        ``transition`` and ``exit``. Defaults to ``phase`` when that is given, else ``other``.
    view : {"tree", "context"}, optional
        The score read: the performance composite (``tree``) or the context index
        (``context``). By default the view the node is scored in: ``context`` for a node or
        indicator with only context indicators, ``tree`` otherwise.
    source : str
        The resolution, plan or compact the target comes from (required), e.g.
        ``"S/RES/2690 (2023), para 2"``.
    note : str, optional
        Free text.
    """

    model_config = _model_config()

    id: Identifier
    mission: str = Field(default="*", min_length=1)
    node: Identifier
    target: float
    on: Literal["score", "raw"] = "score"
    comparison: Literal[">=", "<="] = ">="
    phase: Identifier | None = None
    deadline: str | None = None
    kind: Identifier | None = None
    view: Literal["tree", "context"] | None = None
    source: str = Field(min_length=1)
    note: str | None = None

    @field_validator("mission", "source")
    @classmethod
    def _stripped(cls, value: str) -> str:
        text = value.strip()
        if not text:
            raise ValueError("must not be blank")
        return text

    @field_validator("deadline", mode="before")
    @classmethod
    def _deadline(cls, value: object) -> object:
        if value is None:
            return None
        try:
            return parse_period(value).label
        except ValueError as exc:
            raise ValueError(f"not a date or period label ({exc})") from None

    @field_validator("target")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Benchmark:
        if self.phase is None and self.deadline is None:
            raise ValueError(_WHEN)
        if self.on == "score" and not 0.0 <= self.target <= 100.0:
            raise ValueError(_scale(self.target))
        if self.kind is None:
            object.__setattr__(self, "kind", self.phase if self.phase in KINDS else "other")
        return self

    def meets(self, value: float) -> bool:
        """Whether ``value`` meets the target (``False`` for a missing value)."""
        if not math.isfinite(value):
            return False
        tol = _RTOL * max(1.0, abs(self.target))
        if self.comparison == ">=":
            return value >= self.target - tol
        return value <= self.target + tol


class BenchmarkSet(BaseModel):
    """A set of benchmarks, kept apart from the framework (its own YAML file).

    Build from Python (``BenchmarkSet(benchmarks=[Benchmark(...), ...])``), from a mapping
    (:meth:`from_dict`) or from YAML (:meth:`from_yaml`, :func:`load_benchmarks`); write with
    :meth:`to_yaml`. The ids must be unique. ``len(s)`` is the number of benchmarks and
    iterating over a set gives its benchmarks, in order.
    """

    model_config = _model_config()

    title: str = ""
    description: str = ""
    benchmarks: tuple[Benchmark, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> BenchmarkSet:
        ids = [b.id for b in self.benchmarks]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"benchmark ids must be unique; repeated: {', '.join(twice)}")
        return self

    def __len__(self) -> int:
        return len(self.benchmarks)

    def __iter__(self) -> Any:  # an iterator of Benchmark (BaseModel.__iter__ is fields)
        return iter(self.benchmarks)

    def ids(self) -> tuple[str, ...]:
        """The benchmark ids, in order."""
        return tuple(b.id for b in self.benchmarks)

    # ---------------------------------------------------------------------------- reading
    @classmethod
    def from_dict(
        cls, data: object, *, source: str | None = None, framework: Framework | None = None
    ) -> BenchmarkSet:
        """Build and check a benchmark set from a mapping (as read from YAML).

        Parameters
        ----------
        data : mapping
            Keys ``title``, ``description`` (optional) and ``benchmarks`` (a list of mappings
            with the fields of :class:`Benchmark`).
        source : str, optional
            The file name shown in the problems.
        framework : Framework, optional
            Also check every node, phase, kind and view against it.

        Raises
        ------
        BenchmarkError
            Listing every problem at once, each with its file, path (``benchmarks[2].source``)
            and benchmark id.
        """
        problems: list[dict[str, str]] = []
        if not isinstance(data, Mapping):
            problems.append(
                _problem(
                    "(top)",
                    "not_a_mapping",
                    "a benchmark set is a mapping with a 'benchmarks' list",
                    value=type(data).__name__,
                )
            )
            raise BenchmarkError(_frame(problems, source), source)
        for key in data:
            if key not in _TOP_KEYS:
                problems.append(
                    _problem(
                        str(key),
                        "unknown_key",
                        f"unknown key {key!r}; a benchmark set has {', '.join(_TOP_KEYS)}"
                        + did_you_mean(str(key), _TOP_KEYS),
                    )
                )
        items = data.get("benchmarks")
        built: list[Benchmark] = []
        if not isinstance(items, list):
            problems.append(
                _problem(
                    "benchmarks",
                    "missing" if items is None else "not_a_list",
                    "'benchmarks' must be a list of benchmarks",
                    value="" if items is None else type(items).__name__,
                )
            )
            items = []
        seen: dict[str, int] = {}
        positions: list[int] = []
        for i, item in enumerate(items):
            where = f"benchmarks[{i}]"
            if not isinstance(item, Mapping):
                problems.append(
                    _problem(
                        where,
                        "not_a_mapping",
                        "a benchmark is a mapping of fields",
                        value=type(item).__name__,
                    )
                )
                continue
            # YAML 1.1 reads an unquoted key ``on`` as the boolean true: take it back as "on"
            item = {("on" if k is True else k): v for k, v in item.items()}
            bid = str(item.get("id", ""))
            try:
                bench = Benchmark.model_validate(item)
            except ValidationError as exc:
                problems.extend(_pydantic_problems(exc, where, bid, item))
                problems.extend(_consistency_problems(where, bid, item))
                continue
            if bench.id in seen:
                problems.append(
                    _problem(
                        f"{where}.id",
                        "duplicate_id",
                        f"benchmark id {bench.id!r} is already used by "
                        f"benchmarks[{seen[bench.id]}]",
                        id=bench.id,
                        value=bench.id,
                    )
                )
            seen.setdefault(bench.id, i)
            built.append(bench)
            positions.append(i)
        for key in ("title", "description"):
            if key in data and not isinstance(data[key], str):
                problems.append(_problem(key, "not_text", f"'{key}' must be text"))
        if framework is not None:
            problems.extend(_framework_problems(built, framework, positions))
        if problems:
            raise BenchmarkError(_frame(_in_file_order(problems), source), source)
        return cls(
            title=str(data.get("title", "")),
            description=str(data.get("description", "")),
            benchmarks=tuple(built),
        )

    @classmethod
    def from_yaml(cls, source: str | Path, *, framework: Framework | None = None) -> BenchmarkSet:
        """Read a benchmark set from YAML text or a ``.yaml``/``.yml`` file.

        Loaded with :func:`~missionlens.framework.yaml_io.safe_load_unique` (safe loading,
        duplicate keys refused). With ``framework``, nodes, phases, kinds and views are checked
        too; every problem is reported at once (:class:`~missionlens.errors.BenchmarkError`).
        """
        text, name = _read(source)
        try:
            data = safe_load_unique(text)
        except Exception as exc:  # YAML syntax, duplicate keys, too deep: one problem
            problems = [_problem("(file)", "bad_yaml", f"not valid YAML: {exc}")]
            raise BenchmarkError(_frame(problems, name), name) from None
        return cls.from_dict(data, source=name, framework=framework)

    def to_dict(self) -> dict[str, Any]:
        """The set as plain data (defaults left out), as :meth:`from_dict` reads it."""
        out: dict[str, Any] = {}
        if self.title:
            out["title"] = self.title
        if self.description:
            out["description"] = self.description
        out["benchmarks"] = [_benchmark_dict(b) for b in self.benchmarks]
        return out

    def to_yaml(self, path: str | Path | None = None) -> str:
        """The set as YAML text, also written (atomically) to ``path`` if given."""
        text = dump_yaml(self.to_dict())
        if path is not None:
            from missionlens.atomic import atomic_write

            with atomic_write(Path(path), "w", encoding="utf-8") as handle:
                handle.write(text)
        return text

    def to_frame(self) -> pd.DataFrame:
        """One row per benchmark: the fields of :class:`Benchmark`, in their order."""
        fields = list(Benchmark.model_fields)
        return pd.DataFrame([b.model_dump() for b in self.benchmarks], columns=fields).astype(
            object
        )

    def check(self, framework: Framework) -> pd.DataFrame:
        """Problems of the benchmarks against a framework (unknown node, phase, kind, view).

        Returns
        -------
        pandas.DataFrame
            The columns of :attr:`~missionlens.errors.BenchmarkError.problems`; empty when
            every benchmark can be evaluated.
        """
        built = list(self.benchmarks)
        return _frame(_framework_problems(built, framework, list(range(len(built)))), None)


def _benchmark_dict(b: Benchmark) -> dict[str, Any]:
    """A benchmark as plain data: its fields in order, defaults left out (``kind`` too when
    it is the one derived from ``phase``)."""
    data = b.model_dump(exclude_defaults=True)
    data.update(id=b.id, node=b.node, target=b.target, source=b.source)
    if b.kind == (b.phase if b.phase in KINDS else "other"):
        data.pop("kind", None)
    return {k: data[k] for k in Benchmark.model_fields if k in data}


def load_benchmarks(
    source: str | Path | None = None, *, framework: Framework | None = None
) -> BenchmarkSet:
    """Read a benchmark set from a YAML file or text; without ``source``, the bundled example.

    The bundled ``benchmarks_example.yaml`` is **illustrative**: its targets are invented to
    show the format on the ``whole-of-mission`` framework; its sources name the kind of
    document real targets come from.
    """
    if source is None:
        source = Path(__file__).resolve().parents[1] / "data" / "benchmarks_example.yaml"
    return BenchmarkSet.from_yaml(source, framework=framework)


def _read(source: str | Path) -> tuple[str, str | None]:
    if isinstance(source, Path):
        if not source.is_file():
            raise ArgumentError(f"benchmark file not found: {source}")
        return source.read_text(encoding="utf-8"), str(source)
    if not isinstance(source, str):
        raise ArgumentError(
            f"benchmarks must be YAML text or the path of a YAML file, not {type(source).__name__}"
        )
    if "\n" not in source and source.strip().lower().endswith((".yaml", ".yml")):
        path = Path(source)
        if not path.is_file():
            raise ArgumentError(f"benchmark file not found: {source}")
        return path.read_text(encoding="utf-8"), source
    return source, None


def _problem(
    path: str, check: str, message: str, *, id: str = "", value: object = ""
) -> dict[str, str]:
    return {"path": path, "id": id, "check": check, "value": str(value), "message": message}


def _frame(problems: list[dict[str, str]], source: str | None) -> pd.DataFrame:
    frame = pd.DataFrame(problems, columns=list(FRAMEWORK_PROBLEM_COLUMNS[1:]), dtype=object)
    frame.insert(0, "file", source or "")
    return frame.astype(object)


#: The check name of a pydantic error on a field.
_FIELD_CHECKS: dict[str, str] = {
    "missing": "missing",
    "extra_forbidden": "unknown_field",
    "literal_error": "bad_value",
    "string_pattern_mismatch": "bad_id",
}


#: What a missing required field's problem says.
_REQUIRED: dict[str, str] = {
    "id": "id is required: a short name, unique in the set",
    "node": "node is required: the id of a node or an indicator of the framework",
    "target": "target is required: a score 0-100, or a raw value with on: raw",
    "source": (
        "source is required: cite the resolution, plan or compact the target comes from "
        "(e.g. 'S/RES/2690 (2023), para 2')"
    ),
}


def _pydantic_problems(
    exc: ValidationError, where: str, bid: str, item: Mapping[str, Any]
) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        field = loc[0] if loc else ""
        path = f"{where}.{'.'.join(loc)}" if loc else where
        check = _FIELD_CHECKS.get(err["type"], "bad_value")
        if field in ("comparison", "on", "view") and check == "bad_value":
            check = f"bad_{field}"
        elif field == "deadline":
            check = "bad_deadline"
        elif field == "source" and check != "missing":
            check = "bad_source"
        if field == "" and check == "bad_value":
            message = str(err["msg"]).removeprefix("Value error, ")
            check = "no_phase_or_deadline" if message == _WHEN else "target_out_of_scale"
            path = where if check == "no_phase_or_deadline" else f"{where}.target"
            out.append(_problem(path, check, message, id=bid, value=item.get("target", "")))
            continue
        message = str(err["msg"]).removeprefix("Value error, ")
        if check == "missing":
            check = f"missing_{field}"
            message = _REQUIRED.get(field, f"{field} is required")
        if err["type"] == "extra_forbidden":
            message = f"unknown field {field!r}" + did_you_mean(field, list(Benchmark.model_fields))
        value = item.get(field, "") if field else ""
        out.append(_problem(path, check, message, id=bid, value=value))
    return out


def _consistency_problems(where: str, bid: str, item: Mapping[str, Any]) -> list[dict[str, str]]:
    """The checks of :meth:`Benchmark._consistent` on the raw fields, for a benchmark whose
    fields already fail (pydantic runs the model's own check only on valid fields)."""
    out: list[dict[str, str]] = []
    if item.get("phase") is None and item.get("deadline") is None:
        out.append(_problem(where, "no_phase_or_deadline", _WHEN, id=bid))
    target = item.get("target")
    if (
        isinstance(target, int | float)
        and not isinstance(target, bool)
        and item.get("on", "score") == "score"
        and not 0 <= target <= 100
    ):
        out.append(
            _problem(f"{where}.target", "target_out_of_scale", _scale(target), id=bid, value=target)
        )
    return out


def _in_file_order(problems: list[dict[str, str]]) -> list[dict[str, str]]:
    """Problems sorted by the benchmark they are in (``benchmarks[3]...``), file-level first."""

    def position(p: dict[str, str]) -> int:
        path = p["path"]
        if not path.startswith("benchmarks["):
            return -1
        return int(path[len("benchmarks[") : path.index("]")])

    return sorted(problems, key=position)


def _node_views(framework: Framework) -> dict[str, set[str]]:
    """Per node or indicator id, the views it is scored in (``tree``, ``context``)."""
    views: dict[str, set[str]] = {e: set() for e in (*framework.node_ids, *framework.indicator_ids)}
    for ind in framework.indicators:
        view = "context" if ind.role == "context" else "tree"
        views[ind.id].add(view)
        for anc in framework.ancestors(ind.id):
            views[anc].add(view)
    views[framework.root.id].add("tree")
    return views


def _default_view(bench: Benchmark, views: Mapping[str, set[str]]) -> str:
    if bench.view is not None:
        return bench.view
    return "context" if views.get(bench.node) == {"context"} else "tree"


def _framework_problems(
    built: Sequence[Benchmark], framework: Framework, positions: Sequence[int]
) -> list[dict[str, str]]:
    problems: list[dict[str, str]] = []
    views = _node_views(framework)
    known = list(views)
    phases = framework.facet("phase").value_ids
    kinds = (*phases, "other")
    for i, b in zip(positions, built, strict=True):
        where = f"benchmarks[{i}]"
        if b.node not in views:
            problems.append(
                _problem(
                    f"{where}.node",
                    "unknown_node",
                    f"no node or indicator {b.node!r} in framework '{framework.id}' "
                    f"v{framework.version}" + did_you_mean(b.node, known),
                    id=b.id,
                    value=b.node,
                )
            )
            continue
        if b.on == "raw" and b.node not in framework.indicator_ids:
            problems.append(
                _problem(
                    f"{where}.on",
                    "raw_needs_indicator",
                    f"on: raw compares an indicator's own value, and {b.node!r} is a node; "
                    "give a score target (on: score) or an indicator",
                    id=b.id,
                    value=b.node,
                )
            )
        if b.view is not None and b.view not in views[b.node]:
            problems.append(
                _problem(
                    f"{where}.view",
                    "not_in_view",
                    f"{b.node!r} has no score in the {b.view!r} view (it is scored in: "
                    f"{', '.join(sorted(views[b.node])) or 'none'})",
                    id=b.id,
                    value=b.view,
                )
            )
        if b.phase is not None and b.phase not in phases:
            problems.append(
                _problem(
                    f"{where}.phase",
                    "unknown_phase",
                    f"unknown phase {b.phase!r}; phases: {', '.join(phases)}"
                    + did_you_mean(b.phase, phases),
                    id=b.id,
                    value=b.phase,
                )
            )
        if b.kind not in kinds:
            problems.append(
                _problem(
                    f"{where}.kind",
                    "unknown_kind",
                    f"unknown kind {b.kind!r}; kinds: {', '.join(kinds)}"
                    + did_you_mean(str(b.kind), kinds),
                    id=b.id,
                    value=b.kind,
                )
            )
    return problems


# ----------------------------------------------------------------------------- evaluation
def decimal_year(day: pd.Timestamp) -> float:
    """A day as a decimal year: ``year + (day of year - 1) / days in the year``.

    The start of 1 January 2024 is ``2024.0``, the start of 1 July 2024 is ``2024 + 182/366``.
    The convention of ``lubridate::decimal_date`` (Grolemund and Wickham 2011, *Journal of
    Statistical Software* 40(3)); it makes a calendar year exactly 1 long, so that scores one
    year apart are 1 apart.
    """
    days = 366 if calendar.isleap(day.year) else 365
    return day.year + (day - pd.Timestamp(year=day.year, month=1, day=1)).days / days


def _end_t(day: pd.Timestamp) -> float:
    """The end of a day (the start of the next) in decimal years."""
    return decimal_year(day + pd.Timedelta(days=1))


def _period_mid(start: pd.Timestamp, end: pd.Timestamp) -> float:
    """The midpoint of a period in decimal years: halfway from the start of its first day to
    the end of its last day (a calendar year 2024 gives 2024.5)."""
    return (decimal_year(start) + decimal_year(end + pd.Timedelta(days=1))) / 2.0


def _ols(t: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Ordinary least-squares line ``y = a + b t``: returns ``(a, b)``; NaN if ``t`` is
    constant (the textbook formulas, e.g. Montgomery, Peck and Vining 2012, *Introduction to
    Linear Regression Analysis*, 5th ed., section 2.2)."""
    tm, ym = float(t.mean()), float(y.mean())
    sxx = float(((t - tm) ** 2).sum())
    if sxx == 0.0:
        return math.nan, math.nan
    b = float(((t - tm) * (y - ym)).sum()) / sxx
    return ym - b * tm, b


def _as_set(benchmarks: object, framework: Framework) -> BenchmarkSet:
    if isinstance(benchmarks, BenchmarkSet):
        bset = benchmarks
    elif isinstance(benchmarks, Benchmark):
        bset = BenchmarkSet(benchmarks=(benchmarks,))
    elif isinstance(benchmarks, str | Path):  # checked here, so that problems name the file
        return BenchmarkSet.from_yaml(benchmarks, framework=framework)
    elif isinstance(benchmarks, Iterable) and not isinstance(benchmarks, Mapping):
        items = list(benchmarks)
        bad = [type(b).__name__ for b in items if not isinstance(b, Benchmark)]
        if bad:
            raise ArgumentError(
                f"benchmarks: a list must hold Benchmark objects, not {', '.join(sorted(set(bad)))}"
            )
        try:
            bset = BenchmarkSet(benchmarks=tuple(items))
        except ValidationError as exc:
            raise ArgumentError(f"benchmarks: {exc.errors()[0]['msg']}") from None
    else:
        raise ArgumentError(
            "benchmarks must be a BenchmarkSet, a list of Benchmark objects, YAML text or the "
            f"path of a YAML file, not {type(benchmarks).__name__}"
        )
    problems = bset.check(framework)
    if not problems.empty:
        raise BenchmarkError(problems)
    return bset


def _timeline_starts(timeline: pd.DataFrame | None) -> dict[tuple[str, str], pd.Timestamp]:
    if timeline is None:
        return {}
    if not isinstance(timeline, pd.DataFrame):
        raise ArgumentError(
            f"timeline must be a DataFrame with columns mission, phase, start, not "
            f"{type(timeline).__name__}"
        )
    missing = [c for c in ("mission", "phase", "start") if c not in timeline.columns]
    if missing:
        raise ArgumentError(f"timeline: missing column(s) {', '.join(missing)}")
    starts: dict[tuple[str, str], pd.Timestamp] = {}
    bad: list[str] = []
    for row, (m, ph, st) in enumerate(
        zip(timeline["mission"], timeline["phase"], timeline["start"], strict=True)
    ):
        try:
            day = parse_period(st).start
        except ValueError as exc:
            bad.append(f"row {row + 1}, column start: {exc}")
            continue
        key = (str(m), str(ph))
        starts[key] = min(day, starts.get(key, day))
    if bad:
        raise ArgumentError("timeline: " + "; ".join(bad))
    return starts


@dataclass(frozen=True)
class _Periods:
    """One mission's periods, sorted by end then start, as arrays."""

    labels: list[str]
    phases: list[object]
    starts: list[pd.Timestamp]
    ends: list[pd.Timestamp]
    mid_t: np.ndarray  # midpoints, decimal years
    end_t: np.ndarray  # the end of the last day, decimal years


class _Units:
    """The units of the profiles: per mission, its periods sorted by end then start."""

    def __init__(self, profiles: Profiles) -> None:
        table = profiles.to_frame(None)
        units = (
            table[["mission", "period", "phase"]]
            .astype({"mission": str, "period": str})
            .drop_duplicates(["mission", "period"])
        )
        self.missions: list[str] = list(dict.fromkeys(units["mission"]))
        self.by_mission: dict[str, _Periods] = {}
        for mission, group in units.groupby("mission", sort=False):
            parsed = [parse_period(p) for p in group["period"]]
            phases = group["phase"].astype(object).tolist()
            order = sorted(range(len(parsed)), key=lambda i: (parsed[i].end, parsed[i].start))
            ps = [parsed[i] for i in order]
            self.by_mission[str(mission)] = _Periods(
                labels=[str(group["period"].iloc[i]) for i in order],
                phases=[None if pd.isna(phases[i]) else phases[i] for i in order],
                starts=[p.start for p in ps],
                ends=[p.end for p in ps],
                mid_t=np.array([_period_mid(p.start, p.end) for p in ps], dtype=float),
                end_t=np.array([_end_t(p.end) for p in ps], dtype=float),
            )
        scores = table[table["view"].astype(str).isin(["tree", "context"])]
        self.scores: dict[tuple[str, str], dict[tuple[str, str], float]] = {}
        keyed = pd.DataFrame(
            {
                "view": scores["view"].astype(str).to_numpy(),
                "node": scores["node"].astype(str).to_numpy(),
                "mission": scores["mission"].astype(str).to_numpy(),
                "period": scores["period"].astype(str).to_numpy(),
                "score": scores["score"].to_numpy(dtype=float),
            }
        )
        for (view, node), group in keyed.groupby(["view", "node"], sort=False):
            self.scores[(str(view), str(node))] = dict(
                zip(
                    zip(group["mission"], group["period"], strict=True),
                    group["score"].tolist(),
                    strict=True,
                )
            )
        self._profiles = profiles
        self._raw: dict[str, dict[tuple[str, str], float]] | None = None

    def raw(self, indicator: str) -> dict[tuple[str, str], float]:
        """The raw (consolidated, not normalised) values of an indicator by mission, period."""
        if self._raw is None:
            from missionlens.scoring.prepare import prepare

            p = self._profiles
            state, _ = prepare(p.data, p.framework, p.recipe, unknown_columns=p.unknown_columns)
            keys = list(
                zip(
                    state.units["mission"].astype(str),
                    state.units["period"].astype(str),
                    strict=True,
                )
            )
            self._raw = {
                ind: dict(zip(keys, state.raw[:, j].tolist(), strict=True))
                for j, ind in enumerate(state.indicators)
            }
        return self._raw.get(indicator, {})


def _replication_lookup(
    result: UncertaintyResult | None, profiles: Profiles
) -> tuple[dict[tuple[str, str], int], dict[str, int], np.ndarray] | None:
    if result is None:
        return None
    from missionlens.analysis.uncertainty import UncertaintyResult

    if not isinstance(result, UncertaintyResult):
        raise ArgumentError(
            "uncertainty must be an UncertaintyResult (ml.uncertainty), not "
            f"{type(result).__name__}"
        )
    fp = profiles.fingerprints
    mismatched = [k for k in ("framework", "data") if result.provenance.get(k) != fp.get(k)]
    if mismatched:
        raise ArgumentError(
            "uncertainty: the result was computed from another "
            + " and ".join(mismatched)
            + " than these profiles; run ml.uncertainty on the same data and framework"
        )
    units = result.model.units
    unit_index = {
        (str(m), str(p)): i
        for i, (m, p) in enumerate(zip(units["mission"], units["period"], strict=True))
    }
    node_index = {str(n): j for j, n in enumerate(result.model.nodes)}
    return unit_index, node_index, result.scores


def benchmark_status(
    profiles: Profiles,
    benchmarks: BenchmarkSet | Sequence[Benchmark] | Benchmark | str | Path,
    *,
    as_of: object = None,
    uncertainty: UncertaintyResult | None = None,
    timeline: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The status of every benchmark, for each mission and period of the profiles.

    For a benchmark, a mission and a period *P* (or the date ``as_of``), with the mission's
    scored periods up to *P* (those ending at or before *P* ends, ordered by end date):

    * ``score`` is the latest score at or before *P* (of the benchmark's node and view, or the
      raw value with ``on: raw``), ``score_period`` the period it comes from;
    * the **trend** is the ordinary least-squares line of those scores against the periods'
      midpoints in decimal years (:func:`decimal_year`; a calendar year is 1 long), over at
      least two scored periods (``n_points``): ``slope_per_year`` is its slope and
      ``projected`` its value at the deadline (the line, not clipped to 0-100);
    * the **deadline** is the end of the ``deadline`` period if given (``deadline_basis``
      ``given``); otherwise the benchmark is due when the mission enters its ``phase``: the
      phase's start in ``timeline`` (``timeline``), else the start of the mission's first
      period in that phase in the profiles (``profiles``); ``unknown`` if neither is known.

    The status (:data:`BENCHMARK_STATUSES`), in this order of precedence:

    ``no_data``
        No score for the node in any period up to *P*.
    ``met``
        The latest score meets the target (``>=`` or ``<=``, up to a relative rounding
        tolerance of 1e-9).
    ``off_track``
        Not met, and the deadline is reached or passed (the evaluated period ends at or after
        it), or the trend projected to the deadline misses the target.
    ``on_track``
        Not met, the deadline is still ahead and the trend projected to it reaches the target.
    ``no_projection``
        Not met, the deadline is ahead or unknown, and there is no trend (fewer than two
        scored periods) or no deadline to project to.

    The trend-to-target reading follows progress assessments against time-bound targets
    (UN Statistics Division, *Sustainable Development Goals Progress Chart*, technical note:
    the current trend extrapolated to the target year); a straight line suits bounded 0-100
    scores that may be 0, where a growth rate does not.

    Parameters
    ----------
    profiles : Profiles
        From :func:`~missionlens.score`.
    benchmarks : BenchmarkSet, list of Benchmark, Benchmark, YAML text or path
        Checked against ``profiles.framework`` first: every unknown node, phase, kind or view
        is reported at once (:class:`~missionlens.errors.BenchmarkError`).
    as_of : str, date or period label, optional
        If given, one row per benchmark and mission: the status as of the end of that day or
        period (``period`` holds its canonical label), from the periods ending by then.
    uncertainty : UncertaintyResult, optional
        From :func:`~missionlens.uncertainty` on the same data and framework: adds
        ``met_probability``, the share of the replications (with a score) in which the score
        of ``score_period`` meets the target (score targets on the performance composite and
        indicators; ``NaN`` otherwise).
    timeline : pandas.DataFrame, optional
        Phase timelines: columns ``mission``, ``phase``, ``start`` (a date or period label;
        other columns ignored). Used for the deadline of a benchmark with a phase and no
        deadline.

    Returns
    -------
    pandas.DataFrame
        Columns (:data:`STATUS_COLUMNS`): ``benchmark``, ``mission``, ``node``, ``view``
        (``tree`` or ``context``), ``on`` (``score`` or ``raw``), ``kind``, ``phase`` (the
        benchmark's), ``period`` (the evaluated period, or the ``as_of`` label; missing for a
        mission named by a benchmark that the profiles do not have: one ``no_data`` row),
        ``mission_phase`` (the mission's phase in that period), ``score``, ``score_period``,
        ``comparison``, ``target``, ``deadline`` (as given), ``deadline_date`` (the day the
        target is due by: the deadline period's last day, or the phase's first day),
        ``deadline_basis`` (``given``, ``timeline``, ``profiles``, ``unknown``),
        ``projected``, ``slope_per_year``, ``n_points``, ``status``, ``met_probability``,
        ``source``. Benchmarks in set order, missions in profile order, periods in time
        order.

    Raises
    ------
    BenchmarkError
        If a benchmark names a node, phase, kind or view the framework does not have.
    ArgumentError
        For a bad ``as_of``, ``timeline`` or ``uncertainty``.
    """
    bset = _as_set(benchmarks, profiles.framework)
    cutoff = None
    if as_of is not None:
        try:
            cutoff = parse_period(as_of)
        except ValueError as exc:
            raise ArgumentError(f"as_of: {exc}") from None
    cutoff_t = math.nan if cutoff is None else _end_t(cutoff.end)
    starts = _timeline_starts(timeline)
    units = _Units(profiles)
    reps = _replication_lookup(uncertainty, profiles)
    views = _node_views(profiles.framework)
    indicator_ids = set(profiles.framework.indicator_ids)
    rows: list[dict[str, Any]] = []
    for b in bset.benchmarks:
        view = _default_view(b, views)
        is_indicator = b.node in indicator_ids
        missions = units.missions if b.mission == "*" else [b.mission]
        for mission in missions:
            base = {
                "benchmark": b.id,
                "mission": mission,
                "node": b.node,
                "view": view,
                "on": b.on,
                "kind": b.kind,
                "phase": b.phase,
                "comparison": b.comparison,
                "target": b.target,
                "deadline": b.deadline,
                "source": b.source,
            }
            periods = units.by_mission.get(mission)
            if periods is None:  # a mission the profiles do not have
                rows.append(base | _empty(None, None))
                continue
            series = units.raw(b.node) if b.on == "raw" else units.scores.get((view, b.node), {})
            values = np.array(
                [series.get((mission, label), math.nan) for label in periods.labels], dtype=float
            )
            due, basis = _deadline(b, mission, periods, starts)
            due_t = math.nan
            if due is not None:
                due_t = _end_t(due) if basis == "given" else decimal_year(due)
            if cutoff is not None:
                evals = [(cutoff.label, cutoff_t, _phase_at(periods, cutoff_t))]
            else:
                evals = list(zip(periods.labels, periods.end_t, periods.phases, strict=True))
            for label, now_t, phase in evals:
                row = base | _evaluate(b, periods, values, float(now_t), due, due_t, basis)
                row["period"] = label
                row["mission_phase"] = phase
                row["met_probability"] = _met_probability(
                    b, view, is_indicator, mission, row["score_period"], reps
                )
                rows.append(row)
    return _status_frame(rows)


def _empty(period: object, phase: object) -> dict[str, Any]:
    return {
        "period": period,
        "mission_phase": phase,
        "score": math.nan,
        "score_period": None,
        "deadline_date": pd.NaT,
        "deadline_basis": "unknown",
        "projected": math.nan,
        "slope_per_year": math.nan,
        "n_points": 0,
        "status": "no_data",
        "met_probability": math.nan,
    }


def _phase_at(periods: _Periods, now_t: float) -> object:
    upto = np.flatnonzero(periods.end_t <= now_t)
    return periods.phases[int(upto[-1])] if len(upto) else None


def _deadline(
    b: Benchmark,
    mission: str,
    periods: _Periods,
    starts: Mapping[tuple[str, str], pd.Timestamp],
) -> tuple[pd.Timestamp | None, str]:
    if b.deadline is not None:
        return parse_period(b.deadline).end, "given"
    if b.phase is not None and (mission, b.phase) in starts:
        return starts[(mission, b.phase)], "timeline"
    in_phase = [s for s, ph in zip(periods.starts, periods.phases, strict=True) if ph == b.phase]
    if in_phase:
        return min(in_phase), "profiles"
    return None, "unknown"


def _evaluate(
    b: Benchmark,
    periods: _Periods,
    values: np.ndarray,
    now_t: float,
    due: pd.Timestamp | None,
    due_t: float,
    basis: str,
) -> dict[str, Any]:
    upto = (periods.end_t <= now_t) & np.isfinite(values)
    out: dict[str, Any] = {
        "deadline_date": pd.NaT if due is None else due,
        "deadline_basis": basis,
        "n_points": int(upto.sum()),
        "score": math.nan,
        "score_period": None,
        "projected": math.nan,
        "slope_per_year": math.nan,
    }
    if not upto.any():
        out["status"] = "no_data"
        return out
    idx = np.flatnonzero(upto)
    latest = int(idx[-1])
    out["score"] = float(values[latest])
    out["score_period"] = periods.labels[latest]
    t = periods.mid_t[idx]
    if len(idx) >= 2:
        a, slope = _ols(t, values[idx])
        out["slope_per_year"] = slope
        if math.isfinite(due_t) and math.isfinite(slope):
            out["projected"] = a + slope * due_t
    if b.meets(out["score"]):
        out["status"] = "met"
        return out
    if math.isfinite(due_t) and now_t >= due_t:
        out["status"] = "off_track"  # the deadline is reached or passed, unmet
    elif not math.isfinite(out["projected"]):
        out["status"] = "no_projection"
    else:
        out["status"] = "on_track" if b.meets(out["projected"]) else "off_track"
    return out


def _met_probability(
    b: Benchmark,
    view: str,
    is_indicator: bool,
    mission: str,
    score_period: object,
    reps: tuple[dict[tuple[str, str], int], dict[str, int], np.ndarray] | None,
) -> float:
    """Share of the replications (with a score) whose score meets the target; the
    uncertainty engine varies the performance composite, so a node of the context view has
    none (an indicator reports its own score in both)."""
    if reps is None or b.on != "score" or score_period is None:
        return math.nan
    unit_index, node_index, scores = reps
    u = unit_index.get((mission, str(score_period)))
    k = node_index.get(b.node)
    if u is None or k is None or (view == "context" and not is_indicator):
        return math.nan
    draws = scores[:, u, k]
    draws = draws[np.isfinite(draws)]
    if draws.size == 0:
        return math.nan
    return float(np.mean([b.meets(float(v)) for v in draws]))


def _status_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(STATUS_COLUMNS))
    for col in ("score", "target", "projected", "slope_per_year", "met_probability"):
        frame[col] = frame[col].astype(float)
    frame["n_points"] = frame["n_points"].astype(np.int64)
    frame["deadline_date"] = pd.to_datetime(frame["deadline_date"]).astype("datetime64[ns]")
    frame["status"] = pd.Categorical(frame["status"], categories=list(BENCHMARK_STATUSES))
    return frame


def exit_readiness(
    profiles: Profiles,
    benchmarks: BenchmarkSet | Sequence[Benchmark] | Benchmark | str | Path,
    *,
    period: object = None,
    kinds: Sequence[str] = EXIT_KINDS,
    uncertainty: UncertaintyResult | None = None,
    timeline: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Exit readiness per mission: how many of its transition and exit benchmarks are met.

    Parameters
    ----------
    profiles, benchmarks, uncertainty, timeline
        As for :func:`benchmark_status`.
    period : str, date or period label, optional
        The status as of that period (``as_of`` of :func:`benchmark_status`); by default each
        mission's latest period in the profiles.
    kinds : sequence of str
        The benchmark kinds counted (default ``("transition", "exit")``).

    Returns
    -------
    pandas.DataFrame
        One row per mission with a benchmark of those kinds (missions in profile order, then
        missions the profiles do not have). Columns (:data:`READINESS_COLUMNS`): ``mission``,
        ``period`` (as of), ``mission_phase``, ``n_benchmarks``, ``n_met``, ``share_met``
        (``n_met / n_benchmarks``: a benchmark without data counts as not met),
        ``unmet`` (comma-joined ids of the benchmarks not met, in set order, ``""`` when
        none), ``n_on_track``, ``n_off_track``, ``n_no_projection``, ``n_no_data``;
        ``met_probability`` (with ``uncertainty``: the mean over the benchmarks of their
        ``met_probability``, i.e. the expected share met; ``NaN`` otherwise).

    The share met is the readiness indicator of the UN Practitioners' Guide to benchmarking
    (UN 2010, *Monitoring Peace Consolidation*): progress is read benchmark by benchmark, and
    the list of those not met says what stands between the mission and its exit.
    """
    known = (*profiles.framework.facet("phase").value_ids, "other")
    if isinstance(kinds, str) or not all(isinstance(k, str) and k in known for k in kinds):
        raise ArgumentError(
            f"kinds must be a list of benchmark kinds ({', '.join(known)}), not {kinds!r}"
        )
    status = benchmark_status(
        profiles, benchmarks, as_of=period, uncertainty=uncertainty, timeline=timeline
    )
    status = status[status["kind"].isin(list(kinds))]
    if period is None and not status.empty:  # each mission's latest period
        last = status.groupby("mission", sort=False)["period"].transform("last")
        status = status[(status["period"] == last) | status["period"].isna()]
    rows: list[dict[str, Any]] = []
    for mission, group in status.groupby("mission", sort=False):
        st = group["status"].astype(str)
        n = len(group)
        met = int((st == "met").sum())
        row: dict[str, Any] = {
            "mission": mission,
            "period": group["period"].iloc[-1],
            "mission_phase": group["mission_phase"].iloc[-1],
            "n_benchmarks": n,
            "n_met": met,
            "share_met": met / n if n else math.nan,
            "unmet": ",".join(group.loc[st != "met", "benchmark"].astype(str)),
        }
        for s in BENCHMARK_STATUSES[1:]:
            row[f"n_{s}"] = int((st == s).sum())
        probs = group["met_probability"].to_numpy(dtype=float)
        row["met_probability"] = float(np.nanmean(probs)) if np.isfinite(probs).any() else math.nan
        rows.append(row)
    order = {
        m: i for i, m in enumerate(dict.fromkeys(profiles.to_frame(None)["mission"].astype(str)))
    }
    rows.sort(key=lambda r: order.get(str(r["mission"]), len(order)))  # stable: others after
    frame = pd.DataFrame(rows, columns=list(READINESS_COLUMNS))
    for col in ("n_benchmarks", "n_met", *(f"n_{s}" for s in BENCHMARK_STATUSES[1:])):
        frame[col] = frame[col].astype(np.int64)
    frame["share_met"] = frame["share_met"].astype(float)
    frame["met_probability"] = frame["met_probability"].astype(float)
    return frame.reset_index(drop=True)
