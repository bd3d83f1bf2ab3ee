"""Profiles.load refuses every bad archive with a clear ArchiveError before trusting it.

Each bad archive is built here from a good one: empty, random, truncated, not a zip, foreign,
incomplete, a member that is not JSON or not Parquet, an altered score table (with and without
member hashes), altered data, and zip bombs (a real one, 64 MiB of zeros deflated, and a header
claiming 1 GiB) that must be refused before anything is decompressed.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import missionlens as ml
from missionlens.errors import ArchiveError, IncompleteScoreWarning, MissionLensError
from missionlens.scoring import profiles as profiles_module


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    fw = ml.load_framework(Path(__file__).parent / "data" / "frameworks" / "small.yaml")
    data = pd.DataFrame(
        [
            {"mission": "A", "period": "2024", "phase": "implementation", "pol_01": 4},
            {"mission": "B", "period": "2024", "phase": "implementation", "pol_01": 2},
        ]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IncompleteScoreWarning)
        profiles = ml.score(data, framework=fw)
    return profiles.save(tmp_path_factory.mktemp("archives") / "good.zip")


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write(path: Path, members: dict[str, bytes], *, rehash: bool = False) -> Path:
    """A zip of ``members``; with ``rehash`` the member hashes in meta.json are recomputed."""
    if rehash:
        meta = json.loads(members["meta.json"])
        meta["members"] = {
            name: "sha256:" + hashlib.sha256(payload).hexdigest()
            for name, payload in members.items()
            if name != "meta.json"
        }
        members = {**members, "meta.json": json.dumps(meta).encode()}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    return path


def _refused(path: Path, *fragments: str) -> ArchiveError:
    with pytest.raises(ArchiveError) as caught:
        ml.Profiles.load(path)
    message = str(caught.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message
    assert isinstance(caught.value, MissionLensError)
    return caught.value


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def test_good_archive_loads_and_stores_member_hashes(saved: Path) -> None:
    meta = json.loads(_members(saved)["meta.json"])
    assert set(meta["members"]) == {
        "framework.yaml",
        "recipe.yaml",
        "scores.parquet",
        "unused.parquet",
        "critical.parquet",
        "data.parquet",
        "log.json",
    }
    loaded = ml.Profiles.load(saved)
    assert len(loaded.to_frame()) > 0


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "not a readable zip"),
        (os.urandom(4096), "not a readable zip"),
        (b"mission,period\nA,2024\n", "not a readable zip"),
    ],
    ids=["empty", "random", "csv"],
)
def test_not_a_zip(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "bad.zip"
    path.write_bytes(content)
    _refused(path, fragment)


def test_truncated_archive(saved: Path, tmp_path: Path) -> None:
    whole = saved.read_bytes()
    for cut in (len(whole) // 3, len(whole) // 2, len(whole) - 30):
        path = tmp_path / f"cut{cut}.zip"
        path.write_bytes(whole[:cut])
        _refused(path)


def test_empty_and_foreign_zip(tmp_path: Path) -> None:
    _refused(_write(tmp_path / "empty.zip", {}), "empty zip")
    foreign = _write(tmp_path / "foreign.zip", {"word/document.xml": b"<w/>"})
    _refused(foreign, "no meta.json")
    other = _write(tmp_path / "other.zip", {"meta.json": b'{"format": "something-else"}'})
    _refused(other, "not a missionlens profiles file", "meta.json")


def test_incomplete_archive(saved: Path, tmp_path: Path) -> None:
    members = _members(saved)
    del members["scores.parquet"]
    _refused(_write(tmp_path / "incomplete.zip", members), "incomplete", "scores.parquet")


def test_member_not_json(saved: Path, tmp_path: Path) -> None:
    members = {**_members(saved), "meta.json": b"\xff\xfe not json"}
    _refused(_write(tmp_path / "meta.zip", members), "not JSON", "'meta.json'")


def test_member_not_parquet(saved: Path, tmp_path: Path) -> None:
    members = {**_members(saved), "scores.parquet": b"PAR1 garbage"}
    _refused(
        _write(tmp_path / "pq.zip", members, rehash=True), "not a Parquet table", "scores.parquet"
    )


def test_altered_score_table_is_refused(saved: Path, tmp_path: Path) -> None:
    members = _members(saved)
    table = pd.read_parquet(io.BytesIO(members["scores.parquet"]))
    table.loc[table["score"].notna().idxmax(), "score"] += 10
    altered = {**members, "scores.parquet": _parquet(table)}
    _refused(_write(tmp_path / "altered.zip", altered), "SHA-256", "scores.parquet")
    # a file saved before member hashes: the scores are checked by scoring the data again
    meta = json.loads(members["meta.json"])
    del meta["members"]
    old = {**altered, "meta.json": json.dumps(meta).encode()}
    _refused(_write(tmp_path / "old.zip", old), "stored scores", "scores.parquet")
    unaltered = {**members, "meta.json": json.dumps(meta).encode()}
    assert ml.Profiles.load(_write(tmp_path / "old-ok.zip", unaltered)) is not None


def test_altered_data_is_refused_even_with_fresh_hashes(saved: Path, tmp_path: Path) -> None:
    members = _members(saved)
    data = pd.read_parquet(io.BytesIO(members["data.parquet"]))
    data.loc[0, "pol_01"] = 5
    altered = {**members, "data.parquet": _parquet(data)}
    _refused(_write(tmp_path / "data.zip", altered, rehash=True), "fingerprints", "data.parquet")


def test_zip_bomb_is_refused_before_decompressing(saved: Path, tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    members = _members(saved)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members.items():
            if name != "data.parquet":
                archive.writestr(name, payload)
        with archive.open("data.parquet", "w", force_zip64=True) as stream:
            block = bytes(2**20)
            for _ in range(64):  # 64 MiB of zeros: about 64 KiB deflated
                stream.write(block)
    assert path.stat().st_size < 2**20
    _refused(path, "zip bomb", "data.parquet")


def test_member_claiming_a_huge_size_is_refused(saved: Path, tmp_path: Path) -> None:
    path = _write(tmp_path / "huge.zip", _members(saved))
    raw = bytearray(path.read_bytes())
    # set the uncompressed size of scores.parquet to 1 GiB in its central directory entry
    entry = raw.find(b"PK\x01\x02")
    while entry >= 0:
        name_length = struct.unpack_from("<H", raw, entry + 28)[0]
        name = bytes(raw[entry + 46 : entry + 46 + name_length])
        if name == b"scores.parquet":
            struct.pack_into("<I", raw, entry + 24, 2**30)
            break
        entry = raw.find(b"PK\x01\x02", entry + 4)
    path.write_bytes(bytes(raw))
    _refused(path, "1,073,741,824 bytes", "scores.parquet", "MAX_MEMBER_BYTES")


def test_limits_are_documented() -> None:
    assert profiles_module.MAX_MEMBER_BYTES == 512 * 2**20
    assert profiles_module.MAX_COMPRESSION_RATIO == 200
    assert "MAX_MEMBER_BYTES" in (ml.Profiles.load.__doc__ or "")


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.zip"):
        ml.Profiles.load(tmp_path / "nope.zip")
