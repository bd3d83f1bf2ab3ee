"""Build the missionlens example portfolio, ``portfolio.csv``, from shipped files only.

This script is shipped for provenance; the library never imports it (``ml.datasets.
load_portfolio()`` reads the CSV it writes). It reads, from the data folder next to itself
(or ``--data DIR``):

* ``portfolio_design.yaml`` -- the hand-written, reviewed design: per mission and calendar
  year its lifecycle phase, the number of raters (2 or 3), an **illustrative** leaning (1-5)
  per dimension of the whole-of-mission framework and one for the operating conditions (the
  context indicators), each with a one-line rationale of well-known public facts, and the
  indicators answered *not applicable* with their reason;
* ``portfolio_timelines.csv`` -- the phase timelines (every row cites the Security Council
  resolutions): the design's phase of each year must be the one the timeline gives it;
* ``mission_year_indicators.csv`` -- the real numeric companions (UN NOTICAS fatalities, SIPRI
  and IPI personnel), taken as they are, never estimated;

and the built-in framework ``whole-of-mission`` (version 2) of the installed missionlens.

What is generated, and how
--------------------------
The **analyst ratings are illustrative, not published judgements.** For each mission-period,
each rubric indicator that applies in the phase gets, from each rater,

    rating = clip(round(leaning + indicator offset + rater bias + noise), 1, 5)

where ``leaning`` is the design's level for the indicator's dimension (for a context
indicator, ``role: context``, the design's ``context`` level); the *indicator offset* is drawn
once per mission and indicator, ``N(0, indicator_sd)``, so that a mission keeps its relative
strengths over the years; the *rater bias* once per rater, ``N(0, rater_bias_sd)``; the
*noise* per entry, ``N(0, noise_sd)``. Each rater leaves an entry blank with probability
``skip_share``; an indicator all raters left blank stays blank only while its sub-dimension
keeps ``keep_share`` of its applicable weight (so every dimension is scored). Confidence is
drawn from low / medium / high with probabilities 0.2 / 0.5 / 0.3. Every random number comes
from one ``numpy.random.Generator`` seeded with the design's ``seed`` (PCG64), drawn in a fixed
order (missions in alphabetical order, then periods, indicators in framework order, raters),
so a rebuild is byte-identical. The evidence of each rating says "Illustrative" and carries
the rationale; its ``sources`` is :data:`RATING_SOURCES`.

The **numeric companions are real**: ``env_fatalities_malicious`` is the column
``malicious_deaths_uniformed_per_1000`` of ``mission_year_indicators.csv`` and
``env_fatalities_malicious_count`` the column ``fatalities_malicious_uniformed`` (the mapping
``missionlens.datasets.FATALITY_INDICATOR_COLUMNS``), entered once by ``data-officer`` in every
mission-year of a phase where the indicators apply and the table has a row; where it has none
(personnel data end in 2016) nothing is entered. A mission-year with fewer than 1,000 uniformed
personnel would get the rate answered not applicable (the indicator's ``not_applicable_when``)
and the count only. The other numeric indicators (deployment against plan, SEA investigations,
gender parity) have no shipped data and are left unrated.

Usage
-----
::

    python build_portfolio.py [--data DIR] [--out DIR]

writes ``portfolio.csv`` to ``--out`` (default: next to this script): UTF-8, comma-separated,
``\\n`` line ends, no index column, one row per mission, period, indicator and rater.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from missionlens.assessments.timelines import read_timelines
from missionlens.atomic import atomic_write
from missionlens.datasets import FATALITY_INDICATOR_COLUMNS, PORTFOLIO_MISSIONS, SOURCES
from missionlens.errors import ArgumentError
from missionlens.framework.model import Framework
from missionlens.framework.registry import load_framework
from missionlens.framework.yaml_io import safe_load_unique
from missionlens.text import quote_text

HERE = Path(__file__).resolve().parent

# ----------------------------------------------------------------------------------- inputs
DESIGN_FILE = "portfolio_design.yaml"
TIMELINES_FILE = "portfolio_timelines.csv"
INDICATORS_FILE = "mission_year_indicators.csv"
OUTPUT_FILE = "portfolio.csv"
FRAMEWORK = "whole-of-mission"
FRAMEWORK_VERSION = "2"

# ----------------------------------------------------------------------------------- output
#: Columns of ``portfolio.csv``, the entries, in order (``basis`` keys the evidence).
COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "indicator",
    "value",
    "not_applicable",
    "not_applicable_reason",
    "rater",
    "confidence",
    "basis",
)
#: Columns of ``portfolio_evidence.csv``: the evidence and sources of each basis, once per
#: mission-period (written once rather than on each of the 50 to 200 entries resting on it).
EVIDENCE_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "phase",
    "basis",
    "leaning",
    "illustrative",
    "evidence",
    "sources",
)
EVIDENCE_FILE = "portfolio_evidence.csv"
#: ``basis`` of an answer not applicable and of a numeric companion.
NOT_APPLICABLE, DATA = "not_applicable", "data"
RATERS: tuple[str, ...] = ("analyst-1", "analyst-2", "analyst-3")
DATA_OFFICER = "data-officer"
CONFIDENCE: tuple[str, ...] = ("low", "medium", "high")
CONFIDENCE_P: tuple[float, ...] = (0.2, 0.5, 0.3)
DIMENSION_KEYS: tuple[str, ...] = ("political", "environment", "performance", "partnerships")
#: ``sources`` of every illustrative rating.
RATING_SOURCES = "missionlens example portfolio (illustrative ratings; not a published judgement)"
#: Below this mean uniformed strength the rate is not applicable (its ``not_applicable_when``).
MIN_STRENGTH = 1000
RATE, COUNT = "env_fatalities_malicious", "env_fatalities_malicious_count"


def read_design(path: Path) -> dict[str, Any]:
    """The design file, checked: every problem is reported at once."""
    design = safe_load_unique(path.read_text(encoding="utf-8"))
    problems: list[str] = []
    if not isinstance(design, dict) or not isinstance(design.get("missions"), dict):
        raise ArgumentError(f"{path}: expected a mapping with 'seed' and 'missions'")
    for key in ("seed", "indicator_sd", "rater_bias_sd", "noise_sd", "skip_share", "keep_share"):
        if not isinstance(design.get(key), int | float):
            problems.append(f"{path}: {key}: expected a number")
    missions = design["missions"]
    if sorted(missions) != sorted(PORTFOLIO_MISSIONS):
        problems.append(
            f"{path}: missions: expected {sorted(PORTFOLIO_MISSIONS)}, got {sorted(missions)}"
        )
    for mission, spec in missions.items():
        periods = spec.get("periods") if isinstance(spec, dict) else None
        if not isinstance(periods, list) or not 2 <= len(periods) <= 5:
            problems.append(f"{path}: {mission}.periods: expected a list of 2 to 5 periods")
            continue
        for k, entry in enumerate(periods):
            where = f"{path}: {mission}.periods[{k}]"
            if not isinstance(entry.get("period"), str):
                problems.append(f'{where}.period: expected a quoted year such as "2016"')
            if entry.get("raters") not in (2, 3):
                problems.append(f"{where}.raters: expected 2 or 3")
            for key in ("context", *DIMENSION_KEYS):
                lean = entry.get(key)
                ok = (
                    isinstance(lean, list)
                    and len(lean) == 2
                    and lean[0] in (1, 2, 3, 4, 5)
                    and isinstance(lean[1], str)
                    and lean[1].strip()
                )
                if not ok:
                    problems.append(f"{where}.{key}: expected [level 1-5, rationale]")
    if problems:
        raise ArgumentError("portfolio design: " + "; ".join(problems))
    return design


def _parents(fw: Framework) -> dict[str, str]:
    """Indicator id -> id of the node directly above it."""
    indicators = set(fw.indicator_ids)
    out: dict[str, str] = {}
    for node in fw.node_ids:
        if node in indicators:
            continue
        for child in fw.children(node):
            if child in indicators:
                out[child] = node
    return out


def _numeric_entries(
    mission: str, period: str, phase: str, fw: Framework, data: pd.DataFrame
) -> list[dict[str, Any]]:
    """The real fatality rate and count of a mission-year (none where the table has no row,
    or where the indicators do not apply in the phase)."""
    rows: list[dict[str, Any]] = []
    key = (mission, int(period))
    if key not in data.index:
        return rows
    record = cast("pd.Series[Any]", data.loc[key])
    strength = float(record["total"])
    for indicator, column in FATALITY_INDICATOR_COLUMNS.items():
        if phase not in fw.indicator(indicator).phases:
            continue
        row: dict[str, Any] = {
            "indicator": indicator,
            "rater": DATA_OFFICER,
            "confidence": "high",
            "basis": DATA,
        }
        if indicator == RATE and strength < MIN_STRENGTH:
            row["not_applicable"] = True
            row["not_applicable_reason"] = (
                f"The mission has fewer than 1,000 uniformed personnel (mean {strength:,.0f} in "
                f"{period}, SIPRI/IPI): one death moves the rate by more than 1 per 1,000."
            )
        else:
            row["value"] = float(record[column])
        rows.append(row)
    return rows


def _evidence_rows(
    mission: str, period: str, entry: dict[str, Any], fw: Framework, numeric: bool, na: bool
) -> list[dict[str, Any]]:
    """The evidence of each basis of one mission-period."""
    rows: list[dict[str, Any]] = []
    base = {"mission": mission, "period": period, "phase": entry["phase"]}
    for key in ("context", *DIMENSION_KEYS):
        level, why = entry[key]
        label = (
            "operating conditions (context indicators; 1 the hardest)"
            if key == "context"
            else f"{fw.node(key).name.lower()} (performance indicators)"
        )
        rows.append(
            {
                **base,
                "basis": key,
                "leaning": level,
                "illustrative": True,
                "evidence": (
                    f"Illustrative rating, not a published judgement: leaning {level}/5 for "
                    f"{label} in {mission} {period}: {why}."
                ),
                "sources": RATING_SOURCES,
            }
        )
    if na:
        rows.append(
            {
                **base,
                "basis": NOT_APPLICABLE,
                "illustrative": True,
                "evidence": (
                    f"Illustrative answer, not a published judgement: not applicable in "
                    f"{mission} {period}, for the reason given."
                ),
                "sources": RATING_SOURCES,
            }
        )
    if numeric:
        columns = ", ".join(FATALITY_INDICATOR_COLUMNS.values())
        rows.append(
            {
                **base,
                "basis": DATA,
                "illustrative": False,
                "evidence": (
                    f"Public data, not a rating: mission_year_indicators.csv ({columns}), "
                    f"{mission} {period}."
                ),
                "sources": SOURCES[INDICATORS_FILE],
            }
        )
    return rows


def build(data_dir: Path = HERE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The portfolio entries and their evidence (see the module documentation)."""
    design = read_design(data_dir / DESIGN_FILE)
    fw = load_framework(FRAMEWORK, version=FRAMEWORK_VERSION)
    # the dates stay ISO text for read_timelines to parse (pandas 2 turns parse_dates with
    # dtype=str into nanosecond counts as text)
    timelines = read_timelines(pd.read_csv(data_dir / TIMELINES_FILE, dtype=str))
    data = pd.read_csv(data_dir / INDICATORS_FILE).set_index(["mission", "year"])
    parent = _parents(fw)
    rubric = [i for i in fw.indicators if fw.scale(i.scale).kind == "rubric"]
    rng = np.random.default_rng(int(design["seed"]))
    bias = rng.normal(0.0, float(design["rater_bias_sd"]), len(RATERS))
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    for mission in sorted(design["missions"]):
        spec = design["missions"][mission]
        offsets = rng.normal(0.0, float(design["indicator_sd"]), len(rubric))
        for entry in spec["periods"]:
            period, phase, n = entry["period"], entry["phase"], int(entry["raters"])
            timeline = timelines.get(mission)
            placed = timeline.phase_of(period) if timeline is not None else None
            if placed != phase:
                problems.append(
                    f"{mission} {period}: design phase {phase!r}, timeline phase {placed!r}"
                )
            # the mission's answers hold in every period where the indicator applies; a
            # period's own answers must apply in its phase
            mission_wide = {
                i: reason
                for i, reason in spec.get("not_applicable", {}).items()
                if i not in fw.indicator_ids or phase in fw.indicator(i).phases
            }
            answers = {**mission_wide, **entry.get("not_applicable", {})}
            for indicator in answers:
                if indicator not in fw.indicator_ids or phase not in fw.indicator(indicator).phases:
                    problems.append(
                        f"{mission} {period}: not_applicable {indicator!r} is no indicator "
                        f"applicable in {phase}"
                    )
            numeric = _numeric_entries(mission, period, phase, fw, data)
            cells = [(k, ind) for k, ind in enumerate(rubric) if phase in ind.phases]
            noise = rng.normal(0.0, float(design["noise_sd"]), (len(cells), n))
            skip = rng.random((len(cells), n)) < float(design["skip_share"])
            confidence = rng.choice(len(CONFIDENCE), size=(len(cells), n), p=CONFIDENCE_P)
            skip = _keep_coverage(
                fw, parent, phase, cells, skip, answers, numeric, float(design["keep_share"])
            )
            base = {"mission": mission, "period": period, "phase": phase}
            for c, (k, ind) in enumerate(cells):
                key = "context" if ind.role == "context" else str(fw.dimension_of(ind.id))
                level = entry[key][0]
                for r in range(n):
                    row = {
                        **base,
                        "indicator": ind.id,
                        "rater": RATERS[r],
                        "confidence": CONFIDENCE[int(confidence[c, r])],
                        "basis": key,
                    }
                    if ind.id in answers:
                        row["not_applicable"] = True
                        row["not_applicable_reason"] = answers[ind.id]
                        row["basis"] = NOT_APPLICABLE
                    elif skip[c, r]:
                        continue
                    else:
                        drawn = np.rint(level + offsets[k] + bias[r] + noise[c, r])
                        row["value"] = float(np.clip(drawn, 1, 5))
                    rows.append(row)
            rows.extend({**base, **row} for row in numeric)
            evidence.extend(
                _evidence_rows(mission, period, entry, fw, bool(numeric), bool(answers))
            )
    if problems:
        raise ArgumentError("portfolio design: " + "; ".join(problems))
    table = pd.DataFrame(rows)
    table["not_applicable"] = table["not_applicable"].eq(True)
    # a rating as a whole number (3), a rate with its three decimals (1.242)
    table["value"] = table["value"].map(
        lambda v: "" if pd.isna(v) else f"{v:.0f}" if float(v).is_integer() else repr(float(v))
    )
    table["not_applicable_reason"] = table["not_applicable_reason"].map(
        lambda v: quote_text(v) if isinstance(v, str) else v
    )
    notes = pd.DataFrame(evidence)
    notes["leaning"] = notes["leaning"].astype("Int64")
    for column in ("evidence", "sources"):
        notes[column] = notes[column].map(quote_text)
    return table[list(COLUMNS)], notes[list(EVIDENCE_COLUMNS)]


def _keep_coverage(
    fw: Framework,
    parent: dict[str, str],
    phase: str,
    cells: list[tuple[int, Any]],
    skip: np.ndarray,
    answers: dict[str, str],
    numeric: list[dict[str, Any]],
    keep_share: float,
) -> np.ndarray:
    """Un-skip the first rater of an indicator all raters left blank when its sub-dimension
    would keep less than ``keep_share`` of its applicable weight rated (in framework order)."""
    skip = skip.copy()
    valued = {row["indicator"] for row in numeric if "value" in row}
    applicable: dict[str, float] = {}
    rated: dict[str, float] = {}
    for ind in fw.indicators:
        if phase not in ind.phases or ind.id in answers or not ind.weight:
            continue
        node = parent[ind.id]
        applicable[node] = applicable.get(node, 0.0) + ind.weight
        is_rubric = fw.scale(ind.scale).kind == "rubric"
        if is_rubric or ind.id in valued:
            rated[node] = rated.get(node, 0.0) + ind.weight
    for c, (_k, ind) in enumerate(cells):
        if ind.id in answers or not ind.weight or not skip[c].all():
            continue
        node = parent[ind.id]
        if (rated[node] - ind.weight) / applicable[node] >= keep_share:
            rated[node] -= ind.weight  # left blank
        else:
            skip[c, 0] = False
    return skip


def write(table: pd.DataFrame, path: Path) -> Path:
    """Write a table as UTF-8 CSV with ``\\n`` line ends, atomically (a not-applicable mark
    is written ``True`` and left empty otherwise, which reads as no)."""
    table = table.copy()
    if "not_applicable" in table.columns:
        table["not_applicable"] = table["not_applicable"].map({True: "True", False: ""})
    with atomic_write(path, "w", encoding="utf-8", newline="") as handle:
        table.to_csv(handle, index=False, lineterminator="\n")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: build the portfolio and write ``portfolio.csv``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=HERE, help="folder of the input files")
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write portfolio.csv")
    args = parser.parse_args(argv)
    table, evidence = build(args.data)
    for frame, name in ((table, OUTPUT_FILE), (evidence, EVIDENCE_FILE)):
        path = write(frame, args.out / name)
        print(f"wrote {path} ({len(frame)} rows, {path.stat().st_size / 1000:.1f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
