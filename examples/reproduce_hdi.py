"""The scoring engine on a published index: the UNDP Human Development Index 2021.

The HDI framework (goalposts with caps, log income, arithmetic mean of the two education
indices, geometric mean of the three dimensions) is ``tests/data/hdi/hdi.yaml``; the data are
the components and published values of HDR 2021/2022 Table 1 (see tests/data/hdi/README.md).

Run from the repository: python examples/reproduce_hdi.py  (writes hdi_check.csv)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import missionlens as ml

HDI = Path(__file__).resolve().parents[1] / "tests" / "data" / "hdi"


def main() -> None:
    fw = ml.load_framework(HDI / "hdi.yaml")
    published = pd.read_csv(HDI / "hdi_2021.csv", keep_default_na=False, na_values=[""])
    wide = published.drop(columns=["country", "hdi"]).rename(columns={"iso3": "mission"})
    wide.insert(1, "period", "2021")
    profiles = ml.score(wide, framework=fw)
    ours = profiles.wide(node_type="root")["hdi"].droplevel("period") / 100
    check = published.set_index("iso3")[["country", "hdi"]].assign(
        recomputed=ours, difference=lambda t: (t["recomputed"] - t["hdi"]).abs()
    )
    worst = check["difference"].max()
    within = int((check["difference"] <= 0.0005 + 1e-12).sum())
    print(
        f"{within} of {len(check)} countries within the published rounding (largest gap "
        f"{worst:.6f})"
    )
    print(check.sort_values("hdi", ascending=False).head(5).round(4).to_string())
    check.to_csv("hdi_check.csv")


if __name__ == "__main__":
    main()
