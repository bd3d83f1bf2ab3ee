"""Benchmark: loading built-in frameworks (read and checked vs cached), listing, diffing,
effective weights and the reference page of the whole-of-mission framework.

Cases, in alternating rounds (median of ``--rounds``, 7 by default):

* ``read + check v1``: ``Framework.from_yaml`` of the built-in file (what an uncached load did
  every time, and what a framework file given by path still does);
* ``load_framework cached``: ``ml.load_framework("whole-of-mission@1")`` after the first call;
* ``list_frameworks``: one row per built-in version (each loaded from the cache);
* ``diff v1 v1``: ``ml.diff_frameworks`` of version 1 with itself (every element compared);
* ``effective_weights``: ``Framework.effective_weights()`` of version 1;
* ``render page``: the Markdown reference page of version 1 (docs/build_framework_docs.py).

Usage::

    python benchmarks/bench_frameworks.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

from _common import alternate, machine, show, timing_table

import missionlens as ml
from missionlens.framework import registry

ROOT = Path(__file__).resolve().parents[1]


def _page_builder() -> object:
    spec = importlib.util.spec_from_file_location(
        "build_framework_docs", ROOT / "docs" / "build_framework_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    print(machine())
    text = registry.read_builtin("whole-of-mission-v1.yaml")
    fw = ml.load_framework("whole-of-mission@1")
    builder = _page_builder()
    cases = {
        "read + check v1": lambda: ml.Framework.from_yaml(text),
        "load_framework cached": lambda: ml.load_framework("whole-of-mission@1"),
        "list_frameworks": ml.list_frameworks,
        "diff v1 v1": lambda: ml.diff_frameworks(fw, fw),
        "effective_weights": fw.effective_weights,
        "render page": lambda: builder.render(fw),  # type: ignore[attr-defined]
    }
    timings = alternate(cases, args.rounds)
    print(f"median of {args.rounds} alternating rounds; {len(fw.indicators)} indicators")
    show(timing_table(list(timings.values()), baseline="read + check v1"))


if __name__ == "__main__":
    main()
