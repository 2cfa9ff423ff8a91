"""Streams and files for the converter: whole-line blocks, atomic output, progress.

Nothing here knows about samples or JSON; :mod:`nflex_metrics.convert` builds on it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from typing import IO, Callable, Optional


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


class AtomicOutput:
    """A file written under a temporary name and renamed into place on :meth:`commit`;
    :meth:`discard` (or leaving without commit) removes the temporary file."""

    def __init__(self, path: str) -> None:
        self.path = path
        directory = os.path.dirname(os.path.abspath(path))
        fd, self.temp_path = tempfile.mkstemp(
            dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".part"
        )
        self.stream: IO[bytes] = os.fdopen(fd, "wb")

    def commit(self) -> None:
        self.stream.close()
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.temp_path, 0o666 & ~umask)
        os.replace(self.temp_path, self.path)

    def discard(self) -> None:
        self.stream.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.temp_path)


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
        self.stream.write(f"\r{text}\x1b[K")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False
