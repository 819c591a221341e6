"""What features plug into the outbox: reminder kinds and attachment renderers.

A feature registers its reminder kinds and attachments in its AppConfig.ready():

    register_reminder(ReminderKind(name="minutes_missing", label=_("Missing minutes"),
                                   template="tandems/email/minutes_missing", due=minutes_due,
                                   is_current=minutes_still_missing))
    register_attachment("meeting_ics", meeting_ics)
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import models


@dataclass(frozen=True)
class Due:
    """One reminder that is due: to whom, about what, for which occasion (its date)."""

    recipient: Any  # accounts.User
    related: models.Model
    occasion: date
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ReminderKind:
    name: str
    label: Any  # lazy translated text, shown on the account page
    due: Callable[[datetime], Iterable[Due]]  # who is due at `now`, in few queries
    # Template prefix: <template>_subject.txt, _message.txt and optionally _message.html.
    template: str = "notifications/email/reminder"
    # Checked again right before sending: False for a cancelled or moved occasion.
    is_current: Callable[[models.Model, date, datetime], bool] = lambda related, occasion, now: True
    attachments: tuple[str, ...] = ()


# An attachment renderer gets the message's related object and language and returns
# (file name, content, MIME type), or None to attach nothing.
AttachmentRenderer = Callable[[models.Model | None, str], tuple[str, bytes, str] | None]

REMINDER_KINDS: dict[str, ReminderKind] = {}
ATTACHMENTS: dict[str, AttachmentRenderer] = {}


def register_reminder(kind: ReminderKind) -> ReminderKind:
    REMINDER_KINDS[kind.name] = kind
    return kind


def register_attachment(name: str, renderer: AttachmentRenderer) -> AttachmentRenderer:
    ATTACHMENTS[name] = renderer
    return renderer


def reminder_key(kind: ReminderKind, due: Due) -> str:
    """The key that makes a reminder unique: kind, object, recipient and occasion date."""
    meta = due.related._meta
    return (f"reminder:{kind.name}:{meta.app_label}.{meta.model_name}:{due.related.pk}:"
            f"{due.recipient.pk}:{due.occasion.isoformat()}")
