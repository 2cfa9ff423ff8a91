"""The helpers that talk to CMP, against a real HTTP server on 127.0.0.1.

``set_task_percentage``, ``Account.update`` and ``Logger`` go through ``context.api``
and ``context.log``; here ``context.api`` is the package's own requests-based
``CmpClient`` talking to the ``fake_cmp`` server from conftest.
"""

from __future__ import annotations

import base64
import logging
import os
from typing import Any

import pytest

from nflex_connector_utils import (
    Account,
    CmpClient,
    CmpConnectionError,
    LocalContext,
    Logger,
    Metadata,
    set_task_percentage,
    vcr_cassette_context,
)

from .conftest import FakeCmp


def context_for(fake: FakeCmp, module_id: str | None = "module-1", **client: Any) -> LocalContext:
    return LocalContext(module_id=module_id, api=CmpClient(fake.url + "/api", **client))


# --- set_task_percentage ---------------------------------------------------------------


def test_set_task_percentage_posts_the_percentage(fake_cmp: FakeCmp) -> None:
    set_task_percentage(context_for(fake_cmp), "task-7", 42)
    [request] = fake_cmp.requests
    assert (request.method, request.path) == ("POST", "/api/tasks/task-7/update")
    assert request.json() == {"percentage": 42}
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "nflex-connector-utils"


def test_set_task_percentage_without_task_id_sends_nothing(fake_cmp: FakeCmp) -> None:
    set_task_percentage(context_for(fake_cmp), None, 42)
    assert fake_cmp.requests == []


def test_set_task_percentage_bad_status_raises_with_status_and_content(fake_cmp: FakeCmp) -> None:
    fake_cmp.status, fake_cmp.body = 500, b"boom"
    with pytest.raises(Exception) as info:
        set_task_percentage(context_for(fake_cmp), "task-7", 50)
    assert type(info.value) is Exception
    assert str(info.value) == "Got bad response from tasks API: 500, b'boom'"


def test_set_task_percentage_dropped_connection_names_the_endpoint(fake_cmp: FakeCmp) -> None:
    fake_cmp.drop = True
    with pytest.raises(CmpConnectionError) as info:
        set_task_percentage(context_for(fake_cmp), "task-7", 50)
    assert str(info.value).startswith(
        f"could not reach CMP at POST {fake_cmp.url}/api/tasks/task-7/update: "
    )
    assert len(fake_cmp.requests) == 1  # the request arrived; no answer came back


def test_set_task_percentage_server_down_names_the_endpoint(fake_cmp: FakeCmp) -> None:
    context = context_for(fake_cmp)
    fake_cmp.stop()
    with pytest.raises(CmpConnectionError, match=r"could not reach CMP at POST http://127\.0\."):
        set_task_percentage(context, "task-7", 50)


class _FailingApi:
    """A flexer-like client whose transport fails with a requests-style OSError."""

    def post(self, path: str, data: Any) -> Any:
        raise ConnectionResetError("connection reset by peer")


def test_network_failure_of_another_client_is_wrapped_naming_the_path() -> None:
    context = LocalContext(module_id="m", api=_FailingApi())
    with pytest.raises(CmpConnectionError) as info:
        set_task_percentage(context, "t-1", 10)
    assert str(info.value) == (
        "could not reach the CMP tasks API at POST /tasks/t-1/update: connection reset by peer"
    )


def test_missing_api_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match=r"POST /tasks/t-1/update\): the context has no 'api'"):
        set_task_percentage(LocalContext(module_id="m"), "t-1", 10)


class _KeywordOnlyApi:
    """Accepts only ``path=`` and ``data=`` keywords, as flexer's CmpClient is called."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []

    def post(self, *, path: str, data: Any) -> Any:
        self.calls.append(("post", path, data))
        return _Ok()

    def patch(self, *, path: str, data: Any) -> Any:
        self.calls.append(("patch", path, data))
        return _Ok()


class _Ok:
    status_code = 200
    content = b""


def test_helpers_call_the_api_with_path_and_data_keywords() -> None:
    api = _KeywordOnlyApi()
    context = {"module_id": "m", "api": api}  # a dict context works too
    set_task_percentage(context, "t", 5)
    Account(id="a").update(context, "acc")
    assert api.calls == [
        ("post", "/tasks/t/update", {"percentage": 5}),
        ("patch", "/accounts/acc/resource", {"id": "a"}),
    ]


# --- Account.update ------------------------------------------------------------------


def test_account_update_patches_the_serialized_account(fake_cmp: FakeCmp) -> None:
    account = Account(id="acc-1", metadata=Metadata([("plan", "gold")]))
    account.update(context_for(fake_cmp), "acc-1")
    [request] = fake_cmp.requests
    assert (request.method, request.path) == ("PATCH", "/api/accounts/acc-1/resource")
    assert request.json() == {"id": "acc-1", "metadata": {"provider_specific": {"plan": "gold"}}}
    assert request.headers["Content-Type"] == "application/json"


def test_account_update_without_account_id_or_module_id_sends_nothing(fake_cmp: FakeCmp) -> None:
    Account(id="a").update(context_for(fake_cmp), None)
    Account(id="a").update(context_for(fake_cmp, module_id=None), "acc-1")
    assert fake_cmp.requests == []


def test_account_update_bad_status_raises_with_status_and_content(fake_cmp: FakeCmp) -> None:
    fake_cmp.status, fake_cmp.body = 404, b'{"error": "no such account"}'
    with pytest.raises(Exception) as info:
        Account(id="a").update(context_for(fake_cmp), "acc-1")
    assert str(info.value) == (
        'Got bad response from account API: 404, b\'{"error": "no such account"}\''
    )


def test_account_update_dropped_connection_names_the_endpoint(fake_cmp: FakeCmp) -> None:
    fake_cmp.drop = True
    with pytest.raises(CmpConnectionError, match=r"PATCH http://.*/api/accounts/acc-1/resource"):
        Account(id="a").update(context_for(fake_cmp), "acc-1")


# --- CmpClient -----------------------------------------------------------------------


def test_client_sends_basic_auth(fake_cmp: FakeCmp) -> None:
    client = CmpClient(fake_cmp.url, auth=("key", "secret"))
    assert client.get("/ping", params={"a": "1"}).status_code == 200
    [request] = fake_cmp.requests
    assert (request.method, request.path) == ("GET", "/ping?a=1")
    token = base64.b64encode(b"key:secret").decode()
    assert request.headers["Authorization"] == f"Basic {token}"


def test_client_sends_access_token_as_cookie(fake_cmp: FakeCmp) -> None:
    client = CmpClient(fake_cmp.url + "/", access_token="x-cmp-op=abc", user_agent="me/1")
    client.put("/things/1", data=[1, "two"])
    client.delete("/things/1")
    put, delete = fake_cmp.requests
    assert (put.method, put.path, put.json()) == ("PUT", "/things/1", [1, "two"])
    assert put.headers["Cookie"] == "x-cmp-op=abc"
    assert put.headers["User-Agent"] == "me/1"
    assert "Authorization" not in put.headers
    assert (delete.method, delete.path, delete.body) == ("DELETE", "/things/1", b"")


def test_client_returns_non_200_responses_without_raising(fake_cmp: FakeCmp) -> None:
    fake_cmp.status, fake_cmp.body = 500, b"oops"
    response = CmpClient(fake_cmp.url).post("/x", data={})
    assert (response.status_code, response.content) == (500, b"oops")


# --- Logger --------------------------------------------------------------------------


def test_logger_prints_without_module_id(capsys: pytest.CaptureFixture[str]) -> None:
    context = LocalContext()
    logger = Logger(context, "cust", "acc", "res")
    logger.info("hello")
    logger.warn("careful")
    logger.error("bad")
    logger.exception("worse")
    assert capsys.readouterr().out == (
        "info\tTarget(customer: cust,account: acc, resource: res): hello\n"
        "warn\tTarget(customer: cust,account: acc, resource: res): careful\n"
        "error\tTarget(customer: cust,account: acc, resource: res): bad\n"
        "exception\tTarget(customer: cust,account: acc, resource: res): worse\n"
    )
    assert context.logs == []


def test_logger_uses_context_log_with_module_id(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    context = LocalContext(module_id="module-1")
    logger = Logger(context, customer_id="c", account_id="a")
    with caplog.at_level(logging.INFO, logger="nflex_connector_utils.local"):
        logger.info("one")
        logger.error("two")
    assert context.logs == [
        ("Target(customer: c,account: a, resource: None): one", "info"),
        ("Target(customer: c,account: a, resource: None): two", "error"),
    ]
    assert capsys.readouterr().out == ""
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", "Target(customer: c,account: a, resource: None): one"),
        ("ERROR", "Target(customer: c,account: a, resource: None): two"),
    ]


def test_logger_with_the_seed_example_dict_context(capsys: pytest.CaptureFixture[str]) -> None:
    event: dict[str, Any] = {
        "customer_id": "fake-id",
        "account_id": "fake-id",
        "resource": {"id": "fake-rid"},
    }
    logger = Logger(
        {},
        customer_id=event.get("customer_id", ""),
        account_id=event.get("account_id", ""),
        resource_id=event["resource"]["id"],
    )
    logger.info(f"logging info {'something'}")
    assert capsys.readouterr().out == (
        "info\tTarget(customer: fake-id,account: fake-id, resource: fake-rid): "
        "logging info something\n"
    )


def test_logger_dict_context_with_module_id_and_log() -> None:
    lines: list[tuple[str, str]] = []
    context = {"module_id": "m", "log": lambda line, severity: lines.append((line, severity))}
    Logger(context, "c", "a", "r").warn("w")
    assert lines == [("Target(customer: c,account: a, resource: r): w", "warn")]


def test_logger_module_id_without_log_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match=r"has a module_id but no callable 'log'.*: x$"):
        Logger({"module_id": "m"}, "c", "a").info("x")


# --- vcr_cassette_context ------------------------------------------------------------


def test_vcr_cassette_records_then_replays_without_the_server(
    fake_cmp: FakeCmp, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEBUG_VCR", "1")
    fake_cmp.body = b'{"recorded": true}'
    client = CmpClient(fake_cmp.url)

    @vcr_cassette_context
    def fetch() -> tuple[int, Any]:
        response = client.post("/tasks/t/update", data={"percentage": 1})
        return response.status_code, response.json()

    assert fetch() == (200, {"recorded": True})
    assert len(fake_cmp.requests) == 1
    assert (tmp_path / "vcr.yaml").is_file()

    fake_cmp.stop()
    assert fetch() == (200, {"recorded": True})  # replayed from the cassette
    assert len(fake_cmp.requests) == 1

    monkeypatch.delenv("DEBUG_VCR")
    with pytest.raises(CmpConnectionError):  # no cassette: the server really is gone
        fetch()


def test_vcr_cassette_path_is_overridable(
    fake_cmp: FakeCmp, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEBUG_VCR", "")
    client = CmpClient(fake_cmp.url)

    def fetch() -> int:
        return client.get("/x").status_code

    assert vcr_cassette_context(fetch, cassette="cassettes/mine.yaml")() == 200
    assert sorted(os.listdir(tmp_path / "cassettes")) == ["mine.yaml"]
    assert not (tmp_path / "vcr.yaml").exists()


def test_vcr_cassette_context_without_debug_vcr_just_calls(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DEBUG_VCR", raising=False)

    @vcr_cassette_context
    def add(a: int, b: int = 0) -> int:
        """Adds."""
        return a + b

    assert add(1, b=2) == 3
    assert add.__name__ == "add" and add.__doc__ == "Adds."
    assert os.listdir(tmp_path) == []
