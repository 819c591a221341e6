"""What the platform stores about a person: the sections of the personal-data download, and
what deleting the account does with each relation to the person.

Each app declares its own part in its AppConfig.ready(), because accounts may not import the
apps above it:

    register(Section(
        key="event_registrations", title=_("Your registrations for network events"),
        relations=(Relation("events.Registration.user", DELETE),),
        export=registrations_of, erase=cancel_coming_registrations))

A relation is a field of any model that points to the user model, named
``app_label.Model.field`` (the simple-history tables' ``history_user`` and their copies of
``created_by`` and the like included). Every such field is declared exactly once, in a section
or as deliberately left out (``leave_out``) with a reason; a test walks the app registry, so a
model added later cannot be forgotten. The declaration is also what account deletion does
(``accounts.services.user_delete``):

- DELETE: the row is the person's own and goes with the account;
- CLEAR: the row belongs to a municipality, a tandem or the programme and stays, without
  the reference to the person (the field must be nullable);
- REFUSE: the row is the programme's record of what the person decided (a score, a late
  entry, an invitation) and must keep naming them: the account cannot delete itself while
  one exists, and the project team handles it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OnDelete(Enum):
    DELETE = "delete"
    CLEAR = "clear"
    REFUSE = "refuse"


DELETE, CLEAR, REFUSE = OnDelete.DELETE, OnDelete.CLEAR, OnDelete.REFUSE


@dataclass(frozen=True)
class Relation:
    """A field that points to the user model, and what deleting the account does with it."""

    field: str  # "app_label.Model.field"
    on_delete: OnDelete
    # For REFUSE: what the rows are, in words the person reads when the deletion is refused.
    what: Any = ""

    @property
    def model(self) -> type[models.Model]:
        app_label, model_name, _name = self.field.split(".")
        return apps.get_model(app_label, model_name)

    @property
    def name(self) -> str:
        return self.field.rsplit(".", 1)[1]

    def rows(self, user) -> models.QuerySet:
        """The rows of the model whose field points to ``user``."""
        return self.model._default_manager.filter(**{self.name: user})


@dataclass(frozen=True)
class Section:
    """One part of the download: a key, a title, the relations it covers and its content."""

    key: str
    title: Any  # lazy translated text, listed in the download's "contents"
    relations: tuple[Relation, ...]
    export: Callable[[Any], Any]  # user -> plain data (lists, dicts, strings, numbers)
    # Run inside the deletion's transaction before the relations are handled: what only the
    # section knows (rows found by e-mail address, a service that must run first).
    erase: Callable[[Any], None] | None = None
    # Fields of the user model itself that the section holds ("email", "groups").
    user_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class LeftOut:
    """A relation, or a field of the user model, that is deliberately not in the download."""

    field: str  # "app_label.Model.field"
    reason: str
    on_delete: OnDelete | None = None  # None for the user model's own fields


SECTIONS: dict[str, Section] = {}
LEFT_OUT: dict[str, LeftOut] = {}


def register(section: Section) -> Section:
    if section.key in SECTIONS and SECTIONS[section.key] != section:
        raise ValueError(f"Two personal-data sections are called {section.key!r}.")
    SECTIONS[section.key] = section
    return section


def leave_out(left_out: LeftOut) -> LeftOut:
    LEFT_OUT[left_out.field] = left_out
    return left_out


def relations() -> list[Relation]:
    """Every declared relation: of the sections and of what is left out on purpose."""
    declared = [relation for section in SECTIONS.values() for relation in section.relations]
    declared += [Relation(item.field, item.on_delete) for item in LEFT_OUT.values()
                 if item.on_delete is not None]
    return declared


# -- helpers for the sections: readable values -------------------------------------------

def moment(value) -> str | None:
    """A date and time in the programme's (German) time, ISO 8601 with its offset."""
    if value is None:
        return None
    return timezone.localtime(value, timezone.get_default_timezone()).isoformat()


def day(value) -> str | None:
    return value.isoformat() if value is not None else None


def choice(obj, name: str) -> dict | None:
    """A choice field as its stored value and its label in the active language."""
    value = getattr(obj, name)
    if value in (None, ""):
        return None
    labels = dict(obj._meta.get_field(name).flatchoices)
    return {"value": value, "label": str(labels.get(value, value))}


def text(obj) -> str:
    """``str(obj)``, or "#id" when it names something that no longer exists."""
    try:
        return str(obj)
    except ObjectDoesNotExist:
        return f"#{obj.pk}"


HISTORY_CHANGES = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


def history_user(model: str) -> Relation:
    """The ``history_user`` of a simple-history table: kept, without the person's name."""
    return Relation(f"{model}.history_user", CLEAR)


def versions_saved(user, *historical: str) -> list[dict]:
    """The stored versions the person saved in the given simple-history tables: what, when,
    which change, and why (the content is in the section of the thing itself)."""
    rows = []
    for label in historical:
        model = apps.get_model(label)
        kind = str(model.instance_type._meta.verbose_name)
        for row in model._default_manager.filter(history_user=user).order_by("history_date"):
            rows.append({"what": kind, "object": text(row.instance), "saved_at": moment(
                row.history_date), "change": str(HISTORY_CHANGES.get(row.history_type, "")),
                "reason": row.history_change_reason or ""})
    return rows


def email_addresses(user) -> list[str]:
    """The person's addresses: the account's and every address added to it."""
    from allauth.account.models import EmailAddress

    addresses = {user.email, *EmailAddress.objects.filter(user=user).values_list("email",
                                                                                 flat=True)}
    return sorted(address for address in addresses if address)


def addressed_to(user, field: str) -> models.Q:
    """Rows whose e-mail ``field`` is one of the person's addresses (in any letter case)."""
    query = models.Q(pk__in=[])
    for address in email_addresses(user):
        query |= models.Q(**{f"{field}__iexact": address})
    return query
