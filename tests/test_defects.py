"""Defects found by using the framework layer as a new user and as an adversary would.

Each test failed before its fix: a traceback (RecursionError, TypeError, AttributeError,
UnicodeEncodeError) where a located problem was due, a value silently accepted, a message cut
or shown with Python syntax, a CSV file that a reader splits into the wrong rows.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

import missionlens as ml
from missionlens.cli import _write_failures
from missionlens.errors import ArgumentError, MissionLensError, format_table
from missionlens.suggest import did_you_mean, suggest

SMALL = Path(__file__).parent / "data" / "frameworks" / "small.yaml"


def _checks(exc: pytest.ExceptionInfo[ml.FrameworkError]) -> list[str]:
    return list(exc.value.problems["check"])


# ------------------------------------------------------------------------ hostile input
@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 5000 + "]" * 5000,
        "a: " + "{b: " * 5000 + "1" + "}" * 5000,
        "".join(" " * i + f"k{i}:\n" for i in range(2000)) + " " * 2000 + "x: 1\n",
    ],
    ids=["flow-lists", "flow-mappings", "block-mappings"],
)
def test_deeply_nested_yaml_is_a_framework_error(text: str) -> None:
    with pytest.raises(ml.FrameworkError) as exc:
        ml.Framework.from_yaml(text)
    assert _checks(exc) == ["too_deep"]
    assert "nested more than 100 levels" in str(exc.value)


@pytest.mark.parametrize(
    "text", ["[" * 100_000 + "]" * 100_000, '{"a": ' * 100_000 + "1" + "}" * 100_000]
)
def test_deeply_nested_json_is_a_framework_error(text: str) -> None:
    with pytest.raises(ml.FrameworkError) as exc:
        ml.Framework.from_json(text)
    assert _checks(exc) == ["too_deep"]


def test_nesting_below_the_recursion_limit_but_above_the_cap_is_refused() -> None:
    # 500 levels parse without a RecursionError; the cap still refuses them
    with pytest.raises(ml.FrameworkError) as exc:
        ml.Framework.from_json("[" * 500 + "]" * 500)
    assert _checks(exc) == ["too_deep"]


def test_deeply_nested_data_is_a_framework_error(small_framework: ml.Framework) -> None:
    nested: list[object] = []
    for _ in range(5000):
        nested = [nested]
    data = small_framework.to_dict()
    data["description"] = nested  # its repr in a message used to raise RecursionError
    with pytest.raises(ml.FrameworkError) as exc:
        ml.Framework.from_dict(data)
    assert _checks(exc) == ["too_deep"]


def test_deeply_nested_json_cell_of_a_metadata_table_is_a_bad_cell(
    small_framework: ml.Framework,
) -> None:
    meta = small_framework.to_frame()
    meta.loc[0, "Phases"] = "[" * 100_000 + "]" * 100_000
    with pytest.raises(ml.FrameworkError) as exc:
        ml.Framework.from_frame(meta, id="x", scales=small_framework.scales)
    assert _checks(exc) == ["bad_cell"]
    assert "nested too deeply" in exc.value.problems.loc[0, "message"]


def test_recipe_yaml_nested_too_deep_is_a_recipe_error() -> None:
    with pytest.raises(ml.RecipeError, match="not valid YAML"):
        ml.Recipe.from_yaml("a: " + "[" * 5000 + "]" * 5000)


@pytest.mark.parametrize("text", ["? [a, b]\n: 1\n", "? {a: b}\n: 1\n", "{[1]: x}\n"])
def test_unhashable_yaml_key_is_a_located_framework_error(text: str) -> None:
    with pytest.raises(ml.FrameworkError) as exc:
        ml.Framework.from_yaml(text)
    assert _checks(exc) == ["yaml_syntax"]
    row = exc.value.problems.iloc[0]
    assert row["path"].startswith("line 1")
    assert "used as a key" in row["message"]


def test_load_framework_of_a_number_names_the_argument() -> None:
    with pytest.raises(ArgumentError, match=r"name_or_path must be .* not int") as exc:
        ml.load_framework(42)  # type: ignore[arg-type]
    assert isinstance(exc.value, TypeError) and isinstance(exc.value, MissionLensError)


@pytest.mark.parametrize("method", ["from_yaml", "from_json"])
def test_reading_a_framework_from_a_number_names_the_argument(method: str) -> None:
    with pytest.raises(ArgumentError, match=r"source must be .* not int"):
        getattr(ml.Framework, method)(42)


def test_from_frame_of_a_list_names_the_argument() -> None:
    with pytest.raises(ArgumentError, match=r"meta must be a pandas\.DataFrame .* not list"):
        ml.Framework.from_frame([1, 2], id="x")  # type: ignore[arg-type]


def _small_yaml() -> str:
    return SMALL.read_text(encoding="utf-8")


@pytest.mark.parametrize("weight", ["1e400", "-1e400", "1.0e+400", ".inf", "-.inf"])
def test_infinite_weights_in_yaml_are_refused(weight: str) -> None:
    # YAML 1.1 reads 1e400 (no dot) as text, which pydantic then turned into infinity
    text = _small_yaml().replace("weight: 0.5}", f"weight: {weight}}}")
    with pytest.raises(ml.FrameworkError) as exc:
        ml.Framework.from_yaml(text)
    rows = exc.value.problems
    assert list(rows["check"]) == ["invalid_weight"]
    assert list(rows["path"]) == ["indicators[1].weight"] and list(rows["id"]) == ["pol_02"]


@pytest.mark.parametrize("weight", [1e400, -1e400, "1e400", 10**400])
def test_infinite_weights_in_data_are_refused(weight: object) -> None:
    data = ml.Framework.from_yaml(_small_yaml()).to_dict()
    data["nodes"][1]["weight"] = weight
    with pytest.raises(ml.FrameworkError) as exc:
        ml.Framework.from_dict(data)
    assert "nodes[1].weight" in set(exc.value.problems["path"])


@pytest.mark.parametrize("goalposts", ["[0, 1e400]", "[-1e400, 3]", "[0, .nan]"])
def test_infinite_goalposts_are_refused(goalposts: str) -> None:
    text = _small_yaml().replace("goalposts: [0, 3]", f"goalposts: {goalposts}")
    with pytest.raises(ml.FrameworkError) as exc:
        ml.Framework.from_yaml(text)
    rows = exc.value.problems
    assert list(rows["check"]) == ["goalposts"]
    assert list(rows["path"]) == ["scales[1].goalposts"]


def test_infinite_indicator_goalposts_and_bounds_are_refused() -> None:
    data = ml.Framework.from_yaml(_small_yaml()).to_dict()
    data["indicators"][2]["goalposts"] = [0, "1e400"]
    data["scales"][1]["maximum"] = float("inf")
    with pytest.raises(ml.FrameworkError) as exc:
        ml.Framework.from_dict(data)
    paths = set(exc.value.problems["path"])
    assert {"indicators[2].goalposts", "scales[1].maximum"} <= paths


def test_infinite_aggregation_exponent_is_refused() -> None:
    data = ml.Framework.from_yaml(_small_yaml()).to_dict()
    data["nodes"][0]["aggregation"] = {"method": "generalised", "p": "1e400"}
    with pytest.raises(ml.FrameworkError) as exc:
        ml.Framework.from_dict(data)
    assert "nodes[0].aggregation.p" in set(exc.value.problems["path"])


def test_metadata_table_with_two_weight_columns_is_refused(
    small_framework: ml.Framework,
) -> None:
    meta = small_framework.to_frame()
    doubled = pd.concat([meta, meta[["Weight"]] * 2], axis=1)
    with pytest.raises(ml.FrameworkError) as exc:
        ml.Framework.from_frame(doubled, id="x", scales=small_framework.scales)
    assert _checks(exc) == ["duplicate_column"]
    assert exc.value.problems.loc[0, "value"] == "Weight"


def test_metadata_csv_with_two_weight_columns_is_refused(small_framework: ml.Framework) -> None:
    meta = small_framework.to_frame()
    text = pd.concat([meta, meta[["Weight"]] * 2], axis=1).to_csv(index=False)
    read = pd.read_csv(io.StringIO(text))  # pandas renames the second column Weight.1
    assert "Weight.1" in read.columns
    with pytest.raises(ml.FrameworkError) as exc:
        ml.Framework.from_frame(read, id="x", scales=small_framework.scales)
    assert _checks(exc) == ["duplicate_column"]
    assert exc.value.problems.loc[0, "value"] == "Weight.1"


# ------------------------------------------------------------------------ problem tables
def _failures() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "file": ["a.csv", "a.csv", "a.csv"],
            "row": [2, 3, 4],
            "mission": ["=cmd|' /C calc'!A0", "Mission A", "a\rb=1+1"],
            "value": ["=cmd|' /C calc'!A0", "'High", "-3"],
            "message": [
                "mission =cmd is unknown",
                "'High' is not a number",
                'line one\r\nline two, with a comma and a "quote"',
            ],
        }
    )


def test_problem_csv_reads_back_naturally_with_csv_and_pandas(tmp_path: Path) -> None:
    # RFC 4180: a field holding CR, LF, comma or quote is quoted; OWASP "CSV Injection": only
    # a cell starting with = + - @ tab or CR gets one protecting apostrophe
    out = tmp_path / "problems.csv"
    _write_failures(_failures(), out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 4  # header + 3: the bare CR in 'a\rb=1+1' starts no row
    header, *body = rows
    assert header == ["file", "row", "mission", "value", "message"]
    assert body[0][2:4] == ["'=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"]
    assert body[1][3:] == ["'High", "'High' is not a number"]  # no doubled apostrophe
    assert body[2][2:] == [
        "a\rb=1+1",
        "'-3",
        'line one\r\nline two, with a comma and a "quote"',
    ]
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert frame.shape == (3, 5)
    assert list(frame["message"])[:2] == ["mission =cmd is unknown", "'High' is not a number"]
    assert frame.loc[2, "mission"] == "a\rb=1+1"


def test_problem_xlsx_protects_once(tmp_path: Path) -> None:
    out = tmp_path / "problems.xlsx"
    _write_failures(_failures(), out)
    back = pd.read_excel(out, dtype=str, keep_default_na=False)
    assert list(back["value"]) == ["'=cmd|' /C calc'!A0", "'High", "'-3"]
    assert back.loc[1, "message"] == "'High' is not a number"


# ------------------------------------------------------------------------ did you mean
@pytest.fixture(scope="module")
def indicator_ids() -> tuple[str, ...]:
    return ml.load_framework("whole-of-mission@1").indicator_ids


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pol_2", "pol_02"),  # difflib alone says pol_12
        ("part_3", "part_03"),  # difflib alone says nothing
        ("POL-02", "pol_02"),
        ("Pol 02", "pol_02"),
        ("plo_02", "pol_02"),  # transposition
        ("pol_13", "pol_12"),  # same words, nearest number
        ("env_fatalities_malcious", "env_fatalities_malicious"),  # difflib fallback
        ("perf-t-women-military", "perf_t_women_military"),
    ],
)
def test_suggest_on_the_builtin_ids(
    indicator_ids: tuple[str, ...], name: str, expected: str
) -> None:
    assert suggest(name, indicator_ids) == [expected]


def test_suggest_ranks_and_declines(indicator_ids: tuple[str, ...]) -> None:
    assert suggest("pol_2", indicator_ids, n=3)[0] == "pol_02"
    assert suggest("budget_execution", indicator_ids) == []
    assert suggest("pol_02", indicator_ids) == []  # known: nothing to suggest
    assert suggest("pol_2", indicator_ids, n=0) == []


def test_did_you_mean(indicator_ids: tuple[str, ...]) -> None:
    assert did_you_mean("pol_2", indicator_ids) == "; did you mean 'pol_02'?"
    assert did_you_mean("budget_execution", indicator_ids) == ""


def test_unknown_names_in_framework_messages_get_a_suggestion(
    small_framework: ml.Framework,
) -> None:
    data = small_framework.to_dict()
    data["indicators"][1]["parent"] = "Pol"
    data["indicators"][2]["scale"] = "rates"
    with pytest.raises(ml.FrameworkError) as exc:
        ml.Framework.from_dict(data)
    messages = dict(zip(exc.value.problems["check"], exc.value.problems["message"], strict=True))
    assert messages["unknown_parent"].endswith("did you mean 'pol'?")
    assert messages["unknown_scale"].endswith("did you mean 'rate'?")
    with pytest.raises(FileNotFoundError, match="did you mean 'whole-of-mission'"):
        ml.load_framework("whole_of_mission")
    with pytest.raises(KeyError, match="did you mean 'pol_02'"):
        small_framework.indicator("pol_2")


# ------------------------------------------------------------------------ messages
def test_error_messages_are_never_cut() -> None:
    long = "the value is outside the scale: " + "expected one of the levels 1, 2, 3, 4, 5 " * 3
    frame = pd.DataFrame(
        {"path": ["x" * 100], "id": ["a"], "check": ["c"], "value": ["v" * 100], "message": [long]}
    )
    text = format_table(frame, max_width=60)
    assert long.strip() in text
    assert "x" * 57 + "..." in text and "x" * 58 not in text  # other columns are shortened
    error = ml.FrameworkError(frame.assign(file=""))
    assert long.strip() in str(error)


def test_validation_report_text_shows_whole_messages(small_framework: ml.Framework) -> None:
    table = pd.DataFrame(
        {
            "mission": ["Mission A"],
            "period": ["2024-H1"],
            "indicator": ["pol_01"],
            "value": [7],
            "rater": ["analyst-1"],
        }
    )
    report = ml.validate(table, framework=small_framework)
    message = report.failures["message"].iloc[0]
    assert len(message) > 60
    assert message in str(report)


def test_level_order_message_shows_numbers_not_a_python_list() -> None:
    text = _small_yaml().replace(
        "      - {value: 1, label: Critical, description: Fundamental failure.}\n", ""
    )
    text = text.replace(
        "      - {value: 5, label: Strong, description: Fully achieved.}\n",
        "      - {value: 5, label: Strong, description: Fully achieved.}\n"
        "      - {value: 1, label: Critical, description: Fundamental failure.}\n",
    )
    with pytest.raises(ml.FrameworkError) as exc:
        ml.Framework.from_yaml(text)
    rows = exc.value.problems.set_index("check")
    assert "(2, 3, 4, 5, 1)" in rows.loc["level_order", "message"]
    assert "[" not in rows.loc["level_order", "message"]


# ------------------------------------------------------------------------ lone surrogates
@pytest.mark.parametrize("method", ["to_yaml", "to_json"])
def test_lone_surrogate_is_a_clear_error_when_writing(
    small_framework: ml.Framework, method: str, tmp_path: Path
) -> None:
    broken = small_framework.model_copy(update={"title": "Mission \ud800 review"})
    for path in (None, tmp_path / f"fw.{method[3:]}"):
        with pytest.raises(ml.FrameworkError) as exc:
            getattr(broken, method)(path)
        assert _checks(exc) == ["invalid_text"]
        assert exc.value.problems.loc[0, "path"] == "title"
        str(exc.value).encode("utf-8")  # the message itself can be printed


def test_lone_surrogate_in_input_is_one_located_problem(small_framework: ml.Framework) -> None:
    data = small_framework.to_dict()
    data["indicators"][0]["name"] = "Political \udcff strategy"
    with pytest.raises(ml.FrameworkError) as exc:
        ml.Framework.from_dict(data)
    assert _checks(exc) == ["invalid_text"]
    assert exc.value.problems.loc[0, "path"] == "indicators[0].name"
    assert "\\udcff" in str(exc.value)
    json.dumps(exc.value.problems.to_dict("records"), ensure_ascii=False).encode("utf-8")


def test_yaml_alias_bomb_is_refused_quickly() -> None:
    """Nine levels of ten aliases stand for 10**9 values ("billion laughs"): refused at once."""
    import time

    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    started = time.process_time()
    with pytest.raises(ml.FrameworkError, match="aliases"):
        ml.Framework.from_yaml("\n".join(lines))
    assert time.process_time() - started < 5  # not a timing target: a guard against hanging


def test_unknown_framework_name_is_a_missionlens_error() -> None:
    with pytest.raises(ml.NotFoundError, match="did you mean 'whole-of-mission'") as info:
        ml.load_framework("whole-of-misson")
    assert isinstance(info.value, FileNotFoundError)  # code catching the built-in still works
    with pytest.raises(ml.NotFoundError):
        ml.score(pd.DataFrame({"mission": ["A"], "period": ["2024"]}), framework="nope")
