"""Which digest slots are due now: the latest slot of each schedule not built yet, once.

Slots missed while the bot was down are not built one by one: only the latest is, flagged as a
catch-up, and since a digest holds everything new since the channel's last one nothing is lost.
Slots from before a schedule was set (or changed) are never due.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.delivery.outbox import SlotRequest, slot_key
from bot.scheduling.slots import fingerprint, latest_slot, slots_between
from bot.storage.chat_models import SubscriptionRow
from bot.storage.delivery_models import OutboxDigestRow, ScheduleStateRow
from bot.storage.models import utcnow


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def due_slots(
    engine: Engine, now: datetime | None = None, subscription_ids: list[int] | None = None
) -> list[SlotRequest]:
    """Slot requests for active, unpaused, scheduled subscriptions whose latest slot is not built."""
    now = now or utcnow()
    out: list[SlotRequest] = []
    with Session(engine) as session:
        q = select(SubscriptionRow).where(SubscriptionRow.active, ~SubscriptionRow.paused)
        if subscription_ids is not None:
            q = q.where(SubscriptionRow.id.in_(subscription_ids))
        subs = [s for s in session.scalars(q) if s.schedule]
        states = {
            r.subscription_id: r
            for r in session.scalars(
                select(ScheduleStateRow).where(ScheduleStateRow.subscription_id.in_([s.id for s in subs]))
            )
        }
        last = dict(
            session.execute(
                select(OutboxDigestRow.subscription_id, func.max(OutboxDigestRow.slot))
                .where(OutboxDigestRow.kind == "digest")
                .group_by(OutboxDigestRow.subscription_id)
            )
            .all()
        )
        for sub in subs:
            fp = fingerprint(sub.schedule, sub.timezone)
            state = states.get(sub.id)
            if state is None or state.fingerprint != fp:  # a new schedule starts now
                if state is None:
                    session.add(ScheduleStateRow(subscription_id=sub.id, fingerprint=fp, since=now))
                else:
                    state.fingerprint, state.since = fp, now
                continue
            slot = latest_slot(sub.schedule, sub.timezone, now)
            since = _aware(state.since)
            prev = last.get(sub.id)
            floor = max(since, _aware(prev)) if prev is not None else since
            if slot is None or slot <= floor:
                continue
            missed = sum(1 for _ in slots_between(sub.schedule, sub.timezone, floor, slot)) - 1
            out.append(SlotRequest(sub.id, slot, catch_up=missed > 0))
        session.commit()
        keys = {slot_key(r.subscription_id, r.slot) for r in out}
        if keys:
            taken = set(
                session.scalars(select(OutboxDigestRow.key).where(OutboxDigestRow.key.in_(list(keys))))
            )
            out = [r for r in out if slot_key(r.subscription_id, r.slot) not in taken]
    return out
