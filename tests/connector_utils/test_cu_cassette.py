"""vcr_cassette_context keeps credentials out of the cassette file and still replays.

Each test records real traffic against a local HTTP server, reads the cassette file
as text (what a reviewer of a commit would see), then stops the server and replays.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest
import requests
import yaml
from hypothesis import given
from hypothesis import strategies as st

from nflex_connector_utils import vcr_cassette_context
from nflex_connector_utils.redact import REDACTED, SECRET_NAMES, Redactor

from .conftest import FakeCmp

# Every value a connector must not leak; each is unique so that a grep finds only it.
SECRETS = {
    "authorization": "Bearer hdr-auth-7Qx",
    "x_api_key": "hdr-apikey-9Kd",
    "cookie_value": "hdr-cookie-3Vb",
    "query_api_key": "query-apikey-5Lm",
    "amz_signature": "query-amzsig-8Tr",
    "amz_credential": "AKIAEXAMPLE/20200101/query-amzcred-2Pw",
    "form_secret": "form-clientsecret-4Hy",
    "form_password": "form-password-6Gz",
    "json_password": "json-password-1Nc",
    "json_api_key": "json-apikey-0Jq",
    "response_access_token": "resp-access-token-5Ee",
    "response_refresh_token": "resp-refresh-token-8Uu",
    "response_id_token": "resp-id-token-2Ww",
    "response_cookie": "resp-cookie-session-7Ss",
    "response_subject_token": "resp-subject-token-3Aa",
}

TOKEN_RESPONSE = {
    "access_token": SECRETS["response_access_token"],
    "refresh_token": SECRETS["response_refresh_token"],
    "token_type": "Bearer",
    "expires_in": 3600,
    "profile": {"name": "me", "tokens": [{"id_token": SECRETS["response_id_token"]}]},
}
TOKEN_RESPONSE_AS_RECORDED = {
    "access_token": REDACTED,
    "refresh_token": REDACTED,
    "token_type": "Bearer",
    "expires_in": 3600,
    "profile": {"name": "me", "tokens": [{"id_token": REDACTED}]},
}


def talk_to(url: str) -> list[Any]:
    """A connector's traffic: secrets in headers, query, form and JSON bodies."""
    session = requests.Session()
    answers = []
    response = session.get(
        f"{url}/items",
        params={"q": "cats", "api_key": SECRETS["query_api_key"], "nextToken": "page-2"},
        headers={
            "Authorization": SECRETS["authorization"],
            "x-api-key": SECRETS["x_api_key"],
            "Cookie": f"sid={SECRETS['cookie_value']}",
        },
    )
    answers.append((response.json(), response.headers.get("Set-Cookie")))
    response = session.post(
        f"{url}/oauth/token",
        data={
            "grant_type": "password",
            "client_id": "connector",
            "Client_Secret": SECRETS["form_secret"],
            "password": SECRETS["form_password"],
        },
    )
    answers.append(response.json())
    response = session.post(
        f"{url}/login",
        json={
            "user": "me",
            "credentials": [{"PASSWORD": SECRETS["json_password"]}],
            "apiKey": SECRETS["json_api_key"],
        },
    )
    answers.append(response.json())
    response = session.get(
        f"{url}/signed",
        params={
            "X-Amz-Signature": SECRETS["amz_signature"],
            "X-Amz-Credential": SECRETS["amz_credential"],
        },
    )
    answers.append(response.json())
    return answers


@pytest.fixture
def recording(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Record into ``tmp_path/vcr.yaml``: DEBUG_VCR set, cwd in ``tmp_path``."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEBUG_VCR", "1")
    return tmp_path / "vcr.yaml"


def interactions(cassette: Path) -> list[dict[str, Any]]:
    loaded: dict[str, Any] = yaml.safe_load(cassette.read_text())
    return list(loaded["interactions"])


def test_recorded_cassette_holds_no_secret_and_replays_without_the_server(
    fake_cmp: FakeCmp, recording: Path
) -> None:
    fake_cmp.body = json.dumps(TOKEN_RESPONSE).encode()
    fake_cmp.headers = [
        ("Set-Cookie", f"session={SECRETS['response_cookie']}; Path=/; HttpOnly"),
        ("X-Subject-Token", SECRETS["response_subject_token"]),
    ]
    record = vcr_cassette_context(talk_to)

    live = record(fake_cmp.url)
    assert live[0] == (TOKEN_RESPONSE, f"session={SECRETS['response_cookie']}; Path=/; HttpOnly")
    sent = b"".join(
        r.path.encode() + json.dumps(r.headers).encode() + r.body for r in fake_cmp.requests
    )
    for name in ("authorization", "query_api_key", "form_password", "json_api_key"):
        assert SECRETS[name].split()[-1].encode() in sent, f"{name} was not really sent"

    text = recording.read_text()
    for name, value in SECRETS.items():
        for part in value.split("/"):
            assert part.split()[-1] not in text, f"{name} leaked into the cassette"
    assert REDACTED in text

    fake_cmp.stop()
    replayed = record(fake_cmp.url)
    assert replayed == [
        (TOKEN_RESPONSE_AS_RECORDED, REDACTED),
        TOKEN_RESPONSE_AS_RECORDED,
        TOKEN_RESPONSE_AS_RECORDED,
        TOKEN_RESPONSE_AS_RECORDED,
    ]
    assert len(fake_cmp.requests) == 4


def test_cassette_redacts_values_and_keeps_everything_else(
    fake_cmp: FakeCmp, recording: Path
) -> None:
    fake_cmp.body = json.dumps(TOKEN_RESPONSE).encode()
    fake_cmp.headers = [("Set-Cookie", "session=abc"), ("X-Request-Id", "req-1")]
    vcr_cassette_context(talk_to)(fake_cmp.url)
    items, token, login, signed = interactions(recording)

    request = items["request"]
    assert request["uri"] == (
        f"{fake_cmp.url}/items?q=cats&api_key=%3Credacted%3E&nextToken=page-2"
    )
    headers = {name.lower(): value for name, value in request["headers"].items()}
    assert headers["authorization"] == headers["x-api-key"] == headers["cookie"] == [REDACTED]
    response_headers = items["response"]["headers"]
    assert response_headers["Set-Cookie"] == [REDACTED]
    assert response_headers["X-Request-Id"] == ["req-1"]
    body = items["response"]["body"]["string"]
    assert json.loads(body) == TOKEN_RESPONSE_AS_RECORDED
    assert response_headers["Content-Length"] == [str(len(body.encode()))]

    assert token["request"]["body"] == (
        "grant_type=password&client_id=connector"
        "&Client_Secret=%3Credacted%3E&password=%3Credacted%3E"
    )
    assert json.loads(login["request"]["body"]) == {
        "user": "me",
        "credentials": [{"PASSWORD": REDACTED}],
        "apiKey": REDACTED,
    }
    assert signed["request"]["uri"] == (
        f"{fake_cmp.url}/signed?X-Amz-Signature=%3Credacted%3E&X-Amz-Credential=%3Credacted%3E"
    )


def test_gzipped_json_response_is_recorded_decompressed_and_redacted(
    fake_cmp: FakeCmp, recording: Path
) -> None:
    fake_cmp.body = gzip.compress(json.dumps(TOKEN_RESPONSE).encode())
    fake_cmp.headers = [("Content-Encoding", "gzip")]

    @vcr_cassette_context
    def fetch(url: str) -> Any:
        return requests.get(f"{url}/token").json()

    assert fetch(fake_cmp.url) == TOKEN_RESPONSE
    assert SECRETS["response_access_token"] not in recording.read_text()
    fake_cmp.stop()
    assert fetch(fake_cmp.url) == TOKEN_RESPONSE_AS_RECORDED


def test_form_encoded_token_response_is_redacted(fake_cmp: FakeCmp, recording: Path) -> None:
    fake_cmp.content_type = "application/x-www-form-urlencoded; charset=utf-8"
    fake_cmp.body = f"access_token={SECRETS['response_access_token']}&scope=repo".encode()

    @vcr_cassette_context
    def fetch(url: str) -> str:
        return requests.post(f"{url}/login/oauth/access_token").text

    assert fetch(fake_cmp.url) == f"access_token={SECRETS['response_access_token']}&scope=repo"
    fake_cmp.stop()
    assert fetch(fake_cmp.url) == "access_token=%3Credacted%3E&scope=repo"


def test_secret_query_parameters_in_urls_of_response_headers_are_redacted(
    fake_cmp: FakeCmp, recording: Path
) -> None:
    """A redirect to a presigned URL, a pagination link: URLs in header values."""
    presigned = "https://bucket.example/blob?X-Amz-Signature=hdr-url-sig-6Yy&part=1"
    link = '<https://api.example/items?page=2&access_token=hdr-link-token-4Rr>; rel="next"'
    fake_cmp.headers = [("Location", presigned), ("Link", link)]

    @vcr_cassette_context
    def fetch(url: str) -> tuple[str, str]:
        response = requests.get(f"{url}/download", allow_redirects=False)
        return response.headers["Location"], response.headers["Link"]

    assert fetch(fake_cmp.url) == (presigned, link)
    text = recording.read_text()
    assert "hdr-url-sig-6Yy" not in text and "hdr-link-token-4Rr" not in text
    fake_cmp.stop()
    assert fetch(fake_cmp.url) == (
        "https://bucket.example/blob?X-Amz-Signature=%3Credacted%3E&part=1",
        '<https://api.example/items?page=2&access_token=%3Credacted%3E>; rel="next"',
    )


def test_file_body_is_redacted_and_a_streamed_body_is_recorded_as_sent(
    fake_cmp: FakeCmp, recording: Path
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"streamed-"
        yield b"chunk"

    @vcr_cassette_context
    def upload(url: str) -> list[int]:
        file_body = io.BytesIO(b'{"user": "me", "password": "file-password-2Qq"}')
        headers = {"Content-Type": "application/json"}
        return [
            requests.post(f"{url}/file", data=file_body, headers=headers).status_code,
            requests.post(f"{url}/stream", data=chunks()).status_code,
        ]

    assert upload(fake_cmp.url) == [200, 200]
    assert fake_cmp.requests[0].json()["password"] == "file-password-2Qq"
    assert fake_cmp.requests[1].body == b"streamed-chunk"
    # vcrpy writes a file body as a pickled BytesIO (base64 in the YAML): load it back.
    loaded = yaml.load(recording.read_text(), Loader=yaml.UnsafeLoader)
    file_request = loaded["interactions"][0]["request"]
    body = file_request["body"].getvalue()
    assert json.loads(body) == {"user": "me", "password": REDACTED}
    assert file_request["headers"]["Content-Length"] == [str(len(body))]
    fake_cmp.stop()
    assert upload(fake_cmp.url) == [200, 200]


Decorate = Callable[[Callable[[str], Any]], Callable[[str], Any]]


@pytest.mark.parametrize(
    "decorate",
    [
        pytest.param(
            lambda f: vcr_cassette_context(secret_names=["X-Tenant-Key", "session_id"])(f),
            id="decorator-factory",
        ),
        pytest.param(
            lambda f: vcr_cassette_context(
                f, "vcr.yaml", secret_names=("x_tenant_key", "SessionId")
            ),
            id="function-call",
        ),
    ],
)
def test_a_connector_adds_its_own_secret_names(
    fake_cmp: FakeCmp, recording: Path, decorate: Decorate
) -> None:
    def fetch(url: str) -> int:
        response = requests.get(
            f"{url}/x",
            params={"sessionId": "custom-session-1Zz", "page": "2"},
            headers={"X-Tenant-Key": "custom-tenant-4Yy"},
        )
        return response.status_code

    assert decorate(fetch)(fake_cmp.url) == 200
    text = recording.read_text()
    assert "custom-session-1Zz" not in text and "custom-tenant-4Yy" not in text
    assert "page=2" in text
    fake_cmp.stop()
    assert decorate(fetch)(fake_cmp.url) == 200


def test_a_single_secret_name_string_is_one_name(fake_cmp: FakeCmp, recording: Path) -> None:
    @vcr_cassette_context(secret_names="X-Tenant-Key")
    def fetch(url: str) -> int:
        headers = {"X-Tenant-Key": "custom-tenant-4Yy", "X": "kept-value"}
        return requests.get(f"{url}/x", headers=headers).status_code

    assert fetch(fake_cmp.url) == 200
    text = recording.read_text()
    assert "custom-tenant-4Yy" not in text and "kept-value" in text


def test_secret_names_that_are_not_strings_are_refused_when_decorating() -> None:
    with pytest.raises(TypeError, match=r"^secret_names must be strings, got 7$"):
        vcr_cassette_context(secret_names=["X-Key", 7])  # type: ignore[list-item]


def test_a_cassette_path_in_place_of_the_function_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"^vcr_cassette_context decorates a function, got 'x"):
        vcr_cassette_context("x.yaml")  # type: ignore[call-overload]


def test_bare_decorator_factory_uses_the_defaults(fake_cmp: FakeCmp, recording: Path) -> None:
    @vcr_cassette_context()
    def fetch(url: str) -> int:
        return requests.get(f"{url}/x", params={"token": "bare-token-6Rr"}).status_code

    assert fetch(fake_cmp.url) == 200
    assert "bare-token-6Rr" not in recording.read_text()


# --- the redaction of JSON bodies, against a recursive oracle ------------------------

spellings = st.sampled_from(SECRET_NAMES).flatmap(
    lambda name: st.sampled_from([name, name.upper(), name.lower().replace("-", "_")])
)
keys = spellings | st.sampled_from(["name", "id", "nextToken", "tokens", "value", ""])
leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
documents = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)


def redacted_by_hand(value: Any) -> Any:
    """The oracle: the same rule, written recursively."""
    if isinstance(value, dict):
        secret = {name.lower().replace("-", "").replace("_", "") for name in SECRET_NAMES}
        return {
            key: REDACTED
            if key.lower().replace("-", "").replace("_", "") in secret and item not in (None, "")
            else redacted_by_hand(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redacted_by_hand(item) for item in value]
    return value


@given(documents, st.sampled_from(["application/json", "application/vnd.api+json; charset=utf-8"]))
def test_json_bodies_lose_exactly_the_secret_values_at_any_depth(
    document: Any, content_type: str
) -> None:
    body = json.dumps(document).encode()
    redacted = Redactor.with_extra_names().redact_body(body, content_type)
    expected = redacted_by_hand(document)
    if expected == document:
        assert redacted is body  # untouched, byte for byte
    else:
        assert json.loads(redacted) == expected


def test_json_nested_deeper_than_the_recursion_limit_is_still_redacted() -> None:
    body = "[" * 50_000 + '{"password": "deep-secret"}' + "]" * 50_000
    redacted = Redactor.with_extra_names().redact_body(body, "application/json")
    assert "deep-secret" not in redacted


def test_requests_to_an_ignored_host_are_not_recorded(fake_cmp: FakeCmp, recording: Path) -> None:
    @vcr_cassette_context(ignore_hosts=["127.0.0.1"])
    def fetch(url: str) -> int:
        return requests.get(f"{url}/x").status_code

    assert fetch(fake_cmp.url) == 200
    assert not recording.exists() or "interactions: []" in recording.read_text()


def test_the_host_0_2_0_left_out_of_cassettes_is_still_left_out_by_default() -> None:
    from nflex_connector_utils.tools import VCR_IGNORED_HOSTS

    assert VCR_IGNORED_HOSTS == ("192.168.42.24",)
