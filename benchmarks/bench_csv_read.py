"""Benchmark: reading a CSV assessment file against pandas' own ``read_csv`` of the same file.

A valid long table of the built-in whole-of-mission framework (free text with commas, quotes,
line breaks and formula-like text in ``evidence``, see ``bench_io.make_table``) is written once
with ``ml.write_assessments``; then the same file is read, best of ``--repeat`` runs, by:

* ``pandas.read_csv`` (C parser, every cell as text, no NA parsing): the yardstick;
* the ``csv`` reader alone (``load_sources``: pandas' C parser, the check that its cells are the
  file's, the strict checks of quotes and line breaks, un-escaping);
* ``ml.read_assessments`` (reader plus every entry check).

The ratios are to pandas' ``read_csv``; the reader's goal is at most 2.

Usage::

    python benchmarks/bench_csv_read.py [--sizes 1000000] [--repeat 3]
    python benchmarks/bench_csv_read.py --quick     # 100,000 entries, one run
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import missionlens as ml
from missionlens.assessments.formats import load_sources

sys.path.insert(0, str(Path(__file__).parent))
from bench_io import make_table


def best(run: object, repeat: int) -> float:
    """The shortest wall time of ``repeat`` calls of ``run()``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100,000 entries, one run")
    args = parser.parse_args()
    sizes, repeat = ([100_000], 1) if args.quick else (args.sizes, args.repeat)
    fw = ml.load_framework("whole-of-mission")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            table = make_table(fw, size)
            path = Path(folder) / "t.csv"
            ml.write_assessments(table, path)
            pandas_s = best(
                lambda p=path: pd.read_csv(p, dtype=str, keep_default_na=False, engine="c"), repeat
            )
            reader_s = best(lambda p=path: load_sources(p, fw), repeat)
            full_s = best(lambda p=path: ml.read_assessments(p, framework=fw), repeat)
            rows.append(
                {
                    "entries": len(table),
                    "MB": round(path.stat().st_size / 1e6, 1),
                    "pandas_read_csv_s": round(pandas_s, 2),
                    "csv_reader_s": round(reader_s, 2),
                    "reader/pandas": round(reader_s / pandas_s, 2),
                    "read_assessments_s": round(full_s, 2),
                    "full/pandas": round(full_s / pandas_s, 2),
                }
            )
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
