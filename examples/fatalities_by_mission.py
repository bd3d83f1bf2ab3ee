"""Score real mission-years on peacekeeper fatalities from malicious acts, and plot them.

Data: the tables shipped in missionlens.datasets (UN NOTICAS fatalities; SIPRI and IPI
personnel, 1993-2016). The indicator ``env_fatalities_malicious`` of the whole-of-mission
framework has goalposts 0 and 3 deaths per 1,000 uniformed personnel per year, lower is better.

Run: python examples/fatalities_by_mission.py  (writes fatalities.csv and fatalities.png)
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

import missionlens as ml

MISSIONS = ["MINUSMA", "MINUSCA", "UNAMID", "MONUSCO", "UNMISS", "UNMIL", "UNOCI"]


def main() -> None:
    fw = ml.load_framework("whole-of-mission")
    data = ml.datasets.load_mission_year_indicators()
    data = data[data["mission"].isin(MISSIONS)]
    wide = pd.DataFrame(
        {
            "mission": data["mission"],
            "period": data["year"].astype(str),
            "env_fatalities_malicious": data["malicious_deaths_uniformed_per_1000"],
        }
    ).reset_index(drop=True)
    profiles = ml.score(wide, framework=fw)
    scores = profiles.wide()["env_fatalities_malicious"].unstack("period")
    print(f"Source: {data.attrs['source']}")
    print(scores.round(0).to_string(na_rep="."))
    scores.to_csv("fatalities.csv")
    fig, ax = plt.subplots(figsize=(9, 5))
    ml.plot_lifecycle(profiles, node="env_fatalities_malicious", phase=None, ax=ax)
    fig.tight_layout()
    fig.savefig("fatalities.png", dpi=120)
    print("wrote fatalities.csv and fatalities.png")


if __name__ == "__main__":
    main()
