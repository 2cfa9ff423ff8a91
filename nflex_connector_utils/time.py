"""The time window a metrics or spend poll should fetch."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any, Optional, Protocol, Union

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
    ``last_update`` (a str in ``time_format`` or a datetime) and, when ``backfill_time``
    is given, is at most that many seconds long. The poll interval is
    ``event['poll_interval']`` (the nflex-scheduler shape), else
    ``event['resource']['poll_interval']``, else 900 seconds.
    """
    now = _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)
    end = now - _dt.timedelta(seconds=_seconds("skew", skew))
    last_update = event.get("last_update")
    if last_update is None or last_update == "":
        length = _poll_interval(event) + _seconds("initial_interval", initial_interval)
        return end - _dt.timedelta(seconds=length), end
    start = _read_last_update(last_update, time_format)
    if backfill_time is not None:
        limit = _dt.timedelta(seconds=_seconds("backfill_time", backfill_time))
        if end - start > limit:
            end = start + limit
            if logger is not None:
                logger.info(
                    f"Backfilling from {start:%Y-%m-%d %H:%M:%S} to {end:%Y-%m-%d %H:%M:%S}: "
                    f"at most {limit.total_seconds() / 3600:g} hours per poll"
                )
    return start, end


def _poll_interval(event: Mapping[str, Any]) -> float:
    value = event.get("poll_interval")
    if value is None:
        resource = event.get("resource")
        if isinstance(resource, Mapping):
            value = resource.get("poll_interval")
    return DEFAULT_POLL_INTERVAL if value is None else _seconds("poll_interval", value)


def _read_last_update(value: object, time_format: str) -> _dt.datetime:
    if isinstance(value, _dt.datetime):
        offset = value.utcoffset()
        return (value - offset if offset is not None else value).replace(tzinfo=None)
    if isinstance(value, str):
        try:
            return _dt.datetime.strptime(value, time_format)
        except ValueError as err:
            raise ValueError(f"event['last_update'] {value!r}: {err}") from None
    raise TypeError(
        f"event['last_update'] must be a str or a datetime, got {type(value).__name__}: {value!r}"
    )


def _seconds(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, got {value!r}")
    return float(value)
