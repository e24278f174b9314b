"""Digest slots: wall-clock times in a subscription's IANA zone turned into UTC instants, DST-correct.

Rules, the same for the scheduler and the idempotency keys: a local time that does not exist (the hour
skipped when clocks go forward) fires at the same offset as before the gap, i.e. one hour later on
the wall clock; a local time that happens twice (clocks go back) fires once, at its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_times(times: Sequence[str]) -> list[time]:
    """'HH:MM' strings as sorted, distinct times (bad entries are an error: /schedule validated them)."""
    out = set()
    for t in times:
        hh, mm = t.strip().split(":")
        out.add(time(int(hh), int(mm)))
    return sorted(out)


def local_slot(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock `at` on `day` in `zone` (fold=0: first occurrence, gap shifted)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def slots_between(times: Sequence[str], tz: str, start: datetime, end: datetime) -> Iterator[datetime]:
    """Slots with start < slot <= end, in order (UTC)."""
    zone = ZoneInfo(tz)
    parsed = parse_times(times)
    if not parsed:
        return
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    while day <= last:
        for at in parsed:
            slot = local_slot(day, at, zone)
            if start < slot <= end:
                yield slot
        day += timedelta(days=1)


def latest_slot(
    times: Sequence[str], tz: str, now: datetime, lookback: timedelta = timedelta(days=8)
) -> datetime | None:
    """The most recent slot at or before `now` (None without times)."""
    found = None
    for slot in slots_between(times, tz, now - lookback, now):
        found = slot
    return found


def next_slot(times: Sequence[str], tz: str, now: datetime) -> datetime | None:
    """The first slot strictly after `now`."""
    for slot in slots_between(times, tz, now, now + timedelta(days=3)):
        return slot
    return None


def fingerprint(times: Sequence[str], tz: str) -> str:
    """What identifies a schedule: a change starts it afresh (no catch-up of slots before the change)."""
    return f"{tz}|{','.join(t.strftime('%H:%M') for t in parse_times(times))}"
