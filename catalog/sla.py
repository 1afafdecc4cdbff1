"""Business-hours arithmetic for the support charter's response times.

Pure functions, no database: the charter counts only business hours, Monday to Friday
9:00-18:00 Europe/Paris, French public holidays excluded. Computation happens in local
wall-clock time (zoneinfo), so a daylight-saving change never shifts a deadline.
"""

from __future__ import annotations

import datetime
import enum
import math
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

PARIS = ZoneInfo("Europe/Paris")


class Criticality(enum.StrEnum):
    BLOQUANT = "bloquant"
    GENANT = "genant"
    INFORMATIF = "informatif"


# "Temps de prise en compte" promised by the charter, in business minutes.
CHARTER_TARGETS: dict[Criticality, int] = {
    Criticality.BLOQUANT: 30,
    Criticality.GENANT: 60,
    Criticality.INFORMATIF: 120,
}


@lru_cache(maxsize=64)
def _french_holidays(year: int) -> frozenset[datetime.date]:
    # National holidays only (not Alsace-Moselle's Good Friday and 26 December).
    return frozenset(holidays.country_holidays("FR", years=year))


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours on working days; holidays of ``country`` are closed."""

    opens: datetime.time = datetime.time(9, 0)
    closes: datetime.time = datetime.time(18, 0)
    weekdays: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))
    tz: ZoneInfo = PARIS

    def __post_init__(self):
        if self.closes <= self.opens:
            raise ValueError("A business day must close after it opens.")

    def is_business_day(self, day: datetime.date) -> bool:
        return day.weekday() in self.weekdays and day not in _french_holidays(day.year)

    def next_opening(self, moment: datetime.datetime) -> datetime.datetime:
        """The first business instant at or after ``moment`` (naive local time)."""
        day, clock = moment.date(), moment.time()
        if self.is_business_day(day) and clock < self.closes:
            return moment if clock >= self.opens else _at(day, self.opens)
        day += datetime.timedelta(days=1)
        for _ in range(3660):  # ten years: a malformed calendar must not loop forever
            if self.is_business_day(day):
                return _at(day, self.opens)
            day += datetime.timedelta(days=1)
        raise ValueError("No business day in the next ten years.")

    def add_business_minutes(
        self, start: datetime.datetime, minutes: int
    ) -> datetime.datetime:
        """``start`` plus ``minutes`` of business time, as an aware local datetime.

        A naive ``start`` is read as local time. A ticket opened out of hours starts
        counting at the next opening; a deadline falling exactly at closing time
        stays on that day.
        """
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        if start.tzinfo is not None:
            start = start.astimezone(self.tz).replace(tzinfo=None)
        remaining = datetime.timedelta(minutes=minutes)
        current = self.next_opening(start)
        while True:
            closing = _at(current.date(), self.closes)
            available = closing - current
            if remaining <= available:
                return (current + remaining).replace(tzinfo=self.tz)
            remaining -= available
            current = self.next_opening(closing)

    def business_minutes_between(
        self, start: datetime.datetime, end: datetime.datetime
    ) -> int:
        """The business minutes from ``start`` to ``end``, rounded down: negative
        when ``end`` comes first (``-3``: three business minutes past). Naive
        datetimes are read as local time."""
        start, end = self._local(start), self._local(end)
        sign = 1
        if end < start:
            start, end, sign = end, start, -1
        total = datetime.timedelta()
        current = self.next_opening(start)
        while current < end:
            closing = _at(current.date(), self.closes)
            total += min(closing, end) - current
            current = self.next_opening(closing)
        return math.floor(sign * total.total_seconds() / 60)

    def _local(self, moment: datetime.datetime) -> datetime.datetime:
        if moment.tzinfo is None:
            return moment
        return moment.astimezone(self.tz).replace(tzinfo=None)


def _at(day: datetime.date, clock: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, clock)


CHARTER_CALENDAR = BusinessCalendar()


def deadline(
    *,
    opened_at: datetime.datetime,
    criticality: Criticality,
    targets: dict[Criticality, int] | None = None,
    calendar: BusinessCalendar = CHARTER_CALENDAR,
) -> datetime.datetime:
    """When a ticket opened at ``opened_at`` must be taken into account."""
    minutes = (targets or CHARTER_TARGETS)[Criticality(criticality)]
    return calendar.add_business_minutes(opened_at, minutes)
