"""Score real mission-years on peacekeeper fatalities from malicious acts, and plot them.

Data: the tables shipped in missionlens.datasets (UN NOTICAS fatalities; SIPRI and IPI
personnel, 1993-2016). In the whole-of-mission framework (version 2) the indicator
``env_fatalities_malicious`` is the annualised rate of uniformed peacekeepers killed by
malicious acts per 1,000 uniformed personnel, with goalposts 0 (score 100) and 1.25 (score 0),
lower is better. It is a *context* indicator (the hostility of the theatre, not the mission's
performance), so its score is in the profiles' ``context`` view. The count of deaths,
``env_fatalities_malicious_count``, is entered beside it and shown, not scored (weight 0). With
fewer than 1,000 uniformed personnel the rate does not apply (one death moves it by more than
1): such mission-years get no rate, only the count.

Run: python examples/fatalities_by_mission.py  (writes fatalities.csv and fatalities.png)
"""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import pandas as pd

import missionlens as ml
from missionlens.text import quote_series

MISSIONS = ["MINUSMA", "MINUSCA", "UNAMID", "MONUSCO", "UNMISS", "UNMIL", "UNOCI"]
RATE, COUNT = "env_fatalities_malicious", "env_fatalities_malicious_count"


def main() -> None:
    fw = ml.load_framework("whole-of-mission")
    data = ml.datasets.load_mission_year_indicators()
    data = data[data["mission"].isin(MISSIONS)].reset_index(drop=True)
    small = data["total"] < 1000  # the rate's not_applicable_when
    wide = pd.DataFrame(
        {
            "mission": data["mission"],
            "period": data["year"].astype(str),
            RATE: data["malicious_deaths_uniformed_per_1000"].where(~small),
            COUNT: data["fatalities_malicious_uniformed"].astype(float),
        }
    )
    # The rate is the only data-backed indicator of its sub-dimension (env_threats), too little
    # of its weight for a sub-dimension score: ml.score says so (IncompleteScoreWarning) and
    # lists the values in profiles.unused; what this example reads is the indicator's score.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ml.IncompleteScoreWarning)
        profiles = ml.score(wide, framework=fw)
    for warning in caught:
        print(f"note: {warning.message}")
    print(profiles.unused["reason"].value_counts().to_string())
    scores = profiles.wide(view="context")[RATE].unstack("period")
    print(f"Source: {data.attrs['source']}")
    print(f"{int(small.sum())} mission-year(s) under 1,000 uniformed personnel: no rate")
    print(scores.round(0).to_string(na_rep="."))
    rated = profiles.wide(view="context")[RATE].rename("score")
    table = wide.join(rated, on=["mission", "period"])
    table["mission"] = quote_series(table["mission"].astype(object))  # no formula in a cell
    table.to_csv("fatalities.csv", index=False)
    fig, ax = plt.subplots(figsize=(9, 5))
    ml.plot_lifecycle(profiles, node=RATE, phase=None, ax=ax)
    fig.tight_layout()
    fig.savefig("fatalities.png", dpi=120)
    print("wrote fatalities.csv and fatalities.png")


if __name__ == "__main__":
    main()
