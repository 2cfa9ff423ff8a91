"""The time window a metrics or spend poll should fetch."""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from typing import Any, Optional, Protocol, Union

from .rfc3339 import _clip, _shorten

DEFAULT_POLL_INTERVAL = 900
"""Seconds between polls when the event does not say (15 minutes)."""

Seconds = Union[int, float]


class InfoLogger(Protocol):
    """Where the backfill is reported: a :class:`~nflex_connector_utils.logger.Logger`
    or a :class:`logging.Logger`."""

    def info(self, body: str) -> None: ...


def setup_time_interval(
    event: Mapping[str, Any],
    backfill_time: Optional[Seconds] = None,
    initial_interval: Seconds = 0,
    skew: Seconds = 0,
    time_format: str = "%Y-%m-%dT%H:%M:%S.%fZ",
    logger: Optional[InfoLogger] = None,
) -> tuple[_dt.datetime, _dt.datetime]:
    """``(start, end)`` as naive UTC datetimes for a poll running now.

    ``end`` is now minus ``skew`` seconds. Without ``event['last_update']`` the window
    is the poll interval plus ``initial_interval`` long; with it, the window starts at
    ``last_update`` (a str in ``time_format`` or a datetime; aware values are converted
    to UTC) and, when ``backfill_time`` is given and not 0, is at most that many seconds
    long. The poll interval is ``event['poll_interval']`` (the nflex-scheduler shape),
    else ``event['resource']['poll_interval']``, else 900 seconds.

    Durations are ints or floats: another type (a numeric string, as in 0.2.0, or a
    bool) is a ``TypeError``; NaN, an infinity, a value out of ``timedelta``'s range,
    a negative ``backfill_time`` or a window that leaves the ``datetime`` range is a
    ``ValueError`` naming the argument or event field.
    """
    skew_delta = _duration("skew", skew)
    initial_delta = _duration("initial_interval", initial_interval)
    backfill = None if backfill_time is None else _duration("backfill_time", backfill_time)
    if backfill is not None and backfill < _dt.timedelta(0):
        raise ValueError(f"backfill_time must not be negative, got {backfill_time!r}")

    now = _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)
    try:
        end = now - skew_delta
    except OverflowError:
        raise ValueError(
            f"skew of {skew!r} seconds puts the end of the window out of the datetime range"
        ) from None

    last_update = event.get("last_update")
    if last_update is None or last_update == "":
        poll_interval = _poll_interval(event)
        try:
            return end - (_duration("poll_interval", poll_interval) + initial_delta), end
        except OverflowError:
            raise ValueError(
                f"poll_interval ({poll_interval!r}) + initial_interval ({initial_interval!r}) "
                f"seconds before the end of the window (now - skew of {skew!r} seconds) "
                "is out of the datetime range"
            ) from None

    start = _read_last_update(last_update, time_format)
    # 0.2.0 tested `if backfill_time`, so 0 means no limit rather than an empty window.
    if backfill and end - start > backfill:
        end = start + backfill
        if logger is not None:
            logger.info(
                f"Backfilling from {start:%Y-%m-%d %H:%M:%S} to {end:%Y-%m-%d %H:%M:%S}: "
                f"at most {backfill.total_seconds() / 3600:g} hours per poll"
            )
    return start, end


def _poll_interval(event: Mapping[str, Any]) -> Any:
    value = event.get("poll_interval")
    if value is None:
        resource = event.get("resource")
        if isinstance(resource, Mapping):
            value = resource.get("poll_interval")
    return DEFAULT_POLL_INTERVAL if value is None else value


def _read_last_update(value: object, time_format: str) -> _dt.datetime:
    """``event['last_update']`` as a naive UTC datetime."""
    if isinstance(value, str):
        try:
            value = _dt.datetime.strptime(value, time_format)  # aware when the format has %z
        except ValueError as err:
            reason = _clip(str(err))
            raise ValueError(f"event['last_update'] {_shorten(value)}: {reason}") from None
    if not isinstance(value, _dt.datetime):
        raise TypeError(
            "event['last_update'] must be a str or a datetime, "
            f"got {type(value).__name__}: {value!r}"
        )
    offset = value.utcoffset()
    if offset is None:
        return value
    try:
        return (value - offset).replace(tzinfo=None)
    except OverflowError:
        raise ValueError(
            f"event['last_update'] {value!r} is out of the datetime range once converted to UTC"
        ) from None


def _duration(name: str, value: object) -> _dt.timedelta:
    """``value`` seconds as a timedelta, or an error naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number of seconds, got {value!r}")
    try:
        return _dt.timedelta(seconds=value)
    except OverflowError:
        raise ValueError(
            f"{name} of {value!r} seconds is out of range: a timedelta holds at most 999999999 days"
        ) from None
