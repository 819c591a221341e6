from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.personal_data import CLEAR, DELETE, REFUSE, SECTIONS, moment, relations


def user_deletion_refusal(*, user: User) -> str:
    """Why the account cannot delete itself, or "" if it can: records of the programme that
    must keep naming the person (a staff member's scores, late entries, invitations)."""
    records = [f"{relation.what} ({count})" for relation in relations()
               if relation.on_delete is REFUSE if (count := relation.rows(user).count())]
    if not records:
        return ""
    return _("Your account cannot be deleted here, because the programme keeps records that "
             "name you: %(records)s. Please write to the project team: they close such "
             "accounts.") % {"records": ", ".join(records)}


def user_delete(*, user: User) -> None:
    """Delete a person's account and what is theirs alone; keep, without their name, what
    belongs to a municipality, a tandem or the programme.

    Each relation to the person says which (accounts/personal_data.py): the same set the
    personal-data download holds. Raise ``ValidationError`` and change nothing while the
    programme keeps records that must name the person (for example a staff member's scores).
    """
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if refusal := user_deletion_refusal(user=user):
            raise ValidationError(refusal, code="programme_records")
        for section in SECTIONS.values():
            if section.erase:
                section.erase(user)
        for relation in relations():
            field = relation.model._meta.get_field(relation.name)
            if relation.on_delete is DELETE and field.many_to_many:
                field.remote_field.through._default_manager.filter(
                    **{field.m2m_reverse_field_name(): user}).delete()
            elif relation.on_delete is DELETE:
                relation.rows(user).delete()
            elif relation.on_delete is CLEAR:
                relation.rows(user).update(**{relation.name: None})
        try:
            user.delete()
        except ProtectedError:  # a record was added since the check above
            raise ValidationError(user_deletion_refusal(user=user),
                                  code="programme_records") from None


def user_data_export(*, user: User) -> dict:
    """Everything the platform stores about a person (GDPR Art. 15 and 20), as plain data.

    One part per section that the apps declare (accounts/personal_data.py), in the active
    language; never a password, secret or token.
    """
    data = {"generated_at": moment(timezone.now()),
            "contents": {key: str(section.title) for key, section in SECTIONS.items()}}
    for key, section in SECTIONS.items():
        data[key] = section.export(user)
    return data
