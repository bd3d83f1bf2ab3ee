"""Every entered value accounted for: unused values, weight shares, incomplete scores.

The expected numbers are worked out by hand in the comments, from the definitions of the
OECD/JRC (2008) *Handbook on Constructing Composite Indicators* (section 1.7: weighted
arithmetic aggregation; missing data left out with the weights of those present rescaled) and
of the ``reweight`` rule documented in ``missionlens.scoring.kernels.aggregate``.
"""

from __future__ import annotations

import io
import json
import os
import stat
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import missionlens as ml
from missionlens.cli import main
from missionlens.errors import IncompleteScoreWarning
from missionlens.framework.elements import ROOT_MISSING_RULE
from missionlens.scoring.profiles import UNUSED_COLUMNS

SMALL = Path(__file__).parent / "data" / "frameworks" / "small.yaml"


def _framework(root_missing: dict[str, Any] | None = None) -> ml.Framework:
    """Small tree: index (arithmetic) > pol (pol_01, pol_02) and env (env_sec, env_03);
    env_sec > env_01 (weight 1) and env_02 (weight 3). Rubric 1-5, linear: 1 -> 0, 5 -> 100."""
    root: dict[str, Any] = {"id": "index", "name": "Overall", "parent": None}
    if root_missing is not None:
        root["missing"] = root_missing
    return ml.Framework.from_dict(
        {
            "id": "acc",
            "version": "1",
            "title": "Accounting test framework",
            "scales": [
                {
                    "kind": "rubric",
                    "id": "r5",
                    "levels": [{"value": v, "label": f"L{v}"} for v in range(1, 6)],
                }
            ],
            "nodes": [
                root,
                {"id": "pol", "name": "Politics", "parent": "index"},
                {"id": "env", "name": "Environment", "parent": "index"},
                {"id": "env_sec", "name": "Security", "parent": "env"},
            ],
            "indicators": [
                {"id": "pol_01", "name": "P1", "parent": "pol", "scale": "r5"},
                {"id": "pol_02", "name": "P2", "parent": "pol", "scale": "r5"},
                {"id": "env_01", "name": "E1", "parent": "env_sec", "scale": "r5"},
                {"id": "env_02", "name": "E2", "parent": "env_sec", "scale": "r5", "weight": 3},
                {"id": "env_03", "name": "E3", "parent": "env", "scale": "r5", "level": "tactical"},
            ],
        }
    )


def _unit(**values: float) -> pd.DataFrame:
    return pd.DataFrame([{"mission": "A", "period": "2024", **values}])


def _row(profiles: ml.Profiles, node: str, view: str = "tree") -> pd.Series:
    table = profiles.to_frame(view)
    return table[table["node"] == node].iloc[0]


def _score_quietly(data: pd.DataFrame, **kwargs: Any) -> ml.Profiles:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IncompleteScoreWarning)
        return ml.score(data, **kwargs)


# ----------------------------------------------------------------------- below the min share
def test_subdimension_below_min_share_is_accounted_for() -> None:
    fw = _framework()
    data = _unit(pol_01=5, pol_02=3, env_01=4, env_03=2)
    with pytest.warns(IncompleteScoreWarning, match=r"1 below_min_share at 'env_sec'"):
        profiles = ml.score(data, framework=fw)

    # env_sec: env_01 (weight 1) rated, env_02 (weight 3) not: weight share 1/4 < 0.5 -> no
    # score, while coverage counts indicators: 1 of 2
    sec = _row(profiles, "env_sec")
    assert np.isnan(sec["score"])
    assert sec["weight_share"] == pytest.approx(0.25)
    assert sec["coverage"] == pytest.approx(0.5)
    assert sec["missing_children"] == "env_02" and not sec["complete"]
    assert sec["n_indicators"] == 0 and sec["n_values"] == 1

    # env: env_sec (no score) and env_03 (2 -> 25), equal weights: share 1/2, enough for 0.5;
    # coverage 2 of its 3 indicators; the score rests on env_03 only
    env = _row(profiles, "env")
    assert env["score"] == pytest.approx(25.0)
    assert env["weight_share"] == pytest.approx(0.5)
    assert env["coverage"] == pytest.approx(2 / 3)
    assert env["missing_children"] == "env_sec" and not env["complete"]
    assert env["n_indicators"] == 1 and env["n_values"] == 2

    # the root has both dimensions: (75 + 25) / 2 = 50, complete
    root = _row(profiles, "index")
    assert root["score"] == pytest.approx(50.0)
    assert root["complete"] and root["missing_children"] == ""

    unused = profiles.unused
    assert list(unused.columns) == list(UNUSED_COLUMNS)
    assert len(unused) == 1
    entry = unused.iloc[0]
    assert (entry["mission"], entry["period"], entry["indicator"]) == ("A", "2024", "env_01")
    assert (entry["node"], entry["value"], entry["reason"]) == ("env_sec", 4.0, "below_min_share")
    assert "25%" in entry["detail"] and "50%" in entry["detail"] and "env_02" in entry["detail"]
    assert entry["used_in"] == ""  # env_01 has no level: in no facet view either

    log = profiles.log
    assert (log["step"] == "accounting").sum() == 1
    assert "below_min_share at 'env_sec'" in log["message"].iloc[-1]


def test_value_in_a_facet_view_but_not_in_the_tree_says_where() -> None:
    fw = _framework()
    # env_03 (tactical) alone is not enough for env (share 1/2 needs 0.5: it is enough), so
    # make env_03 unused with propagate at env and show it still in the level view
    recipe = ml.Recipe.default().with_params("aggregate", overrides={"env": {"rule": "propagate"}})
    data = _unit(pol_01=5, pol_02=3, env_03=2)
    with pytest.warns(IncompleteScoreWarning):
        profiles = ml.score(data, framework=fw, recipe=recipe)
    unused = profiles.unused
    assert unused["indicator"].tolist() == ["env_03"]
    entry = unused.iloc[0]
    assert entry["reason"] == "propagated_missing" and entry["node"] == "env"
    assert "env_sec" in entry["detail"]
    assert entry["used_in"] == "level:tactical"
    assert _row(profiles, "tactical", "level")["score"] == pytest.approx(25.0)


def test_zero_weight_value_is_unused_and_not_counted() -> None:
    fw = _framework()
    recipe = ml.Recipe.default().with_params("weight", overrides={"pol_02": 0.0})
    data = _unit(pol_01=5, pol_02=1, env_01=4, env_02=4, env_03=2)
    with pytest.warns(IncompleteScoreWarning, match="zero_weight"):
        profiles = ml.score(data, framework=fw, recipe=recipe)
    unused = profiles.unused
    assert unused[["indicator", "node", "reason"]].values.tolist() == [
        ["pol_02", "pol", "zero_weight"]
    ]
    pol = _row(profiles, "pol")
    assert pol["score"] == pytest.approx(100.0)  # pol_01 alone: 5 -> 100
    assert pol["n_indicators"] == 1 and pol["n_values"] == 2


def test_everything_used_gives_an_empty_table_and_no_warning() -> None:
    fw = _framework()
    data = _unit(pol_01=5, pol_02=3, env_01=4, env_02=2, env_03=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", IncompleteScoreWarning)
        profiles = ml.score(data, framework=fw)
    unused = profiles.unused
    assert unused.empty and list(unused.columns) == list(UNUSED_COLUMNS)
    tree = profiles.to_frame()
    assert tree["complete"].all() and (tree["missing_children"] == "").all()
    # env_sec: (75 * 1 + 25 * 3) / 4 = 37.5; env: (37.5 + 25) / 2; root: mean of 75 and that
    assert _row(profiles, "index")["score"] == pytest.approx((75 + (37.5 + 25) / 2) / 2)
    assert (profiles.log.get("step", pd.Series(dtype=object)) != "accounting").all()


def test_nothing_entered_below_a_node_is_not_unused() -> None:
    fw = _framework()
    data = _unit(pol_01=5, pol_02=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", IncompleteScoreWarning)  # root missing, not partial
        profiles = ml.score(data, framework=fw)
    assert profiles.unused.empty
    root = _row(profiles, "index")
    assert np.isnan(root["score"]) and root["missing_children"] == "env"
    assert root["weight_share"] == pytest.approx(0.5)


# --------------------------------------------------------------------------------- root rule
def test_root_default_requires_every_dimension() -> None:
    fw = _framework()
    assert fw.root.missing == ROOT_MISSING_RULE == ml.Framework.from_yaml(SMALL).root.missing
    assert fw.node("env").missing.min_share == 0.5
    assert ml.load_framework("whole-of-mission").root.missing.min_share == 1.0
    # the rule survives a round trip through YAML, both the default and an explicit 0.5
    assert ml.Framework.from_yaml(fw.to_yaml()).fingerprint == fw.fingerprint
    lenient = _framework({"rule": "reweight", "min_share": 0.5})
    again = ml.Framework.from_yaml(lenient.to_yaml())
    assert again.root.missing.min_share == 0.5 and again.fingerprint == lenient.fingerprint


def test_root_computed_without_a_dimension_is_incomplete_and_warned() -> None:
    fw = _framework()
    data = pd.DataFrame(
        [
            {"mission": "B", "period": "2024", "pol_01": 4, "pol_02": 4},
            {"mission": "C", "period": "2024", "pol_01": 5, "pol_02": 5, "env_03": 5},
        ]
    )
    recipe = ml.Recipe.default().with_params("aggregate", overrides={"index": {"min_share": 0.5}})
    with pytest.warns(IncompleteScoreWarning, match=r"'index' is incomplete.*B 2024.*env"):
        profiles = ml.score(data, framework=fw, recipe=recipe)
    wide = profiles.wide(node_type="root", value="complete")
    assert wide.loc[("B", "2024"), "index"] == False  # noqa: E712 (numpy bool)
    assert wide.loc[("C", "2024"), "index"] == True  # noqa: E712
    root_b = profiles.to_frame().query("mission == 'B' and node == 'index'").iloc[0]
    assert root_b["score"] == pytest.approx(75.0) and root_b["missing_children"] == "env"
    log = profiles.log
    assert log[log["step"] == "accounting"]["reason"].tolist() == ["incomplete"]
    # with the default root rule the same data gives no root score for B instead
    strict = _score_quietly(data, framework=fw)
    assert np.isnan(strict.wide().loc[("B", "2024"), "index"])


def test_cli_score_prints_the_warning(tmp_path: Path) -> None:
    table = tmp_path / "entries.csv"
    table.write_text(
        "mission,period,phase,indicator,value,rater\n"
        "A,2024-H1,implementation,pol_01,4,r1\n"
        "A,2024-H1,implementation,env_01,1,r1\n",
        encoding="utf-8",
    )
    out = tmp_path / "p.zip"
    result = CliRunner().invoke(main, ["score", str(table), "-f", str(SMALL), "-o", str(out)])
    assert result.exit_code == 0, result.output
    # small.yaml: env_sec has env_01 and env_02 of equal weight: 1/2 is enough; pol has
    # pol_01 (1) and pol_02 (0.5): 2/3; the root needs env too, whose env_03 does not apply
    # in implementation, so everything is used; now a value dropped below min share:
    assert "warning" not in result.output
    table.write_text(
        "mission,period,phase,indicator,value,rater\nA,2024-H1,implementation,pol_02,4,r1\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["score", str(table), "-f", str(SMALL), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "warning: 1 entered value(s) are in no score of the tree" in result.output
    assert "below_min_share at 'pol'" in result.output


# ------------------------------------------------------------------------------- save / load
def test_save_respects_the_umask(tmp_path: Path) -> None:
    profiles = _score_quietly(_unit(pol_01=5, pol_02=3), framework=_framework())
    old = os.umask(0o022)
    try:
        path = profiles.save(tmp_path / "p.zip")
        os.umask(0o027)
        other = profiles.save(tmp_path / "q.zip")
    finally:
        os.umask(old)
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        assert stat.S_IMODE(other.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.zip", "q.zip"]  # no temp file
    loaded = ml.Profiles.load(path)
    assert loaded.equals(profiles)
    pd.testing.assert_frame_equal(loaded.unused, profiles.unused)


def test_failed_save_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    profiles = _score_quietly(_unit(pol_01=5, pol_02=3), framework=_framework())

    def broken(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="No space"):
        profiles.save(tmp_path / "p.zip")
    assert list(tmp_path.iterdir()) == []


def test_profiles_saved_before_the_accounting_columns_still_load(tmp_path: Path) -> None:
    # as the previous version wrote them: a root rule equal to the old default (reweight 0.5)
    # left out of framework.yaml, no accounting columns, no unused.parquet
    fw = _framework({"rule": "reweight", "min_share": 0.5})
    data = _unit(pol_01=5, pol_02=3, env_01=4)
    profiles = _score_quietly(data, framework=fw)
    new = profiles.save(tmp_path / "new.zip")
    old = tmp_path / "old.zip"
    with zipfile.ZipFile(new) as src, zipfile.ZipFile(old, "w") as dst:
        for name in src.namelist():
            payload = src.read(name)
            if name == "unused.parquet":
                continue
            if name == "framework.yaml":
                raw = yaml.safe_load(payload)
                del raw["nodes"][0]["missing"]
                payload = yaml.safe_dump(raw, sort_keys=False).encode("utf-8")
            if name == "scores.parquet":
                table = pd.read_parquet(io.BytesIO(payload))
                table = table.drop(columns=["weight_share", "missing_children", "complete"])
                buffer = io.BytesIO()
                table.drop(columns=["n_values"]).to_parquet(buffer, index=False)
                payload = buffer.getvalue()
            if name == "log.json":
                payload = b"[]"
            if name == "meta.json":  # files of that version stored no member hashes
                meta = json.loads(payload)
                del meta["members"]
                payload = json.dumps(meta).encode("utf-8")
            dst.writestr(name, payload)
    loaded = ml.Profiles.load(old)
    assert loaded.framework.root.missing.min_share == 0.5
    assert loaded.equals(profiles)
    pd.testing.assert_frame_equal(loaded.unused, profiles.unused)
    assert loaded.unused["indicator"].tolist() == ["env_01"]


def test_value_lost_in_a_step_is_not_computable() -> None:
    fw = ml.Framework.from_yaml(SMALL)
    recipe = ml.Recipe.default().with_step(
        "denominate", index=0, indicators=["env_01"], by="personnel", multiplier=1000
    )
    data = _unit(pol_01=5, pol_02=5, env_01=2.0, env_02=1, personnel=0)
    with pytest.warns(IncompleteScoreWarning, match="not_computable at 'env_01'"):
        profiles = ml.score(data, framework=fw, recipe=recipe)
    entry = profiles.unused.iloc[0]
    assert (entry["indicator"], entry["node"], entry["reason"]) == (
        "env_01",
        "env_01",
        "not_computable",
    )
    assert entry["value"] == 2.0  # as entered, before the step
    # env_sec still has env_02 (half its weight): scored, but not complete
    sec = _row(profiles, "env_sec")
    assert sec["score"] == pytest.approx(100.0) and sec["missing_children"] == "env_01"
