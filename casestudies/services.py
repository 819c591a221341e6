"""The only write paths for case studies: versions of the text, and the review steps.

Every save is a new version (``CaseStudy.history``, with the coded items of that version),
made under the case study's row lock on top of the version its author started from: a
save from an older version raises :class:`core.conflicts.EditConflict` and writes
nothing, so two people editing at once never silently overwrite each other.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import staff_members
from casestudies.enums import CaseStudyStatus, ReviewAction
from casestudies.models import CaseStudy, Category, CodedItem, ReviewStep
from casestudies.taxonomy import DEFAULT_CATEGORIES
from casestudies.validators import (
    CITY_ACTIONS,
    validate_editable,
    validate_item_count,
    validate_transition,
)
from core.conflicts import EditConflict
from core.page_cache import forget_public_pages


@dataclass(frozen=True)
class Item:
    """A coded barrier or driver as it is written and kept in a version."""

    kind: str
    category: str  # the category's slug: stable across versions
    level: str
    text: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "category": self.category, "level": self.level,
                "text": self.text}


def items_of(case_study: CaseStudy) -> list[Item]:
    """The case study's coded items now, in their order (prefetch ``items__category``)."""
    return [Item(i.kind, i.category.slug, i.level, i.text) for i in case_study.items.all()]


def categories_ensure() -> None:
    """Add the default categories that are missing; staff's edits to the others stay."""
    for order, (slug, name_de, name_en) in enumerate(DEFAULT_CATEGORIES, start=1):
        Category.objects.get_or_create(
            slug=slug, defaults={"name_de": name_de, "name_en": name_en, "order": order})


def casestudy_create(*, tandem, title: str, language: str = "de", researchers=(),
                     by=None, is_demo: bool = False) -> CaseStudy:
    """Start the (empty) case study of ``tandem``: version 1."""
    with transaction.atomic():
        case_study = CaseStudy(tandem=tandem, title=title, language=language,
                               updated_by=by, is_demo=is_demo)
        case_study.full_clean()
        case_study._history_user = by
        case_study.save()
        case_study.researchers.set(researchers)
    return case_study


def casestudy_save(*, case_study: CaseStudy, base_version: int, by,
                   changes: dict[str, str] | None = None,
                   items: list[Item] | None = None) -> CaseStudy:
    """Save a new version of ``case_study`` on top of ``base_version``.

    ``changes`` maps the title, the language and the sections (``CaseStudy.EDITABLE``) to
    their new values; ``items`` replaces the coded items in the given order. What is not
    given stays. If nothing changes, no version is made. Raises ``EditConflict`` when
    someone saved since ``base_version``, ``ValidationError`` for a rule or a bad value.
    """
    unknown = set(changes or {}) - set(CaseStudy.EDITABLE)
    if unknown:
        raise TypeError(f"casestudy_save() got unknown fields: {sorted(unknown)}")
    # Browsers send a textarea's lines ending in CRLF: without this, every save from a page
    # would change each multi-line section that was written elsewhere.
    changes = {name: _lf(value) for name, value in (changes or {}).items()}
    if items is not None:
        items = [Item(i.kind, i.category, i.level, _lf(i.text)) for i in items]
    with transaction.atomic():
        current = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
        if current.version != base_version:
            raise EditConflict(_with_items(current))
        validate_editable(status=current.status)
        old_items = items_of(_with_items(current))
        changed = {name: value for name, value in changes.items()
                   if getattr(current, name) != value}
        # In the order the items are kept and read (CodedItem.Meta): barriers, then drivers.
        new_items = old_items if items is None else sorted(items, key=lambda item: item.kind)
        if not changed and new_items == old_items:
            return current
        validate_item_count(len(new_items))
        for name, value in changed.items():
            setattr(current, name, value)
        if current.status == CaseStudyStatus.PUBLISHED:
            # The published version stays as it is, for the public; this is a new draft.
            current.status, current.status_changed_at = CaseStudyStatus.DRAFT, timezone.now()
        current.version += 1
        current.updated_by = by
        current.full_clean()
        rows = _item_rows(current, new_items)
        current._history_user = by
        current.save()
        CodedItem.objects.filter(case_study=current).delete()
        CodedItem.objects.bulk_create(rows)
        # The version's own row keeps the items it had.
        current.history.filter(version=current.version).update(
            items=[item.as_dict() for item in new_items])
    return current


def casestudy_restore(*, case_study: CaseStudy, number: int, base_version: int,
                      by) -> CaseStudy:
    """Make version ``number`` the text again, as a new version on top of ``base_version``."""
    old = case_study.history.filter(version=number).first()
    if old is None:
        raise ValidationError(_("There is no version %(number)s."), code="no_version",
                              params={"number": number})
    return casestudy_save(
        case_study=case_study, base_version=base_version, by=by,
        changes={name: getattr(old, name) for name in CaseStudy.EDITABLE},
        items=[Item(**item) for item in old.items])


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n")


def _with_items(case_study: CaseStudy) -> CaseStudy:
    return (CaseStudy.objects.prefetch_related("items__category")
            .select_related("updated_by").get(pk=case_study.pk))


def _item_rows(case_study: CaseStudy, items: list[Item]) -> list[CodedItem]:
    """Validated rows for ``items``; a category that no longer exists is a clear error."""
    categories = Category.objects.in_bulk({item.category for item in items},
                                          field_name="slug")
    rows = []
    for order, item in enumerate(items):
        category = categories.get(item.category)
        if category is None:
            raise ValidationError(
                _("The category “%(category)s” no longer exists; please choose another."),
                code="unknown_category", params={"category": item.category})
        row = CodedItem(case_study=case_study, kind=item.kind, category=category,
                        level=item.level, text=item.text, order=order)
        row.full_clean(exclude=["case_study"])
        rows.append(row)
    return rows


# -- the review ------------------------------------------------------------------------


def casestudy_transition(*, case_study: CaseStudy, action: str, by, comment: str = "",
                         city=None, now: datetime | None = None) -> ReviewStep:
    """Take one review step: submit, send to the cities, approve or request changes (for a
    city, or from review), publish. The one way a case study's status changes.

    The step is recorded with its comment, and everybody it concerns is told through the
    outbox in their language, whoever took the step (staff acting for a city included).
    Raises ``ValidationError`` when the step is not possible now.
    """
    now = now or timezone.now()
    with transaction.atomic():
        current = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
        before = current.status
        members = list(current_member_cities(current))
        approved = {step.city for step in current.review_steps.filter(
            action=ReviewAction.APPROVE, round=current.review_round).select_related("city")}
        after = validate_transition(status=current.status, action=action, comment=comment,
                                    city=city, member_cities=members,
                                    approved_cities=approved)
        fields = {"status": after}
        if after != current.status:
            fields["status_changed_at"] = now
        if action == ReviewAction.SEND_TO_CITIES:
            fields["review_round"] = current.review_round + 1
        if action == ReviewAction.PUBLISH:
            fields.update(published_version=current.version, published_at=now)
        # A status is not a version of the text: no history row for it.
        CaseStudy.objects.filter(pk=current.pk).update(**fields)
        for name, value in fields.items():
            setattr(current, name, value)
        step = ReviewStep(case_study=current, action=action, from_status=before,
                          to_status=after, city=city if action in CITY_ACTIONS else None,
                          comment=comment.strip(), version=current.version,
                          round=current.review_round, by=by, created_at=now)
        step.full_clean()
        step.save()
        _tell(current, step, members)
        if action == ReviewAction.PUBLISH:
            transaction.on_commit(
                lambda: forget_public_pages("casestudies:pdf", current.pk))
    for name in fields:
        setattr(case_study, name, getattr(current, name))
    return step


def current_member_cities(case_study: CaseStudy):
    from programme.models import City

    return City.objects.filter(memberships__tandem=case_study.tandem_id,
                               memberships__left_on=None).order_by("name", "pk")


def _tell(case_study: CaseStudy, step: ReviewStep, members: list) -> None:
    """Queue the step's mail to everybody it concerns, once each."""
    from django.contrib.auth import get_user_model

    from notifications.services import message_queue

    User = get_user_model()
    researchers = list(case_study.researchers.filter(is_active=True))
    staff = list(staff_members())
    cities = [step.city] if step.city else members
    contacts = list(User.objects.filter(
        is_active=True, city_contacts__city__in=cities,
        city_contacts__verified_at__isnull=False).distinct())
    concerned = {
        ReviewAction.SUBMIT: researchers + staff,
        ReviewAction.SEND_TO_CITIES: researchers + contacts + staff,
        ReviewAction.APPROVE: researchers + contacts + staff,
        ReviewAction.REQUEST_CHANGES: researchers + staff + (contacts if step.city else []),
        ReviewAction.PUBLISH: researchers + contacts + staff,
    }[step.action]
    for user in {user.pk: user for user in concerned}.values():
        message_queue(
            kind=f"casestudy_{step.action}", to=user.email, recipient=user, related=case_study,
            key=f"casestudy_review:{step.pk}:{user.pk}",
            template="casestudies/email/review_step",
            context={"case_study": case_study, "step": step, "site_url": settings.SITE_URL})
