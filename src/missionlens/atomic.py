"""Atomic file writing: a target is always the old complete file or the new complete one.

Every writer of missionlens (assessment tables in every format, profiles archives and score
tables, Excel templates, XLSForms, framework files, the CLI's outputs) writes through
:func:`atomic_path` or :func:`atomic_write`:

1. a temporary file is created *in the target's folder* (so on the same filesystem), named
   ``.<name>.tmp-<pid>-<random>``, with the permissions of any new file (``0o666`` less the
   process umask);
2. the content is written to it (by our code, or by a library such as openpyxl or pyarrow that
   writes to a path itself), flushed and ``os.fsync`` ed;
3. it is moved onto the target with :func:`os.replace` (atomic on POSIX and Windows), and the
   folder is ``fsync`` ed where the system supports it, so that the rename itself survives a
   power cut.

If anything fails (a full disk, an exception of the writer, ``KeyboardInterrupt``) the
temporary file is removed and the target is untouched; an :class:`OSError` is raised as a
:class:`~missionlens.errors.WriteError` naming the target. A process killed outright
(``SIGKILL``, power cut) cannot clean up: it may leave a ``.<name>.tmp-<pid>-*`` file beside the
target (never the target itself half written). Such leftovers are hidden (dot) files that no
reader takes for data, and the next write of the same target removes those whose process is no
longer running. (See the SQLite documentation, "Atomic Commit In SQLite", and the POSIX
specification of ``rename`` for why write-fsync-rename-fsync is the portable recipe.)
"""

from __future__ import annotations

import contextlib
import errno as errno_codes
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, Literal

from missionlens.errors import MissionLensError, WriteError

__all__ = [
    "TEMP_MARK",
    "atomic_path",
    "atomic_write",
    "is_temporary",
    "new_file_mode",
    "process_umask",
    "write_atomically",
]

#: What follows ``.<name>`` in the name of a temporary file: ``.<name>.tmp-<pid>-<random>``.
TEMP_MARK = ".tmp-"

_UMASK_LOCK = threading.Lock()


def process_umask() -> int:
    """The process umask, read without changing it where possible.

    Linux gives it in ``/proc/self/status``; elsewhere it is set and set back under a lock
    (another thread creating a file in between could observe the temporary mask ``0o077``,
    which only makes that file more private).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask


def new_file_mode() -> int:
    """The permissions of a new file: ``0o666`` less the process umask."""
    return 0o666 & ~process_umask()


def is_temporary(path: str | os.PathLike[str], target: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is named like a temporary file of a write of ``target``."""
    return Path(path).name.startswith(f".{Path(target).name}{TEMP_MARK}")


def _temp_path(target: Path) -> Path:
    token = secrets.token_hex(4)
    return target.with_name(f".{target.name}{TEMP_MARK}{os.getpid()}-{token}")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":  # pragma: no cover - no cheap check elsewhere: keep the file
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. EPERM: a process of another user runs under that id
        return True
    return True


def _remove_stale(target: Path) -> None:
    """Remove temporary files of earlier writes of ``target`` whose process has died."""
    prefix = f".{target.name}{TEMP_MARK}"
    folder = target.parent
    try:
        names = [n for n in os.listdir(folder) if n.startswith(prefix)]
    except OSError:
        return
    for name in names:
        pid_text = name[len(prefix) :].split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            os.remove(folder / name)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable, where the system can (not on Windows)."""
    if os.name != "posix":  # pragma: no cover
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:  # some filesystems refuse fsync on a folder: nothing to do there
        if exc.errno not in (errno_codes.EINVAL, errno_codes.ENOTSUP, errno_codes.EBADF):
            raise
    finally:
        os.close(fd)


def _discard(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


def _write_error(target: Path, exc: OSError) -> WriteError:
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno == errno_codes.ENOSPC:
        hint = "the disk is full; free some space and write again"
    elif exc.errno in (errno_codes.EACCES, errno_codes.EPERM):
        hint = "no permission to write there; choose another folder"
    elif exc.errno == errno_codes.ENOENT:
        hint = f"does the folder {str(target.parent)!r} exist?"
    else:
        hint = "nothing was changed"
    message = (
        f"cannot write {target}: {reason} ({hint}); the file was left as it was before the write"
    )
    return WriteError(target, message, exc.errno)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path to write instead of ``path``; moved onto ``path`` if the block succeeds.

    For libraries that write to a path themselves (``openpyxl.Workbook.save``,
    ``DataFrame.to_parquet``). The temporary file exists (empty) when the block starts.

    Parameters
    ----------
    path : str or path
        The target.

    Yields
    ------
    pathlib.Path
        The temporary file, in the target's folder.

    Raises
    ------
    WriteError
        If the temporary file cannot be created, written, synced or moved into place (the
        underlying :class:`OSError` is its cause); the target is left as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(folder / "a.txt") as tmp:
    ...     _ = tmp.write_text("hello")
    >>> (folder / "a.txt").read_text(), sorted(p.name for p in folder.iterdir())
    ('hello', ['a.txt'])
    """
    target = Path(path)
    if target.name in ("", ".", ".."):
        raise WriteError(target, f"cannot write {target}: it names a folder, not a file")
    _remove_stale(target)
    tmp = _temp_path(target)
    try:
        flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0)
        os.close(os.open(tmp, flags, 0o600))
    except OSError as exc:
        raise _write_error(target, exc) from exc
    try:
        yield tmp
        _fsync_file(tmp)
        os.chmod(tmp, new_file_mode())
        os.replace(tmp, target)
        _fsync_folder(target.parent if str(target.parent) else Path("."))
    except BaseException as exc:
        _discard(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, MissionLensError):
            raise _write_error(target, exc) from exc
        raise


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str],
    mode: Literal["w", "wb"] = "wb",
    *,
    encoding: str | None = None,
    newline: str | None = None,
) -> Iterator[IO[Any]]:
    """An open file to write instead of ``path``; moved onto ``path`` if the block succeeds.

    Parameters
    ----------
    path : str or path
        The target.
    mode : {"wb", "w"}
        Binary or text.
    encoding, newline : str, optional
        As for :func:`open` (text mode only; ``encoding`` defaults to UTF-8).

    Raises
    ------
    WriteError
        See :func:`atomic_path`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "b.csv"
    >>> with atomic_write(target, "w", newline="") as handle:
    ...     _ = handle.write("a,b\\r\\n")
    >>> target.read_bytes()
    b'a,b\\r\\n'
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', not {mode!r}")
    with atomic_path(path) as tmp:
        if mode == "w":
            handle: IO[Any] = open(tmp, "w", encoding=encoding or "utf-8", newline=newline)  # noqa: SIM115
        else:
            handle = open(tmp, "wb")  # noqa: SIM115
        with handle:
            yield handle


def write_atomically(path: str | os.PathLike[str], write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary_path)`` and move the result onto ``path``; return ``path``.

    See :func:`atomic_path`.
    """
    target = Path(path)
    with atomic_path(target) as tmp:
        write(tmp)
    return target
