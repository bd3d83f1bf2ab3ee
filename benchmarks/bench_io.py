"""Benchmark: writing and reading assessment tables of growing size, per file format.

For each size, a valid long assessment table of the built-in whole-of-mission framework (free
text with commas, quotes, line breaks and formula-like text in ``evidence``) is written with
``ml.write_assessments`` and read back twice: raw (``load_sources``, the format's reader alone)
and in full (``ml.read_assessments``, reader plus validation). The table reports wall seconds.

Usage::

    python benchmarks/bench_io.py [--sizes 10000 100000] [--formats csv parquet]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import missionlens as ml
from missionlens.assessments.formats import load_sources

TEXTS = np.array(
    [
        "Strategy shared, with partners",
        'quoted "text"\r\nsecond line',
        "=SUM(A1)",
        "",
        "中文 «français»",
    ],
    dtype=object,
)


def make_table(fw: ml.Framework, n_target: int, seed: int = 0) -> pd.DataFrame:
    """About ``n_target`` valid entries (5 raters, 4 periods), read into an assessment table."""
    rubric = [
        i.id for i in fw.indicators_in_phase("implementation") if fw.scale(i.scale).kind == "rubric"
    ]
    raters, periods = 5, ["2023-H1", "2023-H2", "2024-H1", "2024-H2"]
    n_missions = max(1, round(n_target / (raters * len(periods) * len(rubric))))
    m, p, k, r = np.unravel_index(
        np.arange(n_missions * len(periods) * len(rubric) * raters),
        (n_missions, len(periods), len(rubric), raters),
    )
    rng = np.random.default_rng(seed)
    raw = pd.DataFrame(
        {
            "mission": np.array([f"M{i:04d}" for i in range(n_missions)])[m],
            "period": np.array(periods)[p],
            "phase": "implementation",
            "indicator": np.array(rubric)[k],
            "value": rng.integers(1, 6, m.size).astype(float),
            "rater": np.array([f"R{i}" for i in range(raters)])[r],
            "confidence": np.array(["low", "medium", "high"])[rng.integers(0, 3, m.size)],
            "evidence": TEXTS[rng.integers(0, len(TEXTS), m.size)],
        }
    )
    return ml.read_assessments(raw, framework=fw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--formats", nargs="+", default=["csv", "json", "parquet"])
    args = parser.parse_args()
    fw = ml.load_framework("whole-of-mission")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            table = make_table(fw, size)
            for fmt in args.formats:
                path = Path(folder) / f"t.{fmt}"
                start = time.perf_counter()
                ml.write_assessments(table, path)
                write_s = time.perf_counter() - start
                start = time.perf_counter()
                load_sources(path, fw)
                load_s = time.perf_counter() - start
                start = time.perf_counter()
                back = ml.read_assessments(path, framework=fw)
                read_s = time.perf_counter() - start
                if not back[list(ml.ASSESSMENT_COLUMNS)].equals(table[list(ml.ASSESSMENT_COLUMNS)]):
                    raise RuntimeError(f"{fmt}: the table read back differs from the one written")
                rows.append(
                    {
                        "format": fmt,
                        "entries": len(table),
                        "write_s": round(write_s, 2),
                        "raw_read_s": round(load_s, 2),
                        "read_assessments_s": round(read_s, 2),
                    }
                )
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
