"""The account's own sections of the personal-data download, and the outbox's.

The outbox (notifications) is the ground floor and may not import accounts, so accounts
declares its tables here. Registered in AccountsConfig.ready().
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.personal_data import (
    DELETE,
    LeftOut,
    Relation,
    Section,
    addressed_to,
    choice,
    leave_out,
    moment,
    register,
)
from notifications.models import Message
from notifications.registry import REMINDER_KINDS

USER = settings.AUTH_USER_MODEL  # "accounts.User"


def account_of(user) -> dict:
    return {
        "email": user.email, "name": user.name, "language": choice(user, "language"),
        "date_joined": moment(user.date_joined), "last_login": moment(user.last_login),
        "active": user.is_active, "staff": user.is_staff, "superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(f"{app}.{codename}" for app, codename in user.user_permissions
                              .values_list("content_type__app_label", "codename")),
    }


def addresses_of(user) -> list[dict]:
    return [{"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("email")]


def second_factors_of(user) -> list[dict]:
    # Never ``data``: it holds the TOTP secret, the recovery codes and the key material.
    return [{"type": choice(a, "type"), "set_up_at": moment(a.created_at),
             "last_used_at": moment(a.last_used_at)}
            for a in Authenticator.objects.filter(user=user).order_by("created_at", "pk")]


def admin_actions_of(user) -> list[dict]:
    return [{"at": moment(e.action_time),
             "what": str(e.content_type.name) if e.content_type else "",
             "object": e.object_repr, "action": choice(e, "action_flag"),
             "change": e.get_change_message()}
            for e in LogEntry.objects.filter(user=user).select_related("content_type")
            .order_by("action_time", "pk")]


def _messages(user):
    return Message.objects.filter(addressed_to(user, "to_email") | Q(recipient=user))


def messages_to(user) -> list[dict]:
    # Never the text: mails carry sign-in, password-reset and invitation links.
    return [{"subject": m.subject, "to": m.to_email, "language": m.language,
             "state": choice(m, "state"), "queued_at": moment(m.created_at),
             "sent_at": moment(m.sent_at)}
            for m in _messages(user).order_by("created_at", "pk")]


def delete_messages_to(user) -> None:
    """Mails sent to the person's addresses before they had the account go too."""
    _messages(user).delete()


def reminders_off_of(user) -> list[dict]:
    kinds = user.reminder_opt_outs.order_by("kind").values_list("kind", flat=True)
    return [{"kind": kind, "label": str(REMINDER_KINDS[kind].label) if kind in REMINDER_KINDS
             else kind} for kind in kinds]


def register_sections() -> None:
    register(Section(
        key="account", title=_("Your account"), relations=(), export=account_of,
        user_fields=("email", "name", "language", "date_joined", "last_login", "is_active",
                     "is_staff", "is_superuser", "groups", "user_permissions")))
    register(Section(
        key="email_addresses", title=_("Your e-mail addresses"),
        relations=(Relation("account.EmailAddress.user", DELETE),), export=addresses_of))
    register(Section(
        key="two_factor_authentication",
        title=_("Your second factors for signing in (without their secrets)"),
        relations=(Relation("mfa.Authenticator.user", DELETE),), export=second_factors_of))
    register(Section(
        key="emails_sent_to_you", title=_("E-mails the platform sent or is sending to you"),
        relations=(Relation("notifications.Message.recipient", DELETE),),
        export=messages_to, erase=delete_messages_to))
    register(Section(
        key="reminders_switched_off", title=_("Reminders you switched off"),
        relations=(Relation("notifications.ReminderOptOut.user", DELETE),),
        export=reminders_off_of))
    register(Section(
        key="admin_actions", title=_("What you did in the administration (its log)"),
        # Django's admin log cannot be kept without its user; the history tables keep
        # the programme's record of each change.
        relations=(Relation("admin.LogEntry.user", DELETE),), export=admin_actions_of))
    leave_out(LeftOut(f"{USER}.password",
                      "only a one-way hash of the password: a secret, and says nothing"))
    leave_out(LeftOut(f"{USER}.id", "the account's internal number"))

