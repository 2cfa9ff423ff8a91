"""Streams, files and signals for the converter and the command line: whole-line
blocks, output files that respect what is already there, files that would overwrite
each other, the progress line, the standard streams when they are closed or broken,
signals that clean up.

Nothing here knows about samples, JSON or Parquet; :mod:`nflex_metrics.convert`, its
format modules and :mod:`nflex_metrics.cli` build on it.
"""

from __future__ import annotations

import contextlib
import errno
import io
import math
import os
import select
import signal
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import IO, Any, Callable, Optional, Union

from ._results import ConvertIOError, FileClashError

#: A file to read or write: a path, or a binary stream.
Target = Union[str, "os.PathLike[str]", IO[bytes]]


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
        if not data and _waited_for_data(stream):
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


def _waited_for_data(stream: IO[bytes]) -> bool:
    """For a stream on a non-blocking file descriptor (a pipe inherited in that mode),
    wait until it has data or is at its end, and say so: there, an empty read means
    "nothing yet", not the end of the input. False at once for any other stream."""
    try:
        fd = stream.fileno()
        if os.get_blocking(fd):
            return False
    except (AttributeError, OSError, ValueError):  # no descriptor, or none that says
        return False
    select.select([fd], [], [])
    return True


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
    - a directory raises :class:`IsADirectoryError` at once, and a file this user may
      not write :class:`PermissionError` (though the directory would let a rename
      replace it).
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
        if info is not None and not os.access(path, os.W_OK):  # renaming over it would do
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
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


# --------------------------------------------------------------------------------------
# The converter's files: outputs, the input, and files that would overwrite each other


class Output:
    """Where an output goes: a path (see :class:`OutputFile`), or a caller's stream;
    every OS error becomes a :class:`ConvertIOError` naming it."""

    def __init__(self, target: Target, what: str) -> None:
        self.label = label_of(target, what)
        self.file: Optional[OutputFile] = None
        if isinstance(target, (str, os.PathLike)):
            with self._errors():
                self.file = OutputFile(os.fspath(target))
            self.stream: IO[bytes] = self.file.stream
        else:
            self.stream = target
        # Someone may be reading as it comes (a pipe, a terminal, a FIFO): flush each write.
        self.live = self.file is None or self.file.in_place

    def write(self, data: bytes) -> None:
        with self._errors():
            # A buffered stream returns a short count instead of raising when the error
            # (a reader gone, a full disk) comes after part of the data: write the rest,
            # which raises. None: a raw stream in non-blocking mode took nothing (an
            # error, not a dropped block), or another object that returns no count took
            # it all.
            view = memoryview(data)
            while view:
                count: Optional[int] = self.stream.write(view)
                if count is None:
                    if isinstance(self.stream, io.RawIOBase):
                        raise BlockingIOError(errno.EAGAIN, os.strerror(errno.EAGAIN))
                    break
                view = view[count:]
            if self.live:
                self.stream.flush()

    def commit(self) -> None:
        with self._errors():
            if self.file is not None:
                self.file.commit()
            else:
                self.stream.flush()

    def discard(self) -> None:
        if self.file is not None:
            self.file.discard()

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except OSError as err:
            raise ConvertIOError(f"cannot write {self.label}", err) from None


@contextlib.contextmanager
def opened_source(source: Target) -> Iterator[tuple[IO[bytes], str]]:
    """The input as a binary stream and the name messages give it."""
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            stream = open(path, "rb")  # noqa: SIM115 (closed by the ``with`` below)
        except OSError as err:
            raise ConvertIOError(f"cannot read {path}", err) from None
        with stream:
            yield stream, path
    else:
        yield source, name_of(source)


def name_of(target: Target) -> str:
    """A path as given, or a stream's name (``<stdin>``), for messages."""
    if isinstance(target, (str, os.PathLike)):
        return os.fspath(target)
    return str(getattr(target, "name", "<input>"))


def label_of(target: Target, what: str) -> str:
    """How messages name an output: ``the output out.jsonl``, or ``stdout``."""
    name = name_of(target) if isinstance(target, (str, os.PathLike)) else None
    if name is None:
        stream_name = getattr(target, "name", None)
        if isinstance(stream_name, str) and stream_name.startswith("<"):
            return stream_name.strip("<>")  # sys.stdout.buffer: "stdout"
        name = str(stream_name) if stream_name is not None else "<stream>"
    return f"{what} {name}"


def refuse_clashes(files: list[tuple[str, Any, bool]]) -> None:
    """Raise :class:`FileClashError` when a file written is also another file read or
    written (what, path or stream or None, written?)."""
    # Writers first, so that a message names the file written before the one it hits.
    keyed = sorted(
        (
            (not writes, what, name_of(target), file_key(_fspath(target)))
            for what, target, writes in files
            if target is not None
        ),
        key=lambda item: item[0],
    )
    for index, (reads, what, name, key) in enumerate(keyed):
        for _, other, other_name, other_key in keyed[index + 1 :]:
            if not reads and key is not None and key == other_key:
                raise FileClashError(
                    f"{what} ({name}) and {other} ({other_name}) are the same file: "
                    "writing one would destroy the other"
                )


def _fspath(target: Any) -> Any:
    return os.fspath(target) if isinstance(target, os.PathLike) else target


class Progress:
    """A progress line on a terminal: lines (or rows, the ``unit``) read, percent of a
    regular file, rate.

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
        unit: str = "lines",
    ) -> None:
        self.stream = stream
        self.unit = unit
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
        text = f"{lines:,} {self.unit}, {rate:,.0f} {self.unit}/s"
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


# --------------------------------------------------------------------------------------
# The standard streams and signals of a command-line process


def say(text: str) -> None:
    """A line on stderr: never on stdout, and nowhere when stderr is closed or broken
    (the exit code still tells)."""
    if sys.stderr is None:
        return
    try:
        sys.stderr.write(f"{text}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        to_devnull(2)  # so that the flush at exit has nothing to complain about


def to_devnull(fd: int) -> None:
    """Point ``fd`` at the null device."""
    null = os.open(os.devnull, os.O_RDWR)
    if null != fd:
        os.dup2(null, fd)
        os.close(null)


def claim_standard_fds() -> set[int]:
    """The standard fds (0, 1, 2) that are closed (``>&-``), each now on the null device:
    a file opened later must not take one of their numbers, or what is written to
    stderr would land in it."""
    closed = set()
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed.add(fd)
            to_devnull(fd)
    return closed


class Terminated(BaseException):
    """Raised by :func:`signals_as_exceptions` on SIGTERM or SIGHUP, so that ``finally``
    clauses clean up (temporary files) as they do for Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def signals_as_exceptions() -> Iterator[None]:
    """While inside: SIGTERM and SIGHUP raise :class:`Terminated`, and SIGXFSZ is
    ignored, so that a write past the file size limit fails with EFBIG (reported like
    any write error) instead of the signal killing the process with its temporary file
    left behind. Outside the main thread, signals are left alone."""
    wanted: list[tuple[Optional[int], Any]] = [
        (signal.SIGTERM, _raise_terminated),
        (getattr(signal, "SIGHUP", None), _raise_terminated),
        (getattr(signal, "SIGXFSZ", None), signal.SIG_IGN),
    ]
    previous = {}
    for signum, handler in wanted:
        if signum is not None:
            with contextlib.suppress(ValueError):  # not the main thread
                previous[signum] = signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
