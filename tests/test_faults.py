"""Every writer is atomic: killed or failing at any point, the target is the old complete file
or the new complete one, never torn, and no temporary file is left behind.

Two kinds of faults:

* deterministic cut points: the underlying ``write`` of the file being written (through
  ``open``/``io.open``, which openpyxl's zip writer uses too; Parquet bytes are routed through
  it) raises ``OSError(ENOSPC)`` at the k-th call, for every k up to the number of calls a clean
  write makes (sampled evenly for the larger writers), and ``fsync``, ``chmod`` and ``replace``
  fail in turn; the old file must be intact, the error a ``WriteError`` naming the target, the
  folder free of temporary files;
* real kills: a forked child rewrites the target in a loop and is ``SIGKILL`` ed after random
  short delays; the target must read back as one of the two complete versions. A killed
  process cannot clean up, so a ``.<name>.tmp-<pid>-*`` file may remain: it is hidden, named so,
  and removed by the next write of the same target (checked).
"""

from __future__ import annotations

import builtins
import errno
import gc
import io
import os
import random
import signal
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import missionlens as ml
from missionlens import atomic
from missionlens.errors import IncompleteScoreWarning, WriteError

# openpyxl's write-only sheets leave a generator open when the file under them fails
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

DATA = Path(__file__).parent / "data"
FW = ml.load_framework(DATA / "frameworks" / "small.yaml")


def _table(variant: int) -> pd.DataFrame:
    raw = pd.DataFrame(
        {
            "mission": ["MINUSCA", "=cmd|' /C calc'!A0", "MONUSCO"],
            "period": ["2024-H1", "2024", "2023/24"],
            "phase": ["implementation"] * 3,
            "indicator": ["pol_01", "pol_02", "env_01"],
            "value": [4, 2 + variant, 1.5],
            "rater": ["amina", "jean", "kim"],
            "evidence": ["x" * (2000 + 3000 * variant), "a,b\n\"c\"\r=cmd|' /C calc'!A0", None],
        }
    )
    return ml.read_assessments(raw, framework=FW)


TABLES = {0: _table(0), 1: _table(1)}


def _profiles(variant: int) -> ml.Profiles:
    data = pd.DataFrame(
        [{"mission": "A=B", "period": "2024", "phase": "implementation", "pol_01": 2 + variant}]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IncompleteScoreWarning)
        return ml.score(data, framework=FW)


PROFILES = {0: _profiles(0), 1: _profiles(1)}


def _framework(variant: int) -> ml.Framework:
    return FW if variant == 0 else ml.Framework.from_dict({**FW.to_dict(), "version": "9.9"})


FRAMEWORKS = {0: _framework(0), 1: _framework(1)}

#: name -> (file name, write(path, variant)); every writer of the library that takes a path
WRITERS: dict[str, tuple[str, Callable[[Path, int], object]]] = {
    "csv": ("t.csv", lambda p, v: ml.write_assessments(TABLES[v], p)),
    "json": ("t.json", lambda p, v: ml.write_assessments(TABLES[v], p)),
    "parquet": ("t.parquet", lambda p, v: ml.write_assessments(TABLES[v], p)),
    "xlsx": ("t.xlsx", lambda p, v: ml.write_assessments(TABLES[v], p)),
    "profiles.save": ("p.zip", lambda p, v: PROFILES[v].save(p)),
    "profiles.to_csv": ("p.csv", lambda p, v: PROFILES[v].to_csv(p)),
    "template": (
        "tpl.xlsx",
        lambda p, v: ml.write_template(
            FW, p, missions=["A", "B"][: v + 1], phase="implementation", period="2024"
        ),
    ),
    "xlsform": (
        "form.xlsx",
        lambda p, v: ml.write_xlsform(FW, p, phase="implementation", period=["2024", "2025"][v]),
    ),
    "framework.yaml": ("fw.yaml", lambda p, v: FRAMEWORKS[v].to_yaml(p)),
    "framework.json": ("fw.json", lambda p, v: FRAMEWORKS[v].to_json(p)),
}

#: deterministic cut points per writer: at most this many write calls (evenly spread), and as
#: many byte offsets (evenly spread over the file's size)
MAX_CUTS = 12


class _Faulty:
    """A file whose k-th ``write`` (counted over every file of the test folder) fails."""

    def __init__(self, handle: Any, counter: dict[str, int]) -> None:
        self._handle, self._counter = handle, counter

    def write(self, data: Any) -> int:
        counter = self._counter
        counter["calls"] += 1
        room = counter["fail_at_byte"] - counter["bytes"]
        if counter["calls"] == counter["fail_at"] or 0 <= room < len(data):
            cut = len(data) // 2 if room < 0 or room >= len(data) else room
            self._handle.write(data[:cut])  # part of it reaches the disk
            raise OSError(errno.ENOSPC, "No space left on device")
        counter["bytes"] += len(data)
        return int(self._handle.write(data))

    def __enter__(self) -> _Faulty:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()

    def __iter__(self) -> Any:
        return iter(self._handle)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


def _install(monkeypatch: pytest.MonkeyPatch, folder: Path, counter: dict[str, int]) -> None:
    real_open = io.open

    def faulty_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        writing = any(m in mode for m in "wax+")
        if writing and isinstance(file, str | os.PathLike) and Path(file).parent == folder:
            return _Faulty(handle, counter)
        return handle

    monkeypatch.setattr(io, "open", faulty_open)
    monkeypatch.setattr(builtins, "open", faulty_open)

    def parquet_through_open(self: pd.DataFrame, path: Any, *args: Any, **kwargs: Any) -> None:
        if not isinstance(path, str | os.PathLike):  # into memory (Profiles.save): as it is
            real_to_parquet(self, path, *args, **kwargs)
            return
        buffer = io.BytesIO()
        real_to_parquet(self, buffer, *args, **kwargs)
        with faulty_open(path, "wb") as handle:
            payload = buffer.getvalue()
            for start in range(0, len(payload), 1024):  # in pieces, as a file system would
                handle.write(payload[start : start + 1024])

    real_to_parquet = pd.DataFrame.to_parquet
    monkeypatch.setattr(pd.DataFrame, "to_parquet", parquet_through_open)


def _clean_calls(name: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    counter = {"calls": 0, "fail_at": -1, "bytes": 0, "fail_at_byte": -1}
    filename, write = WRITERS[name]
    with monkeypatch.context() as patch:
        _install(patch, folder, counter)
        write(folder / ("count-" + filename), 1)
    (folder / ("count-" + filename)).unlink()
    return counter["calls"], counter["bytes"]


def _cut_points(n: int) -> list[int]:
    if n <= MAX_CUTS:
        return list(range(1, n + 1))
    return sorted({1 + round(i * (n - 1) / (MAX_CUTS - 1)) for i in range(MAX_CUTS)})


CUTS_TRIED: dict[str, int] = {}


@pytest.mark.parametrize("name", list(WRITERS))
def test_a_failed_write_leaves_the_old_file(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    filename, write = WRITERS[name]
    target = tmp_path / filename
    write(target, 0)
    old = target.read_bytes()
    n, size = _clean_calls(name, tmp_path, monkeypatch)
    assert n >= 1
    # at the k-th write call, and after the k-th of MAX_CUTS evenly spread byte offsets
    cuts = [(k, -1) for k in _cut_points(n)]
    cuts += [(-1, size * i // MAX_CUTS) for i in range(MAX_CUTS)]
    for k, offset in cuts:
        counter = {"calls": 0, "fail_at": k, "bytes": 0, "fail_at_byte": offset}
        with monkeypatch.context() as patch:
            _install(patch, tmp_path, counter)
            with pytest.raises(WriteError) as caught:
                write(target, 1)
        assert str(target) in str(caught.value)
        assert "disk is full" in str(caught.value)
        assert caught.value.errno == errno.ENOSPC
        assert target.read_bytes() == old, f"{name}: torn at write {k} / byte {offset}"
        assert sorted(p.name for p in tmp_path.iterdir()) == [filename]
    gc.collect()  # openpyxl's zip writers left open by the faults: closed here, not later
    CUTS_TRIED[name] = len(cuts)
    # the steps after the content: fsync of the file, chmod, replace, all fail in turn
    for step in ("fsync", "chmod", "replace"):
        with monkeypatch.context() as patch:

            def broken(*args: object, step: str = step) -> None:
                raise OSError(errno.EIO, f"{step} failed")

            patch.setattr(atomic.os, step, broken)
            with pytest.raises(WriteError, match="was left as it was"):
                write(target, 1)
        assert target.read_bytes() == old
        assert sorted(p.name for p in tmp_path.iterdir()) == [filename]
    # and then a write that succeeds replaces it whole
    write(target, 1)
    assert target.read_bytes() != old
    assert sorted(p.name for p in tmp_path.iterdir()) == [filename]


@pytest.mark.parametrize("name", ["csv", "profiles.save", "template"])
def test_keyboard_interrupt_leaves_the_old_file(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    filename, write = WRITERS[name]
    target = tmp_path / filename
    write(target, 0)
    old = target.read_bytes()

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write(target, 1)
    assert target.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == [filename]


def test_new_file_mode_follows_the_umask(tmp_path: Path) -> None:
    if os.name != "posix":
        pytest.skip("permissions are POSIX")
    old = os.umask(0o027)
    try:
        assert atomic.process_umask() == 0o027
        for name, (filename, write) in WRITERS.items():
            path = tmp_path / filename
            write(path, 0)
            assert path.stat().st_mode & 0o777 == 0o640, name
    finally:
        os.umask(old)


def test_missing_folder_is_a_clear_write_error(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="does the folder"):
        ml.write_assessments(TABLES[0], tmp_path / "no" / "t.csv")


def _read_back(name: str, path: Path) -> object:
    if name in ("csv", "xlsx"):
        return ml.read_assessments(path, framework=FW)
    if name == "profiles.save":  # zip members carry their time of writing: compare content
        return ml.Profiles.load(path)
    return path.read_bytes()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize("name", ["csv", "parquet", "xlsx", "profiles.save"])
def test_killed_writer_leaves_a_complete_file(name: str, tmp_path: Path) -> None:
    filename, write = WRITERS[name]
    target = tmp_path / filename
    versions = []
    for v in (0, 1):
        write(target, v)
        versions.append(_read_back(name, target))
    write(target, 0)
    rng = random.Random(name)
    for _ in range(3):
        pid = os.fork()
        if pid == 0:  # the child: rewrite the target forever, until killed
            try:
                v = 1
                while True:
                    write(target, v)
                    v = 1 - v
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.005, 0.08))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        got = _read_back(name, target)
        if isinstance(got, pd.DataFrame | ml.Profiles):
            assert any(got.equals(v) for v in versions), f"{name}: torn file after SIGKILL"
        else:
            assert got in versions, f"{name}: torn file after SIGKILL"
        leftovers = [p for p in tmp_path.iterdir() if p != target]
        assert all(atomic.is_temporary(p, target) for p in leftovers), leftovers
    write(target, 0)  # the next write removes the temporary files of the killed writers
    assert sorted(p.name for p in tmp_path.iterdir()) == [filename]


def test_profiles_csv_quotes_a_bare_carriage_return(tmp_path: Path) -> None:
    import csv

    # a mission with a line break is refused at every front door (check bad_text); the writer
    # must still quote one, whatever table it is given
    data = pd.DataFrame([{"mission": "A", "period": "2024", "phase": "implementation"}]).assign(
        pol_01=3
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IncompleteScoreWarning)
        profiles = ml.score(data, framework=FW)
    hostile = profiles.to_frame(None).assign(mission="A\r=cmd|' /C calc'!A0")
    profiles.to_frame = lambda view=None: hostile.copy()  # type: ignore[method-assign]
    path = profiles.to_csv(tmp_path / "s.csv")
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    body = rows[1:]
    assert body and all(len(r) == len(rows[0]) for r in body)
    assert {r[0] for r in body} == {"A\r=cmd|' /C calc'!A0"}  # one cell, quoted (RFC 4180)
    assert '"A\r=cmd' in text
