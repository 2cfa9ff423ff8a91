"""Streams and files for the converter: whole-line blocks, atomic output, progress.

Nothing here knows about samples or JSON; :mod:`nflex_metrics.convert` builds on it.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from typing import IO, Callable, Optional, Union


def read_blocks(stream: IO[bytes], size: int) -> Iterator[bytes]:
    """Blocks of whole lines from a binary stream (no trailing newline), about ``size``
    bytes each; ``read1`` so that a slow pipe's lines come through as they arrive.

    A line longer than a read is kept in pieces and joined once, when its end arrives:
    a pipe hands out 64 KiB at a time, and re-joining a 50 MB line at every read would
    copy it hundreds of times.
    """
    read = getattr(stream, "read1", stream.read)
    pending: list[bytes] = []  # the start of the next block: pieces without a newline
    while True:
        data = read(size)
        if not data:
            break
        cut = data.rfind(b"\n")
        if cut < 0:
            pending.append(data)
            continue
        pending.append(data[:cut])
        yield b"".join(pending) if len(pending) > 1 else pending[0]
        pending = [data[cut + 1 :]]
    rest = b"".join(pending)
    if rest:
        yield rest


#: What identifies a file that writing could destroy: ``(st_dev, st_ino)`` of an
#: existing regular file, or the real path of one that does not exist yet.
FileKey = Union[tuple[int, int], str]


def file_key(target: Union[str, IO[bytes]]) -> Optional[FileKey]:
    """The :data:`FileKey` of a path or of an open stream's file; None for anything
    else (a device, a pipe, a terminal, a stream without a file), which two parties may
    share without one overwriting the other's data."""
    try:
        if isinstance(target, str):
            try:
                info = os.stat(target)
            except FileNotFoundError:
                return os.path.realpath(target)
        else:
            info = os.fstat(target.fileno())
    except (OSError, AttributeError, ValueError):  # no such stream, or not a file at all
        return None
    return (info.st_dev, info.st_ino) if stat.S_ISREG(info.st_mode) else None


class OutputFile:
    """An output path opened for writing, respecting what is already there.

    - a symbolic link is written through: its target is written, the link stays;
    - a regular file, or nothing, is written atomically: a temporary file in the same
      directory, renamed over the path by :meth:`commit` (with the old file's
      permission bits, or the umask's for a new file); :meth:`discard` removes it, so a
      failed run leaves the previous file untouched and no partial file behind;
    - anything else that can be opened (a character device such as ``/dev/null`` or a
      terminal, a FIFO) is written in place, never replaced;
    - a directory raises :class:`IsADirectoryError` at once.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.temp_path: Optional[str] = None
        self._mode: Optional[int] = None
        self._owner: Optional[tuple[int, int]] = None
        try:
            info: Optional[os.stat_result] = os.stat(path)
        except FileNotFoundError:
            info = None
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if info is not None and not stat.S_ISREG(info.st_mode):
            self.stream: IO[bytes] = open(path, "wb")  # noqa: SIM115 (closed by commit)
            return
        # A regular file or a new one: replace the link's final target, in its directory.
        self.target = os.path.realpath(path)
        if info is not None:
            self._mode = stat.S_IMODE(info.st_mode)
            self._owner = (info.st_uid, info.st_gid)
        directory, name = os.path.split(self.target)
        fd, self.temp_path = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".part")
        self.stream = os.fdopen(fd, "wb")

    @property
    def in_place(self) -> bool:
        """Whether the output goes straight to the path (a device or FIFO)."""
        return self.temp_path is None

    def commit(self) -> None:
        """Finish the output: close it and, for a file, rename it into place."""
        self.stream.close()
        if self.temp_path is None:
            return
        if self._owner is not None:
            with contextlib.suppress(OSError):  # only root may give a file away
                os.chown(self.temp_path, *self._owner)
        os.chmod(self.temp_path, self._mode if self._mode is not None else _default_mode())
        os.replace(self.temp_path, self.target)
        self.temp_path = None

    def discard(self) -> None:
        """Give up: close the output and remove the temporary file (a device or FIFO
        keeps what was written to it)."""
        with contextlib.suppress(OSError):
            self.stream.close()
        if self.temp_path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.temp_path)
            self.temp_path = None


def _default_mode() -> int:
    """The permission bits of a new file: 0o666 less the umask (read, then put back)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


class Progress:
    """A progress line on a terminal: lines read, percent of a regular file, rate.

    Silent during the first second, then refreshed at most every ``interval`` seconds;
    :meth:`close` erases it so that the summary line starts clean. Call it with the
    lines and bytes read so far (the converter's ``progress`` callback).
    """

    def __init__(
        self,
        stream: IO[str],
        total_bytes: Optional[int] = None,
        clock: Callable[[], float] = time.monotonic,
        delay: float = 1.0,
        interval: float = 0.25,
    ) -> None:
        self.stream = stream
        self.total_bytes = total_bytes
        self.clock = clock
        self.start = clock()
        self.next_at = self.start + delay
        self.interval = interval
        self.shown = False

    def __call__(self, lines: int, done_bytes: int) -> None:
        now = self.clock()
        if now < self.next_at:
            return
        self.next_at = now + self.interval
        rate = lines / max(now - self.start, 1e-9)
        text = f"{lines:,} lines, {rate:,.0f} lines/s"
        if self.total_bytes:
            text = f"{min(done_bytes / self.total_bytes, 1.0):6.1%}  {text}"
        self.shown = self._write(f"\r{text}\x1b[K")

    def close(self) -> None:
        if self.shown:
            self._write("\r\x1b[K")
            self.shown = False

    def _write(self, text: str) -> bool:
        """Show ``text``; a progress line that cannot be shown (stderr closed or broken)
        is given up, it never stops the work."""
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            self.next_at = math.inf
            return False
        return True
