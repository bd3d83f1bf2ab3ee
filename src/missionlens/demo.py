"""The demo behind ``missionlens demo``: the three daily jobs end to end.

1. *Score missions*: synthetic ratings by three analysts of three **fictional** missions
   against the built-in whole-of-mission framework are validated, consolidated, checked for
   inter-rater agreement and scored into profiles.
2. *Compare missions* across dimensions and levels.
3. *Plot lifecycle phase assessments*, and score **real** mission-years on one data-backed
   indicator (peacekeeper fatalities from malicious acts per 1,000 personnel, from the shipped
   public data).

The ratings are generated, not judgements about any real mission; the fatality rates are real.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from missionlens.analysis.agreement import agreement
from missionlens.assessments.consolidation import consolidate
from missionlens.assessments.excel_template import write_template
from missionlens.assessments.validation import validate
from missionlens.assessments.xlsform import write_xlsform
from missionlens.datasets import load_mission_year_indicators
from missionlens.framework.model import Framework
from missionlens.framework.registry import load_framework
from missionlens.plot import (
    plot_comparison,
    plot_facets,
    plot_lifecycle,
    plot_profile,
)
from missionlens.scoring.profiles import Profiles, score
from missionlens.scoring.recipe import Recipe

__all__ = ["REAL_MISSIONS", "fatality_profiles", "run_demo", "synthetic_assessments"]

#: Fictional missions of the demo, with their phase in each period.
DEMO_PHASES: dict[str, list[str]] = {
    "Mission A": ["implementation", "implementation", "implementation", "implementation"],
    "Mission B": ["start_up", "start_up", "implementation", "implementation"],
    "Mission C": ["implementation", "drawdown", "transition", "exit"],
}
DEMO_PERIODS: list[str] = ["2023-H1", "2023-H2", "2024-H1", "2024-H2"]
RATERS: list[str] = ["analyst-1", "analyst-2", "analyst-3"]

#: Real missions scored on malicious-act fatalities per 1,000 personnel (2008-2016).
REAL_MISSIONS: list[str] = ["MINUSMA", "MINUSCA", "UNAMID", "MONUSCO", "UNMISS"]


def synthetic_assessments(framework: Framework, seed: int = 2018) -> pd.DataFrame:
    """Synthetic entries of three raters for the fictional missions (seeded, reproducible).

    Each mission has a latent quality per dimension that drifts over the periods; each rater
    adds noise, and rubric values are rounded to the levels. Numeric indicators get plausible
    values between their goalposts, entered once by a data officer. Only indicators that apply
    in the mission's phase are rated.
    """
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    dims = [d.id for d in framework.dimensions]
    for m, (mission, phases) in enumerate(DEMO_PHASES.items()):
        base = rng.uniform(2.2, 3.8, len(dims))
        trend = rng.normal(0.15 * (1 - m), 0.1, len(dims))
        for t, (period, phase) in enumerate(zip(DEMO_PERIODS, phases, strict=True)):
            for ind in framework.indicators_in_phase(phase):
                d = dims.index(framework.dimension_of(ind.id) or dims[0])
                latent = base[d] + trend[d] * t
                scale = framework.scale(ind.scale)
                if scale.kind == "rubric":
                    for r, rater in enumerate(RATERS):
                        value = float(np.clip(np.rint(latent + rng.normal(0, 0.6)), 1, 5))
                        rows.append(_entry(mission, period, phase, ind.id, value, rater, rng, r))
                else:
                    low, high = framework.goalposts(ind.id) or (0.0, 1.0)
                    quality = (latent - 1) / 4 if ind.direction == 1 else (5 - latent) / 4
                    value = round(low + (high - low) * float(np.clip(quality, 0, 1)), 2)
                    rows.append(_entry(mission, period, phase, ind.id, value, "data-officer", rng))
    table = pd.DataFrame(rows)
    table["framework_id"] = framework.id
    table["framework_version"] = framework.version
    table["framework_fingerprint"] = framework.fingerprint
    return table


def _entry(
    mission: str,
    period: str,
    phase: str,
    indicator: str,
    value: float,
    rater: str,
    rng: np.random.Generator,
    r: int = 0,
) -> dict[str, Any]:
    return {
        "mission": mission,
        "period": period,
        "phase": phase,
        "indicator": indicator,
        "value": value,
        "rater": rater,
        "confidence": ["low", "medium", "high"][int(rng.integers(0, 3))],
        "evidence": f"Synthetic entry for the missionlens demo (rater {r + 1}).",
        "sources": "missionlens demo generator",
    }


def fatality_profiles(framework: Framework) -> Profiles:
    """Real mission-years scored on ``env_fatalities_malicious`` (2008-2016, shipped data).

    No lifecycle phase is assigned: the data do not say which phase a mission was in. The
    rate counts fatalities of uniformed personnel from malicious acts per 1,000 uniformed
    personnel (mean monthly strength), as the indicator defines it; see
    ``missionlens/data/README.md``.
    """
    data = load_mission_year_indicators()
    data = data[data["mission"].isin(REAL_MISSIONS) & data["year"].between(2008, 2016)]
    wide = pd.DataFrame(
        {
            "mission": data["mission"],
            "period": data["year"].astype(str),
            "env_fatalities_malicious": data["malicious_deaths_uniformed_per_1000"],
        }
    )
    return score(wide.reset_index(drop=True), framework=framework)


def run_demo(out_dir: str | Path = "missionlens-demo", *, echo: Any = print) -> dict[str, Path]:
    """Run the demo, print what happens, and write its outputs to ``out_dir``.

    Returns
    -------
    dict
        Output name -> path of every file written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    fw = load_framework("whole-of-mission")
    echo(fw.summary())

    echo("\n== 1. Validate what analysts entered (synthetic ratings, fictional missions)")
    entries = synthetic_assessments(fw)
    flawed = entries.copy()
    flawed.loc[3, "value"] = 7  # a typo: outside the 1-5 rubric
    flawed.loc[10, "indicator"] = "pol_99"  # an indicator the framework does not have
    report = validate(flawed, framework=fw)
    echo(str(report))
    report = validate(entries, framework=fw)
    table = report.table
    if not report.ok or table is None:
        raise RuntimeError(f"the demo's own entries do not validate:\n{report}")
    echo(f"clean batch: {len(table)} entries by {table['rater'].nunique()} raters, no problems")

    echo("\n== 2. Consolidate several analysts and measure their agreement")
    consolidated = consolidate(table, framework=fw)
    flagged = int(consolidated["disagreement"].sum())
    echo(
        f"{len(consolidated)} mission-period-indicator cells; raters disagree by two rubric "
        f"levels or more on {flagged}"
    )
    alpha = agreement(table, level="ordinal", framework=fw)
    echo(alpha[alpha["scope"] != "indicator"].round(3).to_string(index=False))

    echo("\n== 3. Score into comparable profiles")
    recipe = Recipe.default()
    profiles = score(table, framework=fw, recipe=recipe)
    latest = profiles.wide(node_type="dimension").xs(DEMO_PERIODS[-1], level="period")
    root = profiles.wide(node_type="root").xs(DEMO_PERIODS[-1], level="period")
    echo(pd.concat([root, latest], axis=1).round(1).to_string())
    echo(
        "\n(Missions in different lifecycle phases are rated on different indicators: Mission C "
        "is in exit, the others in implementation. Read ranks across phases with care.)"
    )
    echo("\nRanks on the whole-of-mission score, " + DEMO_PERIODS[-1] + ":")
    ranks = profiles.rank()
    echo(ranks[ranks["period"] == DEMO_PERIODS[-1]].round(1).to_string(index=False))
    levels = profiles.wide(view="level").xs(DEMO_PERIODS[-1], level="period")
    echo("\nBy level (finding 15):\n" + levels.round(1).to_string())

    echo("\n== 4. Real data: malicious-act fatalities per 1,000 personnel, scored")
    real = fatality_profiles(fw)
    rates = real.wide()["env_fatalities_malicious"].unstack("period").round(1)
    echo(
        "(uniformed fatalities from malicious acts per 1,000 uniformed personnel: score 100 = "
        "none, 0 = 3 or more per year; sources: UN NOTICAS, SIPRI and IPI)"
    )
    echo(rates.to_string(na_rep="-"))

    written["profiles"] = profiles.save(out / "profiles.zip")
    recipe.to_yaml(out / "recipe.yaml")
    written["recipe"] = out / "recipe.yaml"
    written["scores"] = profiles.to_csv(out / "scores.csv")
    written["template"] = write_template(
        fw,
        out / "template.xlsx",
        missions=["Mission A", "Mission B"],
        phase="implementation",
        period="2025-H1",
    )
    written["xlsform"] = write_xlsform(fw, out / "xlsform.xlsx", phase="implementation")
    figures: dict[str, Callable[[Axes], Axes]] = {
        "profile": lambda ax: plot_profile(
            profiles,
            mission="Mission A",
            period=DEMO_PERIODS[-1],
            compare=["Mission B", "Mission C"],
            ax=ax,
        ),
        "comparison": lambda ax: plot_comparison(profiles, period=DEMO_PERIODS[-1], ax=ax),
        "lifecycle": lambda ax: plot_lifecycle(profiles, ax=ax),
        "levels": lambda ax: plot_facets(
            profiles, mission="Mission C", period=DEMO_PERIODS[1], view="level", ax=ax
        ),
        "fatalities": lambda ax: plot_lifecycle(real, node="env_fatalities_malicious", ax=ax),
    }
    for name, draw in figures.items():
        fig = Figure(figsize=(8, 4.5))  # no pyplot: the user's backend is left alone
        draw(fig.subplots())
        fig.tight_layout()
        path = out / f"{name}.png"
        fig.savefig(path, dpi=120)
        written[name] = path
    echo("\n== Files written")
    for name, path in written.items():
        echo(f"  {name:<11} {path}")
    return written
