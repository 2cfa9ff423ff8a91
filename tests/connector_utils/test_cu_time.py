"""setup_time_interval under a frozen clock."""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def test_a_long_unreadable_last_update_gives_a_short_error() -> None:
    with pytest.raises(ValueError, match=r"^event\['last_update'\] 'xxx") as err:
        setup_time_interval({"last_update": "x" * 100_000, "poll_interval": 60})
    assert len(str(err.value)) < 300


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


# --- aware last_update values come out as naive UTC ----------------------------------

ISO_WITH_OFFSET = "%Y-%m-%dT%H:%M:%S%z"

offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)


def test_percent_z_time_format_gives_naive_utc() -> None:
    event = {"last_update": "2020-01-01T12:30:00+0200", "poll_interval": 60}
    start, end = setup_time_interval(event, time_format=ISO_WITH_OFFSET)
    assert (start, end) == (at(10, 30), at(12))
    assert start.tzinfo is None


def test_percent_z_time_format_with_backfill_caps_the_window() -> None:
    event = {"last_update": "2020-01-01T07:30:00-0300", "poll_interval": 60}
    assert setup_time_interval(event, backfill_time=600, time_format=ISO_WITH_OFFSET) == (
        at(10, 30),
        at(10, 40),
    )


def test_aware_datetime_last_update_with_backfill_caps_the_window() -> None:
    tz = dt.timezone(dt.timedelta(hours=-5))
    event = {"last_update": dt.datetime(2020, 1, 1, 5, 30, tzinfo=tz), "poll_interval": 60}
    assert setup_time_interval(event, backfill_time=600) == (at(10, 30), at(10, 40))


@given(
    local=st.datetimes(min_value=dt.datetime(1000, 1, 2), max_value=dt.datetime(9998, 12, 30)),
    tz=offsets,
    as_text=st.booleans(),
    backfill_time=st.none() | st.integers(1, 10**9),
)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_last_update_in_any_timezone_starts_the_window_at_its_utc_instant(
    local: dt.datetime, tz: dt.timezone, as_text: bool, backfill_time: int | None
) -> None:
    aware = local.replace(tzinfo=tz)
    expected_start = aware.astimezone(dt.timezone.utc).replace(tzinfo=None)
    last_update = aware.strftime("%Y-%m-%dT%H:%M:%S.%f%z") if as_text else aware
    event = {"last_update": last_update, "poll_interval": 60}
    start, end = setup_time_interval(
        event, backfill_time=backfill_time, time_format="%Y-%m-%dT%H:%M:%S.%f%z"
    )
    assert start == expected_start
    assert start.tzinfo is None and end.tzinfo is None
    if backfill_time is not None and at(12) - expected_start > dt.timedelta(seconds=backfill_time):
        assert end == expected_start + dt.timedelta(seconds=backfill_time)
    else:
        assert end == at(12)


def test_last_update_that_leaves_the_datetime_range_in_utc_is_a_value_error() -> None:
    tz = dt.timezone(dt.timedelta(hours=5))
    event = {"last_update": "0001-01-01T01:00:00+0500", "poll_interval": 60}
    with pytest.raises(ValueError, match=r"^event\['last_update'\] .* out of the datetime range"):
        setup_time_interval(event, time_format=ISO_WITH_OFFSET)
    event = {"last_update": dt.datetime(1, 1, 1, 1, tzinfo=tz), "poll_interval": 60}
    with pytest.raises(ValueError, match=r"^event\['last_update'\] .* out of the datetime range"):
        setup_time_interval(event)


# --- durations: what is accepted, what is refused --------------------------------------

LAST_UPDATE = {"last_update": "2020-01-01T10:00:00.000000Z"}


def window(field: str, value: object) -> tuple[dt.datetime, dt.datetime]:
    """``setup_time_interval`` with ``value`` as the argument or event field ``field``."""
    if field == "poll_interval":
        return setup_time_interval({"poll_interval": value})
    if field == "resource poll_interval":
        return setup_time_interval({"resource": {"poll_interval": value}})
    if field == "backfill_time":
        return setup_time_interval(LAST_UPDATE, backfill_time=value)  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {field: value}
    return setup_time_interval({}, **kwargs)


FIELDS = ["skew", "initial_interval", "backfill_time", "poll_interval", "resource poll_interval"]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize(
    "value", [math.nan, math.inf, -math.inf, 1e20, -1e20, 10**30, -(10**30), 8.64e13]
)
def test_nan_infinite_and_out_of_range_durations_are_a_value_error_naming_the_field(
    field: str, value: float
) -> None:
    name = field.split()[-1]
    with pytest.raises(ValueError, match=rf"^{name}"):
        window(field, value)


@pytest.mark.parametrize("field", ["skew", "poll_interval", "resource poll_interval"])
@pytest.mark.parametrize("value", [1e13, -1e13, 9 * 10**12])
def test_duration_that_moves_the_window_out_of_the_datetime_range_is_a_value_error(
    field: str, value: float
) -> None:
    name = field.split()[-1]
    with pytest.raises(ValueError, match=rf"^{name}.* out of the datetime range"):
        window(field, value)


def test_initial_interval_out_of_the_datetime_range_names_every_duration_involved() -> None:
    expected = (
        r"^poll_interval \(60\) \+ initial_interval \(10000000000000.0\) seconds before the "
        r"end of the window \(now - skew of 0 seconds\) is out of the datetime range$"
    )
    with pytest.raises(ValueError, match=expected):
        setup_time_interval({"poll_interval": 60}, initial_interval=1e13)


def test_skew_that_leaves_no_room_for_the_window_names_skew_too() -> None:
    skew = (NOW.replace(tzinfo=None) - dt.datetime(1, 1, 1)).total_seconds()
    with pytest.raises(ValueError, match=rf"^poll_interval \(60\) .* skew of {skew!r} seconds"):
        setup_time_interval({"poll_interval": 60}, skew=skew)


@given(
    field=st.sampled_from(FIELDS),
    value=st.floats() | st.integers(),
)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_number_of_seconds_gives_naive_datetimes_or_a_value_error_naming_the_field(
    field: str, value: float
) -> None:
    try:
        start, end = window(field, value)
    except ValueError as err:
        assert field.split()[-1] in str(err)
    else:
        assert start.tzinfo is None and end.tzinfo is None


@pytest.mark.parametrize("value", [60, 60.0, 60.5])
def test_ints_and_floats_stay_accepted_as_in_0_2_0(value: float) -> None:
    seconds = dt.timedelta(seconds=value)
    assert setup_time_interval({"poll_interval": value}) == (at(12) - seconds, at(12))
    assert setup_time_interval({"poll_interval": 0}, initial_interval=value)[0] == at(12) - seconds
    assert setup_time_interval({}, skew=value)[1] == at(12) - seconds
    assert setup_time_interval(LAST_UPDATE, backfill_time=value)[1] == at(10) + seconds


def test_backfill_time_zero_means_no_limit_as_in_0_2_0() -> None:
    assert setup_time_interval(LAST_UPDATE, backfill_time=0) == (at(10), at(12))


def test_negative_backfill_time_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"^backfill_time must not be negative, got -60$"):
        setup_time_interval(LAST_UPDATE, backfill_time=-60)


def test_arguments_are_checked_even_when_the_window_does_not_use_them() -> None:
    with pytest.raises(ValueError, match=r"^backfill_time must be a finite number"):
        setup_time_interval({"poll_interval": 60}, backfill_time=math.nan)
    with pytest.raises(ValueError, match=r"^initial_interval must be a finite number"):
        setup_time_interval(LAST_UPDATE, initial_interval=math.inf)


def test_an_unused_event_poll_interval_is_not_checked() -> None:
    event = {**LAST_UPDATE, "poll_interval": "every hour"}
    assert setup_time_interval(event) == (at(10), at(12))
