"""Benchmark: writing and reading assessment tables, per file format, and CSV against pandas.

Part 1. For each size, a valid long assessment table of the built-in whole-of-mission framework
(free text with commas, quotes, line breaks and formula-like text in ``evidence``) is written
with ``ml.write_assessments`` and read back twice: raw (``load_sources``, the format's reader
alone) and in full (``ml.read_assessments``, reader plus validation). Each is timed once, wall
(``time.perf_counter``) and CPU (``time.process_time``) seconds; the read table is checked to
equal the written one.

Part 2. 1,000,000 entries (the table of part 1: 53 rubric indicators x 5 raters x 4 periods x
943 missions, 16 columns) to CSV and back, in alternating rounds (median reported), against
pandas on the same table:

``ml.write_assessments``   the library's writer (formula-injection quoting, text cells)
``pandas to_csv``          ``table.to_csv(path, index=False)``
``ml.read_assessments``    the library's reader and every entry check
``pandas read_csv``        ``pd.read_csv(path)`` of the file pandas wrote (types inferred)
``pandas read_csv (text)`` ``pd.read_csv(path, dtype=object, keep_default_na=False)`` of the
                           library's file: every cell as text, which is what the reader needs

The raw reader (``load_sources``) of the library's file is timed once, after the rounds.
Target (issue "One contract"): ``ml.write_assessments`` within 2 x ``pandas to_csv`` and
``ml.read_assessments`` within 2 x ``pandas read_csv``. Peak RSS is that of the whole process.

Usage::

    python benchmarks/bench_io.py [--sizes 10000 100000] [--formats csv json parquet xlsx]
        [--csv-entries 1000000] [--rounds 3] [--quick]

``--quick``: sizes 10,000, and 100,000 entries in part 2, one round.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from _common import alternate, machine, peak_rss_mb, show, timed, timing_table

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


def formats_table(fw: ml.Framework, sizes: list[int], formats: list[str], folder: str) -> None:
    """Part 1: write, raw read and full read of each format and size, timed once."""
    rows = []
    for size in sizes:
        table = make_table(fw, size)
        for fmt in formats:
            path = Path(folder) / f"t.{fmt}"
            write_wall, write_cpu, _ = timed(
                lambda table=table, path=path: ml.write_assessments(table, path)
            )
            raw_wall, raw_cpu, _ = timed(lambda path=path: load_sources(path, fw))
            read_wall, read_cpu, back = timed(
                lambda path=path: ml.read_assessments(path, framework=fw)
            )
            if not back[list(ml.ASSESSMENT_COLUMNS)].equals(table[list(ml.ASSESSMENT_COLUMNS)]):
                raise RuntimeError(f"{fmt}: the table read back differs from the one written")
            rows.append(
                {
                    "format": fmt,
                    "entries": len(table),
                    "write_wall_s": write_wall,
                    "write_cpu_s": write_cpu,
                    "raw_read_wall_s": raw_wall,
                    "raw_read_cpu_s": raw_cpu,
                    "read_assessments_wall_s": read_wall,
                    "read_assessments_cpu_s": read_cpu,
                    "MB": path.stat().st_size / 1e6,
                }
            )
            path.unlink()
    print("part 1: each format, timed once")
    show(pd.DataFrame(rows))


def csv_against_pandas(fw: ml.Framework, entries: int, rounds: int, folder: str) -> None:
    """Part 2: the library's CSV writer and reader against pandas' on the same table."""
    table = make_table(fw, entries)
    ours, theirs = Path(folder) / "ml.csv", Path(folder) / "pandas.csv"
    ml.write_assessments(table, ours)
    table.to_csv(theirs, index=False)
    timings = alternate(
        {
            "ml.write_assessments": lambda: ml.write_assessments(table, ours),
            "pandas to_csv": lambda: table.to_csv(theirs, index=False),
            "ml.read_assessments": lambda: ml.read_assessments(ours, framework=fw),
            "pandas read_csv": lambda: pd.read_csv(theirs),
            "pandas read_csv (text)": lambda: pd.read_csv(
                ours, dtype=object, keep_default_na=False
            ),
        },
        rounds,
    )
    raw_wall, raw_cpu, _ = timed(lambda: load_sources(ours, fw))
    t = list(timings.values())
    write = timing_table(t[:2], baseline="pandas to_csv", targets={t[0].name: "<= 2 x"})
    read = timing_table(t[2:], baseline="pandas read_csv", targets={t[2].name: "<= 2 x"})
    print(
        f"\npart 2: {len(table):,} entries to CSV and back ({ours.stat().st_size / 1e6:.0f} MB "
        f"file; pandas' {theirs.stat().st_size / 1e6:.0f} MB), median of {rounds} rounds"
    )
    show(write)
    show(read)
    w = timings["ml.write_assessments"].wall_s / timings["pandas to_csv"].wall_s
    r = timings["ml.read_assessments"].wall_s / timings["pandas read_csv"].wall_s
    print(
        f"raw reader (load_sources) once: {raw_wall:.2f} s wall, {raw_cpu:.2f} s CPU; "
        f"write ratio {w:.2f} (target <= 2: {'met' if w <= 2 else 'MISSED'}), read ratio "
        f"{r:.2f} (target <= 2: {'met' if r <= 2 else 'MISSED'}); process peak RSS "
        f"{peak_rss_mb():,.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--formats",
        nargs="+",
        default=["csv", "json", "parquet"],
        choices=["csv", "json", "parquet", "xlsx"],
    )
    parser.add_argument("--csv-entries", type=int, default=1_000_000, help="0: skip part 2")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.csv_entries, args.rounds = [10_000], 100_000, 1
    fw = ml.load_framework("whole-of-mission")
    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        formats_table(fw, args.sizes, args.formats, folder)
        if args.csv_entries:
            csv_against_pandas(fw, args.csv_entries, args.rounds, folder)


if __name__ == "__main__":
    main()
