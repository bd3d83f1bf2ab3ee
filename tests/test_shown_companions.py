"""Weight-0 companions of whole-of-mission v2 are shown, not scored: listed, never warned.

Version 2 gives six indicators weight 0 on purpose (the count of malicious-act fatalities beside
the rate, the raw share of women beside each share of the parity target; see the header of
``whole-of-mission-v2.yaml``). Their values are in no score, so :attr:`Profiles.unused` lists
them (nothing silently dropped); but an intentional zero weight is not an incomplete score, so
no :class:`IncompleteScoreWarning` is raised. A weight the recipe sets to 0 still warns
(``tests/test_accounting.py::test_zero_weight_value_is_unused_and_not_counted``).
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import missionlens as ml
from missionlens.errors import IncompleteScoreWarning

SHOWN = {
    "env_fatalities_malicious_count",
    "wps_share_military_contingents",
    "wps_share_staff_officers_military_observers",
    "wps_share_formed_police_units",
    "wps_share_individual_police_officers",
    "wps_share_justice_corrections",
}


def _every_indicator(fw: ml.Framework, phase: str = "implementation") -> pd.DataFrame:
    """One mission-period with every indicator that applies in ``phase`` entered (rubrics at
    level 3, numeric values halfway between the goalposts)."""
    row: dict[str, object] = {"mission": "A", "period": "2024", "phase": phase}
    for ind in fw.indicators_in_phase(phase):
        if fw.scale(ind.scale).kind == "rubric":
            row[ind.id] = 3
        else:
            low, high = fw.goalposts(ind.id) or (0.0, 1.0)
            row[ind.id] = (low + high) / 2
    return pd.DataFrame([row])


def test_v2_declares_six_shown_companions() -> None:
    fw = ml.load_framework("whole-of-mission")
    assert fw.version == "2"
    assert {i.id for i in fw.indicators if i.weight == 0} == SHOWN


def test_v2_profile_with_every_companion_rated_does_not_warn() -> None:
    fw = ml.load_framework("whole-of-mission")
    data = _every_indicator(fw)
    assert set(data.columns) >= SHOWN
    with warnings.catch_warnings():
        warnings.simplefilter("error", IncompleteScoreWarning)
        profiles = ml.score(data, framework=fw)
    unused = profiles.unused
    assert set(unused["indicator"]) == SHOWN and len(unused) == len(SHOWN)
    assert (unused["reason"] == "zero_weight").all()
    assert unused["detail"].str.contains("shows it beside the scores, not scored").all()
    # the values are kept as entered: the count of 14 (halfway between 0 and 28) is listed
    count = unused.set_index("indicator").loc["env_fatalities_malicious_count"]
    assert count["value"] == 14.0 and count["node"] == "env_threats"
    # logged, not warned; and the headline is complete
    log = profiles.log
    shown = log[(log["step"] == "accounting") & log["message"].str.contains("shown, not scored")]
    assert len(shown) >= 2  # at least the fatality count (context) and the shares (performance)
    summary = profiles.summary()
    assert bool(summary["complete"].iat[0]) and bool(summary["context_complete"].iat[0])


def test_recipe_weight_zero_on_v2_still_warns() -> None:
    fw = ml.load_framework("whole-of-mission")
    data = _every_indicator(fw)
    recipe = ml.Recipe.default().with_params("weight", overrides={"pol_consent": 0.0})
    with pytest.warns(IncompleteScoreWarning, match="1 entered value") as caught:
        profiles = ml.score(data, framework=fw, recipe=recipe)
    assert len(caught) == 1 and "pol_consent" not in SHOWN
    unused = profiles.unused
    assert set(unused["indicator"]) == SHOWN | {"pol_consent"}
    assert "not scored" not in unused.set_index("indicator").loc["pol_consent", "detail"]
