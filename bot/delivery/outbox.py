"""Build -> store: a slot's digests written to the outbox once, under an idempotency key.

`build_slots` computes each subscription's digest for a slot (only what is new), then stores, in ONE
transaction per batch, the digest row (unique key per subscription and slot), one message row per
story (the first due now, the others behind it), the `sent_messages` record each story's buttons
point to, and the channel's new seen ids. A second build of the same key - a retried job, another
worker, a restarted process - finds the key taken and stores nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.delivery.codec import digest_to_json
from bot.delivery.selection import Planner, Preferences, Seen, seen_after
from bot.ops import metrics
from bot.storage.chat_models import ChatRow, MutedStoryRow, SentMessageRow, SubscriptionRow
from bot.storage.delivery_models import OutboxDigestRow, OutboxMessageRow, SeenStoryRow
from bot.storage.models import utcnow

log = logging.getLogger(__name__)
BATCH = 500
NOTHING_NEW = "Nothing new since the last digest."


@dataclass(frozen=True)
class SlotRequest:
    """Build the digest of `subscription_id` for `slot`; `catch_up` marks one standing for missed slots."""

    subscription_id: int
    slot: datetime
    catch_up: bool = False


@dataclass
class BuildReport:
    built: list[int] = field(default_factory=list)  # digest ids stored with messages
    empty: list[int] = field(default_factory=list)  # subscription ids with nothing new
    existing: list[int] = field(default_factory=list)  # subscription ids whose key was already taken
    messages: int = 0


def slot_key(subscription_id: int, slot: datetime) -> str:
    """The idempotency key of one subscription's digest for one slot."""
    return f"digest:{subscription_id}:{slot.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def build_slots(
    engine: Engine, planner: Planner, requests: Sequence[SlotRequest], nothing_new_message: bool = False
) -> BuildReport:
    """Store the digests of these slots; keys already stored are left alone (see the module doc)."""
    with metrics.DIGEST_SECONDS.labels("slots").time():
        report = _build_all(engine, planner, requests, nothing_new_message)
    for result, ids in (("built", report.built), ("empty", report.empty), ("existing", report.existing)):
        metrics.DIGESTS_BUILT.labels(result).inc(len(ids))
    metrics.DIGEST_MESSAGES_QUEUED.inc(report.messages)
    return report


def _build_all(
    engine: Engine, planner: Planner, requests: Sequence[SlotRequest], nothing_new_message: bool
) -> BuildReport:
    report = BuildReport()
    for start in range(0, len(requests), BATCH):
        chunk = list(requests[start : start + BATCH])
        try:
            _build(engine, planner, chunk, nothing_new_message, report)
        except IntegrityError:  # a concurrent builder stored one of these keys: go one by one
            for request in chunk:
                try:
                    _build(engine, planner, [request], nothing_new_message, report)
                except IntegrityError:
                    report.existing.append(request.subscription_id)
    return report


def _seen(session: Session, sub_ids: list[int]) -> dict[int, dict[str, Seen]]:
    out: dict[int, dict[str, Seen]] = defaultdict(dict)
    for row in session.scalars(select(SeenStoryRow).where(SeenStoryRow.subscription_id.in_(sub_ids))):
        out[row.subscription_id][row.story_id] = Seen(
            frozenset(row.article_ids), frozenset(row.sentence_ids), frozenset(row.quote_ids)
        )
    return out


def _build(
    engine: Engine, planner: Planner, chunk: list[SlotRequest], nothing_new: bool, report: BuildReport
) -> None:
    keys = {slot_key(r.subscription_id, r.slot): r for r in chunk}
    with Session(engine) as session:
        taken = set(session.scalars(select(OutboxDigestRow.key).where(OutboxDigestRow.key.in_(list(keys)))))
        todo = [r for k, r in keys.items() if k not in taken]
        report.existing.extend(r.subscription_id for k, r in keys.items() if k in taken)
        if not todo:
            return
        ids = [r.subscription_id for r in todo]
        subs = {s.id: s for s in session.scalars(select(SubscriptionRow).where(SubscriptionRow.id.in_(ids)))}
        chats = {
            c.id: c
            for c in session.scalars(
                select(ChatRow).where(ChatRow.id.in_([s.chat_ref for s in subs.values()]))
            )
        }
        muted: dict[int, set[str]] = defaultdict(set)
        for chat_ref, story_id in session.execute(
            select(MutedStoryRow.chat_ref, MutedStoryRow.story_id).where(
                MutedStoryRow.chat_ref.in_(list(chats))
            )
        ):
            muted[chat_ref].add(story_id)
        seen = _seen(session, ids)
        now = utcnow()
        plans = []
        for request in todo:
            sub = subs.get(request.subscription_id)
            if sub is None:
                continue
            prefs = Preferences(
                keywords=tuple(sub.keywords),
                max_stories=sub.max_stories,
                muted=frozenset(muted[sub.chat_ref]),
                quotes=sub.quotes,
                summary_chars=sub.summary_chars,
            )
            plans.append((request, sub, planner.plan(prefs, seen[sub.id])))
        digests = [
            OutboxDigestRow(
                key=slot_key(r.subscription_id, r.slot),
                subscription_id=sub.id,
                slot=r.slot,
                kind="digest",
                catch_up=r.catch_up,
                stories=len(items),
                status="pending" if items or nothing_new else "empty",
                finished=None if items or nothing_new else now,
                created=now,
            )
            for r, sub, items in plans
        ]
        session.add_all(digests)
        records: list[tuple[OutboxDigestRow, int, int, SentMessageRow | None, dict[str, object], str]] = []
        for row, (_request, sub, items) in zip(digests, plans, strict=True):
            if not items:
                if nothing_new:
                    records.append((row, 0, sub.chat_ref, None, {"text": NOTHING_NEW}, "text"))
                else:
                    report.empty.append(sub.id)
                continue
            for seq, (story, digest) in enumerate(items):
                record = SentMessageRow(
                    chat_ref=sub.chat_ref,
                    story_id=digest.story_id,
                    headline=digest.headline,
                    sources=[{"outlet": a.outlet or a.id, "url": a.url} for a in digest.articles],
                    message_id="",
                    created=now,
                )
                records.append((row, seq, sub.chat_ref, record, digest_to_json(digest), "story"))
                before = seen[sub.id].get(story.id)
                after = seen_after(before, story, digest)
                seen[sub.id][story.id] = after
                values = dict(
                    article_ids=sorted(after.article_ids),
                    sentence_ids=sorted(after.sentence_ids),
                    quote_ids=sorted(after.quote_ids),
                    updated=now,
                )
                if before is None:
                    session.add(SeenStoryRow(subscription_id=sub.id, story_id=story.id, **values))
                else:
                    existing = session.get_one(SeenStoryRow, (sub.id, story.id))
                    for k, v in values.items():
                        setattr(existing, k, v)
        session.add_all([r[3] for r in records if r[3] is not None])
        session.flush()
        session.add_all(
            [
                OutboxMessageRow(
                    digest_id=row.id,
                    seq=seq,
                    chat_ref=chat_ref,
                    platform=chats[chat_ref].platform,
                    record_id=record.id if record is not None else None,
                    kind=kind,
                    payload=payload,
                    status="pending" if seq == 0 else "waiting",
                    next_attempt=now,
                    attempts=0,
                    unknown=0,
                    message_ids=[],
                )
                for row, seq, chat_ref, record, payload, kind in records
            ]
        )
        session.commit()
        report.built.extend(d.id for d in digests if d.status == "pending")
        report.messages += len(records)


def enqueue_notice(engine: Engine, key: str, chats: Sequence[tuple[str, str]], text: str) -> bool:
    """An admin notice (platform, chat id) through the outbox, once per key; False if already queued."""
    now = utcnow()
    with Session(engine) as session:
        if session.scalar(select(OutboxDigestRow.id).where(OutboxDigestRow.key == key)) is not None:
            return False
        digest = OutboxDigestRow(
            key=key,
            subscription_id=None,
            slot=now,
            kind="notice",
            status="pending",
            catch_up=False,
            stories=0,
            created=now,
        )
        session.add(digest)
        session.flush()
        for seq, (platform, chat_id) in enumerate(chats):
            chat = session.scalar(
                select(ChatRow).where(
                    ChatRow.platform == platform, ChatRow.chat_id == chat_id, ChatRow.thread_id == ""
                )
            )
            if chat is None:
                chat = ChatRow(platform=platform, chat_id=chat_id, thread_id="", kind="private", created=now)
                session.add(chat)
                session.flush()
            session.add(
                OutboxMessageRow(
                    digest_id=digest.id,
                    seq=seq,
                    chat_ref=chat.id,
                    platform=platform,
                    kind="text",
                    payload={"text": text},
                    status="pending",
                    next_attempt=now,
                    attempts=0,
                    unknown=0,
                    message_ids=[],
                )
            )
        try:
            session.commit()
        except IntegrityError:
            return False
        return True
