"""setup_time_interval under a frozen clock (SPEC 3.2)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from nflex_connector_utils import LocalContext, Logger, setup_time_interval

NOW = dt.datetime(2020, 1, 1, 12, 0, 0, tzinfo=dt.timezone.utc)


def at(hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    """A naive UTC datetime on the frozen day."""
    return dt.datetime(2020, 1, 1, hour, minute, second)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def test_scheduler_event_shape_poll_interval_at_the_top() -> None:
    assert setup_time_interval({"poll_interval": 60}) == (at(11, 59), at(12))


def test_resource_event_shape() -> None:
    assert setup_time_interval({"resource": {"poll_interval": 600}}) == (at(11, 50), at(12))


def test_top_level_poll_interval_wins_over_the_resource_one() -> None:
    event = {"poll_interval": 120, "resource": {"poll_interval": 600}}
    assert setup_time_interval(event) == (at(11, 58), at(12))


def test_top_level_poll_interval_none_falls_back_to_the_resource() -> None:
    event = {"poll_interval": None, "resource": {"poll_interval": 600}}
    assert setup_time_interval(event) == (at(11, 50), at(12))


@pytest.mark.parametrize(
    "event",
    [{}, {"resource": {}}, {"resource": {"poll_interval": None}}, {"poll_interval": None}],
)
def test_missing_poll_interval_is_900_seconds(event: dict[str, Any]) -> None:
    assert setup_time_interval(event) == (at(11, 45), at(12))


def test_initial_interval_and_skew_without_last_update() -> None:
    event = {"resource": {"poll_interval": 600}}
    assert setup_time_interval(event, initial_interval=300, skew=60) == (at(11, 44), at(11, 59))


@pytest.mark.parametrize("last_update", [None, ""])
def test_empty_last_update_counts_as_missing(last_update: Any) -> None:
    event = {"last_update": last_update, "resource": {"poll_interval": 600}}
    assert setup_time_interval(event) == (at(11, 50), at(12))


def test_last_update_string_starts_the_window() -> None:
    event = {"last_update": "2020-01-01T10:00:00.000000Z", "resource": {"poll_interval": 600}}
    assert setup_time_interval(event, skew=60, initial_interval=999) == (at(10), at(11, 59))


def test_last_update_with_a_custom_time_format() -> None:
    event = {"last_update": "01/01/2020 10:30", "poll_interval": 60}
    assert setup_time_interval(event, time_format="%d/%m/%Y %H:%M") == (at(10, 30), at(12))


def test_last_update_naive_datetime_is_utc() -> None:
    event = {"last_update": at(11, 30), "poll_interval": 60}
    assert setup_time_interval(event) == (at(11, 30), at(12))


def test_last_update_aware_datetime_is_converted_to_naive_utc() -> None:
    tz = dt.timezone(dt.timedelta(hours=2))
    event = {"last_update": dt.datetime(2020, 1, 1, 13, 30, tzinfo=tz), "poll_interval": 60}
    start, end = setup_time_interval(event)
    assert (start, end) == (at(11, 30), at(12))
    assert start.tzinfo is None and end.tzinfo is None


def test_backfill_caps_the_window_and_is_logged(capsys: pytest.CaptureFixture[str]) -> None:
    event = {"last_update": "2020-01-01T10:00:00.000000Z", "resource": {"poll_interval": 600}}
    logger = Logger(LocalContext(), "cust", "acc", "res")
    result = setup_time_interval(event, backfill_time=3600, skew=60, logger=logger)
    assert result == (at(10), at(11))
    assert capsys.readouterr().out == (
        "info\tTarget(customer: cust,account: acc, resource: res): "
        "Backfilling from 2020-01-01 10:00:00 to 2020-01-01 11:00:00: at most 1 hours per poll\n"
    )


def test_backfill_without_a_logger_is_silent(capsys: pytest.CaptureFixture[str]) -> None:
    event = {"last_update": "2020-01-01T10:00:00.000000Z", "poll_interval": 600}
    assert setup_time_interval(event, backfill_time=1800) == (at(10), at(10, 30))
    assert capsys.readouterr().out == ""


def test_window_shorter_than_backfill_is_kept_and_not_logged(
    capsys: pytest.CaptureFixture[str],
) -> None:
    event = {"last_update": "2020-01-01T11:50:00.000000Z", "poll_interval": 600}
    logger = Logger(LocalContext(), "c", "a")
    assert setup_time_interval(event, backfill_time=3600, skew=60, logger=logger) == (
        at(11, 50),
        at(11, 59),
    )
    assert capsys.readouterr().out == ""


def test_backfill_exactly_equal_is_not_capped() -> None:
    event = {"last_update": "2020-01-01T11:00:00.000000Z", "poll_interval": 600}
    assert setup_time_interval(event, backfill_time=3600) == (at(11), at(12))


def test_backfill_is_reported_through_a_stdlib_logger(caplog: pytest.LogCaptureFixture) -> None:
    event = {"last_update": "2020-01-01T10:00:00.000000Z", "poll_interval": 600}
    with caplog.at_level(logging.INFO, logger="connector"):
        setup_time_interval(event, backfill_time=900, logger=logging.getLogger("connector"))
    assert [r.getMessage() for r in caplog.records] == [
        "Backfilling from 2020-01-01 10:00:00 to 2020-01-01 10:15:00: at most 0.25 hours per poll"
    ]


def test_now_is_read_at_call_time() -> None:
    event = {"poll_interval": 60}
    with time_machine.travel(dt.datetime(2030, 5, 5, 5, 5, tzinfo=dt.timezone.utc), tick=False):
        assert setup_time_interval(event)[1] == dt.datetime(2030, 5, 5, 5, 5)
    assert setup_time_interval(event)[1] == at(12)


def test_unreadable_last_update_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"^event\['last_update'\] '2020-01-01': time data"):
        setup_time_interval({"last_update": "2020-01-01", "poll_interval": 60})


def test_last_update_of_another_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"^event\['last_update'\] must be a str or a datetime"):
        setup_time_interval({"last_update": 1577880000, "poll_interval": 60})


@pytest.mark.parametrize(
    ("event", "kwargs", "name"),
    [
        ({"poll_interval": "60"}, {}, "poll_interval"),
        ({"resource": {"poll_interval": True}}, {}, "poll_interval"),
        ({}, {"skew": None}, "skew"),
        ({}, {"initial_interval": "5"}, "initial_interval"),
        ({"last_update": "2020-01-01T10:00:00.000000Z"}, {"backfill_time": "1h"}, "backfill_time"),
    ],
)
def test_non_numeric_seconds_are_a_type_error_naming_the_argument(
    event: dict[str, Any], kwargs: dict[str, Any], name: str
) -> None:
    with pytest.raises(TypeError, match=rf"^{name} must be a number of seconds, got "):
        setup_time_interval(event, **kwargs)
