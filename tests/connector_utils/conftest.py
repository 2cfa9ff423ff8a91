"""Fixtures for the connector utilities: a frozen clock and a real local CMP stand-in."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine

FROZEN_NOW = dt.datetime(2021, 6, 15, 12, 30, 45, 123456, tzinfo=dt.timezone.utc)
"""The instant the ``frozen_clock`` fixture stops time at."""

FROZEN_NOW_RFC3339 = "2021-06-15T12:30:45.123456Z"
"""``last_seen_at`` as every resource serializes it under ``frozen_clock``."""


@pytest.fixture
def frozen_clock() -> Iterator[None]:
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


@dataclass
class Recorded:
    """One request the stand-in CMP received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeCmp:
    """A real HTTP server on 127.0.0.1 that records requests and answers as told.

    ``status``/``body``/``content_type``/``headers`` set the answer; ``drop = True``
    closes the connection instead.
    """

    server: ThreadingHTTPServer
    requests: list[Recorded] = field(default_factory=list)
    status: int = 200
    body: bytes = b'{"ok": true}'
    content_type: str = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)
    drop: bool = False
    stopped: bool = False

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.server.shutdown()
        self.server.server_close()


def _handler_for(cmp: list[FakeCmp]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            fake = cmp[0]
            body = self._read_body()
            fake.requests.append(Recorded(self.command, self.path, dict(self.headers), body))
            if fake.drop:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.send_response(fake.status)
            self.send_header("Content-Type", fake.content_type)
            self.send_header("Content-Length", str(len(fake.body)))
            for name, value in fake.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(fake.body)

        def _read_body(self) -> bytes:
            if self.headers.get("Transfer-Encoding") != "chunked":
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))
            chunks = []  # a streamed request: hex size line, data, CRLF; size 0 ends it
            while size := int(self.rfile.readline().split(b";")[0], 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output clean

    return Handler


@pytest.fixture
def fake_cmp() -> Iterator[FakeCmp]:
    holder: list[FakeCmp] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(holder))
    server.daemon_threads = True
    fake = FakeCmp(server)
    holder.append(fake)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.stop()
