"""Shared helpers of the benchmark scripts: timing, tables, peak memory and test data.

Every benchmark times each case with both clocks:

* ``wall_s``: elapsed time (``time.perf_counter``), what an analyst waits for;
* ``cpu_s``: processor time of this process, all threads (``time.process_time``); a ``cpu_s``
  well above ``wall_s`` means several cores were used, well below means the process waited
  (for the disk, or for a core taken by another process on the shared machine).

Cases are run in alternating rounds (A, B, A, B, ...), because the machine is a shared virtual
machine whose speed drifts; tables report the median over rounds.
"""

from __future__ import annotations

import os
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import missionlens as ml

PERIODS = ("2023-H1", "2023-H2", "2024-H1", "2024-H2")
RATERS = 5
CONFIDENCES = np.array(["low", "medium", "high"], dtype=object)


@dataclass
class Timing:
    """Wall and CPU seconds of every round of one case."""

    name: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def wall_s(self) -> float:
        """Median wall seconds over rounds."""
        return statistics.median(self.wall)

    @property
    def cpu_s(self) -> float:
        """Median CPU seconds over rounds."""
        return statistics.median(self.cpu)


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Run ``fn`` once: (wall seconds, CPU seconds, result)."""
    wall0, cpu0 = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall0, time.process_time() - cpu0, result


def alternate(cases: dict[str, Callable[[], Any]], rounds: int) -> dict[str, Timing]:
    """Run every case once per round, in turn, ``rounds`` times; the timings of each case."""
    out = {name: Timing(name) for name in cases}
    for _ in range(rounds):
        for name, fn in cases.items():
            wall, cpu, _ = timed(fn)
            out[name].wall.append(wall)
            out[name].cpu.append(cpu)
    return out


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (``ru_maxrss`` is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    """One line on the machine: logical cores usable by this process and in total."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"machine: {usable} usable cores ({os.cpu_count()} logical), numpy {np.__version__}, "
        f"pandas {pd.__version__}, missionlens {ml.__version__}"
    )


def timing_table(
    timings: Sequence[Timing],
    *,
    baseline: str,
    targets: dict[str, str] | None = None,
) -> pd.DataFrame:
    """A table of median wall and CPU seconds per case, with the ratio to ``baseline``."""
    base = next(t for t in timings if t.name == baseline)
    rows = []
    for t in timings:
        rows.append(
            {
                "case": t.name,
                "wall_s": t.wall_s,
                "cpu_s": t.cpu_s,
                "wall_min_s": min(t.wall),
                "wall_max_s": max(t.wall),
                "rounds": len(t.wall),
                f"wall / {baseline}": t.wall_s / base.wall_s,
                f"cpu / {baseline}": t.cpu_s / base.cpu_s,
                "target": (targets or {}).get(t.name, ""),
            }
        )
    return pd.DataFrame(rows)


def show(table: pd.DataFrame) -> None:
    """Print a table with three decimals."""
    print(table.to_string(index=False, float_format=lambda x: f"{x:,.3f}"))


def rubric_ids(fw: ml.Framework, phase: str = "implementation", count: int = 50) -> list[str]:
    """The first ``count`` rubric indicators of ``fw`` that apply in ``phase``."""
    ids = [i.id for i in fw.indicators_in_phase(phase) if fw.scale(i.scale).kind == "rubric"]
    if len(ids) < count:
        raise RuntimeError(f"{fw.id} has only {len(ids)} rubric indicators in {phase}")
    return ids[:count]


def make_entries(
    fw: ml.Framework, n_target: int, *, n_indicators: int = 50, seed: int = 0
) -> pd.DataFrame:
    """About ``n_target`` valid long entries of ``fw`` in phase ``implementation``.

    ``n_indicators`` rubric indicators, 5 raters, 4 periods and as many missions as needed
    (1,000 missions for 1,000,000 entries); values drawn among each indicator's levels,
    confidence drawn among low, medium and high. Columns are plain object (text) columns and a
    float ``value``, as a notebook user builds them.
    """
    ids = rubric_ids(fw, count=n_indicators)
    n_missions = max(1, round(n_target / (RATERS * len(PERIODS) * len(ids))))
    m, p, k, r = np.unravel_index(
        np.arange(n_missions * len(PERIODS) * len(ids) * RATERS),
        (n_missions, len(PERIODS), len(ids), RATERS),
    )
    rng = np.random.default_rng(seed)
    levels = [np.array(fw.scale_of(i).values, dtype=float) for i in ids]
    n_levels = np.array([lv.size for lv in levels])
    table = np.full((len(ids), n_levels.max()), np.nan)
    for j, lv in enumerate(levels):
        table[j, : lv.size] = lv
    pick = (rng.random(m.size) * n_levels[k]).astype(np.int64)
    return pd.DataFrame(
        {
            "mission": np.array([f"M{i:04d}" for i in range(n_missions)], dtype=object)[m],
            "period": np.array(PERIODS, dtype=object)[p],
            "phase": "implementation",
            "indicator": np.array(ids, dtype=object)[k],
            "value": table[k, pick],
            "rater": np.array([f"R{i}" for i in range(RATERS)], dtype=object)[r],
            "confidence": CONFIDENCES[rng.integers(0, 3, m.size)],
        }
    )
