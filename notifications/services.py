"""The one way out for e-mail: queue (render + record), deliver, sweep, plan reminders.

Every mail is one ``Message`` row for one recipient, rendered in the recipient's
language when it is queued. Delivery claims the row with an atomic UPDATE first,
so a task that runs twice, a retried task and two sweeps at once cannot send it
twice. A mail server that fails leaves the row pending with a later attempt time
(backoff); after ``MAX_TRIES`` it is "failed" and staff can resend it.

A crash between the mail server's "accepted" and our "sent" leaves a row in
"sending"; the sweep puts it back after ``STUCK_AFTER``. That one window is
at-least-once: the stable Message-ID header lets mail clients drop the copy.
"""

import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from notifications.enums import MessageState
from notifications.models import Message, ReminderOptOut
from notifications.registry import ATTACHMENTS, REMINDER_KINDS, reminder_key

logger = logging.getLogger(__name__)

MAX_TRIES = 5
BACKOFF_SECONDS = (60, 5 * 60, 30 * 60, 2 * 60 * 60)
STUCK_AFTER = timedelta(minutes=15)
HEARTBEAT = timedelta(minutes=1)
SEND_BATCH = 500


@dataclass
class SweepReport:
    planned: list[str] = field(default_factory=list)
    recovered: int = 0
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    skipped: int = 0
    due: list[Message] = field(default_factory=list)  # filled by a dry run


# -- rendering and queueing -------------------------------------------------

def render_message(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Render ``<template>_subject.txt``, ``_message.txt`` and ``_message.html`` in a language."""
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context)
        subject = settings.EMAIL_SUBJECT_PREFIX + " ".join(subject.split())
        text = render_to_string(f"{template}_message.txt", context).strip() + "\n"
        try:
            html = render_to_string(f"{template}_message.html", context)
        except TemplateDoesNotExist:
            html = ""
    return subject[:255], text, html


def _language_for(recipient, language: str | None) -> str:
    if language:
        return language
    if recipient is not None and getattr(recipient, "language", ""):
        return recipient.language
    return (translation.get_language() or settings.LANGUAGE_CODE)[:2]


def message_queue(
    *,
    kind: str,
    to: str,
    template: str,
    context: dict | None = None,
    recipient=None,
    related=None,
    key: str | None = None,
    occasion=None,
    attachments: tuple[str, ...] = (),
    language: str | None = None,
) -> Message:
    """Render one message for one recipient in their language, record it, deliver after commit.

    With ``key`` the message is recorded at most once: queueing the same key again returns
    the existing row and sends nothing more.
    """
    unknown = [name for name in attachments if name not in ATTACHMENTS]
    if unknown:
        raise ValueError(f"Unknown attachment renderer(s): {unknown}")
    language = _language_for(recipient, language)
    subject, text, html = render_message(
        template=template, context={**(context or {}), "recipient": recipient}, language=language
    )
    message = Message(
        kind=kind, key=key or f"{kind}:{uuid.uuid4().hex}", recipient=recipient, to_email=to,
        language=language, subject=subject, body_text=text, body_html=html,
        attachments=list(attachments), related=related, occasion=occasion,
        next_attempt_at=timezone.now(),
    )
    message.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return Message.objects.get(key=message.key)
    transaction.on_commit(lambda: enqueue_delivery(message.pk))
    return message


def enqueue_delivery(message_id: int) -> None:
    """Hand a message to the broker; if the broker is down, the sweep sends it later."""
    from notifications.tasks import deliver_message

    try:
        deliver_message.delay(message_id)
    except Exception:  # noqa: BLE001 - any broker failure: the row stays pending
        logger.warning("Broker unavailable; message %s waits for the sweep.", message_id,
                       exc_info=True)


# -- delivery ---------------------------------------------------------------

def _message_id_header(message: Message) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(message.key.encode()).hexdigest()[:32]}@{domain}>"


def build_email(message: Message, connection=None) -> EmailMultiAlternatives:
    """Build the e-mail for one recipient; attachments are rendered now, from current data."""
    email = EmailMultiAlternatives(
        subject=message.subject, body=message.body_text, from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email], headers={"Message-ID": _message_id_header(message)},
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for name in message.attachments:
        rendered = ATTACHMENTS[name](message.related, message.language)
        if rendered:
            email.attach(*rendered)
    return email


def _still_current(message: Message, now: datetime) -> bool:
    kind = REMINDER_KINDS.get(message.kind)
    if kind is None or message.occasion is None:
        return True
    if message.occasion < timezone.localdate(now):
        return False
    return message.related is not None and kind.is_current(message.related, message.occasion, now)


def _record_outcome(message: Message, *, error: Exception | None, now: datetime) -> None:
    if error is None:
        message.state, message.sent_at, message.last_error = MessageState.SENT, now, ""
    elif message.tries >= MAX_TRIES:
        message.state, message.last_error = MessageState.FAILED, repr(error)[:2000]
    else:
        delay = BACKOFF_SECONDS[min(message.tries, len(BACKOFF_SECONDS)) - 1]
        message.state, message.last_error = MessageState.PENDING, repr(error)[:2000]
        message.next_attempt_at = now + timedelta(seconds=delay)
    _release(message, state=message.state, sent_at=message.sent_at,
             last_error=message.last_error, next_attempt_at=message.next_attempt_at)


def _release(message: Message, **fields) -> None:
    """Write the outcome only if this claim still holds the row (it may have been recovered)."""
    Message.objects.filter(pk=message.pk, claim=message.claim).update(claim=None, **fields)
    message.claim = None


def _send_claimed(messages: list[Message], *, now: datetime, report: SweepReport) -> None:
    """Send claimed messages over one SMTP connection and record each outcome."""
    connection = None
    heartbeat = timezone.now()
    try:
        for message in messages:
            if timezone.now() - heartbeat > HEARTBEAT:
                # Still working on this batch: keep the recovery of stuck rows off it.
                heartbeat = timezone.now()
                Message.objects.filter(claim=message.claim, state=MessageState.SENDING).update(
                    claimed_at=heartbeat)
            if not _still_current(message, now):
                message.state = MessageState.SKIPPED
                _release(message, state=MessageState.SKIPPED)
                report.skipped += 1
                continue
            error = None
            try:
                if connection is None:
                    connection = get_connection()
                    connection.open()
                build_email(message, connection=connection).send()
            except Exception as exc:  # noqa: BLE001 - the mail server's failure is recorded
                error = exc
                logger.warning("Sending message %s failed: %r", message.pk, exc)
                connection = _close_quietly(connection)
            _record_outcome(message, error=error, now=now)
            if error is None:
                report.sent += 1
            elif message.state == MessageState.FAILED:
                report.failed += 1
            else:
                report.retrying += 1
    finally:
        _close_quietly(connection)


def _close_quietly(connection):
    if connection is not None:
        try:
            connection.close()
        except Exception:  # noqa: BLE001
            pass
    return None


def _claim(queryset, *, now: datetime, limit: int) -> list[Message]:
    """Mark up to ``limit`` due rows "sending" under one claim token and return them."""
    token = uuid.uuid4()
    with transaction.atomic():
        ids = list(
            queryset.select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        # The claim's own time, not the sweep's start: a long sweep's late batches must not
        # look stuck to the next sweep.
        Message.objects.filter(pk__in=ids, state=MessageState.PENDING).update(
            state=MessageState.SENDING, claimed_at=timezone.now(), claim=token,
            tries=F("tries") + 1,
        )
    return list(Message.objects.filter(claim=token).select_related("content_type")
                .prefetch_related("related"))


def _due(now: datetime):
    return Message.objects.filter(state=MessageState.PENDING, next_attempt_at__lte=now)


def message_deliver(*, message_id: int, now: datetime) -> Message | None:
    """Send one message if it is still pending and due; return it, or None if not claimed."""
    claimed = _claim(_due(now).filter(pk=message_id), now=now, limit=1)
    if not claimed:
        return None
    _send_claimed(claimed, now=now, report=SweepReport())
    return claimed[0]


def messages_recover_stuck(*, now: datetime) -> int:
    """Put messages left in "sending" by a crashed worker back in the queue."""
    return Message.objects.filter(
        state=MessageState.SENDING, claimed_at__lt=now - STUCK_AFTER
    ).update(state=MessageState.PENDING, claim=None, next_attempt_at=now,
             last_error="Delivery was interrupted; sent again after a timeout.")


def message_resend(*, message: Message, now: datetime) -> Message:
    """Send a message again on staff's request: a failed one is retried, a sent one copied."""
    if message.state == MessageState.FAILED:
        Message.objects.filter(pk=message.pk).update(
            state=MessageState.PENDING, tries=0, next_attempt_at=now, claim=None
        )
        transaction.on_commit(lambda: enqueue_delivery(message.pk))
        message.refresh_from_db()
        return message
    if message.state != MessageState.SENT:
        return message
    copy = Message.objects.get(pk=message.pk)
    copy.pk = None
    copy.key = f"{message.key}:resent:{uuid.uuid4().hex[:8]}"
    copy.state, copy.tries, copy.last_error = MessageState.PENDING, 0, ""
    copy.sent_at = copy.claimed_at = copy.claim = None
    copy.next_attempt_at = now
    copy.save()
    transaction.on_commit(lambda: enqueue_delivery(copy.pk))
    return copy


# -- reminders --------------------------------------------------------------

def reminders_plan(*, now: datetime, commit: bool = True) -> list[str]:
    """Record every reminder that is due and not yet recorded; return the new keys.

    Per kind: the kind's own queries, one for opt-outs, one for existing keys and one
    bulk insert, however many reminders are due. The unique key makes a second planner
    running at the same time insert nothing.
    """
    planned: list[str] = []
    for kind in REMINDER_KINDS.values():
        dues = list(kind.due(now))
        if not dues:
            continue
        opted_out = set(
            ReminderOptOut.objects.filter(kind=kind.name).values_list("user_id", flat=True)
        )
        candidates = {reminder_key(kind, due): due for due in dues
                      if due.recipient.pk not in opted_out
                      and due.occasion >= timezone.localdate(now)}
        existing = set(Message.objects.filter(key__in=list(candidates)).values_list(
            "key", flat=True))
        new = {key: due for key, due in candidates.items() if key not in existing}
        planned.extend(new)
        if not commit or not new:
            continue
        types = ContentType.objects.get_for_models(*{type(d.related) for d in new.values()})
        rows = []
        for key, due in new.items():
            language = _language_for(due.recipient, None)
            subject, text, html = render_message(
                template=kind.template, language=language,
                context={**due.context, "recipient": due.recipient, "related": due.related,
                         "occasion": due.occasion},
            )
            rows.append(Message(
                kind=kind.name, key=key, recipient=due.recipient, to_email=due.recipient.email,
                language=language, subject=subject, body_text=text, body_html=html,
                attachments=list(kind.attachments), content_type=types[type(due.related)],
                object_id=due.related.pk, occasion=due.occasion, next_attempt_at=now,
            ))
        rows.sort(key=lambda row: row.key)  # one order for all planners: no deadlock
        Message.objects.bulk_create(rows, ignore_conflicts=True)
    return planned


def reminder_preferences_set(*, user, enabled: set[str]) -> None:
    """Switch reminder kinds on (``enabled``) or off (every other registered kind)."""
    with transaction.atomic():
        ReminderOptOut.objects.filter(user=user, kind__in=enabled).delete()
        ReminderOptOut.objects.bulk_create(
            [ReminderOptOut(user=user, kind=name)
             for name in REMINDER_KINDS if name not in enabled],
            ignore_conflicts=True,
        )


# -- the sweep --------------------------------------------------------------

def notifications_sweep(*, now: datetime, dry_run: bool = False) -> SweepReport:
    """Plan due reminders, recover stuck messages and send everything pending and due."""
    report = SweepReport()
    if dry_run:
        report.planned = reminders_plan(now=now, commit=False)
        report.due = list(_due(now).order_by("next_attempt_at", "pk")[:SEND_BATCH])
        return report
    report.planned = reminders_plan(now=now)
    report.recovered = messages_recover_stuck(now=now)
    while batch := _claim(_due(now), now=now, limit=SEND_BATCH):
        _send_claimed(batch, now=now, report=report)
    return report
