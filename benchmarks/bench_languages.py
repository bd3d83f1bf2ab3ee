"""What a working language costs: templates, forms, plots and reports in en, fr and ar.

For the built-in whole-of-mission framework (phase implementation, 3 missions), times
``write_template`` in each language, ``write_xlsform`` with one and with three languages, a
profile plot in each language (Arabic is shaped and reordered string by string) and a mission
report in each language (Babel number formats). Each French or Arabic text the built-in lacks
falls back to English, so the figures hold until the translation files exist and then measure
the real lookups; the number of fallbacks is printed. No target: a template should stay well
under a second.

Usage::

    python benchmarks/bench_languages.py [--rounds 5] [--quick]
"""

from __future__ import annotations

import argparse
import tempfile
import warnings
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from _common import alternate, machine, show, timing_table

import missionlens as ml
from missionlens.demo import synthetic_assessments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1 round")
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds
    fw = ml.load_framework("whole-of-mission")
    folder = Path(tempfile.mkdtemp())
    missions = ["MINUSCA", "MONUSCO", "UNIFIL"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        profiles = ml.score(synthetic_assessments(fw), framework=fw)
    print(machine())
    cases: dict[str, Any] = {}
    for lang in ("en", "fr", "ar"):
        cases[f"template {lang}"] = lambda lang=lang: ml.write_template(
            fw, folder / f"t-{lang}.xlsx", missions=missions, phase="implementation", lang=lang
        )
    cases["xlsform (no langs)"] = lambda: ml.write_xlsform(
        fw, folder / "f0.xlsx", phase="implementation", missions=missions
    )
    cases["xlsform en,fr,ar"] = lambda: ml.write_xlsform(
        fw, folder / "f3.xlsx", phase="implementation", missions=missions, langs=["en", "fr", "ar"]
    )

    def plot(lang: str) -> None:
        fig, ax = plt.subplots(layout="constrained")
        ml.plot_profile(profiles, mission="Mission A", ax=ax, lang=lang)
        fig.canvas.draw()
        plt.close(fig)

    def report(lang: str) -> Path:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ml.report(profiles, folder / f"r-{lang}.html", mission="Mission A", lang=lang)

    for lang in ("en", "fr", "ar"):
        cases[f"plot_profile {lang}"] = lambda lang=lang: plot(lang)
    for lang in ("en", "fr", "ar"):
        cases[f"report {lang}"] = lambda lang=lang: report(lang)
    timings = alternate(cases, rounds)
    show(timing_table(list(timings.values()), baseline="template en"))
    fallbacks = fw.text_fallbacks
    print(
        f"fallbacks to English recorded: {len(fallbacks)} "
        f"({', '.join(f'{k} {v}' for k, v in fallbacks['language'].value_counts().items())})"
    )


if __name__ == "__main__":
    main()
