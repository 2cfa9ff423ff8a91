"""Credentials kept out of recorded HTTP cassettes.

:func:`~nflex_connector_utils.tools.vcr_cassette_context` records a module's HTTP
traffic in a YAML file that is usually committed. A :class:`Redactor` is the pair of
vcrpy hooks (``before_record_request`` and ``before_record_response``) that replace the
value of every header, query parameter (also in URLs inside header values), form field
and JSON key named like a credential with :data:`REDACTED` before anything is written.

A name is compared ignoring case, ``-`` and ``_``: ``api_key``, ``API-KEY`` and
``apiKey`` are one name. vcrpy's own ``filter_query_parameters`` and
``filter_post_data_parameters`` compare names exactly and never look at responses, so
the hooks do the matching themselves.

>>> redactor = Redactor.with_extra_names(['X-Tenant-Key'])
>>> redactor.is_secret('x_tenant_key'), redactor.is_secret('API-KEY'), redactor.is_secret('q')
(True, True, False)
>>> redactor.redact_query('q=cats&apiKey=s3cr3t&token=')
'q=cats&apiKey=%3Credacted%3E&token='
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "<redacted>"
"""What a recorded secret value is replaced with."""

SECRET_NAMES = (
    # headers
    "Authorization",
    "Proxy-Authorization",
    "Cookie",
    "Set-Cookie",
    "X-Api-Key",
    "Api-Key",
    "X-Auth-Token",
    "X-Auth-Key",
    "Private-Token",
    "X-Api-Token",
    "X-Access-Token",
    "X-Subject-Token",
    "X-Vault-Token",
    "X-Goog-Api-Key",
    "Ocp-Apim-Subscription-Key",
    "X-Amz-Security-Token",
    # query parameters, form fields and JSON keys
    "api_key",
    "access_key",
    "secret_key",
    "secret_access_key",
    "private_key",
    "subscription_key",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "auth_token",
    "session_token",
    "security_token",
    "secret",
    "client_secret",
    "client_assertion",
    "assertion",
    "password",
    "passwd",
    "passphrase",
    "signature",
    "sig",
    "X-Amz-Signature",
    "X-Amz-Credential",
    "oauth_token",
    "oauth_token_secret",
    "oauth_signature",
)
"""The names redacted by default, wherever they appear (headers, query, form, JSON).

The header list also works for parameters and keys and the other way round: a JSON key
``"authorization"`` or a header ``Token`` is redacted too.
"""


def normalize_name(name: str) -> str:
    """The form names are compared in: lower case, without ``-`` and ``_``."""
    return name.lower().replace("-", "").replace("_", "")


@dataclass(frozen=True)
class Redactor:
    """The vcrpy hooks that replace secret values with :data:`REDACTED`.

    ``names`` are normalized (see :func:`normalize_name`). Empty values are left as
    they are: there is nothing to hide and replay stays faithful.
    """

    names: frozenset[str]

    @classmethod
    def with_extra_names(cls, extra: Iterable[str] = ()) -> Redactor:
        """The default :data:`SECRET_NAMES` plus a connector's own ``extra`` names."""
        return cls(frozenset(normalize_name(name) for name in (*SECRET_NAMES, *extra)))

    def is_secret(self, name: str) -> bool:
        """Whether the value under ``name`` is redacted."""
        return normalize_name(name) in self.names

    def before_record_request(self, request: Any) -> Any:
        """vcrpy's ``before_record_request`` hook: redact a request's headers, query and body.

        vcrpy applies it to requests when recording and before matching on replay, so
        a recorded request and its replayed twin are redacted alike and still match.
        The hook gives vcrpy's copy of the request a new header dict, body and URI, and
        changes nothing in place. A streamed (iterator) body is recorded as it is.
        """
        headers = {name: self._header(name, value) for name, value in request.headers.items()}
        original = request.body
        # vcrpy hands a file body as a new BytesIO over the bytes it read, on each access.
        raw = original.getvalue() if isinstance(original, io.BytesIO) else original
        body = self.redact_body(raw, _header(headers, "Content-Type"))
        if body is not raw:
            _replace_header(headers, "Content-Length", _length(body))
            request.body = body  # a file body stays one: vcrpy wraps these bytes again
        request.headers = headers
        parts = urlsplit(request.uri)
        query = self.redact_query(parts.query)
        if query != parts.query:
            request.uri = urlunsplit(parts._replace(query=query))
        return request

    def before_record_response(self, response: Mapping[str, Any]) -> dict[str, Any]:
        """vcrpy's ``before_record_response`` hook: redact a response's headers and body.

        ``response`` is vcrpy's dict (``headers`` maps a name to a list of values,
        ``body['string']`` holds the bytes); a new dict is returned.
        """
        headers = {
            name: [self._header(name, value) for value in values]
            for name, values in response.get("headers", {}).items()
        }
        result = {**response, "headers": headers}
        content_types = _header(headers, "Content-Type")
        body = response.get("body")
        if isinstance(body, Mapping) and content_types:
            text = body.get("string")
            redacted = self.redact_body(text, content_types[0])
            if redacted is not text:
                _replace_header(headers, "Content-Length", [_length(redacted)])
                result["body"] = {**body, "string": redacted}
        return result

    def redact_query(self, query: str) -> str:
        """A query string (or form body) with the secret parameters' values redacted.

        The text is returned unchanged when there is nothing to redact.
        """
        if not query:
            return query
        pairs = parse_qsl(query, keep_blank_values=True)
        if not any(self._hides(name, value) for name, value in pairs):
            return query
        return urlencode(
            [(name, REDACTED if self._hides(name, value) else value) for name, value in pairs]
        )

    def redact_body(self, body: Any, content_type: Any) -> Any:
        """A JSON or form-encoded body with its secret values redacted.

        Returns ``body`` itself when there is nothing to redact, when it is of another
        content type, or when it cannot be read as its content type says.
        """
        if not isinstance(body, (bytes, str)) or not body or not isinstance(content_type, str):
            return body
        media_type = content_type.split(";")[0].strip().lower()
        if media_type == "application/json" or media_type.endswith("+json"):
            try:
                data = json.loads(body)
            except (ValueError, RecursionError):  # not JSON after all, or too deep to parse
                return self._redact_json_text(body)
            if not self._redact_json(data):
                return body
            text = json.dumps(data, ensure_ascii=False)
        elif media_type == "application/x-www-form-urlencoded":
            try:
                form = body.decode("utf-8") if isinstance(body, bytes) else body
            except UnicodeDecodeError:
                return body
            text = self.redact_query(form)
            if text == form:
                return body
        else:
            return body
        return text.encode("utf-8") if isinstance(body, bytes) else text

    def _redact_json_text(self, body: bytes | str) -> Any:
        """Best effort for a JSON body :mod:`json` cannot read (invalid, or nested too
        deep): redact the string values of secret keys, found token by token."""
        try:
            text = body.decode("utf-8") if isinstance(body, bytes) else body
        except UnicodeDecodeError:
            return body
        tokens = _JSON_TOKENS.findall(text)
        redacted = False
        for index in range(2, len(tokens)):
            key, colon, value = tokens[index - 2 : index + 1]
            if (
                colon.strip() == ":"
                and _is_json_string(key)
                and _is_json_string(value)
                and value != '""'
                and self.is_secret(key[1:-1])
            ):
                tokens[index] = f'"{REDACTED}"'
                redacted = True
        if not redacted:
            return body
        text = "".join(tokens)
        return text.encode("utf-8") if isinstance(body, bytes) else text

    def _header(self, name: object, value: Any) -> Any:
        """A header's value as recorded: redacted whole for a secret name, else with
        the secret parameters of each URL's query redacted (``Location`` to a presigned
        URL, a ``Link`` to the next page)."""
        if self._hides(name, value):
            return REDACTED
        if isinstance(value, str) and "?" in value:
            return _URL_QUERY.sub(lambda query: "?" + self.redact_query(query[1]), value)
        return value

    def _hides(self, name: object, value: object) -> bool:
        return isinstance(name, str) and value not in (None, "") and self.is_secret(name)

    def _redact_json(self, data: Any) -> bool:
        """Redact, in place, the values of secret keys at any depth; True when any was.

        An explicit stack rather than recursion, so that no depth the decoder
        accepts can make this step fail.
        """
        redacted = False
        pending = [data]
        while pending:
            item = pending.pop()
            if isinstance(item, dict):
                for key, value in item.items():
                    if self._hides(key, value):
                        item[key] = REDACTED
                        redacted = True
                    elif isinstance(value, (dict, list)):
                        pending.append(value)
            elif isinstance(item, list):
                pending.extend(value for value in item if isinstance(value, (dict, list)))
        return redacted


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[^"]+', re.DOTALL)
"""Splits JSON text into string literals and the runs between them, in one linear pass:
a string left open runs to the end, so no match is retried from inside a string."""


_URL_QUERY = re.compile(r"\?([^\s<>\"#]*)")
"""The query of a URL inside a header value: up to a space, ``<>``, a quote or ``#``."""


def _is_json_string(token: str) -> bool:
    return len(token) >= 2 and token[0] == token[-1] == '"'


def _header(headers: Mapping[str, Any], name: str) -> Any:
    """``headers[name]`` ignoring case, or None."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def _replace_header(headers: dict[str, Any], name: str, value: Any) -> None:
    """Set ``headers[name]`` (ignoring case) to ``value`` when it is there."""
    for key in headers:
        if key.lower() == name.lower():
            headers[key] = value


def _length(body: bytes | str) -> str:
    """The ``Content-Length`` of a body."""
    return str(len(body.encode("utf-8") if isinstance(body, str) else body))
