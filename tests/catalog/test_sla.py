"""Business-hours deadlines: the charter counts Monday-Friday 9:00-18:00 Paris time,
French public holidays excluded."""

import datetime

import pytest

from catalog.sla import (
    CHARTER_TARGETS,
    PARIS,
    BusinessCalendar,
    Criticality,
    deadline,
)

B, G, INFO = Criticality.BLOQUANT, Criticality.GENANT, Criticality.INFORMATIF


def paris(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=PARIS)


def test_charter_targets():
    assert CHARTER_TARGETS == {B: 30, G: 60, INFO: 120}


def test_bloquant_opened_friday_evening_is_due_monday_morning():
    # The example: Friday 27 November 2026 17:50 -> Monday 30 at 9:20.
    due = deadline(opened_at=paris(2026, 11, 27, 17, 50), criticality=B)
    assert due == paris(2026, 11, 30, 9, 20)
    assert due.utcoffset() == datetime.timedelta(hours=1)


def test_within_business_hours_counts_straight_minutes():
    assert deadline(opened_at=paris(2026, 11, 24, 10, 0), criticality=G) == paris(
        2026, 11, 24, 11, 0
    )


def test_deadline_exactly_at_closing_stays_that_day():
    assert deadline(opened_at=paris(2026, 11, 24, 17, 30), criticality=B) == paris(
        2026, 11, 24, 18, 0
    )


def test_after_hours_starts_next_morning():
    assert deadline(opened_at=paris(2026, 11, 24, 19, 45), criticality=INFO) == paris(
        2026, 11, 25, 11, 0
    )


def test_before_hours_starts_at_opening():
    assert deadline(opened_at=paris(2026, 11, 24, 6, 12), criticality=B) == paris(
        2026, 11, 24, 9, 30
    )


def test_weekend_counts_from_monday():
    # Saturday 28 November 2026, any time.
    assert deadline(opened_at=paris(2026, 11, 28, 11, 0), criticality=G) == paris(
        2026, 11, 30, 10, 0
    )


@pytest.mark.parametrize(
    "opened, due",
    [
        # Armistice, Wednesday 11 November 2026.
        ((2026, 11, 10, 17, 45), (2026, 11, 12, 9, 15)),
        ((2026, 11, 11, 10, 0), (2026, 11, 12, 9, 30)),
        # Easter Monday, 6 April 2026, after the weekend.
        ((2026, 4, 3, 17, 45), (2026, 4, 7, 9, 15)),
        # Bastille Day, Tuesday 14 July 2026.
        ((2026, 7, 13, 17, 50), (2026, 7, 15, 9, 20)),
        # Christmas Friday 25 December 2026, then the weekend.
        ((2026, 12, 24, 17, 55), (2026, 12, 28, 9, 25)),
    ],
)
def test_french_public_holidays_are_closed(opened, due):
    assert deadline(opened_at=paris(*opened), criticality=B) == paris(*due)


def test_spring_forward_weekend_keeps_local_hours():
    # Clocks go forward on Sunday 29 March 2026: Friday CET (+1), Monday CEST (+2).
    opened = paris(2026, 3, 27, 17, 40)
    due = deadline(opened_at=opened, criticality=G)
    assert due == paris(2026, 3, 30, 9, 40)
    assert opened.utcoffset() == datetime.timedelta(hours=1)
    assert due.utcoffset() == datetime.timedelta(hours=2)
    assert due.astimezone(datetime.UTC) == datetime.datetime(
        2026, 3, 30, 7, 40, tzinfo=datetime.UTC
    )


def test_fall_back_weekend_keeps_local_hours():
    # Clocks go back on Sunday 25 October 2026: Friday CEST (+2), Monday CET (+1).
    due = deadline(opened_at=paris(2026, 10, 23, 17, 0), criticality=INFO)
    assert due == paris(2026, 10, 26, 10, 0)
    assert due.utcoffset() == datetime.timedelta(hours=1)


def test_utc_input_is_read_in_paris_time():
    # 16:50 UTC on Friday 27 November 2026 is 17:50 in Paris.
    opened = datetime.datetime(2026, 11, 27, 16, 50, tzinfo=datetime.UTC)
    assert deadline(opened_at=opened, criticality=B) == paris(2026, 11, 30, 9, 20)


def test_naive_input_is_paris_local_time():
    opened = datetime.datetime(2026, 11, 27, 17, 50)
    assert deadline(opened_at=opened, criticality=B) == paris(2026, 11, 30, 9, 20)


def test_long_target_spans_several_days():
    # 20 business hours from Thursday 10:00: 8 h Thu + 9 h Fri + 3 h Mon.
    due = deadline(
        opened_at=paris(2026, 11, 26, 10, 0),
        criticality=INFO,
        targets={B: 30, G: 60, INFO: 20 * 60},
    )
    assert due == paris(2026, 11, 30, 12, 0)


def test_contract_with_other_targets_and_hours():
    calendar = BusinessCalendar(opens=datetime.time(8), closes=datetime.time(19))
    targets = {B: 15, G: 30, INFO: 60}
    # 18:50 + 15 min -> 10 min on Friday, 5 min on Monday from 8:00.
    due = deadline(
        opened_at=paris(2026, 11, 27, 18, 50),
        criticality=B,
        targets=targets,
        calendar=calendar,
    )
    assert due == paris(2026, 11, 30, 8, 5)


def test_calendar_refuses_closing_before_opening():
    with pytest.raises(ValueError):
        BusinessCalendar(opens=datetime.time(18), closes=datetime.time(9))


def test_business_days():
    calendar = BusinessCalendar()
    assert calendar.is_business_day(datetime.date(2026, 11, 27))  # Friday
    assert not calendar.is_business_day(datetime.date(2026, 11, 28))  # Saturday
    assert not calendar.is_business_day(datetime.date(2026, 5, 1))  # Labour Day
    assert not calendar.is_business_day(datetime.date(2026, 5, 14))  # Ascension
    assert not calendar.is_business_day(datetime.date(2026, 5, 25))  # Whit Monday


@pytest.mark.parametrize(
    "now, due, left",
    [
        # Friday 17:55, due Monday 9:20: 5 minutes on Friday, 20 on Monday.
        (paris(2026, 11, 27, 17, 55), paris(2026, 11, 30, 9, 20), 25),
        # At night and over the weekend the clock stands still.
        (paris(2026, 11, 28, 23, 0), paris(2026, 11, 30, 9, 20), 20),
        # The eve of Armistice (Wednesday 11 November 2026, closed) at 17:59.
        (paris(2026, 11, 10, 17, 59), paris(2026, 11, 12, 9, 20), 21),
        # Late: 10 business minutes on Friday and 30 on Monday, not the weekend.
        (paris(2026, 11, 30, 9, 30), paris(2026, 11, 27, 17, 50), -40),
        (paris(2026, 11, 30, 9, 20, 30), paris(2026, 11, 30, 9, 20), -1),
        (paris(2026, 11, 30, 9, 0), paris(2026, 11, 30, 9, 0), 0),
    ],
)
def test_business_minutes_between_count_only_open_hours(now, due, left):
    assert BusinessCalendar().business_minutes_between(now, due) == left
