"""RFC 3339 timestamps in UTC: how CMP wants `provider_created_at` and `last_seen_at`."""

from __future__ import annotations

import datetime as _dt
from typing import Union

DateLike = Union[str, _dt.datetime, None]
"""What :func:`convert_datetime` accepts."""


def convert_datetime(dt: DateLike) -> str | None:
    """Render a datetime or a timestamp string as an RFC 3339 UTC timestamp.

    None and ``''`` give None. Strings are parsed with dateutil; aware values are
    converted to UTC and naive ones are taken to be UTC already. Microseconds appear
    only when they are non-zero. Text that cannot be read is a ``ValueError`` quoting
    it, whatever dateutil raised.

    >>> convert_datetime('2017-01-01T00:00:00+10')
    '2016-12-31T14:00:00Z'
    >>> convert_datetime('1970-01-01T00:00:00.10Z')
    '1970-01-01T00:00:00.100000Z'
    >>> convert_datetime(None) is None
    True
    """
    if dt is None or dt == "":
        return None
    if isinstance(dt, str):
        from dateutil import parser  # imported on first use: keeps the package import cheap

        try:
            value = parser.parse(dt)
            offset = value.utcoffset()  # dateutil checks an offset such as "+99:99" only here
        except (ValueError, OverflowError) as err:
            raise ValueError(
                f"cannot read {_shorten(dt)} as a date and time: {_clip(str(err))}"
            ) from None
        except Exception as err:
            # dateutil lets other errors escape on odd text ("0:999..." raises
            # decimal.InvalidOperation); whatever it is, the text cannot be read.
            raise ValueError(
                f"cannot read {_shorten(dt)} as a date and time: "
                f"dateutil raised {type(err).__name__}: {_clip(str(err))}"
            ) from err
    elif isinstance(dt, _dt.datetime):
        value = dt
        offset = value.utcoffset()
    else:
        raise TypeError(f"expected a str, a datetime or None, got {type(dt).__name__}: {dt!r}")
    if offset is not None:
        try:
            value = value - offset
        except OverflowError:
            raise ValueError(f"{_shorten(dt)} is out of range once converted to UTC") from None
    # Spelled out rather than strftime so that years before 1000 keep four digits.
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    if value.microsecond:
        text += f".{value.microsecond:06d}"
    return text + "Z"


_SHOWN = 80
"""How many characters of an unreadable value an error message quotes."""


def _shorten(value: object) -> str:
    """``repr(value)``, cut to a readable length for an error message."""
    return _clip(repr(value), _SHOWN)


def _clip(text: str, size: int = 2 * _SHOWN) -> str:
    """``text`` cut to ``size`` characters: the reasons dateutil and ``strptime`` give
    quote the whole text they could not read, however long."""
    return text if len(text) <= size else f"{text[: size - 3]}..."
